//! Sources: the documents and meetings facts come from.

pub mod pages;
