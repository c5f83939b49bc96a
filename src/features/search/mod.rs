//! Search over plans, organisations, gemeenten and KPI's: by name, by code (a plan's slug,
//! GM0355, an organisation's or KPI's id) and in a plan's four questions and a KPI's
//! description, without regard to case or accents. `fold` is the one folding of texts and
//! words, `index` keeps `search_entries` (migration 0009) in step with every write, `repo`
//! asks it, `pages` is `/zoeken` and `api` is `/api/v1/search`.

pub mod api;
pub mod fold;
pub mod index;
pub mod pages;
pub mod repo;

use crate::web::routes::Routes;

pub fn routes() -> Routes {
    Routes::new().merge(pages::routes()).merge(api::routes())
}
