//! The session middleware: reads the token (cookie or `Authorization:
//! Bearer`), resolves it once per request, guards protected pages with a
//! real redirect, and keeps an active user's cookie fresh.

use std::time::Duration;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::{
    navigation::{PROTECTED_PATHS, encode_query_value, safe_next_path},
    service::{IssuedToken, SessionState},
};
use crate::server::AppState;

const SECURE_COOKIE: &str = "__Host-taskward_session";
const PLAIN_COOKIE: &str = "taskward_session";

/// `__Host-` binds the cookie to this exact host, HTTPS and `Path=/`. The
/// plain name is only for plain-http development (`SESSION_COOKIE_SECURE=false`).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { PLAIN_COOKIE }
}

fn build_cookie(secure: bool, value: String, max_age: Duration) -> HeaderValue {
    let cookie = Cookie::build((cookie_name(secure), value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time_duration(max_age))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header value")
}

fn time_duration(duration: Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX))
}

/// The cookie lives until the session's absolute end, longer than the token
/// in it, so an expired token can still be told apart from no session.
pub fn session_cookie(secure: bool, issued: &IssuedToken) -> HeaderValue {
    build_cookie(secure, issued.token.clone(), issued.session_remaining)
}

/// Expires the cookie, with the same attributes it was set with.
pub fn cleared_session_cookie(secure: bool) -> HeaderValue {
    build_cookie(secure, String::new(), Duration::ZERO)
}

/// The token presented, and whether it came from the cookie.
fn presented_token(headers: &HeaderMap, secure: bool) -> Option<(String, bool)> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(|token| (token.trim().to_owned(), false));
    bearer.or_else(|| {
        CookieJar::from_headers(headers)
            .get(cookie_name(secure))
            .map(|cookie| cookie.value().to_owned())
            .filter(|value| !value.is_empty())
            .map(|token| (token, true))
    })
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/healthz" || path == "/favicon.svg"
}

fn is_protected(path: &str) -> bool {
    PROTECTED_PATHS.iter().any(|protected| {
        path.strip_prefix(protected)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// A top-level navigation that came from another site. SameSite=Strict
/// withholds the cookie on exactly these.
fn is_cross_site_navigation(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    header("sec-fetch-site") == Some("cross-site") && header("sec-fetch-mode") == Some("navigate")
}

pub async fn session_middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    // The JSON API reads bearer tokens itself and never the cookie.
    if is_static_asset(&path) || crate::api::is_api_path(&path) {
        return next.run(request).await;
    }
    let auth = state.auth.clone();
    let secure = auth.config().cookie_secure;

    let presented = presented_token(request.headers(), secure);
    let from_cookie = matches!(presented, Some((_, true)));
    let session = match &presented {
        None => SessionState::Anonymous,
        Some((token, _)) => match auth.resolve(token).await {
            Ok(session) => session,
            Err(error) => return error.into_response(),
        },
    };
    request.extensions_mut().insert(session.clone());

    let is_page_load = matches!(*request.method(), Method::GET | Method::HEAD);
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| path.clone());

    if is_page_load && is_protected(&path) && !matches!(session, SessionState::Valid(_)) {
        if matches!(session, SessionState::Anonymous) && is_cross_site_navigation(request.headers())
        {
            return continue_same_site(&path_and_query);
        }
        let mut location = format!("/signin?next={}", encode_query_value(&path_and_query));
        if matches!(session, SessionState::Ended) {
            location.push_str("&expired=1");
        }
        let mut response = redirect(&location);
        if from_cookie {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cleared_session_cookie(secure));
        }
        return response;
    }

    // Signed-in users have no business on the sign-in and sign-up forms.
    if is_page_load
        && (path == "/signin" || path == "/signup")
        && matches!(session, SessionState::Valid(_))
    {
        let next = request
            .uri()
            .query()
            .and_then(|query| {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("next="))
                    .map(super::navigation::decode_query_value)
            })
            .and_then(|next| safe_next_path(&next).map(str::to_owned))
            .unwrap_or_else(|| "/dashboard".into());
        return redirect(&next);
    }

    let refreshed = match &session {
        SessionState::Valid(session) if from_cookie => auth.refresh_if_due(session).ok().flatten(),
        _ => None,
    };

    let mut response = next.run(request).await;

    let cookie_prefix = format!("{}=", cookie_name(secure));
    let handler_set_cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| value.to_str().is_ok_and(|v| v.starts_with(&cookie_prefix)));
    if !handler_set_cookie {
        if let Some(issued) = refreshed {
            response
                .headers_mut()
                .append(header::SET_COOKIE, session_cookie(secure, &issued));
        } else if from_cookie && matches!(session, SessionState::Ended | SessionState::Invalid) {
            response
                .headers_mut()
                .append(header::SET_COOKIE, cleared_session_cookie(secure));
        }
    }
    response
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// Re-requests the same page from our own origin: that second navigation is
/// same-site, so the browser sends the SameSite=Strict cookie with it.
fn continue_same_site(path_and_query: &str) -> Response {
    let target = escape_html(path_and_query);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={target}\">\
         <title>Taskward</title></head>\
         <body><p>Opening <a href=\"{target}\">Taskward</a>\u{2026}</p></body></html>"
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
