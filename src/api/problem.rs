//! RFC 9457 problem details: the one error shape of `/api/v1`.
//!
//! Errors from the account and todo rules ([`AppError`]) become problems
//! here, and [`problem_responses`] turns every other error response on
//! `/api/v1` (unknown route, wrong method, body over the size limit) into
//! one too, so a client parses a single shape.

use axum::{
    Json,
    extract::Request,
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use std::collections::BTreeMap;

use utoipa::{
    IntoResponses, PartialSchema, ToResponse, ToSchema,
    openapi::{
        ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder,
        response::Response as DocResponse,
    },
};

use crate::{
    config::REQUEST_BODY_LIMIT,
    error::AppError,
    transfer::{ImportRefusal, MAX_IMPORT_BYTES},
};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// What went wrong, for programs (`type`, `status`) and for people
/// (`title`, `detail`, and per-field `errors` for 422).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(
    example = json!({
        "type": "urn:taskward:problem:invalid",
        "title": "Some input is not valid",
        "status": 422,
        "detail": "A todo needs a title.",
        "errors": [{ "pointer": "#/title", "detail": "A todo needs a title." }]
    })
)]
pub struct Problem {
    /// Identifies the kind of problem: `urn:taskward:problem:<code>`, or
    /// `about:blank` when the HTTP status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem; the same for every instance.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened this time, in words a person can act on.
    pub detail: String,
    /// The inputs at fault (only for 422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip)]
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// One input at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// A JSON Pointer (as a URI fragment) to the input: `#/title`, or the
    /// query parameter's name (`#/limit`).
    pub pointer: String,
    pub detail: String,
    /// For an import's CSV file: the line the problem is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// The realm sent with every 401, so clients know to present a token.
const BEARER_CHALLENGE: &str = "Bearer realm=\"taskward\"";
/// The challenge of a 401 for a token that was presented and refused.
const INVALID_TOKEN_CHALLENGE: &str = "Bearer realm=\"taskward\", error=\"invalid_token\", \
    error_description=\"The access token is invalid, expired or revoked\"";

impl Problem {
    /// A problem of type `urn:taskward:problem:<code>`.
    fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self::of_type(
            format!("urn:taskward:problem:{code}"),
            status,
            title,
            detail,
        )
    }

    fn of_type(kind: String, status: StatusCode, title: &str, detail: impl Into<String>) -> Self {
        let mut problem = Self {
            kind,
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        };
        if status == StatusCode::UNAUTHORIZED {
            problem.headers.push((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(BEARER_CHALLENGE),
            ));
        }
        problem
    }

    /// A problem the HTTP status describes fully (`type: about:blank`).
    pub fn from_status(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::of_type(
            "about:blank".into(),
            status,
            status.canonical_reason().unwrap_or("Error"),
            detail,
        )
    }

    /// A 404 for a path the API does not have.
    pub fn no_such_address() -> Self {
        Self::from_status(
            StatusCode::NOT_FOUND,
            "There is nothing at this address. See /api/v1/openapi.json.",
        )
    }

    pub fn malformed_body(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "The request body could not be read",
            detail,
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The body must be JSON",
            "Send the body as JSON, with the header Content-Type: application/json.",
        )
    }

    pub fn body_too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "The request body is too large",
            format!("Keep the request body under {} KiB.", limit_bytes / 1024),
        )
    }

    /// A 422 for an import whose file has problems, each listed (with its
    /// CSV line, or its JSON pointer).
    pub fn invalid_import(refusal: &ImportRefusal) -> Self {
        let ImportRefusal::File { message, problems } = refusal else {
            return Self::from(match refusal {
                ImportRefusal::Other(error) => error.clone(),
                ImportRefusal::File { .. } => AppError::Internal,
            });
        };
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_import",
            "The file cannot be imported",
            message.clone(),
        );
        problem.errors = problems
            .iter()
            .map(|found| FieldError {
                pointer: found.pointer.clone().unwrap_or_else(|| "#".to_owned()),
                detail: found.detail.clone(),
                line: found.line,
            })
            .collect();
        problem
    }

    pub fn import_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "The file is too large",
            format!(
                "An import file may be at most {} MiB. Split it and import the parts one by one.",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        )
    }

    pub fn unsupported_import_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send JSON or CSV",
            "Send a Taskward export as Content-Type: application/json, or todos as \
             Content-Type: text/csv.",
        )
    }

    /// A 422 for one input; `pointer` like `#/title`, or `#` for the body.
    pub fn invalid_field(pointer: String, detail: String) -> Self {
        let mut problem = Self::from(AppError::Invalid(detail.clone()));
        problem.errors.push(FieldError {
            pointer,
            detail,
            line: None,
        });
        problem
    }

    /// A 403 for a personal API token on what it may not reach: a `read`
    /// token on a change (`insufficient_scope`), or any token on what
    /// guards the account itself (`session_required`).
    pub fn token_cannot(code: &str, detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, "Forbidden", detail)
    }

    /// A 401 for a token that was presented and refused (RFC 6750's
    /// `invalid_token`): damaged, forged, expired or revoked.
    pub fn invalid_token(detail: &str) -> Self {
        let mut problem = Self::from(AppError::Unauthenticated);
        problem.detail = detail.to_owned();
        problem.headers = vec![(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(INVALID_TOKEN_CHALLENGE),
        )];
        problem
    }
}

impl<R: Into<AppError>> From<crate::db::StoreError<R>> for Problem {
    #[track_caller]
    fn from(error: crate::db::StoreError<R>) -> Self {
        AppError::from(error).into()
    }
}

impl From<sqlx::Error> for Problem {
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status = error.http_status();
        let title = match &error {
            AppError::Invalid(_) | AppError::InvalidField { .. } => "Some input is not valid",
            AppError::Unauthenticated => "Authentication required",
            AppError::InvalidCredentials => "Invalid credentials",
            AppError::Forbidden => "Forbidden",
            AppError::AccountDisabled(_) => "Account disabled",
            AppError::SignupClosed(_) => "Sign-up closed",
            AppError::InviteInvalid(_) => "Invitation not valid",
            AppError::EmailUnverified => "Email address not confirmed",
            AppError::SecondFactorRequired => "Second factor required",
            AppError::InvalidSecondFactor => "Invalid code",
            AppError::SignInStepExpired => "Sign-in expired",
            AppError::PasskeyRefused => "Passkey not accepted",
            AppError::NotFound => "Not found",
            AppError::Conflict(_) => "Conflict",
            AppError::RateLimited { .. } => "Too many requests",
            AppError::Internal => "Internal error",
            AppError::Unavailable | AppError::Network => "Service unavailable",
        };
        let mut problem = Self::new(status, error.code(), title, error.to_string());
        if let Some(field) = error.field() {
            problem.errors.push(FieldError {
                pointer: format!("#/{field}"),
                detail: error.to_string(),
                line: None,
            });
        }
        if let Some(seconds) = error.retry_after_secs() {
            problem
                .headers
                .push((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = self.headers.clone();
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        response.headers_mut().extend(headers);
        response
    }
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|value| {
        value
            .as_bytes()
            .starts_with(PROBLEM_CONTENT_TYPE.as_bytes())
    })
}

/// Layered on `/api/v1`: an error response that is not yet a problem
/// (axum's 405, the body limit's 413, an extractor's rejection) becomes one
/// with the same status and headers (e.g. `Allow`).
pub async fn problem_responses(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(response.headers()) {
        return response;
    }
    let problem = match status {
        StatusCode::NOT_FOUND => Problem::no_such_address(),
        StatusCode::PAYLOAD_TOO_LARGE => Problem::body_too_large(REQUEST_BODY_LIMIT),
        StatusCode::METHOD_NOT_ALLOWED => Problem::from_status(
            status,
            "This address does not accept that method; the Allow header lists those it does.",
        ),
        _ if status.is_server_error() => Problem::from_status(
            status,
            "Something went wrong on our side. Please try again.",
        ),
        _ => Problem::from_status(status, "The request could not be processed."),
    };
    replace_body(response, problem)
}

fn replace_body(original: Response, problem: Problem) -> Response {
    let (parts, _) = original.into_parts();
    let mut response = problem.into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !response.headers().contains_key(name)
        {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

/// The problem responses the OpenAPI document refers to, one per status.
pub fn problem_response(description: &str, challenge: bool, retry_after: bool) -> DocResponse {
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_CONTENT_TYPE,
        ContentBuilder::new()
            .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
            .build(),
    );
    if challenge {
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(String::schema()))
                .description(Some("`Bearer realm=\"taskward\"`, with `error=\"invalid_token\"` when a token was refused"))
                .build(),
        );
    }
    if retry_after {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(u64::schema()))
                .description(Some("Seconds to wait before trying again"))
                .build(),
        );
    }
    response.build()
}

/// A reusable problem response for the document: name, description, and
/// whether it carries `WWW-Authenticate` and `Retry-After`. A macro because
/// utoipa names a response by a type, so each needs a struct and its impl.
macro_rules! problem_doc {
    ($name:ident, $description:literal, challenge: $challenge:literal, retry_after: $retry:literal) => {
        #[doc = $description]
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<DocResponse>) {
                (
                    stringify!($name),
                    problem_response($description, $challenge, $retry).into(),
                )
            }
        }
    };
}

problem_doc!(BadRequest, "The body is not valid JSON, or the query or path could not be read.", challenge: false, retry_after: false);
problem_doc!(Unauthorized, "The bearer token is missing, malformed, expired or revoked.", challenge: true, retry_after: false);
problem_doc!(WrongCredentials, "The email or the password is wrong (one message for both).", challenge: true, retry_after: false);
problem_doc!(NotFound, "No such todo or list among yours.", challenge: false, retry_after: false);
problem_doc!(Conflict, "The change clashes with what you have: a list name you use already, a list that still has todos, the Inbox (which keeps its name and place), or as many lists as one may keep.", challenge: false, retry_after: false);
problem_doc!(AccountDisabledByAdmin, "The password was right, but an administrator disabled the account; `detail` says until when and why.", challenge: false, retry_after: false);
problem_doc!(TodoLimitReached, "The account has as many todos as one may keep (`MAX_TODOS_PER_USER`).", challenge: false, retry_after: false);
problem_doc!(Forbidden, "The account is not an administrator.", challenge: false, retry_after: false);
problem_doc!(EmailUnconfirmed, "`email_unverified`: this instance requires a confirmed email address before todos and lists are used, and the account's is not confirmed yet. Follow the mailed link; `POST /api/v1/auth/verify-email/resend` sends another. Or `insufficient_scope`: a personal API token with the `read` scope asked for a change.", challenge: false, retry_after: false);
problem_doc!(SecondFactorNeeded, "`second_factor_required`: this instance requires a second factor of this account (its `require_second_factor` setting) and it has none yet: only `POST /api/v1/auth/totp`, `POST /api/v1/auth/totp/confirm`, the passkey endpoints under `/api/v1/auth/passkeys` and sign-out answer until one is set up.", challenge: false, retry_after: false);
problem_doc!(WrongCode, "`invalid_code`: the code is wrong or was used already; or `sign_in_expired`: the challenge is unknown, expired (5 minutes) or already used: sign in again.", challenge: false, retry_after: false);
problem_doc!(PasskeyNotAccepted, "`passkey_refused`: the passkey is not one of an account here (or of this account), or its answer does not check out against the ceremony's challenge; or `sign_in_expired` for a sign-in step that is unknown, expired or finished.", challenge: false, retry_after: false);
problem_doc!(SessionRequired, "`session_required`: a personal API token was sent where only a signed-in session may act (tokens, password, sessions, the address, administration).", challenge: false, retry_after: false);
problem_doc!(TooManyInvitations, "As many invitations are usable as one instance keeps (1,000): revoke some first.", challenge: false, retry_after: false);
problem_doc!(MailOff, "This instance cannot send mail: `SMTP_URL` is not set.", challenge: false, retry_after: false);
problem_doc!(EmailTaken, "That email is already registered.", challenge: false, retry_after: false);
problem_doc!(SignupRefused, "The instance takes no sign-up like this one: `signup_closed` (sign-up is closed, by invitation only, or not for this email domain) or `invite_invalid` (the invitation is unknown, used up, expired, revoked, or for another address); `detail` says which.", challenge: false, retry_after: false);
problem_doc!(BodyTooLarge, "The body is larger than the server accepts (128 KiB; an import file, 8 MiB).", challenge: false, retry_after: false);
problem_doc!(UnsupportedMediaType, "The body is not sent as application/json (an import: application/json or text/csv).", challenge: false, retry_after: false);
problem_doc!(Unprocessable, "Some input is not valid; `errors` names each input at fault.", challenge: false, retry_after: false);
problem_doc!(TooManyRequests, "Too many attempts from this address, or for this account.", challenge: false, retry_after: true);
problem_doc!(Unavailable, "The server is briefly overloaded; try again in a moment.", challenge: false, retry_after: false);

/// The refusals of any operation that reads a JSON body: 400 (not JSON),
/// 413 (too large), 415 (not sent as JSON) and 422 (wrong shape or values).
pub struct JsonBodyRefusals;

impl IntoResponses for JsonBodyRefusals {
    fn responses() -> BTreeMap<String, RefOr<DocResponse>> {
        let reference = |name: &str| RefOr::Ref(Ref::from_response_name(name));
        BTreeMap::from([
            ("400".into(), reference(BadRequest::response().0)),
            ("413".into(), reference(BodyTooLarge::response().0)),
            ("415".into(), reference(UnsupportedMediaType::response().0)),
            ("422".into(), reference(Unprocessable::response().0)),
        ])
    }
}
