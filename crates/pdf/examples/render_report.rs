//! Renders the test report (`tests/report/`) to a PDF file and prints how long a render takes:
//!
//! ```sh
//! cargo run --release -p regiomonitor-pdf --example render_report -- /tmp/rapport.pdf
//! ```

use std::time::Instant;

use regiomonitor_pdf::{Input, render_pdf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "kwartaalrapportage.pdf".to_owned());
    let input = Input {
        main: include_str!("../tests/report/kwartaalrapportage.typ"),
        files: vec![
            (
                "data.json".to_owned(),
                include_bytes!("../tests/report/data.json").to_vec(),
            ),
            (
                "chart.svg".to_owned(),
                include_bytes!("../tests/report/chart.svg").to_vec(),
            ),
        ],
        today: Some((2026, 4, 1)),
    };

    let started = Instant::now();
    let pdf = render_pdf(&input)?;
    let first = started.elapsed();

    // A server renders new data each time: change the data so typst's memoization cannot
    // reuse the last render whole.
    let runs = 20;
    let data = String::from_utf8(input.files[0].1.clone())?;
    let started = Instant::now();
    for run in 0..runs {
        let mut next = input.clone();
        next.files[0].1 = data
            .replace("Utrecht-Oost", &format!("Utrecht-Oost {run}"))
            .into_bytes();
        render_pdf(&next)?;
    }
    let each = started.elapsed() / runs;

    std::fs::write(&out, &pdf)?;
    println!(
        "{out}: {} bytes; first render in the process {:.1} ms, then {:.1} ms per render \
         with new data ({runs} runs)",
        pdf.len(),
        first.as_secs_f64() * 1000.0,
        each.as_secs_f64() * 1000.0
    );
    Ok(())
}
