//! The valid inputs the targets start from, taken from the real files.

use std::sync::OnceLock;

use regiomonitor::import::DEMO;

/// The observation files of data/voorbeeld, by name.
pub const OBSERVATION_FILES: [(&str, &str); 2] = [
    (
        "metingen-demo.csv",
        include_str!("../../data/voorbeeld/metingen-demo.csv"),
    ),
    (
        "metingen-2026-Q4.csv",
        include_str!("../../data/voorbeeld/metingen-2026-Q4.csv"),
    ),
];

/// Values the files give, by what they must read as.
pub struct Values {
    /// Periods of measurements and targets (`Period::parse`).
    pub periods: Vec<String>,
    /// Dates of facts (`FactDate::parse`).
    pub dates: Vec<String>,
    /// Numbers as written in observation files (`parse_number`).
    pub numbers: Vec<String>,
}

pub fn values() -> &'static Values {
    static VALUES: OnceLock<Values> = OnceLock::new();
    VALUES.get_or_init(|| {
        let mut v = Values {
            periods: Vec::new(),
            dates: Vec::new(),
            numbers: Vec::new(),
        };
        for (_, text) in OBSERVATION_FILES {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for record in reader.records() {
                let record = record.expect("the example files are valid CSV");
                v.periods.push(record[2].to_owned());
                // The values of narrative KPI's are texts.
                if record[3].starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                    v.numbers.push(record[3].to_owned());
                }
            }
        }
        for (name, text) in demo_files() {
            if name.ends_with(".toml") {
                let value: toml::Value = toml::from_str(&text).expect("the demo is valid TOML");
                collect(&value, "", "", &mut v);
            }
        }
        // The Dutch ways of writing a date that `FactDate::parse` documents.
        v.dates.extend(
            [
                "Q2/3 2025",
                "q2-q3 2025",
                "oktober 2025",
                "9 oktober 2025",
                "4e kwartaal 2025",
                "Q4 2025",
                "het hele jaar 2025",
                "gedurende het hele jaar 2025",
                "najaar van 2025",
                "herfst 2025",
                "2e t/m 3e kwartaal 2025",
                "maart t/m juni 2025",
                "november 2025 t/m 1e kwartaal 2026",
                "2025-03/2025-06",
                "datum onbekend",
            ]
            .map(str::to_owned),
        );
        for list in [&mut v.periods, &mut v.dates, &mut v.numbers] {
            list.sort();
            list.dedup();
        }
        v
    })
}

/// Walks a TOML document for the values read as periods and dates (leaving out `aannames`,
/// whose values are reasons named after the fields).
fn collect(value: &toml::Value, key: &str, parent: &str, v: &mut Values) {
    match value {
        toml::Value::Table(table) => {
            for (k, child) in table {
                if k != "aannames" {
                    collect(child, k, key, v);
                }
            }
        }
        toml::Value::Array(items) => {
            for item in items {
                collect(item, key, parent, v);
            }
        }
        toml::Value::String(s) => match key {
            "datum" => v.dates.push(s.clone()),
            "nulmeting_periode" | "streefperiode" => v.periods.push(s.clone()),
            // A milestone's `periode` is a date of a fact; a KPI's tussendoel's a period.
            "periode" if parent == "mijlpaal" => v.dates.push(s.clone()),
            "periode" => v.periods.push(s.clone()),
            _ => {}
        },
        toml::Value::Float(f) => v.numbers.push(f.to_string().replace('.', ",")),
        _ => {}
    }
}

/// The files of data/demo (as the binary embeds them), sorted by name.
pub fn demo_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = DEMO
        .files()
        .filter_map(|f| {
            let name = f.path().file_name()?.to_str()?.to_owned();
            Some((name, f.contents_utf8()?.to_owned()))
        })
        .collect();
    files.sort();
    files
}
