//! Code written once for both backends, as ordinary generic functions:
//! `fn f<DB: Engine>(tx: &mut Transaction<'_, DB>, …)`, called with the
//! transaction that an [`on_db!`](crate::on_db) body opened. sqlx states what a
//! backend can bind and read as bounds on each value type
//! (`Uuid: Encode<'q, DB>`), which a generic function would have to
//! repeat, with its callers; [`Engine`] instead offers the few operations
//! the stores use, for any [`Value`] and [`Rows`], so a generic function
//! needs only `DB: Engine`.

use futures::future::BoxFuture;
use sqlx::{
    Encode, FromRow, Postgres, QueryBuilder, Sqlite, Transaction, Type, postgres::PgRow,
    sqlite::SqliteRow,
};

/// A value both backends bind (`Uuid`, `String`, `&str`, `bool`, numbers,
/// dates and times, and `Option`s of them).
pub trait Value<'q>:
    Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send + 'q
{
}

impl<'q, T> Value<'q> for T where
    T: Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send + 'q
{
}

/// A row both backends read into (a `FromRow` struct, or a tuple of
/// [`Value`]s).
pub trait Rows: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Rows for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// One of the two backends, as the stores' generic code uses it: binding
/// values to SQL assembled with `QueryBuilder`, and running it in a
/// transaction.
pub trait Engine: sqlx::Database {
    /// What a `SELECT` ends with to lock its rows until the transaction
    /// ends: nothing on SQLite, whose write transaction (`BEGIN
    /// IMMEDIATE`) holds the whole database.
    const FOR_UPDATE: &'static str;

    /// [`Engine::FOR_UPDATE`] that passes over rows another transaction
    /// holds instead of waiting for them: how workers in several instances
    /// claim different rows of one queue.
    const FOR_UPDATE_SKIP_LOCKED: &'static str;

    /// SQL that gives a row a key unique to it and above every real
    /// ordering key, while its sequence is respaced.
    const TEMPORARY_KEY: &'static str;

    fn push_bind<'q>(query: &mut QueryBuilder<'q, Self>, value: impl Value<'q>);

    fn fetch_all<'c, 'q: 'c, O: Rows + 'c>(
        tx: &'c mut Transaction<'_, Self>,
        query: QueryBuilder<'q, Self>,
    ) -> BoxFuture<'c, Result<Vec<O>, sqlx::Error>>;

    fn fetch_optional<'c, 'q: 'c, O: Rows + 'c>(
        tx: &'c mut Transaction<'_, Self>,
        query: QueryBuilder<'q, Self>,
    ) -> BoxFuture<'c, Result<Option<O>, sqlx::Error>>;

    /// Runs a statement; how many rows it changed.
    fn execute<'c, 'q: 'c>(
        tx: &'c mut Transaction<'_, Self>,
        query: QueryBuilder<'q, Self>,
    ) -> BoxFuture<'c, Result<u64, sqlx::Error>>;
}

/// `push_bind` for generic code, in the order the SQL reads.
pub trait Bind<'q> {
    /// Adds `value`'s placeholder (`$n`) and binds it.
    fn bind(&mut self, value: impl Value<'q>) -> &mut Self;

    /// Adds `, ` and then `value`, as in a row of `VALUES`.
    fn and_bind(&mut self, value: impl Value<'q>) -> &mut Self;
}

impl<'q, DB: Engine> Bind<'q> for QueryBuilder<'q, DB> {
    fn bind(&mut self, value: impl Value<'q>) -> &mut Self {
        DB::push_bind(self, value);
        self
    }

    fn and_bind(&mut self, value: impl Value<'q>) -> &mut Self {
        self.push(", ");
        self.bind(value)
    }
}

/// The two implementations are the same code over different types, which
/// only a macro can write once.
macro_rules! engine_for {
    ($database:ty, $for_update:expr, $skip_locked:expr, $temporary_key:expr) => {
        impl Engine for $database {
            const FOR_UPDATE: &'static str = $for_update;
            const FOR_UPDATE_SKIP_LOCKED: &'static str = $skip_locked;
            const TEMPORARY_KEY: &'static str = $temporary_key;

            fn push_bind<'q>(query: &mut QueryBuilder<'q, Self>, value: impl Value<'q>) {
                query.push_bind(value);
            }

            fn fetch_all<'c, 'q: 'c, O: Rows + 'c>(
                tx: &'c mut Transaction<'_, Self>,
                mut query: QueryBuilder<'q, Self>,
            ) -> BoxFuture<'c, Result<Vec<O>, sqlx::Error>> {
                Box::pin(async move { query.build_query_as::<O>().fetch_all(&mut **tx).await })
            }

            fn fetch_optional<'c, 'q: 'c, O: Rows + 'c>(
                tx: &'c mut Transaction<'_, Self>,
                mut query: QueryBuilder<'q, Self>,
            ) -> BoxFuture<'c, Result<Option<O>, sqlx::Error>> {
                Box::pin(async move { query.build_query_as::<O>().fetch_optional(&mut **tx).await })
            }

            fn execute<'c, 'q: 'c>(
                tx: &'c mut Transaction<'_, Self>,
                mut query: QueryBuilder<'q, Self>,
            ) -> BoxFuture<'c, Result<u64, sqlx::Error>> {
                Box::pin(async move { Ok(query.build().execute(&mut **tx).await?.rows_affected()) })
            }
        }
    };
}

engine_for!(Sqlite, "", "", "'~' || hex(id)");
engine_for!(
    Postgres,
    " FOR UPDATE",
    " FOR UPDATE SKIP LOCKED",
    "'~' || id::text"
);
