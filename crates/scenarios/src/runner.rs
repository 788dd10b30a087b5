//! Plays a scenario on a fresh engine, a step at a time, and reports what each step did.
//!
//! Time is the runner's: the engine gets a [`ManualClock`] that starts at [`START_MS`] and
//! moves only when a step waits, and a fixed random seed. A scenario played twice therefore
//! gives the same replies, the same TTLs and the same evictions, which is what makes stepping
//! back cheap to get right: [`Runner::back`] and [`Runner::jump`] build a new engine and replay
//! the steps before the target, rather than trying to undo commands.
//!
//! A step is shown as it stands right after its commands: the time a step says passes after
//! them (`wait`) passes when the next step is played, before that step's commands, so what a
//! step's narration says about its own commands ("watch the key appear with its countdown")
//! is what the keyspace shows. The player may also let the wait pass a slice at a time
//! ([`Runner::advance`]) to show the clock running and TTLs counting down between steps.
//!
//! While time passes, the clock moves in slices of `1000 / hz` milliseconds with a
//! [`Engine::tick`] after each, as Redis's `serverCron` runs `hz` times a second, so keys whose
//! TTL runs out during the wait are removed by the active expire cycle, as they would be on a
//! real server, and show up in the next step's changes as expired.
//!
//! A script (EVAL, FCALL) runs to its reply inside its step: a server interleaves a script's
//! slices with other clients' commands, but with the scenario's clock standing still no one
//! could be answered BUSY meanwhile, so the runner plays the slices back to back, and stops a
//! runaway one after a bound rather than hang the player.

use std::collections::{BTreeMap, HashSet};

use keyspace::cli::{self, prints_raw};
use keyspace::event::KeyspaceEvent;
use keyspace::{ClientId, Engine, ManualClock, Outcome, Reply};

use crate::format::Scenario;

/// The virtual wall time a scenario starts at: 2026-01-01 09:00:00 UTC, a school morning.
pub const START_MS: u64 = 1_767_258_000_000;

/// The engine's random seed: random choices (SPOP, eviction samples) replay identically.
pub const SEED: u64 = 2026;

/// The first participant's port and socket descriptor; the others count up from them.
const CLIENT_PORT: usize = 52_101;
const CLIENT_FD: usize = 8;

/// One command of a step, as its client saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandRun {
    /// The acting client's name.
    pub client: String,
    /// The command as written in the scenario.
    pub line: String,
    /// The replies (several for `SUBSCRIBE a b`), empty while the command is blocked.
    pub replies: Vec<Reply>,
    /// The replies as redis-cli prints them for the client's protocol, without the last
    /// newline; `(blocked)` for a command waiting on a key.
    pub rendered: String,
    /// What the scenario expected, if it said.
    pub expected: Option<String>,
}

impl CommandRun {
    /// Whether the reply is what the scenario expected (true when it expected nothing).
    pub fn meets_expectation(&self) -> bool {
        (self.expected.as_ref()).is_none_or(|e| crate::format::meets(e, &self.rendered))
    }
}

/// Something that reached a client without it asking in this step: a pub/sub message, a
/// keyspace notification, the late reply of a blocked command.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub client: String,
    pub reply: Reply,
    pub rendered: String,
}

/// How a key changed during a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Created,
    Changed,
    Deleted,
    /// Its TTL ran out.
    Expired,
    /// maxmemory made room by removing it.
    Evicted,
}

/// A key the step created, changed or removed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyChange {
    pub db: usize,
    pub key: Vec<u8>,
    pub kind: ChangeKind,
}

/// What one step did.
#[derive(Clone, Debug, PartialEq)]
pub struct StepReport {
    /// The step's index in the scenario.
    pub step: usize,
    /// Virtual time since the start when the step's commands ran, in milliseconds.
    pub at_ms: u64,
    pub commands: Vec<CommandRun>,
    /// What arrived during the wait before the commands, then what the commands caused.
    pub deliveries: Vec<Delivery>,
    /// Keys changed during the wait before the commands and by them, in key order.
    pub changes: Vec<KeyChange>,
    /// The keyspace events, in order, with Redis's event names.
    pub events: Vec<KeyspaceEvent>,
    /// Virtual time that passed before the commands: the previous step's wait.
    pub waited_ms: u64,
    /// What a MONITOR connection would have printed meanwhile, the first
    /// [`MONITOR_SHOWN`] lines, and how many more there were.
    pub monitor: Vec<String>,
    pub monitor_more: usize,
}

/// MONITOR lines a step's report keeps: a script's loop may run a million commands.
pub const MONITOR_SHOWN: usize = 500;

impl StepReport {
    /// Whether every command's reply met its expectation.
    pub fn as_expected(&self) -> bool {
        self.commands.iter().all(CommandRun::meets_expectation)
    }
}

/// A scenario being played.
pub struct Runner {
    scenario: Scenario,
    engine: Engine,
    clock: ManualClock,
    clients: Vec<ClientId>,
    reports: Vec<StepReport>,
    /// The wait after the last step played, as far as it has passed.
    wait: Wait,
    /// Round-trip time passed since the last tick, short of a tick's slice.
    since_tick_ms: u64,
}

/// The part of a wait that has passed, and what happened in it, for the next step's report.
#[derive(Default)]
struct Wait {
    passed_ms: u64,
    /// The keys before the wait began (None while nothing has passed).
    before: Option<HashSet<(usize, Vec<u8>)>>,
    events: Vec<KeyspaceEvent>,
    deliveries: Vec<Delivery>,
    monitor: Vec<String>,
    monitor_more: usize,
}

impl Runner {
    /// The scenario at its start: clients connected, setup run, no step played.
    pub fn new(scenario: Scenario) -> Runner {
        let clock = ManualClock::new(START_MS);
        let mut engine = Engine::new(scenario.config.clone(), Box::new(clock.clone()), SEED);
        let clients: Vec<ClientId> = scenario
            .clients
            .iter()
            .enumerate()
            .map(|(index, participant)| {
                let id = engine.connect();
                // Each participant is a connection from the application's host, as CLIENT
                // LIST and SLOWLOG show one (fixed ports, so that replays agree).
                engine.set_client_address(
                    id,
                    format!("127.0.0.1:{}", CLIENT_PORT + index),
                    "127.0.0.1:6379".to_string(),
                    (CLIENT_FD + index) as i64,
                );
                if participant.protocol == 3 {
                    engine.execute(id, &[b"HELLO".to_vec(), b"3".to_vec()]);
                }
                id
            })
            .collect();
        for (command, _) in scenario.setup.iter().flat_map(|s| s.commands(None)) {
            execute(&mut engine, clients[0], &command.argv_at(START_MS));
        }
        for &client in &clients {
            engine.drain(client);
        }
        engine.take_events();
        // From the first step on (not the setup), the lines a teacher would see in
        // `redis-cli monitor` beside the scenario, watched without a connection of its own.
        engine.watch_commands();
        Runner {
            scenario,
            engine,
            clock,
            clients,
            reports: Vec::new(),
            wait: Wait::default(),
            since_tick_ms: 0,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// How many steps have been played.
    pub fn position(&self) -> usize {
        self.reports.len()
    }

    pub fn is_finished(&self) -> bool {
        self.reports.len() == self.scenario.steps.len()
    }

    /// The reports of the steps played so far, in order.
    pub fn reports(&self) -> &[StepReport] {
        &self.reports
    }

    /// The engine, for showing its keyspace.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Virtual time since the start, in milliseconds.
    pub fn elapsed_ms(&self) -> u64 {
        self.engine.now_ms() - START_MS
    }

    /// The engine client of the participant called `name`.
    pub fn client_id(&self, name: &str) -> Option<ClientId> {
        let index = self.scenario.clients.iter().position(|c| c.name == name)?;
        Some(self.clients[index])
    }

    /// Hands over the engine, its clock and the participants' clients, for "continue in the
    /// console" from the current step.
    pub fn into_parts(mut self) -> (Engine, ManualClock, Vec<(String, ClientId)>) {
        self.engine.stop_watching_commands();
        let names = self.scenario.clients.into_iter().map(|c| c.name);
        (self.engine, self.clock, names.zip(self.clients).collect())
    }

    /// The wait that follows the last step played (0 before the first step): its length,
    /// and how much of it has passed.
    pub fn wait_after(&self) -> (u64, u64) {
        let total = self
            .position()
            .checked_sub(1)
            .map_or(0, |at| self.scenario.steps[at].wait_ms);
        (total, self.wait.passed_ms)
    }

    /// Lets up to `ms` more of the wait after the last step pass (never past its end).
    pub fn advance(&mut self, ms: u64) {
        let (total, passed) = self.wait_after();
        let ms = ms.min(total - passed);
        if ms == 0 {
            return;
        }
        if self.wait.before.is_none() {
            self.wait.before = Some(self.keys());
        }
        self.pass(ms);
        self.wait.passed_ms += ms;
        let deliveries = self.deliveries();
        self.wait.deliveries.extend(deliveries);
        let (lines, more) = (&mut self.wait.monitor, &mut self.wait.monitor_more);
        take_monitor_lines(&mut self.engine, lines, more);
        let events = self.engine.take_events();
        self.wait.events.extend(events);
    }

    /// The keys the wait changed so far (expired, evicted), in key order.
    pub fn wait_changes(&self) -> Vec<KeyChange> {
        match &self.wait.before {
            Some(before) => self.changes(before, &self.wait.events),
            None => Vec::new(),
        }
    }

    /// Plays the next step: the rest of the previous step's wait, then its commands. None
    /// when the scenario is over.
    pub fn step(&mut self) -> Option<&StepReport> {
        let index = self.reports.len();
        let step = self.scenario.steps.get(index)?.clone();
        let waited_ms = self.wait_after().0;
        self.advance(u64::MAX);
        let wait = std::mem::take(&mut self.wait);
        let before = wait.before.unwrap_or_else(|| self.keys());
        let at_ms = self.elapsed_ms();
        let actor = self.clients[step.client];
        let protocol = self.scenario.clients[step.client].protocol;
        let actor_name = self.scenario.clients[step.client].name.clone();

        let mut commands = Vec::new();
        let mut deliveries = wait.deliveries;
        let round_trip_ms = self.scenario.round_trip_ms;
        let sent = step
            .run
            .iter()
            .zip(&step.expect)
            .flat_map(|(run, expected)| run.commands(expected.as_deref()));
        for (command, expected) in sent {
            let now_ms = self.engine.now_ms();
            let (line, argv) = (command.line_at(now_ms), command.argv_at(now_ms));
            let (outcome, pushed) = execute(&mut self.engine, actor, &argv);
            deliveries.extend(pushed.into_iter().map(|reply| Delivery {
                client: actor_name.clone(),
                rendered: render_unasked(&reply, protocol),
                reply,
            }));
            let (replies, rendered) = match outcome {
                Outcome::Blocked => (Vec::new(), "(blocked)".to_string()),
                outcome => {
                    let replies = outcome.into_replies();
                    let rendered = render(&replies, protocol, prints_raw(&argv));
                    (replies, rendered)
                }
            };
            commands.push(CommandRun {
                client: actor_name.clone(),
                line,
                replies,
                rendered,
                expected,
            });
            if !step.pipeline {
                self.travel(round_trip_ms);
            }
        }
        if step.pipeline {
            // One trip for them all (none for a step without commands), as the step list
            // counts it.
            let ms = self.scenario.travel_ms(&step);
            self.travel(ms);
        }
        deliveries.extend(self.deliveries());
        let (mut monitor, mut monitor_more) = (wait.monitor, wait.monitor_more);
        take_monitor_lines(&mut self.engine, &mut monitor, &mut monitor_more);
        let mut events = wait.events;
        events.extend(self.engine.take_events());
        let changes = self.changes(&before, &events);
        self.reports.push(StepReport {
            step: index,
            at_ms,
            commands,
            deliveries,
            changes,
            events,
            waited_ms,
            monitor,
            monitor_more,
        });
        self.reports.last()
    }

    /// Goes back one step (to the start from the first).
    pub fn back(&mut self) {
        self.jump(self.position().saturating_sub(1));
    }

    /// Goes to the state right after `position` steps (clamped to the scenario's length):
    /// forward by playing, backward by replaying from the start.
    pub fn jump(&mut self, position: usize) {
        let position = position.min(self.scenario.steps.len());
        if position < self.position() || (position == self.position() && self.wait.passed_ms > 0) {
            *self = Runner::new(self.scenario.clone());
        }
        while self.position() < position {
            self.step();
        }
    }

    /// Moves the clock `ms` forward in `1000 / hz` slices, ticking after each.
    fn pass(&mut self, ms: u64) {
        let hz = self.engine.config().int("hz").clamp(1, 500) as u64;
        let slice = 1000 / hz;
        let mut left = ms;
        while left > 0 {
            let now = left.min(slice);
            self.clock.advance_ms(now);
            self.engine.tick();
            left -= now;
        }
    }

    /// Moves the clock `ms` forward for replies on their way back, ticking each time a
    /// whole slice of `1000 / hz` has gone by (round trips shorter than a slice add up to
    /// one, rather than each running the cron).
    fn travel(&mut self, ms: u64) {
        let hz = self.engine.config().int("hz").clamp(1, 500) as u64;
        self.clock.advance_ms(ms);
        self.since_tick_ms += ms;
        while self.since_tick_ms >= 1000 / hz {
            self.since_tick_ms -= 1000 / hz;
            self.engine.tick();
        }
    }

    fn deliveries(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        for (participant, &id) in self.scenario.clients.iter().zip(&self.clients) {
            for reply in self.engine.drain(id) {
                out.push(Delivery {
                    client: participant.name.clone(),
                    rendered: render_unasked(&reply, participant.protocol),
                    reply,
                });
            }
        }
        out
    }

    /// Every key of every database, with no lookup (nothing is touched or expired).
    fn keys(&self) -> HashSet<(usize, Vec<u8>)> {
        let mut keys = HashSet::new();
        let mut index = 0;
        while let Some(db) = self.engine.db(index) {
            keys.extend(db.iter().map(|(key, _, _)| (index, key.to_vec())));
            index += 1;
        }
        keys
    }

    /// The keys the events name, classified by whether they existed before and after the
    /// step and by how they went.
    fn changes(
        &self,
        before: &HashSet<(usize, Vec<u8>)>,
        events: &[KeyspaceEvent],
    ) -> Vec<KeyChange> {
        let mut named: BTreeMap<(usize, Vec<u8>), (bool, bool)> = BTreeMap::new();
        for event in events {
            let seen = named.entry((event.db, event.key.clone())).or_default();
            seen.0 |= event.event == "expired";
            seen.1 |= event.event == "evicted";
        }
        let after = self.keys();
        named
            .into_iter()
            .filter_map(|((db, key), (expired, evicted))| {
                let id = (db, key);
                let kind = match (before.contains(&id), after.contains(&id)) {
                    (_, false) if evicted => ChangeKind::Evicted,
                    (_, false) if expired => ChangeKind::Expired,
                    (true, false) => ChangeKind::Deleted,
                    (false, true) => ChangeKind::Created,
                    (true, true) => ChangeKind::Changed,
                    (false, false) => return None,
                };
                Some(KeyChange {
                    db: id.0,
                    key: id.1,
                    kind,
                })
            })
            .collect()
    }
}

/// Replies as redis-cli prints them, one after another, without the final newline.
fn render(replies: &[Reply], protocol: u8, raw: bool) -> String {
    let mut out = String::new();
    for reply in replies {
        out.push_str(&cli::render(reply, protocol, raw));
    }
    out.trim_end_matches('\n').to_string()
}

/// The player's MONITOR lines since they were last taken, added to `lines` up to
/// [`MONITOR_SHOWN`], the rest counted in `more`.
fn take_monitor_lines(engine: &mut Engine, lines: &mut Vec<String>, more: &mut usize) {
    for line in engine.take_watched_commands() {
        match lines.len() < MONITOR_SHOWN {
            true => lines.push(line),
            false => *more += 1,
        }
    }
}

/// A reply that arrived unasked, as redis-cli prints it, without the final newline.
fn render_unasked(reply: &Reply, protocol: u8) -> String {
    cli::render_unasked(reply, protocol)
        .trim_end_matches('\n')
        .to_string()
}

/// The Lua instructions a scenario's script may run, in the engine's slices of
/// [`keyspace::script::SLICE_BUDGET`]: 100 million, far beyond any script a lesson shows, and
/// a second or two of a runaway loop before the player stops it.
const SCRIPT_SLICES: usize = 500;

/// Runs a command to its reply. A script runs in slices that a server interleaves with other
/// clients; the scenario's clock stands still, so the runner plays them back to back (a
/// runaway one is stopped after [`SCRIPT_SLICES`], as SCRIPT KILL would, and as only
/// SHUTDOWN NOSAVE could were it to have written). Also returns the pushes that reached the
/// client beside its reply (a script's PUBLISH to a RESP3 subscriber before it, a tracking
/// invalidation after it), in order.
fn execute(engine: &mut Engine, client: ClientId, argv: &[Vec<u8>]) -> (Outcome, Vec<Reply>) {
    let outcome = engine.execute(client, argv);
    if !matches!(outcome, Outcome::Blocked) || !engine.script_running() {
        return (outcome, Vec::new());
    }
    for _ in 0..SCRIPT_SLICES {
        if !engine.script_running() {
            break;
        }
        engine.run_script();
    }
    if engine.script_running() {
        engine.stop_script();
    }
    let mut arrived = engine.drain(client);
    // The reply is the last thing that is no push: a tracking invalidation the script caused
    // to its own client follows it.
    match arrived.iter().rposition(|r| !matches!(r, Reply::Push(_))) {
        Some(at) => {
            let reply = arrived.remove(at);
            (Outcome::Reply(reply), arrived)
        }
        None => (Outcome::Blocked, arrived),
    }
}
