//! Exports streamed: an account is read a page at a time from one snapshot
//! and written to the response as it is read, so the memory of a download
//! does not grow with the account; and the bounds on exports at once.
//!
//! One read transaction gives the snapshot (REPEATABLE READ on
//! PostgreSQL; on SQLite under WAL a read transaction sees the database as
//! it began), so a todo moved between lists during a download appears
//! exactly once. It holds a connection, and on SQLite it keeps the WAL from
//! being checkpointed past it, for as long as the client takes to read: so
//! exports at once are bounded ([`RunningExports`]) and a reader that stops
//! taking bytes, or takes them too slowly, is cut off ([`Pace`]).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
    task::Poll,
    time::Duration,
};

use axum::body::{Body, Bytes};
use tokio::{sync::mpsc, time::Instant};
use uuid::Uuid;

use super::export::ExportWriter;
use crate::{
    calendar::TimeZone,
    db::Db,
    error::AppError,
    lists::store::ListRecord,
    metrics::{RefusalLabels, Refusals},
    on_db,
    todos::store::TodoRecord,
};

/// Todos read per query: at the longest notes (10,000 characters, up to
/// 40 KB each) a page is a few MB.
const TODO_PAGE_ROWS: i64 = 200;
/// What is handed to the response at a time.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks written ahead of the client.
const CHUNKS_AHEAD: usize = 4;
/// One export may run at once per this many connections of the database
/// pool (and at least one): each holds a connection for its snapshot while
/// its client reads, and the rest of the pool stays for everything else.
pub const POOL_CONNECTIONS_PER_EXPORT: u32 = 4;
/// The slowest a download may go on average (about 1 Mbit/s), so no client
/// holds a snapshot and a connection for much longer than its export needs.
pub const MIN_EXPORT_BYTES_PER_SEC: u64 = 128 * 1024;
/// What `Retry-After` asks of a client whose export was refused because
/// others are running.
pub const EXPORT_RETRY_AFTER_SECS: u64 = 10;

/// The exports running on this instance: one per account at a time, and
/// at most [`POOL_CONNECTIONS_PER_EXPORT`]-th of the pool in all.
#[derive(Debug)]
pub struct RunningExports {
    accounts: Mutex<HashSet<Uuid>>,
    capacity: usize,
    /// How long a client may take no bytes (the request timeout).
    stall: Duration,
    refusals: Refusals,
}

/// Why an export was refused: another is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportBusy {
    /// This account's.
    Account,
    /// As many as the instance runs at once.
    Instance,
}

impl ExportBusy {
    /// Its label among the refusals in `/metrics`.
    fn budget(self) -> &'static str {
        match self {
            ExportBusy::Account => "export_account",
            ExportBusy::Instance => "export_instance",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            ExportBusy::Account => {
                "An export of your data is already running: wait for that download to finish \
                 (or cancel it), then try again."
            }
            ExportBusy::Instance => {
                "Too many exports are running on the server right now. Please try again in a \
                 few seconds."
            }
        }
    }
}

impl RunningExports {
    /// For a database pool of `pool_connections`; a client that takes no
    /// bytes for `stall` is cut off. Refusals are counted in `refusals`.
    pub fn new(pool_connections: u32, stall: Duration, refusals: Refusals) -> Arc<Self> {
        for busy in [ExportBusy::Account, ExportBusy::Instance] {
            let _ = refusals.get_or_create(&RefusalLabels {
                budget: busy.budget(),
            });
        }
        Arc::new(Self {
            accounts: Mutex::default(),
            capacity: (pool_connections / POOL_CONNECTIONS_PER_EXPORT).max(1) as usize,
            stall,
            refusals,
        })
    }

    /// A place for an export of `user_id`'s, held until the export ends.
    pub fn claim(self: &Arc<Self>, user_id: Uuid) -> Result<ExportSlot, ExportBusy> {
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        let busy = if accounts.contains(&user_id) {
            Some(ExportBusy::Account)
        } else if accounts.len() >= self.capacity {
            Some(ExportBusy::Instance)
        } else {
            None
        };
        if let Some(busy) = busy {
            self.refusals
                .get_or_create(&RefusalLabels {
                    budget: busy.budget(),
                })
                .inc();
            return Err(busy);
        }
        accounts.insert(user_id);
        Ok(ExportSlot {
            exports: self.clone(),
            user_id,
        })
    }
}

/// One running export's place; dropping it frees the place.
#[derive(Debug)]
pub struct ExportSlot {
    exports: Arc<RunningExports>,
    user_id: Uuid,
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        self.exports
            .accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.user_id);
    }
}

/// What the response reads from the export: its bytes, then word that the
/// file is complete. A channel that closes without it means the export was
/// cut off, and the response ends in an error rather than in a file that
/// looks whole.
enum Piece {
    Bytes(Bytes),
    End,
}

/// Why an export stopped before its end.
enum Stop {
    ClientGone,
    TooSlow,
    Failed(AppError),
}

impl From<AppError> for Stop {
    fn from(error: AppError) -> Self {
        Stop::Failed(error)
    }
}

impl From<sqlx::Error> for Stop {
    fn from(error: sqlx::Error) -> Self {
        Stop::Failed(error.into())
    }
}

/// When the client must have taken the next chunk: within the stall time
/// of the previous one, and on average at [`MIN_EXPORT_BYTES_PER_SEC`]
/// after a first stall time.
#[derive(Debug)]
struct Pace {
    started: Instant,
    stall: Duration,
    taken: u64,
}

impl Pace {
    fn new(started: Instant, stall: Duration) -> Self {
        Self {
            started,
            stall,
            taken: 0,
        }
    }

    fn deadline(&self, now: Instant) -> Instant {
        let on_average = self.started
            + self.stall
            + Duration::from_secs_f64(self.taken as f64 / MIN_EXPORT_BYTES_PER_SEC as f64);
        on_average.min(now + self.stall)
    }
}

/// Sends `piece` once the client has room for it, or stops the export.
async fn send(sender: &mpsc::Sender<Piece>, pace: &mut Pace, piece: Piece) -> Result<(), Stop> {
    let length = match &piece {
        Piece::Bytes(bytes) => bytes.len() as u64,
        Piece::End => 0,
    };
    match tokio::time::timeout_at(pace.deadline(Instant::now()), sender.send(piece)).await {
        Ok(Ok(())) => {
            pace.taken += length;
            Ok(())
        }
        Ok(Err(_)) => Err(Stop::ClientGone),
        Err(_) => Err(Stop::TooSlow),
    }
}

/// Hands what `writer` holds to the client once it is a chunk's worth.
async fn send_written(
    sender: &mpsc::Sender<Piece>,
    pace: &mut Pace,
    writer: &mut dyn ExportWriter,
) -> Result<(), Stop> {
    if writer.pending() < CHUNK_BYTES {
        return Ok(());
    }
    let bytes = writer.take()?;
    send(sender, pace, Piece::Bytes(bytes.into())).await
}

/// The export of `slot`'s account as a response body, written by `writer`.
/// The account and its lists are read before this returns, so a failure
/// there is an ordinary error response; the todos follow a page at a time,
/// from the same snapshot, in a task of its own that holds the slot.
pub async fn export_body(
    db: &Db,
    slot: ExportSlot,
    mut writer: Box<dyn ExportWriter>,
) -> Result<Body, AppError> {
    let (sender, receiver) = mpsc::channel(CHUNKS_AHEAD);
    let user_id = slot.user_id;
    let stall = slot.exports.stall;
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        if matches!(db, Db::Postgres(_)) {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let account: Option<(String, String)> =
            sqlx::query_as("SELECT email, time_zone FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (email, time_zone) = account.ok_or(AppError::Unauthenticated)?;
        writer.account(&email, TimeZone::from_stored(&time_zone))?;
        // At most the list cap's worth: read at once.
        let lists: Vec<ListRecord> = sqlx::query_as(
            "SELECT id, name, is_inbox, position, created_at, updated_at FROM lists \
             WHERE user_id = $1 ORDER BY is_inbox DESC, position",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        tokio::spawn(async move {
            let mut pace = Pace::new(Instant::now(), stall);
            let written: Result<(), Stop> = async {
                for list in &lists {
                    writer.list(list)?;
                    // Keyset pages in the list's order: positions are
                    // unique in a list.
                    let mut after = String::new();
                    loop {
                        let page: Vec<TodoRecord> = sqlx::query_as(
                            "SELECT id, title, completed, list_id, notes, priority, due_date, \
                             due_time, position, created_at, updated_at, repeat_rule, \
                             repeat_from, next_id, reminders FROM todos \
                             WHERE user_id = $1 AND list_id = $2 AND position > $3 \
                             ORDER BY position LIMIT $4",
                        )
                        .bind(user_id)
                        .bind(list.id)
                        .bind(after.as_str())
                        .bind(TODO_PAGE_ROWS)
                        .fetch_all(&mut *tx)
                        .await?;
                        for todo in &page {
                            writer.todo(todo)?;
                            send_written(&sender, &mut pace, &mut *writer).await?;
                        }
                        match page.last() {
                            Some(last) if page.len() as i64 == TODO_PAGE_ROWS => {
                                after.clone_from(&last.position);
                            }
                            _ => break,
                        }
                    }
                }
                writer.finish()?;
                let rest = writer.take()?;
                send(&sender, &mut pace, Piece::Bytes(rest.into())).await
            }
            .await;
            // Read only: nothing to keep. The connection and the place are
            // free before the client sees the end, so it may export again
            // at once.
            if let Err(error) = tx.rollback().await {
                tracing::warn!(%error, "could not end an export's read transaction");
            }
            drop(slot);
            let ended = match written {
                Ok(()) => send(&sender, &mut pace, Piece::End).await,
                Err(stop) => Err(stop),
            };
            match ended {
                Ok(()) => {}
                Err(Stop::ClientGone) => tracing::debug!("the client left during an export"),
                Err(Stop::TooSlow) => tracing::info!(
                    taken = pace.taken,
                    "an export was cut off: its client took the download too slowly"
                ),
                Err(Stop::Failed(error)) => {
                    tracing::warn!(%error, "an export failed partway")
                }
            }
        });
    });
    Ok(body_of(receiver))
}

/// The response body reading `receiver`: an error unless the export said
/// it was complete.
fn body_of(mut receiver: mpsc::Receiver<Piece>) -> Body {
    let mut ended = false;
    Body::from_stream(futures::stream::poll_fn(move |context| {
        if ended {
            return Poll::Ready(None);
        }
        match receiver.poll_recv(context) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Piece::Bytes(bytes))) => Poll::Ready(Some(Ok(bytes))),
            Poll::Ready(Some(Piece::End)) => {
                ended = true;
                Poll::Ready(None)
            }
            Poll::Ready(None) => {
                ended = true;
                Poll::Ready(Some(Err(std::io::Error::other(
                    "the export was cut off before its end",
                ))))
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_may_pause_for_the_stall_time_but_not_fall_below_the_average_rate() {
        let start = Instant::now();
        let stall = Duration::from_secs(30);
        let mut pace = Pace::new(start, stall);
        // Nothing taken yet: the first stall time.
        assert_eq!(pace.deadline(start), start + stall);
        // Fast so far: each chunk still within the stall time of the last.
        pace.taken = 100 * MIN_EXPORT_BYTES_PER_SEC;
        let later = start + Duration::from_secs(10);
        assert_eq!(pace.deadline(later), later + stall);
        // Slow on average: what was taken in an hour is 10 seconds' worth at
        // the minimum rate, so the time is up.
        pace.taken = 10 * MIN_EXPORT_BYTES_PER_SEC;
        let hour = start + Duration::from_secs(3600);
        assert_eq!(pace.deadline(hour), start + stall + Duration::from_secs(10));
        assert!(pace.deadline(hour) < hour);
    }

    #[test]
    fn one_export_per_account_and_a_share_of_the_pool_in_all() {
        let refusals = Refusals::default();
        let exports = RunningExports::new(8, Duration::from_secs(30), refusals.clone());
        let (first, second, third) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let slot = exports.claim(first).unwrap();
        assert_eq!(exports.claim(first).unwrap_err(), ExportBusy::Account);
        let other = exports.claim(second).unwrap();
        assert_eq!(exports.claim(third).unwrap_err(), ExportBusy::Instance);
        let refused = |budget| refusals.get_or_create(&RefusalLabels { budget }).get();
        assert_eq!(
            (refused("export_account"), refused("export_instance")),
            (1, 1)
        );
        drop(slot);
        assert!(exports.claim(first).is_ok());
        drop(other);
        // A pool too small to share still runs one.
        let small = RunningExports::new(1, Duration::from_secs(30), Refusals::default());
        assert!(small.claim(first).is_ok());
    }
}
