//! The observation CSV (`import::observations::check`), against the KPI's and areas of the
//! demo portfolio as a store holds them. The store is built once (a temporary SQLite file);
//! every case runs the check in memory, as `import observations` and the upload page do.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use regiomonitor::config::DatabaseUrl;
use regiomonitor::domain::Channel;
use regiomonitor::features::areas::model::AreaRow;
use regiomonitor::features::indicators::model::IndicatorRow;
use regiomonitor::features::observations::model::NewObservation;
use regiomonitor::import::Bundle;
use regiomonitor::import::observations::{self, Context, Report};
use regiomonitor::store::{Actor, Store};

use crate::mutate::{self, Format, hostile, line_count};
use crate::seeds::OBSERVATION_FILES;

/// The KPI's and areas of the demo portfolio, read from a store.
fn rows() -> &'static (Vec<IndicatorRow>, Vec<AreaRow>) {
    static ROWS: OnceLock<(Vec<IndicatorRow>, Vec<AreaRow>)> = OnceLock::new();
    ROWS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = DatabaseUrl::parse(&format!(
                "sqlite://{}",
                dir.path().join("fuzz.db").display()
            ))
            .expect("url");
            let store = Store::open(&url).await.expect("store opens");
            let portfolio = Bundle::demo().check().expect("the demo checks");
            store
                .import_portfolio(&Actor::system("fuzz", Channel::Import), &portfolio)
                .await
                .expect("the demo portfolio stores");
            let rows = (
                store.indicators().await.expect("indicators"),
                store.areas().await.expect("areas"),
            );
            store.pool().close().await;
            rows
        })
    })
}

/// A store without observations, and one that holds the demo's (data/voorbeeld/metingen-demo.csv).
struct Contexts {
    empty: Context,
    with_demo: Context,
}

fn contexts() -> &'static Contexts {
    static CONTEXTS: OnceLock<Contexts> = OnceLock::new();
    CONTEXTS.get_or_init(|| {
        let (indicators, areas) = rows();
        let empty = Context::new(indicators, areas, |_| true);
        let mut with_demo = Context::new(indicators, areas, |_| true);
        let mut reader = csv::Reader::from_reader(OBSERVATION_FILES[0].1.as_bytes());
        for record in reader.records() {
            let record = record.expect("valid CSV");
            with_demo.add_existing(&record[0], &[(record[1].to_owned(), record[2].to_owned())]);
        }
        Contexts { empty, with_demo }
    })
}

/// A valid file and a store it can be read into: (file text, store).
fn valid_case(which: usize) -> (&'static str, &'static Context) {
    let cx = contexts();
    match which % 3 {
        0 => (OBSERVATION_FILES[0].1, &cx.empty),
        1 => (OBSERVATION_FILES[1].1, &cx.empty),
        _ => (OBSERVATION_FILES[1].1, &cx.with_demo),
    }
}

/// How a spreadsheet may write the same file.
#[derive(Debug, Clone, Copy)]
struct Spelling {
    delimiter: u8,
    line_end: &'static str,
    bom: bool,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        prop::sample::select(vec![b',', b';', b'\t']),
        prop::sample::select(vec!["\n", "\r\n"]),
        any::<bool>(),
    )
        .prop_map(|(delimiter, line_end, bom)| Spelling {
            delimiter,
            line_end,
            bom,
        })
}

/// The file's records, written in a spelling; also returns the lines (without line ends).
fn spell(text: &str, s: Spelling) -> Vec<Vec<u8>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut lines: Vec<Vec<u8>> = reader
        .byte_records()
        .map(|r| {
            let r = r.expect("valid CSV");
            let fields: Vec<Vec<u8>> = r.iter().map(<[u8]>::to_vec).collect();
            mutate::csv_line(&fields, s.delimiter)
        })
        .collect();
    if s.bom {
        lines[0].splice(0..0, "\u{feff}".bytes());
    }
    lines
}

fn join(lines: &[Vec<u8>], s: Spelling) -> Vec<u8> {
    let mut out = lines.join(s.line_end.as_bytes());
    out.extend_from_slice(s.line_end.as_bytes());
    out
}

fn check(bytes: &[u8], cx: &Context) -> (Report, Vec<NewObservation>) {
    let mut rows = Vec::new();
    let head = &bytes[..bytes.len().min(4096)];
    let report = observations::check(bytes, head, cx, |o| rows.push(o));
    (report, rows)
}

/// What holds for any input: no panic, every problem on a line of the file with a message.
fn holds_for_any(
    bytes: &[u8],
    cx: &Context,
) -> Result<(Report, Vec<NewObservation>), TestCaseError> {
    let head = &bytes[..bytes.len().min(4096)];
    let _ = observations::named_indicators(bytes, head, cx);
    let (report, rows) = check(bytes, cx);
    let lines = u64::try_from(line_count(bytes)).unwrap_or(u64::MAX);
    for p in &report.problems {
        // One past the last line: where the values of a file with only a header belong.
        prop_assert!(
            (1..=lines + 1).contains(&p.line),
            "problem on line {} of {lines}: {p}",
            p.line
        );
        prop_assert!(!p.message.trim().is_empty(), "{:?}", p);
        if let Some(c) = &p.column {
            prop_assert!(!c.trim().is_empty(), "{:?}", p);
        }
    }
    if report.is_ok() {
        prop_assert!(report.rows > 0);
        prop_assert_eq!(report.rows, rows.len());
        for o in &rows {
            prop_assert!(o.value.is_none_or(f64::is_finite), "{:?}", o);
        }
    }
    Ok((report, rows))
}

proptest! {
    #![proptest_config(crate::config())]

    #[test]
    fn a_valid_file_reads_in_every_spelling(which in 0usize..3, s in spelling()) {
        let (text, cx) = valid_case(which);
        let (plain, plain_rows) = check(text.as_bytes(), cx);
        prop_assert!(plain.is_ok(), "{:?}", plain.problems);
        let (report, rows) = holds_for_any(&join(&spell(text, s), s), cx)?;
        prop_assert!(report.is_ok(), "{:?}", report.problems);
        prop_assert_eq!(rows, plain_rows);
    }

    /// Deleting or swapping lines of values keeps the file valid; a doubled line is the one
    /// problem, named on the later line with a pointer to the earlier.
    #[test]
    fn deleted_swapped_and_doubled_lines_are_read_as_such(
        which in 0usize..3,
        s in spelling(),
        a in any::<Index>(),
        b in any::<Index>(),
        op in 0u8..3,
    ) {
        let (text, cx) = valid_case(which);
        let mut lines = spell(text, s);
        let data = lines.len() - 1;
        let (i, j) = (1 + a.index(data), 1 + b.index(data));
        match op {
            0 => {
                lines.remove(i);
                let (report, rows) = holds_for_any(&join(&lines, s), cx)?;
                prop_assert!(report.is_ok(), "{:?}", report.problems);
                prop_assert_eq!(rows.len(), data - 1);
            }
            1 => {
                lines.swap(i, j);
                let (report, rows) = holds_for_any(&join(&lines, s), cx)?;
                prop_assert!(report.is_ok(), "{:?}", report.problems);
                prop_assert_eq!(rows.len(), data);
            }
            _ => {
                // The copy of line i goes before line j (or at the end).
                let to = 1 + b.index(data + 1);
                let copy = lines[i].clone();
                lines.insert(to, copy);
                let original = if to <= i { i + 1 } else { i };
                let (first, second) = (original.min(to) + 1, original.max(to) + 1);
                let (report, _) = holds_for_any(&join(&lines, s), cx)?;
                prop_assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
                let p = &report.problems[0];
                prop_assert_eq!(p.line, second as u64, "{}", p);
                let first_named = format!("regel {first};");
                prop_assert!(p.message.contains(&first_named), "{}", p);
            }
        }
    }

    /// A field of one line of values given another value: every problem is on that line, or
    /// (a line that now doubles it) points at it.
    #[test]
    fn a_changed_field_is_named_on_its_line(
        which in 0usize..3,
        s in spelling(),
        line in any::<Index>(),
        field in any::<Index>(),
        value in hostile(),
    ) {
        let (text, cx) = valid_case(which);
        let mut lines = spell(text, s);
        let at = 1 + line.index(lines.len() - 1);
        lines[at] = mutate::replace_field(&lines[at], Format::Csv(s.delimiter), field, &value, true);
        let (report, _) = holds_for_any(&join(&lines, s), cx)?;
        let number = at as u64 + 1;
        for p in &report.problems {
            prop_assert!(
                p.line == number || p.message.contains(&format!("regel {number};")),
                "changed line {number}, problem {p}"
            );
        }
    }
}

proptest! {
    #![proptest_config(crate::target_config())]

    /// Any changes at all: the reader does not panic and names a line of the file.
    #[test]
    fn any_changed_file_is_read_or_refused_by_line(
        which in 0usize..3,
        s in spelling(),
        changes in mutate::mutations(hostile()),
    ) {
        let (text, cx) = valid_case(which);
        let bytes = mutate::apply(&join(&spell(text, s), s), Format::Csv(s.delimiter), &changes);
        holds_for_any(&bytes, cx)?;
    }
}
