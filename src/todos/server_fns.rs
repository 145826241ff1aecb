//! The todo endpoints of the list page, at fixed addresses under
//! `/api/todos/`. Each re-checks the session and passes its user to the
//! queries, which name the owner in every statement.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{EDIT_QUERY_KEY, ListQuery, TodoChanges, TodoLimit, TodoTitle, parse_id, store};
use super::{SentText, Todo, TodoListing, TodoPage, TodoTotals};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth::request::session, context};

/// One page of the caller's todos, newest first.
#[server(prefix = "/api", endpoint = "todos/list")]
pub async fn list_todos(
    filter: Option<String>,
    cursor: Option<String>,
) -> Result<TodoPage, AppError> {
    context::respond(async {
        let session = session()?;
        let query = ListQuery::parse(filter.as_deref(), cursor.as_deref(), None)?;
        store::list(&context::db()?, session.user_id, &query)
            .await
            .map(TodoPage::from)
    })
    .await
}

/// One page of the caller's todos and their totals in one call: what the
/// list page loads, first and again after every change.
#[server(prefix = "/api", endpoint = "todos/listing")]
pub async fn list_with_totals(
    filter: Option<String>,
    cursor: Option<String>,
) -> Result<TodoListing, AppError> {
    context::respond(async {
        let session = session()?;
        let query = ListQuery::parse(filter.as_deref(), cursor.as_deref(), None)?;
        let db = context::db()?;
        let page = store::list(&db, session.user_id, &query).await?;
        let totals = store::stats(&db, session.user_id).await?;
        Ok(TodoListing {
            page: page.into(),
            totals,
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "todos/create")]
pub async fn create_todo(title: String) -> Result<Todo, AppError> {
    context::respond(async {
        let session = session()?;
        let title = TodoTitle::parse(&title)?;
        let limit = context::provided::<TodoLimit>("todo limit")?;
        store::create(&context::db()?, session.user_id, &title, limit)
            .await
            .map(Todo::from)
    })
    .await
}

/// Changes the title, the completed state, or both.
#[server(prefix = "/api", endpoint = "todos/update")]
pub async fn update_todo(
    id: String,
    #[server(default)] title: SentText,
    completed: Option<bool>,
) -> Result<Todo, AppError> {
    context::respond(async {
        let session = session()?;
        let id = parse_id(&id)?;
        let changes = TodoChanges::parse(title.as_deref(), completed)?;
        let updated = store::update(&context::db()?, session.user_id, id, &changes).await?;
        // Without JavaScript, a title is edited on `/todos?edit=<id>`; once
        // saved, the list goes back to showing rows.
        context::return_to_referer_without(EDIT_QUERY_KEY);
        Ok(Todo::from(updated))
    })
    .await
}

#[server(prefix = "/api", endpoint = "todos/delete")]
pub async fn delete_todo(id: String) -> Result<(), AppError> {
    context::respond(async {
        let session = session()?;
        let id = parse_id(&id)?;
        store::delete(&context::db()?, session.user_id, id).await
    })
    .await
}

/// Marks every todo of the caller done, or not done.
#[server(prefix = "/api", endpoint = "todos/toggle-all")]
pub async fn toggle_all(completed: bool) -> Result<(), AppError> {
    context::respond(async {
        let session = session()?;
        store::set_all_completed(&context::db()?, session.user_id, completed).await
    })
    .await
}

/// Deletes the caller's completed todos; returns how many went.
#[server(prefix = "/api", endpoint = "todos/clear-completed")]
pub async fn clear_completed() -> Result<u64, AppError> {
    context::respond(async {
        let session = session()?;
        store::clear_completed(&context::db()?, session.user_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "todos/stats")]
pub async fn todo_stats() -> Result<TodoTotals, AppError> {
    context::respond(async {
        let session = session()?;
        store::stats(&context::db()?, session.user_id).await
    })
    .await
}
