//! A KPI: its definition as a form edits it, its field declarations and its stored row.

use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{
    AreaLevel, Direction, Frequency, IndicatorKind, Measure, ObservationFit, Period, Targets,
    format_number_nl,
};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a KPI's definition.
    pub enum IndicatorField for "indicator" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam" as Name,
        Description = "description" => "Omschrijving",
        Kind = "kind" => "Soort",
        Measure = "measure" => "Meetwijze",
        Unit = "unit" => "Eenheid" as Line,
        Direction = "direction" => "Richting",
        /// The baseline's value (before the trail named its period apart: value and period).
        Baseline = "baseline" => "Nulmeting",
        BaselinePeriod = "baseline_period" => "Periode van de nulmeting",
        /// The target's value (before the trail named its period apart: value and period).
        Target = "target" => "Streefwaarde",
        TargetPeriod = "target_period" => "Streefperiode",
        TargetText = "target_text" => "Streefbeeld",
        Milestones = "milestones" => "Tussendoelen",
        Transformation = "transformation" => "Transformatie",
        Plans = "plans" => "Plannen",
        OwnerOrganisation = "owner_organisation" => "Eigenaar",
        OwnerRole = "owner_role" => "Rol van de eigenaar" as Line,
        DataSource = "data_source" => "Databron" as Line,
        Frequency = "frequency" => "Frequentie",
        AreaLevel = "area_level" => "Meetniveau",
        Source = "source" => "Bron" as Line,
    }
}

/// A KPI as stored, with the plans it belongs to and its tussendoelen.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct IndicatorRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// resultaat or inspanning
    pub kind: String,
    /// kwantitatief or narratief
    pub measure: String,
    pub unit: Option<String>,
    /// hoger or lager (is beter)
    pub direction: Option<String>,
    pub baseline_value: Option<f64>,
    /// A period such as 2023 or 2024-Q4.
    pub baseline_period: Option<String>,
    pub target_value: Option<f64>,
    pub target_period: Option<String>,
    /// For a narrative KPI: what reaching it looks like.
    pub target_text: Option<String>,
    pub transformation_id: Option<String>,
    pub owner_organisation_id: Option<String>,
    pub owner_role: Option<String>,
    pub data_source: Option<String>,
    /// maand, kwartaal or jaar
    pub frequency: String,
    /// gemeente, subregio or regio
    pub area_level: String,
    pub source_id: Option<String>,
    pub version: i64,
    #[sqlx(skip)]
    pub plans: Vec<String>,
    /// Tussendoelen: (period, value), earliest first.
    #[sqlx(skip)]
    pub milestones: Vec<MilestoneTarget>,
    /// The fields whose value is an aanname (a reasoned choice no source states), by field
    /// code (`target`, `baseline`, `frequency`, `area_level`, ...), with the reason.
    #[sqlx(skip)]
    pub assumptions: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MilestoneTarget {
    pub period: String,
    pub value: f64,
}

impl IndicatorRow {
    pub fn measure(&self) -> Measure {
        Measure::parse(&self.measure).unwrap_or(Measure::Quantitative)
    }

    pub fn is_narrative(&self) -> bool {
        self.measure() == Measure::Narrative
    }

    pub fn frequency(&self) -> Frequency {
        Frequency::parse(&self.frequency).unwrap_or(Frequency::Quarter)
    }

    pub fn area_level(&self) -> AreaLevel {
        AreaLevel::parse(&self.area_level).unwrap_or(AreaLevel::Gemeente)
    }

    /// What an observation of this KPI must fit: its level and frequency.
    pub fn fit(&self) -> ObservationFit<'_> {
        ObservationFit {
            kpi: &self.name,
            level: self.area_level(),
            frequency: self.frequency(),
        }
    }

    pub fn kind_label(&self) -> &'static str {
        IndicatorKind::parse(&self.kind).map_or("", IndicatorKind::label)
    }

    /// The targets in domain form, for [`crate::domain::assess`].
    pub fn targets(&self) -> Option<Targets> {
        let direction = Direction::parse(self.direction.as_deref()?).ok()?;
        let pair = |value: Option<f64>, period: &Option<String>| {
            Some((Period::parse(period.as_deref()?).ok()?, value?))
        };
        Some(Targets {
            direction,
            baseline: pair(self.baseline_value, &self.baseline_period),
            target: pair(self.target_value, &self.target_period),
            milestones: self
                .milestones
                .iter()
                .filter_map(|m| Some((Period::parse(&m.period).ok()?, m.value)))
                .collect(),
        })
    }

    /// The definition as a form edits it; `None` when a stored code is unknown.
    pub fn fields(&self) -> Option<IndicatorFields> {
        let pair = |value: Option<f64>, period: &Option<String>| -> Option<(Period, f64)> {
            Some((Period::parse(period.as_deref()?).ok()?, value?))
        };
        Some(IndicatorFields {
            name: self.name.clone(),
            description: self.description.clone(),
            kind: IndicatorKind::parse(&self.kind).ok()?,
            measure: Measure::parse(&self.measure).ok()?,
            unit: self.unit.clone(),
            direction: self
                .direction
                .as_deref()
                .and_then(|d| Direction::parse(d).ok()),
            baseline: pair(self.baseline_value, &self.baseline_period),
            target: pair(self.target_value, &self.target_period),
            target_text: self.target_text.clone(),
            milestones: self
                .milestones
                .iter()
                .filter_map(|m| Some((Period::parse(&m.period).ok()?, m.value)))
                .collect(),
            transformation_id: self.transformation_id.clone(),
            plans: self.plans.clone(),
            owner_organisation_id: self.owner_organisation_id.clone(),
            owner_role: self.owner_role.clone(),
            data_source: self.data_source.clone(),
            frequency: Frequency::parse(&self.frequency).ok()?,
            area_level: AreaLevel::parse(&self.area_level).ok()?,
            source_id: self.source_id.clone(),
        })
    }

    /// "65 %" or "15 minuten": a value with the KPI's unit.
    pub fn with_unit(&self, value: f64) -> String {
        let number = format_number_nl(value);
        match self.unit.as_deref() {
            Some("%") => format!("{number}%"),
            Some(u) => format!("{number} {u}"),
            None => number,
        }
    }
}

/// A KPI's definition as a beheerder edits it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorFields {
    pub name: String,
    pub description: Option<String>,
    pub kind: IndicatorKind,
    pub measure: Measure,
    pub unit: Option<String>,
    pub direction: Option<Direction>,
    pub baseline: Option<(Period, f64)>,
    pub target: Option<(Period, f64)>,
    pub target_text: Option<String>,
    pub milestones: Vec<(Period, f64)>,
    pub transformation_id: Option<String>,
    pub plans: Vec<String>,
    pub owner_organisation_id: Option<String>,
    pub owner_role: Option<String>,
    pub data_source: Option<String>,
    pub frequency: Frequency,
    pub area_level: AreaLevel,
    pub source_id: Option<String>,
}
