//! Accounts: signing in and out (`signin`), one's own account with its API tokens
//! (`account`), the beheerder's list of accounts (`users`), and their store (`repo`).

pub mod account;
pub mod guard;
pub mod repo;
pub mod signin;
pub mod users;

use crate::web::Routes;

/// The routes of every accounts page.
pub fn routes() -> Routes {
    Routes::new()
        .merge(signin::routes())
        .merge(account::routes())
        .merge(users::routes())
}

pub(crate) use guard::hash_off_worker;
