//! The server functions behind the pages, called as the pages' own
//! scripts call them: URL-encoded forms with the session cookie, answered
//! with JSON (or `{code, message}` on refusal).

use serde_json::Value;

use super::{
    TestApp,
    accounts::{PASSWORD, unique_email},
};

impl TestApp {
    /// Posts `form` to the server function at `path` (e.g.
    /// `/api/lists/create`) as the signed-in `token`.
    pub async fn site_call(&self, token: &str, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self.post_form(path, form, Some(token)).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// As [`TestApp::site_call`], asserting it succeeded.
    pub async fn site_ok(&self, token: &str, path: &str, form: &[(&str, &str)]) -> Value {
        let (status, body) = self.site_call(token, path, form).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// A new account signed in on the web; returns its session token.
    pub async fn web_user(&self) -> String {
        self.sign_up(&unique_email(), PASSWORD).await
    }

    /// What the list page loads: `/api/todos/listing` with `form`.
    pub async fn listing(&self, token: &str, form: &[(&str, &str)]) -> Value {
        self.site_ok(token, "/api/todos/listing", form).await
    }
}

/// The titles of a page of todos (`{items: [...]}`), in order.
pub fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|todo| todo["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The ids of a page of todos, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|todo| todo["id"].as_str().unwrap().to_owned())
        .collect()
}
