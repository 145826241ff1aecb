//! What `/api/v1` handlers take from a request, each refusing bad input
//! with a problem: the JSON body, the bearer session and the client's
//! address.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, FromRequestParts, Request},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;

use super::problem::Problem;
use crate::{
    auth::{
        api_tokens::{PersonalToken, TokenScope},
        credentials::bearer_token,
        service::{AuthService, Credential, Session, SessionState},
    },
    client::Client,
    config::REQUEST_BODY_LIMIT,
    error::AppError,
};

/// A JSON body. Refuses a wrong content type (415), a body over the limit
/// (413), text that is not JSON (400), and JSON of the wrong shape, such
/// as a missing or unknown field (422, naming the field).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(request.headers()) {
            return Err(Problem::unsupported_media_type());
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => Problem::body_too_large(REQUEST_BODY_LIMIT),
                    _ => Problem::malformed_body("The request body could not be read."),
                })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::malformed_body(
            "The request body is empty; send a JSON object.",
        ));
    }
    // serde would also fill a struct from an array; every body here is an object.
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Ok(_) => {
                    Problem::invalid_field("#".into(), "The body must be a JSON object.".into())
                }
                Err(error) => Problem::malformed_body(format!(
                    "The request body is not valid JSON: {}.",
                    without_position(&error.to_string())
                )),
            },
        );
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = without_position(&inner.to_string());
        match inner.classify() {
            serde_json::error::Category::Data => {
                Problem::invalid_field(pointer(&path, &message), capitalized(&message))
            }
            _ => Problem::malformed_body(format!("The request body is not valid JSON: {message}.")),
        }
    })
}

/// serde's messages end with "at line 1 column 9": true, but noise here.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// Where in the body the problem is: the path serde reached (which names
/// an unknown field itself), plus the field a "missing field" names.
fn pointer(path: &str, message: &str) -> String {
    let mut segments: Vec<&str> = path
        .split('.')
        .filter(|segment| !segment.is_empty() && *segment != "?")
        .collect();
    if message.starts_with("missing field `")
        && let Some(field) = message.split('`').nth(1)
    {
        segments.push(field);
    }
    let mut pointer = String::from("#");
    for segment in segments {
        pointer.push('/');
        pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    }
    pointer
}

fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// The bearer token in `Authorization`, not yet checked.
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let token = bearer_token(&parts.headers)
            .map_err(|_| {
                Problem::invalid_token("Send the token as `Authorization: Bearer <token>`.")
            })?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self(token.to_owned()))
    }
}

/// The session of the bearer token in `Authorization`: a session's token
/// only. What guards the account itself (its tokens, password, sessions,
/// address, and administration) takes this; a personal API token gets 403
/// `session_required` here. Cookies are never read here: without ambient
/// credentials the API needs no CSRF defence.
pub struct Authenticated(pub Session);

impl<S> FromRequestParts<S> for Authenticated
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Enrolling(session) = Enrolling::from_request_parts(parts, state).await?;
        session.second_factor_access()?;
        Ok(Self(session))
    }
}

/// As [`Authenticated`], also while the instance requires a second factor
/// of the account and it has none yet: for setting one up, which is all
/// such an account may do (anything else answers 403
/// `second_factor_required`).
pub struct Enrolling(pub Session);

impl<S> FromRequestParts<S> for Enrolling
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let session = resolve(parts, state).await?;
        if let Credential::ApiToken(_) = session.via {
            return Err(Problem::token_cannot(
                "session_required",
                "An API token cannot manage the account (tokens, password, sessions, second \
                 factors, address, administration): sign in for that.",
            ));
        }
        Ok(Self(session))
    }
}

/// The session of a session's token or of a personal API token, as any
/// scope may use it: reading who is signed in.
pub struct SignedIn(pub Session);

impl<S> FromRequestParts<S> for SignedIn
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let session = resolve(parts, state).await?;
        session.second_factor_access()?;
        Ok(Self(session))
    }
}

/// The session the bearer token (a session's or a personal API token)
/// stands for, whatever the second-factor policy says of it.
async fn resolve<S>(parts: &mut Parts, state: &S) -> Result<Session, Problem>
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    let BearerToken(token) = BearerToken::from_request_parts(parts, state).await?;
    let auth = Arc::<AuthService>::from_ref(state);
    if PersonalToken::looks_like_one(&token) {
        let state = match PersonalToken::presented(&token) {
            Some(token) => auth.resolve_api_token(&token).await?,
            None => SessionState::Invalid,
        };
        return match state {
            SessionState::Valid(session) => Ok(session),
            _ => Err(Problem::invalid_token(
                "This API token is not valid, has expired or was deleted. Make a new one on \
                 your account's security page.",
            )),
        };
    }
    match auth.resolve(&token).await? {
        SessionState::Valid(session) => Ok(session),
        SessionState::Ended => Err(Problem::invalid_token(
            "This token has expired or was revoked. Sign in again for a new one.",
        )),
        SessionState::Invalid | SessionState::Anonymous => Err(Problem::invalid_token(
            "This token is not valid. Sign in again for a new one.",
        )),
    }
}

/// The session of a request on todos or lists: a session's token, or a
/// personal API token whose scope allows the method (`read`: GET and HEAD
/// only; else 403 `insufficient_scope`). Refused (403 `email_unverified`)
/// while the instance requires a confirmed address that the account has
/// not confirmed.
pub struct TodoSession(pub Session);

impl<S> FromRequestParts<S> for TodoSession
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let SignedIn(session) = SignedIn::from_request_parts(parts, state).await?;
        let reads = matches!(parts.method, Method::GET | Method::HEAD);
        if session.via == Credential::ApiToken(TokenScope::Read) && !reads {
            return Err(Problem::token_cannot(
                "insufficient_scope",
                "This API token may only read. Make a token with the write scope for changes.",
            ));
        }
        session.todo_access()?;
        Ok(Self(session))
    }
}

/// Who sent the request, as the web layer resolved it (the address through
/// trusted proxies only), for budgets and the security log.
impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        Ok(parts
            .extensions
            .get::<Client>()
            .cloned()
            .ok_or_else(|| AppError::internal("client missing"))?)
    }
}

/// A list operation's query, or 400 when it cannot be read (a parameter
/// sent twice, say).
pub fn read_query<T>(
    query: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, Problem> {
    query.map(|axum::extract::Query(query)| query).map_err(|_| {
        Problem::from_status(
            StatusCode::BAD_REQUEST,
            "The query string could not be read; send each parameter once.",
        )
    })
}

/// A list operation's `limit`: `default` when absent or empty, else a
/// whole number from 1 to `max`; a 422 naming `limit` for anything else
/// (`items` names what is listed, for the message).
pub fn page_limit(
    text: Option<&str>,
    default: usize,
    max: usize,
    items: &str,
) -> Result<usize, Problem> {
    match text.map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=max).contains(limit))
            .ok_or_else(|| {
                AppError::Invalid(format!("Ask for 1 to {max} {items} per page."))
                    .in_field("limit")
                    .into()
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        completed: Option<bool>,
    }

    fn refusal(body: &str) -> Problem {
        parse_json::<Body>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn wrong_json_names_the_field_at_fault_without_serde_noise() {
        let missing = refusal(r#"{"completed": true}"#);
        assert_eq!(missing.status, 422);
        assert_eq!(missing.errors[0].pointer, "#/title");
        assert!(!missing.detail.contains("line"), "{}", missing.detail);

        let unknown = refusal(r#"{"title": "a", "titel": "b"}"#);
        assert_eq!(unknown.errors[0].pointer, "#/titel");

        let wrong_type = refusal(r#"{"title": 5}"#);
        assert_eq!(wrong_type.errors[0].pointer, "#/title");
        assert!(
            wrong_type.detail.starts_with("Invalid type"),
            "{}",
            wrong_type.detail
        );
    }

    #[test]
    fn text_that_is_not_json_is_a_400() {
        for body in ["", "  ", "{", "title=a", "\"unterminated", "[1,"] {
            assert_eq!(refusal(body).status, 400, "{body:?}");
        }
    }

    #[test]
    fn json_that_is_not_an_object_is_a_422() {
        for body in [r#"["a"]"#, "42", "null", r#""title""#] {
            let problem = refusal(body);
            assert_eq!(problem.status, 422, "{body}");
            assert_eq!(problem.errors[0].pointer, "#");
        }
    }

    #[test]
    fn json_content_types_are_recognised_with_parameters_and_suffixes() {
        let headers = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            headers
        };
        assert!(is_json(&headers("application/json")));
        assert!(is_json(&headers("Application/JSON; charset=utf-8")));
        assert!(is_json(&headers("application/merge-patch+json")));
        assert!(!is_json(&headers("text/plain")));
        assert!(!is_json(&headers("application/x-www-form-urlencoded")));
        assert!(!is_json(&HeaderMap::new()));
    }
}
