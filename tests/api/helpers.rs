use regiomonitor::domain::Channel;
use regiomonitor::store::Actor;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use regiomonitor::config::DatabaseUrl;
use regiomonitor::store::Store;
use scraper::{Html, Selector};
use tower::ServiceExt;

/// A fresh database for one test, removed again when the test ends: a SQLite file in a temp
/// dir, or with `REGIOMONITOR_TEST_DATABASE_URL=postgres://...` a PostgreSQL database of its
/// own. [`TestDb::demo`] copies one that holds the demo, built once per test process.
pub struct TestDb {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

/// Where the demo database of this test process is, built on first use.
enum Template {
    /// A SQLite file (its folder lives as long as the process).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database to use as `TEMPLATE`.
    Postgres(String),
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("REGIOMONITOR_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A name no other test of any process uses.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The admin URL with another database in its path.
fn with_database(admin_url: &str, database: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("PostgreSQL URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

async fn admin_connection(admin_url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url)
        .await
        .expect("PostgreSQL reachable")
}

/// Runs `work` on a runtime of its own on another thread: for building the template outside
/// any one test's runtime, and for dropping a database while a test's runtime shuts down.
fn on_own_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(work)
    })
    .join()
    .expect("thread")
}

/// The demo database of this process: migrated and loaded once, then copied for every test.
fn template() -> &'static Template {
    static TEMPLATE: std::sync::OnceLock<Template> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        on_own_runtime(async {
            match postgres_admin_url() {
                Some(admin_url) => {
                    let mut admin = admin_connection(&admin_url).await;
                    // Templates of earlier runs that ended without removing theirs; one that is
                    // being copied right now is refused and stays.
                    let stale: Vec<(String,)> = sqlx::query_as(
                        "SELECT CAST(datname AS TEXT) FROM pg_database WHERE datname LIKE 'rm_demo_%'",
                    )
                    .fetch_all(&mut admin)
                    .await
                    .expect("list databases");
                    for (name,) in stale {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}")))
                            .execute(&mut admin)
                            .await;
                    }
                    let name = unique_name("rm_demo");
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(&mut admin)
                        .await
                        .expect("create template");
                    let url = DatabaseUrl::parse(&with_database(&admin_url, &name)).expect("url");
                    load_demo_into(&url).await;
                    Template::Postgres(name)
                }
                None => {
                    let dir = tempfile::tempdir().expect("temp dir").keep();
                    let built = dir.join("demo-build.db");
                    let url = DatabaseUrl::parse(&format!("sqlite://{}", built.display()))
                        .expect("url");
                    let store = load_demo_into(&url).await;
                    // One self-contained file (no WAL beside it) to copy per test.
                    let copy = dir.join("demo.db");
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "VACUUM INTO '{}'",
                        copy.display()
                    )))
                    .execute(store.pool())
                    .await
                    .expect("vacuum into");
                    store.pool().close().await;
                    Template::Sqlite(copy)
                }
            }
        })
    })
}

/// Migrates the database at `url` and loads the demo; the pool is closed again afterwards.
async fn load_demo_into(url: &DatabaseUrl) -> Store {
    let store = Store::open(url).await.expect("store opens");
    store
        .load_demo(&Actor::system("demogegevens", Channel::Import))
        .await
        .unwrap_or_else(|e| panic!("demo data loads: {e}"));
    if store.backend() == regiomonitor::store::Backend::Postgres {
        store.pool().close().await;
    }
    store
}

impl TestDb {
    /// An empty database.
    pub async fn new() -> Self {
        Self::create(None).await
    }

    /// A database holding the demo, as `load_demo` leaves it.
    pub async fn demo() -> Self {
        Self::create(Some(template())).await
    }

    async fn create(template: Option<&Template>) -> Self {
        match postgres_admin_url() {
            Some(admin_url) => {
                let database = unique_name("rm_t");
                let mut sql = format!("CREATE DATABASE {database}");
                if let Some(Template::Postgres(name)) = template {
                    sql.push_str(&format!(" TEMPLATE {name}"));
                }
                let mut admin = admin_connection(&admin_url).await;
                // Two copies of one template at the very same moment can be refused; try again.
                let mut attempts = 0;
                loop {
                    match sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                        .execute(&mut admin)
                        .await
                    {
                        Ok(_) => break,
                        Err(e) if attempts < 50 && e.to_string().contains("other users") => {
                            attempts += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                        Err(e) => panic!("{sql}: {e}"),
                    }
                }
                Self {
                    url: DatabaseUrl::parse(&with_database(&admin_url, &database)).expect("url"),
                    cleanup: Cleanup::Postgres {
                        admin_url,
                        database,
                    },
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let file = dir.path().join("test.db");
                if let Some(Template::Sqlite(demo)) = template {
                    std::fs::copy(demo, &file).expect("copy the demo database");
                }
                let url = DatabaseUrl::parse(&format!("sqlite://{}", file.display())).expect("url");
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
        if let Cleanup::Postgres {
            admin_url,
            database,
        } = &self.cleanup
        {
            let (admin_url, database) = (admin_url.clone(), database.clone());
            // The test's runtime is shutting down; drop the database from a runtime of our
            // own. WITH (FORCE) ends the test's pooled connections, including one whose
            // rollback is still queued on the test's runtime.
            on_own_runtime(async move {
                let mut admin = admin_connection(&admin_url).await;
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await;
            });
        }
    }
}

pub struct TestApp {
    pub router: Router,
    /// The router's state: its counters of pages and parts made.
    pub state: regiomonitor::web::AppState,
    pub store: Store,
    /// Keeps the database alive (and removes it) with the app.
    pub _db: TestDb,
}

pub struct Page {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for files that are not text (a PDF).
    pub bytes: Vec<u8>,
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

    /// The options (value, text) of the select box `selector` matches, in order.
    pub fn form_select_options(&self, selector: &str) -> Vec<(String, String)> {
        let html = self.html();
        let select = Selector::parse(selector).expect("valid selector");
        let option = Selector::parse("option").expect("selector");
        html.select(&select)
            .next()
            .unwrap_or_else(|| panic!("no select box matches {selector}"))
            .select(&option)
            .map(|o| {
                (
                    o.value().attr("value").unwrap_or_default().to_owned(),
                    o.text().collect::<String>().trim().to_owned(),
                )
            })
            .collect()
    }
}

impl TestApp {
    pub async fn empty() -> Self {
        let db = TestDb::new().await;
        let store = Store::open(&db.url).await.expect("store opens");
        let (router, state) = regiomonitor::web::router_and_state(
            store.clone(),
            regiomonitor::web::WebSettings::default(),
        );
        Self {
            router,
            state,
            store,
            _db: db,
        }
    }

    /// The demo portfolio, copied from the one this test process built.
    pub async fn demo() -> Self {
        let db = TestDb::demo().await;
        let store = Store::open(&db.url).await.expect("store opens");
        let (router, state) = regiomonitor::web::router_and_state(
            store.clone(),
            regiomonitor::web::WebSettings::default(),
        );
        Self {
            router,
            state,
            store,
            _db: db,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        send(
            &self.router,
            Request::get(path).body(Body::empty()).expect("request"),
        )
        .await
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

/// Sends one request through the router and reads the whole answer.
pub async fn send(router: &Router, request: Request<Body>) -> Page {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
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
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The value a `Set-Cookie` header gives the cookie `name` (empty when it removes it).
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim().to_owned())
    }

    /// The `value` of the first element `selector` matches.
    /// Every value of the header `name`.
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The attribute `name` of the first element a CSS selector matches.
    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_owned))
    }

    pub fn value(&self, selector: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_owned))
    }

    /// What a browser would send for the form `selector` matches: named inputs (checked
    /// boxes only), the selected option of each select box and the text of each textarea.
    pub fn form_values(&self, selector: &str) -> Vec<(String, String)> {
        let html = self.html();
        let form_sel = Selector::parse(selector).expect("valid selector");
        let form = html
            .select(&form_sel)
            .next()
            .unwrap_or_else(|| panic!("no form matches {selector}"));
        let fields = Selector::parse("input, select, textarea").expect("selector");
        let options = Selector::parse("option").expect("selector");
        let mut out = Vec::new();
        for e in form.select(&fields) {
            let Some(name) = e.value().attr("name") else {
                continue;
            };
            match e.value().name() {
                "input" => {
                    let kind = e.value().attr("type").unwrap_or("text");
                    if matches!(kind, "submit" | "button" | "reset" | "file") {
                        continue;
                    }
                    if matches!(kind, "checkbox" | "radio") && e.value().attr("checked").is_none() {
                        continue;
                    }
                    let default = if matches!(kind, "checkbox" | "radio") {
                        "on"
                    } else {
                        ""
                    };
                    out.push((
                        name.to_owned(),
                        e.value().attr("value").unwrap_or(default).to_owned(),
                    ));
                }
                "select" => {
                    let all: Vec<_> = e.select(&options).collect();
                    let chosen = all
                        .iter()
                        .find(|o| o.value().attr("selected").is_some())
                        .or(all.first());
                    if let Some(o) = chosen {
                        let value = o
                            .value()
                            .attr("value")
                            .map_or_else(|| o.text().collect(), str::to_owned);
                        out.push((name.to_owned(), value));
                    }
                }
                "textarea" => out.push((name.to_owned(), e.text().collect())),
                _ => {}
            }
        }
        out
    }
}

/// Replaces (or adds) one field of a form's values, as a user typing in it.
pub fn set_field(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(f) => f.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

fn form_body<K: AsRef<str>, V: AsRef<str>>(fields: impl IntoIterator<Item = (K, V)>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k.as_ref(), v.as_ref());
    }
    out.finish()
}

/// One part of a multipart form.
pub struct Part<'a> {
    pub name: &'a str,
    /// Set for a file.
    pub file_name: Option<&'a str>,
    pub content: &'a [u8],
}

impl<'a> Part<'a> {
    pub fn text(name: &'a str, content: &'a str) -> Self {
        Self {
            name,
            file_name: None,
            content: content.as_bytes(),
        }
    }

    pub fn file(name: &'a str, file_name: &'a str, content: &'a str) -> Self {
        Self::file_bytes(name, file_name, content.as_bytes())
    }

    /// A file that need not be UTF-8.
    pub fn file_bytes(name: &'a str, file_name: &'a str, content: &'a [u8]) -> Self {
        Self {
            name,
            file_name: Some(file_name),
            content,
        }
    }
}

/// How a client identifies itself.
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    /// A browser session: the cookie's value and the session's CSRF token.
    Session {
        cookie: String,
        csrf: String,
    },
    /// A personal API token.
    Bearer(String),
}

/// A browser or API client of the app: sends the session cookie (and, on forms, the CSRF
/// token) or the Bearer token with every request.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub auth: Auth,
    /// The peer address the request appears to come from (for throttling by address).
    pub address: Option<std::net::SocketAddr>,
    /// Headers sent with every request (a proxy's `X-Forwarded-For`, say).
    pub headers: Vec<(&'static str, String)>,
}

pub const SESSION_COOKIE: &str = "regiomonitor_sessie";
pub const LOGIN_COOKIE: &str = "regiomonitor_inlogtoken";

impl Client {
    /// The session's CSRF token ("" without a session).
    pub fn csrf(&self) -> String {
        match &self.auth {
            Auth::Session { csrf, .. } => csrf.clone(),
            _ => String::new(),
        }
    }

    /// The stored hash of the session cookie, to age the session in tests.
    pub fn session_hash(&self) -> String {
        match &self.auth {
            Auth::Session { cookie, .. } => regiomonitor::auth::secret_hash(cookie),
            _ => panic!("not a session client"),
        }
    }

    fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path);
        match &self.auth {
            Auth::Anonymous => {}
            Auth::Session { cookie, .. } => {
                builder = builder.header(header::COOKIE, format!("{SESSION_COOKIE}={cookie}"));
            }
            Auth::Bearer(token) => {
                builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
        }
        builder
    }

    pub async fn send(&self, mut request: Request<Body>) -> Page {
        for (name, value) in &self.headers {
            request
                .headers_mut()
                .insert(*name, value.parse().expect("header value"));
        }
        if let Some(addr) = self.address {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        send(&self.router, request).await
    }

    pub async fn get(&self, path: &str) -> Page {
        let request = self
            .request(Method::GET, path)
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// A GET as htmx sends it.
    pub async fn get_htmx(&self, path: &str) -> Page {
        let request = self
            .request(Method::GET, path)
            .header("hx-request", "true")
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// Uploads a file as a browser sends the import form: multipart, the session's CSRF
    /// token as the first part (as the form puts it), then the file in field `bestand`.
    pub async fn upload(&self, path: &str, file_name: &str, content: &str) -> Page {
        let csrf = self.csrf();
        let mut parts = Vec::new();
        if !csrf.is_empty() {
            parts.push(Part::text("csrf", &csrf));
        }
        parts.push(Part::file("bestand", file_name, content));
        self.post_multipart(path, &parts, &[]).await
    }

    /// Posts a multipart form with exactly these parts, in this order, and extra headers.
    pub async fn post_multipart(
        &self,
        path: &str,
        parts: &[Part<'_>],
        headers: &[(&str, &str)],
    ) -> Page {
        let boundary = "----regiomonitor-test-grens";
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
                    part.name
                )
                .as_bytes(),
            );
            match part.file_name {
                Some(f) => body.extend_from_slice(
                    format!("; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(b"\r\n\r\n"),
            }
            body.extend_from_slice(part.content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut builder = self.request(Method::POST, path).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.send(builder.body(Body::from(body)).expect("request"))
            .await
    }

    /// Posts a form exactly as given (no CSRF token added), with extra headers.
    pub async fn post_raw<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: impl IntoIterator<Item = (K, V)>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut builder = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(Body::from(form_body(fields)))
            .expect("request");
        self.send(request).await
    }

    /// Posts a form as a browser does: with the session's CSRF token in the `csrf` field.
    pub async fn post_form<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Page {
        let csrf = self.csrf();
        self.post_with_csrf(path, fields, &csrf).await
    }

    /// Posts a form with this CSRF token in place of the session's own (none when empty).
    pub async fn post_with_csrf<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: impl IntoIterator<Item = (K, V)>,
        csrf: &str,
    ) -> Page {
        let mut all: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(k, _)| k.as_ref() != "csrf")
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
            .collect();
        if !csrf.is_empty() {
            all.push(("csrf".into(), csrf.to_owned()));
        }
        self.post_raw(path, all, &[]).await
    }

    /// Posts a form without any CSRF token.
    pub async fn post_without_csrf<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Page {
        self.post_with_csrf(path, fields, "").await
    }

    /// Posts a form as htmx does: `hx-request` and the CSRF token in the header.
    pub async fn post_htmx<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Page {
        let csrf = self.csrf();
        let mut headers = vec![("hx-request", "true")];
        if !csrf.is_empty() {
            headers.push(("x-csrf-token", csrf.as_str()));
        }
        self.post_raw(path, fields, &headers).await
    }

    /// Sends JSON (with the CSRF header when riding on a session).
    pub async fn send_json(&self, method: Method, path: &str, body: &serde_json::Value) -> Page {
        let mut builder = self
            .request(method, path)
            .header(header::CONTENT_TYPE, "application/json");
        let csrf = self.csrf();
        if !csrf.is_empty() {
            builder = builder.header("x-csrf-token", csrf);
        }
        let request = builder.body(Body::from(body.to_string())).expect("request");
        self.send(request).await
    }
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct-paard-batterij-niet";

/// One Argon2 hash of [`PASSWORD`], shared by the test accounts (hashing takes a while).
pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| regiomonitor::auth::hash_password(PASSWORD).expect("hashes"))
        .clone()
}

/// A plan led by `unicum`, where the trekker of unicum may edit.
pub const PLAN: &str = "versterken-eerstelijn";
/// A plan not led by `unicum` but by `ggdru`.
pub const OTHER_PLAN: &str = "kind-naar-gezonder-gewicht";
/// Zeist, in the subregio of both plans.
pub const GEMEENTE: &str = "GM0355";

/// The people of the tests, one per kind of right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persona {
    Anonymous,
    Reader,
    /// A trekker of `unicum`, which leads [`PLAN`].
    LeadOfPlan,
    /// A trekker of `ggdru`, which leads [`OTHER_PLAN`] but not [`PLAN`].
    LeadOfOtherPlan,
    Admin,
}

impl Persona {
    pub const ALL: [Persona; 5] = [
        Persona::Anonymous,
        Persona::Reader,
        Persona::LeadOfPlan,
        Persona::LeadOfOtherPlan,
        Persona::Admin,
    ];

    pub fn email(self) -> &'static str {
        match self {
            Persona::Anonymous => "",
            Persona::Reader => "lezer@example.nl",
            Persona::LeadOfPlan => "trekker.unicum@example.nl",
            Persona::LeadOfOtherPlan => "trekker.ggdru@example.nl",
            Persona::Admin => "beheerder@example.nl",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Persona::Anonymous => "",
            Persona::Reader => "Lotte Lezer",
            Persona::LeadOfPlan => "Tim Trekker",
            Persona::LeadOfOtherPlan => "Greet GGD",
            Persona::Admin => "Bea Beheer",
        }
    }
}

impl TestApp {
    /// The demo portfolio with one account per [`Persona`].
    pub async fn with_people() -> Self {
        let app = Self::demo().await;
        for p in Persona::ALL {
            app.add_person(p).await;
        }
        app
    }

    pub async fn add_person(&self, persona: Persona) -> Option<i64> {
        use regiomonitor::domain::Role;
        let (role, organisations) = match persona {
            Persona::Anonymous => return None,
            Persona::Reader => (Role::Reader, vec![]),
            Persona::LeadOfPlan => (Role::Lead, vec!["unicum".to_owned()]),
            Persona::LeadOfOtherPlan => (Role::Lead, vec!["ggdru".to_owned()]),
            Persona::Admin => (Role::Admin, vec![]),
        };
        Some(
            self.add_user(persona.email(), persona.name(), role, organisations)
                .await,
        )
    }

    /// Creates an account with [`PASSWORD`].
    pub async fn add_user(
        &self,
        email: &str,
        name: &str,
        role: regiomonitor::domain::Role,
        organisations: Vec<String>,
    ) -> i64 {
        self.store
            .create_user(
                &Actor::system("test", Channel::Cli),
                &regiomonitor::features::accounts::repo::NewUser {
                    email: email.to_owned(),
                    name: name.to_owned(),
                    role,
                    password_hash: password_hash(),
                    organisations,
                },
            )
            .await
            .expect("user created")
    }

    pub async fn user_id(&self, persona: Persona) -> i64 {
        self.store
            .account_by_email(persona.email())
            .await
            .expect("accounts")
            .unwrap_or_else(|| panic!("no account for {persona:?}"))
            .id
    }

    pub fn anonymous(&self) -> Client {
        Client {
            router: self.router.clone(),
            auth: Auth::Anonymous,
            address: None,
            headers: Vec::new(),
        }
    }

    pub fn bearer(&self, token: &str) -> Client {
        Client {
            router: self.router.clone(),
            auth: Auth::Bearer(token.to_owned()),
            address: None,
            headers: Vec::new(),
        }
    }

    /// Fills in and sends the sign-in form as a browser does, from `address` when given.
    pub async fn try_login(
        &self,
        email: &str,
        password: &str,
        address: Option<std::net::SocketAddr>,
    ) -> Page {
        let client = Client {
            address,
            ..self.anonymous()
        };
        sign_in(&client, email, password).await
    }

    /// Signs in through the real form and returns the browser with its session, its CSRF
    /// token read from the page it is given.
    pub async fn login(&self, email: &str, password: &str) -> Client {
        let answer = self.try_login(email, password, None).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "sign-in of {email} failed: {}",
            answer.body
        );
        let cookie = answer
            .set_cookie(SESSION_COOKIE)
            .filter(|c| !c.is_empty())
            .expect("a session cookie");
        let mut client = Client {
            router: self.router.clone(),
            auth: Auth::Session {
                cookie,
                csrf: String::new(),
            },
            address: None,
            headers: Vec::new(),
        };
        let account = client.get("/account").await;
        assert_eq!(account.status, StatusCode::OK, "{}", account.body);
        let csrf = account
            .value("form[action='/account/tokens'] input[name=csrf]")
            .filter(|c| !c.is_empty())
            .expect("the account page carries the CSRF token");
        if let Auth::Session { csrf: c, .. } = &mut client.auth {
            *c = csrf;
        }
        client
    }

    pub async fn login_as(&self, persona: Persona) -> Client {
        self.login(persona.email(), PASSWORD).await
    }

    /// A session made directly in the store (fast; for tests about rights, not sign-in).
    pub async fn session_for(&self, user_id: i64) -> Client {
        let (cookie, hash) = regiomonitor::auth::new_secret();
        let (csrf, _) = regiomonitor::auth::new_secret();
        self.store
            .create_session(user_id, &hash, &csrf, regiomonitor::store::now_unix())
            .await
            .expect("session");
        Client {
            router: self.router.clone(),
            auth: Auth::Session { cookie, csrf },
            address: None,
            headers: Vec::new(),
        }
    }

    /// How many entries the audit trail holds.
    pub async fn audit_count(&self) -> i64 {
        self.store.audit_count().await.expect("audit count")
    }

    /// Every entry of the audit trail, oldest first.
    pub async fn audit_entries(&self) -> Vec<regiomonitor::features::changes::model::AuditRow> {
        sqlx::query_as(
            "SELECT id, at, actor, channel, record_type, record_id, record_label, plan_id, area_id,
                organisation_id, indicator_id, field, old_value, new_value, comment, source, write_id
             FROM audit_log ORDER BY id",
        )
        .fetch_all(self.store.pool())
        .await
        .expect("audit entries")
    }

    /// Entries added after the first `skip`.
    pub async fn audit_since(
        &self,
        skip: i64,
    ) -> Vec<regiomonitor::features::changes::model::AuditRow> {
        self.audit_entries()
            .await
            .into_iter()
            .skip(usize::try_from(skip).expect("count"))
            .collect()
    }

    /// One number from the database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.store.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        n
    }

    /// Everything a failed write must leave alone: row counts, the trail, accounts and tokens.
    pub async fn snapshot(&self) -> Snapshot {
        let mut counts = self.counts().await;
        for table in [
            "users",
            "api_tokens",
            "rollout_history",
            "plan_organisations",
            "plan_links",
            "indicators",
            "indicator_plans",
            "observations",
            "actions",
            "action_escalations",
            "report_rounds",
            "plan_updates",
            "update_milestones",
            "update_reviews",
            "round_snapshots",
            "round_corrections",
            "meetings",
            "meeting_attendance",
            "agenda_items",
            "agenda_item_plans",
            "agenda_item_indicators",
            "agenda_item_rounds",
            "agenda_item_actions",
            "agenda_outcomes",
        ] {
            counts.push((
                table.to_owned(),
                self.scalar(&format!("SELECT COUNT(*) FROM {table}")).await,
            ));
        }
        counts.push((
            "plan versions".into(),
            self.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM plans")
                .await,
        ));
        counts.push((
            "meeting versions".into(),
            self.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM meetings")
                .await,
        ));
        counts.push((
            "rollout versions".into(),
            self.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM rollouts")
                .await,
        ));
        counts.push((
            "user versions".into(),
            self.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM users")
                .await,
        ));
        for (name, table) in [
            ("indicator versions", "indicators"),
            ("observation versions", "observations"),
            ("action versions", "actions"),
            ("round versions", "report_rounds"),
            ("update versions", "plan_updates"),
        ] {
            counts.push((
                name.into(),
                self.scalar(&format!(
                    "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM {table}"
                ))
                .await,
            ));
        }
        counts.push((
            "revoked tokens".into(),
            self.scalar("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL")
                .await,
        ));
        Snapshot {
            audit: self.audit_count().await,
            counts,
        }
    }
}

/// The state a refused or failed write must not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub audit: i64,
    pub counts: Vec<(String, i64)>,
}

/// Fills in and sends the sign-in form as `client`'s browser does: fetches the form (its
/// token and cookie) and posts it.
pub async fn sign_in(client: &Client, email: &str, password: &str) -> Page {
    let form = client.get("/inloggen").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let cookie = form
        .set_cookie(LOGIN_COOKIE)
        .expect("the sign-in form sets its cookie");
    let csrf = form
        .value("form[action='/inloggen'] input[name=csrf]")
        .expect("the sign-in form has a token");
    let request = Request::post("/inloggen")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("{LOGIN_COOKIE}={cookie}"))
        .body(Body::from(form_body([
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
            ("terug", "/"),
        ])))
        .expect("request");
    client.send(request).await
}
