//! The server's side of the todo input rules: a new todo and a change as
//! checked, ids as forms and paths send them, and the cap on todos per
//! account.

use super::{Notes, Priority, TodoTitle, repeat::Repeat};
use crate::{error::AppError, reminders::Reminders};

/// How many todos one account may keep (`MAX_TODOS_PER_USER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TodoLimit(pub u32);

impl TodoLimit {
    /// Whether an account holding `count` todos may add `adding` more: the
    /// one check of the cap, whichever path adds (create, import, undo).
    pub fn admits(self, count: i64, adding: i64) -> bool {
        count.saturating_add(adding) <= i64::from(self.0)
    }
}

/// A new todo, checked: its title, and where and when it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTodo {
    pub title: TodoTitle,
    /// `None`: the Inbox.
    pub list: Option<uuid::Uuid>,
    pub notes: Notes,
    pub priority: Priority,
    pub due: Option<crate::calendar::Due>,
    /// Checked against `due` ([`Repeat::fits`]).
    pub repeat: Option<Repeat>,
    /// They remind only while the todo has a due date.
    pub reminders: Reminders,
}

impl NewTodo {
    pub fn titled(title: TodoTitle) -> Self {
        Self {
            title,
            list: None,
            notes: Notes::default(),
            priority: Priority::None,
            due: None,
            repeat: None,
            reminders: Reminders::default(),
        }
    }
}

/// A change to one todo: any of its fields; at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TodoChanges {
    pub title: Option<TodoTitle>,
    pub completed: Option<bool>,
    pub notes: Option<Notes>,
    pub priority: Option<Priority>,
    /// `Some(None)` clears the due date.
    pub due: Option<Option<crate::calendar::Due>>,
    /// Moves the todo to the top of this list.
    pub list: Option<uuid::Uuid>,
    /// `Some(None)` stops the repeat; clearing the due date does too.
    pub repeat: Option<Option<Repeat>>,
    /// Replaces the todo's reminders (empty: none).
    pub reminders: Option<Reminders>,
}

impl TodoChanges {
    pub fn parse(title: Option<&str>, completed: Option<bool>) -> Result<Self, AppError> {
        Self {
            title: title.map(TodoTitle::parse).transpose()?,
            completed,
            ..Self::default()
        }
        .checked()
    }

    /// Refuses a change that changes nothing.
    pub fn checked(self) -> Result<Self, AppError> {
        if self == Self::default() {
            return Err(AppError::Invalid(
                "Nothing to change: send a title, a completed state, notes, a priority, a due \
                 date, a repeat, reminders or a list."
                    .into(),
            ));
        }
        Ok(self)
    }
}

/// A todo or list id sent as a form field. Text that is not an id is
/// refused as input; the JSON API, where the id is part of the address,
/// answers such a path with 404 instead (see `api::todos`).
pub fn parse_id(id: &str) -> Result<uuid::Uuid, AppError> {
    parse_id_in(id, "id")
}

/// As [`parse_id`], naming the field at fault.
pub fn parse_id_in(id: &str, field: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim())
        .map_err(|_| AppError::Invalid("That id is not valid.".into()).in_field(field))
}

/// An id a form may leave out or send empty (a neighbour, a list).
pub fn parse_optional_id(id: Option<&str>, field: &str) -> Result<Option<uuid::Uuid>, AppError> {
    id.filter(|id| !id.trim().is_empty())
        .map(|id| parse_id_in(id, field))
        .transpose()
}
