//! The start page: the matrix of plans and gemeenten, or counts per gemeente at scale.

pub mod pages;
