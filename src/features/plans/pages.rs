//! Plans: the list, and one plan as the ZOU document presents it (four questions, table row,
//! rollout per gemeente, history with sources, parent and child plans).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};

use super::model::{FRAMEWORK_FIELDS, PlanField};
use super::model::{PlanDetail, PlanFilter, PlanRow};
use crate::domain::{FactDate, NetworkRole, Phase, PlanKind};
use crate::features::changes::effective::entered_late;
use crate::features::changes::model::AuditScope;
use crate::features::changes::pages::{ChangeLine, change_lines, moment_nl};
use crate::features::dashboard::overview::{CellFact, Peildatum, PortfolioView};
use crate::store::RecordField;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::filter::FilterChoice;
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{
    Catalog, Fact, SourceView, StatusView, date_nl, other_assumptions, stage_label, stored_date,
};
use crate::web::{AppState, FilterOptions};

pub fn routes() -> Routes {
    Routes::new()
        .get("/plannen", list)
        .get("/plannen.csv", list_download)
        .get("/plannen.xlsx", list_download)
        .get("/plannen/{id}", show)
}

pub struct PlanListLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub area: String,
    pub stage: String,
    pub leads: String,
    /// The lead or the area is an aanname (its reason is on the plan's page).
    pub leads_assumed: bool,
    pub area_assumed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub choice: FilterChoice,
    pub options: FilterOptions,
    pub plans: Vec<PlanListLine>,
    pub pages: PageNav,
    /// The downloads of the whole filtered list.
    pub downloads: download::Links,
    /// The filter in words, for the printout.
    pub filter_words: String,
}

/// The lines of one page of the plan list (`filter` narrowed to the page), in portfolio order.
async fn list_lines(
    state: &AppState,
    catalog: &Catalog,
    filter: &PlanFilter,
) -> Result<Vec<PlanListLine>, crate::store::StoreError> {
    Ok(state
        .store
        .plan_list_rows(filter)
        .await?
        .into_iter()
        .map(|p| PlanListLine {
            kind: kind_label(&p.kind),
            area: catalog.area_name(&p.area_id),
            stage: stage_label(p.stage.as_deref()),
            leads: p.leads.or(p.lead_text).unwrap_or_default(),
            leads_assumed: p.leads_assumed != 0,
            area_assumed: p.area_assumed != 0,
            id: p.id,
            name: p.name,
        })
        .collect())
}

async fn list(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ListPage, WebError> {
    let (paging, pairs) = Paging::split(&pairs)?;
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let (choice, filter) = FilterChoice::parse(&pairs, &catalog)?;
    let total = state.plan_total(version, &filter).await?;
    let plans = match state.store.plan_page(&filter, paging).await? {
        Some(page) => list_lines(&state, &catalog, &page).await?,
        None => Vec::new(),
    };
    Ok(ListPage {
        filter_words: choice.words(&catalog),
        nav: "plannen",
        options: FilterOptions::from_catalog(&catalog),
        choice,
        plans,
        pages: PageNav::new("/plannen", &pairs, paging, total),
        downloads: download::Links::new("/plannen", &pairs).with_note(format!(
            "de hele lijst ({total} {}, met het filter hierboven)",
            if total == 1 { "plan" } else { "plannen" }
        )),
    })
}

/// The columns of the plan list's downloads.
const LIST_COLUMNS: &[&str] = &["id", "naam", "soort", "gebied", "fase", "trekker"];

/// The whole filtered plan list as CSV or Excel (`/plannen.csv`, `/plannen.xlsx`), read a
/// batch of plans at a time by the list's own page query.
async fn list_download(
    State(state): State<AppState>,
    format: download::Format,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, WebError> {
    let catalog = std::sync::Arc::new(Catalog::load(&state.store).await?);
    let (_, pairs) = Paging::split(&pairs)?;
    let (_, filter) = FilterChoice::parse(&pairs, &catalog)?;
    let table = download::Table::new("plannen", "Plannen", LIST_COLUMNS);
    Ok(table.download(format, move |n| {
        let (state, catalog, filter) = (state.clone(), catalog.clone(), filter.clone());
        async move {
            let paging = Paging {
                number: n + 1,
                size: download::BATCH,
            };
            let Some(page) = state.store.plan_page(&filter, paging).await? else {
                return Ok(None);
            };
            let lines = list_lines(&state, &catalog, &page).await?;
            Ok(Some(
                lines
                    .into_iter()
                    .map(|l| {
                        vec![
                            Cell::text(l.id),
                            Cell::text(l.name),
                            Cell::text(l.kind),
                            Cell::text(l.area),
                            Cell::text(l.stage),
                            Cell::text(l.leads),
                        ]
                    })
                    .collect(),
            ))
        }
    }))
}

fn kind_label(code: &str) -> String {
    PlanKind::parse(code).map_or_else(|_| code.to_owned(), |k| k.label().to_owned())
}

pub struct Named {
    pub id: String,
    pub name: String,
}

pub struct Question {
    pub title: &'static str,
    pub text: String,
    /// Why the text is an aanname, when it is one.
    pub assumption: Option<String>,
}

pub struct FrameworkGroup {
    pub title: &'static str,
    pub items: Vec<Named>,
    pub assumption: Option<String>,
}

pub struct RolloutLine {
    pub gemeente_id: String,
    pub gemeente: String,
    pub status: StatusView,
    /// No source names the gemeente: the status follows the plan's stage.
    pub follows_plan: bool,
    pub note: Option<String>,
    pub date: Option<String>,
    pub source: Option<SourceView>,
    pub assumption: Option<String>,
}

/// "Fase: Transformatieplan goedgekeurd, sinds 9 oktober 2025 (bron ...)", and the words of
/// the document's own status texts as quotes with their date.
#[derive(Default)]
pub struct StatusBox {
    pub stage: String,
    pub since: Option<String>,
    pub source: Option<SourceView>,
    /// On a peildatum: a later step that may already have happened.
    pub maybe: Option<String>,
    /// The table cell "Status" as the source wrote it, with the source's date.
    pub status_text: Option<String>,
    /// "Wat is de actuele status?" as the source wrote it.
    pub current_status: Option<String>,
    /// The source of those texts: "De Kracht van Samen, 5 september 2025".
    pub text_source: Option<SourceView>,
}

pub struct HistoryLine {
    pub date: String,
    pub what: String,
    pub note: Option<String>,
    pub source: Option<SourceView>,
    pub assumption: Option<String>,
    /// When a person entered it ("6 december 2026 14:05"); `None` when it came with its source.
    pub entered: Option<String>,
    /// Entered after the date it took effect had passed.
    pub late: bool,
}

pub struct BudgetLineView {
    pub id: i64,
    pub year: i64,
    pub source: String,
    pub state: String,
    pub requested: String,
    pub granted: String,
    pub spent: String,
    pub is_example: bool,
    pub assumption: Option<String>,
}

pub struct CapacityLineView {
    pub year: i64,
    pub text: String,
    pub note: Option<String>,
}

pub struct MilestoneLine {
    pub id: i64,
    pub status: String,
    pub status_symbol: &'static str,
    pub assumption: Option<String>,
    pub period: String,
    pub title: String,
    pub theme: Option<String>,
    pub note: Option<String>,
    pub source: Option<SourceView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub plan: PlanRow,
    pub kind: String,
    pub area: String,
    pub area_link: Option<String>,
    /// The areas the plan runs in, when more than its own.
    pub work_areas: Vec<String>,
    pub stage: String,
    /// The current status in one place (or on the peildatum).
    pub status: StatusBox,
    pub as_of: Peildatum,
    pub parent: Option<Named>,
    pub children: Vec<(Named, String)>,
    pub questions: Vec<Question>,
    pub leads: Vec<Named>,
    pub parties: Vec<Named>,
    pub funding: Vec<String>,
    pub facts: Vec<Fact>,
    pub framework: Vec<FrameworkGroup>,
    /// Aannames on the plan's own fields, by field code (`leads`, `parties`, `funding`).
    pub assumptions: std::collections::BTreeMap<String, String>,
    /// Aannames on fields the page shows without a place for the reason (area, stage, kind,
    /// name, ...): (label, reason), listed under the plan's tags.
    pub other_assumptions: Vec<(&'static str, String)>,
    pub rollouts: Vec<RolloutLine>,
    pub history: Vec<HistoryLine>,
    pub milestones: Vec<MilestoneLine>,
    /// Budget lines by year (newest first) and the capacity per year.
    pub budgets: Vec<BudgetLineView>,
    pub capacities: Vec<CapacityLineView>,
    /// The year a new capacity is given for (this year).
    pub this_year: i16,
    pub links: Vec<(String, String)>,
    pub source: Option<SourceView>,
    /// The viewer may edit this plan and its rollout.
    pub can_edit: bool,
    pub can_archive: bool,
    /// Shown to signed-in readers only.
    pub internal_note: Option<String>,
    /// The audit trail of this plan, newest first.
    pub changes: Vec<ChangeLine>,
    /// The plan's KPI's with their status.
    pub kpis: Vec<crate::features::indicators::KpiLine>,
    /// Its kwartaalupdates' traffic lights over the last rounds, oldest first.
    pub quarters: Vec<crate::features::quarterly::pages::QuarterLight>,
    /// The agenda items about this plan, the latest meeting first.
    pub agenda: Vec<crate::features::meetings::pages::PlanAgendaLine>,
}

impl ShowPage {
    /// Some gemeente of the working area has no fact of its own and follows the plan.
    pub fn some_follow_the_plan(&self) -> bool {
        self.rollouts.iter().any(|r| r.follows_plan)
    }
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ShowPage, WebError> {
    let (as_of, _) = Peildatum::split(&pairs)?;
    let Some(detail) = state.store.plan_detail(&id).await? else {
        return Err(WebError::NotFound(format!(
            "Er is geen plan met de id \"{id}\". Zoek het plan in de lijst van plannen."
        )));
    };
    let catalog = state.catalog(state.data_version().await).await?;
    // The parent and the children, by their keys (not the whole portfolio).
    let all = state
        .store
        .plan_family(&id, detail.plan.parent_id.as_deref())
        .await?;
    let funding_names = state.store.funding_sources().await?;
    let leads: Vec<String> = detail
        .organisations
        .iter()
        .filter(|o| o.role == "trekker")
        .map(|o| o.organisation_id.clone())
        .collect();
    let changes = state.store.audit_for(AuditScope::Plan(&id), 200).await?;
    let view = PortfolioView::load(
        &state.store,
        &catalog,
        &PlanFilter {
            plan: Some(id.clone()),
            include_archived: true,
            ..PlanFilter::default()
        },
        as_of,
    )
    .await?;
    let mut page = show_page(detail, &catalog, &all, &funding_names, &view);
    page.kpis = crate::features::indicators::kpi_lines_for_plan(&state, &id).await?;
    page.quarters = crate::features::quarterly::pages::quarter_lights(&state, &viewer, &id).await?;
    page.agenda = crate::features::meetings::pages::plan_agenda_lines(&state, &viewer, &id).await?;
    page.can_edit = viewer
        .user
        .as_ref()
        .is_some_and(|u| u.may_edit_plan(&leads));
    page.can_archive = viewer.is_admin();
    page.internal_note = if viewer.sees_internal() {
        page.plan.internal_note.take()
    } else {
        None
    };
    page.plan.internal_note = None;
    page.changes = change_lines(changes, &viewer);
    Ok(page)
}

fn show_page(
    d: PlanDetail,
    catalog: &Catalog,
    all: &[PlanRow],
    funding_sources: &[crate::features::plans::model::FundingSourceRow],
    view: &PortfolioView,
) -> ShowPage {
    let p = &d.plan;
    let named = |id: &str, name: &str| Named {
        id: id.to_owned(),
        name: name.to_owned(),
    };
    let parent = p
        .parent_id
        .as_deref()
        .and_then(|pid| all.iter().find(|x| x.id == pid))
        .map(|x| named(&x.id, &x.name));
    let children = all
        .iter()
        .filter(|x| x.parent_id.as_deref() == Some(p.id.as_str()))
        .map(|x| (named(&x.id, &x.name), stage_label(x.stage.as_deref())))
        .collect();
    let assumed = |field: PlanField| d.assumptions.get(field.code()).cloned();
    let questions = [
        ("Waar gaat dit plan over?", PlanField::About, &p.texts.about),
        (
            "Wat is het beoogde resultaat?",
            PlanField::IntendedResult,
            &p.texts.intended_result,
        ),
        (
            "Welke activiteiten gaan er gebeuren?",
            PlanField::Activities,
            &p.texts.activities,
        ),
        ("Wat vraagt dit van wie?", PlanField::Asks, &p.texts.asks),
    ]
    .into_iter()
    .filter_map(|(title, field, text)| {
        Some(Question {
            title,
            text: text.clone()?,
            assumption: assumed(field),
        })
    })
    .collect();
    let by_role = |role: &str| {
        d.organisations
            .iter()
            .filter(|o| o.role == role)
            .map(|o| named(&o.organisation_id, &o.name))
            .collect()
    };
    let funding = d
        .funding
        .iter()
        .map(|f| {
            funding_sources
                .iter()
                .find(|s| &s.id == f)
                .map_or_else(|| f.clone(), |s| s.name.clone())
        })
        .collect();

    let mut facts = Vec::new();
    let mut fact = |field: PlanField, value: String| {
        facts.push(Fact {
            label: field.label(),
            value,
            assumption: assumed(field),
        });
    };
    if let Some(role) = p
        .network_role
        .as_deref()
        .and_then(|r| NetworkRole::parse(r).ok())
    {
        fact(PlanField::NetworkRole, role.label().to_owned());
    }
    if let Some(new) = p.is_new() {
        fact(
            PlanField::IsNew,
            if new { "Nieuw" } else { "Doorontwikkeling" }.to_owned(),
        );
    }
    if let Some(phase) = p.phase.as_deref().and_then(|r| Phase::parse(r).ok()) {
        fact(PlanField::Phase, phase.label().to_owned());
    }

    let framework = FRAMEWORK_FIELDS
        .into_iter()
        .map(|(kind, field)| FrameworkGroup {
            title: kind.plural(),
            assumption: assumed(field),
            items: d
                .framework
                .iter()
                .filter_map(|id| catalog.item(id))
                .filter(|i| i.kind == kind.code())
                .map(|i| named(&i.id, &i.name))
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();

    // Every gemeente of the plan's working area, plus any gemeente a source names outside it:
    // the gemeente's own fact, or else the plan's stage ("volgt plan").
    let mut rollouts: Vec<RolloutLine> = catalog
        .gemeenten()
        .filter(|g| view.concerns(&p.id, &g.id))
        .map(|g| match view.cell(&p.id, &g.id) {
            CellFact::Own(r) => RolloutLine {
                gemeente_id: g.id.clone(),
                gemeente: g.name.clone(),
                status: StatusView::of(r.status),
                follows_plan: false,
                note: r.note.clone(),
                date: Some(date_nl(&r.date)),
                source: catalog.source(r.source_id.as_deref()),
                assumption: r.assumption.clone(),
            },
            fact => {
                let stage = view.stage(&p.id);
                RolloutLine {
                    gemeente_id: g.id.clone(),
                    gemeente: g.name.clone(),
                    status: StatusView::overview(
                        fact.overview().unwrap_or(crate::domain::Overview::Unknown),
                    ),
                    follows_plan: true,
                    note: None,
                    date: stage.and_then(|s| s.date.as_deref()).map(date_nl),
                    source: stage.and_then(|s| catalog.source(s.source_id.as_deref())),
                    assumption: None,
                }
            }
        })
        .collect();
    // The gemeente's own facts first.
    rollouts.sort_by_key(|l| l.follows_plan);

    let status = {
        let stage = view.stage(&p.id);
        StatusBox {
            stage: match stage.and_then(|s| s.stage) {
                Some(s) => s.label().to_owned(),
                None if view.as_of.is_past() => "Nog geen fase bekend".to_owned(),
                None => "Niet vermeld".to_owned(),
            },
            since: stage.and_then(|s| s.date.as_deref()).map(date_nl),
            source: stage.and_then(|s| catalog.source(s.source_id.as_deref())),
            maybe: stage
                .and_then(|s| s.maybe.as_ref())
                .map(|(st, d)| format!("{} ({})", st.label().to_lowercase(), date_nl(d))),
            status_text: p.texts.status_text.clone(),
            current_status: p.texts.current_status.clone(),
            text_source: catalog.source(p.source_id.as_deref()),
        }
    };

    // Stage steps and rollouts together, by the date each took effect (a step known only to
    // the year sorts at its start; unknown dates last), the stage steps first on a tie.
    let mut history: Vec<(FactDate, HistoryLine)> = d
        .history
        .iter()
        .map(|h| {
            let line = HistoryLine {
                date: date_nl(&h.date),
                what: format!("Fase: {}", stage_label(Some(&h.stage))),
                note: h.note.clone(),
                source: catalog.source(h.source_id.as_deref()),
                assumption: h.assumption.clone(),
                entered: h.recorded_at.as_deref().map(moment_nl),
                late: entered_late(&h.date, h.recorded_at.as_deref()),
            };
            (stored_date(&h.date), line)
        })
        .chain(d.rollout_history.iter().map(|r| {
            let line = HistoryLine {
                date: date_nl(&r.date),
                what: format!(
                    "Uitrol {}: {}",
                    catalog.area_name(&r.gemeente_id),
                    StatusView::from_code(&r.status).label
                ),
                note: r.note.clone(),
                source: catalog.source(r.source_id.as_deref()),
                assumption: r.assumption.clone(),
                entered: r.recorded_at.as_deref().map(moment_nl),
                late: entered_late(&r.date, r.recorded_at.as_deref()),
            };
            (stored_date(&r.date), line)
        }))
        .collect();
    history.sort_by_key(|(date, _)| *date);
    let history = history.into_iter().map(|(_, line)| line).collect();

    let milestones = d
        .milestones
        .iter()
        .map(|m| MilestoneLine {
            id: m.id,
            status: m.status().label().to_owned(),
            status_symbol: m.status().symbol(),
            assumption: m.assumption.clone(),
            period: m.period.as_deref().map_or_else(
                || "Periode niet vermeld".to_owned(),
                |p| FactDate::parse(p).map_or_else(|_| p.to_owned(), FactDate::label_nl),
            ),
            title: m.title.clone(),
            theme: m
                .theme_id
                .as_deref()
                .and_then(|t| catalog.item(t))
                .map(|t| t.name.clone()),
            note: m.note.clone(),
            source: catalog.source(m.source_id.as_deref()),
        })
        .collect();

    let area = catalog.area(&p.area_id);
    let area_link = area.and_then(|a| match a.kind.as_str() {
        "gemeente" => Some(format!("/gemeenten/{}", a.id)),
        "subregio" => Some(format!("/?subregio={}", a.id)),
        _ => None,
    });
    ShowPage {
        nav: "plannen",
        work_areas: d.work_areas.iter().map(|a| catalog.area_name(a)).collect(),
        status,
        as_of: view.as_of,
        kind: kind_label(&p.kind),
        area: catalog.area_name(&p.area_id),
        area_link,
        stage: stage_label(p.stage.as_deref()),
        parent,
        children,
        questions,
        leads: by_role("trekker"),
        parties: by_role("betrokken"),
        funding,
        facts,
        framework,
        other_assumptions: other_assumptions(
            &d.assumptions,
            &[
                PlanField::About,
                PlanField::IntendedResult,
                PlanField::Activities,
                PlanField::Asks,
                PlanField::Leads,
                PlanField::Parties,
                PlanField::Funding,
                PlanField::Accords,
                PlanField::Principles,
                PlanField::Transformations,
                PlanField::Themes,
                PlanField::Foundations,
                PlanField::NetworkRole,
                PlanField::IsNew,
                PlanField::Phase,
            ],
        ),
        assumptions: d.assumptions.clone(),
        rollouts,
        history,
        milestones,
        budgets: {
            let mut lines: Vec<BudgetLineView> = d
                .budgets
                .iter()
                .map(|b| {
                    let amount = |c: Option<i64>| {
                        c.map_or_else(
                            || "onbekend".to_owned(),
                            |c| crate::domain::Cents(c).label_nl(),
                        )
                    };
                    BudgetLineView {
                        id: b.id,
                        year: b.year,
                        source: funding_sources
                            .iter()
                            .find(|f| f.id == b.funding_source_id)
                            .map_or_else(|| b.funding_source_id.clone(), |f| f.name.clone()),
                        state: b.state().map_or_else(
                            || "stand onbekend".to_owned(),
                            |s| s.label().to_lowercase(),
                        ),
                        requested: amount(b.requested_cents),
                        granted: amount(b.granted_cents),
                        spent: amount(b.spent_cents),
                        is_example: b.is_example != 0,
                        assumption: b.assumption.clone(),
                    }
                })
                .collect();
            lines.sort_by(|a, b| b.year.cmp(&a.year).then(a.source.cmp(&b.source)));
            lines
        },
        capacities: d
            .capacities
            .iter()
            .rev()
            .map(|c| {
                let f = c.fields();
                let mut parts = Vec::new();
                if let Some(a) = f.assessment {
                    parts.push(a.label().to_owned());
                }
                if let Some((v, u)) = f.amount {
                    parts.push(crate::features::finance::model::capacity_label(v, u));
                }
                CapacityLineView {
                    year: c.year,
                    text: if parts.is_empty() {
                        "geen indicatie".to_owned()
                    } else {
                        parts.join(", ")
                    },
                    note: c.note.clone(),
                }
            })
            .collect(),
        this_year: crate::features::indicators::today().year(),
        links: d
            .links
            .iter()
            .map(|l| (l.title.clone(), l.url.clone()))
            .collect(),
        source: catalog.source(p.source_id.as_deref()),
        plan: d.plan,
        can_edit: false,
        can_archive: false,
        internal_note: None,
        changes: Vec::new(),
        kpis: Vec::new(),
        quarters: Vec::new(),
        agenda: Vec::new(),
    }
}
