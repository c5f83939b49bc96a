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
//!
//! A page is kept under its path and its query, in a fixed order of keys. An address with a
//! query key no page reads ([`QUERY_KEYS`]) is made anew and never kept: `?x=1`, `?x=2`, ...
//! cannot fill the cache, and the page answers as it does for everyone (the portfolio filter
//! refuses an unknown key with the keys it knows). The kept pages together stay within
//! [`BUDGET`] bytes: when a new page does not fit, the ones used longest ago go.
//!
//! One render per page at a time: requests for a page that is being made wait for it and are
//! then served the kept copy (right after a write, 64 visitors of `/` make it once).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
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
/// The kept pages together hold at most this many bytes.
pub const BUDGET: usize = 64 * 1024 * 1024;
/// Every query key a public page reads. A page that reads a new key adds it here, or its
/// pages with that key are not kept.
pub const QUERY_KEYS: &[&str] = &[
    // The portfolio filter (web/filter.rs), paging (web/paging.rs) and the plan API.
    "subregio",
    "gemeente",
    "opgave",
    "transformatie",
    "fase",
    "pagina",
    "per_pagina",
    "alles",
    // A KPI's area, an observation form's period, the changes' period, a way back.
    "gebied",
    "periode",
    "van",
    "tot",
    "sinds",
    "import",
    "terug",
    // The portfolio as it stood on a date.
    "peildatum",
    // The werkagenda and the financing overview.
    "jaar",
    "plan",
    "status",
    "bron",
    "zeker",
];
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
    /// When it was last served, as a count of uses of the cache.
    used: u64,
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<String, Entry>,
    bytes: usize,
    uses: u64,
}

impl Pages {
    fn size(key: &str, entry: &Entry) -> usize {
        key.len() + entry.body.len()
    }

    /// Drops the pages used longest ago until `needed` more bytes fit in the budget.
    fn make_room(&mut self, needed: usize, budget: usize) {
        while self.bytes + needed > budget {
            let Some(oldest) = self
                .by_key
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = self.by_key.remove(&oldest) {
                self.bytes -= Self::size(&oldest, &e);
            }
        }
    }
}

/// The kept pages, by address.
pub struct PageCache {
    pages: Mutex<Pages>,
    seen: Mutex<Option<Seen>>,
    budget: usize,
    /// Per address being made, the turn every request for it takes (single flight).
    gates: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
    /// Addresses whose last answer could not be kept (no-store, not a 200, too large): their
    /// requests do not wait for each other.
    unkept: Mutex<std::collections::HashSet<String>>,
    /// How many public pages were made rather than served from memory.
    made: AtomicU64,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::with_budget(BUDGET)
    }
}

impl PageCache {
    /// The data's version: remembered while this process wrote nothing and for [`FRESH`].
    pub(crate) async fn version(&self, store: &crate::store::Store) -> Option<i64> {
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

    /// A cache that keeps at most `budget` bytes of pages.
    pub fn with_budget(budget: usize) -> Self {
        Self {
            pages: Mutex::new(Pages::default()),
            seen: Mutex::new(None),
            budget,
            gates: Mutex::new(HashMap::new()),
            unkept: Mutex::new(std::collections::HashSet::new()),
            made: AtomicU64::new(0),
        }
    }

    /// How many public pages were made (not served from memory) since the start.
    pub fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// Whether the last answer for `key` could not be kept.
    fn is_unkept(&self, key: &str) -> bool {
        self.unkept.lock().is_ok_and(|u| u.contains(key))
    }

    /// Notes whether the answer for `key` could be kept (at most 1,024 addresses are noted).
    fn note_kept(&self, key: &str, kept: bool) {
        if let Ok(mut unkept) = self.unkept.lock() {
            if kept {
                unkept.remove(key);
            } else {
                if unkept.len() >= 1024 {
                    unkept.clear();
                }
                unkept.insert(key.to_owned());
            }
        }
    }

    /// The turn to make the page kept under `key`: one request at a time per address.
    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut gates) = self.gates.lock() else {
            return Arc::default();
        };
        if let Some(gate) = gates.get(key).and_then(Weak::upgrade) {
            return gate;
        }
        if gates.len() >= 1024 {
            gates.retain(|_, g| g.strong_count() > 0);
        }
        let gate = Arc::new(tokio::sync::Mutex::new(()));
        gates.insert(key.to_owned(), Arc::downgrade(&gate));
        gate
    }

    /// How many pages and bytes are kept.
    pub fn usage(&self) -> (usize, usize) {
        self.pages
            .lock()
            .map(|p| (p.by_key.len(), p.bytes))
            .unwrap_or_default()
    }

    fn get(&self, key: &str, version: i64) -> Option<(HeaderValue, Bytes)> {
        let mut pages = self.pages.lock().ok()?;
        pages.uses += 1;
        let now = pages.uses;
        let e = pages.by_key.get_mut(key).filter(|e| e.version == version)?;
        e.used = now;
        Some((e.content_type.clone(), e.body.clone()))
    }

    fn put(&self, key: String, mut entry: Entry) {
        let size = Pages::size(&key, &entry);
        if size > self.budget {
            return;
        }
        if let Ok(mut pages) = self.pages.lock() {
            if let Some(old) = pages.by_key.remove(&key) {
                pages.bytes -= Pages::size(&key, &old);
            }
            pages.make_room(size, self.budget);
            pages.uses += 1;
            entry.used = pages.uses;
            pages.bytes += size;
            pages.by_key.insert(key, entry);
        }
    }
}

/// The key a page is kept under: its path and its query in a fixed order of keys; `None`
/// when the query has a key no page reads.
fn page_key(uri: &axum::http::Uri) -> Option<String> {
    let path = uri.path().to_owned();
    let Some(query) = uri.query().filter(|q| !q.is_empty()) else {
        return Some(path);
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if !QUERY_KEYS.contains(&k.as_ref()) {
            return None;
        }
        pairs.push((k.into_owned(), v.into_owned()));
    }
    // Stable: repeated keys keep their order.
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    Some(format!("{path}?{query}"))
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
    // A response that says so is made fresh for every request (it depends on the request's
    // address, or on the day).
    if headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"))
    {
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
    let Some(key) = page_key(req.uri()) else {
        return next.run(req).await;
    };
    if let Some((content_type, body)) = state.pages.get(&key, version) {
        return ([(header::CONTENT_TYPE, content_type)], body).into_response();
    }
    // Requests for a page being made wait for it, then find it kept; an address whose answer
    // is not kept is not waited for.
    if state.pages.is_unkept(&key) {
        let response = next.run(req).await;
        let size = response.body().size_hint().exact();
        if response.status() == StatusCode::OK
            && keepable(response.headers()).is_some()
            && size.is_some_and(|n| n <= MAX_PAGE as u64)
        {
            state.pages.note_kept(&key, true);
        }
        return response;
    }
    let gate = state.pages.gate(&key);
    let _turn = gate.lock().await;
    if let Some((content_type, body)) = state.pages.get(&key, version) {
        return ([(header::CONTENT_TYPE, content_type)], body).into_response();
    }
    state.pages.made.fetch_add(1, Ordering::Relaxed);
    let response = next.run(req).await;
    let size = response.body().size_hint().exact();
    let content_type = keepable(response.headers())
        .filter(|_| response.status() == StatusCode::OK)
        .filter(|_| size.is_some_and(|n| n <= MAX_PAGE as u64));
    let Some(content_type) = content_type else {
        state.pages.note_kept(&key, false);
        return response;
    };
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => {
            state.pages.put(
                key,
                Entry {
                    version,
                    content_type,
                    body: bytes.clone(),
                    used: 0,
                },
            );
            Response::from_parts(parts, Body::from(bytes))
        }
        // The body said its size and then failed to deliver it.
        Err(e) => super::WebError::Internal(anyhow::anyhow!("page body: {e}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(bytes: usize) -> Entry {
        Entry {
            version: 1,
            content_type: HeaderValue::from_static("text/html"),
            body: Bytes::from(vec![b'x'; bytes]),
            used: 0,
        }
    }

    #[test]
    fn the_cache_stays_within_its_budget_and_drops_the_page_used_longest_ago() {
        let cache = PageCache::with_budget(1000);
        cache.put("/a".into(), entry(300));
        cache.put("/b".into(), entry(300));
        cache.put("/c".into(), entry(300));
        assert!(cache.get("/a", 1).is_some(), "a is used again");

        cache.put("/d".into(), entry(300));

        let (pages, bytes) = cache.usage();
        assert_eq!(pages, 3);
        assert!(bytes <= 1000, "{bytes}");
        assert!(cache.get("/b", 1).is_none(), "b was used longest ago");
        assert!(cache.get("/a", 1).is_some());
        assert!(cache.get("/d", 1).is_some());

        cache.put("/groot".into(), entry(2000));
        assert!(cache.get("/groot", 1).is_none(), "larger than the budget");
        assert_eq!(cache.usage().0, 3);
    }

    #[test]
    fn a_page_is_kept_under_its_known_query_in_a_fixed_order_and_not_with_other_keys() {
        let key = |s: &str| page_key(&s.parse().expect("uri"));
        assert_eq!(key("/gemeenten/GM0355"), Some("/gemeenten/GM0355".into()));
        assert_eq!(
            key("/plannen?subregio=lekstroom&fase=loopt"),
            key("/plannen?fase=loopt&subregio=lekstroom")
        );
        assert_eq!(key("/gemeenten/GM0355?x=1"), None);
        assert_eq!(key("/plannen?fase=loopt&x=2"), None);
    }
}
