//! Databases already at the schema of this build's migrations, to copy for
//! each test: migrating from nothing costs a PostgreSQL test about 0.3 s of
//! DDL, more than most tests take, while copying a template takes a tenth
//! of that.
//!
//! A template is named by a fingerprint of the migrations (their versions
//! and checksums), so a changed migration gets a template of its own, and
//! test processes running side by side share one. It is built under a
//! name of its own and renamed into place only once migrated: a process
//! never copies a half-built template.

use std::path::PathBuf;

use sqlx::{Connection, PgConnection, PgPool, SqlitePool, migrate::Migrator};
use tokio::sync::OnceCell;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// FNV-1a over every migration's version and checksum.
fn fingerprint(migrator: &Migrator) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for migration in migrator.iter() {
        for byte in migration
            .version
            .to_le_bytes()
            .iter()
            .chain(migration.checksum.iter())
        {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The migrated SQLite file, in the system's temporary folder.
pub async fn sqlite() -> &'static PathBuf {
    static TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let folder = std::env::temp_dir().join("taskward-test-templates");
            std::fs::create_dir_all(&folder).expect("folder for the SQLite template");
            let path = folder.join(format!(
                "sqlite-{:016x}.db",
                fingerprint(&SQLITE_MIGRATIONS)
            ));
            if !path.exists() {
                let building =
                    folder.join(format!("building-{}.db", uuid::Uuid::new_v4().simple()));
                // A pool, not a connection: the migrator's future over a
                // `&mut` connection is not `Send`, and tests spawn apps.
                let pool =
                    SqlitePool::connect(&format!("sqlite://{}?mode=rwc", building.display()))
                        .await
                        .expect("create the SQLite template");
                SQLITE_MIGRATIONS
                    .run(&pool)
                    .await
                    .expect("migrate the SQLite template");
                pool.close().await;
                // Atomic: a process that finds the name finds it whole.
                std::fs::rename(&building, &path).expect("put the SQLite template in place");
            }
            path
        })
        .await
}

/// The name of the migrated template database on the server at `server_url`.
pub async fn postgres(server_url: &str) -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            // At most 63 bytes, with the suffix of a template being built.
            let name = format!("taskward_tpl_{:016x}", fingerprint(&POSTGRES_MIGRATIONS));
            let mut server = PgConnection::connect(server_url)
                .await
                .expect("connect to the PostgreSQL test server");
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                    .bind(&name)
                    .fetch_one(&mut server)
                    .await
                    .expect("look for the template database");
            if !exists {
                build_postgres(&mut server, server_url, &name).await;
            }
            server.close().await.ok();
            name
        })
        .await
}

async fn build_postgres(server: &mut PgConnection, server_url: &str, name: &str) {
    let building = format!("{name}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!(r#"CREATE DATABASE "{building}""#))
        .execute(&mut *server)
        .await
        .expect("create the template database");
    let mut url = reqwest::Url::parse(server_url).expect("a valid PostgreSQL URL");
    url.set_path(&building);
    let pool = PgPool::connect(url.as_str())
        .await
        .expect("connect to the template database");
    POSTGRES_MIGRATIONS
        .run(&pool)
        .await
        .expect("migrate the template database");
    pool.close().await;
    // The server may take a moment to end the closed session, and renaming
    // needs the database to have none.
    for attempt in 0.. {
        let renamed = sqlx::query(&format!(
            r#"ALTER DATABASE "{building}" RENAME TO "{name}""#
        ))
        .execute(&mut *server)
        .await;
        match renamed {
            Ok(_) => return,
            // Another process put its template in place first: use that one.
            Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42P04") => {
                sqlx::query(&format!(r#"DROP DATABASE "{building}" WITH (FORCE)"#))
                    .execute(&mut *server)
                    .await
                    .expect("drop the template built twice");
                return;
            }
            Err(_) if attempt < 50 => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            Err(error) => panic!("could not put the template database in place: {error}"),
        }
    }
}
