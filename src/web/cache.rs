//! Public pages served from memory while the data has not changed.
//!
//! A page for a visitor who is not signed in depends only on its address and the data. The
//! data's version is the newest id of the audit trail (every write, from the website, the API,
//! the command line or an import in another process, appends to it in its own transaction),
//! so one small query tells whether a page made earlier is still right. Signed-in pages (with
//! names, edit links and form tokens), htmx fragments, answers that set cookies and anything
//! but a 200 are never kept.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::{Body, Bytes, HttpBody, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::session::{SESSION_COOKIE, Viewer};

/// Pages larger than this are made anew every time rather than kept.
const MAX_PAGE: usize = 4 * 1024 * 1024;
/// At most this many pages are kept; when full, the cache starts over.
const MAX_PAGES: usize = 512;

struct Entry {
    version: i64,
    content_type: HeaderValue,
    body: Bytes,
}

/// The kept pages, by address.
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    fn get(&self, key: &str, version: i64) -> Option<(HeaderValue, Bytes)> {
        let pages = self.pages.lock().ok()?;
        let e = pages.get(key).filter(|e| e.version == version)?;
        Some((e.content_type.clone(), e.body.clone()))
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= MAX_PAGES && !pages.contains_key(&key) {
                pages.clear();
            }
            pages.insert(key, entry);
        }
    }
}

fn is_public_request(req: &Request) -> bool {
    let anonymous = req
        .extensions()
        .get::<Viewer>()
        .is_some_and(|v| v.user.is_none() && !v.session_expired);
    let headers = req.headers();
    let has_session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.contains(SESSION_COOKIE));
    req.method() == Method::GET
        && anonymous
        && !has_session
        && !headers.contains_key(header::AUTHORIZATION)
        && !headers.contains_key("hx-request")
}

fn keepable(headers: &HeaderMap) -> Option<HeaderValue> {
    if headers.contains_key(header::SET_COOKIE) || headers.contains_key(header::CONTENT_ENCODING) {
        return None;
    }
    let content_type = headers.get(header::CONTENT_TYPE)?;
    let text = content_type.to_str().ok()?;
    (text.starts_with("text/html") || text.starts_with("application/json"))
        .then(|| content_type.clone())
}

/// Serves a kept page when the data has not changed since it was made; keeps new ones.
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_public_request(&req) {
        return next.run(req).await;
    }
    let Ok(version) = state.store.data_version().await else {
        return next.run(req).await;
    };
    let key = req.uri().to_string();
    if let Some((content_type, body)) = state.pages.get(&key, version) {
        return ([(header::CONTENT_TYPE, content_type)], body).into_response();
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(content_type) = keepable(response.headers()) else {
        return response;
    };
    let size = response.body().size_hint().exact();
    if size.is_none_or(|n| n > MAX_PAGE as u64) {
        return response;
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => {
            state.pages.put(
                key,
                Entry {
                    version,
                    content_type,
                    body: bytes.clone(),
                },
            );
            Response::from_parts(parts, Body::from(bytes))
        }
        // The body said its size and then failed to deliver it.
        Err(e) => super::WebError::Internal(anyhow::anyhow!("page body: {e}")).into_response(),
    }
}
