//! "Voor mij" (`/voor-mij`): what a signed-in person may or should do now: the plans they may
//! edit, the KPI values they still owe for the last period that is over, and the open
//! actions of their organisations (KPI follow-ups and meetings' actiepunten).

pub mod pages;
pub mod repo;

use crate::web::routes::Routes;

pub fn routes() -> Routes {
    pages::routes()
}
