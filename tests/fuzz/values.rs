//! Single values: periods (`Period::parse`), dates of facts (`FactDate::parse`) and numbers
//! (`parse_number`, used by the observation CSV and the forms).

use proptest::prelude::*;
use regiomonitor::domain::{FactDate, MAX_VALUE, Period, format_number_nl, parse_number};

use crate::mutate::hostile;
use crate::seeds::values;

/// A value from the files changed a character at a time: one removed, replaced or put in,
/// the text cut at a byte, or a hostile value put before or after it.
fn near(seeds: &'static [String]) -> impl Strategy<Value = String> {
    let seed = prop::sample::select(seeds);
    let edit = prop_oneof![
        (any::<prop::sample::Index>()).prop_map(Edit::Remove),
        (any::<prop::sample::Index>(), any::<char>()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<prop::sample::Index>(), any::<char>()).prop_map(|(i, c)| Edit::Put(i, c)),
        (any::<prop::sample::Index>()).prop_map(Edit::Cut),
        hostile().prop_map(Edit::Before),
        hostile().prop_map(Edit::After),
        prop::sample::select(seeds).prop_map(|s| Edit::After(format!(" t/m {s}"))),
        prop::sample::select(seeds).prop_map(|s| Edit::After(format!("/{s}"))),
    ];
    (seed, prop::collection::vec(edit, 0..4)).prop_map(|(seed, edits)| {
        let mut chars: Vec<char> = seed.chars().collect();
        for e in edits {
            match e {
                Edit::Remove(i) if !chars.is_empty() => {
                    chars.remove(i.index(chars.len()));
                }
                Edit::Replace(i, c) if !chars.is_empty() => {
                    let at = i.index(chars.len());
                    chars[at] = c;
                }
                Edit::Put(i, c) => chars.insert(i.index(chars.len() + 1), c),
                Edit::Cut(i) => chars.truncate(i.index(chars.len() + 1)),
                Edit::Before(s) => chars.splice(0..0, s.chars()).for_each(drop),
                Edit::After(s) => chars.extend(s.chars()),
                _ => {}
            }
        }
        chars.into_iter().collect()
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Remove(prop::sample::Index),
    Replace(prop::sample::Index, char),
    Put(prop::sample::Index, char),
    Cut(prop::sample::Index),
    Before(String),
    After(String),
}

/// Any text: near a real value, hostile, or arbitrary.
fn text(seeds: &'static [String]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => near(seeds),
        2 => hostile(),
        1 => prop::collection::vec(any::<char>(), 0..16).prop_map(|c| c.into_iter().collect()),
        1 => "[0-9]{0,5}[-/ qQ€é]{0,2}[0-9]{0,4}[-/ ]{0,1}[0-9]{0,3}",
    ]
}

fn check_period(text: &str) -> Result<(), TestCaseError> {
    match Period::parse(text) {
        Ok(p) => {
            prop_assert_eq!(
                Period::parse(&p.to_string()),
                Ok(p),
                "written form reads back"
            );
            prop_assert!(p.start() <= p.end());
            prop_assert!(!p.label_nl().is_empty());
        }
        Err(e) => prop_assert!(
            e.0.contains("2026-Q1"),
            "the message shows the forms: {}",
            e
        ),
    }
    Ok(())
}

fn check_date(text: &str) -> Result<(), TestCaseError> {
    match FactDate::parse(text) {
        Ok(d) => {
            prop_assert_eq!(
                FactDate::parse(&d.to_string()),
                Ok(d),
                "written form reads back"
            );
            prop_assert_eq!(
                FactDate::parse(&d.label_nl()),
                Ok(d),
                "the label reads back"
            );
            if let Some((start, end)) = d.interval() {
                prop_assert!(start <= end);
            }
        }
        Err(e) => prop_assert!(
            e.0.contains("onbekend"),
            "the message shows the forms: {}",
            e
        ),
    }
    Ok(())
}

fn check_number(text: &str) -> Result<(), TestCaseError> {
    match parse_number(text) {
        Ok(v) => {
            prop_assert!(v.is_finite(), "{text:?} read as {v}");
            prop_assert!(
                v.abs() <= MAX_VALUE,
                "{text:?} read as {v}, beyond the range"
            );
            // What a page shows (two decimals, a comma) reads back as that rounded value.
            let shown = format_number_nl(v);
            let rounded: f64 = format!("{v:.2}").parse().expect("a formatted number");
            prop_assert_eq!(parse_number(&shown).ok(), Some(rounded + 0.0), "{}", shown);
        }
        Err(e) => prop_assert!(
            e.0.contains("geen getal") || e.0.contains("buiten het bereik"),
            "{}",
            e
        ),
    }
    Ok(())
}

#[test]
fn the_periods_and_dates_of_the_files_read() {
    for text in &values().periods {
        assert!(Period::parse(text).is_ok(), "{text:?}");
    }
    for text in &values().dates {
        assert!(FactDate::parse(text).is_ok(), "{text:?}");
    }
    for text in &values().numbers {
        assert!(parse_number(text).is_ok(), "{text:?}");
    }
}

proptest! {
    #![proptest_config(crate::target_config())]

    #[test]
    fn period_any_text_is_read_or_refused(text in text(&values().periods)) {
        check_period(&text)?;
    }
}

proptest! {
    #![proptest_config(crate::target_config())]

    #[test]
    fn fact_date_any_text_is_read_or_refused(text in text(&values().dates)) {
        check_date(&text)?;
    }
}

proptest! {
    #![proptest_config(crate::target_config())]

    #[test]
    fn number_any_text_is_read_or_refused(text in text(&values().numbers)) {
        check_number(&text)?;
    }
}

proptest! {
    #![proptest_config(crate::config())]

    #[test]
    fn number_every_finite_number_reads_back_as_written(
        v in any::<f64>().prop_filter("finite", |v| v.is_finite()),
        comma in any::<bool>(),
    ) {
        let written = v.to_string();
        let written = if comma { written.replace('.', ",") } else { written };
        if v.abs() <= MAX_VALUE {
            prop_assert_eq!(parse_number(&written), Ok(v));
        } else {
            // Beyond the monitor's range: refused, with the range in the message.
            let refused = parse_number(&written);
            prop_assert!(
                refused.as_ref().is_err_and(|e| e.0.contains("buiten het bereik")),
                "{written}: {refused:?}"
            );
        }
    }
}
