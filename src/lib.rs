//! Taskward: a personal todo list, written entirely in Rust.
//!
//! Where to start reading: `src/main.rs` is a thin wrapper over
//! [`web::Application`], which the integration tests in `tests/` also
//! start, on a random port. Dependencies point one way, top to bottom:
//!
//! - [`web`]: the HTTP edge (router per surface, state, middleware);
//! - [`app`] and [`pages`] (the Leptos application, compiled for the server
//!   and for the browser), and [`api`] (the JSON API at `/api/v1`);
//! - [`actions`]: the server functions the pages call, which reach their
//!   request through [`context`];
//! - the domain, each module with its rules and the queries on its
//!   tables, in this order: [`admin`], [`auth`] (accounts and sessions),
//!   [`transfer`] (export and import), [`undo`] (the deletes that can be
//!   undone, and undoing them), [`todos`], [`lists`];
//!   `tests/suite/architecture.rs` fails on any cycle among the modules;
//! - [`reminders`] (when reminders fall due, their log, and the worker
//!   that fires them), under the todo store that keeps them in step;
//! - [`mail`] (the outbox and its delivery worker), [`signup`] (who may make
//!   an account), below the domain modules that use them;
//! - [`calendar`] (time zones, the user's today, due dates), [`ordering`]
//!   (keys for manual order), [`db`], [`config`], [`client`],
//!   [`navigation`] and [`error`] (the one error type shared by server and
//!   browser).

/// The release this binary is (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit it was built from (`build.rs`), or "unknown".
pub const COMMIT: &str = env!("TASKWARD_COMMIT");

pub mod actions;
pub mod admin;
pub mod app;
pub mod auth;
pub mod components;
pub mod error;
pub mod lists;
pub mod mail;
pub mod navigation;
pub mod pages;
pub mod reminders;
pub mod signup;
pub mod todos;
pub mod transfer;
pub mod undo;
pub mod views;
pub mod webauthn;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod check;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod digest;
#[cfg(feature = "ssr")]
pub mod ical;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod ordering;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
mod refusals;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod web;

/// Entry point of the browser bundle: prepares the reactive system, after
/// which the island loader (`src/island_loader.js`) hydrates each island.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
