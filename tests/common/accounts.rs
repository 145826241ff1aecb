//! Helpers for signing up, signing in and handling session cookies and
//! tokens over plain HTTP, as a browser or an API client would.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Response, header};
use taskward::auth::token::Claims;

use super::{TEST_JWT_SECRET, TestApp};

pub const COOKIE: &str = "__Host-taskward_session";
pub const DEVICE_COOKIE: &str = "__Host-taskward_device";
pub const PASSWORD: &str = "velvet tractor umbrella sings";

pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}

impl TestApp {
    /// A form post from our own pages (what the browser sends).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        token: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .form(form);
        if let Some(token) = token {
            request = request.header(header::COOKIE, format!("{COOKIE}={token}"));
        }
        request
            .send()
            .await
            .expect("request reaches the test server")
    }

    pub async fn get_with_cookie(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(header::COOKIE, format!("{COOKIE}={token}"))
            .send()
            .await
            .unwrap()
    }

    pub async fn me(&self, token: &str) -> Response {
        self.post_form("/api/auth/me", &[], Some(token)).await
    }

    pub async fn me_with_bearer(&self, token: &str) -> Response {
        self.client
            .post(self.url("/api/auth/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Signs up and returns the session token from the cookie.
    pub async fn sign_up(&self, email: &str, password: &str) -> String {
        let response = self
            .post_form(
                "/api/auth/signup",
                &[("email", email), ("password", password)],
                None,
            )
            .await;
        assert!(
            response.status().is_success(),
            "sign-up failed: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        session_token(&response).expect("sign-up sets the session cookie")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post_form(
            "/api/auth/signin",
            &[("email", email), ("password", password)],
            None,
        )
        .await
    }
}

/// The session token set by `response`, if any (empty when cleared).
pub fn session_token(response: &Response) -> Option<String> {
    set_cookie_header(response).map(|cookie| {
        cookie
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .map(|(_, value)| value.to_owned())
            .unwrap_or_default()
    })
}

/// The value `response` sets for the cookie `name`, if it sets one.
pub fn cookie_set(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .map(str::to_owned)
}

/// The whole `Set-Cookie` line for the session cookie.
pub fn set_cookie_header(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{COOKIE}=")))
        .map(str::to_owned)
}

/// The claims inside a token, read without checking it.
pub fn claims_of(token: &str) -> Claims {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Signs `claims` as the app would, with the test secret (or another).
pub fn sign(claims: &impl serde::Serialize, secret: &str, algorithm: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

pub fn sign_hs256(claims: &impl serde::Serialize) -> String {
    sign(claims, TEST_JWT_SECRET, Algorithm::HS256)
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Tokens an attacker or an accident could present, each named: forged,
/// tampered, expired, for a session or user that is gone, or not a token
/// at all. Made from `token`, a genuine one of a user of `app`.
pub async fn forged_tokens(app: &TestApp, token: &str) -> Vec<(&'static str, String)> {
    let claims = claims_of(token);
    let as_json = serde_json::to_value(&claims).unwrap();
    let with = |key: &str, value: serde_json::Value| {
        let mut changed = as_json.clone();
        changed[key] = value;
        sign_hs256(&changed)
    };
    let without = |key: &str| {
        let mut changed = as_json.clone();
        changed.as_object_mut().unwrap().remove(key);
        sign_hs256(&changed)
    };
    let unsigned = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = engine.encode(serde_json::to_vec(&as_json).unwrap());
        format!("{header}.{payload}.")
    };
    let mut truncated = token.to_owned();
    truncated.truncate(token.len() - 10);
    let deleted_user = {
        let other_app_user = app.sign_up(&unique_email(), PASSWORD).await;
        app.post_form(
            "/api/auth/delete-account",
            &[("password", PASSWORD)],
            Some(&other_app_user),
        )
        .await;
        other_app_user
    };

    vec![
        (
            "wrong signature",
            sign(
                &claims,
                "another-secret-another-secret-another-secret!!",
                Algorithm::HS256,
            ),
        ),
        ("alg none", unsigned),
        (
            "another algorithm (HS512)",
            sign(&claims, TEST_JWT_SECRET, Algorithm::HS512),
        ),
        ("expired", with("exp", (now() - 120).into())),
        ("not yet valid", with("nbf", (now() + 600).into())),
        ("wrong issuer", with("iss", "someone-else".into())),
        ("wrong audience", with("aud", "another-app".into())),
        ("missing sub", without("sub")),
        ("missing exp", without("exp")),
        ("missing session id", without("sid")),
        (
            "unknown user",
            with("sub", uuid::Uuid::new_v4().to_string().into()),
        ),
        (
            "unknown session",
            with("sid", uuid::Uuid::new_v4().to_string().into()),
        ),
        ("deleted user", deleted_user),
        ("truncated", truncated),
        ("garbage", "not.a.jwt".into()),
        ("oversized", format!("{token}{}", "A".repeat(10_000))),
    ]
}
