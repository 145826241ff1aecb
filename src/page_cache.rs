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

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use crate::{auth::service::SessionState, error::AppError, security, server::AppState};

/// Pages whose content depends only on the user's account and todos.
const CACHED_PATHS: [&str; 2] = ["/todos", "/dashboard"];

/// Upper bound on the bytes kept; the oldest copies go first. A 50-todo
/// page is about 40 KB, so this holds several hundred pages.
const CAPACITY_BYTES: usize = 16 * 1024 * 1024;

/// A page larger than this is served but not kept.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    user_id: Uuid,
    path_and_query: String,
}

struct CachedPage {
    todos_version: i64,
    headers: HeaderMap,
    /// The body cut at each occurrence of the nonce it was rendered with.
    parts: Vec<Bytes>,
}

impl CachedPage {
    /// Bytes held for this copy under `key`, for the capacity bound.
    fn footprint(&self, key: &Key) -> usize {
        self.parts.iter().map(Bytes::len).sum::<usize>() + key.path_and_query.len()
    }

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

#[derive(Default)]
struct Entries {
    pages: HashMap<Key, (u64, Arc<CachedPage>)>,
    /// Insertion order, for eviction; a key re-inserted since is skipped
    /// by its sequence number.
    order: VecDeque<(Key, u64)>,
    next_sequence: u64,
    bytes: usize,
}

/// The rendered-page store of one app instance.
#[derive(Default)]
pub struct PageCache {
    entries: Mutex<Entries>,
}

impl PageCache {
    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &Key, todos_version: i64) -> Option<Arc<CachedPage>> {
        self.lock()
            .pages
            .get(key)
            .filter(|(_, page)| page.todos_version == todos_version)
            .map(|(_, page)| page.clone())
    }

    fn insert(&self, key: Key, page: CachedPage) {
        let mut entries = self.lock();
        if let Some((_, kept)) = entries.pages.get(&key)
            && kept.todos_version > page.todos_version
        {
            // A slower render of an older version finished last.
            return;
        }
        let size = page.footprint(&key);
        let sequence = entries.next_sequence;
        entries.next_sequence += 1;
        entries.bytes += size;
        entries.order.push_back((key.clone(), sequence));
        if let Some((_, replaced)) = entries
            .pages
            .insert(key.clone(), (sequence, Arc::new(page)))
        {
            entries.bytes -= replaced.footprint(&key);
        }
        while entries.bytes > CAPACITY_BYTES {
            let Some((oldest, sequence)) = entries.order.pop_front() else {
                break;
            };
            if entries
                .pages
                .get(&oldest)
                .is_some_and(|(kept, _)| *kept == sequence)
                && let Some((_, page)) = entries.pages.remove(&oldest)
            {
                entries.bytes -= page.footprint(&oldest);
            }
        }
        // Re-inserted keys leave stale places in the queue; drop them
        // before they outnumber the pages.
        if entries.order.len() > 2 * entries.pages.len() + 64 {
            let Entries { pages, order, .. } = &mut *entries;
            order
                .retain(|(key, sequence)| pages.get(key).is_some_and(|(kept, _)| kept == sequence));
        }
    }
}

/// Serves a signed-in GET of a cached path from the store when the user's
/// todos are unchanged since it was rendered; otherwise renders it and keeps
/// the result. Runs inside the session middleware, which resolved the
/// session (and read the version) already.
pub async fn serve_cached_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let key_and_version = match request.extensions().get::<SessionState>() {
        Some(SessionState::Valid(session))
            if request.method() == Method::GET && CACHED_PATHS.contains(&request.uri().path()) =>
        {
            let path_and_query = request.uri().path_and_query().map_or_else(
                || request.uri().path().to_owned(),
                |pq| pq.as_str().to_owned(),
            );
            Some((
                Key {
                    user_id: session.user_id,
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

    if let Some(page) = state.page_cache.get(&key, todos_version) {
        return serve(&page);
    }

    let response = next.run(request).await;
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
        state.page_cache.insert(
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

fn serve(page: &CachedPage) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let mut response = Response::new(Body::from(page.body_with_nonce(&nonce)));
    *response.headers_mut() = page.headers.clone();
    if let Ok(policy) = HeaderValue::from_str(&security::content_security_policy(&nonce)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// `body` cut at every occurrence of `separator`.
fn split_at(body: &Bytes, separator: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index + separator.len() <= body.len() {
        if &body[index..index + separator.len()] == separator {
            parts.push(body.slice(start..index));
            index += separator.len();
            start = index;
        } else {
            index += 1;
        }
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
        let cache = PageCache::default();
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
        let cache = PageCache::default();
        cache.insert(key(1, "/todos"), page(8, "new"));
        cache.insert(key(1, "/todos"), page(7, "old"));
        assert!(cache.get(&key(1, "/todos"), 8).is_some());
    }

    #[test]
    fn the_store_stays_within_its_capacity_dropping_the_oldest_first() {
        let cache = PageCache::default();
        let body = "x".repeat(1024 * 1024 - 64);
        for user in 0..40 {
            cache.insert(key(user, "/todos"), page(0, &body));
            // Re-inserting one key many times must not grow the queue.
            cache.insert(key(999, "/todos"), page(i64::from(user as u8), "small"));
        }
        let entries = cache.lock();
        assert!(
            entries.bytes <= CAPACITY_BYTES,
            "{} bytes kept",
            entries.bytes
        );
        assert!(entries.order.len() <= 2 * entries.pages.len() + 64);
        drop(entries);
        assert!(
            cache.get(&key(0, "/todos"), 0).is_none(),
            "the oldest went first"
        );
        assert!(
            cache.get(&key(39, "/todos"), 0).is_some(),
            "the newest stays"
        );
    }
}
