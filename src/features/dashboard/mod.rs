//! The start page ("in één oogopslag"): per gemeente what runs and what is planned, what needs
//! action, and the matrix of plans × gemeenten; today or on a peildatum.

pub mod counts;
pub mod overview;
pub mod pages;
