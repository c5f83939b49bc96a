//! "Voor mij" (`/voor-mij`): what a signed-in person may or should do now: the plans they may
//! edit, the KPI values they still owe for the last period that is over, and the open
//! follow-up actions of their organisations.

pub mod pages;
pub mod repo;

use crate::web::routes::Routes;

pub fn routes() -> Routes {
    pages::routes()
}
