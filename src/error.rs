//! The application's one error type, shared by the server and the browser.
//!
//! Each variant is an outcome a person can act on, with a message fit to
//! show them and an HTTP status. Causes (database errors and the like) are
//! logged on the server by [`AppError::internal`] and never leave it: the
//! browser only ever sees the variant and its message.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", try_from = "WireError")]
pub enum AppError {
    /// The input was wrong; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// As `Invalid`, naming the input at fault (e.g. `email`), so a form
    /// or an API client can point at it.
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// One message for an unknown email and a wrong password alike.
    #[error("Invalid email or password.")]
    InvalidCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// The password was right but an administrator disabled the account;
    /// the message says until when and why.
    #[error("{0}")]
    AccountDisabled(String),
    /// The instance takes no sign-ups like this one (closed, by
    /// invitation only, or not this email domain); the message says why.
    #[error("{0}")]
    SignupClosed(String),
    /// The invitation used cannot be used (unknown, used up, expired,
    /// revoked, or for another address); the message says which.
    #[error("{0}")]
    InviteInvalid(String),
    /// The instance requires a confirmed address before todos are used,
    /// and this account's is not confirmed yet.
    #[error(
        "Confirm your email address first: follow the link we mailed you (your account page \
         sends a new one)."
    )]
    EmailUnverified,
    /// The instance requires a second factor of accounts like this one,
    /// and this one has none yet: only setting one up (and signing out)
    /// is open to it.
    #[error(
        "This Taskward asks for two-step sign-in on your account: set it up on your security \
         page (Account, then Security) before anything else."
    )]
    SecondFactorRequired,
    /// The code of a sign-in's second step is wrong, or was used already.
    #[error(
        "That code is not right, or it was used already. Enter the newest code from your \
         authenticator app, or one of your recovery codes."
    )]
    InvalidSecondFactor,
    /// The sign-in's second step is unknown, expired or already done.
    #[error("This sign-in has expired or was finished already. Sign in again with your password.")]
    SignInStepExpired,
    /// A passkey's answer did not check out: not a passkey of this
    /// instance (or of this account), or its signature or challenge is
    /// wrong. Nothing says which.
    #[error(
        "That passkey was not accepted. Try again with a passkey you added to this account, or \
         use your password."
    )]
    PasskeyRefused,
    #[error("We couldn't find that.")]
    NotFound,
    /// The request clashes with existing data; the message says how.
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    RateLimited { retry_after_secs: u64 },
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    #[error("The service is busy or briefly unavailable. Please try again in a moment.")]
    Unavailable,
    /// Seen only in the browser: the request did not reach the server.
    #[error("We couldn't reach Taskward. Check your connection and try again.")]
    Network,
}

/// What `Retry-After` asks of a client while the service is busy (the
/// database pool or the hashing queue is full).
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

const GENERIC_INVALID: &str =
    "Some of the information sent was not valid. Please check it and try again.";

/// The longest wait a page quotes from its address (the longest any limit
/// here asks for is 15 minutes).
const MAX_SHOWN_RETRY_AFTER_SECS: u64 = 900;

/// How an error travels: a stable code for programs and the message for
/// people, e.g. `{"code":"invalid_credentials","message":"Invalid email or password."}`.
#[derive(Serialize, Deserialize)]
struct WireError {
    code: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> Self {
        let retry_after_secs = match error {
            AppError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        Self {
            code: error.code().into(),
            message: error.to_string(),
            retry_after_secs,
            field: error.field().map(str::to_owned),
        }
    }
}

impl TryFrom<WireError> for AppError {
    type Error = String;

    fn try_from(wire: WireError) -> Result<Self, Self::Error> {
        Ok(match wire.code.as_str() {
            "invalid" => match wire.field {
                Some(field) => AppError::InvalidField {
                    field,
                    message: wire.message,
                },
                None => AppError::Invalid(wire.message),
            },
            "unauthenticated" => AppError::Unauthenticated,
            "invalid_credentials" => AppError::InvalidCredentials,
            "forbidden" => AppError::Forbidden,
            "account_disabled" => AppError::AccountDisabled(wire.message),
            "signup_closed" => AppError::SignupClosed(wire.message),
            "invite_invalid" => AppError::InviteInvalid(wire.message),
            "email_unverified" => AppError::EmailUnverified,
            "second_factor_required" => AppError::SecondFactorRequired,
            "invalid_code" => AppError::InvalidSecondFactor,
            "sign_in_expired" => AppError::SignInStepExpired,
            "passkey_refused" => AppError::PasskeyRefused,
            "not_found" => AppError::NotFound,
            "conflict" => AppError::Conflict(wire.message),
            "rate_limited" => AppError::RateLimited {
                retry_after_secs: wire.retry_after_secs.unwrap_or(60),
            },
            "internal" => AppError::Internal,
            "unavailable" => AppError::Unavailable,
            "network" => AppError::Network,
            other => return Err(format!("unknown error code {other}")),
        })
    }
}

impl AppError {
    /// A stable identifier for programs; the message is for people.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) | AppError::InvalidField { .. } => "invalid",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::AccountDisabled(_) => "account_disabled",
            AppError::SignupClosed(_) => "signup_closed",
            AppError::InviteInvalid(_) => "invite_invalid",
            AppError::EmailUnverified => "email_unverified",
            AppError::SecondFactorRequired => "second_factor_required",
            AppError::InvalidSecondFactor => "invalid_code",
            AppError::SignInStepExpired => "sign_in_expired",
            AppError::PasskeyRefused => "passkey_refused",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal => "internal",
            AppError::Unavailable => "unavailable",
            AppError::Network => "network",
        }
    }

    /// The input an `InvalidField` error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::InvalidField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Names the input an `Invalid` error is about; other errors pass
    /// through unchanged. For shared rules (a title, an email) that do not
    /// know what the caller calls their input.
    pub fn in_field(self, field: &str) -> Self {
        match self {
            AppError::Invalid(message) => AppError::InvalidField {
                field: field.to_owned(),
                message,
            },
            other => other,
        }
    }

    /// When a client should try again: a rate limit says how long; a busy
    /// service asks for a moment.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            AppError::Unavailable => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// The error as a page shows it when it arrives in the page's address
    /// (a form posted without JavaScript is sent back with its error in the
    /// query): anyone can write an address, so every message is a fixed one
    /// chosen by the code, the field and the form (`server_fn_path`), never
    /// text from the address.
    pub fn as_shown_from_address(&self, server_fn_path: &str) -> Self {
        let fixed = |message: &str| AppError::Invalid(message.into());
        match self {
            AppError::Invalid(_) => fixed(GENERIC_INVALID),
            AppError::InvalidField { field, .. }
                if server_fn_path.ends_with("create-api-token") =>
            {
                let message = match field.as_str() {
                    "name" => "Give the token a name of 1 to 100 characters, on one line.",
                    "scope" => "Choose what the token may do: read, or read and write.",
                    _ => "Choose when the token expires: in 1 to 3,650 days, or never.",
                };
                fixed(message).in_field(field)
            }
            AppError::InvalidField { field, .. } => {
                // The forms that check the password the account has (not a new one).
                let confirms_password = server_fn_path.ends_with("delete-account")
                    || server_fn_path.contains("totp")
                    || server_fn_path.ends_with("recovery-codes");
                let message = match (field.as_str(), confirms_password) {
                    ("email", _) => "Please enter a valid email address.",
                    ("password", true) | ("current_password", _) => "That password is not correct.",
                    ("password" | "new_password", _) => {
                        "That password can't be used: choose 8 to 128 characters that are hard \
                         to guess and don't contain your email address."
                    }
                    ("title", _) => "A todo needs a title of 1 to 500 characters.",
                    ("name", _) => "A list needs a name of 1 to 100 characters.",
                    ("notes", _) => "Keep the notes to 10,000 characters.",
                    ("due" | "due_date", _) => {
                        "That due date is not a date: use the format 2026-12-24."
                    }
                    ("due_time", _) => {
                        "That time is not a time of day, or it has no date: use the format 15:30."
                    }
                    ("priority", _) => "Choose a priority: none, low, medium or high.",
                    ("list" | "list_id", _) => "There is no such list among yours.",
                    ("time_zone", _) => "That is not a time zone: choose one from the list.",
                    ("before" | "after", _) => {
                        "That todo could not be moved there: reload the page and try again."
                    }
                    ("q", _) => "Type a word or a number to search for, in at most 200 characters.",
                    ("code", _) => {
                        "That code is not right: enter the 6-digit code your authenticator app \
                         shows now."
                    }
                    _ => GENERIC_INVALID,
                };
                fixed(message).in_field(field)
            }
            AppError::Conflict(_) if server_fn_path.ends_with("signup") => AppError::Conflict(
                "That email is already registered. Sign in instead, or use another email.".into(),
            ),
            AppError::Conflict(_) if server_fn_path.ends_with("lists/create") => {
                AppError::Conflict(
                    "That list can't be made: you have one with that name already, or as many \
                     lists as one account can keep."
                        .into(),
                )
            }
            AppError::Conflict(_) if server_fn_path.ends_with("create-api-token") => {
                AppError::Conflict(
                    "You have as many API tokens as one account can keep. Delete one you no \
                     longer use, then make another."
                        .into(),
                )
            }
            AppError::Conflict(_) if server_fn_path.ends_with("lists/rename") => {
                AppError::Conflict(
                    "You already have a list with that name (and the Inbox keeps its name).".into(),
                )
            }
            AppError::Conflict(_) if server_fn_path.ends_with("lists/delete") => {
                AppError::Conflict(
                    "That list can't be deleted like this: choose what happens to its todos (the \
                 Inbox can't be deleted)."
                        .into(),
                )
            }
            AppError::Conflict(_) => AppError::Conflict(
                "That can't be done: it clashes with what you already have.".into(),
            ),
            AppError::SignupClosed(_) => {
                AppError::SignupClosed("This Taskward takes no new accounts like this one.".into())
            }
            AppError::InviteInvalid(_) => AppError::InviteInvalid(
                "That invitation can't be used. Ask whoever sent it for a new one.".into(),
            ),
            AppError::AccountDisabled(_) => AppError::AccountDisabled(
                "This account has been disabled by an administrator.".into(),
            ),
            AppError::RateLimited { retry_after_secs } => AppError::RateLimited {
                retry_after_secs: (*retry_after_secs).clamp(1, MAX_SHOWN_RETRY_AFTER_SECS),
            },
            other => other.clone(),
        }
    }

    /// The HTTP status this outcome is sent with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::InvalidField { .. } => 422,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::InvalidSecondFactor
            | AppError::SignInStepExpired
            | AppError::PasskeyRefused => 401,
            AppError::Forbidden
            | AppError::AccountDisabled(_)
            | AppError::SignupClosed(_)
            | AppError::InviteInvalid(_)
            | AppError::EmailUnverified
            | AppError::SecondFactorRequired => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Internal => 500,
            AppError::Unavailable | AppError::Network => 503,
        }
    }
}

// Lets Leptos server functions return `Result<T, AppError>` directly.
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // Malformed or missing arguments: the form or client sent bad data.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Invalid("Some of the information sent was missing or malformed.".into())
            }
            // On the server, only reading the request's body gives this.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(cause) => return server::unreadable_body(&cause),
            ServerFnErrorErr::Request(_) => AppError::Network,
            _ => AppError::Internal,
        };
        // On the server this runs while answering the request (e.g. its
        // arguments did not parse): give the response the matching status.
        #[cfg(feature = "ssr")]
        error.set_response_status();
        error
    }
}

#[cfg(feature = "ssr")]
pub use server::is_plain_form_post;

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;
    use axum::{
        Json,
        http::{HeaderValue, StatusCode, header},
        response::{IntoResponse, Response},
    };

    impl AppError {
        /// Logs `cause` on the server and returns the generic internal error,
        /// so no detail of it reaches the client.
        #[track_caller]
        pub fn internal(cause: impl std::fmt::Display) -> Self {
            let location = std::panic::Location::caller();
            tracing::error!(%cause, %location, "internal error");
            AppError::Internal
        }

        /// Sets this error's status (and `Retry-After`) on the current
        /// server function response. A plain HTML form post keeps its
        /// redirect back to the form instead, which carries the error.
        pub fn set_response_status(&self) {
            use leptos::prelude::use_context;
            let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
                return;
            };
            if is_plain_form_post() {
                return;
            }
            response.set_status(self.http_status());
            if let Some(seconds) = self.retry_after_secs() {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
        }

        pub fn http_status(&self) -> StatusCode {
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    impl From<sqlx::Error> for AppError {
        #[track_caller]
        fn from(error: sqlx::Error) -> Self {
            match error {
                sqlx::Error::PoolTimedOut => {
                    tracing::warn!("database pool timed out");
                    AppError::Unavailable
                }
                // SQLite's SQLITE_BUSY (and its extended codes): another
                // writer held the lock past the busy timeout.
                sqlx::Error::Database(error)
                    if error
                        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                        .is_some()
                        && error.code().is_some_and(|code| {
                            code.parse::<i32>().is_ok_and(|n| n & 0xff == 5)
                        }) =>
                {
                    tracing::warn!("database busy");
                    AppError::Unavailable
                }
                other => AppError::internal(other),
            }
        }
    }

    /// The refusal of a server function call whose body could not be read
    /// as text (`server_fn` reads it whole before decoding the arguments):
    /// bytes that are not UTF-8 are malformed input (422). The web layer
    /// holds every body in memory before the call (`web::lifecycle`), so the
    /// only other failure is the body limit cutting off a body sent without
    /// a length (chunked): 413, saying the limit.
    pub(super) fn unreadable_body(cause: &str) -> AppError {
        if cause.contains("utf-8") {
            let error = AppError::Invalid("The form must be sent as UTF-8 text.".into());
            error.set_response_status();
            return error;
        }
        // The limit itself is the web layer's (`config::REQUEST_BODY_LIMIT`),
        // which sits above this module.
        let error = AppError::Invalid(
            "The request is larger than a form may send. Nothing was saved.".into(),
        );
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && !is_plain_form_post()
        {
            response.set_status(StatusCode::PAYLOAD_TOO_LARGE);
        }
        error
    }

    /// Whether the current server function call is a plain HTML form post
    /// (no JavaScript): its answer must stay a redirect back to the form.
    /// A page render that calls a server function is not one: the page
    /// takes the error's status, whatever the browser accepts.
    pub fn is_plain_form_post() -> bool {
        leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts.method == axum::http::Method::POST
                && parts
                    .headers
                    .get(header::ACCEPT)
                    .and_then(|value| value.to_str().ok())
                    .is_some_and(|accept| accept.contains("text/html"))
        })
    }

    /// For plain axum handlers and middleware: the status and the same
    /// `{"code","message"}` body server functions answer with.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let mut response = (
                self.http_status(),
                Json(super::WireError::from(self.clone())),
            )
                .into_response();
            if let Some(seconds) = self.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    }
}

/// Refuses text holding U+0000, which PostgreSQL cannot store in a text
/// column (SQLite can, so the two would differ).
pub fn refuse_nul(text: &str, field: &str) -> Result<(), AppError> {
    if text.contains('\0') {
        return Err(AppError::Invalid(
            "That text holds a character that can't be stored (U+0000); remove it.".into(),
        )
        .in_field(field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_user_facing_message_and_a_status() {
        let cases = [
            (AppError::Invalid("Title can't be empty.".into()), 422),
            (AppError::Unauthenticated, 401),
            (AppError::InvalidCredentials, 401),
            (AppError::Forbidden, 403),
            (AppError::NotFound, 404),
            (
                AppError::Conflict("That email is already registered.".into()),
                409,
            ),
            (
                AppError::RateLimited {
                    retry_after_secs: 30,
                },
                429,
            ),
            (AppError::Internal, 500),
            (AppError::Unavailable, 503),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code(), status);
            let message = error.to_string();
            assert!(!message.is_empty());
            assert!(!message.contains("ServerFnError"), "{message}");
        }
    }

    #[test]
    fn server_fn_plumbing_errors_become_messages_a_person_understands() {
        let error =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `email`".into()));
        assert_eq!(error.status_code(), 422);
        assert!(!error.to_string().contains("email`"));
        let error =
            AppError::from_server_fn_error(ServerFnErrorErr::ServerError("db exploded".into()));
        assert_eq!(error, AppError::Internal);
        assert!(!error.to_string().contains("db exploded"));
    }

    #[test]
    fn errors_survive_the_trip_to_the_browser() {
        let errors = [
            AppError::RateLimited {
                retry_after_secs: 42,
            },
            AppError::Invalid("A todo needs a title.".into()).in_field("title"),
        ];
        for error in errors {
            let bytes = error.ser();
            assert_eq!(AppError::de(bytes), error);
        }
    }

    #[test]
    fn naming_the_field_keeps_the_message_and_status() {
        let error = AppError::Invalid("Enter your email address.".into()).in_field("email");
        assert_eq!(error.field(), Some("email"));
        assert_eq!(error.to_string(), "Enter your email address.");
        assert_eq!(error.status_code(), 422);
        assert_eq!(AppError::NotFound.in_field("id"), AppError::NotFound);
    }

    #[test]
    fn an_error_from_the_address_is_shown_with_a_fixed_message_only() {
        let planted = "Your account is locked, call +1 555 0100";
        for error in [
            AppError::Invalid(planted.into()),
            AppError::Invalid(planted.into()).in_field("email"),
            AppError::Invalid(planted.into()).in_field("anything"),
            AppError::Conflict(planted.into()),
        ] {
            let shown = error.as_shown_from_address("/api/auth/signup");
            assert!(!shown.to_string().contains("call"), "{shown}");
            assert_eq!(shown.code(), error.code());
            assert_eq!(shown.field(), error.field());
        }
        let wrong = AppError::Invalid(planted.into()).in_field("password");
        assert_eq!(
            wrong
                .as_shown_from_address("/api/auth/delete-account")
                .to_string(),
            "That password is not correct."
        );
        let forever = AppError::RateLimited {
            retry_after_secs: u64::MAX,
        };
        assert_eq!(
            forever.as_shown_from_address("/api/auth/signin"),
            AppError::RateLimited {
                retry_after_secs: MAX_SHOWN_RETRY_AFTER_SECS
            }
        );
    }
}
