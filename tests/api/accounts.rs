//! Signing in, sessions, CSRF, throttling and API tokens.

use std::net::SocketAddr;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{GEMEENTE, PASSWORD, PLAN, Persona, TestApp, set_field};

fn rollout_path() -> String {
    format!("/plannen/{PLAN}/uitrol/{GEMEENTE}")
}

/// A complete rollout form for the trekker's plan.
async fn rollout_fields(app: &TestApp, status: &str) -> Vec<(String, String)> {
    let version = app
        .store
        .rollout_version(PLAN, GEMEENTE)
        .await
        .expect("version");
    vec![
        ("version".into(), version.to_string()),
        ("status".into(), status.into()),
        ("date".into(), "2025-10-09".into()),
    ]
}

#[tokio::test]
async fn a_user_signs_in_through_the_form_and_sees_their_name() {
    let app = TestApp::with_people().await;

    let browser = app.login_as(Persona::LeadOfPlan).await;
    let page = browser.get("/").await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("nav.rm-nav--account").contains("Tim Trekker"));
    let header = page
        .html()
        .select(&scraper::Selector::parse("body").expect("selector"))
        .next()
        .and_then(|b| b.value().attr("hx-headers").map(str::to_owned))
        .expect("htmx sends the CSRF token");
    assert!(header.contains(&browser.csrf()), "{header}");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::with_people().await;
    let browser = app.login_as(Persona::Reader).await;

    let out = browser.post_form("/uitloggen", [("x", "")]).await;
    let after = browser.get("/account").await;

    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.set_cookie(crate::helpers::SESSION_COOKIE).as_deref(),
        Some("")
    );
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_post_without_the_csrf_token_is_refused_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let fields = rollout_fields(&app, "loopt").await;
    let before = app.snapshot().await;

    let answer = lead.post_without_csrf(&rollout_path(), fields).await;

    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.text("main").contains("Dit formulier is verlopen"));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_session_post_with_a_wrong_csrf_token_is_refused_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let other = app.login_as(Persona::Admin).await;
    let fields = rollout_fields(&app, "loopt").await;
    let before = app.snapshot().await;

    let wrong = lead
        .post_with_csrf(&rollout_path(), fields.clone(), "niet-het-goede-token")
        .await;
    let someone_elses = lead
        .post_with_csrf(&rollout_path(), fields, &other.csrf())
        .await;

    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(someone_elses.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_json_write_on_a_session_needs_the_csrf_header() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let body = json!({"version": 0, "status": "loopt", "date": "2025-10-09"});
    let path = format!("/api/v1/plans/{PLAN}/rollouts/{GEMEENTE}");
    let before = app.snapshot().await;

    let mut without = lead.clone();
    if let crate::helpers::Auth::Session { csrf, .. } = &mut without.auth {
        csrf.clear();
    }
    let refused = without.send_json(Method::PUT, &path, &body).await;
    let after_refusal = app.snapshot().await;
    let accepted = lead.send_json(Method::PUT, &path, &body).await;

    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"], "forbidden");
    assert_eq!(after_refusal, before);
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}

#[tokio::test]
async fn a_form_posted_with_the_csrf_header_instead_of_the_field_is_accepted() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let fields = rollout_fields(&app, "loopt").await;

    let csrf = lead.csrf();
    let answer = lead
        .post_raw(&rollout_path(), fields, &[("x-csrf-token", csrf.as_str())])
        .await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
}

/// Creates an API token through the account page and returns (page, secret).
async fn new_token(browser: &crate::helpers::Client, name: &str) -> (crate::helpers::Page, String) {
    let page = browser.post_form("/account/tokens", [("name", name)]).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    let secret = page.text("#nieuw-token");
    (page, secret)
}

#[tokio::test]
async fn a_bearer_token_writes_without_a_csrf_token() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let (_, token) = new_token(&lead, "script").await;
    let fields = rollout_fields(&app, "loopt").await;

    let answer = app
        .bearer(&token)
        .post_without_csrf(&rollout_path(), fields)
        .await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        app.store.rollout_version(PLAN, GEMEENTE).await.expect("v"),
        1
    );
}

#[tokio::test]
async fn a_new_token_is_shown_once_and_stops_working_when_revoked() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;

    let (page, token) = new_token(&lead, "rapportage").await;
    assert!(token.starts_with("rm_"), "{token}");
    assert!(page.text("[role=status]").contains("rapportage"));
    let account = lead.get("/account").await;
    assert!(
        !account.body.contains(&token),
        "the secret is shown only once"
    );
    assert!(
        account.body.contains(&token[..8]),
        "its beginning is listed"
    );

    let script = app.bearer(&token);
    let used = script
        .post_without_csrf(&rollout_path(), rollout_fields(&app, "opstart").await)
        .await;
    assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.body);

    let revoke = account.form_values("form[action$='/intrekken']");
    let action = account
        .html()
        .select(&scraper::Selector::parse("form[action$='/intrekken']").expect("selector"))
        .next()
        .and_then(|f| f.value().attr("action").map(str::to_owned))
        .expect("a revoke button");
    let revoked = lead.post_form(&action, revoke).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let before = app.snapshot().await;

    let refused = script
        .post_without_csrf(&rollout_path(), rollout_fields(&app, "loopt").await)
        .await;

    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.text("main").contains("ingetrokken"));
    assert_eq!(app.snapshot().await, before);
    assert!(
        lead.get("/account")
            .await
            .text("table")
            .contains("Ingetrokken op")
    );
}

#[tokio::test]
async fn nobody_can_revoke_someone_elses_token() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let other = app.login_as(Persona::Admin).await;
    let (_, token) = new_token(&lead, "script").await;
    let id = app
        .store
        .tokens_of(app.user_id(Persona::LeadOfPlan).await)
        .await
        .expect("tokens")[0]
        .id;
    let before = app.snapshot().await;

    let answer = other
        .post_form(&format!("/account/tokens/{id}/intrekken"), [("x", "")])
        .await;

    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(
        app.bearer(&token).get("/account").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_idle_session_expires_and_the_next_write_says_so_and_stores_nothing() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let now = regiomonitor::store::now_unix();
    app.store
        .age_session(&lead.session_hash(), now - 3 * 3600, now - 2 * 3600 - 60)
        .await
        .expect("aged");
    let fields = rollout_fields(&app, "loopt").await;
    let before = app.snapshot().await;

    let answer = lead.post_form(&rollout_path(), fields).await;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert!(
        answer.text("main").contains("Uw sessie is verlopen"),
        "{}",
        answer.text("main")
    );
    assert_eq!(
        answer.set_cookie(crate::helpers::SESSION_COOKIE).as_deref(),
        Some("")
    );
    assert_eq!(app.snapshot().await, before);
    let page = lead.get("/").await;
    assert!(page.text("nav.rm-nav--account").contains("Inloggen"));
    assert!(!page.body.contains("Tim Trekker"));
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let now = regiomonitor::store::now_unix();
    app.store
        .age_session(&lead.session_hash(), now - 12 * 3600 - 60, now - 30)
        .await
        .expect("aged");
    let before = app.snapshot().await;

    let answer = lead
        .post_form(&rollout_path(), rollout_fields(&app, "loopt").await)
        .await;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.text("main").contains("Uw sessie is verlopen"));
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn after_an_expired_session_the_sign_in_page_says_why() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let now = regiomonitor::store::now_unix();
    app.store
        .age_session(&lead.session_hash(), now - 13 * 3600, now - 13 * 3600)
        .await
        .expect("aged");

    let page = lead.get("/inloggen").await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("main").contains("Uw sessie is verlopen"));
}

const THROTTLED: &str = "Er is te vaak een verkeerd wachtwoord ingevuld";

#[tokio::test]
async fn after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while() {
    let app = TestApp::with_people().await;
    let email = Persona::Reader.email();
    for _ in 0..5 {
        let wrong = app.try_login(email, "verkeerd-wachtwoord-123", None).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text("#fouten").contains("klopt niet"));
    }

    let right = app.try_login(email, PASSWORD, None).await;

    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        right.text("#fouten").contains(THROTTLED),
        "{}",
        right.text("#fouten")
    );
    assert!(right.set_cookie(crate::helpers::SESSION_COOKIE).is_none());
    let other = app.try_login(Persona::Admin.email(), PASSWORD, None).await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "other accounts still sign in"
    );
}

#[tokio::test]
async fn the_account_limit_does_not_care_about_upper_case_in_the_address() {
    let app = TestApp::with_people().await;
    for i in 0..5 {
        let email = if i % 2 == 0 {
            "LEZER@example.nl"
        } else {
            " lezer@EXAMPLE.nl "
        };
        app.try_login(email, "verkeerd-wachtwoord-123", None).await;
    }

    let right = app.try_login(Persona::Reader.email(), PASSWORD, None).await;

    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn failures_from_one_address_slow_it_down_but_lock_no_one_out() {
    let app = TestApp::with_people().await;
    let here: SocketAddr = "192.0.2.10:5000".parse().expect("address");
    for i in 0..21 {
        let wrong = app
            .try_login(
                &format!("gok{i}@example.nl"),
                "verkeerd-wachtwoord-123",
                Some(here),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }

    // Everyone behind that address (an office, a proxy) still signs in, a little later.
    let same_address = app
        .try_login(Persona::Admin.email(), PASSWORD, Some(here))
        .await;

    assert_eq!(same_address.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn no_one_can_lock_an_account_from_another_address() {
    let app = TestApp::with_people().await;
    let attacker: SocketAddr = "192.0.2.66:5000".parse().expect("address");
    let owner: SocketAddr = "198.51.100.7:5000".parse().expect("address");
    for _ in 0..6 {
        app.try_login(
            Persona::Reader.email(),
            "verkeerd-wachtwoord-123",
            Some(attacker),
        )
        .await;
    }

    let blocked = app
        .try_login(Persona::Reader.email(), PASSWORD, Some(attacker))
        .await;
    let from_home = app
        .try_login(Persona::Reader.email(), PASSWORD, Some(owner))
        .await;

    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(from_home.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guesses_from_many_addresses_are_slowed_per_account() {
    let app = TestApp::with_people().await;
    for i in 0..7 {
        let from: SocketAddr = format!("192.0.2.{}:5000", 100 + i)
            .parse()
            .expect("address");
        app.try_login(
            Persona::Reader.email(),
            "verkeerd-wachtwoord-123",
            Some(from),
        )
        .await;
    }
    let owner: SocketAddr = "198.51.100.7:5000".parse().expect("address");

    let started = tokio::time::Instant::now();
    let from_home = app
        .try_login(Persona::Reader.email(), PASSWORD, Some(owner))
        .await;

    assert_eq!(from_home.status, StatusCode::SEE_OTHER, "the owner gets in");
    // Seven wrong guesses are two beyond the limit: this check waited two seconds.
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    // The failures from the other addresses are still counted after the owner's success.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM login_failures").await, 7);
}

#[tokio::test]
async fn a_sign_in_without_the_form_token_is_refused() {
    let app = TestApp::with_people().await;

    let answer = app
        .anonymous()
        .post_raw(
            "/inloggen",
            [("email", Persona::Reader.email()), ("password", PASSWORD)],
            &[],
        )
        .await;

    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.set_cookie(crate::helpers::SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn the_sign_in_form_returns_only_to_pages_of_this_site() {
    let app = TestApp::with_people().await;
    let client = app.anonymous();
    let form = client.get("/inloggen?terug=//evil.example/").await;

    assert_eq!(form.value("input[name=terug]").as_deref(), Some("/"));
}

#[tokio::test]
async fn changing_the_password_ends_the_session_and_the_new_one_works() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let mut fields = reader
        .get("/account")
        .await
        .form_values("form[action='/account/wachtwoord']");
    set_field(&mut fields, "current", PASSWORD);
    set_field(&mut fields, "new", "een-heel-nieuw-wachtwoord");
    set_field(&mut fields, "repeat", "een-heel-nieuw-wachtwoord");

    let changed = reader.post_form("/account/wachtwoord", fields).await;

    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let sign_in = reader
        .get(changed.location().expect("to the sign-in page"))
        .await;
    assert!(
        sign_in
            .text("[role=status]")
            .contains("Uw wachtwoord is gewijzigd"),
        "the sign-in page says why, not that the session expired: {}",
        sign_in.body
    );
    assert_eq!(
        reader.get("/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login(Persona::Reader.email(), PASSWORD, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    app.login(Persona::Reader.email(), "een-heel-nieuw-wachtwoord")
        .await;
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_tokens() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let (_, token) = new_token(&lead, "script").await;
    let admin = app.login_as(Persona::Admin).await;
    let id = app.user_id(Persona::LeadOfPlan).await;

    let done = admin
        .post_form(
            &format!("/beheer/gebruikers/{id}/status"),
            [("disabled", "1")],
        )
        .await;

    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(lead.get("/account").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.bearer(&token).get("/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .try_login(Persona::LeadOfPlan.email(), PASSWORD, None)
        .await;
    let wrong = app
        .try_login(Persona::LeadOfPlan.email(), "verkeerd-wachtwoord-123", None)
        .await;
    // The same answer for the right and a wrong password: no oracle for guessers.
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, again.status);
    assert_eq!(wrong.text("#fouten"), again.text("#fouten"));
    assert!(again.text("#fouten").contains("uitgeschakeld"));

    // Enabled again, the account signs in, but its old token stays dead.
    let enable = admin
        .post_form(
            &format!("/beheer/gebruikers/{id}/status"),
            [("disabled", "0")],
        )
        .await;
    assert_eq!(enable.status, StatusCode::SEE_OTHER, "{}", enable.body);
    app.login_as(Persona::LeadOfPlan).await;
    assert_eq!(
        app.bearer(&token).get("/account").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE record_type = 'token' AND new_value = 'ingetrokken'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_new_password_ends_the_accounts_tokens() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let (_, token) = new_token(&reader, "script").await;
    assert_eq!(
        app.bearer(&token).get("/account").await.status,
        StatusCode::OK
    );

    let changed = reader
        .post_form(
            "/account/wachtwoord",
            [
                ("current", PASSWORD),
                ("new", "een-heel-nieuw-wachtwoord"),
                ("repeat", "een-heel-nieuw-wachtwoord"),
            ],
        )
        .await;

    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        app.bearer(&token).get("/account").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_current_password_check_is_throttled_too() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let change = |current: &'static str| {
        let reader = reader.clone();
        async move {
            reader
                .post_form(
                    "/account/wachtwoord",
                    [
                        ("current", current),
                        ("new", "een-heel-nieuw-wachtwoord"),
                        ("repeat", "een-heel-nieuw-wachtwoord"),
                    ],
                )
                .await
        }
    };
    for _ in 0..5 {
        let wrong = change("verkeerd-wachtwoord-123").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong.body.contains("niet uw huidige wachtwoord"),
            "{}",
            wrong.body
        );
    }

    let right = change(PASSWORD).await;

    assert_eq!(right.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(right.body.contains(THROTTLED), "{}", right.body);
    // The password was not changed: the old one still signs in (from elsewhere, since this
    // address is throttled for this account).
    let elsewhere: SocketAddr = "198.51.100.7:5000".parse().expect("address");
    let old = app
        .try_login(Persona::Reader.email(), PASSWORD, Some(elsewhere))
        .await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn after_sign_in_only_addresses_of_this_site_are_followed() {
    let app = TestApp::with_people().await;
    for back in [
        "//evil.example/",
        "/\t/evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "/\n/evil.example/",
        "/caf\u{e9}",
    ] {
        let client = app.anonymous();
        let form = client
            .get(&format!(
                "/inloggen?terug={}",
                url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
            ))
            .await;
        assert_eq!(form.status, StatusCode::OK, "{back:?}");
        assert_eq!(
            form.value("input[name=terug]").as_deref(),
            Some("/"),
            "{back:?}"
        );
    }
}

#[tokio::test]
async fn a_crafted_return_address_in_the_sign_in_post_is_not_followed() {
    let app = TestApp::with_people().await;
    let client = app.anonymous();
    let form = client.get("/inloggen").await;
    let cookie = form
        .set_cookie(crate::helpers::LOGIN_COOKIE)
        .expect("cookie");
    let csrf = form.value("input[name=csrf]").expect("token");

    for back in ["/\t/evil.example/", "/\r\n/evil.example/", "/caf\u{e9}"] {
        let answer = client
            .send(
                axum::http::Request::post("/inloggen")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header(
                        "cookie",
                        format!("{}={cookie}", crate::helpers::LOGIN_COOKIE),
                    )
                    .body(axum::body::Body::from(
                        url::form_urlencoded::Serializer::new(String::new())
                            .append_pair("email", Persona::Reader.email())
                            .append_pair("password", PASSWORD)
                            .append_pair("csrf", &csrf)
                            .append_pair("terug", back)
                            .finish(),
                    ))
                    .expect("request"),
            )
            .await;

        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{back:?}");
        assert_eq!(answer.location(), Some("/"), "{back:?}");
    }
}

#[tokio::test]
async fn a_duplicate_address_is_refused_with_a_message_that_names_the_field() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let before = app.snapshot().await;

    let page = admin
        .post_form(
            "/beheer/gebruikers",
            [
                ("email", "LEZER@example.nl"),
                ("name", "Nog een lezer"),
                ("role", "lezer"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.text("#fout-email").starts_with("E-mailadres: "),
        "{}",
        page.text("#fout-email")
    );
    assert_eq!(page.value("#veld-name").as_deref(), Some("Nog een lezer"));
    assert_eq!(app.snapshot().await, before);
}

/// The `autocomplete` of the field `name` in the form `form`.
fn autocomplete(page: &crate::helpers::Page, form: &str, name: &str) -> Option<String> {
    let selector = format!("{form} input[name={name}]");
    page.html()
        .select(&scraper::Selector::parse(&selector).expect("selector"))
        .next()
        .and_then(|e| e.value().attr("autocomplete").map(str::to_owned))
}

#[tokio::test]
async fn password_managers_fill_in_only_the_sign_in_form_and_the_current_password() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;

    let login = app.get("/inloggen").await;
    let account = admin.get("/account").await;
    let users = admin.get("/beheer/gebruikers").await;

    let form = "form[action='/inloggen']";
    assert_eq!(
        autocomplete(&login, form, "email").as_deref(),
        Some("username")
    );
    assert_eq!(
        autocomplete(&login, form, "password").as_deref(),
        Some("current-password")
    );
    let form = "form[action='/account/wachtwoord']";
    assert_eq!(
        autocomplete(&account, form, "current").as_deref(),
        Some("current-password")
    );
    assert_eq!(
        autocomplete(&account, form, "new").as_deref(),
        Some("new-password")
    );
    assert_eq!(
        autocomplete(&account, form, "repeat").as_deref(),
        Some("new-password")
    );
    // A new colleague's address and first password are not the beheerder's own.
    let form = "form[action='/beheer/gebruikers']";
    assert_eq!(autocomplete(&users, form, "email").as_deref(), Some("off"));
    assert_eq!(
        autocomplete(&users, form, "password").as_deref(),
        Some("new-password")
    );
}

#[tokio::test]
async fn the_sign_in_form_open_in_two_tabs_works_from_either() {
    let app = TestApp::with_people().await;
    let client = app.anonymous();
    let first = client.get("/inloggen").await;
    let cookie = first
        .set_cookie(crate::helpers::LOGIN_COOKIE)
        .expect("cookie");
    let first_token = first.value("input[name=csrf]").expect("token");
    // The second tab sends the cookie the first one got.
    let second = client
        .send(
            axum::http::Request::get("/inloggen")
                .header(
                    "cookie",
                    format!("{}={cookie}", crate::helpers::LOGIN_COOKIE),
                )
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    let cookie = second
        .set_cookie(crate::helpers::LOGIN_COOKIE)
        .unwrap_or(cookie);

    let answer = client
        .send(
            axum::http::Request::post("/inloggen")
                .header("content-type", "application/x-www-form-urlencoded")
                .header(
                    "cookie",
                    format!("{}={cookie}", crate::helpers::LOGIN_COOKIE),
                )
                .body(axum::body::Body::from(
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("email", Persona::Reader.email())
                        .append_pair("password", PASSWORD)
                        .append_pair("csrf", &first_token)
                        .finish(),
                ))
                .expect("request"),
        )
        .await;

    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{}",
        answer.text("main")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_sent_all_at_once_are_still_limited_to_five() {
    let app = TestApp::with_people().await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let client = app.anonymous();
        attempts.spawn(async move {
            crate::helpers::sign_in(&client, Persona::Reader.email(), "verkeerd-wachtwoord-123")
                .await
                .status
        });
    }

    let statuses = attempts.join_all().await;

    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= 5,
        "{checked} passwords were checked: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS)
    );
    // Only the passwords actually checked count as failures.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM login_failures").await,
        i64::try_from(checked).expect("count")
    );
}
