//! What htmx requests share.

use axum::http::HeaderMap;

pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}
