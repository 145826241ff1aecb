//! The one shape of a store's failure. A store says *what* happened (its
//! module's refusal, a row that is not the user's, the database failing)
//! and never how to say it to a person: the sentences live at the edge, in
//! `crate::refusals` (or, where the wording needs the caller's words, in
//! the caller).

use crate::error::AppError;

/// Why a store function did not do what it was asked. `R` is the store's
/// own refusals (an enum of domain facts, such as "the todo cap is
/// reached"). Functions that can only fail in the database return
/// `sqlx::Error`.
#[derive(Debug)]
pub enum StoreError<R> {
    /// The store declined, for a reason of its domain.
    Refused(R),
    /// The user has no such row: to a store scoped to its user, a row of
    /// someone else's does not exist.
    NotFound,
    /// The user's own row is gone: a session outlived its account.
    NoAccount,
    /// Stored data broke a rule the schema cannot hold (say, a user
    /// without an Inbox): a bug, logged where it turns into a response.
    Broken(String),
    Database(sqlx::Error),
}

impl<R> StoreError<R> {
    /// The same failure in the vocabulary of a store that calls this one
    /// (the ordering's refusals become a todo's, say).
    /// Data that breaks an invariant: `what` is logged, never shown.
    pub fn broken(what: impl std::fmt::Display) -> Self {
        StoreError::Broken(what.to_string())
    }

    pub fn widen<S: From<R>>(self) -> StoreError<S> {
        match self {
            StoreError::Refused(refusal) => StoreError::Refused(refusal.into()),
            StoreError::NotFound => StoreError::NotFound,
            StoreError::NoAccount => StoreError::NoAccount,
            StoreError::Broken(what) => StoreError::Broken(what),
            StoreError::Database(error) => StoreError::Database(error),
        }
    }

    /// The refusal, if this is one (for tests and for callers that handle
    /// one refusal themselves).
    pub fn refusal(&self) -> Option<&R> {
        match self {
            StoreError::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }
}

impl<R> From<sqlx::Error> for StoreError<R> {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(error)
    }
}

impl<R: Into<AppError>> From<StoreError<R>> for AppError {
    #[track_caller]
    fn from(error: StoreError<R>) -> Self {
        match error {
            StoreError::Refused(refusal) => refusal.into(),
            StoreError::NotFound => AppError::NotFound,
            StoreError::NoAccount => AppError::Unauthenticated,
            StoreError::Broken(what) => AppError::internal(what),
            StoreError::Database(error) => error.into(),
        }
    }
}
