//! Changes to a valid file, a line at a time, and the hostile values they put in it.

use proptest::prelude::*;
use proptest::sample::Index;

/// How a file is laid out, so that a field can be replaced inside its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with this delimiter.
    Csv(u8),
    /// TOML: a field is the value after `key =`.
    Toml,
}

/// One change to a file.
#[derive(Debug, Clone)]
pub enum Mutation {
    Delete(Index),
    /// Copies a line to another place.
    Duplicate(Index, Index),
    Swap(Index, Index),
    /// Replaces one field of a line; `quoted` writes it as the format quotes a text (CSV
    /// quotes, a TOML string), otherwise it goes in as it is.
    Field {
        line: Index,
        field: Index,
        value: String,
        quoted: bool,
    },
    ReplaceLine(Index, String),
    Insert(Index, String),
    /// Replaces every `from` on a line with `to` (a wrong separator).
    Separator(Index, char, char),
    /// Cuts the file at a byte (possibly inside a character).
    Truncate(Index),
    /// Overwrites one byte.
    Byte(Index, u8),
}

/// Values a field may be given instead of the right one.
pub fn hostile() -> BoxedStrategy<String> {
    let fixed = prop::sample::select(vec![
        "",
        " ",
        "\0",
        "\u{0}\u{0}",
        "\t",
        "\r",
        "\n",
        "\r\n",
        "\"",
        "\"\"",
        "'",
        ",",
        ";",
        "\\",
        "\u{feff}",
        "\u{200b}",
        "\u{7f}",
        "NaN",
        "nan",
        "-nan",
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "1e308",
        "-1e308",
        "1e309",
        "-1e309",
        "1.7976931348623157e308",
        "4.9e-324",
        "1e-400",
        "99999999999999999999999999999999999999",
        "-99999999999999999999",
        "9223372036854775808",
        "-9223372036854775809",
        "0x1F",
        "1_000",
        "1.250,5",
        "1,250.5",
        "1 000",
        "12,5",
        "12.5",
        "-0",
        "+5",
        "5%",
        "%",
        "-",
        ".",
        ",5",
        "5,",
        "١٢٫٥",
        "１２",
        "2026-Q5",
        "2026-Q0",
        "2026-13",
        "2026-02-30",
        "0000",
        "9999-12-31",
        "-2026",
        "+2026",
        "202€",
        "20€6-Q1",
        "2026-Q€",
        "2026-€1",
        "2026€01-01",
        "q2/3 2025",
        "2025 t/m 2024",
        "2e t/m 3e kwartaal 2025",
        "maart t/m juni 2025",
        "onbekend",
        "true",
        "[]",
        "{}",
        "[1, 2]",
        "{ a = 1 }",
        "1979-05-27T07:32:00Z",
        "[[plan]]",
        "[regio]",
        "= =",
        "GM0000",
        "GM99999",
        "regio",
        "ja",
        "misschien",
    ])
    .prop_map(str::to_owned);
    let numbers = prop_oneof![
        any::<f64>().prop_map(|f| f.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        any::<f64>().prop_map(|f| f.to_string().replace('.', ",")),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u128>().prop_map(|i| i.to_string()),
    ];
    let text = prop_oneof![
        prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect()),
        prop::collection::vec(prop::char::range('\0', '\u{1f}'), 1..8)
            .prop_map(|c| c.into_iter().collect()),
        "\\PC{0,30}",
    ];
    // Long texts: one piece repeated, or a pattern that a parser might recurse or loop on.
    let long = (
        prop::sample::select(vec![
            "a",
            "é",
            "€",
            "𝄞",
            "\0",
            ",",
            ";",
            "\"",
            "\n",
            " ",
            "2025 t/m ",
            " t/m ",
            "q1/",
            "/",
            "1",
            "0",
            "-",
            "9",
        ]),
        1_000usize..40_000,
    )
        .prop_map(|(piece, n)| piece.repeat(n));
    prop_oneof![
        6 => fixed,
        3 => numbers,
        4 => text,
        1 => long,
    ]
    .boxed()
}

/// One to four changes.
pub fn mutations(values: BoxedStrategy<String>) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(values), 1..=4)
}

pub fn mutation(values: BoxedStrategy<String>) -> impl Strategy<Value = Mutation> {
    let separators = prop::sample::select(vec![',', ';', '\t', '|', '"', '\n', '\r', '=', ' ']);
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Delete),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        6 => (any::<Index>(), any::<Index>(), values.clone(), any::<bool>()).prop_map(
            |(line, field, value, quoted)| Mutation::Field { line, field, value, quoted }
        ),
        1 => (any::<Index>(), values.clone()).prop_map(|(i, v)| Mutation::ReplaceLine(i, v)),
        1 => (any::<Index>(), values).prop_map(|(i, v)| Mutation::Insert(i, v)),
        1 => (any::<Index>(), separators.clone(), separators)
            .prop_map(|(i, a, b)| Mutation::Separator(i, a, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
    ]
}

/// The lines of a file (without their `\n`).
pub fn lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

pub fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

/// Applies the changes in order.
pub fn apply(text: &[u8], format: Format, mutations: &[Mutation]) -> Vec<u8> {
    let mut text = text.to_vec();
    for m in mutations {
        text = apply_one(&text, format, m);
    }
    text
}

fn apply_one(text: &[u8], format: Format, m: &Mutation) -> Vec<u8> {
    let mut lines = lines(text);
    let n = lines.len();
    match m {
        Mutation::Delete(i) => {
            lines.remove(i.index(n));
        }
        Mutation::Duplicate(from, to) => {
            let line = lines[from.index(n)].clone();
            lines.insert(to.index(n + 1), line);
        }
        Mutation::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
        Mutation::Field {
            line,
            field,
            value,
            quoted,
        } => {
            let at = line.index(n);
            lines[at] = replace_field(&lines[at], format, *field, value, *quoted);
        }
        Mutation::ReplaceLine(i, value) => lines[i.index(n)] = value.as_bytes().to_vec(),
        Mutation::Insert(i, value) => lines.insert(i.index(n + 1), value.as_bytes().to_vec()),
        Mutation::Separator(i, from, to) => {
            let at = i.index(n);
            let line = String::from_utf8_lossy(&lines[at]).replace(*from, &to.to_string());
            lines[at] = line.into_bytes();
        }
        Mutation::Truncate(i) => {
            let mut text = text.to_vec();
            text.truncate(i.index(text.len() + 1));
            return text;
        }
        Mutation::Byte(i, b) => {
            let mut text = text.to_vec();
            if !text.is_empty() {
                let at = i.index(text.len());
                text[at] = *b;
            }
            return text;
        }
    }
    join(&lines)
}

/// One line with field `field` replaced by `value`.
pub fn replace_field(
    line: &[u8],
    format: Format,
    field: Index,
    value: &str,
    quoted: bool,
) -> Vec<u8> {
    match format {
        Format::Csv(delimiter) => {
            let mut fields = csv_fields(line, delimiter);
            if fields.is_empty() {
                fields.push(Vec::new());
            }
            let at = field.index(fields.len());
            fields[at] = value.as_bytes().to_vec();
            if quoted {
                csv_line(&fields, delimiter)
            } else {
                fields.join(&delimiter)
            }
        }
        Format::Toml => {
            let text = String::from_utf8_lossy(line);
            let value = if quoted {
                toml_string(value)
            } else {
                value.to_owned()
            };
            match text.split_once('=') {
                Some((key, _)) => format!("{key}= {value}").into_bytes(),
                None => value.into_bytes(),
            }
        }
    }
}

/// The fields of one CSV line.
pub fn csv_fields(line: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(line);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => record.iter().map(<[u8]>::to_vec).collect(),
        _ => line
            .split(|b| *b == delimiter)
            .map(<[u8]>::to_vec)
            .collect(),
    }
}

/// Fields written as one CSV record, quoted where needed, without a line end.
pub fn csv_line(fields: &[Vec<u8>], delimiter: u8) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(fields).expect("write to memory");
    let mut out = writer.into_inner().expect("flush to memory");
    if out.last() == Some(&b'\n') {
        out.pop();
    }
    out
}

/// A TOML basic string.
pub fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How many lines a text has, as an editor counts them: a line ends in `\n`, `\r\n` or a
/// lone `\r`.
pub fn line_count(text: &[u8]) -> usize {
    let mut lines = 1;
    let mut last_was_cr = false;
    for b in text {
        if *b == b'\r' || (*b == b'\n' && !last_was_cr) {
            lines += 1;
        }
        last_was_cr = *b == b'\r';
    }
    lines
}
