//! The delivery loop every instance runs: claim due mails, hand each to
//! the relay, record the outcome; then sleep until a mail is queued here,
//! the poll interval passes (mail queued by another instance, retries
//! coming due) or the instance stops.

use chrono::TimeDelta;
use futures::StreamExt as _;
use tokio::sync::watch;

use super::{
    Delivery, Mailer,
    store::{self, ClaimedMail, Outcome},
    transport::Handover,
};
use crate::db::Db;

/// Mails claimed at once, and how many of them are handed to the relay at
/// once (over the transport's pool of connections): a burst of reminders
/// goes out at the relay's pace, not one round trip after another.
const CLAIM_BATCH: i64 = 64;
const SENDS_AT_ONCE: usize = 8;

/// Runs until `stop` turns true. The mails being handed over when it does
/// are finished first; the rest of their batch is given back.
pub async fn run(db: Db, mailer: Mailer, mut stop: watch::Receiver<bool>) {
    if matches!(mailer.delivery(), Delivery::Off) {
        return;
    }
    let settings = mailer.settings().clone();
    // The lease covers a whole batch at its slowest, with a margin.
    let rounds = (CLAIM_BATCH as u32).div_ceil(SENDS_AT_ONCE as u32) + 1;
    let lease = TimeDelta::from_std(settings.send_timeout * rounds)
        .unwrap_or(TimeDelta::minutes(10))
        + TimeDelta::seconds(30);
    loop {
        loop {
            let batch = match store::claim_due(&db, crate::db::now(), lease, CLAIM_BATCH).await {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::warn!(%error, "could not claim mail to send");
                    break;
                }
            };
            if batch.is_empty() {
                break;
            }
            let claimed = batch.len();
            let sends = batch.into_iter().map(|mail| {
                let (mailer, stop) = (mailer.clone(), stop.clone());
                async move {
                    if *stop.borrow() {
                        return (mail.id, None);
                    }
                    let outcome = attempt(&mailer, &mail).await;
                    (mail.id, Some(outcome))
                }
            });
            let results: Vec<(i64, Option<Outcome>)> = futures::stream::iter(sends)
                .buffer_unordered(SENDS_AT_ONCE)
                .collect()
                .await;
            let mut untried = Vec::new();
            let mut outcomes = Vec::with_capacity(results.len());
            for (id, outcome) in results {
                match outcome {
                    Some(outcome) => {
                        mailer.metrics().count(&outcome);
                        outcomes.push((id, outcome));
                    }
                    None => untried.push(id),
                }
            }
            if let Err(error) = store::record_all(&db, &outcomes, crate::db::now()).await {
                tracing::warn!(%error, mails = outcomes.len(), "could not record mail deliveries");
            }
            if !untried.is_empty() {
                if let Err(error) = store::release(&db, &untried).await {
                    tracing::warn!(%error, "could not give back claimed mail");
                }
                return;
            }
            if claimed < CLAIM_BATCH as usize {
                break;
            }
        }
        tokio::select! {
            () = mailer.queued() => {}
            () = tokio::time::sleep(settings.poll_interval) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One attempt at `mail`, and what to record of it.
async fn attempt(mailer: &Mailer, mail: &ClaimedMail) -> Outcome {
    let settings = mailer.settings();
    let transport = match mailer.delivery() {
        Delivery::Smtp { transport, .. } => transport,
        Delivery::Kept => {
            // The address and subject only: the body may hold a secret link.
            tracing::info!(
                mail = mail.id,
                to = %mail.recipient,
                subject = %mail.subject,
                "no SMTP_URL: mail kept, see /dev/mail"
            );
            return Outcome::Kept;
        }
        // `run` returns at once without delivery; should a mail get here,
        // it waits for an instance that has a relay.
        Delivery::Off => {
            return Outcome::RetryAt {
                retry_at: crate::db::now() + MAX_BACKOFF,
                error: "mail is off on this instance (no SMTP_URL)".into(),
            };
        }
    };
    match mailer.hand_over(transport, mail).await {
        Handover::Accepted => {
            tracing::info!(mail = mail.id, attempts = mail.attempts, "mail sent");
            Outcome::Sent
        }
        Handover::Permanent(error) => {
            tracing::warn!(mail = mail.id, attempts = mail.attempts, %error, "mail refused for good");
            Outcome::Failed { error }
        }
        Handover::Temporary(error) if mail.attempts >= settings.max_attempts as i32 => {
            tracing::warn!(mail = mail.id, attempts = mail.attempts, %error, "mail out of attempts");
            Outcome::Failed {
                error: format!("{error} (gave up after {} attempts)", mail.attempts),
            }
        }
        Handover::Temporary(error) => {
            let wait = backoff(settings.retry_base, mail.attempts);
            tracing::warn!(
                mail = mail.id,
                attempts = mail.attempts,
                retry_in_secs = wait.num_seconds(),
                %error,
                "mail not sent yet, will retry"
            );
            Outcome::RetryAt {
                retry_at: crate::db::now() + wait,
                error,
            }
        }
    }
}

/// The longest wait between two attempts.
const MAX_BACKOFF: TimeDelta = TimeDelta::hours(1);

/// How long to wait after the `attempts`-th attempt failed: `base`, then
/// doubling, at most an hour.
pub fn backoff(base: std::time::Duration, attempts: i32) -> TimeDelta {
    let base = TimeDelta::from_std(base).unwrap_or(MAX_BACKOFF);
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    base.checked_mul(1 << doublings.min(20))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_an_hour() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 1), TimeDelta::minutes(1));
        assert_eq!(backoff(base, 2), TimeDelta::minutes(2));
        assert_eq!(backoff(base, 4), TimeDelta::minutes(8));
        assert_eq!(backoff(base, 8), TimeDelta::hours(1));
    }

    proptest! {
        #[test]
        fn backoff_never_overflows_or_shrinks(base_ms in 0u64..=u64::MAX / 2, attempts in any::<i32>()) {
            let base = Duration::from_millis(base_ms);
            let wait = backoff(base, attempts);
            prop_assert!(wait <= MAX_BACKOFF);
            prop_assert!(wait >= TimeDelta::zero());
            prop_assert!(backoff(base, attempts.saturating_add(1)) >= wait);
        }
    }
}
