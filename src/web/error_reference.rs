//! A failure names its request. The id in `X-Request-Id`, which every log
//! line of the request carries, is also written into the body of a 5xx
//! answer (a problem's or a server function error's `request_id`, a line
//! on an HTML page), so that a person who saw the failure can quote it and
//! an administrator can find its log lines.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::request_id::RequestId;

/// The largest failure body rewritten; a larger one (none is) passes as it is.
const MAX_REWRITTEN_BYTES: usize = 1 << 20;

pub async fn name_the_request(request: Request, next: Next) -> Response {
    // A header value's clone shares its bytes: nothing is copied for the
    // answers that succeed.
    let id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.header_value().clone());
    let response = next.run(request).await;
    match id {
        Some(id) if response.status().is_server_error() => match id.to_str() {
            Ok(id) => with_reference(response, id).await,
            Err(_) => response,
        },
        _ => response,
    }
}

async fn with_reference(response: Response, id: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REWRITTEN_BYTES).await else {
        return parts.status.into_response();
    };
    let rewritten = if content_type.contains("json") {
        with_json_member(&bytes, id)
    } else if content_type.starts_with("text/html") {
        Some(with_html_line(&bytes, id))
    } else {
        None
    };
    let Some(rewritten) = rewritten else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Ok(length) = HeaderValue::from_str(&rewritten.len().to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, length);
    }
    Response::from_parts(parts, Body::from(rewritten))
}

/// The JSON object with `request_id` added; `None` for anything else.
fn with_json_member(bytes: &[u8], id: &str) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value
        .as_object_mut()?
        .insert("request_id".into(), id.into());
    serde_json::to_vec(&value).ok()
}

/// The page with a line naming the request at the end of its main content.
/// The id holds only letters, digits, `-`, `_` and `.` (the request id
/// layer sees to that), so it needs no escaping.
fn with_html_line(bytes: &[u8], id: &str) -> Vec<u8> {
    let line = format!(
        "<p class=\"request-reference\">If you tell us about this, quote this reference: \
         <code>{id}</code></p>"
    );
    let page = String::from_utf8_lossy(bytes);
    let at = page
        .rfind("</main>")
        .or_else(|| page.rfind("</body>"))
        .unwrap_or(page.len());
    let mut rewritten = String::with_capacity(page.len() + line.len());
    rewritten.push_str(&page[..at]);
    rewritten.push_str(&line);
    rewritten.push_str(&page[at..]);
    rewritten.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_object_gains_the_id_and_anything_else_is_left_alone() {
        let rewritten =
            with_json_member(br#"{"status":500,"title":"Internal error"}"#, "abc-1").unwrap();
        let value: serde_json::Value = serde_json::from_slice(&rewritten).unwrap();
        assert_eq!(value["request_id"], "abc-1");
        assert_eq!(value["status"], 500);
        assert!(with_json_member(b"[1, 2]", "abc-1").is_none());
        assert!(with_json_member(b"not json", "abc-1").is_none());
    }

    #[test]
    fn a_page_names_the_request_inside_its_main_content() {
        let page = with_html_line(
            b"<html><body><main><p>Broken</p></main></body></html>",
            "r-9",
        );
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<p>Broken</p><p class=\"request-reference\">"));
        assert!(page.contains("<code>r-9</code></p></main>"));
        let bare = String::from_utf8(with_html_line(b"Oops", "r-9")).unwrap();
        assert!(bare.starts_with("Oops<p"));
    }
}
