//! The card of todos: the rows in their groups (days, overdue), the
//! paging link and the footer.

use std::sync::Arc;

use leptos::{either::Either, prelude::*};

use super::{
    address::Fixed,
    forms::{ClearCompletedForm, EmptyState, FilterLinks, ToggleAllForm},
    row::{RowPlace, TodoItem, TodoTitleForm},
};
use crate::{
    lists::ListSummary,
    todos::{Filter, Todo},
    views::{Showing, TodoListing, TodoPage},
};

/// A group of rows under a heading (a day of Upcoming, overdue todos).
pub(super) struct Group {
    pub(super) heading: Option<String>,
    pub(super) items: Vec<Todo>,
}

/// The rows in groups: by day for Upcoming, overdue and today for Today,
/// one group otherwise.
pub(super) fn groups(listing: &TodoListing, items: Vec<Todo>) -> Vec<Group> {
    match listing.showing {
        Showing::Upcoming | Showing::Today => {
            let mut groups: Vec<Group> = Vec::new();
            for todo in items {
                let heading = match &todo.due {
                    Some(due) if due.overdue && listing.showing == Showing::Today => {
                        "Overdue".to_owned()
                    }
                    Some(due) => due.heading.clone(),
                    None => String::new(),
                };
                match groups.last_mut() {
                    Some(group) if group.heading.as_deref() == Some(heading.as_str()) => {
                        group.items.push(todo)
                    }
                    _ => groups.push(Group {
                        heading: Some(heading),
                        items: vec![todo],
                    }),
                }
            }
            groups
        }
        _ => vec![Group {
            heading: None,
            items,
        }],
    }
}

/// The card with the rows, the paging link and the footer.
#[component]
pub(super) fn TodoCard(mut listing: TodoListing, fixed: Fixed) -> impl IntoView {
    let TodoPage {
        items,
        next_cursor,
        preceding,
        following,
    } = std::mem::take(&mut listing.page);
    let totals = listing.totals;
    let filter = Filter::parse(fixed.address.params.filter.as_deref()).unwrap_or_default();
    let nothing_shown = items.is_empty();
    // Each row's neighbours in the order shown, for "move up" and "move down".
    let ids: Vec<String> = items.iter().map(|todo| todo.id.clone()).collect();
    let place_of = move |index: usize| RowPlace {
        above: index
            .checked_sub(1)
            .and_then(|i| ids.get(i).cloned())
            .or_else(|| (index == 0).then(|| preceding.clone()).flatten()),
        below: ids.get(index + 1).cloned().or_else(|| {
            (index + 1 == ids.len())
                .then(|| following.clone())
                .flatten()
        }),
    };
    let lists: Arc<[ListSummary]> = listing.lists.clone().into();
    let mut index = 0;
    let groups = groups(&listing, items)
        .into_iter()
        .map(|group| {
            let places: Vec<RowPlace> = group
                .items
                .iter()
                .map(|_| {
                    index += 1;
                    place_of(index - 1)
                })
                .collect();
            let rows = view! {
                <TodoRows
                    items=group.items
                    places
                    fixed=fixed.clone()
                    lists=lists.clone()
                />
            };
            match group.heading {
                Some(heading) => Either::Left(view! {
                    <section class="todo-group">
                        <h2 class="todo-group__heading">{heading}</h2>
                        {rows}
                    </section>
                }),
                None => Either::Right(rows),
            }
        })
        .collect_view();
    let more = next_cursor.map(|cursor| {
        let href = fixed.address.with_cursor(&cursor);
        view! { <a class="button button--ghost todos__more" href=href>"Show more"</a> }
    });
    view! {
        <div class="card todos__card">
            {fixed.one_list.then(|| view! {
                <ToggleAllForm list_id=fixed.list_id.clone() all_done={totals.total > 0 && totals.active == 0} show={totals.total > 0} />
            })}
            {groups}
            <EmptyState showing=listing.showing.clone() filter total=totals.total shown=nothing_shown />
            {more}
            <footer class="todos__footer">
                <span class="todos__count">
                    {match totals.active {
                        1 => "1 item left".to_string(),
                        n => format!("{n} items left"),
                    }}
                </span>
                <FilterLinks current=filter address=fixed.address.clone() />
                {fixed.one_list.then(|| view! { <ClearCompletedForm list_id=fixed.list_id.clone() show={totals.completed > 0} /> })}
            </footer>
        </div>
    }
}

/// A group's rows, as plain server HTML. (The todo being added shows at
/// the top of the first group's list: the page's controls put it there.)
#[component]
pub(super) fn TodoRows(
    items: Vec<Todo>,
    places: Vec<RowPlace>,
    fixed: Fixed,
    lists: Arc<[ListSummary]>,
) -> impl IntoView {
    let rows = items
        .into_iter()
        .zip(places)
        .map(|(todo, place)| {
            if fixed.address.edit.as_deref() == Some(todo.id.as_str()) {
                Either::Left(view! { <TodoTitleForm todo cancel_href=fixed.here() /> })
            } else {
                Either::Right(
                    view! { <TodoItem todo place fixed=fixed.clone() lists=lists.clone() /> },
                )
            }
        })
        .collect_view();
    view! {
        <ul class="todo-list">{rows}</ul>
    }
}
