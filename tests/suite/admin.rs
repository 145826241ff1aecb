//! Roles, administration and the security log, tried over HTTP (and the
//! command line) as operators, users and attackers would.

use crate::common;

use std::process::Command;

use common::{
    TEST_JWT_SECRET, TestApp,
    accounts::{PASSWORD, session_token, unique_email},
    spawn_app, spawn_app_configured,
};
use reqwest::{StatusCode, header};
use serde_json::Value;
use taskward::{admin::store, auth::Role, client::Client, db::Db};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

impl TestApp {
    /// Runs `taskward <args>` against this app's database. On a blocking
    /// thread: the app runs on this test's runtime, and its mail worker
    /// must be able to finish a write the command then waits for.
    pub(crate) async fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_taskward"));
        command
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .env("DATA_DIR", std::env::temp_dir())
            .env("LOG_LEVEL", "error");
        tokio::task::spawn_blocking(move || command.output().expect("the taskward binary runs"))
            .await
            .unwrap()
    }

    pub(crate) async fn db(&self) -> Db {
        Db::connect(&self.database_url, 1).await.unwrap()
    }

    /// A new account made an administrator; returns its email and token.
    pub(crate) async fn new_admin(&self) -> (String, String) {
        let email = unique_email();
        let token = self.sign_up(&email, PASSWORD).await;
        self.set_role(&email, Role::Admin).await;
        (email, token)
    }

    async fn set_role(&self, email: &str, role: Role) {
        let db = self.db().await;
        let id = store::user_id_by_email(&db, email).await.unwrap().unwrap();
        store::change_role(&db, id, role, None, &Client::command_line())
            .await
            .unwrap();
    }

    pub(crate) async fn user_id(&self, email: &str) -> String {
        let db = self.db().await;
        store::user_id_by_email(&db, email)
            .await
            .unwrap()
            .unwrap()
            .to_string()
    }

    pub(crate) async fn admin_call(
        &self,
        token: &str,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (u16, Value) {
        let response = self
            .post_form(&format!("/api/admin/{endpoint}"), form, Some(token))
            .await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn log_kinds(&self, admin: &str, email: &str) -> Vec<String> {
        let (status, page) = self
            .admin_call(admin, "security-log", &[("email", email)])
            .await;
        assert_eq!(status, 200, "{page}");
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| event["kind"].as_str().unwrap().to_owned())
            .collect()
    }
}

const ADMIN_ENDPOINTS: [&str; 7] = [
    "users",
    "set-role",
    "disable",
    "enable",
    "end-sessions",
    "delete",
    "security-log",
];

#[tokio::test]
async fn the_first_admin_is_made_on_the_command_line() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    assert_eq!(app.admin_call(&token, "users", &[]).await.0, 403);

    let listed = app.cli(&["admin", "list"]).await;
    assert!(listed.status.success());
    assert!(String::from_utf8_lossy(&listed.stdout).contains("No administrators yet"));

    let granted = app.cli(&["admin", "grant", &email.to_uppercase()]).await;
    assert!(granted.status.success(), "{granted:?}");
    assert!(String::from_utf8_lossy(&granted.stdout).contains("is an administrator"));
    // The very next request sees the role, with the same token.
    assert_eq!(app.admin_call(&token, "users", &[]).await.0, 200);
    let listed = app.cli(&["admin", "list"]).await;
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&email));

    let unknown = app.cli(&["admin", "grant", "nobody@example.com"]).await;
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account"));
    let last = app.cli(&["admin", "revoke", &email]).await;
    assert!(!last.status.success());
    assert!(String::from_utf8_lossy(&last.stderr).contains("last active administrator"));
    let usage = app.cli(&["admin", "promote", &email]).await;
    assert_eq!(usage.status.code(), Some(2));
    let said = String::from_utf8_lossy(&usage.stderr).to_lowercase();
    assert!(said.contains("usage") && said.contains("promote"), "{said}");
    let help = app.cli(&["admin", "--help"]).await;
    assert!(help.status.success());
    for command in ["grant", "revoke", "list"] {
        assert!(String::from_utf8_lossy(&help.stdout).contains(command));
    }
}

#[tokio::test]
async fn the_role_is_read_from_the_database_on_every_request_cookie_or_bearer() {
    let app = spawn_app().await;
    let (email, token) = app.new_admin().await;
    let (_, other_admin) = app.new_admin().await;
    let bearer = |token: &str| {
        app.client
            .post(app.url("/api/admin/users"))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(app.admin_call(&token, "users", &[]).await.0, 200);
    assert_eq!(bearer(&token).await.unwrap().status(), 200);

    let user = app.user_id(&email).await;
    let (status, _) = app
        .admin_call(
            &other_admin,
            "set-role",
            &[("user", &user), ("role", "user")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.admin_call(&token, "users", &[]).await.0, 403);
    assert_eq!(bearer(&token).await.unwrap().status(), 403);
}

#[tokio::test]
async fn only_administrators_reach_the_console_and_its_endpoints() {
    let app = spawn_app().await;
    let user = app.sign_up(&unique_email(), PASSWORD).await;
    let victim = unique_email();
    app.sign_up(&victim, PASSWORD).await;
    let victim_id = app.user_id(&victim).await;
    let form = [
        ("user", victim_id.as_str()),
        ("role", "admin"),
        ("reason", "x"),
    ];
    for endpoint in ADMIN_ENDPOINTS {
        let (as_user, body) = app.admin_call(&user, endpoint, &form).await;
        assert_eq!(as_user, 403, "{endpoint}: {body}");
        let anonymous = app
            .post_form(&format!("/api/admin/{endpoint}"), &form, None)
            .await;
        assert_eq!(anonymous.status(), 401, "{endpoint}");
    }
    // Nothing was changed by those attempts.
    let (_, admin) = app.new_admin().await;
    let (_, page) = app.admin_call(&admin, "users", &[("q", &victim)]).await;
    assert_eq!(page["users"][0]["role"], "user");
    assert!(page["users"][0]["disabled"].is_null());

    let not_allowed = app.get_with_cookie("/admin", &user).await;
    assert_eq!(not_allowed.status(), StatusCode::FORBIDDEN);
    assert!(not_allowed.text().await.unwrap().contains("Not allowed"));
    let anonymous = app.get("/admin").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(
        anonymous.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/signin")
    );
    let console = app.get_with_cookie("/admin", &admin).await;
    assert_eq!(console.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_is_told_only_after_the_right_password() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    let id = app.user_id(&email).await;

    let (status, body) = app
        .admin_call(
            &admin,
            "disable",
            &[
                ("user", &id),
                ("reason", "Spam reported by three users"),
                ("until", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.me(&token).await.status(), 401, "its sessions ended");

    let wrong = app.sign_in(&email, "not the password").await;
    assert_eq!(wrong.status(), 401);
    let right = app.sign_in(&email, PASSWORD).await;
    assert_eq!(right.status(), 403);
    let message: Value = right.json().await.unwrap();
    assert_eq!(message["code"], "account_disabled");
    let text = message["message"].as_str().unwrap();
    assert!(
        text.contains("disabled") && text.contains("Spam reported"),
        "{text}"
    );
    assert!(text.contains("2999-01-01"), "{text}");
    let api = app
        .client
        .post(app.url("/api/v1/auth/signin"))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);

    let (status, _) = app.admin_call(&admin, "enable", &[("user", &id)]).await;
    assert_eq!(status, 200);
    assert!(app.sign_in(&email, PASSWORD).await.status().is_success());

    for (until, why) in [("31/12/2999", "not a date"), ("2001-01-01", "future")] {
        let (status, body) = app
            .admin_call(
                &admin,
                "disable",
                &[("user", &id), ("reason", "x"), ("until", until)],
            )
            .await;
        assert_eq!(status, 422, "{until}");
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
}

#[tokio::test]
async fn the_last_administrator_stays_one_and_nobody_acts_on_themselves() {
    let app = spawn_app().await;
    let (email, admin) = app.new_admin().await;
    let me = app.user_id(&email).await;
    for (endpoint, form) in [
        ("set-role", vec![("user", me.as_str()), ("role", "user")]),
        (
            "disable",
            vec![("user", me.as_str()), ("reason", "testing")],
        ),
        ("delete", vec![("user", me.as_str())]),
    ] {
        let (status, body) = app.admin_call(&admin, endpoint, &form).await;
        assert_eq!(status, 409, "{endpoint}: {body}");
    }
    assert_eq!(app.admin_call(&admin, "users", &[]).await.0, 200);

    // Two administrators demoting each other at once: one of them stays.
    let (other_email, other) = app.new_admin().await;
    let other_id = app.user_id(&other_email).await;
    let demote_other = [("user", other_id.as_str()), ("role", "user")];
    let demote_me = [("user", me.as_str()), ("role", "user")];
    let (first, second) = tokio::join!(
        app.admin_call(&admin, "set-role", &demote_other),
        app.admin_call(&other, "set-role", &demote_me),
    );
    // Whichever ran second finds either no other administrator left (409)
    // or that its caller is no longer one (403).
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200, "{first:?} {second:?}");
    assert!([403, 409].contains(&statuses[1]), "{first:?} {second:?}");
    let admins = app.cli(&["admin", "list"]).await;
    assert_eq!(String::from_utf8_lossy(&admins.stdout).lines().count(), 1);
}

#[tokio::test]
async fn every_account_event_is_logged_with_its_client_and_filters_and_pages() {
    let app = spawn_app_configured(|config| {
        config.auth.attempts_per_minute_per_address = 1_000;
        config.auth.max_failed_signins = 2;
    })
    .await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    app.sign_in(&email, "wrong password here").await;
    app.sign_in(&email, "wrong password here").await;
    app.sign_in(&email, "wrong password here").await; // locked
    let changed = app
        .post_form(
            "/api/auth/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "quiet lantern orchard drifts"),
            ],
            Some(&token),
        )
        .await;
    assert_eq!(changed.status(), 429, "locked by the failures");
    app.post_form("/api/auth/signout", &[], Some(&token)).await;

    let kinds = app.log_kinds(&admin, &email).await;
    for expected in ["sign_up", "sign_in_failed", "lockout", "sign_out"] {
        assert!(
            kinds.iter().any(|kind| kind == expected),
            "{expected} in {kinds:?}"
        );
    }
    let (_, page) = app
        .admin_call(
            &admin,
            "security-log",
            &[("email", &email), ("kind", "sign_in_failed")],
        )
        .await;
    let failures = page["events"].as_array().unwrap();
    assert!(failures.len() >= 3, "{page}");
    let details: Vec<&str> = failures
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(
        details.contains(&"wrong password") && details.contains(&"locked"),
        "{details:?}"
    );
    assert!(
        failures
            .iter()
            .all(|event| event["client_address"] == "127.0.0.1")
    );

    let (status, _) = app
        .admin_call(&admin, "security-log", &[("kind", "made_up")])
        .await;
    assert_eq!(status, 422);

    // More than a page: every event once, newest first.
    for _ in 0..55 {
        app.sign_in(&unique_email(), "wrong password here").await;
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let (_, page) = app
            .admin_call(
                &admin,
                "security-log",
                &[("kind", "sign_in_failed"), ("cursor", &cursor)],
            )
            .await;
        pages += 1;
        for event in page["events"].as_array().unwrap() {
            assert!(
                seen.insert(event["id"].as_str().unwrap().to_owned()),
                "repeated"
            );
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert!(pages >= 2);
    assert!(seen.len() >= 58, "{}", seen.len());
}

#[tokio::test]
async fn administrators_see_counts_of_todos_never_their_titles() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    app.post_form(
        "/api/todos/create",
        &[("title", "Buy a surprise ring")],
        Some(&token),
    )
    .await;

    let (_, page) = app.admin_call(&admin, "users", &[("q", &email)]).await;
    assert_eq!(page["users"].as_array().unwrap().len(), 1);
    assert_eq!(page["users"][0]["todos"], 1);
    assert_eq!(page["users"][0]["active_sessions"], 1);
    let console = app
        .get_with_cookie(&format!("/admin?q={email}"), &admin)
        .await;
    let html = console.text().await.unwrap();
    assert!(html.contains(&email));
    assert!(!html.contains("surprise ring"));
}

#[tokio::test]
async fn users_see_their_sessions_and_end_any_one_of_their_own_only() {
    let app = spawn_app().await;
    let email = unique_email();
    let here = app.sign_up(&email, PASSWORD).await;
    let elsewhere = app
        .client
        .post(app.url("/api/auth/signin"))
        .header(header::USER_AGENT, FIREFOX)
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let elsewhere = session_token(&elsewhere).unwrap();

    let page = app.get_with_cookie("/account/sessions", &here).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Firefox on Linux"),
        "the other device is named"
    );
    assert!(html.contains("(this device)"));
    assert!(html.contains("Account created") && html.contains("Signed in"));

    let sessions: Value = app
        .post_form("/api/auth/sessions", &[], Some(&here))
        .await
        .json()
        .await
        .unwrap();
    let other = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|session| session["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone else cannot end it: it answers like an unknown session.
    let stranger = app.sign_up(&unique_email(), PASSWORD).await;
    let refused = app
        .post_form("/api/auth/end-session", &[("id", &other)], Some(&stranger))
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.me(&elsewhere).await.status(), 200);

    let ended = app
        .post_form("/api/auth/end-session", &[("id", &other)], Some(&here))
        .await;
    assert_eq!(ended.status(), 200);
    assert_eq!(app.me(&elsewhere).await.status(), 401);
    assert_eq!(app.me(&here).await.status(), 200);
}

#[tokio::test]
async fn a_role_change_shows_at_once_on_pages_kept_by_the_page_cache() {
    let app = spawn_app().await;
    app.new_admin().await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    let dashboard = async || {
        let page = app.get_with_cookie("/dashboard", &token).await;
        assert_eq!(page.status(), 200);
        page.text().await.unwrap()
    };
    // Rendered, then kept: the todos do not change below.
    assert!(!dashboard().await.contains("href=\"/admin\""));
    assert!(!dashboard().await.contains("href=\"/admin\""));

    app.set_role(&email, Role::Admin).await;
    assert!(dashboard().await.contains("href=\"/admin\""));
    app.set_role(&email, Role::User).await;
    assert!(!dashboard().await.contains("href=\"/admin\""));
}

#[tokio::test]
async fn console_fields_past_their_limits_get_422_with_a_short_message_never_a_500() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let target = unique_email();
    app.sign_up(&target, PASSWORD).await;
    let target_id = app.user_id(&target).await;
    let long = "x".repeat(10_000);
    let id = uuid::Uuid::new_v4().simple().to_string();
    let out_of_range = format!("-8000000000000000000.{id}");
    let far_future = format!("9000000000000000000.{id}");

    type Attempt<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let attempts: [Attempt; 10] = [
        ("users", vec![("q", "ada\0")], "q"),
        ("users", vec![("q", &long)], "q"),
        ("users", vec![("cursor", &long)], "cursor"),
        (
            "security-log",
            vec![("email", "ada\0@example.com")],
            "email",
        ),
        ("security-log", vec![("email", &long)], "email"),
        ("security-log", vec![("kind", &long)], "kind"),
        ("security-log", vec![("cursor", &out_of_range)], "cursor"),
        ("security-log", vec![("cursor", &far_future)], "cursor"),
        (
            "disable",
            vec![("user", &target_id), ("reason", "spam\0")],
            "reason",
        ),
        (
            "disable",
            vec![("user", &target_id), ("reason", "spam"), ("until", &long)],
            "until",
        ),
    ];
    for (endpoint, form, field) in attempts {
        let (status, body) = app.admin_call(&admin, endpoint, &form).await;
        assert_eq!(status, 422, "{endpoint} {field}: {body}");
        let text = body.to_string();
        assert!(text.contains(field), "{endpoint}: {text}");
        assert!(
            text.len() < 1_024,
            "{endpoint} {field}: {} bytes",
            text.len()
        );
    }
    // Nothing was changed by the refused attempts.
    let (status, page) = app.admin_call(&admin, "users", &[("q", &target)]).await;
    assert_eq!(status, 200);
    assert!(page["users"][0]["disabled"].is_null(), "{page}");
}
