//! The start page: plans × gemeenten with the rollout status per cell, counts per gemeente,
//! grouped by subregio and filterable ("in één oogopslag").

use std::collections::{HashMap, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use crate::domain::RolloutStatus;
use crate::web::error::WebError;
use crate::web::filter::FilterChoice;
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, StatusView, stage_label};
use crate::web::{AppState, FilterOptions};

/// Above this many cells (plans × gemeenten) the matrix is not drawn in one page: a national
/// data set would make half a gigabyte of HTML. The page then shows the counts per gemeente
/// and asks for a filter.
const MAX_CELLS: usize = 40_000;

pub fn routes() -> Routes {
    Routes::new().get("/", show)
}

/// One gemeente column with its totals.
pub struct Column {
    pub id: String,
    pub name: String,
    pub running: usize,
    pub planned: usize,
    /// The subregio's name, for the counts table.
    pub subregion: String,
}

/// A subregio heading over its gemeenten.
pub struct ColumnGroup {
    pub id: String,
    pub name: String,
    pub span: usize,
}

pub struct Cell {
    pub gemeente_id: String,
    /// `None` when the gemeente lies outside the plan's area.
    pub status: Option<StatusView>,
    /// Shown on hover for cells a source speaks about: plan, gemeente, status and note.
    /// Unknown and outside cells have none; the row and column headers say what they are.
    pub title: Option<String>,
    /// The cell's status is an aanname (its reason is on the plan's page).
    pub assumed: bool,
}

pub struct MatrixRow {
    /// The viewer may change this plan's cells.
    pub editable: bool,
    pub plan_id: String,
    pub plan_name: String,
    pub stage: String,
    pub cells: Vec<Cell>,
}

pub struct RowGroup {
    pub name: String,
    pub rows: Vec<MatrixRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub nav: &'static str,
    pub choice: FilterChoice,
    pub options: FilterOptions,
    pub groups: Vec<ColumnGroup>,
    pub columns: Vec<Column>,
    pub row_groups: Vec<RowGroup>,
    pub plan_count: usize,
    pub legend: Vec<StatusView>,
    /// The matrix would be too large; only the counts per gemeente are shown.
    pub too_large: bool,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<DashboardPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let (choice, filter) = FilterChoice::parse(&pairs, &catalog)?;
    let plans = state.store.plans(&filter).await?;
    let rollouts = state.store.rollouts(&filter).await?;
    // Which rows the viewer may edit: all for a beheerder, those its organisations lead for
    // a trekker, none for others (no extra query for them).
    let editable: HashSet<String> = match &viewer.user {
        Some(u) if u.is_admin() => plans.iter().map(|p| p.id.clone()).collect(),
        Some(u) if u.role == crate::domain::Role::Lead => state
            .store
            .plan_organisations(&filter)
            .await?
            .into_iter()
            .filter(|o| o.role == "trekker" && u.organisations.contains(&o.organisation_id))
            .map(|o| o.plan_id)
            .collect(),
        _ => HashSet::new(),
    };

    let subregions: Vec<_> = catalog
        .subregions()
        .filter(|s| choice.subregio.is_empty() || s.id == choice.subregio)
        .collect();
    let mut groups = Vec::new();
    let mut columns = Vec::new();
    for s in &subregions {
        let before = columns.len();
        columns.extend(catalog.gemeenten_of(&s.id).map(|g| Column {
            id: g.id.clone(),
            name: g.name.clone(),
            running: 0,
            planned: 0,
            subregion: s.name.clone(),
        }));
        groups.push(ColumnGroup {
            id: s.id.clone(),
            name: s.name.clone(),
            span: columns.len() - before,
        });
    }

    let too_large = plans.len() * columns.len() > MAX_CELLS;
    if too_large {
        let index: HashMap<&str, usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut counts = vec![(0, 0); columns.len()];
        for r in &rollouts {
            let Some(i) = index.get(r.gemeente_id.as_str()) else {
                continue;
            };
            match RolloutStatus::parse(&r.status).ok() {
                Some(s) if s.is_running() => counts[*i].0 += 1,
                Some(RolloutStatus::Planned) => counts[*i].1 += 1,
                _ => {}
            }
        }
        for (c, (running, planned)) in columns.iter_mut().zip(counts) {
            c.running = running;
            c.planned = planned;
        }
        return Ok(DashboardPage {
            nav: "overzicht",
            options: FilterOptions::from_catalog(&catalog),
            choice,
            groups,
            columns,
            row_groups: Vec::new(),
            plan_count: plans.len(),
            legend: StatusView::legend(),
            too_large,
        });
    }

    let cells: HashMap<(&str, &str), &crate::features::rollouts::model::RolloutRow> = rollouts
        .iter()
        .map(|r| ((r.plan_id.as_str(), r.gemeente_id.as_str()), r))
        .collect();
    let mut by_group: Vec<(String, RowGroup)> = std::iter::once(catalog.region())
        .flatten()
        .chain(catalog.subregions())
        .map(|a| {
            (
                a.id.clone(),
                RowGroup {
                    name: a.name.clone(),
                    rows: Vec::new(),
                },
            )
        })
        .collect();
    for plan in &plans {
        let group_id = catalog
            .subregion_of(&plan.area_id)
            .map_or_else(|| plan.area_id.clone(), |s| s.id.clone());
        let row_cells = columns
            .iter_mut()
            .map(|col| {
                let cell = cells.get(&(plan.id.as_str(), col.id.as_str()));
                match cell {
                    Some(r) => {
                        let status = RolloutStatus::parse(&r.status).ok();
                        if status.is_some_and(RolloutStatus::is_running) {
                            col.running += 1;
                        } else if status == Some(RolloutStatus::Planned) {
                            col.planned += 1;
                        }
                        let view = StatusView::from_code(&r.status);
                        let note = r
                            .note
                            .as_deref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default();
                        Cell {
                            gemeente_id: col.id.clone(),
                            title: Some(format!(
                                "{}, {}: {}{note}",
                                plan.name, col.name, view.label
                            )),
                            status: Some(view),
                            assumed: r.assumption.is_some(),
                        }
                    }
                    None if catalog.covers(&plan.area_id, &col.id) => Cell {
                        gemeente_id: col.id.clone(),
                        title: None,
                        status: Some(StatusView::unknown()),
                        assumed: false,
                    },
                    None => Cell {
                        gemeente_id: col.id.clone(),
                        title: None,
                        status: None,
                        assumed: false,
                    },
                }
            })
            .collect();
        let row = MatrixRow {
            editable: editable.contains(&plan.id),
            plan_id: plan.id.clone(),
            plan_name: plan.name.clone(),
            stage: stage_label(plan.stage.as_deref()),
            cells: row_cells,
        };
        if let Some((_, g)) = by_group.iter_mut().find(|(id, _)| *id == group_id) {
            g.rows.push(row);
        }
    }
    let row_groups = by_group
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| !g.rows.is_empty())
        .collect();

    Ok(DashboardPage {
        nav: "overzicht",
        options: FilterOptions::from_catalog(&catalog),
        choice,
        groups,
        columns,
        row_groups,
        plan_count: plans.len(),
        legend: StatusView::legend(),
        too_large,
    })
}
