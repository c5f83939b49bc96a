//! Per gemeente: what runs and what is planned there, per opgave.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::AppState;
use super::error::WebError;
use super::routes::Routes;
use super::view::{Catalog, SourceView, StatusView, stage_label};
use crate::domain::{FrameworkKind, Gemeentecode, RolloutStatus};
use crate::store::{AreaRow, PlanFilter};

pub fn routes() -> Routes {
    Routes::new()
        .get("/gemeenten", list)
        .get("/gemeenten/{code}", show)
}

pub struct GemeenteSummary {
    pub id: String,
    pub name: String,
    pub running: usize,
    pub planned: usize,
}

pub struct SubregionGroup {
    pub id: String,
    pub name: String,
    pub gemeenten: Vec<GemeenteSummary>,
}

#[derive(Template, WebTemplate)]
#[template(path = "gemeenten/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub subregions: Vec<SubregionGroup>,
}

async fn list(State(state): State<AppState>) -> Result<ListPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let rollouts = state.store.rollouts(&PlanFilter::default()).await?;
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for r in &rollouts {
        let entry = counts.entry(r.gemeente_id.as_str()).or_default();
        match RolloutStatus::parse(&r.status) {
            Ok(s) if s.is_running() => entry.0 += 1,
            Ok(RolloutStatus::Planned) => entry.1 += 1,
            _ => {}
        }
    }
    let subregions = catalog
        .subregions()
        .map(|s| SubregionGroup {
            id: s.id.clone(),
            name: s.name.clone(),
            gemeenten: catalog
                .gemeenten_of(&s.id)
                .map(|g| {
                    let (running, planned) = counts.get(g.id.as_str()).copied().unwrap_or_default();
                    GemeenteSummary {
                        id: g.id.clone(),
                        name: g.name.clone(),
                        running,
                        planned,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(ListPage {
        nav: "gemeenten",
        subregions,
    })
}

#[derive(Clone)]
pub struct PlanLine {
    pub plan_id: String,
    pub plan_name: String,
    pub status: StatusView,
    pub note: Option<String>,
    pub stage: String,
    pub leads: String,
    pub source: Option<SourceView>,
    order: usize,
}

pub struct ThemeSection {
    pub id: String,
    pub name: String,
    pub plans: Vec<PlanLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "gemeenten/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub gemeente: AreaRow,
    pub subregion: Option<AreaRow>,
    pub running: usize,
    pub planned: usize,
    pub unknown: usize,
    pub sections: Vec<ThemeSection>,
}

async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<ShowPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let not_found = || {
        WebError::NotFound(format!(
            "Er is geen gemeente met de code \"{code}\". Kies een gemeente in de lijst van gemeenten."
        ))
    };
    let code = Gemeentecode::parse(&code).map_err(|_| not_found())?;
    let gemeente = catalog
        .area(code.as_str())
        .filter(|a| a.kind == "gemeente")
        .cloned()
        .ok_or_else(not_found)?;
    let subregion = catalog.subregion_of(&gemeente.id).cloned();

    let filter = PlanFilter {
        subregion: subregion.as_ref().map(|s| s.id.clone()),
        ..PlanFilter::default()
    };
    let plans = state.store.plans(&filter).await?;
    let rollouts = state.store.rollouts(&filter).await?;
    let links = state.store.plan_framework(&filter).await?;
    let organisations = state.store.plan_organisations(&filter).await?;

    let here: HashMap<&str, &crate::store::RolloutRow> = rollouts
        .iter()
        .filter(|r| r.gemeente_id == gemeente.id)
        .map(|r| (r.plan_id.as_str(), r))
        .collect();
    let order_of = |code: &str| {
        RolloutStatus::parse(code).map_or(RolloutStatus::ALL.len(), |s| match s {
            RolloutStatus::Running | RolloutStatus::Embedded | RolloutStatus::StartingUp => 0,
            RolloutStatus::Planned => 1,
            _ => 3,
        })
    };
    let (mut running, mut planned, mut unknown) = (0, 0, 0);
    let mut lines = Vec::new();
    for plan in plans
        .iter()
        .filter(|p| here.contains_key(p.id.as_str()) || catalog.covers(&p.area_id, &gemeente.id))
    {
        let cell = here.get(plan.id.as_str());
        let status = cell.map_or_else(StatusView::unknown, |r| StatusView::from_code(&r.status));
        match RolloutStatus::parse(status.code) {
            Ok(s) if s.is_running() => running += 1,
            Ok(RolloutStatus::Planned) => planned += 1,
            Ok(_) => {}
            Err(_) => unknown += 1,
        }
        let leads: Vec<_> = organisations
            .iter()
            .filter(|o| o.plan_id == plan.id && o.role == "trekker")
            .map(|o| o.name.as_str())
            .collect();
        lines.push(PlanLine {
            plan_id: plan.id.clone(),
            plan_name: plan.name.clone(),
            order: cell.map_or(2, |r| order_of(&r.status)),
            status,
            note: cell.and_then(|r| r.note.clone()),
            stage: stage_label(plan.stage.as_deref()),
            leads: if leads.is_empty() {
                plan.lead_text.clone().unwrap_or_default()
            } else {
                leads.join(", ")
            },
            source: cell.and_then(|r| catalog.source(r.source_id.as_deref())),
        });
    }
    lines.sort_by_key(|l| l.order);

    let mut sections: Vec<ThemeSection> = catalog
        .items(FrameworkKind::Theme)
        .map(|t| ThemeSection {
            id: t.id.clone(),
            name: t.name.clone(),
            plans: Vec::new(),
        })
        .collect();
    let mut without = ThemeSection {
        id: "zonder-opgave".into(),
        name: "Plannen zonder vermelde opgave".into(),
        plans: Vec::new(),
    };
    for line in lines {
        let themes: Vec<_> = links
            .iter()
            .filter(|l| l.plan_id == line.plan_id)
            .map(|l| l.item_id.as_str())
            .collect();
        let mut placed = false;
        for section in sections
            .iter_mut()
            .filter(|s| themes.contains(&s.id.as_str()))
        {
            section.plans.push(line.clone());
            placed = true;
        }
        if !placed {
            without.plans.push(line);
        }
    }
    sections.push(without);
    sections.retain(|s| !s.plans.is_empty());
    Ok(ShowPage {
        nav: "gemeenten",
        gemeente,
        subregion,
        running,
        planned,
        unknown,
        sections,
    })
}
