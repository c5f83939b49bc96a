//! `regiomonitor report kwartaal 2026-Q1 --format pdf|html --out FILE`: the kwartaalrapportage
//! of a round as a file, made from the same view as the page.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use askama::Template;
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::DatabaseArgs;
use crate::features::quarterly::pages::build_report;
use crate::features::quarterly::report::{FULL_REPORT_PLANS, Report};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// De kwartaalrapportage van een rapportageronde als pdf of html-bestand.
    Kwartaal(KwartaalArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// Een getagde pdf (PDF/UA-1).
    Pdf,
    /// Eén html-bestand met de opmaak erin.
    Html,
}

#[derive(Debug, clap::Args)]
pub struct KwartaalArgs {
    /// Het kwartaal van de ronde, bijvoorbeeld 2026-Q1.
    #[arg(value_name = "KWARTAAL")]
    pub period: String,
    /// pdf of html.
    #[arg(long, value_enum, default_value = "pdf")]
    pub format: FileFormat,
    /// Het bestand om te schrijven.
    #[arg(long, value_name = "BESTAND")]
    pub out: PathBuf,
    /// Met de beoordelingen van het kernteam en de namen van wie wat opsloeg (voor intern gebruik).
    #[arg(long)]
    pub intern: bool,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

pub async fn run(cmd: ReportCommand) -> anyhow::Result<()> {
    match cmd {
        ReportCommand::Kwartaal(args) => kwartaal(args).await,
    }
}

/// The report as one HTML file with the style sheets in it.
#[derive(Template)]
#[template(path = "quarterly/report_file.html")]
struct ReportFile<'a> {
    report: &'a Report,
    css: String,
    full_plans: usize,
}

/// The page's style sheets, in the order the pages load them.
fn style_sheets() -> String {
    [
        "vendor/utrecht-component-library-css/index.css",
        "vendor/voorbeeld-design-tokens/theme.css",
        "app.css",
    ]
    .iter()
    .filter_map(|p| crate::web::assets::text(p))
    .collect::<Vec<_>>()
    .join("\n")
}

/// Makes the report's HTML file.
pub fn report_html(report: &Report) -> anyhow::Result<String> {
    Ok(ReportFile {
        report,
        css: style_sheets(),
        full_plans: FULL_REPORT_PLANS,
    }
    .render()?)
}

async fn kwartaal(args: KwartaalArgs) -> anyhow::Result<()> {
    let period = crate::domain::parse_quarter(&args.period)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let store = super::user::open_existing(&args.db.database).await?;
    // A bar only when making the report takes longer than a second.
    let bar = ProgressBar::with_draw_target(Some(3), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let shown = bar.clone();
    let delay = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if !shown.is_finished() {
            shown.set_draw_target(ProgressDrawTarget::stderr());
        }
    });
    let result = make(&store, &period, &args, &bar).await;
    bar.finish_and_clear();
    delay.abort();
    let bytes = result?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("kan {} niet schrijven", args.out.display()))?;
    eprintln!(
        "Kwartaalrapportage {period} geschreven naar {} ({} kB).",
        args.out.display(),
        bytes.len().div_ceil(1024)
    );
    Ok(())
}

async fn make(
    store: &Store,
    period: &str,
    args: &KwartaalArgs,
    bar: &ProgressBar,
) -> anyhow::Result<Vec<u8>> {
    bar.set_message("ronde lezen");
    let round = store
        .round(period)
        .await?
        .with_context(|| format!("er is geen rapportageronde {period}"))?;
    bar.inc(1);
    bar.set_message("momentopname en vergelijking");
    let report = build_report(store, &round, args.intern)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.inc(1);
    bar.set_message(match args.format {
        FileFormat::Pdf => "pdf zetten",
        FileFormat::Html => "html maken",
    });
    let bytes = match args.format {
        FileFormat::Html => report_html(&report)?.into_bytes(),
        FileFormat::Pdf => pdf(report).await?,
    };
    bar.inc(1);
    Ok(bytes)
}

#[cfg(feature = "pdf")]
async fn pdf(report: Report) -> anyhow::Result<Vec<u8>> {
    crate::features::quarterly::pdf::render_async(report).await
}

#[cfg(not(feature = "pdf"))]
async fn pdf(_: Report) -> anyhow::Result<Vec<u8>> {
    anyhow::bail!(
        "deze regiomonitor is gebouwd zonder pdf (de feature \"pdf\"); kies --format html of bouw met de standaardfeatures"
    )
}
