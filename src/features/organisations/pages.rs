//! Organisations as records: who leads (trekker) and who takes part (betrokken) in which plan.
//! A beheerder adds and edits them; every change lands in the organisation's history.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{OrganisationField, OrganisationFields, OrganisationRow};
use crate::domain::OrganisationKind;
use crate::features::changes::model::AuditScope;
use crate::features::changes::pages::last_change;
use crate::features::changes::pages::{ChangeLine, change_lines};
use crate::features::plans::model::PlanField;
use crate::store::Reason;
use crate::store::RecordField;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::ConflictLine;
use crate::web::forms::{
    Checked, conflict_line, missing_id, new_id, parse_form, required_name, settle,
};
use crate::web::forms::{Choice, FormErrors, optional};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::stage_label;

pub fn routes() -> Routes {
    Routes::new()
        .get("/organisaties", list)
        .get("/organisaties/nieuw", new_form)
        .post("/organisaties", create)
        .get("/organisaties/{id}", show)
        .get("/organisaties/{id}/bewerken", edit_form)
        .post("/organisaties/{id}/bewerken", update)
}

/// What only a beheerder may do here, for the refusal message.
const ADMIN_ONLY: &str = "organisaties toevoegen of wijzigen";

pub struct OrganisationLine {
    pub org: OrganisationRow,
    pub kind: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub organisations: Vec<OrganisationLine>,
    pub is_admin: bool,
    pub pages: crate::web::paging::PageNav,
}

/// The organisations as choices of a form, after "no organisation" with its label.
pub(crate) async fn organisation_choices(
    state: &AppState,
    none: &str,
) -> Result<Vec<Choice>, WebError> {
    let organisations = state.store.organisations().await?;
    Ok(Choice::none_then(
        none,
        organisations.into_iter().map(|o| Choice::new(o.id, o.name)),
    ))
}

fn kind_label(code: &str) -> String {
    OrganisationKind::parse(code).map_or_else(|_| code.to_owned(), |k| k.label().to_owned())
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Result<ListPage, WebError> {
    let (paging, rest) = crate::web::paging::Paging::split(&pairs)?;
    let all = state.store.organisations().await?;
    let pages = crate::web::paging::PageNav::new("/organisaties", &rest, paging, all.len());
    let organisations = paging
        .slice(all)
        .into_iter()
        .map(|org| OrganisationLine {
            kind: kind_label(&org.kind),
            org,
        })
        .collect();
    Ok(ListPage {
        nav: "organisaties",
        organisations,
        is_admin: viewer.is_admin(),
        pages,
    })
}

pub struct RolePlan {
    pub id: String,
    pub name: String,
    pub stage: String,
    /// That this organisation has this role is an aanname (the plan's page gives the reason).
    pub assumed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub org: OrganisationRow,
    pub kind: String,
    pub leads: Vec<RolePlan>,
    pub involved: Vec<RolePlan>,
    pub is_admin: bool,
    /// The organisation's audit trail, newest first.
    pub history: Vec<ChangeLine>,
}

fn not_found(id: &str) -> WebError {
    WebError::NotFound(format!(
        "Er is geen organisatie met de id \"{id}\". Kies een organisatie in de lijst."
    ))
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<ShowPage, WebError> {
    let org = state
        .store
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or_else(|| not_found(&id))?;
    let plans = state.store.organisation_plans(&org.id).await?;
    let assumed = state.store.assumed_fields::<PlanField>().await?;
    let of_role = |role: &str| {
        let field = if role == "trekker" {
            PlanField::Leads
        } else {
            PlanField::Parties
        };
        plans
            .iter()
            .filter(|(_, r)| r == role)
            .map(|(p, _)| RolePlan {
                id: p.id.clone(),
                name: p.name.clone(),
                stage: stage_label(p.stage.as_deref()),
                assumed: assumed.contains(&(p.id.clone(), field.code().to_owned())),
            })
            .collect()
    };
    let trail = state
        .store
        .audit_for(AuditScope::Organisation(&org.id), 100)
        .await?;
    Ok(ShowPage {
        nav: "organisaties",
        kind: kind_label(&org.kind),
        leads: of_role("trekker"),
        involved: of_role("betrokken"),
        is_admin: viewer.is_admin(),
        history: change_lines(trail, &viewer),
        org,
    })
}

// --- Adding and editing ---

/// The organisation form as posted. Every field is text so that what the user typed comes back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrganisationForm {
    pub version: String,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub website: String,
    pub comment: String,
}

impl OrganisationForm {
    fn from_stored(f: &OrganisationFields, version: i64) -> Self {
        Self {
            version: version.to_string(),
            name: f.name.clone(),
            kind: f.kind.code().to_owned(),
            website: f.website.clone().unwrap_or_default(),
            ..Self::default()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/edit.html")]
pub struct EditPage {
    pub nav: &'static str,
    /// `None` for a new organisation.
    pub org_id: Option<String>,
    pub title: String,
    pub form: OrganisationForm,
    pub kinds: Vec<Choice>,
    pub errors: FormErrors,
    /// Someone else saved first: the user's values next to the stored ones (empty otherwise).
    pub conflict: Vec<ConflictLine>,
    /// Who saved last and when, on a conflict.
    pub last_change: Option<String>,
}

impl EditPage {
    fn new(org_id: Option<String>, title: String, form: OrganisationForm) -> Self {
        Self {
            nav: "organisaties",
            org_id,
            title,
            form,
            kinds: Choice::all::<OrganisationKind>(),
            errors: FormErrors::new(),
            conflict: Vec::new(),
            last_change: None,
        }
    }
}

/// Turns the posted form into an organisation, or says per field (in form order) what to fix.
/// A new organisation also needs an id.
fn validate(
    form: &OrganisationForm,
    creating: bool,
) -> Result<Checked<OrganisationFields>, FormErrors> {
    let mut errors = FormErrors::new();
    let name = required_name(
        &mut errors,
        &form.name,
        "vul de naam van de organisatie in.",
    );
    let id = if creating {
        new_id(&mut errors, &form.id, name.as_deref())
    } else {
        None
    };
    let kind = errors.check("kind", "Soort", OrganisationKind::parse(&form.kind));
    let website = optional(&form.website);
    if let Some(w) = &website {
        let is_web_address = (w.starts_with("https://") || w.starts_with("http://"))
            && !w.contains(char::is_whitespace)
            && url::Url::parse(w).is_ok_and(|u| u.host_str().is_some_and(|h| h.contains('.')));
        if !is_web_address {
            errors.add(
                "website",
                "Website: vul een webadres in dat begint met https:// of http://, bijvoorbeeld https://www.voorbeeld.nl, of laat het veld leeg.",
            );
        }
    }
    match (name, kind, errors.is_empty()) {
        (Some(name), Some(kind), true) => Ok((
            id,
            OrganisationFields {
                name,
                kind,
                website,
            },
            Reason {
                comment: optional(&form.comment),
                source: None,
            },
        )),
        _ => Err(errors),
    }
}

async fn new_form(viewer: Viewer) -> Result<EditPage, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let form = OrganisationForm {
        kind: OrganisationKind::ALL[0].code().to_owned(),
        ..OrganisationForm::default()
    };
    Ok(EditPage::new(None, "Nieuwe organisatie".into(), form))
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let form: OrganisationForm = parse_form(&body);
    let outcome = match validate(&form, true) {
        Ok((Some(id), fields, reason)) => settle::<_, OrganisationField>(
            state
                .store
                .save_organisation(&viewer.actor(), &reason, id.as_str(), None, &fields)
                .await
                .map(|_| id),
        )?,
        Ok((None, ..)) => Err(missing_id().into()),
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(id) => {
            return Ok(flash::redirect(
                &format!("/organisaties/{id}"),
                Notice::Created,
            ));
        }
        Err(not_saved) => not_saved,
    };
    let mut page = EditPage::new(None, "Nieuwe organisatie".into(), form);
    page.errors = not_saved.for_new_record();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<EditPage, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let (fields, version) = stored(&state, &id).await?;
    let title = format!("{} bewerken", fields.name);
    Ok(EditPage::new(
        Some(id),
        title,
        OrganisationForm::from_stored(&fields, version),
    ))
}

/// The organisation as stored, with its version, or "not found".
async fn stored(state: &AppState, id: &str) -> Result<(OrganisationFields, i64), WebError> {
    state
        .store
        .stored_organisation(id)
        .await?
        .ok_or_else(|| not_found(id))
}

fn conflict_lines(yours: &OrganisationForm, stored: &OrganisationForm) -> Vec<ConflictLine> {
    vec![
        conflict_line("Naam", &yours.name, &stored.name),
        conflict_line("Soort", &kind_label(&yours.kind), &kind_label(&stored.kind)),
        conflict_line("Website", &yours.website, &stored.website),
    ]
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let (stored, _) = stored(&state, &id).await?;
    let form: OrganisationForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form, false) {
        Ok((_, fields, reason)) => settle::<_, OrganisationField>(
            state
                .store
                .save_organisation(&viewer.actor(), &reason, &id, Some(version), &fields)
                .await,
        )?,
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => {
            return Ok(flash::redirect(
                &format!("/organisaties/{id}#historie"),
                Notice::Saved,
            ));
        }
        Err(not_saved) => not_saved,
    };
    let status = not_saved.status();
    let mut page = EditPage::new(Some(id.clone()), format!("{} bewerken", stored.name), form);
    if let Some(current) = not_saved.newer_version {
        let (now, _) = self::stored(&state, &id).await?;
        page.conflict = conflict_lines(&page.form, &OrganisationForm::from_stored(&now, current));
        page.last_change =
            last_change(&state, AuditScope::Organisation(&id), "organisation", &id).await?;
        page.form.version = current.to_string();
    }
    page.errors = not_saved.errors;
    Ok((status, page).into_response())
}
