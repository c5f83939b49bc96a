//! Organisations: their list and page, and the beheerder's form.

pub mod pages;
