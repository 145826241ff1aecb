//! Structured logs with `tracing`. The level comes from `LOG_LEVEL`, the
//! format from `LOG_FORMAT`: lines for a person (the default), or one JSON
//! object a line for a log collector. Request spans carry method, path,
//! route template, request id and, once the session is known, the user's
//! id; never headers, query strings or bodies, which may hold passwords or
//! tokens.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// Installs the global subscriber. Falls back to `info` (with a warning)
/// when the filter does not parse, rather than refusing to start. Beside
/// the log, the subscriber feeds the database's connection waits into
/// their metric ([`crate::db::pool_waits`]); the level filters the log
/// only, so that layer sees its events at any level.
pub fn init(log_level: &str, format: LogFormat) {
    let (filter, invalid) = match EnvFilter::try_new(log_level) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let registry = tracing_subscriber::registry().with(crate::db::pool_waits::layer());
    let _ = match format {
        LogFormat::Human => registry
            .with(fmt::layer().with_target(false).with_filter(filter))
            .try_init(),
        // `{"timestamp", "level", "message", <the event's fields>, "span":
        // {<the request's fields>}}`: the request span's fields (request
        // id, route, user) stand beside every event logged inside it.
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_target(false)
                    .with_filter(filter),
            )
            .try_init(),
    };
    if let Some(error) = invalid {
        tracing::warn!(%error, "LOG_LEVEL could not be parsed; logging at info");
    }
}

/// The subscriber without a log, for a process that runs instances but
/// shows no log (the tests): their metrics are complete. Does nothing when
/// a subscriber is already installed.
pub fn init_metrics_only() {
    let _ = tracing_subscriber::registry()
        .with(crate::db::pool_waits::layer())
        .try_init();
}
