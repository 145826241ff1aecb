//! When reminders fall due, and `reminder_schedule`, which this module
//! owns: one row per reminder of an open todo with a due date. The todo
//! store calls [`sync`] (or [`resync_user`]) in the transaction that
//! changes a todo's date, reminders or completion, so the schedule never
//! disagrees with the todos it was made from; the worker claims due rows
//! with [`claim_due`].

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use sqlx::{QueryBuilder, Transaction};
use uuid::Uuid;

use super::{DEFAULT_DAY_MINUTES, Reminders};
use crate::{
    calendar::{Due, TimeZone},
    db::{Bind, Engine},
};

/// Rows one INSERT writes: 4 parameters each, well inside SQLite's 32,766.
const ROWS_PER_INSERT: usize = 5_000;
/// Ids one `IN (…)` lists.
const IDS_PER_STATEMENT: usize = 5_000;

/// How a user's reminders are timed: their zone, and the time of day a
/// todo due on a day without a time reminds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserClock {
    pub zone: TimeZone,
    pub day_minutes: u32,
}

/// The instant a reminder `before` minutes before `due` falls due. The
/// minutes count back on the user's wall clock, so "1 day before" a 09:00
/// todo is 09:00 the day before, across a daylight-saving change too.
pub fn remind_at(due: Due, before: u32, clock: UserClock) -> DateTime<Utc> {
    let day_time =
        NaiveTime::from_num_seconds_from_midnight_opt(clock.day_minutes.min(1439) * 60, 0)
            .unwrap_or(NaiveTime::MIN);
    let at_due: NaiveDateTime = due.date.and_time(due.time.unwrap_or(day_time));
    let local = at_due
        .checked_sub_signed(TimeDelta::minutes(i64::from(before)))
        .unwrap_or(at_due);
    clock.zone.utc_of(local)
}

/// A todo as the schedule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    pub id: Uuid,
    pub due: Option<Due>,
    pub reminders: Reminders,
    pub completed: bool,
}

impl Timed {
    fn reminds(&self) -> bool {
        !self.completed && self.due.is_some() && !self.reminders.is_empty()
    }

    /// Its reminders' rows as they should be.
    fn wanted(&self, clock: UserClock) -> impl Iterator<Item = (Uuid, i32, DateTime<Utc>)> + '_ {
        let due = self.due.filter(|_| self.reminds());
        due.into_iter().flat_map(move |due| {
            self.reminders
                .minutes()
                .iter()
                .map(move |&before| (self.id, before as i32, remind_at(due, before, clock)))
        })
    }
}

/// The user's clock, read in the caller's transaction.
pub async fn user_clock<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
) -> Result<UserClock, sqlx::Error> {
    let mut query = QueryBuilder::new(
        "SELECT u.time_zone, s.day_minutes FROM users u \
         LEFT JOIN reminder_settings s ON s.user_id = u.id WHERE u.id = ",
    );
    query.bind(user_id);
    let row: Option<(String, Option<i32>)> = DB::fetch_optional(tx, query).await?;
    let (zone, day_minutes) = row.unwrap_or_else(|| ("UTC".to_owned(), None));
    Ok(UserClock {
        zone: TimeZone::from_stored(&zone),
        day_minutes: day_minutes
            .and_then(|minutes| u32::try_from(minutes).ok())
            .unwrap_or(DEFAULT_DAY_MINUTES),
    })
}

/// A row of the schedule.
type Row = (i64, Uuid, i32, DateTime<Utc>);

/// In the caller's transaction, brings the schedule of the user's
/// `todos` in step with them as they are now. `fresh`: they were just
/// made, so they have no rows yet. A reminder whose instant is still to
/// come gets a row; one already fired keeps its row (so it never fires
/// twice); one whose instant passed before it was set is not made (a todo
/// added at 10:00 "remind me an hour before 10:30" does not remind late).
pub async fn sync<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    todos: &[Timed],
    fresh: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if todos.is_empty() || (fresh && !todos.iter().any(Timed::reminds)) {
        return Ok(());
    }
    let clock = user_clock(tx, user_id).await?;
    let wanted: Vec<(Uuid, i32, DateTime<Utc>)> =
        todos.iter().flat_map(|todo| todo.wanted(clock)).collect();
    let mut existing: Vec<Row> = Vec::new();
    if !fresh {
        for chunk in todos.chunks(IDS_PER_STATEMENT) {
            let mut query = QueryBuilder::new(
                "SELECT id, todo_id, before_minutes, remind_at FROM reminder_schedule \
                 WHERE user_id = ",
            );
            query.bind(user_id).push(" AND todo_id IN (");
            push_ids(&mut query, chunk.iter().map(|todo| todo.id));
            query.push(")");
            existing.extend(DB::fetch_all::<Row>(tx, query).await?);
        }
    }
    replace(tx, user_id, existing, wanted, now).await
}

/// In the caller's transaction, brings the whole schedule of the user in
/// step with their todos: after a change of zone or reminder time, an
/// undo, or marking every todo done or not done.
pub async fn resync_user<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let clock = user_clock(tx, user_id).await?;
    let mut query =
        QueryBuilder::new("SELECT id, due_date, due_time, reminders FROM todos WHERE user_id = ");
    query
        .bind(user_id)
        .push(" AND completed = FALSE AND due_date IS NOT NULL AND reminders IS NOT NULL");
    type TodoRow = (Uuid, chrono::NaiveDate, Option<NaiveTime>, Option<String>);
    let todos: Vec<TodoRow> = DB::fetch_all(tx, query).await?;
    let wanted: Vec<(Uuid, i32, DateTime<Utc>)> = todos
        .into_iter()
        .flat_map(|(id, date, time, reminders)| {
            Timed {
                id,
                due: Some(Due { date, time }),
                reminders: Reminders::from_stored(reminders.as_deref()),
                completed: false,
            }
            .wanted(clock)
            .collect::<Vec<_>>()
        })
        .collect();
    let mut query = QueryBuilder::new(
        "SELECT id, todo_id, before_minutes, remind_at FROM reminder_schedule WHERE user_id = ",
    );
    query.bind(user_id);
    let existing: Vec<Row> = DB::fetch_all(tx, query).await?;
    replace(tx, user_id, existing, wanted, now).await
}

/// Deletes the `existing` rows not `wanted` and adds the `wanted` ones
/// missing whose instant is still to come.
async fn replace<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    user_id: Uuid,
    existing: Vec<Row>,
    wanted: Vec<(Uuid, i32, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let wanted_keys: HashSet<(Uuid, i32, DateTime<Utc>)> = wanted.iter().copied().collect();
    let existing_keys: HashSet<(Uuid, i32, DateTime<Utc>)> = existing
        .iter()
        .map(|&(_, todo, before, at)| (todo, before, at))
        .collect();
    let stale: Vec<i64> = existing
        .iter()
        .filter(|&&(_, todo, before, at)| !wanted_keys.contains(&(todo, before, at)))
        .map(|&(id, ..)| id)
        .collect();
    for chunk in stale.chunks(IDS_PER_STATEMENT) {
        let mut delete = QueryBuilder::new("DELETE FROM reminder_schedule WHERE id IN (");
        for (index, id) in chunk.iter().enumerate() {
            if index > 0 {
                delete.push(", ");
            }
            delete.bind(*id);
        }
        delete.push(")");
        DB::execute(tx, delete).await?;
    }
    let missing: Vec<(Uuid, i32, DateTime<Utc>)> = wanted
        .into_iter()
        .filter(|key| !existing_keys.contains(key) && key.2 > now)
        .collect();
    for chunk in missing.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::new(
            "INSERT INTO reminder_schedule (todo_id, user_id, before_minutes, remind_at) VALUES ",
        );
        for (index, (todo, before, at)) in chunk.iter().enumerate() {
            insert
                .push(if index == 0 { "(" } else { ", (" })
                .bind(*todo)
                .and_bind(user_id)
                .and_bind(*before)
                .and_bind(*at)
                .push(")");
        }
        insert.push(" ON CONFLICT DO NOTHING");
        DB::execute(tx, insert).await?;
    }
    Ok(())
}

fn push_ids<'q, DB: Engine>(query: &mut QueryBuilder<'q, DB>, ids: impl Iterator<Item = Uuid>) {
    for (index, id) in ids.enumerate() {
        if index > 0 {
            query.push(", ");
        }
        query.bind(id);
    }
}

/// A reminder the worker is to deliver now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueReminder {
    pub id: i64,
    pub todo_id: Uuid,
    pub user_id: Uuid,
    pub before_minutes: i32,
    pub remind_at: DateTime<Utc>,
}

/// In the caller's write transaction, claims up to `limit` reminders due
/// by `now` and marks them fired: once this transaction commits, no
/// instance fires them again; should it roll back, they stay due. Rows
/// another instance is claiming are skipped, not waited for.
pub async fn claim_due<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueReminder>, sqlx::Error> {
    let mut due = QueryBuilder::new(
        "SELECT id, todo_id, user_id, before_minutes, remind_at FROM reminder_schedule \
         WHERE fired_at IS NULL AND remind_at <= ",
    );
    due.bind(now)
        .push(" ORDER BY remind_at, id LIMIT ")
        .bind(limit)
        .push(DB::FOR_UPDATE_SKIP_LOCKED);
    let claimed: Vec<DueReminder> = DB::fetch_all(tx, due).await?;
    for chunk in claimed.chunks(IDS_PER_STATEMENT) {
        let mut fire = QueryBuilder::new("UPDATE reminder_schedule SET fired_at = ");
        fire.bind(now).push(" WHERE id IN (");
        for (index, reminder) in chunk.iter().enumerate() {
            if index > 0 {
                fire.push(", ");
            }
            fire.bind(reminder.id);
        }
        fire.push(")");
        DB::execute(tx, fire).await?;
    }
    Ok(claimed)
}

/// When the next reminder falls due, if any is waiting: the worker
/// sleeps until then.
pub async fn next_due<DB: Engine>(
    tx: &mut Transaction<'_, DB>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let query =
        QueryBuilder::new("SELECT MIN(remind_at) FROM reminder_schedule WHERE fired_at IS NULL");
    let row: Option<(Option<DateTime<Utc>>,)> = DB::fetch_optional(tx, query).await?;
    Ok(row.and_then(|(at,)| at))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn clock(zone: &str) -> UserClock {
        UserClock {
            zone: TimeZone::parse(zone).unwrap(),
            day_minutes: DEFAULT_DAY_MINUTES,
        }
    }

    fn due(date: &str, time: Option<&str>) -> Due {
        Due {
            date: date.parse().unwrap(),
            time: time.map(|time| time.parse().unwrap()),
        }
    }

    #[test]
    fn a_date_only_todo_reminds_at_the_users_time_of_day() {
        let berlin = clock("Europe/Berlin");
        let at = remind_at(due("2026-12-24", None), 0, berlin);
        assert_eq!(at.to_rfc3339(), "2026-12-24T08:00:00+00:00");
        let evening = UserClock {
            day_minutes: 18 * 60 + 30,
            ..berlin
        };
        let at = remind_at(due("2026-12-24", None), 60, evening);
        assert_eq!(at.to_rfc3339(), "2026-12-24T16:30:00+00:00");
    }

    #[test]
    fn days_before_count_on_the_wall_clock_across_daylight_saving() {
        // Berlin moves to summer time on 29 March 2026: 09:00 on the 30th
        // is 07:00 UTC, 09:00 on the 28th is 08:00 UTC.
        let berlin = clock("Europe/Berlin");
        let at = remind_at(due("2026-03-30", Some("09:00:00")), 2 * 1440, berlin);
        assert_eq!(at.to_rfc3339(), "2026-03-28T08:00:00+00:00");
        let new_york = clock("America/New_York");
        let at = remind_at(due("2026-11-02", Some("09:00:00")), 1440, new_york);
        assert_eq!(at.to_rfc3339(), "2026-11-01T14:00:00+00:00");
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_reminds_just_after_the_gap() {
        let berlin = clock("Europe/Berlin");
        let at = remind_at(due("2026-03-29", Some("02:30:00")), 0, berlin);
        assert_eq!(at.to_rfc3339(), "2026-03-29T01:00:00+00:00");
    }

    proptest! {
        #[test]
        fn more_minutes_before_is_never_later(
            days in 0i64..3_000_000,
            minute_of_day in proptest::option::of(0u32..1440),
            before in 0u32..=crate::reminders::MAX_BEFORE_MINUTES,
            extra in 1u32..=600,
            zone_index in 0usize..4,
        ) {
            let zone = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"][zone_index];
            let date = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let time = minute_of_day
                .and_then(|minutes| NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0));
            let clock = clock(zone);
            let due = Due { date, time };
            let earlier = remind_at(due, before.saturating_add(extra), clock);
            let later = remind_at(due, before, clock);
            // A daylight-saving change may fold an hour: never more.
            prop_assert!(earlier <= later + TimeDelta::hours(1));
        }
    }
}
