//! Governance's reads and writes. Every write goes through the one write path; an agenda item
//! or an outcome is part of its meeting, so adding one claims the meeting's version.

use std::collections::HashMap;

use super::model::{
    AgendaItemFields, AgendaItemRow, AttendanceFields, AttendanceRow, DecisionKey, DecisionRow,
    ItemLinks, MeetingField, MeetingFields, MeetingRow, OutcomeFields, OutcomeRow, VisibleItem,
    VisibleMeeting,
};
use crate::domain::{OutcomeKind, Stage};
use crate::store::write_path::{RecordKey, Value, Write};
use crate::store::{Actor, Reason, Refusal, Store, StoreError, Subject};

const MEETING_COLUMNS: &str = "id, body_id, starts_on, starts_at, ends_at, place, chair, status,
    status_assumption, source_id, cancelled, cancel_reason, version";

pub(crate) fn meeting_key(id: &str) -> RecordKey<'_> {
    RecordKey::text("meetings", id)
}

fn meeting_subject(id: &str, body_name: &str, day: &str) -> Subject {
    Subject {
        record_id: id.to_owned(),
        record_label: format!("Vergadering {body_name} {day}"),
        ..Subject::default()
    }
}

fn hhmm(t: Option<jiff::civil::Time>) -> Option<String> {
    t.map(|t| t.strftime("%H:%M").to_string())
}

/// The readable values of a meeting for the trail.
fn meeting_values(f: &MeetingFields, body_name: &str) -> Vec<(MeetingField, Option<String>)> {
    vec![
        (MeetingField::Body, Some(body_name.to_owned())),
        (MeetingField::Day, Some(f.day.to_string())),
        (MeetingField::Starts, hhmm(f.starts)),
        (MeetingField::Ends, hhmm(f.ends)),
        (MeetingField::Place, f.place.clone()),
        (MeetingField::Chair, f.chair.clone()),
        (MeetingField::Status, Some(f.status.label().to_owned())),
    ]
}

/// The body's name, or a refusal naming the field.
async fn body_name(w: &mut Write<'_>, body_id: &str) -> Result<String, StoreError> {
    sqlx::query_scalar("SELECT name FROM bodies WHERE id = $1")
        .bind(body_id.to_owned())
        .fetch_optional(w.conn())
        .await?
        .ok_or_else(|| {
            StoreError::Refused(Refusal::of(
                MeetingField::Body,
                format!("Er is geen overleg \"{body_id}\"; kies een overleg uit de lijst."),
            ))
        })
}

/// A text's length and lines, as its field allows.
fn check_text(field: MeetingField, value: Option<&str>) -> Result<(), StoreError> {
    use crate::store::RecordField;
    match value {
        Some(v) => field
            .text_kind()
            .check(field.label(), v)
            .map_err(|m| StoreError::Refused(Refusal::of(field, m))),
        None => Ok(()),
    }
}

fn check_times(f: &MeetingFields) -> Result<(), StoreError> {
    check_text(MeetingField::Place, f.place.as_deref())?;
    check_text(MeetingField::Chair, f.chair.as_deref())?;
    match (f.starts, f.ends) {
        (None, Some(_)) => Err(StoreError::Refused(Refusal::of(
            MeetingField::Starts,
            "Begint om: vul ook de begintijd in, of laat de eindtijd leeg.",
        ))),
        (Some(s), Some(e)) if e <= s => Err(StoreError::Refused(Refusal::of(
            MeetingField::Ends,
            "Eindigt om: kies een tijd na de begintijd.",
        ))),
        _ => Ok(()),
    }
}

/// Makes a meeting's actiepunt an action (the one kind of record for actions), lying with the
/// meeting's body; about the agenda item's plan when it is about exactly one.
pub(crate) async fn give_out_action(
    w: &mut Write<'_>,
    meeting: &MeetingRow,
    number: i64,
    position: i64,
    text: &str,
    fields: &OutcomeFields,
) -> Result<i64, StoreError> {
    use crate::features::actions::model::{ActionFields, ActionOrigin};
    let plans: Vec<(String,)> = sqlx::query_as(
        "SELECT plan_id FROM agenda_item_plans WHERE meeting_id = $1 AND number = $2",
    )
    .bind(meeting.id.clone())
    .bind(number)
    .fetch_all(w.conn())
    .await?;
    let plan_id = match plans.as_slice() {
        [(only,)] => Some(only.clone()),
        _ => None,
    };
    let origin = ActionOrigin::Meeting {
        meeting_id: meeting.id.clone(),
        number,
        position,
    };
    let action = ActionFields {
        area_id: None,
        plan_id,
        title: text.to_owned(),
        description: None,
        owner: fields.owner.clone(),
        owner_organisation_id: fields.owner_organisation_id.clone(),
        deadline: fields.due,
        status: crate::domain::ActionStatus::Open,
    };
    crate::features::actions::repo::insert_action(w, &origin, &action, Some(&meeting.body_id)).await
}

/// The names of what an agenda item was linked to, for the trail (None: nothing of that kind).
struct Linked {
    indicators: Option<String>,
    rounds: Option<String>,
    actions: Option<String>,
}

/// Links agenda item `number` to the KPIs, quarterly rounds and actions `fields` name, after
/// checking that each exists; returns their names for the trail.
async fn link_item(
    w: &mut Write<'_>,
    meeting_id: &str,
    number: i64,
    fields: &AgendaItemFields,
) -> Result<Linked, StoreError> {
    let missing = |field: MeetingField, what: String| {
        StoreError::Refused(Refusal::of(
            field,
            format!(
                "{}: er is geen {what}; kies uit de lijst.",
                crate::store::RecordField::label(field)
            ),
        ))
    };
    let mut indicators = Vec::new();
    for id in &fields.indicators {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM indicators WHERE id = $1")
            .bind(id.clone())
            .fetch_optional(w.conn())
            .await?;
        indicators
            .push(name.ok_or_else(|| missing(MeetingField::Indicators, format!("KPI \"{id}\"")))?);
        sqlx::query(
            "INSERT INTO agenda_item_indicators (meeting_id, number, indicator_id) VALUES ($1, $2, $3)",
        )
        .bind(meeting_id.to_owned())
        .bind(number)
        .bind(id.clone())
        .execute(w.conn())
        .await?;
    }
    let mut rounds = Vec::new();
    for period in &fields.rounds {
        let known: Option<String> =
            sqlx::query_scalar("SELECT period FROM report_rounds WHERE period = $1")
                .bind(period.clone())
                .fetch_optional(w.conn())
                .await?;
        rounds.push(
            known.ok_or_else(|| {
                missing(MeetingField::Rounds, format!("kwartaalronde \"{period}\""))
            })?,
        );
        sqlx::query(
            "INSERT INTO agenda_item_rounds (meeting_id, number, period) VALUES ($1, $2, $3)",
        )
        .bind(meeting_id.to_owned())
        .bind(number)
        .bind(period.clone())
        .execute(w.conn())
        .await?;
    }
    let mut actions = Vec::new();
    for id in &fields.actions {
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM actions WHERE id = $1")
            .bind(*id)
            .fetch_optional(w.conn())
            .await?;
        let title = title.ok_or_else(|| missing(MeetingField::Actions, format!("actie {id}")))?;
        actions.push(format!("actie {id}: {title}"));
        sqlx::query(
            "INSERT INTO agenda_item_actions (meeting_id, number, action_id) VALUES ($1, $2, $3)",
        )
        .bind(meeting_id.to_owned())
        .bind(number)
        .bind(*id)
        .execute(w.conn())
        .await?;
    }
    let joined = |v: Vec<String>| Some(v.join("; ")).filter(|s| !s.is_empty());
    Ok(Linked {
        indicators: joined(indicators),
        rounds: joined(rounds),
        actions: joined(actions),
    })
}

/// A meeting as stored, read in a write.
pub(crate) async fn load_meeting(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<MeetingRow, StoreError> {
    let row: Option<MeetingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("Er is geen vergadering \"{id}\".")))
}

/// Claims a meeting at the version the form showed; its body's name and its day.
async fn claim_meeting(
    w: &mut Write<'_>,
    id: &str,
    expected_version: i64,
) -> Result<(i64, MeetingRow, String), StoreError> {
    let version = w
        .claim(&meeting_key(id), expected_version, || {
            format!("Er is geen vergadering \"{id}\".")
        })
        .await?;
    let row = load_meeting(w.conn(), id).await?;
    let name = body_name(w, &row.body_id).await?;
    Ok((version, row, name))
}

/// Sets a plan's stage as a meeting decided it: the plan's version moves (an edit form opened
/// before it gets a conflict), and the stage change carries the meeting's verslag as source,
/// or a source for the meeting itself, and the meeting's day as the date it took effect.
async fn decide_stage(
    w: &mut Write<'_>,
    meeting: &MeetingRow,
    body_name: &str,
    plan_id: &str,
    stage: crate::domain::Stage,
    decision: &str,
    expected: Option<Stage>,
) -> Result<Option<crate::domain::Stage>, StoreError> {
    use crate::features::plans::model::StageChange;
    use crate::features::sources::model::SourceRef;
    let refused = |m: String| StoreError::Refused(Refusal::of(MeetingField::Decision, m));
    let unknown = || {
        format!(
            "Besluit over de fase van een plan: er is geen plan \"{plan_id}\"; kies het plan uit de lijst."
        )
    };
    let day = meeting
        .day()
        .ok_or_else(|| refused("De vergadering heeft geen datum.".into()))?;
    // The plan's row first (on PostgreSQL its lock), then its stage: a save of the plan that
    // commits meanwhile is seen, never overwritten.
    w.bump(&RecordKey::text("plans", plan_id), unknown)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(m) => refused(m),
            other => other,
        })?;
    let current = crate::features::plans::repo::load_plan(w.conn(), plan_id)
        .await?
        .ok_or_else(|| refused(unknown()))?;
    if let Some(expected) = expected
        && current.stage != Some(expected)
    {
        return Err(StoreError::Refused(Refusal::of(
            MeetingField::Withdraws,
            format!(
                "Trekt in: de fase van het plan is sinds dat besluit veranderd (nu: {}); leg een nieuw besluit over de fase vast in plaats van dit in te trekken.",
                current
                    .stage
                    .map_or("onbekend", Stage::label)
                    .to_lowercase()
            ),
        )));
    }
    let source = match &meeting.source_id {
        Some(id) => SourceRef::Existing(id.clone()),
        None => SourceRef::New(format!("Vergadering {body_name}")),
    };
    let change = StageChange {
        stage,
        date: crate::domain::FactDate::day(day),
        source: Some(source),
        note: Some(format!("Besluit: {decision}")),
    };
    let subject = crate::features::plans::repo::plan_subject(plan_id, &current.fields.name);
    crate::features::plans::repo::apply_stage_change(
        w,
        &Reason::default(),
        &subject,
        current.stage,
        &change,
    )
    .await?;
    Ok(current.stage)
}

/// A besluit as withdrawing it needs it: kind, plan, stage, stage before, its meeting's day.
type WithdrawTarget = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// Withdraws the besluit `key` by the besluit being recorded in `meeting`: refuses what cannot
/// be withdrawn, and gives a plan whose stage that besluit set the stage it had before; refused
/// when the plan's stage has changed since. Returns the stage change it made as (plan, new
/// stage, stage before).
async fn withdraw(
    w: &mut Write<'_>,
    meeting: &MeetingRow,
    body_name: &str,
    key: &DecisionKey,
    text: &str,
) -> Result<Option<(String, Stage, Option<Stage>)>, StoreError> {
    let refused = |m: &str| StoreError::Refused(Refusal::of(MeetingField::Withdraws, m));
    let target: Option<WithdrawTarget> = sqlx::query_as(
        "SELECT o.kind, o.plan_id, o.stage, o.stage_before, m.starts_on
               FROM agenda_outcomes o JOIN meetings m ON m.id = o.meeting_id
              WHERE o.meeting_id = $1 AND o.number = $2 AND o.position = $3",
    )
    .bind(key.meeting_id.clone())
    .bind(key.number)
    .bind(key.position)
    .fetch_optional(w.conn())
    .await?;
    let Some((kind, plan_id, stage, stage_before, day)) = target else {
        return Err(refused(
            "Trekt in: dat besluit bestaat niet; kies een besluit uit de lijst.",
        ));
    };
    if kind != OutcomeKind::Decision.code() {
        return Err(refused(
            "Trekt in: alleen een besluit kan worden ingetrokken; kies een besluit uit de lijst.",
        ));
    }
    let (already,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM agenda_outcomes
          WHERE withdraws_meeting_id = $1 AND withdraws_number = $2 AND withdraws_position = $3",
    )
    .bind(key.meeting_id.clone())
    .bind(key.number)
    .bind(key.position)
    .fetch_one(w.conn())
    .await?;
    if already > 0 {
        return Err(refused(
            "Trekt in: dat besluit is al ingetrokken; kies een ander besluit.",
        ));
    }
    if meeting.starts_on < day {
        return Err(refused(
            "Trekt in: een besluit kan alleen in dezelfde of een latere vergadering worden ingetrokken.",
        ));
    }
    let (Some(plan_id), Some(stage)) =
        (plan_id, stage.as_deref().and_then(|s| Stage::parse(s).ok()))
    else {
        return Ok(None);
    };
    let Some(before) = stage_before.as_deref().and_then(|s| Stage::parse(s).ok()) else {
        return Err(refused(
            "Trekt in: van dat besluit is niet bekend welke fase het plan ervoor had; leg een nieuw besluit over de fase vast.",
        ));
    };
    let was = decide_stage(w, meeting, body_name, &plan_id, before, text, Some(stage)).await?;
    Ok(Some((plan_id, before, was)))
}

impl Store {
    /// The lead organisations (trekkers) of the plans each agenda item of a meeting is about,
    /// as (item number, organisation id): who besides a beheerder may record its outcomes.
    pub async fn item_leads(&self, meeting_id: &str) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT ap.number, po.organisation_id FROM agenda_item_plans ap
               JOIN plan_organisations po ON po.plan_id = ap.plan_id AND po.role = 'trekker'
              WHERE ap.meeting_id = $1",
        )
        .bind(meeting_id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every besluit of every meeting, the latest meeting first, with the plans of its agenda
    /// item as (meeting id, item number, plan id).
    pub async fn decisions(
        &self,
    ) -> Result<(Vec<DecisionRow>, Vec<(String, i64, String)>), StoreError> {
        let rows = sqlx::query_as(
            "SELECT m.id AS meeting_id, m.starts_on, m.status, b.id AS body_id,
                    b.name AS body_name, i.number, o.position, i.title AS item_title, o.text,
                    o.plan_id, o.stage, o.withdraws_meeting_id, o.withdraws_number,
                    o.withdraws_position
               FROM agenda_outcomes o
               JOIN agenda_items i ON i.meeting_id = o.meeting_id AND i.number = o.number
               JOIN meetings m ON m.id = o.meeting_id
               JOIN bodies b ON b.id = m.body_id
              WHERE o.kind = 'besluit'
              ORDER BY m.starts_on DESC, m.id, i.number, o.position",
        )
        .fetch_all(&self.pool)
        .await?;
        let plans = sqlx::query_as(
            "SELECT ap.meeting_id, ap.number, ap.plan_id FROM agenda_item_plans ap
               JOIN agenda_outcomes o ON o.meeting_id = ap.meeting_id AND o.number = ap.number
              WHERE o.kind = 'besluit'",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((rows, plans))
    }

    /// Every meeting, the latest first.
    pub async fn meetings(&self) -> Result<Vec<MeetingRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings
              ORDER BY starts_on DESC, COALESCE(starts_at, '') DESC, id"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The meetings of a body, the earliest first.
    pub async fn meetings_of_body(&self, body_id: &str) -> Result<Vec<MeetingRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE body_id = $1
              ORDER BY starts_on, COALESCE(starts_at, ''), id"
        )))
        .bind(body_id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    /// The last meeting of a BBO before `today` (YYYY-MM-DD) that has a verslag, and the next
    /// one from `today` on, each as (id, day, body name): the start page says when they are.
    pub async fn bbo_around(
        &self,
        today: &str,
    ) -> Result<
        (
            Option<(String, String, String)>,
            Option<(String, String, String)>,
        ),
        StoreError,
    > {
        let one = |sql: &'static str| async move {
            sqlx::query_as::<_, (String, String, String)>(sql)
                .bind(today.to_owned())
                .fetch_optional(&self.pool)
                .await
        };
        let last = one(
            "SELECT m.id, m.starts_on, b.name FROM meetings m JOIN bodies b ON b.id = m.body_id
              WHERE b.kind = 'bbo' AND m.starts_on < $1
                AND m.status IN ('verslag-concept', 'verslag-vastgesteld')
              ORDER BY m.starts_on DESC, m.id DESC LIMIT 1",
        )
        .await?;
        let next = one(
            "SELECT m.id, m.starts_on, b.name FROM meetings m JOIN bodies b ON b.id = m.body_id
              WHERE b.kind = 'bbo' AND m.starts_on >= $1 AND m.cancelled = 0
              ORDER BY m.starts_on, m.id LIMIT 1",
        )
        .await?;
        Ok((last, next))
    }

    /// The agenda items about a plan, the latest meeting first: (meeting id, day, status,
    /// body name, item number, item title).
    pub async fn agenda_items_about_plan(
        &self,
        plan_id: &str,
    ) -> Result<Vec<(String, String, String, String, i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.starts_on, m.status, b.name, i.number, i.title
               FROM agenda_item_plans ap
               JOIN agenda_items i ON i.meeting_id = ap.meeting_id AND i.number = ap.number
               JOIN meetings m ON m.id = ap.meeting_id
               JOIN bodies b ON b.id = m.body_id
              WHERE ap.plan_id = $1
              ORDER BY m.starts_on DESC, m.id, i.number",
        )
        .bind(plan_id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn meeting(&self, id: &str) -> Result<Option<MeetingRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        )))
        .bind(id.to_owned())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A meeting with what someone (`signed_in` or not) may see of it; `None` when there is
    /// no such meeting. The one read of the meeting page and the API.
    pub async fn visible_meeting(
        &self,
        id: &str,
        signed_in: bool,
    ) -> Result<Option<VisibleMeeting>, StoreError> {
        let Some(meeting) = self.meeting(id).await? else {
            return Ok(None);
        };
        let status = meeting.status();
        let shows_agenda = status.agenda_visible_to(signed_in);
        let shows_outcomes = status.outcomes_visible_to(signed_in);
        let attendance = if shows_outcomes {
            self.meeting_attendance(id).await?
        } else {
            Vec::new()
        };
        let mut items = Vec::new();
        if shows_agenda {
            let mut plans: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for (number, plan_id, name) in self.agenda_item_plans(id).await? {
                plans.entry(number).or_default().push((plan_id, name));
            }
            let mut outcomes: HashMap<i64, Vec<OutcomeRow>> = HashMap::new();
            if shows_outcomes {
                for o in self.agenda_outcomes(id).await? {
                    outcomes.entry(o.number).or_default().push(o);
                }
            }
            let mut links = self.agenda_item_links(id, signed_in).await?;
            for item in self.agenda_items(id).await? {
                items.push(VisibleItem {
                    links: links.remove(&item.number).unwrap_or_default(),
                    plans: plans.remove(&item.number).unwrap_or_default(),
                    outcomes: outcomes.remove(&item.number).unwrap_or_default(),
                    item,
                });
            }
        }
        Ok(Some(VisibleMeeting {
            meeting,
            shows_agenda,
            shows_outcomes,
            attendance,
            items,
        }))
    }

    pub async fn meeting_attendance(&self, id: &str) -> Result<Vec<AttendanceRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT meeting_id, position, organisation_id, description, role
               FROM meeting_attendance WHERE meeting_id = $1 ORDER BY position",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn agenda_items(&self, id: &str) -> Result<Vec<AgendaItemRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT meeting_id, number, title, presenter_organisation_id, presenter_role,
                    presenter_assumption, attachments
               FROM agenda_items WHERE meeting_id = $1 ORDER BY number",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    /// The plans the agenda items of a meeting are about, as (item number, plan id, name).
    pub async fn agenda_item_plans(
        &self,
        id: &str,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT ap.number, p.id, p.name FROM agenda_item_plans ap
               JOIN plans p ON p.id = ap.plan_id
              WHERE ap.meeting_id = $1 ORDER BY ap.number, p.position, p.id",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    /// The KPIs, quarterly rounds and actions each agenda item of a meeting is about. An action
    /// that is a meeting's actiepunt is left out for a visitor until that meeting's verslag is
    /// vastgesteld.
    pub async fn agenda_item_links(
        &self,
        id: &str,
        signed_in: bool,
    ) -> Result<HashMap<i64, ItemLinks>, StoreError> {
        let mut links: HashMap<i64, ItemLinks> = HashMap::new();
        let indicators: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT ai.number, i.id, i.name FROM agenda_item_indicators ai
               JOIN indicators i ON i.id = ai.indicator_id
              WHERE ai.meeting_id = $1 ORDER BY ai.number, i.position, i.id",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        for (number, ind, name) in indicators {
            links
                .entry(number)
                .or_default()
                .indicators
                .push((ind, name));
        }
        let rounds: Vec<(i64, String)> = sqlx::query_as(
            "SELECT number, period FROM agenda_item_rounds WHERE meeting_id = $1
              ORDER BY number, period",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        for (number, period) in rounds {
            let words = crate::domain::Period::parse(&period)
                .map_or_else(|_| period.clone(), |p| p.label_nl());
            links
                .entry(number)
                .or_default()
                .rounds
                .push((period, words));
        }
        let actions: Vec<(i64, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT aa.number, a.id, a.title, m.status FROM agenda_item_actions aa
               JOIN actions a ON a.id = aa.action_id
               LEFT JOIN meetings m ON m.id = a.meeting_id
              WHERE aa.meeting_id = $1 ORDER BY aa.number, a.id",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        for (number, action, title, origin_status) in actions {
            let visible = origin_status.is_none_or(|s| {
                crate::domain::MeetingStatus::parse(&s)
                    .is_ok_and(|s| s.outcomes_visible_to(signed_in))
            });
            if visible {
                links
                    .entry(number)
                    .or_default()
                    .actions
                    .push((action, title));
            }
        }
        Ok(links)
    }

    pub async fn agenda_outcomes(&self, id: &str) -> Result<Vec<OutcomeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT meeting_id, number, position, kind, text, owner, due_on, withdraws_meeting_id,
                    withdraws_number, withdraws_position, plan_id, stage
               FROM agenda_outcomes WHERE meeting_id = $1 ORDER BY number, position",
        )
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Plans a new meeting of a body. Its id is the body's and the day's
    /// (`bbo-zou-2025-12-18`), with a number after it for a second meeting that day.
    pub async fn add_meeting(
        &self,
        actor: &Actor,
        reason: &Reason,
        fields: &MeetingFields,
    ) -> Result<String, StoreError> {
        check_times(fields)?;
        let mut w = self.write(actor, reason).await?;
        let name = body_name(&mut w, &fields.body_id).await?;
        let base = format!("{}-{}", fields.body_id, fields.day);
        let taken: Vec<String> =
            sqlx::query_scalar("SELECT id FROM meetings WHERE id = $1 OR id LIKE $1 || '-%'")
                .bind(base.clone())
                .fetch_all(w.conn())
                .await?;
        let id = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                }
            })
            .find(|id| !taken.contains(id))
            .unwrap_or(base);
        w.insert_new(
            sqlx::query(
                "INSERT INTO meetings (id, body_id, starts_on, starts_at, ends_at, place, chair,
                                       status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.clone())
            .bind(fields.body_id.clone())
            .bind(fields.day.to_string())
            .bind(hhmm(fields.starts))
            .bind(hhmm(fields.ends))
            .bind(fields.place.clone())
            .bind(fields.chair.clone())
            .bind(fields.status.code()),
        )
        .await?;
        let subject = meeting_subject(&id, &name, &fields.day.to_string());
        w.audit_created(&subject, MeetingField::Record).await?;
        w.audit_changes(&subject, None, &meeting_values(fields, &name))
            .await?;
        w.commit().await?;
        Ok(id)
    }

    /// Changes a meeting's day, times, place, chair or status, from the version the form
    /// showed. A status that was an aanname stops being one when it changes.
    pub async fn edit_meeting(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: &str,
        expected_version: i64,
        fields: &MeetingFields,
    ) -> Result<i64, StoreError> {
        check_times(fields)?;
        let mut w = self.write(actor, reason).await?;
        let (version, row, name) = claim_meeting(&mut w, id, expected_version).await?;
        if row.body_id != fields.body_id {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::Body,
                "Een vergadering blijft bij haar overleg; plan een nieuwe vergadering bij het andere overleg.",
            )));
        }
        let before = MeetingFields {
            body_id: row.body_id.clone(),
            day: row.day().unwrap_or(fields.day),
            starts: row.start(),
            ends: row.end(),
            place: row.place.clone(),
            chair: row.chair.clone(),
            status: row.status(),
        };
        let keeps_assumption = before.status == fields.status;
        sqlx::query(
            "UPDATE meetings SET starts_on = $1, starts_at = $2, ends_at = $3, place = $4,
                    chair = $5, status = $6,
                    status_assumption = CASE WHEN $7 = 1 THEN status_assumption END
              WHERE id = $8",
        )
        .bind(fields.day.to_string())
        .bind(hhmm(fields.starts))
        .bind(hhmm(fields.ends))
        .bind(fields.place.clone())
        .bind(fields.chair.clone())
        .bind(fields.status.code())
        .bind(i64::from(keeps_assumption))
        .bind(id.to_owned())
        .execute(w.conn())
        .await?;
        let subject = meeting_subject(id, &name, &row.starts_on);
        w.audit_changes(
            &subject,
            Some(&meeting_values(&before, &name)),
            &meeting_values(fields, &name),
        )
        .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Calls a meeting off (afgelast) with the reason, or, with `None`, lets it go ahead again;
    /// from the version the form showed. The meeting and all it holds stay.
    pub async fn set_cancelled(
        &self,
        actor: &Actor,
        meeting_id: &str,
        expected_version: i64,
        cancel_reason: Option<&str>,
    ) -> Result<i64, StoreError> {
        check_text(MeetingField::Cancelled, cancel_reason)?;
        let reason = Reason {
            comment: cancel_reason.map(str::to_owned),
            source: None,
        };
        let mut w = self.write(actor, &reason).await?;
        let (version, row, name) = claim_meeting(&mut w, meeting_id, expected_version).await?;
        sqlx::query("UPDATE meetings SET cancelled = $1, cancel_reason = $2 WHERE id = $3")
            .bind(i64::from(cancel_reason.is_some()))
            .bind(cancel_reason.map(str::to_owned))
            .bind(meeting_id.to_owned())
            .execute(w.conn())
            .await?;
        let words = |reason: Option<&str>| match reason {
            Some(r) => format!("geannuleerd: {r}"),
            None => "gaat door".to_owned(),
        };
        let old = words(row.cancel_reason.as_deref().filter(|_| row.is_cancelled()));
        let new = words(cancel_reason);
        if old == new {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::Cancelled,
                if cancel_reason.is_some() {
                    "Reden: de vergadering is al met deze reden geannuleerd."
                } else {
                    "De vergadering gaat al door; er is niets te wijzigen."
                },
            )));
        }
        let subject = meeting_subject(meeting_id, &name, &row.starts_on);
        w.audit(&subject, MeetingField::Cancelled, Some(&old), Some(&new))
            .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Adds who attended (an organisation or a description, and a role) after the meeting's
    /// last line of attendance, from the version the form showed.
    pub async fn add_attendance(
        &self,
        actor: &Actor,
        reason: &Reason,
        meeting_id: &str,
        expected_version: i64,
        fields: &AttendanceFields,
    ) -> Result<i64, StoreError> {
        if fields.organisation_id.is_none() && fields.description.is_none() {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::Attendance,
                "Aanwezig: kies een organisatie, of beschrijf wie er was (bijvoorbeeld: de wethouders van de vijf gemeenten).",
            )));
        }
        if fields.organisation_id.is_some() && fields.description.is_some() {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::AttendanceDescription,
                "Of een omschrijving: kies een organisatie óf beschrijf wie er was, niet allebei.",
            )));
        }
        check_text(
            MeetingField::AttendanceDescription,
            fields.description.as_deref(),
        )?;
        check_text(MeetingField::AttendanceRole, fields.role.as_deref())?;
        let mut w = self.write(actor, reason).await?;
        let (version, row, name) = claim_meeting(&mut w, meeting_id, expected_version).await?;
        let organisation = match &fields.organisation_id {
            None => None,
            Some(id) => Some(
                sqlx::query_scalar::<_, String>("SELECT name FROM organisations WHERE id = $1")
                    .bind(id.clone())
                    .fetch_optional(w.conn())
                    .await?
                    .ok_or_else(|| {
                        StoreError::Refused(Refusal::of(
                            MeetingField::Attendance,
                            format!("Aanwezig: er is geen organisatie \"{id}\"; kies de organisatie uit de lijst."),
                        ))
                    })?,
            ),
        };
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM meeting_attendance WHERE meeting_id = $1",
        )
        .bind(meeting_id.to_owned())
        .fetch_one(w.conn())
        .await?;
        sqlx::query(
            "INSERT INTO meeting_attendance (meeting_id, position, organisation_id, description, role)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(meeting_id.to_owned())
        .bind(position)
        .bind(fields.organisation_id.clone())
        .bind(fields.description.clone())
        .bind(fields.role.clone())
        .execute(w.conn())
        .await?;
        let who = [
            organisation.or_else(|| fields.description.clone()),
            fields.role.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let subject = meeting_subject(meeting_id, &name, &row.starts_on);
        w.audit(&subject, MeetingField::Attendance, None, Some(&who))
            .await?;
        w.commit().await?;
        Ok(version)
    }

    /// Adds an agenda item after the meeting's last one. Returns its number.
    pub async fn add_agenda_item(
        &self,
        actor: &Actor,
        reason: &Reason,
        meeting_id: &str,
        expected_version: i64,
        fields: &AgendaItemFields,
    ) -> Result<i64, StoreError> {
        let title = fields.title.trim();
        if title.is_empty() {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::AgendaItem,
                "Titel van het agendapunt: vul in waar het punt over gaat.",
            )));
        }
        check_text(MeetingField::AgendaItem, Some(title))?;
        check_text(MeetingField::Presenter, fields.presenter_role.as_deref())?;
        let attachments = Some(fields.attachments.join("\n")).filter(|a| !a.is_empty());
        check_text(MeetingField::Attachments, attachments.as_deref())?;
        let mut plans = fields.plans.clone();
        plans.sort_unstable();
        plans.dedup();
        let mut w = self.write(actor, reason).await?;
        let (_, row, name) = claim_meeting(&mut w, meeting_id, expected_version).await?;
        let organisation = match fields.presenter_organisation_id.as_deref() {
            None => None,
            Some(id) => Some(
                sqlx::query_scalar::<_, String>("SELECT name FROM organisations WHERE id = $1")
                    .bind(id.to_owned())
                    .fetch_optional(w.conn())
                    .await?
                    .ok_or_else(|| {
                        StoreError::Refused(Refusal::of(
                            MeetingField::Presenter,
                            format!(
                                "Er is geen organisatie \"{id}\"; kies de organisatie uit de lijst."
                            ),
                        ))
                    })?,
            ),
        };
        let mut plan_names = Vec::new();
        for plan in &plans {
            let known: Option<String> = sqlx::query_scalar("SELECT name FROM plans WHERE id = $1")
                .bind(plan.clone())
                .fetch_optional(w.conn())
                .await?;
            match known {
                Some(n) => plan_names.push(n),
                None => {
                    return Err(StoreError::Refused(Refusal::of(
                        MeetingField::Plans,
                        format!("Er is geen plan \"{plan}\"; kies het plan uit de lijst."),
                    )));
                }
            }
        }
        let number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM agenda_items WHERE meeting_id = $1",
        )
        .bind(meeting_id.to_owned())
        .fetch_one(w.conn())
        .await?;
        sqlx::query(
            "INSERT INTO agenda_items (meeting_id, number, title, presenter_organisation_id,
                                       presenter_role, attachments)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(meeting_id.to_owned())
        .bind(number)
        .bind(title.to_owned())
        .bind(fields.presenter_organisation_id.clone())
        .bind(fields.presenter_role.clone())
        .bind(attachments.clone())
        .execute(w.conn())
        .await?;
        w.insert_rows(
            "agenda_item_plans",
            plans.iter().map(|p| {
                [
                    ("meeting_id", Value::Text(Some(meeting_id.to_owned()))),
                    ("number", Value::Int(Some(number))),
                    ("plan_id", Value::Text(Some(p.clone()))),
                ]
            }),
        )
        .await?;
        let linked = link_item(&mut w, meeting_id, number, fields).await?;
        let subject = meeting_subject(meeting_id, &name, &row.starts_on);
        w.audit(
            &subject,
            MeetingField::AgendaItem,
            None,
            Some(&format!("{number}. {title}")),
        )
        .await?;
        let presenter = [fields.presenter_role.clone(), organisation]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let about = |what: String| Some(format!("agendapunt {number}: {what}"));
        for (field, value) in [
            (
                MeetingField::Presenter,
                Some(presenter).filter(|p| !p.is_empty()),
            ),
            (
                MeetingField::Plans,
                Some(plan_names.join(", ")).filter(|p| !p.is_empty()),
            ),
            (MeetingField::Attachments, attachments),
            (MeetingField::Indicators, linked.indicators),
            (MeetingField::Rounds, linked.rounds),
            (MeetingField::Actions, linked.actions),
        ] {
            if let Some(value) = value.and_then(about) {
                w.audit(&subject, field, None, Some(&value)).await?;
            }
        }
        w.commit().await?;
        Ok(number)
    }

    /// Records what came of an agenda item (informatie, besluit or actiepunt). A besluit about
    /// a plan's stage changes the plan in the same write: its stage, with the meeting as source
    /// (its verslag when it has one) and the meeting's day as the date it took effect.
    pub async fn add_outcome(
        &self,
        actor: &Actor,
        reason: &Reason,
        meeting_id: &str,
        number: i64,
        expected_version: i64,
        fields: &OutcomeFields,
    ) -> Result<i64, StoreError> {
        let text = fields.text.trim();
        if text.is_empty() {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::Outcome,
                "Uitkomst: schrijf wat er is besloten, afgesproken of gemeld.",
            )));
        }
        check_text(MeetingField::Outcome, Some(text))?;
        check_text(MeetingField::Owner, fields.owner.as_deref())?;
        let mut w = self.write(actor, reason).await?;
        let (version, row, name) = claim_meeting(&mut w, meeting_id, expected_version).await?;
        let position: Option<i64> = sqlx::query_scalar(
            "SELECT COALESCE((SELECT MAX(position) FROM agenda_outcomes
                               WHERE meeting_id = $1 AND number = $2), 0) + 1
               FROM agenda_items WHERE meeting_id = $1 AND number = $2",
        )
        .bind(meeting_id.to_owned())
        .bind(number)
        .fetch_optional(w.conn())
        .await?;
        let Some(position) = position else {
            return Err(StoreError::NotFound(format!(
                "De vergadering heeft geen agendapunt {number}."
            )));
        };
        if fields.stage.is_some() && fields.kind != crate::domain::OutcomeKind::Decision {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::Decision,
                "Een fase van een plan verandert alleen door een besluit; kies de soort besluit.",
            )));
        }
        if fields.withdraws.is_some()
            && (fields.kind != OutcomeKind::Decision || fields.stage.is_some())
        {
            return Err(StoreError::Refused(Refusal::of(
                MeetingField::Withdraws,
                "Trekt in: intrekken is een besluit zonder eigen fase; kies de soort besluit en laat de fase leeg.",
            )));
        }
        let mut decided: Option<(String, Stage, Option<Stage>)> = None;
        if let Some((plan_id, stage)) = &fields.stage {
            let before = decide_stage(&mut w, &row, &name, plan_id, *stage, text, None).await?;
            decided = Some((plan_id.clone(), *stage, before));
        }
        if let Some(key) = &fields.withdraws {
            decided = withdraw(&mut w, &row, &name, key, text).await?;
        }
        sqlx::query(
            "INSERT INTO agenda_outcomes (meeting_id, number, position, kind, text, owner, due_on,
                                          plan_id, stage, stage_before, withdraws_meeting_id,
                                          withdraws_number, withdraws_position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(meeting_id.to_owned())
        .bind(number)
        .bind(position)
        .bind(fields.kind.code())
        .bind(text.to_owned())
        .bind(fields.owner.clone())
        .bind(fields.due.map(|d| d.to_string()))
        .bind(decided.as_ref().map(|(p, _, _)| p.clone()))
        .bind(decided.as_ref().map(|(_, s, _)| s.code()))
        .bind(decided.as_ref().and_then(|(_, _, b)| b.map(Stage::code)))
        .bind(fields.withdraws.as_ref().map(|k| k.meeting_id.clone()))
        .bind(fields.withdraws.as_ref().map(|k| k.number))
        .bind(fields.withdraws.as_ref().map(|k| k.position))
        .execute(w.conn())
        .await
        .map_err(|e| match e {
            // Another withdrawal of the same besluit committed first.
            sqlx::Error::Database(d) if d.is_unique_violation() && fields.withdraws.is_some() => {
                StoreError::Refused(Refusal::of(
                    MeetingField::Withdraws,
                    "Trekt in: dat besluit is al ingetrokken; kies een ander besluit.",
                ))
            }
            other => other.into(),
        })?;
        if fields.kind == crate::domain::OutcomeKind::Action {
            give_out_action(&mut w, &row, number, position, text, fields).await?;
        }
        let subject = meeting_subject(meeting_id, &name, &row.starts_on);
        w.audit(
            &subject,
            MeetingField::Outcome,
            None,
            Some(&format!(
                "agendapunt {number}, {}: {text}{}{}",
                fields.kind.label().to_lowercase(),
                fields
                    .owner
                    .as_deref()
                    .map(|o| format!(" (eigenaar: {o})"))
                    .unwrap_or_default(),
                fields
                    .due
                    .map(|d| format!(" (uiterlijk {d})"))
                    .unwrap_or_default(),
            )),
        )
        .await?;
        if let Some(key) = &fields.withdraws {
            w.audit(
                &subject,
                MeetingField::Withdraws,
                None,
                Some(&format!(
                    "agendapunt {number} trekt in: het besluit van vergadering {}, agendapunt {}",
                    key.meeting_id, key.number
                )),
            )
            .await?;
        }
        w.commit().await?;
        Ok(version)
    }
}
