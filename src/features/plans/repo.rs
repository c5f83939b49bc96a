//! Saving, creating and archiving plans, with their stage changes; every write on the one write path.

use sqlx::AnyConnection;

use std::sync::LazyLock;

use super::model::{FRAMEWORK_FIELDS, PlanField, PlanFields, PlanTexts, StageChange, StoredPlan};
use crate::domain::{NetworkRole, Phase, PlanKind, Slug, Stage};
use crate::features::sources::repo::resolve_source;
use crate::store::RecordField;
use crate::store::rows::{Names, exists, next_position, not_found, parse_code, refused};
use crate::store::write_path::{RecordKey, Value, Write};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) fn yes_no(value: Option<bool>) -> Option<String> {
    value.map(|v| if v { "nieuw" } else { "doorontwikkeling" }.to_owned())
}

/// The plan's fields as the trail shows them: (field code, readable value).
pub(crate) fn plan_values(
    f: &PlanFields,
    names: &Names,
    parent: Option<String>,
) -> Vec<(PlanField, Option<String>)> {
    let mut values = vec![
        (PlanField::Name, Some(f.name.clone())),
        (PlanField::Kind, Some(f.kind.label().to_owned())),
        (PlanField::Parent, parent),
        (PlanField::Area, names.one(Some(&f.area_id))),
        // A set: the form lists the areas in the catalog's order, a file in its own.
        (PlanField::WorkAreas, names.set(&f.work_areas)),
    ];
    values.extend(f.texts.entries().into_iter().map(|(k, v)| (k, v.clone())));
    values.extend([
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
    ]);
    // Per kind, so that an aanname on the principles ends only when the principles change.
    values.extend(
        FRAMEWORK_FIELDS
            .map(|(kind, field)| (field, names.list_of_kind(&f.framework, kind.code()))),
    );
    values.extend([
        (PlanField::Funding, names.set(&f.funding)),
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
    ]);
    values
}

/// A plan's row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct PlanRecord {
    name: String,
    kind: String,
    parent_id: Option<String>,
    area_id: String,
    #[sqlx(flatten)]
    texts: PlanTexts,
    network_role: Option<String>,
    is_new: Option<i64>,
    phase: Option<String>,
    source_id: Option<String>,
    internal_note: Option<String>,
    stage: Option<String>,
    version: i64,
    archived: i64,
}

pub(crate) async fn load_plan(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<StoredPlan>, sqlx::Error> {
    static SELECT: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT name, kind, parent_id, area_id, {}, network_role, is_new, phase,
                source_id, internal_note, stage, version, archived
             FROM plans WHERE id = $1",
            text_columns("")
        )
    });
    let row: Option<PlanRecord> = sqlx::query_as(sqlx::AssertSqlSafe(SELECT.as_str()))
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
    let work_areas: Vec<(String,)> =
        sqlx::query_as("SELECT area_id FROM plan_areas WHERE plan_id = $1 ORDER BY position")
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
            texts: r.texts,
            network_role: parse_code(r.network_role, NetworkRole::parse)?,
            is_new: crate::store::flag(r.is_new),
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
            work_areas: work_areas.into_iter().map(|(i,)| i).collect(),
        },
        stage: parse_code(r.stage, Stage::parse)?,
        version: r.version,
        archived: r.archived != 0,
    }))
}

pub(crate) async fn plan_name(
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

/// Checks the references of a plan inside the transaction, so they hold when it commits.
pub(crate) async fn check_plan_references(
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
    for a in &f.work_areas {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM areas WHERE id = $1 AND kind <> 'wijk'")
                .bind(a)
                .fetch_one(&mut *conn)
                .await?;
        if n == 0 {
            return Err(refused(
                PlanField::WorkAreas,
                format!(
                    "Werkgebied: \"{a}\" is geen regio, subregio of gemeente; kies gebieden uit de lijst"
                ),
            ));
        }
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

pub(crate) async fn replace_plan_links(
    conn: &mut AnyConnection,
    id: &str,
    f: &PlanFields,
) -> Result<(), sqlx::Error> {
    for table in [
        "plan_organisations",
        "plan_framework",
        "plan_funding",
        "plan_links",
        "plan_areas",
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
    for (i, area) in f.work_areas.iter().enumerate() {
        sqlx::query("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ($1, $2, $3) ON CONFLICT (plan_id, area_id) DO NOTHING")
            .bind(id)
            .bind(area)
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
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

pub(crate) fn plan_subject(id: &str, name: &str) -> Subject {
    Subject {
        record_id: id.to_owned(),
        record_label: name.to_owned(),
        plan_id: Some(id.to_owned()),
        ..Subject::default()
    }
}

/// The ids of other records a plan names, whose names its trail shows.
fn named_ids(f: &PlanFields) -> Vec<&str> {
    let lists = [
        &f.leads,
        &f.parties,
        &f.framework,
        &f.funding,
        &f.work_areas,
    ];
    [Some(f.area_id.as_str()), f.source_id.as_deref()]
        .into_iter()
        .flatten()
        .chain(lists.into_iter().flatten().map(String::as_str))
        .collect()
}

pub(crate) async fn audit_plan_fields(
    w: &mut Write<'_>,
    subject: &Subject,
    old: Option<&PlanFields>,
    new: &PlanFields,
) -> Result<(), StoreError> {
    let mut ids = named_ids(new);
    ids.extend(old.map(named_ids).unwrap_or_default());
    let names = Names::of(w.conn(), ids).await?;
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

/// The columns of a plan's own row that its fields fill, with their values: one list for
/// the form's save, the API and every import. The parent is not in it: an import sets it
/// once every plan exists.
pub(crate) fn plan_columns(f: &PlanFields) -> Vec<(&'static str, Value)> {
    let text = |v: &Option<String>| Value::Text(v.clone());
    let code = |v: Option<&str>| Value::Text(v.map(str::to_owned));
    let mut columns = vec![
        ("name", Value::Text(Some(f.name.clone()))),
        ("kind", code(Some(f.kind.code()))),
        ("area_id", Value::Text(Some(f.area_id.clone()))),
    ];
    columns.extend(
        f.texts
            .entries()
            .into_iter()
            .map(|(k, v)| (k.code(), text(v))),
    );
    columns.extend([
        ("network_role", code(f.network_role.map(|r| r.code()))),
        ("is_new", Value::Int(f.is_new.map(i64::from))),
        ("phase", code(f.phase.map(|p| p.code()))),
        ("source_id", text(&f.source_id)),
        ("internal_note", text(&f.internal_note)),
    ]);
    columns
}

/// The columns of a plan's texts, each after `prefix` (a table alias with its dot, or nothing).
pub(crate) fn text_columns(prefix: &str) -> String {
    PlanTexts::FIELDS
        .iter()
        .map(|f| format!("{prefix}{}", f.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Updates a plan's own row from its fields (the version is claimed before).
pub(crate) async fn update_plan_row(
    conn: &mut AnyConnection,
    id: &str,
    f: &PlanFields,
) -> Result<(), sqlx::Error> {
    let mut columns = plan_columns(f);
    columns.push(("parent_id", Value::Text(f.parent_id.clone())));
    let set: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(n, (c, _))| format!("{c} = ${}", n + 1))
        .collect();
    let sql = format!(
        "UPDATE plans SET {} WHERE id = ${}",
        set.join(", "),
        columns.len() + 1
    );
    let mut values: Vec<Value> = columns.into_iter().map(|(_, v)| v).collect();
    values.push(Value::Text(Some(id.to_owned())));
    sqlx::query_with(sqlx::AssertSqlSafe(sql), Value::arguments(values)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a stage change: the plan's stage, its history line and the trail.
pub(crate) async fn apply_stage_change(
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
    sqlx::query("INSERT INTO stage_history (plan_id, stage, note, date, source_id, recorded_at, ends_on) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&subject.record_id)
        .bind(change.stage.code())
        .bind(&change.note)
        .bind(change.date.to_string())
        .bind(source.as_ref().map(|(id, _)| id.clone()))
        .bind(crate::store::now_text())
        .bind(change.date.ends_on())
        .execute(w.conn())
        .await?;
    let stage_reason = Reason {
        comment: change.note.clone().or_else(|| reason.comment.clone()),
        source: source
            .map(|(_, title)| title)
            .or_else(|| reason.source.clone()),
    };
    let new_label = format!("{} (per {})", change.stage.label(), change.date.label_nl());
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
        update_plan_row(w.conn(), id, fields).await?;
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
        let mut row = plan_columns(fields);
        row.extend([
            ("parent_id", Value::Text(fields.parent_id.clone())),
            ("position", Value::Int(Some(position))),
            ("id", Value::Text(Some(id.to_string()))),
        ]);
        match w.insert_rows("plans", [row]).await {
            Err(e) if crate::store::write_path::is_unique_violation(&e) => return Err(taken()),
            other => other?,
        }
        replace_plan_links(w.conn(), id.as_str(), fields).await?;
        let subject = plan_subject(id.as_str(), &fields.name);
        w.audit_created(&subject, PlanField::Record).await?;
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
}
