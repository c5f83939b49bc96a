//! The werkagenda in the JSON API: the milestones of a year (`jaar`; by default the current
//! year when it has milestones) with the months they span, then those without a period,
//! filtered as the page is (`subregio`, `opgave`, `plan`, `status`).

use axum::extract::{Query, State};
use axum::response::Response;

use super::pages::{Item, items};
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::paging::{Paging, json_page};
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/milestones", milestones)
}

/// The werkagenda of a year: each milestone with its plan, opgave (its own, or its plan's when
/// the plan has one), period (and the first and last month of the year it spans), status and
/// source; milestones without a period come last. The header `X-Werkagenda-Jaar` names the
/// year shown.
#[utoipa::path(get, path = "/api/v1/milestones",
    params(
        ("jaar" = Option<i32>, Query, description = "Het jaar, bijvoorbeeld 2025"),
        ("subregio" = Option<String>, Query, description = "Id van een subregio"),
        ("opgave" = Option<String>, Query, description = "Id van een opgave"),
        ("plan" = Option<String>, Query, description = "Id van een plan"),
        ("status" = Option<String>, Query, description = "gepland, gehaald, verschoven of vervallen"),
    ),
    responses((status = 200, body = [Item])))]
pub async fn milestones(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (_, rest) = Paging::split(&pairs)?;
    let (year, list) = items(&state.store, &rest).await?;
    let mut response = json_page("/api/v1/milestones", &pairs, list)?;
    response.headers_mut().insert(
        "x-werkagenda-jaar",
        axum::http::HeaderValue::from(i32::from(year)),
    );
    // The year shown by default is today's: never kept (web/cache.rs skips no-store), so the
    // header and the list always agree.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
