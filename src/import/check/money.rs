//! Checks a plan's `[[plan.budget]]` and `[[plan.capaciteit]]` tables: money per financing
//! source and year, and personnel capacity per year.

use std::collections::HashSet;

use super::{At, Checker, trimmed};
use crate::domain::{ApplicationState, CapacityAssessment, CapacityUnit, Cents, FactDate};
use crate::features::finance::model::{
    Amount, BudgetFields, CapacityFields, capacity_amount, year,
};
use crate::import::files::{AmountRow, PlanRow};

fn amount(
    c: &mut Checker,
    at: &At,
    where_: &str,
    row: Option<&AmountRow>,
    sources: &HashSet<String>,
) -> Amount {
    let Some(row) = row else {
        return Amount::default();
    };
    Amount {
        cents: c.field(
            at,
            &format!("{where_}, bedrag"),
            Cents::from_euros(row.bedrag),
        ),
        date: row
            .datum
            .as_ref()
            .and_then(|d| c.field(at, &format!("{where_}, datum"), FactDate::parse(d))),
        source_id: c.source(at, row.bron.as_ref(), sources),
    }
}

pub(super) fn budgets(
    c: &mut Checker,
    at: &At,
    row: &PlanRow,
    funding_ids: &HashSet<String>,
    sources: &HashSet<String>,
) -> Vec<BudgetFields> {
    let mut seen = HashSet::new();
    let mut budgets = Vec::new();
    for (i, b) in row.budget.iter().enumerate() {
        let where_ = format!("budget nr. {}", i + 1);
        let known = c.reference(
            at,
            &format!("{where_}, financieringsbron"),
            &b.financieringsbron,
            funding_ids,
            "financieringsbron",
        );
        let year = c.field(at, &format!("{where_}, jaar"), year(b.jaar));
        let state = b
            .stand
            .as_ref()
            .and_then(|s| c.field(at, &format!("{where_}, stand"), ApplicationState::parse(s)));
        let state_date = b
            .stand_datum
            .as_ref()
            .and_then(|d| c.field(at, &format!("{where_}, stand_datum"), FactDate::parse(d)));
        let requested = amount(
            c,
            at,
            &format!("{where_}, aangevraagd"),
            b.aangevraagd.as_ref(),
            sources,
        );
        let granted = amount(
            c,
            at,
            &format!("{where_}, toegekend"),
            b.toegekend.as_ref(),
            sources,
        );
        let spent = amount(
            c,
            at,
            &format!("{where_}, besteed"),
            b.besteed.as_ref(),
            sources,
        );
        let source_id = c.source(at, b.bron.as_ref(), sources);
        if b.bron.is_none() {
            c.report(
                at,
                format!("{where_}, bron: noem de bron van dit budget (zie [[bron]])"),
            );
        }
        let Some(year) = year else { continue };
        if !seen.insert((b.financieringsbron.clone(), year)) {
            c.report(
                at,
                format!(
                    "{where_}: er is al een budget van \"{}\" voor {year}; voeg ze samen",
                    b.financieringsbron
                ),
            );
            continue;
        }
        if known {
            budgets.push(BudgetFields {
                funding_source_id: b.financieringsbron.clone(),
                year,
                state,
                state_date,
                requested,
                granted,
                spent,
                note: trimmed(&b.toelichting),
                source_id,
                assumption: trimmed(&b.aanname),
                is_example: b.voorbeeld,
            });
        }
    }
    budgets
}

pub(super) fn capacities(
    c: &mut Checker,
    at: &At,
    row: &PlanRow,
    sources: &HashSet<String>,
) -> Vec<CapacityFields> {
    let mut seen = HashSet::new();
    let mut capacities = Vec::new();
    for (i, r) in row.capaciteit.iter().enumerate() {
        let where_ = format!("capaciteit nr. {}", i + 1);
        let year = c.field(at, &format!("{where_}, jaar"), year(r.jaar));
        let amount = match (r.fte, r.uren) {
            (Some(_), Some(_)) => {
                c.report(at, format!("{where_}: geef fte of uren, niet allebei"));
                None
            }
            (Some(v), None) => Some((v, CapacityUnit::Fte)),
            (None, Some(v)) => Some((v, CapacityUnit::Hours)),
            (None, None) => None,
        };
        let amount = amount.and_then(|(v, unit)| {
            c.field(
                at,
                &format!("{where_}, {}", unit.code()),
                capacity_amount(v),
            )
            .map(|v| (v, unit))
        });
        let assessment = r.oordeel.as_ref().and_then(|o| {
            c.field(
                at,
                &format!("{where_}, oordeel"),
                CapacityAssessment::parse(o),
            )
        });
        let date = r
            .datum
            .as_ref()
            .and_then(|d| c.field(at, &format!("{where_}, datum"), FactDate::parse(d)));
        let source_id = c.source(at, r.bron.as_ref(), sources);
        let Some(year) = year else { continue };
        if !seen.insert(year) {
            c.report(
                at,
                format!("{where_}: er is al een capaciteit voor {year}; voeg ze samen"),
            );
            continue;
        }
        capacities.push(CapacityFields {
            year,
            amount,
            assessment,
            note: trimmed(&r.toelichting),
            date,
            source_id,
        });
    }
    capacities
}
