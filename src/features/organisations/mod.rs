//! Organisations: their list and page, and the beheerder's form.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
