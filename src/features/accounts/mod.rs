//! Accounts: signing in and out (`signin`), one's own account with its API tokens
//! (`account`), the beheerder's list of accounts (`users`), and their store (`repo`).

pub mod account;
pub mod repo;
pub mod signin;
pub mod users;

use crate::web::Routes;
use crate::web::error::WebError;

/// The routes of every accounts page.
pub fn routes() -> Routes {
    Routes::new()
        .merge(signin::routes())
        .merge(account::routes())
        .merge(users::routes())
}

/// Hashes a password on a blocking thread: Argon2 takes tens of milliseconds of CPU on
/// purpose, which must not hold up the async workers that serve every other request.
pub(crate) async fn hash_off_worker(
    password: String,
) -> Result<Result<String, crate::domain::ParseError>, WebError> {
    tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(e.into()))
}
