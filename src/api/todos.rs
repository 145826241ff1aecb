//! `/api/v1/todos`: the caller's todos, through the same rules
//! ([`TodoTitle`], [`Notes`], [`Due`], [`ListQuery`]) and the same
//! user-scoped queries ([`store`]) as the web pages.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    PREFIX,
    extract::{ApiJson, TodoSession},
    problem::{
        BadRequest, EmailUnconfirmed, JsonBodyRefusals, NotFound, Problem, TodoLimitReached,
        Unauthorized, Unprocessable,
    },
};
use crate::{
    calendar::{Clock, Due, TimeZone},
    db::Db,
    error::AppError,
    reminders::{self, ReminderJson, Reminders},
    todos::{
        ListQuery, NewTodo, Notes, PageParams, Priority, RepeatFrom, TodoChanges, TodoLimit,
        TodoTitle, parse_id,
        quick_add::{self, DateOrder, Part},
        repeat::{RepeatJson, Rule},
        store,
    },
    undo::UndoWindow,
};

pub const TAG: &str = "todos";

#[derive(Serialize, ToSchema)]
pub struct Todo {
    pub id: Uuid,
    #[schema(example = "Buy oat milk")]
    pub title: String,
    pub completed: bool,
    /// The list the todo is in.
    pub list_id: Uuid,
    /// When it is due: a date (`2026-12-24`), or a date and time with the
    /// offset of your time zone then (`2026-12-24T15:00:00+01:00`).
    #[schema(example = "2026-12-24")]
    pub due: Option<String>,
    pub priority: Priority,
    /// Up to 10,000 characters; line breaks kept, never read as HTML.
    pub notes: String,
    /// How it repeats: completing it makes the next one. `null` when it
    /// does not.
    pub repeat: Option<RepeatJson>,
    /// The next occurrence that completing this repeating todo made, once
    /// it has (completing it again makes no other).
    pub next_id: Option<Uuid>,
    /// When it reminds you, earliest last; they remind only while it has
    /// a due date and is not completed.
    pub reminders: Vec<ReminderJson>,
    /// Where it stands in its list's manual order: todos sort by this text
    /// byte by byte. Change it with `POST /api/v1/todos/{id}/move`.
    #[schema(example = "a0V")]
    pub position: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Todo {
    pub fn of(record: store::TodoRecord, zone: TimeZone) -> Self {
        Self {
            due: record.due().map(|due| due.to_rfc3339(zone)),
            repeat: record.repeat().map(|repeat| RepeatJson::of(&repeat)),
            next_id: record.next_id,
            reminders: record.reminders().json(),
            priority: record.priority(),
            id: record.id,
            title: record.title,
            completed: record.completed,
            list_id: record.list_id,
            notes: record.notes,
            position: record.position,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// One page of todos.
#[derive(Serialize, ToSchema)]
pub struct TodoList {
    pub items: Vec<Todo>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The page parameters ([`PageParams`]) and `limit`, as the OpenAPI
/// document describes them (utoipa cannot describe a flattened struct's
/// parameters).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this list's todos (a list id, or `inbox`), in its manual order
    /// unless `sort` says otherwise. Without it, all your todos, newest
    /// first.
    pub list: Option<String>,
    /// `today` (due today, and overdue ones still open) or `upcoming`
    /// (due today or in the next 6 days), soonest first, in your time zone.
    #[param(value_type = Option<String>, pattern = "^(|today|upcoming)$")]
    pub view: Option<String>,
    /// Words to find in titles and notes (each also as the start of a
    /// word), newest first; at most 200 characters.
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<String>,
    /// Which todos: `all` (also when empty or absent), `active` or
    /// `completed`.
    #[param(value_type = Option<String>, pattern = "^(|all|active|completed)$")]
    pub filter: Option<String>,
    /// With `list`: `manual` (the default), `priority` (most important
    /// first) or `newest`.
    #[param(value_type = Option<String>, pattern = "^(|manual|priority|newest)$")]
    pub sort: Option<String>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    pub cursor: Option<String>,
    /// Todos per page, 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

impl From<ListParams> for PageParams {
    fn from(params: ListParams) -> Self {
        let ListParams {
            list,
            view,
            q,
            filter,
            sort,
            cursor,
            limit: _,
        } = params;
        PageParams {
            list,
            view,
            q,
            filter,
            sort,
            cursor,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTodoBody {
    /// At most 500 characters once surrounding whitespace is trimmed, and
    /// not blank. (No `maxLength`: it would count the whitespace.)
    #[schema(example = "Buy oat milk", min_length = 1)]
    pub title: String,
    /// One of your lists; the Inbox when absent.
    pub list_id: Option<Uuid>,
    /// A date (`2026-12-24`) or a date and time (`2026-12-24T15:00:00+01:00`;
    /// without an offset, your time zone's wall clock).
    #[schema(example = "2026-12-24")]
    pub due: Option<String>,
    pub priority: Option<Priority>,
    /// Up to 10,000 characters.
    pub notes: Option<String>,
    /// Makes it repeat; it then needs a `due` date.
    pub repeat: Option<RepeatJson>,
    /// At most 5. Absent: your default reminder when it has a `due` date
    /// (none unless you chose one); `[]`: none.
    #[schema(max_items = 5)]
    pub reminders: Option<Vec<ReminderJson>>,
}

/// Send any of the fields to change; at least one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    /// At most 500 characters once surrounding whitespace is trimmed, and
    /// not blank.
    #[schema(min_length = 1)]
    pub title: Option<String>,
    pub completed: Option<bool>,
    /// Moves the todo to the top of this list (one of yours).
    pub list_id: Option<Uuid>,
    /// A date or a date and time, as for a new todo; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub due: Option<Option<String>>,
    pub priority: Option<Priority>,
    /// Up to 10,000 characters; empty clears them.
    pub notes: Option<String>,
    /// Makes it repeat (it needs a due date); `null` stops it. Clearing
    /// `due` stops it too.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<RepeatJson>, nullable)]
    pub repeat: Option<Option<RepeatJson>>,
    /// Replaces its reminders (at most 5); `[]` removes them.
    #[schema(max_items = 5)]
    pub reminders: Option<Vec<ReminderJson>>,
}

/// Where a todo goes: between the todos `after` and `before` (its new
/// neighbours; one of them is enough), in `list_id` or its own list. With
/// neither neighbour, to the top.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoMove {
    pub list_id: Option<Uuid>,
    /// The todo that will come right after it.
    pub before: Option<Uuid>,
    /// The todo that will come right before it.
    pub after: Option<Uuid>,
}

/// A field that is absent stays `None`; one that is `null` is `Some(None)`.
pub(super) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A todo id from the path. A path whose id is not one names no todo: 404,
/// where the same text in a form field is refused as input (422).
fn todo_id(id: &str) -> Result<Uuid, Problem> {
    parse_id(id).map_err(|_| AppError::NotFound.into())
}

fn location(id: Uuid) -> HeaderValue {
    HeaderValue::from_str(&format!("{PREFIX}/todos/{id}")).expect("a path is a valid header value")
}

/// List your todos a page at a time: all of them newest first, one list in
/// its order, a dated view, or the matches of a search.
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
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn list(
    State(db): State<Db>,
    State(clock): State<Clock>,
    TodoSession(session): TodoSession,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<TodoList>, Problem> {
    let Query(params) = params.map_err(|_| {
        Problem::from_status(
            StatusCode::BAD_REQUEST,
            "The query string could not be read; send each parameter once.",
        )
    })?;
    let limit = params.limit.clone();
    let query = ListQuery::parse(&params.into(), limit.as_deref())?;
    let today = clock.today_in(session.time_zone);
    let page = store::list(&db, session.user_id, &query, today).await?;
    Ok(Json(TodoList {
        items: page
            .items
            .into_iter()
            .map(|record| Todo::of(record, session.time_zone))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a todo, at the top of its list.
#[utoipa::path(
    post,
    path = "/api/v1/todos",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewTodoBody,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Created.", body = Todo,
            headers(("Location" = String, description = "The new todo's address"))),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 409, response = TodoLimitReached),
    )
)]
pub async fn create(
    State(db): State<Db>,
    State(limit): State<TodoLimit>,
    TodoSession(session): TodoSession,
    ApiJson(body): ApiJson<NewTodoBody>,
) -> Result<Response, Problem> {
    let zone = session.time_zone;
    let due = body
        .due
        .as_deref()
        .map(|due| Due::parse(due, zone))
        .transpose()?;
    let new = NewTodo {
        title: TodoTitle::parse(&body.title)?,
        list: body.list_id,
        notes: Notes::parse(body.notes.as_deref().unwrap_or_default())?,
        priority: body.priority.unwrap_or_default(),
        repeat: body.repeat.map(|repeat| repeat.checked(due)).transpose()?,
        reminders: reminders::store::for_new_todo(
            &db,
            session.user_id,
            body.reminders
                .as_deref()
                .map(Reminders::from_json)
                .transpose()?,
            due.is_some(),
        )
        .await?,
        due,
    };
    let todo = store::create(&db, session.user_id, &new, limit).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location(todo.id))],
        Json(Todo::of(todo, zone)),
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
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
) -> Result<Json<Todo>, Problem> {
    let record = store::get(&db, session.user_id, todo_id(&id)?).await?;
    Ok(Json(Todo::of(record, session.time_zone)))
}

/// Change any of a todo's fields. Completing a repeating todo also makes
/// its next occurrence, in the same transaction; the answer's `next_id`
/// names it.
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
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
        (status = 409, response = TodoLimitReached),
    )
)]
pub async fn update(
    State(db): State<Db>,
    State(clock): State<Clock>,
    State(limit): State<TodoLimit>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<TodoPatch>,
) -> Result<Json<Todo>, Problem> {
    let id = todo_id(&id)?;
    let zone = session.time_zone;
    let due = patch
        .due
        .map(|due| due.as_deref().map(|due| Due::parse(due, zone)).transpose())
        .transpose()?;
    let repeat = match patch.repeat {
        Some(Some(repeat)) => {
            let due = store::due_after(&db, session.user_id, id, due).await?;
            Some(Some(repeat.checked(due)?))
        }
        Some(None) => Some(None),
        None => None,
    };
    let changes = TodoChanges {
        title: patch.title.as_deref().map(TodoTitle::parse).transpose()?,
        completed: patch.completed,
        notes: patch.notes.as_deref().map(Notes::parse).transpose()?,
        priority: patch.priority,
        due,
        list: patch.list_id,
        repeat,
        reminders: patch
            .reminders
            .as_deref()
            .map(Reminders::from_json)
            .transpose()?,
    }
    .checked()?;
    let completing = store::Completing {
        done_at: clock.now(),
        zone,
        limit,
    };
    let record = store::update(&db, session.user_id, id, &changes, completing).await?;
    Ok(Json(Todo::of(record, zone)))
}

/// What quick add reads in a line of text.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseBody {
    /// What a person typed, up to 500 characters: "Pay rent every month on
    /// the 1st at 9am !high #Home".
    #[schema(example = "Pay rent every month on the 1st at 9am !high #Home")]
    pub text: String,
}

/// The todo a line of text describes, ready for `POST /api/v1/todos`.
#[derive(Serialize, ToSchema)]
pub struct ParsedTodo {
    /// The text without the parts recognised.
    pub title: String,
    /// A date, or a date and time, as for a new todo.
    pub due: Option<String>,
    pub repeat: Option<RepeatJson>,
    pub priority: Option<Priority>,
    /// The list `#Name` named (one of yours).
    pub list_id: Option<Uuid>,
    /// What was recognised, where (in characters), so it can be shown and
    /// dismissed.
    pub parts: Vec<Part>,
}

/// Read a line of text as quick add does: dates (`today`, `tomorrow`,
/// weekdays, `next week`, `in 3 days`, `24 dec`, `12/24` in your
/// `Accept-Language`'s order, ISO dates), times (`9am`, `17:30`, `noon`),
/// repeats (`every day|weekday|week|monday|2 weeks|month|month on the
/// 15th|year`), `!high|!medium|!low` and `#List`. Nothing is saved.
#[utoipa::path(
    post,
    path = "/api/v1/todos/parse",
    tag = TAG,
    security(("bearer" = [])),
    request_body = ParseBody,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "What the text says.", body = ParsedTodo),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
    )
)]
pub async fn parse(
    State(db): State<Db>,
    State(clock): State<Clock>,
    TodoSession(session): TodoSession,
    headers: http::HeaderMap,
    ApiJson(body): ApiJson<ParseBody>,
) -> Result<Json<ParsedTodo>, Problem> {
    let zone = session.time_zone;
    let order = DateOrder::from_headers(&headers);
    let (read, list_id) = quick_add::read_for(
        &db,
        session.user_id,
        &body.text,
        clock.today_in(zone),
        order,
        &[],
    )
    .await?;
    let repeat = read
        .repeat
        .as_deref()
        .map(Rule::parse)
        .transpose()?
        .map(|rule| RepeatJson {
            rule: rule.to_string(),
            from: RepeatFrom::Due,
        });
    Ok(Json(ParsedTodo {
        due: read.date.map(|date| {
            Due {
                date,
                time: read.time,
            }
            .to_rfc3339(zone)
        }),
        title: read.title,
        repeat,
        priority: read.priority,
        list_id,
        parts: read.parts,
    }))
}

/// Move a todo within its list, or to another of your lists.
#[utoipa::path(
    post,
    path = "/api/v1/todos/{id}/move",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The todo's id")),
    request_body = TodoMove,
    responses(
        JsonBodyRefusals,
        (status = 200, description = "The todo in its new place.", body = Todo),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
    )
)]
pub async fn move_todo(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TodoMove>,
) -> Result<Json<Todo>, Problem> {
    let id = todo_id(&id)?;
    let record = store::move_todo(
        &db,
        session.user_id,
        id,
        body.list_id,
        body.before,
        body.after,
    )
    .await?;
    Ok(Json(Todo::of(record, session.time_zone)))
}

/// Delete a todo.
#[utoipa::path(
    delete,
    path = "/api/v1/todos/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The todo's id")),
    responses(
        (status = 204, description = "Deleted.",
            headers(("Undo-Batch" = Uuid, description = "Undoes the delete: `POST /api/v1/undo/{batch}`, for a minute or so"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete(
    State(db): State<Db>,
    State(window): State<UndoWindow>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let undoable =
        crate::undo::deletes::delete_todo(&db, session.user_id, todo_id(&id)?, window).await?;
    Ok(super::undo::deleted(&undoable))
}
