//! The database: embedded SQLite by default, PostgreSQL when `DATABASE_URL`
//! says so. One binary serves both; the backend is chosen at run time from
//! the URL scheme.
//!
//! Queries are written once and run on either backend: a store's public
//! function picks the pool with [`on_db!`], which expands the same code for
//! each pool type, and what runs inside a transaction is a generic function
//! over [`Engine`]. Both backends accept `$1` placeholders
//! and map `Uuid`, `DateTime<Utc>` and `bool` to their native column types.

use std::{future::Future, path::Path, str::FromStr, time::Duration};

pub mod backup;
mod engine;
pub mod pool_waits;
mod store_error;

pub use engine::{Bind, Engine, Rows, Value};
pub use store_error::StoreError;

use sqlx::{
    PgPool, QueryBuilder, SqlitePool, Transaction,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// How long a request waits for a free connection before it is told the
/// service is busy (503), unless configured otherwise.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long SQLite waits on a lock held by another writer. SQLite has one
/// writer at a time, and the largest write (importing 100,000 todos) holds
/// the lock for a few seconds: other users' writes, sign-in's attempt
/// counter among them, wait for it rather than fail, well inside the
/// request's 30 s.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// A connection pool on one of the supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of `$db`, once per
/// backend. Use it at a store's public entry so each query is written
/// exactly once; a macro because the body is compiled once per pool type.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// A transaction that is going to write. SQLite takes the database's write
/// lock at `BEGIN IMMEDIATE`, so reads inside it see what the write will
/// build on (a deferred transaction that read first would fail to upgrade
/// when another writer got in between); PostgreSQL locks the rows it
/// reads with [`Engine::FOR_UPDATE`].
pub trait WritePool {
    type Database: Engine;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>> + Send;

    /// [`Engine::FOR_UPDATE`] of this pool's backend, where a body of
    /// [`on_db!`] cannot name it.
    fn for_update(&self) -> &'static str {
        <Self::Database as Engine>::FOR_UPDATE
    }
}

impl WritePool for SqlitePool {
    type Database = sqlx::Sqlite;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl WritePool for PgPool {
    type Database = sqlx::Postgres;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

/// In a write transaction, locks the row of the user `user_id` until the
/// transaction ends and reads their todo count. Every change to a user's
/// orderings (and the todo cap) takes turns on this row, so two of them
/// never compute the same position from the same neighbours. `None` when
/// the user is gone.
pub async fn lock_user_row<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: uuid::Uuid,
) -> Result<Option<i64>, sqlx::Error> {
    let mut query = QueryBuilder::new("SELECT todo_count FROM users WHERE id = ");
    query.bind(user_id).push(DB::FOR_UPDATE);
    let row: Option<(i64,)> = DB::fetch_optional(tx, query).await?;
    Ok(row.map(|(count,)| count))
}

/// The current time at the precision both backends store (microseconds),
/// so a value reads back exactly as it was written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let now = chrono::Utc::now();
    now.duration_trunc(chrono::TimeDelta::microseconds(1))
        .unwrap_or(now)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "DATABASE_URL must start with sqlite: or postgres:// (or postgresql://); got a URL starting with '{0}'"
    )]
    UnsupportedScheme(String),
    #[error("DATABASE_URL could not be parsed: {0}")]
    InvalidUrl(sqlx::Error),
    #[error("could not create the folder {path} for the SQLite database: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("a database migration failed, so the app will not start: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The schema against this binary's migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationState {
    /// Migrations the binary embeds.
    pub known: usize,
    /// Of those, not applied yet (the server applies them when it starts).
    pub pending: usize,
    /// Applied, but unknown to this binary: a newer release migrated it.
    pub unknown: usize,
}

impl Db {
    /// Opens a pool for `url`. SQLite files (and their folder) are created
    /// when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        Self::connect_with(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// As [`Db::connect`], waiting at most `acquire_timeout` for a free
    /// connection.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, DbError> {
        match Backend::from_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(DbError::InvalidUrl)?
                    .create_if_missing(true)
                    // WAL lets readers proceed while one connection writes.
                    .journal_mode(SqliteJournalMode::Wal)
                    // NORMAL is durable across application crashes in WAL mode.
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT);
                create_parent_dir(options.get_filename())?;
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(acquire_timeout)
                    .acquire_time_level(pool_waits::ACQUIRE_LEVEL)
                    .connect_with(options)
                    .await
                    .map_err(DbError::Connect)?;
                Ok(Db::Sqlite(pool))
            }
            Backend::Postgres => {
                // TLS (`sslmode=require`, as Neon asks) uses rustls: no system OpenSSL.
                let options = PgConnectOptions::from_str(url).map_err(DbError::InvalidUrl)?;
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(acquire_timeout)
                    .acquire_time_level(pool_waits::ACQUIRE_LEVEL)
                    .connect_with(options)
                    .await
                    .map_err(DbError::Connect)?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Registers the pool's figures, read when scraped: connections open,
    /// in use and allowed, and the process's connection waits.
    pub fn register_metrics(&self, registry: &mut crate::metrics::Registry) {
        use crate::metrics::ReadOnScrape;
        let max = on_db!(self, pool => pool.options().get_max_connections());
        let db = self.clone();
        registry.register(
            "connections_open",
            "Connections the pool holds open",
            ReadOnScrape(move || on_db!(&db, pool => i64::from(pool.size()))),
        );
        let db = self.clone();
        registry.register(
            "connections_in_use",
            "Connections lent out to work now",
            ReadOnScrape(move || {
                on_db!(&db, pool => i64::from(pool.size()) - i64::try_from(pool.num_idle()).unwrap_or(0))
            }),
        );
        registry.register(
            "connections_max",
            "Connections the pool may open (DATABASE_MAX_CONNECTIONS)",
            ReadOnScrape(move || i64::from(max)),
        );
        registry.register(
            "wait_seconds",
            "Time taken to get a connection from the pool, in this process",
            pool_waits::histogram(),
        );
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations embedded in the binary (`migrations/<backend>`).
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// How the schema stands against the migrations this binary embeds,
    /// without changing it (`taskward admin check`).
    pub async fn migration_state(&self) -> MigrationState {
        let query = "SELECT version FROM _sqlx_migrations WHERE success";
        // No table yet: nothing is applied.
        let applied: Vec<i64> = on_db!(self, pool => {
            sqlx::query_scalar(query).fetch_all(pool).await.unwrap_or_default()
        });
        let known = self.backend().embedded_migrations();
        MigrationState {
            known: known.len(),
            pending: known
                .iter()
                .filter(|version| !applied.contains(version))
                .count(),
            unknown: applied
                .iter()
                .filter(|version| !known.contains(version))
                .count(),
        }
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

impl Backend {
    /// The versions of the migrations this binary embeds for the backend.
    pub fn embedded_migrations(self) -> Vec<i64> {
        let migrator = match self {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator
            .iter()
            .filter(|migration| migration.migration_type.is_up_migration())
            .map(|migration| migration.version)
            .collect()
    }

    pub fn from_url(url: &str) -> Result<Self, DbError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(DbError::UnsupportedScheme(
                scheme.chars().take(16).collect(),
            )),
        }
    }
}

fn create_parent_dir(file: &Path) -> Result<(), DbError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("sqlite::memory:").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db?sslmode=require").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
    }

    #[test]
    fn unsupported_scheme_is_named_without_the_rest_of_the_url() {
        let error = Backend::from_url("mysql://root:secret@db/app").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("'mysql'"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[tokio::test]
    async fn sqlite_database_and_its_folder_are_created_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nested/app.db", dir.path().display());
        let db = Db::connect(&url, 2).await.unwrap();
        db.migrate().await.unwrap();
        db.ping().await.unwrap();
        assert!(dir.path().join("nested/app.db").exists());

        let Db::Sqlite(pool) = &db else {
            unreachable!()
        };
        let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        let (foreign_keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(foreign_keys, 1);
    }
}
