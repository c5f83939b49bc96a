//! A matrix cell's facts: a save that changes only the note or the wijk keeps the cell's date
//! and source (on the form, in the cell with htmx, and through the API); a new status asks for
//! its own date and source; a change of source is in the trail; and the cells a note-only
//! save of before took the date and source from are given them back by migration 0006.

use axum::http::{Method, StatusCode};
use regiomonitor::features::changes::model::AuditRow;
use serde_json::{Value, json};

use crate::helpers::{Persona, TestApp, set_field};

/// Netwerk Mentale Gezondheid in Zeist: opstart since 9 October 2025, as the BBO said.
const NMG: &str = "netwerk-mentale-gezondheid";
const ZEIST: &str = "GM0355";
/// Buurt als Ecosysteem in Wijk bij Duurstede: opstart since najaar 2025 (an aanname), ZOU.
const BUURT: &str = "buurt-als-ecosysteem";
const WIJK_BIJ_DUURSTEDE: &str = "GM0352";

const CELL_FORM: &str = "form.rm-rollout-form";

fn form_path(plan: &str, gemeente: &str) -> String {
    format!("/plannen/{plan}/uitrol/{gemeente}")
}

fn api_path(plan: &str, gemeente: &str) -> String {
    format!("/api/v1/plans/{plan}/rollouts/{gemeente}")
}

/// The cell as the API shows it.
async fn cell(app: &TestApp, plan: &str, gemeente: &str) -> Value {
    let api = app.get(&format!("/api/v1/plans/{plan}")).await.json();
    api["rollouts"]
        .as_array()
        .and_then(|r| r.iter().find(|c| c["gemeente_id"] == gemeente).cloned())
        .unwrap_or_else(|| panic!("no cell for {plan} in {gemeente}"))
}

async fn version(app: &TestApp, plan: &str, gemeente: &str) -> i64 {
    app.store
        .rollout_version(plan, gemeente)
        .await
        .expect("version")
}

/// The trail's entries about one cell after the first `skip`, as (field, old, new).
async fn cell_entries(
    app: &TestApp,
    skip: i64,
    plan: &str,
    gemeente: &str,
) -> Vec<(String, Option<String>, Option<String>)> {
    let record = format!("{plan}/{gemeente}");
    app.audit_since(skip)
        .await
        .into_iter()
        .filter(|e: &AuditRow| e.record_type == "rollout" && e.record_id == record)
        .map(|e| (e.field, e.old_value, e.new_value))
        .collect()
}

fn fields_of(entries: &[(String, Option<String>, Option<String>)]) -> Vec<&str> {
    entries.iter().map(|(f, _, _)| f.as_str()).collect()
}

async fn source_title(app: &TestApp, id: &str) -> String {
    let (title,): (String,) = sqlx::query_as("SELECT title FROM sources WHERE id = $1")
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .expect("source");
    title
}

#[tokio::test]
async fn a_new_note_on_the_form_keeps_the_cells_date_and_source() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, ZEIST);
    let before = app.audit_count().await;
    let mut fields = admin.get(&path).await.form_values(CELL_FORM);
    set_field(&mut fields, "note", "Het verkennend gesprek loopt.");

    let saved = admin.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = cell(&app, NMG, ZEIST).await;
    assert_eq!(now["note"], "Het verkennend gesprek loopt.");
    assert_eq!(now["date"], "2025-10-09");
    assert_eq!(now["source_id"], "bbo-2025-10-09");
    assert_eq!(
        fields_of(&cell_entries(&app, before, NMG, ZEIST).await),
        ["note"]
    );
}

#[tokio::test]
async fn a_new_note_in_the_matrix_cell_with_htmx_keeps_the_cells_date_and_source() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, ZEIST);
    let fragment = admin.get_htmx(&path).await;
    assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.body);
    let mut fields = fragment.form_values(CELL_FORM);
    set_field(&mut fields, "note", "Gesprek in de cel gewijzigd.");

    let saved = admin.post_htmx(&path, fields).await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(
        saved.body.starts_with("<td"),
        "the saved cell: {}",
        saved.body
    );
    let now = cell(&app, NMG, ZEIST).await;
    assert_eq!(now["note"], "Gesprek in de cel gewijzigd.");
    assert_eq!(now["date"], "2025-10-09");
    assert_eq!(now["source_id"], "bbo-2025-10-09");
}

#[tokio::test]
async fn a_new_wijk_keeps_the_cells_date_source_and_aanname() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(BUURT, WIJK_BIJ_DUURSTEDE);
    let before = app.audit_count().await;
    let mut fields = admin.get(&path).await.form_values(CELL_FORM);
    set_field(&mut fields, "district", "wbd-de-heul");

    let saved = admin.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = cell(&app, BUURT, WIJK_BIJ_DUURSTEDE).await;
    assert_eq!(now["district_id"], "wbd-de-heul");
    assert_eq!(now["date"], "najaar 2025");
    assert_eq!(now["source_id"], "zou-2025");
    assert!(now["assumption"].is_string(), "{now}");
    assert_eq!(
        cell_entries(&app, before, BUURT, WIJK_BIJ_DUURSTEDE).await,
        [("district".to_owned(), None, Some("de Heul".to_owned()))]
    );
}

#[tokio::test]
async fn an_api_save_of_only_the_note_or_the_wijk_keeps_what_it_leaves_out() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = api_path(BUURT, WIJK_BIJ_DUURSTEDE);

    let noted = admin
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": version(&app, BUURT, WIJK_BIJ_DUURSTEDE).await, "note": "Via de API."}),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK, "{}", noted.body);
    let placed = admin
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": noted.json()["version"], "district_id": "wbd-frankenhof"}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);

    let now = cell(&app, BUURT, WIJK_BIJ_DUURSTEDE).await;
    assert_eq!(now["note"], "Via de API.");
    assert_eq!(now["district_id"], "wbd-frankenhof");
    assert_eq!(now["status"], "opstart");
    assert_eq!(now["date"], "najaar 2025");
    assert_eq!(now["source_id"], "zou-2025");
    assert!(now["assumption"].is_string(), "{now}");

    let cleared = admin
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": placed.json()["version"], "note": null, "district_id": null}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    let now = cell(&app, BUURT, WIJK_BIJ_DUURSTEDE).await;
    assert!(
        now["note"].is_null() && now["district_id"].is_null(),
        "{now}"
    );
    assert_eq!(now["source_id"], "zou-2025");
}

#[tokio::test]
async fn a_new_status_with_the_old_date_and_source_asks_for_them_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, ZEIST);
    let before = app.snapshot().await;
    let mut fields = admin.get(&path).await.form_values(CELL_FORM);
    assert!(
        !fields.iter().any(|(n, _)| n == "confirm_date_and_source"),
        "the form asks only once the status changes"
    );
    set_field(&mut fields, "status", "loopt");

    let refused = admin.post_form(&path, fields.clone()).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let prefix = format!("u-{NMG}-{ZEIST}-");
    let message = refused.text(&format!("#fout-{prefix}date"));
    assert!(
        message.starts_with("Sinds (datum) en Bron: de status wordt \"Loopt\" (was \"Opstart\")"),
        "{message}"
    );
    assert!(message.contains("9 oktober 2025"), "{message}");
    assert_eq!(
        refused.value(&format!("#veld-{prefix}date")).as_deref(),
        Some("2025-10-09"),
        "what the form held comes back"
    );
    assert_eq!(
        refused.count(&format!("#veld-{prefix}confirm_date_and_source")),
        1,
        "the form offers to confirm them"
    );
    assert_eq!(app.snapshot().await, before);

    // With the date and source of the new status it is saved at once.
    set_field(&mut fields, "date", "2026-Q1");
    set_field(&mut fields, "source", "");
    set_field(&mut fields, "source_new", "Regiegroep 12 maart 2026");
    let saved = admin.post_form(&path, fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = cell(&app, NMG, ZEIST).await;
    assert_eq!(now["status"], "loopt");
    assert_eq!(now["date"], "2026-Q1");
    assert_ne!(now["source_id"], "bbo-2025-10-09");
}

#[tokio::test]
async fn a_new_status_with_only_a_new_date_asks_for_its_source_until_it_is_confirmed() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, ZEIST);
    let mut fields = admin.get(&path).await.form_values(CELL_FORM);
    set_field(&mut fields, "status", "loopt");
    set_field(&mut fields, "date", "2025-11");

    let refused = admin.post_form(&path, fields.clone()).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.text(&format!("#fout-u-{NMG}-{ZEIST}-source"));
    assert!(
        message.starts_with("Bron: de status wordt \"Loopt\""),
        "{message}"
    );
    let confirmed = refused.form_values(CELL_FORM);
    assert!(
        !confirmed
            .iter()
            .any(|(n, _)| n == "confirm_date_and_source"),
        "not ticked for the user"
    );

    set_field(&mut fields, "confirm_date_and_source", "1");
    let saved = admin.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = cell(&app, NMG, ZEIST).await;
    assert_eq!(now["status"], "loopt");
    assert_eq!(now["date"], "2025-11");
    assert_eq!(now["source_id"], "bbo-2025-10-09");
}

#[tokio::test]
async fn a_new_status_in_the_matrix_cell_with_htmx_asks_for_its_date_and_source_in_the_cell() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, ZEIST);
    let mut fields = admin.get_htmx(&path).await.form_values(CELL_FORM);
    set_field(&mut fields, "status", "geborgd");

    let answer = admin.post_htmx(&path, fields).await;

    assert_eq!(
        answer.status,
        StatusCode::OK,
        "htmx swaps only a 2xx answer"
    );
    assert!(
        answer.body.contains("Sinds (datum) en Bron"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("name=\"confirm_date_and_source\""));
    assert_eq!(cell(&app, NMG, ZEIST).await["status"], "opstart");
}

#[tokio::test]
async fn an_api_status_change_asks_for_its_date_and_source_unless_confirmed() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = api_path(NMG, ZEIST);
    let v = version(&app, NMG, ZEIST).await;
    let before = app.snapshot().await;

    let refused = admin
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": v, "status": "loopt"}),
        )
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json();
    assert_eq!(body["fields"][0]["field"], "date", "{body}");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("datum en bron zijn nog die van \"Opstart\"")),
        "{body}"
    );
    assert_eq!(app.snapshot().await, before);

    let new_date = admin
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": v, "status": "loopt", "date": "2025-12"}),
        )
        .await;
    assert_eq!(new_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(new_date.json()["fields"][0]["field"], "source_id");

    let confirmed = admin
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": v, "status": "loopt", "date": "2025-12", "confirm_date_and_source": true}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let now = cell(&app, NMG, ZEIST).await;
    assert_eq!(now["status"], "loopt");
    assert_eq!(now["date"], "2025-12");
    assert_eq!(now["source_id"], "bbo-2025-10-09");
}

#[tokio::test]
async fn a_new_source_is_one_trail_entry_with_the_old_and_the_new_title() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, ZEIST);
    let before = app.audit_count().await;
    let mut fields = admin.get(&path).await.form_values(CELL_FORM);
    set_field(&mut fields, "source", "zou-2025");

    let saved = admin.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        cell_entries(&app, before, NMG, ZEIST).await,
        [(
            "source".to_owned(),
            Some(source_title(&app, "bbo-2025-10-09").await),
            Some(source_title(&app, "zou-2025").await)
        )]
    );

    // Through the API, to no source at all.
    let before = app.audit_count().await;
    let cleared = admin
        .send_json(
            Method::PUT,
            &api_path(NMG, ZEIST),
            &json!({"version": version(&app, NMG, ZEIST).await, "source_id": null}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(
        cell_entries(&app, before, NMG, ZEIST).await,
        [(
            "source".to_owned(),
            Some(source_title(&app, "zou-2025").await),
            None
        )]
    );
}

#[tokio::test]
async fn the_form_of_a_new_cell_leaves_its_date_empty_and_asks_for_it() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = form_path(NMG, "GM0312");
    let form = admin.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let fields = form.form_values(CELL_FORM);
    let date = fields
        .iter()
        .find(|(n, _)| n == "date")
        .map(|(_, v)| v.as_str());
    assert_eq!(date, Some(""), "never the day of typing");
    let before = app.snapshot().await;

    let refused = admin.post_form(&path, fields).await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = refused.text(&format!("#fout-u-{NMG}-GM0312-date"));
    assert!(
        message.starts_with("Sinds (datum): vul in sinds wanneer"),
        "{message}"
    );
    assert_eq!(app.snapshot().await, before);
}

// --- The repair of migration 0006 ---

/// Runs `sql` on the test's database.
async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(app.store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// What the cell form of before left when someone saved only a new note on 15 January
/// 2026: the day of saving as the date, no source, the aanname ended; a history line and
/// the trail's entries of that save.
async fn note_saved_by_the_old_form(app: &TestApp, plan: &str, gemeente: &str, label: &str) {
    exec(
        app,
        &format!(
            "UPDATE rollouts SET note = 'Nieuwe toelichting', date = '2026-01-15', source_id = NULL,
                assumption = NULL, version = version + 1
              WHERE plan_id = '{plan}' AND gemeente_id = '{gemeente}'"
        ),
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO rollout_history (plan_id, gemeente_id, status, note, date, source_id, assumption)
             SELECT plan_id, gemeente_id, status, note, date, source_id, assumption FROM rollouts
              WHERE plan_id = '{plan}' AND gemeente_id = '{gemeente}'"
        ),
    )
    .await;
    for (field, old, new) in [
        ("date", label, "15 januari 2026"),
        ("note", "Oude toelichting", "Nieuwe toelichting"),
    ] {
        trail_entry(app, plan, gemeente, "2026-01-15T09:30:00Z", field, old, new).await;
    }
}

async fn trail_entry(
    app: &TestApp,
    plan: &str,
    gemeente: &str,
    at: &str,
    field: &str,
    old: &str,
    new: &str,
) {
    exec(
        app,
        &format!(
            "INSERT INTO audit_log (at, actor, channel, record_type, record_id, record_label, plan_id,
                area_id, field, old_value, new_value)
             VALUES ('{at}', 'Bea Beheer', 'web', 'rollout', '{plan}/{gemeente}', 'cel', '{plan}',
                '{gemeente}', '{field}', '{old}', '{new}')"
        ),
    )
    .await;
}

/// Opens the store again as if migration 0006 had not run yet: the migrator then runs it,
/// on the state the test made.
async fn run_migration_0006_again(app: &TestApp) {
    exec(app, "DELETE FROM _sqlx_migrations WHERE version = 6").await;
    let store = regiomonitor::store::Store::open(&app._db.url)
        .await
        .expect("the store opens and migrates");
    store.pool().close().await;
}

#[tokio::test]
async fn migration_0006_gives_a_cell_back_the_date_source_and_aanname_a_note_only_save_dropped() {
    let app = TestApp::demo().await;
    let aanname = cell(&app, BUURT, WIJK_BIJ_DUURSTEDE).await["assumption"].clone();
    note_saved_by_the_old_form(&app, NMG, ZEIST, "9 oktober 2025").await;
    note_saved_by_the_old_form(&app, BUURT, WIJK_BIJ_DUURSTEDE, "najaar 2025").await;
    trail_entry(
        &app,
        BUURT,
        WIJK_BIJ_DUURSTEDE,
        "2026-01-15T09:30:00Z",
        "status",
        "aanname: reden",
        "geen aanname meer: de waarde is gewijzigd",
    )
    .await;
    let broken_version = version(&app, NMG, ZEIST).await;
    let before = app.audit_count().await;

    run_migration_0006_again(&app).await;

    let nmg = cell(&app, NMG, ZEIST).await;
    assert_eq!(nmg["date"], "2025-10-09");
    assert_eq!(nmg["source_id"], "bbo-2025-10-09");
    assert_eq!(nmg["note"], "Nieuwe toelichting", "the new note stays");
    assert_eq!(version(&app, NMG, ZEIST).await, broken_version + 1);
    let buurt = cell(&app, BUURT, WIJK_BIJ_DUURSTEDE).await;
    assert_eq!(buurt["date"], "najaar 2025");
    assert_eq!(buurt["source_id"], "zou-2025");
    assert_eq!(buurt["assumption"], aanname);
    let lost = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM rollout_history WHERE plan_id IN ('{NMG}', '{BUURT}')
               AND (date = '2026-01-15' OR source_id IS NULL)"
        ))
        .await;
    assert_eq!(lost, 0, "the history lines of the save are repaired too");

    let trail = app.audit_since(before).await;
    assert!(
        trail
            .iter()
            .all(|e| e.actor.as_deref() == Some("systeem") && e.channel == "cli"),
        "{trail:?}"
    );
    assert!(
        trail.iter().all(|e| e.at.len() == 20
            && e.at.as_bytes()[10] == b'T'
            && e.at.ends_with('Z')
            && e.at.as_str() > "2026-01-15"),
        "the trail's form of a moment: {trail:?}"
    );
    assert_eq!(
        cell_entries(&app, before, NMG, ZEIST).await,
        [
            (
                "date".to_owned(),
                Some("15 januari 2026".to_owned()),
                Some("9 oktober 2025".to_owned())
            ),
            (
                "source".to_owned(),
                None,
                Some(source_title(&app, "bbo-2025-10-09").await)
            ),
        ]
    );
    assert_eq!(
        fields_of(&cell_entries(&app, before, BUURT, WIJK_BIJ_DUURSTEDE).await),
        ["date", "source", "status"]
    );
    let page = app.get(&format!("/plannen/{NMG}")).await;
    let row = page
        .texts("#uitrol ~ .rm-table-scroll table tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Zeist"))
        .expect("the row of Zeist");
    assert!(row.contains("9 oktober 2025"), "{row}");
}

#[tokio::test]
async fn migration_0006_leaves_a_date_set_on_purpose_and_a_new_status_alone() {
    let app = TestApp::demo().await;
    // A user set the date of a cell to another day than the day of saving.
    exec(
        &app,
        &format!(
            "UPDATE rollouts SET date = '2026-01-10', source_id = NULL
              WHERE plan_id = '{BUURT}' AND gemeente_id = 'GM0312'"
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "INSERT INTO rollout_history (plan_id, gemeente_id, status, date)
             VALUES ('{BUURT}', 'GM0312', 'niet-gestart', '2026-01-10')"
        ),
    )
    .await;
    trail_entry(
        &app,
        BUURT,
        "GM0312",
        "2026-01-15T09:30:00Z",
        "date",
        "5 september 2025",
        "10 januari 2026",
    )
    .await;
    // And a new status, dated the day it was saved.
    exec(
        &app,
        &format!(
            "UPDATE rollouts SET status = 'gepland', date = '2026-01-15', source_id = NULL
              WHERE plan_id = '{BUURT}' AND gemeente_id = 'GM0310'"
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "INSERT INTO rollout_history (plan_id, gemeente_id, status, date)
             VALUES ('{BUURT}', 'GM0310', 'gepland', '2026-01-15')"
        ),
    )
    .await;
    for (field, old, new) in [
        ("status", "Niet gestart", "Gepland"),
        ("date", "5 september 2025", "15 januari 2026"),
    ] {
        trail_entry(
            &app,
            BUURT,
            "GM0310",
            "2026-01-15T09:30:00Z",
            field,
            old,
            new,
        )
        .await;
    }
    let before = app.audit_count().await;

    run_migration_0006_again(&app).await;

    assert_eq!(cell(&app, BUURT, "GM0312").await["date"], "2026-01-10");
    let moved = cell(&app, BUURT, "GM0310").await;
    assert_eq!(moved["date"], "2026-01-15");
    assert!(moved["source_id"].is_null());
    assert_eq!(
        app.audit_count().await,
        before,
        "nothing to repair, nothing in the trail"
    );
}
