use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::signed_in::signed_in_page;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard" />
        {signed_in_page(|user| {
            view! {
                <h1 class="greeting">"Hello, " {user.email}</h1>
                <p class="muted">"You're signed in. Your account settings are on the "
                    <a href="/account">"account page"</a> "."
                </p>
            }
        })}
    }
}
