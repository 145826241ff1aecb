//! `/lists`: the user's lists, to rename, order and delete. Server-rendered
//! plain forms, so it works the same with and without JavaScript. Deleting
//! a list that has todos asks first (`/lists?delete=<id>`): delete them, or
//! move them to the Inbox.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::FormError;
use crate::{
    actions::{
        lists::{CreateList, DeleteList, MoveList, RenameList, all_lists},
        undo::{Undo, undo_notice},
    },
    components::{load_failed::LoadFailed, signed_in::signed_in_page, undo_notice::UndoNotice},
    lists::{INBOX_NAME, ListSummary, MAX_LIST_NAME_CHARS},
    undo::UNDO_QUERY_KEY,
};

#[component]
pub fn ListsPage() -> impl IntoView {
    let (deleting, undo_batch) =
        use_query_map().with_untracked(|query| (query.get("delete"), query.get(UNDO_QUERY_KEY)));
    let lists = Resource::new(|| (), |_| all_lists());
    let undoable = Resource::new(
        || (),
        move |_| {
            let batch = undo_batch.clone();
            async move {
                match batch {
                    Some(batch) => undo_notice(batch).await.ok().flatten(),
                    None => None,
                }
            }
        },
    );
    view! {
        <Title text="Your lists" />
        {signed_in_page(move |_| {
            let deleting = deleting.clone();
            view! {
                <h1>"Your lists"</h1>
                <p><a href="/todos">"Back to your todos"</a></p>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || {
                        let deleting = deleting.clone();
                        Suspend::new(async move {
                            let notice = undoable.await.map(|undoable| view! { <UndoNotice undoable /> });
                            match lists.await {
                                Ok(lists) => {
                                    let confirm = deleting
                                        .and_then(|id| lists.iter().find(|list| list.id == id && !list.inbox).cloned());
                                    match confirm {
                                        Some(list) => view! { <ConfirmDelete list /> }.into_any(),
                                        None => view! { {notice} <Lists lists /> }.into_any(),
                                    }
                                }
                                Err(error) => view! { <LoadFailed error /> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        })}
    }
}

#[component]
fn Lists(lists: Vec<ListSummary>) -> impl IntoView {
    // One action per kind of change: after a form post without JavaScript,
    // the refusal (if any) comes back through the page's address.
    let (create, rename, moved, delete) = (
        ServerAction::<CreateList>::new(),
        ServerAction::<RenameList>::new(),
        ServerAction::<MoveList>::new(),
        ServerAction::<DeleteList>::new(),
    );
    let undo = ServerAction::<Undo>::new();
    let others: Vec<ListSummary> = lists.iter().filter(|list| !list.inbox).cloned().collect();
    let rows = others
        .iter()
        .enumerate()
        .map(|(index, list)| {
            let above = index
                .checked_sub(1)
                .and_then(|i| others.get(i))
                .map(|list| list.id.clone());
            let below = others.get(index + 1).map(|list| list.id.clone());
            view! { <ListRow list=list.clone() above below /> }
        })
        .collect_view();
    view! {
        <FormError action=create />
        <FormError action=rename />
        <FormError action=moved />
        <FormError action=delete />
        <FormError action=undo />
        <section class="card stack" aria-labelledby="lists-heading">
            <h2 id="lists-heading">"Lists"</h2>
            <p class="muted">
                {format!("The {INBOX_NAME} comes first and keeps its name: new todos go there unless you add them to a list.")}
            </p>
            <ul class="lists">
                {lists.iter().find(|list| list.inbox).map(|inbox| view! {
                    <li class="lists__item">
                        <a class="lists__name" href="/todos">{inbox.name.clone()}</a>
                        <span class="muted">{counts(inbox)}</span>
                    </li>
                })}
                {rows}
            </ul>
            <form class="form form--inline" method="post" action=CreateList::url()>
                <label class="field">
                    <span class="field__label">"New list"</span>
                    <input class="input" name="name" maxlength=MAX_LIST_NAME_CHARS required />
                </label>
                <button class="button button--small" type="submit">"Add list"</button>
            </form>
        </section>
    }
}

fn counts(list: &ListSummary) -> String {
    format!("{} open of {}", list.open, list.total)
}

/// One list: its name (a rename form), "Move up", "Move down" and "Delete".
#[component]
fn ListRow(list: ListSummary, above: Option<String>, below: Option<String>) -> impl IntoView {
    let name_id = format!("name-{}", list.id);
    let delete_href = format!("/lists?delete={}", list.id);
    let hidden = {
        let id = list.id.clone();
        move || view! { <input type="hidden" name="id" value=id.clone() /> }
    };
    view! {
        <li class="lists__item">
            <a class="lists__name" href=list.href()>{list.name.clone()}</a>
            <span class="muted">{counts(&list)}</span>
            <form class="form form--inline lists__rename" method="post" action=RenameList::url()>
                {hidden()}
                <label class="visually-hidden" for=name_id.clone()>{format!("New name for {}", list.name)}</label>
                <input id=name_id class="input input--small" name="name" value=list.name.clone() maxlength=MAX_LIST_NAME_CHARS required />
                <button class="button button--ghost button--small" type="submit">"Rename"</button>
            </form>
            <form class="lists__order" method="post" action=MoveList::url()>
                {hidden()}
                {above.map(|above| view! {
                    <button class="button button--ghost button--small" type="submit" name="before" value=above aria-label=format!("Move {} up", list.name)>
                        <span aria-hidden="true">"↑"</span>
                    </button>
                })}
                {below.map(|below| view! {
                    <button class="button button--ghost button--small" type="submit" name="after" value=below aria-label=format!("Move {} down", list.name)>
                        <span aria-hidden="true">"↓"</span>
                    </button>
                })}
            </form>
            {if list.total == 0 {
                view! {
                    <form method="post" action=DeleteList::url()>
                        {hidden()}
                        <button class="button button--danger button--small" type="submit" aria-label=format!("Delete {}", list.name)>"Delete"</button>
                    </form>
                }
                .into_any()
            } else {
                view! {
                    <a class="button button--danger button--small" href=delete_href aria-label=format!("Delete {}", list.name)>"Delete…"</a>
                }
                .into_any()
            }}
        </li>
    }
}

/// "Delete this list?": what becomes of its todos, chosen before it goes.
#[component]
fn ConfirmDelete(list: ListSummary) -> impl IntoView {
    let delete = ServerAction::<DeleteList>::new();
    let question = match list.total {
        1 => format!(
            "\u{201c}{}\u{201d} has 1 todo. What should happen to it?",
            list.name
        ),
        n => format!(
            "\u{201c}{}\u{201d} has {n} todos. What should happen to them?",
            list.name
        ),
    };
    view! {
        <section class="card stack card--danger" aria-labelledby="confirm-delete">
            <h2 id="confirm-delete">{format!("Delete \u{201c}{}\u{201d}?", list.name)}</h2>
            <FormError action=delete />
            <form class="form" method="post" action=DeleteList::url()>
                <input type="hidden" name="id" value=list.id.clone() />
                <fieldset class="choices">
                    <legend>{question}</legend>
                    <label class="field field--check">
                        <input type="radio" name="todos" value="move" required checked />
                        <span>{format!("Move them to the top of the {INBOX_NAME}")}</span>
                    </label>
                    <label class="field field--check">
                        <input type="radio" name="todos" value="delete" required />
                        <span>"Delete them too"</span>
                    </label>
                </fieldset>
                <div class="form__actions">
                    <button class="button button--danger" type="submit">"Delete the list"</button>
                    <a class="button button--ghost" href="/lists">"Keep it"</a>
                </div>
            </form>
        </section>
    }
}
