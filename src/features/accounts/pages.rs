//! Signing in and out, one's own account (password, API tokens) and, for the beheerder, the
//! list of accounts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

use super::repo::{Account, NewUser, TokenRow, UserField};
use crate::auth::{
    check_password, dummy_hash, hash_password, new_secret, parse_email, same_secret,
    verify_password,
};
use crate::domain::Role;
use crate::store::now_unix;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::forms::{Choice, FormErrors, optional};
use crate::web::routes::Routes;
use crate::web::session::{LOGIN_CSRF_COOKIE, Viewer, removal_cookie, session_cookie};

/// Failed sign-ins counted over this many seconds.
pub const THROTTLE_WINDOW: i64 = 15 * 60;
/// Failed sign-ins per account within the window before we stop trying.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins per address within the window before we stop trying.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

pub fn routes() -> Routes {
    Routes::new()
        .get("/inloggen", login_form)
        .post("/inloggen", login)
        .post("/uitloggen", logout)
        .get("/account", account)
        .post("/account/wachtwoord", change_password)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/intrekken", revoke_token)
        .get("/beheer/gebruikers", users)
        .post("/beheer/gebruikers", add_user)
        .post("/beheer/gebruikers/{id}/status", set_user_status)
        .post("/beheer/gebruikers/{id}/wachtwoord", reset_password)
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
}

#[derive(Debug, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    terug: String,
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
        expired: viewer.session_expired,
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
    let mut errors = FormErrors::new();
    let cookie_token = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned());
    if !cookie_token.is_some_and(|t| !form.csrf.is_empty() && same_secret(&t, &form.csrf)) {
        errors.add(
            "email",
            "Het inlogformulier is verlopen of komt niet van deze website. Vul het opnieuw in.",
        );
        return Ok(login_page(
            jar,
            &viewer,
            StatusCode::FORBIDDEN,
            email_typed,
            back,
            errors,
        ));
    }
    let Ok(email) = parse_email(&form.email) else {
        errors.add(
            "email",
            "E-mailadres: vul het e-mailadres van uw account in, bijvoorbeeld naam@organisatie.nl.",
        );
        return Ok(login_page(
            jar,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            email_typed,
            back,
            errors,
        ));
    };
    if form.password.is_empty() {
        errors.add("password", "Wachtwoord: vul uw wachtwoord in.");
        return Ok(login_page(
            jar,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            email_typed,
            back,
            errors,
        ));
    }
    let now = now_unix();
    // This attempt counts as failed until the password matches, and counts along: attempts
    // sent all at once then cannot all pass the limit before any of them is recorded.
    let attempt = state
        .store
        .record_login_failure(&email, &viewer.address, now)
        .await?;
    let (by_email, by_address) = state
        .store
        .login_failures(&email, &viewer.address, now - THROTTLE_WINDOW)
        .await?;
    if by_email > MAX_FAILURES_PER_ACCOUNT || by_address > MAX_FAILURES_PER_ADDRESS {
        state.store.forget_login_attempt(attempt).await?;
        errors.add(
            "email",
            format!(
                "Er is te vaak een verkeerd wachtwoord ingevuld. Probeer het over {} minuten opnieuw, of vraag de beheerder om een nieuw wachtwoord.",
                THROTTLE_WINDOW / 60
            ),
        );
        return Ok(login_page(
            jar,
            &viewer,
            StatusCode::TOO_MANY_REQUESTS,
            email_typed,
            back,
            errors,
        ));
    }
    let credentials = state.store.credentials(&email).await?;
    let password = form.password.clone();
    let hash = credentials
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |c| c.password_hash.clone());
    // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| WebError::Internal(e.into()))?;
    let user = match credentials {
        Some(c) if matches && !c.disabled => c.user,
        Some(c) if matches && c.disabled => {
            state.store.forget_login_attempt(attempt).await?;
            errors.add(
                "email",
                "Dit account is uitgeschakeld. Vraag de beheerder om het weer aan te zetten.",
            );
            return Ok(login_page(
                jar,
                &viewer,
                StatusCode::FORBIDDEN,
                email_typed,
                back,
                errors,
            ));
        }
        _ => {
            errors.add(
                "email",
                "Het e-mailadres of het wachtwoord klopt niet. Controleer beide en probeer het opnieuw.",
            );
            return Ok(login_page(
                jar,
                &viewer,
                StatusCode::UNAUTHORIZED,
                email_typed,
                back,
                errors,
            ));
        }
    };
    state.store.clear_login_failures(&email).await?;
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

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

fn moment(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| {
            let local = t.to_zoned(
                jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC),
            );
            format!(
                "{} {}",
                crate::domain::format_date_nl(local.date()),
                local.strftime("%H:%M")
            )
        })
        .unwrap_or_default()
}

fn token_lines(rows: Vec<TokenRow>) -> Vec<TokenLine> {
    rows.into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: moment(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "nog niet".into(), moment),
            revoked: t.revoked_at.map(moment),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "account/account.html")]
pub struct AccountPage {
    pub nav: &'static str,
    pub name: String,
    pub email: String,
    pub role: String,
    pub organisations: Vec<String>,
    pub tokens: Vec<TokenLine>,
    /// A token just created: shown once.
    pub new_token: Option<String>,
    pub token_name: String,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

async fn account_page(
    state: &AppState,
    viewer: &Viewer,
    new_token: Option<String>,
    token_name: String,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<AccountPage, WebError> {
    let user = viewer.require_user()?;
    let names = state.store.organisations().await?;
    let organisations = user
        .organisations
        .iter()
        .map(|o| {
            names
                .iter()
                .find(|n| &n.id == o)
                .map_or_else(|| o.clone(), |n| n.name.clone())
        })
        .collect();
    Ok(AccountPage {
        nav: "account",
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role.label().to_owned(),
        organisations,
        tokens: token_lines(state.store.tokens_of(user.id).await?),
        new_token,
        token_name,
        errors,
        notice,
    })
}

async fn account(State(state): State<AppState>, viewer: Viewer) -> Result<AccountPage, WebError> {
    account_page(
        &state,
        &viewer,
        None,
        String::new(),
        FormErrors::new(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?.clone();
    let mut errors = FormErrors::new();
    let stored = state
        .store
        .credentials(&user.email)
        .await?
        .map(|c| c.password_hash)
        .unwrap_or_default();
    let current = form.current.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
        .await
        .map_err(|e| WebError::Internal(e.into()))?;
    if !ok {
        errors.add(
            "current",
            "Huidig wachtwoord: dit is niet uw huidige wachtwoord.",
        );
    }
    if let Err(e) = check_password(&form.new) {
        errors.add("new", format!("Nieuw wachtwoord: {e}."));
    } else if form.new != form.repeat {
        errors.add(
            "repeat",
            "Herhaal het nieuwe wachtwoord: de twee wachtwoorden zijn niet gelijk.",
        );
    }
    if !errors.is_empty() {
        let page = account_page(&state, &viewer, None, String::new(), errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = hash_off_worker(form.new.clone())
        .await?
        .map_err(|e| WebError::BadRequest(e.0))?;
    // Setting a password ends every session of the account, this one included.
    state
        .store
        .set_password(&viewer.actor(), user.id, &hash)
        .await?;
    Ok(Redirect::to("/inloggen?terug=/account").into_response())
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?.clone();
    let Some(name) = optional(&form.name) else {
        let mut errors = FormErrors::new();
        errors.add(
            "name",
            "Naam van het token: geef het token een naam, bijvoorbeeld de toepassing die het gebruikt.",
        );
        let page = account_page(&state, &viewer, None, String::new(), errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (raw, _) = new_secret();
    let secret = format!("rm_{raw}");
    let hash_of_full = crate::auth::secret_hash(&secret);
    let prefix: String = secret.chars().take(8).collect();
    state
        .store
        .create_token(
            &viewer.actor(),
            &user,
            &name,
            &hash_of_full,
            &prefix,
            now_unix(),
        )
        .await?;
    let page = account_page(
        &state,
        &viewer,
        Some(secret),
        String::new(),
        FormErrors::new(),
        Some(format!("Het token \"{name}\" is aangemaakt.")),
    )
    .await?;
    Ok((StatusCode::CREATED, page).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?.clone();
    let id: i64 = id
        .parse()
        .map_err(|_| WebError::NotFound(format!("Er is geen token {id}.")))?;
    if !state
        .store
        .revoke_token(&viewer.actor(), &user, id, now_unix())
        .await?
    {
        return Err(WebError::NotFound(
            "U heeft geen actief token met dit nummer; misschien is het al ingetrokken.".into(),
        ));
    }
    Ok(Redirect::to("/account").into_response())
}

// --- Beheer: accounts ---

pub struct AccountLine {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organisations: String,
    pub disabled: bool,
    pub version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/users.html")]
pub struct UsersPage {
    pub nav: &'static str,
    pub accounts: Vec<AccountLine>,
    pub roles: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub form: NewUserForm,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organisations: Vec<String>,
    #[serde(default)]
    pub password: String,
}

async fn users_page(
    state: &AppState,
    form: NewUserForm,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<UsersPage, WebError> {
    let orgs = state.store.organisations().await?;
    let name_of = |id: &String| {
        orgs.iter()
            .find(|o| &o.id == id)
            .map_or_else(|| id.clone(), |o| o.name.clone())
    };
    let accounts = state
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|a: Account| AccountLine {
            id: a.id,
            organisations: a
                .organisations
                .iter()
                .map(name_of)
                .collect::<Vec<_>>()
                .join(", "),
            email: a.email,
            name: a.name,
            role: a.role.label().to_owned(),
            disabled: a.disabled,
            version: a.version,
        })
        .collect();
    let mut roles = vec![Choice::new("", "Kies een rol")];
    roles.extend(Role::ALL.iter().map(|r| Choice::new(r.code(), r.label())));
    let mut organisations: Vec<Choice> = orgs
        .iter()
        .map(|o| Choice::new(o.id.clone(), o.name.clone()))
        .collect();
    organisations.sort_by_key(|c| c.label.to_lowercase());
    Ok(UsersPage {
        nav: "beheer",
        accounts,
        roles,
        organisations,
        form,
        errors,
        notice,
    })
}

async fn users(State(state): State<AppState>, viewer: Viewer) -> Result<UsersPage, WebError> {
    viewer.require_admin("accounts beheren")?;
    users_page(&state, NewUserForm::default(), FormErrors::new(), None).await
}

async fn add_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    viewer.require_admin("accounts aanmaken")?;
    let mut errors = FormErrors::new();
    let email = errors.check("email", "E-mailadres", parse_email(&form.email));
    let name = optional(&form.name);
    if name.is_none() {
        errors.add(
            "name",
            "Naam: vul de naam in zoals anderen die in de historie zien.",
        );
    }
    let role = if form.role.is_empty() {
        errors.add("role", "Rol: kies beheerder, trekker of lezer.");
        None
    } else {
        errors.check("role", "Rol", Role::parse(&form.role))
    };
    if role == Some(Role::Lead) && form.organisations.is_empty() {
        errors.add(
            "organisations",
            "Organisaties: kies minstens één organisatie waarvoor deze trekker plannen bijwerkt.",
        );
    }
    let hash = errors.check(
        "password",
        "Eerste wachtwoord",
        hash_off_worker(form.password.clone()).await?,
    );
    let (Some(email), Some(name), Some(role), Some(hash), true) =
        (email, name, role, hash, errors.is_empty())
    else {
        let page = users_page(
            &state,
            NewUserForm {
                password: String::new(),
                ..form
            },
            errors,
            None,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let organisations = if role == Role::Lead {
        form.organisations.clone()
    } else {
        Vec::new()
    };
    let new = NewUser {
        email: email.clone(),
        name,
        role,
        password_hash: hash,
        organisations,
    };
    match state.store.create_user(&viewer.actor(), &new).await {
        Ok(_) => {
            let page = users_page(
                &state,
                NewUserForm::default(),
                FormErrors::new(),
                Some(format!(
                    "Het account voor {email} is aangemaakt. Geef het eerste wachtwoord op een veilige manier door; de gebruiker kan het wijzigen op Mijn account."
                )),
            )
            .await?;
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(crate::store::StoreError::Refused(refusal)) => {
            // The store's message completes a sentence that names the field.
            let (input, label) = match refusal.field::<UserField>() {
                Some(UserField::Email) => ("email", "E-mailadres"),
                _ => ("organisations", "Organisaties"),
            };
            errors.add(input, format!("{label}: {refusal}."));
            let page = users_page(
                &state,
                NewUserForm {
                    password: String::new(),
                    ..form
                },
                errors,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    disabled: String,
    /// The account's version when the list was shown; a change made since is a conflict.
    #[serde(default)]
    version: Option<i64>,
}

fn user_id(id: &str) -> Result<i64, WebError> {
    id.parse()
        .map_err(|_| WebError::NotFound(format!("Er is geen account {id}.")))
}

async fn set_user_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let admin = viewer.require_admin("accounts uitschakelen")?;
    let id = user_id(&id)?;
    let disabled = form.disabled == "1";
    if disabled && id == admin.id {
        return Err(WebError::BadRequest(
            "U kunt uw eigen account niet uitschakelen; laat een andere beheerder dat doen.".into(),
        ));
    }
    state
        .store
        .set_user_disabled(&viewer.actor(), id, form.version, disabled)
        .await?;
    Ok(Redirect::to("/beheer/gebruikers").into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    viewer.require_admin("wachtwoorden instellen")?;
    let id = user_id(&id)?;
    let hash = hash_off_worker(form.password.clone())
        .await?
        .map_err(|e| WebError::BadRequest(format!("Nieuw wachtwoord: {e}.")))?;
    state.store.set_password(&viewer.actor(), id, &hash).await?;
    let page = users_page(
        &state,
        NewUserForm::default(),
        FormErrors::new(),
        Some("Het nieuwe wachtwoord is ingesteld; de gebruiker is overal uitgelogd.".into()),
    )
    .await?;
    Ok(page.into_response())
}

/// Hashes a password on a blocking thread: Argon2 takes tens of milliseconds of CPU on
/// purpose, which must not hold up the async workers that serve every other request.
async fn hash_off_worker(
    password: String,
) -> Result<Result<String, crate::domain::ParseError>, WebError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(e.into()))
}
