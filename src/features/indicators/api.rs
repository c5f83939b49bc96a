//! KPI's in the JSON API: the definitions with their status per area and their actions.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::IndicatorRow;
use crate::features::actions::model::ActionRow;
use crate::features::indicators::assess_latest;
use crate::features::observations::model::ObservationRow;
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/indicators", list)
        .get("/api/v1/indicators/{id}", detail)
}

/// Where a KPI stands in one area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaStatus {
    pub area_id: String,
    /// op-koers, achter, niet-gehaald or geen-data
    pub status: &'static str,
    /// Why, in Dutch.
    pub reason: String,
    /// The latest observation it is based on, if any.
    pub latest: Option<ObservationRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDetail {
    pub indicator: IndicatorRow,
    pub statuses: Vec<AreaStatus>,
    pub actions: Vec<ActionRow>,
}

pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError(WebError::NotFound(format!(
        "Er is geen KPI met de id \"{id}\"."
    )))
}

/// Every KPI definition.
#[utoipa::path(get, path = "/api/v1/indicators", responses((status = 200, body = [IndicatorRow])))]
pub async fn list(
    State(state): State<AppState>,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, ApiError> {
    Ok(crate::web::paging::json_page(
        "/api/v1/indicators",
        &pairs,
        state.store.indicators().await?,
    )?)
}

/// One KPI: its definition, its status in every area it is measured in, and its actions.
#[utoipa::path(get, path = "/api/v1/indicators/{id}", params(("id" = String, Path, description = "Id of the KPI")),
    responses((status = 200, body = IndicatorDetail), (status = 404, body = crate::web::error::ApiErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<IndicatorDetail>, ApiError> {
    let indicator = state
        .store
        .indicator(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let latest = state.store.latest_observations(&id).await?;
    let level = indicator.area_level().code();
    let statuses = state
        .store
        .areas()
        .await?
        .into_iter()
        .filter(|a| a.kind == level)
        .map(|a| {
            let o = latest.iter().find(|o| o.area_id == a.id).cloned();
            let assessment = assess_latest(&indicator, o.as_ref());
            AreaStatus {
                area_id: a.id,
                status: assessment.status.code(),
                reason: assessment.reason,
                latest: o,
            }
        })
        .collect();
    let actions = state.store.actions_for(&id).await?;
    Ok(Json(IndicatorDetail {
        indicator,
        statuses,
        actions,
    }))
}
