//! How this instance hands mail over: the SMTP relay `SMTP_URL` names
//! (lettre), or, without one, keeping it for `/dev/mail` (development) or
//! not at all (production: mail is off, and what needs it says so).

use std::{sync::Arc, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use tokio::sync::Notify;

use super::{DeliveryState, MAX_ERROR_CHARS, store::ClaimedMail};
use crate::config::{Environment, MailConfig};

/// Where mail goes.
pub enum Delivery {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Host and port, for the console and the log.
        relay: String,
    },
    Kept,
    Off,
}

/// The instance's mail sender: its delivery, its settings, and the bell
/// that wakes its worker when a mail is queued here.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    delivery: Delivery,
    from: Mailbox,
    settings: MailConfig,
    queued: Notify,
    measured: super::metrics::MailMetrics,
}

/// Why a relay URL cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("SMTP_URL is not a relay URL lettre can use ({0}); see docs/operating.md, Outbound mail")]
pub struct BadRelayUrl(String);

/// What became of handing one mail to the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    Accepted,
    /// Worth trying again: a 4xx answer, no answer in time, no connection.
    Temporary(String),
    /// A 5xx answer, or a mail that cannot be written.
    Permanent(String),
}

impl Mailer {
    /// The mailer `settings` describe in `environment`.
    pub fn new(settings: &MailConfig, environment: Environment) -> Result<Self, BadRelayUrl> {
        use secrecy::ExposeSecret;
        let delivery = match &settings.smtp_url {
            Some(url) => {
                let url = url.expose_secret();
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|error| BadRelayUrl(error.to_string()))?
                    .timeout(Some(settings.send_timeout))
                    .build();
                Delivery::Smtp {
                    transport,
                    relay: relay_of(url),
                }
            }
            None if environment == Environment::Production => Delivery::Off,
            None => Delivery::Kept,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                delivery,
                from: settings.from.clone(),
                settings: settings.clone(),
                queued: Notify::new(),
                measured: super::metrics::MailMetrics::default(),
            }),
        })
    }

    /// The mail component's figures, for `/metrics`.
    pub fn metrics(&self) -> &super::metrics::MailMetrics {
        &self.inner.measured
    }

    pub fn delivery(&self) -> &Delivery {
        &self.inner.delivery
    }

    pub fn settings(&self) -> &MailConfig {
        &self.inner.settings
    }

    /// Whether mail can reach anyone (a relay, or `/dev/mail`).
    pub fn can_send(&self) -> bool {
        !matches!(self.inner.delivery, Delivery::Off)
    }

    pub fn state(&self) -> DeliveryState {
        match &self.inner.delivery {
            Delivery::Smtp { relay, .. } => DeliveryState::Smtp {
                relay: relay.clone(),
            },
            Delivery::Kept => DeliveryState::Kept,
            Delivery::Off => DeliveryState::Off,
        }
    }

    /// Connects to the relay and greets it (EHLO, then NOOP), sending no
    /// mail, within the send timeout: `Ok(Some(relay))` when it answers,
    /// `Ok(None)` without a relay, `Err` with why not.
    pub async fn reach_relay(&self) -> Result<Option<String>, String> {
        let Delivery::Smtp { transport, relay } = &self.inner.delivery else {
            return Ok(None);
        };
        let timeout = self.inner.settings.send_timeout;
        match tokio::time::timeout(timeout, transport.test_connection()).await {
            Ok(Ok(true)) => Ok(Some(relay.clone())),
            Ok(Ok(false)) => Err(format!("{relay} did not answer NOOP")),
            Ok(Err(error)) => Err(format!("{relay}: {error}")),
            Err(_) => Err(format!("{relay} did not answer within {timeout:?}")),
        }
    }

    /// Tells this instance's worker a mail was queued (others find it on
    /// their next poll).
    pub fn wake(&self) {
        self.inner.queued.notify_one();
    }

    pub(super) async fn queued(&self) {
        self.inner.queued.notified().await;
    }

    /// Hands `mail` to the relay, within the send timeout.
    pub(super) async fn hand_over(
        &self,
        transport: &AsyncSmtpTransport<Tokio1Executor>,
        mail: &ClaimedMail,
    ) -> Handover {
        let to: Mailbox = match mail.recipient.parse() {
            Ok(to) => to,
            Err(_) => {
                return Handover::Permanent("the address cannot be written into a mail".into());
            }
        };
        let message = Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ));
        let message = match message {
            Ok(message) => message,
            Err(error) => {
                return Handover::Permanent(bounded(&format!(
                    "the mail cannot be written: {error}"
                )));
            }
        };
        let timeout = self.inner.settings.send_timeout;
        match tokio::time::timeout(timeout + Duration::from_secs(1), transport.send(message)).await
        {
            Ok(Ok(_)) => Handover::Accepted,
            Ok(Err(error)) if error.is_permanent() => {
                Handover::Permanent(bounded(&error.to_string()))
            }
            Ok(Err(error)) => Handover::Temporary(bounded(&error.to_string())),
            Err(_) => Handover::Temporary(format!(
                "the relay did not answer within {} seconds",
                timeout.as_secs()
            )),
        }
    }
}

/// `error` cut to what the outbox keeps.
fn bounded(error: &str) -> String {
    let mut chars = error.chars();
    let kept: String = chars.by_ref().take(MAX_ERROR_CHARS).collect();
    if chars.next().is_some() {
        format!("{kept}…")
    } else {
        kept
    }
}

/// The relay's host and port from its URL, without user or password.
fn relay_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    host.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_shown_never_holds_the_credentials() {
        assert_eq!(
            relay_of("smtps://user:p%40ss@smtp.example.com:465"),
            "smtp.example.com:465"
        );
        assert_eq!(
            relay_of("smtp://me:pw@relay.local?tls=required"),
            "relay.local"
        );
        assert_eq!(relay_of("smtp://127.0.0.1:2525"), "127.0.0.1:2525");
        assert_eq!(relay_of("smtp://a@b@c:25/x"), "c:25");
    }

    #[test]
    fn long_errors_are_cut_at_the_limit() {
        let long = "x".repeat(MAX_ERROR_CHARS * 2);
        assert_eq!(bounded(&long).chars().count(), MAX_ERROR_CHARS + 1);
        assert_eq!(bounded("short"), "short");
    }
}
