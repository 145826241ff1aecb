use crate::common;

use std::time::{Duration, Instant};

use common::{TestDatabase, spawn_app, spawn_app_with_database, tcp_proxy::TcpProxy};
use taskward::db::Backend;

#[tokio::test]
async fn healthz_answers_200_with_json_when_the_database_answers() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID, got {id}");
}

#[tokio::test]
async fn request_bodies_over_the_limit_are_refused_with_413() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/anything"))
        .body(vec![b'a'; taskward::config::REQUEST_BODY_LIMIT + 1])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
}

/// Needs a PostgreSQL server whatever backend the run is for: an embedded
/// SQLite file cannot become unreachable.
mod requires_postgres {
    use super::*;

    #[tokio::test]
    async fn healthz_answers_503_while_the_database_is_unreachable_and_200_once_it_returns() {
        let database = TestDatabase::create(Backend::Postgres).await;
        let mut url = reqwest::Url::parse(&database.url).unwrap();
        let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
        let proxy = TcpProxy::start(upstream).await;
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(proxy.address.port())).unwrap();
        let app = spawn_app_with_database(database, url.to_string()).await;
        assert_eq!(app.get("/healthz").await.status(), 200);

        proxy.cut();
        let started = Instant::now();
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "unavailable");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a probe must not hang"
        );

        proxy.restore();
        assert_eq!(
            app.get("/healthz").await.status(),
            200,
            "recovers without a restart"
        );
    }
}
