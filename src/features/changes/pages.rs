//! "Wat is er veranderd": every change between two dates, or since a meeting, grouped by
//! plan; printable, and as JSON. Also the change lines the plan, gemeente and organisation
//! pages show as their history.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use jiff::civil::Date;
use serde::Serialize;

use super::effective::{
    Change, ChangeKind, PlanChanges, Window, by_plan, edit_changes, rollout_changes, stage_changes,
};
use super::model::{AuditRow, AuditScope};
use crate::domain::{format_date_nl, parse_date};
use crate::features::dashboard::overview::Peildatum;
use crate::web::AppState;
use crate::web::download::{self, Cell};
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
        .get("/wijzigingen.csv", download_changes)
        .get("/wijzigingen.xlsx", download_changes)
        .get("/api/v1/changes", json)
}

/// Dutch time: the days of the list and the moments on it are days and hours in Utrecht.
pub(crate) fn dutch_time() -> jiff::tz::TimeZone {
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
    /// The portfolio as known on this day: the end of the period, and nothing recorded later.
    peildatum: Peildatum,
    paging: Paging,
    /// The query without paging, for the page links.
    pairs: Vec<(String, String)>,
}

impl ChangesQuery {
    fn parse(pairs: &[(String, String)]) -> Result<Self, WebError> {
        let (paging, pairs) = Paging::split(pairs)?;
        let (peildatum, _) = Peildatum::split(&pairs)?;
        let mut q = Self {
            paging,
            peildatum,
            ..Self::default()
        };
        for (key, value) in &pairs {
            match key.as_str() {
                "van" => q.van = value.clone(),
                "tot" => q.tot = value.clone(),
                "sinds" => q.sinds = value.clone(),
                _ => {}
            }
        }
        q.pairs = pairs;
        Ok(q)
    }
}

/// The period asked for: (from, until inclusive, description).
/// A meeting to start from: (id, day, "de vergadering van ...").
type MeetingStart = (String, Date, String);

/// Every meeting with a known day, as a start for "since".
async fn meeting_starts(state: &AppState) -> Result<Vec<MeetingStart>, WebError> {
    let bodies: std::collections::HashMap<String, String> = state
        .store
        .bodies()
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    Ok(state
        .store
        .meetings()
        .await?
        .into_iter()
        .filter_map(|m| {
            let day = m.day()?;
            let body = bodies.get(&m.body_id).cloned().unwrap_or_default();
            Some((
                m.id,
                day,
                format!("de vergadering {body} van {}", format_date_nl(day)),
            ))
        })
        .collect())
}

fn period(
    q: &ChangesQuery,
    catalog: &Catalog,
    meetings: &[MeetingStart],
) -> Result<(Date, Date, String), WebError> {
    let today = jiff::Timestamp::now().to_zoned(dutch_time()).date();
    let until = if !q.tot.trim().is_empty() {
        parse_date(&q.tot).map_err(|e| WebError::BadRequest(format!("Tot en met: {e}.")))?
    } else {
        q.peildatum.0.unwrap_or(today)
    };
    let meeting = meetings.iter().find(|(id, _, _)| id == q.sinds.trim());
    let (from, what) = if let Some((_, day, name)) = meeting {
        (*day, format!("sinds {name}"))
    } else if !q.sinds.trim().is_empty() {
        let source = catalog.source(Some(q.sinds.trim())).ok_or_else(|| {
            WebError::BadRequest(format!(
                "Sinds: er is geen bron of vergadering \"{}\"; kies er een uit de lijst.",
                q.sinds.trim()
            ))
        })?;
        let date = catalog
            .source_row(q.sinds.trim())
            .and_then(|s| crate::web::view::stored_date(&s.date).start())
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "Sinds: de bron \"{}\" heeft geen bekende datum; kies een bron of vergadering met een datum, of vul een begindatum in.",
                    source.title
                ))
            })?;
        (date, format!("sinds {} ({})", source.title, source.date))
    } else if !q.van.trim().is_empty() {
        let from = parse_date(&q.van).map_err(|e| WebError::BadRequest(format!("Vanaf: {e}.")))?;
        (from, String::new())
    } else {
        (
            until.saturating_sub(jiff::Span::new().days(30)),
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
    Ok((from, until, what))
}

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
pub struct ChangesPage {
    pub nav: &'static str,
    pub what: String,
    pub van: String,
    pub tot: String,
    pub sinds: String,
    pub peildatum: Peildatum,
    pub meetings: Vec<Choice>,
    pub plans: Vec<PlanChanges>,
    pub other: Vec<Change>,
    pub total: usize,
    pub pages: PageNav,
    /// Whether the "wie" column is shown.
    pub show_actor: bool,
    /// Every change on every page as a file.
    pub downloads: download::Links,
}

/// What `load` found: the changes grouped by plan (one page of them, or all), the rest, the
/// period and the count.
struct Loaded {
    catalog: std::sync::Arc<Catalog>,
    plans: Vec<PlanChanges>,
    other: Vec<Change>,
    total: usize,
    from: Date,
    until: Date,
    what: String,
}

/// One page of the changes `q` asks for.
async fn load(state: &AppState, q: &ChangesQuery, viewer: &Viewer) -> Result<Loaded, WebError> {
    let mut loaded = load_all(state, q, viewer).await?;
    let (plans, other) = page_of(loaded.plans, loaded.other, q.paging);
    loaded.plans = plans;
    loaded.other = other;
    Ok(loaded)
}

/// Every change `q` asks for, on all pages.
async fn load_all(state: &AppState, q: &ChangesQuery, viewer: &Viewer) -> Result<Loaded, WebError> {
    let catalog = state.catalog(state.data_version().await).await?;
    let meetings = meeting_starts(state).await?;
    let (from, until, what) = period(q, &catalog, &meetings)?;
    let window = Window {
        from,
        until,
        known_on: q.peildatum.0,
    };
    // The sources dated in the period recorded their steps then.
    let sources: Vec<String> = catalog
        .source_list()
        .into_iter()
        .filter(|s| {
            crate::web::view::stored_date(&s.date)
                .interval()
                .is_some_and(|(_, end)| end >= from && end <= until)
        })
        .map(|s| s.id.clone())
        .collect();
    let (stage_steps, rollout_steps) = state
        .store
        .steps_touching(&from.to_string(), &start_of(from), &sources)
        .await?;
    // A save took effect when it was made: as known on a peildatum, none after it.
    let last_day = q.peildatum.0.map_or(until, |p| p.min(until));
    let edits = state
        .store
        .edits_between(
            &start_of(from),
            &start_of(last_day.tomorrow().unwrap_or(last_day)),
        )
        .await?;
    let edits: Vec<AuditRow> = edits
        .into_iter()
        .filter(|r| viewer.sees_internal() || r.field != "internal_note")
        .collect();
    let mut changes = stage_changes(&stage_steps, &window, &catalog);
    changes.extend(rollout_changes(&rollout_steps, &window, &catalog));
    changes.extend(edit_changes(edits, viewer.sees_internal()));
    let names = plan_names(state, &changes).await?;
    let (plans, other) = by_plan(changes, &names);
    let total = plans.iter().map(|p| p.changes.len()).sum::<usize>() + other.len();
    Ok(Loaded {
        catalog,
        plans,
        other,
        total,
        from,
        until,
        what,
    })
}

/// One page of the changes, counted a change at a time, keeping the plan groups.
fn page_of(
    plans: Vec<PlanChanges>,
    other: Vec<Change>,
    paging: Paging,
) -> (Vec<PlanChanges>, Vec<Change>) {
    let (limit, offset) = paging.limit_offset();
    let (limit, offset) = (
        usize::try_from(limit).unwrap_or(usize::MAX),
        usize::try_from(offset).unwrap_or(0),
    );
    let mut seen = 0usize;
    let mut take = |n: usize| -> (usize, usize) {
        let start = offset.saturating_sub(seen).min(n);
        let end = (offset + limit).saturating_sub(seen).min(n);
        seen += n;
        (start, end.max(start))
    };
    let mut paged = Vec::new();
    for mut p in plans {
        let (a, b) = take(p.changes.len());
        if a < b {
            p.changes = p.changes.drain(a..b).collect();
            paged.push(p);
        }
    }
    let (a, b) = take(other.len());
    let other = other.into_iter().skip(a).take(b - a).collect();
    (paged, other)
}

/// The current name of every plan with a change, archived ones included: a group of changes
/// is headed by the plan's name even when only its rollouts changed.
async fn plan_names(
    state: &AppState,
    changes: &[Change],
) -> Result<std::collections::HashMap<String, String>, WebError> {
    let mut ids: Vec<String> = changes.iter().filter_map(|c| c.plan_id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(state
        .store
        .names_of_plans(&ids)
        .await?
        .into_iter()
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
        plans,
        other,
        total,
        from,
        until,
        what,
    } = load(&state, &q, &viewer).await?;
    let pages = PageNav::new("/wijzigingen", &q.pairs, q.paging, total);
    // The meetings that took place (the latest first), then the sources.
    let today = jiff::Timestamp::now().to_zoned(dutch_time()).date();
    let mut held: Vec<MeetingStart> = meeting_starts(&state)
        .await?
        .into_iter()
        .filter(|(_, day, _)| *day <= today)
        .collect();
    held.sort_by_key(|m| std::cmp::Reverse(m.1));
    let mut meetings = catalog.source_choices("Geen: gebruik de datums");
    let sources = meetings.split_off(1);
    meetings.extend(held.into_iter().map(|(id, _, name)| {
        let mut label = name;
        label.replace_range(..1, "D");
        Choice::new(id, label)
    }));
    meetings.extend(sources);
    Ok(ChangesPage {
        nav: "wijzigingen",
        what,
        van: from.to_string(),
        tot: until.to_string(),
        sinds: q.sinds.trim().to_owned(),
        peildatum: q.peildatum,
        meetings,
        plans,
        other,
        total,
        pages,
        show_actor: viewer.sees_internal(),
        downloads: download::Links::new("/wijzigingen", &q.pairs)
            .with_note(format!("alle {total} wijzigingen van deze periode")),
    })
}

/// The columns of the changes' downloads; "wie" only for signed-in readers, as on the page.
fn change_columns(show_actor: bool) -> Vec<&'static str> {
    let mut columns = vec![
        "plan-id",
        "plan",
        "soort",
        "wat",
        "was",
        "wordt",
        "ingegaan",
        "mogelijk",
        "nagekomen, vastgelegd op",
        "ingevoerd op",
        "bron",
        "toelichting",
    ];
    if show_actor {
        columns.push("wie");
    }
    columns
}

/// Every change the page lists on all its pages as CSV or Excel (`/wijzigingen.csv`,
/// `/wijzigingen.xlsx`), in the page's order: per plan, then the rest. One row per change; a
/// save of several fields gives its fields one per line in "was" and "wordt".
async fn download_changes(
    State(state): State<AppState>,
    viewer: Viewer,
    format: download::Format,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, WebError> {
    let q = ChangesQuery::parse(&pairs)?;
    let Loaded {
        plans,
        other,
        from,
        until,
        ..
    } = load_all(&state, &q, &viewer).await?;
    let show_actor = viewer.sees_internal();
    let mut name = format!("wijzigingen-{from}-tot-en-met-{until}");
    if let Some(day) = q.peildatum.0 {
        name.push_str(&format!("-bekend-op-{day}"));
    }
    let table = download::Table::new(name, "Wijzigingen", change_columns(show_actor));
    // The page reads the whole period too; the rows go out a batch at a time.
    let mut lines = plans
        .into_iter()
        .flat_map(|p| {
            let (id, name) = (p.plan_id, p.plan_name);
            p.changes
                .into_iter()
                .map(move |c| (Some((id.clone(), name.clone())), c))
        })
        .chain(other.into_iter().map(|c| (None, c)))
        .collect::<Vec<_>>()
        .into_iter();
    Ok(table.download(format, move |_| {
        let batch: Vec<download::Row> = lines
            .by_ref()
            .take(download::BATCH)
            .map(|(plan, c)| change_row(plan, c, show_actor))
            .collect();
        std::future::ready(Ok((!batch.is_empty()).then_some(batch)))
    }))
}

/// One change as a row of the download.
fn change_row(plan: Option<(String, String)>, c: Change, show_actor: bool) -> download::Row {
    let (plan_id, plan_name) = plan.unzip();
    // A save of several fields: each field on a line of its own, as the page lists them.
    let values = |pick: fn(&super::effective::FieldChange) -> Option<&String>| {
        c.fields
            .iter()
            .map(|f| format!("{}: {}", f.label, pick(f).map_or("leeg", String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (old, new) = if c.fields.len() > 1 {
        (
            Cell::text(values(|f| f.old.as_ref())),
            Cell::text(values(|f| f.new.as_ref())),
        )
    } else {
        (Cell::optional(c.old.clone()), Cell::optional(c.new.clone()))
    };
    let mut row = vec![
        Cell::optional(plan_id),
        Cell::optional(plan_name),
        Cell::text(match c.kind {
            ChangeKind::Stage => "Fase",
            ChangeKind::Rollout => "Uitrol",
            ChangeKind::Edit => "Bewerking",
        }),
        Cell::text(c.what),
        old,
        new,
        Cell::fact_date(&c.effective_date),
        Cell::yes(c.uncertain),
        Cell::optional(c.late),
        c.recorded_at.as_deref().map_or(Cell::Empty, Cell::moment),
        Cell::optional(c.source),
        Cell::optional(c.note),
    ];
    if show_actor {
        row.push(Cell::optional(c.actor));
    }
    row
}

/// The changes of one plan in the JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanChangesJson {
    pub plan_id: String,
    pub plan_name: String,
    pub changes: Vec<Change>,
}

/// The JSON answer of `/api/v1/changes`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangesJson {
    /// First day, YYYY-MM-DD
    pub from: String,
    /// Last day (inclusive), YYYY-MM-DD
    pub until: String,
    /// Changes grouped by plan, in the order of their first change; each change in the order
    /// it took effect.
    pub plans: Vec<PlanChangesJson>,
    /// Changes to organisations, areas, the framework and KPI's.
    pub other: Vec<Change>,
}

/// Everything that took effect between two dates (`van`, `tot`, both inclusive) or since a
/// meeting (`sinds` = source id), by the date each change took effect, grouped by plan; with
/// `peildatum`, as known on that day. Who made a change is only included for signed-in
/// callers.
#[utoipa::path(
    get,
    path = "/api/v1/changes",
    params(
        ("van" = Option<String>, Query, description = "Eerste dag, JJJJ-MM-DD (standaard: 30 dagen voor de laatste dag)"),
        ("tot" = Option<String>, Query, description = "Laatste dag, JJJJ-MM-DD (standaard: de peildatum of vandaag)"),
        ("sinds" = Option<String>, Query, description = "Id van een bron of van een vergadering (bijvoorbeeld bbo-zou-2025-10-09); de datum daarvan is de eerste dag"),
        ("peildatum" = Option<String>, Query, description = "JJJJ-MM-DD: wat op die dag bekend was; later vastgelegde wijzigingen blijven weg"),
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
        plans,
        other,
        total,
        from,
        until,
        ..
    } = load(&state, &q, &viewer).await?;
    let nav = PageNav::new("/api/v1/changes", &q.pairs, q.paging, total);
    let mut response = Json(ChangesJson {
        from: from.to_string(),
        until: until.to_string(),
        plans: plans
            .into_iter()
            .map(|p| PlanChangesJson {
                plan_id: p.plan_id,
                plan_name: p.plan_name,
                changes: p.changes,
            })
            .collect(),
        other,
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
