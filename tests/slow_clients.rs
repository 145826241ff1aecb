//! Slow and greedy clients get an answer, or a closed connection, in
//! bounded time, and cannot hold the server.

mod common;

use std::time::{Duration, Instant};

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    api::Answer,
    spawn_app_configured,
};
use reqwest::{Method, StatusCode};
use taskward::db::WritePool as _;
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

/// Reads everything the server sends until it closes the connection; panics
/// if it is still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return received,
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
            Err(_) => panic!(
                "the connection is still open after {within:?}; received {}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
}

/// `POST /api/v1/todos` with `body`, as it goes over the wire.
fn create_todo_request(app: &TestApp, token: &str, body: &str) -> String {
    format!(
        "POST /api/v1/todos HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        app.address,
        body.len()
    )
}

/// The titles of `token`'s todos.
async fn titles(app: &TestApp, token: &str) -> Vec<String> {
    let listed = app.api_ok(Method::GET, "/todos", token, None).await;
    let mut titles: Vec<String> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|todo| todo["title"].as_str().map(str::to_owned))
        .collect();
    titles.sort();
    titles
}

/// Waits until `token`'s todos are `expected` (sorted), for at most 5 s.
async fn wait_for_titles(app: &TestApp, token: &str, expected: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let titles = titles(app, token).await;
        if titles == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected {expected:?}, the account has {titles:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
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
            let mut transaction = pool.begin_write().await.unwrap();
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
    let request = create_todo_request(&app, &token, body);
    stream.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);
    // Long enough for the server to see the connection closed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = release.send(());
    lock_holder.await.unwrap();

    wait_for_titles(&app, &token, &["sent by a client that left"]).await;
}

/// A client can send a change and leave, again and again: each handler
/// still runs to its end, so they all count against one bound, and past it
/// anyone's request is answered 503 at once instead of piling up work.
#[tokio::test]
async fn handlers_whose_clients_left_count_against_the_bound_on_requests_in_flight() {
    let app = spawn_app_configured(|config| config.limits.max_requests_in_flight = 2).await;
    let token = app.api_user().await;
    let (release, lock_holder) = lock_users_from_outside(&app.database_url).await;

    let abandoned = ["abandoned 1", "abandoned 2"];
    let mut clients = Vec::new();
    for title in abandoned {
        let mut stream = TcpStream::connect(app.address).await.unwrap();
        let request = create_todo_request(&app, &token, &format!(r#"{{"title":"{title}"}}"#));
        stream.write_all(request.as_bytes()).await.unwrap();
        clients.push(stream);
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while app.get("/healthz").await.status() != StatusCode::SERVICE_UNAVAILABLE {
        assert!(
            Instant::now() < deadline,
            "two changes waiting on a lock, and the bound of 2 is not reached"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(clients);
    // Long enough for the server to see the connections closed.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let busy = app.get("/healthz").await;
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers()["retry-after"], "2");
    let api = app
        .api_send(Method::GET, "/todos", Some(&token), None)
        .await;
    api.problem(503);
    assert_eq!(api.header("retry-after"), "2");

    let _ = release.send(());
    lock_holder.await.unwrap();
    // The bound frees as the changes end, and both are carried out whole.
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get("/healthz").await.status() != StatusCode::OK {
        assert!(Instant::now() < deadline, "the bound stays taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_for_titles(&app, &token, &abandoned).await;
}

/// Past the deadline a handler is not dropped mid-change: its client gets
/// 503 (not 408, which would say nothing was done), and the change is
/// still carried out whole.
#[tokio::test]
async fn a_change_not_answered_by_the_deadline_gets_503_and_is_still_carried_out() {
    let app = spawn_app_configured(|config| {
        config.limits.request_timeout = Duration::from_secs(1);
    })
    .await;
    let token = app.api_user().await;
    let (release, lock_holder) = lock_users_from_outside(&app.database_url).await;

    let slow = app
        .api_send(
            Method::POST,
            "/todos",
            Some(&token),
            Some(serde_json::json!({ "title": "answered late" })),
        )
        .await;
    let _ = release.send(());
    lock_holder.await.unwrap();

    slow.problem(503);
    assert_eq!(slow.header("retry-after"), "2");
    wait_for_titles(&app, &token, &["answered late"]).await;
}

/// A body that arrives after its 408 finds its connection closed, and
/// nothing of the request is carried out (a browser may send it again).
#[tokio::test]
async fn a_body_that_arrives_after_its_408_is_never_carried_out() {
    let app = spawn_app_configured(|config| {
        config.limits.request_timeout = Duration::from_secs(1);
    })
    .await;
    let token = app.api_user().await;

    let body = r#"{"title":"arrived too late"}"#;
    let request = create_todo_request(&app, &token, body);
    let (first, late) = request.split_at(request.len() - body.len() + 1);
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("nothing was done"), "{answer}");
    // Too late: the server closed the connection, and sending fails or is
    // never read.
    let _ = stream.write_all(late.as_bytes()).await;

    app.add_todo(&token, "sent afterwards").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(titles(&app, &token).await, ["sent afterwards"]);
}

#[tokio::test]
async fn a_change_whose_client_leaves_before_its_body_is_complete_is_never_carried_out() {
    let app = spawn_app_configured(|_| {}).await;
    let token = app.api_user().await;

    let body = r#"{"title":"half sent"}"#;
    let request = create_todo_request(&app, &token, body);
    let mut stream = TcpStream::connect(app.address).await.unwrap();
    let all_but_the_last_two_bytes = &request.as_bytes()[..request.len() - 2];
    stream.write_all(all_but_the_last_two_bytes).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;

    app.add_todo(&token, "sent afterwards").await;
    assert_eq!(titles(&app, &token).await, ["sent afterwards"]);
}

/// Clients that stop one byte into their bodies each get 408 and are
/// disconnected at the deadline, so they cannot hold the connections the
/// instance serves: more of them than `MAX_CONNECTIONS` are all answered in
/// turn, and a normal request is served after them.
#[tokio::test]
async fn many_clients_stalled_in_their_bodies_get_408_are_disconnected_and_free_the_server() {
    const STALLED: usize = 200;
    const MAX_CONNECTIONS: usize = 50;
    let app = spawn_app_configured(|config| {
        config.limits.request_timeout = Duration::from_secs(1);
        config.limits.max_connections = MAX_CONNECTIONS;
    })
    .await;

    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut stream = TcpStream::connect(app.address).await.unwrap();
        stream
            .write_all(
                b"POST /api/auth/signin HTTP/1.1\r\nHost: taskward\r\n\
                  Content-Type: application/x-www-form-urlencoded\r\n\
                  Content-Length: 100\r\n\r\ne",
            )
            .await
            .unwrap();
        stalled.push(stream);
    }
    let answers = futures::future::join_all(
        stalled
            .iter_mut()
            .map(|stream| read_until_closed(stream, Duration::from_secs(60))),
    )
    .await;
    for answer in &answers {
        assert!(
            answer.starts_with(b"HTTP/1.1 408"),
            "{}",
            String::from_utf8_lossy(answer)
        );
    }
    println!(
        "{STALLED} stalled clients, {MAX_CONNECTIONS} served at once, 1 s deadline: \
         all answered 408 and disconnected within {:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

/// Bodies are held in memory whole before their handlers run; together
/// they stay within `request_body_memory`, past which a request gets 503.
#[tokio::test]
async fn bodies_past_the_memory_budget_get_503_and_the_budget_is_freed_after() {
    const BUDGET: usize = 96 * 1024;
    let app = spawn_app_configured(|config| config.limits.request_body_memory = BUDGET).await;
    let token = app.api_user().await;
    let import = |csv: String| {
        app.api(Method::POST, "/import", Some(&token))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };

    let over = format!("title\n{}", "x\n".repeat(BUDGET));
    let refused = Answer::from(import(over).await.unwrap()).await;
    refused.problem(503);
    assert_eq!(refused.header("retry-after"), "2");
    assert!(titles(&app, &token).await.is_empty());

    let imported = import("title\nwithin the budget\n".into()).await.unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    assert_eq!(titles(&app, &token).await, ["within the budget"]);
}

/// Whether the server closes `stream` within `within` (answering first or
/// not), reading whatever it sends meanwhile.
async fn closed_by_server_within(stream: &mut TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut buffer = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn silent_idle_and_http2_connections_are_closed_after_the_header_deadline() {
    let app = spawn_app_configured(|config| {
        config.limits.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    // Connects and sends nothing at all.
    let mut silent = TcpStream::connect(app.address).await.unwrap();
    // Sends HTTP/2's preface (cleartext HTTP/2 is not served) and waits.
    let mut http2 = TcpStream::connect(app.address).await.unwrap();
    http2
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    // Finishes one request, then keeps the connection open without a next.
    let mut idle = TcpStream::connect(app.address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: taskward\r\n\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    for (name, stream) in [
        ("silent", &mut silent),
        ("http2", &mut http2),
        ("idle", &mut idle),
    ] {
        assert!(
            closed_by_server_within(stream, Duration::from_secs(8)).await,
            "the {name} connection was still open after {:?}",
            started.elapsed()
        );
    }
    println!("three idle connections closed in {:?}", started.elapsed());
}

#[tokio::test]
async fn a_request_id_is_taken_only_from_a_trusted_proxy_and_only_when_short_and_plain() {
    let direct = spawn_app_configured(|_| {}).await;
    let answered = direct
        .client
        .get(direct.url("/healthz"))
        .header("x-request-id", "lb-7f3a.42_x")
        .send()
        .await
        .unwrap();
    let id = answered.headers()["x-request-id"].to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(id).is_ok(),
        "a client's own id is replaced: {id}"
    );

    let app = spawn_app_configured(|config| {
        config.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let id_answered = |sent: String| {
        let request = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", sent);
        async move {
            let response = request.send().await.unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(id_answered("lb-7f3a.42_x".into()).await, "lb-7f3a.42_x");
    for forged in [
        "x".repeat(65),
        "ok\" level=error msg=\"forged".to_owned(),
        "a b".to_owned(),
    ] {
        let answered = id_answered(forged.clone()).await;
        assert_ne!(answered, forged);
        assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{answered}");
    }
}
