//! One printed reply line, drawn by kind (errors red with a short explanation of the common
//! ones beside Redis's own text, nil dimmed, numbers and strings apart, RESP bytes in their own
//! style), a string that names a key listed in the keyspace panel as a link that opens it in
//! the inspector; and the button that copies a reply. Everything is drawn as text.

use leptos::prelude::*;

use crate::console::teach;
use crate::state::use_shared;
use keyspace_protocol::console::{split_index, Line, LineKind};
use keyspace_protocol::inspect::InspectQuery;

#[component]
pub fn ReplyLine(line: Line) -> impl IntoView {
    let shared = use_shared();
    let class = line.kind.class();
    match line.kind {
        LineKind::Error => {
            let error = line.text.clone();
            let explanation = move || {
                teach::explain(&error, shared.text.get().console)
                    .map(|e| view! { <div class="explain">{e}</div> })
            };
            // Beside the line, not in it: the line stays Redis's text, to read and to copy.
            view! { <div class=class>{line.text}</div> {explanation} }.into_any()
        }
        LineKind::Text => {
            let (index, value) = split_index(&line.text);
            let (index, value) = (index.to_string(), value.to_string());
            let key = teach::unquote(&value);
            let listed = {
                let key = key.clone();
                move || {
                    key.as_ref()
                        .is_some_and(|k| shared.window.with(|w| w.rows.iter().any(|r| r.key == *k)))
                }
            };
            let shown = value.clone();
            view! {
                <div class=class>
                    {index}
                    {move || if listed() {
                        let key = key.clone().unwrap_or_default();
                        view! {
                            <button class="key-link" on:click=move |_| shared.send(shared.inspector.open(InspectQuery::new(key.clone())))>
                                {shown.clone()}
                            </button>
                        }.into_any()
                    } else {
                        view! { <span>{shown.clone()}</span> }.into_any()
                    }}
                </div>
            }
            .into_any()
        }
        _ => view! { <div class=class>{line.text}</div> }.into_any(),
    }
}

/// Copies a reply's text (as printed) to the clipboard.
#[component]
pub fn CopyButton(text: String) -> impl IntoView {
    let shared = use_shared();
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        // The promise's outcome needs no answer: a refused copy leaves the text selectable.
        let _ = clipboard.write_text(&text);
    };
    view! {
        <button class="copy" on:click=copy>{move || shared.text.get().console.copy}</button>
    }
}
