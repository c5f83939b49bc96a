//! A source and a reference to one (known, or new by title).

use serde::Serialize;
use sqlx::FromRow;

/// Where a stage change or rollout comes from: a known source, or a new one by title
/// ("BBO 9 oktober 2025"), created with the change's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    Existing(String),
    New(String),
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct SourceRow {
    pub id: String,
    pub title: String,
    /// The document's date, as precisely as it gives it: 2025-09-05, 2023, onbekend, ...
    pub date: String,
    pub note: Option<String>,
}
