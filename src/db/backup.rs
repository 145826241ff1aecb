//! Backups of an embedded SQLite database that restore: `taskward admin
//! backup FILE` takes a consistent copy while the app serves (SQLite's
//! `VACUUM INTO`, one read transaction), and `taskward admin restore FILE`
//! puts one back, only while no instance uses the database, only a Taskward
//! database of a schema this release knows, and migrated forward. The
//! database it replaces is kept beside it. PostgreSQL has `pg_dump` and
//! `pg_restore` (docs/operating.md shows them).
//!
//! A running instance holds a shared lock on `<database>.lock` for as long
//! as it runs ([`InstanceLock`]); a restore takes it exclusively, so it is
//! refused while any instance serves, and an instance started during a
//! restore waits for nothing but fails to start.

use std::{
    fs::{File, OpenOptions},
    path::{Path, PathBuf},
    str::FromStr,
};

use sqlx::{
    Connection, SqliteConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
};

use super::{Backend, Db, DbError};

/// Why a backup or a restore was not made; each says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup and restore copy an embedded SQLite database; this one is PostgreSQL: use \
         pg_dump and pg_restore (see docs/operating.md, Backups)"
    )]
    NotSqlite,
    #[error("{0} exists already: choose a new file, nothing is overwritten")]
    Exists(PathBuf),
    #[error("an instance is using the database (it holds {0}): stop every instance, then restore")]
    InUse(PathBuf),
    #[error("{0} is not a Taskward database: {1}")]
    NotTaskward(PathBuf, String),
    #[error(
        "{0} was made by a newer release of Taskward ({1} migration(s) this one does not know): \
         restore it with that release or a newer one"
    )]
    Newer(PathBuf, usize),
    #[error("{0}")]
    Database(#[from] DbError),
    #[error("the database refused: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The database file a SQLite URL names.
fn database_file(url: &str) -> Result<PathBuf, BackupError> {
    if Backend::from_url(url)? != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    let options = SqliteConnectOptions::from_str(url).map_err(DbError::InvalidUrl)?;
    Ok(options.get_filename().to_path_buf())
}

/// `<database>` with `suffix` appended to its name.
fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Held by a running instance on a SQLite database: see the module's note.
#[derive(Debug)]
pub struct InstanceLock {
    _file: Option<File>,
}

impl InstanceLock {
    /// Takes the shared lock of the database `url` names (nothing for
    /// PostgreSQL); fails while a restore holds it.
    pub fn take(url: &str) -> Result<Self, BackupError> {
        let file = match database_file(url) {
            Ok(file) => file,
            Err(BackupError::NotSqlite) => return Ok(Self { _file: None }),
            Err(error) => return Err(error),
        };
        let lock = beside(&file, ".lock");
        let handle = open_lock(&lock)?;
        handle
            .try_lock_shared()
            .map_err(|_| BackupError::InUse(lock.clone()))?;
        Ok(Self {
            _file: Some(handle),
        })
    }
}

fn open_lock(path: &Path) -> Result<File, BackupError> {
    if let Some(folder) = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder).map_err(|error| BackupError::Io(folder.into(), error))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|error| BackupError::Io(path.into(), error))
}

/// Writes a consistent copy of the database to `target`, which must not
/// exist, while instances go on serving. Returns its size in bytes.
pub async fn backup(db: &Db, target: &Path) -> Result<u64, BackupError> {
    let Db::Sqlite(pool) = db else {
        return Err(BackupError::NotSqlite);
    };
    if target.exists() {
        return Err(BackupError::Exists(target.into()));
    }
    let target_text = target.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO $1")
        .bind(&target_text)
        .execute(pool)
        .await?;
    std::fs::metadata(target)
        .map(|meta| meta.len())
        .map_err(|error| BackupError::Io(target.into(), error))
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub accounts: i64,
    pub todos: i64,
    /// Migrations the copy lacked and were applied to it.
    pub migrated: usize,
    /// Where the database it replaced was kept, if there was one.
    pub kept: Option<PathBuf>,
}

/// Puts the backup `source` in place of the database `url` names: refused
/// while an instance uses it, for a file that is not a Taskward database,
/// and for one of a newer schema; migrated forward after.
pub async fn restore(url: &str, source: &Path) -> Result<Restored, BackupError> {
    let file = database_file(url)?;
    let lock_path = beside(&file, ".lock");
    let lock = open_lock(&lock_path)?;
    lock.try_lock()
        .map_err(|_| BackupError::InUse(lock_path.clone()))?;

    let pending = examine(source).await?;

    // The copy goes next to the database first, so that it replaces it in
    // one rename; the database it replaces is checkpointed and kept.
    let incoming = beside(&file, ".restoring");
    std::fs::copy(source, &incoming).map_err(|error| BackupError::Io(incoming.clone(), error))?;
    let kept = if file.exists() {
        checkpoint(&file).await?;
        let kept = beside(
            &file,
            &format!(".replaced-{}", chrono::Utc::now().format("%Y%m%d%H%M%S")),
        );
        std::fs::rename(&file, &kept).map_err(|error| BackupError::Io(kept.clone(), error))?;
        Some(kept)
    } else {
        None
    };
    for leftover in [beside(&file, "-wal"), beside(&file, "-shm")] {
        if leftover.exists() {
            std::fs::remove_file(&leftover).map_err(|error| BackupError::Io(leftover, error))?;
        }
    }
    std::fs::rename(&incoming, &file).map_err(|error| BackupError::Io(file.clone(), error))?;

    let db = Db::connect(url, 1).await?;
    db.migrate().await?;
    let (accounts, todos) = crate::on_db!(&db, pool => {
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(pool)
            .await?;
        let todos: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM todos")
            .fetch_one(pool)
            .await?;
        Ok::<_, sqlx::Error>((accounts, todos))
    })?;
    db.close().await;
    drop(lock);
    Ok(Restored {
        accounts,
        todos,
        migrated: pending,
        kept,
    })
}

/// Checks that `source` is a Taskward database this release can migrate;
/// how many migrations it lacks.
async fn examine(source: &Path) -> Result<usize, BackupError> {
    let not_ours = |why: &str| BackupError::NotTaskward(source.into(), why.to_owned());
    if !source.is_file() {
        return Err(not_ours("there is no such file"));
    }
    let options = SqliteConnectOptions::new()
        .filename(source)
        .read_only(true)
        .immutable(true);
    let mut connection = SqliteConnection::connect_with(&options)
        .await
        .map_err(|_| not_ours("SQLite cannot open it"))?;
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut connection)
            .await
            .map_err(|_| not_ours("it has no migration history"))?;
    let has_users: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'users'",
    )
    .fetch_optional(&mut connection)
    .await?;
    connection.close().await?;
    if has_users.is_none() || applied.is_empty() {
        return Err(not_ours("it has no Taskward tables"));
    }
    let known = Backend::Sqlite.embedded_migrations();
    let unknown = applied
        .iter()
        .filter(|version| !known.contains(version))
        .count();
    if unknown > 0 {
        return Err(BackupError::Newer(source.into(), unknown));
    }
    Ok(known
        .iter()
        .filter(|version| !applied.contains(version))
        .count())
}

/// Folds the write-ahead log into the database file, so the file alone is
/// the whole database.
async fn checkpoint(file: &Path) -> Result<(), BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .journal_mode(SqliteJournalMode::Wal);
    let mut connection = SqliteConnection::connect_with(&options).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    Ok(())
}
