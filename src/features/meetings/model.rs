//! The records of governance: a meeting, its attendance, its agenda items and their outcomes,
//! with the meeting's field declarations for the trail and refusals.

use jiff::civil::{Date, Time};
use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{MeetingStatus, OutcomeKind};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a meeting. Its agenda items and outcomes are part of it: adding one
    /// changes the meeting (and its version).
    pub enum MeetingField for "meeting" {
        Record = "record" => "Aangemaakt",
        Body = "body" => "Overleg" as Line,
        Day = "day" => "Datum" as Line,
        Starts = "starts" => "Begint om" as Line,
        Ends = "ends" => "Eindigt om" as Line,
        Place = "place" => "Plaats" as Line,
        Chair = "chair" => "Voorzitter" as Name,
        Attendance = "attendance" => "Aanwezig" as Line,
        AttendanceDescription = "attendance_description" => "Aanwezig (omschrijving)" as Name,
        AttendanceRole = "attendance_role" => "Rol van de aanwezige" as Name,
        Cancelled = "cancelled" => "Geannuleerd" as Note,
        Status = "status" => "Stand",
        AgendaItem = "agenda_item" => "Agendapunt" as Name,
        Presenter = "presenter" => "Inbreng door" as Name,
        Plans = "plans" => "Over plan",
        Indicators = "indicators" => "Over KPI",
        Rounds = "rounds" => "Kwartaalrapportage",
        Actions = "actions" => "Acties op de agenda",
        Attachments = "attachments" => "Bijlagen" as Note,
        Outcome = "outcome" => "Uitkomst",
        Owner = "owner" => "Eigenaar" as Name,
        Decision = "decision" => "Besluit over de fase van een plan",
        Withdraws = "withdraws" => "Trekt besluit in",
    }
}

/// A meeting as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MeetingRow {
    pub id: String,
    pub body_id: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// HH:MM, local time (Europe/Amsterdam); empty when unknown.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub place: Option<String>,
    pub chair: Option<String>,
    pub status: String,
    pub status_assumption: Option<String>,
    pub source_id: Option<String>,
    /// 1 when the meeting is called off (geannuleerd), with the reason.
    pub cancelled: i64,
    pub cancel_reason: Option<String>,
    pub version: i64,
}

impl MeetingRow {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled != 0
    }

    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::parse(&self.status).unwrap_or(MeetingStatus::DraftAgenda)
    }

    pub fn day(&self) -> Option<Date> {
        self.starts_on.parse().ok()
    }

    pub fn start(&self) -> Option<Time> {
        self.starts_at.as_deref().and_then(|t| parse_time(t).ok())
    }

    pub fn end(&self) -> Option<Time> {
        self.ends_at.as_deref().and_then(|t| parse_time(t).ok())
    }
}

/// A time of day as a form or file writes it: `11:00` (or `9:30`).
pub fn parse_time(value: &str) -> Result<Time, String> {
    let value = value.trim();
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    value
        .split_once(':')
        .filter(|(h, m)| digits(h, 1..=2) && digits(m, 2..=2))
        .and_then(|(h, m)| Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok())
        .ok_or_else(|| {
            format!("\"{value}\" is geen tijd; schrijf uren en minuten als 11:00 of 9:30.")
        })
}

/// Who attended, by organisation or a description, and role.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AttendanceRow {
    pub meeting_id: String,
    pub position: i64,
    pub organisation_id: Option<String>,
    pub description: Option<String>,
    pub role: Option<String>,
}

/// An agenda item as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AgendaItemRow {
    pub meeting_id: String,
    pub number: i64,
    pub title: String,
    pub presenter_organisation_id: Option<String>,
    pub presenter_role: Option<String>,
    pub presenter_assumption: Option<String>,
    /// Attachments by title, one per line.
    pub attachments: Option<String>,
}

/// What came of an agenda item.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct OutcomeRow {
    pub meeting_id: String,
    pub number: i64,
    pub position: i64,
    pub kind: String,
    pub text: String,
    /// An actiepunt's owner (organisation and role) and the day it is due, as the meeting
    /// agreed them (its action carries them on and may change them later).
    pub owner: Option<String>,
    /// YYYY-MM-DD
    pub due_on: Option<String>,
    /// A besluit that withdraws an earlier one: that besluit's meeting, item and position.
    pub withdraws_meeting_id: Option<String>,
    pub withdraws_number: Option<i64>,
    pub withdraws_position: Option<i64>,
    /// A besluit about a plan's stage: the plan and the stage it decided.
    pub plan_id: Option<String>,
    pub stage: Option<String>,
}

impl OutcomeRow {
    pub fn kind(&self) -> OutcomeKind {
        OutcomeKind::parse(&self.kind).unwrap_or(OutcomeKind::Information)
    }

    pub fn key(&self) -> DecisionKey {
        DecisionKey::of(&self.meeting_id, self.number, self.position)
    }

    /// The besluit this one withdraws, if it does.
    pub fn withdraws(&self) -> Option<DecisionKey> {
        Some(DecisionKey::of(
            self.withdraws_meeting_id.as_deref()?,
            self.withdraws_number?,
            self.withdraws_position?,
        ))
    }
}

/// Which outcome: a meeting, an agenda item's number and the outcome's position in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub struct DecisionKey {
    pub meeting_id: String,
    pub number: i64,
    pub position: i64,
}

impl DecisionKey {
    pub fn of(meeting_id: &str, number: i64, position: i64) -> Self {
        Self {
            meeting_id: meeting_id.to_owned(),
            number,
            position,
        }
    }

    /// `bbo-zou-2025-10-09/4/1`, as a form sends it.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.trim().rsplitn(3, '/');
        let position = parts.next()?.parse().ok()?;
        let number = parts.next()?.parse().ok()?;
        let meeting_id = parts.next()?.to_owned();
        (!meeting_id.is_empty()).then_some(Self {
            meeting_id,
            number,
            position,
        })
    }

    pub fn code(&self) -> String {
        format!("{}/{}/{}", self.meeting_id, self.number, self.position)
    }
}

/// An agenda item with the plans it is about (id, name) and its outcomes, as far as they are
/// visible.
#[derive(Debug, Clone)]
pub struct VisibleItem {
    pub item: AgendaItemRow,
    pub plans: Vec<(String, String)>,
    /// What else it is about, as (id, name): KPIs, quarterly rounds (period, period) and
    /// actions (id, title).
    pub links: ItemLinks,
    pub outcomes: Vec<OutcomeRow>,
}

/// The KPIs, quarterly rounds and actions an agenda item is about, as (id, words).
#[derive(Debug, Clone, Default)]
pub struct ItemLinks {
    pub indicators: Vec<(String, String)>,
    pub rounds: Vec<(String, String)>,
    pub actions: Vec<(i64, String)>,
}

/// A meeting as someone may see it: its agenda items once visible to them, its outcomes and
/// attendance likewise (`MeetingStatus::agenda_visible_to`, `outcomes_visible_to`).
#[derive(Debug, Clone)]
pub struct VisibleMeeting {
    pub meeting: MeetingRow,
    pub shows_agenda: bool,
    pub shows_outcomes: bool,
    pub attendance: Vec<AttendanceRow>,
    pub items: Vec<VisibleItem>,
}

/// A besluit with its meeting, for the besluitenlijst.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DecisionRow {
    pub meeting_id: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    pub status: String,
    pub body_id: String,
    pub body_name: String,
    pub number: i64,
    pub position: i64,
    pub item_title: String,
    pub text: String,
    /// A besluit about a plan's stage: the plan and the stage.
    pub plan_id: Option<String>,
    pub stage: Option<String>,
    /// The besluit this one withdraws, if it does.
    pub withdraws_meeting_id: Option<String>,
    pub withdraws_number: Option<i64>,
    pub withdraws_position: Option<i64>,
}

impl DecisionRow {
    pub fn key(&self) -> DecisionKey {
        DecisionKey::of(&self.meeting_id, self.number, self.position)
    }

    pub fn withdraws(&self) -> Option<DecisionKey> {
        Some(DecisionKey::of(
            self.withdraws_meeting_id.as_deref()?,
            self.withdraws_number?,
            self.withdraws_position?,
        ))
    }
}

/// What a form or the demo writes of a meeting itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFields {
    pub body_id: String,
    pub day: Date,
    pub starts: Option<Time>,
    pub ends: Option<Time>,
    pub place: Option<String>,
    pub chair: Option<String>,
    pub status: MeetingStatus,
}

/// A new agenda item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgendaItemFields {
    pub title: String,
    pub presenter_organisation_id: Option<String>,
    pub presenter_role: Option<String>,
    pub attachments: Vec<String>,
    pub plans: Vec<String>,
    pub indicators: Vec<String>,
    /// Quarterly rounds by their period (`2026-Q1`).
    pub rounds: Vec<String>,
    pub actions: Vec<i64>,
}

/// Who attended, as a verslag says it: an organisation (with a record) or a description, and
/// the role; never a personal name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttendanceFields {
    pub organisation_id: Option<String>,
    pub description: Option<String>,
    pub role: Option<String>,
}

/// A new outcome of an agenda item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeFields {
    pub kind: OutcomeKind,
    pub text: String,
    /// An actiepunt's owner (role, organisation) and the day it is due; it becomes an action.
    pub owner: Option<String>,
    pub owner_organisation_id: Option<String>,
    pub due: Option<Date>,
    /// A besluit that sets a plan's stage: (plan id, stage).
    pub stage: Option<(String, crate::domain::Stage)>,
    /// A besluit that withdraws an earlier besluit (and undoes the stage it set).
    pub withdraws: Option<DecisionKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_hours_and_two_digit_minutes() {
        assert_eq!(parse_time("11:00"), Ok(Time::constant(11, 0, 0, 0)));
        assert_eq!(parse_time(" 9:30 "), Ok(Time::constant(9, 30, 0, 0)));
        for bad in ["24:00", "11", "11:5", "11:60", "elf uur", "-1:00", ""] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }
}
