//! Export and import: a round trip into another account recreates every
//! field; CSV files with every awkward thing a spreadsheet writes; a file
//! with one bad line imports nothing; the size limit and the rate limit;
//! the account page's download and upload; formula-like cells; and files
//! shaped to cost the server: each refused quickly with a short answer
//! while the server keeps answering.

use crate::common;

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use common::{TestApp, accounts::COOKIE, site::titles, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;
use taskward::{
    auth::attempts::IMPORTS_PER_HOUR,
    db::Backend,
    transfer::{MAX_CSV_COLUMNS, MAX_IMPORT_BYTES, MAX_PROBLEM_BYTES, MAX_REPORT_BYTES},
};

impl TestApp {
    async fn export(&self, token: &str) -> Value {
        self.api_ok(Method::GET, "/export", token, None).await
    }

    async fn import(
        &self,
        token: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> common::api::Answer {
        let response = self
            .api(Method::POST, "/import", Some(token))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        common::api::Answer::from(response).await
    }

    /// Uploads `bytes` as the file `name` from the account page.
    async fn upload(&self, token: &str, name: &'static str, bytes: Vec<u8>) -> reqwest::Response {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        self.client
            .post(self.url("/account/import"))
            .header("sec-fetch-site", "same-origin")
            .header("cookie", format!("{COOKIE}={token}"))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// The account page an upload returned to, with its report.
    async fn report_page(&self, token: &str, upload: reqwest::Response) -> String {
        assert_eq!(upload.status(), 303);
        let location = upload.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/account?import="), "{location}");
        self.get_with_cookie(&location, token)
            .await
            .text()
            .await
            .unwrap()
    }

    /// The kept import reports, each as its message and its problems.
    async fn stored_reports(&self) -> Vec<(String, String)> {
        let query = "SELECT message, problems FROM import_reports";
        match self.backend {
            Backend::Sqlite => {
                let mut connection = sqlx::SqliteConnection::connect(&self.database_url)
                    .await
                    .unwrap();
                sqlx::query_as(query).fetch_all(&mut connection).await
            }
            Backend::Postgres => {
                let mut connection = sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .unwrap();
                sqlx::query_as(query).fetch_all(&mut connection).await
            }
        }
        .unwrap()
    }

    /// The user's todos as the CSV export writes them.
    async fn csv_export(&self, token: &str) -> String {
        let response = self
            .api(Method::GET, "/export?format=csv", Some(token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    async fn all_todos(&self, token: &str) -> Vec<Value> {
        let page = self
            .api_ok(Method::GET, "/todos?limit=100", token, None)
            .await;
        page["items"].as_array().unwrap().clone()
    }
}

/// An export without what differs between two accounts (ids, the email,
/// the time of export), for comparing.
fn comparable(export: &Value) -> Value {
    let mut export = export.clone();
    export["exported_at"] = Value::Null;
    export["account"]["email"] = Value::Null;
    for list in export["lists"].as_array_mut().unwrap() {
        list["id"] = Value::Null;
        if list["inbox"] == true {
            // Each account's Inbox was made when the account was.
            list["created_at"] = Value::Null;
            list["updated_at"] = Value::Null;
        }
        for todo in list["todos"].as_array_mut().unwrap() {
            todo["id"] = Value::Null;
        }
    }
    export
}

#[tokio::test]
async fn an_export_imported_into_another_account_recreates_every_field() {
    let app = spawn_app().await;
    let (source, target) = (app.api_user().await, app.api_user().await);
    for token in [&source, &target] {
        app.api_ok(
            Method::PATCH,
            "/auth/me",
            token,
            Some(json!({ "time_zone": "Europe/Berlin" })),
        )
        .await;
    }
    let work = app
        .api_ok(
            Method::POST,
            "/lists",
            &source,
            Some(json!({ "name": "Work" })),
        )
        .await;
    app.api_ok(
        Method::POST,
        "/lists",
        &source,
        Some(json!({ "name": "Empty list" })),
    )
    .await;
    let work_id = work["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for (title, due, priority, notes) in [
        ("Plain", None, "none", ""),
        ("Dated", Some("2026-12-24"), "low", ""),
        (
            "Timed",
            Some("2026-12-24T15:30:00+01:00"),
            "high",
            "Line one\nLine \"two\", with a comma",
        ),
        ("Ünïcödé ✓ 日本", None, "medium", "ß"),
    ] {
        let mut body =
            json!({ "title": title, "priority": priority, "notes": notes, "list_id": work_id });
        if let Some(due) = due {
            body["due"] = json!(due);
        }
        let todo = app
            .api_ok(Method::POST, "/todos", &source, Some(body))
            .await;
        ids.push(todo["id"].as_str().unwrap().to_owned());
    }
    app.add_todo(&source, "In the Inbox").await;
    app.api_ok(
        Method::PATCH,
        &format!("/todos/{}", ids[1]),
        &source,
        Some(json!({ "completed": true })),
    )
    .await;
    // A manual order that is not the order of creation.
    app.api_ok(
        Method::POST,
        &format!("/todos/{}/move", ids[3]),
        &source,
        Some(json!({ "after": ids[0] })),
    )
    .await;

    let export = app.export(&source).await;
    assert_eq!(export["format"], "taskward");
    assert_eq!(export["version"], 1);
    assert_eq!(export["lists"].as_array().unwrap().len(), 3);
    let work_todos = &export["lists"][1]["todos"];
    assert_eq!(work_todos.as_array().unwrap().len(), 4);

    let answer = app
        .import(
            &target,
            "application/json",
            serde_json::to_vec(&export).unwrap(),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["todos_imported"], 5);
    assert_eq!(answer.body["lists_created"], 2);

    let recreated = app.export(&target).await;
    assert_eq!(comparable(&recreated), comparable(&export));
    // The pages show the same order too.
    let target_work = recreated["lists"][1]["id"].as_str().unwrap();
    let source_page = app
        .api_ok(
            Method::GET,
            &format!("/todos?list={work_id}"),
            &source,
            None,
        )
        .await;
    let target_page = app
        .api_ok(
            Method::GET,
            &format!("/todos?list={target_work}"),
            &target,
            None,
        )
        .await;
    assert_eq!(titles(&source_page), titles(&target_page));

    // The same file again goes on top of the existing lists: nothing lost,
    // no duplicate lists.
    let again = app
        .import(
            &target,
            "application/json",
            serde_json::to_vec(&export).unwrap(),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["lists_created"], 0);
    let lists = app.api_ok(Method::GET, "/lists", &target, None).await;
    assert_eq!(lists["items"].as_array().unwrap().len(), 3);
    assert_eq!(app.all_todos(&target).await.len(), 10);
}

#[tokio::test]
async fn csv_files_with_quotes_commas_line_breaks_a_bom_and_windows_line_ends_import() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let csv = "\u{feff}Title,List,Due,Priority,Notes,Completed,Source\r\n\
               \"Buy milk, eggs\",Groceries,2026-12-24,high,,no,app\r\n\
               \"Say \"\"hi\"\"\",,2026-12-24 15:30,,\"line one\r\nline two\",yes,app\r\n\
               Ünïcödé ✓ 日本,groceries,,Low,ß,x,\r\n\
               ,,,,,,\r\n\
               Last,Inbox,,,,,\r\n";
    let answer = app.import_csv(&token, csv).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["todos_imported"], 4);
    assert_eq!(answer.body["lists_created"], 1);
    assert_eq!(answer.body["ignored_columns"], json!(["Source"]));

    let todos = app.all_todos(&token).await;
    let by_title = |title: &str| {
        todos
            .iter()
            .find(|todo| todo["title"] == title)
            .unwrap_or_else(|| panic!("{title} not imported: {todos:?}"))
            .clone()
    };
    let milk = by_title("Buy milk, eggs");
    assert_eq!(
        (milk["due"].as_str(), milk["priority"].as_str()),
        (Some("2026-12-24"), Some("high"))
    );
    let hi = by_title("Say \"hi\"");
    assert_eq!(hi["notes"], "line one\nline two");
    assert_eq!(hi["completed"], true);
    assert_eq!(hi["due"], "2026-12-24T15:30:00+00:00");
    let unicode = by_title("Ünïcödé ✓ 日本");
    assert_eq!(
        unicode["list_id"], milk["list_id"],
        "list names match whatever their case"
    );
    assert_eq!(
        (unicode["priority"].as_str(), unicode["completed"].as_bool()),
        (Some("low"), Some(true))
    );
    let inbox = app
        .api_ok(Method::GET, "/todos?list=inbox", &token, None)
        .await;
    assert_eq!(
        titles(&inbox),
        ["Say \"hi\"", "Last"],
        "file order, on top of the Inbox"
    );

    // The CSV export reads back.
    let response = app
        .api(Method::GET, "/export?format=csv", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let exported = response.text().await.unwrap();
    assert!(
        exported.starts_with(
            "\u{feff}title,list,due,priority,notes,completed,created_at,updated_at,repeat,repeat_from,reminders\r\n"
        )
    );
    assert!(
        exported.contains(
            "\"Say \"\"hi\"\"\",Inbox,2026-12-24 15:30,none,\"line one\nline two\",true,"
        ),
        "{exported}"
    );
    let other = app.api_user().await;
    let answer = app.import_csv(&other, &exported).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["todos_imported"], 4);
    assert_eq!(
        answer.body["ignored_columns"],
        json!(["created_at", "updated_at"])
    );
}

#[tokio::test]
async fn a_file_with_bad_lines_imports_nothing_and_says_which_lines() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    app.add_todo(&token, "Already here").await;
    let csv = "title,due,priority,completed\n\
               Fine,2026-12-24,,\n\
               \"Multi\nline\",2026-12-25,,\n\
               Bad date,31/02,,\n\
               ,2026-12-24,,\n\
               Bad priority,,urgent,\n\
               Bad done,,,maybe\n\
               Too many,,,,extra\n";
    let answer = app.import_csv(&token, csv).await;
    let problem = answer.problem(422);
    assert_eq!(problem["type"], "urn:taskward:problem:invalid_import");
    let details: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details.len(), 5, "{details:?}");
    assert_eq!(
        details[0],
        "line 5: the due date \u{201c}31/02\u{201d} is not a date (use 2026-12-24, or 2026-12-24 15:00)"
    );
    assert!(
        details[1].starts_with("line 6: A todo needs a title"),
        "{details:?}"
    );
    assert!(
        details[2].starts_with("line 7: \u{201c}urgent\u{201d} is not a priority"),
        "{details:?}"
    );
    assert!(details[3].starts_with("line 8: "), "{details:?}");
    assert!(
        details[4].starts_with("line 9: it has 5 values"),
        "{details:?}"
    );
    assert_eq!(problem["errors"][0]["line"], 5);
    assert_eq!(
        titles(&json!({ "items": app.all_todos(&token).await })),
        ["Already here"]
    );
    let lists = app.api_ok(Method::GET, "/lists", &token, None).await;
    assert_eq!(lists["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn empty_foreign_oversized_and_mistyped_files_are_refused_clearly() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    for (content_type, body, status, says) in [
        ("text/csv", "", 422, "The file is empty"),
        ("text/csv", "\u{feff}\r\n", 422, "The file is empty"),
        (
            "text/csv",
            "name_of_thing,when\nx,y\n",
            422,
            "one of them \u{201c}title\u{201d}",
        ),
        ("text/csv", "title\n", 422, "holds no todos"),
        (
            "application/json",
            "{\"hello\": 1}",
            422,
            "not a Taskward export",
        ),
        (
            "application/json",
            "{\"format\":\"other\",\"version\":1,\"exported_at\":\"2026-12-02T00:00:00Z\",\"account\":{\"email\":\"a@b.c\",\"time_zone\":\"UTC\"},\"lists\":[]}",
            422,
            "not a Taskward export",
        ),
        ("application/json", "[1,", 422, "not valid JSON"),
        ("text/plain", "title\nx\n", 415, "text/csv"),
    ] {
        let answer = app.import(&token, content_type, body.to_owned()).await;
        let problem = answer.problem(status);
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{body:?}: {problem}"
        );
    }
    let huge = format!("title\n{}", "x,\n".repeat(3 * 1024 * 1024));
    let answer = app.import(&token, "text/csv", huge).await;
    assert!(
        answer.problem(413)["detail"]
            .as_str()
            .unwrap()
            .contains("8 MiB")
    );
    assert!(app.all_todos(&token).await.is_empty());
}

#[tokio::test]
async fn imports_are_rate_limited_per_account_also_when_sent_at_once() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let files: Vec<String> = (0..14).map(|n| format!("title\nTodo {n}\n")).collect();
    let tries = files.iter().map(|file| app.import_csv(&token, file));
    let answers = futures::future::join_all(tries).await;
    let imported = answers.iter().filter(|answer| answer.status == 200).count();
    let limited: Vec<_> = answers
        .iter()
        .filter(|answer| answer.status == 429)
        .collect();
    assert_eq!((imported, limited.len()), (10, 4));
    assert!(limited[0].headers.contains_key("retry-after"));
    assert_eq!(app.all_todos(&token).await.len(), 10);
    // Another account has its own.
    let other = app.api_user().await;
    assert_eq!(app.import_csv(&other, "title\nMine\n").await.status, 200);
}

#[tokio::test]
async fn the_account_page_downloads_the_export_and_imports_an_upload() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    app.site_ok(&token, "/api/todos/create", &[("title", "From the page")])
        .await;
    let download = app.get_with_cookie("/account/export.json", &token).await;
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"taskward-"),
        "{disposition}"
    );
    let export: Value = download.json().await.unwrap();
    assert_eq!(export["lists"][0]["todos"][0]["title"], "From the page");
    let csv = app.get_with_cookie("/account/export.csv", &token).await;
    assert!(csv.text().await.unwrap().contains("From the page,Inbox,"));
    // Without a session, the downloads send to sign-in.
    let anonymous = app.get("/account/export.json").await;
    assert!(anonymous.status().is_redirection());

    let other = app.web_user().await;
    let response = app
        .upload(
            &other,
            "taskward.json",
            serde_json::to_vec(&export).unwrap(),
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app.report_page(&other, response).await;
    assert!(page.contains("Imported 1 todo."), "{page}");
    // Another user cannot read the report.
    let page = app
        .get_with_cookie(&location, &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Imported 1 todo."));

    let response = app
        .upload(
            &other,
            "todos.csv",
            b"title,due\nOk,\nBroken,31/02\n".to_vec(),
        )
        .await;
    let page = app.report_page(&other, response).await;
    assert!(page.contains("Nothing was imported"), "{page}");
    assert!(
        page.contains("line 3: the due date \u{201c}31/02\u{201d} is not a date"),
        "{page}"
    );

    // A cross-site form cannot import into the account.
    let forged = app
        .client
        .post(app.url("/account/import"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .header("cookie", format!("{COOKIE}={other}"))
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"title\nPwned\n".to_vec()).file_name("x.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let listing = app.listing(&other, &[]).await;
    assert_eq!(titles(&listing["page"]), ["From the page"]);
}

/// `head`, then `row(0)`, `row(1)`, … as long as the whole, with `tail`
/// after, stays within the 8 MiB an import takes.
fn eight_mib(head: &str, row: impl Fn(usize) -> String, tail: &str) -> String {
    let mut file = head.to_owned();
    for n in 0.. {
        let next = row(n);
        if file.len() + next.len() + tail.len() > MAX_IMPORT_BYTES {
            break;
        }
        file.push_str(&next);
    }
    file.push_str(tail);
    file
}

/// A JSON export up to the opening of its lists.
const EXPORT_HEAD: &str = "{\"format\":\"taskward\",\"version\":1,\
    \"exported_at\":\"2026-12-02T00:00:00Z\",\
    \"account\":{\"email\":\"a@b.c\",\"time_zone\":\"UTC\"},\"lists\":[";

/// An export of the Inbox alone, its todos `todo(0)`, `todo(1)`, …
fn export_of_todos(todo: impl Fn(usize) -> String) -> String {
    let head = format!("{EXPORT_HEAD}{{\"name\":\"Inbox\",\"inbox\":true,\"todos\":[");
    eight_mib(
        &head,
        |n| format!("{},", todo(n)),
        "{\"title\":\"last\"}]}]}",
    )
}

/// Files of 8 MiB, each shaped to cost the server (minutes of CPU, or a
/// report of megabytes, before planning had caps): what each is, its
/// type, its bytes, and what the refusal says.
fn costly_files() -> Vec<(&'static str, &'static str, String, &'static str)> {
    vec![
        (
            "CSV naming a new list on every line",
            "text/csv",
            eight_mib("title,list\n", |n| format!("t,list {n}\n"), ""),
            "lists besides the Inbox",
        ),
        (
            "JSON of distinct lists",
            "application/json",
            eight_mib(
                EXPORT_HEAD,
                |n| format!("{{\"name\":\"list {n}\"}},"),
                "{\"name\":\"last\"}]}",
            ),
            "one account keeps at most 200",
        ),
        (
            "JSON of tiny todos",
            "application/json",
            export_of_todos(|_| "{\"title\":\"t\"}".to_owned()),
            "more than 100000 todos",
        ),
        (
            "CSV of tiny todos",
            "text/csv",
            eight_mib("title\n", |_| "t\n".to_owned(), ""),
            "more than 100000 todos",
        ),
        (
            "CSV whose first line is commas",
            "text/csv",
            eight_mib("title", |_| ",".to_owned(), "\nx\n"),
            "an import reads at most",
        ),
        (
            "CSV of millions of columns not read",
            "text/csv",
            eight_mib("title", |n| format!(",c{n}"), "\nx\n"),
            "an import reads at most",
        ),
        (
            "CSV of a bad due date on every line",
            "text/csv",
            eight_mib("title,due\n", |n| format!("t{n},31/02\n"), ""),
            "more than 50 problems",
        ),
        (
            "CSV of one huge title",
            "text/csv",
            eight_mib("title\n\"", |_| "x".to_owned(), "\"\n"),
            "Keep the title to 500 characters",
        ),
        (
            "CSV of one huge due date",
            "text/csv",
            eight_mib("title,due\nt,", |_| "9".to_owned(), "\n"),
            "is not a date",
        ),
        (
            "JSON of one huge value where a number goes",
            "application/json",
            eight_mib(
                "{\"format\":\"taskward\",\"version\":\"",
                |_| "x".to_owned(),
                "\",\"lists\":[]}",
            ),
            "not a Taskward export",
        ),
    ]
}

/// Asserts that a refused import says `says` (in its detail or its first
/// problem), in words that fit the report's bound and a JSON answer not
/// much longer; the answer's size.
fn assert_short_refusal(answer: &common::api::Answer, says: &str) -> usize {
    let problem = answer.problem(422);
    let detail = problem["detail"].as_str().unwrap();
    let listed: Vec<&str> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| error["detail"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default();
    let words = detail.len() + listed.iter().map(|said| said.len()).sum::<usize>();
    assert!(words <= MAX_REPORT_BYTES, "{words} bytes: {problem}");
    let bytes = problem.to_string().len();
    assert!(bytes <= 2 * MAX_REPORT_BYTES, "{bytes} bytes: {problem}");
    assert!(
        detail.contains(says) || listed.first().is_some_and(|first| first.contains(says)),
        "not {says:?}: {problem}"
    );
    bytes
}

#[tokio::test]
async fn files_shaped_to_cost_the_server_are_refused_quickly_with_a_short_answer() {
    let app = spawn_app().await;
    let mut token = String::new();
    for (n, (what, content_type, body, says)) in costly_files().into_iter().enumerate() {
        if n.is_multiple_of(IMPORTS_PER_HOUR as usize) {
            token = app.api_user().await;
        }
        let started = Instant::now();
        let answer = app.import(&token, content_type, body).await;
        let took = started.elapsed();
        let bytes = assert_short_refusal(&answer, says);
        println!(
            "{what}: {} in {took:?}, {bytes} bytes of answer",
            answer.status
        );
        assert!(took < Duration::from_secs(10), "{what} took {took:?}");
        assert!(app.all_todos(&token).await.is_empty());
    }
}

#[tokio::test]
async fn a_file_with_many_problems_lists_the_first_fifty_each_cut_short() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let long_date = "9".repeat(10_000);
    let file = eight_mib("title,due\n", |n| format!("t{n},{long_date}\n"), "");
    let answer = app.import_csv(&token, &file).await;
    assert_short_refusal(
        &answer,
        "the file has more than 50 problems (the first 50 are listed)",
    );
    let errors = answer.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 50);
    assert_eq!(errors[49]["line"], 51);
    for error in errors {
        let detail = error["detail"].as_str().unwrap();
        assert!(detail.len() <= MAX_PROBLEM_BYTES, "{detail}");
        assert!(detail.contains("999…\u{201d} is not a date"), "{detail}");
    }
}

#[tokio::test]
async fn the_server_answers_health_checks_while_it_plans_costly_files() {
    let app = spawn_app().await;
    let tokens = [app.api_user().await, app.api_user().await];
    let files = costly_files();
    // The distinct list names (CSV and JSON) twice each: two of them once
    // froze a 2-core instance for hours.
    let costly: Vec<_> = files.iter().take(2).chain(files.iter().take(2)).collect();
    let done = AtomicBool::new(false);
    let started = Instant::now();
    let imports = async {
        let tries = costly
            .iter()
            .enumerate()
            .map(|(n, (_, content_type, body, _))| {
                app.import(&tokens[n % 2], content_type, body.clone())
            });
        let answers = futures::future::join_all(tries).await;
        done.store(true, Ordering::Release);
        answers
    };
    let health_checks = async {
        let mut waits = Vec::new();
        while !done.load(Ordering::Acquire) {
            let asked = Instant::now();
            let response = app.get("/healthz").await;
            waits.push(asked.elapsed());
            assert_eq!(response.status(), 200);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        waits
    };
    let (answers, waits) = tokio::join!(imports, health_checks);
    for (answer, (_, _, _, says)) in answers.iter().zip(&costly) {
        assert_short_refusal(answer, says);
    }
    let slowest = waits.iter().max().copied().unwrap_or_default();
    println!(
        "{} costly imports at once answered in {:?}; {} health checks meanwhile, the slowest in {slowest:?}",
        costly.len(),
        started.elapsed(),
        waits.len()
    );
    assert!(!waits.is_empty());
    assert!(
        slowest < Duration::from_secs(10),
        "a health check took {slowest:?}"
    );
}

#[tokio::test]
async fn the_account_page_keeps_a_short_report_of_a_file_shaped_to_cost_the_server() {
    let app = spawn_app().await;
    let token = app.web_user().await;
    let commas = eight_mib("title", |_| ",".to_owned(), "\nx\n");
    let upload = app.upload(&token, "commas.csv", commas.into_bytes()).await;
    let page = app.report_page(&token, upload).await;
    assert!(
        page.contains(&format!("an import reads at most {MAX_CSV_COLUMNS}")),
        "{page}"
    );
    let bad_lines = eight_mib("title,due\n", |n| format!("t{n},31/02\n"), "");
    let upload = app.upload(&token, "bad.csv", bad_lines.into_bytes()).await;
    let page = app.report_page(&token, upload).await;
    assert!(page.contains("more than 50 problems"), "{page}");
    // As many columns as an import reads, each name 10,000 characters long.
    let names: Vec<String> = (1..MAX_CSV_COLUMNS)
        .map(|n| format!("{n}{}", "c".repeat(10_000)))
        .collect();
    let columns = format!("title,{}\nx\n", names.join(","));
    let upload = app
        .upload(&token, "columns.csv", columns.into_bytes())
        .await;
    let page = app.report_page(&token, upload).await;
    assert!(
        page.contains("Imported 1 todo. These columns were not read: 1ccc"),
        "{page}"
    );
    let reports = app.stored_reports().await;
    assert_eq!(reports.len(), 3);
    for (message, problems) in reports {
        assert!(
            message.len() + problems.len() <= MAX_REPORT_BYTES,
            "{message}\n{problems}"
        );
    }
}

#[tokio::test]
async fn a_file_holding_u0000_imports_nothing_and_says_where() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    for (csv, line, says) in [
        (
            "title,notes\n\"a\0b\",x\n",
            Some(2),
            "line 2: it holds the character U+0000",
        ),
        (
            "title,So\0urce\nx,y\n",
            None,
            "The first line holds the character U+0000",
        ),
        (
            "title,Source\nfine,y\nx,\"y\0\"\n",
            Some(3),
            "line 3: it holds the character U+0000",
        ),
    ] {
        let answer = app.import_csv(&token, csv).await;
        let problem = answer.problem(422);
        let said = match line {
            Some(line) => {
                assert_eq!(problem["errors"][0]["line"], line, "{problem}");
                problem["errors"][0]["detail"].as_str().unwrap()
            }
            None => problem["detail"].as_str().unwrap(),
        };
        assert!(said.starts_with(says), "{csv:?}: {problem}");
    }
    let export = |title: &str, due: &str| {
        format!(
            "{EXPORT_HEAD}{{\"name\":\"Inbox\",\"inbox\":true,\"todos\":\
             [{{\"title\":\"{title}\",\"due\":\"{due}\"}}]}}]}}"
        )
    };
    let answer = app
        .import(
            &token,
            "application/json",
            export("a\\u0000b", "2026-12-24"),
        )
        .await;
    answer.problem(422);
    assert_eq!(answer.pointers(), ["#/lists/0/todos/0/title"]);
    let answer = app
        .import(&token, "application/json", export("fine", "2026\\u0000"))
        .await;
    answer.problem(422);
    assert_eq!(answer.pointers(), ["#/lists/0/todos/0/due"]);
    assert!(
        !answer.body.to_string().contains("\\u0000"),
        "{}",
        answer.body
    );
    assert!(app.all_todos(&token).await.is_empty());

    // The account page keeps its report of each (PostgreSQL cannot store
    // U+0000) and writes nothing.
    let web = app.web_user().await;
    for (name, file) in [
        ("names.csv", b"title,So\0urce\nx,y\n".to_vec()),
        ("cells.csv", b"title\nfine\nbad\0\n".to_vec()),
        ("export.json", export("fine", "\\u0000").into_bytes()),
    ] {
        let page = app
            .report_page(&web, app.upload(&web, name, file).await)
            .await;
        assert!(
            page.contains("U+0000") || page.contains("is not a date"),
            "{name}: {page}"
        );
        assert!(!page.contains("Imported"), "{name}: {page}");
    }
    assert!(titles(&app.listing(&web, &[]).await["page"]).is_empty());
}

#[tokio::test]
async fn a_request_refused_for_its_size_or_type_costs_no_import() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let oversized = "x".repeat(MAX_IMPORT_BYTES + 1);
    for _ in 0..IMPORTS_PER_HOUR {
        let answer = app
            .import(&token, "text/plain", "title\nx\n".to_owned())
            .await;
        answer.problem(415);
    }
    for _ in 0..2 {
        let answer = app.import(&token, "text/csv", oversized.clone()).await;
        answer.problem(413);
    }
    for n in 0..IMPORTS_PER_HOUR {
        let answer = app.import_csv(&token, &format!("title\nTodo {n}\n")).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    app.import_csv(&token, "title\nOne too many\n")
        .await
        .problem(429);

    // On the account page, a file over the size or no file at all.
    let web = app.web_user().await;
    for _ in 0..IMPORTS_PER_HOUR {
        let upload = app
            .upload(&web, "big.csv", oversized.clone().into_bytes())
            .await;
        let page = app.report_page(&web, upload).await;
        assert!(page.contains("over 8 MiB"), "{page}");
        let upload = app.upload(&web, "", Vec::new()).await;
        let page = app.report_page(&web, upload).await;
        assert!(page.contains("Choose a file to import."), "{page}");
    }
    let upload = app
        .upload(&web, "todo.csv", b"title\nFrom the page\n".to_vec())
        .await;
    let page = app.report_page(&web, upload).await;
    assert!(page.contains("Imported 1 todo."), "{page}");
}

#[tokio::test]
async fn formula_like_cells_are_exported_as_text_and_imported_back_exactly() {
    let app = spawn_app().await;
    let (source, target) = (app.api_user().await, app.api_user().await);
    let list = app
        .api_ok(
            Method::POST,
            "/lists",
            &source,
            Some(json!({ "name": "=Budget" })),
        )
        .await;
    for (title, notes) in [
        ("=1+2", "\tindented"),
        ("@SUM(A1:A2)", "=HYPERLINK(\"http://evil.example\")"),
        ("+49 30 1234", ""),
        ("-5 degrees", "-"),
        ("'=already quoted", "''+twice"),
        ("'plain apostrophe", "'"),
    ] {
        app.api_ok(
            Method::POST,
            "/todos",
            &source,
            Some(json!({ "title": title, "notes": notes, "list_id": list["id"] })),
        )
        .await;
    }
    let exported = app.csv_export(&source).await;
    for cell in [
        "'=1+2,'=Budget,",
        "'@SUM(A1:A2)",
        "'+49 30 1234",
        "'-5 degrees",
        "''=already quoted",
        "'plain apostrophe,'=Budget,",
        "'\tindented",
        "\"'=HYPERLINK(",
        ",'-,",
        "'''+twice",
    ] {
        assert!(exported.contains(cell), "{cell:?} not in {exported}");
    }
    let answer = app.import_csv(&target, &exported).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // Cell for cell the same, but for when each todo was made.
    let without_times = |csv: &str| -> Vec<Vec<String>> {
        csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|record| {
                let record = record.unwrap();
                record.iter().take(6).map(str::to_owned).collect()
            })
            .collect()
    };
    let again = app.csv_export(&target).await;
    assert_eq!(without_times(&again), without_times(&exported));
    let titles = titles(&json!({ "items": app.all_todos(&target).await }));
    assert!(
        titles.contains(&"'=already quoted".to_owned()),
        "{titles:?}"
    );
    assert!(titles.contains(&"=1+2".to_owned()), "{titles:?}");
}

#[tokio::test]
async fn an_account_keeps_only_its_newest_import_reports_however_many_uploads_it_sends() {
    use taskward::transfer::reports::MAX_REPORTS_PER_ACCOUNT;
    let app = spawn_app().await;
    let token = app.web_user().await;
    // Uploads without a file cost no import, but each gets a report.
    let mut last = None;
    for _ in 0..MAX_REPORTS_PER_ACCOUNT + 15 {
        last = Some(app.upload(&token, "empty.csv", Vec::new()).await);
    }
    let kept = app.stored_reports().await;
    assert_eq!(
        kept.len(),
        usize::try_from(MAX_REPORTS_PER_ACCOUNT).unwrap()
    );
    // The newest report is among those kept, and still shown.
    let page = app.report_page(&token, last.unwrap()).await;
    let (message, _) = &kept[0];
    assert!(page.contains(message.as_str()), "{message} not in the page");
}

#[tokio::test]
async fn times_outside_the_years_1_to_9999_in_an_export_are_refused_by_name() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let export = json!({
        "format": "taskward",
        "version": 1,
        "exported_at": "2026-12-02T00:00:00Z",
        "account": { "email": "someone@example.com", "time_zone": "UTC" },
        "lists": [{
            "name": "Old",
            "created_at": "-5000-01-01T00:00:00Z",
            "todos": [{ "title": "Ancient", "updated_at": "+20000-01-01T00:00:00Z" }],
        }],
    });
    let answer = app
        .import(
            &token,
            "application/json",
            serde_json::to_vec(&export).unwrap(),
        )
        .await;
    answer.problem(422);
    assert_eq!(
        answer.pointers(),
        ["#/lists/0/created_at", "#/lists/0/todos/0/updated_at"],
        "{}",
        answer.body
    );
    assert_eq!(
        app.export(&token).await["lists"].as_array().unwrap().len(),
        1
    );
}
