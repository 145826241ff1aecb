//! Typed configuration, read once at start from the environment (and `.env`).
//!
//! Every variable is documented in `.env.example`. Values that are secret
//! are [`SecretString`]s: they never appear in `Debug` output or logs.
//! Nothing else in the app reads the environment.

use secrecy::{ExposeSecret, SecretString};

use crate::calendar::Clock;
use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

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
    fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Self::Development),
            "production" | "prod" => Ok(Self::Production),
            other => Err(ConfigError::Invalid {
                name: "APP_ENV",
                reason: format!("'{other}' is not one of: development, production"),
            }),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
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

impl SiteConfig {
    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let reload_port = match var("LEPTOS_RELOAD_PORT") {
            Some(port) => port.trim().parse().map_err(|_| ConfigError::Invalid {
                name: "LEPTOS_RELOAD_PORT",
                reason: format!("'{port}' is not a port number"),
            })?,
            None => defaults.reload_port,
        };
        Ok(Self {
            output_name: var("LEPTOS_OUTPUT_NAME").unwrap_or(defaults.output_name),
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or(defaults.site_root),
            pkg_dir: var("LEPTOS_SITE_PKG_DIR").unwrap_or(defaults.pkg_dir),
            reload_port,
            release: var("LEPTOS_ENV").is_some_and(|env| {
                matches!(
                    env.trim().to_ascii_lowercase().as_str(),
                    "prod" | "production"
                )
            }),
            live_reload: var("LEPTOS_WATCH").is_some(),
        })
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
            .field("data_dir", &self.data_dir)
            .field("auth", &self.auth)
            .field("limits", &self.limits)
            .field("max_todos_per_user", &self.max_todos_per_user)
            .field("undo_window", &self.undo_window)
            .field("site", &self.site)
            .field("clock", &self.clock)
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
const DEV_SECRET_FILE: &str = "dev-jwt-secret";

impl Config {
    /// Reads the process environment. Call `dotenvy::dotenv()` first to
    /// include a `.env` file.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let environment = match var("APP_ENV") {
            Some(value) => Environment::parse(&value)?,
            None => Environment::Development,
        };
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| default_sqlite_url(&data_dir));
        let database_max_connections = number(
            &var,
            "DATABASE_MAX_CONNECTIONS",
            DEFAULT_DATABASE_MAX_CONNECTIONS,
        )?;
        let listen_addr_text = var("LISTEN_ADDR").unwrap_or_else(|| DEFAULT_LISTEN_ADDR.into());
        let listen_addr: SocketAddr =
            listen_addr_text
                .trim()
                .parse()
                .map_err(|_| ConfigError::Invalid {
                    name: "LISTEN_ADDR",
                    reason: format!("'{listen_addr_text}' is not an address like 127.0.0.1:3000"),
                })?;
        let public_origin = match var("PUBLIC_ORIGIN") {
            Some(origin) => parse_origin(&origin)?,
            None => format!("http://{listen_addr}"),
        };
        let jwt_secret = match (var("JWT_SECRET"), environment) {
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

        let defaults = AuthConfig::default();
        let jwt_secret_previous = match var("JWT_SECRET_PREVIOUS") {
            Some(secret) => {
                check_secret_strength(&secret).map_err(|reason| ConfigError::Invalid {
                    name: "JWT_SECRET_PREVIOUS",
                    reason: reason.into(),
                })?;
                Some(SecretString::from(secret))
            }
            None => None,
        };
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| {
                    IpAddr::from_str(item).map_err(|_| ConfigError::Invalid {
                        name: "TRUSTED_PROXIES",
                        reason: format!("'{item}' is not an IP address"),
                    })
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let auth = AuthConfig {
            jwt_secret_previous,
            session_ttl: seconds(&var, "SESSION_TTL_SECS", defaults.session_ttl)?,
            session_max_age: seconds(&var, "SESSION_MAX_AGE_SECS", defaults.session_max_age)?,
            cookie_secure: match var("SESSION_COOKIE_SECURE") {
                Some(value) => parse_bool("SESSION_COOKIE_SECURE", &value)?,
                None => defaults.cookie_secure,
            },
            trusted_proxies,
            attempts_per_minute_per_address: number(
                &var,
                "AUTH_ATTEMPTS_PER_MINUTE",
                defaults.attempts_per_minute_per_address,
            )?,
            max_failed_signins: number(&var, "SIGNIN_MAX_FAILURES", defaults.max_failed_signins)?,
            failed_signin_window: seconds(
                &var,
                "SIGNIN_FAILURE_WINDOW_SECS",
                defaults.failed_signin_window,
            )?,
            password_hashing: PasswordHashing::OWASP,
            hashing_concurrency: number(
                &var,
                "PASSWORD_HASHING_CONCURRENCY",
                defaults.hashing_concurrency as u32,
            )? as usize,
            security_log_retention: Duration::from_secs(
                u64::from(number(&var, "SECURITY_LOG_RETENTION_DAYS", 90)?) * 24 * 60 * 60,
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
                &var,
                "HEADER_READ_TIMEOUT_SECS",
                server_defaults.header_read_timeout,
            )?,
            request_timeout: seconds(
                &var,
                "REQUEST_TIMEOUT_SECS",
                server_defaults.request_timeout,
            )?,
            max_connections: number(
                &var,
                "MAX_CONNECTIONS",
                server_defaults.max_connections as u32,
            )? as usize,
            max_requests_in_flight: number(
                &var,
                "MAX_REQUESTS_IN_FLIGHT",
                server_defaults.max_requests_in_flight as u32,
            )? as usize,
            request_body_memory: (number(
                &var,
                "REQUEST_BODY_MEMORY_MIB",
                DEFAULT_REQUEST_BODY_MEMORY_MIB,
            )? as usize)
                .saturating_mul(1024 * 1024),
        };
        let max_todos_per_user = number(&var, "MAX_TODOS_PER_USER", DEFAULT_MAX_TODOS_PER_USER)?;
        let undo_window = seconds(&var, "UNDO_WINDOW_SECS", UndoWindow::DEFAULT.0)?;
        if undo_window < UndoWindow::MIN.0 {
            return Err(ConfigError::Invalid {
                name: "UNDO_WINDOW_SECS",
                reason: format!("must be at least {} seconds", UndoWindow::MIN.seconds()),
            });
        }

        let database_acquire_timeout = seconds(
            &var,
            "DATABASE_ACQUIRE_TIMEOUT_SECS",
            Duration::from_secs(5),
        )?;
        Ok(Self {
            auth,
            limits,
            database_acquire_timeout,
            max_todos_per_user,
            undo_window: UndoWindow(undo_window),
            environment,
            database_url: SecretString::from(database_url),
            database_max_connections,
            listen_addr,
            public_origin,
            jwt_secret,
            log_level: var("LOG_LEVEL").unwrap_or_else(|| DEFAULT_LOG_LEVEL.into()),
            data_dir,
            site: SiteConfig::from_lookup(var)?,
            clock: Clock::System,
        })
    }
}

fn number(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
) -> Result<u32, ConfigError> {
    match var(name) {
        Some(value) => value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ConfigError::Invalid {
                name,
                reason: format!("'{value}' is not a positive whole number"),
            }),
        None => Ok(default),
    }
}

fn seconds(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let default_secs = u32::try_from(default.as_secs()).unwrap_or(u32::MAX);
    number(var, name, default_secs).map(|secs| Duration::from_secs(secs.into()))
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(ConfigError::Invalid {
            name,
            reason: format!("'{other}' is not true or false"),
        }),
    }
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
    use std::collections::HashMap;

    const STRONG: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
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
    fn debug_output_hides_the_secret_and_database_password() {
        let config = config_from(&[
            ("JWT_SECRET", STRONG),
            (
                "DATABASE_URL",
                "postgres://app:hunter2-password@db.example/app?sslmode=require",
            ),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains(STRONG));
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
