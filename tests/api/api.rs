use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_plan_list_returns_every_plan_with_its_fields_and_rollouts() {
    let app = TestApp::demo().await;

    let page = app.get("/api/v1/plans").await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type.starts_with("application/json"));
    let plans = page.json();
    let plans = plans.as_array().expect("an array");
    assert!(plans.len() > 40);
    let first = &plans[0];
    for field in [
        "id",
        "name",
        "kind",
        "area_id",
        "stage",
        "organisations",
        "framework",
        "funding",
        "rollouts",
        "history",
        "milestones",
        "version",
        "is_new",
    ] {
        assert!(
            first.get(field).is_some(),
            "field {field} missing in {first}"
        );
    }
    assert!(
        plans
            .iter()
            .any(|p| !p["rollouts"].as_array().expect("rollouts").is_empty())
    );
}

#[tokio::test]
async fn the_plan_list_takes_the_same_filters_as_the_dashboard() {
    let app = TestApp::demo().await;

    let all = app.get("/api/v1/plans?alles=1").await.json();
    let lekstroom = app
        .get("/api/v1/plans?alles=1&subregio=lekstroom")
        .await
        .json();

    let lekstroom = lekstroom.as_array().expect("array");
    assert!(!lekstroom.is_empty());
    assert!(lekstroom.len() < all.as_array().expect("array").len());
    // Its own plans, region-wide plans, and plans whose working area holds Lekstroom.
    assert!(lekstroom.iter().all(|p| {
        p["area_id"] == "lekstroom"
            || p["area_id"] == "midden-nederland"
            || p["work_areas"]
                .as_array()
                .is_some_and(|w| w.iter().any(|a| a == "lekstroom"))
    }));
    assert!(lekstroom.iter().any(|p| p["id"] == "utrechtse-zorgfabriek"));
}

#[tokio::test]
async fn a_bad_filter_is_a_json_400() {
    let app = TestApp::demo().await;

    let page = app.get("/api/v1/plans?fase=klaar").await;

    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let body = page.json();
    assert_eq!(body["error"], "bad_request");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("fase=klaar")
    );
}

#[tokio::test]
async fn an_unknown_plan_is_a_json_404() {
    let app = TestApp::demo().await;

    let page = app.get("/api/v1/plans/bestaat-niet").await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.json()["error"], "not_found");
}

#[tokio::test]
async fn an_unknown_api_address_is_json_not_html() {
    let app = TestApp::demo().await;

    let page = app.get("/api/v1/onbekend").await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.json()["error"], "not_found");
}

#[tokio::test]
async fn areas_form_a_tree_with_gemeenten_under_subregios() {
    let app = TestApp::demo().await;

    let areas = app.get("/api/v1/areas").await.json();

    let areas = areas.as_array().expect("array");
    let utrecht = areas.iter().find(|a| a["id"] == "GM0344").expect("Utrecht");
    assert_eq!(utrecht["kind"], "gemeente");
    assert_eq!(utrecht["parent_id"], "utrecht-stad");
    assert_eq!(areas.iter().filter(|a| a["kind"] == "subregio").count(), 5);
    assert_eq!(areas.iter().filter(|a| a["kind"] == "gemeente").count(), 24);
}

#[tokio::test]
async fn the_framework_has_four_principles_eight_transformations_five_opgaven_three_fundamenten() {
    let app = TestApp::demo().await;

    let framework = app.get("/api/v1/framework").await.json();

    let items = framework["items"].as_array().expect("items");
    let count = |kind: &str| items.iter().filter(|i| i["kind"] == kind).count();
    assert_eq!(
        (
            count("principe"),
            count("transformatie"),
            count("opgave"),
            count("fundament")
        ),
        (4, 8, 5, 3)
    );
    assert_eq!(count("akkoord"), 3);
}

#[tokio::test]
async fn organisations_sources_bodies_and_funding_sources_are_listed() {
    let app = TestApp::demo().await;

    for path in [
        "/api/v1/organisations",
        "/api/v1/sources",
        "/api/v1/bodies",
        "/api/v1/funding-sources",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.json().as_array().expect("array").is_empty(),
            "{path} is empty"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::demo().await;

    let doc = app.get("/api/openapi.json").await.json();

    assert!(doc["openapi"].as_str().expect("version").starts_with('3'));
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/plans",
        "/api/v1/plans/{id}",
        "/api/v1/areas",
        "/api/v1/organisations",
        "/api/v1/framework",
        "/api/v1/sources",
        "/api/v1/bodies",
        "/api/v1/funding-sources",
    ] {
        assert!(paths.contains_key(path), "{path} is not described");
    }
    assert!(doc["components"]["schemas"]["PlanDetail"].is_object());
}

#[tokio::test]
async fn every_schema_the_openapi_document_refers_to_is_in_it() {
    let app = TestApp::demo().await;

    let doc = app.get("/api/openapi.json").await.json();

    fn refs(v: &serde_json::Value, found: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value.as_str()) {
                        ("$ref", Some(r)) => found.push(r.to_owned()),
                        _ => refs(value, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| refs(i, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r} is not a schema reference"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is referred to but not described"
        );
    }
}
