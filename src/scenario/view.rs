//! The scenario player's page: a picker (the built-in scenarios, or a `.toml` file opened or
//! dropped; the Replication view's lessons are listed too, and open on that tab), the step
//! list with progress, the controls (back, play/pause with a speed, next, restart; → ←
//! PageDown PageUp Space Home on the keyboard), the narration in the page's
//! language, the guide's code with the step's lines highlighted, the step's commands and
//! replies by client (a reply other than the scenario expected is flagged; the INFO fields the
//! narration cites are marked), what other clients received, the keyspace with the step's own
//! keys first and its changes labelled (filtered, and a key opened in an inspector), and the
//! virtual clock on a ruler. A step shows the state right after its commands; while playing,
//! the time a step waits passes visibly before the next (TTLs count down, keys expire). A
//! presenter mode fills the screen with large type for a classroom. The address follows the
//! step shown (`#scenario/ID/N`), so a reload or a copied link opens it again.
//!
//! Everything shown comes from the worker's [`crate::scenario`] answers; this module only
//! renders them and sends the visitor's moves. Keys, values, code and replies are text.

use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::i18n::{fill, Strings};
use crate::keyspace::inspector::Inspector;
use crate::keyspace::target::Source;
use crate::keyspace::ttl::format_ttl;
use crate::repl::lesson::{self as repl_lesson, lessons};
use crate::scenario::state::SPEEDS;
use crate::scenario::stepping::{format_elapsed, handled_by_target, scroll_into};
use crate::state::{use_shared, Shared, Tab};
use keyspace_protocol::console::Line;
use keyspace_protocol::inspect::InspectQuery;
use keyspace_protocol::scenario::{
    Change, Rank, ScenarioInfo, ScenarioKey, ScenarioRequest, ScenarioResponse, ScenarioSummary,
};
use keyspace_protocol::Request;

/// How often the play timer looks whether the next step (or slice of a wait) is due.
const PLAY_TICK_MS: u32 = 100;

/// How long a step's wait takes on screen at 1× while playing, at most: an hour goes by in
/// three seconds, 80 ms in 80 ms.
const WAIT_SHOWN_MS: u64 = 3000;

/// What the worker's scenario player answered.
pub fn on_response(shared: Shared, response: ScenarioResponse) {
    let s = shared.scenario;
    match response {
        ScenarioResponse::List(list) => {
            s.unavailable.set(None);
            s.list.set(list);
        }
        ScenarioResponse::Opened { info, state } => {
            s.error.set(None);
            s.unavailable.set(None);
            s.playing.set(false);
            s.inspector.close();
            s.info.set(Some(*info));
            s.play.set(state);
        }
        ScenarioResponse::Invalid(message) => {
            s.playing.set(false);
            s.error.set(Some(message));
        }
        ScenarioResponse::Moved(state) => {
            if state.position >= state.steps {
                s.playing.set(false);
            }
            s.play.set(state);
            // The inspected key is read again where the scenario now stands.
            if let Some(query) = s.inspector.query.get_untracked() {
                shared.send(s.inspector.open(query));
            }
        }
        ScenarioResponse::Inspected(inspection) => s.inspector.show(inspection),
        ScenarioResponse::Continued => s.restarted(),
        ScenarioResponse::WouldReplace { keys } => would_replace(shared, keys),
        ScenarioResponse::Unavailable(reason) => {
            s.playing.set(false);
            s.unavailable.set(Some(reason));
        }
    }
}

/// A link to a scenario's step, as a teacher shares it: `#scenario/cache-aside/3` opens the
/// Scenarios tab on cache-aside right after step 3 (no step: its introduction).
pub fn parse_link(hash: &str) -> Option<(String, usize)> {
    let rest = hash.trim_start_matches('#').strip_prefix("scenario/")?;
    let (id, step) = match rest.split_once('/') {
        Some((id, step)) => (id, step.parse().ok()?),
        None => (rest, 0),
    };
    (!id.is_empty()).then(|| (id.to_string(), step))
}

/// The link [`parse_link`] reads: a built-in scenario after `step` steps.
pub fn link(id: &str, step: usize) -> String {
    format!("#scenario/{id}/{step}")
}

/// Opens the scenario a `#scenario/…` link names, at its step, on the Scenarios tab.
pub fn open_link(shared: Shared, hash: &str) -> bool {
    let Some((id, position)) = parse_link(hash) else {
        return false;
    };
    shared.tab.set(Tab::Scenarios);
    shared.scenario.from_file.set(false);
    send(shared, ScenarioRequest::Open { id });
    if position > 0 {
        send(shared, ScenarioRequest::Jump { position });
    }
    true
}

/// The player's moves, sent to the worker.
fn send(shared: Shared, request: ScenarioRequest) {
    shared.scenario.shown_ms.set_value(0);
    shared.send(Request::Scenario(request));
}

fn toggle_play(shared: Shared) {
    let s = shared.scenario;
    if s.info.with_untracked(Option::is_none) {
        return;
    }
    if s.playing.get_untracked() {
        s.playing.set(false);
        return;
    }
    // Play from the start when at the end. What comes first, at once, is the current step's
    // wait (the clock running), else the next step.
    if s.play.with_untracked(|p| p.position >= p.steps) {
        send(shared, ScenarioRequest::Jump { position: 0 });
    }
    s.shown_ms.set_value(SPEEDS[s.speed.get_untracked()].1);
    s.playing.set(true);
}

/// Asks to continue in the console: the worker first says what that would replace
/// ([`ScenarioResponse::WouldReplace`]), and [`would_replace`] decides whether to ask.
fn ask_to_continue(shared: Shared) {
    shared.scenario.playing.set(false);
    shared.send(Request::ContinueScenario { confirmed: false });
}

/// The worker's answer to [`ask_to_continue`]: a console with no keys and nothing typed is
/// replaced at once; otherwise the learner is asked first.
pub fn would_replace(shared: Shared, keys: usize) {
    let typed = shared.panes.with_untracked(|panes| {
        panes
            .iter()
            .any(|p| p.log.with_untracked(|log| !log.entries.is_empty()))
    });
    if keys == 0 && !typed {
        shared.send(Request::ContinueScenario { confirmed: true });
    } else {
        shared.scenario.asking.set(Some(keys));
    }
}

/// Puts the focus back on the player (after a select changed), so that the arrows step the
/// scenario again instead of changing the select.
fn focus_player() {
    if let Some(player) = document()
        .query_selector(".scenario")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = player.focus();
    }
}

/// Reads a scenario file the visitor chose or dropped and sends it to the worker.
pub fn load_file(shared: Shared, file: web_sys::File) {
    let s = shared.scenario;
    s.loading.set(true);
    shared.tab.set(Tab::Scenarios);
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        s.loading.set(false);
        match text.ok().and_then(|t| t.as_string()) {
            Some(source) => {
                s.from_file.set(true);
                send(shared, ScenarioRequest::Load { source });
            }
            None => s.error.set(Some(format!("{}: unreadable", file.name()))),
        }
    });
}

/// Replaces the address's fragment without a new history entry (so Back leaves the page as
/// before): `Some` sets it, `None` removes it.
pub fn replace_hash(hash: Option<&str>) {
    let location = window().location();
    let current = location.hash().unwrap_or_default();
    let url = match hash {
        Some(hash) if current != hash => hash.to_string(),
        Some(_) => return,
        None if current.is_empty() => return,
        None => format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        ),
    };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[component]
pub fn Scenarios() -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let active = move || shared.tab.get() == Tab::Scenarios;

    open_link(shared, &window().location().hash().unwrap_or_default());

    // The address follows the step shown on this tab, and forgets it on the others.
    Effect::new(move || {
        let shown = (shared.tab.get() == Tab::Scenarios && !s.from_file.get())
            .then(|| s.info.with(|i| i.as_ref().map(|i| i.id.clone())))
            .flatten();
        let position = s.play.with(|p| p.position);
        match shown {
            Some(id) => replace_hash(Some(&link(&id, position))),
            None if parse_link(&window().location().hash().unwrap_or_default()).is_some() => {
                replace_hash(None)
            }
            None => {}
        }
    });

    // The play timer: once a step has been on screen long enough, its wait passes a slice at
    // a time (the clock runs, TTLs count down), then the next step comes.
    let tick = move || {
        if !s.playing.get_untracked() {
            return;
        }
        let dwell = SPEEDS[s.speed.get_untracked()].1;
        s.shown_ms
            .update_value(|ms| *ms = ms.saturating_add(PLAY_TICK_MS));
        if s.shown_ms.get_value() < dwell {
            return;
        }
        let (wait, waited) = s.play.with_untracked(|p| (p.wait_ms, p.waited_ms));
        if waited < wait {
            let shown = (WAIT_SHOWN_MS * u64::from(dwell) / 4000).min(wait);
            let ticks = (shown / u64::from(PLAY_TICK_MS)).max(1);
            shared.send(Request::Scenario(ScenarioRequest::Wait {
                ms: wait.div_ceil(ticks),
            }));
        } else {
            send(shared, ScenarioRequest::Step);
        }
    };
    if let Ok(handle) =
        set_interval_with_handle(tick, Duration::from_millis(u64::from(PLAY_TICK_MS)))
    {
        on_cleanup(move || handle.clear());
    }

    // Keyboard, as presentation clickers send it (PageDown/PageUp), when this view is shown;
    // a key its target handles itself (a field, a button's Space) is left to it, so that no
    // key does two things.
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if shared.tab.get_untracked() != Tab::Scenarios
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
            || ev.default_prevented()
            || s.info.with_untracked(Option::is_none)
            || s.asking.with_untracked(Option::is_some)
            || handled_by_target(&ev)
        {
            return;
        }
        let request = match ev.key().as_str() {
            "ArrowRight" | "PageDown" => ScenarioRequest::Step,
            "ArrowLeft" | "PageUp" => ScenarioRequest::Back,
            "Home" => ScenarioRequest::Jump { position: 0 },
            "End" => ScenarioRequest::Jump {
                position: usize::MAX,
            },
            " " => {
                ev.prevent_default();
                toggle_play(shared);
                return;
            }
            "Escape" if s.inspector.query.with_untracked(Option::is_some) => {
                s.inspector.close();
                return;
            }
            "Escape" if s.presenter.get_untracked() => {
                s.presenter.set(false);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        s.playing.set(false);
        send(shared, request);
    });
    on_cleanup(move || keys.remove());

    view! {
        <section
            class="scenario"
            class:presenter=move || s.presenter.get()
            tabindex="-1"
            hidden=move || !active()
            aria-label=move || text().app.tab_scenarios
        >
            <Picker />
            {move || s.unavailable.get().map(|reason| view! {
                <div class="sc-error" role="alert">
                    <p>{move || text().scenario.scenarios_unavailable}</p>
                    <pre class="sc-error-text">{reason}</pre>
                </div>
            })}
            {move || s.error.get().map(|message| view! {
                <div class="sc-error" role="alert">
                    <p>{move || text().scenario.file_error}</p>
                    <pre class="sc-error-text">{message}</pre>
                </div>
            })}
            {move || match s.info.get() {
                None => view! { <Cards /> }.into_any(),
                Some(info) => view! { <Player info /> }.into_any(),
            }}
        </section>
    }
}

/// The bar above the player: the scenario picker, a file to open, presenter mode.
#[component]
fn Picker() -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let lang = move || text().lang;
    let current = move || {
        s.info
            .with(|i| i.as_ref().map(|i| i.id.clone()))
            .filter(|_| !s.from_file.get())
            .unwrap_or_default()
    };
    let current_untracked = move || untrack(current);
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.item(0)) {
            load_file(shared, file);
        }
        // The same file again (edited meanwhile) must fire another change.
        input.set_value("");
    };
    view! {
        <div class="sc-bar">
            <label class="sc-pick">
                <span>{move || text().scenario.scenario_pick}</span>
                <select
                    prop:value=current
                    on:change=move |ev| {
                        let id = event_target_value(&ev);
                        let lesson = s.list.with_untracked(|list| lessons(list).any(|l| l.id == id));
                        if lesson {
                            // The picker goes on naming the scenario open here.
                            let select: web_sys::HtmlSelectElement = event_target(&ev);
                            select.set_value(&current_untracked());
                            repl_lesson::open(shared, id);
                        } else if !id.is_empty() {
                            s.from_file.set(false);
                            send(shared, ScenarioRequest::Open { id });
                            focus_player();
                        }
                    }
                >
                    <option value="" disabled=true>"—"</option>
                    {move || s.list.get().into_iter().filter(|item| item.nodes == 0).map(|item| {
                        let title = item.title.clone();
                        view! { <option value=item.id.clone()>{move || title.get(lang()).to_string()}</option> }
                    }).collect_view()}
                    {move || s.list.with(|list| lessons(list).next().is_some()).then(|| view! {
                        <optgroup label=move || text().repl.lessons_group>{repl_lesson::lesson_options(shared)}</optgroup>
                    })}
                </select>
            </label>
            <label class="sc-file">
                <span class="sc-file-button">{move || text().scenario.open_file}</span>
                <input type="file" accept=".toml,text/plain" on:change=on_file />
            </label>
            <span class="sc-drop">{move || text().scenario.drop_hint}</span>
            <span class="sc-presenter-title">
                {move || s.info.with(|i| i.as_ref().map(|i| i.title.get(lang()).to_string()))}
            </span>
            <button
                class="sc-continue"
                title=move || text().scenario.continue_console_hint
                disabled=move || s.info.with(Option::is_none)
                on:click=move |_| ask_to_continue(shared)
            >{move || text().scenario.continue_console}</button>
            <button
                class="sc-presenter"
                aria-pressed=move || s.presenter.get().to_string()
                disabled=move || s.info.with(Option::is_none)
                on:click=move |_| s.presenter.update(|p| *p = !*p)
            >
                {move || if s.presenter.get() { text().scenario.presenter_exit } else { text().scenario.presenter }}
            </button>
        </div>
    }
}

/// The built-in scenarios as cards, when none is open.
#[component]
fn Cards() -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    view! {
        <div class="sc-cards">
            <p class="sc-choose">{move || text().scenario.scenario_choose}</p>
            <ul>
                {move || s.list.get().into_iter().filter(|item| item.nodes == 0).map(|item| {
                    let id = item.id.clone();
                    card(shared, item, move || {
                        s.from_file.set(false);
                        send(shared, ScenarioRequest::Open { id: id.clone() });
                    })
                }).collect_view()}
            </ul>
            {move || s.list.with(|list| lessons(list).next().is_some()).then(|| view! {
                <h3 class="sc-lessons-title">{move || text().repl.lessons_group}</h3>
                <ul class="sc-lessons">
                    {move || s.list.with(|list| lessons(list).cloned().collect::<Vec<_>>()).into_iter().map(|item| {
                        let id = item.id.clone();
                        card(shared, item, move || repl_lesson::open(shared, id.clone()))
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// A built-in scenario's card, which `choose` opens.
fn card(shared: Shared, item: ScenarioSummary, choose: impl Fn() + 'static) -> impl IntoView {
    let text = move || shared.text.get();
    view! {
        <li>
            <button class="sc-card" on:click=move |_| choose()>
                <span class="sc-card-title">{move || item.title.get(text().lang).to_string()}</span>
                <span class="sc-card-id">{item.id.clone()}</span>
            </button>
        </li>
    }
}

/// An open scenario.
#[component]
fn Player(info: ScenarioInfo) -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let lang = move || text().lang;
    let info = StoredValue::new(info);
    let position = Memo::new(move |_| s.play.with(|p| p.position));
    let steps = info.with_value(|i| i.steps.len());
    // When each step starts, in virtual time: for the list and the ruler.
    let starts: Vec<u64> = info.with_value(|i| {
        i.steps
            .iter()
            .scan(0, |at, step| {
                let start = *at;
                *at += step.travel_ms + step.wait_ms;
                Some(start)
            })
            .collect()
    });
    let total_ms =
        info.with_value(|i| i.steps.iter().map(|s| s.travel_ms + s.wait_ms).sum::<u64>());

    let title = move || info.with_value(|i| i.title.get(lang()).to_string());
    let progress = move || {
        text()
            .scenario
            .step_of
            .replace("{n}", &position.get().to_string())
            .replace("{m}", &steps.to_string())
    };

    let step_items = {
        let starts = starts.clone();
        info.with_value(|i| {
            i.steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    let say = step.say.clone();
                    let at = format_elapsed(starts[index]);
                    let client = (i.clients.len() > 1).then(|| step.client.clone());
                    view! {
                        <li
                            class="sc-step"
                            class:done=move || { index < position.get() }
                            class:current=move || index + 1 == position.get()
                        >
                            <button
                                aria-current=move || (index + 1 == position.get()).then_some("step")
                                on:click=move |_| {
                                    s.playing.set(false);
                                    send(shared, ScenarioRequest::Jump { position: index + 1 });
                                }
                            >
                                <span class="sc-step-n">{index + 1}</span>
                                <span class="sc-step-say">{move || say.get(lang()).to_string()}</span>
                                <span class="sc-step-at">{at} {client.map(|c| format!(" · {c}"))}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };

    let narration = move || info.with_value(|i| narration(i, position.get(), text()));
    let lesson = move || {
        (position.get() == steps).then(|| {
            view! {
                <div class="sc-lesson">
                    <h3>{move || text().scenario.lesson_title}</h3>
                    <p>{move || info.with_value(|i| i.lesson.get(lang()).to_string())}</p>
                </div>
            }
        })
    };

    let speed_options = SPEEDS
        .iter()
        .enumerate()
        .map(|(i, (label, _))| view! { <option value=i.to_string()>{*label}</option> })
        .collect_view();

    let ruler_marks = starts
        .iter()
        .enumerate()
        .map(|(index, &at)| {
            let left = if total_ms == 0 {
                100.0 * index as f64 / steps.max(1) as f64
            } else {
                100.0 * at as f64 / total_ms as f64
            };
            view! {
                <span
                    class="sc-mark"
                    class:done=move || { index < position.get() }
                    style:left=format!("{left:.2}%")
                ></span>
            }
        })
        .collect_view();
    let ruler_fill = move || {
        let elapsed = s.play.with(|p| p.elapsed_ms);
        let fraction = if total_ms == 0 {
            position.get() as f64 / steps.max(1) as f64
        } else {
            elapsed as f64 / total_ms as f64
        };
        format!("{:.2}%", (fraction * 100.0).clamp(0.0, 100.0))
    };

    view! {
        <div class="sc-player">
            <aside class="sc-steps">
                <h2 class="sc-title">
                    {title}
                    {move || s.from_file.get().then(|| view! { <span class="sc-from-file">{move || text().scenario.from_file}</span> })}
                </h2>
                <div class="sc-progress">
                    <span>{progress}</span>
                    <progress max=steps value=move || position.get()></progress>
                </div>
                <ol>
                    <li class="sc-step sc-intro" class:current=move || position.get() == 0>
                        <button
                            aria-current=move || (position.get() == 0).then_some("step")
                            on:click=move |_| {
                                s.playing.set(false);
                                send(shared, ScenarioRequest::Jump { position: 0 });
                            }
                        >
                            <span class="sc-step-n">"0"</span>
                            <span class="sc-step-say">{move || text().scenario.intro_title}</span>
                        </button>
                    </li>
                    {step_items}
                </ol>
            </aside>
            <div class="sc-center">
                <div class="sc-controls" role="toolbar">
                    <button
                        class="sc-back"
                        disabled=move || position.get() == 0
                        on:click=move |_| {
                            s.playing.set(false);
                            send(shared, ScenarioRequest::Back);
                        }
                    >{move || text().scenario.back}</button>
                    <button
                        class="sc-play"
                        aria-pressed=move || s.playing.get().to_string()
                        on:click=move |_| toggle_play(shared)
                    >
                        {move || if s.playing.get() { text().scenario.pause } else { text().scenario.play }}
                    </button>
                    <button
                        class="sc-next"
                        disabled=move || { position.get() >= steps }
                        on:click=move |_| {
                            s.playing.set(false);
                            send(shared, ScenarioRequest::Step);
                        }
                    >{move || text().scenario.next}</button>
                    <button
                        class="sc-restart"
                        on:click=move |_| {
                            s.playing.set(false);
                            send(shared, ScenarioRequest::Jump { position: 0 });
                        }
                    >{move || text().scenario.restart}</button>
                    <label class="sc-speed">
                        <span>{move || text().scenario.speed}</span>
                        <select
                            prop:value=move || s.speed.get().to_string()
                            on:change=move |ev| {
                                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                    s.speed.set(i.min(SPEEDS.len() - 1));
                                }
                                focus_player();
                            }
                        >{speed_options}</select>
                    </label>
                    <span class="sc-clock">
                        <span class="sc-clock-label">{move || text().scenario.clock_label}</span>
                        {move || format_elapsed(s.play.with(|p| p.elapsed_ms))}
                    </span>
                </div>
                <div class="sc-ruler" aria-hidden="true">
                    <span class="sc-ruler-fill" style:width=ruler_fill></span>
                    {ruler_marks}
                </div>
                <ContinueQuestion />
                <div class="sc-narration" aria-live="polite">
                    <h3>{move || narration().0}</h3>
                    <p class="sc-say">{move || narration().1}</p>
                    {lesson}
                </div>
                <RunView info />
                <p class="hint sc-hint">{move || text().scenario.scenario_hint}</p>
            </div>
            <div class="sc-right">
                <CodeView info />
                <KeysView />
            </div>
        </div>
    }
}

/// The heading and the narration of a scenario after `position` steps (0: its introduction).
fn narration(info: &ScenarioInfo, position: usize, text: &Strings) -> (String, String) {
    match position.checked_sub(1).and_then(|at| info.steps.get(at)) {
        None => (
            text.scenario.intro_title.to_string(),
            info.intro.get(text.lang).to_string(),
        ),
        Some(step) => (
            fill(text.scenario.step_of, position).replace("{m}", &info.steps.len().to_string()),
            step.say.get(text.lang).to_string(),
        ),
    }
}

/// An embedded console's scenario (`crate::embed`): its title, back and next, the step's
/// narration and its commands and replies; the arrow keys step it while the stepper has the
/// focus.
#[component]
pub fn Stepper() -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let step = move |request: ScenarioRequest| {
        s.playing.set(false);
        send(shared, request);
    };
    let keys = move |ev: KeyboardEvent| {
        if handled_by_target(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let request = match ev.key().as_str() {
            "ArrowRight" | "PageDown" => ScenarioRequest::Step,
            "ArrowLeft" | "PageUp" => ScenarioRequest::Back,
            _ => return,
        };
        ev.prevent_default();
        step(request);
    };
    move || {
        let info = StoredValue::new(s.info.get()?);
        let steps = info.with_value(|i| i.steps.len());
        let position = move || s.play.with(|p| p.position);
        let said = move || info.with_value(|i| narration(i, position(), text()));
        Some(view! {
            <section class="sc-stepper" tabindex="0" on:keydown=keys>
                <div class="sc-controls" role="toolbar">
                    <strong class="sc-title">{move || info.with_value(|i| i.title.get(text().lang).to_string())}</strong>
                    <button class="sc-back" disabled=move || position() == 0 on:click=move |_| step(ScenarioRequest::Back)>
                        {move || text().scenario.back}
                    </button>
                    <span class="sc-at">{move || said().0}</span>
                    <button class="sc-next" disabled=move || { position() >= steps } on:click=move |_| step(ScenarioRequest::Step)>
                        {move || text().scenario.next}
                    </button>
                </div>
                <p class="sc-say" aria-live="polite">{move || said().1}</p>
                <RunView info />
            </section>
        })
    }
}

/// The guide's code, the current step's lines highlighted and scrolled into view.
#[component]
fn CodeView(info: StoredValue<ScenarioInfo>) -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let range = Memo::new(move |_| {
        let p = s.play.with(|p| p.position);
        info.with_value(|i| p.checked_sub(1).and_then(|at| i.steps.get(at)?.lines))
    });
    let scroller = NodeRef::<leptos::html::Pre>::new();
    // The layout changes size (presenter mode, a resized window): the lines move.
    let resized = RwSignal::new(0u32);
    let on_resize = window_event_listener(leptos::ev::resize, move |_| {
        resized.update(|n| *n = n.wrapping_add(1));
    });
    on_cleanup(move || on_resize.remove());
    // Effects talk to the DOM: keep the highlighted lines in view, all of them when they fit,
    // with a line of the code before them for context.
    Effect::new(move || {
        resized.track();
        s.presenter.track();
        let Some((first, last)) = range.get() else {
            return;
        };
        let Some(pre) = scroller.get() else {
            return;
        };
        let line = |n: usize| {
            pre.query_selector(&format!("[data-line=\"{n}\"]"))
                .ok()
                .flatten()
                .and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok())
        };
        let (Some(top), Some(bottom)) = (line(first), line(last)) else {
            return;
        };
        let height = bottom.offset_top() + bottom.offset_height() - top.offset_top();
        let room = pre.client_height() - height;
        let margin = (room / 2).clamp(0, top.offset_height());
        pre.set_scroll_top((top.offset_top() - margin).max(0));
    });
    let lines = info.with_value(|i| {
        i.code
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let n = index + 1;
                let current = move || range.get().is_some_and(|(a, b)| (a..=b).contains(&n));
                view! {
                    <span class="sc-code-line" class:current=current data-line=n>
                        <span class="sc-ln">{n}</span>
                        <span class="sc-src">{line.clone()} "\n"</span>
                    </span>
                }
            })
            .collect_view()
    });
    let language = info.with_value(|i| i.language.clone());
    view! {
        <section class="sc-code">
            <h3>{move || text().scenario.code_title} <span class="sc-lang">{language}</span></h3>
            <pre node_ref=scroller><code>{lines}</code></pre>
        </section>
    }
}

/// "Continue in the console" over a console with keys or typed lines: replace it, or not.
#[component]
fn ContinueQuestion() -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let cancel = NodeRef::<leptos::html::Button>::new();
    // The question takes the focus (on the harmless answer), as a dialog does.
    Effect::new(move || {
        if s.asking.with(Option::is_some) {
            if let Some(button) = cancel.get() {
                let _ = button.focus();
            }
        }
    });
    let close = move || {
        s.asking.set(None);
        focus_player();
    };
    move || {
        let keys = s.asking.get()?;
        Some(view! {
            <div
                class="sc-continue-question"
                role="alertdialog"
                aria-label=move || text().scenario.continue_console
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        ev.stop_propagation();
                        close();
                    }
                }
            >
                <p>{move || fill(text().scenario.continue_question, keys)}</p>
                <button class="sc-continue-yes" on:click=move |_| {
                    s.asking.set(None);
                    shared.send(Request::ContinueScenario { confirmed: true });
                }>{move || text().scenario.continue_yes}</button>
                <button class="sc-continue-no" node_ref=cancel on:click=move |_| close()>
                    {move || text().scenario.continue_no}
                </button>
            </div>
        })
    }
}

/// The INFO fields (`name:value` reply lines) that `narration` names, as whole words.
pub fn cited_fields(narration: &str, lines: &[Line]) -> Vec<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    lines
        .iter()
        .filter_map(|line| {
            let (name, _) = line.text.split_once(':')?;
            let is_field = !name.is_empty() && name.chars().all(word);
            let named = narration.match_indices(name).any(|(at, _)| {
                let before = narration[..at].chars().next_back();
                let after = narration[at + name.len()..].chars().next();
                !before.is_some_and(word) && !after.is_some_and(word)
            });
            (is_field && named).then(|| name.to_string())
        })
        .collect()
}

/// The last step's commands and replies by client, then what other clients received; the
/// time that passed before it, and the time that passes after it (as it passes, when playing).
#[component]
fn RunView(info: StoredValue<ScenarioInfo>) -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let body_ref = NodeRef::<leptos::html::Div>::new();
    let run_ref = NodeRef::<leptos::html::Section>::new();
    // Whether the MONITOR lines are open: a teacher who opened them keeps them from step to
    // step.
    let monitor_shown = RwSignal::new(false);
    let body = move || {
        let Some(report) = s.play.with(|p| p.report.clone()) else {
            return view! { <p class="sc-empty">{move || text().scenario.before_start}</p> }
                .into_any();
        };
        let t: &Strings = text();
        let narration = info.with_value(|i| {
            i.steps
                .get(report.step)
                .map(|step| step.say.get(t.lang).to_string())
                .unwrap_or_default()
        });
        let waited = (report.waited_ms > 0).then(|| {
            let span = format_elapsed(report.waited_ms);
            let span = span.trim_start_matches('+').to_string();
            view! { <p class="sc-waited">{t.scenario.waited_before.replace("{t}", &span)}</p> }
        });
        let empty = report
            .commands
            .is_empty()
            .then(|| view! { <p class="sc-empty">{t.scenario.no_commands}</p> });
        let commands = report
            .commands
            .into_iter()
            .map(|command| {
                let cited = cited_fields(&narration, &command.reply);
                let mismatch = command.mismatch.clone().map(|expected| {
                    view! {
                        <div class="sc-mismatch" role="note">
                            <span class="sc-mismatch-label">"≠ " {t.scenario.expected}</span>
                            " "
                            <span class="sc-expected">{expected}</span>
                        </div>
                    }
                });
                view! {
                    <div class="sc-command" class:unexpected=command.mismatch.is_some()>
                        <div class="sc-echo">
                            <span class="sc-client">{command.client.clone()}</span>
                            <span class="sc-line">{command.line.clone()}</span>
                        </div>
                        {reply_lines(&command.reply, &cited)}
                        {mismatch}
                    </div>
                }
            })
            .collect_view();
        let deliveries = report
            .deliveries
            .into_iter()
            .map(|delivery| {
                view! {
                    <div class="sc-delivery">
                        <div class="sc-echo">
                            <span class="sc-client sc-to">{t.scenario.receives.replace("{c}", &delivery.client)}</span>
                        </div>
                        {reply_lines(&delivery.reply, &[])}
                    </div>
                }
            })
            .collect_view();
        let count = report.monitor.len() + report.monitor_more;
        let monitor = (count > 0).then(|| {
            let lines = StoredValue::new(report.monitor);
            let more = report.monitor_more;
            view! {
                <div class="sc-monitor">
                    <button
                        class="tool sc-monitor-toggle"
                        title=move || text().scenario.monitor_title
                        aria-expanded=move || monitor_shown.get().to_string()
                        on:click=move |_| monitor_shown.update(|shown| *shown = !*shown)
                    >{move || fill(text().scenario.monitor_lines, count)}</button>
                    <Show when=move || monitor_shown.get()>
                        <ol class="sc-monitor-lines">
                            {lines.with_value(|lines| {
                                lines.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()
                            })}
                        </ol>
                        {(more > 0).then(|| view! {
                            <p class="sc-monitor-more">{move || fill(text().scenario.monitor_more, more)}</p>
                        })}
                    </Show>
                </div>
            }
        });
        view! { {waited} {commands} {empty} {deliveries} {monitor} }.into_any()
    };
    // What comes next: the step's wait, and how much of it has passed while playing.
    let wait = move || {
        let (wait, waited) = s.play.with(|p| (p.wait_ms, p.waited_ms));
        (wait > 0 && s.play.with(|p| p.position < p.steps)).then(|| {
            let span = format_elapsed(wait);
            let span = span.trim_start_matches('+');
            let words = if waited == 0 {
                text().scenario.wait_next.replace("{t}", span)
            } else {
                let done = format_elapsed(waited);
                text()
                    .scenario
                    .wait_passing
                    .replace("{t}", span)
                    .replace("{done}", done.trim_start_matches('+'))
            };
            let passing = waited > 0;
            view! { <p class="sc-wait" class:passing=passing>{words}</p> }
        })
    };
    // The INFO fields the narration cites are brought into view; else what the other
    // clients received (below the commands, the first to fall off a projector's screen).
    Effect::new(move || {
        s.play.track();
        let Some(body) = body_ref.get() else {
            return;
        };
        let target = body.query_selector(".cited").ok().flatten().or_else(|| {
            let all = body.query_selector_all(".sc-delivery").ok()?;
            all.item(all.length().checked_sub(1)?)?.dyn_into().ok()
        });
        if let (Some(target), Some(run)) = (target, run_ref.get()) {
            scroll_into(&run, &target);
        }
    });
    view! {
        <section class="sc-run" aria-live="polite" node_ref=run_ref>
            <h3>{move || text().scenario.run_title}</h3>
            <div class="sc-run-body" node_ref=body_ref>{body}</div>
            {wait}
        </section>
    }
}

fn reply_lines(lines: &[Line], cited: &[String]) -> impl IntoView {
    lines
        .iter()
        .map(|line| {
            let is_cited = line
                .text
                .split_once(':')
                .is_some_and(|(name, _)| cited.iter().any(|c| c == name));
            view! { <div class=line.kind.class() class:cited=is_cited>{line.text.clone()}</div> }
        })
        .collect_view()
}

/// The scenario's keyspace: the step's own keys first, its changes labelled, a filter, and a
/// key opened in the inspector below.
#[component]
fn KeysView() -> impl IntoView {
    let shared = use_shared();
    let s = shared.scenario;
    let text = move || shared.text.get();
    let summary = move || fill(text().scenario.scenario_keys, s.play.with(|p| p.key_count));
    let more = move || {
        let (matching, listed, removed_more) = s.play.with(|p| {
            let live = p
                .keys
                .iter()
                .filter(|k| !k.change.is_some_and(Change::removed))
                .count();
            (p.matching, live, p.removed_more)
        });
        let more_keys = (matching > listed).then(|| {
            view! { <p class="sc-more-keys">{move || fill(text().scenario.more_keys, matching - listed)}</p> }
        });
        let more_removed = (removed_more > 0).then(|| {
            view! { <p class="sc-more-keys">{move || fill(text().scenario.more_removed, removed_more)}</p> }
        });
        view! { {more_removed} {more_keys} }
    };
    let on_filter = move |ev: leptos::ev::Event| {
        send(
            shared,
            ScenarioRequest::Filter {
                pattern: event_target_value(&ev),
            },
        );
    };
    view! {
        <section class="sc-keys">
            <h3>
                {move || text().keyspace.keys_title}
                <span class="keys-summary">{summary}</span>
                <input
                    class="sc-filter"
                    type="search"
                    aria-label=move || text().keyspace.filter_label
                    placeholder=move || text().scenario.scenario_filter
                    prop:value=move || s.play.with(|p| p.filter.clone())
                    on:input=on_filter
                />
            </h3>
            <div class="sc-key-table">
                <For
                    each=move || s.play.with(|p| p.keys.clone())
                    key=|k| k.clone()
                    children=move |k| key_row(shared, k)
                />
                {more}
            </div>
            <Inspector target=s.inspector />
        </section>
    }
}

fn change_label(t: &Strings, change: Change) -> &'static str {
    match change {
        Change::Created => t.scenario.created,
        Change::Changed => t.scenario.changed,
        Change::Deleted => t.scenario.deleted,
        Change::Expired => t.scenario.expired,
        Change::Evicted => t.scenario.evicted,
    }
}

fn key_row(shared: Shared, k: ScenarioKey) -> impl IntoView {
    let s = shared.scenario;
    let text = move || shared.text.get();
    let class = match k.change {
        Some(change) => format!("sc-key {}", change.class()),
        None => "sc-key".to_string(),
    };
    let badge = k.change.map(|change| {
        view! {
            <span class=format!("sc-badge {}", change.class())>
                {move || change_label(text(), change)}
            </span>
        }
    });
    let type_badge = (!k.type_name.is_empty()).then(
        || view! { <span class=format!("type type-{}", k.type_name)>{k.type_name.clone()}</span> },
    );
    let db = (k.db > 0).then(|| format!("db{} ", k.db));
    let ttl = if k.type_name.is_empty() {
        String::new()
    } else {
        k.ttl_ms.map(format_ttl).unwrap_or_default()
    };
    let gone = k.type_name.is_empty();
    let selected = {
        let key = k.key.clone();
        move || s.inspector.is_open(&key)
    };
    let open = {
        let (key, db) = (k.key.clone(), k.db);
        move |_| {
            if let Source::Scenario(shown) = s.inspector.source {
                shown.set(db);
            }
            shared.send(s.inspector.open(InspectQuery::new(key.clone())));
        }
    };
    let named = (k.rank == Rank::Named).then(|| {
        view! { <span class="sc-named" title=move || text().scenario.step_keys>"●"</span> }
    });
    view! {
        <button
            class=class
            class:named=k.rank == Rank::Named
            class:selected=selected
            disabled=gone
            on:click=open
        >
            <span class="key" title=k.key.clone()>{named}{db}{k.key.clone()}</span>
            <span class="sc-type">{type_badge}</span>
            <span class="sc-ttl">{ttl}</span>
            <span class="sc-change">{badge}</span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_a_scenario_and_a_step() {
        assert_eq!(
            parse_link("#scenario/cache-aside/3"),
            Some(("cache-aside".into(), 3))
        );
        assert_eq!(
            parse_link("#scenario/sessions"),
            Some(("sessions".into(), 0))
        );
        assert_eq!(parse_link("#scenario/"), None);
        assert_eq!(parse_link("#scenario/x/y"), None);
        assert_eq!(parse_link(""), None);
        assert_eq!(parse_link("#console"), None);
        assert_eq!(
            parse_link(&link("cache-aside", 3)),
            Some(("cache-aside".into(), 3))
        );
    }
}
