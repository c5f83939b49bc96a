use std::path::PathBuf;

use crate::domain::Channel;
use crate::import::Bundle;
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
    }
}

pub async fn load_demo(args: super::DatabaseArgs) -> anyhow::Result<()> {
    let portfolio = Bundle::demo().check()?;
    let store = Store::open(&args.database).await?;
    let counts = store
        .import_portfolio(&Actor::system("demogegevens", Channel::Import), &portfolio)
        .await?;
    eprintln!(
        "Demogegevens geladen in {}: {} gebieden, {} plannen, {} uitrolcellen.",
        args.database, counts.areas, counts.plans, counts.rollouts
    );
    Ok(())
}
