//! Where every KPI stands: per KPI, how many areas of its level are in each status by their
//! latest value. The KPI list and a plan's KPI's show it. It follows from the KPI's
//! definitions, the areas and the latest values only, so it is kept under the KPI version
//! ([`crate::store::Store::kpi_version`]): a write of a plan, a rollout or an organisation
//! keeps it, and a write that may change a definition, an area or a value makes it anew (once,
//! however many requests want it at that moment).

use std::collections::HashMap;
use std::sync::Arc;

use super::model::IndicatorRow;
use crate::domain::IndicatorStatus;
use crate::features::areas::model::AreaRow;
use crate::features::indicators::assess_latest;
use crate::features::observations::model::ObservationRow;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::view::StatusView;

/// The KPI's with where each stands.
pub struct Standing {
    /// Every KPI, in the list's order.
    pub indicators: Vec<IndicatorRow>,
    tallies: HashMap<String, Tally>,
}

/// Where one KPI stands over the areas of its level.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The number of areas in each status that occurs, in the order of the statuses.
    pub counts: Vec<(StatusView, usize)>,
    /// Some latest value of the KPI is an example value (voorbeeld).
    pub has_examples: bool,
}

impl Tally {
    /// The status of the area that does worst, of those with data; "geen data" without any.
    pub fn worst(&self) -> IndicatorStatus {
        IndicatorStatus::ALL
            .iter()
            .rev()
            .skip(1)
            .find(|s| self.counts.iter().any(|(v, _)| v.code == s.code()))
            .copied()
            .unwrap_or(IndicatorStatus::NoData)
    }

    /// The counts in words: "3 op koers, 1 niet gehaald".
    pub fn summary(&self) -> String {
        self.counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.label.to_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Standing {
    /// Works out where each KPI stands from its latest values in the areas of its level.
    pub fn new(
        indicators: Vec<IndicatorRow>,
        areas: &[AreaRow],
        latest: &[ObservationRow],
    ) -> Self {
        let mut by_indicator: HashMap<&str, HashMap<&str, &ObservationRow>> = HashMap::new();
        for o in latest {
            by_indicator
                .entry(o.indicator_id.as_str())
                .or_default()
                .insert(o.area_id.as_str(), o);
        }
        let empty = HashMap::new();
        let tallies = indicators
            .iter()
            .map(|ind| {
                let latest = by_indicator.get(ind.id.as_str()).unwrap_or(&empty);
                (ind.id.clone(), tally(ind, areas, latest))
            })
            .collect();
        Self {
            indicators,
            tallies,
        }
    }

    /// Where the KPI `id` stands; nowhere (no areas counted) for an unknown one.
    pub fn tally(&self, id: &str) -> Tally {
        self.tallies.get(id).cloned().unwrap_or_default()
    }
}

/// How many areas of the KPI's level are in each status.
pub fn tally(
    ind: &IndicatorRow,
    areas: &[AreaRow],
    latest: &HashMap<&str, &ObservationRow>,
) -> Tally {
    let level = ind.area_level().code();
    let mut per_status: HashMap<IndicatorStatus, usize> = HashMap::new();
    for a in areas.iter().filter(|a| a.kind == level) {
        let status = assess_latest(ind, latest.get(a.id.as_str()).copied()).status;
        *per_status.entry(status).or_default() += 1;
    }
    Tally {
        counts: IndicatorStatus::ALL
            .iter()
            .filter_map(|s| per_status.get(s).map(|n| (StatusView::kpi(*s), *n)))
            .collect(),
        has_examples: latest.values().any(|o| o.is_example()),
    }
}

/// Where every KPI stands now: kept under the KPI version, read before anything it is made
/// from (the areas are read here, not taken from the catalog, which is kept under the data's
/// version).
pub async fn standing(state: &AppState) -> Result<Arc<Standing>, WebError> {
    let version = state.store.kpi_version().await.ok();
    state
        .kpi_standing
        .get_or_make(version, "", || async {
            let indicators = state.store.indicators().await?;
            let areas = state.store.areas().await?;
            let latest = state.store.latest_observations_all().await?;
            Ok::<_, WebError>(Standing::new(indicators, &areas, &latest))
        })
        .await
}
