//! `/todos`: one list (the Inbox unless `?list=` names another), a dated
//! view (`?view=today`, `?view=upcoming`) or the results of a search
//! (`?q=`), server-rendered whole, then interactive. The page around it is
//! server-only HTML too: the sidebar of lists, the heading and the rows are
//! plain HTML, and the island in it ([`TodoControls`]) holds only what the
//! browser must: the new-todo form, messages, and listeners that act on
//! the rows' own forms and swap in the server's HTML after a change.
//!
//! Every action is a form, so it works as a plain form post without
//! JavaScript (a title is then edited on `?edit=<id>`, a todo's details on
//! `?open=<id>`); with it, changes show at once and fall back, with a
//! message, if the server refuses them. Manual order moves by "Move up"
//! and "Move down" buttons (forms too) or, with JavaScript, by dragging.

mod address;
mod card;
#[cfg(feature = "hydrate")]
mod controls;
mod forms;
mod heading;
mod keyboard;
mod page_actions;
mod quick_chips;
mod row;
mod sidebar;
mod toast;

use leptos::{either::Either, html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    actions::{todos::list_with_totals, undo::undo_notice},
    components::{
        load_failed::LoadFailed, load_once::LoadOnce, raw_text::escaped, signed_in::signed_in_page,
    },
    error::AppError,
    undo::{UNDO_QUERY_KEY, Undoable},
    views::{Showing, TodoListing},
};
pub use address::Address;
use address::{Fixed, NewTodo};
use card::TodoCard;
use forms::NewTodoForm;
pub(crate) use forms::{DueFields, PriorityField, ReminderField, RepeatFields};
use heading::heading_view;
use page_actions::Actions;
use sidebar::Sidebar;
#[cfg(feature = "hydrate")]
use toast::focus_soon;
use toast::{Notice, Toast, watch_for_notices};

/// What the page shows: the listing, or why not.
type Shown = Result<TodoListing, AppError>;

async fn load(address: Address) -> Shown {
    list_with_totals(address.params).await
}

fn title_of(shown: &Shown) -> String {
    match shown {
        Ok(listing) => match &listing.showing {
            Showing::List(list) => list.name.clone(),
            Showing::Today => "Today".into(),
            Showing::Upcoming => "Upcoming".into(),
            Showing::Search(text) => format!("Search: {text}"),
            Showing::All => "All todos".into(),
        },
        Err(_) => "Todos".into(),
    }
}

#[component]
pub fn TodosPage() -> impl IntoView {
    let address = Address::from_query();
    // A delete made without JavaScript returns here with its undo batch.
    let undo_batch = use_query_map().with_untracked(|query| query.get(UNDO_QUERY_KEY));
    // Awaited in the view rather than through a `Resource`: nothing of the
    // listing runs in the browser. Made
    // here, outside the `<Suspense>`, so that it runs once (see LoadOnce).
    let loaded = {
        let address = address.clone();
        LoadOnce::new(async move {
            let first = load(address).await;
            let undoable = match undo_batch {
                Some(batch) => undo_notice(batch).await.ok().flatten(),
                None => None,
            };
            (first, undoable)
        })
    };
    view! {
        {signed_in_page(move |_| {
            let (address, loaded) = (address.clone(), loaded.clone());
            view! {
                <Suspense fallback=|| view! { <p class="muted">"Loading your todos…"</p> }>
                    {move || {
                        let (address, loaded) = (address.clone(), loaded.get());
                        Suspend::new(async move {
                            let (first, undoable) = loaded.await;
                            let title = escaped(&title_of(&first));
                            view! {
                                <Title text=title />
                                <TodoWorkspace address first undoable />
                            }
                        })
                    }}
                </Suspense>
            }
        })}
    }
}

/// The sidebar and the todos, as plain server HTML, with the controls
/// island between the heading and the card.
#[component]
pub fn TodoWorkspace(address: Address, first: Shown, undoable: Option<Undoable>) -> impl IntoView {
    let fixed = Fixed::of(&address, &first);
    let heading = heading_view(&first, address.clone());
    let controls = view! {
        <TodoControls here=address.here() open=address.open.clone() new_todo=fixed.new_todo() undoable />
    };
    let (sidebar, card) = match first {
        Ok(listing) => (
            Some(view! {
                <Sidebar lists=listing.lists.clone() showing=listing.showing.clone() due=listing.due />
            }),
            Either::Left(view! { <TodoCard listing fixed /> }),
        ),
        Err(AppError::EmailUnverified) => (
            None,
            Either::Right(Either::Left(
                view! { <LoadFailed error=AppError::EmailUnverified /> },
            )),
        ),
        Err(error) => (
            None,
            Either::Right(Either::Right(view! {
                <div class="card">
                    <p class="form-error" role="alert">{error.to_string()}</p>
                    <a class="button button--ghost" href="/todos">"Back to your Inbox"</a>
                </div>
            })),
        ),
    };
    view! {
        <div class="workspace">
            {sidebar}
            <section class="todos" aria-labelledby="todos-heading">
                {heading}
                {controls}
                {card}
                <keyboard::ShortcutsButton />
            </section>
            <keyboard::ShortcutsDialog />
        </div>
    }
}

/// What runs in the browser: the new-todo form (with quick add's chips),
/// the line that says why a change was refused, the message after a
/// delete, and the listeners of [`controls`] that act on the server's
/// HTML around it. Its props are a few strings: the rows never travel as
/// data. `here` is the page's address, reloaded after each change; `open`
/// the todo whose details are open.
#[island]
pub fn TodoControls(
    here: String,
    open: Option<String>,
    new_todo: Option<NewTodo>,
    undoable: Option<Undoable>,
) -> impl IntoView {
    let actions = Actions::new(open);
    let notice = RwSignal::new(undoable.map(Notice::Undo));
    watch_for_notices(actions, notice);
    // Parts that only work with JavaScript appear once it runs.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    #[cfg(feature = "hydrate")]
    controls::listen(actions, controls::Reloader::new(actions, here));
    #[cfg(not(feature = "hydrate"))]
    let _ = here;

    // A new list was made: show it.
    Effect::new(move |_| {
        if let Some(Ok(list)) = actions.create_list.value().get() {
            let _ = window().location().set_href(&list.href());
        }
    });

    let new_title: NodeRef<html::Input> = NodeRef::new();
    let chips = quick_chips::QuickChips::new();
    // What was sent, which quick add may have shortened into the title.
    let sent_title = StoredValue::new(String::new());
    Effect::new(move |_| {
        if let Some(sent) = actions.creating.get() {
            sent_title.set_value(sent.title);
        }
    });
    // A new todo was saved: empty the field for the next one, unless the
    // next one is already in it (typed while this one was being saved).
    Effect::new(move |_| {
        if let Some(Ok(saved)) = actions.create.value().get()
            && let Some(input) = new_title.get()
        {
            let typed = input.value();
            let typed = typed.trim();
            if typed == saved.title || typed == sent_title.get_value().trim() {
                input.set_value("");
                chips.clear();
            }
        }
    });

    view! {
        {new_todo.map(|target| view! { <NewTodoForm target actions input=new_title chips /> })}
        <p class="form-error todos__error" role="alert">{move || actions.latest_error()}</p>
        <Toast notice actions hydrated />
    }
}
