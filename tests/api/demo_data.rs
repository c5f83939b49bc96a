//! The demo data holds the facts of the source documents; these tests check specific facts
//! per plan, through the pages and the API a user sees.

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

async fn plan(app: &TestApp, id: &str) -> Value {
    let page = app.get(&format!("/api/v1/plans/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "plan {id}: {}", page.body);
    page.json()
}

fn rollout<'a>(plan: &'a Value, gemeente: &str) -> Option<&'a Value> {
    plan["rollouts"]
        .as_array()?
        .iter()
        .find(|r| r["gemeente_id"] == gemeente)
}

#[tokio::test]
async fn every_plan_of_the_zou_document_is_there_with_its_table_row() {
    let app = TestApp::demo().await;
    let ids = [
        "versterken-eerstelijn",
        "gala-ketenaanpakken",
        "kansrijke-start",
        "kind-naar-gezonder-gewicht",
        "gli-volwassenen",
        "welzijn-op-recept",
        "valpreventie",
        "middelenpreventie-jongeren",
        "van-zorgen-voor-naar-samen-doen",
        "palliatieve-zorg",
        "mtvp",
        "utrechtse-zorgfabriek",
        "netwerk-mentale-gezondheid",
        "steunsystemen",
        "zorginnovaties-thuiszorg",
        "coordinatiepunt-wijkverpleging",
        "buurt-als-ecosysteem",
        "kortdurend-verblijf-grz",
        "digitalisering",
    ];

    for id in ids {
        let p = plan(&app, id).await;
        assert_eq!(p["source_id"], "zou-2025", "{id}");
        assert!(p["status_text"].is_string(), "{id} has no status cell");
        assert!(p["about"].is_string(), "{id} has no 'waar gaat het over'");
    }
}

#[tokio::test]
async fn buurt_als_ecosysteem_has_the_table_row_of_the_zou_document() {
    let app = TestApp::demo().await;

    let p = plan(&app, "buurt-als-ecosysteem").await;

    assert_eq!(p["name"], "Buurt als Ecosysteem");
    assert_eq!(p["lead_text"], "Santé namens wijk-alliantie");
    assert_eq!(p["status_text"], "Snelle toets goedgekeurd, TP goedgekeurd");
    assert_eq!(p["financing_text"], "IZA - TP");
    assert!(
        p["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|l| l["url"] == "https://debuurtalsecosysteem.nl/")
    );
}

#[tokio::test]
async fn buurt_als_ecosysteem_runs_in_wijk_bij_duurstede_only() {
    let app = TestApp::demo().await;

    let p = plan(&app, "buurt-als-ecosysteem").await;

    assert_eq!(
        rollout(&p, "GM0352").expect("Wijk bij Duurstede")["status"],
        "opstart"
    );
    for other in ["GM0312", "GM0310", "GM1581", "GM0355"] {
        assert_eq!(
            rollout(&p, other).expect("other ZOU gemeente")["status"],
            "niet-gestart",
            "{other}"
        );
    }
}

#[tokio::test]
async fn the_wijk_bij_duurstede_page_shows_buurt_als_ecosysteem_starting_with_its_source() {
    let app = TestApp::demo().await;

    let page = app.get("/gemeenten/GM0352").await;

    let html = page.html();
    let row_sel = scraper::Selector::parse("tbody tr").expect("selector");
    let row = html
        .select(&row_sel)
        .find(|r| r.text().any(|t| t.contains("Buurt als Ecosysteem")))
        .expect("a row for Buurt als Ecosysteem");
    let text: String = row.text().collect();
    assert!(text.contains("Opstart"), "{text}");
    assert!(text.contains("De Kracht van Samen"), "{text}");
}

#[tokio::test]
async fn the_dashboard_cell_of_buurt_als_ecosysteem_in_wijk_bij_duurstede_says_opstart() {
    let app = TestApp::demo().await;

    let page = app.get("/?subregio=zuidoost-utrecht").await;

    let html = page.html();
    let row_sel = scraper::Selector::parse("table.rm-matrix tbody tr").expect("selector");
    let cell_sel = scraper::Selector::parse("td.rm-cell").expect("selector");
    let columns = page.texts("th.rm-matrix__gemeente");
    let wbd = columns
        .iter()
        .position(|c| c == "Wijk bij Duurstede")
        .expect("column");
    let row = html
        .select(&row_sel)
        .find(|r| r.text().any(|t| t == "Buurt als Ecosysteem"))
        .expect("row");
    let cells: Vec<_> = row.select(&cell_sel).collect();
    assert_eq!(
        cells[wbd].value().attr("class"),
        Some("utrecht-table__cell rm-cell rm-cell--opstart")
    );
    // The document says the implementation starts after the summer: an aanname, marked so.
    assert_eq!(cells[wbd].text().collect::<String>(), "◔Opstart aanname");
}

#[tokio::test]
async fn netwerk_mentale_gezondheid_was_approved_under_conditions_and_then_approved_by_the_bbo() {
    let app = TestApp::demo().await;

    let p = plan(&app, "netwerk-mentale-gezondheid").await;

    let history = p["history"].as_array().expect("history");
    assert_eq!(history[0]["date"], "2025-09-05");
    assert_eq!(history[0]["stage"], "tp-ingediend");
    assert_eq!(history[0]["source_id"], "zou-2025");
    assert!(
        history[0]["note"]
            .as_str()
            .expect("note")
            .contains("onder voorbehoud goedgekeurd")
    );
    // Approved after the ZOU document and by the BBO: a stretch of time, not a day.
    assert_eq!(history[1]["date"], "2025-09-05/2025-10-09");
    assert_eq!(history[1]["stage"], "tp-goedgekeurd");
    assert_eq!(history[1]["source_id"], "bbo-2025-10-09");
}

#[tokio::test]
async fn the_plan_page_shows_the_history_with_dates_in_words_and_sources() {
    let app = TestApp::demo().await;

    let page = app.get("/plannen/netwerk-mentale-gezondheid").await;

    let rows = page.texts("#historie + .rm-table-scroll table tbody tr");
    assert!(
        rows.iter().any(
            |r| r.starts_with("5 september 2025 Fase: Transformatieplan ingediend")
                && r.contains("De Kracht van Samen")
        ),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with(
            "5 september 2025 t/m 9 oktober 2025 Fase: Transformatieplan goedgekeurd"
        ) && r.contains("Breed Bestuurlijk Overleg")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_verkennend_gesprek_of_netwerk_mentale_gezondheid_started_in_zeist() {
    let app = TestApp::demo().await;

    let p = plan(&app, "netwerk-mentale-gezondheid").await;

    let zeist = rollout(&p, "GM0355").expect("Zeist");
    assert_eq!(zeist["status"], "opstart");
    assert_eq!(zeist["source_id"], "bbo-2025-10-09");
}

#[tokio::test]
async fn the_gala_chain_approaches_hang_under_one_parent_shown_on_both_pages() {
    let app = TestApp::demo().await;

    let child = plan(&app, "kansrijke-start").await;
    let parent_page = app.get("/plannen/gala-ketenaanpakken").await;
    let child_page = app.get("/plannen/kansrijke-start").await;

    assert_eq!(child["parent_id"], "gala-ketenaanpakken");
    assert_eq!(child["kind"], "gala-ketenaanpak");
    assert!(
        parent_page
            .texts("ul.rm-list li a")
            .contains(&"Kansrijke Start".to_owned())
    );
    assert!(child_page.text("nav.rm-breadcrumb").contains("GALA"));
}

#[tokio::test]
async fn region_wide_plans_of_midden_nederland_are_filed_under_the_region() {
    let app = TestApp::demo().await;

    let grz = plan(&app, "kortdurend-verblijf-grz").await;

    assert_eq!(grz["area_id"], "midden-nederland");
}

#[tokio::test]
async fn lekstroom_rollouts_follow_the_werkagenda() {
    let app = TestApp::demo().await;

    let plans = app
        .get("/api/v1/plans?alles=1&subregio=lekstroom")
        .await
        .json();

    let plans = plans.as_array().expect("array");
    let status_in = |gemeente: &str, name_part: &str| -> Vec<String> {
        plans
            .iter()
            .filter(|p| {
                p["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(name_part)
            })
            .filter_map(|p| {
                rollout(p, gemeente).map(|r| r["status"].as_str().unwrap_or_default().to_owned())
            })
            .collect()
    };
    // The werkagenda says both "start in Houten" and "De leerwerkplaats die er in Houten is";
    // the demo follows the second, as an aanname.
    assert_eq!(status_in("GM0321", "leerwerkplaats"), ["loopt"], "Houten");
    assert_eq!(status_in("GM0356", "wonen plus"), ["loopt"], "Nieuwegein");
    assert_eq!(
        status_in("GM0353", "steunsystemen"),
        ["gepland"],
        "IJsselstein"
    );
}

#[tokio::test]
async fn the_lekstroom_werkagenda_milestones_are_on_the_plan_pages() {
    let app = TestApp::demo().await;

    let plans = app
        .get("/api/v1/plans?alles=1&subregio=lekstroom")
        .await
        .json();

    let milestones: usize = plans
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["milestones"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(milestones >= 40, "{milestones} milestones");
    let with_period = plans
        .as_array()
        .expect("array")
        .iter()
        .flat_map(|p| p["milestones"].as_array().cloned().unwrap_or_default())
        .filter(|m| m["period"].is_string())
        .count();
    assert!(with_period > 0);
}

#[tokio::test]
async fn every_plan_rollout_and_stage_change_names_its_source() {
    let app = TestApp::demo().await;

    let plans = app.get("/api/v1/plans?alles=1").await.json();

    for p in plans.as_array().expect("array") {
        assert!(p["source_id"].is_string(), "plan {} has no source", p["id"]);
        for r in p["rollouts"].as_array().expect("rollouts") {
            assert!(
                r["source_id"].is_string(),
                "a rollout of {} has no source",
                p["id"]
            );
        }
        for h in p["history"].as_array().expect("history") {
            assert!(
                h["source_id"].is_string(),
                "a stage change of {} has no source",
                p["id"]
            );
        }
    }
}

#[tokio::test]
async fn the_jaarplan_2026_adds_its_plans_with_their_source() {
    let app = TestApp::demo().await;

    for id in [
        "arbeidsmarkt",
        "digitale-inclusie",
        "hervormingsagenda-jeugd",
        "toegang-wijkverpleging-so",
        "vergroten-zelfregie",
    ] {
        let p = plan(&app, id).await;
        assert_eq!(p["source_id"], "jaarplan-2026", "{id}");
    }
    let arbeidsmarkt = plan(&app, "arbeidsmarkt").await;
    assert_eq!(arbeidsmarkt["area_id"], "midden-nederland");
    assert!(
        arbeidsmarkt["framework"]
            .as_array()
            .expect("framework")
            .contains(&Value::from("arbeidsmarkt"))
    );
}

#[tokio::test]
async fn the_governance_bodies_of_zou_verbonden_are_there() {
    let app = TestApp::demo().await;

    let bodies = app.get("/api/v1/bodies").await.json();

    let names: Vec<_> = bodies
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("Breed Bestuurlijk Overleg")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("Regiegroep")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.starts_with("Kernteam")), "{names:?}");
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("Tactische werkgroep"))
            .count(),
        4,
        "{names:?}"
    );
}
