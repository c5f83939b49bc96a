//! "Wat is er veranderd": every change between two dates, or since a meeting, grouped by
//! plan; printable, and as JSON. Also the change lines the plan, gemeente and organisation
//! pages show as their history.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use jiff::civil::Date;
use serde::Serialize;

use super::model::{AuditRow, AuditScope};
use crate::domain::{format_date_nl, parse_date};
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::forms::Choice;
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::Catalog;
use axum::response::IntoResponse;

pub fn routes() -> Routes {
    Routes::new()
        .get("/wijzigingen", page)
        .get("/api/v1/changes", json)
}

/// Dutch time: the days of the list and the moments on it are days and hours in Utrecht.
fn dutch_time() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The first moment of a Dutch day, written as the trail writes moments (UTC), so that
/// "9 oktober" means 9 October in Utrecht and not in Greenwich.
fn start_of(day: Date) -> String {
    day.to_zoned(dutch_time()).map_or_else(
        |_| day.to_string(),
        |z| z.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// A stored UTC moment as Dutch local time: "9 oktober 2025 14:05".
pub fn moment_nl(at: &str) -> String {
    let Ok(ts) = at.parse::<jiff::Timestamp>() else {
        return at.to_owned();
    };
    let local = ts.to_zoned(dutch_time());
    format!(
        "{} {}",
        format_date_nl(local.date()),
        local.strftime("%H:%M")
    )
}

/// The Dutch name of a field in the trail, as its record kind declares it; a code no kind
/// declares (written by a newer version) shows as itself.
pub fn field_label(record_type: &str, field: &str) -> String {
    super::model::field_label(record_type, field).map_or_else(|| field.to_owned(), str::to_owned)
}

/// One change as pages show it.
pub struct ChangeLine {
    pub moment: String,
    pub who: Option<String>,
    pub record: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub comment: Option<String>,
    pub source: Option<String>,
}

/// Turns trail rows into lines; internal notes and names are for signed-in readers only.
pub fn change_lines(rows: Vec<AuditRow>, viewer: &Viewer) -> Vec<ChangeLine> {
    rows.into_iter()
        .filter(|r| viewer.sees_internal() || r.field != "internal_note")
        .map(|r| ChangeLine {
            moment: moment_nl(&r.at),
            who: viewer
                .sees_internal()
                .then(|| r.actor.clone().unwrap_or_default()),
            record: r.record_label.clone(),
            field: field_label(&r.record_type, &r.field),
            old: r.old_value,
            new: r.new_value,
            comment: r.comment,
            source: r.source,
        })
        .collect()
}

#[derive(Debug, Default)]
pub struct ChangesQuery {
    /// YYYY-MM-DD, inclusive
    van: String,
    /// YYYY-MM-DD, inclusive
    tot: String,
    /// A source (meeting) whose date is the start.
    sinds: String,
    /// "1" to include what imports created.
    import: String,
    paging: Paging,
    /// The query without paging, for the page links.
    pairs: Vec<(String, String)>,
}

impl ChangesQuery {
    fn parse(pairs: &[(String, String)]) -> Result<Self, WebError> {
        let (paging, pairs) = Paging::split(pairs)?;
        let mut q = Self {
            paging,
            ..Self::default()
        };
        for (key, value) in &pairs {
            match key.as_str() {
                "van" => q.van = value.clone(),
                "tot" => q.tot = value.clone(),
                "sinds" => q.sinds = value.clone(),
                "import" => q.import = value.clone(),
                _ => {}
            }
        }
        q.pairs = pairs;
        Ok(q)
    }
}

/// The period asked for: (from, until exclusive, description).
fn period(q: &ChangesQuery, catalog: &Catalog) -> Result<(Date, Date, String), WebError> {
    let today = jiff::Timestamp::now().to_zoned(dutch_time()).date();
    let until = if q.tot.trim().is_empty() {
        today
    } else {
        parse_date(&q.tot).map_err(|e| WebError::BadRequest(format!("Tot en met: {e}.")))?
    };
    let (from, what) = if !q.sinds.trim().is_empty() {
        let source = catalog.source(Some(q.sinds.trim())).ok_or_else(|| {
            WebError::BadRequest(format!(
                "Sinds: er is geen bron of overleg \"{}\"; kies er een uit de lijst.",
                q.sinds.trim()
            ))
        })?;
        let date = catalog
            .source_list()
            .into_iter()
            .find(|s| s.id == q.sinds.trim())
            .and_then(|s| crate::web::view::stored_date(&s.date).start())
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "Sinds: de bron \"{}\" heeft geen bekende datum; kies een bron of overleg met een datum, of vul een begindatum in.",
                    source.title
                ))
            })?;
        (date, format!("sinds {} ({})", source.title, source.date))
    } else if !q.van.trim().is_empty() {
        let from = parse_date(&q.van).map_err(|e| WebError::BadRequest(format!("Vanaf: {e}.")))?;
        (from, String::new())
    } else {
        (
            today.saturating_sub(jiff::Span::new().days(30)),
            String::new(),
        )
    };
    if from > until {
        return Err(WebError::BadRequest(
            "Vanaf ligt na tot en met; kies een begindatum vóór de einddatum.".into(),
        ));
    }
    let what = if what.is_empty() {
        format!(
            "van {} tot en met {}",
            format_date_nl(from),
            format_date_nl(until)
        )
    } else {
        format!("{what} tot en met {}", format_date_nl(until))
    };
    Ok((from, until.tomorrow().unwrap_or(until), what))
}

pub struct PlanChanges {
    pub plan_id: String,
    pub plan_name: String,
    pub lines: Vec<ChangeLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
pub struct ChangesPage {
    pub nav: &'static str,
    pub what: String,
    pub van: String,
    pub tot: String,
    pub sinds: String,
    pub import: bool,
    pub meetings: Vec<Choice>,
    pub plans: Vec<PlanChanges>,
    pub other: Vec<ChangeLine>,
    pub total: usize,
    pub pages: PageNav,
}

/// What `load` found: the catalog, one page of changes, their period and how many in all.
struct Loaded {
    catalog: Catalog,
    rows: Vec<AuditRow>,
    total: usize,
    from: Date,
    until: Date,
    what: String,
}

async fn load(state: &AppState, q: &ChangesQuery) -> Result<Loaded, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let (from, until, what) = period(q, &catalog)?;
    let (rows, total) = state
        .store
        .changes_between(&start_of(from), &start_of(until), q.import == "1", q.paging)
        .await?;
    Ok(Loaded {
        catalog,
        rows,
        total,
        from,
        until,
        what,
    })
}

/// Changes of one plan: (plan id, plan name, rows).
type PlanGroup = (String, String, Vec<AuditRow>);

fn group(rows: Vec<AuditRow>) -> (Vec<PlanGroup>, Vec<AuditRow>) {
    let mut plans: Vec<PlanGroup> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut other = Vec::new();
    for r in rows {
        match r.plan_id.clone() {
            Some(pid) => {
                let label = if r.record_type == "plan" {
                    r.record_label.clone()
                } else {
                    String::new()
                };
                match index.get(&pid).and_then(|&i| plans.get_mut(i)) {
                    Some(g) => {
                        if g.1.is_empty() {
                            g.1 = label;
                        }
                        g.2.push(r);
                    }
                    None => {
                        index.insert(pid.clone(), plans.len());
                        plans.push((pid, label, vec![r]));
                    }
                }
            }
            None => other.push(r),
        }
    }
    (plans, other)
}

/// The current name of every plan, archived ones included: a group of changes is headed by
/// the plan's name even when only its rollouts changed.
async fn plan_names(
    state: &AppState,
) -> Result<std::collections::HashMap<String, String>, WebError> {
    let all = crate::features::plans::model::PlanFilter {
        include_archived: true,
        ..Default::default()
    };
    Ok(state
        .store
        .plans(&all)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ChangesPage, WebError> {
    let q = ChangesQuery::parse(&pairs)?;
    let Loaded {
        catalog,
        rows,
        total,
        from,
        until,
        what,
    } = load(&state, &q).await?;
    let pages = PageNav::new("/wijzigingen", &q.pairs, q.paging, total);
    let (groups, other) = group(rows);
    let names = plan_names(&state).await?;
    let plans = groups
        .into_iter()
        .map(|(id, label, rows)| PlanChanges {
            plan_name: names.get(&id).cloned().unwrap_or(label),
            plan_id: id,
            lines: change_lines(rows, &viewer),
        })
        .collect();
    let meetings = catalog.source_choices("Geen: gebruik de datums");
    Ok(ChangesPage {
        nav: "wijzigingen",
        what,
        van: from.to_string(),
        tot: until.yesterday().unwrap_or(until).to_string(),
        sinds: q.sinds.trim().to_owned(),
        import: q.import == "1",
        meetings,
        plans,
        other: change_lines(other, &viewer),
        total,
        pages,
    })
}

/// The changes of one plan in the JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanChangesJson {
    pub plan_id: String,
    pub plan_name: String,
    pub changes: Vec<AuditRow>,
}

/// The JSON answer of `/api/v1/changes`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangesJson {
    /// First day, YYYY-MM-DD
    pub from: String,
    /// Last day (inclusive), YYYY-MM-DD
    pub until: String,
    /// Changes grouped by plan, in the order of their first change.
    pub plans: Vec<PlanChangesJson>,
    /// Changes to organisations, areas and the framework.
    pub other: Vec<AuditRow>,
}

fn redact(mut rows: Vec<AuditRow>, viewer: &Viewer) -> Vec<AuditRow> {
    if !viewer.sees_internal() {
        rows.retain(|r| r.field != "internal_note");
        for r in &mut rows {
            r.actor = None;
        }
    }
    rows
}

/// Everything that changed between two dates (`van`, `tot`, both inclusive) or since a
/// meeting (`sinds` = source id), grouped by plan. Who made a change is only included for
/// signed-in callers.
#[utoipa::path(
    get,
    path = "/api/v1/changes",
    params(
        ("van" = Option<String>, Query, description = "Eerste dag, JJJJ-MM-DD (standaard: 30 dagen geleden)"),
        ("tot" = Option<String>, Query, description = "Laatste dag, JJJJ-MM-DD (standaard: vandaag)"),
        ("sinds" = Option<String>, Query, description = "Id van een bron of overleg; de datum daarvan is de eerste dag"),
        ("import" = Option<String>, Query, description = "1 om ook wat imports aanmaakten mee te nemen"),
        ("pagina" = Option<usize>, Query, description = "Paginanummer vanaf 1; de kopregel Link noemt de volgende pagina, X-Total-Count het aantal wijzigingen"),
        ("per_pagina" = Option<usize>, Query, description = "Wijzigingen per pagina, 1 tot en met 1000 (standaard 200)")
    ),
    responses(
        (status = 200, body = ChangesJson),
        (status = 400, body = crate::web::error::ApiErrorBody)
    )
)]
pub async fn json(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, ApiError> {
    let q = ChangesQuery::parse(&pairs)?;
    let Loaded {
        rows,
        total,
        from,
        until,
        ..
    } = load(&state, &q).await?;
    let nav = PageNav::new("/api/v1/changes", &q.pairs, q.paging, total);
    let (groups, other) = group(rows);
    let names = plan_names(&state).await?;
    let mut response = Json(ChangesJson {
        from: from.to_string(),
        until: until.yesterday().unwrap_or(until).to_string(),
        plans: groups
            .into_iter()
            .map(|(plan_id, label, rows)| PlanChangesJson {
                plan_name: names.get(&plan_id).cloned().unwrap_or(label),
                plan_id,
                changes: redact(rows, &viewer),
            })
            .collect(),
        other: redact(other, &viewer),
    })
    .into_response();
    nav.set_headers(&mut response);
    Ok(response)
}

/// "Anna de Vries, 9 oktober 2025 14:05": the last change to one record, for the conflict
/// message. The scope's trail may hold other records too (a gemeente's holds its rollouts).
pub async fn last_change(
    state: &AppState,
    scope: AuditScope<'_>,
    record_type: &str,
    record_id: &str,
) -> Result<Option<String>, WebError> {
    Ok(state
        .store
        .audit_for(scope, 100)
        .await?
        .into_iter()
        .find(|a| a.record_type == record_type && a.record_id == record_id)
        .map(|a| format!("{}, {}", a.actor.unwrap_or_default(), moment_nl(&a.at))))
}
