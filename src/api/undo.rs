//! `/api/v1/undo/{batch}`: puts back what a delete removed, within the
//! undo window. A delete names its batch in the `Undo-Batch` header.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    extract::TodoSession,
    problem::{Conflict, EmailUnconfirmed, NotFound, Problem, Unauthorized},
};
use crate::{
    db::Db,
    error::AppError,
    todos::{TodoLimit, parse_id},
    undo::{Undoable, store},
};

/// The header a delete's answer names its undo batch in.
pub const UNDO_BATCH_HEADER: HeaderName = HeaderName::from_static("undo-batch");

/// A delete's answer: 204, with the batch that undoes it.
pub fn deleted(undoable: &Undoable) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(batch) = HeaderValue::from_str(&undoable.batch) {
        response.headers_mut().insert(UNDO_BATCH_HEADER, batch);
    }
    response
}

/// What an undo put back.
#[derive(Serialize, ToSchema)]
pub struct Undone {
    /// What the delete did, e.g. "Deleted “Buy oat milk”."
    pub undid: String,
    pub todos_restored: u64,
    pub lists_restored: u64,
}

/// Undo a delete: a todo, the completed todos, or a list (with its todos,
/// or moving them back from the Inbox). Everything comes back exactly as it
/// was, ids and timestamps included.
#[utoipa::path(
    post,
    path = "/api/v1/undo/{batch}",
    tag = super::todos::TAG,
    security(("bearer" = [])),
    params(("batch" = Uuid, Path, description = "The delete's `Undo-Batch` header")),
    responses(
        (status = 200, description = "Put back.", body = Undone),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn undo(
    State(db): State<Db>,
    State(limit): State<TodoLimit>,
    TodoSession(session): TodoSession,
    Path(batch): Path<String>,
) -> Result<Json<Undone>, Problem> {
    let batch = parse_id(&batch).map_err(|_| Problem::from(AppError::NotFound))?;
    let undone = store::undo(&db, session.user_id, batch, limit).await?;
    Ok(Json(Undone {
        undid: undone.summary,
        todos_restored: undone.todos,
        lists_restored: undone.lists,
    }))
}
