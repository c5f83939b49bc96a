//! Governance bodies as JSON.

use axum::Json;
use axum::extract::State;

use super::model::BodyRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/bodies", bodies)
}

/// Governance bodies (BBO, regiegroep, kernteam, werkgroepen).
#[utoipa::path(get, path = "/api/v1/bodies", responses((status = 200, body = [BodyRow])))]
pub async fn bodies(State(state): State<AppState>) -> Result<Json<Vec<BodyRow>>, ApiError> {
    Ok(Json(state.store.bodies().await?))
}
