//! Observations in long format (one value per line): `indicator,gebied,periode,waarde,bron`,
//! as exported from CBS, Vektis or a GGD sheet. Every line is checked against the KPI's and
//! areas of the store before anything is stored, and every problem names its line and column.
//!
//! The check runs over a reader, so a file of millions of lines is read twice (once to check,
//! once to store) instead of being held in memory.

use crate::store::write_path::TextKind;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use super::lines::LineBreaks;
use crate::domain::{
    AreaLevel, Frequency, IndicatorStatus, Measure, ObservationFit, ParseError, Period,
    parse_number,
};
use crate::features::areas::model::AreaRow;
use crate::features::indicators::model::IndicatorRow;
use crate::features::observations::model::NewObservation;
use crate::store::{Refusal, StoreError};

/// At most this many problems are kept; the rest are counted.
const MAX_PROBLEMS: usize = 500;

/// One problem on one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The column it is about, as named in the header; `None` for the line as a whole.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "regel {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", kolom {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What a check found: the lines that would be stored, per KPI, or the problems.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: usize,
    pub problems: Vec<RowProblem>,
    /// Problems beyond [`MAX_PROBLEMS`], counted only.
    pub more_problems: usize,
    /// Per KPI id: (lines, earliest period, latest period), in order of first appearance.
    pub per_indicator: Vec<(String, usize, Period, Period)>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty() && self.more_problems == 0
    }

    pub fn problem_count(&self) -> usize {
        self.problems.len() + self.more_problems
    }

    fn problem(&mut self, line: u64, column: Option<&str>, message: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(RowProblem {
                line,
                column: column.map(str::to_owned),
                message: message.into(),
            });
        } else {
            self.more_problems += 1;
        }
    }
}

struct KnownIndicator {
    id: String,
    name: String,
    measure: Measure,
    frequency: Frequency,
    level: AreaLevel,
    /// The person importing may enter values for it.
    allowed: bool,
    index: u32,
}

impl KnownIndicator {
    fn fit(&self) -> ObservationFit<'_> {
        ObservationFit {
            kpi: &self.name,
            level: self.level,
            frequency: self.frequency,
        }
    }
}

struct KnownArea {
    id: String,
    name: String,
    level: AreaLevel,
    index: u32,
}

/// The KPI's and areas the lines may name, and who is importing.
pub struct Context {
    indicators: HashMap<String, KnownIndicator>,
    areas: HashMap<String, KnownArea>,
    /// (indicator index, area index, period key) already in the store.
    existing: HashSet<(u32, u32, u32)>,
    /// Mark every line as an example value (the demo's own data).
    pub examples: bool,
}

impl Context {
    /// `allowed` says per KPI whether the importing account may enter its values.
    pub fn new(
        indicators: &[IndicatorRow],
        areas: &[AreaRow],
        allowed: impl Fn(&IndicatorRow) -> bool,
    ) -> Self {
        let mut known = HashMap::new();
        for (i, row) in indicators.iter().enumerate() {
            known.insert(
                row.id.to_lowercase(),
                KnownIndicator {
                    id: row.id.clone(),
                    name: row.name.clone(),
                    measure: row.measure(),
                    frequency: row.frequency(),
                    level: row.area_level(),
                    allowed: allowed(row),
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                },
            );
        }
        let mut by_key = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            let level = match a.kind.as_str() {
                "gemeente" => AreaLevel::Gemeente,
                "subregio" => AreaLevel::Subregion,
                "regio" => AreaLevel::Region,
                _ => continue,
            };
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            for key in [a.id.to_lowercase(), a.name.to_lowercase()] {
                by_key.entry(key).or_insert_with(|| KnownArea {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    level,
                    index,
                });
            }
        }
        Self {
            indicators: known,
            areas: by_key,
            existing: HashSet::new(),
            examples: false,
        }
    }

    /// The ids of the KPI's this context knows.
    pub fn indicator_ids(&self) -> Vec<String> {
        self.indicators.values().map(|i| i.id.clone()).collect()
    }

    /// Tells the check which (area, period) a KPI already has in the store.
    pub fn add_existing(&mut self, indicator_id: &str, keys: &[(String, String)]) {
        let Some(ind) = self.indicators.get(&indicator_id.to_lowercase()) else {
            return;
        };
        let index = ind.index;
        for (area, period) in keys {
            if let (Some(a), Ok(p)) = (self.areas.get(&area.to_lowercase()), Period::parse(period))
            {
                self.existing.insert((index, a.index, period_key(p)));
            }
        }
    }

    pub fn indicator_name(&self, id: &str) -> String {
        self.indicators
            .get(&id.to_lowercase())
            .map_or_else(|| id.to_owned(), |i| i.name.clone())
    }
}

/// A compact, unique number per period of the kinds observations use.
fn period_key(p: Period) -> u32 {
    let (year, sub) = match p {
        Period::Year(y) => (y, 0),
        Period::Month(y, m) => (y, u32::from(m)),
        Period::Quarter(y, q) => (y, 20 + u32::from(q)),
        Period::Day(d) => (d.year(), 100 + u32::from(d.day_of_year().unsigned_abs())),
    };
    u32::try_from(year).unwrap_or(0) * 1000 + sub
}

/// Which column holds what.
struct Columns {
    indicator: usize,
    area: usize,
    period: usize,
    value: usize,
    source: Option<usize>,
    note: Option<usize>,
    status: Option<usize>,
    example: Option<usize>,
    names: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, String> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
        let required = [
            ("indicator", find(&["indicator", "kpi", "indicator_id"])),
            ("gebied", find(&["gebied", "area", "cbs_code", "gemeente"])),
            ("periode", find(&["periode", "period"])),
            ("waarde", find(&["waarde", "value"])),
        ];
        let missing: Vec<&str> = required
            .iter()
            .filter(|(_, at)| at.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "de kopregel mist de kolom{} {}; de eerste regel moet de kolomnamen noemen: indicator, gebied, periode, waarde, bron (en eventueel toelichting, status, voorbeeld)",
                if missing.len() == 1 { "" } else { "men" },
                missing.join(", ")
            ));
        }
        Ok(Self {
            indicator: required[0].1.unwrap_or(0),
            area: required[1].1.unwrap_or(0),
            period: required[2].1.unwrap_or(0),
            value: required[3].1.unwrap_or(0),
            source: find(&["bron", "source"]),
            note: find(&["toelichting", "note", "opmerking"]),
            status: find(&["status"]),
            example: find(&["voorbeeld", "example"]),
            names,
        })
    }

    fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("", String::as_str)
    }

    /// The column's name, or its number (from 1) when its header is empty.
    fn label(&self, index: usize) -> String {
        match self.name(index).trim() {
            "" => (index + 1).to_string(),
            name => name.to_owned(),
        }
    }
}

/// `;` when the header uses it (a Dutch spreadsheet's CSV), tab for a tab-separated file,
/// otherwise `,`.
fn delimiter(head: &[u8]) -> u8 {
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|b| **b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else if count(b'\t') > count(b',') {
        b'\t'
    } else {
        b','
    }
}

fn optional(record: &csv::StringRecord, at: Option<usize>) -> Option<String> {
    let v = record.get(at?)?.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

fn yes(value: &str) -> Result<bool, ParseError> {
    match value.trim().to_lowercase().as_str() {
        "" | "nee" | "n" | "0" | "false" | "no" => Ok(false),
        "ja" | "j" | "1" | "true" | "yes" => Ok(true),
        other => Err(ParseError::new(format!(
            "\"{other}\" is geen ja of nee; schrijf ja of laat het leeg"
        ))),
    }
}

/// The ids of the known KPI's the file names, so the store's existing values need only be
/// looked up for those (a national store holds millions of values of other KPI's).
pub fn named_indicators(input: impl Read, head: &[u8], cx: &Context) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(head))
        .flexible(true)
        .from_reader(input);
    let Some(column) = reader
        .headers()
        .ok()
        .and_then(|h| Columns::from_header(h).ok())
        .map(|c| c.indicator)
    else {
        return Vec::new();
    };
    let mut found = HashSet::new();
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        let Some(text) = record.get(column).and_then(|b| std::str::from_utf8(b).ok()) else {
            continue;
        };
        let text = text.trim();
        if let Some(i) = cx
            .indicators
            .get(text)
            .or_else(|| cx.indicators.get(&text.to_lowercase()))
            && !found.contains(&i.id)
        {
            found.insert(i.id.clone());
        }
    }
    let mut ids: Vec<String> = found.into_iter().collect();
    ids.sort();
    ids
}

/// Checks every line; `each` gets every line that passed, in file order. The file as a whole
/// passes only when the report has no problems.
pub fn check(
    input: impl Read,
    head: &[u8],
    cx: &Context,
    mut each: impl FnMut(NewObservation),
) -> Report {
    let mut report = Report::default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(head))
        .flexible(true)
        .from_reader(LineBreaks::new(input));
    let columns = match reader.headers() {
        Ok(h) => match Columns::from_header(h) {
            Ok(c) => c,
            Err(m) => {
                report.problem(1, None, m);
                return report;
            }
        },
        Err(e) => {
            report.problem(1, None, format!("het bestand is geen leesbare CSV: {e}"));
            return report;
        }
    };
    let width = columns.names.len();
    let mut seen: HashMap<(u32, u32, u32), u64> = HashMap::new();
    let mut per_indicator: HashMap<u32, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = reader.get_mut().line_of(e.position());
                report.problem(
                    line,
                    None,
                    format!("deze regel is geen geldige CSV ({e}); controleer aanhalingstekens en scheidingstekens"),
                );
                continue;
            }
        }
        let line = reader.get_mut().line_of(record.position());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != width {
            report.problem(
                line,
                None,
                format!(
                    "deze regel heeft {} kolommen, de kopregel {width}; elke regel noemt {}",
                    record.len(),
                    columns.names.join(", ")
                ),
            );
            continue;
        }
        let before = report.problem_count();
        let col = |i: usize| record.get(i).unwrap_or("").trim();

        let indicator_text = col(columns.indicator);
        let indicator = cx
            .indicators
            .get(indicator_text)
            .or_else(|| cx.indicators.get(&indicator_text.to_lowercase()));
        let indicator = match indicator {
            None if indicator_text.is_empty() => {
                report.problem(
                    line,
                    Some(columns.name(columns.indicator)),
                    "vul de id van de KPI in, bijvoorbeeld mtvp-consultduur (zie de pagina KPI's)",
                );
                None
            }
            None => {
                report.problem(
                    line,
                    Some(columns.name(columns.indicator)),
                    format!(
                        "\"{indicator_text}\" is geen bekende KPI; gebruik de id van een KPI (zie de pagina KPI's), bijvoorbeeld mtvp-consultduur"
                    ),
                );
                None
            }
            Some(i) if !i.allowed => {
                report.problem(
                    line,
                    Some(columns.name(columns.indicator)),
                    format!(
                        "u mag geen metingen invoeren voor \"{}\": alleen een beheerder of een trekker van een plan van deze KPI mag dat",
                        i.name
                    ),
                );
                None
            }
            Some(i) => Some(i),
        };

        let area_text = col(columns.area);
        let area = cx
            .areas
            .get(area_text)
            .or_else(|| cx.areas.get(&area_text.to_lowercase()));
        let area = match area {
            None => {
                report.problem(
                    line,
                    Some(columns.name(columns.area)),
                    if area_text.is_empty() {
                        "vul het gebied in: de CBS-code (GM0355) of de naam van een gemeente, subregio of de regio".to_owned()
                    } else {
                        format!("\"{area_text}\" is geen bekende gemeente, subregio of regio; schrijf de CBS-code (bijvoorbeeld GM0355) of de naam zoals op de pagina Gemeenten")
                    },
                );
                None
            }
            Some(a) => {
                if let Some(Err(e)) = indicator.map(|i| i.fit().area(&a.name, a.level.code())) {
                    report.problem(line, Some(columns.name(columns.area)), e.0);
                }
                Some(a)
            }
        };

        let period_text = col(columns.period);
        let period = match Period::parse(period_text) {
            Err(e) => {
                report.problem(line, Some(columns.name(columns.period)), e.0);
                None
            }
            Ok(p) => {
                if let Some(Err(e)) = indicator.map(|i| i.fit().period(p)) {
                    report.problem(line, Some(columns.name(columns.period)), e.0);
                }
                Some(p)
            }
        };

        let value_text = col(columns.value);
        let status_text = columns.status.map_or("", col);
        let mut value = None;
        let mut narrative = None;
        let mut judged_status = None;
        match indicator.map(|i| i.measure) {
            Some(Measure::Quantitative) => {
                if value_text.is_empty() {
                    report.problem(
                        line,
                        Some(columns.name(columns.value)),
                        "vul de gemeten waarde in, een getal zoals 12,5",
                    );
                } else {
                    match parse_number(value_text) {
                        Ok(v) => value = Some(v),
                        Err(e) => {
                            report.problem(line, Some(columns.name(columns.value)), e.0);
                        }
                    }
                }
            }
            Some(Measure::Narrative) => {
                if value_text.is_empty() {
                    report.problem(
                        line,
                        Some(columns.name(columns.value)),
                        "een narratieve KPI vraagt een beschrijving; schrijf in de kolom waarde wat er is opgehaald",
                    );
                }
                narrative = Some(value_text.to_owned());
                if !status_text.is_empty() {
                    match IndicatorStatus::parse_loose(status_text) {
                        Ok(s) if IndicatorStatus::JUDGED.contains(&s) => judged_status = Some(s),
                        _ => report.problem(
                            line,
                            Some("status"),
                            format!(
                                "\"{status_text}\" is geen status; kies op koers, achter of niet gehaald, of laat het leeg"
                            ),
                        ),
                    }
                }
            }
            None => {}
        }
        let is_example = match columns.example.map(|e| yes(col(e))) {
            Some(Err(e)) => {
                report.problem(line, Some(columns.name(columns.example.unwrap_or(0))), e.0);
                false
            }
            Some(Ok(v)) => v || cx.examples,
            None => cx.examples,
        };

        if let (Some(i), Some(a), Some(p)) = (indicator, area, period) {
            let key = (i.index, a.index, period_key(p));
            if let Some(first) = seen.get(&key) {
                report.problem(
                    line,
                    None,
                    format!(
                        "\"{}\" in {} over {} staat ook al op regel {first}; houd één van beide",
                        i.name,
                        a.name,
                        p.label_nl()
                    ),
                );
            } else {
                seen.insert(key, line);
            }
            if cx.existing.contains(&key) {
                report.problem(
                    line,
                    None,
                    format!(
                        "voor \"{}\" in {} over {} is al een meting opgeslagen; haal de regel weg of wijzig de bestaande meting op de pagina van de KPI",
                        i.name,
                        a.name,
                        p.label_nl()
                    ),
                );
            }
        }
        // The limits of the write path, which an import's bulk insert does not pass.
        for (index, text) in record.iter().enumerate() {
            let kind = if Some(index) == columns.note {
                TextKind::Note
            } else if index == columns.value {
                TextKind::Long
            } else {
                TextKind::Line
            };
            let name = columns.label(index);
            if let Err(message) = kind.check(&format!("kolom {name}"), text) {
                report.problem(line, Some(&name), message);
            }
        }
        if report.problem_count() > before {
            continue;
        }
        let (Some(i), Some(a), Some(p)) = (indicator, area, period) else {
            continue;
        };
        report.rows += 1;
        let slot = *per_indicator.entry(i.index).or_insert_with(|| {
            report.per_indicator.push((i.id.clone(), 0, p, p));
            report.per_indicator.len() - 1
        });
        let entry = &mut report.per_indicator[slot];
        entry.1 += 1;
        if p.start() < entry.2.start() {
            entry.2 = p;
        }
        if p.start() > entry.3.start() {
            entry.3 = p;
        }
        each(NewObservation {
            indicator_id: i.id.clone(),
            area_id: a.id.clone(),
            period: p,
            value,
            narrative,
            judged_status,
            source: optional(&record, columns.source),
            note: optional(&record, columns.note),
            is_example,
        });
    }
    if report.rows == 0 && report.is_ok() {
        report.problem(
            2,
            None,
            "het bestand bevat geen metingen; zet onder de kopregel één meting per regel",
        );
    }
    report
}

/// The first bytes of a file, from which the check learns the delimiter.
pub fn file_head(input: impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4096);
    input.take(4096).read_to_end(&mut head)?;
    Ok(head)
}

/// Rows sent from the reading thread to the store at a time.
const CHUNK: usize = 1000;

/// The checked lines of the second pass: a thread reads and checks the file and sends the
/// lines in chunks, so reading and storing overlap and only a few chunks are in memory. When
/// the second check does not find what the first one did (the file changed in between), the
/// last item is an error and the store keeps nothing.
pub struct Checked {
    chunks: Receiver<Vec<NewObservation>>,
    current: std::vec::IntoIter<NewObservation>,
    reader: Option<JoinHandle<Report>>,
    first: Report,
}

impl Checked {
    pub fn start(
        input: impl Read + Send + 'static,
        head: Vec<u8>,
        cx: Arc<Context>,
        first: Report,
    ) -> Self {
        let (send, chunks) = sync_channel::<Vec<NewObservation>>(8);
        let reader = std::thread::spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut open = true;
            let report = check(input, &head, &cx, |o| {
                if !open {
                    return;
                }
                chunk.push(o);
                if chunk.len() == CHUNK {
                    open = send
                        .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                        .is_ok();
                }
            });
            if open && !chunk.is_empty() {
                let _ = send.send(chunk);
            }
            report
        });
        Self {
            chunks,
            current: Vec::new().into_iter(),
            reader: Some(reader),
            first,
        }
    }

    /// The end of the file: `Some(Err)` when the second check differs from the first.
    fn finish(&mut self) -> Option<Result<NewObservation, StoreError>> {
        let reader = self.reader.take()?;
        let same = reader.join().is_ok_and(|second| {
            second.is_ok()
                && second.rows == self.first.rows
                && second.per_indicator == self.first.per_indicator
        });
        (!same).then(|| {
            Err(StoreError::Refused(Refusal::general(
                "het bestand is veranderd tussen de controle en het opslaan; er is niets opgeslagen, lees het opnieuw in",
            )))
        })
    }
}

impl Iterator for Checked {
    type Item = Result<NewObservation, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(o) = self.current.next() {
                return Some(Ok(o));
            }
            match blocking(|| self.chunks.recv()) {
                Ok(chunk) => self.current = chunk.into_iter(),
                Err(_) => return self.finish(),
            }
        }
    }
}

/// Waits for the reading thread without holding up other tasks of a multi-threaded runtime.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(id: &str, measure: &str, frequency: &str, level: &str) -> IndicatorRow {
        IndicatorRow {
            id: id.into(),
            name: format!("KPI {id}"),
            description: None,
            kind: "resultaat".into(),
            measure: measure.into(),
            unit: None,
            direction: Some("hoger".into()),
            baseline_value: None,
            baseline_period: None,
            target_value: Some(15.0),
            target_period: Some("2026".into()),
            target_text: None,
            transformation_id: None,
            owner_organisation_id: None,
            owner_role: None,
            data_source: None,
            frequency: frequency.into(),
            area_level: level.into(),
            source_id: None,
            version: 1,
            plans: vec![],
            milestones: vec![],
            assumptions: Default::default(),
        }
    }

    fn area(id: &str, kind: &str, name: &str) -> AreaRow {
        AreaRow {
            id: id.into(),
            kind: kind.into(),
            name: name.into(),
            parent_id: None,
        }
    }

    fn context() -> Context {
        Context::new(
            &[
                indicator("consult", "kwantitatief", "kwartaal", "gemeente"),
                indicator("beleving", "narratief", "jaar", "regio"),
                indicator("geheim", "kwantitatief", "kwartaal", "gemeente"),
            ],
            &[
                area("regio", "regio", "Midden-Nederland"),
                area("GM0355", "gemeente", "Zeist"),
                area("GM0312", "gemeente", "Bunnik"),
            ],
            |i| i.id != "geheim",
        )
    }

    fn run(text: &str) -> (Report, Vec<NewObservation>) {
        let mut rows = Vec::new();
        let report = check(text.as_bytes(), text.as_bytes(), &context(), |o| {
            rows.push(o)
        });
        (report, rows)
    }

    #[test]
    fn good_lines_pass_with_codes_or_names_and_a_decimal_comma() {
        let (report, rows) = run(
            "indicator,gebied,periode,waarde,bron\nconsult,GM0355,2026-Q1,\"12,5\",agenda\nconsult,bunnik,2026-q2,13,agenda\n",
        );
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value, Some(12.5));
        assert_eq!(rows[1].area_id, "GM0312");
        assert_eq!(rows[1].period, Period::Quarter(2026, 2));
    }

    #[test]
    fn a_semicolon_file_from_a_dutch_spreadsheet_is_read() {
        let (report, rows) = run("indicator;gebied;periode;waarde\nconsult;Zeist;2026-Q1;12,5\n");
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(rows[0].value, Some(12.5));
    }

    #[test]
    fn every_bad_line_is_named_with_its_column() {
        let (report, rows) = run(concat!(
            "indicator,gebied,periode,waarde,bron\n",
            "onbekend,GM0355,2026-Q1,12,x\n",
            "consult,GM9999,2026-Q1,12,x\n",
            "consult,GM0355,2026-Q5,12,x\n",
            "consult,GM0355,2026-Q2,veel,x\n",
            "consult,GM0355,2026-Q3,12,x\n",
            "consult,GM0355,2026-Q3,13,x\n",
            "consult,regio,2026-Q4,13,x\n",
            "consult,GM0355,2026-04,13,x\n",
            "geheim,GM0355,2026-Q1,13,x\n",
        ));
        assert!(rows.len() < 9);
        let lines: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "regel 2, kolom indicator: \"onbekend\" is geen bekende KPI; gebruik de id van een KPI (zie de pagina KPI's), bijvoorbeeld mtvp-consultduur",
                "regel 3, kolom gebied: \"GM9999\" is geen bekende gemeente, subregio of regio; schrijf de CBS-code (bijvoorbeeld GM0355) of de naam zoals op de pagina Gemeenten",
                "regel 4, kolom periode: \"2026-Q5\" is geen geldige periode; schrijf een jaar (2026), kwartaal (2026-Q1), maand (2026-03) of datum (2026-03-15)",
                "regel 5, kolom waarde: \"veel\" is geen getal; schrijf een getal zoals 12,5 of 12.5 (zonder duizendtalpunt)",
                "regel 7: \"KPI consult\" in Zeist over 3e kwartaal 2026 staat ook al op regel 6; houd één van beide",
                "regel 8, kolom gebied: Midden-Nederland is een regio, maar \"KPI consult\" wordt gemeten per gemeente; kies een gebied van dat niveau",
                "regel 9, kolom periode: \"KPI consult\" wordt per kwartaal gemeten; schrijf de periode zoals 2026-Q1",
                "regel 10, kolom indicator: u mag geen metingen invoeren voor \"KPI geheim\": alleen een beheerder of een trekker van een plan van deze KPI mag dat",
            ]
        );
    }

    #[test]
    fn lines_are_counted_as_an_editor_counts_them_whatever_the_line_ends() {
        // Line 3 holds an unknown KPI, line 6 (after an empty line) an unknown area.
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                "indicator,gebied,periode,waarde",
                "consult,GM0355,2026-Q1,12",
                "onbekend,GM0355,2026-Q2,12",
                "consult,GM0355,2026-Q3,\"12,5\"",
                "",
                "consult,GM9999,2026-Q4,12",
            ]
            .join(end);
            let (report, _) = run(&text);
            let lines: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
            assert_eq!(lines, [3, 6], "line end {end:?}: {:?}", report.problems);
        }
    }

    #[test]
    fn a_quoted_value_over_two_lines_counts_both() {
        let (report, _) = run(
            "indicator,gebied,periode,waarde,toelichting\r\nconsult,GM0355,2026-Q1,12,\"twee\r\nregels\"\r\nconsult,GM9999,2026-Q2,12,\r\n",
        );
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert_eq!(report.problems[0].line, 4);
    }

    #[test]
    fn a_missing_column_is_named_in_the_header() {
        let (report, _) = run("indicator,gebied,waarde\nconsult,GM0355,12\n");
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].line, 1);
        assert!(
            report.problems[0].message.contains("mist de kolom periode"),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn a_value_already_stored_is_a_problem() {
        let mut cx = context();
        cx.add_existing("consult", &[("GM0355".into(), "2026-Q1".into())]);
        let text = "indicator,gebied,periode,waarde\nconsult,GM0355,2026-Q1,12\n";
        let report = check(text.as_bytes(), text.as_bytes(), &cx, |_| {});
        assert_eq!(report.problems.len(), 1);
        assert!(
            report.problems[0]
                .message
                .contains("al een meting opgeslagen")
        );
    }

    #[test]
    fn a_narrative_kpi_takes_text_and_an_optional_judgement() {
        let (report, rows) = run(
            "indicator,gebied,periode,waarde,status\nbeleving,regio,2025,Inwoners voelen zich gehoord,op koers\n",
        );
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(rows[0].judged_status, Some(IndicatorStatus::OnTrack));
        assert_eq!(
            rows[0].narrative.as_deref(),
            Some("Inwoners voelen zich gehoord")
        );
    }

    #[test]
    fn only_the_known_kpis_a_file_names_are_looked_up() {
        let text = "indicator;gebied;periode;waarde\nconsult;Zeist;2026-Q1;1\nCONSULT;Bunnik;2026-Q1;2\nonbekend;Zeist;2026;3\n";
        assert_eq!(
            named_indicators(text.as_bytes(), text.as_bytes(), &context()),
            ["consult"]
        );
    }

    #[test]
    fn an_empty_file_says_what_to_put_in_it() {
        let (report, _) = run("indicator,gebied,periode,waarde\n");
        assert!(!report.is_ok());
        assert!(report.problems[0].message.contains("geen metingen"));
    }
}
