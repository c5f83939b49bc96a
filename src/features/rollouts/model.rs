//! A matrix cell: its fields, its field declarations and the rows pages read.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::domain::RolloutStatus;
use crate::features::sources::model::SourceRef;
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of one cell of the matrix.
    pub enum RolloutField for "rollout" {
        Record = "record" => "Aangemaakt",
        Status = "status" => "Uitrolstatus",
        Date = "date" => "Sinds" as Line,
        Note = "note" => "Toelichting uitrol" as Note,
        District = "district" => "Wijk of LSV" as Line,
        Source = "source" => "Bron" as Line,
    }
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutFields {
    pub status: RolloutStatus,
    pub date: crate::domain::FactDate,
    pub district_id: Option<String>,
    pub note: Option<String>,
    pub source: Option<SourceRef>,
    /// The user confirmed that `date` and `source` are right for a new status, also where
    /// they are still the ones of the old status (a status corrected on the same source).
    /// Without it a new status that keeps the old date or source is refused.
    pub date_and_source_confirmed: bool,
}

#[derive(Debug, Clone, FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RolloutRow {
    #[serde(skip_serializing)]
    pub plan_id: String,
    pub gemeente_id: String,
    /// niet-gestart, gepland, opstart, loopt, geborgd or nvt
    pub status: String,
    pub district_id: Option<String>,
    pub note: Option<String>,
    /// Since when, as precisely as its source says (domain::FactDate): 2025-10-09, 2025-10,
    /// 2025-Q4, 2025, najaar 2025, ... or onbekend.
    pub date: String,
    pub source_id: Option<String>,
    /// Why this cell is an aanname (a reasoned choice the source does not state); null when
    /// the source states it.
    pub assumption: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RolloutChangeRow {
    #[serde(skip_serializing)]
    pub id: i64,
    #[serde(skip_serializing)]
    pub plan_id: String,
    pub gemeente_id: String,
    pub status: String,
    pub note: Option<String>,
    /// Since when, as precisely as its source says (domain::FactDate): 2025-10-09, 2025-10,
    /// 2025-Q4, 2025, najaar 2025, ... or onbekend.
    pub date: String,
    pub source_id: Option<String>,
    /// Why this cell is an aanname (a reasoned choice the source does not state); null when
    /// the source states it.
    pub assumption: Option<String>,
    /// When a person entered it (UTC); null when it came with a portfolio file, recorded by
    /// its source on the source's date.
    pub recorded_at: Option<String>,
}
