//! `/todos`: one list (the Inbox unless `?list=` names another), a dated
//! view (`?view=today`, `?view=upcoming`) or the results of a search
//! (`?q=`), server-rendered whole, then interactive. The page around it is
//! server-only HTML; the workspace (the sidebar of lists and the todos) is
//! an island, the part of the page the browser bundle hydrates.
//!
//! Every action is a form, so it works as a plain form post without
//! JavaScript (a title is then edited on `?edit=<id>`, a todo's details on
//! `?open=<id>`); with it, changes show at once and fall back, with a
//! message, if the server refuses them. Manual order moves by "Move up"
//! and "Move down" buttons (forms too) or, with JavaScript, by dragging.

mod address;
mod card;
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
use address::Fixed;
use card::TodoCard;
use forms::NewTodoForm;
pub(crate) use forms::{DueFields, PriorityField, ReminderField, RepeatFields};
use heading::heading_view;
use page_actions::Actions;
use sidebar::Sidebar;
pub(crate) use toast::focus_soon;
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

/// What the island shows. On the server: `first`. In the browser: an
/// `AsyncDerived` keyed on the actions' versions (the primitive a
/// `Resource` is made of, used as the Leptos todo example uses one): `first`
/// until an action completes, then the listing loaded again with the same
/// address; a load overtaken by a newer one is dropped. Not a `Resource`
/// itself: `first` already travels in the island's props, and a `Resource`
/// would send it to the browser a second time (a `LocalResource` would
/// render nothing on the server, which pages without JavaScript need).
fn listing(first: Shown, address: Address, actions: Actions) -> Signal<Shown> {
    #[cfg(feature = "hydrate")]
    {
        let shown_first = first.clone();
        let loaded = AsyncDerived::new_unsync_with_initial(Some(first.clone()), move || {
            let acted = actions.version() != Actions::NONE_DONE;
            let address = address.clone();
            let first = (!acted).then(|| first.clone());
            async move {
                match first {
                    Some(first) => first,
                    None => load(address).await,
                }
            }
        });
        // Focus goes back to the button that acted, now redrawn.
        Effect::watch(
            move || loaded.track(),
            move |_, _, _| toast::refocus(actions.refocus),
            false,
        );
        Signal::derive(move || loaded.get().unwrap_or_else(|| shown_first.clone()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (address, actions);
        // Sync storage: the server may drop the page on another thread.
        Signal::stored(first)
    }
}

#[component]
pub fn TodosPage() -> impl IntoView {
    let address = Address::from_query();
    // A delete made without JavaScript returns here with its undo batch.
    let undo_batch = use_query_map().with_untracked(|query| query.get(UNDO_QUERY_KEY));
    // Awaited in the view rather than through a `Resource`: only the island
    // below runs in the browser, and it gets the data as its props. Made
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

/// The sidebar and the todos, hydrated in the browser. `first` is what the
/// server loaded for this page; after every completed action the island
/// loads it again, with the same address ([`listing`]).
#[island]
pub fn TodoWorkspace(address: Address, first: Shown, undoable: Option<Undoable>) -> impl IntoView {
    let actions = Actions::new(address.open.clone());
    let notice = RwSignal::new(undoable.map(Notice::Undo));
    watch_for_notices(actions, notice);
    let shortcuts: NodeRef<html::Dialog> = NodeRef::new();
    // Parts that only work with JavaScript appear once it runs.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| {
        hydrated.set(true);
        keyboard::listen(shortcuts);
    });
    let fixed = Fixed::of(&address, &first);
    let shown = listing(first, address.clone(), actions);

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

    // The sidebar and the heading take only their parts of the listing:
    // copying all of it (every todo) for each would double the render.
    let sidebar = move || {
        shown.with(|shown| {
            shown.as_ref().ok().map(|listing| {
                view! {
                    <Sidebar
                        lists=listing.lists.clone()
                        showing=listing.showing.clone()
                        due=listing.due
                        actions
                    />
                }
            })
        })
    };
    let heading = move || shown.with(|shown| heading_view(shown, address.clone()));
    let card = {
        let fixed = fixed.clone();
        move || match shown.get() {
            Ok(listing) => Either::Left(view! { <TodoCard listing fixed=fixed.clone() actions /> }),
            Err(AppError::EmailUnverified) => Either::Right(Either::Left(view! {
                <LoadFailed error=AppError::EmailUnverified />
            })),
            Err(error) => Either::Right(Either::Right(view! {
                <div class="card">
                    <p class="form-error" role="alert">{error.to_string()}</p>
                    <a class="button button--ghost" href="/todos">"Back to your Inbox"</a>
                </div>
            })),
        }
    };

    view! {
        <div class="workspace">
            {sidebar}
            <section class="todos" aria-labelledby="todos-heading">
                {heading}
                {fixed.can_add.then(|| view! { <NewTodoForm fixed=fixed.clone() actions input=new_title chips /> })}
                <p class="form-error todos__error" role="alert">{move || actions.latest_error()}</p>
                <Toast notice actions hydrated />
                {card}
                <Show when=move || hydrated.get()>
                    <keyboard::ShortcutsButton dialog=shortcuts />
                </Show>
            </section>
            <keyboard::ShortcutsDialog dialog=shortcuts />
        </div>
    }
}
