//! Export and import: a round trip into another account recreates every
//! field; CSV files with every awkward thing a spreadsheet writes; a file
//! with one bad line imports nothing; the size limit and the rate limit;
//! and the account page's download and upload.

mod common;

use common::{TestApp, accounts::COOKIE, site::titles, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

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

    async fn import_csv(&self, token: &str, csv: &str) -> common::api::Answer {
        self.import(token, "text/csv", csv.to_owned()).await
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
            "\u{feff}title,list,due,priority,notes,completed,created_at,updated_at\r\n"
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

    let upload = |token: &str, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        app.client
            .post(app.url("/account/import"))
            .header("sec-fetch-site", "same-origin")
            .header("cookie", format!("{COOKIE}={token}"))
            .multipart(form)
            .send()
    };
    let other = app.web_user().await;
    let response = upload(
        &other,
        "taskward.json",
        serde_json::to_vec(&export).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/account?import="), "{location}");
    let page = app
        .get_with_cookie(&location, &other)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Imported 1 todo."), "{page}");
    // Another user cannot read the report.
    let page = app
        .get_with_cookie(&location, &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Imported 1 todo."));

    let response = upload(
        &other,
        "todos.csv",
        b"title,due\nOk,\nBroken,31/02\n".to_vec(),
    )
    .await
    .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app
        .get_with_cookie(&location, &other)
        .await
        .text()
        .await
        .unwrap();
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
