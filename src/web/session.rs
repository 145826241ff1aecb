//! The session layer of the Leptos surface (pages and server functions):
//! reads the token (bearer header or cookie), resolves it once per request,
//! guards protected pages with a real redirect, and keeps an active user's
//! cookie fresh.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

use crate::{
    auth::{
        credentials::{
            PresentedToken, cleared_session_cookie, header_or_cookie_token, session_cookie,
            sets_session_cookie,
        },
        service::{AuthService, SessionState},
    },
    navigation::{Access, encode_query_value, page_at, query_value, safe_next_path},
};

/// Where an account the policy requires a second factor of sets one up.
const SECOND_FACTOR_SETUP: &str = "/account/security";

/// Resolves the request's session into its extensions, where the page
/// cache and the server-function context find it.
pub async fn session_middleware(
    State(auth): State<Arc<AuthService>>,
    mut request: Request,
    next: Next,
) -> Response {
    let secure = auth.config().cookie_secure;
    let presented = header_or_cookie_token(request.headers(), secure);
    let from_cookie = matches!(presented, Ok(Some(PresentedToken::Cookie(_))));
    let session = match &presented {
        Ok(None) => SessionState::Anonymous,
        Err(_) => SessionState::Invalid,
        Ok(Some(PresentedToken::Header(token) | PresentedToken::Cookie(token))) => {
            match auth.resolve(token).await {
                Ok(session) => session,
                Err(error) => return error.into_response(),
            }
        }
    };
    request.extensions_mut().insert(session.clone());
    // Sign-out ends the session a token names even once it has expired.
    if let Ok(Some(token)) = presented {
        request.extensions_mut().insert(token);
    }

    let is_page_load = matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or(path, |pq| pq.as_str())
        .to_owned();

    let access = page_at(path).map(|page| page.access);
    if is_page_load
        && access == Some(Access::SignedIn)
        && !matches!(session, SessionState::Valid(_))
    {
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

    // An account the instance requires a second factor of, without one,
    // sets one up before anything else.
    if is_page_load
        && access == Some(Access::SignedIn)
        && path != SECOND_FACTOR_SETUP
        && matches!(&session, SessionState::Valid(valid) if valid.second_factor_missing())
    {
        return redirect(SECOND_FACTOR_SETUP);
    }

    // Signed-in users have no business on the sign-in and sign-up forms.
    if is_page_load
        && access == Some(Access::SignedOut)
        && matches!(session, SessionState::Valid(_))
    {
        let next = request
            .uri()
            .query()
            .and_then(|query| query_value(query, "next"))
            .and_then(|next| safe_next_path(&next).map(str::to_owned))
            .unwrap_or_else(|| "/dashboard".into());
        return redirect(&next);
    }

    let refreshed = match &session {
        SessionState::Valid(session) if from_cookie => auth.refresh_if_due(session).ok().flatten(),
        _ => None,
    };

    let mut response = next.run(request).await;

    if !sets_session_cookie(response.headers(), secure) {
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

/// A top-level navigation that came from another site. SameSite=Strict
/// withholds the cookie on exactly these.
fn is_cross_site_navigation(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    header("sec-fetch-site") == Some("cross-site") && header("sec-fetch-mode") == Some("navigate")
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// Re-requests the same page from our own origin: that second navigation is
/// same-site, so the browser sends the SameSite=Strict cookie with it.
fn continue_same_site(path_and_query: &str) -> Response {
    let target = html_escape::encode_double_quoted_attribute(path_and_query);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={target}\">\
         <title>Taskward</title></head>\
         <body><p>Opening <a href=\"{target}\">Taskward</a>\u{2026}</p></body></html>"
    );
    Html(html).into_response()
}
