//! Typed configuration, read once at start from the environment (and `.env`).
//!
//! Every variable is documented in `.env.example`. Values that are secret
//! ([`Secret`]) never appear in `Debug` output or logs.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

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

/// A value that must not leak: `Debug` prints a placeholder and there is no
/// `Display`. Read it with [`Secret::expose`] where it is really needed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
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
    pub database_url: Secret,
    pub database_max_connections: u32,
    pub listen_addr: SocketAddr,
    /// The origin browsers see, e.g. `https://taskward.example`.
    pub public_origin: String,
    pub jwt_secret: Secret,
    /// A `tracing` filter such as `info` or `info,taskward=debug`.
    pub log_level: String,
    /// Holds the default SQLite database and the development signing secret.
    pub data_dir: PathBuf,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("database", &database_kind(self.database_url.expose()))
            .field("database_max_connections", &self.database_max_connections)
            .field("listen_addr", &self.listen_addr)
            .field("public_origin", &self.public_origin)
            .field("jwt_secret", &self.jwt_secret)
            .field("log_level", &self.log_level)
            .field("data_dir", &self.data_dir)
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
        let database_max_connections = match var("DATABASE_MAX_CONNECTIONS") {
            Some(value) => value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "DATABASE_MAX_CONNECTIONS",
                    reason: format!("'{value}' is not a positive whole number"),
                })?,
            None => DEFAULT_DATABASE_MAX_CONNECTIONS,
        };
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
                Secret::new(secret)
            }
            (None, Environment::Production) => {
                return Err(ConfigError::WeakJwtSecret("it is not set".into()));
            }
            (None, Environment::Development) => development_secret(&data_dir)?,
        };

        Ok(Self {
            environment,
            database_url: Secret::new(database_url),
            database_max_connections,
            listen_addr,
            public_origin,
            jwt_secret,
            log_level: var("LOG_LEVEL").unwrap_or_else(|| DEFAULT_LOG_LEVEL.into()),
            data_dir,
        })
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
fn development_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    let path = data_dir.join(DEV_SECRET_FILE);
    let io_error = |source| ConfigError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if check_secret_strength(existing).is_ok() {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(data_dir).map_err(io_error)?;
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| io_error(std::io::Error::other(e.to_string())))?;
    let secret: String = random.iter().map(|b| format!("{b:02x}")).collect();
    write_private_file(&path, &secret).map_err(io_error)?;
    Ok(Secret::new(secret))
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
        assert!(config.database_url.expose().starts_with("sqlite://"));
        assert!(config.database_url.expose().ends_with("taskward.db"));
    }

    #[test]
    fn development_secret_is_generated_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().to_str().unwrap();
        let first = config_from(&[("DATA_DIR", data_dir)]).unwrap();
        let second = config_from(&[("DATA_DIR", data_dir)]).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert!(check_secret_strength(first.jwt_secret.expose()).is_ok());
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
            assert_eq!(config.jwt_secret.expose(), strong);
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
}
