//! The message after a delete or an undo, and where focus goes after an
//! action.

use leptos::{either::Either, prelude::*};

use super::page_actions::Actions;
use crate::undo::Undoable;

/// What the message at the bottom of the page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Notice {
    /// A delete, with its Undo button.
    Undo(Undoable),
    /// What an undo put back.
    Undone(String),
}

/// Shows the message of each delete that can be undone, and of each undo.
pub(super) fn watch_for_notices(actions: Actions, notice: RwSignal<Option<Notice>>) {
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
pub(super) fn Toast(
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
