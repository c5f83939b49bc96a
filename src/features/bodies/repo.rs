//! Reading and writing this feature's records; every write runs on the one write path.

#[allow(unused_imports)]
use crate::features::actions::model::*;
#[allow(unused_imports)]
use crate::features::areas::model::*;
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
use crate::store::{Store, StoreError};

impl Store {
    pub async fn bodies(&self) -> Result<Vec<BodyRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, level, kind, area_id, description, source_id FROM bodies ORDER BY position",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
