//! Saving one matrix cell and its history line.

use super::model::{RolloutField, RolloutFields, RolloutRow};
use crate::domain::{FactDate, RolloutStatus};
use crate::features::sources::model::SourceRef;
use crate::features::sources::repo::resolve_source;
use crate::store::rows::{Names, not_found, refused};
use crate::store::write_path::{RecordKey, Write};
use crate::store::{Actor, Reason, Refusal, Store, StoreError, Subject};

impl Store {
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

    /// A matrix cell with its version; `None` when the cell has no status yet.
    pub async fn rollout(
        &self,
        plan_id: &str,
        gemeente_id: &str,
    ) -> Result<Option<(i64, RolloutRow)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Versioned {
            version: i64,
            #[sqlx(flatten)]
            row: RolloutRow,
        }
        let cell: Option<Versioned> = sqlx::query_as(
            "SELECT version, plan_id, gemeente_id, status, district_id, note, date, source_id, assumption
               FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2",
        )
        .bind(plan_id)
        .bind(gemeente_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(cell.map(|c| (c.version, c.row)))
    }

    /// The versions of a plan's cells, by gemeente (a gemeente without a cell has none).
    pub async fn rollout_versions(
        &self,
        plan_id: &str,
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT gemeente_id, version FROM rollouts WHERE plan_id = $1")
                .bind(plan_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
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
        let version = write_cell(&mut w, reason, plan_id, gemeente_id, expected_version, r).await?;
        w.commit().await?;
        Ok(version)
    }

    /// Saves one plan's cells in several gemeenten in one write (all or none): per gemeente
    /// the version it was opened at (0 for an empty cell) and its fields, each with its own
    /// history line and audit entries, as if saved one by one.
    pub async fn save_rollouts(
        &self,
        actor: &Actor,
        reason: &Reason,
        plan_id: &str,
        cells: &[(String, i64, RolloutFields)],
    ) -> Result<usize, StoreError> {
        let mut w = self.write(actor, reason).await?;
        for (gemeente_id, expected_version, r) in cells {
            write_cell(&mut w, reason, plan_id, gemeente_id, *expected_version, r).await?;
        }
        w.commit().await?;
        Ok(cells.len())
    }
}

/// Writes one matrix cell and its history line within `w`.
async fn write_cell(
    w: &mut Write<'_>,
    reason: &Reason,
    plan_id: &str,
    gemeente_id: &str,
    expected_version: i64,
    r: &RolloutFields,
) -> Result<i64, StoreError> {
    let plan: Option<(String,)> = sqlx::query_as("SELECT name FROM plans WHERE id = $1")
        .bind(plan_id)
        .fetch_optional(w.conn())
        .await?;
    let (plan_name,) = plan.ok_or_else(|| StoreError::NotFound(not_found("plan", plan_id)()))?;
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
            crate::store::write_path::KeyPart::Text(plan_id),
            crate::store::write_path::KeyPart::Text(gemeente_id),
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
    type Cell = (
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    );
    // The values this write replaces, read after the claim; a new record (version 0) has
    // none, and is only ever INSERTed, so a row another write created meanwhile is a
    // conflict and never silently updated.
    let current: Option<Cell> = if expected_version == 0 {
        None
    } else {
        sqlx::query_as(
            "SELECT status, district_id, note, date, assumption, source_id FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2",
        )
        .bind(plan_id)
        .bind(gemeente_id)
        .fetch_optional(w.conn())
        .await?
    };
    if let Some(c) = &current
        && c.0 != r.status.code()
        && !r.date_and_source_confirmed
    {
        let old_source = Names::of(w.conn(), c.5.as_deref()).await?;
        let refusal = new_status_refusal(
            &c.0,
            &c.3,
            old_source.one(c.5.as_deref()).as_deref(),
            c.5.as_deref(),
            r,
        );
        if let Some(refusal) = refusal {
            return Err(StoreError::Refused(refusal));
        }
    }
    let source = resolve_source(w.conn(), RolloutField::Source, r.source.as_ref(), r.date).await?;
    let source_id = source.as_ref().map(|(id, _)| id.clone());
    // A cell's aanname holds for its status and date: a new one of either ends it, and
    // the trail keeps its reason; otherwise it stays, also on the new history line.
    let (kept_assumption, ended_assumption) = match &current {
        Some((status, _, _, date, Some(a), _))
            if status == r.status.code() && date == &r.date.to_string() =>
        {
            (Some(a.clone()), None)
        }
        Some((_, _, _, _, a, _)) => (None, a.clone()),
        None => (None, None),
    };
    if current.is_some() {
        sqlx::query(
            "UPDATE rollouts SET status = $1, district_id = $2, note = $3, date = $4, source_id = $5,
                assumption = $6
             WHERE plan_id = $7 AND gemeente_id = $8",
        )
        .bind(r.status.code())
        .bind(&r.district_id)
        .bind(&r.note)
        .bind(r.date.to_string())
        .bind(&source_id)
        .bind(&kept_assumption)
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
        "INSERT INTO rollout_history (plan_id, gemeente_id, status, note, date, source_id, assumption, recorded_at, ends_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(plan_id)
    .bind(gemeente_id)
    .bind(r.status.code())
    .bind(&r.note)
    .bind(r.date.to_string())
    .bind(&source_id)
    .bind(&kept_assumption)
    .bind(crate::store::now_text())
    .bind(r.date.ends_on())
    .execute(w.conn())
    .await?;
    let named = [
        r.district_id.as_deref(),
        current.as_ref().and_then(|c| c.1.as_deref()),
        current.as_ref().and_then(|c| c.5.as_deref()),
        source_id.as_deref(),
    ];
    let names = Names::of(w.conn(), named.into_iter().flatten()).await?;
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
                crate::domain::FactDate::parse(&c.3)
                    .ok()
                    .map(crate::domain::FactDate::label_nl),
            ),
            (RolloutField::Note, c.2.clone()),
            (RolloutField::District, names.one(c.1.as_deref())),
            (RolloutField::Source, names.one(c.5.as_deref())),
        ]
    });
    let after = [
        (RolloutField::Status, Some(r.status.label().to_owned())),
        (RolloutField::Date, Some(r.date.label_nl())),
        (RolloutField::Note, r.note.clone()),
        (RolloutField::District, names.one(r.district_id.as_deref())),
        (RolloutField::Source, names.one(source_id.as_deref())),
    ];
    w.audit_changes(&subject, before.as_deref(), &after).await?;
    if let Some(reason) = ended_assumption {
        let was = format!("aanname: {reason}");
        w.audit(
            &subject,
            RolloutField::Status,
            Some(&was),
            Some(crate::store::write_path::ASSUMPTION_ENDED),
        )
        .await?;
    }
    Ok(version)
}

/// The refusal of a new status whose date or source is still the old status's, unless the
/// user confirmed them ([`RolloutFields::date_and_source_confirmed`]): a date and a source
/// belong to the status they are about, so a form that keeps them may not carry them over
/// unasked. `None` when the date and the source were both given anew.
fn new_status_refusal(
    old_status: &str,
    old_date: &str,
    old_source_title: Option<&str>,
    old_source_id: Option<&str>,
    r: &RolloutFields,
) -> Option<Refusal> {
    let old_date = FactDate::from_stored(old_date);
    let same_date = old_date == r.date;
    let same_source = match &r.source {
        None => old_source_id.is_none(),
        Some(SourceRef::Existing(id)) => old_source_id == Some(id.as_str()),
        Some(SourceRef::New(_)) => false,
    };
    let was = RolloutStatus::parse(old_status).map_or(old_status, |s| s.label());
    let now = r.status.label();
    let source = old_source_title.map_or_else(|| "geen bron".to_owned(), str::to_owned);
    let change = format!("de status wordt \"{now}\" (was \"{was}\")");
    match (same_date, same_source) {
        (false, false) => None,
        (true, true) => Some(Refusal::of(
            RolloutField::Date,
            format!(
                "Sinds (datum) en Bron: {change}, maar datum en bron zijn nog die van \"{was}\" ({}, {source}). Vul in sinds wanneer de uitrol \"{now}\" is en kies of typ de bron die dat zegt, of bevestig dat ze ook voor \"{now}\" gelden.",
                old_date.label_nl()
            ),
        )),
        (true, false) => Some(Refusal::of(
            RolloutField::Date,
            format!(
                "Sinds (datum): {change}, maar de datum is nog die van \"{was}\" ({}). Vul in sinds wanneer de uitrol \"{now}\" is, of bevestig dat die datum ook voor \"{now}\" geldt.",
                old_date.label_nl()
            ),
        )),
        (false, true) if old_source_id.is_none() => Some(Refusal::of(
            RolloutField::Source,
            format!(
                "Bron: {change}, zonder bron, net als \"{was}\". Kies of typ de bron die zegt dat de uitrol \"{now}\" is, of bevestig dat er geen is."
            ),
        )),
        (false, true) => Some(Refusal::of(
            RolloutField::Source,
            format!(
                "Bron: {change}, maar de bron is nog die van \"{was}\" ({source}). Kies of typ de bron die zegt dat de uitrol \"{now}\" is, of bevestig dat die ook voor \"{now}\" geldt."
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RecordField;

    fn cell(status: RolloutStatus, date: &str, source: Option<SourceRef>) -> RolloutFields {
        RolloutFields {
            status,
            date: FactDate::parse(date).expect("date"),
            district_id: None,
            note: None,
            source,
            date_and_source_confirmed: false,
        }
    }

    fn refused(
        old_source: Option<&str>,
        new: &RolloutFields,
    ) -> Option<(Option<&'static str>, String)> {
        new_status_refusal(
            "opstart",
            "2025-10-09",
            old_source.map(|_| "BBO 9 oktober 2025"),
            old_source,
            new,
        )
        .map(|r| {
            (
                r.field::<RolloutField>().map(RecordField::code),
                r.into_message(),
            )
        })
    }

    #[test]
    fn a_new_status_asks_for_whichever_of_date_and_source_is_still_the_old_one() {
        let bbo = || Some(SourceRef::Existing("bbo".into()));
        let new = || Some(SourceRef::New("Regiegroep 12 maart 2026".into()));
        let running = RolloutStatus::Running;

        assert_eq!(refused(Some("bbo"), &cell(running, "2026-Q1", new())), None);
        let both = refused(Some("bbo"), &cell(running, "2025-10-09", bbo())).expect("refused");
        assert_eq!(both.0, Some("date"));
        assert!(
            both.1
                .starts_with("Sinds (datum) en Bron: de status wordt \"Loopt\" (was \"Opstart\")"),
            "{}",
            both.1
        );
        assert!(
            both.1.contains("(9 oktober 2025, BBO 9 oktober 2025)"),
            "{}",
            both.1
        );
        let date = refused(Some("bbo"), &cell(running, "2025-10-09", new())).expect("refused");
        assert_eq!(date.0, Some("date"));
        assert!(date.1.starts_with("Sinds (datum): "), "{}", date.1);
        let source = refused(Some("bbo"), &cell(running, "2026-Q1", bbo())).expect("refused");
        assert_eq!(source.0, Some("source"));
        assert!(
            source
                .1
                .contains("nog die van \"Opstart\" (BBO 9 oktober 2025)"),
            "{}",
            source.1
        );
        let none = refused(None, &cell(running, "2026-Q1", None)).expect("refused");
        assert_eq!(none.0, Some("source"));
        assert!(
            none.1.contains("zonder bron, net als \"Opstart\""),
            "{}",
            none.1
        );
    }
}
