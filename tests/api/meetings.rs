//! Governance: the demo's BBO of 9 October 2025 with its agenda and outcomes, a beheerder
//! plans a meeting, adds agenda items and outcomes, and fixes its verslag; visitors see an
//! agenda once it is vastgesteld and the outcomes once the verslag is; the body's calendar
//! feed parses, keeps its UIDs and gives local times on both sides of a change to summer time.
// A missing row is a failed test here, said by the panic's line.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime};

use crate::helpers::{Persona, TestApp};

const BBO: &str = "bbo-zou";
const DEMO_MEETING: &str = "bbo-zou-2025-10-09";

#[tokio::test]
async fn the_demo_bbo_of_9_october_2025_has_its_nine_agenda_items_and_the_manifest_request() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let page = reader.get(&format!("/vergaderingen/{DEMO_MEETING}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.count(".rm-agenda > li"), 9);
    let text = page.text("main");
    assert!(text.contains("9 oktober 2025, 11:00–13:00"), "{text}");
    assert!(text.contains("Manifest ‘ZOU doen we het samen’"));
    // The request of item 4 is an actiepunt with its owner and day; no e-mail address is kept.
    let actions = page.texts(".rm-outcome--actiepunt");
    assert!(
        actions
            .iter()
            .any(|a| a.contains("de betrokken partijen") && a.contains("14 november 2025")),
        "{actions:?}"
    );
    assert!(!page.body.contains('@'), "no e-mail address on the page");
    // The approvals in item 6 were reported successes, not this meeting's decisions.
    assert_eq!(page.count(".rm-outcome--besluit"), 0);
    // The status is an aanname with its reason; the source is the verslag.
    assert!(page.count(".rm-aanname") >= 1);
    assert!(page.body.contains("/bronnen#bbo-2025-10-09"));
    // Item 6 links the plans it names.
    assert!(
        page.body
            .contains("href=\"/plannen/netwerk-mentale-gezondheid\"")
    );

    // The body's page lists it among the earlier meetings, and the next BBO.
    let body = app.anonymous().get(&format!("/overleggen/{BBO}")).await;
    assert!(
        body.body
            .contains(&format!("href=\"/vergaderingen/{DEMO_MEETING}\""))
    );
    assert!(
        body.body
            .contains("href=\"/vergaderingen/bbo-zou-2025-12-18\"")
    );
}

#[tokio::test]
async fn visitors_see_the_agenda_once_fixed_and_the_outcomes_once_the_verslag_is() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let visitor = app.anonymous();

    // The demo's verslag is in concept: visitors see the agenda, not what came of it, nor who
    // attended (the verslag says that).
    let page = visitor.get(&format!("/vergaderingen/{DEMO_MEETING}")).await;
    assert_eq!(page.count(".rm-agenda > li"), 9);
    assert_eq!(page.count(".rm-outcome"), 0);
    assert!(!page.text("main").contains("Aanwezig"));

    // Planned with a concept agenda: the day is public, the agenda is not.
    let planned = admin
        .post_form(
            &format!("/overleggen/{BBO}/vergaderingen"),
            [
                ("day", "2026-03-26"),
                ("starts", "15:00"),
                ("ends", "17:00"),
                ("place", "Gemeentehuis Zeist"),
                ("chair", ""),
                ("status", "concept-agenda"),
            ],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let id = "bbo-zou-2026-03-26";
    assert_eq!(planned.location(), Some(&*format!("/vergaderingen/{id}")));
    let version = || async {
        app.store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string()
    };
    let added = admin
        .post_form(
            &format!("/vergaderingen/{id}/agendapunten"),
            [
                ("version", version().await.as_str()),
                ("title", "Kwartaalrapportage 4e kwartaal 2025"),
                ("organisation", ""),
                ("role", "kernteam"),
                ("plan", "netwerk-mentale-gezondheid"),
                ("attachments", "Kwartaalrapportage\r\nOplegger"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let decided = admin
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version().await.as_str()),
                ("number", "1"),
                ("kind", "besluit"),
                ("text", "De rapportage is vastgesteld."),
                ("owner", ""),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let hidden = visitor.get(&format!("/vergaderingen/{id}")).await;
    assert_eq!(hidden.count(".rm-agenda > li"), 0);
    assert!(hidden.text("main").contains("nog niet vastgesteld"));
    // Nor does "Wat is er veranderd" tell a visitor what the concept agenda holds.
    for path in ["/wijzigingen", "/wijzigingen.csv", "/api/v1/changes"] {
        let changes = visitor.get(path).await;
        assert!(
            !changes.body.contains("De rapportage is vastgesteld"),
            "{path} shows a concept outcome"
        );
        assert!(
            !changes.body.contains("Kwartaalrapportage 4e kwartaal 2025"),
            "{path}"
        );
    }
    // Signed in, the kernteam sees all of it.
    let inside = admin.get(&format!("/vergaderingen/{id}")).await;
    assert_eq!(inside.count(".rm-outcome--besluit"), 1);
    assert!(
        inside
            .body
            .contains("href=\"/plannen/netwerk-mentale-gezondheid\"")
    );

    // Agenda vastgesteld: the items, not yet the outcome; verslag vastgesteld: both.
    for (status, items, outcomes) in [("agenda-vastgesteld", 1, 0), ("verslag-vastgesteld", 1, 1)] {
        let saved = admin
            .post_form(
                &format!("/vergaderingen/{id}/bewerken"),
                [
                    ("version", version().await.as_str()),
                    ("day", "2026-03-26"),
                    ("starts", "15:00"),
                    ("ends", "17:00"),
                    ("place", "Gemeentehuis Zeist"),
                    ("chair", ""),
                    ("status", status),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let seen = visitor.get(&format!("/vergaderingen/{id}")).await;
        assert_eq!(seen.count(".rm-agenda > li"), items, "{status}");
        assert_eq!(seen.count(".rm-outcome"), outcomes, "{status}");
    }

    // Every change is in the trail.
    let trail = app.audit_entries().await;
    let fields: Vec<&str> = trail
        .iter()
        .filter(|e| e.record_id == id)
        .map(|e| e.field.as_str())
        .collect();
    for field in ["record", "agenda_item", "outcome", "status"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
}

#[tokio::test]
async fn a_refused_meeting_form_names_the_field_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.snapshot().await;
    let refused = admin
        .post_form(
            &format!("/overleggen/{BBO}/vergaderingen"),
            [
                ("day", "26 maart"),
                ("starts", "15 uur"),
                ("ends", ""),
                ("status", "concept-agenda"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = refused.text(".utrecht-alert");
    assert!(summary.contains("Datum"), "{summary}");
    assert!(summary.contains("Begint om"), "{summary}");
    // What was typed comes back.
    assert_eq!(refused.value("#veld-day").as_deref(), Some("26 maart"));

    let ends_first = admin
        .post_form(
            &format!("/overleggen/{BBO}/vergaderingen"),
            [
                ("day", "2026-03-26"),
                ("starts", "15:00"),
                ("ends", "14:00"),
                ("status", "concept-agenda"),
            ],
        )
        .await;
    assert_eq!(ends_first.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ends_first.text(".utrecht-alert").contains("Eindigt om"));

    // An outcome with an owner must be an actiepunt; an old version is a conflict.
    let version = app
        .store
        .meeting(DEMO_MEETING)
        .await
        .unwrap()
        .unwrap()
        .version;
    let not_an_action = admin
        .post_form(
            &format!("/vergaderingen/{DEMO_MEETING}/uitkomsten"),
            [
                ("version", version.to_string().as_str()),
                ("number", "4"),
                ("kind", "informatie"),
                ("text", "Iets"),
                ("owner", "kernteam"),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(not_an_action.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_an_action.text(".utrecht-alert").contains("actiepunt"));
    let stale = admin
        .post_form(
            &format!("/vergaderingen/{DEMO_MEETING}/agendapunten"),
            [
                ("version", (version + 1).to_string().as_str()),
                ("title", "Nog een punt"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text(".utrecht-alert").contains("Iemand anders"));
    assert_eq!(app.snapshot().await, before);

    // An organisation or plan that does not exist is refused at its field, before anything
    // is written.
    let unknown = admin
        .post_form(
            &format!("/vergaderingen/{DEMO_MEETING}/agendapunten"),
            [
                ("version", version.to_string().as_str()),
                ("title", "Nog een punt"),
                ("organisation", "geen-organisatie"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("href=\"#veld-punt-organisation\""),
        "{}",
        unknown.text(".utrecht-alert")
    );
    assert_eq!(app.snapshot().await, before);

    // Only a beheerder plans meetings.
    let trekker = app.login_as(Persona::LeadOfPlan).await;
    let denied = trekker
        .post_form(
            &format!("/overleggen/{BBO}/vergaderingen"),
            [("day", "2026-03-26"), ("status", "concept-agenda")],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// The local start of the event with `uid` in a feed: (date-time as written, its zone), or
/// the day of an all-day event.
fn start_of(calendar: &icalendar::Calendar, uid: &str) -> DatePerhapsTime {
    calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .find(|e| e.get_uid() == Some(uid))
        .unwrap_or_else(|| panic!("an event {uid}"))
        .get_start()
        .unwrap()
}

#[tokio::test]
async fn the_calendar_feed_parses_keeps_its_uids_and_local_times_across_summer_time() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    // One meeting in winter time and one in summer time, both at 11:00 in Amsterdam.
    for day in ["2026-03-26", "2026-04-02"] {
        let planned = admin
            .post_form(
                &format!("/overleggen/{BBO}/vergaderingen"),
                [
                    ("day", day),
                    ("starts", "11:00"),
                    ("status", "agenda-vastgesteld"),
                ],
            )
            .await;
        assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    }
    let first = app
        .anonymous()
        .get(&format!("/overleggen/{BBO}/vergaderingen.ics"))
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first
            .header_values("content-type")
            .iter()
            .any(|v| v.starts_with("text/calendar"))
    );
    let calendar: icalendar::Calendar = first.body.parse().expect("the feed parses");
    let amsterdam = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
    for (uid, utc) in [
        ("bbo-zou-2026-03-26@regiomonitor", "2026-03-26T10:00:00Z"),
        ("bbo-zou-2026-04-02@regiomonitor", "2026-04-02T09:00:00Z"),
        ("bbo-zou-2025-10-09@regiomonitor", "2025-10-09T09:00:00Z"),
    ] {
        let DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) =
            start_of(&calendar, uid)
        else {
            panic!("{uid} starts at a local time with its zone");
        };
        assert_eq!(tzid, "Europe/Amsterdam");
        let local: jiff::civil::DateTime = date_time
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
            .parse()
            .unwrap();
        assert_eq!(local.hour(), 11, "{uid}");
        let instant = local.to_zoned(amsterdam.clone()).unwrap().timestamp();
        assert_eq!(instant.to_string(), utc, "{uid}");
    }
    // The next BBO has no known time: an all-day event.
    assert!(matches!(
        start_of(&calendar, "bbo-zou-2025-12-18@regiomonitor"),
        DatePerhapsTime::Date(_)
    ));
    // The zone's rules travel with the feed.
    assert!(
        first
            .body
            .contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam")
    );

    // The same UIDs on the next request.
    let uids = |body: &str| -> Vec<String> {
        body.lines()
            .filter_map(|l| l.strip_prefix("UID:"))
            .map(str::to_owned)
            .collect()
    };
    let second = app
        .anonymous()
        .get(&format!("/overleggen/{BBO}/vergaderingen.ics"))
        .await;
    assert_eq!(uids(&first.body), uids(&second.body));
    assert_eq!(uids(&first.body).len(), 4);

    let unknown = app
        .anonymous()
        .get("/overleggen/geen-overleg/vergaderingen.ics")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_gives_a_meeting_as_far_as_the_viewer_may_see_and_the_plan_page_its_agenda_items() {
    let app = TestApp::with_people().await;
    let visitor = app.anonymous();
    let list = visitor
        .get(&format!("/api/v1/meetings?overleg={BBO}"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        ["bbo-zou-2025-12-18", DEMO_MEETING],
        "the latest first"
    );
    assert_eq!(
        visitor
            .get("/api/v1/meetings?overleg=geen-overleg")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // A visitor: the agenda of the verslag in concept, without outcomes or attendance.
    let seen = visitor
        .get(&format!("/api/v1/meetings/{DEMO_MEETING}"))
        .await
        .json();
    assert_eq!(seen["status"], "verslag-concept");
    assert_eq!(seen["agenda"].as_array().map(Vec::len), Some(9));
    assert!(
        seen["agenda"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["outcomes"] == serde_json::json!([]))
    );
    assert_eq!(seen["attendance"], serde_json::json!([]));
    assert!(
        seen["agenda"][5]["plans"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("netwerk-mentale-gezondheid"))
    );
    // Signed in: all of it.
    let reader = app.login_as(Persona::Reader).await;
    let inside = reader
        .get(&format!("/api/v1/meetings/{DEMO_MEETING}"))
        .await
        .json();
    assert_eq!(inside["attendance"].as_array().map(Vec::len), Some(3));
    let action = inside["agenda"][3]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "actiepunt")
        .expect("item 4 has an actiepunt");
    assert_eq!(action["action"]["deadline"], "2025-11-14");
    assert_eq!(action["action"]["body_id"], "bbo-zou");
    assert_eq!(
        visitor
            .get("/api/v1/meetings/geen-vergadering")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The OpenAPI document describes both.
    let doc = visitor.get("/api/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/meetings"].is_object());
    assert!(doc["paths"]["/api/v1/meetings/{id}"].is_object());

    // The plan page names the meeting that discussed it.
    let plan = visitor.get("/plannen/netwerk-mentale-gezondheid").await;
    assert!(
        plan.body
            .contains(&format!("href=\"/vergaderingen/{DEMO_MEETING}#punt-6\"")),
        "the plan page links the agenda item"
    );
}

#[tokio::test]
async fn what_changed_since_a_meeting_starts_on_its_day() {
    let app = TestApp::with_people().await;
    let visitor = app.anonymous();
    let page = visitor
        .get(&format!("/wijzigingen?sinds={DEMO_MEETING}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.text("main").contains(
            "sinds de vergadering Breed Bestuurlijk Overleg (BBO) ZOU Verbonden van 9 oktober 2025"
        ),
        "{}",
        page.text("main")
    );
    assert_eq!(page.value("#veld-van").as_deref(), Some("2025-10-09"));
    // The meeting is a choice in the form; the body's page links to it.
    assert!(
        page.body
            .contains(&format!("<option value=\"{DEMO_MEETING}\" selected>"))
    );
    let body = visitor.get(&format!("/overleggen/{BBO}")).await;
    assert!(body.body.contains("/wijzigingen?sinds=bbo-zou-2025-12-18"));
    let api = visitor
        .get(&format!("/api/v1/changes?sinds={DEMO_MEETING}"))
        .await;
    assert_eq!(api.status, StatusCode::OK);
}

#[tokio::test]
async fn a_decision_on_a_plan_sets_its_stage_with_the_meeting_as_source_and_its_day_as_date() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let planned = admin
        .post_form(
            "/overleggen/regiegroep-zou/vergaderingen",
            [
                ("day", "2026-02-12"),
                ("starts", "14:00"),
                ("status", "agenda-vastgesteld"),
            ],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let id = "regiegroep-zou-2026-02-12";
    let version = || async {
        app.store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string()
    };
    let plan = "utrechtse-zorgfabriek";
    let added = admin
        .post_form(
            &format!("/vergaderingen/{id}/agendapunten"),
            [
                ("version", version().await.as_str()),
                ("title", "Transformatieplan Utrechtse Fabriek"),
                ("plan", plan),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let plan_version = app.store.stored_plan(plan).await.unwrap().unwrap().version;

    // A stage needs a besluit; an informatie with a stage is refused and changes nothing.
    let before = app.snapshot().await;
    let refused = admin
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version().await.as_str()),
                ("number", "1"),
                ("kind", "informatie"),
                ("text", "Goedgekeurd."),
                ("decision_plan", plan),
                ("decision_stage", "tp-goedgekeurd"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("href=\"#veld-uitkomst-decision_plan\"")
    );
    assert_eq!(app.snapshot().await, before);

    // One act: the besluit is recorded and the plan's stage changes with it.
    let decided = admin
        .post_form(
            &format!("/vergaderingen/{id}/uitkomsten"),
            [
                ("version", version().await.as_str()),
                ("number", "1"),
                ("kind", "besluit"),
                ("text", "Het transformatieplan is goedgekeurd."),
                ("decision_plan", plan),
                ("decision_stage", "tp-goedgekeurd"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let stored = app.store.stored_plan(plan).await.unwrap().unwrap();
    assert_eq!(
        stored.stage,
        Some(regiomonitor::domain::Stage::parse("tp-goedgekeurd").unwrap())
    );
    assert_eq!(
        stored.version,
        plan_version + 1,
        "an open edit form of the plan gets a conflict"
    );
    let detail = admin.get(&format!("/api/v1/plans/{plan}")).await.json();
    let last = detail["history"]
        .as_array()
        .expect("stage history")
        .iter()
        .find(|s| s["date"] == "2026-02-12")
        .expect("a stage step on the meeting's day");
    assert_eq!(last["stage"], "tp-goedgekeurd");
    let source = last["source_id"].as_str().expect("a source");
    let sources = admin.get("/api/v1/sources?per_pagina=1000").await.json();
    let row = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == source)
        .expect("the source exists");
    assert!(
        row["title"].as_str().unwrap().contains("Regiegroep"),
        "{row}"
    );
    assert_eq!(row["date"], "2026-02-12");
    // The meeting shows the decision with its plan; the plan page shows the meeting.
    let page = admin.get(&format!("/vergaderingen/{id}")).await;
    assert!(
        page.text(".rm-outcome--besluit")
            .contains("transformatieplan goedgekeurd")
    );
    let plan_page = admin.get(&format!("/plannen/{plan}")).await;
    assert!(
        plan_page
            .body
            .contains(&format!("/vergaderingen/{id}#punt-1"))
    );

    // The besluitenlijst: filtered by body and plan, and as a download.
    let list = admin
        .get(&format!("/besluiten?overleg=regiegroep-zou&plan={plan}"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.count("tbody tr"), 1);
    assert!(
        list.text("tbody")
            .contains("Het transformatieplan is goedgekeurd.")
    );
    let other_body = admin.get("/besluiten?overleg=bbo-zou").await;
    assert_eq!(other_body.count("tbody tr"), 0);
    let later = admin.get("/besluiten?van=2026-03-01").await;
    assert_eq!(later.count("tbody tr"), 0);
    let csv = admin.get(&format!("/besluiten.csv?plan={plan}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Het transformatieplan is goedgekeurd."));
    assert!(csv.body.contains("2026-02-12"));
    // A visitor sees it once the verslag is vastgesteld.
    assert_eq!(app.anonymous().get("/besluiten").await.count("tbody tr"), 0);
    let fixed = admin
        .post_form(
            &format!("/vergaderingen/{id}/bewerken"),
            [
                ("version", version().await.as_str()),
                ("day", "2026-02-12"),
                ("starts", "14:00"),
                ("status", "verslag-vastgesteld"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    assert_eq!(app.anonymous().get("/besluiten").await.count("tbody tr"), 1);
    let bad = app.anonymous().get("/besluiten?van=gisteren").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_verslag_is_a_tagged_pdf_with_what_the_viewer_may_see() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let pdf = reader
        .get(&format!("/vergaderingen/{DEMO_MEETING}/verslag.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.header_values("content-type"), ["application/pdf"]);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert!(
        pdf.header_values("content-disposition")[0]
            .contains(&format!("verslag-{DEMO_MEETING}.pdf"))
    );
    // A visitor gets the agenda: the verslag is in concept.
    let public = app
        .anonymous()
        .get(&format!("/vergaderingen/{DEMO_MEETING}/verslag.pdf"))
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.header_values("content-disposition")[0]
            .contains(&format!("agenda-{DEMO_MEETING}.pdf"))
    );
    let Some(text) = crate::quarterly::poppler(&pdf.bytes, "pdftotext", &["-layout", "{}", "-"])
    else {
        return;
    };
    assert!(text.contains("Verslag Breed Bestuurlijk Overleg"), "{text}");
    assert!(text.contains("14 november 2025"), "{text}");
    assert!(!text.contains('@'), "no e-mail address");
    let public_text =
        crate::quarterly::poppler(&public.bytes, "pdftotext", &["-layout", "{}", "-"]).unwrap();
    assert!(!public_text.contains("14 november 2025"), "{public_text}");
    let xmp = crate::quarterly::poppler(&pdf.bytes, "pdfinfo", &["-meta", "{}"]).unwrap();
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
}

#[tokio::test]
async fn a_beheerder_records_who_attended_by_organisation_and_role() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let version = || async {
        app.store
            .meeting(DEMO_MEETING)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string()
    };
    let before = app.snapshot().await;
    let refused = admin
        .post_form(
            &format!("/vergaderingen/{DEMO_MEETING}/aanwezigen"),
            [
                ("version", version().await.as_str()),
                ("role", "voorzitter"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("href=\"#veld-aanwezig-organisation\"")
    );
    assert_eq!(app.snapshot().await, before);
    // An organisation and a description together are refused at the description; what was
    // typed comes back.
    let both = admin
        .post_form(
            &format!("/vergaderingen/{DEMO_MEETING}/aanwezigen"),
            [
                ("version", version().await.as_str()),
                ("organisation", "unicum"),
                ("description", "de huisartsen"),
                ("role", "gastheer"),
            ],
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(both.body.contains("href=\"#veld-aanwezig-description\""));
    let typed = both.form_values(&format!(
        "form[action='/vergaderingen/{DEMO_MEETING}/aanwezigen']"
    ));
    assert!(
        typed.contains(&("role".to_owned(), "gastheer".to_owned())),
        "{typed:?}"
    );
    assert_eq!(app.snapshot().await, before);
    let added = admin
        .post_form(
            &format!("/vergaderingen/{DEMO_MEETING}/aanwezigen"),
            [
                ("version", version().await.as_str()),
                (
                    "description",
                    "de wethouders van de vijf Lekstroomgemeenten",
                ),
                ("role", "bestuurder"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = admin.get(&format!("/vergaderingen/{DEMO_MEETING}")).await;
    assert!(
        page.text("main")
            .contains("de wethouders van de vijf Lekstroomgemeenten (bestuurder)")
    );
    let json = admin
        .get(&format!("/api/v1/meetings/{DEMO_MEETING}"))
        .await
        .json();
    assert_eq!(json["attendance"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_called_off_meeting_stays_with_its_reason_and_is_cancelled_in_the_calendar() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let next = "bbo-zou-2025-12-18";
    let version = || async {
        app.store
            .meeting(next)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string()
    };
    // Without a reason nothing changes.
    let before = app.snapshot().await;
    let refused = admin
        .post_form(
            &format!("/vergaderingen/{next}/annuleren"),
            [
                ("version", version().await.as_str()),
                ("action", "afgelast"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("href=\"#veld-annuleer-cancel_reason\"")
    );
    assert_eq!(app.snapshot().await, before);

    let cancelled = admin
        .post_form(
            &format!("/vergaderingen/{next}/annuleren"),
            [
                ("version", version().await.as_str()),
                ("action", "afgelast"),
                ("cancel_reason", "Te weinig agendapunten"),
            ],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let visitor = app.anonymous();
    let page = visitor.get(&format!("/vergaderingen/{next}")).await;
    assert!(page.text(".rm-alert").contains("Te weinig agendapunten"));
    let trail = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE record_id = '{next}' AND field = 'cancelled'
               AND new_value = 'geannuleerd: Te weinig agendapunten'"
        ))
        .await;
    assert_eq!(trail, 1);
    // The same again changes nothing and says so.
    let before = app.snapshot().await;
    let again = admin
        .post_form(
            &format!("/vergaderingen/{next}/annuleren"),
            [
                ("version", version().await.as_str()),
                ("action", "afgelast"),
                ("cancel_reason", "Te weinig agendapunten"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text("main").contains("al met deze reden geannuleerd"));
    assert_eq!(app.snapshot().await, before);
    let body = visitor.get(&format!("/overleggen/{BBO}")).await;
    assert!(body.text("main").contains("Geannuleerd"));
    let feed = visitor
        .get(&format!("/overleggen/{BBO}/vergaderingen.ics"))
        .await
        .body;
    let event = feed
        .split("BEGIN:VEVENT")
        .find(|e| e.contains(&format!("UID:{next}@regiomonitor")))
        .unwrap();
    assert!(event.contains("STATUS:CANCELLED"), "{event}");
    let ori = visitor
        .get("/api/v1/openraadsinformatie?overleg=bbo-zou")
        .await
        .json();
    let v = ori["vergaderingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == next)
        .unwrap();
    assert_eq!(v["status"], "geannuleerd");

    // It goes ahead after all: the calendar says so again, the agenda stayed.
    let back = admin
        .post_form(
            &format!("/vergaderingen/{next}/annuleren"),
            [
                ("version", version().await.as_str()),
                ("action", "gaat-door"),
            ],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let feed = visitor
        .get(&format!("/overleggen/{BBO}/vergaderingen.ics"))
        .await
        .body;
    assert!(!feed.contains("STATUS:CANCELLED"));
    let meeting = app.store.meeting(next).await.unwrap().unwrap();
    assert!(!meeting.is_cancelled());
    assert!(meeting.cancel_reason.is_none());
}
