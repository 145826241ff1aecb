//! Reminders by Web Push, against a local push endpoint that decrypts each
//! push with its own browser keys (RFC 8291) and checks its VAPID
//! signature (RFC 8292): at the reminder's minute, once with two
//! instances, none for a todo done before it, late (and said so) after a
//! restart; a test push; 404 and 410 removing the browser. And the
//! endpoint rule tried as an attacker would: http, loopback and private
//! addresses however written, names that resolve inward, credentials,
//! redirects, huge and slow answers, and an endpoint the rule stopped
//! allowing after it was stored.

use crate::common;

use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use common::{
    TestApp,
    clock::just_before_a_minute,
    push_endpoint::{Answer, PushEndpoint, check_vapid},
    spawn_app_configured, spawn_second_instance,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::{calendar::Clock, config::Config};

/// Pushes may go to `endpoint` (plain http on loopback), on `clock`.
fn pushing_to(endpoint: &PushEndpoint, clock: Clock) -> impl FnOnce(&mut Config) + use<> {
    let host = endpoint.host();
    move |config| {
        config.web_push.allowed_hosts = vec![host];
        config.web_push.timeout = Duration::from_secs(2);
        config.clock = clock;
    }
}

impl TestApp {
    /// Subscribes the endpoint's browser `id` for the account `token`.
    async fn subscribe_browser(&self, token: &str, endpoint: &PushEndpoint, id: &str) -> Value {
        let answer = self
            .api_send(
                Method::POST,
                "/push/subscriptions",
                Some(token),
                Some(json!({
                    "endpoint": endpoint.endpoint(id),
                    "keys": endpoint.keys(),
                    "name": format!("Browser {id}"),
                    "expirationTime": null,
                })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }

    async fn push_log(&self, token: &str) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let page = self
                .api_ok(Method::GET, "/reminders/deliveries", token, None)
                .await;
            let items: Vec<Value> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|item| item["channel"] == "push")
                .cloned()
                .collect();
            if !items.is_empty() && items.iter().all(|item| item["status"] != "queued") {
                return items;
            }
            assert!(tokio::time::Instant::now() < deadline, "{page}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn browsers(&self, token: &str) -> Vec<Value> {
        self.api_ok(Method::GET, "/push/subscriptions", token, None)
            .await["items"]
            .as_array()
            .unwrap()
            .clone()
    }
}

#[tokio::test]
async fn a_reminder_reaches_each_browser_encrypted_and_signed_once_with_two_instances() {
    let endpoint = PushEndpoint::start(Answer::Created).await;
    let (clock, minute) = just_before_a_minute(Duration::from_secs(5));
    let app = spawn_app_configured(pushing_to(&endpoint, clock)).await;
    spawn_second_instance(&app, pushing_to(&endpoint, clock)).await;
    let token = app.api_user_in("UTC").await;
    let key = app.api_send(Method::GET, "/push/key", None, None).await;
    assert_eq!(key.status, 200);
    let instance_key = key.body["public_key"].as_str().unwrap().to_owned();
    app.subscribe_browser(&token, &endpoint, "laptop").await;
    app.subscribe_browser(&token, &endpoint, "phone").await;
    // Email off: the push is the only channel.
    app.api_ok(
        Method::PATCH,
        "/auth/me",
        &token,
        Some(json!({ "reminders": { "email": false } })),
    )
    .await;
    let todo = app
        .todo_with(
            &token,
            json!({
                "title": "Feed the cat",
                "due": minute.format("%Y-%m-%dT%H:%M:00Z").to_string(),
                "reminders": [{ "before_minutes": 0 }],
            }),
        )
        .await;
    // One done before its minute: its reminder is cancelled.
    let gym = app
        .todo_with(
            &token,
            json!({
                "title": "Go to the gym",
                "due": minute.format("%Y-%m-%dT%H:%M:00Z").to_string(),
                "reminders": [{ "before_minutes": 0 }],
            }),
        )
        .await;
    app.api_ok(
        Method::PATCH,
        &format!("/todos/{}", gym["id"].as_str().unwrap()),
        &token,
        Some(json!({ "completed": true })),
    )
    .await;
    assert!(endpoint.received().is_empty(), "nothing before the minute");

    let pushes = endpoint.wait_for(2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        endpoint.received().len(),
        2,
        "once per browser, however many instances, and none for the todo done"
    );
    for push in &pushes {
        assert_eq!(push.message["title"], "Feed the cat");
        assert!(
            push.message["body"]
                .as_str()
                .unwrap()
                .starts_with("Due today at"),
            "{}",
            push.message
        );
        assert_eq!(
            push.message["url"],
            format!(
                "http://127.0.0.1/todos?open={}",
                todo["id"].as_str().unwrap()
            )
        );
        assert_eq!(push.headers["content-encoding"], "aes128gcm");
        assert_eq!(push.headers["ttl"], "86400");
        check_vapid(&push.headers, &instance_key, "http://127.0.0.1");
    }
    let log = app.push_log(&token).await;
    assert_eq!(log.len(), 2, "{log:?}");
    for entry in &log {
        assert_eq!(entry["status"], "sent", "{entry}");
        assert_eq!(entry["late"], false);
        assert!(entry["sent_at"].is_string());
    }
    let browsers = app.browsers(&token).await;
    assert!(
        browsers
            .iter()
            .all(|browser| browser["last_sent_at"].is_string())
    );
    assert!(
        browsers
            .iter()
            .all(|browser| browser["push_service"] == format!("http://{}", endpoint.host()))
    );
}

#[tokio::test]
async fn a_push_due_while_the_service_was_down_goes_out_late_once_after_the_restart() {
    let endpoint = PushEndpoint::start(Answer::Created).await;
    let app = spawn_app_configured(pushing_to(&endpoint, Clock::System)).await;
    let token = app.api_user_in("UTC").await;
    app.subscribe_browser(&token, &endpoint, "desk").await;
    let minute = (Utc::now() + TimeDelta::minutes(5))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    app.todo_with(
        &token,
        json!({
            "title": "Call the bank",
            "due": minute.format("%Y-%m-%dT%H:%M:00Z").to_string(),
            "reminders": [{ "before_minutes": 0 }],
        }),
    )
    .await;
    app.stop().await;

    // Back half an hour later: pushed at once, said to be late, once.
    spawn_second_instance(
        &app,
        pushing_to(&endpoint, Clock::Shifted(TimeDelta::minutes(35))),
    )
    .await;
    let pushes = endpoint.wait_for(1).await;
    assert_eq!(pushes[0].message["title"], "Call the bank");
    let body = pushes[0].message["body"].as_str().unwrap();
    assert!(
        body.starts_with("Was due") && body.ends_with("(sent late)"),
        "{body}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(endpoint.received().len(), 1, "once");
}

#[tokio::test]
async fn a_browser_the_push_service_forgot_is_removed_and_the_log_says_so() {
    let endpoint = PushEndpoint::start(Answer::Status(410)).await;
    let app = spawn_app_configured(pushing_to(&endpoint, Clock::System)).await;
    let token = app.api_user_in("UTC").await;
    app.subscribe_browser(&token, &endpoint, "old").await;
    let sent = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let pushed: Vec<&Value> = sent.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["channel"] == "push")
        .collect();
    assert_eq!(pushed.len(), 1, "{}", sent.body);
    assert_eq!(pushed[0]["status"], "failed");
    let detail = pushed[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("410") && detail.contains("removed"),
        "{detail}"
    );
    assert!(app.browsers(&token).await.is_empty());
    assert_eq!(endpoint.received()[0].message["title"], "Test reminder");

    // 404 the same; another failure keeps the browser.
    endpoint.answer_with(Answer::Status(404));
    app.subscribe_browser(&token, &endpoint, "again").await;
    app.api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    assert!(app.browsers(&token).await.is_empty());
    endpoint.answer_with(Answer::Status(500));
    app.subscribe_browser(&token, &endpoint, "flaky").await;
    let flaky = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    let entry = flaky.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["channel"] == "push")
        .unwrap()
        .clone();
    assert_eq!(entry["status"], "failed");
    assert!(entry["detail"].as_str().unwrap().contains("500"), "{entry}");
    assert_eq!(app.browsers(&token).await.len(), 1);
}

#[tokio::test]
async fn redirects_are_not_followed_and_huge_or_slow_answers_are_cut_short() {
    let endpoint = PushEndpoint::start(Answer::Created).await;
    let elsewhere = PushEndpoint::start(Answer::Created).await;
    let app = spawn_app_configured(pushing_to(&endpoint, Clock::System)).await;
    let token = app.api_user_in("UTC").await;
    app.subscribe_browser(&token, &endpoint, "b").await;
    let push_entry = |answer: &common::api::Answer| {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["channel"] == "push")
            .unwrap()
            .clone()
    };

    endpoint.answer_with(Answer::RedirectTo(elsewhere.endpoint("x")));
    let redirected = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    let entry = push_entry(&redirected);
    assert_eq!(entry["status"], "failed", "{entry}");
    assert!(entry["detail"].as_str().unwrap().contains("301"), "{entry}");
    assert!(elsewhere.received().is_empty(), "the redirect was followed");

    // 16 MiB of answer: taken as sent, without reading it all.
    endpoint.answer_with(Answer::HugeBody(16 * 1024 * 1024));
    let huge = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    assert_eq!(push_entry(&huge)["status"], "sent");

    // Slower than WEB_PUSH_TIMEOUT_SECS (2 s here): failed, in time.
    endpoint.answer_with(Answer::Slow(Duration::from_secs(20)));
    let started = std::time::Instant::now();
    let slow = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    let entry = push_entry(&slow);
    assert_eq!(entry["status"], "failed");
    assert!(
        entry["detail"].as_str().unwrap().contains("in time"),
        "{entry}"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test]
async fn endpoints_that_lead_inside_are_refused_when_given_and_when_sent() {
    let endpoint = PushEndpoint::start(Answer::Created).await;
    let app = spawn_app_configured(pushing_to(&endpoint, Clock::System)).await;
    let token = app.api_user_in("UTC").await;
    let keys = endpoint.keys();
    for (given, pointer) in [
        ("http://push.example.com/x", "#/endpoint"),
        ("https://127.0.0.1/x", "#/endpoint"),
        ("https://10.0.0.8:8443/x", "#/endpoint"),
        ("https://169.254.169.254/latest/meta-data/", "#/endpoint"),
        ("https://[::1]/x", "#/endpoint"),
        ("https://[::ffff:127.0.0.1]/x", "#/endpoint"),
        ("https://0x7f.1/x", "#/endpoint"),
        ("https://localhost/x", "#/endpoint"),
        ("https://user:pw@push.example.com/x", "#/endpoint"),
        ("file:///etc/passwd", "#/endpoint"),
        // The allowed host on another port is not allowed.
        (
            &format!(
                "http://127.0.0.1:{}/x",
                endpoint
                    .host()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .parse::<u32>()
                    .unwrap()
                    + 1
            ),
            "#/endpoint",
        ),
    ] {
        let answer = app
            .api_send(
                Method::POST,
                "/push/subscriptions",
                Some(&token),
                Some(json!({ "endpoint": given, "keys": keys })),
            )
            .await;
        assert_eq!(answer.status, 422, "{given}: {}", answer.body);
        assert_eq!(answer.pointers(), [pointer], "{given}");
    }
    let long = format!("https://push.example.com/{}", "a".repeat(1_100));
    let answer = app
        .api_send(
            Method::POST,
            "/push/subscriptions",
            Some(&token),
            Some(json!({ "endpoint": long, "keys": keys })),
        )
        .await;
    assert_eq!(answer.status, 422);
    for (p256dh, auth, pointer) in [
        ("AAAA", keys["auth"].as_str().unwrap(), "#/keys/p256dh"),
        (keys["p256dh"].as_str().unwrap(), "AAAA", "#/keys/auth"),
        (
            &"B".repeat(87),
            keys["auth"].as_str().unwrap(),
            "#/keys/p256dh",
        ),
    ] {
        let answer = app
            .api_send(
                Method::POST,
                "/push/subscriptions",
                Some(&token),
                Some(json!({ "endpoint": endpoint.endpoint("k"), "keys": { "p256dh": p256dh, "auth": auth } })),
            )
            .await;
        assert_eq!(answer.status, 422, "{}", answer.body);
        assert_eq!(answer.pointers(), [pointer]);
    }
    assert!(app.browsers(&token).await.is_empty());

    // Stored while the host was allowed; an instance that does not allow
    // it any more sends nothing there.
    app.subscribe_browser(&token, &endpoint, "then").await;
    let (_, strict) = spawn_second_instance(&app, |config| {
        config.web_push.allowed_hosts = Vec::new();
    })
    .await;
    let answer: Value = reqwest::Client::new()
        .post(format!("{strict}/api/v1/reminders/test"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["channel"] == "push")
        .unwrap()
        .clone();
    assert_eq!(entry["status"], "failed", "{entry}");
    assert!(
        entry["detail"].as_str().unwrap().contains("https"),
        "{entry}"
    );
    assert!(endpoint.received().is_empty());
}

#[tokio::test]
async fn subscriptions_are_each_accounts_own_and_bounded() {
    let endpoint = PushEndpoint::start(Answer::Created).await;
    let app = spawn_app_configured(pushing_to(&endpoint, Clock::System)).await;
    let (alice, bob) = (app.api_user_in("UTC").await, app.api_user_in("UTC").await);
    let made = app.subscribe_browser(&alice, &endpoint, "shared").await;
    // The same browser again: its keys updated, 200, still one.
    let again = app
        .api_send(
            Method::POST,
            "/push/subscriptions",
            Some(&alice),
            Some(json!({ "endpoint": endpoint.endpoint("shared"), "keys": endpoint.keys() })),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], made["id"]);
    assert_eq!(app.browsers(&alice).await.len(), 1);

    // Bob cannot see or remove it.
    assert!(app.browsers(&bob).await.is_empty());
    let id = made["id"].as_str().unwrap();
    let theirs = app
        .api_send(
            Method::DELETE,
            &format!("/push/subscriptions/{id}"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(theirs.status, 404);
    // Bob signs in on the same browser: it is his now, not Alice's.
    app.subscribe_browser(&bob, &endpoint, "shared").await;
    assert!(app.browsers(&alice).await.is_empty());
    assert_eq!(app.browsers(&bob).await.len(), 1);

    // At most 20 per account, however many are asked for at once.
    let asks = (0..25).map(|n| {
        app.api_send(
            Method::POST,
            "/push/subscriptions",
            Some(&alice),
            Some(json!({ "endpoint": endpoint.endpoint(&format!("many-{n}")), "keys": endpoint.keys() })),
        )
    });
    let answers = futures::future::join_all(asks).await;
    let made = answers.iter().filter(|answer| answer.status == 201).count();
    let refused = answers.iter().filter(|answer| answer.status == 409).count();
    assert_eq!((made, refused), (20, 5));
    assert_eq!(app.browsers(&alice).await.len(), 20);

    let gone = app
        .api_send(
            Method::DELETE,
            &format!("/push/subscriptions/{id}"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    assert!(app.browsers(&bob).await.is_empty());
    assert_eq!(
        app.api_send(Method::GET, "/push/subscriptions", None, None)
            .await
            .status,
        401
    );
}
