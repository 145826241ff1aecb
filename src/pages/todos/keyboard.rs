//! The list's keyboard shortcuts, with JavaScript: `n` new todo, `/`
//! search, `j`/`k` next and previous todo, `x` done or not, `e` or Enter
//! edit, Delete delete (with undo), `?` the list of them. They never fire
//! while a field has the keyboard, with a modifier key held, or while a
//! dialog is open; each acts through the row's own buttons, so it behaves
//! exactly as a click does, focus handling included.

use leptos::prelude::*;

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

/// The id of the dialog that lists the shortcuts.
const DIALOG_ID: &str = "shortcuts";

/// The dialog that lists the shortcuts (`?`, or the button under the list).
#[component]
pub(super) fn ShortcutsDialog() -> impl IntoView {
    view! {
        <dialog class="dialog" id=DIALOG_ID aria-labelledby="shortcuts-title">
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

/// The button that opens the dialog. It only works with JavaScript, so
/// the style sheet shows it once the page is interactive.
#[component]
pub(super) fn ShortcutsButton() -> impl IntoView {
    view! {
        <button class="button button--ghost button--small todos__shortcuts" type="button" aria-haspopup="dialog">
            "Keyboard shortcuts " <kbd>"?"</kbd>
        </button>
    }
}

/// The dialog, while the page has it.
#[cfg(feature = "hydrate")]
fn dialog() -> Option<leptos::web_sys::HtmlDialogElement> {
    use leptos::wasm_bindgen::JsCast;
    document().get_element_by_id(DIALOG_ID)?.dyn_into().ok()
}

#[cfg(feature = "hydrate")]
pub(super) fn open_dialog() {
    if let Some(dialog) = dialog()
        && !dialog.open()
    {
        let _ = dialog.show_modal();
    }
}

/// Runs the shortcut a key press asks for, if it is one.
#[cfg(feature = "hydrate")]
pub(super) fn on_keydown(event: &leptos::web_sys::KeyboardEvent) {
    if let Some(shortcut) = Shortcut::of(event) {
        event.prevent_default();
        shortcut.run();
    }
}

#[cfg(feature = "hydrate")]
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

#[cfg(feature = "hydrate")]
impl Shortcut {
    /// The shortcut `event` asks for, if it is one and nobody is typing.
    fn of(event: &leptos::web_sys::KeyboardEvent) -> Option<Self> {
        use leptos::wasm_bindgen::JsCast;
        if event.default_prevented() || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return None;
        }
        if dialog().is_some_and(|dialog| dialog.open()) {
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

    fn run(self) {
        match self {
            Shortcut::NewTodo => focus_by_id("new-todo"),
            Shortcut::Search => focus_by_id("search"),
            Shortcut::Next => step(1),
            Shortcut::Previous => step(-1),
            Shortcut::Toggle => click_in_current_row(".todo__check"),
            Shortcut::Edit => click_in_current_row(".todo__edit"),
            Shortcut::Delete => click_in_current_row(".todo__delete"),
            Shortcut::Help => open_dialog(),
        }
    }
}

#[cfg(feature = "hydrate")]
/// Fields where keys are text: shortcuts stay out of them.
fn is_typing_target(element: &leptos::web_sys::HtmlElement) -> bool {
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

#[cfg(feature = "hydrate")]
fn focus_by_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

#[cfg(feature = "hydrate")]
/// The rows shown, in order (not the one being added).
pub(super) fn rows() -> Vec<leptos::web_sys::HtmlElement> {
    use leptos::wasm_bindgen::JsCast;
    let Ok(found) = document().query_selector_all(".todos li.todo[id^='todo-']") else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        .collect()
}

#[cfg(feature = "hydrate")]
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

#[cfg(feature = "hydrate")]
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

#[cfg(feature = "hydrate")]
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
