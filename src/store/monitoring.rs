//! Monitoring in the store: KPI definitions, observations (single, or imported in bulk in one
//! transaction), follow-up actions and their escalations. Every write checks the version the
//! user started from and appends the audit trail in the same transaction.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use super::audit::{Actor, Reason, Subject};
use super::write::{exists, next_position};
use super::write_path::{KeyPart, RecordField, RecordKey, Refusal, record_fields, values_rows};
use super::{Store, StoreError};
use crate::domain::{
    ActionStatus, AreaLevel, Direction, EscalationLevel, Frequency, IndicatorKind, IndicatorStatus,
    Measure, Period, Targets, format_number_nl,
};

record_fields! {
    /// The fields of a KPI's definition.
    pub enum IndicatorField for "indicator" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam",
        Description = "description" => "Omschrijving",
        Kind = "kind" => "Soort",
        Measure = "measure" => "Meetwijze",
        Unit = "unit" => "Eenheid",
        Direction = "direction" => "Richting",
        Baseline = "baseline" => "Nulmeting",
        Target = "target" => "Streefwaarde",
        TargetText = "target_text" => "Streefbeeld",
        Milestones = "milestones" => "Tussendoelen",
        Transformation = "transformation" => "Transformatie",
        Plans = "plans" => "Plannen",
        OwnerOrganisation = "owner_organisation" => "Eigenaar",
        OwnerRole = "owner_role" => "Rol van de eigenaar",
        DataSource = "data_source" => "Databron",
        Frequency = "frequency" => "Frequentie",
        AreaLevel = "area_level" => "Meetniveau",
        Source = "source" => "Bron",
    }
}

record_fields! {
    /// The fields of one measurement.
    pub enum ObservationField for "observation" {
        Indicator = "indicator" => "KPI",
        Area = "area" => "Gebied",
        Period = "period" => "Periode",
        Value = "value" => "Meetwaarde",
        Narrative = "narrative" => "Beschrijving",
        JudgedStatus = "judged_status" => "Beoordeling",
        Source = "source" => "Bron",
        Note = "note" => "Toelichting meting",
        /// One entry per KPI for a whole import.
        Import = "import" => "Metingen ingelezen",
    }
}

record_fields! {
    /// The fields of a follow-up action.
    pub enum ActionField for "action" {
        Record = "record" => "Aangemaakt",
        Title = "title" => "Vervolgactie",
        Description = "description" => "Omschrijving",
        Owner = "owner" => "Eigenaar",
        OwnerOrganisation = "owner_organisation" => "Organisatie",
        Area = "area" => "Gebied",
        Deadline = "deadline" => "Deadline",
        Status = "status" => "Status",
        Level = "level" => "Overleg",
        Body = "body" => "Overleg",
        Escalation = "escalation" => "Opgeschaald",
    }
}

/// A KPI as stored, with the plans it belongs to and its tussendoelen.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct IndicatorRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// resultaat or inspanning
    pub kind: String,
    /// kwantitatief or narratief
    pub measure: String,
    pub unit: Option<String>,
    /// hoger or lager (is beter)
    pub direction: Option<String>,
    pub baseline_value: Option<f64>,
    /// A period such as 2023 or 2024-Q4.
    pub baseline_period: Option<String>,
    pub target_value: Option<f64>,
    pub target_period: Option<String>,
    /// For a narrative KPI: what reaching it looks like.
    pub target_text: Option<String>,
    pub transformation_id: Option<String>,
    pub owner_organisation_id: Option<String>,
    pub owner_role: Option<String>,
    pub data_source: Option<String>,
    /// maand, kwartaal or jaar
    pub frequency: String,
    /// gemeente, subregio or regio
    pub area_level: String,
    pub source_id: Option<String>,
    pub version: i64,
    #[sqlx(skip)]
    pub plans: Vec<String>,
    /// Tussendoelen: (period, value), earliest first.
    #[sqlx(skip)]
    pub milestones: Vec<MilestoneTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MilestoneTarget {
    pub period: String,
    pub value: f64,
}

impl IndicatorRow {
    pub fn measure(&self) -> Measure {
        Measure::parse(&self.measure).unwrap_or(Measure::Quantitative)
    }

    pub fn is_narrative(&self) -> bool {
        self.measure() == Measure::Narrative
    }

    pub fn frequency(&self) -> Frequency {
        Frequency::parse(&self.frequency).unwrap_or(Frequency::Quarter)
    }

    pub fn area_level(&self) -> AreaLevel {
        AreaLevel::parse(&self.area_level).unwrap_or(AreaLevel::Gemeente)
    }

    pub fn kind_label(&self) -> &'static str {
        IndicatorKind::parse(&self.kind).map_or("", IndicatorKind::label)
    }

    /// The targets in domain form, for [`crate::domain::assess`].
    pub fn targets(&self) -> Option<Targets> {
        let direction = Direction::parse(self.direction.as_deref()?).ok()?;
        let pair = |value: Option<f64>, period: &Option<String>| {
            Some((Period::parse(period.as_deref()?).ok()?, value?))
        };
        Some(Targets {
            direction,
            baseline: pair(self.baseline_value, &self.baseline_period),
            target: pair(self.target_value, &self.target_period),
            milestones: self
                .milestones
                .iter()
                .filter_map(|m| Some((Period::parse(&m.period).ok()?, m.value)))
                .collect(),
        })
    }

    /// The definition as a form edits it; `None` when a stored code is unknown.
    pub fn fields(&self) -> Option<IndicatorFields> {
        let pair = |value: Option<f64>, period: &Option<String>| -> Option<(Period, f64)> {
            Some((Period::parse(period.as_deref()?).ok()?, value?))
        };
        Some(IndicatorFields {
            name: self.name.clone(),
            description: self.description.clone(),
            kind: IndicatorKind::parse(&self.kind).ok()?,
            measure: Measure::parse(&self.measure).ok()?,
            unit: self.unit.clone(),
            direction: self
                .direction
                .as_deref()
                .and_then(|d| Direction::parse(d).ok()),
            baseline: pair(self.baseline_value, &self.baseline_period),
            target: pair(self.target_value, &self.target_period),
            target_text: self.target_text.clone(),
            milestones: self
                .milestones
                .iter()
                .filter_map(|m| Some((Period::parse(&m.period).ok()?, m.value)))
                .collect(),
            transformation_id: self.transformation_id.clone(),
            plans: self.plans.clone(),
            owner_organisation_id: self.owner_organisation_id.clone(),
            owner_role: self.owner_role.clone(),
            data_source: self.data_source.clone(),
            frequency: Frequency::parse(&self.frequency).ok()?,
            area_level: AreaLevel::parse(&self.area_level).ok()?,
            source_id: self.source_id.clone(),
        })
    }

    /// "65 %" or "15 minuten": a value with the KPI's unit.
    pub fn with_unit(&self, value: f64) -> String {
        let number = format_number_nl(value);
        match self.unit.as_deref() {
            Some("%") => format!("{number}%"),
            Some(u) => format!("{number} {u}"),
            None => number,
        }
    }
}

/// One measurement.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ObservationRow {
    pub id: i64,
    pub indicator_id: String,
    pub area_id: String,
    /// As written: 2026-Q1, 2026-03 or 2026.
    pub period: String,
    pub period_start: String,
    pub value: Option<f64>,
    pub narrative: Option<String>,
    /// For narrative KPI's: the status people gave it.
    pub judged_status: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
    /// An example value (demo data), never a fact.
    #[serde(serialize_with = "as_bool")]
    #[schema(value_type = bool)]
    pub is_example: i64,
    pub version: i64,
}

fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

impl ObservationRow {
    pub fn period(&self) -> Option<Period> {
        Period::parse(&self.period).ok()
    }

    pub fn is_example(&self) -> bool {
        self.is_example != 0
    }
}

/// A checked observation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator_id: String,
    pub area_id: String,
    pub period: Period,
    pub value: Option<f64>,
    pub narrative: Option<String>,
    pub judged_status: Option<IndicatorStatus>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub is_example: bool,
}

/// A follow-up action as stored.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ActionRow {
    pub id: i64,
    pub indicator_id: String,
    pub area_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub owner: String,
    pub owner_organisation_id: Option<String>,
    /// YYYY-MM-DD
    pub deadline: String,
    /// open, bezig, afgerond or vervallen
    pub status: String,
    /// werkgroep, kernteam, regiegroep or bbo
    pub level: String,
    pub body_id: Option<String>,
    pub created_at: String,
    pub version: i64,
}

impl ActionRow {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Open)
    }

    pub fn level(&self) -> EscalationLevel {
        EscalationLevel::parse(&self.level).unwrap_or(EscalationLevel::Workgroup)
    }

    /// Open and past its deadline on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status().is_open() && self.deadline.as_str() < today.to_string().as_str()
    }
}

/// One step of an action up the ladder.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EscalationRow {
    pub id: i64,
    pub action_id: i64,
    pub from_level: String,
    pub from_body_id: Option<String>,
    pub to_level: String,
    pub to_body_id: Option<String>,
    pub reason: String,
    /// UTC, YYYY-MM-DDTHH:MM:SSZ
    pub at: String,
    pub actor: String,
}

/// The fields of a follow-up action a user edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFields {
    pub area_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub owner: String,
    pub owner_organisation_id: Option<String>,
    pub deadline: Date,
    pub status: ActionStatus,
}

/// A KPI's definition as a beheerder edits it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorFields {
    pub name: String,
    pub description: Option<String>,
    pub kind: IndicatorKind,
    pub measure: Measure,
    pub unit: Option<String>,
    pub direction: Option<Direction>,
    pub baseline: Option<(Period, f64)>,
    pub target: Option<(Period, f64)>,
    pub target_text: Option<String>,
    pub milestones: Vec<(Period, f64)>,
    pub transformation_id: Option<String>,
    pub plans: Vec<String>,
    pub owner_organisation_id: Option<String>,
    pub owner_role: Option<String>,
    pub data_source: Option<String>,
    pub frequency: Frequency,
    pub area_level: AreaLevel,
    pub source_id: Option<String>,
}

impl From<&crate::import::Indicator> for IndicatorFields {
    fn from(i: &crate::import::Indicator) -> Self {
        Self {
            name: i.name.clone(),
            description: i.description.clone(),
            kind: i.kind,
            measure: i.measure,
            unit: i.unit.clone(),
            direction: i.direction,
            baseline: i.baseline,
            target: i.target,
            target_text: i.target_text.clone(),
            milestones: i.milestones.clone(),
            transformation_id: i.transformation_id.clone(),
            plans: i.plans.clone(),
            owner_organisation_id: i.owner_organisation_id.clone(),
            owner_role: i.owner_role.clone(),
            data_source: i.data_source.clone(),
            frequency: i.frequency,
            area_level: i.area_level,
            source_id: i.source_id.clone(),
        }
    }
}

const INDICATOR_COLUMNS: &str =
    "id, name, description, kind, measure, unit, direction, baseline_value,
    baseline_period, target_value, target_period, target_text, transformation_id,
    owner_organisation_id, owner_role, data_source, frequency, area_level, source_id, version";

const OBSERVATION_COLUMNS: &str =
    "id, indicator_id, area_id, period, period_start, value, narrative,
    judged_status, source, note, is_example, version";

/// The same columns, qualified, for queries that join observations to themselves.
const OBSERVATION_COLUMNS_O: &str = "o.id, o.indicator_id, o.area_id, o.period, o.period_start,
    o.value, o.narrative, o.judged_status, o.source, o.note, o.is_example, o.version";

const ACTION_COLUMNS: &str = "id, indicator_id, area_id, title, description, owner,
    owner_organisation_id, deadline, status, level, body_id, created_at, version";

/// Stores a new KPI with its plans and tussendoelen (used by the portfolio import too).
pub(super) async fn insert_indicator(
    conn: &mut AnyConnection,
    i: &crate::import::Indicator,
    position: i64,
) -> Result<(), sqlx::Error> {
    write_indicator(conn, &i.id, &IndicatorFields::from(i), Some(position)).await
}

/// Inserts (`position` given) or updates the KPI's row (its version claimed before), and
/// replaces its links.
async fn write_indicator(
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
        .bind(f.baseline.map(|(_, v)| v))
        .bind(f.baseline.map(|(p, _)| p.to_string()))
        .bind(f.target.map(|(_, v)| v))
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

fn refused<F: RecordField>(field: F, message: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal::of(field, message))
}

/// The readable values of a definition for the trail: (field, value).
fn indicator_values(f: &IndicatorFields) -> Vec<(IndicatorField, Option<String>)> {
    let pair = |p: Option<(Period, f64)>| p.map(|(p, v)| format!("{} ({p})", format_number_nl(v)));
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
        (IndicatorField::Baseline, pair(f.baseline)),
        (IndicatorField::Target, pair(f.target)),
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

fn indicator_subject(id: &str, name: &str) -> Subject {
    Subject {
        record_id: id.to_owned(),
        record_label: name.to_owned(),
        indicator_id: Some(id.to_owned()),
        ..Subject::default()
    }
}

/// Checks the references of a definition inside the write's transaction.
async fn check_indicator_references(
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

async fn load_links(pool: &sqlx::AnyPool, rows: &mut [IndicatorRow]) -> Result<(), sqlx::Error> {
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
    Ok(())
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
        w.audit(&subject, IndicatorField::Record, None, Some("aangemaakt"))
            .await?;
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

    /// The latest observation of a KPI in every area that has one.
    pub async fn latest_observations(
        &self,
        indicator_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS_O} FROM observations o
               JOIN (SELECT area_id, MAX(period_start) AS latest FROM observations
                      WHERE indicator_id = $1 GROUP BY area_id) l
                 ON l.area_id = o.area_id AND l.latest = o.period_start
              WHERE o.indicator_id = $1
              ORDER BY o.area_id"
        )))
        .bind(indicator_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The latest observation of every KPI in one area.
    pub async fn latest_observations_in(
        &self,
        area_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS_O} FROM observations o
               JOIN (SELECT indicator_id, MAX(period_start) AS latest FROM observations
                      WHERE area_id = $1 GROUP BY indicator_id) l
                 ON l.indicator_id = o.indicator_id AND l.latest = o.period_start
              WHERE o.area_id = $1
              ORDER BY o.indicator_id"
        )))
        .bind(area_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The latest observation of every KPI in every area (for the KPI list's totals).
    pub async fn latest_observations_all(&self) -> Result<Vec<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS_O} FROM observations o
               JOIN (SELECT indicator_id, area_id, MAX(period_start) AS latest FROM observations
                      GROUP BY indicator_id, area_id) l
                 ON l.indicator_id = o.indicator_id AND l.area_id = o.area_id
                AND l.latest = o.period_start
              ORDER BY o.indicator_id, o.area_id"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// All observations of a KPI in one area, oldest first: one line of the chart.
    pub async fn series(
        &self,
        indicator_id: &str,
        area_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations
              WHERE indicator_id = $1 AND area_id = $2 ORDER BY period_start"
        )))
        .bind(indicator_id)
        .bind(area_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The areas a KPI has observations for, in no particular order.
    pub async fn observed_areas(&self, indicator_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT area_id FROM observations WHERE indicator_id = $1")
                .bind(indicator_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    pub async fn observation(&self, id: i64) -> Result<Option<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The observation of a KPI in an area and period, if there is one.
    pub async fn observation_at(
        &self,
        indicator_id: &str,
        area_id: &str,
        period: Period,
    ) -> Result<Option<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations
              WHERE indicator_id = $1 AND area_id = $2 AND period = $3"
        )))
        .bind(indicator_id)
        .bind(area_id)
        .bind(period.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Saves one observation from a form or the API: a new one (`expected_version` 0) or a
    /// change to the one at the same KPI, area and period.
    pub async fn save_observation(
        &self,
        actor: &Actor,
        reason: &Reason,
        o: &NewObservation,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let indicator_name = indicator_name(w.conn(), &o.indicator_id).await?;
        let area: Option<(String,)> = sqlx::query_as("SELECT name FROM areas WHERE id = $1")
            .bind(&o.area_id)
            .fetch_optional(w.conn())
            .await?;
        let (area_name,) = area.ok_or_else(|| {
            refused(
                ObservationField::Area,
                format!(
                    "Gebied: er is geen gebied \"{}\"; kies een gebied uit de lijst",
                    o.area_id
                ),
            )
        })?;
        let period = o.period.to_string();
        let key = RecordKey {
            table: "observations",
            columns: &["indicator_id", "area_id", "period"],
            values: vec![
                KeyPart::Text(&o.indicator_id),
                KeyPart::Text(&o.area_id),
                KeyPart::Text(&period),
            ],
        };
        // A new value (version 0) has no row to claim: its INSERT is the claim.
        let version = if expected_version == 0 {
            match w.version_of(&key).await? {
                Some(current_version) => return Err(StoreError::Conflict { current_version }),
                None => 1,
            }
        } else {
            w.claim(&key, expected_version, || {
                format!("er is geen meting voor {} in {}", o.period, o.area_id)
            })
            .await?
        };
        type Current = (
            Option<f64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let current: Option<Current> = sqlx::query_as(
            "SELECT value, narrative, judged_status, source, note FROM observations
              WHERE indicator_id = $1 AND area_id = $2 AND period = $3",
        )
        .bind(&o.indicator_id)
        .bind(&o.area_id)
        .bind(&period)
        .fetch_optional(w.conn())
        .await?;
        let judged = o.judged_status.map(|s| s.code());
        if current.is_some() {
            sqlx::query(
                "UPDATE observations SET value = $1, narrative = $2, judged_status = $3, source = $4,
                    note = $5, is_example = $6
                  WHERE indicator_id = $7 AND area_id = $8 AND period = $9",
            )
            .bind(o.value)
            .bind(&o.narrative)
            .bind(judged)
            .bind(&o.source)
            .bind(&o.note)
            .bind(i64::from(o.is_example))
            .bind(&o.indicator_id)
            .bind(&o.area_id)
            .bind(&period)
            .execute(w.conn())
            .await?;
        } else {
            w.insert_new(
                sqlx::query(
                    "INSERT INTO observations (indicator_id, area_id, period, period_start, value, narrative,
                        judged_status, source, note, is_example)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&o.indicator_id)
                .bind(&o.area_id)
                .bind(&period)
                .bind(o.period.start().to_string())
                .bind(o.value)
                .bind(&o.narrative)
                .bind(judged)
                .bind(&o.source)
                .bind(&o.note)
                .bind(i64::from(o.is_example)),
            )
            .await?;
        }
        let subject = Subject {
            record_id: format!("{}/{}/{}", o.indicator_id, o.area_id, o.period),
            record_label: format!("{indicator_name} in {area_name}, {}", o.period.label_nl()),
            area_id: Some(o.area_id.clone()),
            indicator_id: Some(o.indicator_id.clone()),
            ..Subject::default()
        };
        let status_label = |s: Option<&str>| {
            s.and_then(|c| IndicatorStatus::parse(c).ok())
                .map(|s| s.label().to_owned())
        };
        let before = current.map(|c| {
            vec![
                (ObservationField::Value, c.0.map(format_number_nl)),
                (ObservationField::Narrative, c.1),
                (ObservationField::JudgedStatus, status_label(c.2.as_deref())),
                (ObservationField::Source, c.3),
                (ObservationField::Note, c.4),
            ]
        });
        let after = [
            (ObservationField::Value, o.value.map(format_number_nl)),
            (ObservationField::Narrative, o.narrative.clone()),
            (ObservationField::JudgedStatus, status_label(judged)),
            (ObservationField::Source, o.source.clone()),
            (ObservationField::Note, o.note.clone()),
        ];
        w.audit_changes(&subject, before.as_deref(), &after).await?;
        w.commit().await?;
        Ok(version)
    }

    /// The (area, period) keys a KPI already has, for an import's duplicate check.
    pub async fn observation_keys(
        &self,
        indicator_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT area_id, period FROM observations WHERE indicator_id = $1")
                .bind(indicator_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Stores checked observations all at once: every one or, on any failure, none. The trail
    /// gets one entry per KPI ("120 metingen ingelezen ..."), not one per value, so a large
    /// import stays fast and the trail readable. `progress` is called with the rows stored.
    ///
    /// The rows are taken from the iterator a batch at a time, so a file of millions of lines
    /// is never held in memory as a whole.
    pub async fn import_observations(
        &self,
        actor: &Actor,
        file_label: &str,
        rows: impl IntoIterator<Item = NewObservation, IntoIter: Send> + Send,
        progress: impl FnMut(usize) + Send,
    ) -> Result<usize, StoreError> {
        self.try_import_observations(actor, file_label, rows.into_iter().map(Ok), progress)
            .await
    }

    /// As [`Store::import_observations`], for rows that may still turn out wrong while they
    /// are read (a file that changed since it was checked): the first `Err` ends the import
    /// and nothing is stored.
    pub async fn try_import_observations(
        &self,
        actor: &Actor,
        file_label: &str,
        rows: impl IntoIterator<Item = Result<NewObservation, StoreError>, IntoIter: Send> + Send,
        mut progress: impl FnMut(usize) + Send,
    ) -> Result<usize, StoreError> {
        let mut rows = rows.into_iter();
        let reason = Reason {
            comment: Some(format!("ingelezen uit {file_label}")),
            source: None,
        };
        let mut w = self.write(actor, &reason).await?;
        let batch_rows = observation_batch(w.backend());
        let full_batch_sql = insert_observations_sql(w.backend(), batch_rows);
        let mut batch: Vec<NewObservation> = Vec::with_capacity(batch_rows);
        // Per KPI: the number of values and the periods they span, for the trail.
        let mut per_indicator: HashMap<String, (usize, Period, Period)> = HashMap::new();
        let mut done = 0;
        loop {
            batch.clear();
            for row in rows.by_ref() {
                let o = row?;
                match per_indicator.get_mut(o.indicator_id.as_str()) {
                    Some(entry) => {
                        entry.0 += 1;
                        if o.period.start() < entry.1.start() {
                            entry.1 = o.period;
                        }
                        if o.period.start() > entry.2.start() {
                            entry.2 = o.period;
                        }
                    }
                    None => {
                        per_indicator.insert(o.indicator_id.clone(), (1, o.period, o.period));
                    }
                }
                batch.push(o);
                if batch.len() == batch_rows {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let sql = if batch.len() == batch_rows {
                full_batch_sql.clone()
            } else {
                insert_observations_sql(w.backend(), batch.len())
            };
            let rows_in_batch = batch.len();
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            // Owned values move into the arguments without another copy.
            for o in batch.drain(..) {
                query = query
                    .bind(o.indicator_id)
                    .bind(o.area_id)
                    .bind(o.period.to_string())
                    .bind(o.period.start().to_string())
                    .bind(o.value)
                    .bind(o.narrative)
                    .bind(o.judged_status.map(|s| s.code()))
                    .bind(o.source)
                    .bind(o.note)
                    .bind(i64::from(o.is_example));
            }
            match query.execute(w.conn()).await {
                Err(e) if super::write_path::is_unique_violation(&e) => {
                    return Err(refused(
                        ObservationField::Import,
                        "een of meer metingen bestaan al (zelfde KPI, gebied en periode); er is niets opgeslagen",
                    ));
                }
                Err(e)
                    if e.as_database_error()
                        .is_some_and(|d| d.is_foreign_key_violation()) =>
                {
                    return Err(refused(
                        ObservationField::Import,
                        "een KPI of gebied uit het bestand bestaat niet meer; er is niets opgeslagen",
                    ));
                }
                other => {
                    other?;
                }
            }
            done += rows_in_batch;
            progress(done);
            if rows_in_batch < batch_rows {
                break;
            }
        }
        let names: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM indicators")
            .fetch_all(w.conn())
            .await?;
        let names: HashMap<String, String> = names.into_iter().collect();
        let mut ids: Vec<&String> = per_indicator.keys().collect();
        ids.sort_unstable();
        for id in ids {
            let (count, first, last) = per_indicator[id];
            let span = if first == last {
                first.label_nl()
            } else {
                format!("{} tot en met {}", first.label_nl(), last.label_nl())
            };
            let subject = Subject {
                record_id: id.clone(),
                record_label: names.get(id).cloned().unwrap_or_else(|| id.clone()),
                indicator_id: Some(id.clone()),
                ..Subject::default()
            };
            w.audit(
                &subject,
                ObservationField::Import,
                None,
                Some(&format!(
                    "{count} {} ({span})",
                    if count == 1 { "meting" } else { "metingen" }
                )),
            )
            .await?;
        }
        w.commit().await?;
        Ok(done)
    }

    // --- Follow-up actions ---

    pub async fn actions_for(&self, indicator_id: &str) -> Result<Vec<ActionRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM follow_up_actions WHERE indicator_id = $1 ORDER BY deadline, id"
        )))
        .bind(indicator_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The actions that sit at a body now (escalated to it or started there).
    pub async fn actions_at_body(&self, body_id: &str) -> Result<Vec<ActionRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM follow_up_actions WHERE body_id = $1 ORDER BY deadline, id"
        )))
        .bind(body_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn all_actions(&self) -> Result<Vec<ActionRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM follow_up_actions ORDER BY deadline, id"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn action(&self, id: i64) -> Result<Option<ActionRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM follow_up_actions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn escalations(&self, action_id: i64) -> Result<Vec<EscalationRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, action_id, from_level, from_body_id, to_level, to_body_id, reason, at, actor
               FROM action_escalations WHERE action_id = $1 ORDER BY id",
        )
        .bind(action_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Creates a follow-up action for a KPI, at the werkgroep (or the body given).
    pub async fn create_action(
        &self,
        actor: &Actor,
        reason: &Reason,
        indicator_id: &str,
        f: &ActionFields,
        level: EscalationLevel,
        body_id: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let name = indicator_name(w.conn(), indicator_id).await?;
        check_action_references(w.conn(), f, body_id).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO follow_up_actions (indicator_id, area_id, title, description, owner,
                owner_organisation_id, deadline, status, level, body_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(indicator_id)
        .bind(&f.area_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.owner)
        .bind(&f.owner_organisation_id)
        .bind(f.deadline.to_string())
        .bind(f.status.code())
        .bind(level.code())
        .bind(body_id)
        .bind(super::now_text())
        .fetch_one(w.conn())
        .await?;
        let subject = action_subject(id, indicator_id, &name, f);
        w.audit(&subject, ActionField::Record, None, Some("aangemaakt"))
            .await?;
        w.audit_changes(&subject, None, &action_values(f)).await?;
        w.audit(&subject, ActionField::Level, None, Some(level.label()))
            .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Saves an action opened at `expected_version`.
    pub async fn update_action(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: i64,
        expected_version: i64,
        f: &ActionFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(
                &RecordKey::int("follow_up_actions", id),
                expected_version,
                || format!("er is geen actie {id}"),
            )
            .await?;
        let current = load_action(w.conn(), id).await?;
        check_action_references(w.conn(), f, None).await?;
        sqlx::query(
            "UPDATE follow_up_actions SET area_id = $1, title = $2, description = $3, owner = $4,
                owner_organisation_id = $5, deadline = $6, status = $7
              WHERE id = $8",
        )
        .bind(&f.area_id)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.owner)
        .bind(&f.owner_organisation_id)
        .bind(f.deadline.to_string())
        .bind(f.status.code())
        .bind(id)
        .execute(w.conn())
        .await?;
        let name = indicator_name(w.conn(), &current.indicator_id).await?;
        let subject = action_subject(id, &current.indicator_id, &name, f);
        let old = ActionFields {
            area_id: current.area_id.clone(),
            title: current.title.clone(),
            description: current.description.clone(),
            owner: current.owner.clone(),
            owner_organisation_id: current.owner_organisation_id.clone(),
            deadline: crate::domain::parse_date(&current.deadline).unwrap_or(f.deadline),
            status: current.status(),
        };
        w.audit_changes(&subject, Some(&action_values(&old)), &action_values(f))
            .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Moves an action up the ladder to `to_level` (and the body there, if named), with the
    /// reason; refuses a step down or sideways.
    #[allow(clippy::too_many_arguments)]
    pub async fn escalate_action(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        to_level: EscalationLevel,
        to_body_id: Option<&str>,
        reason_text: &str,
    ) -> Result<i64, StoreError> {
        let reason = Reason {
            comment: Some(reason_text.to_owned()),
            source: None,
        };
        let mut w = self.write(actor, &reason).await?;
        let version = w
            .claim(
                &RecordKey::int("follow_up_actions", id),
                expected_version,
                || format!("er is geen actie {id}"),
            )
            .await?;
        let current = load_action(w.conn(), id).await?;
        let from = current.level();
        if !from.above().contains(&to_level) {
            return Err(refused(
                ActionField::Level,
                format!(
                    "Naar: de actie ligt al bij {}; kies een hoger overleg",
                    from.label().to_lowercase()
                ),
            ));
        }
        if let Some(body) = to_body_id {
            let kind: Option<(Option<String>,)> =
                sqlx::query_as("SELECT kind FROM bodies WHERE id = $1")
                    .bind(body)
                    .fetch_optional(w.conn())
                    .await?;
            match kind {
                None => {
                    return Err(refused(
                        ActionField::Body,
                        format!(
                            "Overleg: er is geen overleg \"{body}\"; kies een overleg uit de lijst"
                        ),
                    ));
                }
                Some((k,)) if k.as_deref() != Some(to_level.code()) => {
                    return Err(refused(
                        ActionField::Body,
                        format!(
                            "Overleg: dit overleg is geen {}; kies een overleg van dat niveau",
                            to_level.label().to_lowercase()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        sqlx::query("UPDATE follow_up_actions SET level = $1, body_id = $2 WHERE id = $3")
            .bind(to_level.code())
            .bind(to_body_id)
            .bind(id)
            .execute(w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO action_escalations (action_id, from_level, from_body_id, to_level, to_body_id, reason, at, actor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(from.code())
        .bind(&current.body_id)
        .bind(to_level.code())
        .bind(to_body_id)
        .bind(reason_text)
        .bind(super::now_text())
        .bind(&actor.name)
        .execute(w.conn())
        .await?;
        let body_names: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM bodies")
            .fetch_all(w.conn())
            .await?;
        let body_names: HashMap<String, String> = body_names.into_iter().collect();
        let place = |level: EscalationLevel, body: Option<&str>| match body
            .and_then(|b| body_names.get(b))
        {
            Some(name) => name.clone(),
            None => level.label().to_owned(),
        };
        let name = indicator_name(w.conn(), &current.indicator_id).await?;
        let subject = Subject {
            record_id: id.to_string(),
            record_label: format!("{} ({name})", current.title),
            area_id: current.area_id.clone(),
            indicator_id: Some(current.indicator_id.clone()),
            ..Subject::default()
        };
        w.audit(
            &subject,
            ActionField::Escalation,
            Some(&place(from, current.body_id.as_deref())),
            Some(&place(to_level, to_body_id)),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }
}

/// A KPI with its plans and tussendoelen, on one connection (inside a transaction or not).
async fn load_indicator(
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
    Ok(Some(row))
}

fn insert_observations_sql(backend: super::Backend, rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO observations (indicator_id, area_id, period, period_start, value, narrative,
            judged_status, source, note, is_example) VALUES ",
    );
    sql.push_str(&values_rows(backend, rows, 10));
    sql
}

/// Rows per INSERT statement of a bulk import: as many as the backend's limit on parameters
/// allows with some room (SQLite 32766, PostgreSQL 65535), 10 parameters each.
fn observation_batch(backend: super::Backend) -> usize {
    match backend {
        super::Backend::Sqlite => 3000,
        super::Backend::Postgres => 6000,
    }
}

async fn indicator_name(conn: &mut AnyConnection, id: &str) -> Result<String, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM indicators WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(n,)| n)
        .ok_or_else(|| StoreError::NotFound(format!("er is geen KPI \"{id}\"")))
}

async fn load_action(conn: &mut AnyConnection, id: i64) -> Result<ActionRow, StoreError> {
    let row: Option<ActionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} FROM follow_up_actions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("er is geen actie {id}")))
}

async fn check_action_references(
    conn: &mut AnyConnection,
    f: &ActionFields,
    body_id: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(a) = &f.area_id
        && !exists(conn, "SELECT COUNT(*) FROM areas WHERE id = $1", a).await?
    {
        return Err(refused(
            ActionField::Area,
            format!("Gebied: er is geen gebied \"{a}\"; kies een gebied uit de lijst"),
        ));
    }
    if let Some(o) = &f.owner_organisation_id
        && !exists(conn, "SELECT COUNT(*) FROM organisations WHERE id = $1", o).await?
    {
        return Err(refused(
            ActionField::OwnerOrganisation,
            format!(
                "Organisatie: er is geen organisatie \"{o}\"; kies een organisatie uit de lijst"
            ),
        ));
    }
    if let Some(b) = body_id
        && !exists(conn, "SELECT COUNT(*) FROM bodies WHERE id = $1", b).await?
    {
        return Err(refused(
            ActionField::Body,
            format!("Overleg: er is geen overleg \"{b}\"; kies een overleg uit de lijst"),
        ));
    }
    Ok(())
}

fn action_subject(id: i64, indicator_id: &str, indicator_name: &str, f: &ActionFields) -> Subject {
    Subject {
        record_id: id.to_string(),
        record_label: format!("{} ({indicator_name})", f.title),
        area_id: f.area_id.clone(),
        indicator_id: Some(indicator_id.to_owned()),
        ..Subject::default()
    }
}

fn action_values(f: &ActionFields) -> Vec<(ActionField, Option<String>)> {
    vec![
        (ActionField::Title, Some(f.title.clone())),
        (ActionField::Description, f.description.clone()),
        (ActionField::Owner, Some(f.owner.clone())),
        (
            ActionField::OwnerOrganisation,
            f.owner_organisation_id.clone(),
        ),
        (ActionField::Area, f.area_id.clone()),
        (
            ActionField::Deadline,
            Some(crate::domain::format_date_nl(f.deadline)),
        ),
        (ActionField::Status, Some(f.status.label().to_owned())),
    ]
}
