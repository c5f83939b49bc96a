//! Money and people per plan: budgets per plan × financing source × year (aangevraagd,
//! toegekend, besteed, each with its date and source, and the state of the application) and
//! personnel capacity per plan and year. `overview.rs` computes the totals per source, year,
//! subregio and opgave once for the page `/financiering`, its downloads and the API.

pub mod api;
pub mod edit;
pub mod model;
pub mod overview;
pub mod pages;
pub mod repo;

pub use model::YEARS;
