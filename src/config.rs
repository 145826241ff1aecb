//! Typed configuration, read once at start from the environment (and `.env`).
//!
//! Every variable is documented in `.env.example`. Values that are secret
//! are [`SecretString`]s: they never appear in `Debug` output or logs.
//! Nothing else in the app reads the environment.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::calendar::Clock;
use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

/// Where the instance is reached (`PUBLIC_ORIGIN`, e.g.
/// `https://todo.example.com`): the links it hands out start with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin(pub String);

/// How long a delete can be undone (`UNDO_WINDOW_SECS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndoWindow(pub Duration);

impl UndoWindow {
    pub const DEFAULT: Self = Self(Duration::from_secs(60));
    /// The shortest window the configuration accepts: a person needs time
    /// to read the message and press Undo.
    pub const MIN: Self = Self(Duration::from_secs(10));

    pub fn seconds(self) -> u64 {
        self.0.as_secs()
    }
}

/// Where the app runs: development is forgiving (generated secret, defaults),
/// production refuses to start on anything unsafe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Self::Development),
            "production" | "prod" => Ok(Self::Production),
            other => Err(format!("'{other}' is not one of: development, production")),
        }
    }
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One line an event for a person reading a terminal (`human`).
    #[default]
    Human,
    /// One JSON object a line, for a log collector (`json`).
    Json,
}

impl LogFormat {
    fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "human" | "text" => Ok(Self::Human),
            "json" => Ok(Self::Json),
            other => Err(format!("'{other}' is not one of: human, json")),
        }
    }
}

impl<'de> Deserialize<'de> for LogFormat {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        LogFormat::parse(&value).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("{name} is invalid: {reason}")]
    Unreadable { name: String, reason: String },
    #[error(
        "JWT_SECRET is required in production and must hold at least 32 bytes of randomness \
         (generate one with `openssl rand -hex 32`): {0}"
    )]
    WeakJwtSecret(String),
    #[error("could not use the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The application's settings. Build it with [`Config::from_env`] in the
/// binary, or fill it in directly in tests.
#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    /// `sqlite:` or `postgres:` URL; it may carry a password, hence secret.
    pub database_url: SecretString,
    pub database_max_connections: u32,
    /// How long a request waits for a free database connection before it
    /// gets 503 with `Retry-After`.
    pub database_acquire_timeout: Duration,
    pub listen_addr: SocketAddr,
    /// The origin browsers see, e.g. `https://taskward.example`.
    pub public_origin: String,
    pub jwt_secret: SecretString,
    /// A `tracing` filter such as `info` or `info,taskward=debug`.
    pub log_level: String,
    pub log_format: LogFormat,
    /// Holds the default SQLite database and the development signing secret.
    pub data_dir: PathBuf,
    pub auth: AuthConfig,
    pub limits: ServerLimits,
    /// More todos than any honest user keeps; past it, creating one is
    /// refused with a message.
    pub max_todos_per_user: u32,
    /// How long a delete can be undone; then what it removed is purged.
    pub undo_window: UndoWindow,
    pub site: SiteConfig,
    /// Where "now" comes from when the user's today is worked out: the
    /// system clock, except in tests that need a day to turn over.
    pub clock: Clock,
    pub mail: MailConfig,
    /// How often each instance looks for reminders that fall due
    /// (`REMINDER_POLL_SECS`): the longest a reminder another instance
    /// scheduled can wait past its minute.
    pub reminder_poll_interval: Duration,
    pub metrics: MetricsConfig,
    pub web_push: WebPushConfig,
}

/// Where pushes may go besides the public internet, and how long one may
/// take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPushConfig {
    /// `WEB_PUSH_ALLOWED_HOSTS`: lower-case `host` or `host:port` entries
    /// let through over plain `http` and to internal addresses (a private
    /// push service; the tests' local endpoint).
    pub allowed_hosts: Vec<String>,
    /// `WEB_PUSH_TIMEOUT_SECS`: a push service's whole answer, or nothing.
    pub timeout: Duration,
}

impl Default for WebPushConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The most hosts `WEB_PUSH_ALLOWED_HOSTS` may name.
pub const MAX_PUSH_HOSTS: usize = 50;

/// `WEB_PUSH_ALLOWED_HOSTS`: hosts or `host:port`, separated by commas, at
/// most [`MAX_PUSH_HOSTS`], each as a URL would name it; lower-cased.
pub fn parse_push_hosts(list: &str) -> Result<Vec<String>, String> {
    let mut hosts = Vec::new();
    for entry in list
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
    {
        let entry = entry.to_ascii_lowercase();
        let refusal = || format!("\u{201c}{entry}\u{201d} is not a host or host:port");
        let url = url::Url::parse(&format!("http://{entry}/")).map_err(|_| refusal())?;
        let host = url.host_str().unwrap_or_default();
        let written = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        if written != entry || url.path() != "/" || url.query().is_some() {
            return Err(refusal());
        }
        hosts.push(entry);
    }
    if hosts.len() > MAX_PUSH_HOSTS {
        return Err(format!("names more than {MAX_PUSH_HOSTS} hosts"));
    }
    Ok(hosts)
}

/// The default of [`Config::reminder_poll_interval`].
pub const DEFAULT_REMINDER_POLL: Duration = Duration::from_secs(15);

/// Where `GET /metrics` is served, if anywhere: on the public listener to
/// the holder of `METRICS_TOKEN`, or on `METRICS_ADDR`'s own listener
/// (then to anyone reaching it, or to the token's holder when both are
/// set). Off when neither is set.
#[derive(Clone, Debug, Default)]
pub struct MetricsConfig {
    pub token: Option<SecretString>,
    pub addr: Option<SocketAddr>,
}

/// The longest `METRICS_TOKEN`: it travels in a header.
pub const MAX_METRICS_TOKEN_BYTES: usize = 512;

/// Outbound mail (`SMTP_URL`, `MAIL_FROM` and the worker's pace).
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// lettre's URL form: `smtps://user:pass@host:465`,
    /// `smtp://user:pass@host:587?tls=required`, `smtp://localhost:25`.
    /// Secret: it may hold a password. `None`: no relay.
    pub smtp_url: Option<SecretString>,
    /// The sender of every mail, e.g. `Taskward <tasks@example.com>`.
    pub from: lettre::message::Mailbox,
    /// How long one handover to the relay may take.
    pub send_timeout: Duration,
    /// Attempts before a temporary refusal counts as failed for good.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles each time, up
    /// to an hour.
    pub retry_base: Duration,
    /// How often the worker looks for mail queued by other instances and
    /// retries that came due.
    pub poll_interval: Duration,
}

/// The sender in development when `MAIL_FROM` is not set.
pub const DEFAULT_MAIL_FROM: &str = "Taskward <taskward@localhost>";

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_MAIL_FROM
                .parse()
                .expect("the default sender is a mailbox"),
            send_timeout: Duration::from_secs(30),
            max_attempts: 8,
            retry_base: Duration::from_secs(60),
            poll_interval: Duration::from_secs(5),
        }
    }
}

pub const DEFAULT_MAX_TODOS_PER_USER: u32 = 100_000;

/// What one instance grants a client: slow or greedy ones get an answer
/// (or a closed connection) in bounded time instead of holding resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// A connection that has not sent a request's headers by then is closed.
    pub header_read_timeout: Duration,
    /// A request whose body has not arrived by then gets 408 and nothing of
    /// it runs; one whose handler has not answered by then gets 503 (the
    /// handler still ends, see `web::lifecycle`).
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Handlers running at once, whether their clients still wait or left
    /// (a handler runs to its end either way, so connections alone do not
    /// bound them); past it a request gets 503 with `Retry-After`.
    pub max_requests_in_flight: usize,
    /// Bytes of request bodies held in memory at once: each is read whole
    /// before its handler runs and kept until the handler ends. Past it a
    /// request gets 503 with `Retry-After`.
    pub request_body_memory: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_requests_in_flight: 1024,
            request_body_memory: DEFAULT_REQUEST_BODY_MEMORY_MIB as usize * 1024 * 1024,
        }
    }
}

/// Room for 16 imports' files at once, or for every connection
/// (`MAX_CONNECTIONS`) sending a form of `REQUEST_BODY_LIMIT`.
pub const DEFAULT_REQUEST_BODY_MEMORY_MIB: u32 = 128;

/// Largest request body accepted; anything bigger is refused with 413
/// before it is read. The largest form is a todo's 10,000 characters of
/// notes and 500 of title: URL-encoded (or `\uXXXX` escaped in JSON) a
/// character outside ASCII costs up to 12 bytes, so 126,000 bytes must fit.
pub const REQUEST_BODY_LIMIT: usize = 128 * 1024;

/// The built site and how it is served. cargo-leptos passes these as
/// `LEPTOS_*` variables; a binary started on its own (tests, production)
/// gets the defaults of `[package.metadata.leptos]` in Cargo.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteConfig {
    pub output_name: String,
    /// Holds the browser bundle (`<site_root>/<pkg_dir>`) and `public/`'s files.
    pub site_root: String,
    pub pkg_dir: String,
    pub reload_port: u32,
    /// A release build of the site (`LEPTOS_ENV=PROD`).
    pub release: bool,
    /// Under `cargo leptos watch`, pages reload over a websocket on another
    /// port, which the Content-Security-Policy must then allow.
    pub live_reload: bool,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            output_name: "taskward".into(),
            site_root: "target/site".into(),
            pkg_dir: "pkg".into(),
            reload_port: 3001,
            release: false,
            live_reload: false,
        }
    }
}

/// Sessions, passwords and rate limits.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Accepted for verification only, so rotating `JWT_SECRET` does not
    /// sign everyone out: sessions signed with it are re-signed on next use.
    pub jwt_secret_previous: Option<SecretString>,
    /// Lifetime of one token; past half of it a request gets a fresh one.
    pub session_ttl: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_max_age: Duration,
    /// `false` only for plain-http development on an address other than
    /// localhost: the cookie then drops `Secure` and the `__Host-` prefix.
    pub cookie_secure: bool,
    /// Proxies whose `X-Forwarded-For` is believed for the client address.
    pub trusted_proxies: Vec<IpAddr>,
    /// Sign-up, sign-in and change-password attempts per client address.
    pub attempts_per_minute_per_address: u32,
    /// Failed sign-ins per account before it is locked for the window.
    pub max_failed_signins: u32,
    pub failed_signin_window: Duration,
    pub password_hashing: PasswordHashing,
    /// Password hashes computed at once; each holds 19 MiB.
    pub hashing_concurrency: usize,
    /// Security events older than this are pruned.
    pub security_log_retention: Duration,
}

/// Argon2id cost. Production always uses [`PasswordHashing::OWASP`];
/// `Application::build` refuses anything else outside development.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordHashing {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl PasswordHashing {
    /// OWASP's recommendation for argon2id: m=19456 KiB, t=2, p=1.
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_secret_previous: None,
            session_ttl: Duration::from_secs(60 * 60),
            session_max_age: Duration::from_secs(7 * 24 * 60 * 60),
            cookie_secure: true,
            trusted_proxies: Vec::new(),
            attempts_per_minute_per_address: 20,
            max_failed_signins: 5,
            failed_signin_window: Duration::from_secs(15 * 60),
            password_hashing: PasswordHashing::OWASP,
            hashing_concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            security_log_retention: Duration::from_secs(90 * 24 * 60 * 60),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field(
                "database",
                &database_kind(self.database_url.expose_secret()),
            )
            .field("database_max_connections", &self.database_max_connections)
            .field("database_acquire_timeout", &self.database_acquire_timeout)
            .field("listen_addr", &self.listen_addr)
            .field("public_origin", &self.public_origin)
            .field("jwt_secret", &self.jwt_secret)
            .field("log_level", &self.log_level)
            .field("log_format", &self.log_format)
            .field("data_dir", &self.data_dir)
            .field("auth", &self.auth)
            .field("limits", &self.limits)
            .field("max_todos_per_user", &self.max_todos_per_user)
            .field("undo_window", &self.undo_window)
            .field("site", &self.site)
            .field("clock", &self.clock)
            .field("mail", &self.mail)
            .field("metrics", &self.metrics)
            .field("reminder_poll_interval", &self.reminder_poll_interval)
            .field("web_push", &self.web_push)
            .finish()
    }
}

/// Names the database type without the rest of the URL (host, password).
fn database_kind(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "postgres"
    } else if url.starts_with("sqlite") {
        "sqlite"
    } else {
        "unknown"
    }
}

pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_DATA_DIR: &str = "data";
pub const DEFAULT_LOG_LEVEL: &str = "info";
pub const DEFAULT_DATABASE_MAX_CONNECTIONS: u32 = 16;
/// File in the data folder that keeps the generated development secret.
/// Where development keeps the signing key it generated, in `DATA_DIR`.
pub const DEV_SECRET_FILE: &str = "dev-jwt-secret";

/// Every variable the app reads, as set, each parsed by its type: envy
/// fills a field from the variable of the same name in capitals. The rules
/// that are policy (positive numbers, secret strength, what production
/// refuses) are checked by hand in [`Config::from_vars`].
#[derive(Debug, Default, Deserialize)]
struct Variables {
    app_env: Option<Environment>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_max_connections: Option<u32>,
    database_acquire_timeout_secs: Option<u32>,
    listen_addr: Option<SocketAddr>,
    public_origin: Option<String>,
    jwt_secret: Option<String>,
    jwt_secret_previous: Option<String>,
    log_level: Option<String>,
    log_format: Option<LogFormat>,
    #[serde(default, deserialize_with = "ip_addresses")]
    trusted_proxies: Vec<IpAddr>,
    session_ttl_secs: Option<u32>,
    session_max_age_secs: Option<u32>,
    #[serde(default, deserialize_with = "yes_or_no")]
    session_cookie_secure: Option<bool>,
    auth_attempts_per_minute: Option<u32>,
    signin_max_failures: Option<u32>,
    signin_failure_window_secs: Option<u32>,
    password_hashing_concurrency: Option<u32>,
    security_log_retention_days: Option<u32>,
    header_read_timeout_secs: Option<u32>,
    request_timeout_secs: Option<u32>,
    max_connections: Option<u32>,
    max_requests_in_flight: Option<u32>,
    request_body_memory_mib: Option<u32>,
    max_todos_per_user: Option<u32>,
    undo_window_secs: Option<u32>,
    leptos_output_name: Option<String>,
    leptos_site_root: Option<String>,
    leptos_site_pkg_dir: Option<String>,
    leptos_reload_port: Option<u32>,
    leptos_env: Option<String>,
    leptos_watch: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    mail_send_timeout_secs: Option<u32>,
    mail_max_attempts: Option<u32>,
    mail_retry_secs: Option<u32>,
    mail_poll_secs: Option<u32>,
    reminder_poll_secs: Option<u32>,
    web_push_allowed_hosts: Option<String>,
    web_push_timeout_secs: Option<u32>,
    metrics_token: Option<String>,
    metrics_addr: Option<SocketAddr>,
}

impl Variables {
    /// Reads `vars`; a variable set to nothing but spaces counts as unset.
    fn read(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .collect();
        envy::from_iter(vars.iter().cloned()).map_err(|error| {
            // envy names the variable only when a number does not parse:
            // find the one it could not read by reading each on its own.
            let name = vars
                .iter()
                .find(|pair| envy::from_iter::<_, Self>([(*pair).clone()]).is_err())
                .map_or_else(|| "the environment".to_owned(), |(name, _)| name.clone());
            ConfigError::Unreadable {
                name,
                reason: error.to_string(),
            }
        })
    }
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Environment::parse(&value).map_err(serde::de::Error::custom)
    }
}

/// `true`, `1`, `yes` or `false`, `0`, `no`, in any case.
fn yes_or_no<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    let value = String::deserialize(deserializer)?;
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(Some(true)),
        "false" | "0" | "no" => Ok(Some(false)),
        other => Err(serde::de::Error::custom(format!(
            "'{other}' is not true or false"
        ))),
    }
}

/// Comma-separated addresses; spaces and empty items are ignored.
fn ip_addresses<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<IpAddr>, D::Error> {
    let list = String::deserialize(deserializer)?;
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            IpAddr::from_str(item)
                .map_err(|_| serde::de::Error::custom(format!("'{item}' is not an IP address")))
        })
        .collect()
}

impl Config {
    /// Reads the process environment. Call `dotenvy::dotenv()` first to
    /// include a `.env` file. Variables that are not UTF-8 are not ours.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    /// Reads settings from `vars` (name, value), so tests can supply their own.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars = Variables::read(vars)?;
        let mail = mail_config(&vars)?;
        let metrics = metrics_config(&vars)?;
        let environment = vars.app_env.unwrap_or(Environment::Development);
        let data_dir = vars.data_dir.unwrap_or_else(|| DEFAULT_DATA_DIR.into());
        let database_url = vars
            .database_url
            .unwrap_or_else(|| default_sqlite_url(&data_dir));
        let listen_addr = vars.listen_addr.unwrap_or_else(|| {
            DEFAULT_LISTEN_ADDR
                .parse()
                .expect("the default listen address parses")
        });
        let public_origin = match vars.public_origin {
            Some(origin) => parse_origin(&origin)?,
            None => format!("http://{listen_addr}"),
        };
        let jwt_secret = match (vars.jwt_secret, environment) {
            (Some(secret), _) => {
                check_secret_strength(&secret)
                    .map_err(|reason| ConfigError::WeakJwtSecret(reason.to_string()))?;
                SecretString::from(secret)
            }
            (None, Environment::Production) => {
                return Err(ConfigError::WeakJwtSecret("it is not set".into()));
            }
            (None, Environment::Development) => development_secret(&data_dir)?,
        };
        let jwt_secret_previous = match vars.jwt_secret_previous {
            Some(secret) => {
                check_secret_strength(&secret).map_err(|reason| ConfigError::Invalid {
                    name: "JWT_SECRET_PREVIOUS",
                    reason: reason.into(),
                })?;
                Some(SecretString::from(secret))
            }
            None => None,
        };

        let defaults = AuthConfig::default();
        let auth = AuthConfig {
            jwt_secret_previous,
            session_ttl: seconds(
                "SESSION_TTL_SECS",
                vars.session_ttl_secs,
                defaults.session_ttl,
            )?,
            session_max_age: seconds(
                "SESSION_MAX_AGE_SECS",
                vars.session_max_age_secs,
                defaults.session_max_age,
            )?,
            cookie_secure: vars.session_cookie_secure.unwrap_or(defaults.cookie_secure),
            trusted_proxies: vars.trusted_proxies,
            attempts_per_minute_per_address: positive(
                "AUTH_ATTEMPTS_PER_MINUTE",
                vars.auth_attempts_per_minute,
                defaults.attempts_per_minute_per_address,
            )?,
            max_failed_signins: positive(
                "SIGNIN_MAX_FAILURES",
                vars.signin_max_failures,
                defaults.max_failed_signins,
            )?,
            failed_signin_window: seconds(
                "SIGNIN_FAILURE_WINDOW_SECS",
                vars.signin_failure_window_secs,
                defaults.failed_signin_window,
            )?,
            password_hashing: PasswordHashing::OWASP,
            hashing_concurrency: positive(
                "PASSWORD_HASHING_CONCURRENCY",
                vars.password_hashing_concurrency,
                defaults.hashing_concurrency as u32,
            )? as usize,
            security_log_retention: Duration::from_secs(
                u64::from(positive(
                    "SECURITY_LOG_RETENTION_DAYS",
                    vars.security_log_retention_days,
                    90,
                )?) * 24
                    * 60
                    * 60,
            ),
        };
        if auth.session_max_age < auth.session_ttl {
            return Err(ConfigError::Invalid {
                name: "SESSION_MAX_AGE_SECS",
                reason: "must not be shorter than SESSION_TTL_SECS".into(),
            });
        }
        if environment == Environment::Production && !auth.cookie_secure {
            return Err(ConfigError::Invalid {
                name: "SESSION_COOKIE_SECURE",
                reason: "must stay true in production: the session cookie would travel over \
                         plain http"
                    .into(),
            });
        }
        let server_defaults = ServerLimits::default();
        let limits = ServerLimits {
            header_read_timeout: seconds(
                "HEADER_READ_TIMEOUT_SECS",
                vars.header_read_timeout_secs,
                server_defaults.header_read_timeout,
            )?,
            request_timeout: seconds(
                "REQUEST_TIMEOUT_SECS",
                vars.request_timeout_secs,
                server_defaults.request_timeout,
            )?,
            max_connections: positive(
                "MAX_CONNECTIONS",
                vars.max_connections,
                server_defaults.max_connections as u32,
            )? as usize,
            max_requests_in_flight: positive(
                "MAX_REQUESTS_IN_FLIGHT",
                vars.max_requests_in_flight,
                server_defaults.max_requests_in_flight as u32,
            )? as usize,
            request_body_memory: (positive(
                "REQUEST_BODY_MEMORY_MIB",
                vars.request_body_memory_mib,
                DEFAULT_REQUEST_BODY_MEMORY_MIB,
            )? as usize)
                .saturating_mul(1024 * 1024),
        };
        let undo_window = seconds(
            "UNDO_WINDOW_SECS",
            vars.undo_window_secs,
            UndoWindow::DEFAULT.0,
        )?;
        if undo_window < UndoWindow::MIN.0 {
            return Err(ConfigError::Invalid {
                name: "UNDO_WINDOW_SECS",
                reason: format!("must be at least {} seconds", UndoWindow::MIN.seconds()),
            });
        }
        let site_defaults = SiteConfig::default();
        let site = SiteConfig {
            output_name: vars.leptos_output_name.unwrap_or(site_defaults.output_name),
            site_root: vars.leptos_site_root.unwrap_or(site_defaults.site_root),
            pkg_dir: vars.leptos_site_pkg_dir.unwrap_or(site_defaults.pkg_dir),
            reload_port: vars.leptos_reload_port.unwrap_or(site_defaults.reload_port),
            release: vars.leptos_env.is_some_and(|env| {
                matches!(
                    env.trim().to_ascii_lowercase().as_str(),
                    "prod" | "production"
                )
            }),
            live_reload: vars.leptos_watch.is_some(),
        };

        Ok(Self {
            mail,
            metrics,
            auth,
            limits,
            database_acquire_timeout: seconds(
                "DATABASE_ACQUIRE_TIMEOUT_SECS",
                vars.database_acquire_timeout_secs,
                Duration::from_secs(5),
            )?,
            max_todos_per_user: positive(
                "MAX_TODOS_PER_USER",
                vars.max_todos_per_user,
                DEFAULT_MAX_TODOS_PER_USER,
            )?,
            undo_window: UndoWindow(undo_window),
            environment,
            database_url: SecretString::from(database_url),
            database_max_connections: positive(
                "DATABASE_MAX_CONNECTIONS",
                vars.database_max_connections,
                DEFAULT_DATABASE_MAX_CONNECTIONS,
            )?,
            listen_addr,
            public_origin,
            jwt_secret,
            log_level: vars.log_level.unwrap_or_else(|| DEFAULT_LOG_LEVEL.into()),
            log_format: vars.log_format.unwrap_or_default(),
            data_dir,
            site,
            clock: Clock::System,
            reminder_poll_interval: seconds(
                "REMINDER_POLL_SECS",
                vars.reminder_poll_secs,
                DEFAULT_REMINDER_POLL,
            )?,
            web_push: WebPushConfig {
                allowed_hosts: parse_push_hosts(
                    vars.web_push_allowed_hosts.as_deref().unwrap_or_default(),
                )
                .map_err(|reason| ConfigError::Invalid {
                    name: "WEB_PUSH_ALLOWED_HOSTS",
                    reason,
                })?,
                timeout: seconds(
                    "WEB_PUSH_TIMEOUT_SECS",
                    vars.web_push_timeout_secs,
                    WebPushConfig::default().timeout,
                )?,
            },
        })
    }
}

/// The metrics settings. The token is a bearer secret like the signing
/// key: as strong, and fit for a header.
fn metrics_config(vars: &Variables) -> Result<MetricsConfig, ConfigError> {
    let token = match &vars.metrics_token {
        None => None,
        Some(token) => {
            let invalid = |reason: &str| ConfigError::Invalid {
                name: "METRICS_TOKEN",
                reason: format!("{reason}; make one with `openssl rand -base64 32`"),
            };
            if token.len() > MAX_METRICS_TOKEN_BYTES {
                return Err(invalid(&format!(
                    "is longer than {MAX_METRICS_TOKEN_BYTES} bytes"
                )));
            }
            if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
                return Err(invalid("may hold only visible ASCII characters, no spaces"));
            }
            check_secret_strength(token)
                .map_err(|reason| invalid(&format!("is weak: {reason}")))?;
            Some(SecretString::from(token.clone()))
        }
    };
    Ok(MetricsConfig {
        token,
        addr: vars.metrics_addr,
    })
}

/// The mail settings: a relay needs a sender of its own; the URL must be
/// one lettre reads (checked now, so a typo stops the start, not the
/// first mail).
fn mail_config(vars: &Variables) -> Result<MailConfig, ConfigError> {
    let defaults = MailConfig::default();
    if let Some(url) = &vars.smtp_url {
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url).map_err(|error| {
            ConfigError::Invalid {
                name: "SMTP_URL",
                reason: format!(
                    "{error} (use smtps://user:password@host:465, \
                     smtp://user:password@host:587?tls=required or smtp://host:25)"
                ),
            }
        })?;
        if vars.mail_from.is_none() {
            return Err(ConfigError::Invalid {
                name: "MAIL_FROM",
                reason: "must be set with SMTP_URL, e.g. \"Taskward <tasks@example.com>\"".into(),
            });
        }
    }
    let from = match &vars.mail_from {
        Some(from) => from.trim().parse().map_err(|_| ConfigError::Invalid {
            name: "MAIL_FROM",
            reason: "is not an address like \"Taskward <tasks@example.com>\"".into(),
        })?,
        None => defaults.from,
    };
    Ok(MailConfig {
        smtp_url: vars.smtp_url.clone().map(SecretString::from),
        from,
        send_timeout: seconds(
            "MAIL_SEND_TIMEOUT_SECS",
            vars.mail_send_timeout_secs,
            defaults.send_timeout,
        )?,
        max_attempts: positive(
            "MAIL_MAX_ATTEMPTS",
            vars.mail_max_attempts,
            defaults.max_attempts,
        )?,
        retry_base: seconds("MAIL_RETRY_SECS", vars.mail_retry_secs, defaults.retry_base)?,
        poll_interval: seconds(
            "MAIL_POLL_SECS",
            vars.mail_poll_secs,
            defaults.poll_interval,
        )?,
    })
}

/// Counts, sizes and durations must be at least 1: a zero would refuse
/// every request or end every session at once.
fn positive(name: &'static str, value: Option<u32>, default: u32) -> Result<u32, ConfigError> {
    match value {
        Some(0) => Err(ConfigError::Invalid {
            name,
            reason: "'0' is not a positive whole number".into(),
        }),
        Some(value) => Ok(value),
        None => Ok(default),
    }
}

fn seconds(
    name: &'static str,
    value: Option<u32>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let default_secs = u32::try_from(default.as_secs()).unwrap_or(u32::MAX);
    positive(name, value, default_secs).map(|secs| Duration::from_secs(secs.into()))
}

pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("taskward.db").display())
}

/// Accepts `scheme://host[:port]` with no path, the form browsers send in
/// the `Origin` header.
fn parse_origin(value: &str) -> Result<String, ConfigError> {
    let origin = value.trim().trim_end_matches('/');
    let invalid = |reason: &str| ConfigError::Invalid {
        name: "PUBLIC_ORIGIN",
        reason: format!("'{value}' {reason} (expected e.g. https://taskward.example)"),
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| invalid("does not start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        return Err(invalid("must be a scheme and host only"));
    }
    Ok(origin.to_ascii_lowercase())
}

/// Estimates the randomness in `secret` from its length and alphabet, so
/// that `changeme...` or a short password cannot sign sessions. A secret of
/// 64 hex digits or 43 base64 characters (32 random bytes) passes.
pub fn check_secret_strength(secret: &str) -> Result<(), &'static str> {
    const REQUIRED_BITS: f64 = 256.0;
    let bytes = secret.as_bytes();
    let distinct = {
        let mut seen = [false; 256];
        bytes.iter().for_each(|b| seen[*b as usize] = true);
        seen.iter().filter(|s| **s).count()
    };
    if distinct < 8 {
        return Err("it repeats too few distinct characters");
    }
    let bits_per_char = if bytes.iter().all(u8::is_ascii_hexdigit) {
        4.0
    } else if bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(b))
    {
        6.0
    } else {
        6.5
    };
    let padding = bytes.iter().filter(|b| **b == b'=').count();
    let bits = (bytes.len() - padding) as f64 * bits_per_char;
    // base64 of 32 bytes is 43 characters (+ padding) = 258 bits of alphabet.
    if bits + 8.0 < REQUIRED_BITS {
        return Err("it is too short");
    }
    Ok(())
}

/// In development, a secret is generated once and kept in the data folder so
/// that sessions survive restarts of `cargo leptos watch`.
fn development_secret(data_dir: &Path) -> Result<SecretString, ConfigError> {
    let path = data_dir.join(DEV_SECRET_FILE);
    let io_error = |source| ConfigError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if check_secret_strength(existing).is_ok() {
            return Ok(SecretString::from(existing));
        }
    }
    std::fs::create_dir_all(data_dir).map_err(io_error)?;
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| io_error(std::io::Error::other(e.to_string())))?;
    let secret: String = random.iter().map(|b| format!("{b:02x}")).collect();
    write_private_file(&path, &secret).map_err(io_error)?;
    Ok(SecretString::from(secret))
}

/// Writes a file readable only by its owner (on Unix).
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn defaults_to_development_on_embedded_sqlite_in_the_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().to_str().unwrap();
        let config = config_from(&[("DATA_DIR", data_dir)]).unwrap();
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(config.listen_addr.to_string(), DEFAULT_LISTEN_ADDR);
        assert_eq!(config.public_origin, "http://127.0.0.1:3000");
        assert!(config.database_url.expose_secret().starts_with("sqlite://"));
        assert!(config.database_url.expose_secret().ends_with("taskward.db"));
    }

    #[test]
    fn development_secret_is_generated_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().to_str().unwrap();
        let first = config_from(&[("DATA_DIR", data_dir)]).unwrap();
        let second = config_from(&[("DATA_DIR", data_dir)]).unwrap();
        assert_eq!(
            first.jwt_secret.expose_secret(),
            second.jwt_secret.expose_secret()
        );
        assert!(check_secret_strength(first.jwt_secret.expose_secret()).is_ok());
    }

    #[test]
    fn production_refuses_to_start_without_a_secret() {
        let error = config_from(&[("APP_ENV", "production")]).unwrap_err();
        assert!(matches!(error, ConfigError::WeakJwtSecret(_)));
    }

    #[test]
    fn production_refuses_a_weak_secret() {
        for weak in [
            "changeme",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "0123456789abcdef0123456789abcdef",
        ] {
            let error =
                config_from(&[("APP_ENV", "production"), ("JWT_SECRET", weak)]).unwrap_err();
            assert!(
                matches!(error, ConfigError::WeakJwtSecret(_)),
                "{weak} was accepted"
            );
        }
    }

    #[test]
    fn production_accepts_32_random_bytes_in_hex_or_base64() {
        let base64 = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        for strong in [STRONG, base64] {
            let config = config_from(&[("APP_ENV", "production"), ("JWT_SECRET", strong)]).unwrap();
            assert_eq!(config.jwt_secret.expose_secret(), strong);
        }
    }

    #[test]
    fn a_metrics_token_must_be_strong_and_fit_a_header() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().to_str().unwrap();
        let long = "Ab1".repeat(MAX_METRICS_TOKEN_BYTES);
        let with_space = format!("{} {}", &STRONG[..32], &STRONG[32..]);
        for refused in [
            "metrics",
            "0123456789abcdef",
            long.as_str(),
            with_space.as_str(),
        ] {
            let error =
                config_from(&[("DATA_DIR", data_dir), ("METRICS_TOKEN", refused)]).unwrap_err();
            assert!(
                matches!(
                    error,
                    ConfigError::Invalid {
                        name: "METRICS_TOKEN",
                        ..
                    }
                ),
                "{refused} was accepted"
            );
        }
        let config = config_from(&[
            ("DATA_DIR", data_dir),
            ("METRICS_TOKEN", STRONG),
            ("METRICS_ADDR", "127.0.0.1:9464"),
        ])
        .unwrap();
        assert_eq!(config.metrics.token.unwrap().expose_secret(), STRONG);
        assert_eq!(config.metrics.addr.unwrap().port(), 9464);
        let unset = config_from(&[("DATA_DIR", data_dir)]).unwrap();
        assert!(unset.metrics.token.is_none() && unset.metrics.addr.is_none());
        let error = config_from(&[("DATA_DIR", data_dir), ("METRICS_ADDR", "9464")]).unwrap_err();
        assert!(error.to_string().contains("METRICS_ADDR"), "{error}");
    }

    #[test]
    fn debug_output_hides_the_secret_and_database_password() {
        let metrics_token = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        let config = config_from(&[
            ("JWT_SECRET", STRONG),
            (
                "DATABASE_URL",
                "postgres://app:hunter2-password@db.example/app?sslmode=require",
            ),
            ("METRICS_TOKEN", metrics_token),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains(STRONG));
        assert!(!printed.contains(metrics_token));
        assert!(!printed.contains("hunter2"));
        assert!(printed.contains("postgres"));
    }

    #[test]
    fn rejects_unknown_environment_and_bad_addresses() {
        assert!(config_from(&[("APP_ENV", "staging"), ("JWT_SECRET", STRONG)]).is_err());
        assert!(config_from(&[("LISTEN_ADDR", "localhost"), ("JWT_SECRET", STRONG)]).is_err());
        assert!(
            config_from(&[
                ("PUBLIC_ORIGIN", "taskward.example"),
                ("JWT_SECRET", STRONG)
            ])
            .is_err()
        );
        assert!(
            config_from(&[
                ("PUBLIC_ORIGIN", "https://x.example/path"),
                ("JWT_SECRET", STRONG)
            ])
            .is_err()
        );
    }

    #[test]
    fn a_value_that_does_not_read_names_its_variable() {
        for (name, value, says) in [
            ("MAX_CONNECTIONS", "many", "many"),
            ("MAX_CONNECTIONS", "0", "positive"),
            ("UNDO_WINDOW_SECS", "-5", "-5"),
            ("LISTEN_ADDR", "localhost", "address"),
            ("TRUSTED_PROXIES", "10.0.0.1, proxy.local", "proxy.local"),
            ("SESSION_COOKIE_SECURE", "maybe", "maybe"),
            ("APP_ENV", "staging", "staging"),
            ("LOG_FORMAT", "xml", "human, json"),
        ] {
            let error = config_from(&[("JWT_SECRET", STRONG), (name, value)])
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with(&format!("{name} is invalid")) && error.contains(says),
                "{name}={value}: {error}"
            );
        }
    }

    #[test]
    fn blank_values_are_unset_and_lists_and_words_are_read_leniently() {
        let config = config_from(&[
            ("JWT_SECRET", STRONG),
            ("APP_ENV", "Production"),
            ("MAX_CONNECTIONS", "  "),
            ("TRUSTED_PROXIES", " 10.0.0.1 , ,::1"),
            ("SESSION_COOKIE_SECURE", "YES"),
        ])
        .unwrap();
        assert_eq!(config.environment, Environment::Production);
        assert_eq!(
            config.limits.max_connections,
            ServerLimits::default().max_connections
        );
        assert_eq!(
            config.auth.trusted_proxies,
            [
                "10.0.0.1".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert!(config.auth.cookie_secure);
    }

    #[test]
    fn public_origin_is_normalised() {
        let config = config_from(&[
            ("PUBLIC_ORIGIN", "https://Taskward.Example/"),
            ("JWT_SECRET", STRONG),
        ])
        .unwrap();
        assert_eq!(config.public_origin, "https://taskward.example");
    }

    #[test]
    fn the_site_settings_come_from_cargo_leptos_or_default_to_its_metadata() {
        let standalone = config_from(&[("JWT_SECRET", STRONG)]).unwrap();
        assert_eq!(standalone.site, SiteConfig::default());

        let watched = config_from(&[
            ("JWT_SECRET", STRONG),
            ("LEPTOS_SITE_ROOT", "/srv/site"),
            ("LEPTOS_ENV", "PROD"),
            ("LEPTOS_WATCH", "ON"),
            ("LEPTOS_RELOAD_PORT", "3101"),
        ])
        .unwrap();
        assert_eq!(watched.site.site_root, "/srv/site");
        assert!(watched.site.release);
        assert!(watched.site.live_reload);
        assert_eq!(watched.site.reload_port, 3101);

        let error = config_from(&[("JWT_SECRET", STRONG), ("LEPTOS_RELOAD_PORT", "x")]);
        assert!(error.is_err());
    }

    #[test]
    fn production_refuses_a_session_cookie_without_secure() {
        let error = config_from(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", STRONG),
            ("SESSION_COOKIE_SECURE", "false"),
        ])
        .unwrap_err();
        assert!(
            error.to_string().contains("SESSION_COOKIE_SECURE"),
            "{error}"
        );
        let development =
            config_from(&[("JWT_SECRET", STRONG), ("SESSION_COOKIE_SECURE", "false")]);
        assert!(!development.unwrap().auth.cookie_secure);
    }
}
