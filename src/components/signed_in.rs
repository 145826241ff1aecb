//! The frame of every protected page: the header with who is signed in and
//! a sign-out button, around content that receives the current user.

use crate::components::brand::Brand;
use leptos::{either::Either, prelude::*};
use leptos_router::{components::Redirect, hooks::use_location};

use crate::{
    auth::{
        CurrentUser, Role,
        server_fns::{SignOut, me},
    },
    navigation::encode_query_value,
};

#[component]
pub fn AppHeader(user: CurrentUser) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <Brand href="/dashboard" />
            <nav class="topbar__nav" aria-label="Main">
                <a href="/dashboard">"Dashboard"</a>
                <a href="/todos">"Todos"</a>
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
