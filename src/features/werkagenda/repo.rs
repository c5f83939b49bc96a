//! Reading the werkagenda's milestones; adding and saving one. A change of status or period is
//! a step of its history (`milestone_history`) with the date it took effect and its source.

use sqlx::AnyConnection;

use super::model::{MilestoneField, MilestoneFields, MilestoneStepRow};
use crate::domain::{FactDate, MilestoneStatus};
use crate::features::plans::model::{MILESTONE_COLUMNS, MilestoneRow};
use crate::store::rows::{exists, refused};
use crate::store::write_path::{ASSUMPTION_ENDED, RecordKey, Write};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

async fn load_milestone(conn: &mut AnyConnection, id: i64) -> Result<MilestoneRow, StoreError> {
    let row: Option<MilestoneRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MILESTONE_COLUMNS} FROM milestones x WHERE x.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("er is geen mijlpaal {id}")))
}

async fn check_references(conn: &mut AnyConnection, f: &MilestoneFields) -> Result<(), StoreError> {
    if f.title.trim().is_empty() {
        return Err(refused(
            MilestoneField::Title,
            "Mijlpaal: beschrijf de mijlpaal in een zin, bijvoorbeeld: start zorgpad slaapproblemen",
        ));
    }
    if let Some(t) = &f.theme_id
        && !exists(
            conn,
            "SELECT COUNT(*) FROM framework_items WHERE id = $1 AND kind = 'opgave'",
            t,
        )
        .await?
    {
        return Err(refused(
            MilestoneField::Theme,
            format!("Opgave: er is geen opgave \"{t}\"; kies een opgave uit de lijst"),
        ));
    }
    for (field, source) in [
        (MilestoneField::Source, &f.source_id),
        (MilestoneField::StatusSource, &f.status_source_id),
    ] {
        if let Some(s) = source
            && !exists(conn, "SELECT COUNT(*) FROM sources WHERE id = $1", s).await?
        {
            return Err(refused(
                field,
                format!(
                    "{}: er is geen bron \"{s}\"; kies een bron uit de lijst",
                    crate::store::RecordField::label(field)
                ),
            ));
        }
    }
    Ok(())
}

fn subject(id: i64, plan_id: &str, f: &MilestoneFields) -> Subject {
    Subject {
        record_id: id.to_string(),
        record_label: format!("mijlpaal {}", f.title),
        plan_id: Some(plan_id.to_owned()),
        ..Subject::default()
    }
}

/// A period as the trail shows it.
fn period_text(p: FactDate) -> String {
    if p.is_known() {
        p.label_nl()
    } else {
        "periode onbekend".to_owned()
    }
}

async fn names(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: &Option<String>,
) -> Result<Option<String>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let name: Option<(String,)> = sqlx::query_as(sql)
        .bind(id.clone())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Some(name.map_or_else(|| id.clone(), |(n,)| n)))
}

async fn values(
    conn: &mut AnyConnection,
    f: &MilestoneFields,
) -> Result<Vec<(MilestoneField, Option<String>)>, StoreError> {
    let source = "SELECT title FROM sources WHERE id = $1";
    Ok(vec![
        (MilestoneField::Title, Some(f.title.clone())),
        (MilestoneField::Period, Some(period_text(f.period))),
        (
            MilestoneField::Theme,
            names(
                conn,
                "SELECT name FROM framework_items WHERE id = $1",
                &f.theme_id,
            )
            .await?,
        ),
        (MilestoneField::Note, f.note.clone()),
        (
            MilestoneField::Source,
            names(conn, source, &f.source_id).await?,
        ),
        (MilestoneField::Status, Some(f.status.label().to_owned())),
        (MilestoneField::StatusDate, Some(f.status_date.label_nl())),
        (
            MilestoneField::StatusSource,
            names(conn, source, &f.status_source_id).await?,
        ),
    ])
}

async fn insert_step(
    w: &mut Write<'_>,
    id: i64,
    f: &MilestoneFields,
    note: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO milestone_history (milestone_id, status, period, date, source_id, note, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(f.status.code())
    .bind(f.period.is_known().then(|| f.period.to_string()))
    .bind(f.status_date.to_string())
    .bind(f.status_source_id.clone())
    .bind(note.map(str::to_owned))
    .bind(crate::store::now_text())
    .execute(w.conn())
    .await?;
    Ok(())
}

impl Store {
    pub async fn milestone(&self, id: i64) -> Result<Option<MilestoneRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match load_milestone(&mut conn, id).await {
            Ok(m) => Ok(Some(m)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The status steps of a milestone, oldest first.
    pub async fn milestone_steps(&self, id: i64) -> Result<Vec<MilestoneStepRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, milestone_id, status, period, date, source_id, note, recorded_at
               FROM milestone_history WHERE milestone_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a milestone to a plan, with its first status step.
    pub async fn create_milestone(
        &self,
        actor: &Actor,
        reason: &Reason,
        plan_id: &str,
        f: &MilestoneFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        // Claims nothing but checks the plan is there; a plan's milestones are its own.
        if !exists(
            w.conn(),
            "SELECT COUNT(*) FROM plans WHERE id = $1",
            plan_id,
        )
        .await?
        {
            return Err(StoreError::NotFound(format!(
                "er is geen plan \"{plan_id}\""
            )));
        }
        check_references(w.conn(), f).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO milestones (plan_id, title, period, period_start, theme_id, note, source_id,
                status, status_date, status_source_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(plan_id.to_owned())
        .bind(f.title.trim().to_owned())
        .bind(f.period.is_known().then(|| f.period.to_string()))
        .bind(f.period.start().map(|d| d.to_string()))
        .bind(f.theme_id.clone())
        .bind(f.note.clone())
        .bind(f.source_id.clone())
        .bind(f.status.code())
        .bind(f.status_date.is_known().then(|| f.status_date.to_string()))
        .bind(f.status_source_id.clone())
        .fetch_one(w.conn())
        .await?;
        insert_step(&mut w, id, f, None).await?;
        let subject = subject(id, plan_id, f);
        w.audit_created(&subject, MilestoneField::Record).await?;
        let after = values(w.conn(), f).await?;
        w.audit_changes(&subject, None, &after).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Saves a milestone opened at `expected_version`. A new status or period is a step of its
    /// history, on the date the form gives; a new status needs that date to be given anew
    /// (`status_date_given`), so the date of the old status is never carried onto the new one
    /// unasked. A new period ends the aanname about the period.
    pub async fn update_milestone(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: i64,
        expected_version: i64,
        f: &MilestoneFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(&RecordKey::int("milestones", id), expected_version, || {
                format!("er is geen mijlpaal {id}")
            })
            .await?;
        let current = load_milestone(w.conn(), id).await?;
        let before = MilestoneFields::of(&current);
        check_references(w.conn(), f).await?;
        let status_moved = before.status != f.status;
        if status_moved && !f.status_date.is_known() && before.status_date.is_known() {
            return Err(refused(
                MilestoneField::StatusDate,
                "Status sinds: vul in sinds wanneer de nieuwe status geldt, zo precies als bekend (2027-05, 2027-Q2)",
            ));
        }
        if status_moved
            && before.status_source_id.is_some()
            && f.status_source_id == before.status_source_id
        {
            return Err(refused(
                MilestoneField::StatusSource,
                format!(
                    "Bron van de status: de status wordt {}, maar de bron is nog die van de oude status; kies de bron waarin de nieuwe status staat, of \"Geen bron\"",
                    f.status.label().to_lowercase()
                ),
            ));
        }
        if status_moved && before.status_date.is_known() && f.status_date == before.status_date {
            return Err(refused(
                MilestoneField::StatusDate,
                format!(
                    "Status sinds: de status wordt {}, maar de datum is nog die van de oude status ({}); vul in sinds wanneer de nieuwe status geldt",
                    f.status.label().to_lowercase(),
                    before.status_date.label_nl()
                ),
            ));
        }
        if f.status == MilestoneStatus::Moved && status_moved && f.period == before.period {
            return Err(refused(
                MilestoneField::Period,
                "Periode: een verschoven mijlpaal krijgt een nieuwe periode; vul die in (of \"periode onbekend\")",
            ));
        }
        let period_moved = before.period != f.period;
        sqlx::query(
            "UPDATE milestones SET title = $1, period = $2, period_start = $3, theme_id = $4,
                note = $5, source_id = $6, status = $7, status_date = $8, status_source_id = $9,
                assumption = $10
              WHERE id = $11",
        )
        .bind(f.title.trim().to_owned())
        .bind(f.period.is_known().then(|| f.period.to_string()))
        .bind(f.period.start().map(|d| d.to_string()))
        .bind(f.theme_id.clone())
        .bind(f.note.clone())
        .bind(f.source_id.clone())
        .bind(f.status.code())
        .bind(f.status_date.is_known().then(|| f.status_date.to_string()))
        .bind(f.status_source_id.clone())
        .bind(if period_moved {
            None
        } else {
            current.assumption.clone()
        })
        .bind(id)
        .execute(w.conn())
        .await?;
        let status_facts_moved =
            before.status_date != f.status_date || before.status_source_id != f.status_source_id;
        if status_moved || status_facts_moved {
            insert_step(&mut w, id, f, reason.comment.as_deref()).await?;
        } else if period_moved {
            // A new period without a new status: when it took effect is not known from the form.
            let step = MilestoneFields {
                status_date: FactDate::Unknown,
                status_source_id: None,
                ..f.clone()
            };
            insert_step(&mut w, id, &step, reason.comment.as_deref()).await?;
        }
        let subject = subject(id, &current.plan_id, f);
        if period_moved && let Some(a) = &current.assumption {
            w.audit(
                &subject,
                MilestoneField::Assumption,
                Some(&format!("aanname: {a}")),
                Some(ASSUMPTION_ENDED),
            )
            .await?;
        }
        let old = values(w.conn(), &before).await?;
        let new = values(w.conn(), f).await?;
        w.audit_changes(&subject, Some(&old), &new).await?;
        w.commit().await?;
        Ok(version)
    }
}
