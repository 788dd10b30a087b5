//! The page: a header (title, the emulated Redis version, language, theme and zoom), the
//! console, and the keyspace panel (`panel`). Components only wire the DOM to the plain types
//! of `console`, `history`, `keyview` and `i18n`; the engine answers through a [`Host`].

use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::assist::Assist;
use crate::console::{Entry, Log};
use crate::host::Host;
use crate::i18n::{fill, strings_for, Strings, LANGUAGES};
use crate::inspect::{InspectQuery, Inspection};
use crate::inspector::Inspector;
use crate::keyview::{KeyQuery, KeyWindow, TtlTracker};
use crate::panel::KeyPanel;
use crate::prefs;
use crate::prompt::Prompt;
use crate::protocol::{Request, Response};
use crate::reply_line::{CopyButton, ReplyLine};
use crate::scenario::{ScenarioRequest, ScenarioResponse};
use crate::scenario_view::{ScenarioState, Scenarios};

/// Presenter zoom: the steps Ctrl/Cmd +/− move through, and its bounds.
const ZOOM_STEP: f64 = 0.1;
const ZOOM_RANGE: (f64, f64) = (0.7, 2.5);
/// How often the page asks the engine to run its timer (and redraws countdowns): Redis's
/// default `hz` of 10.
const TICK: Duration = Duration::from_millis(100);

/// Whether the engine is up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineState {
    Starting,
    Ready,
    /// Died, with what the browser said.
    Failed(String),
}

/// Which view the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Console,
    Scenarios,
}

/// The page's state, shared by its components: small and `Copy`, every part a signal or a
/// handle to one.
#[derive(Clone, Copy)]
pub struct Shared {
    pub text: RwSignal<&'static Strings>,
    pub log: RwSignal<Log>,
    pub prompt: RwSignal<String>,
    pub engine: RwSignal<EngineState>,
    /// The keys on screen and the query that selects them.
    pub window: RwSignal<KeyWindow>,
    pub query: RwSignal<KeyQuery>,
    /// Keys the last command changed.
    pub changed: RwSignal<HashSet<String>>,
    /// The key open in the inspector and the page of it shown, and that page once it came.
    pub inspect: RwSignal<Option<InspectQuery>>,
    pub inspection: RwSignal<Option<Inspection>>,
    /// The wall clock, redrawn every [`TICK`] for the countdowns.
    pub now_ms: RwSignal<u64>,
    pub ttl: StoredValue<TtlTracker>,
    pub tab: RwSignal<Tab>,
    /// The scenario player's state.
    pub scenario: ScenarioState,
    /// What the engine says about the line being typed (`prompt`).
    pub assist: RwSignal<Assist>,
    /// The console prints each command's and reply's RESP bytes.
    pub show_resp: RwSignal<bool>,
    host: StoredValue<Option<Host>, LocalStorage>,
    /// The key-list request in flight, so that a fast scroll sends one at a time.
    window_sent: StoredValue<Option<KeyQuery>>,
    tick_sent: StoredValue<bool>,
    next_id: StoredValue<u64>,
}

impl Shared {
    /// Sends a request to the engine, if there is one.
    pub fn send(&self, request: Request) {
        self.host.with_value(|host| {
            if let Some(host) = host {
                host.send(request);
            }
        });
    }

    /// A fresh id for a console entry.
    fn id(&self) -> u64 {
        self.next_id.update_value(|n| *n += 1);
        self.next_id.get_value()
    }

    /// Asks for the key list of the current query, unless a request is already out (its answer
    /// will ask again if the query moved on meanwhile).
    pub fn refresh_keys(&self) {
        if self.window_sent.with_value(Option::is_some) {
            return;
        }
        let view = self.query.get_untracked();
        self.window_sent.set_value(Some(view.clone()));
        self.send(Request::Window { view });
    }

    /// Opens `key` in the inspector (or another page of it).
    pub fn open(&self, query: InspectQuery) {
        let same_key = self
            .inspect
            .with_untracked(|q| q.as_ref().is_some_and(|q| q.key == query.key));
        if !same_key {
            self.inspection.set(None);
        }
        self.inspect.set(Some(query.clone()));
        self.send(Request::Inspect(query));
    }

    /// Closes the inspector.
    pub fn close(&self) {
        self.inspect.set(None);
        self.inspection.set(None);
    }

    /// Shows an inspected page, unless the inspector moved to another key meanwhile.
    fn show_inspection(&self, inspection: Option<Inspection>) {
        let Some(inspection) = inspection else {
            return;
        };
        let current = self
            .inspect
            .with_untracked(|q| q.as_ref().is_some_and(|q| q.key == inspection.key));
        if current {
            self.inspection.set(Some(inspection));
        }
    }

    fn show_window(&self, window: KeyWindow) {
        let now = js_sys::Date::now() as u64;
        self.ttl.update_value(|t| t.observe(&window.rows, now));
        self.window.set(window);
    }

    fn on_response(&self, response: Response) {
        match response {
            Response::Ready => self.engine.set(EngineState::Ready),
            Response::Ran {
                seq,
                echo,
                reply,
                prompt,
                changed,
                window,
                inspection,
            } => {
                self.log.update(|log| log.answered(seq, echo, reply));
                self.prompt.set(prompt);
                self.changed.set(changed.into_iter().collect());
                self.show_window(window);
                self.show_inspection(inspection);
            }
            Response::Ticked {
                pushed,
                window,
                inspection,
            } => {
                self.tick_sent.set_value(false);
                if let Some(page) = pushed {
                    let id = self.id();
                    self.log.update(|log| {
                        log.sent(id, String::new());
                        log.answered(id, String::new(), page);
                    });
                }
                if let Some(window) = window {
                    self.show_window(window);
                }
                self.show_inspection(inspection);
            }
            Response::Inspected(inspection) => self.show_inspection(Some(inspection)),
            Response::Window(window) => {
                let sent = self.window_sent.get_value();
                self.window_sent.set_value(None);
                self.show_window(window);
                if sent.as_ref() != Some(&self.query.get_untracked()) {
                    self.refresh_keys();
                }
            }
            Response::More { reply, from, lines } => {
                self.log.update(|log| log.more(reply, from, lines));
            }
            Response::Scenario(response) => {
                if response == ScenarioResponse::Continued {
                    self.tab.set(Tab::Console);
                    self.refresh_keys();
                }
                self.scenario.on_response(response);
            }
            Response::Assisted(assist) => self.assist.set(assist),
            Response::Helped { seq, echo, reply } => {
                self.log.update(|log| log.answered(seq, echo, reply));
            }
            Response::RespShown(_) => {}
        }
    }

    /// Starts an engine (again): in a worker, or in the page for the tests.
    fn start(&self, in_page: bool) {
        let shared = *self;
        let on_response = Rc::new(move |response| shared.on_response(response));
        let on_failure = Rc::new(move |message: String| {
            web_sys::console::error_1(&format!("engine stopped: {message}").into());
            shared.engine.set(EngineState::Failed(message));
        });
        self.host.set_value(None);
        self.window_sent.set_value(None);
        self.tick_sent.set_value(false);
        self.engine.set(EngineState::Starting);
        self.close();
        let host = if in_page {
            Host::in_page(on_response, on_failure)
        } else {
            Host::worker(on_response, on_failure)
        };
        self.host.set_value(host);
        self.refresh_keys();
        self.scenario.restarted();
        self.send(Request::Scenario(ScenarioRequest::List));
        if self.show_resp.get_untracked() {
            self.send(Request::ShowResp(true));
        }
    }
}

/// The whole page. `in_page` runs the engine in the page's own thread instead of a worker:
/// the browser tests have no worker script to load.
#[component]
pub fn App(#[prop(optional)] in_page: bool) -> impl IntoView {
    let saved_language = prefs::load("language");
    let language =
        saved_language.unwrap_or_else(|| window().navigator().language().unwrap_or_default());
    let shared = Shared {
        text: RwSignal::new(strings_for(&language)),
        log: RwSignal::new(Log::default()),
        prompt: RwSignal::new("127.0.0.1:6379>".to_string()),
        engine: RwSignal::new(EngineState::Starting),
        window: RwSignal::new(KeyWindow::default()),
        query: RwSignal::new(KeyQuery::default()),
        changed: RwSignal::new(HashSet::new()),
        inspect: RwSignal::new(None),
        inspection: RwSignal::new(None),
        now_ms: RwSignal::new(js_sys::Date::now() as u64),
        ttl: StoredValue::new(TtlTracker::default()),
        tab: RwSignal::new(Tab::Console),
        scenario: ScenarioState::new(),
        assist: RwSignal::new(Assist::default()),
        show_resp: RwSignal::new(false),
        host: StoredValue::new_local(None),
        window_sent: StoredValue::new(None),
        tick_sent: StoredValue::new(false),
        next_id: StoredValue::new(0),
    };
    shared.start(in_page);

    // The engine's timer: keys expire while nobody types, as in a running redis-server. A
    // tick waits behind a running command rather than piling up behind it.
    let tick = move || {
        shared.now_ms.set(js_sys::Date::now() as u64);
        let idle = shared.log.with_untracked(Log::waiting) == 0;
        if idle
            && !shared.tick_sent.get_value()
            && shared.engine.get_untracked() == EngineState::Ready
        {
            shared.tick_sent.set_value(true);
            shared.send(Request::Tick {
                view: shared.query.get_untracked(),
                inspect: shared.inspect.get_untracked(),
            });
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, TICK) {
        on_cleanup(move || handle.clear());
    }

    // The document follows the chosen language (title, `lang` for fonts and screen readers).
    Effect::new(move || {
        let text = shared.text.get();
        document().set_title(text.title);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", text.lang);
        }
    });

    let text = move || shared.text.get();
    view! {
        <div class="app">
            <Header shared />
            <Tabs shared />
            <main class="panes" hidden=move || shared.tab.get() != Tab::Console>
                <Console shared />
                <div class="side">
                    <KeyPanel shared />
                    <Inspector shared />
                </div>
            </main>
            <Scenarios shared />
            {move || match shared.engine.get() {
                EngineState::Failed(message) => Some(view! {
                    <div class="failure" role="alert">
                        <p>{move || text().failed}</p>
                        <p class="failure-detail">{message}</p>
                        <button on:click=move |_| {
                            shared.log.update(Log::drop_waiting);
                            let id = shared.id();
                            shared.log.update(|log| log.note(id, shared.text.get_untracked().restarted));
                            shared.start(in_page);
                        }>{move || text().reset}</button>
                    </div>
                }),
                _ => None,
            }}
        </div>
    }
}

/// The title, the emulated version, and the presenter's controls.
#[component]
fn Header(shared: Shared) -> impl IntoView {
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
                <h1>{move || text().title}<span class="version">"Redis 7.0"</span></h1>
                <p class="note">{move || text().emulates}</p>
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
                    {move || if dark() { text().theme_light } else { text().theme_dark }}
                </button>
                <button class="zoom" aria-label=move || text().zoom_out on:click=move |_| step(-ZOOM_STEP)>"A−"</button>
                <button class="zoom" aria-label=move || text().zoom_in on:click=move |_| step(ZOOM_STEP)>"A+"</button>
            </nav>
        </header>
    }
}

/// The switch between the console and the scenario player.
#[component]
fn Tabs(shared: Shared) -> impl IntoView {
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
        <nav class="tabs" role="tablist" aria-label=move || text().tabs_label>
            {tab(Tab::Console, |t| t.tab_console)}
            {tab(Tab::Scenarios, |t| t.tab_scenarios)}
        </nav>
    }
}

/// A redis-cli session: type a command, press Enter, read the replies.
#[component]
fn Console(shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let output = NodeRef::<leptos::html::Div>::new();

    // Keep the newest line in view as lines arrive (not when an old reply is expanded).
    let arrivals = Memo::new(move |_| shared.log.with(|l| (l.entries.len(), l.waiting())));
    Effect::new(move || {
        arrivals.track();
        if let Some(log) = output.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });

    // The typed text may hold several lines (a pasted pipeline): each runs in turn.
    let submit = move |text: String| {
        for line in crate::teach::pipeline(&text) {
            // redis-cli's own commands, never sent to the server.
            if line.trim().eq_ignore_ascii_case("clear") {
                shared.log.update(Log::clear);
                continue;
            }
            let id = shared.id();
            let echo = format!("{} {line}", shared.prompt.get_untracked());
            shared.log.update(|log| log.sent(id, echo));
            if crate::teach::help_topic(&line).is_some() {
                let lang = shared.text.get_untracked().lang.to_string();
                shared.send(Request::Help {
                    seq: id,
                    line,
                    lang,
                });
                continue;
            }
            shared.send(Request::Run {
                seq: id,
                line,
                view: shared.query.get_untracked(),
                inspect: shared.inspect.get_untracked(),
            });
        }
    };

    view! {
        <section class="console">
            <div class="status" aria-live="polite">
                {move || match shared.engine.get() {
                    EngineState::Starting => Some(text().starting),
                    _ if shared.log.with(Log::waiting) > 0 => Some(text().busy),
                    _ => None,
                }}
            </div>
            <div class="log" node_ref=output role="log" aria-label=move || text().output_label>
                <For
                    each=move || shared.log.with(|l| l.entries.clone())
                    key=|e| (e.id, e.reply.as_ref().map(|r| (r.lines.len(), r.expanded)))
                    children=move |entry| view! { <EntryView entry shared /> }
                />
            </div>
            <Prompt shared prompt=shared.prompt on_submit=submit />
            <p class="hint">{move || text().keys_hint}</p>
        </section>
    }
}

/// One typed line and its reply, collapsed when long.
#[component]
fn EntryView(entry: Entry, shared: Shared) -> impl IntoView {
    let text = move || shared.text.get();
    let echo =
        (!entry.echo.is_empty()).then(|| view! { <div class="line echo">{entry.echo}</div> });
    let body = match entry.reply {
        None => view! { <div class="pending">{move || text().queued}</div> }.into_any(),
        Some(reply) => {
            let hidden = reply.hidden();
            let id = reply.id;
            let more = (hidden > 0).then(|| {
                let label = move || {
                    let t = text();
                    if reply.expanded {
                        fill(t.show_more, hidden)
                    } else {
                        fill(t.show_all, reply.total)
                    }
                };
                let expand = move |_| {
                    if let Some(from) = shared.log.try_update(|log| log.expand(id)).flatten() {
                        shared.send(Request::More { reply: id, from });
                    }
                };
                view! { <button class="more" on:click=expand>{label}</button> }
            });
            let copied = reply
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let lines = reply
                .shown()
                .iter()
                .map(|line| view! { <ReplyLine line=line.clone() shared /> })
                .collect_view();
            view! { {lines} {more} <CopyButton text=copied shared /> }.into_any()
        }
    };
    view! { <div class="entry">{echo} {body}</div> }
}
