//! What a value must fit on every way in (form, API, CSV import, the store itself): an area of
//! its KPI's measurement level, a period of its frequency, and a number the monitor can hold
//! (finite, at most 10^12 in size); the same range for a KPI's nulmeting, streefwaarde and
//! tussendoelen. The charts stay finite and the gap count never runs below zero.

use axum::http::{Method, StatusCode};
use regiomonitor::domain::Period;
use regiomonitor::features::observations::model::NewObservation;
use regiomonitor::import::Bundle;
use regiomonitor::store::{Reason, StoreError};
use serde_json::json;

use crate::helpers::{Client, Page, Persona, TestApp, set_field};

/// Quarterly, per gemeente.
const KPI: &str = "mtvp-consultduur";
const KPI_NAME: &str = "Flexibele gemiddelde consultduur bij de huisarts (MTVP)";
const ZEIST: &str = "GM0355";
const OBSERVATION_FORM: &str = "form[action='/indicatoren/mtvp-consultduur/metingen']";

/// Areas that are not of the level of [`KPI`], with the kind each is.
const WRONG_LEVEL: [(&str, &str, &str); 3] = [
    ("zuidoost-utrecht", "Zuidoost Utrecht", "subregio"),
    ("midden-nederland", "Midden-Nederland", "regio"),
    ("wbd-de-heul", "de Heul", "wijk"),
];

fn observations_path() -> String {
    format!("/api/v1/indicators/{KPI}/observations")
}

async fn signed_in() -> (TestApp, Client) {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    (app, admin)
}

async fn observation_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM observations").await
}

/// The new-value form posted with `fill`.
async fn post_form(admin: &Client, fill: &[(&str, &str)]) -> Page {
    let mut fields = admin
        .get(&format!("/indicatoren/{KPI}/metingen/nieuw"))
        .await
        .form_values(OBSERVATION_FORM);
    for (name, value) in fill {
        set_field(&mut fields, name, value);
    }
    admin
        .post_form(&format!("/indicatoren/{KPI}/metingen"), fields)
        .await
}

/// The API's field errors: (key, message).
fn api_fields(page: &Page) -> Vec<(String, String)> {
    page.json()["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or_default().to_owned(),
                        f["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_form_refuses_an_area_that_is_not_of_the_kpis_level() {
    let (app, admin) = signed_in().await;
    let before = app.snapshot().await;

    for (id, name, kind) in WRONG_LEVEL {
        let page = post_form(
            &admin,
            &[("area", id), ("period", "2026-Q4"), ("value", "14")],
        )
        .await;

        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        assert_eq!(
            page.text("#fout-area"),
            format!(
                "Gebied: {name} is een {kind}, maar \"{KPI_NAME}\" wordt gemeten per gemeente; kies een gebied van dat niveau"
            )
        );
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_api_refuses_an_area_that_is_not_of_the_kpis_level_and_a_period_of_another_length() {
    let (app, admin) = signed_in().await;
    let before = app.snapshot().await;

    for (id, name, _) in WRONG_LEVEL {
        let answer = admin
            .send_json(
                Method::POST,
                &observations_path(),
                &json!({"area_id": id, "period": "2026-Q4", "value": 14.0}),
            )
            .await;

        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        let fields = api_fields(&answer);
        assert_eq!(fields.len(), 1, "{fields:?}");
        assert_eq!(fields[0].0, "area_id");
        assert!(
            fields[0].1.starts_with(&format!("area_id: {name} is een ")),
            "{fields:?}"
        );
    }
    let month = admin
        .send_json(
            Method::POST,
            &observations_path(),
            &json!({"area_id": ZEIST, "period": "2026-11", "value": 14.0}),
        )
        .await;
    assert_eq!(month.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        api_fields(&month),
        [(
            "period".to_owned(),
            format!(
                "period: \"{KPI_NAME}\" wordt per kwartaal gemeten; schrijf de periode zoals 2026-Q1"
            )
        )]
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_csv_import_refuses_a_subregio_for_a_gemeente_kpi_with_the_same_words() {
    let (app, admin) = signed_in().await;
    let before = observation_count(&app).await;

    let page = admin
        .upload(
            "/metingen/importeren",
            "niveau.csv",
            "indicator,gebied,periode,waarde\nmtvp-consultduur,zuidoost-utrecht,2026-Q4,12\n",
        )
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let row = page.text("#fouten table tbody tr");
    assert!(
        row.contains(&format!(
            "Zuidoost Utrecht is een subregio, maar \"{KPI_NAME}\" wordt gemeten per gemeente"
        )),
        "{row}"
    );
    assert_eq!(observation_count(&app).await, before);
}

#[tokio::test]
async fn the_store_refuses_a_value_of_another_level_from_any_door() {
    let app = TestApp::demo().await;
    let before = app.snapshot().await;
    let observation = |area: &str, period: &str, value: f64| NewObservation {
        indicator_id: KPI.to_owned(),
        area_id: area.to_owned(),
        period: Period::parse(period).expect("period"),
        value: Some(value),
        narrative: None,
        judged_status: None,
        source: None,
        note: None,
        is_example: false,
    };
    let actor = regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Cli);

    for (o, message) in [
        (
            observation("wbd-de-heul", "2026-Q4", 14.0),
            "Gebied: de Heul is een wijk",
        ),
        (observation(ZEIST, "2026", 14.0), "Periode: "),
        (observation(ZEIST, "2026-Q4", 1.7e308), "Waarde: "),
    ] {
        let refused = app
            .store
            .save_observation(&actor, &Reason::default(), &o, 0)
            .await;

        match refused {
            Err(StoreError::Refused(r)) => assert!(r.message().starts_with(message), "{r}"),
            other => panic!("not refused: {other:?}"),
        }
    }
    assert_eq!(app.snapshot().await, before);
}

// --- The range of numbers ---

#[tokio::test]
async fn the_api_refuses_the_largest_floats_and_takes_a_thousand_billion() {
    let (app, admin) = signed_in().await;
    let before = observation_count(&app).await;

    for value in [1.7e308, -1.7e308, 1.000_000_000_001e12] {
        let answer = admin
            .send_json(
                Method::POST,
                &observations_path(),
                &json!({"area_id": ZEIST, "period": "2026-Q4", "value": value}),
            )
            .await;

        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{value}");
        let fields = api_fields(&answer);
        assert_eq!(fields[0].0, "value", "{fields:?}");
        assert!(
            fields[0]
                .1
                .contains("tussen -1.000.000.000.000 en 1.000.000.000.000"),
            "{fields:?}"
        );
    }
    assert_eq!(observation_count(&app).await, before);
    let largest = admin
        .send_json(
            Method::POST,
            &observations_path(),
            &json!({"area_id": ZEIST, "period": "2026-Q4", "value": -1e12}),
        )
        .await;
    assert_eq!(largest.status, StatusCode::OK, "{}", largest.body);
}

#[tokio::test]
async fn the_form_and_the_csv_import_refuse_a_value_beyond_a_thousand_billion() {
    let (app, admin) = signed_in().await;
    let before = observation_count(&app).await;

    let form = post_form(
        &admin,
        &[
            ("area", ZEIST),
            ("period", "2026-Q4"),
            ("value", "2000000000000"),
        ],
    )
    .await;
    let csv = admin
        .upload(
            "/metingen/importeren",
            "groot.csv",
            "indicator,gebied,periode,waarde\nmtvp-consultduur,GM0355,2026-Q4,-2000000000000\n",
        )
        .await;

    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.text("#fout-value").starts_with(
            "Waarde: 2000000000000 ligt buiten het bereik van de monitor; een waarde ligt tussen"
        ),
        "{}",
        form.text("#fout-value")
    );
    assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    let row = csv.texts("#fouten table tbody tr td");
    assert_eq!(row[..2], ["2", "waarde"], "{row:?}");
    assert!(
        row[2].starts_with("-2000000000000 ligt buiten het bereik"),
        "{row:?}"
    );
    assert_eq!(observation_count(&app).await, before);
}

#[tokio::test]
async fn the_kpi_form_refuses_a_target_and_a_tussendoel_beyond_a_thousand_billion() {
    let (app, admin) = signed_in().await;
    let path = format!("/indicatoren/{KPI}/bewerken");
    let mut fields = admin
        .get(&path)
        .await
        .form_values("form[action$='/bewerken']");
    set_field(&mut fields, "target", "10000000000000");
    set_field(&mut fields, "milestones", "2026-Q2: -10000000000000");
    let before = app.snapshot().await;

    let page = admin.post_form(&path, fields).await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.text("#fout-target")
            .starts_with("Streefwaarde: 10000000000000 ligt buiten het bereik"),
        "{}",
        page.text("#fout-target")
    );
    assert!(
        page.text("#fout-milestones")
            .contains("-10000000000000 ligt buiten het bereik"),
        "{}",
        page.text("#fout-milestones")
    );
    assert_eq!(app.snapshot().await, before);
}

#[test]
fn a_portfolio_refuses_a_nulmeting_streefwaarde_or_tussendoel_beyond_the_range() {
    let kpi = r#"
[[indicator]]
id = "te-groot"
naam = "Te groot"
soort = "resultaat"
meetwijze = "kwantitatief"
richting = "hoger"
nulmeting = 1.7e308
nulmeting_periode = "2024"
streefwaarde = -2e12
streefperiode = "2026"
frequentie = "jaar"
niveau = "regio"
bron = "zou-2025"

[[indicator.tussendoel]]
periode = "2025"
waarde = nan
"#;
    let bundle = Bundle::demo().with_file("extra.toml", kpi);

    let problems: Vec<String> = match bundle.check() {
        Ok(_) => panic!("the portfolio should have been refused"),
        Err(p) => p.0.iter().map(ToString::to_string).collect(),
    };

    for field in ["nulmeting", "streefwaarde", "tussendoel.waarde"] {
        assert!(
            problems.iter().any(
                |p| p.contains(&format!("veld {field}: ")) && p.contains("getal")
                    || p.contains(&format!("veld {field}: ")) && p.contains("bereik")
            ),
            "{field}: {problems:?}"
        );
    }
}

// --- Charts ---

/// Every number in the line chart's geometry on a KPI page.
fn chart_numbers(page: &Page) -> Vec<String> {
    let html = page.html();
    let shapes = scraper::Selector::parse("svg.rm-chart *").expect("selector");
    html.select(&shapes)
        .flat_map(|e| {
            ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "d"]
                .iter()
                .filter_map(|a| e.value().attr(a).map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_stored_value_from_before_the_range_check_still_draws_a_finite_chart() {
    let app = TestApp::demo().await;
    for (period, start, value) in [
        ("2026-Q4", "2026-10-01", "1.7e308"),
        ("2027-Q1", "2027-01-01", "-1.7e308"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO observations (indicator_id, area_id, period, period_start, value, is_example)
             VALUES ('{KPI}', '{ZEIST}', '{period}', '{start}', {value}, 0)"
        )))
        .execute(app.store.pool())
        .await
        .expect("insert");
    }
    // As every write of an observation does: the series' latest period.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE observation_latest SET period_start = '2027-01-01'
          WHERE indicator_id = '{KPI}' AND area_id = '{ZEIST}'"
    )))
    .execute(app.store.pool())
    .await
    .expect("latest");

    let page = app.get(&format!("/indicatoren/{KPI}?gebied={ZEIST}")).await;

    assert_eq!(page.status, StatusCode::OK);
    let numbers = chart_numbers(&page);
    assert!(numbers.len() > 10, "{numbers:?}");
    assert!(
        numbers
            .iter()
            .all(|n| !n.contains("NaN") && !n.contains("inf")),
        "{numbers:?}"
    );
}

#[tokio::test]
async fn switching_a_kpis_frequency_back_and_forth_counts_its_gaps_from_its_periods() {
    let (app, admin) = signed_in().await;
    let path = format!("/indicatoren/{KPI}/bewerken");
    let set_frequency = |frequency: &'static str| {
        let admin = admin.clone();
        let path = path.clone();
        async move {
            let mut fields = admin
                .get(&path)
                .await
                .form_values("form[action$='/bewerken']");
            set_field(&mut fields, "frequency", frequency);
            let saved = admin.post_form(&path, fields).await;
            assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        }
    };
    set_frequency("maand").await;
    for month in 1..=6 {
        let saved = admin
            .send_json(
                Method::POST,
                &observations_path(),
                &json!({"area_id": ZEIST, "period": format!("2027-0{month}"), "value": 14.0}),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }
    set_frequency("kwartaal").await;

    let page = app.get(&format!("/indicatoren/{KPI}?gebied={ZEIST}")).await;

    assert_eq!(page.status, StatusCode::OK);
    let summary = page.text(".rm-figure__caption p");
    assert!(
        summary.contains(
            "6 metingen over een andere periode dan een kwartaal staan alleen in de tabel."
        ),
        "{summary}"
    );
    assert!(!summary.contains("18446744073709551"), "{summary}");
    assert!(
        summary.contains(" perioden zonder meting"),
        "the quarters of 2026-Q4 and 2027 have no quarterly value: {summary}"
    );
}
