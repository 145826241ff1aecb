//! Lists, on both surfaces: every account's Inbox, lists made, renamed,
//! reordered and deleted (asking first when they hold todos), and two
//! users who never see or touch each other's lists.

use crate::common;

use common::{
    TestApp,
    site::{ids, titles},
    spawn_app, spawn_app_configured,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::calendar::Clock;

impl TestApp {
    async fn new_list(&self, token: &str, name: &str) -> Value {
        let answer = self
            .api_send(
                Method::POST,
                "/lists",
                Some(token),
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }

    async fn todo_in(&self, token: &str, list_id: &str, title: &str) -> Value {
        let answer = self
            .api_send(
                Method::POST,
                "/todos",
                Some(token),
                Some(json!({ "title": title, "list_id": list_id })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }

    async fn todos_of(&self, token: &str, list: &str) -> Value {
        let answer = self
            .api_send(
                Method::GET,
                &format!("/todos?list={list}&limit=100"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    }
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

#[tokio::test]
async fn every_account_has_one_inbox_that_keeps_its_name_and_place() {
    let app = spawn_app().await;
    let token = app.api_user().await;

    let lists = app
        .api_send(Method::GET, "/lists", Some(&token), None)
        .await;
    assert_eq!(lists.status, 200);
    let items = lists.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", lists.body);
    let inbox = &items[0];
    assert_eq!(
        (
            &inbox["name"],
            &inbox["inbox"],
            &inbox["open_count"],
            &inbox["todo_count"]
        ),
        (&json!("Inbox"), &json!(true), &json!(0), &json!(0))
    );
    let by_alias = app
        .api_send(Method::GET, "/lists/inbox", Some(&token), None)
        .await;
    assert_eq!(by_alias.body["id"], inbox["id"]);

    // A todo without a list lands in the Inbox.
    let todo = app.add_todo(&token, "Somewhere to start").await;
    assert_eq!(todo["list_id"], inbox["id"]);

    let path = format!("/lists/{}", id(inbox));
    let rename = app
        .api_send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "name": "Stuff" })),
        )
        .await;
    rename.problem(409);
    let delete = app
        .api_send(Method::DELETE, &path, Some(&token), None)
        .await;
    delete.problem(409);
    let delete = app
        .api_send(
            Method::DELETE,
            &format!("{path}?todos=delete"),
            Some(&token),
            None,
        )
        .await;
    delete.problem(409);
    assert_eq!(app.list_names(&token).await, ["Inbox"]);
    assert_eq!(
        titles(&app.todos_of(&token, "inbox").await),
        ["Somewhere to start"]
    );

    // The web forms say the same.
    let web = app.web_user().await;
    let lists = app.site_ok(&web, "/api/lists/all", &[]).await;
    let inbox_id = lists[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .site_call(
            &web,
            "/api/lists/rename",
            &[("id", &inbox_id), ("name", "Stuff")],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    let (status, _) = app
        .site_call(
            &web,
            "/api/lists/delete",
            &[("id", &inbox_id), ("todos", "move")],
        )
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn lists_are_made_renamed_reordered_and_named_once_whatever_the_case() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let groceries = app.new_list(&token, "  Groceries ").await;
    assert_eq!(groceries["name"], "Groceries");
    assert!(
        app.api_send(
            Method::GET,
            &format!("/lists/{}", id(&groceries)),
            Some(&token),
            None
        )
        .await
        .status
            == 200
    );
    let work = app.new_list(&token, "Work").await;
    let home = app.new_list(&token, "Home").await;
    assert_eq!(
        app.list_names(&token).await,
        ["Inbox", "Groceries", "Work", "Home"]
    );

    let patch = |list: &Value, body: Value| {
        let path = format!("/lists/{}", id(list));
        let token = token.clone();
        let app = &app;
        async move {
            app.api_send(Method::PATCH, &path, Some(&token), Some(body))
                .await
        }
    };
    let moved = patch(&home, json!({ "before": id(&groceries) })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        app.list_names(&token).await,
        ["Inbox", "Home", "Groceries", "Work"]
    );
    patch(&groceries, json!({ "after": id(&work) })).await;
    assert_eq!(
        app.list_names(&token).await,
        ["Inbox", "Home", "Work", "Groceries"]
    );
    let renamed = patch(&work, json!({ "name": "Office" })).await;
    assert_eq!(
        (renamed.status, &renamed.body["name"]),
        (200, &json!("Office"))
    );

    // One name per list, whatever its case; the Inbox's name too.
    for name in ["groceries", "OFFICE", "inbox"] {
        let taken = app
            .api_send(
                Method::POST,
                "/lists",
                Some(&token),
                Some(json!({ "name": name })),
            )
            .await;
        taken.problem(409);
    }
    patch(&home, json!({ "name": "GROCERIES" }))
        .await
        .problem(409);
    for (body, pointer) in [
        (json!({ "name": "   " }), "#/name"),
        (json!({ "name": "x".repeat(101) }), "#/name"),
        (json!({ "name": "nul \u{0}" }), "#/name"),
    ] {
        let refused = app
            .api_send(Method::POST, "/lists", Some(&token), Some(body))
            .await;
        refused.problem(422);
        assert_eq!(refused.pointers(), [pointer]);
    }
    patch(&home, json!({})).await.problem(422);
    patch(&home, json!({ "before": id(&home) }))
        .await
        .problem(422);
    assert_eq!(
        app.list_names(&token).await,
        ["Inbox", "Home", "Office", "Groceries"]
    );
}

#[tokio::test]
async fn the_web_forms_make_rename_move_and_delete_lists() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let made = app
        .site_ok(&token, "/api/lists/create", &[("name", "Garden")])
        .await;
    let garden = made["id"].as_str().unwrap().to_owned();
    let made = app
        .site_ok(&token, "/api/lists/create", &[("name", "Books")])
        .await;
    let books = made["id"].as_str().unwrap().to_owned();
    app.site_ok(
        &token,
        "/api/lists/move",
        &[("id", &books), ("before", &garden)],
    )
    .await;
    app.site_ok(
        &token,
        "/api/lists/rename",
        &[("id", &garden), ("name", "Yard")],
    )
    .await;
    let lists = app.site_ok(&token, "/api/lists/all", &[]).await;
    let names: Vec<&str> = lists
        .as_array()
        .unwrap()
        .iter()
        .map(|list| list["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Inbox", "Books", "Yard"]);

    // A plain form post (no JavaScript) goes on to the new list's page.
    let response = app
        .client
        .post(app.url("/api/lists/create"))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("referer", app.url("/todos"))
        .header("cookie", format!("{}={token}", common::accounts::COOKIE))
        .form(&[("name", "Trips")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/todos?list="), "{location}");
    let page = app.get_with_cookie(&location, &token).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("<h1 id=\"todos-heading\" tabindex=\"-1\">Trips</h1>")
    );

    app.site_ok(&token, "/api/lists/delete", &[("id", &books)])
        .await;
    let (status, body) = app
        .site_call(
            &token,
            "/api/lists/rename",
            &[("id", &books), ("name", "x")],
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn a_list_with_todos_is_deleted_only_once_told_what_becomes_of_them() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Already in the Inbox").await;
    let trip = app.new_list(&token, "Trip").await;
    for title in ["Book flights", "Pack", "Water the plants"] {
        app.todo_in(&token, id(&trip), title).await;
    }
    let order = titles(&app.todos_of(&token, id(&trip)).await);
    assert_eq!(order, ["Water the plants", "Pack", "Book flights"]);
    let path = format!("/lists/{}", id(&trip));

    let asked = app
        .api_send(Method::DELETE, &path, Some(&token), None)
        .await;
    let problem = asked.problem(409);
    assert!(
        problem["detail"].as_str().unwrap().contains("3 todos"),
        "{problem}"
    );
    app.api_send(
        Method::DELETE,
        &format!("{path}?todos=keep"),
        Some(&token),
        None,
    )
    .await
    .problem(422);
    assert_eq!(app.list_names(&token).await, ["Inbox", "Trip"]);

    let moved = app
        .api_send(
            Method::DELETE,
            &format!("{path}?todos=move"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.body);
    assert_eq!(app.list_names(&token).await, ["Inbox"]);
    assert_eq!(
        titles(&app.todos_of(&token, "inbox").await),
        [
            "Water the plants",
            "Pack",
            "Book flights",
            "Already in the Inbox"
        ],
        "moved to the top of the Inbox in their order"
    );
    app.api_send(Method::GET, &path, Some(&token), None)
        .await
        .problem(404);

    let chores = app.new_list(&token, "Chores").await;
    let dishes = app.todo_in(&token, id(&chores), "Dishes").await;
    let deleted = app
        .api_send(
            Method::DELETE,
            &format!("/lists/{}?todos=delete", id(&chores)),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    app.api_send(
        Method::GET,
        &format!("/todos/{}", id(&dishes)),
        Some(&token),
        None,
    )
    .await
    .problem(404);
    let empty = app.new_list(&token, "Empty").await;
    let gone = app
        .api_send(
            Method::DELETE,
            &format!("/lists/{}", id(&empty)),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "an empty list needs no answer");
    assert_eq!(titles(&app.todos_of(&token, "inbox").await).len(), 4);
}

#[tokio::test]
async fn two_users_never_see_or_touch_each_others_lists() {
    let noon = chrono::DateTime::parse_from_rfc3339("2026-06-15T12:00:00Z").unwrap();
    let app = spawn_app_configured(|config| config.clock = Clock::Fixed(noon.into())).await;
    let (alice, bob) = (app.api_user().await, app.api_user().await);
    let secret = app.new_list(&alice, "Surprise party").await;
    let cake = app.todo_in(&alice, id(&secret), "Order the cake").await;
    app.api_send(
        Method::PATCH,
        &format!("/todos/{}", id(&cake)),
        Some(&alice),
        Some(json!({ "due": "2026-06-15" })),
    )
    .await;
    let bobs = app.add_todo(&bob, "Bob's own").await;
    let (list_path, unknown) = (
        format!("/lists/{}", id(&secret)),
        format!("/lists/{}", uuid::Uuid::new_v4()),
    );

    for path in [&list_path, &unknown] {
        app.api_send(Method::GET, path, Some(&bob), None)
            .await
            .problem(404);
        app.api_send(
            Method::PATCH,
            path,
            Some(&bob),
            Some(json!({ "name": "Mine" })),
        )
        .await
        .problem(404);
        app.api_send(
            Method::DELETE,
            &format!("{path}?todos=delete"),
            Some(&bob),
            None,
        )
        .await
        .problem(404);
        let list = path.trim_start_matches("/lists/");
        // The page is read before the list is checked: a stranger's list
        // shows no rows under any filter, order or size, and is a 404.
        for query in [
            "",
            "&filter=completed",
            "&filter=active",
            "&sort=priority",
            "&limit=1",
        ] {
            app.api_send(
                Method::GET,
                &format!("/todos?list={list}{query}"),
                Some(&bob),
                None,
            )
            .await
            .problem(404);
        }
        app.api_send(
            Method::GET,
            &format!("/todos?view=today&list={list}"),
            Some(&bob),
            None,
        )
        .await
        .problem(404);
        let create = app
            .api_send(
                Method::POST,
                "/todos",
                Some(&bob),
                Some(json!({ "title": "Sneak in", "list_id": list })),
            )
            .await;
        create.problem(422);
        assert_eq!(create.pointers(), ["#/list_id"]);
        let patch = app
            .api_send(
                Method::PATCH,
                &format!("/todos/{}", id(&bobs)),
                Some(&bob),
                Some(json!({ "list_id": list })),
            )
            .await;
        patch.problem(422);
        let moved = app
            .api_send(
                Method::POST,
                &format!("/todos/{}/move", id(&bobs)),
                Some(&bob),
                Some(json!({ "list_id": list })),
            )
            .await;
        moved.problem(422);
    }
    // Placing his todo next to hers is refused like an unknown neighbour.
    let next_to_hers = app
        .api_send(
            Method::POST,
            &format!("/todos/{}/move", id(&bobs)),
            Some(&bob),
            Some(json!({ "before": id(&cake) })),
        )
        .await;
    next_to_hers.problem(422);
    assert_eq!(next_to_hers.pointers(), ["#/before"]);

    assert_eq!(app.list_names(&bob).await, ["Inbox"]);
    assert_eq!(titles(&app.todos_of(&bob, "inbox").await), ["Bob's own"]);
    // Her todo is due today: it is in her views, never in his.
    for view in ["today", "upcoming"] {
        let path = format!("/todos?view={view}");
        let his = app.api_send(Method::GET, &path, Some(&bob), None).await;
        assert_eq!(his.body["items"], json!([]), "{view}");
        let hers = app.api_send(Method::GET, &path, Some(&alice), None).await;
        assert_eq!(titles(&hers.body), ["Order the cake"], "{view}");
    }
    assert_eq!(app.list_names(&alice).await, ["Inbox", "Surprise party"]);
    assert_eq!(ids(&app.todos_of(&alice, id(&secret)).await), [id(&cake)]);
    let list = app
        .api_send(Method::GET, &list_path, Some(&alice), None)
        .await;
    assert_eq!(
        (&list.body["name"], &list.body["todo_count"]),
        (&json!("Surprise party"), &json!(1))
    );
}

#[tokio::test]
async fn the_web_forms_refuse_another_users_list_like_an_unknown_one() {
    let app = spawn_app().await;
    let (alice, mallory) = (app.web_user().await, app.web_user().await);
    let made = app
        .site_ok(&alice, "/api/lists/create", &[("name", "Diary")])
        .await;
    let diary = made["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::new_v4().to_string();
    app.site_ok(
        &alice,
        "/api/todos/create",
        &[("title", "Dear diary"), ("list_id", &diary)],
    )
    .await;

    for list in [diary.as_str(), unknown.as_str()] {
        for (path, form) in [
            ("/api/lists/rename", vec![("id", list), ("name", "Mine")]),
            ("/api/lists/move", vec![("id", list)]),
            ("/api/lists/delete", vec![("id", list), ("todos", "delete")]),
            ("/api/todos/listing", vec![("list", list)]),
        ] {
            let (status, body) = app.site_call(&mallory, path, &form).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (404, Some("not_found")),
                "{path} {body}"
            );
        }
        for (path, form) in [
            ("/api/todos/create", vec![("title", "x"), ("list_id", list)]),
            (
                "/api/todos/toggle-all",
                vec![("completed", "true"), ("list_id", list)],
            ),
            ("/api/todos/clear-completed", vec![("list_id", list)]),
        ] {
            let (status, body) = app.site_call(&mallory, path, &form).await;
            assert_eq!(
                (status, body["field"].as_str()),
                (422, Some("list_id")),
                "{path} {body}"
            );
        }
        let page = app
            .get_with_cookie(&format!("/todos?list={list}"), &mallory)
            .await;
        assert_eq!(page.status(), 404);
        assert!(!page.text().await.unwrap().contains("Dear diary"));
    }
    let listing = app.listing(&mallory, &[]).await;
    assert_eq!(listing["lists"].as_array().unwrap().len(), 1, "{listing}");
    assert_eq!(listing["page"]["items"], json!([]));
    let listing = app.listing(&alice, &[("list", &diary)]).await;
    assert_eq!(titles(&listing["page"]), ["Dear diary"]);
}

#[tokio::test]
async fn the_sidebar_counts_each_lists_open_todos() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let made = app
        .site_ok(&token, "/api/lists/create", &[("name", "Errands")])
        .await;
    let errands = made["id"].as_str().unwrap().to_owned();
    for title in ["Post office", "Bank", "Pharmacy"] {
        app.site_ok(
            &token,
            "/api/todos/create",
            &[("title", title), ("list_id", &errands)],
        )
        .await;
    }
    let done = app
        .site_ok(&token, "/api/todos/create", &[("title", "Inbox thing")])
        .await;
    app.site_ok(
        &token,
        "/api/todos/update",
        &[("id", done["id"].as_str().unwrap()), ("completed", "true")],
    )
    .await;
    let listing = app.listing(&token, &[("list", &errands)]).await;
    let lists = listing["lists"].as_array().unwrap();
    let counts: Vec<(&str, i64, i64)> = lists
        .iter()
        .map(|list| {
            (
                list["name"].as_str().unwrap(),
                list["open"].as_i64().unwrap(),
                list["total"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("Inbox", 0, 1), ("Errands", 3, 3)]);
    assert_eq!(listing["totals"]["active"], 3);
    assert_eq!(listing["showing"]["List"]["name"], "Errands");

    // Marking all done and clearing completed touch this list only.
    app.site_ok(
        &token,
        "/api/todos/toggle-all",
        &[("completed", "true"), ("list_id", &errands)],
    )
    .await;
    app.site_ok(
        &token,
        "/api/todos/clear-completed",
        &[("list_id", &errands)],
    )
    .await;
    let listing = app.listing(&token, &[]).await;
    assert_eq!(
        titles(&listing["page"]),
        ["Inbox thing"],
        "the Inbox kept its done todo"
    );
    let listing = app.listing(&token, &[("list", &errands)]).await;
    assert_eq!(listing["totals"]["total"], 0);
}

#[tokio::test]
async fn a_long_list_deleted_with_its_todos_moved_puts_them_all_on_top_of_the_inbox_in_order() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Already in the Inbox").await;
    let csv: String = std::iter::once("title,list".to_owned())
        .chain((0..2_500).map(|n| format!("Todo {n:04},Big")))
        .collect::<Vec<_>>()
        .join("\n");
    app.import_csv_ok(&token, csv).await;
    let lists = app.api_ok(Method::GET, "/lists", &token, None).await;
    let big = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["name"] == "Big")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = app
        .api_send(
            Method::DELETE,
            &format!("/lists/{big}?todos=move"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);

    let shown = titles(&app.every_todo_of(&token, "inbox").await);
    let expected: Vec<String> = (0..2_500)
        .map(|n| format!("Todo {n:04}"))
        .chain(["Already in the Inbox".to_owned()])
        .collect();
    assert_eq!(shown, expected);
}
