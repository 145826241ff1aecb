use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::auth_form::{FormError, PasswordField, PasswordKind, SubmitButton, clear_on_error};
use crate::{
    actions::{
        auth::{
            CancelEmailChange, ChangeEmail, ChangePassword, DeleteAccount, ResendVerification,
            SetTimeZone, SignOutEverywhere, my_email, recent_lockout, time_zones,
        },
        calendar_feed::{
            CalendarFeedView, MakeCalendarFeed, TurnOffCalendarFeed, my_calendar_feed,
        },
        transfer::read_import_report,
    },
    auth::EmailState,
    components::signed_in::signed_in_page,
    error::AppError,
    transfer::REPORT_QUERY_KEY,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    // Made once for the page, outside the signed-in frame, whose content
    // may be built more than once while it renders: the feed's new address
    // is read (and its cookie cleared) by one request to the store.
    let feed = Resource::new(|| (), |_| my_calendar_feed());
    view! {
        <Title text="Account" />
        {signed_in_page(move |user| {
            view! {
                <h1>"Account"</h1>
                <p class="muted">"Signed in as " <strong>{user.email}</strong></p>
                <LockoutNotice />
                <p><a href="/account/sessions">"See where you are signed in, and your recent activity"</a></p>
                <p><a href="/account/security">"Passkeys, two-step sign-in and API tokens for scripts"</a></p>
                <p><a href="/account/notifications">"Reminders: how they reach you, and what became of them"</a></p>
                <EmailCard />
                <TimeZoneCard current=user.time_zone />
                <YourDataCard />
                <CalendarFeedCard feed />
                <ChangePasswordCard />
                <SessionsCard />
                <DeleteAccountCard />
            }
        })}
    }
}

/// Tells the owner when wrong passwords tried from elsewhere locked the
/// account (a device they signed in on before was never locked out).
#[component]
fn LockoutNotice() -> impl IntoView {
    let lockout = Resource::new(|| (), |_| recent_lockout());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                lockout.await.ok().flatten().map(|at| view! {
                    <section class="notice notice--warning" role="status">
                        <p>
                            <strong>"Your account was locked on " {at} "."</strong>
                            " Someone tried wrong passwords for it from a device that had not \
                             signed in before, so sign-ins from new devices were paused for a \
                             while. Your password held. If you use it anywhere else, change it."
                        </p>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// The account's address: whether it is confirmed (with "send it again"),
/// the address it is moving to (with "cancel"), and the form that moves
/// it. Plain forms that return here with `?verification=sent` or
/// `?email_change=sent`.
#[component]
fn EmailCard() -> impl IntoView {
    let state = Resource::new(|| (), |_| my_email());
    let (sent, change_sent, typed) = use_query_map().with_untracked(|query| {
        (
            query.get("verification").is_some(),
            query.get("email_change").is_some(),
            query.get("new_email").unwrap_or_default(),
        )
    });
    view! {
        <section class="card stack" aria-labelledby="email-address">
            <h2 id="email-address">"Email address"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let typed = typed.clone();
                    Suspend::new(async move {
                        match state.await {
                            Ok(state) => view! {
                                <EmailStatus state=state.clone() sent />
                                <PendingChange state=state.clone() change_sent />
                                <ChangeEmailForm state typed />
                            }
                            .into_any(),
                            Err(error) => view! {
                                <p class="form-error" role="alert">{error.to_string()}</p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn EmailStatus(state: EmailState, sent: bool) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    if state.verified {
        return view! {
            <p>
                <strong>{state.email}</strong>
                " "
                <span class="badge badge--success">"Confirmed"</span>
            </p>
        }
        .into_any();
    }
    let waiting = state.required.then_some(
        " This Taskward service asks for a confirmed address before your todos can be used.",
    );
    let action = if !state.mail_on {
        view! {
            <p class="muted">
                "This Taskward service cannot send mail now, so no link can be sent. Ask its                  administrator."
            </p>
        }
        .into_any()
    } else if sent {
        view! {
            <p class="notice notice--success" role="status">
                "A new link is on its way. It works for 24 hours; the older one no longer works."
            </p>
        }
        .into_any()
    } else {
        view! {
            <form method="post" action=ResendVerification::url() class="form form--inline">
                <FormError action=resend />
                <button class="button button--small" type="submit">"Send the link again"</button>
            </form>
        }
        .into_any()
    };
    let class = if state.required {
        "notice notice--warning"
    } else {
        "notice"
    };
    view! {
        <div class=class role="status">
            <p>
                <strong>"Please confirm " {state.email} "."</strong>
                " Follow the link we mailed to it when you signed up."
                {waiting}
            </p>
        </div>
        {action}
    }
    .into_any()
}

#[component]
fn PendingChange(state: EmailState, change_sent: bool) -> impl IntoView {
    let cancel = ServerAction::<CancelEmailChange>::new();
    state.pending_change.map(|new_address| {
        let said = if change_sent {
            "We mailed a link to "
        } else {
            "Moving to "
        };
        view! {
            <div class="notice" role="status">
                <p>
                    {said}<strong>{new_address}</strong>
                    ": your account moves to this address when the link mailed there is                      followed (within 24 hours). Until then, sign in with your current one."
                </p>
            </div>
            <form method="post" action=CancelEmailChange::url() class="form form--inline">
                <FormError action=cancel />
                <button class="button button--ghost button--small" type="submit">"Cancel the change"</button>
            </form>
        }
    })
}

#[component]
fn ChangeEmailForm(state: EmailState, typed: String) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    if !state.mail_on {
        return view! {
            <p class="muted">
                "Changing your address needs a confirmation mail, and this service cannot send                  mail now."
            </p>
        }
        .into_any();
    }
    view! {
        <form method="post" action=ChangeEmail::url() class="form">
            <label class="field">
                <span class="field__label">"New email address"</span>
                <input class="input" type="email" name="email" autocomplete="email" required value=typed />
            </label>
            <label class="field">
                <span class="field__label">"Your password"</span>
                <input class="input" type="password" name="password" autocomplete="current-password" required />
            </label>
            <p class="field__hint">
                "We mail a link to the new address and tell the current one. Nothing changes until                  the link is followed."
            </p>
            <FormError action />
            <button class="button button--small" type="submit">"Change email address"</button>
        </form>
    }
    .into_any()
}

/// Downloads of everything (JSON) or the todos (CSV), and an import form:
/// plain links and a plain upload form, the same with and without
/// JavaScript. An import returns here with `?import=<report>`.
#[component]
fn YourDataCard() -> impl IntoView {
    let report_id = use_query_map().with_untracked(|query| query.get(REPORT_QUERY_KEY));
    let report = Resource::new(
        || (),
        move |_| {
            let id = report_id.clone();
            async move {
                match id {
                    Some(id) => read_import_report(id).await.ok().flatten(),
                    None => None,
                }
            }
        },
    );
    view! {
        <section class="card stack" aria-labelledby="your-data">
            <h2 id="your-data">"Your data"</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    report.await.map(|report| {
                        let class = if report.succeeded { "notice notice--success" } else { "notice notice--error" };
                        let role = if report.succeeded { "status" } else { "alert" };
                        let problems = (!report.problems.is_empty()).then(|| view! {
                            <ul class="notice__list">
                                {report.problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}
                            </ul>
                        });
                        view! {
                            <div class=class role=role>
                                <p><strong>{report.message}</strong></p>
                                {problems}
                            </div>
                        }
                    })
                })}
            </Suspense>
            <p class="muted">
                "Download everything (your email, your lists and every todo with all its details) as \
                 one JSON file you can import into any Taskward account, or your todos as a CSV file \
                 for a spreadsheet."
            </p>
            <p class="cluster">
                <a class="button button--ghost" href="/account/export.json" download>"Download everything (JSON)"</a>
                <a class="button button--ghost" href="/account/export.csv" download>"Download todos (CSV)"</a>
            </p>
            <form class="form" method="post" action="/account/import" enctype="multipart/form-data">
                <label class="field">
                    <span class="field__label">"Import a file"</span>
                    <input class="input" type="file" name="file" accept=".json,.csv,application/json,text/csv" required aria-describedby="import-help" />
                </label>
                <p id="import-help" class="field__hint">
                    "A Taskward export (.json) recreates its lists and todos; a CSV file adds todos \
                     (a first line naming the columns: title, and optionally list, due, priority, \
                     notes, completed). Up to 8 MiB. Nothing is imported unless the whole file is right."
                </p>
                <button class="button" type="submit">"Import"</button>
            </form>
        </section>
    }
}

/// The private calendar feed: made, shown once, replaced, turned off. Plain
/// forms, the same with and without JavaScript.
#[component]
fn CalendarFeedCard(feed: Resource<Result<CalendarFeedView, AppError>>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="calendar-feed">
            <h2 id="calendar-feed">"Calendar feed"</h2>
            <p class="muted">
                "See your open todos that have a due date in a calendar app (Thunderbird, Apple \
                 Calendar, Outlook, DAVx\u{2075}), with their repeats and reminders. The app \
                 subscribes to a private address and checks it every half hour. Anyone with the \
                 address can read those todos, so keep it to yourself; signing out everywhere, or \
                 changing or resetting your password, turns it off."
            </p>
            <Suspense>
                {move || Suspend::new(async move {
                    match feed.await {
                        Ok(view) => calendar_feed_state(view).into_any(),
                        Err(error) => view! {
                            <p class="form-error" role="alert">{error.to_string()}</p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn calendar_feed_state(feed: CalendarFeedView) -> impl IntoView {
    let fresh = feed.new_url.clone().map(|url| {
        let webcal = feed.new_webcal_url.clone().unwrap_or_default();
        view! {
            <div class="notice notice--success stack" role="status">
                <p><strong>"Your feed\u{2019}s address. Copy it now: it is shown only this once."</strong></p>
                <label class="field">
                    <span class="field__label">"Feed address"</span>
                    <input class="input token-secret" type="text" readonly value=url />
                </label>
                <p><a href=webcal>"Subscribe in your calendar app"</a></p>
            </div>
        }
    });
    let state = match feed.made {
        Some(made) => view! {
            <p>"You have a feed; its address was made " {made} ". Lost it? Make a new one: the \
                old address then stops working."</p>
            <div class="cluster">
                <form method="post" action=MakeCalendarFeed::url()>
                    <button class="button button--small" type="submit">"Make a new address"</button>
                </form>
                <form method="post" action=TurnOffCalendarFeed::url()>
                    <button class="button button--small button--ghost" type="submit">"Turn the feed off"</button>
                </form>
            </div>
        }
        .into_any(),
        None => view! {
            <form method="post" action=MakeCalendarFeed::url()>
                <button class="button button--small" type="submit">"Make a feed address"</button>
            </form>
        }
        .into_any(),
    };
    view! { {fresh} {state} }
}

/// The zone the user's days are counted in ("Today", "Overdue"). A plain
/// form, the same with and without JavaScript.
#[component]
fn TimeZoneCard(current: String) -> impl IntoView {
    let action = ServerAction::<SetTimeZone>::new();
    let zones = Resource::new(|| (), |_| time_zones());
    view! {
        <section class="card stack" aria-labelledby="time-zone">
            <h2 id="time-zone">"Time zone"</h2>
            <p class="muted">
                "Today, Upcoming and overdue todos follow the days of your time zone: "
                <strong>{current.clone()}</strong>"."
            </p>
            <form class="form form--inline" method="post" action=SetTimeZone::url()>
                <label class="field">
                    <span class="field__label">"Your time zone"</span>
                    <select class="input" name="time_zone">
                        <Suspense>
                            {move || {
                                let current = current.clone();
                                Suspend::new(async move {
                                    zones.await.unwrap_or_default().into_iter().map(|zone| {
                                        let selected = zone == current;
                                        let label = zone.clone();
                                        view! { <option value=zone selected=selected>{label}</option> }
                                    }).collect_view()
                                })
                            }}
                        </Suspense>
                    </select>
                </label>
                <FormError action />
                <button class="button button--small" type="submit">"Save time zone"</button>
            </form>
        </section>
    }
}

/// The account page's forms are islands, hydrated so each explains its
/// outcome in place.
#[island]
fn ChangePasswordCard() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let current = NodeRef::new();
    let new = NodeRef::new();
    clear_on_error(action, current);
    clear_on_error(action, new);
    let changed = move || matches!(action.value().get(), Some(Ok(())));

    view! {
        <section class="card stack" aria-labelledby="change-password">
            <h2 id="change-password">"Change password"</h2>
            <ActionForm action=action attr:class="form">
                <PasswordField label="Current password" name="current_password" kind=PasswordKind::Current input=current />
                <PasswordField label="New password" name="new_password" kind=PasswordKind::New input=new />
                <FormError action />
                <Show when=changed>
                    <p class="notice notice--success" role="status">
                        "Password changed. Your other sessions have been signed out."
                    </p>
                </Show>
                <SubmitButton action class="button" idle="Change password" busy="Changing…" />
            </ActionForm>
        </section>
    }
}

#[island]
fn SessionsCard() -> impl IntoView {
    let action = ServerAction::<SignOutEverywhere>::new();
    view! {
        <section class="card stack" aria-labelledby="sessions">
            <h2 id="sessions">"Sessions"</h2>
            <p class="muted">"Signed in on a device you no longer use? Sign out of every session, this one included."</p>
            <ActionForm action=action>
                <FormError action />
                <button class="button button--ghost" type="submit" disabled=move || action.pending().get()>
                    "Sign out everywhere"
                </button>
            </ActionForm>
        </section>
    }
}

#[island]
fn DeleteAccountCard() -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    let password = NodeRef::new();
    clear_on_error(action, password);
    view! {
        <section class="card stack card--danger" aria-labelledby="delete-account">
            <h2 id="delete-account">"Delete account"</h2>
            <p class="muted">"This deletes your account and all your todos for good. It cannot be undone."</p>
            <ActionForm action=action attr:class="form">
                <PasswordField label="Confirm with your password" name="password" kind=PasswordKind::Current input=password />
                <FormError action />
                <button class="button button--danger" type="submit" disabled=move || action.pending().get()>
                    "Delete my account"
                </button>
            </ActionForm>
        </section>
    }
}
