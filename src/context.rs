//! What a server function knows about its request, whatever its domain:
//! what the web layer provides to every call (the [`Db`], and any service,
//! through [`provided`]), what it resolved for the request (the client's
//! address, and any extension, through [`request_extension`]), and how to
//! answer (status, headers, the redirect of a plain form post). The account
//! side (service, session, cookie) builds on this in `auth::request`.

use std::future::Future;

use axum::http::{HeaderName, HeaderValue, header, request::Parts};
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_axum::ResponseOptions;

use crate::{
    client::Client,
    db::Db,
    error::{AppError, is_plain_form_post},
    navigation::{with_query_changed, without_query_keys},
};

/// A value the web layer provides to every render and server function.
pub fn provided<T: Clone + Send + Sync + 'static>(what: &str) -> Result<T, AppError> {
    use_context::<T>().ok_or_else(|| AppError::internal(format!("{what} missing from context")))
}

fn parts() -> Result<Parts, AppError> {
    provided("request parts")
}

pub fn db() -> Result<Db, AppError> {
    provided("database")
}

pub fn request_headers() -> Result<axum::http::HeaderMap, AppError> {
    Ok(parts()?.headers)
}

/// A value the web layer resolved for this request (e.g. its session).
pub fn request_extension<T: Clone + Send + Sync + 'static>() -> Result<Option<T>, AppError> {
    Ok(parts()?.extensions.get::<T>().cloned())
}

/// Who sent the request: its address and device.
pub fn client() -> Result<Client, AppError> {
    request_extension::<Client>()?.ok_or_else(|| AppError::internal("client missing"))
}

/// Adds a header to the response, e.g. a `Set-Cookie`.
pub fn append_response_header(name: HeaderName, value: HeaderValue) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(name, value);
    }
}

/// The most of a typed value a refused form keeps in the address it is
/// sent back to: room for the longest valid email. A longer value is
/// refused anyway, and kept whole it could make the address longer than a
/// server takes (URIs over 64 KiB get 414), so the form would not load.
/// (`auth::email::MAX_EMAIL_CHARS`; `auth` sits above this module, and a
/// test there checks the two agree.)
pub const MAX_KEPT_CHARS: usize = 254;

/// For a plain form post that failed, sends the browser back to the form
/// with the error (as Leptos does) and with `keep`'s values in the query
/// (each cut to [`MAX_KEPT_CHARS`]), so the page can refill what was typed.
/// Passwords are never kept.
pub fn return_to_form_with(server_fn_path: &str, error: &AppError, keep: &[(&str, &str)]) {
    let Some((referer, response)) = plain_form_post_referer() else {
        return;
    };
    let replaced =
        |key: &str| key == "__path" || key == "__err" || keep.iter().any(|(kept, _)| *kept == key);
    let kept: Vec<(&str, &str)> = keep
        .iter()
        .map(|(key, value)| (*key, first_chars(value, MAX_KEPT_CHARS)))
        .collect();
    let base = with_query_changed(&referer, replaced, &kept);
    if let Ok(url) = ServerFnUrlError::new(server_fn_path, error.clone()).to_url(&base)
        && let Ok(location) = HeaderValue::from_str(url.as_str())
    {
        response.insert_header(header::LOCATION, location);
    }
}

/// The first `count` characters of `text`.
fn first_chars(text: &str, count: usize) -> &str {
    text.char_indices()
        .nth(count)
        .map_or(text, |(cut, _)| &text[..cut])
}

/// For a plain form post that succeeded, returns the browser to the page
/// it came from without the query parameters `keys` (say, the `edit` that
/// opened the form), instead of to the page exactly as it was.
pub fn return_to_referer_without(keys: &[&str]) {
    let Some((referer, response)) = plain_form_post_referer() else {
        return;
    };
    let back = without_query_keys(&referer, keys);
    if let Some(location) = back.and_then(|back| HeaderValue::from_str(&back).ok()) {
        response.insert_header(header::LOCATION, location);
    }
}

/// For a plain form post that succeeded, returns the browser to the page
/// it came from with the query parameters `dropped` left out and `added`
/// set (say, the `undo` that shows a delete's Undo notice). An earlier
/// refusal the address still carried goes too.
pub fn return_to_referer_changed(dropped: &[&str], added: &[(&str, &str)]) {
    let Some((referer, response)) = plain_form_post_referer() else {
        return;
    };
    let replaced = |key: &str| {
        key == "__path"
            || key == "__err"
            || dropped.contains(&key)
            || added.iter().any(|(name, _)| *name == key)
    };
    let back = with_query_changed(&referer, replaced, added);
    if let Ok(location) = HeaderValue::from_str(&back) {
        response.insert_header(header::LOCATION, location);
    }
}

/// For a plain form post (no JavaScript), the page it was posted from and
/// the response whose `Location` sends the browser on.
fn plain_form_post_referer() -> Option<(String, ResponseOptions)> {
    let (parts, response) = (parts().ok()?, use_context::<ResponseOptions>()?);
    if !is_plain_form_post() {
        return None;
    }
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    Some((referer.to_owned(), response))
}

/// Runs a server function body and gives its error the right HTTP status
/// (and `Retry-After` when rate limited).
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        error.set_response_status();
    }
    result
}
