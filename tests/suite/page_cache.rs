//! Signed-in pages are served again from the page cache while the user's
//! todos are unchanged. What a user (or an attacker) could notice: a stale
//! page after a change, someone else's page, or a repeated CSP nonce.

use crate::common;

use std::time::Duration;

use common::{
    TestApp,
    accounts::{COOKIE, PASSWORD, unique_email},
    spawn_app, spawn_app_configured, spawn_second_instance,
};
use serde_json::Value;
use taskward::undo::UndoWindow;

struct Page {
    html: String,
    policy_nonce: String,
}

impl Page {
    /// Every nonce attribute in the page, which must all be the policy's.
    fn script_nonces(&self) -> Vec<&str> {
        self.html
            .split("nonce=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect()
    }
}

async fn load(client: &reqwest::Client, base_url: &str, path: &str, token: &str) -> Page {
    let response = client
        .get(format!("{base_url}{path}"))
        .header(reqwest::header::COOKIE, format!("{COOKIE}={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let policy_nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page's policy has a nonce")
        .to_owned();
    Page {
        html: response.text().await.unwrap(),
        policy_nonce,
    }
}

impl TestApp {
    async fn page(&self, path: &str, token: &str) -> Page {
        load(&self.client, &self.base_url, path, token).await
    }

    async fn todo_call(&self, token: &str, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let response = self
            .post_form(&format!("/api/todos/{endpoint}"), form, Some(token))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

#[tokio::test]
async fn a_reloaded_page_shows_every_change_to_the_list() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    assert!(
        app.page("/todos", &token)
            .await
            .html
            .contains("Add your first todo")
    );

    let milk = app
        .todo_call(&token, "create", &[("title", "Buy milk")])
        .await;
    let shown = app.page("/todos", &token).await;
    assert!(shown.html.contains("Buy milk"));
    assert!(!shown.html.contains("todo--done"));
    // Unchanged: the same list again.
    assert!(app.page("/todos", &token).await.html.contains("Buy milk"));

    let id = milk["id"].as_str().unwrap();
    app.todo_call(&token, "update", &[("id", id), ("completed", "true")])
        .await;
    assert!(app.page("/todos", &token).await.html.contains("todo--done"));
    assert!(
        app.page("/dashboard", &token)
            .await
            .html
            .contains("Buy milk")
    );

    app.todo_call(&token, "delete", &[("id", id)]).await;
    assert!(!app.page("/todos", &token).await.html.contains("Buy milk"));
    assert!(
        !app.page("/dashboard", &token)
            .await
            .html
            .contains("Buy milk")
    );
}

#[tokio::test]
async fn a_change_made_through_another_instance_shows_on_this_one() {
    let app = spawn_app().await;
    let (_, second_url) = spawn_second_instance(&app, |_| {}).await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    assert!(
        !app.page("/todos", &token)
            .await
            .html
            .contains("Call the bank")
    );

    let response = app
        .client
        .post(format!("{second_url}/api/todos/create"))
        .header("sec-fetch-site", "same-origin")
        .header(reqwest::header::COOKIE, format!("{COOKIE}={token}"))
        .form(&[("title", "Call the bank")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    assert!(
        app.page("/todos", &token)
            .await
            .html
            .contains("Call the bank")
    );
}

#[tokio::test]
async fn a_kept_page_is_never_served_to_another_user() {
    let app = spawn_app().await;
    let alice_email = unique_email();
    let alice = app.sign_up(&alice_email, PASSWORD).await;
    let bob = app.sign_up(&unique_email(), PASSWORD).await;
    // Equal list versions: only the user tells the two pages apart.
    app.todo_call(&alice, "create", &[("title", "Alice secret plan")])
        .await;
    app.todo_call(&bob, "create", &[("title", "Bob grocery list")])
        .await;

    for _ in 0..2 {
        assert!(
            app.page("/todos", &alice)
                .await
                .html
                .contains("Alice secret plan")
        );
        let bobs = app.page("/todos", &bob).await.html;
        assert!(bobs.contains("Bob grocery list"));
        assert!(!bobs.contains("Alice secret plan"));
        assert!(!bobs.contains(&alice_email));
    }
}

#[tokio::test]
async fn every_response_has_its_own_nonce_and_its_scripts_carry_it() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    app.todo_call(&token, "create", &[("title", "Water the plants")])
        .await;

    let mut seen = std::collections::HashSet::new();
    for _ in 0..3 {
        let page = app.page("/todos", &token).await;
        let nonces = page.script_nonces();
        assert!(!nonces.is_empty(), "the hydration script carries a nonce");
        assert!(
            nonces.iter().all(|nonce| *nonce == page.policy_nonce),
            "{nonces:?} vs {}",
            page.policy_nonce
        );
        assert!(seen.insert(page.policy_nonce), "a nonce was repeated");
    }
}

#[tokio::test]
async fn an_undo_button_is_not_offered_again_from_a_kept_page_after_its_window() {
    let app = spawn_app_configured(|config| {
        config.undo_window = UndoWindow(Duration::from_millis(800));
    })
    .await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;
    let milk = app
        .todo_call(&token, "create", &[("title", "Buy milk")])
        .await;
    let deleted = app
        .todo_call(&token, "delete", &[("id", milk["id"].as_str().unwrap())])
        .await;
    let address = format!("/todos?undo={}", deleted["batch"].as_str().unwrap());
    let undo_form = "action=\"/api/todos/undo\"";
    assert!(app.page(&address, &token).await.html.contains(undo_form));
    assert!(app.page(&address, &token).await.html.contains(undo_form));

    // The todos are unchanged, but the batch has expired: no button that
    // would only answer "too late".
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(!app.page(&address, &token).await.html.contains(undo_form));
}
