//! `/api/v1/auth`: accounts and bearer tokens, through the same
//! [`AuthService`](crate::auth::service::AuthService) as the web forms
//! (same rules, same rate limits, same sessions).

use std::sync::Arc;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    extract::{ApiJson, Authenticated, BearerToken, SignedIn},
    problem::{
        AccountDisabledByAdmin, Conflict, EmailTaken, JsonBodyRefusals, MailOff, Problem,
        SessionRequired, SignupRefused, TooManyRequests, Unauthorized, Unavailable, Unprocessable,
        WrongCredentials,
    },
    second_factor::SecondFactorChallenge,
};
use crate::{
    auth::service::{Account, AuthService, IssuedToken, SignInOutcome},
    calendar::TimeZone,
    client::Client,
    error::AppError,
    reminders::{self, MAX_BEFORE_MINUTES, ReminderSettings, Reminders},
};

pub const TAG: &str = "auth";

/// An email and a password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Trimmed and compared without regard to case.
    #[schema(example = "ada@example.com")]
    pub email: String,
    /// For register: 8 to 128 characters, hard to guess (it is scored for
    /// strength; a 422 explains a refusal), and not containing the email's
    /// name.
    #[schema(example = "velvet tractor umbrella sings", max_length = 128)]
    pub password: String,
    /// For register: the IANA time zone the account's days are counted in
    /// (what "today" and "overdue" mean), e.g. `Europe/Berlin`; UTC when
    /// absent. Changed later with `PATCH /api/v1/auth/me`.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: Option<String>,
    /// For register: the token of an invitation link (`/signup?invite=…`),
    /// needed when sign-up is by invitation; it may make the account an
    /// administrator.
    #[schema(max_length = 64)]
    pub invite: Option<String>,
}

/// An email, a password, and the device token this client got when it last
/// signed in to the account, if it did.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInCredentials {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "velvet tractor umbrella sings")]
    pub password: String,
    /// The `device_token` of an earlier sign-in to this account. With it,
    /// wrong passwords tried from elsewhere cannot lock this client out:
    /// it has an allowance of its own.
    pub device_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    #[schema(example = "ada@example.com")]
    pub email: String,
    pub created_at: DateTime<Utc>,
    /// The IANA time zone the account's days are counted in.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// `user`, or `admin` for the administrators (the `/api/v1/admin`
    /// endpoints answer them only).
    #[schema(example = "user")]
    pub role: String,
    /// Whether the address was confirmed by following a mailed link
    /// (`POST /api/v1/auth/verify-email`).
    pub email_verified: bool,
    /// The second factors the account signs in with: `null` for none,
    /// else a list of methods (`totp` for an authenticator app, `passkey`
    /// for passkeys).
    #[schema(example = json!(["totp", "passkey"]))]
    pub second_factor: Option<Vec<String>>,
    /// How your reminders reach you.
    pub reminders: ReminderSettingsJson,
}

/// How reminders reach the account.
#[derive(Serialize, ToSchema)]
pub struct ReminderSettingsJson {
    /// By mail, to the confirmed address.
    pub email: bool,
    /// By Web Push, to the browsers subscribed on `/api/v1/push/subscriptions`.
    pub push: bool,
    /// When a todo due on a day without a time reminds, in your zone.
    #[schema(example = "09:00")]
    pub time_of_day: String,
    /// The reminder a new todo with a due date gets when it names none:
    /// minutes before its due time; `null` for none.
    pub default_before_minutes: Option<i64>,
}

impl From<ReminderSettings> for ReminderSettingsJson {
    fn from(settings: ReminderSettings) -> Self {
        Self {
            time_of_day: settings.day_time(),
            email: settings.email,
            push: settings.push,
            default_before_minutes: settings.default_before.map(i64::from),
        }
    }
}

/// Changes to how reminders reach the account: any of the fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettingsPatch {
    pub email: Option<bool>,
    pub push: Option<bool>,
    /// `HH:MM`, 00:00 to 23:59.
    #[schema(example = "09:00", max_length = 5)]
    pub time_of_day: Option<String>,
    /// 0 to 40,320 minutes before the due time; `null` for no default.
    #[serde(default, deserialize_with = "super::todos::present")]
    #[schema(value_type = Option<i64>, nullable, minimum = 0, maximum = 40320)]
    pub default_before_minutes: Option<Option<i64>>,
}

impl From<Account> for User {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            email: account.email,
            created_at: account.created_at,
            time_zone: account.time_zone.name().to_owned(),
            role: account.role.as_str().to_owned(),
            email_verified: account.email_verified,
            second_factor: account.second_factor.then(|| vec!["totp".to_owned()]),
            reminders: ReminderSettings::default().into(),
        }
    }
}

/// What an account holder may change here: any of the fields.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// An IANA time zone name, e.g. `Europe/Berlin` or `America/New_York`.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: Option<String>,
    pub reminders: Option<ReminderSettingsPatch>,
}

/// A bearer token and the account it belongs to.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send it as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires; `POST /api/v1/auth/refresh` gets a
    /// new one for the same session before then.
    pub expires_in: u64,
    pub user: User,
    /// Proof that this client signed in to the account (register and
    /// signin only): keep it and send it with the next signin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

impl From<IssuedToken> for TokenResponse {
    fn from(issued: IssuedToken) -> Self {
        Self {
            access_token: issued.token,
            token_type: "Bearer".into(),
            expires_in: issued.expires_in.as_secs(),
            user: issued.account.into(),
            device_token: issued.device_token,
        }
    }
}

/// Create an account and sign it in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = TAG,
    request_body = Credentials,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "The account exists and this token is signed in to it.", body = TokenResponse),
        (status = 403, response = SignupRefused),
        (status = 409, response = EmailTaken),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn register(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(StatusCode, Json<TokenResponse>), Problem> {
    let time_zone = match credentials.time_zone.as_deref() {
        Some(name) => TimeZone::parse(name)?,
        None => TimeZone::UTC,
    };
    let issued = auth
        .sign_up(
            &credentials.email,
            &credentials.password,
            time_zone,
            credentials.invite.as_deref(),
            &client,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// What a right password gets: a token, or for an account with two-step
/// sign-in, a challenge that a code finishes.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SignInResponse {
    Token(TokenResponse),
    SecondFactor(SecondFactorChallenge),
}

/// Sign in: a new session and its token; for an account with two-step
/// sign-in, `{second_factor_required: true, challenge, methods}` and no
/// token, until `POST /api/v1/auth/signin/second-factor`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/signin",
    tag = TAG,
    request_body = SignInCredentials,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "Signed in, or the second step asked for.", body = SignInResponse),
        (status = 401, response = WrongCredentials),
        (status = 403, response = AccountDisabledByAdmin),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    )
)]
pub async fn sign_in(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(credentials): ApiJson<SignInCredentials>,
) -> Result<Json<SignInResponse>, Problem> {
    let outcome = auth
        .sign_in(
            &credentials.email,
            &credentials.password,
            credentials.device_token.as_deref(),
            &client,
        )
        .await?;
    Ok(Json(match outcome {
        SignInOutcome::SignedIn(issued) => SignInResponse::Token(issued.into()),
        SignInOutcome::SecondFactorRequired(pending) => {
            SignInResponse::SecondFactor(SecondFactorChallenge {
                second_factor_required: true,
                challenge: pending.challenge.as_str().to_owned(),
                methods: pending
                    .methods
                    .iter()
                    .map(|&method| method.to_owned())
                    .collect(),
                expires_in: pending.expires_in.as_secs(),
            })
        }
    }))
}

/// Sign out: the session ends, and this token (and any copy) is refused
/// from now on. An expired token still ends its session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/signout",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out; the token is revoked."),
        (status = 401, response = Unauthorized),
        (status = 403, response = SessionRequired),
    )
)]
pub async fn sign_out(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    BearerToken(token): BearerToken,
) -> Result<StatusCode, Problem> {
    if crate::auth::api_tokens::PersonalToken::looks_like_one(&token) {
        return Err(Problem::token_cannot(
            "session_required",
            "An API token is not a session: delete it on the account's security page, or with \
             DELETE /api/v1/auth/tokens/{id}.",
        ));
    }
    match auth.sign_out(&token, &client).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(Problem::invalid_token(
            "This token's session has already ended.",
        )),
        Err(AppError::Unauthenticated) => Err(Problem::invalid_token(
            "This token is not valid. Sign in again for a new one.",
        )),
        Err(error) => Err(error.into()),
    }
}

/// A fresh token for the same session, valid for another full lifetime
/// (never past the session's absolute end, 7 days after sign-in).
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token; the old one stays valid until it expires.", body = TokenResponse),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn refresh(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
) -> Result<Json<TokenResponse>, Problem> {
    Ok(Json(auth.reissue(&session)?.into()))
}

/// The account this token (a session's, or a personal API token of any
/// scope) belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in account.", body = User),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn me(
    State(auth): State<Arc<AuthService>>,
    SignedIn(session): SignedIn,
) -> Result<Json<User>, Problem> {
    Ok(Json(user_with_factors(&auth, session.account()).await?))
}

/// The account as the API shows it, with the names of its second factors.
async fn user_with_factors(auth: &AuthService, account: Account) -> Result<User, AppError> {
    let methods = if account.second_factor {
        auth.second_factor_methods(account.id).await?
    } else {
        Vec::new()
    };
    let reminders = reminders::store::settings(auth.db(), account.id).await?;
    let mut user = User::from(account);
    user.reminders = reminders.into();
    user.second_factor =
        (!methods.is_empty()).then(|| methods.iter().map(|&method| method.to_owned()).collect());
    Ok(user)
}

/// Change the account's time zone or how reminders reach it.
#[utoipa::path(
    patch,
    path = "/api/v1/auth/me",
    tag = TAG,
    security(("bearer" = [])),
    request_body = AccountPatch,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The account as changed.", body = User),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn update_me(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> Result<Json<User>, Problem> {
    let time_zone = patch
        .time_zone
        .as_deref()
        .map(TimeZone::parse)
        .transpose()?;
    let mut settings = reminders::store::settings(auth.db(), session.user_id).await?;
    let changes = patch.reminders.unwrap_or(NOTHING);
    if time_zone.is_none() && changes.is_empty() {
        return Err(AppError::Invalid(
            "Nothing to change: send a time_zone or reminders settings.".into(),
        )
        .into());
    }
    if let Some(email) = changes.email {
        settings.email = email;
    }
    if let Some(push) = changes.push {
        settings.push = push;
    }
    if let Some(time) = &changes.time_of_day {
        settings.day_minutes = ReminderSettings::parse_day_time(time).map_err(|error| {
            AppError::Invalid(error.to_string()).in_field("reminders/time_of_day")
        })?;
    }
    if let Some(before) = changes.default_before_minutes {
        settings.default_before = before
            .map(|before| {
                Reminders::new([before])
                    .map(|reminders| reminders.minutes()[0])
                    .map_err(|_| {
                        AppError::Invalid(format!(
                            "A default reminder comes 0 to {MAX_BEFORE_MINUTES} minutes before \
                             the due time."
                        ))
                        .in_field("reminders/default_before_minutes")
                    })
            })
            .transpose()?;
    }
    let account = match time_zone {
        Some(time_zone) => auth.set_time_zone(&session, time_zone).await?,
        None => session.account(),
    };
    if !changes.is_empty() {
        reminders::store::save_settings(auth.db(), session.user_id, &settings).await?;
    }
    Ok(Json(user_with_factors(&auth, account).await?))
}

/// A reminders patch that changes nothing.
const NOTHING: ReminderSettingsPatch = ReminderSettingsPatch {
    email: None,
    push: None,
    time_of_day: None,
    default_before_minutes: None,
};

impl ReminderSettingsPatch {
    fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.push.is_none()
            && self.time_of_day.is_none()
            && self.default_before_minutes.is_none()
    }
}

/// Whose password to reset.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(example = "ada@example.com", max_length = 254)]
    pub email: String,
}

/// Ask for a reset link by mail. The answer is 202 whether or not an
/// account has the address (the link goes out only if one does); 3 links
/// per address and hour.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset",
    tag = TAG,
    request_body = PasswordResetRequest,
    responses(
        JsonBodyRefusals,
        (status = 202, description = "If an account has this address, a link is on its way."),
        (status = 409, response = MailOff),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn password_reset(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> Result<StatusCode, Problem> {
    auth.request_password_reset(&body.email, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A reset link's token and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The `token` of the link (`/reset-password?token=…`).
    #[schema(max_length = 64)]
    pub token: String,
    /// As for register.
    #[schema(max_length = 128)]
    pub password: String,
}

/// Set a new password with a reset link's token: it works once, for 30
/// minutes; every session and device token of the account ends.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset/confirm",
    tag = TAG,
    request_body = PasswordResetConfirm,
    responses(
        JsonBodyRefusals,
        (status = 204, description = "The password is set; sign in with it."),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    )
)]
pub async fn password_reset_confirm(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(body): ApiJson<PasswordResetConfirm>,
) -> Result<StatusCode, Problem> {
    auth.reset_password(&body.token, &body.password, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A confirmation link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfirmation {
    /// The `token` of the link (`/verify-email?token=…`).
    #[schema(max_length = 64)]
    pub token: String,
}

/// What following a confirmation link did.
#[derive(Serialize, ToSchema)]
pub struct EmailConfirmed {
    /// The account's address, now confirmed.
    #[schema(example = "ada@example.com")]
    pub email: String,
    /// `true` when the link moved the account to this address (a change
    /// of address); `false` when it confirmed the address it had.
    pub moved: bool,
}

/// Follow a confirmation link: confirms the account's address, or moves
/// the account to the new one it was mailed to. Needs no token: the link's
/// token is the proof; it works once, for 24 hours.
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify-email",
    tag = TAG,
    request_body = EmailConfirmation,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "Confirmed.", body = EmailConfirmed),
        (status = 409, response = EmailTaken),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn verify_email(
    State(auth): State<Arc<AuthService>>,
    client: Client,
    ApiJson(body): ApiJson<EmailConfirmation>,
) -> Result<Json<EmailConfirmed>, Problem> {
    use crate::auth::verification::Confirmed;
    Ok(Json(
        match auth.confirm_email(&body.token, &client).await? {
            Confirmed::Address(email) => EmailConfirmed {
                email,
                moved: false,
            },
            Confirmed::MovedTo(email) => EmailConfirmed { email, moved: true },
        },
    ))
}

/// Mail a new confirmation link to the account's address (the older one
/// stops working); 3 an hour.
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify-email/resend",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way."),
        (status = 401, response = Unauthorized),
        (status = 409, response = MailOff),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn resend_verification(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
) -> Result<StatusCode, Problem> {
    auth.send_verification_again(&session).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A new address for the account, with its password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeRequest {
    #[schema(example = "ada@example.org", max_length = 254)]
    pub email: String,
    #[schema(max_length = 128)]
    pub password: String,
}

/// Move the account to a new address: a confirmation link goes there and a
/// notice to the current address; the account moves only when the link is
/// followed (`POST /api/v1/auth/verify-email`). Counts against the same 3
/// links an hour as resend.
#[utoipa::path(
    post,
    path = "/api/v1/auth/email-change",
    tag = TAG,
    security(("bearer" = [])),
    request_body = EmailChangeRequest,
    responses(
        JsonBodyRefusals,
        (status = 202, description = "A link is on its way to the new address."),
        (status = 401, response = Unauthorized),
        (status = 409, response = EmailTaken),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn request_email_change(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    client: Client,
    ApiJson(body): ApiJson<EmailChangeRequest>,
) -> Result<StatusCode, Problem> {
    auth.request_email_change(&session, &body.password, &body.email, None, &client)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Cancel a pending change of address: its link stops working.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/email-change",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Cancelled."),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
    )
)]
pub async fn cancel_email_change(
    State(auth): State<Arc<AuthService>>,
    Authenticated(session): Authenticated,
    client: Client,
) -> Result<StatusCode, Problem> {
    auth.cancel_email_change(&session, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
