//! `GET /metrics`: the instance's figures in the Prometheus text format
//! (0.0.4). Off unless configured: with `METRICS_TOKEN` the public
//! listener serves it to `Authorization: Bearer <token>` (401 otherwise;
//! 404 when the setting is absent); with `METRICS_ADDR` a listener of its
//! own serves it instead, for a network only Prometheus reaches.
//!
//! Requests are counted here, by route template (`/api/v1/todos/{id}`,
//! never the path itself), method and status class, with their latency to
//! the response's head and the number in flight.

use std::{sync::Arc, time::Instant};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use prometheus_client::{
    encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram, info::Info},
};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::{
    db::Db,
    mail::Mailer,
    metrics::{Held, Registry, seconds_histogram},
};

/// The route of a request no route matched (a file of the site, or
/// nothing), in its label and its log lines: one series for all of them,
/// whatever the path.
pub const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Route,
    status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: Route,
}

/// A request's route template as a label: the router's own shared copy
/// (`MatchedPath` holds an `Arc<str>`), so counting a request copies no
/// string.
#[derive(Debug, Clone)]
struct Route(Option<MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.as_str(), encoder)
    }
}

/// The request counters every answer passes through.
#[derive(Clone)]
pub struct RequestMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
}

impl RequestMetrics {
    pub fn new() -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(seconds_histogram),
            in_flight: Gauge::default(),
        }
    }

    fn register(&self, registry: &mut Registry) {
        registry.register(
            "requests",
            "Requests answered, by method, route template and status class",
            self.requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from a request's arrival to its answer's head, by method and route template",
            self.latency.clone(),
        );
        registry.register(
            "requests_in_flight",
            "Requests being handled now",
            self.in_flight.clone(),
        );
    }
}

/// Counts one request: in flight until it is answered or its client goes
/// away, then (when answered) by its answer's status class, with its
/// latency.
pub async fn measure_requests(
    State(metrics): State<RequestMetrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = Route(request.extensions().get::<MatchedPath>().cloned());
    let in_flight = Held::enter(&metrics.in_flight);
    let response = next.run(request).await;
    drop(in_flight);
    let status = status_class(response.status());
    metrics
        .latency
        .get_or_create(&RouteLabels {
            method,
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .inc();
    response
}

/// The methods the app answers, each its own label; anything else is one.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The instance's registry and what is read into it at each scrape.
pub struct InstanceMetrics {
    registry: Registry,
    mailer: Mailer,
    db: Db,
}

/// Everything the instance measures, registered once at start.
pub struct Sources<'a> {
    pub requests: &'a RequestMetrics,
    pub db: &'a Db,
    pub auth: &'a crate::auth::service::AuthService,
    pub page_cache: &'a Arc<super::page_cache::PageCache>,
    pub mailer: &'a Mailer,
}

impl InstanceMetrics {
    pub fn new(sources: Sources<'_>) -> Arc<Self> {
        let mut registry = Registry::with_prefix("taskward");
        registry.register(
            "build",
            "The release and commit this instance runs",
            Info::new(vec![("version", crate::VERSION), ("commit", crate::COMMIT)]),
        );
        sources
            .requests
            .register(registry.sub_registry_with_prefix("http"));
        sources
            .db
            .register_metrics(registry.sub_registry_with_prefix("db_pool"));
        sources.auth.register_metrics(&mut registry);
        sources
            .page_cache
            .register_metrics(registry.sub_registry_with_prefix("page_cache"));
        sources
            .mailer
            .metrics()
            .register(registry.sub_registry_with_prefix("mail"));
        Arc::new(Self {
            registry,
            mailer: sources.mailer.clone(),
            db: sources.db.clone(),
        })
    }

    /// The figures as Prometheus reads them, the outbox's read fresh.
    pub async fn scrape(&self) -> String {
        self.mailer.metrics().refresh(&self.db).await;
        let mut text = String::with_capacity(32 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

/// Who may scrape: anyone who reaches the listener, or the holder of the
/// token.
#[derive(Clone)]
pub struct ScrapeAccess {
    metrics: Arc<InstanceMetrics>,
    /// SHA-256 of `METRICS_TOKEN`: compared in constant time, at equal
    /// length whatever is presented.
    token_digest: Option<[u8; 32]>,
}

impl ScrapeAccess {
    pub fn new(metrics: Arc<InstanceMetrics>, token: Option<&SecretString>) -> Self {
        Self {
            metrics,
            token_digest: token.map(|token| digest(token.expose_secret().as_bytes())),
        }
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `/metrics` alone, for a router of the public listener or of
/// `METRICS_ADDR`'s.
pub fn router(access: ScrapeAccess) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(access)
}

async fn scrape(State(access): State<ScrapeAccess>, headers: HeaderMap) -> Response {
    if let Some(expected) = access.token_digest
        && !bearer_matches(&headers, &expected)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"metrics\""),
            )],
            "Send the metrics token (METRICS_TOKEN) as Authorization: Bearer <token>.\n",
        )
            .into_response();
    }
    let text = access.metrics.scrape().await;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE),
        )],
        text,
    )
        .into_response()
}

fn bearer_matches(headers: &HeaderMap, expected: &[u8; 32]) -> bool {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    let Some(token) = value
        .as_bytes()
        .strip_prefix(b"Bearer ")
        .or_else(|| value.as_bytes().strip_prefix(b"bearer "))
    else {
        return false;
    };
    let presented = digest(token);
    presented
        .iter()
        .zip(expected)
        .fold(0u8, |differ, (a, b)| differ | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_matches() {
        let expected = digest(b"s3cret-token");
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            bearer_matches(&headers, &expected)
        };
        assert!(with("Bearer s3cret-token"));
        assert!(!with("Bearer s3cret-token "));
        assert!(!with("Bearer s3cret-toke"));
        assert!(!with("Basic s3cret-token"));
        assert!(!with("s3cret-token"));
        assert!(!bearer_matches(&HeaderMap::new(), &expected));
        let mut twice = HeaderMap::new();
        twice.append(
            header::AUTHORIZATION,
            "Bearer s3cret-token".parse().unwrap(),
        );
        twice.append(header::AUTHORIZATION, "Bearer other".parse().unwrap());
        assert!(!bearer_matches(&twice, &expected));
    }

    #[test]
    fn labels_come_from_fixed_sets() {
        assert_eq!(
            method_label(&Method::from_bytes(b"PROPFIND").unwrap()),
            "other"
        );
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::from_u16(599).unwrap()), "5xx");
        assert_eq!(status_class(StatusCode::SWITCHING_PROTOCOLS), "1xx");
    }
}
