//! Server rendering of the list page's workspace (the sidebar, the heading,
//! the 50 rows of a list and its footer, and the controls island), as
//! `GET /todos` renders it for every request the page cache misses:
//! `cargo bench --bench render`.
//!
//! Beside it, what the rows would cost written another way: the same
//! workspace with no rows, and the 50 rows' same markup written straight
//! into a buffer with `write!` (no view tree). The app's rows less the
//! empty workspace is what the view tree's rows cost; the hand-written
//! rows are what the alternative would.

use std::{fmt::Write, hint::black_box};

use criterion::{Criterion, criterion_group, criterion_main};
use leptos::prelude::*;
use taskward::{
    lists::ListSummary,
    pages::todos::{Address, TodoWorkspace},
    todos::{DueCounts, PageParams, Priority, Sort, Todo, TodoTotals},
    views::{Showing, TodoListing, TodoPage},
};

/// The Inbox with 50 todos, a third of them done, as the page loads it.
fn inbox_of_50() -> TodoListing {
    let inbox = ListSummary {
        id: uuid::Uuid::new_v4().to_string(),
        name: "Inbox".into(),
        inbox: true,
        open: 33,
        total: 50,
    };
    let items: Vec<Todo> = (0..50)
        .map(|n| Todo {
            id: uuid::Uuid::new_v4().to_string(),
            title: format!("Todo number {n}: water the plants & call <Ada>"),
            completed: n % 3 == 0,
            list_id: inbox.id.clone(),
            notes: String::new(),
            priority: Priority::None,
            due: None,
            repeat: None,
            reminders: Default::default(),
        })
        .collect();
    TodoListing {
        page: TodoPage {
            items,
            next_cursor: None,
            preceding: None,
            following: None,
        },
        totals: TodoTotals {
            total: 50,
            active: 33,
            completed: 17,
        },
        showing: Showing::List(inbox.clone()),
        sort: Sort::Manual,
        lists: vec![inbox],
        due: DueCounts {
            overdue: 0,
            today: 0,
            upcoming: 0,
        },
        today: "Saturday 5 December".into(),
        today_date: "2026-12-05".into(),
        time_zone: "UTC".into(),
    }
}

fn render(listing: TodoListing) -> String {
    let address = Address {
        params: PageParams {
            list: Some("inbox".into()),
            ..PageParams::default()
        },
        ..Address::default()
    };
    view! { <TodoWorkspace address first=Ok(listing) undoable=None /> }.to_html()
}

/// Text as HTML escapes it in an element's content or a quoted attribute:
/// whole runs of safe characters copied at once.
fn escape_into(out: &mut String, text: &str) {
    let mut safe_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[safe_from..at]);
        out.push_str(entity);
        safe_from = at + 1;
    }
    out.push_str(&text[safe_from..]);
}

/// The list's rows (closed, with no chips, in manual order, as the bench's
/// todos are) written by hand into `out`: the markup of the app's
/// `TodoItem`, which `todo_list_of_50` checks byte for byte.
fn rows_by_hand(out: &mut String, todos: &[Todo], here: &str) {
    // As the app writes them: an element's class after its other attributes.
    for (at, todo) in todos.iter().enumerate() {
        let (id, done) = (todo.id.as_str(), todo.completed);
        let _ = write!(
            out,
            r#"<li id="todo-{id}" tabindex="-1" draggable="true" class="todo todo--priority-none{}"><form method="post" action="/api/todos/update" class="todo__form"><input type="hidden" name="id" value="{id}"><button id="check-{id}" type="submit" name="completed" value="{}" aria-pressed="{done}" aria-label="Mark “"#,
            if done { " todo--done" } else { "" },
            !done
        );
        escape_into(out, &todo.title);
        let _ = write!(
            out,
            r#"” as {}done" class="todo__check"><span aria-hidden="true">✓</span></button><div class="todo__main"><a href="{here}&amp;open={id}" aria-expanded="false" class="todo__title">"#,
            if done { "not " } else { "" }
        );
        escape_into(out, &todo.title);
        let _ = write!(
            out,
            r#"</a></div><span class="todo__actions"><a href="{here}&amp;edit={id}" aria-label="Edit “"#
        );
        escape_into(out, &todo.title);
        out.push_str(r#"”" class="todo__action todo__edit">Edit</a>"#);
        let above = at.checked_sub(1).map(|above| &todos[above]);
        for (direction, name, neighbour, arrow) in [
            ("up", "before", above, "↑"),
            ("down", "after", todos.get(at + 1), "↓"),
        ] {
            match neighbour {
                Some(neighbour) => {
                    let _ = write!(
                        out,
                        r#"<button id="{direction}-{id}" type="submit" formaction="/api/todos/move" name="{name}" value="{}" aria-label="Move “"#,
                        neighbour.id
                    );
                    escape_into(out, &todo.title);
                    let _ = write!(
                        out,
                        r#"” {direction}" class="todo__action todo__move"><span aria-hidden="true">{arrow}</span></button>"#
                    );
                }
                None => out.push_str(
                    r#"<span aria-hidden="true" class="todo__move todo__move--gap"></span>"#,
                ),
            }
        }
        out.push_str(
            r#"<button type="submit" formaction="/api/todos/delete" aria-label="Delete “"#,
        );
        escape_into(out, &todo.title);
        out.push_str(r#"”" class="todo__action todo__delete"><span aria-hidden="true">×</span></button></span></form></li>"#);
    }
}

/// The rows of a rendered workspace: from the first row's start to the
/// last one's end, without the view tree's empty-text markers (`<!>`),
/// which the hand-written rows do not need.
fn rows_of(html: &str) -> String {
    let start = html.find("<li id=\"todo-").expect("a first row");
    let end = html.rfind("</li>").expect("a last row") + "</li>".len();
    html[start..end].replace("<!>", "")
}

fn todo_list_of_50(c: &mut Criterion) {
    // Components need a reactive owner, as they have inside a request.
    let owner = Owner::new();
    owner.set();
    let listing = inbox_of_50();
    let html = render(listing.clone());
    assert_eq!(
        html.matches("\"todo todo--priority-").count(),
        50,
        "renders every item"
    );

    let mut by_hand = String::new();
    rows_by_hand(&mut by_hand, &listing.page.items, "/todos?list=inbox");
    assert_eq!(
        by_hand,
        rows_of(&html),
        "the hand-written rows are the app's rows"
    );
    let mut empty = listing.clone();
    empty.page.items.clear();

    let mut group = c.benchmark_group("render");
    group.bench_function("todo list, 50 items", |b| {
        b.iter(|| render(black_box(listing.clone())))
    });
    group.bench_function("todo list, no items", |b| {
        b.iter(|| render(black_box(empty.clone())))
    });
    group.bench_function("50 rows written by hand", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(80 * 1024);
            rows_by_hand(
                &mut out,
                black_box(&listing.page.items),
                "/todos?list=inbox",
            );
            out
        })
    });
    group.finish();
}

criterion_group!(benches, todo_list_of_50);
criterion_main!(benches);
