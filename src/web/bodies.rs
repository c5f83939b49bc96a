//! Governance: the bodies of the network (BBO, regiegroep, kernteam, tactische werkgroepen).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::AppState;
use super::error::WebError;
use super::routes::Routes;
use super::view::{Catalog, SourceView};
use crate::store::BodyRow;

pub fn routes() -> Routes {
    Routes::new().get("/overleggen", list)
}

pub struct BodyView {
    pub body: BodyRow,
    pub area: String,
    pub source: Option<SourceView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "bodies.html")]
pub struct BodiesPage {
    pub nav: &'static str,
    pub bodies: Vec<BodyView>,
}

async fn list(State(state): State<AppState>) -> Result<BodiesPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state
        .store
        .bodies()
        .await?
        .into_iter()
        .map(|body| BodyView {
            area: body
                .area_id
                .as_deref()
                .map(|a| catalog.area_name(a))
                .unwrap_or_default(),
            source: catalog.source(body.source_id.as_deref()),
            body,
        })
        .collect();
    Ok(BodiesPage {
        nav: "overleggen",
        bodies,
    })
}
