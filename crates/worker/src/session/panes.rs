//! The console's panes: each pane's client and its queue of typed work. A line runs at once
//! unless the pane's client is blocked (BLPOP with nothing to pop): then the line that blocked
//! waits for its reply, and what was typed after it waits behind it, as it would behind
//! redis-cli. After every command the other panes are looked at: a blocked client the command
//! served finishes its line, a connection another client killed starts anew, and what arrived
//! unasked (pub/sub messages, notifications) is pushed to its pane; a message is also reported
//! as a [`Flow`] from the pane that published it. After SHUTDOWN every pane's connection
//! closes, until the host restarts the server (`Session::restart`).

use std::collections::{BTreeMap, VecDeque};

use keyspace::blocking::{Blocked, Serve, StreamWait};
use keyspace::cli::{self, INVALID_ARGUMENTS};
use keyspace::db::{Db, Value};
use keyspace::types::stream::{Group, StreamId};
use keyspace::{ClientId, Engine, Reply};
use keyspace_protocol::console::{
    clip_echo, Answer, BlockedView, ClientView, Evicted, Flow, FlowKind, Line, LineKind, Note,
    PaneId, PausedView, Pushed, Replies, ReplyValue, RunningScript, TrackingView, Update, Watched,
};
use keyspace_protocol::inspect::InspectQuery;
use keyspace_protocol::keys::KeyQuery;
use keyspace_protocol::Response;

use super::replies::{count_replies, count_request, print, print_resp, print_unasked, value};
use super::Session;
use crate::inspect::Snapshot;
use crate::server;

/// Changed keys reported per command: enough to highlight a screenful.
pub(super) const CHANGED_MAX: usize = 1000;
/// Evicted keys named per command; the rest are counted.
pub(super) const EVICTED_MAX: usize = 8;
/// Channel names a pane lists by name; the rest are counted.
pub(super) const CHANNELS_SHOWN: usize = 5;
/// Flows reported per update: a publish to a thousand subscribers is one flow, but a
/// pipeline of a thousand publishes would draw more arrows than anyone can follow.
pub(super) const FLOWS_MAX: usize = 50;
/// What redis-cli prints when the server closed its connection (CLIENT KILL from another
/// pane); it connects again for the next command.
pub(super) const CLOSED: &str = "Error: Server closed the connection";
/// How long a tick runs a script that goes on past its first slice (EVAL of a long loop): the
/// rest of the page's tick is for its other requests (typing, SCRIPT KILL from another pane),
/// which the worker answers between ticks, as Redis serves other clients between a busy
/// script's slices.
pub(super) const SCRIPT_MS_PER_TICK: u64 = 40;
/// And at most this many slices of [`keyspace::script::SLICE_BUDGET`] instructions (ten
/// million), should the engine's clock stand still (a test's manual clock).
pub(super) const SCRIPT_SLICES_PER_TICK: usize = 50;

/// One pane: its client and the typed work it has not finished.
pub(super) struct Pane {
    pub(super) id: PaneId,
    pub(super) client: ClientId,
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
    /// The line that blocked reads streams (XREAD, or XREADGROUP for this group): the entry
    /// that serves it is drawn as a flow from the pane that added it.
    reads_stream: Option<Option<String>>,
    /// What the page says beside its reply.
    note: Option<Note>,
    /// Its replies as data, when the page asked for them.
    values: Vec<ReplyValue>,
}

impl Session {
    /// A new connection for a pane, from an address of its own as redis-cli's would have:
    /// CLIENT LIST, CLIENT KILL ADDR and MONITOR's lines name it.
    pub(super) fn connect_pane(&mut self) -> ClientId {
        let client = self.engine.connect();
        self.give_address(client);
        client
    }

    /// `127.0.0.1:<port>`, a port per client id, to the server at `127.0.0.1:6379`, as the
    /// prompt says; the descriptor Redis would give the connection (its first client gets 8).
    fn give_address(&mut self, client: ClientId) {
        let addr = format!("127.0.0.1:{}", PANE_PORTS + client.0);
        let fd = 5 + client.0 as i64;
        self.engine
            .set_client_address(client, addr, "127.0.0.1:6379".into(), fd);
    }

    pub(super) fn add_pane(&mut self, client: Option<ClientId>, label: Option<String>) {
        // A scenario's participant keeps the address it had there.
        let client = client.unwrap_or_else(|| self.connect_pane());
        self.panes.push(Pane {
            id: self.next_pane,
            client,
            label,
            jobs: VecDeque::new(),
        });
        self.next_pane += 1;
    }

    pub(super) fn run(
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
            let notes: Vec<Note> = lines
                .iter()
                .filter_map(|l| server::console_note(l))
                .collect();
            match notes
                .iter()
                .find(|n| matches!(n, Note::PopulateCapped { .. }))
            {
                // Not run at all, as typed: the page says why instead of a reply.
                Some(&capped) => {
                    let echo = match lines.as_slice() {
                        [line] => {
                            let prompt = client_prompt(&self.engine, self.panes[at].client);
                            clip_echo(format!("{prompt} {line}"))
                        }
                        _ => String::new(),
                    };
                    let reply = self.page(Vec::new());
                    update.answers.push(Answer {
                        seq,
                        pane,
                        echo,
                        reply,
                        note: Some(capped),
                        values: Vec::new(),
                    });
                }
                None => {
                    self.panes[at].jobs.push_back(Job {
                        seq,
                        pipeline: lines.len() > 1,
                        lines: lines.into(),
                        echo: None,
                        out: Vec::new(),
                        waiting: false,
                        reads_stream: None,
                        note: notes.first().copied(),
                        values: Vec::new(),
                    });
                    self.advance(at, &mut update, None);
                }
            }
        }
        self.take_log();
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
    /// every pane for what the commands delivered. `waker` is the pane whose command may have
    /// served its blocked line.
    fn advance(&mut self, at: usize, update: &mut Update, waker: Option<PaneId>) {
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
                let reads_stream = job.reads_stream.take();
                let replies = self.engine.drain(client);
                let protocol = self.protocol(client);
                count_replies(&mut self.engine, client, &replies, protocol);
                let job = self.panes[at].jobs.front_mut().expect("the front job");
                for reply in &replies {
                    print(reply, protocol, false, &mut job.out);
                }
                if self.reply_values {
                    job.values.extend(replies.iter().map(value));
                }
                if let Some(group) = reads_stream {
                    let reader = (self.panes[at].id, group);
                    entry_flows(&replies, waker, reader, update);
                }
            }
            let job = self.panes[at].jobs.front_mut().expect("the front job");
            let Some(line) = job.lines.pop_front() else {
                let job = self.panes[at].jobs.pop_front().expect("the front job");
                let answer = self.finished(self.panes[at].id, job);
                update.answers.push(answer);
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
            let reads_stream = match self.engine.client(client).and_then(|c| c.blocked.as_ref()) {
                Some(Blocked {
                    serve: Serve::Stream(wait),
                    ..
                }) if blocked => Some(
                    wait.group
                        .as_ref()
                        .map(|g| String::from_utf8_lossy(&g.group).into_owned()),
                ),
                _ => None,
            };
            let job = self.panes[at].jobs.front_mut().expect("the front job");
            job.waiting = blocked;
            job.reads_stream = reads_stream;
            self.deliver(Some(at), update);
        }
    }

    /// Runs one line on pane `at`'s client and prints its replies into the pane's front job;
    /// true if the command blocked.
    fn run_line(&mut self, at: usize, line: &str) -> bool {
        let client = self.panes[at].client;
        let mut out = Vec::new();
        let mut values = Vec::new();
        let mut blocked = false;
        match cli::split_args(line.as_bytes()) {
            None => out.push(Line::classify(INVALID_ARGUMENTS.to_string(), true)),
            Some(argv) => {
                let raw = cli::prints_raw(&argv);
                self.snapshot_due |= argv
                    .first()
                    .is_some_and(|name| name.eq_ignore_ascii_case(b"debug"));
                count_request(&mut self.engine, client, &argv);
                let outcome = self.engine.execute(client, &argv);
                blocked = matches!(outcome, keyspace::Outcome::Blocked);
                let mut replies = outcome.into_replies();
                if !blocked {
                    replies.extend(self.engine.drain(client));
                }
                let protocol = self.protocol(client);
                count_replies(&mut self.engine, client, &replies, protocol);
                if self.show_resp {
                    print_resp(&argv, &replies, protocol, &mut out);
                }
                for reply in &replies {
                    print(reply, protocol, raw, &mut out);
                }
                if self.reply_values {
                    values.extend(replies.iter().map(value));
                }
            }
        }
        // After QUIT redis-cli drops the connection and opens a new one on the next command.
        // After SHUTDOWN the server is gone: `shut_down` closes every pane's connection.
        let closing = self.engine.client(client).is_none_or(|c| c.closing);
        if closing && !self.engine.shutdown_requested() {
            self.engine.disconnect(client);
            self.panes[at].client = self.connect_pane();
            blocked = false;
        }
        let job = self.panes[at].jobs.front_mut().expect("the front job");
        job.out.extend(out);
        job.values.extend(values);
        blocked
    }

    /// A finished job's answer to its pane: what it printed, paged.
    fn finished(&mut self, pane: PaneId, job: Job) -> Answer {
        Answer {
            seq: job.seq,
            pane,
            echo: job.echo.unwrap_or_default(),
            reply: self.page(job.out),
            note: job.note,
            values: job.values,
        }
    }

    /// After a command (of pane `from`) or a tick: blocked panes whose reply arrived finish
    /// their line; connections another client killed start anew; what arrived unasked is
    /// pushed to its pane, and messages become flows.
    fn deliver(&mut self, from: Option<usize>, update: &mut Update) {
        if self.engine.shutdown_requested() {
            self.shut_down(update);
            return;
        }
        let mut flows: BTreeMap<(String, String), Flow> = BTreeMap::new();
        for at in 0..self.panes.len() {
            if Some(at) == from {
                continue;
            }
            let client = self.panes[at].client;
            if self.engine.client(client).is_none_or(|c| c.closing) {
                self.reconnect(at, false, update);
                continue;
            }
            if self.panes[at].jobs.front().is_some_and(|j| j.waiting) {
                if !self.engine.client(client).is_some_and(|c| c.is_blocked()) {
                    let waker = from.map(|f| self.panes[f].id);
                    self.advance(at, update, waker);
                }
                continue;
            }
            let replies = self.engine.drain(client);
            if replies.is_empty() {
                continue;
            }
            let pane = self.panes[at].id;
            let protocol = self.protocol(client);
            count_replies(&mut self.engine, client, &replies, protocol);
            let mut lines = Vec::new();
            for reply in &replies {
                print_unasked(reply, protocol, &mut lines);
                if let Some(keys) = invalidation_of(reply) {
                    let flow = flows
                        .entry((keys.clone(), INVALIDATE.to_string()))
                        .or_insert_with(|| Flow {
                            from: from.map(|f| self.panes[f].id),
                            channel: keys,
                            message: INVALIDATE.to_string(),
                            to: Vec::new(),
                            kind: FlowKind::Invalidation,
                        });
                    flow.to.push((pane, None));
                } else if let Some((channel, message, pattern)) = message_of(reply) {
                    let flow = flows
                        .entry((channel.clone(), message.clone()))
                        .or_insert_with(|| Flow {
                            from: from.map(|f| self.panes[f].id),
                            channel,
                            message,
                            to: Vec::new(),
                            kind: FlowKind::Message,
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

    /// After SHUTDOWN every connection closes with the server, a running script's among them;
    /// the SHUTDOWN itself gets no reply. Each pane then holds a client of the stopped engine
    /// until the host restarts the server; those are not closing, so this runs once.
    fn shut_down(&mut self, update: &mut Update) {
        let by = self.engine.shutdown_by();
        for at in 0..self.panes.len() {
            let client = self.panes[at].client;
            if self.engine.client(client).is_none_or(|c| c.closing) {
                self.reconnect(at, by == Some(client), update);
            }
        }
    }

    /// Pane `at`'s connection was closed by the server (CLIENT KILL, SHUTDOWN): what waited
    /// at its prompt ends with redis-cli's "Error: Server closed the connection", an idle
    /// pane is told so at once, and a new connection is opened, as redis-cli opens one for
    /// the next command. The client that sent SHUTDOWN is told nothing for it: redis-cli
    /// prints nothing then.
    fn reconnect(&mut self, at: usize, sent_shutdown: bool, update: &mut Update) {
        self.engine.disconnect(self.panes[at].client);
        self.panes[at].client = self.connect_pane();
        let pane = self.panes[at].id;
        let closed = Line::classify(CLOSED.to_string(), true);
        let jobs = std::mem::take(&mut self.panes[at].jobs);
        if jobs.is_empty() && !sent_shutdown {
            let reply = self.page(vec![closed.clone()]);
            update.pushed.push(Pushed { pane, reply });
        }
        for (n, mut job) in jobs.into_iter().enumerate() {
            if !(sent_shutdown && n == 0) {
                job.out.push(closed.clone());
            }
            update.answers.push(self.finished(pane, job));
        }
    }

    /// The engine's background work (active expiry, blocked clients' timeouts), and whatever
    /// it delivered meanwhile.
    pub(super) fn tick(&mut self, view: &KeyQuery, inspect: Option<&InspectQuery>) -> Response {
        let started = self.engine.now_ms();
        for _ in 0..SCRIPT_SLICES_PER_TICK {
            let spent = self.engine.now_ms().saturating_sub(started);
            let stopped = self.engine.shutdown_requested();
            if !self.engine.script_running() || stopped || spent >= SCRIPT_MS_PER_TICK {
                break;
            }
            self.engine.run_script();
        }
        // The tick's changes show as a fresh window, not key by key: they are counted, not
        // recorded (a mass expiry would copy thousands of keys a tick for nothing).
        let mut changed = !self.engine.take_events().is_empty();
        let announced = self.engine.events_announced();
        self.engine.set_capture_events(false);
        self.engine.tick();
        self.engine.set_capture_events(true);
        changed |= self.engine.events_announced() != announced;
        self.take_log();
        // Every pane is drained below, so the list of clients to wake is only emptied, lest
        // it grow.
        self.engine.take_woken();
        let mut update = Update::default();
        self.deliver(None, &mut update);
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
    pub(super) fn update(&self, mut update: Update) -> Response {
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
            blocked: client.blocked.as_ref().map(|b| {
                let stream = match &b.serve {
                    Serve::Stream(wait) => Some(wait),
                    Serve::Twin { .. } | Serve::Replicas { .. } => None,
                };
                BlockedView {
                    command: client.last_command.clone(),
                    keys: b.keys.iter().map(|k| text(k)).collect(),
                    timeout_at_ms: b.timeout_at,
                    after_ids: stream.map_or_else(Vec::new, |wait| {
                        let db = self.engine.db(b.db);
                        b.keys
                            .iter()
                            .zip(&wait.ids)
                            .map(|(key, id)| after_id(db, key, *id, wait))
                            .collect()
                    }),
                    group: stream
                        .and_then(|wait| wait.group.as_ref())
                        .map(|g| (text(&g.group), text(&g.consumer))),
                }
            }),
            watching: client.watched.iter().map(|w| text(&w.key)).collect(),
            watch_broken: client.dirty_cas,
            waiting_lines: pane.jobs.iter().map(|j| j.lines.len()).sum::<usize>(),
            running_script: self
                .engine
                .running_script()
                .filter(|run| run.caller == pane.client)
                .map(|run| RunningScript {
                    function: run.function,
                    wrote: run.wrote,
                }),
            replies: match client.replies() {
                keyspace::Replies::On => Replies::On,
                keyspace::Replies::Off => Replies::Off,
                keyspace::Replies::SkipNext => Replies::SkipNext,
            },
            tracking: client.tracking.as_ref().map(|t| {
                let (keys, more_keys) = match t.bcast {
                    true => (Vec::new(), false),
                    false => self.engine.tracked_keys(pane.client, TRACKED_SHOWN),
                };
                TrackingView {
                    bcast: t
                        .bcast
                        .then(|| t.prefixes.iter().map(|p| text(p)).collect()),
                    optin: t.optin,
                    optout: t.optout,
                    noloop: t.noloop,
                    redirect: (t.redirect != 0).then_some(t.redirect),
                    keys: keys.into_iter().map(text).collect(),
                    more_keys,
                }
            }),
            monitor: client.monitor,
            paused: self
                .engine
                .paused_command(pane.client)
                .zip(self.engine.client_pause())
                .map(|(argv, pause)| PausedView {
                    command: argv
                        .first()
                        .map(|name| text(name).to_uppercase())
                        .unwrap_or_default(),
                    writes_only: pause.mode == keyspace::pause::PauseMode::Write,
                    until_ms: pause.end_ms,
                }),
        }
    }

    /// The protocol a client's replies come in: HELLO 3's own reply is already RESP3.
    fn protocol(&self, client: ClientId) -> u8 {
        self.engine.client(client).map_or(2, |c| c.protocol)
    }
}

/// redis-cli's prompt: `127.0.0.1:6379>`, `127.0.0.1:6379[1]>` once another database is
/// selected, and `(TX)` after it between MULTI and EXEC.
pub(super) fn prompt(db: usize, in_multi: bool) -> String {
    prompt_at(6379, db, in_multi)
}

/// The prompt redis-cli shows connected to the server at `127.0.0.1:<port>`, in database
/// `db`, inside MULTI or not.
pub(crate) fn prompt_at(port: u16, db: usize, in_multi: bool) -> String {
    let db = if db == 0 {
        String::new()
    } else {
        format!("[{db}]")
    };
    let tx = if in_multi { "(TX)" } else { "" };
    format!("127.0.0.1:{port}{db}{tx}>")
}

/// The prompt redis-cli shows for `client`.
pub(super) fn client_prompt(engine: &Engine, client: ClientId) -> String {
    engine
        .client(client)
        .map_or_else(|| prompt(0, false), |c| prompt(c.db, c.multi.is_some()))
}

/// A pub/sub message's channel, payload and (for `pmessage`) the pattern that matched; None
/// for anything else pushed (a blocked command's reply).
/// The ID a blocked stream read waits after: its own, or for XREADGROUP's `>` (the highest ID
/// stands for it) the group's last-delivered ID as it stands now, which is what the engine
/// compares a new entry with.
fn after_id(db: Option<&Db>, key: &[u8], id: StreamId, wait: &StreamWait) -> String {
    let group = wait.group.as_ref().filter(|_| id == StreamId::MAX);
    let Some(group) = group else {
        return id.to_string();
    };
    let last = db.and_then(|db| match &db.peek(key)?.0.value {
        Value::Stream(stream) => stream.group(&group.group).map(Group::last_id),
        _ => None,
    });
    last.map_or_else(|| ">".to_string(), |id| id.to_string())
}

/// The entries a served XREAD or XREADGROUP received, as flows from `waker` (the pane whose
/// XADD served it) to `reader` (its pane, and its group): the first entry of each stream, an
/// entry several readers received being one flow to all of them.
fn entry_flows(
    replies: &[Reply],
    waker: Option<PaneId>,
    reader: (PaneId, Option<String>),
    update: &mut Update,
) {
    let text = |r: &Reply| match r {
        Reply::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    };
    // RESP2 answers [[key, entries]...], RESP3 a map of key to entries.
    let streams: Vec<(&Reply, &Reply)> = match replies.first() {
        Some(Reply::Array(streams)) => streams
            .iter()
            .filter_map(|s| match s {
                Reply::Array(pair) if pair.len() == 2 => Some((&pair[0], &pair[1])),
                _ => None,
            })
            .collect(),
        Some(Reply::Map(pairs)) => pairs.iter().map(|(k, v)| (k, v)).collect(),
        _ => Vec::new(),
    };
    for (key, entries) in streams {
        let Some(key) = text(key) else { continue };
        let Reply::Array(entries) = entries else {
            continue;
        };
        let Some(Reply::Array(entry)) = entries.first() else {
            continue;
        };
        let Some(id) = entry.first().and_then(text) else {
            continue;
        };
        let mut words = vec![id];
        if let Some(Reply::Array(fields)) = entry.get(1) {
            words.extend(fields.iter().filter_map(text));
        }
        let message = clip_echo(words.join(" "));
        let found = update.flows.iter().position(|f| {
            f.kind == FlowKind::Entry && f.from == waker && f.channel == key && f.message == message
        });
        match found {
            Some(at) => update.flows[at].to.push(reader.clone()),
            None if update.flows.len() < FLOWS_MAX => update.flows.push(Flow {
                from: waker,
                channel: key,
                message,
                to: vec![reader.clone()],
                kind: FlowKind::Entry,
            }),
            None => {}
        }
    }
}

/// The first of the panes' client ports (client 3 is 127.0.0.1:50003).
const PANE_PORTS: u64 = 50_000;

/// Keys a tracking client's pane names of those Redis remembers it read.
const TRACKED_SHOWN: usize = 8;

/// What an invalidation carries in a flow: its kind, as Redis names the push.
const INVALIDATE: &str = "invalidate";

/// The keys an invalidation names, space-separated, or `*` for FLUSHALL's and FLUSHDB's
/// null (`keyspace::cli::invalidated_keys`).
fn invalidation_of(reply: &Reply) -> Option<String> {
    Some(match keyspace::cli::invalidated_keys(reply)? {
        Some(keys) => keys
            .iter()
            .map(|k| String::from_utf8_lossy(k))
            .collect::<Vec<_>>()
            .join(" "),
        None => "*".to_string(),
    })
}

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
