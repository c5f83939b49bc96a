//! The KPI pages: the list per transformation (or plan), and one KPI with its definition,
//! status per area, charts against target and baseline, the data as tables, follow-up
//! actions and history. Also the KPI sections of plan and gemeente pages.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};

use super::chart::{
    BarChart, LineChart, periods_between, periods_off_frequency, periods_without_value,
};
use super::model::{IndicatorField, IndicatorRow};
use crate::domain::{Direction, FrameworkKind, IndicatorStatus, Period};
use crate::features::changes::model::AuditScope;
use crate::features::changes::pages::{ChangeLine, change_lines};
use crate::features::indicators::{ActionLine, action_lines, assess_latest};
use crate::features::observations::model::ObservationRow;
use crate::store::RecordField;
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::forms::Choice;
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, Fact, SourceView, StatusView};

pub fn routes() -> Routes {
    Routes::new()
        .get("/indicatoren", list)
        .get("/indicatoren.csv", list_download)
        .get("/indicatoren.xlsx", list_download)
        .get("/indicatoren/{id}", show)
        .get("/indicatoren/{id}/gebieden.csv", areas_download)
        .get("/indicatoren/{id}/gebieden.xlsx", areas_download)
        .get("/indicatoren/{id}/metingen.csv", series_download)
        .get("/indicatoren/{id}/metingen.xlsx", series_download)
}

/// A KPI in a list: its status counts over the areas it is measured in.
#[derive(Clone)]
pub struct ListLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub target: String,
    pub level: &'static str,
    pub counts: Vec<(StatusView, usize)>,
    pub has_examples: bool,
    /// The KPI's definition, for the numbers of the downloads.
    pub indicator: IndicatorRow,
}

#[derive(Clone)]
pub struct Group {
    pub title: String,
    pub href: Option<String>,
    pub lines: Vec<ListLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub groups: Vec<Group>,
    pub total: usize,
    pub can_import: bool,
    /// The table as a file.
    pub downloads: download::Links,
}

/// "-7 % t.o.v. 2023 in 2026" or the streefbeeld of a narrative KPI.
pub(crate) fn target_text(ind: &IndicatorRow) -> String {
    match (ind.target_value, ind.target_period.as_deref()) {
        (Some(v), Some(p)) => {
            let period = Period::parse(p).map_or_else(|_| p.to_owned(), Period::label_nl);
            format!("{} in {period}", ind.with_unit(v))
        }
        _ => ind
            .target_text
            .clone()
            .unwrap_or_else(|| "Geen streefwaarde".to_owned()),
    }
}

/// The areas a KPI is measured in, in the catalog's order.
fn areas_of_level<'a>(
    catalog: &'a Catalog,
    ind: &IndicatorRow,
) -> Vec<&'a crate::features::areas::model::AreaRow> {
    let kind = ind.area_level().code();
    catalog.areas.iter().filter(|a| a.kind == kind).collect()
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<ListPage, WebError> {
    // The same for every viewer: kept under the data's version (read before the catalog),
    // made once at a time.
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let (groups, total) = state
        .kpi_list
        .get_or_make(version, "", || list_groups(&state, &catalog))
        .await?
        .as_ref()
        .clone();
    Ok(ListPage {
        nav: "indicatoren",
        total,
        groups,
        can_import: viewer.is_signed_in(),
        downloads: download::Links::new("/indicatoren", &[])
            .with_note("de tabel (per KPI de streefwaarde en de status per gebied)"),
    })
}

/// The KPI list's groups (per transformation, then per plan, then the rest) and the number of
/// KPI's: the page and its downloads both read them here.
async fn list_groups(state: &AppState, catalog: &Catalog) -> Result<(Vec<Group>, usize), WebError> {
    // Where each KPI stands is kept under the KPI version: a plan's new name remakes this
    // list, not every KPI's latest values.
    let standing = super::standing::standing(state).await?;
    let indicators = &standing.indicators;
    let plans = state.store.names_of_kpi_plans().await?;
    let plan_name: HashMap<&str, &str> = plans
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let line = |ind: &IndicatorRow| {
        let tally = standing.tally(&ind.id);
        ListLine {
            id: ind.id.clone(),
            name: ind.name.clone(),
            kind: ind.kind_label(),
            target: target_text(ind),
            level: ind.area_level().label(),
            counts: tally.counts,
            has_examples: tally.has_examples,
            indicator: ind.clone(),
        }
    };
    let mut groups = Vec::new();
    for t in catalog.items(FrameworkKind::Transformation) {
        let lines: Vec<_> = indicators
            .iter()
            .filter(|i| i.transformation_id.as_deref() == Some(t.id.as_str()))
            .map(line)
            .collect();
        if !lines.is_empty() {
            groups.push(Group {
                title: match t.number {
                    Some(n) => format!("Transformatie {n}. {}", t.name),
                    None => t.name.clone(),
                },
                href: Some(format!("/kader#{}", t.id)),
                lines,
            });
        }
    }
    // KPI's without a transformation, under their first plan.
    let mut by_plan: Vec<(String, Vec<ListLine>)> = Vec::new();
    let mut loose = Vec::new();
    for ind in indicators.iter().filter(|i| i.transformation_id.is_none()) {
        match ind.plans.first() {
            Some(p) => match by_plan.iter_mut().find(|(id, _)| id == p) {
                Some((_, lines)) => lines.push(line(ind)),
                None => by_plan.push((p.clone(), vec![line(ind)])),
            },
            None => loose.push(line(ind)),
        }
    }
    for (plan, lines) in by_plan {
        groups.push(Group {
            title: format!(
                "Plan: {}",
                plan_name.get(plan.as_str()).copied().unwrap_or(&plan)
            ),
            href: Some(format!("/plannen/{plan}")),
            lines,
        });
    }
    if !loose.is_empty() {
        groups.push(Group {
            title: "Overige KPI's".into(),
            href: None,
            lines: loose,
        });
    }
    Ok((groups, indicators.len()))
}

/// The columns of the KPI table's downloads: one row per KPI, the number of areas in each
/// status after the fixed columns.
fn list_columns() -> Vec<String> {
    [
        "groep",
        "id",
        "kpi",
        "soort",
        "meetwijze",
        "eenheid",
        "richting",
        "nulmeting",
        "periode nulmeting",
        "streefwaarde",
        "periode streefwaarde",
        "streefwaarde (tekst)",
        "gemeten",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(
        IndicatorStatus::ALL
            .iter()
            .map(|s| format!("gebieden {}", s.label().to_lowercase())),
    )
    .chain(std::iter::once("voorbeeldwaarden".to_owned()))
    .collect()
}

/// The KPI table as CSV or Excel (`/indicatoren.csv`, `/indicatoren.xlsx`): the page's lines,
/// with the numbers of the definition as numbers.
async fn list_download(
    State(state): State<AppState>,
    format: download::Format,
) -> Result<axum::response::Response, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let (groups, _) = list_groups(&state, &catalog).await?;
    let mut rows = Vec::new();
    for g in groups {
        for l in g.lines {
            let ind = &l.indicator;
            let direction = ind
                .direction
                .as_deref()
                .and_then(|d| Direction::parse(d).ok());
            let mut row = vec![
                Cell::text(g.title.clone()),
                Cell::text(l.id),
                Cell::text(l.name),
                Cell::text(l.kind),
                Cell::text(ind.measure().label()),
                Cell::optional(ind.unit.clone()),
                Cell::optional(direction.map(Direction::label)),
                Cell::number(ind.baseline_value),
                Cell::optional(ind.baseline_period.clone()),
                Cell::number(ind.target_value),
                Cell::optional(ind.target_period.clone()),
                Cell::text(l.target),
                Cell::text(l.level),
            ];
            row.extend(IndicatorStatus::ALL.iter().map(|s| {
                Cell::count(
                    l.counts
                        .iter()
                        .find(|(v, _)| v.code == s.code())
                        .map_or(0, |(_, n)| *n),
                )
            }));
            row.push(Cell::yes(l.has_examples));
            rows.push(row);
        }
    }
    // The list is read whole for the page too (a few hundred KPI's at most): one batch.
    Ok(download::Table::new("kpis", "KPI's", list_columns()).download_whole(format, rows))
}

/// One area's status in the table on the KPI page.
#[derive(Clone)]
pub struct AreaLine {
    pub id: String,
    pub name: String,
    pub href: Option<String>,
    pub status: StatusView,
    pub reason: String,
    pub value: String,
    pub period: String,
    pub is_example: bool,
    /// Niet gehaald and no open follow-up action yet.
    pub asks_action: bool,
    /// The latest value as a number (none for a narrative KPI or without a value).
    pub number: Option<f64>,
    /// The period of the latest value as written (2026-Q1).
    pub period_code: Option<String>,
}

/// The areas of a KPI's page a page holds: a table and a bar chart of them stay readable.
pub const AREA_PAGE: usize = 50;

/// The newest values of an area's series the page's table shows; all of them are a download.
pub const SERIES_LINES: usize = 40;

/// One choice of the status filter above the areas' table: all areas, or those in a status.
pub struct StatusChoice {
    pub label: &'static str,
    pub symbol: &'static str,
    pub count: usize,
    pub href: String,
    pub current: bool,
}

/// One line of the series table (the chart's data).
pub struct SeriesLine {
    /// As written (2026-Q1), for the edit link.
    pub code: String,
    pub period: String,
    pub value: String,
    pub source: String,
    pub note: String,
    pub is_example: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub ind: IndicatorRow,
    pub facts: Vec<Fact>,
    pub plans: Vec<(String, String)>,
    pub source: Option<SourceView>,
    /// This page of the areas' table (with the filter by status).
    pub areas: Vec<AreaLine>,
    pub status_choices: Vec<StatusChoice>,
    /// The status the table is filtered by (its label), if any.
    pub status_filter: Option<&'static str>,
    pub pages: PageNav,
    /// The whole areas' table (with the filter) as a file.
    pub downloads: download::Links,
    pub area_choices: Vec<Choice>,
    pub selected: Option<(String, String)>,
    pub line: Option<LineChart>,
    pub line_title: String,
    pub line_summary: String,
    /// The newest [`SERIES_LINES`] values of the series, newest first.
    pub series: Vec<SeriesLine>,
    /// How many values the whole series has.
    pub series_total: usize,
    /// The whole series of the area as a file.
    pub series_downloads: download::Links,
    pub bars: Option<BarChart>,
    pub bar_title: String,
    pub bars_period: String,
    pub bars_summary: String,
    /// Which areas of the table the chart shows, when not all of them.
    pub bars_scope: String,
    /// Where the values come from, written under the charts.
    pub chart_sources: String,
    pub has_examples: bool,
    pub actions: Vec<ActionLine>,
    pub can_enter: bool,
    pub history: Vec<ChangeLine>,
    /// Aannames on fields the definition list does not show (name, description, source).
    pub other_assumptions: Vec<(&'static str, String)>,
}

/// What a KPI's page is asked for besides paging: the area of the series (`gebied`) and the
/// status the areas' table is filtered by (`status`).
#[derive(Debug, Default)]
struct ShowQuery {
    gebied: Option<String>,
    status: Option<IndicatorStatus>,
}

impl ShowQuery {
    fn parse(pairs: &[(String, String)]) -> Result<Self, WebError> {
        let mut query = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "gebied" if !value.trim().is_empty() => query.gebied = Some(value.clone()),
                "status" if !value.trim().is_empty() => {
                    query.status = Some(
                        IndicatorStatus::parse(value)
                            .map_err(|e| WebError::BadRequest(format!("Filter status: {e}.")))?,
                    );
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

/// Every area of the KPI's level with its status by its latest value, in the catalog's order:
/// the table on the KPI's page and its download.
fn area_lines(
    ind: &IndicatorRow,
    level_areas: &[&crate::features::areas::model::AreaRow],
    latest_by_area: &HashMap<&str, &ObservationRow>,
    actions: &[crate::features::actions::model::ActionRow],
) -> Vec<AreaLine> {
    let open_action_areas: Vec<Option<&str>> = actions
        .iter()
        .filter(|a| a.status().is_open())
        .map(|a| a.area_id.as_deref())
        .collect();
    level_areas
        .iter()
        .map(|a| {
            let o = latest_by_area.get(a.id.as_str()).copied();
            let assessment = assess_latest(ind, o);
            AreaLine {
                id: a.id.clone(),
                name: a.name.clone(),
                href: area_href(&a.kind, &a.id),
                status: StatusView::kpi(assessment.status),
                asks_action: assessment.status.needs_action()
                    && !open_action_areas.contains(&Some(a.id.as_str()))
                    && !open_action_areas.contains(&None),
                reason: assessment.reason,
                value: o.map(|o| shown(ind, o)).unwrap_or_default(),
                period: o.map(|o| period_label(&o.period)).unwrap_or_default(),
                is_example: o.is_some_and(ObservationRow::is_example),
                number: o.and_then(|o| o.value),
                period_code: o.map(|o| o.period.clone()),
            }
        })
        .collect()
}

/// The areas' table of a KPI's page as CSV or Excel (`/indicatoren/{id}/gebieden.csv`,
/// `.xlsx`): every area of its level, with the page's filter by status and without its paging.
async fn areas_download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    format: download::Format,
) -> Result<axum::response::Response, WebError> {
    let query = ShowQuery::parse(&pairs)?;
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    let catalog = state.catalog(state.data_version().await).await?;
    let latest = state.store.latest_observations(&ind.id).await?;
    let latest_by_area: HashMap<&str, &ObservationRow> =
        latest.iter().map(|o| (o.area_id.as_str(), o)).collect();
    let actions = state.store.actions_for(&ind.id).await?;
    let level_areas = areas_of_level(&catalog, &ind);
    let rows: Vec<download::Row> = area_lines(&ind, &level_areas, &latest_by_area, &actions)
        .into_iter()
        .filter(|a| query.status.is_none_or(|s| a.status.code == s.code()))
        .map(|a| {
            vec![
                Cell::text(a.id),
                Cell::text(a.name),
                Cell::text(a.status.label),
                if ind.is_narrative() {
                    Cell::text(a.value)
                } else {
                    Cell::number(a.number)
                },
                Cell::optional(ind.unit.clone().filter(|_| a.number.is_some())),
                Cell::optional(a.period_code),
                Cell::yes(a.is_example),
                Cell::text(a.reason),
                Cell::yes(a.asks_action),
            ]
        })
        .collect();
    let columns = [
        "gebied (code)",
        "gebied",
        "status",
        "laatste meting",
        "eenheid",
        "periode",
        "voorbeeldwaarde",
        "waarom",
        "vervolgactie nodig",
    ];
    // One KPI's areas: at most every gemeente of the country, one batch.
    Ok(
        download::Table::new(format!("kpi-{}-gebieden", ind.id), "Gebieden", columns)
            .download_whole(format, rows),
    )
}

/// " in Zeist" for the area whose series is shown, or nothing.
fn area_name_in(selected: &Option<(String, String)>) -> String {
    selected
        .as_ref()
        .map(|(_, name)| format!(" in {name}"))
        .unwrap_or_default()
}

/// One area's series of a KPI as CSV or Excel (`/indicatoren/{id}/metingen.csv?gebied=...`),
/// oldest first, with its source and note as stored.
async fn series_download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    format: download::Format,
) -> Result<axum::response::Response, WebError> {
    let query = ShowQuery::parse(&pairs)?;
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    let Some(area) = query.gebied else {
        return Err(WebError::BadRequest(
            "Kies een gebied: voeg ?gebied= met de code van het gebied toe (bijvoorbeeld gebied=GM0355)."
                .into(),
        ));
    };
    let catalog = state.catalog(state.data_version().await).await?;
    if !areas_of_level(&catalog, &ind).iter().any(|a| a.id == area) {
        return Err(WebError::BadRequest(format!(
            "Gebied \"{area}\": deze KPI wordt daar niet gemeten. Kies een gebied van de lijst op de pagina van de KPI."
        )));
    }
    let name = catalog.area_name(&area);
    let rows: Vec<download::Row> = state
        .store
        .series(&ind.id, &area)
        .await?
        .into_iter()
        .map(|o| {
            vec![
                Cell::text(area.clone()),
                Cell::text(name.clone()),
                Cell::text(o.period.clone()),
                if ind.is_narrative() {
                    Cell::optional(o.narrative.clone())
                } else {
                    Cell::number(o.value)
                },
                Cell::optional(ind.unit.clone().filter(|_| o.value.is_some())),
                Cell::optional(o.source.clone()),
                Cell::optional(o.note.clone()),
                Cell::yes(o.is_example()),
            ]
        })
        .collect();
    let columns = [
        "gebied (code)",
        "gebied",
        "periode",
        "waarde",
        "eenheid",
        "bron",
        "toelichting",
        "voorbeeldwaarde",
    ];
    // One area's series: a few hundred values at most, one batch.
    Ok(
        download::Table::new(format!("kpi-{}-{area}", ind.id), "Metingen", columns)
            .download_whole(format, rows),
    )
}

/// A value as the KPI's page shows it: a number with its unit, or the narrative.
fn shown(ind: &IndicatorRow, o: &ObservationRow) -> String {
    match (&o.value, &o.narrative) {
        (Some(v), _) => ind.with_unit(*v),
        (None, Some(n)) => n.clone(),
        (None, None) => "–".to_owned(),
    }
}

fn period_label(text: &str) -> String {
    Period::parse(text).map_or_else(|_| text.to_owned(), Period::label_nl)
}

fn facts(ind: &IndicatorRow, catalog: &Catalog, owner: Option<String>) -> Vec<Fact> {
    let mut f = Vec::new();
    // A fact shows the aannames of its fields (a target: its value and its period).
    let assumed = |fields: &[IndicatorField]| {
        let reasons: Vec<&str> = fields
            .iter()
            .filter_map(|f| ind.assumptions.get(f.code()).map(String::as_str))
            .collect();
        (!reasons.is_empty()).then(|| reasons.join(" "))
    };
    let mut fact = |fields: &[IndicatorField], label: &'static str, value: String| {
        f.push(Fact {
            label,
            value,
            assumption: assumed(fields),
        });
    };
    fact(
        &[IndicatorField::Kind],
        "Soort",
        ind.kind_label().to_owned(),
    );
    fact(
        &[IndicatorField::Measure],
        "Meetwijze",
        ind.measure().label().to_owned(),
    );
    if let Some(u) = &ind.unit {
        fact(&[IndicatorField::Unit], "Eenheid", u.clone());
    }
    if let Some(d) = ind
        .direction
        .as_deref()
        .and_then(|d| Direction::parse(d).ok())
    {
        fact(
            &[IndicatorField::Direction],
            "Richting",
            d.label().to_owned(),
        );
    }
    if let (Some(v), Some(p)) = (ind.baseline_value, ind.baseline_period.as_deref()) {
        fact(
            &[IndicatorField::Baseline, IndicatorField::BaselinePeriod],
            "Nulmeting",
            format!("{} in {}", ind.with_unit(v), period_label(p)),
        );
    }
    let (target_fields, target_label): (&[IndicatorField], _) = if ind.is_narrative() {
        (&[IndicatorField::TargetText], "Streefbeeld")
    } else {
        (
            &[IndicatorField::Target, IndicatorField::TargetPeriod],
            "Streefwaarde",
        )
    };
    fact(target_fields, target_label, target_text(ind));
    if !ind.milestones.is_empty() {
        fact(
            &[IndicatorField::Milestones],
            "Tussendoelen",
            ind.milestones
                .iter()
                .map(|m| format!("{} in {}", ind.with_unit(m.value), period_label(&m.period)))
                .collect::<Vec<_>>()
                .join("; "),
        );
    }
    if let Some(t) = ind
        .transformation_id
        .as_deref()
        .and_then(|t| catalog.item(t))
    {
        fact(
            &[IndicatorField::Transformation],
            "Transformatie",
            t.name.clone(),
        );
    }
    fact(
        &[IndicatorField::OwnerOrganisation, IndicatorField::OwnerRole],
        "Eigenaar",
        match (owner, &ind.owner_role) {
            (Some(o), Some(r)) => format!("{o} ({r})"),
            (Some(o), None) => o,
            (None, Some(r)) => r.clone(),
            (None, None) => "Niet vastgelegd".to_owned(),
        },
    );
    fact(
        &[IndicatorField::DataSource],
        "Databron",
        ind.data_source
            .clone()
            .unwrap_or_else(|| "Niet vastgelegd".to_owned()),
    );
    fact(
        &[IndicatorField::Frequency],
        "Frequentie",
        ind.frequency().label().to_owned(),
    );
    fact(
        &[IndicatorField::AreaLevel],
        "Gemeten",
        ind.area_level().label().to_owned(),
    );
    f
}

fn area_href(kind: &str, id: &str) -> Option<String> {
    (kind == "gemeente").then(|| format!("/gemeenten/{id}"))
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ShowPage, WebError> {
    let (paging, rest) = Paging::split_sized(&pairs, AREA_PAGE)?;
    let query = ShowQuery::parse(&rest)?;
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    let catalog = state.catalog(state.data_version().await).await?;
    let owner = match ind.owner_organisation_id.as_deref() {
        Some(o) => state.store.organisation_name(o).await?,
        None => None,
    };
    let names: HashMap<String, String> = state
        .store
        .names_of_plans(&ind.plans)
        .await?
        .into_iter()
        .collect();
    let plans = ind
        .plans
        .iter()
        .map(|p| {
            (
                p.clone(),
                names.get(p).cloned().unwrap_or_else(|| p.clone()),
            )
        })
        .collect();
    let latest = state.store.latest_observations(&ind.id).await?;
    let latest_by_area: HashMap<&str, &ObservationRow> =
        latest.iter().map(|o| (o.area_id.as_str(), o)).collect();
    let actions = state.store.actions_for(&ind.id).await?;
    let level_areas = areas_of_level(&catalog, &ind);
    let all_areas = area_lines(&ind, &level_areas, &latest_by_area, &actions);
    let path = format!("/indicatoren/{}", ind.id);
    // The filter by status: all areas, or those in one status, each with its number.
    let status_link = |status: Option<IndicatorStatus>| {
        let mut pairs: Vec<(String, String)> = rest
            .iter()
            .filter(|(k, _)| k != "status")
            .cloned()
            .collect();
        if let Some(s) = status {
            pairs.push(("status".into(), s.code().into()));
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        if query.is_empty() {
            format!("{path}#status")
        } else {
            format!("{path}?{query}#status")
        }
    };
    let status_choices = std::iter::once(StatusChoice {
        label: "Alle gebieden",
        symbol: "",
        count: all_areas.len(),
        href: status_link(None),
        current: query.status.is_none(),
    })
    .chain(IndicatorStatus::ALL.iter().map(|s| {
        StatusChoice {
            label: s.label(),
            symbol: s.symbol(),
            count: all_areas
                .iter()
                .filter(|a| a.status.code == s.code())
                .count(),
            href: status_link(Some(*s)),
            current: query.status == Some(*s),
        }
    }))
    .collect();
    let filtered: Vec<&AreaLine> = all_areas
        .iter()
        .filter(|a| query.status.is_none_or(|s| a.status.code == s.code()))
        .collect();
    let mut pages = PageNav::sized(&path, &rest, paging, filtered.len(), AREA_PAGE);
    for link in [&mut pages.previous, &mut pages.next].into_iter().flatten() {
        link.push_str("#status");
    }
    let areas: Vec<&AreaLine> = paging.window(&filtered).to_vec();
    // The time series of one area: the one asked for, else the first with data.
    let selected_id = query
        .gebied
        .filter(|g| level_areas.iter().any(|a| &a.id == g))
        .or_else(|| {
            level_areas
                .iter()
                .find(|a| latest_by_area.contains_key(a.id.as_str()))
                .map(|a| a.id.clone())
        });
    let selected = selected_id
        .as_deref()
        .map(|a| (a.to_owned(), catalog.area_name(a)));
    let series_rows = match &selected {
        Some((a, _)) => state.store.series(&ind.id, a).await?,
        None => Vec::new(),
    };
    let unit = |v: f64| ind.with_unit(v);
    let mut rules: Vec<(f64, String, &'static str)> = Vec::new();
    if let (Some(v), Some(p)) = (ind.target_value, ind.target_period.as_deref()) {
        rules.push((
            v,
            format!("Streefwaarde {} ({})", unit(v), period_label(p)),
            "target",
        ));
    }
    if let (Some(v), Some(p)) = (ind.baseline_value, ind.baseline_period.as_deref()) {
        rules.push((
            v,
            format!("Nulmeting {} ({})", unit(v), period_label(p)),
            "baseline",
        ));
    }
    for m in &ind.milestones {
        rules.push((
            m.value,
            format!("Tussendoel {} ({})", unit(m.value), period_label(&m.period)),
            "milestone",
        ));
    }
    let points: Vec<(Period, f64)> = series_rows
        .iter()
        .filter_map(|o| Some((o.period()?, o.value?)))
        .collect();
    let periods = match (points.first(), points.last()) {
        (Some(first), Some(last)) if !ind.is_narrative() => {
            periods_between(first.0, last.0, ind.frequency())
        }
        _ => Vec::new(),
    };
    let line = LineChart::build(&periods, &points, rules.clone(), &unit);
    let area_name = selected
        .as_ref()
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let line_summary = match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            let (missing, off) = match &line {
                Some(_) => (
                    periods_without_value(&periods, &points),
                    periods_off_frequency(&periods, &points),
                ),
                None => (0, 0),
            };
            let mut text = format!(
                "{area_name}: van {} in {} naar {} in {} ({} {}).",
                unit(first.1),
                first.0.label_nl(),
                unit(last.1),
                last.0.label_nl(),
                points.len(),
                if points.len() == 1 {
                    "meting"
                } else {
                    "metingen"
                }
            );
            if missing > 0 {
                text.push_str(&format!(
                    " {missing} {} zonder meting; daar is de lijn onderbroken.",
                    if missing == 1 { "periode" } else { "perioden" }
                ));
            }
            if off > 0 {
                text.push_str(&format!(
                    " {off} {} over een andere periode dan een {} {} alleen in de tabel.",
                    if off == 1 { "meting" } else { "metingen" },
                    ind.frequency().code(),
                    if off == 1 { "staat" } else { "staan" }
                ));
            }
            if let (Some(v), Some(p)) = (ind.target_value, ind.target_period.as_deref()) {
                text.push_str(&format!(
                    " De streefwaarde is {} in {}.",
                    unit(v),
                    period_label(p)
                ));
            }
            text
        }
        _ => String::new(),
    };
    let series = series_rows
        .iter()
        .rev()
        .take(SERIES_LINES)
        .map(|o| SeriesLine {
            code: o.period.clone(),
            period: period_label(&o.period),
            value: shown(&ind, o),
            source: o.source.clone().unwrap_or_default(),
            note: o.note.clone().unwrap_or_default(),
            is_example: o.is_example(),
        })
        .collect();
    // The comparison per gemeente: the latest period any gemeente has a value for. The summary
    // counts every gemeente; the chart shows those of the table's page, so it stays readable.
    let (bars, bars_period, bars_summary, bars_scope) = if ind.area_level().code() == "gemeente"
        && !ind.is_narrative()
    {
        let newest = latest
            .iter()
            .filter(|o| o.value.is_some())
            .max_by(|a, b| a.period_start.cmp(&b.period_start))
            .map(|o| o.period.clone());
        match newest {
            Some(period) => {
                let in_period = |a: &&AreaLine| {
                    a.number.is_some() && a.period_code.as_deref() == Some(period.as_str())
                };
                let measured: Vec<&AreaLine> = all_areas.iter().filter(in_period).collect();
                let met = measured
                    .iter()
                    .filter(|a| a.status.code == IndicatorStatus::OnTrack.code())
                    .count();
                let summary = format!(
                    "{} van de {} gemeenten hebben een meting over {}; {met} daarvan {} op koers.",
                    measured.len(),
                    all_areas.len(),
                    period_label(&period),
                    if met == 1 { "is" } else { "zijn" }
                );
                let shown: Vec<&AreaLine> = areas.iter().copied().filter(in_period).collect();
                let scope = if shown.len() == measured.len() {
                    String::new()
                } else {
                    format!(
                        "De grafiek toont {} van hen: de gemeenten in de tabel hierboven (regel {} tot en met {}{}).",
                        shown.len(),
                        pages.first,
                        pages.last,
                        query
                            .status
                            .map(|s| format!(", status {}", s.label().to_lowercase()))
                            .unwrap_or_default()
                    )
                };
                let items = shown
                    .iter()
                    .filter_map(|a| {
                        Some((
                            a.name.clone(),
                            a.number?,
                            a.value.clone(),
                            a.status.code,
                            a.status.symbol,
                        ))
                    })
                    .collect::<Vec<_>>();
                let target_rules = rules.iter().filter(|r| r.2 == "target").cloned().collect();
                (
                    BarChart::build(items, target_rules),
                    period_label(&period),
                    summary,
                    scope,
                )
            }
            None => (None, String::new(), String::new(), String::new()),
        }
    } else {
        (None, String::new(), String::new(), String::new())
    };
    let mut chart_sources: Vec<String> = series_rows
        .iter()
        .chain(latest.iter())
        .filter_map(|o| o.source.clone())
        .collect();
    chart_sources.sort();
    chart_sources.dedup();
    let has_examples = latest.iter().any(ObservationRow::is_example)
        || series_rows.iter().any(ObservationRow::is_example);
    let chart_sources = if chart_sources.is_empty() {
        ind.data_source
            .clone()
            .unwrap_or_else(|| "geen bron opgegeven".into())
    } else {
        chart_sources.join("; ")
    };
    let can_enter = match &viewer.user {
        Some(u) => u.may_enter_for_kpi(&state.store.indicator_editors(&ind.id).await?),
        None => false,
    };
    let trail = state
        .store
        .audit_for(AuditScope::Indicator(&ind.id), 100)
        .await?;
    // The bodies and the actions' origins name what the actions' lines show: none to read
    // for a KPI without actions.
    let (bodies, origins) = if actions.is_empty() {
        (
            Vec::new(),
            crate::features::actions::pages::Origins::default(),
        )
    } else {
        (
            state.store.bodies().await?,
            crate::features::actions::pages::Origins::load(&state.store).await?,
        )
    };
    let area_choices = level_areas
        .iter()
        .map(|a| Choice::new(a.id.clone(), a.name.clone()))
        .collect();
    let series_downloads = download::Links::new(
        &format!("{path}/metingen"),
        &selected
            .iter()
            .map(|(id, _)| ("gebied".to_owned(), id.clone()))
            .collect::<Vec<_>>(),
    )
    .with_note(format!(
        "alle {} metingen{}",
        series_rows.len(),
        area_name_in(&selected)
    ));
    Ok(ShowPage {
        nav: "indicatoren",
        facts: facts(&ind, &catalog, owner),
        other_assumptions: crate::web::view::other_assumptions(
            &ind.assumptions,
            &[
                IndicatorField::Kind,
                IndicatorField::Measure,
                IndicatorField::Unit,
                IndicatorField::Direction,
                IndicatorField::Baseline,
                IndicatorField::BaselinePeriod,
                IndicatorField::Target,
                IndicatorField::TargetPeriod,
                IndicatorField::TargetText,
                IndicatorField::Milestones,
                IndicatorField::Transformation,
                IndicatorField::Plans,
                IndicatorField::OwnerOrganisation,
                IndicatorField::OwnerRole,
                IndicatorField::DataSource,
                IndicatorField::Frequency,
                IndicatorField::AreaLevel,
            ],
        ),
        plans,
        source: catalog.source(ind.source_id.as_deref()),
        areas: areas.into_iter().cloned().collect(),
        status_filter: query.status.map(IndicatorStatus::label),
        status_choices,
        downloads: download::Links::new(&format!("{path}/gebieden"), &rest)
            .with_note(format!("alle {} regels van de tabel", filtered.len())),
        pages,
        area_choices,
        selected,
        line,
        line_title: format!("{} in {area_name}", ind.name),
        line_summary,
        series_total: series_rows.len(),
        series_downloads,
        series,
        bars,
        bar_title: format!("{} per gemeente, {bars_period}", ind.name),
        bars_period,
        bars_summary,
        bars_scope,
        chart_sources,
        has_examples,
        actions: action_lines(
            &actions,
            &catalog,
            &bodies,
            &origins,
            viewer.is_signed_in(),
            crate::features::indicators::today(),
        ),
        can_enter,
        history: change_lines(trail, &viewer),
        ind,
    })
}

/// A KPI's status in one area, for the plan and gemeente pages.
#[derive(Clone)]
pub struct KpiLine {
    pub id: String,
    pub name: String,
    pub area: String,
    pub status: StatusView,
    pub reason: String,
    pub value: String,
    pub is_example: bool,
}

/// The KPI's of a plan, with their status per measured area that has data (or "geen data").
pub async fn kpi_lines_for_plan(state: &AppState, plan_id: &str) -> Result<Vec<KpiLine>, WebError> {
    let standing = super::standing::standing(state).await?;
    Ok(standing
        .indicators
        .iter()
        .filter(|i| i.plans.iter().any(|p| p == plan_id))
        .map(|ind| {
            let tally = standing.tally(&ind.id);
            KpiLine {
                id: ind.id.clone(),
                name: ind.name.clone(),
                area: ind.area_level().label().to_owned(),
                status: StatusView::kpi(tally.worst()),
                reason: tally.summary(),
                value: target_text(ind),
                is_example: tally.has_examples,
            }
        })
        .collect())
}

/// The KPI's measured in a gemeente, its subregio or the region, with their status there.
pub async fn kpi_lines_for_area(
    state: &AppState,
    catalog: &Catalog,
    gemeente_id: &str,
) -> Result<Vec<KpiLine>, WebError> {
    let mut places = vec![gemeente_id.to_owned()];
    if let Some(s) = catalog.subregion_of(gemeente_id) {
        places.push(s.id.clone());
    }
    if let Some(r) = catalog.region() {
        places.push(r.id.clone());
    }
    let indicators = state.store.indicators().await?;
    let mut lines = Vec::new();
    for place in &places {
        let latest = state.store.latest_observations_in(place).await?;
        let kind = catalog
            .area(place)
            .map(|a| a.kind.clone())
            .unwrap_or_default();
        for ind in indicators.iter().filter(|i| i.area_level().code() == kind) {
            let o = latest.iter().find(|o| o.indicator_id == ind.id);
            let a = assess_latest(ind, o);
            lines.push(KpiLine {
                id: ind.id.clone(),
                name: ind.name.clone(),
                area: catalog.area_name(place),
                status: StatusView::kpi(a.status),
                reason: a.reason,
                value: o
                    .map(|o| match (&o.value, &o.narrative) {
                        (Some(v), _) => {
                            format!("{} ({})", ind.with_unit(*v), period_label(&o.period))
                        }
                        (None, Some(n)) => format!("{n} ({})", period_label(&o.period)),
                        _ => String::new(),
                    })
                    .unwrap_or_default(),
                is_example: o.is_some_and(ObservationRow::is_example),
            });
        }
    }
    Ok(lines)
}
