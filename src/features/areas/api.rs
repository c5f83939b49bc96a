//! The area tree as JSON.

use crate::web::paging::json_page;
use axum::extract::Query;
use axum::extract::State;
use axum::response::Response;

use super::model::AreaRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/areas", areas)
}

/// The area tree: the region, its subregio's, gemeenten (id = CBS code) and wijken.
#[utoipa::path(get, path = "/api/v1/areas", responses((status = 200, body = [AreaRow])))]
pub async fn areas(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    Ok(json_page(
        "/api/v1/areas",
        &pairs,
        state.store.areas().await?,
    )?)
}
