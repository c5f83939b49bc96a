//! The quarterly cycle (kwartaalcyclus): a beheerder opens a reporting round for a quarter;
//! the trekkers write a kwartaalupdate per plan (a traffic light, what was done, what comes
//! next, what is needed from whom, the milestones reached or moved); the kernteam reviews each
//! one; closing the round freezes a snapshot (`snapshot.rs`), from which the
//! kwartaalrapportage is made (`report.rs`) as a page and, with the `pdf` feature, a tagged
//! PDF. A closed round is internal until a beheerder publishes it.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod repo;
pub mod report;
pub mod snapshot;
