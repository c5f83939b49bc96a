//! Follow-up actions in the JSON API.

use axum::Json;
use axum::extract::State;

use crate::features::actions::model::ActionRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/actions", actions)
}

/// Every follow-up action.
#[utoipa::path(get, path = "/api/v1/actions", responses((status = 200, body = [ActionRow])))]
pub async fn actions(State(state): State<AppState>) -> Result<Json<Vec<ActionRow>>, ApiError> {
    Ok(Json(state.store.all_actions().await?))
}
