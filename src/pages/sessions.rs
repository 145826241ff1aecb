//! `/account/sessions`: where the user is signed in, with a way to end any
//! one session, and their own recent security events. Plain forms: it works
//! without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use crate::{
    actions::auth::{EndSession, SessionSummary, SessionsOverview, my_sessions},
    components::{
        security_events::{EventTable, short},
        signed_in::signed_in_page,
    },
    pages::security::TokenTable,
};

#[component]
pub fn SessionsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| my_sessions());
    view! {
        <Title text="Sessions and activity" />
        {signed_in_page(move |_| {
            view! {
                <h1>"Sessions and activity"</h1>
                <p><a href="/account">"Back to your account"</a></p>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(SessionsOverview { sessions, tokens, events }) => view! {
                                <Sessions sessions />
                                <section class="card stack" aria-labelledby="tokens">
                                    <h2 id="tokens">"API tokens"</h2>
                                    <p class="muted">
                                        "Scripts signed in as you. "
                                        <a href="/account/security">"Make or delete tokens"</a>
                                    </p>
                                    {if tokens.is_empty() {
                                        view! { <p class="muted">"You have no API tokens."</p> }.into_any()
                                    } else {
                                        view! { <TokenTable tokens /> }.into_any()
                                    }}
                                </section>
                                <section class="card stack" aria-labelledby="activity">
                                    <h2 id="activity">"Recent activity"</h2>
                                    <EventTable events show_email=false />
                                </section>
                            }
                            .into_any(),
                            Err(error) => view! {
                                <p class="form-error" role="alert">{error.to_string()}</p>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            }
        })}
    }
}

#[component]
fn Sessions(sessions: Vec<SessionSummary>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="sessions">
            <h2 id="sessions">"Where you are signed in"</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Device"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col"><span class="visually-hidden">"Action"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {sessions
                        .into_iter()
                        .map(|session| {
                            let label = if session.current {
                                "Sign out here".to_owned()
                            } else {
                                format!("End the session on {}", session.device)
                            };
                            view! {
                                <tr>
                                    <td>
                                        {session.device.clone()}
                                        {session.current.then(|| view! { <strong>" (this device)"</strong> })}
                                    </td>
                                    <td>{session.client_address}</td>
                                    <td><time datetime=session.started_at.clone()>{short(&session.started_at)}</time></td>
                                    <td><time datetime=session.last_used_at.clone()>{short(&session.last_used_at)}</time></td>
                                    <td>
                                        <form method="post" action=EndSession::url()>
                                            <input type="hidden" name="id" value=session.id />
                                            <button class="button button--ghost button--small" type="submit" aria-label=label>
                                                {if session.current { "Sign out" } else { "End" }}
                                            </button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
