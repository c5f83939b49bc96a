//! Reading areas; adding a wijk and renaming an area.

use super::model::{AreaField, AreaRow};
use crate::domain::Slug;
use crate::store::rows::{exists, next_position, not_found, refused};
use crate::store::write_path::RecordKey;
use crate::store::{Actor, Reason, Store, StoreError, Subject};

impl Store {
    /// The version of an area, for its rename form.
    pub async fn area_version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM areas WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(v,)| v))
    }

    /// Adds a wijk or LSV under a gemeente.
    pub async fn create_district(
        &self,
        actor: &Actor,
        reason: &Reason,
        gemeente_id: &str,
        id: &Slug,
        name: &str,
    ) -> Result<(), StoreError> {
        let mut w = self.write(actor, reason).await?;
        if !exists(
            w.conn(),
            "SELECT COUNT(*) FROM areas WHERE id = $1 AND kind = 'gemeente'",
            gemeente_id,
        )
        .await?
        {
            return Err(StoreError::NotFound(not_found("gemeente", gemeente_id)()));
        }
        if exists(
            w.conn(),
            "SELECT COUNT(*) FROM areas WHERE id = $1",
            id.as_str(),
        )
        .await?
        {
            return Err(refused(
                AreaField::Id,
                format!("Id: er is al een gebied met de id \"{id}\"; kies een andere id"),
            ));
        }
        let position = next_position(w.conn(), "areas").await?;
        sqlx::query("INSERT INTO areas (id, kind, name, parent_id, position) VALUES ($1, 'wijk', $2, $3, $4)")
            .bind(id.as_str())
            .bind(name)
            .bind(gemeente_id)
            .bind(position)
            .execute(w.conn())
            .await?;
        let subject = Subject {
            record_id: id.to_string(),
            record_label: name.to_owned(),
            area_id: Some(id.to_string()),
            ..Subject::default()
        };
        w.audit_created(&subject, AreaField::Record).await?;
        w.audit(&subject, AreaField::Name, None, Some(name)).await?;
        w.commit().await
    }

    /// Renames an area (a wijk, or the name of a gemeente as CBS changes it).
    pub async fn rename_area(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: i64,
        name: &str,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(
                &RecordKey::text("areas", id),
                expected_version,
                not_found("gebied", id),
            )
            .await?;
        let (old_name,): (String,) = sqlx::query_as("SELECT name FROM areas WHERE id = $1")
            .bind(id)
            .fetch_one(w.conn())
            .await?;
        sqlx::query("UPDATE areas SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(w.conn())
            .await?;
        let subject = Subject {
            record_id: id.to_owned(),
            record_label: name.to_owned(),
            area_id: Some(id.to_owned()),
            ..Subject::default()
        };
        w.audit(&subject, AreaField::Name, Some(&old_name), Some(name))
            .await?;
        w.commit().await?;
        Ok(version)
    }
}

impl Store {
    pub async fn areas(&self) -> Result<Vec<AreaRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, kind, name, parent_id FROM areas ORDER BY position, name")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
