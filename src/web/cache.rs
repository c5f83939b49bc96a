//! Public pages served from memory while the data has not changed.
//!
//! A page for a visitor who is not signed in depends only on its address and the data. Every
//! write transaction, from any process (the website, the API, the command line), raises the
//! data's version before it commits (`Store::data_version`), so a page kept under an older
//! version is made anew. Writes of this process are seen at once; the version is read from
//! the database again when this process wrote, or when it was last read more than
//! [`FRESH`] ago, so a write by another process shows within that time. Signed-in pages (with
//! names, edit links and form tokens), htmx fragments, answers that set cookies and anything
//! but a 200 are never kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
/// How long a version read from the database is trusted while this process writes nothing.
pub const FRESH: Duration = Duration::from_millis(250);

/// The version last read, with this process's write count then and the moment.
struct Seen {
    local: u64,
    version: i64,
    at: Instant,
}

struct Entry {
    version: i64,
    content_type: HeaderValue,
    body: Bytes,
}

/// The kept pages, by address.
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<HashMap<String, Entry>>,
    seen: Mutex<Option<Seen>>,
}

impl PageCache {
    /// The data's version: remembered while this process wrote nothing and for [`FRESH`].
    async fn version(&self, store: &crate::store::Store) -> Option<i64> {
        let local = store.local_writes();
        if let Ok(seen) = self.seen.lock()
            && let Some(s) = seen.as_ref()
            && s.local == local
            && s.at.elapsed() < FRESH
        {
            return Some(s.version);
        }
        let version = store.data_version().await.ok()?;
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(Seen {
                local,
                version,
                at: Instant::now(),
            });
        }
        Some(version)
    }

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
    let Some(version) = state.pages.version(&state.store).await else {
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
