//! `/admin/users/{id}`: one account — its facts, live sessions and recent
//! security events — and what an administrator may do to it: change its
//! role, end its sessions, disable or enable it, make a reset link,
//! remove its two-step sign-in, and delete it. Plain forms: it works without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{AdminNav, AdminSection, console_page, link_from_query};
use crate::{
    actions::admin::{
        AdminDelete, AdminDisable, AdminEnable, AdminEndSessions, AdminRemoveSecondFactor,
        AdminResetLink, AdminSetRole, RESET_TOKEN_QUERY_KEY, admin_user,
    },
    admin::{UserDetail, UserOverview},
    auth::Role,
    components::security_events::EventTable,
    pages::auth_form::FormError,
};

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|params| params.get("id").unwrap_or_default());
    let detail = Resource::new(move || id.clone(), admin_user);
    view! {
        <Title text="Account · Administration" />
        {console_page(detail, |detail| view! { <UserPage detail /> }.into_any())}
    }
}

#[component]
fn UserPage(detail: UserDetail) -> impl IntoView {
    let UserDetail {
        user,
        sessions,
        events,
    } = detail;
    let remove_second_factor = ServerAction::<AdminRemoveSecondFactor>::new();
    let (role, disable, enable, end, delete, reset) = (
        ServerAction::<AdminSetRole>::new(),
        ServerAction::<AdminDisable>::new(),
        ServerAction::<AdminEnable>::new(),
        ServerAction::<AdminEndSessions>::new(),
        ServerAction::<AdminDelete>::new(),
        ServerAction::<AdminResetLink>::new(),
    );
    let reset_link = link_from_query(RESET_TOKEN_QUERY_KEY, "/reset-password", "token");
    let UserOverview {
        id,
        email,
        email_verified_at,
        role: current_role,
        created_at,
        last_sign_in_at,
        active_sessions,
        todos,
        disabled,
        second_factor,
    } = user;
    let (next_role, role_label) = match current_role {
        Role::Admin => ("user", "Revoke the admin role"),
        Role::User => ("admin", "Make an administrator"),
    };
    let status = match &disabled {
        None => "Active".to_owned(),
        Some(disabled) => match &disabled.until {
            Some(until) => format!("Disabled until {until}: {}", disabled.reason),
            None => format!("Disabled: {}", disabled.reason),
        },
    };
    let hidden = {
        let id = id.clone();
        move || view! { <input type="hidden" name="user" value=id.clone() /> }
    };
    view! {
        <h1>"Administration"</h1>
        <AdminNav current=AdminSection::Users />
        <p><a href="/admin">"← All users"</a></p>
        <FormError action=role />
        <FormError action=disable />
        <FormError action=enable />
        <FormError action=end />
        <FormError action=delete />
        <FormError action=reset />
        <FormError action=remove_second_factor />
        {reset_link.map(|link| view! {
            <section class="notice notice--success stack" role="status">
                <p>"The reset link, shown this once. It works once, for 30 minutes: hand it to its owner."</p>
                <p><code class="invitation-link">{link}</code></p>
            </section>
        })}
        <section class="card stack" aria-labelledby="account">
            <h2 id="account">{email.clone()}</h2>
            <dl class="facts">
                <dt>"Email address"</dt>
                <dd>{email_verified_at.map_or_else(|| "not confirmed".to_owned(), |at| format!("confirmed {at}"))}</dd>
                <dt>"Role"</dt><dd>{current_role.as_str()}</dd>
                <dt>"Status"</dt><dd>{status}</dd>
                <dt>"Created"</dt><dd>{created_at}</dd>
                <dt>"Last sign-in"</dt><dd>{last_sign_in_at.unwrap_or_else(|| "never".into())}</dd>
                <dt>"Live sessions"</dt><dd>{active_sessions}</dd>
                <dt>"Todos"</dt><dd>{todos}</dd>
                <dt>"Two-step sign-in"</dt><dd>{if second_factor { "on" } else { "off" }}</dd>
            </dl>
        </section>
        <section class="card stack" aria-labelledby="actions">
            <h2 id="actions">"Actions"</h2>
            <div class="admin-actions">
                <form method="post" action=AdminSetRole::url()>
                    {hidden()}
                    <input type="hidden" name="role" value=next_role />
                    <button class="button button--ghost button--small" type="submit">{role_label}</button>
                </form>
                <form method="post" action=AdminEndSessions::url()>
                    {hidden()}
                    <button class="button button--ghost button--small" type="submit">"End every session"</button>
                </form>
                <form method="post" action=AdminResetLink::url()>
                    {hidden()}
                    <button class="button button--ghost button--small" type="submit">"Make a reset link"</button>
                </form>
                {second_factor.then(|| view! {
                    <form method="post" action=AdminRemoveSecondFactor::url()>
                        {hidden()}
                        <button class="button button--ghost button--small" type="submit">"Remove two-step sign-in"</button>
                    </form>
                })}
                {disabled.is_some().then(|| view! {
                    <form method="post" action=AdminEnable::url()>
                        {hidden()}
                        <button class="button button--ghost button--small" type="submit">"Enable"</button>
                    </form>
                })}
            </div>
            {disabled.is_none().then(|| view! {
                <form method="post" action=AdminDisable::url() class="form">
                    {hidden()}
                    <h3>"Disable"</h3>
                    <label class="field">
                        <span class="field__label">"Reason, shown to its owner"</span>
                        <input class="input" name="reason" required maxlength="500" />
                    </label>
                    <label class="field">
                        <span class="field__label">"Until (optional)"</span>
                        <input class="input" type="date" name="until" />
                    </label>
                    <button class="button button--ghost button--small" type="submit">"Disable"</button>
                </form>
            })}
            <form method="post" action=AdminDelete::url() class="form">
                {hidden()}
                <h3>"Delete"</h3>
                <label class="field field--check">
                    <input type="checkbox" required />
                    <span>{format!("Delete {email} and all its todos, for good")}</span>
                </label>
                <button class="button button--danger button--small" type="submit">"Delete"</button>
            </form>
        </section>
        <section class="card stack" aria-labelledby="sessions">
            <h2 id="sessions">"Live sessions"</h2>
            {if sessions.is_empty() {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Device"</th>
                                    <th scope="col">"Address"</th>
                                    <th scope="col">"Started"</th>
                                    <th scope="col">"Last used"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {sessions
                                    .into_iter()
                                    .map(|session| view! {
                                        <tr>
                                            <th scope="row">{session.device}</th>
                                            <td>{session.client_address}</td>
                                            <td>{session.started_at}</td>
                                            <td>{session.last_used_at}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        <section class="card stack" aria-labelledby="events">
            <h2 id="events">"Recent events"</h2>
            <EventTable events show_email=false />
        </section>
    }
}
