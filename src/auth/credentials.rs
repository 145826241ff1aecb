//! How a session token travels: the hardened cookie browsers hold, and the
//! `Authorization: Bearer` header other clients send. One reader for both
//! surfaces, so a header means the same thing wherever it is sent.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::service::IssuedToken;

const SECURE_COOKIE: &str = "__Host-taskward_session";
const PLAIN_COOKIE: &str = "taskward_session";
const SECURE_DEVICE_COOKIE: &str = "__Host-taskward_device";
const PLAIN_DEVICE_COOKIE: &str = "taskward_device";
/// `__Host-` binds the cookie to this exact host, HTTPS and `Path=/`. The
/// plain name is only for plain-http development (`SESSION_COOKIE_SECURE=false`).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { PLAIN_COOKIE }
}

fn device_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_DEVICE_COOKIE
    } else {
        PLAIN_DEVICE_COOKIE
    }
}

fn build_cookie(name: &'static str, secure: bool, value: String, max_age: Duration) -> HeaderValue {
    let max_age = time::Duration::seconds(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
    let cookie = Cookie::build((name, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header value")
}

/// The cookie lives until the session's absolute end, longer than the token
/// in it, so an expired token can still be told apart from no session.
pub fn session_cookie(secure: bool, issued: &IssuedToken) -> HeaderValue {
    build_cookie(
        cookie_name(secure),
        secure,
        issued.token.clone(),
        issued.session_remaining,
    )
}

/// Expires the cookie, with the same attributes it was set with.
pub fn cleared_session_cookie(secure: bool) -> HeaderValue {
    build_cookie(cookie_name(secure), secure, String::new(), Duration::ZERO)
}

/// The device cookie: hardened like the session's, kept across sign-outs
/// (it proves the browser signed in before; it grants no access).
pub fn device_cookie(secure: bool, device_token: &str) -> HeaderValue {
    build_cookie(
        device_cookie_name(secure),
        secure,
        device_token.to_owned(),
        super::device::DEVICE_TOKEN_LIFETIME,
    )
}

/// What a form hands to the page it returns to, in a short-lived cookie
/// hardened like the session's: a page without JavaScript has no other way
/// to receive it, and an address (its history, logs) is no place for a
/// secret. The page reads it and clears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// A personal API token just made, shown once.
    NewApiToken,
    /// Recovery codes just made, shown once (separated by spaces).
    RecoveryCodes,
    /// A calendar feed address just made, shown once.
    NewCalendarFeed,
    /// The token of a sign-in's second step: this browser's hold on it,
    /// for the five minutes it lives.
    SignInStep,
}

impl Flash {
    fn cookie_name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (Flash::NewApiToken, true) => "__Host-taskward_new_token",
            (Flash::NewApiToken, false) => "taskward_new_token",
            (Flash::RecoveryCodes, true) => "__Host-taskward_recovery_codes",
            (Flash::RecoveryCodes, false) => "taskward_recovery_codes",
            (Flash::NewCalendarFeed, true) => "__Host-taskward_new_calendar_feed",
            (Flash::NewCalendarFeed, false) => "taskward_new_calendar_feed",
            (Flash::SignInStep, true) => "__Host-taskward_sign_in_step",
            (Flash::SignInStep, false) => "taskward_sign_in_step",
        }
    }

    /// How long it waits to be read.
    fn lifetime(self) -> Duration {
        match self {
            Flash::NewApiToken | Flash::RecoveryCodes | Flash::NewCalendarFeed => {
                Duration::from_secs(300)
            }
            Flash::SignInStep => super::second_factor::challenge::CHALLENGE_LIFETIME,
        }
    }

    pub fn cookie(self, secure: bool, value: &str) -> HeaderValue {
        build_cookie(
            self.cookie_name(secure),
            secure,
            value.to_owned(),
            self.lifetime(),
        )
    }

    pub fn cleared(self, secure: bool) -> HeaderValue {
        build_cookie(
            self.cookie_name(secure),
            secure,
            String::new(),
            Duration::ZERO,
        )
    }

    /// The value waiting in `headers`, if any.
    pub fn read(self, headers: &HeaderMap, secure: bool) -> Option<String> {
        CookieJar::from_headers(headers)
            .get(self.cookie_name(secure))
            .map(|cookie| cookie.value().to_owned())
            .filter(|value| !value.is_empty())
    }
}

/// The device token a browser holds, if any.
pub fn device_token_from_cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(device_cookie_name(secure))
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether `response_headers` already set (or cleared) the session cookie.
pub fn sets_session_cookie(response_headers: &HeaderMap, secure: bool) -> bool {
    let prefix = format!("{}=", cookie_name(secure));
    response_headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| value.as_bytes().starts_with(prefix.as_bytes()))
}

/// An `Authorization` header that is not `Bearer <token>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedAuthorization;

/// The token of `Authorization: Bearer <token>` (the scheme in any case, as
/// RFC 9110 has it), `None` without the header.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, MalformedAuthorization> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .map(Some)
        .ok_or(MalformedAuthorization)
}

/// A token a request presented, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresentedToken {
    Header(String),
    Cookie(String),
}

/// What the pages and server functions accept: a bearer token, else the
/// session cookie.
pub fn header_or_cookie_token(
    headers: &HeaderMap,
    secure: bool,
) -> Result<Option<PresentedToken>, MalformedAuthorization> {
    if let Some(token) = bearer_token(headers)? {
        return Ok(Some(PresentedToken::Header(token.to_owned())));
    }
    Ok(CookieJar::from_headers(headers)
        .get(cookie_name(secure))
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
        .map(PresentedToken::Cookie))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    value.parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn a_bearer_token_is_read_with_the_scheme_in_any_case() {
        for value in ["Bearer abc", "bearer abc", "BEARER   abc  "] {
            assert_eq!(
                bearer_token(&headers(&[("authorization", value)])),
                Ok(Some("abc")),
                "{value}"
            );
        }
        assert_eq!(bearer_token(&HeaderMap::new()), Ok(None));
        for malformed in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer    ",
            "abc",
            "Token abc",
        ] {
            assert_eq!(
                bearer_token(&headers(&[("authorization", malformed)])),
                Err(MalformedAuthorization),
                "{malformed}"
            );
        }
    }

    #[test]
    fn the_header_wins_over_the_cookie_and_an_empty_cookie_is_none() {
        let both = headers(&[
            ("authorization", "Bearer from-header"),
            ("cookie", "__Host-taskward_session=from-cookie"),
        ]);
        assert_eq!(
            header_or_cookie_token(&both, true),
            Ok(Some(PresentedToken::Header("from-header".into())))
        );
        let cookie = headers(&[("cookie", "__Host-taskward_session=from-cookie")]);
        assert_eq!(
            header_or_cookie_token(&cookie, true),
            Ok(Some(PresentedToken::Cookie("from-cookie".into())))
        );
        assert_eq!(header_or_cookie_token(&cookie, false), Ok(None));
        let empty = headers(&[("cookie", "__Host-taskward_session=")]);
        assert_eq!(header_or_cookie_token(&empty, true), Ok(None));
    }
}
