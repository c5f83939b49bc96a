//! The kwartaalrapportage as a tagged PDF (PDF/UA-1), typeset by typst (`regiomonitor-pdf`)
//! from `templates/quarterly/report.typ` and the report's view as JSON: the same view the page
//! renders, so the two never say different things.

use super::report::Report;

/// The typst template of the report.
const TEMPLATE: &str = include_str!("../../../templates/quarterly/report.typ");

/// At most this many PDFs are typeset at once; each holds a core for a moment.
static TYPESETTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Typesets the report; CPU-bound, so call it through [`render_async`] from a request.
pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut files = vec![("data.json".to_owned(), serde_json::to_vec(report)?)];
    for (i, k) in report.kpis.iter().enumerate() {
        files.push((format!("chart-{i}.svg"), k.chart_svg.clone().into_bytes()));
    }
    let today = crate::features::indicators::today();
    let input = regiomonitor_pdf::Input {
        main: TEMPLATE,
        files,
        today: Some((
            i32::from(today.year()),
            u8::try_from(today.month()).unwrap_or(1),
            u8::try_from(today.day()).unwrap_or(1),
        )),
    };
    regiomonitor_pdf::render_pdf(&input)
        .map_err(|e| anyhow::anyhow!("de pdf kon niet worden gemaakt: {e}"))
}

/// [`render`] off the async workers, at most two at a time.
pub async fn render_async(report: Report) -> anyhow::Result<Vec<u8>> {
    let _permit = TYPESETTING.acquire().await?;
    tokio::task::spawn_blocking(move || render(&report)).await?
}
