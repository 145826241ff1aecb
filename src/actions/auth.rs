//! The account endpoints of the web forms, at fixed addresses under
//! `/api/auth/`: each reads its request's context and calls
//! [`AuthService`](crate::auth::service::AuthService).

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos::server_fn::ServerFn;

#[cfg(feature = "ssr")]
use crate::auth::{credentials::Flash, request};
use crate::error::AppError;
use crate::{
    auth::{CurrentUser, EmailState},
    signup::SignupGate,
};
#[cfg(feature = "ssr")]
use crate::{calendar::TimeZone, context, navigation};

/// Where to go after signing in: `next` when it is a path on this site.
#[cfg(feature = "ssr")]
fn destination(next: Option<String>) -> String {
    next.as_deref()
        .and_then(navigation::safe_next_path)
        .unwrap_or("/dashboard")
        .to_owned()
}

/// What sign-up and sign-in do once the account rules have answered: set the
/// cookie and go on, or send a plain form back with the email kept.
#[cfg(feature = "ssr")]
fn enter(
    outcome: Result<crate::auth::service::IssuedToken, AppError>,
    form_path: &str,
    email: &str,
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    let issued = outcome
        .inspect_err(|error| context::return_to_form_with(form_path, error, &[("email", email)]))?;
    request::set_session_cookie(&issued);
    leptos_axum::redirect(&destination(next));
    Ok(issued.account.current_user())
}

/// What the sign-up page offers for `invite` (the token of its link, if
/// any): the form, or the sentence that says why not, before anyone types.
#[server(prefix = "/api", endpoint = "auth/signup-gate")]
pub async fn open_for_signup(invite: Option<String>) -> Result<SignupGate, AppError> {
    use crate::{db::StoreError, signup};
    context::respond(async {
        let db = context::db()?;
        let token = match signup::invite_field(invite.as_deref()) {
            Ok(token) => token,
            Err(refusal) => return Ok(SignupGate::Refused(AppError::from(refusal).to_string())),
        };
        match signup::store::check(&db, token.as_ref(), None, crate::db::now()).await {
            Ok(invitation) => Ok(SignupGate::Form {
                invite: token.map(|token| token.as_str().to_owned()),
                email: invitation.and_then(|invitation| invitation.email),
            }),
            Err(StoreError::Refused(refusal)) => {
                Ok(SignupGate::Refused(AppError::from(refusal).to_string()))
            }
            Err(other) => Err(other.into()),
        }
    })
    .await
}

/// Creates an account, signs it in and goes to the dashboard. The form's
/// island fills `time_zone` from the browser; without JavaScript (or with
/// a zone this server does not know) the account starts on UTC. `invite`
/// is the invitation's token when the page was opened from one.
#[server(prefix = "/api", endpoint = "auth/signup")]
pub async fn sign_up(
    email: String,
    password: String,
    next: Option<String>,
    #[server(default)] time_zone: Option<String>,
    #[server(default)] invite: Option<String>,
) -> Result<CurrentUser, AppError> {
    context::respond(async {
        let time_zone = time_zone
            .as_deref()
            .and_then(|name| TimeZone::parse(name).ok())
            .unwrap_or(TimeZone::UTC);
        let outcome = request::account_service()?
            .sign_up(
                &email,
                &password,
                time_zone,
                invite.as_deref(),
                &context::client()?,
            )
            .await;
        enter(outcome, <SignUp as ServerFn>::PATH, &email, next)
    })
    .await
}

/// Signs in and goes on to `next`; for an account with a second factor,
/// to `/signin/second-factor` first, this browser holding the sign-in's
/// second step in a cookie.
#[server(prefix = "/api", endpoint = "auth/signin")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::service::SignInOutcome;
    context::respond(async {
        let device = request::device_token()?;
        let outcome = request::account_service()?
            .sign_in(&email, &password, device.as_deref(), &context::client()?)
            .await;
        match outcome {
            Ok(SignInOutcome::SecondFactorRequired(pending)) => {
                request::flash(Flash::SignInStep, pending.challenge.as_str());
                let mut step = String::from("/signin/second-factor");
                if let Some(next) = next.as_deref().and_then(navigation::safe_next_path) {
                    step.push_str("?next=");
                    step.push_str(&navigation::encode_query_value(next));
                }
                leptos_axum::redirect(&step);
                Ok(())
            }
            Ok(SignInOutcome::SignedIn(issued)) => {
                enter(Ok(issued), <SignIn as ServerFn>::PATH, &email, next).map(|_| ())
            }
            Err(error) => enter(Err(error), <SignIn as ServerFn>::PATH, &email, next).map(|_| ()),
        }
    })
    .await
}

/// Ends this session: the token is refused from now on, even a copy, and
/// even when it expired in an idle tab.
#[server(prefix = "/api", endpoint = "auth/signout")]
pub async fn sign_out() -> Result<(), AppError> {
    context::respond(async {
        let auth = request::account_service()?;
        if let Some(token) = request::presented_token()? {
            match auth.sign_out(&token, &context::client()?).await {
                // Not our token, or its session had ended: nothing to end.
                Ok(_) | Err(AppError::Unauthenticated) => {}
                Err(error) => return Err(error),
            }
        }
        request::clear_session_cookie();
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn me() -> Result<CurrentUser, AppError> {
    context::respond(async { request::enrolling_session().map(|session| session.user()) }).await
}

/// The time zones one can choose, by name.
#[server(prefix = "/api", endpoint = "auth/time-zones")]
pub async fn time_zones() -> Result<Vec<String>, AppError> {
    Ok(crate::calendar::time_zone_names()
        .iter()
        .map(|zone| (*zone).to_owned())
        .collect())
}

/// Counts the user's days in another time zone (an IANA name).
#[server(prefix = "/api", endpoint = "auth/time-zone")]
pub async fn set_time_zone(time_zone: String) -> Result<CurrentUser, AppError> {
    context::respond(async {
        let session = request::session()?;
        let time_zone = TimeZone::parse(&time_zone)?;
        let account = request::account_service()?
            .set_time_zone(&session, time_zone)
            .await?;
        Ok(account.current_user())
    })
    .await
}

/// Changes the password; every other session of the user ends.
#[server(prefix = "/api", endpoint = "auth/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    context::respond(async {
        let auth = request::account_service()?;
        let session = request::session()?;
        auth.change_password(
            &session,
            &current_password,
            &new_password,
            request::device_token()?.as_deref(),
            &context::client()?,
        )
        .await
    })
    .await
}

/// Ends every session of the user, this one included.
#[server(prefix = "/api", endpoint = "auth/signout-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    context::respond(async {
        let auth = request::account_service()?;
        let session = request::enrolling_session()?;
        auth.sign_out_everywhere(&session, &context::client()?)
            .await?;
        request::clear_session_cookie();
        leptos_axum::redirect("/signin");
        Ok(())
    })
    .await
}

/// Deletes the account and everything in it, after confirming the password.
#[server(prefix = "/api", endpoint = "auth/delete-account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    context::respond(async {
        let auth = request::account_service()?;
        let session = request::session()?;
        auth.delete_account(
            &session,
            &password,
            request::device_token()?.as_deref(),
            &context::client()?,
        )
        .await?;
        request::clear_session_cookie();
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// When failed password checks from clients that had not signed in before
/// last locked the account, if that was in the last 30 days (RFC 3339).
#[server(prefix = "/api", endpoint = "auth/recent-lockout")]
pub async fn recent_lockout() -> Result<Option<String>, AppError> {
    context::respond(async {
        let session = request::session()?;
        let locked_at = request::account_service()?.locked_at(&session).await?;
        let recent = chrono::Utc::now() - chrono::Duration::days(30);
        Ok(locked_at
            .filter(|at| *at > recent)
            .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()))
    })
    .await
}

/// One of the user's sessions, as the sessions page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionSummary {
    pub id: String,
    pub device: String,
    pub client_address: String,
    /// RFC 3339.
    pub started_at: String,
    pub last_used_at: String,
    /// The session this page was loaded with.
    pub current: bool,
}

/// The user's live sessions and their own recent security events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionsOverview {
    pub sessions: Vec<SessionSummary>,
    /// The personal API tokens, which also sign in to the account.
    pub tokens: Vec<TokenSummary>,
    pub events: Vec<crate::auth::security_log::LoggedEvent>,
}

#[server(prefix = "/api", endpoint = "auth/sessions")]
pub async fn my_sessions() -> Result<SessionsOverview, AppError> {
    context::respond(async {
        let session = request::session()?;
        let auth = request::account_service()?;
        let sessions = auth
            .sessions(&session)
            .await?
            .into_iter()
            .map(|row| SessionSummary {
                current: row.id == session.session_id,
                id: row.id.to_string(),
                device: if row.device.is_empty() {
                    "Unknown device".into()
                } else {
                    row.device
                },
                client_address: row.client_address,
                started_at: row.created_at.to_rfc3339(),
                last_used_at: row.last_used_at.unwrap_or(row.created_at).to_rfc3339(),
            })
            .collect();
        let tokens = auth
            .api_tokens(&session)
            .await?
            .into_iter()
            .map(TokenSummary::from)
            .collect();
        let events = auth.recent_events(&session).await?;
        Ok(SessionsOverview {
            sessions,
            tokens,
            events,
        })
    })
    .await
}

/// One of the user's personal API tokens, as the pages show it (never its
/// secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenSummary {
    pub id: String,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// Its first characters, to tell it apart.
    pub prefix: String,
    /// RFC 3339.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<crate::auth::api_tokens::ApiTokenView> for TokenSummary {
    fn from(token: crate::auth::api_tokens::ApiTokenView) -> Self {
        Self {
            id: token.id.to_string(),
            name: token.name,
            scope: token.scope.as_str().to_owned(),
            prefix: token.prefix,
            created_at: token.created_at.to_rfc3339(),
            last_used_at: token.last_used_at.map(|at| at.to_rfc3339()),
            expires_at: token.expires_at.map(|at| at.to_rfc3339()),
        }
    }
}

/// Makes a personal API token; the page it returns to shows its secret
/// once. `expires_in_days` is empty (until deleted) or a number of days.
#[server(prefix = "/api", endpoint = "auth/create-api-token")]
pub async fn create_api_token(
    name: String,
    scope: String,
    expires_in_days: String,
) -> Result<(), AppError> {
    use crate::auth::api_tokens::{MAX_TOKEN_DAYS, NewApiToken, TokenScope};
    context::respond(async {
        let session = request::session()?;
        let scope = match scope.as_str() {
            "read" => TokenScope::Read,
            "write" => TokenScope::Write,
            _ => {
                return Err(AppError::Invalid(
                    "Choose what the token may do: read, or read and write.".into(),
                )
                .in_field("scope"));
            }
        };
        let now = crate::db::now();
        let expires_at = match expires_in_days.trim() {
            "" | "never" => None,
            days => match days.parse::<i64>() {
                Ok(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => {
                    Some(now + chrono::TimeDelta::days(days))
                }
                _ => {
                    return Err(AppError::Invalid(format!(
                        "Choose when the token expires: in 1 to {MAX_TOKEN_DAYS} days, or never."
                    ))
                    .in_field("expires_in_days"));
                }
            },
        };
        let token = NewApiToken::parse(&name, scope, expires_at, now)?;
        let (_, secret) = request::account_service()?
            .create_api_token(&session, &token, &context::client()?)
            .await?;
        request::flash(Flash::NewApiToken, secret.expose());
        context::return_to_referer_changed(&[], &[]);
        Ok(())
    })
    .await
}

/// Deletes one of the user's personal API tokens.
#[server(prefix = "/api", endpoint = "auth/delete-api-token")]
pub async fn delete_api_token(id: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        request::account_service()?
            .delete_api_token(&session, id, &context::client()?)
            .await?;
        context::return_to_referer_changed(&[], &[]);
        Ok(())
    })
    .await
}

/// Ends one of the user's own sessions; ending this one signs out.
#[server(prefix = "/api", endpoint = "auth/end-session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let ended = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        request::account_service()?
            .end_session(&session, ended, &context::client()?)
            .await?;
        if ended == session.session_id {
            request::clear_session_cookie();
            leptos_axum::redirect("/signin");
        }
        Ok(())
    })
    .await
}

/// Whether this instance can mail reset links: `/forgot-password` says
/// so before the form when it cannot.
#[server(prefix = "/api", endpoint = "auth/reset-by-mail")]
pub async fn reset_by_mail() -> Result<bool, AppError> {
    context::respond(async { Ok(context::provided::<crate::mail::Mailer>("mailer")?.can_send()) })
        .await
}

/// "Forgot your password?": mails a reset link if an account has `email`,
/// then shows `/forgot-password?sent` whether or not one does.
#[server(prefix = "/api", endpoint = "auth/forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    context::respond(async {
        let outcome = request::account_service()?
            .request_password_reset(&email, &context::client()?)
            .await;
        outcome.inspect_err(|error| {
            context::return_to_form_with(
                <ForgotPassword as ServerFn>::PATH,
                error,
                &[("email", &email)],
            )
        })?;
        leptos_axum::redirect("/forgot-password?sent");
        Ok(())
    })
    .await
}

/// Whether the reset link `token` still works: `/reset-password` says so
/// before anyone chooses a password.
#[server(prefix = "/api", endpoint = "auth/reset-link")]
pub async fn reset_link_works(token: Option<String>) -> Result<bool, AppError> {
    context::respond(async {
        let db = context::db()?;
        Ok(
            match token.as_deref().and_then(crate::signup::LinkToken::parse) {
                Some(token) => {
                    crate::auth::store::reset_link_account(&db, &token.hash(), crate::db::now())
                        .await?
                        .is_some()
                }
                None => false,
            },
        )
    })
    .await
}

/// Sets a new password with the reset link's `token`, then goes to sign
/// in (`/signin?reset`): every session of the account has ended.
#[server(prefix = "/api", endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    context::respond(async {
        let outcome = request::account_service()?
            .reset_password(&token, &password, &context::client()?)
            .await;
        outcome.inspect_err(|error| {
            context::return_to_form_with(<ResetPassword as ServerFn>::PATH, error, &[])
        })?;
        leptos_axum::redirect("/signin?reset");
        Ok(())
    })
    .await
}

/// The account's address, for its page: confirmed or not, and the address
/// it is moving to, if any.
#[server(prefix = "/api", endpoint = "auth/email-state")]
pub async fn my_email() -> Result<EmailState, AppError> {
    context::respond(async {
        let session = request::session()?;
        request::account_service()?.email_state(&session).await
    })
    .await
}

/// Mails a new confirmation link to the account's address (the older one
/// stops working), then shows `/account?verification=sent`.
#[server(prefix = "/api", endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let outcome = request::account_service()?
            .send_verification_again(&session)
            .await;
        outcome.inspect_err(|error| {
            context::return_to_form_with(<ResendVerification as ServerFn>::PATH, error, &[])
        })?;
        context::return_to_referer_changed(&[], &[("verification", "sent")]);
        Ok(())
    })
    .await
}

/// Asks to move the account to `email`, with its password: a link goes to
/// the new address, a notice to the old; nothing changes until the link is
/// followed.
#[server(prefix = "/api", endpoint = "auth/change-email")]
pub async fn change_email(email: String, password: String) -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let outcome = request::account_service()?
            .request_email_change(
                &session,
                &password,
                &email,
                request::device_token()?.as_deref(),
                &context::client()?,
            )
            .await;
        outcome.inspect_err(|error| {
            context::return_to_form_with(
                <ChangeEmail as ServerFn>::PATH,
                error,
                &[("new_email", &email)],
            )
        })?;
        context::return_to_referer_changed(&["new_email"], &[("email_change", "sent")]);
        Ok(())
    })
    .await
}

/// Drops a pending change of address.
#[server(prefix = "/api", endpoint = "auth/cancel-email-change")]
pub async fn cancel_email_change() -> Result<(), AppError> {
    context::respond(async {
        let session = request::session()?;
        let outcome = request::account_service()?
            .cancel_email_change(&session, &context::client()?)
            .await;
        outcome.inspect_err(|error| {
            context::return_to_form_with(<CancelEmailChange as ServerFn>::PATH, error, &[])
        })?;
        context::return_to_referer_changed(&["email_change"], &[]);
        Ok(())
    })
    .await
}

/// Whether the confirmation link `token` still works: `/verify-email`
/// says so before anyone presses the button.
#[server(prefix = "/api", endpoint = "auth/confirmation-link")]
pub async fn confirmation_link_works(token: Option<String>) -> Result<bool, AppError> {
    context::respond(async {
        let db = context::db()?;
        Ok(
            match token.as_deref().and_then(crate::signup::LinkToken::parse) {
                Some(token) => {
                    crate::auth::store::confirmation(&db, &token.hash(), crate::db::now())
                        .await?
                        .is_some()
                }
                None => false,
            },
        )
    })
    .await
}

/// Follows a confirmation link (a button press, so that a mail scanner
/// that opens links spends nothing), then shows `/verify-email?confirmed`
/// or `?moved`.
#[server(prefix = "/api", endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use crate::auth::verification::Confirmed;
    context::respond(async {
        let outcome = request::account_service()?
            .confirm_email(&token, &context::client()?)
            .await;
        let confirmed = outcome.inspect_err(|error| {
            context::return_to_form_with(<VerifyEmail as ServerFn>::PATH, error, &[])
        })?;
        leptos_axum::redirect(match confirmed {
            Confirmed::Address(_) => "/verify-email?confirmed",
            Confirmed::MovedTo(_) => "/verify-email?moved",
        });
        Ok(())
    })
    .await
}
