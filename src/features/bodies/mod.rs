//! Governance bodies (overleggen) and what sits with them.

pub mod pages;
