//! Integration tests: the real router on a real database. SQLite by default; set
//! `REGIOMONITOR_TEST_DATABASE_URL=postgres://...` to run every test on PostgreSQL, each in
//! its own schema.

mod accounts;
mod actions;
mod api;
mod assumptions;
mod audit;
mod auth_matrix;
mod cache;
mod cli;
mod concurrency;
mod cookies;
mod definitions;
mod demo_data;
mod downloads;
mod durability;
mod editing;
mod editing_other;
mod everyday;
mod fidelity;
mod hardening;
mod helpers;
mod import;
mod import_observations;
mod import_upload;
mod meetings;
mod migrations;
mod mine;
mod monitoring;
mod monitoring_api;
mod observation_checks;
mod ori;
mod overview;
mod pages;
mod paging;
mod quarterly;
mod refusals;
mod rollout_facts;
mod scale;
mod search;
mod server;
mod werkagenda;
