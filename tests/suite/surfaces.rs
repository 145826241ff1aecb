//! The two HTTP surfaces, the site (pages and their server functions) and
//! the JSON API at `/api/v1`, each keep their own rules: session source,
//! cross-origin check and error shape. An address outside both gets
//! neither.

use crate::common;

use common::{
    accounts::{COOKIE, PASSWORD, unique_email},
    spawn_app,
};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const PROBLEM: &str = "application/problem+json";

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn each_surface_answers_errors_in_its_own_shape_and_other_addresses_in_neither() {
    let app = spawn_app().await;

    let api_root = app.get("/api/v1").await;
    assert_eq!(api_root.status(), StatusCode::NOT_FOUND);
    assert!(content_type(&api_root).starts_with(PROBLEM));

    let too_large = app
        .client
        .post(app.url("/api/v1/todos"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(vec![b' '; taskward::config::REQUEST_BODY_LIMIT + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(content_type(&too_large).starts_with(PROBLEM));

    let server_fn = app
        .post_form("/api/todos/create", &[("title", "x")], None)
        .await;
    assert_eq!(server_fn.status(), StatusCode::UNAUTHORIZED);
    let body: Value = server_fn.json().await.unwrap();
    assert_eq!(body["code"], "unauthenticated", "{body}");

    // A future version's prefix is not the API's: no problem, no session.
    let elsewhere = app.get("/api/v2/todos").await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    assert!(content_type(&elsewhere).starts_with("text/html"));
}

#[tokio::test]
async fn a_cross_origin_write_is_refused_on_the_site_and_not_needed_on_the_api() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    let forged = app
        .client
        .post(app.url("/api/todos/create"))
        .header("sec-fetch-site", "cross-site")
        .header(header::COOKIE, format!("{COOKIE}={token}"))
        .form(&[("title", "planted by another site")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // The API ignores cookies, so a bearer client may call it from anywhere.
    let from_a_script = app
        .client
        .post(app.url("/api/v1/todos"))
        .header("sec-fetch-site", "cross-site")
        .bearer_auth(&token)
        .json(&json!({ "title": "sent by my own script" }))
        .send()
        .await
        .unwrap();
    assert_eq!(from_a_script.status(), StatusCode::CREATED);

    let listed: Value = app
        .client
        .get(app.url("/api/v1/todos"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|todo| todo["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["sent by my own script"]);
}

#[tokio::test]
async fn an_authorization_header_means_the_same_on_both_surfaces() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    for scheme in ["Bearer", "bearer", "BEARER"] {
        let value = format!("{scheme} {token}");
        let site = app
            .client
            .post(app.url("/api/auth/me"))
            .header(header::AUTHORIZATION, &value)
            .send()
            .await
            .unwrap();
        assert_eq!(site.status(), StatusCode::OK, "site, {scheme}");
        let api = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .header(header::AUTHORIZATION, &value)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::OK, "api, {scheme}");
    }

    // A header that is not a bearer token is refused, not skipped in
    // favour of whatever else the request carries.
    for malformed in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        format!("Token {token}").as_str(),
    ] {
        let site = app
            .client
            .post(app.url("/api/auth/me"))
            .header(header::AUTHORIZATION, malformed)
            .header(header::COOKIE, format!("{COOKIE}={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(site.status(), StatusCode::UNAUTHORIZED, "site, {malformed}");
        let api = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .header(header::AUTHORIZATION, malformed)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "api, {malformed}");
    }
}

#[tokio::test]
async fn answers_that_carry_a_users_data_are_never_stored_by_caches() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    let page = app.get_with_cookie("/todos", &token).await;
    let server_fn = app.me(&token).await;
    let api = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    for (what, response) in [("page", page), ("server function", server_fn), ("api", api)] {
        assert_eq!(response.status(), StatusCode::OK, "{what}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-store",
            "{what}"
        );
    }
}
