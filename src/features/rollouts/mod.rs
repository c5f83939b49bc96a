//! The matrix cells: a plan's rollout per gemeente.
pub mod api;
pub mod bulk;
pub mod edit;
pub mod model;
pub mod repo;
