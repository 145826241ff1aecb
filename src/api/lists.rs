//! `/api/v1/lists`: the caller's lists, through the same rules
//! ([`ListName`], [`TodosOnDelete`]) and user-scoped queries ([`store`])
//! as the pages. Another user's list id answers like an unknown one.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    PREFIX,
    extract::{ApiJson, TodoSession},
    problem::{
        BadRequest, Conflict, EmailUnconfirmed, JsonBodyRefusals, NotFound, Problem, Unauthorized,
        Unprocessable,
    },
};
use crate::{
    db::Db,
    error::AppError,
    lists::{ListName, ListRef, TodosOnDelete, store},
    undo::UndoWindow,
};

pub const TAG: &str = "lists";

#[derive(Serialize, ToSchema)]
pub struct List {
    pub id: Uuid,
    #[schema(example = "Groceries")]
    pub name: String,
    /// Every account has exactly one Inbox: it comes first, keeps its name,
    /// and is where new todos go unless they name a list.
    pub inbox: bool,
    /// Where it stands among your lists (after the Inbox): lists sort by
    /// this text byte by byte.
    #[schema(example = "a1")]
    pub position: String,
    /// Todos in it not yet done.
    pub open_count: i64,
    /// All todos in it.
    pub todo_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<store::ListRow> for List {
    fn from(row: store::ListRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            inbox: row.is_inbox,
            position: row.position,
            open_count: row.open,
            todo_count: row.total,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// All your lists, the Inbox first, then in your order.
#[derive(Serialize, ToSchema)]
pub struct Lists {
    pub items: Vec<List>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewList {
    /// 1 to 100 characters once trimmed, unique among your lists whatever
    /// its case.
    #[schema(example = "Groceries", min_length = 1)]
    pub name: String,
}

/// A new name, a new place among your lists, or both.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPatch {
    #[schema(min_length = 1)]
    pub name: Option<String>,
    /// The list that will come right after it.
    pub before: Option<Uuid>,
    /// The list that will come right before it.
    pub after: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// What becomes of the list's todos: `delete` them, or `move` them to
    /// the top of the Inbox. Needed only when the list has todos.
    #[param(value_type = Option<String>, pattern = "^(|delete|move)$")]
    pub todos: Option<String>,
}

/// A list from the path: an id, or `inbox`. Anything else names no list.
fn list_ref(id: &str) -> Result<ListRef, Problem> {
    ListRef::parse(id).map_err(|_| AppError::NotFound.into())
}

async fn row(db: &Db, user_id: Uuid, list: ListRef) -> Result<store::ListRow, Problem> {
    let id = store::find(db, user_id, list).await?.id;
    store::rows(db, user_id)
        .await?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or_else(|| AppError::NotFound.into())
}

/// Your lists with their counts.
#[utoipa::path(
    get,
    path = "/api/v1/lists",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All your lists.", body = Lists),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
    )
)]
pub async fn list(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
) -> Result<Json<Lists>, Problem> {
    let rows = store::rows(&db, session.user_id).await?;
    Ok(Json(Lists {
        items: rows.into_iter().map(List::from).collect(),
    }))
}

/// Make a list, after your others.
#[utoipa::path(
    post,
    path = "/api/v1/lists",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewList,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Created.", body = List,
            headers(("Location" = String, description = "The new list's address"))),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 409, response = Conflict),
    )
)]
pub async fn create(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    ApiJson(body): ApiJson<NewList>,
) -> Result<Response, Problem> {
    let name = ListName::parse(&body.name)?;
    let created = store::create(&db, session.user_id, &name).await?;
    let location = HeaderValue::from_str(&format!("{PREFIX}/lists/{}", created.id))
        .map_err(AppError::internal)?;
    let list = row(&db, session.user_id, ListRef::Id(created.id)).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(List::from(list)),
    )
        .into_response())
}

/// One of your lists (`inbox` names your Inbox).
#[utoipa::path(
    get,
    path = "/api/v1/lists/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The list's id, or `inbox`")),
    responses(
        (status = 200, description = "The list.", body = List),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
) -> Result<Json<List>, Problem> {
    let list = row(&db, session.user_id, list_ref(&id)?).await?;
    Ok(Json(list.into()))
}

/// Rename a list, move it among your lists, or both. The Inbox keeps its
/// name and its place.
#[utoipa::path(
    patch,
    path = "/api/v1/lists/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The list's id")),
    request_body = ListPatch,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The list as changed.", body = List),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn update(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ListPatch>,
) -> Result<Json<List>, Problem> {
    let id = store::find(&db, session.user_id, list_ref(&id)?).await?.id;
    let name = patch.name.as_deref().map(ListName::parse).transpose()?;
    let moves = patch.before.is_some() || patch.after.is_some();
    if name.is_none() && !moves {
        return Err(AppError::Invalid(
            "Nothing to change: send a name, or before or after to move the list.".into(),
        )
        .into());
    }
    if let Some(name) = &name {
        store::rename(&db, session.user_id, id, name).await?;
    }
    if moves {
        store::move_list(&db, session.user_id, id, patch.before, patch.after).await?;
    }
    Ok(Json(
        row(&db, session.user_id, ListRef::Id(id)).await?.into(),
    ))
}

/// Delete a list. One that has todos needs `todos` to say what becomes of
/// them; the Inbox cannot be deleted.
#[utoipa::path(
    delete,
    path = "/api/v1/lists/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The list's id"), DeleteParams),
    responses(
        (status = 204, description = "Deleted, with its todos deleted or moved.",
            headers(("Undo-Batch" = Uuid, description = "Undoes the delete: `POST /api/v1/undo/{batch}`, for a minute or so"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn delete(
    State(db): State<Db>,
    State(window): State<UndoWindow>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
    params: Result<Query<DeleteParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(params) = params.map_err(|_| {
        Problem::from_status(
            StatusCode::BAD_REQUEST,
            "The query string could not be read; send todos once.",
        )
    })?;
    let id = store::find(&db, session.user_id, list_ref(&id)?).await?.id;
    let todos = TodosOnDelete::parse(params.todos.as_deref())?;
    let deleted =
        crate::undo::deletes::delete_list(&db, session.user_id, id, todos, window).await?;
    Ok(super::undo::deleted(&deleted.undo))
}
