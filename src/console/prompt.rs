//! The console's input line: a textarea that grows for pasted pipelines, the typed words
//! highlighted by kind with the rest of the command's syntax in grey after them, Tab
//! completion with a visible suggestion list, a verdict before sending (unknown command,
//! arity, a misplaced word), readline's editing keys and Ctrl+R reverse search, a searchable
//! history list, the raw RESP toggle and the docs panel (F1).
//!
//! The component only wires the DOM: what the line means comes from the worker
//! (`assist`, through [`Request::Assist`] on every change), the editing and the text from
//! `teach`, the history from `history`, all tested natively. The highlighting layer sits
//! under a transparent textarea and is drawn as text nodes, so typed markup stays text.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::console::docs_panel::DocsPanel;
use crate::console::history::History;
use crate::console::input::{Action, InputLine, Press};
use crate::console::teach;
use crate::prefs;
use crate::state::{use_shared, Tab};
use keyspace_protocol::assist::{Verdict, WordKind};
use keyspace_protocol::console::PaneId;
use keyspace_protocol::Request;

/// The input line. `on_submit` gets the whole text, which may hold several lines (a pasted
/// pipeline): the console runs them in order.
#[component]
pub fn Prompt(
    /// The client pane it types into: its elements' ids, and whether a stray click gives it
    /// the focus (only the pane used last takes it).
    pane: PaneId,
    #[prop(into)] prompt: Signal<String>,
    #[prop(into)] on_submit: Callback<String>,
    /// Ctrl+L: empties the pane's scrollback.
    #[prop(into)]
    on_clear: Callback<()>,
) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let teach_text = move || shared.text.get().console;
    let input = RwSignal::new(InputLine::new(History::from_saved(
        &prefs::load("history").unwrap_or_default(),
    )));
    let field = NodeRef::<leptos::html::Textarea>::new();
    // What the field holds, as it last told (the worker's answers are matched against it).
    let line = RwSignal::new(String::new());
    let cursor = RwSignal::new(0usize);
    let show_history = RwSignal::new(false);
    let editor_open = RwSignal::new(false);
    let history_filter = RwSignal::new(String::new());
    let docs_open = RwSignal::new(false);

    // The worker's answer for the line as it stands; one for a line typed past is dropped.
    let current = Memo::new(move |_| {
        let assist = shared.assist.get();
        line.with(|l| *l == assist.line).then_some(assist)
    });
    // The docs panel keeps the last command it was shown while the line is empty.
    let doc = RwSignal::new(None);
    Effect::new(move || {
        if let Some(d) = current.get().and_then(|a| a.doc) {
            doc.set(Some(d));
        }
    });

    // Reads the field and asks the worker about it.
    let ask = move || {
        let Some(el) = field.get_untracked() else {
            return;
        };
        let value = el.value();
        let at = el.selection_start().ok().flatten().unwrap_or(0) as usize;
        let at = teach::byte_offset(&value, at);
        if line.with_untracked(|l| *l == value) && cursor.get_untracked() == at {
            return;
        }
        line.set(value.clone());
        cursor.set(at);
        shared.send(Request::Assist {
            line: value,
            cursor: at,
        });
    };
    // Puts text in the field with the cursor at byte `at`.
    let put = move |value: &str, at: usize| {
        if let Some(el) = field.get_untracked() {
            el.set_value(value);
            let at = teach::utf16_offset(value, at) as u32;
            let _ = el.set_selection_range(at, at);
        }
        ask();
    };
    let focus = move || {
        if let Some(el) = field.get_untracked() {
            let _ = el.focus();
        }
    };

    // Esc closes the docs panel and the history from anywhere in the prompt's box (its
    // buttons, the docs' Run), and gives the focus back to the line.
    let close_panels = move || {
        docs_open.set(false);
        show_history.set(false);
        focus();
    };

    let submit = move || {
        let Some(el) = field.get_untracked() else {
            return;
        };
        let value = el.value();
        input.update(|i| i.submitted(&value));
        prefs::save("history", &input.with_untracked(|i| i.history.saved()));
        put("", 0);
        on_submit.run(value);
    };
    // Carries out what a key (or a click, or an answer) asked for.
    let act = move |action: Action| match action {
        Action::Pass | Action::Swallow => {}
        Action::Put { text, at } => put(&text, at),
        Action::Submit => submit(),
        Action::PutAndSubmit(text) => {
            put(&text, text.len());
            submit();
        }
        Action::ToggleDocs => docs_open.update(|open| *open = !*open),
        Action::ClosePanels => close_panels(),
        Action::Clear => on_clear.run(()),
    };
    // A Tab pressed before the worker's completions came completes when they do (the input's
    // state changes only then, so its views redraw only then).
    Effect::new(move || {
        let Some(answer) = current.get() else {
            return;
        };
        if input.with_untracked(InputLine::tab_waiting) {
            if let Some(action) = input.try_update(|i| i.answer_arrived(&answer)) {
                act(action);
            }
        }
    });
    // A click on a suggestion puts it in.
    let pick = move |i: usize| {
        let chosen = input.try_update(|input| input.pick(i, current.get_untracked().as_ref()));
        act(chosen.unwrap_or(Action::Pass));
        focus();
    };
    let on_keydown = move |ev: KeyboardEvent| {
        let press = Press {
            key: ev.key(),
            ctrl: ev.ctrl_key(),
            shift: ev.shift_key(),
            alt: ev.alt_key(),
            meta: ev.meta_key(),
            composing: ev.is_composing(),
        };
        let (value, at) = (line.get_untracked(), cursor.get_untracked());
        let answer = current.get_untracked();
        let action = input
            .try_update(|i| i.key(&press, &value, at, answer.as_ref()))
            .unwrap_or(Action::Pass);
        if action.prevents_default() {
            ev.prevent_default();
        }
        act(action);
    };

    // A click on nothing that takes the focus (the log, the page's background) gives it back
    // to the input, unless the click was selecting text to copy.
    let refocus = window_event_listener(leptos::ev::click, move |_| {
        let lost = document()
            .active_element()
            .is_none_or(|el| el.tag_name().eq_ignore_ascii_case("body"));
        let selecting = window()
            .get_selection()
            .ok()
            .flatten()
            .is_some_and(|s| !s.is_collapsed());
        let active = shared.active.get_untracked() == pane;
        if lost && !selecting && active && shared.tab.get_untracked() == Tab::Console {
            focus();
        }
    });
    on_cleanup(move || refocus.remove());

    let toggle_resp = move |_| {
        let on = !shared.show_resp.get_untracked();
        shared.show_resp.set(on);
        shared.send(Request::ShowResp(on));
        focus();
    };

    // The highlighted words, then the hint in grey when the cursor is at the end.
    let highlight = move || {
        let value = line.get();
        let Some(assist) = current.get() else {
            return vec![view! { <span>{value}</span> }.into_any()];
        };
        let mut spans: Vec<AnyView> = teach::pieces(&value, &assist.words)
            .into_iter()
            .map(|p| view! { <span class=p.class.unwrap_or("")>{p.text}</span> }.into_any())
            .collect();
        if !assist.hint.is_empty() && cursor.get() == value.len() && !value.is_empty() {
            let gap = if value.ends_with(char::is_whitespace) {
                ""
            } else {
                " "
            };
            spans.push(
                view! { <span class="ghost">{format!("{gap}{}", assist.hint)}</span> }.into_any(),
            );
        }
        spans
    };
    let verdict = move || {
        let assist = current.get()?;
        if line.with(|l| l.trim().is_empty()) {
            return None;
        }
        let t = teach_text();
        let (class, message) = match assist.verdict {
            Verdict::Ok => return None,
            Verdict::TooFew => ("verdict soft", t.too_few.to_string()),
            Verdict::Unknown => ("verdict bad", t.unknown_command.to_string()),
            Verdict::UnknownSubcommand => ("verdict bad", t.unknown_subcommand.to_string()),
            Verdict::TooMany => ("verdict bad", t.too_many.to_string()),
            Verdict::Unexpected(i) => {
                let word = assist
                    .words
                    .get(i)
                    .map(|w| assist.line[w.start..w.end].to_string())
                    .unwrap_or_default();
                ("verdict bad", t.unexpected.replace("{w}", &word))
            }
        };
        Some(view! { <span class=class>{message}</span> })
    };
    let invalid = move || {
        current.with(|a| {
            a.as_ref().is_some_and(|a| {
                !matches!(a.verdict, Verdict::Ok | Verdict::TooFew) && !a.line.trim().is_empty()
            })
        })
    };
    let suggestions = move || {
        let answer = current.get();
        input.with(|i| {
            i.completions(answer.as_ref())
                .map(|a| a.completions.clone())
                .unwrap_or_default()
        })
    };
    let has_suggestions = move || !suggestions().is_empty() && !line.with(String::is_empty);

    view! {
        <div
            class="prompt-box"
            on:keydown=move |ev: KeyboardEvent| {
                if ev.key() == "Escape" && (docs_open.get_untracked() || show_history.get_untracked()) {
                    close_panels();
                }
            }
        >
            // Drawn only while open (a saved history holds up to 500 lines), over the log just
            // above the prompt, from an anchor at the top of the prompt's box.
            <div class="history-anchor">
            {move || show_history.get().then(|| view! {
            <div class="history-list">
                <input
                    type="search"
                    placeholder=move || teach_text().history_filter
                    aria-label=move || teach_text().history_filter
                    on:input=move |ev| history_filter.set(event_target_value(&ev))
                />
                <ul>
                    {move || {
                        let filter = history_filter.get();
                        input.with(|i| i.history.matching(&filter)).into_iter().map(|l| {
                            let chosen = l.clone();
                            view! {
                                <li><button class="history-line" on:click=move |_| {
                                    show_history.set(false);
                                    put(&chosen, chosen.len());
                                    focus();
                                }>{l}</button></li>
                            }
                        }).collect_view()
                    }}
                </ul>
            </div>
            })}
            </div>
            <div class="input-line">
                <span class="prompt" aria-hidden="true">{move || prompt.get()}</span>
                <div class="editor">
                    <pre class="highlight" aria-hidden="true">{highlight}" "</pre>
                    <textarea
                        node_ref=field
                        rows="1"
                        // Not in a course page's iframe: the reader is reading the page.
                        autofocus=shared.embed.is_none()
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        placeholder=move || text().console.placeholder
                        aria-label=move || text().console.input_label
                        aria-invalid=move || invalid().to_string()
                        aria-describedby=format!("prompt-verdict-{pane} prompt-hint-{pane}")
                        aria-autocomplete="list"
                        aria-controls=format!("prompt-suggestions-{pane}")
                        on:keydown=on_keydown
                        on:input=move |_| ask()
                        on:keyup=move |_| ask()
                        on:click=move |_| ask()
                    ></textarea>
                </div>
            </div>
            <div class="assist-row">
                <span id=format!("prompt-verdict-{pane}") role="status">{verdict}</span>
                <span id=format!("prompt-hint-{pane}") class="sr-only">
                    {move || current.get().map(|a| a.hint).unwrap_or_default()}
                </span>
                {move || input.with(|i| i.search.clone()).map(|s| {
                    let t = teach_text();
                    let label = if s.found.is_none() && !s.query.is_empty() { t.reverse_failed } else { t.reverse_search };
                    view! {
                        <span class="rsearch" role="status">
                            {format!("{label}`{}': ", s.query)}
                            <span class="rsearch-found">{s.found.map(|(_, l)| l).unwrap_or_default()}</span>
                        </span>
                    }
                })}
            </div>
            <ul
                id=format!("prompt-suggestions-{pane}")
                class="suggestions"
                role="listbox"
                aria-label=move || teach_text().suggestions
                hidden=move || !has_suggestions()
            >
                {move || suggestions().into_iter().enumerate().map(|(i, c)| {
                    let class = match c.kind {
                        WordKind::Command | WordKind::Subcommand => "suggestion w-command",
                        WordKind::Key => "suggestion w-key",
                        _ => "suggestion w-option",
                    };
                    view! {
                        <li
                            class=class
                            role="option"
                            aria-selected=move || input.with(|input| input.selected == Some(i)).to_string()
                            on:mousedown=move |ev| { ev.prevent_default(); pick(i); }
                        >{c.text}</li>
                    }
                }).collect_view()}
            </ul>
            <div class="prompt-tools">
                <button
                    class="tool"
                    aria-pressed=move || shared.show_resp.get().to_string()
                    on:click=toggle_resp
                >{move || teach_text().raw_resp}</button>
                <button
                    class="tool"
                    aria-expanded=move || show_history.get().to_string()
                    on:click=move |_| show_history.update(|s| *s = !*s)
                >{move || teach_text().history}</button>
                <button
                    class="tool"
                    aria-expanded=move || docs_open.get().to_string()
                    on:click=move |_| docs_open.update(|o| *o = !*o)
                >{move || teach_text().docs_button}" (F1)"</button>
                <button
                    class="tool"
                    aria-expanded=move || editor_open.get().to_string()
                    on:click=move |_| editor_open.update(|o| *o = !*o)
                >{move || teach_text().editor_button}</button>
            </div>
            <crate::console::editor::ScriptEditor
                open=editor_open
                pane=pane
                on_run=Callback::new(move |line: String| on_submit.run(line))
            />
            <DocsPanel
                open=docs_open
                doc=doc
                // An example's lines run one by one, each echoed as if typed.
                on_run=Callback::new(move |example: String| {
                    for line in example.lines() {
                        on_submit.run(line.to_string());
                    }
                })
            />
        </div>
    }
}
