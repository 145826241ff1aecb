//! The export's memory, measured: an account at the todo cap (100,000
//! todos) with 2,000-character notes downloads as JSON and as CSV while
//! the server's peak memory grows by at most 64 MiB. The app runs in this
//! test's process, so the process's resident set is the server's; this
//! file holds this one test so no other test's memory is counted.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    time::Instant,
};

use common::{seed::Todos, spawn_app};
use reqwest::Method;
use serde::{Deserialize, de::IgnoredAny};

const TODOS: usize = taskward::config::DEFAULT_MAX_TODOS_PER_USER as usize;
const NOTES_CHARS: usize = 2_000;
/// What the issue allows an export to add to the server's peak memory.
const MAX_PEAK_GROWTH_BYTES: u64 = 64 * 1024 * 1024;

/// A line of `/proc/self/status`, in bytes (the file gives kB).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: u64 = line
        .trim_start_matches(field)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}

/// Starts a new peak: the kernel sets VmHWM back to the current VmRSS.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Streams the export in `format` into a file; its size and the peak
/// growth of memory meanwhile.
async fn measure(
    app: &common::TestApp,
    token: &str,
    format: &str,
    file: &std::path::Path,
) -> (u64, u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(file).unwrap());
    reset_peak();
    let before = status_bytes("VmRSS:");
    let started = Instant::now();
    let mut response = app
        .api(
            Method::GET,
            &format!("/export?format={format}"),
            Some(token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await.expect("the whole export") {
        bytes += chunk.len() as u64;
        out.write_all(&chunk).unwrap();
    }
    out.flush().unwrap();
    let elapsed = started.elapsed();
    let peak = status_bytes("VmHWM:");
    let growth = peak.saturating_sub(before);
    println!(
        "{format} export of {TODOS} todos with {NOTES_CHARS}-character notes on {}: \
         {:.1} MiB in {:.1} s; resident {:.1} MiB before, peak {:.1} MiB during: \
         +{:.1} MiB",
        app.backend.name(),
        mib(bytes),
        elapsed.as_secs_f64(),
        mib(before),
        mib(peak),
        mib(growth),
    );
    assert_eq!(std::fs::metadata(file).unwrap().len(), bytes);
    (bytes, growth)
}

#[derive(Deserialize)]
struct CountedExport {
    lists: Vec<CountedList>,
}

#[derive(Deserialize)]
struct CountedList {
    todos: Vec<IgnoredAny>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exporting_100000_todos_with_long_notes_raises_peak_memory_by_at_most_64_mib() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let owner = app.owner(&token).await;
    let seeding = Instant::now();
    app.seed_todos(
        owner.user_id,
        owner.inbox_id,
        Todos {
            title: "Todo",
            count: TODOS,
            notes_chars: NOTES_CHARS,
        },
    )
    .await;
    println!(
        "seeded {TODOS} todos in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    // A first small export, so what any first request sets up once is not
    // counted.
    let warm_up = app.api_user().await;
    app.api_ok(Method::GET, "/export", &warm_up, None).await;

    let folder = tempfile::tempdir().unwrap();
    let json_file = folder.path().join("export.json");
    let (json_bytes, json_growth) = measure(&app, &token, "json", &json_file).await;
    let csv_file = folder.path().join("export.csv");
    let (csv_bytes, csv_growth) = measure(&app, &token, "csv", &csv_file).await;

    assert!(
        json_growth <= MAX_PEAK_GROWTH_BYTES,
        "JSON: +{json_growth} bytes"
    );
    assert!(
        csv_growth <= MAX_PEAK_GROWTH_BYTES,
        "CSV: +{csv_growth} bytes"
    );
    // Whole files: the notes alone are 200 MB.
    let notes_bytes = (TODOS * NOTES_CHARS) as u64;
    assert!(json_bytes > notes_bytes && csv_bytes > notes_bytes);
    let export: CountedExport =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    let todos: usize = export.lists.iter().map(|list| list.todos.len()).sum();
    assert_eq!(todos, TODOS);
    let mut csv = BufReader::new(std::fs::File::open(&csv_file).unwrap());
    let mut lines = 0;
    loop {
        let read = csv.fill_buf().unwrap();
        if read.is_empty() {
            break;
        }
        lines += read.iter().filter(|byte| **byte == b'\n').count();
        let length = read.len();
        csv.consume(length);
    }
    assert_eq!(lines, TODOS + 1);
}
