//! The start page, made for the bestuurder's question: per gemeente, which plans run and which
//! are planned ("in één oogopslag"), by opgave; what needs action; and below it the matrix of
//! plans × gemeenten, today or as it stood on a peildatum.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use super::overview::{CellFact, Counts, Peildatum, PortfolioView};
use crate::domain::{FrameworkKind, IndicatorStatus};
use crate::features::areas::model::AreaRow;
use crate::features::plans::model::{PlanFilter, PlanRow};
use crate::web::download::{self, Cell as FileCell};
use crate::web::error::WebError;
use crate::web::filter::FilterChoice;
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, StatusView, date_nl};
use crate::web::{AppState, FilterOptions};

/// Above this many cells (plans × gemeenten) the matrix is not drawn in one page: a national
/// data set would make half a gigabyte of HTML. The page then shows the counts per gemeente
/// and asks for a filter.
const MAX_CELLS: usize = 40_000;
/// Up to this many cells the matrix is also drawn as a list per gemeente (phones) and as one
/// table per subregio (paper). A larger matrix would more than double a page of megabytes:
/// the phone then lists each gemeente's counts with a link to its page, and paper points to
/// the download.
const MAX_LISTED_CELLS: usize = 5_000;
/// How many lines each part of "Vraagt aandacht" lists before it links to the whole list.
const ATTENTION_LINES: usize = 3;

pub fn routes() -> Routes {
    Routes::new()
        .get("/", show)
        .get("/overzicht.csv", matrix_download)
        .get("/overzicht.xlsx", matrix_download)
}

/// One gemeente in the counts table.
pub struct CountRow {
    pub id: String,
    pub name: String,
    pub counts: Counts,
    /// Per opgave, in the order of `DashboardPage::themes`.
    pub by_theme: Vec<Counts>,
    /// The gemeente the filter chose.
    pub chosen: bool,
}

/// A subregio with its gemeenten in the counts table.
pub struct CountGroup {
    pub id: String,
    pub name: String,
    pub rows: Vec<CountRow>,
}

/// One gemeente column of the matrix with its totals.
pub struct Column {
    pub id: String,
    pub name: String,
    pub counts: Counts,
}

/// A subregio heading over its gemeenten.
pub struct ColumnGroup {
    pub id: String,
    pub name: String,
    /// Its first column in `DashboardPage::columns`.
    pub start: usize,
    pub span: usize,
}

impl ColumnGroup {
    fn range(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.span
    }
}

pub struct Cell {
    pub gemeente_id: String,
    pub gemeente_name: String,
    /// `None` when the gemeente lies outside the plan's working area.
    pub status: Option<StatusView>,
    /// The cell follows the plan's stage: no source speaks of this gemeente itself.
    pub follows_plan: bool,
    /// Shown on hover: plan, gemeente, status, and where it comes from.
    pub title: Option<String>,
    /// The cell's status is an aanname (its reason is on the plan's page).
    pub assumed: bool,
}

pub struct MatrixRow {
    /// The viewer may change this plan's cells.
    pub editable: bool,
    pub plan_id: String,
    pub plan_name: String,
    /// The stage with its date: "Loopt, 5 september 2025".
    pub stage: String,
    /// On a peildatum: a later step that may already have happened.
    pub maybe: Option<String>,
    pub cells: Vec<Cell>,
}

pub struct RowGroup {
    pub name: String,
    pub rows: Vec<MatrixRow>,
}

/// One line of "Vraagt aandacht".
#[derive(Clone)]
pub struct AttentionLine {
    pub href: String,
    pub text: String,
    pub detail: String,
}

/// A part of "Vraagt aandacht": its lines (the first few) and how many there are.
#[derive(Clone)]
pub struct AttentionPart {
    pub title: &'static str,
    pub lines: Vec<AttentionLine>,
    pub total: usize,
    pub all_href: &'static str,
    pub none: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub nav: &'static str,
    pub choice: FilterChoice,
    pub options: FilterOptions,
    pub as_of: Peildatum,
    /// The filter and peildatum in words, for the page and its printout.
    pub filter_words: String,
    /// The opgaven (id, name), the columns of the counts table.
    pub themes: Vec<(String, String)>,
    pub count_groups: Vec<CountGroup>,
    pub attention: Vec<AttentionPart>,
    /// The newest minutes of a meeting ("Verslag ..."), to ask what changed since: (id, title).
    pub last_meeting: Option<(String, String)>,
    /// The last and the next meeting of a BBO: (id, day in words, body).
    pub last_bbo: Option<(String, String, String)>,
    pub next_bbo: Option<(String, String, String)>,
    pub groups: Vec<ColumnGroup>,
    pub columns: Vec<Column>,
    pub row_groups: Vec<RowGroup>,
    pub plan_count: usize,
    pub legend: Vec<StatusView>,
    pub plan_legend: Vec<StatusView>,
    /// The matrix would be too large; only the counts per gemeente are shown.
    pub too_large: bool,
    /// This page's address with its filter, for an edit to return to.
    pub back: String,
    /// The matrix is small enough to draw also as a list per gemeente and per subregio on
    /// paper ([`MAX_LISTED_CELLS`]).
    pub listed: bool,
    /// The matrix's cells as a file, with the filter and peildatum.
    pub downloads: download::Links,
}

/// A plan with its cell in one gemeente, for the matrix as a list (phones).
pub struct GemeenteLine<'a> {
    pub row: &'a MatrixRow,
    pub cell: &'a Cell,
}

impl DashboardPage {
    /// The columns of one subregio (the printed matrix has a table per subregio).
    pub fn columns_of(&self, g: &ColumnGroup) -> &[Column] {
        &self.columns[g.range()]
    }

    /// The rows with at least one cell inside the working area in subregio `g`, each with
    /// its cells there.
    pub fn rows_of<'a>(&'a self, g: &ColumnGroup) -> Vec<(&'a MatrixRow, &'a [Cell])> {
        self.row_groups
            .iter()
            .flat_map(|rg| &rg.rows)
            .map(|r| (r, &r.cells[g.range()]))
            .filter(|(_, cells)| cells.iter().any(|c| c.status.is_some()))
            .collect()
    }

    /// The plans with a cell in the gemeente of `column`, in the matrix's order.
    pub fn lines_of(&self, column: &Column) -> Vec<GemeenteLine<'_>> {
        let Some(i) = self.columns.iter().position(|c| c.id == column.id) else {
            return Vec::new();
        };
        self.row_groups
            .iter()
            .flat_map(|rg| &rg.rows)
            .filter_map(|row| {
                row.cells
                    .get(i)
                    .filter(|c| c.status.is_some())
                    .map(|cell| GemeenteLine { row, cell })
            })
            .collect()
    }
}

/// The filter and peildatum in words: "stand van vandaag, ...; opgave Mentale gezondheid".
fn filter_words(choice: &FilterChoice, catalog: &Catalog, as_of: Peildatum) -> String {
    let filter = choice.words(catalog);
    let when = if as_of.is_past() {
        format!("stand op {} (peildatum)", as_of.label())
    } else {
        format!("stand van vandaag, {}", as_of.label())
    };
    format!("{when}; {filter}")
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<DashboardPage, WebError> {
    let query_pairs = pairs.clone();
    let (as_of, pairs) = Peildatum::split(&pairs)?;
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let (choice, filter) = FilterChoice::parse(&pairs, &catalog)?;
    let themes: Vec<(String, String)> = catalog
        .items(FrameworkKind::Theme)
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let theme_ids: Vec<String> = themes.iter().map(|(id, _)| id.clone()).collect();

    // Today the database counts (the same for every viewer, kept until the next write); on a
    // peildatum the state of that day is rebuilt from the history, cell by cell.
    let counts = async {
        if as_of.is_past() {
            let view = PortfolioView::load(&state.store, &catalog, &filter, as_of).await?;
            let counts = view.counts(&theme_ids);
            let in_view = view.gemeenten_in_view();
            let plan_count = view.plans.len();
            Ok::<_, WebError>((counts, in_view, plan_count, Some(view)))
        } else {
            let counts = state
                .gemeente_counts(version, &catalog, &filter, &theme_ids)
                .await?;
            Ok((
                counts.by_gemeente.clone(),
                counts.concerned.clone(),
                counts.plans,
                None,
            ))
        }
    };
    // The same for every viewer on a day (overdue actions): kept under the data's version and
    // the day, made once at a time. Asked for together with the counts: after a write, the
    // requests that wait for both do not take turns with the one making them.
    let today = crate::features::indicators::today().to_string();
    let attention = async {
        state
            .attention
            .get_or_make(version, &today, || attention(&state, &today))
            .await
    };
    let ((mut counts, in_view, plan_count, view), attention) = tokio::try_join!(counts, attention)?;
    let attention = attention.as_ref().clone();
    let count_groups = catalog
        .subregions()
        .filter(|s| choice.subregio.is_empty() || s.id == choice.subregio)
        .map(|s| CountGroup {
            id: s.id.clone(),
            name: s.name.clone(),
            rows: catalog
                .gemeenten_of(&s.id)
                .filter(|g| choice.gemeente.is_empty() || g.id == choice.gemeente)
                .map(|g| {
                    let (c, by_theme) = counts.remove(&g.id).unwrap_or_else(|| {
                        (Counts::default(), vec![Counts::default(); themes.len()])
                    });
                    CountRow {
                        id: g.id.clone(),
                        name: g.name.clone(),
                        counts: c,
                        by_theme,
                        chosen: g.id == choice.gemeente,
                    }
                })
                .collect(),
        })
        .filter(|g: &CountGroup| !g.rows.is_empty())
        .collect::<Vec<_>>();

    // The sources are listed newest first; minutes of a meeting are titled "Verslag ...".
    let last_meeting = catalog
        .source_list()
        .into_iter()
        .find(|s| s.title.starts_with("Verslag"))
        .map(|s| (s.id.clone(), format!("{} ({})", s.title, date_nl(&s.date))));

    let (last_bbo, next_bbo) = state
        .store
        .bbo_around(&crate::features::indicators::today().to_string())
        .await?;
    let in_words = |(id, day, body): (String, String, String)| (id, date_nl(&day), body);
    let (last_bbo, next_bbo) = (last_bbo.map(in_words), next_bbo.map(in_words));

    // The matrix: the gemeenten in the selected plans' working areas (or the chosen one). A
    // matrix too large to draw shows the counts only; one that fits is drawn with every
    // cell's facts (a peildatum's view has them already).
    let (groups, mut columns) = matrix_columns(&catalog, &choice, &in_view);
    let too_large = plan_count * columns.len() > MAX_CELLS;
    let row_groups = if too_large {
        Vec::new()
    } else {
        let view = match view {
            Some(view) => view,
            None => PortfolioView::load(&state.store, &catalog, &filter, as_of).await?,
        };
        matrix_rows(&state, &viewer, &catalog, &filter, &view, &mut columns).await?
    };

    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(&pairs);
    if as_of.is_past() {
        query.append_pair("peildatum", &as_of.value());
    }
    let query = query.finish();
    let back = if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    };
    Ok(DashboardPage {
        listed: plan_count * columns.len() <= MAX_LISTED_CELLS,
        back,
        nav: "overzicht",
        filter_words: filter_words(&choice, &catalog, as_of),
        options: FilterOptions::from_catalog(&catalog),
        choice,
        as_of,
        themes,
        count_groups,
        attention,
        last_meeting,
        last_bbo,
        next_bbo,
        groups,
        columns,
        row_groups,
        plan_count,
        legend: StatusView::legend(),
        plan_legend: StatusView::plan_legend(),
        too_large,
        downloads: download::Links::new("/overzicht", &query_pairs).with_note(
            "de cellen van de matrix (per plan en gemeente, met het filter en de peildatum)",
        ),
    })
}

/// The gemeenten of the matrix, under their subregio in the catalog's order: those that any
/// selected plan concerns (`in_view`), narrowed to the chosen subregio or gemeente.
fn matrix_columns(
    catalog: &Catalog,
    choice: &FilterChoice,
    in_view: &HashSet<String>,
) -> (Vec<ColumnGroup>, Vec<Column>) {
    let mut groups = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    for s in catalog
        .subregions()
        .filter(|s| choice.subregio.is_empty() || s.id == choice.subregio)
    {
        let before = columns.len();
        columns.extend(
            catalog
                .gemeenten_of(&s.id)
                .filter(|g| in_view.contains(&g.id))
                .filter(|g| choice.gemeente.is_empty() || g.id == choice.gemeente)
                .map(|g| Column {
                    id: g.id.clone(),
                    name: g.name.clone(),
                    counts: Counts::default(),
                }),
        );
        if columns.len() > before {
            groups.push(ColumnGroup {
                id: s.id.clone(),
                name: s.name.clone(),
                start: before,
                span: columns.len() - before,
            });
        }
    }
    (groups, columns)
}

/// The heading a plan's row stands under in the matrix: the region, or the subregio of the
/// plan's area; a plan of neither has no row.
fn row_group<'a>(catalog: &'a Catalog, plan: &PlanRow) -> Option<&'a AreaRow> {
    catalog
        .subregion_of(&plan.area_id)
        .or_else(|| catalog.region().filter(|r| r.id == plan.area_id))
}

/// The matrix rows per subregio of the plans, counting each column's cells as it goes.
async fn matrix_rows(
    state: &AppState,
    viewer: &Viewer,
    catalog: &Catalog,
    filter: &crate::features::plans::model::PlanFilter,
    view: &PortfolioView,
    columns: &mut [Column],
) -> Result<Vec<RowGroup>, WebError> {
    // Which rows the viewer may edit: all for a beheerder, those its organisations lead for
    // a trekker, none for others (no extra query for them); none on a peildatum, which shows
    // the past.
    let editable: std::collections::HashSet<String> = match &viewer.user {
        _ if view.as_of.is_past() => std::collections::HashSet::new(),
        Some(u) if u.is_admin() => view.plans.iter().map(|p| p.id.clone()).collect(),
        Some(u) if u.role == crate::domain::Role::Lead => state
            .store
            .plan_organisations(filter)
            .await?
            .into_iter()
            .filter(|o| o.role == "trekker" && u.organisations.contains(&o.organisation_id))
            .map(|o| o.plan_id)
            .collect(),
        _ => std::collections::HashSet::new(),
    };
    let source_title = |id: Option<&str>| {
        catalog
            .source(id)
            .map(|s| format!("{}, {}", s.title, s.date))
    };
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
    let mut group_index: HashMap<String, usize> = HashMap::new();
    for (i, (id, _)) in by_group.iter().enumerate() {
        group_index.insert(id.clone(), i);
    }
    for plan in &view.plans {
        let stage = view.stage(&plan.id);
        let stage_text = match stage {
            Some(s) if s.stage.is_some() => {
                let label = s.stage.map(|x| x.label()).unwrap_or_default();
                match s.date.as_deref() {
                    Some(d) => format!("{label}, {}", date_nl(d)),
                    None => label.to_owned(),
                }
            }
            _ if view.as_of.is_past() => "Nog geen fase bekend".to_owned(),
            _ => "Fase niet vermeld".to_owned(),
        };
        // The source of the stage, which the cells that follow the plan rely on.
        let stage_text = match stage.and_then(|s| catalog.source(s.source_id.as_deref())) {
            Some(src) => format!("{stage_text} · bron: {}", src.title),
            None => stage_text,
        };
        let maybe = stage
            .and_then(|s| s.maybe.as_ref())
            .map(|(st, d)| format!("mogelijk al {} ({})", st.label().to_lowercase(), date_nl(d)));
        let cells = columns
            .iter_mut()
            .map(|col| {
                let fact = view.cell(&plan.id, &col.id);
                col.counts.add(&fact);
                match fact {
                    CellFact::Own(r) => {
                        let view = StatusView::of(r.status);
                        let note = r
                            .note
                            .as_deref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default();
                        let source = source_title(r.source_id.as_deref())
                            .map(|s| format!(" (bron: {s})"))
                            .unwrap_or_default();
                        Cell {
                            gemeente_id: col.id.clone(),
                            gemeente_name: col.name.clone(),
                            title: Some(format!(
                                "{}, {}: {} sinds {}{note}{source}",
                                plan.name,
                                col.name,
                                view.label,
                                date_nl(&r.date)
                            )),
                            status: Some(view),
                            follows_plan: false,
                            assumed: r.assumption.is_some(),
                        }
                    }
                    // The row's header gives the plan's stage with its date and source; the
                    // cell says it follows the plan (a title per cell would repeat that text
                    // thousands of times on a large portfolio).
                    CellFact::FollowsPlan(s) => Cell {
                        gemeente_id: col.id.clone(),
                        gemeente_name: col.name.clone(),
                        title: None,
                        status: Some(StatusView::overview(s.overview())),
                        follows_plan: true,
                        assumed: false,
                    },
                    CellFact::Outside => Cell {
                        gemeente_id: col.id.clone(),
                        gemeente_name: String::new(),
                        title: None,
                        status: None,
                        follows_plan: false,
                        assumed: false,
                    },
                }
            })
            .collect();
        let row = MatrixRow {
            editable: editable.contains(&plan.id),
            plan_id: plan.id.clone(),
            plan_name: plan.name.clone(),
            stage: stage_text,
            maybe,
            cells,
        };
        if let Some(i) = row_group(catalog, plan).and_then(|g| group_index.get(&g.id)) {
            by_group[*i].1.rows.push(row);
        }
    }
    Ok(by_group
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| !g.rows.is_empty())
        .collect())
}

/// Plans per batch of the matrix's downloads: a plan of the whole land has a cell in each of
/// its gemeenten (342 in the national set), so 100 plans give at most some 34,000 rows.
const MATRIX_BATCH: usize = 100;

/// The columns of the matrix's downloads: one row per cell.
const MATRIX_COLUMNS: &[&str] = &[
    "plan-id",
    "plan",
    "subregio",
    "gemeentecode",
    "gemeente",
    "status",
    "herkomst",
    "datum",
    "bron",
    "toelichting",
    "aanname",
];

/// The cells of the start page's matrix as CSV or Excel (`/overzicht.csv`,
/// `/overzicht.xlsx`), with the page's filter and peildatum: one row per plan and gemeente
/// whose cell shows a status (the empty cells outside a plan's working area are left out),
/// plans in portfolio order and within a plan the gemeenten in the matrix's order. Also when
/// the matrix is too large to draw: the plans are read [`MATRIX_BATCH`] at a time.
async fn matrix_download(
    State(state): State<AppState>,
    format: download::Format,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, WebError> {
    let (as_of, pairs) = Peildatum::split(&pairs)?;
    let catalog = Arc::new(Catalog::load(&state.store).await?);
    let (choice, filter) = FilterChoice::parse(&pairs, &catalog)?;
    // On a peildatum the stage filter asks for the stage of that day, which the view decides
    // from the history: the batches of plans are taken without it.
    let batches = PlanFilter {
        stage: if as_of.is_past() {
            None
        } else {
            filter.stage.clone()
        },
        ..filter.clone()
    };
    let name = match as_of.0 {
        Some(day) => format!("overzicht-peildatum-{day}"),
        None => "overzicht".to_owned(),
    };
    let table = download::Table::new(name, "Overzicht", MATRIX_COLUMNS);
    let (choice, stage) = (Arc::new(choice), filter.stage);
    Ok(table.download(format, move |n| {
        let (state, catalog, choice) = (state.clone(), catalog.clone(), choice.clone());
        let (batches, stage) = (batches.clone(), stage.clone());
        async move {
            let paging = crate::web::paging::Paging {
                number: n + 1,
                size: MATRIX_BATCH,
            };
            let Some(page) = state.store.plan_page(&batches, paging).await? else {
                return Ok(None);
            };
            let page = PlanFilter { stage, ..page };
            let view = PortfolioView::load(&state.store, &catalog, &page, as_of).await?;
            Ok(Some(matrix_cells(&catalog, &choice, &view)))
        }
    }))
}

/// The matrix's cells of the plans of `view` that show a status, as rows of the download.
fn matrix_cells(
    catalog: &Catalog,
    choice: &FilterChoice,
    view: &PortfolioView,
) -> Vec<download::Row> {
    let (_, columns) = matrix_columns(catalog, choice, &view.gemeenten_in_view());
    let source = |id: Option<&str>| {
        FileCell::optional(
            catalog
                .source(id)
                .map(|s| format!("{}, {}", s.title, s.date)),
        )
    };
    let mut rows = Vec::new();
    for plan in view
        .plans
        .iter()
        .filter(|p| row_group(catalog, p).is_some())
    {
        for col in &columns {
            let (status, origin, date, from, note, assumption) = match view.cell(&plan.id, &col.id)
            {
                CellFact::Own(r) => (
                    StatusView::of(r.status),
                    "eigen feit van de gemeente",
                    FileCell::fact_date(&r.date),
                    source(r.source_id.as_deref()),
                    FileCell::optional(r.note.clone()),
                    FileCell::optional(r.assumption.clone()),
                ),
                CellFact::FollowsPlan(s) => (
                    StatusView::overview(s.overview()),
                    "volgt plan",
                    s.date
                        .as_deref()
                        .map_or(FileCell::Empty, FileCell::fact_date),
                    source(s.source_id.as_deref()),
                    FileCell::Empty,
                    FileCell::Empty,
                ),
                CellFact::Outside => continue,
            };
            rows.push(vec![
                FileCell::text(plan.id.clone()),
                FileCell::text(plan.name.clone()),
                FileCell::optional(catalog.subregion_of(&col.id).map(|s| s.name.clone())),
                FileCell::text(col.id.clone()),
                FileCell::text(col.name.clone()),
                FileCell::text(status.label),
                FileCell::text(origin),
                date,
                from,
                note,
                assumption,
            ]);
        }
    }
    rows
}

/// The KPI values that missed their target or are behind, "niet gehaald" first: kept under
/// the KPI version ([`crate::store::Store::kpi_version`], read before anything it is made
/// from), so a write of a plan or a rollout keeps it and only a write that may change a KPI's
/// latest value makes it anew.
async fn missed_kpis(state: &AppState, today: &str) -> Result<Arc<Vec<AttentionLine>>, WebError> {
    let version = state.store.kpi_version().await.ok();
    state
        .kpi_attention
        .get_or_make(version, today, || async {
            let indicators = state.store.indicators().await?;
            let areas: HashMap<String, String> = state
                .store
                .areas()
                .await?
                .into_iter()
                .map(|a| (a.id, a.name))
                .collect();
            let latest = state.store.latest_observations_all().await?;
            Ok::<_, WebError>(missed_lines(&indicators, &areas, &latest))
        })
        .await
}

/// The lines of the KPI values that missed their target or are behind, "niet gehaald" first.
fn missed_lines(
    indicators: &[crate::features::indicators::model::IndicatorRow],
    areas: &HashMap<String, String>,
    latest: &[crate::features::observations::model::ObservationRow],
) -> Vec<AttentionLine> {
    // A KPI's targets once, not once per area.
    let by_id: HashMap<&str, (&crate::features::indicators::model::IndicatorRow, _)> = indicators
        .iter()
        .map(|i| (i.id.as_str(), (i, i.targets())))
        .collect();
    let mut missed = Vec::new();
    for o in latest {
        let Some((ind, targets)) = by_id.get(o.indicator_id.as_str()) else {
            continue;
        };
        let a = crate::features::indicators::assess_with(ind, targets.as_ref(), Some(o));
        if matches!(a.status, IndicatorStatus::Missed | IndicatorStatus::Behind) {
            missed.push((
                a.status == IndicatorStatus::Behind,
                AttentionLine {
                    href: format!("/indicatoren/{}?gebied={}", ind.id, o.area_id),
                    text: format!(
                        "{} in {}",
                        ind.name,
                        areas
                            .get(&o.area_id)
                            .map_or(o.area_id.as_str(), String::as_str)
                    ),
                    // The reason names the status already ("Achter op de lijn ...").
                    detail: format!(
                        "{}{}",
                        if a.reason.starts_with(a.status.label()) {
                            a.reason.clone()
                        } else {
                            format!("{}: {}", a.status.label(), a.reason)
                        },
                        if o.is_example() {
                            " (voorbeeldwaarde)"
                        } else {
                            ""
                        }
                    ),
                },
            ));
        }
    }
    // Niet gehaald before achter.
    missed.sort_by_key(|(behind, _)| *behind);
    missed.into_iter().map(|(_, l)| l).collect()
}

/// What needs action now: KPI values that missed their target, overdue actions, and
/// actions escalated to a body that wait there.
async fn attention(state: &AppState, today: &str) -> Result<Vec<AttentionPart>, WebError> {
    let missed = missed_kpis(state, today).await?.as_ref().clone();
    // The same for every viewer (the page may be kept): what a visitor may see of the actions.
    let origins = crate::features::actions::pages::Origins::load(&state.store).await?;
    let actions: Vec<_> = state
        .store
        .all_actions()
        .await?
        .into_iter()
        .filter(|a| origins.visible(a, false))
        .collect();
    let bodies = state.store.bodies().await?;
    let today = crate::features::indicators::today();
    let overdue: Vec<AttentionLine> = actions
        .iter()
        .filter(|a| a.is_overdue(today))
        .map(|a| AttentionLine {
            href: format!("/acties/{}", a.id),
            text: a.title.clone(),
            detail: format!(
                "deadline {}{}",
                a.deadline.as_deref().map(date_nl).unwrap_or_default(),
                a.owner
                    .as_deref()
                    .map(|o| format!(", eigenaar {o}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let escalated_ids: std::collections::HashSet<i64> = state
        .store
        .all_escalations()
        .await?
        .into_iter()
        .map(|e| e.action_id)
        .collect();
    let escalated: Vec<AttentionLine> = actions
        .iter()
        .filter(|a| a.status().is_open() && escalated_ids.contains(&a.id))
        .map(|a| AttentionLine {
            href: format!("/acties/{}", a.id),
            text: a.title.clone(),
            detail: format!(
                "ligt bij {}",
                crate::features::actions::repo::place_of(
                    &bodies,
                    a.level.as_deref(),
                    a.body_id.as_deref()
                )
            ),
        })
        .collect();
    let part = |title, mut lines: Vec<AttentionLine>, all_href, none| {
        let total = lines.len();
        lines.truncate(ATTENTION_LINES);
        AttentionPart {
            title,
            lines,
            total,
            all_href,
            none,
        }
    };
    Ok(vec![
        part(
            "KPI's niet gehaald of achter",
            missed,
            "/indicatoren",
            "Geen KPI mist nu zijn doel of loopt achter.",
        ),
        part(
            "Acties over de deadline",
            overdue,
            "/acties",
            "Geen actie is over de deadline.",
        ),
        part(
            "Opgeschaald naar een overleg",
            escalated,
            "/acties",
            "Er ligt geen opgeschaalde actie bij een overleg.",
        ),
    ])
}
