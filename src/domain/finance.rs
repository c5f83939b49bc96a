//! The werkagenda and its money: a milestone's status, a financing source's kind, the state of
//! an application, an indication of capacity, and amounts in euro.

use std::fmt;

use super::codes::code_list;
use super::{FactDate, ParseError};

code_list!(
    /// Where a milestone of the werkagenda stands.
    MilestoneStatus, "status van een mijlpaal", {
        Planned => "gepland", "Gepland";
        Reached => "gehaald", "Gehaald";
        Moved => "verschoven", "Verschoven";
        Dropped => "vervallen", "Vervallen";
    }
);

impl MilestoneStatus {
    /// A symbol beside the label, so the status never depends on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Planned => "○",
            Self::Reached => "●",
            Self::Moved => "→",
            Self::Dropped => "×",
        }
    }
}

code_list!(
    /// What kind of money a financing source is.
    FundingKind, "soort financieringsbron", {
        Spuk => "spuk", "SPUK";
        Transformation => "transformatiegelden", "Transformatiegelden";
        Grant => "subsidie", "Subsidie";
        Regular => "regulier", "Reguliere bekostiging";
        Municipal => "gemeentelijk", "Gemeentelijke middelen";
        Other => "overig", "Overig";
    }
);

code_list!(
    /// How far an application for money is.
    ApplicationState, "stand van de aanvraag", {
        Preparing => "in-voorbereiding", "In voorbereiding";
        Applied => "aangevraagd", "Aangevraagd";
        Granted => "toegekend", "Toegekend";
        Refused => "afgewezen", "Afgewezen";
    }
);

code_list!(
    /// Whether a plan has the people it needs for a year, as an indication.
    CapacityAssessment, "oordeel over de capaciteit", {
        Enough => "voldoende", "Voldoende";
        Tight => "krap", "Krap";
        Short => "onvoldoende", "Onvoldoende";
    }
);

code_list!(
    /// The unit of a capacity indication.
    CapacityUnit, "eenheid van capaciteit", {
        Fte => "fte", "fte";
        Hours => "uren", "uur";
    }
);

/// The largest amount regiomonitor stores: ten billion euro, far above any plan's budget, so a
/// typing error of a few extra digits is refused instead of counted.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

/// An amount of money in euro cents. Pages show it the Dutch way ("€ 1.250.000" or
/// "€ 12,50"); forms and files take "1250000", "1.250.000", "€ 1.250.000,00", "12,5" or
/// "12.50" (a single separator followed by one or two digits is the decimal separator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

impl Cents {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let refuse = || {
            ParseError::new(format!(
                "\"{}\" is geen bedrag; schrijf euro's, bijvoorbeeld 125000 of 125.000,50",
                value.trim()
            ))
        };
        let text: String = value
            .trim()
            .trim_start_matches('€')
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
            .collect();
        if text.is_empty() || text.starts_with('-') {
            return Err(if text.starts_with('-') {
                ParseError::new(format!(
                    "\"{}\" is een negatief bedrag; vul een bedrag van 0 of meer in",
                    value.trim()
                ))
            } else {
                refuse()
            });
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            return Err(refuse());
        }
        // The decimal separator: the last ',' ; or a single '.' followed by one or two digits.
        let (whole, fraction) = match (text.rfind(','), text.rfind('.')) {
            (Some(c), _) => (&text[..c], &text[c + 1..]),
            (None, Some(d)) if text.matches('.').count() == 1 && text.len() - d - 1 <= 2 => {
                (&text[..d], &text[d + 1..])
            }
            _ => (text.as_str(), ""),
        };
        if whole.contains(',')
            || fraction.len() > 2
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(refuse());
        }
        // Thousands separators in the whole part: groups of three after the first.
        let groups: Vec<&str> = whole.split('.').collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return Err(refuse());
        }
        let digits: String = groups.concat();
        if digits.is_empty() || digits.len() > 15 {
            return Err(if digits.len() > 15 {
                too_large(value)
            } else {
                refuse()
            });
        }
        let euros: i64 = digits.parse().map_err(|_| refuse())?;
        let cents: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| refuse())? * 10,
            _ => fraction.parse().map_err(|_| refuse())?,
        };
        let total = euros
            .checked_mul(100)
            .and_then(|e| e.checked_add(cents))
            .ok_or_else(|| too_large(value))?;
        Self::checked(total).ok_or_else(|| too_large(value))
    }

    /// An amount in euro as a number (a portfolio file's `bedrag`), rounded to cents; refuses
    /// a negative, non-finite or too large amount, and one with more than two decimals.
    pub fn from_euros(euros: f64) -> Result<Self, ParseError> {
        let written = crate::domain::format_number_nl(euros);
        if !euros.is_finite() || euros < 0.0 {
            return Err(ParseError::new(format!(
                "{written} is geen bedrag van 0 of meer"
            )));
        }
        // The shortest form that reads back as the same number says how many decimals it has.
        let decimals = euros
            .to_string()
            .split_once('.')
            .map_or(0, |(_, d)| d.len());
        if decimals > 2 {
            return Err(ParseError::new(format!(
                "{} heeft meer dan twee cijfers achter de komma; een bedrag is in hele centen",
                euros.to_string().replace('.', ",")
            )));
        }
        if euros * 100.0 > MAX_CENTS as f64 {
            return Err(too_large(&written));
        }
        // In range and in whole cents: checked above.
        #[allow(clippy::cast_possible_truncation)]
        Ok(Self((euros * 100.0).round() as i64))
    }

    fn checked(cents: i64) -> Option<Self> {
        (0..=MAX_CENTS).contains(&cents).then_some(Self(cents))
    }

    /// As a reader sees it: "€ 1.250.000", or "€ 12,50" when there are cents.
    pub fn label_nl(self) -> String {
        let euros = self.0 / 100;
        let cents = self.0 % 100;
        let digits = euros.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        if cents == 0 {
            format!("€ {grouped}")
        } else {
            format!("€ {grouped},{cents:02}")
        }
    }

    /// The amount in euro, for a spreadsheet cell.
    #[allow(clippy::cast_precision_loss)]
    pub fn euros(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// The written form a form field opens with: "1250000" or "12,50".
    pub fn input_text(self) -> String {
        if self.0 % 100 == 0 {
            (self.0 / 100).to_string()
        } else {
            format!("{},{:02}", self.0 / 100, self.0 % 100)
        }
    }
}

fn too_large(value: &str) -> ParseError {
    ParseError::new(format!(
        "\"{}\" is groter dan de € 10.000.000.000 die regiomonitor als bedrag aanneemt; controleer het aantal cijfers",
        value.trim()
    ))
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_nl())
    }
}

/// The months of `year` (1 to 12) a period of the werkagenda spans, first and last; `None`
/// when it lies outside the year or is unknown. A range over a year's end spans the months it
/// holds in this year.
pub fn months_in_year(period: FactDate, year: i16) -> Option<(u8, u8)> {
    let (start, end) = period.interval()?;
    if start.year() > year || end.year() < year {
        return None;
    }
    let first = if start.year() < year {
        1
    } else {
        start.month()
    };
    let last = if end.year() > year { 12 } else { end.month() };
    Some((u8::try_from(first).ok()?, u8::try_from(last).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> i64 {
        Cents::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .0
    }

    #[test]
    fn amounts_read_the_ways_people_write_them() {
        assert_eq!(cents("125000"), 12_500_000);
        assert_eq!(cents("125.000"), 12_500_000);
        assert_eq!(cents("€ 1.250.000,00"), 125_000_000);
        assert_eq!(cents("12,5"), 1250);
        assert_eq!(cents("12.50"), 1250);
        assert_eq!(cents(" 0 "), 0);
        assert_eq!(cents("1 250 000"), 125_000_000);
    }

    #[test]
    fn what_is_not_an_amount_is_refused_with_what_to_write() {
        for bad in [
            "",
            "abc",
            "12,345",
            "1.25.000",
            "12,3,4",
            "1e6",
            "12.345,678",
            "€",
        ] {
            let err = Cents::parse(bad).expect_err(bad);
            assert!(err.0.contains("bedrag"), "{bad}: {err}");
        }
        assert!(
            Cents::parse("-5")
                .expect_err("negative")
                .0
                .contains("negatief")
        );
        assert!(
            Cents::parse("99999999999999")
                .expect_err("too large")
                .0
                .contains("groter")
        );
    }

    #[test]
    fn amounts_show_the_dutch_way_and_read_back() {
        for (c, text) in [
            (12_500_000, "€ 125.000"),
            (125_000_000, "€ 1.250.000"),
            (1250, "€ 12,50"),
            (5, "€ 0,05"),
            (0, "€ 0"),
        ] {
            assert_eq!(Cents(c).label_nl(), text);
            assert_eq!(cents(text), c, "{text}");
            assert_eq!(cents(&Cents(c).input_text()), c);
        }
    }

    #[test]
    fn euros_from_a_file_are_whole_cents() {
        assert_eq!(Cents::from_euros(120_000.0).map(|c| c.0), Ok(12_000_000));
        assert_eq!(Cents::from_euros(0.1).map(|c| c.0), Ok(10));
        assert!(Cents::from_euros(0.001).is_err());
        assert!(Cents::from_euros(-1.0).is_err());
        assert!(Cents::from_euros(f64::NAN).is_err());
        assert!(Cents::from_euros(1e13).is_err());
        // Large amounts with cents are whole cents too.
        assert_eq!(
            Cents::from_euros(134_000_000.01).map(|c| c.0),
            Ok(13_400_000_001)
        );
        assert!(
            Cents::from_euros(10.005)
                .expect_err("three decimals")
                .0
                .starts_with("10,005")
        );
    }

    fn months(text: &str, year: i16) -> Option<(u8, u8)> {
        months_in_year(FactDate::parse(text).expect(text), year)
    }

    #[test]
    fn every_period_form_spans_its_months_of_a_year() {
        assert_eq!(months("2025-03", 2025), Some((3, 3)));
        assert_eq!(months("2025-Q2", 2025), Some((4, 6)));
        assert_eq!(months("Q2/3 2025", 2025), Some((4, 9)));
        assert_eq!(months("najaar 2025", 2025), Some((9, 11)));
        assert_eq!(months("gedurende 2025", 2025), Some((1, 12)));
        assert_eq!(months("2025", 2025), Some((1, 12)));
        assert_eq!(months("2025-10-09", 2025), Some((10, 10)));
        assert_eq!(months("onbekend", 2025), None);
        assert_eq!(months("2025-Q2", 2026), None);
        // Winter runs into the next year; a range over the year's end is cut at it.
        assert_eq!(months("winter 2025", 2025), Some((12, 12)));
        assert_eq!(months("winter 2025", 2026), Some((1, 2)));
        assert_eq!(months("2025-11/2026-Q1", 2026), Some((1, 3)));
    }

    #[test]
    fn a_period_overlaps_the_months_it_spans_only() {
        let june = |y| (jiff::civil::date(y, 6, 1), jiff::civil::date(y, 6, 30));
        let q23 = FactDate::parse("Q2/3 2025").expect("range");
        let (from, until) = june(2025);
        assert!(q23.overlaps(from, until));
        let (from, until) = june(2026);
        assert!(!q23.overlaps(from, until));
        assert!(!FactDate::Unknown.overlaps(from, until));
    }

    #[test]
    fn codes_read_back() {
        for s in MilestoneStatus::ALL {
            assert_eq!(MilestoneStatus::parse(s.code()), Ok(*s));
        }
        assert!(
            ApplicationState::parse("goedgekeurd")
                .expect_err("unknown")
                .0
                .contains("toegekend")
        );
    }
}
