//! The JSON API at `/api/v1`, as a mobile app, a script or an attacker
//! sees it: bearer tokens only, RFC 9457 problems for every error, and two
//! users who can never reach each other's todos.

use crate::common;

use common::{
    accounts::{COOKIE, PASSWORD, forged_tokens, unique_email},
    api::Answer,
    spawn_app, spawn_app_configured,
};
use reqwest::{Method, header};
use serde_json::{Value, json};

fn titles(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn register_answers_201_with_a_bearer_token_and_no_cookie() {
    let app = spawn_app().await;
    let email = unique_email();

    let answer = app
        .register(&format!("  {}", email.to_uppercase()), PASSWORD)
        .await;

    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
    let body = &answer.body;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["user"]["email"], email, "trimmed and lower-cased");
    assert!(uuid::Uuid::parse_str(body["user"]["id"].as_str().unwrap()).is_ok());
    let created_at = body["user"]["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
        "{created_at}"
    );

    let token = body["access_token"].as_str().unwrap();
    let me = app
        .api_send(Method::GET, "/auth/me", Some(token), None)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body, body["user"], "me shows the same account");
}

#[tokio::test]
async fn register_refuses_a_registered_email_whatever_its_case_with_409() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(app.register(&email, PASSWORD).await.status, 201);

    let again = app.register(&email.to_uppercase(), PASSWORD).await;

    let problem = again.problem(409);
    assert_eq!(problem["type"], "urn:taskward:problem:conflict");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("already registered")
    );
}

#[tokio::test]
async fn register_names_the_field_at_fault_with_422() {
    let app = spawn_app().await;
    let email = unique_email();

    let weak = app.register(&email, "password1").await;
    weak.problem(422);
    assert_eq!(weak.pointers(), ["#/password"]);

    let not_an_email = app.register("ada-at-example.com", PASSWORD).await;
    not_an_email.problem(422);
    assert_eq!(not_an_email.pointers(), ["#/email"]);

    let missing = app
        .api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": email })),
        )
        .await;
    missing.problem(422);
    assert_eq!(missing.pointers(), ["#/password"]);

    let unknown = app
        .api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": email, "password": PASSWORD, "admin": true })),
        )
        .await;
    unknown.problem(422);
    assert_eq!(unknown.pointers(), ["#/admin"]);

    let wrong_type = app
        .api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": email, "password": 12345678 })),
        )
        .await;
    wrong_type.problem(422);
    assert_eq!(wrong_type.pointers(), ["#/password"]);
}

#[tokio::test]
async fn sign_in_answers_200_and_one_generic_401_for_any_wrong_credentials() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&email, PASSWORD).await;
    let sign_in = |email: String, password: &'static str| {
        let app = &app;
        async move {
            app.api_send(
                Method::POST,
                "/auth/signin",
                None,
                Some(json!({ "email": email, "password": password })),
            )
            .await
        }
    };

    let ok = sign_in(email.clone(), PASSWORD).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["user"]["email"], email);
    assert_eq!(ok.body["token_type"], "Bearer");

    let wrong_password = sign_in(email.clone(), "not the password at all").await;
    let unknown_email = sign_in(unique_email(), PASSWORD).await;
    for answer in [&wrong_password, &unknown_email] {
        let problem = answer.problem(401);
        assert_eq!(problem["detail"], "Invalid email or password.");
        assert!(answer.header("www-authenticate").starts_with("Bearer"));
    }
    assert_eq!(wrong_password.body, unknown_email.body);
}

#[tokio::test]
async fn sign_out_answers_204_and_the_token_is_refused_afterwards() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let refreshed = app
        .api_send(Method::POST, "/auth/refresh", Some(&token), None)
        .await;
    assert_eq!(refreshed.status, 200);
    let refreshed = refreshed.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(refreshed, token);

    let signed_out = app
        .api_send(Method::POST, "/auth/signout", Some(&token), None)
        .await;

    assert_eq!(signed_out.status, 204);
    assert_eq!(signed_out.body, Value::Null);
    for revoked in [&token, &refreshed] {
        let me = app
            .api_send(Method::GET, "/auth/me", Some(revoked), None)
            .await;
        me.problem(401);
        assert!(
            me.header("www-authenticate")
                .contains("error=\"invalid_token\""),
            "{}",
            me.header("www-authenticate")
        );
    }
    let again = app
        .api_send(Method::POST, "/auth/signout", Some(&token), None)
        .await;
    again.problem(401);
}

#[tokio::test]
async fn a_missing_or_malformed_authorization_header_gets_401_with_a_challenge() {
    let app = spawn_app().await;
    let token = app.api_user().await;

    let missing = app.api_send(Method::GET, "/auth/me", None, None).await;
    missing.problem(401);
    assert_eq!(
        missing.header("www-authenticate"),
        "Bearer realm=\"taskward\""
    );

    for authorization in [
        "Basic dXNlcjpwYXNz".to_owned(),
        "Bearer".to_owned(),
        "Bearer    ".to_owned(),
        token.clone(),
        format!("Token {token}"),
    ] {
        let answer = Answer::from(
            app.api(Method::GET, "/auth/me", None)
                .header(header::AUTHORIZATION, &authorization)
                .send()
                .await
                .unwrap(),
        )
        .await;
        answer.problem(401);
        assert!(answer.header("www-authenticate").contains("invalid_token"));
    }

    let lower_case_scheme = app
        .api(Method::GET, "/auth/me", None)
        .header(header::AUTHORIZATION, format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        lower_case_scheme.status(),
        200,
        "the scheme is case-insensitive"
    );
}

#[tokio::test]
async fn forged_and_damaged_tokens_are_all_refused_on_me_without_a_server_error() {
    let app = spawn_app().await;
    let token = app.api_user().await;

    for (name, forged) in forged_tokens(&app, &token).await {
        let answer = app
            .api_send(Method::GET, "/auth/me", Some(&forged), None)
            .await;
        assert_eq!(answer.status, 401, "{name}: {}", answer.body);
        answer.problem(401);
        assert!(answer.headers.contains_key("www-authenticate"), "{name}");
    }
    let genuine = app
        .api_send(Method::GET, "/auth/me", Some(&token), None)
        .await;
    assert_eq!(genuine.status, 200, "the genuine token still works");
}

#[tokio::test]
async fn the_api_reads_bearer_tokens_only_never_the_session_cookie() {
    let app = spawn_app().await;
    let token = app.api_user().await;

    // A browser page on another site can make the browser send the cookie,
    // but never an Authorization header: so the API is not open to CSRF.
    let with_cookie = app
        .api(Method::POST, "/todos", None)
        .header(header::COOKIE, format!("{COOKIE}={token}"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "title": "Planted by another site" }))
        .send()
        .await
        .unwrap();
    Answer::from(with_cookie).await.problem(401);

    let page = app
        .api_send(Method::GET, "/todos", Some(&token), None)
        .await;
    assert_eq!(titles(&page.body), Vec::<&str>::new());
}

#[tokio::test]
async fn a_todo_is_created_read_changed_and_deleted() {
    let app = spawn_app().await;
    let token = app.api_user().await;

    let created = app
        .api_send(
            Method::POST,
            "/todos",
            Some(&token),
            Some(json!({ "title": "  Buy oat milk  " })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), format!("/api/v1/todos/{id}"));
    assert_eq!(created.body["title"], "Buy oat milk");
    assert_eq!(created.body["completed"], false);

    let read = Answer::from(
        app.client
            .get(app.url(created.header("location")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body);

    let path = format!("/todos/{id}");
    let done = app
        .api_send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "completed": true })),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["completed"], true);
    assert_eq!(done.body["title"], "Buy oat milk", "untouched");
    let renamed = app
        .api_send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "title": "Buy soy milk" })),
        )
        .await;
    assert_eq!(renamed.body["title"], "Buy soy milk");
    assert_eq!(renamed.body["completed"], true, "untouched");
    assert_eq!(renamed.body["created_at"], created.body["created_at"]);

    let deleted = app
        .api_send(Method::DELETE, &path, Some(&token), None)
        .await;
    assert_eq!(deleted.status, 204);
    app.api_send(Method::GET, &path, Some(&token), None)
        .await
        .problem(404);
    app.api_send(Method::DELETE, &path, Some(&token), None)
        .await
        .problem(404);
}

#[tokio::test]
async fn changes_that_break_the_rules_get_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let id = app.add_todo(&token, "Water the plants").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/todos/{id}");

    let cases = [
        (
            Method::POST,
            "/todos",
            json!({ "title": "   " }),
            vec!["#/title"],
        ),
        (
            Method::POST,
            "/todos",
            json!({ "title": "x".repeat(501) }),
            vec!["#/title"],
        ),
        (Method::POST, "/todos", json!({}), vec!["#/title"]),
        (
            Method::PATCH,
            &path,
            json!({ "title": "" }),
            vec!["#/title"],
        ),
        (
            Method::PATCH,
            &path,
            json!({ "completed": "yes" }),
            vec!["#/completed"],
        ),
        (
            Method::PATCH,
            &path,
            json!({ "done": true }),
            vec!["#/done"],
        ),
        (Method::PATCH, &path, json!({}), vec![]),
    ];
    for (method, path, body, pointers) in cases {
        let answer = app
            .api_send(method.clone(), path, Some(&token), Some(body.clone()))
            .await;
        answer.problem(422);
        assert_eq!(answer.pointers(), pointers, "{method} {body}");
    }

    let unchanged = app.api_send(Method::GET, &path, Some(&token), None).await;
    assert_eq!(unchanged.body["title"], "Water the plants");
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_get_a_problem_never_a_500() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let send = |content_type: &'static str, body: Vec<u8>| {
        let request = app
            .api(Method::POST, "/todos", Some(&token))
            .header(header::CONTENT_TYPE, content_type)
            .body(body);
        async move { Answer::from(request.send().await.unwrap()).await }
    };

    send("application/json", b"{\"title\": ".to_vec())
        .await
        .problem(400);
    send("application/json", Vec::new()).await.problem(400);
    send("application/json", b"[\"a list\"]".to_vec())
        .await
        .problem(422);
    send("text/plain", b"{\"title\": \"a\"}".to_vec())
        .await
        .problem(415);
    let big_title = format!(
        "{{\"title\": \"{}\"}}",
        "x".repeat(taskward::config::REQUEST_BODY_LIMIT)
    );
    let too_large = send("application/json", big_title.into_bytes()).await;
    too_large.problem(413);

    let no_content_type = Answer::from(
        app.api(Method::POST, "/todos", Some(&token))
            .body("{\"title\": \"a\"}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    no_content_type.problem(415);
}

#[tokio::test]
async fn unknown_addresses_and_methods_get_problems_too() {
    let app = spawn_app().await;
    let token = app.api_user().await;

    app.api_send(Method::GET, "/nothing-here", Some(&token), None)
        .await
        .problem(404);
    let wrong_method = app
        .api_send(Method::PUT, "/todos", Some(&token), None)
        .await;
    wrong_method.problem(405);
    let allowed = wrong_method.header("allow");
    assert!(
        allowed.contains("GET") && allowed.contains("POST"),
        "{allowed}"
    );
    app.api_send(Method::GET, "/todos/not-an-id", Some(&token), None)
        .await
        .problem(404);
}

#[tokio::test]
async fn the_list_filters_and_pages_without_losing_or_repeating_a_todo() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    for n in 1..=7 {
        let todo = app.add_todo(&token, &format!("todo {n}")).await;
        if n % 2 == 0 {
            let path = format!("/todos/{}", todo["id"].as_str().unwrap());
            app.api_send(
                Method::PATCH,
                &path,
                Some(&token),
                Some(json!({ "completed": true })),
            )
            .await;
        }
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("/todos?limit=3&cursor={cursor}"),
            None => "/todos?limit=3".to_owned(),
        };
        let page = app.api_send(Method::GET, &query, Some(&token), None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(titles(&page.body).len() <= 3);
        seen.extend(titles(&page.body).into_iter().map(str::to_owned));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (1..=7).rev().map(|n| format!("todo {n}")).collect();
    assert_eq!(seen, expected, "newest first, each exactly once");

    let completed = app
        .api_send(Method::GET, "/todos?filter=completed", Some(&token), None)
        .await;
    assert_eq!(titles(&completed.body), ["todo 6", "todo 4", "todo 2"]);
    let active = app
        .api_send(
            Method::GET,
            "/todos?filter=active&limit=100",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        titles(&active.body),
        ["todo 7", "todo 5", "todo 3", "todo 1"]
    );
    let empty_means_default = app
        .api_send(Method::GET, "/todos?filter=&cursor=", Some(&token), None)
        .await;
    assert_eq!(titles(&empty_means_default.body).len(), 7);

    for (query, pointer) in [
        ("/todos?limit=0", "#/limit"),
        ("/todos?limit=", "#/limit"),
        ("/todos?filter=%20active", "#/filter"),
        ("/todos?limit=101", "#/limit"),
        ("/todos?limit=ten", "#/limit"),
        ("/todos?filter=someday", "#/filter"),
        ("/todos?cursor=not-a-cursor", "#/cursor"),
    ] {
        let answer = app.api_send(Method::GET, query, Some(&token), None).await;
        answer.problem(422);
        assert_eq!(answer.pointers(), [pointer], "{query}");
    }
}

#[tokio::test]
async fn two_users_cannot_reach_each_others_todos_through_any_endpoint() {
    let app = spawn_app().await;
    let alice = app.api_user().await;
    let bob = app.api_user().await;
    let alices = app.add_todo(&alice, "Alice's secret plan").await;
    let path = format!("/todos/{}", alices["id"].as_str().unwrap());
    let nobodys = format!("/todos/{}", uuid::Uuid::new_v4());

    let attempts = [
        (Method::GET, None),
        (Method::PATCH, Some(json!({ "title": "Bob was here" }))),
        (Method::PATCH, Some(json!({ "completed": true }))),
        (Method::DELETE, None),
    ];
    for (method, body) in attempts {
        let as_bob = app
            .api_send(method.clone(), &path, Some(&bob), body.clone())
            .await;
        let missing = app
            .api_send(method.clone(), &nobodys, Some(&bob), body)
            .await;
        as_bob.problem(404);
        assert_eq!(
            as_bob.body, missing.body,
            "{method}: same as a todo that does not exist"
        );
    }
    let bobs_list = app
        .api_send(Method::GET, "/todos?filter=all", Some(&bob), None)
        .await;
    assert_eq!(titles(&bobs_list.body), Vec::<&str>::new());

    let still = app.api_send(Method::GET, &path, Some(&alice), None).await;
    assert_eq!(still.status, 200);
    assert_eq!(still.body, alices, "untouched by Bob");
}

#[tokio::test]
async fn the_api_and_the_web_pages_share_accounts_sessions_and_todos() {
    let app = spawn_app().await;
    let email = unique_email();
    let web_token = app.sign_up(&email, PASSWORD).await;

    let signed_in = app
        .api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
        .await;
    let api_token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    app.add_todo(&api_token, "Added from the API").await;

    // The web session (a cookie) sees what the API added.
    let page = app.get_with_cookie("/todos", &web_token).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Added from the API"));
}

#[tokio::test]
async fn register_and_sign_in_share_the_web_forms_rate_limit() {
    let app = spawn_app_configured(|config| config.auth.attempts_per_minute_per_address = 3).await;

    let mut statuses = Vec::new();
    for _ in 0..4 {
        let answer = app
            .api_send(
                Method::POST,
                "/auth/signin",
                None,
                Some(json!({ "email": unique_email(), "password": PASSWORD })),
            )
            .await;
        statuses.push(answer.status);
        if answer.status == 429 {
            answer.problem(429);
            let retry: u64 = answer.header("retry-after").parse().unwrap();
            assert!((1..=60).contains(&retry));
        }
    }
    assert_eq!(statuses, [401, 401, 401, 429]);

    for _ in 0..3 {
        assert_eq!(app.register(&unique_email(), PASSWORD).await.status, 201);
    }
    app.register(&unique_email(), PASSWORD).await.problem(429);
    // The web form draws on the same allowance for this address.
    let web = app
        .post_form(
            "/api/auth/signup",
            &[("email", &unique_email()), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(web.status(), 429);
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = spawn_app().await;

    let answer = app.api_send(Method::GET, "/openapi.json", None, None).await;

    assert_eq!(answer.status, 200);
    let document = &answer.body;
    assert_eq!(document["openapi"], "3.1.0");
    let operations = [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/signin", "post"),
        ("/api/v1/auth/signout", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/auth/me", "patch"),
        ("/api/v1/todos", "get"),
        ("/api/v1/todos", "post"),
        ("/api/v1/todos/{id}", "get"),
        ("/api/v1/todos/{id}", "patch"),
        ("/api/v1/todos/{id}", "delete"),
        ("/api/v1/todos/{id}/move", "post"),
        ("/api/v1/todos/parse", "post"),
        ("/api/v1/reminders/deliveries", "get"),
        ("/api/v1/reminders/test", "post"),
        ("/api/v1/push/key", "get"),
        ("/api/v1/push/subscriptions", "get"),
        ("/api/v1/push/subscriptions", "post"),
        ("/api/v1/push/subscriptions/{id}", "delete"),
        ("/api/v1/calendar-feed", "get"),
        ("/api/v1/calendar-feed", "post"),
        ("/api/v1/calendar-feed", "delete"),
        ("/api/v1/lists", "get"),
        ("/api/v1/lists", "post"),
        ("/api/v1/lists/{id}", "get"),
        ("/api/v1/lists/{id}", "patch"),
        ("/api/v1/lists/{id}", "delete"),
        ("/api/v1/undo/{batch}", "post"),
        ("/api/v1/export", "get"),
        ("/api/v1/import", "post"),
        ("/api/v1/auth/sessions", "get"),
        ("/api/v1/auth/sessions/{id}", "delete"),
        ("/api/v1/auth/events", "get"),
        ("/api/v1/admin/settings", "get"),
        ("/api/v1/admin/settings", "patch"),
        ("/api/v1/admin/invites", "get"),
        ("/api/v1/admin/invites", "post"),
        ("/api/v1/admin/invites/{id}", "delete"),
        ("/api/v1/admin/mail", "get"),
        ("/api/v1/admin/mail/test", "post"),
        ("/api/v1/auth/password-reset", "post"),
        ("/api/v1/auth/password-reset/confirm", "post"),
        ("/api/v1/admin/users/{id}/reset-link", "post"),
        ("/api/v1/admin/users", "get"),
        ("/api/v1/admin/users/{id}", "get"),
        ("/api/v1/admin/users/{id}", "patch"),
        ("/api/v1/admin/users/{id}", "delete"),
        ("/api/v1/admin/users/{id}/sessions", "delete"),
        ("/api/v1/admin/events", "get"),
        ("/api/v1/auth/verify-email", "post"),
        ("/api/v1/auth/verify-email/resend", "post"),
        ("/api/v1/auth/email-change", "post"),
        ("/api/v1/auth/email-change", "delete"),
        ("/api/v1/auth/tokens", "get"),
        ("/api/v1/auth/tokens", "post"),
        ("/api/v1/auth/tokens/{id}", "delete"),
        ("/api/v1/auth/signin/second-factor", "post"),
        ("/api/v1/auth/totp", "post"),
        ("/api/v1/auth/totp", "delete"),
        ("/api/v1/auth/totp/confirm", "post"),
        ("/api/v1/auth/recovery-codes", "post"),
        ("/api/v1/admin/users/{id}/second-factor", "delete"),
        ("/api/v1/auth/passkeys", "get"),
        ("/api/v1/auth/passkeys", "post"),
        ("/api/v1/auth/passkeys/registration", "post"),
        ("/api/v1/auth/passkeys/{id}", "delete"),
        ("/api/v1/auth/passkeys/signin", "post"),
        ("/api/v1/auth/passkeys/signin/finish", "post"),
        ("/api/v1/auth/passkeys/second-factor", "post"),
        ("/api/v1/auth/passkeys/second-factor/finish", "post"),
    ];
    for (path, method) in operations {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
    }
    let paths = document["paths"].as_object().unwrap();
    let documented: usize = paths
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, operations.len(), "no undocumented extras");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    let register = &document["paths"]["/api/v1/auth/register"]["post"]["responses"];
    let statuses: Vec<&String> = register.as_object().unwrap().keys().collect();
    assert_eq!(
        statuses,
        [
            "201", "400", "403", "409", "413", "415", "422", "429", "503"
        ]
    );
    // Every error response is a problem, described once among the components.
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let name = response["$ref"]
                        .as_str()
                        .and_then(|reference| reference.strip_prefix("#/components/responses/"))
                        .unwrap_or_else(|| panic!("{method} {path} {status}: {response}"));
                    let problem = &document["components"]["responses"][name]["content"]["application/problem+json"];
                    assert!(problem.is_object(), "{name} is not a problem");
                }
            }
        }
    }
}
