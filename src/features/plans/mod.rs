//! Plans: the list and a plan's page (`pages`), the plan form with its conflict page (`edit`), and writing plans and cells through the API (`api`).

pub mod api;
pub mod edit;
pub mod model;
pub mod pages;
pub mod read;
pub mod repo;
pub mod texts;
