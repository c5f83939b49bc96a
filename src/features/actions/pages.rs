//! Follow-up actions (vervolgacties): what is done when a KPI is not met, by whom and when,
//! and the escalation werkgroep → kernteam → regiegroep → BBO with a reason. The bodies'
//! pages list what sits with them (see `web::bodies`).

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;

use super::model::{ActionField, ActionFields, ActionRow};
use crate::domain::{ActionStatus, EscalationLevel, parse_date};
use crate::features::bodies::model::BodyRow;
use crate::features::indicators::model::IndicatorRow;
use crate::features::indicators::require_kpi_editor;
use crate::features::organisations::pages::organisation_choices;
use crate::store::{Reason, RecordField};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional, parse_form, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, date_nl};

pub fn routes() -> Routes {
    Routes::new()
        .get("/indicatoren/{id}/acties/nieuw", new_form)
        .post("/indicatoren/{id}/acties", create)
        .get("/acties", list)
        .get("/acties/{id}", show)
        .post("/acties/{id}/bewerken", update)
        .post("/acties/{id}/escaleren", escalate)
}

/// An action in a list (KPI page, body page, overview).
pub struct ActionLine {
    pub id: i64,
    pub title: String,
    pub area: String,
    pub owner: String,
    pub deadline: String,
    pub status: &'static str,
    pub level: &'static str,
    pub body: String,
    pub overdue: bool,
    pub open: bool,
}

pub fn action_lines(
    actions: &[ActionRow],
    catalog: &Catalog,
    bodies: &[BodyRow],
    today: Date,
) -> Vec<ActionLine> {
    actions
        .iter()
        .map(|a| ActionLine {
            id: a.id,
            title: a.title.clone(),
            area: a
                .area_id
                .as_deref()
                .map(|x| catalog.area_name(x))
                .unwrap_or_else(|| "Alle gebieden".into()),
            owner: a.owner.clone(),
            deadline: date_nl(&a.deadline),
            status: a.status().label(),
            level: a.level().label(),
            body: a
                .body_id
                .as_deref()
                .and_then(|b| bodies.iter().find(|x| x.id == b))
                .map(|b| b.name.clone())
                .unwrap_or_default(),
            overdue: a.is_overdue(today),
            open: a.status().is_open(),
        })
        .collect()
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
            owner: a.owner.clone(),
            owner_organisation: a.owner_organisation_id.clone().unwrap_or_default(),
            area: a.area_id.clone().unwrap_or_default(),
            deadline: a.deadline.clone(),
            status: a.status.clone(),
            body: a.body_id.clone().unwrap_or_default(),
            comment: String::new(),
        }
    }
}

fn validate(form: &ActionForm) -> Result<(ActionFields, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let title = optional(&form.title);
    if title.is_none() {
        errors.add(
            "title",
            "Wat: beschrijf in een zin wat er gebeurt, bijvoorbeeld: extra versnellingssessie met de praktijken in Zeist.",
        );
    }
    let owner = optional(&form.owner);
    if owner.is_none() {
        errors.add(
            "owner",
            "Eigenaar: vul in wie de actie uitvoert (een rol of organisatie), bijvoorbeeld: trekker MTVP.",
        );
    }
    let deadline = match optional(&form.deadline) {
        None => {
            errors.add(
                "deadline",
                "Deadline: vul de datum in waarop de actie klaar is, als JJJJ-MM-DD, bijvoorbeeld 2027-03-31.",
            );
            None
        }
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
    match (title, owner, deadline, status, errors.is_empty()) {
        (Some(title), Some(owner), Some(deadline), Some(status), true) => Ok((
            ActionFields {
                area_id: optional(&form.area),
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
#[template(path = "indicators/action_new.html")]
pub struct NewPage {
    pub nav: &'static str,
    pub ind: IndicatorRow,
    pub form: ActionForm,
    pub errors: FormErrors,
    pub areas: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub workgroups: Vec<Choice>,
}

async fn choices(
    state: &AppState,
    ind: &IndicatorRow,
) -> Result<(Vec<Choice>, Vec<Choice>, Vec<Choice>), WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let areas = Choice::none_then(
        "De KPI als geheel",
        crate::features::indicators::level_choices(&catalog, ind),
    );
    let organisations = organisation_choices(state, "Geen organisatie").await?;
    let workgroups = Choice::none_then(
        "Geen werkgroep genoemd",
        state
            .store
            .bodies()
            .await?
            .into_iter()
            .filter(|b| b.kind.as_deref() == Some(EscalationLevel::Workgroup.code()))
            .map(|b| Choice::new(b.id, b.name)),
    );
    Ok((areas, organisations, workgroups))
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
    let (areas, organisations, workgroups) = choices(&state, &ind).await?;
    let form = ActionForm {
        area: q.gebied,
        owner_organisation: ind.owner_organisation_id.clone().unwrap_or_default(),
        status: "open".into(),
        ..ActionForm::default()
    };
    Ok(NewPage {
        nav: "indicatoren",
        ind,
        form,
        errors: FormErrors::new(),
        areas,
        organisations,
        statuses: statuses(),
        workgroups,
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
    let outcome = match validate(&form) {
        Ok((fields, reason)) => {
            let body_id = optional(&form.body);
            let saved = state
                .store
                .create_action(
                    &viewer.actor(),
                    &reason,
                    &ind.id,
                    &fields,
                    EscalationLevel::Workgroup,
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
    let (areas, organisations, workgroups) = choices(&state, &ind).await?;
    let page = NewPage {
        nav: "indicatoren",
        ind,
        form,
        errors,
        areas,
        organisations,
        statuses: statuses(),
        workgroups,
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
#[template(path = "indicators/action.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub action: ActionRow,
    pub ind: IndicatorRow,
    pub area: String,
    pub deadline: String,
    pub overdue: bool,
    pub level: &'static str,
    pub body: String,
    pub escalations: Vec<EscalationLine>,
    pub can_edit: bool,
    pub form: ActionForm,
    pub errors: FormErrors,
    pub areas: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub statuses: Vec<Choice>,
    /// Higher bodies to escalate to: value "level:body" (body may be empty).
    pub targets: Vec<Choice>,
    pub escalate_errors: FormErrors,
    pub escalate_reason: String,
    /// Someone saved in the meantime; the page says so and shows the stored values.
    pub conflict: bool,
}

async fn load_action(state: &AppState, id: &str) -> Result<ActionRow, WebError> {
    let not_found = || {
        WebError::NotFound(format!(
            "Er is geen vervolgactie met nummer {id}. Kies een actie op de pagina van een KPI."
        ))
    };
    let n: i64 = id.parse().map_err(|_| not_found())?;
    state.store.action(n).await?.ok_or_else(not_found)
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    action: ActionRow,
    form: Option<ActionForm>,
) -> Result<ShowPage, WebError> {
    let ind = crate::features::indicators::indicator_or_404(state, &action.indicator_id).await?;
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state.store.bodies().await?;
    let body_name = |b: Option<&str>| {
        b.and_then(|b| bodies.iter().find(|x| x.id == b))
            .map(|b| b.name.clone())
    };
    let escalations = state
        .store
        .escalations(action.id)
        .await?
        .into_iter()
        .map(|e| EscalationLine {
            from: body_name(e.from_body_id.as_deref()).unwrap_or_else(|| {
                EscalationLevel::parse(&e.from_level)
                    .map_or(e.from_level.clone(), |l| l.label().to_owned())
            }),
            to: body_name(e.to_body_id.as_deref()).unwrap_or_else(|| {
                EscalationLevel::parse(&e.to_level)
                    .map_or(e.to_level.clone(), |l| l.label().to_owned())
            }),
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
        Some(u) => u.may_enter_for_kpi(&state.store.indicator_editors(&ind.id).await?),
        None => false,
    };
    let (areas, organisations, _) = choices(state, &ind).await?;
    let mut targets = Vec::new();
    for level in action.level().above() {
        let at_level: Vec<&BodyRow> = bodies
            .iter()
            .filter(|b| b.kind.as_deref() == Some(level.code()))
            .collect();
        if at_level.is_empty() {
            targets.push(Choice::new(format!("{}:", level.code()), level.label()));
        }
        for b in at_level {
            targets.push(Choice::new(
                format!("{}:{}", level.code(), b.id),
                format!("{}: {}", level.label(), b.name),
            ));
        }
    }
    Ok(ShowPage {
        nav: "indicatoren",
        area: action
            .area_id
            .as_deref()
            .map(|a| catalog.area_name(a))
            .unwrap_or_else(|| "De KPI als geheel".into()),
        deadline: date_nl(&action.deadline),
        overdue: action.is_overdue(crate::features::indicators::today()),
        level: action.level().label(),
        body: body_name(action.body_id.as_deref()).unwrap_or_default(),
        escalations,
        can_edit,
        form: form.unwrap_or_else(|| ActionForm::from_row(&action)),
        errors: FormErrors::new(),
        areas,
        organisations,
        statuses: statuses(),
        targets,
        escalate_errors: FormErrors::new(),
        escalate_reason: String::new(),
        conflict: false,
        ind,
        action,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<ShowPage, WebError> {
    let action = load_action(&state, &id).await?;
    show_page(&state, &viewer, action, None).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let action = load_action(&state, &id).await?;
    let ind = crate::features::indicators::indicator_or_404(&state, &action.indicator_id).await?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let form: ActionForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form) {
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
    let fresh = load_action(&state, &id).await?;
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
    let action = load_action(&state, &id).await?;
    let ind = crate::features::indicators::indicator_or_404(&state, &action.indicator_id).await?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let form: EscalateForm = parse_form(&body);
    let mut errors = FormErrors::new();
    let (level, body_id) = form.to.split_once(':').unwrap_or((form.to.as_str(), ""));
    let level = match EscalationLevel::parse(level) {
        Ok(l) => Some(l),
        Err(_) => {
            errors.add("to", "Naar: kies het overleg waar de actie naartoe gaat.");
            None
        }
    };
    let reason = optional(&form.reason);
    if reason.is_none() {
        errors.add(
            "reason",
            "Reden: schrijf waarom de actie naar een hoger overleg gaat, bijvoorbeeld: de werkgroep kan de capaciteit niet zelf regelen.",
        );
    }
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(level), Some(reason)) = (level, &reason) {
        let body_id = optional(body_id);
        let saved = state
            .store
            .escalate_action(
                &viewer.actor(),
                action.id,
                version,
                level,
                body_id.as_deref(),
                reason,
            )
            .await;
        match settle_at(saved, escalation_input, "to")? {
            Ok(_) => {
                let back = match body_id {
                    Some(b) => format!("/overleggen/{b}"),
                    None => format!("/acties/{}", action.id),
                };
                return Ok(flash::redirect(&back, Notice::Saved));
            }
            Err(not_saved) => {
                status = not_saved.status();
                errors = not_saved.errors;
            }
        }
    }
    let fresh = load_action(&state, &id).await?;
    let mut page = show_page(&state, &viewer, fresh, None).await?;
    page.escalate_errors = errors;
    page.escalate_reason = form.reason;
    page.conflict = status == StatusCode::CONFLICT;
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/actions.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub open: Vec<ActionLine>,
    pub closed: Vec<ActionLine>,
    pub overdue: usize,
}

/// Every follow-up action, open ones first, overdue ones flagged.
async fn list(State(state): State<AppState>) -> Result<ListPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state.store.bodies().await?;
    let all = action_lines(
        &state.store.all_actions().await?,
        &catalog,
        &bodies,
        crate::features::indicators::today(),
    );
    let overdue = all.iter().filter(|a| a.overdue).count();
    let (open, closed) = all.into_iter().partition(|a| a.open);
    Ok(ListPage {
        nav: "indicatoren",
        open,
        closed,
        overdue,
    })
}

/// The input of the action form for a field the store refuses.
fn action_input(field: ActionField) -> &'static str {
    match field {
        ActionField::Body | ActionField::Level => "body",
        other => other.code(),
    }
}

/// The input of the escalation form for a field the store refuses: the level and the body
/// are both chosen in "Naar".
fn escalation_input(field: ActionField) -> &'static str {
    match field {
        ActionField::Body | ActionField::Level => "to",
        other => other.code(),
    }
}
