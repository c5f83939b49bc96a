//! Many rows as one: a statement whose rows the database packs into one JSON text.
//!
//! Each row that crosses from the database to the application has a cost of its own besides
//! its values: on SQLite, a hand-off from SQLite's worker thread and a copy of every value,
//! twice. A page that shows hundreds of rows (a KPI's latest value in every gemeente, an
//! area's series, the rollouts of a page of plans) spends most of its time there. Packed,
//! the database builds one JSON array of objects (`json_group_array` on SQLite, `json_agg`
//! on PostgreSQL) and the application reads it in one go ([`unpack`]).
//!
//! The objects' keys are the inner statement's column names, which must be the row type's
//! field names; the inner statement is fixed text of the calling module, never user input.

use serde::de::DeserializeOwned;

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

/// `SELECT <columns> FROM <rest>` (without its order) as one statement that gives one text:
/// a JSON array with an object per row, in the order `order` (over the selected columns'
/// names, e.g. `area_id, id`).
pub(crate) fn packed_sql(backend: Backend, columns: &str, rest: &str, order: &str) -> String {
    let pairs: Vec<String> = names(columns)
        .into_iter()
        .map(|n| format!("'{n}', t.{n}"))
        .collect();
    let pairs = pairs.join(", ");
    let order: Vec<String> = order
        .split(',')
        .map(|o| format!("t.{}", o.trim()))
        .collect();
    let order = order.join(", ");
    let inner = format!("SELECT {columns} FROM {rest}");
    match backend {
        Backend::Sqlite => format!(
            "SELECT json_group_array(json_object({pairs}) ORDER BY {order}) FROM ({inner}) t"
        ),
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_object({pairs}) ORDER BY {order}), '[]')::text
               FROM ({inner}) t"
        ),
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
        let sql = packed_sql(
            Backend::Sqlite,
            "x.id, x.name",
            "t1 x WHERE x.id > $1",
            "id",
        );
        assert_eq!(
            sql,
            "SELECT json_group_array(json_object('id', t.id, 'name', t.name) ORDER BY t.id) \
             FROM (SELECT x.id, x.name FROM t1 x WHERE x.id > $1) t"
        );
        let sql = packed_sql(Backend::Postgres, "x.id", "t1 x", "id");
        assert!(sql.contains(
            "COALESCE(json_agg(json_build_object('id', t.id) ORDER BY t.id), '[]')::text"
        ));
    }
}
