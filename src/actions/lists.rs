//! The list endpoints of the pages, at fixed addresses under `/api/lists/`.
//! Each re-checks the session and passes its user to the queries.

use leptos::prelude::*;

use crate::lists::ListSummary;
#[cfg(feature = "ssr")]
use crate::lists::{ListName, TodosOnDelete, store};
#[cfg(feature = "ssr")]
use crate::{
    auth::request::todo_session,
    context,
    todos::{parse_id_in, parse_optional_id},
    undo::{UNDO_QUERY_KEY, UndoWindow},
};
use crate::{error::AppError, undo::Undoable};

/// The caller's lists, the Inbox first, with their counts.
#[server(prefix = "/api", endpoint = "lists/all")]
pub async fn all_lists() -> Result<Vec<ListSummary>, AppError> {
    context::respond(async {
        let session = todo_session()?;
        Ok(store::summaries(&context::db()?, session.user_id).await?)
    })
    .await
}

/// The summary of a list just made, which has no todos yet.
#[cfg(feature = "ssr")]
fn fresh(record: store::ListRecord) -> ListSummary {
    ListSummary {
        id: record.id.to_string(),
        name: record.name,
        inbox: record.is_inbox,
        open: 0,
        total: 0,
    }
}

/// Makes a list at the end of the caller's lists. A form posted without
/// JavaScript then goes to the new list.
#[server(prefix = "/api", endpoint = "lists/create")]
pub async fn create_list(name: String) -> Result<ListSummary, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let name = ListName::parse(&name)?;
        let list = fresh(store::create(&context::db()?, session.user_id, &name).await?);
        if crate::error::is_plain_form_post() {
            leptos_axum::redirect(&list.href());
        }
        Ok(list)
    })
    .await
}

#[server(prefix = "/api", endpoint = "lists/rename")]
pub async fn rename_list(id: String, name: String) -> Result<(), AppError> {
    context::respond(async {
        let session = todo_session()?;
        let id = parse_id_in(&id, "id")?;
        let name = ListName::parse(&name)?;
        store::rename(&context::db()?, session.user_id, id, &name).await?;
        context::return_to_referer_without(&["rename"]);
        Ok(())
    })
    .await
}

/// Places a list directly before `before` and/or after `after` (ids of the
/// caller's other lists), or first after the Inbox.
#[server(prefix = "/api", endpoint = "lists/move")]
pub async fn move_list(
    id: String,
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<(), AppError> {
    context::respond(async {
        let session = todo_session()?;
        let id = parse_id_in(&id, "id")?;
        let before = parse_optional_id(before.as_deref(), "before")?;
        let after = parse_optional_id(after.as_deref(), "after")?;
        store::move_list(&context::db()?, session.user_id, id, before, after).await?;
        Ok(())
    })
    .await
}

/// Deletes a list. One with todos is only deleted when `todos` says what
/// becomes of them: `delete`, or `move` (to the Inbox).
#[server(prefix = "/api", endpoint = "lists/delete")]
pub async fn delete_list(
    id: String,
    #[server(default)] todos: Option<String>,
) -> Result<Undoable, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let id = parse_id_in(&id, "id")?;
        let todos = TodosOnDelete::parse(todos.as_deref())?;
        let window = context::provided::<UndoWindow>("undo window")?;
        let deleted =
            crate::undo::deletes::delete_list(&context::db()?, session.user_id, id, todos, window)
                .await?;
        context::return_to_referer_changed(
            &["delete"],
            &[(UNDO_QUERY_KEY, deleted.undo.batch.as_str())],
        );
        Ok(deleted.undo)
    })
    .await
}
