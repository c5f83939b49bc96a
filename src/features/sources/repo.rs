//! Reading sources; finding or creating the source of a change inside a write.

use sqlx::AnyConnection;

use super::model::{SourceRef, SourceRow};
use crate::domain::Slug;
use crate::store::rows::refused;
use crate::store::write_path::RecordField;
use crate::store::{Store, StoreError};

/// Resolves a source reference, creating a new source when asked; returns (id, title).
/// `field` is the one a refusal names: the stage's source or the cell's.
pub(crate) async fn resolve_source<F: RecordField>(
    conn: &mut AnyConnection,
    field: F,
    source: Option<&SourceRef>,
    date: crate::domain::FactDate,
) -> Result<Option<(String, String)>, StoreError> {
    match source {
        None => Ok(None),
        Some(SourceRef::Existing(id)) => {
            let row: Option<(String,)> = sqlx::query_as("SELECT title FROM sources WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            match row {
                Some((title,)) => Ok(Some((id.clone(), title))),
                None => Err(refused(
                    field,
                    format!(
                        "Bron: er is geen bron \"{id}\"; kies een bron uit de lijst of typ de naam van een nieuwe bron"
                    ),
                )),
            }
        }
        Some(SourceRef::New(title)) => {
            let existing: Option<(String,)> =
                sqlx::query_as("SELECT id FROM sources WHERE title = $1 AND date = $2")
                    .bind(title)
                    .bind(date.to_string())
                    .fetch_optional(&mut *conn)
                    .await?;
            if let Some((id,)) = existing {
                return Ok(Some((id, title.clone())));
            }
            let base = Slug::from_name(title).map_or_else(|| "bron".to_owned(), |s| s.to_string());
            let mut id = base.clone();
            let mut n = 2;
            loop {
                let (taken,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sources WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&mut *conn)
                    .await?;
                if taken == 0 {
                    break;
                }
                id = format!("{base}-{n}");
                n += 1;
            }
            sqlx::query("INSERT INTO sources (id, title, date) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(title)
                .bind(date.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(Some((id, title.clone())))
        }
    }
}

impl Store {
    /// Every source, oldest first by the date it gives (a year sorts at its start, undated
    /// sources last).
    pub async fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        let mut sources: Vec<SourceRow> =
            sqlx::query_as("SELECT id, title, date, note FROM sources ORDER BY date, id")
                .fetch_all(&self.pool)
                .await?;
        sources.sort_by_cached_key(|s| crate::domain::FactDate::from_stored(&s.date));
        Ok(sources)
    }
}
