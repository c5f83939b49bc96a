//! An organisation: its fields, field declarations and row.

use serde::Serialize;
use sqlx::FromRow;

use crate::domain::OrganisationKind;
use crate::store::write_path::record_fields;

record_fields! {
    pub enum OrganisationField for "organisation" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam" as Name,
        Kind = "kind" => "Soort",
        Website = "website" => "Website" as Line,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationFields {
    pub name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub website: Option<String>,
}
