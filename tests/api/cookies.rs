//! The session cookie's attributes: HttpOnly, SameSite and Secure when served over TLS.

use axum::http::header;
use regiomonitor::web::{WebSettings, router_with};

use crate::helpers::{PASSWORD, Persona, SESSION_COOKIE, TestApp, sign_in};

/// The whole `Set-Cookie` line for cookie `name`.
fn cookie_line(page: &crate::helpers::Page, name: &str) -> String {
    page.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no cookie {name}"))
        .to_owned()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_and_not_secure_over_plain_http() {
    let app = TestApp::with_people().await;

    let answer = sign_in(&app.anonymous(), Persona::Admin.email(), PASSWORD).await;

    let line = cookie_line(&answer, SESSION_COOKIE);
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(line.contains("SameSite=Lax"), "{line}");
    assert!(line.contains("Path=/"), "{line}");
    assert!(!line.contains("Secure"), "{line}");
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_server_is_told_it_runs_behind_tls() {
    let mut app = TestApp::with_people().await;
    app.router = router_with(
        app.store.clone(),
        WebSettings {
            secure_cookies: true,
            ..WebSettings::default()
        },
    );

    let answer = sign_in(&app.anonymous(), Persona::Admin.email(), PASSWORD).await;

    let line = cookie_line(&answer, SESSION_COOKIE);
    assert!(line.contains("Secure"), "{line}");
    assert!(line.contains("HttpOnly"), "{line}");
}
