//! regiomonitor: the portfolio, rollout per gemeente and progress of a care region's IZA,
//! GALA and AZWA plans. See ARCHITECTURE.md for the map of the modules.

pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod features;
pub mod import;
pub mod startup;
pub mod store;
pub mod web;
