//! Follow-up actions on KPI's and their escalation along the governance.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
