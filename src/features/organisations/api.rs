//! Organisations as JSON.

use axum::Json;
use axum::extract::State;

use super::model::OrganisationRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/organisations", organisations)
}

#[utoipa::path(get, path = "/api/v1/organisations", responses((status = 200, body = [OrganisationRow])))]
pub async fn organisations(
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationRow>>, ApiError> {
    Ok(Json(state.store.organisations().await?))
}
