//! A lesson played in the Replication view: a built-in scenario written for nodes (its
//! `nodes` in the scenario list is not 0), opened from the view's picker or from the scenario
//! player's, and played step by step by the worker on the view's own topology.
//!
//! The panel sits in a column of its own beside the nodes, so that narration of any length
//! never moves a card. It shows the lesson's title and introduction, every step (its
//! narration, what it does to the network in words, its commands as `port> line`), each
//! played step's replies with a mark (as the lesson expected, or not: then both texts), the
//! wait after the step just played as the clock runs through it, and what to take away after
//! the last step. Back, Next, Restart and Leave are buttons, and → ← PageDown PageUp Home on
//! the keyboard (as in the scenario player) whenever the focus is not in a console.
//!
//! The worker answers every move with the whole lesson ([`LessonView`]); the page keeps
//! nothing of its own but the scrollback, which it clears when a move goes backward (the
//! worker rebuilds the topology and replays the steps before it, answering each line again).

use std::cmp::Ordering;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::repl::ReplStrings;
use crate::i18n::{fill, put, Strings};
use crate::scenario::stepping::{format_elapsed, handled_by_target, scroll_into};
use crate::state::{use_shared, Shared, Tab};
use keyspace_protocol::repl::{latency_text, LessonCommand, LessonView, ReplRequest};
use keyspace_protocol::scenario::ScenarioSummary;
use keyspace_protocol::Request;

/// Opens lesson `id` on the Replication tab: the worker builds its topology afresh, so the
/// old nodes' scrollback goes.
pub fn open(shared: Shared, id: String) {
    let r = shared.repl;
    // The lesson's topology is the view's first one when the view was never shown.
    r.opened.set_value(true);
    r.logs.set(Default::default());
    shared.tab.set(Tab::Replication);
    shared.send(Request::Repl(ReplRequest::Lesson { id: Some(id) }));
}

/// Leaves the lesson: the topology stays as it is, to play on freely.
fn leave(shared: Shared) {
    shared.send(Request::Repl(ReplRequest::Lesson { id: None }));
}

/// Goes to the lesson's state after `position` steps. Backward, the worker replays the steps
/// before it and answers their lines again: the panes start empty for them.
fn go(shared: Shared, position: usize) {
    let r = shared.repl;
    let Some(now) = r.lesson.with_untracked(|l| l.as_ref().map(|l| l.position)) else {
        return;
    };
    if position < now {
        r.logs.set(Default::default());
    }
    shared.send(Request::Repl(ReplRequest::LessonTo { position }));
}

/// The scenarios that are lessons of this view, in the scenario list's order.
pub fn lessons(list: &[ScenarioSummary]) -> impl Iterator<Item = &ScenarioSummary> {
    list.iter().filter(|item| item.nodes > 0)
}

/// A lesson's network action as written in its file (`cut 6379 6380`, `stop 6379`,
/// `latency 200`) in the page's words; one the page does not know is shown as written.
pub fn network_words(action: &str, t: &ReplStrings) -> String {
    let words: Vec<&str> = action.split_whitespace().collect();
    let verb = words
        .first()
        .map(|v| v.to_ascii_lowercase())
        .unwrap_or_default();
    let node = |text: &str, port: &str| put(text, "p", port);
    match (verb.as_str(), words.get(1..).unwrap_or_default()) {
        ("cut", [a, b]) => put(&put(t.net_cut, "a", a), "b", b),
        ("heal", [a, b]) => put(&put(t.net_heal, "a", a), "b", b),
        ("isolate", [p]) => node(t.net_isolate, p),
        ("rejoin", [p]) => node(t.net_rejoin, p),
        ("stop", [p]) => node(t.net_stop, p),
        ("crash", [p]) => node(t.net_crash, p),
        ("start", [p]) => node(t.net_start, p),
        ("latency", [ms]) => match ms.parse() {
            Ok(ms) => put(t.net_latency, "ms", &latency_text(ms)),
            Err(_) => action.to_string(),
        },
        _ => action.to_string(),
    }
}

/// The picker in the view's bar: free play, or one of the lessons (titles in the page's
/// language). Hidden until the scenario list holds a lesson.
#[component]
pub fn LessonPicker() -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let list = shared.scenario.list;
    let text = move || shared.text.get();
    let current = move || {
        r.lesson
            .with(|l| l.as_ref().map(|l| l.id.clone()))
            .unwrap_or_default()
    };
    view! {
        <label class="repl-lesson-pick" hidden=move || list.with(|list| lessons(list).next().is_none())>
            {move || text().repl.lesson}
            <select data-control="lesson" prop:value=current on:change=move |ev| {
                let id = event_target_value(&ev);
                if id.is_empty() {
                    leave(shared);
                } else {
                    open(shared, id);
                }
            }>
                <option value="">{move || text().repl.free_play}</option>
                {lesson_options(shared)}
            </select>
        </label>
    }
}

/// The lessons as a picker's options, their titles in the page's language.
pub fn lesson_options(shared: Shared) -> impl IntoView {
    let list = shared.scenario.list;
    move || {
        let lang = shared.text.get().lang;
        list.with(|list| {
            lessons(list)
                .map(|item| view! { <option value=item.id.clone()>{item.title.get(lang).to_string()}</option> })
                .collect_view()
        })
    }
}

/// The open lesson's panel; nothing when none is open. Each move redraws it in place from the
/// worker's [`LessonView`] (the same elements, their texts and classes updated), so that the
/// focus stays on the button pressed and the list keeps its scroll.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let id = Memo::new(move |_| r.lesson.with(|l| l.as_ref().map(|l| l.id.clone())));
    let position = Memo::new(move |_| r.lesson.with(|l| l.as_ref().map(|l| l.position)));
    // Next has the focus when a lesson opens, so that Enter or Space plays it at once; the
    // step just played and the one after it (or the lesson's text) stay in view. Both once
    // the panel is drawn.
    Effect::new(move || {
        if id.get().is_some() {
            request_animation_frame(|| {
                if let Some(next) = element("[data-control=\"lesson-next\"]") {
                    let _ = next.focus();
                }
            });
        }
    });
    Effect::new(move || {
        let Some(at) = position.get() else {
            return;
        };
        request_animation_frame(move || {
            let Some(list) = element(".repl-lesson-steps") else {
                return;
            };
            // The last brought into view is the one sure to be whole: the step just played,
            // or at the end the lesson's text.
            let count = list
                .query_selector_all("[data-step]")
                .map_or(0, |all| all.length());
            let order = if at + 2 >= count as usize {
                [at, at + 1]
            } else {
                [at + 1, at]
            };
            for n in order {
                if let Ok(Some(item)) = list.query_selector(&format!("[data-step=\"{n}\"]")) {
                    scroll_into(&list, &item);
                }
            }
        });
    });
    // The keys of the scenario player, while this view is shown and no field has the focus.
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let Some((at, count)) = r
            .lesson
            .with_untracked(|l| l.as_ref().map(|l| (l.position, l.steps.len())))
        else {
            return;
        };
        if shared.tab.get_untracked() != Tab::Replication
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
            || ev.default_prevented()
            || handled_by_target(&ev)
        {
            return;
        }
        let to = match ev.key().as_str() {
            "ArrowRight" | "PageDown" if at < count => at + 1,
            "ArrowLeft" | "PageUp" if at > 0 => at - 1,
            "Home" if at > 0 => 0,
            _ => return,
        };
        ev.prevent_default();
        go(shared, to);
    });
    on_cleanup(move || keys.remove());

    let text = move || shared.text.get();
    let head = move || {
        r.lesson
            .with(|l| l.as_ref().map(|l| head(shared, l, text())))
    };
    let steps = move || {
        r.lesson
            .with(|l| l.as_ref().map(|l| steps(shared, l, text())))
    };
    move || {
        id.get().map(|id| {
            view! {
                <aside class="repl-lesson" aria-label=move || text().repl.lesson data-lesson=id>
                    {head}
                    <Wait />
                    <ol class="repl-lesson-steps" aria-live="polite">{steps}</ol>
                    <p class="hint">{move || text().repl.lesson_hint}</p>
                </aside>
            }
        })
    }
}

/// The element of the page `selector` finds.
fn element(selector: &str) -> Option<web_sys::HtmlElement> {
    document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
}

/// The panel's head: the title, how far the lesson is, its controls.
fn head(shared: Shared, l: &LessonView, t: &'static Strings) -> impl IntoView {
    let (at, count) = (l.position, l.steps.len());
    let progress = match at {
        0 => t.scenario.intro_title.to_string(),
        n => fill(t.scenario.step_of, n).replace("{m}", &count.to_string()),
    };
    view! {
        <div class="repl-lesson-top">
            <h2 class="repl-lesson-title">{l.title.get(t.lang).to_string()}</h2>
            <button data-control="lesson-leave" on:click=move |_| leave(shared)>{t.repl.leave}</button>
        </div>
        <div class="repl-lesson-progress">
            <span>{progress}</span>
            <progress max=count value=at></progress>
        </div>
        <div class="repl-lesson-controls" role="toolbar">
            <button data-control="lesson-back" disabled={at == 0}
                on:click=move |_| go(shared, at.saturating_sub(1))>{t.scenario.back}</button>
            <button data-control="lesson-next" disabled={at >= count}
                on:click=move |_| go(shared, at + 1)>{t.scenario.next}</button>
            <button data-control="lesson-restart" disabled={at == 0} on:click=move |_| go(shared, 0)>{t.scenario.restart}</button>
        </div>
    }
}

/// The wait after the step just played, as the clock runs through it (the clock stops at
/// its end). The line is always there, so that the steps below never move for it.
#[component]
fn Wait() -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    move || {
        let t = shared.text.get().scenario;
        let now = r.topology.with(|t| t.as_ref().map_or(0, |t| t.now_ms));
        let (wait, before_next) = r.lesson.with(|l| {
            l.as_ref()
                .map(|l| (l.wait, l.position < l.steps.len()))
                .unwrap_or_default()
        });
        let shown = wait.filter(|w| w.ms > 0).map(|w| {
            let done = now.saturating_sub(w.from_ms).min(w.ms);
            let span = format_elapsed(w.ms);
            let span = span.trim_start_matches('+');
            let words = if done == 0 && before_next {
                t.wait_next.replace("{t}", span)
            } else {
                let passed = format_elapsed(done);
                (t.wait_passing.replace("{t}", span))
                    .replace("{done}", passed.trim_start_matches('+'))
            };
            view! {
                <span>{words}</span>
                <progress max=w.ms value=done></progress>
            }
        });
        let (ms, done) = wait.map_or((0, 0), |w| (w.ms, now.saturating_sub(w.from_ms).min(w.ms)));
        view! { <p class="repl-lesson-wait" data-wait-ms=ms data-waited-ms=done>{shown}</p> }
    }
}

/// The introduction, every step (its narration, a button that goes to right after it; what it
/// does to the network; its commands, with their replies and marks once played), and the
/// lesson's text once every step is played.
fn steps(shared: Shared, l: &LessonView, t: &'static Strings) -> impl IntoView {
    let at = l.position;
    let items = (l.steps.iter().enumerate())
        .map(|(index, step)| {
            let n = index + 1;
            let report = l.reports.get(index);
            let state = match n.cmp(&at) {
                Ordering::Less => " done",
                Ordering::Equal => " done current",
                Ordering::Greater if n == at + 1 => " next",
                Ordering::Greater => "",
            };
            let when = match report {
                Some(report) => format_elapsed(report.at_ms),
                None if n == at + 1 => t.repl.up_next.to_string(),
                None => String::new(),
            };
            let network = (!step.network.is_empty()).then(|| {
                let actions = (step.network.iter())
                    .map(|action| view! { <li data-action=action.clone()>{network_words(action, t.repl)}</li> })
                    .collect_view();
                view! { <ul class="repl-lesson-net">{actions}</ul> }
            });
            let commands = match report {
                Some(report) => (report.commands.iter())
                    .map(|c| command(c, true, t))
                    .collect_view(),
                None => (step.run.iter())
                    .map(|line| {
                        let c = LessonCommand {
                            port: step.port,
                            line: line.clone(),
                            ..LessonCommand::default()
                        };
                        command(&c, false, t)
                    })
                    .collect_view(),
            };
            view! {
                <li class=format!("repl-lesson-step{state}") data-step=n>
                    <button class="repl-lesson-jump" aria-current=(n == at).then_some("step")
                        on:click=move |_| go(shared, n)>
                        <span class="repl-lesson-n">{n}</span>
                        <span class="repl-lesson-say">{step.say.get(t.lang).to_string()}</span>
                        <span class="repl-lesson-at">{when}</span>
                    </button>
                    {network}
                    <div class="repl-lesson-commands">
                        <span class="repl-lesson-client">{step.client.clone()}</span>
                        {commands}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <li class={if at == 0 { "repl-lesson-step current" } else { "repl-lesson-step" }} data-step="0">
            <button class="repl-lesson-jump" aria-current=(at == 0).then_some("step")
                on:click=move |_| go(shared, 0)>
                <span class="repl-lesson-n">"0"</span>
                <span class="repl-lesson-say">{t.scenario.intro_title}</span>
            </button>
            <p class="repl-lesson-intro">{l.intro.get(t.lang).to_string()}</p>
        </li>
        {items}
        <li class="repl-lesson-end" data-step=l.steps.len() + 1 hidden={at < l.steps.len()}>
            <h3>{t.scenario.lesson_title}</h3>
            <p data-figure="lesson-text">{l.lesson.get(t.lang).to_string()}</p>
        </li>
    }
}

/// A step's command as `port> line`; once played, its reply and whether it is what the
/// lesson expected (when it said): a mismatch shows both texts.
fn command(c: &LessonCommand, played: bool, t: &'static Strings) -> impl IntoView {
    let ok = c.as_expected();
    let mark = played.then_some(match &c.expected {
        None => "none",
        Some(_) if ok => "yes",
        Some(_) => "no",
    });
    let reply = played.then(|| {
        let tick = (ok && c.expected.is_some())
            .then(|| view! { <span class="repl-lesson-ok" title=t.repl.as_expected>"✓"</span> });
        let mismatch = c.expected.clone().filter(|_| !ok).map(|expected| {
            view! {
                <div class="repl-lesson-mismatch" role="note">
                    <strong>"≠ " {t.repl.not_expected}</strong>
                    <div>{t.scenario.expected} " " <code>{expected}</code></div>
                    <div>{t.repl.got} " " <code>{c.rendered.clone()}</code></div>
                </div>
            }
        });
        view! {
            <div class="repl-lesson-reply">
                <pre>{c.rendered.clone()}</pre>
                {tick}
                {mismatch}
            </div>
        }
    });
    view! {
        <div class={if played && !ok { "repl-lesson-command unexpected" } else { "repl-lesson-command" }} data-expected=mark>
            <code class="repl-lesson-line">{format!("{}> {}", c.port, c.line)}</code>
            {reply}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::repl::{EN, ZH_TW};
    use keyspace_protocol::scenario::Bilingual;

    #[test]
    fn network_actions_read_as_words() {
        assert_eq!(
            network_words("cut 6379 6380", &EN),
            "cut the link 6379–6380"
        );
        assert_eq!(
            network_words("heal 6379 6380", &ZH_TW),
            "恢復 6379–6380 之間的連線"
        );
        assert_eq!(
            network_words("isolate 6380", &EN),
            "partition 6380 from the others"
        );
        assert_eq!(network_words("rejoin 6380", &EN), "heal 6380's partition");
        assert_eq!(
            network_words("Stop 6379", &EN),
            "stop 6379 (SHUTDOWN: it saves first)"
        );
        assert_eq!(
            network_words("crash 6379", &ZH_TW),
            "讓 6379 當機（直接終止，什麼都沒存）"
        );
        assert_eq!(network_words("start 6381", &EN), "start 6381");
        assert_eq!(
            network_words("latency 200", &EN),
            "every link's latency to 200 ms"
        );
        assert_eq!(
            network_words("latency 5000", &EN),
            "every link's latency to 5 s"
        );
        // What the page does not know is left as the lesson wrote it.
        assert_eq!(network_words("latency soon", &EN), "latency soon");
        assert_eq!(network_words("cut 6379", &EN), "cut 6379");
        assert_eq!(network_words("", &EN), "");
    }

    #[test]
    fn lessons_are_the_scenarios_with_nodes() {
        let summary = |id: &str, nodes| ScenarioSummary {
            id: id.into(),
            title: Bilingual::default(),
            nodes,
        };
        let list = [
            summary("cache-aside", 0),
            summary("wait", 2),
            summary("resync", 3),
        ];
        let ids: Vec<&str> = lessons(&list).map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["wait", "resync"]);
    }
}
