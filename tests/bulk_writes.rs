//! Writes as large as one account can make: importing 100,000 todos,
//! marking them all done, clearing them and undoing that. Each runs as a
//! few set-based or batched statements, seconds where a statement per todo
//! took minutes. An import is written a batch per transaction, so other
//! users' writes (sign-in's attempt counter included) wait for one batch
//! at most; and it still applies whole or not at all. The times are
//! printed.

mod common;

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    spawn_app, spawn_app_configured,
};
use reqwest::Method;
use serde_json::json;
use taskward::{
    calendar::TimeZone,
    db::{Db, WritePool as _, now},
    todos::{TodoLimit, store::insert_todos},
    transfer::{
        import::{self, ImportFile},
        import_run::{self, ABANDONED_AFTER, ImportRun},
    },
};
use uuid::Uuid;

/// The per-account todo cap by default: the largest bulk write there is.
const TODOS: usize = taskward::config::DEFAULT_MAX_TODOS_PER_USER as usize;

/// The longest another user may wait for a sign-in or a new todo while a
/// bulk write runs, as the issue asks.
const OTHERS_WAIT_AT_MOST: Duration = Duration::from_secs(1);

/// One bulk write at a time: two at once on two cores would measure each
/// other.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `count` todos as compact CSV (about 10 bytes a line, far below the
/// import's 8 MiB), all done when `done`.
fn csv_of_todos(count: usize, done: bool) -> String {
    let mark = if done { "x" } else { "" };
    let mut csv = String::from("title,done\n");
    for n in 1..=count {
        csv.push_str(&format!("{n},{mark}\n"));
    }
    csv
}

impl TestApp {
    /// How many imports are being written (or await removal).
    async fn import_runs(&self) -> i64 {
        let db = Db::connect(&self.database_url, 1).await.unwrap();
        let (runs,): (i64,) = taskward::on_db!(&db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM import_runs")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        db.close().await;
        runs
    }

    /// The Inbox's open and total todos, as the API counts them.
    async fn inbox_counts(&self, token: &str) -> (i64, i64) {
        let lists = self.api_ok(Method::GET, "/lists", token, None).await;
        let inbox = &lists["items"][0];
        assert_eq!(inbox["inbox"], true, "{lists}");
        (
            inbox["open_count"].as_i64().unwrap(),
            inbox["todo_count"].as_i64().unwrap(),
        )
    }

    async fn first_titles(&self, token: &str) -> Vec<String> {
        let page = self
            .api_ok(Method::GET, "/todos?list=inbox&limit=5", token, None)
            .await;
        common::site::titles(&page)
    }
}

/// Runs `work`, printing how long it took.
async fn timed<T>(what: &str, work: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let result = work.await;
    eprintln!("{what}: {} ms", started.elapsed().as_millis());
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_todos_are_imported_marked_cleared_and_restored_whole() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let token = app.api_user().await;
    let what = |step: &str| format!("{} todos, {step} ({})", TODOS, app.backend.name());

    let imported = timed(
        &what("import"),
        app.import_csv(&token, &csv_of_todos(TODOS, true)),
    )
    .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.body["todos_imported"], TODOS);
    assert_eq!(app.inbox_counts(&token).await, (0, TODOS as i64));
    let in_order = app.first_titles(&token).await;
    assert_eq!(in_order, ["1", "2", "3", "4", "5"]);

    for (completed, open) in [(false, TODOS as i64), (true, 0)] {
        let completed = completed.to_string();
        timed(
            &what(&format!("toggle all to {completed}")),
            app.site_ok(
                &token,
                "/api/todos/toggle-all",
                &[("completed", &completed)],
            ),
        )
        .await;
        assert_eq!(app.inbox_counts(&token).await, (open, TODOS as i64));
    }

    let cleared = timed(
        &what("clear completed"),
        app.site_ok(&token, "/api/todos/clear-completed", &[]),
    )
    .await;
    assert_eq!(
        cleared["message"],
        format!("Deleted {TODOS} todos that were done.")
    );
    assert_eq!(app.inbox_counts(&token).await, (0, 0));

    let batch = cleared["batch"].as_str().unwrap();
    let undone = timed(
        &what("undo"),
        app.api_send(Method::POST, &format!("/undo/{batch}"), Some(&token), None),
    )
    .await;
    assert_eq!(undone.status, 200, "{}", undone.body);
    assert_eq!(undone.body["todos_restored"], TODOS);
    assert_eq!(app.inbox_counts(&token).await, (0, TODOS as i64));
    assert_eq!(app.first_titles(&token).await, in_order);
    // Back at the cap: one more is refused.
    app.api_send(
        Method::POST,
        "/todos",
        Some(&token),
        Some(json!({ "title": "One too many" })),
    )
    .await
    .problem(409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_one_user_imports_a_hundred_thousand_todos_another_signs_in_and_adds_todos() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Every sign-in here is right: the address's budget is not under test.
    let app = spawn_app_configured(|config| {
        config.auth.attempts_per_minute_per_address = 10_000;
    })
    .await;
    let importer = app.api_user().await;
    let email = unique_email();
    assert_eq!(app.register(&email, PASSWORD).await.status, 201);

    let import_done = AtomicBool::new(false);
    let import = async {
        let started = Instant::now();
        let imported = app.import_csv(&importer, &csv_of_todos(TODOS, false)).await;
        import_done.store(true, Ordering::SeqCst);
        (imported, started.elapsed())
    };
    // The other user signs in and adds a todo, again and again, until the
    // import has answered.
    let others = async {
        let mut waits: Vec<(&str, Duration)> = Vec::new();
        while !import_done.load(Ordering::SeqCst) {
            let started = Instant::now();
            let signed_in = app
                .api_send(
                    Method::POST,
                    "/auth/signin",
                    None,
                    Some(json!({ "email": email, "password": PASSWORD })),
                )
                .await;
            waits.push(("sign-in", started.elapsed()));
            assert_eq!(signed_in.status, 200, "{}", signed_in.body);
            let token = signed_in.body["access_token"].as_str().unwrap().to_owned();

            let started = Instant::now();
            app.add_todo(&token, "Meanwhile").await;
            waits.push(("add a todo", started.elapsed()));
        }
        waits
    };
    let ((imported, import_took), waits) = tokio::join!(import, others);
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.body["todos_imported"], TODOS);

    eprintln!(
        "{}: the import of {TODOS} todos took {} ms; meanwhile {} requests of another user",
        app.backend.name(),
        import_took.as_millis(),
        waits.len()
    );
    for kind in ["sign-in", "add a todo"] {
        let times: Vec<String> = waits
            .iter()
            .filter(|(what, _)| *what == kind)
            .map(|(_, waited)| waited.as_millis().to_string())
            .collect();
        eprintln!("  {kind} (ms): {}", times.join(" "));
    }
    assert!(
        waits.len() >= 2,
        "the other user was never served during the import"
    );
    // Each of them succeeded (asserted as it was answered), and none waited
    // long: on SQLite the import holds the one write lock for one batch at
    // a time and steps aside in between; PostgreSQL locks rows.
    for (what, waited) in waits {
        assert!(
            waited < OTHERS_WAIT_AT_MOST,
            "{what} took {} ms during the import",
            waited.as_millis()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_that_stops_fitting_half_way_is_removed_whole_and_the_users_own_todo_kept() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let token = app.api_user().await;
    // Exactly as many todos as the account keeps, half of them for the
    // Inbox and half for a list the import makes.
    let mut csv = String::from("title,list\n");
    for n in 1..=TODOS {
        let list = if n % 2 == 0 { "Imported" } else { "" };
        csv.push_str(&format!("{n},{list}\n"));
    }

    let import_done = AtomicBool::new(false);
    let import = async {
        let answer = app.import_csv(&token, &csv).await;
        import_done.store(true, Ordering::SeqCst);
        answer
    };
    // Once its first batch is in, the user adds a todo of their own: the
    // rest of the import no longer fits under the cap.
    let meddle = async {
        loop {
            assert!(
                !import_done.load(Ordering::SeqCst),
                "the import ended before its first batch was seen"
            );
            if app.inbox_counts(&token).await.1 > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        app.add_todo(&token, "Mine").await
    };
    let (imported, _) = tokio::join!(import, meddle);
    let problem = imported.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("Nothing was imported"),
        "{problem}"
    );
    // Nothing of the import is left, the list it made included; the
    // user's own todo is.
    assert_eq!(app.inbox_counts(&token).await, (1, 1));
    assert_eq!(app.first_titles(&token).await, ["Mine"]);
    assert_eq!(app.list_names(&token).await, ["Inbox"]);
    assert_eq!(app.import_runs().await, 0);
}

#[tokio::test]
async fn an_import_whose_instance_stopped_half_way_is_removed_by_the_sweep() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let user_id: Uuid = common::accounts::claims_of(&token).sub;
    let db = Db::connect(&app.database_url, 2).await.unwrap();
    let limit = TodoLimit(100);
    let file = ImportFile::Csv(b"title,list\nOne,Half-way\nTwo,\n".to_vec());
    let plan = import::plan(file, TimeZone::UTC, limit).unwrap();

    // The first transaction and the first of the todos are written, then
    // the instance stops: the user sees part of the import.
    let mut run = ImportRun::new(user_id);
    let import::Started::Begun { records, .. } =
        import::start(&db, &mut run, plan, limit).await.unwrap()
    else {
        panic!("no other import runs");
    };
    assert_eq!(records.len(), 2);
    taskward::on_db!(&db, pool => {
        // A write transaction from its start, as the app's are: a deferred
        // one that read first could not take the lock from the app's
        // writer (its mail worker) and would fail at once.
        let mut tx = pool.begin_write().await.unwrap();
        insert_todos(&mut tx, user_id, &records[..1]).await.unwrap();
        tx.commit().await.unwrap();
    });
    assert_eq!(app.list_names(&token).await, ["Inbox", "Half-way"]);
    assert_eq!(app.import_runs().await, 1);

    // A sweep leaves a run alone while it could still be running...
    assert_eq!(import_run::sweep(&db, now()).await.unwrap(), 0);
    assert_eq!(app.list_names(&token).await, ["Inbox", "Half-way"]);
    // ...and removes it whole once it cannot be.
    let later = now() + ABANDONED_AFTER + chrono::TimeDelta::seconds(1);
    assert_eq!(import_run::sweep(&db, later).await.unwrap(), 1);
    assert_eq!(app.list_names(&token).await, ["Inbox"]);
    assert_eq!(app.inbox_counts(&token).await, (0, 0));
    assert_eq!(app.import_runs().await, 0);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_into_one_account_at_once_are_written_one_after_the_other() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let token = app.api_user().await;
    // Several batches each, both on top of the Inbox.
    let file = csv_of_todos(6_000, false);
    let (first, second) =
        tokio::join!(app.import_csv(&token, &file), app.import_csv(&token, &file));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(app.inbox_counts(&token).await, (12_000, 12_000));
    // The one written second went on top of the first, each in its order.
    let inbox = app.every_todo_of(&token, "inbox").await;
    let expected: Vec<String> = (1..=6_000)
        .chain(1..=6_000)
        .map(|n| n.to_string())
        .collect();
    assert_eq!(common::site::titles(&inbox), expected);
}
