//! Names the commit the binary is built from (`taskward --version`,
//! `GET /healthz`): `TASKWARD_COMMIT` when the builder sets it (a build
//! from a tarball), else `git rev-parse`, else "unknown".

use std::{path::Path, process::Command};

fn main() {
    println!("cargo:rerun-if-env-changed=TASKWARD_COMMIT");
    let commit = std::env::var("TASKWARD_COMMIT")
        .ok()
        .filter(|commit| !commit.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TASKWARD_COMMIT={commit}");
    // Built again when HEAD moves: to another branch, or to a new commit.
    // Only files that exist are named (cargo reruns every time for a
    // missing one).
    let git = Path::new(".git");
    let mut watched = vec![git.join("HEAD"), git.join("packed-refs")];
    if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
        && let Some(reference) = head.trim().strip_prefix("ref: ")
    {
        watched.push(git.join(reference));
    }
    for file in watched.iter().filter(|file| file.is_file()) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

fn git_commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}
