//! The portfolio as the overview shows it, per plan and gemeente, today or on a peildatum.
//!
//! A cell holds the gemeente's own fact when a source gives one (a rollout). Otherwise, for a
//! gemeente in the plan's working area, it follows the plan: the plan's stage mapped to the
//! overview's words by [`Stage::overview`], marked as such and never counted as a gemeente
//! fact. Outside the working area a cell is empty.
//!
//! On a peildatum the state is rebuilt from the effective-dated history: a stage or rollout
//! step counts when its date (as precisely as its source gives it) lies wholly on or before
//! the day; a step whose period holds the day is named as "mogelijk al" and not counted; a
//! step without a date is never counted.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;

use crate::domain::{FactDate, FrameworkKind, Overview, RolloutStatus, Stage};
use crate::features::plans::model::{PlanFilter, PlanRow};
use crate::store::{Store, StoreError};
use crate::web::error::WebError;
use crate::web::view::Catalog;

/// The day the portfolio is shown as it stood on (`?peildatum=YYYY-MM-DD`); `None` is now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peildatum(pub Option<Date>);

impl Peildatum {
    /// Takes `peildatum` out of the query pairs; a day today or later is now.
    pub fn split(pairs: &[(String, String)]) -> Result<(Self, Vec<(String, String)>), WebError> {
        let mut day = None;
        let mut rest = Vec::new();
        for (k, v) in pairs {
            if k == "peildatum" {
                if v.trim().is_empty() {
                    continue;
                }
                let d = crate::domain::parse_date(v)
                    .map_err(|e| WebError::BadRequest(format!("Peildatum: {e}.")))?;
                day = Some(d);
            } else {
                rest.push((k.clone(), v.clone()));
            }
        }
        let today = crate::features::indicators::today();
        Ok((Self(day.filter(|d| *d < today)), rest))
    }

    /// "9 oktober 2025", or today's date.
    pub fn label(self) -> String {
        crate::domain::format_date_nl(self.0.unwrap_or_else(crate::features::indicators::today))
    }

    /// `peildatum=2025-10-09` for links, or empty for now.
    pub fn query(self) -> String {
        self.0.map(|d| format!("peildatum={d}")).unwrap_or_default()
    }

    pub fn is_past(self) -> bool {
        self.0.is_some()
    }

    /// The value for a date input: the day, or empty for now.
    pub fn value(self) -> String {
        self.0.map(|d| d.to_string()).unwrap_or_default()
    }
}

/// Whether a stored date lies wholly on or before `day` (certain), holds `day` (maybe), or
/// lies after it or is unknown.
fn placed(date: &str, day: Date) -> Option<bool> {
    let (start, end) = FactDate::from_stored(date).interval()?;
    if end <= day {
        Some(true)
    } else if start <= day {
        Some(false)
    } else {
        None
    }
}

/// A plan's stage in the overview, with the date and source of the step that set it.
#[derive(Debug, Clone, Default)]
pub struct StageFact {
    pub stage: Option<Stage>,
    /// The stored date of the step (a `FactDate`), when a step says it.
    pub date: Option<String>,
    pub source_id: Option<String>,
    /// On a peildatum: a later step whose period holds the day ("mogelijk al ...").
    pub maybe: Option<(Stage, String)>,
}

impl StageFact {
    pub fn overview(&self) -> Overview {
        Stage::overview_of(self.stage)
    }
}

/// A gemeente's own fact about a plan: its rollout status there.
#[derive(Debug, Clone)]
pub struct OwnFact {
    pub status: RolloutStatus,
    pub date: String,
    pub source_id: Option<String>,
    pub note: Option<String>,
    pub assumption: Option<String>,
}

impl OwnFact {
    fn new(
        status: RolloutStatus,
        date: String,
        source_id: Option<String>,
        note: Option<String>,
        assumption: Option<String>,
    ) -> Self {
        Self {
            status,
            date,
            source_id,
            note,
            assumption,
        }
    }
}

/// What a cell of the matrix shows.
pub enum CellFact<'a> {
    Own(&'a OwnFact),
    FollowsPlan(&'a StageFact),
    Outside,
}

impl CellFact<'_> {
    /// The overview's word of the cell; `None` outside the working area.
    pub fn overview(&self) -> Option<Overview> {
        match self {
            Self::Own(f) => Some(f.status.overview()),
            Self::FollowsPlan(s) => Some(s.overview()),
            Self::Outside => None,
        }
    }
}

/// The counts of one gemeente, keeping its own facts apart from those that follow a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Running by the gemeente's own fact ("lopend in de gemeente").
    pub running_own: usize,
    /// Running because the plan runs and the gemeente lies in its working area ("loopt via het
    /// plan").
    pub running_via_plan: usize,
    /// Planned, by the gemeente's own fact or by the plan's stage.
    pub planned: usize,
    /// Of the planned ones, those that follow the plan.
    pub planned_via_plan: usize,
}

impl Counts {
    /// Counts one cell.
    pub fn add(&mut self, cell: &CellFact<'_>) {
        let via_plan = matches!(cell, CellFact::FollowsPlan(_));
        match cell.overview() {
            Some(o) if o.is_running() && via_plan => self.running_via_plan += 1,
            Some(o) if o.is_running() => self.running_own += 1,
            Some(Overview::Planned) => {
                self.planned += 1;
                if via_plan {
                    self.planned_via_plan += 1;
                }
            }
            _ => {}
        }
    }

    pub fn running(&self) -> usize {
        self.running_own + self.running_via_plan
    }
}

/// The plans a filter selects with their stage, their cells and their working areas' gemeenten,
/// now or on a peildatum.
pub struct PortfolioView {
    pub as_of: Peildatum,
    pub plans: Vec<PlanRow>,
    stages: HashMap<String, StageFact>,
    /// Per plan, per gemeente, the gemeente's own fact.
    own: HashMap<String, HashMap<String, OwnFact>>,
    /// The catalog's gemeenten, and each one's place in that list.
    gemeente_ids: Vec<String>,
    gemeente_index: HashMap<String, usize>,
    /// Per plan, the gemeenten of its working areas by their place, in the catalog's order.
    covered: HashMap<String, Vec<usize>>,
    /// Per plan, its opgaven.
    themes: HashMap<String, Vec<String>>,
}

impl PortfolioView {
    /// Everything a page shows of each cell: its date, source, note and aanname, and the date
    /// and source of each plan's stage. (The counts alone come from the database:
    /// [`super::counts`].)
    pub async fn load(
        store: &Store,
        catalog: &Catalog,
        filter: &PlanFilter,
        as_of: Peildatum,
    ) -> Result<Self, StoreError> {
        // On a peildatum the stage filter asks for the stage of that day, not today's: it is
        // applied to the rebuilt stages below.
        let wanted_stage = as_of.0.and(filter.stage.clone());
        let filter = &PlanFilter {
            stage: if wanted_stage.is_some() {
                None
            } else {
                filter.stage.clone()
            },
            ..filter.clone()
        };
        let mut plans = store.plans(filter).await?;
        let work = store.plan_areas(filter).await?;
        let steps = store.stage_steps(filter).await?;
        let links = store.plan_framework(filter).await?;

        let mut stages: HashMap<String, StageFact> = HashMap::new();
        match as_of.0 {
            None => {
                for p in &plans {
                    let stage = p.stage.as_deref().and_then(|s| Stage::parse(s).ok());
                    stages.insert(
                        p.id.clone(),
                        StageFact {
                            stage,
                            date: None,
                            source_id: p.source_id.clone(),
                            maybe: None,
                        },
                    );
                }
                // The date and source of the step that set the current stage: the first of the
                // last run of steps with that stage (a later step that only confirms it does
                // not move "sinds").
                let plan_source: HashMap<&str, Option<String>> = plans
                    .iter()
                    .map(|p| (p.id.as_str(), p.source_id.clone()))
                    .collect();
                let mut previous: HashMap<&str, &str> = HashMap::new();
                for s in &steps {
                    let before = previous.insert(s.plan_id.as_str(), s.stage.as_str());
                    if before == Some(s.stage.as_str()) {
                        continue;
                    }
                    if let Some(f) = stages.get_mut(&s.plan_id) {
                        if f.stage.map(Stage::code) == Some(s.stage.as_str()) {
                            f.date = Some(s.date.clone());
                            f.source_id.clone_from(&s.source_id);
                        } else {
                            f.date = None;
                            f.source_id = plan_source.get(s.plan_id.as_str()).cloned().flatten();
                        }
                    }
                }
            }
            Some(day) => {
                for s in &steps {
                    let Ok(stage) = Stage::parse(&s.stage) else {
                        continue;
                    };
                    let f = stages.entry(s.plan_id.clone()).or_default();
                    match placed(&s.date, day) {
                        // A step that only confirms the stage keeps its "sinds".
                        Some(true) if f.stage == Some(stage) => f.maybe = None,
                        Some(true) => {
                            f.stage = Some(stage);
                            f.date = Some(s.date.clone());
                            f.source_id.clone_from(&s.source_id);
                            f.maybe = None;
                        }
                        Some(false) if f.stage != Some(stage) => {
                            f.maybe = Some((stage, s.date.clone()));
                        }
                        _ => {}
                    }
                }
            }
        }

        // A plan no dated step speaks of yet still has a cell in its working area: "onbekend".
        for p in &plans {
            stages.entry(p.id.clone()).or_default();
        }
        if let Some(wanted) = &wanted_stage {
            plans.retain(|p| {
                stages
                    .get(&p.id)
                    .and_then(|f| f.stage)
                    .is_some_and(|s| s.code() == wanted)
            });
        }

        let mut own: HashMap<String, HashMap<String, OwnFact>> = HashMap::new();
        match as_of.0 {
            None => {
                for r in store.rollouts(filter).await? {
                    let Ok(status) = RolloutStatus::parse(&r.status) else {
                        continue;
                    };
                    let fact = OwnFact::new(status, r.date, r.source_id, r.note, r.assumption);
                    own.entry(r.plan_id)
                        .or_default()
                        .insert(r.gemeente_id, fact);
                }
            }
            Some(day) => {
                for r in store.rollout_steps(filter).await? {
                    let Ok(status) = RolloutStatus::parse(&r.status) else {
                        continue;
                    };
                    if placed(&r.date, day) == Some(true) {
                        let fact = OwnFact::new(status, r.date, r.source_id, r.note, r.assumption);
                        own.entry(r.plan_id)
                            .or_default()
                            .insert(r.gemeente_id, fact);
                    }
                }
            }
        }

        // Only the plans kept (a stage filter on a peildatum may have left some out).
        if wanted_stage.is_some() {
            let kept: HashSet<&str> = plans.iter().map(|p| p.id.as_str()).collect();
            own.retain(|plan, _| kept.contains(plan.as_str()));
        }
        let mut areas: HashMap<&str, Vec<&str>> = HashMap::new();
        for w in &work {
            areas
                .entry(w.plan_id.as_str())
                .or_default()
                .push(w.area_id.as_str());
        }
        // The gemeenten of each area a plan can run in, once: the regio holds them all, a
        // subregio its own, a gemeente itself.
        let mut of_area: HashMap<&str, Vec<usize>> = HashMap::new();
        let gemeenten: Vec<&str> = catalog.gemeenten().map(|g| g.id.as_str()).collect();
        for (i, g) in catalog.gemeenten().enumerate() {
            of_area.entry(g.id.as_str()).or_default().push(i);
            if let Some(parent) = g.parent_id.as_deref() {
                of_area.entry(parent).or_default().push(i);
            }
            if let Some(region) = catalog.region() {
                of_area.entry(region.id.as_str()).or_default().push(i);
            }
        }
        let covered: HashMap<String, Vec<usize>> = plans
            .iter()
            .map(|p| {
                let of_plan = areas
                    .get(p.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| vec![p.area_id.as_str()]);
                let mut indexes: Vec<usize> = of_plan
                    .iter()
                    .flat_map(|a| of_area.get(a).into_iter().flatten().copied())
                    .collect();
                indexes.sort_unstable();
                indexes.dedup();
                (p.id.clone(), indexes)
            })
            .collect();
        let gemeente_ids: Vec<String> = gemeenten.iter().map(|g| (*g).to_owned()).collect();
        let gemeente_index = gemeente_ids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i))
            .collect();
        let theme_ids: HashSet<&str> = catalog
            .items(FrameworkKind::Theme)
            .map(|t| t.id.as_str())
            .collect();
        let mut themes: HashMap<String, Vec<String>> = HashMap::new();
        for l in links {
            if theme_ids.contains(l.item_id.as_str()) {
                themes.entry(l.plan_id).or_default().push(l.item_id);
            }
        }
        Ok(Self {
            as_of,
            plans,
            stages,
            own,
            gemeente_ids,
            gemeente_index,
            covered,
            themes,
        })
    }

    /// The plan's stage in the overview (now, or on the peildatum).
    pub fn stage(&self, plan_id: &str) -> Option<&StageFact> {
        self.stages.get(plan_id)
    }

    /// The gemeenten's own facts about a plan (its rollouts), by gemeente id.
    pub fn own_facts(&self, plan_id: &str) -> impl Iterator<Item = (&str, &OwnFact)> {
        self.own
            .get(plan_id)
            .into_iter()
            .flatten()
            .map(|(g, f)| (g.as_str(), f))
    }

    /// The gemeenten of the plan's working areas, by their place in the catalog's list.
    fn covered_of(&self, plan_id: &str) -> &[usize] {
        self.covered.get(plan_id).map_or(&[], Vec::as_slice)
    }

    /// The plan's opgaven (framework ids).
    pub fn themes_of(&self, plan_id: &str) -> &[String] {
        self.themes.get(plan_id).map_or(&[], Vec::as_slice)
    }

    /// Whether the plan has something to say about the gemeente: it lies in the plan's working
    /// area, or a source gives the gemeente's own fact.
    pub fn concerns(&self, plan_id: &str, gemeente_id: &str) -> bool {
        self.own
            .get(plan_id)
            .is_some_and(|o| o.contains_key(gemeente_id))
            || self.covers(plan_id, gemeente_id)
    }

    /// Whether the gemeente lies in the plan's working area.
    fn covers(&self, plan_id: &str, gemeente_id: &str) -> bool {
        self.gemeente_index
            .get(gemeente_id)
            .is_some_and(|i| self.covered_of(plan_id).binary_search(i).is_ok())
    }

    /// What the cell of a plan in a gemeente shows.
    pub fn cell(&self, plan_id: &str, gemeente_id: &str) -> CellFact<'_> {
        if let Some(f) = self.own.get(plan_id).and_then(|o| o.get(gemeente_id)) {
            return CellFact::Own(f);
        }
        match self.stages.get(plan_id) {
            Some(s) if self.covers(plan_id, gemeente_id) => CellFact::FollowsPlan(s),
            _ => CellFact::Outside,
        }
    }

    /// The gemeenten any selected plan concerns.
    pub fn gemeenten_in_view(&self) -> HashSet<String> {
        let mut seen = vec![false; self.gemeente_ids.len()];
        for i in self.covered.values().flatten() {
            seen[*i] = true;
        }
        for g in self.own.values().flat_map(|o| o.keys()) {
            if let Some(i) = self.gemeente_index.get(g) {
                seen[*i] = true;
            }
        }
        self.gemeente_ids
            .iter()
            .zip(seen)
            .filter(|(_, s)| *s)
            .map(|(g, _)| g.clone())
            .collect()
    }

    /// Per gemeente: its counts over all selected plans, and per opgave (in `theme_order`).
    /// Counted by the gemeenten's places, without a string per cell: a national portfolio
    /// has millions of plan × gemeente pairs in its working areas.
    pub fn counts(&self, theme_order: &[String]) -> HashMap<String, (Counts, Vec<Counts>)> {
        let blank = || {
            (
                Counts::default(),
                vec![Counts::default(); theme_order.len()],
            )
        };
        let mut all: Vec<Option<(Counts, Vec<Counts>)>> = vec![None; self.gemeente_ids.len()];
        let mut add = |i: usize, cell: &CellFact<'_>, themes: &[usize]| {
            let entry = all[i].get_or_insert_with(blank);
            entry.0.add(cell);
            for t in themes {
                entry.1[*t].add(cell);
            }
        };
        for p in &self.plans {
            let themes: Vec<usize> = theme_order
                .iter()
                .enumerate()
                .filter(|(_, t)| self.themes_of(&p.id).contains(t))
                .map(|(i, _)| i)
                .collect();
            let own = self.own.get(&p.id);
            let covered = self.covered_of(&p.id);
            if let Some(stage) = self.stages.get(&p.id) {
                for &i in covered {
                    let fact = own.and_then(|o| o.get(&self.gemeente_ids[i]));
                    let cell = fact.map_or(CellFact::FollowsPlan(stage), CellFact::Own);
                    add(i, &cell, &themes);
                }
            }
            // The gemeente's own facts outside the working area.
            for (g, fact) in own.into_iter().flatten() {
                if let Some(&i) = self.gemeente_index.get(g)
                    && (covered.binary_search(&i).is_err() || !self.stages.contains_key(&p.id))
                {
                    add(i, &CellFact::Own(fact), &themes);
                }
            }
        }
        self.gemeente_ids
            .iter()
            .zip(all)
            .filter_map(|(g, c)| Some((g.clone(), c?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().expect("a day")
    }

    #[test]
    fn a_step_counts_on_a_day_only_when_its_whole_period_lies_before_it() {
        assert_eq!(placed("2025-10-09", day("2025-10-09")), Some(true));
        assert_eq!(
            placed("2025-09-05/2025-10-09", day("2025-09-05")),
            Some(false)
        );
        assert_eq!(
            placed("2025-09-05/2025-10-09", day("2025-10-10")),
            Some(true)
        );
        assert_eq!(placed("2025-11", day("2025-10-10")), None);
        assert_eq!(placed("onbekend", day("2025-10-10")), None);
    }

    #[test]
    fn counts_keep_the_gemeente_facts_apart_from_the_plans() {
        let own = OwnFact {
            status: RolloutStatus::StartingUp,
            date: "2025-10-09".into(),
            source_id: None,
            note: None,
            assumption: None,
        };
        let running = StageFact {
            stage: Some(Stage::Running),
            ..StageFact::default()
        };
        let planned = StageFact {
            stage: Some(Stage::PlanSubmitted),
            ..StageFact::default()
        };
        let mut c = Counts::default();
        c.add(&CellFact::Own(&own));
        c.add(&CellFact::FollowsPlan(&running));
        c.add(&CellFact::FollowsPlan(&planned));
        c.add(&CellFact::Outside);
        assert_eq!(
            c,
            Counts {
                running_own: 1,
                running_via_plan: 1,
                planned: 1,
                planned_via_plan: 1
            }
        );
    }
}
