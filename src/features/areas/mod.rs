//! Areas: the gemeenten with their page, and their wijken and LSV's.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
