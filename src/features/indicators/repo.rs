//! Reading KPI's; creating and saving definitions with their plans and tussendoelen.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::model::{IndicatorField, IndicatorFields, IndicatorRow, MilestoneTarget};
use crate::domain::{Period, format_number_nl};
use crate::store::RecordField;
use crate::store::rows::{exists, next_position, refused};
use crate::store::write_path::RecordKey;
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) const INDICATOR_COLUMNS: &str =
    "id, name, description, kind, measure, unit, direction, baseline_value,
    baseline_period, target_value, target_period, target_text, transformation_id,
    owner_organisation_id, owner_role, data_source, frequency, area_level, source_id, version";

/// Stores a new KPI with its plans and tussendoelen (used by the portfolio import too).
pub(crate) async fn insert_indicator(
    conn: &mut AnyConnection,
    i: &crate::import::Indicator,
    position: i64,
) -> Result<(), sqlx::Error> {
    write_indicator(conn, &i.id, &i.fields, Some(position)).await
}

/// Inserts (`position` given) or updates the KPI's row (its version claimed before), and
/// replaces its links.
pub(crate) async fn write_indicator(
    conn: &mut AnyConnection,
    id: &str,
    f: &IndicatorFields,
    position: Option<i64>,
) -> Result<(), sqlx::Error> {
    let sql = if position.is_some() {
        "INSERT INTO indicators (name, description, kind, measure, unit, direction, baseline_value,
            baseline_period, target_value, target_period, target_text, transformation_id,
            owner_organisation_id, owner_role, data_source, frequency, area_level, source_id, position, id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    } else {
        "UPDATE indicators SET name = $1, description = $2, kind = $3, measure = $4, unit = $5,
            direction = $6, baseline_value = $7, baseline_period = $8, target_value = $9,
            target_period = $10, target_text = $11, transformation_id = $12,
            owner_organisation_id = $13, owner_role = $14, data_source = $15, frequency = $16,
            area_level = $17, source_id = $18, position = COALESCE($19, position)
         WHERE id = $20"
    };
    sqlx::query(sql)
        .bind(&f.name)
        .bind(&f.description)
        .bind(f.kind.code())
        .bind(f.measure.code())
        .bind(&f.unit)
        .bind(f.direction.map(|d| d.code()))
        .bind(crate::store::rows::Float(f.baseline.map(|(_, v)| v)))
        .bind(f.baseline.map(|(p, _)| p.to_string()))
        .bind(crate::store::rows::Float(f.target.map(|(_, v)| v)))
        .bind(f.target.map(|(p, _)| p.to_string()))
        .bind(&f.target_text)
        .bind(&f.transformation_id)
        .bind(&f.owner_organisation_id)
        .bind(&f.owner_role)
        .bind(&f.data_source)
        .bind(f.frequency.code())
        .bind(f.area_level.code())
        .bind(&f.source_id)
        .bind(position)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for table in ["indicator_plans", "indicator_milestones"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE indicator_id = $1"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    for plan in &f.plans {
        sqlx::query(
            "INSERT INTO indicator_plans (indicator_id, plan_id) VALUES ($1, $2)
             ON CONFLICT (indicator_id, plan_id) DO NOTHING",
        )
        .bind(id)
        .bind(plan)
        .execute(&mut *conn)
        .await?;
    }
    for (period, value) in &f.milestones {
        sqlx::query(
            "INSERT INTO indicator_milestones (indicator_id, period, period_end, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (indicator_id, period) DO UPDATE SET value = excluded.value",
        )
        .bind(id)
        .bind(period.to_string())
        .bind(period.end().to_string())
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The readable values of a definition for the trail: (field, value).
pub(crate) fn indicator_values(f: &IndicatorFields) -> Vec<(IndicatorField, Option<String>)> {
    // A value and its period apart, so that an aanname on the one ends only when it changes.
    let value = |p: Option<(Period, f64)>| p.map(|(_, v)| format_number_nl(v));
    let period = |p: Option<(Period, f64)>| p.map(|(p, _)| p.to_string());
    vec![
        (IndicatorField::Name, Some(f.name.clone())),
        (IndicatorField::Description, f.description.clone()),
        (IndicatorField::Kind, Some(f.kind.label().to_owned())),
        (IndicatorField::Measure, Some(f.measure.label().to_owned())),
        (IndicatorField::Unit, f.unit.clone()),
        (
            IndicatorField::Direction,
            f.direction.map(|d| d.label().to_owned()),
        ),
        (IndicatorField::Baseline, value(f.baseline)),
        (IndicatorField::BaselinePeriod, period(f.baseline)),
        (IndicatorField::Target, value(f.target)),
        (IndicatorField::TargetPeriod, period(f.target)),
        (IndicatorField::TargetText, f.target_text.clone()),
        (
            IndicatorField::Milestones,
            (!f.milestones.is_empty()).then(|| {
                f.milestones
                    .iter()
                    .map(|(p, v)| format!("{} ({p})", format_number_nl(*v)))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        ),
        (IndicatorField::Transformation, f.transformation_id.clone()),
        (
            IndicatorField::Plans,
            (!f.plans.is_empty()).then(|| f.plans.join(", ")),
        ),
        (
            IndicatorField::OwnerOrganisation,
            f.owner_organisation_id.clone(),
        ),
        (IndicatorField::OwnerRole, f.owner_role.clone()),
        (IndicatorField::DataSource, f.data_source.clone()),
        (
            IndicatorField::Frequency,
            Some(f.frequency.label().to_owned()),
        ),
        (
            IndicatorField::AreaLevel,
            Some(f.area_level.label().to_owned()),
        ),
        (IndicatorField::Source, f.source_id.clone()),
    ]
}

pub(crate) fn indicator_subject(id: &str, name: &str) -> Subject {
    Subject {
        record_id: id.to_owned(),
        record_label: name.to_owned(),
        indicator_id: Some(id.to_owned()),
        ..Subject::default()
    }
}

/// Checks the references of a definition inside the write's transaction.
pub(crate) async fn check_indicator_references(
    conn: &mut AnyConnection,
    f: &IndicatorFields,
) -> Result<(), StoreError> {
    if let Some(t) = &f.transformation_id
        && !exists(
            conn,
            "SELECT COUNT(*) FROM framework_items WHERE id = $1 AND kind = 'transformatie'",
            t,
        )
        .await?
    {
        return Err(refused(
            IndicatorField::Transformation,
            format!("Transformatie: \"{t}\" is geen transformatie; kies er een uit de lijst"),
        ));
    }
    for plan in &f.plans {
        if !exists(conn, "SELECT COUNT(*) FROM plans WHERE id = $1", plan).await? {
            return Err(refused(
                IndicatorField::Plans,
                format!("Plannen: er is geen plan \"{plan}\"; kies plannen uit de lijst"),
            ));
        }
    }
    if let Some(o) = &f.owner_organisation_id
        && !exists(conn, "SELECT COUNT(*) FROM organisations WHERE id = $1", o).await?
    {
        return Err(refused(
            IndicatorField::OwnerOrganisation,
            format!("Eigenaar: er is geen organisatie \"{o}\"; kies een organisatie uit de lijst"),
        ));
    }
    Ok(())
}

pub(crate) async fn load_links(
    pool: &sqlx::AnyPool,
    rows: &mut [IndicatorRow],
) -> Result<(), sqlx::Error> {
    let plans: Vec<(String, String)> =
        sqlx::query_as("SELECT indicator_id, plan_id FROM indicator_plans ORDER BY plan_id")
            .fetch_all(pool)
            .await?;
    let milestones: Vec<(String, String, f64)> = sqlx::query_as(
        "SELECT indicator_id, period, value FROM indicator_milestones ORDER BY period_end",
    )
    .fetch_all(pool)
    .await?;
    let index: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for (indicator, plan) in plans {
        if let Some(i) = index.get(&indicator) {
            rows[*i].plans.push(plan);
        }
    }
    for (indicator, period, value) in milestones {
        if let Some(i) = index.get(&indicator) {
            rows[*i].milestones.push(MilestoneTarget { period, value });
        }
    }
    let assumptions: Vec<(String, String, String)> =
        sqlx::query_as("SELECT record_id, field, reason FROM assumptions WHERE record_type = $1")
            .bind(IndicatorField::RECORD)
            .fetch_all(pool)
            .await?;
    for (indicator, field, reason) in assumptions {
        if let Some(i) = index.get(&indicator) {
            rows[*i].assumptions.insert(field, reason);
        }
    }
    Ok(())
}

/// A KPI with its plans and tussendoelen, on one connection (inside a transaction or not).
pub(crate) async fn load_indicator(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<Option<IndicatorRow>, sqlx::Error> {
    let row: Option<IndicatorRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INDICATOR_COLUMNS} FROM indicators WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(mut row) = row else { return Ok(None) };
    let plans: Vec<(String,)> = sqlx::query_as(
        "SELECT plan_id FROM indicator_plans WHERE indicator_id = $1 ORDER BY plan_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    row.plans = plans.into_iter().map(|(p,)| p).collect();
    let milestones: Vec<(String, f64)> = sqlx::query_as(
        "SELECT period, value FROM indicator_milestones WHERE indicator_id = $1 ORDER BY period_end",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    row.milestones = milestones
        .into_iter()
        .map(|(period, value)| MilestoneTarget { period, value })
        .collect();
    row.assumptions = crate::store::rows::assumptions_on::<IndicatorField>(&mut *conn, id).await?;
    Ok(Some(row))
}

pub(crate) async fn indicator_name(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<String, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM indicators WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(n,)| n)
        .ok_or_else(|| StoreError::NotFound(format!("er is geen KPI \"{id}\"")))
}

impl Store {
    /// Every KPI, in the order of the portfolio.
    pub async fn indicators(&self) -> Result<Vec<IndicatorRow>, StoreError> {
        let mut rows: Vec<IndicatorRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INDICATOR_COLUMNS} FROM indicators ORDER BY position, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        load_links(&self.pool, &mut rows).await?;
        Ok(rows)
    }

    pub async fn indicator(&self, id: &str) -> Result<Option<IndicatorRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_indicator(&mut conn, id).await?)
    }

    /// The organisations whose trekkers may enter values for a KPI: the leads of its plans
    /// and the organisation that owns it.
    pub async fn indicator_editors(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT po.organisation_id FROM indicator_plans ip
               JOIN plan_organisations po ON po.plan_id = ip.plan_id AND po.role = 'trekker'
              WHERE ip.indicator_id = $1
             UNION
             SELECT owner_organisation_id FROM indicators WHERE id = $1 AND owner_organisation_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(o,)| o).collect())
    }

    /// Creates a KPI (beheerder); the id must be new.
    pub async fn create_indicator(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        f: &IndicatorFields,
    ) -> Result<(), StoreError> {
        let mut w = self.write(actor, reason).await?;
        if exists(
            w.conn(),
            "SELECT COUNT(*) FROM indicators WHERE id = $1",
            id,
        )
        .await?
        {
            return Err(refused(
                IndicatorField::Id,
                format!("Id: er is al een KPI met de id \"{id}\"; kies een andere id"),
            ));
        }
        check_indicator_references(w.conn(), f).await?;
        let position = next_position(w.conn(), "indicators").await?;
        write_indicator(w.conn(), id, f, Some(position)).await?;
        let subject = indicator_subject(id, &f.name);
        w.audit_created(&subject, IndicatorField::Record).await?;
        w.audit_changes(&subject, None, &indicator_values(f))
            .await?;
        w.commit().await
    }

    /// Saves a KPI's definition opened at `expected_version`.
    pub async fn update_indicator(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: i64,
        f: &IndicatorFields,
    ) -> Result<i64, StoreError> {
        let not_found = || format!("er is geen KPI \"{id}\"");
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(
                &RecordKey::text("indicators", id),
                expected_version,
                not_found,
            )
            .await?;
        // The values before, for the trail, read after the claim: they are the ones replaced.
        let old = load_indicator(w.conn(), id)
            .await?
            .and_then(|r| r.fields())
            .ok_or_else(|| StoreError::NotFound(not_found()))?;
        check_indicator_references(w.conn(), f).await?;
        write_indicator(w.conn(), id, f, None).await?;
        let subject = indicator_subject(id, &f.name);
        w.audit_changes(
            &subject,
            Some(&indicator_values(&old)),
            &indicator_values(f),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }
}
