//! What every feature's pages share: the application state and router, errors as pages and
//! JSON, who is asking and CSRF, kept public pages, form helpers, the filter, the route table,
//! the OpenAPI document and the embedded assets. The pages themselves live in `features`.

pub(crate) mod api;
pub mod assets;
pub(crate) mod cache;
pub mod download;
pub(crate) mod error;
pub(crate) mod filter;
pub mod flash;
pub mod forms;
pub(crate) mod htmx;
pub mod input;
pub mod mail;
pub mod paging;
pub mod proxy;
pub(crate) mod routes;
pub(crate) mod session;
pub mod shared;
pub mod uploads;
pub(crate) mod view;

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::{ApiError, WebError};
pub use routes::Routes;
pub use session::Viewer;
pub use view::Catalog;

/// How soon a write by another process shows on kept public pages.
pub const KEPT_PAGES_FRESH: std::time::Duration = cache::FRESH;

use crate::domain::{FrameworkKind, Stage};
use crate::features::accounts::repo::SessionLimits;
use crate::store::Store;

/// Everything a request handler may use; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

pub struct App {
    /// The portfolio store (SQLite or PostgreSQL).
    pub store: Store,
    /// How long sessions live.
    pub session_limits: SessionLimits,
    /// Mark cookies Secure even without a proxy header saying the request came over TLS.
    pub secure_cookies: bool,
    /// Public pages kept while the data has not changed.
    pub pages: cache::PageCache,
    /// The start page's counts per gemeente, the same for every viewer, kept while the data
    /// has not changed.
    pub counts: shared::Shared<crate::features::dashboard::counts::GemeenteCounts>,
    /// The start page's "Vraagt aandacht", the same for every viewer, kept likewise.
    pub attention: shared::Shared<Vec<crate::features::dashboard::pages::AttentionPart>>,
    /// Its KPIs that missed their target, kept under the KPI version
    /// ([`crate::store::Store::kpi_version`]): a write of a plan or a rollout keeps them.
    pub kpi_attention: shared::Shared<Vec<crate::features::dashboard::pages::AttentionLine>>,
    /// Where every KPI stands (the KPI list and a plan's KPI's), kept under the KPI version.
    pub kpi_standing: shared::Shared<crate::features::indicators::standing::Standing>,
    /// A gemeente page's counts and page of plans, the same for every viewer, kept likewise.
    pub gemeente_plans: shared::Shared<crate::features::areas::pages::GemeentePlans>,
    /// The catalog (areas, framework, sources) that most pages name things from, kept likewise.
    pub catalogs: shared::Shared<Catalog>,
    /// The financing overview of a year and filter (every plan's money and the totals), the
    /// same for every viewer, kept likewise; a few filters at a time, as each holds a line
    /// for every plan.
    pub finance: shared::Shared<crate::features::finance::overview::Overview>,
    /// How many plans a filter selects ([`App::plan_total`]), kept likewise.
    pub plan_totals: shared::Shared<usize>,
    /// The KPI list's groups, the same for every viewer, kept likewise.
    pub kpi_list: shared::Shared<(Vec<crate::features::indicators::pages::Group>, usize)>,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: proxy::TrustedProxies,
    /// Uploaded files on disk, and the checked ones waiting for their confirmation.
    pub uploads: uploads::Uploads,
    /// The SMTP server reminders are sent through, when one is configured.
    pub mailer: Option<mail::Mailer>,
}

/// Settings of the web application beyond the store.
#[derive(Debug, Clone)]
pub struct WebSettings {
    pub session_limits: SessionLimits,
    pub secure_cookies: bool,
    pub trusted_proxies: proxy::TrustedProxies,
    /// The largest file the website takes, in MB (`--max-upload-mb`).
    pub max_upload_mb: u64,
    /// How long a checked upload waits for its confirmation.
    pub keep_uploads: std::time::Duration,
    /// Where this process makes its directory for uploads; the system's temp dir (`TMPDIR`)
    /// when `None`.
    pub upload_dir: Option<std::path::PathBuf>,
    /// The SMTP server for reminders (`--smtp-url`); none by default.
    pub mailer: Option<mail::Mailer>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            session_limits: SessionLimits::default(),
            secure_cookies: false,
            trusted_proxies: proxy::TrustedProxies::default(),
            max_upload_mb: uploads::DEFAULT_MAX_UPLOAD_MB,
            keep_uploads: uploads::DEFAULT_KEEP,
            upload_dir: None,
            mailer: None,
        }
    }
}

/// Every route of the application, as one list: (method, path). Tests walk it to check that
/// every write route refuses whoever may not use it.
pub fn route_table() -> Vec<(axum::http::Method, String)> {
    all_routes().into_parts().1
}

fn all_routes() -> Routes {
    Routes::new()
        .merge(crate::features::routes())
        .nest("/api", api::routes())
        .merge(assets::routes())
}

impl App {
    /// How many public pages were made rather than served from memory.
    pub fn pages_made(&self) -> u64 {
        self.pages.made()
    }

    /// How many times the counts per gemeente were made ([`shared::Shared`]).
    pub fn counts_made(&self) -> u64 {
        self.counts.made()
    }

    /// The data's version, as the kept pages and parts know it. A page reads it before it
    /// reads anything else, so that a part made from what it read is never kept under a
    /// newer version than its data.
    pub async fn data_version(&self) -> Option<i64> {
        self.pages.version(&self.store).await
    }

    /// The catalog (areas, framework, sources) at the data's `version` ([`App::data_version`]),
    /// kept until the next write.
    pub async fn catalog(
        &self,
        version: Option<i64>,
    ) -> Result<Arc<Catalog>, crate::store::StoreError> {
        self.catalogs
            .get_or_make(version, "", || Catalog::load(&self.store))
            .await
    }

    /// How many plans `filter` selects, kept under the data's `version` like the counts (the
    /// plan list and the API's pages say it with every page).
    pub async fn plan_total(
        &self,
        version: Option<i64>,
        filter: &crate::features::plans::model::PlanFilter,
    ) -> Result<usize, crate::store::StoreError> {
        let key = format!("{filter:?}");
        let total = self
            .plan_totals
            .get_or_make(version, &key, || self.store.count_plans(filter))
            .await?;
        Ok(*total)
    }

    /// The counts per gemeente of the plans `filter` selects today (in total and per opgave of
    /// `themes`), kept under the data's `version` ([`App::data_version`], read before the
    /// catalog) and made once however many requests want them at the same time.
    pub async fn gemeente_counts(
        &self,
        version: Option<i64>,
        catalog: &Catalog,
        filter: &crate::features::plans::model::PlanFilter,
        themes: &[String],
    ) -> Result<Arc<crate::features::dashboard::counts::GemeenteCounts>, crate::store::StoreError>
    {
        let key = format!("{filter:?} {themes:?}");
        self.counts
            .get_or_make(version, &key, || {
                self.store.gemeente_counts(catalog, filter, themes)
            })
            .await
    }
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// Every route of the application with the default settings.
pub fn router(store: Store) -> Router {
    router_with(store, WebSettings::default())
}

pub fn router_with(store: Store, settings: WebSettings) -> Router {
    router_and_state(store, settings).0
}

/// The router and its state, whose counters ([`App::pages_made`], [`App::counts_made`]) the
/// tests read.
pub fn router_and_state(store: Store, settings: WebSettings) -> (Router, AppState) {
    let state = AppState(Arc::new(App {
        store,
        session_limits: settings.session_limits,
        secure_cookies: settings.secure_cookies,
        pages: cache::PageCache::default(),
        counts: shared::Shared::default(),
        plan_totals: shared::Shared::default(),
        kpi_standing: shared::Shared::default(),
        attention: shared::Shared::default(),
        kpi_attention: shared::Shared::default(),
        gemeente_plans: shared::Shared::default(),
        kpi_list: shared::Shared::default(),
        finance: shared::Shared::with_limit(8),
        catalogs: shared::Shared::default(),
        trusted_proxies: settings.trusted_proxies,
        uploads: uploads::Uploads::new(
            settings.max_upload_mb,
            settings.keep_uploads,
            settings.upload_dir,
        ),
        mailer: settings.mailer,
    }));
    let (routes, _) = all_routes().into_parts();
    let router = routes
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::serve))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::identify,
        ))
        .layer(axum::middleware::from_fn(input::guard))
        .layer(axum::extract::DefaultBodyLimit::max(input::BODY_LIMIT))
        .with_state(state.clone())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    (router, state)
}

/// A path of this site to return to after a form, or `default` for anything else.
pub(crate) fn account_back(back: &str, default: &str) -> String {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back.to_owned()
    } else {
        default.to_owned()
    }
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    let message = format!(
        "Op het adres {} staat geen pagina. Kies een pagina in het menu hierboven.",
        uri.path()
    );
    if uri.path().starts_with("/api/") {
        ApiError(WebError::NotFound(message)).into_response()
    } else {
        WebError::NotFound(message).into_response()
    }
}

/// One choice in a filter's select box.
pub struct FilterOption {
    pub value: String,
    pub label: String,
}

/// The choices of the portfolio filter.
pub struct FilterOptions {
    pub subregions: Vec<FilterOption>,
    /// Per subregio (its name), its gemeenten.
    pub gemeenten: Vec<(String, Vec<FilterOption>)>,
    pub themes: Vec<FilterOption>,
    pub transformations: Vec<FilterOption>,
    pub stages: Vec<FilterOption>,
}

impl FilterOptions {
    pub(crate) fn from_catalog(catalog: &Catalog) -> Self {
        let items = |kind| {
            catalog
                .items(kind)
                .map(|i| FilterOption {
                    value: i.id.clone(),
                    label: match i.number {
                        Some(n) => format!("{n}. {}", i.name),
                        None => i.name.clone(),
                    },
                })
                .collect()
        };
        Self {
            subregions: catalog
                .subregions()
                .map(|s| FilterOption {
                    value: s.id.clone(),
                    label: s.name.clone(),
                })
                .collect(),
            gemeenten: catalog
                .subregions()
                .map(|s| {
                    (
                        s.name.clone(),
                        catalog
                            .gemeenten_of(&s.id)
                            .map(|g| FilterOption {
                                value: g.id.clone(),
                                label: g.name.clone(),
                            })
                            .collect(),
                    )
                })
                .collect(),
            themes: items(FrameworkKind::Theme),
            transformations: items(FrameworkKind::Transformation),
            stages: Stage::ALL
                .iter()
                .map(|s| FilterOption {
                    value: s.code().into(),
                    label: s.label().into(),
                })
                .collect(),
        }
    }
}
