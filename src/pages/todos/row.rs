//! One todo's row: complete, open, edit, move and delete it, and its
//! details (notes, due date, priority, list) when open.

use std::sync::Arc;

use leptos::{ev, html, prelude::*, server_fn::ServerFn};

use super::{Actions, DueFields, Fixed, PriorityField, ReminderField, RepeatFields, focus_soon};
use crate::{
    actions::todos::{DeleteTodo, MoveTodo, UpdateTodo},
    components::raw_text::escaped,
    lists::ListSummary,
    todos::{MAX_NOTES_CHARS, MAX_TITLE_CHARS, Priority, RepeatForm, SentText, Todo},
};

/// The rows just above and below one, in the order shown (across the
/// page's edges too): where "Move up" and "Move down" put it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RowPlace {
    pub above: Option<String>,
    pub below: Option<String>,
}

/// A row without JavaScript's help: one form whose buttons complete,
/// move or delete the todo, a link that opens its details and one to its
/// title form. With JavaScript, the buttons dispatch the actions instead,
/// the title opens the details in place and "Edit" edits the title in
/// place. (One form per row rather than several: the rows' markup is most
/// of what a browser parses, lays out and hydrates on a first load.)
#[component]
pub(crate) fn TodoItem(
    todo: Todo,
    place: RowPlace,
    fixed: Fixed,
    lists: Arc<[ListSummary]>,
    actions: Actions,
) -> impl IntoView {
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
    } = todo.clone();
    // A reminder counts only while the todo is due and open.
    let reminder =
        (due.is_some() && !completed && !reminders.is_empty()).then(|| reminders.words());
    // While an update of this todo is in flight, show what it will become.
    let pending = {
        let id = id.clone();
        Signal::derive(move || actions.updating.get().filter(|input| input.id == id))
    };
    let shown_completed = Signal::derive(move || {
        pending
            .get()
            .and_then(|input| input.completed)
            .unwrap_or(completed)
    });
    let shown_title = {
        let title = title.clone();
        Signal::derive(move || {
            pending
                .get()
                .and_then(|input| input.title.0)
                .unwrap_or_else(|| title.clone())
        })
    };
    let deleting = {
        let id = id.clone();
        Signal::derive(move || actions.deleting.get().is_some_and(|input| input.id == id))
    };
    let is_open = {
        let id = id.clone();
        Signal::derive(move || actions.opened.get().as_deref() == Some(id.as_str()))
    };
    let editing = RwSignal::new(false);
    let editor: NodeRef<html::Input> = NodeRef::new();
    Effect::new(move |_| {
        if editing.get()
            && let Some(input) = editor.get()
        {
            let _ = input.focus();
            input.select();
        }
    });

    let save = {
        let (id, original) = (id.clone(), title.clone());
        move || {
            let Some(input) = editor.get_untracked() else {
                return;
            };
            let value = input.value();
            editing.set(false);
            if value.trim() != original {
                actions.update.dispatch(UpdateTodo {
                    id: id.clone(),
                    title: SentText::new(value),
                    ..blank_update()
                });
            }
        }
    };
    // Once the title is saved or the edit cancelled, the row keeps focus.
    let row_id = format!("todo-{id}");
    let on_key = {
        let (save, row_id) = (save.clone(), row_id.clone());
        move |event: ev::KeyboardEvent| match event.key().as_str() {
            "Enter" => {
                event.prevent_default();
                actions.refocus.set_value(Some(row_id.clone()));
                save();
                focus_soon(row_id.clone());
            }
            "Escape" => {
                editing.set(false);
                focus_soon(row_id.clone());
            }
            _ => {}
        }
    };
    let on_blur = {
        let save = save.clone();
        move |_| {
            if editing.get_untracked() {
                save();
            }
        }
    };
    let start_editing = move |event: ev::MouseEvent| {
        event.prevent_default();
        editing.set(true);
    };
    let toggle_open = {
        let id = id.clone();
        move |event: ev::MouseEvent| {
            event.prevent_default();
            let id = id.clone();
            actions.opened.update(|opened| {
                *opened = if opened.as_ref() == Some(&id) {
                    None
                } else {
                    Some(id)
                }
            });
        }
    };
    let check_id = format!("check-{id}");
    let toggle = {
        let (id, check_id) = (id.clone(), check_id.clone());
        move |event: ev::MouseEvent| {
            event.prevent_default();
            actions.refocus.set_value(Some(check_id.clone()));
            actions.update.dispatch(UpdateTodo {
                id: id.clone(),
                completed: Some(!shown_completed.get_untracked()),
                ..blank_update()
            });
        }
    };
    // After a delete, focus goes to the next row (or the one above, or
    // the Undo button when none is left).
    let delete = {
        let id = id.clone();
        let next = place
            .below
            .clone()
            .or_else(|| place.above.clone())
            .map_or_else(|| "undo-button".to_owned(), |next| format!("todo-{next}"));
        move |event: ev::MouseEvent| {
            event.prevent_default();
            actions.refocus.set_value(Some(next.clone()));
            actions.delete.dispatch(DeleteTodo { id: id.clone() });
        }
    };

    let editor_id = format!("edit-{id}");
    let details_id = format!("details-{id}");
    let label_done = format!("Mark \u{201c}{title}\u{201d} as done");
    let label_undo = format!("Mark \u{201c}{title}\u{201d} as not done");
    let delete_label = format!("Delete \u{201c}{title}\u{201d}");
    let edit_label = format!("Edit \u{201c}{title}\u{201d}");
    let list_name = fixed
        .shows_lists
        .then(|| {
            lists
                .iter()
                .find(|list| list.id == list_id)
                .map(|list| list.name.clone())
        })
        .flatten();
    let open_href = fixed.open_href(&id);
    let edit_href = fixed.edit_href(&id);
    let moves = fixed
        .manual
        .then(|| view! { <MoveButtons id=id.clone() title=title.clone() place=place actions /> });
    let drag = DragHandlers::new(&id, fixed.manual, actions);
    let draggable = fixed.manual.then_some("true");

    view! {
        <li
            id=row_id
            tabindex="-1"
            class=format!("todo todo--priority-{}", priority.as_str())
            class:todo--done=shown_completed
            class:todo--pending=move || pending.get().is_some()
            class:todo--deleting=deleting
            class:todo--open=is_open
            class:todo--dragging=drag.is_dragged
            draggable=draggable
            on:dragstart=drag.start
            on:dragover=drag.over
            on:drop=drag.drop
            on:dragend=drag.end
        >
            <form class="todo__form" method="post" action=UpdateTodo::url()>
                <input type="hidden" name="id" value=id.clone() />
                <button
                    id=check_id
                    class="todo__check"
                    type="submit"
                    name="completed"
                    value=move || (!shown_completed.get()).to_string()
                    aria-pressed=move || shown_completed.get().to_string()
                    aria-label=move || if shown_completed.get() { label_undo.clone() } else { label_done.clone() }
                    on:click=toggle
                >
                    <span aria-hidden="true">"✓"</span>
                </button>
                <div class="todo__main">
                    <Show
                        when=move || editing.get()
                        fallback={
                            let (open_href, details_id) = (open_href.clone(), details_id.clone());
                            move || view! {
                                <a
                                    class="todo__title"
                                    href=open_href.clone()
                                    aria-expanded=move || is_open.get().to_string()
                                    aria-controls=details_id.clone()
                                    on:click=toggle_open.clone()
                                >
                                    {shown_title}
                                </a>
                            }
                        }
                    >
                        <label class="visually-hidden" for=editor_id.clone()>"Title"</label>
                        <input
                            id=editor_id.clone()
                            class="input todo__editor"
                            value=shown_title.get_untracked()
                            maxlength=MAX_TITLE_CHARS
                            node_ref=editor
                            on:keydown=on_key.clone()
                            on:blur=on_blur.clone()
                        />
                    </Show>
                    <Meta
                        priority
                        due=due.clone()
                        repeat=repeat.map(|repeat| repeat.words)
                        reminder
                        has_notes=!notes.is_empty()
                        list_name
                    />
                </div>
                <span class="todo__actions">
                    <a class="todo__action todo__edit" href=edit_href aria-label=edit_label on:click=start_editing>"Edit"</a>
                    {moves}
                    <button
                        class="todo__action todo__delete"
                        type="submit"
                        formaction=DeleteTodo::url()
                        aria-label=delete_label
                        on:click=delete
                    >
                        <span aria-hidden="true">"×"</span>
                    </button>
                </span>
            </form>
            <Show when=move || is_open.get()>
                <TodoDetails todo=todo.clone() lists=lists.clone() fixed=fixed.clone() actions />
            </Show>
        </li>
    }
}

/// An update that changes nothing yet, to fill in.
fn blank_update() -> UpdateTodo {
    UpdateTodo {
        id: String::new(),
        title: SentText::default(),
        completed: None,
        notes: SentText::default(),
        due_date: SentText::default(),
        due_time: SentText::default(),
        priority: None,
        list_id: None,
        repeat: RepeatForm::default(),
        reminder: None,
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
fn MoveButtons(id: String, title: String, place: RowPlace, actions: Actions) -> impl IntoView {
    let (up_id, down_id) = (format!("up-{id}"), format!("down-{id}"));
    let up = place.above.map(|above| {
        let (id, focus) = (id.clone(), up_id.clone());
        let value = above.clone();
        let on_click = move |event: ev::MouseEvent| {
            event.prevent_default();
            actions.move_to(&id, Some(above.clone()), None, focus.clone());
        };
        view! {
            <button
                id=up_id
                class="todo__action todo__move"
                type="submit"
                formaction=MoveTodo::url()
                name="before"
                value=value
                aria-label=format!("Move \u{201c}{title}\u{201d} up")
                on:click=on_click
            >
                <span aria-hidden="true">"↑"</span>
            </button>
        }
    });
    let down_label = format!("Move \u{201c}{title}\u{201d} down");
    let down = place.below.map(|below| {
        let (id, focus) = (id.clone(), down_id.clone());
        let value = below.clone();
        let on_click = move |event: ev::MouseEvent| {
            event.prevent_default();
            actions.move_to(&id, None, Some(below.clone()), focus.clone());
        };
        view! {
            <button
                id=down_id
                class="todo__action todo__move"
                type="submit"
                formaction=MoveTodo::url()
                name="after"
                value=value
                aria-label=down_label
                on:click=on_click
            >
                <span aria-hidden="true">"↓"</span>
            </button>
        }
    });
    // A missing button keeps its room, so the rows' buttons line up.
    let gap = || view! { <span class="todo__move todo__move--gap" aria-hidden="true"></span> };
    view! {
        {match up {
            Some(up) => up.into_any(),
            None => gap().into_any(),
        }}
        {match down {
            Some(down) => down.into_any(),
            None => gap().into_any(),
        }}
    }
}

/// Drag and drop in manual order (JavaScript only): dropping a todo on
/// another puts it just after that one when it came from above, just
/// before it when it came from below.
struct DragHandlers {
    is_dragged: Signal<bool>,
    start: Box<dyn Fn(ev::DragEvent) + Send + Sync>,
    over: Box<dyn Fn(ev::DragEvent) + Send + Sync>,
    drop: Box<dyn Fn(ev::DragEvent) + Send + Sync>,
    end: Box<dyn Fn(ev::DragEvent) + Send + Sync>,
}

impl DragHandlers {
    fn new(id: &str, enabled: bool, actions: Actions) -> Self {
        let is_dragged = {
            let id = id.to_owned();
            Signal::derive(move || actions.dragging.get().as_deref() == Some(id.as_str()))
        };
        if !enabled {
            return Self {
                is_dragged,
                start: Box::new(|_| {}),
                over: Box::new(|_| {}),
                drop: Box::new(|_| {}),
                end: Box::new(|_| {}),
            };
        }
        let start = {
            let id = id.to_owned();
            move |event: ev::DragEvent| {
                if let Some(transfer) = event.data_transfer() {
                    let _ = transfer.set_data("text/plain", &id);
                    transfer.set_effect_allowed("move");
                }
                actions.dragging.set(Some(id.clone()));
            }
        };
        let over = move |event: ev::DragEvent| {
            if actions.dragging.get_untracked().is_some() {
                event.prevent_default();
            }
        };
        let drop = {
            let target = id.to_owned();
            move |event: ev::DragEvent| {
                event.prevent_default();
                let Some(dragged) = actions.dragging.get_untracked() else {
                    return;
                };
                actions.dragging.set(None);
                if dragged == target {
                    return;
                }
                // Rows are in the page in the order shown.
                let order: Vec<String> = document()
                    .query_selector_all(".todo-list > li.todo[id^='todo-']")
                    .map(|nodes| {
                        (0..nodes.length())
                            .filter_map(|index| nodes.item(index))
                            .filter_map(|node| {
                                use leptos::wasm_bindgen::JsCast;
                                node.dyn_into::<leptos::web_sys::Element>().ok()
                            })
                            .map(|element| element.id().trim_start_matches("todo-").to_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                let from = order.iter().position(|id| *id == dragged);
                let to = order.iter().position(|id| *id == target);
                let focus = format!("check-{dragged}");
                match (from, to) {
                    (Some(from), Some(to)) if from < to => {
                        actions.move_to(&dragged, None, Some(target.clone()), focus)
                    }
                    _ => actions.move_to(&dragged, Some(target.clone()), None, focus),
                }
            }
        };
        let end = move |_: ev::DragEvent| actions.dragging.set(None);
        Self {
            is_dragged,
            start: Box::new(start),
            over: Box::new(over),
            drop: Box::new(drop),
            end: Box::new(end),
        }
    }
}

/// An open todo: its notes as written (line breaks kept, never read as
/// HTML), and a form for its notes, due date, priority and list.
#[component]
fn TodoDetails(
    todo: Todo,
    lists: Arc<[ListSummary]>,
    fixed: Fixed,
    actions: Actions,
) -> impl IntoView {
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
            <ActionForm action=actions.update attr:class="form todo__details-form">
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
                    <a class="button button--ghost button--small" href=fixed.here() on:click=move |event: ev::MouseEvent| {
                        event.prevent_default();
                        actions.opened.set(None);
                    }>"Close"</a>
                </div>
            </ActionForm>
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
