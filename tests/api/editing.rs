//! Editing plans and rollout cells through the forms: messages per field, conflicts, htmx.

use axum::http::StatusCode;

use crate::helpers::{GEMEENTE, PLAN, Persona, TestApp, set_field};

const EDIT_FORM: &str = "form[action$='/bewerken']";

fn edit_path() -> String {
    format!("/plannen/{PLAN}/bewerken")
}

fn rollout_path() -> String {
    format!("/plannen/{PLAN}/uitrol/{GEMEENTE}")
}

#[tokio::test]
async fn an_invalid_plan_form_is_refused_with_dutch_messages_per_field_and_keeps_what_was_typed() {
    let app = TestApp::with_people().await;
    let browser = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = browser.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut fields, "name", "");
    set_field(
        &mut fields,
        "about",
        "Een nieuwe omschrijving die niet verloren mag gaan.",
    );
    set_field(&mut fields, "stage", "tp-goedgekeurd");
    set_field(&mut fields, "stage_date", "9 oktober");
    set_field(&mut fields, "stage_source_new", "BBO 9 oktober 2025");
    let before = app.snapshot().await;

    let page = browser.post_form(&edit_path(), fields).await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let messages = page.texts("#fouten li");
    assert!(
        messages.iter().any(|m| m.starts_with("Naam: ")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Datum van de fase: ")),
        "{messages:?}"
    );
    assert!(page.text("#fout-name").starts_with("Naam: "));
    assert!(
        page.text("#fout-stage_date")
            .starts_with("Datum van de fase: ")
    );
    assert_eq!(
        page.text("#veld-about"),
        "Een nieuwe omschrijving die niet verloren mag gaan."
    );
    assert_eq!(page.value("#veld-stage_date").as_deref(), Some("9 oktober"));
    assert_eq!(
        page.value("#veld-stage_source_new").as_deref(),
        Some("BBO 9 oktober 2025")
    );
    assert_eq!(
        page.value("#veld-stage option[selected]").as_deref(),
        Some("tp-goedgekeurd")
    );
    assert!(
        page.value("input[name=leads][value=unicum][checked]")
            .is_some(),
        "the chosen lead stays ticked"
    );
    assert_eq!(app.snapshot().await, before, "nothing is stored");
}

#[tokio::test]
async fn the_second_of_two_editors_gets_a_conflict_page_with_both_versions_and_nothing_is_stored() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut first = admin.get(&edit_path()).await.form_values(EDIT_FORM);
    let mut second = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut first, "about", "Tekst van de beheerder.");
    set_field(&mut second, "about", "Tekst van de trekker.");

    let saved = admin.post_form(&edit_path(), first).await;
    let before = app.snapshot().await;
    let conflict = lead.post_form(&edit_path(), second).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    let about_row = conflict
        .texts("table.rm-diff tr")
        .into_iter()
        .find(|r| r.starts_with("Waar gaat het over"))
        .expect("the row of the changed field");
    assert!(about_row.contains("verschilt"), "{about_row}");
    assert!(about_row.contains("Tekst van de trekker."), "{about_row}");
    assert!(about_row.contains("Tekst van de beheerder."), "{about_row}");
    assert!(
        conflict.text("[role=alert]").contains("Bea Beheer"),
        "the page says who saved in between"
    );
    assert_eq!(app.snapshot().await, before, "nothing is stored");
    let stored = app
        .store
        .stored_plan(PLAN)
        .await
        .expect("plan")
        .expect("plan");
    assert_eq!(
        stored.fields.texts.about.as_deref(),
        Some("Tekst van de beheerder.")
    );
}

#[tokio::test]
async fn saving_my_version_anyway_from_the_conflict_page_overwrites_on_purpose() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut first = admin.get(&edit_path()).await.form_values(EDIT_FORM);
    let mut second = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut first, "about", "Tekst van de beheerder.");
    set_field(&mut second, "about", "Tekst van de trekker.");
    admin.post_form(&edit_path(), first).await;
    let conflict = lead.post_form(&edit_path(), second).await;

    let again = conflict.form_values("form[action$='/bewerken']");
    let saved = lead.post_form(&edit_path(), again).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = app
        .store
        .stored_plan(PLAN)
        .await
        .expect("plan")
        .expect("plan");
    assert_eq!(
        stored.fields.texts.about.as_deref(),
        Some("Tekst van de trekker.")
    );
    assert_eq!(stored.fields.leads, vec!["unicum".to_owned()]);
}

#[tokio::test]
async fn a_rollout_cell_form_for_htmx_is_a_fragment_without_the_page_around_it() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;

    let fragment = lead.get_htmx(&rollout_path()).await;

    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
    assert!(!fragment.body.contains("<header"), "{}", fragment.body);
    assert_eq!(fragment.count("form.rm-rollout-form[hx-post]"), 1);
    let full = lead.get(&rollout_path()).await;
    assert!(full.body.contains("<html"));
    assert_eq!(
        full.count("form.rm-rollout-form:not([hx-post])"),
        1,
        "on its own page the form posts normally and returns where it came from"
    );
}

#[tokio::test]
async fn saving_a_rollout_cell_with_htmx_returns_the_cell_with_its_new_status() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead
        .get_htmx(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "geborgd");
    set_field(&mut fields, "date", "2025-10-09");
    let history_before = app.scalar("SELECT COUNT(*) FROM rollout_history").await;

    let cell = lead.post_htmx(&rollout_path(), fields).await;

    assert_eq!(cell.status, StatusCode::OK, "{}", cell.body);
    assert!(!cell.body.contains("<html"), "{}", cell.body);
    assert_eq!(cell.text(".rm-cell__label"), "Geborgd");
    assert_eq!(cell.text(".rm-saved"), "opgeslagen");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rollout_history").await,
        history_before + 1
    );
}

#[tokio::test]
async fn an_invalid_rollout_cell_with_htmx_shows_the_form_again_with_its_message() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead
        .get_htmx(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut fields, "date", "gisteren");
    let before = app.snapshot().await;

    let answer = lead.post_htmx(&rollout_path(), fields).await;

    assert!(!answer.body.contains("<html"), "{}", answer.body);
    assert!(
        answer
            .text("[id^=\"fout-u-\"][id$=\"-date\"]")
            .starts_with("Sinds (datum): ")
    );
    assert_eq!(
        answer.value("[id^=\"veld-u-\"][id$=\"-date\"]").as_deref(),
        Some("gisteren")
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_rollout_cell_saved_by_someone_else_in_between_is_a_conflict() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut first = admin
        .get(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    let mut second = lead
        .get(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut first, "status", "loopt");
    set_field(&mut first, "date", "2025-10-09");
    set_field(&mut second, "status", "nvt");
    set_field(&mut second, "date", "2025-11");
    admin.post_form(&rollout_path(), first).await;
    let before = app.snapshot().await;

    let answer = lead.post_form(&rollout_path(), second).await;

    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    let message = answer.text("[id^=\"fout-u-\"][id$=\"-status\"]");
    assert!(message.contains("nu: Loopt"), "{message}");
    assert_eq!(app.snapshot().await, before);
}

/// Parses an answer that is a table cell (`<td>`), which HTML parsers drop outside a table.
fn as_cell(page: &crate::helpers::Page) -> scraper::Html {
    scraper::Html::parse_document(&format!("<table><tr>{}</tr></table>", page.body))
}

#[tokio::test]
async fn a_cell_saved_with_htmx_replaces_the_whole_cell_so_its_colour_follows_the_new_status() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead
        .get_htmx(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "geborgd");
    set_field(&mut fields, "date", "2025-10-09");
    set_field(&mut fields, "note", "Alle LSV's doen mee.");

    let cell = lead.post_htmx(&rollout_path(), fields).await;

    assert_eq!(cell.status, StatusCode::OK, "{}", cell.body);
    let html = as_cell(&cell);
    let td = html
        .select(&scraper::Selector::parse("td.rm-cell").expect("selector"))
        .next()
        .unwrap_or_else(|| panic!("the answer is a whole cell: {}", cell.body));
    let class = td.value().attr("class").unwrap_or_default();
    assert!(class.contains("rm-cell--geborgd"), "{class}");
    assert_eq!(
        td.value().attr("title"),
        Some("Versterken eerstelijn, Zeist: Geborgd: Alle LSV's doen mee.")
    );
    assert_eq!(
        cell.headers
            .get("hx-retarget")
            .and_then(|v| v.to_str().ok()),
        Some("closest tr"),
        "the row the form opened in goes; the cell comes back by its id"
    );
    assert_eq!(
        cell.headers.get("hx-reswap").and_then(|v| v.to_str().ok()),
        Some("outerHTML")
    );
}

#[tokio::test]
async fn an_htmx_save_after_the_session_expired_says_so_in_the_cell_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let fields = lead
        .get_htmx(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    let now = regiomonitor::store::now_unix();
    app.store
        .age_session(&lead.session_hash(), now - 3 * 3600, now - 3 * 3600)
        .await
        .expect("aged");
    let before = app.snapshot().await;

    let answer = lead.post_htmx(&rollout_path(), fields).await;

    // htmx only swaps successful answers: the message must come as one to be seen.
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(!answer.body.contains("<html"), "{}", answer.body);
    assert!(
        answer
            .text("[role=alert]")
            .contains("Uw sessie is verlopen"),
        "{}",
        answer.body
    );
    assert_eq!(answer.count("a[href^='/inloggen']"), 1);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_sign_in_link_after_an_expired_htmx_save_returns_to_the_page_the_cell_is_on() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let fields = lead
        .get_htmx(&rollout_path())
        .await
        .form_values("form.rm-rollout-form");
    app.store
        .age_session(&lead.session_hash(), 0, 0)
        .await
        .expect("aged");

    let answer = lead
        .post_raw(
            &rollout_path(),
            fields,
            &[
                ("hx-request", "true"),
                (
                    "hx-current-url",
                    "http://localhost:3000/?subregio=lekstroom",
                ),
            ],
        )
        .await;

    let link = answer
        .html()
        .select(&scraper::Selector::parse("a[href^='/inloggen']").expect("selector"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a sign-in link");
    let back: String =
        url::form_urlencoded::parse(link.split_once('?').expect("query").1.as_bytes())
            .find(|(k, _)| k == "terug")
            .map(|(_, v)| v.into_owned())
            .expect("terug");
    assert_eq!(back, "/?subregio=lekstroom");
}

#[tokio::test]
async fn an_htmx_edit_form_for_someone_without_the_right_says_why_in_the_cell() {
    let app = TestApp::with_people().await;
    let other = app.login_as(Persona::LeadOfOtherPlan).await;

    let answer = other.get_htmx(&rollout_path()).await;

    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(!answer.body.contains("<html"));
    assert!(answer.text("[role=alert]").contains("niet wijzigen"));
    assert_eq!(
        other.get(&rollout_path()).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn every_id_on_the_edit_forms_is_unique_so_each_label_ticks_its_own_box() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;

    for path in [
        edit_path(),
        "/plannen/nieuw".to_owned(),
        rollout_path(),
        "/account".to_owned(),
        "/beheer/gebruikers".to_owned(),
    ] {
        let page = admin.get(&path).await;
        let html = page.html();
        let mut seen = std::collections::BTreeMap::new();
        for e in html.select(&scraper::Selector::parse("[id]").expect("selector")) {
            *seen
                .entry(e.value().attr("id").unwrap_or_default().to_owned())
                .or_insert(0) += 1;
        }
        let doubles: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(doubles.is_empty(), "{path}: {doubles:?}");
        for label in html.select(&scraper::Selector::parse("label[for]").expect("selector")) {
            let target = label.value().attr("for").unwrap_or_default();
            assert!(
                seen.contains_key(target),
                "{path}: label for missing #{target}"
            );
        }
    }
}

#[tokio::test]
async fn a_beheerder_creates_a_plan_through_the_form_with_its_first_stage_in_the_trail() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let mut fields = admin
        .get("/plannen/nieuw")
        .await
        .form_values("form[action='/plannen']");
    set_field(&mut fields, "name", "Samen sterk in de wijk");
    set_field(&mut fields, "area", "zuidoost-utrecht");
    set_field(&mut fields, "stage_date", "2025-10-09");
    fields.push(("leads".into(), "unicum".into()));
    let before = app.audit_count().await;

    let created = admin.post_form("/plannen", fields).await;

    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location(), Some("/plannen/samen-sterk-in-de-wijk"));
    let stored = app
        .store
        .stored_plan("samen-sterk-in-de-wijk")
        .await
        .expect("plan")
        .expect("created");
    assert_eq!(stored.fields.leads, vec!["unicum".to_owned()]);
    let new = app.audit_since(before).await;
    let fields: Vec<_> = new.iter().map(|r| r.field.as_str()).collect();
    assert!(fields.contains(&"record"), "{fields:?}");
    assert!(fields.contains(&"stage"), "{fields:?}");
    assert!(new.iter().all(|r| r.actor.as_deref() == Some("Bea Beheer")));
    let page = app.get("/plannen/samen-sterk-in-de-wijk").await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn a_second_plan_with_the_same_name_is_refused_on_its_id() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let mut fields = admin
        .get("/plannen/nieuw")
        .await
        .form_values("form[action='/plannen']");
    set_field(&mut fields, "name", "Versterken eerstelijn");
    set_field(&mut fields, "area", "zuidoost-utrecht");
    let before = app.snapshot().await;

    let page = admin.post_form("/plannen", fields).await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.text("#fout-id").starts_with("Id: "),
        "{}",
        page.text("#fouten")
    );
    assert_eq!(
        page.value("#veld-name").as_deref(),
        Some("Versterken eerstelijn")
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_plan_cannot_come_to_fall_under_itself_through_another_plan() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    // First put another plan under this one, then try the reverse.
    let child = "kind-naar-gezonder-gewicht";
    let mut fields = admin
        .get(&format!("/plannen/{child}/bewerken"))
        .await
        .form_values(EDIT_FORM);
    set_field(&mut fields, "parent", PLAN);
    let saved = admin
        .post_form(&format!("/plannen/{child}/bewerken"), fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mut fields = admin.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut fields, "parent", child);
    let before = app.snapshot().await;

    let page = admin.post_form(&edit_path(), fields).await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.text("#fout-parent").starts_with("Valt onder: "),
        "{}",
        page.text("#fouten")
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_unknown_plan_or_gemeente_in_a_form_address_is_a_404() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;

    assert_eq!(
        admin.get("/plannen/bestaat-niet/bewerken").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .get(&format!("/plannen/{PLAN}/uitrol/GM9999"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .post_form(
                "/plannen/bestaat-niet/archief",
                [("version", "1"), ("archived", "1")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
