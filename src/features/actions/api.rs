//! Actions in the JSON API: the one list of a KPI's follow-up actions and meetings'
//! actiepunten. A visitor gets a meeting's actiepunt once its verslag is vastgesteld.

use axum::extract::{Query, State};
use axum::response::Response;

use crate::features::actions::model::ActionRow;
use crate::features::actions::pages::Origins;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::paging::json_page;
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/actions", actions)
}

/// Every action the viewer may see, by deadline (those without one last): the follow-up of a
/// missed KPI (`indicator_id`) and a meeting's actiepunt (`meeting_id`, `item_number`), each
/// with the body it lies with (`body_id`).
#[utoipa::path(get, path = "/api/v1/actions", responses((status = 200, body = [ActionRow])))]
pub async fn actions(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let origins = Origins::load(&state.store).await?;
    let visible: Vec<ActionRow> = state
        .store
        .all_actions()
        .await?
        .into_iter()
        .filter(|a| origins.visible(a, viewer.is_signed_in()))
        .collect();
    Ok(json_page("/api/v1/actions", &pairs, visible)?)
}
