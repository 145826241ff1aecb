//! The frame of every protected page: the header with who is signed in and
//! a sign-out button, around content that receives the current user.

use crate::components::brand::Brand;
use leptos::{either::Either, prelude::*};
use leptos_router::{
    components::Redirect,
    hooks::{use_location, use_query_map},
};

use crate::{
    actions::auth::{SignOut, me},
    auth::{CurrentUser, Role},
    navigation::encode_query_value,
    todos::MAX_SEARCH_CHARS,
};

#[component]
pub fn AppHeader(user: CurrentUser) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    // The search of the page being shown, to keep it in the field.
    let searched = use_query_map().with_untracked(|query| query.get("q").unwrap_or_default());
    view! {
        <header class="topbar">
            <Brand href="/dashboard" />
            <form class="topbar__search" role="search" method="get" action="/todos">
                <label class="visually-hidden" for="search">"Search your todos"</label>
                <input
                    id="search"
                    class="input input--small"
                    type="search"
                    name="q"
                    value=searched
                    placeholder="Search todos"
                    maxlength=MAX_SEARCH_CHARS
                    required
                />
                <button class="button button--ghost button--small" type="submit">"Search"</button>
            </form>
            <nav class="topbar__nav" aria-label="Main">
                <a href="/dashboard">"Dashboard"</a>
                <a href="/todos">"Todos"</a>
                <a href="/todos?view=today">"Today"</a>
                <a href="/account">"Account"</a>
                {(user.role == Role::Admin).then(|| view! { <a href="/admin">"Admin"</a> })}
                <span class="topbar__user" title="Signed in">{user.email}</span>
                <ActionForm action=sign_out>
                    <button class="button button--ghost button--small" type="submit">
                        "Sign out"
                    </button>
                </ActionForm>
            </nav>
        </header>
    }
}

/// Renders `content` for the signed-in user. Full page loads are guarded on
/// the server (a redirect before any HTML); this covers in-app navigation.
pub fn signed_in_page<V: IntoView + 'static>(
    content: impl Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let user = Resource::new(|| (), |_| me());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="page muted">"Loading…"</p> }>
            {move || {
                let content = content.clone();
                let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                Suspend::new(async move {
                    match user.await {
                        Ok(user) => Either::Left(view! {
                            <AppHeader user=user.clone() />
                            <main class="page">{content(user)}</main>
                        }),
                        Err(_) => Either::Right(view! {
                            <Redirect path=format!("/signin?next={}", encode_query_value(&here)) />
                        }),
                    }
                })
            }}
        </Suspense>
    }
}
