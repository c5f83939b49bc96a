//! Checks the `[[indicator]]` tables: the KPI's of the portfolio and their targets.

use std::collections::{HashMap, HashSet};

use super::{At, Checker, trimmed};
use crate::domain::{
    AreaLevel, Direction, FrameworkKind, Frequency, IndicatorKind, Measure, Period,
};
use crate::features::indicators::model::IndicatorField;
use crate::import::files::IndicatorRow;
use crate::import::{Indicator, IndicatorFields};

pub(super) struct Context<'a> {
    pub kinds: &'a HashMap<String, FrameworkKind>,
    pub source_ids: &'a HashSet<String>,
    pub organisation_ids: &'a HashSet<String>,
    pub plan_ids: &'a HashSet<String>,
}

pub(super) fn check_all(
    c: &mut Checker,
    rows: &[(At, &IndicatorRow)],
    cx: &Context<'_>,
) -> Vec<Indicator> {
    let mut seen = HashMap::new();
    let mut indicators = Vec::new();
    for (at, row) in rows {
        let id = c.slug(at, &row.id);
        c.unique(&mut seen, at, &id);
        if let Some(indicator) = check_one(c, at, row, id, cx) {
            indicators.push(indicator);
        }
    }
    indicators
}

fn period(c: &mut Checker, at: &At, field: &str, value: Option<&String>) -> Option<Period> {
    value.and_then(|v| c.field(at, field, Period::parse(v)))
}

fn check_one(
    c: &mut Checker,
    at: &At,
    row: &IndicatorRow,
    id: String,
    cx: &Context<'_>,
) -> Option<Indicator> {
    let before = c.problems.len();
    let kind = c.field(at, "soort", IndicatorKind::parse(&row.soort));
    let measure = c.field(at, "meetwijze", Measure::parse(&row.meetwijze));
    let frequency = c.field(at, "frequentie", Frequency::parse(&row.frequentie));
    let area_level = c.field(at, "niveau", AreaLevel::parse(&row.niveau));
    let direction = row
        .richting
        .as_deref()
        .and_then(|d| c.field(at, "richting", Direction::parse(d)));
    let baseline_period = period(c, at, "nulmeting_periode", row.nulmeting_periode.as_ref());
    let target_period = period(c, at, "streefperiode", row.streefperiode.as_ref());
    let baseline = pair(c, at, "nulmeting", row.nulmeting, baseline_period);
    let target = pair(c, at, "streefwaarde", row.streefwaarde, target_period);
    for (field, value) in [
        ("nulmeting", row.nulmeting),
        ("streefwaarde", row.streefwaarde),
    ] {
        if let Some(v) = value {
            finite(c, at, field, v);
        }
    }
    let mut milestones = Vec::new();
    for m in &row.tussendoel {
        let period = c.field(at, "tussendoel.periode", Period::parse(&m.periode));
        let value = finite(c, at, "tussendoel.waarde", m.waarde);
        if let (Some(p), Some(v)) = (period, value) {
            milestones.push((p, v));
        }
    }
    match measure {
        Some(Measure::Quantitative) if row.richting.is_none() => c.report(
            at,
            "veld richting: een kwantitatieve KPI zegt of hoger of lager beter is; vul hoger of lager in",
        ),
        Some(Measure::Narrative)
            if row.richting.is_some()
                || row.nulmeting.is_some()
                || row.streefwaarde.is_some()
                || !row.tussendoel.is_empty() =>
        {
            c.report(
                at,
                "een narratieve KPI heeft geen richting, nulmeting, streefwaarde of tussendoel; beschrijf het doel in streefbeeld",
            );
        }
        _ => {}
    }
    let transformation_id = match row.transformatie.as_deref() {
        Some(t) if cx.kinds.get(t) == Some(&FrameworkKind::Transformation) => Some(t.to_owned()),
        Some(t) => {
            c.report(
                at,
                format!("veld transformatie: \"{t}\" is geen bekende transformatie; kies een id uit [[transformatie]]"),
            );
            None
        }
        None => None,
    };
    for plan in &row.plannen {
        c.reference(at, "plannen", plan, cx.plan_ids, "plan");
    }
    let owner_organisation_id = row
        .eigenaar
        .as_ref()
        .filter(|o| c.reference(at, "eigenaar", o, cx.organisation_ids, "organisatie"));
    let source_id = c.source(at, row.bron.as_ref(), cx.source_ids);
    let assumptions = c.assumptions(at, &row.aannames, |key| indicator_field_of(row, key));
    if c.problems.len() > before {
        return None;
    }
    Some(Indicator {
        id,
        assumptions,
        fields: IndicatorFields {
            name: row.naam.trim().to_owned(),
            description: trimmed(&row.omschrijving),
            kind: kind?,
            measure: measure?,
            unit: trimmed(&row.eenheid),
            direction,
            baseline,
            target,
            target_text: trimmed(&row.streefbeeld),
            milestones,
            transformation_id,
            plans: row.plannen.clone(),
            owner_organisation_id: owner_organisation_id.cloned(),
            owner_role: trimmed(&row.eigenaar_rol),
            data_source: trimmed(&row.databron),
            frequency: frequency?,
            area_level: area_level?,
            source_id,
        },
    })
}

/// The field a key of an `[[indicator]]` names, and whether the row fills it, for its
/// `aannames`. A value and its period are two fields: the year of a target can be an aanname
/// while its value is stated.
fn indicator_field_of(row: &IndicatorRow, key: &str) -> Option<(IndicatorField, bool)> {
    Some(match key {
        "naam" => (IndicatorField::Name, true),
        "omschrijving" => (IndicatorField::Description, row.omschrijving.is_some()),
        "soort" => (IndicatorField::Kind, true),
        "meetwijze" => (IndicatorField::Measure, true),
        "eenheid" => (IndicatorField::Unit, row.eenheid.is_some()),
        "richting" => (IndicatorField::Direction, row.richting.is_some()),
        "nulmeting" => (IndicatorField::Baseline, row.nulmeting.is_some()),
        "nulmeting_periode" => (IndicatorField::BaselinePeriod, row.nulmeting.is_some()),
        "streefwaarde" => (IndicatorField::Target, row.streefwaarde.is_some()),
        "streefperiode" => (IndicatorField::TargetPeriod, row.streefwaarde.is_some()),
        "streefbeeld" => (IndicatorField::TargetText, row.streefbeeld.is_some()),
        "tussendoel" => (IndicatorField::Milestones, !row.tussendoel.is_empty()),
        "transformatie" => (IndicatorField::Transformation, row.transformatie.is_some()),
        "plannen" => (IndicatorField::Plans, !row.plannen.is_empty()),
        "eigenaar" => (IndicatorField::OwnerOrganisation, row.eigenaar.is_some()),
        "eigenaar_rol" => (IndicatorField::OwnerRole, row.eigenaar_rol.is_some()),
        "databron" => (IndicatorField::DataSource, row.databron.is_some()),
        "frequentie" => (IndicatorField::Frequency, true),
        "niveau" => (IndicatorField::AreaLevel, true),
        "bron" => (IndicatorField::Source, row.bron.is_some()),
        _ => return None,
    })
}

/// A number TOML reads as `nan` or `inf` is no value a status can be measured against.
fn finite(c: &mut Checker, at: &At, field: &str, value: f64) -> Option<f64> {
    if value.is_finite() {
        Some(value)
    } else {
        c.report(
            at,
            format!("veld {field}: {value} is geen getal; schrijf een getal zoals 12.5"),
        );
        None
    }
}

/// A value with its period: both or neither.
fn pair(
    c: &mut Checker,
    at: &At,
    field: &str,
    value: Option<f64>,
    period: Option<Period>,
) -> Option<(Period, f64)> {
    match (value, period) {
        (Some(v), Some(p)) => Some((p, v)),
        (None, None) => None,
        (Some(_), None) => {
            c.report(
                at,
                format!("veld {field}: noem ook de periode ervan, bijvoorbeeld 2026"),
            );
            None
        }
        (None, Some(_)) => {
            c.report(
                at,
                format!("veld {field}: er is een periode maar geen waarde; vul de waarde in"),
            );
            None
        }
    }
}
