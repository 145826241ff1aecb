//! Slow and greedy clients get an answer, or a closed connection, in
//! bounded time, and cannot hold the server.

mod common;

use std::time::{Duration, Instant};

use common::{
    accounts::{PASSWORD, unique_email},
    spawn_app_configured,
};
use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Reads until the server answers or closes; the bytes read.
async fn read_until_answer_or_close(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return received,
            Ok(Ok(read)) => {
                received.extend_from_slice(&buffer[..read]);
                if received.windows(4).any(|window| window == b"\r\n\r\n") {
                    return received;
                }
            }
            Err(_) => panic!("no answer and no close within {within:?}"),
        }
    }
}

/// Locks the users' rows from outside the app, in a transaction of its own
/// (on SQLite, the whole database for writing), until `release` is sent;
/// the task ends once the lock is let go.
async fn lock_users_from_outside(
    database_url: &str,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let outside = taskward::db::Db::connect(database_url, 1).await.unwrap();
    let (locked, is_locked) = tokio::sync::oneshot::channel();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let lock_holder = tokio::spawn(async move {
        taskward::on_db!(&outside, pool => {
            let mut transaction = pool.begin().await.unwrap();
            sqlx::query("UPDATE users SET updated_at = updated_at")
                .execute(&mut *transaction)
                .await
                .unwrap();
            let _ = locked.send(());
            let _ = released.await;
            transaction.rollback().await.unwrap();
        })
    });
    is_locked.await.unwrap();
    (release, lock_holder)
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = spawn_app_configured(|config| {
        config.limits.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut slow = TcpStream::connect(app.address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: taskward\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_until_answer_or_close(&mut slow, Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_gets_408() {
    let app = spawn_app_configured(|config| {
        config.limits.request_timeout = Duration::from_secs(1);
    })
    .await;
    let mut slow = TcpStream::connect(app.address).await.unwrap();
    slow.write_all(
        b"POST /api/auth/signin HTTP/1.1\r\nHost: taskward\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let answer = read_until_answer_or_close(&mut slow, Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        answer.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_is_free() {
    let app = spawn_app_configured(|config| {
        config.limits.max_connections = 2;
        config.limits.header_read_timeout = Duration::from_secs(20);
    })
    .await;
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut holder = TcpStream::connect(app.address).await.unwrap();
        holder
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        holders.push(holder);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    assert!(
        impatient.get(app.url("/healthz")).send().await.is_err(),
        "a third connection is not served while two are held"
    );

    drop(holders.pop());
    let served = app.get("/healthz").await;
    assert_eq!(served.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_database_pool_answers_503_with_retry_after_in_bounded_time() {
    let app = spawn_app_configured(|config| {
        config.database_max_connections = 1;
        config.database_acquire_timeout = Duration::from_secs(1);
    })
    .await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    // Hold the pool's only connection: a write that waits on a lock held
    // from outside the app.
    let (release, lock_holder) = lock_users_from_outside(&app.database_url).await;
    let writer = app.post_form("/api/todos/create", &[("title", "waits")], Some(&token));
    let reader = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let response = app.post_form("/api/todos/stats", &[], Some(&token)).await;
        let _ = release.send(());
        (started.elapsed(), response)
    };
    let (_, (waited, busy)) = tokio::join!(writer, reader);
    lock_holder.await.unwrap();

    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(busy.headers().contains_key("retry-after"));
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    let body: serde_json::Value = busy.json().await.unwrap();
    assert_eq!(body["code"], "unavailable");
}

/// A change whose request arrived is carried out whole even when its client
/// goes away while it waits: the handler is not dropped between two of its
/// statements (which on PostgreSQL could leave a pooled connection inside a
/// transaction, holding its locks for whoever used it next).
#[tokio::test]
async fn a_change_is_carried_out_even_if_its_client_leaves_while_it_waits() {
    let app = spawn_app_configured(|_| {}).await;
    let token = app.api_user().await;

    // A lock held from outside the app, so the change has to wait for it.
    let (release, lock_holder) = lock_users_from_outside(&app.database_url).await;

    let body = r#"{"title":"sent by a client that left"}"#;
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    let request = format!(
        "POST /api/v1/todos HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        app.address,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);
    // Long enough for the server to see the connection closed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = release.send(());
    lock_holder.await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let listed = app
            .api_ok(reqwest::Method::GET, "/todos", &token, None)
            .await;
        let titles: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|todo| todo["title"].as_str())
            .collect();
        if titles == ["sent by a client that left"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the change was dropped with its client: {titles:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
