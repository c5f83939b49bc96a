use std::fmt;

use jiff::civil::Date;

use super::ParseError;

/// A stretch of time a milestone or measurement belongs to: a year (`2026`), a quarter
/// (`2026-Q1`), a month (`2026-03`) or a day (`2026-03-15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i16),
    Quarter(i16, u8),
    Month(i16, u8),
    Day(Date),
}

impl Period {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let value = value.trim();
        let refuse = || {
            ParseError::new(format!(
                "\"{value}\" is geen geldige periode; schrijf een jaar (2026), kwartaal (2026-Q1), maand (2026-03) of datum (2026-03-15)"
            ))
        };
        let year = |s: &str| -> Result<i16, ParseError> {
            match s.parse::<i16>() {
                Ok(y) if s.len() == 4 && (1900..=2200).contains(&y) => Ok(y),
                _ => Err(refuse()),
            }
        };
        match value.len() {
            4 => Ok(Self::Year(year(value)?)),
            7 => {
                // Four bytes need not end a character ("202€-Q1" is 7 bytes too).
                let (Some(y), Some(rest)) = (value.get(..4), value.get(4..)) else {
                    return Err(refuse());
                };
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix("-Q").or_else(|| rest.strip_prefix("-q")) {
                    match q.parse::<u8>() {
                        Ok(q @ 1..=4) => Ok(Self::Quarter(y, q)),
                        _ => Err(refuse()),
                    }
                } else if let Some(m) = rest.strip_prefix('-') {
                    match m.parse::<u8>() {
                        Ok(m @ 1..=12) if m_is_two_digits(rest) => Ok(Self::Month(y, m)),
                        _ => Err(refuse()),
                    }
                } else {
                    Err(refuse())
                }
            }
            // The same years as the other forms, so that every period reads back from its label.
            10 => match value.parse::<Date>() {
                Ok(d) if year(value.get(..4).unwrap_or_default()).is_ok() => Ok(Self::Day(d)),
                _ => Err(refuse()),
            },
            _ => Err(refuse()),
        }
    }

    /// The first day of the period, to sort and place it on a timeline.
    pub fn start(self) -> Date {
        let first =
            |y: i16, m: u8| Date::new(y, i8::try_from(m).unwrap_or(1), 1).unwrap_or(Date::MIN);
        match self {
            Self::Year(y) => first(y, 1),
            Self::Quarter(y, q) => first(y, (q - 1) * 3 + 1),
            Self::Month(y, m) => first(y, m),
            Self::Day(d) => d,
        }
    }

    /// The last day of the period: a target "by 2026" is due on 31 December 2026.
    pub fn end(self) -> Date {
        match self {
            Self::Year(y) => Date::new(y, 12, 31).unwrap_or(Date::MAX),
            Self::Quarter(y, q) => {
                let month = i8::try_from(q * 3).unwrap_or(12);
                Date::new(y, month, 1).map_or(Date::MAX, |d| d.last_of_month())
            }
            Self::Month(y, m) => Date::new(y, i8::try_from(m).unwrap_or(12), 1)
                .map_or(Date::MAX, |d| d.last_of_month()),
            Self::Day(d) => d,
        }
    }

    /// How a reader sees it: "maart 2025", "2e kwartaal 2025".
    pub fn label_nl(self) -> String {
        match self {
            Self::Year(y) => y.to_string(),
            Self::Quarter(y, q) => format!("{q}e kwartaal {y}"),
            Self::Month(y, m) => format!("{} {y}", super::MONTHS[usize::from(m - 1)]),
            Self::Day(d) => super::format_date_nl(d),
        }
    }
}

fn m_is_two_digits(rest: &str) -> bool {
    rest.len() == 3 && rest[1..].chars().all(|c| c.is_ascii_digit())
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
            Self::Day(d) => write!(f, "{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_round_trip_through_their_written_form() {
        for text in ["2026", "2026-Q1", "2025-03", "2025-10-09"] {
            assert_eq!(
                Period::parse(text).map(|p| p.to_string()),
                Ok(text.to_owned())
            );
        }
    }

    #[test]
    fn a_lowercase_quarter_is_accepted() {
        assert_eq!(Period::parse("2026-q4"), Ok(Period::Quarter(2026, 4)));
    }

    #[test]
    fn impossible_quarters_months_and_days_are_refused() {
        for bad in [
            "2026-Q5",
            "2026-Q0",
            "2026-13",
            "2026-00",
            "2026-02-30",
            "26-Q1",
            "Q1 2026",
            "202€-Q",
            "!a\u{10000}0",
            "9999-12-31",
            "0001-01-01",
            "",
        ] {
            let err = Period::parse(bad).expect_err(bad);
            assert!(err.0.contains("2026-Q1"), "{err}");
        }
    }

    #[test]
    fn a_quarter_starts_on_the_first_day_of_its_first_month() {
        assert_eq!(
            Period::Quarter(2025, 3).start(),
            jiff::civil::date(2025, 7, 1)
        );
    }

    #[test]
    fn a_period_ends_on_its_last_day() {
        assert_eq!(Period::Year(2026).end(), jiff::civil::date(2026, 12, 31));
        assert_eq!(
            Period::Quarter(2026, 1).end(),
            jiff::civil::date(2026, 3, 31)
        );
        assert_eq!(Period::Month(2024, 2).end(), jiff::civil::date(2024, 2, 29));
    }

    #[test]
    fn periods_read_as_dutch_words() {
        assert_eq!(Period::Month(2025, 3).label_nl(), "maart 2025");
        assert_eq!(Period::Quarter(2025, 2).label_nl(), "2e kwartaal 2025");
    }
}
