//! The accounts surface under abuse: each test performs an attack over HTTP
//! against the real app and asserts what the attacker sees. Concurrent
//! attacks fire their requests at once.

use crate::common;

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE};
use common::{
    TestApp,
    accounts::{
        COOKIE, DEVICE_COOKIE, PASSWORD, claims_of, cookie_set, now, session_token, sign_hs256,
        unique_email,
    },
    spawn_app, spawn_app_configured, spawn_second_instance,
};
use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use taskward::{
    config::{Config, PasswordHashing},
    db::Db,
};

const WRONG: &str = "not the password at all";

/// Budgets large enough that only the one a test is about can run out.
fn generous(config: &mut Config) {
    config.auth.attempts_per_minute_per_address = 1_000;
}

impl TestApp {
    /// Signs up; returns the session token and the device token.
    async fn sign_up_on_device(&self, email: &str) -> (String, String) {
        let response = self
            .post_form(
                "/api/auth/signup",
                &[("email", email), ("password", PASSWORD)],
                None,
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        let device = cookie_set(&response, DEVICE_COOKIE).expect("sign-up sets a device cookie");
        (session_token(&response).unwrap(), device)
    }

    async fn sign_in_on_device(&self, email: &str, password: &str, device: &str) -> Response {
        self.client
            .post(self.url("/api/auth/signin"))
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, format!("{DEVICE_COOKIE}={device}"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// A try at deleting the account, which checks `password`.
    async fn delete_account_with(&self, password: &str, token: &str) -> Response {
        self.post_form(
            "/api/auth/delete-account",
            &[("password", password)],
            Some(token),
        )
        .await
    }

    async fn api_sign_in(&self, email: &str, password: &str, device: Option<&str>) -> Response {
        self.client
            .post(self.url("/api/v1/auth/signin"))
            .json(&json!({ "email": email, "password": password, "device_token": device }))
            .send()
            .await
            .unwrap()
    }
}

fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

// 1. Every endpoint that checks a password shares the budgets.

#[tokio::test]
async fn guessing_through_delete_account_spends_the_accounts_budget_for_every_endpoint() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 3;
    })
    .await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;

    for _ in 0..3 {
        let guess = app.delete_account_with(WRONG, &token).await;
        assert_eq!(guess.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let refused = app.delete_account_with(WRONG, &token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=900).contains(&retry_after(&refused)));

    // The same budget holds on every other endpoint that checks it.
    let change = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "quiet lantern orchard drifts"),
            ],
            Some(&token),
        )
        .await;
    assert_eq!(change.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.sign_in(&email, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let api = app.api_sign_in(&email, PASSWORD, None).await;
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(api.headers().contains_key(header::RETRY_AFTER));

    // And the account is still there.
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn password_checks_from_one_address_share_one_budget_across_endpoints_and_surfaces() {
    let app = spawn_app_configured(|config| config.auth.attempts_per_minute_per_address = 4).await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    assert_eq!(app.sign_in(&unique_email(), WRONG).await.status(), 401);
    assert_eq!(
        app.api_sign_in(&unique_email(), WRONG, None).await.status(),
        401
    );
    let delete = app.delete_account_with(WRONG, &token).await;
    assert_eq!(delete.status(), 422);
    let change = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", WRONG),
                ("new_password", "quiet lantern orchard drifts"),
            ],
            Some(&token),
        )
        .await;
    assert_eq!(change.status(), 422);

    let over = app.delete_account_with(WRONG, &token).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&over)));
    assert_eq!(
        app.api_sign_in(&unique_email(), WRONG, None).await.status(),
        429
    );
}

// 2. Clients that disconnect cannot push hashing past its bound.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_abandoned_by_their_clients_never_run_more_hashes_than_the_bound() {
    let cost = PasswordHashing {
        memory_kib: 16 * 1024,
        iterations: 16,
        parallelism: 1,
    };
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.hashing_concurrency = 1;
        config.auth.password_hashing = cost;
    })
    .await;
    let client = reqwest::Client::new();
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let email = unique_email();
            tokio::spawn(
                client
                    .post(app.url("/api/auth/signin"))
                    .form(&[("email", email.as_str()), ("password", WRONG)])
                    .send(),
            )
        })
        .collect();
    // Every client gives up once a hash has started, whatever the
    // machine's speed: one is then running and the rest are queued behind
    // it or still on their way to the hasher. (A verification at this cost
    // takes a few hundred milliseconds, so none has an answer yet.)
    let started = Instant::now();
    while app.hasher.load().peak_running == 0 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for attempt in &attempts {
        attempt.abort();
    }
    for abandoned in futures::future::join_all(attempts).await {
        assert!(
            abandoned.is_err_and(|error| error.is_cancelled()),
            "the client gave up before an answer"
        );
    }

    let started = Instant::now();
    while app.hasher.load().running > 0 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let load = app.hasher.load();
    assert_eq!(load.running, 0, "{load:?}");
    assert_eq!(load.peak_running, 1, "hashes ran, one at a time: {load:?}");
    assert!(load.buffers_kept <= 1, "{load:?}");
    // The service still answers sign-ins.
    assert_eq!(app.sign_in(&unique_email(), WRONG).await.status(), 401);
}

// 3. Concurrent wrong guesses cannot race past the per-account budget.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_guesses_verify_no_more_than_the_accounts_budget() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 5;
    })
    .await;
    let email = unique_email();
    app.sign_up(&email, PASSWORD).await;

    let guesses = (0..30).map(|_| app.sign_in(&email, WRONG));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|response| response.status().as_u16())
        .collect();
    let verified = statuses.iter().filter(|status| **status == 401).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!((verified, refused), (5, 25), "{statuses:?}");
}

// 4. Failures from elsewhere cannot lock out a device that signed in before.

#[tokio::test]
async fn an_attacker_cannot_lock_the_owner_out_of_a_device_that_signed_in_before() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 5;
    })
    .await;
    let email = unique_email();
    let (_, device) = app.sign_up_on_device(&email).await;

    // The attacker spends the account's budget and is locked out.
    for _ in 0..5 {
        assert_eq!(app.sign_in(&email, WRONG).await.status(), 401);
    }
    assert_eq!(app.sign_in(&email, WRONG).await.status(), 429);
    // Even the right password is refused to a client without a device token.
    assert_eq!(app.sign_in(&email, PASSWORD).await.status(), 429);

    // The owner's browser signs in, and is told about the lockout.
    let owner = app.sign_in_on_device(&email, PASSWORD, &device).await;
    assert!(owner.status().is_success(), "{}", owner.status());
    let token = session_token(&owner).unwrap();
    let account = app.get_with_cookie("/account", &token).await;
    assert_eq!(account.status(), StatusCode::OK);
    assert!(
        account
            .text()
            .await
            .unwrap()
            .contains("Your account was locked on"),
        "the account page tells the owner"
    );

    // A device token of another account does not help the attacker.
    let (_, other_device) = app.sign_up_on_device(&unique_email()).await;
    let borrowed = app.sign_in_on_device(&email, PASSWORD, &other_device).await;
    assert_eq!(borrowed.status(), StatusCode::TOO_MANY_REQUESTS);
    // Nor does a session token passed off as a device token.
    let passed_off = app.sign_in_on_device(&email, PASSWORD, &token).await;
    assert_eq!(passed_off.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_api_client_keeps_its_own_budget_with_its_device_token() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 3;
    })
    .await;
    let email = unique_email();
    let registered: Value = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device = registered["device_token"].as_str().unwrap().to_owned();

    for _ in 0..3 {
        assert_eq!(app.api_sign_in(&email, WRONG, None).await.status(), 401);
    }
    assert_eq!(app.api_sign_in(&email, PASSWORD, None).await.status(), 429);
    let owner = app.api_sign_in(&email, PASSWORD, Some(&device)).await;
    assert_eq!(owner.status(), StatusCode::OK);
    let signed_in: Value = owner.json().await.unwrap();
    assert!(
        signed_in["device_token"].is_string(),
        "a fresh device token"
    );

    // The device's own budget is small too: guessing with it runs out.
    for _ in 0..3 {
        assert_eq!(
            app.api_sign_in(&email, WRONG, Some(&device)).await.status(),
            401
        );
    }
    assert_eq!(
        app.api_sign_in(&email, PASSWORD, Some(&device))
            .await
            .status(),
        429
    );
}

/// Locks `email`'s account for clients without a trusted device.
async fn lock_out(app: &TestApp, email: &str, failures: u32) {
    for _ in 0..failures {
        assert_eq!(app.sign_in(email, WRONG).await.status(), 401);
    }
    assert_eq!(app.sign_in(email, PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn a_device_token_stops_counting_when_the_account_ends_its_credentials() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 3;
    })
    .await;
    let new_password = "quiet lantern orbit mosaic";

    // A password change forgets the devices that knew the old one.
    let email = unique_email();
    let (token, device) = app.sign_up_on_device(&email).await;
    let changed = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
            Some(&token),
        )
        .await;
    assert_eq!(changed.status(), 200);
    for _ in 0..3 {
        assert_eq!(app.sign_in(&email, WRONG).await.status(), 401);
    }
    let forgotten = app.sign_in_on_device(&email, new_password, &device).await;
    assert_eq!(forgotten.status(), StatusCode::TOO_MANY_REQUESTS);

    // So does signing out everywhere.
    let email = unique_email();
    let (token, device) = app.sign_up_on_device(&email).await;
    let ended = app
        .post_form("/api/auth/signout-everywhere", &[], Some(&token))
        .await;
    assert!(ended.status().is_success(), "{}", ended.status());
    lock_out(&app, &email, 3).await;
    let forgotten = app.sign_in_on_device(&email, PASSWORD, &device).await;
    assert_eq!(forgotten.status(), StatusCode::TOO_MANY_REQUESTS);

    // And an account deleted and made again under the same email does not
    // trust the old account's devices.
    let email = unique_email();
    let (token, device) = app.sign_up_on_device(&email).await;
    let deleted = app.delete_account_with(PASSWORD, &token).await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    app.sign_up_on_device(&email).await;
    lock_out(&app, &email, 3).await;
    let forgotten = app.sign_in_on_device(&email, PASSWORD, &device).await;
    assert_eq!(forgotten.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn minting_device_tokens_cannot_multiply_the_guess_budget_past_the_cap() {
    use taskward::auth::device::MAX_TRUSTED_DEVICES;
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 3;
    })
    .await;
    let email = unique_email();
    app.sign_up_on_device(&email).await;
    // Someone who once knew the password signs in again and again, keeping
    // every device token.
    let mut minted = Vec::new();
    for _ in 0..MAX_TRUSTED_DEVICES + 2 {
        let signed_in = app.api_sign_in(&email, PASSWORD, None).await;
        assert_eq!(signed_in.status(), StatusCode::OK);
        let body: Value = signed_in.json().await.unwrap();
        minted.push(body["device_token"].as_str().unwrap().to_owned());
    }
    lock_out(&app, &email, 3).await;

    // Only the most recent devices keep a budget of their own.
    let mut honoured = 0;
    for device in &minted {
        if app
            .api_sign_in(&email, PASSWORD, Some(device))
            .await
            .status()
            == StatusCode::OK
        {
            honoured += 1;
        }
    }
    assert_eq!(honoured, MAX_TRUSTED_DEVICES);
    let oldest = app.api_sign_in(&email, PASSWORD, Some(&minted[0])).await;
    assert_eq!(oldest.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn signing_in_again_and_again_keeps_at_most_the_cap_of_live_sessions() {
    use taskward::auth::store::MAX_SESSIONS_PER_ACCOUNT;
    let app = spawn_app_configured(generous).await;
    let email = unique_email();
    let first = app.sign_up(&email, PASSWORD).await;
    let mut latest = Vec::new();
    for _ in 0..MAX_SESSIONS_PER_ACCOUNT {
        let signed_in = app.api_sign_in(&email, PASSWORD, None).await;
        assert_eq!(signed_in.status(), StatusCode::OK);
        let body: Value = signed_in.json().await.unwrap();
        latest.push(body["access_token"].as_str().unwrap().to_owned());
    }
    // The least recently used session ended; the newest ones live on.
    assert_eq!(app.me(&first).await.status(), StatusCode::UNAUTHORIZED);
    for token in [&latest[0], &latest[latest.len() - 1]] {
        assert_eq!(app.me_with_bearer(token).await.status(), StatusCode::OK);
    }
}

// 5. Budgets per /64 and shared by every instance; expired rows pruned.

#[tokio::test]
async fn ipv6_clients_share_a_budget_per_64_on_every_instance() {
    let trust_local_proxy = |config: &mut Config| {
        config.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.auth.attempts_per_minute_per_address = 2;
    };
    let app = spawn_app_configured(trust_local_proxy).await;
    let (_, second) = spawn_second_instance(&app, trust_local_proxy).await;
    let sign_in_from = |base: String, address: &'static str| {
        let client = app.client.clone();
        async move {
            client
                .post(format!("{base}/api/auth/signin"))
                .header("x-forwarded-for", address)
                .form(&[("email", unique_email().as_str()), ("password", WRONG)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        sign_in_from(app.base_url.clone(), "2001:db8:1:2::1").await,
        401
    );
    assert_eq!(sign_in_from(second.clone(), "2001:db8:1:2::2").await, 401);
    // A third address of the same /64, on either instance: refused.
    assert_eq!(
        sign_in_from(app.base_url.clone(), "2001:db8:1:2:ffff::3").await,
        429
    );
    assert_eq!(sign_in_from(second.clone(), "2001:db8:1:2::4").await, 429);
    // Another /64 has a budget of its own.
    assert_eq!(sign_in_from(second, "2001:db8:1:3::1").await, 401);
}

#[tokio::test]
async fn counters_and_sessions_that_ran_out_are_pruned() {
    let app = spawn_app_configured(generous).await;
    app.sign_in(&unique_email(), WRONG).await;
    app.sign_up(&unique_email(), PASSWORD).await;
    let db = Db::connect(&app.database_url, 1).await.unwrap();
    let service_rows = async |db: &Db| -> i64 {
        taskward::on_db!(db, pool => {
            let (counters,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attempt_counters")
                .fetch_one(pool)
                .await
                .unwrap();
            let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
                .fetch_one(pool)
                .await
                .unwrap();
            counters + sessions
        })
    };
    assert!(service_rows(&db).await >= 3, "counters and a session exist");

    let now = taskward::db::now();
    assert_eq!(
        taskward::auth::store::prune_expired(&db, now, now - chrono::Duration::days(90))
            .await
            .unwrap(),
        0
    );
    let in_a_year = now + chrono::Duration::days(365);
    taskward::auth::store::prune_expired(&db, in_a_year, in_a_year)
        .await
        .unwrap();
    assert_eq!(service_rows(&db).await, 0);
}

// 6. Signing out with an expired token still ends its session.

/// The same session's token, signed as the app would but expired an hour ago.
fn expired_copy(token: &str) -> String {
    let mut claims = serde_json::to_value(claims_of(token)).unwrap();
    claims["iat"] = (now() - 7200).into();
    claims["nbf"] = (now() - 7200).into();
    claims["exp"] = (now() - 3600).into();
    sign_hs256(&claims)
}

#[tokio::test]
async fn signing_out_with_an_expired_token_ends_the_session_for_every_copy() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let expired = expired_copy(&token);
    assert_eq!(app.me(&expired).await.status(), 401, "expired is refused");
    assert_eq!(app.me(&token).await.status(), 200, "the live copy works");

    let signed_out = app
        .post_form("/api/auth/signout", &[], Some(&expired))
        .await;
    assert!(signed_out.status().is_success() || signed_out.status().is_redirection());
    assert_eq!(app.me(&token).await.status(), 401, "the session is over");
}

#[tokio::test]
async fn the_api_ends_the_session_of_an_expired_bearer_token_too() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let signout = |bearer: String| {
        app.client
            .post(app.url("/api/v1/auth/signout"))
            .bearer_auth(bearer)
            .send()
    };
    assert_eq!(signout(expired_copy(&token)).await.unwrap().status(), 204);
    assert_eq!(app.me_with_bearer(&token).await.status(), 401);
    // Now there is nothing left to end.
    assert_eq!(signout(expired_copy(&token)).await.unwrap().status(), 401);
    // A token signed with another key ends nothing.
    let stranger = app.sign_up(&unique_email(), PASSWORD).await;
    let mut forged = claims_of(&stranger);
    forged.exp = now() - 3600;
    let forged = common::accounts::sign(
        &forged,
        "some-other-secret-some-other-secret-some-other",
        jsonwebtoken::Algorithm::HS256,
    );
    assert_eq!(signout(forged).await.unwrap().status(), 401);
    assert_eq!(app.me_with_bearer(&stranger).await.status(), 200);
}

// 7. A page that shows an error carries its status and is never cached.

#[tokio::test]
async fn a_page_showing_an_error_carries_its_status_whatever_the_browser_accepts() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    for _ in 0..2 {
        let page = app
            .client
            .get(app.url("/todos?filter=bogus"))
            .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .header(header::COOKIE, format!("{COOKIE}={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text().await.unwrap().contains("is not a filter"));
    }
    // A page that shows no error is a 200 (and may be kept).
    let fine = app.get_with_cookie("/todos?filter=active", &token).await;
    assert_eq!(fine.status(), StatusCode::OK);
}

// 8. An empty title that was sent is refused; nothing is written.

#[tokio::test]
async fn an_empty_title_is_refused_on_every_surface_and_nothing_changes() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let created: Value = app
        .post_form(
            "/api/todos/create",
            &[("title", "Water the plants")],
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();

    let refused = app
        .post_form(
            "/api/todos/update",
            &[("id", id), ("title", ""), ("completed", "true")],
            Some(&token),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("needs a title"),
        "{body}"
    );

    let api = app
        .client
        .patch(app.url(&format!("/api/v1/todos/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "title": "  ", "completed": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let todo: Value = app
        .client
        .get(app.url(&format!("/api/v1/todos/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(todo["title"], "Water the plants");
    assert_eq!(todo["completed"], false);

    // A title that was not sent still means "no change".
    let toggled = app
        .post_form(
            "/api/todos/update",
            &[("id", id), ("completed", "true")],
            Some(&token),
        )
        .await;
    assert_eq!(toggled.status(), StatusCode::OK);
}

// 9. Text in the address is never shown as ours.

fn planted_error(json: Value) -> String {
    URL_SAFE.encode(serde_json::to_vec(&json).unwrap())
}

#[tokio::test]
async fn an_error_planted_in_the_address_shows_only_our_fixed_message() {
    let app = spawn_app().await;
    let planted = "Your account is locked, call +1 555 0100";
    for (page, form, error) in [
        (
            "/signin",
            "/api/auth/signin",
            json!({ "code": "invalid", "message": planted }),
        ),
        (
            "/signup",
            "/api/auth/signup",
            json!({ "code": "invalid", "message": planted, "field": "email" }),
        ),
        (
            "/signup",
            "/api/auth/signup",
            json!({ "code": "conflict", "message": planted }),
        ),
    ] {
        let address = format!("{page}?__path={form}&__err={}", planted_error(error));
        let response = app.get(&address).await;
        assert_eq!(response.status(), StatusCode::OK, "{address}");
        let html = response.text().await.unwrap();
        assert!(
            !html.contains("call +1"),
            "{address} shows the planted text"
        );
    }

    let response = app
        .get(&format!(
            "/signin?__path=/api/auth/signin&__err={}",
            planted_error(json!({ "code": "invalid", "message": planted }))
        ))
        .await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Some of the information sent was not valid")
    );

    for garbage in ["%%%", "bm90IGpzb24=", ""] {
        let response = app
            .get(&format!("/signin?__path=/api/auth/signin&__err={garbage}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{garbage}");
    }
}

// 10. Smaller rules.

#[tokio::test]
async fn an_https_origin_gets_strict_transport_security_and_http_does_not() {
    let https = spawn_app_configured(|config| {
        config.public_origin = "https://taskward.example".into();
    })
    .await;
    let answer = https.get("/healthz").await;
    assert!(
        answer.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let http = spawn_app().await;
    assert!(
        !http
            .get("/healthz")
            .await
            .headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_cannot_pass_the_per_user_todo_cap() {
    let app = spawn_app_configured(|config| config.max_todos_per_user = 5).await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    for title in ["one", "two"] {
        let created = app
            .post_form("/api/todos/create", &[("title", title)], Some(&token))
            .await;
        assert_eq!(created.status(), StatusCode::OK);
    }

    let creates = (0..10).map(|n| {
        let title = format!("racing {n}");
        let (app, token) = (&app, &token);
        async move {
            app.post_form(
                "/api/todos/create",
                &[("title", title.as_str())],
                Some(token),
            )
            .await
        }
    });
    let responses = futures::future::join_all(creates).await;
    let created = responses
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    let refused: Vec<_> = responses
        .into_iter()
        .filter(|r| r.status() == StatusCode::CONFLICT)
        .collect();
    assert_eq!((created, refused.len()), (3, 7));
    let message: Value = refused.into_iter().next().unwrap().json().await.unwrap();
    assert!(
        message["message"].as_str().unwrap().contains("Delete some"),
        "{message}"
    );

    let api = app
        .client
        .post(app.url("/api/v1/todos"))
        .bearer_auth(&token)
        .json(&json!({ "title": "one too many" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::CONFLICT);
    let stats: Value = app
        .post_form("/api/todos/stats", &[], Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total"], 5);

    // Deleting makes room again, one for one.
    let listed: Value = app
        .post_form("/api/todos/list", &[], Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let first = listed["items"][0]["id"].as_str().unwrap();
    let deleted = app
        .post_form("/api/todos/delete", &[("id", first)], Some(&token))
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    for (title, status) in [
        ("room again", StatusCode::OK),
        ("too many", StatusCode::CONFLICT),
    ] {
        let created = app
            .post_form("/api/todos/create", &[("title", title)], Some(&token))
            .await;
        assert_eq!(created.status(), status, "{title}");
    }
}
