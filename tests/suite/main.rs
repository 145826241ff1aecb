//! The black-box tests: the real app on a random port, over HTTP, one
//! module per area, all in one test binary (one link instead of one per
//! file). Tests that hold a bar on time or memory for the whole process
//! run in binaries of their own, so nothing else runs beside them:
//! `tests/bulk_writes.rs`, `tests/export_memory.rs` and
//! `tests/slow_clients.rs`.

#[path = "../common/mod.rs"]
mod common;

mod account_api;
mod admin;
mod admin_api;
mod api;
mod api_tokens;
mod architecture;
mod auth;
mod calendar_feed;
mod client_addresses;
mod docs;
mod export;
mod hardening;
mod health;
mod limits;
mod lists;
mod mail;
mod metrics;
mod migration;
mod operations;
mod ordering;
mod page_cache;
mod pages;
mod passkeys;
mod planning;
mod push;
mod recovery;
mod reminders;
mod repeats;
mod search;
mod second_factor;
mod signup;
mod surfaces;
mod todos;
mod transfer;
mod undo;
mod verification;
