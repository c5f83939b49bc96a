//! Reading budgets and capacities; adding and saving them on the one write path.

use sqlx::AnyConnection;

use super::model::{
    Amount, BUDGET_COLUMNS, BudgetField, BudgetFields, BudgetRow, CAPACITY_COLUMNS, CapacityField,
    CapacityFields, CapacityRow, capacity_label,
};
use crate::store::rows::{exists, refused};
use crate::store::write_path::{KeyPart, RecordKey, Write};
use crate::store::{Actor, Reason, Store, StoreError, Subject};

async fn load_budget(conn: &mut AnyConnection, id: i64) -> Result<BudgetRow, StoreError> {
    let row: Option<BudgetRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BUDGET_COLUMNS} FROM budgets WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("er is geen budget {id}")))
}

async fn name_of(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let name: Option<(String,)> = sqlx::query_as(sql)
        .bind(id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Some(name.map_or_else(|| id.to_owned(), |(n,)| n)))
}

const SOURCE_TITLE: &str = "SELECT title FROM sources WHERE id = $1";

async fn check_sources(
    conn: &mut AnyConnection,
    sources: &[(BudgetField, Option<&str>)],
) -> Result<(), StoreError> {
    for (field, id) in sources {
        if let Some(id) = id
            && !exists(conn, "SELECT COUNT(*) FROM sources WHERE id = $1", id).await?
        {
            return Err(refused(
                *field,
                format!(
                    "{}: er is geen bron \"{id}\"; kies een bron uit de lijst",
                    crate::store::RecordField::label(*field)
                ),
            ));
        }
    }
    Ok(())
}

async fn check_budget(conn: &mut AnyConnection, f: &BudgetFields) -> Result<(), StoreError> {
    if !exists(
        conn,
        "SELECT COUNT(*) FROM funding_sources WHERE id = $1",
        &f.funding_source_id,
    )
    .await?
    {
        return Err(refused(
            BudgetField::Source,
            format!(
                "Financieringsbron: er is geen financieringsbron \"{}\"; kies er een uit de lijst",
                f.funding_source_id
            ),
        ));
    }
    if !super::YEARS.contains(&i64::from(f.year)) {
        return Err(refused(
            BudgetField::Year,
            format!(
                "Jaar: {} is geen jaar tussen {} en {}",
                f.year,
                super::YEARS.start(),
                super::YEARS.end()
            ),
        ));
    }
    check_sources(
        conn,
        &[
            (BudgetField::SourceDocument, f.source_id.as_deref()),
            (
                BudgetField::RequestedSource,
                f.requested.source_id.as_deref(),
            ),
            (BudgetField::GrantedSource, f.granted.source_id.as_deref()),
            (BudgetField::SpentSource, f.spent.source_id.as_deref()),
        ],
    )
    .await
}

/// The values of a budget line as the trail shows them.
async fn budget_values(
    conn: &mut AnyConnection,
    f: &BudgetFields,
) -> Result<Vec<(BudgetField, Option<String>)>, StoreError> {
    let amount = |a: &Amount| a.cents.map(|c| c.label_nl());
    let date = |a: &Amount| a.date.map(|d| d.label_nl());
    Ok(vec![
        (
            BudgetField::Source,
            name_of(
                conn,
                "SELECT name FROM funding_sources WHERE id = $1",
                Some(&f.funding_source_id),
            )
            .await?,
        ),
        (BudgetField::Year, Some(f.year.to_string())),
        (BudgetField::State, f.state.map(|s| s.label().to_owned())),
        (BudgetField::StateDate, f.state_date.map(|d| d.label_nl())),
        (BudgetField::Requested, amount(&f.requested)),
        (BudgetField::RequestedDate, date(&f.requested)),
        (
            BudgetField::RequestedSource,
            name_of(conn, SOURCE_TITLE, f.requested.source_id.as_deref()).await?,
        ),
        (BudgetField::Granted, amount(&f.granted)),
        (BudgetField::GrantedDate, date(&f.granted)),
        (
            BudgetField::GrantedSource,
            name_of(conn, SOURCE_TITLE, f.granted.source_id.as_deref()).await?,
        ),
        (BudgetField::Spent, amount(&f.spent)),
        (BudgetField::SpentDate, date(&f.spent)),
        (
            BudgetField::SpentSource,
            name_of(conn, SOURCE_TITLE, f.spent.source_id.as_deref()).await?,
        ),
        (BudgetField::Note, f.note.clone()),
        (
            BudgetField::SourceDocument,
            name_of(conn, SOURCE_TITLE, f.source_id.as_deref()).await?,
        ),
        (
            BudgetField::Example,
            f.is_example.then(|| "voorbeeld".to_owned()),
        ),
    ])
}

async fn budget_subject(
    conn: &mut AnyConnection,
    id: i64,
    plan_id: &str,
    f: &BudgetFields,
) -> Result<Subject, StoreError> {
    let source = name_of(
        conn,
        "SELECT name FROM funding_sources WHERE id = $1",
        Some(&f.funding_source_id),
    )
    .await?
    .unwrap_or_default();
    Ok(Subject {
        record_id: id.to_string(),
        record_label: format!("budget {source} {}", f.year),
        plan_id: Some(plan_id.to_owned()),
        ..Subject::default()
    })
}

async fn capacity_values(
    conn: &mut AnyConnection,
    f: &CapacityFields,
) -> Result<Vec<(CapacityField, Option<String>)>, StoreError> {
    Ok(vec![
        (CapacityField::Year, Some(f.year.to_string())),
        (
            CapacityField::Amount,
            f.amount.map(|(v, u)| capacity_label(v, u)),
        ),
        (
            CapacityField::Assessment,
            f.assessment.map(|a| a.label().to_owned()),
        ),
        (CapacityField::Note, f.note.clone()),
        (CapacityField::Date, f.date.map(|d| d.label_nl())),
        (
            CapacityField::SourceDocument,
            name_of(conn, SOURCE_TITLE, f.source_id.as_deref()).await?,
        ),
    ])
}

/// Writes a budget's columns (all but its key) to the row `id`.
async fn write_budget(w: &mut Write<'_>, id: i64, f: &BudgetFields) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE budgets SET funding_source_id = $1, year = $2, state = $3, state_date = $4,
            requested_cents = $5, requested_date = $6, requested_source_id = $7,
            granted_cents = $8, granted_date = $9, granted_source_id = $10,
            spent_cents = $11, spent_date = $12, spent_source_id = $13,
            note = $14, source_id = $15, is_example = $16
          WHERE id = $17",
    )
    .bind(f.funding_source_id.clone())
    .bind(i64::from(f.year))
    .bind(f.state.map(|s| s.code()))
    .bind(f.state_date.map(|d| d.to_string()))
    .bind(f.requested.cents.map(|c| c.0))
    .bind(f.requested.date.map(|d| d.to_string()))
    .bind(f.requested.source_id.clone())
    .bind(f.granted.cents.map(|c| c.0))
    .bind(f.granted.date.map(|d| d.to_string()))
    .bind(f.granted.source_id.clone())
    .bind(f.spent.cents.map(|c| c.0))
    .bind(f.spent.date.map(|d| d.to_string()))
    .bind(f.spent.source_id.clone())
    .bind(f.note.clone())
    .bind(f.source_id.clone())
    .bind(i64::from(f.is_example))
    .bind(id)
    .execute(w.conn())
    .await?;
    Ok(())
}

/// Refuses a second line for the same plan, source and year.
async fn check_unique(
    conn: &mut AnyConnection,
    plan_id: &str,
    f: &BudgetFields,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM budgets
          WHERE plan_id = $1 AND funding_source_id = $2 AND year = $3 AND id <> $4",
    )
    .bind(plan_id.to_owned())
    .bind(f.funding_source_id.clone())
    .bind(i64::from(f.year))
    .bind(except.unwrap_or(-1))
    .fetch_one(&mut *conn)
    .await?;
    if n > 0 {
        return Err(refused(
            BudgetField::Year,
            format!(
                "Jaar: dit plan heeft al een budget van deze financieringsbron voor {}; pas dat budget aan",
                f.year
            ),
        ));
    }
    Ok(())
}

impl Store {
    /// Every budget line, by year, plan and source.
    pub async fn budgets(&self) -> Result<Vec<BudgetRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {BUDGET_COLUMNS} FROM budgets ORDER BY year, plan_id, funding_source_id"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn budget(&self, id: i64) -> Result<Option<BudgetRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match load_budget(&mut conn, id).await {
            Ok(b) => Ok(Some(b)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every capacity line, by year and plan.
    pub async fn capacities(&self) -> Result<Vec<CapacityRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAPACITY_COLUMNS} FROM capacities ORDER BY year, plan_id"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Plan ids with their funding sources as the plans name them (`plan_funding`).
    pub async fn plan_funding(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT plan_id, funding_source_id FROM plan_funding ORDER BY plan_id, funding_source_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a budget line to a plan.
    pub async fn create_budget(
        &self,
        actor: &Actor,
        reason: &Reason,
        plan_id: &str,
        f: &BudgetFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        if !exists(
            w.conn(),
            "SELECT COUNT(*) FROM plans WHERE id = $1",
            plan_id,
        )
        .await?
        {
            return Err(StoreError::NotFound(format!(
                "er is geen plan \"{plan_id}\""
            )));
        }
        check_budget(w.conn(), f).await?;
        check_unique(w.conn(), plan_id, f, None).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO budgets (plan_id, funding_source_id, year) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(plan_id.to_owned())
        .bind(f.funding_source_id.clone())
        .bind(i64::from(f.year))
        .fetch_one(w.conn())
        .await?;
        write_budget(&mut w, id, f).await?;
        let subject = budget_subject(w.conn(), id, plan_id, f).await?;
        w.audit_created(&subject, BudgetField::Record).await?;
        let after = budget_values(w.conn(), f).await?;
        w.audit_changes(&subject, None, &after).await?;
        w.commit().await?;
        Ok(id)
    }

    /// Saves a budget line opened at `expected_version`; a changed value ends the line's aanname.
    pub async fn update_budget(
        &self,
        actor: &Actor,
        reason: &Reason,
        id: i64,
        expected_version: i64,
        f: &BudgetFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        let version = w
            .claim(&RecordKey::int("budgets", id), expected_version, || {
                format!("er is geen budget {id}")
            })
            .await?;
        let current = load_budget(w.conn(), id).await?;
        check_budget(w.conn(), f).await?;
        check_unique(w.conn(), &current.plan_id, f, Some(id)).await?;
        write_budget(&mut w, id, f).await?;
        let before = current.fields();
        let subject = budget_subject(w.conn(), id, &current.plan_id, f).await?;
        let old = budget_values(w.conn(), &before).await?;
        let new = budget_values(w.conn(), f).await?;
        // The aanname of a line explains its source and year (the documents name an
        // application, seldom its source or year): a new source or year ends it.
        let changed = before.funding_source_id != f.funding_source_id || before.year != f.year;
        if changed && let Some(a) = &current.assumption {
            sqlx::query("UPDATE budgets SET assumption = NULL WHERE id = $1")
                .bind(id)
                .execute(w.conn())
                .await?;
            w.audit(
                &subject,
                BudgetField::Assumption,
                Some(&format!("aanname: {a}")),
                Some(crate::store::write_path::ASSUMPTION_ENDED),
            )
            .await?;
        }
        w.audit_changes(&subject, Some(&old), &new).await?;
        w.commit().await?;
        Ok(version)
    }

    /// Saves a plan's capacity for a year: a new one when `expected_version` is 0 (claimed by
    /// its INSERT: a second at once is a conflict), otherwise the one opened at that version.
    pub async fn save_capacity(
        &self,
        actor: &Actor,
        reason: &Reason,
        plan_id: &str,
        expected_version: i64,
        f: &CapacityFields,
    ) -> Result<i64, StoreError> {
        let mut w = self.write(actor, reason).await?;
        if !exists(
            w.conn(),
            "SELECT COUNT(*) FROM plans WHERE id = $1",
            plan_id,
        )
        .await?
        {
            return Err(StoreError::NotFound(format!(
                "er is geen plan \"{plan_id}\""
            )));
        }
        if let Some(s) = &f.source_id
            && !exists(w.conn(), "SELECT COUNT(*) FROM sources WHERE id = $1", s).await?
        {
            return Err(refused(
                CapacityField::SourceDocument,
                format!("Bron: er is geen bron \"{s}\"; kies een bron uit de lijst"),
            ));
        }
        let year = i64::from(f.year);
        let subject = Subject {
            record_id: format!("{plan_id}/{year}"),
            record_label: format!("capaciteit {year}"),
            plan_id: Some(plan_id.to_owned()),
            ..Subject::default()
        };
        let before = if expected_version == 0 {
            let inserted = sqlx::query(
                "INSERT INTO capacities (plan_id, year) VALUES ($1, $2)
                 ON CONFLICT (plan_id, year) DO NOTHING",
            )
            .bind(plan_id.to_owned())
            .bind(year)
            .execute(w.conn())
            .await?;
            if inserted.rows_affected() == 0 {
                let (current,): (i64,) = sqlx::query_as(
                    "SELECT version FROM capacities WHERE plan_id = $1 AND year = $2",
                )
                .bind(plan_id.to_owned())
                .bind(year)
                .fetch_one(w.conn())
                .await?;
                return Err(StoreError::Conflict {
                    current_version: current,
                });
            }
            w.audit_created(&subject, CapacityField::Record).await?;
            None
        } else {
            w.claim(
                &RecordKey {
                    table: "capacities",
                    columns: &["plan_id", "year"],
                    values: vec![KeyPart::Text(plan_id), KeyPart::Int(year)],
                },
                expected_version,
                || format!("er is geen capaciteit van {plan_id} voor {year}"),
            )
            .await?;
            let row: CapacityRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CAPACITY_COLUMNS} FROM capacities WHERE plan_id = $1 AND year = $2"
            )))
            .bind(plan_id.to_owned())
            .bind(year)
            .fetch_one(w.conn())
            .await?;
            Some(row.fields())
        };
        sqlx::query(
            "UPDATE capacities SET amount = $1, unit = $2, assessment = $3, note = $4, date = $5,
                source_id = $6
              WHERE plan_id = $7 AND year = $8",
        )
        .bind(f.amount.map(|(v, _)| v))
        .bind(f.amount.map(|(_, u)| u.code()))
        .bind(f.assessment.map(|a| a.code()))
        .bind(f.note.clone())
        .bind(f.date.map(|d| d.to_string()))
        .bind(f.source_id.clone())
        .bind(plan_id.to_owned())
        .bind(year)
        .execute(w.conn())
        .await?;
        let old = match &before {
            Some(b) => Some(capacity_values(w.conn(), b).await?),
            None => None,
        };
        let new = capacity_values(w.conn(), f).await?;
        w.audit_changes(&subject, old.as_deref(), &new).await?;
        let (version,): (i64,) =
            sqlx::query_as("SELECT version FROM capacities WHERE plan_id = $1 AND year = $2")
                .bind(plan_id.to_owned())
                .bind(year)
                .fetch_one(w.conn())
                .await?;
        w.commit().await?;
        Ok(version)
    }
}
