//! Reading a portfolio folder (docs/portfolio-format.md): the demo data and a region's own
//! files go through the same code. Everything is checked before anything is stored, and
//! every problem is reported with its file, line or record and what to fix.

mod check;
mod files;
mod lines;
pub mod observations;

use std::fmt;
use std::path::Path;

pub use crate::features::indicators::model::IndicatorFields;
pub use crate::features::plans::model::{PlanFields, PlanTexts};

use crate::domain::{
    AreaKind, EscalationLevel, FactDate, FrameworkKind, OrganisationKind, RolloutStatus, Stage,
};

/// The demo data set, built into the binary from `data/demo/`.
pub static DEMO: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/data/demo");

/// The files of one portfolio, by name.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    files: Vec<(String, String)>,
}

impl Bundle {
    pub fn demo() -> Self {
        let mut files: Vec<_> = DEMO
            .files()
            .filter_map(|f| {
                let name = f.path().file_name()?.to_str()?.to_owned();
                Some((name, f.contents_utf8()?.to_owned()))
            })
            .collect();
        files.sort();
        Self { files }
    }

    /// Reads every `.toml` and `.csv` file of a folder.
    pub fn from_dir(dir: &Path) -> Result<Self, Problems> {
        let io_problem =
            |message: String| Problems(vec![Problem::file(dir.display().to_string(), message)]);
        let entries = std::fs::read_dir(dir)
            .map_err(|e| io_problem(format!("de map kan niet worden gelezen: {e}")))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| io_problem(format!("de map kan niet worden gelezen: {e}")))?
                .path();
            let is_data = path.extension().is_some_and(|e| e == "toml" || e == "csv");
            if !is_data {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Problems(vec![Problem::file(
                    name.clone(),
                    format!("het bestand kan niet worden gelezen als UTF-8-tekst: {e}"),
                )])
            })?;
            files.push((name, text));
        }
        files.sort();
        Ok(Self { files })
    }

    /// Replaces or adds one file (used by tests to break a single file).
    pub fn with_file(mut self, name: &str, text: impl Into<String>) -> Self {
        self.files.retain(|(n, _)| n != name);
        self.files.push((name.to_owned(), text.into()));
        self.files.sort();
        self
    }

    pub fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }

    /// Checks every file and returns the portfolio, or every problem found.
    pub fn check(&self) -> Result<Portfolio, Problems> {
        check::check(&self.files)
    }
}

/// One thing wrong in the input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    /// The record, e.g. `plan "kansrijke-start"`.
    pub record: Option<String>,
    pub message: String,
}

impl Problem {
    fn file(file: String, message: String) -> Self {
        Self {
            file,
            line: None,
            record: None,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", regel {line}")?;
        }
        if let Some(record) = &self.record {
            write!(f, " ({record})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems of one load; nothing is stored while there are any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} {} gevonden; er is niets opgeslagen:",
            if n == 1 { "probleem" } else { "problemen" }
        )?;
        for p in &self.0 {
            writeln!(f, "- {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

// The checked portfolio, ready to store. Ids are checked slugs (or CBS codes for gemeenten),
// and every reference points at a record of the same portfolio.

#[derive(Debug, Clone)]
pub struct Portfolio {
    pub sources: Vec<Source>,
    /// Parents before children: regio, subregio's, gemeenten, wijken.
    pub areas: Vec<Area>,
    pub framework: Vec<FrameworkItem>,
    /// (transformation id, principle id)
    pub transformation_principles: Vec<(String, String)>,
    pub funding_sources: Vec<FundingSource>,
    pub organisations: Vec<Organisation>,
    pub bodies: Vec<Body>,
    pub plans: Vec<Plan>,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub date: FactDate,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub kind: AreaKind,
    pub name: String,
    pub parent_id: Option<String>,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FrameworkItem {
    pub id: String,
    pub kind: FrameworkKind,
    pub number: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FundingSource {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: Option<crate::domain::FundingKind>,
}

#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
}

/// A KPI of the portfolio, checked: a quantitative one has a direction, a narrative one none.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub fields: IndicatorFields,
    pub assumptions: Vec<Assumption>,
}

/// A field whose value is a reasoned choice the documents do not state ("aanname"): the
/// field's code (as its record's field declaration names it) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumption {
    pub field: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Body {
    pub id: String,
    pub name: String,
    pub level: AreaKind,
    /// Its kind (werkgroep, kernteam, regiegroep, bbo), when it is one of those.
    pub kind: Option<EscalationLevel>,
    /// The body an action here escalates to, and the reason when that is an aanname.
    pub escalates_to: Option<String>,
    pub escalates_assumption: Option<String>,
    pub area_id: Option<String>,
    pub description: Option<String>,
    pub source_id: Option<String>,
}

/// A plan as the files give it: the fields a form edits (no internal note: files are
/// public), its first stage and its history, cells and milestones.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: String,
    pub fields: PlanFields,
    pub assumptions: Vec<Assumption>,
    pub stage: Option<Stage>,
    pub rollouts: Vec<Rollout>,
    pub history: Vec<StageChange>,
    pub milestones: Vec<Milestone>,
    pub budgets: Vec<crate::features::finance::model::BudgetFields>,
    pub capacities: Vec<crate::features::finance::model::CapacityFields>,
}

#[derive(Debug, Clone)]
pub struct Rollout {
    pub gemeente_id: String,
    pub status: RolloutStatus,
    pub district_id: Option<String>,
    pub note: Option<String>,
    pub date: FactDate,
    pub source_id: Option<String>,
    /// Why this cell is an aanname, when it is one.
    pub assumption: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StageChange {
    pub date: FactDate,
    pub stage: Stage,
    pub note: Option<String>,
    pub source_id: Option<String>,
    /// Why this step is an aanname, when it is one.
    pub assumption: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub title: String,
    /// [`FactDate::Unknown`] when the source gives no time.
    pub period: FactDate,
    pub theme_id: Option<String>,
    pub note: Option<String>,
    pub source_id: Option<String>,
    pub status: crate::domain::MilestoneStatus,
    /// When the status took effect ([`FactDate::Unknown`] when the file does not say).
    pub status_date: FactDate,
    pub status_source_id: Option<String>,
    pub assumption: Option<String>,
}
