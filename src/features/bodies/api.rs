//! Governance bodies as JSON.

use crate::web::paging::json_page;
use axum::extract::Query;
use axum::extract::State;
use axum::response::Response;

use super::model::BodyRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/bodies", bodies)
}

/// Governance bodies (BBO, regiegroep, kernteam, werkgroepen).
#[utoipa::path(get, path = "/api/v1/bodies", responses((status = 200, body = [BodyRow])))]
pub async fn bodies(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    Ok(json_page(
        "/api/v1/bodies",
        &pairs,
        state.store.bodies().await?,
    )?)
}
