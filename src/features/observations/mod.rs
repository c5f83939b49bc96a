//! Measurements of KPI's: the form, and the CSV import with preview.

pub mod pages;
