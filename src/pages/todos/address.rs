//! The page's address (what it shows, which page, which forms are open)
//! and what it fixes for the island's life.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::Shown;
use crate::{
    navigation::encode_query_value,
    todos::{EDIT_QUERY_KEY, Filter, OPEN_QUERY_KEY, PageParams, Sort},
    views::Showing,
};

/// What the page's address asks for, carried into the island so that it
/// reloads exactly that after each change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Which todos, and which page of them.
    #[serde(flatten)]
    pub params: PageParams,
    /// The todo whose title form is open (without JavaScript).
    pub edit: Option<String>,
    /// The todo whose details are open.
    pub open: Option<String>,
}

impl Address {
    pub(super) fn from_query() -> Self {
        use_query_map().with_untracked(|query| {
            let read = |key: &str| query.get(key).filter(|value| !value.is_empty());
            Self {
                params: PageParams {
                    list: read("list"),
                    view: read("view"),
                    q: read("q"),
                    filter: read("filter"),
                    sort: read("sort"),
                    cursor: read("cursor"),
                },
                edit: read(EDIT_QUERY_KEY),
                open: read(OPEN_QUERY_KEY),
            }
        })
    }

    /// This page's address with `filter` (none for all), without a cursor
    /// or open forms.
    pub(super) fn with_filter(&self, filter: Filter) -> String {
        let filter = (filter != Filter::All).then_some(filter.as_str());
        self.href(filter, self.params.sort.as_deref(), None)
    }

    pub(super) fn with_sort(&self, sort: Sort) -> String {
        let sort = (sort != Sort::Manual).then_some(sort.as_str());
        self.href(self.params.filter.as_deref(), sort, None)
    }

    pub(super) fn with_cursor(&self, cursor: &str) -> String {
        self.href(
            self.params.filter.as_deref(),
            self.params.sort.as_deref(),
            Some(cursor),
        )
    }

    /// This page of the list, as shown now (no form open).
    pub(super) fn here(&self) -> String {
        self.href(
            self.params.filter.as_deref(),
            self.params.sort.as_deref(),
            self.params.cursor.as_deref(),
        )
    }

    pub(super) fn href(
        &self,
        filter: Option<&str>,
        sort: Option<&str>,
        cursor: Option<&str>,
    ) -> String {
        let pairs = [
            ("list", self.params.list.as_deref()),
            ("view", self.params.view.as_deref()),
            ("q", self.params.q.as_deref()),
            ("filter", filter),
            ("sort", sort),
            ("cursor", cursor),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter_map(|(key, value)| {
                value.map(|value| format!("{key}={}", encode_query_value(value)))
            })
            .collect();
        if query.is_empty() {
            "/todos".to_owned()
        } else {
            format!("/todos?{}", query.join("&"))
        }
    }
}

/// Where the new-todo form puts a todo, and the due date it starts with:
/// all the controls island needs to know of the page's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTodo {
    /// The list shown (a list page); none puts it in the Inbox.
    pub list_id: Option<String>,
    /// Today, on the Today page.
    pub due_today: Option<String>,
}

/// What the page's address fixes for its whole life: where rows link to,
/// which forms it has, and where a new todo goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fixed {
    pub(super) address: Address,
    /// A new todo's list (a list page), or the Inbox (a view).
    pub(super) list_id: Option<String>,
    /// A new todo's due date on the Today page: today.
    pub(super) due_today: Option<String>,
    /// Whether the page shows one list in manual order: then rows move.
    pub(super) manual: bool,
    /// Whether the page shows one list, so bulk changes apply to it.
    pub(super) one_list: bool,
    /// Rows show the list they are in (a view or a search spans lists).
    pub(super) shows_lists: bool,
    pub(super) can_add: bool,
}

impl Fixed {
    pub(super) fn of(address: &Address, first: &Shown) -> Self {
        let listing = first.as_ref().ok();
        let list = listing.and_then(|listing| match &listing.showing {
            Showing::List(list) => Some(list.clone()),
            _ => None,
        });
        let sort = listing.map(|listing| listing.sort);
        let today = listing.is_some_and(|listing| listing.showing == Showing::Today);
        Self {
            address: address.clone(),
            list_id: list.as_ref().map(|list| list.id.clone()),
            due_today: today
                .then(|| listing.map(|listing| listing.today_date.clone()))
                .flatten(),
            manual: list.is_some() && sort == Some(Sort::Manual),
            one_list: list.is_some(),
            shows_lists: list.is_none(),
            can_add: listing.is_some_and(|listing| !matches!(listing.showing, Showing::Search(_))),
        }
    }

    /// The new-todo form's settings, where the page has the form.
    pub(super) fn new_todo(&self) -> Option<NewTodo> {
        self.can_add.then(|| NewTodo {
            list_id: self.list_id.clone(),
            due_today: self.due_today.clone(),
        })
    }

    pub(super) fn edit_href(&self, id: &str) -> String {
        with_key(&self.address.here(), EDIT_QUERY_KEY, id)
    }

    pub(super) fn open_href(&self, id: &str) -> String {
        with_key(&self.address.here(), OPEN_QUERY_KEY, id)
    }

    pub(crate) fn here(&self) -> String {
        self.address.here()
    }
}

pub(super) fn with_key(href: &str, key: &str, value: &str) -> String {
    let separator = if href.contains('?') { '&' } else { '?' };
    format!("{href}{separator}{key}={}", encode_query_value(value))
}
