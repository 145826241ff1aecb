//! What the pages show, as their server functions send it: the shapes of
//! the list page and the dashboard, assembled by [`crate::actions`] from
//! what the stores read and shown by [`crate::pages`]. Compiled on both
//! sides (an island gets them as props).

use serde::{Deserialize, Serialize};

use crate::{
    lists::ListSummary,
    todos::{DueCounts, Sort, Todo, TodoTotals},
};

/// One page of a user's todos and where the next starts. For a list in
/// manual order, also the todos just before and after this page, so the
/// first and last rows can move across the page's edges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoPage {
    pub items: Vec<Todo>,
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub preceding: Option<String>,
    #[serde(default)]
    pub following: Option<String>,
}

/// What a page of todos is of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Showing {
    /// Every todo, newest first (the JSON API without `list`).
    All,
    List(ListSummary),
    Today,
    Upcoming,
    Search(String),
}

/// Everything the list page shows: one page of todos, the totals of what
/// it shows, the sidebar's lists and counts, and the user's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoListing {
    pub page: TodoPage,
    pub totals: TodoTotals,
    pub showing: Showing,
    pub sort: Sort,
    pub lists: Vec<ListSummary>,
    pub due: DueCounts,
    /// "Thursday 3 December", in the user's time zone.
    pub today: String,
    /// The same day as `2026-12-03`.
    pub today_date: String,
    pub time_zone: String,
}

/// What the dashboard shows: the totals, what is due, each list's
/// progress, and the latest todos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardData {
    pub totals: TodoTotals,
    pub due: DueCounts,
    pub lists: Vec<ListSummary>,
    pub recent: Vec<Todo>,
    /// "Thursday 3 December", in the user's time zone.
    pub today: String,
}
