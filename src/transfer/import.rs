//! Writing an import: a file becomes a [`Plan`] (every value checked, every
//! problem reported), and the plan is written by an [`ImportRun`]: whole,
//! or not at all.
//!
//! Lists are matched by name (the Inbox to the Inbox): an existing one
//! receives the todos, a missing one is made. A list that is empty when
//! the import starts keeps the positions the file gives its todos, so an
//! export imported into an empty account recreates it exactly; a list
//! that already has todos gets the imported ones on top, in the file's
//! order.

use std::collections::{HashMap, HashSet, hash_map::Entry};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, de};
use uuid::Uuid;

use super::{
    EXPORT_FORMAT, EXPORT_VERSION, Export, ImportOutcome, ImportProblem, ImportRefusal,
    MAX_PROBLEM_BYTES, MAX_REPORTED_PROBLEMS, clipped, csv_file,
    import_run::{ImportConflict, ImportRun},
};
use crate::{
    calendar::{Due, TimeZone},
    db::{Db, StoreError, WritePool as _, lock_user_row, now},
    error::AppError,
    lists::{
        ListName, ListRef, MAX_LISTS_PER_USER,
        store::{NewListRow, list_id_in, position_after_last_list},
    },
    on_db, ordering,
    reminders::Reminders,
    todos::{
        Notes, Priority, TodoLimit, TodoTitle,
        repeat::Repeat,
        store::{TodoRecord, keys_on_top},
    },
};

/// What is being imported.
#[derive(Debug, Clone)]
pub enum ImportFile {
    /// A Taskward export.
    Json(Vec<u8>),
    /// Todos, one per line after a line naming the columns.
    Csv(Vec<u8>),
}

/// An import, checked and ready to write.
#[derive(Debug, Default)]
pub struct Plan {
    pub lists: Vec<PlannedList>,
    pub ignored_columns: Vec<String>,
}

impl Plan {
    fn todo_count(&self) -> usize {
        self.lists.iter().map(|list| list.todos.len()).sum()
    }
}

#[derive(Debug)]
pub struct PlannedList {
    pub target: ListTarget,
    pub position: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub todos: Vec<PlannedTodo>,
}

/// The lists of a plan in the file's order, found by [`ListTarget::key`]
/// (a map, so a file naming many lists plans in linear time), never more
/// than one account keeps.
#[derive(Debug, Default)]
pub(super) struct PlannedLists {
    lists: Vec<PlannedList>,
    by_key: HashMap<String, usize>,
    named: i64,
}

impl PlannedLists {
    /// The list for `target`, planned now (without todos) if it is new.
    /// Refused when the file names more lists than an account keeps: every
    /// account has its Inbox, so that is one fewer besides it.
    pub(super) fn list_for(
        &mut self,
        target: ListTarget,
    ) -> Result<&mut PlannedList, ImportRefusal> {
        let index = match self.by_key.entry(target.key()) {
            Entry::Occupied(entry) => *entry.get(),
            Entry::Vacant(entry) => {
                if matches!(target, ListTarget::Named(_)) {
                    if self.named + 1 >= MAX_LISTS_PER_USER {
                        return Err(ImportRefusal::file(format!(
                            "Nothing was imported: the file names more than {} lists besides \
                             the Inbox, and one account keeps at most {MAX_LISTS_PER_USER} \
                             lists, the Inbox included.",
                            MAX_LISTS_PER_USER - 1
                        )));
                    }
                    self.named += 1;
                }
                entry.insert(self.lists.len());
                self.lists.push(PlannedList {
                    target,
                    position: None,
                    created_at: None,
                    updated_at: None,
                    todos: Vec::new(),
                });
                self.lists.len() - 1
            }
        };
        Ok(&mut self.lists[index])
    }

    fn contains(&self, target: &ListTarget) -> bool {
        self.by_key.contains_key(&target.key())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    pub(super) fn into_lists(self) -> Vec<PlannedList> {
        self.lists
    }
}

/// The refusal of a file holding more todos than an account keeps.
pub(super) fn too_many_todos(limit: TodoLimit) -> ImportRefusal {
    ImportRefusal::file(format!(
        "Nothing was imported: the file holds more than {} todos, as many as one account keeps.",
        limit.0
    ))
}

/// Which of the account's lists receives the todos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListTarget {
    Inbox,
    /// The list of that name (whatever its case), made if missing.
    Named(ListName),
}

impl ListTarget {
    /// One key per list of an account: names compare in lower case, and
    /// "Inbox" is the Inbox.
    pub fn key(&self) -> String {
        match self {
            ListTarget::Inbox => crate::lists::INBOX_NAME.to_lowercase(),
            ListTarget::Named(name) => name.key(),
        }
    }

    /// The Inbox for an empty name or the Inbox's own name.
    pub fn named(name: &str) -> Result<Self, AppError> {
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.to_lowercase() == crate::lists::INBOX_NAME.to_lowercase() {
            return Ok(ListTarget::Inbox);
        }
        ListName::parse(trimmed).map(ListTarget::Named)
    }
}

#[derive(Debug)]
pub struct PlannedTodo {
    pub title: TodoTitle,
    pub notes: Notes,
    pub completed: bool,
    pub priority: Priority,
    pub due: Option<Due>,
    pub repeat: Option<Repeat>,
    pub reminders: Reminders,
    pub position: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The problems found so far: the first [`MAX_REPORTED_PROBLEMS`] kept,
/// each cut to [`MAX_PROBLEM_BYTES`]. Past them the file is not read on.
#[derive(Debug, Default)]
pub struct Problems {
    kept: Vec<ImportProblem>,
    total: usize,
}

impl Problems {
    fn add(&mut self, line: Option<u64>, pointer: Option<String>, detail: String) {
        self.total += 1;
        if self.kept.len() < MAX_REPORTED_PROBLEMS {
            self.kept.push(ImportProblem {
                line,
                pointer,
                detail: clipped(&detail, MAX_PROBLEM_BYTES),
            });
        }
    }

    pub fn at_line(&mut self, line: u64, detail: impl std::fmt::Display) {
        self.add(Some(line), None, format!("line {line}: {detail}"));
    }

    fn at_pointer(&mut self, pointer: String, detail: impl std::fmt::Display) {
        let detail = format!("{pointer}: {detail}");
        self.add(None, Some(pointer), detail);
    }

    /// Whether more problems were found than are listed: reading on would
    /// only find more of them.
    pub fn are_full(&self) -> bool {
        self.total > MAX_REPORTED_PROBLEMS
    }

    /// `Err` naming every problem, or `Ok` when there are none.
    pub fn check(self) -> Result<(), ImportRefusal> {
        if self.total == 0 {
            return Ok(());
        }
        let counted = match self.total {
            1 => "1 problem".to_owned(),
            _ if self.are_full() => format!("more than {MAX_REPORTED_PROBLEMS} problems"),
            n => format!("{n} problems"),
        };
        let shown = if self.total > self.kept.len() {
            format!(" (the first {} are listed)", self.kept.len())
        } else {
            String::new()
        };
        Err(ImportRefusal::File {
            message: format!(
                "Nothing was imported: the file has {counted}{shown}. Fix them and import it again."
            ),
            problems: self.kept,
        })
    }
}

/// Checks `file` whole; `zone` reads due times that carry no offset, and
/// `limit` is the most todos an account keeps. Linear in the file's size,
/// and stopped at the first cap it passes (lists, todos, CSV columns,
/// problems listed); CPU work, so async code calls [`plan_apart`].
pub fn plan(file: ImportFile, zone: TimeZone, limit: TodoLimit) -> Result<Plan, ImportRefusal> {
    match file {
        ImportFile::Json(bytes) => plan_export(&bytes, zone, limit),
        ImportFile::Csv(bytes) => csv_file::plan(&bytes, zone, limit),
    }
}

/// [`plan`] on a thread of the blocking pool: planning an 8 MiB file would
/// otherwise hold one of the few async workers, and every other request
/// (`/healthz` included) would wait for it.
///
/// At most [`IMPORTS_PLANNED_AT_ONCE`] are planned at once per instance:
/// each holds its file, the parsed document and the plan (together several
/// times the file's 8 MiB) and a blocking thread for up to a second. An
/// import waits up to [`PLANNING_WAIT`] for its turn, then gets 503.
pub async fn plan_apart(
    file: ImportFile,
    zone: TimeZone,
    limit: TodoLimit,
) -> Result<Plan, ImportRefusal> {
    plan_in_turn(file, zone, limit, PLANNING_WAIT).await
}

/// Imports planned at once by one instance (a process).
pub const IMPORTS_PLANNED_AT_ONCE: usize = 2;

/// How long an import waits for a turn to be planned.
pub const PLANNING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

static PLANNING_TURNS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(IMPORTS_PLANNED_AT_ONCE);

async fn plan_in_turn(
    file: ImportFile,
    zone: TimeZone,
    limit: TodoLimit,
    wait: std::time::Duration,
) -> Result<Plan, ImportRefusal> {
    let turn = tokio::time::timeout(wait, PLANNING_TURNS.acquire())
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(AppError::internal)?;
    let planned = tokio::task::spawn_blocking(move || plan(file, zone, limit))
        .await
        .map_err(AppError::internal)?;
    drop(turn);
    planned
}

/// The years a time in a file may fall in: both databases store them
/// (PostgreSQL's timestamps begin in 4714 BC; chrono's reach further), and
/// the pages' cursors can name them.
const IMPORTED_YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Adds a problem at `pointer` when `time` falls outside [`IMPORTED_YEARS`].
fn check_time(
    problems: &mut Problems,
    pointer: impl FnOnce() -> String,
    time: Option<DateTime<Utc>>,
) {
    use chrono::Datelike as _;
    if let Some(time) = time
        && !IMPORTED_YEARS.contains(&time.year())
    {
        problems.at_pointer(pointer(), "a time outside the years 1 to 9999");
    }
}

/// serde's messages end with "at line 1 column 9": true, but noise here.
fn without_position(message: String) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message,
    }
}

/// How many lists and todos a JSON export holds, read in a pass that keeps
/// nothing of it, so a file past a cap is refused before it is held in
/// memory.
#[derive(Deserialize)]
#[serde(expecting = "a Taskward export")]
struct ExportSize {
    #[serde(default)]
    lists: ListsSize,
}

#[derive(Default)]
struct ListsSize {
    lists: usize,
    todos: usize,
}

impl<'de> Deserialize<'de> for ListsSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Lists;
        impl<'de> de::Visitor<'de> for Lists {
            type Value = ListsSize;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an array of lists")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<ListsSize, A::Error> {
                let mut size = ListsSize::default();
                while let Some(list) = seq.next_element::<ListSize>()? {
                    size.lists += 1;
                    size.todos += list.todos.0;
                }
                Ok(size)
            }
        }
        deserializer.deserialize_seq(Lists)
    }
}

#[derive(Deserialize)]
#[serde(expecting = "a list")]
struct ListSize {
    #[serde(default)]
    todos: Count,
}

/// How many elements an array has.
#[derive(Default)]
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Elements;
        impl<'de> de::Visitor<'de> for Elements {
            type Value = Count;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an array of todos")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut count = 0;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(Count(count))
            }
        }
        deserializer.deserialize_seq(Elements)
    }
}

/// The refusal of a JSON file whose shape is not an export's, at `path`.
fn not_an_export(path: String, error: serde_json::Error) -> ImportRefusal {
    let message = without_position(error.to_string());
    let at = if path == "." {
        "its top level".to_owned()
    } else {
        format!("\u{201c}{path}\u{201d}")
    };
    ImportRefusal::file(format!(
        "This is not a Taskward export: at {at}, {message}."
    ))
}

/// A Taskward export, read in the time zone it was made in, so due times
/// come back on the same wall clock.
fn plan_export(bytes: &[u8], zone: TimeZone, limit: TodoLimit) -> Result<Plan, ImportRefusal> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportRefusal::file(
            "The file is empty. Choose a Taskward export (a .json file) or a CSV file of todos.",
        ));
    }
    let not_json = |error: serde_json::Error| {
        ImportRefusal::file(format!(
            "This file is not valid JSON ({}).",
            without_position(error.to_string())
        ))
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let size = serde_path_to_error::deserialize::<_, ExportSize>(&mut deserializer);
    let size = match size {
        Ok(size) => deserializer.end().map(|()| Ok(size)).map_err(not_json)?,
        Err(error) if !error.inner().is_data() => return Err(not_json(error.into_inner())),
        Err(error) => {
            // Not shaped as an export where it stopped: is the rest JSON?
            serde_json::from_slice::<de::IgnoredAny>(bytes).map_err(not_json)?;
            Err(error)
        }
    };
    if bytes.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ImportRefusal::file(
            "This JSON file is not a Taskward export: an export is one JSON object.",
        ));
    }
    let size = size
        .map_err(|error| not_an_export(error.path().to_string(), error.into_inner()))?
        .lists;
    if i64::try_from(size.lists).unwrap_or(i64::MAX) > MAX_LISTS_PER_USER {
        return Err(ImportRefusal::file(format!(
            "Nothing was imported: the file holds {} lists, and one account keeps at most \
             {MAX_LISTS_PER_USER}.",
            size.lists
        )));
    }
    if u64::try_from(size.todos).unwrap_or(u64::MAX) > u64::from(limit.0) {
        return Err(too_many_todos(limit));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    let export: Export = serde_path_to_error::deserialize(deserializer)
        .map_err(|error| not_an_export(error.path().to_string(), error.into_inner()))?;
    if export.format != EXPORT_FORMAT {
        return Err(ImportRefusal::file(format!(
            "This JSON file is not a Taskward export: its “format” is not “{EXPORT_FORMAT}”."
        )));
    }
    if export.version != EXPORT_VERSION {
        return Err(ImportRefusal::file(format!(
            "This export is in version {} of the format; this Taskward reads version {EXPORT_VERSION}.",
            export.version
        )));
    }
    let zone = TimeZone::parse(&export.account.time_zone).unwrap_or(zone);
    let mut problems = Problems::default();
    let mut lists = PlannedLists::default();
    'lists: for (l, list) in export.lists.into_iter().enumerate() {
        if problems.are_full() {
            break;
        }
        let target = if list.inbox {
            Ok(ListTarget::Inbox)
        } else {
            ListTarget::named(&list.name)
        };
        let target = match target {
            Ok(target) => target,
            Err(error) => {
                problems.at_pointer(format!("#/lists/{l}/name"), error);
                continue;
            }
        };
        if lists.contains(&target) {
            problems.at_pointer(
                format!("#/lists/{l}/name"),
                "another list in the file has this name",
            );
            continue;
        }
        if let Some(position) = &list.position
            && !ordering::is_valid(position)
        {
            problems.at_pointer(
                format!("#/lists/{l}/position"),
                "not an ordering key (base-62 digits, at most 64 characters)",
            );
        }
        check_time(
            &mut problems,
            || format!("#/lists/{l}/created_at"),
            list.created_at,
        );
        check_time(
            &mut problems,
            || format!("#/lists/{l}/updated_at"),
            list.updated_at,
        );
        let planned = lists.list_for(target)?;
        planned.position = list.position;
        planned.created_at = list.created_at;
        planned.updated_at = list.updated_at;
        planned.todos.reserve(list.todos.len());
        let mut positions: HashSet<&str> = HashSet::with_capacity(list.todos.len());
        for (t, todo) in list.todos.iter().enumerate() {
            if problems.are_full() {
                break 'lists;
            }
            let at = |field: &str| format!("#/lists/{l}/todos/{t}/{field}");
            let title = TodoTitle::parse(&todo.title)
                .map_err(|error| problems.at_pointer(at("title"), error))
                .ok();
            let notes = Notes::parse(&todo.notes)
                .map_err(|error| problems.at_pointer(at("notes"), error))
                .ok();
            let due = match todo.due.as_deref() {
                Some(due) => Due::parse(due, zone)
                    .map(Some)
                    .map_err(|error| problems.at_pointer(at("due"), error))
                    .ok(),
                None => Some(None),
            };
            let repeat = match (&todo.repeat, due) {
                (Some(repeat), Some(due)) => repeat
                    .read(due)
                    .map(Some)
                    .map_err(|error| problems.at_pointer(at("repeat"), error))
                    .ok(),
                (_, None) | (None, _) => Some(None),
            };
            let reminders = Reminders::from_json(&todo.reminders)
                .map_err(|error| problems.at_pointer(at("reminders"), error))
                .ok();
            check_time(&mut problems, || at("created_at"), todo.created_at);
            check_time(&mut problems, || at("updated_at"), todo.updated_at);
            if let Some(position) = &todo.position {
                if !ordering::is_valid(position) {
                    problems.at_pointer(
                        at("position"),
                        "not an ordering key (base-62 digits, at most 64 characters)",
                    );
                } else if !positions.insert(position) {
                    problems.at_pointer(at("position"), "another todo of the list has it");
                }
            }
            if let (Some(title), Some(notes), Some(due), Some(repeat), Some(reminders)) =
                (title, notes, due, repeat, reminders)
            {
                planned.todos.push(PlannedTodo {
                    title,
                    notes,
                    completed: todo.completed,
                    priority: todo.priority,
                    due,
                    repeat,
                    reminders,
                    position: todo.position.clone(),
                    created_at: todo.created_at,
                    updated_at: todo.updated_at,
                });
            }
        }
    }
    problems.check()?;
    let plan = Plan {
        lists: lists.into_lists(),
        ignored_columns: Vec::new(),
    };
    if plan.todo_count() == 0
        && plan
            .lists
            .iter()
            .all(|list| list.target == ListTarget::Inbox)
    {
        return Err(ImportRefusal::file(
            "This export holds no todos and no lists: there is nothing to import.",
        ));
    }
    Ok(plan)
}

/// Writes `plan` into the user's account, completely or not at all: the
/// lists and the todos' places in one transaction, then the todos a batch
/// at a time ([`ImportRun`]); when a batch fails, what the run wrote is
/// removed.
pub async fn apply(
    db: &Db,
    user_id: Uuid,
    plan: Plan,
    limit: TodoLimit,
) -> Result<ImportOutcome, ImportRefusal> {
    let mut run = ImportRun::new(user_id);
    let waited_enough = tokio::time::Instant::now() + WAIT_FOR_ANOTHER_IMPORT;
    let mut plan = plan;
    let (records, outcome) = loop {
        match start(db, &mut run, plan, limit).await? {
            Started::Begun { records, outcome } => break (records, outcome),
            Started::AnotherImportRuns(returned) if tokio::time::Instant::now() < waited_enough => {
                plan = returned;
                tokio::time::sleep(WAIT_FOR_ANOTHER_IMPORT / 100).await;
            }
            Started::AnotherImportRuns(_) => {
                return Err(StoreError::Refused(ImportConflict::AnotherImportRuns).into());
            }
        }
    };
    if records.is_empty() {
        return Ok(outcome);
    }
    if let Err(error) = run.write(db, &records, limit).await {
        if let Err(removal) = run.abandon(db).await {
            tracing::warn!(error = %removal, "could not remove a failed import; the sweep will");
        }
        return Err(error.into());
    }
    Ok(outcome)
}

/// How long an import waits for another one into the same account to be
/// written before it is refused: one at a time, because an import places
/// its todos before the todos it goes on top of are written.
const WAIT_FOR_ANOTHER_IMPORT: std::time::Duration = std::time::Duration::from_secs(15);

/// How the first transaction of an import went.
#[derive(Debug)]
pub enum Started {
    /// The todos to write, in order, and what the import will have done.
    Begun {
        records: Vec<TodoRecord>,
        outcome: ImportOutcome,
    },
    /// Nothing was written: another import into the account is being
    /// written. The plan, to try again.
    AnotherImportRuns(Plan),
}

/// The first transaction of an import: checks the caps, finds or makes
/// the lists, gives every todo its id and place, and registers the run
/// (when there are todos to write).
pub async fn start(
    db: &Db,
    run: &mut ImportRun,
    plan: Plan,
    limit: TodoLimit,
) -> Result<Started, ImportRefusal> {
    let user_id = run.user_id();
    let at = now();
    let adding = plan.todo_count() as i64;
    let mut records: Vec<TodoRecord> = Vec::with_capacity(plan.todo_count());
    let outcome = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let count = lock_user_row(&mut tx, user_id)
            .await?
            .ok_or(StoreError::<ImportConflict>::NoAccount)?;
        let (running,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM import_runs WHERE user_id = $1 AND abandoned = $2 \
             AND started_at >= $3",
        )
        .bind(user_id)
        .bind(false)
        .bind(at - super::import_run::ABANDONED_AFTER)
        .fetch_one(&mut *tx)
        .await?;
        if running > 0 {
            return Ok(Started::AnotherImportRuns(plan));
        }
        if !limit.admits(count, adding) {
            let limit = limit.0;
            return Err(StoreError::Refused(ImportConflict::FileDoesNotFit { adding, count, limit }).into());
        }
        let (mut list_count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM lists WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut outcome = ImportOutcome {
            ignored_columns: plan.ignored_columns,
            ..ImportOutcome::default()
        };
        for list in plan.lists {
            let existing = match &list.target {
                ListTarget::Inbox => list_id_in(&mut tx, user_id, ListRef::Inbox).await?,
                ListTarget::Named(name) => {
                    let found: Option<(Uuid,)> =
                        sqlx::query_as("SELECT id FROM lists WHERE user_id = $1 AND name_key = $2")
                            .bind(user_id)
                            .bind(name.key())
                            .fetch_optional(&mut *tx)
                            .await?;
                    found.map(|(id,)| id)
                }
            };
            let list_id = match (existing, &list.target) {
                (Some(id), _) => id,
                (None, ListTarget::Inbox) => {
                    return Err(StoreError::<ImportConflict>::broken("a user without an Inbox").into());
                }
                (None, ListTarget::Named(name)) => {
                    if list_count >= MAX_LISTS_PER_USER {
                        return Err(StoreError::Refused(ImportConflict::WouldPassListCap).into());
                    }
                    let (taken,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM lists WHERE user_id = $1 AND position = $2",
                    )
                    .bind(user_id)
                    .bind(list.position.as_deref().unwrap_or_default())
                    .fetch_one(&mut *tx)
                    .await?;
                    let position = match list.position {
                        Some(position) if taken == 0 => position,
                        _ => position_after_last_list(&mut tx, user_id).await?,
                    };
                    let id = run.next_id();
                    let row = NewListRow {
                        id,
                        name: name.as_str(),
                        name_key: name.key(),
                        is_inbox: false,
                        position: &position,
                        created_at: list.created_at.unwrap_or(at),
                        updated_at: list.updated_at.or(list.created_at).unwrap_or(at),
                    };
                    crate::lists::store::insert(&mut tx, user_id, &row).await?;
                    list_count += 1;
                    outcome.lists_created += 1;
                    id
                }
            };
            if list.todos.is_empty() {
                continue;
            }
            let (existing_todos,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM todos WHERE user_id = $1 AND list_id = $2",
            )
            .bind(user_id)
            .bind(list_id)
            .fetch_one(&mut *tx)
            .await?;
            let keep_positions =
                existing_todos == 0 && list.todos.iter().all(|todo| todo.position.is_some());
            let keys = if keep_positions {
                list.todos
                    .iter()
                    .map(|todo| todo.position.clone().unwrap_or_default())
                    .collect()
            } else {
                keys_on_top(&mut tx, user_id, list_id, list.todos.len()).await?
            };
            outcome.todos_imported += list.todos.len() as u64;
            records.extend(list.todos.into_iter().zip(keys).map(|(todo, position)| {
                let created_at = todo.created_at.unwrap_or(at);
                TodoRecord {
                    id: run.next_id(),
                    title: todo.title.as_str().to_owned(),
                    completed: todo.completed,
                    list_id,
                    notes: todo.notes.as_str().to_owned(),
                    priority: todo.priority.level(),
                    due_date: todo.due.map(|due| due.date),
                    due_time: todo.due.and_then(|due| due.time),
                    position,
                    created_at,
                    updated_at: todo.updated_at.unwrap_or(created_at),
                    repeat_rule: todo.repeat.as_ref().map(|repeat| repeat.rule.to_string()),
                    repeat_from: todo.repeat.as_ref().map(|repeat| repeat.from.as_str().to_owned()),
                    next_id: None,
                    reminders: todo.reminders.to_stored(),
                    seq: None,
                }
            }));
        }
        if !records.is_empty() {
            let (first_id, last_id) = run.id_range();
            sqlx::query(
                "INSERT INTO import_runs (id, user_id, first_id, last_id, started_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(run.id())
            .bind(user_id)
            .bind(first_id)
            .bind(last_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        outcome
    });
    Ok(Started::Begun { records, outcome })
}

/// Checks and writes `file` for the user; `zone` is the account's.
pub async fn import(
    db: &Db,
    user_id: Uuid,
    zone: TimeZone,
    file: ImportFile,
    limit: TodoLimit,
) -> Result<ImportOutcome, ImportRefusal> {
    let plan = plan_apart(file, zone, limit).await?;
    apply(db, user_id, plan, limit).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn an_import_past_the_planning_turns_waits_then_gets_503() {
        let csv = || ImportFile::Csv(b"title\nMilk\n".to_vec());
        let limit = TodoLimit(100);
        let taken = PLANNING_TURNS
            .acquire_many(u32::try_from(IMPORTS_PLANNED_AT_ONCE).unwrap())
            .await
            .unwrap();
        let refused = plan_in_turn(csv(), TimeZone::UTC, limit, Duration::from_millis(50)).await;
        assert!(
            matches!(refused, Err(ImportRefusal::Other(AppError::Unavailable))),
            "{refused:?}"
        );
        drop(taken);
        let planned = plan_in_turn(csv(), TimeZone::UTC, limit, Duration::from_millis(50)).await;
        assert_eq!(planned.unwrap().lists[0].todos.len(), 1);
    }
}
