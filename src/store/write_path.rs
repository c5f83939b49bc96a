//! The one write path. Every change to the store, from every door (website, API, command line,
//! import), runs inside a [`Write`]: a transaction begun the right way for the backend, a
//! version claim that turns a concurrent save into a conflict, audit entries written from typed
//! fields, and a commit that raises the data version. Write functions only say what changes.

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, Arguments, Transaction};

use super::audit::{Actor, Reason, Subject};
use super::{Backend, Store, StoreError};

pub(crate) type Tx = Transaction<'static, Any>;

/// The fields of one kind of record, as the audit trail and refusals name them. Declared with
/// [`record_fields!`], which asks for a Dutch label next to every code, so a field without a
/// label does not compile.
pub trait RecordField: Copy + Eq + std::fmt::Debug + 'static {
    /// The record type written in the trail (`plan`, `rollout`, ...).
    const RECORD: &'static str;
    /// Every field, in the order of the declaration.
    const ALL: &'static [Self];
    /// The code stored in the trail.
    fn code(self) -> &'static str;
    /// The Dutch label pages show.
    fn label(self) -> &'static str;
    /// The field with this code, if there is one.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.code() == code)
    }
    /// What kind of text the field holds, which says how long it may be.
    fn text_kind(self) -> TextKind;
}

/// The kinds of text a field holds, each with its longest length (docs/limits.md). The write
/// path refuses a longer value for the field, from every door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A name or title: one line.
    Name,
    /// A short line: a source, an address, a wijk, a code, a date.
    Line,
    /// A note or a comment with a save.
    Note,
    /// A description, an aim, a narrative: the longest texts.
    Long,
}

impl TextKind {
    pub const fn max_chars(self) -> usize {
        match self {
            Self::Name => 200,
            Self::Line => 500,
            Self::Note => 2_000,
            Self::Long => 20_000,
        }
    }

    /// Checks a value of a field labelled `label`: its length, and one line for names and
    /// lines. The message is Dutch and names the field.
    pub fn check(self, label: &str, value: &str) -> Result<(), String> {
        let chars = value.chars().count();
        let max = self.max_chars();
        if chars > max {
            return Err(format!(
                "{label}: de tekst is {chars} tekens lang en mag er hoogstens {max} hebben. Maak hem korter."
            ));
        }
        if matches!(self, Self::Name | Self::Line) && value.contains(['\n', '\r']) {
            return Err(format!(
                "{label}: dit veld is één regel; haal de regelovergang weg."
            ));
        }
        if let Some(c) = crate::web::input::control_character(value) {
            return Err(crate::web::input::control_message(label, c));
        }
        Ok(())
    }
}

/// Declares the fields of a record kind: `Variant = "code" => "Dutch label"`, optionally
/// followed by `as Name` (or `Line`, `Note`) for the kind of text it holds; the default is a
/// long text.
macro_rules! record_fields {
    (@kind) => { $crate::store::write_path::TextKind::Long };
    (@kind $kind:ident) => { $crate::store::write_path::TextKind::$kind };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident for $record:literal {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal $(as $kind:ident)?),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::store::RecordField for $name {
            const RECORD: &'static str = $record;
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
            fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
            fn text_kind(self) -> $crate::store::write_path::TextKind {
                match self { $(Self::$variant => record_fields!(@kind $($kind)?)),+ }
            }
        }
    };
}
pub(crate) use record_fields;

/// The trail's value for a record that was made.
pub const CREATED: &str = "aangemaakt";

/// The trail's new value when a user's new value ended a field's aanname (the old value is
/// "aanname: " and its reason).
pub const ASSUMPTION_ENDED: &str = "geen aanname meer: de waarde is gewijzigd";

/// Why a write was refused: the field of the record it is about, when it is about one, and
/// what to fix, in Dutch. Forms map the field to their input, the API to its JSON key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    record: &'static str,
    field: Option<&'static str>,
    message: String,
}

impl Refusal {
    /// A refusal about `field`.
    pub fn of<F: RecordField>(field: F, message: impl Into<String>) -> Self {
        Self {
            record: F::RECORD,
            field: Some(field.code()),
            message: message.into(),
        }
    }

    /// A refusal about the write as a whole (a file, a store that is not empty).
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            record: "",
            field: None,
            message: message.into(),
        }
    }

    /// The field refused, when it is a field of `F`'s record kind.
    pub fn field<F: RecordField>(&self) -> Option<F> {
        if self.record != F::RECORD {
            return None;
        }
        self.field.and_then(F::from_code)
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn into_message(self) -> String {
        self.message
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A value that is part of a record's key.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyPart<'a> {
    Text(&'a str),
    Int(i64),
}

/// Which row of a versioned table a write is about: the table, its key columns and values.
#[derive(Debug, Clone)]
pub(crate) struct RecordKey<'a> {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub values: Vec<KeyPart<'a>>,
}

impl<'a> RecordKey<'a> {
    /// A row keyed by one text id (plans, organisations, areas, framework items, KPI's).
    pub fn text(table: &'static str, id: &'a str) -> Self {
        Self {
            table,
            columns: &["id"],
            values: vec![KeyPart::Text(id)],
        }
    }

    /// A row keyed by one number (actions, users).
    pub fn int(table: &'static str, id: i64) -> Self {
        Self {
            table,
            columns: &["id"],
            values: vec![KeyPart::Int(id)],
        }
    }

    fn condition(&self, first: usize) -> String {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", first + i))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The key's values as statement arguments, followed by `extra` when given.
    fn arguments(&self, extra: Option<i64>) -> Result<AnyArguments, StoreError> {
        let mut args = AnyArguments::default();
        for v in &self.values {
            match *v {
                KeyPart::Text(t) => args.add(t.to_owned()),
                KeyPart::Int(n) => args.add(n),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        if let Some(n) = extra {
            args.add(n).map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }
}

/// One value of a multi-row INSERT.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

impl Value {
    /// The values as a statement's arguments, in order.
    pub fn arguments(values: impl IntoIterator<Item = Value>) -> Result<AnyArguments, sqlx::Error> {
        let mut args = AnyArguments::default();
        for v in values {
            match v {
                Value::Text(s) => args.add(s),
                Value::Int(n) => args.add(n),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }
}

/// One audit entry of a bulk write (an import): the record type comes from the field.
#[derive(Debug, Clone)]
pub(crate) struct AuditEntry {
    record_type: &'static str,
    field: &'static str,
    subject: Subject,
    old: Option<String>,
    new: Option<String>,
}

impl AuditEntry {
    pub fn new<F: RecordField>(
        field: F,
        subject: Subject,
        old: Option<String>,
        new: Option<String>,
    ) -> Self {
        Self {
            record_type: F::RECORD,
            field: field.code(),
            subject,
            old,
            new,
        }
    }
}

/// The kinds of record (the trail's record types) that what the KPIs' latest values say does
/// not follow from, each with the table a form's version of it is claimed in: a write of only
/// these leaves [`Store::kpi_version`] as it is. A kind not listed here (observations, KPIs,
/// areas, and any kind added later) raises it.
const LEAVES_KPI_VALUES: &[(&str, &str)] = &[
    ("plan", "plans"),
    ("milestone", "milestones"),
    ("action", "actions"),
    ("budget", "budgets"),
    ("capacity", "capacities"),
    ("meeting", "meetings"),
    ("framework", "framework_items"),
    ("rollout", "rollouts"),
    ("organisation", "organisations"),
    ("user", "users"),
    ("token", "api_tokens"),
    ("round", "report_rounds"),
    ("update", "plan_updates"),
];

/// Parameters per statement: under SQLite's limit (32766) and PostgreSQL's (65535).
const MAX_PARAMS: usize = 30_000;

/// One write in progress. Dropped without [`Write::commit`], it rolls back and leaves nothing.
pub(crate) struct Write<'s> {
    store: &'s Store,
    tx: Tx,
    actor: &'s Actor,
    reason: Reason,
    at: String,
    /// The same for every trail entry of this write (`audit_log.write_id`).
    id: String,
    /// The records this write wrote a trail entry about, by the trail's record type: their
    /// search rows are refreshed at commit.
    touched: std::collections::BTreeSet<(&'static str, String)>,
    /// The tables of the records whose version this write claimed or raised.
    claimed: std::collections::BTreeSet<&'static str>,
    /// The whole search index is rebuilt at commit (an import of a whole portfolio).
    rebuild_search: bool,
}

impl Store {
    /// Begins a write for `actor` with `reason` (the comment and source every audit entry of
    /// this write carries).
    ///
    /// SQLite takes the write lock at the start (`BEGIN IMMEDIATE`, waiting up to the busy
    /// timeout): with a plain `BEGIN` two writers both read, and the second one's first write
    /// fails at once with "database is locked" instead of waiting and finding the version the
    /// first one saved. On PostgreSQL the version claim ([`Write::claim`]) is what serialises
    /// two saves of one record: its row lock makes the second claim wait and then miss.
    pub(crate) async fn write<'s>(
        &'s self,
        actor: &'s Actor,
        reason: &Reason,
    ) -> Result<Write<'s>, StoreError> {
        for (label, kind, value) in [
            ("Toelichting", TextKind::Note, &reason.comment),
            ("Bron", TextKind::Line, &reason.source),
        ] {
            if let Some(v) = value {
                kind.check(label, v)
                    .map_err(|m| StoreError::Refused(Refusal::general(m)))?;
            }
        }
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Write {
            store: self,
            tx,
            actor,
            reason: reason.clone(),
            at: super::now_text(),
            id: crate::auth::new_id(),
            touched: std::collections::BTreeSet::new(),
            claimed: std::collections::BTreeSet::new(),
            rebuild_search: false,
        })
    }
}

impl<'s> Write<'s> {
    /// The transaction's connection, for the statements of the write itself.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn backend(&self) -> Backend {
        self.store.backend
    }

    /// Replaces the reason the following audit entries carry (a matrix cell's source is
    /// known only once it has been resolved inside the write).
    pub fn set_reason(&mut self, reason: Reason) {
        self.reason = reason;
    }

    /// Takes the record from the version the user opened (`expected`) to the next one, or
    /// refuses with [`StoreError::Conflict`] when someone saved it since (and with `not_found`
    /// when it does not exist). This is the first statement of every versioned save, so the
    /// row is locked for the rest of the write and the values read after it are the ones this
    /// write replaces. Returns the new version.
    pub async fn claim(
        &mut self,
        key: &RecordKey<'_>,
        expected: i64,
        not_found: impl FnOnce() -> String,
    ) -> Result<i64, StoreError> {
        self.claimed.insert(key.table);
        let n = key.columns.len();
        let sql = format!(
            "UPDATE {} SET version = version + 1 WHERE {} AND version = ${}",
            key.table,
            key.condition(1),
            n + 1
        );
        let done = sqlx::query_with(sqlx::AssertSqlSafe(sql), key.arguments(Some(expected))?)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() > 0 {
            return Ok(expected + 1);
        }
        match self.version_of(key).await? {
            Some(current_version) => Err(StoreError::Conflict { current_version }),
            None => Err(StoreError::NotFound(not_found())),
        }
    }

    /// Raises the version of a record whatever it was (for changes that do not come from a
    /// form opened at a version, such as the command line's `user disable`). Returns the new
    /// version.
    pub async fn bump(
        &mut self,
        key: &RecordKey<'_>,
        not_found: impl FnOnce() -> String,
    ) -> Result<i64, StoreError> {
        self.claimed.insert(key.table);
        let sql = format!(
            "UPDATE {} SET version = version + 1 WHERE {}",
            key.table,
            key.condition(1)
        );
        sqlx::query_with(sqlx::AssertSqlSafe(sql), key.arguments(None)?)
            .execute(&mut *self.tx)
            .await?;
        self.version_of(key)
            .await?
            .ok_or_else(|| StoreError::NotFound(not_found()))
    }

    /// The stored version of a record, `None` when there is no such record.
    pub async fn version_of(&mut self, key: &RecordKey<'_>) -> Result<Option<i64>, StoreError> {
        let sql = format!(
            "SELECT version FROM {} WHERE {}",
            key.table,
            key.condition(1)
        );
        Ok(
            sqlx::query_scalar_with(sqlx::AssertSqlSafe(sql), key.arguments(None)?)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// Runs the INSERT of a new record that a form opened as empty (version 0). When another
    /// write created the same record first, the unique key refuses it: that is a conflict
    /// with the version it stored, not an error.
    pub async fn insert_new(
        &mut self,
        insert: sqlx::query::Query<'_, Any, AnyArguments>,
    ) -> Result<(), StoreError> {
        match insert.execute(&mut *self.tx).await {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict { current_version: 1 }),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    /// Appends an audit entry for `field` of `subject` when `old` and `new` differ (empty
    /// counts as absent); returns whether it did.
    pub async fn audit<F: RecordField>(
        &mut self,
        subject: &Subject,
        field: F,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<bool, StoreError> {
        let reason = std::mem::take(&mut self.reason);
        let written = self.audit_because(&reason, subject, field, old, new).await;
        self.reason = reason;
        written
    }

    /// As [`Write::audit`], with a reason of its own (a stage change carries its source).
    pub async fn audit_because<F: RecordField>(
        &mut self,
        reason: &Reason,
        subject: &Subject,
        field: F,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<bool, StoreError> {
        let old = old.filter(|v| !v.is_empty());
        let new = new.filter(|v| !v.is_empty());
        if old == new {
            return Ok(false);
        }
        // Every changed value passes here, from every door: the place to hold its length.
        if let Some(value) = new {
            field
                .text_kind()
                .check(field.label(), value)
                .map_err(|message| StoreError::Refused(Refusal::of(field, message)))?;
        }
        self.insert_audit(reason, subject, F::RECORD, field.code(), old, new)
            .await?;
        // A new value is the user's own: an aanname on the field ends, and the trail keeps
        // the reason it had.
        let ended: Option<String> = sqlx::query_scalar(
            "DELETE FROM assumptions WHERE record_type = $1 AND record_id = $2 AND field = $3
             RETURNING reason",
        )
        .bind(F::RECORD)
        .bind(&subject.record_id)
        .bind(field.code())
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(ended) = ended {
            let was = format!("aanname: {ended}");
            self.insert_audit(
                reason,
                subject,
                F::RECORD,
                field.code(),
                Some(&was),
                Some(ASSUMPTION_ENDED),
            )
            .await?;
        }
        Ok(true)
    }

    async fn insert_audit(
        &mut self,
        reason: &Reason,
        subject: &Subject,
        record: &'static str,
        field: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, actor, channel, record_type, record_id, record_label,
                plan_id, area_id, organisation_id, indicator_id, field, old_value, new_value, comment, source, write_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&self.at)
        .bind(self.actor.user_id)
        .bind(&self.actor.name)
        .bind(self.actor.channel.code())
        .bind(record)
        .bind(&subject.record_id)
        .bind(&subject.record_label)
        .bind(&subject.plan_id)
        .bind(&subject.area_id)
        .bind(&subject.organisation_id)
        .bind(&subject.indicator_id)
        .bind(field)
        .bind(old)
        .bind(new)
        .bind(&reason.comment)
        .bind(&reason.source)
        .bind(&self.id)
        .execute(&mut *self.tx)
        .await?;
        self.touched.insert((record, subject.record_id.clone()));
        Ok(())
    }

    /// Notes in the trail that the record was made, under its `field` for the record.
    pub async fn audit_created<F: RecordField>(
        &mut self,
        subject: &Subject,
        field: F,
    ) -> Result<(), StoreError> {
        self.audit(subject, field, None, Some(CREATED)).await?;
        Ok(())
    }

    /// Appends an entry for every field whose readable value differs between `before` (`None`
    /// for a new record: every field is new) and `after`.
    pub async fn audit_changes<F: RecordField>(
        &mut self,
        subject: &Subject,
        before: Option<&[(F, Option<String>)]>,
        after: &[(F, Option<String>)],
    ) -> Result<(), StoreError> {
        for (field, new) in after {
            let old = before
                .and_then(|b| b.iter().find(|(f, _)| f == field))
                .and_then(|(_, v)| v.as_deref());
            self.audit(subject, *field, old, new.as_deref()).await?;
        }
        Ok(())
    }

    /// Inserts `rows` into `table`, each row as (column, value) pairs in the same columns, with
    /// as few statements as the backends' limits on parameters allow. The rows are read
    /// before the returned future starts, so they may borrow freely.
    pub fn insert_rows<R>(
        &mut self,
        table: &'static str,
        rows: impl IntoIterator<Item = R>,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send + '_
    where
        R: IntoIterator<Item = (&'static str, Value)>,
    {
        let mut columns: Vec<&'static str> = Vec::new();
        let mut values: Vec<Vec<Value>> = Vec::new();
        for row in rows {
            let (names, row): (Vec<_>, Vec<_>) = row.into_iter().unzip();
            if values.is_empty() {
                columns = names;
            } else {
                debug_assert_eq!(
                    columns, names,
                    "every row of {table} fills the same columns"
                );
            }
            values.push(row);
        }
        self.insert_values(table, columns, values)
    }

    async fn insert_values(
        &mut self,
        table: &'static str,
        columns: Vec<&'static str>,
        values: Vec<Vec<Value>>,
    ) -> Result<(), sqlx::Error> {
        let width = columns.len().max(1);
        let per_statement = (MAX_PARAMS / width).max(1);
        let mut rows = values.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {}",
                columns.join(", "),
                values_rows(self.backend(), chunk.len(), width)
            );
            let arguments = Value::arguments(chunk.into_iter().flatten())?;
            sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Appends many audit entries at once, with this write's moment, actor and reason.
    pub async fn audit_bulk(&mut self, entries: Vec<AuditEntry>) -> Result<(), StoreError> {
        let text = |s: &str| Value::Text(Some(s.to_owned()));
        let rows: Vec<_> = entries
            .into_iter()
            .map(|e| {
                self.touched
                    .insert((e.record_type, e.subject.record_id.clone()));
                [
                    ("at", text(&self.at)),
                    ("user_id", Value::Int(self.actor.user_id)),
                    ("actor", text(&self.actor.name)),
                    ("channel", text(self.actor.channel.code())),
                    ("record_type", text(e.record_type)),
                    ("record_id", Value::Text(Some(e.subject.record_id))),
                    ("record_label", Value::Text(Some(e.subject.record_label))),
                    ("plan_id", Value::Text(e.subject.plan_id)),
                    ("area_id", Value::Text(e.subject.area_id)),
                    ("organisation_id", Value::Text(e.subject.organisation_id)),
                    ("indicator_id", Value::Text(e.subject.indicator_id)),
                    ("field", text(e.field)),
                    ("old_value", Value::Text(e.old)),
                    ("new_value", Value::Text(e.new)),
                    ("comment", Value::Text(self.reason.comment.clone())),
                    ("source", Value::Text(self.reason.source.clone())),
                    ("write_id", text(&self.id)),
                ]
            })
            .collect();
        self.insert_rows("audit_log", rows).await?;
        Ok(())
    }

    /// Has [`Write::commit`] build the search index anew instead of refreshing the records
    /// this write touched: for a write that stores a whole portfolio.
    pub fn rebuild_search_index(&mut self) {
        self.rebuild_search = true;
    }

    /// Brings the search rows of what this write touched up to date, inside the write: every
    /// change to a plan, organisation, area or KPI writes a trail entry about it, so the
    /// trail's subjects are the records whose rows may have changed.
    async fn refresh_search(&mut self) -> Result<(), sqlx::Error> {
        use crate::features::search::index::{self, Kind};
        let backend = self.backend();
        if self.rebuild_search {
            return index::rebuild(&mut self.tx, backend).await;
        }
        let touched = std::mem::take(&mut self.touched);
        for kind in Kind::ALL {
            let ids: Vec<String> = touched
                .iter()
                .filter(|(record, _)| Kind::of_record(record) == Some(kind))
                .map(|(_, id)| id.clone())
                .collect();
            if !ids.is_empty() {
                index::refresh(&mut self.tx, backend, kind, &ids).await?;
            }
        }
        Ok(())
    }

    /// Brings the search index up to date with this write, raises the data version and
    /// commits: the write is stored and kept pages are stale.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        // Whether what the KPIs' latest values say may have changed: unless every record this
        // write wrote a trail entry about is of a kind they do not follow from.
        // A save that changed no field writes no trail entry, but the version it claimed
        // says which record it was about.
        let kpis = self.rebuild_search
            || (self.touched.is_empty() && self.claimed.is_empty())
            || self
                .touched
                .iter()
                .any(|(record, _)| !LEAVES_KPI_VALUES.iter().any(|(r, _)| r == record))
            || self
                .claimed
                .iter()
                .any(|table| !LEAVES_KPI_VALUES.iter().any(|(_, t)| t == table));
        self.refresh_search().await?;
        crate::features::dashboard::counts::refresh_kept_counts(&mut self.tx, self.store.backend)
            .await?;
        let raised = if kpis {
            "UPDATE data_version SET value = value + 1 WHERE id IN (1, 2)"
        } else {
            "UPDATE data_version SET value = value + 1 WHERE id = 1"
        };
        sqlx::query(raised).execute(&mut *self.tx).await?;
        self.tx.commit().await?;
        self.store.written();
        Ok(())
    }
}

/// `($1, $2), ($3, $4)`: the VALUES of a multi-row INSERT, `rows` rows of `width` values.
///
/// On SQLite the placeholders are plain `?`: sqlx binds a `$n` there by asking SQLite for
/// every parameter's name, which takes time in proportion to the number of parameters, so a
/// statement of thousands of `$n` takes quadratic time to bind. A plain `?` has no name and
/// binds in constant time. Both bind in order, so the statement means the same.
pub(crate) fn values_rows(backend: Backend, rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 7);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(r * width + c + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}
