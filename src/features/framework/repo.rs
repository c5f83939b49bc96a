//! Reading the framework; creating and saving an item.

use sqlx::AnyConnection;

use super::model::{FrameworkField, FrameworkFields, FrameworkRow};
use crate::domain::FrameworkKind;
use crate::store::rows::{next_position, not_found, refused};
use crate::store::write_path::{RecordKey, Refusal};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) async fn load_framework_item(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(FrameworkKind, FrameworkFields, i64)>, StoreError> {
    type Item = (String, String, Option<i64>, Option<String>, i64);
    let row: Option<Item> = sqlx::query_as(
        "SELECT kind, name, number, description, version FROM framework_items WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(kind, name, number, description, version)| {
        let kind =
            FrameworkKind::parse(&kind).map_err(|e| StoreError::Refused(Refusal::general(e.0)))?;
        Ok((
            kind,
            FrameworkFields {
                name,
                number,
                description,
            },
            version,
        ))
    })
    .transpose()
}

impl Store {
    /// A framework item's editable fields, kind and version.
    pub async fn stored_framework_item(
        &self,
        id: &str,
    ) -> Result<Option<(FrameworkKind, FrameworkFields, i64)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_framework_item(&mut conn, id).await
    }

    /// Creates (`expected_version` = None, with a kind) or saves an item of the framework.
    pub async fn save_framework_item(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        kind: FrameworkKind,
        expected_version: Option<i64>,
        f: &FrameworkFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let key = RecordKey::text("framework_items", id);
        let (version, current) = match expected_version {
            None => {
                if w.version_of(&key).await?.is_some() {
                    return Err(refused(
                        FrameworkField::Id,
                        format!(
                            "Id: er is al een onderdeel van het kader met de id \"{id}\"; kies een andere id"
                        ),
                    ));
                }
                let position = next_position(w.conn(), "framework_items").await?;
                sqlx::query(
                    "INSERT INTO framework_items (id, kind, number, name, description, position) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(kind.code())
                .bind(f.number)
                .bind(&f.name)
                .bind(&f.description)
                .bind(position)
                .execute(w.conn())
                .await?;
                (1, None)
            }
            Some(expected) => {
                let version = w
                    .claim(&key, expected, not_found("onderdeel van het kader", id))
                    .await?;
                let current = load_framework_item(w.conn(), id).await?.map(|(_, c, _)| c);
                sqlx::query(
                    "UPDATE framework_items SET name = $1, number = $2, description = $3 WHERE id = $4",
                )
                .bind(&f.name)
                .bind(f.number)
                .bind(&f.description)
                .bind(id)
                .execute(w.conn())
                .await?;
                (version, current)
            }
        };
        let subject = Subject {
            record_id: id.to_owned(),
            record_label: f.name.clone(),
            ..Subject::default()
        };
        if current.is_none() {
            w.audit_created(&subject, FrameworkField::Record).await?;
        }
        let values = |i: &FrameworkFields| {
            vec![
                (FrameworkField::Name, Some(i.name.clone())),
                (FrameworkField::Number, i.number.map(|n| n.to_string())),
                (FrameworkField::Description, i.description.clone()),
            ]
        };
        let before = current.as_ref().map(values);
        w.audit_changes(&subject, before.as_deref(), &values(f))
            .await?;
        w.commit().await?;
        Ok(version)
    }
}

impl Store {
    pub async fn framework(&self) -> Result<Vec<FrameworkRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, kind, number, name, description, source_id FROM framework_items ORDER BY kind, number, position",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// (transformation id, principle id) pairs.
    pub async fn transformation_principles(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT transformation_id, principle_id FROM transformation_principles")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
