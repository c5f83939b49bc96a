//! The quarterly cycle in the JSON API: the rounds, who has reported, the updates and the
//! snapshot of a closed round. Visitors who are not signed in see published rounds only,
//! without reviews or the names of who saved what.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Serialize;

use super::model::{ReviewRow, RoundRow, UpdateMilestoneRow, UpdateRow};
use super::snapshot::Snapshot;
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::paging::json_page;
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/rounds", rounds)
        .get("/api/v1/rounds/{period}", round)
        .get("/api/v1/rounds/{period}/updates", updates)
        .get("/api/v1/rounds/{period}/snapshot", snapshot)
}

/// Every reporting round, the newest quarter first (published ones only without signing in).
#[utoipa::path(get, path = "/api/v1/rounds", responses((status = 200, body = [RoundRow])))]
pub async fn rounds(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let rounds: Vec<RoundRow> = state
        .store
        .rounds()
        .await?
        .into_iter()
        .filter(|r| viewer.is_signed_in() || r.is_published())
        .map(|r| public_round(r, &viewer))
        .collect();
    Ok(json_page("/api/v1/rounds", &pairs, rounds)?)
}

fn public_round(mut r: RoundRow, viewer: &Viewer) -> RoundRow {
    if !viewer.is_signed_in() {
        r.opened_by.clear();
        r.closed_by = None;
        r.published_by = None;
    }
    r
}

/// A plan's line in a round: how far its update is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportingOut {
    pub plan_id: String,
    pub plan_name: String,
    /// The lead organisations' ids.
    pub leads: Vec<String>,
    /// ontbreekt, te-laat, concept, verduidelijking, ingediend or geaccepteerd
    pub reporting: String,
    /// op-koers, aandacht or knelpunt
    pub light: Option<String>,
    pub submitted_at: Option<String>,
    pub is_example: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundOut {
    #[serde(flatten)]
    pub round: RoundRow,
    pub plans: Vec<ReportingOut>,
}

/// A round with, per plan, how far its update is.
#[utoipa::path(get, path = "/api/v1/rounds/{period}", params(("period" = String, Path, description = "Het kwartaal, bijvoorbeeld 2025-Q3")), responses((status = 200, body = RoundOut), (status = 404, body = crate::web::error::ApiErrorBody)))]
pub async fn round(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
) -> Result<Json<RoundOut>, ApiError> {
    let round = super::pages::visible_round(&state, &viewer, &period).await?;
    let lines = super::pages::reporting_lines(&state, &round).await?;
    Ok(Json(RoundOut {
        plans: lines
            .into_iter()
            .map(|l| ReportingOut {
                plan_id: l.plan_id,
                plan_name: l.plan_name,
                leads: l.leads.into_iter().map(|(id, _)| id).collect(),
                reporting: l.reporting.code().to_owned(),
                light: l.light.map(|x| x.code().to_owned()),
                submitted_at: l.submitted_at,
                is_example: l.is_example,
            })
            .collect(),
        round: public_round(round, &viewer),
    }))
}

/// A kwartaalupdate with what it says about milestones and, for signed-in readers, its reviews.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpdateOut {
    #[serde(flatten)]
    pub update: UpdateRow,
    pub milestones: Vec<UpdateMilestoneRow>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<ReviewRow>,
}

/// The updates of a round (plans without one have none).
#[utoipa::path(get, path = "/api/v1/rounds/{period}/updates", params(("period" = String, Path, description = "Het kwartaal, bijvoorbeeld 2025-Q3")), responses((status = 200, body = [UpdateOut]), (status = 404, body = crate::web::error::ApiErrorBody)))]
pub async fn updates(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let round = super::pages::visible_round(&state, &viewer, &period).await?;
    let internal = viewer.is_signed_in();
    let mut milestones = state.store.update_milestones(&round.period, None).await?;
    let mut reviews = if internal {
        state.store.update_reviews(&round.period, None).await?
    } else {
        Vec::new()
    };
    let out: Vec<UpdateOut> = state
        .store
        .round_updates(&round.period)
        .await?
        .into_iter()
        .map(|mut u| {
            if !internal {
                u.saved_by.clear();
                u.submitted_by = None;
            }
            let (mine, rest): (Vec<_>, Vec<_>) =
                milestones.drain(..).partition(|m| m.plan_id == u.plan_id);
            milestones = rest;
            let (own_reviews, rest): (Vec<_>, Vec<_>) =
                reviews.drain(..).partition(|r| r.plan_id == u.plan_id);
            reviews = rest;
            UpdateOut {
                update: u,
                milestones: mine,
                reviews: own_reviews,
            }
        })
        .collect();
    Ok(json_page(
        &format!("/api/v1/rounds/{}/updates", round.period),
        &pairs,
        out,
    )?)
}

/// The snapshot of a closed round, as it was frozen (schema_version says its shape).
#[utoipa::path(get, path = "/api/v1/rounds/{period}/snapshot", params(("period" = String, Path, description = "Het kwartaal, bijvoorbeeld 2025-Q3")), responses((status = 200, body = Snapshot), (status = 404, body = crate::web::error::ApiErrorBody)))]
pub async fn snapshot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
) -> Result<Json<Snapshot>, ApiError> {
    let round = super::pages::visible_round(&state, &viewer, &period).await?;
    if round.is_open() {
        return Err(WebError::NotFound(format!(
            "De ronde {period} is nog open; een momentopname is er pas als de ronde gesloten is."
        ))
        .into());
    }
    let snapshot = super::pages::report_snapshot(&state.store, &round).await?;
    Ok(Json(if viewer.is_signed_in() {
        snapshot
    } else {
        snapshot.public()
    }))
}
