//! The server actions of the page, which the controls island dispatches:
//! from its own forms (a new todo, Undo) and from the rows' plain forms,
//! whose submits it takes over.

use leptos::prelude::*;

use crate::{
    actions::{
        lists::CreateList,
        todos::{ClearCompleted, CreateTodo, DeleteTodo, MoveTodo, ToggleAll, UpdateTodo},
        undo::Undo,
    },
    error::AppError,
};

/// The actions of the page, and what the controls remember between them.
#[derive(Clone, Copy)]
pub(crate) struct Actions {
    pub(super) create: ServerAction<CreateTodo>,
    pub(super) update: ServerAction<UpdateTodo>,
    pub(super) delete: ServerAction<DeleteTodo>,
    pub(super) move_todo: ServerAction<MoveTodo>,
    pub(super) toggle_all: ServerAction<ToggleAll>,
    pub(super) clear: ServerAction<ClearCompleted>,
    pub(super) undo: ServerAction<Undo>,
    /// The new todo in flight, shown until the server has it. (Made once
    /// per page: each `ServerAction::input()` call registers a new signal.)
    pub(super) creating: MappedSignal<Option<CreateTodo>>,
    /// The todo whose details are open: the page is reloaded with it open.
    /// (This and `dragging` are read by the browser's listeners only.)
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) opened: StoredValue<Option<String>>,
    /// The element to focus again once the list has reloaded after an
    /// action (the button that did it), so focus is never lost.
    pub(super) refocus: StoredValue<Option<String>>,
    /// The todo being dragged, in manual order.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) dragging: StoredValue<Option<String>>,
    /// A new list: once made, the page goes to it.
    pub(super) create_list: ServerAction<CreateList>,
}

impl Actions {
    pub(super) fn new(opened: Option<String>) -> Self {
        let create = ServerAction::<CreateTodo>::new();
        Self {
            create,
            update: ServerAction::new(),
            delete: ServerAction::new(),
            move_todo: ServerAction::new(),
            toggle_all: ServerAction::new(),
            clear: ServerAction::new(),
            undo: ServerAction::new(),
            creating: create.input(),
            opened: StoredValue::new(opened),
            refocus: StoredValue::new(None),
            dragging: StoredValue::new(None),
            create_list: ServerAction::new(),
        }
    }

    /// Changes whenever any action completes, to reload the list.
    #[cfg(feature = "hydrate")]
    pub(super) fn version(&self) -> [usize; 7] {
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
    pub(super) fn latest_error(&self) -> Option<String> {
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

    /// Moves `id` before or after another todo, keeping focus on `focus`
    /// (a button's id) once the list has reloaded.
    #[cfg(feature = "hydrate")]
    pub(super) fn move_to(
        &self,
        id: &str,
        before: Option<String>,
        after: Option<String>,
        focus: String,
    ) {
        self.refocus.set_value(Some(focus));
        self.move_todo.dispatch(MoveTodo {
            id: id.to_owned(),
            list_id: None,
            before,
            after,
        });
    }
}
