//! Monitoring in the browser: the KPI pages with their status, charts and tables; entering a
//! value through the form; reading a CSV file in through the web import with its preview; and
//! the follow-up of a KPI that is not met, with its escalation to a body.

use axum::http::StatusCode;

use crate::helpers::{Client, Page, Persona, Snapshot, TestApp, set_field};

/// A quarterly KPI per gemeente, in plan `mtvp` (led by UNICUM).
const KPI: &str = "mtvp-consultduur";
/// A KPI of plan `digitalisering`, which UNICUM does not lead.
const OTHER_KPI: &str = "telemonitoring-in-mrc";
/// Zeist: the demo has example values for it up to 2026-Q3.
const ZEIST: &str = "GM0355";
/// Wijk bij Duurstede: 12,5 minutes in 2026-Q4 in the README example file.
const WIJK: &str = "GM0352";

/// The form on the page for a new (or changed) value of [`KPI`].
const OBSERVATION_FORM: &str = "form[action='/indicatoren/mtvp-consultduur/metingen']";

/// The example file the README describes.
fn q4_file() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/voorbeeld/metingen-2026-Q4.csv"),
    )
    .expect("the example file is there")
}

/// What a refused write must leave alone, the monitoring tables included.
#[derive(Debug, PartialEq, Eq)]
struct Stored {
    snapshot: Snapshot,
    observations: i64,
    observation_versions: i64,
    actions: i64,
    escalations: i64,
}

async fn stored(app: &TestApp) -> Stored {
    Stored {
        snapshot: app.snapshot().await,
        observations: app.scalar("SELECT COUNT(*) FROM observations").await,
        observation_versions: app
            .scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM observations")
            .await,
        actions: app.scalar("SELECT COUNT(*) FROM actions").await,
        escalations: app.scalar("SELECT COUNT(*) FROM action_escalations").await,
    }
}

/// The demo with its people and `persona` signed in through the form.
async fn signed_in(persona: Persona) -> (TestApp, Client) {
    let app = TestApp::with_people().await;
    let client = app.login_as(persona).await;
    (app, client)
}

/// The rows of the status table on a KPI page.
fn status_rows(page: &Page) -> Vec<String> {
    page.texts("#gebieden table tbody tr")
}

/// The status row of one area on a KPI page.
fn status_row(page: &Page, area: &str) -> String {
    status_rows(page)
        .into_iter()
        .find(|r| r.starts_with(area))
        .unwrap_or_else(|| panic!("no status row for {area}"))
}

/// The rows of the series table (the data of the line chart).
fn series_rows(page: &Page) -> Vec<String> {
    page.texts("#reeks ~ .rm-chart-block table.rm-table--data tbody tr")
}

/// The rows of the Historie of a KPI page.
fn history(page: &Page) -> Vec<String> {
    page.texts("#historie ~ .rm-table-scroll table.rm-changes tbody tr")
}

/// The form for a new value of [`KPI`] with these fields filled in.
async fn observation_fields(
    client: &Client,
    query: &str,
    fill: &[(&str, &str)],
) -> Vec<(String, String)> {
    let form = client
        .get(&format!("/indicatoren/{KPI}/metingen/nieuw{query}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let mut fields = form.form_values(OBSERVATION_FORM);
    for (name, value) in fill {
        set_field(&mut fields, name, value);
    }
    fields
}

/// Posts a CSV file as the import form does.
async fn upload(client: &Client, name: &str, content: &str) -> Page {
    client.upload("/metingen/importeren", name, content).await
}

/// Uploads a file, then confirms the preview with the form the page gives.
async fn import(client: &Client, name: &str, content: &str) -> Page {
    let preview = upload(client, name, content).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let fields = preview.form_values("form[action='/metingen/importeren/bevestigen']");
    client
        .post_form("/metingen/importeren/bevestigen", fields)
        .await
}

/// The rows of the problems table of the import page: line, column, message.
fn problems(page: &Page) -> Vec<Vec<String>> {
    let html = page.html();
    let rows = scraper::Selector::parse("#fouten table tbody tr").expect("selector");
    let cells = scraper::Selector::parse("td").expect("selector");
    html.select(&rows)
        .map(|r| {
            r.select(&cells)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

/// Creates a follow-up action for [`KPI`] and returns its address.
pub(crate) async fn create_action(
    client: &Client,
    title: &str,
    deadline: &str,
    area: &str,
) -> String {
    let created = client
        .post_form(
            &format!("/indicatoren/{KPI}/acties"),
            [
                ("title", title),
                ("owner", "Trekker MTVP"),
                ("deadline", deadline),
                ("area", area),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location().expect("a redirect").to_owned();
    assert!(
        location.starts_with("/acties/") && location["/acties/".len()..].parse::<i64>().is_ok(),
        "{location}"
    );
    location
}

// --- KPI pages ---------------------------------------------------------------------------

#[tokio::test]
async fn the_kpi_list_names_every_kpi_and_marks_the_ones_with_example_values() {
    let app = TestApp::demo().await;

    let page = app.get("/indicatoren").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "KPI's");
    let kpis = app.store.indicators().await.expect("indicators");
    assert_eq!(kpis.len(), 14);
    assert_eq!(page.count("tbody th a[href^='/indicatoren/']"), 14);
    for k in &kpis {
        assert_eq!(
            page.count(&format!("a[href='/indicatoren/{}']", k.id)),
            1,
            "{}",
            k.id
        );
    }
    let row = page
        .texts("tbody tr")
        .into_iter()
        .find(|r| r.contains("consultduur"))
        .expect("the MTVP row");
    assert!(row.contains("voorbeeldwaarden"), "{row}");
}

#[tokio::test]
async fn a_kpi_page_shows_its_definition_and_the_status_per_gemeente_with_symbol_and_word() {
    let app = TestApp::demo().await;

    let page = app.get(&format!("/indicatoren/{KPI}")).await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text("h1"),
        "Flexibele gemiddelde consultduur bij de huisarts (MTVP)"
    );
    let facts: Vec<(String, String)> = page
        .texts(".rm-facts dt")
        .into_iter()
        .zip(page.texts(".rm-facts dd"))
        .collect();
    let fact = |label: &str| {
        facts
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {label}: {facts:?}"))
    };
    assert_eq!(fact("Eenheid"), "minuten");
    // The direction, streefperiode, frequency and level are choices no document states: each value is
    // followed by "aanname" and its reason.
    assert!(fact("Streefwaarde").starts_with("15 minuten in 2026 aanname Het jaarplan 2026"));
    assert!(fact("Richting").starts_with("Hoger is beter aanname "));
    assert!(fact("Frequentie").starts_with("Per kwartaal aanname "));
    assert!(fact("Gemeten").starts_with("Per gemeente aanname "));
    let gemeenten = app
        .scalar("SELECT COUNT(*) FROM areas WHERE kind = 'gemeente'")
        .await;
    let rows = status_rows(&page);
    assert_eq!(
        rows.len() as i64,
        gemeenten,
        "one row per gemeente: {rows:?}"
    );
    assert!(
        status_row(&page, "Zeist").contains("✔ Op koers"),
        "{rows:?}"
    );
    assert!(
        status_row(&page, "Montfoort").contains("? Geen data"),
        "{rows:?}"
    );
    let statuses = page.texts("#gebieden table tbody tr .rm-status");
    assert_eq!(statuses.len(), rows.len());
    for s in &statuses {
        let (symbol, word) = s.split_once(' ').expect("symbol and word");
        assert!(["✔", "▲", "✖", "?"].contains(&symbol), "{s}");
        assert!(!word.is_empty(), "{s}");
    }
    assert_eq!(
        page.count("#gebieden table .rm-status__symbol[aria-hidden='true']"),
        statuses.len()
    );
}

#[tokio::test]
async fn a_kpi_pages_areas_come_a_page_at_a_time_by_status_and_the_bar_chart_follows_the_page() {
    let app = TestApp::demo().await;
    let gemeenten = usize::try_from(
        app.scalar("SELECT COUNT(*) FROM areas WHERE kind = 'gemeente'")
            .await,
    )
    .expect("a count");
    let names = |page: &Page| page.texts("#gebieden table tbody th");
    let bars = |page: &Page| page.count("#vergelijking ~ .rm-chart-block rect.rm-chart__bar");

    // The first page of ten: a next link that keeps the size and leads back to the table.
    let first = app.get(&format!("/indicatoren/{KPI}?per_pagina=10")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(names(&first).len(), 10);
    assert_eq!(first.count("a[rel=prev]"), 0);
    assert_eq!(
        first.attr("a[rel=next]", "href").as_deref(),
        Some(format!("/indicatoren/{KPI}?pagina=2&per_pagina=10#status").as_str())
    );
    // Every gemeente once over the pages; the last has no next link. The chart shows the
    // gemeenten of the table's page only (those with a value in its period), and says so
    // when that is not all of them.
    let pages = gemeenten.div_ceil(10);
    let all_bars = bars(&app.get(&format!("/indicatoren/{KPI}")).await);
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut charted = 0;
    for n in 1..=pages {
        let page = app
            .get(&format!("/indicatoren/{KPI}?pagina={n}&per_pagina=10"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.count("a[rel=prev]"), usize::from(n > 1), "page {n}");
        assert_eq!(
            page.count("a[rel=next]"),
            usize::from(n < pages),
            "page {n}"
        );
        for name in names(&page) {
            assert!(seen.insert(name.clone()), "{name} on two pages");
        }
        let on_chart = bars(&page);
        assert!(on_chart <= 10, "page {n}");
        if on_chart > 0 && on_chart < all_bars {
            let caption = page.text("#vergelijking ~ .rm-chart-block figcaption");
            let rows = format!(
                "regel {} tot en met {}",
                (n - 1) * 10 + 1,
                (n * 10).min(gemeenten)
            );
            assert!(caption.contains(&rows), "page {n}: {caption}");
        }
        charted += on_chart;
    }
    assert_eq!(seen.len(), gemeenten);

    // The whole list fits a page of the default size: no paging, the chart shows every
    // gemeente with a value in its period and has no note of its scope.
    let whole = app.get(&format!("/indicatoren/{KPI}")).await;
    assert_eq!(names(&whole).len(), gemeenten);
    assert_eq!(whole.count("nav.rm-paging"), 0);
    assert!(bars(&whole) > 0);
    assert_eq!(charted, bars(&whole), "every bar on one page of ten");
    assert!(
        !whole
            .text("#vergelijking ~ .rm-chart-block figcaption")
            .contains("De grafiek toont"),
    );

    // Each status: a link with its number; following it shows those areas only, keeps the
    // series' area, and marks the choice.
    let with_area = app.get(&format!("/indicatoren/{KPI}?gebied={ZEIST}")).await;
    let choices: Vec<(String, String)> = with_area
        .texts(".rm-status-filter a")
        .into_iter()
        .zip(
            with_area
                .html()
                .select(&scraper::Selector::parse(".rm-status-filter a").expect("selector"))
                .map(|a| a.value().attr("href").unwrap_or_default().to_owned())
                .collect::<Vec<_>>(),
        )
        .collect();
    assert_eq!(choices.len(), 5, "{choices:?}");
    assert!(
        choices[0].0.ends_with(&format!("({gemeenten})")),
        "{choices:?}"
    );
    let mut counted = 0;
    for (text, href) in &choices[1..] {
        assert!(href.contains(&format!("gebied={ZEIST}")), "{href}");
        let number: usize = text
            .rsplit_once('(')
            .and_then(|(_, n)| n.trim_end_matches(')').parse().ok())
            .unwrap_or_else(|| panic!("a number in {text}"));
        counted += number;
        let page = app.get(href.trim_end_matches("#status")).await;
        assert_eq!(page.status, StatusCode::OK, "{href}");
        let rows = status_rows(&page);
        assert_eq!(rows.len(), number, "{href}");
        let word = text.split_once(' ').expect("symbol and word").1;
        let word = word.rsplit_once(" (").expect("a number").0;
        assert!(rows.iter().all(|r| r.contains(word)), "{word}: {rows:?}");
        assert_eq!(
            page.text(".rm-status-filter a[aria-current]"),
            text.as_str(),
            "{href}"
        );
        // The download holds the same areas, whatever page the table is on.
        let file = app
            .get(&format!(
                "/indicatoren/{KPI}/gebieden.csv?{}",
                href.split_once('?')
                    .expect("a query")
                    .1
                    .trim_end_matches("#status")
            ))
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body.lines().count(), number + 1, "{}", file.body);
    }
    assert_eq!(counted, gemeenten, "every gemeente has one status");
    assert!(
        status_rows(
            &app.get(&format!("/indicatoren/{KPI}?status=op-koers"))
                .await
        )
        .iter()
        .any(|r| r.starts_with("Zeist"))
    );
    let file = app.get(&format!("/indicatoren/{KPI}/gebieden.csv")).await;
    assert!(
        file.body.lines().next().is_some_and(|h| h
            .trim_start_matches('\u{feff}')
            .starts_with("gebied (code);gebied;status;laatste meting")),
        "{}",
        file.body
    );
    assert!(
        file.body
            .lines()
            .any(|l| l.starts_with("GM0355;Zeist;Op koers;"))
    );

    // A status that does not exist is refused in Dutch, naming the filter.
    let wrong = app.get(&format!("/indicatoren/{KPI}?status=prima")).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("Filter status"), "{}", wrong.body);
    assert!(wrong.body.contains("op-koers"), "{}", wrong.body);

    // An area's whole series is a download, linked under its table.
    let series = series_rows(&with_area);
    let link = with_area
        .attr("#reeks ~ p.rm-downloads a[href*='/metingen.csv']", "href")
        .expect("a download of the series");
    assert_eq!(
        link,
        format!("/indicatoren/{KPI}/metingen.csv?gebied={ZEIST}")
    );
    let file = app.get(&link).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body.lines().count(), series.len() + 1, "{}", file.body);
    assert!(
        file.body
            .lines()
            .skip(1)
            .all(|l| l.starts_with("GM0355;Zeist;") && l.ends_with(";ja")),
        "the demo's values are examples: {}",
        file.body
    );
    for wrong in ["", "?gebied=GM9999"] {
        let refused = app
            .get(&format!("/indicatoren/{KPI}/metingen.csv{wrong}"))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{wrong}");
        assert!(refused.body.contains("gebied"), "{}", refused.body);
    }
}

#[tokio::test]
async fn a_kpi_page_draws_its_series_as_an_svg_with_title_and_description_and_the_data_as_a_table()
{
    let app = TestApp::demo().await;

    let page = app.get(&format!("/indicatoren/{KPI}")).await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.count("svg.rm-chart[role='img']") >= 1);
    let title = page.text("svg.rm-chart title");
    assert!(title.contains("consultduur"), "{title}");
    let desc = page.text("svg.rm-chart desc");
    assert!(desc.contains("De streefwaarde is 15"), "{desc}");
    let rows = series_rows(&page);
    assert!(rows.len() >= 6, "{rows:?}");
    assert!(rows.iter().all(|r| r.contains("voorbeeld")), "{rows:?}");
    let sources = page.texts(".rm-figure__caption .rm-source-line");
    assert!(!sources.is_empty());
    assert!(
        sources.iter().all(|s| s.starts_with("Bron:")),
        "{sources:?}"
    );
}

#[tokio::test]
async fn a_kpi_page_with_example_values_says_so_above_and_beside_the_values() {
    let app = TestApp::demo().await;

    let page = app.get(&format!("/indicatoren/{KPI}")).await;

    assert!(
        page.text(".rm-alert--example").contains("Voorbeeldwaarden"),
        "{}",
        page.text(".rm-alert--example")
    );
    assert!(page.count("#gebieden table .rm-example") >= 1);
    assert!(page.texts(".rm-example").iter().all(|t| t == "voorbeeld"));
}

#[tokio::test]
async fn an_unknown_kpi_is_a_dutch_404() {
    let app = TestApp::demo().await;

    let page = app.get("/indicatoren/onbekend").await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("Er is geen KPI met de id"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_plan_page_has_a_kpi_section_with_its_kpis() {
    let app = TestApp::demo().await;

    let page = app.get("/plannen/mtvp").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("h2#kpis"), 1);
    assert_eq!(
        page.count(&format!(
            "#kpis ~ .rm-table-scroll table a[href='/indicatoren/{KPI}']"
        )),
        1
    );
}

#[tokio::test]
async fn the_gemeente_page_has_a_kpi_section_with_the_kpis_measured_there() {
    let app = TestApp::demo().await;

    let page = app.get(&format!("/gemeenten/{ZEIST}")).await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("h2#kpis"), 1);
    let row = page
        .texts("#kpis ~ .rm-table-scroll table tbody tr")
        .into_iter()
        .find(|r| r.contains("consultduur"))
        .expect("the MTVP KPI is measured in Zeist");
    assert!(row.contains("Zeist"), "{row}");
}

// --- Entering a value ----------------------------------------------------------------------

#[tokio::test]
async fn the_trekker_of_unicum_enters_a_value_and_it_appears_in_the_series_and_the_history() {
    let (app, trekker) = signed_in(Persona::LeadOfPlan).await;
    let fields = observation_fields(
        &trekker,
        "",
        &[
            ("area", ZEIST),
            ("period", "2026-Q4"),
            ("value", "14,5"),
            ("source", "Agenda-instellingen Q4"),
            ("comment", "Cijfers van de praktijken"),
        ],
    )
    .await;

    let saved = trekker
        .post_form(&format!("/indicatoren/{KPI}/metingen"), fields)
        .await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location(),
        Some(format!("/indicatoren/{KPI}?gebied={ZEIST}#reeks").as_str())
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM observations WHERE indicator_id = '{KPI}' AND area_id = '{ZEIST}' AND period = '2026-Q4' AND value = 14.5 AND is_example = 0"
        ))
        .await,
        1
    );
    let page = trekker
        .get(&format!("/indicatoren/{KPI}?gebied={ZEIST}"))
        .await;
    let rows = series_rows(&page);
    assert!(
        rows[0].contains("2026")
            && rows[0].contains("14,5")
            && rows[0].contains("Agenda-instellingen Q4")
            && !rows[0].contains("voorbeeld"),
        "{rows:?}"
    );
    let trail = history(&page);
    assert!(
        trail
            .iter()
            .any(|r| r.contains("14,5") && r.contains("Cijfers van de praktijken")),
        "{trail:?}"
    );
}

#[tokio::test]
async fn the_trekker_of_unicum_may_not_enter_values_for_a_kpi_of_a_plan_it_does_not_lead() {
    let (app, trekker) = signed_in(Persona::LeadOfPlan).await;
    let before = stored(&app).await;

    let form = trekker
        .get(&format!("/indicatoren/{OTHER_KPI}/metingen/nieuw"))
        .await;
    let save = trekker
        .post_form(
            &format!("/indicatoren/{OTHER_KPI}/metingen"),
            [
                ("version", "0"),
                ("area", "midden-nederland"),
                ("period", "2026-Q4"),
                ("value", "40"),
            ],
        )
        .await;

    assert_eq!(form.status, StatusCode::FORBIDDEN, "{}", form.body);
    assert!(form.body.contains("geen metingen"), "{}", form.body);
    assert_eq!(save.status, StatusCode::FORBIDDEN, "{}", save.body);
    assert_eq!(stored(&app).await, before);
}

/// Posts the new-value form with `fill` and checks it is refused with a message on `field`
/// that names it, and that nothing is stored.
async fn refused(fill: &[(&str, &str)], field: &str, label: &str) {
    let (app, trekker) = signed_in(Persona::LeadOfPlan).await;
    let before = stored(&app).await;
    let fields = observation_fields(&trekker, "", fill).await;

    let page = trekker
        .post_form(&format!("/indicatoren/{KPI}/metingen"), fields)
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let message = page.text(&format!("#fout-{field}"));
    assert!(message.starts_with(label), "{message}");
    assert_eq!(
        page.value(&format!("#veld-{field}")).as_deref(),
        fill.iter().find(|(n, _)| *n == field).map(|(_, v)| *v),
        "what was typed comes back"
    );
    assert!(
        page.texts("#fouten li a")
            .iter()
            .any(|m| m.starts_with(label)),
        "{:?}",
        page.texts("#fouten li")
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_period_that_does_not_exist_is_refused_with_a_message_on_the_period() {
    refused(
        &[("area", ZEIST), ("period", "2026-13"), ("value", "14")],
        "period",
        "Periode:",
    )
    .await;
}

#[tokio::test]
async fn a_value_that_is_not_a_number_is_refused_with_a_message_on_the_value() {
    refused(
        &[("area", ZEIST), ("period", "2026-Q4"), ("value", "veel")],
        "value",
        "Waarde",
    )
    .await;
}

#[tokio::test]
async fn a_month_for_a_quarterly_kpi_is_refused_with_the_way_to_write_a_quarter() {
    refused(
        &[("area", ZEIST), ("period", "2026-11"), ("value", "14")],
        "period",
        "Periode: \"Flexibele gemiddelde consultduur bij de huisarts (MTVP)\" wordt per kwartaal gemeten",
    )
    .await;
}

#[tokio::test]
async fn saving_a_value_opened_before_someone_else_changed_it_is_a_conflict_and_stores_nothing() {
    let (app, trekker) = signed_in(Persona::LeadOfPlan).await;
    let query = format!("?gebied={ZEIST}&periode=2026-Q3");
    let mine = observation_fields(&trekker, &query, &[("value", "13,0")]).await;
    assert!(
        mine.contains(&("version".to_owned(), "1".to_owned())),
        "{mine:?}"
    );
    let theirs = observation_fields(&trekker, &query, &[("value", "12,5")]).await;
    let first = trekker
        .post_form(&format!("/indicatoren/{KPI}/metingen"), theirs)
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let before = stored(&app).await;

    let late = trekker
        .post_form(&format!("/indicatoren/{KPI}/metingen"), mine)
        .await;

    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(late.text("[role=alert] h2").contains("Intussen gewijzigd"));
    assert_eq!(stored(&app).await, before);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM observations WHERE indicator_id = '{KPI}' AND area_id = '{ZEIST}' AND period = '2026-Q3' AND value = 12.5"
        ))
        .await,
        1
    );
}

// --- CSV import -----------------------------------------------------------------------------

#[tokio::test]
async fn a_csv_file_with_problems_lists_each_by_line_and_column_and_stores_nothing() {
    let (app, admin) = signed_in(Persona::Admin).await;
    let before = stored(&app).await;
    let file = concat!(
        "indicator,gebied,periode,waarde,bron\n",
        "onbekend,GM0355,2026-Q4,12,x\n",
        "mtvp-consultduur,GM9999,2026-Q4,12,x\n",
        "mtvp-consultduur,GM0355,2026-Q5,12,x\n",
        "mtvp-consultduur,GM0310,2026-Q4,veel,x\n",
        "mtvp-consultduur,GM0312,2026-Q4,13,x\n",
        "mtvp-consultduur,GM0312,2026-Q4,14,x\n",
    );

    let page = upload(&admin, "fouten.csv", file).await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert_eq!(page.text("#fouten h2"), "Het bestand is niet ingelezen");
    let rows = problems(&page);
    let line = |n: &str| {
        rows.iter()
            .find(|r| r[0] == n)
            .unwrap_or_else(|| panic!("no problem on regel {n}: {rows:?}"))
    };
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(line("2")[1], "indicator");
    assert!(
        line("2")[2].contains("\"onbekend\" is geen bekende KPI"),
        "{rows:?}"
    );
    assert_eq!(line("3")[1], "gebied");
    assert!(line("3")[2].contains("GM9999"), "{rows:?}");
    assert_eq!(line("4")[1], "periode");
    assert!(line("4")[2].contains("geen geldige periode"), "{rows:?}");
    assert_eq!(line("5")[1], "waarde");
    assert!(line("5")[2].contains("\"veel\" is geen getal"), "{rows:?}");
    assert_eq!(line("7")[1], "–");
    assert!(line("7")[2].contains("staat ook al op regel 6"), "{rows:?}");
    assert_eq!(
        page.count("form[action='/metingen/importeren/bevestigen']"),
        0
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_good_csv_file_is_previewed_with_its_count_and_stored_only_after_opslaan() {
    let (app, admin) = signed_in(Persona::Admin).await;
    let before = stored(&app).await;

    let preview = upload(&admin, "metingen-2026-Q4.csv", &q4_file()).await;

    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(
        preview.text("[role=status] h2"),
        "Controle geslaagd: 6 metingen"
    );
    assert!(
        preview
            .text("[role=status]")
            .contains("metingen-2026-Q4.csv")
    );
    assert_eq!(
        preview.text("form[action='/metingen/importeren/bevestigen'] button"),
        "Opslaan"
    );
    assert_eq!(stored(&app).await, before, "the preview stores nothing");
}

#[tokio::test]
async fn confirming_the_preview_stores_every_line_with_one_trail_entry_per_kpi() {
    let (app, admin) = signed_in(Persona::Admin).await;
    let observations = app.scalar("SELECT COUNT(*) FROM observations").await;
    let audit_id = app
        .scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM audit_log")
        .await;

    let done = import(&admin, "metingen-2026-Q4.csv", &q4_file()).await;

    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.text("[role=status]")
            .contains("6 metingen zijn opgeslagen")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM observations").await,
        observations + 6
    );
    let mut kpis: Vec<(String, String)> = sqlx::query_as(
        "SELECT record_type, record_id FROM audit_log WHERE id > $1 ORDER BY record_id",
    )
    .bind(audit_id)
    .fetch_all(app.store.pool())
    .await
    .expect("trail");
    kpis.sort();
    assert_eq!(
        kpis,
        [
            ("observation".to_owned(), KPI.to_owned()),
            (
                "observation".to_owned(),
                "regie-op-behandelproces".to_owned()
            ),
        ]
    );
}

// --- Follow-up ------------------------------------------------------------------------------

#[tokio::test]
async fn a_gemeente_below_target_is_niet_gehaald_and_asks_for_a_follow_up_action() {
    let (_app, admin) = signed_in(Persona::Admin).await;
    let done = import(&admin, "metingen-2026-Q4.csv", &q4_file()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);

    let page = admin.get(&format!("/indicatoren/{KPI}")).await;

    let row = status_row(&page, "Wijk bij Duurstede");
    assert!(row.contains("✖ Niet gehaald"), "{row}");
    assert!(row.contains("12,5"), "{row}");
    assert!(row.contains("Vervolgactie nodig"), "{row}");
    assert_eq!(
        page.count(&format!(
            "a[href='/indicatoren/{KPI}/acties/nieuw?gebied={WIJK}']"
        )),
        1
    );
    assert!(!status_row(&page, "Zeist").contains("Vervolgactie nodig"));
}

#[tokio::test]
async fn a_follow_up_action_is_created_and_the_gemeente_no_longer_asks_for_one() {
    let (app, admin) = signed_in(Persona::Admin).await;
    import(&admin, "metingen-2026-Q4.csv", &q4_file()).await;

    let action = create_action(
        &admin,
        "Versnellingssessie met de praktijken",
        "2027-03-31",
        WIJK,
    )
    .await;

    let page = admin.get(&action).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("h1"), "Versnellingssessie met de praktijken");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM actions WHERE indicator_id IS NOT NULL")
            .await,
        1
    );
    let kpi = admin.get(&format!("/indicatoren/{KPI}")).await;
    assert!(!status_row(&kpi, "Wijk bij Duurstede").contains("Vervolgactie nodig"));
    assert!(
        kpi.texts("#acties ~ .rm-table-scroll table tbody tr")
            .iter()
            .any(|r| r.contains("Versnellingssessie") && r.contains("Wijk bij Duurstede")),
        "{:?}",
        kpi.texts("#acties ~ .rm-table-scroll table tbody tr")
    );
}

/// Escalates the action at `action` (its address) to the regiegroep of ZOU through its form,
/// and returns the answer.
pub(crate) async fn escalate_to_regiegroep(client: &Client, action: &str) -> Page {
    let mut fields = client
        .get(action)
        .await
        .form_values(&format!("form[action='{action}/escaleren']"));
    set_field(&mut fields, "to", "regiegroep-zou");
    set_field(
        &mut fields,
        "reason",
        "De werkgroep kan de capaciteit niet zelf regelen",
    );
    let escalated = client
        .post_form(&format!("{action}/escaleren"), fields)
        .await;
    assert_eq!(
        escalated.status,
        StatusCode::SEE_OTHER,
        "{}",
        escalated.body
    );
    escalated
}

#[tokio::test]
async fn escalating_an_action_to_the_regiegroep_lists_it_on_the_regiegroep_page() {
    let (_app, admin) = signed_in(Persona::Admin).await;
    import(&admin, "metingen-2026-Q4.csv", &q4_file()).await;
    let action = create_action(&admin, "Extra capaciteit huisartsen", "2027-03-31", WIJK).await;

    let escalated = escalate_to_regiegroep(&admin, &action).await;

    assert_eq!(escalated.location(), Some("/overleggen/regiegroep-zou"));
    let body = admin.get("/overleggen/regiegroep-zou").await;
    assert_eq!(body.status, StatusCode::OK);
    let rows = body.texts("#acties ~ .rm-table-scroll table tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("Extra capaciteit huisartsen")
                && r.contains("Regiegroep ZOU Verbonden")),
        "{rows:?}"
    );
    let page = admin.get(&action).await;
    assert!(
        page.body
            .contains("De werkgroep kan de capaciteit niet zelf regelen"),
        "the escalation and its reason are on the action page"
    );
}

#[tokio::test]
async fn escalating_without_a_reason_is_refused_and_stores_nothing() {
    let (app, admin) = signed_in(Persona::Admin).await;
    let action = create_action(&admin, "Extra capaciteit huisartsen", "2027-03-31", WIJK).await;
    let mut fields = admin
        .get(&action)
        .await
        .form_values(&format!("form[action='{action}/escaleren']"));
    set_field(&mut fields, "to", "regiegroep:regiegroep-zou");
    set_field(&mut fields, "reason", "  ");
    let before = stored(&app).await;

    let page = admin
        .post_form(&format!("{action}/escaleren"), fields)
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("Reden: schrijf waarom"), "{}", page.body);
    assert_eq!(stored(&app).await, before);
    let body = admin.get("/overleggen/regiegroep-zou").await;
    assert!(
        !body
            .texts("#acties ~ .rm-table-scroll table tbody tr")
            .iter()
            .any(|r| r.contains("Extra capaciteit huisartsen"))
    );
}

#[tokio::test]
async fn an_action_past_its_deadline_is_flagged_over_tijd_on_the_actions_page() {
    let (_app, admin) = signed_in(Persona::Admin).await;
    create_action(&admin, "Oude afspraak", "2020-01-31", WIJK).await;
    create_action(&admin, "Nieuwe afspraak", "2099-01-31", WIJK).await;

    let page = admin.get("/acties?herkomst=kpi").await;

    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("tbody tr");
    let row = |t: &str| {
        rows.iter()
            .find(|r| r.contains(t))
            .unwrap_or_else(|| panic!("no row {t}: {rows:?}"))
            .clone()
    };
    assert!(row("Oude afspraak").contains("over tijd"), "{rows:?}");
    assert!(!row("Nieuwe afspraak").contains("over tijd"), "{rows:?}");
    assert!(page.text(".rm-lead").contains("1 actie is over tijd"));
}
