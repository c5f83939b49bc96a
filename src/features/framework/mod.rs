//! The framework of the regioplan: principles, transformations, opgaven, fundamenten and accords.

pub mod model;
pub mod pages;
pub mod repo;
