//! The OpenAPI document of the JSON API at `/api/openapi.json`, listing every feature's
//! `/api/v1` routes, and what those routes share.

use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::error::ApiErrorBody;
use super::routes::Routes;

/// The OpenAPI document; each feature serves its own part of `/api/v1`.
pub fn routes() -> Routes {
    Routes::new().get("/openapi.json", openapi)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "regiomonitor API",
        description = "Het portfolio van een IZA/GALA/AZWA-regio: plannen met hun vier vragen, tabelregel, uitrol per gemeente en historie; gebieden, organisaties en het kader van het regioplan. Alle feiten verwijzen naar hun bron (source_id, zie /api/v1/sources)."
    ),
    paths(
        crate::features::plans::api::plans,
        crate::features::plans::api::plan,
        crate::features::areas::api::areas,
        crate::features::organisations::api::organisations,
        crate::features::framework::api::framework,
        crate::features::sources::api::sources,
        crate::features::bodies::api::bodies,
        crate::features::plans::api::funding_sources,
        crate::features::plans::api::create_plan,
        crate::features::plans::api::update_plan,
        crate::features::rollouts::api::put_rollout,
        crate::features::changes::pages::json,
        crate::features::indicators::api::list,
        crate::features::indicators::api::detail,
        crate::features::observations::api::observations,
        crate::features::observations::api::post_observation,
        crate::features::actions::api::actions,
        crate::features::search::api::search,
        crate::features::quarterly::api::rounds,
        crate::features::quarterly::api::round,
        crate::features::quarterly::api::updates,
        crate::features::quarterly::api::snapshot,
        crate::features::meetings::api::meetings,
        crate::features::meetings::api::meeting,
        crate::features::meetings::decisions::api_list,
        crate::features::meetings::ori::export,
        crate::features::werkagenda::api::milestones,
        crate::features::finance::api::budgets,
        crate::features::finance::api::totals
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

/// The version a write produced.
#[derive(Debug, Serialize, ToSchema)]
pub struct Saved {
    pub id: String,
    pub version: i64,
}
