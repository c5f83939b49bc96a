//! Reading series and latest values; saving one measurement or importing many in one write.

use std::collections::HashMap;

use super::model::{NewObservation, ObservationField, ObservationRow};
use crate::domain::{
    AreaLevel, Frequency, IndicatorStatus, ObservationFit, Period, check_value, format_number_nl,
};
use crate::store::packed::Rows;
use crate::store::rows::refused;
use crate::store::write_path::{KeyPart, RecordKey, values_rows};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

pub(crate) const OBSERVATION_COLUMNS: &str =
    "id, indicator_id, area_id, period, period_start, value, narrative,
    judged_status, source, note, is_example, version";

/// The same columns, qualified, for queries that join observations to themselves.
pub(crate) const OBSERVATION_COLUMNS_O: &str =
    "o.id, o.indicator_id, o.area_id, o.period, o.period_start,
    o.value, o.narrative, o.judged_status, o.source, o.note, o.is_example, o.version";

pub(crate) fn insert_observations_sql(backend: crate::store::Backend, rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO observations (indicator_id, area_id, period, period_start, value, narrative,
            judged_status, source, note, is_example) VALUES ",
    );
    sql.push_str(&values_rows(backend, rows, 10));
    sql
}

/// Rows per INSERT statement of a bulk import: as many as the backend's limit on parameters
/// allows with some room (SQLite 32766, PostgreSQL 65535), 10 parameters each.
pub(crate) fn observation_batch(backend: crate::store::Backend) -> usize {
    match backend {
        crate::store::Backend::Sqlite => 3000,
        crate::store::Backend::Postgres => 6000,
    }
}

/// Sets the latest period of a KPI's series (in one area, or in every area) from its
/// observations, in the write's transaction (`observation_latest`, migration 0016). It only
/// ever moves forward: on PostgreSQL two saves of one series may run at once, each seeing
/// only its own new period, and the later commit must not put back the earlier period.
async fn refresh_latest(
    conn: &mut sqlx::AnyConnection,
    indicator_id: &str,
    area_id: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO observation_latest (indicator_id, area_id, period_start)
         SELECT indicator_id, area_id, MAX(period_start) FROM observations
          WHERE indicator_id = $1 AND (CAST($2 AS TEXT) IS NULL OR area_id = $2)
          GROUP BY indicator_id, area_id
         ON CONFLICT (indicator_id, area_id) DO UPDATE SET period_start =
             CASE WHEN excluded.period_start > observation_latest.period_start
                  THEN excluded.period_start ELSE observation_latest.period_start END",
    )
    .bind(indicator_id)
    .bind(area_id)
    .execute(conn)
    .await?;
    Ok(())
}

// The latest values are read from `observation_latest` outward: `CROSS JOIN` keeps SQLite from
// walking the 10 million observations in the series index's order and looking each up in the
// small table (4 s on the national set instead of 60 ms); PostgreSQL plans it as any join.
// Many values at once are packed on SQLite (`store::packed`), the value exactly.
impl Store {
    /// Observations read many at once: `rest` after `FROM`, in the order `order`.
    async fn observations(
        &self,
        columns: &str,
        rest: &str,
        order: &str,
        binds: &[&str],
    ) -> Result<Vec<ObservationRow>, StoreError> {
        let rows = Rows::with_reals(self.backend, columns, &["value"], rest, order);
        let mut query = rows.query();
        for b in binds {
            query = query.bind(b.to_string());
        }
        rows.fetch(query, &self.pool).await
    }

    /// The latest observation of a KPI in every area that has one.
    pub async fn latest_observations(
        &self,
        indicator_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        self.observations(
            OBSERVATION_COLUMNS_O,
            "observation_latest l CROSS JOIN observations o
              WHERE l.indicator_id = $1 AND o.indicator_id = l.indicator_id
                AND o.area_id = l.area_id AND o.period_start = l.period_start",
            "area_id",
            &[indicator_id],
        )
        .await
    }

    /// The latest observation of every KPI in one area.
    pub async fn latest_observations_in(
        &self,
        area_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        self.observations(
            OBSERVATION_COLUMNS_O,
            "observation_latest l CROSS JOIN observations o
              WHERE l.area_id = $1 AND o.indicator_id = l.indicator_id
                AND o.area_id = l.area_id AND o.period_start = l.period_start",
            "indicator_id",
            &[area_id],
        )
        .await
    }

    /// The latest observation of every KPI in every area (for the KPI list's totals).
    pub async fn latest_observations_all(&self) -> Result<Vec<ObservationRow>, StoreError> {
        self.observations(
            OBSERVATION_COLUMNS_O,
            "observation_latest l CROSS JOIN observations o
              WHERE o.indicator_id = l.indicator_id AND o.area_id = l.area_id
                AND o.period_start = l.period_start",
            "indicator_id, area_id",
            &[],
        )
        .await
    }

    /// All observations of a KPI in one area, oldest first: one line of the chart.
    pub async fn series(
        &self,
        indicator_id: &str,
        area_id: &str,
    ) -> Result<Vec<ObservationRow>, StoreError> {
        self.observations(
            OBSERVATION_COLUMNS,
            "observations WHERE indicator_id = $1 AND area_id = $2",
            "period_start",
            &[indicator_id, area_id],
        )
        .await
    }

    /// The areas a KPI has observations for, in no particular order.
    pub async fn observed_areas(&self, indicator_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT area_id FROM observations WHERE indicator_id = $1")
                .bind(indicator_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    pub async fn observation(&self, id: i64) -> Result<Option<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The observation of a KPI in an area and period, if there is one.
    pub async fn observation_at(
        &self,
        indicator_id: &str,
        area_id: &str,
        period: Period,
    ) -> Result<Option<ObservationRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OBSERVATION_COLUMNS} FROM observations
              WHERE indicator_id = $1 AND area_id = $2 AND period = $3"
        )))
        .bind(indicator_id)
        .bind(area_id)
        .bind(period.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Saves one observation from a form or the API: a new one (`expected_version` 0) or a
    /// change to the one at the same KPI, area and period.
    pub async fn save_observation(
        &self,
        actor: &Actor,
        reason: &Reason,
        o: &NewObservation,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let kpi: Option<(String, String, String)> =
            sqlx::query_as("SELECT name, area_level, frequency FROM indicators WHERE id = $1")
                .bind(&o.indicator_id)
                .fetch_optional(w.conn())
                .await?;
        let (indicator_name, level, frequency) = kpi.ok_or_else(|| {
            StoreError::NotFound(format!("er is geen KPI \"{}\"", o.indicator_id))
        })?;
        let area: Option<(String, String)> =
            sqlx::query_as("SELECT name, kind FROM areas WHERE id = $1")
                .bind(&o.area_id)
                .fetch_optional(w.conn())
                .await?;
        let (area_name, area_kind) = area.ok_or_else(|| {
            refused(
                ObservationField::Area,
                format!(
                    "Gebied: er is geen gebied \"{}\"; kies een gebied uit de lijst",
                    o.area_id
                ),
            )
        })?;
        // The doors check this before they save; here it holds for every door.
        let fit = ObservationFit {
            kpi: &indicator_name,
            level: AreaLevel::parse(&level).unwrap_or(AreaLevel::Gemeente),
            frequency: Frequency::parse(&frequency).unwrap_or(Frequency::Quarter),
        };
        if let Err(e) = fit.area(&area_name, &area_kind) {
            return Err(refused(ObservationField::Area, format!("Gebied: {e}")));
        }
        if let Err(e) = fit.period(o.period) {
            return Err(refused(ObservationField::Period, format!("Periode: {e}")));
        }
        if let Some(v) = o.value
            && let Err(e) = check_value(v)
        {
            return Err(refused(ObservationField::Value, format!("Waarde: {e}")));
        }
        let period = o.period.to_string();
        let key = RecordKey {
            table: "observations",
            columns: &["indicator_id", "area_id", "period"],
            values: vec![
                KeyPart::Text(&o.indicator_id),
                KeyPart::Text(&o.area_id),
                KeyPart::Text(&period),
            ],
        };
        // A new value (version 0) has no row to claim: its INSERT is the claim.
        let version = if expected_version == 0 {
            match w.version_of(&key).await? {
                Some(current_version) => return Err(StoreError::Conflict { current_version }),
                None => 1,
            }
        } else {
            w.claim(&key, expected_version, || {
                format!("er is geen meting voor {} in {}", o.period, o.area_id)
            })
            .await?
        };
        type Current = (
            Option<f64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        // The values this write replaces, read after the claim; a new record (version 0) has
        // none, and is only ever INSERTed, so a row another write created meanwhile is a
        // conflict and never silently updated.
        let current: Option<Current> = if expected_version == 0 {
            None
        } else {
            sqlx::query_as(
                "SELECT value, narrative, judged_status, source, note FROM observations
                  WHERE indicator_id = $1 AND area_id = $2 AND period = $3",
            )
            .bind(&o.indicator_id)
            .bind(&o.area_id)
            .bind(&period)
            .fetch_optional(w.conn())
            .await?
        };
        let judged = o.judged_status.map(|s| s.code());
        if current.is_some() {
            sqlx::query(
                "UPDATE observations SET value = $1, narrative = $2, judged_status = $3, source = $4,
                    note = $5, is_example = $6
                  WHERE indicator_id = $7 AND area_id = $8 AND period = $9",
            )
            .bind(crate::store::rows::Float(o.value))
            .bind(&o.narrative)
            .bind(judged)
            .bind(&o.source)
            .bind(&o.note)
            .bind(i64::from(o.is_example))
            .bind(&o.indicator_id)
            .bind(&o.area_id)
            .bind(&period)
            .execute(w.conn())
            .await?;
        } else {
            w.insert_new(
                sqlx::query(
                    "INSERT INTO observations (indicator_id, area_id, period, period_start, value, narrative,
                        judged_status, source, note, is_example)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&o.indicator_id)
                .bind(&o.area_id)
                .bind(&period)
                .bind(o.period.start().to_string())
                .bind(crate::store::rows::Float(o.value))
                .bind(&o.narrative)
                .bind(judged)
                .bind(&o.source)
                .bind(&o.note)
                .bind(i64::from(o.is_example)),
            )
            .await?;
        }
        refresh_latest(w.conn(), &o.indicator_id, Some(&o.area_id)).await?;
        let subject = Subject {
            record_id: format!("{}/{}/{}", o.indicator_id, o.area_id, o.period),
            record_label: format!("{indicator_name} in {area_name}, {}", o.period.label_nl()),
            area_id: Some(o.area_id.clone()),
            indicator_id: Some(o.indicator_id.clone()),
            ..Subject::default()
        };
        let status_label = |s: Option<&str>| {
            s.and_then(|c| IndicatorStatus::parse(c).ok())
                .map(|s| s.label().to_owned())
        };
        let before = current.map(|c| {
            vec![
                (ObservationField::Value, c.0.map(format_number_nl)),
                (ObservationField::Narrative, c.1),
                (ObservationField::JudgedStatus, status_label(c.2.as_deref())),
                (ObservationField::Source, c.3),
                (ObservationField::Note, c.4),
            ]
        });
        let after = [
            (ObservationField::Value, o.value.map(format_number_nl)),
            (ObservationField::Narrative, o.narrative.clone()),
            (ObservationField::JudgedStatus, status_label(judged)),
            (ObservationField::Source, o.source.clone()),
            (ObservationField::Note, o.note.clone()),
        ];
        w.audit_changes(&subject, before.as_deref(), &after).await?;
        w.commit().await?;
        Ok(version)
    }

    /// The (area, period) keys a KPI already has, for an import's duplicate check.
    pub async fn observation_keys(
        &self,
        indicator_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT area_id, period FROM observations WHERE indicator_id = $1")
                .bind(indicator_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Stores checked observations all at once: every one or, on any failure, none. The trail
    /// gets one entry per KPI ("120 metingen ingelezen ..."), not one per value, so a large
    /// import stays fast and the trail readable. `progress` is called with the rows stored.
    ///
    /// The rows are taken from the iterator a batch at a time, so a file of millions of lines
    /// is never held in memory as a whole.
    pub async fn import_observations(
        &self,
        actor: &Actor,
        file_label: &str,
        rows: impl IntoIterator<Item = NewObservation, IntoIter: Send> + Send,
        progress: impl FnMut(usize) + Send,
    ) -> Result<usize, StoreError> {
        self.try_import_observations(actor, file_label, rows.into_iter().map(Ok), progress)
            .await
    }

    /// As [`Store::import_observations`], for rows that may still turn out wrong while they
    /// are read (a file that changed since it was checked): the first `Err` ends the import
    /// and nothing is stored.
    pub async fn try_import_observations(
        &self,
        actor: &Actor,
        file_label: &str,
        rows: impl IntoIterator<Item = Result<NewObservation, StoreError>, IntoIter: Send> + Send,
        mut progress: impl FnMut(usize) + Send,
    ) -> Result<usize, StoreError> {
        let mut rows = rows.into_iter();
        let reason = Reason {
            comment: Some(format!("ingelezen uit {file_label}")),
            source: None,
        };
        let mut w = self.write(actor, &reason).await?;
        let batch_rows = observation_batch(w.backend());
        let full_batch_sql = insert_observations_sql(w.backend(), batch_rows);
        let mut batch: Vec<NewObservation> = Vec::with_capacity(batch_rows);
        // Per KPI: the number of values and the periods they span, for the trail.
        let mut per_indicator: HashMap<String, (usize, Period, Period)> = HashMap::new();
        let mut done = 0;
        loop {
            batch.clear();
            for row in rows.by_ref() {
                let o = row?;
                match per_indicator.get_mut(o.indicator_id.as_str()) {
                    Some(entry) => {
                        entry.0 += 1;
                        if o.period.start() < entry.1.start() {
                            entry.1 = o.period;
                        }
                        if o.period.start() > entry.2.start() {
                            entry.2 = o.period;
                        }
                    }
                    None => {
                        per_indicator.insert(o.indicator_id.clone(), (1, o.period, o.period));
                    }
                }
                batch.push(o);
                if batch.len() == batch_rows {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let sql = if batch.len() == batch_rows {
                full_batch_sql.clone()
            } else {
                insert_observations_sql(w.backend(), batch.len())
            };
            let rows_in_batch = batch.len();
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            // Owned values move into the arguments without another copy.
            for o in batch.drain(..) {
                query = query
                    .bind(o.indicator_id)
                    .bind(o.area_id)
                    .bind(o.period.to_string())
                    .bind(o.period.start().to_string())
                    .bind(crate::store::rows::Float(o.value))
                    .bind(o.narrative)
                    .bind(o.judged_status.map(|s| s.code()))
                    .bind(o.source)
                    .bind(o.note)
                    .bind(i64::from(o.is_example));
            }
            match query.execute(w.conn()).await {
                Err(e) if crate::store::write_path::is_unique_violation(&e) => {
                    return Err(refused(
                        ObservationField::Import,
                        "een of meer metingen bestaan al (zelfde KPI, gebied en periode); er is niets opgeslagen",
                    ));
                }
                Err(e)
                    if e.as_database_error()
                        .is_some_and(|d| d.is_foreign_key_violation()) =>
                {
                    return Err(refused(
                        ObservationField::Import,
                        "een KPI of gebied uit het bestand bestaat niet meer; er is niets opgeslagen",
                    ));
                }
                other => {
                    other?;
                }
            }
            done += rows_in_batch;
            progress(done);
            if rows_in_batch < batch_rows {
                break;
            }
        }
        let names: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM indicators")
            .fetch_all(w.conn())
            .await?;
        let names: HashMap<String, String> = names.into_iter().collect();
        let mut ids: Vec<&String> = per_indicator.keys().collect();
        ids.sort_unstable();
        for id in &ids {
            refresh_latest(w.conn(), id, None).await?;
        }
        for id in ids {
            let (count, first, last) = per_indicator[id];
            let span = if first == last {
                first.label_nl()
            } else {
                format!("{} tot en met {}", first.label_nl(), last.label_nl())
            };
            let subject = Subject {
                record_id: id.clone(),
                record_label: names.get(id).cloned().unwrap_or_else(|| id.clone()),
                indicator_id: Some(id.clone()),
                ..Subject::default()
            };
            w.audit(
                &subject,
                ObservationField::Import,
                None,
                Some(&format!(
                    "{count} {} ({span})",
                    if count == 1 { "meting" } else { "metingen" }
                )),
            )
            .await?;
        }
        w.commit().await?;
        Ok(done)
    }
}
