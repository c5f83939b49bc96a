use std::fs::File;
use std::io::{BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::domain::Channel;
use crate::import::Bundle;
use crate::import::observations::{self, Context};
use crate::store::{Actor, Store};

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Lees een map met portfoliobestanden (TOML en gemeenten.csv) in een lege database in.
    Portfolio {
        /// De map met de bestanden (zie docs/portfolio-format.md).
        dir: PathBuf,
        #[command(flatten)]
        db: super::DatabaseArgs,
        /// Alleen controleren; niets opslaan.
        #[arg(long)]
        check: bool,
    },
    /// Lees metingen in uit een CSV-bestand in lang formaat (indicator, gebied, periode, waarde, bron): eerst wordt elke regel gecontroleerd, en alleen een bestand zonder problemen wordt opgeslagen, in zijn geheel.
    Observations {
        /// Het CSV-bestand: een kopregel en daaronder één meting per regel.
        file: PathBuf,
        #[command(flatten)]
        db: super::DatabaseArgs,
        /// Markeer elke meting als voorbeeldwaarde (geen feit), zoals bij de demo.
        #[arg(long)]
        voorbeeld: bool,
    },
}

pub async fn run(command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Portfolio { dir, db, check } => {
            let portfolio = Bundle::from_dir(&dir)?.check()?;
            if check {
                eprintln!(
                    "{}: geen problemen gevonden ({} plannen).",
                    dir.display(),
                    portfolio.plans.len()
                );
                return Ok(());
            }
            let store = Store::open(&db.database).await?;
            let counts = store
                .import_portfolio(
                    &Actor::system(format!("import {}", dir.display()), Channel::Import),
                    &portfolio,
                )
                .await?;
            eprintln!(
                "Ingelezen: {} gebieden, {} plannen, {} uitrolcellen.",
                counts.areas, counts.plans, counts.rollouts
            );
            Ok(())
        }
        ImportCommand::Observations {
            file,
            db,
            voorbeeld,
        } => {
            let store = Store::open(&db.database).await?;
            import_observations(&store, &file, voorbeeld).await
        }
    }
}

/// `import observations`: checks the whole file, prints every problem, and only when there
/// are none reads it a second time and stores every line in one transaction.
pub async fn import_observations(store: &Store, file: &Path, examples: bool) -> anyhow::Result<()> {
    let indicators = store.indicators().await?;
    let areas = store.areas().await?;
    // The command line may enter values for every KPI.
    let mut cx = Context::new(&indicators, &areas, |_| true);
    cx.examples = examples;
    let head = file_head(file)?;
    let (named_cx, named_head, named_file) = (cx, head.clone(), file.to_owned());
    let (named, mut cx) = tokio::task::spawn_blocking(move || {
        let input = open(&named_file)?;
        let named = observations::named_indicators(input, &named_head, &named_cx);
        Ok::<_, anyhow::Error>((named, named_cx))
    })
    .await??;
    for id in &named {
        cx.add_existing(id, &store.observation_keys(id).await?);
    }
    let cx = Arc::new(cx);
    let size = std::fs::metadata(file)
        .map_err(|e| anyhow::anyhow!("kan {} niet lezen: {e}", file.display()))?
        .len();

    // First pass: only check.
    let bar = progress_bar(size, "controleren");
    let input = bar.wrap_read(open(file)?);
    let (check_cx, check_head) = (Arc::clone(&cx), head.clone());
    let report = tokio::task::spawn_blocking(move || {
        observations::check(input, &check_head, &check_cx, |_| {})
    })
    .await?;
    bar.finish_and_clear();
    if !report.is_ok() {
        for p in &report.problems {
            eprintln!("{p}");
        }
        if report.more_problems > 0 {
            eprintln!("... en nog {} problemen.", report.more_problems);
        }
        anyhow::bail!(
            "{}: {} {}; er is niets opgeslagen",
            file.display(),
            report.problem_count(),
            if report.problem_count() == 1 {
                "probleem"
            } else {
                "problemen"
            }
        );
    }

    // Second pass: read again, check again, and stream the rows into one transaction.
    let bar = progress_bar(report.rows as u64, "opslaan");
    let rows = observations::Checked::start(open(file)?, head, Arc::clone(&cx), report.clone());
    let label = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let progress_bar = bar.clone();
    let stored = store
        .try_import_observations(&super::user::actor(), &label, rows, move |n| {
            progress_bar.set_position(n as u64);
        })
        .await;
    bar.finish_and_clear();
    let stored = stored?;
    let per_kpi: Vec<String> = report
        .per_indicator
        .iter()
        .map(|(id, n, _, _)| format!("{id} {n}"))
        .collect();
    eprintln!(
        "Ingelezen uit {}: {stored} {} ({}).",
        file.display(),
        if stored == 1 { "meting" } else { "metingen" },
        per_kpi.join(", ")
    );
    Ok(())
}

fn open(file: &Path) -> anyhow::Result<BufReader<File>> {
    let f =
        File::open(file).map_err(|e| anyhow::anyhow!("kan {} niet openen: {e}", file.display()))?;
    Ok(BufReader::with_capacity(1 << 16, f))
}

/// The first bytes of the file, from which the check learns the delimiter.
fn file_head(file: &Path) -> anyhow::Result<Vec<u8>> {
    observations::file_head(open(file)?)
        .map_err(|e| anyhow::anyhow!("kan {} niet lezen: {e}", file.display()))
}

/// A bar on standard error while it is a terminal; nothing otherwise (a log, a pipe, a test).
fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    let template = if what == "controleren" {
        "{msg:12} [{bar:40}] {bytes}/{total_bytes} ({eta})"
    } else {
        "{msg:12} [{bar:40}] {human_pos}/{human_len} metingen ({per_sec}, {eta})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

pub async fn load_demo(args: super::DatabaseArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let counts = store
        .load_demo(&Actor::system("demogegevens", Channel::Import))
        .await?;
    eprintln!(
        "Demogegevens geladen in {}: {} gebieden, {} plannen, {} uitrolcellen, {} KPI's (met voorbeeldmetingen).",
        args.database, counts.areas, counts.plans, counts.rollouts, counts.indicators
    );
    Ok(())
}
