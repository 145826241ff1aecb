//! A user's lists: the Inbox every account has, and the lists they make,
//! rename, order and delete. Lists are scoped to their owner exactly like
//! todos: every query names the owner, so another user's list id answers
//! like an unknown one. Queries are in [`store`], the pages' endpoints in
//! [`crate::actions::lists`].

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod store;

pub const MAX_LIST_NAME_CHARS: usize = 100;
/// More lists than anyone organises a life with; past it, making one is
/// refused with a message.
pub const MAX_LISTS_PER_USER: i64 = 200;
/// The name every account's first list has.
pub const INBOX_NAME: &str = "Inbox";

/// A list as the sidebar shows it: its name and how many of its todos are
/// open, of how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSummary {
    pub id: String,
    pub name: String,
    pub inbox: bool,
    pub open: i64,
    pub total: i64,
}

impl ListSummary {
    /// The page that shows this list.
    pub fn href(&self) -> String {
        if self.inbox {
            "/todos".to_owned()
        } else {
            format!("/todos?list={}", self.id)
        }
    }
}

#[cfg(feature = "ssr")]
/// A list named by its id, or the owner's Inbox (`list=inbox`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRef {
    Inbox,
    Id(uuid::Uuid),
}

#[cfg(feature = "ssr")]
impl ListRef {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "inbox" => Ok(ListRef::Inbox),
            id => uuid::Uuid::parse_str(id).map(ListRef::Id).map_err(|_| {
                AppError::Invalid("That list id is not valid.".into()).in_field("list")
            }),
        }
    }
}

/// What happens to the todos of a list that is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TodosOnDelete {
    Delete,
    /// To the top of the Inbox, in their order.
    Move,
}

impl TodosOnDelete {
    #[cfg(feature = "ssr")]
    pub fn parse(text: Option<&str>) -> Result<Option<Self>, AppError> {
        match text.map(str::trim).unwrap_or_default() {
            "" => Ok(None),
            "delete" => Ok(Some(TodosOnDelete::Delete)),
            "move" => Ok(Some(TodosOnDelete::Move)),
            _ => Err(AppError::Invalid(
                "Say what happens to the list's todos: delete or move (to the Inbox).".into(),
            )
            .in_field("todos")),
        }
    }
}

/// A list's name: trimmed, 1 to 100 characters, unique among the owner's
/// lists whatever its case (so a CSV's list column names one list).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListName(String);

#[cfg(feature = "ssr")]
impl ListName {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        crate::error::refuse_nul(input, "name")?;
        let name = input.trim();
        let chars = name.chars().count();
        let refuse = |message: String| Err(AppError::Invalid(message).in_field("name"));
        if chars == 0 {
            refuse("A list needs a name.".into())
        } else if chars > MAX_LIST_NAME_CHARS {
            refuse(format!(
                "Keep the name to {MAX_LIST_NAME_CHARS} characters (this one has {chars})."
            ))
        } else {
            Ok(Self(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness is checked on: the name in lower case, the same on
    /// both databases (SQLite's `lower` knows only ASCII).
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn list_names_are_trimmed_and_compared_without_case() {
        let name = ListName::parse("  Ärger & Co ").unwrap();
        assert_eq!(name.as_str(), "Ärger & Co");
        assert_eq!(name.key(), "ärger & co");
        assert_eq!(ListName::parse("  ").unwrap_err().field(), Some("name"));
        assert!(ListName::parse(&"x".repeat(101)).is_err());
        assert_eq!(
            TodosOnDelete::parse(Some("move")).unwrap(),
            Some(TodosOnDelete::Move)
        );
        assert_eq!(TodosOnDelete::parse(None).unwrap(), None);
        assert!(TodosOnDelete::parse(Some("keep")).is_err());
    }
}
