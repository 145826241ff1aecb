//! The account's own sessions and security log over the JSON API, tried
//! as their owner and as another account would.

use crate::common;

use common::{TestApp, accounts::PASSWORD, accounts::unique_email, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

impl TestApp {
    async fn signin_answer(&self, email: &str, password: &str) -> common::api::Answer {
        self.api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }
}

fn token(answer: &common::api::Answer) -> String {
    assert!((200..300).contains(&answer.status), "{}", answer.body);
    answer.body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_account_lists_its_sessions_and_ends_one_but_not_anothers() {
    let app = spawn_app().await;
    let email = unique_email();
    let first = token(&app.register(&email, PASSWORD).await);
    let second = token(&app.signin_answer(&email, PASSWORD).await);

    let listed = app
        .api_ok(Method::GET, "/auth/sessions", &first, None)
        .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{listed}");
    assert_eq!(listed["next_cursor"], Value::Null);
    assert_eq!(
        items.iter().filter(|item| item["current"] == true).count(),
        1
    );
    for item in items {
        for member in ["id", "created_at", "last_used_at", "user_agent", "address"] {
            assert!(!item[member].is_null(), "{member}: {item}");
        }
    }
    let other_id = items.iter().find(|item| item["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Another account cannot end it, nor tell it from an unknown id.
    let stranger = app.api_user().await;
    let refused = app
        .api_send(
            Method::DELETE,
            &format!("/auth/sessions/{other_id}"),
            Some(&stranger),
            None,
        )
        .await;
    refused.problem(404);
    let unknown = app
        .api_send(
            Method::DELETE,
            &format!("/auth/sessions/{}", uuid::Uuid::new_v4()),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(unknown.body["detail"], refused.body["detail"]);
    for malformed in ["not-an-id", "%00", &"9".repeat(300)] {
        let answer = app
            .api_send(
                Method::DELETE,
                &format!("/auth/sessions/{malformed}"),
                Some(&first),
                None,
            )
            .await;
        answer.problem(404);
    }
    app.api_ok(Method::GET, "/auth/me", &second, None).await;

    // Its owner can.
    let ended = app
        .api_send(
            Method::DELETE,
            &format!("/auth/sessions/{other_id}"),
            Some(&first),
            None,
        )
        .await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    app.api_send(Method::GET, "/auth/me", Some(&second), None)
        .await
        .problem(401);
    let listed = app
        .api_ok(Method::GET, "/auth/sessions", &first, None)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_account_reads_its_own_security_log_a_page_at_a_time() {
    let app = spawn_app().await;
    let email = unique_email();
    let registered = app.register(&email, PASSWORD).await;
    let owner = token(&registered);
    let owner_id = registered.body["user"]["id"].as_str().unwrap().to_owned();
    let failed = app.signin_answer(&email, "not the password at all").await;
    assert_eq!(failed.status, 401);
    token(&app.signin_answer(&email, PASSWORD).await);
    // Someone else's events never show.
    app.api_user().await;

    let page = app.api_ok(Method::GET, "/auth/events", &owner, None).await;
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["sign_in", "sign_in_failed", "sign_up"], "{page}");
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["target_id"], owner_id.as_str());
        assert!(item["at"].is_string() && item["address"].is_string());
    }

    // One at a time, newest first, to the end.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/auth/events?limit=1&cursor={cursor}"),
            None => "/auth/events?limit=1".to_owned(),
        };
        let page = app.api_ok(Method::GET, &path, &owner, None).await;
        seen.push(page["items"][0]["type"].as_str().unwrap().to_owned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, kinds);

    for bad in [
        "/auth/events?limit=0",
        "/auth/events?limit=201",
        "/auth/events?cursor=xyz",
    ] {
        app.api_send(Method::GET, bad, Some(&owner), None)
            .await
            .problem(422);
    }
    app.api_send(Method::GET, "/auth/events", None, None)
        .await
        .problem(401);
}

#[tokio::test]
async fn an_administrators_action_names_who_acted_in_the_accounts_log() {
    let app = spawn_app().await;
    let registered = app.register(&unique_email(), PASSWORD).await;
    let user = token(&registered);
    let user_id = registered.body["user"]["id"].as_str().unwrap().to_owned();
    let (admin_email, admin_cookie) = app.new_admin().await;
    let admin_id = token(&app.signin_answer(&admin_email, PASSWORD).await);
    let admin_id = app.api_ok(Method::GET, "/auth/me", &admin_id, None).await["id"].clone();
    app.site_ok(
        &admin_cookie,
        "/api/admin/set-role",
        &[("user", user_id.as_str()), ("role", "admin")],
    )
    .await;

    let page = app
        .api_ok(Method::GET, "/auth/events?limit=1", &user, None)
        .await;
    let event = &page["items"][0];
    assert_eq!(event["type"], "admin_granted", "{page}");
    assert_eq!(event["actor_id"], admin_id);
    assert_eq!(event["target_id"], user_id.as_str());
}
