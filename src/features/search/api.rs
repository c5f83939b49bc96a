//! Search as JSON: `/api/v1/search?q=...`, the same hits as `/zoeken`, paged.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::index::Kind;
use super::pages::{page_of_hits, read_query};
use super::repo::{NotAQuestion, Question, Snippet};
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::paging::PageNav;
use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/search", search)
}

/// One record found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// plan, organisation, gemeente or indicator
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    /// The plan's slug, the gemeente's CBS code, the organisation's or KPI's id.
    pub code: String,
    /// A plan's stage (or "gearchiveerd"), an organisation's kind.
    pub detail: Option<String>,
    /// The record's page.
    pub href: String,
    /// Where a word was found, when not every word is in the title or code.
    pub snippet: Option<Snippet>,
}

/// The answer to a search.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchAnswer {
    /// The question as asked, trimmed.
    pub query: String,
    /// Hits of every kind asked for (the `X-Total-Count` of this list).
    pub total: usize,
    /// Hits per kind (plan, organisation, gemeente, indicator), whatever `soort` says.
    #[schema(value_type = Object)]
    pub counts: serde_json::Map<String, serde_json::Value>,
    /// This page of the hits: names and codes first, then by name; plans, organisations,
    /// gemeenten, KPI's in that order.
    pub hits: Vec<SearchHit>,
}

/// Plans, organisations, gemeenten and KPI's that hold every word of `q` in their name, code
/// or texts (a plan's four questions, a KPI's description), without regard to case or
/// accents.
#[utoipa::path(get, path = "/api/v1/search",
    params(
        ("q" = String, Query, description = "De zoekvraag: een of meer woorden, hoogstens 200 tekens"),
        ("soort" = Option<String>, Query, description = "Alleen plannen, organisaties, gemeenten of kpis"),
        ("pagina" = Option<usize>, Query, description = "Pagina, vanaf 1"),
        ("per_pagina" = Option<usize>, Query, description = "Regels per pagina, hoogstens 1000"),
    ),
    responses((status = 200, body = SearchAnswer), (status = 400, body = crate::web::error::ApiErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (text, only, paging) = read_query(&pairs)?;
    let q = Question::parse(&text).map_err(|e| {
        WebError::BadRequest(match e {
            NotAQuestion::Empty => {
                "Geef een zoekvraag in q, bijvoorbeeld ?q=GM0355 of ?q=coordinatiepunt.".into()
            }
            NotAQuestion::TooLong(message) => message,
        })
    })?;
    let counts = state.store.search_counts(&q).await?;
    let kinds: Vec<Kind> = only.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    let total = counts
        .iter()
        .filter(|(k, _)| kinds.contains(k))
        .map(|(_, n)| n)
        .sum();
    let hits = page_of_hits(&state.store, &q, &counts, &kinds, paging).await?;
    let mut rest = vec![("q".to_owned(), q.text.clone())];
    if let Some(k) = only {
        rest.push(("soort".to_owned(), k.param().to_owned()));
    }
    let nav = PageNav::new("/api/v1/search", &rest, paging, total);
    let answer = SearchAnswer {
        query: q.text.clone(),
        total,
        counts: counts
            .iter()
            .map(|(k, n)| (k.code().to_owned(), serde_json::Value::from(*n)))
            .collect(),
        hits: hits
            .into_iter()
            .map(|h| SearchHit {
                kind: h.kind.code(),
                href: h.kind.href(&h.id),
                id: h.id,
                title: h.title,
                code: h.code,
                detail: h.detail,
                snippet: h.snippet,
            })
            .collect(),
    };
    let mut response = Json(answer).into_response();
    nav.set_headers(&mut response);
    Ok(response)
}
