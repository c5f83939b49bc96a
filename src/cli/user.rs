//! `user`: accounts from the command line. It is how the first beheerder comes to exist, and
//! the way back in when no beheerder can sign in any more.

use std::io::{BufRead, IsTerminal, Write};

use crate::auth::{hash_password, parse_email};
use crate::config::DatabaseUrl;
use crate::domain::{Channel, Role};
use crate::features::accounts::repo::{Account, NewUser};
use crate::store::{Actor, Store};

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Maak een account aan. Het wachtwoord wordt gevraagd, of gelezen als eerste regel van de standaardinvoer.
    Add(AddArgs),
    /// Toon alle accounts met hun rol, organisaties en status.
    List(super::DatabaseArgs),
    /// Schakel een account uit: aanmelden kan niet meer en lopende sessies en API-sleutels werken niet meer.
    Disable(EmailArgs),
    /// Schakel een uitgeschakeld account weer in.
    Enable(EmailArgs),
    /// Stel een nieuw wachtwoord in (gevraagd, of de eerste regel van de standaardinvoer); lopende sessies eindigen.
    SetPassword(EmailArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Het e-mailadres waarmee de gebruiker zich aanmeldt.
    #[arg(long, value_name = "E-MAILADRES")]
    pub email: String,
    /// De naam zoals anderen die in de historie zien.
    #[arg(long, value_name = "NAAM")]
    pub name: String,
    /// beheerder (alles), trekker (de plannen van de eigen organisaties) of lezer (alles lezen).
    #[arg(long, value_name = "ROL")]
    pub role: String,
    /// Code van een organisatie waarvoor een trekker plannen bijwerkt (zoals op de pagina Organisaties); herhaal de optie voor meer organisaties.
    #[arg(long = "organisation", value_name = "ORGANISATIE")]
    pub organisations: Vec<String>,
    #[command(flatten)]
    pub db: super::DatabaseArgs,
}

#[derive(Debug, clap::Args)]
pub struct EmailArgs {
    /// Het e-mailadres van het account.
    #[arg(long, value_name = "E-MAILADRES")]
    pub email: String,
    #[command(flatten)]
    pub db: super::DatabaseArgs,
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => add(args).await,
        UserCommand::List(db) => {
            let store = open_existing(&db.database).await?;
            let accounts = store.accounts().await?;
            if accounts.is_empty() {
                eprintln!("Er zijn nog geen accounts.");
            } else {
                print!("{}", table(&accounts));
            }
            Ok(())
        }
        UserCommand::Disable(args) => set_disabled(args, true).await,
        UserCommand::Enable(args) => set_disabled(args, false).await,
        UserCommand::SetPassword(args) => set_password(args).await,
    }
}

/// The database `serve` uses. Accounts belong in a database that holds a portfolio: a SQLite
/// file that does not exist is refused (opening it would make a new, empty one), with the
/// option to name the right one.
pub(super) async fn open_existing(url: &DatabaseUrl) -> anyhow::Result<Store> {
    if let Some(path) = url.sqlite_file()
        && !path.exists()
    {
        anyhow::bail!(
            "Er is geen database {}. Geef met --database dezelfde database als bij `regiomonitor serve` (of de demo), bijvoorbeeld --database sqlite://regio.db, of zet REGIOMONITOR_DATABASE_URL.",
            path.display()
        );
    }
    Ok(Store::open(url).await?)
}

/// Who the audit trail names for a change made here: the operating-system user, when known.
pub(super) fn actor() -> Actor {
    let name = match std::env::var("USER").or_else(|_| std::env::var("USERNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("opdrachtregel ({})", user.trim()),
        _ => "opdrachtregel".to_owned(),
    };
    Actor::system(name, Channel::Cli)
}

async fn add(args: AddArgs) -> anyhow::Result<()> {
    let email = parse_email(&args.email)?;
    let name = args.name.trim().to_owned();
    if name.is_empty() {
        anyhow::bail!("vul met --name de naam in zoals anderen die in de historie zien");
    }
    let role = Role::parse(&args.role)?;
    let organisations = organisations_for(role, &args.organisations)?;
    // Everything that can be checked without the password is checked before asking for it.
    let store = open_existing(&args.db.database).await?;
    let password = read_password("Wachtwoord: ")?;
    let password_hash = hash_password(&password)?;
    store
        .create_user(
            &actor(),
            &NewUser {
                email: email.clone(),
                name,
                role,
                password_hash,
                organisations,
            },
        )
        .await?;
    eprintln!("Account aangemaakt: {email} ({}).", role.code());
    Ok(())
}

/// The organisations a new account acts for: at least one for a trekker, none for the others
/// (their role does not depend on an organisation, so one given is a mistake worth naming).
fn organisations_for(role: Role, given: &[String]) -> anyhow::Result<Vec<String>> {
    let mut organisations: Vec<String> = given
        .iter()
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    organisations.sort();
    organisations.dedup();
    match role {
        Role::Lead if organisations.is_empty() => anyhow::bail!(
            "een trekker werkt plannen bij voor een organisatie; geef er minstens één op met --organisation (de code zoals op de pagina Organisaties)"
        ),
        Role::Lead => Ok(organisations),
        Role::Admin | Role::Reader if !organisations.is_empty() => anyhow::bail!(
            "--organisation geldt alleen voor een trekker; een {} heeft geen organisatie nodig",
            role.code()
        ),
        Role::Admin | Role::Reader => Ok(Vec::new()),
    }
}

async fn find(store: &Store, email: &str) -> anyhow::Result<Account> {
    let email = parse_email(email)?;
    store
        .account_by_email(&email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("er is geen account met het e-mailadres {email}"))
}

async fn set_disabled(args: EmailArgs, disabled: bool) -> anyhow::Result<()> {
    let store = open_existing(&args.db.database).await?;
    let account = find(&store, &args.email).await?;
    let state = if disabled { "uitgeschakeld" } else { "actief" };
    if account.disabled == disabled {
        eprintln!("Het account {} is al {state}.", account.email);
        return Ok(());
    }
    store
        .set_user_disabled(&actor(), account.id, None, disabled)
        .await?;
    eprintln!("Het account {} is nu {state}.", account.email);
    if disabled && store.admin_count().await? == 0 {
        eprintln!(
            "Let op: er is nu geen actieve beheerder meer. Schakel er een in met `regiomonitor user enable --email ...` of maak er een aan met `regiomonitor user add ... --role beheerder`."
        );
    }
    Ok(())
}

async fn set_password(args: EmailArgs) -> anyhow::Result<()> {
    let store = open_existing(&args.db.database).await?;
    let account = find(&store, &args.email).await?;
    let password = read_password("Nieuw wachtwoord: ")?;
    let password_hash = hash_password(&password)?;
    store
        .set_password(&actor(), account.id, &password_hash)
        .await?;
    eprintln!(
        "Het wachtwoord van {} is gewijzigd; lopende sessies zijn beëindigd.",
        account.email
    );
    Ok(())
}

/// The first line of standard input, without its line ending; at a terminal, asked for first.
/// (What is typed is visible: hiding it needs a terminal crate this project does not carry.)
fn read_password(prompt: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let mut stderr = std::io::stderr();
        write!(stderr, "{prompt}")?;
        stderr.flush()?;
    }
    let mut line = String::new();
    let read = stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| anyhow::anyhow!("kan het wachtwoord niet lezen: {e}"))?;
    if read == 0 {
        anyhow::bail!("geen wachtwoord ontvangen; geef het als eerste regel op de standaardinvoer");
    }
    Ok(password_line(&line).to_owned())
}

/// A line as typed, without the line ending (spaces stay, so the password check can name them).
fn password_line(line: &str) -> &str {
    line.strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line)
}

/// The accounts as an aligned table with a header, one line per account.
pub fn table(accounts: &[Account]) -> String {
    let header = ["e-mailadres", "naam", "rol", "organisaties", "status"].map(str::to_owned);
    let rows: Vec<[String; 5]> = accounts
        .iter()
        .map(|a| {
            [
                a.email.clone(),
                a.name.clone(),
                a.role.code().to_owned(),
                if a.organisations.is_empty() {
                    "-".to_owned()
                } else {
                    a.organisations.join(", ")
                },
                if a.disabled {
                    "uitgeschakeld"
                } else {
                    "actief"
                }
                .to_owned(),
            ]
        })
        .collect();
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(email: &str, role: Role, organisations: &[&str], disabled: bool) -> Account {
        Account {
            id: 1,
            email: email.to_owned(),
            name: "Anna de Vries".to_owned(),
            role,
            organisations: organisations.iter().map(|o| (*o).to_owned()).collect(),
            disabled,
            created_at: String::new(),
            version: 1,
        }
    }

    #[test]
    fn the_table_aligns_columns_under_a_dutch_header() {
        let accounts = [
            account("anna@regio.nl", Role::Admin, &[], false),
            account("t@x.nl", Role::Lead, &["sante", "unicum"], true),
        ];

        let table = table(&accounts);

        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "e-mailadres    naam           rol        organisaties   status",
                "anna@regio.nl  Anna de Vries  beheerder  -              actief",
                "t@x.nl         Anna de Vries  trekker    sante, unicum  uitgeschakeld",
            ]
        );
    }

    #[test]
    fn a_trekker_needs_an_organisation_and_the_others_take_none() {
        assert!(organisations_for(Role::Lead, &[]).is_err());
        assert_eq!(
            organisations_for(Role::Lead, &["unicum".into(), " unicum ".into()]).expect("valid"),
            ["unicum"]
        );
        assert!(
            organisations_for(Role::Admin, &[])
                .expect("valid")
                .is_empty()
        );
        let err = organisations_for(Role::Reader, &["unicum".into()]).expect_err("refused");
        assert!(err.to_string().contains("alleen voor een trekker"), "{err}");
    }

    #[test]
    fn only_the_line_ending_is_taken_off_a_password() {
        assert_eq!(password_line("geheim wachtwoord\r\n"), "geheim wachtwoord");
        assert_eq!(password_line("geheim wachtwoord\n"), "geheim wachtwoord");
        assert_eq!(password_line(" met spatie \n"), " met spatie ");
        assert_eq!(password_line("zonder einde"), "zonder einde");
    }
}
