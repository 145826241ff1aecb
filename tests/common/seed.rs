//! Accounts as large as years of use make them, written straight into the
//! app's database in batches: far quicker than through the API, and past
//! what one import takes (8 MiB).

use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::Method;
use sqlx::{
    Connection, PgConnection, QueryBuilder, SqliteConnection, sqlite::SqliteConnectOptions,
};
use taskward::db::Backend;
use uuid::Uuid;

use super::TestApp;

/// Rows per INSERT: 12 values each, within both backends' limits on
/// parameters.
const ROWS_PER_INSERT: usize = 1_000;

/// An account's id and its Inbox's, as the API tells its owner.
pub struct Owner {
    pub user_id: Uuid,
    pub inbox_id: Uuid,
}

/// `count` todos for a list, as [`TestApp::seed_todos`] writes them: the
/// n-th titled `"{title} {n}"`, with notes of `notes_chars` characters,
/// every fourth done, every third due, in order of n.
pub struct Todos<'a> {
    pub title: &'a str,
    pub count: usize,
    pub notes_chars: usize,
}

impl TestApp {
    pub async fn owner(&self, token: &str) -> Owner {
        let me = self.api_ok(Method::GET, "/auth/me", token, None).await;
        let lists = self.api_ok(Method::GET, "/lists", token, None).await;
        let inbox = lists["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|list| list["inbox"] == true)
            .expect("every account has an Inbox");
        let id = |value: &serde_json::Value| Uuid::parse_str(value.as_str().unwrap()).unwrap();
        Owner {
            user_id: id(&me["id"]),
            inbox_id: id(&inbox["id"]),
        }
    }

    /// Adds `todos` to the list `list_id` of `user_id`, below the todos it
    /// has (positions `d` and four base-62 digits), in one transaction. The
    /// rows are made a batch at a time, so seeding takes little memory.
    pub async fn seed_todos(&self, user_id: Uuid, list_id: Uuid, todos: Todos<'_>) {
        let batches = (0..todos.count).step_by(ROWS_PER_INSERT).map(|first| {
            (first..todos.count.min(first + ROWS_PER_INSERT))
                .map(|n| Row::new(user_id, list_id, &todos, n))
                .collect::<Vec<Row>>()
        });
        match self.backend {
            Backend::Sqlite => {
                // The app writes too (sign-ups queue mail): take the write
                // lock at BEGIN, waiting for it as long as a test may. A
                // deferred transaction would ask for it mid-way, where
                // SQLite may refuse at once instead of waiting.
                let options = SqliteConnectOptions::from_str(&self.database_url)
                    .unwrap()
                    .busy_timeout(std::time::Duration::from_secs(60));
                let mut connection = SqliteConnection::connect_with(&options).await.unwrap();
                let mut tx = connection.begin_with("BEGIN IMMEDIATE").await.unwrap();
                for batch in batches {
                    insert(QueryBuilder::new(INSERT), &batch)
                        .build()
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
            Backend::Postgres => {
                let mut connection = PgConnection::connect(&self.database_url).await.unwrap();
                let mut tx = connection.begin().await.unwrap();
                for batch in batches {
                    insert(QueryBuilder::new(INSERT), &batch)
                        .build()
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
        }
    }
}

const INSERT: &str = "INSERT INTO todos (id, user_id, list_id, title, notes, completed, \
                      priority, due_date, due_time, position, created_at, updated_at) ";

struct Row {
    id: Uuid,
    user_id: Uuid,
    list_id: Uuid,
    title: String,
    notes: String,
    completed: bool,
    priority: i16,
    due_date: Option<chrono::NaiveDate>,
    position: String,
    created_at: DateTime<Utc>,
}

impl Row {
    fn new(user_id: Uuid, list_id: Uuid, todos: &Todos<'_>, n: usize) -> Self {
        const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let position: String = std::iter::once('d')
            .chain(
                [238_328, 3_844, 62, 1]
                    .iter()
                    .map(|place| DIGITS[(n / place) % 62] as char),
            )
            .collect();
        // Two words, then dots (not words): the full-text indexes stay
        // cheap to fill, as they would not be for 2,000 characters of words.
        let mut notes = format!("Note {n} ");
        notes.push_str(&".".repeat(todos.notes_chars.saturating_sub(notes.len())));
        let created_at =
            DateTime::from_timestamp(1_790_000_000, 0).unwrap() + TimeDelta::seconds(n as i64);
        Self {
            id: Uuid::new_v4(),
            user_id,
            list_id,
            title: format!("{} {n}", todos.title),
            notes,
            completed: n.is_multiple_of(4),
            priority: (n % 4) as i16,
            due_date: n
                .is_multiple_of(3)
                .then(|| chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()),
            position,
            created_at,
        }
    }
}

/// `builder` with the VALUES of `rows`, on either backend.
fn insert<'a, DB>(mut builder: QueryBuilder<'a, DB>, rows: &'a [Row]) -> QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i16: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<chrono::NaiveDate>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<chrono::NaiveTime>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    builder.push_values(rows, |mut values, row| {
        values
            .push_bind(row.id)
            .push_bind(row.user_id)
            .push_bind(row.list_id)
            .push_bind(row.title.as_str())
            .push_bind(row.notes.as_str())
            .push_bind(row.completed)
            .push_bind(row.priority)
            .push_bind(row.due_date)
            .push_bind(None::<chrono::NaiveTime>)
            .push_bind(row.position.as_str())
            .push_bind(row.created_at)
            .push_bind(row.created_at);
    });
    builder
}
