//! Sources as JSON.

use axum::Json;
use axum::extract::State;

use super::model::SourceRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/sources", sources)
}

/// The documents and meetings facts refer to.
#[utoipa::path(get, path = "/api/v1/sources", responses((status = 200, body = [SourceRow])))]
pub async fn sources(State(state): State<AppState>) -> Result<Json<Vec<SourceRow>>, ApiError> {
    Ok(Json(state.store.sources().await?))
}
