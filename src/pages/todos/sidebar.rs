//! The sidebar of the list page: the dated views and the user's lists,
//! each with how many todos are open in it, and a form for a new list. On a
//! narrow screen it becomes a row above the todos.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    actions::lists::CreateList,
    lists::{ListSummary, MAX_LIST_NAME_CHARS},
    todos::DueCounts,
    views::Showing,
};

#[component]
pub(crate) fn Sidebar(lists: Vec<ListSummary>, showing: Showing, due: DueCounts) -> impl IntoView {
    let current = |here: bool| here.then_some("page");
    let is_list = |id: &str| matches!(&showing, Showing::List(list) if list.id == id);
    let lists = lists
        .iter()
        .map(|list| {
            view! {
                <li>
                    <a class="sidebar__link" href=list.href() aria-current=current(is_list(&list.id))>
                        <span class="sidebar__name">{list.name.clone()}</span>
                        <Count open=list.open />
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="sidebar" aria-label="Lists and views">
            <ul class="sidebar__group">
                <li>
                    <a class="sidebar__link" href="/todos?view=today" aria-current=current(showing == Showing::Today)>
                        <span class="sidebar__name">"Today"</span>
                        {(due.overdue > 0).then(|| view! {
                            <span class="sidebar__overdue">{due.overdue}<span class="visually-hidden">" overdue"</span></span>
                        })}
                        <Count open=due.today + due.overdue />
                    </a>
                </li>
                <li>
                    <a class="sidebar__link" href="/todos?view=upcoming" aria-current=current(showing == Showing::Upcoming)>
                        <span class="sidebar__name">"Upcoming"</span>
                        <Count open=due.upcoming />
                    </a>
                </li>
            </ul>
            <h2 class="sidebar__heading">"Lists"</h2>
            <ul class="sidebar__group">{lists}</ul>
            <form class="sidebar__new" method="post" action=CreateList::url()>
                <label class="visually-hidden" for="new-list">"New list"</label>
                <input id="new-list" class="input input--small" name="name" placeholder="New list" maxlength=MAX_LIST_NAME_CHARS required autocomplete="off" />
                <button class="button button--small" type="submit">"Add list"</button>
            </form>
            <a class="sidebar__manage" href="/lists">"Rename, order or delete lists"</a>
        </nav>
    }
}

/// How many todos are open, said in words to screen readers.
#[component]
fn Count(open: i64) -> impl IntoView {
    (open > 0).then(|| {
        view! { <span class="sidebar__count">{open}<span class="visually-hidden">" open"</span></span> }
    })
}
