//! The werkagenda: the milestones of every plan over a year, per opgave and plan, as a
//! timeline drawn on the server (SVG) with a table of the same content, filtered by subregio,
//! opgave, plan and status; and each milestone's status with its history (`edit.rs`: its page,
//! the forms to add and save one).

pub mod api;
pub mod edit;
pub mod model;
pub mod pages;
pub mod repo;
