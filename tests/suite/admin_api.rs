//! The users and the security log over the admin JSON API, tried as an
//! administrator and against the rules an attacker (or a careless script)
//! would run into. Non-administrators get 403 on every admin endpoint: the
//! loop over the OpenAPI document in `admin.rs` checks that.

use crate::common;

use common::{
    accounts::{PASSWORD, unique_email},
    spawn_app,
};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn administrators_list_read_and_page_accounts() {
    let app = spawn_app().await;
    let (admin_email, admin) = app.new_admin().await;
    let marker = uuid::Uuid::new_v4().simple().to_string();
    let emails: Vec<String> = (0..3)
        .map(|index| format!("{marker}-{index}@example.com"))
        .collect();
    for email in &emails {
        app.register(email, PASSWORD).await;
    }

    let first = app
        .api_ok(
            Method::GET,
            &format!("/admin/users?q={}&limit=2", marker.to_uppercase()),
            &admin,
            None,
        )
        .await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{first}");
    assert_eq!(items[0]["email"], emails[0]);
    for member in [
        "id",
        "role",
        "created_at",
        "active_sessions",
        "todos",
        "disabled",
    ] {
        assert!(!items[0][member].is_null(), "{member}: {}", items[0]);
    }
    assert_eq!(items[0]["active_sessions"], 1);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .api_ok(
            Method::GET,
            &format!("/admin/users?q={marker}&limit=2&cursor={cursor}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(second["items"][0]["email"], emails[2]);
    assert_eq!(second["next_cursor"], Value::Null);

    let id = items[0]["id"].as_str().unwrap();
    let one = app
        .api_ok(Method::GET, &format!("/admin/users/{id}"), &admin, None)
        .await;
    assert_eq!(one["email"], emails[0]);
    assert_eq!(one["role"], "user");
    let me = app.api_ok(Method::GET, "/auth/me", &admin, None).await;
    let mine = app
        .api_ok(
            Method::GET,
            &format!("/admin/users/{}", me["id"].as_str().unwrap()),
            &admin,
            None,
        )
        .await;
    assert_eq!(
        (mine["email"].as_str(), mine["role"].as_str()),
        (Some(admin_email.as_str()), Some("admin"))
    );

    for path in [
        format!("/admin/users/{}", uuid::Uuid::new_v4()),
        "/admin/users/not-an-id".into(),
    ] {
        assert_eq!(
            app.api_send(Method::GET, &path, Some(&admin), None)
                .await
                .status,
            404
        );
    }
    for query in [
        "limit=0",
        "limit=201",
        "q=%00",
        &format!("cursor={}", "a".repeat(255)),
    ] {
        let refused = app
            .api_send(
                Method::GET,
                &format!("/admin/users?{query}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(refused.status, 422, "{query}: {}", refused.body);
    }
}

#[tokio::test]
async fn administrators_change_disable_end_and_delete_accounts_within_the_rules() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    let token = app.register(&email, PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = app.user_id(&email).await;
    let path = format!("/admin/users/{id}");

    // Bad changes are refused before anything changes.
    for (body, pointer) in [
        (json!({ "role": "root" }), "#/role"),
        (json!({ "disabled": true }), "#/disabled_reason"),
        (
            json!({ "disabled": true, "disabled_reason": "x".repeat(501) }),
            "#/disabled_reason",
        ),
        (
            json!({ "disabled": true, "disabled_reason": "spam", "disabled_until": "2001-01-01" }),
            "#/disabled_until",
        ),
        (
            json!({ "disabled": true, "disabled_reason": "spam", "disabled_until": "soon" }),
            "#/disabled_until",
        ),
        (json!({ "disabled_reason": "spam" }), "#/disabled"),
    ] {
        let refused = app
            .api_send(Method::PATCH, &path, Some(&admin), Some(body.clone()))
            .await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(refused.pointers(), [pointer], "{body}");
    }
    let unknown = app
        .api_send(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "password": "x" })),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        app.me_with_bearer(&token).await.status(),
        200,
        "nothing changed"
    );

    let disabled = app
        .api_ok(
            Method::PATCH,
            &path,
            &admin,
            Some(json!({ "disabled": true, "disabled_reason": "Spam", "disabled_until": "2999-01-31" })),
        )
        .await;
    assert_eq!(disabled["disabled"], true);
    assert_eq!(disabled["disabled_reason"], "Spam");
    assert!(
        disabled["disabled_until"]
            .as_str()
            .unwrap()
            .starts_with("2999-01-31")
    );
    assert_eq!(
        app.me_with_bearer(&token).await.status(),
        401,
        "its sessions ended"
    );
    let signin = app
        .api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
        .await;
    assert_eq!(signin.status, 403);
    let enabled = app
        .api_ok(
            Method::PATCH,
            &path,
            &admin,
            Some(json!({ "disabled": false })),
        )
        .await;
    assert_eq!(enabled["disabled"], false);
    assert_eq!(enabled["disabled_reason"], Value::Null);

    let promoted = app
        .api_ok(
            Method::PATCH,
            &path,
            &admin,
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(promoted["role"], "admin");
    app.api_ok(
        Method::PATCH,
        &path,
        &admin,
        Some(json!({ "role": "user" })),
    )
    .await;

    let token = app.register_signin(&email).await;
    assert_eq!(
        app.api_send(
            Method::DELETE,
            &format!("{path}/sessions"),
            Some(&admin),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(app.me_with_bearer(&token).await.status(), 401);

    // An administrator cannot disable, delete or demote themselves as the last one.
    let me = app.api_ok(Method::GET, "/auth/me", &admin, None).await;
    let own = format!("/admin/users/{}", me["id"].as_str().unwrap());
    for (method, body) in [
        (
            Method::PATCH,
            Some(json!({ "disabled": true, "disabled_reason": "oops" })),
        ),
        (Method::PATCH, Some(json!({ "role": "user" }))),
        (Method::DELETE, None),
    ] {
        let refused = app.api_send(method.clone(), &own, Some(&admin), body).await;
        assert_eq!(refused.status, 409, "{method}: {}", refused.body);
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .contains("You can't")
        );
    }

    assert_eq!(
        app.api_send(Method::DELETE, &path, Some(&admin), None)
            .await
            .status,
        204
    );
    assert_eq!(
        app.api_send(Method::GET, &path, Some(&admin), None)
            .await
            .status,
        404
    );
    assert_eq!(
        app.api_send(Method::DELETE, &path, Some(&admin), None)
            .await
            .status,
        404
    );

    // Each of these is in the instance's security log, with who and whom.
    let log = app
        .api_ok(
            Method::GET,
            &format!("/admin/events?email={email}&limit=200"),
            &admin,
            None,
        )
        .await;
    let types: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    for expected in [
        "account_disabled",
        "account_enabled",
        "admin_granted",
        "admin_revoked",
        "sessions_ended_by_admin",
        "account_deleted_by_admin",
    ] {
        assert!(types.contains(&expected), "{expected}: {types:?}");
    }
    let deleted = app
        .api_ok(
            Method::GET,
            "/admin/events?type=account_deleted_by_admin",
            &admin,
            None,
        )
        .await;
    let event = &deleted["items"][0];
    assert_eq!(event["actor_id"], me["id"]);
    assert_eq!(event["target_id"].as_str(), Some(id.as_str()));
    assert_eq!(event["email"].as_str(), Some(email.as_str()));
    let refused = app
        .api_send(Method::GET, "/admin/events?type=nope", Some(&admin), None)
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.pointers(), ["#/type"]);
}

impl common::TestApp {
    /// Signs in over the API; the bearer token.
    async fn register_signin(&self, email: &str) -> String {
        self.api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
        .await
        .body["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn the_console_gives_each_account_a_page_with_its_facts_and_actions() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let email = unique_email();
    app.register(&email, PASSWORD).await;
    let id = app.user_id(&email).await;
    let page_path = format!("/admin/users/{id}");

    let list = app
        .get_with_cookie(&format!("/admin?q={email}"), &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains(&format!("href=\"{page_path}\"")),
        "the list links each account"
    );
    assert!(
        !list.contains("name=\"reason\""),
        "the list carries no forms per row"
    );

    let page = app.get_with_cookie(&page_path, &admin).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    for shown in [
        email.as_str(),
        "Live sessions",
        "Recent events",
        "Account created",
        "action=\"/api/admin/disable\"",
        "action=\"/api/admin/reset-link\"",
        "action=\"/api/admin/delete\"",
    ] {
        assert!(page.contains(shown), "{shown}");
    }
    let user = app.web_user().await;
    let refused = app.get_with_cookie(&page_path, &user).await;
    assert_eq!(refused.status(), 403);
    let unknown = app
        .get_with_cookie(&format!("/admin/users/{}", uuid::Uuid::new_v4()), &admin)
        .await;
    assert_eq!(unknown.status(), 404);

    // Without JavaScript: a reset link comes back on the account's page.
    let form_post = |path: &'static str, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html")
            .header("sec-fetch-site", "same-origin")
            .header("referer", app.url(&page_path))
            .header(
                reqwest::header::COOKIE,
                format!("__Host-taskward_session={admin}"),
            )
            .form(&form)
            .send()
    };
    let made = form_post("/api/admin/reset-link", vec![("user", id.clone())])
        .await
        .unwrap();
    assert_eq!(made.status(), 302);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let location = location
        .strip_prefix(&app.base_url)
        .unwrap_or(&location)
        .to_owned();
    assert!(
        location.starts_with(&format!("{page_path}?reset_token=")),
        "{location}"
    );
    let token = location.rsplit_once('=').unwrap().1.to_owned();
    let shown = app
        .get_with_cookie(&location, &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains(&format!("http://127.0.0.1/reset-password?token={token}")));
    let set = app
        .api_send(
            Method::POST,
            "/auth/password-reset/confirm",
            None,
            Some(json!({ "token": token, "password": "copper lantern orchard whistles" })),
        )
        .await;
    assert_eq!(set.status, 204);

    let deleted = form_post("/api/admin/delete", vec![("user", id.clone())])
        .await
        .unwrap();
    assert_eq!(deleted.status(), 302);
    assert_eq!(deleted.headers()["location"], "/admin?deleted");
}
