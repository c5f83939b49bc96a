//! Configuration: defaults, then `REGIOMONITOR_` environment variables, then flags (clap
//! reads both). Secrets in the database URL are never printed.

use std::fmt;
use std::net::SocketAddr;

/// A database URL: `sqlite://path`, `sqlite::memory:` or `postgres://user:pass@host/db`.
/// `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub const DEFAULT: &'static str = "sqlite://regiomonitor.db";

    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if value.starts_with("sqlite:")
            || value.starts_with("postgres://")
            || value.starts_with("postgresql://")
        {
            Ok(Self(value.to_owned()))
        } else {
            Err(format!(
                "onbekende database-URL; gebruik sqlite://pad/naar/bestand.db of postgres://gebruiker@host/database (gekregen: {})",
                redact(value)
            ))
        }
    }

    /// The URL with its password, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_sqlite(&self) -> bool {
        self.0.starts_with("sqlite:")
    }

    /// The file of a SQLite database (`sqlite://regio.db` → `regio.db`); `None` for
    /// PostgreSQL and an in-memory database.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let rest = self.0.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
    }
}

#[cfg(test)]
mod sqlite_file_tests {
    use super::DatabaseUrl;

    #[test]
    fn the_file_of_a_sqlite_url_is_its_path_without_options() {
        let file = |u: &str| DatabaseUrl::parse(u).expect("url").sqlite_file();
        assert_eq!(file("sqlite://regio.db"), Some("regio.db".into()));
        assert_eq!(
            file("sqlite:///tmp/a.db?mode=rwc"),
            Some("/tmp/a.db".into())
        );
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://u@h/db"), None);
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", redact(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// What `serve` needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseUrl,
    /// Where to listen; port 0 picks a free port (tests).
    pub addr: SocketAddr,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_in_a_database_url_is_never_printed() {
        let url = DatabaseUrl::parse("postgres://kernteam:geheim@db.example/regio").expect("valid");
        assert!(!format!("{url:?} {url}").contains("geheim"));
        assert_eq!(url.expose(), "postgres://kernteam:geheim@db.example/regio");
    }

    #[test]
    fn an_unknown_database_kind_is_refused() {
        let err = DatabaseUrl::parse("mysql://root@localhost/x").expect_err("unsupported");
        assert!(err.contains("sqlite://"), "{err}");
    }
}
