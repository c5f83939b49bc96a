//! The demo's meetings (`data/overleg/vergaderingen.toml`): the BBO of 9 October 2025 from its
//! verslag and the next BBO, stored in one write with their source and aannames.

use serde::Deserialize;

use super::model::{MeetingField, parse_time};
use crate::domain::{MeetingStatus, OutcomeKind, parse_date};
use crate::features::actions::model::ActionField;
use crate::store::write_path::Value;
use crate::store::{Actor, Reason, Refusal, Store, StoreError, Subject};

const MEETINGS: &str = include_str!("../../../data/overleg/vergaderingen.toml");

/// Why a demo actiepunt is "open": the verslag asks for it and says nothing of what followed.
const ACTION_STATUS_ASSUMPTION: &str = "Het verslag vraagt om dit actiepunt en zegt niet of het is uitgevoerd; dat het nog open staat, is aangenomen.";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    vergadering: Vec<Meeting>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meeting {
    id: String,
    overleg: String,
    /// `2025-10-09T11:00`, or the day alone when the time is not known.
    begint: String,
    /// `2025-10-09T13:00`
    eindigt: Option<String>,
    plaats: Option<String>,
    voorzitter: Option<String>,
    status: String,
    aanname_status: Option<String>,
    bron: Option<String>,
    #[serde(default)]
    aanwezig: Vec<Attendance>,
    #[serde(default)]
    agendapunt: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Attendance {
    organisatie: Option<String>,
    omschrijving: Option<String>,
    rol: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    nummer: i64,
    titel: String,
    inbrenger_organisatie: Option<String>,
    inbrenger_rol: Option<String>,
    aanname_inbrenger: Option<String>,
    #[serde(default)]
    bijlagen: Vec<String>,
    #[serde(default)]
    plannen: Vec<String>,
    #[serde(default)]
    uitkomst: Vec<Outcome>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Outcome {
    soort: String,
    tekst: String,
    eigenaar: Option<String>,
    /// The id of the organisation that owns an actiepunt, when the minutes name one.
    organisatie: Option<String>,
    uiterlijk: Option<String>,
}

fn refused(message: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal::general(format!(
        "data/overleg/vergaderingen.toml: {}",
        message.into()
    )))
}

/// The day and, when given, the time of `2025-10-09T11:00` or `2025-10-09`.
fn day_and_time(value: &str) -> Result<(String, Option<String>), StoreError> {
    let (day, time) = match value.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (value, None),
    };
    let day = parse_date(day).map_err(|e| refused(format!("{value}: {e}")))?;
    let time = time
        .map(|t| parse_time(t).map(|t| t.strftime("%H:%M").to_string()))
        .transpose()
        .map_err(|e| refused(format!("{value}: {e}")))?;
    Ok((day.to_string(), time))
}

fn text(value: Option<&str>) -> Value {
    Value::Text(value.map(str::to_owned))
}

impl Store {
    /// Stores the demo's meetings, with their attendance, agenda items and outcomes.
    pub async fn load_demo_meetings(&self, actor: &Actor) -> Result<(), StoreError> {
        let file: File = toml::from_str(MEETINGS).map_err(|e| refused(e.to_string()))?;
        let mut w = self.write(actor, &Reason::default()).await?;
        for m in &file.vergadering {
            let status = MeetingStatus::parse(&m.status).map_err(|e| refused(e.0))?;
            let (day, starts) = day_and_time(&m.begint)?;
            let ends = match m.eindigt.as_deref().map(day_and_time).transpose()? {
                Some((end_day, end)) if end_day != day || end.is_none() => {
                    return Err(refused(format!(
                        "{}: eindigt moet een tijd op de dag van begint zijn",
                        m.id
                    )));
                }
                Some((_, end)) => end,
                None => None,
            };
            let body: Option<String> = sqlx::query_scalar("SELECT name FROM bodies WHERE id = $1")
                .bind(m.overleg.clone())
                .fetch_optional(w.conn())
                .await?;
            let body =
                body.ok_or_else(|| refused(format!("{}: geen overleg {}", m.id, m.overleg)))?;
            sqlx::query(
                "INSERT INTO meetings (id, body_id, starts_on, starts_at, ends_at, place, chair,
                                       status, status_assumption, source_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(m.id.clone())
            .bind(m.overleg.clone())
            .bind(day.clone())
            .bind(starts)
            .bind(ends)
            .bind(m.plaats.clone())
            .bind(m.voorzitter.clone())
            .bind(status.code())
            .bind(m.aanname_status.clone())
            .bind(m.bron.clone())
            .execute(w.conn())
            .await?;
            w.insert_rows(
                "meeting_attendance",
                m.aanwezig.iter().zip(1_i64..).map(|(a, position)| {
                    [
                        ("meeting_id", Value::Text(Some(m.id.clone()))),
                        ("position", Value::Int(Some(position))),
                        ("organisation_id", text(a.organisatie.as_deref())),
                        ("description", text(a.omschrijving.as_deref())),
                        ("role", text(a.rol.as_deref())),
                    ]
                }),
            )
            .await?;
            w.insert_rows(
                "agenda_items",
                m.agendapunt.iter().map(|i| {
                    let attachments = Some(i.bijlagen.join("\n")).filter(|a| !a.is_empty());
                    [
                        ("meeting_id", Value::Text(Some(m.id.clone()))),
                        ("number", Value::Int(Some(i.nummer))),
                        ("title", Value::Text(Some(i.titel.clone()))),
                        (
                            "presenter_organisation_id",
                            text(i.inbrenger_organisatie.as_deref()),
                        ),
                        ("presenter_role", text(i.inbrenger_rol.as_deref())),
                        ("presenter_assumption", text(i.aanname_inbrenger.as_deref())),
                        ("attachments", Value::Text(attachments)),
                    ]
                }),
            )
            .await?;
            w.insert_rows(
                "agenda_item_plans",
                m.agendapunt.iter().flat_map(|i| {
                    i.plannen.iter().map(|p| {
                        [
                            ("meeting_id", Value::Text(Some(m.id.clone()))),
                            ("number", Value::Int(Some(i.nummer))),
                            ("plan_id", Value::Text(Some(p.clone()))),
                        ]
                    })
                }),
            )
            .await?;
            let mut outcomes = Vec::new();
            let mut actions = Vec::new();
            for i in &m.agendapunt {
                for (o, position) in i.uitkomst.iter().zip(1_i64..) {
                    let kind = OutcomeKind::parse(&o.soort).map_err(|e| refused(e.0))?;
                    let due = o
                        .uiterlijk
                        .as_deref()
                        .map(parse_date)
                        .transpose()
                        .map_err(|e| refused(e.0))?;
                    if kind == OutcomeKind::Action {
                        actions.push((i.nummer, position, o.tekst.trim(), o, due));
                    } else if o.eigenaar.is_some() || due.is_some() {
                        return Err(refused(format!(
                            "vergadering {} punt {}: eigenaar en uiterlijk horen bij een actiepunt",
                            m.id, i.nummer
                        )));
                    }
                    outcomes.push([
                        ("meeting_id", Value::Text(Some(m.id.clone()))),
                        ("number", Value::Int(Some(i.nummer))),
                        ("position", Value::Int(Some(position))),
                        ("kind", Value::Text(Some(kind.code().to_owned()))),
                        ("text", Value::Text(Some(o.tekst.trim().to_owned()))),
                        ("owner", text(o.eigenaar.as_deref())),
                        ("due_on", Value::Text(due.map(|d| d.to_string()))),
                    ]);
                }
            }
            w.insert_rows("agenda_outcomes", outcomes).await?;
            let row = super::repo::load_meeting(w.conn(), &m.id).await?;
            for (number, position, tekst, o, due) in actions {
                let fields = super::model::OutcomeFields {
                    kind: OutcomeKind::Action,
                    text: tekst.to_owned(),
                    owner: o.eigenaar.clone(),
                    owner_organisation_id: o.organisatie.clone(),
                    due,
                    stage: None,
                    withdraws: None,
                };
                let action =
                    super::repo::give_out_action(&mut w, &row, number, position, tekst, &fields)
                        .await?;
                // The verslag gives the request, not whether it was done.
                sqlx::query(
                    "INSERT INTO assumptions (record_type, record_id, field, reason)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(<ActionField as crate::store::RecordField>::RECORD)
                .bind(action.to_string())
                .bind(crate::store::RecordField::code(ActionField::Status))
                .bind(ACTION_STATUS_ASSUMPTION)
                .execute(w.conn())
                .await?;
            }
            let subject = Subject {
                record_id: m.id.clone(),
                record_label: format!("Vergadering {body} {day}"),
                ..Subject::default()
            };
            w.audit_created(&subject, MeetingField::Record).await?;
        }
        w.commit().await
    }
}
