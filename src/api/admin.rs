//! `/api/v1/admin/…`: the console's settings, invitations and mail for scripts,
//! for administrators only: every handler takes an [`AdminSession`], which
//! re-reads the role with the session (403 for anyone else).

use axum::{
    Json,
    extract::{FromRef, FromRequestParts, Path, Query, State, rejection::QueryRejection},
    http::{StatusCode, request::Parts},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    extract::{ApiJson, Authenticated, page_limit, read_query},
    problem::{
        BadRequest, Forbidden, JsonBodyRefusals, MailOff, NotFound, Problem, TooManyInvitations,
        TooManyRequests, Unauthorized, Unprocessable,
    },
};
use crate::{
    admin::{
        INVITATIONS_PER_PAGE, InvitationOverview, InvitationStatus,
        console::{
            invitation_mail, invitation_page, mail_cursor, mail_page, new_invitation, page_cursor,
            send_test_mail, signup_policy,
        },
        store,
    },
    auth::{
        Role,
        second_factor::SecondFactorPolicy,
        service::{AuthService, Session},
    },
    client::Client,
    config::PublicOrigin,
    db::Db,
    error::AppError,
    mail::{MAILS_PER_PAGE, Mailer},
    signup::{self, SignupMode},
};

pub const TAG: &str = "admin";

/// The most invitations one page of the API lists.
const MAX_INVITATIONS_PER_PAGE: usize = 200;

/// The session of an administrator: the bearer token's, when its account
/// has the `admin` role now.
pub struct AdminSession(pub Session);

impl<S> FromRequestParts<S> for AdminSession
where
    std::sync::Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Authenticated(session) = Authenticated::from_request_parts(parts, state).await?;
        if session.role != Role::Admin {
            return Err(AppError::Forbidden.into());
        }
        Ok(Self(session))
    }
}

/// Who may make an account, and what a new one does first.
#[derive(Serialize, ToSchema)]
pub struct Settings {
    pub signup_mode: SignupMode,
    /// Sign-up without an invitation is limited to addresses at these
    /// domains (lower case); empty: any domain.
    pub signup_email_domains: Vec<String>,
    /// Todos and lists answer 403 `email_unverified` until the account's
    /// address is confirmed.
    pub require_verified_email: bool,
    /// Whose accounts must have a second factor: `none`, `admins` or
    /// `everyone`. Such an account without one gets 403
    /// `second_factor_required` on everything but setting one up and
    /// signing out.
    pub require_second_factor: SecondFactorPolicy,
}

/// A change to the settings: each field left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub signup_mode: Option<SignupMode>,
    /// At most 50 domains.
    #[schema(max_items = 50)]
    pub signup_email_domains: Option<Vec<String>>,
    pub require_verified_email: Option<bool>,
    pub require_second_factor: Option<SecondFactorPolicy>,
}

/// The sign-up settings.
#[utoipa::path(
    get,
    path = "/api/v1/admin/settings",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings.", body = Settings),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
pub async fn settings(
    State(db): State<Db>,
    AdminSession(_): AdminSession,
) -> Result<Json<Settings>, Problem> {
    let policy = signup::store::policy(&db).await?;
    Ok(Json(policy.into()))
}

/// Change the sign-up settings; logged in the security log.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/settings",
    tag = TAG,
    security(("bearer" = [])),
    request_body = SettingsChange,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The settings now.", body = Settings),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn update_settings(
    State(db): State<Db>,
    AdminSession(session): AdminSession,
    client: Client,
    ApiJson(change): ApiJson<SettingsChange>,
) -> Result<Json<Settings>, Problem> {
    let current = signup::store::policy(&db).await?;
    let mode = change.signup_mode.unwrap_or(current.mode);
    let domains = match change.signup_email_domains {
        Some(domains) if domains.len() > signup::MAX_SIGNUP_DOMAINS => {
            return Err(AppError::Invalid(format!(
                "Sign-up can be limited to at most {} domains.",
                signup::MAX_SIGNUP_DOMAINS
            ))
            .in_field("signup_email_domains")
            .into());
        }
        Some(domains) => domains.join(","),
        None => current.email_domains.join(","),
    };
    let require_verified_email = change
        .require_verified_email
        .unwrap_or(current.require_verified_email);
    let require_second_factor = change
        .require_second_factor
        .unwrap_or(current.require_second_factor);
    let policy = signup_policy(
        mode.as_str(),
        &domains,
        require_verified_email,
        require_second_factor.as_str(),
    )
    .map_err(|error| match error {
        AppError::InvalidField { message, .. } => {
            AppError::Invalid(message).in_field("signup_email_domains")
        }
        other => other,
    })?;
    store::set_signup_policy(&db, &policy, Some(session.user_id), &client).await?;
    Ok(Json(policy.into()))
}

impl From<signup::store::SignupPolicy> for Settings {
    fn from(policy: signup::store::SignupPolicy) -> Self {
        Self {
            signup_mode: policy.mode,
            signup_email_domains: policy.email_domains,
            require_verified_email: policy.require_verified_email,
            require_second_factor: policy.require_second_factor,
        }
    }
}

/// One invitation (never its token, which only its link holds).
#[derive(Serialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    /// The only address that may use it, if bound.
    pub email: Option<String>,
    /// The role of the accounts it makes: `user` or `admin`.
    pub role: String,
    pub uses: i64,
    pub uses_left: i64,
    pub expires_at: String,
    pub created_at: String,
    /// The maker's email; `null` when made on the command line or the
    /// maker's account is gone.
    pub created_by: Option<String>,
    /// `usable`, `used_up`, `expired` or `revoked`.
    pub status: String,
}

impl From<InvitationOverview> for Invitation {
    fn from(overview: InvitationOverview) -> Self {
        Self {
            id: overview.id.parse().unwrap_or_default(),
            email: overview.email,
            role: if overview.makes_admin {
                "admin"
            } else {
                "user"
            }
            .into(),
            uses: overview.uses,
            uses_left: overview.uses_left,
            expires_at: overview.expires_at,
            created_at: overview.created_at,
            created_by: overview.created_by,
            status: match overview.status {
                InvitationStatus::Usable => "usable",
                InvitationStatus::UsedUp => "used_up",
                InvitationStatus::Expired => "expired",
                InvitationStatus::Revoked => "revoked",
            }
            .into(),
        }
    }
}

/// A page of invitations, newest first.
#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<Invitation>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationParams {
    /// The `next_cursor` of the page before.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// How many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// The invitations, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/invites",
    tag = TAG,
    security(("bearer" = [])),
    params(InvitationParams),
    responses(
        (status = 200, description = "A page of invitations.", body = InvitationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn invites(
    State(db): State<Db>,
    AdminSession(_): AdminSession,
    params: Result<Query<InvitationParams>, QueryRejection>,
) -> Result<Json<InvitationList>, Problem> {
    let params = read_query(params)?;
    let limit = page_limit(
        params.limit.as_deref(),
        INVITATIONS_PER_PAGE,
        MAX_INVITATIONS_PER_PAGE,
        "invitations",
    )?;
    let after = page_cursor(params.cursor.as_deref())?;
    let (items, next_cursor) = invitation_page(&db, after, limit).await?;
    Ok(Json(InvitationList {
        items: items.into_iter().map(Invitation::from).collect(),
        next_cursor,
    }))
}

/// What a new invitation is: every field optional.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationBody {
    /// Only this address may use it.
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// How many accounts it can make: 1 to 1000, default 1.
    #[schema(minimum = 1, maximum = 1000)]
    pub uses: Option<u32>,
    /// How many days it can be used: 1 to 90, default 7.
    #[schema(minimum = 1, maximum = 90)]
    pub days: Option<u32>,
    /// `user` (default) or `admin`: the role of the accounts it makes.
    pub role: Option<String>,
}

/// A new invitation, with its link: the only time the link is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedInvitation {
    /// `<PUBLIC_ORIGIN>/signup?invite=<token>`; register takes the token as
    /// `invite`.
    pub url: String,
    /// Whether the link was also mailed to `email` (an invitation bound to
    /// an address, on an instance that sends mail).
    pub mailed: bool,
    #[serde(flatten)]
    pub invitation: Invitation,
}

/// Make an invitation; logged in the security log.
#[utoipa::path(
    post,
    path = "/api/v1/admin/invites",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewInvitationBody,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Made; `url` is shown this once.", body = CreatedInvitation),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = TooManyInvitations),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create_invite(
    State(db): State<Db>,
    State(origin): State<PublicOrigin>,
    State(mailer): State<Mailer>,
    AdminSession(session): AdminSession,
    client: Client,
    ApiJson(body): ApiJson<NewInvitationBody>,
) -> Result<(StatusCode, Json<CreatedInvitation>), Problem> {
    let (uses, days) = (
        body.uses.map(|uses| uses.to_string()),
        body.days.map(|days| days.to_string()),
    );
    let new = new_invitation(
        body.email.as_deref(),
        uses.as_deref(),
        days.as_deref(),
        body.role.as_deref(),
        Some(session.user_id),
    )?;
    let mailed = new.email.is_some() && mailer.can_send();
    let (id, token) = store::create_invitation(
        &db,
        &new,
        &client,
        invitation_mail(&new, &mailer, &origin.0),
    )
    .await?;
    mailer.wake();
    let record = signup::store::invitation(&db, id)
        .await?
        .ok_or_else(|| Problem::from(AppError::internal("an invitation just made is gone")))?;
    let invitation = crate::admin::console::overview(record, crate::db::now());
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvitation {
            url: signup::invitation_url(&origin.0, &token),
            mailed,
            invitation: invitation.into(),
        }),
    ))
}

/// Revoke an invitation: it makes no account from now on. Revoking one
/// again changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/invites/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn revoke_invite(
    State(db): State<Db>,
    AdminSession(session): AdminSession,
    client: Client,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| Problem::from(AppError::NotFound))?;
    store::revoke_invitation(&db, id, Some(session.user_id), &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The most mails one page of the API lists.
const MAX_MAILS_PER_PAGE: usize = 200;

/// One mail of the outbox (never its body, whose links may be secrets).
#[derive(Serialize, ToSchema)]
pub struct OutboxMail {
    pub id: i64,
    /// The address it goes to.
    pub to: String,
    /// What it is about: `test`, ...
    pub kind: String,
    /// `queued`, `sent`, `failed`, or `kept` (development without a relay).
    pub status: String,
    /// Handovers to the relay so far.
    pub attempts: i32,
    /// The relay's last answer, or why it could not be reached.
    pub last_error: Option<String>,
    pub created_at: String,
    /// While queued: when it is tried next.
    pub next_attempt_at: Option<String>,
    /// When it was sent, failed for good, or kept.
    pub finished_at: Option<String>,
}

/// A page of the outbox, newest first.
#[derive(Serialize, ToSchema)]
pub struct MailList {
    pub items: Vec<OutboxMail>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailParams {
    /// The `next_cursor` of the page before.
    #[param(max_length = 20)]
    pub cursor: Option<String>,
    /// How many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// The outbox: every mail with its state, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/mail",
    tag = TAG,
    security(("bearer" = [])),
    params(MailParams),
    responses(
        (status = 200, description = "A page of mail.", body = MailList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn mail(
    State(db): State<Db>,
    State(mailer): State<Mailer>,
    AdminSession(_): AdminSession,
    params: Result<Query<MailParams>, QueryRejection>,
) -> Result<Json<MailList>, Problem> {
    let params = read_query(params)?;
    let limit = page_limit(
        params.limit.as_deref(),
        MAILS_PER_PAGE,
        MAX_MAILS_PER_PAGE,
        "mails",
    )?;
    let before = mail_cursor(params.cursor.as_deref())?;
    let page = mail_page(&db, &mailer, before, limit).await?;
    Ok(Json(MailList {
        items: page
            .mails
            .into_iter()
            .map(|mail| OutboxMail {
                id: mail.id,
                to: mail.recipient,
                kind: mail.kind,
                status: mail.status.as_str().into(),
                attempts: mail.attempts,
                last_error: mail.last_error,
                created_at: mail.created_at,
                next_attempt_at: mail.next_attempt_at,
                finished_at: mail.finished_at,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Where a test mail goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMailBody {
    #[schema(max_length = 254)]
    pub to: String,
}

/// A mail queued.
#[derive(Serialize, ToSchema)]
pub struct QueuedMail {
    /// Its id in `GET /api/v1/admin/mail`.
    pub id: i64,
}

/// Queue a test mail (10 per administrator and hour); its state shows in
/// the outbox.
#[utoipa::path(
    post,
    path = "/api/v1/admin/mail/test",
    tag = TAG,
    security(("bearer" = [])),
    request_body = TestMailBody,
    responses(
        JsonBodyRefusals,
        (status = 202, description = "Queued.", body = QueuedMail),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = MailOff),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn test_mail(
    State(db): State<Db>,
    State(auth): State<std::sync::Arc<AuthService>>,
    State(mailer): State<Mailer>,
    State(origin): State<PublicOrigin>,
    AdminSession(session): AdminSession,
    ApiJson(body): ApiJson<TestMailBody>,
) -> Result<(StatusCode, Json<QueuedMail>), Problem> {
    let id = send_test_mail(&auth, &db, &mailer, &origin, &session, &body.to).await?;
    Ok((StatusCode::ACCEPTED, Json(QueuedMail { id })))
}

/// A reset link made for a user.
#[derive(Serialize, ToSchema)]
pub struct ResetLink {
    /// `<PUBLIC_ORIGIN>/reset-password?token=<token>`: shown this once;
    /// hand it to the user yourself.
    pub url: String,
    /// RFC 3339; 30 minutes from now.
    pub expires_at: String,
}

/// Make a one-time reset link for a user (for instances without mail, or
/// a user whose mail does not arrive); any older link of theirs stops
/// working. Logged in the security log.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/reset-link",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 201, description = "Made; `url` is shown this once.", body = ResetLink),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn reset_link(
    State(auth): State<std::sync::Arc<AuthService>>,
    AdminSession(session): AdminSession,
    client: Client,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ResetLink>), Problem> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| Problem::from(AppError::NotFound))?;
    let (url, expires_at) = auth
        .make_reset_link(id, Some(session.user_id), &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ResetLink {
            url,
            expires_at: expires_at.to_rfc3339(),
        }),
    ))
}
