use regiomonitor::domain::Channel;
use regiomonitor::store::Actor;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use regiomonitor::config::DatabaseUrl;
use regiomonitor::import::Bundle;
use regiomonitor::store::Store;
use scraper::{Html, Selector};
use tower::ServiceExt;

/// A fresh database for one test, removed again when the test ends.
pub struct TestDb {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

impl TestDb {
    pub async fn new() -> Self {
        match std::env::var("REGIOMONITOR_TEST_DATABASE_URL") {
            Ok(admin_url) if admin_url.starts_with("postgres") => {
                static COUNTER: AtomicU64 = AtomicU64::new(0);
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default();
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    nanos,
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
                    .await
                    .expect("PostgreSQL reachable");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("create schema");
                let sep = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
                Self {
                    url: DatabaseUrl::parse(&url).expect("url"),
                    cleanup: Cleanup::Postgres { admin_url, schema },
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = DatabaseUrl::parse(&format!(
                    "sqlite://{}",
                    dir.path().join("test.db").display()
                ))
                .expect("url");
                Self {
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            let (admin_url, schema) = (admin_url.clone(), schema.clone());
            // The test's runtime is shutting down; drop the schema from a runtime of our own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
                        .await
                        .ok()?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                        .execute(&mut conn)
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    /// Keeps the database alive (and removes it) with the app.
    _db: TestDb,
}

pub struct Page {
    pub status: StatusCode,
    pub content_type: String,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The trimmed texts of every element a CSS selector matches.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.texts(selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing matches {selector}"))
    }

    pub fn count(&self, selector: &str) -> usize {
        self.texts(selector).len()
    }
}

impl TestApp {
    pub async fn empty() -> Self {
        let db = TestDb::new().await;
        let store = Store::open(&db.url).await.expect("store opens");
        Self {
            router: regiomonitor::web::router(store.clone()),
            store,
            _db: db,
        }
    }

    pub async fn demo() -> Self {
        let app = Self::empty().await;
        let portfolio = Bundle::demo()
            .check()
            .unwrap_or_else(|p| panic!("demo data is valid:\n{p}"));
        app.store
            .import_portfolio(&Actor::system("demogegevens", Channel::Import), &portfolio)
            .await
            .expect("demo loads");
        app
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("router answers");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Page {
            status,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Row counts of the main tables, to compare before and after a failed write.
    pub async fn counts(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for table in [
            "sources",
            "areas",
            "framework_items",
            "organisations",
            "plans",
            "rollouts",
            "stage_history",
            "milestones",
        ] {
            let (n,): (i64,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(self.store.pool())
                    .await
                    .expect("count");
            out.push((table.to_owned(), n));
        }
        out
    }
}
