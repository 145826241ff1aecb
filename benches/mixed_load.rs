//! A realistic mixed load on a running Taskward: many users, each signed in
//! once, then page loads and changes spread over all of them. Run by
//! scripts/bench (`cargo bench --bench mixed_load` builds it); not part of
//! the product.
//!
//!   mixed_load --base http://127.0.0.1:3400 --users 500 --seconds 10 --connections 16,32,64
//!
//! Per level of concurrency it prints one JSON line: requests/s, p50 and
//! p99 in ms, errors, and the page cache's hits and misses (from the
//! `x-page-cache` header the app sets on the pages it may keep).
//!
//! The mix, by weight: 80% page loads (`/todos`, its Active and Completed
//! filters, Today, and `/dashboard`) and 20% changes through the server
//! functions the pages' forms post to (create, toggle, edit, delete).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode, header};
use serde_json::Value;

const PASSWORD: &str = "velvet tractor umbrella sings";

/// What a request does, with its weight out of 100.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Todos,
    TodosActive,
    TodosCompleted,
    Today,
    Dashboard,
    Create,
    Toggle,
    Edit,
    Delete,
}

const MIX: [(Kind, u32); 9] = [
    (Kind::Todos, 30),
    (Kind::TodosActive, 12),
    (Kind::TodosCompleted, 8),
    (Kind::Today, 10),
    (Kind::Dashboard, 20),
    (Kind::Create, 6),
    (Kind::Toggle, 7),
    (Kind::Edit, 4),
    (Kind::Delete, 3),
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Todos => "todos",
            Kind::TodosActive => "todos_active",
            Kind::TodosCompleted => "todos_completed",
            Kind::Today => "today",
            Kind::Dashboard => "dashboard",
            Kind::Create => "create",
            Kind::Toggle => "toggle",
            Kind::Edit => "edit",
            Kind::Delete => "delete",
        }
    }

    fn page(self) -> Option<&'static str> {
        match self {
            Kind::Todos => Some("/todos"),
            Kind::TodosActive => Some("/todos?filter=active"),
            Kind::TodosCompleted => Some("/todos?filter=completed"),
            Kind::Today => Some("/todos?view=today"),
            Kind::Dashboard => Some("/dashboard"),
            _ => None,
        }
    }
}

struct User {
    cookie: String,
    /// The user's todos, as the load creates and deletes them.
    todos: Mutex<Vec<String>>,
    /// A person does one thing at a time: while one of their requests is
    /// in flight no worker sends another (an edit racing a delete of the
    /// same todo would get a 404 no real user causes).
    busy: AtomicBool,
}

/// The user a worker is acting as, until it drops this.
struct Acting<'a>(&'a User);

impl Drop for Acting<'_> {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::Release);
    }
}

/// The next user in turn who has nothing in flight (there are more users
/// than workers, so one is always free).
fn next_free_user<'a>(users: &'a [User], next: &AtomicUsize) -> Acting<'a> {
    loop {
        let user = &users[next.fetch_add(1, Ordering::Relaxed) % users.len()];
        if user
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return Acting(user);
        }
    }
}

struct Options {
    base: String,
    users: usize,
    todos_per_user: usize,
    seconds: u64,
    connections: Vec<usize>,
}

fn options() -> Options {
    let mut options = Options {
        base: "http://127.0.0.1:3400".into(),
        users: 500,
        todos_per_user: 20,
        seconds: 10,
        connections: vec![16, 32, 64],
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| panic!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--base" => options.base = value(),
            "--users" => options.users = value().parse().expect("--users: a number"),
            "--todos-per-user" => {
                options.todos_per_user = value().parse().expect("--todos-per-user: a number")
            }
            "--seconds" => options.seconds = value().parse().expect("--seconds: a number"),
            "--connections" => {
                options.connections = value()
                    .split(',')
                    .map(|n| n.parse().expect("--connections: numbers"))
                    .collect()
            }
            // `cargo bench` passes this to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

/// A small xorshift generator: enough to spread requests, no dependency.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn kind(&mut self) -> Kind {
        let mut pick = self.below(100) as u32;
        for (kind, weight) in MIX {
            if pick < weight {
                return kind;
            }
            pick -= weight;
        }
        unreachable!("the weights add up to 100")
    }
}

async fn post(
    client: &Client,
    base: &str,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    let mut request = client.post(format!("{base}{path}")).form(form);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.send().await
}

async fn sign_up(client: &Client, base: &str, index: usize) -> User {
    let email = format!("mixed-{index}-{}@example.com", std::process::id());
    let response = post(
        client,
        base,
        "/api/auth/signup",
        None,
        &[("email", &email), ("password", PASSWORD)],
    )
    .await
    .expect("sign-up answers");
    assert!(
        response.status().is_success(),
        "sign-up: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("taskward_session="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_owned();
    User {
        cookie,
        todos: Mutex::new(Vec::new()),
        busy: AtomicBool::new(false),
    }
}

async fn create(
    client: &Client,
    base: &str,
    user: &User,
    title: &str,
) -> reqwest::Result<StatusCode> {
    let response = post(
        client,
        base,
        "/api/todos/create",
        Some(&user.cookie),
        &[("title", title)],
    )
    .await?;
    let status = response.status();
    if status.is_success() {
        let todo: Value = response.json().await?;
        if let Some(id) = todo["id"].as_str() {
            user.todos.lock().unwrap().push(id.to_owned());
        }
    }
    Ok(status)
}

/// One request of `kind` for `user`; its status and whether a page came
/// from the page cache.
async fn request(
    client: &Client,
    base: &str,
    user: &User,
    kind: Kind,
    random: &mut Random,
) -> reqwest::Result<(StatusCode, Option<bool>)> {
    if let Some(page) = kind.page() {
        let response = client
            .get(format!("{base}{page}"))
            .header(header::COOKIE, &user.cookie)
            .send()
            .await?;
        let status = response.status();
        let cached = response
            .headers()
            .get("x-page-cache")
            .map(|value| value.as_bytes() == b"hit");
        response.bytes().await?;
        return Ok((status, cached));
    }
    let some_todo = |random: &mut Random| {
        let todos = user.todos.lock().unwrap();
        (!todos.is_empty()).then(|| todos[random.below(todos.len())].clone())
    };
    let status = match kind {
        Kind::Create => create(client, base, user, "A todo made under load").await?,
        Kind::Toggle | Kind::Edit => {
            let Some(id) = some_todo(random) else {
                return create(client, base, user, "A todo made under load")
                    .await
                    .map(|s| (s, None));
            };
            let fields: &[(&str, &str)] = if kind == Kind::Toggle {
                &[
                    ("id", &id),
                    (
                        "completed",
                        if random.below(2) == 0 {
                            "true"
                        } else {
                            "false"
                        },
                    ),
                ]
            } else {
                &[("id", &id), ("title", "A todo edited under load")]
            };
            let response = post(
                client,
                base,
                "/api/todos/update",
                Some(&user.cookie),
                fields,
            )
            .await?;
            let status = response.status();
            response.bytes().await?;
            status
        }
        _ => {
            // Take the todo out first, so no other worker edits or deletes it meanwhile.
            let id = {
                let mut todos = user.todos.lock().unwrap();
                if todos.is_empty() {
                    None
                } else {
                    let at = random.below(todos.len());
                    Some(todos.swap_remove(at))
                }
            };
            let Some(id) = id else {
                return create(client, base, user, "A todo made under load")
                    .await
                    .map(|s| (s, None));
            };
            let response = post(
                client,
                base,
                "/api/todos/delete",
                Some(&user.cookie),
                &[("id", &id)],
            )
            .await?;
            let status = response.status();
            response.bytes().await?;
            status
        }
    };
    Ok((status, None))
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    first_errors: Vec<String>,
    hits: usize,
    misses: usize,
    by_kind: HashMap<&'static str, usize>,
}

async fn run_level(
    client: &Client,
    base: &str,
    users: &Arc<Vec<User>>,
    connections: usize,
    seconds: u64,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let next_user = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let (client, base, users, next_user) = (
                client.clone(),
                base.to_owned(),
                users.clone(),
                next_user.clone(),
            );
            tokio::spawn(async move {
                let mut random = Random(
                    0x9E37_79B9_7F4A_7C15 ^ (worker as u64 + 1).wrapping_mul(0x2545_F491_4F6C_DD1D),
                );
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    // Users in turn, so every one of them is loaded.
                    let acting = next_free_user(&users, &next_user);
                    let user = acting.0;
                    let kind = random.kind();
                    let began = Instant::now();
                    let outcome = request(&client, &base, user, kind, &mut random).await;
                    tally.latencies.push(began.elapsed());
                    *tally.by_kind.entry(kind.name()).or_default() += 1;
                    match outcome {
                        Ok((status, cached)) if status.is_success() => match cached {
                            Some(true) => tally.hits += 1,
                            Some(false) => tally.misses += 1,
                            None => {}
                        },
                        Ok((status, _)) => {
                            tally.errors += 1;
                            if tally.first_errors.len() < 3 {
                                tally.first_errors.push(format!("{} {status}", kind.name()));
                            }
                        }
                        Err(error) => {
                            tally.errors += 1;
                            if tally.first_errors.len() < 3 {
                                tally.first_errors.push(format!("{}: {error}", kind.name()));
                            }
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for worker in workers {
        let tally = worker.await.expect("a load worker");
        all.latencies.extend(tally.latencies);
        all.errors += tally.errors;
        all.hits += tally.hits;
        all.misses += tally.misses;
        all.first_errors.extend(tally.first_errors);
        for (kind, count) in tally.by_kind {
            *all.by_kind.entry(kind).or_default() += count;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies.sort();
    let percentile = |p: f64| {
        let at =
            ((all.latencies.len() as f64 * p).ceil() as usize).clamp(1, all.latencies.len()) - 1;
        all.latencies[at].as_secs_f64() * 1000.0
    };
    all.first_errors.truncate(5);
    serde_json::json!({
        "connections": connections,
        "requests": all.latencies.len(),
        "rps": all.latencies.len() as f64 / elapsed,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "errors": all.errors,
        "first_errors": all.first_errors,
        "page_cache_hits": all.hits,
        "page_cache_misses": all.misses,
        "by_kind": all.by_kind,
    })
}

#[tokio::main]
async fn main() {
    let options = options();
    assert!(
        options.connections.iter().all(|&c| c < options.users),
        "--users must exceed every --connections level: each user does one thing at a time"
    );
    let client = Client::builder()
        .pool_max_idle_per_host(256)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let base = options.base.as_str();

    // Sign-ups hash a password each: a few at a time keeps the hashing pool full.
    let began = Instant::now();
    let mut users = Vec::with_capacity(options.users);
    for chunk in (0..options.users).collect::<Vec<_>>().chunks(8) {
        let signed_up =
            futures::future::join_all(chunk.iter().map(|&index| sign_up(&client, base, index)))
                .await;
        users.extend(signed_up);
    }
    let users = Arc::new(users);
    let seeding = (0..32).map(|worker| {
        let (client, users) = (client.clone(), users.clone());
        let todos_per_user = options.todos_per_user;
        async move {
            for user in users.iter().skip(worker).step_by(32) {
                for n in 0..todos_per_user {
                    let status = create(&client, base, user, &format!("Seeded todo {n}"))
                        .await
                        .expect("create answers");
                    assert!(status.is_success(), "seeding: {status}");
                }
            }
        }
    });
    futures::future::join_all(seeding).await;
    eprintln!(
        "mixed load: {} users with {} todos each, ready in {:.1} s",
        users.len(),
        options.todos_per_user,
        began.elapsed().as_secs_f64()
    );

    for connections in options.connections {
        let level = run_level(&client, base, &users, connections, options.seconds).await;
        println!("{level}");
    }
}
