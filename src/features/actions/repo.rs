//! Reading actions; creating, saving and escalating them.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::model::{ActionField, ActionFields, ActionRow, EscalationRow};
use crate::domain::EscalationLevel;
use crate::features::indicators::repo::indicator_name;
use crate::store::rows::{exists, refused};
use crate::store::write_path::RecordKey;
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) const ACTION_COLUMNS: &str = "id, indicator_id, area_id, title, description, owner,
    owner_organisation_id, deadline, status, level, body_id, created_at, version";

pub(crate) async fn load_action(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<ActionRow, StoreError> {
    let row: Option<ActionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} FROM follow_up_actions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("er is geen actie {id}")))
}

pub(crate) async fn check_action_references(
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

pub(crate) fn action_subject(
    id: i64,
    indicator_id: &str,
    indicator_name: &str,
    f: &ActionFields,
) -> Subject {
    Subject {
        record_id: id.to_string(),
        record_label: format!("{} ({indicator_name})", f.title),
        area_id: f.area_id.clone(),
        indicator_id: Some(indicator_id.to_owned()),
        ..Subject::default()
    }
}

pub(crate) fn action_values(f: &ActionFields) -> Vec<(ActionField, Option<String>)> {
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

impl Store {
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
        .bind(crate::store::now_text())
        .fetch_one(w.conn())
        .await?;
        let subject = action_subject(id, indicator_id, &name, f);
        w.audit_created(&subject, ActionField::Record).await?;
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
        .bind(crate::store::now_text())
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
