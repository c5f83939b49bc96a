//! The product, one folder per feature. Each holds what belongs to it: its records and their
//! fields, its reads and writes, its forms, pages and API. What all features share lives in
//! `store` (the pool, the one write path, the trail) and `web` (errors, who is asking, kept
//! pages, form helpers, the route table).

pub mod accessibility;
pub mod accounts;
pub mod actions;
pub mod areas;
pub mod bodies;
pub mod changes;
pub mod dashboard;
pub mod finance;
pub mod framework;
pub mod indicators;
pub mod meetings;
pub mod mine;
pub mod observations;
pub mod organisations;
pub mod plans;
pub mod quarterly;
pub mod rollouts;
pub mod search;
pub mod sources;
pub mod werkagenda;

use crate::web::Routes;

/// The routes of every feature's pages and API.
pub fn routes() -> Routes {
    Routes::new()
        .merge(dashboard::pages::routes())
        .merge(accessibility::pages::routes())
        .merge(areas::pages::routes())
        .merge(plans::pages::routes())
        .merge(framework::pages::routes())
        .merge(organisations::pages::routes())
        .merge(sources::pages::routes())
        .merge(bodies::pages::routes())
        .merge(meetings::pages::routes())
        .merge(meetings::api::routes())
        .merge(meetings::decisions::routes())
        .merge(meetings::ori::routes())
        .merge(accounts::routes())
        .merge(plans::edit::routes())
        .merge(rollouts::edit::routes())
        .merge(rollouts::bulk::routes())
        .merge(changes::pages::routes())
        .merge(indicators::routes())
        .merge(observations::pages::routes())
        .merge(observations::api::routes())
        .merge(actions::pages::routes())
        .merge(actions::api::routes())
        .merge(werkagenda::pages::routes())
        .merge(werkagenda::edit::routes())
        .merge(werkagenda::api::routes())
        .merge(finance::pages::routes())
        .merge(finance::edit::routes())
        .merge(finance::api::routes())
        .merge(plans::api::routes())
        .merge(rollouts::api::routes())
        .merge(areas::api::routes())
        .merge(organisations::api::routes())
        .merge(framework::api::routes())
        .merge(sources::api::routes())
        .merge(bodies::api::routes())
        .merge(quarterly::pages::routes())
        .merge(quarterly::api::routes())
        .merge(search::routes())
        .merge(mine::routes())
}
