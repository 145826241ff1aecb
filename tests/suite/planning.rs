//! Due dates in the user's time zone, the Today and Upcoming views,
//! priorities and notes, on both surfaces; and bad input, which gets a
//! clear 4xx and writes nothing.

use crate::common;

use chrono::{DateTime, Utc};
use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    site::{ids, titles},
    spawn_app, spawn_app_configured,
};
use reqwest::Method;
use serde_json::{Value, json};
use taskward::calendar::Clock;

impl TestApp {
    async fn todos_page(&self, token: &str, query: &str) -> Value {
        let answer = self
            .api_send(Method::GET, &format!("/todos?{query}"), Some(token), None)
            .await;
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        answer.body
    }

    async fn todo_count(&self, token: &str) -> usize {
        titles(&self.todos_page(token, "limit=100").await).len()
    }
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn due_dates_are_days_or_times_on_the_users_wall_clock() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;

    let day = app
        .todo_with(
            &token,
            json!({ "title": "Wrap presents", "due": "2026-12-24" }),
        )
        .await;
    assert_eq!(day["due"], "2026-12-24");
    let timed = app
        .todo_with(
            &token,
            json!({ "title": "Call grandma", "due": "2026-12-24T14:00:00Z" }),
        )
        .await;
    assert_eq!(
        timed["due"], "2026-12-24T15:00:00+01:00",
        "shown in the user's zone"
    );
    let local = app
        .todo_with(
            &token,
            json!({ "title": "Swim", "due": "2026-07-01T07:30" }),
        )
        .await;
    assert_eq!(local["due"], "2026-07-01T07:30:00+02:00", "summer time");
    let plain = app.todo_with(&token, json!({ "title": "Someday" })).await;
    assert_eq!(
        (&plain["due"], &plain["priority"], &plain["notes"]),
        (&Value::Null, &json!("none"), &json!(""))
    );

    // A new zone keeps the wall-clock time and writes the new offset.
    let me = app
        .api_send(
            Method::PATCH,
            "/auth/me",
            Some(&token),
            Some(json!({ "time_zone": "America/New_York" })),
        )
        .await;
    assert_eq!(
        (me.status, &me.body["time_zone"]),
        (200, &json!("America/New_York")),
        "{}",
        me.body
    );
    let read = app
        .api_send(
            Method::GET,
            &format!("/todos/{}", timed["id"].as_str().unwrap()),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(read.body["due"], "2026-12-24T15:00:00-05:00");
    let me = app
        .api_send(Method::GET, "/auth/me", Some(&token), None)
        .await;
    assert_eq!(me.body["time_zone"], "America/New_York");

    // `null` clears a due date; leaving it out keeps it.
    let path = format!("/todos/{}", day["id"].as_str().unwrap());
    let kept = app
        .api_send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "priority": "high" })),
        )
        .await;
    assert_eq!(
        (&kept.body["due"], &kept.body["priority"]),
        (&json!("2026-12-24"), &json!("high"))
    );
    let cleared = app
        .api_send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "due": null })),
        )
        .await;
    assert_eq!(cleared.body["due"], Value::Null);
}

#[tokio::test]
async fn bad_input_gets_a_clear_422_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let todo = app.add_todo(&token, "Keep me as I am").await;
    let path = format!("/todos/{}", todo["id"].as_str().unwrap());
    let long_notes = "n".repeat(10_001);
    let unknown_list = uuid::Uuid::new_v4().to_string();

    let refusals = [
        (json!({ "title": "x", "due": "31/02" }), "#/due"),
        (json!({ "title": "x", "due": "2026-02-31" }), "#/due"),
        (json!({ "title": "x", "due": "tomorrow" }), "#/due"),
        (json!({ "title": "x", "notes": long_notes }), "#/notes"),
        (json!({ "title": "x", "priority": "urgent" }), "#/priority"),
        (
            json!({ "title": "x", "list_id": unknown_list }),
            "#/list_id",
        ),
        // PostgreSQL cannot store U+0000; neither backend gets it.
        (json!({ "title": "x", "notes": "a\u{0}b" }), "#/notes"),
        (json!({ "title": "nul \u{0}" }), "#/title"),
    ];
    for (body, pointer) in &refusals {
        let answer = app
            .api_send(Method::POST, "/todos", Some(&token), Some(body.clone()))
            .await;
        answer.problem(422);
        assert_eq!(answer.pointers(), [*pointer], "{body}");
        let mut patch = body.clone();
        if *pointer != "#/title" {
            patch.as_object_mut().unwrap().remove("title");
        }
        let answer = app
            .api_send(Method::PATCH, &path, Some(&token), Some(patch))
            .await;
        answer.problem(422);
        assert_eq!(answer.pointers(), [*pointer], "PATCH {body}");
    }
    assert_eq!(app.todo_count(&token).await, 1, "nothing was created");
    let unchanged = app.api_send(Method::GET, &path, Some(&token), None).await;
    assert_eq!(
        (
            &unchanged.body["title"],
            &unchanged.body["due"],
            &unchanged.body["notes"],
            &unchanged.body["priority"]
        ),
        (
            &json!("Keep me as I am"),
            &Value::Null,
            &json!(""),
            &json!("none")
        )
    );

    for query in [
        "view=yesterday",
        "view=today&q=milk",
        "sort=priority",
        "view=today&sort=manual",
    ] {
        let answer = app
            .api_send(Method::GET, &format!("/todos?{query}"), Some(&token), None)
            .await;
        answer.problem(422);
    }
    let zone = app
        .api_send(
            Method::PATCH,
            "/auth/me",
            Some(&token),
            Some(json!({ "time_zone": "Mars/Olympus_Mons" })),
        )
        .await;
    zone.problem(422);
    assert_eq!(zone.pointers(), ["#/time_zone"]);
    let register = app
        .api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": unique_email(), "password": PASSWORD, "time_zone": "Nowhere" })),
        )
        .await;
    register.problem(422);

    // The web forms refuse the same input, naming their own fields.
    let web = app.web_user().await;
    let id = app
        .site_ok(&web, "/api/todos/create", &[("title", "Mine")])
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (form, field) in [
        (vec![("due_date", "31/02")], "due_date"),
        (
            vec![("due_date", "2026-12-24"), ("due_time", "9am")],
            "due_time",
        ),
        (vec![("due_time", "09:00")], "due_date"),
        (vec![("notes", long_notes.as_str())], "notes"),
        (vec![("priority", "urgent")], "priority"),
        (vec![("list_id", unknown_list.as_str())], "list_id"),
    ] {
        let mut create = form.clone();
        create.push(("title", "New"));
        let (status, body) = app.site_call(&web, "/api/todos/create", &create).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
        let mut update = form.clone();
        update.push(("id", &id));
        let (status, body) = app.site_call(&web, "/api/todos/update", &update).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let (status, body) = app
        .site_call(&web, "/api/auth/time-zone", &[("time_zone", "Atlantis")])
        .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("time_zone")));
    let listing = app.listing(&web, &[]).await;
    assert_eq!(titles(&listing["page"]), ["Mine"]);
    assert_eq!(listing["page"]["items"][0]["due"], Value::Null);
}

/// The app's clock at 23:30 UTC on 24 December: already the 25th in
/// Berlin (00:30), still the 24th in New York (18:30).
const AROUND_MIDNIGHT: &str = "2026-12-24T23:30:00Z";

#[tokio::test]
async fn today_is_each_users_own_today_around_midnight() {
    let app =
        spawn_app_configured(|config| config.clock = Clock::Fixed(instant(AROUND_MIDNIGHT))).await;
    let berlin = app.api_user_in("Europe/Berlin").await;
    let new_york = app.api_user_in("America/New_York").await;
    for token in [&berlin, &new_york] {
        for (title, due) in [
            ("Ship the parcel", "2026-12-23"),
            ("Christmas Eve dinner", "2026-12-24"),
            ("Christmas Day lunch", "2026-12-25"),
            ("Boxing Day walk", "2026-12-26"),
            ("New Year's Eve", "2026-12-31"),
            ("Back to work", "2027-01-04"),
        ] {
            app.todo_with(token, json!({ "title": title, "due": due }))
                .await;
        }
        let done = app
            .todo_with(
                token,
                json!({ "title": "Old and done", "due": "2026-12-01" }),
            )
            .await;
        app.api_send(
            Method::PATCH,
            &format!("/todos/{}", done["id"].as_str().unwrap()),
            Some(token),
            Some(json!({ "completed": true })),
        )
        .await;
    }

    let today = titles(&app.todos_page(&berlin, "view=today").await);
    assert_eq!(
        today,
        [
            "Ship the parcel",
            "Christmas Eve dinner",
            "Christmas Day lunch"
        ]
    );
    let today = titles(&app.todos_page(&new_york, "view=today").await);
    assert_eq!(today, ["Ship the parcel", "Christmas Eve dinner"]);

    let upcoming = titles(&app.todos_page(&berlin, "view=upcoming").await);
    assert_eq!(
        upcoming,
        ["Christmas Day lunch", "Boxing Day walk", "New Year's Eve"]
    );
    let upcoming = titles(&app.todos_page(&new_york, "view=upcoming").await);
    assert_eq!(
        upcoming,
        [
            "Christmas Eve dinner",
            "Christmas Day lunch",
            "Boxing Day walk"
        ]
    );

    // The pages mark overdue todos, and count them, for each user's today.
    let listing = app.listing(&berlin, &[("view", "today")]).await;
    let overdue: Vec<bool> = listing["page"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["due"]["overdue"].as_bool().unwrap())
        .collect();
    assert_eq!(overdue, [true, true, false]);
    assert_eq!(listing["page"]["items"][2]["due"]["label"], "Today");
    assert_eq!(
        listing["due"],
        json!({ "overdue": 2, "today": 1, "upcoming": 3 })
    );
    assert_eq!(listing["today"], "Friday 25 December");
    let listing = app.listing(&new_york, &[("view", "today")]).await;
    assert_eq!(
        listing["due"],
        json!({ "overdue": 1, "today": 1, "upcoming": 3 })
    );
    assert_eq!(listing["page"]["items"][1]["due"]["label"], "Today");

    let page = app.get_with_cookie("/todos?view=today", &berlin).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Overdue: Yesterday"),
        "the page says it in words"
    );
    assert!(html.contains("Europe/Berlin"));

    // Moving to Berlin's zone moves New York's today with it.
    app.api_send(
        Method::PATCH,
        "/auth/me",
        Some(&new_york),
        Some(json!({ "time_zone": "Europe/Berlin" })),
    )
    .await;
    let today = titles(&app.todos_page(&new_york, "view=today").await);
    assert_eq!(
        today,
        [
            "Ship the parcel",
            "Christmas Eve dinner",
            "Christmas Day lunch"
        ]
    );
}

#[tokio::test]
async fn a_todo_done_today_stays_in_today_and_times_order_the_day() {
    let app =
        spawn_app_configured(|config| config.clock = Clock::Fixed(instant(AROUND_MIDNIGHT))).await;
    let token = app.api_user_in("Europe/Berlin").await;
    let evening = app
        .todo_with(
            &token,
            json!({ "title": "Evening", "due": "2026-12-25T19:00" }),
        )
        .await;
    app.todo_with(&token, json!({ "title": "All day", "due": "2026-12-25" }))
        .await;
    app.todo_with(
        &token,
        json!({ "title": "Morning", "due": "2026-12-25T08:00" }),
    )
    .await;
    app.todo_with(
        &token,
        json!({ "title": "Last night", "due": "2026-12-24T23:45" }),
    )
    .await;
    app.api_send(
        Method::PATCH,
        &format!("/todos/{}", evening["id"].as_str().unwrap()),
        Some(&token),
        Some(json!({ "completed": true })),
    )
    .await;
    let today = titles(&app.todos_page(&token, "view=today").await);
    assert_eq!(today, ["Last night", "All day", "Morning", "Evening"]);
    let open = titles(&app.todos_page(&token, "view=today&filter=active").await);
    assert_eq!(open, ["Last night", "All day", "Morning"]);
}

#[tokio::test]
async fn views_are_keyset_paged_without_repeats_or_gaps() {
    let app =
        spawn_app_configured(|config| config.clock = Clock::Fixed(instant(AROUND_MIDNIGHT))).await;
    let token = app.api_user_in("UTC").await;
    let mut expected = Vec::new();
    for n in 0..23 {
        let due = match n % 3 {
            0 => "2026-12-24".to_owned(),
            1 => format!("2026-12-24T{:02}:00", n % 24),
            _ => "2026-12-20".to_owned(),
        };
        let todo = app
            .todo_with(&token, json!({ "title": format!("Due {n}"), "due": due }))
            .await;
        expected.push(todo["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("view=today&limit=4&cursor={cursor}"),
            None => "view=today&limit=4".to_owned(),
        };
        let page = app.todos_page(&token, &query).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let whole = ids(&app.todos_page(&token, "view=today&limit=100").await);
    assert_eq!(seen, whole, "pages join up into the whole view");
    let (mut sorted_seen, mut sorted_expected) = (seen.clone(), expected.clone());
    sorted_seen.sort();
    sorted_expected.sort();
    assert_eq!(sorted_seen, sorted_expected, "every todo once");

    let foreign = app.todos_page(&token, "view=today&limit=4").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api_send(
        Method::GET,
        &format!("/todos?list=inbox&cursor={foreign}"),
        Some(&token),
        None,
    )
    .await
    .problem(422);
}

#[tokio::test]
async fn priority_orders_a_list_most_important_first() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    for (title, priority) in [
        ("Low one", "low"),
        ("High one", "high"),
        ("Plain", "none"),
        ("Medium one", "medium"),
        ("High two", "high"),
    ] {
        let todo = app
            .todo_with(&token, json!({ "title": title, "priority": priority }))
            .await;
        assert_eq!(todo["priority"], priority);
    }
    let by_priority = titles(&app.todos_page(&token, "list=inbox&sort=priority").await);
    assert_eq!(
        by_priority,
        ["High two", "High one", "Medium one", "Low one", "Plain"]
    );
    let mine = titles(&app.todos_page(&token, "list=inbox").await);
    assert_eq!(
        mine,
        ["High two", "Medium one", "Plain", "High one", "Low one"]
    );

    let web = app.web_user().await;
    app.site_ok(
        &web,
        "/api/todos/create",
        &[("title", "Urgent"), ("priority", "high")],
    )
    .await;
    app.site_ok(&web, "/api/todos/create", &[("title", "Whenever")])
        .await;
    let listing = app
        .listing(&web, &[("list", "inbox"), ("sort", "priority")])
        .await;
    assert_eq!(titles(&listing["page"]), ["Urgent", "Whenever"]);
    assert_eq!(listing["sort"], "Priority");
    let page = app
        .get_with_cookie("/todos", &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("High priority"), "the row says it in words");
}

#[tokio::test]
async fn notes_keep_their_lines_and_are_never_read_as_html() {
    let app = spawn_app().await;
    let web = app.web_user().await;
    let todo = app
        .site_ok(&web, "/api/todos/create", &[("title", "Recipe")])
        .await;
    let id = todo["id"].as_str().unwrap().to_owned();
    let notes = "Flour 200 g\r\nEggs 2\n\n<script>alert('x')</script> & <b>butter</b>\n</textarea><img src=x>";
    let saved = app
        .site_ok(&web, "/api/todos/update", &[("id", &id), ("notes", notes)])
        .await;
    assert_eq!(
        saved["notes"],
        "Flour 200 g\nEggs 2\n\n<script>alert('x')</script> & <b>butter</b>\n</textarea><img src=x>"
    );
    assert_eq!(saved["title"], "Recipe", "the title is kept");

    // Opened without JavaScript, the page shows them as text.
    let page = app
        .get_with_cookie(&format!("/todos?open={id}"), &web)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Flour 200 g\nEggs 2"), "line breaks kept");
    assert!(page.contains("&lt;script&gt;alert("), "escaped");
    for markup in ["<script>alert(", "<b>butter</b>", "</textarea><img"] {
        assert!(!page.contains(markup), "{markup} is markup in the page");
    }

    // Empty notes are no notes.
    let cleared = app
        .site_ok(&web, "/api/todos/update", &[("id", &id), ("notes", "")])
        .await;
    assert_eq!(cleared["notes"], "");
}

#[tokio::test]
async fn the_details_form_without_javascript_saves_and_returns_to_the_list() {
    let app = spawn_app().await;
    let web = app.web_user().await;
    let made = app
        .site_ok(&web, "/api/lists/create", &[("name", "Garden")])
        .await;
    let garden = made["id"].as_str().unwrap().to_owned();
    let todo = app
        .site_ok(&web, "/api/todos/create", &[("title", "Plant tulips")])
        .await;
    let id = todo["id"].as_str().unwrap().to_owned();

    let response = app
        .client
        .post(app.url("/api/todos/update"))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("referer", app.url(&format!("/todos?open={id}")))
        .header("cookie", format!("{}={web}", common::accounts::COOKIE))
        .form(&[
            ("id", id.as_str()),
            ("notes", "Bulbs in the shed"),
            ("due_date", "2026-10-15"),
            ("due_time", ""),
            ("priority", "medium"),
            ("list_id", garden.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    assert_eq!(response.headers()["location"], app.url("/todos").as_str());
    let listing = app.listing(&web, &[("list", &garden)]).await;
    let moved = &listing["page"]["items"][0];
    assert_eq!(
        (
            &moved["title"],
            &moved["notes"],
            &moved["priority"],
            &moved["due"]["date"]
        ),
        (
            &json!("Plant tulips"),
            &json!("Bulbs in the shed"),
            &json!("medium"),
            &json!("2026-10-15")
        )
    );
    assert_eq!(moved["list_id"], garden.as_str());
}
