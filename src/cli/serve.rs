use std::net::SocketAddr;

use crate::config::DatabaseUrl;
use crate::domain::Channel;
use crate::startup::Application;
use crate::store::{Actor, Store};
use crate::web::WebSettings;
use crate::web::proxy::TrustedProxies;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: super::DatabaseArgs,
    /// Adres en poort om op te luisteren.
    #[arg(long, env = "REGIOMONITOR_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Zet cookies altijd op Secure (alleen via https). Achter een vertrouwde proxy die
    /// X-Forwarded-Proto: https meestuurt gebeurt dat ook zonder deze optie.
    #[arg(long, env = "REGIOMONITOR_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Proxy's (IP-adres of netwerk, bijvoorbeeld 127.0.0.1 of 10.0.0.0/8) waarvan
    /// X-Forwarded-For en X-Forwarded-Proto worden geloofd; van ieder ander worden die
    /// kopregels genegeerd. Meer dan één: herhaal de optie of scheid met komma's.
    #[arg(long = "trusted-proxy", env = "REGIOMONITOR_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxies)]
    pub trusted_proxies: Vec<TrustedProxies>,
    #[command(flatten)]
    pub uploads: UploadArgs,
    #[command(flatten)]
    pub mail: MailArgs,
}

/// The SMTP server for reminders; without it a reminder is a prepared e-mail (`mailto:`).
#[derive(Debug, clap::Args)]
pub struct MailArgs {
    /// Mailserver voor herinneringen aan trekkers, bijvoorbeeld
    /// smtp://gebruiker:wachtwoord@mail.example.org:587?tls=required (STARTTLS) of
    /// smtps://...:465; smtp://host:25 zonder tls alleen naar een relay in een vertrouwd netwerk.
    /// Zonder deze optie stelt de beheerder een herinnering op in het eigen e-mailprogramma.
    #[arg(
        long,
        env = "REGIOMONITOR_SMTP_URL",
        requires = "smtp_from",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Afzender van herinneringen, bijvoorbeeld "Kernteam IZA <kernteam@example.org>".
    #[arg(long, env = "REGIOMONITOR_SMTP_FROM")]
    pub smtp_from: Option<String>,
}

impl MailArgs {
    fn mailer(&self) -> anyhow::Result<Option<crate::web::mail::Mailer>> {
        match (&self.smtp_url, &self.smtp_from) {
            (Some(url), Some(from)) => Ok(Some(
                crate::web::mail::Mailer::new(url, from).map_err(|e| anyhow::anyhow!(e))?,
            )),
            (Some(_), None) => anyhow::bail!("--smtp-url vraagt ook --smtp-from (de afzender)"),
            _ => Ok(None),
        }
    }
}

/// What the website takes in files.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// Het grootste bestand (in MB) dat de website aanneemt om metingen in te lezen; een
    /// groter bestand leest u in met `regiomonitor import observations`.
    #[arg(long, env = "REGIOMONITOR_MAX_UPLOAD_MB", default_value_t = crate::web::uploads::DEFAULT_MAX_UPLOAD_MB, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_upload_mb: u64,
}

fn parse_proxies(s: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse(s)
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Adres en poort om op te luisteren.
    #[arg(long, env = "REGIOMONITOR_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Het SQLite-bestand voor de demo; het wordt bij elke start opnieuw gemaakt.
    #[arg(long, default_value = "regiomonitor-demo.db")]
    pub file: std::path::PathBuf,
    #[command(flatten)]
    pub uploads: UploadArgs,
    #[command(flatten)]
    pub mail: MailArgs,
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let database = args.db.database;
    let store = Store::open(&database).await?;
    tracing::info!(%database, "database geopend");
    let no_admin = store.admin_count().await? == 0;
    let settings = WebSettings {
        secure_cookies: args.secure_cookies,
        trusted_proxies: TrustedProxies::merge(args.trusted_proxies),
        max_upload_mb: args.uploads.max_upload_mb,
        mailer: args.mail.mailer()?,
        ..WebSettings::default()
    };
    if let Some(m) = &settings.mailer {
        tracing::info!(server = %m.server, "herinneringen gaan via de mailserver");
    }
    let app = Application::with_settings(store, args.addr, settings).await?;
    announce(&app);
    if no_admin {
        eprintln!("\n{}\n", first_admin_hint(&database));
    }
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
    let counts = store
        .load_demo(&Actor::system("demogegevens", Channel::Import))
        .await?;
    eprintln!(
        "Demogegevens geladen in {}: {} gebieden, {} plannen, {} uitrolcellen, {} statuswijzigingen, {} mijlpalen, {} KPI's (met voorbeeldmetingen).",
        args.file.display(),
        counts.areas,
        counts.plans,
        counts.rollouts,
        counts.stage_changes,
        counts.milestones,
        counts.indicators
    );
    let no_admin = store.admin_count().await? == 0;
    let settings = WebSettings {
        max_upload_mb: args.uploads.max_upload_mb,
        mailer: args.mail.mailer()?,
        ..WebSettings::default()
    };
    if let Some(m) = &settings.mailer {
        tracing::info!(server = %m.server, "herinneringen gaan via de mailserver");
    }
    let app = Application::with_settings(store, args.addr, settings).await?;
    announce(&app);
    if no_admin {
        eprintln!(
            "\n{}\nDoe dat in een tweede terminal terwijl de demo draait; bij een nieuwe start van de demo begint de database opnieuw.\n",
            first_admin_hint(&url)
        );
    }
    app.run_until_stopped().await?;
    Ok(())
}

fn announce(app: &Application) {
    eprintln!(
        "regiomonitor draait op http://{}/  (stoppen met Ctrl+C)",
        app.addr()
    );
}

/// What `serve` and `demo` print while no active beheerder exists: without one nobody can
/// create accounts in the web application, so the way in is the command line.
pub fn first_admin_hint(database: &DatabaseUrl) -> String {
    let mut hint = format!(
        "Er is nog geen beheerder. Maak er een aan met:\n  regiomonitor user add --email naam@organisatie.nl --name \"Naam\" --role beheerder --database {}\n(het wachtwoord wordt gevraagd)",
        shell_word(&database.to_string())
    );
    let hides_password = url::Url::parse(database.expose()).is_ok_and(|u| u.password().is_some());
    if hides_password {
        hint.push_str("\nVervang *** door het wachtwoord van de database, of laat --database weg en zet REGIOMONITOR_DATABASE_URL.");
    }
    hint
}

/// A word as a POSIX shell reads it back unchanged: as it is when that is safe, else quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_beheerder_hint_gives_the_command_for_this_database() {
        let url = DatabaseUrl::parse("sqlite://regio.db").expect("valid");

        let hint = first_admin_hint(&url);

        assert!(hint.starts_with("Er is nog geen beheerder."), "{hint}");
        assert!(
            hint.contains("regiomonitor user add --email naam@organisatie.nl --name \"Naam\" --role beheerder --database sqlite://regio.db\n"),
            "{hint}"
        );
        assert!(hint.contains("(het wachtwoord wordt gevraagd)"), "{hint}");
    }

    #[test]
    fn the_first_beheerder_hint_never_shows_the_database_password() {
        let url = DatabaseUrl::parse("postgres://regio:geheim@db.example/regio?sslmode=require")
            .expect("valid");

        let hint = first_admin_hint(&url);

        assert!(!hint.contains("geheim"), "{hint}");
        assert!(
            hint.contains("--database 'postgres://regio:***@db.example/regio?sslmode=require'"),
            "{hint}"
        );
        assert!(hint.contains("Vervang ***"), "{hint}");
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("sqlite://a/b.db"), "sqlite://a/b.db");
        assert_eq!(shell_word("sqlite://mijn map.db"), "'sqlite://mijn map.db'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
