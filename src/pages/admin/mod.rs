//! `/admin`: the administration console. Users (searchable, paged by
//! email) with their role, status and counts, each linking to its own page
//! (`/admin/users/{id}`, where an administrator acts on it); then the
//! security log, filtered by account and kind.
//! Server-rendered plain forms: it works without JavaScript. Anyone but an
//! administrator gets a "not allowed" page with a 403.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    actions::admin::{admin_security_log, admin_users},
    admin::{EventPage, UserOverview, UserPage},
    auth::security_log::EventKind,
    components::{security_events::EventTable, signed_in::signed_in_page},
    error::AppError,
    navigation::encode_query_value,
};

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let read = move |key: &str| query.with_untracked(|query| query.get(key));
    let (search, cursor) = (read("q"), read("cursor"));
    let (log_email, log_kind, log_cursor) = (read("email"), read("kind"), read("log_cursor"));
    let users = Resource::new(
        move || (search.clone(), cursor.clone()),
        |(search, cursor)| admin_users(search, cursor),
    );
    let log = Resource::new(
        move || (log_email.clone(), log_kind.clone(), log_cursor.clone()),
        |(email, kind, cursor)| admin_security_log(email, kind, cursor),
    );
    view! {
        <Title text="Administration" />
        {signed_in_page(move |_| {
            view! {
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match (users.await, log.await) {
                            (Ok(users), Ok(log)) => view! { <Console users log /> }.into_any(),
                            (Err(AppError::Forbidden), _) | (_, Err(AppError::Forbidden)) => {
                                view! { <NotAllowed /> }.into_any()
                            }
                            (Err(error), _) | (_, Err(error)) => view! {
                                <h1>"Administration"</h1>
                                <p class="form-error" role="alert">{error.to_string()}</p>
                                <a class="button button--ghost" href="/admin">"Start again"</a>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            }
        })}
    }
}

mod invitations;
mod mail;
mod signup;
mod user;

pub use invitations::AdminInvitationsPage;
pub use mail::AdminMailPage;
pub use signup::AdminSignupPage;
pub use user::AdminUserPage;

/// The console's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminSection {
    Users,
    Signup,
    Invitations,
    Mail,
}

/// The console's small navigation between its pages.
#[component]
pub(super) fn AdminNav(current: AdminSection) -> impl IntoView {
    let link = move |section: AdminSection, href: &'static str, label: &'static str| {
        let current = (section == current).then_some("page");
        view! { <a href=href aria-current=current>{label}</a> }
    };
    view! {
        <nav class="admin-nav" aria-label="Administration">
            {link(AdminSection::Users, "/admin", "Users and security log")}
            {link(AdminSection::Signup, "/admin/signup", "Sign-up")}
            {link(AdminSection::Invitations, "/admin/invitations", "Invitations")}
            {link(AdminSection::Mail, "/admin/mail", "Mail")}
        </nav>
    }
}

/// A console page once its data has loaded: `render` it, or "Not
/// allowed" for anyone but an administrator (the server function set the
/// 403), or any other refusal in words.
pub(super) fn console_page<T>(
    data: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    signed_in_page(move |_| {
        let render = render.clone();
        view! {
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let render = render.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(value) => render(value),
                            Err(AppError::Forbidden) => view! { <NotAllowed /> }.into_any(),
                            Err(error) => view! {
                                <h1>"Administration"</h1>
                                <p class="form-error" role="alert">{error.to_string()}</p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        }
    })
}

/// The link `path?token_key=<token>` for the token a form post put in this
/// page's address under `key`. Only a token is read from the address and
/// the link is built on this site: a crafted address cannot show an
/// administrator someone else's link.
pub(super) fn link_from_query(key: &str, path: &str, token_key: &str) -> Option<String> {
    use_query_map()
        .with_untracked(|query| query.get(key))
        .filter(|token| {
            !token.is_empty()
                && token.len() <= 64
                && token
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        })
        .map(|token| format!("{}{path}?{token_key}={token}", public_origin()))
}

/// The instance's public origin, which links handed out start with (known
/// on the server, where these pages render).
pub(super) fn public_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::config::PublicOrigin>()
            .map(|origin| origin.0.trim_end_matches('/').to_owned())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

#[component]
pub(super) fn NotAllowed() -> impl IntoView {
    view! {
        <h1>"Not allowed"</h1>
        <p>"This page is for the administrators of this Taskward service."</p>
        <a class="button" href="/dashboard">"Back to your dashboard"</a>
    }
}

#[component]
fn Console(users: UserPage, log: EventPage) -> impl IntoView {
    let query = use_query_map();
    let search = query.with_untracked(|query| query.get("q").unwrap_or_default());
    let deleted = query.with_untracked(|query| query.get("deleted").is_some());
    let next_users = users.next_cursor.map(|cursor| {
        format!(
            "/admin?q={}&cursor={}",
            encode_query_value(&search),
            encode_query_value(&cursor)
        )
    });
    view! {
        <h1>"Administration"</h1>
        <AdminNav current=AdminSection::Users />
        {deleted.then(|| view! {
            <p class="notice notice--success" role="status">"The account and everything in it are deleted."</p>
        })}
        <section class="card stack" aria-labelledby="users">
            <h2 id="users">"Users"</h2>
            <form method="get" action="/admin" class="form form--inline" role="search">
                <label class="field">
                    <span class="field__label">"Search by email"</span>
                    <input class="input" type="search" name="q" value=search />
                </label>
                <button class="button button--small" type="submit">"Search"</button>
            </form>
            <div class="table-scroll" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last sign-in"</th>
                        <th scope="col">"Sessions"</th>
                        <th scope="col">"Todos"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {users.users.into_iter().map(|user| view! { <UserRow user /> }).collect_view()}
                </tbody>
            </table>
            </div>
            {next_users.map(|href| view! { <a class="button button--ghost" href=href>"More users"</a> })}
        </section>
        <SecurityLog log />
    }
}

#[component]
fn UserRow(user: UserOverview) -> impl IntoView {
    let UserOverview {
        id,
        email,
        role,
        created_at,
        last_sign_in_at,
        active_sessions,
        todos,
        disabled,
        ..
    } = user;
    let status = match &disabled {
        None => "Active".to_owned(),
        Some(disabled) => match &disabled.until {
            Some(until) => format!("Disabled until {until}: {}", disabled.reason),
            None => format!("Disabled: {}", disabled.reason),
        },
    };
    let href = format!("/admin/users/{id}");
    view! {
        <tr>
            <th scope="row"><a href=href>{email}</a></th>
            <td>{role.as_str()}</td>
            <td>{created_at}</td>
            <td>{last_sign_in_at.unwrap_or_else(|| "never".into())}</td>
            <td>{active_sessions}</td>
            <td>{todos}</td>
            <td>{status}</td>
        </tr>
    }
}

#[component]
fn SecurityLog(log: EventPage) -> impl IntoView {
    let query = use_query_map();
    let (email, kind) = query.with_untracked(|query| {
        (
            query.get("email").unwrap_or_default(),
            query.get("kind").unwrap_or_default(),
        )
    });
    let next = log.next_cursor.map(|cursor| {
        format!(
            "/admin?email={}&kind={}&log_cursor={}",
            encode_query_value(&email),
            encode_query_value(&kind),
            encode_query_value(&cursor)
        )
    });
    view! {
        <section class="card stack" aria-labelledby="security-log">
            <h2 id="security-log">"Security log"</h2>
            <form method="get" action="/admin" class="form form--inline">
                <label class="field">
                    <span class="field__label">"Account email"</span>
                    <input class="input" type="email" name="email" value=email />
                </label>
                <label class="field">
                    <span class="field__label">"Event"</span>
                    <select class="input" name="kind">
                        <option value="">"Any"</option>
                        {EventKind::ALL
                            .into_iter()
                            .map(|each| {
                                let selected = each.as_str() == kind;
                                view! { <option value=each.as_str() selected=selected>{each.describe()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button class="button button--small" type="submit">"Filter"</button>
            </form>
            <EventTable events=log.events show_email=true />
            {next.map(|href| view! { <a class="button button--ghost" href=href>"Older events"</a> })}
        </section>
    }
}
