//! `/account/security`: the account's personal API tokens, for scripts.
//! A token is made with a name, a scope and an expiry; its secret is shown
//! once, on the page the form returns to; each can be deleted. Plain
//! forms: it works without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use super::auth_form::FormError;
use crate::{
    actions::auth::{CreateApiToken, DeleteApiToken, TokenSummary, TokensOverview, my_api_tokens},
    components::{security_events::short, signed_in::signed_in_page},
};

#[component]
pub fn SecurityPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| my_api_tokens());
    view! {
        <Title text="Security" />
        {signed_in_page(move |_| {
            view! {
                <h1>"Security"</h1>
                <p><a href="/account">"Back to your account"</a></p>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(TokensOverview { tokens, new_token }) => view! {
                                <ApiTokens tokens new_token />
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
