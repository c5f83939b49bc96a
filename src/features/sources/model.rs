//! The records of this feature and their fields.

use serde::Serialize;
use sqlx::FromRow;

#[allow(unused_imports)]
use crate::features::actions::model::*;
#[allow(unused_imports)]
use crate::features::areas::model::*;
#[allow(unused_imports)]
use crate::features::bodies::model::*;
#[allow(unused_imports)]
use crate::features::changes::model::*;
#[allow(unused_imports)]
use crate::features::framework::model::*;
#[allow(unused_imports)]
use crate::features::indicators::model::*;
#[allow(unused_imports)]
use crate::features::observations::model::*;
#[allow(unused_imports)]
use crate::features::organisations::model::*;
#[allow(unused_imports)]
use crate::features::plans::model::*;
#[allow(unused_imports)]
use crate::features::rollouts::model::*;

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
    /// YYYY-MM-DD
    pub date: String,
    pub note: Option<String>,
}
