//! The framework of the regioplan: principles, transformations, opgaven, fundamenten and accords.

pub mod pages;
