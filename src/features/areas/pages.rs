//! Per gemeente: what runs and what is planned there, per opgave; its wijken and LSV's, and its
//! history. A beheerder adds wijken and renames areas (as CBS renames a gemeente).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{AreaField, AreaRow};
use crate::domain::{FrameworkKind, Gemeentecode, Overview, Slug};
use crate::features::changes::model::AuditScope;
use crate::features::changes::pages::last_change;
use crate::features::changes::pages::{ChangeLine, change_lines};
use crate::features::dashboard::overview::{CellFact, Counts, Peildatum, PortfolioView};
use crate::features::plans::model::{PlanFilter, PlanOrganisationRow};
use crate::store::Reason;
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{ConflictLine, parse_form};
use crate::web::forms::{FormErrors, optional};
use crate::web::forms::{conflict_line, required_name, settle};
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, SourceView, StatusView, date_nl};

pub fn routes() -> Routes {
    Routes::new()
        .get("/gemeenten", list)
        .get("/gemeenten/{code}", show)
        .get("/gemeenten/{code}/plannen.csv", plans_download)
        .get("/gemeenten/{code}/plannen.xlsx", plans_download)
        .post("/gemeenten/{code}/wijken", add_district)
        .get("/gebieden/{id}/bewerken", rename_form)
        .post("/gebieden/{id}/bewerken", rename)
}

pub struct GemeenteSummary {
    pub id: String,
    pub name: String,
    /// Running by the gemeente's own fact.
    pub running_own: usize,
    /// Running because the plan runs in its working area.
    pub running_via_plan: usize,
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
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let counts = state
        .gemeente_counts(version, &catalog, &PlanFilter::default(), &[])
        .await?;
    let subregions = catalog
        .subregions()
        .map(|s| SubregionGroup {
            id: s.id.clone(),
            name: s.name.clone(),
            gemeenten: catalog
                .gemeenten_of(&s.id)
                .map(|g| {
                    let c = counts
                        .by_gemeente
                        .get(&g.id)
                        .map(|(c, _)| c.clone())
                        .unwrap_or_default();
                    GemeenteSummary {
                        id: g.id.clone(),
                        name: g.name.clone(),
                        running_own: c.running_own,
                        running_via_plan: c.running_via_plan,
                        planned: c.planned,
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
    /// No source names the gemeente: the status follows the plan's stage.
    pub follows_plan: bool,
    pub note: Option<String>,
    /// Why the gemeente's status is an aanname, when it is one.
    pub assumption: Option<String>,
    pub stage: String,
    pub leads: String,
    pub source: Option<SourceView>,
    order: usize,
}

#[derive(Clone)]
pub struct ThemeSection {
    pub id: String,
    pub name: String,
    pub plans: Vec<PlanLine>,
}

/// The "Wijk of LSV toevoegen" form as posted, kept as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DistrictForm {
    pub name: String,
    pub id: String,
    pub comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "gemeenten/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub gemeente: AreaRow,
    pub subregion: Option<AreaRow>,
    /// Running in the gemeente itself, via the plan, and planned.
    pub counts: Counts,
    /// Plans of its working area whose stage nobody states.
    pub unknown: usize,
    pub as_of: Peildatum,
    pub sections: Vec<ThemeSection>,
    /// The gemeente's wijken and LSV's.
    pub districts: Vec<AreaRow>,
    pub is_admin: bool,
    pub district_form: DistrictForm,
    pub errors: FormErrors,
    /// Changes to the gemeente, its wijken and its rollouts, newest first.
    pub history: Vec<ChangeLine>,
    /// KPI's measured in this gemeente, its subregio or the region, with their status.
    pub kpis: Vec<crate::features::indicators::KpiLine>,
    /// The gemeente's plans as a file, on the peildatum.
    pub downloads: download::Links,
    /// Where this page of the gemeente's plans lies in the whole list.
    pub pages: PageNav,
}

fn gemeente_not_found(code: &str) -> WebError {
    WebError::NotFound(format!(
        "Er is geen gemeente met de code \"{code}\". Kies een gemeente in de lijst van gemeenten."
    ))
}

/// The gemeente with this CBS code, or a 404 that says where to find one.
fn find_gemeente(catalog: &Catalog, code: &str) -> Result<AreaRow, WebError> {
    let parsed = Gemeentecode::parse(code).map_err(|_| gemeente_not_found(code))?;
    catalog
        .area(parsed.as_str())
        .filter(|a| a.kind == "gemeente")
        .cloned()
        .ok_or_else(|| gemeente_not_found(code))
}

/// The id of a new wijk: wijk names repeat across gemeenten ("Centrum"), so it starts with
/// the gemeente's name ("zeist-centrum"), unless the wijk's name already does ("Zeist-West").
fn district_id(gemeente: &str, name: &str) -> Option<Slug> {
    let own = Slug::from_name(name)?;
    match Slug::from_name(gemeente) {
        Some(g) if !own.as_str().starts_with(&format!("{g}-")) => {
            Slug::parse(&format!("{g}-{own}")).ok()
        }
        _ => Some(own),
    }
}

fn districts_of(catalog: &Catalog, gemeente_id: &str) -> Vec<AreaRow> {
    let mut list: Vec<AreaRow> = catalog
        .areas
        .iter()
        .filter(|a| a.kind == "wijk" && a.parent_id.as_deref() == Some(gemeente_id))
        .cloned()
        .collect();
    list.sort_by_key(|a| a.name.to_lowercase());
    list
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ShowPage, WebError> {
    let (paging, pairs) = Paging::split(&pairs)?;
    let (as_of, _) = Peildatum::split(&pairs)?;
    show_page(
        &state,
        &viewer,
        &code,
        (as_of, paging),
        DistrictForm::default(),
        FormErrors::new(),
    )
    .await
}

/// The gemeente page; with the district form as typed and its errors after a failed post.
async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    (as_of, paging): (Peildatum, Paging),
    district_form: DistrictForm,
    errors: FormErrors,
) -> Result<ShowPage, WebError> {
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let gemeente = find_gemeente(&catalog, code)?;
    let subregion = catalog.subregion_of(&gemeente.id).cloned();

    // The gemeente's counts, its page of plans and its KPI's are the same for every viewer: kept under
    // the data's version (read before the catalog), made once at a time.
    let key = format!("{}|{:?}|{:?}", gemeente.id, paging, as_of);
    let plans = state
        .gemeente_plans
        .get_or_make(version, &key, || {
            gemeente_plans(state, version, &catalog, &gemeente.id, as_of, paging)
        })
        .await?;
    let GemeentePlans {
        counts,
        unknown,
        total,
        sections,
        kpis,
    } = plans.as_ref().clone();
    let trail = state
        .store
        .audit_for(AuditScope::Area(&gemeente.id), 100)
        .await?;
    let peildatum: Vec<(String, String)> = as_of
        .0
        .map(|d| ("peildatum".to_owned(), d.to_string()))
        .into_iter()
        .collect();
    Ok(ShowPage {
        pages: PageNav::new(
            &format!("/gemeenten/{}", gemeente.id),
            &peildatum,
            paging,
            total,
        ),
        kpis,
        downloads: download::Links::new(&format!("/gemeenten/{}/plannen", gemeente.id), &peildatum)
            .with_note(format!("de plannen van {}", gemeente.name)),
        nav: "gemeenten",
        districts: districts_of(&catalog, &gemeente.id),
        gemeente,
        subregion,
        counts,
        unknown,
        as_of,
        sections,
        is_admin: viewer.is_admin(),
        district_form,
        errors,
        history: change_lines(trail, viewer),
    })
}

/// What the gemeente page shows of its plans: the counts over all of them and one page of
/// them per opgave.
#[derive(Clone)]
pub struct GemeentePlans {
    pub counts: Counts,
    /// Plans of its working area whose stage nobody states.
    pub unknown: usize,
    /// All plans of the gemeente (the page shows one page of them).
    pub total: usize,
    pub sections: Vec<ThemeSection>,
    /// KPI's measured in the gemeente, its subregio or the region, with their status.
    pub kpis: Vec<crate::features::indicators::KpiLine>,
}

async fn gemeente_plans(
    state: &AppState,
    version: Option<i64>,
    catalog: &Catalog,
    gemeente_id: &str,
    as_of: Peildatum,
    paging: Paging,
) -> Result<GemeentePlans, WebError> {
    let filter = PlanFilter {
        gemeente: Some(gemeente_id.to_owned()),
        ..PlanFilter::default()
    };
    // The counts cover every plan of the gemeente: today from the database (kept for every
    // viewer until the next write), on a peildatum rebuilt from the history. The list shows
    // one page of plans in portfolio order, read for that page only.
    let total = state.store.count_plans(&filter).await?;
    let (counts, unknown) = if as_of.is_past() {
        let view = PortfolioView::load(&state.store, catalog, &filter, as_of).await?;
        let mut counts = Counts::default();
        let mut unknown = 0;
        for (fact, _) in plan_lines(&view, catalog, gemeente_id, &[]) {
            counts.add(&fact);
            if fact.overview().unwrap_or(Overview::Unknown) == Overview::Unknown {
                unknown += 1;
            }
        }
        (counts, unknown)
    } else {
        let all = state
            .gemeente_counts(version, catalog, &PlanFilter::default(), &[])
            .await?;
        (
            all.by_gemeente
                .get(gemeente_id)
                .map(|(c, _)| c.clone())
                .unwrap_or_default(),
            all.unknown.get(gemeente_id).copied().unwrap_or(0),
        )
    };
    let (view, links, organisations) = match state.store.plan_page(&filter, paging).await? {
        Some(page) => (
            Some(PortfolioView::load(&state.store, catalog, &page, as_of).await?),
            state.store.plan_framework(&page).await?,
            state.store.plan_organisations(&page).await?,
        ),
        None => (None, Vec::new(), Vec::new()),
    };
    let mut lines: Vec<PlanLine> = view
        .as_ref()
        .map(|view| plan_lines(view, catalog, gemeente_id, &organisations))
        .unwrap_or_default()
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    lines.sort_by_key(|l| l.order);
    let mut themes_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for l in &links {
        themes_of
            .entry(l.plan_id.as_str())
            .or_default()
            .push(l.item_id.as_str());
    }

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
        let themes = themes_of
            .get(line.plan_id.as_str())
            .cloned()
            .unwrap_or_default();
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
    let kpis = crate::features::indicators::kpi_lines_for_area(state, catalog, gemeente_id).await?;
    Ok(GemeentePlans {
        counts,
        unknown,
        total,
        sections,
        kpis,
    })
}

/// The plans of `view` that concern the gemeente (its working area holds it, or a source
/// gives its own fact), each with its cell and its line on the gemeente page, in portfolio
/// order. The page and its downloads both read them here.
fn plan_lines<'a>(
    view: &'a PortfolioView,
    catalog: &Catalog,
    gemeente_id: &str,
    organisations: &[PlanOrganisationRow],
) -> Vec<(CellFact<'a>, PlanLine)> {
    let mut leads_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for o in organisations.iter().filter(|o| o.role == "trekker") {
        leads_of
            .entry(o.plan_id.as_str())
            .or_default()
            .push(o.name.as_str());
    }
    let mut lines = Vec::new();
    for plan in view
        .plans
        .iter()
        .filter(|p| view.concerns(&p.id, gemeente_id))
    {
        let fact = view.cell(&plan.id, gemeente_id);
        let word = fact.overview().unwrap_or(Overview::Unknown);
        let order = match word {
            w if w.is_running() => 0,
            Overview::Planned => 1,
            Overview::Unknown => 2,
            _ => 3,
        };
        let stage = view.stage(&plan.id);
        let stage_text = match stage.and_then(|s| s.stage) {
            Some(st) => match stage.and_then(|s| s.date.as_deref()) {
                Some(d) => format!("{}, {}", st.label(), date_nl(d)),
                None => st.label().to_owned(),
            },
            None => "Niet vermeld".to_owned(),
        };
        let leads = leads_of.get(plan.id.as_str()).cloned().unwrap_or_default();
        let (status, follows_plan, note, assumption, source) = match &fact {
            CellFact::Own(r) => (
                StatusView::of(r.status),
                false,
                Some(match &r.note {
                    Some(n) => format!("{n} (sinds {})", date_nl(&r.date)),
                    None => format!("Sinds {}", date_nl(&r.date)),
                }),
                r.assumption.clone(),
                catalog.source(r.source_id.as_deref()),
            ),
            // The page says once what "volgt plan" means; a line per plan would repeat it.
            CellFact::FollowsPlan(s) => (
                StatusView::overview(word),
                true,
                None,
                None,
                catalog.source(s.source_id.as_deref()),
            ),
            CellFact::Outside => (StatusView::unknown(), false, None, None, None),
        };
        let line = PlanLine {
            plan_id: plan.id.clone(),
            plan_name: plan.name.clone(),
            order,
            status,
            follows_plan,
            note,
            assumption,
            stage: stage_text,
            leads: if leads.is_empty() {
                plan.texts.lead_text.clone().unwrap_or_default()
            } else {
                leads.join(", ")
            },
            source,
        };
        lines.push((fact, line));
    }
    lines
}

/// The columns of a gemeente's plans as a file.
const PLAN_COLUMNS: &[&str] = &[
    "plan-id",
    "plan",
    "opgaven",
    "status",
    "herkomst",
    "datum",
    "fase van het plan",
    "trekker",
    "bron",
    "toelichting",
    "aanname",
];

/// The plans of a gemeente as CSV or Excel (`/gemeenten/GM0355/plannen.csv`, `.xlsx`), now or
/// on the peildatum: one row per plan the page shows (a plan the page lists under more than
/// one opgave is one row, with its opgaven), in portfolio order, read a batch of plans at a
/// time through the page's own lines.
async fn plans_download(
    State(state): State<AppState>,
    format: download::Format,
    Path(code): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (as_of, _) = Peildatum::split(&pairs)?;
    let catalog = Arc::new(Catalog::load(&state.store).await?);
    let gemeente = find_gemeente(&catalog, &code)?;
    let mut name = format!("gemeente-{}-plannen", gemeente.id);
    if let Some(day) = as_of.0 {
        name.push_str(&format!("-peildatum-{day}"));
    }
    let filter = PlanFilter {
        gemeente: Some(gemeente.id.clone()),
        ..PlanFilter::default()
    };
    let table = download::Table::new(name, "Plannen", PLAN_COLUMNS);
    Ok(table.download(format, move |n| {
        let (state, catalog, filter) = (state.clone(), catalog.clone(), filter.clone());
        let gemeente_id = gemeente.id.clone();
        async move {
            let paging = crate::web::paging::Paging {
                number: n + 1,
                size: download::BATCH,
            };
            let Some(page) = state.store.plan_page(&filter, paging).await? else {
                return Ok(None);
            };
            let view = PortfolioView::load(&state.store, &catalog, &page, as_of).await?;
            let links = state.store.plan_framework(&page).await?;
            let organisations = state.store.plan_organisations(&page).await?;
            let themes: Vec<_> = catalog.items(FrameworkKind::Theme).collect();
            let rows = plan_lines(&view, &catalog, &gemeente_id, &organisations)
                .into_iter()
                .map(|(fact, line)| {
                    let opgaven: Vec<&str> = themes
                        .iter()
                        .filter(|t| {
                            links
                                .iter()
                                .any(|l| l.plan_id == line.plan_id && l.item_id == t.id)
                        })
                        .map(|t| t.name.as_str())
                        .collect();
                    let stage = view.stage(&line.plan_id);
                    let (date, note) = match &fact {
                        CellFact::Own(r) => {
                            (Cell::fact_date(&r.date), Cell::optional(r.note.clone()))
                        }
                        CellFact::FollowsPlan(s) => (
                            s.date.as_deref().map_or(Cell::Empty, Cell::fact_date),
                            Cell::Empty,
                        ),
                        CellFact::Outside => (Cell::Empty, Cell::Empty),
                    };
                    vec![
                        Cell::text(line.plan_id),
                        Cell::text(line.plan_name),
                        Cell::text(opgaven.join(", ")),
                        Cell::text(line.status.label),
                        Cell::text(if line.follows_plan {
                            "volgt plan"
                        } else {
                            "eigen feit van de gemeente"
                        }),
                        date,
                        Cell::text(
                            stage
                                .and_then(|s| s.stage)
                                .map_or("Niet vermeld", |s| s.label()),
                        ),
                        Cell::text(line.leads),
                        Cell::optional(line.source.map(|s| format!("{}, {}", s.title, s.date))),
                        note,
                        Cell::optional(line.assumption),
                    ]
                })
                .collect();
            Ok(Some(rows))
        }
    }))
}

/// Adds a wijk or LSV under the gemeente; errors come back on the gemeente page itself.
async fn add_district(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("wijken en LSV's toevoegen")?;
    let catalog = Catalog::load(&state.store).await?;
    let gemeente = find_gemeente(&catalog, &code)?;
    let form: DistrictForm = parse_form(&body);
    let mut errors = FormErrors::new();
    let name = required_name(
        &mut errors,
        &form.name,
        "vul de naam van de wijk of het LSV in.",
    );
    if let Some(n) = &name
        && districts_of(&catalog, &gemeente.id)
            .iter()
            .any(|d| d.name.to_lowercase() == n.to_lowercase())
    {
        errors.add(
            "name",
            format!(
                "Naam: {} heeft al een wijk of LSV met de naam \"{n}\"; kies een andere naam.",
                gemeente.name
            ),
        );
    }
    let id = match optional(&form.id) {
        Some(typed) => errors.check("id", "Id", Slug::parse(&typed)),
        None => name.as_ref().and_then(|n| {
            let derived = district_id(&gemeente.name, n);
            if derived.is_none() {
                errors.add(
                    "id",
                    "Id: uit deze naam valt geen id af te leiden; vul een id in met kleine letters, cijfers en streepjes.",
                );
            }
            derived
        }),
    };
    if let (Some(name), Some(id), true) = (&name, &id, errors.is_empty()) {
        let reason = Reason {
            comment: optional(&form.comment),
            source: None,
        };
        let saved = state
            .store
            .create_district(&viewer.actor(), &reason, &gemeente.id, id, name)
            .await;
        match settle::<_, AreaField>(saved)? {
            Ok(()) => {
                return Ok(flash::redirect(
                    &format!("/gemeenten/{}#wijken", gemeente.id),
                    Notice::Created,
                ));
            }
            Err(not_saved) => errors = not_saved.for_new_record(),
        }
    }
    let page = show_page(
        &state,
        &viewer,
        &gemeente.id,
        (Peildatum::default(), Paging::default()),
        form,
        errors,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// --- Renaming an area ---

/// The rename form as posted, kept as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AreaForm {
    pub version: String,
    pub name: String,
    pub comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "gemeenten/rename.html")]
pub struct RenamePage {
    pub nav: &'static str,
    pub area: AreaRow,
    /// "gemeente", "wijk of LSV", ...
    pub kind: &'static str,
    /// Where the area is shown, to return to.
    pub back: String,
    pub form: AreaForm,
    pub errors: FormErrors,
    pub conflict: Vec<ConflictLine>,
    pub last_change: Option<String>,
}

fn area_kind(kind: &str) -> &'static str {
    match kind {
        "regio" => "regio",
        "subregio" => "subregio",
        "gemeente" => "gemeente",
        _ => "wijk of LSV",
    }
}

/// The page that shows an area: a gemeente its own page, a wijk its gemeente's.
fn page_of(area: &AreaRow) -> String {
    match (area.kind.as_str(), area.parent_id.as_deref()) {
        ("gemeente", _) => format!("/gemeenten/{}", area.id),
        ("wijk", Some(parent)) => format!("/gemeenten/{parent}#wijken"),
        ("subregio", _) => format!("/gemeenten#{}", area.id),
        _ => "/gemeenten".to_owned(),
    }
}

async fn area_and_version(state: &AppState, id: &str) -> Result<(AreaRow, i64), WebError> {
    let not_found = || {
        WebError::NotFound(format!(
            "Er is geen gebied met de id \"{id}\". Kies een gemeente in de lijst van gemeenten."
        ))
    };
    let area = state
        .store
        .areas()
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(not_found)?;
    let version = state.store.area_version(id).await?.ok_or_else(not_found)?;
    Ok((area, version))
}

const RENAME_ADMIN_ONLY: &str = "de naam van een gemeente, wijk of LSV wijzigen";

fn rename_page(area: AreaRow, form: AreaForm) -> RenamePage {
    RenamePage {
        nav: "gemeenten",
        kind: area_kind(&area.kind),
        back: page_of(&area),
        area,
        form,
        errors: FormErrors::new(),
        conflict: Vec::new(),
        last_change: None,
    }
}

async fn rename_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<RenamePage, WebError> {
    viewer.require_admin(RENAME_ADMIN_ONLY)?;
    let (area, version) = area_and_version(&state, &id).await?;
    let form = AreaForm {
        version: version.to_string(),
        name: area.name.clone(),
        comment: String::new(),
    };
    Ok(rename_page(area, form))
}

async fn rename(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(RENAME_ADMIN_ONLY)?;
    let (area, _) = area_and_version(&state, &id).await?;
    let form: AreaForm = parse_form(&body);
    let mut errors = FormErrors::new();
    let missing = format!("vul de nieuwe naam van de {} in.", area_kind(&area.kind));
    let outcome = match required_name(&mut errors, &form.name, &missing) {
        Some(name) if errors.is_empty() => {
            let reason = Reason {
                comment: optional(&form.comment),
                source: None,
            };
            let version: i64 = form.version.trim().parse().unwrap_or(-1);
            settle::<_, AreaField>(
                state
                    .store
                    .rename_area(&viewer.actor(), &reason, &id, version, &name)
                    .await,
            )?
        }
        _ => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => {
            let back = match area.kind.as_str() {
                "gemeente" => format!("/gemeenten/{id}#historie"),
                _ => page_of(&area),
            };
            return Ok(flash::redirect(&back, Notice::Saved));
        }
        Err(not_saved) => not_saved,
    };
    let status = not_saved.status();
    let mut page = rename_page(area, form);
    if let Some(current) = not_saved.newer_version {
        let (now, _) = area_and_version(&state, &id).await?;
        page.conflict = vec![conflict_line("Naam", &page.form.name, &now.name)];
        page.last_change = last_change(&state, AuditScope::Area(&id), "area", &id).await?;
        page.form.version = current.to_string();
    }
    page.errors = not_saved.errors;
    Ok((status, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::district_id;

    #[test]
    fn a_derived_wijk_id_starts_with_the_gemeente_once() {
        let id = |g, n| district_id(g, n).map(|s| s.to_string());
        assert_eq!(id("Zeist", "Centrum").as_deref(), Some("zeist-centrum"));
        assert_eq!(id("Zeist", "Zeist-West").as_deref(), Some("zeist-west"));
        assert_eq!(
            id("De Ronde Venen", "LSV Mijdrecht").as_deref(),
            Some("de-ronde-venen-lsv-mijdrecht")
        );
        assert_eq!(id("Zeist", "—"), None);
    }
}
