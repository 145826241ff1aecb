//! Getting back into an account: the reset link by mail (read from a real
//! SMTP server), and the link an administrator makes without mail, tried
//! as their owner and as an attacker would (enumeration, reuse, races,
//! budgets).

use crate::common;

use std::time::Duration;

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    smtp_sink::{Behaviour, SmtpSink, link_token, relay_at},
    spawn_app, spawn_app_configured,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::{
    config::{Environment, PasswordHashing},
    db::Db,
};

const NEW_PASSWORD: &str = "copper lantern orchard whistles";
/// The subject of a reset link's mail (sign-up mails a confirmation link
/// too, which the sink reports beside it).
const RESET_MAIL: &str = "Reset your Taskward password";

/// The reset link's token in a mail's text.
fn token_in(mail: &Value) -> String {
    link_token(mail, "/reset-password")
}

impl TestApp {
    async fn ask_for_reset(&self, email: &str) -> common::api::Answer {
        self.api_send(
            Method::POST,
            "/auth/password-reset",
            None,
            Some(json!({ "email": email })),
        )
        .await
    }

    /// A reset link an administrator makes for `user_id`: its token.
    pub(crate) async fn admin_reset_token(&self, admin: &str, user_id: &str) -> String {
        let made = self
            .api_ok(
                Method::POST,
                &format!("/admin/users/{user_id}/reset-link"),
                admin,
                None,
            )
            .await;
        made["url"]
            .as_str()
            .unwrap()
            .rsplit_once("token=")
            .unwrap()
            .1
            .to_owned()
    }

    pub(crate) async fn confirm_reset(&self, token: &str, password: &str) -> common::api::Answer {
        self.api_send(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(json!({ "token": token, "password": password })),
        )
        .await
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_once_by_the_mailed_link_and_every_old_session_ends() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    let api_token = app.register(&email, PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let web_token = common::accounts::session_token(&app.sign_in(&email, PASSWORD).await)
        .expect("the web sign-in sets the cookie");

    let asked = app.ask_for_reset(&email.to_uppercase()).await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let mail = sink.wait_for_about(RESET_MAIL, 1).await.remove(0);
    assert_eq!(mail["to"], json!([email]));
    assert!(mail["text"].as_str().unwrap().contains("30 minutes"));
    let token = token_in(&mail);
    assert!(mail["html"].as_str().unwrap().contains(&token));

    // A weak password is refused and the link still works.
    let weak = app.confirm_reset(&token, "password").await;
    assert_eq!(weak.status, 422, "{}", weak.body);
    assert_eq!(weak.pointers(), ["#/password"]);

    assert_eq!(app.confirm_reset(&token, NEW_PASSWORD).await.status, 204);
    assert_eq!(app.me_with_bearer(&api_token).await.status(), 401);
    assert_eq!(app.me(&web_token).await.status(), 401);
    assert_eq!(app.signin_status(&email, PASSWORD).await, 401);
    assert_eq!(app.signin_status(&email, NEW_PASSWORD).await, 200);

    // The link works once.
    let again = app
        .confirm_reset(&token, "another quite long passphrase")
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(again.pointers(), ["#/token"]);
    assert!(
        again.body["detail"]
            .as_str()
            .unwrap()
            .contains("Ask for a new one")
    );

    let notice = &sink
        .wait_for_about("Your Taskward password was changed", 1)
        .await[0];
    assert_eq!(notice["to"], json!([email]));

    let fresh = app
        .api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": NEW_PASSWORD })),
        )
        .await
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = app.api_ok(Method::GET, "/auth/events", &fresh, None).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"password_reset"), "{kinds:?}");
    assert!(kinds.contains(&"password_reset_requested"), "{kinds:?}");
}

#[tokio::test]
async fn unknown_addresses_get_the_same_answer_no_mail_and_the_same_budget() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    app.register(&email, PASSWORD).await;
    let nobody = unique_email();

    let (known, unknown) = (
        app.ask_for_reset(&email).await,
        app.ask_for_reset(&nobody).await,
    );
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body, "one answer for both");
    for _ in 0..2 {
        assert_eq!(app.ask_for_reset(&email).await.status, 202);
        assert_eq!(app.ask_for_reset(&nobody).await.status, 202);
    }
    // Three an hour for each address, known or not.
    let (known, unknown) = (
        app.ask_for_reset(&email).await,
        app.ask_for_reset(&nobody).await,
    );
    assert_eq!((known.status, unknown.status), (429, 429));
    let mails = sink.wait_for_about(RESET_MAIL, 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.delivered_about(RESET_MAIL).len(),
        3,
        "no mail for the unknown address"
    );
    assert!(mails.iter().all(|mail| mail["to"] == json!([email])));

    // Only the newest link works: each request replaced the one before.
    // (Which mail holds it is not told by arrival order: a send the relay
    // refuses for now is retried after the next one.)
    let tokens: Vec<String> = sink
        .delivered_about(RESET_MAIL)
        .iter()
        .map(token_in)
        .collect();
    let mut statuses = Vec::new();
    for token in &tokens {
        statuses.push(app.confirm_reset(token, NEW_PASSWORD).await.status);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 422, 422], "exactly one link works");
    // Tokens that cannot be one are refused the same way.
    for token in ["", "../../etc", &"a".repeat(65), "%00"] {
        let refused = app.confirm_reset(token, NEW_PASSWORD).await;
        assert_eq!(refused.status, 422, "{token:?}: {}", refused.body);
    }
}

#[tokio::test]
async fn an_administrator_makes_a_reset_link_for_an_instance_without_mail() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    app.register(&email, PASSWORD).await;
    let user_id = app.user_id(&email).await;

    let made = app
        .api_ok(
            Method::POST,
            &format!("/admin/users/{user_id}/reset-link"),
            &admin,
            None,
        )
        .await;
    let url = made["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1/reset-password?token="),
        "{url}"
    );
    assert!(made["expires_at"].is_string());
    let api_link = url.rsplit_once("token=").unwrap().1.to_owned();

    let user = app.api_user().await;
    let refused = app
        .api_send(
            Method::POST,
            &format!("/admin/users/{user_id}/reset-link"),
            Some(&user),
            None,
        )
        .await;
    assert_eq!(refused.status, 403);
    let unknown = app
        .api_send(
            Method::POST,
            &format!("/admin/users/{}/reset-link", uuid::Uuid::new_v4()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(unknown.status, 404);

    // The command line's link replaces the API's.
    let printed = app.cli(&["admin", "reset-link", &email]).await;
    assert!(printed.status.success(), "{printed:?}");
    let printed = String::from_utf8_lossy(&printed.stdout).into_owned();
    let cli_link = printed
        .split_whitespace()
        .find_map(|word| word.split_once("reset-password?token="))
        .unwrap()
        .1
        .to_owned();
    assert_eq!(app.confirm_reset(&api_link, NEW_PASSWORD).await.status, 422);
    assert!(
        !app.cli(&["admin", "reset-link", "nobody@example.com"])
            .await
            .status
            .success()
    );

    // Four uses at once: one sets the password.
    let passwords: Vec<String> = (0..4)
        .map(|index| format!("{NEW_PASSWORD} {index}"))
        .collect();
    let statuses = futures::future::join_all(
        passwords
            .iter()
            .map(|password| app.confirm_reset(&cli_link, password)),
    )
    .await
    .into_iter()
    .map(|answer| answer.status)
    .collect::<Vec<_>>();
    assert_eq!(
        statuses.iter().filter(|status| **status == 204).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 422).count(),
        3,
        "{statuses:?}"
    );

    // An expired link is refused.
    let late = app.admin_reset_token(&admin, &user_id).await;
    let past = taskward::db::now() - chrono::TimeDelta::minutes(1);
    match app.db().await {
        Db::Sqlite(pool) => {
            sqlx::query("UPDATE password_resets SET expires_at = $1")
                .bind(past)
                .execute(&pool)
                .await
                .unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query("UPDATE password_resets SET expires_at = $1")
                .bind(past)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    assert_eq!(
        app.confirm_reset(&late, "yet another long passphrase")
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn without_mail_in_production_a_reset_by_mail_says_so() {
    let app = spawn_app_configured(|config| {
        config.environment = Environment::Production;
        config.auth.password_hashing = PasswordHashing::OWASP;
    })
    .await;
    let refused = app.ask_for_reset("someone@example.com").await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("administrator")
    );
}

#[tokio::test]
async fn without_javascript_the_pages_mail_a_link_and_set_the_password() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    app.register(&email, PASSWORD).await;
    let form_post = |path: &'static str, referer: String, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .header("sec-fetch-site", "same-origin")
            .header("referer", app.url(&referer))
            .form(&form)
            .send()
    };

    let signin = app.get("/signin").await.text().await.unwrap();
    assert!(
        signin.contains("href=\"/forgot-password\""),
        "sign-in links to it"
    );
    let page = app.get("/forgot-password").await.text().await.unwrap();
    assert!(
        page.contains("action=\"/api/auth/forgot-password\""),
        "{page}"
    );

    let asked = form_post(
        "/api/auth/forgot-password",
        "/forgot-password".into(),
        vec![("email", email.clone())],
    )
    .await
    .unwrap();
    assert_eq!(asked.status(), 302);
    assert_eq!(asked.headers()["location"], "/forgot-password?sent");
    let sent = app.get("/forgot-password?sent").await.text().await.unwrap();
    assert!(sent.contains("If an account has that address"), "{sent}");
    let token = token_in(&sink.wait_for_about(RESET_MAIL, 1).await[0]);

    let reset_page = format!("/reset-password?token={token}");
    let form = app.get(&reset_page).await.text().await.unwrap();
    assert!(form.contains("action=\"/api/auth/reset-password\"") && form.contains(&token));
    // A weak password goes back to the form, with the error and the link.
    let weak = form_post(
        "/api/auth/reset-password",
        reset_page.clone(),
        vec![("token", token.clone()), ("password", "password".into())],
    )
    .await
    .unwrap();
    assert_eq!(weak.status(), 302);
    let location = weak.headers()["location"].to_str().unwrap();
    assert!(
        location.contains(&token) && location.contains("__err="),
        "{location}"
    );

    let set = form_post(
        "/api/auth/reset-password",
        reset_page.clone(),
        vec![("token", token.clone()), ("password", NEW_PASSWORD.into())],
    )
    .await
    .unwrap();
    assert_eq!(set.status(), 302);
    assert_eq!(set.headers()["location"], "/signin?reset");
    let signin = app.get("/signin?reset").await.text().await.unwrap();
    assert!(signin.contains("Your new password is set"));
    assert_eq!(app.signin_status(&email, NEW_PASSWORD).await, 200);

    // The used link's page says so, and offers a new one.
    let used = app.get(&reset_page).await.text().await.unwrap();
    assert!(used.contains("does not work any more") && used.contains("/forgot-password"));
    assert!(!used.contains("action=\"/api/auth/reset-password\""));
}

#[tokio::test]
async fn reset_links_that_ran_out_are_pruned() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&email, PASSWORD).await;
    assert!(
        app.cli(&["admin", "reset-link", &email])
            .await
            .status
            .success()
    );
    let db = app.db().await;
    let links = async || -> i64 {
        taskward::on_db!(&db, pool => {
            let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM password_resets")
                .fetch_one(pool)
                .await
                .unwrap();
            count
        })
    };
    assert_eq!(links().await, 1);
    let now = taskward::db::now();
    taskward::auth::store::prune_expired(&db, now, now - chrono::TimeDelta::days(90))
        .await
        .unwrap();
    assert_eq!(links().await, 1, "still working: kept");
    let in_an_hour = now + chrono::TimeDelta::hours(1);
    taskward::auth::store::prune_expired(&db, in_an_hour, now - chrono::TimeDelta::days(90))
        .await
        .unwrap();
    assert_eq!(links().await, 0);
}
