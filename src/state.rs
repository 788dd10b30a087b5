//! The page's state: what the engine last reported and what the visitor opened, as signals
//! in one small `Copy` struct that the `App` component provides to every component as Leptos
//! context ([`use_shared`]), and the ways to reach the engine ([`Shared::send`], running a
//! line in a pane). It holds each feature's state and knows none of their views; the app's
//! module answers the engine's responses.

use std::collections::{HashSet, VecDeque};

use leptos::prelude::*;

use crate::console::pane::{Pane, ShownFlow};
use crate::embed::state::Embed;
use crate::host::{Host, SharedBackend};
use crate::i18n::Strings;
use crate::keyspace::target::InspectTarget;
use crate::keyspace::ttl::TtlTracker;
use crate::lesson::state::LessonState;
use crate::repl::state::ReplState;
use crate::saved::state::SavedUi;
use crate::scenario::state::ScenarioState;
use crate::server::state::ServerState;
use crate::share::state::ShareState;
use keyspace_protocol::assist::Assist;
use keyspace_protocol::console::{clip_echo, PaneId, Watched};
use keyspace_protocol::keys::{KeyQuery, KeyWindow};
use keyspace_protocol::Request;

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
    Server,
    Replication,
}

/// The page's state, shared by its components: small and `Copy`, every part a signal or a
/// handle to one.
#[derive(Clone, Copy)]
pub struct Shared {
    pub text: RwSignal<&'static Strings>,
    /// The console's clients, one pane each, as the engine last reported them.
    pub panes: RwSignal<Vec<Pane>>,
    /// The pane typed into last: the keyspace panel shows its database.
    pub active: RwSignal<PaneId>,
    /// Messages seen going from publishers to subscribers, newest last.
    pub flows: RwSignal<VecDeque<ShownFlow>>,
    /// Keys of the shown database that clients WATCH.
    pub watched: RwSignal<Vec<Watched>>,
    pub engine: RwSignal<EngineState>,
    /// The keys on screen and the query that selects them.
    pub window: RwSignal<KeyWindow>,
    pub query: RwSignal<KeyQuery>,
    /// Keys the last command changed.
    pub changed: RwSignal<HashSet<String>>,
    /// The key open in the console's inspector.
    pub inspector: InspectTarget,
    /// The engine's clock, redrawn every tick (`app::TICK`) for the countdowns: the browser's clock
    /// plus [`Shared::clock_offset`].
    pub now_ms: RwSignal<u64>,
    /// How far the engine's clock runs ahead of the browser's (ms), as the last key window
    /// said: a continued scenario's engine runs on the scenario's virtual time.
    pub(crate) clock_offset: StoredValue<i64>,
    pub ttl: StoredValue<TtlTracker>,
    pub tab: RwSignal<Tab>,
    /// The scenario player's state.
    pub scenario: ScenarioState,
    /// The server panel's state.
    pub server: ServerState,
    /// What the browser keeps of the playground (`persist_view`).
    pub saved: SavedUi,
    /// The lines typed this session, for sharing (`crate::share_view`).
    pub share: ShareState,
    /// The Markdown lesson beside the console (`crate::lesson`).
    pub lesson: LessonState,
    /// The Replication view's nodes and their consoles (`crate::repl`).
    pub repl: ReplState,
    /// What the engine says about the line being typed (`prompt`).
    pub assist: RwSignal<Assist>,
    /// The console prints each command's and reply's RESP bytes.
    pub show_resp: RwSignal<bool>,
    pub(crate) host: StoredValue<Option<Host>, LocalStorage>,
    /// The tests' engine in the page, if the page was given one instead of its worker.
    pub(crate) backend: StoredValue<Option<SharedBackend>, LocalStorage>,
    /// The key-list request in flight, so that a fast scroll sends one at a time.
    pub(crate) window_sent: StoredValue<Option<KeyQuery>>,
    /// Runs, ticks and client changes sent and not answered yet: a tick waits until none
    /// is, rather than piling up behind a long command.
    pub(crate) in_flight: StoredValue<u32>,
    pub(crate) next_id: StoredValue<u64>,
    /// "+ MONITOR" was pressed when the newest pane was this one: the pane the engine adds
    /// next (a higher number) runs MONITOR at once.
    pub(crate) monitor_next: StoredValue<Option<PaneId>>,
    /// The embed mode's state, when the page is a course page's console (`crate::embed`).
    pub embed: Option<Embed>,
}

/// The page's state, as [`App`] provided it to every component below it.
pub fn use_shared() -> Shared {
    expect_context()
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

    /// Sends a request answered by an [`Response::Update`], counting it in flight.
    pub fn send_counted(&self, request: Request) {
        self.in_flight.update_value(|n| *n += 1);
        self.send(request);
    }

    /// A fresh id for a console entry.
    pub fn id(&self) -> u64 {
        self.next_id.update_value(|n| *n += 1);
        self.next_id.get_value()
    }

    /// Runs `line` in the pane typed into last, as if typed there (the server panel's
    /// controls type their CONFIG SET there, so the learner sees it); the console entry's id,
    /// which its answer carries.
    pub fn run_line(&self, line: String) -> Option<u64> {
        let active = self.active.get_untracked();
        let pane = self
            .panes
            .with_untracked(|panes| panes.iter().find(|p| p.id == active).copied())?;
        let echo = clip_echo(format!(
            "{} {line}",
            pane.view.with_untracked(|v| v.prompt.clone())
        ));
        Some(self.run_in(pane, vec![line], echo))
    }

    /// A message from the page itself in the pane typed into last.
    pub fn note(&self, text: &str) {
        let active = self.active.get_untracked();
        let id = self.id();
        self.panes.with_untracked(|panes| {
            if let Some(pane) = panes.iter().find(|p| p.id == active) {
                pane.log.update(|log| log.note(id, text));
            }
        });
    }

    /// Runs typed lines (one, or a pasted pipeline) in `pane`, echoed as `echo`; the
    /// console entry's id, which its answer carries.
    pub fn run_in(&self, pane: Pane, lines: Vec<String>, echo: String) -> u64 {
        let id = self.id();
        if self.active.get_untracked() != pane.id {
            self.active.set(pane.id);
            self.refresh_keys();
        }
        pane.log.update(|log| log.sent(id, echo));
        for line in &lines {
            self.share.record(pane.id, line);
        }
        self.send_counted(Request::Run {
            seq: id,
            pane: pane.id,
            lines,
            view: self.query.get_untracked(),
            inspect: self.inspector.query.get_untracked(),
        });
        id
    }

    /// Asks for the key list of the current query, unless a request is already out (its answer
    /// will ask again if the query moved on meanwhile).
    pub fn refresh_keys(&self) {
        if self.window_sent.with_value(Option::is_some) {
            return;
        }
        let view = self.query.get_untracked();
        self.window_sent.set_value(Some(view.clone()));
        self.send(Request::Window {
            pane: self.active.get_untracked(),
            view,
        });
    }

    pub(crate) fn show_window(&self, window: KeyWindow) {
        self.clock_offset
            .set_value(window.now_ms as i64 - js_sys::Date::now() as i64);
        self.now_ms.set(self.engine_now());
        self.ttl
            .update_value(|t| t.observe(&window.rows, window.now_ms));
        self.window.set(window);
    }

    /// The engine's time now, as the browser's clock and the last window's offset say.
    pub(crate) fn engine_now(&self) -> u64 {
        (js_sys::Date::now() as i64 + self.clock_offset.get_value()).max(0) as u64
    }
}
