//! The todo list: shared types and input rules. The queries ([`store`])
//! scope every statement to the session's user inside the SQL itself, so
//! another user's todo behaves exactly like one that does not exist; the
//! web forms' endpoints are in [`server_fns`].

use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod store;

/// Todos per page of the list, unless a client asks for another size.
pub const PAGE_SIZE: usize = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: usize = 100;
pub const MAX_TITLE_CHARS: usize = 500;
/// The `/todos` query parameter naming the todo whose title is being edited
/// without JavaScript.
pub const EDIT_QUERY_KEY: &str = "edit";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    pub id: String,
    pub title: String,
    pub completed: bool,
}

/// One page of a user's todos, newest first, and where the next starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoPage {
    pub items: Vec<Todo>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoTotals {
    pub total: i64,
    pub active: i64,
    pub completed: i64,
}

/// What the list page shows: one page of todos and the totals of all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoListing {
    pub page: TodoPage,
    pub totals: TodoTotals,
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
            other => Err(AppError::Invalid(format!(
                "\u{201c}{other}\u{201d} is not a filter: use all, active or completed."
            ))),
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

/// Which page of which todos a caller asked for, checked.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: Filter,
    pub cursor: Option<store::Cursor>,
    pub limit: usize,
}

#[cfg(feature = "ssr")]
impl ListQuery {
    /// An absent or empty filter means all todos, an absent or empty
    /// cursor the first page, and an absent limit [`PAGE_SIZE`] todos.
    pub fn parse(
        filter: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<Self, AppError> {
        let filter = Filter::parse(filter).map_err(|error| error.in_field("filter"))?;
        let cursor = cursor
            .filter(|cursor| !cursor.is_empty())
            .map(store::Cursor::decode)
            .transpose()
            .map_err(|error| error.in_field("cursor"))?;
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
            filter,
            cursor,
            limit,
        })
    }
}

/// A change to one todo: a new title, a completed state, or both.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoChanges {
    pub title: Option<TodoTitle>,
    pub completed: Option<bool>,
}

#[cfg(feature = "ssr")]
impl TodoChanges {
    pub fn parse(title: Option<&str>, completed: Option<bool>) -> Result<Self, AppError> {
        let title = title.map(TodoTitle::parse).transpose()?;
        if title.is_none() && completed.is_none() {
            return Err(AppError::Invalid(
                "Nothing to change: send a title or a completed state.".into(),
            ));
        }
        Ok(Self { title, completed })
    }
}

/// How many todos one account may keep (`MAX_TODOS_PER_USER`).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TodoLimit(pub u32);

/// A todo id sent as a form field. Text that is not an id is refused as
/// input; the JSON API, where the id is part of the address, answers such
/// a path with 404 instead (see `api::todos`).
#[cfg(feature = "ssr")]
pub fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim())
        .map_err(|_| AppError::Invalid("That todo id is not valid.".into()).in_field("id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_1_to_500_characters_of_any_script() {
        assert_eq!(
            TodoTitle::parse("  Buy milk \n").unwrap().as_str(),
            "Buy milk"
        );
        assert!(TodoTitle::parse("   ").is_err());
        assert!(TodoTitle::parse(&"é".repeat(500)).is_ok());
        assert!(TodoTitle::parse(&"é".repeat(501)).is_err());
        assert_eq!(
            TodoTitle::parse("写信给妈妈 ✉️").unwrap().as_str(),
            "写信给妈妈 ✉️"
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
    }
}
