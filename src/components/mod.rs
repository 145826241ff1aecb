//! Pieces shared by several pages.

pub mod signed_in;
