//! The script editor: Lua for EVAL or FUNCTION LOAD written over several lines, highlighted,
//! with line numbers, keys and arguments as fields, run in its pane with one key. What it types
//! is one command line (the script as one quoted argument, `keyspace_protocol::script`), so it
//! is echoed, kept in the history and shared like any typed line; an error that names a line
//! of the script marks that line. [`lua_code`] draws code the same way, read-only, for the
//! Server tab's list of scripts and libraries.

use leptos::prelude::*;

use crate::i18n::fill;
use crate::state::use_shared;
use keyspace_protocol::console::{LineKind, PaneId};
use keyspace_protocol::script::{self, TokenKind};

/// What the editor's code is run as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Eval,
    Library,
}

/// The release of the guide's lock: delete the key only if it still holds our token.
const EVAL_START: &str = "-- Release a lock only if it is still ours.\n\
if redis.call('GET', KEYS[1]) == ARGV[1] then\n  return redis.call('DEL', KEYS[1])\nend\nreturn 0";
const EVAL_KEYS: &str = "lock:order:1";
const EVAL_ARGS: &str = "token-a";
/// A fixed-window rate limiter as a library: FCALL hit 1 rate:user:1 60.
const LIBRARY_START: &str = "#!lua name=ratelimit\n\n\
-- FCALL hit 1 rate:user:1 60: this window's hits so far.\n\
redis.register_function('hit', function(keys, args)\n  local hits = redis.call('INCR', keys[1])\n  \
if hits == 1 then\n    redis.call('EXPIRE', keys[1], args[1])\n  end\n  return hits\nend)";

fn class(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Keyword => "lua-keyword",
        TokenKind::Redis => "lua-redis",
        TokenKind::Name => "lua-name",
        TokenKind::Number => "lua-number",
        TokenKind::String => "lua-string",
        TokenKind::Comment => "lua-comment",
        TokenKind::Other => "lua-other",
    }
}

/// Lua, highlighted (the trailing newline keeps an empty last line as tall as the others).
fn highlighted(code: &str) -> impl IntoView {
    let spans = script::tokens(code)
        .into_iter()
        .map(|(kind, text)| view! { <span class=class(kind)>{text.to_string()}</span> })
        .collect_view();
    view! { {spans} "\n" }
}

/// The line numbers beside `lines` lines of code, `marked` (an error's) outlined.
fn gutter(lines: usize, marked: Option<usize>) -> impl IntoView {
    (1..=lines.max(1))
        .map(|n| view! { <span class="gutter-line" class:marked=marked == Some(n)>{n}"\n"</span> })
        .collect_view()
}

/// Code drawn as the editor draws it, read-only.
pub fn lua_code(code: String) -> impl IntoView {
    let lines = code.lines().count();
    view! {
        <div class="code-view">
            <pre class="editor-gutter" aria-hidden="true">{gutter(lines, None)}</pre>
            <pre class="editor-highlight">{highlighted(&code)}</pre>
        </div>
    }
}

#[component]
pub fn ScriptEditor(
    open: RwSignal<bool>,
    pane: PaneId,
    /// Runs a line in the pane, as typed there.
    #[prop(into)]
    on_run: Callback<String>,
) -> impl IntoView {
    let shared = use_shared();
    let t = move || shared.text.get().console;
    let mode = RwSignal::new(Mode::Eval);
    let eval_code = RwSignal::new(EVAL_START.to_string());
    let library_code = RwSignal::new(LIBRARY_START.to_string());
    let keys = RwSignal::new(EVAL_KEYS.to_string());
    let args = RwSignal::new(EVAL_ARGS.to_string());
    let code = move || match mode.get() {
        Mode::Eval => eval_code,
        Mode::Library => library_code,
    };
    let line = move || match mode.get() {
        Mode::Eval => script::eval_line(&eval_code.get(), &keys.get(), &args.get()),
        Mode::Library => script::function_load_line(&library_code.get()),
    };
    // The console entry of the last run, whose reply may name a line of the script.
    let sent = RwSignal::new(None::<u64>);
    let error = Memo::new(move |_| {
        let id = sent.get()?;
        let pane = shared
            .panes
            .with(|panes| panes.iter().find(|p| p.id == pane).copied())?;
        pane.log.with(|log| {
            let reply = log.entries.iter().find(|e| e.id == id)?.reply.as_ref()?;
            let first = reply.lines.first()?;
            (first.kind == LineKind::Error).then(|| first.text.clone())
        })
    });
    let error_line = move || error.get().and_then(|e| script::error_line(&e));
    let run = move || {
        on_run.run(line());
        let last = shared.panes.with_untracked(|panes| {
            panes
                .iter()
                .find(|p| p.id == pane)
                .and_then(|p| p.log.with_untracked(|l| l.entries.last().map(|e| e.id)))
        });
        sent.set(last);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            run();
        } else if ev.key() == "Escape" {
            open.set(false);
        }
    };
    let mode_button = move |which: Mode, label: &'static str| {
        view! {
            <button
                class="form"
                aria-pressed=move || (mode.get() == which).to_string()
                on:click=move |_| {
                    mode.set(which);
                    sent.set(None);
                }
            >{label}</button>
        }
    };
    let body = move || {
        view! {
            <div class="editor-modes" role="group" aria-label=move || t().editor_mode>
                <span class="forms-label">{move || t().editor_mode}</span>
                {mode_button(Mode::Eval, "EVAL")}
                {mode_button(Mode::Library, "FUNCTION LOAD")}
            </div>
            <div class="editor-code">
                <pre class="editor-gutter" aria-hidden="true">
                    {move || gutter(code().with(|c| c.split('\n').count()), error_line())}
                </pre>
                <div class="editor-area">
                    <pre class="editor-highlight" aria-hidden="true">{move || code().with(|c| highlighted(c))}</pre>
                    <textarea
                        class="editor-input"
                        aria-label=move || t().editor_code
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        wrap="off"
                        rows=move || code().with(|c| c.split('\n').count())
                        prop:value=move || code().get()
                        on:input=move |ev| code().set(event_target_value(&ev))
                        on:keydown=on_keydown
                    ></textarea>
                </div>
            </div>
            {move || (mode.get() == Mode::Eval).then(|| view! {
                <div class="editor-fields">
                    <label>{move || t().editor_keys}
                        <input type="text" spellcheck="false" prop:value=move || keys.get()
                            on:input=move |ev| keys.set(event_target_value(&ev)) on:keydown=on_keydown/>
                    </label>
                    <label>{move || t().editor_args}
                        <input type="text" spellcheck="false" prop:value=move || args.get()
                            on:input=move |ev| args.set(event_target_value(&ev)) on:keydown=on_keydown/>
                    </label>
                </div>
            })}
            <p class="editor-types">{move || t().editor_types} " " <code>{line}</code></p>
            {move || error.get().map(|e| {
                let at = error_line().map(|n| fill(t().editor_error_line, n));
                view! { <p class="editor-error" role="status">{at} " " {e}</p> }
            })}
            <div class="editor-actions">
                <button class="editor-run" on:click=move |_| run()>{move || t().editor_run}</button>
            </div>
        }
    };
    view! {
        <aside class="editor-panel" hidden=move || !open.get() aria-label=move || t().editor_title>
            <div class="docs-head">
                <p class="docs-title">{move || t().editor_title}</p>
                <button class="docs-close" aria-label=move || t().editor_close on:click=move |_| open.set(false)>"×"</button>
            </div>
            {move || open.get().then(body)}
        </aside>
    }
}
