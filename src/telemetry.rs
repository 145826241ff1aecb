//! Structured logs with `tracing`. The level comes from `LOG_LEVEL`.
//! Request spans carry method, path and request id; never headers, query
//! strings or bodies, which may hold passwords or tokens.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the global subscriber. Falls back to `info` (with a warning)
/// when the filter does not parse, rather than refusing to start.
pub fn init(log_level: &str) {
    let (filter, invalid) = match EnvFilter::try_new(log_level) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_target(false))
        .try_init();
    if let Some(error) = invalid {
        tracing::warn!(%error, "LOG_LEVEL could not be parsed; logging at info");
    }
}
