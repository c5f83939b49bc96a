//! Search (`/zoeken`, `/api/v1/search`) on the demo: names and codes in any case and with or
//! without accents, the index following every write (and filled by an import and at start),
//! and a Dutch answer when there is nothing to find.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Client, PLAN, Page, Persona, TestApp, set_field};

/// The hits of one group (`Plannen`, `Gemeenten`, ...) on a result page: (address, title).
fn group(page: &Page, heading: &str) -> Vec<(String, String)> {
    let html = page.html();
    let section = scraper::Selector::parse("section.rm-search-group").expect("selector");
    let h2 = scraper::Selector::parse("h2").expect("selector");
    let link = scraper::Selector::parse("a.rm-search-hit__title").expect("selector");
    html.select(&section)
        .find(|s| {
            s.select(&h2)
                .next()
                .is_some_and(|h| h.text().collect::<String>().starts_with(heading))
        })
        .map(|s| {
            s.select(&link)
                .map(|a| {
                    (
                        a.value().attr("href").unwrap_or_default().to_owned(),
                        a.text().collect::<String>(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn search_path(q: &str) -> String {
    let query: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/zoeken?q={query}")
}

async fn search(client: &Client, q: &str) -> Page {
    let page = client.get(&search_path(q)).await;
    assert_eq!(page.status, StatusCode::OK, "{q}: {}", page.body);
    page
}

#[tokio::test]
async fn a_gemeente_is_found_by_its_name_in_any_case() {
    let app = TestApp::demo().await;
    let anonymous = app.anonymous();
    for q in [
        "wijk bij duurstede",
        "WIJK BIJ DUURSTEDE",
        "  Wijk   bij Duurstede ",
    ] {
        let page = search(&anonymous, q).await;
        let gemeenten = group(&page, "Gemeenten");
        assert_eq!(
            gemeenten.first(),
            Some(&(
                "/gemeenten/GM0352".to_owned(),
                "Wijk bij Duurstede".to_owned()
            )),
            "{q}: {gemeenten:?}"
        );
        let summary = page.text("main p[role=status]");
        assert!(summary.contains(" resulta"), "{summary}");
        assert!(summary.contains("1 gemeente"), "{summary}");
    }
}

#[tokio::test]
async fn codes_find_their_records_first_and_are_shown() {
    let app = TestApp::demo().await;
    let anonymous = app.anonymous();
    for (q, heading, href) in [
        ("GM0355", "Gemeenten", "/gemeenten/GM0355"),
        ("gm0355", "Gemeenten", "/gemeenten/GM0355"),
        ("unicum", "Organisaties", "/organisaties/unicum"),
        ("mtvp-consultduur", "KPI's", "/indicatoren/mtvp-consultduur"),
        (PLAN, "Plannen", "/plannen/versterken-eerstelijn"),
    ] {
        let page = search(&anonymous, q).await;
        let hits = group(&page, heading);
        assert_eq!(
            hits.first().map(|(h, _)| h.as_str()),
            Some(href),
            "{q}: {hits:?}"
        );
        let codes = page.texts(".rm-search-hit__code");
        assert!(
            codes.iter().any(|c| c.eq_ignore_ascii_case(q)),
            "{q}: the code is shown: {codes:?}"
        );
    }
}

#[tokio::test]
async fn words_without_accents_find_texts_with_them_and_the_index_follows_a_new_record() {
    let app = TestApp::with_people().await;
    let anonymous = app.anonymous();

    // The demo's plan "Coördinatiepunt wijkverpleging", by its name and in its texts.
    let page = search(&anonymous, "coordinatiepunt").await;
    assert!(
        group(&page, "Plannen").contains(&(
            "/plannen/coordinatiepunt-wijkverpleging".to_owned(),
            "Coördinatiepunt wijkverpleging".to_owned()
        )),
        "{}",
        page.body
    );
    let page = search(&anonymous, "wijkverpleegkundig coordinatiepunt").await;
    assert_eq!(
        group(&page, "Plannen").first().map(|(h, _)| h.as_str()),
        Some("/plannen/coordinatiepunt-wijkverpleging")
    );
    let snippet = page.text(".rm-search-hit__snippet");
    assert!(snippet.starts_with("Waar gaat het over:"), "{snippet}");
    assert_eq!(
        page.text(".rm-search-hit__snippet mark").to_lowercase(),
        "wijkverpleegkundig"
    );

    // A record whose only "coordinatiepunt" is its accented name (its id has none), made
    // through the beheerder's form: found by the word without accent, once it exists.
    let page = search(&anonymous, "coordinatiepunt wijkzorg").await;
    assert!(group(&page, "Organisaties").is_empty());
    let admin = app.login_as(Persona::Admin).await;
    let mut fields = admin
        .get("/organisaties/nieuw")
        .await
        .form_values("form[action='/organisaties']");
    set_field(&mut fields, "id", "wijkpunt-zeist");
    set_field(&mut fields, "name", "Coördinatiepunt Wijkzorg Zeist");
    set_field(&mut fields, "kind", "zorgaanbieder");
    let created = admin.post_form("/organisaties", fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);

    for q in [
        "coordinatiepunt wijkzorg",
        "COÖRDINATIEPUNT wijkzorg",
        "Coördinatiepunt",
    ] {
        let page = search(&anonymous, q).await;
        assert_eq!(
            group(&page, "Organisaties"),
            [(
                "/organisaties/wijkpunt-zeist".to_owned(),
                "Coördinatiepunt Wijkzorg Zeist".to_owned()
            )],
            "{q}"
        );
    }
}

#[tokio::test]
async fn an_edited_plan_name_is_found_under_the_new_name_and_no_longer_under_the_old() {
    let app = TestApp::with_people().await;
    let anonymous = app.anonymous();
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let href = format!("/plannen/{PLAN}");

    // Through the trekker's form: "Versterken eerstelijn" becomes "Zonnebloemproject Heuvelrug".
    let edit = format!("/plannen/{PLAN}/bewerken");
    let mut fields = lead
        .get(&edit)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut fields, "name", "Zonnebloemproject Heuvelrug");
    let saved = lead.post_form(&edit, fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = search(&anonymous, "zonnebloemproject").await;
    assert_eq!(
        group(&page, "Plannen"),
        [(href.clone(), "Zonnebloemproject Heuvelrug".to_owned())]
    );
    let page = search(&anonymous, "versterken eerstelijn").await;
    assert_eq!(
        group(&page, "Plannen").first(),
        Some(&(href.clone(), "Zonnebloemproject Heuvelrug".to_owned())),
        "only its slug holds the old words now"
    );

    // Through the API: it becomes "Regenboogproject Heuvelrug".
    let admin = app.login_as(Persona::Admin).await;
    let plan = app.get(&format!("/api/v1/plans/{PLAN}")).await.json();
    let input = json!({
        "version": plan["version"],
        "name": "Regenboogproject Heuvelrug",
        "kind": plan["kind"],
        "area_id": plan["area_id"],
    });
    let saved = admin
        .send_json(Method::PUT, &format!("/api/v1/plans/{PLAN}"), &input)
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let page = search(&anonymous, "regenboogproject").await;
    assert_eq!(
        group(&page, "Plannen"),
        [(href.clone(), "Regenboogproject Heuvelrug".to_owned())]
    );
    let page = search(&anonymous, "zonnebloemproject").await;
    assert!(group(&page, "Plannen").is_empty(), "{}", page.body);
    assert!(
        page.text("main [role=status]")
            .starts_with("Niets gevonden")
    );
    // Its slug still finds it, under its new name.
    let page = search(&anonymous, PLAN).await;
    assert_eq!(
        group(&page, "Plannen").first(),
        Some(&(href, "Regenboogproject Heuvelrug".to_owned()))
    );
}

#[tokio::test]
async fn nothing_found_an_empty_question_and_a_long_one_get_a_dutch_answer() {
    let app = TestApp::demo().await;
    let anonymous = app.anonymous();

    let page = search(&anonymous, "xyzzy-bestaat-niet").await;
    assert_eq!(page.count("section.rm-search-group"), 0);
    assert_eq!(
        page.text("main [role=status]"),
        "Niets gevonden voor \"xyzzy-bestaat-niet\". Controleer de spelling, gebruik minder woorden of zoek op een deel van een naam of een code, zoals GM0355."
    );
    // % and _ are characters like any other, not wildcards: "zeist" is not "z%t" or "z_ist".
    for q in ["z%t", "z_ist"] {
        let page = search(&anonymous, q).await;
        assert_eq!(page.count("section.rm-search-group"), 0, "{q}");
    }

    for path in ["/zoeken", "/zoeken?q=", "/zoeken?q=+++"] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.text(".rm-alert")
                .starts_with("Vul een of meer woorden in")
        );
        assert_eq!(page.attr("#zoekvraag", "name").as_deref(), Some("q"));
    }

    let long = "zorg ".repeat(50);
    let page = anonymous.get(&search_path(&long)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.text(".rm-alert").contains("Gebruik er hoogstens 200"),
        "{}",
        page.body
    );
    let api = anonymous
        .get(&format!("/api/v1/search?q={}", "a".repeat(201)))
        .await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.json()["error"], "bad_request");
    let api = anonymous.get("/api/v1/search?q=").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    let bad = anonymous.get("/zoeken?q=zeist&soort=wijken").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_page_has_the_search_form_and_the_api_answers_with_the_same_hits() {
    let app = TestApp::demo().await;
    let anonymous = app.anonymous();

    for path in ["/", "/plannen", "/gemeenten/GM0355", "/zoeken?q=zeist"] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            page.count("header form[role=search][action='/zoeken'][method=get] input[name=q]"),
            1,
            "{path}"
        );
        assert_eq!(
            page.text("header label[for=zoeken-kop]"),
            "Zoeken",
            "{path}"
        );
    }

    let api = anonymous.get("/api/v1/search?q=zeist").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let body = api.json();
    let total = body["total"].as_u64().expect("a total");
    assert!(total > 0);
    assert_eq!(
        api.headers["x-total-count"].to_str().expect("a header"),
        total.to_string()
    );
    let hits = body["hits"].as_array().expect("hits");
    assert!(hits.iter().any(|h| h["kind"] == "gemeente"
        && h["id"] == "GM0355"
        && h["href"] == "/gemeenten/GM0355"));
    assert_eq!(body["counts"]["gemeente"], 1);

    // One kind, a page at a time: the pages together hold every hit, once.
    let plans = body["counts"]["plan"].as_u64().expect("a count");
    let mut seen = BTreeSet::new();
    let mut page = 1;
    loop {
        let part = anonymous
            .get(&format!(
                "/api/v1/search?q=zeist&soort=plannen&per_pagina=2&pagina={page}"
            ))
            .await
            .json();
        let hits = part["hits"].as_array().expect("hits").clone();
        if hits.is_empty() {
            break;
        }
        for h in hits {
            assert_eq!(h["kind"], "plan");
            assert!(seen.insert(h["id"].as_str().expect("an id").to_owned()));
        }
        page += 1;
    }
    assert_eq!(seen.len() as u64, plans);
    let openapi = anonymous.get("/api/openapi.json").await.json();
    assert!(openapi["paths"]["/api/v1/search"].is_object());
}

/// How many rows the search index holds, and how many records it should hold.
async fn index_and_records(app: &TestApp) -> (i64, i64) {
    let entries = app.scalar("SELECT COUNT(*) FROM search_entries").await;
    let records = app.scalar("SELECT COUNT(*) FROM plans").await
        + app.scalar("SELECT COUNT(*) FROM organisations").await
        + app
            .scalar("SELECT COUNT(*) FROM areas WHERE kind = 'gemeente'")
            .await
        + app.scalar("SELECT COUNT(*) FROM indicators").await;
    (entries, records)
}

#[tokio::test]
async fn an_import_fills_the_index_and_a_store_without_it_gets_it_at_start() {
    let app = TestApp::empty().await;
    assert_eq!(index_and_records(&app).await, (0, 0));
    app.store
        .load_demo(&regiomonitor::store::Actor::system(
            "test",
            regiomonitor::domain::Channel::Cli,
        ))
        .await
        .expect("the demo loads");
    let (entries, records) = index_and_records(&app).await;
    assert!(records > 100, "{records}");
    assert_eq!(entries, records);

    // A store from before the index: its rows come back when it is opened.
    sqlx::query("DELETE FROM search_entries")
        .execute(app.store.pool())
        .await
        .expect("emptied");
    let version = app.store.data_version().await.expect("a version");
    let reopened = regiomonitor::store::Store::open(&app._db.url)
        .await
        .expect("store opens");
    assert_eq!(index_and_records(&app).await, (records, records));
    assert!(reopened.data_version().await.expect("a version") > version);
    let router = regiomonitor::web::router(reopened);
    let page = crate::helpers::send(
        &router,
        axum::http::Request::get("/zoeken?q=GM0355")
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(group(&page, "Gemeenten").len(), 1);
}

/// Many hits are read a rank at a time along the index of names; a few are sorted in one
/// statement. Both give the same hits in the same order, for every window of a page.
#[tokio::test]
async fn many_hits_come_a_rank_at_a_time_in_the_order_one_sort_gives() {
    use regiomonitor::cli::generate;
    use regiomonitor::domain::Channel;
    use regiomonitor::features::search::index::Kind;
    use regiomonitor::features::search::repo::Question;
    use regiomonitor::store::Actor;

    let app = TestApp::empty().await;
    app.store
        .import_portfolio(
            &Actor::system("test", Channel::Import),
            &generate::portfolio(260),
        )
        .await
        .expect("generated portfolio stored");
    let ids = |hits: Vec<regiomonitor::features::search::repo::Hit>| {
        hits.into_iter().map(|h| h.id).collect::<Vec<_>>()
    };
    // "t": in most names and in every plan's text (two ranks); "plan": in every code;
    // "plan-00123": one code, the whole question (the first rank); "zorg 0012": two words.
    for text in ["t", "plan", "schaal", "plan-00123", "zorg 0012"] {
        let q = Question::parse(text).expect("a question");
        let counts = app.store.search_counts(&q).await.expect("counts");
        let found = counts
            .iter()
            .find(|(k, _)| *k == Kind::Plan)
            .map_or(0, |(_, n)| *n);
        let n = i64::try_from(found).expect("a count");
        // One sort (found 0) against the walk by rank (found beyond every limit).
        let sorted = ids(app
            .store
            .search(&q, Kind::Plan, 0, n + 5, 0)
            .await
            .expect("sorted"));
        assert_eq!(sorted.len(), found, "{text}: every hit once");
        let walked = ids(app
            .store
            .search(&q, Kind::Plan, usize::MAX, n + 5, 0)
            .await
            .expect("walked"));
        assert_eq!(walked, sorted, "{text}: the whole list");
        for (limit, offset) in [
            (10, 0),
            (10, 7),
            (25, 40),
            (7, (n - 3).max(0)),
            (3, n),
            (1, 0),
        ] {
            let window = ids(app
                .store
                .search(&q, Kind::Plan, usize::MAX, limit, offset)
                .await
                .expect("a window"));
            let expected: Vec<String> = sorted
                .iter()
                .skip(usize::try_from(offset).expect("offset"))
                .take(usize::try_from(limit).expect("limit"))
                .cloned()
                .collect();
            assert_eq!(window, expected, "{text}: {limit} from {offset}");
        }
        if text == "t" {
            // Names with the word first, then the rest: the walk crossed from one rank into
            // the next.
            let hits = app
                .store
                .search(&q, Kind::Plan, usize::MAX, n, 0)
                .await
                .expect("all");
            let named: Vec<bool> = hits
                .iter()
                .map(|h| h.title.to_lowercase().contains('t'))
                .collect();
            let first_elsewhere = named.iter().position(|n| !n).expect("a hit in the texts");
            assert!(first_elsewhere > 0, "hits in the name come first");
            assert!(named[first_elsewhere..].iter().all(|n| !n), "{named:?}");
        }
        if text == "plan" || text == "t" {
            assert!(
                found > 200,
                "{text}: more hits than are sorted at once ({found})"
            );
        }
    }
    // The first rank comes first: the code that is the whole question.
    let q = Question::parse("plan-00123").expect("a question");
    let first = app
        .store
        .search(&q, Kind::Plan, usize::MAX, 1, 0)
        .await
        .expect("first");
    assert_eq!(first.first().map(|h| h.id.as_str()), Some("plan-00123"));
}
