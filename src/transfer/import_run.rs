//! An import being written. Its todos are written
//! [`TODOS_PER_TRANSACTION`] at a time, each batch in its own transaction,
//! so on SQLite (one write lock for every writer) other users wait for one
//! batch, never for the whole import. It still applies completely or not
//! at all: every row it writes (its todos, the lists it makes) takes an id
//! from the run's own range ([`ImportRun::next_id`]), a row of
//! `import_runs` stands for it until its last batch, and a run that fails,
//! or whose instance stopped half-way, is removed by that range: by the
//! import itself ([`ImportRun::abandon`]), or by the periodic [`sweep`].
//! Only the importing user can see its todos arrive while it runs.

use std::{collections::HashSet, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::{
    db::{Db, StoreError, WritePool as _, lock_user_row},
    lists::store::{RemovingLists, remove_lists},
    on_db,
    todos::{
        TodoLimit,
        store::{TodoRecord, insert_todos, remove_todos_in_id_range},
    },
};

/// Why writing an import was refused, with nothing of it kept (worded in
/// `crate::refusals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportConflict {
    /// Another import into the account is still being written.
    AnotherImportRuns,
    /// The file's `adding` todos and the account's `count` pass `limit`.
    FileDoesNotFit {
        adding: i64,
        count: i64,
        limit: u32,
    },
    WouldPassListCap,
    /// The run was abandoned (by a failure, or the sweep) mid-way.
    Stopped,
    /// Todos added while it ran leave no room for the rest under `limit`.
    RestDoesNotFit {
        limit: u32,
    },
    ListDeletedMeanwhile,
    /// A todo took a place the import's keys were going to.
    ListChangedMeanwhile,
}

type Refused = StoreError<ImportConflict>;

/// Todos one transaction of an import writes: how long another writer may
/// wait on SQLite grows with it.
pub const TODOS_PER_TRANSACTION: usize = 5_000;

/// How long an import on SQLite steps aside between two batches: longer
/// than the longest sleep of SQLite's busy handler (100 ms), so every
/// writer that was waiting for the lock gets it in between.
const PAUSE_ON_SQLITE: Duration = Duration::from_millis(120);

/// A run still unfinished this long after it started is taken to have
/// stopped with its instance (an import takes seconds) and is removed.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(10);

/// Runs one sweep removes; the next sweep takes the rest.
const RUNS_PER_SWEEP: i64 = 10;

/// The ids of a run share their first 8 bytes (random, with the version
/// nibble of a v4 UUID); the last 8 hold the RFC 4122 variant and a counter.
const VARIANT: u64 = 0x8000_0000_0000_0000;
const COUNTER_MAX: u64 = 0x3fff_ffff_ffff_ffff;

/// One import being written, with the ids it hands out.
#[derive(Debug)]
pub struct ImportRun {
    id: Uuid,
    user_id: Uuid,
    prefix: [u8; 8],
    next: u64,
}

/// A run as `import_runs` keeps it.
#[derive(Debug, sqlx::FromRow)]
struct StoredRun {
    id: Uuid,
    user_id: Uuid,
    first_id: Uuid,
    last_id: Uuid,
}

impl ImportRun {
    pub fn new(user_id: Uuid) -> Self {
        let random = Uuid::new_v4().into_bytes();
        let mut prefix = [0; 8];
        prefix.copy_from_slice(&random[..8]);
        Self {
            id: Uuid::new_v4(),
            user_id,
            prefix,
            next: 0,
        }
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// The next id for a row of the import, each larger than the one
    /// before, so every index of the todos grows in one sweep rather than
    /// at random places.
    pub fn next_id(&mut self) -> Uuid {
        let id = self.id_at(self.next);
        self.next = (self.next + 1).min(COUNTER_MAX);
        id
    }

    fn id_at(&self, counter: u64) -> Uuid {
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&self.prefix);
        bytes[8..].copy_from_slice(&(VARIANT | counter).to_be_bytes());
        Uuid::from_bytes(bytes)
    }

    /// The smallest and the largest id the run can hand out.
    pub fn id_range(&self) -> (Uuid, Uuid) {
        (self.id_at(0), self.id_at(COUNTER_MAX))
    }

    fn stored(&self) -> StoredRun {
        let (first_id, last_id) = self.id_range();
        StoredRun {
            id: self.id,
            user_id: self.user_id,
            first_id,
            last_id,
        }
    }

    /// Writes `records`, a batch per transaction, the last of them ending
    /// the run. Each batch re-checks what may have changed since the plan
    /// was written: the run still stands, the account still has room for
    /// every todo not yet written, and the lists they go to still exist.
    pub async fn write(
        &self,
        db: &Db,
        records: &[TodoRecord],
        limit: TodoLimit,
    ) -> Result<(), Refused> {
        let mut remaining = records.len();
        let batches = records.chunks(TODOS_PER_TRANSACTION);
        let count = batches.len();
        for (index, batch) in batches.enumerate() {
            let last = index + 1 == count;
            self.write_batch(db, batch, remaining, last, limit).await?;
            remaining -= batch.len();
            if !last {
                pause_between_batches(db).await;
            }
        }
        Ok(())
    }

    async fn write_batch(
        &self,
        db: &Db,
        batch: &[TodoRecord],
        remaining: usize,
        last: bool,
        limit: TodoLimit,
    ) -> Result<(), Refused> {
        let (run_id, user_id) = (self.id, self.user_id);
        let lists: HashSet<Uuid> = batch.iter().map(|todo| todo.list_id).collect();
        on_db!(db, pool => {
            let mut tx = pool.begin_write().await?;
            let count = lock_user_row(&mut tx, user_id).await?.ok_or(Refused::NoAccount)?;
            let standing: Option<(bool,)> =
                sqlx::query_as("SELECT abandoned FROM import_runs WHERE id = $1 AND user_id = $2")
                    .bind(run_id)
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if standing != Some((false,)) {
                return Err(StoreError::Refused(ImportConflict::Stopped));
            }
            if !limit.admits(count, remaining as i64) {
                return Err(StoreError::Refused(ImportConflict::RestDoesNotFit { limit: limit.0 }));
            }
            let mut lists_found =
                sqlx::QueryBuilder::new("SELECT COUNT(*) FROM lists WHERE user_id = ");
            lists_found.push_bind(user_id).push(" AND id IN (");
            let mut ids = lists_found.separated(", ");
            for list in &lists {
                ids.push_bind(*list);
            }
            lists_found.push(")");
            let (found,): (i64,) = lists_found.build_query_as().fetch_one(&mut *tx).await?;
            if found != lists.len() as i64 {
                return Err(StoreError::Refused(ImportConflict::ListDeletedMeanwhile));
            }
            let inserted: Result<(), sqlx::Error> = async {
                insert_todos(&mut tx, user_id, batch).await?;
                Ok(())
            }
            .await;
            if let Err(error) = inserted {
                // A todo placed meanwhile where the import's keys go.
                let moved_into_its_place = matches!(
                    &error,
                    sqlx::Error::Database(error) if error.is_unique_violation()
                );
                return Err(if moved_into_its_place {
                    StoreError::Refused(ImportConflict::ListChangedMeanwhile)
                } else {
                    error.into()
                });
            }
            if last {
                sqlx::query("DELETE FROM import_runs WHERE id = $1")
                    .bind(run_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stops the run and removes what it wrote.
    pub async fn abandon(&self, db: &Db) -> Result<(), sqlx::Error> {
        let run = self.stored();
        mark_abandoned(db, run.id).await?;
        remove(db, &run).await
    }
}

async fn pause_between_batches(db: &Db) {
    // PostgreSQL locks rows: nobody else waits for the import's batches.
    if matches!(db, Db::Sqlite(_)) {
        tokio::time::sleep(PAUSE_ON_SQLITE).await;
    }
}

/// Marks the run abandoned, so a batch that comes after writes nothing.
async fn mark_abandoned(db: &Db, run_id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE import_runs SET abandoned = $1 WHERE id = $2")
            .bind(true)
            .bind(run_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Deletes what the abandoned `run` wrote, a batch per transaction, then
/// the run. A list it made that holds todos of the user's own (moved there
/// while the import ran) is kept.
async fn remove(db: &Db, run: &StoredRun) -> Result<(), sqlx::Error> {
    loop {
        let done = on_db!(db, pool => {
            let mut tx = pool.begin_write().await?;
            let (first, last) = (run.first_id, run.last_id);
            let limit = TODOS_PER_TRANSACTION as i64;
            let deleted = remove_todos_in_id_range(&mut tx, run.user_id, (first, last), limit)
                .await? as usize;
            let done = deleted < TODOS_PER_TRANSACTION;
            if done {
                let empty = RemovingLists::EmptyInIdRange { first, last };
                remove_lists(&mut tx, run.user_id, empty).await?;
                sqlx::query("DELETE FROM import_runs WHERE id = $1")
                    .bind(run.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            done
        });
        if done {
            return Ok(());
        }
        pause_between_batches(db).await;
    }
}

/// Removes runs that were abandoned, or that started longer than
/// [`ABANDONED_AFTER`] before `now` (their instance stopped mid-way); how
/// many. Every instance sweeps; removing a run twice is harmless.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let stale: Vec<StoredRun> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, user_id, first_id, last_id FROM import_runs \
             WHERE abandoned = $1 OR started_at < $2 ORDER BY started_at LIMIT $3",
        )
        .bind(true)
        .bind(now - ABANDONED_AFTER)
        .bind(RUNS_PER_SWEEP)
        .fetch_all(pool)
        .await?
    });
    for run in &stale {
        mark_abandoned(db, run.id).await?;
        remove(db, run).await?;
    }
    Ok(stale.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runs_ids_grow_stay_in_its_range_and_look_like_v4_uuids() {
        let mut run = ImportRun::new(Uuid::new_v4());
        let (first, last) = run.id_range();
        let ids: Vec<Uuid> = (0..1_000).map(|_| run.next_id()).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(ids.iter().all(|id| first <= *id && *id <= last));
        assert!(ids.iter().all(|id| id.get_version_num() == 4));
        assert!(
            ids.iter()
                .all(|id| id.get_variant() == uuid::Variant::RFC4122)
        );
        // Another run's range is elsewhere.
        let (other_first, other_last) = ImportRun::new(Uuid::new_v4()).id_range();
        assert!(other_last < first || last < other_first);
    }
}
