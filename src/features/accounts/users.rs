//! The beheerder's list of accounts: adding one, switching it off or on, setting a password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::hash_off_worker;
use crate::auth::parse_email;
use crate::domain::Role;
use crate::features::accounts::repo::{Account, NewUser, UserField};
use crate::features::organisations::model::OrganisationRow;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new()
        .get("/beheer/gebruikers", users)
        .post("/beheer/gebruikers", add_user)
        .post("/beheer/gebruikers/{id}/status", set_user_status)
        .post("/beheer/gebruikers/{id}/wachtwoord", reset_password)
        .get("/beheer/gebruikers/{id}/bewerken", edit_user)
        .post("/beheer/gebruikers/{id}/bewerken", save_user)
}

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
    let accounts = state
        .store
        .accounts()
        .await?
        .iter()
        .map(|a| account_line(a, &orgs))
        .collect();
    Ok(UsersPage {
        nav: "beheer",
        accounts,
        roles: role_choices(),
        organisations: organisation_choices(&orgs, |o| o.name.clone()),
        form,
        errors,
        notice,
    })
}

/// An account as the list shows it, its organisations by name.
fn account_line(a: &Account, orgs: &[OrganisationRow]) -> AccountLine {
    let name_of = |id: &String| {
        orgs.iter()
            .find(|o| &o.id == id)
            .map_or_else(|| id.clone(), |o| o.name.clone())
    };
    AccountLine {
        id: a.id,
        organisations: a
            .organisations
            .iter()
            .map(name_of)
            .collect::<Vec<_>>()
            .join(", "),
        email: a.email.clone(),
        name: a.name.clone(),
        role: a.role.label().to_owned(),
        disabled: a.disabled,
        version: a.version,
    }
}

fn role_choices() -> Vec<Choice> {
    Choice::none_then("Kies een rol", Choice::all::<Role>())
}

/// The organisations to tick, in order of name, each labelled by `label`.
fn organisation_choices(
    orgs: &[OrganisationRow],
    label: impl Fn(&OrganisationRow) -> String,
) -> Vec<Choice> {
    let mut choices: Vec<Choice> = orgs
        .iter()
        .map(|o| Choice::new(o.id.clone(), label(o)))
        .collect();
    choices.sort_by_key(|c| c.label.to_lowercase());
    choices
}

async fn users(State(state): State<AppState>, viewer: Viewer) -> Result<UsersPage, WebError> {
    viewer.require_admin("accounts beheren")?;
    users_page(&state, NewUserForm::default(), FormErrors::new(), None).await
}

/// The role a form chose; a trekker needs at least one organisation. Problems go to `errors`.
fn role_and_organisations(
    errors: &mut FormErrors,
    role: &str,
    organisations: &[String],
) -> Option<Role> {
    let role = if role.is_empty() {
        errors.add("role", "Rol: kies beheerder, trekker of lezer.");
        None
    } else {
        errors.check("role", "Rol", Role::parse(role))
    };
    if role == Some(Role::Lead) && organisations.is_empty() {
        errors.add(
            "organisations",
            "Organisaties: kies minstens één organisatie waarvoor deze trekker plannen bijwerkt.",
        );
    }
    role
}

/// The new-account form again as typed, but for the password, with what to fix.
async fn form_again(
    state: &AppState,
    form: NewUserForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let form = NewUserForm {
        password: String::new(),
        ..form
    };
    let page = users_page(state, form, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
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
    let role = role_and_organisations(&mut errors, &form.role, &form.organisations);
    let hash = errors.check(
        "password",
        "Eerste wachtwoord",
        hash_off_worker(form.password.clone()).await?,
    );
    let (Some(email), Some(name), Some(role), Some(hash), true) =
        (email, name, role, hash, errors.is_empty())
    else {
        return form_again(&state, form, errors).await;
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
            form_again(&state, form, errors).await
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
    Ok(flash::redirect("/beheer/gebruikers", Notice::AccountSaved))
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

/// One account's role and organisations, as a beheerder changes them.
#[derive(Template, WebTemplate)]
#[template(path = "account/user_edit.html")]
pub struct UserEditPage {
    pub nav: &'static str,
    pub account: AccountLine,
    pub roles: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub form: RoleForm,
    pub errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organisations: Vec<String>,
    #[serde(default)]
    pub version: String,
}

async fn user_edit_page(
    state: &AppState,
    id: i64,
    form: Option<RoleForm>,
    errors: FormErrors,
) -> Result<UserEditPage, WebError> {
    let orgs = state.store.organisations().await?;
    let stored = state
        .store
        .accounts()
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| WebError::NotFound(format!("Er is geen account {id}.")))?;
    let form = form.unwrap_or_else(|| RoleForm {
        role: stored.role.code().to_owned(),
        organisations: stored.organisations.clone(),
        version: stored.version.to_string(),
    });
    Ok(UserEditPage {
        nav: "beheer",
        account: account_line(&stored, &orgs),
        roles: role_choices(),
        // With their codes, which the command line and the CSV formats ask for.
        organisations: organisation_choices(&orgs, |o| format!("{} ({})", o.name, o.id)),
        form,
        errors,
    })
}

async fn edit_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<UserEditPage, WebError> {
    viewer.require_admin("accounts beheren")?;
    user_edit_page(&state, user_id(&id)?, None, FormErrors::new()).await
}

async fn save_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(mut form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let admin = viewer.require_admin("rollen en organisaties van accounts wijzigen")?;
    let id = user_id(&id)?;
    let mut errors = FormErrors::new();
    let role = role_and_organisations(&mut errors, &form.role, &form.organisations);
    if id == admin.id && role.is_some_and(|r| r != Role::Admin) {
        errors.add(
            "role",
            "Rol: u kunt uw eigen rol van beheerder niet afnemen; laat een andere beheerder dat doen.",
        );
    }
    let version = form.version.parse::<i64>().unwrap_or(-1);
    if let (Some(role), true) = (role, errors.is_empty()) {
        let organisations = if role == Role::Lead {
            form.organisations.clone()
        } else {
            Vec::new()
        };
        let saved = state
            .store
            .set_user_role(&viewer.actor(), id, version, role, &organisations)
            .await;
        let input = |f: UserField| match f {
            UserField::Organisations => "organisations",
            _ => "role",
        };
        match settle_at(saved, input, "role")? {
            Ok(_) => {
                return Ok(flash::redirect("/beheer/gebruikers", Notice::AccountSaved));
            }
            Err(not_saved) => {
                errors = not_saved.errors;
                if let Some(current) = not_saved.newer_version {
                    errors.add(
                        "role",
                        "Rol: iemand anders heeft dit account gewijzigd nadat u het opende; er is niets opgeslagen. Hieronder staat de huidige stand; kies opnieuw en sla op.",
                    );
                    let stored = user_edit_page(&state, id, None, FormErrors::new()).await?;
                    form = RoleForm {
                        version: current.to_string(),
                        ..stored.form
                    };
                }
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = user_edit_page(&state, id, Some(form), errors).await?;
    Ok((status, page).into_response())
}
