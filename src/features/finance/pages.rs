//! `/financiering`: how every plan is financed in a year and the totals per financing source,
//! year, subregio and opgave, with personnel capacity; as CSV and Excel.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;

use super::overview::{Filter, Overview, Secured};
use crate::domain::{Cents, FrameworkKind};
use crate::features::plans::model::FundingSourceRow;
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::filter::{subregion_of, theme_of, year_of};
use crate::web::forms::Choice;
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::view::Catalog;

pub fn routes() -> Routes {
    Routes::new()
        .get("/financiering", page)
        .get("/financiering.csv", download_list)
        .get("/financiering.xlsx", download_list)
}

impl Filter {
    pub const NAMES: [&'static str; 5] = ["jaar", "subregio", "opgave", "bron", "zeker"];

    pub fn parse(
        pairs: &[(String, String)],
        catalog: &Catalog,
        sources: &[FundingSourceRow],
    ) -> Result<Self, WebError> {
        let mut f = Self::default();
        let unknown = |name: &str, value: &str, known: Vec<&str>| {
            WebError::BadRequest(format!(
                "{name}: \"{value}\" kennen we niet. Kies een van: {}.",
                known.join(", ")
            ))
        };
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name.as_str() {
                "jaar" => f.year = Some(year_of(value)?),
                "subregio" => f.subregio = subregion_of(catalog, value)?,
                "opgave" => f.opgave = theme_of(catalog, value)?,
                "bron" => {
                    if !sources.iter().any(|s| s.id == value) {
                        return Err(unknown(
                            "Financieringsbron (bron)",
                            value,
                            sources.iter().map(|s| s.id.as_str()).collect(),
                        ));
                    }
                    f.bron = value.to_owned();
                }
                "zeker" => {
                    if value != "niet-toegekend" && Secured::parse(value).is_none() {
                        let mut known: Vec<&str> = vec!["niet-toegekend"];
                        known.extend(Secured::ALL.iter().map(|s| s.code()));
                        return Err(unknown("Financiering (zeker)", value, known));
                    }
                    f.zeker = value.to_owned();
                }
                other => {
                    return Err(WebError::BadRequest(format!(
                        "Het filter \"{other}\" bestaat niet. U kunt filteren op: {}.",
                        Self::NAMES.join(", ")
                    )));
                }
            }
        }
        Ok(f)
    }

    fn pairs(&self, year: i16) -> Vec<(String, String)> {
        let mut pairs = vec![("jaar".to_owned(), year.to_string())];
        for (k, v) in [
            ("subregio", &self.subregio),
            ("opgave", &self.opgave),
            ("bron", &self.bron),
            ("zeker", &self.zeker),
        ] {
            if !v.is_empty() {
                pairs.push((k.to_owned(), v.clone()));
            }
        }
        pairs
    }

    fn words(&self, catalog: &Catalog, sources: &[FundingSourceRow], year: i16) -> String {
        let mut parts = vec![format!("jaar {year}")];
        if !self.subregio.is_empty() {
            parts.push(format!(
                "subregio {} (met de plannen voor de hele regio en die er een werkgebied hebben)",
                catalog.area_name(&self.subregio)
            ));
        }
        if let Some(t) = catalog.item(&self.opgave) {
            parts.push(format!("opgave {}", t.name));
        }
        if let Some(s) = sources.iter().find(|s| s.id == self.bron) {
            parts.push(format!("financieringsbron {}", s.name));
        }
        match self.zeker.as_str() {
            "" => {}
            "niet-toegekend" => parts.push("financiering niet (zeker) toegekend".to_owned()),
            code => {
                if let Some(s) = Secured::parse(code) {
                    parts.push(format!("financiering: {}", s.label().to_lowercase()));
                }
            }
        }
        parts.join(", ")
    }
}

/// A line of a totals table as the page shows it.
pub struct TotalView {
    pub name: String,
    pub plans: usize,
    pub granted_plans: usize,
    pub requested: String,
    pub granted: String,
    pub spent: String,
}

fn total_view(t: &super::overview::TotalLine) -> TotalView {
    TotalView {
        name: t.name.clone(),
        plans: t.plans,
        granted_plans: t.granted_plans,
        requested: t.money.requested.label(),
        granted: t.money.granted.label(),
        spent: t.money.spent.label(),
    }
}

pub struct LineView {
    pub id: i64,
    pub source: String,
    pub state: String,
    pub requested: String,
    pub granted: String,
    pub spent: String,
    pub is_example: bool,
    pub assumption: Option<String>,
}

fn amount(c: Option<i64>) -> String {
    c.map_or_else(|| "onbekend".to_owned(), |c| Cents(c).label_nl())
}

#[derive(Template, WebTemplate)]
#[template(path = "finance/page.html")]
pub struct Page {
    pub nav: &'static str,
    pub overview: Arc<Overview>,
    /// The plans of this page of the list (all of them count in the totals).
    pub plans: Vec<super::overview::PlanMoney>,
    pub pages: PageNav,
    pub lines: Vec<Vec<LineView>>,
    pub per_source: Vec<TotalView>,
    pub per_subregion: Vec<TotalView>,
    pub per_theme: Vec<TotalView>,
    pub per_year: Vec<TotalView>,
    pub total: TotalView,
    /// The address of the list of plans in each state, with the rest of the filter.
    pub secured_links: Vec<String>,
    /// The captions of the totals tables: per source, subregio, opgave, year.
    pub captions: [String; 4],
    pub filter: Filter,
    pub filter_words: String,
    pub years: Vec<Choice>,
    pub subregions: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub secured: Vec<Choice>,
    pub downloads: download::Links,
}

async fn load(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<(Arc<Catalog>, Vec<FundingSourceRow>, Filter, Arc<Overview>), WebError> {
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let sources = state.store.funding_sources().await?;
    let filter = Filter::parse(pairs, &catalog, &sources)?;
    // The same for every viewer: kept under the data's version, the filter and the year it
    // shows (this year when none is asked for).
    let year = filter
        .year
        .unwrap_or_else(|| crate::features::indicators::today().year());
    let overview = state
        .finance
        .get_or_make(version, &format!("{filter:?} {year}"), || {
            Overview::load(&state.store, &catalog, &sources, &filter)
        })
        .await?;
    Ok((catalog, sources, filter, overview))
}

async fn page(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Page, WebError> {
    let (paging, rest) = Paging::split(&pairs)?;
    let (catalog, sources, filter, overview) = load(&state, &rest).await?;
    let total_plans = overview.plans.len();
    let shown = paging.window(&overview.plans).to_vec();
    let year = overview.year;
    let this_year = crate::features::indicators::today().year();
    let mut years: Vec<i16> = overview
        .per_year
        .iter()
        .filter_map(|t| t.key.parse().ok())
        .chain([this_year, this_year + 1, year])
        .collect();
    years.sort_unstable();
    years.dedup();
    let lines = shown
        .iter()
        .map(|p| {
            p.lines
                .iter()
                .map(|b| LineView {
                    id: b.id,
                    source: b.source_name.clone(),
                    state: b.state_label.clone(),
                    requested: amount(b.requested),
                    granted: amount(b.granted),
                    spent: amount(b.spent),
                    is_example: b.is_example,
                    assumption: b.assumption.clone(),
                })
                .collect()
        })
        .collect();
    Ok(Page {
        nav: "financiering",
        pages: PageNav::new("/financiering", &rest, paging, total_plans),
        plans: shown,
        lines,
        per_source: overview.per_source.iter().map(total_view).collect(),
        per_subregion: overview.per_subregion.iter().map(total_view).collect(),
        per_theme: overview.per_theme.iter().map(total_view).collect(),
        per_year: overview.per_year.iter().map(total_view).collect(),
        total: total_view(&overview.total),
        secured_links: overview
            .secured_counts
            .iter()
            .map(|(state, _)| {
                let mut f = filter.clone();
                f.zeker = state.code().to_owned();
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(f.pairs(year))
                    .finish();
                format!("/financiering?{query}")
            })
            .collect(),
        captions: [
            format!("Per financieringsbron, {year}: een plan telt bij elke bron die het noemt"),
            format!("Per subregio, {year}: naar het gebied van het plan"),
            format!("Per opgave, {year}"),
            format!(
                "Per jaar: de budgetregels van alle jaren, van de plannen die het filter in {year} kiest"
            ),
        ],
        filter_words: filter.words(&catalog, &sources, year),
        downloads: download::Links::new("/financiering", &filter.pairs(year))
            .with_note("per plan en financieringsbron, met het filter hierboven"),
        years: years
            .into_iter()
            .map(|y| Choice::new(y.to_string(), y.to_string()))
            .collect(),
        subregions: Choice::none_then(
            "Alle subregio's",
            catalog
                .subregions()
                .map(|a| Choice::new(a.id.clone(), a.name.clone())),
        ),
        themes: Choice::none_then(
            "Alle opgaven",
            catalog
                .items(FrameworkKind::Theme)
                .map(|t| Choice::new(t.id.clone(), t.name.clone())),
        ),
        sources: Choice::none_then(
            "Alle financieringsbronnen",
            sources
                .iter()
                .map(|s| Choice::new(s.id.clone(), s.name.clone())),
        ),
        secured: std::iter::once(Choice::new("", "Alle plannen"))
            .chain(std::iter::once(Choice::new(
                "niet-toegekend",
                "Niet (zeker) toegekend",
            )))
            .chain(
                Secured::ALL
                    .iter()
                    .map(|s| Choice::new(s.code(), s.label())),
            )
            .collect(),
        filter,
        overview,
    })
}

/// One row per plan and budget line of the year (a plan without lines: one row), so a
/// spreadsheet can sum the amounts; amounts in euro, empty when unknown.
async fn download_list(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    format: download::Format,
) -> Result<Response, WebError> {
    let (_, rest) = Paging::split(&pairs)?;
    let (_, _, _, overview) = load(&state, &rest).await?;
    let euro = |c: Option<i64>| c.map_or(Cell::Empty, Cell::Euro);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for p in &overview.plans {
        let base = |rows: &mut Vec<Vec<Cell>>, line: Option<&super::overview::BudgetLine>| {
            rows.push(vec![
                Cell::text(p.plan_name.clone()),
                Cell::text(p.subregion.clone()),
                Cell::text(p.themes.join(", ")),
                Cell::count(usize::try_from(overview.year).unwrap_or_default()),
                Cell::text(p.secured.label()),
                Cell::text(p.sources.join(", ")),
                Cell::optional(line.map(|l| l.source_name.clone())),
                Cell::optional(line.map(|l| l.state_label.clone())),
                line.map_or(Cell::Empty, |l| euro(l.requested)),
                line.map_or(Cell::Empty, |l| euro(l.granted)),
                line.map_or(Cell::Empty, |l| euro(l.spent)),
                Cell::yes(line.is_some_and(|l| l.is_example)),
                Cell::optional(line.and_then(|l| l.assumption.clone())),
                Cell::optional(p.capacity.clone()),
                Cell::optional(p.capacity_assessment.clone()),
                Cell::text(format!("/plannen/{}", p.plan_id)),
            ]);
        };
        if p.lines.is_empty() {
            base(&mut rows, None);
        }
        for l in &p.lines {
            base(&mut rows, Some(l));
        }
    }
    let mut rows = Some(rows);
    let table = download::Table::new(
        format!("financiering-{}", overview.year),
        "Financiering",
        vec![
            "Plan",
            "Subregio",
            "Opgaven",
            "Jaar",
            "Financiering",
            "Bronnen van het plan",
            "Financieringsbron",
            "Stand van de aanvraag",
            "Aangevraagd (euro)",
            "Toegekend (euro)",
            "Besteed (euro)",
            "Voorbeeld",
            "Aanname",
            "Capaciteit",
            "Capaciteit: oordeel",
            "Pagina",
        ],
    );
    Ok(table.download(format, move |_| std::future::ready(Ok(rows.take()))))
}

/// The overview for the API: the same filter as the page.
pub async fn overview_for(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<Arc<Overview>, WebError> {
    Ok(load(state, pairs).await?.3)
}
