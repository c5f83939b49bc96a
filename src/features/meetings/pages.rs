//! The pages of governance: a body's meetings (on the body's page), one meeting with its
//! agenda and, once there, its verslag; a beheerder's forms to plan a meeting, change it, add
//! agenda items and record what came of them; and the body's calendar feed.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;

use super::model::{
    AgendaItemFields, AttendanceFields, DecisionKey, DecisionRow, MeetingField, MeetingFields,
    MeetingRow, OutcomeFields, parse_time,
};
use crate::domain::{MeetingStatus, OutcomeKind, Stage, parse_date};
use crate::store::{Reason, StoreError};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, NotSaved, form_version, optional, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, SourceView, date_nl};

pub fn routes() -> Routes {
    let routes = Routes::new();
    #[cfg(feature = "pdf")]
    let routes = routes.get(
        "/vergaderingen/{id}/verslag.pdf",
        super::minutes::minutes_pdf,
    );
    routes
        .post("/overleggen/{id}/vergaderingen", plan_meeting)
        .get("/overleggen/{id}/vergaderingen.ics", calendar)
        .get("/vergaderingen/{id}", show)
        .post("/vergaderingen/{id}/bewerken", edit)
        .post("/vergaderingen/{id}/agendapunten", add_item)
        .post("/vergaderingen/{id}/aanwezigen", add_attendance)
        .post("/vergaderingen/{id}/annuleren", cancel)
        .post("/vergaderingen/{id}/uitkomsten", add_outcome)
}

/// The form field of a meeting's field.
fn meeting_input(f: MeetingField) -> &'static str {
    match f {
        MeetingField::Body | MeetingField::Day => "day",
        MeetingField::Starts => "starts",
        MeetingField::Ends => "ends",
        MeetingField::Place => "place",
        MeetingField::Chair => "chair",
        MeetingField::Attendance => "organisation",
        MeetingField::AttendanceDescription => "description",
        MeetingField::AttendanceRole => "role",
        MeetingField::Cancelled => "cancel_reason",
        MeetingField::Record | MeetingField::Status => "status",
        MeetingField::AgendaItem => "title",
        MeetingField::Presenter => "organisation",
        MeetingField::Plans => "plan",
        MeetingField::Indicators => "indicator",
        MeetingField::Rounds => "round",
        MeetingField::Actions => "actions",
        MeetingField::Attachments => "attachments",
        MeetingField::Outcome => "text",
        MeetingField::Owner => "owner",
        MeetingField::Decision => "decision_plan",
        MeetingField::Withdraws => "withdraws",
    }
}

/// "11:00–13:00", "11:00" or "" (time unknown).
fn time_span(m: &MeetingRow) -> String {
    match (m.starts_at.as_deref(), m.ends_at.as_deref()) {
        (Some(s), Some(e)) => format!("{s}–{e}"),
        (Some(s), None) => s.to_owned(),
        _ => String::new(),
    }
}

/// One meeting in a body's list.
pub struct MeetingLine {
    pub id: String,
    pub day: String,
    pub time: String,
    pub place: String,
    pub status: &'static str,
}

impl MeetingLine {
    fn of(m: &MeetingRow) -> Self {
        Self {
            id: m.id.clone(),
            day: date_nl(&m.starts_on),
            time: time_span(m),
            place: m.place.clone().unwrap_or_default(),
            status: if m.is_cancelled() {
                "Geannuleerd"
            } else {
                m.status().label()
            },
        }
    }
}

/// A body's meetings for its page: the coming ones (the first is the next) and the earlier
/// ones, the latest first; with the form to plan one for a beheerder.
pub struct BodyMeetings {
    pub coming: Vec<MeetingLine>,
    pub earlier: Vec<MeetingLine>,
    pub form: MeetingForm,
    pub errors: FormErrors,
    pub statuses: Vec<Choice>,
}

pub async fn body_meetings(
    state: &AppState,
    body_id: &str,
    form: Option<MeetingForm>,
    errors: FormErrors,
) -> Result<BodyMeetings, WebError> {
    let today = crate::features::indicators::today();
    let (coming, mut earlier): (Vec<MeetingRow>, Vec<MeetingRow>) = state
        .store
        .meetings_of_body(body_id)
        .await?
        .into_iter()
        .partition(|m| m.day().is_none_or(|d| d >= today));
    earlier.reverse();
    Ok(BodyMeetings {
        coming: coming.iter().map(MeetingLine::of).collect(),
        earlier: earlier.iter().map(MeetingLine::of).collect(),
        form: form.unwrap_or_else(|| MeetingForm {
            status: MeetingStatus::DraftAgenda.code().to_owned(),
            ..MeetingForm::default()
        }),
        errors,
        statuses: Choice::all::<MeetingStatus>(),
    })
}

/// A meeting's form as posted; all text, so what was typed comes back.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    pub version: String,
    pub day: String,
    pub starts: String,
    pub ends: String,
    pub place: String,
    pub chair: String,
    pub status: String,
}

impl MeetingForm {
    fn of(m: &MeetingRow) -> Self {
        Self {
            version: m.version.to_string(),
            day: m.starts_on.clone(),
            starts: m.starts_at.clone().unwrap_or_default(),
            ends: m.ends_at.clone().unwrap_or_default(),
            place: m.place.clone().unwrap_or_default(),
            chair: m.chair.clone().unwrap_or_default(),
            status: m.status.clone(),
        }
    }

    fn validate(&self, body_id: &str) -> Result<MeetingFields, FormErrors> {
        let mut errors = FormErrors::new();
        let day = errors.check("day", "Datum", parse_date(&self.day));
        let time = |errors: &mut FormErrors, field: &str, label: &str, value: &str| {
            optional(value).and_then(|v| errors.check(field, label, parse_time(&v)))
        };
        let starts = time(&mut errors, "starts", "Begint om", &self.starts);
        let ends = time(&mut errors, "ends", "Eindigt om", &self.ends);
        let status = errors.check("status", "Stand", MeetingStatus::parse(&self.status));
        match (day, status) {
            (Some(day), Some(status)) if errors.is_empty() => Ok(MeetingFields {
                body_id: body_id.to_owned(),
                day,
                starts,
                ends,
                place: optional(&self.place),
                chair: optional(&self.chair),
                status,
            }),
            _ => Err(errors),
        }
    }
}

/// Plans a meeting of a body (a beheerder).
async fn plan_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(body_id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een vergadering plannen")?;
    let form: MeetingForm = crate::web::forms::parse_form(&body);
    let errors = match form.validate(&body_id) {
        Ok(fields) => {
            let saved = state
                .store
                .add_meeting(&viewer.actor(), &Reason::default(), &fields)
                .await;
            match settle_at(saved, meeting_input, "general")? {
                Ok(id) => {
                    return Ok(flash::redirect(
                        &format!("/vergaderingen/{id}"),
                        Notice::Created,
                    ));
                }
                Err(NotSaved {
                    mut errors,
                    newer_version: Some(_),
                }) => {
                    errors.add(
                        "day",
                        "Op deze dag is net een vergadering van dit overleg gepland; kijk hieronder of het dezelfde is, of verstuur het formulier opnieuw.",
                    );
                    errors
                }
                Err(not_saved) => not_saved.errors,
            }
        }
        Err(errors) => errors,
    };
    let page =
        crate::features::bodies::pages::body_page(&state, &viewer, &body_id, Some(form), errors)
            .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A body's meetings as an iCalendar feed, to subscribe to in a calendar.
async fn calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let body_id = file.as_str();
    let body = state
        .store
        .bodies()
        .await?
        .into_iter()
        .find(|b| b.id == body_id)
        .ok_or_else(|| WebError::NotFound(format!("Er is geen overleg \"{body_id}\".")))?;
    let meetings = state.store.meetings_of_body(&body.id).await?;
    let feed = super::ics::calendar(&body.name, &meetings, jiff::Timestamp::now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"vergaderingen.ics\"",
            ),
        ],
        feed,
    )
        .into_response())
}

/// An agenda item about a plan, for the plan's page.
pub struct PlanAgendaLine {
    pub meeting_id: String,
    pub number: i64,
    pub meeting: String,
    pub title: String,
    pub status: &'static str,
}

/// The agenda items about a plan that the viewer may see (a visitor: those of meetings whose
/// agenda is vastgesteld), the latest meeting first.
pub async fn plan_agenda_lines(
    state: &AppState,
    viewer: &Viewer,
    plan_id: &str,
) -> Result<Vec<PlanAgendaLine>, WebError> {
    let internal = viewer.is_signed_in();
    Ok(state
        .store
        .agenda_items_about_plan(plan_id)
        .await?
        .into_iter()
        .filter_map(|(meeting_id, day, status, body, number, title)| {
            let status = MeetingStatus::parse(&status).ok()?;
            status.agenda_visible_to(internal).then(|| PlanAgendaLine {
                meeting: format!("{body}, {}", date_nl(&day)),
                status: status.label(),
                meeting_id,
                number,
                title,
            })
        })
        .collect())
}

/// An outcome as the page shows it.
pub struct OutcomeView {
    pub kind: OutcomeKind,
    pub text: String,
    /// The text in parts: plain text, or a web address shown as a link.
    pub parts: Vec<(String, bool)>,
    pub owner: String,
    pub due: String,
    /// An actiepunt's action: (id, status, over tijd).
    pub action: Option<(i64, &'static str, bool)>,
    /// The besluit this one withdraws: (address, words).
    pub withdraws: Option<(String, String)>,
    /// The besluit that withdrew this one: (address, words).
    pub withdrawn_by: Option<(String, String)>,
    /// A besluit about a plan's stage: (plan id, plan name, stage).
    pub decided: Option<(String, String, &'static str)>,
}

/// An agenda item as the page shows it.
pub struct ItemView {
    pub number: i64,
    pub title: String,
    pub presenter: String,
    pub presenter_assumption: Option<String>,
    /// Each attachment's title and, when the line gives one, its web address.
    pub attachments: Vec<(String, Option<String>)>,
    pub plans: Vec<(String, String)>,
    pub links: super::model::ItemLinks,
    pub outcomes: Vec<OutcomeView>,
}

/// The first web address (http or https) in `text`, as its byte range. A closing bracket or
/// full stop right after the address belongs to the sentence.
fn find_url(text: &str) -> Option<(usize, usize)> {
    let start = match (text.find("https://"), text.find("http://")) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let rest = &text[start..];
    let mut end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    while end > 0 && matches!(rest.as_bytes()[end - 1], b'.' | b',' | b';')
        || (end > 0 && rest.as_bytes()[end - 1] == b')' && !rest[..end].contains('('))
    {
        end -= 1;
    }
    Some((start, start + end))
}

/// An attachment line as title and web address: "Verslag BBO https://example.nl/v.pdf" or the
/// address alone. Only http and https addresses become links.
pub fn attachment_link(line: &str) -> (String, Option<String>) {
    let Some((start, end)) = find_url(line) else {
        return (line.trim().to_owned(), None);
    };
    let url = &line[start..end];
    let title = format!("{} {}", &line[..start], &line[end..]);
    let title = title.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | ':' | '|' | '(' | ')')
    });
    let title = if title.is_empty() { url } else { title };
    (title.to_owned(), Some(url.to_owned()))
}

/// A text in parts, each plain text or a web address (http, https) to show as a link.
pub fn text_with_links(text: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some((start, end)) = find_url(rest) {
        if start > 0 {
            parts.push((rest[..start].to_owned(), false));
        }
        parts.push((rest[start..end].to_owned(), true));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        parts.push((rest.to_owned(), false));
    }
    parts
}

/// The form for a new agenda item.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub version: String,
    pub title: String,
    pub organisation: String,
    pub role: String,
    pub attachments: String,
    pub plan: String,
    pub indicator: String,
    pub round: String,
    /// Open actions lying with the body to take up under this item (checkboxes).
    pub actions: Vec<String>,
}

/// The form for a line of attendance.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    pub version: String,
    pub organisation: String,
    pub description: String,
    pub role: String,
}

/// The form for a new outcome.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    pub version: String,
    pub number: String,
    pub kind: String,
    pub text: String,
    pub owner: String,
    pub owner_organisation: String,
    pub due: String,
    pub decision_plan: String,
    pub decision_stage: String,
    /// The besluit this one withdraws, as `meeting/number/position`.
    pub withdraws: String,
}

/// What a refused post brings back to the meeting page.
#[derive(Default)]
struct Posted {
    edit: Option<MeetingForm>,
    edit_errors: FormErrors,
    cancel_reason: String,
    cancel_errors: FormErrors,
    present: AttendanceForm,
    present_errors: FormErrors,
    item: ItemForm,
    item_errors: FormErrors,
    outcome: OutcomeForm,
    outcome_errors: FormErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/meeting.html")]
pub struct MeetingPage {
    pub nav: &'static str,
    pub meeting: MeetingRow,
    pub body_name: String,
    pub day: String,
    pub time: String,
    pub status: MeetingStatus,
    pub source: Option<SourceView>,
    pub attendance: Vec<String>,
    /// Visitors see the agenda once vastgesteld and the outcomes once the verslag is.
    pub shows_agenda: bool,
    pub shows_outcomes: bool,
    pub items: Vec<ItemView>,
    pub is_admin: bool,
    pub edit: MeetingForm,
    pub edit_errors: FormErrors,
    pub item: ItemForm,
    pub item_errors: FormErrors,
    pub present: AttendanceForm,
    pub present_errors: FormErrors,
    pub cancel_reason: String,
    pub cancel_errors: FormErrors,
    pub outcome: OutcomeForm,
    pub outcome_errors: FormErrors,
    pub statuses: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub stages: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub plans: Vec<Choice>,
    /// The agenda items whose outcomes the viewer may record (and "Kies een agendapunt").
    pub numbers: Vec<Choice>,
    /// The besluiten a beheerder may withdraw here.
    pub withdrawable: Vec<Choice>,
    /// The verslag can be downloaded as a PDF (this build has the feature `pdf`).
    pub pdf: bool,
    /// For a new agenda item: KPIs, quarterly rounds, and the open actions lying with the body.
    pub indicator_choices: Vec<Choice>,
    pub round_choices: Vec<Choice>,
    pub open_actions: Vec<crate::features::indicators::ActionLine>,
}

async fn meeting_view(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    posted: Posted,
) -> Result<MeetingPage, WebError> {
    let visible = state
        .store
        .visible_meeting(id, viewer.is_signed_in())
        .await?
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "Er is geen vergadering \"{id}\". Kies een vergadering op de pagina van haar overleg."
            ))
        })?;
    let meeting = visible.meeting;
    let catalog = Catalog::load(&state.store).await?;
    let body_name = state
        .store
        .bodies()
        .await?
        .into_iter()
        .find(|b| b.id == meeting.body_id)
        .map_or_else(|| meeting.body_id.clone(), |b| b.name);
    let organisations = state.store.organisation_names().await?;
    let org_name = |id: &Option<String>| {
        id.as_ref()
            .map(|i| organisations.get(i).cloned().unwrap_or_else(|| i.clone()))
    };
    let status = meeting.status();
    let attendance = visible
        .attendance
        .into_iter()
        .map(|a| {
            let who = org_name(&a.organisation_id)
                .or(a.description.clone())
                .unwrap_or_default();
            match a.role {
                Some(role) => format!("{who} ({role})"),
                None => who,
            }
        })
        .collect();
    let decides_a_stage = visible
        .items
        .iter()
        .any(|i| i.outcomes.iter().any(|o| o.plan_id.is_some()));
    let names: HashMap<String, String> = if decides_a_stage {
        state.store.plan_names().await?.into_iter().collect()
    } else {
        HashMap::new()
    };
    let actions: HashMap<(i64, i64), crate::features::actions::model::ActionRow> = state
        .store
        .actions_of_meeting(&meeting.id)
        .await?
        .into_iter()
        .filter_map(|a| Some(((a.item_number?, a.outcome_position?), a)))
        .collect();
    let today = crate::features::indicators::today();
    // The besluiten the viewer may see, to say what withdraws what.
    let (decisions, _) = state.store.decisions().await?;
    let decisions: Vec<DecisionRow> = decisions
        .into_iter()
        .filter(|d| {
            MeetingStatus::parse(&d.status)
                .is_ok_and(|s| s.outcomes_visible_to(viewer.is_signed_in()))
        })
        .collect();
    let decision_words = |d: &DecisionRow| {
        (
            format!("/vergaderingen/{}#punt-{}", d.meeting_id, d.number),
            format!(
                "besluit van {} {}, agendapunt {}",
                d.body_name,
                date_nl(&d.starts_on),
                d.number
            ),
        )
    };
    let by_key: HashMap<DecisionKey, &DecisionRow> =
        decisions.iter().map(|d| (d.key(), d)).collect();
    let withdrawn_by: HashMap<DecisionKey, &DecisionRow> = decisions
        .iter()
        .filter_map(|d| Some((d.withdraws()?, d)))
        .collect();
    let items: Vec<ItemView> = visible
        .items
        .into_iter()
        .map(|v| {
            let item = v.item;
            let presenter = [
                item.presenter_role.clone(),
                org_name(&item.presenter_organisation_id),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let outcomes = v
                .outcomes
                .into_iter()
                .map(|o| {
                    let decided = match (&o.plan_id, o.stage.as_deref().map(Stage::parse)) {
                        (Some(plan), Some(Ok(stage))) => Some((
                            plan.clone(),
                            names.get(plan).cloned().unwrap_or_else(|| plan.clone()),
                            stage.label(),
                        )),
                        _ => None,
                    };
                    let action = actions.get(&(o.number, o.position));
                    let withdraws = o
                        .withdraws()
                        .and_then(|k| by_key.get(&k))
                        .map(|d| decision_words(d));
                    let withdrawn_by = withdrawn_by.get(&o.key()).map(|d| decision_words(d));
                    // The owner and day as the meeting agreed them; the action may have
                    // moved on since, and its page says where it stands.
                    OutcomeView {
                        withdraws,
                        withdrawn_by,
                        kind: o.kind(),
                        owner: o.owner.clone().unwrap_or_default(),
                        due: o.due_on.as_deref().map(date_nl).unwrap_or_default(),
                        action: action.map(|a| (a.id, a.status().label(), a.is_overdue(today))),
                        parts: text_with_links(&o.text),
                        text: o.text,
                        decided,
                    }
                })
                .collect();
            ItemView {
                plans: v.plans,
                links: v.links,
                outcomes,
                attachments: item
                    .attachments
                    .as_deref()
                    .unwrap_or_default()
                    .lines()
                    .map(attachment_link)
                    .collect(),
                presenter,
                presenter_assumption: item.presenter_assumption,
                number: item.number,
                title: item.title,
            }
        })
        .collect();
    let is_admin = viewer.is_admin();
    // The items whose outcomes the viewer may record: all for a beheerder; for a trekker those
    // about a plan their organisations lead.
    let recordable: Vec<i64> = match &viewer.user {
        Some(u) if u.is_admin() => items.iter().map(|i| i.number).collect(),
        Some(u) => {
            let leads = state.store.item_leads(&meeting.id).await?;
            items
                .iter()
                .map(|i| i.number)
                .filter(|n| {
                    let of_item: Vec<String> = leads
                        .iter()
                        .filter(|(m, _)| m == n)
                        .map(|(_, o)| o.clone())
                        .collect();
                    u.may_edit_plan(&of_item)
                })
                .collect()
        }
        None => Vec::new(),
    };
    let withdrawable = if is_admin {
        Choice::none_then(
            "Geen: dit besluit trekt niets in",
            decisions
                .iter()
                .filter(|d| {
                    !withdrawn_by.contains_key(&d.key()) && d.starts_on <= meeting.starts_on
                })
                .map(|d| {
                    let (_, words) = decision_words(d);
                    let text: String = d.text.chars().take(80).collect();
                    let more = if d.text.chars().count() > 80 {
                        "…"
                    } else {
                        ""
                    };
                    Choice::new(d.key().code(), format!("{words}: {text}{more}"))
                }),
        )
    } else {
        Vec::new()
    };
    let (organisation_choices, plan_choices) = if is_admin || !recordable.is_empty() {
        let mut orgs: Vec<Choice> = organisations
            .iter()
            .map(|(id, name)| Choice::new(id.clone(), name.clone()))
            .collect();
        orgs.sort_by(|a, b| a.label.cmp(&b.label));
        let plans = if is_admin {
            Choice::none_then(
                "Geen plan",
                state
                    .store
                    .plan_names()
                    .await?
                    .into_iter()
                    .map(|(id, name)| Choice::new(id, name)),
            )
        } else {
            Vec::new()
        };
        (Choice::none_then("Geen organisatie", orgs), plans)
    } else {
        (Vec::new(), Vec::new())
    };
    let (indicator_choices, round_choices, open_actions) = if is_admin {
        let indicators = Choice::none_then(
            "Geen KPI",
            state
                .store
                .indicators()
                .await?
                .into_iter()
                .map(|i| Choice::new(i.id, i.name)),
        );
        let rounds = Choice::none_then(
            "Geen kwartaalrapportage",
            state.store.rounds().await?.into_iter().map(|r| {
                let words = crate::domain::Period::parse(&r.period)
                    .map_or_else(|_| r.period.clone(), |p| p.label_nl());
                Choice::new(r.period, format!("Kwartaalrapportage {words}"))
            }),
        );
        let origins = crate::features::actions::pages::Origins::load(&state.store).await?;
        let bodies = state.store.bodies().await?;
        let rows: Vec<_> = state
            .store
            .actions_at_body(&meeting.body_id)
            .await?
            .into_iter()
            .filter(|a| a.status().is_open())
            .collect();
        let lines = crate::features::indicators::action_lines(
            &rows, &catalog, &bodies, &origins, true, today,
        );
        (indicators, rounds, lines)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let version = meeting.version.to_string();
    let with_version = |v: &mut String| {
        if v.is_empty() {
            v.clone_from(&version);
        }
    };
    let mut item = posted.item;
    with_version(&mut item.version);
    let mut outcome = posted.outcome;
    with_version(&mut outcome.version);
    Ok(MeetingPage {
        nav: "overleggen",
        body_name,
        day: date_nl(&meeting.starts_on),
        time: time_span(&meeting),
        status,
        source: catalog.source(meeting.source_id.as_deref()),
        attendance,
        shows_agenda: visible.shows_agenda,
        shows_outcomes: visible.shows_outcomes,
        numbers: Choice::none_then(
            "Kies een agendapunt",
            items
                .iter()
                .filter(|i| recordable.contains(&i.number))
                .map(|i| Choice::new(i.number.to_string(), format!("{}. {}", i.number, i.title))),
        ),
        withdrawable,
        pdf: cfg!(feature = "pdf"),
        indicator_choices,
        round_choices,
        open_actions,
        items,
        is_admin,
        edit: posted.edit.unwrap_or_else(|| MeetingForm::of(&meeting)),
        edit_errors: posted.edit_errors,
        item,
        item_errors: posted.item_errors,
        present: {
            let mut present = posted.present;
            with_version(&mut present.version);
            present
        },
        present_errors: posted.present_errors,
        cancel_reason: posted.cancel_reason,
        cancel_errors: posted.cancel_errors,
        outcome,
        outcome_errors: posted.outcome_errors,
        statuses: Choice::all::<MeetingStatus>(),
        kinds: Choice::all::<OutcomeKind>(),
        stages: Choice::none_then("Geen: de fase blijft", Choice::all::<Stage>()),
        organisations: organisation_choices,
        plans: plan_choices,
        meeting,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<MeetingPage, WebError> {
    meeting_page(&state, &viewer, &id).await
}

/// The meeting as `viewer` may see it, with empty forms: for the page and its PDF.
pub async fn meeting_page(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<MeetingPage, WebError> {
    meeting_view(state, viewer, id, Posted::default()).await
}

/// The meeting page again with a refused form's errors (a 422).
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    posted: Posted,
) -> Result<Response, WebError> {
    let page = meeting_view(state, viewer, id, posted).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The errors of a refused save; a conflict says that someone else changed the meeting.
fn not_saved(not_saved: NotSaved, field: &'static str) -> FormErrors {
    let mut errors = not_saved.errors;
    if not_saved.newer_version.is_some() {
        errors.add(
            field,
            "Iemand anders heeft de vergadering intussen gewijzigd; hieronder staat hoe zij nu is. Kijk of uw wijziging nog nodig is en verstuur die dan opnieuw.",
        );
    }
    errors
}

async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een vergadering wijzigen")?;
    let form: MeetingForm = crate::web::forms::parse_form(&body);
    let meeting = state
        .store
        .meeting(&id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Er is geen vergadering \"{id}\".")))?;
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 1);
    let fields = match form.validate(&meeting.body_id) {
        Ok(fields) if errors.is_empty() => fields,
        Ok(_) => return refused_edit(&state, &viewer, &id, form, errors).await,
        Err(invalid) => {
            for e in invalid.iter() {
                errors.add(&e.field, e.message.clone());
            }
            return refused_edit(&state, &viewer, &id, form, errors).await;
        }
    };
    let saved = state
        .store
        .edit_meeting(&viewer.actor(), &Reason::default(), &id, version, &fields)
        .await;
    match settle_at(saved, meeting_input, "status")? {
        Ok(_) => Ok(flash::redirect(
            &format!("/vergaderingen/{id}"),
            Notice::Saved,
        )),
        Err(e) if e.newer_version.is_some() => {
            // What was typed stays in the form, now at the stored version; the page above it
            // shows the meeting as it is now.
            let status = e.status();
            let mut form = form;
            form.version = e.newer_version.unwrap_or_default().to_string();
            let posted = Posted {
                edit: Some(form),
                edit_errors: not_saved(e, "status"),
                ..Posted::default()
            };
            let page = meeting_view(&state, &viewer, &id, posted).await?;
            Ok((status, page).into_response())
        }
        Err(e) => refused_edit(&state, &viewer, &id, form, e.errors).await,
    }
}

async fn refused_edit(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    form: MeetingForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let posted = Posted {
        edit: Some(form),
        edit_errors: errors,
        ..Posted::default()
    };
    refused(state, viewer, id, posted).await
}

async fn add_item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een agendapunt toevoegen")?;
    let form: ItemForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 1);
    if form.title.trim().is_empty() {
        errors.add(
            "title",
            "Titel van het agendapunt: vul in waar het punt over gaat.",
        );
    }
    if errors.is_empty() {
        let fields = AgendaItemFields {
            title: form.title.trim().to_owned(),
            presenter_organisation_id: optional(&form.organisation),
            presenter_role: optional(&form.role),
            attachments: form.attachments.lines().filter_map(optional).collect(),
            plans: optional(&form.plan).into_iter().collect(),
            indicators: optional(&form.indicator).into_iter().collect(),
            rounds: optional(&form.round).into_iter().collect(),
            actions: form
                .actions
                .iter()
                .filter_map(|a| a.trim().parse().ok())
                .collect(),
        };
        let saved = state
            .store
            .add_agenda_item(&viewer.actor(), &Reason::default(), &id, version, &fields)
            .await;
        match settle_at(saved, meeting_input, "title")? {
            Ok(number) => {
                return Ok(flash::redirect(
                    &format!("/vergaderingen/{id}#punt-{number}"),
                    Notice::Saved,
                ));
            }
            Err(e) => errors = not_saved(e, "title"),
        }
    }
    let mut form = form;
    form.version.clear();
    let posted = Posted {
        item: form,
        item_errors: errors,
        ..Posted::default()
    };
    refused(&state, &viewer, &id, posted).await
}

/// The form that calls a meeting off (with a reason) or lets it go ahead again.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CancelForm {
    pub version: String,
    /// "afgelast" or "gaat-door"
    pub action: String,
    pub cancel_reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een vergadering afgelasten")?;
    let form: CancelForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 1);
    let reason = optional(&form.cancel_reason);
    let calls_off = form.action != "gaat-door";
    if calls_off && reason.is_none() {
        errors.add(
            "cancel_reason",
            "Reden: schrijf waarom de vergadering niet doorgaat, bijvoorbeeld: te weinig agendapunten.",
        );
    }
    if errors.is_empty() {
        let saved = state
            .store
            .set_cancelled(
                &viewer.actor(),
                &id,
                version,
                if calls_off { reason.as_deref() } else { None },
            )
            .await;
        match settle_at(saved, meeting_input, "cancel_reason")? {
            Ok(_) => {
                return Ok(flash::redirect(
                    &format!("/vergaderingen/{id}"),
                    Notice::Saved,
                ));
            }
            Err(e) => errors = not_saved(e, "cancel_reason"),
        }
    }
    let posted = Posted {
        cancel_reason: form.cancel_reason,
        cancel_errors: errors,
        ..Posted::default()
    };
    refused(&state, &viewer, &id, posted).await
}

async fn add_attendance(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("vastleggen wie er aanwezig was")?;
    let form: AttendanceForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 1);
    let fields = AttendanceFields {
        organisation_id: optional(&form.organisation),
        description: optional(&form.description),
        role: optional(&form.role),
    };
    if fields.organisation_id.is_none() && fields.description.is_none() {
        errors.add(
            "organisation",
            "Aanwezig: kies een organisatie, of beschrijf wie er was (bijvoorbeeld: de wethouders van de vijf gemeenten).",
        );
    }
    if errors.is_empty() {
        let saved = state
            .store
            .add_attendance(&viewer.actor(), &Reason::default(), &id, version, &fields)
            .await;
        match settle_at(saved, meeting_input, "organisation")? {
            Ok(_) => {
                return Ok(flash::redirect(
                    &format!("/vergaderingen/{id}#aanwezig"),
                    Notice::Saved,
                ));
            }
            Err(e) => errors = not_saved(e, "organisation"),
        }
    }
    let mut form = form;
    form.version.clear();
    let posted = Posted {
        present: form,
        present_errors: errors,
        ..Posted::default()
    };
    refused(&state, &viewer, &id, posted).await
}

/// The lead organisations of the plans agenda item `number` of a meeting is about (of any of
/// its items when no item is chosen, so that the form's own error can say to choose one).
async fn outcome_leads(
    state: &AppState,
    meeting_id: &str,
    number: Option<i64>,
) -> Result<Vec<String>, WebError> {
    Ok(state
        .store
        .item_leads(meeting_id)
        .await?
        .into_iter()
        .filter(|(n, _)| number.is_none_or(|number| *n == number))
        .map(|(_, o)| o)
        .collect())
}

fn kind_is_not_decision(kind: &str) -> bool {
    OutcomeKind::parse(kind).ok() != Some(OutcomeKind::Decision)
}

async fn add_outcome(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?;
    let form: OutcomeForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 1);
    let number = match form.number.trim().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(
                "number",
                "Agendapunt: kies het agendapunt van deze uitkomst.",
            );
            None
        }
    };
    // A beheerder records any outcome; a trekker those of items about plans their
    // organisations lead, but no besluit that changes a plan's stage or withdraws one.
    if !user.is_admin() {
        let leads = outcome_leads(&state, &id, number).await?;
        if !user.may_edit_plan(&leads) {
            return Err(WebError::Forbidden(
                "U mag bij dit agendapunt geen uitkomst vastleggen: alleen een beheerder, of een trekker van een organisatie die een plan trekt waar het punt over gaat, mag dat.".into(),
            ));
        }
        if optional(&form.decision_plan).is_some()
            || optional(&form.decision_stage).is_some()
            || optional(&form.withdraws).is_some()
        {
            return Err(WebError::Forbidden(
                "Een besluit over de fase van een plan, of het intrekken van een besluit, legt een beheerder vast.".into(),
            ));
        }
    }
    let withdraws = match optional(&form.withdraws) {
        None => None,
        Some(code) => {
            let key = DecisionKey::parse(&code);
            if key.is_none() {
                errors.add("withdraws", "Trekt in: kies een besluit uit de lijst.");
            }
            if kind_is_not_decision(&form.kind) {
                errors.add(
                    "withdraws",
                    "Trekt in: een besluit intrekken is zelf een besluit; kies de soort besluit.",
                );
            }
            key
        }
    };
    let kind = errors.check("kind", "Soort", OutcomeKind::parse(&form.kind));
    if form.text.trim().is_empty() {
        errors.add(
            "text",
            "Uitkomst: schrijf wat er is besloten, afgesproken of gemeld.",
        );
    }
    let due: Option<Date> = match optional(&form.due) {
        None => None,
        Some(d) => errors.check("due", "Uiterlijk", parse_date(&d)),
    };
    let decision = match (
        optional(&form.decision_plan),
        optional(&form.decision_stage),
    ) {
        (None, None) => None,
        (Some(plan), Some(stage)) => {
            if kind != Some(OutcomeKind::Decision) {
                errors.add(
                    "decision_plan",
                    "Besluit over de fase van een plan: dat kan alleen bij de soort besluit.",
                );
            }
            errors
                .check("decision_stage", "Nieuwe fase", Stage::parse(&stage))
                .map(|s| (plan, s))
        }
        (None, Some(_)) => {
            errors.add(
                "decision_plan",
                "Besluit over de fase van een plan: kies ook het plan, of zet de fase terug op 'Geen'.",
            );
            None
        }
        (Some(_), None) => {
            errors.add(
                "decision_stage",
                "Nieuwe fase: kies de fase die is besloten, of zet het plan terug op 'Geen plan'.",
            );
            None
        }
    };
    if kind != Some(OutcomeKind::Action)
        && (due.is_some()
            || optional(&form.owner).is_some()
            || optional(&form.owner_organisation).is_some())
    {
        let field = if optional(&form.owner).is_some() {
            "owner"
        } else if optional(&form.owner_organisation).is_some() {
            "owner_organisation"
        } else {
            "due"
        };
        errors.add(
            field,
            "Eigenaar, organisatie van de eigenaar en uiterlijk horen bij een actiepunt; kies de soort actiepunt of laat ze leeg.",
        );
    }
    if let (Some(number), Some(kind), true) = (number, kind, errors.is_empty()) {
        let fields = OutcomeFields {
            kind,
            text: form.text.trim().replace("\r\n", "\n"),
            owner: optional(&form.owner),
            owner_organisation_id: optional(&form.owner_organisation),
            due,
            stage: decision,
            withdraws,
        };
        let saved = state
            .store
            .add_outcome(
                &viewer.actor(),
                &Reason::default(),
                &id,
                number,
                version,
                &fields,
            )
            .await;
        match saved {
            Err(StoreError::NotFound(message)) => errors.add("number", message),
            saved => match settle_at(saved, meeting_input, "text")? {
                Ok(_) => {
                    return Ok(flash::redirect(
                        &format!("/vergaderingen/{id}#punt-{number}"),
                        Notice::Saved,
                    ));
                }
                Err(e) => errors = not_saved(e, "text"),
            },
        }
    }
    let mut form = form;
    form.version.clear();
    let posted = Posted {
        outcome: form,
        outcome_errors: errors,
        ..Posted::default()
    };
    refused(&state, &viewer, &id, posted).await
}

#[cfg(test)]
mod tests {
    use super::{attachment_link, text_with_links};

    #[test]
    fn an_attachment_line_with_a_web_address_becomes_a_link() {
        assert_eq!(
            attachment_link("Kwartaalrapportage Q3 https://voorbeeld.nl/q3.pdf"),
            (
                "Kwartaalrapportage Q3".to_owned(),
                Some("https://voorbeeld.nl/q3.pdf".to_owned())
            )
        );
        assert_eq!(
            attachment_link("https://voorbeeld.nl/a.pdf"),
            (
                "https://voorbeeld.nl/a.pdf".to_owned(),
                Some("https://voorbeeld.nl/a.pdf".to_owned())
            )
        );
        assert_eq!(
            attachment_link("Presentatie (https://voorbeeld.nl/p)"),
            (
                "Presentatie".to_owned(),
                Some("https://voorbeeld.nl/p".to_owned())
            )
        );
        assert_eq!(attachment_link("Manifest"), ("Manifest".to_owned(), None));
        assert_eq!(
            text_with_links("Zie https://voorbeeld.nl/a. En http://b.nl"),
            vec![
                ("Zie ".to_owned(), false),
                ("https://voorbeeld.nl/a".to_owned(), true),
                (". En ".to_owned(), false),
                ("http://b.nl".to_owned(), true),
            ]
        );
        assert_eq!(
            text_with_links("é https://x.nl/ü."),
            vec![
                ("é ".to_owned(), false),
                ("https://x.nl/ü".to_owned(), true),
                (".".to_owned(), false),
            ]
        );
        assert_eq!(
            text_with_links("Geen adres."),
            vec![("Geen adres.".to_owned(), false)]
        );
        assert_eq!(
            attachment_link("javascript:alert(1)"),
            ("javascript:alert(1)".to_owned(), None)
        );
    }
}
