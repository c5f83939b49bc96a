//! One error type for pages and one for the API. Users get a Dutch message that says what to
//! do; database and internal details go to the log only.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The address names something that does not exist; the message says what.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong (an unknown filter value, say); the message says how to fix it.
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in (or the session expired); the message says to sign in.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but not allowed; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins; the message says when to try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// The input has problems; the message sums up, the list names each field.
    #[error("{0}")]
    Invalid(String, Vec<crate::web::forms::FieldError>),
    /// Someone saved the record in the meantime (API); the message says to reload.
    #[error("{0}")]
    Conflict(String),
    /// The database is busy with another large write (an import); nothing was stored.
    #[error("{0}")]
    Busy(String),
    #[error("interne fout")]
    Internal(#[from] anyhow::Error),
}

/// Seconds a client is asked to wait after [`WebError::Busy`].
pub const RETRY_AFTER_SECONDS: u32 = 30;

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        if e.is_busy() {
            return Self::Busy(format!(
                "De database is bezig met een grote wijziging, meestal een import van metingen of van een portfolio. Daarom is er nu niets opgeslagen. Probeer het over {RETRY_AFTER_SECONDS} seconden opnieuw; wat u invulde, staat nog in het formulier als u in uw browser teruggaat."
            ));
        }
        match e {
            StoreError::Refused(r) => Self::BadRequest(r.into_message()),
            StoreError::NotFound(m) => Self::NotFound(m),
            StoreError::Conflict { current_version } => Self::Conflict(format!(
                "Iemand anders heeft dit intussen opgeslagen (nu versie {current_version}); er is niets opgeslagen. Haal de nieuwste versie op en breng uw wijziging opnieuw aan."
            )),
            other => Self::Internal(other.into()),
        }
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::NotFound(m)
            | Self::BadRequest(m)
            | Self::Unauthorized(m)
            | Self::Forbidden(m)
            | Self::TooManyRequests(m)
            | Self::Conflict(m)
            | Self::Busy(m)
            | Self::Invalid(m, _) => m.clone(),
            Self::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                "Er ging iets mis aan onze kant. Probeer het later opnieuw; blijft het misgaan, meld het dan bij de beheerder.".into()
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: String,
    nav: &'static str,
    /// Offer the sign-in link (401).
    login: bool,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let title = match status {
            StatusCode::NOT_FOUND => "Pagina niet gevonden",
            StatusCode::BAD_REQUEST => "Deze vraag kunnen we niet beantwoorden",
            StatusCode::UNAUTHORIZED => "Inloggen nodig",
            StatusCode::FORBIDDEN => "Dit mag u niet doen",
            StatusCode::TOO_MANY_REQUESTS => "Even wachten",
            StatusCode::CONFLICT => "Intussen gewijzigd",
            StatusCode::UNPROCESSABLE_ENTITY => "Niet opgeslagen",
            StatusCode::SERVICE_UNAVAILABLE => "Even bezig: er loopt een import",
            _ => "Er ging iets mis",
        };
        let page = ErrorPage {
            title,
            message: self.public_message(),
            nav: "",
            login: status == StatusCode::UNAUTHORIZED,
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (status, title).into_response()
            }
        };
        retry_after(&mut response);
        response
    }
}

/// A busy answer says when to try again.
fn retry_after(response: &mut Response) {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(RETRY_AFTER_SECONDS),
        );
    }
}

/// An error as the caller reads it: JSON under `/api/`, a Dutch page elsewhere (for the
/// middleware, which answers before a handler has chosen).
pub fn refuse(path: &str, error: WebError) -> Response {
    if path.starts_with("/api/") {
        ApiError(error).into_response()
    } else {
        error.into_response()
    }
}

/// The same errors as JSON for `/api`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl ApiError {
    /// Field problems of a write through the API: nothing was stored.
    pub fn invalid(errors: crate::web::forms::FormErrors) -> Self {
        Self(WebError::Invalid(
            "Er is niets opgeslagen; verbeter de velden in `fields`.".into(),
            errors.iter().cloned().collect(),
        ))
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        Self(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self(e.into())
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// not_found, bad_request, unauthorized, forbidden, too_many_requests, conflict, invalid, busy or internal
    pub error: &'static str,
    /// What went wrong and what to do, in Dutch.
    pub message: String,
    /// For invalid input: each field with its problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<crate::web::forms::FieldError>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let fields = match &self.0 {
            WebError::Invalid(_, fields) => fields.clone(),
            _ => Vec::new(),
        };
        let error = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
            StatusCode::CONFLICT => "conflict",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            StatusCode::SERVICE_UNAVAILABLE => "busy",
            _ => "internal",
        };
        let mut response = (
            status,
            Json(ApiErrorBody {
                error,
                message: self.0.public_message(),
                fields,
            }),
        )
            .into_response();
        retry_after(&mut response);
        response
    }
}
