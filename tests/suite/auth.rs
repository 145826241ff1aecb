//! Accounts and sessions over HTTP, as a browser, an API client or an
//! attacker sees them.

use crate::common;

use common::{
    accounts::{
        COOKIE, PASSWORD, claims_of, forged_tokens, now, session_token, set_cookie_header,
        sign_hs256, unique_email,
    },
    spawn_app, spawn_app_configured, spawn_second_instance,
};
use std::time::Duration;

async fn error_message(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

#[tokio::test]
async fn sign_up_signs_the_user_in_with_a_hardened_cookie_and_lands_on_the_dashboard() {
    let app = spawn_app().await;
    let email = unique_email();

    let response = app
        .post_form(
            "/api/auth/signup",
            &[("email", &email), ("password", PASSWORD)],
            None,
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["location"], "/dashboard");
    let cookie = set_cookie_header(&response).unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let token = session_token(&response).unwrap();
    let me: serde_json::Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["email"], email);
}

#[tokio::test]
async fn me_without_a_session_is_401_with_a_message_a_person_understands() {
    let app = spawn_app().await;

    let response = app.post_form("/api/auth/me", &[], None).await;

    assert_eq!(response.status(), 401);
    let body = error_message(response).await;
    assert!(body.contains("Please sign in"), "{body}");
    assert!(!body.contains("ServerFnError"), "{body}");
}

#[tokio::test]
async fn the_session_also_works_as_a_bearer_token() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;

    let response = app.me_with_bearer(&token).await;

    assert_eq!(response.status(), 200);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["email"], email);
}

#[tokio::test]
async fn emails_are_trimmed_and_unique_whatever_their_case() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(&format!("  {}  ", email.to_uppercase()), PASSWORD)
        .await;

    let again = app
        .post_form(
            "/api/auth/signup",
            &[("email", &email), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(again.status(), 409);
    assert!(error_message(again).await.contains("already registered"));

    let signed_in = app.sign_in(&email, PASSWORD).await;
    assert!(signed_in.status().is_success());
}

#[tokio::test]
async fn sign_up_explains_what_is_wrong_with_the_input() {
    let app = spawn_app().await;
    let cases = [
        ("not-an-email", PASSWORD, "look like an email"),
        (&unique_email() as &str, "short", "at least 8 characters"),
        (&unique_email(), "password123", "too easy to guess"),
        (
            "ada.lovelace@example.com",
            "ada.lovelace-rocks-1815",
            "email",
        ),
    ];
    for (email, password, expected) in cases {
        let response = app
            .post_form(
                "/api/auth/signup",
                &[("email", email), ("password", password)],
                None,
            )
            .await;
        assert_eq!(response.status(), 422, "{email} / {password}");
        let body = error_message(response).await;
        assert!(body.contains(expected), "{body} should mention {expected}");
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(&email, PASSWORD).await;

    let wrong_password = app.sign_in(&email, "not the right password at all").await;
    let unknown_email = app.sign_in(&unique_email(), PASSWORD).await;

    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_email.status(), 401);
    assert!(set_cookie_header(&wrong_password).is_none());
    let (a, b) = (
        error_message(wrong_password).await,
        error_message(unknown_email).await,
    );
    assert_eq!(a, b);
    assert!(a.contains("Invalid email or password"), "{a}");
}

#[tokio::test]
async fn sign_in_returns_to_next_only_when_it_is_a_path_on_this_site() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(&email, PASSWORD).await;

    for (next, expected) in [
        ("/todos?filter=active", "/todos?filter=active"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example", "/dashboard"),
    ] {
        let response = app
            .post_form(
                "/api/auth/signin",
                &[("email", &email), ("password", PASSWORD), ("next", next)],
                None,
            )
            .await;
        assert_eq!(response.headers()["location"], expected, "next={next}");
    }
}

#[tokio::test]
async fn sign_out_revokes_the_token_even_when_replayed_from_a_copy() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let copy = token.clone();

    let response = app.post_form("/api/auth/signout", &[], Some(&token)).await;

    assert!(response.status().is_success());
    let cleared = set_cookie_header(&response).unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cleared.contains(attribute), "{cleared} lacks {attribute}");
    }
    assert_eq!(app.me(&copy).await.status(), 401);
    assert_eq!(app.me_with_bearer(&copy).await.status(), 401);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let email = unique_email();
    let laptop = app.sign_up(&email, PASSWORD).await;
    let phone = session_token(&app.sign_in(&email, PASSWORD).await).unwrap();

    let response = app
        .post_form("/api/auth/signout-everywhere", &[], Some(&phone))
        .await;

    assert!(response.status().is_success());
    assert_eq!(app.me(&laptop).await.status(), 401);
    assert_eq!(app.me(&phone).await.status(), 401);
}

#[tokio::test]
async fn change_password_keeps_this_session_and_ends_the_others() {
    let app = spawn_app().await;
    let email = unique_email();
    let here = app.sign_up(&email, PASSWORD).await;
    let elsewhere = session_token(&app.sign_in(&email, PASSWORD).await).unwrap();
    let new_password = "quiet lantern orbit mosaic";

    let wrong = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", "nope nope nope"),
                ("new_password", new_password),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(wrong.status(), 422);

    let response = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(response.status(), 200);

    assert_eq!(app.me(&here).await.status(), 200);
    assert_eq!(app.me(&elsewhere).await.status(), 401);
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 401);
    assert!(
        app.sign_in(&email, new_password)
            .await
            .status()
            .is_success()
    );
}

#[tokio::test]
async fn delete_account_needs_the_password_then_removes_the_user_and_ends_their_sessions() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;

    let refused = app
        .post_form(
            "/api/auth/delete-account",
            &[("password", "wrong password here")],
            Some(&token),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(app.me(&token).await.status(), 200);

    let deleted = app
        .post_form(
            "/api/auth/delete-account",
            &[("password", PASSWORD)],
            Some(&token),
        )
        .await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(app.me(&token).await.status(), 401);
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 401);
    // The email is free again.
    app.sign_up(&email, PASSWORD).await;
}

#[tokio::test]
async fn forged_and_damaged_tokens_are_all_refused_without_a_server_error() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let forgeries = forged_tokens(&app, &token).await;
    for (name, forged) in forgeries {
        let by_cookie = app.me(&forged).await.status();
        let by_bearer = app.me_with_bearer(&forged).await.status();
        assert_eq!(by_cookie, 401, "{name} (cookie)");
        assert_eq!(by_bearer, 401, "{name} (bearer)");
    }
    assert_eq!(
        app.me(&token).await.status(),
        200,
        "the genuine token still works"
    );
}

#[tokio::test]
async fn concurrent_sign_ups_with_one_email_create_exactly_one_account() {
    let app = spawn_app().await;
    let email = unique_email();

    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let request = app
                .client
                .post(app.url("/api/auth/signup"))
                .header("sec-fetch-site", "same-origin")
                .form(&[("email", email.as_str()), ("password", PASSWORD)]);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }

    let created = statuses.iter().filter(|s| **s == 200).count();
    let conflicts = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(created, 1, "{statuses:?}");
    assert_eq!(conflicts, 7, "{statuses:?}");
}

#[tokio::test]
async fn protected_pages_redirect_to_sign_in_with_the_way_back() {
    let app = spawn_app().await;

    for path in ["/dashboard", "/account", "/todos?filter=active"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/signin?next=%2F") || location.starts_with("/signin?next=/"),
            "{location}"
        );
    }
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let page = app.get_with_cookie("/dashboard", &token).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Sign out"));
}

#[tokio::test]
async fn an_expired_session_is_sent_to_sign_in_with_an_explanation() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let mut claims = serde_json::to_value(claims_of(&token)).unwrap();
    claims["exp"] = (now() - 120).into();

    let response = app
        .get_with_cookie("/dashboard", &sign_hs256(&claims))
        .await;

    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.contains("expired=1"), "{location}");
    let page = app.get(location).await.text().await.unwrap();
    assert!(page.contains("Your session expired, please sign in again."));
}

#[tokio::test]
async fn a_link_from_another_site_reaches_the_page_despite_samesite_strict() {
    let app = spawn_app().await;

    // First hop: the browser withholds the Strict cookie on a cross-site link.
    let response = app
        .client
        .get(app.url("/dashboard"))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(r#"http-equiv="refresh" content="0;url=/dashboard""#),
        "{html}"
    );
}

#[tokio::test]
async fn an_active_user_gets_a_fresh_cookie_past_half_the_token_lifetime() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    let fresh = app.me(&token).await;
    assert!(
        set_cookie_header(&fresh).is_none(),
        "a new token is not refreshed"
    );

    let mut claims = serde_json::to_value(claims_of(&token)).unwrap();
    claims["iat"] = (now() - 40 * 60).into();
    claims["nbf"] = (now() - 40 * 60).into();
    let older = sign_hs256(&claims);
    let response = app.me(&older).await;
    assert_eq!(response.status(), 200);
    let renewed = session_token(&response).expect("a fresh cookie");
    assert!(claims_of(&renewed).iat >= now() - 5);
    assert_eq!(claims_of(&renewed).sid, claims_of(&token).sid);
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_maximum_however_active() {
    let app = spawn_app_configured(|config| {
        config.auth.session_ttl = Duration::from_secs(3600);
        config.auth.session_max_age = Duration::from_secs(2);
    })
    .await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    assert!(
        claims_of(&token).exp <= now() + 2,
        "the token ends with the session"
    );
    assert_eq!(app.me(&token).await.status(), 200);

    tokio::time::sleep(Duration::from_millis(2500)).await;

    assert_eq!(app.me_with_bearer(&token).await.status(), 401);
}

#[tokio::test]
async fn rotating_the_secret_keeps_sessions_signed_with_the_previous_one() {
    let app = spawn_app().await;
    let email = unique_email();
    let old_token = app.sign_up(&email, PASSWORD).await;

    let new_secret = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f90a15e6f7a8b9c0d1e2f3a4b5c6d7e8f90a1";
    let (_, rotated) = spawn_second_instance(&app, |config| {
        config.jwt_secret = secrecy::SecretString::from(new_secret);
        config.auth.jwt_secret_previous =
            Some(secrecy::SecretString::from(common::TEST_JWT_SECRET));
    })
    .await;

    let response = app
        .client
        .post(format!("{rotated}/api/auth/me"))
        .header("cookie", format!("{COOKIE}={old_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let resigned = session_token(&response).expect("re-signed with the new key");
    assert_ne!(resigned, old_token);
}

#[tokio::test]
async fn writes_from_another_origin_are_refused_with_403() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;

    let cross_site = app
        .client
        .post(app.url("/api/auth/signout"))
        .header("cookie", format!("{COOKIE}={token}"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    let foreign_origin = app
        .client
        .post(app.url("/api/auth/signout"))
        .header("cookie", format!("{COOKIE}={token}"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();

    assert_eq!(cross_site.status(), 403);
    assert_eq!(foreign_origin.status(), 403);
    assert_eq!(app.me(&token).await.status(), 200, "the session survived");
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_for_the_hydration_script() {
    let app = spawn_app().await;

    let response = app.get("/signin").await;

    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    let policy = header("content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert_eq!(header("cache-control"), "no-store");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"<script type="module" async nonce="{nonce}">"#)),
        "{html}"
    );
}

#[tokio::test]
async fn too_many_attempts_from_one_address_get_429_with_retry_after() {
    let app = spawn_app_configured(|config| config.auth.attempts_per_minute_per_address = 3).await;

    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = app.sign_in(&unique_email(), PASSWORD).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry));
            assert!(error_message(response).await.contains("Too many attempts"));
        }
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}

#[tokio::test]
async fn failed_sign_ins_per_account_are_counted_across_instances() {
    let app = spawn_app_configured(|config| config.auth.max_failed_signins = 3).await;
    let email = unique_email();
    app.sign_up(&email, PASSWORD).await;
    let (_, second) =
        spawn_second_instance(&app, |config| config.auth.max_failed_signins = 3).await;

    for _ in 0..2 {
        assert_eq!(
            app.sign_in(&email, "wrong password wrong").await.status(),
            401
        );
    }
    let third = app
        .client
        .post(format!("{second}/api/auth/signin"))
        .form(&[
            ("email", email.as_str()),
            ("password", "wrong password wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 401);

    // Locked on both instances now, even with the right password.
    let locked = app.sign_in(&email, PASSWORD).await;
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn without_javascript_sign_up_and_sign_in_are_form_posts_that_redirect() {
    let app = spawn_app().await;
    let email = unique_email();
    let form_post = |path: &'static str, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .header("sec-fetch-site", "same-origin")
            .header("referer", app.url("/signin?next=%2Faccount"))
            .form(&form)
            .send()
    };

    let signed_up = form_post(
        "/api/auth/signup",
        vec![("email", email.clone()), ("password", PASSWORD.into())],
    )
    .await
    .unwrap();
    assert_eq!(signed_up.status(), 302);
    assert_eq!(signed_up.headers()["location"], "/dashboard");
    assert!(session_token(&signed_up).is_some());

    let refused = form_post(
        "/api/auth/signin",
        vec![
            ("email", email.clone()),
            ("password", "wrong password here".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 302, "back to the form, with the error");
    let location = refused.headers()["location"].to_str().unwrap();
    assert!(
        location.contains("/signin?next=%2Faccount") && location.contains("__err="),
        "{location}"
    );
    assert!(
        location.contains(&format!("email={}", email.replace('@', "%40"))),
        "the email is kept: {location}"
    );
    assert!(
        !location.contains("wrong"),
        "the password is not: {location}"
    );

    let signed_in = form_post(
        "/api/auth/signin",
        vec![
            ("email", email.clone()),
            ("password", PASSWORD.into()),
            ("next", "/account".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(signed_in.status(), 302);
    assert_eq!(signed_in.headers()["location"], "/account");
}
