//! The engine's side of the page: a [`Session`] owns an engine and the console's clients, one
//! per pane, as several redis-cli sessions see it, and answers the page's [`Request`]s. It runs
//! in the Web Worker (see `worker`), or in the page itself for the browser tests; either way it
//! is plain Rust, tested natively here.
//!
//! Each pane keeps a queue of typed work. A line runs at once unless the pane's client is
//! blocked (BLPOP with nothing to pop): then the line that blocked waits for its reply, and
//! what was typed after it waits behind it, as it would behind redis-cli. After every command
//! the other panes are looked at: a blocked client the command served finishes its line, and
//! what arrived unasked (pub/sub messages, notifications) is pushed to its pane; a message is
//! also reported as a [`Flow`] from the pane that published it.
//!
//! Long replies stay here: the page gets the first [`PAGE`] lines and asks for more, so a
//! `KEYS *` over a million keys never crosses to the page whole.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use keyspace::cli::{self, INVALID_ARGUMENTS};
use keyspace::persist::LoadMode;
use keyspace::{ClientId, Clock, Engine, ManualClock, Reply, ShiftedClock};

use crate::assist;
use crate::i18n::strings_for;
use crate::inspect::{self, Snapshot};
use crate::keyview;
use crate::persistence::{self, PageStorage, StoreOp, Stored};
use crate::scenario::Player;
use crate::server;
use crate::share;
use crate::teach;
use keyspace_protocol::console::{
    clip_echo, help_topic, Answer, BlockedView, ClientView, Evicted, Flow, Line, LineKind, PaneId,
    Pushed, ReplyPage, Update, Watched,
};
use keyspace_protocol::inspect::{InspectQuery, Inspection};
use keyspace_protocol::keys::{KeyQuery, KeyWindow};
use keyspace_protocol::saved::Restored;
use keyspace_protocol::scenario::ScenarioResponse;
use keyspace_protocol::server::{ServerRequest, ServerResponse};
use keyspace_protocol::share::ShareError;
use keyspace_protocol::{Request, Response, Wanted};

/// Lines of a reply sent at a time.
pub const PAGE: usize = 500;
/// Long replies kept for "show more", newest last.
const KEPT_REPLIES: usize = 4;
/// Changed keys reported per command: enough to highlight a screenful.
const CHANGED_MAX: usize = 1000;
/// Evicted keys named per command; the rest are counted.
const EVICTED_MAX: usize = 8;
/// Channel names a pane lists by name; the rest are counted.
const CHANNELS_SHOWN: usize = 5;
/// Flows reported per update: a publish to a thousand subscribers is one flow, but a
/// pipeline of a thousand publishes would draw more arrows than anyone can follow.
const FLOWS_MAX: usize = 50;
/// Panes the console holds at most: each is a column on screen.
pub const PANES_MAX: usize = 8;
/// What redis-cli prints when the server closed its connection (CLIENT KILL from another
/// pane); it connects again for the next command.
const CLOSED: &str = "Error: Server closed the connection";
/// RESP bytes shown per command or reply; a `KEYS *` over a million keys is cut.
const RESP_SHOWN: usize = 4096;

/// One pane: its client and the typed work it has not finished.
struct Pane {
    id: PaneId,
    client: ClientId,
    /// The name of the scenario participant it continues, if any.
    label: Option<String>,
    jobs: VecDeque<Job>,
}

/// Typed lines waiting for their replies: one line, or a pipeline.
struct Job {
    seq: u64,
    lines: VecDeque<String>,
    pipeline: bool,
    /// The echo, fixed when the first line runs (the prompt it ran under).
    echo: Option<String>,
    out: Vec<Line>,
    /// A line of it blocked: its reply arrives in the client's outbox.
    waiting: bool,
}

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
    /// Print each command's and reply's RESP bytes (the console's raw RESP toggle).
    show_resp: bool,
    /// Changes for the browser to keep, queued by the engine's storage and by
    /// [`Session::persist`].
    store_ops: Arc<Mutex<Vec<StoreOp>>>,
    /// The config as last queued to be kept (`persistence::config_command`).
    kept_config: Option<Vec<u8>>,
    /// A command changed the keyspace in a way no log holds (DEBUG): snapshot after it.
    snapshot_due: bool,
    /// Damaged copies of what the browser kept, by name, for download.
    damaged: Vec<(String, Vec<u8>)>,
}

impl Session {
    /// A fresh keyspace with one client, its time from `clock` and its randomness seeded
    /// with `seed`, on the page's configuration (`persistence::page_config`).
    pub fn new(clock: Box<dyn Clock>, seed: u64) -> Session {
        Session::open(&Stored::default(), clock, seed).0
    }

    /// The playground as the browser kept it (`persistence::restore`), and what was found.
    pub fn open(stored: &Stored, clock: Box<dyn Clock>, seed: u64) -> (Session, Restored) {
        let ops = Arc::new(Mutex::new(Vec::new()));
        let (mut engine, restored) = persistence::restore(stored, clock, seed, ops.clone());
        engine.set_capture_events(true);
        // The damaged copies already kept, and those this start put aside.
        let mut damaged = stored.damaged.clone();
        for op in ops.lock().expect("one thread").iter() {
            if let StoreOp::Damaged { name, bytes } = op {
                damaged.retain(|(n, _)| n != name);
                damaged.push((name.clone(), bytes.clone()));
            }
        }
        let mut session = Session {
            damaged,
            kept_config: persistence::config_command(engine.config()),
            engine,
            panes: Vec::new(),
            next_pane: 1,
            shown: 1,
            replies: 0,
            kept: VecDeque::new(),
            marked_against: None,
            player: Player::default(),
            show_resp: false,
            store_ops: ops,
            snapshot_due: false,
        };
        session.add_pane(None, None);
        (session, restored)
    }

    /// The changes to what the browser keeps since the last call, in order (for
    /// `crate::store` to write).
    pub fn take_store_ops(&mut self) -> Vec<StoreOp> {
        std::mem::take(&mut *self.store_ops.lock().expect("one thread"))
    }

    /// Writes a new base for the log after the next request (the browser lost a record of
    /// it: `store::Writer::holed`).
    pub fn snapshot_after(&mut self) {
        self.snapshot_due = true;
    }

    /// Keeps the keyspace as it now is, whole: a new base for the log, or without the log
    /// dump.rdb (see `persistence`).
    fn snapshot(&mut self) {
        let _ = if self.engine.config().flag("appendonly") {
            self.engine.rewrite_aof()
        } else {
            self.engine.save()
        };
    }

    /// After a request: the log's commands go to the storage, a snapshot if a change no log
    /// holds was made (see `persistence`), and the config if it changed.
    fn persist(&mut self) {
        self.engine.flush_aof();
        if std::mem::take(&mut self.snapshot_due) && self.engine.config().flag("appendonly") {
            let _ = self.engine.rewrite_aof();
        }
        let config = persistence::config_command(self.engine.config());
        if config != self.kept_config {
            let bytes = persistence::frame(config.as_deref().unwrap_or_default());
            self.store_ops
                .lock()
                .expect("one thread")
                .push(StoreOp::Config(bytes));
            self.kept_config = config;
        }
    }

    /// Answers one request; what it changed is queued for the browser to keep.
    pub fn handle(&mut self, request: Request) -> Response {
        let response = self.answer(request);
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
            Request::More { reply, from } => {
                let lines = self
                    .kept
                    .iter()
                    .find(|(id, _)| *id == reply)
                    .map(|(_, lines)| lines.iter().skip(from).take(PAGE).cloned().collect())
                    .unwrap_or_default();
                Response::More { reply, from, lines }
            }
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
            Request::Help {
                seq,
                pane,
                line,
                lang,
            } => self.help(seq, pane, &line, &lang),
            Request::ShowResp(on) => {
                self.show_resp = on;
                Response::RespShown(on)
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
                ServerResponse::Status(server::status_of(&mut self.engine, detail))
            }
            ServerRequest::BigKeys => {
                ServerResponse::BigKeys(server::big_keys(&self.engine, self.db()))
            }
            ServerRequest::LruLab => ServerResponse::LruLab(crate::lrulab::run_all()),
        }
    }

    fn add_pane(&mut self, client: Option<ClientId>, label: Option<String>) {
        let client = client.unwrap_or_else(|| self.engine.connect());
        self.panes.push(Pane {
            id: self.next_pane,
            client,
            label,
            jobs: VecDeque::new(),
        });
        self.next_pane += 1;
    }

    fn show(&mut self, pane: PaneId) {
        if self.panes.iter().any(|p| p.id == pane) {
            self.shown = pane;
        }
    }

    /// Takes over the scenario's engine: its keyspace, TTLs and clients become the console's,
    /// one pane for each of the scenario's clients, and its virtual time goes on at the pace
    /// of the console's own clock from where the scenario left it.
    fn continue_scenario(&mut self) -> Response {
        let Some(runner) = self.player.take_runner() else {
            return Response::Scenario(ScenarioResponse::Invalid(
                "no scenario is open".to_string(),
            ));
        };
        let (mut engine, virtual_clock, clients) = runner.into_parts();
        let real = self.engine.set_clock(Box::new(ManualClock::default()));
        let offset_ms = virtual_clock.now_ms() as i64 - real.now_ms() as i64;
        engine.set_clock(Box::new(ShiftedClock::starting_at(
            real,
            virtual_clock.now_ms(),
        )));
        self.store_ops
            .lock()
            .expect("one thread")
            .push(StoreOp::Clock(persistence::clock_record(offset_ms)));
        engine.set_capture_events(true);
        engine.take_events();
        // Whatever the scenario's clients were sent and never read is theirs, not news.
        for &(_, id) in &clients {
            engine.drain(id);
        }
        self.engine = engine;
        // What the browser keeps is now this engine's keyspace and config.
        self.engine
            .set_storage(Box::new(PageStorage::new(self.store_ops.clone())));
        self.snapshot();
        self.panes.clear();
        self.next_pane = 1;
        for (name, id) in clients.into_iter().take(PANES_MAX) {
            self.add_pane(Some(id), Some(name));
        }
        if self.panes.is_empty() {
            self.add_pane(None, None);
        }
        self.shown = self.panes[0].id;
        self.kept.clear();
        self.marked_against = None;
        Response::Scenario(ScenarioResponse::Continued)
    }

    /// The console's `help` typed in `pane`: the docs of a command or group, printed in the
    /// page's language.
    fn help(&mut self, seq: u64, pane: PaneId, line: &str, lang: &str) -> Response {
        let topic = help_topic(line).unwrap_or_default();
        let text = strings_for(lang).teach;
        let lines = teach::help_lines(topic, &assist::help(topic), text)
            .into_iter()
            .map(|text| Line::classify(text, false))
            .collect();
        let prompt = self.panes.iter().find(|p| p.id == pane).map_or_else(
            || prompt(0, false),
            |p| client_prompt(&self.engine, p.client),
        );
        Response::Helped {
            seq,
            echo: format!("{prompt} {line}"),
            reply: self.page(lines),
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

    fn run(
        &mut self,
        seq: u64,
        pane: PaneId,
        lines: Vec<String>,
        view: &KeyQuery,
        inspect: Option<&InspectQuery>,
    ) -> Response {
        self.show(pane);
        let before = inspect.map(|q| Snapshot::take(self.engine.db(self.db()), q));
        self.marked_against = None;
        let mut update = Update::default();
        if let Some(at) = self.panes.iter().position(|p| p.id == pane) {
            self.panes[at].jobs.push_back(Job {
                seq,
                pipeline: lines.len() > 1,
                lines: lines.into(),
                echo: None,
                out: Vec::new(),
                waiting: false,
            });
            self.advance(at, &mut update);
        }
        let (changed, evicted) = self.keyspace_changes();
        update.evicted = evicted;
        // Highlight inside the inspected value only if the command touched that key.
        self.marked_against = inspect
            .zip(before)
            .filter(|(q, _)| changed.contains(&q.key))
            .map(|(q, before)| (q.clone(), before));
        update.inspection = inspect.map(|q| self.inspect_marked(q));
        update.window = Some(self.window(view));
        update.changed = changed;
        self.update(update)
    }

    /// Runs pane `at`'s typed work until it is done or its client blocks, then looks at
    /// every pane for what the commands delivered.
    fn advance(&mut self, at: usize, update: &mut Update) {
        loop {
            let client = self.panes[at].client;
            if self.engine.client(client).is_none_or(|c| c.is_blocked()) {
                break;
            }
            let Some(job) = self.panes[at].jobs.front_mut() else {
                break;
            };
            if job.waiting {
                // The blocked line was served (or timed out): its reply is in the outbox.
                job.waiting = false;
                let replies = self.engine.drain(client);
                let protocol = self.protocol(client);
                let job = self.panes[at].jobs.front_mut().expect("the front job");
                for reply in &replies {
                    print(reply, protocol, false, &mut job.out);
                }
            }
            let job = self.panes[at].jobs.front_mut().expect("the front job");
            let Some(line) = job.lines.pop_front() else {
                let job = self.panes[at].jobs.pop_front().expect("the front job");
                let pane = self.panes[at].id;
                let reply = self.page(job.out);
                update.answers.push(Answer {
                    seq: job.seq,
                    pane,
                    echo: job.echo.unwrap_or_default(),
                    reply,
                });
                continue;
            };
            if job.echo.is_none() {
                let prompt = client_prompt(&self.engine, client);
                job.echo = Some(if job.pipeline {
                    String::new()
                } else {
                    clip_echo(format!("{prompt} {line}"))
                });
            }
            if job.pipeline {
                job.out.push(Line {
                    kind: LineKind::Echo,
                    text: clip_echo(line.clone()),
                });
            }
            let blocked = self.run_line(at, &line);
            self.panes[at]
                .jobs
                .front_mut()
                .expect("the front job")
                .waiting = blocked;
            self.deliver(Some(at), update);
        }
    }

    /// Runs one line on pane `at`'s client and prints its replies into the pane's front job;
    /// true if the command blocked.
    fn run_line(&mut self, at: usize, line: &str) -> bool {
        let client = self.panes[at].client;
        let mut out = Vec::new();
        let mut blocked = false;
        match cli::split_args(line.as_bytes()) {
            None => out.push(Line::classify(INVALID_ARGUMENTS.to_string(), true)),
            Some(argv) => {
                let raw = cli::prints_raw(&argv);
                self.snapshot_due |= argv
                    .first()
                    .is_some_and(|name| name.eq_ignore_ascii_case(b"debug"));
                let outcome = self.engine.execute(client, &argv);
                blocked = matches!(outcome, keyspace::Outcome::Blocked);
                let mut replies = outcome.into_replies();
                if !blocked {
                    replies.extend(self.engine.drain(client));
                }
                let protocol = self.protocol(client);
                if self.show_resp {
                    let mut request = Vec::new();
                    keyspace::resp::encode_request(&mut request, &argv);
                    let sent = teach::escape_resp(&request, RESP_SHOWN);
                    out.push(resp_line(format!("→ {sent}")));
                    for reply in &replies {
                        let bytes = reply.to_resp(protocol);
                        let received = teach::escape_resp(&bytes, RESP_SHOWN);
                        out.push(resp_line(format!("← {received}")));
                    }
                }
                for reply in &replies {
                    print(reply, protocol, raw, &mut out);
                }
            }
        }
        // After QUIT redis-cli drops the connection and opens a new one on the next command.
        if self.engine.client(client).is_none_or(|c| c.closing) {
            self.engine.disconnect(client);
            self.panes[at].client = self.engine.connect();
            blocked = false;
        }
        let job = self.panes[at].jobs.front_mut().expect("the front job");
        job.out.extend(out);
        blocked
    }

    /// After a command (of pane `from`) or a tick: blocked panes whose reply arrived finish
    /// their line; connections another client killed start anew; what arrived unasked is
    /// pushed to its pane, and messages become flows.
    fn deliver(&mut self, from: Option<usize>, update: &mut Update) {
        let mut flows: BTreeMap<(String, String), Flow> = BTreeMap::new();
        for at in 0..self.panes.len() {
            if Some(at) == from {
                continue;
            }
            let client = self.panes[at].client;
            if self.engine.client(client).is_none_or(|c| c.closing) {
                self.engine.disconnect(client);
                self.panes[at].client = self.engine.connect();
                let pane = self.panes[at].id;
                let closed = Line::classify(CLOSED.to_string(), true);
                let jobs = std::mem::take(&mut self.panes[at].jobs);
                if jobs.is_empty() {
                    let reply = self.page(vec![closed.clone()]);
                    update.pushed.push(Pushed { pane, reply });
                }
                // What waited at its prompt ends with the connection.
                for mut job in jobs {
                    job.out.push(closed.clone());
                    let reply = self.page(job.out);
                    update.answers.push(Answer {
                        seq: job.seq,
                        pane,
                        echo: job.echo.unwrap_or_default(),
                        reply,
                    });
                }
                continue;
            }
            if self.panes[at].jobs.front().is_some_and(|j| j.waiting) {
                if !self.engine.client(client).is_some_and(|c| c.is_blocked()) {
                    self.advance(at, update);
                }
                continue;
            }
            let replies = self.engine.drain(client);
            if replies.is_empty() {
                continue;
            }
            let pane = self.panes[at].id;
            let protocol = self.protocol(client);
            let mut lines = Vec::new();
            for reply in &replies {
                print(reply, protocol, false, &mut lines);
                if let Some((channel, message, pattern)) = message_of(reply) {
                    let flow = flows
                        .entry((channel.clone(), message.clone()))
                        .or_insert_with(|| Flow {
                            from: from.map(|f| self.panes[f].id),
                            channel,
                            message,
                            to: Vec::new(),
                        });
                    flow.to.push((pane, pattern));
                }
            }
            let reply = self.page(lines);
            update.pushed.push(Pushed { pane, reply });
        }
        let room = FLOWS_MAX.saturating_sub(update.flows.len());
        update.flows.extend(flows.into_values().take(room));
    }

    /// The engine's background work (active expiry, blocked clients' timeouts), and whatever
    /// it delivered meanwhile.
    fn tick(&mut self, view: &KeyQuery, inspect: Option<&InspectQuery>) -> Response {
        self.engine.tick();
        // Every pane is drained below, so the list of clients to wake is only emptied, lest
        // it grow.
        self.engine.take_woken();
        let mut update = Update::default();
        self.deliver(None, &mut update);
        let changed = !self.engine.take_events().is_empty();
        update.window = changed.then(|| self.window(view));
        update.inspection = inspect.filter(|_| changed).map(|q| self.inspect_marked(q));
        self.update(update)
    }

    /// The keys the last commands changed in the shown database, and of those the ones
    /// evicted to make room, with the policy that chose them.
    fn keyspace_changes(&mut self) -> (Vec<String>, Option<Evicted>) {
        let db = self.db();
        let mut changed: Vec<String> = Vec::new();
        let mut evicted: Vec<String> = Vec::new();
        let mut evicted_total = 0;
        for event in self.engine.take_events().into_iter().filter(|e| e.db == db) {
            let key = String::from_utf8_lossy(&event.key).into_owned();
            if event.event == "evicted" {
                evicted_total += 1;
                if evicted.len() < EVICTED_MAX {
                    evicted.push(key.clone());
                }
            }
            if changed.len() < CHANGED_MAX && !changed.contains(&key) {
                changed.push(key);
            }
        }
        let evicted = (evicted_total > 0).then(|| Evicted {
            keys: evicted,
            total: evicted_total,
            policy: self.engine.config().text("maxmemory-policy").to_string(),
        });
        (changed, evicted)
    }

    /// Completes an update with every pane's state and the watched keys.
    fn update(&self, mut update: Update) -> Response {
        let db = self.db();
        let mut watched: BTreeMap<String, Watched> = BTreeMap::new();
        for pane in &self.panes {
            let Some(client) = self.engine.client(pane.client) else {
                continue;
            };
            for w in client.watched.iter().filter(|w| w.db == db) {
                let key = String::from_utf8_lossy(&w.key).into_owned();
                let entry = watched.entry(key.clone()).or_insert_with(|| Watched {
                    key,
                    broken: false,
                    by: Vec::new(),
                });
                entry.broken |= client.dirty_cas;
                entry.by.push(pane.id);
            }
            update.clients.push(self.client_view(pane, client));
        }
        update.watched = watched.into_values().collect();
        Response::Update(Box::new(update))
    }

    fn client_view(&self, pane: &Pane, client: &keyspace::Client) -> ClientView {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let subs = &client.subscriptions;
        ClientView {
            pane: pane.id,
            id: client.id.0,
            label: pane.label.clone(),
            name: client.name.as_deref().map(text),
            db: client.db,
            prompt: prompt(client.db, client.multi.is_some()),
            protocol: client.protocol,
            multi: client.multi.as_ref().map(|t| t.queue.len()),
            subscriptions: subs.channels.len() + subs.patterns.len() + subs.shard_channels.len(),
            channels: subs
                .channels
                .iter()
                .chain(&subs.patterns)
                .chain(&subs.shard_channels)
                .take(CHANNELS_SHOWN)
                .map(|c| text(c))
                .collect(),
            blocked: client.blocked.as_ref().map(|b| BlockedView {
                command: client.last_command.clone(),
                keys: b.keys.iter().map(|k| text(k)).collect(),
                timeout_at_ms: b.timeout_at,
            }),
            watching: client.watched.iter().map(|w| text(&w.key)).collect(),
            watch_broken: client.dirty_cas,
            waiting_lines: pane.jobs.iter().map(|j| j.lines.len()).sum::<usize>(),
        }
    }

    /// A page of one key of the shown database, for the inspector.
    fn inspect(&self, query: &InspectQuery, before: Option<&mut Snapshot>) -> Inspection {
        inspect::inspect(self.engine.db(self.db()), query, before)
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

    /// The first page of `lines`; the rest is kept for [`Request::More`].
    fn page(&mut self, mut lines: Vec<Line>) -> ReplyPage {
        self.replies += 1;
        let id = self.replies;
        let total = lines.len();
        if total > PAGE {
            let first = lines[..PAGE].to_vec();
            if self.kept.len() == KEPT_REPLIES {
                self.kept.pop_front();
            }
            self.kept
                .push_back((id, std::mem::replace(&mut lines, first)));
        }
        ReplyPage { id, lines, total }
    }

    /// The protocol a client's replies come in: HELLO 3's own reply is already RESP3.
    fn protocol(&self, client: ClientId) -> u8 {
        self.engine.client(client).map_or(2, |c| c.protocol)
    }
}

/// redis-cli's prompt: `127.0.0.1:6379>`, `127.0.0.1:6379[1]>` once another database is
/// selected, and `(TX)` after it between MULTI and EXEC.
fn prompt(db: usize, in_multi: bool) -> String {
    let db = if db == 0 {
        String::new()
    } else {
        format!("[{db}]")
    };
    let tx = if in_multi { "(TX)" } else { "" };
    format!("127.0.0.1:6379{db}{tx}>")
}

/// The prompt redis-cli shows for `client`.
fn client_prompt(engine: &Engine, client: ClientId) -> String {
    engine
        .client(client)
        .map_or_else(|| prompt(0, false), |c| prompt(c.db, c.multi.is_some()))
}

/// A reply's printed lines, as redis-cli prints it.
fn print(reply: &Reply, protocol: u8, raw: bool, out: &mut Vec<Line>) {
    let text = cli::render(reply, protocol, raw);
    let error = reply.is_error();
    for part in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
        out.push(Line::classify(part.to_string(), error));
    }
}

/// A pub/sub message's channel, payload and (for `pmessage`) the pattern that matched; None
/// for anything else pushed (a blocked command's reply).
fn message_of(reply: &Reply) -> Option<(String, String, Option<String>)> {
    let (Reply::Array(parts) | Reply::Push(parts)) = reply else {
        return None;
    };
    let text = |r: &Reply| match r {
        Reply::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    };
    let kind = text(parts.first()?)?;
    match (kind.as_str(), parts.len()) {
        ("message" | "smessage", 3) => Some((text(&parts[1])?, text(&parts[2])?, None)),
        ("pmessage", 4) => Some((text(&parts[2])?, text(&parts[3])?, text(&parts[1]))),
        _ => None,
    }
}

fn resp_line(text: String) -> Line {
    Line {
        kind: LineKind::Resp,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::ManualClock;
    use keyspace_protocol::console::LineKind;
    use keyspace_protocol::inspect::Body;
    use keyspace_protocol::saved::Source;

    fn session() -> (Session, ManualClock) {
        let clock = ManualClock::new(1_700_000_000_000);
        (Session::new(Box::new(clock.clone()), 7), clock)
    }

    /// The update a request brings.
    fn update(s: &mut Session, request: Request) -> Update {
        match s.handle(request) {
            Response::Update(update) => *update,
            other => panic!("{other:?}"),
        }
    }

    /// Runs `lines` on `pane` (a pipeline if several), with the inspector on `inspect`.
    fn run_on(
        s: &mut Session,
        pane: PaneId,
        lines: &[&str],
        inspect: Option<InspectQuery>,
    ) -> Update {
        update(
            s,
            Request::Run {
                seq: 1,
                pane,
                lines: lines.iter().map(|l| l.to_string()).collect(),
                view: KeyQuery::default(),
                inspect,
            },
        )
    }

    fn tick(s: &mut Session, inspect: Option<InspectQuery>) -> Update {
        update(
            s,
            Request::Tick {
                pane: 1,
                view: KeyQuery::default(),
                inspect,
            },
        )
    }

    fn texts(page: &ReplyPage) -> Vec<String> {
        page.lines.iter().map(|l| l.text.clone()).collect()
    }

    /// Runs a line on the first pane: the echo, then the reply's texts.
    fn run(s: &mut Session, line: &str) -> (String, Vec<String>) {
        let update = run_on(s, 1, &[line], None);
        let answer = &update.answers[0];
        (answer.echo.clone(), texts(&answer.reply))
    }

    fn reply(s: &mut Session, line: &str) -> Vec<String> {
        run(s, line).1
    }

    /// What the browser would keep after everything `s` queued so far.
    fn keep(s: &mut Session, stored: &mut Stored) {
        for op in s.take_store_ops() {
            stored.apply(op);
        }
    }

    fn reopen(stored: &Stored, clock: &ManualClock) -> (Session, Restored) {
        Session::open(stored, Box::new(clock.clone()), 7)
    }

    #[test]
    fn a_reload_finds_the_keys_the_config_and_not_what_expired_meanwhile() {
        let (mut s, clock) = session();
        let mut stored = Stored::default();
        for line in [
            "SET a 1",
            "SET t 1 PX 1000",
            "RPUSH l x y",
            "SELECT 2",
            "HSET h f v",
            "CONFIG SET maxmemory-policy allkeys-lru",
        ] {
            run(&mut s, line);
        }
        keep(&mut s, &mut stored);
        assert!(stored.aof_base.is_some(), "the log starts on a base");
        assert!(!stored.aof_log.is_empty());
        clock.advance_ms(2000);
        let (mut s, restored) = reopen(&stored, &clock);
        assert_eq!(restored.source, Source::Log);
        assert_eq!(
            (restored.keys, restored.expired, restored.config),
            (3, 1, 1)
        );
        assert_eq!(reply(&mut s, "GET a"), ["\"1\""]);
        assert_eq!(reply(&mut s, "EXISTS t"), ["(integer) 0"]);
        assert_eq!(reply(&mut s, "LRANGE l 0 -1"), ["1) \"x\"", "2) \"y\""]);
        assert_eq!(reply(&mut s, "SELECT 2"), ["OK"]);
        assert_eq!(
            run_on(&mut s, 1, &["HGET h f"], None).answers[0]
                .reply
                .lines[0]
                .text,
            "\"v\""
        );
        assert_eq!(
            reply(&mut s, "CONFIG GET maxmemory-policy"),
            ["1) \"maxmemory-policy\"", "2) \"allkeys-lru\""]
        );
        // The config back at the page's default is kept as such.
        run(&mut s, "CONFIG SET maxmemory-policy noeviction");
        keep(&mut s, &mut stored);
        assert_eq!(reopen(&stored, &clock).1.config, 0);
    }

    #[test]
    fn debug_populate_reaches_no_log_so_the_page_snapshots_after_it() {
        let (mut s, clock) = session();
        let mut stored = Stored::default();
        keep(&mut s, &mut stored);
        run(&mut s, "DEBUG POPULATE 100");
        let ops = s.take_store_ops();
        assert!(matches!(ops.last(), Some(StoreOp::Rewrite(_))), "{ops:?}");
        ops.into_iter().for_each(|op| stored.apply(op));
        let (_, restored) = reopen(&stored, &clock);
        assert_eq!(restored.keys, 100);
    }

    #[test]
    fn a_damaged_log_is_not_loaded_the_snapshot_is_and_the_copy_is_kept() {
        let (mut s, clock) = session();
        let mut stored = Stored::default();
        run(&mut s, "SET a 1");
        run(&mut s, "SAVE");
        run(&mut s, "SET b 2");
        keep(&mut s, &mut stored);
        let last = stored.aof_log.last_mut().unwrap();
        last[5] ^= 0x20;
        let damaged_log: Vec<u8> = stored.aof_log.concat();
        let (mut s, restored) = reopen(&stored, &clock);
        assert_eq!(restored.source, Source::Snapshot);
        assert_eq!(restored.keys, 1);
        assert_eq!(restored.damaged.len(), 2, "{:?}", restored.damaged);
        assert_eq!(restored.damaged[1].file, persistence::DAMAGED_AOF_LOG);
        assert!(restored.damaged[1].reason.contains("checksum"));
        assert_eq!(reply(&mut s, "EXISTS a b"), ["(integer) 1"]);
        // The damaged copy is offered as it was, and kept apart from the new log.
        let Response::File { bytes, .. } = s.handle(Request::Download(Wanted::Damaged(
            persistence::DAMAGED_AOF_LOG.to_string(),
        ))) else {
            panic!()
        };
        assert_eq!(bytes, damaged_log);
        keep(&mut s, &mut stored);
        assert!(stored
            .damaged
            .iter()
            .any(|(name, bytes)| name == persistence::DAMAGED_AOF_LOG && *bytes == damaged_log));
        // The new log was started from what loaded: a second visit loads it.
        let (_, again) = reopen(&stored, &clock);
        assert_eq!((again.source, again.keys), (Source::Log, 1));
    }

    #[test]
    fn a_damaged_snapshot_leaves_an_empty_keyspace_and_says_why() {
        let (mut s, clock) = session();
        let mut stored = Stored::default();
        run(&mut s, "CONFIG SET appendonly no");
        run(&mut s, "SET a 1");
        run(&mut s, "SAVE");
        keep(&mut s, &mut stored);
        let rdb = stored.rdb.as_mut().unwrap();
        let at = rdb.len() / 2;
        rdb[at] ^= 1;
        let (_, restored) = reopen(&stored, &clock);
        assert_eq!((restored.source, restored.keys), (Source::Nothing, 0));
        assert_eq!(restored.damaged[0].file, persistence::DAMAGED_RDB);
        // Truncated, too.
        stored.rdb.as_mut().unwrap().truncate(at);
        assert_eq!(reopen(&stored, &clock).1.damaged.len(), 1);
    }

    #[test]
    fn an_rdb_file_loads_whole_or_not_at_all() {
        let (mut other, _) = session();
        run(&mut other, "SET from-file 1");
        run(&mut other, "ZADD z 1 a");
        let Response::File { name, bytes } = other.handle(Request::Download(Wanted::Rdb)) else {
            panic!()
        };
        assert_eq!(name, "dump.rdb");
        let (mut s, _) = session();
        run(&mut s, "SET mine 1");
        s.take_store_ops();
        assert_eq!(
            s.handle(Request::LoadRdb(bytes[..bytes.len() - 3].to_vec())),
            Response::RdbLoaded(Err(
                "Short read loading the RDB: the file is truncated or corrupt".into()
            ))
        );
        assert_eq!(reply(&mut s, "EXISTS mine"), ["(integer) 1"]);
        assert_eq!(
            s.handle(Request::LoadRdb(bytes)),
            Response::RdbLoaded(Ok(2))
        );
        assert_eq!(reply(&mut s, "EXISTS mine from-file z"), ["(integer) 2"]);
        // What was loaded is kept: a snapshot of it.
        assert!(s
            .take_store_ops()
            .iter()
            .any(|op| matches!(op, StoreOp::Rewrite(_))));
    }

    #[test]
    fn echoes_the_prompt_then_prints_the_reply() {
        let (mut s, _) = session();
        assert_eq!(
            run(&mut s, "SET greeting hello"),
            (
                "127.0.0.1:6379> SET greeting hello".into(),
                vec!["OK".into()]
            )
        );
        assert_eq!(reply(&mut s, "GET greeting"), ["\"hello\""]);
        assert_eq!(reply(&mut s, "GET missing"), ["(nil)"]);
    }

    #[test]
    fn unbalanced_quotes_are_refused_like_redis_cli() {
        let (mut s, _) = session();
        assert_eq!(reply(&mut s, "SET k \"open"), [INVALID_ARGUMENTS]);
    }

    #[test]
    fn errors_are_marked() {
        let (mut s, _) = session();
        let update = run_on(&mut s, 1, &["NOSUCHCOMMAND"], None);
        let reply = &update.answers[0].reply;
        assert!(reply.lines[0]
            .text
            .starts_with("(error) ERR unknown command"));
        assert_eq!(reply.lines[0].kind, LineKind::Error);
    }

    #[test]
    fn blank_lines_print_only_the_prompt() {
        let (mut s, _) = session();
        assert_eq!(run(&mut s, "   "), ("127.0.0.1:6379>    ".into(), vec![]));
    }

    /// The first pane's prompt, as the page shows it.
    fn first_prompt(s: &mut Session) -> String {
        tick(s, None).clients[0].prompt.clone()
    }

    #[test]
    fn the_prompt_follows_select() {
        let (mut s, _) = session();
        assert_eq!(first_prompt(&mut s), "127.0.0.1:6379>");
        run(&mut s, "SELECT 1");
        assert_eq!(first_prompt(&mut s), "127.0.0.1:6379[1]>");
        assert_eq!(run(&mut s, "SELECT 0").0, "127.0.0.1:6379[1]> SELECT 0");
        assert_eq!(first_prompt(&mut s), "127.0.0.1:6379>");
    }

    #[test]
    fn quit_starts_a_fresh_connection() {
        let (mut s, _) = session();
        run(&mut s, "SELECT 2");
        assert_eq!(
            run(&mut s, "QUIT"),
            ("127.0.0.1:6379[2]> QUIT".into(), vec!["OK".into()])
        );
        assert_eq!(first_prompt(&mut s), "127.0.0.1:6379>");
        assert_eq!(reply(&mut s, "PING"), ["PONG"]);
    }

    #[test]
    fn replies_render_in_the_clients_protocol() {
        let (mut s, _) = session();
        assert_eq!(reply(&mut s, "HELLO 3")[0], "1# \"server\" => \"redis\"");
        // Fourteen elements: redis-cli pads the index to two digits.
        assert_eq!(reply(&mut s, "HELLO 2")[0], " 1) \"server\"");
    }

    #[test]
    fn markup_stays_text() {
        let (mut s, _) = session();
        run(&mut s, "SET markup \"<b>x</b>\"");
        assert_eq!(reply(&mut s, "GET markup"), ["\"<b>x</b>\""]);
    }

    #[test]
    fn the_command_reports_the_keys_it_changed_and_the_key_list() {
        let (mut s, _) = session();
        let update = run_on(&mut s, 1, &["MSET a 1 b 2"], None);
        assert_eq!(update.changed, ["a", "b"]);
        assert_eq!(update.window.map(|w| w.total), Some(2));
    }

    #[test]
    fn debug_populate_is_allowed_here() {
        let (mut s, _) = session();
        assert_eq!(reply(&mut s, "DEBUG POPULATE 3"), ["OK"]);
        assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 3"]);
    }

    #[test]
    fn long_replies_come_a_page_at_a_time() {
        let (mut s, _) = session();
        run(&mut s, "DEBUG POPULATE 1200");
        let update = run_on(&mut s, 1, &["KEYS *"], None);
        let reply = &update.answers[0].reply;
        assert_eq!((reply.lines.len(), reply.total), (PAGE, 1200));
        let more = |s: &mut Session, from| match s.handle(Request::More {
            reply: reply.id,
            from,
        }) {
            Response::More { lines, .. } => lines.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(more(&mut s, PAGE), PAGE);
        assert_eq!(more(&mut s, 2 * PAGE), 200);
    }

    #[test]
    fn keys_expire_on_tick_and_the_list_follows() {
        let (mut s, clock) = session();
        run(&mut s, "SET k v PX 100");
        clock.advance_ms(50);
        assert_eq!(tick(&mut s, None).window, None, "nothing changed");
        clock.advance_ms(150);
        assert_eq!(tick(&mut s, None).window.map(|w| w.total), Some(0));
    }

    #[test]
    fn the_inspected_key_follows_commands_and_expiry() {
        let (mut s, clock) = session();
        run(&mut s, "RPUSH q a b");
        let inspect = Some(InspectQuery::new("q"));
        let inspection = run_on(&mut s, 1, &["RPUSH q c"], inspect.clone()).inspection;
        let Some(Inspection {
            body: Body::List(cells),
            ..
        }) = inspection
        else {
            panic!("{inspection:?}")
        };
        let marked: Vec<_> = cells.iter().map(|c| (c.text.as_str(), c.changed)).collect();
        assert_eq!(marked, [("a", false), ("b", false), ("c", true)]);
        // A command that does not touch the key marks nothing in it.
        let inspection = run_on(&mut s, 1, &["SET other 1"], inspect.clone()).inspection;
        let Some(Body::List(cells)) = inspection.map(|i| i.body) else {
            panic!()
        };
        assert!(cells.iter().all(|c| !c.changed));
        // The marks of a command that changed the key last until the next command, though a
        // tick (another key expiring) sends the page again.
        run(&mut s, "SET brief 1 PX 10");
        run_on(&mut s, 1, &["LPUSH q z"], inspect.clone());
        clock.advance_ms(20);
        let inspection = tick(&mut s, inspect.clone()).inspection;
        let Some(Body::List(cells)) = inspection.map(|i| i.body) else {
            panic!()
        };
        let marked: Vec<_> = cells
            .iter()
            .filter(|c| c.changed)
            .map(|c| &c.text)
            .collect();
        assert_eq!(marked, ["z"]);
        run(&mut s, "PEXPIRE q 100");
        clock.advance_ms(200);
        let inspection = tick(&mut s, inspect).inspection;
        assert_eq!(inspection.map(|i| i.body), Some(Body::Missing));
    }

    #[test]
    fn the_page_limits_memory_to_64mb_and_the_panel_sees_the_console() {
        let (mut s, _) = session();
        assert_eq!(
            reply(&mut s, "CONFIG GET maxmemory*"),
            [
                "1) \"maxmemory\"",
                "2) \"67108864\"",
                "3) \"maxmemory-policy\"",
                "4) \"noeviction\"",
                "5) \"maxmemory-samples\"",
                "6) \"5\"",
                "7) \"maxmemory-eviction-tenacity\"",
                "8) \"10\""
            ]
        );
        reply(&mut s, "CONFIG SET maxmemory-policy allkeys-lru");
        reply(&mut s, "SET k v");
        let Response::Server(ServerResponse::Status(status)) =
            s.handle(Request::Server(ServerRequest::Status { detail: false }))
        else {
            panic!()
        };
        assert_eq!(
            (status.maxmemory, status.policy.as_str(), status.keys),
            (64 << 20, "allkeys-lru", 1)
        );
        let Response::Server(ServerResponse::BigKeys(big)) =
            s.handle(Request::Server(ServerRequest::BigKeys))
        else {
            panic!()
        };
        assert_eq!(big.by_memory[0].key, "k");
        let Response::Server(ServerResponse::LruLab(grids)) =
            s.handle(Request::Server(ServerRequest::LruLab))
        else {
            panic!()
        };
        assert_eq!(grids.len(), 4);
    }

    #[test]
    fn evicted_keys_are_reported_with_the_policy() {
        let (mut s, _) = session();
        for i in 0..20 {
            reply(&mut s, &format!("SET key:{i} {}", "x".repeat(100)));
        }
        reply(
            &mut s,
            "CONFIG SET maxmemory-policy allkeys-lru playground-exact-lru yes",
        );
        reply(&mut s, "CONFIG SET maxmemory 1");
        let evicted = run_on(&mut s, 1, &["GET key:3"], None).evicted;
        let evicted = evicted.expect("keys were evicted");
        assert_eq!(evicted.total, 20);
        assert_eq!(evicted.keys.len(), EVICTED_MAX);
        assert_eq!(evicted.keys[0], "key:0");
        assert_eq!(evicted.policy, "allkeys-lru");
        assert_eq!(run_on(&mut s, 1, &["PING"], None).evicted, None);
    }

    #[test]
    fn the_console_continues_a_scenario_where_it_stands() {
        use keyspace_protocol::scenario::ScenarioRequest;
        let (mut s, clock) = session();
        reply(&mut s, "SET console-only 1");
        assert_eq!(
            s.handle(Request::ContinueScenario { confirmed: true }),
            Response::Scenario(ScenarioResponse::Invalid("no scenario is open".into()))
        );
        s.handle(Request::Scenario(ScenarioRequest::Open {
            id: "cache-aside".into(),
        }));
        // Right after the SETEX (step 3).
        s.handle(Request::Scenario(ScenarioRequest::Jump { position: 3 }));
        // Unconfirmed, it only says what it would replace: the console's one key.
        assert_eq!(
            s.handle(Request::ContinueScenario { confirmed: false }),
            Response::Scenario(ScenarioResponse::WouldReplace { keys: 1 })
        );
        assert_eq!(reply(&mut s, "EXISTS console-only"), ["(integer) 1"]);
        assert_eq!(
            s.handle(Request::ContinueScenario { confirmed: true }),
            Response::Scenario(ScenarioResponse::Continued)
        );
        // One pane per scenario client, named after it.
        let panes = tick(&mut s, None).clients;
        assert!(!panes.is_empty());
        assert!(panes.iter().all(|p| p.label.is_some()));
        // The scenario's keyspace, not the console's, with its TTL where the scenario left it.
        assert_eq!(
            reply(&mut s, "EXISTS console-only user:123"),
            ["(integer) 1"]
        );
        assert_eq!(reply(&mut s, "TTL user:123"), ["(integer) 300"]);
        assert_eq!(reply(&mut s, "CLIENT GETNAME"), ["(nil)"]);
        // What the browser keeps is now the scenario's keyspace (its engine has Redis's
        // default `appendonly no`, so as dump.rdb, which a reload loads).
        let mut stored = Stored::default();
        keep(&mut s, &mut stored);
        let (mut reloaded, restored) = reopen(&stored, &clock);
        assert_eq!(restored.source, Source::Snapshot);
        assert_eq!(reply(&mut reloaded, "EXISTS console-only"), ["(integer) 0"]);
        assert_eq!(
            reply(&mut reloaded, "PTTL user:123"),
            reply(&mut s, "PTTL user:123")
        );
        // Time goes on at the console's pace: five minutes later the key has expired.
        clock.advance_ms(301_000);
        assert_eq!(reply(&mut s, "GET user:123"), ["(nil)"]);
        // The player is empty until a scenario is opened again.
        assert_eq!(
            s.handle(Request::ContinueScenario { confirmed: false }),
            Response::Scenario(ScenarioResponse::Invalid("no scenario is open".into()))
        );
    }

    fn answer_on(update: &Update, pane: PaneId) -> Vec<String> {
        let answer = update.answers.iter().find(|a| a.pane == pane);
        texts(&answer.expect("an answer on the pane").reply)
    }

    fn pushed_to(update: &Update, pane: PaneId) -> Vec<String> {
        update
            .pushed
            .iter()
            .filter(|p| p.pane == pane)
            .flat_map(|p| texts(&p.reply))
            .collect()
    }

    fn two_panes() -> (Session, ManualClock) {
        let (mut s, clock) = session();
        let panes = update(&mut s, Request::AddClient).clients;
        assert_eq!(panes.iter().map(|p| p.pane).collect::<Vec<_>>(), [1, 2]);
        assert_ne!(panes[0].id, panes[1].id, "each pane is its own client");
        (s, clock)
    }

    #[test]
    fn a_message_goes_from_the_publisher_to_each_subscriber() {
        let (mut s, _) = two_panes();
        update(&mut s, Request::AddClient);
        run_on(&mut s, 2, &["SUBSCRIBE news"], None);
        run_on(&mut s, 3, &["PSUBSCRIBE n*"], None);
        let published = run_on(&mut s, 1, &["PUBLISH news hello"], None);
        assert_eq!(answer_on(&published, 1), ["(integer) 2"]);
        assert_eq!(
            pushed_to(&published, 2),
            ["1) \"message\"", "2) \"news\"", "3) \"hello\""]
        );
        assert_eq!(
            pushed_to(&published, 3),
            [
                "1) \"pmessage\"",
                "2) \"n*\"",
                "3) \"news\"",
                "4) \"hello\""
            ]
        );
        assert_eq!(
            published.flows,
            [Flow {
                from: Some(1),
                channel: "news".into(),
                message: "hello".into(),
                to: vec![(2, None), (3, Some("n*".into()))],
            }]
        );
        let subscriber = &published.clients[1];
        assert_eq!(
            (subscriber.subscriptions, subscriber.channels.clone()),
            (1, vec!["news".into()])
        );
    }

    #[test]
    fn a_write_from_another_pane_breaks_the_watch_and_exec_answers_nil() {
        let (mut s, _) = two_panes();
        run_on(&mut s, 1, &["SET balance 10"], None);
        let watching = run_on(&mut s, 1, &["WATCH balance"], None);
        assert_eq!(
            watching.watched,
            [Watched {
                key: "balance".into(),
                broken: false,
                by: vec![1]
            }]
        );
        let queued = run_on(&mut s, 1, &["MULTI", "INCRBY balance 5"], None);
        assert_eq!(queued.clients[0].prompt, "127.0.0.1:6379(TX)>");
        assert_eq!(queued.clients[0].multi, Some(1));
        let broken = run_on(&mut s, 2, &["SET balance 0"], None);
        assert!(broken.watched[0].broken);
        assert!(broken.clients[0].watch_broken);
        let exec = run_on(&mut s, 1, &["EXEC"], None);
        assert_eq!(answer_on(&exec, 1), ["(nil)"]);
        assert_eq!(exec.clients[0].prompt, "127.0.0.1:6379>");
        assert!(exec.watched.is_empty(), "EXEC unwatches");
        assert_eq!(run(&mut s, "GET balance").1, ["\"0\""]);
    }

    #[test]
    fn a_blocked_pane_waits_and_what_is_typed_after_waits_behind_it() {
        let (mut s, _) = two_panes();
        let blocked = run_on(&mut s, 2, &["BLPOP jobs 0"], None);
        assert!(blocked.answers.is_empty(), "BLPOP waits for its reply");
        let view = &blocked.clients[1];
        let waits = view.blocked.as_ref().expect("blocked");
        assert_eq!(
            (waits.command.as_str(), waits.keys.clone()),
            ("blpop", vec!["jobs".into()])
        );
        let behind = update(
            &mut s,
            Request::Run {
                seq: 7,
                pane: 2,
                lines: vec!["PING".into()],
                view: KeyQuery::default(),
                inspect: None,
            },
        );
        assert!(behind.answers.is_empty());
        assert_eq!(behind.clients[1].waiting_lines, 1);
        let pushed = run_on(&mut s, 1, &["RPUSH jobs report"], None);
        let answered: Vec<_> = pushed
            .answers
            .iter()
            .map(|a| (a.pane, a.seq, a.echo.clone(), texts(&a.reply)))
            .collect();
        assert_eq!(
            answered,
            [
                (
                    2,
                    1,
                    "127.0.0.1:6379> BLPOP jobs 0".into(),
                    vec!["1) \"jobs\"".into(), "2) \"report\"".into()]
                ),
                (2, 7, "127.0.0.1:6379> PING".into(), vec!["PONG".into()]),
                (
                    1,
                    1,
                    "127.0.0.1:6379> RPUSH jobs report".into(),
                    vec!["(integer) 1".into()]
                ),
            ]
        );
        assert_eq!(pushed.clients[1].blocked, None);
    }

    #[test]
    fn a_blocked_pane_times_out_on_the_engines_clock() {
        let (mut s, clock) = two_panes();
        run_on(&mut s, 2, &["BLPOP jobs 1.5"], None);
        clock.advance_ms(1000);
        assert!(tick(&mut s, None).answers.is_empty());
        clock.advance_ms(600);
        let timed_out = tick(&mut s, None);
        assert_eq!(answer_on(&timed_out, 2), ["(nil)"]);
    }

    #[test]
    fn a_pipeline_runs_as_one_batch_and_echoes_each_command() {
        let (mut s, _) = session();
        let piped = run_on(
            &mut s,
            1,
            &["SET hits 1", "INCR hits", "LPUSH hits x"],
            None,
        );
        assert_eq!(piped.answers.len(), 1);
        let answer = &piped.answers[0];
        assert_eq!(answer.echo, "", "the page labels a pipeline itself");
        let shown: Vec<_> = answer
            .reply
            .lines
            .iter()
            .map(|l| (l.kind, l.text.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (LineKind::Echo, "SET hits 1"),
                (LineKind::Plain, "OK"),
                (LineKind::Echo, "INCR hits"),
                (LineKind::Number, "(integer) 2"),
                (LineKind::Echo, "LPUSH hits x"),
                (
                    LineKind::Error,
                    "(error) WRONGTYPE Operation against a key holding the wrong kind of value"
                ),
            ]
        );
    }

    #[test]
    fn a_ten_thousand_command_pipeline_pages_its_replies() {
        let (mut s, _) = session();
        let lines: Vec<String> = (0..10_000).map(|i| format!("INCR n{}", i % 10)).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let piped = run_on(&mut s, 1, &lines, None);
        let reply = &piped.answers[0].reply;
        assert_eq!((reply.lines.len(), reply.total), (PAGE, 20_000));
        assert_eq!(run(&mut s, "GET n9").1, ["\"1000\""]);
    }

    #[test]
    fn a_pane_subscribed_to_100_000_channels_gets_its_confirmations_a_page_at_a_time() {
        let (mut s, _) = two_panes();
        let line = format!(
            "SUBSCRIBE {}",
            (0..100_000)
                .map(|i| format!("c{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let subscribed = run_on(&mut s, 2, &[&line], None);
        assert_eq!(answer_on(&subscribed, 2).len(), PAGE);
        assert_eq!(subscribed.answers[0].reply.total, 300_000);
        assert_eq!(subscribed.clients[1].subscriptions, 100_000);
        assert_eq!(subscribed.clients[1].channels.len(), CHANNELS_SHOWN);
        let published = run_on(&mut s, 1, &["PUBLISH c99999 last"], None);
        assert_eq!(published.flows[0].to, [(2, None)]);
    }

    #[test]
    fn a_killed_connection_says_so_and_the_pane_connects_again() {
        let (mut s, _) = two_panes();
        let panes = tick(&mut s, None).clients;
        let victim = panes[1].id;
        let killed = run_on(&mut s, 1, &[&format!("CLIENT KILL ID {victim}")], None);
        assert_eq!(answer_on(&killed, 1), ["(integer) 1"]);
        assert_eq!(pushed_to(&killed, 2), [CLOSED]);
        assert_ne!(killed.clients[1].id, victim);
        assert_eq!(
            run_on(&mut s, 2, &["PING"], None).answers[0].reply.lines[0].text,
            "PONG"
        );
    }

    #[test]
    fn clients_come_and_go_but_one_always_stays() {
        let (mut s, _) = session();
        for _ in 0..PANES_MAX + 2 {
            update(&mut s, Request::AddClient);
        }
        assert_eq!(tick(&mut s, None).clients.len(), PANES_MAX);
        run_on(&mut s, 2, &["CLIENT SETNAME worker"], None);
        let named = tick(&mut s, None).clients;
        assert_eq!(named[1].name.as_deref(), Some("worker"));
        let listed = run(&mut s, "CLIENT LIST").1;
        assert_eq!(
            listed.iter().filter(|l| l.starts_with("id=")).count(),
            PANES_MAX
        );
        for pane in 1..=PANES_MAX as PaneId {
            update(&mut s, Request::RemoveClient { pane });
        }
        let left = tick(&mut s, None).clients;
        assert_eq!(
            left.iter().map(|c| c.pane).collect::<Vec<_>>(),
            [PANES_MAX as PaneId]
        );
    }

    #[test]
    fn the_panel_shows_the_database_of_the_pane_in_use() {
        let (mut s, _) = two_panes();
        run_on(&mut s, 2, &["SELECT 3", "SET only-in-3 x"], None);
        let shown = run_on(&mut s, 2, &["DBSIZE"], None);
        assert_eq!(shown.window.map(|w| (w.db, w.total)), Some((3, 1)));
        assert_eq!(shown.clients[1].prompt, "127.0.0.1:6379[3]>");
        let first = run_on(&mut s, 1, &["DBSIZE"], None);
        assert_eq!(first.window.map(|w| (w.db, w.total)), Some((0, 0)));
    }

    #[test]
    fn the_worker_makes_share_links_and_opens_them() {
        let (mut s, _) = session();
        let lines = vec!["SET k v".to_string(), "GET k".to_string()];
        let Response::Shared(bundle) = s.handle(Request::Share {
            lines: lines.clone(),
            page_url: "https://example.org/".into(),
        }) else {
            panic!("no bundle");
        };
        let link = bundle.link.unwrap();
        assert!(link.starts_with("https://example.org/#share/"));
        assert!(bundle.qr.is_some());
        let hash = link.trim_start_matches("https://example.org/").to_string();
        assert_eq!(
            s.handle(Request::OpenShare { hash }),
            Response::ShareOpened(Ok(lines))
        );
        assert_eq!(
            s.handle(Request::OpenShare {
                hash: "#share/%%".into()
            }),
            Response::ShareOpened(Err(ShareError::Corrupt))
        );
    }

    #[test]
    fn assist_completes_the_clients_keys_and_help_answers_in_the_pages_language() {
        let (mut s, _) = session();
        reply(&mut s, "MSET user:1 a user:2 b");
        reply(&mut s, "SELECT 1");
        reply(&mut s, "SET other c");
        let Response::Assisted(assist) = s.handle(Request::Assist {
            line: "GET ".into(),
            cursor: 4,
        }) else {
            panic!()
        };
        // Database 1's keys, the one this client selected.
        let keys: Vec<_> = assist.completions.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(keys, ["other"]);
        assert_eq!(assist.hint, "key");

        let Response::Helped { echo, reply, .. } = s.handle(Request::Help {
            seq: 9,
            pane: 1,
            line: "HELP GET".into(),
            lang: "zh-Hant-TW".into(),
        }) else {
            panic!()
        };
        assert_eq!(echo, "127.0.0.1:6379[1]> HELP GET");
        let texts: Vec<_> = reply.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[1], "  GET key");
        assert_eq!(texts[2], "  摘要: 傳回鍵下存的字串。");
    }

    #[test]
    fn the_resp_toggle_prints_the_bytes_before_the_reply() {
        let (mut s, _) = session();
        assert_eq!(s.handle(Request::ShowResp(true)), Response::RespShown(true));
        assert_eq!(
            reply(&mut s, "GET k"),
            [
                "→ *2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n",
                "← $-1\\r\\n",
                "(nil)"
            ]
        );
        s.handle(Request::ShowResp(false));
        assert_eq!(reply(&mut s, "GET k"), ["(nil)"]);
    }
}
