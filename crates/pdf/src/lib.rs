//! Accessible PDF reports (de kwartaalrapportage) from a typst template and its data.
//!
//! The caller passes a typst source and the files it reads (the data as `data.json`, charts as
//! SVG); [`render_pdf`] typesets them with the embedded Open Sans fonts and writes a tagged PDF
//! that conforms to PDF/UA-1. typst checks the PDF/UA rules it knows while exporting (a
//! document title, alternative text for images, ...), so a template that breaks them fails
//! with a [`PdfError`] instead of producing an inaccessible file.
//!
//! The render is closed: no file system, no network, no typst packages. It is CPU-bound and
//! takes milliseconds to tens of milliseconds; call it from `spawn_blocking` in async code.
//! See `README.md` for how to write a template.

mod error;
mod fonts;
mod world;

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::Smart;
use typst::model::Document;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use error::{Diagnostic, Location, PdfError};
pub use fonts::unsupported_chars;
use world::ReportWorld;

/// What a report is made of.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    /// The typst source of the report. It sets the language and title itself
    /// (`#set text(lang: "nl")`, `#set document(title: [...])`) and reads its data from the
    /// virtual files (`#let data = json("data.json")`). In diagnostics it is `main.typ`.
    pub main: &'a str,
    /// Virtual files by path relative to the main source, e.g. `("data.json", bytes)` or
    /// `("charts/kpi-1.svg", bytes)`. These are the only files the template can read.
    pub files: Vec<(String, Vec<u8>)>,
    /// The date `datetime.today()` gives (year, month, day) and the PDF's creation date; when
    /// `None`, today's date from the system clock in the local time zone.
    pub today: Option<(i32, u8, u8)>,
}

/// Typesets `input` and returns the bytes of a tagged PDF/UA-1 document.
///
/// typst's warnings (an unknown font, say) do not stop the render; they are logged with
/// `tracing` at level `warn`.
pub fn render_pdf(input: &Input) -> Result<Vec<u8>, PdfError> {
    let world = ReportWorld::new(input)?;
    let result = render(&world);
    // typst memoizes across renders; drop what the last renders did not use, so a long-running
    // server does not grow with every report.
    typst::comemo::evict(10);
    result
}

fn render(world: &ReportWorld) -> Result<Vec<u8>, PdfError> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    for warning in &warnings {
        let warning = Diagnostic::from_typst(world, warning);
        tracing::warn!(target: "regiomonitor_pdf", "typst: {warning}");
    }
    let document = output.map_err(|errors| diagnostics(world, &errors))?;
    // typst would write English (its default) as the language of a document that names none,
    // and a screen reader would then read Dutch with English pronunciation.
    if document.info().locale.is_auto() {
        return Err(PdfError::from(vec![Diagnostic {
            hints: vec![
                "start the template with `#set text(lang: \"nl\")` (a top-level set rule)".into(),
            ],
            ..Diagnostic::plain("the document names no language".into())
        }]));
    }
    let standards = PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|error| {
        PdfError::from(vec![Diagnostic::plain(format!(
            "PDF/UA-1 is not available: {}",
            error.message()
        ))])
    })?;
    let options = PdfOptions {
        standards,
        tagged: true,
        timestamp: world.date().map(Timestamp::new_utc),
        ident: Smart::Auto,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| diagnostics(world, &errors))
}

fn diagnostics(world: &ReportWorld, errors: &[SourceDiagnostic]) -> PdfError {
    errors
        .iter()
        .map(|error| Diagnostic::from_typst(world, error))
        .collect::<Vec<_>>()
        .into()
}
