//! A beheerder adds and edits KPI definitions through the forms.

use axum::http::StatusCode;

use crate::helpers::{Persona, TestApp, set_field};

#[tokio::test]
async fn a_beheerder_adds_a_kpi_with_a_target_and_a_tussendoel() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let form = admin.get("/indicatoren/nieuw").await;
    assert_eq!(form.status, StatusCode::OK);
    let mut fields = form.form_values("form[action='/indicatoren']");
    for (k, v) in [
        ("name", "Wachttijd ggz"),
        ("unit", "weken"),
        ("direction", "lager"),
        ("baseline", "14"),
        ("baseline_period", "2024"),
        ("target", "8"),
        ("target_period", "2026"),
        ("milestones", "2025: 11"),
        ("frequency", "kwartaal"),
        ("area_level", "subregio"),
    ] {
        set_field(&mut fields, k, v);
    }
    fields.push(("plans".into(), "netwerk-mentale-gezondheid".into()));

    let created = admin.post_form("/indicatoren", fields).await;

    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location(), Some("/indicatoren/wachttijd-ggz"));
    let page = app.get("/indicatoren/wachttijd-ggz").await;
    let facts = page.text("dl.rm-facts");
    assert!(facts.contains("14 weken in 2024"), "{facts}");
    assert!(facts.contains("8 weken in 2026"), "{facts}");
    assert!(facts.contains("11 weken in 2025"), "{facts}");
    let stored = app
        .store
        .indicator("wachttijd-ggz")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(stored.plans, ["netwerk-mentale-gezondheid"]);
}

#[tokio::test]
async fn a_quantitative_kpi_without_a_direction_is_refused_naming_the_field() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.store.indicators().await.expect("read").len();
    let mut fields = admin
        .get("/indicatoren/nieuw")
        .await
        .form_values("form[action='/indicatoren']");
    set_field(&mut fields, "name", "Zonder richting");
    set_field(&mut fields, "direction", "");
    set_field(&mut fields, "milestones", "volgend jaar veel");

    let answer = admin.post_form("/indicatoren", fields).await;

    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text("#fout-direction").starts_with("Richting:"));
    assert!(answer.text("#fout-milestones").contains("2025-Q4: 13"));
    assert_eq!(
        answer.value("#veld-name").as_deref(),
        Some("Zonder richting")
    );
    assert_eq!(app.store.indicators().await.expect("read").len(), before);
}

#[tokio::test]
async fn saving_a_kpi_opened_before_someone_else_saved_it_shows_a_conflict_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = "/indicatoren/mtvp-consultduur/bewerken";
    let mut mine = admin
        .get(path)
        .await
        .form_values("form[action$='/bewerken']");
    let mut theirs = mine.clone();
    set_field(&mut theirs, "unit", "minuten per consult");
    assert_eq!(
        admin.post_form(path, theirs).await.status,
        StatusCode::SEE_OTHER
    );

    set_field(&mut mine, "owner_role", "iemand anders");
    let answer = admin.post_form(path, mine).await;

    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.text("[role=alert]").contains("Intussen gewijzigd"));
    let stored = app
        .store
        .indicator("mtvp-consultduur")
        .await
        .expect("read")
        .expect("kpi");
    assert_eq!(stored.unit.as_deref(), Some("minuten per consult"));
    assert_ne!(stored.owner_role.as_deref(), Some("iemand anders"));
}

#[tokio::test]
async fn a_trekker_may_not_change_a_kpi_definition() {
    let app = TestApp::with_people().await;
    let trekker = app.login_as(Persona::LeadOfPlan).await;
    assert_eq!(
        trekker
            .get("/indicatoren/mtvp-consultduur/bewerken")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
