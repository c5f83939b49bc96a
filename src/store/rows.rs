//! Helpers that every feature's reads and writes share.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::store::StoreError;
use crate::store::write_path::{RecordField, Refusal};

/// Names of everything a plan can point to, for a readable trail, with the kind of each
/// framework item (principe, transformatie, ...).
pub(crate) struct Names(HashMap<String, (String, Option<String>)>);

impl Names {
    /// The names of `ids` (organisations, framework items, funding sources, areas and
    /// sources), read in one statement; an id that names nothing keeps its id.
    pub(crate) async fn of<'a>(
        conn: &mut AnyConnection,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, sqlx::Error> {
        let mut ids: Vec<&str> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Self(HashMap::new()));
        }
        let list = (1..=ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let none = "CAST(NULL AS TEXT)";
        let sql = format!(
            "SELECT id, name, {none} FROM organisations WHERE id IN ({list})
             UNION ALL SELECT id, name, kind FROM framework_items WHERE id IN ({list})
             UNION ALL SELECT id, name, {none} FROM funding_sources WHERE id IN ({list})
             UNION ALL SELECT id, name, {none} FROM areas WHERE id IN ({list})
             UNION ALL SELECT id, title, {none} FROM sources WHERE id IN ({list})"
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            query = query.bind(*id);
        }
        let rows: Vec<(String, String, Option<String>)> = query.fetch_all(&mut *conn).await?;
        Ok(Self(
            rows.into_iter()
                .map(|(id, name, kind)| (id, (name, kind)))
                .collect(),
        ))
    }

    fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.0.get(id).map_or(id, |(name, _)| name.as_str())
    }

    pub(crate) fn one(&self, id: Option<&str>) -> Option<String> {
        id.map(|id| self.name(id).to_owned())
    }

    pub(crate) fn list(&self, ids: &[String]) -> Option<String> {
        let names: Vec<&str> = ids.iter().map(|id| self.name(id)).collect();
        (!names.is_empty()).then(|| names.join(", "))
    }

    /// The names of the framework items among `ids` of one kind (`principe`, ...), sorted:
    /// links to the framework are a set, so another order is no change.
    pub(crate) fn list_of_kind(&self, ids: &[String], kind: &str) -> Option<String> {
        let of_kind: Vec<String> = ids
            .iter()
            .filter(|id| self.0.get(id.as_str()).and_then(|(_, k)| k.as_deref()) == Some(kind))
            .cloned()
            .collect();
        self.set(&of_kind)
    }

    /// The names of `ids` sorted, for a list whose order means nothing (funding sources).
    pub(crate) fn set(&self, ids: &[String]) -> Option<String> {
        let mut names: Vec<&str> = ids.iter().map(|id| self.name(id)).collect();
        names.sort_unstable();
        (!names.is_empty()).then(|| names.join(", "))
    }
}

pub(crate) fn parse_code<T>(
    value: Option<String>,
    parse: fn(&str) -> Result<T, crate::domain::ParseError>,
) -> Result<Option<T>, sqlx::Error> {
    value
        .map(|v| parse(&v).map_err(|e| sqlx::Error::Protocol(e.0)))
        .transpose()
}

pub(crate) fn refused<F: RecordField>(field: F, message: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal::of(field, message))
}

pub(crate) fn not_found(what: &'static str, id: &str) -> impl FnOnce() -> String {
    let id = id.to_owned();
    move || format!("er is geen {what} \"{id}\"")
}

/// Whether a row answers `sql` (a `SELECT COUNT(*) ... WHERE ... = $1`) for `id`.
pub(crate) async fn exists(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(sql).bind(id).fetch_one(&mut *conn).await?;
    Ok(n > 0)
}

/// The next free position at the end of an ordered table.
pub(crate) async fn next_position(
    conn: &mut AnyConnection,
    table: &'static str,
) -> Result<i64, sqlx::Error> {
    let (position,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM {table}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(position)
}

/// The aannames on one record's fields: field code → reason.
pub(crate) async fn assumptions_on<F: RecordField>(
    conn: &mut AnyConnection,
    record_id: &str,
) -> Result<std::collections::BTreeMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT field, reason FROM assumptions WHERE record_type = $1 AND record_id = $2",
    )
    .bind(F::RECORD)
    .bind(record_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

impl super::Store {
    /// Every (record id, field) of one kind of record whose value is an aanname, for lists
    /// that mark them.
    pub async fn assumed_fields<F: RecordField>(
        &self,
    ) -> Result<std::collections::HashSet<(String, String)>, super::StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT record_id, field FROM assumptions WHERE record_type = $1")
                .bind(F::RECORD)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// The aannames on a record's fields as (label, reason), in the order of its field
    /// declarations, as an edit form lists them; a field code no longer declared is left out.
    pub async fn assumption_lines<F: RecordField>(
        &self,
        record_id: &str,
    ) -> Result<Vec<(&'static str, String)>, super::StoreError> {
        let mut conn = self.pool.acquire().await?;
        let assumptions = assumptions_on::<F>(&mut conn, record_id).await?;
        Ok(F::ALL
            .iter()
            .filter_map(|f| Some((f.label(), assumptions.get(f.code())?.clone())))
            .collect())
    }
}

/// An optional number to bind. sqlx 0.9's `Any` driver sends a NULL `f64` to PostgreSQL as a
/// `real` (its NULL kinds for `f32` and `f64` are swapped, transact-rs/sqlx#4284): a statement
/// kept after it ran with a NULL then refuses a number in that place ("incorrect binary data
/// format"), as in an import whose first batch has a narrative KPI's line. A NULL of `f32`
/// is sent as a `double precision`, so that is what this binds for `None`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Float(pub Option<f64>);

impl sqlx::Type<sqlx::Any> for Float {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Float {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(v) => <f64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&v, buf),
            None => <Option<f32> as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&None, buf),
        }
    }
}
