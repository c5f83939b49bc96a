//! Saving one cell of the matrix through the API, with the same rights, checks, versions and
//! trail as the cell form.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{FactDate, RolloutStatus};
use crate::features::plans::edit::plan_guard;
use crate::features::rollouts::model::{RolloutField, RolloutFields};
use crate::features::sources::model::SourceRef;
use crate::store::{Reason, RecordField, StoreError};
use crate::web::AppState;
use crate::web::api::Saved;
use crate::web::error::ApiError;
use crate::web::forms::{FormErrors, optional};
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new().put("/api/v1/plans/{id}/rollouts/{gemeente}", put_rollout)
}

/// The key in [`RolloutInput`] of a field of a cell.
fn rollout_json_key(field: RolloutField) -> &'static str {
    match field {
        RolloutField::District => "district_id",
        RolloutField::Source => "source_id",
        RolloutField::Record => "status",
        other => other.code(),
    }
}

fn from_store(e: StoreError) -> ApiError {
    match e {
        StoreError::Refused(r) => {
            let field = r.field::<RolloutField>().map_or("status", rollout_json_key);
            let mut errors = FormErrors::new();
            errors.add(field, r.into_message());
            ApiError::invalid(errors)
        }
        other => ApiError(other.into()),
    }
}

/// One cell of the matrix to save.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RolloutInput {
    /// The version you read; 0 for a cell without status yet.
    pub version: i64,
    /// niet-gestart, gepland, opstart, loopt, geborgd or nvt
    pub status: String,
    /// When it took effect, as precisely as the source says: 2025-10-09, 2025-10, 2025-Q4,
    /// 2025, najaar 2025, gedurende 2025, 2025-Q2/2025-Q3 or onbekend
    pub date: String,
    pub district_id: Option<String>,
    pub note: Option<String>,
    pub source_id: Option<String>,
    pub new_source: Option<String>,
    pub comment: Option<String>,
}

/// Saves the rollout of a plan in a gemeente (same rights as saving the plan).
#[utoipa::path(put, path = "/api/v1/plans/{id}/rollouts/{gemeente}", request_body = RolloutInput,
    params(("id" = String, Path, description = "Id of the plan"), ("gemeente" = String, Path, description = "CBS code, e.g. GM0355")),
    security(("token" = [])),
    responses((status = 200, body = Saved), (status = 401, body = crate::web::error::ApiErrorBody),
        (status = 403, body = crate::web::error::ApiErrorBody), (status = 409, body = crate::web::error::ApiErrorBody),
        (status = 422, body = crate::web::error::ApiErrorBody)))]
pub async fn put_rollout(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gemeente)): Path<(String, String)>,
    Json(input): Json<RolloutInput>,
) -> Result<Json<Saved>, ApiError> {
    let stored = plan_guard(&state, &id).await?;
    viewer.require_plan_editor(&stored.fields.name, &stored.fields.leads)?;
    let mut errors = FormErrors::new();
    let status = errors.check("status", "status", RolloutStatus::parse(&input.status));
    let date = errors.check("date", "date", FactDate::parse(&input.date));
    let source = match (input.source_id, input.new_source) {
        (Some(_), Some(_)) => {
            errors.add(
                "new_source",
                "new_source: geef source_id óf new_source, niet allebei.",
            );
            None
        }
        (Some(id), None) => Some(SourceRef::Existing(id)),
        (None, Some(title)) => optional(&title).map(SourceRef::New),
        (None, None) => None,
    };
    let (Some(status), Some(date), true) = (status, date, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let fields = RolloutFields {
        status,
        date,
        district_id: input.district_id.as_deref().and_then(optional),
        note: input.note.as_deref().and_then(optional),
        source,
    };
    let reason = Reason {
        comment: input.comment.as_deref().and_then(optional),
        source: None,
    };
    let version = state
        .store
        .save_rollout(
            &viewer.actor(),
            &reason,
            &id,
            &gemeente,
            input.version,
            &fields,
        )
        .await
        .map_err(from_store)?;
    Ok(Json(Saved {
        id: format!("{id}/{gemeente}"),
        version,
    }))
}
