//! The message a server-rendered page shows after a delete made without
//! JavaScript (its address has `?undo=<batch>`), with an Undo form.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{actions::undo::Undo, undo::Undoable};

#[component]
pub fn UndoNotice(undoable: Undoable) -> impl IntoView {
    view! {
        <div class="toast-region" role="status">
            <div class="toast">
                <span class="toast__text">{undoable.message}</span>
                <form class="toast__form" method="post" action=Undo::url()>
                    <input type="hidden" name="batch" value=undoable.batch />
                    <button id="undo-button" class="button button--small" type="submit">"Undo"</button>
                </form>
            </div>
        </div>
    }
}
