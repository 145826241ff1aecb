//! `GET /metrics`, scraped as Prometheus would and read with the Python
//! `prometheus_client` parser (tests/support/read_metrics.py): who may
//! scrape, what each figure counts after known work, and that label values
//! come from fixed sets, so ids and paths sent by clients add no series.

use crate::common;

use std::{
    collections::{BTreeSet, HashMap},
    io::Write,
    process::{Command, Stdio},
    time::Duration,
};

use common::{
    TestApp,
    smtp_sink::{Behaviour, SmtpSink, relay_at, test_python},
    spawn_app, spawn_app_configured,
};
use futures::StreamExt;
use reqwest::{Method, header};
use serde_json::{Value, json};
use taskward::config::Config;

const METRICS_TOKEN: &str = "Kq3v9Xw2Lr7Tz5Yp8Ns4Md6Hb1Gf0Jc2Qe7Ua9Wi3Ox5Rk";

fn with_token(config: &mut Config) {
    config.metrics.token = Some(METRICS_TOKEN.to_owned().into());
}

/// One scrape, as the parser read it.
struct Scrape {
    families: HashMap<String, String>,
    samples: Vec<Sample>,
}

struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

impl Scrape {
    fn parse(text: &str) -> Self {
        let mut reader = Command::new(test_python())
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/read_metrics.py"
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the tests' Python runs (scripts/test installs it)");
        reader
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = reader.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "Prometheus's parser refused the scrape: {}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
        let read: Value = serde_json::from_slice(&output.stdout).unwrap();
        let families = read["families"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, kind)| (name.clone(), kind.as_str().unwrap().to_owned()))
            .collect();
        let samples = read["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|sample| Sample {
                name: sample["name"].as_str().unwrap().to_owned(),
                labels: serde_json::from_value(sample["labels"].clone()).unwrap(),
                value: sample["value"].as_f64().unwrap(),
            })
            .collect();
        Self { families, samples }
    }

    /// The value of the sample `name` whose labels include `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut matching = self.samples.iter().filter(|sample| {
            sample.name == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
        });
        let found = matching.next().map(|sample| sample.value);
        assert!(
            matching.next().is_none(),
            "{name} {labels:?} names more than one series"
        );
        found
    }

    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no series {name} {labels:?}"))
    }

    /// Every series: its name and labels.
    fn series(&self) -> BTreeSet<String> {
        self.samples
            .iter()
            .map(|sample| {
                let labels: BTreeSet<String> = sample
                    .labels
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect();
                format!("{}{labels:?}", sample.name)
            })
            .collect()
    }

    fn label_values(&self) -> impl Iterator<Item = &str> {
        self.samples
            .iter()
            .flat_map(|sample| sample.labels.values().map(String::as_str))
    }
}

impl TestApp {
    async fn metrics_answer(&self, authorization: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url("/metrics"));
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        request.send().await.unwrap()
    }

    async fn scrape(&self) -> Scrape {
        let answer = self
            .metrics_answer(Some(&format!("Bearer {METRICS_TOKEN}")))
            .await;
        assert_eq!(answer.status(), 200);
        assert_eq!(
            answer.headers()[header::CONTENT_TYPE],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        Scrape::parse(&answer.text().await.unwrap())
    }

    /// Scrapes until `ready` holds (up to 30 s), for what a worker does
    /// in the background.
    async fn scrape_until(&self, ready: impl Fn(&Scrape) -> bool) -> Scrape {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let scrape = self.scrape().await;
            if ready(&scrape) {
                return scrape;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the scrape never showed it"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn metrics_are_not_served_unless_configured() {
    let app = spawn_app().await;
    for authorization in [None, Some(format!("Bearer {METRICS_TOKEN}"))] {
        let answer = app.metrics_answer(authorization.as_deref()).await;
        assert_eq!(answer.status(), 404);
        assert!(!answer.text().await.unwrap().contains("taskward_http"));
    }
}

#[tokio::test]
async fn a_scrape_without_the_token_is_refused() {
    let app = spawn_app_configured(with_token).await;
    let refused = [
        None,
        Some("Bearer wrong-token".to_owned()),
        Some(format!("Bearer {METRICS_TOKEN}x")),
        Some(format!("Bearer {}", &METRICS_TOKEN[1..])),
        Some(format!("Basic {METRICS_TOKEN}")),
        Some(METRICS_TOKEN.to_owned()),
    ];
    for authorization in refused {
        let answer = app.metrics_answer(authorization.as_deref()).await;
        assert_eq!(answer.status(), 401, "{authorization:?}");
        assert_eq!(
            answer.headers()[header::WWW_AUTHENTICATE],
            "Bearer realm=\"metrics\""
        );
        assert!(!answer.text().await.unwrap().contains("taskward_"));
    }
    let scrape = app.scrape().await;
    assert_eq!(
        scrape.get(
            "taskward_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
}

#[tokio::test]
async fn the_scrape_counts_requests_by_route_template_and_what_the_instance_did() {
    let app = spawn_app_configured(|config| {
        with_token(config);
        config.auth.attempts_per_minute_per_address = 4;
        config.auth.hashing_concurrency = 3;
    })
    .await;
    let email = common::accounts::unique_email();
    let cookie = app.sign_up(&email, common::accounts::PASSWORD).await;
    let token = app.api_user().await;
    let todo = app.add_todo(&token, "Count me").await;
    let todo_id = todo["id"].as_str().unwrap().to_owned();
    let read = app
        .api_send(
            Method::GET,
            &format!("/todos/{todo_id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(read.status, 200);
    // Rendered once, then served from the page cache.
    for outcome in ["miss", "hit"] {
        let page = app.get_with_cookie("/todos", &cookie).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["x-page-cache"], outcome);
    }
    // Sign-ups until the address's budget refuses one.
    let mut refused = 0;
    for _ in 0..4 {
        let answer = app
            .register(
                &common::accounts::unique_email(),
                common::accounts::PASSWORD,
            )
            .await;
        if answer.status == 429 {
            refused += 1;
        }
    }
    assert_eq!(
        refused, 2,
        "4 sign-ups a minute: the 5th and 6th are refused"
    );

    let scrape = app.scrape().await;
    let kinds = [
        ("taskward_http_requests", "counter"),
        ("taskward_http_request_duration_seconds", "histogram"),
        ("taskward_http_requests_in_flight", "gauge"),
        ("taskward_db_pool_wait_seconds", "histogram"),
        ("taskward_password_hashing_seconds", "histogram"),
        ("taskward_budget_refusals", "counter"),
        ("taskward_page_cache_hits", "counter"),
        ("taskward_mail_sends", "counter"),
        ("taskward_mail_outbox_queued", "gauge"),
    ];
    for (family, kind) in kinds {
        assert_eq!(
            scrape.families.get(family).map(String::as_str),
            Some(kind),
            "{family}"
        );
    }
    let requests = |method, route, status| {
        scrape
            .value(
                "taskward_http_requests_total",
                &[("method", method), ("route", route), ("status", status)],
            )
            .unwrap_or(0.0)
    };
    assert_eq!(requests("POST", "/api/v1/todos", "2xx"), 1.0);
    assert_eq!(requests("GET", "/api/v1/todos/{id}", "2xx"), 1.0);
    assert_eq!(requests("GET", "/todos", "2xx"), 2.0);
    assert_eq!(requests("POST", "/api/v1/auth/register", "2xx"), 3.0);
    assert_eq!(requests("POST", "/api/v1/auth/register", "4xx"), 2.0);
    assert_eq!(
        scrape.get(
            "taskward_http_request_duration_seconds_count",
            &[("method", "GET"), ("route", "/todos")]
        ),
        2.0
    );
    // The scrape itself is the one request in flight.
    assert_eq!(scrape.get("taskward_http_requests_in_flight", &[]), 1.0);
    for value in scrape.label_values() {
        assert!(
            !value.contains(&todo_id) && !value.contains(&email),
            "a label holds what a client sent: {value}"
        );
    }

    assert_eq!(scrape.get("taskward_page_cache_hits_total", &[]), 1.0);
    assert_eq!(scrape.get("taskward_page_cache_misses_total", &[]), 1.0);
    assert!(scrape.get("taskward_page_cache_bytes", &[]) > 1000.0);

    // Four accounts made: four hashes at least.
    assert!(scrape.get("taskward_password_hashing_seconds_count", &[]) >= 4.0);
    assert!(scrape.get("taskward_password_hashing_wait_seconds_count", &[]) >= 4.0);
    assert_eq!(scrape.get("taskward_password_hashing_queued", &[]), 0.0);
    assert_eq!(scrape.get("taskward_password_hashing_slots", &[]), 3.0);
    assert_eq!(
        scrape.get("taskward_budget_refusals_total", &[("budget", "sign_up")]),
        2.0
    );

    let (open, in_use, max) = (
        scrape.get("taskward_db_pool_connections_open", &[]),
        scrape.get("taskward_db_pool_connections_in_use", &[]),
        scrape.get("taskward_db_pool_connections_max", &[]),
    );
    assert_eq!(max, 4.0);
    assert!(
        open >= 1.0 && in_use <= open && open <= max,
        "{open} {in_use}"
    );
    assert!(scrape.get("taskward_db_pool_wait_seconds_count", &[]) > 0.0);
}

#[tokio::test]
async fn distinct_ids_and_paths_add_no_series() {
    let app = spawn_app_configured(with_token).await;
    let token = app.api_user().await;
    let cookie = app.web_user().await;
    let send = |path: String, bearer: bool| {
        let request = app.client.get(app.url(&path));
        let request = if bearer {
            request.bearer_auth(&token)
        } else {
            request.header(
                header::COOKIE,
                format!("{}={cookie}", common::accounts::COOKIE),
            )
        };
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let many = |make: fn(usize) -> (String, bool), count: usize| {
        let send = &send;
        async move {
            futures::stream::iter((0..count).map(make))
                .map(|(path, bearer)| send(path, bearer))
                .buffer_unordered(16)
                .collect::<Vec<u16>>()
                .await
        }
    };
    let todo_path = |_: usize| (format!("/api/v1/todos/{}", uuid::Uuid::new_v4()), true);
    // A page with a parameter (a signed-in user who is no administrator).
    let user_page = |_: usize| (format!("/admin/users/{}", uuid::Uuid::new_v4()), false);
    let stray_path = |index: usize| {
        (
            format!("/no-such-page-{index}/{}", uuid::Uuid::new_v4()),
            false,
        )
    };
    // Every route and status these requests reach, once, and the scrape's own.
    for make in [todo_path, user_page, stray_path] {
        many(make, 1).await;
    }
    app.scrape().await;
    let before = app.scrape().await;

    for status in many(todo_path, 1000).await {
        assert_eq!(status, 404);
    }
    let statuses = many(user_page, 200).await;
    assert!(statuses.iter().all(|status| *status == statuses[0]));
    for status in many(stray_path, 200).await {
        assert_eq!(status, 404);
    }
    let after = app.scrape().await;

    let added: Vec<_> = after
        .series()
        .difference(&before.series())
        .cloned()
        .collect();
    assert!(added.is_empty(), "new series: {added:?}");
    assert_eq!(
        after.get(
            "taskward_http_requests_total",
            &[
                ("method", "GET"),
                ("route", "/api/v1/todos/{id}"),
                ("status", "4xx")
            ]
        ),
        1001.0
    );
    assert_eq!(
        after.get(
            "taskward_http_requests_total",
            &[("method", "GET"), ("route", "unmatched"), ("status", "4xx")]
        ) - before.get(
            "taskward_http_requests_total",
            &[("method", "GET"), ("route", "unmatched"), ("status", "4xx")]
        ),
        200.0
    );
}

#[tokio::test]
async fn the_outbox_backlog_and_sends_by_outcome_are_counted() {
    let sink = SmtpSink::start(Behaviour {
        temporary_failures: u32::MAX,
        temporary_prefix: Some("later".into()),
        ..Behaviour::default()
    });
    let app = spawn_app_configured(|config| {
        relay_at(sink.url())(config);
        with_token(config);
        // A refused mail waits an hour: it stays in the backlog.
        config.mail.retry_base = Duration::from_secs(3600);
    })
    .await;
    // The sign-up's confirmation mail goes through.
    let (_, admin) = app.new_admin().await;
    let queued = app
        .api_send(
            Method::POST,
            "/admin/mail/test",
            Some(&admin),
            Some(json!({ "to": "later@example.com" })),
        )
        .await;
    assert_eq!(queued.status, 202, "{}", queued.body);

    let sends = |scrape: &Scrape, outcome| {
        scrape
            .value("taskward_mail_sends_total", &[("outcome", outcome)])
            .unwrap_or(0.0)
    };
    let scrape = app
        .scrape_until(|scrape| sends(scrape, "sent") >= 1.0 && sends(scrape, "retry") >= 1.0)
        .await;
    assert_eq!(sends(&scrape, "retry"), 1.0);
    assert_eq!(sends(&scrape, "failed"), 0.0);
    assert_eq!(scrape.get("taskward_mail_outbox_queued", &[]), 1.0);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = app.scrape().await;
    let age = later.get("taskward_mail_outbox_oldest_queued_age_seconds", &[]);
    assert!((1.0..600.0).contains(&age), "{age}");
}

#[tokio::test]
async fn metrics_addr_serves_a_listener_of_its_own() {
    let app = spawn_app_configured(|config| {
        config.metrics.addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let address = app.metrics_address.expect("the metrics listener is bound");
    assert_ne!(address, app.address);
    let answer = app
        .client
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let scrape = Scrape::parse(&answer.text().await.unwrap());
    assert_eq!(scrape.get("taskward_db_pool_connections_max", &[]), 4.0);
    // Not on the public listener.
    assert_eq!(app.metrics_answer(None).await.status(), 404);

    // With a token as well, that listener asks for it.
    let guarded = spawn_app_configured(|config| {
        config.metrics.addr = Some("127.0.0.1:0".parse().unwrap());
        with_token(config);
    })
    .await;
    let address = guarded.metrics_address.unwrap();
    let url = format!("http://{address}/metrics");
    let answer = guarded.client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let answer = guarded
        .client
        .get(&url)
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(guarded.metrics_answer(None).await.status(), 404);
}
