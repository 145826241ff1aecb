//! Quick add's chips: while a person types a new todo, the parts the
//! server reads in it ("friday" → "Due Fri 11 Dec", "!high" → "High
//! priority") show under the field, each with a button that leaves those
//! words in the title instead. The dismissed kinds go with the form as
//! `leave`. Without JavaScript nothing here runs: the server reads the
//! text on submit, and "Keep the title as typed" keeps all of it.

use leptos::prelude::*;

use crate::actions::todos::QuickAddChip;

/// How long typing pauses before the text is read.
#[cfg(feature = "hydrate")]
const PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// What the field's chips are made of: the text, the kinds dismissed, and
/// the chips the server last gave for them.
#[derive(Clone, Copy)]
pub(super) struct QuickChips {
    typed: RwSignal<String>,
    leave: RwSignal<Vec<String>>,
    chips: RwSignal<Vec<QuickAddChip>>,
    /// "Keep the title as typed" is ticked: no chips.
    as_typed: RwSignal<bool>,
}

impl QuickChips {
    pub(super) fn new() -> Self {
        let state = Self {
            typed: RwSignal::new(String::new()),
            leave: RwSignal::new(Vec::new()),
            chips: RwSignal::new(Vec::new()),
            as_typed: RwSignal::new(false),
        };
        #[cfg(feature = "hydrate")]
        state.read_while_typing();
        state
    }

    pub(super) fn typed(&self, text: String) {
        self.typed.set(text);
    }

    pub(super) fn as_typed(&self, on: bool) {
        self.as_typed.set(on);
    }

    /// The field was emptied for the next todo: start again.
    pub(super) fn clear(&self) {
        self.typed.set(String::new());
        self.leave.set(Vec::new());
        self.chips.set(Vec::new());
    }

    /// Reads the text once typing pauses; an answer for text since changed
    /// is dropped.
    #[cfg(feature = "hydrate")]
    fn read_while_typing(self) {
        use leptos::leptos_dom::helpers::{TimeoutHandle, set_timeout_with_handle};

        let pending = StoredValue::new(None::<TimeoutHandle>);
        Effect::new(move |_| {
            let text = self.typed.get();
            let leave = self.leave.get().join(",");
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            if text.trim().is_empty() {
                self.chips.set(Vec::new());
                return;
            }
            let handle = set_timeout_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        let read =
                            crate::actions::todos::read_quick_add(text.clone(), Some(leave)).await;
                        if self.typed.get_untracked() == text {
                            // A refusal (too long, signed out) shows no chips;
                            // saving says why.
                            self.chips.set(read.unwrap_or_default());
                        }
                    });
                },
                PAUSE,
            );
            pending.set_value(handle.ok());
        });
    }
}

/// The chips, and the hidden `leave` field the form sends.
#[component]
pub(super) fn QuickAddChips(state: QuickChips) -> impl IntoView {
    let shown = move || {
        if state.as_typed.get() {
            Vec::new()
        } else {
            state.chips.get()
        }
    };
    view! {
        <input type="hidden" name="leave" prop:value=move || state.leave.get().join(",") />
        <ul class="quick-chips" aria-live="polite" aria-label="Read from what you typed">
            <For each=shown key=|chip| (chip.kind.clone(), chip.typed.clone()) let:chip>
                {
                    let kind = chip.kind.clone();
                    let dismiss = format!("Keep \u{201c}{}\u{201d} in the title", chip.typed);
                    view! {
                        <li class="quick-chip">
                            <span class="quick-chip__label">{chip.label}</span>
                            <span class="quick-chip__typed">"\u{201c}" {chip.typed} "\u{201d}"</span>
                            <button
                                type="button"
                                class="quick-chip__dismiss"
                                aria-label=dismiss.clone()
                                title=dismiss
                                on:click=move |_| state.leave.update(|leave| leave.push(kind.clone()))
                            >
                                "\u{d7}"
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
