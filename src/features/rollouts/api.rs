//! Saving one cell of the matrix through the API, with the same rights, checks, versions and
//! trail as the cell form.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
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

/// One cell of the matrix to save. A key left out keeps what the cell holds at `version`
/// (so a new note alone keeps the date and source); `null` empties it. A new status asks
/// for its own date and source: one still the old status's is refused unless
/// `confirm_date_and_source` is true.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RolloutInput {
    /// The version you read; 0 for a cell without status yet.
    pub version: i64,
    /// niet-gestart, gepland, opstart, loopt, geborgd or nvt; required for a new cell
    pub status: Option<String>,
    /// When the status took effect, as precisely as the source says: 2025-10-09, 2025-10,
    /// 2025-Q4, 2025, najaar 2025, gedurende 2025, 2025-Q2/2025-Q3 or onbekend; required for
    /// a new cell
    pub date: Option<String>,
    /// A wijk of the gemeente; `null` for the whole gemeente
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub district_id: Option<Option<String>>,
    /// `null` for none
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    /// Id of a known source; `null` for none
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub source_id: Option<Option<String>>,
    /// Title of a new source, e.g. "Regiegroep 4 december 2025" (instead of `source_id`)
    pub new_source: Option<String>,
    /// The date and source sent hold for a new status, also where they are the old status's
    pub confirm_date_and_source: bool,
    pub comment: Option<String>,
}

/// A key that is there, with a value or `null`; a key left out stays `None` (the default).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
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
    // What the caller leaves out is what the cell holds at the version it read; at another
    // version the save is a conflict, whatever it sends.
    let cell = match state.store.rollout(&id, &gemeente).await? {
        Some((version, _)) if version != input.version => {
            return Err(from_store(StoreError::Conflict {
                current_version: version,
            }));
        }
        Some((_, row)) => Some(row),
        None => None,
    };
    let mut errors = FormErrors::new();
    let status = match input
        .status
        .or_else(|| cell.as_ref().map(|c| c.status.clone()))
    {
        Some(s) => errors.check("status", "status", RolloutStatus::parse(&s)),
        None => {
            errors.add(
                "status",
                "status: geef de status van de uitrol, bijvoorbeeld gepland.",
            );
            None
        }
    };
    let date = match input.date.or_else(|| cell.as_ref().map(|c| c.date.clone())) {
        Some(d) => errors.check("date", "date", FactDate::parse(&d)),
        None => {
            errors.add(
                "date",
                "date: geef sinds wanneer de status geldt, zo precies als de bron het zegt: 2025-10-09, 2025-10, 2025-Q4, 2025, najaar 2025 of onbekend.",
            );
            None
        }
    };
    let new_source = input.new_source.as_deref().and_then(optional);
    let source = match (input.source_id, new_source) {
        (Some(Some(_)), Some(_)) => {
            errors.add(
                "new_source",
                "new_source: geef source_id óf new_source, niet allebei.",
            );
            None
        }
        (_, Some(title)) => Some(SourceRef::New(title)),
        (Some(id), None) => id.map(SourceRef::Existing),
        (None, None) => cell
            .as_ref()
            .and_then(|c| c.source_id.clone())
            .map(SourceRef::Existing),
    };
    let (Some(status), Some(date), true) = (status, date, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let kept = |given: Option<Option<String>>, stored: Option<String>| match given {
        Some(value) => value.as_deref().and_then(optional),
        None => stored,
    };
    let fields = RolloutFields {
        status,
        date,
        district_id: kept(
            input.district_id,
            cell.as_ref().and_then(|c| c.district_id.clone()),
        ),
        note: kept(input.note, cell.as_ref().and_then(|c| c.note.clone())),
        source,
        date_and_source_confirmed: input.confirm_date_and_source,
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
