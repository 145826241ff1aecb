//! What both import targets check of a plan, against the import's own
//! limits.

use taskward::{
    calendar::TimeZone,
    lists::MAX_LISTS_PER_USER,
    todos::TodoLimit,
    transfer::{
        ImportRefusal, MAX_CSV_COLUMNS, MAX_MESSAGE_BYTES, MAX_PROBLEM_BYTES, MAX_REPORT_BYTES,
        MAX_REPORTED_PROBLEMS,
        import::{ListTarget, Plan},
    },
};

/// The todo cap the plans are made under: small enough that a fuzzed file
/// can exceed it.
pub const LIMIT: TodoLimit = TodoLimit(1_000);

/// Due times without an offset are read in the account's zone; these have
/// gaps and overlaps at odd offsets. Picked by the input's length, so seed
/// files stay plain files.
pub fn zone_for(data: &[u8]) -> TimeZone {
    const ZONES: [&str; 4] = [
        "UTC",
        "Europe/Berlin",
        "America/St_Johns",
        "Pacific/Kiritimati",
    ];
    TimeZone::parse(ZONES[data.len() % ZONES.len()]).expect("a zone of the tz database")
}

/// Text that is about to be stored: PostgreSQL cannot store U+0000.
fn assert_storable(text: &str) {
    assert!(!text.contains('\0'), "{text:?} holds U+0000");
}

/// A plan within the caps, with nothing PostgreSQL cannot store, or a
/// refusal whose report is within the report's limits.
pub fn assert_bounded(planned: Result<Plan, ImportRefusal>) {
    match planned {
        Ok(plan) => {
            let todos: usize = plan.lists.iter().map(|list| list.todos.len()).sum();
            assert!(todos <= LIMIT.0 as usize, "a plan of {todos} todos");
            assert!(
                plan.lists.len() <= MAX_LISTS_PER_USER as usize,
                "a plan of {} lists",
                plan.lists.len()
            );
            assert!(
                plan.ignored_columns.len() <= MAX_CSV_COLUMNS,
                "{} ignored columns",
                plan.ignored_columns.len()
            );
            let ignored: usize = plan.ignored_columns.iter().map(String::len).sum();
            assert!(
                ignored <= MAX_REPORT_BYTES,
                "ignored columns of {ignored} bytes"
            );
            plan.ignored_columns
                .iter()
                .for_each(|name| assert_storable(name));
            for list in &plan.lists {
                if let ListTarget::Named(name) = &list.target {
                    assert_storable(name.as_str());
                }
                for todo in &list.todos {
                    assert_storable(todo.title.as_str());
                    assert_storable(todo.notes.as_str());
                }
            }
        }
        Err(ImportRefusal::File { message, problems }) => {
            assert!(
                message.len() <= MAX_MESSAGE_BYTES,
                "a message of {} bytes",
                message.len()
            );
            assert_storable(&message);
            assert!(
                problems.len() <= MAX_REPORTED_PROBLEMS,
                "{} problems listed",
                problems.len()
            );
            for problem in &problems {
                assert!(
                    problem.detail.len() <= MAX_PROBLEM_BYTES,
                    "a problem of {} bytes",
                    problem.detail.len()
                );
                assert_storable(&problem.detail);
                if let Some(pointer) = &problem.pointer {
                    assert_storable(pointer);
                }
            }
            let size = message.len() + problems.iter().map(|p| p.detail.len()).sum::<usize>();
            assert!(size <= MAX_REPORT_BYTES, "a report of {size} bytes");
        }
        Err(ImportRefusal::Other(error)) => {
            let message = error.to_string();
            assert!(
                message.len() <= MAX_MESSAGE_BYTES,
                "a message of {} bytes",
                message.len()
            );
            assert_storable(&message);
        }
    }
}
