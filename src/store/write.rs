//! Changing the portfolio. Every write is one transaction that checks the version the user
//! started from (no silent overwrite), changes the record and appends the audit trail.

use std::collections::HashMap;

use jiff::civil::Date;
use sqlx::{Any, Transaction};

use super::audit::{Actor, AuditWriter, Reason, Subject};
use super::{Store, StoreError};
use crate::domain::{
    FrameworkKind, NetworkRole, OrganisationKind, Phase, PlanKind, RolloutStatus, Slug, Stage,
};

type Tx = Transaction<'static, Any>;

/// Every field of a plan a user can edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFields {
    pub name: String,
    pub kind: PlanKind,
    pub parent_id: Option<String>,
    pub area_id: String,
    pub about: Option<String>,
    pub intended_result: Option<String>,
    pub activities: Option<String>,
    pub asks: Option<String>,
    pub current_status: Option<String>,
    pub lead_text: Option<String>,
    pub parties_text: Option<String>,
    pub status_text: Option<String>,
    pub financing_text: Option<String>,
    pub network_role: Option<NetworkRole>,
    pub is_new: Option<bool>,
    pub phase: Option<Phase>,
    pub source_id: Option<String>,
    pub internal_note: Option<String>,
    /// Trekkers, then betrokken partijen, by organisation id in the order given.
    pub leads: Vec<String>,
    pub parties: Vec<String>,
    /// Linked principles, transformations, opgaven, fundamenten and accords.
    pub framework: Vec<String>,
    pub funding: Vec<String>,
    /// (title, url)
    pub links: Vec<(String, String)>,
}

/// Where a stage change or rollout comes from: a known source, or a new one by title
/// ("BBO 9 oktober 2025"), created with the change's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    Existing(String),
    New(String),
}

/// A move of a plan to another stage, dated, as the documents write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageChange {
    pub stage: Stage,
    pub date: Date,
    pub source: Option<SourceRef>,
    pub note: Option<String>,
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutFields {
    pub status: RolloutStatus,
    pub date: Date,
    pub district_id: Option<String>,
    pub note: Option<String>,
    pub source: Option<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationFields {
    pub name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkFields {
    pub name: String,
    pub number: Option<i64>,
    pub description: Option<String>,
}

/// Names of everything a plan can point to, for a readable trail.
struct Names(HashMap<String, String>);

impl Names {
    async fn load(tx: &mut Tx) -> Result<Self, sqlx::Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, name FROM organisations UNION ALL SELECT id, name FROM framework_items
             UNION ALL SELECT id, name FROM funding_sources UNION ALL SELECT id, name FROM areas
             UNION ALL SELECT id, title FROM sources",
        )
        .fetch_all(&mut **tx)
        .await?;
        Ok(Self(rows.into_iter().collect()))
    }

    fn one(&self, id: Option<&str>) -> Option<String> {
        id.map(|id| self.0.get(id).cloned().unwrap_or_else(|| id.to_owned()))
    }

    fn list(&self, ids: &[String]) -> Option<String> {
        (!ids.is_empty()).then(|| {
            ids.iter()
                .map(|id| self.0.get(id).map_or(id.as_str(), String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }
}

fn yes_no(value: Option<bool>) -> Option<String> {
    value.map(|v| if v { "nieuw" } else { "doorontwikkeling" }.to_owned())
}

/// The plan's fields as the trail shows them: (field code, readable value).
fn plan_values(
    f: &PlanFields,
    names: &Names,
    parent: Option<String>,
) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("name", Some(f.name.clone())),
        ("kind", Some(f.kind.label().to_owned())),
        ("parent", parent),
        ("area", names.one(Some(&f.area_id))),
        ("about", f.about.clone()),
        ("intended_result", f.intended_result.clone()),
        ("activities", f.activities.clone()),
        ("asks", f.asks.clone()),
        ("current_status", f.current_status.clone()),
        ("lead_text", f.lead_text.clone()),
        ("parties_text", f.parties_text.clone()),
        ("status_text", f.status_text.clone()),
        ("financing_text", f.financing_text.clone()),
        ("network_role", f.network_role.map(|r| r.label().to_owned())),
        ("is_new", yes_no(f.is_new)),
        ("phase", f.phase.map(|p| p.label().to_owned())),
        ("source", names.one(f.source_id.as_deref())),
        ("internal_note", f.internal_note.clone()),
        ("leads", names.list(&f.leads)),
        ("parties", names.list(&f.parties)),
        ("framework", names.list(&f.framework)),
        ("funding", names.list(&f.funding)),
        (
            "links",
            (!f.links.is_empty()).then(|| {
                f.links
                    .iter()
                    .map(|(t, u)| format!("{t} ({u})"))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        ),
    ]
}

fn parse_code<T>(
    value: Option<String>,
    parse: fn(&str) -> Result<T, crate::domain::ParseError>,
) -> Result<Option<T>, sqlx::Error> {
    value
        .map(|v| parse(&v).map_err(|e| sqlx::Error::Protocol(e.0)))
        .transpose()
}

type PlanRecord = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// A plan as stored: its fields, stage, version and whether it is archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub fields: PlanFields,
    pub stage: Option<Stage>,
    pub version: i64,
    pub archived: bool,
}

async fn load_plan(tx: &mut Tx, id: &str) -> Result<Option<StoredPlan>, sqlx::Error> {
    let row: Option<PlanRecord> = sqlx::query_as(
        "SELECT name, kind, parent_id, area_id, about, intended_result, activities, asks, current_status,
            lead_text, parties_text, status_text, financing_text, network_role, is_new, phase
         FROM plans WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let (source_id, internal_note, stage, version, archived): (
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT source_id, internal_note, stage, version, archived FROM plans WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let orgs: Vec<(String, String)> = sqlx::query_as(
        "SELECT organisation_id, role FROM plan_organisations WHERE plan_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let framework: Vec<(String,)> = sqlx::query_as(
        "SELECT pf.item_id FROM plan_framework pf JOIN framework_items f ON f.id = pf.item_id
         WHERE pf.plan_id = $1 ORDER BY f.position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let funding: Vec<(String,)> = sqlx::query_as(
        "SELECT funding_source_id FROM plan_funding WHERE plan_id = $1 ORDER BY funding_source_id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let links: Vec<(String, String)> =
        sqlx::query_as("SELECT title, url FROM plan_links WHERE plan_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let kind = PlanKind::parse(&r.1).map_err(|e| sqlx::Error::Protocol(e.0))?;
    Ok(Some(StoredPlan {
        fields: PlanFields {
            name: r.0,
            kind,
            parent_id: r.2,
            area_id: r.3,
            about: r.4,
            intended_result: r.5,
            activities: r.6,
            asks: r.7,
            current_status: r.8,
            lead_text: r.9,
            parties_text: r.10,
            status_text: r.11,
            financing_text: r.12,
            network_role: parse_code(r.13, NetworkRole::parse)?,
            is_new: super::flag(r.14),
            phase: parse_code(r.15, Phase::parse)?,
            source_id,
            internal_note,
            leads: orgs
                .iter()
                .filter(|(_, role)| role == "trekker")
                .map(|(o, _)| o.clone())
                .collect(),
            parties: orgs
                .iter()
                .filter(|(_, role)| role == "betrokken")
                .map(|(o, _)| o.clone())
                .collect(),
            framework: framework.into_iter().map(|(i,)| i).collect(),
            funding: funding.into_iter().map(|(i,)| i).collect(),
            links,
        },
        stage: parse_code(stage, Stage::parse)?,
        version,
        archived: archived != 0,
    }))
}

async fn plan_name(tx: &mut Tx, id: Option<&str>) -> Result<Option<String>, sqlx::Error> {
    let Some(id) = id else { return Ok(None) };
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM plans WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(Some(row.map_or_else(|| id.to_owned(), |(n,)| n)))
}

fn refused(message: impl Into<String>) -> StoreError {
    StoreError::Refused(message.into())
}

/// Checks the references of a plan inside the transaction, so they hold when it commits.
async fn check_plan_references(tx: &mut Tx, id: &str, f: &PlanFields) -> Result<(), StoreError> {
    let (area,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM areas WHERE id = $1 AND kind <> 'wijk'")
            .bind(&f.area_id)
            .fetch_one(&mut **tx)
            .await?;
    if area == 0 {
        return Err(refused(format!(
            "Gebied: \"{}\" is geen regio, subregio of gemeente; kies een gebied uit de lijst",
            f.area_id
        )));
    }
    // The parent chain may not come back to this plan.
    let mut parent = f.parent_id.clone();
    let mut steps = 0;
    while let Some(p) = parent {
        if p == id {
            return Err(refused(
                "Valt onder: een plan kan niet (via een ander plan) onder zichzelf vallen; kies een ander bovenliggend plan",
            ));
        }
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT parent_id FROM plans WHERE id = $1")
                .bind(&p)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((next,)) = row else {
            return Err(refused(format!(
                "Valt onder: er is geen plan \"{p}\"; kies een plan uit de lijst"
            )));
        };
        parent = next;
        steps += 1;
        if steps > 100 {
            break;
        }
    }
    Ok(())
}

async fn replace_plan_links(tx: &mut Tx, id: &str, f: &PlanFields) -> Result<(), sqlx::Error> {
    for table in [
        "plan_organisations",
        "plan_framework",
        "plan_funding",
        "plan_links",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE plan_id = $1"
        )))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let roles = f
        .leads
        .iter()
        .map(|o| (o, "trekker"))
        .chain(f.parties.iter().map(|o| (o, "betrokken")));
    for (i, (organisation, role)) in roles.enumerate() {
        sqlx::query(
            "INSERT INTO plan_organisations (plan_id, organisation_id, role, position) VALUES ($1, $2, $3, $4)
             ON CONFLICT (plan_id, organisation_id, role) DO NOTHING",
        )
        .bind(id)
        .bind(organisation)
        .bind(role)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .execute(&mut **tx)
        .await?;
    }
    for item in &f.framework {
        sqlx::query("INSERT INTO plan_framework (plan_id, item_id) VALUES ($1, $2) ON CONFLICT (plan_id, item_id) DO NOTHING")
            .bind(id)
            .bind(item)
            .execute(&mut **tx)
            .await?;
    }
    for item in &f.funding {
        sqlx::query("INSERT INTO plan_funding (plan_id, funding_source_id) VALUES ($1, $2) ON CONFLICT (plan_id, funding_source_id) DO NOTHING")
            .bind(id)
            .bind(item)
            .execute(&mut **tx)
            .await?;
    }
    for (i, (title, url)) in f.links.iter().enumerate() {
        sqlx::query(
            "INSERT INTO plan_links (plan_id, position, title, url) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .bind(title)
        .bind(url)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Resolves a source reference, creating a new source when asked; returns (id, title).
async fn resolve_source(
    tx: &mut Tx,
    source: Option<&SourceRef>,
    date: Date,
) -> Result<Option<(String, String)>, StoreError> {
    match source {
        None => Ok(None),
        Some(SourceRef::Existing(id)) => {
            let row: Option<(String,)> = sqlx::query_as("SELECT title FROM sources WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
            match row {
                Some((title,)) => Ok(Some((id.clone(), title))),
                None => Err(refused(format!(
                    "Bron: er is geen bron \"{id}\"; kies een bron uit de lijst of typ de naam van een nieuwe bron"
                ))),
            }
        }
        Some(SourceRef::New(title)) => {
            let existing: Option<(String,)> =
                sqlx::query_as("SELECT id FROM sources WHERE title = $1 AND date = $2")
                    .bind(title)
                    .bind(date.to_string())
                    .fetch_optional(&mut **tx)
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
                    .fetch_one(&mut **tx)
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
                .execute(&mut **tx)
                .await?;
            Ok(Some((id, title.clone())))
        }
    }
}

fn plan_subject(id: &str, name: &str) -> Subject {
    Subject {
        record_type: "plan",
        record_id: id.to_owned(),
        record_label: name.to_owned(),
        plan_id: Some(id.to_owned()),
        ..Subject::default()
    }
}

async fn audit_plan_fields(
    tx: &mut Tx,
    audit: &AuditWriter<'_>,
    subject: &Subject,
    old: Option<&PlanFields>,
    new: &PlanFields,
) -> Result<(), sqlx::Error> {
    let names = Names::load(tx).await?;
    let new_parent = plan_name(tx, new.parent_id.as_deref()).await?;
    let new_values = plan_values(new, &names, new_parent);
    let old_values = match old {
        Some(old) => {
            let old_parent = plan_name(tx, old.parent_id.as_deref()).await?;
            plan_values(old, &names, old_parent)
        }
        None => new_values.iter().map(|(f, _)| (*f, None)).collect(),
    };
    for ((field, old), (_, new)) in old_values.iter().zip(&new_values) {
        audit
            .field(tx, subject, field, old.as_deref(), new.as_deref())
            .await?;
    }
    Ok(())
}

/// Records a stage change: the plan's stage, its history line and the trail.
async fn apply_stage_change(
    tx: &mut Tx,
    actor: &Actor,
    reason: &Reason,
    subject: &Subject,
    old: Option<Stage>,
    change: &StageChange,
) -> Result<(), StoreError> {
    let source = resolve_source(tx, change.source.as_ref(), change.date).await?;
    sqlx::query("UPDATE plans SET stage = $1 WHERE id = $2")
        .bind(change.stage.code())
        .bind(&subject.record_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO stage_history (plan_id, stage, note, date, source_id) VALUES ($1, $2, $3, $4, $5)")
        .bind(&subject.record_id)
        .bind(change.stage.code())
        .bind(&change.note)
        .bind(change.date.to_string())
        .bind(source.as_ref().map(|(id, _)| id.clone()))
        .execute(&mut **tx)
        .await?;
    let stage_reason = Reason {
        comment: change.note.clone().or_else(|| reason.comment.clone()),
        source: source
            .map(|(_, title)| title)
            .or_else(|| reason.source.clone()),
    };
    let old_label = old.map(|s| s.label());
    let new_label = format!(
        "{} (per {})",
        change.stage.label(),
        crate::domain::format_date_nl(change.date)
    );
    AuditWriter::new(actor, &stage_reason)
        .field(tx, subject, "stage", old_label, Some(&new_label))
        .await?;
    Ok(())
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

impl Store {
    /// Starts a transaction that writes. SQLite takes the write lock at the start
    /// (`BEGIN IMMEDIATE`): with a plain `BEGIN` two writers both read, and the second one's
    /// first write then fails at once with "database is locked" (a 500) instead of waiting
    /// and finding the version the first one saved (a 409). PostgreSQL's row locks already
    /// make the second `UPDATE ... WHERE version = $n` wait and then miss.
    pub(crate) async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            super::Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            super::Backend::Postgres => self.pool.begin().await,
        }
    }

    /// A plan as stored, archived or not, for the edit form and conflict page.
    pub async fn stored_plan(&self, id: &str) -> Result<Option<StoredPlan>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let plan = load_plan(&mut tx, id).await?;
        tx.rollback().await?;
        Ok(plan)
    }

    /// Saves a plan the user opened at `expected_version`; refuses with
    /// [`StoreError::Conflict`] when someone else saved it since.
    pub async fn update_plan(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: i64,
        fields: &PlanFields,
        stage_change: Option<&StageChange>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = load_plan(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("er is geen plan \"{id}\"")))?;
        if current.version != expected_version {
            return Err(StoreError::Conflict {
                current_version: current.version,
            });
        }
        check_plan_references(&mut tx, id, fields).await?;
        let f = fields;
        let updated = sqlx::query(
            "UPDATE plans SET name = $1, kind = $2, parent_id = $3, area_id = $4, about = $5, intended_result = $6,
                activities = $7, asks = $8, current_status = $9, lead_text = $10, parties_text = $11, status_text = $12,
                financing_text = $13, network_role = $14, is_new = $15, phase = $16, source_id = $17, internal_note = $18,
                version = version + 1
             WHERE id = $19 AND version = $20",
        )
        .bind(&f.name)
        .bind(f.kind.code())
        .bind(&f.parent_id)
        .bind(&f.area_id)
        .bind(&f.about)
        .bind(&f.intended_result)
        .bind(&f.activities)
        .bind(&f.asks)
        .bind(&f.current_status)
        .bind(&f.lead_text)
        .bind(&f.parties_text)
        .bind(&f.status_text)
        .bind(&f.financing_text)
        .bind(f.network_role.map(|r| r.code()))
        .bind(f.is_new.map(i64::from))
        .bind(f.phase.map(|p| p.code()))
        .bind(&f.source_id)
        .bind(&f.internal_note)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current_version: current.version,
            });
        }
        replace_plan_links(&mut tx, id, f).await?;
        let audit = AuditWriter::new(actor, reason);
        let subject = plan_subject(id, &f.name);
        audit_plan_fields(&mut tx, &audit, &subject, Some(&current.fields), f).await?;
        if let Some(change) = stage_change {
            apply_stage_change(&mut tx, actor, reason, &subject, current.stage, change).await?;
        }
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(expected_version + 1)
    }

    /// Creates a plan with a first stage; the id must be new.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &Slug,
        fields: &PlanFields,
        stage: Option<&StageChange>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let (taken,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM plans WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if taken > 0 {
            return Err(refused(format!(
                "Id: er is al een plan met de id \"{id}\"; kies een andere id"
            )));
        }
        check_plan_references(&mut tx, id.as_str(), fields).await?;
        let f = fields;
        let (position,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM plans")
                .fetch_one(&mut *tx)
                .await?;
        let inserted = sqlx::query(
            "INSERT INTO plans (id, name, kind, parent_id, area_id, about, intended_result, activities, asks, current_status,
                lead_text, parties_text, status_text, financing_text, network_role, is_new, phase, source_id, internal_note, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(id.as_str())
        .bind(&f.name)
        .bind(f.kind.code())
        .bind(&f.parent_id)
        .bind(&f.area_id)
        .bind(&f.about)
        .bind(&f.intended_result)
        .bind(&f.activities)
        .bind(&f.asks)
        .bind(&f.current_status)
        .bind(&f.lead_text)
        .bind(&f.parties_text)
        .bind(&f.status_text)
        .bind(&f.financing_text)
        .bind(f.network_role.map(|r| r.code()))
        .bind(f.is_new.map(i64::from))
        .bind(f.phase.map(|p| p.code()))
        .bind(&f.source_id)
        .bind(&f.internal_note)
        .bind(position)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(refused(format!(
                    "Id: er is al een plan met de id \"{id}\"; kies een andere id"
                )));
            }
            other => {
                other?;
            }
        }
        replace_plan_links(&mut tx, id.as_str(), f).await?;
        let audit = AuditWriter::new(actor, reason);
        let subject = plan_subject(id.as_str(), &f.name);
        audit
            .field(&mut tx, &subject, "record", None, Some("aangemaakt"))
            .await?;
        audit_plan_fields(&mut tx, &audit, &subject, None, f).await?;
        if let Some(change) = stage {
            apply_stage_change(&mut tx, actor, reason, &subject, None, change).await?;
        }
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(())
    }

    /// Archives a plan (or brings it back). Plans are never deleted: their history stays.
    pub async fn set_plan_archived(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: i64,
        archived: bool,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = load_plan(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("er is geen plan \"{id}\"")))?;
        let updated = sqlx::query(
            "UPDATE plans SET archived = $1, version = version + 1 WHERE id = $2 AND version = $3",
        )
        .bind(i64::from(archived))
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current_version: current.version,
            });
        }
        let label = |a: bool| if a { "gearchiveerd" } else { "actief" };
        AuditWriter::new(actor, reason)
            .field(
                &mut tx,
                &plan_subject(id, &current.fields.name),
                "archived",
                Some(label(current.archived)),
                Some(label(archived)),
            )
            .await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(expected_version + 1)
    }

    /// The version of a matrix cell, 0 when the cell has no status yet.
    pub async fn rollout_version(
        &self,
        plan_id: &str,
        gemeente_id: &str,
    ) -> Result<i64, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2")
                .bind(plan_id)
                .bind(gemeente_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map_or(0, |(v,)| v))
    }

    /// Saves one cell of the matrix opened at `expected_version` (0 for an empty cell).
    pub async fn save_rollout(
        &self,
        actor: &Actor,
        reason: &Reason,
        plan_id: &str,
        gemeente_id: &str,
        expected_version: i64,
        r: &RolloutFields,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let plan: Option<(String,)> = sqlx::query_as("SELECT name FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (plan_name,) =
            plan.ok_or_else(|| StoreError::NotFound(format!("er is geen plan \"{plan_id}\"")))?;
        let gemeente: Option<(String,)> =
            sqlx::query_as("SELECT name FROM areas WHERE id = $1 AND kind = 'gemeente'")
                .bind(gemeente_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (gemeente_name,) = gemeente.ok_or_else(|| {
            StoreError::NotFound(format!("er is geen gemeente \"{gemeente_id}\""))
        })?;
        if let Some(d) = &r.district_id {
            let (ok,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM areas WHERE id = $1 AND kind = 'wijk' AND parent_id = $2",
            )
            .bind(d)
            .bind(gemeente_id)
            .fetch_one(&mut *tx)
            .await?;
            if ok == 0 {
                return Err(refused(format!(
                    "Wijk: \"{d}\" is geen wijk van {gemeente_name}; kies een wijk uit de lijst"
                )));
            }
        }
        type Cell = (
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            i64,
        );
        let current: Option<Cell> = sqlx::query_as(
            "SELECT status, district_id, note, date, source_id, version FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2",
        )
        .bind(plan_id)
        .bind(gemeente_id)
        .fetch_optional(&mut *tx)
        .await?;
        let current_version = current.as_ref().map_or(0, |c| c.5);
        if current_version != expected_version {
            return Err(StoreError::Conflict { current_version });
        }
        let source = resolve_source(&mut tx, r.source.as_ref(), r.date).await?;
        let source_id = source.as_ref().map(|(id, _)| id.clone());
        let written = if current.is_some() {
            sqlx::query(
                "UPDATE rollouts SET status = $1, district_id = $2, note = $3, date = $4, source_id = $5, version = version + 1
                 WHERE plan_id = $6 AND gemeente_id = $7 AND version = $8",
            )
            .bind(r.status.code())
            .bind(&r.district_id)
            .bind(&r.note)
            .bind(r.date.to_string())
            .bind(&source_id)
            .bind(plan_id)
            .bind(gemeente_id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await
        } else {
            sqlx::query(
                "INSERT INTO rollouts (plan_id, gemeente_id, status, district_id, note, date, source_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(plan_id)
            .bind(gemeente_id)
            .bind(r.status.code())
            .bind(&r.district_id)
            .bind(&r.note)
            .bind(r.date.to_string())
            .bind(&source_id)
            .execute(&mut *tx)
            .await
        };
        match written {
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict { current_version: 1 });
            }
            Err(e) => return Err(e.into()),
            Ok(done) if done.rows_affected() == 0 => {
                return Err(StoreError::Conflict { current_version });
            }
            Ok(_) => {}
        }
        sqlx::query(
            "INSERT INTO rollout_history (plan_id, gemeente_id, status, note, date, source_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(plan_id)
        .bind(gemeente_id)
        .bind(r.status.code())
        .bind(&r.note)
        .bind(r.date.to_string())
        .bind(&source_id)
        .execute(&mut *tx)
        .await?;
        let names = Names::load(&mut tx).await?;
        let subject = Subject {
            record_type: "rollout",
            record_id: format!("{plan_id}/{gemeente_id}"),
            record_label: format!("{plan_name} in {gemeente_name}"),
            plan_id: Some(plan_id.to_owned()),
            area_id: Some(gemeente_id.to_owned()),
            ..Subject::default()
        };
        let reason = Reason {
            comment: reason.comment.clone(),
            source: source.map(|(_, t)| t).or_else(|| reason.source.clone()),
        };
        let audit = AuditWriter::new(actor, &reason);
        let old_status = current.as_ref().map(|c| {
            RolloutStatus::parse(&c.0).map_or_else(|_| c.0.clone(), |s| s.label().to_owned())
        });
        let date_nl = crate::domain::format_date_nl(r.date);
        audit
            .field(
                &mut tx,
                &subject,
                "status",
                old_status.as_deref(),
                Some(r.status.label()),
            )
            .await?;
        let old_date = current
            .as_ref()
            .and_then(|c| crate::domain::parse_date(&c.3).ok())
            .map(crate::domain::format_date_nl);
        audit
            .field(
                &mut tx,
                &subject,
                "date",
                old_date.as_deref(),
                Some(&date_nl),
            )
            .await?;
        audit
            .field(
                &mut tx,
                &subject,
                "note",
                current.as_ref().and_then(|c| c.2.as_deref()),
                r.note.as_deref(),
            )
            .await?;
        audit
            .field(
                &mut tx,
                &subject,
                "district",
                names
                    .one(current.as_ref().and_then(|c| c.1.as_deref()))
                    .as_deref(),
                names.one(r.district_id.as_deref()).as_deref(),
            )
            .await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(expected_version + 1)
    }

    /// An organisation's editable fields and version.
    pub async fn stored_organisation(
        &self,
        id: &str,
    ) -> Result<Option<(OrganisationFields, i64)>, StoreError> {
        let row: Option<(String, String, Option<String>, i64)> =
            sqlx::query_as("SELECT name, kind, website, version FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(name, kind, website, version)| {
            let kind = OrganisationKind::parse(&kind).map_err(|e| StoreError::Refused(e.0))?;
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

    /// Creates (`expected_version` = None) or saves an organisation.
    pub async fn save_organisation(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: Option<i64>,
        f: &OrganisationFields,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let current: Option<(String, String, Option<String>, i64)> =
            sqlx::query_as("SELECT name, kind, website, version FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let new_version = match (expected_version, &current) {
            (None, Some(_)) => {
                return Err(refused(format!(
                    "Id: er is al een organisatie met de id \"{id}\"; kies een andere id"
                )));
            }
            (None, None) => {
                sqlx::query(
                    "INSERT INTO organisations (id, name, kind, website) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(&f.name)
                .bind(f.kind.code())
                .bind(&f.website)
                .execute(&mut *tx)
                .await?;
                1
            }
            (Some(_), None) => {
                return Err(StoreError::NotFound(format!(
                    "er is geen organisatie \"{id}\""
                )));
            }
            (Some(expected), Some(c)) => {
                let done = sqlx::query(
                    "UPDATE organisations SET name = $1, kind = $2, website = $3, version = version + 1
                     WHERE id = $4 AND version = $5",
                )
                .bind(&f.name)
                .bind(f.kind.code())
                .bind(&f.website)
                .bind(id)
                .bind(expected)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict {
                        current_version: c.3,
                    });
                }
                expected + 1
            }
        };
        let subject = Subject {
            record_type: "organisation",
            record_id: id.to_owned(),
            record_label: f.name.clone(),
            organisation_id: Some(id.to_owned()),
            ..Subject::default()
        };
        let audit = AuditWriter::new(actor, reason);
        if current.is_none() {
            audit
                .field(&mut tx, &subject, "record", None, Some("aangemaakt"))
                .await?;
        }
        let old_kind = current.as_ref().map(|c| {
            OrganisationKind::parse(&c.1).map_or_else(|_| c.1.clone(), |k| k.label().to_owned())
        });
        audit
            .field(
                &mut tx,
                &subject,
                "name",
                current.as_ref().map(|c| c.0.as_str()),
                Some(&f.name),
            )
            .await?;
        audit
            .field(
                &mut tx,
                &subject,
                "kind",
                old_kind.as_deref(),
                Some(f.kind.label()),
            )
            .await?;
        audit
            .field(
                &mut tx,
                &subject,
                "website",
                current.as_ref().and_then(|c| c.2.as_deref()),
                f.website.as_deref(),
            )
            .await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(new_version)
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
        let mut tx = self.begin_write().await?;
        let gemeente: Option<(String,)> =
            sqlx::query_as("SELECT name FROM areas WHERE id = $1 AND kind = 'gemeente'")
                .bind(gemeente_id)
                .fetch_optional(&mut *tx)
                .await?;
        if gemeente.is_none() {
            return Err(StoreError::NotFound(format!(
                "er is geen gemeente \"{gemeente_id}\""
            )));
        }
        let (taken,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
        if taken > 0 {
            return Err(refused(format!(
                "Id: er is al een gebied met de id \"{id}\"; kies een andere id"
            )));
        }
        let (position,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM areas")
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("INSERT INTO areas (id, kind, name, parent_id, position) VALUES ($1, 'wijk', $2, $3, $4)")
            .bind(id.as_str())
            .bind(name)
            .bind(gemeente_id)
            .bind(position)
            .execute(&mut *tx)
            .await?;
        let subject = Subject {
            record_type: "area",
            record_id: id.to_string(),
            record_label: name.to_owned(),
            area_id: Some(id.to_string()),
            ..Subject::default()
        };
        let audit = AuditWriter::new(actor, reason);
        audit
            .field(&mut tx, &subject, "record", None, Some("aangemaakt"))
            .await?;
        audit
            .field(&mut tx, &subject, "name", None, Some(name))
            .await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(())
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
        let mut tx = self.begin_write().await?;
        let current: Option<(String, i64)> =
            sqlx::query_as("SELECT name, version FROM areas WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (old_name, version) =
            current.ok_or_else(|| StoreError::NotFound(format!("er is geen gebied \"{id}\"")))?;
        let done = sqlx::query(
            "UPDATE areas SET name = $1, version = version + 1 WHERE id = $2 AND version = $3",
        )
        .bind(name)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current_version: version,
            });
        }
        let subject = Subject {
            record_type: "area",
            record_id: id.to_owned(),
            record_label: name.to_owned(),
            area_id: Some(id.to_owned()),
            ..Subject::default()
        };
        AuditWriter::new(actor, reason)
            .field(&mut tx, &subject, "name", Some(&old_name), Some(name))
            .await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(expected_version + 1)
    }

    /// A framework item's editable fields, kind and version.
    pub async fn stored_framework_item(
        &self,
        id: &str,
    ) -> Result<Option<(FrameworkKind, FrameworkFields, i64)>, StoreError> {
        type Item = (String, String, Option<i64>, Option<String>, i64);
        let row: Option<Item> = sqlx::query_as(
            "SELECT kind, name, number, description, version FROM framework_items WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(kind, name, number, description, version)| {
            let kind = FrameworkKind::parse(&kind).map_err(|e| StoreError::Refused(e.0))?;
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
        let mut tx = self.begin_write().await?;
        let current: Option<(String, Option<i64>, Option<String>, i64)> = sqlx::query_as(
            "SELECT name, number, description, version FROM framework_items WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let version = match (expected_version, &current) {
            (None, Some(_)) => {
                return Err(refused(format!(
                    "Id: er is al een onderdeel van het kader met de id \"{id}\"; kies een andere id"
                )));
            }
            (Some(_), None) => {
                return Err(StoreError::NotFound(format!(
                    "er is geen onderdeel van het kader \"{id}\""
                )));
            }
            (None, None) => {
                let (position,): (i64,) =
                    sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM framework_items")
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query(
                    "INSERT INTO framework_items (id, kind, number, name, description, position) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(kind.code())
                .bind(f.number)
                .bind(&f.name)
                .bind(&f.description)
                .bind(position)
                .execute(&mut *tx)
                .await?;
                1
            }
            (Some(expected), Some(c)) => {
                let done = sqlx::query(
                    "UPDATE framework_items SET name = $1, number = $2, description = $3, version = version + 1
                     WHERE id = $4 AND version = $5",
                )
                .bind(&f.name)
                .bind(f.number)
                .bind(&f.description)
                .bind(id)
                .bind(expected)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict {
                        current_version: c.3,
                    });
                }
                expected + 1
            }
        };
        let subject = Subject {
            record_type: "framework",
            record_id: id.to_owned(),
            record_label: f.name.clone(),
            ..Subject::default()
        };
        let audit = AuditWriter::new(actor, reason);
        if current.is_none() {
            audit
                .field(&mut tx, &subject, "record", None, Some("aangemaakt"))
                .await?;
        }
        audit
            .field(
                &mut tx,
                &subject,
                "name",
                current.as_ref().map(|c| c.0.as_str()),
                Some(&f.name),
            )
            .await?;
        audit
            .field(
                &mut tx,
                &subject,
                "number",
                current
                    .as_ref()
                    .and_then(|c| c.1)
                    .map(|n| n.to_string())
                    .as_deref(),
                f.number.map(|n| n.to_string()).as_deref(),
            )
            .await?;
        audit
            .field(
                &mut tx,
                &subject,
                "description",
                current.as_ref().and_then(|c| c.2.as_deref()),
                f.description.as_deref(),
            )
            .await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(version)
    }
}
