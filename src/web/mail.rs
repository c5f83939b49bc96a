//! Sending e-mail through an SMTP server, when one is configured (`--smtp-url`). Nothing in
//! the product needs it: without it, a reminder is a prepared `mailto:` link.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one message may take before sending it counts as failed.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// An SMTP server and the address mail is sent from.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The server as shown to people: host and port, never the password.
    pub server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// From `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://...` (TLS from the
    /// start) or `smtp://host:25` (a relay on a trusted network, no TLS), and the sender
    /// address.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("--smtp-url: {e}"))?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") {
            return Err(
                "--smtp-url: begin met smtp:// of smtps://, bijvoorbeeld smtp://gebruiker:wachtwoord@mail.example.org:587?tls=required".into(),
            );
        }
        let server = format!(
            "{}:{}",
            parsed.host_str().unwrap_or_default(),
            parsed
                .port()
                .map_or_else(|| "standaardpoort".to_owned(), |p| p.to_string())
        );
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("--smtp-from: \"{from}\" is geen e-mailadres ({e})"))?;
        Ok(Self {
            transport,
            from,
            server,
        })
    }

    /// Sends one plain-text message to each address (so no one sees the others' addresses), in
    /// order; returns how many were sent and, when one failed, why (in Dutch): the rest was
    /// not tried.
    pub async fn send_each(
        &self,
        to: &[String],
        subject: &str,
        body: &str,
    ) -> (usize, Option<String>) {
        let mut sent = 0;
        for address in to {
            if let Err(e) = self.send_one(address, subject, body).await {
                return (sent, Some(e));
            }
            sent += 1;
        }
        (sent, None)
    }

    async fn send_one(&self, address: &str, subject: &str, body: &str) -> Result<(), String> {
        {
            let mailbox = address
                .parse::<Mailbox>()
                .map_err(|e| format!("\"{address}\" is geen e-mailadres: {e}"))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(mailbox)
                .subject(subject)
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_owned())
                .map_err(|e| format!("het bericht aan {address} kon niet worden gemaakt: {e}"))?;
            self.transport.send(message).await.map_err(|e| {
                format!(
                    "de mailserver {} nam het bericht aan {address} niet aan: {e}",
                    self.server
                )
            })?;
        }
        Ok(())
    }
}
