//! Personal API tokens (`/api/v1/auth/tokens`), tried as a script, as
//! their owner, and as someone who holds a token and wants more than it
//! gives: a read token writing, any token managing the account, another
//! account's token, a deleted or expired one, and many made at once.

use crate::common;

use std::time::Duration;

use common::{
    TestApp,
    accounts::{COOKIE, PASSWORD, unique_email},
    spawn_app,
};
use reqwest::{Method, header};
use serde_json::{Value, json};

impl TestApp {
    /// A new token of `scope` for the session `session`; its secret.
    async fn make_token(&self, session: &str, scope: &str) -> String {
        let made = self
            .api_send(
                Method::POST,
                "/auth/tokens",
                Some(session),
                Some(json!({ "name": format!("{scope} script"), "scope": scope })),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        made.body["token"].as_str().unwrap().to_owned()
    }

    /// A new account with a write token: its id, and the token.
    async fn account_with_token(&self) -> (String, String) {
        let email = unique_email();
        let session = self.register(&email, PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = self.make_token(&session, "write").await;
        (self.user_id(&email).await, token)
    }

    /// The status of a request for the todos with `token`.
    async fn todos_status(&self, token: &str) -> u16 {
        self.api_send(Method::GET, "/todos", Some(token), None)
            .await
            .status
    }

    async fn token_items(&self, session: &str) -> Vec<Value> {
        self.api_ok(Method::GET, "/auth/tokens", session, None)
            .await["items"]
            .as_array()
            .unwrap()
            .clone()
    }
}

#[tokio::test]
async fn a_token_is_shown_once_works_for_scripts_and_is_listed_without_its_secret() {
    let app = spawn_app().await;
    let email = unique_email();
    let session = app.register(&email, PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = app
        .api_send(
            Method::POST,
            "/auth/tokens",
            Some(&session),
            Some(json!({ "name": "  nightly backup ", "scope": "write" })),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let secret = made.body["token"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("tw_pat_") && secret.len() == 50,
        "{secret}"
    );
    assert_eq!(made.body["name"], "nightly backup");
    assert_eq!(made.body["scope"], "write");
    assert_eq!(made.body["expires_at"], Value::Null);

    // A script uses it as a bearer token.
    let todo = app.add_todo(&secret, "Made by a script").await;
    let me = app.api_ok(Method::GET, "/auth/me", &secret, None).await;
    assert_eq!(me["email"], email.as_str());
    let listed = app.api_ok(Method::GET, "/todos", &session, None).await;
    assert_eq!(listed["items"][0]["id"], todo["id"]);

    let items = app.token_items(&session).await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["id"], made.body["id"]);
    assert!(secret.starts_with(item["prefix"].as_str().unwrap()));
    assert!(item["prefix"].as_str().unwrap().len() < 20);
    assert!(item["last_used_at"].is_string(), "used: {item}");
    assert!(!item.to_string().contains(&secret[7..]), "{item}");

    // Only its hash is kept.
    let db = app.db().await;
    let stored: Vec<(String, String)> = taskward::on_db!(&db, pool => {
        sqlx::query_as("SELECT token_hash, display_prefix FROM api_tokens")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.contains(&secret[7..]) && stored[0].0.len() == 64);

    // The security log says so, without the secret.
    let events = app
        .api_ok(Method::GET, "/auth/events", &session, None)
        .await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"api_token_created"), "{kinds:?}");
    assert!(!events.to_string().contains(&secret[7..]));

    // It opens no page: the site knows sessions only.
    for request in [
        app.client.get(app.url("/todos")).bearer_auth(&secret),
        app.client
            .get(app.url("/todos"))
            .header(header::COOKIE, format!("{COOKIE}={secret}")),
    ] {
        let page = request.send().await.unwrap();
        assert_eq!(page.status(), 303, "a token is not signed in on the site");
    }
}

#[tokio::test]
async fn a_read_token_reads_and_every_change_it_asks_for_is_refused() {
    let app = spawn_app().await;
    let session = app.api_user().await;
    let todo = app.add_todo(&session, "Keep me").await;
    let id = todo["id"].as_str().unwrap();
    let read = app.make_token(&session, "read").await;

    for path in ["/todos", &format!("/todos/{id}"), "/lists", "/auth/me"] {
        app.api_ok(Method::GET, path, &read, None).await;
    }
    let export = app
        .api(Method::GET, "/export?format=json", Some(&read))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);

    let inbox = app.api_ok(Method::GET, "/lists", &session, None).await["items"][0]["id"].clone();
    let changes = [
        (
            Method::POST,
            "/todos".to_owned(),
            Some(json!({ "title": "no" })),
        ),
        (
            Method::PATCH,
            format!("/todos/{id}"),
            Some(json!({ "done": true })),
        ),
        (Method::DELETE, format!("/todos/{id}"), None),
        (
            Method::POST,
            format!("/todos/{id}/move"),
            Some(json!({ "list_id": inbox })),
        ),
        (
            Method::POST,
            "/lists".to_owned(),
            Some(json!({ "name": "no" })),
        ),
        (
            Method::DELETE,
            format!("/lists/{}", inbox.as_str().unwrap()),
            None,
        ),
        (
            Method::POST,
            format!("/undo/{}", uuid::Uuid::new_v4()),
            None,
        ),
    ];
    for (method, path, body) in changes {
        let refused = app.api_send(method.clone(), &path, Some(&read), body).await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
        assert_eq!(refused.problem_code(403), "insufficient_scope");
    }
    let import = app.import_csv(&read, "title\nsneaked in\n").await;
    assert_eq!(import.status, 403, "{}", import.body);
    let after = app.api_ok(Method::GET, "/todos", &session, None).await;
    assert_eq!(after["items"].as_array().unwrap().len(), 1);
    assert_eq!(after["items"][0]["completed"], false);
}

#[tokio::test]
async fn no_token_reaches_what_guards_the_account() {
    let app = spawn_app().await;
    let (_, admin_session) = app.new_admin().await;
    let write = app.make_token(&admin_session, "write").await;
    let mine = app.token_items(&admin_session).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let guarded = [
        (Method::GET, "/auth/tokens".to_owned(), None),
        (
            Method::POST,
            "/auth/tokens".to_owned(),
            Some(json!({ "name": "escalate", "scope": "write" })),
        ),
        (Method::DELETE, format!("/auth/tokens/{mine}"), None),
        (Method::GET, "/auth/sessions".to_owned(), None),
        (
            Method::DELETE,
            format!("/auth/sessions/{}", uuid::Uuid::new_v4()),
            None,
        ),
        (Method::GET, "/auth/events".to_owned(), None),
        (Method::POST, "/auth/refresh".to_owned(), None),
        (Method::POST, "/auth/signout".to_owned(), None),
        (
            Method::PATCH,
            "/auth/me".to_owned(),
            Some(json!({ "time_zone": "Europe/Paris" })),
        ),
        (
            Method::POST,
            "/auth/email-change".to_owned(),
            Some(json!({ "email": "thief@example.com", "password": PASSWORD })),
        ),
        (Method::DELETE, "/auth/email-change".to_owned(), None),
        (Method::POST, "/auth/verify-email/resend".to_owned(), None),
        (Method::GET, "/admin/users".to_owned(), None),
        (Method::GET, "/admin/settings".to_owned(), None),
        (
            Method::POST,
            "/auth/totp".to_owned(),
            Some(json!({ "password": PASSWORD })),
        ),
        (
            Method::POST,
            "/auth/totp/confirm".to_owned(),
            Some(json!({ "code": "123456" })),
        ),
        (
            Method::DELETE,
            "/auth/totp".to_owned(),
            Some(json!({ "password": PASSWORD, "code": "123456" })),
        ),
        (
            Method::POST,
            "/auth/recovery-codes".to_owned(),
            Some(json!({ "password": PASSWORD })),
        ),
        (Method::GET, "/auth/passkeys".to_owned(), None),
        (
            Method::POST,
            "/auth/passkeys/registration".to_owned(),
            Some(json!({ "password": PASSWORD })),
        ),
        (
            Method::POST,
            "/auth/passkeys".to_owned(),
            Some(json!({ "ceremony": "x", "name": "x", "credential": {} })),
        ),
        (
            Method::DELETE,
            format!("/auth/passkeys/{}", uuid::Uuid::new_v4()),
            Some(json!({ "password": PASSWORD })),
        ),
    ];
    for (method, path, body) in guarded {
        let refused = app
            .api_send(method.clone(), &path, Some(&write), body)
            .await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
        assert_eq!(refused.problem_code(403), "session_required", "{path}");
    }
    // The token is still there and still works for todos.
    assert_eq!(app.token_items(&admin_session).await.len(), 1);
    app.add_todo(&write, "Still allowed").await;
}

#[tokio::test]
async fn a_deleted_token_is_refused_on_the_next_request_and_only_its_owner_can_delete_it() {
    let app = spawn_app().await;
    let owner = app.api_user().await;
    let token = app.make_token(&owner, "write").await;
    let id = app.token_items(&owner).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let stranger = app.api_user().await;
    assert!(app.token_items(&stranger).await.is_empty());
    let refused = app
        .api_send(
            Method::DELETE,
            &format!("/auth/tokens/{id}"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(refused.status, 404, "another account's token is unknown");
    for unknown in [uuid::Uuid::new_v4().to_string(), "not-an-id".to_owned()] {
        let answer = app
            .api_send(
                Method::DELETE,
                &format!("/auth/tokens/{unknown}"),
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(answer.status, 404);
    }
    app.api_ok(Method::GET, "/todos", &token, None).await;

    let deleted = app
        .api_send(
            Method::DELETE,
            &format!("/auth/tokens/{id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.todos_status(&token).await, 401);
    assert!(app.token_items(&owner).await.is_empty());

    // Damaged and forged tokens are refused the same way.
    let mut forged = token.clone();
    forged.replace_range(20..21, if &token[20..21] == "A" { "B" } else { "A" });
    for bad in [
        forged,
        format!("{token}x"),
        token[..token.len() - 1].to_owned(),
        "tw_pat_".to_owned(),
        format!("tw_pat_{}", "a".repeat(10_000)),
    ] {
        assert_eq!(app.todos_status(&bad).await, 401, "{bad:.30}");
    }
}

#[tokio::test]
async fn tokens_end_with_the_accounts_sessions_and_expire_on_time() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;

    // Signing out everywhere (the site's button) ends them.
    let email = unique_email();
    let cookie = app.sign_up(&email, PASSWORD).await;
    let token = app.make_token(&cookie, "read").await;
    app.api_ok(Method::GET, "/todos", &token, None).await;
    app.site_call(&cookie, "/api/auth/signout-everywhere", &[])
        .await;
    assert_eq!(app.todos_status(&token).await, 401);

    // So does a password reset.
    let (user_id, token) = app.account_with_token().await;
    let reset = app.admin_reset_token(&admin, &user_id).await;
    let confirmed = app
        .confirm_reset(&reset, "a whole new passphrase here")
        .await;
    assert_eq!(confirmed.status, 204, "{}", confirmed.body);
    assert_eq!(app.todos_status(&token).await, 401);

    // A disabled account's tokens are refused.
    let (user_id, token) = app.account_with_token().await;
    app.api_ok(
        Method::PATCH,
        &format!("/admin/users/{user_id}"),
        &admin,
        Some(json!({ "disabled": true, "disabled_reason": "spam" })),
    )
    .await;
    assert_eq!(app.todos_status(&token).await, 401);

    // An expiry in the past or too far ahead is refused; one that comes
    // ends the token.
    let session = app.api_user().await;
    let now = chrono::Utc::now();
    for (expires_at, why) in [
        (now - chrono::TimeDelta::minutes(1), "past"),
        (now + chrono::TimeDelta::days(3651), "too far"),
    ] {
        let refused = app
            .api_send(
                Method::POST,
                "/auth/tokens",
                Some(&session),
                Some(json!({ "name": why, "scope": "read", "expires_at": expires_at })),
            )
            .await;
        assert_eq!(refused.status, 422, "{why}: {}", refused.body);
        assert_eq!(refused.pointers(), ["#/expires_at"], "{why}");
    }
    let soon = app
        .api_send(
            Method::POST,
            "/auth/tokens",
            Some(&session),
            Some(json!({
                "name": "short",
                "scope": "read",
                "expires_at": now + chrono::TimeDelta::seconds(2),
            })),
        )
        .await;
    assert_eq!(soon.status, 201, "{}", soon.body);
    let short = soon.body["token"].as_str().unwrap().to_owned();
    app.api_ok(Method::GET, "/todos", &short, None).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.todos_status(&short).await, 401);
}

#[tokio::test]
async fn names_and_scopes_are_checked_and_many_tokens_at_once_stop_at_the_cap() {
    let app = spawn_app().await;
    let session = app.api_user().await;
    for (body, pointer) in [
        (json!({ "name": "", "scope": "read" }), "#/name"),
        (
            json!({ "name": "x".repeat(101), "scope": "read" }),
            "#/name",
        ),
        (json!({ "name": "two\nlines", "scope": "read" }), "#/name"),
        (json!({ "name": "admin", "scope": "admin" }), "#/scope"),
        (json!({ "name": "no scope" }), "#/scope"),
    ] {
        let refused = app
            .api_send(
                Method::POST,
                "/auth/tokens",
                Some(&session),
                Some(body.clone()),
            )
            .await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(refused.pointers(), [pointer], "{body}");
    }

    // 25 at once: the account keeps 20, whatever the interleaving.
    let answers = futures::future::join_all((0..25).map(|index| {
        app.api_send(
            Method::POST,
            "/auth/tokens",
            Some(&session),
            Some(json!({ "name": format!("script {index}"), "scope": "read" })),
        )
    }))
    .await;
    let made = answers.iter().filter(|answer| answer.status == 201).count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|answer| answer.status == 409)
        .collect();
    assert_eq!((made, refused.len()), (20, 5));
    assert!(
        refused[0].body["detail"]
            .as_str()
            .unwrap()
            .contains("20 API tokens"),
        "{}",
        refused[0].body
    );
    assert_eq!(app.token_items(&session).await.len(), 20);
}

#[tokio::test]
async fn the_security_page_makes_a_token_shows_it_once_and_deletes_it_without_javascript() {
    let app = spawn_app().await;
    let cookie = app.web_user().await;
    let page_url = app.url("/account/security");
    let form_post = |path: &str, form: Vec<(&str, &str)>, cookies: String| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html")
            .header("sec-fetch-site", "same-origin")
            .header("referer", page_url.clone())
            .header(header::COOKIE, cookies)
            .form(&form)
            .send()
    };
    let session_cookie = format!("{COOKIE}={cookie}");

    let made = form_post(
        "/api/auth/create-api-token",
        vec![
            ("name", "cron job"),
            ("scope", "write"),
            ("expires_in_days", "30"),
        ],
        session_cookie.clone(),
    )
    .await
    .unwrap();
    assert!(made.status().is_redirection(), "{}", made.status());
    assert_eq!(made.headers()[header::LOCATION], page_url.as_str());
    let carried = made
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.contains("taskward_new_token="))
        .expect("the new token is carried to the page");
    for attribute in ["HttpOnly", "SameSite=Strict", "Max-Age=300", "Path=/"] {
        assert!(carried.contains(attribute), "{attribute}: {carried}");
    }
    let pair = carried.split(';').next().unwrap().to_owned();
    let secret = pair.split_once('=').unwrap().1.to_owned();
    assert!(secret.starts_with("tw_pat_"));

    // The page shows it once, and clears it.
    let shown = app
        .client
        .get(&page_url)
        .header(header::COOKIE, format!("{session_cookie}; {pair}"))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    let cleared = shown
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| {
            let value = value.to_str().unwrap();
            value.contains("taskward_new_token=;") && value.contains("Max-Age=0")
        });
    assert!(cleared, "the page clears the carried token");
    let shown = shown.text().await.unwrap();
    assert!(shown.contains(&secret), "the secret is shown");
    assert!(shown.contains("cron job"));
    let again = app
        .get_with_cookie("/account/security", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&secret), "shown only once");
    assert!(again.contains(&secret[..13]), "its prefix is listed");
    let sessions = app
        .get_with_cookie("/account/sessions", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(sessions.contains("cron job") && !sessions.contains(&secret));

    // It works for a script.
    app.add_todo(&secret, "From cron").await;

    // A refused form comes back with the reason.
    let refused = form_post(
        "/api/auth/create-api-token",
        vec![
            ("name", " "),
            ("scope", "write"),
            ("expires_in_days", "never"),
        ],
        session_cookie.clone(),
    )
    .await
    .unwrap();
    assert!(refused.status().is_redirection());
    let location = refused.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let page = app
        .get_with_cookie(
            location.strip_prefix(&app.base_url).unwrap_or(&location),
            &cookie,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Give the token a name of 1 to 100 characters"),
        "{location}"
    );
    for (scope, expiry) in [
        ("admin", "30"),
        ("read", "0"),
        ("read", "3651"),
        ("read", "soon"),
    ] {
        let refused = form_post(
            "/api/auth/create-api-token",
            vec![
                ("name", "bad"),
                ("scope", scope),
                ("expires_in_days", expiry),
            ],
            session_cookie.clone(),
        )
        .await
        .unwrap();
        let location = refused.headers()[header::LOCATION].to_str().unwrap();
        assert!(location.contains("__err"), "{scope} {expiry}: {location}");
    }

    // Another account cannot delete it through the form.
    let id = app.token_items(&cookie).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = app.web_user().await;
    form_post(
        "/api/auth/delete-api-token",
        vec![("id", &id)],
        format!("{COOKIE}={stranger}"),
    )
    .await
    .unwrap();
    app.api_ok(Method::GET, "/todos", &secret, None).await;

    let deleted = form_post(
        "/api/auth/delete-api-token",
        vec![("id", &id)],
        session_cookie.clone(),
    )
    .await
    .unwrap();
    assert!(deleted.status().is_redirection());
    assert_eq!(app.todos_status(&secret).await, 401);
    let after = app
        .get_with_cookie("/account/security", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(after.contains("You have no API tokens."));
}
