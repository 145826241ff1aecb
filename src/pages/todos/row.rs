//! One todo's row: complete, open, edit, move and delete it, and its
//! details (notes, due date, priority, list) when open. Plain server
//! HTML: the browser bundle carries none of it.

use std::sync::Arc;

use leptos::{either::Either, prelude::*, server_fn::ServerFn};

use super::{DueFields, Fixed, PriorityField, ReminderField, RepeatFields};
use crate::{
    actions::todos::{DeleteTodo, MoveTodo, UpdateTodo},
    components::raw_text::escaped,
    lists::ListSummary,
    todos::{MAX_NOTES_CHARS, MAX_TITLE_CHARS, Priority, Todo},
};

/// The rows just above and below one, in the order shown (across the
/// page's edges too): where "Move up" and "Move down" put it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RowPlace {
    pub above: Option<String>,
    pub below: Option<String>,
}

/// A row as plain server HTML: one form whose buttons complete, move or
/// delete the todo, a link that opens its details and one to its title
/// form. Nothing in it is reactive: with JavaScript, the page's controls
/// (`controls`) listen on the whole page, act on the row's own forms and
/// links, and swap in the server's HTML once the server has answered.
/// (One form per row rather than several: the rows' markup is most of
/// what a browser parses and lays out on a first load.)
#[component]
pub(crate) fn TodoItem(
    todo: Todo,
    place: RowPlace,
    fixed: Fixed,
    lists: Arc<[ListSummary]>,
) -> impl IntoView {
    let is_open = fixed.address.open.as_deref() == Some(todo.id.as_str());
    let Todo {
        id,
        title,
        completed,
        list_id,
        notes,
        priority,
        due,
        repeat,
        reminders,
    } = &todo;
    // A reminder counts only while the todo is due and open.
    let reminder =
        (due.is_some() && !completed && !reminders.is_empty()).then(|| reminders.words());
    let mut class = format!("todo todo--priority-{}", priority.as_str());
    if *completed {
        class.push_str(" todo--done");
    }
    if is_open {
        class.push_str(" todo--open");
    }
    let check_label = if *completed {
        format!("Mark \u{201c}{title}\u{201d} as not done")
    } else {
        format!("Mark \u{201c}{title}\u{201d} as done")
    };
    let list_name = fixed
        .shows_lists
        .then(|| {
            lists
                .iter()
                .find(|list| list.id == *list_id)
                .map(|list| list.name.clone())
        })
        .flatten();
    let moves = fixed
        .manual
        .then(|| view! { <MoveButtons id=id.clone() title=title.clone() place=place /> });
    let meta = view! {
        <Meta
            priority=*priority
            due=due.clone()
            repeat=repeat.as_ref().map(|repeat| repeat.words.clone())
            reminder
            has_notes=!notes.is_empty()
            list_name
        />
    };
    let details =
        is_open.then(|| view! { <TodoDetails todo=todo.clone() lists fixed=fixed.clone() /> });

    view! {
        <li id=format!("todo-{id}") tabindex="-1" class=class draggable=fixed.manual.then_some("true")>
            <form class="todo__form" method="post" action=UpdateTodo::url()>
                <input type="hidden" name="id" value=id.clone() />
                <button
                    id=format!("check-{id}")
                    class="todo__check"
                    type="submit"
                    name="completed"
                    value=(!completed).to_string()
                    aria-pressed=completed.to_string()
                    aria-label=check_label
                >
                    <span aria-hidden="true">"✓"</span>
                </button>
                <div class="todo__main">
                    <a
                        class="todo__title"
                        href=fixed.open_href(id)
                        aria-expanded=is_open.to_string()
                        aria-controls=is_open.then(|| format!("details-{id}"))
                    >
                        {title.clone()}
                    </a>
                    {meta}
                </div>
                <span class="todo__actions">
                    <a class="todo__action todo__edit" href=fixed.edit_href(id) aria-label=format!("Edit \u{201c}{title}\u{201d}")>"Edit"</a>
                    {moves}
                    <button
                        class="todo__action todo__delete"
                        type="submit"
                        formaction=DeleteTodo::url()
                        aria-label=format!("Delete \u{201c}{title}\u{201d}")
                    >
                        <span aria-hidden="true">"×"</span>
                    </button>
                </span>
            </form>
            {details}
        </li>
    }
}

/// What a row says about its todo besides the title, as text (never by
/// colour alone): priority, when it is due and how it repeats, notes, and
/// its list.
#[component]
fn Meta(
    priority: Priority,
    due: Option<crate::todos::DueShown>,
    repeat: Option<String>,
    reminder: Option<String>,
    has_notes: bool,
    list_name: Option<String>,
) -> impl IntoView {
    let nothing = priority == Priority::None && due.is_none() && !has_notes && list_name.is_none();
    (!nothing).then(|| {
        view! {
            <span class="todo__meta">
                {(priority != Priority::None).then(|| view! {
                    <span class=format!("chip chip--priority-{}", priority.as_str())>
                        {format!("{} priority", priority.label())}
                    </span>
                })}
                {due.map(|due| {
                    let text = if due.overdue { format!("Overdue: {}", due.label) } else { format!("Due {}", due.label) };
                    view! {
                        <span class="chip chip--due" class:chip--overdue=due.overdue class:chip--today=due.today>
                            <time datetime=due.date.clone()>{text}</time>
                        </span>
                    }
                })}
                {repeat.map(|words| view! {
                    <span class="chip chip--repeat">
                        <span aria-hidden="true">"↻ "</span>
                        {format!("Repeats {words}")}
                    </span>
                })}
                {reminder.map(|words| view! {
                    <span class="chip chip--reminder">
                        <span aria-hidden="true">"⏰ "</span>
                        {format!("Reminds {words}")}
                    </span>
                })}
                {has_notes.then(|| view! { <span class="chip chip--notes">"Notes"</span> })}
                {list_name.map(|name| view! { <span class="chip chip--list">{name}</span> })}
            </span>
        }
    })
}

/// "Move up" and "Move down": submit buttons of the row's form, whose
/// value names the neighbour the todo goes before or after.
#[component]
fn MoveButtons(id: String, title: String, place: RowPlace) -> impl IntoView {
    let up = place.above.map(|above| {
        view! {
            <button
                id=format!("up-{id}")
                class="todo__action todo__move"
                type="submit"
                formaction=MoveTodo::url()
                name="before"
                value=above
                aria-label=format!("Move \u{201c}{title}\u{201d} up")
            >
                <span aria-hidden="true">"↑"</span>
            </button>
        }
    });
    let down = place.below.map(|below| {
        view! {
            <button
                id=format!("down-{id}")
                class="todo__action todo__move"
                type="submit"
                formaction=MoveTodo::url()
                name="after"
                value=below
                aria-label=format!("Move \u{201c}{title}\u{201d} down")
            >
                <span aria-hidden="true">"↓"</span>
            </button>
        }
    });
    // A missing button keeps its room, so the rows' buttons line up.
    let gap = || view! { <span class="todo__move todo__move--gap" aria-hidden="true"></span> };
    view! {
        {match up {
            Some(up) => Either::Left(up),
            None => Either::Right(gap()),
        }}
        {match down {
            Some(down) => Either::Left(down),
            None => Either::Right(gap()),
        }}
    }
}

/// An open todo: its notes as written (line breaks kept, never read as
/// HTML), and a form for its notes, due date, priority and list.
#[component]
fn TodoDetails(todo: Todo, lists: Arc<[ListSummary]>, fixed: Fixed) -> impl IntoView {
    let Todo {
        id,
        notes,
        priority,
        due,
        repeat,
        reminders,
        list_id,
        ..
    } = todo;
    let (date, time) = match &due {
        Some(due) => (Some(due.date.clone()), due.time.clone()),
        None => (None, None),
    };
    let notes_id = format!("notes-{id}");
    let details_id = format!("details-{id}");
    let list_field_id = format!("list-{id}");
    view! {
        <div class="todo__details" id=details_id>
            {(!notes.is_empty()).then(|| view! { <p class="todo__notes">{notes.clone()}</p> })}
            <form class="form todo__details-form" method="post" action=UpdateTodo::url()>
                <input type="hidden" name="id" value=id.clone() />
                <label class="field" for=notes_id.clone()>
                    <span class="field__label">"Notes"</span>
                </label>
                <textarea id=notes_id class="input todo__notes-input" name="notes" rows="4" maxlength=MAX_NOTES_CHARS>{escaped(&notes)}</textarea>
                <div class="todo__details-fields">
                    <DueFields date time prefix="details" />
                    <PriorityField current=priority id=format!("priority-{id}") />
                    <RepeatFields current=repeat prefix="details" custom=true />
                    <ReminderField current=Some(reminders) prefix="details" />
                    <span class="field field--inline">
                        <label class="field__label" for=list_field_id.clone()>"List"</label>
                        <select id=list_field_id class="input" name="list_id">
                            {lists.iter().map(|list| {
                                let selected = list.id == list_id;
                                view! { <option value=list.id.clone() selected=selected>{list.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </span>
                </div>
                <div class="todo__details-actions">
                    <button class="button button--small" type="submit">"Save details"</button>
                    <a class="button button--ghost button--small todo__close" href=fixed.here()>"Close"</a>
                </div>
            </form>
        </div>
    }
}

/// A todo's title form, opened by its "Edit" link: how a title is edited
/// without JavaScript. Saving returns to the list without the form.
#[component]
pub(crate) fn TodoTitleForm(todo: Todo, cancel_href: String) -> impl IntoView {
    let field_id = format!("edit-form-{}", todo.id);
    view! {
        <li class="todo todo--editing">
            <form class="todo__edit-form" method="post" action=UpdateTodo::url()>
                <input type="hidden" name="id" value=todo.id />
                <label class="visually-hidden" for=field_id.clone()>"New title"</label>
                <input id=field_id class="input" name="title" value=todo.title maxlength=MAX_TITLE_CHARS required autofocus />
                <button class="button button--small" type="submit">"Save"</button>
                <a class="button button--ghost button--small" href=cancel_href>"Cancel"</a>
            </form>
        </li>
    }
}
