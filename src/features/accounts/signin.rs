//! Signing in (with throttling of failed attempts) and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

use super::guard::{self, Verdict};
use crate::auth::{new_secret, parse_email, same_secret};
use crate::store::now_unix;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::forms::FormErrors;
use crate::web::routes::Routes;
use crate::web::session::{LOGIN_CSRF_COOKIE, Viewer, removal_cookie, session_cookie};

pub fn routes() -> Routes {
    Routes::new()
        .get("/inloggen", login_form)
        .post("/inloggen", login)
        .post("/uitloggen", logout)
}

#[derive(Template, WebTemplate)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    pub nav: &'static str,
    pub email: String,
    pub back: String,
    pub csrf: String,
    pub errors: FormErrors,
    pub expired: bool,
    /// The password was just changed, which ended every session (`?gewijzigd=wachtwoord`).
    pub password_changed: bool,
}

#[derive(Debug, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    terug: String,
    #[serde(default)]
    gewijzigd: String,
}

/// Only paths of this site are followed after sign-in.
fn safe_back(back: &str) -> String {
    local_path(back, "/")
}

/// A path of this site to return to after a form, or `default`. Besides what
/// [`crate::web::account_back`] refuses (other sites, `//host`, backslashes), this refuses
/// anything but visible ASCII: browsers drop tabs and line breaks from addresses, so
/// `/<tab>/evil.example` would lead to `//evil.example`, and a `Location` header cannot
/// carry such characters at all (building the redirect would fail).
pub(crate) fn local_path(back: &str, default: &str) -> String {
    if back.bytes().all(|b| b.is_ascii_graphic()) {
        crate::web::account_back(back, default)
    } else {
        default.to_owned()
    }
}

fn login_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, token))
        .path("/inloggen")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

fn login_page(
    jar: CookieJar,
    viewer: &Viewer,
    status: StatusCode,
    email: String,
    back: String,
    errors: FormErrors,
    password_changed: bool,
) -> Response {
    // Keep the token the browser already has: with a new one per page, a sign-in form open
    // in a second tab would replace the cookie and the first tab's form would be refused.
    let token = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| {
            t.len() >= 32
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(|| new_secret().0);
    let page = LoginPage {
        nav: "inloggen",
        email,
        back,
        csrf: token.clone(),
        errors,
        // After a password change every session ended on purpose: the page says so, not that
        // the session expired.
        expired: viewer.session_expired && !password_changed,
        password_changed,
    };
    (status, jar.add(login_cookie(token, viewer.secure)), page).into_response()
}

async fn login_form(viewer: Viewer, jar: CookieJar, Query(q): Query<BackQuery>) -> Response {
    if viewer.is_signed_in() {
        return Redirect::to(&safe_back(&q.terug)).into_response();
    }
    login_page(
        jar,
        &viewer,
        StatusCode::OK,
        String::new(),
        safe_back(&q.terug),
        FormErrors::new(),
        q.gewijzigd == "wachtwoord",
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    terug: String,
}

async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let back = safe_back(&form.terug);
    let email_typed = form.email.trim().to_owned();
    // The form again, with one message at its input.
    let refuse = |jar: CookieJar, status: StatusCode, input: &str, message: String| {
        let mut errors = FormErrors::new();
        errors.add(input, message);
        login_page(
            jar,
            &viewer,
            status,
            email_typed.clone(),
            back.clone(),
            errors,
            false,
        )
    };
    let cookie_token = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned());
    if !cookie_token.is_some_and(|t| !form.csrf.is_empty() && same_secret(&t, &form.csrf)) {
        return Ok(refuse(
            jar,
            StatusCode::FORBIDDEN,
            "email",
            "Het inlogformulier is verlopen of komt niet van deze website. Vul het opnieuw in."
                .into(),
        ));
    }
    let Ok(email) = parse_email(&form.email) else {
        return Ok(refuse(
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
            "E-mailadres: vul het e-mailadres van uw account in, bijvoorbeeld naam@organisatie.nl."
                .into(),
        ));
    };
    if form.password.is_empty() {
        return Ok(refuse(
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
            "Wachtwoord: vul uw wachtwoord in.".into(),
        ));
    }
    let credentials = state.store.credentials(&email).await?;
    // A disabled account is checked as an unknown one (against the dummy hash): the answer,
    // its time and what the throttle counts are the same whether the password was right.
    let hash = credentials
        .as_ref()
        .filter(|c| !c.disabled)
        .map(|c| c.password_hash.clone());
    let verdict = guard::check(
        &state.store,
        &email,
        &viewer.address,
        form.password.clone(),
        hash,
    )
    .await?;
    let user = match (verdict, credentials) {
        (Verdict::Throttled, _) => {
            return Ok(refuse(
                jar,
                StatusCode::TOO_MANY_REQUESTS,
                "email",
                guard::throttled_message(),
            ));
        }
        (Verdict::Right, Some(c)) if !c.disabled => c.user,
        _ => {
            return Ok(refuse(jar, StatusCode::UNAUTHORIZED, "email", "Het e-mailadres of het wachtwoord klopt niet, of het account is uitgeschakeld. Controleer beide en probeer het opnieuw; lukt het niet, vraag de beheerder.".into()));
        }
    };
    let now = now_unix();
    let (secret, hash) = new_secret();
    let (csrf, _) = new_secret();
    state
        .store
        .create_session(user.id, &hash, &csrf, now)
        .await?;
    let jar = jar
        .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/inloggen"))
        .add(session_cookie(
            secret,
            viewer.secure,
            state.session_limits.absolute,
        ));
    Ok((jar, Redirect::to(&back)).into_response())
}

async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
) -> Result<Response, WebError> {
    if let crate::web::session::Via::Session(hash) = &viewer.via {
        state.store.delete_session(hash).await?;
    }
    Ok((jar.add(removal_cookie()), Redirect::to("/")).into_response())
}
