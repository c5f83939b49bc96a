//! Passwords, secrets and who may do what. No I/O except the operating system's randomness.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::domain::{ParseError, Role};

/// The shortest password we accept.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A signed-in account as requests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// For a trekker: the organisations they act for.
    pub organisations: Vec<String>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this account may change a plan led by `leads` (its rollouts included).
    pub fn may_edit_plan(&self, leads: &[String]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Lead => leads.iter().any(|l| self.organisations.contains(l)),
            Role::Reader => false,
        }
    }

    /// Whether this account may enter values and actions for a KPI whose plans are led, or
    /// which is owned, by `editors`: a beheerder, or a trekker acting for one of them.
    pub fn may_enter_for_kpi(&self, editors: &[String]) -> bool {
        self.may_edit_plan(editors)
    }
}

fn argon2() -> Argon2<'static> {
    // OWASP's second recommended Argon2id setting: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password and hashes it with Argon2id.
pub fn hash_password(password: &str) -> Result<String, ParseError> {
    check_password(password)?;
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| ParseError::new(format!("het wachtwoord kon niet worden versleuteld: {e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ParseError::new(format!("het wachtwoord kon niet worden versleuteld: {e}")))
}

/// Whether `password` matches a stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when an account does not exist, so that a sign-in for an unknown
/// address takes as long as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("geen-echt-wachtwoord-0000").unwrap_or_default())
}

/// The rules a password must meet, as a Dutch message.
pub fn check_password(password: &str) -> Result<(), ParseError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ParseError::new(format!(
            "het wachtwoord is te kort ({chars} tekens); kies er een van minstens {MIN_PASSWORD_CHARS} tekens"
        )));
    }
    if password.trim() != password {
        return Err(ParseError::new(
            "het wachtwoord begint of eindigt met een spatie; haal die weg",
        ));
    }
    Ok(())
}

/// Checks and normalises an e-mail address (trimmed, lower case).
pub fn parse_email(value: &str) -> Result<String, ParseError> {
    let email = value.trim().to_lowercase();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(ParseError::new(format!(
            "\"{}\" is geen e-mailadres; schrijf het als naam@organisatie.nl",
            value.trim()
        )))
    }
}

fn fill_random(buf: &mut [u8]) {
    // The operating system's generator does not fail on the systems we run on; if it ever
    // does, refusing to run is the only safe answer.
    #[allow(clippy::expect_used)]
    getrandom::fill(buf).expect("the operating system has no source of randomness");
}

/// A new random secret (256 bits), URL-safe, and the SHA-256 under which it is stored.
pub fn new_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let hash = secret_hash(&secret);
    (secret, hash)
}

/// A new random one-time id (128 bits), URL-safe: unguessable, short enough for a form field.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret (session cookie, API token).
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct paard batterij").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct paard batterij", &hash));
        assert!(!verify_password("correct paard batterij!", &hash));
        assert!(!verify_password("x", "geen hash"));
    }

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        let e = hash_password("kort").expect_err("too short");
        assert!(e.0.contains("minstens 12 tekens"), "{e}");
    }

    #[test]
    fn email_addresses_are_normalised_and_checked() {
        assert_eq!(
            parse_email(" Anna@Regio.NL ").expect("valid"),
            "anna@regio.nl"
        );
        for bad in ["anna", "anna@regio", "@regio.nl", "an na@regio.nl"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_are_random_and_stored_as_their_hash() {
        let (a, ha) = new_secret();
        let (b, _) = new_secret();
        assert_ne!(a, b);
        assert_eq!(ha, secret_hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
    }

    #[test]
    fn a_trekker_may_edit_only_plans_its_organisations_lead() {
        let user = User {
            id: 1,
            email: "t@x.nl".into(),
            name: "T".into(),
            role: Role::Lead,
            organisations: vec!["unicum".into()],
        };
        assert!(user.may_edit_plan(&["santé".into(), "unicum".into()]));
        assert!(!user.may_edit_plan(&["santé".into()]));
        let reader = User {
            role: Role::Reader,
            ..user.clone()
        };
        assert!(!reader.may_edit_plan(&["unicum".into()]));
        let admin = User {
            role: Role::Admin,
            organisations: vec![],
            ..user
        };
        assert!(admin.may_edit_plan(&[]));
    }
}
