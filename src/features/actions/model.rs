//! A follow-up action and its escalations: fields, field declarations and rows.

use jiff::civil::Date;
use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{ActionStatus, EscalationLevel};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a follow-up action.
    pub enum ActionField for "action" {
        Record = "record" => "Aangemaakt",
        Title = "title" => "Vervolgactie" as Name,
        Description = "description" => "Omschrijving",
        Owner = "owner" => "Eigenaar" as Name,
        OwnerOrganisation = "owner_organisation" => "Organisatie",
        Area = "area" => "Gebied",
        Deadline = "deadline" => "Deadline",
        Status = "status" => "Status",
        Level = "level" => "Overleg",
        Body = "body" => "Overleg",
        Escalation = "escalation" => "Opgeschaald",
    }
}

/// A follow-up action as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ActionRow {
    pub id: i64,
    pub indicator_id: String,
    pub area_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub owner: String,
    pub owner_organisation_id: Option<String>,
    /// YYYY-MM-DD
    pub deadline: String,
    /// open, bezig, afgerond or vervallen
    pub status: String,
    /// werkgroep, kernteam, regiegroep or bbo
    pub level: String,
    pub body_id: Option<String>,
    pub created_at: String,
    pub version: i64,
}

impl ActionRow {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Open)
    }

    pub fn level(&self) -> EscalationLevel {
        EscalationLevel::parse(&self.level).unwrap_or(EscalationLevel::Workgroup)
    }

    /// Open and past its deadline on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status().is_open() && self.deadline.as_str() < today.to_string().as_str()
    }
}

/// One step of an action up the ladder.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EscalationRow {
    pub id: i64,
    pub action_id: i64,
    pub from_level: String,
    pub from_body_id: Option<String>,
    pub to_level: String,
    pub to_body_id: Option<String>,
    pub reason: String,
    /// UTC, YYYY-MM-DDTHH:MM:SSZ
    pub at: String,
    pub actor: String,
}

/// The fields of a follow-up action a user edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFields {
    pub area_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub owner: String,
    pub owner_organisation_id: Option<String>,
    pub deadline: Date,
    pub status: ActionStatus,
}
