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

use crate::app::{use_shared, Tab};
use crate::console::docs_panel::DocsPanel;
use crate::console::history::History;
use crate::console::teach::{self, Edit};
use crate::prefs;
use keyspace_protocol::assist::{Assist, Verdict, WordKind};
use keyspace_protocol::console::PaneId;
use keyspace_protocol::Request;

/// Ctrl+R in progress: what is searched for and the line found (with its history index).
#[derive(Clone, Debug, PartialEq)]
struct Search {
    query: String,
    found: Option<(usize, String)>,
    /// The input's text before the search, given back by Ctrl+G.
    before: String,
}

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
    let history = RwSignal::new(History::from_saved(
        &prefs::load("history").unwrap_or_default(),
    ));
    let field = NodeRef::<leptos::html::Textarea>::new();
    let line = RwSignal::new(String::new());
    let cursor = RwSignal::new(0usize);
    // Tab cycles through the completions of the answer it started from.
    let cycle = RwSignal::new(None::<Assist>);
    let selected = RwSignal::new(None::<usize>);
    let search = RwSignal::new(None::<Search>);
    let show_history = RwSignal::new(false);
    let history_filter = RwSignal::new(String::new());
    let docs_open = RwSignal::new(false);
    // Tab was pressed before the worker's completions for the line arrived: complete when
    // they do (rather than letting Tab move the focus away from a line being typed).
    let tab_waiting = RwSignal::new(None::<bool>);

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
        // A pasted pipeline stays out of the history: it is one paste away, and thousands of
        // lines would push out everything typed before.
        if !value.contains('\n') {
            history.update(|h| h.push(&value));
        }
        prefs::save("history", &history.with_untracked(History::saved));
        cycle.set(None);
        selected.set(None);
        put("", 0);
        on_submit.run(value);
    };

    // Tab (or Shift+Tab): the next (previous) completion in place of the word. On an empty
    // line Tab moves the focus on as usual (to the buttons and the docs panel, for those who
    // use only the keyboard); on a line being typed it is always the console's: it completes,
    // or does nothing, or waits for the completions still on their way.
    let tab = move |back: bool| {
        let Some(base) = cycle.get_untracked().or_else(|| current.get_untracked()) else {
            tab_waiting.set(Some(back));
            return;
        };
        let n = base.completions.len();
        if n == 0 {
            return;
        }
        let next = match (selected.get_untracked(), back) {
            (None, false) => 0,
            (None, true) => n - 1,
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
        };
        let (value, at) = teach::complete_with(
            &base.line,
            base.from,
            base.cursor,
            &base.completions[next].text,
        );
        cycle.set(Some(base));
        selected.set(Some(next));
        put(&value, at);
    };
    Effect::new(move || {
        if current.with(Option::is_some) {
            if let Some(back) = tab_waiting.get_untracked() {
                tab_waiting.set(None);
                tab(back);
            }
        }
    });
    // A click on a suggestion puts it in, and ends any Tab cycle.
    let pick = move |i: usize| {
        let base = cycle.get_untracked().or_else(|| current.get_untracked());
        if let Some(c) = base
            .as_ref()
            .and_then(|b| b.completions.get(i).map(|c| (b, c)))
        {
            let (base, completion) = c;
            let (value, at) =
                teach::complete_with(&base.line, base.from, base.cursor, &completion.text);
            cycle.set(None);
            selected.set(None);
            put(&value, at);
        }
        focus();
    };

    let find = move |query: &str, before: Option<usize>| {
        history.with_untracked(|h| h.search(query, before).map(|(i, l)| (i, l.to_string())))
    };
    let end_search = move |accept: bool| {
        if let Some(s) = search.get_untracked() {
            search.set(None);
            let value = match (accept, s.found) {
                (true, Some((_, found))) => found,
                _ => s.before,
            };
            put(&value, value.len());
        }
    };
    let on_search_key = move |ev: &KeyboardEvent, s: Search| {
        let key = ev.key();
        let ctrl = ev.ctrl_key();
        ev.prevent_default();
        match key.as_str() {
            "r" | "R" if ctrl => {
                let older = find(&s.query, s.found.as_ref().map(|(i, _)| *i));
                if older.is_some() {
                    search.set(Some(Search { found: older, ..s }));
                }
            }
            "g" | "G" | "c" | "C" if ctrl => end_search(false),
            "Enter" => {
                end_search(true);
                submit();
            }
            "Backspace" => {
                let mut query = s.query.clone();
                query.pop();
                let found = find(&query, None);
                search.set(Some(Search { query, found, ..s }));
            }
            "Escape" | "Tab" | "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home"
            | "End" => end_search(true),
            k if k.chars().count() == 1 && !ctrl && !ev.meta_key() && !ev.alt_key() => {
                let query = format!("{}{k}", s.query);
                let found = find(&query, None);
                search.set(Some(Search { query, found, ..s }));
            }
            _ => {}
        }
    };

    let on_keydown = move |ev: KeyboardEvent| {
        if let Some(s) = search.get_untracked() {
            on_search_key(&ev, s);
            return;
        }
        let key = ev.key();
        if key != "Tab" && key != "Shift" {
            cycle.set(None);
            selected.set(None);
            tab_waiting.set(None);
        }
        let ctrl = ev.ctrl_key() && !ev.meta_key() && !ev.alt_key();
        let value = line.get_untracked();
        let at = cursor.get_untracked();
        let readline = |edit: Edit| {
            ev.prevent_default();
            let (value, at) = teach::edit(&value, at, edit);
            put(&value, at);
        };
        match key.as_str() {
            // Enter also confirms an IME composition (typing 中文): that is not a command.
            "Enter" if !ev.is_composing() && !ev.shift_key() => {
                ev.prevent_default();
                submit();
            }
            "Tab" if !ctrl && !value.trim().is_empty() => {
                ev.prevent_default();
                tab(ev.shift_key());
            }
            // Up and Down walk the history from the first and last lines of the input.
            "ArrowUp" if !value[..at].contains('\n') => {
                ev.prevent_default();
                let recalled = history
                    .try_update(|h| h.up(&value).map(str::to_string))
                    .flatten();
                if let Some(recalled) = recalled {
                    put(&recalled, recalled.len());
                }
            }
            "ArrowDown" if !value[at..].contains('\n') => {
                ev.prevent_default();
                let recalled = history
                    .try_update(|h| h.down().map(str::to_string))
                    .flatten();
                if let Some(recalled) = recalled {
                    put(&recalled, recalled.len());
                }
            }
            "F1" => {
                ev.prevent_default();
                docs_open.update(|open| *open = !*open);
            }
            "Escape" => close_panels(),
            "r" | "R" if ctrl => {
                ev.prevent_default();
                search.set(Some(Search {
                    query: String::new(),
                    found: None,
                    before: value.clone(),
                }));
            }
            "a" | "A" if ctrl => readline(Edit::LineStart),
            "e" | "E" if ctrl => readline(Edit::LineEnd),
            "u" | "U" if ctrl => readline(Edit::KillToStart),
            "k" | "K" if ctrl => readline(Edit::KillToEnd),
            "w" | "W" if ctrl => readline(Edit::KillWord),
            "l" | "L" if ctrl => {
                ev.prevent_default();
                on_clear.run(());
            }
            _ => {}
        }
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
        cycle
            .get()
            .or_else(|| current.get())
            .map(|a| a.completions)
            .unwrap_or_default()
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
                        history.with(|h| h.matching(&filter)).into_iter().map(|l| {
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
                        autofocus
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
                {move || search.get().map(|s| {
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
                            aria-selected=move || (selected.get() == Some(i)).to_string()
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
            </div>
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
