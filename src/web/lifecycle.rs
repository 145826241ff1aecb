//! A request's life on the server, in two phases under one deadline
//! (`REQUEST_TIMEOUT_SECS`):
//!
//! 1. **Receiving.** Its body is read whole, within its address's limit,
//!    while nothing of the request has run. This part can be cancelled: a
//!    body still incomplete at the deadline gets 408 and its connection is
//!    closed; a client that leaves before its body is complete is
//!    forgotten. Either way nothing of the request is carried out.
//! 2. **Handling.** The handler runs in a task of its own, which finishes
//!    even when the client goes away or the deadline passes: a handler
//!    dropped between two of its statements must not leave work half done.
//!    (sqlx 0.8 returns a PostgreSQL connection to its pool still inside a
//!    transaction when the future is dropped while `BEGIN` is answered; the
//!    next statement on it then ran in that transaction and held its locks
//!    for good.) A handler not done by the deadline leaves its client with
//!    503 and `Retry-After`; its change is still carried out, or rolled
//!    back, as a whole.
//!
//! Both phases are bounded for the whole instance, whoever's clients are
//! still connected: handlers running at once (`MAX_REQUESTS_IN_FLIGHT`), and
//! the bytes of bodies held in memory (`REQUEST_BODY_MEMORY_MIB`). Past
//! either, a request gets 503 with `Retry-After` before anything of it runs.

use std::{sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::{Instant, timeout_at},
};
use tracing::Instrument;

use crate::{
    api::{self, problem::Problem},
    config::{REQUEST_BODY_LIMIT, ServerLimits},
    error::AppError,
    transfer::MAX_IMPORT_BYTES,
};

/// The addresses that take a file (the account page's upload and the
/// API's import). Bodies are read before routing, so the limit is chosen
/// here by address; each route's own limit then refuses what is over it
/// with its own message.
const UPLOAD_PATHS: [&str; 2] = ["/account/import", "/api/v1/import"];

/// The most an upload address reads: an import's file and room for the
/// form around it (the account page's `DefaultBodyLimit`).
const UPLOAD_BODY_LIMIT: usize = MAX_IMPORT_BYTES + 64 * 1024;

/// The most of a body an address reads before refusing it.
fn body_limit(path: &str) -> usize {
    if UPLOAD_PATHS.contains(&path) {
        UPLOAD_BODY_LIMIT
    } else {
        REQUEST_BODY_LIMIT
    }
}

/// The instance's bounds on requests, shared by every connection.
pub struct RequestBounds {
    request_timeout: Duration,
    handlers: Arc<Semaphore>,
    max_handlers: u32,
    body_memory: Arc<Semaphore>,
}

impl RequestBounds {
    pub fn new(limits: &ServerLimits) -> Arc<Self> {
        let max_handlers = u32::try_from(limits.max_requests_in_flight.max(1)).unwrap_or(u32::MAX);
        Arc::new(Self {
            request_timeout: limits.request_timeout,
            handlers: Arc::new(Semaphore::new(max_handlers as usize)),
            max_handlers,
            body_memory: Arc::new(Semaphore::new(
                limits.request_body_memory.min(Semaphore::MAX_PERMITS),
            )),
        })
    }

    /// Resolves once no handler runs any more (at shutdown, after the
    /// last connection closed: handlers whose clients left may still run).
    pub async fn handlers_finished(&self) {
        let _all = self.handlers.acquire_many(self.max_handlers).await;
    }
}

/// Receives the request, then hands it to its handler (see the module).
pub async fn receive_then_handle(
    State(bounds): State<Arc<RequestBounds>>,
    request: Request,
    next: Next,
) -> Response {
    let deadline = Instant::now() + bounds.request_timeout;
    let surface = Surface::of(request.uri().path());
    let limit = body_limit(request.uri().path());
    let received = timeout_at(deadline, receive(request, limit, &bounds.body_memory)).await;
    let (request, body_memory) = match received {
        Ok(Ok(received)) => received,
        Ok(Err(NotReceived::ClientLeft)) => {
            return closing(StatusCode::BAD_REQUEST.into_response());
        }
        Ok(Err(NotReceived::OverMemoryBudget)) => {
            tracing::warn!("request bodies in memory reached their budget");
            return closing(surface.busy());
        }
        Err(_) => return closing(surface.late_body(bounds.request_timeout)),
    };
    let Ok(in_flight) = bounds.handlers.clone().try_acquire_owned() else {
        tracing::warn!("requests in flight reached their bound");
        return surface.busy();
    };
    // In the request's span, so what the handler logs keeps its request id.
    let handler = tokio::spawn(
        async move {
            let response = next.run(request).await;
            drop((in_flight, body_memory));
            response
        }
        .in_current_span(),
    );
    match timeout_at(deadline, handler).await {
        Ok(Ok(response)) => response,
        Ok(Err(failed)) => AppError::internal(failed).into_response(),
        Err(_) => {
            tracing::warn!("a handler outlived its request's deadline");
            surface.busy()
        }
    }
}

enum NotReceived {
    ClientLeft,
    OverMemoryBudget,
}

/// The body a handler reads when the client sent more than its address
/// takes: the first `limit + 1` bytes, then this error. Every route that
/// reads bodies has a limit of its own, no larger, which refuses the bytes
/// with its own message; any other fails on the error rather than reading a
/// cut body as whole.
#[derive(Debug, thiserror::Error)]
#[error("the request body is larger than its address accepts")]
struct BodyOverLimit;

/// Reads the whole body (up to `limit + 1` bytes), holding a permit of the
/// memory budget for each byte kept.
async fn receive(
    request: Request,
    limit: usize,
    body_memory: &Arc<Semaphore>,
) -> Result<(Request, Option<OwnedSemaphorePermit>), NotReceived> {
    let (parts, body) = request.into_parts();
    let mut chunks = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut held: Option<OwnedSemaphorePermit> = None;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| NotReceived::ClientLeft)?;
        let kept = &chunk[..chunk.len().min(limit + 1 - bytes.len())];
        let permit = u32::try_from(kept.len())
            .ok()
            .and_then(|n| body_memory.clone().try_acquire_many_owned(n).ok())
            .ok_or(NotReceived::OverMemoryBudget)?;
        match &mut held {
            Some(held) => held.merge(permit),
            None => held = Some(permit),
        }
        bytes.extend_from_slice(kept);
        if bytes.len() > limit {
            let over = futures::stream::iter([Ok(Bytes::from(bytes)), Err(BodyOverLimit)]);
            return Ok((Request::from_parts(parts, Body::from_stream(over)), held));
        }
    }
    Ok((Request::from_parts(parts, Body::from(bytes)), held))
}

/// The answers given here are in the shape of the surface asked: RFC 9457
/// problems for the API, the app's `{code, message}` elsewhere.
#[derive(Clone, Copy)]
enum Surface {
    Api,
    Site,
}

impl Surface {
    fn of(path: &str) -> Self {
        let below_api = path
            .strip_prefix(api::PREFIX)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if below_api { Self::Api } else { Self::Site }
    }

    /// 503 with `Retry-After`.
    fn busy(self) -> Response {
        match self {
            Self::Api => Problem::from(AppError::Unavailable).into_response(),
            Self::Site => AppError::Unavailable.into_response(),
        }
    }

    /// 408: the body did not arrive in time, and nothing was done.
    fn late_body(self, timeout: Duration) -> Response {
        let detail = format!(
            "The request's body did not arrive within {} seconds, so nothing was done. \
             Please send it again.",
            timeout.as_secs()
        );
        match self {
            Self::Api => Problem::from_status(StatusCode::REQUEST_TIMEOUT, detail).into_response(),
            Self::Site => (StatusCode::REQUEST_TIMEOUT, detail).into_response(),
        }
    }
}

/// Closes the connection after this answer: the rest of its request's body
/// is never read.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
