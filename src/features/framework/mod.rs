//! The framework of the regioplan: principles, transformations, opgaven, fundamenten and accords.

pub mod api;
pub mod model;
pub mod pages;
pub mod repo;
