//! Sources: the documents and meetings facts come from.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
