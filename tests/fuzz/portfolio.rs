//! The portfolio files (`Bundle::check`: the TOML files and gemeenten.csv of data/demo), one
//! file changed a line at a time, or left out.

use proptest::prelude::*;
use proptest::sample::Index;
use regiomonitor::import::{Bundle, Portfolio, Problems};

use crate::mutate::{self, Format, hostile, line_count};
use crate::seeds::demo_files;

fn bundle(files: &[(String, String)]) -> Bundle {
    files.iter().fold(Bundle::default(), |b, (name, text)| {
        b.with_file(name, text.as_str())
    })
}

/// The problems that are about something missing, and so have no line.
fn is_about_an_absence(message: &str) -> bool {
    message.contains("het bestand ontbreekt") || message.contains("er is geen [regio]")
}

/// What holds for any set of files: no panic; every problem names a file of the set (or the
/// one that is missing) and, unless it is about something missing, a line of that file.
fn holds_for_any(files: &[(String, String)]) -> Result<Result<Portfolio, Problems>, TestCaseError> {
    let result = bundle(files).check();
    match &result {
        Err(problems) => {
            prop_assert!(!problems.0.is_empty());
            for p in &problems.0 {
                prop_assert!(!p.message.trim().is_empty(), "{p}");
                let file = files.iter().find(|(name, _)| *name == p.file);
                match (file, p.line) {
                    (Some((_, text)), Some(line)) => prop_assert!(
                        (1..=line_count(text.as_bytes())).contains(&line),
                        "{p}: the file has {} lines",
                        line_count(text.as_bytes())
                    ),
                    (_, None) => prop_assert!(is_about_an_absence(&p.message), "no line: {p}"),
                    (None, Some(_)) => prop_assert!(false, "not a file of the set: {p}"),
                }
            }
        }
        Ok(portfolio) => {
            // A checked portfolio holds only numbers a page can show and a status can use.
            for i in &portfolio.indicators {
                let f = &i.fields;
                let numbers = f
                    .baseline
                    .iter()
                    .chain(f.target.iter())
                    .chain(f.milestones.iter())
                    .map(|(_, v)| *v);
                for v in numbers {
                    prop_assert!(v.is_finite(), "indicator {}: {v}", i.id);
                }
            }
        }
    }
    Ok(result)
}

/// A change to one file of the demo, or one file left out.
#[derive(Debug, Clone)]
enum Change {
    File(Index, Vec<mutate::Mutation>),
    Leave(Index),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        20 => (any::<Index>(), mutate::mutations(hostile())).prop_map(|(i, m)| Change::File(i, m)),
        1 => any::<Index>().prop_map(Change::Leave),
    ]
}

fn changed(change: &Change) -> Vec<(String, String)> {
    let mut files = demo_files();
    match change {
        Change::File(i, mutations) => {
            let at = i.index(files.len());
            let (name, text) = &mut files[at];
            let format = if name.ends_with(".csv") {
                Format::Csv(b',')
            } else {
                Format::Toml
            };
            let bytes = mutate::apply(text.as_bytes(), format, mutations);
            // The files of a folder are read as UTF-8 text; one that is not is refused whole.
            *text = String::from_utf8_lossy(&bytes).into_owned();
        }
        Change::Leave(i) => {
            files.remove(i.index(files.len()));
        }
    }
    files
}

#[test]
fn the_demo_files_check() {
    let files = demo_files();
    assert!(files.len() > 5);
    let result = holds_for_any(&files).expect("the properties hold");
    assert!(
        result.is_ok(),
        "{}",
        result.err().map(|e| e.to_string()).unwrap_or_default()
    );
}

proptest! {
    #![proptest_config(crate::config())]

    /// A comment or an empty line removed, or a comment added, changes nothing.
    #[test]
    fn comments_and_empty_lines_change_nothing(
        file in any::<Index>(),
        line in any::<Index>(),
        comment in "\\PC{0,40}",
    ) {
        let mut files = demo_files();
        let tomls: Vec<usize> = (0..files.len()).filter(|i| files[*i].0.ends_with(".toml")).collect();
        let (_, text) = &mut files[tomls[file.index(tomls.len())]];
        let mut lines: Vec<&str> = text.split('\n').collect();
        let extra = format!("# {comment}");
        let i = line.index(lines.len());
        if lines[i].trim().is_empty() || lines[i].trim_start().starts_with('#') {
            lines.remove(i);
        } else if lines[i].starts_with('[') {
            lines.insert(i, &extra);
        } else {
            return Ok(());
        }
        *text = lines.join("\n");
        let result = holds_for_any(&files)?;
        prop_assert!(result.is_ok(), "{}", result.err().map(|e| e.to_string()).unwrap_or_default());
    }

    /// A field of one line of gemeenten.csv given another value: every problem in that file
    /// is on that line, or (a line that now doubles it) points at it. The file may be written
    /// with Windows line ends.
    #[test]
    fn a_changed_gemeente_is_named_on_its_line(
        line in any::<Index>(),
        field in any::<Index>(),
        value in hostile(),
        crlf in any::<bool>(),
    ) {
        let mut files = demo_files();
        let (_, text) = files
            .iter_mut()
            .find(|(name, _)| name == "gemeenten.csv")
            .expect("the demo has gemeenten.csv");
        let mut lines = mutate::lines(text.trim_end().as_bytes());
        let at = 1 + line.index(lines.len() - 1);
        lines[at] = mutate::replace_field(&lines[at], Format::Csv(b','), field, &value, true);
        let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        *text = String::from_utf8_lossy(&lines.join(end)).into_owned();
        let number = at + 1;
        if let Err(problems) = holds_for_any(&files)? {
            for p in problems.0.iter().filter(|p| p.file == "gemeenten.csv") {
                prop_assert!(
                    p.line == Some(number) || p.message.contains(&format!("regel {number};")),
                    "changed line {number}, problem {p}"
                );
            }
        }
    }

    /// A number of a KPI (nulmeting, streefwaarde) given any value
    /// TOML can hold: only a finite number is taken.
    #[test]
    fn a_kpi_takes_only_a_finite_number(
        line in any::<Index>(),
        value in prop_oneof![
            prop::sample::select(vec![
                "nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e308", "-1e308", "1e309",
                "1.7976931348623157e308", "9223372036854775807", "9223372036854775808",
                "-9223372036854775809", "0", "-0.0", "5e-324", "1_000", "0x10", "\"12\"",
            ]).prop_map(str::to_owned),
            any::<f64>().prop_map(|f| format!("{f:?}")),
        ],
    ) {
        let mut files = demo_files();
        let (_, text) = files
            .iter_mut()
            .find(|(name, _)| name == "indicatoren.toml")
            .expect("the demo has indicatoren.toml");
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let numbers: Vec<usize> = (0..lines.len())
            .filter(|i| {
                let l = lines[*i].trim_start();
                let number = l.split_once('=').is_some_and(|(_, v)| !v.trim_start().starts_with('"'));
                number
                    && (l.starts_with("nulmeting =")
                        || l.starts_with("streefwaarde ="))
            })
            .collect();
        prop_assert!(!numbers.is_empty());
        let at = numbers[line.index(numbers.len())];
        let key = lines[at].split_once('=').map_or("", |(k, _)| k).to_owned();
        lines[at] = format!("{key}= {value}");
        *text = lines.join("\n");
        let _ = holds_for_any(&files)?;
    }
}

proptest! {
    #![proptest_config(crate::target_config())]

    /// Any changes to one file: the check does not panic and names the file and line of every
    /// problem.
    #[test]
    fn any_changed_portfolio_is_read_or_refused_by_file_and_line(change in change()) {
        let _ = holds_for_any(&changed(&change))?;
    }
}
