//! An area (region, subregio, gemeente, wijk): its field declarations and row.

use serde::Serialize;
use sqlx::FromRow;

use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of a region, subregio, gemeente or wijk.
    pub enum AreaField for "area" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam" as Name,
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
