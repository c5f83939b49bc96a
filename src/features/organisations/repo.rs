//! Reading organisations and their plans; creating and saving one.

use sqlx::AnyConnection;

use super::model::{OrganisationField, OrganisationFields, OrganisationRow};
use crate::domain::OrganisationKind;
use crate::features::plans::model::{PlanOrganisationRow, PlanRow};
use crate::store::rows::{not_found, refused};
use crate::store::write_path::{RecordKey, Refusal};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) async fn load_organisation(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(OrganisationFields, i64)>, StoreError> {
    let row: Option<(String, String, Option<String>, i64)> =
        sqlx::query_as("SELECT name, kind, website, version FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(name, kind, website, version)| {
        let kind = OrganisationKind::parse(&kind)
            .map_err(|e| StoreError::Refused(Refusal::general(e.0)))?;
        Ok((
            OrganisationFields {
                name,
                kind,
                website,
            },
            version,
        ))
    })
    .transpose()
}

impl Store {
    /// An organisation's editable fields and version.
    pub async fn stored_organisation(
        &self,
        id: &str,
    ) -> Result<Option<(OrganisationFields, i64)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_organisation(&mut conn, id).await
    }

    /// Creates (`expected_version` = None) or saves an organisation.
    pub async fn save_organisation(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: Option<i64>,
        f: &OrganisationFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let key = RecordKey::text("organisations", id);
        let (version, current) = match expected_version {
            None => {
                if w.version_of(&key).await?.is_some() {
                    return Err(refused(
                        OrganisationField::Id,
                        format!(
                            "Id: er is al een organisatie met de id \"{id}\"; kies een andere id"
                        ),
                    ));
                }
                sqlx::query(
                    "INSERT INTO organisations (id, name, kind, website) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(&f.name)
                .bind(f.kind.code())
                .bind(&f.website)
                .execute(w.conn())
                .await?;
                (1, None)
            }
            Some(expected) => {
                let version = w
                    .claim(&key, expected, not_found("organisatie", id))
                    .await?;
                let current = load_organisation(w.conn(), id).await?.map(|(c, _)| c);
                sqlx::query(
                    "UPDATE organisations SET name = $1, kind = $2, website = $3 WHERE id = $4",
                )
                .bind(&f.name)
                .bind(f.kind.code())
                .bind(&f.website)
                .bind(id)
                .execute(w.conn())
                .await?;
                (version, current)
            }
        };
        let subject = Subject {
            record_id: id.to_owned(),
            record_label: f.name.clone(),
            organisation_id: Some(id.to_owned()),
            ..Subject::default()
        };
        if current.is_none() {
            w.audit_created(&subject, OrganisationField::Record).await?;
        }
        let values = |o: &OrganisationFields| {
            vec![
                (OrganisationField::Name, Some(o.name.clone())),
                (OrganisationField::Kind, Some(o.kind.label().to_owned())),
                (OrganisationField::Website, o.website.clone()),
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
    /// Every organisation's name by its id.
    pub async fn organisation_names(
        &self,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM organisations")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The name of one organisation, if it exists.
    pub async fn organisation_name(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn organisations(&self) -> Result<Vec<OrganisationRow>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT id, name, kind, website FROM organisations ORDER BY lower(name)",
            )
            .fetch_all(&self.pool)
            .await?,
        )
    }

    /// Plans in which an organisation is trekker or betrokken.
    pub async fn organisation_plans(
        &self,
        organisation_id: &str,
    ) -> Result<Vec<(PlanRow, String)>, StoreError> {
        let rows: Vec<PlanOrganisationRow> = sqlx::query_as(
            "SELECT po.plan_id, po.organisation_id, po.role, o.name FROM plan_organisations po
             JOIN organisations o ON o.id = po.organisation_id WHERE po.organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        let plans = self
            .plans_with(crate::features::plans::read::PlansWith::Organisation(
                organisation_id,
            ))
            .await?;
        Ok(plans
            .into_iter()
            .filter_map(|p| {
                let role = rows.iter().find(|r| r.plan_id == p.id)?.role.clone();
                Some((p, role))
            })
            .collect())
    }
}
