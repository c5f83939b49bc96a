//! The quarterly cycle's reads and writes. Every write goes through the one write path; a
//! closed round refuses every change but a correction, which is a new dated entry.

use jiff::civil::Date;

use super::model::UpdateOrigin;
use super::model::{
    CorrectionRow, MilestoneNote, ReviewRow, RoundField, RoundMilestoneRow, RoundRow, UpdateField,
    UpdateFields, UpdateMilestoneRow, UpdateRow,
};
use super::snapshot::{SCHEMA_VERSION, Snapshot};
use crate::domain::{MilestoneOutcome, UpdateState, Verdict};
use crate::features::actions::model::EscalationRow;
use crate::features::observations::model::ObservationRow;
use crate::features::observations::repo::OBSERVATION_COLUMNS_O;
use crate::store::write_path::{KeyPart, RecordKey, Value, Write};
use crate::store::{Actor, Reason, Refusal, Store, StoreError, Subject};

const ROUND_COLUMNS: &str = "period, deadline, status, summary, summary_source_id, opened_at,
    opened_by, closed_at, closed_by, as_of, published_at, published_by, version";

const UPDATE_COLUMNS: &str = "period, plan_id, light, done, next_steps, needs, source_id, state,
    saved_at, saved_by, submitted_at, submitted_by, is_example, version";

fn round_key(period: &str) -> RecordKey<'_> {
    RecordKey {
        table: "report_rounds",
        columns: &["period"],
        values: vec![KeyPart::Text(period)],
    }
}

fn update_key<'a>(period: &'a str, plan_id: &'a str) -> RecordKey<'a> {
    RecordKey {
        table: "plan_updates",
        columns: &["period", "plan_id"],
        values: vec![KeyPart::Text(period), KeyPart::Text(plan_id)],
    }
}

fn round_subject(period: &str) -> Subject {
    Subject {
        record_id: period.to_owned(),
        record_label: format!("Rapportageronde {period}"),
        ..Subject::default()
    }
}

fn update_subject(period: &str, plan_id: &str, plan_name: &str) -> Subject {
    Subject {
        record_id: format!("{period}/{plan_id}"),
        record_label: format!("Kwartaalupdate {period}: {plan_name}"),
        plan_id: Some(plan_id.to_owned()),
        ..Subject::default()
    }
}

/// Refuses a change to a closed round. The statement also locks the round's row (a no-op
/// UPDATE), so a save of an update and the closing of its round never overlap: whichever
/// comes second waits, and a save after the close finds the round closed.
async fn lock_open_round(w: &mut Write<'_>, period: &str) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE report_rounds SET status = status WHERE period = $1 AND status = 'open'",
    )
    .bind(period)
    .execute(w.conn())
    .await?;
    if done.rows_affected() > 0 {
        return Ok(());
    }
    match w.version_of(&round_key(period)).await? {
        Some(_) => Err(StoreError::Refused(Refusal::of(
            RoundField::Status,
            format!(
                "De ronde {period} is gesloten: er kan niets meer in veranderen. Leg een correctie vast bij de gesloten ronde."
            ),
        ))),
        None => Err(StoreError::NotFound(format!(
            "Er is geen rapportageronde {period}."
        ))),
    }
}

/// The start of every write to a plan's update: the round open (and its row locked), the plan
/// one of the round's; the plan's name.
async fn begin_update_write(
    w: &mut Write<'_>,
    period: &str,
    plan_id: &str,
) -> Result<String, StoreError> {
    lock_open_round(w, period).await?;
    plan_in_round(w, period, plan_id).await
}

/// Claims the plan's update at the version the form was made from.
async fn claim_update(
    w: &mut Write<'_>,
    period: &str,
    plan_id: &str,
    expected_version: i64,
) -> Result<i64, StoreError> {
    w.claim(&update_key(period, plan_id), expected_version, || {
        format!("Er is nog geen update van dit plan in {period}.")
    })
    .await
}

/// The plan's name, and whether the round covers it.
async fn plan_in_round(
    w: &mut Write<'_>,
    period: &str,
    plan_id: &str,
) -> Result<String, StoreError> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT p.name, rp.plan_id FROM plans p
           LEFT JOIN round_plans rp ON rp.plan_id = p.id AND rp.period = $1
          WHERE p.id = $2",
    )
    .bind(period)
    .bind(plan_id)
    .fetch_optional(w.conn())
    .await?;
    match row {
        None => Err(StoreError::NotFound(format!("Er is geen plan {plan_id}."))),
        Some((name, None)) => Err(StoreError::Refused(Refusal::of(
            RoundField::Plans,
            format!("\"{name}\" hoort niet bij de ronde {period}."),
        ))),
        Some((name, Some(_))) => Ok(name),
    }
}

/// What an update's fields read as in the trail.
fn update_values(
    f: &UpdateFields,
    milestones: Option<String>,
    state: UpdateState,
) -> Vec<(UpdateField, Option<String>)> {
    vec![
        (UpdateField::Light, f.light.map(|l| l.label().to_owned())),
        (UpdateField::Done, f.done.clone()),
        (UpdateField::NextSteps, f.next_steps.clone()),
        (UpdateField::Needs, f.needs.clone()),
        (UpdateField::Milestones, milestones),
        (UpdateField::State, Some(state.label().to_owned())),
    ]
}

/// "Werving gestart: gehaald; Start pilot: verschoven naar 2026-Q2", in the plan's order.
async fn milestone_text(
    w: &mut Write<'_>,
    plan_id: &str,
    notes: &[MilestoneNote],
) -> Result<Option<String>, StoreError> {
    if notes.is_empty() {
        return Ok(None);
    }
    let titles: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, title FROM milestones WHERE plan_id = $1 ORDER BY id")
            .bind(plan_id)
            .fetch_all(w.conn())
            .await?;
    let mut parts = Vec::new();
    for (id, title) in &titles {
        if let Some(n) = notes.iter().find(|n| n.milestone_id == *id) {
            parts.push(match (&n.outcome, &n.moved_to) {
                (MilestoneOutcome::Moved, Some(to)) => {
                    format!("{title}: verschoven naar {}", crate::web::view::date_nl(to))
                }
                (o, _) => format!("{title}: {}", o.label().to_lowercase()),
            });
        }
    }
    if parts.len() != notes.len() {
        return Err(StoreError::Refused(Refusal::of(
            UpdateField::Milestones,
            "Een gekozen mijlpaal hoort niet bij dit plan; kies uit de mijlpalen op het formulier.",
        )));
    }
    Ok(Some(parts.join("; ")))
}

impl Store {
    // --- Reads ---

    /// Every round, the newest quarter first.
    pub async fn rounds(&self) -> Result<Vec<RoundRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM report_rounds ORDER BY period DESC"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn round(&self, period: &str) -> Result<Option<RoundRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ROUND_COLUMNS} FROM report_rounds WHERE period = $1"
        )))
        .bind(period)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The plans a round covers.
    pub async fn round_plan_ids(&self, period: &str) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT plan_id FROM round_plans WHERE period = $1")
                .bind(period)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The updates of a round (begun ones only: a plan without one has no row).
    pub async fn round_updates(&self, period: &str) -> Result<Vec<UpdateRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UPDATE_COLUMNS} FROM plan_updates WHERE period = $1 ORDER BY plan_id"
        )))
        .bind(period)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn plan_update(
        &self,
        period: &str,
        plan_id: &str,
    ) -> Result<Option<UpdateRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UPDATE_COLUMNS} FROM plan_updates WHERE period = $1 AND plan_id = $2"
        )))
        .bind(period)
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A plan's updates in every round, the newest quarter first.
    pub async fn updates_of_plan(&self, plan_id: &str) -> Result<Vec<UpdateRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UPDATE_COLUMNS} FROM plan_updates WHERE plan_id = $1 ORDER BY period DESC"
        )))
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// What a round's updates say about milestones (of one plan, or of all).
    pub async fn update_milestones(
        &self,
        period: &str,
        plan_id: Option<&str>,
    ) -> Result<Vec<UpdateMilestoneRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT plan_id, milestone_id, outcome, moved_to FROM update_milestones
              WHERE period = $1 AND (CAST($2 AS TEXT) IS NULL OR plan_id = $2)
              ORDER BY plan_id, milestone_id",
        )
        .bind(period)
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The kernteam's reviews in a round (of one plan, or of all), oldest first.
    pub async fn update_reviews(
        &self,
        period: &str,
        plan_id: Option<&str>,
    ) -> Result<Vec<ReviewRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, plan_id, verdict, comment, at, actor FROM update_reviews
              WHERE period = $1 AND (CAST($2 AS TEXT) IS NULL OR plan_id = $2)
              ORDER BY id",
        )
        .bind(period)
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn round_corrections(&self, period: &str) -> Result<Vec<CorrectionRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, plan_id, text, at, actor FROM round_corrections
              WHERE period = $1 ORDER BY id",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The stored snapshot of a closed round: its schema version and its JSON.
    pub async fn round_snapshot(&self, period: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT schema_version, document FROM round_snapshots WHERE period = $1",
            )
            .bind(period)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// The plans a round covers, in the portfolio's order, as (id, name).
    pub async fn round_plans(&self, period: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.name FROM round_plans rp JOIN plans p ON p.id = rp.plan_id
              WHERE rp.period = $1 ORDER BY p.position, p.id",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The lead organisations of a round's plans, as (plan, organisation id, name).
    pub async fn round_leads(
        &self,
        period: &str,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT po.plan_id, o.id, o.name FROM round_plans rp
               JOIN plan_organisations po ON po.plan_id = rp.plan_id AND po.role = 'trekker'
               JOIN organisations o ON o.id = po.organisation_id
              WHERE rp.period = $1 ORDER BY po.plan_id, o.name",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The lead organisations of one plan (ids).
    pub async fn plan_lead_ids(&self, plan_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT organisation_id FROM plan_organisations WHERE plan_id = $1 AND role = 'trekker'",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The updates of `plan_ids` in open rounds and rounds closed since, for "Voor mij": as
    /// (round, its deadline, plan, the update's state if begun).
    pub async fn open_round_duties(
        &self,
        plan_ids: &[String],
    ) -> Result<Vec<(String, String, String, Option<String>)>, StoreError> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=plan_ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT r.period, r.deadline, rp.plan_id, u.state FROM report_rounds r
               JOIN round_plans rp ON rp.period = r.period
               LEFT JOIN plan_updates u ON u.period = rp.period AND u.plan_id = rp.plan_id
              WHERE r.status = 'open' AND rp.plan_id IN ({list})
              ORDER BY r.period, rp.plan_id"
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for p in plan_ids {
            query = query.bind(p.clone());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Submitted updates waiting for the kernteam's review in open rounds, as (round, plan).
    pub async fn updates_to_review(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT u.period, u.plan_id, p.name FROM plan_updates u
               JOIN report_rounds r ON r.period = u.period AND r.status = 'open'
               JOIN plans p ON p.id = u.plan_id
              WHERE u.state = 'ingediend' ORDER BY u.period, p.position",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The latest closed round before `period` (published, with `public_only`), with its
    /// snapshot.
    pub async fn previous_snapshot(
        &self,
        period: &str,
        public_only: bool,
    ) -> Result<Option<(String, i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT s.period, s.schema_version, s.document FROM round_snapshots s
               JOIN report_rounds r ON r.period = s.period
              WHERE s.period < $1 AND ($2 = 0 OR r.published_at IS NOT NULL)
              ORDER BY s.period DESC LIMIT 1",
        )
        .bind(period)
        .bind(i64::from(public_only))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The milestones of the plans a round covers (of one plan, or of all), in the order of
    /// their periods.
    pub async fn round_milestones(
        &self,
        period: &str,
    ) -> Result<Vec<RoundMilestoneRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.plan_id, m.title, m.period FROM milestones m
               JOIN round_plans rp ON rp.plan_id = m.plan_id AND rp.period = $1
              ORDER BY m.plan_id, m.period_start, m.id",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A plan's milestones, in the order of their periods.
    pub async fn milestones_of_plan(
        &self,
        plan_id: &str,
    ) -> Result<Vec<RoundMilestoneRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, plan_id, title, period FROM milestones WHERE plan_id = $1
              ORDER BY period_start, id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The latest observation of every KPI in every area whose period starts on or before
    /// `end` (YYYY-MM-DD): what was known at the end of a quarter.
    pub async fn latest_observations_until(
        &self,
        end: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS_O} FROM observations o
               JOIN (SELECT indicator_id, area_id, MAX(period_start) AS latest FROM observations
                      WHERE period_start <= $1 GROUP BY indicator_id, area_id) l
                 ON l.indicator_id = o.indicator_id AND l.area_id = o.area_id
                AND l.latest = o.period_start
              ORDER BY o.indicator_id, o.area_id"
        )))
        .bind(end)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every (KPI, plan) link.
    pub async fn indicator_plan_links(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT indicator_id, plan_id FROM indicator_plans ORDER BY indicator_id, plan_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every step of every action up the ladder, in order.
    pub async fn all_escalations(&self) -> Result<Vec<EscalationRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, action_id, from_level, from_body_id, to_level, to_body_id, reason, at, actor
               FROM action_escalations ORDER BY action_id, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The active trekker accounts of each organisation in `organisations`, as
    /// (organisation, name, e-mail).
    pub async fn trekkers_of(
        &self,
        organisations: &[String],
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=organisations.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT uo.organisation_id, u.name, u.email FROM users u
               JOIN user_organisations uo ON uo.user_id = u.id
              WHERE u.role = 'trekker' AND u.disabled = 0 AND uo.organisation_id IN ({list})
              ORDER BY uo.organisation_id, u.name"
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for o in organisations {
            query = query.bind(o.clone());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    // --- Writes ---

    /// Opens a round for `period` (a quarter) due on `deadline`, covering `plans` (by default
    /// every plan that is not archived).
    pub async fn open_round(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        deadline: Date,
        plans: Option<&[String]>,
        deadline_assumption: Option<&str>,
    ) -> Result<(), StoreError> {
        let quarter = crate::domain::parse_quarter(period)
            .map_err(|e| StoreError::Refused(Refusal::of(RoundField::Period, e.0)))?;
        let period = quarter.to_string();
        let mut w = self.write(actor, reason).await?;
        if w.version_of(&round_key(&period)).await?.is_some() {
            return Err(StoreError::Refused(Refusal::of(
                RoundField::Period,
                format!("Er is al een rapportageronde voor {period}; open die ronde."),
            )));
        }
        let ids: Vec<String> = match plans {
            None => {
                sqlx::query_scalar("SELECT id FROM plans WHERE archived = 0 ORDER BY position, id")
                    .fetch_all(w.conn())
                    .await?
            }
            Some(chosen) => {
                let known: Vec<String> = sqlx::query_scalar("SELECT id FROM plans")
                    .fetch_all(w.conn())
                    .await?;
                if let Some(unknown) = chosen.iter().find(|p| !known.contains(p)) {
                    return Err(StoreError::Refused(Refusal::of(
                        RoundField::Plans,
                        format!("Er is geen plan {unknown}; kies plannen uit de lijst."),
                    )));
                }
                let mut ids = chosen.to_vec();
                ids.sort_unstable();
                ids.dedup();
                ids
            }
        };
        if ids.is_empty() {
            return Err(StoreError::Refused(Refusal::of(
                RoundField::Plans,
                "Kies ten minste één plan voor de ronde.",
            )));
        }
        w.insert_new(
            sqlx::query(
                "INSERT INTO report_rounds (period, deadline, status, opened_at, opened_by)
                 VALUES ($1, $2, 'open', $3, $4)",
            )
            .bind(period.clone())
            .bind(deadline.to_string())
            .bind(crate::store::now_text())
            .bind(actor.name.clone()),
        )
        .await?;
        let rows: Vec<[(&'static str, Value); 2]> = ids
            .iter()
            .map(|p| {
                [
                    ("period", Value::Text(Some(period.clone()))),
                    ("plan_id", Value::Text(Some(p.clone()))),
                ]
            })
            .collect();
        w.insert_rows("round_plans", rows).await?;
        if let Some(reason) = deadline_assumption {
            sqlx::query(
                "INSERT INTO assumptions (record_type, record_id, field, reason) VALUES ($1, $2, $3, $4)",
            )
            .bind(<RoundField as crate::store::RecordField>::RECORD)
            .bind(&period)
            .bind(crate::store::RecordField::code(RoundField::Deadline))
            .bind(reason)
            .execute(w.conn())
            .await?;
        }
        let subject = round_subject(&period);
        w.audit_created(&subject, RoundField::Record).await?;
        w.audit_changes(
            &subject,
            None,
            &[
                (
                    RoundField::Deadline,
                    Some(crate::domain::format_date_nl(deadline)),
                ),
                (RoundField::Plans, Some(plans_text(ids.len()))),
            ],
        )
        .await?;
        w.commit().await
    }

    #[allow(clippy::too_many_arguments)]
    /// Changes an open round's deadline and the kernteam's summary (a quote from
    /// `summary_source`, when it is one).
    pub async fn edit_round(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        expected_version: i64,
        deadline: Date,
        summary: Option<&str>,
        summary_source: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(&round_key(period), expected_version, || {
                format!("Er is geen rapportageronde {period}.")
            })
            .await?;
        lock_open_round(&mut w, period).await?;
        let (old_deadline, old_summary): (String, Option<String>) =
            sqlx::query_as("SELECT deadline, summary FROM report_rounds WHERE period = $1")
                .bind(period)
                .fetch_one(w.conn())
                .await?;
        sqlx::query(
            "UPDATE report_rounds SET deadline = $1, summary = $2, summary_source_id = $3
              WHERE period = $4",
        )
        .bind(deadline.to_string())
        .bind(summary)
        .bind(summary_source)
        .bind(period)
        .execute(w.conn())
        .await?;
        let subject = round_subject(period);
        let old_deadline = crate::web::view::date_nl(&old_deadline);
        w.audit_changes(
            &subject,
            Some(&[
                (RoundField::Deadline, Some(old_deadline)),
                (RoundField::Summary, old_summary),
            ]),
            &[
                (
                    RoundField::Deadline,
                    Some(crate::domain::format_date_nl(deadline)),
                ),
                (RoundField::Summary, summary.map(str::to_owned)),
            ],
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Saves a plan's update in an open round, as a draft or submitted. `expected_version` is
    /// the version the form showed (0: there was no update yet). A draft of an update the
    /// kernteam asked a question about stays "verduidelijking gevraagd" until it is submitted.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_update(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        plan_id: &str,
        expected_version: i64,
        fields: &UpdateFields,
        milestones: &[MilestoneNote],
        submit: bool,
        origin: &UpdateOrigin,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let plan_name = begin_update_write(&mut w, period, plan_id).await?;
        let now = crate::store::now_text();
        let (before, version) = if expected_version == 0 {
            w.insert_new(
                sqlx::query(
                    "INSERT INTO plan_updates (period, plan_id, state, saved_at, saved_by)
                     VALUES ($1, $2, 'concept', $3, $4)",
                )
                .bind(period.to_owned())
                .bind(plan_id.to_owned())
                .bind(now.clone())
                .bind(actor.name.clone()),
            )
            .await?;
            (None, 1)
        } else {
            let version = claim_update(&mut w, period, plan_id, expected_version).await?;
            let current = load_update(&mut w, period, plan_id).await?;
            let notes = load_notes(&mut w, period, plan_id).await?;
            let text = milestone_text(&mut w, plan_id, &notes).await?;
            (
                Some(update_values(&current.fields(), text, current.state())),
                version,
            )
        };
        let current_state = match &before {
            Some(values) => state_of(values),
            None => UpdateState::Draft,
        };
        // Saving without submitting keeps a question open, and sends an update that was
        // submitted or accepted back for review (it changed), never back to a draft.
        let state = match (submit, current_state) {
            (true, _) => UpdateState::Submitted,
            (false, UpdateState::Clarification) => UpdateState::Clarification,
            (false, UpdateState::Submitted | UpdateState::Accepted) => UpdateState::Submitted,
            (false, UpdateState::Draft) => UpdateState::Draft,
        };
        let milestone_text = milestone_text(&mut w, plan_id, milestones).await?;
        sqlx::query(
            "UPDATE plan_updates SET light = $1, done = $2, next_steps = $3, needs = $4,
                state = $5, saved_at = $6, saved_by = $7,
                submitted_at = CASE WHEN $8 = 1 THEN $6 ELSE submitted_at END,
                submitted_by = CASE WHEN $8 = 1 THEN $7 ELSE submitted_by END,
                is_example = $11, source_id = $12
              WHERE period = $9 AND plan_id = $10",
        )
        .bind(fields.light.map(|l| l.code()))
        .bind(&fields.done)
        .bind(&fields.next_steps)
        .bind(&fields.needs)
        .bind(state.code())
        .bind(&now)
        .bind(&actor.name)
        .bind(i64::from(submit))
        .bind(period)
        .bind(plan_id)
        .bind(i64::from(origin.is_example))
        .bind(origin.source_id.as_deref())
        .execute(w.conn())
        .await?;
        sqlx::query("DELETE FROM update_milestones WHERE period = $1 AND plan_id = $2")
            .bind(period)
            .bind(plan_id)
            .execute(w.conn())
            .await?;
        let rows: Vec<[(&'static str, Value); 5]> = milestones
            .iter()
            .map(|m| {
                [
                    ("period", Value::Text(Some(period.to_owned()))),
                    ("plan_id", Value::Text(Some(plan_id.to_owned()))),
                    ("milestone_id", Value::Int(Some(m.milestone_id))),
                    ("outcome", Value::Text(Some(m.outcome.code().to_owned()))),
                    ("moved_to", Value::Text(m.moved_to.clone())),
                ]
            })
            .collect();
        w.insert_rows("update_milestones", rows).await?;
        let subject = update_subject(period, plan_id, &plan_name);
        if before.is_none() {
            w.audit_created(&subject, UpdateField::Record).await?;
        }
        w.audit_changes(
            &subject,
            before.as_deref(),
            &update_values(fields, milestone_text, state),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// The kernteam's judgement of a submitted update: accepted, or a question (`comment`,
    /// required then) that sends it back to the trekker.
    #[allow(clippy::too_many_arguments)]
    pub async fn review_update(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        plan_id: &str,
        expected_version: i64,
        verdict: Verdict,
        comment: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let plan_name = begin_update_write(&mut w, period, plan_id).await?;
        if w.version_of(&update_key(period, plan_id)).await?.is_none() {
            return Err(StoreError::Refused(Refusal::of(
                UpdateField::Review,
                format!(
                    "\"{plan_name}\" heeft nog geen update in {period}; er valt niets te beoordelen."
                ),
            )));
        }
        let version = claim_update(&mut w, period, plan_id, expected_version).await?;
        let current = load_update(&mut w, period, plan_id).await?;
        if current.state() != UpdateState::Submitted {
            return Err(StoreError::Refused(Refusal::of(
                UpdateField::Review,
                format!(
                    "Alleen een ingediende update kan worden beoordeeld; deze staat op \"{}\".",
                    current.state().label().to_lowercase()
                ),
            )));
        }
        if verdict == Verdict::AskClarification && comment.is_none() {
            return Err(StoreError::Refused(Refusal::of(
                UpdateField::Review,
                "Schrijf bij een vraag om verduidelijking wat de trekker moet aanvullen; die ziet uw vraag bij de update.",
            )));
        }
        let state = match verdict {
            Verdict::Accept => UpdateState::Accepted,
            Verdict::AskClarification => UpdateState::Clarification,
        };
        sqlx::query("UPDATE plan_updates SET state = $1 WHERE period = $2 AND plan_id = $3")
            .bind(state.code())
            .bind(period)
            .bind(plan_id)
            .execute(w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO update_reviews (period, plan_id, verdict, comment, at, actor)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(period)
        .bind(plan_id)
        .bind(verdict.code())
        .bind(comment)
        .bind(crate::store::now_text())
        .bind(&actor.name)
        .execute(w.conn())
        .await?;
        let subject = update_subject(period, plan_id, &plan_name);
        w.audit(
            &subject,
            UpdateField::State,
            Some(current.state().label()),
            Some(state.label()),
        )
        .await?;
        let review = match comment {
            Some(c) => format!("{}: {c}", verdict.label()),
            None => verdict.label().to_owned(),
        };
        w.audit(&subject, UpdateField::Review, None, Some(&review))
            .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Closes a round and freezes its snapshot: the portfolio as it stands now (or on `as_of`),
    /// with the round's updates, the KPI's and the open actions. The snapshot is made before
    /// the write and kept only when nothing was written in between (the data's version tells);
    /// otherwise it is made again.
    pub async fn close_round(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        expected_version: i64,
        as_of: Option<Date>,
    ) -> Result<i64, StoreError> {
        for _ in 0..3 {
            let seen = self.data_version().await?;
            let Some(round) = self.round(period).await? else {
                return Err(StoreError::NotFound(format!(
                    "Er is geen rapportageronde {period}."
                )));
            };
            let mut snapshot = Snapshot::build(self, &round, as_of).await?;
            let mut w = self.write(actor, reason).await?;
            let version = w
                .claim(&round_key(period), expected_version, || {
                    format!("Er is geen rapportageronde {period}.")
                })
                .await?;
            lock_open_round(&mut w, period).await?;
            let (now_seen,): (i64,) = sqlx::query_as("SELECT value FROM data_version WHERE id = 1")
                .fetch_one(w.conn())
                .await?;
            if now_seen != seen {
                // Something was saved while the snapshot was made: make it again.
                drop(w);
                continue;
            }
            let now = crate::store::now_text();
            snapshot.round.status = "gesloten".into();
            snapshot.round.closed_at = Some(now.clone());
            snapshot.round.closed_by = Some(actor.name.clone());
            let document = serde_json::to_string(&snapshot).map_err(|e| {
                StoreError::Refused(Refusal::general(format!(
                    "De momentopname kon niet worden vastgelegd: {e}"
                )))
            })?;
            sqlx::query(
                "UPDATE report_rounds SET status = 'gesloten', closed_at = $1, closed_by = $2,
                    as_of = $3
                  WHERE period = $4",
            )
            .bind(&now)
            .bind(&actor.name)
            .bind(as_of.map(|d| d.to_string()))
            .bind(period)
            .execute(w.conn())
            .await?;
            sqlx::query(
                "INSERT INTO round_snapshots (period, schema_version, made_at, document)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(period)
            .bind(i64::from(SCHEMA_VERSION))
            .bind(&now)
            .bind(&document)
            .execute(w.conn())
            .await?;
            let subject = round_subject(period);
            w.audit(&subject, RoundField::Status, Some("Open"), Some("Gesloten"))
                .await?;
            let what = match as_of {
                Some(d) => format!(
                    "{} op {}",
                    plans_text(snapshot.plans.len()),
                    crate::domain::format_date_nl(d)
                ),
                None => plans_text(snapshot.plans.len()),
            };
            w.audit(&subject, RoundField::Snapshot, None, Some(&what))
                .await?;
            w.commit().await?;
            return Ok(version);
        }
        Err(StoreError::Refused(Refusal::general(
            "Tijdens het sluiten werd steeds iets anders opgeslagen; probeer het over een minuut opnieuw.",
        )))
    }

    /// Makes a closed round public (after the regiegroep or BBO has seen it).
    pub async fn publish_round(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(&round_key(period), expected_version, || {
                format!("Er is geen rapportageronde {period}.")
            })
            .await?;
        let (status, published): (String, Option<String>) =
            sqlx::query_as("SELECT status, published_at FROM report_rounds WHERE period = $1")
                .bind(period)
                .fetch_one(w.conn())
                .await?;
        if status != "gesloten" {
            return Err(StoreError::Refused(Refusal::of(
                RoundField::Published,
                "Sluit de ronde eerst; alleen een gesloten ronde kan openbaar worden.",
            )));
        }
        if published.is_some() {
            return Err(StoreError::Refused(Refusal::of(
                RoundField::Published,
                "Deze ronde is al openbaar.",
            )));
        }
        let now = crate::store::now_text();
        sqlx::query(
            "UPDATE report_rounds SET published_at = $1, published_by = $2 WHERE period = $3",
        )
        .bind(&now)
        .bind(&actor.name)
        .bind(period)
        .execute(w.conn())
        .await?;
        w.audit(
            &round_subject(period),
            RoundField::Published,
            None,
            Some("openbaar"),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Records a correction to a closed round: a new dated entry; the snapshot stays as it was.
    pub async fn add_correction(
        &self,
        actor: &Actor,
        reason: &Reason,
        period: &str,
        plan_id: Option<&str>,
        text: &str,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM report_rounds WHERE period = $1")
                .bind(period)
                .fetch_optional(w.conn())
                .await?;
        match status.as_deref() {
            None => {
                return Err(StoreError::NotFound(format!(
                    "Er is geen rapportageronde {period}."
                )));
            }
            Some("gesloten") => {}
            Some(_) => {
                return Err(StoreError::Refused(Refusal::of(
                    RoundField::Correction,
                    "De ronde is nog open: pas de update zelf aan. Een correctie is voor een gesloten ronde.",
                )));
            }
        }
        if let Some(p) = plan_id {
            plan_in_round(&mut w, period, p).await?;
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO round_corrections (period, plan_id, text, at, actor)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(period)
        .bind(plan_id)
        .bind(text)
        .bind(crate::store::now_text())
        .bind(&actor.name)
        .fetch_one(w.conn())
        .await?;
        let mut subject = round_subject(period);
        subject.plan_id = plan_id.map(str::to_owned);
        w.audit(&subject, RoundField::Correction, None, Some(text))
            .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Notes in the round's trail that a reminder was sent, and to how many.
    pub async fn note_reminder(
        &self,
        actor: &Actor,
        period: &str,
        what: &str,
    ) -> Result<(), StoreError> {
        let mut w = self.write(actor, &Reason::default()).await?;
        w.audit(
            &round_subject(period),
            RoundField::Reminder,
            None,
            Some(what),
        )
        .await?;
        w.commit().await
    }
}

fn plans_text(n: usize) -> String {
    if n == 1 {
        "1 plan".to_owned()
    } else {
        format!("{n} plannen")
    }
}

fn state_of(values: &[(UpdateField, Option<String>)]) -> UpdateState {
    values
        .iter()
        .find(|(f, _)| *f == UpdateField::State)
        .and_then(|(_, v)| v.as_deref())
        .and_then(|label| {
            UpdateState::ALL
                .iter()
                .copied()
                .find(|s| s.label() == label)
        })
        .unwrap_or(UpdateState::Draft)
}

async fn load_update(
    w: &mut Write<'_>,
    period: &str,
    plan_id: &str,
) -> Result<UpdateRow, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {UPDATE_COLUMNS} FROM plan_updates WHERE period = $1 AND plan_id = $2"
    )))
    .bind(period)
    .bind(plan_id)
    .fetch_one(w.conn())
    .await?)
}

async fn load_notes(
    w: &mut Write<'_>,
    period: &str,
    plan_id: &str,
) -> Result<Vec<MilestoneNote>, StoreError> {
    let rows: Vec<UpdateMilestoneRow> = sqlx::query_as(
        "SELECT plan_id, milestone_id, outcome, moved_to FROM update_milestones
          WHERE period = $1 AND plan_id = $2",
    )
    .bind(period)
    .bind(plan_id)
    .fetch_all(w.conn())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(MilestoneNote {
                milestone_id: r.milestone_id,
                outcome: MilestoneOutcome::parse(&r.outcome).ok()?,
                moved_to: r.moved_to,
            })
        })
        .collect())
}
