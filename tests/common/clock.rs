//! Time for tests that wait on a minute (reminders): a shifted clock for
//! the app instead of the wall clock's minutes.

use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use taskward::calendar::Clock;

/// A clock for the app that reads `lead` before the next minute that is at
/// least ten minutes away, and that minute: a reminder set for it falls
/// due a moment after the test starts, without waiting for the wall clock.
pub fn just_before_a_minute(lead: Duration) -> (Clock, DateTime<Utc>) {
    let now = Utc::now();
    let minute = (now + TimeDelta::minutes(11))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    let shift = minute - TimeDelta::from_std(lead).unwrap() - now;
    (Clock::Shifted(shift), minute)
}
