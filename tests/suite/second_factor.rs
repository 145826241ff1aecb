//! Two-step sign-in (an authenticator app, RFC 6238, and recovery codes),
//! tried as its owner and as an attacker holding the password: codes are
//! computed here from the key the server shows, by this file's own
//! RFC 6238 code, not the app's crate. Replayed codes, guessed codes,
//! another account's challenge, a challenge used twice or expired, the
//! instance's policy on pages and the API, and an administrator's removal.

use crate::common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{
    TestApp,
    accounts::{DEVICE_COOKIE, PASSWORD, cookie_set, session_token, unique_email},
    api::Answer,
    smtp_sink::{Behaviour, SmtpSink, relay_at},
    spawn_app, spawn_app_configured,
};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, header};
use serde_json::{Value, json};
use sha1::Sha1;

const STEP_COOKIE: &str = "__Host-taskward_sign_in_step";

/// The 30-second step of `unix` seconds.
fn step_at(unix: u64) -> u64 {
    unix / 30
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// RFC 4648 base32, as the server shows the key (no padding).
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut bytes) = (0u32, 0u32, Vec::new());
    for c in text.bytes().filter(|c| *c != b'=') {
        let index = ALPHABET.iter().position(|a| *a == c).expect("base32") as u32;
        value = (value << 5) | index;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    bytes
}

/// The authenticator's code for `step` (RFC 6238: HMAC-SHA-1, 6 digits).
fn code_for_step(secret: &str, step: u64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(&base32_decode(secret)).unwrap();
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// The current step, once at least 10 seconds of it remain: a test then
/// uses the codes of this step and the one before and after (the server
/// takes each), and none of them leaves the window while the test runs.
async fn fresh_step() -> u64 {
    let into = unix_now() % 30;
    if into > 20 {
        tokio::time::sleep(Duration::from_secs(30 - into)).await;
    }
    step_at(unix_now())
}

/// A code no step near now has: wrong, whatever the time.
fn wrong_code(secret: &str, step: u64) -> String {
    let near: Vec<String> = (step - 2..=step + 2)
        .map(|s| code_for_step(secret, s))
        .collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
        .find(|code| !near.contains(code))
        .unwrap()
}

/// An account with two-step sign-in turned on through the API.
struct Enrolled {
    email: String,
    session: String,
    secret: String,
    recovery_codes: Vec<String>,
}

impl TestApp {
    /// A new account with an authenticator confirmed with the code of the
    /// step before now's (so that now's and the next sign in).
    async fn enrolled(&self) -> Enrolled {
        let email = unique_email();
        let session = self.register(&email, PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        self.enrol(email, session).await
    }

    async fn enrol(&self, email: String, session: String) -> Enrolled {
        let setup = self
            .api_ok(
                Method::POST,
                "/auth/totp",
                &session,
                Some(json!({ "password": PASSWORD })),
            )
            .await;
        let secret = setup["secret"].as_str().unwrap().to_owned();
        let step = fresh_step().await - 1;
        let confirmed = self
            .api_ok(
                Method::POST,
                "/auth/totp/confirm",
                &session,
                Some(json!({ "code": code_for_step(&secret, step) })),
            )
            .await;
        let recovery_codes = confirmed["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|code| code.as_str().unwrap().to_owned())
            .collect();
        Enrolled {
            email,
            session,
            secret,
            recovery_codes,
        }
    }

    /// The first step of an API sign-in: its answer.
    async fn first_step(&self, email: &str, device_token: Option<&str>) -> Answer {
        let mut body = json!({ "email": email, "password": PASSWORD });
        if let Some(device) = device_token {
            body["device_token"] = json!(device);
        }
        self.api_send(Method::POST, "/auth/signin", None, Some(body))
            .await
    }

    /// A challenge for `email`'s account.
    async fn challenge(&self, email: &str) -> String {
        let answer = self.first_step(email, None).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["challenge"].as_str().unwrap().to_owned()
    }

    async fn second_step(&self, challenge: &str, code: &str) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/signin/second-factor",
            None,
            Some(json!({ "challenge": challenge, "code": code })),
        )
        .await
    }

    async fn event_kinds(&self, session: &str) -> Vec<(String, String)> {
        self.api_ok(Method::GET, "/auth/events?limit=100", session, None)
            .await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| {
                (
                    event["type"].as_str().unwrap().to_owned(),
                    event["detail"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

#[tokio::test]
async fn the_whole_journey_with_codes_from_the_key_and_each_code_working_once() {
    let app = spawn_app().await;
    let email = unique_email();
    let session = app.register(&email, PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app.api_ok(Method::GET, "/auth/me", &session, None).await;
    assert_eq!(me["second_factor"], Value::Null);

    // Setting up asks for the password.
    let wrong = app
        .api_send(
            Method::POST,
            "/auth/totp",
            Some(&session),
            Some(json!({ "password": "not my password at all" })),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(wrong.pointers(), ["#/password"]);
    let setup = app
        .api_ok(
            Method::POST,
            "/auth/totp",
            &session,
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 32, "160 bits: {secret}");
    let uri = setup["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Taskward:"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    // Not on until confirmed: the password alone still signs in.
    let before = app.first_step(&email, None).await;
    assert!(before.body["access_token"].is_string(), "{}", before.body);

    // Confirming takes a current code from the key, not a wrong one.
    let step = fresh_step().await;
    let refused = app
        .api_send(
            Method::POST,
            "/auth/totp/confirm",
            Some(&session),
            Some(json!({ "code": wrong_code(&secret, step) })),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.pointers(), ["#/code"]);
    let confirmed = app
        .api_ok(
            Method::POST,
            "/auth/totp/confirm",
            &session,
            Some(json!({ "code": code_for_step(&secret, step - 1) })),
        )
        .await;
    let codes = confirmed["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let me = app.api_ok(Method::GET, "/auth/me", &session, None).await;
    assert_eq!(me["second_factor"], json!(["totp"]));
    let again = app
        .api_send(
            Method::POST,
            "/auth/totp",
            Some(&session),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(again.status, 409, "on already: {}", again.body);

    // The password now gets a challenge, not a token.
    let first = app.first_step(&email, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["second_factor_required"], true);
    assert_eq!(first.body["methods"], json!(["totp", "recovery_code"]));
    assert!(first.body.get("access_token").is_none(), "{}", first.body);
    let challenge = first.body["challenge"].as_str().unwrap().to_owned();

    let now_code = code_for_step(&secret, step);
    let signed_in = app.second_step(&challenge, &now_code).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(signed_in.body["user"]["second_factor"], json!(["totp"]));
    app.api_ok(Method::GET, "/todos", &token, None).await;

    // The same code, on a new challenge: refused (RFC 6238 section 5.2).
    let replay_challenge = app.challenge(&email).await;
    let replayed = app.second_step(&replay_challenge, &now_code).await;
    assert_eq!(replayed.status, 401, "{}", replayed.body);
    assert_eq!(replayed.problem_code(401), "invalid_code");
    // So is the code confirmation used, and the finished challenge again.
    let older = app
        .second_step(&replay_challenge, &code_for_step(&secret, step - 1))
        .await;
    assert_eq!(older.problem_code(401), "invalid_code");
    let reused = app
        .second_step(&challenge, &code_for_step(&secret, step + 1))
        .await;
    assert_eq!(reused.problem_code(401), "sign_in_expired");
    // The next step's code works once, on the challenge still open.
    let next = app
        .second_step(&replay_challenge, &code_for_step(&secret, step + 1))
        .await;
    assert_eq!(next.status, 200, "{}", next.body);

    // Every step is in the owner's security log.
    let kinds = app.event_kinds(&session).await;
    for (kind, detail) in [
        ("totp_enabled", ""),
        ("second_factor_asked", ""),
        ("second_factor_failed", "code already used"),
        ("sign_in", "with an authenticator code"),
    ] {
        assert!(
            kinds.iter().any(|(k, d)| k == kind && d.contains(detail)),
            "{kind} {detail:?} in {kinds:?}"
        );
    }

    // The database keeps the recovery codes' hashes only.
    let db = app.db().await;
    let stored: Vec<(String,)> = taskward::on_db!(&db, pool => {
        sqlx::query_as("SELECT code_hash FROM recovery_codes")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(stored.len(), 10);
    for code in codes {
        let plain = code.as_str().unwrap().replace('-', "");
        assert!(stored.iter().all(|(hash,)| !hash.contains(&plain)));
    }
}

#[tokio::test]
async fn a_recovery_code_works_once_says_how_many_are_left_and_renewal_ends_the_old_ones() {
    let app = spawn_app().await;
    let account = app.enrolled().await;
    let first = &account.recovery_codes[0];

    // Typed in capitals with spaces for dashes, it still reads.
    let typed = first.to_uppercase().replace('-', " ");
    let signed_in = app
        .second_step(&app.challenge(&account.email).await, &typed)
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.body["recovery_codes_left"], 9);
    let again = app
        .second_step(&app.challenge(&account.email).await, first)
        .await;
    assert_eq!(again.status, 401, "used up: {}", again.body);
    assert_eq!(again.problem_code(401), "invalid_code");

    // New codes end the old ones.
    let renewed = app
        .api_ok(
            Method::POST,
            "/auth/recovery-codes",
            &account.session,
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    let fresh: Vec<String> = renewed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fresh.len(), 10);
    assert!(
        fresh
            .iter()
            .all(|code| !account.recovery_codes.contains(code))
    );
    let old = app
        .second_step(
            &app.challenge(&account.email).await,
            &account.recovery_codes[1],
        )
        .await;
    assert_eq!(old.status, 401, "{}", old.body);
    let new = app
        .second_step(&app.challenge(&account.email).await, &fresh[0])
        .await;
    assert_eq!(new.status, 200, "{}", new.body);
    assert_eq!(new.body["recovery_codes_left"], 9);
    let kinds = app.event_kinds(&account.session).await;
    assert!(kinds.iter().any(|(k, _)| k == "recovery_codes_renewed"));
    assert!(
        kinds
            .iter()
            .any(|(k, d)| k == "sign_in" && d == "with a recovery code")
    );

    // Two sign-ins racing with one code: exactly one gets in.
    let (a, b) = (
        app.challenge(&account.email).await,
        app.challenge(&account.email).await,
    );
    let (one, two) = tokio::join!(
        app.second_step(&a, &fresh[1]),
        app.second_step(&b, &fresh[1])
    );
    let mut statuses = [one.status, two.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401]);
}

#[tokio::test]
async fn guessed_codes_spend_the_accounts_budget_but_not_a_trusted_devices() {
    let app = spawn_app_configured(|config| config.auth.max_failed_signins = 3).await;
    let email = unique_email();
    let registered = app.register(&email, PASSWORD).await;
    let device = registered.body["device_token"].as_str().unwrap().to_owned();
    let session = registered.body["access_token"].as_str().unwrap().to_owned();
    let account = app.enrol(email.clone(), session).await;
    let step = fresh_step().await;

    // One challenge takes five wrong codes at most, then the password is
    // asked again (on an instance whose budget is larger than that).
    let roomy = spawn_app_configured(|config| config.auth.max_failed_signins = 100).await;
    let other = roomy.enrolled().await;
    let challenge = roomy.challenge(&other.email).await;
    for _ in 0..5 {
        let wrong = roomy
            .second_step(&challenge, &wrong_code(&other.secret, step))
            .await;
        assert_eq!(wrong.problem_code(401), "invalid_code");
    }
    let ended = roomy
        .second_step(&challenge, &code_for_step(&other.secret, step))
        .await;
    assert_eq!(ended.problem_code(401), "sign_in_expired");

    // Someone with the password guessing codes from elsewhere: the right
    // password is not forgiven until the code is right too, and each
    // wrong code spends the account's budget (3 here), after which even
    // the right code is refused with 429.
    let challenge = app.challenge(&email).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            app.second_step(&challenge, &wrong_code(&account.secret, step))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [401, 401, 429]);
    let right = app
        .second_step(&challenge, &code_for_step(&account.secret, step))
        .await;
    assert_eq!(right.status, 429, "{}", right.body);
    let attacker = app.first_step(&email, None).await;
    assert_eq!(attacker.status, 429, "the password step is locked too");

    // The owner's device, which signed in before, keeps its own budget.
    let owner = app.first_step(&email, Some(&device)).await;
    assert_eq!(owner.status, 200, "{}", owner.body);
    let challenge = owner.body["challenge"].as_str().unwrap();
    let signed_in = app
        .second_step(challenge, &code_for_step(&account.secret, step))
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let kinds = app.event_kinds(&account.session).await;
    assert!(
        kinds
            .iter()
            .filter(|(k, d)| k == "second_factor_failed" && d == "wrong code")
            .count()
            >= 2,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_challenge_is_bound_to_its_account_and_its_five_minutes() {
    // A budget large enough for every wrong code here.
    let app = spawn_app_configured(|config| config.auth.max_failed_signins = 100).await;
    let alice = app.enrolled().await;
    let bob = app.enrolled().await;
    let step = fresh_step().await;

    // Bob's code on Alice's challenge: wrong (it is checked against her key).
    let hers = app.challenge(&alice.email).await;
    let crossed = app
        .second_step(&hers, &code_for_step(&bob.secret, step))
        .await;
    assert_eq!(crossed.status, 401, "{}", crossed.body);
    // Bob's recovery code on Alice's challenge: not hers.
    let crossed = app.second_step(&hers, &bob.recovery_codes[0]).await;
    assert_eq!(crossed.problem_code(401), "invalid_code");
    // Bob's code still works on his own (it was not spent by her challenge).
    let his = app.challenge(&bob.email).await;
    let ok = app.second_step(&his, &bob.recovery_codes[0]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["user"]["email"], bob.email.as_str());

    // Made-up, malformed and oversized challenges.
    for challenge in [
        "x".to_owned(),
        String::new(),
        "a".repeat(43),
        "é".repeat(100),
        "a".repeat(100_000),
    ] {
        let answer = app
            .second_step(&challenge, &code_for_step(&alice.secret, step))
            .await;
        assert!(
            answer.status == 401 || answer.status == 413,
            "{}: {}",
            challenge.len(),
            answer.body
        );
    }
    // Oversized and odd codes are wrong codes, not errors.
    for code in ["", "12345", "1234567", &"9".repeat(10_000), "\u{0}\u{1}"] {
        let answer = app.second_step(&hers, code).await;
        assert_eq!(answer.status, 401, "{code:.20}: {}", answer.body);
    }

    // Past its five minutes, a challenge is refused.
    let late = app.challenge(&alice.email).await;
    let db = app.db().await;
    taskward::on_db!(&db, pool => {
        sqlx::query("UPDATE second_factor_challenges SET expires_at = $1")
            .bind(chrono::Utc::now() - chrono::TimeDelta::seconds(1))
            .execute(pool)
            .await
            .unwrap();
    });
    let expired = app
        .second_step(&late, &code_for_step(&alice.secret, step))
        .await;
    assert_eq!(expired.problem_code(401), "sign_in_expired");
}

#[tokio::test]
async fn turning_it_off_takes_the_password_and_a_code() {
    let app = spawn_app().await;
    let account = app.enrolled().await;
    let step = fresh_step().await;
    let remove = |password: &str, code: String| {
        app.api_send(
            Method::DELETE,
            "/auth/totp",
            Some(&account.session),
            Some(json!({ "password": password, "code": code })),
        )
    };
    let wrong_password = remove(
        "not the password at all",
        code_for_step(&account.secret, step),
    )
    .await;
    assert_eq!(wrong_password.status, 422);
    assert_eq!(wrong_password.pointers(), ["#/password"]);
    let wrong_code = remove(PASSWORD, wrong_code(&account.secret, step)).await;
    assert_eq!(wrong_code.status, 422);
    assert_eq!(wrong_code.pointers(), ["#/code"]);
    let off = remove(PASSWORD, code_for_step(&account.secret, step)).await;
    assert_eq!(off.status, 204, "{}", off.body);

    let signed_in = app.first_step(&account.email, None).await;
    assert!(
        signed_in.body["access_token"].is_string(),
        "{}",
        signed_in.body
    );
    let me = app
        .api_ok(Method::GET, "/auth/me", &account.session, None)
        .await;
    assert_eq!(me["second_factor"], Value::Null);
    let kinds = app.event_kinds(&account.session).await;
    assert!(kinds.iter().any(|(k, _)| k == "totp_disabled"));
    let db = app.db().await;
    let (left,): (i64,) = taskward::on_db!(&db, pool => {
        sqlx::query_as("SELECT COUNT(*) FROM recovery_codes")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(left, 0, "the recovery codes went with it");
    let again = remove(PASSWORD, code_for_step(&account.secret, step + 1)).await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn the_browser_holds_the_second_step_in_a_cookie_and_finishes_it_with_a_code() {
    let app = spawn_app().await;
    let account = app.enrolled().await;
    let step = fresh_step().await;

    let first = app.sign_in(&account.email, PASSWORD).await;
    assert!(
        session_token(&first).is_none(),
        "no session before the code"
    );
    let step_token = cookie_set(&first, STEP_COOKIE).expect("the step's cookie");
    let cookie = first
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|value| value.starts_with(STEP_COOKIE))
        .unwrap()
        .to_owned();
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=300",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }

    let page = app
        .client
        .get(app.url("/signin/second-factor"))
        .header(header::COOKIE, format!("{STEP_COOKIE}={step_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"code\""), "the page asks for the code");

    let finish = |code: String, step_token: Option<String>| {
        let mut request = app
            .client
            .post(app.url("/api/auth/signin-second-factor"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("code", code.as_str())]);
        if let Some(step_token) = step_token {
            request = request.header(header::COOKIE, format!("{STEP_COOKIE}={step_token}"));
        }
        request.send()
    };
    let without = finish(code_for_step(&account.secret, step), None)
        .await
        .unwrap();
    assert_eq!(without.status(), 401, "no step cookie, no sign-in");
    let wrong = finish(wrong_code(&account.secret, step), Some(step_token.clone()))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let done = finish(
        code_for_step(&account.secret, step),
        Some(step_token.clone()),
    )
    .await
    .unwrap();
    assert!(done.status().is_success() || done.status().is_redirection());
    let token = session_token(&done).expect("the session cookie");
    assert!(cookie_set(&done, DEVICE_COOKIE).is_some());
    assert_eq!(cookie_set(&done, STEP_COOKIE).as_deref(), Some(""));
    assert_eq!(app.me(&token).await.status(), 200);
    // The step is done: its cookie is worth nothing now.
    let reused = finish(code_for_step(&account.secret, step + 1), Some(step_token))
        .await
        .unwrap();
    assert_eq!(reused.status(), 401);
}

#[tokio::test]
async fn the_policy_sends_admins_then_everyone_to_set_up_a_second_factor_first() {
    let app = spawn_app().await;
    let (admin_email, admin) = app.new_admin().await;
    let user = app.web_user().await;
    let user_token = {
        let email = unique_email();
        let session = app.register(&email, PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = app
            .api_ok(
                Method::POST,
                "/auth/tokens",
                &session,
                Some(json!({ "name": "script", "scope": "write" })),
            )
            .await;
        token["token"].as_str().unwrap().to_owned()
    };
    let admin_api = app.first_step(&admin_email, None).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let set_policy = |policy: &'static str| {
        app.api_ok(
            Method::PATCH,
            "/admin/settings",
            &admin_api,
            Some(json!({ "require_second_factor": policy })),
        )
    };
    let settings = set_policy("admins").await;
    assert_eq!(settings["require_second_factor"], "admins");

    // The admin's pages lead to the security page, which opens.
    for path in ["/todos", "/dashboard", "/admin", "/account"] {
        let held = app.get_with_cookie(path, &admin).await;
        assert_eq!(held.status(), 303, "{path}");
        assert_eq!(
            held.headers()[header::LOCATION],
            "/account/security",
            "{path}"
        );
    }
    assert_eq!(
        app.get_with_cookie("/account/security", &admin)
            .await
            .status(),
        200
    );
    // The API answers 403 second_factor_required, but for enrolling.
    for (method, path) in [
        (Method::GET, "/todos"),
        (Method::GET, "/auth/me"),
        (Method::GET, "/admin/users"),
        (Method::GET, "/auth/tokens"),
    ] {
        let held = app.api_send(method, path, Some(&admin_api), None).await;
        assert_eq!(held.status, 403, "{path}: {}", held.body);
        assert_eq!(held.problem_code(403), "second_factor_required", "{path}");
    }
    // A user is not covered by `admins`.
    assert_eq!(app.get_with_cookie("/todos", &user).await.status(), 200);
    app.api_ok(Method::GET, "/todos", &user_token, None).await;

    // Enrolling opens everything again.
    let enrolled = app.enrol(admin_email.clone(), admin_api.clone()).await;
    app.api_ok(Method::GET, "/todos", &enrolled.session, None)
        .await;
    assert_eq!(app.get_with_cookie("/todos", &admin).await.status(), 200);

    // `everyone` covers the user and their API token too.
    let settings = app
        .api_ok(
            Method::PATCH,
            "/admin/settings",
            &enrolled.session,
            Some(json!({ "require_second_factor": "everyone" })),
        )
        .await;
    assert_eq!(settings["require_second_factor"], "everyone");
    let held = app.get_with_cookie("/todos", &user).await;
    assert_eq!(held.headers()[header::LOCATION], "/account/security");
    let held = app
        .api_send(Method::GET, "/todos", Some(&user_token), None)
        .await;
    assert_eq!(held.problem_code(403), "second_factor_required");
    let (status, body) = app.site_call(&user, "/api/todos/listing", &[]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "second_factor_required");
    // Signing out still works.
    let (status, _) = app.site_call(&user, "/api/auth/signout", &[]).await;
    assert!(status < 400);

    // A wrong policy is refused with the field named.
    let wrong = app
        .api_send(
            Method::PATCH,
            "/admin/settings",
            Some(&enrolled.session),
            Some(json!({ "require_second_factor": "some" })),
        )
        .await;
    assert_eq!(wrong.status, 422);
    let settings = app
        .api_ok(
            Method::PATCH,
            "/admin/settings",
            &enrolled.session,
            Some(json!({ "require_second_factor": "none" })),
        )
        .await;
    assert_eq!(settings["require_second_factor"], "none");
    app.api_ok(Method::GET, "/todos", &user_token, None).await;
}

#[tokio::test]
async fn an_administrator_removes_a_lost_second_factor_logged_and_mailed() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (admin_email, admin_cookie) = app.new_admin().await;
    let admin_session = app.first_step(&admin_email, None).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = app.enrolled().await;
    let id = app.user_id(&account.email).await;

    let listed = app
        .api_ok(
            Method::GET,
            &format!("/admin/users/{id}"),
            &admin_session,
            None,
        )
        .await;
    assert_eq!(listed["second_factor"], true);
    // The account itself cannot use the admin endpoint.
    let refused = app
        .api_send(
            Method::DELETE,
            &format!("/admin/users/{id}/second-factor"),
            Some(&account.session),
            None,
        )
        .await;
    assert_eq!(refused.status, 403);

    let removed = app
        .api_send(
            Method::DELETE,
            &format!("/admin/users/{id}/second-factor"),
            Some(&admin_session),
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    let again = app
        .api_send(
            Method::DELETE,
            &format!("/admin/users/{id}/second-factor"),
            Some(&admin_session),
            None,
        )
        .await;
    assert_eq!(again.status, 404);
    let signed_in = app.first_step(&account.email, None).await;
    assert!(
        signed_in.body["access_token"].is_string(),
        "{}",
        signed_in.body
    );
    let notice = sink
        .wait_for_about(
            "Two-step sign-in was turned off on your Taskward account",
            1,
        )
        .await;
    assert_eq!(notice[0]["to"], json!([account.email]));
    let kinds = app.event_kinds(&account.session).await;
    assert!(
        kinds
            .iter()
            .any(|(k, _)| k == "second_factor_removed_by_admin")
    );

    // The console's button does the same.
    let other = app.enrolled().await;
    let other_id = app.user_id(&other.email).await;
    let (status, body) = app
        .admin_call(
            &admin_cookie,
            "remove-second-factor",
            &[("user", &other_id)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(app.first_step(&other.email, None).await.body["access_token"].is_string());

    // And the command line, for an instance whose administrators are locked out.
    let third = app.enrolled().await;
    let output = app.cli(&["admin", "reset-2fa", &third.email]).await;
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("removed two-step sign-in"), "{said}");
    assert!(app.first_step(&third.email, None).await.body["access_token"].is_string());
    let output = app.cli(&["admin", "reset-2fa", &third.email]).await;
    assert!(!output.status.success(), "nothing left to remove");
    let output = app.cli(&["admin", "reset-2fa", "nobody@example.com"]).await;
    assert!(!output.status.success());
}
