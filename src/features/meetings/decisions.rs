//! The besluitenlijst: every besluit of every meeting, filtered by body, plan and period, as a
//! page and as CSV or Excel. Visitors see the besluiten of meetings whose verslag is
//! vastgesteld.

use std::collections::{HashMap, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::civil::Date;

use super::model::{DecisionKey, DecisionRow};
use crate::domain::{MeetingStatus, Stage, parse_date};
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::forms::Choice;
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::date_nl;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/decisions", api_list)
        .get("/besluiten", page)
        .get("/besluiten.csv", download_list)
        .get("/besluiten.xlsx", download_list)
}

/// The filter of the list: a body, a plan and a period (both days included).
#[derive(Debug, Clone, Default)]
struct Filter {
    body: String,
    plan: String,
    from: Option<Date>,
    until: Option<Date>,
}

impl Filter {
    fn parse(pairs: &[(String, String)]) -> Result<Self, WebError> {
        let mut f = Self::default();
        let day = |key: &str, label: &str, value: &str| -> Result<Option<Date>, WebError> {
            let value = value.trim();
            if value.is_empty() {
                return Ok(None);
            }
            parse_date(value)
                .map(Some)
                .map_err(|e| WebError::BadRequest(format!("{label} ({key}): {e}.")))
        };
        for (k, v) in pairs {
            match k.as_str() {
                "overleg" => f.body = v.trim().to_owned(),
                "plan" => f.plan = v.trim().to_owned(),
                "van" => f.from = day("van", "Vanaf", v)?,
                "tot" => f.until = day("tot", "Tot en met", v)?,
                _ => {}
            }
        }
        Ok(f)
    }

    fn keeps(&self, d: &DecisionRow, plans: &[String]) -> bool {
        let day: Option<Date> = d.starts_on.parse().ok();
        (self.body.is_empty() || d.body_id == self.body)
            && (self.plan.is_empty() || plans.contains(&self.plan))
            && self.from.is_none_or(|f| day.is_some_and(|d| d >= f))
            && self.until.is_none_or(|u| day.is_some_and(|d| d <= u))
    }
}

/// One besluit as the list shows it.
pub struct DecisionLine {
    pub meeting_id: String,
    pub day: String,
    pub starts_on: String,
    pub body: String,
    pub number: i64,
    pub item: String,
    pub text: String,
    /// The plans it is about: (id, name).
    pub plans: Vec<(String, String)>,
    /// A besluit about a plan's stage: the stage it decided.
    pub stage: Option<&'static str>,
    /// The besluit that withdrew this one, and its meeting and item in words.
    pub withdrawn_by: Option<(DecisionKey, String)>,
    /// The besluit this one withdraws, and its meeting and item in words.
    pub withdraws: Option<(DecisionKey, String)>,
    pub key: DecisionKey,
    pub body_id: String,
    pub stage_code: Option<String>,
}

/// The besluiten the viewer may see that the filter keeps.
async fn lines(
    state: &AppState,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<(Vec<DecisionLine>, Vec<Choice>), WebError> {
    let (rows, item_plans) = state.store.decisions().await?;
    let mut about: HashMap<(String, i64), Vec<String>> = HashMap::new();
    for (meeting, number, plan) in item_plans {
        about.entry((meeting, number)).or_default().push(plan);
    }
    let names: HashMap<String, String> = state.store.plan_names().await?.into_iter().collect();
    let internal = viewer.is_signed_in();
    let visible_to_viewer = |d: &DecisionRow| {
        MeetingStatus::parse(&d.status).is_ok_and(|s| s.outcomes_visible_to(internal))
    };
    let words = |d: &DecisionRow| {
        format!(
            "{} {}, agendapunt {}",
            d.body_name,
            date_nl(&d.starts_on),
            d.number
        )
    };
    let mut withdrawn_by: HashMap<DecisionKey, (DecisionKey, String)> = HashMap::new();
    let mut withdraws: HashMap<DecisionKey, (DecisionKey, String)> = HashMap::new();
    for d in rows.iter().filter(|d| visible_to_viewer(d)) {
        if let Some(target) = d.withdraws() {
            if let Some(t) = rows
                .iter()
                .find(|t| t.key() == target && visible_to_viewer(t))
            {
                withdraws.insert(d.key(), (t.key(), words(t)));
            }
            withdrawn_by.insert(target, (d.key(), words(d)));
        }
    }
    let mut seen_plans: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for d in rows {
        if !visible_to_viewer(&d) {
            continue;
        }
        let mut plans = about
            .get(&(d.meeting_id.clone(), d.number))
            .cloned()
            .unwrap_or_default();
        if let Some(p) = d.plan_id.as_ref().filter(|p| !plans.contains(p)) {
            plans.push(p.clone());
        }
        seen_plans.extend(plans.iter().cloned());
        if !filter.keeps(&d, &plans) {
            continue;
        }
        out.push(DecisionLine {
            withdrawn_by: withdrawn_by.remove(&d.key()),
            withdraws: withdraws.remove(&d.key()),
            key: d.key(),
            body_id: d.body_id.clone(),
            stage_code: d.stage.clone(),
            day: date_nl(&d.starts_on),
            plans: plans
                .into_iter()
                .map(|p| {
                    let name = names.get(&p).cloned().unwrap_or_else(|| p.clone());
                    (p, name)
                })
                .collect(),
            stage: d
                .stage
                .as_deref()
                .and_then(|s| Stage::parse(s).ok())
                .map(Stage::label),
            meeting_id: d.meeting_id,
            starts_on: d.starts_on,
            body: d.body_name,
            number: d.number,
            item: d.item_title,
            text: d.text,
        });
    }
    let mut plan_choices: Vec<Choice> = seen_plans
        .into_iter()
        .map(|p| {
            let name = names.get(&p).cloned().unwrap_or_else(|| p.clone());
            Choice::new(p, name)
        })
        .collect();
    plan_choices.sort_by(|a, b| a.label.cmp(&b.label));
    Ok((out, Choice::none_then("Alle plannen", plan_choices)))
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/decisions.html")]
pub struct DecisionsPage {
    pub nav: &'static str,
    pub lines: Vec<DecisionLine>,
    pub total: usize,
    pub pages: PageNav,
    pub bodies: Vec<Choice>,
    pub plans: Vec<Choice>,
    pub body: String,
    pub plan: String,
    pub van: String,
    pub tot: String,
    pub filter_words: String,
    pub downloads: download::Links,
    pub internal: bool,
}

async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<DecisionsPage, WebError> {
    let (paging, rest) = Paging::split(&pairs)?;
    let filter = Filter::parse(&rest)?;
    let (all, plans) = lines(&state, &viewer, &filter).await?;
    let bodies_all = state.store.bodies().await?;
    let body_name = bodies_all
        .iter()
        .find(|b| b.id == filter.body)
        .map(|b| b.name.clone());
    let plan_name = plans
        .iter()
        .find(|c| !c.value.is_empty() && c.value == filter.plan)
        .map(|c| c.label.clone());
    let mut words = Vec::new();
    if let Some(b) = body_name {
        words.push(format!("overleg {b}"));
    }
    if let Some(p) = plan_name {
        words.push(format!("plan {p}"));
    }
    if let Some(f) = filter.from {
        words.push(format!("vanaf {}", date_nl(&f.to_string())));
    }
    if let Some(u) = filter.until {
        words.push(format!("tot en met {}", date_nl(&u.to_string())));
    }
    let filter_words = if words.is_empty() {
        "alle besluiten".to_owned()
    } else {
        words.join(", ")
    };
    let total = all.len();
    let pages = PageNav::new("/besluiten", &rest, paging, total);
    Ok(DecisionsPage {
        nav: "overleggen",
        lines: paging.slice(all),
        total,
        pages,
        bodies: Choice::none_then(
            "Alle overleggen",
            bodies_all.into_iter().map(|b| Choice::new(b.id, b.name)),
        ),
        plans,
        body: filter.body.clone(),
        plan: filter.plan.clone(),
        van: filter.from.map(|d| d.to_string()).unwrap_or_default(),
        tot: filter.until.map(|d| d.to_string()).unwrap_or_default(),
        downloads: download::Links::new("/besluiten", &rest)
            .with_note("de besluiten, met het filter hierboven"),
        filter_words,
        internal: viewer.is_signed_in(),
    })
}

async fn download_list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
    format: download::Format,
) -> Result<Response, WebError> {
    let (_, rest) = Paging::split(&pairs)?;
    let filter = Filter::parse(&rest)?;
    let (all, _) = lines(&state, &viewer, &filter).await?;
    let rows: Vec<Vec<Cell>> = all
        .into_iter()
        .map(|d| {
            vec![
                Cell::fact_date(&d.starts_on),
                Cell::text(d.body),
                Cell::count(usize::try_from(d.number).unwrap_or_default()),
                Cell::text(d.item),
                Cell::text(d.text),
                Cell::text(
                    d.plans
                        .iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::optional(d.stage),
                Cell::optional(d.withdraws.map(|(_, w)| w)),
                Cell::optional(d.withdrawn_by.map(|(_, w)| w)),
                Cell::text(format!("/vergaderingen/{}", d.meeting_id)),
            ]
        })
        .collect();
    let mut rows = Some(rows);
    let table = download::Table::new(
        "besluiten".to_owned(),
        "Besluiten",
        vec![
            "Datum",
            "Overleg",
            "Agendapunt",
            "Titel van het agendapunt",
            "Besluit",
            "Plannen",
            "Nieuwe fase",
            "Trekt in",
            "Ingetrokken door",
            "Vergadering",
        ],
    );
    Ok(table.download(format, move |_| std::future::ready(Ok(rows.take()))))
}

/// A besluit in the API: where it was taken, what it says, the plans it is about, the stage it
/// set, and what it withdraws or what withdrew it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionOut {
    pub meeting_id: String,
    /// YYYY-MM-DD
    pub day: String,
    pub body_id: String,
    pub number: i64,
    pub position: i64,
    pub item_title: String,
    pub text: String,
    /// The ids of the plans it is about.
    pub plans: Vec<String>,
    /// A besluit about a plan's stage: the stage it set (code).
    pub stage: Option<String>,
    pub withdraws: Option<DecisionKey>,
    pub withdrawn_by: Option<DecisionKey>,
}

/// Every besluit the viewer may see (a visitor: those of meetings whose verslag is
/// vastgesteld), the latest meeting first; filtered like the besluitenlijst.
#[utoipa::path(get, path = "/api/v1/decisions", params(
    ("overleg" = Option<String>, Query, description = "Alleen de besluiten van dit overleg"),
    ("plan" = Option<String>, Query, description = "Alleen de besluiten over dit plan"),
    ("van" = Option<String>, Query, description = "Vanaf deze dag (JJJJ-MM-DD)"),
    ("tot" = Option<String>, Query, description = "Tot en met deze dag (JJJJ-MM-DD)"),
), responses((status = 200, body = [DecisionOut]), (status = 400, body = crate::web::error::ApiErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, crate::web::error::ApiError> {
    let (_, rest) = Paging::split(&pairs)?;
    let filter = Filter::parse(&rest)?;
    let (all, _) = lines(&state, &viewer, &filter).await?;
    let out: Vec<DecisionOut> = all
        .into_iter()
        .map(|d| DecisionOut {
            day: d.starts_on,
            body_id: d.body_id,
            number: d.number,
            position: d.key.position,
            item_title: d.item,
            text: d.text,
            plans: d.plans.into_iter().map(|(id, _)| id).collect(),
            stage: d.stage_code,
            withdraws: d.withdraws.map(|(k, _)| k),
            withdrawn_by: d.withdrawn_by.map(|(k, _)| k),
            meeting_id: d.meeting_id,
        })
        .collect();
    let path = "/api/v1/decisions";
    Ok(crate::web::paging::json_page(path, &pairs, out)?)
}
