//! Regression guards: what the start page, a gemeente page and a KPI page read from the
//! database to be made fresh for a signed-in visitor does not grow with the number of plans,
//! rollouts or observations.
//!
//! Every statement sqlx runs is an event of `sqlx::query` with the rows it returned (a packed
//! read's rows, one JSON text, are an event of their own with their number); this
//! binary counts them with a layer of its own (one test, so nothing else runs beside it). Two
//! generated portfolios (`generate::portfolio`): 150 plans with 1,500 rollouts and six months
//! of a KPI in every gemeente, and 600 plans with 6,000 rollouts and 24 months. The same
//! pages must run the same statements in both, and read at most a bound that follows from the
//! catalog (areas, KPI's) and a page's length, never from the number of rollouts or
//! observations.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use regiomonitor::cli::generate;
use regiomonitor::domain::{Channel, Period, Role};
use regiomonitor::features::accounts::repo::NewUser;
use regiomonitor::features::observations::model::NewObservation;
use regiomonitor::store::{Actor, Store};
use tower::ServiceExt;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

static STATEMENTS: AtomicU64 = AtomicU64::new(0);
static ROWS: AtomicU64 = AtomicU64::new(0);

/// Counts sqlx's statements and the rows they returned.
struct Statements;

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        // A packed read (`store/packed.rs`) is one statement of one row
        // that holds many: its event says how many.
        let packed = event.metadata().target() == "regiomonitor::store::packed";
        if event.metadata().target() != "sqlx::query" && !packed {
            return;
        }
        #[derive(Default)]
        struct Statement {
            summary: String,
            rows: u64,
        }
        impl tracing::field::Visit for Statement {
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                if field.name() == "rows_returned" || field.name() == "rows" {
                    self.rows = value;
                }
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "summary" {
                    value.clone_into(&mut self.summary);
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        // A new connection's settings are the pool's business, not the page's; the data's
        // version is read again after 250 ms (the kept parts' clock), so how often depends on
        // how long a page took.
        let summary = statement.summary.to_lowercase();
        let setup = ["pragma", "set "].iter().any(|p| summary.starts_with(p))
            || summary.starts_with("select value from data_version");
        if packed {
            ROWS.fetch_add(statement.rows, Ordering::SeqCst);
        } else if !setup {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
            ROWS.fetch_add(statement.rows, Ordering::SeqCst);
            if std::env::var_os("GUARDS_LIST").is_some() {
                eprintln!("{} ({} rows)", statement.summary, statement.rows);
            }
        }
    }
}

fn counted() -> (u64, u64) {
    (
        STATEMENTS.load(Ordering::SeqCst),
        ROWS.load(Ordering::SeqCst),
    )
}

/// What one page read: (statements, rows), per page in `PAGES`.
async fn reads(plans: usize, months: u8) -> Vec<(u64, u64)> {
    let db = helpers::TestDb::new().await;
    let store = Store::open(&db.url).await.expect("store opens");
    let actor = Actor::system("test", Channel::Import);
    store
        .import_portfolio(&actor, &generate::portfolio(plans))
        .await
        .expect("generated portfolio");
    let gemeenten: Vec<String> = (1..=generate::GEMEENTEN)
        .map(|g| format!("GM{g:04}"))
        .collect();
    let observations = gemeenten.iter().flat_map(|g| {
        (1..=months).map(move |m| NewObservation {
            indicator_id: "kpi-001".into(),
            area_id: g.clone(),
            period: Period::Month(2023 + i16::from((m - 1) / 12), (m - 1) % 12 + 1),
            value: Some(f64::from(m)),
            narrative: None,
            judged_status: None,
            source: Some("wachter".into()),
            note: None,
            is_example: false,
        })
    });
    store
        .import_observations(&actor, "wachter", observations, |_| {})
        .await
        .expect("observations");
    let user = store
        .create_user(
            &Actor::system("test", Channel::Cli),
            &NewUser {
                email: "lezer@wachter.example".into(),
                name: "Lezer".into(),
                role: Role::Reader,
                password_hash: helpers::password_hash(),
                organisations: Vec::new(),
            },
        )
        .await
        .expect("user");
    let (cookie, hash) = regiomonitor::auth::new_secret();
    let (csrf, _) = regiomonitor::auth::new_secret();
    store
        .create_session(user, &hash, &csrf, regiomonitor::store::now_unix())
        .await
        .expect("session");
    let router = regiomonitor::web::router(store.clone());

    let mut read = Vec::new();
    for path in PAGES {
        let (statements, rows) = counted();
        let request = Request::get(*path)
            .header(
                header::COOKIE,
                format!("{}={cookie}", helpers::SESSION_COOKIE),
            )
            .body(Body::empty())
            .expect("request");
        let answer = router.clone().oneshot(request).await.expect("answer");
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        let body = answer.into_body().collect().await.expect("body").to_bytes();
        assert!(
            String::from_utf8_lossy(&body).contains("Lezer"),
            "{path} is made for the signed-in reader"
        );
        let (after_statements, after_rows) = counted();
        read.push((after_statements - statements, after_rows - rows));
    }
    read
}

const PAGES: &[&str] = &["/", "/gemeenten/GM0100", "/indicatoren/kpi-001"];

#[tokio::test]
async fn the_start_gemeente_and_kpi_pages_read_within_a_bound_that_does_not_grow_with_the_data() {
    let subscriber = tracing_subscriber::registry().with(Statements);
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let small = reads(150, 6).await;
    let large = reads(600, 24).await;

    // The catalog: 368 areas, 300 organisations, 100 KPI's, a few framework items and sources,
    // each read at most twice by a page (its names and a form's choices); the counts: one row
    // per area and category (4 + 4 per area + 32 per gemeente); "Vraagt aandacht": the latest
    // value of each series (at most KPI's × areas), the actions and the bodies.
    let (areas, gemeenten, kpis, organisations) = (368, 342, 100, 300);
    let catalog = 2 * (areas + organisations + kpis + 100);
    let start_bound = catalog + 4 + 4 * areas + 32 * gemeenten + kpis * areas + 200;
    // A gemeente page: one page of at most 200 plans with what hangs off each (the
    // generator's plans have 10 rollouts, a stage step and up to 3 organisations), the trail
    // (at most 100) and the KPI lines.
    let gemeente_bound = catalog + 200 * 20 + 100 + kpis * 2;
    // A KPI page: the latest value in each area, the series of one area (24 months here),
    // the actions and the catalog.
    let kpi_bound = catalog + areas + 24 + 100;
    for ((path, s), l) in PAGES.iter().zip(&small).zip(&large) {
        assert_eq!(
            s.0, l.0,
            "{path}: the same statements whatever the size ({s:?} and {l:?})"
        );
        let bound = match *path {
            "/" => start_bound,
            "/gemeenten/GM0100" => gemeente_bound,
            _ => kpi_bound,
        };
        assert!(
            s.1 <= bound as u64 && l.1 <= bound as u64,
            "{path}: rows read {s:?} and {l:?}, bound {bound}"
        );
    }
    // Four times the plans, rollouts and observations: the start page's counts read no more
    // than the bound, and the gemeente page's list stays one page.
    println!("reads (statements, rows) per page: 150 plans {small:?}, 600 plans {large:?}");
}
