//! The page's forms besides a row's: adding a todo (with its due date and
//! priority fields, which rows share), marking all done, clearing the
//! completed, the filter links and the empty state.

use leptos::{html, prelude::*, server_fn::ServerFn};

use super::{
    address::{Address, NewTodo},
    page_actions::Actions,
    quick_chips::{QuickAddChips, QuickChips},
};
use crate::actions::todos::{ClearCompleted, ToggleAll};
use crate::reminders::{REMINDER_PRESETS, Reminders, before_words};
use crate::todos::{Filter, MAX_TITLE_CHARS, Priority, REPEAT_PRESETS, RepeatFrom, RepeatShown};
use crate::views::Showing;

/// The form that adds a todo: a title, and optionally a due date, a time
/// and a priority (under "Details").
#[component]
pub(super) fn NewTodoForm(
    target: NewTodo,
    actions: Actions,
    input: NodeRef<html::Input>,
    chips: QuickChips,
) -> impl IntoView {
    view! {
        <ActionForm action=actions.create attr:class="todos__new">
            {target.list_id.map(|id| view! { <input type="hidden" name="list_id" value=id /> })}
            <div class="todos__new-main">
                <label class="visually-hidden" for="new-todo">"New todo"</label>
                <input
                    id="new-todo"
                    class="input"
                    name="title"
                    placeholder="What needs doing?"
                    autocomplete="off"
                    maxlength=MAX_TITLE_CHARS
                    required
                    node_ref=input
                    on:input=move |event| chips.typed(event_target_value(&event))
                />
                <button class="button" type="submit">"Add"</button>
            </div>
            <QuickAddChips state=chips />
            <details class="todos__extras">
                <summary>"Due date, repeat, reminder and priority"</summary>
                <div class="todos__extras-fields">
                    <DueFields date=target.due_today time=None prefix="new" />
                    <PriorityField current=Priority::None id="new-priority" />
                    <RepeatFields current=None prefix="new" custom=false />
                    <ReminderField current=None prefix="new" />
                    <label class="todos__as-typed" for="new-as-typed">
                        <input
                            id="new-as-typed"
                            type="checkbox"
                            name="as_typed"
                            value="on"
                            on:change=move |event| chips.as_typed(event_target_checked(&event))
                        />
                        "Keep the title as typed"
                    </label>
                </div>
            </details>
        </ActionForm>
    }
}

/// The date and time inputs of a due date.
#[component]
pub(crate) fn DueFields(
    date: Option<String>,
    time: Option<String>,
    prefix: &'static str,
) -> impl IntoView {
    let (date_id, time_id) = (format!("{prefix}-due-date"), format!("{prefix}-due-time"));
    view! {
        <span class="field field--inline">
            <label class="field__label" for=date_id.clone()>"Due"</label>
            <input id=date_id class="input" type="date" name="due_date" value=date />
        </span>
        <span class="field field--inline">
            <label class="field__label" for=time_id.clone()>"Time (optional)"</label>
            <input id=time_id class="input" type="time" name="due_time" value=time />
        </span>
    }
}

/// How a todo repeats: a preset, or (with `custom`) every so many days,
/// weeks, months or years on chosen days, ending never, after a number of
/// times or on a date; and whether the next date counts from the due date
/// or from the completion. Plain fields, so it works without JavaScript:
/// the custom ones sit in a `<details>` and count when "Custom" is chosen.
#[component]
pub(crate) fn RepeatFields(
    current: Option<RepeatShown>,
    prefix: &'static str,
    custom: bool,
) -> impl IntoView {
    let (kind_id, from_id) = (format!("{prefix}-repeat"), format!("{prefix}-repeat-from"));
    let preset = current.as_ref().and_then(|current| {
        REPEAT_PRESETS
            .iter()
            .find(|(_, _, rule)| *rule == current.rule)
            .map(|(value, ..)| *value)
    });
    // A rule no preset names is kept unless another is chosen.
    let kept = current
        .as_ref()
        .filter(|_| preset.is_none())
        .map(|current| current.words.clone());
    let none_selected = current.is_none();
    let from = current
        .as_ref()
        .map(|current| current.from)
        .unwrap_or_default();
    view! {
        <span class="field field--inline">
            <label class="field__label" for=kind_id.clone()>"Repeat"</label>
            <select id=kind_id class="input" name="repeat[kind]">
                {kept.map(|words| view! { <option value="keep" selected=true>{format!("As now: {words}")}</option> })}
                <option value="none" selected=none_selected>"Does not repeat"</option>
                {REPEAT_PRESETS.iter().map(|(value, label, _)| {
                    view! { <option value=*value selected=preset == Some(*value)>{*label}</option> }
                }).collect_view()}
                {custom.then(|| view! { <option value="custom">"Custom (below)"</option> })}
            </select>
        </span>
        <span class="field field--inline">
            <label class="field__label" for=from_id.clone()>"Next date counts from"</label>
            <select id=from_id class="input" name="repeat[from]">
                <option value="due" selected=from == RepeatFrom::Due>"the due date"</option>
                <option value="completion" selected=from == RepeatFrom::Completion>"when it is done"</option>
            </select>
        </span>
        {custom.then(|| view! { <CustomRepeatFields prefix /> })}
    }
    // Type-erased: the forms that hold these fields nest deep enough.
    .into_any()
}

/// When a todo reminds: one of the presets, or none. For a new todo
/// (`current` is `None`) the first choice is the user's default; a todo
/// whose reminders no single preset names keeps them unless another is
/// chosen. Its options are fixed markup, like the custom repeat's.
#[component]
pub(crate) fn ReminderField(current: Option<Reminders>, prefix: &'static str) -> impl IntoView {
    let id = format!("{prefix}-reminder");
    view! {
        <span class="field field--inline">
            <label class="field__label" for=id.clone()>"Reminder"</label>
            <select id=id class="input" name="reminder" inner_html=reminder_options_html(current.as_ref())></select>
        </span>
    }
    .into_any()
}

/// The `<option>`s of [`ReminderField`]; every text in them is fixed or a
/// number.
fn reminder_options_html(current: Option<&Reminders>) -> String {
    let selected = |yes: bool| if yes { " selected" } else { "" };
    let mut html = String::new();
    match current {
        None => html.push_str(r#"<option value="default" selected>Your default</option>"#),
        Some(current)
            if current.minutes().len() == 1 && REMINDER_PRESETS.contains(&current.minutes()[0]) => {
        }
        Some(current) if !current.is_empty() => html.push_str(&format!(
            r#"<option value="keep" selected>As now: {}</option>"#,
            current.words()
        )),
        Some(_) => {}
    }
    let none = current.is_some_and(Reminders::is_empty);
    html.push_str(&format!(
        r#"<option value="none"{}>No reminder</option>"#,
        selected(none)
    ));
    for before in REMINDER_PRESETS {
        let chosen = current.is_some_and(|current| current.minutes() == [before]);
        let mut words = before_words(before);
        if let Some(first) = words.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        html.push_str(&format!(
            r#"<option value="{before}"{}>{words}</option>"#,
            selected(chosen)
        ));
    }
    html
}

/// The fields of a custom repeat, as fixed markup: nothing in them changes
/// in the browser, and written as a view they made up most of the
/// island's share of the bundle (61 options alone).
#[component]
fn CustomRepeatFields(prefix: &'static str) -> impl IntoView {
    view! { <details class="repeat-custom" inner_html=custom_repeat_html(prefix)></details> }
}

/// The inside of [`CustomRepeatFields`]; `prefix` (a constant, never user
/// input) keeps the ids apart from other forms' on the page.
fn custom_repeat_html(prefix: &str) -> String {
    const WEEKDAYS: [(&str, &str); 7] = [
        ("mo", "Mon"),
        ("tu", "Tue"),
        ("we", "Wed"),
        ("th", "Thu"),
        ("fr", "Fri"),
        ("sa", "Sat"),
        ("su", "Sun"),
    ];
    const NTH: [(&str, &str); 5] = [
        ("1", "first"),
        ("2", "second"),
        ("3", "third"),
        ("4", "fourth"),
        ("-1", "last"),
    ];
    const DAYS: [(&str, &str); 7] = [
        ("MO", "Monday"),
        ("TU", "Tuesday"),
        ("WE", "Wednesday"),
        ("TH", "Thursday"),
        ("FR", "Friday"),
        ("SA", "Saturday"),
        ("SU", "Sunday"),
    ];
    let field = |name: &str, label: &str, control: String| {
        format!(
            r#"<span class="field field--inline"><label class="field__label" for="{prefix}-repeat-{name}">{label}</label>{control}</span>"#
        )
    };
    let select = |name: &str, options: String| {
        format!(
            r#"<select id="{prefix}-repeat-{name}" class="input" name="repeat[{name}]">{options}</select>"#
        )
    };
    let option = |value: &str, label: &str| format!(r#"<option value="{value}">{label}</option>"#);
    let options = |pairs: &[(&str, &str)]| -> String {
        pairs
            .iter()
            .map(|(value, label)| option(value, label))
            .collect()
    };
    let days: String = WEEKDAYS
        .iter()
        .map(|(code, label)| {
            format!(
                r#"<label class="repeat-custom__day" for="{prefix}-repeat-{code}"><input id="{prefix}-repeat-{code}" type="checkbox" name="repeat[{code}]" value="on"/>{label}</label>"#
            )
        })
        .collect();
    let mut monthly = options(&[("", "the due date’s day"), ("last_day", "the last day")]);
    for (nth, nth_label) in NTH {
        for (day, day_label) in DAYS {
            monthly.push_str(&option(
                &format!("{nth}{day}"),
                &format!("the {nth_label} {day_label}"),
            ));
        }
    }
    [
        "<summary>Custom repeat</summary>".to_owned(),
        r#"<fieldset class="repeat-custom__fields"><legend class="visually-hidden">Custom repeat</legend>"#.to_owned(),
        field(
            "every",
            "Every",
            format!(r#"<input id="{prefix}-repeat-every" class="input input--short" type="number" name="repeat[every]" min="1" max="999" value="1"/>"#),
        ),
        field(
            "unit",
            "Unit",
            select("unit", options(&[("day", "days"), ("week", "weeks"), ("month", "months"), ("year", "years")])),
        ),
        format!(r#"<fieldset class="repeat-custom__days"><legend class="field__label">On (weekly)</legend>{days}</fieldset>"#),
        field("monthly", "On (monthly)", select("monthly", monthly)),
        field(
            "ends",
            "Ends",
            select("ends", options(&[("never", "never"), ("count", "after a number of times"), ("until", "on a date")])),
        ),
        field(
            "count",
            "Times",
            format!(r#"<input id="{prefix}-repeat-count" class="input input--short" type="number" name="repeat[count]" min="1" max="1000"/>"#),
        ),
        field(
            "until",
            "Last date",
            format!(r#"<input id="{prefix}-repeat-until" class="input" type="date" name="repeat[until]"/>"#),
        ),
        "</fieldset>".to_owned(),
    ]
    .concat()
}

#[component]
pub(crate) fn PriorityField(current: Priority, #[prop(into)] id: String) -> impl IntoView {
    view! {
        <span class="field field--inline">
            <label class="field__label" for=id.clone()>"Priority"</label>
            <select id=id class="input" name="priority">
                {Priority::ALL
                    .into_iter()
                    .map(|priority| {
                        let label = match priority {
                            Priority::None => "None",
                            other => other.label(),
                        };
                        view! { <option value=priority.as_str() selected=priority == current>{label}</option> }
                    })
                    .collect_view()}
            </select>
        </span>
    }
}

#[component]
pub(super) fn ToggleAllForm(list_id: Option<String>, all_done: bool, show: bool) -> impl IntoView {
    show.then(|| {
        view! {
            <form class="todos__toggle-all" method="post" action=ToggleAll::url()>
                <input type="hidden" name="completed" value=(!all_done).to_string() />
                {list_id.map(|id| view! { <input type="hidden" name="list_id" value=id /> })}
                <button class="button button--ghost button--small" type="submit">
                    {if all_done { "Mark all as not done" } else { "Mark all as done" }}
                </button>
            </form>
        }
    })
}

#[component]
pub(super) fn ClearCompletedForm(list_id: Option<String>, show: bool) -> impl IntoView {
    show.then(|| {
        view! {
            <form class="todos__clear" method="post" action=ClearCompleted::url()>
                {list_id.map(|id| view! { <input type="hidden" name="list_id" value=id /> })}
                <button class="todo__action" type="submit">"Clear completed"</button>
            </form>
        }
    })
}

#[component]
pub(super) fn FilterLinks(current: Filter, address: Address) -> impl IntoView {
    let link = move |filter: Filter, label: &'static str| {
        let current = (filter == current).then_some("page");
        view! { <a class="filters__link" href=address.with_filter(filter) aria-current=current>{label}</a> }
    };
    view! {
        <nav class="filters" aria-label="Show">
            {link(Filter::All, "All")}
            {link(Filter::Active, "Active")}
            {link(Filter::Completed, "Completed")}
        </nav>
    }
}

#[component]
pub(super) fn EmptyState(
    showing: Showing,
    filter: Filter,
    total: i64,
    shown: bool,
) -> impl IntoView {
    shown.then(|| {
        let message = match (&showing, filter, total) {
            (Showing::Today, _, 0) => "Nothing due today. Enjoy the day.",
            (Showing::Upcoming, _, 0) => "Nothing due in the next 7 days.",
            (Showing::Search(_), _, 0) => {
                "No todo matches that search. Try fewer or shorter words."
            }
            (_, _, 0) => "Nothing here yet. Add your first todo above.",
            (_, Filter::Active, _) => "All done. Nice work!",
            (_, Filter::Completed, _) => "Nothing completed yet.",
            (_, Filter::All, _) => "Nothing on this page.",
        };
        view! { <p class="todos__empty">{message}</p> }
    })
}
