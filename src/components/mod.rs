//! Pieces shared by several pages.

pub mod brand;
pub mod load_failed;
pub mod load_once;
pub mod raw_text;
pub mod security_events;
pub mod signed_in;
pub mod undo_notice;
