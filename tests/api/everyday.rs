//! Editing that does not get in the way: a confirmation after a save, focus where the user
//! was, a matrix cell edited in a row of its own, one form for a plan's rollout in a whole
//! subregio, a beheerder changing an account's role, and the toegankelijkheidsverklaring.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::helpers::{Auth, Client, GEMEENTE, PLAN, Persona, TestApp, set_field};

const FLASH_COOKIE: &str = "regiomonitor_melding";
const SUBREGIO: &str = "zuidoost-utrecht";
const BULK_FORM: &str = "form[action$='/uitrol-reeks']";

fn rollout_path() -> String {
    format!("/plannen/{PLAN}/uitrol/{GEMEENTE}")
}

/// A GET with the session and the confirmation cookie a redirect set.
async fn get_with_notice(client: &Client, path: &str, notice: &str) -> crate::helpers::Page {
    let Auth::Session { cookie, .. } = &client.auth else {
        panic!("a session client");
    };
    let request = Request::get(path)
        .header(
            header::COOKIE,
            format!("regiomonitor_sessie={cookie}; {FLASH_COOKIE}={notice}"),
        )
        .body(Body::empty())
        .expect("request");
    client.send(request).await
}

/// The value of the confirmation cookie a response sets, if any.
fn notice_set(page: &crate::helpers::Page) -> Option<String> {
    page.header_values("set-cookie").into_iter().find_map(|c| {
        c.strip_prefix(&format!("{FLASH_COOKIE}="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
    })
}

#[tokio::test]
async fn a_saved_rollout_is_confirmed_once_on_the_page_it_returns_to() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let back = format!("/?subregio={SUBREGIO}#cel-{PLAN}-{GEMEENTE}");
    let mut fields = lead
        .get(&format!("{}?terug={}", rollout_path(), urlencode(&back)))
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "geborgd");
    set_field(&mut fields, "date", "2025-10-09");

    let saved = lead.post_form(&rollout_path(), fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some(back.as_str()));
    let notice = notice_set(&saved).expect("the redirect carries a confirmation");
    let page = get_with_notice(&lead, "/?subregio=zuidoost-utrecht", &notice).await;
    assert_eq!(page.text("#melding"), "De uitrol is opgeslagen.");
    assert_eq!(
        notice_set(&page).as_deref(),
        Some(""),
        "the page that shows the confirmation clears it"
    );
    let again = lead.get("/?subregio=zuidoost-utrecht").await;
    assert_eq!(again.count("#melding"), 0);
    assert_eq!(
        page.count(&format!("#cel-{PLAN}-{GEMEENTE} a.rm-edit-link")),
        1,
        "the cell the address points to holds its edit link, where focus returns"
    );
}

#[tokio::test]
async fn a_confirmation_cookie_with_other_words_shows_nothing() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let page = get_with_notice(&lead, "/plannen", "%3Cb%3Enep%3C%2Fb%3E").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("#melding"), 0);
}

#[tokio::test]
async fn the_matrix_opens_a_cells_form_in_a_row_of_its_own_and_puts_the_saved_cell_back_in_place() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let dashboard = lead.get("/?subregio=zuidoost-utrecht").await;
    let link = format!("#cel-{PLAN}-{GEMEENTE} a.rm-edit-link");
    assert_eq!(
        dashboard.count(&format!(
            "{link}[hx-target='closest tr'][hx-swap='afterend']"
        )),
        1,
        "{}",
        dashboard.body
    );

    let row = lead.get_htmx(&rollout_path()).await;
    assert!(
        row.body.starts_with(&format!(
            "<tr id=\"bewerk-{PLAN}-{GEMEENTE}\" class=\"utrecht-table__row rm-matrix__editrow\">"
        )),
        "{}",
        row.body
    );
    let mut fields = row.form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "geborgd");
    set_field(&mut fields, "date", "2025-10-09");
    let saved = lead.post_htmx(&rollout_path(), fields).await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.header_values("hx-retarget"), ["closest tr"]);
    assert!(
        saved.body.starts_with(&format!(
            "<td id=\"cel-{PLAN}-{GEMEENTE}\" hx-swap-oob=\"true\""
        )),
        "{}",
        saved.body
    );
    assert!(
        saved.body.contains(" autofocus "),
        "focus returns to the cell's edit link"
    );
}

#[tokio::test]
async fn a_cell_without_a_fact_of_its_own_asks_for_a_status_instead_of_choosing_one() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let gemeente: String = sqlx::query_scalar(
        "SELECT id FROM areas WHERE kind = 'gemeente' AND id NOT IN (SELECT gemeente_id FROM rollouts WHERE plan_id = $1) ORDER BY id LIMIT 1",
    )
    .bind(PLAN)
    .fetch_one(app.store.pool())
    .await
    .expect("a gemeente without a cell");
    let path = format!("/plannen/{PLAN}/uitrol/{gemeente}");
    let form = lead.get(&path).await;
    assert!(
        form.text("form.rm-rollout-form")
            .contains("geen eigen status"),
        "{}",
        form.body
    );
    let mut fields = form.form_values("form.rm-rollout-form");
    assert_eq!(
        fields
            .iter()
            .find(|(k, _)| k == "status")
            .map(|(_, v)| v.as_str()),
        Some(""),
        "no status is chosen for the user"
    );
    set_field(&mut fields, "date", "2025-10");
    let before = app.snapshot().await;

    let answer = lead.post_form(&path, fields).await;

    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert!(
        answer
            .text("[id^=fouten]")
            .contains("Status: kies de status van de uitrol in"),
        "{}",
        answer.body
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_error_summary_takes_focus_when_the_page_loads() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead
        .get(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut fields, "date", "gisteren");
    let page = lead.post_form(&rollout_path(), fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.count("[role=alert][tabindex='-1'][autofocus]"),
        1,
        "{}",
        page.body
    );
}

#[tokio::test]
async fn one_form_sets_a_plans_rollout_in_a_whole_subregio_with_one_audited_change_per_cell() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let form = lead
        .get(&format!("/plannen/{PLAN}/uitrol-reeks?subregio={SUBREGIO}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let chosen: Vec<String> = form
        .form_values(BULK_FORM)
        .into_iter()
        .filter(|(k, _)| k == "gemeenten")
        .map(|(_, v)| v)
        .collect();
    let in_subregio: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM areas WHERE kind = 'gemeente' AND parent_id = $1 ORDER BY id",
    )
    .bind(SUBREGIO)
    .fetch_all(app.store.pool())
    .await
    .expect("gemeenten");
    let mut sorted = chosen.clone();
    sorted.sort();
    assert_eq!(sorted, in_subregio, "the subregio's gemeenten come ticked");
    let mut fields = form.form_values(BULK_FORM);
    set_field(&mut fields, "status", "loopt");
    set_field(&mut fields, "date", "2025-11");
    set_field(&mut fields, "source_new", "Regiegroep november 2025");
    let history = app.scalar("SELECT COUNT(*) FROM rollout_history").await;
    let trail = app.audit_count().await;

    let saved = lead
        .post_form(&format!("/plannen/{PLAN}/uitrol-reeks"), fields)
        .await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(notice_set(&saved).as_deref(), Some("uitrol-reeks"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rollout_history").await,
        history + i64::try_from(chosen.len()).expect("count")
    );
    let entries = app.audit_since(trail).await;
    let mut cells: Vec<String> = entries
        .iter()
        .filter(|e| e.field == "status")
        .map(|e| e.area_id.clone().unwrap_or_default())
        .collect();
    cells.sort();
    assert_eq!(
        cells, in_subregio,
        "one status change per cell: {entries:?}"
    );
    assert!(
        entries.iter().all(|e| e.write_id == entries[0].write_id),
        "all in one write"
    );
    for g in &in_subregio {
        let status: String = sqlx::query_scalar(
            "SELECT status FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2",
        )
        .bind(PLAN)
        .bind(g)
        .fetch_one(app.store.pool())
        .await
        .expect("cell");
        assert_eq!(status, "loopt", "{g}");
    }
}

#[tokio::test]
async fn a_bulk_rollout_over_a_cell_someone_changed_meanwhile_stores_nothing() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let admin = app.login_as(Persona::Admin).await;
    let form = lead
        .get(&format!("/plannen/{PLAN}/uitrol-reeks?subregio={SUBREGIO}"))
        .await;
    let mut cell = admin
        .get(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut cell, "status", "nvt");
    set_field(&mut cell, "date", "2025-12");
    set_field(&mut cell, "confirm_date_and_source", "1");
    let first = admin.post_form(&rollout_path(), cell).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let before = app.snapshot().await;
    let mut fields = form.form_values(BULK_FORM);
    set_field(&mut fields, "status", "loopt");
    set_field(&mut fields, "date", "2025-11");

    let answer = lead
        .post_form(&format!("/plannen/{PLAN}/uitrol-reeks"), fields)
        .await;

    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert!(
        answer.text("#fouten").contains("iemand anders"),
        "{}",
        answer.body
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_beheerder_changes_an_accounts_role_and_organisations_and_the_trail_keeps_it() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let reader = app.user_id(Persona::Reader).await;
    let path = format!("/beheer/gebruikers/{reader}/bewerken");
    let form = admin.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("(unicum)"),
        "organisation codes are shown where they are chosen"
    );
    let mut fields = form.form_values("form[action$='/bewerken']");
    set_field(&mut fields, "role", "trekker");
    fields.push(("organisations".into(), "unicum".into()));
    let trail = app.audit_count().await;

    let saved = admin.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let account = app
        .store
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == reader)
        .expect("reader");
    assert_eq!(account.role.code(), "trekker");
    assert_eq!(account.organisations, ["unicum"]);
    let fields: Vec<String> = app
        .audit_since(trail)
        .await
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["role", "organisations"]);
    let now_lead = app.session_for(reader).await;
    assert_eq!(
        now_lead
            .get(&format!("/plannen/{PLAN}/bewerken"))
            .await
            .status,
        StatusCode::OK,
        "the new role holds at once"
    );
}

#[tokio::test]
async fn a_beheerder_cannot_take_away_their_own_role() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let me = app.user_id(Persona::Admin).await;
    let path = format!("/beheer/gebruikers/{me}/bewerken");
    let mut fields = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut fields, "role", "lezer");
    let before = app.snapshot().await;

    let answer = admin.post_form(&path, fields).await;

    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.text("#fout-role").contains("eigen rol"),
        "{}",
        answer.body
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_start_page_draws_the_matrix_for_a_phone_and_for_paper_too() {
    let app = TestApp::with_people().await;
    let page = app.anonymous().get("/").await;
    let gemeenten = page.count(".rm-matrix thead .rm-matrix__gemeente");
    assert_eq!(gemeenten, 24);
    assert_eq!(page.count(".rm-matrix-phone details"), gemeenten);
    assert_eq!(
        page.count(".rm-print-split table"),
        page.count(".rm-matrix thead .rm-matrix__group"),
        "one printed table per subregio"
    );
    let cells = page.count(".rm-matrix td.rm-cell:not(.rm-cell--buiten)");
    let printed_cells = page
        .texts(".rm-print-split td")
        .iter()
        .filter(|t| t.trim() != "–")
        .count();
    assert_eq!(printed_cells, cells, "every cell's status is on paper");
}

#[tokio::test]
async fn the_last_active_beheerder_keeps_the_role() {
    let app = TestApp::with_people().await;
    let admin = app.user_id(Persona::Admin).await;
    let version = app
        .store
        .accounts()
        .await
        .expect("accounts")
        .into_iter()
        .find(|a| a.id == admin)
        .expect("admin")
        .version;
    let before = app.snapshot().await;

    let refused = app
        .store
        .set_user_role(
            &regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Cli),
            admin,
            version,
            regiomonitor::domain::Role::Reader,
            &[],
        )
        .await;

    assert!(
        matches!(refused, Err(regiomonitor::store::StoreError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_accessibility_statement_names_every_checked_page_and_every_page_links_to_it() {
    let app = TestApp::with_people().await;
    let page = app.anonymous().get("/toegankelijkheid").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("main").contains("Nalevingsstatus"));
    let listed = page.count("table tbody tr");
    assert_eq!(
        listed,
        regiomonitor::features::accessibility::pages::checked_pages().len()
    );
    let start = app.anonymous().get("/").await;
    assert_eq!(start.count("footer a[href='/toegankelijkheid']"), 1);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
