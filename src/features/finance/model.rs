//! Money and people per plan and year: budgets (per plan × financing source × year) and an
//! indication of personnel capacity; their fields, field declarations and rows.

use serde::Serialize;
use sqlx::FromRow;

use crate::domain::{
    ApplicationState, CapacityAssessment, CapacityUnit, Cents, FactDate, ParseError,
};
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a budget line.
    pub enum BudgetField for "budget" {
        Record = "record" => "Aangemaakt",
        Source = "funding_source" => "Financieringsbron" as Name,
        Year = "year" => "Jaar" as Line,
        State = "state" => "Stand van de aanvraag" as Line,
        StateDate = "state_date" => "Stand sinds" as Line,
        Requested = "requested" => "Aangevraagd" as Line,
        RequestedDate = "requested_date" => "Aangevraagd: datum" as Line,
        RequestedSource = "requested_source" => "Aangevraagd: bron" as Line,
        Granted = "granted" => "Toegekend" as Line,
        GrantedDate = "granted_date" => "Toegekend: datum" as Line,
        GrantedSource = "granted_source" => "Toegekend: bron" as Line,
        Spent = "spent" => "Besteed" as Line,
        SpentDate = "spent_date" => "Besteed: datum" as Line,
        SpentSource = "spent_source" => "Besteed: bron" as Line,
        Note = "note" => "Toelichting" as Note,
        SourceDocument = "source" => "Bron" as Line,
        Example = "example" => "Voorbeeld" as Line,
        Assumption = "assumption" => "Aanname" as Note,
    }
}

record_fields! {
    /// The fields of a plan's capacity in a year.
    pub enum CapacityField for "capacity" {
        Record = "record" => "Aangemaakt",
        Year = "year" => "Jaar" as Line,
        Amount = "amount" => "Capaciteit" as Line,
        Assessment = "assessment" => "Oordeel" as Line,
        Note = "note" => "Toelichting" as Note,
        Date = "date" => "Datum" as Line,
        SourceDocument = "source" => "Bron" as Line,
    }
}

/// An amount with the date it took effect and its source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Amount {
    pub cents: Option<Cents>,
    pub date: Option<FactDate>,
    pub source_id: Option<String>,
}

/// The fields of a budget line a form, the API or a file writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetFields {
    pub funding_source_id: String,
    pub year: i16,
    pub state: Option<ApplicationState>,
    pub state_date: Option<FactDate>,
    pub requested: Amount,
    pub granted: Amount,
    pub spent: Amount,
    pub note: Option<String>,
    pub source_id: Option<String>,
    /// Why a value is a reasoned choice the source does not state, when it is one.
    pub assumption: Option<String>,
    /// Example amounts ("voorbeeld"), never facts.
    pub is_example: bool,
}

/// A budget line as stored. Amounts are euro cents.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct BudgetRow {
    pub id: i64,
    pub plan_id: String,
    pub funding_source_id: String,
    pub year: i64,
    /// in-voorbereiding, aangevraagd, toegekend, afgewezen; null when unknown
    pub state: Option<String>,
    /// When the state took effect (domain::FactDate's written form)
    pub state_date: Option<String>,
    pub requested_cents: Option<i64>,
    pub requested_date: Option<String>,
    pub requested_source_id: Option<String>,
    pub granted_cents: Option<i64>,
    pub granted_date: Option<String>,
    pub granted_source_id: Option<String>,
    pub spent_cents: Option<i64>,
    pub spent_date: Option<String>,
    pub spent_source_id: Option<String>,
    pub note: Option<String>,
    pub source_id: Option<String>,
    /// The reason, when a value is an aanname
    pub assumption: Option<String>,
    /// 1 when the amounts are example values ("voorbeeld"), never facts
    pub is_example: i64,
    pub version: i64,
}

pub(crate) const BUDGET_COLUMNS: &str = "id, plan_id, funding_source_id, year, state, state_date,
    requested_cents, requested_date, requested_source_id, granted_cents, granted_date,
    granted_source_id, spent_cents, spent_date, spent_source_id, note, source_id, assumption,
    is_example, version";

fn date_of(text: Option<&String>) -> Option<FactDate> {
    text.map(|t| FactDate::from_stored(t))
}

impl BudgetRow {
    pub fn state(&self) -> Option<ApplicationState> {
        self.state
            .as_deref()
            .and_then(|s| ApplicationState::parse(s).ok())
    }

    pub fn fields(&self) -> BudgetFields {
        let amount = |c: Option<i64>, d: &Option<String>, s: &Option<String>| Amount {
            cents: c.map(Cents),
            date: date_of(d.as_ref()),
            source_id: s.clone(),
        };
        BudgetFields {
            funding_source_id: self.funding_source_id.clone(),
            year: i16::try_from(self.year).unwrap_or_default(),
            state: self.state(),
            state_date: date_of(self.state_date.as_ref()),
            requested: amount(
                self.requested_cents,
                &self.requested_date,
                &self.requested_source_id,
            ),
            granted: amount(
                self.granted_cents,
                &self.granted_date,
                &self.granted_source_id,
            ),
            spent: amount(self.spent_cents, &self.spent_date, &self.spent_source_id),
            note: self.note.clone(),
            source_id: self.source_id.clone(),
            assumption: self.assumption.clone(),
            is_example: self.is_example != 0,
        }
    }
}

/// The fields of a plan's capacity in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityFields {
    pub year: i16,
    /// The amount and its unit, when known.
    pub amount: Option<(f64, CapacityUnit)>,
    pub assessment: Option<CapacityAssessment>,
    pub note: Option<String>,
    pub date: Option<FactDate>,
    pub source_id: Option<String>,
}

/// A plan's capacity in a year as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CapacityRow {
    pub plan_id: String,
    pub year: i64,
    pub amount: Option<f64>,
    /// fte or uren
    pub unit: Option<String>,
    /// voldoende, krap or onvoldoende
    pub assessment: Option<String>,
    pub note: Option<String>,
    pub date: Option<String>,
    pub source_id: Option<String>,
    pub version: i64,
}

pub(crate) const CAPACITY_COLUMNS: &str =
    "plan_id, year, amount, unit, assessment, note, date, source_id, version";

impl CapacityRow {
    pub fn fields(&self) -> CapacityFields {
        CapacityFields {
            year: i16::try_from(self.year).unwrap_or_default(),
            amount: self.amount.zip(
                self.unit
                    .as_deref()
                    .and_then(|u| CapacityUnit::parse(u).ok()),
            ),
            assessment: self
                .assessment
                .as_deref()
                .and_then(|a| CapacityAssessment::parse(a).ok()),
            note: self.note.clone(),
            date: date_of(self.date.as_ref()),
            source_id: self.source_id.clone(),
        }
    }
}

/// An amount of capacity as a reader sees it: "1,5 fte", "120 uur".
pub fn capacity_label(amount: f64, unit: CapacityUnit) -> String {
    format!(
        "{} {}",
        crate::domain::format_number_nl(amount),
        unit.label()
    )
}

/// The years a budget or capacity may be for.
pub const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

/// A year of a budget or capacity line, or the message saying what to write.
pub fn year(value: i64) -> Result<i16, ParseError> {
    if YEARS.contains(&value) {
        i16::try_from(value).map_err(|_| ParseError::new("geen jaar"))
    } else {
        Err(ParseError::new(format!(
            "{value} is geen jaar tussen {} en {}",
            YEARS.start(),
            YEARS.end()
        )))
    }
}

/// An amount of capacity: finite, 0 or more, at most a million (fte or hours).
pub fn capacity_amount(value: f64) -> Result<f64, ParseError> {
    let decimals = value
        .to_string()
        .split_once('.')
        .map_or(0, |(_, d)| d.len());
    if !value.is_finite() || !(0.0..=1_000_000.0).contains(&value) {
        Err(ParseError::new(format!(
            "{} is geen capaciteit tussen 0 en 1.000.000",
            crate::domain::format_number_nl(value)
        )))
    } else if decimals > 2 {
        Err(ParseError::new(format!(
            "{} heeft meer dan twee cijfers achter de komma; schrijf bijvoorbeeld 1,25",
            value.to_string().replace('.', ",")
        )))
    } else {
        Ok(value)
    }
}
