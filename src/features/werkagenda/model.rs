//! A milestone of the werkagenda: its fields, field declarations and status steps.

use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{FactDate, MilestoneStatus};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a milestone.
    pub enum MilestoneField for "milestone" {
        Record = "record" => "Aangemaakt",
        Title = "title" => "Mijlpaal" as Name,
        Period = "period" => "Periode" as Line,
        Theme = "theme" => "Opgave" as Line,
        Note = "note" => "Toelichting" as Note,
        Source = "source" => "Bron" as Line,
        Status = "status" => "Status" as Line,
        StatusDate = "status_date" => "Status sinds" as Line,
        StatusSource = "status_source" => "Bron van de status" as Line,
        Assumption = "assumption" => "Aanname over de periode" as Note,
    }
}

/// The fields of a milestone a form, the API or a file writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneFields {
    pub title: String,
    /// [`FactDate::Unknown`] when the source gives no time ("periode onbekend").
    pub period: FactDate,
    pub theme_id: Option<String>,
    pub note: Option<String>,
    pub source_id: Option<String>,
    pub status: MilestoneStatus,
    /// When the status took effect.
    pub status_date: FactDate,
    pub status_source_id: Option<String>,
}

impl MilestoneFields {
    pub fn of(row: &crate::features::plans::model::MilestoneRow) -> Self {
        Self {
            title: row.title.clone(),
            period: row.period(),
            theme_id: row.theme_id.clone(),
            note: row.note.clone(),
            source_id: row.source_id.clone(),
            status: row.status(),
            status_date: row
                .status_date
                .as_deref()
                .map_or(FactDate::Unknown, FactDate::from_stored),
            status_source_id: row.status_source_id.clone(),
        }
    }
}

/// A step of a milestone's status, as kept.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MilestoneStepRow {
    pub id: i64,
    pub milestone_id: i64,
    /// gepland, gehaald, verschoven or vervallen
    pub status: String,
    /// The milestone's period with this step (domain::FactDate's written form); null when unknown
    pub period: Option<String>,
    /// When the step took effect (domain::FactDate's written form)
    pub date: String,
    pub source_id: Option<String>,
    pub note: Option<String>,
    /// UTC, when it was recorded
    pub recorded_at: String,
}
