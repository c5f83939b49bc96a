//! What every request's text must be before a handler sees it, and the framework's own
//! refusals in the app's words.
//!
//! - **No control characters.** A NUL byte cannot be stored in PostgreSQL and other control
//!   characters (but tab and line breaks) are invisible in a page: the address, the query
//!   string, every field of a form and every string of a JSON body are read, and one with such
//!   a character is refused with a message that names the field, before anything is stored.
//! - **Dutch refusals.** A body too large, a form or multipart body that cannot be read, JSON
//!   that does not fit: axum answers those in English plain text. They become the app's Dutch
//!   page, or its JSON error under `/api`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::error::{WebError, refuse};
use super::forms::FormErrors;

/// The largest form or JSON body any route but the upload reads.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The first character that may not be stored, with its code point for the message.
pub fn control_character(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The Dutch message for a field holding a control character.
pub fn control_message(field: &str, c: char) -> String {
    format!(
        "{field}: de tekst bevat een onzichtbaar stuurteken (U+{:04X}) dat niet kan worden opgeslagen. Haal het weg, bijvoorbeeld door de tekst opnieuw te typen of als platte tekst te plakken.",
        u32::from(c)
    )
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn invalid(path: &str, field: &str, c: char) -> Response {
    let mut errors = FormErrors::new();
    let label = if is_api(path) {
        format!("Veld `{field}`")
    } else {
        format!("Veld \"{field}\"")
    };
    errors.add(field, control_message(&label, c));
    let message = control_message(&label, c);
    refuse(
        path,
        WebError::Invalid(
            format!("Er is niets opgeslagen. {message}"),
            errors.iter().cloned().collect(),
        ),
    )
}

/// The first JSON string (key or value) with a control character: its path and the character.
fn json_control(value: &serde_json::Value, at: &str) -> Option<(String, char)> {
    use serde_json::Value;
    match value {
        Value::String(s) => control_character(s).map(|c| (at.to_owned(), c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| json_control(v, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            control_character(k)
                .map(|c| (path.clone(), c))
                .or_else(|| json_control(v, &path))
        }),
        _ => None,
    }
}

enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(req: &Request) -> BodyKind {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        BodyKind::Form
    } else if content_type.starts_with("application/json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// Refuses control characters in the address and in form and JSON bodies; puts the
/// framework's refusals into Dutch.
pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let decoded = percent_decode(&path);
    if let Some(c) = control_character(&decoded) {
        return refuse(&path, WebError::BadRequest(control_message("Het adres", c)));
    }
    if let Some(query) = req.uri().query()
        && let Some((field, c)) = form_control(query.as_bytes())
    {
        return refuse(
            &path,
            WebError::BadRequest(control_message(&format!("Zoekterm \"{field}\""), c)),
        );
    }
    let req = match body_kind(&req) {
        BodyKind::Other => req,
        kind => {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
                return too_large(&path);
            };
            let found = match kind {
                BodyKind::Form => form_control(&bytes),
                // JSON that cannot be read is the handler's to refuse (in Dutch, below).
                _ => serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| json_control(&v, "")),
            };
            if let Some((field, c)) = found {
                return invalid(&path, &field, c);
            }
            Request::from_parts(parts, Body::from(bytes))
        }
    };
    let response = next.run(req).await;
    dutch_rejection(&path, response).await
}

fn too_large(path: &str) -> Response {
    let mut response = refuse(
        path,
        WebError::BadRequest(format!(
            "Wat u verstuurde is te groot (meer dan {} MB), dus er is niets opgeslagen. Maak teksten korter of verstuur minder tegelijk.",
            BODY_LIMIT / (1024 * 1024)
        )),
    );
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
}

/// The first form field (name or value) with a control character.
fn form_control(bytes: &[u8]) -> Option<(String, char)> {
    url::form_urlencoded::parse(bytes).find_map(|(k, v)| {
        control_character(&k)
            .or_else(|| control_character(&v))
            .map(|c| (k.into_owned(), c))
    })
}

fn percent_decode(path: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", path.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A refusal axum wrote itself (plain text, English) in the app's words.
async fn dutch_rejection(path: &str, response: Response) -> Response {
    let status = response.status();
    // axum's own refusals are plain text, or (a method the address does not take) empty.
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let detail = to_bytes(response.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => return too_large(path),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Het soort gegevens wordt hier niet aangenomen: stuur een formulier, of JSON met Content-Type: application/json.".to_owned()
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "Dit adres kan dit niet: gebruik het formulier of de API zoals beschreven in /api/v1/openapi.json.".to_owned()
        }
        _ if detail.contains("multipart") || detail.contains("boundary") => {
            "Het bestand kon niet worden gelezen: het formulier is niet goed verstuurd. Kies het bestand opnieuw en verstuur nog eens.".to_owned()
        }
        _ if detail.contains("JSON") || detail.contains("json") => format!(
            "De JSON kon niet worden gelezen, dus er is niets opgeslagen. Controleer de velden en hun soort (tekst, getal, lijst). Technisch: {}",
            detail.trim()
        ),
        _ => format!(
            "Deze vraag kunnen we niet lezen, dus er is niets opgeslagen. Technisch: {}",
            detail.trim()
        ),
    };
    let mut answer = refuse(path, WebError::BadRequest(message));
    *answer.status_mut() = status;
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_found_but_line_breaks_and_tabs_are_text() {
        assert_eq!(control_character("a\u{0}b"), Some('\u{0}'));
        assert_eq!(control_character("regel\u{b}twee"), Some('\u{b}'));
        assert_eq!(control_character("x\u{85}"), Some('\u{85}'));
        assert_eq!(control_character("twee\r\nregels\tmet tab"), None);
        assert_eq!(
            form_control(b"name=ok&about=a%00b"),
            Some(("about".into(), '\u{0}'))
        );
        let json = serde_json::json!({"a": "ok", "b": [{"c": "x\u{1}"}]});
        assert_eq!(json_control(&json, ""), Some(("b[0].c".into(), '\u{1}')));
        assert_eq!(percent_decode("/plannen/mt%00vp"), "/plannen/mt\u{0}vp");
    }
}
