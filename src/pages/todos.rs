//! `/todos`: the list, server-rendered whole, then interactive. The page
//! around the list is server-only HTML; the list itself is an island, the
//! one part of the page the browser bundle hydrates. Every action is a
//! form, so it works as a plain form post without JavaScript (a title is
//! then edited on `/todos?edit=<id>`); with it, changes show at once from
//! the pending input and fall back, with a message, if the server refuses
//! them.

use leptos::{either::Either, ev, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::signed_in::signed_in_page,
    error::AppError,
    navigation::encode_query_value,
    todos::{
        EDIT_QUERY_KEY, Filter, MAX_TITLE_CHARS, SentText, Todo, TodoListing, TodoPage, TodoTotals,
        server_fns::{
            ClearCompleted, CreateTodo, DeleteTodo, ToggleAll, UpdateTodo, list_with_totals,
        },
    },
};

#[component]
pub fn TodosPage() -> impl IntoView {
    let (filter, cursor, editing) = use_query_map().with_untracked(|query| {
        (
            query.get("filter"),
            query.get("cursor"),
            query.get(EDIT_QUERY_KEY),
        )
    });
    view! {
        <Title text="Todos" />
        {signed_in_page(move |_| {
            let (filter, cursor, editing) = (filter.clone(), cursor.clone(), editing.clone());
            view! {
                <Suspense fallback=|| view! { <p class="muted">"Loading your todos…"</p> }>
                    {move || {
                        let (filter, cursor, editing) =
                            (filter.clone(), cursor.clone(), editing.clone());
                        // Awaited here rather than through a `Resource`: only
                        // the island below runs in the browser, and it gets
                        // the data as its props.
                        Suspend::new(async move {
                            let first = load(filter.clone(), cursor.clone()).await;
                            view! { <TodoList filter cursor editing first /> }
                        })
                    }}
                </Suspense>
            }
        })}
    }
}

/// The five actions of the list; items share them.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateTodo>,
    update: ServerAction<UpdateTodo>,
    delete: ServerAction<DeleteTodo>,
    toggle_all: ServerAction<ToggleAll>,
    clear: ServerAction<ClearCompleted>,
    // The inputs in flight, for optimistic rendering. Made once per page:
    // each `ServerAction::input()` call creates and registers a new signal,
    // and every row made several (callgrind, 50 todos: 10.3 M instructions
    // per /todos request before, 9.2 M after).
    creating: MappedSignal<Option<CreateTodo>>,
    updating: MappedSignal<Option<UpdateTodo>>,
    deleting: MappedSignal<Option<DeleteTodo>>,
}

impl Actions {
    fn new() -> Self {
        let (create, update, delete) = (
            ServerAction::new(),
            ServerAction::<UpdateTodo>::new(),
            ServerAction::<DeleteTodo>::new(),
        );
        Self {
            create,
            update,
            delete,
            toggle_all: ServerAction::new(),
            clear: ServerAction::new(),
            creating: create.input(),
            updating: update.input(),
            deleting: delete.input(),
        }
    }

    /// Changes whenever any action completes, to refetch the list.
    fn version(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.create.version().get(),
            self.update.version().get(),
            self.delete.version().get(),
            self.toggle_all.version().get(),
            self.clear.version().get(),
        )
    }

    /// The most recent refusal, in words.
    fn latest_error(&self) -> Option<String> {
        fn error_of<T: Clone>(value: Option<Result<T, AppError>>) -> Option<String> {
            value.and_then(Result::err).map(|error| error.to_string())
        }
        error_of(self.create.value().get())
            .or_else(|| error_of(self.update.value().get()))
            .or_else(|| error_of(self.delete.value().get()))
            .or_else(|| error_of(self.toggle_all.value().get()))
            .or_else(|| error_of(self.clear.value().get()))
    }
}

/// What the list shows: one page of todos and the totals, or why not.
type Shown = Result<TodoListing, AppError>;

/// One page of the list with the totals, in one server function call.
async fn load(filter: Option<String>, cursor: Option<String>) -> Shown {
    list_with_totals(filter, cursor).await
}

/// The list and its forms, hydrated in the browser. `first` is what the
/// server loaded for this page; after every completed action the island
/// loads the list and the totals again. `editing` is the todo whose title
/// form is open without JavaScript.
#[island]
pub fn TodoList(
    filter: Option<String>,
    cursor: Option<String>,
    editing: Option<String>,
    first: Shown,
) -> impl IntoView {
    let actions = Actions::new();
    let shown = RwSignal::new(first);
    let shown_filter = Filter::parse(filter.as_deref()).unwrap_or_default();
    let view_of_list = ListView {
        here: list_href(shown_filter, cursor.as_deref()),
        editing,
    };
    let reloads = StoredValue::new(0u64);
    Effect::watch(
        move || actions.version(),
        move |_, _, _| {
            // A reload that started earlier may finish later: only the
            // newest one is shown.
            reloads.update_value(|n| *n += 1);
            let this_reload = reloads.get_value();
            let (filter, cursor) = (filter.clone(), cursor.clone());
            spawn_local(async move {
                let reloaded = load(filter, cursor).await;
                if reloads.get_value() == this_reload {
                    shown.set(reloaded);
                }
            });
        },
        false,
    );

    let new_title: NodeRef<html::Input> = NodeRef::new();
    // A new todo was saved: empty the field for the next one.
    Effect::new(move |_| {
        if matches!(actions.create.value().get(), Some(Ok(_)))
            && let Some(input) = new_title.get()
        {
            input.set_value("");
        }
    });

    view! {
        <section class="todos" aria-labelledby="todos-heading">
            <div class="todos__head">
                <h1 id="todos-heading">"Todos"</h1>
                <ActionForm action=actions.create attr:class="todos__new">
                    <label class="visually-hidden" for="new-todo">"New todo"</label>
                    <input
                        id="new-todo"
                        class="input"
                        name="title"
                        placeholder="What needs doing?"
                        autocomplete="off"
                        maxlength=MAX_TITLE_CHARS
                        required
                        node_ref=new_title
                    />
                    <button class="button" type="submit">"Add"</button>
                </ActionForm>
            </div>
            <p class="form-error todos__error" role="alert">{move || actions.latest_error()}</p>
            {move || match shown.get() {
                Ok(TodoListing { page, totals }) => {
                    let list = view_of_list.clone();
                    Either::Left(view! { <TodoCard filter=shown_filter list page totals actions /> })
                }
                Err(error) => Either::Right(view! {
                    <div class="card">
                        <p class="form-error" role="alert">{error.to_string()}</p>
                        <a class="button button--ghost" href="/todos">"Show all todos"</a>
                    </div>
                }),
            }}
        </section>
    }
}

/// Where the rows are shown, for their links: this page of the list, and
/// the todo whose title form is open, if any.
#[derive(Clone)]
struct ListView {
    here: String,
    editing: Option<String>,
}

impl ListView {
    fn edit_href(&self, id: &str) -> String {
        format!("{}&{EDIT_QUERY_KEY}={}", self.here, encode_query_value(id))
    }
}

/// The address of this page of the list.
fn list_href(filter: Filter, cursor: Option<&str>) -> String {
    match cursor {
        Some(cursor) => format!(
            "/todos?filter={}&cursor={}",
            filter.as_str(),
            encode_query_value(cursor)
        ),
        None => format!("/todos?filter={}", filter.as_str()),
    }
}

/// The card with the rows, the paging link and the footer.
#[component]
fn TodoCard(
    filter: Filter,
    list: ListView,
    page: TodoPage,
    totals: TodoTotals,
    actions: Actions,
) -> impl IntoView {
    let nothing_shown = page.items.is_empty();
    view! {
        <div class="card todos__card" class:todos__card--busy=move || actions.toggle_all.pending().get() || actions.clear.pending().get()>
            <ToggleAllForm actions all_done={totals.total > 0 && totals.active == 0} show={totals.total > 0} />
            <TodoRows items=page.items list actions />
            <EmptyState filter total=totals.total shown=nothing_shown />
            {page.next_cursor.map(|cursor| {
                let href = list_href(filter, Some(&cursor));
                view! { <a class="button button--ghost todos__more" href=href>"Show older todos"</a> }
            })}
            <footer class="todos__footer">
                <span class="todos__count">
                    {match totals.active {
                        1 => "1 item left".to_string(),
                        n => format!("{n} items left"),
                    }}
                </span>
                <FilterLinks current=filter />
                <ClearCompletedForm actions show={totals.completed > 0} />
            </footer>
        </div>
    }
}

/// The rows of the list: the todo being added, then the page's todos.
#[component]
fn TodoRows(items: Vec<Todo>, list: ListView, actions: Actions) -> impl IntoView {
    view! {
        <ul class="todo-list">
            <PendingNewTodo actions />
            <For each=move || items.clone() key=|todo| todo.id.clone() let(todo)>
                {if list.editing.as_deref() == Some(todo.id.as_str()) {
                    Either::Left(view! { <TodoTitleForm todo cancel_href=list.here.clone() /> })
                } else {
                    let edit_href = list.edit_href(&todo.id);
                    Either::Right(view! { <TodoItem todo edit_href actions /> })
                }}
            </For>
        </ul>
    }
}

/// The list's rows exactly as the page renders them, on their own: what
/// the render benchmark (`cargo bench --bench render`) measures.
#[cfg(feature = "ssr")]
pub fn todo_rows_html(items: Vec<Todo>) -> String {
    let actions = Actions::new();
    let list = ListView {
        here: list_href(Filter::All, None),
        editing: None,
    };
    view! { <TodoRows items list actions /> }.to_html()
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

/// A row without JavaScript's help: one form whose buttons complete or
/// delete the todo, and a link to its title form. With JavaScript, the
/// buttons dispatch the actions instead and "Edit" edits the title in place.
/// (One form per row rather than three: the row's markup is most of what a
/// browser parses, lays out and hydrates on a first load of the list.)
#[component]
fn TodoItem(todo: Todo, edit_href: String, actions: Actions) -> impl IntoView {
    let Todo {
        id,
        title,
        completed,
    } = todo;
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
                    completed: None,
                });
            }
        }
    };
    let on_key = {
        let save = save.clone();
        move |event: ev::KeyboardEvent| match event.key().as_str() {
            "Enter" => {
                event.prevent_default();
                save();
            }
            "Escape" => editing.set(false),
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
    let toggle = {
        let id = id.clone();
        move |event: ev::MouseEvent| {
            event.prevent_default();
            actions.update.dispatch(UpdateTodo {
                id: id.clone(),
                title: SentText::default(),
                completed: Some(!shown_completed.get_untracked()),
            });
        }
    };
    let delete = {
        let id = id.clone();
        move |event: ev::MouseEvent| {
            event.prevent_default();
            actions.delete.dispatch(DeleteTodo { id: id.clone() });
        }
    };

    let editor_id = format!("edit-{id}");
    let label_done = format!("Mark \u{201c}{title}\u{201d} as done");
    let label_undo = format!("Mark \u{201c}{title}\u{201d} as not done");
    let delete_label = format!("Delete \u{201c}{title}\u{201d}");
    let edit_label = format!("Edit \u{201c}{title}\u{201d}");

    view! {
        <li
            class="todo"
            class:todo--done=shown_completed
            class:todo--pending=move || pending.get().is_some()
            class:todo--deleting=deleting
        >
            <form class="todo__form" method="post" action=UpdateTodo::url()>
                <input type="hidden" name="id" value=id />
                <button
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
                <Show
                    when=move || editing.get()
                    fallback=move || view! {
                        <span class="todo__title" on:dblclick=move |_| editing.set(true)>{shown_title}</span>
                        <a class="todo__action" href=edit_href.clone() aria-label=edit_label.clone() on:click=start_editing>"Edit"</a>
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
                <button
                    class="todo__action todo__delete"
                    type="submit"
                    formaction=DeleteTodo::url()
                    aria-label=delete_label
                    on:click=delete
                >
                    <span aria-hidden="true">"×"</span>
                </button>
            </form>
        </li>
    }
}

/// A todo's title form, opened by its "Edit" link: how a title is edited
/// without JavaScript. Saving returns to the list without the form.
#[component]
fn TodoTitleForm(todo: Todo, cancel_href: String) -> impl IntoView {
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

#[component]
fn ToggleAllForm(actions: Actions, all_done: bool, show: bool) -> impl IntoView {
    show.then(|| {
        view! {
            <ActionForm action=actions.toggle_all attr:class="todos__toggle-all">
                <input type="hidden" name="completed" value=(!all_done).to_string() />
                <button class="button button--ghost button--small" type="submit">
                    {if all_done { "Mark all as not done" } else { "Mark all as done" }}
                </button>
            </ActionForm>
        }
    })
}

#[component]
fn ClearCompletedForm(actions: Actions, show: bool) -> impl IntoView {
    show.then(|| {
        view! {
            <ActionForm action=actions.clear attr:class="todos__clear">
                <button class="todo__action" type="submit">"Clear completed"</button>
            </ActionForm>
        }
    })
}

#[component]
fn FilterLinks(current: Filter) -> impl IntoView {
    let link = move |filter: Filter, label: &'static str| {
        let href = match filter {
            Filter::All => "/todos".to_string(),
            other => format!("/todos?filter={}", other.as_str()),
        };
        let current = (filter == current).then_some("page");
        view! { <a class="filters__link" href=href aria-current=current>{label}</a> }
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
fn EmptyState(filter: Filter, total: i64, shown: bool) -> impl IntoView {
    shown.then(|| {
        let message = match (filter, total) {
            (_, 0) => "Nothing here yet. Add your first todo above.",
            (Filter::Active, _) => "All done. Nice work!",
            (Filter::Completed, _) => "Nothing completed yet.",
            (Filter::All, _) => "Nothing on this page.",
        };
        view! { <p class="todos__empty">{message}</p> }
    })
}
