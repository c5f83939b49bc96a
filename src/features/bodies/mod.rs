//! Governance bodies (overleggen) and what sits with them.

pub mod model;
pub mod pages;
pub mod repo;
