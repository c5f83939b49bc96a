//! A budget line's page (`/budgetten/{id}`) and the forms to add one to a plan and to save it;
//! a plan's capacity for a year (`/plannen/{id}/capaciteit/{jaar}`). Who may: a beheerder or a
//! trekker of an organisation that leads the plan, as for the plan itself.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{
    Amount, BudgetField, BudgetFields, BudgetRow, CapacityField, CapacityFields, capacity_amount,
};
use crate::domain::{
    ApplicationState, CapacityAssessment, CapacityUnit, Cents, FactDate, parse_number,
};
use crate::features::plans::edit::plan_guard;
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
        .get("/plannen/{id}/budgetten/nieuw", new_form)
        .post("/plannen/{id}/budgetten", create)
        .get("/budgetten/{id}", show)
        .post("/budgetten/{id}/bewerken", update)
        .get("/plannen/{id}/capaciteit/{jaar}", capacity_form)
        .post("/plannen/{id}/capaciteit/{jaar}", capacity_save)
}

/// The budget form as posted; all text, so what was typed comes back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BudgetForm {
    pub version: String,
    pub funding_source: String,
    pub year: String,
    pub state: String,
    pub state_date: String,
    pub requested: String,
    pub requested_date: String,
    pub requested_source: String,
    pub granted: String,
    pub granted_date: String,
    pub granted_source: String,
    pub spent: String,
    pub spent_date: String,
    pub spent_source: String,
    pub note: String,
    pub source: String,
    pub example: String,
    pub comment: String,
}

impl BudgetForm {
    fn from_row(b: &BudgetRow) -> Self {
        let cents = |c: Option<i64>| c.map(|c| Cents(c).input_text()).unwrap_or_default();
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        Self {
            version: b.version.to_string(),
            funding_source: b.funding_source_id.clone(),
            year: b.year.to_string(),
            state: text(&b.state),
            state_date: text(&b.state_date),
            requested: cents(b.requested_cents),
            requested_date: text(&b.requested_date),
            requested_source: text(&b.requested_source_id),
            granted: cents(b.granted_cents),
            granted_date: text(&b.granted_date),
            granted_source: text(&b.granted_source_id),
            spent: cents(b.spent_cents),
            spent_date: text(&b.spent_date),
            spent_source: text(&b.spent_source_id),
            note: text(&b.note),
            source: text(&b.source_id),
            example: if b.is_example != 0 {
                "ja".into()
            } else {
                String::new()
            },
            comment: String::new(),
        }
    }
}

fn optional_date(
    errors: &mut FormErrors,
    name: &str,
    label: &str,
    value: &str,
) -> Option<FactDate> {
    if value.trim().is_empty() {
        return None;
    }
    errors.check(name, label, FactDate::parse(value))
}

fn amount(
    errors: &mut FormErrors,
    name: &str,
    label: &str,
    value: &str,
    date: &str,
    source: &str,
) -> Amount {
    Amount {
        cents: if value.trim().is_empty() {
            None
        } else {
            errors.check(name, label, Cents::parse(value))
        },
        date: optional_date(
            errors,
            &format!("{name}_date"),
            &format!("{label}: datum"),
            date,
        ),
        source_id: optional(source),
    }
}

fn parse_year(errors: &mut FormErrors, value: &str) -> Option<i16> {
    let year = value
        .trim()
        .parse::<i64>()
        .map_err(|_| {
            crate::domain::ParseError::new(format!(
                "\"{}\" is geen jaar; schrijf een jaar als 2026",
                value.trim()
            ))
        })
        .and_then(super::model::year);
    errors.check("year", "Jaar", year)
}

fn validate(form: &BudgetForm) -> Result<(BudgetFields, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let source = optional(&form.funding_source);
    if source.is_none() {
        errors.add(
            "funding_source",
            "Financieringsbron: kies de bron waar het geld vandaan komt.",
        );
    }
    let year = parse_year(&mut errors, &form.year);
    let state = if form.state.trim().is_empty() {
        None
    } else {
        errors.check(
            "state",
            "Stand van de aanvraag",
            ApplicationState::parse(&form.state),
        )
    };
    let state_date = optional_date(&mut errors, "state_date", "Stand sinds", &form.state_date);
    let requested = amount(
        &mut errors,
        "requested",
        "Aangevraagd",
        &form.requested,
        &form.requested_date,
        &form.requested_source,
    );
    let granted = amount(
        &mut errors,
        "granted",
        "Toegekend",
        &form.granted,
        &form.granted_date,
        &form.granted_source,
    );
    let spent = amount(
        &mut errors,
        "spent",
        "Besteed",
        &form.spent,
        &form.spent_date,
        &form.spent_source,
    );
    match (source, year, errors.is_empty()) {
        (Some(funding_source_id), Some(year), true) => Ok((
            BudgetFields {
                funding_source_id,
                year,
                state,
                state_date,
                requested,
                granted,
                spent,
                note: optional(&form.note),
                source_id: optional(&form.source),
                assumption: None,
                is_example: !form.example.trim().is_empty(),
            },
            Reason {
                comment: optional(&form.comment),
                source: None,
            },
        )),
        _ => Err(errors),
    }
}

fn budget_input(field: BudgetField) -> &'static str {
    match field {
        BudgetField::Source => "funding_source",
        BudgetField::SourceDocument => "source",
        BudgetField::Example => "example",
        BudgetField::Assumption => "note",
        other => other.code(),
    }
}

struct Choices {
    funding: Vec<Choice>,
    states: Vec<Choice>,
    sources: Vec<Choice>,
}

async fn choices(state: &AppState, catalog: &Catalog) -> Result<Choices, WebError> {
    Ok(Choices {
        funding: Choice::none_then(
            "Kies een financieringsbron",
            state
                .store
                .funding_sources()
                .await?
                .into_iter()
                .map(|s| Choice::new(s.id, s.name)),
        ),
        states: Choice::none_then("Onbekend", Choice::all::<ApplicationState>()),
        sources: catalog.source_choices("Geen bron"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "finance/new.html")]
pub struct NewPage {
    pub nav: &'static str,
    pub plan_id: String,
    pub plan_name: String,
    pub form: BudgetForm,
    pub errors: FormErrors,
    pub funding: Vec<Choice>,
    pub states: Vec<Choice>,
    pub sources: Vec<Choice>,
}

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    plan_id: &str,
    form: BudgetForm,
    errors: FormErrors,
) -> Result<NewPage, WebError> {
    let plan = plan_guard(state, plan_id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let catalog = Catalog::load(&state.store).await?;
    let c = choices(state, &catalog).await?;
    Ok(NewPage {
        nav: "financiering",
        plan_id: plan_id.to_owned(),
        plan_name: plan.fields.name,
        form,
        errors,
        funding: c.funding,
        states: c.states,
        sources: c.sources,
    })
}

async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<NewPage, WebError> {
    let form = BudgetForm {
        year: crate::features::indicators::today().year().to_string(),
        ..BudgetForm::default()
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
    let form: BudgetForm = parse_form(&body);
    let outcome = match validate(&form) {
        Ok((fields, reason)) => settle_at(
            state
                .store
                .create_budget(&viewer.actor(), &reason, &id, &fields)
                .await,
            budget_input,
            "funding_source",
        )?,
        Err(errors) => Err(errors.into()),
    };
    match outcome {
        Ok(budget) => Ok(flash::redirect(
            &format!("/budgetten/{budget}"),
            Notice::Created,
        )),
        Err(not_saved) => {
            let status = not_saved.status();
            let page = new_page(&state, &viewer, &id, form, not_saved.errors).await?;
            Ok((status, page).into_response())
        }
    }
}

/// An amount as the budget page shows it, with its date and source.
pub struct AmountView {
    pub label: &'static str,
    pub amount: String,
    pub date: Option<String>,
    pub source: Option<SourceView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "finance/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub budget: BudgetRow,
    pub plan_name: String,
    pub funding_name: String,
    pub state_label: String,
    pub state_date: Option<String>,
    pub amounts: Vec<AmountView>,
    pub source: Option<SourceView>,
    pub can_edit: bool,
    pub form: BudgetForm,
    pub errors: FormErrors,
    pub funding: Vec<Choice>,
    pub states: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub conflict: bool,
}

async fn load(state: &AppState, id: &str) -> Result<BudgetRow, WebError> {
    let missing = || {
        WebError::NotFound(format!(
            "Er is geen budget \"{id}\". Zoek het budget op bij het plan of onder Financiering."
        ))
    };
    let n: i64 = id.parse().map_err(|_| missing())?;
    state.store.budget(n).await?.ok_or_else(missing)
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    b: BudgetRow,
    form: Option<BudgetForm>,
) -> Result<ShowPage, WebError> {
    let plan = plan_guard(state, &b.plan_id).await?;
    let can_edit = viewer
        .require_user()
        .is_ok_and(|u| u.may_edit_plan(&plan.fields.leads));
    let catalog = Catalog::load(&state.store).await?;
    let c = choices(state, &catalog).await?;
    let funding_name = state
        .store
        .funding_sources()
        .await?
        .into_iter()
        .find(|s| s.id == b.funding_source_id)
        .map_or_else(|| b.funding_source_id.clone(), |s| s.name);
    let view = |label, c: Option<i64>, d: &Option<String>, s: &Option<String>| AmountView {
        label,
        amount: c.map_or_else(|| "onbekend".to_owned(), |c| Cents(c).label_nl()),
        date: d.as_deref().map(date_nl),
        source: catalog.source(s.as_deref()),
    };
    Ok(ShowPage {
        nav: "financiering",
        plan_name: plan.fields.name,
        funding_name,
        state_label: b
            .state()
            .map_or_else(|| "Onbekend".to_owned(), |s| s.label().to_owned()),
        state_date: b.state_date.as_deref().map(date_nl),
        amounts: vec![
            view(
                "Aangevraagd",
                b.requested_cents,
                &b.requested_date,
                &b.requested_source_id,
            ),
            view(
                "Toegekend",
                b.granted_cents,
                &b.granted_date,
                &b.granted_source_id,
            ),
            view("Besteed", b.spent_cents, &b.spent_date, &b.spent_source_id),
        ],
        source: catalog.source(b.source_id.as_deref()),
        can_edit,
        form: form.unwrap_or_else(|| BudgetForm::from_row(&b)),
        errors: FormErrors::new(),
        funding: c.funding,
        states: c.states,
        sources: c.sources,
        conflict: false,
        budget: b,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<ShowPage, WebError> {
    let b = load(&state, &id).await?;
    show_page(&state, &viewer, b, None).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let b = load(&state, &id).await?;
    let plan = plan_guard(&state, &b.plan_id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let form: BudgetForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form) {
        Ok((fields, reason)) => settle_at(
            state
                .store
                .update_budget(&viewer.actor(), &reason, b.id, version, &fields)
                .await,
            budget_input,
            "funding_source",
        )?,
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => {
            return Ok(flash::redirect(
                &format!("/budgetten/{}", b.id),
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

// --- Capacity ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CapacityForm {
    pub version: String,
    pub amount: String,
    pub unit: String,
    pub assessment: String,
    pub note: String,
    pub date: String,
    pub source: String,
    pub comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "finance/capacity.html")]
pub struct CapacityPage {
    pub nav: &'static str,
    pub plan_id: String,
    pub plan_name: String,
    pub year: i16,
    pub form: CapacityForm,
    pub errors: FormErrors,
    pub units: Vec<Choice>,
    pub assessments: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub conflict: bool,
    pub is_new: bool,
}

fn capacity_input(field: CapacityField) -> &'static str {
    match field {
        CapacityField::SourceDocument => "source",
        other => other.code(),
    }
}

fn path_year(year: &str) -> Result<i16, WebError> {
    year.parse::<i64>()
        .ok()
        .and_then(|y| super::model::year(y).ok())
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "\"{year}\" is geen jaar tussen {} en {}.",
                super::YEARS.start(),
                super::YEARS.end()
            ))
        })
}

async fn capacity_page(
    state: &AppState,
    viewer: &Viewer,
    plan_id: &str,
    year: i16,
    form: Option<CapacityForm>,
) -> Result<CapacityPage, WebError> {
    let plan = plan_guard(state, plan_id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let catalog = Catalog::load(&state.store).await?;
    let stored = state
        .store
        .capacities()
        .await?
        .into_iter()
        .find(|c| c.plan_id == plan_id && c.year == i64::from(year));
    let is_new = stored.is_none();
    let form = form.unwrap_or_else(|| match &stored {
        Some(c) => CapacityForm {
            version: c.version.to_string(),
            amount: c
                .amount
                .map(crate::domain::format_number_nl)
                .unwrap_or_default(),
            unit: c.unit.clone().unwrap_or_else(|| "fte".into()),
            assessment: c.assessment.clone().unwrap_or_default(),
            note: c.note.clone().unwrap_or_default(),
            date: c.date.clone().unwrap_or_default(),
            source: c.source_id.clone().unwrap_or_default(),
            comment: String::new(),
        },
        None => CapacityForm {
            version: "0".into(),
            unit: "fte".into(),
            ..CapacityForm::default()
        },
    });
    Ok(CapacityPage {
        nav: "financiering",
        plan_id: plan_id.to_owned(),
        plan_name: plan.fields.name,
        year,
        form,
        errors: FormErrors::new(),
        units: Choice::all::<CapacityUnit>(),
        assessments: Choice::none_then("Geen oordeel", Choice::all::<CapacityAssessment>()),
        sources: catalog.source_choices("Geen bron"),
        conflict: false,
        is_new,
    })
}

async fn capacity_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, year)): Path<(String, String)>,
) -> Result<CapacityPage, WebError> {
    let year = path_year(&year)?;
    capacity_page(&state, &viewer, &id, year, None).await
}

async fn capacity_save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, year)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let year = path_year(&year)?;
    let plan = plan_guard(&state, &id).await?;
    viewer.require_plan_editor(&plan.fields.name, &plan.fields.leads)?;
    let form: CapacityForm = parse_form(&body);
    let mut errors = FormErrors::new();
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let unit = errors.check(
        "unit",
        "Eenheid",
        CapacityUnit::parse(if form.unit.is_empty() {
            "fte"
        } else {
            &form.unit
        }),
    );
    let amount = if form.amount.trim().is_empty() {
        None
    } else {
        errors
            .check(
                "amount",
                "Capaciteit",
                parse_number(&form.amount).and_then(capacity_amount),
            )
            .zip(unit)
    };
    let assessment = if form.assessment.trim().is_empty() {
        None
    } else {
        errors.check(
            "assessment",
            "Oordeel",
            CapacityAssessment::parse(&form.assessment),
        )
    };
    let date = optional_date(&mut errors, "date", "Datum", &form.date);
    let outcome = if errors.is_empty() {
        let fields = CapacityFields {
            year,
            amount,
            assessment,
            note: optional(&form.note),
            date,
            source_id: optional(&form.source),
        };
        let reason = Reason {
            comment: optional(&form.comment),
            source: None,
        };
        settle_at(
            state
                .store
                .save_capacity(&viewer.actor(), &reason, &id, version, &fields)
                .await,
            capacity_input,
            "amount",
        )?
    } else {
        Err(errors.into())
    };
    let not_saved = match outcome {
        Ok(_) => {
            return Ok(flash::redirect(
                &format!("/plannen/{id}#financiering"),
                Notice::Saved,
            ));
        }
        Err(not_saved) => not_saved,
    };
    let (status, conflict) = (not_saved.status(), not_saved.newer_version.is_some());
    let mut page = capacity_page(&state, &viewer, &id, year, (!conflict).then_some(form)).await?;
    page.conflict = conflict;
    page.errors = not_saved.errors;
    Ok((status, page).into_response())
}
