//! The JSON API at `/api/v1` as a client calls it: bearer tokens, JSON
//! bodies, and answers read as status, headers and JSON.

use reqwest::{Method, RequestBuilder, Response, header};
use serde_json::{Value, json};

use super::{
    TestApp,
    accounts::{PASSWORD, unique_email},
};

/// One API answer: status, headers and the JSON body (or `Null`).
pub struct Answer {
    pub status: u16,
    pub headers: header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn from(response: Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    /// Asserts the RFC 9457 shape and returns the body for more checks.
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), "application/problem+json");
        let body = &self.body;
        assert_eq!(body["status"], status, "{body}");
        for member in ["type", "title", "detail"] {
            assert!(
                body[member].as_str().is_some_and(|text| !text.is_empty()),
                "{member} missing: {body}"
            );
        }
        let detail = body["detail"].as_str().unwrap();
        assert!(!detail.contains("ServerFnError"), "{detail}");
        assert!(!detail.to_lowercase().contains("sql"), "{detail}");
        body
    }

    /// As [`Answer::problem`]; the problem's code (its `type` is
    /// `urn:taskward:problem:<code>`).
    pub fn problem_code(&self, status: u16) -> String {
        self.problem(status)["type"]
            .as_str()
            .unwrap()
            .trim_start_matches("urn:taskward:problem:")
            .to_owned()
    }

    /// The `pointer` of each field error.
    pub fn pointers(&self) -> Vec<&str> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|error| error["pointer"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    pub fn api(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self
            .client
            .request(method, self.url(&format!("/api/v1{path}")));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn api_send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.api(method, path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Answer::from(request.send().await.unwrap()).await
    }

    /// As [`TestApp::api_send`], asserting a 2xx answer; its body.
    pub async fn api_ok(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let answer = self.api_send(method, path, Some(token), body).await;
        assert!(
            (200..300).contains(&answer.status),
            "{path}: {} {}",
            answer.status,
            answer.body
        );
        answer.body
    }

    /// The status of an API sign-in.
    pub async fn signin_status(&self, email: &str, password: &str) -> u16 {
        self.api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
        .status
    }

    /// The OpenAPI document the API serves.
    pub async fn openapi_document(&self) -> Value {
        self.client
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn register(&self, email: &str, password: &str) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    /// A new API account whose days are counted in `time_zone`.
    pub async fn api_user_in(&self, time_zone: &str) -> String {
        let answer = self
            .api_send(
                Method::POST,
                "/auth/register",
                None,
                Some(json!({ "email": unique_email(), "password": PASSWORD, "time_zone": time_zone })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        assert_eq!(answer.body["user"]["time_zone"], time_zone);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Adds the todo `body` describes, asserting it was made.
    pub async fn todo_with(&self, token: &str, body: Value) -> Value {
        let answer = self
            .api_send(Method::POST, "/todos", Some(token), Some(body))
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }

    /// A new account; returns its token.
    pub async fn api_user(&self) -> String {
        let answer = self.register(&unique_email(), PASSWORD).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }

    /// The user's lists' names, in their order.
    pub async fn list_names(&self, token: &str) -> Vec<String> {
        let lists = self.api_ok(Method::GET, "/lists", token, None).await;
        lists["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|list| list["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Imports a CSV file's text through the API.
    pub async fn import_csv(&self, token: &str, csv: &str) -> Answer {
        let request = self
            .api(Method::POST, "/import", Some(token))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(csv.to_owned());
        Answer::from(
            request
                .send()
                .await
                .expect("request reaches the test server"),
        )
        .await
    }

    /// Imports a CSV file's text through the API, asserting it worked.
    pub async fn import_csv_ok(&self, token: &str, csv: String) {
        let response = self
            .api(Method::POST, "/import", Some(token))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(csv)
            .send()
            .await
            .expect("request reaches the test server");
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// Every todo of a list (an id, or `inbox`) in its order, page after
    /// page, as `{items}`.
    pub async fn every_todo_of(&self, token: &str, list: &str) -> Value {
        let mut items = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = self
                .api_ok(
                    Method::GET,
                    &format!("/todos?list={list}&limit=100&cursor={cursor}"),
                    token,
                    None,
                )
                .await;
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => return json!({ "items": items }),
            }
        }
    }

    pub async fn add_todo(&self, token: &str, title: &str) -> Value {
        let answer = self
            .api_send(
                Method::POST,
                "/todos",
                Some(token),
                Some(json!({ "title": title })),
            )
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }
}
