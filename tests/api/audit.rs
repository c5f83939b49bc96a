//! The audit trail: every write appends who changed what from what to what, in the same
//! transaction; a write that fails appends nothing. And the trail as pages and JSON show it.

use axum::http::{Method, StatusCode};
use regiomonitor::features::changes::model::AuditRow;
use serde_json::json;

use crate::helpers::{GEMEENTE, OTHER_PLAN, PLAN, Persona, TestApp, set_field};

const EDIT_FORM: &str = "form[action$='/bewerken']";

fn edit_path() -> String {
    format!("/plannen/{PLAN}/bewerken")
}

fn fields_of(rows: &[AuditRow]) -> Vec<&str> {
    rows.iter().map(|r| r.field.as_str()).collect()
}

fn entry<'a>(rows: &'a [AuditRow], field: &str) -> &'a AuditRow {
    rows.iter()
        .find(|r| r.field == field)
        .unwrap_or_else(|| panic!("no entry for {field} in {:?}", fields_of(rows)))
}

#[tokio::test]
async fn the_demo_import_writes_the_trail_with_channel_import() {
    let app = TestApp::demo().await;

    let rows = app.audit_entries().await;

    assert!(rows.len() > 40);
    assert!(rows.iter().all(|r| r.channel == "import"));
    assert!(rows.iter().any(|r| r.plan_id.as_deref() == Some(PLAN)));
}

#[tokio::test]
async fn saving_the_plan_form_unchanged_writes_no_field_entries() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let fields = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    let before = app.audit_count().await;

    let saved = lead.post_form(&edit_path(), fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let new = app.audit_since(before).await;
    assert!(new.is_empty(), "{:?}", fields_of(&new));
    let stored = app
        .store
        .stored_plan(PLAN)
        .await
        .expect("plan")
        .expect("plan");
    assert_eq!(stored.fields.leads, vec!["unicum".to_owned()]);
    assert_eq!(
        stored.fields.funding,
        vec!["o-en-i".to_owned(), "zonmw".to_owned()]
    );
    assert_eq!(stored.fields.links.len(), 1);
}

#[tokio::test]
async fn a_plan_edit_appends_one_entry_per_changed_field_with_who_and_old_and_new() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let lead_id = app.user_id(Persona::LeadOfPlan).await;
    let mut fields = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    let old_status = fields
        .iter()
        .find(|(k, _)| k == "current_status")
        .map(|(_, v)| v.clone())
        .expect("field");
    set_field(&mut fields, "current_status", "Alle LSV's zijn gestart.");
    set_field(&mut fields, "internal_note", "Bellen met de projectleider.");
    set_field(&mut fields, "comment", "Bijgewerkt na de regiegroep.");
    let before = app.audit_count().await;

    let saved = lead.post_form(&edit_path(), fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location(),
        Some("/plannen/versterken-eerstelijn#historie")
    );
    let new = app.audit_since(before).await;
    assert_eq!(fields_of(&new), vec!["current_status", "internal_note"]);
    let status = entry(&new, "current_status");
    assert_eq!(status.old_value.as_deref(), Some(old_status.trim()));
    assert_eq!(
        status.new_value.as_deref(),
        Some("Alle LSV's zijn gestart.")
    );
    assert_eq!(status.actor.as_deref(), Some("Tim Trekker"));
    assert_eq!(status.channel, "web");
    assert_eq!(status.plan_id.as_deref(), Some(PLAN));
    assert_eq!(
        status.comment.as_deref(),
        Some("Bijgewerkt na de regiegroep.")
    );
    let (user_id,): (Option<i64>,) = sqlx::query_as("SELECT user_id FROM audit_log WHERE id = $1")
        .bind(status.id)
        .fetch_one(app.store.pool())
        .await
        .expect("row");
    assert_eq!(user_id, Some(lead_id));
}

#[tokio::test]
async fn a_stage_change_with_a_new_source_creates_the_source_the_history_line_and_the_entry() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let mut fields = admin.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut fields, "stage", "implementatiefase");
    set_field(&mut fields, "stage_date", "2025-10-09");
    set_field(&mut fields, "stage_source", "");
    set_field(&mut fields, "stage_source_new", "BBO 9 oktober 2025");
    set_field(&mut fields, "stage_note", "Implementatie gestart.");
    let sources = app.scalar("SELECT COUNT(*) FROM sources").await;
    let history = app
        .scalar("SELECT COUNT(*) FROM stage_history WHERE plan_id = 'versterken-eerstelijn'")
        .await;
    let before = app.audit_count().await;

    let saved = admin.post_form(&edit_path(), fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sources").await,
        sources + 1
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM sources WHERE title = 'BBO 9 oktober 2025' AND date = '2025-10-09'"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stage_history WHERE plan_id = 'versterken-eerstelijn'")
            .await,
        history + 1
    );
    let new = app.audit_since(before).await;
    assert_eq!(fields_of(&new), vec!["stage"]);
    let stage = &new[0];
    assert_eq!(stage.old_value.as_deref(), Some("Opstartfase"));
    assert_eq!(
        stage.new_value.as_deref(),
        Some("Implementatiefase (per 9 oktober 2025)")
    );
    assert_eq!(stage.source.as_deref(), Some("BBO 9 oktober 2025"));
    assert_eq!(stage.comment.as_deref(), Some("Implementatie gestart."));
    assert_eq!(stage.actor.as_deref(), Some("Bea Beheer"));
    let page = app.get(&format!("/plannen/{PLAN}")).await;
    assert!(
        page.texts("#historie ~ .rm-table-scroll table tr")
            .iter()
            .any(|r| r.contains("Implementatiefase (per 9 oktober 2025)")
                && r.contains("Bron: BBO 9 oktober 2025")),
        "{:?}",
        page.texts("table tr")
    );
}

#[tokio::test]
async fn saving_a_rollout_cell_appends_its_status_and_a_history_row() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let path = format!("/plannen/{PLAN}/uitrol/{GEMEENTE}");
    let mut fields = lead.get(&path).await.form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "loopt");
    set_field(&mut fields, "date", "2025-10-09");
    set_field(&mut fields, "note", "Het LSV Zeist is gestart.");
    let history = app.scalar("SELECT COUNT(*) FROM rollout_history").await;
    let before = app.audit_count().await;

    let saved = lead.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rollout_history").await,
        history + 1
    );
    let new = app.audit_since(before).await;
    let status = entry(&new, "status");
    assert_eq!(status.record_type, "rollout");
    assert_eq!(status.new_value.as_deref(), Some("Loopt"));
    assert_eq!(status.plan_id.as_deref(), Some(PLAN));
    assert_eq!(status.area_id.as_deref(), Some(GEMEENTE));
    assert_eq!(status.actor.as_deref(), Some("Tim Trekker"));
    assert_eq!(
        entry(&new, "note").new_value.as_deref(),
        Some("Het LSV Zeist is gestart.")
    );
}

#[tokio::test]
async fn archiving_a_plan_is_in_the_trail() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let form = admin.get(&edit_path()).await;
    let fields = form.form_values("form[action$='/archief']");
    let before = app.audit_count().await;

    let done = admin
        .post_form(&format!("/plannen/{PLAN}/archief"), fields)
        .await;

    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let new = app.audit_since(before).await;
    assert_eq!(fields_of(&new), vec!["archived"]);
    assert_eq!(new[0].old_value.as_deref(), Some("actief"));
    assert_eq!(new[0].new_value.as_deref(), Some("gearchiveerd"));
    assert!(
        app.store
            .stored_plan(PLAN)
            .await
            .expect("plan")
            .expect("plan")
            .archived
    );
}

#[tokio::test]
async fn creating_an_account_and_a_token_and_revoking_it_are_in_the_trail() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.audit_count().await;

    let created = admin
        .post_form(
            "/beheer/gebruikers",
            [
                ("email", "nieuwe.trekker@example.nl"),
                ("name", "Nina Nieuw"),
                ("role", "trekker"),
                ("organisations", "unicum"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    let token = admin
        .post_form("/account/tokens", [("name", "rapportage")])
        .await;
    let token_id = app
        .store
        .tokens_of(app.user_id(Persona::Admin).await)
        .await
        .expect("tokens")[0]
        .id;
    let revoked = admin
        .post_form(
            &format!("/account/tokens/{token_id}/intrekken"),
            [("x", "")],
        )
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let new = app.audit_since(before).await;
    let user_rows: Vec<_> = new.iter().filter(|r| r.record_type == "user").collect();
    assert!(
        user_rows
            .iter()
            .any(|r| r.new_value.as_deref() == Some("Trekker") && r.field == "role")
    );
    assert!(
        user_rows
            .iter()
            .all(|r| r.actor.as_deref() == Some("Bea Beheer"))
    );
    let token_rows: Vec<_> = new.iter().filter(|r| r.record_type == "token").collect();
    assert_eq!(
        token_rows
            .iter()
            .map(|r| r.new_value.as_deref().unwrap_or_default())
            .collect::<Vec<_>>(),
        vec!["aangemaakt", "ingetrokken"]
    );
}

#[tokio::test]
async fn refused_and_failed_writes_leave_no_trail() {
    let app = TestApp::with_people().await;
    let other = app.login_as(Persona::LeadOfOtherPlan).await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let stale = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    let mut invalid = stale.clone();
    set_field(&mut invalid, "name", "");
    let mut first = admin.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut first, "about", "Eerst.");
    admin.post_form(&edit_path(), first).await;
    let before = app.snapshot().await;

    let forbidden = other.post_form(&edit_path(), stale.clone()).await;
    let not_valid = lead.post_form(&edit_path(), invalid).await;
    let conflict = lead.post_form(&edit_path(), stale).await;

    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(not_valid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(app.snapshot().await, before);
}

/// Makes one change with an internal note through the form, as the trekker.
async fn change_with_internal_note(app: &TestApp) {
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut fields, "about", "Nieuwe omschrijving.");
    set_field(
        &mut fields,
        "internal_note",
        "Geheim: budget nog niet rond.",
    );
    let saved = lead.post_form(&edit_path(), fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn the_changes_page_shows_the_edit_under_the_plan_and_hides_internal_notes_from_visitors() {
    let app = TestApp::with_people().await;
    change_with_internal_note(&app).await;
    let reader = app.login_as(Persona::Reader).await;

    let public = app.get("/wijzigingen").await;
    let signed_in = reader.get("/wijzigingen").await;

    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public
            .texts("h2 a")
            .iter()
            .any(|h| h == "Versterken eerstelijn")
    );
    assert!(public.body.contains("Nieuwe omschrijving."));
    assert!(!public.body.contains("Geheim: budget"));
    assert!(!public.body.contains("Tim Trekker"));
    assert!(signed_in.body.contains("Geheim: budget nog niet rond."));
    assert!(signed_in.body.contains("Tim Trekker"));
    let history = app.get(&format!("/plannen/{PLAN}")).await;
    assert!(history.body.contains("Nieuwe omschrijving."));
    assert!(!history.body.contains("Geheim: budget"));
}

#[tokio::test]
async fn the_changes_json_groups_by_plan_and_names_the_actor_only_for_signed_in_callers() {
    let app = TestApp::with_people().await;
    change_with_internal_note(&app).await;
    let reader = app.login_as(Persona::Reader).await;

    let public = app.get("/api/v1/changes").await.json();
    let signed_in = reader.get("/api/v1/changes").await.json();

    let group = |v: &serde_json::Value| {
        v["plans"]
            .as_array()
            .expect("plans")
            .iter()
            .find(|g| g["plan_id"] == PLAN)
            .cloned()
            .expect("the plan's group")
    };
    let public_group = group(&public);
    assert_eq!(public_group["plan_name"], "Versterken eerstelijn");
    // One change for the one save, with the fields it changed.
    let fields = |changes: &[serde_json::Value]| -> Vec<String> {
        changes
            .iter()
            .flat_map(|c| c["fields"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f["field"].as_str().map(str::to_owned))
            .collect()
    };
    let changes = public_group["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["kind"], "edit");
    assert_eq!(fields(changes), ["about"]);
    assert!(changes.iter().all(|c| c.get("actor").is_none()));
    let changes = group(&signed_in)["changes"]
        .as_array()
        .cloned()
        .expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes.iter().all(|c| c["actor"] == "Tim Trekker"));
    assert_eq!(fields(&changes), ["about", "internal_note"]);
}

#[tokio::test]
async fn an_api_write_with_a_token_is_in_the_trail_with_channel_api() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let page = admin
        .post_form("/account/tokens", [("name", "script")])
        .await;
    let token = page.text("#nieuw-token");
    let before = app.audit_count().await;

    let saved = app
        .bearer(&token)
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{OTHER_PLAN}/rollouts/{GEMEENTE}"),
            &json!({"version": app.store.rollout_version(OTHER_PLAN, GEMEENTE).await.expect("v"), "status": "opstart", "date": "2025-11-01"}),
        )
        .await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let new = app.audit_since(before).await;
    assert!(!new.is_empty());
    assert!(new.iter().all(|r| r.channel == "api"));
    assert!(new.iter().all(|r| r.actor.as_deref() == Some("Bea Beheer")));
}

#[tokio::test]
async fn the_changes_json_names_a_plan_whose_only_change_is_a_rollout() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let path = format!("/plannen/{PLAN}/uitrol/{GEMEENTE}");
    let mut fields = lead.get(&path).await.form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "loopt");
    set_field(&mut fields, "date", "2025-10-09");
    let saved = lead.post_form(&path, fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let json = app.get("/api/v1/changes").await.json();

    let group = json["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .find(|g| g["plan_id"] == PLAN)
        .cloned()
        .expect("the plan's group");
    assert_eq!(group["plan_name"], "Versterken eerstelijn");
}

/// Adds one trail entry at a given moment (UTC), as if made then.
async fn entry_at(app: &TestApp, at: &str, new_value: &str) {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, channel, record_type, record_id, record_label, plan_id, field, new_value)
         VALUES ($1, 'Tim Trekker', 'web', 'plan', $2, 'Versterken eerstelijn', $2, 'about', $3)",
    )
    .bind(at)
    .bind(PLAN)
    .bind(new_value)
    .execute(app.store.pool())
    .await
    .expect("entry");
}

#[tokio::test]
async fn the_days_of_the_changes_list_are_dutch_days_not_utc_days() {
    let app = TestApp::with_people().await;
    // 10 October 2025, 00:30 in Utrecht (summer time, UTC+2).
    entry_at(&app, "2025-10-09T22:30:00Z", "Net na middernacht.").await;
    // 9 October 2025, 23:30 in Utrecht.
    entry_at(&app, "2025-10-09T21:30:00Z", "Net voor middernacht.").await;

    let ninth = app
        .get("/api/v1/changes?van=2025-10-09&tot=2025-10-09")
        .await
        .json()
        .to_string();
    let tenth = app
        .get("/api/v1/changes?van=2025-10-10&tot=2025-10-10")
        .await
        .json()
        .to_string();

    assert!(ninth.contains("Net voor middernacht."), "{ninth}");
    assert!(!ninth.contains("Net na middernacht."), "{ninth}");
    assert!(tenth.contains("Net na middernacht."), "{tenth}");
    assert!(!tenth.contains("Net voor middernacht."), "{tenth}");
}

#[tokio::test]
async fn the_plan_json_hides_the_internal_note_from_anonymous_callers() {
    let app = TestApp::with_people().await;
    change_with_internal_note(&app).await;
    let reader = app.login_as(Persona::Reader).await;

    let public = app.get(&format!("/api/v1/plans/{PLAN}")).await;
    let signed_in = reader.get(&format!("/api/v1/plans/{PLAN}")).await;

    assert!(!public.body.contains("Geheim: budget"), "{}", public.body);
    assert!(signed_in.body.contains("Geheim: budget"));
}
