//! Governance: the meetings (vergaderingen) of a body, their agenda items and what came of
//! them, the agenda and verslag pages, and each body's calendar feed (`.ics`).

pub mod api;
pub mod decisions;
pub mod demo;
pub mod ics;
pub mod minutes;
pub mod model;
pub mod ori;
pub mod pages;
pub mod repo;
