//! Facts with their precision and their basis: a choice the documents do not state shows as
//! "aanname" at its value and in the API, a user's new value ends it (the trail keeps its
//! reason), and a date is shown as precisely as its source gives it.

use axum::http::{Method, StatusCode};
use regiomonitor::import::Bundle;
use serde_json::json;

use crate::helpers::{GEMEENTE, PLAN, Persona, TestApp, set_field};

const PRINCIPLES_REASON: &str = "Afgeleid uit de plaats van het plan in \"Plannen geplot op de beweging\" (jaarplan 2026); die tekst noemt zelf geen principe.";

fn edit_path() -> String {
    format!("/plannen/{PLAN}/bewerken")
}

/// The trekker of PLAN saves its edit form as `change` leaves it; returns the plan's JSON.
async fn save_plan_form(
    app: &TestApp,
    change: impl FnOnce(&mut Vec<(String, String)>),
) -> serde_json::Value {
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead
        .get(&edit_path())
        .await
        .form_values("form[action$='/bewerken']");
    change(&mut fields);
    let saved = lead.post_form(&edit_path(), fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.get(&format!("/api/v1/plans/{PLAN}")).await.json()
}

/// A beheerder saves the KPI extra-rtas with one field of its form changed; returns its JSON.
async fn save_kpi_field(app: &TestApp, field: &str, value: &str) -> serde_json::Value {
    let admin = app.login_as(Persona::Admin).await;
    let path = "/indicatoren/extra-rtas/bewerken";
    let mut fields = admin
        .get(path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut fields, field, value);
    let saved = admin.post_form(path, fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.get("/api/v1/indicators/extra-rtas").await.json()
}

#[tokio::test]
async fn an_aanname_shows_at_its_value_on_the_plan_page_and_in_the_api() {
    let app = TestApp::demo().await;

    let page = app.get(&format!("/plannen/{PLAN}")).await;
    let api = app.get(&format!("/api/v1/plans/{PLAN}")).await.json();

    let principles = page
        .texts(".rm-facts dd")
        .into_iter()
        .find(|d| d.starts_with("Hulp waar nodig"))
        .expect("the principles of the plan");
    assert_eq!(
        principles,
        format!("Hulp waar nodig aanname {PRINCIPLES_REASON}")
    );
    assert_eq!(api["assumptions"]["principles"], PRINCIPLES_REASON);
    assert!(
        api["assumptions"].get("themes").is_none(),
        "the opgave of the plan is stated"
    );
}

#[tokio::test]
async fn a_kpi_shows_which_of_its_fields_are_aannames() {
    let app = TestApp::demo().await;

    let api = app
        .get("/api/v1/indicators/extra-rtas")
        .await
        .json()
        .get("indicator")
        .cloned()
        .expect("indicator");

    assert_eq!(api["target_value"], 9.0);
    let assumed: Vec<&str> = api["assumptions"]
        .as_object()
        .expect("assumptions")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        assumed,
        ["area_level", "frequency", "kind", "plans", "target_period"]
    );
    assert!(
        api["owner_organisation_id"].is_null(),
        "no document names an owner"
    );
}

#[tokio::test]
async fn saving_a_plan_without_touching_its_principles_keeps_their_aanname() {
    let app = TestApp::with_people().await;

    let api = save_plan_form(&app, |fields| {
        set_field(fields, "about", "Een nieuwe tekst over het plan.");
    })
    .await;
    assert_eq!(api["about"], "Een nieuwe tekst over het plan.");
    assert_eq!(api["assumptions"]["principles"], PRINCIPLES_REASON);
}

#[tokio::test]
async fn a_new_principle_ends_the_aanname_and_the_trail_keeps_its_reason() {
    let app = TestApp::with_people().await;

    let api = save_plan_form(&app, |fields| {
        fields.retain(|(k, v)| !(k == "framework" && v == "hulp"));
        fields.push(("framework".into(), "voorkomen".into()));
    })
    .await;
    assert!(api["assumptions"].get("principles").is_none(), "{api}");
    let page = app.get(&format!("/plannen/{PLAN}")).await;
    assert!(
        page.texts(".rm-facts dd")
            .iter()
            .any(|d| d == "Voorkomen waar mogelijk"),
        "the principle the trekker chose is shown without aanname"
    );
    let kept = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE record_id = '{PLAN}' AND field = 'principles'
               AND old_value = 'aanname: ' || (SELECT '{}')
               AND new_value = 'geen aanname meer: de waarde is gewijzigd'",
            PRINCIPLES_REASON.replace('\'', "''")
        ))
        .await;
    assert_eq!(kept, 1, "the trail keeps the reason the aanname had");
}

#[tokio::test]
async fn a_beheerder_who_sets_a_kpis_frequency_ends_only_that_aanname() {
    let app = TestApp::with_people().await;

    let api = save_kpi_field(&app, "frequency", "jaar").await;

    let assumptions = &api["indicator"]["assumptions"];
    assert!(assumptions.get("frequency").is_none(), "{assumptions}");
    assert!(assumptions.get("target_period").is_some(), "{assumptions}");
    assert!(assumptions.get("area_level").is_some(), "{assumptions}");
}

#[test]
fn an_aanname_on_an_unknown_or_empty_field_or_without_reason_is_refused() {
    let plan = r#"
[[plan]]
id = "proefplan"
naam = "Proefplan"
soort = "project"
gebied = "zuidoost-utrecht"
bron = "zou-2025"

[plan.aannames]
kleur = "Geen veld."
ouder = "Er is geen ouder."
soort = " "
"#;
    let bundle = Bundle::demo().with_file("extra.toml", plan);

    let problems: Vec<String> = match bundle.check() {
        Ok(_) => panic!("the bundle should have been refused"),
        Err(p) => p.0.iter().map(|p| p.message.clone()).collect(),
    };

    assert_eq!(
        problems,
        [
            "aannames: \"kleur\" is geen veld van dit record; gebruik de naam van een veld dat het record heeft",
            "aannames: het veld ouder is leeg; een aanname hoort bij een ingevulde waarde, laat het veld anders leeg zonder aanname",
            "aannames: geef bij soort de reden van de aanname",
        ]
    );
}

#[tokio::test]
async fn a_source_known_to_the_year_shows_its_year_and_no_made_up_day() {
    let app = TestApp::demo().await;

    let page = app.get("/bronnen").await;

    let text = page.text("main");
    assert!(text.contains("Regioplan Midden-Nederland"), "{text}");
    assert!(!text.contains("1 januari"), "{text}");
    let api = app.get("/api/v1/sources").await.json();
    let regioplan = api
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "regioplan-2023"))
        .expect("the regioplan");
    assert_eq!(regioplan["date"], "2023");
}

#[tokio::test]
async fn a_cell_dated_to_a_season_keeps_that_precision_on_the_page_and_in_the_api() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let path = format!("/api/v1/plans/{PLAN}/rollouts/{GEMEENTE}");

    let saved = lead
        .send_json(
            Method::PUT,
            &path,
            &json!({"version": 0, "status": "gepland", "date": "Najaar 2025"}),
        )
        .await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let api = app.get(&format!("/api/v1/plans/{PLAN}")).await.json();
    let cell = api["rollouts"]
        .as_array()
        .and_then(|r| r.iter().find(|c| c["gemeente_id"] == GEMEENTE))
        .expect("the cell");
    assert_eq!(cell["date"], "najaar 2025");
    let page = app.get(&format!("/plannen/{PLAN}")).await;
    let row = page
        .texts("#uitrol ~ .rm-table-scroll table tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Zeist"))
        .expect("the row of Zeist");
    assert!(row.contains("najaar 2025"), "{row}");
}

#[tokio::test]
async fn a_date_that_is_no_date_is_refused_with_the_forms_to_use() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let before = app.snapshot().await;

    let refused = lead
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{PLAN}/rollouts/{GEMEENTE}"),
            &json!({"version": 0, "status": "gepland", "date": "binnenkort"}),
        )
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("najaar 2025") && refused.body.contains("onbekend"),
        "{}",
        refused.body
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_edit_forms_list_the_aannames_a_save_would_keep_or_end() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;

    let plan = admin.get(&edit_path()).await;
    let kpi = admin.get("/indicatoren/extra-rtas/bewerken").await;

    assert_eq!(
        plan.texts("[role=note] dt"),
        [
            "Nieuw of doorontwikkeling",
            "Overzicht plannen",
            "Leidende principes"
        ]
    );
    assert_eq!(plan.texts("[role=note] dd")[2], PRINCIPLES_REASON);
    assert_eq!(
        kpi.texts("[role=note] dt"),
        [
            "Soort",
            "Streefperiode",
            "Plannen",
            "Frequentie",
            "Meetniveau"
        ]
    );
}

#[tokio::test]
async fn a_new_target_value_keeps_the_aanname_on_the_target_year() {
    let app = TestApp::with_people().await;

    let api = save_kpi_field(&app, "target", "10").await;

    assert_eq!(api["indicator"]["target_value"], 10.0);
    assert!(
        api["indicator"]["assumptions"]
            .get("target_period")
            .is_some(),
        "the year 2026 is still the same choice: {}",
        api["indicator"]["assumptions"]
    );
}

#[tokio::test]
async fn a_note_on_a_cell_keeps_its_date_source_and_aanname_and_a_new_status_ends_the_aanname_in_the_trail()
 {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = "/plannen/buurt-als-ecosysteem/uitrol/GM0352";
    let cell = || async {
        let api = app.get("/api/v1/plans/buurt-als-ecosysteem").await.json();
        api["rollouts"]
            .as_array()
            .and_then(|r| r.iter().find(|c| c["gemeente_id"] == "GM0352").cloned())
            .expect("the cell of Wijk bij Duurstede")
    };
    let mut fields = admin.get(path).await.form_values("form.rm-rollout-form");
    set_field(&mut fields, "note", "Een nieuwe toelichting.");

    let noted = admin.post_form(path, fields).await;

    assert_eq!(noted.status, StatusCode::SEE_OTHER, "{}", noted.body);
    let after_note = cell().await;
    assert_eq!(after_note["date"], "najaar 2025");
    assert_eq!(after_note["source_id"], "zou-2025");
    assert!(after_note["assumption"].is_string(), "{after_note}");

    let mut fields = admin.get(path).await.form_values("form.rm-rollout-form");
    set_field(&mut fields, "status", "loopt");
    set_field(&mut fields, "date", "2026-Q1");
    set_field(&mut fields, "source", "");
    set_field(&mut fields, "source_new", "Regiegroep 12 maart 2026");
    let moved = admin.post_form(path, fields).await;

    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert!(cell().await["assumption"].is_null());
    let kept = app
        .scalar(
            "SELECT COUNT(*) FROM audit_log WHERE record_id = 'buurt-als-ecosysteem/GM0352'
               AND old_value LIKE 'aanname: %' AND new_value = 'geen aanname meer: de waarde is gewijzigd'",
        )
        .await;
    assert_eq!(kept, 1);
}

#[tokio::test]
async fn the_plan_list_the_organisation_page_and_the_gemeente_page_mark_an_aanname_too() {
    let app = TestApp::demo().await;

    let list = app.get("/plannen").await;
    let zeist = app.get("/organisaties/gemeente-zeist").await;
    let wijk_bij_duurstede = app.get("/gemeenten/GM0352").await;

    let row = list
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.starts_with("Kansrijke Start ") && r.contains("Zuidoost Utrecht"))
        .expect("the row of Kansrijke Start in Zuidoost Utrecht");
    assert!(row.ends_with("Gemeente Zeist aanname"), "{row}");
    let led = zeist
        .texts("li")
        .into_iter()
        .find(|l| l.starts_with("Kansrijke Start"))
        .expect("Kansrijke Start among the plans Zeist leads");
    assert!(led.ends_with("aanname"), "{led}");
    assert!(
        wijk_bij_duurstede
            .texts("tbody tr")
            .iter()
            .any(|r| r.starts_with("Buurt als Ecosysteem") && r.contains("aanname Het document")),
        "the cell of Buurt als Ecosysteem carries its aanname"
    );
}
