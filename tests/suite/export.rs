//! Exports are streamed from one snapshot of the account: the JSON
//! document is byte for byte the pretty-printed export it always was, the
//! CSV file keeps its columns, every todo appears once in its list's order
//! across pages; one export per account runs at a time and a bounded number
//! per instance (429 past either); a download nobody reads is cut off and
//! frees its place; and no export holds another user's data.

use crate::common;

use std::{collections::HashSet, time::Duration};

use common::{
    TestApp,
    accounts::{PASSWORD, session_token, unique_email},
    seed::Todos,
    spawn_app, spawn_app_configured,
};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use taskward::transfer::Export;

/// Large enough that a client that reads nothing leaves its export
/// running: far more than the socket buffers and the chunks written ahead.
const HELD_EXPORT: Todos<'static> = Todos {
    title: "Held",
    count: 5_000,
    notes_chars: 5_000,
};

/// How long a test waits for a place to be freed (generous: CI is slow).
const FREED_WITHIN: Duration = Duration::from_secs(30);

impl TestApp {
    /// The export's response, headers read, its body not yet.
    async fn start_export(&self, token: &str, format: &str) -> Response {
        self.api(
            Method::GET,
            &format!("/export?format={format}"),
            Some(token),
        )
        .send()
        .await
        .unwrap()
    }

    /// The whole export, checked complete.
    async fn export_bytes(&self, token: &str, format: &str) -> Vec<u8> {
        let response = self.start_export(token, format).await;
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("the whole export").to_vec()
    }

    /// A new API account, its email and token.
    async fn account(&self) -> (String, String) {
        let email = unique_email();
        let answer = self.register(&email, PASSWORD).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let token = answer.body["access_token"].as_str().unwrap().to_owned();
        (email, token)
    }

    /// A new API account with [`HELD_EXPORT`] in its Inbox; its token.
    async fn large_account(&self) -> String {
        let (_, token) = self.account().await;
        let owner = self.owner(&token).await;
        self.seed_todos(owner.user_id, owner.inbox_id, HELD_EXPORT)
            .await;
        token
    }

    /// Asks for `token`'s export until it is accepted (its earlier one has
    /// ended); the accepted response.
    async fn export_once_free(&self, token: &str, format: &str) -> Response {
        let deadline = tokio::time::Instant::now() + FREED_WITHIN;
        loop {
            let response = self.start_export(token, format).await;
            if response.status() == 200 {
                return response;
            }
            assert_eq!(response.status(), 429);
            assert!(
                tokio::time::Instant::now() < deadline,
                "the export's place was not freed within {FREED_WITHIN:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Asserts a 429 problem with `Retry-After` whose detail contains `says`.
async fn assert_busy(response: Response, says: &str) {
    let answer = common::api::Answer::from(response).await;
    let problem = answer.problem(429);
    assert_eq!(answer.header("retry-after"), "10");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(says), "{detail}");
}

/// The todos of each list of a JSON export, by list name.
fn todos_by_list(export: &Value) -> Vec<(String, Vec<Value>)> {
    export["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|list| {
            (
                list["name"].as_str().unwrap().to_owned(),
                list["todos"].as_array().unwrap().clone(),
            )
        })
        .collect()
}

/// An account with lists, awkward text, due dates, a completed todo, an
/// empty list, and an Inbox of 451 todos (three pages' worth); its token.
async fn varied_account(app: &TestApp) -> String {
    let (_, token) = app.account().await;
    app.api_ok(
        Method::PATCH,
        "/auth/me",
        &token,
        Some(json!({ "time_zone": "Europe/Berlin" })),
    )
    .await;
    let work = app
        .api_ok(
            Method::POST,
            "/lists",
            &token,
            Some(json!({ "name": "Wörk, \"quoted\"" })),
        )
        .await;
    app.api_ok(
        Method::POST,
        "/lists",
        &token,
        Some(json!({ "name": "Empty list" })),
    )
    .await;
    for (title, due, notes) in [
        (
            "Timed",
            Some("2026-12-24T15:30:00+01:00"),
            "Line one\nLine \"two\", a comma",
        ),
        ("Dated", Some("2026-12-24"), "a tab\t and a \\ backslash"),
        ("Ünïcödé ✓ 日本 🎉", None, "ß\r\nwindows line"),
    ] {
        let mut body = json!({ "title": title, "notes": notes, "priority": "high",
                               "list_id": work["id"] });
        if let Some(due) = due {
            body["due"] = json!(due);
        }
        let todo = app.api_ok(Method::POST, "/todos", &token, Some(body)).await;
        if title == "Dated" {
            app.api_ok(
                Method::PATCH,
                &format!("/todos/{}", todo["id"].as_str().unwrap()),
                &token,
                Some(json!({ "completed": true })),
            )
            .await;
        }
    }
    app.add_todo(&token, "Added on top").await;
    let owner = app.owner(&token).await;
    app.seed_todos(
        owner.user_id,
        owner.inbox_id,
        Todos {
            title: "Seeded",
            count: 450,
            notes_chars: 300,
        },
    )
    .await;
    token
}

#[tokio::test]
async fn the_json_export_is_the_export_document_pretty_printed_byte_for_byte() {
    let app = spawn_app().await;
    let token = varied_account(&app).await;
    let bytes = app.export_bytes(&token, "json").await;

    // What the export was before it was streamed: the whole document,
    // serialized pretty by serde_json.
    let document: Export = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        String::from_utf8(serde_json::to_vec_pretty(&document).unwrap()).unwrap(),
        String::from_utf8(bytes.clone()).unwrap()
    );
    assert!(bytes.starts_with(b"{\n  \"format\": \"taskward\",\n  \"version\": 1,\n"));

    let export: Value = serde_json::from_slice(&bytes).unwrap();
    let lists = todos_by_list(&export);
    let names: Vec<&str> = lists.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Inbox", "Wörk, \"quoted\"", "Empty list"]);
    // The Inbox across three pages: each todo once, in its order.
    let inbox = &lists[0].1;
    assert_eq!(inbox.len(), 451);
    assert_eq!(inbox[0]["title"], "Added on top");
    let seeded: Vec<String> = (0..450).map(|n| format!("Seeded {n}")).collect();
    let titles: Vec<&str> = inbox[1..]
        .iter()
        .map(|todo| todo["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, seeded);
    let positions: Vec<&str> = inbox
        .iter()
        .map(|todo| todo["position"].as_str().unwrap())
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
    // Every field of the others, as the API shows them.
    let work = &lists[1].1;
    let shown = app
        .api_ok(
            Method::GET,
            &format!("/todos?list={}", export["lists"][1]["id"].as_str().unwrap()),
            &token,
            None,
        )
        .await;
    assert_eq!(work.len(), 3);
    for (exported, shown) in work.iter().zip(shown["items"].as_array().unwrap()) {
        for field in [
            "id",
            "title",
            "notes",
            "completed",
            "priority",
            "due",
            "position",
        ] {
            assert_eq!(exported[field], shown[field], "{field}");
        }
    }
    let timed = work.iter().find(|todo| todo["title"] == "Timed").unwrap();
    assert_eq!(timed["due"], "2026-12-24T15:30:00+01:00");
    assert!(lists[2].1.is_empty());
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("\"todos\": []\n    }\n  ]\n}")
    );
}

#[tokio::test]
async fn the_csv_export_keeps_its_columns_bom_and_line_ends_with_every_todo_once() {
    let app = spawn_app().await;
    let token = varied_account(&app).await;
    let export: Value = serde_json::from_slice(&app.export_bytes(&token, "json").await).unwrap();
    let bytes = app.export_bytes(&token, "csv").await;
    let text = String::from_utf8(bytes).unwrap();
    let body = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(body.starts_with(
        "title,list,due,priority,notes,completed,created_at,updated_at,repeat,repeat_from,reminders\r\n"
    ));
    assert!(body.ends_with("\r\n"));

    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected: Vec<(String, Value)> = todos_by_list(&export)
        .into_iter()
        .flat_map(|(list, todos)| todos.into_iter().map(move |todo| (list.clone(), todo)))
        .collect();
    assert_eq!(rows.len(), expected.len());
    assert_eq!(rows.len(), 454);
    for (row, (list, todo)) in rows.iter().zip(&expected) {
        assert_eq!(&row[0], todo["title"].as_str().unwrap());
        assert_eq!(&row[1], list);
        assert_eq!(&row[3], todo["priority"].as_str().unwrap());
        assert_eq!(&row[4], todo["notes"].as_str().unwrap());
        assert_eq!(&row[5], todo["completed"].to_string());
        let instant = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap();
        assert_eq!(
            instant(&row[6]),
            instant(todo["created_at"].as_str().unwrap())
        );
    }
    let timed = rows.iter().find(|row| &row[0] == "Timed").unwrap();
    assert_eq!(&timed[2], "2026-12-24 15:30");
    let seeded = rows.iter().find(|row| &row[0] == "Seeded 3").unwrap();
    assert_eq!(&seeded[2], "2026-12-24");
}

#[tokio::test]
async fn a_second_export_of_an_account_while_its_first_runs_gets_429_and_other_accounts_are_served()
{
    let app = spawn_app_configured(|config| config.database_max_connections = 8).await;
    let (email, token) = app.account().await;
    let owner = app.owner(&token).await;
    app.seed_todos(owner.user_id, owner.inbox_id, HELD_EXPORT)
        .await;
    let cookie = session_token(&app.sign_in(&email, PASSWORD).await).unwrap();

    // A download that is started and not read: its export keeps running.
    let first = app.start_export(&token, "json").await;
    assert_eq!(first.status(), 200);
    for format in ["json", "csv"] {
        assert_busy(
            app.start_export(&token, format).await,
            "An export of your data is already running",
        )
        .await;
    }
    // The account page's download says the same, to a person.
    let page = app.get_with_cookie("/account/export.csv", &cookie).await;
    assert_eq!(page.status(), 429);
    assert_eq!(page.headers()["retry-after"], "10");
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("An export of your data is already running")
    );

    // Another account's export is not refused, and is whole.
    let (_, other) = app.account().await;
    app.add_todo(&other, "Someone else's").await;
    let export: Value = serde_json::from_slice(&app.export_bytes(&other, "json").await).unwrap();
    assert_eq!(export["lists"][0]["todos"][0]["title"], "Someone else's");

    // Once the first download is abandoned, the account exports again.
    drop(first);
    let again = app.export_once_free(&token, "csv").await;
    let csv = again.bytes().await.unwrap();
    assert_eq!(
        csv.split(|byte| *byte == b'\n').count(),
        HELD_EXPORT.count + 2
    );
}

#[tokio::test]
async fn exports_past_the_instance_bound_get_429_until_one_ends() {
    // A pool of 8 connections runs 8 / POOL_CONNECTIONS_PER_EXPORT exports.
    let app = spawn_app_configured(|config| config.database_max_connections = 8).await;
    let bound = 8 / taskward::transfer::stream::POOL_CONNECTIONS_PER_EXPORT as usize;
    let mut running = Vec::new();
    for _ in 0..bound {
        let token = app.large_account().await;
        let response = app.start_export(&token, "csv").await;
        assert_eq!(response.status(), 200);
        running.push(response);
    }
    let (_, token) = app.account().await;
    assert_busy(
        app.start_export(&token, "json").await,
        "Too many exports are running",
    )
    .await;
    // The rest of the app is not held up meanwhile.
    app.add_todo(&token, "Still served").await;

    running.pop();
    let export = app.export_once_free(&token, "json").await;
    let export: Value = serde_json::from_slice(&export.bytes().await.unwrap()).unwrap();
    assert_eq!(export["lists"][0]["todos"][0]["title"], "Still served");
}

#[tokio::test]
async fn a_download_that_is_not_read_is_cut_off_and_frees_its_place() {
    // The request timeout is also how long a download may take no bytes.
    let app = spawn_app_configured(|config| {
        config.limits.request_timeout = Duration::from_secs(1);
    })
    .await;
    let token = app.large_account().await;
    let stalled = app.start_export(&token, "json").await;
    assert_eq!(stalled.status(), 200);

    // Its place is freed once it has stalled for the timeout.
    drop(app.export_once_free(&token, "csv").await);
    // What it had written arrives, then the download fails: it does not
    // end as if the file were whole.
    assert!(stalled.bytes().await.is_err());
}

#[tokio::test]
async fn an_export_never_contains_another_users_data() {
    // Room for two exports at once.
    let app = spawn_app_configured(|config| config.database_max_connections = 8).await;
    let mut accounts = Vec::new();
    for name in ["Ann", "Bob"] {
        let (email, token) = app.account().await;
        // The same list name in both accounts.
        let work = app
            .api_ok(
                Method::POST,
                "/lists",
                &token,
                Some(json!({ "name": "Work" })),
            )
            .await;
        app.add_todo(&token, &format!("{name} by hand")).await;
        accounts.push((name, email, token, work));
    }
    // Rows of both accounts interleaved in the tables.
    for round in 0..2 {
        for (name, _, token, work) in &accounts {
            let owner = app.owner(token).await;
            let list = if round == 0 {
                owner.inbox_id
            } else {
                uuid::Uuid::parse_str(work["id"].as_str().unwrap()).unwrap()
            };
            let title = format!("{name} seeded");
            app.seed_todos(
                owner.user_id,
                list,
                Todos {
                    title: &title,
                    count: 250,
                    notes_chars: 10,
                },
            )
            .await;
        }
    }

    // Both accounts' at once, in both formats.
    let exports = futures::future::join_all(accounts.iter().map(|(_, _, token, _)| async {
        [
            app.export_bytes(token, "json").await,
            app.export_bytes(token, "csv").await,
        ]
    }))
    .await;
    for (index, (name, email, _, _)) in accounts.iter().enumerate() {
        let (other, other_email, _, _) = &accounts[1 - index];
        let json: Value = serde_json::from_slice(&exports[index][0]).unwrap();
        assert_eq!(json["account"]["email"], email.as_str());
        let titles: Vec<&str> = json["lists"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|list| list["todos"].as_array().unwrap())
            .map(|todo| todo["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles.len(), 501);
        assert!(
            titles.iter().all(|title| title.starts_with(name)),
            "{titles:?}"
        );
        let ids: HashSet<&str> = json["lists"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|list| list["todos"].as_array().unwrap())
            .map(|todo| todo["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 501);
        for bytes in &exports[index] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains(*other),
                "{name}'s export has {other}'s todos"
            );
            assert!(!text.contains(other_email.as_str()));
        }
    }
}

#[tokio::test]
async fn exports_one_right_after_another_are_each_served() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Once").await;
    // Each ends before its client sees the end of the file, so the next
    // is never refused as running alongside it.
    for format in ["json", "csv", "json", "csv", "json", "csv"] {
        let file = app.export_bytes(&token, format).await;
        assert!(String::from_utf8(file).unwrap().contains("Once"));
    }
}
