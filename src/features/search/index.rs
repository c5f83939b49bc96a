//! The search index (`search_entries`, migration 0009): one row per plan, organisation,
//! gemeente and KPI, with its texts folded by [`fold`]. The write path refreshes the records a
//! write touched inside its transaction, just before it commits (`Write::commit`); an import of
//! a whole portfolio rebuilds the index; a store made before the index gets its rows at start
//! ([`Store::fill_search_index`]).

use sqlx::{AnyConnection, Row};

use super::fold::fold;
use crate::domain::{OrganisationKind, Stage};
use crate::features::indicators::model::IndicatorField;
use crate::features::plans::model::PlanField;
use crate::store::write_path::{Value, values_rows};
use crate::store::{Backend, RecordField, Store, StoreError};

/// The kinds of record search finds, in the order the result page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Plan,
    Organisation,
    Gemeente,
    Indicator,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Plan,
        Kind::Organisation,
        Kind::Gemeente,
        Kind::Indicator,
    ];

    /// As stored in `search_entries.kind` and given in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Organisation => "organisation",
            Self::Gemeente => "gemeente",
            Self::Indicator => "indicator",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The word in an address (`/zoeken?soort=plannen`).
    pub fn param(self) -> &'static str {
        match self {
            Self::Plan => "plannen",
            Self::Organisation => "organisaties",
            Self::Gemeente => "gemeenten",
            Self::Indicator => "kpis",
        }
    }

    pub fn from_param(param: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.param() == param)
    }

    /// The heading of its group of hits.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Plan => "Plannen",
            Self::Organisation => "Organisaties",
            Self::Gemeente => "Gemeenten",
            Self::Indicator => "KPI's",
        }
    }

    /// The page of a record of this kind.
    pub fn href(self, id: &str) -> String {
        match self {
            Self::Plan => format!("/plannen/{id}"),
            Self::Organisation => format!("/organisaties/{id}"),
            Self::Gemeente => format!("/gemeenten/{id}"),
            Self::Indicator => format!("/indicatoren/{id}"),
        }
    }

    /// The kind whose rows a write to a record of the trail's type `record` changes.
    pub fn of_record(record: &str) -> Option<Self> {
        match record {
            r if r == PlanField::RECORD => Some(Self::Plan),
            "organisation" => Some(Self::Organisation),
            // Every area is written as an "area"; only gemeenten are found (the others have
            // no row, so their refresh finds nothing to store).
            "area" => Some(Self::Gemeente),
            r if r == IndicatorField::RECORD => Some(Self::Indicator),
            _ => None,
        }
    }

    /// The SELECT of the rows to index, up to its WHERE (which the caller finishes).
    fn select(self) -> &'static str {
        match self {
            Self::Plan => {
                "SELECT id, name, archived, stage, about, intended_result, activities, asks FROM plans WHERE"
            }
            Self::Organisation => "SELECT id, name, kind FROM organisations WHERE",
            Self::Gemeente => "SELECT id, name FROM areas WHERE kind = 'gemeente' AND",
            Self::Indicator => "SELECT id, name, description FROM indicators WHERE",
        }
    }

    fn entry(self, row: &sqlx::any::AnyRow) -> Result<Entry, sqlx::Error> {
        let id: String = row.try_get(0)?;
        let name: String = row.try_get(1)?;
        let mut entry = Entry {
            kind: self,
            code: id.clone(),
            record_id: id,
            title: name,
            detail: None,
            texts: Vec::new(),
        };
        match self {
            Self::Plan => {
                let archived: i64 = row.try_get(2)?;
                let stage: Option<String> = row.try_get(3)?;
                let stage = stage.and_then(|s| Stage::parse(&s).ok()).map(|s| s.label());
                entry.detail = if archived != 0 {
                    Some("gearchiveerd".to_owned())
                } else {
                    stage.map(str::to_owned)
                };
                // The four questions of a plan.
                for (i, field) in [
                    PlanField::About,
                    PlanField::IntendedResult,
                    PlanField::Activities,
                    PlanField::Asks,
                ]
                .into_iter()
                .enumerate()
                {
                    let text: Option<String> = row.try_get(4 + i)?;
                    if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
                        entry.texts.push((field.label().to_owned(), t));
                    }
                }
            }
            Self::Organisation => {
                let kind: String = row.try_get(2)?;
                entry.detail = Some(
                    OrganisationKind::parse(&kind)
                        .map_or_else(|_| kind.clone(), |k| k.label().to_owned()),
                );
            }
            Self::Gemeente => {}
            Self::Indicator => {
                let description: Option<String> = row.try_get(2)?;
                if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
                    entry
                        .texts
                        .push((IndicatorField::Description.label().to_owned(), d));
                }
            }
        }
        Ok(entry)
    }
}

/// One row of the index, before it is folded and stored.
#[derive(Debug, Clone)]
struct Entry {
    kind: Kind,
    record_id: String,
    title: String,
    code: String,
    detail: Option<String>,
    texts: Vec<(String, String)>,
}

impl Entry {
    fn values(self) -> Vec<Value> {
        let folded_title = fold(&self.title);
        let folded_code = fold(&self.code);
        let mut folded = format!("{folded_title} | {folded_code}");
        for (_, text) in &self.texts {
            folded.push_str(" | ");
            folded.push_str(&fold(text));
        }
        let texts = (!self.texts.is_empty())
            .then(|| serde_json::to_string(&self.texts).unwrap_or_default());
        vec![
            Value::Text(Some(self.kind.code().to_owned())),
            Value::Text(Some(self.record_id)),
            Value::Text(Some(self.title)),
            Value::Text(Some(self.code)),
            Value::Text(self.detail),
            Value::Text(texts),
            Value::Text(Some(folded_title)),
            Value::Text(Some(folded_code)),
            Value::Text(Some(folded)),
        ]
    }
}

const COLUMNS: &str =
    "kind, record_id, title, code, detail, texts, folded_title, folded_code, folded";
const WIDTH: usize = 9;

/// Records per statement when many are indexed at once.
const BATCH: usize = 200;

/// Stores `entries`, replacing rows of the same record.
async fn store_entries(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: Vec<Entry>,
) -> Result<(), sqlx::Error> {
    for chunk in entries.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO search_entries ({COLUMNS}) VALUES {}
             ON CONFLICT (kind, record_id) DO UPDATE SET title = excluded.title,
               code = excluded.code, detail = excluded.detail, texts = excluded.texts,
               folded_title = excluded.folded_title, folded_code = excluded.folded_code,
               folded = excluded.folded",
            values_rows(backend, chunk.len(), WIDTH)
        );
        let values = chunk.iter().cloned().flat_map(Entry::values);
        sqlx::query_with(sqlx::AssertSqlSafe(sql), Value::arguments(values)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `$first, $first+1, ...`: `n` placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Indexes the records of `kind` with these ids anew, inside the caller's transaction: a
/// record that is gone (or, for areas, is not a gemeente) loses its row.
pub(crate) async fn refresh(
    conn: &mut AnyConnection,
    backend: Backend,
    kind: Kind,
    ids: &[String],
) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(BATCH) {
        let list = placeholders(2, chunk.len());
        let mut delete = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM search_entries WHERE kind = $1 AND record_id IN ({list})"
        )))
        .bind(kind.code());
        for id in chunk {
            delete = delete.bind(id.clone());
        }
        delete.execute(&mut *conn).await?;
        let mut select = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} id IN ({})",
            kind.select(),
            placeholders(1, chunk.len())
        )));
        for id in chunk {
            select = select.bind(id.clone());
        }
        let rows = select.fetch_all(&mut *conn).await?;
        let entries = rows
            .iter()
            .map(|r| kind.entry(r))
            .collect::<Result<Vec<_>, _>>()?;
        store_entries(conn, backend, entries).await?;
    }
    Ok(())
}

/// Builds the whole index anew inside the caller's transaction, a batch of records at a time
/// (an import of a whole portfolio).
pub(crate) async fn rebuild(conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM search_entries")
        .execute(&mut *conn)
        .await?;
    for kind in Kind::ALL {
        let mut after = String::new();
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{} id > $1 ORDER BY id LIMIT $2",
                kind.select()
            )))
            .bind(&after)
            .bind(BATCH as i64)
            .fetch_all(&mut *conn)
            .await?;
            let entries = rows
                .iter()
                .map(|r| kind.entry(r))
                .collect::<Result<Vec<_>, _>>()?;
            let Some(last) = entries.last() else { break };
            after = last.record_id.clone();
            store_entries(conn, backend, entries).await?;
        }
    }
    Ok(())
}

impl Store {
    /// Gives every record without a row in the search index its row: once, at the first start
    /// after migration 0009 (or after the index was emptied), a batch at a time, each
    /// committed. Like a migration it changes no fact, so it writes no trail; it raises the
    /// data version when it added rows, so kept pages are made anew.
    pub(crate) async fn fill_search_index(&self) -> Result<(), StoreError> {
        for kind in Kind::ALL {
            loop {
                let mut tx = match self.backend {
                    Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    Backend::Postgres => self.pool.begin().await?,
                };
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{} id NOT IN (SELECT record_id FROM search_entries WHERE kind = $1)
                     ORDER BY id LIMIT $2",
                    kind.select()
                )))
                .bind(kind.code())
                .bind(BATCH as i64)
                .fetch_all(&mut *tx)
                .await?;
                let entries = rows
                    .iter()
                    .map(|r| kind.entry(r))
                    .collect::<Result<Vec<_>, _>>()?;
                if entries.is_empty() {
                    break;
                }
                store_entries(&mut tx, self.backend, entries).await?;
                sqlx::query("UPDATE data_version SET value = value + 1 WHERE id = 1")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}
