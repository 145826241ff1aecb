//! What an administrator running Taskward sees of it: which build answers
//! (`--version`, `/healthz`), log lines a machine can read (`LOG_FORMAT=json`)
//! that name each request's route, status, latency and user and never a
//! secret, and failures that name their request so they can be found.

use crate::common;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use common::{
    TEST_JWT_SECRET,
    accounts::{PASSWORD, unique_email},
    spawn_app,
};
use reqwest::Method;
use serde_json::{Value, json};

/// The commit `git` names for this checkout, if it can.
fn checkout_commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[tokio::test]
async fn the_binary_and_healthz_name_the_version_and_the_commit() {
    let app = spawn_app().await;
    let health: Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    let commit = health["commit"].as_str().unwrap().to_owned();
    if let Some(checkout) = checkout_commit() {
        assert_eq!(commit, checkout, "built from this checkout's HEAD");
    }

    let printed = Command::new(env!("CARGO_BIN_EXE_taskward"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout).trim(),
        format!("taskward {} (commit {commit})", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn a_failure_names_its_request_in_its_body_for_a_person_to_quote() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let web = app.web_user().await;
    // The database loses a table from under the app.
    let db = app.db().await;
    taskward::on_db!(&db, pool => {
        sqlx::query("ALTER TABLE lists RENAME TO lists_elsewhere")
            .execute(pool)
            .await
            .unwrap();
    });

    let failed = app
        .api_send(Method::GET, "/lists", Some(&token), None)
        .await;
    let problem = failed.problem(500);
    let id = failed.header("x-request-id");
    assert_eq!(problem["request_id"], id);
    assert!(
        !problem["detail"]
            .as_str()
            .unwrap()
            .contains("lists_elsewhere"),
        "no database text: {problem}"
    );

    let page = app.get_with_cookie("/lists", &web).await;
    assert_eq!(page.status(), 500);
    let id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("quote this reference: <code>{id}</code>")),
        "{html}"
    );
    // A success carries no such line.
    assert!(
        !app.get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("request-reference")
    );
}

/// The app as its binary, on SQLite in a folder of its own, logging JSON
/// lines; they are collected as they come.
struct LoggingApp {
    child: Child,
    _data: tempfile::TempDir,
    lines: Arc<Mutex<Vec<String>>>,
    url: String,
}

impl LoggingApp {
    async fn start() -> Self {
        Self::start_in(tempfile::tempdir().unwrap()).await
    }

    /// As [`LoggingApp::start`], on the data folder `data`.
    async fn start_in(data: tempfile::TempDir) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taskward"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("APP_ENV", "development")
            .env("DATA_DIR", data.path())
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("PUBLIC_ORIGIN", "http://127.0.0.1")
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .env("LOG_FORMAT", "json")
            .env("LOG_LEVEL", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let kept = lines.clone();
        std::thread::spawn(move || {
            for line in stdout.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let url = loop {
            let listening = lines.lock().unwrap().iter().find_map(|line| {
                let line: Value = serde_json::from_str(line).ok()?;
                let message = line["message"].as_str()?;
                Some(message.split_once("listening on ")?.1.to_owned())
            });
            if let Some(url) = listening {
                break url;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no listening line: {:?}",
                lines.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        Self {
            child,
            _data: data,
            lines,
            url,
        }
    }

    /// Signs `email` up (`register`) or in (`signin`) over the API; the
    /// answer's body.
    async fn account(&self, action: &str, email: &str) -> Value {
        reqwest::Client::new()
            .post(format!("{}/api/v1/auth/{action}", self.url))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for LoggingApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn json_logs_name_route_status_latency_and_user_and_never_a_secret() {
    let app = LoggingApp::start().await;
    let client = reqwest::Client::new();
    let email = unique_email();
    let registered = app.account("register", &email).await;
    let token = registered["access_token"].as_str().unwrap().to_owned();
    let user_id = registered["user"]["id"].as_str().unwrap().to_owned();
    let todo = uuid::Uuid::new_v4();
    let missing = client
        .get(format!("{}/api/v1/todos/{todo}?secret=hunter2", app.url))
        .bearer_auth(&token)
        // From a client that is not a trusted proxy: its id is not taken.
        .header("x-request-id", "chosen-by-the-client")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let id = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, "chosen-by-the-client");

    // The line that closes the request: every part of it is there.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let finished = loop {
        let found = app.lines().iter().find_map(|line| {
            let line: Value = serde_json::from_str(line).ok()?;
            (line["span"]["request_id"] == id.as_str()
                && line["message"] == "finished processing request")
                .then_some(line)
        });
        if let Some(line) = found {
            break line;
        }
        assert!(tokio::time::Instant::now() < deadline, "{:?}", app.lines());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(finished["level"], "INFO");
    assert!(finished["timestamp"].is_string(), "{finished}");
    assert_eq!(finished["status"], 404, "{finished}");
    assert!(finished["latency"].is_string(), "{finished}");
    let span = &finished["span"];
    assert_eq!(span["route"], "/api/v1/todos/{id}", "{finished}");
    assert_eq!(span["method"], "GET");
    assert_eq!(span["user_id"], user_id.as_str(), "{finished}");
    assert_eq!(span["path"], format!("/api/v1/todos/{todo}"), "{finished}");

    // A calendar feed's address is its secret: the log names the route.
    let feed: Value = client
        .post(format!("{}/api/v1/calendar-feed", app.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let feed_url = feed["url"].as_str().unwrap();
    let secret = feed_url
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics");
    let path = &feed_url[feed_url.find("/calendar/").unwrap()..];
    let fetched = client
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let logged = app.lines().iter().any(|line| {
            serde_json::from_str::<Value>(line).is_ok_and(|line| {
                line["span"]["route"] == "/calendar/{file}"
                    && line["span"]["path"] == "/calendar/{file}"
                    && line["message"] == "finished processing request"
            })
        });
        if logged {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{:?}", app.lines());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every line is JSON, and none holds the password, the token, the
    // feed's secret or the query string.
    let lines = app.lines();
    assert!(lines.len() >= 4, "{lines:?}");
    for line in &lines {
        serde_json::from_str::<Value>(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(!line.contains(PASSWORD), "{line}");
        assert!(!line.contains(&token), "{line}");
        assert!(!line.contains(secret), "{line}");
        assert!(!line.contains("hunter2"), "{line}");
    }
}

/// `taskward admin check` with only `vars` set (and a PATH); whether it
/// exited 0, and what it printed.
fn check_with(vars: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_taskward"))
        .args(["admin", "check"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), printed)
}

/// The line `taskward admin check` printed about `part`.
fn line_about<'a>(printed: &'a str, part: &str) -> &'a str {
    printed
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some(part))
        .unwrap_or_else(|| panic!("no {part} line in {printed}"))
}

#[tokio::test]
async fn admin_check_reports_each_part_and_exits_0_only_when_all_is_fine() {
    let data = tempfile::tempdir().unwrap();
    let folder = data.path().to_str().unwrap();
    let base = [("DATA_DIR", folder), ("DATABASE_ACQUIRE_TIMEOUT_SECS", "2")];

    // A new database: reachable, but not migrated until the server starts.
    let (fine, printed) = check_with(&base);
    assert!(!fine, "{printed}");
    assert!(
        line_about(&printed, "database").starts_with("FAIL"),
        "{printed}"
    );
    assert!(printed.contains("not applied yet"), "{printed}");
    let migrated = Command::new(env!("CARGO_BIN_EXE_taskward"))
        .args(["admin", "list"])
        .env_clear()
        .envs(base)
        .output()
        .unwrap();
    assert!(migrated.status.success());

    let (fine, printed) = check_with(&base);
    assert!(fine, "{printed}");
    for part in [
        "configuration",
        "database",
        "mail",
        "signing",
        "origin",
        "proxies",
        "data",
    ] {
        assert!(line_about(&printed, part).starts_with("ok"), "{printed}");
    }
    assert!(printed.contains("migrations current"), "{printed}");
    assert!(printed.contains("kept at /dev/mail"), "{printed}");
    assert!(printed.contains("generated for development"), "{printed}");

    // A relay that answers is greeted, and gets no mail.
    let sink = common::smtp_sink::SmtpSink::start(common::smtp_sink::Behaviour::default());
    let relay = sink.url();
    let with_relay = [
        base[0],
        base[1],
        ("SMTP_URL", relay.as_str()),
        ("MAIL_FROM", "tasks@example.com"),
    ];
    let (fine, printed) = check_with(&with_relay);
    assert!(fine, "{printed}");
    assert!(
        line_about(&printed, "mail").contains(&format!("127.0.0.1:{} answered", sink.port)),
        "{printed}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(sink.delivered().is_empty(), "no mail is sent");

    // One that does not: the mail line fails, and so does the check.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("smtp://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let (fine, printed) = check_with(&[
        base[0],
        base[1],
        ("SMTP_URL", nobody.as_str()),
        ("MAIL_FROM", "tasks@example.com"),
        ("MAIL_SEND_TIMEOUT_SECS", "2"),
    ]);
    assert!(!fine, "{printed}");
    assert!(
        line_about(&printed, "mail").starts_with("FAIL"),
        "{printed}"
    );
    assert!(
        line_about(&printed, "database").starts_with("ok"),
        "{printed}"
    );

    // A database migrated by a newer release.
    let db = taskward::db::Db::connect(&taskward::config::default_sqlite_url(data.path()), 1)
        .await
        .unwrap();
    taskward::on_db!(&db, pool => {
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (99991231000099, 'from the future', TRUE, x'00', 1)",
        )
        .execute(pool)
        .await
        .unwrap();
    });
    db.close().await;
    let (fine, printed) = check_with(&base);
    assert!(!fine && printed.contains("does not know"), "{printed}");
}

#[tokio::test]
async fn admin_check_fails_an_unreachable_database_an_http_origin_in_production_and_a_read_only_folder()
 {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!(
        "postgres://postgres@127.0.0.1:{}/taskward",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    // A folder that cannot be made: its parent is a file.
    let file = tempfile::NamedTempFile::new().unwrap();
    let unwritable = file.path().join("data");
    let (fine, printed) = check_with(&[
        ("APP_ENV", "production"),
        ("JWT_SECRET", common::TEST_JWT_SECRET),
        ("PUBLIC_ORIGIN", "http://tasks.example"),
        ("DATABASE_URL", nowhere.as_str()),
        ("DATABASE_ACQUIRE_TIMEOUT_SECS", "2"),
        ("DATA_DIR", unwritable.to_str().unwrap()),
        ("TRUSTED_PROXIES", "0.0.0.0"),
    ]);
    assert!(!fine, "{printed}");
    for part in ["database", "origin", "data", "proxies"] {
        assert!(line_about(&printed, part).starts_with("FAIL"), "{printed}");
    }
    assert!(
        line_about(&printed, "origin").contains("https://"),
        "{printed}"
    );
    assert!(line_about(&printed, "mail").contains("off"), "{printed}");
    assert!(
        !printed.contains(common::TEST_JWT_SECRET),
        "the secret is never printed"
    );
}

#[tokio::test]
async fn a_backup_taken_while_writes_run_restores_into_an_empty_folder_and_signs_in() {
    let app = spawn_app().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("taskward-backup.db");
    let file_text = file.to_str().unwrap();
    if app.backend == taskward::db::Backend::Postgres {
        let refused = app.cli(&["admin", "backup", file_text]).await;
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"));
        return;
    }
    let email = unique_email();
    let token = app.register(&email, PASSWORD).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for index in 0..20 {
        app.add_todo(&token, &format!("Before the backup {index}"))
            .await;
    }
    // Writes keep coming while the copy is taken.
    let writing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (client, url, token, writing) = (
            app.client.clone(),
            app.url("/api/v1/todos"),
            token.clone(),
            writing.clone(),
        );
        tokio::spawn(async move {
            let mut written = 0;
            while writing.load(std::sync::atomic::Ordering::Relaxed) {
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "title": format!("During the backup {written}") }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 201);
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let made = app.cli(&["admin", "backup", file_text]).await;
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(made.status.success(), "{made:?}");
    assert!(String::from_utf8_lossy(&made.stdout).contains("backed up to"));
    assert!(written > 0, "writes ran during the backup");
    let again = app.cli(&["admin", "backup", file_text]).await;
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // The instance is running on its database: no restore over it.
    let refused = app.cli(&["admin", "restore", file_text]).await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("an instance is using the database"),
        "{refused:?}"
    );
    // Neither a file that is not a Taskward database.
    let stranger = folder.path().join("notes.txt");
    std::fs::write(&stranger, "not a database").unwrap();

    let empty = tempfile::tempdir().unwrap();
    let restore = |source: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_taskward"))
            .args(["admin", "restore", source.to_str().unwrap()])
            .env_clear()
            .env("DATA_DIR", empty.path())
            .env("JWT_SECRET", TEST_JWT_SECRET)
            .output()
            .unwrap()
    };
    let wrong = restore(&stranger);
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("is not a Taskward database"),
        "{wrong:?}"
    );
    let restored = restore(&file);
    let said = String::from_utf8_lossy(&restored.stdout).trim().to_owned();
    assert!(restored.status.success(), "{restored:?}");
    let todos: i64 = said
        .split(", ")
        .find_map(|part| part.strip_suffix(" todo(s)"))
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(said.contains("1 account(s)"), "{said}");
    assert!((20..=20 + written).contains(&todos), "{said}");

    // An instance on the restored folder: the account signs in, its todos are there.
    let restored_app = LoggingApp::start_in(empty).await;
    let client = reqwest::Client::new();
    let signed_in = restored_app.account("signin", &email).await;
    let restored_token = signed_in["access_token"].as_str().unwrap();
    let lists: Value = client
        .get(format!("{}/api/v1/lists", restored_app.url))
        .bearer_auth(restored_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lists["items"][0]["todo_count"], todos, "{lists}");
}
