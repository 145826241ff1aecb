use leptos::prelude::*;

/// The product mark and name, linking to `href`.
#[component]
pub fn Brand(#[prop(into)] href: String) -> impl IntoView {
    view! {
        <a class="brand" href=href>
            <span class="brand__mark" aria-hidden="true">"✓"</span>
            "Taskward"
        </a>
    }
}
