use crate::components::brand::Brand;
use crate::todos::MAX_TITLE_CHARS;
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;

/// The front door: what Taskward is, and the way in.
#[component]
pub fn LandingPage() -> impl IntoView {
    view! {
        <Title text="" />
        <header class="topbar">
            <Brand href="/" />
            <nav class="topbar__nav" aria-label="Account">
                <a href="/signin">"Sign in"</a>
                <a class="button button--small" href="/signup">"Sign up"</a>
            </nav>
        </header>
        <main class="landing">
            <section class="hero">
                <h1 class="hero__title">"Taskward"</h1>
                <p class="hero__tagline">
                    "Your personal todo list. Fast, private, and yours alone."
                </p>
                <div class="hero__actions">
                    <a class="button" href="/signup">"Create your free account"</a>
                    <a class="button button--ghost" href="/signin">"Sign in"</a>
                </div>
            </section>
            <TryItOut />
        </main>
        <footer class="footer">
            <p>"Taskward is open source and written entirely in Rust."</p>
        </footer>
    }
}

/// A scratch list that lives only in this browser tab, so a visitor can feel
/// the app before signing up. An island: it needs the wasm bundle to run.
#[island]
fn TryItOut() -> impl IntoView {
    // Each item carries a number that never repeats, so `<For>` can key on it.
    let (items, set_items) = signal(Vec::<(u32, String)>::new());
    let (draft, set_draft) = signal(String::new());
    let next_id = StoredValue::new(0u32);

    let add = move |event: SubmitEvent| {
        event.prevent_default();
        let title = draft.get().trim().to_string();
        if !title.is_empty() {
            let id = next_id.get_value();
            next_id.set_value(id + 1);
            set_items.update(|items| items.insert(0, (id, title)));
            set_draft.set(String::new());
        }
    };

    view! {
        <section class="card try" aria-labelledby="try-heading">
            <h2 id="try-heading">"Try it here"</h2>
            <p class="muted">"Nothing is saved until you sign up."</p>
            <form class="try__form" on:submit=add>
                <label class="visually-hidden" for="try-title">"Something to do"</label>
                <input
                    id="try-title"
                    class="input"
                    type="text"
                    placeholder="What needs doing?"
                    autocomplete="off"
                    maxlength=MAX_TITLE_CHARS
                    prop:value=draft
                    on:input=move |event| set_draft.set(event_target_value(&event))
                />
                <button class="button" type="submit">"Add"</button>
            </form>
            <ul class="try__list" aria-live="polite">
                <For each=move || items.get() key=|(id, _)| *id let((_, title))>
                    <li class="try__item">{title}</li>
                </For>
            </ul>
            <Show when=move || !items.get().is_empty()>
                <p class="muted try__count">
                    {move || match items.get().len() {
                        1 => "1 item. Sign up to keep it.".to_string(),
                        n => format!("{n} items. Sign up to keep them."),
                    }}
                </p>
            </Show>
        </section>
    }
}
