//! Web Push: reminders shown by the browsers a user subscribed, even with
//! Taskward closed. A browser subscribes with the instance's VAPID public
//! key ([`keys`]) and hands over its push service's endpoint and its own
//! keys; a reminder is then encrypted for that browser (RFC 8291,
//! `aes128gcm`), signed with the instance's key (RFC 8292) and POSTed to
//! the endpoint ([`sender`]), which only [`endpoint::EndpointPolicy`]
//! lets through. A push service that answers 404 or 410 has forgotten the
//! browser: its subscription is removed.

pub mod endpoint;
pub mod keys;
pub mod sender;
pub mod store;

use base64::{
    Engine as _,
    engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD},
};

use crate::error::AppError;

/// Browsers one account may subscribe.
pub const MAX_SUBSCRIPTIONS_PER_USER: i64 = 20;
/// The longest name of a subscription, in characters.
pub const MAX_SUBSCRIPTION_NAME_CHARS: usize = 100;
/// The name of a subscription given none.
const UNNAMED: &str = "A browser";

/// A subscription as a browser's `PushSubscription` gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url without padding.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
    pub name: String,
}

/// Base64url, padded or not (browsers write it without).
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() > 200 {
        return None;
    }
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

impl NewSubscription {
    /// Checks what a browser sent: the endpoint by `policy` (its host
    /// resolved), `p256dh` a point on P-256 (65 bytes, uncompressed),
    /// `auth` 16 bytes, and a name of at most
    /// [`MAX_SUBSCRIPTION_NAME_CHARS`] characters on one line. Field
    /// names as the API's body nests them.
    pub async fn parse(
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        name: Option<&str>,
        policy: &endpoint::EndpointPolicy,
    ) -> Result<Self, AppError> {
        let url = policy
            .check_resolved(endpoint)
            .await
            .map_err(|refusal| AppError::Invalid(refusal.to_string()).in_field("endpoint"))?;
        let key = decode_base64url(p256dh)
            .filter(|bytes| bytes.len() == 65)
            .filter(|bytes| web_push_native::p256::PublicKey::from_sec1_bytes(bytes).is_ok())
            .ok_or_else(|| {
                AppError::Invalid(
                    "That is not a browser's push key: 65 bytes of a P-256 point, base64url."
                        .into(),
                )
                .in_field("keys/p256dh")
            })?;
        let secret = decode_base64url(auth)
            .filter(|bytes| bytes.len() == 16)
            .ok_or_else(|| {
                AppError::Invalid(
                    "That is not a browser's push secret: 16 bytes, base64url.".into(),
                )
                .in_field("keys/auth")
            })?;
        let name = name.map(str::trim).filter(|name| !name.is_empty());
        if let Some(name) = name {
            if name.chars().count() > MAX_SUBSCRIPTION_NAME_CHARS {
                return Err(AppError::Invalid(format!(
                    "A browser's name is at most {MAX_SUBSCRIPTION_NAME_CHARS} characters."
                ))
                .in_field("name"));
            }
            if name.chars().any(char::is_control) {
                return Err(
                    AppError::Invalid("A browser's name is one line of text.".into())
                        .in_field("name"),
                );
            }
        }
        Ok(Self {
            endpoint: url.to_string(),
            p256dh: URL_SAFE_NO_PAD.encode(key),
            auth: URL_SAFE_NO_PAD.encode(secret),
            name: name.unwrap_or(UNNAMED).to_owned(),
        })
    }
}

/// What a push carries, as the service worker (`public/sw.js`) reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// Where a click on the notification goes.
    pub url: String,
    /// A notification replaces an earlier one with the same tag.
    pub tag: String,
}

/// The longest message sent, in bytes: push services take 4 KiB of
/// encrypted payload, and the encryption adds a little.
pub const MAX_MESSAGE_BYTES: usize = 3_800;

impl PushMessage {
    /// The message as JSON, its title and body cut to fit
    /// [`MAX_MESSAGE_BYTES`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut message = self.clone();
        loop {
            let bytes = serde_json::to_vec(&message).unwrap_or_default();
            if bytes.len() <= MAX_MESSAGE_BYTES || message.title.is_empty() {
                return bytes;
            }
            let keep = message.title.chars().count() / 2;
            message.title = message.title.chars().take(keep).collect::<String>() + "…";
            if keep == 0 {
                message.title.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_title_is_cut_to_fit_a_push() {
        let message = PushMessage {
            title: "\u{1f600}".repeat(2_000),
            body: "Due today at 09:00".into(),
            url: "https://taskward.example/todos".into(),
            tag: "x".into(),
        };
        let bytes = message.to_bytes();
        assert!(bytes.len() <= MAX_MESSAGE_BYTES, "{}", bytes.len());
        let read: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert!(read["title"].as_str().unwrap().ends_with('…'));
        assert_eq!(read["body"], "Due today at 09:00");
    }
}
