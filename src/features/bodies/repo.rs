//! Reading the governance bodies.

use super::model::BodyRow;
use crate::store::{Store, StoreError};

pub(crate) const BODY_COLUMNS: &str =
    "id, name, level, kind, area_id, description, source_id, escalates_to, escalates_assumption";

impl Store {
    pub async fn bodies(&self) -> Result<Vec<BodyRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {BODY_COLUMNS} FROM bodies ORDER BY position"
        )))
        .fetch_all(&self.pool)
        .await?)
    }
}
