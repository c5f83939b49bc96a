//! Governance in the JSON API: the meetings (of one body with `?overleg=`), and one meeting
//! with its agenda. As on the pages, a visitor who is not signed in gets a meeting's agenda
//! items once the agenda is vastgesteld, and its outcomes and attendance once the verslag is.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Serialize;

use super::model::{AgendaItemRow, AttendanceRow, MeetingRow, OutcomeRow};
use crate::features::actions::model::ActionRow;
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::paging::json_page;
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/meetings", meetings)
        .get("/api/v1/meetings/{id}", meeting)
}

/// Every meeting, the latest first; `?overleg=bbo-zou` for one body's.
#[utoipa::path(get, path = "/api/v1/meetings", params(("overleg" = Option<String>, Query, description = "Alleen de vergaderingen van dit overleg (zie /api/v1/bodies)")), responses((status = 200, body = [MeetingRow])))]
pub async fn meetings(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let body = pairs
        .iter()
        .find(|(k, _)| k == "overleg")
        .map(|(_, v)| v.clone());
    let rest: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "overleg").collect();
    let all = state.store.meetings().await?;
    let chosen = all
        .into_iter()
        .filter(|m| body.as_ref().is_none_or(|b| &m.body_id == b))
        .collect();
    let path = match &body {
        Some(b) => format!("/api/v1/meetings?overleg={b}"),
        None => "/api/v1/meetings".to_owned(),
    };
    Ok(json_page(&path, &rest, chosen)?)
}

/// An agenda item with the plans it is about and what came of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgendaItemOut {
    #[serde(flatten)]
    pub item: AgendaItemRow,
    /// The ids of the plans the item is about.
    pub plans: Vec<String>,
    /// The ids of the KPIs, the periods of the quarterly rounds and the ids of the actions it
    /// is about.
    pub indicators: Vec<String>,
    pub rounds: Vec<String>,
    pub actions: Vec<i64>,
    /// Empty for a visitor until the verslag is vastgesteld.
    pub outcomes: Vec<OutcomeOut>,
}

/// An outcome; an actiepunt with the action it became (owner, deadline, status, where it lies).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeOut {
    #[serde(flatten)]
    pub outcome: OutcomeRow,
    pub action: Option<ActionRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeetingOut {
    #[serde(flatten)]
    pub meeting: MeetingRow,
    /// Empty for a visitor until the verslag is vastgesteld.
    pub attendance: Vec<AttendanceRow>,
    /// Empty for a visitor until the agenda is vastgesteld.
    pub agenda: Vec<AgendaItemOut>,
}

/// A meeting with its attendance, agenda items and outcomes, as far as the viewer may see.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", params(("id" = String, Path, description = "De vergadering, bijvoorbeeld bbo-zou-2025-10-09")), responses((status = 200, body = MeetingOut), (status = 404, body = crate::web::error::ApiErrorBody)))]
pub async fn meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<MeetingOut>, ApiError> {
    let visible = state
        .store
        .visible_meeting(&id, viewer.is_signed_in())
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Er is geen vergadering \"{id}\".")))?;
    let mut actions: std::collections::HashMap<(i64, i64), ActionRow> = state
        .store
        .actions_of_meeting(&id)
        .await?
        .into_iter()
        .filter_map(|a| Some(((a.item_number?, a.outcome_position?), a)))
        .collect();
    let agenda = visible
        .items
        .into_iter()
        .map(|v| AgendaItemOut {
            item: v.item,
            plans: v.plans.into_iter().map(|(id, _)| id).collect(),
            indicators: v.links.indicators.into_iter().map(|(id, _)| id).collect(),
            rounds: v.links.rounds.into_iter().map(|(p, _)| p).collect(),
            actions: v.links.actions.into_iter().map(|(id, _)| id).collect(),
            outcomes: v
                .outcomes
                .into_iter()
                .map(|o| OutcomeOut {
                    action: actions.remove(&(o.number, o.position)),
                    outcome: o,
                })
                .collect(),
        })
        .collect();
    Ok(Json(MeetingOut {
        meeting: visible.meeting,
        attendance: visible.attendance,
        agenda,
    }))
}
