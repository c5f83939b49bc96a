//! Who is asking: a session cookie, an API token, or nobody. One middleware finds out, checks
//! the CSRF token of every unsafe request that rides on a cookie (a header, a form field, or
//! the first part of a file upload; never the address), and hands the result to handlers (as
//! an extractor) and templates (through a task-local).

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use futures_util::StreamExt;

use super::AppState;
use super::error::{WebError, refuse};
use crate::auth::{User, same_secret, secret_hash};
use crate::domain::Channel;
use crate::store::{Actor, now_unix};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "regiomonitor_sessie";
/// The cookie that carries the sign-in form's CSRF token (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "regiomonitor_inlogtoken";
/// The header htmx and API clients send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field forms send the CSRF token in.
pub const CSRF_FIELD: &str = "csrf";

/// How a request identified itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    /// A browser session; the hash of the cookie.
    Session(String),
    /// A personal API token; the hash of the token.
    Token(String),
}

/// The person behind a request, as handlers and templates see it.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: Option<User>,
    /// The session's CSRF token, to put in forms.
    pub csrf: Option<String>,
    pub via: Via,
    /// The request came with a session cookie that has expired or is unknown.
    pub session_expired: bool,
    /// The request reached us over TLS (as `--secure-cookies` says, or a trusted proxy).
    pub secure: bool,
    /// The peer's address, for throttling sign-ins ("onbekend" when not known).
    pub address: String,
    /// The confirmation of a save that led here, shown once.
    pub notice: Option<super::flash::Notice>,
}

tokio::task_local! {
    static CURRENT: Viewer;
}

impl Viewer {
    fn anonymous(secure: bool) -> Self {
        Self {
            user: None,
            csrf: None,
            via: Via::Anonymous,
            session_expired: false,
            secure,
            address: "onbekend".into(),
            notice: None,
        }
    }

    /// The viewer of the request being handled (anonymous outside a request).
    pub fn current() -> Self {
        CURRENT
            .try_with(Clone::clone)
            .unwrap_or_else(|_| Self::anonymous(false))
    }

    /// The confirmation to show at the top of the page, once.
    pub fn flash(&self) -> Option<&'static str> {
        self.notice.map(super::flash::Notice::text)
    }

    pub fn is_signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// The signed-in account, or a 401 that says how to sign in.
    pub fn require_user(&self) -> Result<&User, WebError> {
        self.user.as_ref().ok_or_else(|| {
            WebError::Unauthorized(if self.session_expired {
                "Uw sessie is verlopen. Log opnieuw in; wat u net verstuurde is niet opgeslagen."
                    .into()
            } else {
                "Log in om dit te doen.".into()
            })
        })
    }

    /// A beheerder, or a refusal naming what only a beheerder may do.
    pub fn require_admin(&self, what: &str) -> Result<&User, WebError> {
        let user = self.require_user()?;
        if user.is_admin() {
            Ok(user)
        } else {
            Err(WebError::Forbidden(format!(
                "Alleen een beheerder mag {what}. U bent ingelogd als {} ({}).",
                user.name,
                user.role.label().to_lowercase()
            )))
        }
    }

    /// Someone who may change a plan led by `leads`: a beheerder, or a trekker of one of them.
    pub fn require_plan_editor(
        &self,
        plan_name: &str,
        leads: &[String],
    ) -> Result<&User, WebError> {
        let user = self.require_user()?;
        if user.may_edit_plan(leads) {
            Ok(user)
        } else {
            Err(WebError::Forbidden(format!(
                "U mag \"{plan_name}\" niet wijzigen: alleen een beheerder of een trekker van een organisatie die dit plan trekt mag dat."
            )))
        }
    }

    /// Who writes, for the audit trail.
    pub fn actor(&self) -> Actor {
        match &self.user {
            Some(u) => Actor {
                user_id: Some(u.id),
                name: u.name.clone(),
                channel: if matches!(self.via, Via::Token(_)) {
                    Channel::Api
                } else {
                    Channel::Web
                },
            },
            None => Actor::system("onbekend", Channel::Web),
        }
    }

    /// The CSRF token for forms ("" for anonymous visitors, who have no forms but sign-in).
    pub fn csrf_token(&self) -> &str {
        self.csrf.as_deref().unwrap_or_default()
    }

    /// The name in the page header.
    pub fn display_name(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.name.as_str())
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(User::is_admin)
    }

    /// Internal fields (such as a plan's interne notitie) are for signed-in readers only.
    pub fn sees_internal(&self) -> bool {
        self.is_signed_in()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_else(|| Self::anonymous(false)))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The largest form body the CSRF check reads.
const FORM_LIMIT: usize = super::input::BODY_LIMIT;

/// How far into a multipart body the CSRF check reads to find its first part, the token.
const FIRST_PART_LIMIT: usize = 16 * 1024;

/// Identifies the caller and checks CSRF for unsafe requests that ride on a session cookie.
pub async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let now = now_unix();
    let path = req.uri().path().to_owned();
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let (client, forwarded_tls) = state.trusted_proxies.client(peer, req.headers());
    let mut viewer = Viewer::anonymous(state.secure_cookies || forwarded_tls);
    if let Some(client) = client {
        viewer.address = client.to_string();
    }
    if let Some(token) = bearer(req.headers()) {
        let hash = secret_hash(token);
        match state.store.token_user(&hash, now).await {
            Ok(Some(user)) => {
                viewer.user = Some(user);
                viewer.via = Via::Token(hash);
            }
            Ok(None) => {
                return refuse(
                    &path,
                    WebError::Unauthorized(
                        "Het API-token is onbekend of ingetrokken. Maak een nieuw token aan op de pagina Mijn account.".into(),
                    ),
                );
            }
            Err(e) => return refuse(&path, e.into()),
        }
    } else if let Some(cookie) = CookieJar::from_headers(req.headers()).get(SESSION_COOKIE) {
        let hash = secret_hash(cookie.value());
        match state.store.session(&hash, now, state.session_limits).await {
            Ok(Some(session)) => {
                viewer.user = Some(session.user);
                viewer.csrf = Some(session.csrf_token);
                viewer.via = Via::Session(hash);
            }
            Ok(None) => viewer.session_expired = true,
            Err(e) => return refuse(&path, e.into()),
        }
    }

    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let req = if unsafe_method && matches!(viewer.via, Via::Session(_)) {
        let (req, sent) = match csrf_sent(req).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        let expected = viewer.csrf.as_deref().unwrap_or_default();
        if !sent.as_deref().is_some_and(|s| same_secret(s, expected)) {
            return refuse(
                &path,
                WebError::Forbidden(
                    "Dit formulier is verlopen of komt niet van deze website, dus er is niets opgeslagen. Laad de pagina opnieuw en probeer het nog eens.".into(),
                ),
            );
        }
        req
    } else {
        req
    };

    let mut req = req;
    viewer.notice = super::flash::sent(&req, viewer.user.is_some());
    let notice = viewer.notice.is_some();
    req.extensions_mut().insert(viewer.clone());
    let expired = viewer.session_expired;
    let signed_in = viewer.user.is_some();
    let mut response = CURRENT.scope(viewer, next.run(req)).await;
    let headers = response.headers_mut();
    // Embedded assets say how long they may be kept; every other answer depends on who asks.
    if !headers.contains_key(header::CACHE_CONTROL) {
        if signed_in {
            // Names, internal notes, a new token shown once: never kept by a browser or proxy.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        // One address serves a public and a signed-in version.
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
        headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    }
    if notice {
        super::flash::clear_when_shown(&mut response);
    }
    if expired {
        // Forget the dead cookie.
        let gone = Cookie::build((SESSION_COOKIE, ""))
            .path("/")
            .max_age(time::Duration::ZERO);
        if let Ok(value) = gone.to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The CSRF token a request sent: the header, the form field, or the first part of a
/// multipart form. Never the address: a token in a URL ends up in logs and histories.
async fn csrf_sent(req: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_owned();
        return Ok((req, Some(v)));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        return Ok(multipart_csrf(req, &content_type).await);
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return Err(refuse(
                parts.uri.path(),
                WebError::BadRequest("Het formulier is te groot om te verwerken.".into()),
            ));
        }
    };
    let field = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), field))
}

/// The token of a multipart form (a file upload), which must be the form's first part
/// (browsers send the parts in the order of the form, so the template puts `csrf` first).
/// Only the start of the body is read, at most [`FIRST_PART_LIMIT`] past the first chunk,
/// and put back in front of the rest: the handler still streams the whole body, however
/// large, and nothing of a request without a valid token reaches it.
async fn multipart_csrf(req: Request, content_type: &str) -> (Request, Option<String>) {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return (req, None);
    };
    let (parts, body) = req.into_parts();
    let mut rest = body.into_data_stream();
    let opening = format!("--{boundary}");
    let closing = format!("\r\n--{boundary}");
    let mut head = Vec::new();
    let mut broken = false;
    // Read until the first part has ended (the second delimiter) or the limit is reached.
    while !first_part_ended(&head, opening.as_bytes(), closing.as_bytes())
        && head.len() < FIRST_PART_LIMIT
    {
        match rest.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => {
                broken = true;
                break;
            }
            None => break,
        }
    }
    let head = axum::body::Bytes::from(head);
    let token = if broken {
        None
    } else {
        first_field(head.clone(), boundary, CSRF_FIELD).await
    };
    let body = Body::from_stream(
        futures_util::stream::once(std::future::ready(Ok::<_, axum::Error>(head))).chain(rest),
    );
    (Request::from_parts(parts, body), token)
}

fn first_part_ended(head: &[u8], opening: &[u8], closing: &[u8]) -> bool {
    find(head, opening).is_some_and(|start| find(&head[start + opening.len()..], closing).is_some())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of the form's first part when it is named `name` (parsed as the handler's
/// multipart reader parses it).
async fn first_field(head: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(head)));
    let mut form = multer::Multipart::new(stream, boundary);
    let field = form.next_field().await.ok()??;
    if field.name() != Some(name) {
        return None;
    }
    field.text().await.ok()
}

/// The session cookie for a new sign-in.
pub fn session_cookie(secret: String, secure: bool, absolute_seconds: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::seconds(absolute_seconds))
        .build()
}

/// The cookie that ends a session in the browser.
pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::ZERO)
        .build()
}
