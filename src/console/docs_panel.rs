//! The docs panel: the command under the cursor as `help` shows it (syntax, summary in the
//! chosen language, complexity, since, group), with examples that run in one click. It opens
//! with F1 or the console's Docs button and follows the line as it is typed.

use leptos::prelude::*;

use crate::console::teach;
use crate::state::use_shared;
use keyspace_protocol::assist::Doc;

#[component]
pub fn DocsPanel(
    open: RwSignal<bool>,
    #[prop(into)] doc: Signal<Option<Doc>>,
    /// Runs an example (possibly several lines) in the console.
    #[prop(into)]
    on_run: Callback<String>,
) -> impl IntoView {
    let shared = use_shared();
    let t = move || shared.text.get().console;
    let body = move || match doc.get() {
        None => view! { <p class="docs-empty">{move || t().docs_empty}</p> }.into_any(),
        Some(doc) => {
            let examples = doc
                .examples
                .iter()
                .map(|example| {
                    let example = example.clone();
                    let run = example.clone();
                    view! {
                        <li class="docs-example">
                            <pre>{example}</pre>
                            <button on:click=move |_| on_run.run(run.clone())>{move || t().run}</button>
                        </li>
                    }
                })
                .collect_view();
            let summary = {
                let doc = doc.clone();
                move || teach::summary(&doc, t()).to_string()
            };
            view! {
                <h3 class="docs-name">{doc.name.clone()}</h3>
                <code class="docs-syntax">{doc.syntax.clone()}</code>
                <p class="docs-summary">{summary}</p>
                <dl class="docs-facts">
                    <dt>{move || t().complexity}</dt><dd>{doc.complexity.clone()}</dd>
                    <dt>{move || t().since}</dt><dd>{doc.since.clone()}</dd>
                    <dt>{move || t().group}</dt><dd>{doc.group.clone()}</dd>
                    {(!doc.deprecated_since.is_empty()).then(|| view! {
                        <dt>{move || t().deprecated_since}</dt><dd>{doc.deprecated_since.clone()}</dd>
                        <dt>{move || t().replaced_by}</dt><dd>{doc.replaced_by.clone()}</dd>
                    })}
                </dl>
                <h4>{move || t().examples}</h4>
                <ul class="docs-examples">{examples}</ul>
            }
            .into_any()
        }
    };
    view! {
        <aside class="docs-panel" hidden=move || !open.get() aria-label=move || t().docs_title>
            <div class="docs-head">
                <p class="docs-title">{move || t().docs_title}</p>
                <button class="docs-close" aria-label=move || t().close_docs on:click=move |_| open.set(false)>"×"</button>
            </div>
            // Drawn only while open, so that typing does not redraw a hidden panel.
            {move || open.get().then(body)}
        </aside>
    }
}
