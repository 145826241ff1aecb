//! Test harness: every test starts the real application on a random port
//! against a fresh database of its own, so tests run in parallel and leave
//! nothing behind.
//!
//! The backend comes from `TASKWARD_TEST_DATABASE` (`sqlite`, the default,
//! or `postgres`). PostgreSQL tests create a database on the server named by
//! `TASKWARD_TEST_POSTGRES_URL` and drop it when the test ends. Either way a
//! test's database starts as a copy of a migrated template (`template`).

#![allow(dead_code)] // Each test file uses a different part of the harness.

pub mod accounts;
pub mod api;
pub mod clock;
pub mod passkey;
pub mod push_endpoint;
pub mod seed;
pub mod site;
pub mod smtp_sink;
pub mod tcp_proxy;
mod template;

use std::{net::SocketAddr, path::PathBuf};

use secrecy::SecretString;
use sqlx::{Connection, PgConnection};
use taskward::{
    auth::password::PasswordHasherPool,
    config::{AuthConfig, Config, Environment, PasswordHashing, ServerLimits, SiteConfig},
    db::Backend,
    web::Application,
};

pub const TEST_JWT_SECRET: &str =
    "3c1f0e9d8b7a6f5e4d3c2b1a09f8e7d63c1f0e9d8b7a6f5e4d3c2b1a09f8e7d6";

pub struct TestApp {
    pub address: SocketAddr,
    /// `METRICS_ADDR`'s listener, when the test set one.
    pub metrics_address: Option<SocketAddr>,
    pub database_url: String,
    pub base_url: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The app's password hasher, whose load figures the tests read.
    pub hasher: PasswordHasherPool,
    /// Stops the app (see [`TestApp::stop`]); taken when used.
    running: std::sync::Mutex<Option<Running>>,
    // Dropped last: removes the database once the app is gone.
    _database: TestDatabase,
}

struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    /// Stops the app as SIGTERM would (in-flight work finished, the mail
    /// being sent recorded), keeping its database: a restart is a second
    /// instance on it.
    pub async fn stop(&self) {
        let running = self.running.lock().unwrap().take();
        if let Some(Running { stop, served }) = running {
            let _ = stop.send(());
            served
                .await
                .expect("the app's task ends")
                .expect("the app stops cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches the test server")
    }
}

/// Which backend this test run uses.
pub fn backend_under_test() -> Backend {
    match std::env::var("TASKWARD_TEST_DATABASE").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("TASKWARD_TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
}

/// Starts the app on the backend under test.
pub async fn spawn_app() -> TestApp {
    spawn_app_configured(|_| {}).await
}

/// Starts the app with settings changed by `configure`.
pub async fn spawn_app_configured(configure: impl FnOnce(&mut Config)) -> TestApp {
    let database = TestDatabase::migrated(backend_under_test()).await;
    let url = database.url.clone();
    spawn(database, url, configure).await
}

/// Starts the app on `database`, connecting through `connect_url` (which may
/// differ from the database's own URL, e.g. to go through a proxy).
pub async fn spawn_app_with_database(database: TestDatabase, connect_url: String) -> TestApp {
    spawn(database, connect_url, |_| {}).await
}

/// A second instance of the app on the same database, as behind a load
/// balancer. It shares nothing with `first` but the database and secret.
pub async fn spawn_second_instance(
    first: &TestApp,
    configure: impl FnOnce(&mut Config),
) -> (SocketAddr, String) {
    let mut config = test_config(first.database_url.clone(), first._database.data_dir.clone());
    configure(&mut config);
    let app = Application::build(config)
        .await
        .expect("second instance starts");
    let address = app.local_addr();
    tokio::spawn(app.run_until(std::future::pending()));
    (address, format!("http://{address}"))
}

fn test_config(database_url: String, data_dir: PathBuf) -> Config {
    Config {
        environment: Environment::Development,
        database_url: SecretString::from(database_url),
        database_max_connections: 4,
        database_acquire_timeout: taskward::db::DEFAULT_ACQUIRE_TIMEOUT,
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        public_origin: "http://127.0.0.1".into(),
        jwt_secret: SecretString::from(TEST_JWT_SECRET),
        log_level: "warn".into(),
        log_format: taskward::config::LogFormat::Human,
        data_dir,
        auth: AuthConfig {
            // Cheap hashing keeps the suite fast; production refuses it.
            password_hashing: PasswordHashing {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            ..AuthConfig::default()
        },
        limits: ServerLimits::default(),
        max_todos_per_user: taskward::config::DEFAULT_MAX_TODOS_PER_USER,
        undo_window: taskward::undo::UndoWindow::DEFAULT,
        site: SiteConfig::default(),
        clock: taskward::calendar::Clock::System,
        mail: taskward::config::MailConfig::default(),
        reminder_poll_interval: std::time::Duration::from_secs(1),
        metrics: taskward::config::MetricsConfig::default(),
        web_push: taskward::config::WebPushConfig::default(),
    }
}

async fn spawn(
    database: TestDatabase,
    connect_url: String,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    // The connection waits reach `/metrics` through the subscriber.
    taskward::telemetry::init_metrics_only();
    let mut config = test_config(connect_url.clone(), database.data_dir.clone());
    configure(&mut config);
    let app = Application::build(config)
        .await
        .expect("application starts");
    let address = app.local_addr();
    let metrics_address = app.metrics_addr();
    let hasher = app.password_hasher();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(app.run_until(async move {
        // Dropping the sender is not a stop: the app lives as long as the test.
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
    }));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A response that never comes fails its test instead of the whole run.
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    TestApp {
        address,
        metrics_address,
        database_url: connect_url,
        base_url: format!("http://{address}"),
        client,
        backend: database.backend,
        hasher,
        running: std::sync::Mutex::new(Some(Running { stop, served })),
        _database: database,
    }
}

/// A database that exists for one test only.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    data_dir: PathBuf,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Removing the temporary folder removes the SQLite file.
    Sqlite(tempfile::TempDir),
    Postgres {
        server_url: String,
        name: String,
        _data_dir: tempfile::TempDir,
    },
}

pub fn postgres_server_url() -> String {
    std::env::var("TASKWARD_TEST_POSTGRES_URL").expect(
        "TASKWARD_TEST_POSTGRES_URL must name a PostgreSQL server for the PostgreSQL tests \
         (e.g. postgres://postgres@127.0.0.1:5432/postgres)",
    )
}

impl TestDatabase {
    /// A fresh database already at this build's schema: a copy of a
    /// template migrated once per set of migrations (see `template`), so a
    /// test does not pay for running every migration. The app still runs
    /// its migrator on start, which finds nothing to do.
    pub async fn migrated(backend: Backend) -> Self {
        Self::new(backend, true).await
    }

    /// A fresh, empty database (no tables): for the tests of migrating.
    pub async fn create(backend: Backend) -> Self {
        Self::new(backend, false).await
    }

    async fn new(backend: Backend, from_template: bool) -> Self {
        let data_dir = tempfile::tempdir().expect("temporary folder");
        match backend {
            Backend::Sqlite => {
                if from_template {
                    std::fs::copy(
                        template::sqlite().await,
                        data_dir.path().join("taskward.db"),
                    )
                    .expect("copy the migrated SQLite template");
                }
                Self {
                    backend,
                    url: format!("sqlite://{}/taskward.db", data_dir.path().display()),
                    data_dir: data_dir.path().to_path_buf(),
                    cleanup: Cleanup::Sqlite(data_dir),
                }
            }
            Backend::Postgres => {
                let server_url = postgres_server_url();
                let name = format!("taskward_test_{}", uuid::Uuid::new_v4().simple());
                let mut connection = PgConnection::connect(&server_url)
                    .await
                    .expect("connect to the PostgreSQL test server");
                let create = if from_template {
                    let template = template::postgres(&server_url).await;
                    format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#)
                } else {
                    format!(r#"CREATE DATABASE "{name}""#)
                };
                sqlx::query(&create)
                    .execute(&mut connection)
                    .await
                    .expect("create the test database");
                let mut url = reqwest::Url::parse(&server_url).expect("a valid PostgreSQL URL");
                url.set_path(&name);
                Self {
                    backend,
                    url: url.to_string(),
                    data_dir: data_dir.path().to_path_buf(),
                    cleanup: Cleanup::Postgres {
                        server_url,
                        name,
                        _data_dir: data_dir,
                    },
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Cleanup::Postgres {
            server_url, name, ..
        } = &self.cleanup
        else {
            return;
        };
        let (server_url, name) = (server_url.clone(), name.clone());
        // Drop runs inside the test's runtime, which cannot block on async
        // work; a short-lived thread with its own runtime can.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime for cleanup");
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&server_url).await?;
                sqlx::query(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                    .execute(&mut connection)
                    .await
                    .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop test database {}", self.url);
        }
    }
}
