//! Money in the JSON API: every budget line, and the overview of a year with its totals per
//! financing source, year, subregio and opgave, filtered as the page is.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;

use super::model::BudgetRow;
use super::overview::Overview;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::paging::json_page;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/budgets", budgets)
        .get("/api/v1/budget-totals", totals)
}

/// Every budget line (per plan, financing source and year), amounts in euro cents, each with
/// its date and source; `is_example` 1 marks example amounts, never facts.
#[utoipa::path(get, path = "/api/v1/budgets", responses((status = 200, body = [BudgetRow])))]
pub async fn budgets(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (_, rest) = crate::web::paging::Paging::split(&pairs)?;
    if let Some((key, _)) = rest.first() {
        return Err(crate::web::error::WebError::BadRequest(format!(
            "\"{key}\" is geen filter van /api/v1/budgets; het kent alleen pagina en per_pagina. Filter met /api/v1/budget-totals."
        ))
        .into());
    }
    Ok(json_page(
        "/api/v1/budgets",
        &pairs,
        state.store.budgets().await?,
    )?)
}

/// The financing of a year (`jaar`, by default this year): per plan how secure its money is
/// (toegekend, aangevraagd, bron-bekend, afgewezen, ongefinancierd) and the totals per source,
/// subregio, opgave (a plan with several counts under each) and year; filters `subregio`,
/// `opgave`, `bron`, `zeker` as on the page.
#[utoipa::path(get, path = "/api/v1/budget-totals",
    params(
        ("jaar" = Option<i32>, Query, description = "Het jaar, bijvoorbeeld 2026"),
        ("subregio" = Option<String>, Query, description = "Id van een subregio"),
        ("opgave" = Option<String>, Query, description = "Id van een opgave"),
        ("bron" = Option<String>, Query, description = "Id van een financieringsbron"),
        ("zeker" = Option<String>, Query, description = "toegekend, aangevraagd, bron-bekend, afgewezen, ongefinancierd of niet-toegekend"),
    ),
    responses((status = 200, body = Overview)))]
pub async fn totals(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Overview>, ApiError> {
    let overview = super::pages::overview_for(&state, &pairs).await?;
    Ok(Json(overview.as_ref().clone()))
}
