//! Observations in the JSON API: a KPI's series, and storing one value with a token.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{IndicatorStatus, Period, check_value};
use crate::features::areas::model::AreaRow;
use crate::features::indicators::api::not_found;
use crate::features::indicators::model::IndicatorRow;
use crate::features::indicators::require_kpi_editor;
use crate::features::observations::model::{NewObservation, ObservationField, ObservationRow};
use crate::store::{Reason, RecordField, StoreError};
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::forms::FormErrors;
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/indicators/{id}/observations", observations)
        .post("/api/v1/indicators/{id}/observations", post_observation)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Area id (CBS code for a gemeente): all its observations, oldest first. Without it, the
    /// latest observation per area.
    pub gebied: Option<String>,
    /// Page number, from 1; `Link` names the next page, `X-Total-Count` the number of rows.
    pub pagina: Option<usize>,
    /// Rows per page: 1 to 1000 (default 200).
    pub per_pagina: Option<usize>,
}

/// Observations of a KPI.
#[utoipa::path(get, path = "/api/v1/indicators/{id}/observations", params(("id" = String, Path, description = "Id of the KPI"), SeriesQuery),
    responses((status = 200, body = [ObservationRow]), (status = 404, body = crate::web::error::ApiErrorBody)))]
pub async fn observations(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, ApiError> {
    state
        .store
        .indicator(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let area = pairs
        .iter()
        .find(|(k, _)| k == "gebied")
        .map(|(_, v)| v.clone());
    let rows = match area {
        Some(area) => state.store.series(&id, &area).await?,
        None => state.store.latest_observations(&id).await?,
    };
    Ok(crate::web::paging::json_page(
        &format!("/api/v1/indicators/{id}/observations"),
        &pairs,
        rows,
    )?)
}

/// One observation to store: new (`version` 0 or left out) or a change to the stored one of
/// the same area and period (its `version`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ObservationInput {
    pub version: i64,
    /// An area of the KPI's measurement level (a gemeente's CBS code, a subregio or the region).
    pub area_id: String,
    /// 2026-Q1, 2026-03 or 2026, as the KPI's frequency asks.
    pub period: String,
    /// For a quantitative KPI: a number of at most 1.000.000.000.000 (10^12) either way.
    pub value: Option<f64>,
    /// For a narrative KPI.
    pub narrative: Option<String>,
    /// For a narrative KPI: op-koers, achter or niet-gehaald.
    pub status: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedObservation {
    pub version: i64,
}

fn check(
    ind: &IndicatorRow,
    area: Option<&AreaRow>,
    input: &ObservationInput,
) -> Result<NewObservation, FormErrors> {
    let mut errors = FormErrors::new();
    let fit = ind.fit();
    if input.area_id.trim().is_empty() {
        errors.add("area_id", "area_id: noem het gebied (CBS-code of id).");
    } else if let Some(a) = area {
        errors.check("area_id", "area_id", fit.area(&a.name, &a.kind));
    }
    let period = match Period::parse(&input.period) {
        Ok(p) => errors.check("period", "period", fit.period(p).map(|()| p)),
        Err(e) => {
            errors.add("period", format!("period: {e}."));
            None
        }
    };
    let judged = match input.status.as_deref() {
        Some(s) => errors.check("status", "status", IndicatorStatus::parse(s)),
        None => None,
    };
    if ind.is_narrative() {
        if input
            .narrative
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            errors.add(
                "narrative",
                "narrative: een narratieve KPI vraagt een beschrijving.",
            );
        }
    } else {
        match input.value {
            None => errors.add("value", "value: vul de gemeten waarde in als getal."),
            Some(v) => {
                errors.check("value", "value", check_value(v));
            }
        }
    }
    match (period, errors.is_empty()) {
        (Some(period), true) => Ok(NewObservation {
            indicator_id: ind.id.clone(),
            area_id: input.area_id.trim().to_owned(),
            period,
            value: if ind.is_narrative() {
                None
            } else {
                input.value
            },
            narrative: if ind.is_narrative() {
                input.narrative.clone()
            } else {
                None
            },
            judged_status: judged,
            source: input.source.clone(),
            note: input.note.clone(),
            is_example: false,
        }),
        _ => Err(errors),
    }
}

/// Stores one observation (a beheerder, or a trekker of a plan of this KPI).
#[utoipa::path(post, path = "/api/v1/indicators/{id}/observations", request_body = ObservationInput,
    params(("id" = String, Path, description = "Id of the KPI")),
    security(("token" = [])),
    responses((status = 200, body = SavedObservation), (status = 401, body = crate::web::error::ApiErrorBody),
        (status = 403, body = crate::web::error::ApiErrorBody), (status = 404, body = crate::web::error::ApiErrorBody),
        (status = 409, body = crate::web::error::ApiErrorBody), (status = 422, body = crate::web::error::ApiErrorBody)))]
pub async fn post_observation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<SavedObservation>, ApiError> {
    let ind = state
        .store
        .indicator(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let input: ObservationInput = serde_json::from_slice(&body).map_err(|e| {
        WebError::BadRequest(format!(
            "De JSON klopt niet: {e}. Stuur een object met area_id, period en value (of narrative)."
        ))
    })?;
    let area = state
        .store
        .areas()
        .await?
        .into_iter()
        .find(|a| a.id == input.area_id.trim());
    let obs = check(&ind, area.as_ref(), &input).map_err(|errors| {
        WebError::Invalid(
            "De meting is niet opgeslagen; zie fields.".into(),
            errors.iter().cloned().collect(),
        )
    })?;
    let reason = Reason {
        comment: input.comment.clone(),
        source: input.source.clone(),
    };
    match state
        .store
        .save_observation(&viewer.actor(), &reason, &obs, input.version)
        .await
    {
        Ok(version) => Ok(Json(SavedObservation { version })),
        Err(StoreError::Refused(m)) => {
            let summary = m.message().to_owned();
            let mut errors = crate::web::forms::FormErrors::new();
            errors.refused(m, observation_json_key, "area_id");
            Err(ApiError(WebError::Invalid(
                summary,
                errors.iter().cloned().collect(),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The JSON key of an observation's field, for the API's field errors.
fn observation_json_key(field: ObservationField) -> &'static str {
    match field {
        ObservationField::Indicator => "indicator_id",
        ObservationField::Area => "area_id",
        ObservationField::JudgedStatus => "status",
        other => other.code(),
    }
}
