//! Paging of lists and APIs, and downloads of the whole filtered set.

use axum::http::{StatusCode, header};

use crate::helpers::{Persona, TestApp};

#[tokio::test]
async fn the_plan_list_shows_the_demo_on_one_page_and_pages_on_request() {
    let app = TestApp::demo().await;
    let total = app
        .scalar("SELECT COUNT(*) FROM plans WHERE archived = 0")
        .await;

    let whole = app.get("/plannen").await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(
        i64::try_from(whole.count("tbody tr")).expect("count"),
        total,
        "the default page holds the whole regional portfolio"
    );
    assert_eq!(whole.count("nav[aria-label=\"Pagina's\"]"), 0);

    let second = app.get("/plannen?fase=loopt&per_pagina=5&pagina=2").await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.count("tbody tr"), 5);
    assert!(
        second
            .text("[role=status]")
            .contains("deze pagina toont 6 tot en met 10")
    );
    assert_eq!(
        second.attr("a[rel=prev]", "href").as_deref(),
        Some("/plannen?fase=loopt&per_pagina=5")
    );

    let too_many = app.get("/plannen?per_pagina=5000").await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(too_many.text("[role=alert]").contains("1 tot en met 1000"));
}

#[tokio::test]
async fn the_plan_api_pages_with_headers_and_streams_the_whole_set_on_request() {
    let app = TestApp::demo().await;
    let total = app
        .scalar("SELECT COUNT(*) FROM plans WHERE archived = 0")
        .await;

    let page = app.get("/api/v1/plans?per_pagina=10&pagina=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.json().as_array().expect("array").len(), 10);
    assert_eq!(page.header_values("x-total-count"), [total.to_string()]);
    let link = page.header_values(header::LINK.as_str()).join(",");
    assert!(
        link.contains("pagina=3&per_pagina=10>; rel=\"next\""),
        "{link}"
    );
    assert!(link.contains("rel=\"prev\""), "{link}");

    let all = app.get("/api/v1/plans?alles=1").await;
    assert_eq!(all.status, StatusCode::OK);
    let plans = all.json();
    let plans = plans.as_array().expect("array");
    assert_eq!(i64::try_from(plans.len()).expect("len"), total);
    // The same plans, in the same order, as the pages give them.
    let first = app.get("/api/v1/plans?per_pagina=10").await.json();
    assert_eq!(plans[..10], first.as_array().expect("array")[..]);

    // Without per_pagina a page holds 50 plans, and its next link names no size.
    let default = app.get("/api/v1/plans").await;
    assert_eq!(default.json().as_array().expect("array").len(), 50);
    assert_eq!(plans[..50], default.json().as_array().expect("array")[..]);
    let link = default.header_values(header::LINK.as_str()).join(",");
    assert!(
        link.contains("/api/v1/plans?pagina=2>; rel=\"next\""),
        "{link}"
    );

    let empty = app
        .get("/api/v1/plans?alles=1&fase=gestopt&subregio=lekstroom")
        .await;
    assert_eq!(empty.status, StatusCode::OK);
}

#[tokio::test]
async fn the_plan_list_downloads_as_csv_with_the_filter_and_every_page() {
    let app = TestApp::demo().await;
    let list = app.get("/plannen?fase=loopt&per_pagina=5").await;
    let link = list.attr("a[download]", "href").expect("a download link");
    assert_eq!(link, "/plannen.csv?fase=loopt");
    let expected = app
        .scalar("SELECT COUNT(*) FROM plans WHERE archived = 0 AND stage = 'loopt'")
        .await;

    let csv = app.get(&link).await;

    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.header_values(header::CONTENT_DISPOSITION.as_str())[0].contains("plannen.csv"));
    let text = csv.body.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["id", "naam", "soort", "gebied", "fase", "trekker"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(i64::try_from(rows.len()).expect("len"), expected);
    assert!(rows.iter().all(|r| &r[4] == "Loopt"), "{rows:?}");
}

#[tokio::test]
async fn the_changes_page_and_api_page_through_everything_that_changed() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    for i in 0..7 {
        let path = format!("/plannen/{}/bewerken", crate::helpers::PLAN);
        let mut fields = admin
            .get(&path)
            .await
            .form_values("form[action$='/bewerken']");
        crate::helpers::set_field(&mut fields, "about", &format!("Versie {i}"));
        let saved = admin.post_form(&path, fields).await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{}",
            saved.text("#fouten")
        );
    }
    let total = app
        .scalar("SELECT COUNT(*) FROM audit_log WHERE record_type NOT IN ('user', 'token') AND channel <> 'import'")
        .await;
    assert!(total >= 7, "{total}");

    let page = app.get("/wijzigingen?per_pagina=3&pagina=2").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.text(".rm-lead")
            .contains("deze pagina toont 4 tot en met 6"),
        "{}",
        page.text(".rm-lead")
    );
    assert_eq!(page.count("tbody tr"), 3);

    let api = app.get("/api/v1/changes?per_pagina=3").await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.header_values("x-total-count"), [total.to_string()]);
    let json = api.json();
    let on_page: usize = json["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .map(|p| p["changes"].as_array().expect("changes").len())
        .sum::<usize>()
        + json["other"].as_array().expect("other").len();
    assert_eq!(on_page, 3);
}

#[tokio::test]
async fn every_list_api_pages_with_the_same_keys_and_headers() {
    let app = TestApp::demo().await;
    for (path, table) in [
        ("/api/v1/organisations", "organisations"),
        ("/api/v1/areas", "areas"),
        ("/api/v1/sources", "sources"),
        ("/api/v1/bodies", "bodies"),
        ("/api/v1/indicators", "indicators"),
        // A visitor sees no actiepunt of a meeting whose verslag is not vastgesteld yet.
        ("/api/v1/actions", "actions WHERE meeting_id IS NULL"),
    ] {
        let total = app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await;
        let whole = app.get(path).await;
        assert_eq!(whole.status, StatusCode::OK, "{path}");
        assert_eq!(
            i64::try_from(whole.json().as_array().expect("array").len()).expect("len"),
            total,
            "{path}: the default page holds the demo's list"
        );
        assert_eq!(
            whole.header_values("x-total-count"),
            [total.to_string()],
            "{path}"
        );
        let second = app.get(&format!("{path}?per_pagina=2&pagina=2")).await;
        let expected = (total - 2).clamp(0, 2);
        assert_eq!(
            i64::try_from(second.json().as_array().expect("array").len()).expect("len"),
            expected,
            "{path}"
        );
        let refused = app.get(&format!("{path}?per_pagina=0")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(refused.json()["error"], "bad_request");
    }
}

#[tokio::test]
async fn the_organisation_list_pages_on_request() {
    let app = TestApp::demo().await;
    let total = app.scalar("SELECT COUNT(*) FROM organisations").await;

    let page = app.get("/organisaties?per_pagina=10&pagina=2").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("tbody tr"), 10);
    assert!(
        page.text("nav[aria-label=\"Pagina's\"]")
            .contains(&format!("Regel 11 tot en met 20 van {total}"))
    );
}
