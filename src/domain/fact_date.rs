use std::cmp::Ordering;
use std::fmt;

use jiff::civil::Date;

use super::{MONTHS, ParseError, Period};

/// When a fact took effect, as precisely as its source says it: a day ("9 oktober 2025"), a
/// month, a quarter, a year, a season ("najaar 2025"), a stretch ("Q2/3 2025", "gedurende
/// 2025") or not at all ("onbekend"). A page shows exactly that precision and never a day the
/// source did not give.
///
/// Its written form (`Display`, stored in the database and written in portfolio files) is one
/// of `2025-10-09`, `2025-10`, `2025-Q4`, `2025`, `najaar 2025`, `gedurende 2025`,
/// `2025-Q2/2025-Q3` (from one of the others to another) and `onbekend`. `parse` also takes
/// the ways people write these in Dutch: "Q2/3 2025", "oktober 2025", "het hele jaar 2025".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactDate {
    /// A day, a month, a quarter or a year.
    In(Period),
    /// A season of a year; winter runs from December into the next year's February.
    Season(i16, Season),
    /// The whole of a year as a stretch of time ("gedurende het hele jaar"), not a moment in it.
    Throughout(i16),
    /// From the start of one period to the end of another.
    Range(Period, Period),
    /// The source gives no date.
    Unknown,
}

/// The Dutch seasons, counted by months (meteorologically): voorjaar is maart–mei, zomer
/// juni–augustus, najaar september–november, winter december–februari.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Season {
    Voorjaar,
    Zomer,
    Najaar,
    Winter,
}

impl Season {
    const ALL: [(Season, &'static str); 4] = [
        (Season::Voorjaar, "voorjaar"),
        (Season::Zomer, "zomer"),
        (Season::Najaar, "najaar"),
        (Season::Winter, "winter"),
    ];

    fn word(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, w)| w)
    }

    fn parse(word: &str) -> Option<Self> {
        let word = match word {
            "lente" => "voorjaar",
            "herfst" => "najaar",
            other => other,
        };
        Self::ALL.iter().find(|(_, w)| *w == word).map(|(s, _)| *s)
    }

    /// The first month of the season.
    fn first_month(self) -> i8 {
        match self {
            Self::Voorjaar => 3,
            Self::Zomer => 6,
            Self::Najaar => 9,
            Self::Winter => 12,
        }
    }
}

const UNKNOWN: &str = "onbekend";

impl FactDate {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let text = value.trim().to_lowercase();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        parse_text(&text).ok_or_else(|| {
            ParseError::new(format!(
                "\"{}\" is geen datum die regiomonitor kent; schrijf een dag (2025-10-09), maand \
                 (2025-10), kwartaal (2025-Q4), jaar (2025), seizoen (najaar 2025), periode \
                 (Q2/3 2025, 2025-03/2025-06, gedurende 2025) of \"onbekend\"",
                value.trim()
            ))
        })
    }

    /// A stored date; one that does not read as a date (never written by regiomonitor) counts
    /// as unknown.
    pub fn from_stored(text: &str) -> Self {
        Self::parse(text).unwrap_or(Self::Unknown)
    }

    /// A day, for the facts that are known to the day.
    pub fn day(date: Date) -> Self {
        Self::In(Period::Day(date))
    }

    pub fn is_known(self) -> bool {
        self != Self::Unknown
    }

    /// The first and last day the fact may have taken effect on; `None` when unknown.
    pub fn interval(self) -> Option<(Date, Date)> {
        match self {
            Self::In(p) => Some((p.start(), p.end())),
            Self::Season(y, s) => {
                let start = Date::new(y, s.first_month(), 1).ok()?;
                let end = start.checked_add(jiff::Span::new().months(2)).ok()?;
                Some((start, end.last_of_month()))
            }
            Self::Throughout(y) => Some((Period::Year(y).start(), Period::Year(y).end())),
            Self::Range(from, to) => Some((from.start(), to.end())),
            Self::Unknown => None,
        }
    }

    /// The last day it may have taken effect on, as stored beside it (`ends_on`); `None` when
    /// unknown.
    pub fn ends_on(self) -> Option<String> {
        self.interval().map(|(_, end)| end.to_string())
    }

    /// The first day, to sort on and to place on a timeline; `None` when unknown.
    pub fn start(self) -> Option<Date> {
        self.interval().map(|(start, _)| start)
    }

    /// Whether the fact may have taken effect within `from ..= until` (both days included).
    /// An unknown date overlaps nothing: a "since" question cannot claim it.
    pub fn overlaps(self, from: Date, until: Date) -> bool {
        self.interval()
            .is_some_and(|(start, end)| start <= until && end >= from)
    }

    /// How a reader sees it: "9 oktober 2025", "oktober 2025", "4e kwartaal 2025", "2025",
    /// "najaar 2025", "gedurende 2025", "2e t/m 3e kwartaal 2025", "datum onbekend".
    pub fn label_nl(self) -> String {
        match self {
            Self::In(p) => p.label_nl(),
            Self::Season(y, s) => format!("{} {y}", s.word()),
            Self::Throughout(y) => format!("gedurende {y}"),
            Self::Range(from, to) => range_label(from, to),
            Self::Unknown => "datum onbekend".to_owned(),
        }
    }
}

fn range_label(from: Period, to: Period) -> String {
    match (from, to) {
        (Period::Quarter(y1, q1), Period::Quarter(y2, q2)) if y1 == y2 => {
            format!("{q1}e t/m {q2}e kwartaal {y1}")
        }
        (Period::Month(y1, m1), Period::Month(y2, m2)) if y1 == y2 => format!(
            "{} t/m {} {y1}",
            MONTHS[usize::from(m1 - 1)],
            MONTHS[usize::from(m2 - 1)]
        ),
        _ => format!("{} t/m {}", from.label_nl(), to.label_nl()),
    }
}

fn parse_text(text: &str) -> Option<FactDate> {
    // "2e t/m 3e kwartaal 2025", "maart t/m juni 2025", "november 2025 t/m 1e kwartaal 2026":
    // the labels regiomonitor shows read back as what they show. Each side is one period
    // (not another range), so a long text of "t/m"s is refused instead of recursed into.
    if let Some((from, to)) = text.split_once(" t/m ")
        && let Some(FactDate::In(to)) = parse_one(to)
    {
        let year = match to {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
            Period::Day(d) => d.year(),
        };
        // The left side may leave out what the right side says: its year, or "kwartaal".
        let from = parse_one(from)
            .or_else(|| parse_one(&format!("{from} {year}")))
            .or_else(|| parse_one(&format!("{from} kwartaal {year}")));
        return match from {
            Some(FactDate::In(from)) => range(from, to),
            _ => None,
        };
    }
    parse_one(text)
}

/// Every form but "... t/m ...".
fn parse_one(text: &str) -> Option<FactDate> {
    if matches!(text, UNKNOWN | "datum onbekend" | "periode onbekend") {
        return Some(FactDate::Unknown);
    }
    if let Ok(p) = Period::parse(text) {
        return Some(FactDate::In(p));
    }
    // "najaar 2025", "najaar van 2025", "gedurende 2025", "gedurende het hele jaar 2025",
    // "oktober 2025", "9 oktober 2025", "Q4 2025", "4e kwartaal 2025".
    if let Some((words, year)) = text.rsplit_once(' ')
        && let Some(year) = year_of(year)
    {
        let words = words.strip_suffix(" van").unwrap_or(words);
        if let Some(season) = Season::parse(words) {
            return Some(FactDate::Season(year, season));
        }
        if matches!(
            words,
            "gedurende" | "gedurende het hele jaar" | "het hele jaar"
        ) {
            return Some(FactDate::Throughout(year));
        }
        if let Some(m) = MONTHS.iter().position(|m| *m == words) {
            return Some(FactDate::In(Period::Month(year, u8::try_from(m + 1).ok()?)));
        }
        if let Some((day, month)) = words.split_once(' ')
            && let Some(m) = MONTHS.iter().position(|m| *m == month)
            && let Ok(day) = day.parse::<i8>()
        {
            let month = i8::try_from(m + 1).ok()?;
            return Date::new(year, month, day).ok().map(FactDate::day);
        }
        if let Some(q) = words
            .strip_prefix('q')
            .and_then(quarter_of)
            .or_else(|| quarter_word(words))
        {
            return Some(FactDate::In(Period::Quarter(year, q)));
        }
        // "q2/3 2025", "q2/q3 2025", "q2-q3 2025"
        if let Some((a, b)) = words.split_once(['/', '-'])
            && let (Some(a), Some(b)) = (quarter_of(a), quarter_of(b))
        {
            return range(Period::Quarter(year, a), Period::Quarter(year, b));
        }
    }
    // "2025-Q2/2025-Q3", "2025-03/2025-06"
    if let Some((a, b)) = text.split_once('/')
        && let (Ok(a), Ok(b)) = (Period::parse(a), Period::parse(b))
    {
        return range(a, b);
    }
    None
}

fn year_of(text: &str) -> Option<i16> {
    match Period::parse(text) {
        Ok(Period::Year(y)) => Some(y),
        _ => None,
    }
}

/// "4e kwartaal" → 4.
fn quarter_word(text: &str) -> Option<u8> {
    let number = text.strip_suffix("e kwartaal")?;
    match number.parse::<u8>() {
        Ok(q @ 1..=4) => Some(q),
        _ => None,
    }
}

fn quarter_of(text: &str) -> Option<u8> {
    let digits = text.strip_prefix('q').unwrap_or(text);
    match digits.parse::<u8>() {
        Ok(q @ 1..=4) => Some(q),
        _ => None,
    }
}

/// A range runs forwards; one from a period to itself is that period.
fn range(from: Period, to: Period) -> Option<FactDate> {
    match from.start().cmp(&to.start()) {
        Ordering::Less => Some(FactDate::Range(from, to)),
        Ordering::Equal if from == to => Some(FactDate::In(from)),
        _ => None,
    }
}

impl fmt::Display for FactDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::In(p) => write!(f, "{p}"),
            Self::Season(y, s) => write!(f, "{} {y}", s.word()),
            Self::Throughout(y) => write!(f, "gedurende {y}"),
            Self::Range(from, to) => write!(f, "{from}/{to}"),
            Self::Unknown => f.write_str(UNKNOWN),
        }
    }
}

/// By first day, then by last day (of two that start on one day, the shorter first); unknown
/// dates last.
impl Ord for FactDate {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.interval(), other.interval()) {
            (Some((s1, e1)), Some((s2, e2))) => s1
                .cmp(&s2)
                .then(e1.cmp(&e2))
                .then_with(|| self.to_string().cmp(&other.to_string())),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
}

impl PartialOrd for FactDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn parsed(text: &str) -> FactDate {
        FactDate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_written_form_round_trips() {
        for text in [
            "2025-10-09",
            "2025-10",
            "2025-Q4",
            "2025",
            "najaar 2025",
            "gedurende 2025",
            "2025-Q2/2025-Q3",
            "2025-03/2025-06",
            "onbekend",
        ] {
            assert_eq!(parsed(text).to_string(), text);
        }
    }

    #[test]
    fn the_ways_the_documents_write_periods_are_understood() {
        assert_eq!(
            parsed("Q2/3 2025"),
            FactDate::Range(Period::Quarter(2025, 2), Period::Quarter(2025, 3))
        );
        assert_eq!(
            parsed("Najaar  2025"),
            FactDate::Season(2025, Season::Najaar)
        );
        assert_eq!(
            parsed("herfst 2025"),
            FactDate::Season(2025, Season::Najaar)
        );
        assert_eq!(
            parsed("gedurende het hele jaar 2025"),
            FactDate::Throughout(2025)
        );
        assert_eq!(
            parsed("oktober 2025"),
            FactDate::In(Period::Month(2025, 10))
        );
        assert_eq!(parsed("periode onbekend"), FactDate::Unknown);
    }

    #[test]
    fn the_dutch_forms_of_the_documents_and_every_label_read_back() {
        assert_eq!(parsed("Q1 2025"), FactDate::In(Period::Quarter(2025, 1)));
        assert_eq!(
            parsed("4e kwartaal 2025"),
            FactDate::In(Period::Quarter(2025, 4))
        );
        assert_eq!(
            parsed("najaar van 2025"),
            FactDate::Season(2025, Season::Najaar)
        );
        assert_eq!(parsed("9 oktober 2025"), FactDate::day(date(2025, 10, 9)));
        for written in [
            "2025-10-09",
            "2025-10",
            "2025-Q4",
            "2025",
            "najaar 2025",
            "winter 2025",
            "gedurende 2025",
            "2025-Q2/2025-Q3",
            "2025-03/2025-06",
            "2025-11/2026-Q1",
            "2025-09-05/2025-10-09",
            "onbekend",
        ] {
            let fact = parsed(written);
            assert_eq!(
                parsed(&fact.label_nl()),
                fact,
                "{written} as {}",
                fact.label_nl()
            );
        }
    }

    #[test]
    fn a_backwards_or_impossible_period_is_refused_with_the_forms_to_use() {
        for bad in [
            "Q3/2 2025",
            "2025-Q3/2025-Q1",
            "lente",
            "13-2025",
            "ooit",
            "",
        ] {
            let err = FactDate::parse(bad).expect_err(bad);
            assert!(err.0.contains("najaar 2025"), "{err}");
        }
    }

    #[test]
    fn a_chain_of_ranges_is_refused_however_long() {
        assert!(FactDate::parse("2025 t/m 2026 t/m 2027").is_err());
        // Once read by recursing into the right side, which overflowed the stack.
        let long = format!("{}2025", "2025 t/m ".repeat(100_000));
        assert!(FactDate::parse(&long).is_err());
    }

    #[test]
    fn each_precision_reads_as_dutch_words_without_a_made_up_day() {
        assert_eq!(parsed("2025-10-09").label_nl(), "9 oktober 2025");
        assert_eq!(parsed("2023").label_nl(), "2023");
        assert_eq!(parsed("2025-Q4").label_nl(), "4e kwartaal 2025");
        assert_eq!(parsed("Q2/3 2025").label_nl(), "2e t/m 3e kwartaal 2025");
        assert_eq!(parsed("2025-03/2025-06").label_nl(), "maart t/m juni 2025");
        assert_eq!(
            parsed("2025-11/2026-Q1").label_nl(),
            "november 2025 t/m 1e kwartaal 2026"
        );
        assert_eq!(parsed("najaar 2025").label_nl(), "najaar 2025");
        assert_eq!(parsed("onbekend").label_nl(), "datum onbekend");
    }

    #[test]
    fn a_season_covers_its_three_months_and_winter_crosses_the_year() {
        assert_eq!(
            parsed("najaar 2025").interval(),
            Some((date(2025, 9, 1), date(2025, 11, 30)))
        );
        assert_eq!(
            parsed("winter 2025").interval(),
            Some((date(2025, 12, 1), date(2026, 2, 28)))
        );
    }

    #[test]
    fn overlap_follows_the_whole_interval_and_unknown_overlaps_nothing() {
        let since_bbo = (date(2025, 10, 9), date(2025, 12, 31));
        assert!(parsed("2025-Q4").overlaps(since_bbo.0, since_bbo.1));
        assert!(parsed("najaar 2025").overlaps(since_bbo.0, since_bbo.1));
        assert!(parsed("2025").overlaps(since_bbo.0, since_bbo.1));
        assert!(!parsed("2025-10-08").overlaps(since_bbo.0, since_bbo.1));
        assert!(!parsed("2026-Q1").overlaps(since_bbo.0, since_bbo.1));
        assert!(!FactDate::Unknown.overlaps(date(1900, 1, 1), date(2200, 1, 1)));
    }

    #[test]
    fn dates_sort_by_start_then_precision_with_unknown_last() {
        let mut dates: Vec<FactDate> = ["onbekend", "2025-Q4", "2025", "2025-10-09", "2025-10"]
            .into_iter()
            .map(parsed)
            .collect();
        dates.sort();
        let written: Vec<String> = dates.iter().map(ToString::to_string).collect();
        assert_eq!(
            written,
            ["2025", "2025-10", "2025-Q4", "2025-10-09", "onbekend"]
        );
    }
}
