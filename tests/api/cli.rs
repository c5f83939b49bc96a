//! `regiomonitor user ...`: the built binary on a real database, the password on stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use regiomonitor::auth::verify_password;
use regiomonitor::store::Store;

use crate::helpers::TestDb;

const PASSWORD: &str = "correct paard batterij";

/// What one run of the binary left behind.
struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `regiomonitor` with `args`, `--database` for `db` and `stdin` as its standard input.
fn regiomonitor(db: &TestDb, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_regiomonitor"))
        .args(args)
        .args(["--database", db.url.expose()])
        .env_remove("REGIOMONITOR_DATABASE_URL")
        .env("REGIOMONITOR_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    // A command refused before it reads its input may already have closed it.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("the binary ends");
    Run {
        success: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs a command that must succeed.
fn ok(db: &TestDb, args: &[&str], stdin: &str) -> Run {
    let run = regiomonitor(db, args, stdin);
    assert!(
        run.success,
        "{args:?} failed:\n{}\n{}",
        run.stdout, run.stderr
    );
    run
}

/// A database as `serve` leaves it: created, with its tables. The user commands refuse a
/// SQLite file that does not exist.
async fn served_db() -> TestDb {
    let db = TestDb::new().await;
    Store::open(&db.url).await.expect("the database is made");
    db
}

#[tokio::test]
async fn a_user_command_on_a_sqlite_file_that_does_not_exist_says_so_and_makes_none() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("regiomonitor.db");
    let url = format!("sqlite://{}", file.display());
    let output = Command::new(env!("CARGO_BIN_EXE_regiomonitor"))
        .args(["user", "list", "--database", &url])
        .env_remove("REGIOMONITOR_DATABASE_URL")
        .output()
        .expect("the binary runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Er is geen database") && stderr.contains("--database"),
        "{stderr}"
    );
    assert!(!file.exists(), "no stray empty database is made");
}

fn add_beheerder(db: &TestDb) {
    ok(
        db,
        &[
            "user",
            "add",
            "--email",
            "Anna@Regio.nl",
            "--name",
            "Anna de Vries",
            "--role",
            "beheerder",
        ],
        &format!("{PASSWORD}\n"),
    );
}

fn load_demo(db: &TestDb) {
    ok(db, &["load-demo"], "");
}

/// The cells of `user list`, one row per account, the header left out.
fn listed(db: &TestDb) -> Vec<Vec<String>> {
    let run = ok(db, &["user", "list"], "");
    let mut lines = run.stdout.lines();
    assert_eq!(
        cells(lines.next().unwrap_or_default()),
        ["e-mailadres", "naam", "rol", "organisaties", "status"]
    );
    lines.map(cells).collect()
}

/// A table line split at its column gaps (two spaces or more).
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn account_count(db: &TestDb) -> usize {
    let store = Store::open(&db.url).await.expect("store");
    store.accounts().await.expect("accounts").len()
}

#[tokio::test]
async fn a_beheerder_added_on_the_command_line_signs_in_with_the_password_from_stdin() {
    let db = served_db().await;

    add_beheerder(&db);

    let store = Store::open(&db.url).await.expect("store");
    let credentials = store
        .credentials("anna@regio.nl")
        .await
        .expect("query")
        .expect("the address is stored in lower case");
    assert!(credentials.user.is_admin());
    assert!(!credentials.disabled);
    assert!(verify_password(PASSWORD, &credentials.password_hash));
    assert_eq!(store.admin_count().await.expect("count"), 1);
}

#[tokio::test]
async fn the_list_shows_a_beheerder_and_a_trekker_with_its_organisations() {
    let db = served_db().await;
    load_demo(&db);
    add_beheerder(&db);

    ok(
        &db,
        &[
            "user",
            "add",
            "--email",
            "tim@unicum.nl",
            "--name",
            "Tim Trekker",
            "--role",
            "trekker",
            "--organisation",
            "unicum",
            "--organisation",
            "sante",
        ],
        &format!("{PASSWORD}\n"),
    );

    assert_eq!(
        listed(&db),
        [
            ["anna@regio.nl", "Anna de Vries", "beheerder", "-", "actief"],
            [
                "tim@unicum.nl",
                "Tim Trekker",
                "trekker",
                "sante, unicum",
                "actief"
            ],
        ]
    );
}

#[tokio::test]
async fn a_disabled_account_is_listed_as_uitgeschakeld_until_it_is_enabled_again() {
    let db = served_db().await;
    add_beheerder(&db);

    ok(&db, &["user", "disable", "--email", "anna@regio.nl"], "");
    let after_disable = listed(&db);
    ok(&db, &["user", "enable", "--email", "anna@regio.nl"], "");
    let after_enable = listed(&db);

    assert_eq!(after_disable[0][4], "uitgeschakeld");
    assert_eq!(after_enable[0][4], "actief");
}

#[tokio::test]
async fn disabling_the_last_beheerder_warns_that_none_is_left() {
    let db = served_db().await;
    add_beheerder(&db);

    let run = ok(&db, &["user", "disable", "--email", "anna@regio.nl"], "");

    assert!(
        run.stderr.contains("geen actieve beheerder meer"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_short_password_is_refused_in_dutch_and_no_account_is_created() {
    let db = served_db().await;

    let run = regiomonitor(
        &db,
        &[
            "user",
            "add",
            "--email",
            "kort@regio.nl",
            "--name",
            "Kort",
            "--role",
            "lezer",
        ],
        "kort\n",
    );

    assert!(!run.success);
    assert!(
        run.stderr.contains(
            "fout: het wachtwoord is te kort (4 tekens); kies er een van minstens 12 tekens"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(account_count(&db).await, 0);
}

#[tokio::test]
async fn without_a_password_on_stdin_nothing_is_created() {
    let db = served_db().await;

    let run = regiomonitor(
        &db,
        &[
            "user",
            "add",
            "--email",
            "leeg@regio.nl",
            "--name",
            "Leeg",
            "--role",
            "lezer",
        ],
        "",
    );

    assert!(!run.success);
    assert!(
        run.stderr.contains("fout: geen wachtwoord ontvangen"),
        "{}",
        run.stderr
    );
    assert_eq!(account_count(&db).await, 0);
}

#[tokio::test]
async fn a_second_account_with_the_same_address_is_refused() {
    let db = served_db().await;
    add_beheerder(&db);

    let run = regiomonitor(
        &db,
        &[
            "user",
            "add",
            "--email",
            "anna@regio.nl",
            "--name",
            "Anna Tweede",
            "--role",
            "lezer",
        ],
        &format!("{PASSWORD}\n"),
    );

    assert!(!run.success);
    assert!(
        run.stderr
            .contains("fout: er is al een account met het e-mailadres anna@regio.nl"),
        "{}",
        run.stderr
    );
    assert_eq!(account_count(&db).await, 1);
}

#[tokio::test]
async fn an_unknown_organisation_is_refused() {
    let db = served_db().await;
    load_demo(&db);

    let run = regiomonitor(
        &db,
        &[
            "user",
            "add",
            "--email",
            "tim@regio.nl",
            "--name",
            "Tim",
            "--role",
            "trekker",
            "--organisation",
            "bestaat-niet",
        ],
        &format!("{PASSWORD}\n"),
    );

    assert!(!run.success);
    assert!(
        run.stderr
            .contains("fout: de organisatie \"bestaat-niet\" bestaat niet"),
        "{}",
        run.stderr
    );
    assert_eq!(account_count(&db).await, 0);
}

#[tokio::test]
async fn a_trekker_without_an_organisation_is_refused_before_the_password_is_read() {
    let db = served_db().await;

    let run = regiomonitor(
        &db,
        &[
            "user",
            "add",
            "--email",
            "tim@regio.nl",
            "--name",
            "Tim",
            "--role",
            "trekker",
        ],
        &format!("{PASSWORD}\n"),
    );

    assert!(!run.success);
    assert!(
        run.stderr.contains("minstens één op met --organisation"),
        "{}",
        run.stderr
    );
    assert_eq!(account_count(&db).await, 0);
}

#[tokio::test]
async fn set_password_replaces_the_password() {
    let db = served_db().await;
    add_beheerder(&db);

    ok(
        &db,
        &["user", "set-password", "--email", "anna@regio.nl"],
        "een heel nieuw wachtwoord\n",
    );

    let store = Store::open(&db.url).await.expect("store");
    let credentials = store
        .credentials("anna@regio.nl")
        .await
        .expect("query")
        .expect("account");
    assert!(verify_password(
        "een heel nieuw wachtwoord",
        &credentials.password_hash
    ));
    assert!(!verify_password(PASSWORD, &credentials.password_hash));
}

#[tokio::test]
async fn an_unknown_address_is_named_in_the_error() {
    let db = served_db().await;

    let run = regiomonitor(
        &db,
        &["user", "set-password", "--email", "niemand@regio.nl"],
        &format!("{PASSWORD}\n"),
    );

    assert!(!run.success);
    assert!(
        run.stderr
            .contains("fout: er is geen account met het e-mailadres niemand@regio.nl"),
        "{}",
        run.stderr
    );
}

/// `serve` holds glibc's mmap threshold: it starts itself anew with `GLIBC_TUNABLES`, in the
/// same process, unless the administrator set that variable, which is then kept as it is.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn serve_holds_the_mmap_threshold_unless_glibc_tunables_is_set() {
    use std::io::{BufRead, BufReader};

    for preset in [None, Some("glibc.malloc.arena_max=4")] {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let mut command = Command::new(env!("CARGO_BIN_EXE_regiomonitor"));
        command
            .args(["serve", "--database", &url, "--addr", "127.0.0.1:0"])
            .env_remove("REGIOMONITOR_DATABASE_URL")
            .env_remove("GLIBC_TUNABLES")
            .env("REGIOMONITOR_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(p) = preset {
            command.env("GLIBC_TUNABLES", p);
        }
        let mut child = command.spawn().expect("the server starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut said = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.expect("a line");
            said.push_str(&line);
            said.push('\n');
            if line.contains("draait op") {
                break;
            }
        }
        let environ = std::fs::read(format!("/proc/{}/environ", child.id())).expect("environ");
        child.kill().expect("stopped");
        child.wait().expect("ended");
        assert!(said.contains("draait op"), "the server ran: {said}");
        let tunables: Vec<String> = environ
            .split(|b| *b == 0)
            .filter_map(|v| std::str::from_utf8(v).ok())
            .filter_map(|v| v.strip_prefix("GLIBC_TUNABLES="))
            .map(str::to_owned)
            .collect();
        let expected = preset.unwrap_or("glibc.malloc.mmap_threshold=131072");
        assert_eq!(tunables, [expected], "preset {preset:?}");
    }
}
