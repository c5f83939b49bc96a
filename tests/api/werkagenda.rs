//! The werkagenda and its money: milestones with their periods and status history, budgets per
//! plan × financing source × year with their totals, and capacity; through the forms, the API
//! and the downloads, with versions and the trail.

// Lookups that fail mean the test set-up is wrong; the assertions say what is checked.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::helpers::{PLAN, Persona, TestApp, set_field};

fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_lekstroom_milestones_of_the_second_quarter_of_2025_are_the_ones_whose_period_spans_it()
{
    let app = TestApp::demo().await;

    let answer = app
        .get("/api/v1/milestones?jaar=2025&subregio=lekstroom")
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.headers["x-werkagenda-jaar"], "2025");
    let items = answer.json().as_array().cloned().expect("a list");
    let in_q2: Vec<Value> = items
        .iter()
        .filter(|i| {
            i["first_month"].as_u64().is_some_and(|m| m <= 6)
                && i["last_month"].as_u64().is_some_and(|m| m >= 4)
        })
        .cloned()
        .collect();
    let q2 = titles(&in_q2);
    // A quarter, a range over two quarters and the whole year all span April to June.
    assert!(
        q2.iter()
            .any(|t| t.starts_with("Evaluatie van inspiratiemiddag")),
        "{q2:?}"
    );
    assert!(
        q2.iter().any(|t| t.starts_with("Na evaluatie wonen+")),
        "{q2:?}"
    );
    assert!(q2.iter().any(|t| t.starts_with("Zorg4=")), "{q2:?}");
    // The first quarter does not.
    assert!(
        !q2.iter()
            .any(|t| t.starts_with("Inspiratie- en creatiemiddag")),
        "{q2:?}"
    );
    // Milestones without a period come last, without months.
    let unplaced: Vec<&Value> = items.iter().filter(|i| i["period"] == "onbekend").collect();
    assert!(unplaced.len() > 20, "{}", unplaced.len());
    assert!(unplaced.iter().all(|i| i["first_month"].is_null()));

    // The page shows the same milestones: as bars on the timeline and as rows of the table.
    let page = app.get("/werkagenda?jaar=2025&subregio=lekstroom").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.count("rect.rm-timeline__bar"),
        items.len() - unplaced.len()
    );
    assert_eq!(page.count("table.rm-table--stack tbody tr"), items.len());
    assert!(page.body.contains("Mijlpalen zonder periode"));
    // A period that is a reading of the source says so.
    assert!(page.count(".rm-aanname") >= 1);
    // Colour is never the only cue: every opgave of the legend has a pattern and a letter.
    assert!(page.text(".rm-legend").contains("schuine strepen"));
}

#[tokio::test]
async fn the_werkagenda_filters_by_opgave_plan_and_status_and_refuses_an_unknown_value() {
    let app = TestApp::demo().await;

    let by_theme = app
        .get("/api/v1/milestones?jaar=2025&opgave=gezond-ouder-worden")
        .await
        .json();
    let by_plan = app
        .get("/api/v1/milestones?jaar=2025&plan=lekstroom-wonen-plus")
        .await
        .json();
    let reached = app.get("/api/v1/milestones?status=gehaald").await.json();
    let bad = app.get("/werkagenda?status=klaar").await;

    let by_theme = by_theme.as_array().expect("list");
    assert!(!by_theme.is_empty());
    assert!(
        by_theme
            .iter()
            .all(|i| i["theme_id"] == "gezond-ouder-worden")
    );
    let by_plan = by_plan.as_array().expect("list");
    assert!(!by_plan.is_empty());
    assert!(
        by_plan
            .iter()
            .all(|i| i["plan_id"] == "lekstroom-wonen-plus")
    );
    // No document says a milestone was reached.
    assert_eq!(reached.as_array().map(Vec::len), Some(0));
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("gehaald"), "{}", bad.body);
}

#[tokio::test]
async fn a_trekker_adds_a_milestone_and_moves_it_with_its_history_and_trail() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;

    let made = lead
        .post_form(
            &format!("/plannen/{PLAN}/mijlpalen"),
            [
                ("title", "Start regionaal eerstelijnsnetwerk"),
                ("period", "Q2/3 2027"),
                ("status", "gepland"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let path = made.location().expect("to the milestone").to_owned();
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();

    // Moving it without a new period is refused at the period, in Dutch.
    let page = lead.get(&path).await;
    let mut fields = page.form_values("form[action$='/bewerken']");
    set_field(&mut fields, "status", "verschoven");
    set_field(&mut fields, "status_date", "2027-05");
    let refused = lead
        .post_form(&format!("{path}/bewerken"), fields.clone())
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#fout-period").contains("nieuwe periode"),
        "{}",
        refused.body
    );

    set_field(&mut fields, "period", "najaar 2027");
    set_field(&mut fields, "comment", "Wacht op de subsidie");
    let moved = lead.post_form(&format!("{path}/bewerken"), fields).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);

    let now = app.store.milestone(id).await.unwrap().unwrap();
    assert_eq!((now.status.as_str(), now.version), ("verschoven", 2));
    assert_eq!(now.period.as_deref(), Some("najaar 2027"));
    let steps = app.store.milestone_steps(id).await.unwrap();
    let kept: Vec<(&str, Option<&str>, &str)> = steps
        .iter()
        .map(|s| (s.status.as_str(), s.period.as_deref(), s.date.as_str()))
        .collect();
    assert_eq!(
        kept,
        [
            ("gepland", Some("2027-Q2/2027-Q3"), "onbekend"),
            ("verschoven", Some("najaar 2027"), "2027-05"),
        ]
    );
    // The trail of the plan holds who moved it, from what to what, with the comment.
    let trail = app.audit_entries().await;
    let status = trail
        .iter()
        .find(|a| {
            a.record_type == "milestone"
                && a.field == "status"
                && a.new_value.as_deref() == Some("Verschoven")
        })
        .expect("a trail entry for the status");
    assert_eq!(status.old_value.as_deref(), Some("Gepland"));
    assert_eq!(status.plan_id.as_deref(), Some(PLAN));
    assert_eq!(status.comment.as_deref(), Some("Wacht op de subsidie"));
    // The page shows the history.
    let page = app.get(&path).await;
    assert_eq!(page.count("#milestone-history tbody tr"), 2);

    // A second status change on the old status's date is refused: the date goes with the status.
    let page = lead.get(&path).await;
    let mut fields = page.form_values("form[action$='/bewerken']");
    set_field(&mut fields, "status", "gehaald");
    let refused = lead.post_form(&format!("{path}/bewerken"), fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#fout-status_date").contains("sinds wanneer"),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn a_new_period_ends_the_aanname_about_the_period_and_a_stale_form_is_a_conflict() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let (id,): (i64,) = sqlx::query_as(
        "SELECT id FROM milestones WHERE assumption IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("a milestone whose period is an aanname");
    let path = format!("/mijlpalen/{id}");
    let opened = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");

    let mut note_only = opened.clone();
    set_field(&mut note_only, "note", "Alleen de toelichting");
    let saved = admin
        .post_form(&format!("{path}/bewerken"), note_only)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        app.store
            .milestone(id)
            .await
            .unwrap()
            .unwrap()
            .assumption
            .is_some()
    );

    // The form opened before that save is out of date.
    let mut stale = opened;
    set_field(&mut stale, "period", "2025-05");
    let conflict = admin.post_form(&format!("{path}/bewerken"), stale).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    assert!(conflict.body.contains("Intussen gewijzigd"));

    let mut fresh = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut fresh, "period", "2025-05");
    let saved = admin.post_form(&format!("{path}/bewerken"), fresh).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = app.store.milestone(id).await.unwrap().unwrap();
    assert_eq!(now.assumption, None);
    assert!(
        app.audit_entries()
            .await
            .iter()
            .any(|a| a.record_type == "milestone" && a.field == "assumption")
    );
}

#[tokio::test]
async fn budgets_are_written_in_euro_with_their_sources_and_summed_per_source_year_and_opgave() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;

    let bad = lead
        .post_form(
            &format!("/plannen/{PLAN}/budgetten"),
            [
                ("funding_source", "spuk-iza"),
                ("year", "2026"),
                ("requested", "12,345"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text("#fout-requested").contains("Aangevraagd"),
        "{}",
        bad.body
    );

    let made = lead
        .post_form(
            &format!("/plannen/{PLAN}/budgetten"),
            [
                ("funding_source", "spuk-iza"),
                ("year", "2026"),
                ("state", "toegekend"),
                ("requested", "€ 125.000"),
                ("granted", "100.000,50"),
                ("granted_date", "2026-02"),
                ("granted_source", "jaarplan-2026"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let again = lead
        .post_form(
            &format!("/plannen/{PLAN}/budgetten"),
            [("funding_source", "spuk-iza"), ("year", "2026")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.text("#fout-year").contains("al een budget"),
        "{}",
        again.body
    );

    let budgets = app.store.budgets().await.unwrap();
    let b = budgets
        .iter()
        .find(|b| b.plan_id == PLAN && b.year == 2026)
        .expect("stored");
    assert_eq!(
        (b.requested_cents, b.granted_cents),
        (Some(12_500_000), Some(10_000_050))
    );
    assert_eq!(b.granted_date.as_deref(), Some("2026-02"));
    assert_eq!(b.granted_source_id.as_deref(), Some("jaarplan-2026"));
    let trail = app.audit_entries().await;
    assert!(trail.iter().any(|a| a.record_type == "budget"
        && a.field == "granted"
        && a.new_value.as_deref() == Some("€ 100.000,50")));

    let totals = app.get("/api/v1/budget-totals?jaar=2026").await.json();
    let spuk = totals["per_source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "spuk-iza")
        .expect("a line for SPUK-IZA");
    assert_eq!(spuk["money"]["granted"]["cents"], 10_000_050);
    assert_eq!(spuk["granted_plans"], 1);
    // Every plan once in the grand total; under each of its opgaven per opgave.
    let plans = totals["plans"].as_array().unwrap();
    assert_eq!(totals["total"]["plans"], plans.len());
    let theme_plans: u64 = totals["per_theme"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["plans"].as_u64().unwrap())
        .sum();
    let extra: usize = plans
        .iter()
        .map(|p| p["themes"].as_array().unwrap().len().max(1) - 1)
        .sum();
    assert_eq!(theme_plans as usize, plans.len() + extra);
    assert!(totals["multi_theme_plans"].as_u64().unwrap() > 0);
    let years: Vec<&str> = totals["per_year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(years, ["2025", "2026"]);
    let plan = plans
        .iter()
        .find(|p| p["plan_id"] == PLAN)
        .expect("the plan");
    assert_eq!(plan["secured"], "granted");
}

#[tokio::test]
async fn plans_without_secured_financing_are_told_apart_from_plans_without_a_source() {
    let app = TestApp::demo().await;

    let not_granted = app
        .get("/api/v1/budget-totals?jaar=2026&zeker=niet-toegekend")
        .await
        .json();
    let unfunded = app
        .get("/api/v1/budget-totals?jaar=2026&zeker=ongefinancierd")
        .await
        .json();
    let known = app
        .get("/api/v1/budget-totals?jaar=2026&zeker=bron-bekend")
        .await
        .json();

    let ids = |v: &Value| -> Vec<String> {
        v["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["plan_id"].as_str().unwrap().to_owned())
            .collect()
    };
    // No document grants money for 2026: every plan is without secured financing.
    assert_eq!(
        not_granted["plans"].as_array().unwrap().len(),
        not_granted["total"]["plans"].as_u64().unwrap() as usize
    );
    // A ZOU plan whose cell names SPUK-GALA and Zvw: source known, amount unknown.
    assert!(
        ids(&known).contains(&"gli-volwassenen".to_owned()),
        "{:?}",
        ids(&known)
    );
    // The Lekstroom monitoring names no source, so it is ongefinancierd in 2026.
    assert!(
        ids(&unfunded).contains(&"lekstroom-monitoring".to_owned())
            || ids(&known).contains(&"lekstroom-monitoring".to_owned())
    );
    assert!(ids(&unfunded).iter().all(|p| !ids(&known).contains(p)));
    assert_eq!(
        ids(&not_granted).len(),
        ids(&unfunded).len()
            + ids(&known).len()
            + app
                .get("/api/v1/budget-totals?jaar=2026&zeker=aangevraagd")
                .await
                .json()["plans"]
                .as_array()
                .unwrap()
                .len()
            + app
                .get("/api/v1/budget-totals?jaar=2026&zeker=afgewezen")
                .await
                .json()["plans"]
                .as_array()
                .unwrap()
                .len()
    );

    // The page says it in words, and never shows an unknown amount as € 0.
    let page = app.get("/financiering?jaar=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bron bekend, bedrag onbekend"));
    assert!(page.body.contains("Ongefinancierd: geen bron genoemd"));
    assert!(
        !page.body.contains("€ 0<"),
        "an unknown amount shown as zero"
    );

    // The list of plans is paged; the totals count every plan.
    let second = app
        .get("/financiering?jaar=2026&per_pagina=5&pagina=2")
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.count("#financiering-per-plan tbody tr"), 5);
    assert!(
        second.body.contains("deze pagina toont 6 tot en met 10"),
        "{}",
        second.body
    );
    let total = app.get("/api/v1/budget-totals?jaar=2026").await.json()["total"]["plans"].clone();
    assert!(
        second
            .body
            .contains(&format!("{total} plannen, aangevraagd")),
        "{}",
        second.body
    );
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("a sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

#[tokio::test]
async fn the_downloads_hold_what_the_pages_show_with_typed_cells() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let made = admin
        .post_form(
            &format!("/plannen/{PLAN}/budgetten"),
            [
                ("funding_source", "zvw"),
                ("year", "2025"),
                ("requested", "2.500"),
                ("example", "ja"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);

    let page = app.get("/werkagenda?jaar=2025").await;
    let file = app.get("/werkagenda.xlsx?jaar=2025").await;
    let rows = xlsx_rows(&file.bytes);
    assert_eq!(rows.len() - 1, page.count("table.rm-table--stack tbody tr"));
    assert_eq!(rows[0][0], Data::String("Mijlpaal".into()));
    let csv = app.get("/werkagenda.csv?jaar=2025").await;
    assert_eq!(csv.body.lines().count(), rows.len());

    let page = app.get("/financiering?jaar=2025").await;
    let file = app.get("/financiering.xlsx?jaar=2025").await;
    let rows = xlsx_rows(&file.bytes);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let plans: std::collections::BTreeSet<String> = rows[1..]
        .iter()
        .map(|r| r[col("Pagina")].to_string())
        .collect();
    assert_eq!(plans.len(), page.count("#financiering-per-plan tbody tr"));
    let line = rows[1..]
        .iter()
        .find(|r| r[col("Financieringsbron")].to_string().starts_with("Zvw"))
        .expect("the Zvw line");
    assert_eq!(line[col("Aangevraagd (euro)")], Data::Float(2500.0));
    assert_eq!(line[col("Voorbeeld")], Data::String("ja".into()));
    // The example amount is labelled on the page too.
    assert!(page.body.contains("voorbeeld"));
    let csv = app.get("/financiering.csv?jaar=2025").await;
    assert!(csv.body.contains(";2500;"), "{}", csv.body);
}

#[tokio::test]
async fn a_trekker_gives_the_capacity_of_a_year_once_and_then_saves_it_at_its_version() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let path = format!("/plannen/{PLAN}/capaciteit/2026");

    let bad = lead
        .post_form(
            &path,
            [("version", "0"), ("amount", "veel"), ("assessment", "ruim")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("fout-amount") && bad.body.contains("fout-assessment"));

    let saved = lead
        .post_form(
            &path,
            [
                ("version", "0"),
                ("amount", "1,5"),
                ("unit", "fte"),
                ("assessment", "krap"),
                ("note", "Vacature projectleider"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let twice = lead
        .post_form(&path, [("version", "0"), ("assessment", "voldoende")])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let form = lead.get(&path).await.form_values("form.rm-form");
    let mut form = form;
    set_field(&mut form, "assessment", "voldoende");
    let again = lead.post_form(&path, form).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);

    let stored = app.store.capacities().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (
            stored[0].amount,
            stored[0].assessment.as_deref(),
            stored[0].version
        ),
        (Some(1.5), Some("voldoende"), 2)
    );
    let plan = app.get(&format!("/plannen/{PLAN}")).await;
    assert!(
        plan.text("#financiering ~ p").contains("1,5 fte"),
        "{}",
        plan.text("#financiering ~ p")
    );
    let overview = app.get("/financiering?jaar=2026").await;
    assert!(overview.body.contains("Vacature projectleider"));

    // Someone who does not lead the plan may not.
    let other = app.login_as(Persona::LeadOfOtherPlan).await;
    let refused = other
        .post_form(&path, [("version", "2"), ("assessment", "krap")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_budget_line_keeps_its_aanname_until_its_source_or_year_changes() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM budgets WHERE assumption IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .expect("a budget line with an aanname");
    let path = format!("/budgetten/{id}");
    let page = app.get(&path).await;
    assert!(page.count(".rm-aanname") == 1, "{}", page.body);

    let unchanged = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    let before = app.audit_count().await;
    let saved = admin
        .post_form(&format!("{path}/bewerken"), unchanged)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(app.audit_since(before).await.is_empty());

    // A new state is a new fact about the application; the aanname about its source and year
    // stays.
    let mut state = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut state, "state", "toegekend");
    set_field(&mut state, "state_date", "2025-04");
    let saved = admin.post_form(&format!("{path}/bewerken"), state).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = app.store.budget(id).await.unwrap().unwrap();
    assert_eq!(now.state.as_deref(), Some("toegekend"));
    assert!(now.assumption.is_some());

    let mut year = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut year, "year", "2026");
    let saved = admin.post_form(&format!("{path}/bewerken"), year).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = app.store.budget(id).await.unwrap().unwrap();
    assert_eq!((now.year, now.assumption.as_deref()), (2026, None));
    let trail = app.audit_since(before).await;
    assert!(trail.iter().any(|a| a.field == "assumption"), "{trail:?}");
    assert!(
        trail
            .iter()
            .any(|a| a.field == "state" && a.new_value.as_deref() == Some("Toegekend"))
    );
}

#[tokio::test]
async fn a_new_status_comes_with_its_own_source_and_date() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let (id,): (i64,) = sqlx::query_as(
        "SELECT id FROM milestones WHERE status_source_id IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("a milestone of the demo");
    let path = format!("/mijlpalen/{id}");

    let mut reached = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut reached, "status", "gehaald");
    set_field(&mut reached, "status_date", "2025-06");
    let refused = admin
        .post_form(&format!("{path}/bewerken"), reached.clone())
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#fout-status_source")
            .contains("die van de oude status"),
        "{}",
        refused.body
    );
    set_field(&mut reached, "status_source", "");
    let saved = admin.post_form(&format!("{path}/bewerken"), reached).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = app.store.milestone(id).await.unwrap().unwrap();
    assert_eq!(
        (
            now.status.as_str(),
            now.status_date.as_deref(),
            now.status_source_id
        ),
        ("gehaald", Some("2025-06"), None)
    );

    // A new period alone is a step with an unknown date, not the status's date.
    let mut moved = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut moved, "period", "2025-05");
    let saved = admin.post_form(&format!("{path}/bewerken"), moved).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let steps = app.store.milestone_steps(id).await.unwrap();
    let last = steps.last().expect("a step");
    assert_eq!(
        (last.period.as_deref(), last.date.as_str()),
        (Some("2025-05"), "onbekend")
    );

    // Unknown filters are refused, not answered with an empty page.
    assert_eq!(
        app.get("/werkagenda?plan=bestaat-niet").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/budgets?jaar=2026").await.status,
        StatusCode::BAD_REQUEST
    );
}
