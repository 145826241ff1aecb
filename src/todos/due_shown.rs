//! A due date as a page shows it: named relative to the user's today.

use chrono::{Datelike, NaiveDate};

use super::DueShown;
use crate::calendar::{Due, day_heading};

impl DueShown {
    /// How a page shows `due` on `today`: "Today 15:00", "Tomorrow",
    /// "Saturday", "Mon 14 Dec", "14 Dec 2027"; overdue when the day has
    /// passed and the todo is still open.
    pub fn of(due: Due, today: NaiveDate, completed: bool) -> Self {
        let days = (due.date - today).num_days();
        let day = match days {
            0 => "Today".to_owned(),
            1 => "Tomorrow".to_owned(),
            -1 => "Yesterday".to_owned(),
            2..=6 => due.date.format("%A").to_string(),
            _ if due.date.year() == today.year() => due.date.format("%a %-d %b").to_string(),
            _ => due.date.format("%-d %b %Y").to_string(),
        };
        let time = due.time.map(|time| time.format("%H:%M").to_string());
        let heading = match days {
            0 => format!("Today, {}", day_heading(due.date)),
            1 => format!("Tomorrow, {}", day_heading(due.date)),
            _ => day_heading(due.date),
        };
        DueShown {
            date: due.date.format("%Y-%m-%d").to_string(),
            heading,
            label: match &time {
                Some(time) => format!("{day} {time}"),
                None => day,
            },
            time,
            overdue: days < 0 && !completed,
            today: days == 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_named_from_today_and_overdue_only_while_open() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let shown = |text: &str, completed| {
            DueShown::of(Due::from_form(text, "").unwrap().unwrap(), today, completed)
        };
        assert_eq!(shown("2026-12-03", false).label, "Today");
        assert!(shown("2026-12-03", false).today);
        assert_eq!(shown("2026-12-04", false).label, "Tomorrow");
        assert_eq!(
            shown("2026-12-04", false).heading,
            "Tomorrow, Friday 4 December"
        );
        assert_eq!(shown("2026-12-02", false).label, "Yesterday");
        assert!(shown("2026-12-02", false).overdue);
        assert!(!shown("2026-12-02", true).overdue);
        assert_eq!(shown("2026-12-07", false).label, "Monday");
        assert_eq!(shown("2026-12-24", false).label, "Thu 24 Dec");
        assert_eq!(shown("2027-01-05", false).label, "5 Jan 2027");
        let timed = Due::from_form("2026-12-03", "15:00").unwrap().unwrap();
        assert_eq!(DueShown::of(timed, today, false).label, "Today 15:00");
    }
}
