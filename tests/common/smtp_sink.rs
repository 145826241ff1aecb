//! A real SMTP server for the tests (`tests/support/smtp_sink.py`, on
//! aiosmtpd), started per test on a free port. It reports each mail it
//! accepts or refuses, which the tests read back.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;

/// How the sink answers.
#[derive(Default)]
pub struct Behaviour {
    /// 451 to the first this many mails, then 250.
    pub temporary_failures: u32,
    /// Only mails to recipients that start with this get those 451s
    /// (others, such as a sign-up's confirmation link, go through).
    pub temporary_prefix: Option<String>,
    /// 550 to recipients that start with this.
    pub refuse_prefix: Option<String>,
}

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    _stdin: ChildStdin,
    seen: Arc<Mutex<Vec<Value>>>,
}

/// The Python that has the tests' tools (aiosmtpd, prometheus_client): `TASKWARD_TEST_PYTHON`, else the
/// virtualenv `scripts/test` installs.
pub fn test_python() -> PathBuf {
    if let Ok(python) = std::env::var("TASKWARD_TEST_PYTHON") {
        return python.into();
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache")
        });
    cache.join("taskward/python-venv/bin/python")
}

impl SmtpSink {
    pub fn start(behaviour: Behaviour) -> Self {
        let python = test_python();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut command = Command::new(&python);
        command
            .arg(script)
            .arg("--temporary-failures")
            .arg(behaviour.temporary_failures.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(prefix) = &behaviour.refuse_prefix {
            command.arg("--refuse-prefix").arg(prefix);
        }
        if let Some(prefix) = &behaviour.temporary_prefix {
            command.arg("--temporary-prefix").arg(prefix);
        }
        let mut child = command.spawn().unwrap_or_else(|error| {
            panic!(
                "could not start the SMTP sink with {} ({error}): run scripts/test once, which \
                 installs aiosmtpd, or set TASKWARD_TEST_PYTHON to a Python that has it",
                python.display()
            )
        });
        let stdin = child.stdin.take().expect("the sink's stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("the sink's stdout")).lines();
        let ready = lines
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the SMTP sink did not start (is aiosmtpd installed?)"));
        let port = ready
            .strip_prefix("READY ")
            .and_then(|port| port.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink said {ready:?}"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line) {
                    record.lock().unwrap().push(value);
                }
            }
        });
        Self {
            port,
            child,
            _stdin: stdin,
            seen,
        }
    }

    /// `SMTP_URL` for the app: plain SMTP on localhost, as to a local relay.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The mails accepted so far.
    pub fn delivered(&self) -> Vec<Value> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|event| event.get("refused").is_none())
            .cloned()
            .collect()
    }

    /// The mails accepted so far whose subject is `subject` (every sign-up
    /// also mails a confirmation link, which a test of another mail skips).
    pub fn delivered_about(&self, subject: &str) -> Vec<Value> {
        self.delivered()
            .into_iter()
            .filter(|mail| mail["subject"] == subject)
            .collect()
    }

    /// Waits (up to 30 s) until `count` mails with `subject` were
    /// accepted; returns them.
    pub async fn wait_for_about(&self, subject: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let delivered = self.delivered_about(subject);
            if delivered.len() >= count {
                return delivered;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP sink got {} of {count} mails about {subject:?} in 30 s",
                delivered.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The refusals so far, by their codes.
    pub fn refusals(&self) -> Vec<u64> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter_map(|event| event.get("refused").and_then(Value::as_u64))
            .collect()
    }

    /// Waits (up to 30 s) until `count` mails were accepted; returns them.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let delivered = self.delivered();
            if delivered.len() >= count {
                return delivered;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP sink got {} of {count} mails in 30 s",
                delivered.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The token of the first `PUBLIC_ORIGIN{page}?token=` link in a mail's
/// text (the tests' origin is `http://127.0.0.1`).
pub fn link_token(mail: &Value, page: &str) -> String {
    let text = mail["text"].as_str().unwrap();
    let link = format!("http://127.0.0.1{page}?token=");
    let start = text
        .find(&link)
        .unwrap_or_else(|| panic!("no {page} link in {text}"));
    text[start + link.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// The app's settings for sending through the relay at `url` (a sink's
/// [`SmtpSink::url`]), at a pace fit for tests: retries after 100 ms (then
/// 200, 400, ...), polls every 50 ms.
pub fn relay_at(url: String) -> impl FnOnce(&mut taskward::config::Config) {
    move |config| {
        config.mail.smtp_url = Some(url.into());
        config.mail.from = "Taskward <tasks@taskward.test>".parse().unwrap();
        config.mail.retry_base = Duration::from_millis(100);
        config.mail.poll_interval = Duration::from_millis(50);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
