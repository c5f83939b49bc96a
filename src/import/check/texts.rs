//! Every text in a portfolio file, whatever record it belongs to, is held to the limits of the
//! write path (`store::write_path::TextKind`): no control characters, names and lines on one
//! line, and no text longer than its kind allows. The check reads the file's own tree, so a
//! problem names the line of the value.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Problem, line_of};
use crate::store::write_path::TextKind;

/// The kind of text a key of the portfolio format holds.
fn kind_of(key: &str) -> TextKind {
    match key {
        "naam" | "titel" => TextKind::Name,
        "toelichting" | "aanname" => TextKind::Note,
        "omschrijving" | "streefbeeld" | "meetwijze" | "waarover" | "resultaat"
        | "activiteiten" | "vraagt" | "actuele_status" | "interne_notitie" => TextKind::Long,
        k if k.ends_with("_tekst") => TextKind::Long,
        _ => TextKind::Line,
    }
}

/// The problems of one TOML file's texts (none when it is not valid TOML: that is reported
/// where the file is read).
pub(super) fn problems(file: &str, text: &str) -> Vec<Problem> {
    let mut found = Vec::new();
    if let Ok(table) = DeTable::parse(text) {
        walk_table(file, text, table.get_ref(), None, &mut found);
    }
    found
}

fn walk_table(
    file: &str,
    text: &str,
    table: &DeTable<'_>,
    within: Option<&str>,
    found: &mut Vec<Problem>,
) {
    for (key, value) in table {
        let key = key.get_ref().as_ref();
        // Keys of an `aannames` table name fields; their values are reasons.
        let kind_key = if within == Some("aannames") {
            "aanname"
        } else {
            key
        };
        walk_value(file, text, kind_key, value, found);
    }
}

fn walk_value(
    file: &str,
    text: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    found: &mut Vec<Problem>,
) {
    match value.get_ref() {
        DeValue::String(s) => {
            if let Err(message) = kind_of(key).check(&format!("veld {key}"), s) {
                found.push(Problem {
                    file: file.to_owned(),
                    line: Some(line_of(text, value.span().start)),
                    record: None,
                    message,
                });
            }
        }
        DeValue::Array(items) => {
            for item in items {
                walk_value(file, text, key, item, found);
            }
        }
        DeValue::Table(table) => walk_table(file, text, table, Some(key), found),
        _ => {}
    }
}
