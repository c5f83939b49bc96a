//! A milestone's page (`/mijlpalen/{id}`: its period, status with every step, source and
//! aanname) and the forms to add one to a plan and to save it. Who may: a beheerder or a
//! trekker of an organisation that leads the plan, as for the plan itself.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{MilestoneField, MilestoneFields};
use crate::domain::{FactDate, FrameworkKind, MilestoneStatus};
use crate::features::plans::edit::plan_guard;
use crate::features::plans::model::MilestoneRow;
use crate::store::{Reason, RecordField};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional, parse_form, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, SourceView, date_nl};

pub fn routes() -> Routes {
    Routes::new()
        .get("/plannen/{id}/mijlpalen/nieuw", new_form)
        .post("/plannen/{id}/mijlpalen", create)
        .get("/mijlpalen/{id}", show)
        .post("/mijlpalen/{id}/bewerken", update)
}

/// The milestone form as posted; all text, so what was typed comes back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    pub version: String,
    pub title: String,
    pub period: String,
    pub theme: String,
    pub note: String,
    pub source: String,
    pub status: String,
    pub status_date: String,
    pub status_source: String,
    pub comment: String,
}

impl MilestoneForm {
    fn from_row(m: &MilestoneRow) -> Self {
        Self {
            version: m.version.to_string(),
            title: m.title.clone(),
            period: m.period.clone().unwrap_or_default(),
            theme: m.theme_id.clone().unwrap_or_default(),
            note: m.note.clone().unwrap_or_default(),
            source: m.source_id.clone().unwrap_or_default(),
            status: m.status.clone(),
            status_date: m.status_date.clone().unwrap_or_default(),
            status_source: m.status_source_id.clone().unwrap_or_default(),
            comment: String::new(),
        }
    }
}

/// A period or date field: empty is unknown ("periode onbekend").
fn fact_date(errors: &mut FormErrors, name: &str, label: &str, value: &str) -> FactDate {
    if value.trim().is_empty() {
        return FactDate::Unknown;
    }
    errors
        .check(name, label, FactDate::parse(value))
        .unwrap_or(FactDate::Unknown)
}

fn validate(form: &MilestoneForm) -> Result<(MilestoneFields, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let title = optional(&form.title);
    if title.is_none() {
        errors.add(
            "title",
            "Mijlpaal: beschrijf de mijlpaal in een zin, bijvoorbeeld: start zorgpad slaapproblemen.",
        );
    }
    let period = fact_date(&mut errors, "period", "Periode", &form.period);
    let status = errors.check(
        "status",
        "Status",
        MilestoneStatus::parse(if form.status.is_empty() {
            "gepland"
        } else {
            &form.status
        }),
    );
    let status_date = fact_date(
        &mut errors,
        "status_date",
        "Status sinds",
        &form.status_date,
    );
    match (title, status, errors.is_empty()) {
        (Some(title), Some(status), true) => Ok((
            MilestoneFields {
                title,
                period,
                theme_id: optional(&form.theme),
                note: optional(&form.note),
                source_id: optional(&form.source),
                status,
                status_date,
                status_source_id: optional(&form.status_source),
            },
            Reason {
                comment: optional(&form.comment),
                source: None,
            },
        )),
        _ => Err(errors),
    }
}

fn input(field: MilestoneField) -> &'static str {
    match field {
        MilestoneField::Theme => "theme",
        MilestoneField::Source => "source",
        MilestoneField::StatusSource => "status_source",
        MilestoneField::Assumption => "period",
        other => other.code(),
    }
}

/// The choices of the form: opgaven, sources and statuses.
struct Choices {
    themes: Vec<Choice>,
    sources: Vec<Choice>,
    statuses: Vec<Choice>,
}

fn choices(catalog: &Catalog) -> Choices {
    Choices {
        themes: Choice::none_then(
            "Geen eigen opgave",
            catalog
                .items(FrameworkKind::Theme)
                .map(|t| Choice::new(t.id.clone(), t.name.clone())),
        ),
        sources: catalog.source_choices("Geen bron"),
        statuses: Choice::all::<MilestoneStatus>(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "werkagenda/new.html")]
pub struct NewPage {
    pub nav: &'static str,
    pub plan_id: String,
    pub plan_name: String,
    pub form: MilestoneForm,
    pub errors: FormErrors,
    pub themes: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub statuses: Vec<Choice>,
}

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    plan_id: &str,
    form: MilestoneForm,
    errors: FormErrors,
) -> Result<NewPage, WebError> {
    let plan = plan_guard(state, plan_id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let catalog = Catalog::load(&state.store).await?;
    let c = choices(&catalog);
    Ok(NewPage {
        nav: "werkagenda",
        plan_id: plan_id.to_owned(),
        plan_name: plan.fields.name,
        form,
        errors,
        themes: c.themes,
        sources: c.sources,
        statuses: c.statuses,
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<NewPage, WebError> {
    let form = MilestoneForm {
        status: MilestoneStatus::Planned.code().to_owned(),
        ..MilestoneForm::default()
    };
    new_page(&state, &viewer, &id, form, FormErrors::new()).await
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let plan = plan_guard(&state, &id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let form: MilestoneForm = parse_form(&body);
    let outcome = match validate(&form) {
        Ok((fields, reason)) => settle_at(
            state
                .store
                .create_milestone(&viewer.actor(), &reason, &id, &fields)
                .await,
            input,
            "title",
        )?,
        Err(errors) => Err(errors.into()),
    };
    match outcome {
        Ok(milestone) => Ok(flash::redirect(
            &format!("/mijlpalen/{milestone}"),
            Notice::Created,
        )),
        Err(not_saved) => {
            let status = not_saved.status();
            let page = new_page(&state, &viewer, &id, form, not_saved.errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub struct StepLine {
    pub status: String,
    pub symbol: &'static str,
    pub period: String,
    pub date: String,
    pub source: Option<SourceView>,
    pub note: Option<String>,
    pub recorded: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "werkagenda/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub milestone: MilestoneRow,
    pub plan_name: String,
    pub period: String,
    pub theme: Option<String>,
    pub status_label: String,
    pub status_symbol: &'static str,
    pub status_since: String,
    pub source: Option<SourceView>,
    pub status_source: Option<SourceView>,
    pub steps: Vec<StepLine>,
    pub can_edit: bool,
    pub form: MilestoneForm,
    pub errors: FormErrors,
    pub themes: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub conflict: bool,
}

fn milestone_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| {
        WebError::NotFound(format!(
            "Er is geen mijlpaal \"{id}\". Zoek de mijlpaal op in de werkagenda."
        ))
    })
}

async fn load(state: &AppState, id: &str) -> Result<MilestoneRow, WebError> {
    let n = milestone_id(id)?;
    state.store.milestone(n).await?.ok_or_else(|| {
        WebError::NotFound(format!(
            "Er is geen mijlpaal {n}. Zoek de mijlpaal op in de werkagenda."
        ))
    })
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    m: MilestoneRow,
    form: Option<MilestoneForm>,
) -> Result<ShowPage, WebError> {
    let plan = plan_guard(state, &m.plan_id).await?;
    let can_edit = viewer
        .require_user()
        .is_ok_and(|u| u.may_edit_plan(&plan.fields.leads));
    let catalog = Catalog::load(&state.store).await?;
    let c = choices(&catalog);
    let steps = state
        .store
        .milestone_steps(m.id)
        .await?
        .into_iter()
        .map(|s| {
            let status = MilestoneStatus::parse(&s.status).unwrap_or(MilestoneStatus::Planned);
            StepLine {
                status: status.label().to_owned(),
                symbol: status.symbol(),
                period: s
                    .period
                    .as_deref()
                    .map_or_else(|| "periode onbekend".to_owned(), date_nl),
                date: date_nl(&s.date),
                source: catalog.source(s.source_id.as_deref()),
                note: s.note,
                recorded: crate::features::changes::pages::moment_nl(&s.recorded_at),
            }
        })
        .collect();
    let status = m.status();
    let period = m.period();
    Ok(ShowPage {
        nav: "werkagenda",
        plan_name: plan.fields.name,
        period: if period.is_known() {
            period.label_nl()
        } else {
            "periode onbekend".to_owned()
        },
        theme: m
            .theme_id
            .as_deref()
            .and_then(|t| catalog.item(t))
            .map(|t| t.name.clone()),
        status_label: status.label().to_owned(),
        status_symbol: status.symbol(),
        status_since: m
            .status_date
            .as_deref()
            .map_or_else(|| "datum onbekend".to_owned(), date_nl),
        source: catalog.source(m.source_id.as_deref()),
        status_source: catalog.source(m.status_source_id.as_deref()),
        steps,
        can_edit,
        form: form.unwrap_or_else(|| MilestoneForm::from_row(&m)),
        errors: FormErrors::new(),
        themes: c.themes,
        sources: c.sources,
        statuses: c.statuses,
        conflict: false,
        milestone: m,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<ShowPage, WebError> {
    let m = load(&state, &id).await?;
    show_page(&state, &viewer, m, None).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let m = load(&state, &id).await?;
    let plan = plan_guard(&state, &m.plan_id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let form: MilestoneForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form) {
        Ok((fields, reason)) => settle_at(
            state
                .store
                .update_milestone(&viewer.actor(), &reason, m.id, version, &fields)
                .await,
            input,
            "title",
        )?,
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => {
            return Ok(flash::redirect(
                &format!("/mijlpalen/{}", m.id),
                Notice::Saved,
            ));
        }
        Err(not_saved) => not_saved,
    };
    let (status, conflict) = (not_saved.status(), not_saved.newer_version.is_some());
    let fresh = load(&state, &id).await?;
    let mut page = show_page(&state, &viewer, fresh, (!conflict).then_some(form)).await?;
    page.conflict = conflict;
    page.errors = not_saved.errors;
    Ok((status, page).into_response())
}
