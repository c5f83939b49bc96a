//! Accounts: sign-in and out, one's own account and API tokens, and the beheerder's list of users.

pub mod pages;
pub mod repo;
