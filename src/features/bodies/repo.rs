//! Reading the governance bodies.

use super::model::BodyRow;
use crate::store::{Store, StoreError};

impl Store {
    pub async fn bodies(&self) -> Result<Vec<BodyRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, level, kind, area_id, description, source_id, escalates_to,
                    escalates_assumption
               FROM bodies ORDER BY position",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
