//! Attempts per client address, counted in this instance's memory. (Failed
//! sign-ins per account are counted in the database instead, so every
//! instance behind a load balancer shares that count: see `service`.)

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many tracked addresses, stale windows are swept out.
const SWEEP_THRESHOLD: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    SignUp,
    SignIn,
    ChangePassword,
}

/// A fixed one-minute window per (action, address).
pub struct AddressRateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<(Action, IpAddr), (Instant, u32)>>,
}

impl AddressRateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt; refuses it with the seconds to wait when the
    /// address has used up its window.
    pub fn check(&self, action: Action, address: IpAddr) -> Result<(), AppError> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_THRESHOLD {
            windows.retain(|_, (started, _)| now.duration_since(*started) < WINDOW);
        }
        let (started, count) = windows.entry((action, address)).or_insert((now, 0));
        if now.duration_since(*started) >= WINDOW {
            *started = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            let wait = WINDOW.saturating_sub(now.duration_since(*started));
            return Err(AppError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_quota_per_action_then_a_retry_time() {
        let limiter = AddressRateLimiter::new(2);
        let address: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(limiter.check(Action::SignIn, address).is_ok());
        assert!(limiter.check(Action::SignIn, address).is_ok());
        let Err(AppError::RateLimited { retry_after_secs }) =
            limiter.check(Action::SignIn, address)
        else {
            panic!("third attempt must be limited");
        };
        assert!((1..=60).contains(&retry_after_secs));
        assert!(
            limiter.check(Action::SignUp, address).is_ok(),
            "separate per action"
        );
        assert!(
            limiter
                .check(Action::SignIn, "203.0.113.10".parse().unwrap())
                .is_ok()
        );
    }
}
