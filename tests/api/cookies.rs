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

/// The app behind a proxy on 127.0.0.1, trusted or not.
fn behind_proxy(app: &mut TestApp, trusted: bool) {
    let trusted_proxies = if trusted {
        regiomonitor::web::proxy::TrustedProxies::parse("127.0.0.1").expect("proxies")
    } else {
        regiomonitor::web::proxy::TrustedProxies::default()
    };
    app.router = router_with(
        app.store.clone(),
        WebSettings {
            trusted_proxies,
            ..WebSettings::default()
        },
    );
}

/// A browser reaching the app through the proxy, which says who it is and that TLS was used.
fn through_proxy(app: &TestApp, client_ip: &str) -> crate::helpers::Client {
    let mut client = app.anonymous();
    client.address = Some("127.0.0.1:40000".parse().expect("address"));
    client.headers = vec![
        ("x-forwarded-for", client_ip.to_owned()),
        ("x-forwarded-proto", "https".to_owned()),
    ];
    client
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_says_tls_was_used() {
    let mut app = TestApp::with_people().await;
    behind_proxy(&mut app, true);
    let guesser = through_proxy(&app, "203.0.113.9");
    for _ in 0..6 {
        sign_in(&guesser, Persona::Reader.email(), "verkeerd-wachtwoord-123").await;
    }

    let blocked = sign_in(&guesser, Persona::Reader.email(), PASSWORD).await;
    let owner = sign_in(
        &through_proxy(&app, "198.51.100.7"),
        Persona::Reader.email(),
        PASSWORD,
    )
    .await;

    assert_eq!(blocked.status, axum::http::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(owner.status, axum::http::StatusCode::SEE_OTHER);
    assert!(cookie_line(&owner, SESSION_COOKIE).contains("Secure"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM login_failures WHERE address = '203.0.113.9'")
            .await,
        5,
        "five checked, the sixth and seventh refused unchecked"
    );
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let mut app = TestApp::with_people().await;
    behind_proxy(&mut app, false);

    let answer = sign_in(
        &through_proxy(&app, "203.0.113.9"),
        Persona::Admin.email(),
        "verkeerd-wachtwoord-123",
    )
    .await;

    assert_eq!(answer.status, axum::http::StatusCode::UNAUTHORIZED);
    assert!(!cookie_line(&answer, crate::helpers::LOGIN_COOKIE).contains("Secure"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM login_failures WHERE address = '127.0.0.1'")
            .await,
        1
    );
}
