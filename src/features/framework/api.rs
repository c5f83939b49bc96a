//! The framework of the regioplan as JSON.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::FrameworkRow;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/framework", framework)
}

/// Which leading principle a transformation serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServesJson {
    pub transformation_id: String,
    pub principle_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkJson {
    pub items: Vec<FrameworkRow>,
    pub transformation_principles: Vec<ServesJson>,
}

/// Principles, transformations, opgaven, fundamenten and accords of the regioplan.
#[utoipa::path(get, path = "/api/v1/framework", responses((status = 200, body = FrameworkJson)))]
pub async fn framework(State(state): State<AppState>) -> Result<Json<FrameworkJson>, ApiError> {
    let items = state.store.framework().await?;
    let transformation_principles = state
        .store
        .transformation_principles()
        .await?
        .into_iter()
        .map(|(transformation_id, principle_id)| ServesJson {
            transformation_id,
            principle_id,
        })
        .collect();
    Ok(Json(FrameworkJson {
        items,
        transformation_principles,
    }))
}
