//! "Wat is er veranderd": the audit trail as lines per plan, gemeente and organisation.

pub mod effective;
pub mod model;
pub mod pages;
pub mod repo;
