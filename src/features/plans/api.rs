//! Plans as JSON: reading them, and writing with a personal token (`Authorization: Bearer
//! ...`) and the same roles, checks, versions and audit trail as the forms.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::edit::{PlanForm, plan_guard, plan_input, validate};
use super::model::{FundingSourceRow, PlanDetail, PlanField};
use super::texts::{plan_texts, with_plan_texts};
use crate::domain::Slug;
use crate::store::StoreError;
use crate::web::AppState;
use crate::web::api::Saved;
use crate::web::download;
use crate::web::error::{ApiError, ApiErrorBody, WebError};
use crate::web::filter::FilterChoice;
use crate::web::forms::{FormErrors, optional};
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::Catalog;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/plans", plans)
        .get("/api/v1/plans/{id}", plan)
        .get("/api/v1/funding-sources", funding_sources)
        .post("/api/v1/plans", create_plan)
        .put("/api/v1/plans/{id}", update_plan)
}

/// Plans per page of the API when `per_pagina` is not given. A plan object carries its
/// rollouts, steps, milestones and money, about 4 KB each on the national data set: 50 keep
/// a page near 200 KB; a client that wants more asks for up to 1000, or for `alles=1`.
pub const API_PAGE: usize = 50;

/// Filters for the list of plans; each narrows the list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the query; the handler reads the pairs to refuse unknown names.
struct PlanQuery {
    /// Id of a subregio: its plans, those of its gemeenten, region-wide plans and plans whose
    /// working area (werkgebied) holds it.
    subregio: Option<String>,
    /// CBS code of a gemeente, e.g. `GM0355`: plans whose working area holds it, or that a
    /// source names for it.
    gemeente: Option<String>,
    /// Id of an opgave, e.g. `gezond-ouder-worden`.
    opgave: Option<String>,
    /// Id of a transformation, e.g. `t5-zorg-dichtbij`.
    transformatie: Option<String>,
    /// Stage code, e.g. `tp-goedgekeurd`.
    fase: Option<String>,
    /// Page number, from 1 (default 1). The answer's `Link` header names the next page and
    /// `X-Total-Count` the number of plans the filter selects.
    pagina: Option<usize>,
    /// Plans per page: 1 to 1000 (default 50).
    per_pagina: Option<usize>,
    /// `alles=1`: every plan the filter selects, streamed, without paging.
    alles: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/plans", params(PlanQuery),
    responses((status = 200, body = [PlanDetail]), (status = 400, description = "Onbekend filter of onbekende waarde", body = ApiErrorBody)))]
pub async fn plans(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::response::Response, ApiError> {
    let all = pairs.iter().any(|(k, v)| k == "alles" && v == "1");
    let pairs: Vec<_> = pairs.into_iter().filter(|(k, _)| k != "alles").collect();
    let (paging, pairs) = Paging::split_sized(&pairs, API_PAGE)?;
    let version = state.data_version().await;
    let catalog = state.catalog(version).await?;
    let (_, filter) = FilterChoice::parse(&pairs, &catalog)?;
    let internal = viewer.sees_internal();
    if all {
        return Ok(download::json_array("plannen.json", move |n| {
            let (state, filter) = (state.clone(), filter.clone());
            async move {
                let paging = Paging {
                    number: n + 1,
                    size: download::BATCH,
                };
                page_of_plans(&state, &filter, paging, internal).await
            }
        }));
    }
    let total = state.plan_total(version, &filter).await?;
    let plans = page_of_plans(&state, &filter, paging, internal).await?;
    let nav = PageNav::sized("/api/v1/plans", &pairs, paging, total, API_PAGE);
    let mut response = Json(plans).into_response();
    nav.set_headers(&mut response);
    Ok(response)
}

/// One page of plan objects; without internal notes for readers who may not see them.
async fn page_of_plans(
    state: &AppState,
    filter: &crate::features::plans::model::PlanFilter,
    paging: Paging,
    internal: bool,
) -> Result<Vec<PlanDetail>, StoreError> {
    let Some(page) = state.store.plan_page(filter, paging).await? else {
        return Ok(Vec::new());
    };
    let mut plans = state.store.plan_details(&page).await?;
    if !internal {
        for p in &mut plans {
            p.plan.internal_note = None;
        }
    }
    Ok(plans)
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = String, Path, description = "Id of the plan")),
    responses((status = 200, body = PlanDetail), (status = 404, body = ApiErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<PlanDetail>, ApiError> {
    let mut detail = state
        .store
        .plan_detail(&id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Er is geen plan met de id \"{id}\".")))?;
    if !viewer.sees_internal() {
        detail.plan.internal_note = None;
    }
    Ok(Json(detail))
}

#[utoipa::path(get, path = "/api/v1/funding-sources", responses((status = 200, body = [FundingSourceRow])))]
pub async fn funding_sources(
    State(state): State<AppState>,
) -> Result<Json<Vec<FundingSourceRow>>, ApiError> {
    Ok(Json(state.store.funding_sources().await?))
}

plan_texts!(with_plan_texts! {
Option<String>,
/// A plan to create or save. Codes as in the plan object; lists of ids; the free texts
/// (`about`, `intended_result`, ...) as in the plan object.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PlanInput {
    /// The version you read (required when saving; a newer stored version gives 409).
    pub version: Option<i64>,
    /// Only when creating; derived from the name when left out.
    pub id: Option<String>,
    pub name: String,
    /// transformatieplan, gala-ketenaanpak, project, programma, activiteit, ...
    pub kind: String,
    pub parent_id: Option<String>,
    pub area_id: String,
    pub network_role: Option<String>,
    pub is_new: Option<bool>,
    pub phase: Option<String>,
    pub source_id: Option<String>,
    pub internal_note: Option<String>,
    pub leads: Vec<String>,
    pub parties: Vec<String>,
    pub framework: Vec<String>,
    pub funding: Vec<String>,
    /// Ids of the areas the plan runs in (werkgebied): the regio, subregio's or gemeenten.
    /// Empty: the plan runs in its own area (`area_id`).
    pub work_areas: Vec<String>,
    pub links: Vec<LinkInput>,
    /// A move to another stage, dated, with an optional source.
    pub stage_change: Option<StageInput>,
    /// Kept in the audit trail.
    pub comment: Option<String>,
}
});

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StageInput {
    /// Stage code, e.g. tp-goedgekeurd
    pub stage: String,
    /// When it took effect, as precisely as the source says: 2025-10-09, 2025-10, 2025-Q4,
    /// 2025, najaar 2025, gedurende 2025, 2025-Q2/2025-Q3 or onbekend
    pub date: String,
    /// Id of a known source
    pub source_id: Option<String>,
    /// Title of a new source, e.g. "BBO 9 oktober 2025"
    pub new_source: Option<String>,
    pub note: Option<String>,
}

impl PlanInput {
    fn into_form(self) -> PlanForm {
        let s = |v: Option<String>| v.unwrap_or_default();
        let texts = self.texts();
        let stage = self.stage_change.unwrap_or_default();
        let mut form = PlanForm {
            version: self.version.map(|v| v.to_string()).unwrap_or_default(),
            id: s(self.id),
            name: self.name,
            kind: self.kind,
            parent: s(self.parent_id),
            area: self.area_id,
            network_role: s(self.network_role),
            is_new: match self.is_new {
                Some(true) => "1".into(),
                Some(false) => "0".into(),
                None => String::new(),
            },
            phase: s(self.phase),
            source: s(self.source_id),
            internal_note: s(self.internal_note),
            leads: self.leads,
            parties: self.parties,
            framework: self.framework,
            funding: self.funding,
            work_areas: self.work_areas,
            links: self
                .links
                .iter()
                .map(|l| format!("{} | {}", l.title, l.url))
                .collect::<Vec<_>>()
                .join("\n"),
            stage: stage.stage,
            stage_date: stage.date,
            stage_source: s(stage.source_id),
            stage_source_new: s(stage.new_source),
            stage_note: s(stage.note),
            comment: s(self.comment),
            ..PlanForm::default()
        };
        form.set_texts(&texts);
        form
    }
}

/// The plan form's problems, named by the JSON keys of [`PlanInput`] the caller sent.
fn invalid_plan(form_errors: FormErrors) -> ApiError {
    let mut errors = FormErrors::new();
    for e in form_errors.iter() {
        errors.add(plan_json_key(&e.field), e.message.clone());
    }
    ApiError::invalid(errors)
}

/// The key in [`PlanInput`] of an input of the plan form.
fn plan_json_key(input: &str) -> &str {
    match input {
        "parent" => "parent_id",
        "area" => "area_id",
        "source" => "source_id",
        "stage" => "stage_change.stage",
        "stage_date" => "stage_change.date",
        "stage_source" => "stage_change.source_id",
        "stage_source_new" => "stage_change.new_source",
        "stage_note" => "stage_change.note",
        other => other,
    }
}

fn from_store(e: StoreError) -> ApiError {
    match e {
        StoreError::Refused(r) => {
            let field = r
                .field::<PlanField>()
                .map(|f| plan_json_key(plan_input(f)))
                .unwrap_or("name");
            let mut errors = FormErrors::new();
            errors.add(field, r.into_message());
            ApiError::invalid(errors)
        }
        other => ApiError(other.into()),
    }
}

/// Creates a plan (beheerder only).
#[utoipa::path(post, path = "/api/v1/plans", request_body = PlanInput,
    security(("token" = [])),
    responses((status = 201, body = Saved), (status = 401, body = crate::web::error::ApiErrorBody),
        (status = 403, body = crate::web::error::ApiErrorBody), (status = 422, body = crate::web::error::ApiErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Json(input): Json<PlanInput>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    viewer.require_admin("plannen aanmaken")?;
    let form = input.into_form();
    let catalog = Catalog::load(&state.store).await?;
    let (fields, stage, reason) = validate(&state, &catalog, &form)
        .await
        .map_err(invalid_plan)?;
    let id = match optional(&form.id) {
        Some(id) => Slug::parse(&id).map_err(|e| {
            let mut errors = FormErrors::new();
            errors.add("id", format!("Id: {e}"));
            ApiError::invalid(errors)
        })?,
        None => Slug::from_name(&fields.name).ok_or_else(|| {
            let mut errors = FormErrors::new();
            errors.add(
                "id",
                "Id: geef een id op; uit de naam valt er geen af te leiden.",
            );
            ApiError::invalid(errors)
        })?,
    };
    state
        .store
        .create_plan(&viewer.actor(), &reason, &id, &fields, stage.as_ref())
        .await
        .map_err(from_store)?;
    Ok((
        StatusCode::CREATED,
        Json(Saved {
            id: id.to_string(),
            version: 1,
        }),
    ))
}

/// Saves a plan (beheerder, or a trekker of one of its lead organisations). Send every field:
/// what is left out is emptied.
#[utoipa::path(put, path = "/api/v1/plans/{id}", request_body = PlanInput,
    params(("id" = String, Path, description = "Id of the plan")),
    security(("token" = [])),
    responses((status = 200, body = Saved), (status = 401, body = crate::web::error::ApiErrorBody),
        (status = 403, body = crate::web::error::ApiErrorBody), (status = 409, body = crate::web::error::ApiErrorBody),
        (status = 422, body = crate::web::error::ApiErrorBody)))]
pub async fn update_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Json(input): Json<PlanInput>,
) -> Result<Json<Saved>, ApiError> {
    let stored = plan_guard(&state, &id).await?;
    viewer.require_plan_editor(&stored.fields.name, &stored.fields.leads)?;
    let Some(version) = input.version else {
        let mut errors = FormErrors::new();
        errors.add(
            "version",
            format!(
                "version: geef de versie op die u las (nu {}).",
                stored.version
            ),
        );
        return Err(ApiError::invalid(errors));
    };
    let mut form = input.into_form();
    form.id = id.clone();
    let catalog = Catalog::load(&state.store).await?;
    let (fields, stage, reason) = validate(&state, &catalog, &form)
        .await
        .map_err(invalid_plan)?;
    let version = state
        .store
        .update_plan(
            &viewer.actor(),
            &reason,
            &id,
            version,
            &fields,
            stage.as_ref(),
        )
        .await
        .map_err(from_store)?;
    Ok(Json(Saved { id, version }))
}
