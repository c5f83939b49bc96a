//! A governance body (overleg) as pages read it.

use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct BodyRow {
    pub id: String,
    pub name: String,
    pub level: String,
    /// werkgroep, kernteam, regiegroep or bbo: its rung on the escalation ladder.
    pub kind: Option<String>,
    pub area_id: Option<String>,
    pub description: Option<String>,
    pub source_id: Option<String>,
}
