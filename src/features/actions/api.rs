//! Follow-up actions in the JSON API.

use crate::web::paging::json_page;
use axum::extract::Query;
use axum::extract::State;
use axum::response::Response;

use crate::features::actions::model::ActionRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/actions", actions)
}

/// Every follow-up action.
#[utoipa::path(get, path = "/api/v1/actions", responses((status = 200, body = [ActionRow])))]
pub async fn actions(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    Ok(json_page(
        "/api/v1/actions",
        &pairs,
        state.store.all_actions().await?,
    )?)
}
