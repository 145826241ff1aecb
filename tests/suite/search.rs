//! Search across the titles and notes of the user's own todos, through
//! the database's full-text index, on both surfaces.

use crate::common;

use common::{
    TestApp,
    api::Answer,
    site::{ids, titles},
    spawn_app,
};
use reqwest::Method;
use serde_json::{Value, json};

impl TestApp {
    async fn with_notes(&self, token: &str, title: &str, notes: &str) -> Value {
        let answer = self
            .api_send(
                Method::POST,
                "/todos",
                Some(token),
                Some(json!({ "title": title, "notes": notes })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }

    async fn search_answer(&self, token: &str, q: &str) -> Answer {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .finish();
        self.api_send(
            Method::GET,
            &format!("/todos?{query}&limit=100"),
            Some(token),
            None,
        )
        .await
    }

    async fn search(&self, token: &str, q: &str) -> Vec<String> {
        let answer = self.search_answer(token, q).await;
        assert_eq!(answer.status, 200, "{q}: {}", answer.body);
        titles(&answer.body)
    }
}

#[tokio::test]
async fn a_search_finds_titles_and_notes_of_the_users_own_todos_only() {
    let app = spawn_app().await;
    let (alice, bob) = (app.api_user().await, app.api_user().await);
    app.with_notes(&alice, "Buy oat milk", "").await;
    app.with_notes(&alice, "Call the bank", "Ask about the lost card")
        .await;
    app.with_notes(&alice, "Plan the trip", "Lisbon in May,\nthen Porto")
        .await;
    app.with_notes(&alice, "Café au lait", "").await;
    app.with_notes(&bob, "Buy milk for Bob", "and a birthday card")
        .await;

    assert_eq!(app.search(&alice, "milk").await, ["Buy oat milk"]);
    assert_eq!(
        app.search(&alice, "card").await,
        ["Call the bank"],
        "a match in the notes"
    );
    assert_eq!(
        app.search(&alice, "lis").await,
        ["Plan the trip"],
        "the start of a word"
    );
    assert_eq!(
        app.search(&alice, "PORTO").await,
        ["Plan the trip"],
        "whatever the case"
    );
    assert_eq!(app.search(&alice, "oat MILK").await, ["Buy oat milk"]);
    assert_eq!(
        app.search(&alice, "milk bank").await,
        Vec::<String>::new(),
        "every word"
    );
    assert_eq!(app.search(&alice, "café").await, ["Café au lait"]);
    assert_eq!(
        app.search(&alice, "birthday").await,
        Vec::<String>::new(),
        "Bob's notes"
    );
    assert_eq!(app.search(&bob, "milk").await, ["Buy milk for Bob"]);
    assert_eq!(app.search(&bob, "bank").await, Vec::<String>::new());

    // What the query languages would read as operators is only text here.
    for q in [
        "milk*",
        "milk OR bank",
        "\"milk",
        "milk) AND (bank",
        "NEAR(milk bank)",
        "m:ilk",
        "-milk",
        "milk & !bank | x",
    ] {
        app.search(&alice, q).await;
    }
    assert_eq!(app.search(&alice, "milk*").await, ["Buy oat milk"]);
    for q in ["!!!", "\"\"", &"word ".repeat(41)] {
        let answer = app.search_answer(&alice, q).await;
        answer.problem(422);
        assert_eq!(answer.pointers(), ["#/q"]);
    }
}

#[tokio::test]
async fn the_index_follows_every_change_to_a_todo() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let todo = app
        .with_notes(&token, "Renew passport", "photo booth first")
        .await;
    let path = format!("/todos/{}", todo["id"].as_str().unwrap());
    app.api_send(
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({ "title": "Renew driving licence", "notes": "eye test" })),
    )
    .await;
    assert_eq!(app.search(&token, "passport").await, Vec::<String>::new());
    assert_eq!(app.search(&token, "photo").await, Vec::<String>::new());
    assert_eq!(
        app.search(&token, "licence").await,
        ["Renew driving licence"]
    );
    assert_eq!(app.search(&token, "eye").await, ["Renew driving licence"]);
    app.api_send(
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({ "completed": true })),
    )
    .await;
    assert_eq!(app.search(&token, "eye").await, ["Renew driving licence"]);
    app.api_send(Method::DELETE, &path, Some(&token), None)
        .await;
    assert_eq!(app.search(&token, "licence").await, Vec::<String>::new());
}

#[tokio::test]
async fn search_results_are_paged_newest_first_and_can_stay_in_one_list() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let list = app
        .api_send(
            Method::POST,
            "/lists",
            Some(&token),
            Some(json!({ "name": "Work" })),
        )
        .await
        .body;
    let mut made = Vec::new();
    for n in 0..12 {
        let body = if n % 2 == 0 {
            json!({ "title": format!("Quarterly report {n}") })
        } else {
            json!({ "title": format!("Quarterly report {n}"), "list_id": list["id"] })
        };
        let todo = app
            .api_send(Method::POST, "/todos", Some(&token), Some(body))
            .await
            .body;
        made.push(todo["id"].as_str().unwrap().to_owned());
    }
    app.with_notes(&token, "Unrelated", "").await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .api_send(
                Method::GET,
                &format!("/todos?q=report&limit=5&cursor={cursor}"),
                Some(&token),
                None,
            )
            .await
            .body;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");
    let in_list = app
        .api_send(
            Method::GET,
            &format!("/todos?q=report&list={}", list["id"].as_str().unwrap()),
            Some(&token),
            None,
        )
        .await
        .body;
    assert_eq!(ids(&in_list).len(), 6);

    // The web page shows the results across lists, with each one's list.
    let web = app.web_user().await;
    let made = app
        .site_ok(&web, "/api/lists/create", &[("name", "Home")])
        .await;
    let home = made["id"].as_str().unwrap().to_owned();
    app.site_ok(
        &web,
        "/api/todos/create",
        &[("title", "Fix the fence"), ("list_id", &home)],
    )
    .await;
    app.site_ok(
        &web,
        "/api/todos/create",
        &[("title", "Notes"), ("notes", "fence paint colour")],
    )
    .await;
    let listing = app.listing(&web, &[("q", "fence")]).await;
    assert_eq!(titles(&listing["page"]), ["Notes", "Fix the fence"]);
    assert_eq!(listing["showing"]["Search"], "fence");
    assert_eq!(listing["totals"]["total"], 2);
    let page = app.get_with_cookie("/todos?q=fence", &web).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("2 todos found"), "{html}");
    assert!(
        html.contains("class=\"chip chip--list\">Home<"),
        "the list a result is in"
    );
}

#[tokio::test]
async fn what_was_searched_for_or_a_list_name_is_never_markup_in_the_page() {
    let app = spawn_app().await;
    let web = app.web_user().await;
    let planted =
        "</title><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\"><b>x";
    let made = app
        .site_ok(&web, "/api/lists/create", &[("name", planted)])
        .await;
    let list = made["id"].as_str().unwrap().to_owned();
    let search = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", planted)
        .finish();
    for path in [
        format!("/todos?{search}"),
        format!("/todos?list={list}"),
        "/lists".into(),
        "/dashboard".into(),
    ] {
        let page = app.get_with_cookie(&path, &web).await;
        assert_eq!(page.status(), 200, "{path}");
        let html = page.text().await.unwrap();
        assert!(
            !html.contains("<meta http-equiv=\"refresh\""),
            "{path}: {html}"
        );
        assert!(!html.contains("<b>x"), "{path}");
        assert!(html.contains("&lt;/title&gt;"), "{path}: shown as text");
    }
}

#[tokio::test]
async fn a_word_in_hundreds_of_todos_pages_through_every_one_of_them() {
    // Past 500 matches PostgreSQL reads the newest-first index instead of
    // sorting the matches: both ways must page the same.
    let app = spawn_app().await;
    let token = app.api_user().await;
    let mut made = Vec::new();
    for chunk in (0..520).collect::<Vec<_>>().chunks(8) {
        let created = futures::future::join_all(chunk.iter().map(|n| {
            let (app, token) = (&app, token.clone());
            async move {
                let title = if n % 40 == 0 {
                    format!("Other {n}")
                } else {
                    format!("Invoice {n}")
                };
                app.add_todo(&token, &title).await
            }
        }))
        .await;
        made.extend(created);
    }
    let mut expected: Vec<String> = made
        .iter()
        .filter(|todo| todo["title"].as_str().unwrap().starts_with("Invoice"))
        .map(|todo| todo["id"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .api_send(
                Method::GET,
                &format!("/todos?q=invoice&limit=100&cursor={cursor}"),
                Some(&token),
                None,
            )
            .await
            .body;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 507, "every match once");
    seen.sort();
    seen.dedup();
    assert_eq!(seen, expected, "no repeats, none missing");
}
