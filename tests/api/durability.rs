//! `regiomonitor import observations` killed with SIGKILL while it writes: the store keeps
//! nothing of it (no value, no trail entry, the same data version), and the same import then
//! runs to completion. The kill must land while the import's transaction is open and has
//! written rows; when the import was quicker than that, the file is made bigger and the test
//! tries again, so it cannot pass without having killed one mid-way.

use std::collections::HashSet;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use regiomonitor::domain::{AreaLevel, Frequency, Measure};
use regiomonitor::store::Store;

use crate::helpers::TestDb;

/// What the import must leave unchanged, or change by exactly its own rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    observations: i64,
    audit: i64,
    data_version: i64,
}

async fn counts(store: &Store) -> Counts {
    let count = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(store.pool())
            .await
            .expect("count");
        n
    };
    Counts {
        observations: count("SELECT COUNT(*) FROM observations").await,
        audit: count("SELECT COUNT(*) FROM audit_log").await,
        data_version: count("SELECT value FROM data_version WHERE id = 1").await,
    }
}

/// A file of values for every KPI of the demo in every area of its level, for each period of
/// its frequency in `years` years from 1900, each with a note of `note` characters; none of
/// them is in the store yet. Returns the text, its number of values and of KPI's.
async fn generated(store: &Store, years: i16, note: usize) -> (String, i64, i64) {
    let indicators = store.indicators().await.expect("indicators");
    let areas = store.areas().await.expect("areas");
    let note = "x".repeat(note);
    let mut text = String::from("indicator,gebied,periode,waarde,bron,toelichting\n");
    let (mut values, mut kpis) = (0, 0);
    for kpi in &indicators {
        let stored: HashSet<(String, String)> = store
            .observation_keys(&kpi.id)
            .await
            .expect("keys")
            .into_iter()
            .collect();
        let level = match kpi.area_level() {
            AreaLevel::Gemeente => "gemeente",
            AreaLevel::Subregion => "subregio",
            AreaLevel::Region => "regio",
        };
        let periods: Vec<String> = (1900..1900 + years)
            .flat_map(|y| match kpi.frequency() {
                Frequency::Year => vec![y.to_string()],
                Frequency::Quarter => (1..=4).map(|q| format!("{y}-Q{q}")).collect(),
                Frequency::Month => (1..=12).map(|m| format!("{y}-{m:02}")).collect(),
            })
            .collect();
        let value = if kpi.measure() == Measure::Narrative {
            "\"Een beschrijving, van wat er is opgehaald\""
        } else {
            "\"12,5\""
        };
        let before = values;
        for area in areas.iter().filter(|a| a.kind == level) {
            for period in &periods {
                if stored.contains(&(area.id.clone(), period.clone())) {
                    continue;
                }
                text.push_str(&format!(
                    "{},{},{period},{value},duurtest,{note}\n",
                    kpi.id, area.id
                ));
                values += 1;
            }
        }
        if values > before {
            kpis += 1;
        }
    }
    (text, values, kpis)
}

fn import(db: &TestDb, file: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_regiomonitor"));
    command
        .args(["import", "observations"])
        .arg(file)
        .args(["--database", db.url.expose()])
        .env_remove("REGIOMONITOR_DATABASE_URL")
        .env("REGIOMONITOR_LOG", "warn")
        .env("USER", "tester");
    command
}

/// Whether the import's write transaction is open and has written rows, seen from outside.
/// SQLite: another connection cannot take the write lock, and the write-ahead log has grown
/// (pages of the uncommitted rows spilled to it). PostgreSQL: the import's connection has a
/// transaction id (it has written) and its last statement is an INSERT of observations.
async fn writing(db: &TestDb, probe: &Store) -> bool {
    if db.url.is_sqlite() {
        let file = db.url.expose().trim_start_matches("sqlite://").to_owned();
        let wal = std::fs::metadata(format!("{file}-wal")).map_or(0, |m| m.len());
        if wal == 0 {
            return false;
        }
        let mut conn = probe.pool().acquire().await.expect("probe connection");
        sqlx::query("PRAGMA busy_timeout = 0")
            .execute(&mut *conn)
            .await
            .expect("busy timeout");
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut *conn)
                    .await
                    .expect("rollback");
                false
            }
            Err(e) => {
                assert!(e.to_string().contains("locked"), "probe: {e}");
                true
            }
        }
    } else {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND backend_xid IS NOT NULL AND query LIKE 'INSERT INTO observations%'",
        )
        .fetch_one(probe.pool())
        .await
        .expect("pg_stat_activity");
        n > 0
    }
}

/// How one attempt to kill the import mid-way went.
enum Attempt {
    /// Killed while writing; the store is as it was.
    KilledMidway,
    /// The import was done before the kill (or committed just before it).
    TooLate,
}

async fn kill_while_writing(
    db: &TestDb,
    file: &std::path::Path,
    before: Counts,
    full: Counts,
) -> Attempt {
    let probe = Store::open(&db.url).await.expect("probe store");
    let mut child: Child = import(db, file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    loop {
        if let Some(status) = child.try_wait().expect("poll the import") {
            assert!(status.success(), "the import failed: {status}");
            return Attempt::TooLate;
        }
        if writing(db, &probe).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("the import ends");
    probe.pool().close().await;
    let store = Store::open(&db.url).await.expect("store after the kill");
    let after = counts(&store).await;
    store.pool().close().await;
    if status.signal() != Some(9) {
        assert!(status.success(), "the import failed: {status}");
        assert_eq!(after, full, "an import that ended stored all of it");
        return Attempt::TooLate;
    }
    if after == full {
        // It committed between the look and the kill.
        return Attempt::TooLate;
    }
    assert_eq!(after, before, "a killed import leaves the store as it was");
    Attempt::KilledMidway
}

#[tokio::test]
async fn an_import_killed_while_it_writes_leaves_the_store_as_it_was_and_runs_again() {
    // (years of values, characters per note): from about 8,000 values up to the 50,000 the
    // demo's KPI's and areas have room for, with longer notes each time.
    let sizes: [(i16, usize); 5] = [(50, 100), (100, 200), (200, 400), (300, 800), (300, 1600)];
    let dir = tempfile::tempdir().expect("temp dir");
    for (years, note) in sizes {
        let db = TestDb::demo().await;
        let store = Store::open(&db.url).await.expect("store");
        let before = counts(&store).await;
        let (text, values, kpis) = generated(&store, years, note).await;
        store.pool().close().await;
        let file = dir.path().join(format!("metingen-{years}-{note}.csv"));
        std::fs::write(&file, &text).expect("write the file");
        let full = Counts {
            observations: before.observations + values,
            audit: before.audit + kpis,
            data_version: before.data_version + 1,
        };

        match kill_while_writing(&db, &file, before, full).await {
            Attempt::TooLate => {
                eprintln!("{values} values: the import was done before the kill; a bigger file");
                continue;
            }
            Attempt::KilledMidway => eprintln!("{values} values: killed while writing"),
        }

        let run = import(&db, &file).output().expect("the binary runs");
        assert!(
            run.status.success(),
            "the import after the kill: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let store = Store::open(&db.url).await.expect("store");
        assert_eq!(counts(&store).await, full, "the import ran to completion");
        return;
    }
    panic!("every import was done before it could be killed; make the file bigger");
}
