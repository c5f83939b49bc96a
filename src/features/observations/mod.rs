//! Measurements of KPI's: the form, and the CSV import with preview.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
