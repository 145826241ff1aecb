//! Sends one push: the message encrypted for the browser (RFC 8291),
//! signed with the instance's VAPID key (RFC 8292), POSTed to its
//! endpoint through a client that follows no redirect, gives up after
//! `WEB_PUSH_TIMEOUT_SECS`, reads at most [`MAX_ANSWER_BYTES`] of the
//! answer, and connects only where [`EndpointPolicy`] allows.

use std::{sync::Arc, time::Duration};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use web_push_native::{Auth, WebPushBuilder, p256::PublicKey};

use super::{
    endpoint::{CheckedResolver, EndpointPolicy},
    keys::VapidKeys,
    store::SubscriptionRow,
};

/// The most of a push service's answer read (for the log's detail).
pub const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// How long a push service keeps a push for a browser that is offline: a
/// reminder a day late is no use.
const TIME_TO_LIVE: Duration = Duration::from_secs(24 * 60 * 60);
/// The answer's text kept in the log, in characters.
const DETAIL_CHARS: usize = 200;

/// What became of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// The push service took it.
    Sent,
    /// The push service no longer knows the browser (404 or 410): its
    /// subscription is to be removed.
    Gone { status: u16 },
    /// Not sent, and why, in words for the delivery log.
    Failed(String),
}

/// Sends pushes for one instance.
#[derive(Clone)]
pub struct PushSender {
    client: reqwest::Client,
    keys: VapidKeys,
    policy: Arc<EndpointPolicy>,
    /// The VAPID `sub`: who push services may contact about these pushes.
    contact: String,
}

impl std::fmt::Debug for PushSender {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PushSender")
            .field("policy", &self.policy)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

impl PushSender {
    pub fn new(
        keys: VapidKeys,
        policy: EndpointPolicy,
        contact: String,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .dns_resolver(Arc::new(CheckedResolver(policy.clone())))
            .user_agent(concat!("Taskward/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            keys,
            policy,
            contact,
        })
    }

    pub fn keys(&self) -> &VapidKeys {
        &self.keys
    }

    pub fn policy(&self) -> &EndpointPolicy {
        &self.policy
    }

    /// Sends `message` to the browser of `subscription`.
    pub async fn send(&self, subscription: &SubscriptionRow, message: &[u8]) -> PushOutcome {
        // The endpoint is checked again: the rule may have changed since
        // it was stored. Its host's addresses are checked as the client
        // connects (CheckedResolver).
        let url = match self.policy.check(&subscription.endpoint) {
            Ok(url) => url,
            Err(refusal) => return PushOutcome::Failed(format!("Not sent: {refusal}")),
        };
        let request = match self.request(subscription, &url, message) {
            Some(request) => request,
            None => {
                return PushOutcome::Failed(
                    "Not sent: the browser's keys could not be read; subscribe it again.".into(),
                );
            }
        };
        let answer = match request.send().await {
            Ok(answer) => answer,
            Err(error) if error.is_timeout() => {
                return PushOutcome::Failed("The push service did not answer in time.".into());
            }
            Err(error) if error.is_connect() => {
                return PushOutcome::Failed(format!(
                    "Could not reach the push service ({}).",
                    connect_reason(&error)
                ));
            }
            Err(_) => return PushOutcome::Failed("The push service could not be reached.".into()),
        };
        let status = answer.status().as_u16();
        let text = read_some(answer).await;
        match status {
            200..=202 => PushOutcome::Sent,
            404 | 410 => PushOutcome::Gone { status },
            _ => {
                let said = text.trim();
                PushOutcome::Failed(if said.is_empty() {
                    format!("The push service answered {status}.")
                } else {
                    format!("The push service answered {status}: {said}")
                })
            }
        }
    }

    fn request(
        &self,
        subscription: &SubscriptionRow,
        url: &url::Url,
        message: &[u8],
    ) -> Option<reqwest::RequestBuilder> {
        let public = URL_SAFE_NO_PAD.decode(&subscription.p256dh).ok()?;
        let public = PublicKey::from_sec1_bytes(&public).ok()?;
        let auth = URL_SAFE_NO_PAD.decode(&subscription.auth).ok()?;
        if auth.len() != 16 {
            return None;
        }
        let auth = Auth::clone_from_slice(&auth);
        let built = WebPushBuilder::new(url.as_str().parse().ok()?, public, auth)
            .with_valid_duration(TIME_TO_LIVE)
            .with_vapid(self.keys.pair(), &self.contact)
            .build(message.to_vec())
            .ok()?;
        let (parts, body) = built.into_parts();
        Some(
            self.client
                .post(url.as_str())
                .headers(parts.headers)
                .header("Urgency", "high")
                .body(body),
        )
    }
}

/// Why a connection failed, without the address: the log is the user's.
/// The resolver's refusal is found in the error's sources, not its text.
fn connect_reason(error: &reqwest::Error) -> &'static str {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.downcast_ref::<super::endpoint::EndpointRefusal>()
            == Some(&super::endpoint::EndpointRefusal::Internal)
        {
            return "its address is internal";
        }
        source = cause.source();
    }
    "connection refused or no route"
}

/// Up to [`MAX_ANSWER_BYTES`] of an answer, as text for the log: a push
/// service cannot make the instance read (or keep) more.
async fn read_some(mut answer: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < MAX_ANSWER_BYTES {
        match answer.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(MAX_ANSWER_BYTES);
    String::from_utf8_lossy(&kept)
        .chars()
        .filter(|c| !c.is_control())
        .take(DETAIL_CHARS)
        .collect()
}
