//! `/admin/invitations`: make invitation links (for one address or
//! anyone, a number of uses, days, and whether they make administrators),
//! see each one's uses and state, and revoke them. A new link is shown
//! once, on the page the form returns to.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AdminNav, AdminSection, console_page, link_from_query};
use crate::{
    actions::admin::{AdminInvite, AdminRevokeInvitation, admin_invitations},
    admin::{InvitationOverview, InvitationPage, InvitationStatus},
    navigation::encode_query_value,
    pages::auth_form::FormError,
    signup::{DEFAULT_INVITE_DAYS, MAX_INVITE_DAYS, MAX_INVITE_USES, NEW_INVITATION_QUERY_KEY},
};

#[component]
pub fn AdminInvitationsPage() -> impl IntoView {
    let cursor = use_query_map().with_untracked(|query| query.get("cursor"));
    let page = Resource::new(move || cursor.clone(), admin_invitations);
    view! {
        <Title text="Invitations · Administration" />
        {console_page(page, |page| view! { <Invitations page /> }.into_any())}
    }
}

#[component]
fn Invitations(page: InvitationPage) -> impl IntoView {
    let (invite, revoke) = (
        ServerAction::<AdminInvite>::new(),
        ServerAction::<AdminRevokeInvitation>::new(),
    );
    let new_link = link_from_query(NEW_INVITATION_QUERY_KEY, "/signup", "invite");
    let next = page
        .next_cursor
        .map(|cursor| format!("/admin/invitations?cursor={}", encode_query_value(&cursor)));
    view! {
        <h1>"Administration"</h1>
        <AdminNav current=AdminSection::Invitations />
        <FormError action=invite />
        <FormError action=revoke />
        {new_link.map(|link| view! {
            <section class="notice notice--success stack" role="status">
                <p>"The new invitation's link, shown this once: copy it now and send it."</p>
                <p><code class="invitation-link">{link}</code></p>
            </section>
        })}
        <section class="card stack" aria-labelledby="new-invitation">
            <h2 id="new-invitation">"New invitation"</h2>
            <form method="post" action=AdminInvite::url() class="form">
                <label class="field">
                    <span class="field__label">"For this email only (optional)"</span>
                    <input class="input" type="email" name="email" maxlength="254" />
                </label>
                <label class="field">
                    <span class="field__label">"Accounts it can make"</span>
                    <input class="input" type="number" name="uses" min="1" max=MAX_INVITE_USES value="1" />
                </label>
                <label class="field">
                    <span class="field__label">"Days it can be used"</span>
                    <input class="input" type="number" name="days" min="1" max=MAX_INVITE_DAYS value=DEFAULT_INVITE_DAYS />
                </label>
                <label class="field field--check">
                    <input type="checkbox" name="role" value="admin" />
                    <span>"The accounts it makes are administrators"</span>
                </label>
                <button class="button" type="submit">"Make an invitation link"</button>
            </form>
        </section>
        <section class="card stack" aria-labelledby="invitations">
            <h2 id="invitations">"Invitations"</h2>
            {if page.invitations.is_empty() {
                view! { <p class="muted">"No invitations yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"For"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Uses left"</th>
                                    <th scope="col">"Expires"</th>
                                    <th scope="col">"Made by"</th>
                                    <th scope="col">"State"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {page
                                    .invitations
                                    .into_iter()
                                    .map(|invitation| view! { <InvitationRow invitation /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {next.map(|href| view! { <a class="button button--ghost" href=href>"Older invitations"</a> })}
        </section>
    }
}

#[component]
fn InvitationRow(invitation: InvitationOverview) -> impl IntoView {
    let InvitationOverview {
        id,
        email,
        makes_admin,
        uses,
        uses_left,
        expires_at,
        created_by,
        status,
        ..
    } = invitation;
    let day = |at: &str| at.get(..10).unwrap_or(at).to_owned();
    view! {
        <tr>
            <th scope="row">{email.unwrap_or_else(|| "Anyone with the link".into())}</th>
            <td>{if makes_admin { "admin" } else { "user" }}</td>
            <td>{format!("{uses_left} of {uses}")}</td>
            <td>{day(&expires_at)}</td>
            <td>{created_by.unwrap_or_else(|| "command line".into())}</td>
            <td>{status.describe()}</td>
            <td>
                {(status == InvitationStatus::Usable).then(|| view! {
                    <form method="post" action=AdminRevokeInvitation::url()>
                        <input type="hidden" name="id" value=id />
                        <button class="button button--ghost button--small" type="submit">"Revoke"</button>
                    </form>
                })}
            </td>
        </tr>
    }
}
