//! Undo for deletes: deleting a todo, clearing completed todos and deleting
//! a list each keep what they removed (or moved) in an undo batch of their
//! owner's, which [`store::undo`] puts back exactly as it was, within the
//! undo window. Batches past it are purged in the background, so deleted
//! data does not linger. Batches are scoped to their owner like todos:
//! another user's batch id answers like an unknown one.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod deletes;
#[cfg(feature = "ssr")]
pub mod store;

/// The query parameter that shows a page's "Undo" notice without
/// JavaScript: the id of the batch the delete just made.
pub const UNDO_QUERY_KEY: &str = "undo";

/// What a delete answers: the batch that undoes it and what to tell the
/// user beside the Undo button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undoable {
    pub batch: String,
    /// "Deleted “Buy milk”."
    pub message: String,
}

/// Defined with the rest of the configuration, which reads it.
#[cfg(feature = "ssr")]
pub use crate::config::UndoWindow;

/// How the messages name a todo: its title, shortened past 60 characters.
pub fn quoted(title: &str) -> String {
    const SHOWN: usize = 60;
    let mut shown: String = title.chars().take(SHOWN).collect();
    if title.chars().count() > SHOWN {
        shown.push('\u{2026}');
    }
    format!("\u{201c}{shown}\u{201d}")
}

/// "1 todo", "3 todos".
pub fn todos_counted(count: u64) -> String {
    format!("{count} todo{}", if count == 1 { "" } else { "s" })
}
