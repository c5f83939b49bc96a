//! Governance bodies (overleggen) and what sits with them.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
