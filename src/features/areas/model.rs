//! The records of this feature and their fields.

use serde::Serialize;
use sqlx::FromRow;

#[allow(unused_imports)]
use crate::features::actions::model::*;
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
#[allow(unused_imports)]
use crate::features::sources::model::*;
use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a region, subregio, gemeente or wijk.
    pub enum AreaField for "area" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam",
    }
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AreaRow {
    pub id: String,
    /// regio, subregio, gemeente or wijk
    pub kind: String,
    pub name: String,
    pub parent_id: Option<String>,
}
