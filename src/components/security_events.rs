//! Security events as a table, and times as people read them: the sessions
//! page shows a user their own events, the console everyone's.

use leptos::prelude::*;

use crate::auth::security_log::LoggedEvent;

/// Security events as a table: the account page shows a user their own,
/// the console shows everyone's.
#[component]
pub fn EventTable(events: Vec<LoggedEvent>, show_email: bool) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="muted">"Nothing recorded yet."</p> }.into_any();
    }
    // A wide log scrolls inside its own box instead of out of its card.
    view! {
        <div class="table-scroll" tabindex="0">
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"What"</th>
                    {show_email.then(|| view! { <th scope="col">"Account"</th> })}
                    <th scope="col">"By"</th>
                    <th scope="col">"From"</th>
                    <th scope="col">"Details"</th>
                </tr>
            </thead>
            <tbody>
                {events
                    .into_iter()
                    .map(|event| {
                        view! {
                            <tr>
                                <td><time datetime=event.occurred_at.clone()>{short(&event.occurred_at)}</time></td>
                                <td>{event.kind.describe()}</td>
                                {show_email.then(|| view! { <td>{event.email.clone().unwrap_or_default()}</td> })}
                                <td>{event.actor_email.unwrap_or_default()}</td>
                                <td>{format!("{}, {}", event.device, event.client_address)}</td>
                                <td>{event.detail}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

/// `2026-12-02T11:05:03.123+00:00` as `2026-12-02 11:05 UTC`.
pub fn short(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}
