//! The list's controls with JavaScript. The rows, the heading and the
//! sidebar are plain server HTML; this listens on the whole page instead
//! of on each row, so the browser bundle carries none of their markup.
//!
//! - A submit of one of their forms is sent as the same server action a
//!   plain form post would be, with the change shown at once (a todo done,
//!   a row fading while it is deleted).
//! - Once the server has answered, the page is fetched again with the same
//!   address and its changed parts swapped in ([`Reloader`]): one request,
//!   and the server's HTML is the truth, so a refused change rolls back.
//! - A title is edited in place, details open in place, rows are dragged;
//!   focus goes back to the element that acted, found by its id.

use leptos::{
    ev,
    form::FromFormData,
    prelude::*,
    server_fn::ServerFn,
    task::spawn_local,
    wasm_bindgen::{JsCast, JsValue},
    web_sys::{
        DomParser, Element, HtmlElement, HtmlFormElement, HtmlInputElement, Response, SupportedType,
    },
};
use wasm_bindgen_futures::JsFuture;

use super::{Actions, address::with_key, focus_soon, keyboard};
use crate::{
    actions::{
        lists::CreateList,
        todos::{ClearCompleted, DeleteTodo, MoveTodo, ToggleAll, UpdateTodo},
    },
    todos::{MAX_TITLE_CHARS, OPEN_QUERY_KEY, RepeatForm, SentText},
};

/// The parts of the page an action can change, each found by a selector
/// that matches one element; everything else (the controls island with
/// the field being typed in, the toast) stays as it is.
const CHANGING_PARTS: [&str; 3] = [".sidebar", ".todos__head", ".todos__card"];

/// Loads the page again after a change and swaps in what changed.
#[derive(Clone, Copy)]
pub(super) struct Reloader {
    actions: Actions,
    /// The page's address, without any open form.
    here: StoredValue<String>,
    /// The newest reload's number: an answer to an older one is dropped.
    latest: StoredValue<u64>,
    /// The todo whose title is being edited in place, if one is.
    editing: StoredValue<Option<String>>,
}

impl Reloader {
    pub(super) fn new(actions: Actions, here: String) -> Self {
        Self {
            actions,
            here: StoredValue::new(here),
            latest: StoredValue::new(0),
            editing: StoredValue::new(None),
        }
    }

    pub(super) fn reload(self) {
        let here = self.here.get_value();
        let address = match self.actions.opened.get_value() {
            Some(id) => with_key(&here, OPEN_QUERY_KEY, &id),
            None => here,
        };
        let number = self.latest.get_value() + 1;
        self.latest.set_value(number);
        spawn_local(async move {
            let page = fetch_page(&address).await;
            if self.latest.get_value() != number {
                return;
            }
            // A title being edited stays in its field, as typed.
            let edited = self.editing.get_value().and_then(|id| {
                let field = document().get_element_by_id(&format!("edit-{id}"))?;
                Some((id, field.dyn_into::<HtmlInputElement>().ok()?.value()))
            });
            self.editing.set_value(None);
            match page.and_then(|page| swap_parts(&page)) {
                Ok(_) if edited.is_some() => {
                    let Some((id, typed)) = edited else { return };
                    self.actions.refocus.set_value(None);
                    if let Some(row) = document()
                        .get_element_by_id(&format!("todo-{id}"))
                        .and_then(|row| row.dyn_into::<HtmlElement>().ok())
                    {
                        start_editing(&row, &id, self.editing);
                        if let Some(field) = document()
                            .get_element_by_id(&format!("edit-{id}"))
                            .and_then(|field| field.dyn_into::<HtmlInputElement>().ok())
                        {
                            field.set_value(&typed);
                        }
                    }
                }
                Ok(focus_was_in) => {
                    let refocus = self.actions.refocus.get_value();
                    self.actions.refocus.set_value(None);
                    if let Some(id) = refocus.or(focus_was_in) {
                        focus_soon(id);
                    }
                }
                // Signed out meanwhile, or the page is an error page now:
                // show it as the server has it.
                Err(_) => {
                    let _ = window().location().reload();
                }
            }
        });
    }
}

/// The page at `address`, as HTML; an error if it moved (a redirect to
/// sign in) or failed.
async fn fetch_page(address: &str) -> Result<String, JsValue> {
    let response: Response = JsFuture::from(window().fetch_with_str(address))
        .await?
        .dyn_into()?;
    if !response.ok() || response.redirected() {
        return Err(JsValue::from_str("the page could not be loaded"));
    }
    JsFuture::from(response.text()?)
        .await?
        .as_string()
        .ok_or_else(|| JsValue::from_str("the page is not text"))
}

/// Swaps the [`CHANGING_PARTS`] of `page` into this page. Returns the id
/// of the element that had focus in a part swapped out, to focus its
/// new copy.
fn swap_parts(page: &str) -> Result<Option<String>, JsValue> {
    let parsed = DomParser::new()?.parse_from_string(page, SupportedType::TextHtml)?;
    let here = document();
    let missing = || JsValue::from_str("the page has no such part");
    let mut pairs = Vec::with_capacity(CHANGING_PARTS.len());
    for selector in CHANGING_PARTS {
        let old = here.query_selector(selector)?.ok_or_else(missing)?;
        let new = parsed.query_selector(selector)?.ok_or_else(missing)?;
        pairs.push((old, new));
    }
    let focused = here.active_element();
    let mut focus_was_in = None;
    for (old, new) in pairs {
        if let Some(focused) = &focused
            && old.contains(Some(focused))
            && !focused.id().is_empty()
        {
            focus_was_in = Some(focused.id());
        }
        old.replace_with_with_node_1(&new)?;
    }
    Ok(focus_was_in)
}

/// Starts listening on the page, for the island's life.
pub(super) fn listen(actions: Actions, reloader: Reloader) {
    let editing = reloader.editing;
    // After every completed action, the page as the server has it now.
    Effect::watch(
        move || actions.version(),
        move |_, _, _| reloader.reload(),
        false,
    );
    show_pending_todo(actions);
    let _ = window_event_listener(ev::submit, move |event| on_submit(&event, actions));
    let _ = window_event_listener(ev::click, move |event| {
        on_click(&event, actions, reloader, editing)
    });
    let _ = window_event_listener(ev::keydown, move |event| {
        if !on_editor_key(&event, actions, editing) {
            keyboard::on_keydown(&event);
        }
    });
    let _ = window_event_listener(ev::focusout, move |event| {
        if let Some(input) = editor_of(event.target()) {
            save_title(&input, actions, editing);
        }
    });
    listen_for_drags(actions);
}

/// An update that changes nothing yet, to fill in.
fn blank_update(id: String) -> UpdateTodo {
    UpdateTodo {
        id,
        title: SentText::default(),
        completed: None,
        notes: SentText::default(),
        due_date: SentText::default(),
        due_time: SentText::default(),
        priority: None,
        list_id: None,
        repeat: RepeatForm::default(),
        reminder: None,
    }
}

fn element_of(target: Option<leptos::web_sys::EventTarget>) -> Option<Element> {
    target?.dyn_into::<Element>().ok()
}

fn closest(element: &Element, selector: &str) -> Option<Element> {
    element.closest(selector).ok().flatten()
}

/// The row `element` is in, and its todo's id.
fn row_of(element: &Element) -> Option<(HtmlElement, String)> {
    let row = closest(element, "li.todo[id^='todo-']")?;
    let id = row.id().strip_prefix("todo-")?.to_owned();
    Some((row.dyn_into().ok()?, id))
}

/// A submit of one of the server-rendered forms, sent as its action.
/// A form whose fields do not read as the action's input is left to the
/// browser, which posts it as it would without JavaScript.
fn on_submit(event: &leptos::web_sys::SubmitEvent, actions: Actions) {
    let Some(form) = event
        .target()
        .and_then(|target| target.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    // The island's own forms dispatch their actions themselves.
    if closest(&form, "leptos-island").is_some() || closest(&form, ".workspace").is_none() {
        return;
    }
    let submitter = event.submitter();
    let action = submitter
        .as_ref()
        .and_then(|submitter| submitter.get_attribute("formaction"))
        .or_else(|| form.get_attribute("action"))
        .unwrap_or_default();
    let row = row_of(&form).map(|(row, _)| row);
    let event: &leptos::web_sys::Event = event;
    match action.as_str() {
        url if url == UpdateTodo::url() => {
            let Some(input) = input_of::<UpdateTodo>(event) else {
                return;
            };
            if let (Some(check), Some(row)) = (&submitter, &row)
                && check.class_list().contains("todo__check")
            {
                show_toggled(row, check);
                actions.refocus.set_value(Some(check.id()));
            }
            actions.update.dispatch(input);
        }
        url if url == DeleteTodo::url() => {
            let Some(input) = input_of::<DeleteTodo>(event) else {
                return;
            };
            if let Some(row) = &row {
                let _ = row.class_list().add_1("todo--deleting");
                actions.refocus.set_value(Some(focus_after_delete(row)));
            }
            actions.delete.dispatch(input);
        }
        url if url == MoveTodo::url() => {
            let Some(input) = input_of::<MoveTodo>(event) else {
                return;
            };
            actions
                .refocus
                .set_value(submitter.map(|button| button.id()));
            actions.move_todo.dispatch(input);
        }
        url if url == ToggleAll::url() => {
            let Some(input) = input_of::<ToggleAll>(event) else {
                return;
            };
            show_busy();
            actions.toggle_all.dispatch(input);
        }
        url if url == ClearCompleted::url() => {
            let Some(input) = input_of::<ClearCompleted>(event) else {
                return;
            };
            show_busy();
            actions.clear.dispatch(input);
        }
        url if url == CreateList::url() => {
            if let Some(input) = input_of::<CreateList>(event) {
                actions.create_list.dispatch(input);
            }
        }
        _ => {}
    }
}

/// The form's fields as an action's input, with the browser's own post
/// cancelled; none when they do not read as one, and then the browser
/// posts the form as it would without JavaScript.
fn input_of<Input: FromFormData>(event: &leptos::web_sys::Event) -> Option<Input> {
    let input = Input::from_event(event).ok()?;
    event.prevent_default();
    Some(input)
}

/// Shows a row done (or not) before the server answers.
fn show_toggled(row: &HtmlElement, check: &HtmlElement) {
    let done = check.get_attribute("aria-pressed").as_deref() != Some("true");
    let _ = row.class_list().toggle_with_force("todo--done", done);
    let _ = row.class_list().add_1("todo--pending");
    let _ = check.set_attribute("aria-pressed", &done.to_string());
    let _ = check.set_attribute("value", &(!done).to_string());
    if let Some(label) = check.get_attribute("aria-label") {
        let label = if done {
            label.replacen(" as done", " as not done", 1)
        } else {
            label.replacen(" as not done", " as done", 1)
        };
        let _ = check.set_attribute("aria-label", &label);
    }
}

/// Where focus goes once a row is deleted: the next row, else the one
/// above, else the Undo button.
fn focus_after_delete(row: &HtmlElement) -> String {
    let ids: Vec<String> = keyboard::rows().iter().map(|row| row.id()).collect();
    let index = ids.iter().position(|id| *id == row.id());
    index
        .and_then(|index| {
            ids.get(index + 1)
                .or_else(|| index.checked_sub(1).and_then(|above| ids.get(above)))
        })
        .cloned()
        .unwrap_or_else(|| "undo-button".to_owned())
}

/// Marking all done or clearing: the card dims until the page reloads.
fn show_busy() {
    if let Ok(Some(card)) = document().query_selector(".todos__card") {
        let _ = card.class_list().add_1("todos__card--busy");
    }
}

/// The todo being added, at the top of the first list until the server
/// has it.
fn show_pending_todo(actions: Actions) {
    const PENDING_ID: &str = "pending-todo";
    Effect::new(move |_| {
        let creating = actions.creating.get();
        let page = document();
        if let Some(shown) = page.get_element_by_id(PENDING_ID) {
            shown.remove();
        }
        let (Some(input), Ok(Some(list))) =
            (creating, page.query_selector(".todos__card .todo-list"))
        else {
            return;
        };
        let Ok(row) = page.create_element("li") else {
            return;
        };
        row.set_id(PENDING_ID);
        row.set_class_name("todo todo--pending");
        let _ = row.set_attribute("aria-busy", "true");
        let (Ok(check), Ok(title)) = (page.create_element("span"), page.create_element("span"))
        else {
            return;
        };
        check.set_class_name("todo__check");
        let _ = check.set_attribute("aria-hidden", "true");
        title.set_class_name("todo__title");
        title.set_text_content(Some(&input.title));
        let _ = row.append_with_node_2(&check, &title);
        let _ = list.prepend_with_node_1(&row);
    });
}

/// Clicks that act in place of following a link: a title opens or closes
/// its details, "Edit" edits the title, "Close" closes the details, and the
/// shortcuts button opens its dialog.
fn on_click(
    event: &leptos::web_sys::MouseEvent,
    actions: Actions,
    reloader: Reloader,
    editing: StoredValue<Option<String>>,
) {
    // A click meant to open a new tab or window does that.
    if event.default_prevented()
        || event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(target) = element_of(event.target()) else {
        return;
    };
    if closest(&target, ".todos__shortcuts").is_some() {
        keyboard::open_dialog();
        return;
    }
    let Some((row, id)) = row_of(&target) else {
        return;
    };
    if closest(&target, ".todo__edit").is_some() {
        event.prevent_default();
        start_editing(&row, &id, editing);
    } else if closest(&target, ".todo__close").is_some() {
        event.prevent_default();
        close_details(&row, actions);
    } else if closest(&target, "a.todo__title").is_some() {
        event.prevent_default();
        if actions.opened.get_value().as_deref() == Some(id.as_str()) {
            close_details(&row, actions);
        } else {
            actions.opened.set_value(Some(id.clone()));
            actions.refocus.set_value(Some(format!("notes-{id}")));
            reloader.reload();
        }
    }
}

/// Closes the open details in place (they hold nothing unsaved that the
/// server needs); focus goes back to the title that opened them.
fn close_details(row: &HtmlElement, actions: Actions) {
    actions.opened.set_value(None);
    if let Ok(Some(details)) = row.query_selector(".todo__details") {
        details.remove();
    }
    let _ = row.class_list().remove_1("todo--open");
    if let Some(title) = title_link(row) {
        let _ = title.set_attribute("aria-expanded", "false");
        let _ = title.focus();
    }
}

fn title_link(row: &HtmlElement) -> Option<HtmlElement> {
    row.query_selector("a.todo__title")
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// Puts a field for the title where the title was: Enter or leaving it
/// saves, Escape cancels.
fn start_editing(row: &HtmlElement, id: &str, editing: StoredValue<Option<String>>) {
    if editing.get_value().is_some() {
        return;
    }
    let Some(title) = title_link(row) else {
        return;
    };
    let page = document();
    let (Ok(label), Ok(input)) = (page.create_element("label"), page.create_element("input"))
    else {
        return;
    };
    let field_id = format!("edit-{id}");
    label.set_class_name("visually-hidden");
    let _ = label.set_attribute("for", &field_id);
    label.set_text_content(Some("Title"));
    let Ok(input) = input.dyn_into::<HtmlInputElement>() else {
        return;
    };
    input.set_id(&field_id);
    input.set_class_name("input todo__editor");
    input.set_max_length(MAX_TITLE_CHARS as i32);
    input.set_value(&title.text_content().unwrap_or_default());
    title.set_hidden(true);
    let _ = title.before_with_node_2(&label, &input);
    editing.set_value(Some(id.to_owned()));
    let _ = input.focus();
    input.select();
}

/// The title field `target` is, if it is one.
fn editor_of(target: Option<leptos::web_sys::EventTarget>) -> Option<HtmlInputElement> {
    let element = element_of(target)?;
    if !element.class_list().contains("todo__editor") {
        return None;
    }
    element.dyn_into().ok()
}

/// Enter and Escape in a title field. Returns whether the key was one.
fn on_editor_key(
    event: &leptos::web_sys::KeyboardEvent,
    actions: Actions,
    editing: StoredValue<Option<String>>,
) -> bool {
    let Some(input) = editor_of(event.target()) else {
        return false;
    };
    let row_id = row_of(&input).map(|(row, _)| row.id());
    match event.key().as_str() {
        "Enter" => {
            // Not the row form's submit.
            event.prevent_default();
            actions.refocus.set_value(row_id.clone());
            save_title(&input, actions, editing);
        }
        "Escape" => {
            editing.set_value(None);
            stop_editing(&input);
        }
        _ => return false,
    }
    if let Some(row_id) = row_id {
        focus_soon(row_id);
    }
    true
}

/// Takes the field away and shows the title again.
fn stop_editing(input: &HtmlInputElement) -> Option<HtmlElement> {
    let (row, _) = row_of(input)?;
    if let Ok(Some(label)) = row.query_selector("label[for^='edit-']") {
        label.remove();
    }
    input.remove();
    let title = title_link(&row)?;
    title.set_hidden(false);
    Some(title)
}

/// Saves the edited title (once: Enter and then leaving the field save
/// one edit), showing it at once.
fn save_title(input: &HtmlInputElement, actions: Actions, editing: StoredValue<Option<String>>) {
    let Some(id) = editing.get_value() else {
        return;
    };
    editing.set_value(None);
    let value = input.value();
    let Some(title) = stop_editing(input) else {
        return;
    };
    if value.trim() == title.text_content().unwrap_or_default() {
        return;
    }
    title.set_text_content(Some(value.trim()));
    if let Some((row, _)) = row_of(&title) {
        let _ = row.class_list().add_1("todo--pending");
    }
    actions.update.dispatch(UpdateTodo {
        title: SentText::new(value),
        ..blank_update(id)
    });
}

/// Drag and drop in manual order: dropping a todo on another puts it just
/// after that one when it came from above, just before it when it came
/// from below.
fn listen_for_drags(actions: Actions) {
    let _ = window_event_listener(ev::dragstart, move |event| {
        let Some(target) = element_of(event.target()) else {
            return;
        };
        let Some((row, id)) = row_of(&target).filter(|(row, _)| row.draggable()) else {
            return;
        };
        if let Some(transfer) = event.data_transfer() {
            let _ = transfer.set_data("text/plain", &id);
            transfer.set_effect_allowed("move");
        }
        let _ = row.class_list().add_1("todo--dragging");
        actions.dragging.set_value(Some(id));
    });
    let _ = window_event_listener(ev::dragover, move |event| {
        if actions.dragging.get_value().is_some() {
            event.prevent_default();
        }
    });
    let _ = window_event_listener(ev::drop, move |event| {
        let Some(dragged) = actions.dragging.get_value() else {
            return;
        };
        event.prevent_default();
        actions.dragging.set_value(None);
        let Some((_, target)) = element_of(event.target()).and_then(|target| row_of(&target))
        else {
            return;
        };
        if dragged == target {
            return;
        }
        let order: Vec<String> = keyboard::rows()
            .iter()
            .map(|row| row.id().trim_start_matches("todo-").to_owned())
            .collect();
        let from = order.iter().position(|id| *id == dragged);
        let to = order.iter().position(|id| *id == target);
        let focus = format!("check-{dragged}");
        match (from, to) {
            (Some(from), Some(to)) if from < to => {
                actions.move_to(&dragged, None, Some(target), focus)
            }
            _ => actions.move_to(&dragged, Some(target), None, focus),
        }
    });
    let _ = window_event_listener(ev::dragend, move |_| {
        actions.dragging.set_value(None);
        if let Ok(Some(row)) = document().query_selector(".todo--dragging") {
            let _ = row.class_list().remove_1("todo--dragging");
        }
    });
}
