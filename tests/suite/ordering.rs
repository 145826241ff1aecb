//! Manual order within a list: new todos on top, moves between two
//! neighbours, the move buttons as plain form posts, and concurrent moves
//! that leave every todo in the list exactly once with distinct positions.
//! And the attacks on ordering keys: huge, extreme or corrupt keys from an
//! import or an older release, and page cursors out of range.

use crate::common;

use common::{
    TestApp,
    accounts::COOKIE,
    api::Answer,
    site::{ids, titles},
    spawn_app,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::{
    db::Db,
    ordering::{MAX_KEY_LEN, RESPACE_PAST_LEN, is_valid},
    todos::query::MAX_CURSOR_LEN,
};

impl TestApp {
    async fn make(&self, token: &str, titles: &[&str]) -> Vec<String> {
        let mut ids = Vec::new();
        for title in titles {
            ids.push(
                self.add_todo(token, title).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        ids
    }

    async fn inbox(&self, token: &str) -> Value {
        let answer = self
            .api_send(
                Method::GET,
                "/todos?list=inbox&limit=100",
                Some(token),
                None,
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    }

    /// Imports a Taskward export holding `lists`.
    async fn import_lists(&self, token: &str, lists: Value) -> Answer {
        let export = json!({
            "format": "taskward",
            "version": 1,
            "exported_at": "2026-12-02T00:00:00Z",
            "account": { "email": "someone@example.com", "time_zone": "UTC" },
            "lists": lists,
        });
        let response = self
            .api(Method::POST, "/import", Some(token))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&export).unwrap())
            .send()
            .await
            .unwrap();
        Answer::from(response).await
    }

    /// The id of the user's list named `name`.
    async fn list_named(&self, token: &str, name: &str) -> String {
        let lists = self.api_ok(Method::GET, "/lists", token, None).await;
        lists["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|list| list["name"] == name)
            .unwrap_or_else(|| panic!("no list {name}: {lists}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Writes `position` into a todo's row, as an older release could have.
    async fn store_position(&self, todo_id: &str, position: &str) {
        let db = Db::connect(&self.database_url, 1).await.unwrap();
        let id = uuid::Uuid::parse_str(todo_id).unwrap();
        taskward::on_db!(&db, pool => {
            sqlx::query("UPDATE todos SET position = $1 WHERE id = $2")
                .bind(position)
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        });
        db.close().await;
    }

    async fn move_todo(&self, token: &str, id: &str, body: Value) -> Answer {
        self.api_send(
            Method::POST,
            &format!("/todos/{id}/move"),
            Some(token),
            Some(body),
        )
        .await
    }
}

fn positions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["position"].as_str().unwrap().to_owned())
        .collect()
}

fn strictly_increasing(positions: &[String]) -> bool {
    positions
        .windows(2)
        .all(|pair| pair[0].as_bytes() < pair[1].as_bytes())
}

#[tokio::test]
async fn new_todos_go_on_top_and_a_move_lands_between_its_neighbours() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let [a, b, c, d]: [String; 4] = app
        .make(&token, &["A", "B", "C", "D"])
        .await
        .try_into()
        .unwrap();
    assert_eq!(titles(&app.inbox(&token).await), ["D", "C", "B", "A"]);

    let moved = app.move_todo(&token, &a, json!({ "before": c })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(titles(&app.inbox(&token).await), ["D", "A", "C", "B"]);
    app.move_todo(&token, &d, json!({ "after": b })).await;
    assert_eq!(titles(&app.inbox(&token).await), ["A", "C", "B", "D"]);
    app.move_todo(&token, &b, json!({ "after": a, "before": c }))
        .await;
    assert_eq!(titles(&app.inbox(&token).await), ["A", "B", "C", "D"]);
    app.move_todo(&token, &c, json!({})).await;
    assert_eq!(
        titles(&app.inbox(&token).await),
        ["C", "A", "B", "D"],
        "no neighbour: the top"
    );
    assert!(strictly_increasing(&positions(&app.inbox(&token).await)));

    // Neighbours that cannot be: itself, out of order, or not in the list.
    for (body, pointer) in [
        (json!({ "before": a }), "#/before"),
        (json!({ "after": a }), "#/after"),
        (json!({ "after": d, "before": c }), "#/after"),
        (json!({ "before": uuid::Uuid::new_v4() }), "#/before"),
    ] {
        let refused = app.move_todo(&token, &a, body.clone()).await;
        refused.problem(422);
        assert_eq!(refused.pointers(), [pointer], "{body}");
    }
    app.move_todo(&token, &uuid::Uuid::new_v4().to_string(), json!({}))
        .await
        .problem(404);
    assert_eq!(
        titles(&app.inbox(&token).await),
        ["C", "A", "B", "D"],
        "nothing moved"
    );

    // Into another list, between two of its todos.
    let list = app
        .api_send(
            Method::POST,
            "/lists",
            Some(&token),
            Some(json!({ "name": "Later" })),
        )
        .await
        .body;
    let list_id = list["id"].as_str().unwrap();
    let later: Vec<String> = {
        let mut made = Vec::new();
        for title in ["X", "Y"] {
            let todo = app
                .api_send(
                    Method::POST,
                    "/todos",
                    Some(&token),
                    Some(json!({ "title": title, "list_id": list_id })),
                )
                .await
                .body;
            made.push(todo["id"].as_str().unwrap().to_owned());
        }
        made
    };
    let moved = app
        .move_todo(
            &token,
            &b,
            json!({ "list_id": list_id, "after": later[1], "before": later[0] }),
        )
        .await;
    assert_eq!(moved.body["list_id"], list_id);
    let in_later = app
        .api_send(
            Method::GET,
            &format!("/todos?list={list_id}"),
            Some(&token),
            None,
        )
        .await
        .body;
    assert_eq!(titles(&in_later), ["Y", "B", "X"]);
    assert_eq!(titles(&app.inbox(&token).await), ["C", "A", "D"]);
}

#[tokio::test]
async fn the_move_buttons_are_form_posts_that_return_to_the_list() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    for title in ["Third", "Second", "First"] {
        app.site_ok(&token, "/api/todos/create", &[("title", title)])
            .await;
    }
    let listing = app.listing(&token, &[]).await;
    let order = ids(&listing["page"]);
    assert_eq!(titles(&listing["page"]), ["First", "Second", "Third"]);

    // "Move down" on the first row: after the second.
    let response = app
        .client
        .post(app.url("/api/todos/move"))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("referer", app.url("/todos?filter=all"))
        .header("cookie", format!("{COOKIE}={token}"))
        .form(&[("id", order[0].as_str()), ("after", order[1].as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"],
        app.url("/todos?filter=all").as_str()
    );
    let listing = app.listing(&token, &[]).await;
    assert_eq!(titles(&listing["page"]), ["Second", "First", "Third"]);

    // The rows' buttons carry their neighbours.
    let page = app
        .get_with_cookie("/todos", &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("name=\"before\" value=\"{}\"", order[1])),
        "Move up of First"
    );
    assert!(page.contains("aria-label=\"Move “Third” up\""));
    assert!(
        !page.contains("aria-label=\"Move “Second” up\""),
        "the top row has no Move up"
    );
    assert!(
        !page.contains("aria-label=\"Move “Third” down\""),
        "the last row has no Move down"
    );
}

#[tokio::test]
async fn rows_at_a_pages_edges_know_their_neighbours_on_the_next_page() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    for n in 0..52 {
        app.site_ok(
            &token,
            "/api/todos/create",
            &[("title", &format!("Todo {n}"))],
        )
        .await;
    }
    let first = app.listing(&token, &[]).await;
    let cursor = first["page"]["next_cursor"].as_str().unwrap().to_owned();
    let second = app.listing(&token, &[("cursor", &cursor)]).await;
    let (first_ids, second_ids) = (ids(&first["page"]), ids(&second["page"]));
    assert_eq!((first_ids.len(), second_ids.len()), (50, 2));
    assert_eq!(first["page"]["following"], second_ids[0].as_str());
    assert_eq!(second["page"]["preceding"], first_ids[49].as_str());

    // Moving the second page's first todo up puts it before the first
    // page's last one.
    app.site_ok(
        &token,
        "/api/todos/move",
        &[("id", &second_ids[0]), ("before", &first_ids[49])],
    )
    .await;
    let first = app.listing(&token, &[]).await;
    assert_eq!(ids(&first["page"])[49], second_ids[0]);
}

#[tokio::test]
async fn concurrent_moves_leave_every_todo_once_with_distinct_positions() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let titles_made: Vec<String> = (0..12).map(|n| format!("Todo {n}")).collect();
    let made = app
        .make(
            &token,
            &titles_made.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await;

    // 40 moves at once, each between random neighbours, plus creates.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut moves = Vec::new();
    for round in 0..40usize {
        let mover = made[next() as usize % made.len()].clone();
        let neighbour = made[next() as usize % made.len()].clone();
        let body = match round % 3 {
            _ if neighbour == mover => json!({}),
            0 => json!({ "before": neighbour }),
            1 => json!({ "after": neighbour }),
            _ => json!({}),
        };
        let app = &app;
        let token = token.clone();
        moves.push(async move {
            let answer = app.move_todo(&token, &mover, body.clone()).await;
            assert_eq!(answer.status, 200, "{body}: {}", answer.body);
        });
    }
    let creates = (0..4).map(|n| {
        let (app, token) = (&app, token.clone());
        async move { app.add_todo(&token, &format!("New {n}")).await }
    });
    let (_, created) = tokio::join!(
        futures::future::join_all(moves),
        futures::future::join_all(creates)
    );

    let page = app.inbox(&token).await;
    let mut shown = ids(&page);
    assert_eq!(shown.len(), 16, "no todo lost or shown twice");
    let positions = positions(&page);
    assert!(
        strictly_increasing(&positions),
        "distinct, ordered: {positions:?}"
    );
    shown.sort();
    let mut expected: Vec<String> = made
        .iter()
        .cloned()
        .chain(
            created
                .iter()
                .map(|todo| todo["id"].as_str().unwrap().to_owned()),
        )
        .collect();
    expected.sort();
    assert_eq!(shown, expected);
}

#[tokio::test]
async fn moves_into_one_gap_over_and_over_keep_keys_short() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let [z, y, x]: [String; 3] = app.make(&token, &["Z", "Y", "X"]).await.try_into().unwrap();
    // X Y Z; then Y and Z take turns just after X, halving the same gap.
    for round in 0..320 {
        let (mover, other) = if round % 2 == 0 { (&z, &y) } else { (&y, &z) };
        let answer = app
            .move_todo(&token, mover, json!({ "after": x, "before": other }))
            .await;
        assert_eq!(answer.status, 200, "round {round}: {}", answer.body);
    }
    let page = app.inbox(&token).await;
    assert_eq!(titles(&page), ["X", "Y", "Z"]);
    let positions = positions(&page);
    assert!(strictly_increasing(&positions));
    assert!(
        positions
            .iter()
            .all(|position| position.len() <= RESPACE_PAST_LEN),
        "respaced instead of growing: {positions:?}"
    );
}

/// Every position shown is a valid key, in strictly increasing order.
/// Every key valid, in order, and no longer than a list is let grow
/// before it is respaced.
fn assert_keys_short_valid_and_ordered(page: &Value) {
    assert_keys_valid_and_ordered(page);
    assert!(
        positions(page)
            .iter()
            .all(|position| position.len() <= RESPACE_PAST_LEN),
        "{:?}",
        positions(page)
    );
}

fn assert_keys_valid_and_ordered(page: &Value) {
    let positions = positions(page);
    assert!(
        positions.iter().all(|position| is_valid(position)),
        "{positions:?}"
    );
    assert!(strictly_increasing(&positions), "{positions:?}");
}

#[tokio::test]
async fn an_imported_list_position_of_100000_characters_is_refused_by_name_and_the_server_lives_on()
{
    let app = spawn_app().await;
    let token = app.api_user().await;
    // The attack: a huge key, then a list that must be put after it.
    let answer = app
        .import_lists(
            &token,
            json!([
                { "name": "Huge", "position": "z".repeat(100_000), "todos": [{ "title": "One" }] },
                { "name": "After it", "todos": [{ "title": "Two" }] },
            ]),
        )
        .await;
    answer.problem(422);
    assert_eq!(answer.pointers(), ["#/lists/0/position"], "{}", answer.body);
    assert_eq!(app.get("/healthz").await.status(), 200);

    // One character over the limit, on a list and on a todo: refused too.
    let over = format!("a0{}", "1".repeat(MAX_KEY_LEN - 1));
    let answer = app
        .import_lists(
            &token,
            json!([
                { "name": "Over", "position": over, "todos": [{ "title": "One" }] },
                { "name": "Todo over", "todos": [{ "title": "Two", "position": over }] },
            ]),
        )
        .await;
    answer.problem(422);
    assert_eq!(
        answer.pointers(),
        ["#/lists/0/position", "#/lists/1/todos/0/position"],
        "{}",
        answer.body
    );
    let lists = app.api_ok(Method::GET, "/lists", &token, None).await;
    assert_eq!(
        lists["items"].as_array().unwrap().len(),
        1,
        "nothing imported"
    );

    // At the limit: imported, and the list after it gets a valid key.
    let longest = &over[..MAX_KEY_LEN];
    let answer = app
        .import_lists(
            &token,
            json!([
                { "name": "Longest", "position": longest, "todos": [{ "title": "One" }] },
                { "name": "After it", "todos": [{ "title": "Two" }] },
            ]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let lists = app.api_ok(Method::GET, "/lists", &token, None).await;
    let names: Vec<&str> = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|list| list["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Inbox", "Longest", "After it"]);
    assert_keys_valid_and_ordered(&lists);
}

#[tokio::test]
async fn a_list_imported_just_above_the_smallest_key_takes_new_todos_on_top_again_and_again() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let smallest = format!("A{}1", "0".repeat(25));
    let answer = app
        .import_lists(
            &token,
            json!([{ "name": "Floor", "todos": [{ "title": "Imported", "position": smallest }] }]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let list_id = app.list_named(&token, "Floor").await;

    // Enough additions at the top to pass the respacing length there.
    let mut expected = vec!["Imported".to_owned()];
    for n in 0..150 {
        let title = format!("New {n}");
        let answer = app
            .api_send(
                Method::POST,
                "/todos",
                Some(&token),
                Some(json!({ "title": title, "list_id": list_id })),
            )
            .await;
        assert_eq!(answer.status, 201, "addition {n}: {}", answer.body);
        assert!(is_valid(answer.body["position"].as_str().unwrap()));
        expected.insert(0, title);
        if n % 30 == 0 {
            assert_eq!(
                titles(&app.every_todo_of(&token, &list_id).await),
                expected[..]
            );
        }
    }
    let page = app.every_todo_of(&token, &list_id).await;
    assert_eq!(titles(&page), expected);
    assert_keys_short_valid_and_ordered(&page);
}

#[tokio::test]
async fn todos_moved_past_a_key_at_the_largest_integer_again_and_again_stay_in_order() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let largest = "z".repeat(27);
    let answer = app
        .import_lists(
            &token,
            json!([{ "name": "Ceiling", "todos": [
                { "title": "Second to last", "position": format!("{}y", "z".repeat(26)) },
                { "title": "Last", "position": largest },
            ] }]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let list_id = app.list_named(&token, "Ceiling").await;
    let ids_before = ids(&app.every_todo_of(&token, &list_id).await);
    let mut last = ids_before[1].clone();
    let mut movers = Vec::new();
    for title in ["A", "B"] {
        let todo = app
            .api_ok(
                Method::POST,
                "/todos",
                &token,
                Some(json!({ "title": title, "list_id": list_id })),
            )
            .await;
        movers.push(todo["id"].as_str().unwrap().to_owned());
    }
    // A and B take turns at the end: each after the other, past the largest integer.
    for round in 0..150 {
        let mover = movers[round % 2].clone();
        let answer = app
            .move_todo(&token, &mover, json!({ "after": last }))
            .await;
        assert_eq!(answer.status, 200, "round {round}: {}", answer.body);
        last = mover;
    }
    let page = app.every_todo_of(&token, &list_id).await;
    assert_eq!(titles(&page), ["Second to last", "Last", "A", "B"]);
    assert_keys_valid_and_ordered(&page);
}

#[tokio::test]
async fn over_long_keys_an_older_release_stored_are_respaced_instead_of_answering_500() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    // Listed as C, B, A.
    let [a, b, c]: [String; 3] = app.make(&token, &["A", "B", "C"]).await.try_into().unwrap();
    let page = app.inbox(&token).await;
    let b_position = positions(&page)[1].clone();
    // C's key: still before B's, but longer than any key may be.
    let c_position = format!("{}{}", &b_position[..1], "0".repeat(200));
    assert!(c_position < b_position && !is_valid(&c_position));
    app.store_position(&c, &c_position).await;
    assert_eq!(titles(&app.inbox(&token).await), ["C", "B", "A"]);

    let added = app.add_todo(&token, "On top").await;
    assert!(is_valid(added["position"].as_str().unwrap()), "{added}");
    let moved = app
        .move_todo(&token, &a, json!({ "after": c, "before": b }))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let page = app.inbox(&token).await;
    assert_eq!(titles(&page), ["On top", "C", "A", "B"]);
    assert_keys_valid_and_ordered(&page);
}

#[tokio::test]
async fn cursors_too_long_or_out_of_range_are_refused_as_the_cursor_parameter() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Milk").await;
    let id = "00000000000000000000000000000001";
    let over_long_key = format!("a0{}", "1".repeat(MAX_KEY_LEN - 1));
    for query in [
        format!("cursor=-8000000000000000000.{id}"),
        format!("q=milk&cursor=-8000000000000000000.{id}"),
        format!("view=today&cursor=d.20261224.-.-8000000000000000000.{id}"),
        format!("view=today&cursor=d.-0011224.-.0.{id}"),
        format!("list=inbox&cursor=m.{over_long_key}"),
        format!("list=inbox&sort=priority&cursor=p.3.{over_long_key}"),
        format!("list=inbox&cursor=m.{}", "z".repeat(10_000)),
        format!("cursor={}.{id}", "1".repeat(MAX_CURSOR_LEN)),
    ] {
        let answer = app
            .api_send(Method::GET, &format!("/todos?{query}"), Some(&token), None)
            .await;
        answer.problem(422);
        assert_eq!(answer.pointers(), ["#/cursor"], "{query:.80}");
    }
    // The pages' own server function refuses it the same way.
    let web = app.web_user().await;
    let (status, body) = app
        .site_call(
            &web,
            "/api/todos/listing",
            &[("cursor", &format!("-8000000000000000000.{id}"))],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_long_list_respaced_in_batches_keeps_every_todo_in_its_place() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let csv: String = std::iter::once("title".to_owned())
        .chain((0..1_200).map(|n| format!("Todo {n:04}")))
        .collect::<Vec<_>>()
        .join("\n");
    app.import_csv_ok(&token, csv).await;
    let inbox = app.inbox(&token).await["items"][0]["list_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.every_todo_of(&token, &inbox).await;
    let order = titles(&before);
    assert_eq!(order.len(), 1_200);
    let ids: Vec<String> = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["id"].as_str().unwrap().to_owned())
        .collect();

    // Two todos take turns in the same gap until the list is respaced:
    // 1,200 rows, more than one statement's worth.
    let (x, y, z) = (&ids[600], &ids[601], &ids[602]);
    for round in 0..320 {
        let (mover, other) = if round % 2 == 0 { (z, y) } else { (y, z) };
        let answer = app
            .move_todo(&token, mover, json!({ "after": x, "before": other }))
            .await;
        assert_eq!(answer.status, 200, "round {round}: {}", answer.body);
    }

    let after = app.every_todo_of(&token, &inbox).await;
    assert_eq!(titles(&after), order);
    assert_keys_short_valid_and_ordered(&after);
}

#[tokio::test]
async fn lists_added_after_an_imported_key_at_the_very_end_get_the_lists_respaced() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let top = "z".repeat(MAX_KEY_LEN);
    let answer = app
        .import_lists(
            &token,
            json!([
                { "name": "Top", "position": top, "todos": [{ "title": "One" }] },
                { "name": "After it", "todos": [{ "title": "Two" }] },
            ]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for name in ["Made", "Made again"] {
        let made = app
            .api_send(
                Method::POST,
                "/lists",
                Some(&token),
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let lists = app.api_ok(Method::GET, "/lists", &token, None).await;
    let names: Vec<&str> = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|list| list["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Inbox", "Top", "After it", "Made", "Made again"]);
}

#[tokio::test]
async fn many_todos_put_on_top_of_a_key_just_above_the_smallest_get_the_list_respaced() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let smallest = format!("A{}1", "0".repeat(25));
    let answer = app
        .import_lists(
            &token,
            json!([
                { "name": "Inbox", "inbox": true,
                  "todos": [{ "title": "Floor", "position": smallest }] },
                { "name": "Going", "todos": [] },
            ]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let mut expected = vec!["Floor".to_owned()];

    // An import on top of it: 1,000 keys below the smallest but one. The
    // chain of keys used to pass the maximum length after about 200 (500).
    let csv: String = std::iter::once("title".to_owned())
        .chain((1..=1_000).map(|n| format!("Imported {n}")))
        .collect::<Vec<_>>()
        .join("\n");
    app.import_csv_ok(&token, csv).await;
    expected.splice(0..0, (1..=1_000).map(|n| format!("Imported {n}")));
    let inbox = app.every_todo_of(&token, "inbox").await;
    assert_eq!(titles(&inbox), expected);
    assert_keys_valid_and_ordered(&inbox);

    // The Inbox's first key at the floor again, then a deleted list's
    // todos moved on top of it.
    let first = ids(&inbox)[0].clone();
    app.store_position(&first, &smallest).await;
    let going = app.list_named(&token, "Going").await;
    for n in 1..=300 {
        let title = format!("Moved {n}");
        let answer = app
            .api_send(
                Method::POST,
                "/todos",
                Some(&token),
                Some(json!({ "title": title, "list_id": going })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let deleted = app
        .api_send(
            Method::DELETE,
            &format!("/lists/{going}?todos=move"),
            Some(&token),
            None,
        )
        .await;
    assert!(deleted.status < 300, "{}: {}", deleted.status, deleted.body);
    // New todos go on top, so the list holds them newest first.
    expected.splice(0..0, (1..=300).rev().map(|n| format!("Moved {n}")));
    let inbox = app.every_todo_of(&token, "inbox").await;
    assert_eq!(titles(&inbox), expected);
    assert_keys_short_valid_and_ordered(&inbox);
}
