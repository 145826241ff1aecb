//! What the mail component tells `/metrics`: sends by outcome, counted by
//! the worker as it records them, and the outbox's backlog (queued mails
//! and the age of the oldest), read from the database when scraped, since
//! every instance's worker drains the one queue.

use std::sync::atomic::AtomicU64;

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
};

use super::store::{self, Outcome};
use crate::{db::Db, metrics::Registry};

/// The label of each [`Outcome`].
const OUTCOMES: [&str; 4] = ["sent", "kept", "retry", "failed"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SendLabels {
    outcome: &'static str,
}

#[derive(Clone, Default)]
pub struct MailMetrics {
    sends: Family<SendLabels, Counter>,
    queued: Gauge,
    oldest_queued_seconds: Gauge<f64, AtomicU64>,
}

impl MailMetrics {
    pub fn register(&self, registry: &mut Registry) {
        // Every outcome's count is shown from the start, at 0.
        for outcome in OUTCOMES {
            let _ = self.sends.get_or_create(&SendLabels { outcome });
        }
        registry.register(
            "sends",
            "Attempts to hand a mail over, by outcome: sent, kept (no relay, shown at \
             /dev/mail), retry (refused for now) or failed (for good)",
            self.sends.clone(),
        );
        registry.register(
            "outbox_queued",
            "Mails in the outbox waiting to be sent, from every instance",
            self.queued.clone(),
        );
        registry.register(
            "outbox_oldest_queued_age_seconds",
            "How long the oldest mail still waiting has been in the outbox",
            self.oldest_queued_seconds.clone(),
        );
    }

    /// Counts one attempt's outcome.
    pub(super) fn count(&self, outcome: &Outcome) {
        let outcome = match outcome {
            Outcome::Sent => OUTCOMES[0],
            Outcome::Kept => OUTCOMES[1],
            Outcome::RetryAt { .. } => OUTCOMES[2],
            Outcome::Failed { .. } => OUTCOMES[3],
        };
        self.sends.get_or_create(&SendLabels { outcome }).inc();
    }

    /// Reads the backlog, before a scrape. On a database error the last
    /// figures stay (and the error is logged): the rest of the scrape is
    /// still worth having.
    pub async fn refresh(&self, db: &Db) {
        let now = crate::db::now();
        match store::backlog(db).await {
            Ok((queued, oldest)) => {
                self.queued.set(queued);
                let age = oldest.map_or(0.0, |created_at| {
                    (now - created_at).num_milliseconds().max(0) as f64 / 1000.0
                });
                self.oldest_queued_seconds.set(age);
            }
            Err(error) => tracing::warn!(%error, "could not read the mail outbox's backlog"),
        }
    }
}
