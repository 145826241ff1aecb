//! The server functions the pages call (`/api/<area>/<name>`), one module
//! per area. Each is the edge of one request: it reads the session again
//! ([`crate::auth::request::session`]), parses what the form sent, calls
//! the domain module that owns the data, and says where a page without
//! JavaScript goes next. They sit above the domain modules, which never
//! call them, and compile for the browser too, as calls over HTTP.

pub mod admin;
pub mod auth;
pub mod calendar_feed;
pub mod lists;
pub mod passkeys;
pub mod reminders;
pub mod second_factor;
pub mod todos;
pub mod transfer;
pub mod undo;
