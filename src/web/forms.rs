//! What every form shares: field errors with Dutch messages, and tidy input values.

use axum::http::StatusCode;
use serde::Serialize;

use crate::domain::{Coded, Slug};
use crate::store::{Reason, RecordField, Refusal, StoreError};
use crate::web::error::WebError;

/// The longest name a record may have.
pub const MAX_NAME: usize = 200;

/// A posted form; a field the form does not know is ignored, a missing one is empty.
pub fn parse_form<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> T {
    serde_html_form::from_bytes(body).unwrap_or_default()
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name; the page links the message to `#veld-{field}`.
    pub field: String,
    /// What is wrong and what to do, in Dutch, naming the field.
    pub message: String,
}

/// The problems of one submission, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Puts a store's refusal at the form's input for its field: `input` names the form's
    /// input for a field of the record kind `F`; a refusal that names no field of `F` goes to
    /// `fallback`.
    pub fn refused<F: RecordField>(
        &mut self,
        refusal: Refusal,
        input: impl Fn(F) -> &'static str,
        fallback: &'static str,
    ) {
        let field = refusal.field::<F>().map_or(fallback, input);
        self.add(field, refusal.into_message());
    }

    /// Adds the problem when `result` is an error; returns the value otherwise.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        label: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, format!("{label}: {e}"));
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
}

/// The version a form was made from (its hidden `version` field), at least `lowest` (0 for a
/// form that may make the record); a missing or broken one is an error under "general".
pub fn form_version(errors: &mut FormErrors, value: &str, lowest: i64) -> i64 {
    match value.trim().parse::<i64>() {
        Ok(v) if v >= lowest => v,
        _ => {
            errors.add(
                "general",
                "Het formulier mist zijn versie; open de pagina opnieuw en probeer het nog eens.",
            );
            0
        }
    }
}

/// A trimmed text, `None` when empty.
pub fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.replace("\r\n", "\n"))
}

/// One choice in a select box or list of check boxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    /// Every value of a closed list, in its order.
    pub fn all<T: Coded>() -> Vec<Self> {
        T::ALL
            .iter()
            .map(|v| Self::new(v.code(), v.label()))
            .collect()
    }

    /// "No choice" with its label, then `choices`.
    pub fn none_then(label: &str, choices: impl IntoIterator<Item = Self>) -> Vec<Self> {
        std::iter::once(Self::new("", label))
            .chain(choices)
            .collect()
    }

    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// Whether a value is among the chosen ones (for check boxes in templates).
pub fn has<C: AsRef<[String]>>(chosen: C, value: &str) -> bool {
    chosen.as_ref().iter().any(|c| c == value)
}

/// A required name of at most [`MAX_NAME`] characters; `missing` says what to fill in.
pub fn required_name(errors: &mut FormErrors, value: &str, missing: &str) -> Option<String> {
    match optional(value) {
        None => {
            errors.add("name", format!("Naam: {missing}"));
            None
        }
        Some(n) if n.chars().count() > MAX_NAME => {
            errors.add(
                "name",
                format!(
                    "Naam: de naam is {} tekens; maak hem korter dan {MAX_NAME} tekens.",
                    n.chars().count()
                ),
            );
            None
        }
        Some(n) => Some(n),
    }
}

/// The id of a new record: the one typed, or one derived from `name`.
pub fn new_id(errors: &mut FormErrors, typed: &str, name: Option<&str>) -> Option<Slug> {
    match optional(typed) {
        Some(id) => errors.check("id", "Id", Slug::parse(&id)),
        None => {
            let derived = name.and_then(Slug::from_name);
            if derived.is_none() && name.is_some() {
                errors.add(
                    "id",
                    "Id: uit deze naam valt geen id af te leiden; vul een id in met kleine letters, cijfers en streepjes.",
                );
            }
            derived
        }
    }
}

/// Why a form's save did not go through, for its page to show the form again.
#[derive(Debug, Default)]
pub struct NotSaved {
    /// What to fix, per input.
    pub errors: FormErrors,
    /// Someone else saved first: the version stored now. The form sends it next, so that
    /// saving again is a deliberate choice to overwrite the newer version.
    pub newer_version: Option<i64>,
}

impl NotSaved {
    /// 409 after a conflict, 422 for input to fix.
    pub fn status(&self) -> StatusCode {
        match self.newer_version {
            Some(_) => StatusCode::CONFLICT,
            None => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl NotSaved {
    /// The problems of a new record's form: a conflict there means another record took its
    /// id first.
    pub fn for_new_record(self) -> FormErrors {
        let mut errors = self.errors;
        if self.newer_version.is_some() {
            errors.add(
                "id",
                "Id: deze id is net door iemand anders in gebruik genomen; kies een andere id.",
            );
        }
        errors
    }
}

impl From<FormErrors> for NotSaved {
    fn from(errors: FormErrors) -> Self {
        Self {
            errors,
            newer_version: None,
        }
    }
}

/// The store's answer to a form's save: what was saved, or why not. A refusal goes to the
/// input named like its field of `F` (else to `name`); a conflict brings the newer version.
/// Any other error is the page's.
pub fn settle<T, F: RecordField>(
    result: Result<T, StoreError>,
) -> Result<Result<T, NotSaved>, WebError> {
    settle_at(result, F::code, "name")
}

/// As [`settle`], for a form whose inputs are not named like the fields: `input` names the
/// input of a field, `fallback` takes a refusal that names no field.
pub fn settle_at<T, F: RecordField>(
    result: Result<T, StoreError>,
    input: impl Fn(F) -> &'static str,
    fallback: &'static str,
) -> Result<Result<T, NotSaved>, WebError> {
    match result {
        Ok(saved) => Ok(Ok(saved)),
        Err(StoreError::Conflict { current_version }) => Ok(Err(NotSaved {
            errors: FormErrors::new(),
            newer_version: Some(current_version),
        })),
        Err(StoreError::Refused(r)) => {
            let mut errors = FormErrors::new();
            errors.refused(r, input, fallback);
            Ok(Err(errors.into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// One line of a conflict table.
pub fn conflict_line(label: &'static str, yours: &str, stored: &str) -> ConflictLine {
    ConflictLine {
        differs: yours.trim().replace("\r\n", "\n") != stored.trim(),
        label,
        yours: yours.to_owned(),
        stored: stored.to_owned(),
    }
}

/// The message for a new record whose id could not be made.
pub fn missing_id() -> FormErrors {
    let mut errors = FormErrors::new();
    errors.add(
        "id",
        "Id: vul een id in met kleine letters, cijfers en streepjes.",
    );
    errors
}

/// A checked form: the id of a new record (`None` when editing), its fields and the reason.
pub type Checked<F> = (Option<Slug>, F, Reason);

/// One field on the conflict page: the user's value next to the stored one.
pub struct ConflictLine {
    pub label: &'static str,
    pub yours: String,
    pub stored: String,
    pub differs: bool,
}
