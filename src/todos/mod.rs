//! The todo list: shared types and input rules. The queries ([`store`])
//! scope every statement to the session's user inside the SQL itself, so
//! another user's todo behaves exactly like one that does not exist; the
//! web forms' endpoints are in [`crate::actions::todos`].
//!
//! A todo belongs to one of its owner's lists (the Inbox unless said
//! otherwise), has a manual position in it ([`crate::ordering`]), and may
//! have notes, a priority and a due date ([`crate::calendar::Due`]).

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
mod due_shown;
#[cfg(feature = "ssr")]
pub mod query;
#[cfg(feature = "ssr")]
pub mod quick_add;
#[cfg(feature = "ssr")]
pub mod repeat;
#[cfg(feature = "ssr")]
mod rules;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use {
    query::ListQuery,
    rules::{NewTodo, TodoChanges, TodoLimit, parse_id, parse_id_in, parse_optional_id},
};

/// Todos per page of the list, unless a client asks for another size.
pub const PAGE_SIZE: usize = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: usize = 100;
pub const MAX_TITLE_CHARS: usize = 500;
pub const MAX_NOTES_CHARS: usize = 10_000;
/// The longest search, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The `/todos` query parameter naming the todo whose title is being edited
/// without JavaScript.
pub const EDIT_QUERY_KEY: &str = "edit";
/// The `/todos` query parameter naming the todo whose details are open.
pub const OPEN_QUERY_KEY: &str = "open";

/// Which todos a page of them shows, as a request names them, each
/// optional: the list page's address, the fields of the server functions
/// that load a page, and (with `limit`) the JSON API's query string.
/// [`ListQuery::parse`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageParams {
    /// A list id, or `inbox`.
    pub list: Option<String>,
    /// `today` or `upcoming`.
    pub view: Option<String>,
    /// Words to search for.
    pub q: Option<String>,
    /// `all`, `active` or `completed`.
    pub filter: Option<String>,
    /// `manual`, `priority` or `newest`.
    pub sort: Option<String>,
    /// Where the page starts: the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A todo as the pages show it. Days are already named for the user's
/// today ([`DueShown`]), so the browser needs no time zone data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    pub id: String,
    pub title: String,
    pub completed: bool,
    pub list_id: String,
    pub notes: String,
    pub priority: Priority,
    pub due: Option<DueShown>,
    pub repeat: Option<RepeatShown>,
    pub reminders: crate::reminders::Reminders,
}

/// What a repeat counts the next due date from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum RepeatFrom {
    /// The due date of the occurrence completed: "on the 1st of every month".
    #[default]
    Due,
    /// The day it was completed: "3 days after I last did it".
    Completion,
}

impl RepeatFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            RepeatFrom::Due => "due",
            RepeatFrom::Completion => "completion",
        }
    }
}

/// The repeats the forms offer by name: (form value, label, rule).
pub const REPEAT_PRESETS: [(&str, &str, &str); 5] = [
    ("daily", "Daily", "FREQ=DAILY"),
    (
        "weekdays",
        "Every weekday",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    ("weekly", "Weekly", "FREQ=WEEKLY"),
    ("monthly", "Monthly", "FREQ=MONTHLY"),
    ("yearly", "Yearly", "FREQ=YEARLY"),
];

/// A form's repeat fields, sent as `repeat[kind]`, `repeat[every]` and so
/// on. `kind` is absent or `keep` (no change), `none`, a preset's value,
/// or `custom`: every `every` `unit`s (day, week, month, year), on the
/// weekdays checked (`mo` … `su`, weekly), on `monthly` (empty: the due
/// date's day; `last_day`; or a numbered weekday such as `-1FR`), ending
/// `never`, after `count` times or on `until`; counted `from` the due date
/// or the completion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepeatForm {
    pub kind: Option<String>,
    pub every: Option<String>,
    pub unit: Option<String>,
    pub mo: Option<String>,
    pub tu: Option<String>,
    pub we: Option<String>,
    pub th: Option<String>,
    pub fr: Option<String>,
    pub sa: Option<String>,
    pub su: Option<String>,
    pub monthly: Option<String>,
    pub ends: Option<String>,
    pub count: Option<String>,
    pub until: Option<String>,
    pub from: Option<String>,
}

/// A todo's repeat as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatShown {
    /// The RFC 5545 rule, in its canonical form: `FREQ=WEEKLY;BYDAY=MO,TH`.
    pub rule: String,
    pub from: RepeatFrom,
    /// "every 2 weeks on Mon, Thu".
    pub words: String,
}

/// A due date as a page shows it, named relative to the user's today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueShown {
    /// `2026-12-24`, for the date field of a form.
    pub date: String,
    /// `15:00`, for the time field, when the todo has a time.
    pub time: Option<String>,
    /// "Today 15:00", "Tomorrow", "Mon 14 Dec".
    pub label: String,
    /// The day as a heading: "Tomorrow, Friday 4 December".
    pub heading: String,
    /// The day has passed and the todo is still open.
    pub overdue: bool,
    pub today: bool,
}

/// How much a todo matters, as its owner sees it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::None,
        Priority::Low,
        Priority::Medium,
        Priority::High,
    ];

    /// An absent or empty priority is `None`; so is the word itself.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "" | "none" => Ok(Priority::None),
            "low" => Ok(Priority::Low),
            "medium" => Ok(Priority::Medium),
            "high" => Ok(Priority::High),
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(AppError::Invalid(format!(
                    "\u{201c}{shown}\u{201d} is not a priority: use none, low, medium or high."
                ))
                .in_field("priority"))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::None => "none",
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }

    /// For people: "High", or "No priority".
    pub fn label(self) -> &'static str {
        match self {
            Priority::None => "No priority",
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
        }
    }

    /// As stored: 0 to 3, so that sorting by it sorts by importance.
    pub fn level(self) -> i16 {
        match self {
            Priority::None => 0,
            Priority::Low => 1,
            Priority::Medium => 2,
            Priority::High => 3,
        }
    }

    pub fn from_level(level: i16) -> Self {
        match level {
            3 => Priority::High,
            2 => Priority::Medium,
            1 => Priority::Low,
            _ => Priority::None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoTotals {
    pub total: i64,
    pub active: i64,
    pub completed: i64,
}

/// Open todos by when they are due, for the sidebar and the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueCounts {
    pub overdue: i64,
    pub today: i64,
    /// Due in the days Upcoming shows, today included.
    pub upcoming: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Filter {
    #[default]
    All,
    Active,
    Completed,
}

impl Filter {
    /// An absent or empty filter means all.
    pub fn parse(value: Option<&str>) -> Result<Self, AppError> {
        match value.unwrap_or_default() {
            "" | "all" => Ok(Filter::All),
            "active" => Ok(Filter::Active),
            "completed" => Ok(Filter::Completed),
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(AppError::Invalid(format!(
                    "\u{201c}{shown}\u{201d} is not a filter: use all, active or completed."
                )))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Active => "active",
            Filter::Completed => "completed",
        }
    }

    /// The `completed` value this filter keeps, if it keeps only one.
    pub fn completed(self) -> Option<bool> {
        match self {
            Filter::All => None,
            Filter::Active => Some(false),
            Filter::Completed => Some(true),
        }
    }
}

/// A dated view across all lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    /// Due today, and overdue.
    Today,
    /// Due in the next days, grouped by day.
    Upcoming,
}

impl View {
    /// An absent or empty view means none.
    pub fn parse(value: Option<&str>) -> Result<Option<Self>, AppError> {
        match value.unwrap_or_default() {
            "" => Ok(None),
            "today" => Ok(Some(View::Today)),
            "upcoming" => Ok(Some(View::Upcoming)),
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(AppError::Invalid(format!(
                    "\u{201c}{shown}\u{201d} is not a view: use today or upcoming."
                ))
                .in_field("view"))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            View::Today => "today",
            View::Upcoming => "upcoming",
        }
    }
}

/// The order of a list's todos.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    /// The owner's own order (drag and drop, move up and down).
    #[default]
    Manual,
    /// Most important first, then in the owner's order.
    Priority,
    /// Newest first.
    Newest,
}

impl Sort {
    pub fn parse(value: Option<&str>) -> Result<Option<Self>, AppError> {
        match value.unwrap_or_default() {
            "" => Ok(None),
            "manual" => Ok(Some(Sort::Manual)),
            "priority" => Ok(Some(Sort::Priority)),
            "newest" => Ok(Some(Sort::Newest)),
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(AppError::Invalid(format!(
                    "\u{201c}{shown}\u{201d} is not an order: use manual, priority or newest."
                ))
                .in_field("sort"))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Manual => "manual",
            Sort::Priority => "priority",
            Sort::Newest => "newest",
        }
    }
}

/// A text field of a form that is either absent ("no change") or sent,
/// even empty. Leptos decodes an empty form value into `None` for an
/// `Option<String>`, which would read a cleared title as "no change"; this
/// reads it as the empty text it is, which the rules then refuse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentText(pub Option<String>);

impl SentText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(Some(text.into()))
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl Serialize for SentText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SentText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// A todo title: trimmed, 1 to 500 characters of any script. Every
/// interface calls the input `title`, so refusals name that field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoTitle(String);

impl TodoTitle {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        crate::error::refuse_nul(input, "title")?;
        let title = input.trim();
        let chars = title.chars().count();
        let refuse = |message: String| Err(AppError::Invalid(message).in_field("title"));
        if chars == 0 {
            refuse("A todo needs a title.".into())
        } else if chars > MAX_TITLE_CHARS {
            refuse(format!(
                "Keep the title to {MAX_TITLE_CHARS} characters (this one has {chars})."
            ))
        } else {
            Ok(Self(title.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A todo's notes: any text up to 10,000 characters, line breaks kept
/// (Windows line ends become plain ones) and trailing space dropped.
/// Empty notes are no notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes(String);

impl Notes {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        crate::error::refuse_nul(input, "notes")?;
        // Every line break becomes "\n", a lone "\r" too: then parsing what
        // was parsed changes nothing (an export imported again is equal).
        let notes = input.replace("\r\n", "\n").replace('\r', "\n");
        let notes = notes.trim_end();
        let chars = notes.chars().count();
        if chars > MAX_NOTES_CHARS {
            return Err(AppError::Invalid(format!(
                "Keep the notes to {MAX_NOTES_CHARS} characters (these have {chars})."
            ))
            .in_field("notes"));
        }
        Ok(Self(notes.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_todo_cap_admits_up_to_its_limit_and_never_overflows() {
        let limit = TodoLimit(100);
        assert!(limit.admits(99, 1));
        assert!(limit.admits(0, 100));
        assert!(!limit.admits(100, 1));
        assert!(!limit.admits(50, 51));
        assert!(!limit.admits(1, i64::MAX));
    }

    #[test]
    fn titles_are_trimmed_and_1_to_500_characters_of_any_script() {
        assert_eq!(
            TodoTitle::parse("  Buy milk \n").unwrap().as_str(),
            "Buy milk"
        );
        assert!(TodoTitle::parse("   ").is_err());
        assert_eq!(TodoTitle::parse("a\0b").unwrap_err().field(), Some("title"));
        assert!(TodoTitle::parse(&"é".repeat(500)).is_ok());
        assert!(TodoTitle::parse(&"é".repeat(501)).is_err());
        assert_eq!(
            TodoTitle::parse("写信给妈妈 ✉️").unwrap().as_str(),
            "写信给妈妈 ✉️"
        );
    }

    #[test]
    fn notes_keep_their_lines_and_stop_at_10000_characters() {
        let notes = Notes::parse("Line one\r\n\r\n  indented <b>not bold</b>\n\n").unwrap();
        assert_eq!(notes.as_str(), "Line one\n\n  indented <b>not bold</b>");
        // Once "\r\r\n" read as "\r\n", and the next read changed it again.
        assert_eq!(Notes::parse("a\r\r\nb\rc").unwrap().as_str(), "a\n\nb\nc");
        assert!(Notes::parse(&"ü".repeat(10_000)).is_ok());
        assert_eq!(Notes::parse("x\0").unwrap_err().field(), Some("notes"));
        let error = Notes::parse(&"ü".repeat(10_001)).unwrap_err();
        assert_eq!(error.field(), Some("notes"));
        assert!(error.to_string().contains("10001"), "{error}");
    }

    proptest::proptest! {
        /// What a todo keeps reads back as itself: an export imported
        /// again, or a form sent back unchanged, changes nothing.
        #[test]
        fn titles_and_notes_parse_their_own_output_unchanged(text in "(?s).{0,300}") {
            if let Ok(notes) = Notes::parse(&text) {
                proptest::prop_assert_eq!(Notes::parse(notes.as_str()).unwrap(), notes);
            }
            if let Ok(title) = TodoTitle::parse(&text) {
                proptest::prop_assert_eq!(TodoTitle::parse(title.as_str()).unwrap(), title);
            }
        }
    }

    #[test]
    fn priorities_are_four_words_in_order() {
        for priority in Priority::ALL {
            assert_eq!(Priority::parse(priority.as_str()).unwrap(), priority);
            assert_eq!(Priority::from_level(priority.level()), priority);
        }
        assert!(Priority::High > Priority::Low);
        assert_eq!(Priority::parse("").unwrap(), Priority::None);
        assert_eq!(
            Priority::parse("urgent").unwrap_err().field(),
            Some("priority")
        );
    }

    #[test]
    fn filters_parse_from_the_url_and_unknown_ones_are_explained() {
        assert_eq!(Filter::parse(None).unwrap(), Filter::All);
        assert_eq!(Filter::parse(Some("active")).unwrap(), Filter::Active);
        assert_eq!(
            Filter::parse(Some("completed")).unwrap().completed(),
            Some(true)
        );
        let error = Filter::parse(Some("someday")).unwrap_err();
        assert_eq!(error.status_code(), 422);
        assert!(error.to_string().contains("someday"));
        let huge = Filter::parse(Some(&"x".repeat(100_000))).unwrap_err();
        assert!(
            huge.to_string().len() < 200,
            "{} bytes",
            huge.to_string().len()
        );
        assert_eq!(View::parse(Some("today")).unwrap(), Some(View::Today));
        assert_eq!(View::parse(Some("week")).unwrap_err().field(), Some("view"));
        assert_eq!(Sort::parse(Some("priority")).unwrap(), Some(Sort::Priority));
    }
}
