//! One module per page.

pub mod account;
pub mod admin;
mod auth_form;
pub mod dashboard;
pub mod landing;
pub mod lists;
pub mod not_found;
pub mod notifications;
mod passkeys;
pub mod recovery;
pub mod security;
pub mod sessions;
pub mod signin;
pub mod signup;
pub mod todos;
pub mod verification;
