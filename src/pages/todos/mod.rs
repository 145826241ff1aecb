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

mod keyboard;
mod row;
mod sidebar;

use std::sync::Arc;

use leptos::{either::Either, html, prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    actions::{
        lists::CreateList,
        todos::{
            ClearCompleted, CreateTodo, DeleteTodo, MoveTodo, ToggleAll, UpdateTodo,
            list_with_totals,
        },
        undo::{Undo, undo_notice},
    },
    components::{load_once::LoadOnce, raw_text::escaped, signed_in::signed_in_page},
    error::AppError,
    lists::ListSummary,
    navigation::encode_query_value,
    todos::{
        EDIT_QUERY_KEY, Filter, MAX_TITLE_CHARS, OPEN_QUERY_KEY, PageParams, Priority, Showing,
        Sort, Todo, TodoListing, TodoPage,
    },
    undo::{UNDO_QUERY_KEY, Undoable},
};
use row::{RowPlace, TodoItem, TodoTitleForm};
use sidebar::Sidebar;

/// What the page's address asks for, carried into the island so that it
/// reloads exactly that after each change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Which todos, and which page of them.
    #[serde(flatten)]
    pub params: PageParams,
    /// The todo whose title form is open (without JavaScript).
    pub edit: Option<String>,
    /// The todo whose details are open.
    pub open: Option<String>,
}

impl Address {
    fn from_query() -> Self {
        use_query_map().with_untracked(|query| {
            let read = |key: &str| query.get(key).filter(|value| !value.is_empty());
            Self {
                params: PageParams {
                    list: read("list"),
                    view: read("view"),
                    q: read("q"),
                    filter: read("filter"),
                    sort: read("sort"),
                    cursor: read("cursor"),
                },
                edit: read(EDIT_QUERY_KEY),
                open: read(OPEN_QUERY_KEY),
            }
        })
    }

    /// This page's address with `filter` (none for all), without a cursor
    /// or open forms.
    fn with_filter(&self, filter: Filter) -> String {
        let filter = (filter != Filter::All).then_some(filter.as_str());
        self.href(filter, self.params.sort.as_deref(), None)
    }

    fn with_sort(&self, sort: Sort) -> String {
        let sort = (sort != Sort::Manual).then_some(sort.as_str());
        self.href(self.params.filter.as_deref(), sort, None)
    }

    fn with_cursor(&self, cursor: &str) -> String {
        self.href(
            self.params.filter.as_deref(),
            self.params.sort.as_deref(),
            Some(cursor),
        )
    }

    /// This page of the list, as shown now (no form open).
    fn here(&self) -> String {
        self.href(
            self.params.filter.as_deref(),
            self.params.sort.as_deref(),
            self.params.cursor.as_deref(),
        )
    }

    fn href(&self, filter: Option<&str>, sort: Option<&str>, cursor: Option<&str>) -> String {
        let pairs = [
            ("list", self.params.list.as_deref()),
            ("view", self.params.view.as_deref()),
            ("q", self.params.q.as_deref()),
            ("filter", filter),
            ("sort", sort),
            ("cursor", cursor),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter_map(|(key, value)| {
                value.map(|value| format!("{key}={}", encode_query_value(value)))
            })
            .collect();
        if query.is_empty() {
            "/todos".to_owned()
        } else {
            format!("/todos?{}", query.join("&"))
        }
    }
}

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

/// The actions of the page; rows share them.
#[derive(Clone, Copy)]
pub(crate) struct Actions {
    create: ServerAction<CreateTodo>,
    update: ServerAction<UpdateTodo>,
    delete: ServerAction<DeleteTodo>,
    move_todo: ServerAction<MoveTodo>,
    toggle_all: ServerAction<ToggleAll>,
    clear: ServerAction<ClearCompleted>,
    undo: ServerAction<Undo>,
    // The inputs in flight, for optimistic rendering. Made once per page:
    // each `ServerAction::input()` call creates and registers a new signal.
    creating: MappedSignal<Option<CreateTodo>>,
    updating: MappedSignal<Option<UpdateTodo>>,
    deleting: MappedSignal<Option<DeleteTodo>>,
    /// The todo whose details are open.
    opened: RwSignal<Option<String>>,
    /// The element to focus again once the list has reloaded after an
    /// action (the button that did it), so focus is never lost.
    refocus: StoredValue<Option<String>>,
    /// The todo being dragged, in manual order.
    dragging: RwSignal<Option<String>>,
    /// A new list: once made, the page goes to it.
    create_list: ServerAction<CreateList>,
}

impl Actions {
    fn new(opened: Option<String>) -> Self {
        let (create, update, delete) = (
            ServerAction::<CreateTodo>::new(),
            ServerAction::<UpdateTodo>::new(),
            ServerAction::<DeleteTodo>::new(),
        );
        Self {
            create,
            update,
            delete,
            move_todo: ServerAction::new(),
            toggle_all: ServerAction::new(),
            clear: ServerAction::new(),
            undo: ServerAction::new(),
            creating: create.input(),
            updating: update.input(),
            deleting: delete.input(),
            opened: RwSignal::new(opened),
            refocus: StoredValue::new(None),
            dragging: RwSignal::new(None),
            create_list: ServerAction::new(),
        }
    }

    /// Changes whenever any action completes, to reload the list.
    fn version(&self) -> [usize; 7] {
        [
            self.undo.version().get(),
            self.create.version().get(),
            self.update.version().get(),
            self.delete.version().get(),
            self.move_todo.version().get(),
            self.toggle_all.version().get(),
            self.clear.version().get(),
        ]
    }

    /// The most recent refusal, in words.
    fn latest_error(&self) -> Option<String> {
        fn error_of<T: Clone>(value: Option<Result<T, AppError>>) -> Option<String> {
            value.and_then(Result::err).map(|error| error.to_string())
        }
        error_of(self.create.value().get())
            .or_else(|| error_of(self.update.value().get()))
            .or_else(|| error_of(self.delete.value().get()))
            .or_else(|| error_of(self.move_todo.value().get()))
            .or_else(|| error_of(self.toggle_all.value().get()))
            .or_else(|| error_of(self.clear.value().get()))
            .or_else(|| error_of(self.undo.value().get()))
            .or_else(|| error_of(self.create_list.value().get()))
    }

    /// Moves `id` as the form fields of its buttons say, keeping focus on
    /// `focus` (a button's id) once the list has reloaded.
    fn move_to(&self, id: &str, before: Option<String>, after: Option<String>, focus: String) {
        self.refocus.set_value(Some(focus));
        self.move_todo.dispatch(MoveTodo {
            id: id.to_owned(),
            list_id: None,
            before,
            after,
        });
    }
}

/// The sidebar and the todos, hydrated in the browser. `first` is what the
/// server loaded for this page; after every completed action the island
/// loads it again, with the same address.
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
    let shown = RwSignal::new(first);
    let reloads = StoredValue::new(0u64);
    Effect::watch(
        move || actions.version(),
        {
            let address = address.clone();
            move |_, _, _| {
                // A reload that started earlier may finish later: only the
                // newest one is shown.
                reloads.update_value(|n| *n += 1);
                let this_reload = reloads.get_value();
                let address = address.clone();
                spawn_local(async move {
                    let reloaded = load(address).await;
                    if reloads.get_value() == this_reload {
                        shown.set(reloaded);
                        refocus(actions.refocus);
                    }
                });
            }
        },
        false,
    );

    // A new list was made: show it.
    Effect::new(move |_| {
        if let Some(Ok(list)) = actions.create_list.value().get() {
            let _ = window().location().set_href(&list.href());
        }
    });

    let new_title: NodeRef<html::Input> = NodeRef::new();
    // A new todo was saved: empty the field for the next one, unless the
    // next one is already in it (typed while this one was being saved).
    Effect::new(move |_| {
        if let Some(Ok(saved)) = actions.create.value().get()
            && let Some(input) = new_title.get()
            && input.value().trim() == saved.title
        {
            input.set_value("");
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
            Err(error) => Either::Right(view! {
                <div class="card">
                    <p class="form-error" role="alert">{error.to_string()}</p>
                    <a class="button button--ghost" href="/todos">"Back to your Inbox"</a>
                </div>
            }),
        }
    };

    view! {
        <div class="workspace">
            {sidebar}
            <section class="todos" aria-labelledby="todos-heading">
                {heading}
                {fixed.can_add.then(|| view! { <NewTodoForm fixed=fixed.clone() actions input=new_title /> })}
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

/// What the message at the bottom of the page says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    /// A delete, with its Undo button.
    Undo(Undoable),
    /// What an undo put back.
    Undone(String),
}

/// Shows the message of each delete that can be undone, and of each undo.
fn watch_for_notices(actions: Actions, notice: RwSignal<Option<Notice>>) {
    Effect::new(move |_| {
        if let Some(Ok(undoable)) = actions.delete.value().get() {
            notice.set(Some(Notice::Undo(undoable)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(Some(undoable))) = actions.clear.value().get() {
            notice.set(Some(Notice::Undo(undoable)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(restored)) = actions.undo.value().get() {
            notice.set(Some(Notice::Undone(restored)));
        }
    });
}

/// The message after a delete, with its Undo button: a form, so that it
/// also works without JavaScript (the delete's page shows it then, from
/// `?undo=`). It stays until dismissed or replaced: no timer takes it away
/// while someone is still reading it.
#[component]
fn Toast(
    notice: RwSignal<Option<Notice>>,
    actions: Actions,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let dismiss = move |_| {
        notice.set(None);
        focus_soon("new-todo".to_owned());
    };
    let close = move || {
        view! {
            <Show when=move || hydrated.get()>
                <button id="toast-close" class="toast__close" type="button" aria-label="Dismiss the message" on:click=dismiss>
                    <span aria-hidden="true">"×"</span>
                </button>
            </Show>
        }
    };
    let undo = move |_| actions.refocus.set_value(Some("toast-close".to_owned()));
    view! {
        <div class="toast-region" role="status" aria-live="polite">
            {move || notice.get().map(|notice| match notice {
                Notice::Undo(undoable) => Either::Left(view! {
                    <div class="toast">
                        <span class="toast__text">{undoable.message}</span>
                        <ActionForm action=actions.undo attr:class="toast__form">
                            <input type="hidden" name="batch" value=undoable.batch />
                            <button id="undo-button" class="button button--small" type="submit" on:click=undo>"Undo"</button>
                        </ActionForm>
                        {close()}
                    </div>
                }),
                Notice::Undone(restored) => Either::Right(view! {
                    <div class="toast">
                        <span class="toast__text">{restored}</span>
                        {close()}
                    </div>
                }),
            })}
        </div>
    }
}

/// Focuses the element `refocus` names once the browser has drawn the
/// reloaded list, or, if it is gone, the Undo button or the new-todo
/// field, so focus is never lost.
fn refocus(refocus: StoredValue<Option<String>>) {
    let Some(id) = refocus.get_value() else {
        return;
    };
    refocus.set_value(None);
    focus_soon(id);
}

/// Focuses the element with the id `id` (or a fallback) after the next
/// frame is drawn.
pub(crate) fn focus_soon(id: String) {
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        let found = [id.as_str(), "undo-button", "new-todo", "todos-heading"]
            .into_iter()
            .find_map(|id| document().get_element_by_id(id))
            .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
        if let Some(element) = found {
            let _ = element.focus();
        }
    });
}

/// What the page's address fixes for its whole life: where rows link to,
/// which forms it has, and where a new todo goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fixed {
    address: Address,
    /// A new todo's list (a list page), or the Inbox (a view).
    list_id: Option<String>,
    /// A new todo's due date on the Today page: today.
    due_today: Option<String>,
    /// Whether the page shows one list in manual order: then rows move.
    manual: bool,
    /// Whether the page shows one list, so bulk changes apply to it.
    one_list: bool,
    /// Rows show the list they are in (a view or a search spans lists).
    shows_lists: bool,
    can_add: bool,
}

impl Fixed {
    fn of(address: &Address, first: &Shown) -> Self {
        let listing = first.as_ref().ok();
        let list = listing.and_then(|listing| match &listing.showing {
            Showing::List(list) => Some(list.clone()),
            _ => None,
        });
        let sort = listing.map(|listing| listing.sort);
        let today = listing.is_some_and(|listing| listing.showing == Showing::Today);
        Self {
            address: address.clone(),
            list_id: list.as_ref().map(|list| list.id.clone()),
            due_today: today
                .then(|| listing.map(|listing| listing.today_date.clone()))
                .flatten(),
            manual: list.is_some() && sort == Some(Sort::Manual),
            one_list: list.is_some(),
            shows_lists: list.is_none(),
            can_add: listing.is_some_and(|listing| !matches!(listing.showing, Showing::Search(_))),
        }
    }

    fn edit_href(&self, id: &str) -> String {
        with_key(&self.address.here(), EDIT_QUERY_KEY, id)
    }

    fn open_href(&self, id: &str) -> String {
        with_key(&self.address.here(), OPEN_QUERY_KEY, id)
    }

    pub(crate) fn here(&self) -> String {
        self.address.here()
    }
}

fn with_key(href: &str, key: &str, value: &str) -> String {
    let separator = if href.contains('?') { '&' } else { '?' };
    format!("{href}{separator}{key}={}", encode_query_value(value))
}

/// The page's heading: what it shows, and a line about it. (A function of
/// the listing it reads, not a component, which would take a copy.)
fn heading_view(shown: &Shown, address: Address) -> impl IntoView + use<> {
    let title = title_of(shown);
    let (line, sort) = match shown {
        Ok(listing) => {
            let open = listing.totals.active;
            let line = match &listing.showing {
                Showing::Today => Some(format!(
                    "{} · your time zone is {}",
                    listing.today, listing.time_zone
                )),
                Showing::Upcoming => Some(format!("The next 7 days, from {}", listing.today)),
                Showing::Search(_) => Some(match listing.totals.total {
                    1 => "1 todo found, in all your lists".to_owned(),
                    n => format!("{n} todos found, in all your lists"),
                }),
                Showing::List(_) | Showing::All => Some(match open {
                    1 => "1 open".to_owned(),
                    n => format!("{n} open"),
                }),
            };
            let sort = matches!(listing.showing, Showing::List(_)).then_some(listing.sort);
            (line, sort)
        }
        Err(_) => (None, None),
    };
    let time_zone_link = matches!(shown, Ok(listing) if listing.showing == Showing::Today);
    view! {
        <div class="todos__head">
            <div>
                <h1 id="todos-heading" tabindex="-1">{title}</h1>
                {line.map(|line| view! {
                    <p class="muted todos__line">
                        {line}
                        {time_zone_link.then(|| view! { " " <a href="/account#time-zone">"(change)"</a> })}
                    </p>
                })}
            </div>
            {sort.map(|sort| view! { <SortLinks current=sort address=address.clone() /> })}
        </div>
    }
}

#[component]
fn SortLinks(current: Sort, address: Address) -> impl IntoView {
    let link = move |sort: Sort, label: &'static str| {
        let current = (sort == current).then_some("page");
        view! { <a class="filters__link" href=address.with_sort(sort) aria-current=current>{label}</a> }
    };
    view! {
        <nav class="filters todos__sort" aria-label="Order">
            {link(Sort::Manual, "My order")}
            {link(Sort::Priority, "Priority")}
            {link(Sort::Newest, "Newest")}
        </nav>
    }
}

/// The form that adds a todo: a title, and optionally a due date, a time
/// and a priority (under "Details").
#[component]
fn NewTodoForm(fixed: Fixed, actions: Actions, input: NodeRef<html::Input>) -> impl IntoView {
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

/// A group of rows under a heading (a day of Upcoming, overdue todos).
struct Group {
    heading: Option<String>,
    items: Vec<Todo>,
}

/// The rows in groups: by day for Upcoming, overdue and today for Today,
/// one group otherwise.
fn groups(listing: &TodoListing, items: Vec<Todo>) -> Vec<Group> {
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
fn TodoCard(mut listing: TodoListing, fixed: Fixed, actions: Actions) -> impl IntoView {
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
        .enumerate()
        .map(|(number, group)| {
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
                    actions
                    pending_first=number == 0
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
        <div class="card todos__card" class:todos__card--busy=move || actions.toggle_all.pending().get() || actions.clear.pending().get()>
            {fixed.one_list.then(|| view! {
                <ToggleAllForm actions list_id=fixed.list_id.clone() all_done={totals.total > 0 && totals.active == 0} show={totals.total > 0} />
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
                {fixed.one_list.then(|| view! { <ClearCompletedForm actions list_id=fixed.list_id.clone() show={totals.completed > 0} /> })}
            </footer>
        </div>
    }
}

/// A group's rows: the todo being added (in the first group), then the
/// todos. A plain list rather than a keyed `<For>`: the island replaces the
/// whole card when the listing reloads, so rows are never kept across
/// reloads, and the server renders them without copying them all again or
/// hashing their keys.
#[component]
fn TodoRows(
    items: Vec<Todo>,
    places: Vec<RowPlace>,
    fixed: Fixed,
    lists: Arc<[ListSummary]>,
    actions: Actions,
    pending_first: bool,
) -> impl IntoView {
    let rows = items
        .into_iter()
        .zip(places)
        .map(|(todo, place)| {
            if fixed.address.edit.as_deref() == Some(todo.id.as_str()) {
                Either::Left(view! { <TodoTitleForm todo cancel_href=fixed.here() /> })
            } else {
                Either::Right(view! { <TodoItem todo place fixed=fixed.clone() lists=lists.clone() actions /> })
            }
        })
        .collect_view();
    view! {
        <ul class="todo-list">
            {pending_first.then(|| view! { <PendingNewTodo actions /> })}
            {rows}
        </ul>
    }
}

/// The list's rows exactly as the page renders them, on their own: what
/// the render benchmark (`cargo bench --bench render`) measures.
#[cfg(feature = "ssr")]
pub fn todo_rows_html(items: Vec<Todo>, lists: Vec<ListSummary>) -> String {
    let actions = Actions::new(None);
    let address = Address::default();
    let fixed = Fixed {
        address,
        list_id: lists.first().map(|list| list.id.clone()),
        due_today: None,
        manual: true,
        one_list: true,
        shows_lists: false,
        can_add: true,
    };
    let places = (0..items.len())
        .map(|index| RowPlace {
            above: index
                .checked_sub(1)
                .and_then(|i| items.get(i))
                .map(|todo| todo.id.clone()),
            below: items.get(index + 1).map(|todo| todo.id.clone()),
        })
        .collect();
    let lists: Arc<[ListSummary]> = lists.into();
    view! { <TodoRows items places fixed lists actions pending_first=true /> }.to_html()
}

/// The todo being added, shown before the server confirms it.
#[component]
fn PendingNewTodo(actions: Actions) -> impl IntoView {
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
fn ToggleAllForm(
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
fn ClearCompletedForm(actions: Actions, list_id: Option<String>, show: bool) -> impl IntoView {
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
fn FilterLinks(current: Filter, address: Address) -> impl IntoView {
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
fn EmptyState(showing: Showing, filter: Filter, total: i64, shown: bool) -> impl IntoView {
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
