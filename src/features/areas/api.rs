//! The area tree as JSON.

use axum::Json;
use axum::extract::State;

use super::model::AreaRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/areas", areas)
}

/// The area tree: the region, its subregio's, gemeenten (id = CBS code) and wijken.
#[utoipa::path(get, path = "/api/v1/areas", responses((status = 200, body = [AreaRow])))]
pub async fn areas(State(state): State<AppState>) -> Result<Json<Vec<AreaRow>>, ApiError> {
    Ok(Json(state.store.areas().await?))
}
