//! `/werkagenda`: every plan's milestones over one year, per opgave and plan, as a timeline
//! (months as columns, a milestone placed across the months of its period, a "vandaag" line)
//! and as a table with the same content; milestones without a period are listed under it.
//! Filtered by subregio, opgave, plan and status; downloadable as CSV and Excel; the API gives
//! the same list.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::civil::Date;
use serde::Serialize;

use crate::domain::{FactDate, FrameworkKind, MilestoneStatus, months_in_year};
use crate::features::plans::model::{MilestoneRow, PlanFilter};
use crate::store::Store;
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::filter::{subregion_of, theme_of, year_of};
use crate::web::forms::Choice;
use crate::web::routes::Routes;
use crate::web::view::{Catalog, SourceView};

pub fn routes() -> Routes {
    Routes::new()
        .get("/werkagenda", page)
        .get("/werkagenda.csv", download_list)
        .get("/werkagenda.xlsx", download_list)
}

/// What the werkagenda shows: a year and the filter, as chosen in the address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Empty: the current year when it has milestones, else the latest year before it that has.
    pub year: Option<i16>,
    pub subregio: String,
    pub opgave: String,
    pub plan: String,
    pub status: Option<MilestoneStatus>,
}

impl Filter {
    pub const NAMES: [&'static str; 5] = ["jaar", "subregio", "opgave", "plan", "status"];

    pub fn parse(pairs: &[(String, String)], catalog: &Catalog) -> Result<Self, WebError> {
        let mut f = Self::default();
        for (name, value) in pairs {
            let value = value.trim();
            match name.as_str() {
                "jaar" if value.is_empty() => {}
                "jaar" => f.year = Some(year_of(value)?),
                "subregio" if value.is_empty() => f.subregio = String::new(),
                "subregio" => f.subregio = subregion_of(catalog, value)?,
                "opgave" if value.is_empty() => f.opgave = String::new(),
                "opgave" => f.opgave = theme_of(catalog, value)?,
                "plan" => f.plan = value.to_owned(),
                "status" if value.is_empty() => {}
                "status" => {
                    f.status = Some(
                        MilestoneStatus::parse(value)
                            .map_err(|e| WebError::BadRequest(format!("Status (status): {e}.")))?,
                    );
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

    /// The address pairs of the filter (the year as shown), for links and downloads.
    fn pairs(&self, year: i16) -> Vec<(String, String)> {
        let mut pairs = vec![("jaar".to_owned(), year.to_string())];
        for (k, v) in [
            ("subregio", self.subregio.as_str()),
            ("opgave", self.opgave.as_str()),
            ("plan", self.plan.as_str()),
            ("status", self.status.map_or("", |s| s.code())),
        ] {
            if !v.is_empty() {
                pairs.push((k.to_owned(), v.to_owned()));
            }
        }
        pairs
    }
}

/// How an opgave looks on the timeline: its colour, and a pattern and letter so that colour is
/// never the only cue. The four colours of the Lekstroom werkagenda (geel Gezond ouder worden,
/// roze Mentale gezondheid, groen Eerstelijns en Sociaal Domein, zalm Ketenaanpakken GALA) go
/// to the opgaven whose names carry those words; the others take the next free colour.
#[derive(Debug, Clone, Serialize)]
pub struct Swatch {
    pub colour: &'static str,
    pub colour_name: &'static str,
    /// The id of the SVG pattern over the colour.
    pub pattern: &'static str,
    pub pattern_name: &'static str,
    /// A letter printed at the start of each bar.
    pub letter: String,
}

const COLOURS: [(&str, &str); 6] = [
    ("#f6d44a", "geel"),
    ("#f4a6c7", "roze"),
    ("#8fd18b", "groen"),
    ("#f7a98b", "zalm"),
    ("#9cc3e6", "blauw"),
    ("#c9b3e6", "paars"),
];
const PATTERNS: [(&str, &str); 6] = [
    ("rm-p-diagonaal", "schuine strepen"),
    ("rm-p-stippen", "stippen"),
    ("rm-p-liggend", "liggende strepen"),
    ("rm-p-ruit", "ruitjes"),
    ("rm-p-staand", "staande strepen"),
    ("rm-p-blokjes", "blokjes"),
];
const NO_THEME: Swatch = Swatch {
    colour: "#d9d9d9",
    colour_name: "grijs",
    pattern: "rm-p-geen",
    pattern_name: "effen",
    letter: String::new(),
};

fn swatches(catalog: &Catalog) -> HashMap<String, Swatch> {
    let themes: Vec<_> = catalog.items(FrameworkKind::Theme).collect();
    let preferred = |name: &str| -> Option<usize> {
        let n = name.to_lowercase();
        if n.contains("ouder") {
            Some(0)
        } else if n.contains("mentale") {
            Some(1)
        } else if n.contains("eerstelijn") || n.contains("sociaal domein") {
            Some(2)
        } else if n.contains("gala") || n.contains("keten") {
            Some(3)
        } else {
            None
        }
    };
    let mut taken = HashSet::new();
    let mut chosen: Vec<Option<usize>> = themes
        .iter()
        .map(|t| preferred(&t.name).filter(|c| taken.insert(*c)))
        .collect();
    for c in &mut chosen {
        if c.is_none() {
            *c = (0..COLOURS.len()).find(|i| taken.insert(*i));
        }
    }
    themes
        .iter()
        .zip(chosen)
        .enumerate()
        .map(|(i, (t, c))| {
            let c = c.unwrap_or(i % COLOURS.len());
            let letter = char::from(b'A' + u8::try_from(i % 26).unwrap_or(0)).to_string();
            (
                t.id.clone(),
                Swatch {
                    colour: COLOURS[c].0,
                    colour_name: COLOURS[c].1,
                    pattern: PATTERNS[i % PATTERNS.len()].0,
                    pattern_name: PATTERNS[i % PATTERNS.len()].1,
                    letter,
                },
            )
        })
        .collect()
}

/// One milestone as the werkagenda shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub id: i64,
    pub title: String,
    pub plan_id: String,
    pub plan_name: String,
    /// The opgave it belongs to: its own, or its plan's when the plan has exactly one.
    pub theme_id: Option<String>,
    pub theme_name: Option<String>,
    /// The opgave is the plan's, not stated for the milestone itself.
    pub theme_from_plan: bool,
    /// The period's written form (domain::FactDate); "onbekend" when the source gives none
    pub period: String,
    /// The period in Dutch: "2e t/m 3e kwartaal 2025", "periode onbekend"
    pub period_label: String,
    /// The first and last month (1-12) of the year shown that the period spans.
    #[serde(skip)]
    pub months: Option<(u8, u8)>,
    /// The first month (1-12) of the year shown that the period spans; null without a period
    pub first_month: Option<u8>,
    /// The last month (1-12) of the year shown that the period spans; null without a period
    pub last_month: Option<u8>,
    /// gepland, gehaald, verschoven or vervallen
    pub status: String,
    pub status_label: String,
    #[serde(skip)]
    pub status_symbol: &'static str,
    /// When the status took effect, in Dutch; "datum onbekend" when not known
    pub status_since: String,
    pub note: Option<String>,
    /// The reason, when the period is an aanname
    pub assumption: Option<String>,
    pub source_id: Option<String>,
    #[serde(skip)]
    pub source: Option<SourceView>,
}

/// The milestones of one plan under one opgave.
#[derive(Debug, Clone)]
pub struct PlanGroup {
    pub id: String,
    pub name: String,
    pub items: Vec<Item>,
}

/// The plans of one opgave ("" for milestones whose opgave is not known).
#[derive(Debug, Clone)]
pub struct ThemeGroup {
    pub id: String,
    pub name: String,
    pub swatch: Swatch,
    pub plans: Vec<PlanGroup>,
}

/// The werkagenda of a year: the milestones in it grouped per opgave and plan, and those
/// without a period.
pub struct Agenda {
    pub year: i16,
    /// The years with milestones, and how many each has.
    pub years: Vec<(i16, usize)>,
    pub groups: Vec<ThemeGroup>,
    pub unplaced: Vec<Item>,
    pub placed_count: usize,
}

impl Agenda {
    /// Every milestone of the year, then those without a period, in the page's order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.groups
            .iter()
            .flat_map(|g| g.plans.iter().flat_map(|p| p.items.iter()))
            .chain(self.unplaced.iter())
    }

    pub async fn load(store: &Store, catalog: &Catalog, filter: &Filter) -> Result<Self, WebError> {
        let plan_filter = PlanFilter {
            subregion: (!filter.subregio.is_empty()).then(|| filter.subregio.clone()),
            ..PlanFilter::default()
        };
        if !filter.plan.is_empty()
            && store
                .plans(&PlanFilter {
                    plan: Some(filter.plan.clone()),
                    ..PlanFilter::default()
                })
                .await?
                .is_empty()
        {
            return Err(WebError::BadRequest(format!(
                "Plan (plan): er is geen plan \"{}\". Kies een plan uit de lijst van de werkagenda.",
                filter.plan
            )));
        }
        // Only the milestones of the selected plans, and only the names and opgaven of their
        // plans: a national portfolio has thousands of plans without one.
        let plan_filter = PlanFilter {
            plan: (!filter.plan.is_empty()).then(|| filter.plan.clone()),
            ..plan_filter
        };
        let rows: Vec<MilestoneRow> = store
            .milestones_of(&plan_filter)
            .await?
            .into_iter()
            .filter(|m| filter.status.is_none_or(|s| m.status() == s))
            .collect();
        let mut ids: Vec<String> = rows.iter().map(|m| m.plan_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let plans: HashMap<String, String> =
            store.names_of_plans(&ids).await?.into_iter().collect();
        let mut plan_themes: HashMap<String, Vec<String>> = HashMap::new();
        for link in store.framework_of_unthemed_milestones(&plan_filter).await? {
            if catalog
                .item(&link.item_id)
                .is_some_and(|i| i.kind == FrameworkKind::Theme.code())
            {
                plan_themes
                    .entry(link.plan_id)
                    .or_default()
                    .push(link.item_id);
            }
        }

        let theme_of = |m: &MilestoneRow| -> (Option<String>, bool) {
            match &m.theme_id {
                Some(t) => (Some(t.clone()), false),
                None => match plan_themes.get(&m.plan_id).map(Vec::as_slice) {
                    Some([only]) => (Some(only.clone()), true),
                    _ => (None, false),
                },
            }
        };
        let rows: Vec<(MilestoneRow, Option<String>, bool)> = rows
            .into_iter()
            .map(|m| {
                let (t, from_plan) = theme_of(&m);
                (m, t, from_plan)
            })
            .filter(|(_, t, _)| filter.opgave.is_empty() || t.as_deref() == Some(&filter.opgave))
            .collect();

        let mut per_year: BTreeMap<i16, usize> = BTreeMap::new();
        for (m, _, _) in &rows {
            if let Some((start, end)) = m.period().interval() {
                for y in start.year()..=end.year() {
                    *per_year.entry(y).or_default() += 1;
                }
            }
        }
        let this_year = crate::features::indicators::today().year();
        let year = filter.year.unwrap_or_else(|| {
            if per_year.contains_key(&this_year) {
                this_year
            } else {
                per_year
                    .range(..this_year)
                    .next_back()
                    .or_else(|| per_year.iter().next())
                    .map_or(this_year, |(y, _)| *y)
            }
        });

        let item = |m: &MilestoneRow, theme: &Option<String>, from_plan: bool| {
            let period = m.period();
            let status = m.status();
            Item {
                id: m.id,
                title: m.title.clone(),
                plan_id: m.plan_id.clone(),
                plan_name: plans.get(&m.plan_id).cloned().unwrap_or_default(),
                theme_id: theme.clone(),
                theme_name: theme
                    .as_deref()
                    .and_then(|t| catalog.item(t))
                    .map(|t| t.name.clone()),
                theme_from_plan: from_plan,
                period: period.to_string(),
                period_label: period_label(period),
                months: months_in_year(period, year),
                first_month: months_in_year(period, year).map(|(m, _)| m),
                last_month: months_in_year(period, year).map(|(_, m)| m),
                status: status.code().to_owned(),
                status_label: status.label().to_owned(),
                status_symbol: status.symbol(),
                status_since: m
                    .status_date
                    .as_deref()
                    .map_or_else(|| "datum onbekend".to_owned(), crate::web::view::date_nl),
                note: m.note.clone(),
                assumption: m.assumption.clone(),
                source_id: m.source_id.clone(),
                source: catalog.source(m.source_id.as_deref()),
            }
        };

        let swatches = swatches(catalog);
        let theme_order: Vec<String> = catalog
            .items(FrameworkKind::Theme)
            .map(|t| t.id.clone())
            .collect();
        let mut groups: Vec<ThemeGroup> = Vec::new();
        let mut unplaced = Vec::new();
        let mut placed_count = 0;
        for (m, theme, from_plan) in &rows {
            let it = item(m, theme, *from_plan);
            if !m.period().is_known() {
                unplaced.push(it);
                continue;
            }
            if it.months.is_none() {
                continue;
            }
            placed_count += 1;
            let key = theme.clone().unwrap_or_default();
            let group = match groups.iter().position(|g| g.id == key) {
                Some(i) => &mut groups[i],
                None => {
                    groups.push(ThemeGroup {
                        name: theme
                            .as_deref()
                            .and_then(|t| catalog.item(t))
                            .map_or_else(|| "Opgave niet vermeld".to_owned(), |t| t.name.clone()),
                        swatch: swatches.get(&key).cloned().unwrap_or(NO_THEME),
                        id: key,
                        plans: Vec::new(),
                    });
                    groups.last_mut().expect("just pushed")
                }
            };
            match group.plans.iter_mut().find(|p| p.id == m.plan_id) {
                Some(p) => p.items.push(it),
                None => group.plans.push(PlanGroup {
                    id: m.plan_id.clone(),
                    name: it.plan_name.clone(),
                    items: vec![it],
                }),
            }
        }
        // Opgaven in the order of the kader, those without one last; plans by name; a plan's
        // milestones by period.
        groups.sort_by_key(|g| {
            theme_order
                .iter()
                .position(|t| *t == g.id)
                .unwrap_or(usize::MAX)
        });
        for g in &mut groups {
            g.plans.sort_by(|a, b| a.name.cmp(&b.name));
            for p in &mut g.plans {
                p.items.sort_by(|a, b| {
                    FactDate::from_stored(&a.period)
                        .cmp(&FactDate::from_stored(&b.period))
                        .then(a.id.cmp(&b.id))
                });
            }
        }
        unplaced.sort_by(|a, b| a.plan_name.cmp(&b.plan_name).then(a.id.cmp(&b.id)));
        Ok(Self {
            year,
            years: per_year.into_iter().collect(),
            groups,
            unplaced,
            placed_count,
        })
    }
}

fn period_label(p: FactDate) -> String {
    if p.is_known() {
        p.label_nl()
    } else {
        "periode onbekend".to_owned()
    }
}

// --- The timeline as SVG -------------------------------------------------------------------

const WIDTH: u32 = 1200;
const LABEL_WIDTH: u32 = 360;
const MONTH_WIDTH: u32 = (WIDTH - LABEL_WIDTH) / 12;
const LINE: u32 = 16;
const HEADER: u32 = 44;
/// Characters of a label line at the timeline's font size.
const LABEL_CHARS: usize = 52;
const MONTHS_SHORT: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// One row of the timeline: an opgave's heading, a plan's name, or a milestone with its bar.
pub struct Row {
    pub y: u32,
    pub height: u32,
    pub kind: &'static str,
    /// Each line of the label with its baseline.
    pub lines: Vec<(u32, String)>,
    pub bar: Option<Bar>,
    /// The full text, for the row's tooltip.
    pub title: String,
}

pub struct Bar {
    pub x: u32,
    pub width: u32,
    pub colour: &'static str,
    pub pattern: &'static str,
    pub letter: String,
    pub symbol: &'static str,
    pub dropped: bool,
    /// Where the status symbol goes: after the bar, or before it when the bar ends at December.
    pub symbol_x: u32,
    pub symbol_anchor: &'static str,
}

/// The timeline in blocks: an opgave's heading with the months above it, then each plan with
/// its milestones, each its own SVG, so that paper breaks between plans and never through a
/// row.
pub struct Timeline {
    pub width: u32,
    pub label_width: u32,
    pub months: Vec<(u32, &'static str)>,
    pub blocks: Vec<Block>,
    /// The x of today's line, when today lies in the year shown.
    pub today: Option<u32>,
    pub today_label: String,
}

/// One SVG of the timeline: an opgave's heading (with the month names) or a plan.
pub struct Block {
    /// The block with the month names at its top.
    pub heading: bool,
    pub height: u32,
    pub rows: Vec<Row>,
}

/// Breaks a text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn month_x(month: u8) -> u32 {
    LABEL_WIDTH + u32::from(month.saturating_sub(1)) * MONTH_WIDTH
}

impl Timeline {
    pub fn of(agenda: &Agenda, today: Date) -> Self {
        let mut blocks: Vec<Block> = Vec::new();
        let row = |y: &mut u32, kind: &'static str, text: &str, bar: Option<Bar>| {
            let lines = wrap(
                text,
                if kind == "item" {
                    LABEL_CHARS
                } else {
                    2 * LABEL_CHARS
                },
            );
            let height = u32::try_from(lines.len()).unwrap_or(1) * LINE + 8;
            let top = *y;
            let lines = (0u32..)
                .zip(lines)
                .map(|(i, l)| (top + 16 + i * LINE, l))
                .collect();
            *y += height;
            Row {
                y: top,
                height,
                kind,
                lines,
                bar,
                title: text.to_owned(),
            }
        };
        for g in &agenda.groups {
            let heading = if g.swatch.letter.is_empty() {
                g.name.clone()
            } else {
                format!("{} {}", g.swatch.letter, g.name)
            };
            let mut y = HEADER;
            let theme = row(&mut y, "theme", &heading, None);
            blocks.push(Block {
                heading: true,
                height: y,
                rows: vec![theme],
            });
            for p in &g.plans {
                let mut y = 0;
                let mut rows = vec![row(&mut y, "plan", &p.name, None)];
                for it in &p.items {
                    let Some((first, last)) = it.months else {
                        continue;
                    };
                    let x = month_x(first) + 2;
                    let end = month_x(last) + MONTH_WIDTH - 2;
                    let at_end = last == 12;
                    let bar = Bar {
                        x,
                        width: end - x,
                        colour: g.swatch.colour,
                        pattern: g.swatch.pattern,
                        letter: g.swatch.letter.clone(),
                        symbol: it.status_symbol,
                        dropped: it.status == MilestoneStatus::Dropped.code(),
                        symbol_x: if at_end { x.saturating_sub(4) } else { end + 4 },
                        symbol_anchor: if at_end { "end" } else { "start" },
                    };
                    let text = format!(
                        "{} ({}, {})",
                        it.title,
                        it.period_label,
                        it.status_label.to_lowercase()
                    );
                    rows.push(row(&mut y, "item", &text, Some(bar)));
                }
                blocks.push(Block {
                    heading: false,
                    height: y + 4,
                    rows,
                });
            }
        }
        let today_x = (today.year() == agenda.year).then(|| {
            let days_in = u32::try_from(today.day() - 1).unwrap_or(0) * MONTH_WIDTH
                / u32::try_from(today.days_in_month()).unwrap_or(30);
            month_x(u8::try_from(today.month()).unwrap_or(1)) + days_in
        });
        Self {
            width: WIDTH,
            label_width: LABEL_WIDTH,
            months: (1..=12u8)
                .map(|m| (month_x(m), MONTHS_SHORT[usize::from(m - 1)]))
                .collect(),
            blocks,
            today: today_x,
            today_label: crate::domain::format_date_nl(today),
        }
    }

    pub fn month_width(&self) -> u32 {
        MONTH_WIDTH
    }
}

// --- The page -----------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "werkagenda/page.html")]
pub struct Page {
    pub nav: &'static str,
    pub agenda: Agenda,
    pub timeline: Timeline,
    pub legend: Vec<(String, Swatch)>,
    pub filter_words: String,
    pub year_links: Vec<(i16, usize, String, bool)>,
    pub subregions: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub plans: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub filter: Filter,
    /// The status filter's code, "" for all.
    pub status_code: &'static str,
    pub downloads: download::Links,
    pub patterns: Vec<(&'static str, &'static str)>,
}

fn words(filter: &Filter, catalog: &Catalog, year: i16, plans: &[Choice]) -> String {
    let mut parts = vec![format!("jaar {year}")];
    if !filter.subregio.is_empty() {
        parts.push(format!("subregio {}", catalog.area_name(&filter.subregio)));
    }
    if let Some(t) = catalog.item(&filter.opgave) {
        parts.push(format!("opgave {}", t.name));
    }
    if let Some(p) = plans
        .iter()
        .find(|p| p.value == filter.plan && !p.value.is_empty())
    {
        parts.push(format!("plan {}", p.label));
    }
    if let Some(s) = filter.status {
        parts.push(format!("status {}", s.label().to_lowercase()));
    }
    parts.join(", ")
}

fn link(pairs: &[(String, String)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/werkagenda?{query}")
}

async fn page(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Page, WebError> {
    let catalog = state.catalog(state.data_version().await).await?;
    let filter = Filter::parse(&pairs, &catalog)?;
    let agenda = Agenda::load(&state.store, &catalog, &filter).await?;
    let today = crate::features::indicators::today();
    let timeline = Timeline::of(&agenda, today);
    let swatches = swatches(&catalog);
    let legend = catalog
        .items(FrameworkKind::Theme)
        .filter_map(|t| swatches.get(&t.id).map(|s| (t.name.clone(), s.clone())))
        .chain(
            agenda
                .groups
                .iter()
                .any(|g| g.id.is_empty())
                .then(|| ("Opgave niet vermeld".to_owned(), NO_THEME)),
        )
        .collect();
    // The plans that have milestones: a national portfolio has thousands without.
    let plans = Choice::none_then(
        "Alle plannen",
        state
            .store
            .plans_with(crate::features::plans::read::PlansWith::Milestones)
            .await?
            .into_iter()
            .map(|p| Choice::new(p.id, p.name)),
    );
    let year = agenda.year;
    let year_links = agenda
        .years
        .iter()
        .map(|(y, n)| {
            let mut f = filter.clone();
            f.year = Some(*y);
            (*y, *n, link(&f.pairs(*y)), *y == year)
        })
        .collect();
    Ok(Page {
        nav: "werkagenda",
        filter_words: words(&filter, &catalog, year, &plans),
        downloads: download::Links::new("/werkagenda", &filter.pairs(year))
            .with_note("de mijlpalen van dit jaar en die zonder periode, met het filter hierboven"),
        year_links,
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
        plans,
        statuses: Choice::none_then("Alle statussen", Choice::all::<MilestoneStatus>()),
        patterns: PATTERNS.to_vec(),
        status_code: filter.status.map_or("", |s| s.code()),
        filter,
        legend,
        timeline,
        agenda,
    })
}

async fn download_list(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
    format: download::Format,
) -> Result<Response, WebError> {
    let catalog = state.catalog(state.data_version().await).await?;
    let filter = Filter::parse(&pairs, &catalog)?;
    let agenda = Agenda::load(&state.store, &catalog, &filter).await?;
    let rows: Vec<Vec<Cell>> = agenda
        .items()
        .map(|it| {
            vec![
                Cell::text(it.title.clone()),
                Cell::text(it.plan_name.clone()),
                Cell::optional(it.theme_name.clone()),
                Cell::yes(it.theme_from_plan),
                Cell::text(it.period_label.clone()),
                Cell::fact_date(&it.period),
                it.months
                    .map_or(Cell::Empty, |(m, _)| Cell::count(usize::from(m))),
                it.months
                    .map_or(Cell::Empty, |(_, m)| Cell::count(usize::from(m))),
                Cell::text(it.status_label.clone()),
                Cell::text(it.status_since.clone()),
                Cell::optional(it.assumption.clone()),
                Cell::optional(it.source.as_ref().map(|s| s.title.clone())),
                Cell::text(format!("/mijlpalen/{}", it.id)),
            ]
        })
        .collect();
    let mut rows = Some(rows);
    let table = download::Table::new(
        format!("werkagenda-{}", agenda.year),
        "Werkagenda",
        vec![
            "Mijlpaal",
            "Plan",
            "Opgave",
            "Opgave van het plan",
            "Periode",
            "Periode (code)",
            "Eerste maand",
            "Laatste maand",
            "Status",
            "Status sinds",
            "Aanname over de periode",
            "Bron",
            "Pagina",
        ],
    );
    Ok(table.download(format, move |_| std::future::ready(Ok(rows.take()))))
}

/// The items of the werkagenda for the API and the tests: a year and a filter.
pub async fn items(
    store: &Store,
    pairs: &[(String, String)],
) -> Result<(i16, Vec<Item>), WebError> {
    let catalog = Catalog::load(store).await?;
    let filter = Filter::parse(pairs, &catalog)?;
    let agenda = Agenda::load(store, &catalog, &filter).await?;
    Ok((agenda.year, agenda.items().cloned().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_wrap_at_spaces_within_their_width() {
        assert_eq!(wrap("een twee drie", 8), vec!["een twee", "drie"]);
        assert_eq!(wrap("", 8), vec![String::new()]);
        let long = "Verbinden van positieve gezondheid, reablement en de herstelbeweging";
        assert!(
            wrap(long, LABEL_CHARS)
                .iter()
                .all(|l| l.chars().count() <= LABEL_CHARS)
        );
    }

    #[test]
    fn months_are_placed_in_their_columns() {
        assert_eq!(month_x(1), LABEL_WIDTH);
        assert_eq!(month_x(12) + MONTH_WIDTH, WIDTH);
    }
}
