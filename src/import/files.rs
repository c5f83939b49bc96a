//! The shape of the portfolio files as written by people (Dutch keys). See
//! docs/portfolio-format.md; these structs are only read, then checked in `check.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::features::plans::texts::{plan_texts, with_plan_texts};

/// Everything one TOML file may contain; every table is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlFile {
    #[serde(default)]
    pub bron: Vec<Spanned<SourceRow>>,
    pub regio: Option<Spanned<AreaRow>>,
    #[serde(default)]
    pub subregio: Vec<Spanned<AreaRow>>,
    #[serde(default)]
    pub wijk: Vec<Spanned<DistrictRow>>,
    #[serde(default)]
    pub principe: Vec<Spanned<FrameworkRow>>,
    #[serde(default)]
    pub transformatie: Vec<Spanned<FrameworkRow>>,
    #[serde(default)]
    pub opgave: Vec<Spanned<FrameworkRow>>,
    #[serde(default)]
    pub fundament: Vec<Spanned<FrameworkRow>>,
    #[serde(default)]
    pub akkoord: Vec<Spanned<FrameworkRow>>,
    #[serde(default)]
    pub financieringsbron: Vec<Spanned<FundingRow>>,
    #[serde(default)]
    pub organisatie: Vec<Spanned<OrganisationRow>>,
    #[serde(default)]
    pub overleg: Vec<Spanned<BodyRow>>,
    #[serde(default)]
    pub plan: Vec<Spanned<PlanRow>>,
    #[serde(default)]
    pub indicator: Vec<Spanned<IndicatorRow>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRow {
    pub id: String,
    pub titel: String,
    pub datum: String,
    pub toelichting: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaRow {
    pub id: String,
    pub naam: String,
    pub bron: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictRow {
    pub id: String,
    pub naam: String,
    pub gemeente: String,
    pub bron: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkRow {
    pub id: String,
    pub naam: String,
    pub nummer: Option<i64>,
    pub omschrijving: Option<String>,
    pub bron: Option<String>,
    /// Only for transformations: the principles they serve.
    #[serde(default)]
    pub principes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingRow {
    pub id: String,
    pub naam: String,
    pub omschrijving: Option<String>,
    pub bron: Option<String>,
    /// spuk, transformatiegelden, subsidie, regulier, gemeentelijk or overig.
    pub soort: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRow {
    pub id: String,
    pub naam: String,
    pub soort: String,
    pub website: Option<String>,
    pub bron: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRow {
    pub id: String,
    pub naam: String,
    pub niveau: String,
    /// werkgroep, kernteam, regiegroep or bbo: the kind of body.
    pub soort: Option<String>,
    pub subregio: Option<String>,
    /// The id of the body an action here escalates to (the next rung of the ladder).
    pub escaleert_naar: Option<String>,
    /// Why that order, when no document states it (an aanname).
    pub aanname_escalatie: Option<String>,
    pub omschrijving: Option<String>,
    pub bron: Option<String>,
}

plan_texts!(with_plan_texts! {
file Option<String>,
/// A plan in `plannen.toml`; its free texts (`waarover`, `resultaat`, ...) follow the listed
/// fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRow {
    pub id: String,
    pub naam: String,
    pub soort: String,
    pub ouder: Option<String>,
    pub gebied: String,
    /// The areas the plan runs in, when more than its own `gebied` (ids of the regio,
    /// subregio's or gemeenten).
    #[serde(default)]
    pub werkgebied: Vec<String>,
    #[serde(default)]
    pub akkoorden: Vec<String>,
    #[serde(default)]
    pub trekkers: Vec<String>,
    #[serde(default)]
    pub betrokkenen: Vec<String>,
    pub fase: Option<String>,
    #[serde(default)]
    pub financiering: Vec<String>,
    pub rol_netwerk: Option<String>,
    pub nieuw: Option<bool>,
    pub uitvoering: Option<String>,
    #[serde(default)]
    pub principes: Vec<String>,
    #[serde(default)]
    pub transformaties: Vec<String>,
    #[serde(default)]
    pub opgaven: Vec<String>,
    #[serde(default)]
    pub fundamenten: Vec<String>,
    #[serde(default)]
    pub links: Vec<LinkRow>,
    pub bron: Option<String>,
    /// Fields whose value is a reasoned choice the source does not state: key → reason.
    #[serde(default)]
    pub aannames: BTreeMap<String, String>,
    #[serde(default)]
    pub uitrol: Vec<RolloutRow>,
    #[serde(default)]
    pub historie: Vec<StageRow>,
    #[serde(default)]
    pub mijlpaal: Vec<MilestoneRow>,
    #[serde(default)]
    pub budget: Vec<BudgetRow>,
    #[serde(default)]
    pub capaciteit: Vec<CapacityRow>,
}
});

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRow {
    pub titel: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutRow {
    pub gemeente: String,
    pub status: String,
    pub wijk: Option<String>,
    pub toelichting: Option<String>,
    pub datum: String,
    pub bron: Option<String>,
    /// Why this cell is a reasoned choice the source does not state, when it is one.
    pub aanname: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRow {
    pub datum: String,
    pub fase: String,
    pub toelichting: Option<String>,
    pub bron: Option<String>,
    /// Why this step is a reasoned choice the source does not state, when it is one.
    pub aanname: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneRow {
    pub titel: String,
    pub periode: Option<String>,
    pub opgave: Option<String>,
    pub toelichting: Option<String>,
    pub bron: Option<String>,
    /// gepland (when left out), gehaald, verschoven or vervallen.
    pub status: Option<String>,
    /// When the status took effect; unknown when left out.
    pub status_datum: Option<String>,
    /// The source of the status, when another than the milestone's.
    pub status_bron: Option<String>,
    /// Why the period is a reasoned reading of the source, when it is one.
    pub aanname: Option<String>,
}

/// Money for a plan from one financing source in one year (`[[plan.budget]]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetRow {
    pub financieringsbron: String,
    pub jaar: i64,
    /// in-voorbereiding, aangevraagd, toegekend or afgewezen.
    pub stand: Option<String>,
    pub stand_datum: Option<String>,
    pub aangevraagd: Option<AmountRow>,
    pub toegekend: Option<AmountRow>,
    pub besteed: Option<AmountRow>,
    pub toelichting: Option<String>,
    pub bron: Option<String>,
    pub aanname: Option<String>,
    /// Example amounts of a demo, never facts: shown as "voorbeeld".
    #[serde(default)]
    pub voorbeeld: bool,
}

/// An amount in euro with the date it took effect and its source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRow {
    pub bedrag: f64,
    pub datum: Option<String>,
    pub bron: Option<String>,
}

/// Personnel capacity as an indication for a plan in a year (`[[plan.capaciteit]]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityRow {
    pub jaar: i64,
    pub fte: Option<f64>,
    pub uren: Option<f64>,
    /// voldoende, krap or onvoldoende.
    pub oordeel: Option<String>,
    pub toelichting: Option<String>,
    pub datum: Option<String>,
    pub bron: Option<String>,
}

/// A KPI (`[[indicator]]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRow {
    pub id: String,
    pub naam: String,
    pub omschrijving: Option<String>,
    /// resultaat or inspanning
    pub soort: String,
    /// kwantitatief or narratief
    pub meetwijze: String,
    pub eenheid: Option<String>,
    /// hoger or lager
    pub richting: Option<String>,
    pub nulmeting: Option<f64>,
    pub nulmeting_periode: Option<String>,
    pub streefwaarde: Option<f64>,
    pub streefperiode: Option<String>,
    /// For a narrative KPI: what reaching it looks like.
    pub streefbeeld: Option<String>,
    #[serde(default)]
    pub tussendoel: Vec<IndicatorMilestoneRow>,
    pub transformatie: Option<String>,
    #[serde(default)]
    pub plannen: Vec<String>,
    pub eigenaar: Option<String>,
    pub eigenaar_rol: Option<String>,
    pub databron: Option<String>,
    pub frequentie: String,
    pub niveau: String,
    pub bron: Option<String>,
    /// Fields whose value is a reasoned choice the source does not state: key → reason.
    #[serde(default)]
    pub aannames: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorMilestoneRow {
    pub periode: String,
    pub waarde: f64,
}

/// One row of `gemeenten.csv`.
#[derive(Debug, Deserialize)]
pub struct GemeenteRow {
    pub cbs_code: String,
    pub gemeente: String,
    pub subregio: String,
}
