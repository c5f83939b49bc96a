//! Sources as JSON.

use crate::web::paging::json_page;
use axum::extract::Query;
use axum::extract::State;
use axum::response::Response;

use super::model::SourceRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/sources", sources)
}

/// The documents and meetings facts refer to.
#[utoipa::path(get, path = "/api/v1/sources", responses((status = 200, body = [SourceRow])))]
pub async fn sources(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    Ok(json_page(
        "/api/v1/sources",
        &pairs,
        state.store.sources().await?,
    )?)
}
