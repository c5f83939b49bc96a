//! Line numbers of CSV records as an editor shows them. The csv reader's own count is off
//! after a `\r\n` line end (as spreadsheets on Windows write) and after an empty line: the
//! offset it gives for a record points at the line breaks it skipped before it.

use std::collections::VecDeque;
use std::io::Read;

/// The input of a csv reader, counting its line breaks (`\n`, `\r\n` or a lone `\r`) as they
/// pass, so that a record's line can be told from its byte offset.
pub(crate) struct LineBreaks<R> {
    input: R,
    /// Bytes read so far.
    offset: u64,
    /// Runs of line-break bytes that no record has been placed after yet: (first byte,
    /// breaks in the run).
    runs: VecDeque<(u64, u64)>,
    /// The run the bytes read so far end in: its first byte and breaks so far.
    open: Option<(u64, u64)>,
    last_was_cr: bool,
    /// Breaks in the runs before the last record.
    passed: u64,
    /// The line given last.
    last: u64,
}

impl<R: Read> LineBreaks<R> {
    pub(crate) fn new(input: R) -> Self {
        Self {
            input,
            offset: 0,
            runs: VecDeque::new(),
            open: None,
            last_was_cr: false,
            passed: 0,
            last: 1,
        }
    }

    /// The line (from 1) of the record or error at a position the csv reader gives: the line
    /// breaks before it, and those of a run it points into (skipped before the record starts).
    /// Positions must come in file order; without one, the line given last.
    pub(crate) fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(byte) = position.map(csv::Position::byte) else {
            return self.last;
        };
        while let Some(&(start, breaks)) = self.runs.front() {
            if start > byte {
                break;
            }
            self.passed += breaks;
            self.runs.pop_front();
        }
        let open = match self.open {
            Some((start, breaks)) if start <= byte => breaks,
            _ => 0,
        };
        self.last = self.passed + open + 1;
        self.last
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.input.read(buf)?;
        for (at, b) in (self.offset..).zip(&buf[..n]) {
            if *b == b'\r' || *b == b'\n' {
                // "\r\n" is one break.
                let counts = *b == b'\r' || !self.last_was_cr;
                self.last_was_cr = *b == b'\r';
                let run = self.open.get_or_insert((at, 0));
                run.1 += u64::from(counts);
            } else {
                self.last_was_cr = false;
                if let Some(run) = self.open.take() {
                    self.runs.push_back(run);
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of every record of `text`, as the csv reader finds them.
    fn lines(text: &str) -> Vec<u64> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineBreaks::new(text.as_bytes()));
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).expect("valid CSV") {
            lines.push(reader.get_mut().line_of(record.position()));
        }
        lines
    }

    #[test]
    fn every_line_end_counts_once() {
        for end in ["\n", "\r\n", "\r"] {
            let text = ["a", "b", "", "c", "", "", "d"].join(end);
            assert_eq!(lines(&text), [1, 2, 4, 7], "{end:?}");
        }
    }

    #[test]
    fn a_quoted_line_break_counts_for_the_records_after_it() {
        assert_eq!(lines("a,\"x\r\ny\"\r\nb\r\n\r\nc"), [1, 3, 5]);
    }
}
