//! The documents and meetings every fact refers to ("bron").

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::AppState;
use super::error::WebError;
use super::view::date_nl;
use crate::store::SourceRow;

pub fn router() -> Router<AppState> {
    Router::new().route("/bronnen", get(list))
}

#[derive(Template, WebTemplate)]
#[template(path = "sources.html")]
pub struct SourcesPage {
    pub nav: &'static str,
    pub sources: Vec<(SourceRow, String)>,
}

async fn list(State(state): State<AppState>) -> Result<SourcesPage, WebError> {
    let sources = state.store.sources().await?.into_iter().map(|s| {
        let date = date_nl(&s.date);
        (s, date)
    });
    Ok(SourcesPage {
        nav: "bronnen",
        sources: sources.collect(),
    })
}
