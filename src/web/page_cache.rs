//! Signed-in pages as rendered, kept per user and served again while that
//! user's todos are unchanged.
//!
//! Rendering `/todos` costs about 9 M instructions (callgrind, 50 rows),
//! nearly all of it in Leptos's server render; a reload, a second tab or a
//! return to an unchanged list need not pay it again. The validator is
//! `users.todos_version`, which database triggers bump on every change to a
//! user's todos and which the session lookup already reads: a hit costs no
//! extra query, and a change made through any app instance, or the JSON
//! API, makes every instance's copy stale at once.
//!
//! A copy is keyed by user and path with query, and checked against the
//! version. Each response needs its own CSP nonce, so a copy is kept split
//! at the nonce it was rendered with and served with a fresh one.

use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use memchr::memmem;
use prometheus_client::metrics::counter::Counter;
use quick_cache::{Weighter, sync::Cache};
use uuid::Uuid;

use super::security::ContentSecurityPolicy;
use crate::{
    auth::{Role, service::SessionState},
    calendar::Clock,
    error::AppError,
    navigation::page_at,
    undo::UNDO_QUERY_KEY,
};
use chrono::NaiveDate;

/// Says whether a cacheable page came from the store (`hit`) or was
/// rendered (`miss`): what the benchmark counts. It names nothing private.
const OUTCOME_HEADER: &str = "x-page-cache";

/// Upper bound on the bytes kept; the least used copies go first.
const CAPACITY_BYTES: usize = 16 * 1024 * 1024;

/// A 50-todo page is about 40 KB: the store holds several hundred.
const TYPICAL_PAGE_BYTES: usize = 40 * 1024;

/// A page larger than this is served but not kept.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    user_id: Uuid,
    /// The page shows what the role allows (the console link), and the
    /// role can change while the todos do not.
    role: Role,
    /// Whether the address is confirmed, and whether the instance requires
    /// it: the page shows the todos or asks for the confirmation, and
    /// either can change while the todos do not.
    email_verified: bool,
    verification_required: bool,
    /// The user's today: a page names days ("Today", "Overdue"), and they
    /// change at the user's midnight while the todos do not.
    today: NaiveDate,
    path_and_query: String,
}

struct CachedPage {
    todos_version: i64,
    headers: HeaderMap,
    /// The body cut at each occurrence of the nonce it was rendered with.
    parts: Vec<Bytes>,
}

impl CachedPage {
    fn body_with_nonce(&self, nonce: &str) -> Bytes {
        let mut body = Vec::with_capacity(
            self.parts.iter().map(Bytes::len).sum::<usize>() + nonce.len() * self.parts.len(),
        );
        for (index, part) in self.parts.iter().enumerate() {
            if index > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(part);
        }
        body.into()
    }
}

/// Weighs a copy by the bytes it holds, for the capacity bound.
#[derive(Clone)]
struct Footprint;

impl Weighter<Key, Arc<CachedPage>> for Footprint {
    fn weight(&self, key: &Key, page: &Arc<CachedPage>) -> u64 {
        let bytes = page.parts.iter().map(Bytes::len).sum::<usize>() + key.path_and_query.len();
        u64::try_from(bytes).unwrap_or(u64::MAX)
    }
}

/// The rendered-page store of one app instance.
pub struct PageCache {
    pages: Cache<Key, Arc<CachedPage>, Footprint>,
    policy: ContentSecurityPolicy,
    clock: Clock,
    hits: Counter,
    misses: Counter,
}

impl PageCache {
    /// A store whose copies are served under `policy`, with a fresh nonce,
    /// each for the day `clock` makes it in its user's zone.
    pub fn new(policy: ContentSecurityPolicy, clock: Clock) -> Self {
        Self {
            pages: Cache::with_weighter(
                CAPACITY_BYTES / TYPICAL_PAGE_BYTES,
                CAPACITY_BYTES as u64,
                Footprint,
            ),
            policy,
            clock,
            hits: Counter::default(),
            misses: Counter::default(),
        }
    }

    /// Registers the store's hits, misses and size in bytes, for `/metrics`.
    pub fn register_metrics(self: &Arc<Self>, registry: &mut crate::metrics::Registry) {
        registry.register(
            "hits",
            "Signed-in pages served from the page cache",
            self.hits.clone(),
        );
        registry.register(
            "misses",
            "Cacheable signed-in pages that had to be rendered",
            self.misses.clone(),
        );
        let cache = Arc::downgrade(self);
        registry.register(
            "bytes",
            "Bytes of rendered pages the cache holds",
            crate::metrics::ReadOnScrape(move || {
                cache.upgrade().map_or(0, |cache| {
                    i64::try_from(cache.pages.weight()).unwrap_or(i64::MAX)
                })
            }),
        );
    }

    fn get(&self, key: &Key, todos_version: i64) -> Option<Arc<CachedPage>> {
        self.pages
            .get(key)
            .filter(|page| page.todos_version == todos_version)
    }

    fn insert(&self, key: Key, page: CachedPage) {
        // A slower render of an older version may finish last. (Were it
        // kept after all, by a race between two renders, it would only be
        // a miss: copies are served for their exact version.)
        if self
            .pages
            .peek(&key)
            .is_some_and(|kept| kept.todos_version > page.todos_version)
        {
            return;
        }
        self.pages.insert(key, Arc::new(page));
    }

    fn serve(&self, page: &CachedPage) -> Response {
        let nonce = leptos::nonce::Nonce::new();
        let mut response = Response::new(Body::from(page.body_with_nonce(&nonce)));
        *response.headers_mut() = page.headers.clone();
        if let Some(policy) = self.policy.with_nonce(&nonce) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    }
}

/// Serves a signed-in GET of a cached path from the store when the user's
/// todos are unchanged since it was rendered; otherwise renders it and keeps
/// the result. Runs inside the session middleware, which resolved the
/// session (and read the version) already.
pub async fn serve_cached_pages(
    State(cache): State<Arc<PageCache>>,
    request: Request,
    next: Next,
) -> Response {
    let key_and_version = match request.extensions().get::<SessionState>() {
        Some(SessionState::Valid(session))
            if request.method() == Method::GET
                && page_at(request.uri().path()).is_some_and(|page| page.cached)
                && !offers_undo(request.uri().query()) =>
        {
            let path_and_query = request.uri().path_and_query().map_or_else(
                || request.uri().path().to_owned(),
                |pq| pq.as_str().to_owned(),
            );
            Some((
                Key {
                    user_id: session.user_id,
                    role: session.role,
                    email_verified: session.email_verified,
                    verification_required: session.verification_required,
                    today: cache.clock.today_in(session.time_zone),
                    path_and_query,
                },
                session.todos_version,
            ))
        }
        _ => None,
    };
    let Some((key, todos_version)) = key_and_version else {
        return next.run(request).await;
    };

    if let Some(page) = cache.get(&key, todos_version) {
        cache.hits.inc();
        let mut response = cache.serve(&page);
        response
            .headers_mut()
            .insert(OUTCOME_HEADER, HeaderValue::from_static("hit"));
        return response;
    }

    cache.misses.inc();
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(OUTCOME_HEADER, HeaderValue::from_static("miss"));
    let Some(nonce) = cacheable_render_nonce(&response) else {
        return response;
    };
    let (mut head, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => return AppError::internal(error).into_response(),
    };
    head.headers.remove(header::CONTENT_LENGTH);
    if body.len() <= MAX_PAGE_BYTES {
        let mut headers = head.headers.clone();
        headers.remove(header::CONTENT_SECURITY_POLICY);
        cache.insert(
            key,
            CachedPage {
                todos_version,
                headers,
                parts: split_at(&body, nonce.as_bytes()),
            },
        );
    }
    Response::from_parts(head, Body::from(body))
}

/// Whether the page's address names an undo batch: the page then offers
/// an Undo button only until the batch expires, which the todos' version
/// does not tell, so such a page is always rendered afresh.
fn offers_undo(query: Option<&str>) -> bool {
    query.is_some_and(|query| {
        form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == UNDO_QUERY_KEY)
    })
}

/// The nonce of a successful HTML render that may be kept: one that sets no
/// cookie and whose policy names the nonce its scripts carry.
fn cacheable_render_nonce(response: &Response) -> Option<String> {
    let headers = response.headers();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if response.status() != StatusCode::OK || !is_html || headers.contains_key(header::SET_COOKIE) {
        return None;
    }
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)?
        .to_str()
        .ok()?;
    let nonce = policy.split("'nonce-").nth(1)?.split('\'').next()?;
    (!nonce.is_empty()).then(|| nonce.to_owned())
}

/// `body` cut at every occurrence of `separator`.
fn split_at(body: &Bytes, separator: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut start = 0;
    for found in memmem::find_iter(body, separator) {
        parts.push(body.slice(start..found));
        start = found + separator.len();
    }
    parts.push(body.slice(start..));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(todos_version: i64, body: &str) -> CachedPage {
        CachedPage {
            todos_version,
            headers: HeaderMap::new(),
            parts: split_at(&Bytes::from(body.to_owned()), b"N0NCE"),
        }
    }

    fn key(user: u128, path: &str) -> Key {
        Key {
            user_id: Uuid::from_u128(user),
            role: Role::User,
            email_verified: true,
            verification_required: false,
            today: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            path_and_query: path.into(),
        }
    }

    #[test]
    fn a_copy_is_served_with_the_new_nonce_wherever_the_old_one_was() {
        let kept = page(
            1,
            r#"<script nonce="N0NCE">a</script><b nonce="N0NCE"></b>"#,
        );
        assert_eq!(
            kept.body_with_nonce("fresh"),
            r#"<script nonce="fresh">a</script><b nonce="fresh"></b>"#
        );
        assert_eq!(page(1, "no scripts").body_with_nonce("x"), "no scripts");
    }

    #[test]
    fn a_copy_is_served_only_for_its_user_path_and_version() {
        let cache = PageCache::new(ContentSecurityPolicy::new(false), Clock::System);
        cache.insert(key(1, "/todos"), page(7, "alice"));

        assert!(cache.get(&key(1, "/todos"), 7).is_some());
        assert!(
            cache.get(&key(1, "/todos"), 8).is_none(),
            "a newer version is a miss"
        );
        assert!(
            cache.get(&key(2, "/todos"), 7).is_none(),
            "another user is a miss"
        );
        assert!(cache.get(&key(1, "/todos?filter=active"), 7).is_none());
    }

    #[test]
    fn an_older_render_never_replaces_a_newer_one() {
        let cache = PageCache::new(ContentSecurityPolicy::new(false), Clock::System);
        cache.insert(key(1, "/todos"), page(8, "new"));
        cache.insert(key(1, "/todos"), page(7, "old"));
        assert!(cache.get(&key(1, "/todos"), 8).is_some());
    }

    #[test]
    fn the_store_stays_within_its_capacity() {
        let cache = PageCache::new(ContentSecurityPolicy::new(false), Clock::System);
        let body = "x".repeat(MAX_PAGE_BYTES - 64);
        for user in 0..40 {
            cache.insert(key(user, "/todos"), page(0, &body));
        }
        assert!(
            cache.pages.weight() <= CAPACITY_BYTES as u64,
            "{} bytes kept",
            cache.pages.weight()
        );
        assert!(cache.pages.len() < 40, "some copies were dropped");
        assert!(
            cache.get(&key(39, "/todos"), 0).is_some(),
            "the newest stays"
        );
    }
}
