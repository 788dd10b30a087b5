//! The minimal page: a title, a note that it emulates Redis 7.0, and one console (an input and
//! the log of what redis-cli would have printed). The full console replaces it in a later issue.
//! The component only wires the DOM to a [`Session`]; what to print is decided there.

use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::clock::{random_seed, BrowserClock};
use crate::i18n::{strings_for, Strings};
use crate::session::{Line, LineKind, Session};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let language = window().navigator().language().unwrap_or_default();
    let text = strings_for(&language);
    document().set_title(text.title);
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", text.lang);
    }

    view! {
        <main class="page">
            <h1>{text.title}</h1>
            <p class="note">{text.emulates}</p>
            <Console text=text />
        </main>
    }
}

/// One redis-cli session: type a command, press Enter, read the replies.
#[component]
fn Console(text: &'static Strings) -> impl IntoView {
    // The engine is not `Sync` (its clock is only `Send`), so it lives in local storage.
    let session = StoredValue::new_local(Session::new(Box::new(BrowserClock), random_seed()));
    let log = RwSignal::new(Vec::<Line>::new());
    let prompt = RwSignal::new(session.with_value(Session::prompt));
    let output = NodeRef::<leptos::html::Pre>::new();

    // The engine's timer: keys expire while nobody types, as in a running redis-server.
    let every = Duration::from_millis(session.with_value(Session::tick_interval_ms));
    let tick = move || {
        if let Some(lines) = session.try_update_value(Session::tick) {
            if !lines.is_empty() {
                log.try_update(|log| log.extend(lines));
            }
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, every) {
        on_cleanup(move || handle.clear());
    }

    // Keep the newest line in view.
    Effect::new(move || {
        log.track();
        if let Some(pre) = output.get() {
            pre.set_scroll_top(pre.scroll_height());
        }
    });

    let on_keydown = move |ev: KeyboardEvent| {
        // Enter also confirms an IME composition (typing 中文): that is not a command.
        if ev.key() != "Enter" || ev.is_composing() {
            return;
        }
        let input: HtmlInputElement = event_target(&ev);
        let line = input.value();
        input.set_value("");
        let lines = session
            .try_update_value(|s| s.run(&line))
            .unwrap_or_default();
        log.update(|log| log.extend(lines));
        prompt.set(session.with_value(Session::prompt));
    };

    view! {
        <section class="console">
            <pre class="log" node_ref=output aria-label=text.output_label aria-live="polite">
                <For each=move || log.get() key=|line| line.id children=|line| view! {
                    <div class=kind_class(line.kind)>{line.text}</div>
                } />
            </pre>
            <label class="input-line">
                <span class="prompt">{move || prompt.get()}</span>
                <input
                    type="text"
                    autofocus
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder=text.placeholder
                    aria-label=text.input_label
                    on:keydown=on_keydown
                />
            </label>
        </section>
    }
}

fn kind_class(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Prompt => "line prompt-line",
        LineKind::Reply => "line",
        LineKind::Error => "line error",
    }
}
