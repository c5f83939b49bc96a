//! The documents and meetings every fact refers to ("bron").

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::model::SourceRow;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::routes::Routes;
use crate::web::view::date_nl;

pub fn routes() -> Routes {
    Routes::new().get("/bronnen", list)
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
