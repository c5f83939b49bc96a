//! The closed world a report is typeset in: one main source, the caller's virtual files, the
//! embedded fonts and a date. Nothing is read from disk or the network while rendering.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{LazyLock, OnceLock};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontFamily, FontList, TextElem};
use typst::utils::LazyHash;
use typst::{Feature, Library, LibraryExt, World};

use crate::fonts::{FAMILY, FONTS};
use crate::{Diagnostic, Input, PdfError};

/// The path the main source has inside the world; relative paths in it (`json("data.json")`)
/// resolve against the root.
const MAIN: &str = "main.typ";

/// typst's standard library as reports see it, built once per process:
/// - Open Sans is the default font (typst's own default, Libertinus Serif, is not embedded);
/// - typst's in-development `a11y-extras` are on: `pdf.header-cell(scope: "row")` for row
///   headers and `pdf.table-summary`, which the tables of a report need.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| {
    let mut library = Library::builder()
        .with_features([Feature::A11yExtras].into_iter().collect())
        .build();
    library
        .styles
        .set(TextElem::font, FontList(vec![FontFamily::new(FAMILY)]));
    LazyHash::new(library)
});

pub(crate) struct ReportWorld {
    main: Source,
    files: HashMap<FileId, VirtualFile>,
    today: Today,
}

struct VirtualFile {
    bytes: Bytes,
    /// Parsed on first use, if typst asks for the file as a source (`#import "common.typ"`).
    source: OnceLock<FileResult<Source>>,
}

enum Today {
    /// The caller's date, whatever offset the template asks for.
    Fixed(Datetime),
    /// The moment the render started, so that one render sees one date.
    Clock(jiff::Timestamp),
}

impl ReportWorld {
    pub(crate) fn new(input: &Input) -> Result<Self, PdfError> {
        let main_id = project_file(VirtualPath::new(MAIN).map_err(|e| refusal(MAIN, e))?);
        let mut files = HashMap::with_capacity(input.files.len());
        for (path, bytes) in &input.files {
            let vpath = VirtualPath::new(path).map_err(|e| refusal(path, e))?;
            if vpath.is_root() {
                return Err(refusal(path, "the path names no file"));
            }
            let id = project_file(vpath);
            if id == main_id {
                return Err(refusal(path, "that is the path of the main source"));
            }
            match files.entry(id) {
                Entry::Occupied(_) => return Err(refusal(path, "the path is given twice")),
                Entry::Vacant(entry) => {
                    entry.insert(VirtualFile {
                        bytes: Bytes::new(bytes.clone()),
                        source: OnceLock::new(),
                    });
                }
            }
        }
        let today = match input.today {
            Some((year, month, day)) => Today::Fixed(
                Datetime::from_ymd(year, month, day)
                    .ok_or_else(|| refusal("today", format!("{year}-{month}-{day} is no date")))?,
            ),
            None => Today::Clock(jiff::Timestamp::now()),
        };
        Ok(Self {
            main: Source::new(main_id, input.main.to_owned()),
            files,
            today,
        })
    }

    /// The date written into the PDF's metadata when the template sets no `document(date:)`.
    pub(crate) fn date(&self) -> Option<Datetime> {
        self.today(None)
    }

    /// The text of a file, for pointing at the line of a diagnostic.
    pub(crate) fn text(&self, id: FileId) -> Option<String> {
        if id == self.main.id() {
            return Some(self.main.text().to_owned());
        }
        let file = self.files.get(&id)?;
        Some(String::from_utf8_lossy(file.bytes.as_slice()).into_owned())
    }
}

fn project_file(vpath: VirtualPath) -> FileId {
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn refusal(path: &str, reason: impl std::fmt::Display) -> PdfError {
    PdfError::from(vec![Diagnostic::plain(format!(
        "virtual file {path:?} is refused: {reason}"
    ))])
}

/// Why a `#import "@preview/..."` fails: reports are rendered offline and reproducibly, so
/// everything a template uses is embedded or passed in.
fn no_packages() -> FileError {
    FileError::Package(PackageError::Other(Some(
        "packages are not available when rendering reports; pass the file as a virtual file \
         instead"
            .into(),
    )))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        if matches!(id.root(), VirtualRoot::Package(_)) {
            return Err(no_packages());
        }
        let file = self.files.get(&id).ok_or_else(|| not_found(id))?;
        file.source
            .get_or_init(|| {
                let text = std::str::from_utf8(file.bytes.as_slice())?;
                Ok(Source::new(id, text.to_owned()))
            })
            .clone()
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        if matches!(id.root(), VirtualRoot::Package(_)) {
            return Err(no_packages());
        }
        self.files
            .get(&id)
            .map(|file| file.bytes.clone())
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        let now = match &self.today {
            Today::Fixed(date) => return Some(*date),
            Today::Clock(now) => *now,
        };
        let zone = match offset {
            None => jiff::tz::TimeZone::system(),
            Some(offset) => {
                let seconds = i32::try_from(offset.seconds().round() as i64).ok()?;
                jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_seconds(seconds).ok()?)
            }
        };
        let date = now.to_zoned(zone).date();
        Datetime::from_ymd(
            i32::from(date.year()),
            u8::try_from(date.month()).ok()?,
            u8::try_from(date.day()).ok()?,
        )
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
