//! Many rows as one: a statement whose rows the database packs into one JSON text.
//!
//! Each row that crosses from the database to the application has a cost of its own besides
//! its values: on SQLite, a hand-off from SQLite's worker thread and a copy of every value,
//! twice. A page that shows hundreds of rows (the rollouts and steps of a page of plans, a
//! long trail) spends most of its time there. Packed,
//! SQLite builds one JSON array of objects (`json_group_array`) and the application reads it
//! in one go ([`unpack`]). PostgreSQL sends rows cheaply but builds JSON slowly (`json_agg`
//! of 2,000 rollouts took 10-14 ms where the rows took 3 ms), so there [`Rows`] reads them
//! as rows.
//!
//! The objects' keys are the inner statement's column names, which must be the row type's
//! field names; the inner statement is fixed text of the calling module, never user input.
//!
//! Numbers with decimals are named as `reals`: SQLite writes a REAL into JSON with 15
//! significant digits, so 66.66666666666667 would come back as 66.6666666666667. A real column
//! is packed as the text of `quote()`, which has the digits to read it back as stored
//! ("6.66666666666666714053e+01"), and read with [`exact_real`].

use serde::Deserializer;
use serde::de::{DeserializeOwned, Visitor};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, FromRow, Row};

use super::{Backend, StoreError};

/// The column names of a column list such as `o.id, o.area_id, x.plan_id AS plan` (the part
/// after the last dot, or after `AS`).
fn names(columns: &str) -> Vec<&str> {
    columns
        .split(',')
        .map(|c| {
            let c = c.trim();
            match c.rsplit_once(" AS ") {
                Some((_, name)) => name.trim(),
                None => c.rsplit_once('.').map_or(c, |(_, name)| name),
            }
        })
        .collect()
}

/// `SELECT <columns> FROM <rest>` (`rest` may end in its own order and limit) as one
/// statement that gives one text:
/// a JSON array with an object per row, in the order `order` (over the selected columns'
/// names, e.g. `area_id, id`). The columns named in `reals` are packed exactly
/// ([`exact_real`]). SQLite's form; see [`Rows`] for one that suits both.
pub(crate) fn packed_sql(columns: &str, reals: &[&str], rest: &str, order: &str) -> String {
    let pairs: Vec<String> = names(columns)
        .into_iter()
        .map(|n| {
            if reals.contains(&n) {
                format!("'{n}', quote(t.{n})")
            } else {
                format!("'{n}', t.{n}")
            }
        })
        .collect();
    format!(
        "SELECT json_group_array(json_object({}) ORDER BY {}) FROM (SELECT {columns} FROM {rest}) t",
        pairs.join(", "),
        outer_order(order)
    )
}

/// `order` over the names of the subquery `t`'s columns.
fn outer_order(order: &str) -> String {
    order
        .split(',')
        .map(|o| format!("t.{}", o.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A read of many rows: packed on SQLite ([`packed_sql`]), as rows on PostgreSQL.
pub(crate) struct Rows {
    sql: String,
    packed: bool,
}

impl Rows {
    /// The rows of `SELECT <columns> FROM <rest>` in the order `order` (over the columns'
    /// names, which are the row type's fields). `rest` may end in its own order and limit.
    pub(crate) fn new(backend: Backend, columns: &str, rest: &str, order: &str) -> Self {
        Self::with_reals(backend, columns, &[], rest, order)
    }

    /// As [`Rows::new`], with columns of numbers with decimals named in `reals`; their field
    /// in the row type reads them with [`exact_real`].
    pub(crate) fn with_reals(
        backend: Backend,
        columns: &str,
        reals: &[&str],
        rest: &str,
        order: &str,
    ) -> Self {
        match backend {
            Backend::Sqlite => Self {
                sql: packed_sql(columns, reals, rest, order),
                packed: true,
            },
            Backend::Postgres => Self {
                sql: format!(
                    "SELECT * FROM (SELECT {columns} FROM {rest}) t ORDER BY {}",
                    outer_order(order)
                ),
                packed: false,
            },
        }
    }

    /// The statement, to bind its parameters to.
    pub(crate) fn query(&self) -> Query<'static, Any, AnyArguments> {
        sqlx::query(sqlx::AssertSqlSafe(self.sql.clone()))
    }

    /// Runs `query` (this statement with its parameters bound) and gives its rows.
    pub(crate) async fn fetch<T>(
        &self,
        query: Query<'_, Any, AnyArguments>,
        pool: &AnyPool,
    ) -> Result<Vec<T>, StoreError>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, AnyRow>,
    {
        if self.packed {
            let text: String = query.fetch_one(pool).await?.try_get(0)?;
            unpack(&text)
        } else {
            let rows = query.fetch_all(pool).await?;
            Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
        }
    }
}

/// The rows of a packed statement's text. How many there were is an event of its own (at
/// debug), as sqlx's events count the rows of other statements: the regression guards count
/// both.
pub(crate) fn unpack<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, StoreError> {
    let rows: Vec<T> = serde_json::from_str(text)
        .map_err(|e| StoreError::Sql(sqlx::Error::Decode(Box::new(e))))?;
    tracing::debug!(rows = rows.len() as u64, "packed rows read");
    Ok(rows)
}

/// A number with decimals of a packed row, as stored: the text `quote()` gave (`NULL` for
/// none), or a JSON number. For a field `Option<f64>`:
/// `#[serde(deserialize_with = "crate::store::packed::exact_real")]`.
pub(crate) fn exact_real<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct Real;
    impl<'de> Visitor<'de> for Real {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number, its text, or NULL")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v == "NULL" {
                Ok(None)
            } else {
                v.parse().map(Some).map_err(E::custom)
            }
        }

        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        #[allow(clippy::cast_precision_loss)]
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        #[allow(clippy::cast_precision_loss)]
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_come_after_the_table_or_as() {
        assert_eq!(
            names("o.id, o.area_id,\n  x.plan_id AS plan, value"),
            ["id", "area_id", "plan", "value"]
        );
    }

    #[test]
    fn the_statement_keys_each_row_by_its_column_names_in_the_given_order() {
        let sql = packed_sql("x.id, x.name", &[], "t1 x WHERE x.id > $1", "id");
        assert_eq!(
            sql,
            "SELECT json_group_array(json_object('id', t.id, 'name', t.name) ORDER BY t.id) \
             FROM (SELECT x.id, x.name FROM t1 x WHERE x.id > $1) t"
        );
        let rows = Rows::new(Backend::Postgres, "x.id", "t1 x", "id DESC");
        assert_eq!(
            rows.sql,
            "SELECT * FROM (SELECT x.id FROM t1 x) t ORDER BY t.id DESC"
        );
        assert!(!rows.packed);
    }

    #[derive(Debug, PartialEq, serde::Deserialize, sqlx::FromRow)]
    struct Measured {
        id: i64,
        #[serde(deserialize_with = "exact_real")]
        value: Option<f64>,
    }

    #[tokio::test]
    async fn a_packed_real_comes_back_as_it_was_stored() {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("an in-memory database");
        sqlx::query("CREATE TABLE m (id INTEGER PRIMARY KEY, value REAL)")
            .execute(&pool)
            .await
            .expect("table");
        let values = [
            Some(200.0 / 3.0),
            Some(0.1 + 0.2),
            Some(15.0),
            Some(-2.5e-310),
            Some(1.234_567_890_123_456_8e17),
            None,
        ];
        for (id, v) in values.iter().enumerate() {
            sqlx::query("INSERT INTO m (id, value) VALUES ($1, $2)")
                .bind(i64::try_from(id).expect("small"))
                .bind(*v)
                .execute(&pool)
                .await
                .expect("insert");
        }
        let rows = Rows::with_reals(Backend::Sqlite, "m.id, m.value", &["value"], "m", "id");
        let read: Vec<Measured> = rows.fetch(rows.query(), &pool).await.expect("read");
        let got: Vec<Option<f64>> = read.iter().map(|m| m.value).collect();
        assert_eq!(got, values);
        // Without quote(), SQLite's JSON would round 66.66666666666667.
        let plain = Rows::new(Backend::Sqlite, "m.id, m.value", "m", "id");
        let read: Vec<Measured> = plain.fetch(plain.query(), &pool).await.expect("read");
        assert_ne!(read[0].value, values[0]);
    }
}
