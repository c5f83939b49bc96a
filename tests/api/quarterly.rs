//! The quarterly cycle: a beheerder opens a round, a trekker drafts and submits the update of
//! a plan their organisation leads, the kernteam asks a question and accepts, the round closes
//! into a snapshot that later edits leave alone, and the report compares two rounds.
// A missing row is a failed test here, said by the panic's line.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::{Client, GEMEENTE, PLAN, Persona, TestApp};
use regiomonitor::store::{Actor, Reason};

const ROUND: &str = "2026-Q1";

fn cli() -> Actor {
    Actor::system("test", regiomonitor::domain::Channel::Cli)
}

async fn open_round(admin: &Client, period: &str) {
    let opened = admin
        .post_form("/rondes", [("period", period), ("deadline", "2026-04-15")])
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert_eq!(opened.location(), Some(&*format!("/rondes/{period}")));
}

async fn update_version(app: &TestApp, period: &str, plan: &str) -> String {
    app.store
        .plan_update(period, plan)
        .await
        .expect("update")
        .map_or(0, |u| u.version)
        .to_string()
}

async fn write_update(
    app: &TestApp,
    client: &Client,
    period: &str,
    plan: &str,
    light: &str,
    done: &str,
    action: &str,
) -> crate::helpers::Page {
    let version = update_version(app, period, plan).await;
    client
        .post_form(
            &format!("/rondes/{period}/plannen/{plan}"),
            [
                ("version", version.as_str()),
                ("light", light),
                ("done", done),
                ("next_steps", "De volgende stap."),
                ("needs", "Een besluit van de regiegroep."),
                ("actie", action),
            ],
        )
        .await
}

async fn review(
    app: &TestApp,
    admin: &Client,
    period: &str,
    plan: &str,
    verdict: &str,
    comment: &str,
) -> crate::helpers::Page {
    let version = update_version(app, period, plan).await;
    admin
        .post_form(
            &format!("/rondes/{period}/plannen/{plan}/beoordeling"),
            [
                ("version", version.as_str()),
                ("verdict", verdict),
                ("comment", comment),
            ],
        )
        .await
}

async fn close(app: &TestApp, admin: &Client, period: &str) {
    let version = app
        .store
        .round(period)
        .await
        .expect("round")
        .expect("exists")
        .version
        .to_string();
    let closed = admin
        .post_form(
            &format!("/rondes/{period}/sluiten"),
            [("version", version.as_str()), ("confirm", "ja")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
}

/// The plan's line in the API's list of who has reported.
fn line_of<'a>(round: &'a Value, plan: &str) -> &'a Value {
    round["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .find(|l| l["plan_id"] == plan)
        .expect("the plan's line")
}

fn count_of(round: &Value, reporting: &str) -> usize {
    round["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .filter(|l| l["reporting"] == reporting)
        .count()
}

#[tokio::test]
async fn a_round_goes_from_draft_through_a_question_to_accepted_and_closes_into_a_snapshot_later_edits_leave_alone()
 {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let other = app.login_as(Persona::LeadOfOtherPlan).await;
    open_round(&admin, ROUND).await;

    // Every active plan is in the round; the deadline is past, so none has reported: all late.
    let active = app
        .scalar("SELECT COUNT(*) FROM plans WHERE archived = 0")
        .await;
    let round = admin.get(&format!("/api/v1/rounds/{ROUND}")).await.json();
    assert_eq!(
        round["plans"].as_array().map(Vec::len),
        Some(active as usize)
    );
    assert_eq!(count_of(&round, "te-laat"), active as usize);

    // A draft, by the trekker of the plan's organisation; another trekker may not.
    let draft = write_update(&app, &lead, ROUND, PLAN, "", "Half af.", "concept").await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);
    let refused = write_update(
        &app,
        &other,
        ROUND,
        PLAN,
        "op-koers",
        "Niet van mij.",
        "indienen",
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let u = app.store.plan_update(ROUND, PLAN).await.unwrap().unwrap();
    assert_eq!(
        (u.state.as_str(), u.done.as_deref()),
        ("concept", Some("Half af."))
    );

    // Submitting asks for a light.
    let missing = write_update(&app, &lead, ROUND, PLAN, "", "Klaar.", "indienen").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.text("#fouten").contains("Stoplicht: kies op koers"),
        "{}",
        missing.text("#fouten")
    );
    let submitted = write_update(
        &app,
        &lead,
        ROUND,
        PLAN,
        "op-koers",
        "Drie LSV's gestart.",
        "indienen",
    )
    .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    // Who has not reported: exactly one plan less.
    let round = admin.get(&format!("/api/v1/rounds/{ROUND}")).await.json();
    assert_eq!(line_of(&round, PLAN)["reporting"], "ingediend");
    assert_eq!(line_of(&round, PLAN)["light"], "op-koers");
    assert_eq!(count_of(&round, "te-laat"), active as usize - 1);
    let late = admin.get(&format!("/rondes/{ROUND}?stand=te-laat")).await;
    assert_eq!(late.status, StatusCode::OK);
    assert_eq!(
        late.count(&format!(
            "table.rm-table tbody th a[href^='/rondes/{ROUND}/plannen/']"
        )),
        active as usize - 1
    );
    assert_eq!(
        late.count(&format!("a[href='/rondes/{ROUND}/plannen/{PLAN}']")),
        0
    );

    // A question without words is refused; with words it goes back to the trekker.
    let bare = review(&app, &admin, ROUND, PLAN, "verduidelijking", "").await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = review(
        &app,
        &admin,
        ROUND,
        PLAN,
        "verduidelijking",
        "Welke drie LSV's?",
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let mine = lead.get("/voor-mij").await;
    assert!(
        mine.count(&format!(
            ".rm-owed__item a[href='/rondes/{ROUND}/plannen/{PLAN}']"
        )) == 1,
        "{}",
        mine.text("main")
    );
    assert!(mine.text("main").contains("Verduidelijking gevraagd"));
    let page = lead.get(&format!("/rondes/{ROUND}/plannen/{PLAN}")).await;
    assert!(page.text("main").contains("Welke drie LSV's?"));
    // A draft while a question is open keeps the question open.
    let redraft = write_update(
        &app,
        &lead,
        ROUND,
        PLAN,
        "op-koers",
        "Bunnik, Zeist en De Bilt.",
        "concept",
    )
    .await;
    assert_eq!(redraft.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .plan_update(ROUND, PLAN)
            .await
            .unwrap()
            .unwrap()
            .state,
        "verduidelijking"
    );
    let resubmitted = write_update(
        &app,
        &lead,
        ROUND,
        PLAN,
        "op-koers",
        "Bunnik, Zeist en De Bilt.",
        "indienen",
    )
    .await;
    assert_eq!(resubmitted.status, StatusCode::SEE_OTHER);
    let accepted = review(&app, &admin, ROUND, PLAN, "geaccepteerd", "").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(
        app.store
            .plan_update(ROUND, PLAN)
            .await
            .unwrap()
            .unwrap()
            .state,
        "geaccepteerd"
    );

    // Every save and review is in the trail.
    let trail: Vec<(String, String)> = app
        .audit_entries()
        .await
        .into_iter()
        .filter(|a| a.record_type == "update" && a.record_id == format!("{ROUND}/{PLAN}"))
        .map(|a| (a.field, a.new_value.unwrap_or_default()))
        .collect();
    assert!(
        trail.contains(&(
            "review".into(),
            "Verduidelijking gevraagd: Welke drie LSV's?".into()
        )),
        "{trail:?}"
    );
    assert!(
        trail.contains(&("review".into(), "Geaccepteerd".into())),
        "{trail:?}"
    );
    assert!(
        trail.contains(&("state".into(), "Ingediend".into())),
        "{trail:?}"
    );

    close(&app, &admin, ROUND).await;
    let (schema, frozen) = app
        .store
        .round_snapshot(ROUND)
        .await
        .unwrap()
        .expect("a snapshot");
    assert_eq!(schema, 1);

    // A closed round refuses every change.
    let late_save =
        write_update(&app, &lead, ROUND, PLAN, "knelpunt", "Te laat.", "indienen").await;
    assert_eq!(late_save.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late_save.body.contains("is gesloten"), "{}", late_save.body);
    let late_review = review(&app, &admin, ROUND, PLAN, "geaccepteerd", "").await;
    assert_eq!(late_review.status, StatusCode::UNPROCESSABLE_ENTITY);
    let version = app
        .store
        .round(ROUND)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    let late_edit = admin
        .post_form(
            &format!("/rondes/{ROUND}/bewerken"),
            [("version", version.as_str()), ("deadline", "2026-05-01")],
        )
        .await;
    assert_eq!(late_edit.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Later edits to the plan change the portfolio, not the snapshot.
    let stored = app.store.stored_plan(PLAN).await.unwrap().unwrap();
    app.store
        .update_plan(
            &cli(),
            &Reason::default(),
            PLAN,
            stored.version,
            &stored.fields,
            Some(&regiomonitor::features::plans::model::StageChange {
                stage: regiomonitor::domain::Stage::Embedded,
                date: regiomonitor::domain::FactDate::day(jiff::civil::date(2026, 5, 1)),
                source: None,
                note: None,
            }),
        )
        .await
        .expect("a later stage");
    let (_, after) = app.store.round_snapshot(ROUND).await.unwrap().unwrap();
    assert_eq!(after, frozen);
    let snapshot = admin
        .get(&format!("/api/v1/rounds/{ROUND}/snapshot"))
        .await
        .json();
    let plan = snapshot["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == PLAN)
        .unwrap()
        .clone();
    assert_eq!(plan["stage"], "opstartfase");
    assert_eq!(plan["update"]["light"], "op-koers");
    assert_eq!(plan["update"]["state"], "geaccepteerd");
    let report = admin.get(&format!("/rondes/{ROUND}/rapportage")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(
        report
            .text(&format!("#plan-{PLAN} + dl"))
            .contains("Opstartfase")
    );
    assert!(
        report.text("main").contains("Welke drie LSV's?"),
        "reviews for signed-in readers"
    );

    // Internal until published; then public, without the reviews.
    let anonymous = app.anonymous();
    assert_eq!(
        anonymous.get(&format!("/rondes/{ROUND}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous
            .get(&format!("/rondes/{ROUND}/rapportage"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let version = app
        .store
        .round(ROUND)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    let published = admin
        .post_form(
            &format!("/rondes/{ROUND}/openbaar"),
            [("version", version.as_str()), ("confirm", "ja")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let public = anonymous.get(&format!("/rondes/{ROUND}/rapportage")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text("main").contains("Bunnik, Zeist en De Bilt."));
    assert!(!public.body.contains("Welke drie LSV's?"));
    let public_json = anonymous
        .get(&format!("/api/v1/rounds/{ROUND}/snapshot"))
        .await
        .json();
    assert!(!public_json.to_string().contains("Welke drie LSV"));

    // A correction is a new dated line; the snapshot stays as it was.
    let corrected = admin
        .post_form(
            &format!("/rondes/{ROUND}/correcties"),
            [("plan", PLAN), ("text", "Het waren vier LSV's.")],
        )
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    assert_eq!(
        app.store.round_snapshot(ROUND).await.unwrap().unwrap().1,
        frozen
    );
    assert!(
        anonymous
            .get(&format!("/rondes/{ROUND}/rapportage"))
            .await
            .text("section[aria-labelledby=veranderd]")
            .contains("Het waren vier LSV's.")
    );
}

#[tokio::test]
async fn the_report_lists_exactly_what_moved_between_two_rounds() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    // Far enough ahead that both rounds see the same KPI values.
    let (first, second) = ("2030-Q1", "2030-Q2");
    open_round(&admin, first).await;
    let saved = write_update(&app, &lead, first, PLAN, "op-koers", "Gestart.", "indienen").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    close(&app, &admin, first).await;

    // What moves: PLAN's light, a gemeente's own fact about PLAN, another plan's stage.
    app.store
        .save_rollout(
            &cli(),
            &Reason::default(),
            PLAN,
            GEMEENTE,
            app.store.rollout_version(PLAN, GEMEENTE).await.unwrap(),
            &regiomonitor::features::rollouts::model::RolloutFields {
                status: regiomonitor::domain::RolloutStatus::NotStarted,
                date: regiomonitor::domain::FactDate::day(jiff::civil::date(2026, 2, 1)),
                district_id: None,
                note: None,
                source: None,
                date_and_source_confirmed: false,
            },
        )
        .await
        .expect("a rollout");
    let other = "kansrijke-start";
    let stored = app.store.stored_plan(other).await.unwrap().unwrap();
    let before_stage = stored.stage.expect("a stage").label().to_owned();
    app.store
        .update_plan(
            &cli(),
            &Reason::default(),
            other,
            stored.version,
            &stored.fields,
            Some(&regiomonitor::features::plans::model::StageChange {
                stage: regiomonitor::domain::Stage::Stopped,
                date: regiomonitor::domain::FactDate::day(jiff::civil::date(2026, 2, 1)),
                source: None,
                note: None,
            }),
        )
        .await
        .expect("a stage");
    open_round(&admin, second).await;
    let saved = write_update(
        &app,
        &lead,
        second,
        PLAN,
        "knelpunt",
        "Vastgelopen.",
        "indienen",
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    close(&app, &admin, second).await;

    let report = admin.get(&format!("/rondes/{second}/rapportage")).await;
    assert_eq!(report.status, StatusCode::OK);
    let rows = |caption: &str| -> Vec<Vec<String>> {
        let html = report.html();
        let table = scraper::Selector::parse(
            "#veranderd ~ div table, section[aria-labelledby=veranderd] table",
        )
        .unwrap();
        let cap = scraper::Selector::parse("caption").unwrap();
        let tr = scraper::Selector::parse("tbody tr").unwrap();
        let cell = scraper::Selector::parse("th, td").unwrap();
        html.select(&table)
            .filter(|t| {
                t.select(&cap)
                    .next()
                    .is_some_and(|c| c.text().collect::<String>() == caption)
            })
            .flat_map(|t| t.select(&tr).collect::<Vec<_>>())
            .map(|r| {
                r.select(&cell)
                    .map(|c| c.text().collect::<String>().trim().to_owned())
                    .collect()
            })
            .collect()
    };
    let plan_name = "Versterken eerstelijn";
    assert_eq!(
        rows("Stoplichten"),
        [vec![
            plan_name.to_owned(),
            "Op koers".into(),
            "Knelpunt".into()
        ]]
    );
    assert_eq!(
        rows("Fases"),
        [vec![
            "Kansrijke Start".to_owned(),
            before_stage,
            "Gestopt".into()
        ]]
    );
    // Zeist followed the plan (lopend) and now has its own fact; Kansrijke Start's stop
    // changes the cells of its working area too.
    let rollouts = rows("Uitrol per gemeente");
    assert!(
        rollouts.contains(&vec![
            plan_name.to_owned(),
            "Zeist".into(),
            "Lopend".into(),
            "Niet gestart".into()
        ]),
        "{rollouts:?}"
    );
    assert!(
        rollouts
            .iter()
            .all(|r| r[0] == plan_name || r[0] == "Kansrijke Start"),
        "{rollouts:?}"
    );
    assert!(rows("KPI-statussen").is_empty());

    // Published alone, the second round shows visitors no comparison with the first, which
    // is still internal, but with the latest published one (the demo's third quarter of 2025).
    let version = app
        .store
        .round(second)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    let published = admin
        .post_form(
            &format!("/rondes/{second}/openbaar"),
            [("version", version.as_str()), ("confirm", "ja")],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let public = app
        .anonymous()
        .get(&format!("/rondes/{second}/rapportage"))
        .await;
    assert_eq!(public.status, StatusCode::OK);
    let changes = public.text("section[aria-labelledby=veranderd]");
    assert!(
        changes.contains("momentopname van het 3e kwartaal 2025"),
        "{changes}"
    );
    assert!(!changes.contains("1e kwartaal 2030"), "{changes}");
    assert!(
        report
            .text("#veranderd ~ p, section[aria-labelledby=veranderd] p")
            .contains("1e kwartaal 2030")
    );
}

#[tokio::test]
async fn a_snapshot_of_the_first_schema_still_reads_and_renders() {
    let app = TestApp::with_people().await;
    let document = include_str!("../fixtures/snapshot-v1.json");
    sqlx::query(
        "INSERT INTO report_rounds (period, deadline, status, opened_at, opened_by, closed_at, closed_by, published_at, published_by)
         VALUES ('2024-Q4', '2025-01-15', 'gesloten', '2025-01-01T09:00:00Z', 'test', '2025-01-20T09:00:00Z', 'test', '2025-01-21T09:00:00Z', 'test')",
    )
    .execute(app.store.pool())
    .await
    .expect("a round");
    sqlx::query("INSERT INTO round_snapshots (period, schema_version, made_at, document) VALUES ('2024-Q4', 1, '2025-01-20T09:00:00Z', $1)")
        .bind(document)
        .execute(app.store.pool())
        .await
        .expect("the fixture");
    let fixture: Value = serde_json::from_str(document).expect("json");
    let report = app.anonymous().get("/rondes/2024-Q4/rapportage").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    for plan in fixture["plans"].as_array().expect("plans") {
        let name = plan["name"].as_str().expect("a name");
        assert!(report.text("main").contains(name), "{name}");
    }
    let api = app.anonymous().get("/api/v1/rounds/2024-Q4/snapshot").await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.json()["schema_version"], 1);
}

#[tokio::test]
async fn the_demo_has_the_third_quarter_of_2025_from_the_documents_and_an_open_fourth_with_examples()
 {
    let app = TestApp::demo().await;
    let rounds = app.get("/api/v1/rounds").await.json();
    // Only the published round is public.
    assert_eq!(rounds.as_array().map(Vec::len), Some(1));
    assert_eq!(rounds[0]["period"], "2025-Q3");
    assert_eq!(rounds[0]["as_of"], "2025-09-05");
    let snapshot = app.get("/api/v1/rounds/2025-Q3/snapshot").await.json();
    let plans = snapshot["plans"].as_array().expect("plans");
    // Every update quotes De Kracht van Samen and carries no traffic light.
    assert!(
        plans
            .iter()
            .filter_map(|p| p["update"].as_object())
            .all(|u| u["source"] == "zou-2025" && u["light"].is_null())
    );
    // As the documents stood on 5 September 2025: the BBO's approval of 9 October is not in it.
    let nmg = plans
        .iter()
        .find(|p| p["id"] == "netwerk-mentale-gezondheid")
        .expect("NMG");
    assert_eq!(nmg["stage"], "tp-ingediend");
    assert_eq!(snapshot["round"]["summary_source"], "bbo-2025-10-09");
    let report = app.get("/rondes/2025-Q3/rapportage").await;
    assert!(
        report
            .text("main")
            .contains("Transformatieplan Netwerk Mentale Gezondheid is goedgekeurd")
    );
    assert!(
        report
            .text("main")
            .contains("Citaat uit De Kracht van Samen")
    );
    // The open round's example updates are labelled.
    let signed_in = {
        let app2 = &app;
        app2.store.round_updates("2025-Q4").await.expect("updates")
    };
    assert!(!signed_in.is_empty());
    assert!(signed_in.iter().all(|u| u.is_example == 1));
}

/// Runs `regiomonitor report kwartaal` on `db`; returns the file it wrote.
fn report_file(db: &crate::helpers::TestDb, period: &str, format: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a directory");
    let out = dir.path().join(format!("rapportage.{format}"));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_regiomonitor"))
        .args(["report", "kwartaal", period, "--format", format, "--out"])
        .arg(&out)
        .args(["--database", db.url.expose()])
        .env_remove("REGIOMONITOR_DATABASE_URL")
        .env("REGIOMONITOR_LOG", "warn")
        .output()
        .expect("the binary runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read(&out).expect("the report")
}

/// A poppler tool's output on `pdf` (`{}` in `args` is its path); `None` when the tool is
/// missing and the run may skip it.
pub(crate) fn poppler(pdf: &[u8], tool: &str, args: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("rapportage.pdf");
    std::fs::write(&path, pdf).expect("written");
    let file = path.to_str().expect("a path");
    let all: Vec<&str> = args
        .iter()
        .map(|a| if *a == "{}" { file } else { a })
        .collect();
    match std::process::Command::new(tool).args(&all).output() {
        Ok(o) => {
            assert!(
                o.status.success(),
                "{tool}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            Some(String::from_utf8_lossy(&o.stdout).into_owned())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert_ne!(
                std::env::var("REGIOMONITOR_REQUIRE_ALL").as_deref(),
                Ok("1"),
                "{tool} ontbreekt (apt-get install poppler-utils)"
            );
            None
        }
        Err(e) => panic!("{tool}: {e}"),
    }
}

fn in_order(text: &str, parts: &[&str]) {
    let mut rest = text;
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => panic!("{part:?} not found (in this order) in:\n{text}"),
        }
    }
}

#[tokio::test]
async fn the_command_line_writes_the_report_as_html_and_as_a_tagged_pdf_ua_document() {
    let db = crate::helpers::TestDb::demo().await;
    let html = String::from_utf8(report_file(&db, "2025-Q3", "html")).expect("UTF-8");
    let page = scraper::Html::parse_document(&html);
    let h1 = scraper::Selector::parse("h1").expect("selector");
    let title: String = page.select(&h1).next().expect("a heading").text().collect();
    assert!(
        title.starts_with("Kwartaalrapportage 3e kwartaal 2025"),
        "{title}"
    );
    assert!(html.contains("<html lang=\"nl\""));
    assert!(
        html.contains("<style>"),
        "the styles travel inside the file"
    );
    assert!(!html.contains("href=\"/assets"), "no link to the server");

    let pdf = report_file(&db, "2025-Q3", "pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let Some(info) = poppler(&pdf, "pdfinfo", &["{}"]) else {
        return;
    };
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Title:           Kwartaalrapportage 3e kwartaal 2025"),
        "{info}"
    );
    let xmp = poppler(&pdf, "pdfinfo", &["-meta", "{}"]).expect("pdfinfo");
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
    assert!(xmp.contains("nl-NL"), "{xmp}");
    let tree = poppler(&pdf, "pdfinfo", &["-struct-text", "{}"]).expect("pdfinfo");
    in_order(
        &tree,
        &[
            "H1 \"Kwartaalrapportage 3e kwartaal 2025\"",
            "H2 \"Samenvatting\"",
            "Table",
            "TH",
            "H2 \"Per plan\"",
            "H3 \"Versterken eerstelijn\"",
            "H2 \"Per gemeente: wat loopt en wat is gepland\"",
            "TH",
            "/Scope /Row",
            "H2 \"KPI's vergeleken met hun streefwaarde\"",
            "Figure",
            "H2 \"Bronnen\"",
        ],
    );
    // Every figure has its alternative text: a chart's words, from its data.
    let figures = tree.matches("Figure").count();
    assert!(figures > 0);
    let alts = pdf.windows(5).filter(|w| w == b"/Alt(").count();
    assert!(alts >= figures, "{alts} alt texts for {figures} figures");
    let outline =
        poppler(&pdf, "pdftohtml", &["-xml", "-stdout", "-i", "-q", "{}"]).expect("pdftohtml");
    in_order(
        &outline,
        &[
            "<outline>",
            "Kwartaalrapportage 3e kwartaal 2025",
            "Samenvatting",
            "Per plan",
        ],
    );
    let text = poppler(&pdf, "pdftotext", &["-layout", "{}", "-"]).expect("pdftotext");
    in_order(
        &text,
        &[
            "Kwartaalrapportage 3e kwartaal 2025",
            "Samenvatting",
            "Plannen in de ronde",
            "Versterken eerstelijn",
            "uitvoeringssubsidie toegekend",
            "Per gemeente",
            "Zeist",
        ],
    );
}

#[tokio::test]
async fn the_round_page_offers_the_pdf_also_of_an_open_round_with_text_the_font_lacks() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let admin = app.login_as(Persona::Admin).await;
    let saved = write_update(
        &app,
        &lead,
        "2025-Q4",
        PLAN,
        "op-koers",
        "Klaar ✅ → nu de uitrol 🚀",
        "indienen",
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let pdf = admin.get("/rondes/2025-Q4/rapportage.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.header_values("content-type"), ["application/pdf"]);
    assert!(
        pdf.header_values("content-disposition")[0]
            .contains("kwartaalrapportage-2025-Q4-concept.pdf")
    );
    // An open round is not public, nor is its report.
    assert_eq!(
        app.anonymous()
            .get("/rondes/2025-Q4/rapportage.pdf")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let public = app.anonymous().get("/rondes/2025-Q3/rapportage.pdf").await;
    assert_eq!(public.status, StatusCode::OK);
}

/// A small SMTP server for one test: it answers every command and keeps what it was told.
async fn smtp_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = heard.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 proef ESMTP\r\n").await;
                let mut data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    log.lock().expect("the log").push(line.clone());
                    let answer: &[u8] = if data {
                        if line == "." {
                            data = false;
                            b"250 OK\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        match line
                            .get(..4)
                            .unwrap_or_default()
                            .to_ascii_uppercase()
                            .as_str()
                        {
                            "DATA" => {
                                data = true;
                                b"354 verder\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 dag\r\n").await;
                                break;
                            }
                            _ => b"250 OK\r\n",
                        }
                    };
                    let _ = write.write_all(answer).await;
                }
            });
        }
    });
    (port, heard)
}

#[tokio::test]
async fn with_a_mail_server_the_reminder_goes_to_each_trekker_who_owes_an_update_and_into_the_trail()
 {
    let (port, heard) = smtp_server().await;
    let mut app = TestApp::with_people().await;
    let mailer = regiomonitor::web::mail::Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Kernteam IZA <kernteam@example.org>",
    )
    .expect("a mailer");
    app.router = regiomonitor::web::router_with(
        app.store.clone(),
        regiomonitor::web::WebSettings {
            mailer: Some(mailer),
            ..Default::default()
        },
    );
    let admin = app.login_as(Persona::Admin).await;
    let page = admin.get("/rondes/2025-Q4").await;
    assert_eq!(page.count("form[action='/rondes/2025-Q4/herinnering']"), 1);

    let sent = admin
        .post_form("/rondes/2025-Q4/herinnering", [("x", "")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    let heard = heard.lock().expect("the log").clone();
    let recipients: Vec<&String> = heard.iter().filter(|l| l.starts_with("RCPT TO")).collect();
    // Both trekkers' organisations lead plans of the round without a submitted update; each
    // gets a message of their own.
    assert_eq!(
        recipients,
        [
            &"RCPT TO:<trekker.ggdru@example.nl>".to_owned(),
            &"RCPT TO:<trekker.unicum@example.nl>".to_owned()
        ],
        "{heard:?}"
    );
    assert_eq!(heard.iter().filter(|l| *l == "DATA").count(), 2);
    assert!(
        heard
            .iter()
            .any(|l| l.starts_with("Subject: Herinnering: kwartaalupdate 4e kwartaal 2025")),
        "{heard:?}"
    );
    let trail: Vec<String> = app
        .audit_entries()
        .await
        .into_iter()
        .filter(|a| a.record_type == "round" && a.field == "reminder")
        .filter_map(|a| a.new_value)
        .collect();
    assert_eq!(trail, ["aan 2 trekkers"]);

    // Without a mail server the button is not there and the route says what to do instead.
    let plain = TestApp::with_people().await;
    let admin = plain.login_as(Persona::Admin).await;
    assert_eq!(
        admin
            .get("/rondes/2025-Q4")
            .await
            .count("form[action='/rondes/2025-Q4/herinnering']"),
        0
    );
    let refused = admin
        .post_form("/rondes/2025-Q4/herinnering", [("x", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("#fouten").contains("geen mailserver"),
        "{}",
        refused.text("#fouten")
    );
}
