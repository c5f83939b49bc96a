//! The snapshot of a closed round: the portfolio, the round's updates, the KPI's and the open
//! actions exactly as they were when the round closed, as one versioned JSON document.
//!
//! A snapshot is written once and never changed. Reading one is a single row and one parse;
//! everything the report shows is in it (names included), so a later rename or a deleted
//! link does not change what was reported. [`SCHEMA_VERSION`] says which shape a document
//! has; [`Snapshot::read`] reads every shape there has been (a document of version 1 is kept
//! in `tests/fixtures/` and must read and render after every later change).

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::model::RoundRow;
use crate::domain::{AreaKind, FrameworkKind, Overview, RolloutStatus, Stage};
use crate::features::dashboard::overview::{Peildatum, PortfolioView};
use crate::features::plans::model::PlanFilter;
use crate::store::{Store, StoreError};
use crate::web::view::Catalog;

/// The shape of the documents written now.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Snapshot {
    pub schema_version: u32,
    /// The quarter: 2025-Q3.
    pub period: String,
    /// The day the portfolio is shown on (YYYY-MM-DD); empty: as known when the round closed.
    #[serde(default)]
    pub as_of: Option<String>,
    /// When the snapshot was made (UTC).
    pub made_at: String,
    pub round: SnapRound,
    /// Regio, subregio's and gemeenten, in the catalog's order.
    pub areas: Vec<SnapArea>,
    /// The opgaven and transformaties, in the framework's order.
    #[serde(default)]
    pub themes: Vec<SnapItem>,
    #[serde(default)]
    pub transformations: Vec<SnapItem>,
    #[serde(default)]
    pub sources: Vec<SnapSource>,
    pub plans: Vec<SnapPlan>,
    #[serde(default)]
    pub indicators: Vec<SnapKpi>,
    #[serde(default)]
    pub actions: Vec<SnapAction>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapRound {
    pub deadline: String,
    pub status: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub summary_source: Option<String>,
    pub opened_at: String,
    pub opened_by: String,
    #[serde(default)]
    pub closed_at: Option<String>,
    #[serde(default)]
    pub closed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapArea {
    pub id: String,
    pub name: String,
    /// regio, subregio or gemeente
    pub kind: String,
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapItem {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapSource {
    pub id: String,
    pub title: String,
    /// As precisely as the document gives it.
    pub date: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapPlan {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// The plan's own area, and the areas it runs in (werkgebied; empty: its own area).
    pub area: String,
    #[serde(default)]
    pub work_areas: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub transformations: Vec<String>,
    /// The names of its lead organisations (trekkers).
    #[serde(default)]
    pub leads: Vec<String>,
    /// The stage's code, the date of the step that set it and its source.
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub stage_date: Option<String>,
    #[serde(default)]
    pub stage_source: Option<String>,
    /// The gemeenten's own facts (rollouts); a gemeente of the working area without one
    /// follows the plan's stage.
    #[serde(default)]
    pub cells: Vec<SnapCell>,
    #[serde(default)]
    pub milestones: Vec<SnapMilestone>,
    #[serde(default)]
    pub update: Option<SnapUpdate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapCell {
    pub gemeente: String,
    /// A rollout status code: gepland, opstart, loopt, ...
    pub status: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapMilestone {
    pub id: i64,
    pub title: String,
    #[serde(default)]
    pub period: Option<String>,
    /// What the round's update says: gehaald or verschoven (and to when).
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub moved_to: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapUpdate {
    #[serde(default)]
    pub light: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub next_steps: Option<String>,
    #[serde(default)]
    pub needs: Option<String>,
    /// The texts quote this source.
    #[serde(default)]
    pub source: Option<String>,
    pub state: String,
    pub saved_at: String,
    pub saved_by: String,
    #[serde(default)]
    pub submitted_at: Option<String>,
    #[serde(default)]
    pub submitted_by: Option<String>,
    #[serde(default)]
    pub is_example: bool,
    #[serde(default)]
    pub reviews: Vec<SnapReview>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapReview {
    pub verdict: String,
    #[serde(default)]
    pub comment: Option<String>,
    pub at: String,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapKpi {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// "-7 % t.o.v. 2023 in 2026", or the streefbeeld in words.
    pub target: String,
    #[serde(default)]
    pub target_value: Option<f64>,
    #[serde(default)]
    pub transformation: Option<String>,
    #[serde(default)]
    pub plans: Vec<String>,
    /// The latest value in each area up to the end of the round's quarter, with its status.
    #[serde(default)]
    pub values: Vec<SnapValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapValue {
    pub area: String,
    pub period: String,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub narrative: Option<String>,
    /// An IndicatorStatus code: op-koers, achter, niet-gehaald, geen-data.
    pub status: String,
    pub reason: String,
    #[serde(default)]
    pub is_example: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapAction {
    pub id: i64,
    pub title: String,
    /// Where it came from: the KPI's name, or the meeting and agenda item.
    pub indicator: String,
    /// A meeting's actiepunt (not a KPI's follow-up).
    #[serde(default)]
    pub from_meeting: bool,
    #[serde(default)]
    pub area: Option<String>,
    pub owner: String,
    #[serde(default)]
    pub organisation: Option<String>,
    pub deadline: String,
    pub status: String,
    /// The rung's label, and the body there when named.
    pub level: String,
    #[serde(default)]
    pub body: Option<String>,
    pub overdue: bool,
    #[serde(default)]
    pub escalations: Vec<SnapEscalation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SnapEscalation {
    pub to: String,
    pub reason: String,
    pub at: String,
}

/// Why a stored snapshot could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("momentopname met schemaversie {0} is onbekend voor deze versie van regiomonitor")]
    UnknownVersion(i64),
    #[error("momentopname is niet leesbaar: {0}")]
    Json(#[from] serde_json::Error),
}

impl Snapshot {
    /// Reads a stored document of any schema version there has been.
    pub fn read(schema_version: i64, document: &str) -> Result<Self, ReadError> {
        match schema_version {
            1 => Ok(serde_json::from_str(document)?),
            other => Err(ReadError::UnknownVersion(other)),
        }
    }

    /// Makes the snapshot of `round` from the store: the portfolio now, or as it stood on
    /// `as_of`; the round's updates and reviews; each KPI's latest value up to the quarter's
    /// end; the actions still open.
    pub async fn build(
        store: &Store,
        round: &RoundRow,
        as_of: Option<Date>,
    ) -> Result<Self, StoreError> {
        let catalog = Catalog::load(store).await?;
        let period = round.period.clone();
        let in_round: HashSet<String> = store.round_plan_ids(&period).await?.into_iter().collect();
        let filter = PlanFilter {
            include_archived: true,
            ..PlanFilter::default()
        };
        let view = PortfolioView::load(store, &catalog, &filter, Peildatum(as_of)).await?;
        let mut work: HashMap<String, Vec<String>> = HashMap::new();
        for w in store.plan_areas(&filter).await? {
            work.entry(w.plan_id).or_default().push(w.area_id);
        }
        let mut leads: HashMap<String, Vec<String>> = HashMap::new();
        for o in store.plan_organisations(&filter).await? {
            if o.role == "trekker" {
                leads.entry(o.plan_id).or_default().push(o.name);
            }
        }
        let transformation_ids: HashSet<&str> = catalog
            .items(FrameworkKind::Transformation)
            .map(|t| t.id.as_str())
            .collect();
        let mut transformations: HashMap<String, Vec<String>> = HashMap::new();
        for l in store.plan_framework(&filter).await? {
            if transformation_ids.contains(l.item_id.as_str()) {
                transformations
                    .entry(l.plan_id)
                    .or_default()
                    .push(l.item_id);
            }
        }
        let mut milestones: HashMap<String, Vec<SnapMilestone>> = HashMap::new();
        for m in store.round_milestones(&period).await? {
            milestones
                .entry(m.plan_id.clone())
                .or_default()
                .push(SnapMilestone {
                    id: m.id,
                    title: m.title,
                    period: m.period,
                    outcome: None,
                    moved_to: None,
                });
        }
        for n in store.update_milestones(&period, None).await? {
            if let Some(m) = milestones
                .get_mut(&n.plan_id)
                .and_then(|ms| ms.iter_mut().find(|m| m.id == n.milestone_id))
            {
                m.outcome = Some(n.outcome);
                m.moved_to = n.moved_to;
            }
        }
        let mut reviews: HashMap<String, Vec<SnapReview>> = HashMap::new();
        for r in store.update_reviews(&period, None).await? {
            reviews.entry(r.plan_id).or_default().push(SnapReview {
                verdict: r.verdict,
                comment: r.comment,
                at: r.at,
                actor: r.actor,
            });
        }
        let mut updates: HashMap<String, SnapUpdate> = HashMap::new();
        for u in store.round_updates(&period).await? {
            let plan_id = u.plan_id.clone();
            let snap = SnapUpdate {
                light: u.light,
                done: u.done,
                next_steps: u.next_steps,
                needs: u.needs,
                source: u.source_id,
                state: u.state,
                saved_at: u.saved_at,
                saved_by: u.saved_by,
                submitted_at: u.submitted_at,
                submitted_by: u.submitted_by,
                is_example: u.is_example != 0,
                reviews: reviews.remove(&plan_id).unwrap_or_default(),
            };
            updates.insert(plan_id, snap);
        }

        let mut plans = Vec::new();
        for p in view.plans.iter().filter(|p| in_round.contains(&p.id)) {
            let stage = view.stage(&p.id);
            let mut cells: Vec<SnapCell> = view
                .own_facts(&p.id)
                .map(|(g, f)| SnapCell {
                    gemeente: g.to_owned(),
                    status: f.status.code().to_owned(),
                    date: Some(f.date.clone()).filter(|d| !d.is_empty()),
                    source: f.source_id.clone(),
                    note: f.note.clone(),
                })
                .collect();
            cells.sort_by(|a, b| a.gemeente.cmp(&b.gemeente));
            plans.push(SnapPlan {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: p.kind.clone(),
                area: p.area_id.clone(),
                work_areas: work.remove(&p.id).unwrap_or_default(),
                themes: view.themes_of(&p.id).to_vec(),
                transformations: transformations.remove(&p.id).unwrap_or_default(),
                leads: leads.remove(&p.id).unwrap_or_default(),
                stage: stage.and_then(|s| s.stage).map(|s| s.code().to_owned()),
                stage_date: stage.and_then(|s| s.date.clone()),
                stage_source: stage.and_then(|s| s.source_id.clone()),
                cells,
                milestones: milestones.remove(&p.id).unwrap_or_default(),
                update: updates.remove(&p.id),
            });
        }

        let indicators = kpis(store, round, &catalog).await?;
        let actions = open_actions(store, &catalog).await?;
        let areas = catalog
            .areas
            .iter()
            .filter(|a| a.kind != AreaKind::District.code())
            .map(|a| SnapArea {
                id: a.id.clone(),
                name: a.name.clone(),
                kind: a.kind.clone(),
                parent: a.parent_id.clone(),
            })
            .collect();
        let items = |kind| {
            catalog
                .items(kind)
                .map(|t| SnapItem {
                    id: t.id.clone(),
                    name: t.name.clone(),
                })
                .collect()
        };
        let sources = catalog
            .source_list()
            .into_iter()
            .map(|s| SnapSource {
                id: s.id.clone(),
                title: s.title.clone(),
                date: s.date.clone(),
            })
            .collect();
        Ok(Self {
            schema_version: SCHEMA_VERSION,
            period,
            as_of: as_of.map(|d| d.to_string()),
            made_at: crate::store::now_text(),
            round: SnapRound {
                deadline: round.deadline.clone(),
                status: round.status.clone(),
                summary: round.summary.clone(),
                summary_source: round.summary_source_id.clone(),
                opened_at: round.opened_at.clone(),
                opened_by: round.opened_by.clone(),
                closed_at: round.closed_at.clone(),
                closed_by: round.closed_by.clone(),
            },
            areas,
            themes: items(FrameworkKind::Theme),
            transformations: items(FrameworkKind::Transformation),
            sources,
            plans,
            indicators,
            actions,
        })
    }

    /// The snapshot without what is for signed-in readers only: the reviews and the names of
    /// who opened, saved, submitted and closed.
    pub fn public(mut self) -> Self {
        self.round.opened_by.clear();
        self.round.closed_by = None;
        for p in &mut self.plans {
            if let Some(u) = &mut p.update {
                u.saved_by.clear();
                u.submitted_by = None;
                u.reviews.clear();
            }
        }
        self
    }

    /// The gemeenten, in the catalog's order.
    pub fn gemeenten(&self) -> impl Iterator<Item = &SnapArea> {
        self.areas
            .iter()
            .filter(|a| a.kind == AreaKind::Municipality.code())
    }

    pub fn area_name(&self, id: &str) -> String {
        self.areas
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    pub fn source(&self, id: &str) -> Option<&SnapSource> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The gemeenten and, per area, the gemeenten it holds (by their place): the regio all of
    /// them, a subregio its own, a gemeente itself. A plan's working area is read through it
    /// (`Gemeenten::covered`) one plan at a time, so no list of plan × gemeente pairs is ever
    /// held (a national round has millions).
    pub fn gemeente_index(&self) -> Gemeenten<'_> {
        let list: Vec<&SnapArea> = self.gemeenten().collect();
        let region = self
            .areas
            .iter()
            .find(|a| a.kind == AreaKind::Region.code());
        let mut of_area: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in list.iter().enumerate() {
            of_area.entry(g.id.as_str()).or_default().push(i);
            if let Some(parent) = g.parent.as_deref() {
                of_area.entry(parent).or_default().push(i);
            }
            if let Some(r) = region {
                of_area.entry(r.id.as_str()).or_default().push(i);
            }
        }
        let position = list
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.as_str(), i))
            .collect();
        Gemeenten {
            list,
            of_area,
            position,
        }
    }
}

/// The gemeenten of a snapshot, and which of them each area holds.
pub struct Gemeenten<'a> {
    pub list: Vec<&'a SnapArea>,
    of_area: HashMap<&'a str, Vec<usize>>,
    position: HashMap<&'a str, usize>,
}

impl Gemeenten<'_> {
    /// The place of a gemeente in the list.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.position.get(id).copied()
    }

    /// The gemeenten of a plan's working areas (its own area when none is stated), by place,
    /// sorted, each once.
    pub fn covered(&self, plan: &SnapPlan) -> Vec<usize> {
        let areas: Vec<&str> = if plan.work_areas.is_empty() {
            vec![plan.area.as_str()]
        } else {
            plan.work_areas.iter().map(String::as_str).collect()
        };
        let mut out: Vec<usize> = areas
            .iter()
            .flat_map(|a| self.of_area.get(a).into_iter().flatten().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// What the overview showed for a plan, per gemeente by place: the gemeente's own fact,
    /// or inside the working area the plan's stage in the overview's words; and whether it
    /// followed the plan. Gemeenten outside the working area without a fact are left out.
    pub fn cells(&self, plan: &SnapPlan) -> Vec<(usize, Overview, bool)> {
        let stage = Stage::overview_of(plan.stage.as_deref().and_then(|s| Stage::parse(s).ok()));
        let own: HashMap<usize, Overview> = plan
            .cells
            .iter()
            .filter_map(|c| {
                let status = RolloutStatus::parse(&c.status).ok()?;
                Some((self.position(&c.gemeente)?, status.overview()))
            })
            .collect();
        let mut out: Vec<(usize, Overview, bool)> = self
            .covered(plan)
            .into_iter()
            .filter(|g| !own.contains_key(g))
            .map(|g| (g, stage, true))
            .chain(own.iter().map(|(g, o)| (*g, *o, false)))
            .collect();
        out.sort_unstable_by_key(|(g, _, _)| *g);
        out
    }
}

/// Each KPI with its latest value per area up to the end of the round's quarter.
async fn kpis(
    store: &Store,
    round: &RoundRow,
    catalog: &Catalog,
) -> Result<Vec<SnapKpi>, StoreError> {
    let end = round
        .quarter()
        .map(|q| q.end().to_string())
        .unwrap_or_else(|| "9999-12-31".into());
    let indicators = store.indicators().await?;
    let mut latest: HashMap<String, Vec<_>> = HashMap::new();
    for o in store.latest_observations_until(&end).await? {
        latest.entry(o.indicator_id.clone()).or_default().push(o);
    }
    let mut plans_of: HashMap<String, Vec<String>> = HashMap::new();
    for (indicator, plan) in store.indicator_plan_links().await? {
        plans_of.entry(indicator).or_default().push(plan);
    }
    let area_order: HashMap<&str, usize> = catalog
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    Ok(indicators
        .into_iter()
        .map(|ind| {
            let mut observed = latest.remove(&ind.id).unwrap_or_default();
            observed.sort_by_key(|o| area_order.get(o.area_id.as_str()).copied());
            let values = observed
                .iter()
                .map(|o| {
                    let a = crate::features::indicators::assess_latest(&ind, Some(o));
                    SnapValue {
                        area: o.area_id.clone(),
                        period: o.period.clone(),
                        value: o.value,
                        narrative: o.narrative.clone(),
                        status: a.status.code().to_owned(),
                        reason: a.reason,
                        is_example: o.is_example != 0,
                    }
                })
                .collect();
            SnapKpi {
                target: crate::features::indicators::pages::target_text(&ind),
                target_value: ind.target_value,
                plans: plans_of.remove(&ind.id).unwrap_or_default(),
                transformation: ind.transformation_id.clone(),
                unit: ind.unit.clone(),
                values,
                id: ind.id,
                name: ind.name,
            }
        })
        .collect())
}

/// The actions still open (open or bezig) that a visitor may see (a meeting's actiepunt once
/// its verslag is vastgesteld), with their steps up the ladder. `indicator` holds where the
/// action came from: the KPI's name, or the meeting and agenda item.
async fn open_actions(store: &Store, catalog: &Catalog) -> Result<Vec<SnapAction>, StoreError> {
    let today = crate::features::indicators::today();
    let bodies = store.bodies().await?;
    let body_name = |id: Option<&str>| {
        id.and_then(|b| bodies.iter().find(|x| x.id == b))
            .map(|b| b.name.clone())
    };
    let origins = crate::features::actions::pages::Origins::load(store).await?;
    let mut steps: HashMap<i64, Vec<SnapEscalation>> = HashMap::new();
    for e in store.all_escalations().await? {
        let to = crate::features::actions::repo::place_of(
            &bodies,
            e.to_level.as_deref(),
            e.to_body_id.as_deref(),
        );
        steps.entry(e.action_id).or_default().push(SnapEscalation {
            to,
            reason: e.reason,
            at: e.at,
        });
    }
    let organisations = store.organisation_names().await?;
    Ok(store
        .all_actions()
        .await?
        .into_iter()
        .filter(|a| a.status().is_open() && origins.visible(a, false))
        .map(|a| SnapAction {
            id: a.id,
            title: a.title.clone(),
            indicator: origins.origin_name(&a),
            from_meeting: a.meeting_id.is_some(),
            area: a.area_id.as_deref().map(|x| catalog.area_name(x)),
            owner: a.owner.clone().unwrap_or_default(),
            organisation: a.owner_organisation_id.as_deref().map(|o| {
                organisations
                    .get(o)
                    .cloned()
                    .unwrap_or_else(|| o.to_owned())
            }),
            deadline: a.deadline.clone().unwrap_or_default(),
            status: a.status().label().to_owned(),
            level: a
                .level()
                .map_or_else(|| "Overleg".to_owned(), |l| l.label().to_owned()),
            body: body_name(a.body_id.as_deref()),
            overdue: a.is_overdue(today),
            escalations: steps.remove(&a.id).unwrap_or_default(),
        })
        .collect())
}
