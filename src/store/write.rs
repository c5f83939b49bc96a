//! Changing the portfolio: plans, matrix cells (rollouts), organisations, areas and the
//! framework. Every write runs on the one write path ([`super::write_path`]), which checks the
//! version the user started from, writes the trail and raises the data version.

use std::collections::HashMap;

use jiff::civil::Date;
use sqlx::AnyConnection;

use super::audit::{Actor, Reason, Subject};
use super::write_path::{RecordField, RecordKey, Refusal, Write, record_fields};
use super::{Store, StoreError};
use crate::domain::{
    FrameworkKind, NetworkRole, OrganisationKind, Phase, PlanKind, RolloutStatus, Slug, Stage,
};

record_fields! {
    /// The fields of a plan, as the trail and refusals name them.
    pub enum PlanField for "plan" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam",
        Kind = "kind" => "Soort",
        Parent = "parent" => "Valt onder",
        Area = "area" => "Gebied",
        About = "about" => "Waar gaat het over",
        IntendedResult = "intended_result" => "Beoogd resultaat",
        Activities = "activities" => "Activiteiten",
        Asks = "asks" => "Wat vraagt het van wie",
        CurrentStatus = "current_status" => "Actuele status",
        LeadText = "lead_text" => "Trekker (tekst)",
        PartiesText = "parties_text" => "Betrokken (tekst)",
        StatusText = "status_text" => "Status (tekst)",
        FinancingText = "financing_text" => "Financiering (tekst)",
        NetworkRole = "network_role" => "Rol van het netwerk",
        IsNew = "is_new" => "Nieuw of doorontwikkeling",
        Phase = "phase" => "Overzicht plannen",
        Source = "source" => "Bron",
        InternalNote = "internal_note" => "Interne notitie",
        Leads = "leads" => "Trekkers",
        Parties = "parties" => "Betrokken partijen",
        Framework = "framework" => "Plaats in het regioplan",
        Funding = "funding" => "Financieringsbronnen",
        Links = "links" => "Links",
        Stage = "stage" => "Fase",
        /// The source of a stage change (refusals only; the trail keeps it as the source of
        /// the `stage` entry).
        StageSource = "stage_source" => "Bron van de fase",
        Archived = "archived" => "Archief",
    }
}

record_fields! {
    /// The fields of one cell of the matrix.
    pub enum RolloutField for "rollout" {
        Record = "record" => "Aangemaakt",
        Status = "status" => "Uitrolstatus",
        Date = "date" => "Sinds",
        Note = "note" => "Toelichting uitrol",
        District = "district" => "Wijk of LSV",
        Source = "source" => "Bron",
    }
}

record_fields! {
    pub enum OrganisationField for "organisation" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam",
        Kind = "kind" => "Soort",
        Website = "website" => "Website",
    }
}

record_fields! {
    /// The fields of a region, subregio, gemeente or wijk.
    pub enum AreaField for "area" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam",
    }
}

record_fields! {
    /// The fields of an item of the framework (principle, transformation, opgave, ...).
    pub enum FrameworkField for "framework" {
        Record = "record" => "Aangemaakt",
        Id = "id" => "Id",
        Name = "name" => "Naam",
        Number = "number" => "Nummer",
        Description = "description" => "Omschrijving",
    }
}

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
    async fn load(conn: &mut AnyConnection) -> Result<Self, sqlx::Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, name FROM organisations UNION ALL SELECT id, name FROM framework_items
             UNION ALL SELECT id, name FROM funding_sources UNION ALL SELECT id, name FROM areas
             UNION ALL SELECT id, title FROM sources",
        )
        .fetch_all(&mut *conn)
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
) -> Vec<(PlanField, Option<String>)> {
    vec![
        (PlanField::Name, Some(f.name.clone())),
        (PlanField::Kind, Some(f.kind.label().to_owned())),
        (PlanField::Parent, parent),
        (PlanField::Area, names.one(Some(&f.area_id))),
        (PlanField::About, f.about.clone()),
        (PlanField::IntendedResult, f.intended_result.clone()),
        (PlanField::Activities, f.activities.clone()),
        (PlanField::Asks, f.asks.clone()),
        (PlanField::CurrentStatus, f.current_status.clone()),
        (PlanField::LeadText, f.lead_text.clone()),
        (PlanField::PartiesText, f.parties_text.clone()),
        (PlanField::StatusText, f.status_text.clone()),
        (PlanField::FinancingText, f.financing_text.clone()),
        (
            PlanField::NetworkRole,
            f.network_role.map(|r| r.label().to_owned()),
        ),
        (PlanField::IsNew, yes_no(f.is_new)),
        (PlanField::Phase, f.phase.map(|p| p.label().to_owned())),
        (PlanField::Source, names.one(f.source_id.as_deref())),
        (PlanField::InternalNote, f.internal_note.clone()),
        (PlanField::Leads, names.list(&f.leads)),
        (PlanField::Parties, names.list(&f.parties)),
        (PlanField::Framework, names.list(&f.framework)),
        (PlanField::Funding, names.list(&f.funding)),
        (
            PlanField::Links,
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

/// A plan's row as stored.
#[derive(sqlx::FromRow)]
struct PlanRecord {
    name: String,
    kind: String,
    parent_id: Option<String>,
    area_id: String,
    about: Option<String>,
    intended_result: Option<String>,
    activities: Option<String>,
    asks: Option<String>,
    current_status: Option<String>,
    lead_text: Option<String>,
    parties_text: Option<String>,
    status_text: Option<String>,
    financing_text: Option<String>,
    network_role: Option<String>,
    is_new: Option<i64>,
    phase: Option<String>,
    source_id: Option<String>,
    internal_note: Option<String>,
    stage: Option<String>,
    version: i64,
    archived: i64,
}

/// A plan as stored: its fields, stage, version and whether it is archived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub fields: PlanFields,
    pub stage: Option<Stage>,
    pub version: i64,
    pub archived: bool,
}

async fn load_plan(conn: &mut AnyConnection, id: &str) -> Result<Option<StoredPlan>, sqlx::Error> {
    let row: Option<PlanRecord> = sqlx::query_as(
        "SELECT name, kind, parent_id, area_id, about, intended_result, activities, asks, current_status,
            lead_text, parties_text, status_text, financing_text, network_role, is_new, phase,
            source_id, internal_note, stage, version, archived
         FROM plans WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let orgs: Vec<(String, String)> = sqlx::query_as(
        "SELECT organisation_id, role FROM plan_organisations WHERE plan_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let framework: Vec<(String,)> = sqlx::query_as(
        "SELECT pf.item_id FROM plan_framework pf JOIN framework_items f ON f.id = pf.item_id
         WHERE pf.plan_id = $1 ORDER BY f.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let funding: Vec<(String,)> = sqlx::query_as(
        "SELECT funding_source_id FROM plan_funding WHERE plan_id = $1 ORDER BY funding_source_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(String, String)> =
        sqlx::query_as("SELECT title, url FROM plan_links WHERE plan_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let kind = PlanKind::parse(&r.kind).map_err(|e| sqlx::Error::Protocol(e.0))?;
    Ok(Some(StoredPlan {
        fields: PlanFields {
            name: r.name,
            kind,
            parent_id: r.parent_id,
            area_id: r.area_id,
            about: r.about,
            intended_result: r.intended_result,
            activities: r.activities,
            asks: r.asks,
            current_status: r.current_status,
            lead_text: r.lead_text,
            parties_text: r.parties_text,
            status_text: r.status_text,
            financing_text: r.financing_text,
            network_role: parse_code(r.network_role, NetworkRole::parse)?,
            is_new: super::flag(r.is_new),
            phase: parse_code(r.phase, Phase::parse)?,
            source_id: r.source_id,
            internal_note: r.internal_note,
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
        stage: parse_code(r.stage, Stage::parse)?,
        version: r.version,
        archived: r.archived != 0,
    }))
}

async fn plan_name(
    conn: &mut AnyConnection,
    id: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    let Some(id) = id else { return Ok(None) };
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM plans WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Some(row.map_or_else(|| id.to_owned(), |(n,)| n)))
}

fn refused<F: RecordField>(field: F, message: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal::of(field, message))
}

/// Checks the references of a plan inside the transaction, so they hold when it commits.
async fn check_plan_references(
    conn: &mut AnyConnection,
    id: &str,
    f: &PlanFields,
) -> Result<(), StoreError> {
    let (area,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM areas WHERE id = $1 AND kind <> 'wijk'")
            .bind(&f.area_id)
            .fetch_one(&mut *conn)
            .await?;
    if area == 0 {
        return Err(refused(
            PlanField::Area,
            format!(
                "Gebied: \"{}\" is geen regio, subregio of gemeente; kies een gebied uit de lijst",
                f.area_id
            ),
        ));
    }
    // The parent chain may not come back to this plan.
    let mut parent = f.parent_id.clone();
    let mut steps = 0;
    while let Some(p) = parent {
        if p == id {
            return Err(refused(
                PlanField::Parent,
                "Valt onder: een plan kan niet (via een ander plan) onder zichzelf vallen; kies een ander bovenliggend plan",
            ));
        }
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT parent_id FROM plans WHERE id = $1")
                .bind(&p)
                .fetch_optional(&mut *conn)
                .await?;
        let Some((next,)) = row else {
            return Err(refused(
                PlanField::Parent,
                format!("Valt onder: er is geen plan \"{p}\"; kies een plan uit de lijst"),
            ));
        };
        parent = next;
        steps += 1;
        if steps > 100 {
            break;
        }
    }
    Ok(())
}

async fn replace_plan_links(
    conn: &mut AnyConnection,
    id: &str,
    f: &PlanFields,
) -> Result<(), sqlx::Error> {
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
        .execute(&mut *conn)
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
        .execute(&mut *conn)
        .await?;
    }
    for item in &f.framework {
        sqlx::query("INSERT INTO plan_framework (plan_id, item_id) VALUES ($1, $2) ON CONFLICT (plan_id, item_id) DO NOTHING")
            .bind(id)
            .bind(item)
            .execute(&mut *conn)
            .await?;
    }
    for item in &f.funding {
        sqlx::query("INSERT INTO plan_funding (plan_id, funding_source_id) VALUES ($1, $2) ON CONFLICT (plan_id, funding_source_id) DO NOTHING")
            .bind(id)
            .bind(item)
            .execute(&mut *conn)
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
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Resolves a source reference, creating a new source when asked; returns (id, title).
/// `field` is the one a refusal names: the stage's source or the cell's.
async fn resolve_source<F: RecordField>(
    conn: &mut AnyConnection,
    field: F,
    source: Option<&SourceRef>,
    date: Date,
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

fn plan_subject(id: &str, name: &str) -> Subject {
    Subject {
        record_id: id.to_owned(),
        record_label: name.to_owned(),
        plan_id: Some(id.to_owned()),
        ..Subject::default()
    }
}

fn not_found(what: &'static str, id: &str) -> impl FnOnce() -> String {
    let id = id.to_owned();
    move || format!("er is geen {what} \"{id}\"")
}

async fn audit_plan_fields(
    w: &mut Write<'_>,
    subject: &Subject,
    old: Option<&PlanFields>,
    new: &PlanFields,
) -> Result<(), StoreError> {
    let names = Names::load(w.conn()).await?;
    let new_parent = plan_name(w.conn(), new.parent_id.as_deref()).await?;
    let after = plan_values(new, &names, new_parent);
    let before = match old {
        Some(old) => {
            let old_parent = plan_name(w.conn(), old.parent_id.as_deref()).await?;
            Some(plan_values(old, &names, old_parent))
        }
        None => None,
    };
    w.audit_changes(subject, before.as_deref(), &after).await
}

/// Writes a plan's own row: an INSERT when `position` is given, else an UPDATE of its fields
/// (the version is claimed before).
async fn write_plan_row(
    conn: &mut AnyConnection,
    id: &str,
    f: &PlanFields,
    position: Option<i64>,
) -> Result<(), sqlx::Error> {
    let sql = if position.is_some() {
        "INSERT INTO plans (name, kind, parent_id, area_id, about, intended_result, activities, asks,
            current_status, lead_text, parties_text, status_text, financing_text, network_role, is_new,
            phase, source_id, internal_note, position, id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    } else {
        "UPDATE plans SET name = $1, kind = $2, parent_id = $3, area_id = $4, about = $5,
            intended_result = $6, activities = $7, asks = $8, current_status = $9, lead_text = $10,
            parties_text = $11, status_text = $12, financing_text = $13, network_role = $14,
            is_new = $15, phase = $16, source_id = $17, internal_note = $18,
            position = COALESCE($19, position)
         WHERE id = $20"
    };
    sqlx::query(sql)
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
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a stage change: the plan's stage, its history line and the trail.
async fn apply_stage_change(
    w: &mut Write<'_>,
    reason: &Reason,
    subject: &Subject,
    old: Option<Stage>,
    change: &StageChange,
) -> Result<(), StoreError> {
    let source = resolve_source(
        w.conn(),
        PlanField::StageSource,
        change.source.as_ref(),
        change.date,
    )
    .await?;
    sqlx::query("UPDATE plans SET stage = $1 WHERE id = $2")
        .bind(change.stage.code())
        .bind(&subject.record_id)
        .execute(w.conn())
        .await?;
    sqlx::query("INSERT INTO stage_history (plan_id, stage, note, date, source_id) VALUES ($1, $2, $3, $4, $5)")
        .bind(&subject.record_id)
        .bind(change.stage.code())
        .bind(&change.note)
        .bind(change.date.to_string())
        .bind(source.as_ref().map(|(id, _)| id.clone()))
        .execute(w.conn())
        .await?;
    let stage_reason = Reason {
        comment: change.note.clone().or_else(|| reason.comment.clone()),
        source: source
            .map(|(_, title)| title)
            .or_else(|| reason.source.clone()),
    };
    let new_label = format!(
        "{} (per {})",
        change.stage.label(),
        crate::domain::format_date_nl(change.date)
    );
    w.audit_because(
        &stage_reason,
        subject,
        PlanField::Stage,
        old.map(|s| s.label()),
        Some(&new_label),
    )
    .await?;
    Ok(())
}

/// Whether a row answers `sql` (a `SELECT COUNT(*) ... WHERE ... = $1`) for `id`.
pub(super) async fn exists(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(sql).bind(id).fetch_one(&mut *conn).await?;
    Ok(n > 0)
}

/// The next free position at the end of an ordered table.
pub(super) async fn next_position(
    conn: &mut AnyConnection,
    table: &'static str,
) -> Result<i64, sqlx::Error> {
    let (position,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM {table}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(position)
}

impl Store {
    /// A plan as stored, archived or not, for the edit form and conflict page.
    pub async fn stored_plan(&self, id: &str) -> Result<Option<StoredPlan>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_plan(&mut conn, id).await?)
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
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(
                &RecordKey::text("plans", id),
                expected_version,
                not_found("plan", id),
            )
            .await?;
        let current = load_plan(w.conn(), id)
            .await?
            .ok_or_else(not_found("plan", id))
            .map_err(StoreError::NotFound)?;
        check_plan_references(w.conn(), id, fields).await?;
        write_plan_row(w.conn(), id, fields, None).await?;
        replace_plan_links(w.conn(), id, fields).await?;
        let subject = plan_subject(id, &fields.name);
        audit_plan_fields(&mut w, &subject, Some(&current.fields), fields).await?;
        if let Some(change) = stage_change {
            apply_stage_change(&mut w, reason, &subject, current.stage, change).await?;
        }
        w.commit().await?;
        Ok(version)
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
        let taken = || {
            refused(
                PlanField::Id,
                format!("Id: er is al een plan met de id \"{id}\"; kies een andere id"),
            )
        };
        let mut w = self.write(actor, reason).await?;
        if exists(
            w.conn(),
            "SELECT COUNT(*) FROM plans WHERE id = $1",
            id.as_str(),
        )
        .await?
        {
            return Err(taken());
        }
        check_plan_references(w.conn(), id.as_str(), fields).await?;
        let position = next_position(w.conn(), "plans").await?;
        match write_plan_row(w.conn(), id.as_str(), fields, Some(position)).await {
            Err(e) if super::write_path::is_unique_violation(&e) => return Err(taken()),
            other => other?,
        }
        replace_plan_links(w.conn(), id.as_str(), fields).await?;
        let subject = plan_subject(id.as_str(), &fields.name);
        w.audit(&subject, PlanField::Record, None, Some("aangemaakt"))
            .await?;
        audit_plan_fields(&mut w, &subject, None, fields).await?;
        if let Some(change) = stage {
            apply_stage_change(&mut w, reason, &subject, None, change).await?;
        }
        w.commit().await
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
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(
                &RecordKey::text("plans", id),
                expected_version,
                not_found("plan", id),
            )
            .await?;
        let current = load_plan(w.conn(), id)
            .await?
            .ok_or_else(not_found("plan", id))
            .map_err(StoreError::NotFound)?;
        sqlx::query("UPDATE plans SET archived = $1 WHERE id = $2")
            .bind(i64::from(archived))
            .bind(id)
            .execute(w.conn())
            .await?;
        let label = |a: bool| if a { "gearchiveerd" } else { "actief" };
        w.audit(
            &plan_subject(id, &current.fields.name),
            PlanField::Archived,
            Some(label(current.archived)),
            Some(label(archived)),
        )
        .await?;
        w.commit().await?;
        Ok(version)
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
        let mut w = self.write(actor, reason).await?;
        let plan: Option<(String,)> = sqlx::query_as("SELECT name FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(w.conn())
            .await?;
        let (plan_name,) =
            plan.ok_or_else(|| StoreError::NotFound(not_found("plan", plan_id)()))?;
        let gemeente: Option<(String,)> =
            sqlx::query_as("SELECT name FROM areas WHERE id = $1 AND kind = 'gemeente'")
                .bind(gemeente_id)
                .fetch_optional(w.conn())
                .await?;
        let (gemeente_name,) =
            gemeente.ok_or_else(|| StoreError::NotFound(not_found("gemeente", gemeente_id)()))?;
        if let Some(d) = &r.district_id {
            let (ok,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM areas WHERE id = $1 AND kind = 'wijk' AND parent_id = $2",
            )
            .bind(d)
            .bind(gemeente_id)
            .fetch_one(w.conn())
            .await?;
            if ok == 0 {
                return Err(refused(
                    RolloutField::District,
                    format!(
                        "Wijk: \"{d}\" is geen wijk van {gemeente_name}; kies een wijk uit de lijst"
                    ),
                ));
            }
        }
        let key = RecordKey {
            table: "rollouts",
            columns: &["plan_id", "gemeente_id"],
            values: vec![
                super::write_path::KeyPart::Text(plan_id),
                super::write_path::KeyPart::Text(gemeente_id),
            ],
        };
        // An empty cell (version 0) has no row to claim: its INSERT is the claim.
        let version = if expected_version == 0 {
            match w.version_of(&key).await? {
                Some(current_version) => return Err(StoreError::Conflict { current_version }),
                None => 1,
            }
        } else {
            let cell = format!("{plan_id}/{gemeente_id}");
            w.claim(&key, expected_version, not_found("uitrol", &cell))
                .await?
        };
        type Cell = (String, Option<String>, Option<String>, String);
        let current: Option<Cell> = sqlx::query_as(
            "SELECT status, district_id, note, date FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2",
        )
        .bind(plan_id)
        .bind(gemeente_id)
        .fetch_optional(w.conn())
        .await?;
        let source =
            resolve_source(w.conn(), RolloutField::Source, r.source.as_ref(), r.date).await?;
        let source_id = source.as_ref().map(|(id, _)| id.clone());
        if current.is_some() {
            sqlx::query(
                "UPDATE rollouts SET status = $1, district_id = $2, note = $3, date = $4, source_id = $5
                 WHERE plan_id = $6 AND gemeente_id = $7",
            )
            .bind(r.status.code())
            .bind(&r.district_id)
            .bind(&r.note)
            .bind(r.date.to_string())
            .bind(&source_id)
            .bind(plan_id)
            .bind(gemeente_id)
            .execute(w.conn())
            .await?;
        } else {
            w.insert_new(
                sqlx::query(
                    "INSERT INTO rollouts (plan_id, gemeente_id, status, district_id, note, date, source_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(plan_id)
                .bind(gemeente_id)
                .bind(r.status.code())
                .bind(&r.district_id)
                .bind(&r.note)
                .bind(r.date.to_string())
                .bind(&source_id),
            )
            .await?;
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
        .execute(w.conn())
        .await?;
        let names = Names::load(w.conn()).await?;
        let subject = Subject {
            record_id: format!("{plan_id}/{gemeente_id}"),
            record_label: format!("{plan_name} in {gemeente_name}"),
            plan_id: Some(plan_id.to_owned()),
            area_id: Some(gemeente_id.to_owned()),
            ..Subject::default()
        };
        w.set_reason(Reason {
            comment: reason.comment.clone(),
            source: source.map(|(_, t)| t).or_else(|| reason.source.clone()),
        });
        let before = current.as_ref().map(|c| {
            vec![
                (
                    RolloutField::Status,
                    Some(
                        RolloutStatus::parse(&c.0)
                            .map_or_else(|_| c.0.clone(), |s| s.label().to_owned()),
                    ),
                ),
                (
                    RolloutField::Date,
                    crate::domain::parse_date(&c.3)
                        .ok()
                        .map(crate::domain::format_date_nl),
                ),
                (RolloutField::Note, c.2.clone()),
                (RolloutField::District, names.one(c.1.as_deref())),
            ]
        });
        let after = [
            (RolloutField::Status, Some(r.status.label().to_owned())),
            (
                RolloutField::Date,
                Some(crate::domain::format_date_nl(r.date)),
            ),
            (RolloutField::Note, r.note.clone()),
            (RolloutField::District, names.one(r.district_id.as_deref())),
        ];
        w.audit_changes(&subject, before.as_deref(), &after).await?;
        w.commit().await?;
        Ok(version)
    }

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
            w.audit(
                &subject,
                OrganisationField::Record,
                None,
                Some("aangemaakt"),
            )
            .await?;
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
        w.audit(&subject, AreaField::Record, None, Some("aangemaakt"))
            .await?;
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
            w.audit(&subject, FrameworkField::Record, None, Some("aangemaakt"))
                .await?;
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

async fn load_organisation(
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

async fn load_framework_item(
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
