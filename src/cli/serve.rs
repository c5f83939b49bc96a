use std::net::SocketAddr;

use crate::config::{Config, DatabaseUrl};
use crate::domain::Channel;
use crate::import::Bundle;
use crate::startup::Application;
use crate::store::{Actor, Store};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: super::DatabaseArgs,
    /// Adres en poort om op te luisteren.
    #[arg(long, env = "REGIOMONITOR_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Adres en poort om op te luisteren.
    #[arg(long, env = "REGIOMONITOR_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Het SQLite-bestand voor de demo; het wordt bij elke start opnieuw gemaakt.
    #[arg(long, default_value = "regiomonitor-demo.db")]
    pub file: std::path::PathBuf,
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config {
        database: args.db.database,
        addr: args.addr,
    };
    let app = Application::build(&config).await?;
    let store_url = &config.database;
    tracing::info!(database = %store_url, "database geopend");
    announce(&app);
    app.run_until_stopped().await?;
    Ok(())
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = args.file.clone().into_os_string();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => anyhow::bail!(
                "kan de oude demodatabase {} niet verwijderen: {e}",
                args.file.display()
            ),
        }
    }
    let url = DatabaseUrl::parse(&format!("sqlite://{}", args.file.display()))
        .map_err(anyhow::Error::msg)?;
    let store = Store::open(&url).await?;
    let portfolio = Bundle::demo().check()?;
    let counts = store
        .import_portfolio(&Actor::system("demogegevens", Channel::Import), &portfolio)
        .await?;
    eprintln!(
        "Demogegevens geladen in {}: {} gebieden, {} plannen, {} uitrolcellen, {} statuswijzigingen, {} mijlpalen.",
        args.file.display(),
        counts.areas,
        counts.plans,
        counts.rollouts,
        counts.stage_changes,
        counts.milestones
    );
    let app = Application::with_store(store, args.addr).await?;
    announce(&app);
    app.run_until_stopped().await?;
    Ok(())
}

fn announce(app: &Application) {
    eprintln!(
        "regiomonitor draait op http://{}/  (stoppen met Ctrl+C)",
        app.addr()
    );
}
