//! How long work waited for a database connection. sqlx measures each
//! acquisition from its pool but reports it only as a `tracing` event
//! (target `sqlx::pool::acquire`, asked for at TRACE by [`super::Db`]'s
//! pool options); this layer of the process's subscriber turns those
//! events into a histogram. There is one per process, which is one
//! instance outside the tests.

use std::sync::LazyLock;

use prometheus_client::metrics::histogram::Histogram;
use tracing::{
    Event, Level, Subscriber,
    field::{Field, Visit},
};
use tracing_subscriber::{
    Layer,
    filter::{Filtered, Targets},
    layer::Context,
};

use crate::metrics::seconds_histogram;

/// The target of sqlx's acquisition events.
const ACQUIRE_TARGET: &str = "sqlx::pool::acquire";
/// The level sqlx is asked to report every acquisition at: below what a
/// log shows, so only this layer sees them.
pub const ACQUIRE_LEVEL: log::LevelFilter = log::LevelFilter::Trace;
/// The field holding the wait, as sqlx 0.8 spells it.
const WAITED_FIELD: &str = "aquired_after_secs";

static WAITS: LazyLock<Histogram> = LazyLock::new(seconds_histogram);

/// The process's histogram of connection waits, in seconds.
pub fn histogram() -> Histogram {
    WAITS.clone()
}

/// The layer that feeds [`histogram`], seeing sqlx's acquisition events
/// only, whatever `LOG_LEVEL` lets through to the log.
pub fn layer<S>() -> Filtered<PoolWaits, Targets, S>
where
    S: Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    PoolWaits.with_filter(Targets::new().with_target(ACQUIRE_TARGET, Level::TRACE))
}

pub struct PoolWaits;

impl<S: Subscriber> Layer<S> for PoolWaits {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut waited = Waited(None);
        event.record(&mut waited);
        if let Some(seconds) = waited.0 {
            WAITS.observe(seconds);
        }
    }
}

struct Waited(Option<f64>);

impl Visit for Waited {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == WAITED_FIELD {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}
