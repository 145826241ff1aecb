//! The page's heading and its order links.

use leptos::prelude::*;

use super::{Shown, address::Address, title_of};
use crate::todos::Sort;
use crate::views::Showing;

/// The page's heading: what it shows, and a line about it. (A function of
/// the listing it reads, not a component, which would take a copy.)
pub(super) fn heading_view(shown: &Shown, address: Address) -> impl IntoView + use<> {
    let title = title_of(shown);
    let (line, sort) = match shown {
        Ok(listing) => {
            let open = listing.totals.active;
            let line = match &listing.showing {
                Showing::Today => Some(format!(
                    "{} · your time zone is {}",
                    listing.today, listing.time_zone
                )),
                Showing::Upcoming => Some(format!("The next 7 days, from {}", listing.today)),
                Showing::Search(_) => Some(match listing.totals.total {
                    1 => "1 todo found, in all your lists".to_owned(),
                    n => format!("{n} todos found, in all your lists"),
                }),
                Showing::List(_) | Showing::All => Some(match open {
                    1 => "1 open".to_owned(),
                    n => format!("{n} open"),
                }),
            };
            let sort = matches!(listing.showing, Showing::List(_)).then_some(listing.sort);
            (line, sort)
        }
        Err(_) => (None, None),
    };
    let time_zone_link = matches!(shown, Ok(listing) if listing.showing == Showing::Today);
    view! {
        <div class="todos__head">
            <div>
                <h1 id="todos-heading" tabindex="-1">{title}</h1>
                {line.map(|line| view! {
                    <p class="muted todos__line">
                        {line}
                        {time_zone_link.then(|| view! { " " <a href="/account#time-zone">"(change)"</a> })}
                    </p>
                })}
            </div>
            {sort.map(|sort| view! { <SortLinks current=sort address=address.clone() /> })}
        </div>
    }
}

#[component]
pub(super) fn SortLinks(current: Sort, address: Address) -> impl IntoView {
    let link = move |sort: Sort, label: &'static str| {
        let current = (sort == current).then_some("page");
        view! { <a class="filters__link" href=address.with_sort(sort) aria-current=current>{label}</a> }
    };
    view! {
        <nav class="filters todos__sort" aria-label="Order">
            {link(Sort::Manual, "My order")}
            {link(Sort::Priority, "Priority")}
            {link(Sort::Newest, "Newest")}
        </nav>
    }
}
