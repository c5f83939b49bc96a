//! Downloads of a whole filtered list, streamed a batch at a time: a task reads one batch from
//! the store and hands it on while the next is read, so a national list never sits in memory
//! and the async workers only pass bytes along. A failure halfway breaks off the download (the
//! client sees an incomplete transfer, never a file that looks whole).
//!
//! A list is described once as a [`Table`] (its file name, worksheet name and columns) with a
//! function that gives its rows a batch at a time as typed [`Cell`]s; [`Table::download`]
//! writes that as a CSV file for Dutch spreadsheet programs (`;` between the fields, a decimal
//! comma, UTF-8 with a byte order mark) or as an Excel workbook (typed cells: numbers, real
//! dates), whichever [`Format`] the address asked for (`/plannen.csv`, `/plannen.xlsx`). The
//! workbook is built off the async workers in rust_xlsxwriter's constant memory mode (each
//! row goes to a temporary file as it is written) and streamed to the client as it is zipped.
//! The JSON API streams its whole sets through [`json_array`].

use std::future::Future;
use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use tokio::sync::mpsc;

use crate::domain::{FactDate, Period};
use crate::store::StoreError;

/// Lines per batch read from the store.
pub const BATCH: usize = 500;

/// Batches buffered between the reader and the client (or the workbook).
const IN_FLIGHT: usize = 4;

/// Bytes of a workbook sent to the client at a time.
const XLSX_CHUNK: usize = 64 * 1024;

/// The most rows a worksheet holds (Excel's limit), the header included; a longer list goes on
/// in a next worksheet with the same header.
const SHEET_ROWS: u32 = 1_048_576;

/// The longest text an Excel cell holds.
const CELL_CHARS: usize = 32_767;

/// Column widths in the workbook, in characters.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

type Chunk = Result<Bytes, std::io::Error>;

/// The spreadsheet formats a list downloads as, by the extension of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The format an address ends in (`.csv`, `.xlsx`).
    pub fn of_path(path: &str) -> Option<Self> {
        let (_, extension) = path.rsplit_once('.')?;
        [Self::Csv, Self::Xlsx]
            .into_iter()
            .find(|f| f.extension() == extension)
    }
}

/// A download handler learns its format from its address, so one handler serves both
/// `/plannen.csv` and `/plannen.xlsx`.
impl<S: Send + Sync> FromRequestParts<S> for Format {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::of_path(parts.uri.path()).ok_or(StatusCode::NOT_FOUND)
    }
}

/// The two download links of a list page ("Download: als CSV · als Excel (.xlsx)"), each
/// with the page's filter and without its paging: a download holds every page.
#[derive(Debug, Clone)]
pub struct Links {
    pub csv: String,
    pub xlsx: String,
    /// What the files hold, said after the links: "12 plannen, met het filter hierboven".
    pub note: Option<String>,
}

impl Links {
    /// For the address `path` without its extension (`/plannen`) and the query `pairs` of the
    /// filter (paging left out).
    pub fn new(path: &str, pairs: &[(String, String)]) -> Self {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                pairs
                    .iter()
                    .filter(|(k, _)| !crate::web::paging::KEYS.contains(&k.as_str())),
            )
            .finish();
        let link = |format: Format| {
            let file = format!("{path}.{}", format.extension());
            if query.is_empty() {
                file
            } else {
                format!("{file}?{query}")
            }
        };
        Self {
            csv: link(Format::Csv),
            xlsx: link(Format::Xlsx),
            note: None,
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// One value of a downloaded table, typed for the spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// An amount in euro cents: a number in euro with the euro format in the workbook,
    /// `1250,50` in the CSV file.
    Euro(i64),
    /// A day: a real date in the workbook, `YYYY-MM-DD` in the CSV file.
    Date(Date),
    Empty,
}

impl Cell {
    /// A text; an empty one is an empty cell.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            Self::Empty
        } else {
            Self::Text(text)
        }
    }

    /// A text that may be missing.
    pub fn optional(text: Option<impl Into<String>>) -> Self {
        text.map_or(Self::Empty, Self::text)
    }

    /// A number that may be missing.
    pub fn number(value: Option<f64>) -> Self {
        value
            .filter(|v| v.is_finite())
            .map_or(Self::Empty, Self::Number)
    }

    /// A count.
    pub fn count(n: usize) -> Self {
        // Counts of a list stay far below 2^53, where f64 stops being exact.
        #[allow(clippy::cast_precision_loss)]
        Self::Number(n as f64)
    }

    /// "ja" or empty.
    pub fn yes(flag: bool) -> Self {
        if flag {
            Self::Text("ja".to_owned())
        } else {
            Self::Empty
        }
    }

    /// A stored date of a fact (`domain::FactDate`): a day is a date; any other precision is
    /// its written form (`2025-10`, `2025-Q4`, `najaar 2025`, `onbekend`), never a day the
    /// source did not give.
    pub fn fact_date(stored: &str) -> Self {
        match FactDate::parse(stored) {
            Ok(FactDate::In(Period::Day(day))) => Self::Date(day),
            Ok(date) => Self::Text(date.to_string()),
            Err(_) => Self::text(stored),
        }
    }

    /// A stored moment (UTC, ISO 8601) as Dutch local time, "2026-12-06 14:05".
    pub fn moment(at: &str) -> Self {
        match at.parse::<jiff::Timestamp>() {
            Ok(ts) => Self::Text(
                ts.to_zoned(crate::features::changes::pages::dutch_time())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
            ),
            Err(_) => Self::text(at),
        }
    }

    /// The cell as a CSV field: a decimal comma, dates as `YYYY-MM-DD`. A text that a
    /// spreadsheet program would take for a formula (`=`, `+`, `-`, `@` first) gets an
    /// apostrophe in front, so opening the file never runs what someone typed into a field.
    fn csv_field(&self) -> String {
        match self {
            Self::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}"),
            Self::Text(t) => t.clone(),
            Self::Number(v) => number_nl(*v),
            Self::Euro(c) => euro_nl(*c),
            Self::Date(d) => d.to_string(),
            Self::Empty => String::new(),
        }
    }

    /// Characters the cell takes on screen, for the column widths.
    fn width(&self) -> usize {
        match self {
            Self::Text(t) => t.lines().map(|l| l.chars().count()).max().unwrap_or(0),
            Self::Number(v) => number_nl(*v).len(),
            Self::Euro(c) => euro_nl(*c).len() + 4,
            Self::Date(_) => 10,
            Self::Empty => 0,
        }
    }
}

/// Euro cents as a CSV amount: `1250,50`, `1000`.
fn euro_nl(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{},{:02}", cents / 100, (cents % 100).abs())
    }
}

/// A number with a decimal comma: `12,5`, `-7`, `1000000`.
fn number_nl(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    // `-0` reads as a mistake.
    let value = if value == 0.0 { 0.0 } else { value };
    value.to_string().replace('.', ",")
}

/// A row of a downloaded table.
pub type Row = Vec<Cell>;

/// A list as a file: its name, its worksheet and its columns. Its rows come from the function
/// handed to [`Table::download`], a batch at a time.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file's name without its extension: `plannen`, `gemeente-GM0355-plannen`.
    pub name: String,
    /// The worksheet's name in the workbook (at most 31 characters, none of `[]:*?/\`).
    pub sheet: &'static str,
    /// The titles of the columns, the first row of the file.
    pub columns: Vec<String>,
}

impl Table {
    pub fn new(
        name: impl Into<String>,
        sheet: &'static str,
        columns: impl IntoIterator<Item = impl ToString>,
    ) -> Self {
        Self {
            name: name.into(),
            sheet,
            columns: columns.into_iter().map(|c| c.to_string()).collect(),
        }
    }

    /// The file of rows read whole (a short list: the KPI's, one KPI's areas or series).
    pub fn download_whole(self, format: Format, rows: Vec<Row>) -> Response {
        let mut rows = Some(rows);
        self.download(format, move |_| std::future::ready(Ok(rows.take())))
    }

    /// The file of the rows `batch(n)` gives for n = 0, 1, ... until it gives `None`. A batch
    /// may be empty (a page of plans none of whose cells the list shows) and the next not.
    pub fn download<F, Fut>(self, format: Format, batch: F) -> Response
    where
        F: FnMut(usize) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<Vec<Row>>, StoreError>> + Send,
    {
        let file_name = format!("{}.{}", self.name, format.extension());
        match format {
            Format::Csv => streamed(format.content_type(), &file_name, move |send| {
                csv(self.columns, batch, send);
            }),
            Format::Xlsx => streamed(format.content_type(), &file_name, move |send| {
                xlsx(self, batch, send);
            }),
        }
    }
}

/// A body fed by a task that sends chunks as it makes them.
fn streamed(
    content_type: &'static str,
    file_name: &str,
    produce: impl FnOnce(mpsc::Sender<Chunk>),
) -> Response {
    let (send, receive) = mpsc::channel::<Chunk>(IN_FLIGHT);
    produce(send);
    // Fused: the compression layer may ask once more after the end, which an unfused
    // `unfold` answers with a panic.
    let stream =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(receive, |mut r| async move {
            r.recv().await.map(|chunk| (chunk, r))
        }));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

fn broken(e: &StoreError) -> std::io::Error {
    tracing::error!(error = %e, "download broken off");
    std::io::Error::other("de download is afgebroken")
}

/// A CSV file (UTF-8 with a byte order mark, so spreadsheet programs read the accents right;
/// `;` between the fields, as a Dutch spreadsheet program expects) of `columns` and the rows.
fn csv<F, Fut>(columns: Vec<String>, mut batch: F, send: mpsc::Sender<Chunk>)
where
    F: FnMut(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<Vec<Row>>, StoreError>> + Send,
{
    tokio::spawn(async move {
        let mut first = b"\xEF\xBB\xBF".to_vec();
        first.extend(csv_lines(std::iter::once(columns)));
        if send.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        for n in 0.. {
            let chunk = match batch(n).await {
                Ok(None) => return,
                Ok(Some(rows)) if rows.is_empty() => continue,
                Ok(Some(rows)) => Ok(Bytes::from(csv_lines(
                    rows.iter()
                        .map(|row| row.iter().map(Cell::csv_field).collect()),
                ))),
                Err(e) => Err(broken(&e)),
            };
            let failed = chunk.is_err();
            // The client went away: stop reading.
            if send.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
}

fn csv_lines(rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// How many workbooks are written at once.
static WORKBOOKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// An Excel workbook of the table: the rows are read by a task and written by a blocking
/// thread, which then zips the workbook straight into the response.
fn xlsx<F, Fut>(table: Table, mut batch: F, send: mpsc::Sender<Chunk>)
where
    F: FnMut(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<Vec<Row>>, StoreError>> + Send,
{
    // Writing the workbook is slower than reading the rows: one batch waits while the next is
    // read, and no more, so the rows in memory stay at about three batches.
    let (rows_in, rows_out) = mpsc::channel::<Result<Vec<Row>, std::io::Error>>(1);
    tokio::spawn(async move {
        // A workbook holds a blocking thread and its buffers: a few at a time, the others
        // wait their turn (their rows wait in the channel above, one batch each).
        let Ok(permit) = WORKBOOKS.acquire().await else {
            return;
        };
        let built = tokio::task::spawn_blocking(move || {
            let out = ChunkWriter::new(send.clone());
            if let Err(e) = write_workbook(&table, rows_out, out, SHEET_ROWS) {
                tracing::error!(error = %e, table = %table.name, "workbook broken off");
                let _ = send.blocking_send(Err(std::io::Error::other("de download is afgebroken")));
            }
        });
        let _ = built.await;
        drop(permit);
    });
    tokio::spawn(async move {
        for n in 0.. {
            let rows = match batch(n).await {
                // Dropping the sender ends the rows: the workbook is closed and sent.
                Ok(None) => return,
                Ok(Some(rows)) if rows.is_empty() => continue,
                Ok(Some(rows)) => Ok(rows),
                Err(e) => Err(broken(&e)),
            };
            let failed = rows.is_err();
            // The workbook's writer stopped (the client went away, or it failed).
            if rows_in.send(rows).await.is_err() || failed {
                return;
            }
        }
    });
}

/// Why a workbook was not finished.
#[derive(Debug, thiserror::Error)]
enum WorkbookError {
    #[error("{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The workbook's cell formats.
struct Formats {
    header: rust_xlsxwriter::Format,
    date: rust_xlsxwriter::Format,
    euro: rust_xlsxwriter::Format,
}

/// One worksheet being written: its rows so far and each column's widest cell.
struct Sheet {
    sheet: rust_xlsxwriter::Worksheet,
    next_row: u32,
    widths: Vec<usize>,
}

impl Sheet {
    fn start(
        workbook: &mut rust_xlsxwriter::Workbook,
        table: &Table,
        number: usize,
        formats: &Formats,
    ) -> Result<Self, WorkbookError> {
        let mut sheet = workbook.new_worksheet_with_constant_memory()?;
        if number == 1 {
            sheet.set_name(table.sheet)?;
        } else {
            sheet.set_name(format!("{} ({number})", table.sheet))?;
        }
        let mut widths = Vec::with_capacity(table.columns.len());
        for (col, title) in (0u16..).zip(&table.columns) {
            sheet.write_string_with_format(0, col, title, &formats.header)?;
            // Room for the filter button beside the title.
            widths.push(title.chars().count() + 3);
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Self {
            sheet,
            next_row: 1,
            widths,
        })
    }

    fn is_full(&self, sheet_rows: u32) -> bool {
        self.next_row >= sheet_rows
    }

    fn write(&mut self, row: &[Cell], formats: &Formats) -> Result<(), WorkbookError> {
        let r = self.next_row;
        for (col, cell) in (0u16..).zip(row) {
            match cell {
                Cell::Text(t) => {
                    let text: String = t.chars().take(CELL_CHARS).collect();
                    self.sheet.write_string(r, col, text)?;
                }
                Cell::Number(v) if v.is_finite() => {
                    self.sheet.write_number(r, col, *v)?;
                }
                Cell::Euro(c) => {
                    let euros = crate::domain::Cents(*c).euros();
                    self.sheet
                        .write_number_with_format(r, col, euros, &formats.euro)?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(date) => {
                        self.sheet
                            .write_datetime_with_format(r, col, &date, &formats.date)?;
                    }
                    None => {
                        self.sheet.write_string(r, col, d.to_string())?;
                    }
                },
                Cell::Number(_) | Cell::Empty => {}
            }
            if let Some(w) = self.widths.get_mut(usize::from(col)) {
                *w = (*w).max(cell.width());
            }
        }
        self.next_row += 1;
        Ok(())
    }

    /// The autofilter over the rows written and the column widths; then the sheet goes into
    /// the workbook.
    fn finish(mut self, workbook: &mut rust_xlsxwriter::Workbook) -> Result<(), WorkbookError> {
        let last_col = u16::try_from(self.widths.len().saturating_sub(1)).unwrap_or(u16::MAX);
        self.sheet
            .autofilter(0, 0, self.next_row.saturating_sub(1), last_col)?;
        for (col, width) in (0u16..).zip(&self.widths) {
            let width = (*width + 2).clamp(MIN_WIDTH, MAX_WIDTH);
            self.sheet
                .set_column_width(col, u32::try_from(width).unwrap_or(60))?;
        }
        workbook.push_worksheet(self.sheet);
        Ok(())
    }
}

/// A day as Excel keeps it; `None` outside the years Excel knows (1900 to 9999).
fn excel_date(day: Date) -> Option<rust_xlsxwriter::ExcelDateTime> {
    let year = u16::try_from(day.year()).ok()?;
    let month = u8::try_from(day.month()).ok()?;
    let day = u8::try_from(day.day()).ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, month, day).ok()
}

/// Writes the rows as they come in, then zips the workbook into `out`; a worksheet holds
/// `sheet_rows` rows (header included) before the next one starts.
fn write_workbook(
    table: &Table,
    mut rows: mpsc::Receiver<Result<Vec<Row>, std::io::Error>>,
    mut out: ChunkWriter,
    sheet_rows: u32,
) -> Result<(), WorkbookError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let formats = Formats {
        header: rust_xlsxwriter::Format::new().set_bold(),
        date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
        euro: rust_xlsxwriter::Format::new().set_num_format("€ #,##0.00"),
    };
    let mut sheets = 1;
    let mut sheet = Sheet::start(&mut workbook, table, sheets, &formats)?;
    while let Some(batch) = rows.blocking_recv() {
        for row in batch? {
            if sheet.is_full(sheet_rows) {
                sheet.finish(&mut workbook)?;
                sheets += 1;
                sheet = Sheet::start(&mut workbook, table, sheets, &formats)?;
            }
            sheet.write(&row, &formats)?;
        }
        // The client went away: stop reading (dropping `rows` stops the reader too).
        if out.send.is_closed() {
            return Ok(());
        }
    }
    sheet.finish(&mut workbook)?;
    workbook.save_to_writer(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Sends what is written to it to the client in chunks (from a blocking thread).
struct ChunkWriter {
    send: mpsc::Sender<Chunk>,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    fn new(send: mpsc::Sender<Chunk>) -> Self {
        Self {
            send,
            buffer: Vec::with_capacity(XLSX_CHUNK),
        }
    }

    fn send_buffer(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(XLSX_CHUNK),
        ));
        self.send
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("de client is weg"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= XLSX_CHUNK {
            self.send_buffer()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send_buffer()
    }
}

/// A JSON array of the items `batch(n)` gives for n = 0, 1, ... until an empty batch.
pub fn json_array<T, F, Fut>(file_name: &str, mut batch: F) -> Response
where
    T: serde::Serialize + Send + 'static,
    F: FnMut(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<T>, StoreError>> + Send,
{
    streamed("application/json", file_name, move |send| {
        tokio::spawn(async move {
            let mut started = false;
            for n in 0.. {
                let items = match batch(n).await {
                    Ok(items) => items,
                    Err(e) => {
                        let _ = send.send(Err(broken(&e))).await;
                        return;
                    }
                };
                let mut out = Vec::new();
                if !started {
                    out.push(b'[');
                }
                let done = items.is_empty();
                for item in items {
                    if started {
                        out.push(b',');
                    }
                    started = true;
                    if serde_json::to_writer(&mut out, &item).is_err() {
                        let _ = send.send(Err(std::io::Error::other("JSON"))).await;
                        return;
                    }
                }
                if done {
                    out.push(b']');
                }
                if send.send(Ok(Bytes::from(out))).await.is_err() || done {
                    return;
                }
            }
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_dutch_and_never_a_formula() {
        assert_eq!(Cell::Number(12.5).csv_field(), "12,5");
        assert_eq!(Cell::Number(-7.0).csv_field(), "-7");
        assert_eq!(Cell::Number(-0.0).csv_field(), "0");
        assert_eq!(Cell::count(1_000_000).csv_field(), "1000000");
        assert_eq!(
            Cell::Date("2025-10-09".parse().expect("day")).csv_field(),
            "2025-10-09"
        );
        assert_eq!(
            Cell::text("=HYPERLINK(\"x\")").csv_field(),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(
            Cell::text("-7 % t.o.v. 2023").csv_field(),
            "'-7 % t.o.v. 2023"
        );
        assert_eq!(Cell::text("Zeist").csv_field(), "Zeist");
        assert_eq!(Cell::text(""), Cell::Empty);
        assert_eq!(Cell::number(Some(f64::NAN)), Cell::Empty);
        let lines = csv_lines(std::iter::once(vec!["a;b".to_owned(), "12,5".to_owned()]));
        assert_eq!(String::from_utf8(lines).expect("utf-8"), "\"a;b\";12,5\n");
    }

    #[test]
    fn a_fact_date_is_a_date_only_when_the_source_gives_a_day() {
        assert_eq!(
            Cell::fact_date("2025-10-09"),
            Cell::Date("2025-10-09".parse().expect("day"))
        );
        assert_eq!(Cell::fact_date("najaar 2025"), Cell::text("najaar 2025"));
        assert_eq!(Cell::fact_date("2025-Q4"), Cell::text("2025-Q4"));
        assert_eq!(Cell::fact_date("onbekend"), Cell::text("onbekend"));
        assert_eq!(Cell::fact_date(""), Cell::Empty);
    }

    #[test]
    fn a_workbook_goes_on_in_a_next_sheet_with_the_same_header_when_one_is_full() {
        use calamine::{Data, Reader, Xlsx};
        let table = Table::new("proef", "Plannen", ["id", "datum", "waarde"]);
        let (rows_in, rows_out) = mpsc::channel(4);
        let (send, mut receive) = mpsc::channel(64);
        let day: Date = "2025-10-09".parse().expect("day");
        let row = |n: usize| {
            vec![
                Cell::text(format!("plan-{n}")),
                Cell::Date(day),
                Cell::count(n),
            ]
        };
        rows_in
            .blocking_send(Ok((1..=3).map(row).collect()))
            .expect("queued");
        rows_in
            .blocking_send(Ok((4..=5).map(row).collect()))
            .expect("queued");
        drop(rows_in);

        write_workbook(&table, rows_out, ChunkWriter::new(send), 3).expect("written");

        let mut bytes = Vec::new();
        while let Ok(chunk) = receive.try_recv() {
            bytes.extend_from_slice(&chunk.expect("a chunk"));
        }
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx file");
        assert_eq!(
            book.sheet_names(),
            ["Plannen", "Plannen (2)", "Plannen (3)"]
        );
        let mut ids = Vec::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).expect("a sheet");
            let mut rows = range.rows();
            let header: Vec<String> = rows
                .next()
                .expect("header")
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(header, ["id", "datum", "waarde"]);
            for r in rows {
                ids.push(r[0].to_string());
                assert!(matches!(r[1], Data::DateTime(_)), "{:?}", r[1]);
                assert!(matches!(r[2], Data::Float(_)), "{:?}", r[2]);
            }
        }
        assert_eq!(ids, ["plan-1", "plan-2", "plan-3", "plan-4", "plan-5"]);
    }

    #[test]
    fn the_format_comes_from_the_address_and_the_links_keep_the_filter_but_not_the_page() {
        assert_eq!(Format::of_path("/plannen.csv"), Some(Format::Csv));
        assert_eq!(
            Format::of_path("/gemeenten/GM0355/plannen.xlsx"),
            Some(Format::Xlsx)
        );
        assert_eq!(Format::of_path("/plannen"), None);
        let pairs = vec![
            ("fase".to_owned(), "loopt".to_owned()),
            ("pagina".to_owned(), "2".to_owned()),
            ("per_pagina".to_owned(), "5".to_owned()),
        ];
        let links = Links::new("/plannen", &pairs);
        assert_eq!(links.csv, "/plannen.csv?fase=loopt");
        assert_eq!(links.xlsx, "/plannen.xlsx?fase=loopt");
        assert_eq!(Links::new("/indicatoren", &[]).csv, "/indicatoren.csv");
    }
}
