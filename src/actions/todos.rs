//! The todo endpoints of the list page, at fixed addresses under
//! `/api/todos/`. Each re-checks the session and passes its user to the
//! queries, which name the owner in every statement.

// `update_todo` takes one argument per field of a todo's form (eight);
// `#[server]` does not carry an allow on the function to the browser's half.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::todos::{PageParams, RepeatForm, SentText, Todo, TodoTotals};
use crate::views::{DashboardData, TodoListing, TodoPage};
use crate::{error::AppError, undo::Undoable};
#[cfg(feature = "ssr")]
use ssr::*;

/// One page of the caller's todos: without `list`, `view` or `q`, all of
/// them, newest first.
#[server(prefix = "/api", endpoint = "todos/list")]
pub async fn list_todos(#[server(flatten)] params: PageParams) -> Result<TodoPage, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let query = ListQuery::parse(&params, None)?;
        let today = today_of(&session)?;
        let page = store::list(&context::db()?, session.user_id, &query, today).await?;
        Ok(page_of(page, today))
    })
    .await
}

/// Everything the list page shows, in one call: a page of the caller's
/// todos (their Inbox unless `list`, `view` or `q` says otherwise), its
/// totals, the sidebar's lists and counts. The page loads it first and
/// again after every change.
#[server(prefix = "/api", endpoint = "todos/listing")]
pub async fn list_with_totals(
    #[server(flatten)] params: PageParams,
) -> Result<TodoListing, AppError> {
    let mut params = params;
    context::respond(async {
        let session = todo_session()?;
        let shows_something = [&params.list, &params.view, &params.q].iter().any(|value| {
            value
                .as_deref()
                .is_some_and(|value| !value.trim().is_empty())
        });
        if !shows_something {
            params.list = Some("inbox".into());
        }
        let query = ListQuery::parse(&params, None)?;
        listing(&session, &query).await
    })
    .await
}

/// Adds a todo at the top of the Inbox, or of the list `list_id` names.
/// The title is read by quick add ("Pay rent every month on the 1st
/// !high #Home"), whose parts win over the form's fields, unless
/// `as_typed` is sent; `leave` names the kinds of part the person
/// dismissed (`date,time`), which stay in the title.
#[server(prefix = "/api", endpoint = "todos/create")]
pub async fn create_todo(
    title: String,
    #[server(default)] list_id: Option<String>,
    #[server(default)] notes: Option<String>,
    #[server(default)] due_date: SentText,
    #[server(default)] due_time: SentText,
    #[server(default)] priority: Option<String>,
    #[server(default)] repeat: RepeatForm,
    #[server(default)] reminder: Option<String>,
    #[server(default)] as_typed: Option<String>,
    #[server(default)] leave: Option<String>,
) -> Result<Todo, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let db = context::db()?;
        let today = today_of(&session)?;
        let mut due = due_fields(&due_date, &due_time)?.flatten();
        let mut new = NewTodo {
            title: TodoTitle::parse(&title)?,
            list: list_field(list_id.as_deref())?,
            notes: Notes::parse(notes.as_deref().unwrap_or_default())?,
            priority: Priority::parse(priority.as_deref().unwrap_or_default())?,
            repeat: None,
            due: None,
            reminders: Reminders::default(),
        };
        let sent_reminders = Reminders::asked(reminder.as_deref())?;
        let mut quick_repeat = None;
        if as_typed.is_none() {
            let order = DateOrder::from_headers(&context::request_headers()?);
            let leave = PartKind::list_from(leave.as_deref().unwrap_or_default());
            let (read, list) =
                quick_add::read_for(&db, session.user_id, &title, today, order, &leave).await?;
            new.title = TodoTitle::parse(&read.title)?;
            if let Some(date) = read.date {
                due = Some(Due {
                    date,
                    time: read.time,
                });
            }
            new.priority = read.priority.unwrap_or(new.priority);
            new.list = list.or(new.list);
            quick_repeat = read.repeat;
        }
        new.repeat = match quick_repeat {
            Some(rule) => Some(Repeat::parse(&rule, "due", due)?),
            None => repeat.asked(due)?.flatten(),
        };
        new.due = due;
        new.reminders =
            reminders::store::for_new_todo(&db, session.user_id, sent_reminders, due.is_some())
                .await?;
        let limit = context::provided::<TodoLimit>("todo limit")?;
        let record = store::create(&db, session.user_id, &new, limit).await?;
        Ok(record.shown(today))
    })
    .await
}

/// A part of the new-todo text that quick add recognised, as the page
/// shows it before saving: a chip the person can dismiss.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuickAddChip {
    /// `date`, `time`, `repeat`, `priority` or `list`: what the form's
    /// `leave` names to keep it in the title.
    pub kind: String,
    /// The words as typed.
    pub typed: String,
    /// What they were read as: "Due Fri 11 Dec", "Repeats monthly".
    pub label: String,
}

/// What quick add reads in `text` for the signed-in user, leaving the
/// kinds in `leave`: the chips the new-todo field shows while typing.
/// Nothing is saved.
#[server(prefix = "/api", endpoint = "todos/quick-add")]
pub async fn read_quick_add(
    text: String,
    #[server(default)] leave: Option<String>,
) -> Result<Vec<QuickAddChip>, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let db = context::db()?;
        let today = today_of(&session)?;
        let order = DateOrder::from_headers(&context::request_headers()?);
        let leave = PartKind::list_from(leave.as_deref().unwrap_or_default());
        let (read, _) =
            quick_add::read_for(&db, session.user_id, &text, today, order, &leave).await?;
        let label = |kind: PartKind| match kind {
            PartKind::Date => read.date.map_or_else(String::new, |date| {
                format!("Due {}", date.format("%a %-d %b %Y"))
            }),
            PartKind::Time => read
                .time
                .map_or_else(String::new, |time| format!("At {}", time.format("%H:%M"))),
            PartKind::Repeat => read
                .repeat
                .as_deref()
                .and_then(|rule| {
                    Repeat::parse(
                        rule,
                        "due",
                        read.date.map(|date| Due {
                            date,
                            time: read.time,
                        }),
                    )
                    .ok()
                })
                .map_or_else(
                    || "Repeats".to_owned(),
                    |repeat| format!("Repeats {}", repeat.words()),
                ),
            PartKind::Priority => read.priority.map_or_else(String::new, |priority| {
                format!("{} priority", priority.label())
            }),
            PartKind::List => read
                .list
                .as_deref()
                .map_or_else(String::new, |list| format!("In {list}")),
        };
        Ok(read
            .parts
            .iter()
            .map(|part| QuickAddChip {
                kind: part.kind.as_str().to_owned(),
                typed: part.text.clone(),
                label: label(part.kind),
            })
            .collect())
    })
    .await
}

/// Changes any of a todo's fields that the form sends: the title, the
/// completed state, the notes, the priority, the due date (an empty date
/// clears it, and its repeat), the repeat and the list (it then goes to
/// the top of that list). Completing a repeating todo makes the next one.
#[server(prefix = "/api", endpoint = "todos/update")]
pub async fn update_todo(
    id: String,
    #[server(default)] title: SentText,
    completed: Option<bool>,
    #[server(default)] notes: SentText,
    #[server(default)] due_date: SentText,
    #[server(default)] due_time: SentText,
    #[server(default)] priority: Option<String>,
    #[server(default)] list_id: Option<String>,
    #[server(default)] repeat: RepeatForm,
    #[server(default)] reminder: Option<String>,
) -> Result<Todo, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let id = parse_id(&id)?;
        let db = context::db()?;
        let due = due_fields(&due_date, &due_time)?;
        let repeat = if repeat.sets_a_rule() {
            let due = store::due_after(&db, session.user_id, id, due).await?;
            repeat.asked(due)?
        } else {
            repeat.asked(None)?
        };
        let changes = TodoChanges {
            title: title.as_deref().map(TodoTitle::parse).transpose()?,
            completed,
            notes: notes.as_deref().map(Notes::parse).transpose()?,
            priority: priority.as_deref().map(Priority::parse).transpose()?,
            due,
            list: list_field(list_id.as_deref())?,
            repeat,
            reminders: Reminders::asked(reminder.as_deref())?,
        }
        .checked()?;
        let today = today_of(&session)?;
        let completing = store::Completing {
            done_at: context::provided::<Clock>("clock")?.now(),
            zone: session.time_zone,
            limit: context::provided::<TodoLimit>("todo limit")?,
        };
        let updated = store::update(&db, session.user_id, id, &changes, completing).await?;
        // Without JavaScript, a title is edited on `/todos?edit=<id>` and
        // details on `?open=<id>`; once saved, the list shows rows again.
        context::return_to_referer_without(&[EDIT_QUERY_KEY, OPEN_QUERY_KEY]);
        Ok(updated.shown(today))
    })
    .await
}

/// Places a todo directly before `before` and/or after `after` (ids of
/// todos in the list it lands in), or at the top; in `list_id` when given.
#[server(prefix = "/api", endpoint = "todos/move")]
pub async fn move_todo(
    id: String,
    #[server(default)] list_id: Option<String>,
    #[server(default)] before: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<Todo, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let id = parse_id(&id)?;
        let before = parse_optional_id(before.as_deref(), "before")?;
        let after = parse_optional_id(after.as_deref(), "after")?;
        let list = list_field(list_id.as_deref())?;
        let today = today_of(&session)?;
        let record =
            store::move_todo(&context::db()?, session.user_id, id, list, before, after).await?;
        Ok(record.shown(today))
    })
    .await
}

/// Deletes one of the caller's todos; the answer undoes it for a while.
#[server(prefix = "/api", endpoint = "todos/delete")]
pub async fn delete_todo(id: String) -> Result<Undoable, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let id = parse_id(&id)?;
        let window = context::provided::<UndoWindow>("undo window")?;
        let undoable =
            crate::undo::deletes::delete_todo(&context::db()?, session.user_id, id, window).await?;
        return_with_undo(&undoable);
        Ok(undoable)
    })
    .await
}

/// Marks every todo of the caller (or of the list `list_id`) done, or not.
#[server(prefix = "/api", endpoint = "todos/toggle-all")]
pub async fn toggle_all(
    completed: bool,
    #[server(default)] list_id: Option<String>,
) -> Result<(), AppError> {
    context::respond(async {
        let session = todo_session()?;
        let db = context::db()?;
        let list = owned_list(&db, &session, list_id.as_deref()).await?;
        let completing = store::Completing {
            done_at: context::provided::<Clock>("clock")?.now(),
            zone: session.time_zone,
            limit: context::provided::<TodoLimit>("todo limit")?,
        };
        Ok(store::set_all_completed(&db, session.user_id, list, completed, completing).await?)
    })
    .await
}

/// Deletes the caller's completed todos (or the list `list_id`'s); the
/// answer undoes it for a while (`None`: none were completed).
#[server(prefix = "/api", endpoint = "todos/clear-completed")]
pub async fn clear_completed(
    #[server(default)] list_id: Option<String>,
) -> Result<Option<Undoable>, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let db = context::db()?;
        let list = owned_list(&db, &session, list_id.as_deref()).await?;
        let window = context::provided::<UndoWindow>("undo window")?;
        let undoable =
            crate::undo::deletes::clear_completed(&db, session.user_id, list, window).await?;
        if let Some(undoable) = &undoable {
            return_with_undo(undoable);
        }
        Ok(undoable)
    })
    .await
}

/// What the dashboard shows, in one call: totals (summed over the lists),
/// what is overdue and due, each list's progress and the latest todos.
#[server(prefix = "/api", endpoint = "todos/dashboard")]
pub async fn dashboard() -> Result<DashboardData, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let db = context::db()?;
        let today = today_of(&session)?;
        let lists = lists::store::summaries(&db, session.user_id).await?;
        let (total, open) = lists.iter().fold((0, 0), |(total, open), list| {
            (total + list.total, open + list.open)
        });
        let recent = ListQuery {
            limit: RECENT,
            ..ListQuery::parse(&PageParams::default(), None)?
        };
        let recent = store::list(&db, session.user_id, &recent, today).await?;
        Ok(DashboardData {
            totals: TodoTotals {
                total,
                active: open,
                completed: total - open,
            },
            due: store::due_counts(&db, session.user_id, today).await?,
            lists,
            recent: page_of(recent, today).items,
            today: day_heading(today),
        })
    })
    .await
}

#[server(prefix = "/api", endpoint = "todos/stats")]
pub async fn todo_stats() -> Result<TodoTotals, AppError> {
    context::respond(async {
        let session = todo_session()?;
        Ok(store::stats(&context::db()?, session.user_id).await?)
    })
    .await
}

/// What only the server runs: the helpers of the server functions above.
#[cfg(feature = "ssr")]
mod ssr {
    use super::*;

    pub(super) use crate::todos::{
        EDIT_QUERY_KEY, ListQuery, NewTodo, Notes, OPEN_QUERY_KEY, Priority, TodoChanges,
        TodoLimit, TodoTitle, parse_id, parse_optional_id,
        query::Scope,
        quick_add::{self, DateOrder, PartKind},
        repeat::Repeat,
        store,
    };

    pub(super) use crate::views::Showing;

    pub(super) use crate::{
        auth::{request::todo_session, service::Session},
        calendar::{Clock, Due, day_heading},
        context,
        db::StoreError,
        lists::{self, ListRef},
        reminders::{self, Reminders},
        undo::{UNDO_QUERY_KEY, UndoWindow},
    };

    /// The user's today, in their time zone.
    pub fn today_of(session: &Session) -> Result<chrono::NaiveDate, AppError> {
        Ok(context::provided::<Clock>("clock")?.today_in(session.time_zone))
    }

    pub(super) fn page_of(page: store::RecordPage, today: chrono::NaiveDate) -> TodoPage {
        TodoPage {
            items: page
                .items
                .into_iter()
                .map(|record| record.shown(today))
                .collect(),
            next_cursor: page.next_cursor,
            preceding: page.preceding.map(|id| id.to_string()),
            following: page.following.map(|id| id.to_string()),
        }
    }

    pub(super) async fn listing(
        session: &Session,
        query: &ListQuery,
    ) -> Result<TodoListing, AppError> {
        let db = context::db()?;
        let today = today_of(session)?;
        let page = store::list(&db, session.user_id, query, today).await?;
        let lists = lists::store::summaries(&db, session.user_id).await?;
        let shown_list = |reference: ListRef| {
            lists
                .iter()
                .find(|list| match reference {
                    ListRef::Inbox => list.inbox,
                    ListRef::Id(id) => list.id == id.to_string(),
                })
                .cloned()
                .ok_or(AppError::NotFound)
        };
        let (showing, totals) = match &query.scope {
            Scope::List(reference) => {
                let list = shown_list(*reference)?;
                let totals = TodoTotals {
                    total: list.total,
                    active: list.open,
                    completed: list.total - list.open,
                };
                (Showing::List(list), totals)
            }
            scope => {
                let showing = match scope {
                    Scope::Today(_) => Showing::Today,
                    Scope::Upcoming(_) => Showing::Upcoming,
                    Scope::Search(terms, _) => Showing::Search(terms.text().to_owned()),
                    _ => Showing::All,
                };
                (
                    showing,
                    store::totals(&db, session.user_id, query, today).await?,
                )
            }
        };
        let sort = match query.order {
            crate::todos::query::Order::Priority => crate::todos::Sort::Priority,
            crate::todos::query::Order::Newest => crate::todos::Sort::Newest,
            _ => crate::todos::Sort::Manual,
        };
        Ok(TodoListing {
            page: page_of(page, today),
            totals,
            showing,
            sort,
            lists,
            due: store::due_counts(&db, session.user_id, today).await?,
            today: day_heading(today),
            today_date: today.format("%Y-%m-%d").to_string(),
            time_zone: session.time_zone.name().to_owned(),
        })
    }

    /// The list a form names (`list_id`), which must be one of the caller's;
    /// an empty value means the Inbox.
    pub(super) fn list_field(list_id: Option<&str>) -> Result<Option<uuid::Uuid>, AppError> {
        parse_optional_id(list_id, "list_id")
    }

    /// The due date of a form's date and time fields, checked.
    pub(super) fn due_fields(
        date: &SentText,
        time: &SentText,
    ) -> Result<Option<Option<Due>>, AppError> {
        match (date.as_deref(), time.as_deref()) {
            (None, None) => Ok(None),
            (date, time) => {
                Due::from_form(date.unwrap_or_default(), time.unwrap_or_default()).map(Some)
            }
        }
    }

    /// Without JavaScript, the page a delete's form came from, with its Undo
    /// notice (and without the todo's edit form or details, which are gone).
    pub(super) fn return_with_undo(undoable: &Undoable) {
        context::return_to_referer_changed(
            &[EDIT_QUERY_KEY, OPEN_QUERY_KEY],
            &[(UNDO_QUERY_KEY, undoable.batch.as_str())],
        );
    }

    /// The list a bulk change is limited to: one of the caller's, or none.
    pub(super) async fn owned_list(
        db: &crate::db::Db,
        session: &Session,
        list_id: Option<&str>,
    ) -> Result<Option<uuid::Uuid>, AppError> {
        match list_field(list_id)? {
            Some(id) => lists::store::find(db, session.user_id, ListRef::Id(id))
                .await
                .map(|list| Some(list.id))
                .map_err(|error| match error {
                    StoreError::NotFound => {
                        lists::store::ListRefusal::NoSuchList { field: "list_id" }.into()
                    }
                    other => other.into(),
                }),
            None => Ok(None),
        }
    }

    /// How many of the dashboard's latest todos it shows.
    pub(super) const RECENT: usize = 5;
}
