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

use leptos::ev::KeyboardEvent;
use leptos::html::{Button, Ol};
use leptos::prelude::*;

use crate::i18n::repl::ReplStrings;
use crate::i18n::{fill, put};
use crate::scenario::view::{format_elapsed, handled_by_target, scroll_into};
use crate::state::{use_shared, Shared, Tab};
use keyspace_protocol::repl::{latency_text, LessonCommand, LessonStep, LessonView, ReplRequest};
use keyspace_protocol::scenario::{Bilingual, ScenarioSummary};
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
    let verb = words.first().map(|v| v.to_ascii_lowercase()).unwrap_or_default();
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
/// language). Shown once the scenario list holds a lesson.
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
    move || {
        list.with(|list| lessons(list).next().is_some()).then(|| {
            view! {
                <label class="repl-lesson-pick">
                    {move || text().repl.lesson}
                    <select data-control="lesson" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        if id.is_empty() {
                            leave(shared);
                        } else {
                            open(shared, id);
                        }
                    }>
                        <option value="" prop:selected=move || current().is_empty()>{move || text().repl.free_play}</option>
                        {move || list.with(|list| lessons(list).map(|item| {
                            let (id, title) = (item.id.clone(), item.title.clone());
                            view! {
                                <option value=id.clone() prop:selected=move || current() == id>
                                    {move || title.get(text().lang).to_string()}
                                </option>
                            }
                        }).collect_view())}
                    </select>
                </label>
            }
        })
    }
}

/// The open lesson's panel; nothing when none is open. Built once per lesson (its steps do
/// not change), so that the focus stays on Next from step to step.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let r = use_shared().repl;
    let id = Memo::new(move |_| r.lesson.with(|l| l.as_ref().map(|l| l.id.clone())));
    move || id.get().map(|id| view! { <Panel id /> })
}

#[component]
fn Panel(id: String) -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get();
    let lang = move || text().lang;
    let steps: Vec<LessonStep> = r
        .lesson
        .with_untracked(|l| l.as_ref().map(|l| l.steps.clone()))
        .unwrap_or_default();
    let count = steps.len();
    let position = Memo::new(move |_| r.lesson.with(|l| l.as_ref().map_or(0, |l| l.position)));
    let said = move |pick: fn(&LessonView) -> &Bilingual| {
        r.lesson.with(|l| {
            l.as_ref()
                .map(|l| pick(l).get(lang()).to_string())
                .unwrap_or_default()
        })
    };
    let progress = move || match position.get() {
        0 => text().scenario.intro_title.to_string(),
        n => fill(text().scenario.step_of, n).replace("{m}", &count.to_string()),
    };

    let next_button = NodeRef::<Button>::new();
    let list = NodeRef::<Ol>::new();
    // Next has the focus when the lesson opens, so that Enter or Space plays it at once.
    Effect::new(move || {
        if let Some(button) = next_button.get() {
            let _ = button.focus();
        }
    });
    // The step just played and the one after it (or the lesson's text) stay in view.
    Effect::new(move || {
        let at = position.get();
        let Some(list) = list.get() else {
            return;
        };
        let item = |n: usize| {
            list.query_selector(&format!("[data-step=\"{n}\"]"))
                .ok()
                .flatten()
        };
        let list: &web_sys::HtmlElement = &list;
        for n in [at + 1, at] {
            if let Some(item) = item(n) {
                scroll_into(list, &item);
            }
        }
    });
    // The keys of the scenario player, while this view is shown and no field has the focus.
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if shared.tab.get_untracked() != Tab::Replication
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
            || ev.default_prevented()
            || handled_by_target(&ev)
        {
            return;
        }
        let at = position.get_untracked();
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

    let items = steps
        .into_iter()
        .enumerate()
        .map(|(index, step)| view! { <Step index step position /> })
        .collect_view();

    view! {
        <aside class="repl-lesson" aria-label=move || text().repl.lesson data-lesson=id>
            <div class="repl-lesson-head">
                <h2 class="repl-lesson-title">{move || said(|l| &l.title)}</h2>
                <div class="repl-lesson-progress">
                    <span data-figure="lesson-position">{progress}</span>
                    <progress max=count value=move || position.get()></progress>
                </div>
                <div class="repl-lesson-controls" role="toolbar">
                    <button data-control="lesson-back" disabled=move || position.get() == 0
                        on:click=move |_| go(shared, position.get_untracked().saturating_sub(1))>
                        {move || text().scenario.back}
                    </button>
                    <button data-control="lesson-next" node_ref=next_button disabled=move || position.get() >= count
                        on:click=move |_| go(shared, position.get_untracked() + 1)>
                        {move || text().scenario.next}
                    </button>
                    <button data-control="lesson-restart" on:click=move |_| go(shared, 0)>
                        {move || text().scenario.restart}
                    </button>
                    <button data-control="lesson-leave" on:click=move |_| leave(shared)>
                        {move || text().repl.leave}
                    </button>
                </div>
                <Wait count position />
            </div>
            <ol class="repl-lesson-steps" node_ref=list aria-live="polite">
                <li class="repl-lesson-step" data-step="0" class:current=move || position.get() == 0>
                    <button class="repl-lesson-jump" aria-current=move || (position.get() == 0).then_some("step")
                        on:click=move |_| go(shared, 0)>
                        <span class="repl-lesson-n">"0"</span>
                        <span class="repl-lesson-say">{move || text().scenario.intro_title}</span>
                    </button>
                    <p class="repl-lesson-intro">{move || said(|l| &l.intro)}</p>
                </li>
                {items}
                <li class="repl-lesson-end" data-step=count + 1 hidden=move || position.get() < count>
                    <h3>{move || text().scenario.lesson_title}</h3>
                    <p data-figure="lesson-text">{move || said(|l| &l.lesson)}</p>
                </li>
            </ol>
            <p class="hint">{move || text().repl.lesson_hint}</p>
        </aside>
    }
}

/// The wait after the step just played, as the clock runs through it (the clock stops at
/// its end). The line is always there, so that the steps below never move for it.
#[component]
fn Wait(count: usize, position: Memo<usize>) -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get().scenario;
    let passed = move || {
        let wait = r.lesson.with(|l| l.as_ref().and_then(|l| l.wait))?;
        let now = r.topology.with(|t| t.as_ref().map_or(0, |t| t.now_ms));
        (wait.ms > 0).then(|| (now.saturating_sub(wait.from_ms).min(wait.ms), wait.ms))
    };
    let words = move || {
        passed().map(|(done, ms)| {
            let span = format_elapsed(ms);
            let span = span.trim_start_matches('+');
            if done == 0 && position.get() < count {
                text().wait_next.replace("{t}", span)
            } else {
                let done = format_elapsed(done);
                (text().wait_passing.replace("{t}", span)).replace("{done}", done.trim_start_matches('+'))
            }
        })
    };
    view! {
        <p class="repl-lesson-wait"
            data-wait-ms=move || passed().map(|(_, ms)| ms)
            data-waited-ms=move || passed().map(|(done, _)| done)>
            <span>{words}</span>
            {move || passed().map(|(done, ms)| view! { <progress max=ms value=done></progress> })}
        </p>
    }
}

/// One step: its narration (a button that goes to right after it), what it does to the
/// network, and its commands; once played, their replies and marks.
#[component]
fn Step(index: usize, step: LessonStep, position: Memo<usize>) -> impl IntoView {
    let shared = use_shared();
    let r = shared.repl;
    let text = move || shared.text.get();
    let played = move || index < position.get();
    let report = Memo::new(move |_| {
        r.lesson
            .with(|l| l.as_ref().and_then(|l| l.reports.get(index).cloned()))
    });
    let LessonStep {
        say,
        client,
        port,
        network,
        run,
        ..
    } = step;
    // Before it is played, its commands as written; after, as they ran and what they answered.
    let commands = move || {
        let commands = match report.get() {
            Some(report) => report.commands,
            None => (run.iter())
                .map(|line| LessonCommand {
                    port,
                    line: line.clone(),
                    ..LessonCommand::default()
                })
                .collect(),
        };
        let played = played();
        commands
            .into_iter()
            .map(|command| view! { <Command command played /> })
            .collect_view()
    };
    let network = (!network.is_empty()).then(|| {
        view! {
            <ul class="repl-lesson-net">
                {network.into_iter().map(|action| {
                    let written = action.clone();
                    view! { <li data-action=written>{move || network_words(&action, text().repl)}</li> }
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <li class="repl-lesson-step" data-step=index + 1
            class:done=played
            class:current=move || index + 1 == position.get()
            class:next=move || index == position.get()>
            <button class="repl-lesson-jump"
                aria-current=move || (index + 1 == position.get()).then_some("step")
                on:click=move |_| go(shared, index + 1)>
                <span class="repl-lesson-n">{index + 1}</span>
                <span class="repl-lesson-say">{move || say.get(text().lang).to_string()}</span>
                <span class="repl-lesson-at">
                    {move || match report.with(|r| r.as_ref().map(|r| r.at_ms)) {
                        Some(at) => format_elapsed(at),
                        None if index == position.get() => text().repl.up_next.to_string(),
                        None => String::new(),
                    }}
                </span>
            </button>
            {network}
            <div class="repl-lesson-commands">
                <span class="repl-lesson-client">{client}</span>
                {commands}
            </div>
        </li>
    }
}

/// A step's command as `port> line`; once played, its reply and whether it is what the
/// lesson expected (when it said).
#[component]
fn Command(command: LessonCommand, played: bool) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let ok = command.as_expected();
    let mark = match (&command.expected, played) {
        (Some(_), true) => Some(if ok { "yes" } else { "no" }),
        (None, true) => Some("none"),
        (_, false) => None,
    };
    let LessonCommand {
        port,
        line,
        rendered,
        expected,
    } = command;
    let reply = played.then(|| {
        let flag = expected.as_ref().map(|expected| {
            if ok {
                view! { <span class="repl-lesson-ok" title=move || text().repl.as_expected>"✓"</span> }
                    .into_any()
            } else {
                view! {
                    <div class="repl-lesson-mismatch" role="note">
                        <strong>"≠ " {move || text().repl.not_expected}</strong>
                        <div>{move || text().scenario.expected} " " <code class="repl-lesson-expected">{expected.clone()}</code></div>
                        <div>{move || text().repl.got} " " <code>{rendered.clone()}</code></div>
                    </div>
                }
                .into_any()
            }
        });
        view! {
            <div class="repl-lesson-reply">
                <pre>{rendered.clone()}</pre>
                {flag}
            </div>
        }
    });
    view! {
        <div class="repl-lesson-command" data-expected=mark class:unexpected=!ok && played>
            <code class="repl-lesson-line">{format!("{port}> {line}")}</code>
            {reply}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::repl::{EN, ZH_TW};

    #[test]
    fn network_actions_read_as_words() {
        assert_eq!(network_words("cut 6379 6380", &EN), "cut the link 6379–6380");
        assert_eq!(network_words("heal 6379 6380", &ZH_TW), "恢復 6379–6380 之間的連線");
        assert_eq!(network_words("isolate 6380", &EN), "partition 6380 from the others");
        assert_eq!(network_words("rejoin 6380", &EN), "heal 6380's partition");
        assert_eq!(network_words("Stop 6379", &EN), "stop 6379 (SHUTDOWN: it saves first)");
        assert_eq!(network_words("crash 6379", &ZH_TW), "讓 6379 當機（直接終止，什麼都沒存）");
        assert_eq!(network_words("start 6381", &EN), "start 6381");
        assert_eq!(network_words("latency 200", &EN), "every link's latency to 200 ms");
        assert_eq!(network_words("latency 5000", &EN), "every link's latency to 5 s");
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
        let list = [summary("cache-aside", 0), summary("wait", 2), summary("resync", 3)];
        let ids: Vec<&str> = lessons(&list).map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["wait", "resync"]);
    }
}
