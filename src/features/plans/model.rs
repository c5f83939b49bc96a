//! A plan's fields as forms, the API and imports write them, its field declarations, and the rows the list and plan page read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

pub use super::texts::PlanTexts;
use crate::domain::{FactDate, FrameworkKind, NetworkRole, Phase, PlanKind, Stage};
use crate::features::rollouts::model::{RolloutChangeRow, RolloutRow};
use crate::features::sources::model::SourceRef;
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a plan, as the trail and refusals name them.
    pub enum PlanField for "plan" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam" as Name,
        Kind = "kind" => "Soort",
        Parent = "parent" => "Valt onder",
        Area = "area" => "Gebied",
        WorkAreas = "work_areas" => "Werkgebied",
        About = "about" => "Waar gaat het over",
        IntendedResult = "intended_result" => "Beoogd resultaat",
        Activities = "activities" => "Activiteiten",
        Asks = "asks" => "Wat vraagt het van wie",
        CurrentStatus = "current_status" => "Actuele status",
        LeadText = "lead_text" => "Trekker (tekst)",
        PartiesText = "parties_text" => "Betrokken (tekst)",
        StatusText = "status_text" => "Status (tekst)",
        FinancingText = "financing_text" => "Financiering (tekst)",
        NetworkRole = "network_role" => "Rol van het netwerk",
        IsNew = "is_new" => "Nieuw of doorontwikkeling",
        Phase = "phase" => "Overzicht plannen",
        Source = "source" => "Bron" as Line,
        InternalNote = "internal_note" => "Interne notitie",
        Leads = "leads" => "Trekkers",
        Parties = "parties" => "Betrokken partijen",
        /// All framework links at once: the conflict page, and the trail before it named them
        /// per kind.
        Framework = "framework" => "Plaats in het regioplan",
        Accords = "accords" => "Akkoorden",
        Principles = "principles" => "Leidende principes",
        Transformations = "transformations" => "Transformaties",
        Themes = "themes" => "Opgaven",
        Foundations = "foundations" => "Fundamenten",
        Funding = "funding" => "Financieringsbronnen",
        Links = "links" => "Links",
        Stage = "stage" => "Fase",
        /// The source of a stage change (refusals only; the trail keeps it as the source of
        /// the `stage` entry).
        StageSource = "stage_source" => "Bron van de fase",
        Archived = "archived" => "Archief",
    }
}

/// Each kind of framework link of a plan with the field the trail and aannames name it by.
pub const FRAMEWORK_FIELDS: [(FrameworkKind, PlanField); 5] = [
    (FrameworkKind::Accord, PlanField::Accords),
    (FrameworkKind::Principle, PlanField::Principles),
    (FrameworkKind::Transformation, PlanField::Transformations),
    (FrameworkKind::Theme, PlanField::Themes),
    (FrameworkKind::Foundation, PlanField::Foundations),
];

/// Every field of a plan a user can edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFields {
    pub name: String,
    pub kind: PlanKind,
    pub parent_id: Option<String>,
    pub area_id: String,
    /// The free texts ("Waar gaat het over", ...).
    pub texts: PlanTexts,
    pub network_role: Option<NetworkRole>,
    pub is_new: Option<bool>,
    pub phase: Option<Phase>,
    pub source_id: Option<String>,
    pub internal_note: Option<String>,
    /// Trekkers, then betrokken partijen, by organisation id in the order given.
    pub leads: Vec<String>,
    pub parties: Vec<String>,
    /// Linked principles, transformations, opgaven, fundamenten and accords.
    pub framework: Vec<String>,
    pub funding: Vec<String>,
    /// (title, url)
    pub links: Vec<(String, String)>,
    /// The areas the plan runs in (werkgebied), in the order given; empty when it runs in its
    /// own area only.
    pub work_areas: Vec<String>,
}

impl PlanFields {
    /// The areas the plan runs in: its working areas, or else its own area.
    pub fn working_areas(&self) -> Vec<&str> {
        if self.work_areas.is_empty() {
            vec![self.area_id.as_str()]
        } else {
            self.work_areas.iter().map(String::as_str).collect()
        }
    }
}

impl PlanFields {
    /// A plan with a name, a kind and an area, and every other field empty.
    pub fn new(name: String, kind: PlanKind, area_id: String) -> Self {
        Self {
            name,
            kind,
            parent_id: None,
            area_id,
            texts: PlanTexts::default(),
            network_role: None,
            is_new: None,
            phase: None,
            source_id: None,
            internal_note: None,
            leads: Vec::new(),
            parties: Vec::new(),
            framework: Vec::new(),
            funding: Vec::new(),
            links: Vec::new(),
            work_areas: Vec::new(),
        }
    }
}

/// A move of a plan to another stage, dated, as the documents write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageChange {
    pub stage: Stage,
    pub date: FactDate,
    pub source: Option<SourceRef>,
    pub note: Option<String>,
}

/// A plan as stored: its fields, stage, version and whether it is archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub fields: PlanFields,
    pub stage: Option<Stage>,
    pub version: i64,
    pub archived: bool,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FundingSourceRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// spuk, transformatiegelden, subsidie, regulier, gemeentelijk, overig; null when not given
    pub kind: Option<String>,
}

impl FundingSourceRow {
    pub fn kind(&self) -> Option<crate::domain::FundingKind> {
        self.kind
            .as_deref()
            .and_then(|k| crate::domain::FundingKind::parse(k).ok())
    }
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub area_id: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub texts: PlanTexts,
    pub stage: Option<String>,
    pub network_role: Option<String>,
    /// true = nieuw, false = doorontwikkeling, null = not stated
    #[serde(serialize_with = "serialize_flag")]
    #[schema(value_type = Option<bool>)]
    pub is_new: Option<i64>,
    pub phase: Option<String>,
    pub source_id: Option<String>,
    /// For signed-in readers only; left out of public answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Archived plans keep their history but leave the overviews.
    #[serde(serialize_with = "serialize_bool")]
    #[schema(value_type = bool)]
    pub archived: i64,
    pub version: i64,
}

impl PlanRow {
    pub fn is_new(&self) -> Option<bool> {
        crate::store::flag(self.is_new)
    }
}

pub(crate) fn serialize_bool<S: serde::Serializer>(
    value: &i64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_bool(*value != 0)
}

/// Writes a stored 0/1 column as JSON `false`/`true`.
pub(crate) fn serialize_flag<S: serde::Serializer>(
    value: &Option<i64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    crate::store::flag(*value).serialize(serializer)
}

#[derive(Debug, Clone, FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanOrganisationRow {
    #[serde(skip_serializing)]
    pub plan_id: String,
    pub organisation_id: String,
    /// trekker or betrokken
    pub role: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct PlanLinkRow {
    pub plan_id: String,
    pub item_id: String,
}

#[derive(Debug, Clone, FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageChangeRow {
    #[serde(skip_serializing)]
    pub id: i64,
    #[serde(skip_serializing)]
    pub plan_id: String,
    pub stage: String,
    pub note: Option<String>,
    /// When it took effect, as precisely as its source says (domain::FactDate): 2025-10-09,
    /// 2025-10, 2025-Q4, 2025, najaar 2025, gedurende 2025, 2025-Q2/2025-Q3 or onbekend.
    pub date: String,
    pub source_id: Option<String>,
    /// Why this step is an aanname (a reasoned choice the source does not state); null when
    /// the source states it.
    pub assumption: Option<String>,
    /// When a person entered it (UTC); null when it came with a portfolio file, recorded by
    /// its source on the source's date.
    pub recorded_at: Option<String>,
}

/// One area a plan runs in (werkgebied).
#[derive(Debug, Clone, FromRow)]
pub struct PlanAreaRow {
    pub plan_id: String,
    pub area_id: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MilestoneRow {
    pub id: i64,
    #[serde(skip)]
    pub plan_id: String,
    pub title: String,
    /// As precisely as the source says (domain::FactDate): 2025-03-15, 2025-03, 2025-Q2,
    /// najaar 2025, 2025-Q2/2025-Q3, gedurende 2025; null when the source gives none
    pub period: Option<String>,
    pub theme_id: Option<String>,
    pub note: Option<String>,
    pub source_id: Option<String>,
    /// gepland, gehaald, verschoven or vervallen
    pub status: String,
    /// When the status took effect (domain::FactDate's written form); null when unknown
    pub status_date: Option<String>,
    pub status_source_id: Option<String>,
    /// The reason, when the period is an aanname
    pub assumption: Option<String>,
    pub version: i64,
}

impl MilestoneRow {
    pub fn period(&self) -> crate::domain::FactDate {
        self.period.as_deref().map_or(
            crate::domain::FactDate::Unknown,
            crate::domain::FactDate::from_stored,
        )
    }

    pub fn status(&self) -> crate::domain::MilestoneStatus {
        crate::domain::MilestoneStatus::parse(&self.status)
            .unwrap_or(crate::domain::MilestoneStatus::Planned)
    }
}

/// The columns of [`MilestoneRow`], with `x.` for the milestones table.
pub const MILESTONE_COLUMNS: &str = "x.id, x.plan_id, x.title, x.period, x.theme_id, x.note,
    x.source_id, x.status, x.status_date, x.status_source_id, x.assumption, x.version";

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ExternalLinkRow {
    #[serde(skip)]
    pub plan_id: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct PlanFundingRow {
    pub plan_id: String,
    pub funding_source_id: String,
}

/// Which plans a page or API call asks for. Every field narrows the list; `None` means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    /// Plans of this subregio, of one of its gemeenten, or of the whole region.
    pub subregion: Option<String>,
    /// Plans that run in this gemeente (CBS code): its working area holds it, or it has a
    /// fact of its own there.
    pub gemeente: Option<String>,
    /// Plans linked to this framework item (an opgave, transformation, ...).
    pub framework_items: Vec<String>,
    pub stage: Option<String>,
    /// One plan only.
    pub plan: Option<String>,
    /// Also archived plans (a plan's own page shows it with a notice).
    pub include_archived: bool,
    /// Only plans whose place in the portfolio lies in this range (first, last), inclusive:
    /// one page of the list, for the rows that hang off its plans.
    pub positions: Option<(i64, i64)>,
}

/// A plan with everything that hangs off it (also the API's plan object).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: PlanRow,
    pub organisations: Vec<PlanOrganisationRow>,
    /// Ids of linked accords, principles, transformations, opgaven and fundamenten.
    pub framework: Vec<String>,
    /// Ids of funding sources.
    pub funding: Vec<String>,
    /// Ids of the areas the plan runs in (werkgebied), as stated; empty when it runs in its
    /// own area (`area_id`) only.
    pub work_areas: Vec<String>,
    pub links: Vec<ExternalLinkRow>,
    /// Current rollout per gemeente; gemeenten not listed are unknown.
    pub rollouts: Vec<RolloutRow>,
    pub history: Vec<StageChangeRow>,
    pub rollout_history: Vec<RolloutChangeRow>,
    pub milestones: Vec<MilestoneRow>,
    /// Money per financing source and year (euro cents), as far as known.
    pub budgets: Vec<crate::features::finance::model::BudgetRow>,
    /// Personnel capacity per year, as an indication.
    pub capacities: Vec<crate::features::finance::model::CapacityRow>,
    /// The fields whose value is an aanname (a reasoned choice no source states), by field
    /// code (`principles`, `is_new`, `leads`, `about`, ...), with the reason.
    pub assumptions: BTreeMap<String, String>,
}

/// An aanname on one field of a record.
#[derive(Debug, Clone, FromRow)]
pub struct AssumptionRow {
    pub record_id: String,
    pub field: String,
    pub reason: String,
}
