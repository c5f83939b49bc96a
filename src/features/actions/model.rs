//! An action and its escalations: fields, field declarations and rows. One kind of record for
//! the follow-up of a missed KPI and for a meeting's actiepunt.

use jiff::civil::Date;
use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{ActionStatus, EscalationLevel};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of an action.
    pub enum ActionField for "action" {
        Record = "record" => "Aangemaakt",
        Title = "title" => "Actie" as Name,
        Description = "description" => "Omschrijving",
        Owner = "owner" => "Eigenaar" as Name,
        OwnerOrganisation = "owner_organisation" => "Organisatie",
        Area = "area" => "Gebied",
        Deadline = "deadline" => "Deadline",
        Status = "status" => "Status",
        Level = "level" => "Overleg",
        Plan = "plan" => "Plan",
        Body = "body" => "Overleg",
        Escalation = "escalation" => "Opgeschaald",
    }
}

/// An action as stored: the follow-up of a missed KPI, a meeting's actiepunt, or both.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ActionRow {
    pub id: i64,
    /// The KPI it follows up, when it came from a missed KPI.
    pub indicator_id: Option<String>,
    pub area_id: Option<String>,
    /// The meeting and agenda item that gave it out, when it is an actiepunt.
    pub meeting_id: Option<String>,
    pub item_number: Option<i64>,
    /// Its place among the agenda item's outcomes.
    pub outcome_position: Option<i64>,
    /// The plan it is about, when one.
    pub plan_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    /// Who does it, by role; empty when no one is named.
    pub owner: Option<String>,
    pub owner_organisation_id: Option<String>,
    /// YYYY-MM-DD; empty when none is given.
    pub deadline: Option<String>,
    /// open, bezig, afgerond or vervallen
    pub status: String,
    /// The body it lies with now.
    pub body_id: Option<String>,
    /// That body's kind (werkgroep, kernteam, regiegroep, bbo), when it has one.
    pub level: Option<String>,
    pub created_at: String,
    pub version: i64,
}

impl ActionRow {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Open)
    }

    pub fn level(&self) -> Option<EscalationLevel> {
        self.level
            .as_deref()
            .and_then(|l| EscalationLevel::parse(l).ok())
    }

    /// Open and past its deadline on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status().is_open()
            && self
                .deadline
                .as_deref()
                .is_some_and(|d| d < today.to_string().as_str())
    }
}

/// Where an action came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOrigin {
    /// A KPI that was missed.
    Kpi { indicator_id: String },
    /// An agenda item's actiepunt, at its position among the item's outcomes.
    Meeting {
        meeting_id: String,
        number: i64,
        position: i64,
    },
}

/// One step of an action up the ladder.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EscalationRow {
    pub id: i64,
    pub action_id: i64,
    pub from_level: Option<String>,
    pub from_body_id: Option<String>,
    pub to_level: Option<String>,
    pub to_body_id: Option<String>,
    pub reason: String,
    /// UTC, YYYY-MM-DDTHH:MM:SSZ
    pub at: String,
    pub actor: String,
}

/// The fields of an action a user edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFields {
    pub area_id: Option<String>,
    pub plan_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub owner_organisation_id: Option<String>,
    pub deadline: Option<Date>,
    pub status: ActionStatus,
}

impl ActionFields {
    /// The fields as stored in `row`.
    pub fn of(row: &ActionRow) -> Self {
        Self {
            area_id: row.area_id.clone(),
            plan_id: row.plan_id.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            owner: row.owner.clone(),
            owner_organisation_id: row.owner_organisation_id.clone(),
            deadline: row
                .deadline
                .as_deref()
                .and_then(|d| crate::domain::parse_date(d).ok()),
            status: row.status(),
        }
    }
}
