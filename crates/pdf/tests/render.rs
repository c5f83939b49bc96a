//! Renders a small Dutch kwartaalrapportage (`tests/report/`) and checks the PDF the way a
//! reader's tools see it: poppler's `pdfinfo`, `pdftotext` and `pdftohtml` (Debian package
//! poppler-utils). Without them those checks are skipped with a note, unless
//! `REGIOMONITOR_REQUIRE_ALL=1` (as in CI), which makes a missing tool fail the test.

use std::io::Write;
use std::process::Command;
use std::sync::LazyLock;

use regiomonitor_pdf::{Input, PdfError, render_pdf};

const TEMPLATE: &str = include_str!("report/kwartaalrapportage.typ");
const DATA: &[u8] = include_bytes!("report/data.json");
const CHART: &[u8] = include_bytes!("report/chart.svg");
const ALT: &str =
    "Staafdiagram van gereedgekomen plannen: Zeist 7, De Bilt 4, Utrechtse Heuvelrug 11.";

fn report() -> Input<'static> {
    Input {
        main: TEMPLATE,
        files: vec![
            ("data.json".to_owned(), DATA.to_vec()),
            ("chart.svg".to_owned(), CHART.to_vec()),
        ],
        today: Some((2026, 4, 1)),
    }
}

/// The report, rendered once for all tests that read it.
static REPORT: LazyLock<Vec<u8>> =
    LazyLock::new(|| render_pdf(&report()).unwrap_or_else(|error| panic!("{error}")));

/// A document with the title and language PDF/UA asks for, around `body`.
fn document(body: &str) -> String {
    format!("#set document(title: [Proef])\n#set text(lang: \"nl\")\n= Proef\n{body}\n")
}

fn refusal(main: &str) -> PdfError {
    let mut input = report();
    input.main = main;
    match render_pdf(&input) {
        Ok(_) => panic!("rendered, but should have been refused:\n{main}"),
        Err(error) => error,
    }
}

/// Runs a poppler tool on the report, `{}` in `args` standing for the PDF's path. `None` when
/// the tool is not installed and the run may skip it.
fn poppler(tool: &str, args: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("kwartaalrapportage.pdf");
    std::fs::write(&path, &*REPORT).expect("the PDF written");
    let path = path.to_str().expect("a UTF-8 path");
    let args: Vec<&str> = args
        .iter()
        .map(|arg| if *arg == "{}" { path } else { arg })
        .collect();
    match Command::new(tool).args(&args).output() {
        Ok(output) => {
            assert!(
                output.status.success(),
                "{tool} {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Some(String::from_utf8(output.stdout).expect("UTF-8 from poppler"))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let note = format!("{tool} ontbreekt (apt-get install poppler-utils)");
            if std::env::var("REGIOMONITOR_REQUIRE_ALL").as_deref() == Ok("1") {
                panic!("FOUT: {note} (REGIOMONITOR_REQUIRE_ALL=1, dus niet overslaan)");
            }
            // Straight to stderr: the test harness would hide an `eprintln!` of a passing test.
            let _ = writeln!(std::io::stderr(), "overgeslagen: {note}");
            None
        }
        Err(error) => panic!("{tool} did not start: {error}"),
    }
}

/// Asserts that `text` holds `parts` in this order.
fn assert_in_order(text: &str, parts: &[&str]) {
    let mut rest = text;
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => panic!("{part:?} not found (in this order) in:\n{text}"),
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn the_report_is_a_pdf_whose_language_is_dutch() {
    assert!(REPORT.starts_with(b"%PDF-"));
    // The catalog's /Lang; krilla writes the catalog uncompressed.
    assert!(contains(&REPORT, "/Lang(nl-NL)"));
}

#[test]
fn pdfinfo_sees_a_tagged_pdf_ua_1_document_with_the_title_from_the_template() {
    let Some(info) = poppler("pdfinfo", &["{}"]) else {
        return;
    };
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Title:           Kwartaalrapportage 2026-Q1: Zorgregio Utrecht-Oost"),
        "{info}"
    );

    let Some(xmp) = poppler("pdfinfo", &["-meta", "{}"]) else {
        return;
    };
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
    assert!(xmp.contains("<rdf:li>nl-NL</rdf:li>"), "{xmp}");
}

#[test]
fn the_structure_tree_has_headings_a_table_with_header_cells_and_a_figure() {
    let Some(tree) = poppler("pdfinfo", &["-struct-text", "{}"]) else {
        return;
    };
    assert_in_order(
        &tree,
        &[
            "Document",
            "H1 \"Kwartaalrapportage 2026-Q1\"",
            "H2 \"Voortgang per gemeente\"",
            "Table",
            "TH",
            "/Scope /Column",
            "\"Gemeente\"",
            "TH",
            "/Scope /Row",
            "\"Zeist\"",
            "TD",
            "\"12\"",
            "H2 \"Grafiek\"",
            "Figure",
            "H2 \"Opmerkingen\"",
            "L",
            "LI",
        ],
    );
    // pdfinfo does not print a structure element's /Alt; it is a plain string in the file.
    assert!(contains(&REPORT, &format!("/Alt({ALT})")));
}

#[test]
fn the_outline_lists_the_headings() {
    let Some(xml) = poppler("pdftohtml", &["-xml", "-stdout", "-i", "-q", "{}"]) else {
        return;
    };
    assert_in_order(
        &xml,
        &[
            "<outline>",
            "<item page=\"1\">Kwartaalrapportage 2026-Q1</item>",
            "<outline>",
            "<item page=\"1\">Voortgang per gemeente</item>",
            "<item page=\"1\">Grafiek</item>",
            "<item page=\"1\">Opmerkingen</item>",
        ],
    );
}

#[test]
fn pdftotext_reads_the_data_in_reading_order() {
    let Some(text) = poppler("pdftotext", &["{}", "-"]) else {
        return;
    };
    assert_in_order(
        &text,
        &[
            "Kwartaalrapportage 2026-Q1",
            "In het eerste kwartaal zijn drie plannen gestart en twee afgerond.",
            "Voortgang per gemeente",
            "Gemeente",
            "Plannen",
            "Gereed",
            "Verschil",
            "Zeist",
            "12",
            "7",
            "2,5",
            "De Bilt",
            "9",
            "4",
            "\u{2212}3",
            "Utrechtse Heuvelrug",
            "15",
            "11",
            "0",
            "Grafiek",
            "Figuur 1: Gereedgekomen plannen per gemeente",
            "Opmerkingen",
            "Cijfers over het tweede kwartaal volgen in juli.",
        ],
    );
}

#[test]
fn text_from_the_data_is_shown_as_written_never_read_as_markup() {
    let Some(text) = poppler("pdftotext", &["{}", "-"]) else {
        return;
    };
    assert!(
        text.contains("Plan *A* & #emph[B] staat hier letterlijk, zonder opmaak."),
        "{text}"
    );
}

#[test]
fn a_template_mistake_is_named_with_its_file_line_and_text() {
    let main = document("#let x = 1\n#dat.regio");

    let error = refusal(&main);

    let [diagnostic] = error.diagnostics() else {
        panic!("one diagnostic expected: {error}");
    };
    assert_eq!(diagnostic.message, "unknown variable: dat");
    let at = diagnostic.location.as_ref().expect("a location");
    assert_eq!(
        (at.file.as_str(), at.line, at.column, at.text.as_str()),
        ("main.typ", 5, 2, "#dat.regio")
    );
    assert!(
        error
            .to_string()
            .contains("main.typ:5:2: unknown variable: dat\n     5 | #dat.regio"),
        "{error}"
    );
}

#[test]
fn an_error_in_a_data_file_points_into_that_file() {
    let mut input = report();
    input.files[0].1 = b"{\n  \"regio\": \"Zeist\",\n  \"kwartaal\": }\n".to_vec();

    let error = render_pdf(&input).expect_err("invalid JSON refused");

    let at = error.diagnostics()[0]
        .location
        .as_ref()
        .expect("a location");
    assert_eq!((at.file.as_str(), at.line), ("data.json", 3), "{error}");
    assert!(
        error.to_string().contains("failed to parse JSON"),
        "{error}"
    );
}

#[test]
fn an_image_without_alt_text_is_refused_by_the_pdf_ua_check() {
    let main = document("#figure(image(\"chart.svg\"), caption: [Zonder alt])");

    let error = refusal(&main);

    let diagnostic = &error.diagnostics()[0];
    assert_eq!(diagnostic.message, "PDF/UA-1 error: missing alt text");
    assert_eq!(diagnostic.location.as_ref().map(|at| at.line), Some(4));
}

#[test]
fn a_document_without_a_title_is_refused_by_the_pdf_ua_check() {
    let error = refusal("#set text(lang: \"nl\")\n= Kop\nTekst.");

    assert_eq!(
        error.diagnostics()[0].message,
        "PDF/UA-1 error: missing document title"
    );
}

#[test]
fn a_document_that_names_no_language_is_refused() {
    let error = refusal("#set document(title: [Proef])\n= Kop\nTekst.");

    assert_eq!(
        error.diagnostics()[0].message,
        "the document names no language"
    );
    assert!(
        error.to_string().contains("#set text(lang: \"nl\")"),
        "{error}"
    );
}

#[test]
fn skipping_a_heading_level_is_refused_by_the_pdf_ua_check() {
    let error = refusal(&document("=== Te diep"));

    assert_eq!(
        error.diagnostics()[0].message,
        "PDF/UA-1 error: skipped from heading level 1 to 3"
    );
}

#[test]
fn packages_are_refused_with_a_message_that_says_why() {
    let error = refusal("#import \"@preview/cetz:0.3.0\": canvas\n");

    let message = &error.diagnostics()[0].message;
    assert!(
        message.contains("packages are not available when rendering reports"),
        "{error}"
    );
}

#[test]
fn a_file_the_caller_did_not_pass_is_named() {
    let error = refusal(&document("#let d = json(\"kpi.json\")"));

    assert_eq!(
        error.diagnostics()[0].message,
        "file not found (searched at /kpi.json)"
    );
}

#[test]
fn a_template_can_import_another_virtual_typst_file() {
    let mut input = report();
    let main = document("#import \"opmaak.typ\": getal\n#getal(2.5)");
    input.main = &main;
    input.files.push((
        "opmaak.typ".to_owned(),
        b"#let getal(x) = str(x).replace(\".\", \",\")".to_vec(),
    ));

    let pdf = render_pdf(&input);

    assert!(pdf.is_ok(), "{pdf:?}");
}

#[test]
fn virtual_paths_outside_the_root_twice_or_on_the_main_source_are_refused() {
    for (path, reason) in [
        ("../geheim.json", "path escapes project root"),
        ("data.json", "the path is given twice"),
        ("./main.typ", "that is the path of the main source"),
        ("", "the path names no file"),
    ] {
        let mut input = report();
        input.files.push((path.to_owned(), Vec::new()));

        let error = render_pdf(&input).expect_err(path);

        assert!(error.to_string().contains(reason), "{path}: {error}");
    }
}

#[test]
fn today_is_the_date_the_caller_gives() {
    let main = document("#assert.eq(datetime.today(), datetime(year: 2026, month: 4, day: 1))");
    let mut input = report();
    input.main = &main;

    assert!(render_pdf(&input).is_ok());
}

#[test]
fn without_a_date_from_the_caller_today_comes_from_the_clock() {
    let main = document("#assert(datetime.today().year() >= 2024)");
    let input = Input {
        main: &main,
        ..Input::default()
    };

    assert!(render_pdf(&input).is_ok());
}

#[test]
fn a_date_that_does_not_exist_is_refused() {
    let mut input = report();
    input.today = Some((2026, 2, 30));

    let error = render_pdf(&input).expect_err("30 February refused");

    assert!(
        error.to_string().contains("2026-2-30 is no date"),
        "{error}"
    );
}

#[test]
fn text_the_fonts_cannot_show_is_refused_and_can_be_found_beforehand() {
    let remark = "Afgerond ✓";

    let error = refusal(&document(remark));

    assert!(
        error.diagnostics()[0]
            .message
            .contains("could not be displayed with font"),
        "{error}"
    );
    assert_eq!(regiomonitor_pdf::unsupported_chars(remark), vec!['✓']);
}
