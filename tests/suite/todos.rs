//! The todo server functions over HTTP, including two users who must never
//! see or touch each other's todos.

use crate::common;

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    spawn_app,
};
use serde_json::Value;

impl TestApp {
    async fn call(&self, token: &str, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .post_form(&format!("/api/todos/{endpoint}"), form, Some(token))
            .await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn create(&self, token: &str, title: &str) -> Value {
        let (status, todo) = self.call(token, "create", &[("title", title)]).await;
        assert_eq!(status, 200, "{todo}");
        todo
    }

    async fn list(&self, token: &str, filter: &str, cursor: Option<&str>) -> Value {
        let mut form = vec![("filter", filter)];
        if let Some(cursor) = cursor {
            form.push(("cursor", cursor));
        }
        let (status, page) = self.call(token, "list", &form).await;
        assert_eq!(status, 200, "{page}");
        page
    }

    async fn new_user(&self) -> String {
        self.sign_up(&unique_email(), PASSWORD).await
    }
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_user_adds_completes_edits_and_deletes_todos_newest_first() {
    let app = spawn_app().await;
    let token = app.new_user().await;

    let milk = app.create(&token, "  Buy milk  ").await;
    assert_eq!(milk["title"], "Buy milk");
    assert_eq!(milk["completed"], false);
    let letter = app.create(&token, "写信给妈妈 ✉️").await;
    assert_eq!(
        titles(&app.list(&token, "all", None).await),
        ["写信给妈妈 ✉️", "Buy milk"]
    );

    let id = milk["id"].as_str().unwrap();
    let (status, done) = app
        .call(&token, "update", &[("id", id), ("completed", "true")])
        .await;
    assert_eq!((status, &done["completed"]), (200, &Value::Bool(true)));
    let (status, renamed) = app
        .call(&token, "update", &[("id", id), ("title", "Buy oat milk")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(renamed["title"], "Buy oat milk");
    assert_eq!(renamed["completed"], true, "a title change keeps the state");

    assert_eq!(
        titles(&app.list(&token, "active", None).await),
        ["写信给妈妈 ✉️"]
    );
    assert_eq!(
        titles(&app.list(&token, "completed", None).await),
        ["Buy oat milk"]
    );
    let (_, stats) = app.call(&token, "stats", &[]).await;
    assert_eq!(
        (
            stats["total"].as_i64(),
            stats["active"].as_i64(),
            stats["completed"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );

    let (status, _) = app
        .call(&token, "delete", &[("id", letter["id"].as_str().unwrap())])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        titles(&app.list(&token, "all", None).await),
        ["Buy oat milk"]
    );
}

#[tokio::test]
async fn toggle_all_and_clear_completed_touch_only_the_callers_todos() {
    let app = spawn_app().await;
    let (alice, bob) = (app.new_user().await, app.new_user().await);
    for title in ["one", "two", "three"] {
        app.create(&alice, title).await;
    }
    app.create(&bob, "bob's").await;

    let (status, _) = app
        .call(&alice, "toggle-all", &[("completed", "true")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        titles(&app.list(&alice, "active", None).await),
        Vec::<String>::new()
    );
    assert_eq!(titles(&app.list(&bob, "active", None).await), ["bob's"]);

    let (status, cleared) = app.call(&alice, "clear-completed", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(cleared["message"], "Deleted 3 todos that were done.");
    assert_eq!(
        titles(&app.list(&alice, "all", None).await),
        Vec::<String>::new()
    );
    assert_eq!(titles(&app.list(&bob, "all", None).await), ["bob's"]);

    app.call(&bob, "toggle-all", &[("completed", "true")]).await;
    app.call(&bob, "toggle-all", &[("completed", "false")])
        .await;
    assert_eq!(titles(&app.list(&bob, "active", None).await), ["bob's"]);
}

#[tokio::test]
async fn another_users_todo_behaves_exactly_like_one_that_does_not_exist() {
    let app = spawn_app().await;
    let (alice, mallory) = (app.new_user().await, app.new_user().await);
    let secret = app.create(&alice, "Alice's secret plan").await;
    let secret_id = secret["id"].as_str().unwrap();
    let missing_id = uuid::Uuid::new_v4().to_string();

    for id in [secret_id, missing_id.as_str()] {
        let update = app
            .call(&mallory, "update", &[("id", id), ("title", "pwned")])
            .await;
        let toggle = app
            .call(&mallory, "update", &[("id", id), ("completed", "true")])
            .await;
        let delete = app.call(&mallory, "delete", &[("id", id)]).await;
        for (status, body) in [update, toggle, delete] {
            assert_eq!(status, 404, "{body}");
            assert_eq!(body["code"], "not_found");
            assert!(!body.to_string().contains("secret"));
        }
    }
    assert_eq!(
        titles(&app.list(&mallory, "all", None).await),
        Vec::<String>::new()
    );
    let (_, stats) = app.call(&mallory, "stats", &[]).await;
    assert_eq!(stats["total"], 0);
    app.call(&mallory, "toggle-all", &[("completed", "true")])
        .await;
    app.call(&mallory, "clear-completed", &[]).await;

    let page = app.list(&alice, "all", None).await;
    assert_eq!(page["items"][0]["title"], "Alice's secret plan");
    assert_eq!(page["items"][0]["completed"], false);
}

#[tokio::test]
async fn every_todo_endpoint_requires_a_session() {
    let app = spawn_app().await;
    for endpoint in [
        "list",
        "listing",
        "create",
        "update",
        "delete",
        "toggle-all",
        "clear-completed",
        "stats",
    ] {
        let response = app
            .post_form(
                &format!("/api/todos/{endpoint}"),
                &[
                    ("id", "00000000-0000-0000-0000-000000000001"),
                    ("title", "x"),
                    ("completed", "true"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 401, "{endpoint}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_a_clear_message_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.new_user().await;
    let long = "x".repeat(501);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("create", vec![("title", "   ")], "needs a title"),
        ("create", vec![("title", &long)], "500 characters"),
        (
            "update",
            vec![("id", "not-a-uuid"), ("title", "x")],
            "not valid",
        ),
        (
            "update",
            vec![("id", "00000000-0000-0000-0000-000000000000")],
            "Nothing to change",
        ),
        ("list", vec![("filter", "someday")], "not a filter"),
        (
            "list",
            vec![("filter", "all"), ("cursor", "garbage")],
            "page link",
        ),
        (
            "toggle-all",
            vec![("completed", "maybe")],
            "missing or malformed",
        ),
    ];
    for (endpoint, form, expected) in cases {
        let (status, body) = app.call(&token, endpoint, &form).await;
        assert!(
            (400..500).contains(&status),
            "{endpoint} {form:?}: {status}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{endpoint}: {message}");
    }
    let (_, stats) = app.call(&token, "stats", &[]).await;
    assert_eq!(stats["total"], 0);
}

#[tokio::test]
async fn titles_are_stored_as_text_and_rendered_escaped() {
    let app = spawn_app().await;
    let token = app.new_user().await;
    let todo = app.create(&token, "<script>alert(1)</script>").await;
    assert_eq!(todo["title"], "<script>alert(1)</script>");

    let html = app
        .get_with_cookie("/todos", &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)</script>"));
}

#[tokio::test]
async fn cursor_paging_visits_every_todo_once() {
    let app = spawn_app().await;
    let token = app.new_user().await;
    let count = taskward::todos::PAGE_SIZE * 2 + 7;
    for i in 0..count {
        app.create(&token, &format!("todo {i}")).await;
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = app.list(&token, "all", cursor.as_deref()).await;
        seen.extend(titles(&page));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }

    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..count).rev().map(|i| format!("todo {i}")).collect();
    assert_eq!(seen, expected, "newest first, none lost or repeated");
}

#[tokio::test]
async fn concurrent_updates_to_one_todo_leave_a_consistent_row() {
    let app = spawn_app().await;
    let token = app.new_user().await;
    let todo = app.create(&token, "original").await;
    let id = todo["id"].as_str().unwrap().to_owned();

    let updates: Vec<_> = (0..10usize)
        .map(|i| {
            let request = app
                .client
                .post(app.url("/api/todos/update"))
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("{}={token}", common::accounts::COOKIE))
                .form(&[
                    ("id", id.clone()),
                    ("title", format!("title {i}")),
                    ("completed", i.is_multiple_of(2).to_string()),
                ]);
            tokio::spawn(
                async move { request.send().await.unwrap().json::<Value>().await.unwrap() },
            )
        })
        .collect();
    let mut written = Vec::new();
    for update in updates {
        written.push(update.await.unwrap());
    }

    let page = app.list(&token, "all", None).await;
    let stored = &page["items"][0];
    let title = stored["title"].as_str().unwrap();
    let n: usize = title.strip_prefix("title ").unwrap().parse().unwrap();
    assert_eq!(
        stored["completed"],
        n.is_multiple_of(2),
        "title and state come from one write: {stored}"
    );
    assert!(written.iter().any(|w| w == stored));
}

#[tokio::test]
async fn without_javascript_a_title_is_edited_on_its_own_form_then_the_list_returns() {
    let app = spawn_app().await;
    let token = app.new_user().await;
    let todo = app.create(&token, "Water the plants").await;
    let id = todo["id"].as_str().unwrap();

    let editing = format!("/todos?filter=active&edit={id}");
    let page = app.get_with_cookie(&editing, &token).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("New title"), "the title form is open");
    assert!(
        html.contains(r#"name="title" value="Water the plants""#),
        "the form holds the current title"
    );

    let save = |title: &'static str| {
        app.client
            .post(app.url("/api/todos/update"))
            .header("accept", "text/html")
            .header("referer", app.url(&editing))
            .header("sec-fetch-site", "same-origin")
            .header("cookie", format!("{}={token}", common::accounts::COOKIE))
            .form(&[("id", id), ("title", title)])
            .send()
    };
    let location =
        |response: &reqwest::Response| response.headers()["location"].to_str().unwrap().to_owned();

    let refused = save("   ").await.unwrap();
    assert_eq!(refused.status(), 302);
    assert!(
        location(&refused).contains(&format!("edit={id}")),
        "a refused title goes back to the open form: {}",
        location(&refused)
    );

    let saved = save("Water the garden").await.unwrap();
    assert_eq!(saved.status(), 302);
    assert_eq!(location(&saved), app.url("/todos?filter=active"));
    assert_eq!(
        titles(&app.list(&token, "all", None).await),
        ["Water the garden"]
    );
}

#[tokio::test]
async fn the_listing_is_one_page_and_the_totals_of_the_callers_todos_only() {
    let app = spawn_app().await;
    let (alice, bob) = (app.new_user().await, app.new_user().await);
    let done = app.create(&alice, "Pay rent").await;
    app.create(&alice, "Book dentist").await;
    app.create(&bob, "Bob's only todo").await;
    let (status, _) = app
        .call(
            &alice,
            "update",
            &[("id", done["id"].as_str().unwrap()), ("completed", "true")],
        )
        .await;
    assert_eq!(status, 200);

    let (status, listing) = app.call(&alice, "listing", &[("filter", "active")]).await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(titles(&listing["page"]), ["Book dentist"]);
    assert_eq!(
        listing["totals"],
        serde_json::json!({"total": 2, "active": 1, "completed": 1})
    );

    let (status, refused) = app.call(&alice, "listing", &[("filter", "someday")]).await;
    assert_eq!(status, 422, "{refused}");
}
