//! The page: a header (title, the emulated Redis version, language, theme and zoom), the
//! console's client panes (`clients_view`), and the keyspace panel (`panel`). Components only
//! wire the DOM to the plain types of `console`, `history`, `keyview` and `i18n`; the engine
//! answers through a [`Host`].

use std::collections::{HashSet, VecDeque};
use std::rc::Rc;
use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::console::clients::{pipeline_lines, run_typed, Clients};
use crate::console::pane::{self, Pane};
use crate::console::teach;
use crate::embed::api::{self, Message};
use crate::embed::state::Embed;
use crate::embed::view::EmbedView;
use crate::host::{Host, SharedBackend, EMBED_WORKER_SCRIPT, WORKER_SCRIPT};
use crate::i18n::{strings_for, Strings, LANGUAGES};
use crate::keyspace::inspector::Inspector;
use crate::keyspace::panel::KeyPanel;
use crate::keyspace::target::{InspectTarget, Source};
use crate::keyspace::ttl::TtlTracker;
use crate::lesson::state::LessonState;
use crate::lesson::view::{self as lesson_view, LessonPanel};
use crate::offline::UpdateNotice;
use crate::prefs;
use crate::repl::state::ReplState;
use crate::repl::view::{self as repl_view, ReplView};
use crate::saved::section as persist_view;
use crate::saved::state::SavedUi;
use crate::scenario::state::ScenarioState;
use crate::scenario::view::{self as scenario_view, Scenarios};
use crate::server::panel::ServerPanel;
use crate::server::state::ServerState;
use crate::share::dialog as share_view;
use crate::share::state::ShareState;
use crate::state::{use_shared, EngineState, Shared, Tab};
use keyspace_protocol::assist::Assist;
use keyspace_protocol::console;
use keyspace_protocol::console::{Line, Note, PaneId, ReplyPage};
use keyspace_protocol::keys::{KeyQuery, KeyWindow};
use keyspace_protocol::repl::ReplRequest;
use keyspace_protocol::scenario::{ScenarioRequest, ScenarioResponse};
use keyspace_protocol::server::ServerRequest;
use keyspace_protocol::share;
use keyspace_protocol::{Request, Response};

/// Presenter zoom: the steps Ctrl/Cmd +/− move through, and its bounds.
const ZOOM_STEP: f64 = 0.1;
const ZOOM_RANGE: (f64, f64) = (0.7, 2.5);
/// How often the page asks the engine to run its timer (and redraws countdowns): Redis's
/// default `hz` of 10.
const TICK: Duration = Duration::from_millis(100);

impl Shared {
    fn on_response(&self, response: Response) {
        match response {
            Response::Ready => self.engine.set(EngineState::Ready),
            Response::Update(update) => self.on_update(*update),
            Response::Inspected(inspection) => self.inspector.show(inspection),
            Response::Window(window) => {
                let sent = self.window_sent.get_value();
                self.window_sent.set_value(None);
                self.show_window(window);
                if sent.as_ref() != Some(&self.query.get_untracked()) {
                    self.refresh_keys();
                }
            }
            Response::More { reply, from, lines } => {
                self.panes.with_untracked(|panes| {
                    for pane in panes {
                        pane.log.update(|log| log.more(reply, from, lines.clone()));
                    }
                });
            }
            Response::Server(response) => self.server.on_response(response),
            Response::Shared(bundle) => self.share.bundle.set(Some(bundle)),
            Response::ShareOpened(lines) => share_view::replay(*self, lines),
            Response::Scenario(response) => {
                if response == ScenarioResponse::Continued {
                    self.tab.set(Tab::Console);
                    // The scenario's clients replace the console's: fresh panes.
                    self.panes.set(vec![Pane::first()]);
                    self.refresh_engine();
                }
                scenario_view::on_response(*self, response);
            }
            Response::Assisted(assist) => self.assist.set(assist),
            Response::Helped {
                seq,
                echo,
                topic,
                docs,
            } => {
                let text = self.text.get_untracked().console;
                let lines: Vec<Line> = teach::help_lines(&topic, &docs, text)
                    .into_iter()
                    .map(|line| Line::classify(line, false))
                    .collect();
                // Laid out here, whole: nothing of it is left in the worker to page through.
                let reply = ReplyPage {
                    id: 0,
                    total: lines.len(),
                    lines,
                };
                // Only the pane that asked has an entry `seq`.
                self.panes.with_untracked(|panes| {
                    for pane in panes {
                        pane.log
                            .update(|log| log.answered(seq, echo.clone(), reply.clone()));
                    }
                });
            }
            Response::RespShown(_) | Response::ReplyValues(_) => {}
            Response::Restored(restored) => {
                if persist_view::worth_a_note(&restored) {
                    for line in
                        persist_view::restored_note(&restored, self.text.get_untracked().saved)
                    {
                        self.note(&line);
                    }
                }
                self.saved.restored.set(Some(restored));
            }
            Response::Restarted(restored) => {
                // Every pane's connection closed with the server: each says so, and what the
                // new server started on.
                let lines =
                    persist_view::restarted_note(&restored, self.text.get_untracked().saved);
                self.panes.with_untracked(|panes| {
                    for pane in panes {
                        for line in &lines {
                            let id = self.id();
                            pane.log.update(|log| log.note(id, line));
                        }
                    }
                });
                self.saved.restored.set(Some(restored));
                self.changed.set(HashSet::new());
                self.inspector.close();
                self.refresh_engine();
            }
            Response::Saved(state) => self.saved.state.set(Some(state)),
            Response::File { name, bytes } => {
                if !bytes.is_empty() {
                    share_view::download(&name, &bytes, "application/octet-stream");
                }
            }
            Response::RdbLoaded(result) => {
                self.saved.loaded.set(Some(result));
                self.changed.set(HashSet::new());
                self.inspector.close();
                self.refresh_keys();
            }
            Response::Lesson(result) => lesson_view::on_response(*self, result),
            Response::Repl(response) => self.repl.on_response(response, || self.id()),
            Response::ResetDone => {
                persist_view::forget_history();
                let _ = window().location().reload();
            }
        }
    }

    /// Brings every pane, the message flows and the keyspace panel up to date.
    fn on_update(&self, update: console::Update) {
        self.in_flight.update_value(|n| *n = n.saturating_sub(1));
        self.panes
            .update(|panes| pane::reconcile(panes, update.clients));
        // The pane "+ MONITOR" asked for is here: it becomes a monitor as if MONITOR were
        // typed in it (echoed, kept in the history of the share link).
        if let Some(newest) = self.monitor_next.get_value() {
            let added = self
                .panes
                .with_untracked(|panes| panes.iter().find(|p| p.id > newest).copied());
            if let Some(added) = added {
                self.monitor_next.set_value(None);
                let prompt = added.view.with_untracked(|v| v.prompt.clone());
                self.run_in(
                    added,
                    vec!["MONITOR".to_string()],
                    format!("{prompt} MONITOR"),
                );
            }
        }
        let pane = |id: PaneId| {
            self.panes
                .with_untracked(|panes| panes.iter().find(|p| p.id == id).copied())
        };
        let answered = !update.answers.is_empty();
        for answer in update.answers {
            self.server.answered(answer.seq, &answer.reply);
            let Some(pane) = pane(answer.pane) else {
                continue;
            };
            let server = self.text.get_untracked().server;
            let reply = match answer.note {
                // Not run: the page's own words stand in the reply's place.
                Some(Note::PopulateCapped { cap }) => {
                    let text = server.populate_capped.replace("{n}", &cap.to_string());
                    ReplyPage {
                        lines: vec![Line::classify(text, true)],
                        total: 1,
                        ..answer.reply
                    }
                }
                _ => answer.reply,
            };
            if let Some(embed) = self.embed {
                embed.answered(answer.seq, &answer.echo, &reply, &answer.values);
            }
            pane.log
                .update(|log| log.answered(answer.seq, answer.echo, reply));
            if answer.note == Some(Note::NoLimit) {
                let id = self.id();
                pane.log.update(|log| log.note(id, server.no_limit_note));
            }
        }
        for pushed in update.pushed {
            if let Some(pane) = pane(pushed.pane) {
                let id = self.id();
                pane.log.update(|log| log.pushed(id, pushed.reply));
            }
        }
        if !update.flows.is_empty() {
            let first = self.next_id.get_value() + 1;
            self.next_id
                .update_value(|n| *n += update.flows.len() as u64);
            self.flows
                .update(|shown| pane::add_flows(shown, update.flows, first));
        }
        if update.evicted.is_some() {
            self.server.evicted.set(update.evicted);
        }
        if answered || !update.changed.is_empty() {
            self.changed.set(update.changed.into_iter().collect());
        }
        if self.watched.with_untracked(|w| *w != update.watched) {
            self.watched.set(update.watched);
        }
        if !self
            .panes
            .with_untracked(|panes| panes.iter().any(|p| p.id == self.active.get_untracked()))
        {
            if let Some(first) = self.panes.with_untracked(|p| p.first().map(|p| p.id)) {
                self.active.set(first);
                self.refresh_keys();
            }
        }
        if let Some(window) = update.window {
            self.show_window(window);
        }
        if let Some(inspection) = update.inspection {
            self.inspector.show(inspection);
        }
        // A share link's lines wait for the panes they were typed in.
        share_view::run_pending(*self);
        // An embedded console is ready once its first lines have their replies.
        if let Some(embed) = self.embed {
            if self.in_flight.get_value() == 0 && self.share.pending.with_value(Vec::is_empty) {
                embed.settled();
            }
        }
        // A script running in slices goes on at once rather than at the next timer tick: the
        // worker runs one tick's share of it and answers, so the page and the other panes are
        // served between slices while the script runs at nearly the worker's full speed. A
        // zero timeout rather than a direct send lets the browser's own tasks in between.
        let scripting = self.panes.with_untracked(|panes| {
            panes
                .iter()
                .any(|p| p.view.with_untracked(|v| v.running_script.is_some()))
        });
        if scripting {
            let shared = *self;
            set_timeout(move || shared.tick(), Duration::ZERO);
        }
    }

    /// The console's engine is a new one (a scenario taken over, a restart after SHUTDOWN):
    /// a tick brings its clients, and the key list follows.
    fn refresh_engine(&self) {
        self.send_counted(Request::Tick {
            pane: self.active.get_untracked(),
            view: self.query.get_untracked(),
            inspect: None,
        });
        self.refresh_keys();
    }

    /// Asks the engine to run its timers (and a slice of a running script), unless a request
    /// is already out: a tick waits behind a running command rather than piling up behind it.
    pub(crate) fn tick(&self) {
        if self.in_flight.get_value() == 0 && self.engine.get_untracked() == EngineState::Ready {
            self.send_counted(Request::Tick {
                pane: self.active.get_untracked(),
                view: self.query.get_untracked(),
                inspect: self.inspector.query.get_untracked(),
            });
        }
    }

    /// Starts an engine (again): in a worker, or the tests' backend in the page.
    fn start(&self) {
        let shared = *self;
        let on_response = Rc::new(move |response| shared.on_response(response));
        let on_failure = Rc::new(move |message: String| {
            web_sys::console::error_1(&format!("engine stopped: {message}").into());
            shared.engine.set(EngineState::Failed(message));
        });
        self.host.set_value(None);
        self.window_sent.set_value(None);
        self.in_flight.set_value(0);
        self.engine.set(EngineState::Starting);
        self.inspector.close();
        let host = match self.backend.get_value() {
            Some(backend) => Some(Host::in_page(backend, on_response)),
            None => {
                let script = match self.embed {
                    Some(_) => EMBED_WORKER_SCRIPT,
                    None => WORKER_SCRIPT,
                };
                Host::worker(script, on_response, on_failure)
            }
        };
        self.host.set_value(host);
        // The engine's clients are news to the page: the first tick brings them.
        self.send_counted(Request::Tick {
            pane: self.active.get_untracked(),
            view: self.query.get_untracked(),
            inspect: None,
        });
        self.refresh_keys();
        self.scenario.restarted();
        self.server.restarted();
        self.send(Request::Scenario(ScenarioRequest::List));
        self.send(Request::Server(ServerRequest::Policies));
        if self.repl.restarted() {
            self.send(Request::Repl(ReplRequest::Open));
        }
        if self.show_resp.get_untracked() {
            self.send(Request::ShowResp(true));
        }
        if self.embed.is_some() {
            self.send(Request::ReplyValues(true));
        }
    }

    /// An embedded console's beginning, at the start and after each reset: its `run=` lines
    /// (as a share link's) and its scenario at its step.
    fn begin_embedded(&self, embed: Embed) {
        let (lines, scenario) = embed
            .params
            .with_value(|p| (p.run.clone(), p.scenario.clone()));
        share_view::run_script(*self, share::by_client(lines));
        if let Some((id, step)) = scenario {
            scenario_view::open_link(*self, &scenario_view::link(&id, step));
        }
    }

    /// Start over, in an embedded console: a new engine in a new worker, fresh panes, and
    /// its beginning again; the next `keyspace:ready` carries the course page's `id`.
    fn restart_embedded(&self, embed: Embed, id: wasm_bindgen::JsValue) {
        embed.restarting(id);
        self.panes.set(vec![Pane::first()]);
        self.active.set(1);
        self.flows.set(VecDeque::new());
        self.share.typed.set(Vec::new());
        self.start();
        self.begin_embedded(embed);
    }

    /// A message from the course page, once `api::read` has heard it.
    fn on_message(&self, embed: Embed, message: Message) {
        match message {
            Message::Run { id, command } => {
                let (lines, _) = pipeline_lines(&command);
                let active = self.active.get_untracked();
                let pane = self.panes.with_untracked(|panes| {
                    panes
                        .iter()
                        .find(|p| p.id == active)
                        .or(panes.first())
                        .copied()
                });
                if let (false, Some(pane)) = (lines.is_empty(), pane) {
                    embed.asked(run_typed(*self, pane, lines), id);
                }
            }
            Message::Reset { id } => self.restart_embedded(embed, id),
            Message::Hello => embed.greeted(),
        }
    }
}

/// The whole page. Its engine runs in a Web Worker, or on `backend` in the page's own thread:
/// the browser tests have no worker script to load (`keyspace_worker::InPage`).
#[component]
pub fn App(#[prop(optional)] backend: Option<SharedBackend>) -> impl IntoView {
    let embed = Embed::from_address();
    if embed.is_some() {
        prefs::forget_all();
    }
    let language = embed
        .and_then(|e| e.params.with_value(|p| p.lang.clone()))
        .or_else(|| prefs::load("language"))
        .unwrap_or_else(|| window().navigator().language().unwrap_or_default());
    let now_ms = RwSignal::new(js_sys::Date::now() as u64);
    let shared = Shared {
        text: RwSignal::new(strings_for(&language)),
        panes: RwSignal::new(vec![Pane::first()]),
        active: RwSignal::new(1),
        flows: RwSignal::new(VecDeque::new()),
        watched: RwSignal::new(Vec::new()),
        engine: RwSignal::new(EngineState::Starting),
        window: RwSignal::new(KeyWindow::default()),
        query: RwSignal::new(KeyQuery::default()),
        changed: RwSignal::new(HashSet::new()),
        inspector: InspectTarget::new(now_ms.into(), Source::Console),
        now_ms,
        clock_offset: StoredValue::new(0),
        ttl: StoredValue::new(TtlTracker::default()),
        tab: RwSignal::new(Tab::Console),
        scenario: ScenarioState::new(),
        server: ServerState::new(),
        saved: SavedUi::new(),
        share: ShareState::new(),
        lesson: LessonState::new(),
        repl: ReplState::new(),
        assist: RwSignal::new(Assist::default()),
        show_resp: RwSignal::new(false),
        host: StoredValue::new_local(None),
        backend: StoredValue::new_local(backend),
        window_sent: StoredValue::new(None),
        in_flight: StoredValue::new(0),
        next_id: StoredValue::new(0),
        monitor_next: StoredValue::new(None),
        embed,
    };
    // Every component below takes the state from the context (`use_shared`).
    provide_context(shared);
    shared.start();

    // The engine's timer: keys expire while nobody types, as in a running redis-server. A
    // tick waits behind a running command rather than piling up behind it.
    let tick = move || {
        shared.now_ms.set(shared.engine_now());
        shared.tick();
        repl_view::tick(shared, TICK.as_millis() as u64);
    };
    if let Ok(handle) = set_interval_with_handle(tick, TICK) {
        on_cleanup(move || handle.clear());
    }

    // The document follows the chosen language (title, `lang` for fonts and screen readers).
    Effect::new(move || {
        let text = shared.text.get();
        document().set_title(text.app.title);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", text.lang);
        }
    });

    // In a course page's iframe: the console alone, driven by the course page's messages.
    if let Some(embed) = embed {
        shared.begin_embedded(embed);
        let origin = embed.origin();
        let messages = window_event_listener(leptos::ev::message, move |ev| {
            if let Some(message) = api::read(&ev, origin.as_deref()) {
                shared.on_message(embed, message);
            }
        });
        on_cleanup(move || messages.remove());
        let on_reset = move |()| shared.restart_embedded(embed, wasm_bindgen::JsValue::NULL);
        return view! { <EmbedView on_reset /> }.into_any();
    }
    share_view::open_link(shared);
    lesson_view::open_link(shared, &window().location().hash().unwrap_or_default());
    repl_view::open_link(shared, &window().location().hash().unwrap_or_default());

    // A link pasted into the address bar of this open tab: a scenario step, a lesson, or a
    // share link.
    let hash_changes = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = window().location().hash().unwrap_or_default();
        if !scenario_view::open_link(shared, &hash)
            && !lesson_view::open_link(shared, &hash)
            && !repl_view::open_link(shared, &hash)
        {
            share_view::open_link(shared);
        }
    });
    on_cleanup(move || hash_changes.remove());

    // A file dropped anywhere on the page: a scenario goes to the player, a lesson beside the
    // console, an RDB file to the Server tab's upload (which asks first), anything else is
    // refused with a word. Without this, the browser would leave the playground to show it.
    let dragging = RwSignal::new(false);
    let refused = RwSignal::new(None::<String>);
    let has_files = |ev: &leptos::ev::DragEvent| {
        ev.data_transfer()
            .is_some_and(|d| d.types().includes(&"Files".into(), 0))
    };
    let over = window_event_listener(leptos::ev::dragover, move |ev| {
        if has_files(&ev) {
            ev.prevent_default();
            dragging.set(true);
        }
    });
    let left = window_event_listener(leptos::ev::dragleave, move |ev| {
        // Leaving the window, not moving between elements inside it.
        if ev.related_target().is_none() {
            dragging.set(false);
        }
    });
    let dropped = window_event_listener(leptos::ev::drop, move |ev| {
        if !has_files(&ev) {
            return;
        }
        ev.prevent_default();
        dragging.set(false);
        let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.item(0))
        else {
            return;
        };
        let name = file.name().to_lowercase();
        refused.set(None);
        if name.ends_with(".toml") {
            scenario_view::load_file(shared, file);
        } else if lesson_view::is_lesson_file(&name) {
            lesson_view::load_file(shared, file);
        } else if name.ends_with(".rdb") {
            persist_view::offer_rdb(shared, file);
        } else {
            refused.set(Some(file.name()));
        }
    });
    on_cleanup(move || {
        over.remove();
        left.remove();
        dropped.remove();
    });

    let text = move || shared.text.get();
    view! {
        <div class="app" class:dragging=move || dragging.get()>
            <Header />
            <Tabs />
            <UpdateNotice />
            {move || refused.get().map(|name| view! {
                <div class="drop-refused" role="alert">
                    <p>{move || text().app.drop_refused.replace("{file}", &name)}</p>
                    <button class="close" on:click=move |_| refused.set(None)>{move || text().keyspace.close}</button>
                </div>
            })}
            <main class="panes" hidden=move || shared.tab.get() != Tab::Console>
                <Clients />
                <div class="side">
                    <LessonPanel />
                    <KeyPanel />
                    <Inspector target=shared.inspector />
                </div>
            </main>
            <Scenarios />
            <ServerPanel />
            <ReplView />
            {move || {
                let state = shared.saved.state.get()?;
                let failed = state.failed?;
                Some(view! {
                    <div class="saved-failed" role="alert">
                        {persist_view::failure(&failed, text().saved)}
                    </div>
                })
            }}
            {move || match shared.engine.get() {
                EngineState::Failed(message) => Some(view! {
                    <div class="failure" role="alert">
                        <p>{move || text().app.failed}</p>
                        <p class="failure-detail">{message}</p>
                        <button on:click=move |_| {
                            let id = shared.id();
                            let note = shared.text.get_untracked().app.restarted;
                            shared.panes.with_untracked(|panes| {
                                for pane in panes {
                                    pane.log.update(|log| {
                                        log.drop_waiting();
                                        log.note(id, note);
                                    });
                                }
                            });
                            shared.start();
                        }>{move || text().app.reset}</button>
                    </div>
                }),
                _ => None,
            }}
        </div>
    }
    .into_any()
}

/// The title, the emulated version, and the presenter's controls.
#[component]
fn Header() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let zoom = RwSignal::new(
        prefs::load("zoom")
            .and_then(|z| z.parse::<f64>().ok())
            .unwrap_or(1.0),
    );
    let theme = RwSignal::new(prefs::load("theme"));

    // Presenter zoom scales the whole app (its sizes are in rem), not the browser's page zoom.
    let step = move |by: f64| {
        zoom.update(|z| *z = ((*z + by) * 10.0).round() / 10.0);
        zoom.update(|z| *z = z.clamp(ZOOM_RANGE.0, ZOOM_RANGE.1));
        prefs::save("zoom", &zoom.get_untracked().to_string());
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        let by = match ev.key().as_str() {
            "+" | "=" => ZOOM_STEP,
            "-" | "_" => -ZOOM_STEP,
            "0" => 1.0 - zoom.get_untracked(),
            _ => return,
        };
        ev.prevent_default();
        step(by);
    });
    on_cleanup(move || keys.remove());
    Effect::new(move || {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("style", &format!("--zoom: {}", zoom.get()));
        }
    });

    // No saved theme follows the system's (prefers-color-scheme, in the CSS).
    let dark = move || match theme.get().as_deref() {
        Some(t) => t == "dark",
        None => window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    };
    Effect::new(move || {
        if let Some(root) = document().document_element() {
            let _ = match theme.get() {
                Some(t) => root.set_attribute("data-theme", &t),
                None => root.remove_attribute("data-theme"),
            };
        }
    });
    let toggle_theme = move |_| {
        let next = if dark() { "light" } else { "dark" };
        prefs::save("theme", next);
        theme.set(Some(next.to_string()));
    };

    view! {
        <header class="top">
            <div class="titles">
                <h1>{move || text().app.title}<span class="version">"Redis 7.0"</span></h1>
                <p class="note">{move || text().app.emulates}</p>
            </div>
            <nav class="controls">
                {LANGUAGES.map(|table| view! {
                    <button
                        class="lang"
                        lang=table.lang
                        aria-pressed=move || (text().lang == table.lang).to_string()
                        on:click=move |_| {
                            prefs::save("language", table.lang);
                            shared.text.set(table);
                        }
                    >{table.name}</button>
                })}
                <button class="theme" on:click=toggle_theme>
                    {move || if dark() { text().app.theme_light } else { text().app.theme_dark }}
                </button>
                <button class="zoom" aria-label=move || text().app.zoom_out on:click=move |_| step(-ZOOM_STEP)>"A−"</button>
                <button class="zoom" aria-label=move || text().app.zoom_in on:click=move |_| step(ZOOM_STEP)>"A+"</button>
            </nav>
        </header>
    }
}

/// The switch between the console, the scenario player and the server panel.
#[component]
fn Tabs() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let tab = move |which: Tab, label: fn(&Strings) -> &'static str| {
        view! {
            <button
                role="tab"
                class="tab"
                aria-selected=move || (shared.tab.get() == which).to_string()
                on:click=move |_| shared.tab.set(which)
            >{move || label(text())}</button>
        }
    };
    view! {
        <nav class="tabs" role="tablist" aria-label=move || text().app.tabs_label>
            {tab(Tab::Console, |t| t.app.tab_console)}
            {tab(Tab::Scenarios, |t| t.app.tab_scenarios)}
            {tab(Tab::Server, |t| t.server.tab)}
            {tab(Tab::Replication, |t| t.repl.tab)}
        </nav>
    }
}
