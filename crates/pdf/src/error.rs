//! What goes wrong in a render, as text a person fixing the template can act on.

use std::fmt;

use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::DiagSpan;

use crate::world::ReportWorld;

/// typst refused the template, its data or the PDF/UA-1 export. Lists every problem typst
/// found; its `Display` shows each with its file, line and the text of that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError {
    diagnostics: Vec<Diagnostic>,
}

impl PdfError {
    /// The problems, in the order typst reported them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl From<Vec<Diagnostic>> for PdfError {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }
}

impl std::error::Error for PdfError {}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.len() {
            1 => writeln!(f, "the PDF report could not be made:")?,
            n => writeln!(f, "the PDF report could not be made ({n} problems):")?,
        }
        for diagnostic in &self.diagnostics {
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

/// One problem typst found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// typst's message, e.g. "unknown variable: dat" or "PDF/UA-1 error: missing alt text".
    pub message: String,
    /// Where the problem is, if typst could point at it.
    pub location: Option<Location>,
    /// typst's hints on how to fix it.
    pub hints: Vec<String>,
    /// The calls that led there, innermost first ("while calling `table`", line 12).
    pub trace: Vec<String>,
}

/// A place in the main source (`main.typ`) or in one of the virtual files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `main.typ` for the template, or the virtual file's path (`data.json`).
    pub file: String,
    /// Counted from 1.
    pub line: usize,
    /// Counted in characters from 1.
    pub column: usize,
    /// The text of that line, without its line break.
    pub text: String,
}

impl Diagnostic {
    /// A problem with the input itself, before typst ran.
    pub(crate) fn plain(message: String) -> Self {
        Self {
            message,
            location: None,
            hints: Vec::new(),
            trace: Vec::new(),
        }
    }

    pub(crate) fn from_typst(world: &ReportWorld, diagnostic: &SourceDiagnostic) -> Self {
        let prefix = match diagnostic.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        Self {
            message: format!("{prefix}{}", diagnostic.message),
            location: locate(world, diagnostic.span),
            hints: diagnostic
                .hints
                .iter()
                .map(|hint| hint.v.to_string())
                .collect(),
            trace: diagnostic
                .trace
                .iter()
                .map(|point| match locate(world, point.span.into()) {
                    Some(at) => format!("{} ({}:{})", point.v, at.file, at.line),
                    None => point.v.to_string(),
                })
                .collect(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => {
                writeln!(f, "{}:{}:{}: {}", at.file, at.line, at.column, self.message)?;
                writeln!(f, "  {:>4} | {}", at.line, at.text)?;
            }
            None => writeln!(f, "{}", self.message)?,
        }
        for hint in &self.hints {
            writeln!(f, "  hint: {hint}")?;
        }
        for point in &self.trace {
            writeln!(f, "  {point}")?;
        }
        Ok(())
    }
}

fn locate(world: &ReportWorld, span: DiagSpan) -> Option<Location> {
    let id = span.id()?;
    let range = world.range(span)?;
    let text = world.text(id)?;
    let start = range.start.min(text.len());
    let before = text.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    Some(Location {
        file: id.vpath().get_without_slash().to_owned(),
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        text: text[line_start..line_end].trim_end_matches('\r').to_owned(),
    })
}
