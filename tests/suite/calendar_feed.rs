//! The calendar feed (`/api/v1/calendar-feed`, `/calendar/<secret>.ics`),
//! read as a calendar app reads it: by the Python `icalendar` package,
//! whose own reading of the file's VTIMEZONE gives the offsets. Also tried
//! as an attacker: guessed and stale addresses, another account's todos,
//! a personal API token making a credential, a flood of fetches, and an
//! account whose sessions were all ended.

use crate::common;

use std::{
    io::Write as _,
    process::{Command, Stdio},
};

use common::{TestApp, seed::Todos, smtp_sink::test_python, spawn_app};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

/// What `tests/support/read_ical.py` made of a file.
fn read_ical(file: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/read_ical.py");
    let mut child = Command::new(test_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tests' Python (scripts/test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(file.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "icalendar could not read the feed: {}\n{file}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The feed as fetched.
struct Fetched {
    status: StatusCode,
    etag: Option<String>,
    content_type: String,
    body: String,
}

impl TestApp {
    /// Makes (or replaces) the caller's feed; its address.
    async fn make_feed(&self, token: &str) -> String {
        let made = self
            .api_send(Method::POST, "/calendar-feed", Some(token), None)
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        let url = made.body["url"].as_str().unwrap().to_owned();
        assert_eq!(
            made.body["webcal_url"].as_str().unwrap(),
            url.replacen("http://", "webcal://", 1)
        );
        url
    }

    /// Fetches a feed address as a calendar app would: no cookie, no
    /// token, maybe with the copy it has.
    async fn fetch_feed(&self, url: &str, if_none_match: Option<&str>) -> Fetched {
        let path = &url[url.find("/calendar/").expect("a feed address")..];
        let mut request = reqwest::Client::new().get(self.url(path));
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        let response = request.send().await.unwrap();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map(|value: &header::HeaderValue| value.to_str().unwrap().to_owned())
        };
        Fetched {
            status: response.status(),
            etag: header_text(header::ETAG),
            content_type: header_text(header::CONTENT_TYPE).unwrap_or_default(),
            body: response.text().await.unwrap(),
        }
    }
}

fn todo_titled<'a>(read: &'a Value, summary: &str) -> &'a Value {
    read["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|todo| todo["summary"] == summary)
        .unwrap_or_else(|| panic!("no {summary:?} in {read}"))
}

#[tokio::test]
async fn the_feed_holds_open_dated_todos_as_a_calendar_app_reads_them() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;
    let home = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Home, sweet; home" })),
        )
        .await;
    let title = "Pay rent; call the landlord, then\\relax";
    let notes = "Line one\nLine two, with; separators \\ and ümlauts ✓";
    let rent = app
        .todo_with(
            &token,
            json!({
                "title": title,
                "notes": notes,
                "list_id": home["id"],
                "priority": "high",
                "due": "2026-07-01T09:00:00",
                "repeat": { "rule": "FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20261231", "from": "due" },
                "reminders": [{ "before_minutes": 0 }, { "before_minutes": 60 }],
            }),
        )
        .await;
    app.todo_with(
        &token,
        json!({
            "title": "Water the plants",
            "priority": "low",
            "due": "2026-01-10",
            "reminders": [{ "before_minutes": 1440 }],
        }),
    )
    .await;
    let long_title = "Ünïcödé ".repeat(60).trim_end().to_owned();
    app.todo_with(
        &token,
        json!({ "title": long_title, "due": "2026-03-29T02:30:00" }),
    )
    .await;
    let done = app
        .todo_with(
            &token,
            json!({ "title": "Already done", "due": "2026-02-01" }),
        )
        .await;
    app.api_ok(
        Method::PATCH,
        &format!("/todos/{}", done["id"].as_str().unwrap()),
        &token,
        Some(json!({ "completed": true })),
    )
    .await;
    app.todo_with(&token, json!({ "title": "Someday" })).await;
    let other = app.api_user_in("Europe/Berlin").await;
    app.todo_with(&other, json!({ "title": "Not yours", "due": "2026-05-01" }))
        .await;
    app.make_feed(&other).await;

    let url = app.make_feed(&token).await;
    let fetched = app.fetch_feed(&url, None).await;
    assert_eq!(fetched.status, 200, "{}", fetched.body);
    assert_eq!(fetched.content_type, "text/calendar; charset=utf-8");
    for line in fetched.body.split("\r\n") {
        assert!(
            line.len() <= 75,
            "a line of {} octets: {line:?}",
            line.len()
        );
    }
    let read = read_ical(&fetched.body);
    assert_eq!(read["version"], "2.0");
    let summaries: Vec<&str> = read["todos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries.len(), 3, "{summaries:?}");
    assert!(!summaries.contains(&"Already done") && !summaries.contains(&"Someday"));
    assert!(!summaries.contains(&"Not yours"));

    let feed_rent = todo_titled(&read, title);
    let uid = feed_rent["uid"].as_str().unwrap();
    assert!(
        uid.starts_with(&format!("{}@", rent["id"].as_str().unwrap())),
        "{uid}"
    );
    assert_eq!(feed_rent["description"], notes);
    assert_eq!(feed_rent["categories"], json!(["Home, sweet; home"]));
    assert_eq!(feed_rent["priority"], 1);
    assert_eq!(feed_rent["status"], "NEEDS-ACTION");
    assert_eq!(
        feed_rent["due"],
        json!({
            "local": "2026-07-01T09:00:00",
            "tzid": "Europe/Berlin",
            "utc": "2026-07-01T07:00:00+00:00",
        })
    );
    assert_eq!(feed_rent["dtstart"], feed_rent["due"]);
    let rule = feed_rent["rrule"].as_str().unwrap();
    for part in ["FREQ=MONTHLY", "BYMONTHDAY=1", "UNTIL=20261231T225959Z"] {
        assert!(rule.contains(part), "{rule} lacks {part}");
    }
    let triggers: Vec<(f64, &str)> = feed_rent["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|alarm| {
            assert_eq!(alarm["action"], "DISPLAY");
            assert_eq!(alarm["description"], title);
            (
                alarm["seconds"].as_f64().unwrap(),
                alarm["related"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(triggers, vec![(0.0, "END"), (-3600.0, "END")]);
    assert!(feed_rent["last_modified"]["utc"].is_string());

    // A date without a time: a date, reminding the day before at the
    // user's time of day (09:00), 15 hours before the day starts.
    let plants = todo_titled(&read, "Water the plants");
    assert_eq!(plants["due"], json!({ "date": "2026-01-10" }));
    assert_eq!(plants["dtstart"], Value::Null);
    assert_eq!(plants["rrule"], Value::Null);
    assert_eq!(plants["priority"], 9);
    assert_eq!(plants["alarms"][0]["seconds"], -15.0 * 3600.0);

    // 02:30 on the day Berlin skips it reads as the time after the gap,
    // as the app counts it; a title folded over many lines reads back.
    let skipped = todo_titled(&read, &long_title);
    assert_eq!(skipped["due"]["utc"], "2026-03-29T01:30:00+00:00");
    assert_eq!(skipped["priority"], Value::Null);

    // The file's own VTIMEZONE, read without looking the name up, gives
    // Berlin's offsets on both sides of the change.
    let zone = &read["zones"]["Europe/Berlin"];
    assert_eq!(zone["offsets"]["2026-01-15T12:00:00"], 3600.0, "{zone}");
    assert_eq!(zone["offsets"]["2026-07-15T12:00:00"], 7200.0, "{zone}");
    assert_eq!(zone["offsets"]["2026-03-29T00:30:00"], 3600.0, "{zone}");
    assert_eq!(zone["offsets"]["2026-03-29T01:30:00"], 7200.0, "{zone}");
}

#[tokio::test]
async fn new_york_reads_its_own_zone_and_a_repeated_hour_as_the_first() {
    let app = spawn_app().await;
    let token = app.api_user_in("America/New_York").await;
    app.todo_with(
        &token,
        json!({ "title": "Fall back", "due": "2026-11-01T01:30:00" }),
    )
    .await;
    let url = app.make_feed(&token).await;
    let read = read_ical(&app.fetch_feed(&url, None).await.body);
    let todo = todo_titled(&read, "Fall back");
    assert_eq!(todo["due"]["tzid"], "America/New_York");
    assert_eq!(todo["due"]["utc"], "2026-11-01T05:30:00+00:00");
    let zone = &read["zones"]["America/New_York"];
    assert_eq!(zone["offsets"]["2026-11-01T05:30:00"], -14400.0, "{zone}");
    assert_eq!(zone["offsets"]["2026-11-01T06:30:00"], -18000.0, "{zone}");
}

#[tokio::test]
async fn a_user_on_utc_gets_utc_times_and_no_vtimezone() {
    let app = spawn_app().await;
    let token = app.api_user_in("UTC").await;
    app.todo_with(
        &token,
        json!({ "title": "Standup", "due": "2026-12-24T15:00:00" }),
    )
    .await;
    let url = app.make_feed(&token).await;
    let fetched = app.fetch_feed(&url, None).await;
    assert!(!fetched.body.contains("VTIMEZONE"), "{}", fetched.body);
    let read = read_ical(&fetched.body);
    assert_eq!(
        todo_titled(&read, "Standup")["due"]["utc"],
        "2026-12-24T15:00:00+00:00"
    );
}

#[tokio::test]
async fn an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;
    let todo = app
        .todo_with(
            &token,
            json!({ "title": "Dentist", "due": "2026-12-10T10:00:00" }),
        )
        .await;
    let url = app.make_feed(&token).await;
    let first = app.fetch_feed(&url, None).await;
    let etag = first.etag.clone().expect("an ETag");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    // The same rows give the same bytes.
    assert_eq!(app.fetch_feed(&url, None).await.body, first.body);

    let unchanged = app.fetch_feed(&url, Some(&etag)).await;
    assert_eq!(unchanged.status, 304);
    assert_eq!(unchanged.body, "");
    assert_eq!(unchanged.etag.as_deref(), Some(etag.as_str()));
    let listed = app
        .fetch_feed(&url, Some(&format!("\"other\", W/{etag}")))
        .await;
    assert_eq!(listed.status, 304);

    app.api_ok(
        Method::PATCH,
        &format!("/todos/{}", todo["id"].as_str().unwrap()),
        &token,
        Some(json!({ "title": "Dentist at 11" , "due": "2026-12-10T11:00:00" })),
    )
    .await;
    let changed = app.fetch_feed(&url, Some(&etag)).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.etag.as_deref(), Some(etag.as_str()));
    assert!(changed.body.contains("SUMMARY:Dentist at 11"));
}

#[tokio::test]
async fn a_replaced_or_turned_off_address_answers_404_and_guesses_find_nothing() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let none = app
        .api_send(Method::GET, "/calendar-feed", Some(&token), None)
        .await;
    assert_eq!(none.status, 404);

    let old = app.make_feed(&token).await;
    let secret = old
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics")
        .to_owned();
    assert_eq!(secret.len(), 43, "{old}");
    assert_eq!(app.fetch_feed(&old, None).await.status, 200);
    let state = app
        .api_ok(Method::GET, "/calendar-feed", &token, None)
        .await;
    assert!(state["created_at"].is_string(), "{state}");
    assert!(
        state.get("url").is_none(),
        "the address is shown once: {state}"
    );

    let new = app.make_feed(&token).await;
    assert_ne!(new, old);
    let stale = app.fetch_feed(&old, None).await;
    assert_eq!(stale.status, 404);
    assert!(
        stale.body.contains("replaced or turned off"),
        "{}",
        stale.body
    );
    assert_eq!(app.fetch_feed(&new, None).await.status, 200);

    // Guesses: a changed character, the wrong case of the extension, no
    // extension, too short or long, path tricks.
    let mut flipped = secret.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for path in [
        format!("/calendar/{flipped}.ics"),
        format!("/calendar/{secret}.ICS"),
        format!("/calendar/{secret}"),
        format!("/calendar/{}.ics", &secret[..42]),
        format!("/calendar/{secret}A.ics"),
        "/calendar/..%2F..%2Fetc%2Fpasswd.ics".to_owned(),
        "/calendar/.ics".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    let post = reqwest::Client::new()
        .post(app.url(&format!("/calendar/{secret}.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);

    let off = app
        .api_send(Method::DELETE, "/calendar-feed", Some(&token), None)
        .await;
    assert_eq!(off.status, 204);
    assert_eq!(app.fetch_feed(&new, None).await.status, 404);
    let again = app
        .api_send(Method::DELETE, "/calendar-feed", Some(&token), None)
        .await;
    assert_eq!(again.status, 404);
    let events = app.api_ok(Method::GET, "/auth/events", &token, None).await;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|kind| **kind == "calendar_feed_made")
            .count(),
        2,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"calendar_feed_turned_off"), "{kinds:?}");
}

#[tokio::test]
async fn a_personal_token_cannot_make_a_feed_and_ending_the_sessions_ends_it() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let script = app
        .api_ok(
            Method::POST,
            "/auth/tokens",
            &token,
            Some(json!({ "name": "script", "scope": "write" })),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app
        .api_send(Method::POST, "/calendar-feed", Some(&script), None)
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.problem_code(403), "session_required");
    assert!(
        app.api_send(Method::GET, "/calendar-feed", None, None)
            .await
            .status
            == 401
    );

    let url = app.make_feed(&token).await;
    assert_eq!(app.fetch_feed(&url, None).await.status, 200);
    let everywhere = app
        .post_form("/api/auth/signout-everywhere", &[], Some(&token))
        .await;
    assert!(
        everywhere.status().is_success() || everywhere.status().is_redirection(),
        "{}",
        everywhere.status()
    );
    assert_eq!(app.fetch_feed(&url, None).await.status, 404);
}

#[tokio::test]
async fn fetches_past_the_hours_budget_get_429_however_many_come_at_once() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.todo_with(&token, json!({ "title": "Polled", "due": "2026-12-01" }))
        .await;
    let url = app.make_feed(&token).await;
    let fetches = (0..130).map(|_| app.fetch_feed(&url, None));
    let answers = futures::future::join_all(fetches).await;
    let served = answers.iter().filter(|answer| answer.status == 200).count();
    let refused: Vec<&Fetched> = answers
        .iter()
        .filter(|answer| answer.status == 429)
        .collect();
    assert_eq!(served, 120, "the budget is 120 an hour");
    assert_eq!(refused.len(), 10);
    assert!(refused[0].body.contains("Too many"), "{}", refused[0].body);

    // Another account's feed has its own budget.
    let other = app.api_user().await;
    let other_url = app.make_feed(&other).await;
    assert_eq!(app.fetch_feed(&other_url, None).await.status, 200);
}

#[tokio::test]
async fn a_feed_holds_the_2000_soonest_todos_with_long_notes_cut() {
    let app = spawn_app().await;
    let token = app.api_user_in("Europe/Berlin").await;
    let owner = app.owner(&token).await;
    // 9,000 todos: every third due and every fourth done, so 2,250 are
    // open and dated, each with 3,000 characters of notes.
    app.seed_todos(
        owner.user_id,
        owner.inbox_id,
        Todos {
            title: "Seeded",
            count: 9_000,
            notes_chars: 3_000,
        },
    )
    .await;
    // One due before all of them, one after: the first is in, the last
    // is not.
    app.todo_with(&token, json!({ "title": "Soonest", "due": "2026-01-02" }))
        .await;
    app.todo_with(&token, json!({ "title": "Latest", "due": "2030-01-02" }))
        .await;
    let url = app.make_feed(&token).await;
    let fetched = app.fetch_feed(&url, None).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body.matches("BEGIN:VTODO").count(), 2_000);
    assert!(fetched.body.contains("SUMMARY:Soonest"));
    assert!(!fetched.body.contains("SUMMARY:Latest"));
    let read = read_ical(&fetched.body);
    let todos = read["todos"].as_array().unwrap();
    assert_eq!(todos.len(), 2_000);
    let seeded = todos
        .iter()
        .find(|todo| todo["summary"] != "Soonest")
        .unwrap();
    let description = seeded["description"].as_str().unwrap();
    assert_eq!(description.chars().count(), 2_001, "2,000 and the \u{2026}");
    assert!(description.ends_with('\u{2026}'));
}
