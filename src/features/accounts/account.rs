//! One's own account: the password and personal API tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::guard::{self, Verdict};
use super::hash_off_worker;
use crate::auth::{check_password, new_secret};
use crate::features::accounts::repo::TokenRow;
use crate::store::now_unix;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{FormErrors, optional};
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new()
        .get("/account", account)
        .post("/account/wachtwoord", change_password)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/intrekken", revoke_token)
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
        .map(|c| c.password_hash);
    match guard::check(
        &state.store,
        &user.email,
        &viewer.address,
        form.current.clone(),
        stored,
    )
    .await?
    {
        Verdict::Right => {}
        Verdict::Wrong => errors.add(
            "current",
            "Huidig wachtwoord: dit is niet uw huidige wachtwoord.",
        ),
        Verdict::Throttled => errors.add(
            "current",
            format!("Huidig wachtwoord: {}", guard::throttled_message()),
        ),
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
    Ok(Redirect::to("/inloggen?terug=/account&gewijzigd=wachtwoord").into_response())
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
    Ok(flash::redirect("/account", Notice::Saved))
}
