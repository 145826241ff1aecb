//! `/account/notifications`: how reminders reach the user (the channels,
//! the time of day a todo due on a day reminds, the default reminder),
//! "send me a test", and the last 50 deliveries with what became of each.
//! Plain forms that return here: it works without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::FormError;
use crate::{
    actions::reminders::{
        BrowserShown, DeliveryShown, NotificationsOverview, RemovePushSubscription,
        SaveNotificationSettings, SendTestReminder, my_notifications,
    },
    components::signed_in::signed_in_page,
    reminders::{DeliveryStatus, REMINDER_PRESETS, before_words},
};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| my_notifications());
    let query = use_query_map();
    let saved = query.with_untracked(|query| query.get("saved").is_some());
    let tested = query.with_untracked(|query| query.get("tested").is_some());
    view! {
        <Title text="Notifications" />
        {signed_in_page(move |_| {
            view! {
                <h1>"Notifications"</h1>
                <p><a href="/account">"Back to your account"</a></p>
                {saved.then(|| view! { <p class="notice" role="status">"Saved."</p> })}
                {tested.then(|| view! {
                    <p class="notice" role="status">"Test sent: see below what became of it."</p>
                })}
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(overview) => view! { <Notifications overview /> }.into_any(),
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
fn Notifications(overview: NotificationsOverview) -> impl IntoView {
    let save = ServerAction::<SaveNotificationSettings>::new();
    let test = ServerAction::<SendTestReminder>::new();
    let NotificationsOverview {
        settings,
        email_verified,
        email,
        mail_available,
        deliveries,
        push_key,
        browsers,
    } = overview;
    let email_note = if !mail_available {
        Some("This instance cannot send mail: ask its administrator to set it up.")
    } else if !email_verified {
        Some(
            "Confirm your address first (see your account page): mail goes only to a confirmed address.",
        )
    } else {
        None
    };
    let default_options = {
        let mut html = format!(
            r#"<option value="none"{}>No reminder</option>"#,
            if settings.default_before.is_none() {
                " selected"
            } else {
                ""
            }
        );
        for before in REMINDER_PRESETS {
            let mut words = before_words(before);
            if let Some(first) = words.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            let chosen = settings.default_before == Some(before);
            html.push_str(&format!(
                r#"<option value="{before}"{}>{words}</option>"#,
                if chosen { " selected" } else { "" }
            ));
        }
        html
    };
    view! {
        <section class="card stack" aria-labelledby="reminder-settings">
            <h2 id="reminder-settings">"How reminders reach you"</h2>
            <p>
                "A todo with a due date can remind you at its time or before it (choose in its \
                 details). Reminders go out from the server, so they arrive with this page closed."
            </p>
            <form method="post" action=SaveNotificationSettings::url() class="form">
                <label class="checkbox" for="channel-email">
                    <input id="channel-email" type="checkbox" name="email" value="on" checked=settings.email />
                    {format!("By email, to {email}")}
                </label>
                {email_note.map(|note| view! { <p class="muted">{note}</p> })}
                <label class="checkbox" for="channel-push">
                    <input id="channel-push" type="checkbox" name="push" value="on" checked=settings.push />
                    "As notifications in the browsers below"
                </label>
                <label class="field" for="time-of-day">
                    <span class="field__label">"A todo due on a day without a time reminds at"</span>
                    <input id="time-of-day" class="input input--short" type="time" name="time_of_day" value=settings.day_time() required />
                </label>
                <label class="field" for="default-reminder">
                    <span class="field__label">"New todos with a due date remind"</span>
                    <select id="default-reminder" class="input" name="default_reminder" inner_html=default_options></select>
                </label>
                <FormError action=save />
                <button class="button button--small" type="submit">"Save"</button>
            </form>
        </section>
        <Browsers browsers push_key />
        <section class="card stack" aria-labelledby="reminder-test">
            <h2 id="reminder-test">"Send me a test"</h2>
            <p>"A test reminder, now, through each channel that is on (5 an hour)."</p>
            <form method="post" action=SendTestReminder::url() class="form">
                <FormError action=test />
                <button class="button button--small" type="submit">"Send me a test"</button>
            </form>
        </section>
        <section class="card stack" aria-labelledby="reminder-log">
            <h2 id="reminder-log">"Recent reminders"</h2>
            <DeliveryLog deliveries />
        </section>
    }
}

/// The browsers that show reminders, each removable with a plain form,
/// and "Notify me in this browser", which needs JavaScript
/// (`public/push.js`): the browser asks for permission only when it is
/// pressed.
#[component]
fn Browsers(browsers: Vec<BrowserShown>, push_key: String) -> impl IntoView {
    let listed = if browsers.is_empty() {
        view! { <p class="muted">"No browser shows your reminders yet."</p> }.into_any()
    } else {
        view! {
            <ul class="stack browser-list">
                {browsers.into_iter().map(|browser| {
                    let label = format!("Remove {}", browser.name);
                    let sent = browser.last_sent.map_or_else(
                        || "nothing sent yet".to_owned(),
                        |at| format!("last sent {at}"),
                    );
                    view! {
                        <li class="browser-list__item">
                            <span>
                                <strong>{browser.name}</strong>
                                <span class="muted">{format!(" via {}, added {}, {sent}", browser.service, browser.added)}</span>
                            </span>
                            <form method="post" action=RemovePushSubscription::url()>
                                <input type="hidden" name="id" value=browser.id />
                                <button class="button button--small button--ghost" type="submit" aria-label=label>"Remove"</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card stack" aria-labelledby="push-browsers">
            <h2 id="push-browsers">"Browsers"</h2>
            <p>
                "A browser you set up here shows your reminders as notifications, even with \
                 Taskward closed. It asks for permission when you press the button."
            </p>
            {listed}
            <button id="push-subscribe" class="button button--small" type="button" data-key=push_key hidden>
                "Notify me in this browser"
            </button>
            <p id="push-status" class="muted" role="status">
                <noscript>"Setting up a browser needs JavaScript."</noscript>
            </p>
            <script type="module" src="/push.js"></script>
        </section>
    }
}

/// The newest deliveries: what, where, when due, when sent, and what
/// became of each.
#[component]
fn DeliveryLog(deliveries: Vec<DeliveryShown>) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="muted">"No reminders yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Reminder"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">"Due"</th>
                        <th scope="col">"Sent"</th>
                        <th scope="col">"Outcome"</th>
                    </tr>
                </thead>
                <tbody>
                    {deliveries.into_iter().map(|shown| {
                        let delivery = shown.delivery;
                        let mut outcome = delivery.status.label().to_owned();
                        if delivery.late && delivery.status != DeliveryStatus::Dropped {
                            outcome.push_str(" (late)");
                        }
                        if let Some(detail) = &delivery.detail {
                            outcome.push_str(": ");
                            outcome.push_str(detail);
                        }
                        view! {
                            <tr>
                                <td>{delivery.title}</td>
                                <td>{delivery.channel.label()}</td>
                                <td>{shown.due}</td>
                                <td>{shown.sent.unwrap_or_else(|| "—".to_owned())}</td>
                                <td>{outcome}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
