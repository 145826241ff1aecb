//! Export and import: a user's data leaves and comes back whole.
//!
//! - [`export`]: everything of one account (its email and time zone, its
//!   lists and their todos with every field) as one JSON document, and the
//!   todos alone as CSV, written as [`stream`] reads the account a page at
//!   a time (with the bounds on exports at once);
//! - [`import`]: a Taskward JSON export, which recreates its lists and
//!   todos exactly (positions and timestamps included), or a CSV file of
//!   todos, which adds them. An import is checked whole before anything is
//!   written, then written by an [`import_run`] a batch per transaction:
//!   it applies completely or not at all.
//!
//! Both the account page (`/account/export.json`, `/account/export.csv`,
//! `/account/import`) and the JSON API (`/api/v1/export`, `/api/v1/import`)
//! call these.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod csv_file;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
mod format;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod import_run;
#[cfg(feature = "ssr")]
pub mod reports;
#[cfg(all(test, feature = "ssr"))]
mod round_trip;
#[cfg(feature = "ssr")]
pub mod stream;

#[cfg(feature = "ssr")]
pub use format::*;

/// The query parameter of the account page that shows an import's report.
pub const REPORT_QUERY_KEY: &str = "import";

/// How an import made from the account page's form went, for the page it
/// returns to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub succeeded: bool,
    pub message: String,
    /// One line per problem ("line 14: …").
    pub problems: Vec<String>,
}
