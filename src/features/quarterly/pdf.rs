//! The kwartaalrapportage as a tagged PDF (PDF/UA-1), typeset by typst (`regiomonitor-pdf`)
//! from `templates/quarterly/report.typ` and the report's view as JSON: the same view the page
//! renders, so the two never say different things. [`typeset`] is the one way to a PDF for
//! every document (the report here, the verslag of a meeting through [`typeset_async`]), under
//! one limit of two at a time.

use super::report::Report;

/// The typst template of the report.
const TEMPLATE: &str = include_str!("../../../templates/quarterly/report.typ");

/// At most this many PDFs are typeset at once; each holds a core for a moment.
static TYPESETTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// What the PDF shows for a character its font cannot show (an emoji in an update, say):
/// typst would refuse the whole document, so the character is replaced.
const NOT_SHOWN: &str = "?";

/// Replaces the characters of `text` the PDF's font cannot show.
fn showable(text: &str) -> String {
    let missing = regiomonitor_pdf::unsupported_chars(text);
    if missing.is_empty() {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if missing.contains(&c) {
                NOT_SHOWN.to_owned()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Every text of a JSON value made showable.
fn showable_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = showable(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(showable_json),
        serde_json::Value::Object(map) => map.values_mut().for_each(showable_json),
        _ => {}
    }
}

/// Typesets the report; CPU-bound, so call it through [`render_async`] from a request.
pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let charts = report
        .kpis
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                format!("chart-{i}.svg"),
                showable(&k.chart_svg).into_bytes(),
            )
        })
        .collect();
    typeset(TEMPLATE, serde_json::to_value(report)?, charts)
}

/// Typesets `template` with `data` as `data.json` (its texts made showable) and the other
/// `files` it reads; CPU-bound.
pub fn typeset(
    template: &str,
    mut data: serde_json::Value,
    mut files: Vec<(String, Vec<u8>)>,
) -> anyhow::Result<Vec<u8>> {
    showable_json(&mut data);
    files.insert(0, ("data.json".to_owned(), serde_json::to_vec(&data)?));
    let today = crate::features::indicators::today();
    let input = regiomonitor_pdf::Input {
        main: template,
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

/// [`typeset`] off the async workers, sharing the limit of two at a time with the reports.
pub async fn typeset_async(
    template: &'static str,
    data: serde_json::Value,
) -> anyhow::Result<Vec<u8>> {
    let _permit = TYPESETTING.acquire().await?;
    tokio::task::spawn_blocking(move || typeset(template, data, Vec::new())).await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_the_font_lacks_is_replaced_and_the_rest_kept() {
        assert_eq!(
            showable("Klaar ✅ → volgende stap"),
            "Klaar ? ? volgende stap"
        );
        assert_eq!(showable("Café, 5 % – “goed”"), "Café, 5 % – “goed”");
    }
}
