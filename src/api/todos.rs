//! `/api/v1/todos`: the caller's todos, through the same rules
//! ([`TodoTitle`], [`TodoChanges`], [`ListQuery`]) and the same
//! user-scoped queries ([`store`]) as the web pages.

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
    extract::{ApiJson, Authenticated},
    problem::{
        BadRequest, JsonBodyRefusals, NotFound, Problem, TodoLimitReached, Unauthorized,
        Unprocessable,
    },
};
use crate::{
    db::Db,
    error::AppError,
    todos::{ListQuery, TodoChanges, TodoLimit, TodoTitle, parse_id, store},
};

pub const TAG: &str = "todos";

#[derive(Serialize, ToSchema)]
pub struct Todo {
    pub id: Uuid,
    #[schema(example = "Buy oat milk")]
    pub title: String,
    pub completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<store::TodoRecord> for Todo {
    fn from(record: store::TodoRecord) -> Self {
        Self {
            id: record.id,
            title: record.title,
            completed: record.completed,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// One page of todos, newest first.
#[derive(Serialize, ToSchema)]
pub struct TodoList {
    pub items: Vec<Todo>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Which todos: `all` (also when empty or absent), `active` or
    /// `completed`.
    #[param(value_type = Option<String>, pattern = "^(|all|active|completed)$")]
    pub filter: Option<String>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    pub cursor: Option<String>,
    /// Todos per page, 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTodo {
    /// At most 500 characters once surrounding whitespace is trimmed, and
    /// not blank. (No `maxLength`: it would count the whitespace.)
    #[schema(example = "Buy oat milk", min_length = 1)]
    pub title: String,
}

/// Send a new title, a completed state, or both.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    /// At most 500 characters once surrounding whitespace is trimmed, and
    /// not blank.
    #[schema(min_length = 1)]
    pub title: Option<String>,
    pub completed: Option<bool>,
}

/// A todo id from the path. A path whose id is not one names no todo: 404,
/// where the same text in a form field is refused as input (422).
fn todo_id(id: &str) -> Result<Uuid, Problem> {
    parse_id(id).map_err(|_| AppError::NotFound.into())
}

fn location(id: Uuid) -> HeaderValue {
    HeaderValue::from_str(&format!("{PREFIX}/todos/{id}")).expect("a path is a valid header value")
}

/// List your todos, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/todos",
    tag = TAG,
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of your todos.", body = TodoList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn list(
    State(db): State<Db>,
    Authenticated(session): Authenticated,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<TodoList>, Problem> {
    let Query(params) = params.map_err(|_| {
        Problem::from_status(
            StatusCode::BAD_REQUEST,
            "The query string could not be read; use filter, cursor and limit once each.",
        )
    })?;
    let query = ListQuery::parse(
        params.filter.as_deref(),
        params.cursor.as_deref(),
        params.limit.as_deref(),
    )?;
    let page = store::list(&db, session.user_id, &query).await?;
    Ok(Json(TodoList {
        items: page.items.into_iter().map(Todo::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a todo.
#[utoipa::path(
    post,
    path = "/api/v1/todos",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewTodo,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Created.", body = Todo,
            headers(("Location" = String, description = "The new todo's address"))),
        (status = 401, response = Unauthorized),
        (status = 409, response = TodoLimitReached),
    )
)]
pub async fn create(
    State(db): State<Db>,
    State(limit): State<TodoLimit>,
    Authenticated(session): Authenticated,
    ApiJson(new): ApiJson<NewTodo>,
) -> Result<Response, Problem> {
    let title = TodoTitle::parse(&new.title)?;
    let todo = store::create(&db, session.user_id, &title, limit).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location(todo.id))],
        Json(Todo::from(todo)),
    )
        .into_response())
}

/// One of your todos.
#[utoipa::path(
    get,
    path = "/api/v1/todos/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The todo's id")),
    responses(
        (status = 200, description = "The todo.", body = Todo),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(db): State<Db>,
    Authenticated(session): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Todo>, Problem> {
    let record = store::get(&db, session.user_id, todo_id(&id)?).await?;
    Ok(Json(record.into()))
}

/// Change a todo's title, completed state, or both.
#[utoipa::path(
    patch,
    path = "/api/v1/todos/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The todo's id")),
    request_body = TodoPatch,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The todo as changed.", body = Todo),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn update(
    State(db): State<Db>,
    Authenticated(session): Authenticated,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<TodoPatch>,
) -> Result<Json<Todo>, Problem> {
    let id = todo_id(&id)?;
    let changes = TodoChanges::parse(patch.title.as_deref(), patch.completed)?;
    let record = store::update(&db, session.user_id, id, &changes).await?;
    Ok(Json(record.into()))
}

/// Delete a todo.
#[utoipa::path(
    delete,
    path = "/api/v1/todos/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The todo's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete(
    State(db): State<Db>,
    Authenticated(session): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    store::delete(&db, session.user_id, todo_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
