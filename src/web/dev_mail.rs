//! `/dev/mail`: in development without `SMTP_URL`, the mail the app would
//! have sent, newest first, with its links, so sign-up, reset and
//! verification can be tried without a relay. Not routed in production
//! (404), nor when a relay is configured (mail then leaves the instance).

use axum::{
    Router,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};

use super::AppState;
use crate::{
    config::{Environment, PublicOrigin},
    db::Db,
    error::AppError,
    mail::{Delivery, store},
};

/// The newest mails the page shows.
const SHOWN: i64 = 50;

pub fn router(state: &AppState) -> Router {
    let kept_here = state.config.environment == Environment::Development
        && matches!(state.mailer.delivery(), Delivery::Kept);
    if !kept_here {
        return Router::new();
    }
    Router::new().route(
        "/dev/mail",
        get(page).with_state((
            state.db.clone(),
            PublicOrigin(state.config.public_origin.clone()),
        )),
    )
}

async fn page(State((db, origin)): State<(Db, PublicOrigin)>) -> Response {
    let mails = match store::kept(&db, SHOWN).await {
        Ok(mails) => mails,
        Err(error) => return AppError::from(error).into_response(),
    };
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Mail kept in development · Taskward</title></head><body><main>\
         <h1>Mail kept in development</h1>\
         <p>No <code>SMTP_URL</code> is set, so mail is kept here instead of sent. \
         Newest first; the last 50.</p>",
    );
    if mails.is_empty() {
        html.push_str("<p>No mail yet.</p>");
    }
    for mail in mails {
        html.push_str(&format!(
            "<article><h2>{subject}</h2><p>To {to}, {at}</p><pre>{body}</pre></article>",
            subject = escape(&mail.subject),
            to = escape(&mail.recipient),
            at = mail.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            body = linked(&mail.body_text, &origin.0),
        ));
    }
    html.push_str("</main></body></html>");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

fn escape(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

/// `text` escaped, with the links on this instance made clickable.
fn linked(text: &str, origin: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        for (position, word) in line.split(' ').enumerate() {
            if position > 0 {
                out.push(' ');
            }
            let word_escaped = escape(word);
            if word.starts_with(origin) && !origin.is_empty() {
                out.push_str(&format!("<a href=\"{word_escaped}\">{word_escaped}</a>"));
            } else {
                out.push_str(&word_escaped);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_on_the_instance_become_anchors_and_the_rest_is_escaped() {
        let shown = linked(
            "Reset: http://localhost:3000/reset?token=a\n<script>http://evil.example/x",
            "http://localhost:3000",
        );
        assert!(shown.contains(
            "<a href=\"http://localhost:3000/reset?token=a\">http://localhost:3000/reset?token=a</a>"
        ));
        assert!(shown.contains("&lt;script&gt;http://evil.example/x"));
        assert!(!shown.contains("href=\"http://evil"));
    }
}
