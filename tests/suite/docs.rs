//! The README and `docs/` link to each other: every relative link, and
//! every `#anchor` it names, leads somewhere.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

/// The Markdown pages: the README and every page of `docs/`.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "md") {
            pages.push(path);
        }
    }
    pages
}

/// The targets of `[text](target)` and `![alt](target)` outside code.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_code_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code_block = !in_code_block;
            continue;
        }
        if in_code_block {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found
}

/// A heading's anchor as GitHub makes it: lower case, punctuation dropped,
/// spaces as hyphens.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_code_block = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                in_code_block = !in_code_block;
            }
            !in_code_block && line.starts_with('#')
        })
        .map(|line| anchor_of(line.trim_start_matches('#')))
        .collect()
}

#[test]
fn the_anchor_of_a_heading_is_githubs() {
    assert_eq!(
        anchor_of(" Abuse: budgets, lockout, slow clients"),
        "abuse-budgets-lockout-slow-clients"
    );
    assert_eq!(
        links("see [Limits](limits.md) and ![x](a.png#b) `[no](c)`"),
        ["limits.md", "a.png#b", "c"]
    );
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let mut checked = 0;
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap();
        let folder = page.parent().unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                folder.join(file)
            };
            assert!(
                target.exists(),
                "{}: the link {link} leads nowhere",
                page.display()
            );
            if !anchor.is_empty() {
                let heads = anchors(&fs::read_to_string(&target).unwrap());
                assert!(
                    heads.contains(anchor),
                    "{}: {link}: no such heading in {}",
                    page.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} links: did the pages move?");
}
