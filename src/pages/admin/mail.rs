//! `/admin/mail`: how this instance sends mail (relay, kept for
//! `/dev/mail`, or off), every mail in the outbox with its state, attempts
//! and the relay's last answer, and "send a test mail".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AdminNav, AdminSection, console_page};
use crate::{
    actions::admin::{AdminTestMail, TEST_MAIL_QUERY_KEY, admin_mail},
    mail::{DeliveryState, MailKind, MailOverview, MailPage, MailStatus},
    navigation::encode_query_value,
    pages::auth_form::FormError,
};

#[component]
pub fn AdminMailPage() -> impl IntoView {
    let cursor = use_query_map().with_untracked(|query| query.get("cursor"));
    let page = Resource::new(move || cursor.clone(), admin_mail);
    view! {
        <Title text="Mail · Administration" />
        {console_page(page, |page| view! { <Mail page /> }.into_any())}
    }
}

#[component]
fn Mail(page: MailPage) -> impl IntoView {
    let test = ServerAction::<AdminTestMail>::new();
    let queued = use_query_map()
        .with_untracked(|query| query.get(TEST_MAIL_QUERY_KEY))
        .is_some_and(|value| value == "queued")
        || test
            .value()
            .with_untracked(|value| matches!(value, Some(Ok(()))));
    let can_send = page.delivery != DeliveryState::Off;
    let next = page
        .next_cursor
        .map(|cursor| format!("/admin/mail?cursor={}", encode_query_value(&cursor)));
    view! {
        <h1>"Administration"</h1>
        <AdminNav current=AdminSection::Mail />
        <section class="card stack" aria-labelledby="delivery">
            <h2 id="delivery">"Delivery"</h2>
            {match &page.delivery {
                DeliveryState::Smtp { relay } => view! {
                    <p>"Mail goes out through the SMTP relay " <code>{relay.clone()}</code> "."</p>
                }
                .into_any(),
                DeliveryState::Kept => view! {
                    <p>
                        "No SMTP_URL is set: in development, mail is kept and shown at "
                        <a href="/dev/mail">"/dev/mail"</a> "."
                    </p>
                }
                .into_any(),
                DeliveryState::Off => view! {
                    <p class="notice" role="status">
                        "Mail is off: SMTP_URL is not set. Password reset by mail, email \
                         verification and test mails are not offered; you can still make a \
                         reset link for a user."
                    </p>
                }
                .into_any(),
            }}
            {queued.then(|| view! {
                <p class="notice notice--success" role="status">
                    "The test mail is queued: it shows below, and its state changes once it is sent."
                </p>
            })}
            <FormError action=test />
            {can_send.then(|| view! {
                <ActionForm action=test attr:class="form form--inline">
                    <label class="field">
                        <span class="field__label">"Send a test mail to"</span>
                        <input class="input" type="email" name="to" required maxlength="254" autocomplete="email" />
                    </label>
                    <button class="button" type="submit">"Send a test mail"</button>
                </ActionForm>
            })}
        </section>
        <section class="card stack" aria-labelledby="outbox">
            <h2 id="outbox">"Outbox"</h2>
            {if page.mails.is_empty() {
                view! { <p class="muted">"No mail yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"To"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"State"</th>
                                    <th scope="col">"Attempts"</th>
                                    <th scope="col">"Last error"</th>
                                    <th scope="col">"Queued"</th>
                                    <th scope="col">"Done or next try"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {page.mails.into_iter().map(|mail| view! { <MailRow mail /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {next.map(|href| view! { <a class="button button--ghost" href=href>"Older mail"</a> })}
        </section>
    }
}

#[component]
fn MailRow(mail: MailOverview) -> impl IntoView {
    let minute = |at: &str| at.get(..16).unwrap_or(at).replace('T', " ");
    let kind =
        MailKind::parse(&mail.kind).map_or(mail.kind.clone(), |kind| kind.describe().to_owned());
    let state = match mail.status {
        MailStatus::Queued => "Queued",
        MailStatus::Sent => "Sent",
        MailStatus::Failed => "Failed",
        MailStatus::Kept => "Kept (/dev/mail)",
    };
    let done = mail
        .finished_at
        .as_deref()
        .or(mail.next_attempt_at.as_deref())
        .map(minute)
        .unwrap_or_default();
    view! {
        <tr>
            <th scope="row">{mail.recipient}</th>
            <td>{kind}</td>
            <td class=format!("mail-status mail-status--{}", mail.status.as_str())>{state}</td>
            <td>{mail.attempts}</td>
            <td class="mail-error">{mail.last_error.unwrap_or_default()}</td>
            <td>{minute(&mail.created_at)} " UTC"</td>
            <td>{(!done.is_empty()).then(|| format!("{done} UTC"))}</td>
        </tr>
    }
}
