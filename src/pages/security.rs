//! `/account/security`: two-step sign-in (an authenticator app and its
//! recovery codes), passkeys, and the account's personal API tokens, for
//! scripts. Plain forms that return here: it works without JavaScript
//! (but for adding a passkey, which WebAuthn does in script). An account
//! the instance requires a second factor of is sent here until it has
//! one, and sees only the two-step part meanwhile.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{auth_form::FormError, passkeys::Passkeys};
use crate::{
    actions::{
        auth::{CreateApiToken, DeleteApiToken, TokenSummary},
        second_factor::{
            ConfirmTotp, DisableTotp, NewRecoveryCodes, SecurityOverview, StartTotp, my_security,
        },
    },
    auth::second_factor::{
        SecondFactorOverview, TotpState,
        code::{MAX_CODE_INPUT_CHARS, in_fours},
    },
    components::{security_events::short, signed_in::signed_in_page},
    navigation::encode_query_value,
};

#[component]
pub fn SecurityPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| my_security());
    let recovery_codes_left = use_query_map()
        .with_untracked(|query| query.get("recovery_codes_left"))
        .and_then(|left| left.parse::<u32>().ok());
    view! {
        <Title text="Security" />
        {signed_in_page(move |_| {
            view! {
                <h1>"Security"</h1>
                <p><a href="/account">"Back to your account"</a></p>
                {recovery_codes_left.map(|left| view! {
                    <p class="notice" role="status">
                        {format!(
                            "You signed in with a recovery code, which now no longer works. {} \
                             left. If your authenticator app is gone, turn two-step sign-in off \
                             and set it up again on your new phone.",
                            codes_left(left)
                        )}
                    </p>
                })}
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(SecurityOverview {
                                second_factor,
                                passkeys,
                                passkeys_available,
                                tokens,
                                new_token,
                            }) => {
                                let required = second_factor.required;
                                view! {
                                    <TwoStepSignIn overview=second_factor />
                                    <Passkeys passkeys available=passkeys_available />
                                    {(!required).then(|| view! { <ApiTokens tokens new_token /> })}
                                }
                                .into_any()
                            }
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

fn codes_left(left: u32) -> String {
    match left {
        0 => "You have no recovery codes left: make new ones below".into(),
        1 => "You have 1 recovery code".into(),
        n => format!("You have {n} recovery codes"),
    }
}

/// The authenticator app: off (set it up), being set up (scan, then
/// confirm with a code), or on (recovery codes, turning it off).
#[component]
fn TwoStepSignIn(overview: SecondFactorOverview) -> impl IntoView {
    let start = ServerAction::<StartTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let renew = ServerAction::<NewRecoveryCodes>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let SecondFactorOverview {
        totp,
        required,
        new_recovery_codes,
    } = overview;
    let state = match totp {
        TotpState::Off => view! {
            <p>
                "With two-step sign-in, signing in takes your password and a code from an \
                 authenticator app on your phone (such as Aegis, 2FAS, Google Authenticator or \
                 1Password), so a stolen password alone does not let anyone in."
            </p>
            <form method="post" action=StartTotp::url() class="form">
                <PasswordInput label="Your password" />
                <FormError action=start />
                <button class="button button--small" type="submit">"Set up an authenticator app"</button>
            </form>
        }
        .into_any(),
        TotpState::SettingUp { secret, otpauth_uri, qr_svg } => view! {
            <ol class="stack">
                <li>
                    <p>"Scan this code with your authenticator app:"</p>
                    <figure class="qr-code" inner_html=qr_svg></figure>
                    <p>
                        "Or add this key by hand (time-based, 6 digits, every 30 seconds): "
                        <code class="totp-key">{in_fours(&secret, " ")}</code>
                        " · "
                        <a href=otpauth_uri>"Open in an app on this device"</a>
                    </p>
                </li>
                <li>
                    <p>"Enter the code the app shows for Taskward, to turn two-step sign-in on:"</p>
                    <form method="post" action=ConfirmTotp::url() class="form">
                        <CodeInput />
                        <FormError action=confirm />
                        <button class="button button--small" type="submit">"Turn on two-step sign-in"</button>
                    </form>
                </li>
            </ol>
        }
        .into_any(),
        TotpState::On { recovery_codes_left } => view! {
            <p class="notice notice--success" role="status">
                "Two-step sign-in is on: signing in asks for a code from your authenticator app."
            </p>
            {new_recovery_codes.map(|codes| view! { <NewCodes codes /> })}
            <h3>"Recovery codes"</h3>
            <p>
                {format!("{}. ", codes_left(recovery_codes_left))}
                "Each one signs you in once when your phone is not at hand. Making new ones ends \
                 the old ones."
            </p>
            <form method="post" action=NewRecoveryCodes::url() class="form">
                <PasswordInput label="Your password" />
                <FormError action=renew />
                <button class="button button--small" type="submit">"Make new recovery codes"</button>
            </form>
            <h3>"Turn two-step sign-in off"</h3>
            <form method="post" action=DisableTotp::url() class="form">
                <PasswordInput label="Your password" />
                <CodeInput />
                <FormError action=disable />
                <button class="button button--ghost button--small" type="submit">"Turn off two-step sign-in"</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <section class="card stack" aria-labelledby="two-step">
            <h2 id="two-step">"Two-step sign-in"</h2>
            {required.then(|| view! {
                <p class="notice" role="alert">
                    "This Taskward requires two-step sign-in for your account. Set up an \
                     authenticator app or add a passkey to go on: until then, this page is all you \
                     can open."
                </p>
            })}
            {state}
        </section>
    }
}

/// Recovery codes just made: shown this once, to copy, print or download.
#[component]
fn NewCodes(codes: Vec<String>) -> impl IntoView {
    let text = format!(
        "Taskward recovery codes. Each signs you in once, in place of a code from your \
         authenticator app.\n\n{}\n",
        codes.join("\n")
    );
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        encode_query_value(&text)
    );
    view! {
        <div class="notice stack" role="status">
            <p><strong>"Your recovery codes. Keep them somewhere safe now: they are shown only this once."</strong></p>
            <ol class="recovery-codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <p><a href=download download="taskward-recovery-codes.txt">"Download them as a text file"</a></p>
        </div>
    }
}

#[component]
fn PasswordInput(label: &'static str) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <input class="input" type="password" name="password" autocomplete="current-password" required />
        </label>
    }
}

#[component]
fn CodeInput() -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">"Code from your app"</span>
            <input
                class="input"
                type="text"
                name="code"
                autocomplete="one-time-code"
                autocapitalize="off"
                spellcheck="false"
                maxlength=MAX_CODE_INPUT_CHARS
                required
            />
        </label>
    }
}

#[component]
fn ApiTokens(tokens: Vec<TokenSummary>, new_token: Option<String>) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let delete = ServerAction::<DeleteApiToken>::new();
    view! {
        <section class="card stack" aria-labelledby="api-tokens">
            <h2 id="api-tokens">"API tokens"</h2>
            <p class="muted">
                "A token lets a script use the JSON API as you, without your password: send it as "
                <code>"Authorization: Bearer <token>"</code>
                ". A read token can only read your todos and lists; no token can manage your \
                 account. Signing out everywhere, or changing or resetting your password, ends \
                 every token."
            </p>
            {new_token.map(|secret| view! {
                <div class="notice notice--success stack" role="status">
                    <p><strong>"Your new token. Copy it now: it is shown only this once."</strong></p>
                    <label class="field">
                        <span class="field__label">"Your new token"</span>
                        <input class="input token-secret" type="text" readonly value=secret />
                    </label>
                </div>
            })}
            <form method="post" action=CreateApiToken::url() class="form">
                <label class="field">
                    <span class="field__label">"Name"</span>
                    <input class="input" type="text" name="name" required maxlength="100" placeholder="nightly backup" />
                </label>
                <label class="field">
                    <span class="field__label">"May"</span>
                    <select class="input" name="scope">
                        <option value="read">"Read todos and lists"</option>
                        <option value="write">"Read and change todos and lists"</option>
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Expires"</span>
                    <select class="input" name="expires_in_days">
                        <option value="30">"In 30 days"</option>
                        <option value="90">"In 90 days"</option>
                        <option value="365">"In a year"</option>
                        <option value="never">"Never (until deleted)"</option>
                    </select>
                </label>
                <FormError action=create />
                <button class="button button--small" type="submit">"Make a token"</button>
            </form>
            {if tokens.is_empty() {
                view! { <p class="muted">"You have no API tokens."</p> }.into_any()
            } else {
                view! { <TokenTable tokens delete /> }.into_any()
            }}
        </section>
    }
}

/// The tokens as a table; with `delete`, a form to delete each.
#[component]
pub fn TokenTable(
    tokens: Vec<TokenSummary>,
    #[prop(optional)] delete: Option<ServerAction<DeleteApiToken>>,
) -> impl IntoView {
    let deletes = delete.is_some();
    view! {
        <div class="table-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"May"</th>
                        <th scope="col">"Starts with"</th>
                        <th scope="col">"Made"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Expires"</th>
                        {deletes.then(|| view! {
                            <th scope="col"><span class="visually-hidden">"Action"</span></th>
                        })}
                    </tr>
                </thead>
                <tbody>
                    {tokens
                        .into_iter()
                        .map(|token| {
                            let label = format!("Delete the token {}", token.name);
                            let may = if token.scope == "write" { "Read and write" } else { "Read" };
                            view! {
                                <tr>
                                    <th scope="row">{token.name.clone()}</th>
                                    <td>{may}</td>
                                    <td><code>{token.prefix}</code></td>
                                    <td><time datetime=token.created_at.clone()>{short(&token.created_at)}</time></td>
                                    <td>{moment(token.last_used_at, "Never")}</td>
                                    <td>{moment(token.expires_at, "Never")}</td>
                                    {deletes.then(|| view! {
                                        <td>
                                            <form method="post" action=DeleteApiToken::url()>
                                                <input type="hidden" name="id" value=token.id />
                                                <button class="button button--ghost button--small" type="submit" aria-label=label>
                                                    "Delete"
                                                </button>
                                            </form>
                                        </td>
                                    })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {delete.map(|delete| view! { <FormError action=delete /> })}
    }
}

fn moment(at: Option<String>, otherwise: &'static str) -> impl IntoView {
    match at {
        Some(at) => view! { <time datetime=at.clone()>{short(&at)}</time> }.into_any(),
        None => view! { <span class="muted">{otherwise}</span> }.into_any(),
    }
}
