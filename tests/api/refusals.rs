//! A refused write names the field that was wrong the way the caller sent it: the JSON key
//! for the API, the input for a form. Nothing is stored.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{GEMEENTE, PLAN, Page, Persona, TestApp};

fn fields_of(answer: &Page) -> Vec<String> {
    answer.json()["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str().map(str::to_owned))
        .collect()
}

async fn plan_body(app: &TestApp, changes: Value) -> Value {
    let stored = app
        .store
        .stored_plan(PLAN)
        .await
        .expect("store")
        .expect("plan");
    let mut body = json!({
        "version": stored.version,
        "name": stored.fields.name,
        "kind": stored.fields.kind.code(),
        "area_id": stored.fields.area_id,
    });
    for (key, value) in changes.as_object().expect("object") {
        body[key] = value.clone();
    }
    body
}

#[tokio::test]
async fn an_api_save_with_an_unknown_area_names_area_id() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let body = plan_body(&app, json!({"area_id": "GM9999"})).await;
    let before = app.snapshot().await;

    let answer = admin
        .send_json(Method::PUT, &format!("/api/v1/plans/{PLAN}"), &body)
        .await;

    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(fields_of(&answer), ["area_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_api_save_that_puts_a_plan_under_itself_names_parent_id() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let body = plan_body(&app, json!({"parent_id": PLAN})).await;
    let before = app.snapshot().await;

    let answer = admin
        .send_json(Method::PUT, &format!("/api/v1/plans/{PLAN}"), &body)
        .await;

    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(fields_of(&answer), ["parent_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_api_stage_change_with_an_unknown_source_names_its_key_in_stage_change() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let body = plan_body(
        &app,
        json!({"stage_change": {"stage": "tp-goedgekeurd", "date": "2025-10-09", "source_id": "bestaat-niet"}}),
    )
    .await;
    let before = app.snapshot().await;

    let answer = admin
        .send_json(Method::PUT, &format!("/api/v1/plans/{PLAN}"), &body)
        .await;

    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(fields_of(&answer), ["stage_change.source_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_api_cell_with_a_district_of_another_gemeente_names_district_id() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.snapshot().await;

    let answer = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{PLAN}/rollouts/{GEMEENTE}"),
            &json!({"version": 0, "status": "loopt", "date": "2025-10-09", "district_id": "geen-wijk"}),
        )
        .await;

    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(fields_of(&answer), ["district_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_api_cell_with_an_unknown_source_names_source_id() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.snapshot().await;

    let answer = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/plans/{PLAN}/rollouts/{GEMEENTE}"),
            &json!({"version": 0, "status": "loopt", "date": "2025-10-09", "source_id": "bestaat-niet"}),
        )
        .await;

    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(fields_of(&answer), ["source_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_cell_form_shows_an_unknown_source_at_the_source_input() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let path = format!("/plannen/{PLAN}/uitrol/{GEMEENTE}");
    let before = app.snapshot().await;

    let page = admin
        .post_form(
            &path,
            [
                ("version", "0"),
                ("status", "loopt"),
                ("date", "2025-10-09"),
                ("source", "bestaat-niet"),
            ],
        )
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.text("p.rm-field-error[id$='source']")
            .contains("kies een bron uit de lijst"),
        "{}",
        page.body
    );
    assert_eq!(app.snapshot().await, before);
}
