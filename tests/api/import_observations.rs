//! `regiomonitor import observations FILE`: the built binary on the demo data. A good file is
//! stored with one trail entry per KPI; a file with problems names every one of them and
//! leaves the store as it was.

use std::process::{Command, Output};

use regiomonitor::store::Store;

use crate::helpers::TestDb;

/// What one run of the binary left behind.
struct Run {
    success: bool,
    stderr: String,
}

fn regiomonitor(db: &TestDb, args: &[&str]) -> Run {
    let Output { status, stderr, .. } = Command::new(env!("CARGO_BIN_EXE_regiomonitor"))
        .args(args)
        .args(["--database", db.url.expose()])
        .env_remove("REGIOMONITOR_DATABASE_URL")
        .env("REGIOMONITOR_LOG", "warn")
        .env("USER", "tester")
        .output()
        .expect("the binary runs");
    Run {
        success: status.success(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A database with the demo portfolio and a directory for the CSV file.
async fn demo() -> (TestDb, tempfile::TempDir) {
    let db = TestDb::new().await;
    let run = regiomonitor(&db, &["load-demo"]);
    assert!(run.success, "load-demo failed: {}", run.stderr);
    (db, tempfile::tempdir().expect("temp dir"))
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write csv");
    path.display().to_string()
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let store = Store::open(&db.url).await.expect("store");
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(store.pool())
        .await
        .expect("count");
    n
}

async fn counts(db: &TestDb) -> (i64, i64) {
    (
        count(db, "SELECT COUNT(*) FROM observations").await,
        count(db, "SELECT COUNT(*) FROM audit_log").await,
    )
}

const GOOD: &str = "indicator,gebied,periode,waarde,bron
mtvp-consultduur,GM0344,2026-Q1,\"12,5\",praktijkagenda
mtvp-consultduur,De Ronde Venen,2026-Q2,13,praktijkagenda
mtvp-consultduur,GM0344,2026-Q2,14.5,praktijkagenda
administratieve-last,midden-nederland,2023,3,enquete
";

#[tokio::test]
async fn a_good_file_is_stored_with_one_trail_entry_per_kpi() {
    let (db, dir) = demo().await;
    let file = write(&dir, "metingen.csv", GOOD);
    let (observations_before, audit_before) = counts(&db).await;

    let run = regiomonitor(&db, &["import", "observations", &file]);

    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "Ingelezen uit {file}: 4 metingen (mtvp-consultduur 3, administratieve-last 1)."
        )),
        "{}",
        run.stderr
    );
    let (observations_after, audit_after) = counts(&db).await;
    assert_eq!(observations_after, observations_before + 4);
    assert_eq!(audit_after, audit_before + 2);

    let store = Store::open(&db.url).await.expect("store");
    type Entry = (String, String, String, Option<String>, Option<String>);
    let mut entries: Vec<Entry> = sqlx::query_as(
        "SELECT indicator_id, actor, channel, new_value, comment FROM audit_log
              WHERE field = 'import' AND record_type = 'observation' AND channel = 'cli'",
    )
    .fetch_all(store.pool())
    .await
    .expect("trail");
    entries.sort();
    assert_eq!(
        entries,
        [
            (
                "administratieve-last".to_owned(),
                "opdrachtregel (tester)".to_owned(),
                "cli".to_owned(),
                Some("1 meting (2023)".to_owned()),
                Some("ingelezen uit metingen.csv".to_owned()),
            ),
            (
                "mtvp-consultduur".to_owned(),
                "opdrachtregel (tester)".to_owned(),
                "cli".to_owned(),
                Some("3 metingen (1e kwartaal 2026 tot en met 2e kwartaal 2026)".to_owned()),
                Some("ingelezen uit metingen.csv".to_owned()),
            ),
        ]
    );
    let (value, source, example): (Option<f64>, Option<String>, i64) = sqlx::query_as(
        "SELECT value, source, is_example FROM observations
          WHERE indicator_id = 'mtvp-consultduur' AND area_id = 'GM0344' AND period = '2026-Q1'",
    )
    .fetch_one(store.pool())
    .await
    .expect("stored value");
    assert_eq!(value, Some(12.5));
    assert_eq!(source.as_deref(), Some("praktijkagenda"));
    assert_eq!(example, 0);
}

#[tokio::test]
async fn voorbeeld_marks_every_value_as_an_example() {
    let (db, dir) = demo().await;
    let file = write(&dir, "metingen.csv", GOOD);

    let run = regiomonitor(&db, &["import", "observations", &file, "--voorbeeld"]);

    assert!(run.success, "{}", run.stderr);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM observations
              WHERE is_example = 1 AND source IN ('praktijkagenda', 'enquete')"
        )
        .await,
        4
    );
}

#[tokio::test]
async fn a_file_with_problems_names_each_one_and_stores_nothing() {
    let (db, dir) = demo().await;
    let file = write(
        &dir,
        "fout.csv",
        "indicator,gebied,periode,waarde,bron
mtvp-consultduur,GM0344,2026-Q1,12,agenda
bestaat-niet,GM0344,2026-Q1,12,agenda
mtvp-consultduur,GM9999,2026-Q1,12,agenda
mtvp-consultduur,GM0344,2026-Q5,12,agenda
mtvp-consultduur,De Ronde Venen,2026-Q2,veel,agenda
mtvp-consultduur,GM0344,2026-Q1,13,agenda
",
    );
    let before = counts(&db).await;

    let run = regiomonitor(&db, &["import", "observations", &file]);

    assert!(!run.success, "{}", run.stderr);
    let mtvp = "Flexibele gemiddelde consultduur bij de huisarts (MTVP)";
    let expected = [
        "regel 3, kolom indicator: \"bestaat-niet\" is geen bekende KPI; gebruik de id van een KPI (zie de pagina KPI's), bijvoorbeeld mtvp-consultduur".to_owned(),
        "regel 4, kolom gebied: \"GM9999\" is geen bekende gemeente, subregio of regio; schrijf de CBS-code (bijvoorbeeld GM0355) of de naam zoals op de pagina Gemeenten".to_owned(),
        "regel 5, kolom periode: \"2026-Q5\" is geen geldige periode; schrijf een jaar (2026), kwartaal (2026-Q1), maand (2026-03) of datum (2026-03-15)".to_owned(),
        "regel 6, kolom waarde: \"veel\" is geen getal; schrijf een getal zoals 12,5 of 12.5 (zonder duizendtalpunt)".to_owned(),
        format!("regel 7: \"{mtvp}\" in Utrecht over 1e kwartaal 2026 staat ook al op regel 2; houd één van beide"),
        format!("fout: {file}: 5 problemen; er is niets opgeslagen"),
    ];
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines, expected, "{}", run.stderr);
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
async fn a_value_already_stored_is_refused_and_nothing_else_is_stored() {
    let (db, dir) = demo().await;
    let file = write(&dir, "metingen.csv", GOOD);
    let first = regiomonitor(&db, &["import", "observations", &file]);
    assert!(first.success, "{}", first.stderr);
    let before = counts(&db).await;
    let again = write(
        &dir,
        "opnieuw.csv",
        "indicator,gebied,periode,waarde,bron
mtvp-consultduur,GM0344,2026-Q3,15,agenda
mtvp-consultduur,GM0344,2026-Q1,12,agenda
",
    );

    let run = regiomonitor(&db, &["import", "observations", &again]);

    assert!(!run.success);
    assert!(
        run.stderr.contains(
            "regel 3: voor \"Flexibele gemiddelde consultduur bij de huisarts (MTVP)\" in Utrecht over 1e kwartaal 2026 is al een meting opgeslagen"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
async fn a_missing_file_is_named() {
    let (db, dir) = demo().await;
    let missing = dir.path().join("weg.csv").display().to_string();

    let run = regiomonitor(&db, &["import", "observations", &missing]);

    assert!(!run.success);
    assert!(
        run.stderr
            .contains(&format!("fout: kan {missing} niet openen")),
        "{}",
        run.stderr
    );
}
