//! Every stated input limit, exceeded over HTTP on each surface that takes
//! the input: the client gets a 4xx that names what to change (never a 500,
//! never its own input echoed whole), and a value at the limit still works.

use crate::common;

use std::time::{Duration, Instant};

use common::{
    TestApp,
    accounts::{DEVICE_COOKIE, PASSWORD, cookie_set, session_token, unique_email},
    api::Answer,
    spawn_app, spawn_app_configured,
};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use taskward::{
    auth::{password::MAX_PASSWORD_CHARS, token::MAX_TOKEN_BYTES},
    config::{Config, REQUEST_BODY_LIMIT},
    lists::{MAX_LIST_NAME_CHARS, MAX_LISTS_PER_USER},
    todos::MAX_NOTES_CHARS,
    transfer::MAX_IMPORT_BYTES,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

impl TestApp {
    /// Posts `form` to the server function at `path` without a session, as
    /// the sign-up page's script does; the status and the JSON answer.
    async fn anonymous_call(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self.post_form(path, form, None).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Posts `form` to `path` as a browser without JavaScript does, from
    /// the sign-in page.
    async fn plain_form_post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header("sec-fetch-site", "same-origin")
            .header(header::REFERER, self.url("/signin"))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// Asserts a server function's refusal of `field` (422, `{code, message,
/// field}`); its message.
fn refused_naming(answer: &(u16, Value), field: &str) -> String {
    let (status, body) = answer;
    assert_eq!(*status, 422, "{body}");
    assert_eq!(body["code"], "invalid", "{body}");
    assert_eq!(body["field"], field, "{body}");
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        !message.is_empty() && message.chars().count() < 300,
        "a short message: {message}"
    );
    message
}

/// Asserts an API refusal of `field` (an RFC 9457 problem, 422); its detail.
fn problem_naming(answer: &Answer, field: &str) -> String {
    let detail = answer.problem(422)["detail"].as_str().unwrap().to_owned();
    assert_eq!(answer.pointers(), [format!("#/{field}")], "{}", answer.body);
    assert!(detail.chars().count() < 300, "a short detail: {detail}");
    detail
}

/// An address of `length` characters, valid but for its length: a local
/// part of 64 `letter`s, then labels of at most 63 characters.
fn email_of_length(length: usize, letter: char) -> String {
    let local: String = std::iter::repeat_n(letter, 64).collect();
    let mut domain = String::new();
    let mut left = length - local.len() - "@".len() - "com".len();
    while left > 0 {
        let label = (left - 1).min(63);
        domain.push_str(&"b".repeat(label));
        domain.push('.');
        left -= label + 1;
    }
    let email = format!("{local}@{domain}com");
    assert_eq!(email.chars().count(), length);
    email
}

/// A password of `length` characters that is hard to guess.
fn strong_password(length: usize) -> String {
    let mut password: String = std::iter::repeat_with(|| uuid::Uuid::new_v4().simple().to_string())
        .take(length.div_ceil(32))
        .collect();
    password.truncate(length);
    password
}

/// Budgets large enough that only the one a test is about can run out.
fn generous(config: &mut Config) {
    config.auth.attempts_per_minute_per_address = 1_000;
}

#[tokio::test]
async fn an_email_over_254_characters_or_with_a_domain_label_over_63_is_refused_naming_email() {
    let app = spawn_app().await;
    let too_long = email_of_length(255, 'a');
    let long_label = format!("ada@{}.example.com", "b".repeat(64));
    for (email, says) in [(&too_long, "254"), (&long_label, "63")] {
        let web = app
            .anonymous_call(
                "/api/auth/signup",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        let message = refused_naming(&web, "email");
        assert!(message.contains(says), "{message}");
        let api = app.register(email, PASSWORD).await;
        assert!(problem_naming(&api, "email").contains(says));
    }

    // At the limits, both surfaces take the address.
    let web = app
        .anonymous_call(
            "/api/auth/signup",
            &[
                ("email", &email_of_length(254, 'w')),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(web.0, 200, "{}", web.1);
    for email in [
        email_of_length(254, 'r'),
        format!("ada@{}.example.com", "b".repeat(63)),
    ] {
        let api = app.register(&email, PASSWORD).await;
        assert_eq!(api.status, 201, "{}", api.body);
    }
}

/// Changes the signed-in user's password from [`PASSWORD`] to `new_password`.
async fn change_password(app: &TestApp, token: &str, new_password: &str) -> (u16, Value) {
    let form = [
        ("current_password", PASSWORD),
        ("new_password", new_password),
    ];
    app.site_call(token, "/api/auth/change-password", &form)
        .await
}

#[tokio::test]
async fn a_new_password_over_128_characters_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let too_long = strong_password(MAX_PASSWORD_CHARS + 1);
    let at_limit = strong_password(MAX_PASSWORD_CHARS);

    let web = app
        .anonymous_call(
            "/api/auth/signup",
            &[("email", &unique_email()), ("password", &too_long)],
        )
        .await;
    assert!(refused_naming(&web, "password").contains("128"));
    let api = app.register(&unique_email(), &too_long).await;
    assert!(problem_naming(&api, "password").contains("128"));

    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    let refused = change_password(&app, &token, &too_long).await;
    assert!(refused_naming(&refused, "new_password").contains("128"));
    let changed = change_password(&app, &token, &at_limit).await;
    assert_eq!(changed.0, 200, "{}", changed.1);
    assert!(app.sign_in(&email, &at_limit).await.status().is_success());
    let api = app.register(&unique_email(), &at_limit).await;
    assert_eq!(api.status, 201, "{}", api.body);
}

#[tokio::test]
async fn notes_over_10000_characters_are_refused_on_the_web_form_and_10000_emoji_are_saved() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let too_long = "x".repeat(MAX_NOTES_CHARS + 1);

    let create = "/api/todos/create";
    let refused = app
        .site_call(&token, create, &[("title", "Trip"), ("notes", &too_long)])
        .await;
    assert!(refused_naming(&refused, "notes").contains("10000"));
    let emoji = "😀".repeat(MAX_NOTES_CHARS);
    let (status, created) = app
        .site_call(&token, create, &[("title", "Trip"), ("notes", &emoji)])
        .await;
    assert_eq!(
        status, 200,
        "10,000 emoji are 120,000 bytes as a form: {created}"
    );
    assert_eq!(created["notes"], emoji.as_str());
    let id = created["id"].as_str().unwrap();

    let update = "/api/todos/update";
    let refused = app
        .site_call(&token, update, &[("id", id), ("notes", &too_long)])
        .await;
    assert!(refused_naming(&refused, "notes").contains("10000"));
    let cjk = "字".repeat(MAX_NOTES_CHARS);
    let (status, updated) = app
        .site_call(&token, update, &[("id", id), ("notes", &cjk)])
        .await;
    assert_eq!(status, 200, "{updated}");
    let stored = app
        .api_ok(Method::GET, &format!("/todos/{id}"), &token, None)
        .await;
    assert_eq!(stored["notes"], cjk.as_str());

    // JSON that escapes every emoji as two `\uXXXX` (12 bytes each) fits too.
    let escaped = format!(
        r#"{{"title": "Escaped", "notes": "{}"}}"#,
        r"\ud83d\ude00".repeat(MAX_NOTES_CHARS)
    );
    let answer = Answer::from(
        app.api(Method::POST, "/todos", Some(&token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(escaped)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(answer.body["notes"], emoji.as_str());
}

#[tokio::test]
async fn a_list_name_over_100_characters_is_refused_on_the_web_forms_naming_name() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let too_long = "n".repeat(MAX_LIST_NAME_CHARS + 1);

    let create = app
        .site_call(&token, "/api/lists/create", &[("name", &too_long)])
        .await;
    assert!(refused_naming(&create, "name").contains("100"));
    let at_limit = "n".repeat(MAX_LIST_NAME_CHARS);
    let list = app
        .site_ok(&token, "/api/lists/create", &[("name", &at_limit)])
        .await;
    assert_eq!(list["name"], at_limit.as_str());
    let id = list["id"].as_str().unwrap();
    let rename = app
        .site_call(
            &token,
            "/api/lists/rename",
            &[("id", id), ("name", &too_long)],
        )
        .await;
    assert!(refused_naming(&rename, "name").contains("100"));
}

#[tokio::test]
async fn the_web_form_refuses_a_list_past_the_200_an_account_keeps_with_409() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    // The Inbox is the first.
    for n in 1..MAX_LISTS_PER_USER {
        app.site_ok(
            &token,
            "/api/lists/create",
            &[("name", &format!("List {n}"))],
        )
        .await;
    }
    let (status, body) = app
        .site_call(&token, "/api/lists/create", &[("name", "One too many")])
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(&MAX_LISTS_PER_USER.to_string()) && message.contains("Delete one"),
        "{message}"
    );
    let lists = app.site_ok(&token, "/api/lists/all", &[]).await;
    assert_eq!(lists.as_array().unwrap().len(), MAX_LISTS_PER_USER as usize);
}

#[tokio::test]
async fn a_due_year_above_9999_is_refused_naming_the_due_date() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let todo = app
        .site_ok(&token, "/api/todos/create", &[("title", "Far away")])
        .await;
    let id = todo["id"].as_str().unwrap();

    for date in ["10000-01-01", "+10000-01-01"] {
        let create = app
            .site_call(
                &token,
                "/api/todos/create",
                &[("title", "Far away"), ("due_date", date)],
            )
            .await;
        refused_naming(&create, "due_date");
        let update = app
            .site_call(
                &token,
                "/api/todos/update",
                &[("id", id), ("due_date", date)],
            )
            .await;
        refused_naming(&update, "due_date");
    }
    for due in ["10000-01-01", "+10000-01-01", "+10000-01-01T09:00:00Z"] {
        let create = app
            .api_send(
                Method::POST,
                "/todos",
                Some(&token),
                Some(json!({ "title": "Far away", "due": due })),
            )
            .await;
        problem_naming(&create, "due");
        let update = app
            .api_send(
                Method::PATCH,
                &format!("/todos/{id}"),
                Some(&token),
                Some(json!({ "due": due })),
            )
            .await;
        problem_naming(&update, "due");
    }

    // The last day of year 9999 is taken on both surfaces.
    app.site_ok(
        &token,
        "/api/todos/update",
        &[("id", id), ("due_date", "9999-12-31")],
    )
    .await;
    let created = app
        .api_send(
            Method::POST,
            "/todos",
            Some(&token),
            Some(json!({ "title": "Far away", "due": "9999-12-31" })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["due"], "9999-12-31");
}

#[tokio::test]
async fn an_unknown_export_format_is_refused_naming_format() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    for format in ["xml".to_owned(), "x".repeat(10_000)] {
        let answer = app
            .api_send(
                Method::GET,
                &format!("/export?format={format}"),
                Some(&token),
                None,
            )
            .await;
        let detail = problem_naming(&answer, "format");
        assert!(detail.contains("json or csv"), "{detail}");
    }
}

/// `depth` arrays, each holding the next, around `inner`.
fn nested_arrays(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn json_nested_deeper_than_the_parser_allows_is_refused_with_a_4xx_never_a_500() {
    // serde_json stops recursing at 128 levels.
    let depth = 10_000;
    let app = spawn_app().await;
    let token = app.api_user().await;
    let deep_object = format!(r#"{}1{}"#, r#"{"x":"#.repeat(depth), "}".repeat(depth));
    let send = |path: &'static str, body: String| {
        let request = app
            .api(Method::POST, path, Some(&token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
        async move { Answer::from(request.send().await.unwrap()).await }
    };

    for body in [
        "[".repeat(depth),
        nested_arrays(depth, ""),
        deep_object.clone(),
        format!(
            r#"{{"title": "Deep", "notes": {}}}"#,
            nested_arrays(depth, "")
        ),
    ] {
        let answer = send("/todos", body).await;
        assert!((400..500).contains(&answer.status), "{}", answer.body);
        answer.problem(answer.status);
    }
    let export = |lists: String| {
        format!(
            r#"{{"format": "taskward", "version": 1, "account": {{"email": "a@example.com", "time_zone": "UTC"}}, "lists": {lists}}}"#
        )
    };
    for body in [
        "[".repeat(depth),
        nested_arrays(depth, ""),
        deep_object,
        export(nested_arrays(depth, "")),
        export(format!(
            r#"[{{"name": "A", "todos": [{{"title": "t", "notes": {}}}]}}]"#,
            nested_arrays(depth, r#""n""#)
        )),
    ] {
        let answer = send("/import", body).await;
        assert!((400..500).contains(&answer.status), "{}", answer.body);
        let detail = answer.problem(answer.status)["detail"].as_str().unwrap();
        assert!(detail.chars().count() < 300, "{detail}");
    }

    let listed = app.api_ok(Method::GET, "/todos", &token, None).await;
    assert_eq!(listed["items"], json!([]), "nothing was written");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// Sends `head` (a request's line and headers, without the blank line),
/// then a chunked body of `length` bytes of `x` after `start`; the status
/// line the server answers with. The body is sent beside the reading, as
/// the server may answer before it has read it all.
async fn send_chunked(app: &TestApp, head: String, start: &str, length: usize) -> String {
    let stream = TcpStream::connect(app.address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let start = start.to_owned();
    let sending = tokio::spawn(async move {
        let mut chunks = format!("{head}\r\ntransfer-encoding: chunked\r\n\r\n").into_bytes();
        chunks.extend(format!("{:x}\r\n{start}\r\n", start.len()).into_bytes());
        writer.write_all(&chunks).await?;
        let chunk = vec![b'x'; 16 * 1024];
        let mut sent = 0;
        while sent < length {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(&chunk).await?;
            writer.write_all(b"\r\n").await?;
            sent += chunk.len();
        }
        writer.write_all(b"0\r\n\r\n").await?;
        // Open until the answer is read: a server may take a client that
        // shuts its side for one that left, and answer nothing.
        std::future::pending::<std::io::Result<()>>().await
    });
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        while !received.windows(2).any(|window| window == b"\r\n") {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("an answer within 30 seconds");
    sending.abort();
    let text = String::from_utf8_lossy(&received);
    text.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_413_never_500() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let host = app.address;

    let site = format!(
        "POST /api/todos/create HTTP/1.1\r\nhost: {host}\r\nsec-fetch-site: same-origin\r\n\
         cookie: {}={token}\r\ncontent-type: application/x-www-form-urlencoded",
        common::accounts::COOKIE
    );
    let answer = send_chunked(&app, site, "title=Big&notes=", REQUEST_BODY_LIMIT + 1).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let api = format!(
        "POST /api/v1/todos HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json"
    );
    let answer = send_chunked(
        &app,
        api,
        r#"{"title": "Big", "notes": ""#,
        REQUEST_BODY_LIMIT + 1,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let import = format!(
        "POST /api/v1/import HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\
         content-type: text/csv"
    );
    let answer = send_chunked(&app, import, "title,notes\n", MAX_IMPORT_BYTES + 1).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let stats = app.site_ok(&token, "/api/todos/stats", &[]).await;
    assert_eq!(stats["total"], 0, "nothing was written");
}

#[tokio::test]
async fn a_form_body_that_is_not_utf8_is_refused_never_500() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let response = app
        .client
        .post(app.url("/api/todos/create"))
        .header("sec-fetch-site", "same-origin")
        .header(
            header::COOKIE,
            format!("{}={token}", common::accounts::COOKIE),
        )
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(b"title=caf\xe9".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("UTF-8"),
        "{body}"
    );
}

#[tokio::test]
async fn a_device_token_over_2048_bytes_is_ignored_and_sign_in_draws_on_the_accounts_budget() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 3;
    })
    .await;
    let email = unique_email();
    let signed_up = app
        .post_form(
            "/api/auth/signup",
            &[("email", &email), ("password", PASSWORD)],
            None,
        )
        .await;
    let device = cookie_set(&signed_up, DEVICE_COOKIE).expect("a device cookie");
    let oversized = [
        format!("{device}{}", "A".repeat(MAX_TOKEN_BYTES)),
        "A".repeat(60_000),
    ];
    let web_sign_in = |password: &'static str, device: String| {
        app.client
            .post(app.url("/api/auth/signin"))
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, format!("{DEVICE_COOKIE}={device}"))
            .form(&[("email", email.as_str()), ("password", password)])
            .send()
    };
    let api_sign_in = |password: &'static str, device: String| {
        app.client
            .post(app.url("/api/v1/auth/signin"))
            .json(&json!({ "email": email, "password": password, "device_token": device }))
            .send()
    };

    for token in &oversized {
        let web = web_sign_in(PASSWORD, token.clone()).await.unwrap();
        assert_eq!(web.status(), StatusCode::OK);
        assert!(session_token(&web).is_some());
        let api = api_sign_in(PASSWORD, token.clone()).await.unwrap();
        assert_eq!(api.status(), StatusCode::OK);
    }

    // Failures lock the account for clients without a trusted device...
    for _ in 0..3 {
        assert_eq!(app.sign_in(&email, "not the password").await.status(), 401);
    }
    // ...and an oversized device token counts as none.
    for token in &oversized {
        let web = web_sign_in(PASSWORD, token.clone()).await.unwrap();
        assert_eq!(web.status(), StatusCode::TOO_MANY_REQUESTS);
        let api = api_sign_in(PASSWORD, token.clone()).await.unwrap();
        assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let trusted = web_sign_in(PASSWORD, device).await.unwrap();
    assert_eq!(trusted.status(), StatusCode::OK, "the genuine token counts");
}

#[tokio::test]
async fn a_user_agent_of_100000_bytes_is_shown_as_a_summary_of_at_most_40_characters() {
    let app = spawn_app().await;
    let user_agent = "Z".repeat(100_000);
    let signed_up = app
        .client
        .post(app.url("/api/auth/signup"))
        .header("sec-fetch-site", "same-origin")
        .header(header::USER_AGENT, &user_agent)
        .form(&[("email", unique_email().as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_up.status(), StatusCode::OK);
    let token = session_token(&signed_up).unwrap();

    let overview = app.site_ok(&token, "/api/auth/sessions", &[]).await;
    let devices: Vec<&str> = ["sessions", "events"]
        .iter()
        .flat_map(|kind| overview[kind].as_array().unwrap())
        .map(|row| row["device"].as_str().unwrap())
        .collect();
    assert!(devices.len() >= 2, "a session and its sign-up: {overview}");
    for device in devices {
        assert!(device.chars().count() <= 40, "{device}");
    }
    let page = app.get_with_cookie("/account/sessions", &token).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&"Z".repeat(40)), "the summary is shown");
    assert!(!html.contains(&"Z".repeat(41)), "and no more of it");
}

#[tokio::test]
async fn a_password_of_60000_characters_being_checked_gets_its_usual_refusal() {
    let app = spawn_app_configured(|config| {
        generous(config);
        config.auth.max_failed_signins = 10;
    })
    .await;
    let email = unique_email();
    let token = app.sign_up(&email, PASSWORD).await;
    let huge = "p".repeat(60_000);
    let new_password = strong_password(40);

    let started = Instant::now();
    let usual = app.sign_in(&email, "not the password").await.status();
    println!(
        "sign-in with a usual wrong password: {usual} in {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let web = app.sign_in(&email, &huge).await.status();
    println!("sign-in (form): {web} in {:?}", started.elapsed());
    assert_eq!(web, StatusCode::UNAUTHORIZED);

    let started = Instant::now();
    let api = app
        .client
        .post(app.url("/api/v1/auth/signin"))
        .json(&json!({ "email": email, "password": huge }))
        .send()
        .await
        .unwrap()
        .status();
    println!("sign-in (API): {api} in {:?}", started.elapsed());
    assert_eq!(api, StatusCode::UNAUTHORIZED);

    let started = Instant::now();
    let change = app
        .site_call(
            &token,
            "/api/auth/change-password",
            &[("current_password", &huge), ("new_password", &new_password)],
        )
        .await;
    println!("change-password: {} in {:?}", change.0, started.elapsed());
    refused_naming(&change, "current_password");

    let started = Instant::now();
    let delete = app
        .site_call(&token, "/api/auth/delete-account", &[("password", &huge)])
        .await;
    println!("delete-account: {} in {:?}", delete.0, started.elapsed());
    refused_naming(&delete, "password");

    assert!(app.sign_in(&email, PASSWORD).await.status().is_success());
}

#[tokio::test]
async fn an_email_of_60000_characters_posted_without_javascript_is_not_echoed_whole() {
    let app = spawn_app_configured(generous).await;
    let huge = format!("{}@example.com", "e".repeat(60_000));
    for path in ["/api/auth/signin", "/api/auth/signup"] {
        let refused = app
            .plain_form_post(path, &[("email", &huge), ("password", PASSWORD)])
            .await;
        assert_eq!(refused.status(), StatusCode::FOUND, "{path}");
        let location = refused.headers()[header::LOCATION].to_str().unwrap();
        assert!(
            location.len() < 2_000,
            "{path}: a Location of {} bytes",
            location.len()
        );
        assert!(location.contains("email=eeee"), "{path}: {location}");
        let form_again = app.get(location.trim_start_matches(&app.base_url)).await;
        assert_eq!(form_again.status(), StatusCode::OK, "{path}");
    }
}
