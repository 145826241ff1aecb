//! `/dashboard`: how the user stands. Totals and progress, what is overdue
//! and due today, each list's progress, and the latest todos.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    actions::todos::dashboard,
    components::{load_failed::LoadFailed, signed_in::signed_in_page},
    lists::ListSummary,
    todos::{DueCounts, TodoTotals},
    views::DashboardData,
};

#[component]
pub fn DashboardPage() -> impl IntoView {
    // Created once, outside the signed-in frame (see pages::todos).
    let data = Resource::new(|| (), |_| dashboard());
    view! {
        <Title text="Dashboard" />
        {signed_in_page(move |user| {
            view! {
                <h1 class="greeting">"Hello, " {user.email}</h1>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(dashboard) => view! { <Overview dashboard /> }.into_any(),
                            Err(error) => view! { <LoadFailed error /> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        })}
    }
}

#[component]
fn Overview(dashboard: DashboardData) -> impl IntoView {
    let DashboardData {
        totals,
        due,
        lists,
        recent,
        today,
    } = dashboard;
    view! {
        <div class="dashboard">
            <DueToday due today />
            <Totals totals />
            <ListProgress lists />
            <section class="card stack" aria-labelledby="recent">
                <h2 id="recent">"Recent todos"</h2>
                {if recent.is_empty() {
                    view! { <p class="muted">"No todos yet. " <a href="/todos">"Add your first one"</a> "."</p> }.into_any()
                } else {
                    view! {
                        <ul class="recent">
                            {recent.into_iter().map(|todo| view! {
                                <li class="recent__item" class:recent__item--done=todo.completed>
                                    <span class="recent__mark" aria-hidden="true">{if todo.completed { "✓" } else { "○" }}</span>
                                    <span class="visually-hidden">{if todo.completed { "Done: " } else { "To do: " }}</span>
                                    {todo.title}
                                </li>
                            }).collect_view()}
                        </ul>
                        <a class="button button--ghost" href="/todos">"Open your Inbox"</a>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

/// What needs doing today: overdue todos first, as text and not colour.
#[component]
fn DueToday(due: DueCounts, today: String) -> impl IntoView {
    let DueCounts {
        overdue,
        today: due_today,
        upcoming,
    } = due;
    let plural = |n: i64| if n == 1 { "todo" } else { "todos" };
    view! {
        <section class="card stack" aria-labelledby="due-today">
            <h2 id="due-today">"Today"</h2>
            <p class="muted">{today}</p>
            <dl class="due-counts">
                <div class="totals__item" class:totals__item--alert={overdue > 0}>
                    <dt>"Overdue"</dt><dd>{overdue}</dd>
                </div>
                <div class="totals__item"><dt>"Due today"</dt><dd>{due_today}</dd></div>
                <div class="totals__item"><dt>"Next 7 days"</dt><dd>{upcoming}</dd></div>
            </dl>
            <p>
                {if overdue + due_today == 0 {
                    "Nothing is due today.".to_owned()
                } else {
                    format!("{} open {} for today.", overdue + due_today, plural(overdue + due_today))
                }}
                " "
                <a href="/todos?view=today">"See Today"</a>
                " · "
                <a href="/todos?view=upcoming">"See Upcoming"</a>
            </p>
        </section>
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

/// Each list's share of done todos.
#[component]
fn ListProgress(lists: Vec<ListSummary>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="lists-progress">
            <h2 id="lists-progress">"Lists"</h2>
            <ul class="list-progress">
                {lists.into_iter().map(|list| {
                    let done = list.total - list.open;
                    let percent = if list.total > 0 { done * 100 / list.total } else { 0 };
                    let summary = format!("{done} of {} done", list.total);
                    view! {
                        <li class="list-progress__item">
                            <a href=list.href()>{list.name.clone()}</a>
                            <span class="muted">{summary.clone()}</span>
                            <progress max=list.total.max(1) value=done aria-label=format!("{}: {summary}", list.name)>
                                {format!("{percent}%")}
                            </progress>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
