//! Reading actions; creating, saving and escalating them. A KPI's follow-up action and a
//! meeting's actiepunt are made by one function ([`insert_action`]) and escalate along the
//! ladder the bodies configure (`bodies.escalates_to`).

use sqlx::AnyConnection;

use super::model::{ActionField, ActionFields, ActionOrigin, ActionRow, EscalationRow};
use crate::features::bodies::model::{BodyRow, ladder_above, on_a_ladder};
use crate::features::indicators::repo::indicator_name;
use crate::store::rows::{exists, refused};
use crate::store::write_path::{RecordKey, Write};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) const ACTION_COLUMNS: &str = "id, indicator_id, area_id, meeting_id, item_number,
    outcome_position, plan_id, title, description, owner, owner_organisation_id, deadline, status,
    body_id, level, created_at, version";

pub(crate) async fn load_action(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<ActionRow, StoreError> {
    let row: Option<ActionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"
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
    if let Some(p) = &f.plan_id
        && !exists(conn, "SELECT COUNT(*) FROM plans WHERE id = $1", p).await?
    {
        return Err(refused(
            ActionField::Plan,
            format!("Plan: er is geen plan \"{p}\"; kies een plan uit de lijst"),
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

/// Where an action came from, in words for the trail: the KPI's name, or the meeting and item.
async fn origin_label(
    conn: &mut AnyConnection,
    indicator_id: Option<&str>,
    meeting: Option<(&str, i64)>,
) -> Result<String, StoreError> {
    if let Some(id) = indicator_id {
        return indicator_name(conn, id).await;
    }
    if let Some((meeting_id, number)) = meeting {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT b.name, m.starts_on FROM meetings m JOIN bodies b ON b.id = m.body_id
              WHERE m.id = $1",
        )
        .bind(meeting_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
        let (body, day) = row.ok_or_else(|| {
            StoreError::NotFound(format!("er is geen vergadering \"{meeting_id}\""))
        })?;
        return Ok(format!("vergadering {body} {day}, agendapunt {number}"));
    }
    Ok(String::new())
}

fn action_subject(id: i64, origin: &str, indicator_id: Option<&str>, f: &ActionFields) -> Subject {
    Subject {
        record_id: id.to_string(),
        record_label: if origin.is_empty() {
            f.title.clone()
        } else {
            format!("{} ({origin})", f.title)
        },
        area_id: f.area_id.clone(),
        plan_id: f.plan_id.clone(),
        indicator_id: indicator_id.map(str::to_owned),
        ..Subject::default()
    }
}

pub(crate) fn action_values(f: &ActionFields) -> Vec<(ActionField, Option<String>)> {
    vec![
        (ActionField::Title, Some(f.title.clone())),
        (ActionField::Description, f.description.clone()),
        (ActionField::Owner, f.owner.clone()),
        (
            ActionField::OwnerOrganisation,
            f.owner_organisation_id.clone(),
        ),
        (ActionField::Area, f.area_id.clone()),
        (ActionField::Plan, f.plan_id.clone()),
        (
            ActionField::Deadline,
            f.deadline.map(crate::domain::format_date_nl),
        ),
        (ActionField::Status, Some(f.status.label().to_owned())),
    ]
}

/// The kind of a body (its rung's word), when it has one.
async fn body_kind(conn: &mut AnyConnection, body_id: &str) -> Result<Option<String>, StoreError> {
    let kind: Option<(Option<String>,)> = sqlx::query_as("SELECT kind FROM bodies WHERE id = $1")
        .bind(body_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(kind.and_then(|(k,)| k))
}

/// Stores a new action in the write `w`, at `body_id`, with its trail: the one way an action
/// comes to exist, from a missed KPI or from a meeting's actiepunt.
pub(crate) async fn insert_action(
    w: &mut Write<'_>,
    origin: &ActionOrigin,
    f: &ActionFields,
    body_id: Option<&str>,
) -> Result<i64, StoreError> {
    check_action_references(w.conn(), f, body_id).await?;
    let (indicator_id, meeting) = match origin {
        ActionOrigin::Kpi { indicator_id } => (Some(indicator_id.as_str()), None),
        ActionOrigin::Meeting {
            meeting_id,
            number,
            position,
        } => (None, Some((meeting_id.as_str(), *number, *position))),
    };
    let label = origin_label(w.conn(), indicator_id, meeting.map(|(m, n, _)| (m, n))).await?;
    let level = match body_id {
        Some(b) => body_kind(w.conn(), b).await?,
        None => None,
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO actions (indicator_id, area_id, meeting_id, item_number, outcome_position,
            plan_id, title, description, owner, owner_organisation_id, deadline, status, body_id,
            level, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(indicator_id.map(str::to_owned))
    .bind(f.area_id.clone())
    .bind(meeting.map(|(m, _, _)| m.to_owned()))
    .bind(meeting.map(|(_, n, _)| n))
    .bind(meeting.map(|(_, _, p)| p))
    .bind(f.plan_id.clone())
    .bind(f.title.clone())
    .bind(f.description.clone())
    .bind(f.owner.clone())
    .bind(f.owner_organisation_id.clone())
    .bind(f.deadline.map(|d| d.to_string()))
    .bind(f.status.code())
    .bind(body_id.map(str::to_owned))
    .bind(level.clone())
    .bind(crate::store::now_text())
    .fetch_one(w.conn())
    .await?;
    let subject = action_subject(id, &label, indicator_id, f);
    w.audit_created(&subject, ActionField::Record).await?;
    w.audit_changes(&subject, None, &action_values(f)).await?;
    if let Some(b) = body_id {
        let name = body_name(w.conn(), b).await?;
        w.audit(&subject, ActionField::Body, None, Some(&name))
            .await?;
    }
    Ok(id)
}

async fn body_name(conn: &mut AnyConnection, body_id: &str) -> Result<String, StoreError> {
    let name: Option<(String,)> = sqlx::query_as("SELECT name FROM bodies WHERE id = $1")
        .bind(body_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name.map_or_else(|| body_id.to_owned(), |(n,)| n))
}

/// Where an action lies, in words: the body's name, else its rung, else nowhere yet.
pub fn place_of(bodies: &[BodyRow], level: Option<&str>, body_id: Option<&str>) -> String {
    match body_id.and_then(|b| bodies.iter().find(|x| x.id == b)) {
        Some(b) => b.name.clone(),
        None => level
            .and_then(|l| crate::domain::EscalationLevel::parse(l).ok())
            .map_or_else(
                || "Nog bij geen overleg".to_owned(),
                |l| l.label().to_owned(),
            ),
    }
}

/// The bodies an action at `body_id` may go to: those above it on its ladder, nearest first.
/// An action at no body yet may go to any body on a ladder; one stored before the ladders
/// were data, with a rung (`level`) and no body, to a body of a higher rung only.
pub fn escalation_targets<'a>(
    bodies: &'a [BodyRow],
    body_id: Option<&str>,
    level: Option<&str>,
) -> Vec<&'a BodyRow> {
    match (
        body_id,
        level.and_then(|l| crate::domain::EscalationLevel::parse(l).ok()),
    ) {
        (Some(b), _) => ladder_above(bodies, b),
        (None, Some(level)) => on_a_ladder(bodies)
            .into_iter()
            .filter(|b| {
                b.kind
                    .as_deref()
                    .and_then(|k| crate::domain::EscalationLevel::parse(k).ok())
                    .is_some_and(|k| level.above().contains(&k))
            })
            .collect(),
        (None, None) => on_a_ladder(bodies),
    }
}

impl Store {
    // --- Actions ---

    async fn actions_where(
        &self,
        condition: &'static str,
        value: Option<String>,
    ) -> Result<Vec<ActionRow>, StoreError> {
        let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE {condition}
              ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, id"
        )));
        let query = match value {
            Some(v) => query.bind(v),
            None => query,
        };
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The follow-up actions of a KPI.
    pub async fn actions_for(&self, indicator_id: &str) -> Result<Vec<ActionRow>, StoreError> {
        self.actions_where("indicator_id = $1", Some(indicator_id.to_owned()))
            .await
    }

    /// The actions that lie with a body now (escalated to it, started there, or given out by
    /// one of its meetings).
    pub async fn actions_at_body(&self, body_id: &str) -> Result<Vec<ActionRow>, StoreError> {
        self.actions_where("body_id = $1", Some(body_id.to_owned()))
            .await
    }

    /// The actiepunten a meeting gave out.
    pub async fn actions_of_meeting(&self, meeting_id: &str) -> Result<Vec<ActionRow>, StoreError> {
        self.actions_where("meeting_id = $1", Some(meeting_id.to_owned()))
            .await
    }

    /// Every action: by deadline, those without one last.
    pub async fn all_actions(&self) -> Result<Vec<ActionRow>, StoreError> {
        self.actions_where("1 = 1", None).await
    }

    pub async fn action(&self, id: i64) -> Result<Option<ActionRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"
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

    /// Creates a follow-up action for a KPI, at the body given (a werkgroep, usually) or none.
    pub async fn create_action(
        &self,
        actor: &Actor,
        reason: &Reason,
        indicator_id: &str,
        f: &ActionFields,
        body_id: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let origin = ActionOrigin::Kpi {
            indicator_id: indicator_id.to_owned(),
        };
        let id = insert_action(&mut w, &origin, f, body_id).await?;
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
            .claim(&RecordKey::int("actions", id), expected_version, || {
                format!("er is geen actie {id}")
            })
            .await?;
        let current = load_action(w.conn(), id).await?;
        check_action_references(w.conn(), f, None).await?;
        sqlx::query(
            "UPDATE actions SET area_id = $1, plan_id = $2, title = $3, description = $4,
                owner = $5, owner_organisation_id = $6, deadline = $7, status = $8
              WHERE id = $9",
        )
        .bind(f.area_id.clone())
        .bind(f.plan_id.clone())
        .bind(f.title.clone())
        .bind(f.description.clone())
        .bind(f.owner.clone())
        .bind(f.owner_organisation_id.clone())
        .bind(f.deadline.map(|d| d.to_string()))
        .bind(f.status.code())
        .bind(id)
        .execute(w.conn())
        .await?;
        let label = origin_label(
            w.conn(),
            current.indicator_id.as_deref(),
            current.meeting_id.as_deref().zip(current.item_number),
        )
        .await?;
        let subject = action_subject(id, &label, current.indicator_id.as_deref(), f);
        w.audit_changes(
            &subject,
            Some(&action_values(&ActionFields::of(&current))),
            &action_values(f),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Moves an action up its ladder to `to_body_id`, with the reason; refuses a body that is
    /// not above the one it lies with (the ladder is the bodies' `escalates_to`).
    pub async fn escalate_action(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        to_body_id: &str,
        reason_text: &str,
    ) -> Result<i64, StoreError> {
        let reason = Reason {
            comment: Some(reason_text.to_owned()),
            source: None,
        };
        let mut w = self.write(actor, &reason).await?;
        let version = w
            .claim(&RecordKey::int("actions", id), expected_version, || {
                format!("er is geen actie {id}")
            })
            .await?;
        let current = load_action(w.conn(), id).await?;
        let bodies: Vec<BodyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM bodies ORDER BY position",
            crate::features::bodies::repo::BODY_COLUMNS
        )))
        .fetch_all(w.conn())
        .await?;
        let targets = escalation_targets(
            &bodies,
            current.body_id.as_deref(),
            current.level.as_deref(),
        );
        let Some(target) = targets.iter().find(|b| b.id == to_body_id) else {
            let here = place_of(
                &bodies,
                current.level.as_deref(),
                current.body_id.as_deref(),
            );
            let message = if !bodies.iter().any(|b| b.id == to_body_id) {
                format!("Naar: er is geen overleg \"{to_body_id}\"; kies een overleg uit de lijst")
            } else if targets.is_empty()
                && on_a_ladder(&bodies)
                    .iter()
                    .any(|b| Some(b.id.as_str()) == current.body_id.as_deref())
            {
                format!(
                    "Naar: de actie ligt bij {here}, het hoogste overleg van de ladder; hoger kan niet"
                )
            } else if targets.is_empty() {
                format!(
                    "Naar: {here} staat op geen escalatieladder; een actie hier kan niet worden opgeschaald"
                )
            } else {
                format!(
                    "Naar: kies een overleg hoger op de ladder: {}",
                    targets
                        .iter()
                        .map(|b| b.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(refused(ActionField::Body, message));
        };
        sqlx::query("UPDATE actions SET level = $1, body_id = $2 WHERE id = $3")
            .bind(target.kind.clone())
            .bind(target.id.clone())
            .bind(id)
            .execute(w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO action_escalations (action_id, from_level, from_body_id, to_level, to_body_id, reason, at, actor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(current.level.clone())
        .bind(current.body_id.clone())
        .bind(target.kind.clone())
        .bind(target.id.clone())
        .bind(reason_text.to_owned())
        .bind(crate::store::now_text())
        .bind(actor.name.clone())
        .execute(w.conn())
        .await?;
        let label = origin_label(
            w.conn(),
            current.indicator_id.as_deref(),
            current.meeting_id.as_deref().zip(current.item_number),
        )
        .await?;
        let subject = action_subject(
            id,
            &label,
            current.indicator_id.as_deref(),
            &ActionFields::of(&current),
        );
        w.audit(
            &subject,
            ActionField::Escalation,
            Some(&place_of(
                &bodies,
                current.level.as_deref(),
                current.body_id.as_deref(),
            )),
            Some(&target.name),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }
}
