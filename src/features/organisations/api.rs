//! Organisations as JSON.

use axum::extract::{Query, State};
use axum::response::Response;

use super::model::OrganisationRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::paging::json_page;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/organisations", organisations)
}

#[utoipa::path(get, path = "/api/v1/organisations", responses((status = 200, body = [OrganisationRow])))]
pub async fn organisations(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    Ok(json_page(
        "/api/v1/organisations",
        &pairs,
        state.store.organisations().await?,
    )?)
}
