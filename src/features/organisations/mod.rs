//! Organisations: their list and page, and the beheerder's form.

pub mod model;
pub mod pages;
pub mod repo;
