//! Outbound mail against a real SMTP server (`common::smtp_sink`): the
//! outbox, the worker's retries and refusals, restarts, several instances
//! on one database, and the console's and API's view of it.

use crate::common;

use std::time::Duration;

use common::{
    TestApp,
    smtp_sink::{Behaviour, SmtpSink, relay_at},
    spawn_app_configured, spawn_second_instance,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::config::{Environment, PasswordHashing};

/// The subject of a test mail (the sign-ups of these tests mail their
/// confirmation links too, which the sink reports beside them).
const TEST_MAIL: &str = "Taskward test mail";

impl TestApp {
    async fn queue_test_mail(&self, admin: &str, to: &str) -> i64 {
        let queued = self
            .api_send(
                Method::POST,
                "/admin/mail/test",
                Some(admin),
                Some(json!({ "to": to })),
            )
            .await;
        assert_eq!(queued.status, 202, "{}", queued.body);
        queued.body["id"].as_i64().unwrap()
    }

    async fn outbox(&self, admin: &str) -> Vec<Value> {
        let listed = self
            .api_ok(Method::GET, "/admin/mail?limit=200", admin, None)
            .await;
        listed["items"].as_array().unwrap().clone()
    }

    /// Waits (up to 30 s) until mail `id` is no longer queued; returns it.
    async fn settled(&self, admin: &str, id: i64) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let mail = self
                .outbox(admin)
                .await
                .into_iter()
                .find(|mail| mail["id"] == id)
                .expect("the mail is in the outbox");
            if mail["status"] != "queued" {
                return mail;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "still queued: {mail}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn a_test_mail_reaches_a_real_smtp_server_and_the_outbox_shows_it_sent() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (admin_email, admin) = app.new_admin().await;

    let id = app.queue_test_mail(&admin, "Someone@Example.com").await;
    let mail = &sink.wait_for_about(TEST_MAIL, 1).await[0];
    assert_eq!(mail["to"], json!(["someone@example.com"]));
    assert_eq!(mail["from"], "tasks@taskward.test");
    assert_eq!(mail["subject"], "Taskward test mail");
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("http://127.0.0.1/admin/mail"), "{text}");
    assert!(text.contains(&admin_email), "{text}");
    assert!(
        mail["html"]
            .as_str()
            .unwrap()
            .contains("href=\"http://127.0.0.1/admin/mail\"")
    );

    let shown = app.settled(&admin, id).await;
    assert_eq!(shown["status"], "sent", "{shown}");
    assert_eq!(shown["attempts"], 1);
    assert_eq!(shown["to"], "someone@example.com");
    assert_eq!(shown["kind"], "test");
    assert!(shown["finished_at"].is_string());
    // The console's page lists it, with the relay (never its URL's secrets).
    let (status, page) = app.admin_call(&admin, "mail", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(page["delivery"]["mode"], "smtp");
    assert_eq!(
        page["delivery"]["relay"],
        format!("127.0.0.1:{}", sink.port)
    );
    assert_eq!(page["mails"][0]["status"], "sent");
    assert_eq!(sink.delivered_about(TEST_MAIL).len(), 1);
}

#[tokio::test]
async fn test_mail_is_for_administrators_checks_its_address_and_has_a_budget() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (_, admin) = app.new_admin().await;
    let user = app.api_user().await;

    for (method, path) in [
        (Method::GET, "/admin/mail"),
        (Method::POST, "/admin/mail/test"),
    ] {
        let refused = app
            .api_send(
                method,
                path,
                Some(&user),
                Some(json!({ "to": "a@example.com" })),
            )
            .await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    let (status, _) = app
        .admin_call(&user, "test-mail", &[("to", "a@example.com")])
        .await;
    assert_eq!(status, 403);

    for (body, pointer) in [
        (json!({ "to": "not an address" }), "#/to"),
        (
            json!({ "to": format!("{}@example.com", "a".repeat(300)) }),
            "#/to",
        ),
        (
            json!({ "to": "a@example.com\r\nBcc: victim@example.com" }),
            "#/to",
        ),
    ] {
        let refused = app
            .api_send(Method::POST, "/admin/mail/test", Some(&admin), Some(body))
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.pointers(), [pointer]);
    }
    let refused = app
        .api_send(
            Method::POST,
            "/admin/mail/test",
            Some(&admin),
            Some(json!({ "to": "a@example.com", "cc": "b@example.com" })),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let bad_cursor = app
        .api_send(Method::GET, "/admin/mail?cursor=-1", Some(&admin), None)
        .await;
    assert_eq!(bad_cursor.status, 422, "{}", bad_cursor.body);

    // Ten an hour; the eleventh is refused with a wait, and nothing queued.
    for _ in 0..10 {
        app.queue_test_mail(&admin, "a@example.com").await;
    }
    let over = app
        .api_send(
            Method::POST,
            "/admin/mail/test",
            Some(&admin),
            Some(json!({ "to": "a@example.com" })),
        )
        .await;
    assert_eq!(over.status, 429, "{}", over.body);
    assert!(!over.header("retry-after").is_empty());
    sink.wait_for_about(TEST_MAIL, 10).await;
    let tests = app.outbox(&admin).await.into_iter();
    assert_eq!(tests.filter(|mail| mail["kind"] == "test").count(), 10);
}

#[tokio::test]
async fn temporary_refusals_are_retried_with_backoff_and_the_mail_goes_out_once() {
    let sink = SmtpSink::start(Behaviour {
        temporary_failures: 2,
        temporary_prefix: Some("patient".into()),
        ..Behaviour::default()
    });
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (_, admin) = app.new_admin().await;

    let id = app.queue_test_mail(&admin, "patient@example.com").await;
    let shown = app.settled(&admin, id).await;
    assert_eq!(shown["status"], "sent", "{shown}");
    assert_eq!(shown["attempts"], 3);
    // The relay's answer to the last failed attempt is kept.
    assert!(
        shown["last_error"].as_str().unwrap().contains("451"),
        "{shown}"
    );
    assert_eq!(sink.refusals(), [451, 451]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.delivered_about(TEST_MAIL).len(),
        1,
        "sent exactly once"
    );
}

#[tokio::test]
async fn a_permanent_refusal_fails_that_mail_with_the_relays_answer_and_nothing_else() {
    let sink = SmtpSink::start(Behaviour {
        refuse_prefix: Some("gone".into()),
        ..Behaviour::default()
    });
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (_, admin) = app.new_admin().await;

    let refused = app.queue_test_mail(&admin, "gone@example.com").await;
    let fine = app.queue_test_mail(&admin, "here@example.com").await;
    let failed = app.settled(&admin, refused).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["attempts"], 1, "a permanent refusal is not retried");
    let error = failed["last_error"].as_str().unwrap();
    assert!(
        error.contains("550") && error.contains("No such mailbox"),
        "{error}"
    );
    assert_eq!(app.settled(&admin, fine).await["status"], "sent");
    let tests = sink.delivered_about(TEST_MAIL);
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0]["to"], json!(["here@example.com"]));
    // The console shows the answer too.
    let page = app
        .get_with_cookie("/admin/mail", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("No such mailbox here"),
        "the mail page shows the error"
    );
}

#[tokio::test]
async fn queued_mail_survives_a_restart_and_is_sent_after_it() {
    // First no relay answers: the mail stays queued, its attempt counted.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("smtp://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let app = spawn_app_configured(|config| {
        relay_at(nobody)(config);
        config.mail.retry_base = Duration::from_secs(1);
    })
    .await;
    let (_, admin) = app.new_admin().await;
    let id = app.queue_test_mail(&admin, "later@example.com").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let waiting = loop {
        let mail = app.outbox(&admin).await.remove(0);
        if mail["attempts"].as_i64() >= Some(1) && mail["last_error"].is_string() {
            break mail;
        }
        assert!(tokio::time::Instant::now() < deadline, "{mail}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(waiting["status"], "queued", "{waiting}");
    app.stop().await;

    // Another instance (a restart), now with a relay: the mail goes out once.
    let sink = SmtpSink::start(Behaviour::default());
    let (_, restarted) = spawn_second_instance(&app, relay_at(sink.url())).await;
    let mail = &sink.wait_for_about(TEST_MAIL, 1).await[0];
    assert_eq!(mail["to"], json!(["later@example.com"]));
    // The relay has it; the outbox records it once the batch it was sent
    // in is done, a moment later.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let shown = loop {
        let listed: Value = app
            .client
            .get(format!("{restarted}/api/v1/admin/mail"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let shown = listed["items"][0].clone();
        if shown["status"] != "queued" || tokio::time::Instant::now() >= deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(shown["id"], id);
    assert_eq!(shown["status"], "sent", "{shown}");
    assert_eq!(shown["attempts"], 2);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.delivered_about(TEST_MAIL).len(), 1);
}

#[tokio::test]
async fn two_instances_deliver_200_queued_mails_exactly_once() {
    let (first_sink, second_sink) = (
        SmtpSink::start(Behaviour::default()),
        SmtpSink::start(Behaviour::default()),
    );
    let app = spawn_app_configured(relay_at(first_sink.url())).await;
    let (_, admin) = app.new_admin().await;
    spawn_second_instance(&app, relay_at(second_sink.url())).await;

    // Queued straight into the outbox, as 200 changes would: neither
    // instance is told, both find them on their next poll.
    let db = app.db().await;
    for index in 0..200 {
        let mail = taskward::mail::compose::test_mail(
            &format!("reader{index}@example.com"),
            "admin@example.com",
            "http://127.0.0.1",
        );
        taskward::mail::store::queue(&db, &mail).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let delivered = || {
        let mut both = first_sink.delivered_about(TEST_MAIL);
        both.extend(second_sink.delivered_about(TEST_MAIL));
        both
    };
    while delivered().len() < 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not all 200 delivered in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut recipients: Vec<String> = delivered()
        .into_iter()
        .map(|mail| mail["to"][0].as_str().unwrap().to_owned())
        .collect();
    let delivered = recipients.len();
    recipients.sort();
    recipients.dedup();
    assert_eq!(
        (delivered, recipients.len()),
        (200, 200),
        "each mail exactly once"
    );
    assert!(
        !first_sink.delivered_about(TEST_MAIL).is_empty()
            && !second_sink.delivered_about(TEST_MAIL).is_empty(),
        "both instances delivered: {} and {}",
        first_sink.delivered_about(TEST_MAIL).len(),
        second_sink.delivered_about(TEST_MAIL).len()
    );
    let outbox = app.outbox(&admin).await;
    assert!(
        outbox
            .iter()
            .all(|mail| mail["status"] == "sent" && mail["attempts"] == 1)
    );
}

#[tokio::test]
async fn without_a_relay_development_keeps_mail_at_dev_mail() {
    let app = spawn_app_configured(|_| {}).await;
    let (_, admin) = app.new_admin().await;
    let id = app.queue_test_mail(&admin, "dev@example.com").await;
    assert_eq!(app.settled(&admin, id).await["status"], "kept");
    let page = app.get("/dev/mail").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Taskward test mail") && page.contains("dev@example.com"));
    assert!(
        page.contains("<a href=\"http://127.0.0.1/admin/mail\">"),
        "{page}"
    );
}

#[tokio::test]
async fn without_a_relay_production_says_mail_is_off_and_has_no_dev_mail() {
    let app = spawn_app_configured(|config| {
        config.environment = Environment::Production;
        config.auth.password_hashing = PasswordHashing::OWASP;
    })
    .await;
    let (_, admin) = app.new_admin().await;
    assert_eq!(app.get("/dev/mail").await.status(), 404);
    let refused = app
        .api_send(
            Method::POST,
            "/admin/mail/test",
            Some(&admin),
            Some(json!({ "to": "a@example.com" })),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("SMTP_URL")
    );
    let (_, page) = app.admin_call(&admin, "mail", &[]).await;
    assert_eq!(page["delivery"]["mode"], "off");
    let html = app
        .get_with_cookie("/admin/mail", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Mail is off"));
    assert!(!html.contains("Send a test mail"));
    assert!(
        app.outbox(&admin).await.is_empty(),
        "no confirmation link is queued either"
    );
}

#[tokio::test]
async fn an_invitation_for_an_address_is_mailed_there_and_its_link_signs_it_up() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (_, admin) = app.new_admin().await;
    app.api_ok(
        Method::PATCH,
        "/admin/settings",
        &admin,
        Some(json!({ "signup_mode": "invite" })),
    )
    .await;
    let invited = common::accounts::unique_email();
    let made = app
        .api_ok(
            Method::POST,
            "/admin/invites",
            &admin,
            Some(json!({ "email": invited, "days": 3 })),
        )
        .await;
    assert_eq!(made["mailed"], true);
    let mail = sink
        .wait_for_about("You are invited to Taskward", 1)
        .await
        .remove(0);
    assert_eq!(mail["to"], json!([invited]));
    assert_eq!(mail["subject"], "You are invited to Taskward");
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("for 3 days"), "{text}");
    assert!(
        text.contains(made["url"].as_str().unwrap()),
        "the link is the one made"
    );
    let token = made["url"]
        .as_str()
        .unwrap()
        .rsplit_once("invite=")
        .unwrap()
        .1;
    let registered = app
        .api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": invited, "password": common::accounts::PASSWORD, "invite": token })),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);

    // A link for anyone is handed over by its maker, never mailed.
    let open = app
        .api_ok(Method::POST, "/admin/invites", &admin, Some(json!({})))
        .await;
    assert_eq!(open["mailed"], false);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.delivered_about("You are invited to Taskward").len(), 1);
}

#[tokio::test]
async fn finished_mail_is_pruned_after_its_days_and_queued_mail_never() {
    // Production without a relay: no worker runs, so queued mail stays queued.
    let app = spawn_app_configured(|config| {
        config.environment = Environment::Production;
        config.auth.password_hashing = PasswordHashing::OWASP;
    })
    .await;
    let db = app.db().await;
    let mail =
        |to: &str| taskward::mail::compose::test_mail(to, "admin@example.com", "http://127.0.0.1");
    let waiting = taskward::mail::store::queue(&db, &mail("waiting@example.com"))
        .await
        .unwrap();
    let done = taskward::mail::store::queue(&db, &mail("done@example.com"))
        .await
        .unwrap();
    let now = taskward::db::now();
    taskward::mail::store::record_all(&db, &[(done, taskward::mail::store::Outcome::Sent)], now)
        .await
        .unwrap();
    let ids = async || -> Vec<i64> {
        taskward::mail::store::mails(&db, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|mail| mail.id)
            .collect()
    };

    let pruned = taskward::mail::store::prune_finished(&db, now - chrono::TimeDelta::days(30))
        .await
        .unwrap();
    assert_eq!(pruned, 0, "finished today: kept");
    assert_eq!(ids().await, [done, waiting]);
    let later = now + chrono::TimeDelta::days(31);
    assert_eq!(
        taskward::mail::store::prune_finished(&db, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(ids().await, [waiting], "queued mail is never pruned");
}
