//! A measurement: a new one to store, its field declarations and its stored row.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::domain::{IndicatorStatus, Period};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of one measurement.
    pub enum ObservationField for "observation" {
        Indicator = "indicator" => "KPI",
        Area = "area" => "Gebied",
        Period = "period" => "Periode",
        Value = "value" => "Meetwaarde",
        Narrative = "narrative" => "Beschrijving",
        JudgedStatus = "judged_status" => "Beoordeling",
        Source = "source" => "Bron" as Line,
        Note = "note" => "Toelichting meting" as Note,
        /// One entry per KPI for a whole import.
        Import = "import" => "Metingen ingelezen",
    }
}

/// One measurement. Read as rows, or packed (`store::packed`) with its value exact.
#[derive(Debug, Clone, FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObservationRow {
    pub id: i64,
    pub indicator_id: String,
    pub area_id: String,
    /// As written: 2026-Q1, 2026-03 or 2026.
    pub period: String,
    pub period_start: String,
    #[serde(deserialize_with = "crate::store::packed::exact_real")]
    pub value: Option<f64>,
    pub narrative: Option<String>,
    /// For narrative KPI's: the status people gave it.
    pub judged_status: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// An example value (demo data), never a fact.
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub is_example: i64,
    pub version: i64,
}

pub(crate) fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

impl ObservationRow {
    pub fn period(&self) -> Option<Period> {
        Period::parse(&self.period).ok()
    }

    pub fn is_example(&self) -> bool {
        self.is_example != 0
    }
}

/// A checked observation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator_id: String,
    pub area_id: String,
    pub period: Period,
    pub value: Option<f64>,
    pub narrative: Option<String>,
    pub judged_status: Option<IndicatorStatus>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub is_example: bool,
}
