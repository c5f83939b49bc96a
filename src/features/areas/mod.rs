//! Areas: the gemeenten with their page, and their wijken and LSV's.

pub mod pages;
