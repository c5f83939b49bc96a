//! The command line: `serve`, `demo`, `load-demo` and `import portfolio`.

mod import;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::DatabaseUrl;

#[derive(Debug, Parser)]
#[command(
    name = "regiomonitor",
    version,
    about = "Monitor voor de uitvoering van IZA, GALA en AZWA in een zorgregio",
    long_about = "regiomonitor toont per gemeente welke plannen lopen en welke gepland staan, met per plan de status, de uitrol en de historie met bronnen."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start de webapplicatie op een database.
    Serve(serve::ServeArgs),
    /// Laad de demogegevens in een nieuwe lokale database en start de webapplicatie.
    Demo(serve::DemoArgs),
    /// Laad de demogegevens in een (lege) database.
    LoadDemo(DatabaseArgs),
    /// Lees gegevens in.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

/// Where the data lives.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Database-URL: sqlite://pad.db of postgres://gebruiker@host/database.
    #[arg(long, env = "REGIOMONITOR_DATABASE_URL", default_value = DatabaseUrl::DEFAULT)]
    pub database: DatabaseUrl,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REGIOMONITOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fout: kan de runtime niet starten: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::serve(args).await,
            Command::Demo(args) => serve::demo(args).await,
            Command::LoadDemo(args) => import::load_demo(args).await,
            Command::Import(cmd) => import::run(cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
