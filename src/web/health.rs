//! `GET /healthz`: a load balancer's view of one instance. 200 while the
//! database answers, 503 while it does not; it recovers on its own when the
//! database comes back, because the pool replaces dead connections. Both
//! name the build: version and commit.

use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::db::Db;

/// Longer than a healthy round trip by far, shorter than a load balancer's
/// usual probe timeout.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    /// The release, and the commit it was built from: which build a load
    /// balancer (or a person) is talking to.
    version: &'static str,
    commit: &'static str,
}

pub async fn healthz(State(db): State<Db>) -> Response {
    let (status, health) = match tokio::time::timeout(PING_TIMEOUT, db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Health {
                status: "ok",
                database: "ok",
                version: crate::VERSION,
                commit: crate::COMMIT,
            },
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: database unreachable");
            unavailable()
        }
        Err(_) => {
            tracing::warn!(timeout = ?PING_TIMEOUT, "health check: database timed out");
            unavailable()
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(health)).into_response()
}

fn unavailable() -> (StatusCode, Health) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Health {
            status: "unavailable",
            database: "unreachable",
            version: crate::VERSION,
            commit: crate::COMMIT,
        },
    )
}
