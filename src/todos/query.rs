//! Which todos a caller asked for, checked: what they are of (a list, a
//! dated view, a search, or all of them), which of them (the filter), in
//! which order, and from where (a keyset cursor for that order).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use super::{Filter, MAX_PAGE_SIZE, PAGE_SIZE, Sort, View, search::SearchTerms};
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

    pub fn decode(text: &str) -> Result<Self, AppError> {
        Self::try_decode(text).ok_or_else(|| {
            AppError::Invalid(
                "That page link is not valid; start again from the first page.".into(),
            )
        })
    }

    fn try_decode(text: &str) -> Option<Self> {
        let position = |text: &str| ordering::is_valid(text).then(|| text.to_owned());
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
            ["d", date, time, micros, id] => Some(Cursor::Due {
                date: NaiveDate::parse_from_str(date, "%Y%m%d").ok()?,
                time: match *time {
                    "-" => None,
                    time => Some(NaiveTime::parse_from_str(time, "%H%M%S").ok()?),
                },
                created_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
                id: Uuid::parse_str(id).ok()?,
            }),
            [micros, id] => Some(Cursor::Newest {
                created_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
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

/// A list request's parameters as sent, each optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListParams<'a> {
    pub list: Option<&'a str>,
    pub view: Option<&'a str>,
    pub q: Option<&'a str>,
    pub filter: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub cursor: Option<&'a str>,
    pub limit: Option<&'a str>,
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
    /// [`PAGE_SIZE`] todos.
    pub fn parse(params: ListParams<'_>) -> Result<Self, AppError> {
        fn present(value: Option<&str>) -> Option<&str> {
            value.filter(|value| !value.trim().is_empty())
        }
        let filter = Filter::parse(params.filter).map_err(|error| error.in_field("filter"))?;
        let list = present(params.list).map(ListRef::parse).transpose()?;
        let view = View::parse(params.view)?;
        let search = present(params.q).map(SearchTerms::parse).transpose()?;
        let sort = Sort::parse(params.sort)?;

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

        let cursor = present(params.cursor)
            .map(Cursor::decode)
            .transpose()
            .map_err(|error| error.in_field("cursor"))?;
        if cursor.as_ref().is_some_and(|cursor| !cursor.fits(order)) {
            return Err(Cursor::decode("").unwrap_err().in_field("cursor"));
        }
        let limit = match params.limit {
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

    fn parse(params: ListParams<'_>) -> Result<ListQuery, AppError> {
        ListQuery::parse(params)
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
    fn each_scope_has_its_order_and_takes_only_its_own_cursors() {
        let all = parse(ListParams::default()).unwrap();
        assert_eq!((all.scope, all.order), (Scope::All, Order::Newest));
        let inbox = parse(ListParams {
            list: Some("inbox"),
            ..ListParams::default()
        })
        .unwrap();
        assert_eq!(
            (inbox.scope, inbox.order),
            (Scope::List(ListRef::Inbox), Order::Manual)
        );
        let today = parse(ListParams {
            view: Some("today"),
            ..ListParams::default()
        })
        .unwrap();
        assert_eq!(today.order, Order::Due);

        let wrong_cursor = parse(ListParams {
            list: Some("inbox"),
            cursor: Some("1795000000123456.00000000000000000000000000000001"),
            ..ListParams::default()
        })
        .unwrap_err();
        assert_eq!(wrong_cursor.field(), Some("cursor"));
    }

    #[test]
    fn contradictory_requests_are_explained() {
        let both = parse(ListParams {
            view: Some("today"),
            q: Some("milk"),
            ..ListParams::default()
        })
        .unwrap_err();
        assert_eq!(both.field(), Some("q"));
        let sorted_view = parse(ListParams {
            view: Some("upcoming"),
            sort: Some("priority"),
            ..ListParams::default()
        })
        .unwrap_err();
        assert_eq!(sorted_view.field(), Some("sort"));
        let bad_list = parse(ListParams {
            list: Some("groceries"),
            ..ListParams::default()
        })
        .unwrap_err();
        assert_eq!(bad_list.field(), Some("list"));
        let limit = parse(ListParams {
            limit: Some("0"),
            ..ListParams::default()
        })
        .unwrap_err();
        assert_eq!(limit.field(), Some("limit"));
    }
}
