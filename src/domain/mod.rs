//! The domain: the words of the regioplan as types that check themselves.
//!
//! Nothing here does I/O. Every type that comes from the outside world (a form, a file, a URL)
//! has a `parse` constructor that returns a Dutch message saying what to fix.

mod area;
mod codes;
mod fact_date;
mod finance;
mod indicator;
mod meeting;
mod period;
mod round;
mod slug;

pub use area::{AreaKind, Gemeentecode};
pub use codes::{
    Channel, Coded, FrameworkKind, NetworkRole, OrganisationKind, Overview, Phase, PlanKind, Role,
    RolloutStatus, Stage,
};
pub use fact_date::{FactDate, Season};
pub use finance::{
    ApplicationState, CapacityAssessment, CapacityUnit, Cents, FundingKind, MAX_CENTS,
    MilestoneStatus, months_in_year,
};
pub use indicator::{
    ActionStatus, AreaLevel, Assessment, Direction, EscalationLevel, Frequency, IndicatorKind,
    IndicatorStatus, Latest, MAX_VALUE, Measure, ObservationFit, Targets, assess, assess_kpi,
    check_value, format_number_nl, parse_number,
};
pub use meeting::{MeetingStatus, OutcomeKind};
pub use period::Period;
pub use round::{
    MilestoneOutcome, Reporting, RoundStatus, TrafficLight, UpdateState, Verdict, parse_quarter,
    previous_quarter,
};
pub use slug::Slug;

/// Why a value from outside could not be accepted, in Dutch, ready to show to a user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Parses a calendar date written as `YYYY-MM-DD`.
pub fn parse_date(value: &str) -> Result<jiff::civil::Date, ParseError> {
    value.trim().parse::<jiff::civil::Date>().map_err(|_| {
        ParseError::new(format!(
            "\"{value}\" is geen geldige datum; schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2025-10-09"
        ))
    })
}

/// Dutch month names, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// Formats a date the Dutch way for reading: "9 oktober 2025".
pub fn format_date_nl(date: jiff::civil::Date) -> String {
    let month = MONTHS[usize::try_from(date.month() - 1).unwrap_or(0)];
    format!("{} {} {}", date.day(), month, date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_as_dutch_words() {
        let date = parse_date("2025-10-09").expect("valid date");
        assert_eq!(format_date_nl(date), "9 oktober 2025");
    }

    #[test]
    fn a_date_in_the_wrong_order_is_refused_with_the_format_to_use() {
        let err = parse_date("09-10-2025").expect_err("not ISO");
        assert!(err.0.contains("JJJJ-MM-DD"), "{err}");
    }
}
