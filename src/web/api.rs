//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::AppState;
use super::error::{ApiError, ApiErrorBody, WebError};
use super::filter::FilterChoice;
use super::routes::Routes;
use super::session::Viewer;
use super::view::Catalog;
use crate::features::areas::model::AreaRow;
use crate::features::bodies::model::BodyRow;
use crate::features::framework::model::FrameworkRow;
use crate::features::organisations::model::OrganisationRow;
use crate::features::plans::model::{FundingSourceRow, PlanDetail};
use crate::features::sources::model::SourceRow;

pub fn routes() -> Routes {
    Routes::new()
        .get("/openapi.json", openapi)
        .get("/v1/plans", plans)
        .get("/v1/plans/{id}", plan)
        .get("/v1/areas", areas)
        .get("/v1/organisations", organisations)
        .get("/v1/framework", framework)
        .get("/v1/sources", sources)
        .get("/v1/bodies", bodies)
        .get("/v1/funding-sources", funding_sources)
        .merge(crate::features::plans::api::routes())
        .merge(crate::features::rollouts::api::routes())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "regiomonitor API",
        description = "Het portfolio van een IZA/GALA/AZWA-regio: plannen met hun vier vragen, tabelregel, uitrol per gemeente en historie; gebieden, organisaties en het kader van het regioplan. Alle feiten verwijzen naar hun bron (source_id, zie /api/v1/sources)."
    ),
    paths(
        plans,
        plan,
        areas,
        organisations,
        framework,
        sources,
        bodies,
        funding_sources,
        crate::features::plans::api::create_plan,
        crate::features::plans::api::update_plan,
        crate::features::rollouts::api::put_rollout,
        crate::features::changes::pages::json,
        crate::features::indicators::api::list,
        crate::features::indicators::api::detail,
        crate::features::observations::api::observations,
        crate::features::observations::api::post_observation,
        crate::features::actions::api::actions
    ),
    components(schemas(ApiErrorBody)),
    modifiers(&TokenSecurity)
)]
struct ApiDoc;

/// Writes need a personal API token, made on the page Mijn account.
struct TokenSecurity;

impl utoipa::Modify for TokenSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Persoonlijk API-token (Mijn account → API-tokens); dezelfde rechten als het account.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI 3 description of this API.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Filters for the list of plans; each narrows the list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the query; the handler reads the pairs to refuse unknown names.
struct PlanQuery {
    /// Id of a subregio: its plans, those of its gemeenten and region-wide plans.
    subregio: Option<String>,
    /// Id of an opgave, e.g. `gezond-ouder-worden`.
    opgave: Option<String>,
    /// Id of a transformation, e.g. `t5-zorg-dichtbij`.
    transformatie: Option<String>,
    /// Stage code, e.g. `tp-goedgekeurd`.
    fase: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/plans", params(PlanQuery),
    responses((status = 200, body = [PlanDetail]), (status = 400, description = "Onbekend filter of onbekende waarde", body = ApiErrorBody)))]
async fn plans(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Vec<PlanDetail>>, ApiError> {
    let catalog = Catalog::load(&state.store).await?;
    let (_, filter) = FilterChoice::parse(&pairs, &catalog)?;
    let mut plans = state.store.plan_details(&filter).await?;
    if !viewer.sees_internal() {
        for p in &mut plans {
            p.plan.internal_note = None;
        }
    }
    Ok(Json(plans))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = String, Path, description = "Id of the plan")),
    responses((status = 200, body = PlanDetail), (status = 404, body = ApiErrorBody)))]
async fn plan(
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

/// The area tree: the region, its subregio's, gemeenten (id = CBS code) and wijken.
#[utoipa::path(get, path = "/api/v1/areas", responses((status = 200, body = [AreaRow])))]
async fn areas(State(state): State<AppState>) -> Result<Json<Vec<AreaRow>>, ApiError> {
    Ok(Json(state.store.areas().await?))
}

#[utoipa::path(get, path = "/api/v1/organisations", responses((status = 200, body = [OrganisationRow])))]
async fn organisations(
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationRow>>, ApiError> {
    Ok(Json(state.store.organisations().await?))
}

/// Which leading principle a transformation serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServesJson {
    pub transformation_id: String,
    pub principle_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkJson {
    pub items: Vec<FrameworkRow>,
    pub transformation_principles: Vec<ServesJson>,
}

/// Principles, transformations, opgaven, fundamenten and accords of the regioplan.
#[utoipa::path(get, path = "/api/v1/framework", responses((status = 200, body = FrameworkJson)))]
async fn framework(State(state): State<AppState>) -> Result<Json<FrameworkJson>, ApiError> {
    let items = state.store.framework().await?;
    let transformation_principles = state
        .store
        .transformation_principles()
        .await?
        .into_iter()
        .map(|(transformation_id, principle_id)| ServesJson {
            transformation_id,
            principle_id,
        })
        .collect();
    Ok(Json(FrameworkJson {
        items,
        transformation_principles,
    }))
}

/// The documents and meetings facts refer to.
#[utoipa::path(get, path = "/api/v1/sources", responses((status = 200, body = [SourceRow])))]
async fn sources(State(state): State<AppState>) -> Result<Json<Vec<SourceRow>>, ApiError> {
    Ok(Json(state.store.sources().await?))
}

/// Governance bodies (BBO, regiegroep, kernteam, werkgroepen).
#[utoipa::path(get, path = "/api/v1/bodies", responses((status = 200, body = [BodyRow])))]
async fn bodies(State(state): State<AppState>) -> Result<Json<Vec<BodyRow>>, ApiError> {
    Ok(Json(state.store.bodies().await?))
}

#[utoipa::path(get, path = "/api/v1/funding-sources", responses((status = 200, body = [FundingSourceRow])))]
async fn funding_sources(
    State(state): State<AppState>,
) -> Result<Json<Vec<FundingSourceRow>>, ApiError> {
    Ok(Json(state.store.funding_sources().await?))
}

/// The version a write produced.
#[derive(Debug, Serialize, ToSchema)]
pub struct Saved {
    pub id: String,
    pub version: i64,
}
