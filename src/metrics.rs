//! What an instance measures of itself, for `GET /metrics`
//! ([`crate::web`] serves it). Each concern owns its instruments (the
//! hasher its queue, the budgets their refusals, the mailer its sends) and
//! registers them in the instance's [`Registry`] at start: one registry per
//! instance, so two instances in one process (the tests) count apart.
//!
//! Every label value comes from a fixed set (a route template, a method,
//! a status class, a budget's name): never an id, an address or a token,
//! so the number of series cannot grow with what clients send.

use std::fmt;

use prometheus_client::{
    encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder},
    metrics::{MetricType, counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
};

pub use prometheus_client::registry::Registry;

/// The histogram buckets of a duration, in seconds: 1 ms to 10 s, where a
/// request, a connection wait or a password hash falls.
pub const SECONDS_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A histogram of durations with [`SECONDS_BUCKETS`].
pub fn seconds_histogram() -> Histogram {
    Histogram::new(SECONDS_BUCKETS)
}

/// A gauge whose value is read when the registry is encoded: for what the
/// instance already knows (a pool's size, the page cache's bytes), so that
/// no request pays to keep a copy of it current.
pub struct ReadOnScrape<F>(pub F);

impl<F> fmt::Debug for ReadOnScrape<F> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ReadOnScrape")
    }
}

impl<F: Fn() -> i64 + Send + Sync + 'static> EncodeMetric for ReadOnScrape<F> {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), fmt::Error> {
        encoder.encode_gauge(&(self.0)())
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Gauge
    }
}

/// One unit of a gauge while it is held: raised when made, lowered when
/// dropped, so a future that is cancelled (its client gone) still leaves
/// the count right.
pub struct Held<'a>(&'a Gauge);

impl<'a> Held<'a> {
    pub fn enter(gauge: &'a Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The label set of a refusal: which budget or bound was spent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RefusalLabels {
    pub budget: &'static str,
}

/// Requests refused with 429, counted by what was spent: the attempt
/// budgets ([`crate::auth::attempts`]) and the export slots
/// ([`crate::transfer::stream`]) add to one family.
pub type Refusals = Family<RefusalLabels, Counter>;
