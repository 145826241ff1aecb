//! Taskward: a personal todo list, written entirely in Rust.
//!
//! Where to start reading:
//! - [`app`] is the Leptos application (routes and the HTML shell); it compiles
//!   both for the server (`ssr`) and for the browser (`hydrate`).
//! - [`pages`] holds one module per page.
//! - [`error`] is the one error type shared by server and browser.
//! - Server-only code sits behind the `ssr` feature: [`config`] (typed settings
//!   read once from the environment), [`db`] (SQLite or PostgreSQL through one
//!   sqlx code path), [`server`] (the axum router, shared state, middleware and
//!   graceful shutdown), [`api`] (the JSON API at `/api/v1` for clients that
//!   are not browsers), [`page_cache`] (signed-in pages kept while the
//!   user's todos are unchanged), [`health`] and [`telemetry`].
//! - `src/main.rs` is a thin wrapper over [`server::Application`], which the
//!   integration tests in `tests/` also start, on a random port.

pub mod app;
pub mod auth;
pub mod components;
pub mod error;
pub mod pages;
pub mod todos;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod page_cache;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod telemetry;

/// Entry point of the browser bundle: prepares the reactive system, after
/// which the island loader (`src/island_loader.js`) hydrates each island.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
