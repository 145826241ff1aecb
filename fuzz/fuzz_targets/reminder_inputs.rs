//! What reminders read from outside: a CSV cell of minutes, a form's
//! reminder choice, a time of day, a stored list; and the instant a
//! reminder falls due for any due date, minutes and time of day. Whatever
//! the bytes: no panic; what is read is within the limits (at most 5
//! reminders, each 0 to 40,320 minutes, in order, each once) and reads
//! back the same; a time of day is a minute of the day.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskward::{
    calendar::{Due, TimeZone},
    reminders::{
        MAX_BEFORE_MINUTES, MAX_REMINDERS_PER_TODO, ReminderSettings, Reminders,
        schedule::{UserClock, remind_at},
    },
};

fn within_limits(reminders: &Reminders) {
    let minutes = reminders.minutes();
    assert!(minutes.len() <= MAX_REMINDERS_PER_TODO);
    assert!(minutes.iter().all(|before| *before <= MAX_BEFORE_MINUTES));
    assert!(minutes.windows(2).all(|pair| pair[0] < pair[1]), "{minutes:?}");
    assert_eq!(&Reminders::from_stored(reminders.to_stored().as_deref()), reminders);
    assert_eq!(&Reminders::read_text(&reminders.minutes_text()).unwrap(), reminders);
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(reminders) = Reminders::read_text(&text) {
        within_limits(&reminders);
    }
    if let Ok(Some(reminders)) = Reminders::asked(Some(&text)) {
        within_limits(&reminders);
    }
    within_limits(&Reminders::from_stored(Some(&text)));
    if let Ok(minutes) = ReminderSettings::parse_day_time(&text) {
        assert!(minutes < 24 * 60);
    }

    // The arithmetic: any day from year 1 to 9999, any minutes before.
    if data.len() >= 10 {
        let days = u32::from_le_bytes([data[0], data[1], data[2], 0]) % 3_652_059;
        let minute = u32::from(u16::from_le_bytes([data[3], data[4]])) % 1440;
        let before = u32::from_le_bytes([data[5], data[6], data[7], 0]) % (MAX_BEFORE_MINUTES + 1);
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati"];
        let zone = TimeZone::parse(zones[usize::from(data[8]) % zones.len()]).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days.into());
        let time = (data[9] % 2 == 0)
            .then(|| chrono::NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0))
            .flatten();
        let clock = UserClock {
            zone,
            day_minutes: minute,
        };
        let at = remind_at(Due { date, time }, before, clock);
        let at_due = remind_at(Due { date, time }, 0, clock);
        assert!(at <= at_due + chrono::TimeDelta::hours(1));
    }
});
