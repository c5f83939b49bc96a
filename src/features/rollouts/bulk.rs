//! One plan's rollout for many gemeenten at once: "start in heel Lekstroom" is one form, not
//! one form per cell. Each gemeente is still its own fact: the save writes one history line
//! and one set of audit entries per cell, all in one write (all or none), each cell claimed at
//! the version the form showed, so a cell someone changed meanwhile stops the whole save.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::edit::{chosen_status, date_and_source, rollout_input};
use super::model::RolloutFields;
use crate::domain::RolloutStatus;
use crate::features::dashboard::overview::{CellFact, Peildatum, PortfolioView};
use crate::features::plans::edit::plan_guard;
use crate::features::plans::model::PlanFilter;
use crate::store::Reason;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, StatusView};

pub fn routes() -> Routes {
    Routes::new()
        .get("/plannen/{id}/uitrol-reeks", bulk_form)
        .post("/plannen/{id}/uitrol-reeks", bulk_save)
}

/// A gemeente to choose, with what its cell says now.
pub struct BulkGemeente {
    pub id: String,
    pub name: String,
    /// "Loopt", "Gepland (volgt plan)", ...
    pub now: String,
    pub version: i64,
    pub chosen: bool,
}

/// The gemeenten of one subregio that the plan concerns.
pub struct BulkGroup {
    pub id: String,
    pub name: String,
    pub gemeenten: Vec<BulkGemeente>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/rollout_bulk.html")]
pub struct BulkPage {
    pub nav: &'static str,
    pub plan_id: String,
    pub plan_name: String,
    pub groups: Vec<BulkGroup>,
    pub statuses: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub form: BulkForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BulkQuery {
    subregio: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    pub gemeenten: Vec<String>,
    pub status: String,
    pub date: String,
    pub note: String,
    pub source: String,
    pub source_new: String,
    pub comment: String,
}

/// The page, with the gemeenten `chosen` ticked, each at the version the form showed before
/// (`shown`), or else as the store has it now.
async fn page(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    form: BulkForm,
    chosen: impl Fn(&str, &str) -> bool,
    shown: &HashMap<String, i64>,
) -> Result<BulkPage, WebError> {
    let stored = plan_guard(state, id).await?;
    viewer.require_plan_editor(&stored.fields.name, &stored.fields.leads)?;
    let catalog = Catalog::load(&state.store).await?;
    let filter = PlanFilter {
        plan: Some(id.to_owned()),
        include_archived: true,
        ..Default::default()
    };
    let view = PortfolioView::load(&state.store, &catalog, &filter, Peildatum::default()).await?;
    let versions = state.store.rollout_versions(id).await?;
    let groups = catalog
        .subregions()
        .map(|s| BulkGroup {
            id: s.id.clone(),
            name: s.name.clone(),
            gemeenten: catalog
                .gemeenten_of(&s.id)
                .filter(|g| view.concerns(id, &g.id))
                .map(|g| BulkGemeente {
                    now: match view.cell(id, &g.id) {
                        CellFact::Own(f) => StatusView::from_code(f.status.code()).label.to_owned(),
                        CellFact::FollowsPlan(s) => format!(
                            "{} (volgt plan)",
                            StatusView::from_code(s.overview().code()).label
                        ),
                        CellFact::Outside => "buiten het werkgebied".to_owned(),
                    },
                    version: shown
                        .get(&g.id)
                        .or_else(|| versions.get(&g.id))
                        .copied()
                        .unwrap_or(0),
                    chosen: chosen(&s.id, &g.id),
                    id: g.id.clone(),
                    name: g.name.clone(),
                })
                .collect(),
        })
        .filter(|g: &BulkGroup| !g.gemeenten.is_empty())
        .collect();
    Ok(BulkPage {
        nav: "plannen",
        plan_id: id.to_owned(),
        plan_name: stored.fields.name,
        groups,
        statuses: Choice::none_then("Kies een status", Choice::all::<RolloutStatus>()),
        sources: catalog.source_choices("Geen bron"),
        form,
        errors: FormErrors::new(),
    })
}

async fn bulk_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BulkQuery>,
) -> Result<BulkPage, WebError> {
    page(
        &state,
        &viewer,
        &id,
        BulkForm::default(),
        |s, _| s == q.subregio,
        &HashMap::new(),
    )
    .await
}

async fn bulk_save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let mut form: BulkForm = crate::web::forms::parse_form(&body);
    let mut seen = std::collections::HashSet::new();
    form.gemeenten.retain(|g| seen.insert(g.clone()));
    // The versions the form showed, one hidden field per gemeente: `versie-GM0355=3`.
    let mut shown: HashMap<String, i64> =
        serde_html_form::from_bytes::<Vec<(String, String)>>(&body)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("versie-")?.to_owned(), v.parse().ok()?)))
            .collect();
    let catalog = Catalog::load(&state.store).await?;
    let mut errors = FormErrors::new();
    if form.gemeenten.is_empty() {
        errors.add(
            "gemeenten",
            "Gemeenten: vink minstens één gemeente aan waarvoor deze uitrol geldt.",
        );
    }
    let status = chosen_status(
        &mut errors,
        &form.status,
        "Status: kies de status die voor de gemeenten geldt.",
    );
    let (date, source) = date_and_source(
        &mut errors,
        &catalog,
        &form.date,
        &form.source,
        &form.source_new,
    );
    let mut answer = StatusCode::UNPROCESSABLE_ENTITY;
    // Check who may before anything is written, and which gemeenten the plan concerns.
    let offered = page(
        &state,
        &viewer,
        &id,
        form.clone(),
        |_, _| false,
        &HashMap::new(),
    )
    .await?;
    let concerned: HashMap<&str, i64> = offered
        .groups
        .iter()
        .flat_map(|g| &g.gemeenten)
        .map(|g| (g.id.as_str(), g.version))
        .collect();
    if let Some(g) = form
        .gemeenten
        .iter()
        .find(|g| !concerned.contains_key(g.as_str()))
    {
        errors.add(
            "gemeenten",
            format!(
                "Gemeenten: \"{g}\" ligt niet in het werkgebied van dit plan; kies uit de lijst."
            ),
        );
    }
    if let (Some(status), Some(date), true) = (status, date, errors.is_empty()) {
        // Each cell keeps its wijk, and its note unless the form gives one for all. The
        // values are those of the version the form showed: a cell changed since is a conflict.
        let stored: HashMap<String, (Option<String>, Option<String>)> = state
            .store
            .rollouts(&PlanFilter {
                plan: Some(id.clone()),
                include_archived: true,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|r| (r.gemeente_id, (r.district_id, r.note)))
            .collect();
        let cells: Vec<(String, i64, RolloutFields)> = form
            .gemeenten
            .iter()
            .map(|g| {
                let (district_id, note) = stored.get(g).cloned().unwrap_or_default();
                let fields = RolloutFields {
                    status,
                    date,
                    district_id,
                    note: optional(&form.note).or(note),
                    source: source.clone(),
                    // The date and source were typed for this status in this form.
                    date_and_source_confirmed: true,
                };
                (g.clone(), shown.get(g).copied().unwrap_or(-1), fields)
            })
            .collect();
        let reason = Reason {
            comment: optional(&form.comment),
            source: None,
        };
        let saved = state
            .store
            .save_rollouts(&viewer.actor(), &reason, &id, &cells)
            .await;
        match settle_at(saved, rollout_input, "status")? {
            Ok(_) => {
                return Ok(flash::redirect(
                    &format!("/plannen/{id}#uitrol"),
                    Notice::RolloutsSaved,
                ));
            }
            Err(not_saved) => {
                answer = not_saved.status();
                errors = not_saved.errors;
                if not_saved.newer_version.is_some() {
                    let changed: Vec<&str> = offered
                        .groups
                        .iter()
                        .flat_map(|g| &g.gemeenten)
                        .filter(|g| form.gemeenten.contains(&g.id))
                        .filter(|g| shown.get(&g.id).copied().unwrap_or(-1) != g.version)
                        .map(|g| g.name.as_str())
                        .collect();
                    errors.add(
                        "gemeenten",
                        format!(
                            "Gemeenten: iemand anders heeft intussen de uitrol gewijzigd in {}. Er is niets opgeslagen. Hieronder staat de huidige stand; controleer de keuze en sla opnieuw op.",
                            if changed.is_empty() {
                                "een van deze gemeenten".to_owned()
                            } else {
                                changed.join(", ")
                            }
                        ),
                    );
                    // After a conflict the form is opened anew at the stored versions.
                    shown.clear();
                }
            }
        }
    }
    let chosen: Vec<String> = form.gemeenten.clone();
    let mut p = page(
        &state,
        &viewer,
        &id,
        form,
        |_, g| chosen.iter().any(|c| c == g),
        &shown,
    )
    .await?;
    p.errors = errors;
    Ok((answer, p).into_response())
}
