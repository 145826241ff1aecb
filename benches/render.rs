//! Server rendering of the todo list: `cargo bench --bench render`.
//! `GET /todos` is bound by this, not by the database (see the README's
//! benchmark notes).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use leptos::prelude::Owner;
use taskward::{
    lists::ListSummary,
    pages::todos::todo_rows_html,
    todos::{Priority, Todo},
};

fn todo_list_of_50(c: &mut Criterion) {
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
        })
        .collect();
    // Components need a reactive owner, as they have inside a request.
    let owner = Owner::new();
    owner.set();
    let lists = vec![inbox];
    let html = todo_rows_html(items.clone(), lists.clone());
    assert_eq!(html.matches("<li").count(), 50, "renders every item");

    let mut group = c.benchmark_group("render");
    group.bench_function("todo list, 50 items", |b| {
        b.iter(|| todo_rows_html(black_box(items.clone()), lists.clone()))
    });
    group.finish();
}

criterion_group!(benches, todo_list_of_50);
criterion_main!(benches);
