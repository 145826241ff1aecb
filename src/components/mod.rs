//! Pieces shared by several pages.

pub mod brand;
pub mod signed_in;
