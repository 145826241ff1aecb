//! Which todos a caller asked for, checked: what they are of (a list, a
//! dated view, a search, or all of them), which of them (the filter), in
//! which order, and from where (a keyset cursor for that order).

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use super::{Filter, MAX_PAGE_SIZE, PAGE_SIZE, PageParams, Sort, View, search::SearchTerms};
use crate::{error::AppError, lists::ListRef, ordering};

/// What the todos are of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every todo of the user.
    All,
    List(ListRef),
    /// Due today, or before and still open; optionally in one list.
    Today(Option<ListRef>),
    /// Due today or in the next days; optionally in one list.
    Upcoming(Option<ListRef>),
    /// Titles and notes matching the words; optionally in one list.
    Search(SearchTerms, Option<ListRef>),
}

/// The order of a page, which fixes the shape of its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Newest,
    Manual,
    Priority,
    /// Soonest first, a day's todos without a time before those with one,
    /// then oldest first.
    Due,
    /// Search results, most recently added first, in the order the
    /// database's full-text index gives them cheapest: by the search
    /// index's row id on SQLite, by creation on PostgreSQL.
    Search,
}

/// The longest cursor a client may send: the longest the server makes is a
/// priority cursor around a key of [`ordering::MAX_KEY_LEN`] characters
/// (68), or a due cursor (about 70). Checked before the cursor is read.
pub const MAX_CURSOR_LEN: usize = 128;

/// The earliest year a cursor's instant may fall in: PostgreSQL's earliest
/// timestamp is in 4714 BC, so from 4713 BC on (year -4712) both databases
/// hold every instant chrono does (its latest, the year 262143, is earlier
/// than PostgreSQL's). Earlier ones would fail in the query, not here.
pub const EARLIEST_CURSOR_YEAR: i32 = -4712;

/// Where a page starts: just after this item in its order. Opaque to
/// clients; each order has its own form, and a cursor is only good for the
/// order that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// `<microseconds>.<uuid>`, as before lists existed.
    Newest { created_at: DateTime<Utc>, id: Uuid },
    /// `m.<position>` (positions are unique in a list).
    Manual { position: String },
    /// `p.<level>.<position>`.
    Priority { level: i16, position: String },
    /// `s.<row id>`: after this row of SQLite's search index.
    Found { seq: i64 },
    /// `d.<yyyymmdd>.<hhmmss or ->.<microseconds>.<uuid>`.
    Due {
        date: NaiveDate,
        time: Option<NaiveTime>,
        created_at: DateTime<Utc>,
        id: Uuid,
    },
}

impl Cursor {
    pub fn encode(&self) -> String {
        match self {
            Cursor::Newest { created_at, id } => {
                format!("{}.{}", created_at.timestamp_micros(), id.simple())
            }
            Cursor::Manual { position } => format!("m.{position}"),
            Cursor::Found { seq } => format!("s.{seq}"),
            Cursor::Priority { level, position } => format!("p.{level}.{position}"),
            Cursor::Due {
                date,
                time,
                created_at,
                id,
            } => format!(
                "d.{}.{}.{}.{}",
                date.format("%Y%m%d"),
                time.map_or_else(|| "-".to_owned(), |time| time.format("%H%M%S").to_string()),
                created_at.timestamp_micros(),
                id.simple()
            ),
        }
    }

    /// A cursor as [`Cursor::encode`] writes it, or an error for anything
    /// else: longer than [`MAX_CURSOR_LEN`], an invalid ordering key, an
    /// instant before [`EARLIEST_CURSOR_YEAR`], a date not of 8 digits.
    pub fn decode(text: &str) -> Result<Self, AppError> {
        Self::try_decode(text).ok_or_else(|| {
            AppError::Invalid(
                "That page link is not valid; start again from the first page.".into(),
            )
        })
    }

    fn try_decode(text: &str) -> Option<Self> {
        if text.len() > MAX_CURSOR_LEN {
            return None;
        }
        let position = |text: &str| ordering::is_valid(text).then(|| text.to_owned());
        let instant = |micros: &str| {
            DateTime::from_timestamp_micros(micros.parse().ok()?)
                .filter(|instant| instant.year() >= EARLIEST_CURSOR_YEAR)
        };
        let date = |text: &str| {
            if text.len() != 8 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            NaiveDate::parse_from_str(text, "%Y%m%d").ok()
        };
        let parts: Vec<&str> = text.split('.').collect();
        match parts.as_slice() {
            ["m", key] => Some(Cursor::Manual {
                position: position(key)?,
            }),
            ["s", seq] => Some(Cursor::Found {
                seq: seq.parse().ok().filter(|seq: &i64| *seq > 0)?,
            }),
            ["p", level, key] => Some(Cursor::Priority {
                level: level.parse().ok().filter(|level| (0..=3).contains(level))?,
                position: position(key)?,
            }),
            ["d", day, time, micros, id] => Some(Cursor::Due {
                date: date(day)?,
                time: match *time {
                    "-" => None,
                    time => Some(NaiveTime::parse_from_str(time, "%H%M%S").ok()?),
                },
                created_at: instant(micros)?,
                id: Uuid::parse_str(id).ok()?,
            }),
            [micros, id] => Some(Cursor::Newest {
                created_at: instant(micros)?,
                id: Uuid::parse_str(id).ok()?,
            }),
            _ => None,
        }
    }

    /// Whether a page in `order` can start from this cursor. (Search pages
    /// take the form their backend's index makes: a row id on SQLite, a
    /// creation time on PostgreSQL.)
    fn fits(&self, order: Order) -> bool {
        matches!(
            (self, order),
            (Cursor::Newest { .. }, Order::Newest | Order::Search)
                | (Cursor::Found { .. }, Order::Search)
                | (Cursor::Manual { .. }, Order::Manual)
                | (Cursor::Priority { .. }, Order::Priority)
                | (Cursor::Due { .. }, Order::Due)
        )
    }
}

/// Which page of which todos a caller asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub scope: Scope,
    pub filter: Filter,
    pub order: Order,
    pub cursor: Option<Cursor>,
    pub limit: usize,
}

impl ListQuery {
    /// Absent or empty values mean: all todos (or one list's, with
    /// `list`), every state, the scope's usual order, the first page, and
    /// (without `limit`) [`PAGE_SIZE`] todos.
    pub fn parse(params: &PageParams, limit: Option<&str>) -> Result<Self, AppError> {
        fn present(value: Option<&str>) -> Option<&str> {
            value.filter(|value| !value.trim().is_empty())
        }
        let filter =
            Filter::parse(params.filter.as_deref()).map_err(|error| error.in_field("filter"))?;
        let list = present(params.list.as_deref())
            .map(ListRef::parse)
            .transpose()?;
        let view = View::parse(params.view.as_deref())?;
        let search = present(params.q.as_deref())
            .map(SearchTerms::parse)
            .transpose()?;
        let sort = Sort::parse(params.sort.as_deref())?;

        let (scope, order) = match (view, search) {
            (Some(_), Some(_)) => {
                return Err(
                    AppError::Invalid("Search, or show a view: not both at once.".into())
                        .in_field("q"),
                );
            }
            (Some(view), None) => {
                let scope = match view {
                    View::Today => Scope::Today(list),
                    View::Upcoming => Scope::Upcoming(list),
                };
                (scope, Order::Due)
            }
            (None, Some(terms)) => (Scope::Search(terms, list), Order::Search),
            (None, None) => match list {
                Some(list) => {
                    let order = match sort.unwrap_or(Sort::Manual) {
                        Sort::Manual => Order::Manual,
                        Sort::Priority => Order::Priority,
                        Sort::Newest => Order::Newest,
                    };
                    (Scope::List(list), order)
                }
                None => (Scope::All, Order::Newest),
            },
        };
        if let Some(sort) = sort {
            let fits = match &scope {
                Scope::List(_) => true,
                Scope::All => sort == Sort::Newest,
                _ => false,
            };
            if !fits {
                return Err(AppError::Invalid(
                    "Choosing an order works for one list: send list with sort, or leave sort \
                     out."
                        .into(),
                )
                .in_field("sort"));
            }
        }

        let cursor = present(params.cursor.as_deref())
            .map(Cursor::decode)
            .transpose()
            .map_err(|error| error.in_field("cursor"))?;
        if cursor.as_ref().is_some_and(|cursor| !cursor.fits(order)) {
            return Err(Cursor::decode("").unwrap_err().in_field("cursor"));
        }
        let limit = match limit {
            None => PAGE_SIZE,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|limit| (1..=MAX_PAGE_SIZE).contains(limit))
                .ok_or_else(|| {
                    AppError::Invalid(format!(
                        "Ask for 1 to {MAX_PAGE_SIZE} todos per page, as a whole number."
                    ))
                    .in_field("limit")
                })?,
        };
        Ok(Self {
            scope,
            filter,
            order,
            cursor,
            limit,
        })
    }

    /// The list this query is restricted to, if any.
    pub fn list(&self) -> Option<ListRef> {
        match &self.scope {
            Scope::All => None,
            Scope::List(list) => Some(*list),
            Scope::Today(list) | Scope::Upcoming(list) | Scope::Search(_, list) => *list,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query of a request with these parameters (`limit` among them).
    fn parse(pairs: &[(&str, &str)]) -> Result<ListQuery, AppError> {
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| value.to_string())
        };
        let params = PageParams {
            list: value("list"),
            view: value("view"),
            q: value("q"),
            filter: value("filter"),
            sort: value("sort"),
            cursor: value("cursor"),
        };
        ListQuery::parse(&params, value("limit").as_deref())
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursors = [
            Cursor::Newest {
                created_at: DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
                id: Uuid::new_v4(),
            },
            Cursor::Manual {
                position: "a0V".into(),
            },
            Cursor::Found { seq: 4242 },
            Cursor::Priority {
                level: 3,
                position: "Zz".into(),
            },
            Cursor::Due {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                time: NaiveTime::from_hms_opt(15, 0, 0),
                created_at: DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
                id: Uuid::new_v4(),
            },
            Cursor::Due {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                time: None,
                created_at: DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap(),
                id: Uuid::new_v4(),
            },
        ];
        for cursor in cursors {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
        for garbage in [
            "",
            "abc",
            "12.not-a-uuid",
            "x.00000000000000000000000000000000",
            "m.a00",
            "s.0",
            "s.x",
            "p.9.a0",
            "d.20261301.-.1.00000000000000000000000000000000",
        ] {
            assert!(Cursor::decode(garbage).is_err(), "{garbage}");
        }
    }

    #[test]
    fn cursors_too_long_or_out_of_the_databases_range_are_refused_as_the_cursor() {
        let id = "00000000000000000000000000000001";
        let long_key = format!("a0{}", "1".repeat(ordering::MAX_KEY_LEN - 1));
        for refused in [
            format!("-8000000000000000000.{id}"),
            format!("-213000000000000000.{id}"),
            format!("d.20261224.-.-8000000000000000000.{id}"),
            format!("d.+2026122.-.0.{id}"),
            format!("d.-0011224.-.0.{id}"),
            format!("m.{long_key}"),
            format!("p.3.{long_key}"),
            format!("m.{}", "z".repeat(100_000)),
            format!("{}.{id}", "1".repeat(MAX_CURSOR_LEN)),
        ] {
            let error =
                parse(&[("list", "inbox"), ("sort", "newest"), ("cursor", &refused)]).unwrap_err();
            assert_eq!(error.field(), Some("cursor"), "{refused:.80}");
            assert!(Cursor::decode(&refused).is_err(), "{refused:.80}");
        }
        // The earliest instant PostgreSQL holds that a cursor may name.
        let earliest = NaiveDate::from_ymd_opt(EARLIEST_CURSOR_YEAR, 1, 1)
            .unwrap()
            .and_time(NaiveTime::MIN)
            .and_utc()
            .timestamp_micros();
        assert!(Cursor::decode(&format!("{earliest}.{id}")).is_ok());
        assert!(Cursor::decode(&format!("{}.{id}", earliest - 1)).is_err());
        assert!(Cursor::decode(&format!("m.{}", &long_key[..ordering::MAX_KEY_LEN])).is_ok());
    }

    fn cursors() -> impl proptest::strategy::Strategy<Value = Cursor> {
        use proptest::prelude::*;
        let earliest = NaiveDate::from_ymd_opt(EARLIEST_CURSOR_YEAR, 1, 1)
            .unwrap()
            .and_time(NaiveTime::MIN)
            .and_utc()
            .timestamp_micros();
        let instant = (earliest..=DateTime::<Utc>::MAX_UTC.timestamp_micros())
            .prop_map(|micros| DateTime::from_timestamp_micros(micros).unwrap());
        let id = any::<u128>().prop_map(Uuid::from_u128);
        // Due dates as the server writes them: 8 digits.
        let date = (0..=9999i32, 1..=366u32)
            .prop_filter_map("a day of that year", |(year, day)| {
                NaiveDate::from_yo_opt(year, day)
            });
        let time =
            proptest::option::of((0..86_400u32).prop_map(|second| {
                NaiveTime::from_num_seconds_from_midnight_opt(second, 0).unwrap()
            }));
        prop_oneof![
            (instant.clone(), id.clone())
                .prop_map(|(created_at, id)| Cursor::Newest { created_at, id }),
            ordering::valid_keys().prop_map(|position| Cursor::Manual { position }),
            (1..=i64::MAX).prop_map(|seq| Cursor::Found { seq }),
            (0..=3i16, ordering::valid_keys())
                .prop_map(|(level, position)| Cursor::Priority { level, position }),
            (date, time, instant, id).prop_map(|(date, time, created_at, id)| Cursor::Due {
                date,
                time,
                created_at,
                id
            }),
        ]
    }

    proptest::proptest! {
        #[test]
        fn every_cursor_the_server_writes_reads_back_the_same(cursor in cursors()) {
            let text = cursor.encode();
            proptest::prop_assert!(text.len() <= MAX_CURSOR_LEN, "{text}");
            proptest::prop_assert_eq!(Cursor::decode(&text).unwrap(), cursor);
        }

        #[test]
        fn any_text_as_a_cursor_is_read_or_refused_without_panicking(
            text in "\\PC{0,200}|[-+0-9a-z.]{0,140}|[mpsd]\\.[-+0-9A-Za-z.]{0,140}",
        ) {
            if let Ok(cursor) = Cursor::decode(&text) {
                proptest::prop_assert!(text.len() <= MAX_CURSOR_LEN);
                proptest::prop_assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
            }
        }

        #[test]
        fn a_mangled_cursor_is_read_or_refused_without_panicking(
            cursor in cursors(),
            at in 0usize..200,
            junk in "[-+0-9A-Za-z.]{0,3}",
        ) {
            let mut text = cursor.encode();
            let at = at.min(text.len());
            text.replace_range(at..(at + 2).min(text.len()), &junk);
            if let Ok(cursor) = Cursor::decode(&text) {
                proptest::prop_assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
            }
        }
    }

    #[test]
    fn each_scope_has_its_order_and_takes_only_its_own_cursors() {
        let all = parse(&[]).unwrap();
        assert_eq!((all.scope, all.order), (Scope::All, Order::Newest));
        let inbox = parse(&[("list", "inbox")]).unwrap();
        assert_eq!(
            (inbox.scope, inbox.order),
            (Scope::List(ListRef::Inbox), Order::Manual)
        );
        let today = parse(&[("view", "today")]).unwrap();
        assert_eq!(today.order, Order::Due);

        let wrong_cursor = parse(&[
            ("list", "inbox"),
            (
                "cursor",
                "1795000000123456.00000000000000000000000000000001",
            ),
        ])
        .unwrap_err();
        assert_eq!(wrong_cursor.field(), Some("cursor"));
    }

    #[test]
    fn contradictory_requests_are_explained() {
        let both = parse(&[("view", "today"), ("q", "milk")]).unwrap_err();
        assert_eq!(both.field(), Some("q"));
        let sorted_view = parse(&[("view", "upcoming"), ("sort", "priority")]).unwrap_err();
        assert_eq!(sorted_view.field(), Some("sort"));
        let bad_list = parse(&[("list", "groceries")]).unwrap_err();
        assert_eq!(bad_list.field(), Some("list"));
        let limit = parse(&[("limit", "0")]).unwrap_err();
        assert_eq!(limit.field(), Some("limit"));
    }
}
