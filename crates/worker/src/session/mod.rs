//! The console's engine as the page sees it: a [`Session`] owns an engine and the console's
//! clients, one per pane, as several redis-cli sessions see it, and answers the page's
//! [`Request`]s. It runs in the Web Worker (`crate::messages`), or in the page itself for the
//! browser tests (`crate::in_page`); either way it is plain Rust, tested natively here. After
//! a SHUTDOWN its host restarts it on what the browser keeps ([`Session::restart`]), as
//! redis-server started again.
//!
//! This module takes the requests and answers them; the concerns behind the answers have a
//! file each:
//!
//! - `panes`: each pane's client and its queue of typed work, blocked clients, and what
//!   arrives unasked (pub/sub messages, notifications, a killed connection);
//! - `replies`: printing replies as redis-cli does, and the long replies kept for "show more";
//! - `continue_scenario`: the console taking over the scenario player's engine;
//! - `persist`: what each request leaves for the browser to keep.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use keyspace::evict::POLICY_NAMES;
use keyspace::persist::LoadMode;
use keyspace::{Clock, Engine};
use keyspace_protocol::console::{clip_echo, help_topic, Line, PaneId, Update, PANES_MAX};
use keyspace_protocol::inspect::{InspectQuery, Inspection};
use keyspace_protocol::keys::{KeyQuery, KeyWindow};
use keyspace_protocol::repl::{ReplRequest, ReplResponse};
use keyspace_protocol::saved::{Restored, Source};
use keyspace_protocol::scenario::ScenarioResponse;
use keyspace_protocol::server::{LogLine, ServerRequest, ServerResponse};
use keyspace_protocol::share::ShareError;
use keyspace_protocol::{Request, Response, Wanted};

use crate::assist;
use crate::help;
use crate::inspect::{self, Snapshot};
use crate::keyview;
use crate::lrulab;
use crate::persistence::{self, StoreOp, Stored};
use crate::player::{Player, Shelf};
use crate::repl::Topology;
use crate::resident::WasmMemory;
use crate::server;
use crate::share;
use panes::{client_prompt, prompt, Pane};

mod continue_scenario;
mod panes;
mod persist;
mod replies;
#[cfg(test)]
mod tests;

pub(crate) use panes::prompt_at;
pub(crate) use replies::print;
pub use replies::PAGE;

/// An engine with the console's clients, and the long replies the page may page through.
pub struct Session {
    engine: Engine,
    panes: Vec<Pane>,
    next_pane: PaneId,
    /// The pane whose database the keyspace panel shows.
    shown: PaneId,
    replies: u64,
    kept: VecDeque<(u64, Vec<Line>)>,
    /// The inspected page as it was before the last command, if that command changed it:
    /// what a later tick's fresh copy of the page is marked against, so that the highlight
    /// lasts until the next command.
    marked_against: Option<(InspectQuery, Snapshot)>,
    /// The scenario being played, on its own engine.
    player: Player,
    /// The Replication view's nodes, on engines of their own, once it was opened.
    repl: Option<Topology>,
    /// Print each command's and reply's RESP bytes (the console's raw RESP toggle).
    show_resp: bool,
    /// Give each answer's replies as data too (an embedded console).
    reply_values: bool,
    /// Changes for the browser to keep, queued by the engine's storage and by
    /// [`Session::persist`].
    store_ops: Arc<Mutex<Vec<StoreOp>>>,
    /// The config as last queued to be kept (`persistence::config_command`).
    kept_config: Option<Vec<u8>>,
    /// A command changed the keyspace in a way no log holds (DEBUG): snapshot after it.
    snapshot_due: bool,
    /// Damaged copies of what the browser kept, by name, for download.
    damaged: Vec<(String, Vec<u8>)>,
    /// The server's log as the Server tab shows it: the last [`LOG_KEPT`] lines.
    server_log: VecDeque<LogLine>,
}

/// Lines of the server's log kept for the Server tab.
const LOG_KEPT: usize = 200;

impl Session {
    /// A fresh keyspace with one client, its time from `clock` and its randomness seeded
    /// with `seed`, on the page's configuration (`persistence::page_config`).
    pub fn new(clock: Box<dyn Clock>, seed: u64) -> Session {
        Session::open(&Stored::default(), clock, seed).0
    }

    /// The playground as the browser kept it (`persistence::restore`), and what was found.
    pub fn open(stored: &Stored, clock: Box<dyn Clock>, seed: u64) -> (Session, Restored) {
        let ops = Arc::new(Mutex::new(Vec::new()));
        let booted = Booted::from(stored, clock, seed, ops.clone());
        let mut session = Session {
            damaged: booted.damaged,
            kept_config: persistence::config_command(booted.engine.config()),
            engine: booted.engine,
            panes: Vec::new(),
            next_pane: 1,
            shown: 1,
            replies: 0,
            kept: VecDeque::new(),
            marked_against: None,
            server_log: VecDeque::new(),
            player: Player::default(),
            repl: None,
            show_resp: false,
            reply_values: false,
            store_ops: ops,
            snapshot_due: false,
        };
        session.started(&booted.restored);
        session.add_pane(None, None);
        (session, booted.restored)
    }

    /// The bug report of a DEBUG crash (SEGFAULT, PANIC, ASSERT, OOM): the engine answers
    /// nothing more, as a crashed redis-server, and the host ends the worker with it; the
    /// page then offers to start again on what the browser keeps.
    pub fn crash_report(&self) -> Option<String> {
        self.engine.crash().map(|crash| crash.report().join("\n"))
    }

    /// Whether a SHUTDOWN stopped the server: the host then reads back what the browser
    /// keeps and [`Session::restart`]s it.
    pub fn shutdown_requested(&self) -> bool {
        self.engine.shutdown_requested()
    }

    /// The server started again after SHUTDOWN, as redis-server restarted: a new engine on
    /// what the browser keeps, through the same door as opening the page
    /// (`persistence::restore`), so what a running script wrote is gone (it reaches the log
    /// only when the script ends). Every pane connects anew; the panes, their scrollback,
    /// the long replies, the server's log and the scenario player stay, as they are the
    /// page's, not the server's.
    pub fn restart(&mut self, stored: &Stored, clock: Box<dyn Clock>, seed: u64) -> Restored {
        let booted = Booted::from(stored, clock, seed, self.store_ops.clone());
        self.kept_config = persistence::config_command(booted.engine.config());
        self.engine = booted.engine;
        self.damaged = booted.damaged;
        self.snapshot_due = false;
        self.marked_against = None;
        for at in 0..self.panes.len() {
            self.panes[at].client = self.connect_pane();
        }
        self.started(&booted.restored);
        booted.restored
    }

    /// The server's log as redis-server writes it at start: what the load noted, where the
    /// data came from, and that it serves.
    fn started(&mut self, restored: &Restored) {
        self.log("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".to_string());
        self.take_log();
        match restored.source {
            Source::Log => self.log("DB loaded from append only file".to_string()),
            Source::Snapshot => self.log("DB loaded from disk".to_string()),
            Source::Nothing => {}
        }
        self.log("Ready to accept connections".to_string());
    }

    /// Whether `request` reads the built-in scenarios' files, which the session does not hold
    /// yet (or could not get): the web worker fetches them first ([`Session::shelve_scenarios`]).
    pub fn needs_scenario_files(&self, request: &Request) -> bool {
        match request {
            Request::Scenario(r) => self.player.needs_files(r),
            Request::Repl(ReplRequest::Lesson { id: Some(_) }) => !self.player.has_files(),
            _ => false,
        }
    }

    /// Gives the scenario player the built-in scenarios' files, or why they could not be had.
    pub fn shelve_scenarios(&mut self, shelf: Shelf) {
        self.player.shelve(shelf);
    }

    /// Answers one request; what it changed is queued for the browser to keep. The worker
    /// then waits for the next request, so the engine does what Redis does before its event
    /// loop waits (the fast expire cycle, when a mass expiry outran the last tick's budget).
    pub fn handle(&mut self, request: Request) -> Response {
        let response = self.answer(request);
        self.engine.before_sleep();
        self.persist();
        response
    }
    fn answer(&mut self, request: Request) -> Response {
        match request {
            Request::Run {
                seq,
                pane,
                lines,
                view,
                inspect,
            } => self.run(seq, pane, lines, &view, inspect.as_ref()),
            Request::Tick {
                pane,
                view,
                inspect,
            } => {
                self.show(pane);
                self.tick(&view, inspect.as_ref())
            }
            Request::Window { pane, view } => {
                self.show(pane);
                Response::Window(self.window(&view))
            }
            Request::Inspect(query) => {
                self.marked_against = None;
                Response::Inspected(self.inspect(&query, None))
            }
            Request::More { reply, from } => Response::More {
                reply,
                from,
                lines: self.more(reply, from),
            },
            Request::AddClient => {
                if self.panes.len() < PANES_MAX {
                    self.add_pane(None, None);
                }
                self.update(Update::default())
            }
            Request::RemoveClient { pane } => {
                // The last pane stays: the console always has a client to type into.
                if self.panes.len() > 1 {
                    if let Some(at) = self.panes.iter().position(|p| p.id == pane) {
                        let gone = self.panes.remove(at);
                        self.engine.disconnect(gone.client);
                    }
                }
                self.update(Update::default())
            }
            Request::Scenario(request) => Response::Scenario(self.player.handle(request)),
            Request::ContinueScenario { confirmed: false } if self.player.is_open() => {
                Response::Scenario(ScenarioResponse::WouldReplace { keys: self.keys() })
            }
            Request::ContinueScenario { .. } => self.continue_scenario(),
            Request::Assist { line, cursor } => {
                Response::Assisted(assist::assist(&line, cursor, self.engine.db(self.db())))
            }
            Request::Help { seq, pane, line } => self.help(seq, pane, &line),
            Request::ShowResp(on) => {
                self.show_resp = on;
                Response::RespShown(on)
            }
            Request::ReplyValues(on) => {
                self.reply_values = on;
                Response::ReplyValues(on)
            }
            Request::Share { lines, page_url } => {
                Response::Shared(share::bundle(&lines, &page_url))
            }
            Request::OpenShare { hash } => {
                Response::ShareOpened(share::decode(&hash).unwrap_or(Err(ShareError::Empty)))
            }
            Request::Server(request) => Response::Server(self.server(request)),
            Request::Download(Wanted::Rdb) => Response::File {
                name: "dump.rdb".to_string(),
                bytes: self.engine.rdb_snapshot(),
            },
            Request::Download(Wanted::Damaged(name)) => Response::File {
                bytes: (self.damaged.iter())
                    .find(|(n, _)| *n == name)
                    .map(|(_, bytes)| bytes.clone())
                    .unwrap_or_default(),
                name,
            },
            Request::LoadRdb(bytes) => {
                let loaded = self.engine.load_rdb(&bytes, LoadMode::Replace);
                if loaded.is_ok() {
                    self.snapshot();
                }
                Response::RdbLoaded(loaded.map(|()| self.keys()).map_err(|e| e.to_string()))
            }
            // Nothing is kept in the page's own thread (the browser tests); the worker
            // answers this itself, once IndexedDB is empty.
            Request::Reset => Response::ResetDone,
            Request::Lesson { source } => Response::Lesson(crate::lesson::parse(&source)),
            Request::Repl(request) => {
                // Its clock starts at the console's time; its seed is drawn from it.
                let now = self.engine.now_ms();
                let topology = self.repl.get_or_insert_with(|| Topology::new(now, now));
                if let ReplRequest::Lesson { id: Some(id) } = &request {
                    match self.player.lesson(id) {
                        Ok(scenario) => topology.open_lesson(scenario),
                        Err(reason) => {
                            return Response::Repl(ReplResponse::LessonUnavailable(reason))
                        }
                    }
                }
                Response::Repl(topology.handle(request))
            }
        }
    }

    /// Keys in every database.
    fn keys(&self) -> usize {
        (0..)
            .map_while(|i| self.engine.db(i))
            .map(|db| db.len())
            .sum()
    }

    /// The server panel's questions, answered from the console's engine (the LRU lab on
    /// engines of its own).
    fn server(&mut self, request: ServerRequest) -> ServerResponse {
        match request {
            ServerRequest::Status { detail } => {
                self.take_log();
                let mut status = server::status_of(&mut self.engine, detail);
                status.log = detail.then(|| self.server_log.iter().cloned().collect());
                ServerResponse::Status(status)
            }
            ServerRequest::Policies => {
                ServerResponse::Policies(POLICY_NAMES.iter().map(|name| name.to_string()).collect())
            }
            ServerRequest::BigKeys => {
                ServerResponse::BigKeys(server::big_keys(&self.engine, self.db()))
            }
            ServerRequest::LruLab => ServerResponse::LruLab(lrulab::run_all()),
        }
    }

    fn show(&mut self, pane: PaneId) {
        if self.panes.iter().any(|p| p.id == pane) {
            self.shown = pane;
        }
    }

    /// The console's `help` typed in `pane`: the docs of a command or group, which the page
    /// lays out in its language.
    fn help(&mut self, seq: u64, pane: PaneId, line: &str) -> Response {
        let topic = help_topic(line).unwrap_or_default();
        let prompt = self.panes.iter().find(|p| p.id == pane).map_or_else(
            || prompt(0, false),
            |p| client_prompt(&self.engine, p.client),
        );
        Response::Helped {
            seq,
            echo: clip_echo(format!("{prompt} {line}")),
            topic: topic.to_string(),
            docs: help::topic_docs(topic),
        }
    }

    /// The database of the pane the keyspace panel shows.
    fn db(&self) -> usize {
        self.panes
            .iter()
            .find(|p| p.id == self.shown)
            .and_then(|p| self.engine.client(p.client))
            .map_or(0, |c| c.db)
    }

    /// Moves what the engine wrote to its log (`redis.log`, saves) into the Server tab's.
    fn take_log(&mut self) {
        for text in self.engine.take_persistence_log() {
            self.log(text);
        }
    }

    /// A line of the Server tab's log, stamped with the engine's time; the oldest lines go
    /// past [`LOG_KEPT`].
    fn log(&mut self, text: String) {
        if self.server_log.len() == LOG_KEPT {
            self.server_log.pop_front();
        }
        let at_ms = self.engine.now_ms();
        self.server_log.push_back(LogLine { at_ms, text });
    }

    /// A page of one key of the shown database, for the inspector.
    fn inspect(&self, query: &InspectQuery, before: Option<&mut Snapshot>) -> Inspection {
        let db = self.db();
        let searched = inspect::searched(&self.engine, db, &query.key);
        inspect::inspect(
            self.engine.db(db),
            query,
            before,
            searched,
            self.engine.now_ms(),
        )
    }

    /// The page, with what the last command changed in it marked.
    fn inspect_marked(&self, query: &InspectQuery) -> Inspection {
        let mut before = self
            .marked_against
            .as_ref()
            .filter(|(q, _)| q == query)
            .map(|(_, before)| before.clone());
        self.inspect(query, before.as_mut())
    }

    fn window(&self, view: &KeyQuery) -> KeyWindow {
        let db = self.db();
        let window = match self.engine.db(db) {
            Some(keys) => keyview::window(db, keys, view),
            None => KeyWindow::default(),
        };
        KeyWindow {
            now_ms: self.engine.now_ms(),
            ..window
        }
    }
}

/// An engine opened on what the browser keeps, as the page opens and as a SHUTDOWN restarts.
struct Booted {
    engine: Engine,
    restored: Restored,
    /// The damaged copies already kept, and those this start put aside.
    damaged: Vec<(String, Vec<u8>)>,
}

impl Booted {
    fn from(
        stored: &Stored,
        clock: Box<dyn Clock>,
        seed: u64,
        ops: Arc<Mutex<Vec<StoreOp>>>,
    ) -> Booted {
        let (mut engine, restored) = persistence::restore(stored, clock, seed, ops.clone());
        engine.set_capture_events(true);
        engine.set_resident_memory(Box::new(WasmMemory));
        let mut damaged = stored.damaged.clone();
        for op in ops.lock().expect("one thread").iter() {
            if let StoreOp::Damaged { name, bytes } = op {
                damaged.retain(|(n, _)| n != name);
                damaged.push((name.clone(), bytes.clone()));
            }
        }
        Booted {
            engine,
            restored,
            damaged,
        }
    }
}
