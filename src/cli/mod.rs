//! The command line: `serve`, `demo`, `load-demo`, `import portfolio`, `import observations`,
//! `user`, `generate` and `report`.

pub mod generate;
mod import;
mod malloc;
mod report;
mod serve;
mod user;

use std::process::ExitCode;

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Beheer accounts: aanmaken, tonen, uit- en inschakelen, wachtwoord instellen.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Maak een rapportage als bestand.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Maak een synthetische gegevensset om mee te meten: een portfolio in een lege database en een CSV-bestand met metingen.
    Generate(generate::GenerateArgs),
}

/// Where the data lives.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Database-URL: sqlite://pad.db of postgres://gebruiker@host/database.
    #[arg(long, env = "REGIOMONITOR_DATABASE_URL", default_value = DatabaseUrl::DEFAULT)]
    pub database: DatabaseUrl,
}

/// The help layout with Dutch headings, for every (sub)command.
const HELP_TEMPLATE: &str =
    "{about-with-newline}\n\x1b[1mGebruik:\x1b[0m {usage}\n\n{all-args}{after-help}";

/// The command line with Dutch help throughout, also for clap's own help and version flags.
pub fn command() -> clap::Command {
    dutch(Cli::command(), true)
}

fn dutch(cmd: clap::Command, top: bool) -> clap::Command {
    let mut cmd = cmd
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Opdrachten")
        .subcommand_value_name("OPDRACHT")
        .mut_args(|a| a.help_heading("Opties"))
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Toon deze hulptekst")
                .help_heading("Opties"),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Toon het versienummer")
                .help_heading("Opties"),
        );
    }
    cmd.mut_subcommands(|sub| dutch(sub, false))
}

pub fn main() -> ExitCode {
    let matches = command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A server runs long and reads many rows at once: hold glibc's mmap threshold (this may
    // start the program anew, before any thread runs).
    if matches!(cli.command, Command::Serve(_) | Command::Demo(_)) {
        malloc::hold_mmap_threshold();
    }
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
            Command::User(cmd) => user::run(cmd).await,
            Command::Generate(args) => generate::run(args).await,
            Command::Report(cmd) => report::run(cmd).await,
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
    #[test]
    fn the_command_line_is_well_formed() {
        super::command().debug_assert();
    }

    #[test]
    fn the_help_is_dutch_throughout() {
        let mut cmd = super::command();
        let help = cmd.render_help().to_string();
        assert!(help.contains("Gebruik:"), "{help}");
        assert!(help.contains("Toon deze hulptekst"), "{help}");
        assert!(!help.contains("Print help"), "{help}");
        let mut serve = super::command()
            .find_subcommand("serve")
            .cloned()
            .expect("serve");
        let serve_help = serve.render_help().to_string();
        assert!(serve_help.contains("Database-URL"), "{serve_help}");
        assert!(!serve_help.contains("Print help"), "{serve_help}");
    }

    #[test]
    fn the_user_commands_have_dutch_help() {
        let mut add = super::command()
            .find_subcommand("user")
            .and_then(|u| u.find_subcommand("add"))
            .cloned()
            .expect("user add");
        let help = add.render_help().to_string();
        assert!(help.contains("--role <ROL>"), "{help}");
        assert!(help.contains("--organisation <ORGANISATIE>"), "{help}");
        assert!(help.contains("Toon deze hulptekst"), "{help}");
        assert!(!help.contains("Print help"), "{help}");
    }
}
