//! The page's forms besides a row's: adding a todo (with its due date and
//! priority fields, which rows share), marking all done, clearing the
//! completed, the filter links and the empty state.

use leptos::{html, prelude::*};

use super::{
    address::{Address, Fixed},
    page_actions::Actions,
};
use crate::todos::{Filter, MAX_TITLE_CHARS, Priority};
use crate::views::Showing;

/// The form that adds a todo: a title, and optionally a due date, a time
/// and a priority (under "Details").
#[component]
pub(super) fn NewTodoForm(
    fixed: Fixed,
    actions: Actions,
    input: NodeRef<html::Input>,
) -> impl IntoView {
    view! {
        <ActionForm action=actions.create attr:class="todos__new">
            {fixed.list_id.clone().map(|id| view! { <input type="hidden" name="list_id" value=id /> })}
            <div class="todos__new-main">
                <label class="visually-hidden" for="new-todo">"New todo"</label>
                <input
                    id="new-todo"
                    class="input"
                    name="title"
                    placeholder="What needs doing?"
                    autocomplete="off"
                    maxlength=MAX_TITLE_CHARS
                    required
                    node_ref=input
                />
                <button class="button" type="submit">"Add"</button>
            </div>
            <details class="todos__extras">
                <summary>"Due date and priority"</summary>
                <div class="todos__extras-fields">
                    <DueFields date=fixed.due_today.clone() time=None prefix="new" />
                    <PriorityField current=Priority::None id="new-priority" />
                </div>
            </details>
        </ActionForm>
    }
}

/// The date and time inputs of a due date.
#[component]
pub(crate) fn DueFields(
    date: Option<String>,
    time: Option<String>,
    prefix: &'static str,
) -> impl IntoView {
    let (date_id, time_id) = (format!("{prefix}-due-date"), format!("{prefix}-due-time"));
    view! {
        <span class="field field--inline">
            <label class="field__label" for=date_id.clone()>"Due"</label>
            <input id=date_id class="input" type="date" name="due_date" value=date />
        </span>
        <span class="field field--inline">
            <label class="field__label" for=time_id.clone()>"Time (optional)"</label>
            <input id=time_id class="input" type="time" name="due_time" value=time />
        </span>
    }
}

#[component]
pub(crate) fn PriorityField(current: Priority, #[prop(into)] id: String) -> impl IntoView {
    view! {
        <span class="field field--inline">
            <label class="field__label" for=id.clone()>"Priority"</label>
            <select id=id class="input" name="priority">
                {Priority::ALL
                    .into_iter()
                    .map(|priority| {
                        let label = match priority {
                            Priority::None => "None",
                            other => other.label(),
                        };
                        view! { <option value=priority.as_str() selected=priority == current>{label}</option> }
                    })
                    .collect_view()}
            </select>
        </span>
    }
}

/// The todo being added, shown before the server confirms it.
#[component]
pub(super) fn PendingNewTodo(actions: Actions) -> impl IntoView {
    move || {
        actions.creating.get().map(|input| {
            view! {
                <li class="todo todo--pending" aria-busy="true">
                    <span class="todo__check" aria-hidden="true"></span>
                    <span class="todo__title">{input.title}</span>
                </li>
            }
        })
    }
}

#[component]
pub(super) fn ToggleAllForm(
    actions: Actions,
    list_id: Option<String>,
    all_done: bool,
    show: bool,
) -> impl IntoView {
    show.then(|| {
        view! {
            <ActionForm action=actions.toggle_all attr:class="todos__toggle-all">
                <input type="hidden" name="completed" value=(!all_done).to_string() />
                {list_id.map(|id| view! { <input type="hidden" name="list_id" value=id /> })}
                <button class="button button--ghost button--small" type="submit">
                    {if all_done { "Mark all as not done" } else { "Mark all as done" }}
                </button>
            </ActionForm>
        }
    })
}

#[component]
pub(super) fn ClearCompletedForm(
    actions: Actions,
    list_id: Option<String>,
    show: bool,
) -> impl IntoView {
    show.then(|| {
        view! {
            <ActionForm action=actions.clear attr:class="todos__clear">
                {list_id.map(|id| view! { <input type="hidden" name="list_id" value=id /> })}
                <button class="todo__action" type="submit">"Clear completed"</button>
            </ActionForm>
        }
    })
}

#[component]
pub(super) fn FilterLinks(current: Filter, address: Address) -> impl IntoView {
    let link = move |filter: Filter, label: &'static str| {
        let current = (filter == current).then_some("page");
        view! { <a class="filters__link" href=address.with_filter(filter) aria-current=current>{label}</a> }
    };
    view! {
        <nav class="filters" aria-label="Show">
            {link(Filter::All, "All")}
            {link(Filter::Active, "Active")}
            {link(Filter::Completed, "Completed")}
        </nav>
    }
}

#[component]
pub(super) fn EmptyState(
    showing: Showing,
    filter: Filter,
    total: i64,
    shown: bool,
) -> impl IntoView {
    shown.then(|| {
        let message = match (&showing, filter, total) {
            (Showing::Today, _, 0) => "Nothing due today. Enjoy the day.",
            (Showing::Upcoming, _, 0) => "Nothing due in the next 7 days.",
            (Showing::Search(_), _, 0) => {
                "No todo matches that search. Try fewer or shorter words."
            }
            (_, _, 0) => "Nothing here yet. Add your first todo above.",
            (_, Filter::Active, _) => "All done. Nice work!",
            (_, Filter::Completed, _) => "Nothing completed yet.",
            (_, Filter::All, _) => "Nothing on this page.",
        };
        view! { <p class="todos__empty">{message}</p> }
    })
}
