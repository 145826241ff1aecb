//! Passkeys on the pages: the security page's list (delete is a plain
//! form) and its "Add a passkey" island, and the "Use a passkey" island of
//! the sign-in page and of the sign-in's second step.
//! WebAuthn needs JavaScript, so each island shows its button only once
//! hydrated; without JavaScript the password and codes work as before.

use leptos::{prelude::*, server_fn::ServerFn};

use super::auth_form::FormError;
use crate::{
    actions::passkeys::{
        DeletePasskey, PasskeyView, add_passkey, finish_step_with_passkey,
        passkey_registration_options, passkey_sign_in_options, passkey_step_options,
        sign_in_with_passkey,
    },
    auth::second_factor::{MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS_PER_ACCOUNT},
    components::security_events::short,
    error::AppError,
    webauthn,
};

/// Whether this instance offers passkeys: its address (`PUBLIC_ORIGIN`)
/// is a domain name. Known where the pages render, on the server.
pub fn passkeys_here() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::config::PublicOrigin>()
            .is_some_and(|origin| crate::auth::second_factor::passkeys_possible(&origin.0))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// True once the island runs in the browser (never on the server), so a
/// button that needs JavaScript appears only where it works.
fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// Goes to `path` with a full page load (the session cookie is new).
fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = path;
    }
}

fn reload() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().reload();
    }
}

/// The security page's passkeys.
#[component]
pub fn Passkeys(passkeys: Vec<PasskeyView>, available: bool) -> impl IntoView {
    let delete = ServerAction::<DeletePasskey>::new();
    let count = passkeys.len();
    let list = if passkeys.is_empty() {
        view! { <p class="muted">"You have no passkeys."</p> }.into_any()
    } else {
        view! {
            <ul class="passkeys stack">
                {passkeys
                    .into_iter()
                    .map(|passkey| {
                        let label = format!("Password, to delete the passkey {}", passkey.name);
                        let delete_label = format!("Delete the passkey {}", passkey.name);
                        let used = match passkey.last_used_at {
                            Some(at) => view! { "last used " <time datetime=at.clone()>{short(&at)}</time> }.into_any(),
                            None => view! { "never used" }.into_any(),
                        };
                        view! {
                            <li class="passkey">
                                <p>
                                    <strong class="passkey__name">{passkey.name.clone()}</strong>
                                    <span class="muted">
                                        " · added "
                                        <time datetime=passkey.created_at.clone()>{short(&passkey.created_at)}</time>
                                        " · " {used}
                                    </span>
                                </p>
                                <form method="post" action=DeletePasskey::url() class="form form--inline">
                                    <input type="hidden" name="id" value=passkey.id />
                                    <label class="field">
                                        <span class="visually-hidden">{label}</span>
                                        <input class="input" type="password" name="password" autocomplete="current-password" placeholder="Your password" required />
                                    </label>
                                    <button class="button button--ghost button--small" type="submit" aria-label=delete_label>"Delete"</button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <FormError action=delete />
        }
        .into_any()
    };
    let add = if !available {
        view! {
            <p class="muted">
                "Passkeys need this Taskward reached by a domain name: browsers refuse them on \
                 an IP address. Ask its administrator to set PUBLIC_ORIGIN to one."
            </p>
        }
        .into_any()
    } else if count >= MAX_PASSKEYS_PER_ACCOUNT {
        view! {
            <p class="muted">{format!("You have {MAX_PASSKEYS_PER_ACCOUNT} passkeys, the most an account can have.")}</p>
        }
        .into_any()
    } else {
        view! { <AddPasskey /> }.into_any()
    };
    view! {
        <section class="card stack" aria-labelledby="passkeys">
            <h2 id="passkeys">"Passkeys"</h2>
            <p class="muted">
                "A passkey signs you in with your device's screen lock (a fingerprint, your face or \
                 a PIN) instead of your password, and cannot be phished. After your password, it \
                 also counts as the second step."
            </p>
            {list}
            {add}
        </section>
    }
}

/// Names the passkey, asks for the password, then lets the browser make
/// it; the page reloads to list it.
#[island]
fn AddPasskey() -> impl IntoView {
    let hydrated = hydrated();
    let (name, set_name) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let (failure, set_failure) = signal(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        set_busy.set(true);
        set_failure.set(None);
        leptos::task::spawn_local(async move {
            let outcome = add_one(name.get_untracked(), password.get_untracked()).await;
            set_busy.set(false);
            match outcome {
                Ok(()) => reload(),
                Err(message) => {
                    set_password.set(String::new());
                    set_failure.set(Some(message));
                }
            }
        });
    };
    view! {
        <noscript>
            <p class="muted">"Adding a passkey needs JavaScript, which is off in this browser."</p>
        </noscript>
        <Show when=move || hydrated.get()>
            <form class="form" on:submit=add>
                <h3>"Add a passkey"</h3>
                <label class="field">
                    <span class="field__label">"Name of the passkey"</span>
                    <input
                        class="input"
                        type="text"
                        name="name"
                        required
                        maxlength=MAX_PASSKEY_NAME_CHARS
                        placeholder="Laptop"
                        prop:value=name
                        on:input=move |event| set_name.set(event_target_value(&event))
                    />
                    <span class="field__hint">"Such as the device it is on."</span>
                </label>
                <label class="field">
                    <span class="field__label">"Password, to add a passkey"</span>
                    <input
                        class="input"
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        prop:value=password
                        on:input=move |event| set_password.set(event_target_value(&event))
                    />
                </label>
                <p class="form-error" role="alert" aria-live="assertive">{move || failure.get()}</p>
                <button class="button button--small" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Waiting for your device…" } else { "Add a passkey" }}
                </button>
            </form>
        </Show>
    }
}

async fn add_one(name: String, password: String) -> Result<(), String> {
    let started = passkey_registration_options(password)
        .await
        .map_err(|error| error.to_string())?;
    let credential = webauthn::create_passkey(&started.options).await?;
    add_passkey(started.ceremony, name, credential)
        .await
        .map_err(|error| error.to_string())
}

/// "Use a passkey": on the sign-in page (`step` false: no email, no
/// password) or on the sign-in's second step (`step` true), where it may be
/// the `only_way` to finish.
#[island]
pub fn UsePasskey(next: String, step: bool, only_way: bool) -> impl IntoView {
    let hydrated = hydrated();
    let (busy, set_busy) = signal(false);
    let (failure, set_failure) = signal(None::<String>);
    let start = move |_| {
        let next = next.clone();
        set_busy.set(true);
        set_failure.set(None);
        leptos::task::spawn_local(async move {
            let outcome = if step {
                finish_step(next).await
            } else {
                sign_in(next).await
            };
            set_busy.set(false);
            match outcome {
                Ok(path) => go_to(&path),
                Err(message) => set_failure.set(Some(message)),
            }
        });
    };
    let class = if only_way {
        "button button--block"
    } else {
        "button button--ghost button--block"
    };
    view! {
        {only_way.then(|| view! {
            <noscript>
                <p class="notice">"Your passkey needs JavaScript, which is off in this browser."</p>
            </noscript>
        })}
        <Show when=move || hydrated.get()>
            <div class="stack">
                {(!step).then(|| view! { <p class="auth__or">"or"</p> })}
                <button class=class type="button" on:click=start.clone() disabled=move || busy.get()>
                    {move || if busy.get() { "Waiting for your device…" } else { "Use a passkey" }}
                </button>
                <p class="form-error" role="alert" aria-live="assertive">{move || failure.get()}</p>
            </div>
        </Show>
        {only_way.then(|| view! { <p class="auth__switch"><a href="/signin">"Start again"</a></p> })}
    }
}

/// A sign-in with a passkey alone: where to go next.
async fn sign_in(next: String) -> Result<String, String> {
    let started = passkey_sign_in_options()
        .await
        .map_err(|error| error.to_string())?;
    let credential = webauthn::use_passkey(&started.options).await?;
    sign_in_with_passkey(started.ceremony, credential, Some(next))
        .await
        .map_err(|error| error.to_string())
}

/// The sign-in's second step with a passkey: where to go next.
async fn finish_step(next: String) -> Result<String, String> {
    let options = passkey_step_options()
        .await
        .map_err(|error: AppError| error.to_string())?;
    let credential = webauthn::use_passkey(&options).await?;
    finish_step_with_passkey(credential, Some(next))
        .await
        .map_err(|error| error.to_string())
}
