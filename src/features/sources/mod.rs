//! Sources: the documents and meetings facts come from.

pub mod model;
pub mod pages;
pub mod repo;
