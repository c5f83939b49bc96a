//! A plan's free texts ("Waar gaat het over", "Beoogd resultaat", ...), declared once.
//!
//! [`plan_texts!`] holds the one list: each text's name in code (also its column and its trail
//! code), its [`PlanField`] and its column in a portfolio file. Every type that carries the texts
//! takes its fields from that list: [`PlanTexts`] (the stored fields, the read rows and the API's
//! plan object), the plan form, the API's plan input and the file's plan row. Adding a text is
//! one line here, a [`PlanField`] with its label, a migration and the places a user sees it.

use serde::Serialize;
use sqlx::FromRow;

use super::model::PlanField;

/// Hands the list of a plan's texts to `$callback`, after the callback's own arguments and a `;`.
/// Each entry is `name: PlanField variant = "file column"`.
macro_rules! plan_texts {
    ($callback:ident! { $($args:tt)* }) => {
        $callback! { $($args)* ;
            about: About = "waarover",
            intended_result: IntendedResult = "resultaat",
            activities: Activities = "activiteiten",
            asks: Asks = "vraagt",
            current_status: CurrentStatus = "actuele_status",
            lead_text: LeadText = "trekker_tekst",
            parties_text: PartiesText = "betrokken_tekst",
            status_text: StatusText = "status_tekst",
            financing_text: FinancingText = "financiering_tekst",
        }
    };
}
pub(crate) use plan_texts;

/// A value that holds one text as a form, the API or a file gives it: trimmed, with Windows
/// line ends made plain, and empty is no text.
pub trait TextValue {
    fn text(&self) -> Option<String>;
    fn from_text(text: &Option<String>) -> Self;
}

/// A text trimmed, with Windows line ends made plain; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.replace("\r\n", "\n"))
}

impl TextValue for String {
    fn text(&self) -> Option<String> {
        clean(self)
    }
    fn from_text(text: &Option<String>) -> Self {
        text.clone().unwrap_or_default()
    }
}

impl TextValue for Option<String> {
    fn text(&self) -> Option<String> {
        self.as_deref().and_then(clean)
    }
    fn from_text(text: &Option<String>) -> Self {
        text.clone()
    }
}

/// Appends a plan's texts to a struct, each as `$ty` (a [`TextValue`]), and gives the struct
/// `texts()` and `set_texts()`. With `file`, each field reads its portfolio-file column.
macro_rules! with_plan_texts {
    (@impl $name:ident $ty:ty; $($field:ident)*) => {
        impl $name {
            /// The texts as stored: trimmed, an empty one is no text.
            pub fn texts(&self) -> $crate::features::plans::texts::PlanTexts {
                use $crate::features::plans::texts::TextValue;
                $crate::features::plans::texts::PlanTexts {
                    $($field: self.$field.text(),)*
                }
            }

            /// Fills the texts from stored ones.
            #[allow(dead_code)]
            pub fn set_texts(&mut self, texts: &$crate::features::plans::texts::PlanTexts) {
                use $crate::features::plans::texts::TextValue;
                $(self.$field = <$ty as TextValue>::from_text(&texts.$field);)*
            }
        }
    };
    (file $ty:ty, $(#[$m:meta])* $vis:vis struct $name:ident { $($body:tt)* }
        ; $($field:ident: $variant:ident = $file:literal,)*) => {
        $(#[$m])*
        $vis struct $name {
            $($body)*
            $(#[serde(rename = $file)] pub $field: $ty,)*
        }
        with_plan_texts!(@impl $name $ty; $($field)*);
    };
    ($ty:ty, $(#[$m:meta])* $vis:vis struct $name:ident { $($body:tt)* }
        ; $($field:ident: $variant:ident = $file:literal,)*) => {
        $(#[$m])*
        $vis struct $name {
            $($body)*
            $(pub $field: $ty,)*
        }
        with_plan_texts!(@impl $name $ty; $($field)*);
    };
}
pub(crate) use with_plan_texts;

macro_rules! define_plan_texts {
    (; $($field:ident: $variant:ident = $file:literal,)*) => {
        /// A plan's free texts as stored; `None` where the documents say nothing.
        #[derive(Debug, Clone, Default, PartialEq, Eq, FromRow, Serialize, utoipa::ToSchema)]
        pub struct PlanTexts {
            $(pub $field: Option<String>,)*
        }

        impl PlanTexts {
            /// Each text with its field; the field's code is also the text's column.
            pub fn entries(&self) -> Vec<(PlanField, &Option<String>)> {
                vec![$((PlanField::$variant, &self.$field),)*]
            }

            /// The fields of the texts, in their order.
            pub const FIELDS: &[PlanField] = &[$(PlanField::$variant,)*];
        }
    };
}

plan_texts!(define_plan_texts! {});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RecordField;

    #[test]
    fn every_text_is_its_own_column_and_field() {
        let codes: Vec<&str> = PlanTexts::FIELDS.iter().map(|f| f.code()).collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        let texts = PlanTexts {
            about: Some("a".into()),
            ..PlanTexts::default()
        };
        assert_eq!(texts.entries()[0], (PlanField::About, &Some("a".into())));
        assert_eq!(texts.entries().len(), codes.len());
    }

    #[test]
    fn a_form_text_is_trimmed_and_empty_is_none() {
        assert_eq!("  x ".to_owned().text(), Some("x".into()));
        assert_eq!("   ".to_owned().text(), None);
        assert_eq!(Some(" ".to_owned()).text(), None);
        assert_eq!("a\r\nb".to_owned().text(), Some("a\nb".into()));
    }
}
