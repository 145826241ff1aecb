use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::signed_in::signed_in_page,
    todos::{
        TodoTotals,
        server_fns::{list_todos, todo_stats},
    },
};

/// How many recent todos the dashboard shows.
const RECENT: usize = 5;

#[component]
pub fn DashboardPage() -> impl IntoView {
    // Created once, outside the signed-in frame (see pages::todos).
    let totals = Resource::new(|| (), |_| todo_stats());
    let recent = Resource::new(|| (), |_| list_todos(None, None));
    view! {
        <Title text="Dashboard" />
        {signed_in_page(move |user| {
            view! {
                <h1 class="greeting">"Hello, " {user.email}</h1>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match (totals.await, recent.await) {
                            (Ok(totals), Ok(page)) => {
                                let items: Vec<_> = page.items.into_iter().take(RECENT).collect();
                                view! {
                                    <Totals totals />
                                    <section class="card stack" aria-labelledby="recent">
                                        <h2 id="recent">"Recent todos"</h2>
                                        {if items.is_empty() {
                                            view! { <p class="muted">"No todos yet. " <a href="/todos">"Add your first one"</a> "."</p> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="recent">
                                                    {items.into_iter().map(|todo| view! {
                                                        <li class="recent__item" class:recent__item--done=todo.completed>
                                                            <span class="recent__mark" aria-hidden="true">{if todo.completed { "✓" } else { "○" }}</span>
                                                            <span class="visually-hidden">{if todo.completed { "Done: " } else { "To do: " }}</span>
                                                            {todo.title}
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                                <a class="button button--ghost" href="/todos">"See all todos"</a>
                                            }.into_any()
                                        }}
                                    </section>
                                }.into_any()
                            }
                            (Err(error), _) | (_, Err(error)) => view! {
                                <p class="form-error" role="alert">{error.to_string()}</p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            }
        })}
    }
}

#[component]
fn Totals(totals: TodoTotals) -> impl IntoView {
    let percent = if totals.total > 0 {
        totals.completed * 100 / totals.total
    } else {
        0
    };
    view! {
        <section class="card stack" aria-labelledby="progress">
            <h2 id="progress">"Your progress"</h2>
            <dl class="totals">
                <div class="totals__item"><dt>"All"</dt><dd>{totals.total}</dd></div>
                <div class="totals__item"><dt>"Active"</dt><dd>{totals.active}</dd></div>
                <div class="totals__item"><dt>"Completed"</dt><dd>{totals.completed}</dd></div>
            </dl>
            <label class="progress">
                <span class="progress__label">{format!("{percent}% done")}</span>
                <progress max=totals.total.max(1) value=totals.completed>{format!("{percent}%")}</progress>
            </label>
        </section>
    }
}
