//! One action list: a meeting's actiepunt and a KPI's follow-up action are the same record,
//! listed together, escalated along the ladder the bodies configure (ZOU's and Lekstroom's
//! differ); a trekker records outcomes of items about their plans and updates their own
//! actions; a besluit is withdrawn by a new besluit that undoes its stage, both kept.
// A missing row is a failed test here, said by the panic's line.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;

use crate::helpers::{Client, PLAN, Persona, TestApp, set_field};

const KPI: &str = "mtvp-consultduur";

/// Plans a meeting of `body` on `day` with its agenda vastgesteld and one agenda item about
/// `plan`; returns the meeting's id.
async fn meeting_with_item(
    app: &TestApp,
    admin: &Client,
    body: &str,
    day: &str,
    plan: &str,
) -> String {
    let planned = admin
        .post_form(
            &format!("/overleggen/{body}/vergaderingen"),
            [("day", day), ("status", "agenda-vastgesteld")],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let id = format!("{body}-{day}");
    // The form of a meeting without items offers the plans, KPIs and organisations.
    let page = admin.get(&format!("/vergaderingen/{id}")).await;
    for select in ["plan", "indicator", "organisation"] {
        assert!(
            page.form_select_options(&format!("#veld-punt-{select}"))
                .len()
                > 1,
            "no choices in {select}"
        );
    }
    let added = admin
        .post_form(
            &format!("/vergaderingen/{id}/agendapunten"),
            [
                ("version", version(app, &id).await.as_str()),
                ("title", "Voortgang van het plan"),
                ("plan", plan),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    id
}

async fn version(app: &TestApp, meeting: &str) -> String {
    app.store
        .meeting(meeting)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string()
}

#[tokio::test]
async fn a_meeting_actiepunt_is_an_action_in_the_one_list_and_lies_with_the_body() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let id = meeting_with_item(&app, &admin, "regiegroep-zou", "2026-02-12", PLAN).await;
    let given = admin
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version(&app, &id).await.as_str()),
                ("number", "1"),
                ("kind", "actiepunt"),
                ("text", "Een voorstel voor de opschaling maken."),
                ("owner", "trekker"),
                ("owner_organisation", "unicum"),
                ("due", "2020-03-31"),
            ],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);

    // The same record as a KPI's follow-up action: in the one list, with its origin, over
    // tijd, lying with the regiegroep, about the item's plan.
    let all = admin.get("/api/v1/actions").await.json();
    let action = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["meeting_id"] == id.as_str())
        .expect("the actiepunt is an action")
        .clone();
    assert_eq!(action["body_id"], "regiegroep-zou");
    assert_eq!(action["level"], "regiegroep");
    assert_eq!(action["plan_id"], PLAN);
    assert_eq!(action["owner_organisation_id"], "unicum");
    assert_eq!(action["deadline"], "2020-03-31");
    assert_eq!(action["item_number"], 1);
    assert!(action["indicator_id"].is_null());
    let list = admin.get("/acties?herkomst=vergadering").await;
    let row = list
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains("Een voorstel voor de opschaling"))
        .expect("listed");
    assert!(row.contains("Regiegroep"), "{row}");
    assert!(row.contains("over tijd"), "{row}");
    assert!(
        row.contains("Vergadering Regiegroep ZOU Verbonden"),
        "{row}"
    );
    let kpi_only = admin.get("/acties?herkomst=kpi").await;
    assert!(!kpi_only.body.contains("Een voorstel voor de opschaling"));
    // The body's page: "ligt bij dit overleg", overdue flagged.
    let body = admin.get("/overleggen/regiegroep-zou").await;
    assert!(body.text("#acties ~ p").contains("over tijd"));
    assert!(body.body.contains("Een voorstel voor de opschaling"));
    // The meeting links the actiepunt to its action.
    let meeting = admin.get(&format!("/vergaderingen/{id}")).await;
    let outcome = meeting.text(".rm-outcome--actiepunt");
    assert!(outcome.contains("uiterlijk 31 maart 2020"), "{outcome}");
    assert!(outcome.contains("over tijd"), "{outcome}");
    // The download has the same row.
    let csv = admin.get("/acties.csv?herkomst=vergadering").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Een voorstel voor de opschaling maken."));

    // A visitor sees it only once the verslag is vastgesteld.
    let visitor = app.anonymous();
    let hidden = visitor.get("/api/v1/actions").await.json();
    assert!(
        !hidden
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["meeting_id"] == id.as_str())
    );
    let address = format!("/acties/{}", action["id"]);
    assert_eq!(visitor.get(&address).await.status, StatusCode::NOT_FOUND);
    for page in [
        format!("/plannen/{PLAN}"),
        "/wijzigingen?van=2020-01-01&per_pagina=500".to_owned(),
        "/api/v1/changes?van=2020-01-01&per_pagina=500".to_owned(),
        "/overleggen/regiegroep-zou".to_owned(),
        "/".to_owned(),
    ] {
        let body = visitor.get(&page).await.body;
        assert!(
            !body.contains("Een voorstel voor de opschaling"),
            "{page} shows the actiepunt"
        );
    }
    let fixed = admin
        .post_form(
            &format!("/vergaderingen/{id}/bewerken"),
            [
                ("version", version(&app, &id).await.as_str()),
                ("day", "2026-02-12"),
                ("status", "verslag-vastgesteld"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    assert_eq!(visitor.get(&address).await.status, StatusCode::OK);

    // The trekker of the owning organisation updates their own action; another trekker may not.
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut fields = lead
        .get(&address)
        .await
        .form_values(&format!("form[action='{address}/bewerken']"));
    assert!(!fields.is_empty(), "the owner's trekker gets the form");
    set_field(&mut fields, "status", "afgerond");
    let saved = lead.post_form(&format!("{address}/bewerken"), fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let other = app.login_as(Persona::LeadOfOtherPlan).await;
    let refused = other
        .post_form(
            &format!("{address}/bewerken"),
            [
                ("version", "2"),
                ("title", "Niet van mij"),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let stored = app
        .store
        .action(action["id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, "afgerond");
    assert_eq!(stored.deadline.as_deref(), Some("2020-03-31"), "kept");
}

#[tokio::test]
async fn an_action_escalates_along_its_own_regions_ladder_only() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    // A follow-up action that starts at a ZOU werkgroep.
    let created = admin
        .post_form(
            &format!("/indicatoren/{KPI}/acties"),
            [
                ("title", "Extra versnellingssessie"),
                ("owner", "trekker MTVP"),
                ("deadline", "2027-03-31"),
                ("status", "open"),
                ("body", "werkgroep-eerstelijn-sociale-basis"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let address = created.location().unwrap().to_owned();
    let page = admin.get(&address).await;
    // The ladder above it, nearest first: kernteam, regiegroep, BBO; nothing of Lekstroom.
    let targets: Vec<(String, String)> = page.form_select_options(&format!(
        "form[action='{address}/escaleren'] select[name=to]"
    ));
    let ids: Vec<&str> = targets.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(ids, ["kernteam-zou-iza", "regiegroep-zou", "bbo-zou"]);
    assert!(page.text("main").contains("Ladder"));

    // Sideways to a Lekstroom body is refused with the ladder's bodies named; nothing changes.
    let before = app.snapshot().await;
    let version = page.form_values(&format!("form[action='{address}/escaleren']"));
    let mut sideways = version.clone();
    set_field(&mut sideways, "to", "programmateam-iza-lekstroom");
    set_field(&mut sideways, "reason", "Mis");
    let refused = admin
        .post_form(&format!("{address}/escaleren"), sideways)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text(".utrecht-alert, .rm-error-summary")
            .contains("Kernteam ZOU - IZA"),
        "{}",
        refused.text("main")
    );
    assert_eq!(app.snapshot().await, before);

    // One rung up: the kernteam's page has it; then it cannot go back down.
    let mut up = version;
    set_field(&mut up, "to", "kernteam-zou-iza");
    set_field(
        &mut up,
        "reason",
        "De werkgroep kan de capaciteit niet zelf regelen",
    );
    let escalated = admin.post_form(&format!("{address}/escaleren"), up).await;
    assert_eq!(
        escalated.status,
        StatusCode::SEE_OTHER,
        "{}",
        escalated.body
    );
    let kernteam = admin.get("/overleggen/kernteam-zou-iza").await;
    assert!(kernteam.body.contains("Extra versnellingssessie"));
    let page = admin.get(&address).await;
    let ids: Vec<String> = page
        .form_select_options(&format!(
            "form[action='{address}/escaleren'] select[name=to]"
        ))
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    assert_eq!(ids, ["regiegroep-zou", "bbo-zou"]);

    // Lekstroom's ladder is its own, and an aanname with its reason.
    let lekstroom = admin
        .get("/overleggen/werkgroep-mentale-gezondheid-lekstroom")
        .await;
    assert!(
        lekstroom
            .body
            .contains("href=\"/overleggen/programmateam-iza-lekstroom\"")
    );
    assert!(lekstroom.count(".rm-aanname") >= 1);
    let top = admin
        .get("/overleggen/bestuurlijke-werkplaats-lekstroom")
        .await;
    assert!(top.text("main").contains("hoogste overleg van de ladder"));
}

#[tokio::test]
async fn a_trekker_records_outcomes_of_items_about_their_plans_only() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let id = meeting_with_item(&app, &admin, "kernteam-zou-iza", "2026-03-05", PLAN).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let page = lead.get(&format!("/vergaderingen/{id}")).await;
    assert_eq!(
        page.count(&format!("form[action='/vergaderingen/{id}/uitkomsten']")),
        1
    );
    assert_eq!(
        page.count("select[name=decision_plan]"),
        0,
        "no stage for a trekker"
    );
    let recorded = lead
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version(&app, &id).await.as_str()),
                ("number", "1"),
                ("kind", "informatie"),
                (
                    "text",
                    "De trekker meldt dat de pilot loopt (https://voorbeeld.nl/pilot).",
                ),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    // A web address in an outcome is a link; the text around it stays text.
    let page = lead.get(&format!("/vergaderingen/{id}")).await;
    assert_eq!(
        page.count(".rm-outcome a[href='https://voorbeeld.nl/pilot']"),
        1
    );
    assert!(
        page.text(".rm-outcome")
            .contains("de pilot loopt (https://voorbeeld.nl/pilot).")
    );

    let before = app.snapshot().await;
    // Not a stage besluit, and not on another trekker's item.
    let stage = lead
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version(&app, &id).await.as_str()),
                ("number", "1"),
                ("kind", "besluit"),
                ("text", "Goedgekeurd."),
                ("decision_plan", PLAN),
                ("decision_stage", "tp-goedgekeurd"),
            ],
        )
        .await;
    assert_eq!(stage.status, StatusCode::FORBIDDEN);
    let other = app.login_as(Persona::LeadOfOtherPlan).await;
    assert_eq!(
        other
            .get(&format!("/vergaderingen/{id}"))
            .await
            .count(&format!("form[action='/vergaderingen/{id}/uitkomsten']")),
        0
    );
    let refused = other
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version(&app, &id).await.as_str()),
                ("number", "1"),
                ("kind", "informatie"),
                ("text", "Niet mijn punt."),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn withdrawing_a_besluit_gives_the_plan_its_stage_back_and_keeps_both() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let plan = "utrechtse-zorgfabriek";
    let stage_before = app.store.stored_plan(plan).await.unwrap().unwrap().stage;
    let first = meeting_with_item(&app, &admin, "regiegroep-zou", "2026-02-12", plan).await;
    let decided = admin
        .post_form(
            &format!("/vergaderingen/{first}/uitkomsten"),
            [
                ("version", version(&app, &first).await.as_str()),
                ("number", "1"),
                ("kind", "besluit"),
                ("text", "Het transformatieplan is goedgekeurd."),
                ("decision_plan", plan),
                ("decision_stage", "tp-goedgekeurd"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let second = meeting_with_item(&app, &admin, "regiegroep-zou", "2026-04-09", plan).await;
    let key = format!("{first}/1/1");

    // An earlier meeting cannot withdraw it; an informatie cannot either.
    let early = meeting_with_item(&app, &admin, "bbo-zou", "2026-01-15", plan).await;
    let page = admin.get(&format!("/vergaderingen/{early}")).await;
    assert!(!page.body.contains(&format!("value=\"{key}\"")));
    let before = app.snapshot().await;
    let not_a_besluit = admin
        .post_form(
            &format!("/vergaderingen/{second}/uitkomsten"),
            [
                ("version", version(&app, &second).await.as_str()),
                ("number", "1"),
                ("kind", "informatie"),
                ("text", "Ingetrokken."),
                ("withdraws", key.as_str()),
            ],
        )
        .await;
    assert_eq!(not_a_besluit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_a_besluit
            .body
            .contains("href=\"#veld-uitkomst-withdraws\"")
    );
    assert_eq!(app.snapshot().await, before);

    let withdrawn = admin
        .post_form(
            &format!("/vergaderingen/{second}/uitkomsten"),
            [
                ("version", version(&app, &second).await.as_str()),
                ("number", "1"),
                ("kind", "besluit"),
                ("text", "Het besluit van februari wordt ingetrokken."),
                ("withdraws", key.as_str()),
            ],
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    // The plan has its stage back, dated on the second meeting's day.
    let stored = app.store.stored_plan(plan).await.unwrap().unwrap();
    assert_eq!(stored.stage, stage_before);
    let detail = admin.get(&format!("/api/v1/plans/{plan}")).await.json();
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["date"] == "2026-04-09"),
        "{detail}"
    );
    // Both besluiten are kept; the first is marked withdrawn, in the list and the API.
    let list = admin.get(&format!("/besluiten?plan={plan}")).await;
    assert_eq!(list.count("tbody tr"), 2);
    assert!(list.text("tbody").contains("Ingetrokken"));
    let api = admin
        .get(&format!(
            "/api/v1/decisions?overleg=regiegroep-zou&plan={plan}"
        ))
        .await
        .json();
    let rows = api.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let original = rows
        .iter()
        .find(|d| d["meeting_id"] == first.as_str())
        .unwrap();
    assert_eq!(original["withdrawn_by"]["meeting_id"], second.as_str());
    let withdrawal = rows
        .iter()
        .find(|d| d["meeting_id"] == second.as_str())
        .unwrap();
    assert_eq!(withdrawal["withdraws"]["meeting_id"], first.as_str());
    let meeting = admin.get(&format!("/vergaderingen/{first}")).await;
    assert!(meeting.text(".rm-outcome--besluit").contains("Ingetrokken"));

    // A besluit is withdrawn once.
    let before = app.snapshot().await;
    let again = admin
        .post_form(
            &format!("/vergaderingen/{second}/uitkomsten"),
            [
                ("version", version(&app, &second).await.as_str()),
                ("number", "1"),
                ("kind", "besluit"),
                ("text", "Nog eens ingetrokken."),
                ("withdraws", key.as_str()),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text("main").contains("al ingetrokken"));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_next_regiegroep_takes_up_its_open_escalations_and_the_quarterly_report() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let created = admin
        .post_form(
            &format!("/indicatoren/{KPI}/acties"),
            [
                ("title", "Capaciteit huisartsen"),
                ("owner", "trekker MTVP"),
                ("deadline", "2027-03-31"),
                ("status", "open"),
                ("body", "werkgroep-eerstelijn-sociale-basis"),
            ],
        )
        .await;
    let address = created.location().unwrap().to_owned();
    let action_id = address.trim_start_matches("/acties/").to_owned();
    let mut fields = admin
        .get(&address)
        .await
        .form_values(&format!("form[action='{address}/escaleren']"));
    set_field(&mut fields, "to", "regiegroep-zou");
    set_field(&mut fields, "reason", "Vraagt om sturing");
    let escalated = admin
        .post_form(&format!("{address}/escaleren"), fields)
        .await;
    assert_eq!(
        escalated.status,
        StatusCode::SEE_OTHER,
        "{}",
        escalated.body
    );

    let planned = admin
        .post_form(
            "/overleggen/regiegroep-zou/vergaderingen",
            [("day", "2026-12-17"), ("status", "concept-agenda")],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let id = "regiegroep-zou-2026-12-17";
    let page = admin.get(&format!("/vergaderingen/{id}")).await;
    // The form offers the escalation that lies with the regiegroep.
    assert_eq!(
        page.count(&format!("input[name=actions][value='{action_id}']")),
        1
    );
    let round = app.store.rounds().await.unwrap()[0].period.clone();
    let added = admin
        .post_form(
            &format!("/vergaderingen/{id}/agendapunten"),
            [
                ("version", version(&app, id).await.as_str()),
                ("title", "Kwartaalrapportage en escalaties"),
                ("round", round.as_str()),
                ("indicator", KPI),
                ("actions", action_id.as_str()),
                (
                    "attachments",
                    "Kwartaalrapportage https://voorbeeld.nl/rapportage.pdf",
                ),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = admin.get(&format!("/vergaderingen/{id}")).await;
    let item = page.text("#punt-1");
    assert!(item.contains("Capaciteit huisartsen"), "{item}");
    assert!(page.body.contains(&format!("href=\"/rondes/{round}\"")));
    assert!(page.body.contains(&format!("href=\"/indicatoren/{KPI}\"")));
    assert!(
        page.body
            .contains("href=\"https://voorbeeld.nl/rapportage.pdf\"")
    );
    let json = admin.get(&format!("/api/v1/meetings/{id}")).await.json();
    assert_eq!(json["agenda"][0]["rounds"][0], round.as_str());
    assert_eq!(
        json["agenda"][0]["actions"][0],
        action_id.parse::<i64>().unwrap()
    );
    assert_eq!(json["agenda"][0]["indicators"][0], KPI);

    // An unknown round is refused at its field and stores nothing.
    let before = app.snapshot().await;
    let refused = admin
        .post_form(
            &format!("/vergaderingen/{id}/agendapunten"),
            [
                ("version", version(&app, id).await.as_str()),
                ("title", "Rapportage"),
                ("round", "1999-Q1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("href=\"#veld-punt-round\""),
        "{}",
        refused.text("main")
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_demo_actiepunten_are_open_as_an_aanname_until_someone_says_otherwise() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let actions = app
        .store
        .actions_of_meeting("bbo-zou-2025-10-09")
        .await
        .unwrap();
    assert_eq!(actions.len(), 2);
    let address = format!("/acties/{}", actions[0].id);
    let page = admin.get(&address).await;
    let note = page.text("[role=note]:has(h2)");
    assert!(
        note.contains("Status") && note.contains("aangenomen"),
        "{note}"
    );
    let mut fields = page.form_values(&format!("form[action='{address}/bewerken']"));
    set_field(&mut fields, "status", "afgerond");
    let saved = admin
        .post_form(&format!("{address}/bewerken"), fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get(&address).await;
    assert!(!page.text("main").contains("aangenomen"));
}
