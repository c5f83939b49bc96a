//! The records of this feature and their fields.

use serde::Serialize;
use sqlx::FromRow;

#[allow(unused_imports)]
use crate::features::actions::model::*;
#[allow(unused_imports)]
use crate::features::areas::model::*;
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
#[allow(unused_imports)]
use crate::features::sources::model::*;

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
