//! The words of the quarterly cycle: a round's quarter, the traffic light of a kwartaalupdate,
//! where an update stands, and how the kernteam judged it.

use jiff::civil::Date;

use super::ParseError;
use super::Period;
use super::codes::code_list;

code_list!(
    /// The traffic light of a kwartaalupdate: how the trekker sees the plan's course.
    TrafficLight, "stoplicht", {
        OnCourse => "op-koers", "Op koers";
        Attention => "aandacht", "Aandacht nodig";
        Problem => "knelpunt", "Knelpunt";
    }
);

impl TrafficLight {
    /// A symbol beside the word, so the light never depends on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::OnCourse => "●",
            Self::Attention => "▲",
            Self::Problem => "■",
        }
    }
}

code_list!(
    /// Where a kwartaalupdate stands.
    UpdateState, "stand van de update", {
        Draft => "concept", "Concept";
        Submitted => "ingediend", "Ingediend";
        Clarification => "verduidelijking", "Verduidelijking gevraagd";
        Accepted => "geaccepteerd", "Geaccepteerd";
    }
);

code_list!(
    /// The kernteam's judgement of a submitted update.
    Verdict, "beoordeling", {
        Accept => "geaccepteerd", "Geaccepteerd";
        AskClarification => "verduidelijking", "Verduidelijking gevraagd";
    }
);

code_list!(
    /// Whether a reporting round still takes updates.
    RoundStatus, "stand van de ronde", {
        Open => "open", "Open";
        Closed => "gesloten", "Gesloten";
    }
);

code_list!(
    /// What an update says about one of the plan's milestones.
    MilestoneOutcome, "uitkomst van een mijlpaal", {
        Reached => "gehaald", "Gehaald";
        Moved => "verschoven", "Verschoven";
    }
);

code_list!(
    /// How far a plan is with its update in a round, as the list of who has reported shows it.
    Reporting, "rapportagestand", {
        Missing => "ontbreekt", "Ontbreekt";
        Overdue => "te-laat", "Te laat";
        Draft => "concept", "Concept";
        Clarification => "verduidelijking", "Verduidelijking gevraagd";
        Submitted => "ingediend", "Ingediend";
        Accepted => "geaccepteerd", "Geaccepteerd";
    }
);

impl Reporting {
    /// The stand of a plan's update on `today` in a round due on `deadline`: nothing or only a
    /// draft after the deadline is late; a question of the kernteam waits on the trekker.
    pub fn of(state: Option<UpdateState>, deadline: Date, today: Date) -> Self {
        let late = today > deadline;
        match state {
            None | Some(UpdateState::Draft) if late => Self::Overdue,
            None => Self::Missing,
            Some(UpdateState::Draft) => Self::Draft,
            Some(UpdateState::Clarification) => Self::Clarification,
            Some(UpdateState::Submitted) => Self::Submitted,
            Some(UpdateState::Accepted) => Self::Accepted,
        }
    }

    /// Still owed by the trekker.
    pub fn is_owed(self) -> bool {
        matches!(
            self,
            Self::Missing | Self::Overdue | Self::Draft | Self::Clarification
        )
    }
}

/// A round's quarter: `2026-Q1` and nothing else.
pub fn parse_quarter(value: &str) -> Result<Period, ParseError> {
    match Period::parse(value) {
        Ok(p @ Period::Quarter(..)) => Ok(p),
        _ => Err(ParseError::new(format!(
            "\"{}\" is geen kwartaal; schrijf het kwartaal als JJJJ-Qn, bijvoorbeeld 2026-Q1",
            value.trim()
        ))),
    }
}

/// The quarter before `period` (a round's "previous round").
pub fn previous_quarter(period: Period) -> Option<Period> {
    match period {
        Period::Quarter(y, 1) => Some(Period::Quarter(y - 1, 4)),
        Period::Quarter(y, q) => Some(Period::Quarter(y, q - 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().expect("a day")
    }

    #[test]
    fn only_a_quarter_is_a_round() {
        assert_eq!(parse_quarter("2026-Q1"), Ok(Period::Quarter(2026, 1)));
        assert!(parse_quarter("2026").is_err());
        assert!(parse_quarter("2026-03").is_err());
        assert!(
            parse_quarter("2026-Q5")
                .expect_err("no fifth quarter")
                .0
                .contains("bijvoorbeeld 2026-Q1")
        );
        assert_eq!(
            previous_quarter(Period::Quarter(2026, 1)),
            Some(Period::Quarter(2025, 4))
        );
    }

    #[test]
    fn nothing_or_a_draft_after_the_deadline_is_late() {
        let deadline = day("2026-04-15");
        let before = day("2026-04-15");
        let after = day("2026-04-16");
        assert_eq!(Reporting::of(None, deadline, before), Reporting::Missing);
        assert_eq!(Reporting::of(None, deadline, after), Reporting::Overdue);
        assert_eq!(
            Reporting::of(Some(UpdateState::Draft), deadline, after),
            Reporting::Overdue
        );
        assert_eq!(
            Reporting::of(Some(UpdateState::Submitted), deadline, after),
            Reporting::Submitted
        );
        assert!(Reporting::Clarification.is_owed());
        assert!(!Reporting::Accepted.is_owed());
    }
}
