//! The authorisation matrix: every write route (and every edit form) of `route_table()`
//! against every kind of user, through a session and through an API token. A route that is
//! not in the table below fails the test, so a new route cannot be forgotten.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Auth, Client, GEMEENTE, PASSWORD, PLAN, Persona, TestApp, set_field};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Anyone, signed in or not.
    Everyone,
    /// Only visitors who are not signed in (the sign-in form).
    AnonymousOnly,
    /// Any signed-in account (its own account and tokens).
    SignedIn,
    /// A beheerder, or a trekker of an organisation that leads the plan.
    PlanEditors,
    Admins,
}

impl Who {
    fn allows(self, persona: Persona) -> bool {
        match self {
            Who::Everyone => true,
            Who::AnonymousOnly => persona == Persona::Anonymous,
            Who::SignedIn => persona != Persona::Anonymous,
            Who::PlanEditors => matches!(persona, Persona::LeadOfPlan | Persona::Admin),
            Who::Admins => persona == Persona::Admin,
        }
    }
}

/// Every route that changes something or shows an edit form, and who may use it.
const RULES: &[(&str, &str, Who)] = &[
    ("POST", "/inloggen", Who::AnonymousOnly),
    ("POST", "/uitloggen", Who::Everyone),
    ("GET", "/account", Who::SignedIn),
    ("POST", "/account/wachtwoord", Who::SignedIn),
    ("POST", "/account/tokens", Who::SignedIn),
    ("POST", "/account/tokens/{id}/intrekken", Who::SignedIn),
    ("GET", "/beheer/gebruikers", Who::Admins),
    ("POST", "/beheer/gebruikers", Who::Admins),
    ("POST", "/beheer/gebruikers/{id}/status", Who::Admins),
    ("POST", "/beheer/gebruikers/{id}/wachtwoord", Who::Admins),
    ("GET", "/beheer/gebruikers/{id}/bewerken", Who::Admins),
    ("POST", "/beheer/gebruikers/{id}/bewerken", Who::Admins),
    ("GET", "/plannen/nieuw", Who::Admins),
    ("POST", "/plannen", Who::Admins),
    ("GET", "/plannen/{id}/bewerken", Who::PlanEditors),
    ("POST", "/plannen/{id}/bewerken", Who::PlanEditors),
    ("POST", "/plannen/{id}/archief", Who::Admins),
    ("GET", "/plannen/{id}/uitrol/{gemeente}", Who::PlanEditors),
    ("POST", "/plannen/{id}/uitrol/{gemeente}", Who::PlanEditors),
    ("POST", "/plannen/{id}/uitrol-reeks", Who::PlanEditors),
    ("GET", "/organisaties/nieuw", Who::Admins),
    ("POST", "/organisaties", Who::Admins),
    ("GET", "/organisaties/{id}/bewerken", Who::Admins),
    ("POST", "/organisaties/{id}/bewerken", Who::Admins),
    ("GET", "/kader/nieuw", Who::Admins),
    ("POST", "/kader", Who::Admins),
    ("GET", "/kader/{id}/bewerken", Who::Admins),
    ("POST", "/kader/{id}/bewerken", Who::Admins),
    ("POST", "/gemeenten/{code}/wijken", Who::Admins),
    ("GET", "/gebieden/{id}/bewerken", Who::Admins),
    ("POST", "/gebieden/{id}/bewerken", Who::Admins),
    ("POST", "/api/v1/plans", Who::Admins),
    ("PUT", "/api/v1/plans/{id}", Who::PlanEditors),
    (
        "PUT",
        "/api/v1/plans/{id}/rollouts/{gemeente}",
        Who::PlanEditors,
    ),
    // Monitoring: values and actions of a KPI belong to the trekkers of its plans (and the
    // beheerder); uploading a file for its preview is for any account, each line is then
    // checked against the account's rights.
    ("GET", "/indicatoren/nieuw", Who::Admins),
    ("POST", "/indicatoren", Who::Admins),
    ("GET", "/indicatoren/{id}/bewerken", Who::Admins),
    ("POST", "/indicatoren/{id}/bewerken", Who::Admins),
    ("GET", "/indicatoren/{id}/metingen/nieuw", Who::PlanEditors),
    ("POST", "/indicatoren/{id}/metingen", Who::PlanEditors),
    ("GET", "/indicatoren/{id}/acties/nieuw", Who::PlanEditors),
    ("POST", "/indicatoren/{id}/acties", Who::PlanEditors),
    ("POST", "/acties/{id}/bewerken", Who::PlanEditors),
    ("POST", "/acties/{id}/escaleren", Who::PlanEditors),
    ("POST", "/metingen/importeren", Who::SignedIn),
    ("POST", "/metingen/importeren/bevestigen", Who::SignedIn),
    ("POST", "/metingen/importeren/annuleren", Who::SignedIn),
    (
        "POST",
        "/api/v1/indicators/{id}/observations",
        Who::PlanEditors,
    ),
    // The quarterly cycle: a beheerder opens, reviews, closes and publishes rounds; a
    // trekker writes the update of a plan their organisation leads.
    ("POST", "/rondes", Who::Admins),
    ("POST", "/rondes/{period}/bewerken", Who::Admins),
    ("POST", "/rondes/{period}/sluiten", Who::Admins),
    ("POST", "/rondes/{period}/openbaar", Who::Admins),
    ("POST", "/rondes/{period}/correcties", Who::Admins),
    ("POST", "/rondes/{period}/herinnering", Who::Admins),
    ("POST", "/rondes/{period}/plannen/{plan}", Who::PlanEditors),
    (
        "POST",
        "/rondes/{period}/plannen/{plan}/beoordeling",
        Who::Admins,
    ),
    // Governance: a beheerder plans meetings and keeps their agenda and verslag.
    ("POST", "/overleggen/{id}/vergaderingen", Who::Admins),
    ("POST", "/vergaderingen/{id}/bewerken", Who::Admins),
    ("POST", "/vergaderingen/{id}/agendapunten", Who::Admins),
    ("POST", "/vergaderingen/{id}/aanwezigen", Who::Admins),
    ("POST", "/vergaderingen/{id}/annuleren", Who::Admins),
    // A trekker records outcomes of items about plans their organisations lead; item 9 of the
    // demo's BBO is about no plan.
    ("POST", "/vergaderingen/{id}/uitkomsten", Who::Admins),
    // The werkagenda and money: the same rules as the plan.
    ("GET", "/plannen/{id}/mijlpalen/nieuw", Who::PlanEditors),
    ("POST", "/plannen/{id}/mijlpalen", Who::PlanEditors),
    ("POST", "/mijlpalen/{id}/bewerken", Who::PlanEditors),
    ("GET", "/plannen/{id}/budgetten/nieuw", Who::PlanEditors),
    ("POST", "/plannen/{id}/budgetten", Who::PlanEditors),
    ("POST", "/budgetten/{id}/bewerken", Who::PlanEditors),
    ("GET", "/plannen/{id}/capaciteit/{jaar}", Who::PlanEditors),
    ("POST", "/plannen/{id}/capaciteit/{jaar}", Who::PlanEditors),
];

/// The year of the matrix's capacity form.
const CAPACITY_YEAR: &str = "2027";

/// The demo's open round, which covers PLAN.
const ROUND: &str = "2025-Q4";

/// The demo's BBO of 9 October 2025.
const MEETING: &str = "bbo-zou-2025-10-09";

/// The KPI whose values the trekker of UNICUM (who leads MTVP) may enter.
const KPI: &str = "mtvp-consultduur";

/// Routes the matrix must cover: every unsafe method, and the GET edit forms.
fn guarded(method: &Method, path: &str) -> bool {
    method != Method::GET
        || path.ends_with("/bewerken")
        || path.ends_with("/nieuw")
        || path.ends_with("/uitrol/{gemeente}")
        || path.ends_with("/capaciteit/{jaar}")
        || path.starts_with("/beheer/")
        || path == "/account"
}

#[test]
fn every_write_route_and_edit_form_has_an_expectation() {
    let routes: BTreeSet<(String, String)> = regiomonitor::web::route_table()
        .into_iter()
        .filter(|(m, p)| guarded(m, p))
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    let rules: BTreeSet<(String, String)> = RULES
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();

    let missing: Vec<_> = routes.difference(&rules).collect();
    let stale: Vec<_> = rules.difference(&routes).collect();

    assert!(
        missing.is_empty(),
        "routes without an entry in the authorisation matrix (add who may use them to RULES): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "entries in the authorisation matrix for routes that no longer exist: {stale:?}"
    );
}

/// How the signed-in personas identify themselves in one run of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    Session,
    Token,
}

/// The account whose status and password the beheerder routes change.
const TARGET: &str = "doelwit@example.nl";
/// A demo organisation (UNICUM Huisartsenzorg), for the organisation edit form.
const ORGANISATION: &str = "unicum";
/// A demo transformation of the framework, for the framework edit form.
const ITEM: &str = "t5-zorg-dichtbij";
/// The form on an edit page (its action ends with `/bewerken`).
const EDIT_FORM: &str = "form[action$='/bewerken']";

struct Fixture {
    app: TestApp,
    /// One live API token per signed-in persona: (persona, token id, secret).
    tokens: Vec<(Persona, i64, String)>,
    target: i64,
    /// A follow-up action of [`KPI`].
    action: i64,
    /// A milestone and a budget line of PLAN.
    milestone: i64,
    budget: i64,
}

async fn fixture() -> Fixture {
    let app = TestApp::with_people().await;
    let action = app
        .store
        .create_action(
            &regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Cli),
            &regiomonitor::store::Reason::default(),
            KPI,
            &regiomonitor::features::actions::model::ActionFields {
                area_id: Some(GEMEENTE.to_owned()),
                title: "Matrixactie".into(),
                description: None,
                owner: Some("trekker MTVP".into()),
                plan_id: None,
                owner_organisation_id: None,
                deadline: Some(jiff::civil::date(2027, 3, 31)),
                status: regiomonitor::domain::ActionStatus::Open,
            },
            None,
        )
        .await
        .expect("action");
    let target = app
        .add_user(
            TARGET,
            "Doel Wit",
            regiomonitor::domain::Role::Reader,
            vec![],
        )
        .await;
    let mut tokens = Vec::new();
    for persona in Persona::ALL {
        if persona == Persona::Anonymous {
            continue;
        }
        let user = app
            .store
            .credentials(persona.email())
            .await
            .expect("credentials")
            .expect("account")
            .user;
        let secret = format!("rm_{}", regiomonitor::auth::new_secret().0);
        let id = app
            .store
            .create_token(
                &regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Cli),
                &user,
                "matrix",
                &regiomonitor::auth::secret_hash(&secret),
                &secret[..8],
                regiomonitor::store::now_unix(),
            )
            .await
            .expect("token");
        tokens.push((persona, id, secret));
    }
    let detail = app
        .store
        .plan_details(&regiomonitor::features::plans::model::PlanFilter {
            plan: Some(PLAN.to_owned()),
            ..Default::default()
        })
        .await
        .expect("plan")
        .pop()
        .expect("plan");
    Fixture {
        app,
        tokens,
        target,
        action,
        milestone: detail
            .milestones
            .first()
            .expect("a milestone of the plan")
            .id,
        budget: detail.budgets.first().expect("a budget of the plan").id,
    }
}

impl Fixture {
    fn token(&self, persona: Persona) -> &(Persona, i64, String) {
        let persona = if persona == Persona::Anonymous {
            Persona::Reader
        } else {
            persona
        };
        self.tokens
            .iter()
            .find(|(p, _, _)| *p == persona)
            .expect("token")
    }

    async fn client(&self, persona: Persona, door: Door) -> Client {
        match (persona, door) {
            (Persona::Anonymous, _) => self.app.anonymous(),
            (p, Door::Session) => self.app.session_for(self.app.user_id(p).await).await,
            (p, Door::Token) => self.app.bearer(&self.token(p).2),
        }
    }

    /// The path with its parameters filled in for this persona.
    fn path(&self, pattern: &str, persona: Persona) -> String {
        let id = if pattern.starts_with("/account/tokens/") {
            self.token(persona).1.to_string()
        } else if pattern.starts_with("/beheer/gebruikers/") {
            self.target.to_string()
        } else if pattern.starts_with("/organisaties/") {
            ORGANISATION.to_owned()
        } else if pattern.starts_with("/kader/") {
            ITEM.to_owned()
        } else if pattern.starts_with("/indicatoren/") || pattern.starts_with("/api/v1/indicators/")
        {
            KPI.to_owned()
        } else if pattern.starts_with("/acties/") {
            self.action.to_string()
        } else if pattern.starts_with("/mijlpalen/") {
            self.milestone.to_string()
        } else if pattern.starts_with("/budgetten/") {
            self.budget.to_string()
        } else if pattern.starts_with("/overleggen/") {
            "bbo-zou".to_owned()
        } else if pattern.starts_with("/vergaderingen/") {
            MEETING.to_owned()
        } else if pattern.starts_with("/gebieden/") {
            // Gemeenten are areas with their CBS code as id.
            GEMEENTE.to_owned()
        } else {
            PLAN.to_owned()
        };
        pattern
            .replace("{period}", ROUND)
            .replace("{plan}", PLAN)
            .replace("{id}", &id)
            .replace("{gemeente}", GEMEENTE)
            .replace("{code}", GEMEENTE)
            .replace("{jaar}", CAPACITY_YEAR)
    }

    /// The edit form at `path` as the beheerder sees it (with its version), with `field`
    /// set to `value`, as someone who may edit would post it.
    async fn edited_form(&self, path: &str, field: &str, value: &str) -> Vec<(String, String)> {
        let admin = self
            .app
            .session_for(self.app.user_id(Persona::Admin).await)
            .await;
        let form = admin.get(path).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let mut fields = form.form_values(EDIT_FORM);
        assert!(
            fields.iter().any(|(n, _)| n == "version"),
            "the edit form at {path} carries its version: {fields:?}"
        );
        set_field(&mut fields, field, value);
        fields
    }

    async fn plan_version(&self) -> i64 {
        self.app
            .store
            .stored_plan(PLAN)
            .await
            .expect("plan")
            .expect("exists")
            .version
    }

    async fn action_version(&self) -> i64 {
        self.app
            .store
            .action(self.action)
            .await
            .expect("action")
            .expect("exists")
            .version
    }

    async fn meeting_version(&self) -> String {
        self.app
            .store
            .meeting(MEETING)
            .await
            .expect("meeting")
            .expect("exists")
            .version
            .to_string()
    }

    async fn round_version(&self) -> i64 {
        self.app
            .store
            .round(ROUND)
            .await
            .expect("round")
            .expect("exists")
            .version
    }

    /// The version of PLAN's update in the round (0: none yet).
    async fn update_version(&self) -> i64 {
        self.app
            .store
            .plan_update(ROUND, PLAN)
            .await
            .expect("update")
            .map_or(0, |u| u.version)
    }

    async fn rollout_version(&self) -> i64 {
        self.app
            .store
            .rollout_version(PLAN, GEMEENTE)
            .await
            .expect("version")
    }

    /// A minimal valid request of this route by this client.
    async fn attempt(
        &self,
        method: &str,
        pattern: &str,
        persona: Persona,
        client: &Client,
        round: usize,
    ) -> crate::helpers::Page {
        let path = self.path(pattern, persona);
        let no_fields: [(&str, &str); 0] = [];
        match (method, pattern) {
            (_, "/inloggen") if matches!(client.auth, Auth::Anonymous) => {
                self.app.try_login(TARGET, PASSWORD, None).await
            }
            (_, "/inloggen") => {
                client
                    .post_form(&path, [("email", TARGET), ("password", PASSWORD)])
                    .await
            }
            ("GET", _) => client.get(&path).await,
            (_, "/uitloggen") | (_, "/account/tokens/{id}/intrekken") => {
                client.post_form(&path, no_fields).await
            }
            (_, "/account/wachtwoord") => {
                client
                    .post_form(
                        &path,
                        [
                            ("current", "niet-het-goede-wachtwoord"),
                            ("new", "een-heel-nieuw-wachtwoord"),
                            ("repeat", "een-heel-nieuw-wachtwoord"),
                        ],
                    )
                    .await
            }
            (_, "/account/tokens") => client.post_form(&path, [("name", "matrix")]).await,
            (_, "/beheer/gebruikers") => {
                let email = format!("nieuw{round}@example.nl");
                client
                    .post_form(
                        &path,
                        [
                            ("email", email.as_str()),
                            ("name", "Nieuwe Lezer"),
                            ("role", "lezer"),
                            ("password", PASSWORD),
                        ],
                    )
                    .await
            }
            (_, "/beheer/gebruikers/{id}/status") => {
                client.post_form(&path, [("disabled", "1")]).await
            }
            (_, "/beheer/gebruikers/{id}/bewerken") => {
                let fields = self.edited_form(&path, "role", "lezer").await;
                client.post_form(&path, fields).await
            }
            (_, "/beheer/gebruikers/{id}/wachtwoord") => {
                client
                    .post_form(&path, [("password", "een-ander-lang-wachtwoord")])
                    .await
            }
            (_, "/plannen") => {
                let name = format!("Matrixplan {round}");
                client
                    .post_form(
                        &path,
                        [
                            ("name", name.as_str()),
                            ("kind", "project"),
                            ("area", "zuidoost-utrecht"),
                        ],
                    )
                    .await
            }
            (_, "/plannen/{id}/bewerken") => {
                // The form as the plan's editor sees it, with one field changed.
                let fields = self
                    .edited_form(&path, "about", &format!("Bijgewerkt in ronde {round}."))
                    .await;
                client.post_form(&path, fields).await
            }
            (_, "/plannen/{id}/archief") => {
                let version = self.plan_version().await.to_string();
                client
                    .post_form(&path, [("version", version.as_str()), ("archived", "1")])
                    .await
            }
            (_, "/plannen/{id}/uitrol/{gemeente}") => {
                let version = self.rollout_version().await.to_string();
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("status", "loopt"),
                            ("date", "2025-10-01"),
                        ],
                    )
                    .await
            }
            (_, "/organisaties") => {
                let name = format!("Matrixorganisatie {round}");
                client
                    .post_form(&path, [("name", name.as_str()), ("kind", "zorgaanbieder")])
                    .await
            }
            (_, "/organisaties/{id}/bewerken") => {
                let fields = self
                    .edited_form(&path, "name", &format!("UNICUM ronde {round}"))
                    .await;
                client.post_form(&path, fields).await
            }
            (_, "/kader") => {
                let name = format!("Matrixopgave {round}");
                client
                    .post_form(&path, [("kind", "opgave"), ("name", name.as_str())])
                    .await
            }
            (_, "/kader/{id}/bewerken") => {
                let fields = self
                    .edited_form(
                        &path,
                        "description",
                        &format!("Bijgewerkt in ronde {round}."),
                    )
                    .await;
                client.post_form(&path, fields).await
            }
            (_, "/gemeenten/{code}/wijken") => {
                let name = format!("Matrixwijk {round}");
                client.post_form(&path, [("name", name.as_str())]).await
            }
            (_, "/gebieden/{id}/bewerken") => {
                let fields = self
                    .edited_form(&path, "name", &format!("Zeist ronde {round}"))
                    .await;
                client.post_form(&path, fields).await
            }
            ("POST", "/api/v1/plans") => {
                client
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({
                            "name": format!("API-plan {round}"),
                            "kind": "project",
                            "area_id": "zuidoost-utrecht",
                        }),
                    )
                    .await
            }
            ("PUT", "/api/v1/plans/{id}") => {
                client
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({
                            "version": self.plan_version().await,
                            "name": "Versterken eerstelijn",
                            "kind": "project",
                            "area_id": "zuidoost-utrecht",
                            "leads": ["unicum"],
                        }),
                    )
                    .await
            }
            ("PUT", "/api/v1/plans/{id}/rollouts/{gemeente}") => {
                client
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({
                            "version": self.rollout_version().await,
                            "status": "loopt",
                            "date": "2025-10-01",
                        }),
                    )
                    .await
            }
            (_, "/indicatoren") => {
                let name = format!("Matrix-KPI {round}");
                client
                    .post_form(
                        &path,
                        [
                            ("name", name.as_str()),
                            ("kind", "resultaat"),
                            ("measure", "kwantitatief"),
                            ("direction", "hoger"),
                            ("frequency", "jaar"),
                            ("area_level", "regio"),
                        ],
                    )
                    .await
            }
            (_, "/indicatoren/{id}/bewerken") => {
                let fields = self
                    .edited_form(
                        &path,
                        "description",
                        &format!("Bijgewerkt in ronde {round}."),
                    )
                    .await;
                client.post_form(&path, fields).await
            }
            (_, "/indicatoren/{id}/metingen") => {
                let period = format!("{}-Q1", 2030 + round);
                client
                    .post_form(
                        &path,
                        [
                            ("version", "0"),
                            ("area", GEMEENTE),
                            ("period", period.as_str()),
                            ("value", "14"),
                        ],
                    )
                    .await
            }
            (_, "/indicatoren/{id}/acties") => {
                client
                    .post_form(
                        &path,
                        [
                            ("title", "Versnellingssessie"),
                            ("owner", "trekker MTVP"),
                            ("deadline", "2027-06-30"),
                            ("area", GEMEENTE),
                            ("status", "open"),
                        ],
                    )
                    .await
            }
            (_, "/acties/{id}/bewerken") => {
                let version = self.action_version().await.to_string();
                let title = format!("Matrixactie ronde {round}");
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("title", title.as_str()),
                            ("owner", "trekker MTVP"),
                            ("deadline", "2027-03-31"),
                            ("status", "bezig"),
                        ],
                    )
                    .await
            }
            (_, "/plannen/{id}/mijlpalen") => {
                let title = format!("Matrixmijlpaal {round}");
                client
                    .post_form(
                        &path,
                        [("title", title.as_str()), ("period", "najaar 2027")],
                    )
                    .await
            }
            (_, "/mijlpalen/{id}/bewerken") => {
                // The form is on the milestone's page.
                let fields = self
                    .edited_form(
                        path.trim_end_matches("/bewerken"),
                        "note",
                        &format!("Bijgewerkt in ronde {round}."),
                    )
                    .await;
                client.post_form(&path, fields).await
            }
            (_, "/plannen/{id}/budgetten") => {
                let year = (2030 + round).to_string();
                client
                    .post_form(
                        &path,
                        [
                            ("funding_source", "spuk-iza"),
                            ("year", year.as_str()),
                            ("state", "aangevraagd"),
                            ("requested", "125.000"),
                        ],
                    )
                    .await
            }
            (_, "/budgetten/{id}/bewerken") => {
                // The form is on the budget's page.
                let fields = self
                    .edited_form(
                        path.trim_end_matches("/bewerken"),
                        "note",
                        &format!("Bijgewerkt in ronde {round}."),
                    )
                    .await;
                client.post_form(&path, fields).await
            }
            ("POST", "/plannen/{id}/capaciteit/{jaar}") => {
                let version = self
                    .app
                    .store
                    .capacities()
                    .await
                    .expect("capacities")
                    .into_iter()
                    .find(|c| c.plan_id == PLAN && c.year.to_string() == CAPACITY_YEAR)
                    .map_or(0, |c| c.version)
                    .to_string();
                let note = format!("Ronde {round}");
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("amount", "1,5"),
                            ("unit", "fte"),
                            ("assessment", "krap"),
                            ("note", note.as_str()),
                        ],
                    )
                    .await
            }
            (_, "/acties/{id}/escaleren") => {
                let version = self.action_version().await.to_string();
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("to", "kernteam:"),
                            ("reason", "De werkgroep komt er niet uit."),
                        ],
                    )
                    .await
            }
            (_, "/metingen/importeren") => {
                let file = format!(
                    "indicator,gebied,periode,waarde\n{KPI},{GEMEENTE},{}-Q2,14\n",
                    2030 + round
                );
                client.upload(&path, "matrix.csv", &file).await
            }
            (_, "/metingen/importeren/bevestigen" | "/metingen/importeren/annuleren") => {
                // The confirmation and the cancel take the id of the sender's own checked
                // upload (a made-up one when the check gave none).
                let file = format!(
                    "indicator,gebied,periode,waarde\n{KPI},{GEMEENTE},{}-Q3,14\n",
                    2030 + round
                );
                let preview = client
                    .upload("/metingen/importeren", "matrix.csv", &file)
                    .await;
                let upload = preview
                    .value("form[action='/metingen/importeren/bevestigen'] input[name=upload]")
                    .unwrap_or_else(|| "AAAAAAAAAAAAAAAAAAAAAA".into());
                client.post_form(&path, [("upload", upload.as_str())]).await
            }
            ("POST", "/api/v1/indicators/{id}/observations") => {
                client
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({
                            "area_id": GEMEENTE,
                            "period": format!("{}-Q4", 2030 + round),
                            "value": 14.5,
                        }),
                    )
                    .await
            }
            ("POST", "/plannen/{id}/uitrol-reeks") => {
                let version = self
                    .app
                    .store
                    .rollout_version(PLAN, GEMEENTE)
                    .await
                    .expect("version")
                    .to_string();
                let date = format!("20{:02}", 30 + round);
                client
                    .post_form(
                        &path,
                        [
                            ("gemeenten", GEMEENTE),
                            (&format!("versie-{GEMEENTE}"), version.as_str()),
                            ("status", "loopt"),
                            ("date", date.as_str()),
                        ],
                    )
                    .await
            }
            (_, "/rondes") => {
                client
                    .post_form(&path, [("period", "2026-Q1"), ("deadline", "2026-04-15")])
                    .await
            }
            (_, "/rondes/{period}/bewerken") => {
                let version = self.round_version().await.to_string();
                client
                    .post_form(
                        &path,
                        [("version", version.as_str()), ("deadline", "2026-01-30")],
                    )
                    .await
            }
            (_, "/rondes/{period}/sluiten" | "/rondes/{period}/openbaar") => {
                let version = self.round_version().await.to_string();
                client
                    .post_form(&path, [("version", version.as_str()), ("confirm", "ja")])
                    .await
            }
            (_, "/rondes/{period}/herinnering") => client.post_form(&path, no_fields).await,
            (_, "/rondes/{period}/correcties") => {
                client.post_form(&path, [("text", "Een correctie.")]).await
            }
            (_, "/rondes/{period}/plannen/{plan}") => {
                let version = self.update_version().await.to_string();
                let done = format!("Gedaan in ronde {round}.");
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("done", done.as_str()),
                            ("actie", "concept"),
                        ],
                    )
                    .await
            }
            (_, "/rondes/{period}/plannen/{plan}/beoordeling") => {
                let version = self.update_version().await.to_string();
                client
                    .post_form(
                        &path,
                        [("version", version.as_str()), ("verdict", "geaccepteerd")],
                    )
                    .await
            }
            (_, "/overleggen/{id}/vergaderingen") => {
                client
                    .post_form(&path, [("day", "2026-05-07"), ("status", "concept-agenda")])
                    .await
            }
            (_, "/vergaderingen/{id}/bewerken") => {
                let version = self.meeting_version().await;
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("day", "2025-10-09"),
                            ("starts", "11:00"),
                            ("ends", "13:00"),
                            ("status", "verslag-concept"),
                        ],
                    )
                    .await
            }
            (_, "/vergaderingen/{id}/agendapunten") => {
                let version = self.meeting_version().await;
                client
                    .post_form(
                        &path,
                        [("version", version.as_str()), ("title", "Rondvraag")],
                    )
                    .await
            }
            (_, "/vergaderingen/{id}/annuleren") => {
                let version = self.meeting_version().await;
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("action", "afgelast"),
                            ("cancel_reason", "Te weinig agendapunten"),
                        ],
                    )
                    .await
            }
            (_, "/vergaderingen/{id}/aanwezigen") => {
                let version = self.meeting_version().await;
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("organisation", "unicum"),
                            ("role", "gastheer"),
                        ],
                    )
                    .await
            }
            (_, "/vergaderingen/{id}/uitkomsten") => {
                let version = self.meeting_version().await;
                client
                    .post_form(
                        &path,
                        [
                            ("version", version.as_str()),
                            ("number", "9"),
                            ("kind", "informatie"),
                            ("text", "Geen vragen."),
                        ],
                    )
                    .await
            }
            _ => panic!("the matrix does not know how to call {method} {pattern}"),
        }
    }
}

fn allowed(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection() || status == StatusCode::UNPROCESSABLE_ENTITY
}

async fn run_matrix(door: Door) {
    let mut failures = Vec::new();
    for (method, pattern, who) in RULES {
        // A fresh portfolio per route, so one persona's write cannot change the next one's
        // rights (a trekker emptying the leads, say).
        let f = fixture().await;
        for (round, persona) in Persona::ALL.into_iter().enumerate() {
            let client = f.client(persona, door).await;
            let before = f.app.snapshot().await;
            let answer = f.attempt(method, pattern, persona, &client, round).await;
            let expect_allowed = who.allows(persona);
            let what = format!(
                "{method} {pattern} as {persona:?} via {door:?}: {} {}",
                answer.status,
                answer.body.chars().take(300).collect::<String>()
            );
            if expect_allowed {
                if !allowed(answer.status) {
                    failures.push(format!("should be allowed: {what}"));
                }
                continue;
            }
            let refusal = if persona == Persona::Anonymous {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            if answer.status != refusal {
                failures.push(format!("should be refused with {refusal}: {what}"));
            }
            if pattern.starts_with("/api/") && answer.status == refusal {
                let expected = if refusal == StatusCode::UNAUTHORIZED {
                    "unauthorized"
                } else {
                    "forbidden"
                };
                if answer.json()["error"] != expected {
                    failures.push(format!("API refusal is not JSON {expected}: {what}"));
                }
            }
            let after = f.app.snapshot().await;
            if after != before {
                failures.push(format!(
                    "refused but changed something: {what}\nbefore {before:?}\nafter  {after:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn every_write_route_refuses_whoever_may_not_use_it_in_a_browser_session() {
    run_matrix(Door::Session).await;
}

#[tokio::test]
async fn every_write_route_refuses_whoever_may_not_use_it_with_an_api_token() {
    run_matrix(Door::Token).await;
}
