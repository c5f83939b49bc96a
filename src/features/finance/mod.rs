//! Money and people per plan: budgets per plan × financing source × year (aangevraagd,
//! toegekend, besteed, each with its date and source, and the state of the application) and
//! personnel capacity per plan and year, with the overview of totals per source, year,
//! subregio and opgave at `/financiering`.

pub mod model;
pub mod repo;

pub use model::YEARS;
