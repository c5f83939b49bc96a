//! The overview tells the truth in one look: working areas, cells that follow their plan (and
//! say so), counts that keep a gemeente's own facts apart, "since the BBO" by the date a
//! change took effect, late-recorded changes marked, and the portfolio on a peildatum.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Persona, TestApp};

const ZEIST: &str = "GM0355";
const HOUTEN: &str = "GM0321";
const AMERSFOORT: &str = "GM0307";
const UTRECHT: &str = "GM0344";
const NMG: &str = "netwerk-mentale-gezondheid";
const KANSRIJKE_START: &str = "kansrijke-start";
const FABRIEK: &str = "utrechtse-zorgfabriek";

/// A save of the plan the API showed as `plan` (its version, name, kind and area) with `changes`.
fn save_of(plan: &Value, changes: Value) -> Value {
    let mut input = json!({
        "version": plan["version"],
        "name": plan["name"],
        "kind": plan["kind"],
        "area_id": plan["area_id"],
    });
    for (key, value) in changes.as_object().expect("an object") {
        input[key] = value.clone();
    }
    input
}

/// The class list of the matrix cell of a plan in a gemeente on a start page.
fn cell_classes(page: &crate::helpers::Page, plan: &str, gemeente: &str) -> Vec<String> {
    let html = page.html();
    let row = scraper::Selector::parse("table.rm-matrix tbody tr").expect("selector");
    let link = scraper::Selector::parse("th a").expect("selector");
    let head = scraper::Selector::parse("th.rm-matrix__gemeente a").expect("selector");
    let cell = scraper::Selector::parse("td.rm-cell").expect("selector");
    let columns: Vec<String> = html
        .select(&head)
        .filter_map(|a| a.value().attr("href"))
        .map(|h| {
            h.trim_start_matches("/gemeenten/")
                .split('?')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let index = columns
        .iter()
        .position(|c| c == gemeente)
        .unwrap_or_else(|| panic!("no column {gemeente} in {columns:?}"));
    let tr = html
        .select(&row)
        .find(|tr| {
            tr.select(&link)
                .next()
                .and_then(|a| a.value().attr("href"))
                .is_some_and(|h| h.trim_start_matches("/plannen/").split('?').next() == Some(plan))
        })
        .unwrap_or_else(|| panic!("no row for {plan}"));
    let td = tr.select(&cell).nth(index).expect("cell");
    td.value().classes().map(str::to_owned).collect()
}

/// The numbers of a gemeente's row in the counts table: lopend in de gemeente, loopt via het
/// plan, gepland.
fn counts_of(page: &crate::helpers::Page, gemeente: &str) -> (usize, usize, usize) {
    let html = page.html();
    let row = scraper::Selector::parse("table.rm-gcounts tbody tr").expect("selector");
    let name = scraper::Selector::parse("th.rm-gcounts__name a").expect("selector");
    let n = scraper::Selector::parse("td.rm-gcounts__n").expect("selector");
    let tr = html
        .select(&row)
        .find(|tr| {
            tr.select(&name)
                .next()
                .and_then(|a| a.value().attr("href"))
                .is_some_and(|h| h.contains(gemeente))
        })
        .unwrap_or_else(|| panic!("no counts for {gemeente}"));
    let numbers: Vec<usize> = tr
        .select(&n)
        .map(|td| {
            td.text()
                .collect::<String>()
                .trim()
                .parse()
                .expect("a number")
        })
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

#[tokio::test]
async fn zeist_shows_the_running_zou_plans_as_running_via_the_plan_not_as_its_own_facts() {
    let app = TestApp::demo().await;

    let page = app.get("/").await;

    assert_eq!(page.status, StatusCode::OK);
    // Kansrijke Start runs in ZOU; no source names Zeist: the cell follows the plan.
    let kansrijke = cell_classes(&page, KANSRIJKE_START, ZEIST);
    assert!(
        kansrijke.contains(&"rm-cell--volgt".to_owned()),
        "{kansrijke:?}"
    );
    assert!(
        kansrijke.contains(&"rm-cell--lopend".to_owned()),
        "{kansrijke:?}"
    );
    // The BBO named Zeist for NMG: a fact of the gemeente itself.
    let nmg = cell_classes(&page, NMG, ZEIST);
    assert!(nmg.contains(&"rm-cell--opstart".to_owned()), "{nmg:?}");
    assert!(!nmg.contains(&"rm-cell--volgt".to_owned()), "{nmg:?}");
    let (own, via_plan, planned) = counts_of(&page, ZEIST);
    assert!(own >= 1, "lopend in de gemeente: {own}");
    assert!(via_plan >= 8, "loopt via het plan: {via_plan}");
    assert!(planned >= 1, "gepland: {planned}");
    // The gemeente page counts the same way and says "volgt plan" at the plan.
    let gemeente = app.get(&format!("/gemeenten/{ZEIST}")).await;
    let stats = gemeente.texts(".rm-stats li");
    assert!(
        stats.contains(&format!("{own} lopend in de gemeente")),
        "{stats:?}"
    );
    assert!(
        stats.contains(&format!("{via_plan} loopt via het plan")),
        "{stats:?}"
    );
    assert!(gemeente.count(".rm-status--volgt") >= via_plan);
}

#[tokio::test]
async fn a_plan_with_four_working_areas_runs_in_their_gemeenten_and_not_elsewhere() {
    let app = TestApp::demo().await;

    let plan = app.get(&format!("/api/v1/plans/{FABRIEK}")).await.json();
    let page = app.get("/").await;

    assert_eq!(
        plan["work_areas"],
        json!([
            "zuidoost-utrecht",
            "lekstroom",
            "utrecht-stad",
            "utrecht-west"
        ])
    );
    assert!(cell_classes(&page, FABRIEK, HOUTEN).contains(&"rm-cell--volgt".to_owned()));
    assert!(cell_classes(&page, FABRIEK, UTRECHT).contains(&"rm-cell--volgt".to_owned()));
    assert!(cell_classes(&page, FABRIEK, AMERSFOORT).contains(&"rm-cell--buiten".to_owned()));
    // Utrecht's plans include it; Kansrijke Start (ZOU only) is not one of them.
    let utrecht = app
        .get(&format!("/api/v1/plans?alles=1&gemeente={UTRECHT}"))
        .await
        .json();
    let ids: Vec<&str> = utrecht
        .as_array()
        .expect("plans")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert!(ids.contains(&FABRIEK), "{ids:?}");
    assert!(!ids.contains(&KANSRIJKE_START), "{ids:?}");
    // The Lekstroom filter finds it through its working area.
    let lekstroom = app
        .get("/api/v1/plans?alles=1&subregio=lekstroom")
        .await
        .json();
    assert!(
        lekstroom
            .as_array()
            .expect("plans")
            .iter()
            .any(|p| p["id"] == FABRIEK)
    );
}

#[tokio::test]
async fn a_beheerder_changes_the_working_areas_and_the_trail_keeps_the_old_ones() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let mut body = app
        .get(&format!("/api/v1/plans/{KANSRIJKE_START}"))
        .await
        .json();
    let input = save_of(
        &body,
        json!({"work_areas": ["zuidoost-utrecht", "eemland"]}),
    );

    let saved = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{KANSRIJKE_START}"),
            &input,
        )
        .await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    body = app
        .get(&format!("/api/v1/plans/{KANSRIJKE_START}"))
        .await
        .json();
    assert_eq!(body["work_areas"], json!(["zuidoost-utrecht", "eemland"]));
    let page = app.get("/").await;
    assert!(
        cell_classes(&page, KANSRIJKE_START, AMERSFOORT).contains(&"rm-cell--volgt".to_owned())
    );
    let trail = app
        .scalar(
            "SELECT COUNT(*) FROM audit_log WHERE plan_id = 'kansrijke-start' AND field = 'work_areas'",
        )
        .await;
    assert_eq!(trail, 1);

    // An area that is a wijk is refused, naming the key.
    let wrong = save_of(&body, json!({"work_areas": ["wbd-de-engk"]}));
    let refused = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{KANSRIJKE_START}"),
            &wrong,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["fields"][0]["field"], "work_areas");
}

/// Every change of a plan in the changes answer.
fn changes_of<'a>(answer: &'a Value, plan: &str) -> Vec<&'a Value> {
    answer["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .filter(|p| p["plan_id"] == plan)
        .flat_map(|p| p["changes"].as_array().expect("changes").iter())
        .collect()
}

#[tokio::test]
async fn since_the_bbo_of_9_october_2025_holds_the_nmg_approval_and_not_the_import() {
    let app = TestApp::demo().await;

    let answer = app
        .get("/api/v1/changes?sinds=bbo-2025-10-09&tot=2026-01-31")
        .await
        .json();

    let nmg = changes_of(&answer, NMG);
    let approval = nmg
        .iter()
        .find(|c| c["kind"] == "stage")
        .expect("the NMG stage change");
    assert_eq!(approval["old"], "Transformatieplan ingediend");
    assert_eq!(approval["new"], "Transformatieplan goedgekeurd");
    assert_eq!(approval["source_id"], "bbo-2025-10-09");
    // The minutes date it between 5 September and 9 October: maybe after the BBO's start.
    assert_eq!(approval["uncertain"], true);
    assert!(
        nmg.iter()
            .any(|c| c["kind"] == "rollout" && c["new"] == "Opstart"),
        "{nmg:?}"
    );
    // Nothing the import created is a change, and no step dated before the BBO is listed.
    let all: Vec<&Value> = answer["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .flat_map(|p| p["changes"].as_array().expect("changes").iter())
        .chain(answer["other"].as_array().expect("other").iter())
        .collect();
    assert!(all.iter().all(|c| c["kind"] != "edit"), "{all:?}");
    assert!(
        all.iter().all(|c| c["effective_date"] != "2025-09-05"),
        "{all:?}"
    );
    // The page says the same, with "mogelijk" at the approval.
    let page = app
        .get("/wijzigingen?sinds=bbo-2025-10-09&tot=2026-01-31")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.texts("h2 a")
            .contains(&"Netwerk Mentale Gezondheid".to_owned())
    );
    assert!(page.texts(".rm-flag").contains(&"mogelijk".to_owned()));
}

#[tokio::test]
async fn a_stage_change_recorded_after_it_took_effect_is_marked_nagekomen() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let body = app
        .get(&format!("/api/v1/plans/{KANSRIJKE_START}"))
        .await
        .json();
    let input = save_of(
        &body,
        json!({"stage_change": {"stage": "geborgd", "date": "2025-11", "source_id": "bbo-2025-10-09"}}),
    );

    let saved = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{KANSRIJKE_START}"),
            &input,
        )
        .await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let answer = app
        .get("/api/v1/changes?van=2025-11-01&tot=2025-11-30")
        .await
        .json();
    let change = changes_of(&answer, KANSRIJKE_START)
        .into_iter()
        .find(|c| c["kind"] == "stage")
        .cloned()
        .expect("the stage change");
    assert_eq!(change["new"], "Geborgd");
    assert_eq!(change["effective_label"], "november 2025");
    assert!(change["late"].is_string(), "{change}");
    assert!(change["recorded_at"].is_string(), "{change}");
    // The plan's history says when it was entered, and that it came late.
    let plan = app.get(&format!("/plannen/{KANSRIJKE_START}")).await;
    let rows = plan.texts("#historie ~ .rm-table-scroll table tbody tr");
    assert!(
        rows.iter().any(|r| r.contains("Fase: Geborgd")
            && r.contains("Ingevoerd")
            && r.contains("nagekomen")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("met de bron")), "{rows:?}");
    // As known on 1 December 2025, it had not been recorded yet, nor was the save.
    let then = app
        .get("/api/v1/changes?van=2025-11-01&tot=2099-12-31&peildatum=2025-12-01")
        .await
        .json();
    assert!(changes_of(&then, KANSRIJKE_START).is_empty(), "{then}");
}

#[tokio::test]
async fn on_5_september_2025_nmg_was_submitted_and_on_10_october_approved() {
    let app = TestApp::demo().await;

    let before = app
        .get(&format!("/plannen/{NMG}?peildatum=2025-09-05"))
        .await;
    let after = app
        .get(&format!("/plannen/{NMG}?peildatum=2025-10-10"))
        .await;
    let start_before = app.get("/?peildatum=2025-09-05").await;

    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before
            .text(".rm-statusbox__stage strong")
            .contains("Transformatieplan ingediend")
    );
    assert!(
        after
            .text(".rm-statusbox__stage strong")
            .contains("Transformatieplan goedgekeurd")
    );
    // On the start page of that day Zeist has no fact of its own yet: the cell follows the plan.
    let zeist = cell_classes(&start_before, NMG, ZEIST);
    assert!(zeist.contains(&"rm-cell--volgt".to_owned()), "{zeist:?}");
    assert!(zeist.contains(&"rm-cell--gepland".to_owned()), "{zeist:?}");
    assert!(start_before.text("h1 + p").contains("5 september 2025"));
}

#[tokio::test]
async fn a_peildatum_that_is_no_date_is_refused_in_dutch() {
    let app = TestApp::demo().await;

    let page = app.get("/?peildatum=9-10-2025").await;

    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Peildatum"), "{}", page.body);
    assert!(page.body.contains("JJJJ-MM-DD"), "{}", page.body);
}

#[tokio::test]
async fn the_gemeente_filter_keeps_one_column_and_the_plans_that_concern_it() {
    let app = TestApp::demo().await;

    let page = app.get(&format!("/?gemeente={ZEIST}")).await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("th.rm-matrix__gemeente"), 1);
    assert!(page.count("table.rm-matrix tbody th.rm-matrix__plan") >= 10);
    let unknown = app.get("/?gemeente=GM9999").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_start_page_lists_an_overdue_action_and_an_escalation_with_links() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let created = [
        crate::monitoring::create_action(&admin, "Oude afspraak", "2020-01-31", "GM0352").await,
        crate::monitoring::create_action(&admin, "Capaciteit huisartsen", "2099-01-31", "GM0352")
            .await,
    ];
    crate::monitoring::escalate_to_regiegroep(&admin, &created[1]).await;

    let page = app.get("/").await;

    let titles = page.texts(".rm-attention__title");
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles[0].starts_with("KPI's niet gehaald of achter"),
        "{titles:?}"
    );
    assert!(titles[1].contains("(1)"), "{titles:?}");
    assert!(titles[2].contains("(1)"), "{titles:?}");
    let links: Vec<(String, String)> = page
        .html()
        .select(&scraper::Selector::parse(".rm-attention a").expect("selector"))
        .map(|a| {
            (
                a.text().collect::<String>(),
                a.value().attr("href").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        links.contains(&("Oude afspraak".to_owned(), created[0].clone())),
        "{links:?}"
    );
    assert!(
        links.contains(&("Capaciteit huisartsen".to_owned(), created[1].clone())),
        "{links:?}"
    );
    assert!(page.text(".rm-dash__attention").contains("ligt bij"));
    // The newest minutes lead to what changed since.
    assert!(
        page.html()
            .select(&scraper::Selector::parse(".rm-dash__attention a").expect("selector"))
            .any(|a| a.value().attr("href") == Some("/wijzigingen?sinds=bbo-2025-10-09"))
    );
}

#[tokio::test]
async fn saving_the_form_of_a_plan_with_working_areas_unchanged_writes_no_entry() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = format!("/plannen/{FABRIEK}/bewerken");
    let fields = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    let before = app.audit_count().await;

    let saved = admin.post_form(&path, fields).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.audit_count().await, before);
    let plan = app.get(&format!("/api/v1/plans/{FABRIEK}")).await.json();
    assert_eq!(plan["work_areas"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn a_stage_a_later_source_only_confirms_keeps_the_date_it_started() {
    let app = TestApp::demo().await;

    // Valpreventie: "loopt" in 2025, confirmed on 5 September and at the BBO of 9 October.
    let page = app.get("/plannen/valpreventie").await;

    let stage = page.text(".rm-statusbox__stage");
    assert!(stage.contains("Loopt, sinds 2025"), "{stage}");
}

#[tokio::test]
async fn the_stage_filter_on_a_peildatum_asks_for_the_stage_of_that_day() {
    let app = TestApp::demo().await;

    // NMG was "TP ingediend" on 5 September 2025 and is approved now.
    let then = app.get("/?fase=tp-ingediend&peildatum=2025-09-05").await;
    let now = app.get("/?fase=tp-ingediend").await;

    let plans = |page: &crate::helpers::Page| page.texts("table.rm-matrix th.rm-matrix__plan a");
    assert!(
        plans(&then).contains(&"Netwerk Mentale Gezondheid".to_owned()),
        "{:?}",
        plans(&then)
    );
    assert!(!plans(&now).contains(&"Netwerk Mentale Gezondheid".to_owned()));
}

#[tokio::test]
async fn steps_stored_before_their_last_day_was_kept_get_it_at_start() {
    let app = TestApp::demo().await;
    let known = app
        .scalar("SELECT COUNT(*) FROM stage_history WHERE date <> 'onbekend'")
        .await;
    sqlx::query("UPDATE stage_history SET ends_on = NULL")
        .execute(app.store.pool())
        .await
        .expect("update");
    sqlx::query("UPDATE rollout_history SET ends_on = NULL")
        .execute(app.store.pool())
        .await
        .expect("update");

    let reopened = regiomonitor::store::Store::open(&app._db.url)
        .await
        .expect("store opens");

    let filled = |table: &str| {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE ends_on IS NOT NULL");
        let pool = reopened.pool().clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .expect("count");
            n
        }
    };
    assert!(known > 0);
    assert_eq!(filled("stage_history").await, known);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM stage_history WHERE plan_id = 'netwerk-mentale-gezondheid' AND ends_on = '2025-10-09'"
        )
        .await,
        1
    );
    assert!(filled("rollout_history").await > 0);
    // "Since the BBO" finds the approval through it again.
    let answer = app
        .get("/api/v1/changes?sinds=bbo-2025-10-09&tot=2026-01-31")
        .await
        .json();
    assert!(
        changes_of(&answer, NMG)
            .iter()
            .any(|c| c["new"] == "Transformatieplan goedgekeurd")
    );
}
