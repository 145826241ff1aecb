//! Proving an address works, against a real SMTP server: the link sign-up
//! mails, "send it again", the instance setting that holds todos back
//! until then, and moving an account to a new address. Tried as the owner
//! and as an attacker would: reuse, older links, budgets (at once), someone
//! else's address, a taken one, the wrong password.

use crate::common;

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    api::Answer,
    smtp_sink::{Behaviour, SmtpSink, link_token, relay_at},
    spawn_app_configured,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::config::{Environment, PasswordHashing};

const VERIFY_MAIL: &str = "Confirm your email address for Taskward";
const NEW_ADDRESS_MAIL: &str = "Confirm your new email address for Taskward";
const CHANGE_NOTICE: &str = "Your Taskward address is about to change";

/// The confirmation link's token in a mail's text.
fn token_in(mail: &Value) -> String {
    link_token(mail, "/verify-email")
}

/// Those of `mails` sent to `address`.
fn to<'a>(mails: &'a [Value], address: &str) -> Vec<&'a Value> {
    mails
        .iter()
        .filter(|mail| mail["to"] == json!([address]))
        .collect()
}

impl TestApp {
    async fn confirm(&self, token: &str) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/verify-email",
            None,
            Some(json!({ "token": token })),
        )
        .await
    }

    async fn resend(&self, token: &str) -> Answer {
        self.api_send(Method::POST, "/auth/verify-email/resend", Some(token), None)
            .await
    }

    async fn change_email(&self, token: &str, email: &str, password: &str) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/email-change",
            Some(token),
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    async fn whoami(&self, token: &str) -> Value {
        self.api_ok(Method::GET, "/auth/me", token, None).await
    }

    /// A new API account; its token, and the token of the link mailed to
    /// confirm it.
    async fn registered_with_link(&self, sink: &SmtpSink, email: &str) -> (String, String) {
        let registered = self.register(email, PASSWORD).await;
        assert_eq!(registered.status, 201, "{}", registered.body);
        let token = registered.body["access_token"].as_str().unwrap().to_owned();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let mails = sink.delivered_about(VERIFY_MAIL);
            if let Some(mail) = to(&mails, email).last() {
                return (token, token_in(mail));
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no confirmation link for {email} in 30 s: {mails:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn sign_up_mails_a_link_that_confirms_the_address_once() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    let (token, link) = app.registered_with_link(&sink, &email).await;
    assert_eq!(app.whoami(&token).await["email_verified"], false);
    let mail = &sink.delivered_about(VERIFY_MAIL)[0];
    assert!(mail["text"].as_str().unwrap().contains("24 hours"));
    assert!(mail["html"].as_str().unwrap().contains(&link));

    // Opening the link (as a mail scanner would) confirms nothing: the
    // page asks for a button press.
    let page = app
        .get(&format!("/verify-email?token={link}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("action=\"/api/auth/verify-email\"") && page.contains(&link));
    assert_eq!(app.whoami(&token).await["email_verified"], false);

    let confirmed = app.confirm(&link).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body, json!({ "email": email, "moved": false }));
    assert_eq!(app.whoami(&token).await["email_verified"], true);

    // The link works once; "send it again" has nothing to do now.
    let again = app.confirm(&link).await;
    again.problem(422);
    assert_eq!(again.pointers(), ["#/token"]);
    assert_eq!(app.resend(&token).await.problem_code(409), "conflict");
    // Tokens that cannot be one get the same answer.
    for made_up in [
        "",
        "../../etc/passwd",
        &"a".repeat(65),
        "%00",
        &"b".repeat(43),
    ] {
        let refused = app.confirm(made_up).await;
        assert_eq!(refused.status, 422, "{made_up:?}: {}", refused.body);
    }
    let used = app
        .get(&format!("/verify-email?token={link}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(used.contains("does not work any more"), "{used}");
    let events = app.api_ok(Method::GET, "/auth/events", &token, None).await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|event| event["type"] == "email_verified"),
        "{events}"
    );
}

#[tokio::test]
async fn send_again_replaces_the_link_and_three_an_hour_go_out_however_many_ask_at_once() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    let (token, first) = app.registered_with_link(&sink, &email).await;

    let answers = futures::future::join_all((0..8).map(|_| app.resend(&token))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|answer| answer.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 202, 202, 429, 429, 429, 429, 429]);
    let refused = answers.iter().find(|answer| answer.status == 429).unwrap();
    assert!(!refused.header("retry-after").is_empty());
    let mails = sink.wait_for_about(VERIFY_MAIL, 4).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.delivered_about(VERIFY_MAIL).len(), 4, "{mails:?}");

    // Only the newest link works; the ones before it are dead.
    let links: Vec<String> = to(&sink.delivered_about(VERIFY_MAIL), &email)
        .into_iter()
        .map(token_in)
        .collect();
    assert_eq!(links[0], first);
    assert_eq!(app.confirm(&links[0]).await.status, 422);
    // Which of the three was made last is the outbox's order, not the
    // sink's (the worker hands several mails to the relay at once):
    // exactly one of them works, the other two are dead.
    let mut worked = 0;
    for link in &links[1..] {
        if app.confirm(link).await.status == 200 {
            worked += 1;
        }
    }
    assert_eq!(worked, 1);
    assert_eq!(app.resend("not a token").await.status, 401);
}

#[tokio::test]
async fn an_instance_that_requires_it_holds_todos_and_lists_back_until_the_address_is_confirmed() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (_, admin) = app.new_admin().await;
    let settings = app
        .api_ok(
            Method::PATCH,
            "/admin/settings",
            &admin,
            Some(json!({ "require_verified_email": true })),
        )
        .await;
    assert_eq!(settings["require_verified_email"], true);
    assert_eq!(settings["signup_mode"], "open", "the rest unchanged");

    let email = unique_email();
    let (token, link) = app.registered_with_link(&sink, &email).await;
    // Every todo and list operation of the API, read from its document.
    let document = app.openapi_document().await;
    let mut tried = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        let rest = path.strip_prefix("/api/v1").unwrap();
        let held_back = ["/todos", "/lists", "/undo", "/export", "/import"]
            .iter()
            .any(|prefix| rest.starts_with(prefix));
        if !held_back {
            continue;
        }
        let rest = rest
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{batch}", &uuid::Uuid::new_v4().to_string());
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = matches!(method, Method::POST | Method::PATCH).then(|| json!({}));
            let answer = app
                .api_send(method.clone(), &rest, Some(&token), body)
                .await;
            assert_eq!(
                answer.problem_code(403),
                "email_unverified",
                "{method} {rest}"
            );
            tried += 1;
        }
    }
    assert!(tried >= 12, "only {tried} operations tried");
    // The account itself still answers, and says why.
    assert_eq!(app.whoami(&token).await["email_verified"], false);

    // On the web: the pages say what to do instead of showing todos.
    let web = common::accounts::session_token(&app.sign_in(&email, PASSWORD).await).unwrap();
    for page in ["/todos", "/dashboard", "/lists"] {
        let html = app.get_with_cookie(page, &web).await.text().await.unwrap();
        assert!(
            html.contains("Confirm your email address first"),
            "{page}: {html}"
        );
    }
    let (status, body) = app
        .site_call(&web, "/api/todos/create", &[("title", "x")])
        .await;
    assert_eq!(status, 403, "{body}");
    let account = app
        .get_with_cookie("/account", &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(account.contains("Send the link again"), "{account}");

    assert_eq!(app.confirm(&link).await.status, 200);
    app.add_todo(&token, "Now it works").await;
    let html = app
        .get_with_cookie("/todos", &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Now it works") && !html.contains("Confirm your email address first"));

    // Off again: an unconfirmed account uses its todos as before.
    app.api_ok(
        Method::PATCH,
        "/admin/settings",
        &admin,
        Some(json!({ "require_verified_email": false })),
    )
    .await;
    let other = app.api_user().await;
    app.add_todo(&other, "No confirmation needed").await;
}

#[tokio::test]
async fn a_new_address_needs_the_password_and_takes_over_only_when_its_link_is_followed() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (old, new, taken) = (unique_email(), unique_email(), unique_email());
    let (token, _) = app.registered_with_link(&sink, &old).await;
    app.register(&taken, PASSWORD).await;

    let wrong = app.change_email(&token, &new, "not my password").await;
    wrong.problem(422);
    assert_eq!(wrong.pointers(), ["#/password"]);
    let same = app
        .change_email(&token, &old.to_uppercase(), PASSWORD)
        .await;
    assert_eq!(same.pointers(), ["#/email"]);
    let not_an_address = app.change_email(&token, "nobody", PASSWORD).await;
    assert_eq!(not_an_address.pointers(), ["#/email"]);
    assert_eq!(app.change_email(&token, &taken, PASSWORD).await.status, 409);
    assert_eq!(app.change_email("forged", &new, PASSWORD).await.status, 401);

    let asked = app.change_email(&token, &new, PASSWORD).await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let link = token_in(&sink.wait_for_about(NEW_ADDRESS_MAIL, 1).await[0]);
    let notice = &sink.wait_for_about(CHANGE_NOTICE, 1).await[0];
    assert_eq!(notice["to"], json!([old]));
    assert!(notice["text"].as_str().unwrap().contains(&new));
    assert!(
        !notice["text"].as_str().unwrap().contains(&link),
        "the old address never gets the link"
    );
    // Nothing changed yet.
    assert_eq!(app.whoami(&token).await["email"], old);
    // Someone else signs up with the new address meanwhile.
    assert_eq!(app.register(&new, PASSWORD).await.status, 201);

    // Someone took the new address meanwhile: the link cannot move the
    // account there, and the account keeps its address.
    let refused = app.confirm(&link).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(app.whoami(&token).await["email"], old);

    // Another address, followed: the account moves, confirmed.
    let moved_to = unique_email();
    assert_eq!(
        app.change_email(&token, &moved_to, PASSWORD).await.status,
        202
    );
    let mails = sink.wait_for_about(NEW_ADDRESS_MAIL, 2).await;
    let link = token_in(to(&mails, &moved_to)[0]);
    let confirmed = app.confirm(&link).await;
    assert_eq!(confirmed.body, json!({ "email": moved_to, "moved": true }));
    let me = app.whoami(&token).await;
    assert_eq!(
        (me["email"].as_str(), me["email_verified"].as_bool()),
        (Some(moved_to.as_str()), Some(true))
    );
    assert_eq!(app.signin_status(&old, PASSWORD).await, 401);
    assert_eq!(app.signin_status(&moved_to, PASSWORD).await, 200);
    assert_eq!(app.confirm(&link).await.status, 422, "once");
    let events = app.api_ok(Method::GET, "/auth/events", &token, None).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"email_change_requested") && kinds.contains(&"email_changed"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_pending_change_can_be_cancelled_and_its_link_dies() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let token = app.api_user().await;
    let new = unique_email();
    assert_eq!(app.change_email(&token, &new, PASSWORD).await.status, 202);
    let link = token_in(&sink.wait_for_about(NEW_ADDRESS_MAIL, 1).await[0]);
    let cancel = || app.api_send(Method::DELETE, "/auth/email-change", Some(&token), None);
    assert_eq!(cancel().await.status, 204);
    assert_eq!(cancel().await.status, 409, "nothing left to cancel");
    assert_eq!(app.confirm(&link).await.status, 422);
    assert_ne!(app.whoami(&token).await["email"], new);
}

#[tokio::test]
async fn a_limited_instance_will_not_let_an_account_move_outside_its_domains() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let (_, admin) = app.new_admin().await;
    app.api_ok(
        Method::PATCH,
        "/admin/settings",
        &admin,
        Some(json!({ "signup_email_domains": ["team.example"] })),
    )
    .await;
    let member = format!("{}@team.example", uuid::Uuid::new_v4().simple());
    let registered = app.register(&member, PASSWORD).await;
    let token = registered.body["access_token"].as_str().unwrap();
    let outside = app
        .change_email(token, "me@elsewhere.example", PASSWORD)
        .await;
    assert_eq!(outside.status, 422, "{}", outside.body);
    assert_eq!(outside.pointers(), ["#/email"]);
    let inside = format!("{}@team.example", uuid::Uuid::new_v4().simple());
    assert_eq!(app.change_email(token, &inside, PASSWORD).await.status, 202);
}

#[tokio::test]
async fn without_javascript_the_account_page_sends_again_and_moves_the_address() {
    let sink = SmtpSink::start(Behaviour::default());
    let app = spawn_app_configured(relay_at(sink.url())).await;
    let email = unique_email();
    let web = app.sign_up(&email, PASSWORD).await;
    let form_post =
        |path: &'static str, referer: &'static str, form: Vec<(&'static str, String)>| {
            app.client
                .post(app.url(path))
                .header("accept", "text/html,application/xhtml+xml")
                .header("sec-fetch-site", "same-origin")
                .header("referer", app.url(referer))
                .header("cookie", format!("{}={web}", common::accounts::COOKIE))
                .form(&form)
                .send()
        };
    let page = app
        .get_with_cookie("/account", &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Please confirm") && page.contains("Send the link again"),
        "{page}"
    );

    let resent = form_post("/api/auth/resend-verification", "/account", vec![])
        .await
        .unwrap();
    assert_eq!(resent.status(), 302);
    let location = resent.headers()["location"].to_str().unwrap();
    assert!(
        location.ends_with("/account?verification=sent"),
        "{location}"
    );
    let links = sink.wait_for_about(VERIFY_MAIL, 2).await;
    let link = token_in(links.last().unwrap());

    // The button on the link's page confirms it.
    let confirmed = form_post(
        "/api/auth/verify-email",
        "/verify-email",
        vec![("token", link.clone())],
    )
    .await
    .unwrap();
    assert_eq!(confirmed.status(), 302);
    assert_eq!(confirmed.headers()["location"], "/verify-email?confirmed");
    let page = app
        .get_with_cookie("/account", &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Confirmed") && !page.contains("Send the link again"));

    // A wrong password goes back to the form with the address kept.
    let new = unique_email();
    let refused = form_post(
        "/api/auth/change-email",
        "/account",
        vec![
            ("email", new.clone()),
            ("password", "wrong password".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 302);
    let location = refused.headers()["location"].to_str().unwrap();
    assert!(
        location.contains("__err=") && location.contains("new_email="),
        "{location}"
    );
    let asked = form_post(
        "/api/auth/change-email",
        "/account",
        vec![("email", new.clone()), ("password", PASSWORD.into())],
    )
    .await
    .unwrap();
    let location = asked.headers()["location"].to_str().unwrap();
    assert!(
        location.ends_with("/account?email_change=sent"),
        "{location}"
    );
    let page = app
        .get_with_cookie("/account?email_change=sent", &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&new) && page.contains("Cancel the change"),
        "{page}"
    );
    let link = token_in(&sink.wait_for_about(NEW_ADDRESS_MAIL, 1).await[0]);
    let moved = form_post(
        "/api/auth/verify-email",
        "/verify-email",
        vec![("token", link)],
    )
    .await
    .unwrap();
    assert_eq!(moved.headers()["location"], "/verify-email?moved");
    let done = app.get("/verify-email?moved").await.text().await.unwrap();
    assert!(done.contains("new email address"), "{done}");
}

#[tokio::test]
async fn without_mail_no_link_is_promised() {
    let app = spawn_app_configured(|config| {
        config.environment = Environment::Production;
        config.auth.password_hashing = PasswordHashing::OWASP;
    })
    .await;
    let token = app.api_user().await;
    assert_eq!(app.whoami(&token).await["email_verified"], false);
    let refused = app.resend(&token).await;
    assert!(
        refused.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("cannot send mail")
    );
    let change = app.change_email(&token, &unique_email(), PASSWORD).await;
    assert_eq!(change.status, 409, "{}", change.body);
}
