//! Reminders by mail, against a real SMTP server: at their minute, once
//! (also with two instances on one database), late after an outage and
//! dropped past a day, cancelled or moved with their todo; the settings,
//! the log and "send me a test", on the API and the page.

use crate::common;

use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    clock::just_before_a_minute,
    smtp_sink::{Behaviour, SmtpSink, link_token, relay_at},
    spawn_app_configured, spawn_second_instance,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::{calendar::Clock, config::Config};

/// The app's settings: mail through `sink`, and `clock`.
fn mailing(sink: &SmtpSink, clock: Clock) -> impl FnOnce(&mut Config) {
    let relay = relay_at(sink.url());
    move |config| {
        relay(config);
        config.clock = clock;
    }
}

/// `at` as a due time in UTC, minute precision.
fn due_at(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:00Z").to_string()
}

impl TestApp {
    /// A new account in UTC whose address is confirmed through the link
    /// mailed to `sink`; its address and token.
    async fn confirmed_user(&self, sink: &SmtpSink) -> (String, String) {
        let email = unique_email();
        let answer = self
            .api_send(
                Method::POST,
                "/auth/register",
                None,
                Some(json!({ "email": email, "password": PASSWORD, "time_zone": "UTC" })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let token = answer.body["access_token"].as_str().unwrap().to_owned();
        let mail = wait_for_mail_to(sink, &email, "Confirm your email address for Taskward").await;
        let link = link_token(&mail, "/verify-email");
        let confirmed = self
            .api_send(
                Method::POST,
                "/auth/verify-email",
                None,
                Some(json!({ "token": link })),
            )
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        (email, token)
    }

    /// A form of `/account/notifications` posted without JavaScript.
    async fn post_notifications_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: &str,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html")
            .header("referer", self.url("/account/notifications"))
            .header("cookie", format!("{}={cookie}", common::accounts::COOKIE))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The log as the instance at `base` (another instance) shows it.
    async fn deliveries_at(&self, base: &str, token: &str) -> Vec<Value> {
        let log: Value = self
            .client
            .get(format!("{base}/api/v1/reminders/deliveries"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log["items"].as_array().unwrap().clone()
    }

    async fn deliveries(&self, token: &str) -> Vec<Value> {
        let page = self
            .api_ok(Method::GET, "/reminders/deliveries", token, None)
            .await;
        page["items"].as_array().unwrap().clone()
    }

    /// Waits (up to 30 s) until the log holds `count` deliveries that are
    /// no longer queued.
    async fn settled_deliveries(&self, token: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let items = self.deliveries(token).await;
            if items.len() >= count && items.iter().all(|item| item["status"] != "queued") {
                return items;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the log did not settle on {count} deliveries: {items:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The first mail about `subject` to `address` (waits up to 30 s).
async fn wait_for_mail_to(sink: &SmtpSink, address: &str, subject: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(mail) = sink
            .delivered_about(subject)
            .into_iter()
            .find(|mail| mail["to"] == json!([address]))
        {
            return mail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no mail about {subject:?} to {address} in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn mails_to(sink: &SmtpSink, address: &str, subject: &str) -> usize {
    sink.delivered_about(subject)
        .iter()
        .filter(|mail| mail["to"] == json!([address]))
        .count()
}

#[tokio::test]
async fn a_reminder_is_mailed_at_its_minute_once_and_the_log_says_so() {
    let sink = SmtpSink::start(Behaviour::default());
    let (clock, minute) = just_before_a_minute(Duration::from_secs(4));
    let app = spawn_app_configured(mailing(&sink, clock)).await;
    let (email, token) = app.confirmed_user(&sink).await;
    let todo = app
        .todo_with(
            &token,
            json!({
                "title": "Pay rent",
                "due": due_at(minute + TimeDelta::hours(1)),
                "reminders": [{ "before_minutes": 60 }],
            }),
        )
        .await;
    assert_eq!(todo["reminders"], json!([{ "before_minutes": 60 }]));
    // Not before its minute.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(mails_to(&sink, &email, "Reminder: Pay rent"), 0);
    assert!(app.deliveries(&token).await.is_empty());

    let mail = wait_for_mail_to(&sink, &email, "Reminder: Pay rent").await;
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("\u{201c}Pay rent\u{201d} is due today at")
            && text.contains("/account/notifications"),
        "{text}"
    );
    let log = app.settled_deliveries(&token, 1).await;
    assert_eq!(log.len(), 1, "{log:?}");
    let entry = &log[0];
    assert_eq!(entry["channel"], "email");
    assert_eq!(entry["status"], "sent", "{entry}");
    assert_eq!(entry["late"], false);
    assert_eq!(entry["title"], "Pay rent");
    assert_eq!(entry["todo_id"], todo["id"]);
    let due: DateTime<Utc> = entry["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, minute);
    let sent: DateTime<Utc> = entry["sent_at"].as_str().unwrap().parse().unwrap();
    // `sent_at` is the real clock's; the app's runs ahead by the shift.
    let Clock::Shifted(shift) = clock else {
        unreachable!()
    };
    // (The log gives whole seconds.)
    assert!(
        sent + shift + TimeDelta::seconds(1) >= minute,
        "sent {sent} before its minute {minute}"
    );
    // Once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(mails_to(&sink, &email, "Reminder: Pay rent"), 1);
    assert_eq!(app.deliveries(&token).await.len(), 1);
}

#[tokio::test]
async fn completing_deleting_or_moving_a_todo_cancels_or_moves_its_reminder() {
    let sink = SmtpSink::start(Behaviour::default());
    let (clock, minute) = just_before_a_minute(Duration::from_secs(5));
    let app = spawn_app_configured(mailing(&sink, clock)).await;
    let (email, token) = app.confirmed_user(&sink).await;
    let due = due_at(minute);
    let mut ids = Vec::new();
    for title in ["Kept", "Completed", "Deleted", "Moved", "Unreminded"] {
        let todo = app
            .todo_with(
                &token,
                json!({ "title": title, "due": due, "reminders": [{ "before_minutes": 0 }] }),
            )
            .await;
        ids.push(todo["id"].as_str().unwrap().to_owned());
    }
    let patch = |id: &str, body: Value| {
        let (app, token, id) = (&app, &token, id.to_owned());
        async move {
            app.api_ok(Method::PATCH, &format!("/todos/{id}"), token, Some(body))
                .await
        }
    };
    patch(&ids[1], json!({ "completed": true })).await;
    let deleted = app
        .api_send(
            Method::DELETE,
            &format!("/todos/{}", ids[2]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    patch(
        &ids[3],
        json!({ "due": due_at(minute + TimeDelta::days(1)) }),
    )
    .await;
    let cleared = patch(&ids[4], json!({ "reminders": [] })).await;
    assert_eq!(cleared["reminders"], json!([]));

    wait_for_mail_to(&sink, &email, "Reminder: Kept").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for title in ["Completed", "Deleted", "Moved", "Unreminded"] {
        assert_eq!(
            mails_to(&sink, &email, &format!("Reminder: {title}")),
            0,
            "{title} reminded"
        );
    }
    let log = app.settled_deliveries(&token, 1).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["title"], "Kept");
}

#[tokio::test]
async fn two_instances_fire_each_reminder_exactly_once() {
    let (first_sink, second_sink) = (
        SmtpSink::start(Behaviour::default()),
        SmtpSink::start(Behaviour::default()),
    );
    let (clock, minute) = just_before_a_minute(Duration::from_secs(6));
    let app = spawn_app_configured(mailing(&first_sink, clock)).await;
    // Confirmed before the second instance starts: the outbox is shared,
    // and the second one could claim the confirmation mail and hand it to
    // its own relay, where this test would never look.
    let (email, token) = app.confirmed_user(&first_sink).await;
    spawn_second_instance(&app, mailing(&second_sink, clock)).await;
    const TODOS: usize = 40;
    for index in 0..TODOS {
        app.todo_with(
            &token,
            json!({
                "title": format!("Water plant {index}"),
                "due": due_at(minute + TimeDelta::minutes(15)),
                "reminders": [{ "before_minutes": 15 }],
            }),
        )
        .await;
    }
    let reminders = || {
        let mut subjects: Vec<String> = [&first_sink, &second_sink]
            .iter()
            .flat_map(|sink| sink.delivered())
            .filter(|mail| mail["to"] == json!([email]))
            .filter_map(|mail| mail["subject"].as_str().map(str::to_owned))
            .filter(|subject| subject.starts_with("Reminder: "))
            .collect();
        subjects.sort();
        subjects
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while reminders().len() < TODOS {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {TODOS} reminders in time",
            reminders().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut subjects = reminders();
    let total = subjects.len();
    subjects.dedup();
    assert_eq!((total, subjects.len()), (TODOS, TODOS), "each exactly once");
    let log = app.settled_deliveries(&token, TODOS).await;
    assert_eq!(log.len(), TODOS);
    assert!(log.iter().all(|entry| entry["status"] == "sent"), "{log:?}");
}

#[tokio::test]
async fn a_reminder_due_while_the_service_was_down_goes_out_late_once_after_the_restart() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (email, token) = app.confirmed_user(&sink).await;
    let minute = (Utc::now() + TimeDelta::minutes(5))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    app.todo_with(
        &token,
        json!({ "title": "Call the bank", "due": due_at(minute), "reminders": [{ "before_minutes": 0 }] }),
    )
    .await;
    app.stop().await;

    // Back half an hour later: sent at once, marked late, once.
    let (_, restarted) =
        spawn_second_instance(&app, mailing(&sink, Clock::Shifted(TimeDelta::minutes(35)))).await;
    let mail = wait_for_mail_to(&sink, &email, "Reminder: Call the bank").await;
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("This reminder is late"),
        "{mail}"
    );
    let items = app.deliveries_at(&restarted, &token).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["late"], true);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(mails_to(&sink, &email, "Reminder: Call the bank"), 1);
}

#[tokio::test]
async fn a_reminder_more_than_a_day_overdue_is_dropped_with_a_log_entry() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (email, token) = app.confirmed_user(&sink).await;
    let minute = (Utc::now() + TimeDelta::minutes(5))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    app.todo_with(
        &token,
        json!({ "title": "Renew passport", "due": due_at(minute), "reminders": [{ "before_minutes": 0 }] }),
    )
    .await;
    app.stop().await;
    let (_, restarted) =
        spawn_second_instance(&app, mailing(&sink, Clock::Shifted(TimeDelta::hours(25)))).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let items = loop {
        let items = app.deliveries_at(&restarted, &token).await;
        if !items.is_empty() {
            break items;
        }
        assert!(tokio::time::Instant::now() < deadline, "nothing logged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "dropped");
    assert_eq!(items[0]["channel"], "none");
    assert!(items[0]["detail"].as_str().unwrap().contains("24 hours"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(mails_to(&sink, &email, "Reminder: Renew passport"), 0);
}

#[tokio::test]
async fn reminder_settings_defaults_limits_and_the_test_send() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (email, token) = app.confirmed_user(&sink).await;

    let me = app.api_ok(Method::GET, "/auth/me", &token, None).await;
    assert_eq!(
        me["reminders"],
        json!({ "email": true, "push": true, "time_of_day": "09:00", "default_before_minutes": null })
    );
    for (body, pointer) in [
        (
            json!({ "reminders": { "time_of_day": "25:00" } }),
            "#/reminders/time_of_day",
        ),
        (
            json!({ "reminders": { "time_of_day": "9" } }),
            "#/reminders/time_of_day",
        ),
        (
            json!({ "reminders": { "default_before_minutes": 40_321 } }),
            "#/reminders/default_before_minutes",
        ),
    ] {
        let answer = app
            .api_send(Method::PATCH, "/auth/me", Some(&token), Some(body.clone()))
            .await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.pointers(), [pointer], "{}", answer.body);
    }
    let empty = app
        .api_send(Method::PATCH, "/auth/me", Some(&token), Some(json!({})))
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    let changed = app
        .api_ok(
            Method::PATCH,
            "/auth/me",
            &token,
            Some(json!({ "reminders": { "time_of_day": "18:30", "default_before_minutes": 30 } })),
        )
        .await;
    assert_eq!(changed["reminders"]["time_of_day"], "18:30");
    assert_eq!(changed["reminders"]["default_before_minutes"], 30);
    assert_eq!(changed["time_zone"], "UTC", "the zone stays");

    // The default applies to a new todo with a due date that names none.
    let dated = app
        .todo_with(&token, json!({ "title": "Dated", "due": "2030-01-01" }))
        .await;
    assert_eq!(dated["reminders"], json!([{ "before_minutes": 30 }]));
    let undated = app.todo_with(&token, json!({ "title": "Undated" })).await;
    assert_eq!(undated["reminders"], json!([]));
    let chosen = app
        .todo_with(
            &token,
            json!({ "title": "None", "due": "2030-01-01", "reminders": [] }),
        )
        .await;
    assert_eq!(chosen["reminders"], json!([]));

    // Reminders out of bounds, each 422 at its place; nothing is made.
    for (reminders, pointer) in [
        (
            json!([{ "before_minutes": -1 }]),
            "#/reminders/0/before_minutes",
        ),
        (
            json!([{ "before_minutes": 0 }, { "before_minutes": 40_321 }]),
            "#/reminders/1/before_minutes",
        ),
        (
            json!(
                (0..6)
                    .map(|n| json!({ "before_minutes": n }))
                    .collect::<Vec<_>>()
            ),
            "#/reminders",
        ),
    ] {
        let answer = app
            .api_send(
                Method::POST,
                "/todos",
                Some(&token),
                Some(json!({ "title": "Bad", "due": "2030-01-01", "reminders": reminders })),
            )
            .await;
        assert_eq!(answer.status, 422, "{}", answer.body);
        assert_eq!(answer.pointers(), [pointer], "{}", answer.body);
    }
    // The same one twice counts once; they come back in order.
    let twice = app
        .todo_with(
            &token,
            json!({ "title": "Twice", "due": "2030-01-01", "reminders": [
                { "before_minutes": 60 }, { "before_minutes": 0 }, { "before_minutes": 60 }
            ] }),
        )
        .await;
    assert_eq!(
        twice["reminders"],
        json!([{ "before_minutes": 0 }, { "before_minutes": 60 }])
    );

    // "Send me a test": by mail now; 5 an hour, then 429.
    let sent = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    assert_eq!(sent.body["items"][0]["channel"], "email");
    assert_eq!(sent.body["items"][0]["test"], true);
    wait_for_mail_to(&sink, &email, "Taskward test reminder").await;
    for _ in 0..4 {
        let again = app
            .api_send(Method::POST, "/reminders/test", Some(&token), None)
            .await;
        assert_eq!(again.status, 202, "{}", again.body);
    }
    let refused = app
        .api_send(Method::POST, "/reminders/test", Some(&token), None)
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);

    // With email off, a test says it went nowhere.
    let other = app.api_user().await;
    app.api_ok(
        Method::PATCH,
        "/auth/me",
        &other,
        Some(json!({ "reminders": { "email": false } })),
    )
    .await;
    let nowhere = app
        .api_send(Method::POST, "/reminders/test", Some(&other), None)
        .await;
    assert_eq!(nowhere.status, 202, "{}", nowhere.body);
    let item = &nowhere.body["items"][0];
    assert_eq!(
        (&item["channel"], &item["status"]),
        (&json!("none"), &json!("skipped"))
    );
    // An address not confirmed yet is said so.
    let unconfirmed = app.api_user().await;
    let said = app
        .api_send(Method::POST, "/reminders/test", Some(&unconfirmed), None)
        .await;
    let item = &said.body["items"][0];
    assert_eq!(item["status"], "skipped", "{}", said.body);
    assert!(item["detail"].as_str().unwrap().contains("not confirmed"));

    // Each account sees its own log only.
    let theirs = app.deliveries(&other).await;
    assert_eq!(theirs.len(), 1);
    assert!(app.deliveries(&token).await.len() == 5);
    let bad_cursor = app
        .api_send(
            Method::GET,
            "/reminders/deliveries?cursor=abc",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(bad_cursor.status, 422, "{}", bad_cursor.body);
    let paged = app
        .api_ok(Method::GET, "/reminders/deliveries?limit=2", &token, None)
        .await;
    let cursor = paged["next_cursor"].as_str().unwrap();
    let rest = app
        .api_ok(
            Method::GET,
            &format!("/reminders/deliveries?cursor={cursor}"),
            &token,
            None,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_notifications_page_saves_settings_and_shows_the_log_without_javascript() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    let cookie = app.sign_up(&email, PASSWORD).await;
    let page = app
        .get_with_cookie("/account/notifications", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("How reminders reach you") && page.contains("No reminders yet."));
    assert!(
        page.contains("Confirm your address first"),
        "unconfirmed said"
    );

    let saved = app
        .post_notifications_form(
            "/api/reminders/settings",
            &[("time_of_day", "07:15"), ("default_reminder", "60")],
            &cookie,
        )
        .await;
    assert_eq!(saved.status(), 302);
    let back = saved.headers()["location"].to_str().unwrap();
    assert!(back.ends_with("/account/notifications?saved=1"), "{back}");
    let page = app
        .get_with_cookie("/account/notifications?saved=1", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Saved."));
    assert!(page.contains(r#"value="07:15""#), "the time shown");
    assert!(page.contains(r#"<option value="60" selected>1 hour before</option>"#));
    assert!(
        !page.contains(r#"id="channel-email" type="checkbox" name="email" value="on" checked"#)
    );

    let bad = app
        .post_notifications_form(
            "/api/reminders/settings",
            &[("time_of_day", "7pm")],
            &cookie,
        )
        .await;
    assert_eq!(bad.status(), 302);
    assert!(
        bad.headers()["location"]
            .to_str()
            .unwrap()
            .contains("__err")
    );

    let tested = app
        .post_notifications_form("/api/reminders/test", &[], &cookie)
        .await;
    assert_eq!(tested.status(), 302);
    let page = app
        .get_with_cookie("/account/notifications?tested=1", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Test sent"));
    assert!(
        page.contains("Test reminder") && page.contains("No channel is on"),
        "{page}"
    );
}

#[tokio::test]
async fn the_next_occurrence_of_a_repeating_todo_reminds_like_the_one_done() {
    let app = common::spawn_app().await;
    let token = app.api_user().await;
    let todo = app
        .todo_with(
            &token,
            json!({
                "title": "Stand-up",
                "due": "2030-01-07T09:00:00Z",
                "repeat": { "rule": "FREQ=DAILY" },
                "reminders": [{ "before_minutes": 10 }, { "before_minutes": 0 }],
            }),
        )
        .await;
    let id = todo["id"].as_str().unwrap();
    let done = app
        .api_ok(
            Method::PATCH,
            &format!("/todos/{id}"),
            &token,
            Some(json!({ "completed": true })),
        )
        .await;
    let next_id = done["next_id"].as_str().unwrap();
    let next = app
        .api_ok(Method::GET, &format!("/todos/{next_id}"), &token, None)
        .await;
    assert_eq!(next["due"], "2030-01-08T09:00:00+00:00");
    assert_eq!(
        next["reminders"],
        json!([{ "before_minutes": 0 }, { "before_minutes": 10 }])
    );
}
