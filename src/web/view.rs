//! What several pages share: names of areas, framework items and sources, and how statuses
//! look (a colour, a symbol and a word, never colour alone).

use crate::web::forms::Choice;
use std::collections::HashMap;

use crate::domain::{FactDate, FrameworkKind, RolloutStatus, Stage};
use crate::features::areas::model::AreaRow;
use crate::features::framework::model::FrameworkRow;
use crate::features::sources::model::SourceRow;
use crate::store::RecordField;
use crate::store::{Store, StoreError};

/// The small, slowly changing lists every page needs names from.
pub struct Catalog {
    pub areas: Vec<AreaRow>,
    pub framework: Vec<FrameworkRow>,
    sources: HashMap<String, SourceRow>,
    area_index: HashMap<String, usize>,
    item_index: HashMap<String, usize>,
}

impl Catalog {
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let areas = store.areas().await?;
        let framework = store.framework().await?;
        let sources = store
            .sources()
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let area_index = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let item_index = framework
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        Ok(Self {
            areas,
            framework,
            sources,
            area_index,
            item_index,
        })
    }

    pub fn area(&self, id: &str) -> Option<&AreaRow> {
        self.area_index.get(id).map(|i| &self.areas[*i])
    }

    pub fn area_name(&self, id: &str) -> String {
        self.area(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    pub fn region(&self) -> Option<&AreaRow> {
        self.areas.iter().find(|a| a.kind == "regio")
    }

    pub fn subregions(&self) -> impl Iterator<Item = &AreaRow> {
        self.areas.iter().filter(|a| a.kind == "subregio")
    }

    pub fn gemeenten(&self) -> impl Iterator<Item = &AreaRow> {
        self.areas.iter().filter(|a| a.kind == "gemeente")
    }

    pub fn gemeenten_of<'a>(&'a self, subregion: &'a str) -> impl Iterator<Item = &'a AreaRow> {
        self.gemeenten()
            .filter(move |g| g.parent_id.as_deref() == Some(subregion))
    }

    /// The subregio an area belongs to (itself for a subregio), or `None` for the region.
    pub fn subregion_of(&self, id: &str) -> Option<&AreaRow> {
        let area = self.area(id)?;
        match area.kind.as_str() {
            "subregio" => Some(area),
            "gemeente" => self.area(area.parent_id.as_deref()?),
            "wijk" => self.subregion_of(area.parent_id.as_deref()?),
            _ => None,
        }
    }

    /// Whether a gemeente lies in an area (the region, its subregio, or itself).
    pub fn covers(&self, area_id: &str, gemeente_id: &str) -> bool {
        match self.area(area_id).map(|a| a.kind.as_str()) {
            Some("regio") => true,
            Some("subregio") => {
                self.area(gemeente_id).and_then(|g| g.parent_id.as_deref()) == Some(area_id)
            }
            _ => area_id == gemeente_id,
        }
    }

    pub fn item(&self, id: &str) -> Option<&FrameworkRow> {
        self.item_index.get(id).map(|i| &self.framework[*i])
    }

    pub fn items(&self, kind: FrameworkKind) -> impl Iterator<Item = &FrameworkRow> {
        self.framework.iter().filter(move |f| f.kind == kind.code())
    }

    /// Every source, newest first and undated ones last (for the source choice in forms).
    pub fn source_list(&self) -> Vec<&SourceRow> {
        let mut list: Vec<_> = self.sources.values().collect();
        list.sort_by(|a, b| {
            let (a_date, b_date) = (stored_date(&a.date), stored_date(&b.date));
            (!a_date.is_known())
                .cmp(&!b_date.is_known())
                .then(b_date.cmp(&a_date))
                .then_with(|| a.title.cmp(&b.title))
        });
        list
    }

    /// The sources as choices of a form ("title (date)", newest first), after "no source"
    /// with its label.
    pub fn source_choices(&self, none: &str) -> Vec<Choice> {
        Choice::none_then(
            none,
            self.source_list()
                .into_iter()
                .map(|s| Choice::new(s.id.clone(), format!("{} ({})", s.title, date_nl(&s.date)))),
        )
    }

    /// A source's row by id.
    pub fn source_row(&self, id: &str) -> Option<&SourceRow> {
        self.sources.get(id)
    }

    pub fn has_source(&self, id: &str) -> bool {
        self.sources.contains_key(id)
    }

    pub fn source(&self, id: Option<&str>) -> Option<SourceView> {
        let s = self.sources.get(id?)?;
        Some(SourceView {
            id: s.id.clone(),
            title: s.title.clone(),
            date: date_nl(&s.date),
        })
    }
}

/// A stored date of a fact as Dutch words, as precisely as it was stored ("9 oktober 2025",
/// "2023", "najaar 2025"); a value that is no date is shown as it is.
pub fn date_nl(stored: &str) -> String {
    FactDate::parse(stored).map_or_else(|_| stored.to_owned(), FactDate::label_nl)
}

/// A stored date of a fact; one that does not read as a date sorts as unknown.
pub fn stored_date(stored: &str) -> FactDate {
    FactDate::from_stored(stored)
}

/// A fact on a page ("Frequentie": "Per kwartaal"), with the reason when its value is an
/// aanname.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    pub assumption: Option<String>,
}

/// The aannames of a record that its page does not show at a value (`shown`), as (label,
/// reason) in the order of the record's fields: the page lists them apart, so that no aanname
/// is hidden.
pub fn other_assumptions<F: RecordField>(
    assumptions: &std::collections::BTreeMap<String, String>,
    shown: &[F],
) -> Vec<(&'static str, String)> {
    F::ALL
        .iter()
        .filter(|f| !shown.contains(f))
        .filter_map(|f| Some((f.label(), assumptions.get(f.code())?.clone())))
        .collect()
}

/// "Bron: De Kracht van Samen, 5 september 2025", linking to the list of sources.
#[derive(Debug, Clone)]
pub struct SourceView {
    pub id: String,
    pub title: String,
    pub date: String,
}

/// How one rollout status looks: a class for the colour, a symbol and a word.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub code: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
}

impl StatusView {
    pub fn of(status: RolloutStatus) -> Self {
        Self {
            code: status.code(),
            label: status.label(),
            symbol: status.symbol(),
        }
    }

    pub fn from_code(code: &str) -> Self {
        RolloutStatus::parse(code).map_or_else(|_| Self::unknown(), Self::of)
    }

    /// No source says anything about this gemeente yet.
    pub fn unknown() -> Self {
        Self {
            code: "onbekend",
            label: "Onbekend",
            symbol: "?",
        }
    }

    /// The overview's word of a cell that follows its plan's stage.
    pub fn overview(word: crate::domain::Overview) -> Self {
        Self {
            code: word.code(),
            label: word.label(),
            symbol: word.symbol(),
        }
    }

    /// The words a cell that follows its plan can show, for the legend.
    pub fn plan_legend() -> Vec<Self> {
        use crate::domain::Overview;
        [
            Overview::Running,
            Overview::Planned,
            Overview::Embedded,
            Overview::Stopped,
            Overview::Unknown,
        ]
        .into_iter()
        .map(Self::overview)
        .collect()
    }

    /// Every status, for the legend.
    pub fn legend() -> Vec<Self> {
        let mut all: Vec<_> = RolloutStatus::ALL.iter().map(|s| Self::of(*s)).collect();
        all.push(Self::unknown());
        all
    }
}

pub fn stage_label(code: Option<&str>) -> String {
    match code {
        Some(c) => Stage::parse(c).map_or_else(|_| c.to_owned(), |s| s.label().to_owned()),
        None => "Niet vermeld".to_owned(),
    }
}

/// When a page was made, in Dutch time, for the line a printout starts with:
/// "6 december 2026, 20:15".
pub fn made_at() -> String {
    let now = jiff::Timestamp::now().to_zoned(crate::features::changes::pages::dutch_time());
    format!(
        "{}, {}",
        crate::domain::format_date_nl(now.date()),
        now.strftime("%H:%M")
    )
}
