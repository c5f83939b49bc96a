//! Every list downloads as CSV (Dutch: `;`, decimal comma, BOM) and as Excel (typed cells),
//! and both files hold exactly what the page shows for the same filter, on all its pages.

use std::collections::BTreeSet;
use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::{Page, Persona, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A downloaded file as bytes, with its headers.
struct File {
    status: StatusCode,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

async fn fetch(app: &TestApp, path: &str) -> File {
    let response = app
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("router answers");
    let header_text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, disposition) = (
        header_text(header::CONTENT_TYPE),
        header_text(header::CONTENT_DISPOSITION),
    );
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("the whole file")
        .to_bytes()
        .to_vec();
    File {
        status,
        content_type,
        disposition,
        bytes,
    }
}

/// A CSV file: its header and rows, read as a Dutch spreadsheet program reads it.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn column(&self, title: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == title)
            .unwrap_or_else(|| panic!("no column {title} in {:?}", self.header))
    }

    fn values(&self, title: &str) -> Vec<String> {
        let i = self.column(title);
        self.rows.iter().map(|r| r[i].clone()).collect()
    }
}

fn read_csv(file: &File) -> Csv {
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.content_type.starts_with("text/csv"),
        "{}",
        file.content_type
    );
    assert!(file.disposition.starts_with("attachment"));
    assert!(file.disposition.contains(".csv\""), "{}", file.disposition);
    let text = std::str::from_utf8(&file.bytes).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte order mark first");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    Csv { header, rows }
}

/// An Excel file's first worksheet: its header and typed rows.
struct Sheet {
    header: Vec<String>,
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn column(&self, title: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == title)
            .unwrap_or_else(|| panic!("no column {title} in {:?}", self.header))
    }

    /// A column's values as text (numbers as Rust writes them, dates as Excel serials).
    fn values(&self, title: &str) -> Vec<String> {
        let i = self.column(title);
        self.rows
            .iter()
            .map(|r| r.get(i).map(ToString::to_string).unwrap_or_default())
            .collect()
    }
}

fn read_xlsx(file: &File) -> Sheet {
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.content_type, XLSX);
    assert!(file.disposition.starts_with("attachment"));
    assert!(file.disposition.contains(".xlsx\""), "{}", file.disposition);
    let mut book = Xlsx::new(Cursor::new(file.bytes.clone())).expect("an xlsx file");
    let range = book
        .worksheet_range_at(0)
        .expect("a worksheet")
        .expect("readable");
    let mut rows = range.rows();
    let header = rows
        .next()
        .expect("a header row")
        .iter()
        .map(ToString::to_string)
        .collect();
    let rows = rows.map(<[Data]>::to_vec).collect();
    Sheet { header, rows }
}

/// Both download links of a page: (CSV, xlsx).
fn links(page: &Page) -> (String, String) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csv = page
        .attr(".rm-downloads.rm-no-print a[href*='.csv']", "href")
        .expect("a CSV link");
    let xlsx = page
        .attr(".rm-downloads a[href*='.xlsx']", "href")
        .expect("an Excel link");
    assert!(page.text(".rm-downloads").contains("als Excel (.xlsx)"));
    (csv, xlsx)
}

/// Both files of a page's links.
async fn both(app: &TestApp, page: &Page) -> (Csv, Sheet) {
    let (csv, xlsx) = links(page);
    (
        read_csv(&fetch(app, &csv).await),
        read_xlsx(&fetch(app, &xlsx).await),
    )
}

/// Days since Excel's day 0 (1899-12-30), as Excel stores a date.
fn excel_serial(day: &str) -> f64 {
    let day: jiff::civil::Date = day.parse().expect("a day");
    let days = jiff::civil::date(1899, 12, 30)
        .until(day)
        .expect("span")
        .get_days();
    f64::from(days)
}

/// The ids the API lists for a plan filter, over every page.
async fn api_plan_ids(app: &TestApp, query: &str) -> Vec<String> {
    let all = app.get(&format!("/api/v1/plans?alles=1&{query}")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    all.json()
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_plan_list_downloads_every_page_of_its_filter_in_both_formats() {
    let app = TestApp::demo().await;
    for query in [
        "fase=loopt",
        "subregio=lekstroom",
        "opgave=gezond-ouder-worden",
    ] {
        let page = app.get(&format!("/plannen?{query}&per_pagina=5")).await;
        let expected = api_plan_ids(&app, query).await;
        assert!(expected.len() > 5, "{query}: more than one page");
        assert_eq!(page.count("tbody tr"), 5);
        let (csv_link, xlsx_link) = links(&page);
        assert_eq!(csv_link, format!("/plannen.csv?{query}"));
        assert_eq!(xlsx_link, format!("/plannen.xlsx?{query}"));

        let (csv, sheet) = both(&app, &page).await;

        assert_eq!(
            csv.header,
            ["id", "naam", "soort", "gebied", "fase", "trekker"]
        );
        assert_eq!(sheet.header, csv.header);
        assert_eq!(csv.values("id"), expected, "{query}");
        assert_eq!(sheet.values("id"), expected, "{query}");
        assert_eq!(sheet.values("naam"), csv.values("naam"));
        // The first page's lines, as the page shows them.
        let names: Vec<String> = page.texts("tbody tr th");
        assert_eq!(csv.values("naam")[..5], names[..]);
    }
    let csv = read_csv(&fetch(&app, "/plannen.csv?fase=loopt").await);
    assert!(csv.values("fase").iter().all(|f| f == "Loopt"));
}

#[tokio::test]
async fn a_bad_filter_gets_the_pages_dutch_400_and_no_file() {
    let app = TestApp::demo().await;
    for (page, files) in [
        (
            "/plannen?fase=bijna",
            ["/plannen.csv?fase=bijna", "/plannen.xlsx?fase=bijna"],
        ),
        (
            "/?subregio=nergens",
            [
                "/overzicht.csv?subregio=nergens",
                "/overzicht.xlsx?subregio=nergens",
            ],
        ),
        (
            "/gemeenten/GM0355?peildatum=gisteren",
            [
                "/gemeenten/GM0355/plannen.csv?peildatum=gisteren",
                "/gemeenten/GM0355/plannen.xlsx?peildatum=gisteren",
            ],
        ),
        (
            "/wijzigingen?van=2026-02-30",
            [
                "/wijzigingen.csv?van=2026-02-30",
                "/wijzigingen.xlsx?van=2026-02-30",
            ],
        ),
    ] {
        let shown = app.get(page).await;
        assert_eq!(shown.status, StatusCode::BAD_REQUEST, "{page}");
        for file in files {
            let refused = app.get(file).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{file}");
            assert!(refused.content_type.starts_with("text/html"), "{file}");
            assert_eq!(
                refused.text("[role=alert]"),
                shown.text("[role=alert]"),
                "{file}"
            );
        }
    }
    let unknown = app.get("/gemeenten/GM9999/plannen.xlsx").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The cells of the start page's matrix that show a status: (plan, gemeente, status word,
/// follows the plan).
fn matrix_cells(page: &Page) -> BTreeSet<(String, String, String, bool)> {
    let html = page.html();
    let sel = |s: &str| scraper::Selector::parse(s).expect("selector");
    let columns: Vec<String> = html
        .select(&sel("th.rm-matrix__gemeente a"))
        .filter_map(|a| a.value().attr("href"))
        .map(|h| {
            h.trim_start_matches("/gemeenten/")
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let mut cells = BTreeSet::new();
    for tr in html.select(&sel("table.rm-matrix tbody tr")) {
        let Some(plan) = tr
            .select(&sel("th.rm-matrix__plan a"))
            .next()
            .and_then(|a| a.value().attr("href"))
        else {
            continue;
        };
        let plan = plan
            .trim_start_matches("/plannen/")
            .split('?')
            .next()
            .unwrap_or_default();
        for (td, gemeente) in tr.select(&sel("td.rm-cell")).zip(&columns) {
            let classes: Vec<&str> = td.value().classes().collect();
            if classes.contains(&"rm-cell--buiten") {
                continue;
            }
            let label = td
                .select(&sel(".rm-cell__label"))
                .next()
                .map(|l| l.text().collect::<String>())
                .unwrap_or_default();
            cells.insert((
                plan.to_owned(),
                gemeente.clone(),
                label,
                classes.contains(&"rm-cell--volgt"),
            ));
        }
    }
    cells
}

fn file_cells(
    ids: Vec<String>,
    gemeenten: Vec<String>,
    statuses: Vec<String>,
    origins: Vec<String>,
) -> BTreeSet<(String, String, String, bool)> {
    ids.into_iter()
        .zip(gemeenten)
        .zip(statuses)
        .zip(origins)
        .map(|(((p, g), s), o)| (p, g, s, o == "volgt plan"))
        .collect()
}

#[tokio::test]
async fn the_start_pages_matrix_downloads_as_one_row_per_cell_with_filter_and_peildatum() {
    let app = TestApp::demo().await;
    for query in [
        "subregio=lekstroom",
        "fase=loopt",
        "gemeente=GM0355&peildatum=2025-12-31",
        "subregio=eemland&fase=loopt&peildatum=2025-11-01",
    ] {
        let page = app.get(&format!("/?{query}")).await;
        let shown = matrix_cells(&page);
        assert!(!shown.is_empty(), "{query}: the matrix shows cells");
        let (csv_link, _) = links(&page);
        assert_eq!(csv_link, format!("/overzicht.csv?{query}"));

        let (csv, sheet) = both(&app, &page).await;

        let from_csv = file_cells(
            csv.values("plan-id"),
            csv.values("gemeentecode"),
            csv.values("status"),
            csv.values("herkomst"),
        );
        assert_eq!(csv.rows.len(), shown.len(), "{query}: one row per cell");
        assert_eq!(from_csv, shown, "{query}");
        let from_xlsx = file_cells(
            sheet.values("plan-id"),
            sheet.values("gemeentecode"),
            sheet.values("status"),
            sheet.values("herkomst"),
        );
        assert_eq!(from_xlsx, shown, "{query}");
        assert_eq!(sheet.rows.len(), csv.rows.len());
    }

    // A fact known to the day is a date in both files; a coarser one keeps its written form.
    let csv = read_csv(&fetch(&app, "/overzicht.csv?subregio=lekstroom").await);
    let sheet = read_xlsx(&fetch(&app, "/overzicht.xlsx?subregio=lekstroom").await);
    let (c, x) = (csv.column("datum"), sheet.column("datum"));
    let mut days = 0;
    for (row, typed) in csv.rows.iter().zip(&sheet.rows) {
        let written = &row[c];
        let is_day = written.len() == 10 && written.parse::<jiff::civil::Date>().is_ok();
        match &typed[x] {
            Data::DateTime(d) => {
                assert!(is_day, "{written}");
                assert_eq!(d.as_f64(), excel_serial(written));
                days += 1;
            }
            Data::String(s) => {
                assert!(!is_day, "{written} is a day");
                assert_eq!(s, written);
            }
            Data::Empty => assert!(written.is_empty()),
            other => panic!("datum {other:?}"),
        }
    }
    assert!(days > 0, "some facts are known to the day");
    // The file names say what they hold.
    let on_day = fetch(&app, "/overzicht.xlsx?peildatum=2025-12-31").await;
    assert!(
        on_day
            .disposition
            .contains("overzicht-peildatum-2025-12-31.xlsx"),
        "{}",
        on_day.disposition
    );
}

#[tokio::test]
async fn a_subregios_matrix_of_the_national_set_downloads_batch_after_batch() {
    let app = TestApp::empty().await;
    app.store
        .import_portfolio(
            &regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Import),
            &regiomonitor::cli::generate::national(),
        )
        .await
        .expect("national data set");
    let page = app.get("/?subregio=subregio-01").await;
    let shown = matrix_cells(&page);
    let plans: BTreeSet<&String> = shown.iter().map(|(p, ..)| p).collect();
    assert!(
        plans.len() > 100,
        "more plans than one batch: {}",
        plans.len()
    );

    let (csv, sheet) = both(&app, &page).await;

    let from_csv = file_cells(
        csv.values("plan-id"),
        csv.values("gemeentecode"),
        csv.values("status"),
        csv.values("herkomst"),
    );
    assert_eq!(csv.rows.len(), shown.len());
    assert_eq!(from_csv, shown);
    assert_eq!(sheet.values("plan-id"), csv.values("plan-id"));
    assert_eq!(sheet.values("gemeentecode"), csv.values("gemeentecode"));
}

#[tokio::test]
async fn a_gemeentes_plans_download_with_the_peildatum() {
    let app = TestApp::demo().await;
    for path in [
        "/gemeenten/GM0355",
        "/gemeenten/GM0355?peildatum=2025-10-01",
    ] {
        let page = app.get(path).await;
        // A plan under two opgaven is listed twice on the page and is one row in the file.
        let shown: BTreeSet<(String, bool)> = {
            let html = page.html();
            let row = scraper::Selector::parse("section table tbody tr").expect("selector");
            let link = scraper::Selector::parse("th a").expect("selector");
            let volgt = scraper::Selector::parse(".rm-status--volgt").expect("selector");
            html.select(&row)
                .map(|tr| {
                    let href = tr
                        .select(&link)
                        .next()
                        .and_then(|a| a.value().attr("href"))
                        .expect("a plan link");
                    let id = href
                        .trim_start_matches("/plannen/")
                        .split('?')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    (id, tr.select(&volgt).next().is_some())
                })
                .collect()
        };
        assert!(shown.len() > 5, "{path}");

        let (csv, sheet) = both(&app, &page).await;

        for (ids, origins) in [
            (csv.values("plan-id"), csv.values("herkomst")),
            (sheet.values("plan-id"), sheet.values("herkomst")),
        ] {
            assert_eq!(ids.len(), shown.len(), "{path}: one row per plan");
            let from_file: BTreeSet<(String, bool)> = ids
                .into_iter()
                .zip(origins)
                .map(|(id, o)| (id, o == "volgt plan"))
                .collect();
            assert_eq!(from_file, shown, "{path}");
        }
    }
    let file = fetch(&app, "/gemeenten/GM0355/plannen.csv?peildatum=2025-10-01").await;
    assert!(
        file.disposition
            .contains("gemeente-GM0355-plannen-peildatum-2025-10-01.csv")
    );
}

#[tokio::test]
async fn the_kpi_table_downloads_with_its_numbers_as_numbers() {
    let app = TestApp::demo().await;
    let page = app.get("/indicatoren").await;
    let shown: Vec<String> = {
        let html = page.html();
        let sel = scraper::Selector::parse("tbody tr th a").expect("selector");
        html.select(&sel)
            .filter_map(|a| a.value().attr("href"))
            .map(|h| h.trim_start_matches("/indicatoren/").to_owned())
            .collect()
    };
    let api = app.get("/api/v1/indicators?per_pagina=1000").await.json();
    assert_eq!(shown.len(), api.as_array().expect("array").len());

    let (csv, sheet) = both(&app, &page).await;

    assert_eq!(csv.values("id"), shown);
    assert_eq!(sheet.values("id"), shown);
    let row = csv
        .values("id")
        .iter()
        .position(|id| id == "productiviteit-netwerkzorg")
        .expect("the KPI with 7,5%");
    // A decimal comma in the CSV file, a number in the workbook.
    assert_eq!(csv.rows[row][csv.column("streefwaarde")], "7,5");
    assert_eq!(
        sheet.rows[row][sheet.column("streefwaarde")],
        Data::Float(7.5)
    );
    assert_eq!(csv.rows[row][csv.column("nulmeting")], "0");
    let negative = csv
        .values("id")
        .iter()
        .position(|id| id == "verwijzingen-tweede-lijn")
        .expect("a KPI with -7");
    assert_eq!(csv.rows[negative][csv.column("streefwaarde")], "-7");
    assert_eq!(
        sheet.rows[negative][sheet.column("streefwaarde")],
        Data::Float(-7.0)
    );
    // The areas per status are counts: numbers in the workbook, and they add up to the
    // areas each KPI is measured in.
    let statuses: Vec<usize> = (0..sheet.header.len())
        .filter(|i| sheet.header[*i].starts_with("gebieden "))
        .collect();
    assert_eq!(statuses.len(), 4);
    for (typed, written) in sheet.rows.iter().zip(&csv.rows) {
        let mut areas = 0.0;
        for &i in &statuses {
            match typed[i] {
                Data::Float(n) => areas += n,
                ref other => panic!("count {other:?}"),
            }
            assert!(written[i].parse::<u32>().is_ok(), "{}", written[i]);
        }
        assert!(areas >= 1.0);
    }
}

#[tokio::test]
async fn the_changes_download_holds_every_page_of_the_period() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    for i in 0..4 {
        let path = format!("/plannen/{}/bewerken", crate::helpers::PLAN);
        let mut fields = admin
            .get(&path)
            .await
            .form_values("form[action$='/bewerken']");
        crate::helpers::set_field(&mut fields, "about", &format!("Versie {i}"));
        crate::helpers::set_field(&mut fields, "comment", "Nieuwe tekst; in de download");
        let saved = admin.post_form(&path, fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    // The saves took effect on today's Dutch day (after 23:00 UTC that is tomorrow in UTC).
    let amsterdam = jiff::tz::TimeZone::get("Europe/Amsterdam").expect("the Dutch time zone");
    let today = jiff::Timestamp::now().to_zoned(amsterdam).date();
    let query = format!("van=2025-01-01&tot={today}");
    let api = app
        .get(&format!("/api/v1/changes?{query}&per_pagina=1000"))
        .await;
    let json = api.json();
    let expected: Vec<(String, String)> = json["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .flat_map(|p| p["changes"].as_array().expect("changes").iter())
        .chain(json["other"].as_array().expect("other"))
        .map(|c| {
            (
                c["what"].as_str().expect("what").to_owned(),
                c["effective_date"].as_str().expect("date").to_owned(),
            )
        })
        .collect();
    assert!(expected.len() > 5, "{}", expected.len());

    let page = app.get(&format!("/wijzigingen?{query}&per_pagina=5")).await;
    assert_eq!(page.count("tbody tr"), 5);
    let (csv_link, _) = links(&page);
    assert_eq!(csv_link, format!("/wijzigingen.csv?{query}"));

    let (csv, sheet) = both(&app, &page).await;

    let pairs = |what: Vec<String>, dates: Vec<String>| -> Vec<(String, String)> {
        what.into_iter().zip(dates).collect()
    };
    assert_eq!(pairs(csv.values("wat"), csv.values("ingegaan")), expected);
    assert_eq!(sheet.values("wat"), csv.values("wat"));
    assert!(
        !csv.header.contains(&"wie".to_owned()),
        "names are for signed-in readers"
    );
    // The saves took effect today: a day, so a date in the workbook.
    let saves: Vec<usize> = (0..csv.rows.len())
        .filter(|i| csv.rows[*i][csv.column("soort")] == "Bewerking")
        .collect();
    assert!(saves.len() >= 4);
    for i in saves {
        assert_eq!(csv.rows[i][csv.column("ingegaan")], today.to_string());
        assert_eq!(
            csv.rows[i][csv.column("toelichting")],
            "Nieuwe tekst; in de download"
        );
        match &sheet.rows[i][sheet.column("ingegaan")] {
            Data::DateTime(d) => assert_eq!(d.as_f64(), excel_serial(&today.to_string())),
            other => panic!("ingegaan {other:?}"),
        }
    }

    // Signed in, the file says who made each change, as the page does.
    let signed_in = admin.get(&format!("/wijzigingen.csv?{query}")).await;
    let text = signed_in.body.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    assert!(reader.headers().expect("header").iter().any(|h| h == "wie"));
}

#[tokio::test]
async fn a_download_asked_for_compressed_arrives_whole() {
    let app = TestApp::with_people().await;
    for path in ["/plannen.csv", "/plannen.xlsx"] {
        let plain = fetch(&app, path).await;
        let response = app
            .router
            .clone()
            .oneshot(
                Request::get(path)
                    .header(header::ACCEPT_ENCODING, "gzip")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("router answers");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let gzip = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut unpacked)
            .expect("a whole gzip stream");
        if path.ends_with(".csv") {
            assert_eq!(unpacked, plain.bytes, "{path}");
        } else {
            // A workbook carries the moment it was made (and its packed size can differ by a
            // byte with it), so the two are compared by their cells.
            let unpacked = File {
                status: plain.status,
                content_type: plain.content_type.clone(),
                disposition: plain.disposition.clone(),
                bytes: unpacked,
            };
            let (sent, whole) = (read_xlsx(&plain), read_xlsx(&unpacked));
            assert_eq!(whole.header, sent.header, "{path}");
            assert_eq!(whole.rows, sent.rows, "{path}");
        }
    }
}
