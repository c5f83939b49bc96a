//! An item of the framework: its fields, field declarations and row.

use serde::Serialize;
use sqlx::FromRow;

use crate::store::write_path::record_fields;

record_fields! {
    /// The fields of an item of the framework (principle, transformation, opgave, ...).
    pub enum FrameworkField for "framework" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam" as Name,
        Number = "number" => "Nummer",
        Description = "description" => "Omschrijving",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkFields {
    pub name: String,
    pub number: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FrameworkRow {
    pub id: String,
    /// principe, transformatie, opgave, fundament or akkoord
    pub kind: String,
    pub number: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    pub source_id: Option<String>,
}
