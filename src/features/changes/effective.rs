//! "Wat is er veranderd" by the date a change took effect, not the moment it was typed in.
//!
//! A change is one row: a plan's move to another stage, a gemeente's new rollout status, or
//! one save of a record (however many of its fields it changed). Stage and rollout steps carry
//! their effective date with its precision and their source; a save took effect on the day it
//! was made. A change is "since D" when its effective period may lie on or after D (a month or
//! quarter that holds D counts, marked as uncertain); a change recorded after its effective
//! date is marked "nagekomen". A step that only confirms the stage or status before it is no
//! change; what a portfolio file brought in when it was read is no change either.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use super::model::AuditRow;
use crate::domain::{FactDate, RolloutStatus, Stage};
use crate::features::plans::model::StageChangeRow;
use crate::features::rollouts::model::RolloutChangeRow;
use crate::web::view::Catalog;

/// What kind of change a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The plan moved to another stage.
    Stage,
    /// A gemeente's rollout status changed.
    Rollout,
    /// A save of a record on the website, the API or the command line.
    Edit,
}

/// One field of a save.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// The field's code, as the trail names it (`about`, `work_areas`, ...).
    pub field: String,
    /// Its Dutch label.
    pub label: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One change, as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    pub kind: ChangeKind,
    #[serde(skip)]
    pub plan_id: Option<String>,
    /// "Fase", "Uitrol in Zeist", "Bewerkt: Naam, Trekkers".
    pub what: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// When it took effect, as precisely as its source says (domain::FactDate).
    pub effective_date: String,
    /// The same in Dutch words: "9 oktober 2025", "4e kwartaal 2025".
    pub effective_label: String,
    /// The effective period only partly lies in the period asked for ("mogelijk").
    pub uncertain: bool,
    /// Recorded after it took effect: the day it was recorded ("nagekomen"), else null.
    pub late: Option<String>,
    /// When a person entered it in regiomonitor (UTC); null for a step from a portfolio file.
    pub recorded_at: Option<String>,
    pub source_id: Option<String>,
    /// The source's title and date: "Verslag BBO ZOU Verbonden, 9 oktober 2025".
    pub source: Option<String>,
    /// The wording of the source, or the comment of the save.
    pub note: Option<String>,
    /// Who saved it; for signed-in readers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// For a save: every field it changed, with the old and the new value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    #[serde(skip)]
    order: (FactDate, i64),
}

/// The period asked for, both days included; `known_on` leaves out what was recorded later
/// (the portfolio as known on a peildatum).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: Date,
    pub until: Date,
    pub known_on: Option<Date>,
}

/// Dutch time: the days of the list are days in Utrecht.
fn dutch_day(at: &str) -> Option<Date> {
    let ts = at.parse::<jiff::Timestamp>().ok()?;
    Some(ts.to_zoned(super::pages::dutch_time()).date())
}

/// The day a step was recorded: when a person entered it, or else its source's date (the
/// source recorded it); `None` when neither is known.
fn recorded_day(
    recorded_at: Option<&str>,
    source_id: Option<&str>,
    catalog: &Catalog,
) -> Option<Date> {
    match recorded_at {
        Some(at) => dutch_day(at),
        None => source_id
            .and_then(|id| catalog.source_row(id))
            .and_then(|s| FactDate::from_stored(&s.date).interval())
            .map(|(_, end)| end),
    }
}

/// Whether a step a person entered at `recorded_at` (UTC) was recorded after its effective
/// date `date` (stored) had passed: "nagekomen".
pub fn entered_late(date: &str, recorded_at: Option<&str>) -> bool {
    match (
        FactDate::from_stored(date).interval(),
        recorded_at.and_then(dutch_day),
    ) {
        (Some((_, end)), Some(day)) => day > end,
        _ => false,
    }
}

/// Whether a step was recorded after the day the list is asked "as known on": then it was not
/// known yet, neither as a change nor as the value a later step replaced.
fn recorded_after(
    recorded_at: Option<&str>,
    source_id: Option<&str>,
    window: &Window,
    catalog: &Catalog,
) -> bool {
    match (
        window.known_on,
        recorded_day(recorded_at, source_id, catalog),
    ) {
        (Some(known_on), Some(r)) => r > known_on,
        _ => false,
    }
}

/// Whether a step belongs in the window: `Some(uncertain)` when it does.
fn in_window(date: FactDate, window: &Window) -> Option<bool> {
    let (start, end) = date.interval()?;
    if !date.overlaps(window.from, window.until) {
        return None;
    }
    Some(start < window.from || end > window.until)
}

/// A stage step or a rollout step, as the changes read them.
struct Step<'a> {
    id: i64,
    plan_id: &'a str,
    /// The gemeente of a rollout step; `None` for a stage step.
    gemeente_id: Option<&'a str>,
    /// The stage or the rollout status (a code).
    value: &'a str,
    note: Option<&'a str>,
    date: &'a str,
    source_id: Option<&'a str>,
    recorded_at: Option<&'a str>,
}

impl<'a> From<&'a StageChangeRow> for Step<'a> {
    fn from(s: &'a StageChangeRow) -> Self {
        Self {
            id: s.id,
            plan_id: &s.plan_id,
            gemeente_id: None,
            value: &s.stage,
            note: s.note.as_deref(),
            date: &s.date,
            source_id: s.source_id.as_deref(),
            recorded_at: s.recorded_at.as_deref(),
        }
    }
}

impl<'a> From<&'a RolloutChangeRow> for Step<'a> {
    fn from(s: &'a RolloutChangeRow) -> Self {
        Self {
            id: s.id,
            plan_id: &s.plan_id,
            gemeente_id: Some(&s.gemeente_id),
            value: &s.status,
            note: s.note.as_deref(),
            date: &s.date,
            source_id: s.source_id.as_deref(),
            recorded_at: s.recorded_at.as_deref(),
        }
    }
}

/// The common part of a stage or rollout change, or `None` when it falls outside the window.
fn dated(step: &Step<'_>, window: &Window, catalog: &Catalog) -> Option<Change> {
    let date = FactDate::from_stored(step.date);
    let recorded = recorded_day(step.recorded_at, step.source_id, catalog);
    // In the window by its effective date; or took effect before it and was recorded in it
    // (nagekomen news).
    let recorded_in_window = recorded.is_some_and(|r| r >= window.from && r <= window.until);
    let uncertain = match in_window(date, window) {
        Some(uncertain) => uncertain,
        // Took effect before the window (or on a date nobody knows) and was recorded in it.
        None if recorded_in_window && date.interval().is_none_or(|(_, end)| end < window.from) => {
            false
        }
        None => return None,
    };
    let late = match (date.interval(), recorded) {
        (Some((_, end)), Some(r)) if r > end => Some(crate::domain::format_date_nl(r)),
        _ => None,
    };
    let source = catalog
        .source(step.source_id)
        .map(|s| format!("{}, {}", s.title, s.date));
    Some(Change {
        kind: ChangeKind::Stage,
        plan_id: Some(step.plan_id.to_owned()),
        what: String::new(),
        old: None,
        new: None,
        effective_date: date.to_string(),
        effective_label: date.label_nl(),
        uncertain,
        late,
        recorded_at: step.recorded_at.map(str::to_owned),
        source_id: step.source_id.map(str::to_owned),
        source,
        note: None,
        actor: None,
        fields: Vec::new(),
        order: (date, step.id),
    })
}

fn stage_word(code: &str) -> String {
    Stage::parse(code).map_or_else(|_| code.to_owned(), |s| s.label().to_owned())
}

fn rollout_word(code: &str) -> String {
    RolloutStatus::parse(code).map_or_else(|_| code.to_owned(), |s| s.label().to_owned())
}

/// The changes among `steps` (in the order they took effect) that fall in the window: a step
/// that only repeats the value before it (per plan, or per plan and gemeente) is none, and what
/// was recorded after the day asked "as known on" is not known yet.
fn step_changes<'a>(
    steps: impl IntoIterator<Item = Step<'a>>,
    window: &Window,
    catalog: &Catalog,
    describe: impl Fn(&Step<'a>, Option<&str>, &mut Change),
) -> Vec<Change> {
    let mut before: HashMap<(&str, Option<&str>), &str> = HashMap::new();
    let mut out = Vec::new();
    for step in steps {
        if recorded_after(step.recorded_at, step.source_id, window, catalog) {
            continue;
        }
        let old = before.insert((step.plan_id, step.gemeente_id), step.value);
        if old == Some(step.value) {
            continue;
        }
        if let Some(mut c) = dated(&step, window, catalog) {
            c.note = step.note.map(str::to_owned);
            describe(&step, old, &mut c);
            out.push(c);
        }
    }
    out
}

/// The stage changes in the window; `steps` in the order they took effect.
pub fn stage_changes(steps: &[StageChangeRow], window: &Window, catalog: &Catalog) -> Vec<Change> {
    step_changes(
        steps.iter().map(Step::from),
        window,
        catalog,
        |s, old, c| {
            c.kind = ChangeKind::Stage;
            c.what = "Fase".to_owned();
            c.old = old.map(stage_word);
            c.new = Some(stage_word(s.value));
        },
    )
}

/// The rollout changes in the window; `steps` in the order they took effect.
pub fn rollout_changes(
    steps: &[RolloutChangeRow],
    window: &Window,
    catalog: &Catalog,
) -> Vec<Change> {
    step_changes(
        steps.iter().map(Step::from),
        window,
        catalog,
        |s, old, c| {
            c.kind = ChangeKind::Rollout;
            c.what = format!(
                "Uitrol in {}",
                catalog.area_name(s.gemeente_id.unwrap_or_default())
            );
            c.old = old.map(rollout_word);
            c.new = Some(rollout_word(s.value));
        },
    )
}

/// The saves in the trail, one change each (the trail has a row per field); `rows` oldest
/// first, already limited to the window's days. Stage changes and a cell's new status are left
/// out: their dated steps are changes of their own, with their effective date.
pub fn edit_changes(rows: Vec<AuditRow>, show_actor: bool) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    // The change of each save, by its key: the write id; entries from before write ids share
    // their moment, record and actor.
    let mut index: HashMap<(String, String, String, String), usize> = HashMap::new();
    let mut with_status: Vec<bool> = Vec::new();
    for r in rows {
        let key = (
            r.write_id.clone().unwrap_or_else(|| r.at.clone()),
            r.record_type.clone(),
            r.record_id.clone(),
            r.actor.clone().unwrap_or_default(),
        );
        let label = super::pages::field_label(&r.record_type, &r.field);
        let is_status = r.record_type == "rollout" && r.field == "status";
        let field = FieldChange {
            field: r.field.clone(),
            label: label.clone(),
            old: r.old_value.clone(),
            new: r.new_value.clone(),
        };
        if let Some(&i) = index.get(&key) {
            let c = &mut out[i];
            c.what.push_str(", ");
            c.what.push_str(&label);
            c.old = None;
            c.new = None;
            c.fields.push(field);
            with_status[i] |= is_status;
            continue;
        }
        index.insert(key, out.len());
        with_status.push(is_status);
        let day = dutch_day(&r.at)
            .map(FactDate::day)
            .unwrap_or(FactDate::Unknown);
        let what = format!("{}: {label}", r.record_label);
        out.push(Change {
            kind: ChangeKind::Edit,
            plan_id: r.plan_id.clone(),
            what,
            old: r.old_value,
            new: r.new_value,
            effective_date: day.to_string(),
            effective_label: day.label_nl(),
            uncertain: false,
            late: None,
            recorded_at: Some(r.at),
            source_id: None,
            source: r.source,
            note: r.comment,
            actor: if show_actor { r.actor } else { None },
            fields: vec![field],
            order: (day, r.id),
        });
    }
    out.into_iter()
        .zip(with_status)
        .filter(|(_, status)| !status)
        .map(|(c, _)| c)
        .collect()
}

/// Changes of one plan, in the order they took effect.
pub struct PlanChanges {
    pub plan_id: String,
    pub plan_name: String,
    pub changes: Vec<Change>,
}

/// Groups changes by plan, plans in the order of their first change, and the rest apart.
pub fn by_plan(
    mut changes: Vec<Change>,
    names: &HashMap<String, String>,
) -> (Vec<PlanChanges>, Vec<Change>) {
    changes.sort_by_key(|c| c.order);
    let mut plans: Vec<PlanChanges> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut other = Vec::new();
    for c in changes {
        match c.plan_id.clone() {
            Some(id) => {
                let i = *index.entry(id.clone()).or_insert_with(|| {
                    plans.push(PlanChanges {
                        plan_name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                        plan_id: id,
                        changes: Vec::new(),
                    });
                    plans.len() - 1
                });
                plans[i].changes.push(c);
            }
            None => other.push(c),
        }
    }
    (plans, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: &str, until: &str) -> Window {
        Window {
            from: from.parse().expect("day"),
            until: until.parse().expect("day"),
            known_on: None,
        }
    }

    #[test]
    fn a_stretch_that_ends_on_the_first_day_is_in_the_window_and_uncertain() {
        let w = window("2025-10-09", "2026-12-06");
        let date = FactDate::parse("2025-09-05/2025-10-09").expect("date");
        assert_eq!(in_window(date, &w), Some(true));
        let day = FactDate::parse("2025-10-09").expect("date");
        assert_eq!(in_window(day, &w), Some(false));
        let before = FactDate::parse("2025-09-05").expect("date");
        assert_eq!(in_window(before, &w), None);
        assert_eq!(in_window(FactDate::Unknown, &w), None);
    }
}
