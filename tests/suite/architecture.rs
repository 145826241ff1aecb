//! The layering docs/architecture.md describes, checked on the source: which
//! top-level modules of `src/` name which others (`crate::x`, `$crate::x`,
//! `use crate::{x, …}`, and the macros each defines), and that no two of
//! them depend on each other, directly or through others.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

/// The identifier at the start of `text`.
fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level modules `text` names.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the first name of each part.
            let mut depth = 0;
            let mut start = true;
            for (offset, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_ascii_alphabetic() || c == '_') => {
                        named.insert(identifier(&group[offset..]).to_owned());
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            named.insert(identifier(rest).to_owned());
        }
    }
    named
}

/// The top-level module each file of `src/` belongs to, and its text
/// without comments (doc links name modules without depending on them).
fn files_by_module() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    sources(&src)
        .into_iter()
        .map(|file| {
            let top = file
                .strip_prefix(&src)
                .unwrap()
                .components()
                .next()
                .unwrap();
            let top = Path::new(top.as_os_str())
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = fs::read_to_string(&file)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (top, text)
        })
        .filter(|(top, _)| top != "lib" && top != "main")
        .collect()
}

/// Which top-level module names which, by path or by using a macro
/// another one defines (`#[macro_export]` puts every macro at the crate's
/// root, so only its use tells where it comes from).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = files_by_module();
    let modules: BTreeSet<String> = files.iter().map(|(top, _)| top.clone()).collect();
    let mut macro_homes: BTreeMap<String, String> = BTreeMap::new();
    for (top, text) in &files {
        for (at, _) in text.match_indices("macro_rules!") {
            let name = identifier(text[at + "macro_rules!".len()..].trim_start());
            macro_homes.insert(name.to_owned(), top.clone());
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (top, text) in &files {
        let names = graph.entry(top.clone()).or_default();
        for named in named_modules(text) {
            if named != *top && modules.contains(&named) {
                names.insert(named);
            }
        }
        for (name, home) in &macro_homes {
            let used = text.match_indices(&format!("{name}!")).any(|(at, _)| {
                !text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            if home != top && used {
                names.insert(home.clone());
            }
        }
    }
    graph
}

/// The modules that reach each other both ways, in groups of two or more.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reaches = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut next = vec![from.clone()];
        while let Some(module) = next.pop() {
            for named in graph.get(&module).into_iter().flatten() {
                if seen.insert(named.clone()) {
                    next.push(named.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> = graph
        .keys()
        .map(|module| (module, reaches(module)))
        .collect();
    let mut groups: Vec<BTreeSet<String>> = Vec::new();
    for (module, reached) in &reach {
        let group: BTreeSet<String> = reached
            .iter()
            .filter(|other| reach.get(other).is_some_and(|back| back.contains(*module)))
            .cloned()
            .collect();
        if group.len() > 1 && !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
}

#[test]
fn the_parser_finds_modules_in_paths_and_use_groups() {
    let text = "use crate::{error::AppError, db::{Db, now}, ordering};\n\
                let x = $crate::todos::store::TODOS; crate::lists::ListRef::Inbox;";
    let named: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(named, ["db", "error", "lists", "ordering", "todos"]);
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
        ("d".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    let found = cycles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].iter().collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[test]
fn no_top_level_module_depends_on_itself_through_others() {
    let graph = module_graph();
    for (module, names) in &graph {
        eprintln!(
            "{module} -> {}",
            names.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    // The layering docs/architecture.md draws, spot-checked both ways.
    assert!(graph["undo"].contains("todos") && graph["todos"].contains("lists"));
    assert!(!graph["lists"].contains("todos") && !graph["todos"].contains("undo"));
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "modules in a circle: {found:?}; see docs/architecture.md"
    );
}

/// The files of `src/` (relative paths) whose SQL writes to `table`.
fn writers_of(table: &str) -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let writes = [
        format!("INSERT INTO {table} "),
        format!("UPDATE {table} "),
        format!("DELETE FROM {table} "),
    ];
    sources(&src)
        .into_iter()
        .filter(|file| {
            let text = fs::read_to_string(file).unwrap();
            let code: String = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            writes.iter().any(|write| code.contains(write.as_str()))
        })
        .map(|file| {
            let relative = file.strip_prefix(&src).unwrap();
            relative.to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn each_table_is_written_by_its_owner() {
    // `undo/store.rs` puts deleted todos back from its own tables in one
    // statement each (see RESTORE_IN_PLACE), the one exception.
    for (table, owners) in [
        ("todos", &["todos/store.rs", "undo/store.rs"][..]),
        ("lists", &["lists/store.rs"]),
        ("users", &["auth/store.rs"]),
        ("email_confirmations", &["auth/store.rs"]),
        ("api_tokens", &["auth/store.rs"]),
        ("calendar_feeds", &["auth/calendar_feed.rs"]),
        ("push_keys", &["push/keys.rs"]),
        ("push_subscriptions", &["push/store.rs"]),
        ("instance_settings", &["signup/store.rs"]),
        ("invitations", &["signup/store.rs"]),
        ("mail_outbox", &["mail/store.rs"]),
        ("reminder_schedule", &["reminders/schedule.rs"]),
        ("reminder_settings", &["reminders/store.rs"]),
        ("reminder_deliveries", &["reminders/store.rs"]),
        ("sessions", &["auth/store.rs"]),
        ("totp_authenticators", &["auth/second_factor/store.rs"]),
        ("recovery_codes", &["auth/second_factor/store.rs"]),
        ("second_factor_challenges", &["auth/second_factor/store.rs"]),
    ] {
        let writers = writers_of(table);
        let owners: BTreeSet<String> = owners.iter().map(|owner| owner.to_string()).collect();
        assert!(
            writers.is_subset(&owners) && writers.contains(owners.first().unwrap()),
            "{table} is written by {writers:?}; only {owners:?} may"
        );
    }
}

/// Stores say what happened (`db::StoreError` with their module's refusal)
/// and never how to say it to a person: the files that run their
/// transactions build no `AppError`; the sentences are in `refusals.rs`
/// (or, where they name the caller's change, in the caller).
#[test]
fn stores_name_refusals_and_leave_the_words_to_the_edge() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stores: Vec<PathBuf> = sources(&src)
        .into_iter()
        .filter(|file| file.file_name().is_some_and(|name| name == "store.rs"))
        .collect();
    assert!(stores.len() >= 5, "the stores moved: {stores:?}");
    for other in [
        "undo/deletes.rs",
        "transfer/import_run.rs",
        "ordering/sequence.rs",
    ] {
        stores.push(src.join(other));
    }
    for store in stores {
        let text = fs::read_to_string(&store).unwrap();
        assert!(
            !text.contains("AppError"),
            "{} builds user-facing errors; return a StoreError and word it in refusals.rs",
            store.display()
        );
    }
}
