//! Repeating todos, on both surfaces: completing one makes the next, once,
//! on the right wall-clock date; rules outside the supported subset, a
//! repeat without a date, and a full account are refused clearly; the
//! repeat survives export, import and undo.

use crate::common;

use chrono::{DateTime, Utc};
use common::{TestApp, spawn_app, spawn_app_configured};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::calendar::Clock;

impl TestApp {
    async fn patch_todo(&self, token: &str, id: &str, body: Value) -> common::api::Answer {
        self.api_send(
            Method::PATCH,
            &format!("/todos/{id}"),
            Some(token),
            Some(body),
        )
        .await
    }

    async fn todo(&self, token: &str, id: &str) -> Value {
        self.api_ok(Method::GET, &format!("/todos/{id}"), token, None)
            .await
    }

    /// Completes the repeating todo `id`; the next occurrence it made.
    async fn complete_for_next(&self, token: &str, id: &str) -> Value {
        let done = self
            .patch_todo(token, id, json!({ "completed": true }))
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(done.body["completed"], true);
        let next = done.body["next_id"].as_str().expect("a next occurrence");
        self.todo(token, next).await
    }

    async fn every_todo(&self, token: &str) -> Vec<Value> {
        let page = self
            .api_ok(Method::GET, "/todos?limit=100", token, None)
            .await;
        page["items"].as_array().unwrap().clone()
    }
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[tokio::test]
async fn completing_a_repeating_todo_makes_the_next_one_once() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;
    let list = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Home" })),
        )
        .await;
    let todo = app
        .todo_with(
            &token,
            json!({
                "title": "Water the plants",
                "due": "2026-12-07T09:00",
                "notes": "The big one too",
                "priority": "high",
                "list_id": list["id"],
                "repeat": { "rule": "freq=weekly;byday=th,mo;interval=2" },
            }),
        )
        .await;
    // Written back in the canonical form.
    assert_eq!(
        todo["repeat"],
        json!({ "rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "from": "due" })
    );
    assert_eq!(todo["next_id"], Value::Null);
    let id = todo["id"].as_str().unwrap();

    let next = app.complete_for_next(&token, id).await;
    let next_id = next["id"].as_str().unwrap().to_owned();
    assert_eq!(next["title"], "Water the plants");
    assert_eq!(next["notes"], "The big one too");
    assert_eq!(next["priority"], "high");
    assert_eq!(next["list_id"], list["id"]);
    assert_eq!(next["completed"], false);
    assert_eq!(
        next["due"], "2026-12-10T09:00:00+01:00",
        "the Thursday after"
    );
    assert_eq!(next["repeat"], todo["repeat"]);

    // Completed again, or undone and completed again: still one next.
    for change in [
        json!({ "completed": true }),
        json!({ "completed": false }),
        json!({ "completed": true }),
    ] {
        let answer = app.patch_todo(&token, id, change).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["next_id"], next_id.as_str());
    }
    assert_eq!(app.every_todo(&token).await.len(), 2);

    // The next one goes on: the Monday two weeks after the first.
    let third = app.complete_for_next(&token, &next_id).await;
    assert_eq!(third["due"], "2026-12-21T09:00:00+01:00");
    app.stop().await;
}

#[tokio::test]
async fn many_completions_at_once_make_one_next_occurrence() {
    let app = spawn_app().await;
    let token = app.api_user_in("UTC").await;
    let todo = app
        .todo_with(
            &token,
            json!({ "title": "Pay rent", "due": "2026-12-01", "repeat": { "rule": "FREQ=MONTHLY;BYMONTHDAY=1" } }),
        )
        .await;
    let id = todo["id"].as_str().unwrap().to_owned();
    let answers = futures::future::join_all(
        (0..8).map(|_| app.patch_todo(&token, &id, json!({ "completed": true }))),
    )
    .await;
    let next_ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|answer| {
            assert_eq!(answer.status, 200, "{}", answer.body);
            answer.body["next_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(next_ids.len(), 1, "every answer names the same next one");
    let todos = app.every_todo(&token).await;
    assert_eq!(todos.len(), 2, "{todos:?}");
    let next = app.todo(&token, next_ids.first().unwrap()).await;
    assert_eq!(next["due"], "2027-01-01");
    app.stop().await;
}

#[tokio::test]
async fn a_count_runs_out_and_the_wall_clock_time_stays_across_daylight_saving() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;
    // Berlin changes to summer time on 29 March 2026.
    let todo = app
        .todo_with(
            &token,
            json!({ "title": "Stretch", "due": "2026-03-28T09:00", "repeat": { "rule": "FREQ=DAILY;COUNT=2" } }),
        )
        .await;
    assert_eq!(todo["due"], "2026-03-28T09:00:00+01:00");
    let next = app
        .complete_for_next(&token, todo["id"].as_str().unwrap())
        .await;
    assert_eq!(next["due"], "2026-03-29T09:00:00+02:00");
    assert_eq!(next["repeat"]["rule"], "FREQ=DAILY;COUNT=1");
    let last = app
        .patch_todo(
            &token,
            next["id"].as_str().unwrap(),
            json!({ "completed": true }),
        )
        .await;
    assert_eq!(last.status, 200);
    assert_eq!(last.body["next_id"], Value::Null, "the count ran out");
    assert_eq!(app.every_todo(&token).await.len(), 2);

    // UNTIL ends it too.
    let until = app
        .todo_with(
            &token,
            json!({ "title": "Advent", "due": "2026-12-23", "repeat": { "rule": "FREQ=DAILY;UNTIL=20261224" } }),
        )
        .await;
    let eve = app
        .complete_for_next(&token, until["id"].as_str().unwrap())
        .await;
    assert_eq!(eve["due"], "2026-12-24");
    let done = app
        .patch_todo(
            &token,
            eve["id"].as_str().unwrap(),
            json!({ "completed": true }),
        )
        .await;
    assert_eq!(done.body["next_id"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn a_repeat_from_completion_counts_from_the_users_day() {
    // 23:30 UTC on 9 December: already the 10th in Berlin.
    let app = spawn_app_configured(|config| {
        config.clock = Clock::Fixed(instant("2026-12-09T23:30:00Z"));
    })
    .await;
    let token = app.api_user_in("Europe/Berlin").await;
    let todo = app
        .todo_with(
            &token,
            json!({
                "title": "Water the cactus",
                "due": "2026-11-01T18:00",
                "repeat": { "rule": "FREQ=DAILY;INTERVAL=3", "from": "completion" },
            }),
        )
        .await;
    let next = app
        .complete_for_next(&token, todo["id"].as_str().unwrap())
        .await;
    assert_eq!(
        next["due"], "2026-12-13T18:00:00+01:00",
        "3 days after the 10th"
    );
    assert_eq!(next["repeat"]["from"], "completion");
    app.stop().await;
}

#[tokio::test]
async fn rules_outside_the_subset_and_repeats_without_a_date_are_refused() {
    let app = spawn_app().await;
    let token = app.api_user_in("UTC").await;
    for (body, says) in [
        (
            json!({ "title": "x", "due": "2026-12-01", "repeat": { "rule": "FREQ=HOURLY" } }),
            "HOURLY",
        ),
        (
            json!({ "title": "x", "due": "2026-12-01", "repeat": { "rule": "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO" } }),
            "BYSETPOS is not supported",
        ),
        (
            json!({ "title": "x", "repeat": { "rule": "FREQ=DAILY" } }),
            "needs a due date",
        ),
        (
            json!({ "title": "x", "due": "2026-12-01", "repeat": { "rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" } }),
            "no date after",
        ),
        (
            json!({ "title": "x", "due": "2026-12-01", "repeat": { "rule": format!("FREQ=DAILY;{}", "X".repeat(5_000)) } }),
            "200 characters",
        ),
    ] {
        let answer = app
            .api_send(Method::POST, "/todos", Some(&token), Some(body.clone()))
            .await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.body);
        assert_eq!(answer.pointers(), ["#/repeat"], "{body}");
        assert!(
            answer.body.to_string().contains(says),
            "{body}: {}",
            answer.body
        );
    }
    let answer = app
        .api_send(
            Method::POST,
            "/todos",
            Some(&token),
            Some(json!({ "title": "x", "due": "2026-12-01", "repeat": { "rule": "FREQ=DAILY", "from": "whenever" } })),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        app.every_todo(&token).await.is_empty(),
        "nothing was written"
    );

    // Set on a todo without a date, then stopped, and cleared with its date.
    let plain = app.todo_with(&token, json!({ "title": "Someday" })).await;
    let id = plain["id"].as_str().unwrap();
    let answer = app
        .patch_todo(&token, id, json!({ "repeat": { "rule": "FREQ=DAILY" } }))
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    let set = app
        .patch_todo(
            &token,
            id,
            json!({ "due": "2026-12-01", "repeat": { "rule": "FREQ=WEEKLY" } }),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["repeat"]["rule"], "FREQ=WEEKLY");
    let stopped = app.patch_todo(&token, id, json!({ "repeat": null })).await;
    assert_eq!(stopped.body["repeat"], Value::Null);
    app.patch_todo(&token, id, json!({ "repeat": { "rule": "FREQ=DAILY" } }))
        .await;
    let undated = app.patch_todo(&token, id, json!({ "due": null })).await;
    assert_eq!(undated.body["due"], Value::Null);
    assert_eq!(undated.body["repeat"], Value::Null, "no date, no repeat");
    app.stop().await;
}

#[tokio::test]
async fn another_users_repeating_todo_cannot_be_changed_or_completed() {
    let app = spawn_app().await;
    let alice = app.api_user_in("UTC").await;
    let bob = app.api_user_in("UTC").await;
    let todo = app
        .todo_with(
            &alice,
            json!({ "title": "Alice's", "due": "2026-12-01", "repeat": { "rule": "FREQ=DAILY" } }),
        )
        .await;
    let id = todo["id"].as_str().unwrap();
    for change in [
        json!({ "completed": true }),
        json!({ "repeat": { "rule": "FREQ=WEEKLY" } }),
        json!({ "repeat": null }),
    ] {
        let answer = app.patch_todo(&bob, id, change).await;
        assert_eq!(answer.status, 404, "{}", answer.body);
    }
    assert!(app.every_todo(&bob).await.is_empty());
    let kept = app.todo(&alice, id).await;
    assert_eq!(kept["completed"], false);
    assert_eq!(kept["repeat"]["rule"], "FREQ=DAILY");
    assert_eq!(app.every_todo(&alice).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_full_account_keeps_the_todo_open_and_says_why() {
    let app = spawn_app_configured(|config| config.max_todos_per_user = 2).await;
    let token = app.api_user_in("UTC").await;
    app.todo_with(&token, json!({ "title": "Other" })).await;
    let todo = app
        .todo_with(
            &token,
            json!({ "title": "Repeats", "due": "2026-12-01", "repeat": { "rule": "FREQ=DAILY" } }),
        )
        .await;
    let answer = app
        .patch_todo(
            &token,
            todo["id"].as_str().unwrap(),
            json!({ "completed": true }),
        )
        .await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("its next one has no room"),
        "{}",
        answer.body
    );
    let kept = app.todo(&token, todo["id"].as_str().unwrap()).await;
    assert_eq!(kept["completed"], false, "nothing changed");
    assert_eq!(app.every_todo(&token).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn the_web_form_sets_presets_and_custom_repeats_and_mark_all_done_repeats() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let created = app
        .site_ok(
            &token,
            "/api/todos/create",
            &[
                ("title", "Stand-up"),
                ("due_date", "2026-12-07"),
                ("due_time", "09:30"),
                ("repeat[kind]", "weekdays"),
                ("repeat[from]", "due"),
            ],
        )
        .await;
    assert_eq!(created["repeat"]["words"], "every weekday");
    let id = created["id"].as_str().unwrap().to_owned();

    let custom = app
        .site_ok(
            &token,
            "/api/todos/update",
            &[
                ("id", &id),
                ("due_date", "2026-12-25"),
                ("due_time", ""),
                ("repeat[kind]", "custom"),
                ("repeat[every]", "1"),
                ("repeat[unit]", "month"),
                ("repeat[monthly]", "-1FR"),
                ("repeat[ends]", "count"),
                ("repeat[count]", "3"),
                ("repeat[from]", "due"),
            ],
        )
        .await;
    assert_eq!(custom["repeat"]["rule"], "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3");
    assert_eq!(
        custom["repeat"]["words"],
        "monthly on the last Friday, 3 times left"
    );

    // "keep" changes nothing; a bad custom field is refused by name.
    let kept = app
        .site_ok(
            &token,
            "/api/todos/update",
            &[("id", &id), ("notes", "Agenda"), ("repeat[kind]", "keep")],
        )
        .await;
    assert_eq!(kept["repeat"]["rule"], "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3");
    let (status, refused) = app
        .site_call(
            &token,
            "/api/todos/update",
            &[
                ("id", &id),
                ("repeat[kind]", "custom"),
                ("repeat[unit]", "fortnight"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("fortnight"), "{refused}");

    // Mark all as done: the repeating todo's next one appears, open.
    app.site_ok(&token, "/api/todos/toggle-all", &[("completed", "true")])
        .await;
    let page = app.listing(&token, &[("filter", "active")]).await;
    let items = page["page"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["title"], "Stand-up");
    assert_eq!(items[0]["due"]["date"], "2027-01-29");
    assert_eq!(
        items[0]["repeat"]["words"],
        "monthly on the last Friday, 2 times left"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_repeat_survives_export_import_and_undo() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;
    let todo = app
        .todo_with(
            &token,
            json!({
                "title": "Backup",
                "due": "2026-12-04T20:00",
                "repeat": { "rule": "FREQ=WEEKLY;BYDAY=FR;COUNT=10", "from": "completion" },
            }),
        )
        .await;
    let export = app.api_ok(Method::GET, "/export", &token, None).await;
    let exported = &export["lists"][0]["todos"][0];
    assert_eq!(exported["repeat"], todo["repeat"], "{export}");

    let csv = app
        .api(Method::GET, "/export?format=csv", Some(&token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(
        header.ends_with(",repeat,repeat_from,reminders"),
        "{header}"
    );
    assert!(
        csv.contains("FREQ=WEEKLY;BYDAY=FR;COUNT=10,completion,"),
        "{csv}"
    );

    // Both files bring the repeat into another account.
    let other = app.api_user_in("Europe/Berlin").await;
    let answer = app
        .api(Method::POST, "/import", Some(&other))
        .header("content-type", "application/json")
        .body(export.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    let third = app.api_user_in("UTC").await;
    let answer = app
        .api(Method::POST, "/import", Some(&third))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    for account in [&other, &third] {
        let todos = app.every_todo(account).await;
        assert_eq!(todos[0]["repeat"], todo["repeat"], "{todos:?}");
    }

    // An import with a bad rule says where.
    let mut bad = export.clone();
    bad["lists"][0]["todos"][0]["repeat"]["rule"] = json!("FREQ=SECONDLY");
    let answer = app
        .api(Method::POST, "/import", Some(&other))
        .header("content-type", "application/json")
        .body(bad.to_string())
        .send()
        .await
        .unwrap();
    let answer = common::api::Answer::from(answer).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.to_string().contains("#/lists/0/todos/0/repeat"),
        "{}",
        answer.body
    );

    // A delete undone brings the repeat back.
    let deleted = app
        .api(
            Method::DELETE,
            &format!("/todos/{}", todo["id"].as_str().unwrap()),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let batch = deleted.headers()["undo-batch"].to_str().unwrap().to_owned();
    let undone = app
        .api_send(Method::POST, &format!("/undo/{batch}"), Some(&token), None)
        .await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    let back = app.todo(&token, todo["id"].as_str().unwrap()).await;
    assert_eq!(back["repeat"], todo["repeat"]);
    app.stop().await;
}

#[tokio::test]
async fn quick_add_reads_a_line_of_text_on_the_api_and_the_new_todo_form() {
    // Saturday 5 December 2026, midday in Berlin.
    let app = spawn_app_configured(|config| {
        config.clock = Clock::Fixed(instant("2026-12-05T11:00:00Z"));
    })
    .await;
    let token = app.api_user_in("Europe/Berlin").await;
    let home = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Home" })),
        )
        .await;
    let parse = |text: &'static str, language: &'static str| {
        let request = app
            .api(Method::POST, "/todos/parse", Some(&token))
            .header("accept-language", language)
            .json(&json!({ "text": text }));
        async move { common::api::Answer::from(request.send().await.unwrap()).await }
    };
    let rent = parse(
        "Pay rent every month on the 1st at 9am !high #home",
        "en-GB",
    )
    .await;
    assert_eq!(rent.status, 200, "{}", rent.body);
    assert_eq!(rent.body["title"], "Pay rent");
    assert_eq!(rent.body["due"], "2027-01-01T09:00:00+01:00");
    assert_eq!(
        rent.body["repeat"],
        json!({ "rule": "FREQ=MONTHLY;BYMONTHDAY=1", "from": "due" })
    );
    assert_eq!(rent.body["priority"], "high");
    assert_eq!(rent.body["list_id"], home["id"]);
    assert_eq!(rent.body["parts"][0]["text"], "every month on the 1st");
    assert_eq!(rent.body["parts"][0]["kind"], "repeat");

    // Numeric dates in the caller's locale order; nothing is saved.
    let us = parse("Pay bill 12/24", "en-US,en;q=0.9").await;
    assert_eq!(us.body["due"], "2026-12-24");
    let europe = parse("Pay bill 24/12", "de-DE").await;
    assert_eq!(europe.body["due"], "2026-12-24");
    assert!(app.every_todo(&token).await.is_empty());

    // Another user's list name is only a word of the title.
    let bob = app.api_user_in("UTC").await;
    app.api_ok(
        Method::POST,
        "/lists",
        &bob,
        Some(json!({ "name": "Secret" })),
    )
    .await;
    let guess = parse("Look #Secret", "en").await;
    assert_eq!(guess.body["title"], "Look #Secret");
    assert_eq!(guess.body["list_id"], Value::Null);
    let long = app
        .api_send(
            Method::POST,
            "/todos/parse",
            Some(&token),
            Some(json!({ "text": "x".repeat(501) })),
        )
        .await;
    assert_eq!(long.status, 422, "{}", long.body);
    assert_eq!(long.pointers(), ["#/text"]);

    // The new-todo form reads its title, unless told to keep it.
    let web = app.web_user().await;
    let made = app
        .site_ok(
            &web,
            "/api/todos/create",
            &[
                ("title", "Water plants every 3 days !low"),
                ("repeat[kind]", "none"),
            ],
        )
        .await;
    assert_eq!(made["title"], "Water plants");
    assert_eq!(made["priority"], "low");
    assert_eq!(made["due"]["date"], "2026-12-05");
    assert_eq!(made["repeat"]["words"], "every 3 days");
    let kept = app
        .site_ok(
            &web,
            "/api/todos/create",
            &[("title", "Buy tickets for Friday"), ("as_typed", "on")],
        )
        .await;
    assert_eq!(kept["title"], "Buy tickets for Friday");
    assert_eq!(kept["due"], Value::Null);

    // With JavaScript the field shows what it read as chips; a dismissed
    // chip's words stay in the title, and the rest is still read.
    let chips = app
        .site_ok(
            &web,
            "/api/todos/quick-add",
            &[("text", "Buy tickets for Friday at 7pm !high")],
        )
        .await;
    let labels: Vec<(&str, &str, &str)> = chips
        .as_array()
        .unwrap()
        .iter()
        .map(|chip| {
            (
                chip["kind"].as_str().unwrap(),
                chip["typed"].as_str().unwrap(),
                chip["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("date", "Friday", "Due Fri 11 Dec 2026"),
            ("time", "at 7pm", "At 19:00"),
            ("priority", "!high", "High priority"),
        ],
        "{chips}"
    );
    let left = app
        .site_ok(
            &web,
            "/api/todos/quick-add",
            &[
                ("text", "Buy tickets for Friday at 7pm !high"),
                ("leave", "date,nonsense,date"),
            ],
        )
        .await;
    assert_eq!(left.as_array().unwrap().len(), 2, "{left}");
    let made = app
        .site_ok(
            &web,
            "/api/todos/create",
            &[("title", "Buy tickets for Friday !high"), ("leave", "date")],
        )
        .await;
    assert_eq!(made["title"], "Buy tickets for Friday");
    assert_eq!(made["priority"], "high");
    assert_eq!(made["due"], Value::Null);
    let refused = app
        .site_call(&web, "/api/todos/quick-add", &[("text", &"x".repeat(501))])
        .await;
    assert_eq!(refused.0, 422, "{}", refused.1);
    app.stop().await;
}
