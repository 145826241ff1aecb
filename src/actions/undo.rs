//! The undo endpoint of the pages, `POST /api/todos/undo`, behind the
//! Undo button of a delete's message (or its form, without JavaScript).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    auth::request::todo_session,
    context,
    todos::{TodoLimit, parse_id_in},
};

/// Puts back what the caller's undo batch `batch` deleted; answers what
/// was restored ("Restored 3 todos."). Another user's batch is refused
/// like an unknown one.
#[server(prefix = "/api", endpoint = "todos/undo")]
pub async fn undo(batch: String) -> Result<String, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let batch = parse_id_in(&batch, "batch").map_err(|_| AppError::NotFound)?;
        let limit = context::provided::<TodoLimit>("todo limit")?;
        let undone =
            crate::undo::store::undo(&context::db()?, session.user_id, batch, limit).await?;
        context::return_to_referer_without(&[crate::undo::UNDO_QUERY_KEY]);
        Ok(undone.message())
    })
    .await
}

/// The message of the caller's batch `batch` while it can be undone, for
/// the notice of a page a delete returned to without JavaScript; `None`
/// for anything else (undone, expired, another user's, not an id).
#[server(prefix = "/api", endpoint = "todos/undo-notice")]
pub async fn undo_notice(batch: String) -> Result<Option<crate::undo::Undoable>, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let Ok(batch) = parse_id_in(&batch, "batch") else {
            return Ok(None);
        };
        Ok(crate::undo::store::find(&context::db()?, session.user_id, batch).await?)
    })
    .await
}
