//! The web application: server-rendered pages (Dutch), the JSON API and the embedded assets.

mod api;
mod assets;
mod bodies;
mod dashboard;
mod error;
mod filter;
mod framework;
mod gemeenten;
mod organisations;
mod plans;
mod sources;
mod view;

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::{ApiError, WebError};

use crate::domain::{FrameworkKind, Stage};
use crate::store::Store;
use view::Catalog;

/// Everything a request handler may use; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

pub struct App {
    /// The portfolio store (SQLite or PostgreSQL).
    pub store: Store,
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// Every route of the application.
pub fn router(store: Store) -> Router {
    let state = AppState(Arc::new(App { store }));
    Router::new()
        .merge(dashboard::router())
        .merge(gemeenten::router())
        .merge(plans::router())
        .merge(framework::router())
        .merge(organisations::router())
        .merge(sources::router())
        .merge(bodies::router())
        .nest("/api", api::router())
        .merge(assets::router())
        .fallback(not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
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
    pub themes: Vec<FilterOption>,
    pub transformations: Vec<FilterOption>,
    pub stages: Vec<FilterOption>,
}

impl FilterOptions {
    fn from_catalog(catalog: &Catalog) -> Self {
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
