//! The JSON API, version 1, at `/api/v1`: for clients that are not
//! browsers (mobile apps, scripts, other services).
//!
//! - Bearer tokens only: cookies are never read here (so no CSRF check is
//!   needed), and the token rules are the web session's ([`extract`]).
//! - Every error is an RFC 9457 problem ([`problem`]).
//! - Handlers are thin: they call the same account service, list and todo
//!   stores as the server functions behind the pages ([`auth`], [`lists`],
//!   [`todos`]).
//! - The OpenAPI 3.1 document is generated from the handlers' annotations
//!   and served at `/api/v1/openapi.json`; schemathesis checks the running
//!   app against it in the test command.

// A problem is built only on the error path, where its size does not matter.
#![allow(clippy::result_large_err)]

pub mod admin;
pub mod admin_users;
pub mod auth;
pub mod calendar_feed;
pub mod extract;
pub mod lists;
pub mod passkeys;
pub mod problem;
pub mod push;
pub mod reminders;
pub mod second_factor;
pub mod sessions;
pub mod todos;
pub mod tokens;
pub mod transfer;
pub mod undo;

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::FromRef,
    http::{HeaderValue, header},
    middleware::from_fn,
    response::{IntoResponse, Response},
    routing::{any, get},
};
use tower_http::{limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::service::AuthService,
    calendar::Clock,
    config::{PublicOrigin, REQUEST_BODY_LIMIT},
    db::Db,
    todos::TodoLimit,
    transfer::stream::RunningExports,
    undo::UndoWindow,
};
use problem::Problem;

/// Where the API lives. Paths in the handlers' annotations repeat it, so
/// the document reads as the URLs clients call.
pub const PREFIX: &str = "/api/v1";

/// What the API's handlers use: the same database and account service as
/// the pages.
#[derive(Clone, FromRef)]
pub struct ApiState {
    pub db: Db,
    pub auth: Arc<AuthService>,
    pub todo_limit: TodoLimit,
    /// Where "now" comes from, for the user's today.
    pub clock: Clock,
    pub undo_window: UndoWindow,
    /// The exports running on this instance, shared with the account page.
    pub exports: Arc<RunningExports>,
    /// Where the instance is reached: invitation links start with it.
    pub public_origin: PublicOrigin,
    pub mailer: crate::mail::Mailer,
    pub push: crate::push::sender::PushSender,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Taskward API",
        version = "1.0.0",
        description = "Your Taskward account and todo list, for clients that are not browsers. \
            Register or sign in for a bearer token, then send it as `Authorization: Bearer <token>`; \
            a script can use a personal API token (`/api/v1/auth/tokens`, scope `read` or `write`) \
            the same way. Errors are RFC 9457 problem details (`application/problem+json`).",
    ),
    modifiers(&BearerSecurity),
    components(
        schemas(Problem, problem::FieldError),
        responses(
            problem::BadRequest,
            problem::Unauthorized,
            problem::WrongCredentials,
            problem::NotFound,
            problem::EmailTaken,
            problem::SignupRefused,
            problem::Forbidden,
            problem::EmailUnconfirmed,
            problem::SessionRequired,
            problem::SecondFactorNeeded,
            problem::WrongCode,
            problem::PasskeyNotAccepted,
            problem::TooManyInvitations,
            problem::MailOff,
            problem::Conflict,
            problem::TodoLimitReached,
            problem::AccountDisabledByAdmin,
            problem::BodyTooLarge,
            problem::UnsupportedMediaType,
            problem::Unprocessable,
            problem::TooManyRequests,
            problem::Unavailable,
        )
    ),
    tags(
        (name = auth::TAG, description = "Accounts and bearer tokens"),
        (name = todos::TAG, description = "Your todos"),
        (name = lists::TAG, description = "Your lists"),
        (name = reminders::TAG, description = "What became of your reminders"),
        (name = calendar_feed::TAG, description = "Your todos in your calendar app"),
        (name = push::TAG, description = "Reminders by Web Push: the browsers you subscribed"),
        (name = transfer::TAG, description = "All your data: export and import"),
        (name = admin::TAG, description = "For administrators: users, the security log, sign-up settings, invitations and mail"),
    )
)]
struct ApiDoc;

/// The `bearer` scheme the operations' `security` names.
struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The access_token from register, signin or refresh."))
                    .build(),
            ),
        );
    }
}

/// The routes and their document, built from the same list. Request
/// bodies are small (128 KiB) everywhere but on the import, which reads
/// its file with a limit of its own.
fn routes() -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    let import = OpenApiRouter::new().routes(routes!(transfer::import));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::register))
        .routes(routes!(auth::sign_in))
        .routes(routes!(second_factor::finish_sign_in))
        .routes(routes!(
            second_factor::begin_totp,
            second_factor::disable_totp
        ))
        .routes(routes!(second_factor::confirm_totp))
        .routes(routes!(second_factor::renew_recovery_codes))
        .routes(routes!(passkeys::passkeys, passkeys::finish_registration))
        .routes(routes!(passkeys::begin_registration))
        .routes(routes!(passkeys::delete_passkey))
        .routes(routes!(passkeys::begin_sign_in))
        .routes(routes!(passkeys::finish_sign_in))
        .routes(routes!(passkeys::begin_second_factor))
        .routes(routes!(passkeys::finish_second_factor))
        .routes(routes!(auth::sign_out))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::me, auth::update_me))
        .routes(routes!(auth::password_reset))
        .routes(routes!(auth::password_reset_confirm))
        .routes(routes!(auth::verify_email))
        .routes(routes!(auth::resend_verification))
        .routes(routes!(
            auth::request_email_change,
            auth::cancel_email_change
        ))
        .routes(routes!(sessions::sessions))
        .routes(routes!(sessions::end_session))
        .routes(routes!(tokens::tokens, tokens::create_token))
        .routes(routes!(tokens::delete_token))
        .routes(routes!(sessions::events))
        .routes(routes!(todos::list, todos::create))
        .routes(routes!(todos::get, todos::update, todos::delete))
        .routes(routes!(todos::move_todo))
        .routes(routes!(todos::parse))
        .routes(routes!(reminders::deliveries))
        .routes(routes!(reminders::test))
        .routes(routes!(push::key))
        .routes(routes!(push::subscriptions, push::subscribe))
        .routes(routes!(push::unsubscribe))
        .routes(routes!(
            calendar_feed::feed,
            calendar_feed::create_feed,
            calendar_feed::delete_feed
        ))
        .routes(routes!(lists::list, lists::create))
        .routes(routes!(lists::get, lists::update, lists::delete))
        .routes(routes!(undo::undo))
        .routes(routes!(transfer::export))
        .routes(routes!(admin::settings, admin::update_settings))
        .routes(routes!(admin::invites, admin::create_invite))
        .routes(routes!(admin::revoke_invite))
        .routes(routes!(admin::mail))
        .routes(routes!(admin::test_mail))
        .routes(routes!(admin::reset_link))
        .routes(routes!(admin_users::users))
        .routes(routes!(
            admin_users::user,
            admin_users::update_user,
            admin_users::delete_user
        ))
        .routes(routes!(admin_users::end_user_sessions))
        .routes(routes!(admin_users::remove_second_factor))
        .routes(routes!(admin_users::events))
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_LIMIT))
        .merge(import)
        .split_for_parts()
}

/// `/api/v1`: the endpoints, the document, and a problem for any other path
/// below it, with the layers of this surface: every error is a problem, and
/// no answer is stored by caches.
pub fn router(state: ApiState) -> Router {
    let (router, document) = routes();
    let document = Bytes::from(
        document
            .to_pretty_json()
            .expect("the OpenAPI document serializes"),
    );
    router
        .route(
            &format!("{PREFIX}/openapi.json"),
            get(move || {
                let document = document.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        document,
                    )
                }
            }),
        )
        .route(PREFIX, any(no_such_address))
        .route(&format!("{PREFIX}/{{*rest}}"), any(no_such_address))
        // Outside the body limits, so that their 413 becomes a problem too.
        .layer(from_fn(problem::problem_responses))
        // Every answer is for the holder of one token: no cache keeps it.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

async fn no_such_address() -> Response {
    Problem::no_such_address().into_response()
}
