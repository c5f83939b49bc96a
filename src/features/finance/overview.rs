//! The money of the portfolio in one view: per plan, how it is financed in a year, and totals
//! per financing source, year, subregio and opgave. One place computes it; the page, the
//! downloads and the API render it.
//!
//! A plan counts once in every total. Under "per opgave" a plan with several opgaven counts
//! under each (the table says so) and the grand total counts it once. Amounts are summed where
//! they are known; how many lines have no amount is counted beside them, so "onbekend" is
//! never shown as € 0.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::model::{BudgetRow, CapacityRow, capacity_label};
use crate::domain::{ApplicationState, CapacityAssessment, CapacityUnit, Cents, FrameworkKind};
use crate::features::plans::model::{FundingSourceRow, PlanFilter};
use crate::features::plans::read::PlanHead;
use crate::store::{Store, StoreError};
use crate::web::view::Catalog;

/// How a plan is financed in a year, from the most to the least certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Secured {
    /// Money is granted (a line toegekend, or an amount granted).
    Granted,
    /// Money is applied for or an application is being prepared, not granted yet.
    Applied,
    /// The plan names a financing source, but no application or amount for the year.
    SourceKnown,
    /// Every application for the year was refused, and nothing else is known.
    Refused,
    /// No financing source is named at all.
    Unfunded,
}

impl Secured {
    pub const ALL: [Self; 5] = [
        Self::Granted,
        Self::Applied,
        Self::SourceKnown,
        Self::Refused,
        Self::Unfunded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Granted => "toegekend",
            Self::Applied => "aangevraagd",
            Self::SourceKnown => "bron-bekend",
            Self::Refused => "afgewezen",
            Self::Unfunded => "ongefinancierd",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Granted => "Toegekend",
            Self::Applied => "Aangevraagd of in voorbereiding, nog niet toegekend",
            Self::SourceKnown => "Bron bekend, bedrag onbekend",
            Self::Refused => "Afgewezen",
            Self::Unfunded => "Ongefinancierd: geen bron genoemd",
        }
    }

    /// A symbol beside the label, so the state never depends on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Granted => "●",
            Self::Applied => "◐",
            Self::SourceKnown => "○",
            Self::Refused => "×",
            Self::Unfunded => "!",
        }
    }

    pub fn is_secured(self) -> bool {
        self == Self::Granted
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == value)
    }
}

/// A sum of amounts that may be unknown: the total of the known ones and how many are not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Sum {
    /// Euro cents of the known amounts.
    pub cents: i64,
    /// Lines with an amount.
    pub known: usize,
    /// Lines without one.
    pub unknown: usize,
    /// Lines whose amount is an example ("voorbeeld").
    pub examples: usize,
}

impl Sum {
    fn add(&mut self, cents: Option<i64>, example: bool) {
        match cents {
            Some(c) => {
                self.cents = self.cents.saturating_add(c);
                self.known += 1;
                if example {
                    self.examples += 1;
                }
            }
            None => self.unknown += 1,
        }
    }

    /// As a reader sees it: "€ 120.000", "€ 120.000 (+ 2 onbekend)", "onbekend" or "–".
    pub fn label(&self) -> String {
        let mut text = match (self.known, self.unknown) {
            (0, 0) => "–".to_owned(),
            (0, _) => "onbekend".to_owned(),
            (_, 0) => Cents(self.cents).label_nl(),
            (_, n) => format!("{} (+ {n} onbekend)", Cents(self.cents).label_nl()),
        };
        if self.examples > 0 {
            text.push_str(" (voorbeeld)");
        }
        text
    }

    /// The amount, when at least one is known.
    pub fn cents(&self) -> Option<i64> {
        (self.known > 0).then_some(self.cents)
    }
}

/// Requested, granted and spent together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Money {
    pub requested: Sum,
    pub granted: Sum,
    pub spent: Sum,
}

impl Money {
    fn add(&mut self, b: &BudgetRow) {
        let example = b.is_example != 0;
        self.requested.add(b.requested_cents, example);
        self.granted.add(b.granted_cents, example);
        self.spent.add(b.spent_cents, example);
    }
}

/// One budget line as a plan's row shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    pub id: i64,
    pub source_id: String,
    pub source_name: String,
    pub state: Option<String>,
    pub state_label: String,
    pub requested: Option<i64>,
    pub granted: Option<i64>,
    pub spent: Option<i64>,
    pub is_example: bool,
    pub assumption: Option<String>,
}

/// A plan in a year: its sources, budget lines, how secure its money is, and its capacity.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanMoney {
    pub plan_id: String,
    pub plan_name: String,
    pub subregion: String,
    pub themes: Vec<String>,
    /// The financing sources the plan names (its own list and its budget lines, any year).
    pub sources: Vec<String>,
    pub lines: Vec<BudgetLine>,
    pub secured: Secured,
    pub money: Money,
    /// The capacity for the year: amount, assessment and note, when given.
    pub capacity: Option<String>,
    pub capacity_assessment: Option<String>,
    pub capacity_note: Option<String>,
}

/// A line of a totals table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotalLine {
    pub key: String,
    pub name: String,
    /// Plans counted in this line.
    pub plans: usize,
    pub money: Money,
    /// Plans whose money for the year is granted.
    pub granted_plans: usize,
}

/// The overview for one year and filter.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub year: i16,
    pub plans: Vec<PlanMoney>,
    pub per_source: Vec<TotalLine>,
    pub per_subregion: Vec<TotalLine>,
    /// A plan with several opgaven counts under each.
    pub per_theme: Vec<TotalLine>,
    /// Every year with budget lines, over the plans of the filter (not only the year shown).
    pub per_year: Vec<TotalLine>,
    /// Each plan once.
    pub total: TotalLine,
    /// How many plans have each state.
    pub secured_counts: Vec<(Secured, usize)>,
    pub capacity_counts: Vec<(String, usize)>,
    /// Plans that count under more than one opgave.
    pub multi_theme_plans: usize,
}

/// The filter of the overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub year: Option<i16>,
    pub subregio: String,
    pub opgave: String,
    pub bron: String,
    /// Only plans in this state; "niet-toegekend" is every state but granted.
    pub zeker: String,
}

/// The subregio a plan belongs to by its own area: the subregio itself, a gemeente's or wijk's
/// subregio, or the whole region.
fn subregion_of(catalog: &Catalog, area_id: &str) -> (String, String) {
    let mut id = Some(area_id.to_owned());
    while let Some(a) = id.as_deref().and_then(|i| catalog.area(i)) {
        if a.kind == "subregio" {
            return (a.id.clone(), a.name.clone());
        }
        if a.kind == "regio" {
            return (String::new(), format!("{} (hele regio)", a.name));
        }
        id.clone_from(&a.parent_id);
    }
    (String::new(), "Hele regio".to_owned())
}

fn secured_of(lines: &[&BudgetRow], names_a_source: bool) -> Secured {
    let state = |b: &BudgetRow| b.state();
    // Money granted or spent is money secured.
    if lines.iter().any(|b| {
        state(b) == Some(ApplicationState::Granted)
            || b.granted_cents.is_some()
            || b.spent_cents.is_some()
    }) {
        return Secured::Granted;
    }
    // A stated state decides; an amount requested counts only where no state is given.
    if lines.iter().any(|b| {
        matches!(
            state(b),
            Some(ApplicationState::Applied | ApplicationState::Preparing)
        ) || (state(b).is_none() && b.requested_cents.is_some())
    }) {
        return Secured::Applied;
    }
    if !lines.is_empty()
        && lines
            .iter()
            .all(|b| state(b) == Some(ApplicationState::Refused))
    {
        return Secured::Refused;
    }
    if names_a_source || !lines.is_empty() {
        Secured::SourceKnown
    } else {
        Secured::Unfunded
    }
}

impl Overview {
    pub async fn load(
        store: &Store,
        catalog: &Catalog,
        sources: &[FundingSourceRow],
        filter: &Filter,
    ) -> Result<Self, StoreError> {
        let plan_filter = PlanFilter {
            subregion: (!filter.subregio.is_empty()).then(|| filter.subregio.clone()),
            framework_items: if filter.opgave.is_empty() {
                Vec::new()
            } else {
                vec![filter.opgave.clone()]
            },
            ..PlanFilter::default()
        };
        // Only what the overview shows of a plan: not its texts.
        let plans: Vec<PlanHead> = store.plan_heads(&plan_filter).await?;
        let mut themes: HashMap<String, Vec<String>> = HashMap::new();
        for link in store.plan_framework(&plan_filter).await? {
            if catalog
                .item(&link.item_id)
                .is_some_and(|i| i.kind == FrameworkKind::Theme.code())
            {
                themes.entry(link.plan_id).or_default().push(link.item_id);
            }
        }
        let mut named: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (plan, source) in store.plan_funding().await? {
            named.entry(plan).or_default().insert(source);
        }
        let budgets = store.budgets().await?;
        let capacities = store.capacities().await?;
        for b in &budgets {
            named
                .entry(b.plan_id.clone())
                .or_default()
                .insert(b.funding_source_id.clone());
        }
        let this_year = crate::features::indicators::today().year();
        let year = filter.year.unwrap_or(this_year);
        let source_name = |id: &str| {
            sources
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| id.to_owned(), |s| s.name.clone())
        };
        // "Zvw (Reguliere bekostiging)": the kind when the source has a telling one.
        let source_with_kind = |id: &str| match sources.iter().find(|s| s.id == id) {
            Some(s) => match s.kind() {
                Some(k) if k != crate::domain::FundingKind::Other => {
                    format!("{} ({})", s.name, k.label())
                }
                _ => s.name.clone(),
            },
            None => id.to_owned(),
        };
        let mut per_plan_budgets: HashMap<&str, Vec<&BudgetRow>> = HashMap::new();
        for b in &budgets {
            per_plan_budgets
                .entry(b.plan_id.as_str())
                .or_default()
                .push(b);
        }
        let capacity_of: HashMap<(&str, i64), &CapacityRow> = capacities
            .iter()
            .map(|c| ((c.plan_id.as_str(), c.year), c))
            .collect();

        let mut rows = Vec::new();
        let mut per_year: BTreeMap<i64, TotalLine> = BTreeMap::new();
        for p in &plans {
            let all_lines = per_plan_budgets
                .get(p.id.as_str())
                .cloned()
                .unwrap_or_default();
            let sources_named = named.get(&p.id).cloned().unwrap_or_default();
            if !filter.bron.is_empty() && !sources_named.contains(&filter.bron) {
                continue;
            }
            let lines: Vec<&BudgetRow> = all_lines
                .iter()
                .copied()
                .filter(|b| b.year == i64::from(year))
                .filter(|b| filter.bron.is_empty() || b.funding_source_id == filter.bron)
                .collect();
            let secured = secured_of(&lines, !sources_named.is_empty());
            let keep = match filter.zeker.as_str() {
                "" => true,
                "niet-toegekend" => !secured.is_secured(),
                code => secured.code() == code,
            };
            if !keep {
                continue;
            }
            for b in &all_lines {
                if !filter.bron.is_empty() && b.funding_source_id != filter.bron {
                    continue;
                }
                let t = per_year.entry(b.year).or_insert_with(|| TotalLine {
                    key: b.year.to_string(),
                    name: b.year.to_string(),
                    plans: 0,
                    money: Money::default(),
                    granted_plans: 0,
                });
                t.money.add(b);
            }
            let mut money = Money::default();
            for b in &lines {
                money.add(b);
            }
            let capacity = capacity_of.get(&(p.id.as_str(), i64::from(year)));
            let (_, sub_name) = subregion_of(catalog, &p.area_id);
            rows.push((
                p,
                PlanMoney {
                    plan_id: p.id.clone(),
                    plan_name: p.name.clone(),
                    subregion: sub_name,
                    themes: themes
                        .get(&p.id)
                        .map(|ts| {
                            ts.iter()
                                .filter_map(|t| catalog.item(t).map(|i| i.name.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    sources: sources_named.iter().map(|s| source_name(s)).collect(),
                    lines: lines
                        .iter()
                        .map(|b| BudgetLine {
                            id: b.id,
                            source_id: b.funding_source_id.clone(),
                            source_name: source_name(&b.funding_source_id),
                            state: b.state.clone(),
                            state_label: b.state().map_or_else(
                                || "stand onbekend".to_owned(),
                                |s| s.label().to_lowercase(),
                            ),
                            requested: b.requested_cents,
                            granted: b.granted_cents,
                            spent: b.spent_cents,
                            is_example: b.is_example != 0,
                            assumption: b.assumption.clone(),
                        })
                        .collect(),
                    secured,
                    money,
                    capacity: capacity.and_then(|c| {
                        c.amount
                            .zip(c.unit.as_deref().and_then(|u| CapacityUnit::parse(u).ok()))
                            .map(|(v, u)| capacity_label(v, u))
                    }),
                    capacity_assessment: capacity
                        .and_then(|c| c.assessment.as_deref())
                        .and_then(|a| CapacityAssessment::parse(a).ok())
                        .map(|a| a.label().to_owned()),
                    capacity_note: capacity.and_then(|c| c.note.clone()),
                },
                themes.get(&p.id).cloned().unwrap_or_default(),
                all_lines,
            ));
        }
        // Plans per year: each plan once per year it has lines in.
        for (_, _, _, all_lines) in &rows {
            let years: BTreeSet<i64> = all_lines
                .iter()
                .filter(|b| filter.bron.is_empty() || b.funding_source_id == filter.bron)
                .map(|b| b.year)
                .collect();
            for y in years {
                if let Some(t) = per_year.get_mut(&y) {
                    t.plans += 1;
                    let lines: Vec<&BudgetRow> =
                        all_lines.iter().copied().filter(|b| b.year == y).collect();
                    if secured_of(&lines, true).is_secured() {
                        t.granted_plans += 1;
                    }
                }
            }
        }

        let line = |key: String, name: String| TotalLine {
            key,
            name,
            plans: 0,
            money: Money::default(),
            granted_plans: 0,
        };
        // Per source: a plan counts under each source it names; its lines of that source.
        let mut per_source: BTreeMap<String, TotalLine> = BTreeMap::new();
        let mut per_subregion: BTreeMap<String, TotalLine> = BTreeMap::new();
        let mut per_theme: BTreeMap<String, TotalLine> = BTreeMap::new();
        let mut total = line(String::new(), "Alle plannen (elk plan één keer)".to_owned());
        let mut multi_theme_plans = 0;
        for (p, pm, plan_themes, _) in &rows {
            let granted = usize::from(pm.secured.is_secured());
            let source_ids: BTreeSet<String> = named
                .get(&p.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|s| filter.bron.is_empty() || *s == filter.bron)
                .collect();
            for s in &source_ids {
                let t = per_source
                    .entry(s.clone())
                    .or_insert_with(|| line(s.clone(), source_with_kind(s)));
                t.plans += 1;
                for b in pm.lines.iter().filter(|b| b.source_id == *s) {
                    t.money.requested.add(b.requested, b.is_example);
                    t.money.granted.add(b.granted, b.is_example);
                    t.money.spent.add(b.spent, b.is_example);
                }
                if pm.lines.iter().any(|b| {
                    b.source_id == *s
                        && (b.state.as_deref() == Some("toegekend") || b.granted.is_some())
                }) {
                    t.granted_plans += 1;
                }
            }
            let (sub_id, sub_name) = subregion_of(catalog, &p.area_id);
            let t = per_subregion
                .entry(sub_id.clone())
                .or_insert_with(|| line(sub_id.clone(), sub_name));
            t.plans += 1;
            t.money = add_money(t.money, pm.money);
            t.granted_plans += granted;
            let theme_keys: Vec<String> = if plan_themes.is_empty() {
                vec![String::new()]
            } else {
                plan_themes.clone()
            };
            if theme_keys.len() > 1 {
                multi_theme_plans += 1;
            }
            for k in theme_keys {
                let name = catalog
                    .item(&k)
                    .map_or_else(|| "Geen opgave genoemd".to_owned(), |i| i.name.clone());
                let t = per_theme.entry(k.clone()).or_insert_with(|| line(k, name));
                t.plans += 1;
                t.money = add_money(t.money, pm.money);
                t.granted_plans += granted;
            }
            total.plans += 1;
            total.money = add_money(total.money, pm.money);
            total.granted_plans += granted;
        }
        let theme_order: Vec<&str> = catalog
            .items(FrameworkKind::Theme)
            .map(|t| t.id.as_str())
            .collect();
        let mut per_theme: Vec<TotalLine> = per_theme.into_values().collect();
        per_theme.sort_by_key(|t| {
            theme_order
                .iter()
                .position(|x| *x == t.key)
                .unwrap_or(usize::MAX)
        });
        let mut per_source: Vec<TotalLine> = per_source.into_values().collect();
        per_source.sort_by(|a, b| a.name.cmp(&b.name));
        let mut per_subregion: Vec<TotalLine> = per_subregion.into_values().collect();
        per_subregion.sort_by(|a, b| {
            a.key
                .is_empty()
                .cmp(&b.key.is_empty())
                .then(a.name.cmp(&b.name))
        });

        let mut plans: Vec<PlanMoney> = rows.into_iter().map(|(_, pm, _, _)| pm).collect();
        plans.sort_by(|a, b| {
            a.secured
                .cmp(&b.secured)
                .reverse()
                .then(a.plan_name.cmp(&b.plan_name))
        });
        let secured_counts = Secured::ALL
            .into_iter()
            .map(|s| (s, plans.iter().filter(|p| p.secured == s).count()))
            .collect();
        let capacity_counts = CapacityAssessment::ALL
            .iter()
            .map(|a| {
                (
                    a.label().to_owned(),
                    plans
                        .iter()
                        .filter(|p| p.capacity_assessment.as_deref() == Some(a.label()))
                        .count(),
                )
            })
            .chain(std::iter::once((
                "Geen indicatie".to_owned(),
                plans
                    .iter()
                    .filter(|p| p.capacity_assessment.is_none())
                    .count(),
            )))
            .collect();
        Ok(Self {
            year,
            plans,
            per_source,
            per_subregion,
            per_theme,
            per_year: per_year.into_values().collect(),
            total,
            secured_counts,
            capacity_counts,
            multi_theme_plans,
        })
    }
}

fn add_sum(a: Sum, b: Sum) -> Sum {
    Sum {
        cents: a.cents.saturating_add(b.cents),
        known: a.known + b.known,
        unknown: a.unknown + b.unknown,
        examples: a.examples + b.examples,
    }
}

fn add_money(a: Money, b: Money) -> Money {
    Money {
        requested: add_sum(a.requested, b.requested),
        granted: add_sum(a.granted, b.granted),
        spent: add_sum(a.spent, b.spent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_amount_is_never_shown_as_zero() {
        let mut s = Sum::default();
        assert_eq!(s.label(), "–");
        s.add(None, false);
        assert_eq!(s.label(), "onbekend");
        s.add(Some(12_000_000), false);
        assert_eq!(s.label(), "€ 120.000 (+ 1 onbekend)");
        s.add(Some(50), true);
        assert_eq!(s.label(), "€ 120.000,50 (+ 1 onbekend) (voorbeeld)");
    }

    fn budget(state: Option<&str>, granted: Option<i64>) -> BudgetRow {
        BudgetRow {
            id: 1,
            plan_id: "p".into(),
            funding_source_id: "s".into(),
            year: 2026,
            state: state.map(str::to_owned),
            state_date: None,
            requested_cents: None,
            requested_date: None,
            requested_source_id: None,
            granted_cents: granted,
            granted_date: None,
            granted_source_id: None,
            spent_cents: None,
            spent_date: None,
            spent_source_id: None,
            note: None,
            source_id: None,
            assumption: None,
            is_example: 0,
            version: 1,
        }
    }

    #[test]
    fn a_plan_is_as_secure_as_its_most_certain_line() {
        let granted = budget(Some("toegekend"), None);
        let applied = budget(Some("aangevraagd"), None);
        let refused = budget(Some("afgewezen"), None);
        let unknown = budget(None, None);
        assert_eq!(secured_of(&[&applied, &granted], true), Secured::Granted);
        assert_eq!(
            secured_of(&[&budget(None, Some(5))], true),
            Secured::Granted
        );
        assert_eq!(secured_of(&[&applied, &refused], true), Secured::Applied);
        assert_eq!(secured_of(&[&refused], true), Secured::Refused);
        let mut refused_with_amount = budget(Some("afgewezen"), None);
        refused_with_amount.requested_cents = Some(500);
        assert_eq!(secured_of(&[&refused_with_amount], true), Secured::Refused);
        let mut asked = budget(None, None);
        asked.requested_cents = Some(500);
        assert_eq!(secured_of(&[&asked], true), Secured::Applied);
        let mut spent = budget(None, None);
        spent.spent_cents = Some(500);
        assert_eq!(secured_of(&[&spent], true), Secured::Granted);
        assert_eq!(
            secured_of(&[&budget(Some("in-voorbereiding"), None)], true),
            Secured::Applied
        );
        assert_eq!(secured_of(&[&unknown], true), Secured::SourceKnown);
        assert_eq!(secured_of(&[], true), Secured::SourceKnown);
        assert_eq!(secured_of(&[], false), Secured::Unfunded);
    }
}
