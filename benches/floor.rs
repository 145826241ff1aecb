//! The floor of `GET /todos`: a small axum server, written by hand, that does
//! the page's irreducible work on Taskward's own database and nothing else.
//! `scripts/bench` starts it beside the app and reports every page and API
//! figure as a ratio to it. It is not part of the product.
//!
//! Per request, as the page does: verify the session JWT (HS256, issuer,
//! audience, expiry), look the session up (joined with its user), find the
//! Inbox, read a page of its todos in manual order and the sidebar's lists
//! with their counts, and write the HTML: the page shell with a fresh CSP
//! nonce, the sidebar, the search, add and filter forms, and every row
//! escaped with its due date, priority and a form, compressed at the fastest
//! level, as the app compresses.
//!
//! Run by scripts/bench (`cargo bench --bench floor` builds it) with
//! `DATABASE_URL`, `JWT_SECRET` and `LISTEN_ADDR` set as for the app.

use std::{fmt::Write, str::FromStr, sync::Arc};

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tower_http::{CompressionLevel, compression::CompressionLayer};
use uuid::Uuid;

/// The app's allocator (src/main.rs), so the two differ only in their code.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The app's default pool size (`DATABASE_MAX_CONNECTIONS`).
const POOL_SIZE: u32 = 16;
const PAGE_SIZE: i64 = 50;

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// One query text, run on whichever backend the URL named.
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

struct Floor {
    pool: Pool,
    key: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    sub: Uuid,
    sid: Uuid,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    email: String,
    expires_at: DateTime<Utc>,
    disabled_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TodoRow {
    id: Uuid,
    title: String,
    completed: bool,
    priority: i16,
    due_date: Option<NaiveDate>,
    due_time: Option<NaiveTime>,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    name: String,
    is_inbox: bool,
    open: i64,
    total: i64,
}

#[tokio::main]
async fn main() {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set"));
    let url = env("DATABASE_URL");
    let pool = if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(&url)
            .expect("a SQLite URL")
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true);
        Pool::Sqlite(
            SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .connect_with(options)
                .await
                .expect("the app's SQLite database"),
        )
    } else {
        Pool::Postgres(
            PgPoolOptions::new()
                .max_connections(POOL_SIZE)
                .connect(&url)
                .await
                .expect("the app's PostgreSQL database"),
        )
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&["taskward"]);
    validation.set_audience(&["taskward"]);
    let floor = Arc::new(Floor {
        pool,
        key: DecodingKey::from_secret(env("JWT_SECRET").as_bytes()),
        validation,
    });
    let app = Router::new()
        .route("/todos", get(todos_page))
        .route("/healthz", get(|| async { "ok" }))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .with_state(floor);
    let listener = tokio::net::TcpListener::bind(env("LISTEN_ADDR"))
        .await
        .expect("a free port");
    axum::serve(listener, app).await.expect("serving");
}

fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|cookie| {
            let (name, value) = cookie.trim().split_once('=')?;
            matches!(name, "taskward_session" | "__Host-taskward_session").then_some(value)
        })
}

async fn todos_page(State(floor): State<Arc<Floor>>, headers: HeaderMap) -> Response {
    match render(&floor, &headers).await {
        Ok(Some(html)) => {
            let mut response = Html(html).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
            response
        }
        // Refused, not redirected: a redirect would count as a fast answer.
        Ok(None) => StatusCode::UNAUTHORIZED.into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

async fn render(floor: &Floor, headers: &HeaderMap) -> Result<Option<String>, sqlx::Error> {
    let Some(claims) = session_token(headers)
        .and_then(|token| jsonwebtoken::decode::<Claims>(token, &floor.key, &floor.validation).ok())
        .map(|data| data.claims)
    else {
        return Ok(None);
    };
    let session: Option<SessionRow> = on_pool!(&floor.pool, pool => {
        sqlx::query_as(
            "SELECT s.user_id, u.email, s.expires_at, u.disabled_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
        )
        .bind(claims.sid)
        .fetch_optional(pool)
        .await?
    });
    let Some(session) = session.filter(|session| {
        session.user_id == claims.sub
            && session.expires_at > Utc::now()
            && session.disabled_at.is_none()
    }) else {
        return Ok(None);
    };
    let (inbox,): (Uuid,) = on_pool!(&floor.pool, pool => {
        // `TRUE` written, as the app writes it: bound, SQLite would prepare
        // the statement again on every run (see lists::store::list_id_in).
        sqlx::query_as("SELECT id FROM lists WHERE user_id = $1 AND is_inbox = TRUE")
            .bind(session.user_id)
            .fetch_one(pool)
            .await?
    });
    let todos: Vec<TodoRow> = on_pool!(&floor.pool, pool => {
        sqlx::query_as(
            "SELECT id, title, completed, priority, due_date, due_time FROM todos \
             WHERE user_id = $1 AND list_id = $2 ORDER BY position LIMIT $3",
        )
        .bind(session.user_id)
        .bind(inbox)
        .bind(PAGE_SIZE + 1)
        .fetch_all(pool)
        .await?
    });
    let lists: Vec<ListRow> = on_pool!(&floor.pool, pool => {
        sqlx::query_as(
            "SELECT l.id, l.name, l.is_inbox, \
               (SELECT COUNT(*) FROM todos t \
                 WHERE t.user_id = l.user_id AND t.list_id = l.id AND t.completed = $2) AS open, \
               (SELECT COUNT(*) FROM todos t \
                 WHERE t.user_id = l.user_id AND t.list_id = l.id) AS total \
             FROM lists l WHERE l.user_id = $1 ORDER BY l.is_inbox DESC, l.position",
        )
        .bind(session.user_id)
        .bind(false)
        .fetch_all(pool)
        .await?
    });
    Ok(Some(page_html(&session.email, &todos, &lists)))
}

fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_safe(text)
}

fn page_html(email: &str, todos: &[TodoRow], lists: &[ListRow]) -> String {
    let nonce = URL_SAFE_NO_PAD.encode(rand_bytes());
    let mut html = String::with_capacity(32 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Inbox</title><link rel=\"stylesheet\" href=\"/pkg/taskward.css\">\
         <script type=\"module\" nonce=\"{nonce}\">import init from '/pkg/taskward.js';init();</script>\
         </head><body><header class=\"topbar\"><a href=\"/dashboard\">Taskward</a>\
         <nav><a href=\"/todos\" aria-current=\"page\">Todos</a><a href=\"/account\">{}</a>\
         <form method=\"post\" action=\"/api/auth/signout\"><button>Sign out</button></form></nav></header>\
         <main><aside class=\"sidebar\"><form role=\"search\" action=\"/todos\">\
         <input type=\"search\" name=\"q\" aria-label=\"Search todos\"></form><ul>",
        escape(email)
    );
    for list in lists {
        let name = if list.is_inbox { "Inbox" } else { &list.name };
        let _ = write!(
            html,
            "<li><a href=\"/todos?list={}\">{}</a><span class=\"count\" title=\"{} of {}\">{}</span></li>",
            list.id,
            escape(name),
            list.open,
            list.total,
            list.open
        );
    }
    html.push_str(
        "</ul></aside><section><h1>Inbox</h1>\
         <form method=\"post\" action=\"/api/todos/create\"><input name=\"title\" maxlength=\"500\" required>\
         <input type=\"date\" name=\"due_date\"><button>Add</button></form>\
         <nav class=\"filters\"><a href=\"/todos\">All</a><a href=\"/todos?filter=active\">Active</a>\
         <a href=\"/todos?filter=completed\">Completed</a></nav><ul class=\"todos\">",
    );
    for todo in todos.iter().take(PAGE_SIZE as usize) {
        let _ = write!(
            html,
            "<li class=\"todo{}\"><form method=\"post\" action=\"/api/todos/update\">\
             <input type=\"hidden\" name=\"id\" value=\"{}\">\
             <input type=\"hidden\" name=\"completed\" value=\"{}\">\
             <button aria-label=\"Mark {} as {}\"></button></form><span>{}</span>",
            if todo.completed { " todo--done" } else { "" },
            todo.id,
            !todo.completed,
            escape(&todo.title),
            if todo.completed { "not done" } else { "done" },
            escape(&todo.title),
        );
        if let Some(due) = todo.due_date {
            let _ = write!(html, "<time datetime=\"{due}\">{}", due.format("%a %-d %b"));
            if let Some(time) = todo.due_time {
                let _ = write!(html, " {}", time.format("%H:%M"));
            }
            html.push_str("</time>");
        }
        if todo.priority > 0 {
            let _ = write!(
                html,
                "<span class=\"chip\">priority {}</span>",
                todo.priority
            );
        }
        html.push_str("</li>");
    }
    html.push_str("</ul></section></main></body></html>");
    html
}

/// A CSP nonce's 16 random bytes, as the app makes one per page.
fn rand_bytes() -> [u8; 16] {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes
}
