//! Undo of deletes, on both surfaces: a todo, the completed todos and a
//! list (its todos deleted, or moved to the Inbox) come back exactly as
//! they were within the window, never for another user, and not after the
//! window, when the background purge removes what was kept.

use crate::common;

use std::time::Duration;

use common::{TestApp, accounts::COOKIE, site::titles, spawn_app, spawn_app_configured};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::{db::Db, undo::UndoWindow};

impl TestApp {
    /// Deletes through the API; the `Undo-Batch` its answer names.
    async fn api_delete(&self, path: &str, token: &str) -> String {
        let answer = self.api_send(Method::DELETE, path, Some(token), None).await;
        assert_eq!(answer.status, 204, "{}", answer.body);
        answer.header("undo-batch").to_owned()
    }

    async fn undo(&self, token: &str, batch: &str) -> common::api::Answer {
        self.api_send(Method::POST, &format!("/undo/{batch}"), Some(token), None)
            .await
    }

    async fn count_rows(&self, table: &str) -> i64 {
        let db = Db::connect(&self.database_url, 1).await.unwrap();
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (count,): (i64,) = taskward::on_db!(&db, pool => {
            sqlx::query_as(&sql).fetch_one(pool).await.unwrap()
        });
        db.close().await;
        count
    }
}

/// A todo with every field set, as the API shows it.
async fn detailed_todo(app: &TestApp, token: &str, list_id: &str) -> Value {
    let todo = app
        .api_ok(
            Method::POST,
            "/todos",
            token,
            Some(json!({
                "title": "Renew passport",
                "list_id": list_id,
                "due": "2026-12-24T15:30:00Z",
                "priority": "high",
                "notes": "Photos first.\nThen the form.",
            })),
        )
        .await;
    let id = todo["id"].as_str().unwrap();
    app.api_ok(
        Method::PATCH,
        &format!("/todos/{id}"),
        token,
        Some(json!({ "completed": true })),
    )
    .await
}

#[tokio::test]
async fn a_deleted_todo_comes_back_exactly_as_it_was() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let list = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Errands" })),
        )
        .await;
    let list_id = list["id"].as_str().unwrap();
    app.add_todo(&token, "Stays").await;
    let before = detailed_todo(&app, &token, list_id).await;
    let id = before["id"].as_str().unwrap();

    let batch = app.api_delete(&format!("/todos/{id}"), &token).await;
    let gone = app
        .api_send(Method::GET, &format!("/todos/{id}"), Some(&token), None)
        .await;
    assert_eq!(gone.status, 404);

    let undone = app.undo(&token, &batch).await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    assert_eq!(undone.body["todos_restored"], 1);
    assert_eq!(
        undone.body["undid"],
        "Deleted \u{201c}Renew passport\u{201d}."
    );
    let after = app
        .api_ok(Method::GET, &format!("/todos/{id}"), &token, None)
        .await;
    // Every field, the id, position and both timestamps included.
    assert_eq!(after, before);

    // A batch undoes once.
    assert_eq!(app.undo(&token, &batch).await.status, 404);
    // Search finds it again (its index row came back too).
    let found = app
        .api_ok(Method::GET, "/todos?q=passport", &token, None)
        .await;
    assert_eq!(titles(&found), ["Renew passport"]);
}

#[tokio::test]
async fn clearing_completed_todos_is_undone_on_the_pages_in_their_places() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    for title in ["One", "Two", "Three", "Four"] {
        app.site_ok(&token, "/api/todos/create", &[("title", title)])
            .await;
    }
    let page = app.listing(&token, &[]).await;
    let ids: Vec<String> = common::site::ids(&page["page"]);
    let before = titles(&page["page"]);
    assert_eq!(before, ["Four", "Three", "Two", "One"]);
    for id in [&ids[1], &ids[3]] {
        app.site_ok(
            &token,
            "/api/todos/update",
            &[("id", id.as_str()), ("completed", "true")],
        )
        .await;
    }
    let undoable = app.site_ok(&token, "/api/todos/clear-completed", &[]).await;
    assert_eq!(undoable["message"], "Deleted 2 todos that were done.");
    let batch = undoable["batch"].as_str().unwrap().to_owned();
    assert_eq!(
        titles(&app.listing(&token, &[]).await["page"]),
        ["Four", "Two"]
    );

    let restored = app
        .site_ok(&token, "/api/todos/undo", &[("batch", &batch)])
        .await;
    assert_eq!(restored, "Restored 2 todos.");
    let page = app.listing(&token, &[]).await;
    assert_eq!(titles(&page["page"]), before);
    assert_eq!(page["totals"]["completed"], 2);

    // Nothing completed: nothing to undo.
    app.site_ok(
        &token,
        "/api/todos/update",
        &[("id", &ids[1]), ("completed", "false")],
    )
    .await;
    app.site_ok(
        &token,
        "/api/todos/update",
        &[("id", &ids[3]), ("completed", "false")],
    )
    .await;
    assert_eq!(
        app.site_ok(&token, "/api/todos/clear-completed", &[]).await,
        Value::Null
    );
}

#[tokio::test]
async fn a_deleted_list_comes_back_with_its_todos_whether_deleted_or_moved() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Inbox todo").await;
    for todos in ["delete", "move"] {
        let list = app
            .api_ok(
                Method::POST,
                "/lists",
                &token,
                Some(json!({ "name": "Trip" })),
            )
            .await;
        let list_id = list["id"].as_str().unwrap().to_owned();
        for title in ["Pack", "Book flights", "Water the plants"] {
            app.api_ok(
                Method::POST,
                "/todos",
                &token,
                Some(json!({ "title": title, "list_id": list_id })),
            )
            .await;
        }
        let before = app
            .api_ok(Method::GET, &format!("/todos?list={list_id}"), &token, None)
            .await;
        let batch = app
            .api_delete(&format!("/lists/{list_id}?todos={todos}"), &token)
            .await;
        let inbox = app
            .api_ok(Method::GET, "/todos?list=inbox", &token, None)
            .await;
        let expected_inbox = if todos == "move" { 4 } else { 1 };
        assert_eq!(titles(&inbox).len(), expected_inbox, "{todos}");

        let undone = app.undo(&token, &batch).await;
        assert_eq!(undone.status, 200, "{}", undone.body);
        assert_eq!(undone.body["lists_restored"], 1);
        assert_eq!(undone.body["todos_restored"], 3);
        let list_after = app
            .api_ok(Method::GET, &format!("/lists/{list_id}"), &token, None)
            .await;
        assert_eq!(list_after["name"], "Trip");
        let after = app
            .api_ok(Method::GET, &format!("/todos?list={list_id}"), &token, None)
            .await;
        assert_eq!(after["items"], before["items"], "{todos}");
        let inbox = app
            .api_ok(Method::GET, "/todos?list=inbox", &token, None)
            .await;
        assert_eq!(titles(&inbox), ["Inbox todo"], "{todos}");
        // Delete it for good for the next round.
        app.api_delete(&format!("/lists/{list_id}?todos=delete"), &token)
            .await;
    }
}

#[tokio::test]
async fn todos_whose_place_was_taken_or_whose_list_is_gone_come_back_on_top_in_order() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Old").await;
    let deleted = app.add_todo(&token, "Deleted").await;
    let batch = app
        .api_delete(
            &format!("/todos/{}", deleted["id"].as_str().unwrap()),
            &token,
        )
        .await;
    // Added at the top, it takes the place the deleted todo had.
    app.add_todo(&token, "Newer").await;
    assert_eq!(app.undo(&token, &batch).await.status, 200);
    assert_eq!(app.inbox_titles(&token).await, ["Deleted", "Newer", "Old"]);

    let list = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Trip" })),
        )
        .await;
    let list_id = list["id"].as_str().unwrap();
    for (title, completed) in [("Water the plants", false), ("Book", true), ("Pack", true)] {
        let todo = app
            .api_ok(
                Method::POST,
                "/todos",
                &token,
                Some(json!({ "title": title, "list_id": list_id })),
            )
            .await;
        app.api_ok(
            Method::PATCH,
            &format!("/todos/{}", todo["id"].as_str().unwrap()),
            &token,
            Some(json!({ "completed": completed })),
        )
        .await;
    }
    let cleared = app
        .site_ok(
            &token,
            "/api/todos/clear-completed",
            &[("list_id", list_id)],
        )
        .await;
    app.api_delete(&format!("/lists/{list_id}?todos=delete"), &token)
        .await;
    // Their list is gone: they go to the top of the Inbox, in their order.
    let undone = app.undo(&token, cleared["batch"].as_str().unwrap()).await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    assert_eq!(undone.body["todos_restored"], 2);
    assert_eq!(
        app.inbox_titles(&token).await,
        ["Pack", "Book", "Deleted", "Newer", "Old"]
    );
}

#[tokio::test]
async fn another_user_cannot_undo_a_delete_and_learns_nothing_from_trying() {
    let app = spawn_app().await;
    let (owner, other) = (app.api_user().await, app.api_user().await);
    let todo = app.add_todo(&owner, "Mine").await;
    let id = todo["id"].as_str().unwrap();
    let batch = app.api_delete(&format!("/todos/{id}"), &owner).await;

    let unknown = uuid::Uuid::new_v4().to_string();
    for attempt in [batch.as_str(), unknown.as_str(), "not-an-id"] {
        let answer = app.undo(&other, attempt).await;
        answer.problem(404);
        assert_eq!(answer.body["type"], "urn:taskward:problem:not_found");
    }
    // Concurrent tries by the other user, through the pages too.
    let mut tries = Vec::new();
    for _ in 0..4 {
        tries.push(app.undo(&other, &batch));
    }
    for answer in futures::future::join_all(tries).await {
        assert_eq!(answer.status, 404);
    }
    let other_web = app.web_user().await;
    let (status, body) = app
        .site_call(&other_web, "/api/todos/undo", &[("batch", &batch)])
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let notice = app
        .site_ok(&other_web, "/api/todos/undo-notice", &[("batch", &batch)])
        .await;
    assert_eq!(notice, Value::Null);

    // The owner still can, once.
    assert_eq!(app.undo(&owner, &batch).await.status, 200);
    let twice =
        futures::future::join_all([app.undo(&owner, &batch), app.undo(&owner, &batch)]).await;
    assert!(twice.iter().all(|answer| answer.status == 404));
    assert_eq!(
        titles(&app.api_ok(Method::GET, "/todos", &owner, None).await),
        ["Mine"]
    );
}

#[tokio::test]
async fn after_the_window_a_delete_cannot_be_undone_and_the_purge_removes_it() {
    let app = spawn_app_configured(|config| {
        config.undo_window = UndoWindow(Duration::from_millis(500));
    })
    .await;
    let token = app.api_user().await;
    let todo = app.add_todo(&token, "Short-lived").await;
    let id = todo["id"].as_str().unwrap();
    let batch = app.api_delete(&format!("/todos/{id}"), &token).await;
    assert_eq!(app.count_rows("deleted_todos").await, 1);
    tokio::time::sleep(Duration::from_millis(700)).await;

    let late = app.undo(&token, &batch).await;
    late.problem(409);
    assert!(
        late.body["detail"].as_str().unwrap().contains("too late"),
        "{}",
        late.body
    );
    // The background purge runs every 10 seconds on every instance.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.count_rows("undo_batches").await > 0 {
        assert!(std::time::Instant::now() < deadline, "not purged");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.count_rows("deleted_todos").await, 0);
    app.undo(&token, &batch).await.problem(404);
    app.api_send(Method::GET, &format!("/todos/{id}"), Some(&token), None)
        .await
        .problem(404);
}

#[tokio::test]
async fn without_javascript_the_page_a_delete_returns_to_offers_undo() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    app.site_ok(
        &token,
        "/api/todos/create",
        &[("title", "Water <the> plants")],
    )
    .await;
    let page = app.listing(&token, &[]).await;
    let id = common::site::ids(&page["page"])[0].clone();
    let plain_post = |path: &str, form: Vec<(&'static str, String)>, referer: &str| {
        app.client
            .post(app.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html")
            .header("referer", app.url(referer))
            .header("cookie", format!("{COOKIE}={token}"))
            .form(&form)
            .send()
    };

    let response = plain_post(
        "/api/todos/delete",
        vec![("id", id.clone())],
        &format!("/todos?filter=active&open={id}"),
    )
    .await
    .unwrap();
    assert!(response.status().is_redirection());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("filter=active"), "{location}");
    assert!(!location.contains("open="), "{location}");
    let batch = location
        .split("undo=")
        .nth(1)
        .expect("an undo batch")
        .to_owned();

    let html = app
        .get_with_cookie(&location.replace(&app.url(""), ""), &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Deleted \u{201c}Water &lt;the&gt; plants\u{201d}."),
        "{html}"
    );
    assert!(html.contains("action=\"/api/todos/undo\""), "{html}");
    assert!(
        html.contains(&format!("name=\"batch\" value=\"{batch}\"")),
        "{html}"
    );

    let back = plain_post(
        "/api/todos/undo",
        vec![("batch", batch.clone())],
        &location.replace(&app.url(""), ""),
    )
    .await
    .unwrap();
    assert!(back.status().is_redirection());
    let location = back.headers()["location"].to_str().unwrap();
    assert!(!location.contains("undo="), "{location}");
    assert_eq!(
        titles(&app.listing(&token, &[]).await["page"]),
        ["Water <the> plants"]
    );
    // The notice is gone once undone, even from the old address.
    let html = app
        .get_with_cookie(&format!("/todos?undo={batch}"), &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("action=\"/api/todos/undo\""));
}

/// The most lists one account keeps (`MAX_LISTS_PER_USER`), the Inbox
/// included.
const MAX_LISTS: usize = 200;

impl TestApp {
    /// Makes lists named `"{prefix} {n}"` for n in `range`; their ids.
    async fn make_lists(
        &self,
        token: &str,
        prefix: &str,
        range: std::ops::Range<usize>,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        for n in range {
            let list = self
                .api_ok(
                    Method::POST,
                    "/lists",
                    token,
                    Some(json!({ "name": format!("{prefix} {n}") })),
                )
                .await;
            ids.push(list["id"].as_str().unwrap().to_owned());
        }
        ids
    }

    async fn inbox_titles(&self, token: &str) -> Vec<String> {
        titles(
            &self
                .api_ok(Method::GET, "/todos?list=inbox", token, None)
                .await,
        )
    }

    async fn list_count(&self, token: &str) -> usize {
        let lists = self.api_ok(Method::GET, "/lists", token, None).await;
        lists["items"].as_array().unwrap().len()
    }

    async fn todo_total(&self, token: &str) -> i64 {
        let lists = self.api_ok(Method::GET, "/lists", token, None).await;
        lists["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|list| list["todo_count"].as_i64().unwrap())
            .sum()
    }
}

#[tokio::test]
async fn no_path_takes_an_account_past_its_lists_and_a_refused_undo_waits_for_room() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let ids = app.make_lists(&token, "List", 1..MAX_LISTS).await;
    assert_eq!(app.list_count(&token).await, MAX_LISTS);

    // The attack: delete, make another, undo; repeated, it grew the
    // account past the cap.
    let batch = app.api_delete(&format!("/lists/{}", ids[0]), &token).await;
    app.make_lists(&token, "Replacement", 0..1).await;
    let refused = app.undo(&token, &batch).await;
    let problem = refused.problem(409);
    assert_eq!(
        problem["detail"],
        "Undoing this would take you past 200 lists, as many as one account can keep. \
         Delete one first."
    );
    assert_eq!(app.list_count(&token).await, MAX_LISTS);

    // Making one, or importing one, is refused too, and imports nothing.
    let created = app
        .api_send(
            Method::POST,
            "/lists",
            Some(&token),
            Some(json!({ "name": "One more" })),
        )
        .await;
    created.problem(409);
    let imported = app
        .import_csv(&token, "title,list\nStays out,One more\nAlso out,\n")
        .await;
    assert!(
        imported.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("past 200 lists"),
        "{}",
        imported.body
    );
    assert_eq!(app.todo_total(&token).await, 0);
    // Moving a todo adds no list: it goes on at the cap.
    let todo = app.add_todo(&token, "Travels").await;
    let moved = app
        .api_send(
            Method::POST,
            &format!("/todos/{}/move", todo["id"].as_str().unwrap()),
            Some(&token),
            Some(json!({ "list_id": ids[1] })),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);

    // The refused batch is kept: with room made, it undoes.
    app.api_delete(&format!("/lists/{}", ids[2]), &token).await;
    let undone = app.undo(&token, &batch).await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    assert_eq!(undone.body["lists_restored"], 1);
    let restored = app
        .api_ok(Method::GET, &format!("/lists/{}", ids[0]), &token, None)
        .await;
    assert_eq!(restored["name"], "List 1");
    assert_eq!(app.list_count(&token).await, MAX_LISTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undos_racing_for_the_last_lists_cannot_pass_the_cap_together() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let ids = app.make_lists(&token, "List", 1..MAX_LISTS).await;
    let mut batches = Vec::new();
    for id in &ids[..4] {
        batches.push(app.api_delete(&format!("/lists/{id}"), &token).await);
    }
    // Room for two of the four.
    app.make_lists(&token, "Newer", 0..2).await;

    let undos = batches.iter().map(|batch| app.undo(&token, batch));
    let answers = futures::future::join_all(undos).await;
    let statuses: Vec<u16> = answers.iter().map(|answer| answer.status).collect();
    assert_eq!(
        (
            statuses.iter().filter(|&&status| status == 200).count(),
            statuses.iter().filter(|&&status| status == 409).count(),
        ),
        (2, 2),
        "{statuses:?}"
    );
    assert_eq!(app.list_count(&token).await, MAX_LISTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_path_takes_an_account_past_its_todos_even_undos_racing_for_the_last_places() {
    let app = spawn_app_configured(|config| config.max_todos_per_user = 5).await;
    let token = app.api_user().await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let todo = app.add_todo(&token, &format!("Todo {n}")).await;
        ids.push(todo["id"].as_str().unwrap().to_owned());
    }
    let list = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Elsewhere" })),
        )
        .await;

    // Three deletes, each its own batch; two todos made in their place.
    let mut batches = Vec::new();
    for id in &ids[..3] {
        batches.push(app.api_delete(&format!("/todos/{id}"), &token).await);
    }
    for n in 1..=3 {
        app.add_todo(&token, &format!("Newer {n}")).await;
    }
    assert_eq!(app.todo_total(&token).await, 5);

    // At the cap: creating, importing and undoing are refused, and kept
    // nothing; moving adds no todo and goes on.
    let problem = app.undo(&token, &batches[0]).await;
    assert_eq!(
        problem.problem(409)["detail"],
        "Undoing this would take you past 5 todos, as many as one account can keep. \
         Delete some first."
    );
    app.api_send(
        Method::POST,
        "/todos",
        Some(&token),
        Some(json!({ "title": "Sixth" })),
    )
    .await
    .problem(409);
    app.import_csv(&token, "title\nSixth\n").await.problem(409);
    let moved = app
        .api_send(
            Method::POST,
            &format!("/todos/{}/move", ids[4]),
            Some(&token),
            Some(json!({ "list_id": list["id"] })),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(app.todo_total(&token).await, 5);

    // Room for two: of three undos at once, two put their todo back.
    let two = app
        .api_ok(Method::GET, "/todos?limit=2", &token, None)
        .await;
    for todo in two["items"].as_array().unwrap() {
        app.api_delete(&format!("/todos/{}", todo["id"].as_str().unwrap()), &token)
            .await;
    }
    let undos = batches.iter().map(|batch| app.undo(&token, batch));
    let statuses: Vec<u16> = futures::future::join_all(undos)
        .await
        .iter()
        .map(|answer| answer.status)
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [200, 200, 409], "{statuses:?}");
    assert_eq!(app.todo_total(&token).await, 5);
}
