//! Monitoring words: KPI's (indicatoren) with a direction and targets, the status a
//! measurement gives them, follow-up actions and the escalation ladder of the governance.
//!
//! The status rule lives here, without I/O, so every page, the API and the tests derive it
//! the same way.

use super::ParseError;
use super::Period;
use super::codes::code_list;

code_list!(
    /// Regioplan: KPI's "op resultaat en inspanning".
    IndicatorKind, "soort KPI", {
        Result => "resultaat", "Resultaat";
        Effort => "inspanning", "Inspanning";
    }
);

code_list!(
    /// A number against a target, or a narrative ("de beleving van inwoners") judged by people.
    Measure, "meetwijze", {
        Quantitative => "kwantitatief", "Kwantitatief (een getal)";
        Narrative => "narratief", "Narratief (een beschrijving)";
    }
);

code_list!(
    Direction, "richting", {
        Higher => "hoger", "Hoger is beter";
        Lower => "lager", "Lager is beter";
    }
);

code_list!(
    /// How often a KPI is measured; an observation's period must be of this length.
    Frequency, "meetfrequentie", {
        Month => "maand", "Per maand";
        Quarter => "kwartaal", "Per kwartaal";
        Year => "jaar", "Per jaar";
    }
);

impl Frequency {
    /// Whether a period has the length this frequency asks for.
    pub fn accepts(self, period: Period) -> bool {
        matches!(
            (self, period),
            (Self::Month, Period::Month(..))
                | (Self::Quarter, Period::Quarter(..))
                | (Self::Year, Period::Year(..))
        )
    }

    /// An example period, for messages.
    pub fn example(self) -> &'static str {
        match self {
            Self::Month => "2026-03",
            Self::Quarter => "2026-Q1",
            Self::Year => "2026",
        }
    }

    /// The period of this frequency that holds `date`: the month, quarter or year it falls in.
    pub fn period_of(self, date: jiff::civil::Date) -> Period {
        let month = u8::try_from(date.month()).unwrap_or(1);
        match self {
            Self::Month => Period::Month(date.year(), month),
            Self::Quarter => Period::Quarter(date.year(), (month - 1) / 3 + 1),
            Self::Year => Period::Year(date.year()),
        }
    }
}

code_list!(
    /// The kind of area a KPI's observations are about.
    AreaLevel, "meetniveau", {
        Gemeente => "gemeente", "Per gemeente";
        Subregion => "subregio", "Per subregio";
        Region => "regio", "Voor de hele regio";
    }
);

/// What an observation must fit: the measurement level and the frequency of its KPI. The one
/// check of the form, the API and the CSV import, which each put its message at their own
/// field, key or line.
#[derive(Debug, Clone, Copy)]
pub struct ObservationFit<'a> {
    /// The KPI's name, as messages name it.
    pub kpi: &'a str,
    pub level: AreaLevel,
    pub frequency: Frequency,
}

impl ObservationFit<'_> {
    /// Refuses an area that is not of the KPI's level; `kind` is the area's kind as stored
    /// (`gemeente`, `subregio`, `regio` or `wijk`: no KPI is measured per wijk).
    pub fn area(&self, name: &str, kind: &str) -> Result<(), ParseError> {
        if AreaLevel::parse(kind).ok() == Some(self.level) {
            return Ok(());
        }
        Err(ParseError::new(format!(
            "{name} is een {kind}, maar \"{}\" wordt gemeten {}; kies een gebied van dat niveau",
            self.kpi,
            self.level.label().to_lowercase()
        )))
    }

    /// Refuses a period that is not of the KPI's frequency (a month for a quarterly KPI).
    pub fn period(&self, period: Period) -> Result<(), ParseError> {
        if self.frequency.accepts(period) {
            return Ok(());
        }
        Err(ParseError::new(format!(
            "\"{}\" wordt {} gemeten; schrijf de periode zoals {}",
            self.kpi,
            self.frequency.label().to_lowercase(),
            self.frequency.example()
        )))
    }
}

code_list!(
    /// Where a KPI stands in an area. Derived from the latest observation for numbers; given
    /// by people for narrative KPI's.
    IndicatorStatus, "KPI-status", {
        OnTrack => "op-koers", "Op koers";
        Behind => "achter", "Achter";
        Missed => "niet-gehaald", "Niet gehaald";
        NoData => "geen-data", "Geen data";
    }
);

impl IndicatorStatus {
    /// Shown next to the word, so the status never depends on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::OnTrack => "✔",
            Self::Behind => "▲",
            Self::Missed => "✖",
            Self::NoData => "?",
        }
    }

    /// A status people may give a narrative KPI ("geen data" follows from having none).
    pub const JUDGED: &'static [Self] = &[Self::OnTrack, Self::Behind, Self::Missed];

    /// Accepts the code or the words as people write them in a sheet ("Op koers").
    pub fn parse_loose(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase().replace(' ', "-");
        Self::parse(&v)
    }

    /// This status asks for a follow-up action (regioplan: "in het geval een KPI niet
    /// gehaald wordt").
    pub fn needs_action(self) -> bool {
        self == Self::Missed
    }
}

code_list!(
    ActionStatus, "status van de actie", {
        Open => "open", "Open";
        InProgress => "bezig", "Bezig";
        Done => "afgerond", "Afgerond";
        Dropped => "vervallen", "Vervallen";
    }
);

impl ActionStatus {
    /// Still to be done: counts for overdue flags and the bodies' lists.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

code_list!(
    /// The kinds of body on ZOU's ladder (jaarplan: werkgroep, kernteam, regiegroep as
    /// "escalatieplatform", BBO for decisions). The ladders themselves are data
    /// (`bodies.escalates_to`); the kind orders the rungs of actions stored before that.
    EscalationLevel, "overlegniveau", {
        Workgroup => "werkgroep", "Werkgroep";
        CoreTeam => "kernteam", "Kernteam";
        SteeringGroup => "regiegroep", "Regiegroep";
        Board => "bbo", "Breed Bestuurlijk Overleg";
    }
);

impl EscalationLevel {
    /// The rungs above this one, nearest first.
    pub fn above(self) -> &'static [Self] {
        let i = Self::ALL.iter().position(|l| *l == self).unwrap_or(0);
        &Self::ALL[i + 1..]
    }
}

/// What a quantitative KPI aims at.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    pub direction: Direction,
    /// The nulmeting: value and the period it was measured in.
    pub baseline: Option<(Period, f64)>,
    /// The final target and the period it is due in.
    pub target: Option<(Period, f64)>,
    /// Intermediate targets (tussendoelen), any order.
    pub milestones: Vec<(Period, f64)>,
}

/// A status with the reason in words, so a reader can check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub status: IndicatorStatus,
    pub reason: String,
}

impl Assessment {
    fn new(status: IndicatorStatus, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }
}

impl Targets {
    fn reached(&self, value: f64, target: f64) -> bool {
        match self.direction {
            Direction::Higher => value >= target,
            Direction::Lower => value <= target,
        }
    }
}

/// The status of a quantitative KPI in one area, from its latest observation.
///
/// - no observation: geen data;
/// - the final target reached: op koers (whatever the date);
/// - the target's period over and not reached: niet gehaald;
/// - otherwise the latest tussendoel that is due decides (achter when missed);
/// - without a due tussendoel, the straight line from nulmeting to target: a value on the
///   wrong side of the line is achter;
/// - without nulmeting or tussendoel there is nothing to measure progress against yet, so a
///   value before the due date is op koers.
pub fn assess(targets: &Targets, latest: Option<(Period, f64)>) -> Assessment {
    let Some((period, value)) = latest else {
        return Assessment::new(IndicatorStatus::NoData, "Er is nog geen meting.");
    };
    let Some((due, target)) = targets.target else {
        return Assessment::new(
            IndicatorStatus::NoData,
            "Er is geen streefwaarde, dus geen oordeel.",
        );
    };
    let at = period.label_nl();
    let measured = format_number_nl(value);
    if targets.reached(value, target) {
        return Assessment::new(
            IndicatorStatus::OnTrack,
            format!(
                "De streefwaarde {} is gehaald: {measured} in {at}.",
                format_number_nl(target)
            ),
        );
    }
    if period.end() >= due.end() {
        return Assessment::new(
            IndicatorStatus::Missed,
            format!(
                "De streefwaarde {} voor {} is niet gehaald: {measured} in {at}.",
                format_number_nl(target),
                due.label_nl()
            ),
        );
    }
    let milestone = targets
        .milestones
        .iter()
        .filter(|(p, _)| p.end() <= period.end())
        .max_by_key(|(p, _)| p.end());
    if let Some((p, goal)) = milestone {
        return if targets.reached(value, *goal) {
            Assessment::new(
                IndicatorStatus::OnTrack,
                format!(
                    "Het tussendoel {} voor {} is gehaald: {measured} in {at}.",
                    format_number_nl(*goal),
                    p.label_nl()
                ),
            )
        } else {
            Assessment::new(
                IndicatorStatus::Behind,
                format!(
                    "Het tussendoel {} voor {} is niet gehaald: {measured} in {at}.",
                    format_number_nl(*goal),
                    p.label_nl()
                ),
            )
        };
    }
    if let Some((from, start)) = targets.baseline.filter(|(p, _)| p.end() < due.end()) {
        let span = (due.end() - from.end()).get_days();
        let gone = (period.end() - from.end()).get_days().clamp(0, span);
        let share = f64::from(gone) / f64::from(span.max(1));
        let expected = start + (target - start) * share;
        return if targets.reached(value, expected) {
            Assessment::new(
                IndicatorStatus::OnTrack,
                format!(
                    "Op weg naar {} in {}: {measured} in {at}, de lijn vanaf de nulmeting vraagt daar {}.",
                    format_number_nl(target),
                    due.label_nl(),
                    format_number_nl(expected)
                ),
            )
        } else {
            Assessment::new(
                IndicatorStatus::Behind,
                format!(
                    "Achter op de lijn van nulmeting naar streefwaarde: {measured} in {at}, daar hoort {} bij.",
                    format_number_nl(expected)
                ),
            )
        };
    }
    Assessment::new(
        IndicatorStatus::OnTrack,
        format!(
            "Nog niet gehaald ({measured} in {at}), maar de streefdatum {} is nog niet bereikt; zonder nulmeting of tussendoel is de voortgang niet verder te beoordelen.",
            due.label_nl()
        ),
    )
}

/// The latest observation of a KPI in one area, as the status rule reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    /// The period as stored, for a period the rule cannot read.
    pub period_text: String,
    pub period: Option<Period>,
    pub value: Option<f64>,
    /// The status a person gave a narrative KPI's description.
    pub judged: Option<IndicatorStatus>,
}

impl Latest {
    fn period_nl(&self) -> String {
        self.period
            .map_or_else(|| self.period_text.clone(), |p| p.label_nl())
    }
}

/// Where a KPI stands in one area: for a narrative KPI as a person judged its latest
/// description; for a quantitative one by [`assess`] from its targets, when it has them.
pub fn assess_kpi(
    narrative: bool,
    targets: Option<&Targets>,
    latest: Option<&Latest>,
) -> Assessment {
    if narrative {
        return match latest {
            None => Assessment::new(
                IndicatorStatus::NoData,
                "Er is nog geen beschrijving opgehaald.",
            ),
            Some(l) => match l.judged {
                None => Assessment::new(
                    IndicatorStatus::NoData,
                    format!(
                        "De beschrijving over {} is nog niet beoordeeld.",
                        l.period_nl()
                    ),
                ),
                Some(s) => Assessment::new(
                    s,
                    format!(
                        "Beoordeeld als \"{}\" over {}.",
                        s.label().to_lowercase(),
                        l.period_nl()
                    ),
                ),
            },
        };
    }
    let Some(targets) = targets else {
        return Assessment::new(
            IndicatorStatus::NoData,
            "Er is geen richting of streefwaarde vastgelegd, dus geen oordeel.",
        );
    };
    assess(targets, latest.and_then(|l| Some((l.period?, l.value?))))
}

/// A number as Dutch readers write it: decimal comma, at most two decimals, no trailing zeros.
pub fn format_number_nl(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if text == "-0" { "0" } else { text };
    text.replace('.', ",")
}

/// The largest size of a value the monitor takes: a thousand billion (10^12). Far above any
/// count, percentage, duration or amount in euro of the region, and small enough that the
/// charts and the two decimals the pages show stay exact.
pub const MAX_VALUE: f64 = 1e12;

fn out_of_range(shown: &str) -> ParseError {
    ParseError::new(format!(
        "{shown} ligt buiten het bereik van de monitor; een waarde ligt tussen -1.000.000.000.000 en 1.000.000.000.000 (10^12)"
    ))
}

/// Refuses a value that is not a finite number or is larger in size than [`MAX_VALUE`]: the
/// check of every number that comes in as a number (the API's JSON, a portfolio file), and of
/// [`parse_number`].
pub fn check_value(value: f64) -> Result<f64, ParseError> {
    if !value.is_finite() {
        return Err(ParseError::new(format!(
            "{value} is geen getal; schrijf een getal zoals 12,5"
        )));
    }
    if value.abs() > MAX_VALUE {
        return Err(out_of_range(&format!("{value:e}").replace('.', ",")));
    }
    Ok(value)
}

/// Reads a measured value: `12.5`, `12,5`, `-7`, optionally followed by `%`. Thousands
/// separators are refused, because `1.250` could mean either; so is a value beyond
/// [`MAX_VALUE`].
pub fn parse_number(value: &str) -> Result<f64, ParseError> {
    let v = value.trim();
    let v = v.strip_suffix('%').map_or(v, str::trim_end);
    let refuse = || {
        ParseError::new(format!(
            "\"{}\" is geen getal; schrijf een getal zoals 12,5 of 12.5 (zonder duizendtalpunt)",
            value.trim()
        ))
    };
    let separators = v.matches([',', '.']).count();
    if v.is_empty() || separators > 1 {
        return Err(refuse());
    }
    let normal = v.replace(',', ".");
    let digits = normal.strip_prefix('-').unwrap_or(&normal);
    let well_formed = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !digits.starts_with('.')
        && !digits.ends_with('.');
    if !well_formed {
        return Err(refuse());
    }
    let number = normal.parse::<f64>().map_err(|_| refuse())?;
    if !number.is_finite() || number.abs() > MAX_VALUE {
        return Err(out_of_range(value.trim()));
    }
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Period {
        Period::parse(text).expect("period")
    }

    fn higher(target: f64, due: &str) -> Targets {
        Targets {
            direction: Direction::Higher,
            baseline: None,
            target: Some((p(due), target)),
            milestones: Vec::new(),
        }
    }

    #[test]
    fn without_an_observation_there_is_no_data() {
        let a = assess(&higher(65.0, "2026"), None);
        assert_eq!(a.status, IndicatorStatus::NoData);
    }

    #[test]
    fn without_a_target_there_is_no_judgement() {
        let t = Targets {
            target: None,
            ..higher(65.0, "2026")
        };
        assert_eq!(
            assess(&t, Some((p("2025-Q1"), 10.0))).status,
            IndicatorStatus::NoData
        );
    }

    #[test]
    fn a_target_already_met_is_on_track_even_before_its_date() {
        let a = assess(&higher(65.0, "2026"), Some((p("2024-Q2"), 70.0)));
        assert_eq!(a.status, IndicatorStatus::OnTrack);
        assert!(a.reason.contains("gehaald"), "{}", a.reason);
    }

    #[test]
    fn exactly_the_target_counts_as_met() {
        let a = assess(&higher(65.0, "2026"), Some((p("2026-Q4"), 65.0)));
        assert_eq!(a.status, IndicatorStatus::OnTrack);
    }

    #[test]
    fn a_target_not_met_by_its_period_is_missed() {
        let a = assess(&higher(65.0, "2026"), Some((p("2026-Q4"), 60.0)));
        assert_eq!(a.status, IndicatorStatus::Missed);
        assert_eq!(
            a.reason,
            "De streefwaarde 65 voor 2026 is niet gehaald: 60 in 4e kwartaal 2026."
        );
    }

    #[test]
    fn an_observation_early_in_the_target_year_is_not_yet_missed() {
        let a = assess(&higher(65.0, "2026"), Some((p("2026-Q1"), 60.0)));
        assert_ne!(a.status, IndicatorStatus::Missed);
    }

    #[test]
    fn lower_is_better_turns_the_comparison_around() {
        let t = Targets {
            direction: Direction::Lower,
            ..higher(-7.0, "2026")
        };
        assert_eq!(
            assess(&t, Some((p("2026"), -8.0))).status,
            IndicatorStatus::OnTrack
        );
        assert_eq!(
            assess(&t, Some((p("2026"), -3.0))).status,
            IndicatorStatus::Missed
        );
    }

    #[test]
    fn without_baseline_or_milestone_a_value_before_the_date_is_on_track() {
        let a = assess(&higher(65.0, "2026"), Some((p("2025-Q1"), 20.0)));
        assert_eq!(a.status, IndicatorStatus::OnTrack);
        assert!(a.reason.contains("nulmeting"), "{}", a.reason);
    }

    #[test]
    fn with_a_baseline_a_value_below_the_straight_line_is_behind() {
        let t = Targets {
            baseline: Some((p("2024"), 40.0)),
            ..higher(60.0, "2026")
        };
        // Halfway (end of 2025) the line asks about 50.
        assert_eq!(
            assess(&t, Some((p("2025"), 45.0))).status,
            IndicatorStatus::Behind
        );
        assert_eq!(
            assess(&t, Some((p("2025"), 52.0))).status,
            IndicatorStatus::OnTrack
        );
    }

    #[test]
    fn a_due_milestone_decides_over_the_straight_line() {
        let t = Targets {
            baseline: Some((p("2024"), 40.0)),
            milestones: vec![(p("2025-Q2"), 55.0), (p("2025-Q4"), 58.0)],
            ..higher(60.0, "2026")
        };
        let a = assess(&t, Some((p("2025-Q3"), 52.0)));
        assert_eq!(a.status, IndicatorStatus::Behind);
        assert!(a.reason.contains("55"), "{}", a.reason);
        assert_eq!(
            assess(&t, Some((p("2025-Q3"), 56.0))).status,
            IndicatorStatus::OnTrack
        );
    }

    #[test]
    fn only_the_latest_observation_counts_even_with_periods_missing_before_it() {
        // The caller passes the latest one; earlier gaps do not matter for the status.
        let a = assess(&higher(65.0, "2026"), Some((p("2026-Q4"), 66.0)));
        assert_eq!(a.status, IndicatorStatus::OnTrack);
    }

    #[test]
    fn frequencies_accept_only_periods_of_their_length() {
        assert!(Frequency::Quarter.accepts(p("2026-Q1")));
        assert!(!Frequency::Quarter.accepts(p("2026-03")));
        assert!(!Frequency::Year.accepts(p("2026-Q1")));
        assert!(Frequency::Month.accepts(p("2026-03")));
    }

    #[test]
    fn numbers_are_read_with_a_comma_or_a_point() {
        assert_eq!(parse_number("12,5"), Ok(12.5));
        assert_eq!(parse_number(" 12.5 "), Ok(12.5));
        assert_eq!(parse_number("-7"), Ok(-7.0));
        assert_eq!(parse_number("65%"), Ok(65.0));
    }

    #[test]
    fn text_and_thousands_separators_are_refused_with_an_example() {
        for bad in ["veel", "1.234,5", "", "12,", "--3", "1e5"] {
            let err = parse_number(bad).expect_err(bad);
            assert!(err.0.contains("12,5"), "{err}");
        }
    }

    #[test]
    fn a_number_beyond_a_thousand_billion_is_refused_with_the_range() {
        assert_eq!(parse_number("1000000000000"), Ok(1e12));
        assert_eq!(parse_number("-1000000000000"), Ok(-1e12));
        let long = format!("1{}", "0".repeat(400));
        for bad in ["1000000000001", "-1000000000001", long.as_str()] {
            let err = parse_number(bad).expect_err(bad);
            assert!(err.0.contains("1.000.000.000.000 (10^12)"), "{err}");
        }
        for bad in [1.7e308, -1.7e308, f64::MAX, 1e12 + 1.0] {
            let err = check_value(bad).expect_err("out of range");
            assert!(err.0.contains("buiten het bereik"), "{err}");
        }
        assert_eq!(check_value(-1e12), Ok(-1e12));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = check_value(bad).expect_err("not a number");
            assert!(err.0.contains("geen getal"), "{err}");
        }
    }

    #[test]
    fn an_observation_fits_a_kpi_only_at_its_level_and_frequency() {
        let fit = ObservationFit {
            kpi: "Consultduur",
            level: AreaLevel::Gemeente,
            frequency: Frequency::Quarter,
        };
        assert_eq!(fit.area("Zeist", "gemeente"), Ok(()));
        for (name, kind) in [
            ("Zuidoost Utrecht", "subregio"),
            ("Midden", "regio"),
            ("Zeist-West", "wijk"),
        ] {
            let err = fit.area(name, kind).expect_err(kind);
            assert!(
                err.0.starts_with(&format!(
                    "{name} is een {kind}, maar \"Consultduur\" wordt gemeten per gemeente"
                )),
                "{err}"
            );
        }
        assert_eq!(fit.period(p("2026-Q1")), Ok(()));
        let err = fit.period(p("2026-03")).expect_err("a month");
        assert!(
            err.0.contains("per kwartaal gemeten") && err.0.contains("2026-Q1"),
            "{err}"
        );
    }

    #[test]
    fn the_period_of_a_frequency_holds_the_day() {
        let day = jiff::civil::date(2025, 8, 14);
        assert_eq!(Frequency::Month.period_of(day), p("2025-08"));
        assert_eq!(Frequency::Quarter.period_of(day), p("2025-Q3"));
        assert_eq!(Frequency::Year.period_of(day), p("2025"));
        assert_eq!(
            Frequency::Quarter.period_of(jiff::civil::date(2025, 12, 31)),
            p("2025-Q4")
        );
    }

    #[test]
    fn numbers_are_written_with_a_decimal_comma() {
        assert_eq!(format_number_nl(12.5), "12,5");
        assert_eq!(format_number_nl(65.0), "65");
        assert_eq!(format_number_nl(-7.126), "-7,13");
        assert_eq!(format_number_nl(-0.001), "0");
    }

    #[test]
    fn escalation_goes_up_the_ladder() {
        assert_eq!(
            EscalationLevel::Workgroup.above(),
            &[
                EscalationLevel::CoreTeam,
                EscalationLevel::SteeringGroup,
                EscalationLevel::Board
            ]
        );
        assert!(EscalationLevel::Board.above().is_empty());
    }

    #[test]
    fn a_judged_status_is_read_as_people_write_it() {
        assert_eq!(
            IndicatorStatus::parse_loose("Niet gehaald"),
            Ok(IndicatorStatus::Missed)
        );
    }

    #[test]
    fn a_narrative_kpi_stands_as_judged_and_a_kpi_without_targets_has_no_status() {
        let latest = |judged| Latest {
            period_text: "2026-Q3".into(),
            period: Some(Period::Quarter(2026, 3)),
            value: None,
            judged,
        };
        let judged = assess_kpi(true, None, Some(&latest(Some(IndicatorStatus::Behind))));
        assert_eq!(judged.status, IndicatorStatus::Behind);
        assert!(judged.reason.contains("achter"), "{}", judged.reason);
        let unjudged = assess_kpi(true, None, Some(&latest(None)));
        assert_eq!(unjudged.status, IndicatorStatus::NoData);
        assert!(unjudged.reason.contains("nog niet beoordeeld"));
        assert_eq!(assess_kpi(true, None, None).status, IndicatorStatus::NoData);
        let mut measured = latest(None);
        measured.value = Some(70.0);
        assert_eq!(
            assess_kpi(false, None, Some(&measured)).status,
            IndicatorStatus::NoData
        );
    }
}
