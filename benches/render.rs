//! Server rendering of the list page's workspace (the sidebar, the heading,
//! the 50 rows of a list and its footer, and the controls island), as
//! `GET /todos` renders it for every request the page cache misses:
//! `cargo bench --bench render`.

use std::hint::black_box;

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

    let mut group = c.benchmark_group("render");
    group.bench_function("todo list, 50 items", |b| {
        b.iter(|| render(black_box(listing.clone())))
    });
    group.finish();
}

criterion_group!(benches, todo_list_of_50);
criterion_main!(benches);
