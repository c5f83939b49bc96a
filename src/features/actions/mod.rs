//! Follow-up actions on KPI's and their escalation along the governance.

pub mod pages;
