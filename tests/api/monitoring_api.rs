//! The monitoring part of the JSON API: KPI's with their status per area, observations (read,
//! and written with a token), and follow-up actions; all in the OpenAPI document.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Persona, TestApp};

async fn token_of(app: &TestApp, persona: Persona) -> String {
    let user = app
        .store
        .credentials(persona.email())
        .await
        .expect("credentials")
        .expect("account")
        .user;
    let secret = format!("rm_{}", regiomonitor::auth::new_secret().0);
    app.store
        .create_token(
            &regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Cli),
            &user,
            "test",
            &regiomonitor::auth::secret_hash(&secret),
            &secret[..8],
            regiomonitor::store::now_unix(),
        )
        .await
        .expect("token");
    secret
}

#[tokio::test]
async fn the_kpi_list_and_one_kpi_with_its_status_per_gemeente_are_json() {
    let app = TestApp::demo().await;

    let list = app.get("/api/v1/indicators").await;
    let one = app.get("/api/v1/indicators/mtvp-consultduur").await;

    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().map(Vec::len), Some(14));
    assert_eq!(one.status, StatusCode::OK);
    let detail = one.json();
    assert_eq!(detail["indicator"]["target_value"], 15.0);
    assert_eq!(detail["indicator"]["plans"], json!(["mtvp"]));
    let statuses = detail["statuses"].as_array().expect("statuses");
    assert_eq!(statuses.len(), 24, "one per gemeente of the region");
    let zeist = statuses
        .iter()
        .find(|s| s["area_id"] == "GM0355")
        .expect("Zeist");
    assert_eq!(zeist["latest"]["period"], "2026-Q3");
    assert_eq!(zeist["latest"]["is_example"], true);
    assert!(
        ["op-koers", "achter", "niet-gehaald"].contains(&zeist["status"].as_str().unwrap_or(""))
    );
    assert_eq!(
        app.get("/api/v1/indicators/bestaat-niet").await.json()["error"],
        "not_found"
    );
}

#[tokio::test]
async fn one_series_comes_oldest_first_and_without_an_area_the_latest_per_area() {
    let app = TestApp::demo().await;

    let series = app
        .get("/api/v1/indicators/mtvp-consultduur/observations?gebied=GM0310")
        .await
        .json();
    let latest = app
        .get("/api/v1/indicators/mtvp-consultduur/observations")
        .await
        .json();

    let periods: Vec<&str> = series
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["period"].as_str())
        .collect();
    assert_eq!(
        periods,
        [
            "2025-Q1", "2025-Q2", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"
        ],
        "De Bilt misses 2025-Q3 in the example data"
    );
    assert_eq!(latest.as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn a_trekker_posts_an_observation_with_a_token_and_it_is_in_the_trail() {
    let app = TestApp::with_people().await;
    let client = app.bearer(&token_of(&app, Persona::LeadOfPlan).await);
    let before = app.audit_count().await;

    let saved = client
        .send_json(
            Method::POST,
            "/api/v1/indicators/mtvp-consultduur/observations",
            &json!({"area_id": "GM0355", "period": "2026-Q4", "value": 15.5, "source": "agenda's"}),
        )
        .await;

    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json()["version"], 1);
    let entries = app.audit_since(before).await;
    assert!(entries.iter().any(|e| e.channel == "api"
        && e.record_type == "observation"
        && e.new_value.as_deref() == Some("15,5")));
    let again = client
        .send_json(
            Method::POST,
            "/api/v1/indicators/mtvp-consultduur/observations",
            &json!({"area_id": "GM0355", "period": "2026-Q4", "value": 16.0}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "version 0 for a stored value"
    );
}

#[tokio::test]
async fn a_bad_observation_over_the_api_names_its_fields_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let client = app.bearer(&token_of(&app, Persona::Admin).await);
    let before = app.snapshot().await;

    let answer = client
        .send_json(
            Method::POST,
            "/api/v1/indicators/mtvp-consultduur/observations",
            &json!({"area_id": "GM0355", "period": "2026-11"}),
        )
        .await;

    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = answer.json();
    assert_eq!(body["error"], "invalid");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["period", "value"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_openapi_document_describes_the_monitoring_endpoints() {
    let app = TestApp::demo().await;
    let doc = app.get("/api/openapi.json").await.json();
    for path in [
        "/api/v1/indicators",
        "/api/v1/indicators/{id}",
        "/api/v1/indicators/{id}/observations",
        "/api/v1/actions",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is missing");
    }
    assert!(doc["paths"]["/api/v1/indicators/{id}/observations"]["post"].is_object());
    assert_eq!(app.get("/api/v1/actions").await.json(), json!([]));
}
