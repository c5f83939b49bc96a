//! The records of the quarterly cycle: rounds, kwartaalupdates, reviews and corrections, with
//! their field declarations for the trail and refusals.

use jiff::civil::Date;
use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{MilestoneOutcome, Period, Reporting, RoundStatus, TrafficLight, UpdateState};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a reporting round.
    pub enum RoundField for "round" {
        Record = "record" => "Geopend",
        Period = "period" => "Kwartaal" as Line,
        Deadline = "deadline" => "Uiterlijk indienen op",
        Plans = "plans" => "Plannen in de ronde",
        Summary = "summary" => "Samenvatting van het kernteam",
        Status = "status" => "Stand van de ronde",
        Snapshot = "snapshot" => "Momentopname",
        Published = "published" => "Openbaar gemaakt",
        Correction = "correction" => "Correctie na sluiten",
        Reminder = "reminder" => "Herinnering verstuurd",
    }
}

record_fields! {
    /// The fields of a kwartaalupdate.
    pub enum UpdateField for "update" {
        Record = "record" => "Begonnen",
        Light = "light" => "Stoplicht",
        Done = "done" => "Wat is er gedaan",
        NextSteps = "next_steps" => "Wat komt er",
        Needs = "needs" => "Wat is er nodig van wie",
        Milestones = "milestones" => "Mijlpalen",
        State = "state" => "Stand van de update",
        Review = "review" => "Beoordeling door het kernteam",
    }
}

/// A reporting round as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RoundRow {
    /// The quarter: 2026-Q1.
    pub period: String,
    /// YYYY-MM-DD
    pub deadline: String,
    /// open or gesloten
    pub status: String,
    pub summary: Option<String>,
    pub summary_source_id: Option<String>,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    /// The day the snapshot shows the portfolio on; empty: as known when the round closed.
    pub as_of: Option<String>,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    pub version: i64,
}

impl RoundRow {
    pub fn status(&self) -> RoundStatus {
        RoundStatus::parse(&self.status).unwrap_or(RoundStatus::Open)
    }

    pub fn is_open(&self) -> bool {
        self.status() == RoundStatus::Open
    }

    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }

    pub fn quarter(&self) -> Option<Period> {
        crate::domain::parse_quarter(&self.period).ok()
    }

    pub fn deadline_date(&self) -> Option<Date> {
        crate::domain::parse_date(&self.deadline).ok()
    }

    /// "3e kwartaal 2025".
    pub fn label(&self) -> String {
        self.quarter()
            .map_or_else(|| self.period.clone(), Period::label_nl)
    }
}

/// A kwartaalupdate as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct UpdateRow {
    pub period: String,
    pub plan_id: String,
    /// op-koers, aandacht or knelpunt; empty when none was given.
    pub light: Option<String>,
    pub done: Option<String>,
    pub next_steps: Option<String>,
    pub needs: Option<String>,
    /// The texts are a quote from this source.
    pub source_id: Option<String>,
    /// concept, ingediend, verduidelijking or geaccepteerd
    pub state: String,
    pub saved_at: String,
    pub saved_by: String,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    /// An example update of the demo ("voorbeeld"), never a fact.
    #[serde(serialize_with = "crate::features::plans::model::serialize_bool")]
    #[schema(value_type = bool)]
    pub is_example: i64,
    pub version: i64,
}

impl UpdateRow {
    pub fn state(&self) -> UpdateState {
        UpdateState::parse(&self.state).unwrap_or(UpdateState::Draft)
    }

    pub fn light(&self) -> Option<TrafficLight> {
        self.light
            .as_deref()
            .and_then(|l| TrafficLight::parse(l).ok())
    }

    pub fn is_example(&self) -> bool {
        self.is_example != 0
    }

    pub fn fields(&self) -> UpdateFields {
        UpdateFields {
            light: self.light(),
            done: self.done.clone(),
            next_steps: self.next_steps.clone(),
            needs: self.needs.clone(),
        }
    }
}

/// What an update says about one milestone.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct UpdateMilestoneRow {
    pub plan_id: String,
    pub milestone_id: i64,
    /// gehaald or verschoven
    pub outcome: String,
    /// For a moved milestone: the period it moved to.
    pub moved_to: Option<String>,
}

/// One review of an update by the kernteam.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ReviewRow {
    pub id: i64,
    pub plan_id: String,
    /// geaccepteerd or verduidelijking
    pub verdict: String,
    pub comment: Option<String>,
    /// UTC, YYYY-MM-DDTHH:MM:SSZ
    pub at: String,
    pub actor: String,
}

/// A correction recorded after the round closed.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CorrectionRow {
    pub id: i64,
    pub plan_id: Option<String>,
    pub text: String,
    pub at: String,
    pub actor: String,
}

/// The fields of an update a trekker writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateFields {
    pub light: Option<TrafficLight>,
    pub done: Option<String>,
    pub next_steps: Option<String>,
    pub needs: Option<String>,
}

/// Where an update's texts come from: written by a person (the default), quoted from a source
/// (the demo's round from the documents), or an example ("voorbeeld").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateOrigin {
    pub source_id: Option<String>,
    pub is_example: bool,
}

/// What an update says about one of the plan's milestones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneNote {
    pub milestone_id: i64,
    pub outcome: MilestoneOutcome,
    /// For a moved milestone: the period it moved to, as a `FactDate`'s written form.
    pub moved_to: Option<String>,
}

/// A plan's line in a round's list of who has reported.
#[derive(Debug, Clone)]
pub struct ReportingLine {
    pub plan_id: String,
    pub plan_name: String,
    /// The lead organisations' ids and names.
    pub leads: Vec<(String, String)>,
    pub reporting: Reporting,
    pub light: Option<TrafficLight>,
    pub submitted_at: Option<String>,
    pub is_example: bool,
}

/// A milestone of a plan in a round, as the update form and the snapshot read it.
#[derive(Debug, Clone, FromRow)]
pub struct RoundMilestoneRow {
    pub id: i64,
    pub plan_id: String,
    pub title: String,
    /// As precisely as the source gives it (a `FactDate`); empty when it gives none.
    pub period: Option<String>,
}
