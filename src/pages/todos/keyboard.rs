//! The list's keyboard shortcuts, with JavaScript: `n` new todo, `/`
//! search, `j`/`k` next and previous todo, `x` done or not, `e` or Enter
//! edit, Delete delete (with undo), `?` the list of them. They never fire
//! while a field has the keyboard, with a modifier key held, or while a
//! dialog is open; each acts through the row's own buttons, so it behaves
//! exactly as a click does, focus handling included.

use leptos::{ev, html, prelude::*};

/// Each shortcut, as the dialog lists it.
const SHORTCUTS: &[(&str, &str)] = &[
    ("n", "Add a new todo"),
    ("/", "Search your todos"),
    ("j", "Next todo"),
    ("k", "Previous todo"),
    ("x", "Mark the todo done, or not done"),
    ("e or Enter", "Edit the todo's title"),
    ("Delete", "Delete the todo (you can undo it)"),
    ("?", "Show these shortcuts"),
];

/// The dialog that lists the shortcuts (`?`, or the button under the list).
#[component]
pub(super) fn ShortcutsDialog(dialog: NodeRef<html::Dialog>) -> impl IntoView {
    view! {
        <dialog class="dialog" node_ref=dialog aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title" class="dialog__title">"Keyboard shortcuts"</h2>
            <dl class="shortcuts">
                {SHORTCUTS
                    .iter()
                    .map(|(keys, what)| view! {
                        <div class="shortcuts__row">
                            <dt><kbd>{*keys}</kbd></dt>
                            <dd>{*what}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
            <p class="muted">"Shortcuts do nothing while you are typing in a field."</p>
            <form method="dialog">
                <button class="button" type="submit" autofocus>"Close"</button>
            </form>
        </dialog>
    }
}

#[component]
pub(super) fn ShortcutsButton(dialog: NodeRef<html::Dialog>) -> impl IntoView {
    let open = move |_| open_dialog(dialog);
    view! {
        <button class="button button--ghost button--small todos__shortcuts" type="button" aria-haspopup="dialog" on:click=open>
            "Keyboard shortcuts " <kbd>"?"</kbd>
        </button>
    }
}

fn open_dialog(dialog: NodeRef<html::Dialog>) {
    if let Some(dialog) = dialog.get_untracked()
        && !dialog.open()
    {
        let _ = dialog.show_modal();
    }
}

/// Listens for the shortcuts on the whole page until the island goes.
pub(super) fn listen(dialog: NodeRef<html::Dialog>) {
    let handle = window_event_listener(ev::keydown, move |event| {
        if let Some(shortcut) = Shortcut::of(&event, dialog) {
            event.prevent_default();
            shortcut.run(dialog);
        }
    });
    on_cleanup(move || handle.remove());
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shortcut {
    NewTodo,
    Search,
    Next,
    Previous,
    Toggle,
    Edit,
    Delete,
    Help,
}

impl Shortcut {
    /// The shortcut `event` asks for, if it is one and nobody is typing.
    fn of(event: &leptos::web_sys::KeyboardEvent, dialog: NodeRef<html::Dialog>) -> Option<Self> {
        use leptos::wasm_bindgen::JsCast;
        if event.default_prevented() || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return None;
        }
        if dialog.get_untracked().is_some_and(|dialog| dialog.open()) {
            return None;
        }
        let target = event
            .target()
            .and_then(|target| target.dyn_into::<leptos::web_sys::HtmlElement>().ok());
        if target.as_ref().is_some_and(is_typing_target) {
            return None;
        }
        let on_a_row = target
            .as_ref()
            .is_some_and(|target| target.class_list().contains("todo"));
        Some(match event.key().as_str() {
            "n" => Shortcut::NewTodo,
            "/" => Shortcut::Search,
            "j" => Shortcut::Next,
            "k" => Shortcut::Previous,
            "x" => Shortcut::Toggle,
            "e" => Shortcut::Edit,
            // On a button or link, Enter keeps its own meaning.
            "Enter" if on_a_row => Shortcut::Edit,
            "Delete" => Shortcut::Delete,
            "?" => Shortcut::Help,
            _ => return None,
        })
    }

    fn run(self, dialog: NodeRef<html::Dialog>) {
        match self {
            Shortcut::NewTodo => focus_by_id("new-todo"),
            Shortcut::Search => focus_by_id("search"),
            Shortcut::Next => step(1),
            Shortcut::Previous => step(-1),
            Shortcut::Toggle => click_in_current_row(".todo__check"),
            Shortcut::Edit => click_in_current_row(".todo__edit"),
            Shortcut::Delete => click_in_current_row(".todo__delete"),
            Shortcut::Help => open_dialog(dialog),
        }
    }
}

/// Fields where keys are text: shortcuts stay out of them.
fn is_typing_target(element: &leptos::web_sys::HtmlElement) -> bool {
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

fn focus_by_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The rows shown, in order (not the one being added).
fn rows() -> Vec<leptos::web_sys::HtmlElement> {
    use leptos::wasm_bindgen::JsCast;
    let Ok(found) = document().query_selector_all(".todos li.todo[id^='todo-']") else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        .collect()
}

/// The row that has focus, or holds the element that has.
fn current_row() -> Option<leptos::web_sys::HtmlElement> {
    use leptos::wasm_bindgen::JsCast;
    document()
        .active_element()?
        .closest(".todos li.todo[id^='todo-']")
        .ok()
        .flatten()?
        .dyn_into::<leptos::web_sys::HtmlElement>()
        .ok()
}

/// Focuses the row `by` rows from the current one (the first when none
/// is), stopping at the ends.
fn step(by: isize) {
    let rows = rows();
    let current = current_row();
    let index = match current.and_then(|row| rows.iter().position(|other| *other == row)) {
        Some(index) => index
            .saturating_add_signed(by)
            .min(rows.len().saturating_sub(1)),
        None => 0,
    };
    if let Some(row) = rows.get(index) {
        let _ = row.focus();
    }
}

fn click_in_current_row(selector: &str) {
    use leptos::wasm_bindgen::JsCast;
    let Some(row) = current_row() else {
        return;
    };
    if let Some(element) = row
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        element.click();
    }
}
