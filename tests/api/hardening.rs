//! What the server answers to what it must not keep, believe or choke on: headers for
//! caches and referrers, bad characters and sizes, the framework's own rejections.

use axum::http::{StatusCode, header};

use crate::helpers::{PLAN, Persona, TestApp};

#[tokio::test]
async fn signed_in_answers_are_never_stored_and_every_page_varies_by_cookie() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;

    for path in [
        "/account",
        "/beheer/gebruikers",
        &format!("/plannen/{PLAN}"),
        "/api/v1/plans",
    ] {
        let page = admin.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            page.header_values(header::CACHE_CONTROL.as_str()),
            ["no-store"],
            "{path}"
        );
        assert!(
            page.header_values(header::VARY.as_str())
                .iter()
                .any(|v| v == "Cookie"),
            "{path}"
        );
        assert_eq!(
            page.header_values(header::REFERRER_POLICY.as_str()),
            ["same-origin"],
            "{path}"
        );
    }

    let public = app.anonymous().get(&format!("/plannen/{PLAN}")).await;
    assert!(
        public
            .header_values(header::CACHE_CONTROL.as_str())
            .is_empty()
    );
    assert!(
        public
            .header_values(header::VARY.as_str())
            .iter()
            .any(|v| v == "Cookie")
    );
    assert_eq!(
        public.header_values(header::REFERRER_POLICY.as_str()),
        ["same-origin"]
    );
}

#[tokio::test]
async fn a_nul_byte_is_refused_in_the_address_a_form_the_api_and_the_sign_in() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.snapshot().await;

    let page = app.anonymous().get("/plannen/mt%00vp").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.text("main").contains("stuurteken (U+0000)"));

    let query = app.anonymous().get("/plannen?zoek=a%00b").await;
    assert_eq!(query.status, StatusCode::BAD_REQUEST, "{}", query.body);

    let api = app.anonymous().get("/api/v1/plans/mt%00vp").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.json()["error"], "bad_request");

    let mut fields = admin
        .get(&format!("/plannen/{PLAN}/bewerken"))
        .await
        .form_values("form[action$='/bewerken']");
    crate::helpers::set_field(&mut fields, "about", "tekst\u{0}met nul");
    let form = admin
        .post_form(&format!("/plannen/{PLAN}/bewerken"), fields)
        .await;
    assert_eq!(
        form.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        form.body
    );
    assert!(
        form.text("main").contains("Veld \"about\""),
        "{}",
        form.text("main")
    );

    let json = admin
        .send_json(
            axum::http::Method::PUT,
            &format!("/api/v1/plans/{PLAN}"),
            &serde_json::json!({"version": 1, "name": "x\u{0}y"}),
        )
        .await;
    assert_eq!(
        json.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        json.body
    );
    assert_eq!(json.json()["fields"][0]["field"], "name");

    let sign_in = crate::helpers::sign_in(&app.anonymous(), "lezer\u{0}@example.nl", "x").await;
    assert_eq!(sign_in.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_frameworks_own_refusals_are_dutch_pages_and_json_errors() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let csrf = admin.csrf();

    let huge = "x".repeat(3 * 1024 * 1024);
    let too_large = admin
        .post_form(
            &format!("/plannen/{PLAN}/bewerken"),
            [("about", huge.as_str())],
        )
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_large.content_type.starts_with("text/html"));
    assert!(
        too_large.text("main").contains("te groot"),
        "{}",
        too_large.body
    );

    let no_boundary = admin
        .send(
            axum::http::Request::post("/metingen/importeren")
                .header(header::CONTENT_TYPE, "multipart/form-data")
                .header("x-csrf-token", csrf.as_str())
                .body(axum::body::Body::from("rommel"))
                .expect("request"),
        )
        .await;
    assert_eq!(no_boundary.status, StatusCode::BAD_REQUEST);
    assert!(no_boundary.content_type.starts_with("text/html"));
    assert!(
        no_boundary
            .text("main")
            .contains("Het bestand kon niet worden gelezen")
    );

    for body in ["{", r#"{"version": "een", "name": 5}"#] {
        let json = admin
            .send(
                axum::http::Request::put(format!("/api/v1/plans/{PLAN}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from(body))
                    .expect("request"),
            )
            .await;
        assert!(json.status.is_client_error(), "{}", json.body);
        assert!(json.content_type.starts_with("application/json"), "{body}");
        assert!(
            json.json()["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("De JSON kon niet worden gelezen")),
            "{}",
            json.body
        );
    }

    let wrong_type = admin
        .send(
            axum::http::Request::put(format!("/api/v1/plans/{PLAN}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(axum::body::Body::from("{}"))
                .expect("request"),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(wrong_type.json()["error"], "bad_request");

    let wrong_method = app
        .anonymous()
        .send(
            axum::http::Request::delete("/plannen")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.content_type.starts_with("text/html"));
    assert!(
        wrong_method
            .text("[role=alert]")
            .contains("Dit adres kan dit niet")
    );
}

#[tokio::test]
async fn texts_longer_than_their_kind_allows_are_refused_at_their_field_on_every_door() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.snapshot().await;

    let mut fields = admin
        .get(&format!("/plannen/{PLAN}/bewerken"))
        .await
        .form_values("form[action$='/bewerken']");
    crate::helpers::set_field(&mut fields, "about", &"a".repeat(20_001));
    let form = admin
        .post_form(&format!("/plannen/{PLAN}/bewerken"), fields)
        .await;
    assert_eq!(
        form.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        form.text("#fouten")
    );
    assert!(
        form.text("#fout-about")
            .contains("20001 tekens lang en mag er hoogstens 20000 hebben"),
        "{}",
        form.text("#fouten")
    );

    let stored = app
        .store
        .stored_plan(PLAN)
        .await
        .expect("store")
        .expect("plan");
    let api = admin
        .send_json(
            axum::http::Method::PUT,
            &format!("/api/v1/plans/{PLAN}"),
            &serde_json::json!({
                "version": stored.version,
                "name": "n".repeat(201),
                "kind": stored.fields.kind.code(),
                "area_id": stored.fields.area_id,
            }),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert_eq!(api.json()["fields"][0]["field"], "name", "{}", api.body);

    assert_eq!(app.snapshot().await, before);
}

#[test]
fn a_portfolio_file_with_a_too_long_name_or_a_control_character_names_the_line() {
    let bundle = regiomonitor::import::Bundle::demo().with_file(
        "extra.toml",
        format!(
            "[[plan]]\nid = \"proefplan\"\nnaam = \"{}\"\nsoort = \"project\"\ngebied = \"zuidoost-utrecht\"\nbron = \"zou-2\\u0000025\"\n",
            "n".repeat(201)
        ),
    );

    let problems: Vec<String> = match bundle.check() {
        Ok(_) => panic!("refused"),
        Err(p) => p.0.iter().map(ToString::to_string).collect(),
    };

    assert!(
        problems.iter().any(|p| p.starts_with("extra.toml, regel 3")
            && p.contains("veld naam: de tekst is 201 tekens lang")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("extra.toml, regel 6") && p.contains("U+0000")),
        "{problems:?}"
    );
}

#[tokio::test]
async fn an_observation_file_with_a_control_character_names_its_line_and_column() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let file = format!(
        "indicator,gebied,periode,waarde,bron,toelichting\n{kpi},GM0344,2031-Q1,12,agenda,goed\n{kpi},GM0344,2031-Q2,12,agenda,met\u{1}teken\n",
        kpi = "mtvp-consultduur"
    );

    let preview = admin
        .upload("/metingen/importeren", "metingen.csv", &file)
        .await;

    let cells = preview.texts("tbody tr td");
    assert_eq!(cells[..2], ["3", "toelichting"], "{cells:?}");
    assert!(cells[2].contains("U+0001"), "{cells:?}");
}

#[tokio::test]
async fn a_writer_that_waits_too_long_for_an_import_gets_a_dutch_503_and_nothing_half_stored() {
    let app = TestApp::with_people().await;
    if app.store.backend() != regiomonitor::store::Backend::Sqlite {
        // PostgreSQL locks rows, not the database: a writer waits only for the same rows.
        return;
    }
    let admin = app.login_as(Persona::Admin).await;
    let path = format!("/plannen/{PLAN}/bewerken");
    let mut fields = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    crate::helpers::set_field(&mut fields, "about", "Geschreven terwijl een import loopt.");
    let before = app.snapshot().await;
    // Another process holds SQLite's write lock, as `import observations` does while it stores.
    let import = app
        .store
        .pool()
        .begin_with("BEGIN IMMEDIATE")
        .await
        .expect("write lock");

    let busy = admin.post_form(&path, fields.clone()).await;

    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.body
    );
    assert_eq!(busy.header_values(header::RETRY_AFTER.as_str()), ["30"]);
    assert!(busy.text("h1").contains("er loopt een import"));
    assert!(busy.text("[role=alert]").contains("niets opgeslagen"));
    drop(import);
    assert_eq!(app.snapshot().await, before);

    let api = admin
        .send_json(
            axum::http::Method::PUT,
            &format!("/api/v1/plans/{PLAN}"),
            &serde_json::json!({}),
        )
        .await;
    assert_ne!(
        api.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "the lock is gone"
    );
    let saved = admin.post_form(&path, fields).await;
    assert_eq!(
        saved.status,
        StatusCode::SEE_OTHER,
        "{}",
        saved.text("#fouten")
    );
}

#[tokio::test]
async fn an_import_whose_first_batch_has_an_empty_value_stores_numbers_in_later_batches() {
    use regiomonitor::domain::{Channel, Period};
    use regiomonitor::features::observations::model::NewObservation;
    let app = TestApp::demo().await;
    let row = |indicator: &str, month: usize, value: Option<f64>| NewObservation {
        indicator_id: indicator.into(),
        area_id: "GM0355".into(),
        period: Period::Month(
            1000 + i16::try_from(month / 12).expect("year"),
            u8::try_from(month % 12 + 1).expect("month"),
        ),
        value,
        narrative: value.is_none().then(|| "verteld".to_owned()),
        judged_status: None,
        source: Some("batchtest".into()),
        note: None,
        is_example: false,
    };
    // A narrative line (no number) first, then numbers: the first batch's statement is kept
    // and run again for the next batches with a number where the first had none.
    let rows: Vec<NewObservation> = std::iter::once(row("regie-op-behandelproces", 0, None))
        .chain((1..13_000).map(|m| row("mtvp-consultduur", m, Some(12.5))))
        .collect();

    let stored = app
        .store
        .import_observations(
            &regiomonitor::store::Actor::system("test", Channel::Cli),
            "batchtest.csv",
            rows,
            |_| {},
        )
        .await
        .expect("stored");

    assert_eq!(stored, 13_000);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM observations WHERE source = 'batchtest' AND value = 12.5")
            .await,
        12_999
    );
}
