//! Accounts, sessions, sign-in throttling and API tokens.

use serde::Serialize;
use sqlx::FromRow;

use crate::auth::User;
use crate::domain::Role;
use crate::store::rows::exists;
use crate::store::write_path::{RecordKey, Refusal, Write, record_fields};
use crate::store::{Actor, Reason, Subject, now_text, now_unix};
use crate::store::{Store, StoreError};

record_fields! {
    /// The fields of an account, as its trail names them.
    pub enum UserField for "user" {
        Account = "account" => "Account",
        Email = "email" => "E-mailadres" as Line,
        Name = "name" => "Naam" as Name,
        Role = "role" => "Rol",
        Organisations = "organisations" => "Organisaties",
        Disabled = "disabled" => "Status",
        Password = "password" => "Wachtwoord",
    }
}

record_fields! {
    /// The fields of an API token.
    pub enum TokenField for "token" {
        Token = "token" => "Token",
        Name = "name" => "Naam" as Name,
    }
}

/// An account as the beheerder's list shows it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisations: Vec<String>,
    pub disabled: bool,
    pub created_at: String,
    pub version: i64,
}

/// What is needed to check a sign-in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub disabled: bool,
}

#[derive(FromRow)]
pub(crate) struct UserRecord {
    id: i64,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    disabled: i64,
    created_at: String,
    version: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub organisations: Vec<String>,
}

/// A session as a request finds it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// An API token as its owner sees it (never the secret itself).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Seconds without a request after which a session ends.
    pub idle: i64,
    /// Seconds after sign-in after which a session ends regardless.
    pub absolute: i64,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: 2 * 3600,
            absolute: 12 * 3600,
        }
    }
}

/// Failed password checks in the throttle's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// For this account from this address.
    pub pair: i64,
    /// For this account from any address.
    pub account: i64,
    /// From this address for any account.
    pub address: i64,
}

/// Revokes every live token of an account, each with its line in the trail.
async fn revoke_all_tokens(w: &mut Write<'_>, user_id: i64, email: &str) -> Result<(), StoreError> {
    let live: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(w.conn())
    .await?;
    if live.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_unix())
        .bind(user_id)
        .execute(w.conn())
        .await?;
    for (id, name) in live {
        w.audit(
            &Subject {
                record_id: id.to_string(),
                record_label: format!("{name} ({email})"),
                ..Subject::default()
            },
            TokenField::Token,
            Some("actief"),
            Some("ingetrokken"),
        )
        .await?;
    }
    Ok(())
}

pub(crate) fn user_subject(id: i64, email: &str) -> Subject {
    Subject {
        record_id: id.to_string(),
        record_label: email.to_owned(),
        ..Subject::default()
    }
}

/// Refuses an organisation code that does not exist.
async fn organisations_exist(w: &mut Write<'_>, codes: &[String]) -> Result<(), StoreError> {
    for o in codes {
        if !exists(
            w.conn(),
            "SELECT COUNT(*) FROM organisations WHERE id = $1",
            o,
        )
        .await?
        {
            return Err(StoreError::Refused(Refusal::of(
                UserField::Organisations,
                format!(
                    "de organisatie \"{o}\" bestaat niet; gebruik de code van een organisatie zoals die op de pagina Organisaties staat"
                ),
            )));
        }
    }
    Ok(())
}

impl Store {
    async fn user_organisations(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT organisation_id FROM user_organisations WHERE user_id = $1 ORDER BY organisation_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(o,)| o).collect())
    }

    async fn to_user(&self, r: &UserRecord) -> Result<User, StoreError> {
        Ok(User {
            id: r.id,
            email: r.email.clone(),
            name: r.name.clone(),
            role: Role::parse(&r.role).map_err(|e| StoreError::Refused(Refusal::general(e.0)))?,
            organisations: self.user_organisations(r.id).await?,
        })
    }

    async fn user_record(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, email, name, role, password_hash, disabled, created_at, version FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Creates an account. A second account with the same address is refused.
    pub async fn create_user(&self, actor: &Actor, new: &NewUser) -> Result<i64, StoreError> {
        let mut w = self.write(actor, &Reason::default()).await?;
        if exists(
            w.conn(),
            "SELECT COUNT(*) FROM users WHERE email = $1",
            &new.email,
        )
        .await?
        {
            return Err(StoreError::Refused(Refusal::of(
                UserField::Email,
                format!("er is al een account met het e-mailadres {}", new.email),
            )));
        }
        organisations_exist(&mut w, &new.organisations).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&new.email)
        .bind(&new.name)
        .bind(new.role.code())
        .bind(&new.password_hash)
        .bind(now_text())
        .fetch_one(w.conn())
        .await?;
        for o in &new.organisations {
            sqlx::query(
                "INSERT INTO user_organisations (user_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(o)
            .execute(w.conn())
            .await?;
        }
        let subject = user_subject(id, &new.email);
        w.audit_created(&subject, UserField::Account).await?;
        w.audit(&subject, UserField::Role, None, Some(new.role.label()))
            .await?;
        w.audit(
            &subject,
            UserField::Organisations,
            None,
            Some(&new.organisations.join(", ")),
        )
        .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Every account, in order of address.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let records: Vec<UserRecord> = sqlx::query_as(
            "SELECT id, email, name, role, password_hash, disabled, created_at, version FROM users ORDER BY email",
        )
        .fetch_all(&self.pool)
        .await?;
        let links: Vec<(i64, String)> = sqlx::query_as(
            "SELECT user_id, organisation_id FROM user_organisations ORDER BY organisation_id",
        )
        .fetch_all(&self.pool)
        .await?;
        records
            .into_iter()
            .map(|r| {
                Ok(Account {
                    role: Role::parse(&r.role)
                        .map_err(|e| StoreError::Refused(Refusal::general(e.0)))?,
                    organisations: links
                        .iter()
                        .filter(|(u, _)| *u == r.id)
                        .map(|(_, o)| o.clone())
                        .collect(),
                    disabled: r.disabled != 0,
                    id: r.id,
                    email: r.email,
                    name: r.name,
                    created_at: r.created_at,
                    version: r.version,
                })
            })
            .collect()
    }

    /// The number of active beheerders; `serve` explains how to create the first one.
    pub async fn admin_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'beheerder' AND disabled = 0")
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>, StoreError> {
        let record: Option<UserRecord> = sqlx::query_as(
            "SELECT id, email, name, role, password_hash, disabled, created_at, version FROM users WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        match record {
            None => Ok(None),
            Some(r) => Ok(Some(Credentials {
                user: self.to_user(&r).await?,
                password_hash: r.password_hash.clone(),
                disabled: r.disabled != 0,
            })),
        }
    }

    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        Ok(self
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.email == email))
    }

    /// Disables or enables an account; disabling also ends its sessions and tokens' use. With
    /// `expected_version` (the account list's form), a change someone else made since is a
    /// conflict; without (the command line), the change is made whatever the version.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: i64,
        expected_version: Option<i64>,
        disabled: bool,
    ) -> Result<i64, StoreError> {
        let not_found = || format!("er is geen account {user_id}");
        let mut w = self.write(actor, &Reason::default()).await?;
        let key = RecordKey::int("users", user_id);
        let version = match expected_version {
            Some(expected) => w.claim(&key, expected, not_found).await?,
            None => w.bump(&key, not_found).await?,
        };
        let (email, was): (String, i64) =
            sqlx::query_as("SELECT email, disabled FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(w.conn())
                .await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(w.conn())
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(w.conn())
                .await?;
            // A token ends for good: enabling the account again does not bring it back.
            revoke_all_tokens(&mut w, user_id, &email).await?;
        }
        let label = |d: bool| if d { "uitgeschakeld" } else { "actief" };
        w.audit(
            &user_subject(user_id, &email),
            UserField::Disabled,
            Some(label(was != 0)),
            Some(label(disabled)),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Changes an account's role and organisations, opened at `expected_version`. A trekker
    /// keeps at least one organisation; a beheerder or lezer has none. The change holds from
    /// the account's next request (sessions read the account each time).
    pub async fn set_user_role(
        &self,
        actor: &Actor,
        user_id: i64,
        expected_version: i64,
        role: Role,
        organisations: &[String],
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, &Reason::default()).await?;
        let version = w
            .claim(&RecordKey::int("users", user_id), expected_version, || {
                format!("er is geen account {user_id}")
            })
            .await?;
        organisations_exist(&mut w, organisations).await?;
        let (email, was_role): (String, String) =
            sqlx::query_as("SELECT email, role FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(w.conn())
                .await?;
        let mut was_orgs: Vec<String> = sqlx::query_scalar(
            "SELECT organisation_id FROM user_organisations WHERE user_id = $1 ORDER BY organisation_id",
        )
        .bind(user_id)
        .fetch_all(w.conn())
        .await?;
        was_orgs.sort();
        let mut orgs = organisations.to_vec();
        orgs.sort();
        orgs.dedup();
        let subject = user_subject(user_id, &email);
        if was_role == Role::Admin.code() && role != Role::Admin {
            // Lock every active beheerder's row (PostgreSQL; SQLite's write already holds the
            // database), so two beheerders cannot each take the other's role away at once.
            sqlx::query("UPDATE users SET version = version WHERE role = $1 AND disabled = 0")
                .bind(Role::Admin.code())
                .execute(w.conn())
                .await?;
            let (others,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM users WHERE role = $1 AND disabled = 0 AND id <> $2",
            )
            .bind(Role::Admin.code())
            .bind(user_id)
            .fetch_one(w.conn())
            .await?;
            if others == 0 {
                return Err(StoreError::Refused(Refusal::of(
                    UserField::Role,
                    "dit is de laatste actieve beheerder; maak eerst iemand anders beheerder"
                        .to_owned(),
                )));
            }
        }
        if was_role != role.code() {
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.code())
                .bind(user_id)
                .execute(w.conn())
                .await?;
            let was_label =
                Role::parse(&was_role).map_or(was_role.clone(), |r| r.label().to_owned());
            w.audit(
                &subject,
                UserField::Role,
                Some(&was_label),
                Some(role.label()),
            )
            .await?;
        }
        if was_orgs != orgs {
            sqlx::query("DELETE FROM user_organisations WHERE user_id = $1")
                .bind(user_id)
                .execute(w.conn())
                .await?;
            for o in &orgs {
                sqlx::query(
                    "INSERT INTO user_organisations (user_id, organisation_id) VALUES ($1, $2)",
                )
                .bind(user_id)
                .bind(o)
                .execute(w.conn())
                .await?;
            }
            w.audit(
                &subject,
                UserField::Organisations,
                Some(&was_orgs.join(", ")),
                Some(&orgs.join(", ")),
            )
            .await?;
        }
        w.commit().await?;
        Ok(version)
    }

    /// Sets a new password and ends the account's sessions.
    pub async fn set_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let mut w = self.write(actor, &Reason::default()).await?;
        w.bump(&RecordKey::int("users", user_id), || {
            format!("er is geen account {user_id}")
        })
        .await?;
        let (email,): (String,) = sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(w.conn())
            .await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(w.conn())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(w.conn())
            .await?;
        // Whoever knew the old password may have made a token with it.
        revoke_all_tokens(&mut w, user_id, &email).await?;
        w.audit(
            &user_subject(user_id, &email),
            UserField::Password,
            Some("(oud)"),
            Some("(nieuw)"),
        )
        .await?;
        w.commit().await
    }

    // --- Sessions ---

    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session behind a cookie, if it exists, has not expired and its account is active.
    /// An expired session is removed; a live one is marked as seen (at most once a minute).
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
        limits: SessionLimits,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at FROM sessions s
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((user_id, csrf_token, created_at, last_seen_at)) = row else {
            return Ok(None);
        };
        if now - last_seen_at > limits.idle || now - created_at > limits.absolute {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        if now - last_seen_at >= 60 {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        let Some(record) = self.user_record(user_id).await? else {
            return Ok(None);
        };
        Ok(Some(SessionInfo {
            user: self.to_user(&record).await?,
            csrf_token,
            created_at,
            last_seen_at,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Moves a session's clock (tests of expiry use this instead of waiting).
    pub async fn age_session(
        &self,
        token_hash: &str,
        created_at: i64,
        last_seen_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET created_at = $1, last_seen_at = $2 WHERE token_hash = $3")
            .bind(created_at)
            .bind(last_seen_at)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // --- Throttling ---

    /// Counts a sign-in attempt as failed until it succeeds. Recording it before the
    /// password is checked, and counting it along, keeps attempts sent all at once from
    /// all passing the limit before any of them is recorded. Returns the attempt's id.
    pub async fn record_login_failure(
        &self,
        email: &str,
        address: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO login_failures (email, address, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(email)
        .bind(address)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        // Old failures no longer count; keep the table small.
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now - 24 * 3600)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// Takes back an attempt that turned out not to be a wrong password (it was refused
    /// unchecked, or the account is disabled).
    pub async fn forget_login_attempt(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed password checks since `since`.
    pub async fn login_failures(
        &self,
        email: &str,
        address: &str,
        since: i64,
    ) -> Result<LoginFailures, StoreError> {
        let (pair, account, from_address): (i64, i64, i64) = sqlx::query_as(
            "SELECT
               COALESCE(SUM(CASE WHEN email = $1 AND address = $2 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN email = $1 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN address = $2 THEN 1 ELSE 0 END), 0)
             FROM login_failures WHERE (email = $1 OR address = $2) AND at >= $3",
        )
        .bind(email)
        .bind(address)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(LoginFailures {
            pair,
            account,
            address: from_address,
        })
    }

    /// Forgets the failures of this account from this address (after its right password).
    /// Failures from other addresses stay: whoever guesses elsewhere stays slowed down.
    pub async fn clear_login_failures(&self, email: &str, address: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1 AND address = $2")
            .bind(email)
            .bind(address)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // --- API tokens ---

    pub async fn create_token(
        &self,
        actor: &Actor,
        user: &User,
        name: &str,
        token_hash: &str,
        prefix: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, &Reason::default()).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user.id)
        .bind(name)
        .bind(token_hash)
        .bind(prefix)
        .bind(now)
        .fetch_one(w.conn())
        .await?;
        let subject = Subject {
            record_id: id.to_string(),
            record_label: format!("{} ({})", name, user.email),
            ..Subject::default()
        };
        w.audit_created(&subject, TokenField::Token).await?;
        w.commit().await?;
        Ok(id)
    }

    pub async fn tokens_of(&self, user_id: i64) -> Result<Vec<TokenRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes one of a user's own tokens; returns false when the user has no such live token.
    pub async fn revoke_token(
        &self,
        actor: &Actor,
        user: &User,
        token_id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut w = self.write(actor, &Reason::default()).await?;
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT name FROM api_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(token_id)
        .bind(user.id)
        .fetch_optional(w.conn())
        .await?;
        let Some((name,)) = row else {
            return Ok(false);
        };
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(token_id)
            .execute(w.conn())
            .await?;
        w.audit(
            &Subject {
                record_id: token_id.to_string(),
                record_label: format!("{} ({})", name, user.email),
                ..Subject::default()
            },
            TokenField::Token,
            Some("actief"),
            Some("ingetrokken"),
        )
        .await?;
        w.commit().await?;
        Ok(true)
    }

    /// The account behind a live API token of an active account.
    pub async fn token_user(&self, token_hash: &str, now: i64) -> Result<Option<User>, StoreError> {
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT t.id, t.user_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((token_id, user_id, last_used)) = row else {
            return Ok(None);
        };
        if last_used.is_none_or(|t| now - t >= 60) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token_id)
                .execute(&self.pool)
                .await?;
        }
        match self.user_record(user_id).await? {
            Some(r) => Ok(Some(self.to_user(&r).await?)),
            None => Ok(None),
        }
    }
}
