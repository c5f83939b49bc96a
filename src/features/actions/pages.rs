//! Actions: the follow-up of a missed KPI and a meeting's actiepunt, in one list, each with an
//! owner (organisation and role), a deadline and a status, escalated along the ladder the
//! bodies configure (`escalates_to`; in ZOU werkgroep → kernteam → regiegroep → BBO). The
//! bodies' pages list
//! what lies with them.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;

use super::model::{ActionField, ActionFields, ActionRow};
use super::repo::{escalation_targets, place_of};
use crate::auth::User;
use crate::domain::{ActionStatus, EscalationLevel, MeetingStatus, parse_date};
use crate::features::bodies::model::BodyRow;
use crate::features::indicators::model::IndicatorRow;
use crate::features::indicators::require_kpi_editor;
use crate::features::organisations::pages::organisation_choices;
use crate::store::{Reason, RecordField, Store, StoreError};
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional, parse_form, settle_at};
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, date_nl};

pub fn routes() -> Routes {
    Routes::new()
        .get("/indicatoren/{id}/acties/nieuw", new_form)
        .post("/indicatoren/{id}/acties", create)
        .get("/acties", list)
        .get("/acties.csv", download_list)
        .get("/acties.xlsx", download_list)
        .get("/acties/{id}", show)
        .post("/acties/{id}/bewerken", update)
        .post("/acties/{id}/escaleren", escalate)
}

/// Where actions came from, for their lines: the KPIs' names and the meetings (body, day,
/// status, which decides whether a visitor may see the actiepunt yet). Empty ([`Default`])
/// for a list without actions.
#[derive(Default)]
pub struct Origins {
    indicators: HashMap<String, String>,
    organisations: HashMap<String, String>,
    meetings: HashMap<String, (String, String, MeetingStatus)>,
}

impl Origins {
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let indicators = store
            .indicators()
            .await?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect();
        let bodies: HashMap<String, String> = store
            .bodies()
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let meetings = store
            .meetings()
            .await?
            .into_iter()
            .map(|m| {
                let status = m.status();
                let body = bodies.get(&m.body_id).cloned().unwrap_or(m.body_id);
                (m.id, (body, date_nl(&m.starts_on), status))
            })
            .collect();
        Ok(Self {
            indicators,
            organisations: store.organisation_names().await?,
            meetings,
        })
    }

    /// A visitor sees a meeting's actiepunt once its verslag is vastgesteld; a KPI's
    /// follow-up always.
    pub fn visible(&self, a: &ActionRow, signed_in: bool) -> bool {
        match &a.meeting_id {
            Some(m) => self
                .meetings
                .get(m)
                .is_some_and(|(_, _, s)| s.outcomes_visible_to(signed_in)),
            None => true,
        }
    }

    /// Where it came from, by name: the KPI's, or the meeting's and item's.
    pub fn origin_name(&self, a: &ActionRow) -> String {
        match (&a.meeting_id, &a.indicator_id) {
            (Some(_), _) => self.of(a).0,
            (None, Some(i)) => self.indicators.get(i).cloned().unwrap_or_else(|| i.clone()),
            (None, None) => String::new(),
        }
    }

    /// Where it came from, in words, and the address of that page.
    pub fn of(&self, a: &ActionRow) -> (String, String) {
        if let Some(m) = &a.meeting_id {
            let (body, day) = self
                .meetings
                .get(m)
                .map(|(b, d, _)| (b.clone(), d.clone()))
                .unwrap_or_else(|| (m.clone(), String::new()));
            let item = a
                .item_number
                .map(|n| format!(", agendapunt {n}"))
                .unwrap_or_default();
            return (
                format!("Vergadering {body} {day}{item}"),
                format!("/vergaderingen/{m}"),
            );
        }
        if let Some(i) = &a.indicator_id {
            let name = self.indicators.get(i).cloned().unwrap_or_else(|| i.clone());
            return (format!("KPI {name}"), format!("/indicatoren/{i}"));
        }
        (String::new(), String::new())
    }
}

/// An action in a list (KPI page, body page, the action list, "Voor mij").
pub struct ActionLine {
    pub id: i64,
    pub title: String,
    pub origin: String,
    pub origin_href: String,
    pub area: String,
    pub owner: String,
    pub deadline: String,
    /// YYYY-MM-DD, for downloads; empty when none.
    pub deadline_iso: String,
    pub status: &'static str,
    /// Where it lies: the body's name, its rung, or nowhere yet.
    pub place: String,
    pub body_id: String,
    pub overdue: bool,
    pub open: bool,
}

/// The lines of the `actions` the viewer may see.
pub fn action_lines(
    actions: &[ActionRow],
    catalog: &Catalog,
    bodies: &[BodyRow],
    origins: &Origins,
    signed_in: bool,
    today: Date,
) -> Vec<ActionLine> {
    actions
        .iter()
        .filter(|a| origins.visible(a, signed_in))
        .map(|a| {
            let (origin, origin_href) = origins.of(a);
            ActionLine {
                id: a.id,
                title: a.title.clone(),
                origin,
                origin_href,
                area: a
                    .area_id
                    .as_deref()
                    .map(|x| catalog.area_name(x))
                    .unwrap_or_default(),
                owner: origins.owner(a),
                deadline: a.deadline.as_deref().map(date_nl).unwrap_or_default(),
                deadline_iso: a.deadline.clone().unwrap_or_default(),
                status: a.status().label(),
                place: place_of(bodies, a.level.as_deref(), a.body_id.as_deref()),
                body_id: a.body_id.clone().unwrap_or_default(),
                overdue: a.is_overdue(today),
                open: a.status().is_open(),
            }
        })
        .collect()
}

impl Origins {
    /// The owner as the lists show it: the role and the organisation's name, as far as known.
    pub fn owner(&self, a: &ActionRow) -> String {
        let organisation = a.owner_organisation_id.as_ref().map(|o| {
            self.organisations
                .get(o)
                .cloned()
                .unwrap_or_else(|| o.clone())
        });
        match (&a.owner, organisation) {
            (Some(o), Some(org)) => format!("{o}, {org}"),
            (Some(o), None) => o.clone(),
            (None, Some(org)) => org,
            (None, None) => String::new(),
        }
    }
}

/// Whether `user` may change `action`: a beheerder; someone of the organisation that owns it
/// (their own action); for a KPI's follow-up, whoever may enter values for that KPI.
pub async fn may_edit_action(
    state: &AppState,
    user: &User,
    action: &ActionRow,
) -> Result<bool, WebError> {
    if user.is_admin() {
        return Ok(true);
    }
    if let Some(org) = &action.owner_organisation_id
        && user.may_edit_plan(std::slice::from_ref(org))
    {
        return Ok(true);
    }
    if let Some(ind) = &action.indicator_id {
        return Ok(user.may_enter_for_kpi(&state.store.indicator_editors(ind).await?));
    }
    Ok(false)
}

async fn require_action_editor(
    state: &AppState,
    viewer: &Viewer,
    action: &ActionRow,
) -> Result<(), WebError> {
    let user = viewer.require_user()?;
    if may_edit_action(state, user, action).await? {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "U mag de actie \"{}\" niet wijzigen: alleen een beheerder, iemand van de organisatie die de actie uitvoert of (bij een KPI) een trekker van een plan van die KPI mag dat.",
            action.title
        )))
    }
}

/// The action form as posted; all text, so what was typed comes back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub version: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub owner_organisation: String,
    pub area: String,
    pub deadline: String,
    pub status: String,
    pub body: String,
    pub comment: String,
}

impl ActionForm {
    fn from_row(a: &ActionRow) -> Self {
        Self {
            version: a.version.to_string(),
            title: a.title.clone(),
            description: a.description.clone().unwrap_or_default(),
            owner: a.owner.clone().unwrap_or_default(),
            owner_organisation: a.owner_organisation_id.clone().unwrap_or_default(),
            area: a.area_id.clone().unwrap_or_default(),
            deadline: a.deadline.clone().unwrap_or_default(),
            status: a.status.clone(),
            body: a.body_id.clone().unwrap_or_default(),
            comment: String::new(),
        }
    }
}

/// Checks the form. A KPI's follow-up needs an owner and a deadline; a meeting's actiepunt
/// keeps them empty when the minutes give none.
fn validate(
    form: &ActionForm,
    follows_kpi: bool,
    plan_id: Option<String>,
) -> Result<(ActionFields, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let title = optional(&form.title);
    if title.is_none() {
        errors.add(
            "title",
            "Wat: beschrijf in een zin wat er gebeurt, bijvoorbeeld: extra versnellingssessie met de praktijken in Zeist.",
        );
    }
    let owner = optional(&form.owner);
    if owner.is_none() && follows_kpi {
        errors.add(
            "owner",
            "Eigenaar: vul in wie de actie uitvoert (een rol of organisatie), bijvoorbeeld: trekker MTVP.",
        );
    }
    let deadline = match optional(&form.deadline) {
        None if follows_kpi => {
            errors.add(
                "deadline",
                "Deadline: vul de datum in waarop de actie klaar is, als JJJJ-MM-DD, bijvoorbeeld 2027-03-31.",
            );
            None
        }
        None => None,
        Some(d) => errors.check("deadline", "Deadline", parse_date(&d)),
    };
    let status = errors.check(
        "status",
        "Status",
        ActionStatus::parse(if form.status.is_empty() {
            "open"
        } else {
            &form.status
        }),
    );
    match (title, status, errors.is_empty()) {
        (Some(title), Some(status), true) => Ok((
            ActionFields {
                area_id: optional(&form.area),
                plan_id,
                title,
                description: optional(&form.description),
                owner,
                owner_organisation_id: optional(&form.owner_organisation),
                deadline,
                status,
            },
            Reason {
                comment: optional(&form.comment),
                source: None,
            },
        )),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/new.html")]
pub struct NewPage {
    pub nav: &'static str,
    pub ind: IndicatorRow,
    pub form: ActionForm,
    pub errors: FormErrors,
    pub areas: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub starts: Vec<Choice>,
}

/// The areas a KPI is measured in, or none for an action that follows no KPI.
async fn area_choices(
    state: &AppState,
    ind: Option<&IndicatorRow>,
) -> Result<Vec<Choice>, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    Ok(match ind {
        Some(ind) => Choice::none_then(
            "De KPI als geheel",
            crate::features::indicators::level_choices(&catalog, ind),
        ),
        None => Choice::none_then(
            "Geen gebied",
            catalog
                .areas
                .iter()
                .map(|a| Choice::new(a.id.clone(), a.name.clone())),
        ),
    })
}

/// The bodies where a new follow-up action can start: the lowest rungs of the ladders (the
/// bodies that escalate to another and that none escalates to).
fn ladder_starts(bodies: &[BodyRow]) -> Vec<Choice> {
    Choice::none_then(
        "Nog geen overleg",
        bodies
            .iter()
            .filter(|b| {
                b.escalates_to.is_some()
                    && !bodies
                        .iter()
                        .any(|o| o.escalates_to.as_deref() == Some(b.id.as_str()))
            })
            .map(|b| Choice::new(b.id.clone(), b.name.clone())),
    )
}

fn statuses() -> Vec<Choice> {
    Choice::all::<ActionStatus>()
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub gebied: String,
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<NewPage, WebError> {
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let form = ActionForm {
        area: q.gebied,
        owner_organisation: ind.owner_organisation_id.clone().unwrap_or_default(),
        status: "open".into(),
        ..ActionForm::default()
    };
    Ok(NewPage {
        nav: "acties",
        areas: area_choices(&state, Some(&ind)).await?,
        organisations: organisation_choices(&state, "Geen organisatie").await?,
        statuses: statuses(),
        starts: ladder_starts(&state.store.bodies().await?),
        ind,
        form,
        errors: FormErrors::new(),
    })
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let form: ActionForm = parse_form(&body);
    let outcome = match validate(&form, true, None) {
        Ok((fields, reason)) => {
            let body_id = optional(&form.body);
            let saved = state
                .store
                .create_action(
                    &viewer.actor(),
                    &reason,
                    &ind.id,
                    &fields,
                    body_id.as_deref(),
                )
                .await;
            settle_at(saved, action_input, "title")?
        }
        Err(errors) => Err(errors.into()),
    };
    let errors = match outcome {
        Ok(action) => {
            return Ok(flash::redirect(
                &format!("/acties/{action}"),
                Notice::Created,
            ));
        }
        Err(not_saved) => not_saved.errors,
    };
    let page = NewPage {
        nav: "acties",
        areas: area_choices(&state, Some(&ind)).await?,
        organisations: organisation_choices(&state, "Geen organisatie").await?,
        statuses: statuses(),
        starts: ladder_starts(&state.store.bodies().await?),
        ind,
        form,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub struct EscalationLine {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub at: String,
    pub actor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub action: ActionRow,
    pub origin: String,
    pub origin_href: String,
    pub plan: Option<(String, String)>,
    pub area: String,
    pub owner_organisation: String,
    pub deadline: String,
    pub overdue: bool,
    pub place: String,
    /// The ladder of the body it lies with, bottom to top, the current one marked.
    pub ladder: Vec<(String, String, bool)>,
    pub ladder_assumption: Option<String>,
    pub escalations: Vec<EscalationLine>,
    pub can_edit: bool,
    pub follows_kpi: bool,
    pub form: ActionForm,
    pub errors: FormErrors,
    pub areas: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub statuses: Vec<Choice>,
    /// The bodies above on the ladder, to escalate to.
    pub targets: Vec<Choice>,
    pub escalate_errors: FormErrors,
    pub escalate_reason: String,
    /// Someone saved in the meantime; the page says so and shows the stored values.
    pub conflict: bool,
    /// The fields whose value is an aanname: (label, reason).
    pub assumptions: Vec<(&'static str, String)>,
}

/// The action `id` as the viewer may see it, with where actions come from (read once per
/// request).
async fn load_action(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<(ActionRow, Origins), WebError> {
    let not_found = || {
        WebError::NotFound(format!(
            "Er is geen actie met nummer {id}. Kies een actie op de pagina Acties."
        ))
    };
    let n: i64 = id.parse().map_err(|_| not_found())?;
    let action = state.store.action(n).await?.ok_or_else(not_found)?;
    let origins = Origins::load(&state.store).await?;
    if origins.visible(&action, viewer.is_signed_in()) {
        Ok((action, origins))
    } else {
        Err(not_found())
    }
}

/// The ladder `body_id` is on, from its lowest rung to its top.
fn ladder_of(bodies: &[BodyRow], body_id: &str) -> Vec<(String, String, bool)> {
    let mut below: Vec<&BodyRow> = Vec::new();
    let mut at = body_id.to_owned();
    while let Some(lower) = bodies.iter().find(|b| {
        b.escalates_to.as_deref() == Some(at.as_str()) && !below.iter().any(|x| x.id == b.id)
    }) {
        // Several bodies may escalate to one; the ladder shows the one the action came from
        // only when it is the sole one, else it starts here.
        if bodies
            .iter()
            .filter(|b| b.escalates_to.as_deref() == Some(at.as_str()))
            .count()
            > 1
        {
            break;
        }
        below.push(lower);
        at = lower.id.clone();
    }
    let Some(here) = bodies.iter().find(|b| b.id == body_id) else {
        return Vec::new();
    };
    below
        .into_iter()
        .rev()
        .chain(std::iter::once(here))
        .chain(crate::features::bodies::model::ladder_above(
            bodies, body_id,
        ))
        .map(|b| (b.id.clone(), b.name.clone(), b.id == body_id))
        .collect()
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    (action, origins): (ActionRow, Origins),
    form: Option<ActionForm>,
) -> Result<ShowPage, WebError> {
    let ind = match &action.indicator_id {
        Some(i) => Some(crate::features::indicators::indicator_or_404(state, i).await?),
        None => None,
    };
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state.store.bodies().await?;
    let (origin, origin_href) = origins.of(&action);
    let body_name = |b: Option<&str>, level: Option<&str>| place_of(&bodies, level, b);
    let escalations = state
        .store
        .escalations(action.id)
        .await?
        .into_iter()
        .map(|e| EscalationLine {
            from: body_name(e.from_body_id.as_deref(), e.from_level.as_deref()),
            to: body_name(e.to_body_id.as_deref(), e.to_level.as_deref()),
            reason: e.reason,
            at: crate::features::changes::pages::moment_nl(&e.at),
            actor: if viewer.is_signed_in() {
                e.actor
            } else {
                String::new()
            },
        })
        .collect();
    let can_edit = match &viewer.user {
        Some(u) => may_edit_action(state, u, &action).await?,
        None => false,
    };
    let targets = escalation_targets(&bodies, action.body_id.as_deref(), action.level.as_deref())
        .into_iter()
        .map(|b| {
            let label = match b
                .kind
                .as_deref()
                .and_then(|k| EscalationLevel::parse(k).ok())
            {
                Some(level) if !b.name.contains(level.label()) => {
                    format!("{} ({})", b.name, level.label().to_lowercase())
                }
                _ => b.name.clone(),
            };
            Choice::new(b.id.clone(), label)
        })
        .collect();
    let plan = match &action.plan_id {
        Some(p) => state
            .store
            .plan_names()
            .await?
            .into_iter()
            .find(|(id, _)| id == p),
        None => None,
    };
    let ladder = action
        .body_id
        .as_deref()
        .map(|b| ladder_of(&bodies, b))
        .unwrap_or_default();
    let ladder_assumption = ladder
        .iter()
        .filter_map(|(id, _, _)| bodies.iter().find(|b| &b.id == id))
        .find_map(|b| b.escalates_assumption.clone());
    let owner_organisation = match &action.owner_organisation_id {
        Some(o) => state
            .store
            .organisation_names()
            .await?
            .get(o)
            .cloned()
            .unwrap_or_else(|| o.clone()),
        None => String::new(),
    };
    Ok(ShowPage {
        nav: "acties",
        origin,
        origin_href,
        plan,
        area: action
            .area_id
            .as_deref()
            .map(|a| catalog.area_name(a))
            .unwrap_or_default(),
        owner_organisation,
        deadline: action.deadline.as_deref().map(date_nl).unwrap_or_default(),
        overdue: action.is_overdue(crate::features::indicators::today()),
        place: place_of(&bodies, action.level.as_deref(), action.body_id.as_deref()),
        ladder,
        ladder_assumption,
        escalations,
        can_edit,
        follows_kpi: ind.is_some(),
        form: form.unwrap_or_else(|| ActionForm::from_row(&action)),
        errors: FormErrors::new(),
        areas: area_choices(state, ind.as_ref()).await?,
        organisations: organisation_choices(state, "Geen organisatie").await?,
        statuses: statuses(),
        targets,
        escalate_errors: FormErrors::new(),
        escalate_reason: String::new(),
        conflict: false,
        assumptions: state
            .store
            .assumption_lines::<ActionField>(&action.id.to_string())
            .await?,
        action,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<ShowPage, WebError> {
    let loaded = load_action(&state, &viewer, &id).await?;
    show_page(&state, &viewer, loaded, None).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (action, _) = load_action(&state, &viewer, &id).await?;
    require_action_editor(&state, &viewer, &action).await?;
    let form: ActionForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form, action.indicator_id.is_some(), action.plan_id.clone()) {
        Ok((fields, reason)) => settle_at(
            state
                .store
                .update_action(&viewer.actor(), &reason, action.id, version, &fields)
                .await,
            action_input,
            "title",
        )?,
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => {
            return Ok(flash::redirect(
                &format!("/acties/{}", action.id),
                Notice::Saved,
            ));
        }
        Err(not_saved) => not_saved,
    };
    let (status, conflict) = (not_saved.status(), not_saved.newer_version.is_some());
    let fresh = load_action(&state, &viewer, &id).await?;
    let mut page = show_page(&state, &viewer, fresh, (!conflict).then_some(form)).await?;
    page.conflict = conflict;
    page.errors = not_saved.errors;
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EscalateForm {
    pub version: String,
    pub to: String,
    pub reason: String,
}

async fn escalate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (action, _) = load_action(&state, &viewer, &id).await?;
    require_action_editor(&state, &viewer, &action).await?;
    let form: EscalateForm = parse_form(&body);
    let mut errors = FormErrors::new();
    let to = optional(&form.to);
    if to.is_none() {
        errors.add("to", "Naar: kies het overleg waar de actie naartoe gaat.");
    }
    let reason = optional(&form.reason);
    if reason.is_none() {
        errors.add(
            "reason",
            "Reden: schrijf waarom de actie naar een hoger overleg gaat, bijvoorbeeld: de werkgroep kan de capaciteit niet zelf regelen.",
        );
    }
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(to), Some(reason)) = (&to, &reason) {
        let saved = state
            .store
            .escalate_action(&viewer.actor(), action.id, version, to, reason)
            .await;
        match settle_at(saved, escalation_input, "to")? {
            Ok(_) => {
                return Ok(flash::redirect(&format!("/overleggen/{to}"), Notice::Saved));
            }
            Err(not_saved) => {
                status = not_saved.status();
                errors = not_saved.errors;
            }
        }
    }
    let fresh = load_action(&state, &viewer, &id).await?;
    let mut page = show_page(&state, &viewer, fresh, None).await?;
    page.escalate_errors = errors;
    page.escalate_reason = form.reason;
    page.conflict = status == StatusCode::CONFLICT;
    Ok((status, page).into_response())
}

/// The filter of the action list: the body it lies with, where it came from, and whether
/// finished ones are shown.
#[derive(Debug, Clone, Default)]
struct Filter {
    body: String,
    /// "kpi" or "vergadering"; empty for both.
    origin: String,
    /// Also the finished (afgerond, vervallen) ones.
    all: bool,
}

impl Filter {
    fn parse(pairs: &[(String, String)]) -> Result<Self, WebError> {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.trim();
            match k.as_str() {
                "overleg" => f.body = v.to_owned(),
                "herkomst" => match v {
                    "" | "kpi" | "vergadering" => f.origin = v.to_owned(),
                    other => {
                        return Err(WebError::BadRequest(format!(
                            "Herkomst (herkomst): \"{other}\" kennen we niet; kies kpi of vergadering."
                        )));
                    }
                },
                "status" => match v {
                    "" | "open" => f.all = false,
                    "alle" => f.all = true,
                    other => {
                        return Err(WebError::BadRequest(format!(
                            "Status (status): \"{other}\" kennen we niet; kies open of alle."
                        )));
                    }
                },
                _ => {}
            }
        }
        Ok(f)
    }

    fn keeps(&self, a: &ActionRow) -> bool {
        (self.body.is_empty() || a.body_id.as_deref() == Some(self.body.as_str()))
            && match self.origin.as_str() {
                "kpi" => a.indicator_id.is_some(),
                "vergadering" => a.meeting_id.is_some(),
                _ => true,
            }
            && (self.all || a.status().is_open())
    }
}

/// The actions the viewer may see that the filter keeps, open ones first.
async fn filtered(
    state: &AppState,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<(Vec<ActionLine>, Vec<BodyRow>), WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state.store.bodies().await?;
    let origins = Origins::load(&state.store).await?;
    let rows: Vec<ActionRow> = state
        .store
        .all_actions()
        .await?
        .into_iter()
        .filter(|a| filter.keeps(a))
        .collect();
    let mut lines = action_lines(
        &rows,
        &catalog,
        &bodies,
        &origins,
        viewer.is_signed_in(),
        crate::features::indicators::today(),
    );
    lines.sort_by_key(|l| !l.open);
    Ok((lines, bodies))
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub actions: Vec<ActionLine>,
    pub total: usize,
    pub overdue: usize,
    pub pages: PageNav,
    pub bodies: Vec<Choice>,
    pub origins: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub body: String,
    pub origin: String,
    pub status: String,
    pub filter_words: String,
    pub downloads: download::Links,
}

/// Every action, open ones first, overdue ones flagged; filtered by body, origin and status.
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<ListPage, WebError> {
    let (paging, rest) = Paging::split(&pairs)?;
    let filter = Filter::parse(&rest)?;
    let (all, bodies) = filtered(&state, &viewer, &filter).await?;
    let overdue = all.iter().filter(|a| a.overdue).count();
    let mut words = Vec::new();
    if let Some(b) = bodies.iter().find(|b| b.id == filter.body) {
        words.push(format!("ligt bij {}", b.name));
    }
    match filter.origin.as_str() {
        "kpi" => words.push("vervolgacties van KPI's".to_owned()),
        "vergadering" => words.push("actiepunten van vergaderingen".to_owned()),
        _ => {}
    }
    words.push(if filter.all { "alle statussen" } else { "open" }.to_owned());
    let total = all.len();
    Ok(ListPage {
        nav: "acties",
        pages: PageNav::new("/acties", &rest, paging, total),
        actions: paging.slice(all),
        total,
        overdue,
        bodies: Choice::none_then(
            "Alle overleggen",
            bodies
                .iter()
                .map(|b| Choice::new(b.id.clone(), b.name.clone())),
        ),
        origins: vec![
            Choice::new("", "KPI's en vergaderingen"),
            Choice::new("kpi", "Vervolgacties van KPI's"),
            Choice::new("vergadering", "Actiepunten van vergaderingen"),
        ],
        statuses: vec![
            Choice::new("open", "Open en bezig"),
            Choice::new("alle", "Alle, ook afgerond en vervallen"),
        ],
        body: filter.body.clone(),
        origin: filter.origin.clone(),
        status: if filter.all { "alle" } else { "open" }.to_owned(),
        filter_words: words.join(", "),
        downloads: download::Links::new("/acties", &rest)
            .with_note("de acties, met het filter hierboven"),
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
    let (all, _) = filtered(&state, &viewer, &filter).await?;
    let rows: Vec<Vec<Cell>> = all
        .into_iter()
        .map(|a| {
            vec![
                Cell::count(usize::try_from(a.id).unwrap_or_default()),
                Cell::text(a.title),
                Cell::text(a.origin),
                Cell::text(a.area),
                Cell::text(a.owner),
                if a.deadline_iso.is_empty() {
                    Cell::optional(None::<String>)
                } else {
                    Cell::fact_date(&a.deadline_iso)
                },
                Cell::yes(a.overdue),
                Cell::text(a.status),
                Cell::text(a.place),
                Cell::text(format!("/acties/{}", a.id)),
            ]
        })
        .collect();
    let mut rows = Some(rows);
    let table = download::Table::new(
        "acties".to_owned(),
        "Acties",
        vec![
            "Nummer",
            "Actie",
            "Herkomst",
            "Gebied",
            "Eigenaar",
            "Deadline",
            "Over tijd",
            "Status",
            "Ligt bij",
            "Pagina",
        ],
    );
    Ok(table.download(format, move |_| std::future::ready(Ok(rows.take()))))
}

/// The input of the action form for a field the store refuses.
fn action_input(field: ActionField) -> &'static str {
    match field {
        ActionField::Body | ActionField::Level => "body",
        other => other.code(),
    }
}

/// The input of the escalation form for a field the store refuses.
fn escalation_input(field: ActionField) -> &'static str {
    match field {
        ActionField::Body | ActionField::Level => "to",
        other => other.code(),
    }
}
