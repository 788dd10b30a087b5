//! The engine: the one interface every front end uses (the native server, the page's console
//! and client panes, the scenario runner).
//!
//! ```text
//! let mut engine = Engine::new(Config::default(), Box::new(clock), seed);
//! let id = engine.connect();
//! match engine.execute(id, &argv) { Outcome::Reply(r) => ..., Outcome::Replies(rs) => ..., Outcome::Blocked => ... }
//! engine.drain(id);   // replies and messages that arrived later (blocked commands, pub/sub)
//! engine.tick();      // on a timer: active expiry and other background work
//! ```
//!
//! The engine never reads a clock or an entropy source of its own: time comes from the
//! [`Clock`] it is given and randomness from a PRNG seeded by the caller, so a run replayed
//! from the start under a manual clock is identical every time.

use std::collections::{BTreeMap, VecDeque};

use crate::clock::Clock;
use crate::cmd::info::OpsSamples;
use crate::config::Config;
use crate::db::{Db, WrittenKeys};
use crate::error::Error;
use crate::event::KeyspaceEvent;
use crate::evict::Eviction;
use crate::expire::ActiveExpireState;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::slowlog::{self, Slowlog, SlowlogEntry};
use crate::spec::{self, flag, CommandSpec};

/// A connected client's id, as CLIENT ID reports it. Ids are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u64);

/// What `execute` gives back.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The command's reply; most commands give exactly one.
    Reply(Reply),
    /// Several replies in order (SUBSCRIBE a b confirms each channel separately), or none
    /// (an empty request).
    Replies(Vec<Reply>),
    /// The client is blocked (BLPOP...); its reply will arrive in its outbox.
    Blocked,
}

impl From<Reply> for Outcome {
    fn from(reply: Reply) -> Outcome {
        Outcome::Reply(reply)
    }
}

impl Outcome {
    /// The replies to send now, in order.
    pub fn into_replies(self) -> Vec<Reply> {
        match self {
            Outcome::Reply(r) => vec![r],
            Outcome::Replies(rs) => rs,
            Outcome::Blocked => Vec::new(),
        }
    }
}

/// One connection's state.
#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    /// 2 or 3, set by HELLO.
    pub protocol: u8,
    /// The selected database.
    pub db: usize,
    /// Set by CLIENT SETNAME or HELLO ... SETNAME.
    pub name: Option<Vec<u8>>,
    /// Where it connects from (`ip:port`), as the front end tells ([`Engine::set_client_addr`]).
    pub addr: String,
    /// When it connected (Unix ms).
    pub created_ms: u64,
    /// When it last sent a command (Unix ms).
    pub last_interaction_ms: u64,
    /// Redis's full name of the last command (`client|setname`).
    pub last_command: String,
    /// Set by QUIT (and later CLIENT KILL): the front end closes the connection after
    /// sending what is pending.
    pub closing: bool,
    /// Replies and messages that arrived outside a command's own reply.
    pub(crate) outbox: VecDeque<Reply>,
}

/// Counters INFO reports.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub expired_keys: u64,
    /// Keys removed to stay within `maxmemory`.
    pub evicted_keys: u64,
    /// Error replies sent, and per error code (`ERR`, `WRONGTYPE`...: INFO errorstats).
    pub total_error_replies: u64,
    pub errorstats: BTreeMap<String, u64>,
    /// Monotonic time spent running commands (µs): INFO cpu's only honest figure.
    pub command_time_us: u64,
    pub total_commands_processed: u64,
    pub total_connections_received: u64,
    /// Keys the active expire cycle found stale, over keys it sampled, in its last run.
    pub expired_stale_perc: f64,
    /// Active expire cycles cut short by their time budget.
    pub expired_time_cap_reached_count: u64,
    /// Per command, under Redis's full name (`config|get`): INFO commandstats.
    pub commandstats: BTreeMap<String, CommandStat>,
}

/// One command's counters, as INFO commandstats prints them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandStat {
    pub calls: u64,
    /// Monotonic time spent in its handler (µs).
    pub usec: u64,
    /// Refused before running: wrong arity, OOM.
    pub rejected_calls: u64,
    /// Ran and answered an error.
    pub failed_calls: u64,
}

/// A command being run: who sent it, where, and what.
#[derive(Debug)]
pub struct Call<'a> {
    pub client: ClientId,
    /// The client's selected database.
    pub db: usize,
    /// The whole request, the command name included.
    pub argv: &'a [Vec<u8>],
    /// Redis's full name of the command (`set`, `client|setname`), for error messages.
    pub name: &'a str,
}

/// A Redis-compatible keyspace with its clients.
pub struct Engine {
    pub(crate) config: Config,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) rng: Rng,
    pub(crate) dbs: Vec<Db>,
    pub(crate) clients: BTreeMap<ClientId, Client>,
    next_client_id: u64,
    pub(crate) stats: Stats,
    /// Wall time fixed for the duration of one command, as Redis fixes `server.mstime`, so a
    /// key cannot expire halfway through a command that reads it twice.
    pub(crate) now_ms: u64,
    /// Changes since start (Redis's `server.dirty`).
    pub(crate) dirty: u64,
    pub(crate) events: Vec<KeyspaceEvent>,
    pub(crate) capture_events: bool,
    pub(crate) active_expire: ActiveExpireState,
    /// Clients whose outbox received something outside their own command (a pub/sub message,
    /// a blocked command's reply): whoever pushes to another client's outbox records its id
    /// here, so the front end can wake that idle connection ([`Engine::take_woken`]).
    pub(crate) woken: Vec<ClientId>,
    /// `maxmemory` and its policy, and the eviction pool (`crate::evict`).
    pub(crate) eviction: Eviction,
    /// Keys the write door handed out during the current command, priced again after it
    /// (`crate::memory`).
    pub(crate) written: WrittenKeys,
    /// The highest modelled `used_memory` seen (`used_memory_peak`).
    pub(crate) peak_memory: usize,
    pub(crate) slowlog: Slowlog,
    /// When the engine started (Unix ms), for INFO's uptime.
    pub(crate) started_ms: u64,
    /// Recent commands-per-second samples for `instantaneous_ops_per_sec`.
    pub(crate) ops_samples: OpsSamples,
}

impl Engine {
    /// An empty keyspace with `config`, reading time from `clock` and drawing randomness from a
    /// generator seeded with `rng_seed`.
    pub fn new(config: Config, clock: Box<dyn Clock>, rng_seed: u64) -> Engine {
        let databases = config.int("databases").max(1) as usize;
        let now_ms = clock.now_ms();
        let mut engine = Engine {
            config,
            clock,
            rng: Rng::new(rng_seed),
            dbs: vec![Db::default(); databases],
            clients: BTreeMap::new(),
            // Redis 7.0 gives ids 1 and 2 to its Lua and function engines' internal clients at
            // startup, so its first connection is 3: CLIENT ID and HELLO then agree with it.
            next_client_id: 3,
            stats: Stats::default(),
            now_ms,
            dirty: 0,
            events: Vec::new(),
            capture_events: true,
            active_expire: ActiveExpireState::default(),
            woken: Vec::new(),
            eviction: Eviction::default(),
            written: WrittenKeys::default(),
            peak_memory: 0,
            slowlog: Slowlog::default(),
            started_ms: now_ms,
            ops_samples: OpsSamples::default(),
        };
        engine.apply_config();
        engine.peak_memory = engine.used_memory();
        engine
    }

    /// A new client: RESP2, database 0, no name.
    pub fn connect(&mut self) -> ClientId {
        let id = ClientId(self.next_client_id);
        self.next_client_id += 1;
        self.stats.total_connections_received += 1;
        let now = self.clock.now_ms();
        self.clients.insert(
            id,
            Client {
                id,
                protocol: 2,
                db: 0,
                name: None,
                addr: String::new(),
                created_ms: now,
                last_interaction_ms: now,
                last_command: "NULL".into(),
                closing: false,
                outbox: VecDeque::new(),
            },
        );
        id
    }

    /// Records where a client connects from (`ip:port`), for SLOWLOG and INFO.
    pub fn set_client_addr(&mut self, id: ClientId, addr: impl Into<String>) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.addr = addr.into();
        }
    }

    /// Forgets a client and everything it was waiting for.
    pub fn disconnect(&mut self, id: ClientId) {
        self.clients.remove(&id);
    }

    /// A client's state, if it is connected.
    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    /// Every connected client, by id.
    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values()
    }

    /// Runs one command for `client`. Never panics on any input: unknown commands, wrong
    /// arities and bad arguments all become Redis's error replies.
    pub fn execute(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Outcome {
        if argv.is_empty() {
            return Outcome::Replies(Vec::new());
        }
        let Some(db) = self.clients.get(&client).map(|c| c.db) else {
            return Reply::Error("ERR client is not connected".into()).into();
        };
        self.now_ms = self.clock.now_ms();
        self.stats.total_commands_processed += 1;
        let result = spec::resolve(argv).and_then(|(spec, name)| {
            if let Some(c) = self.clients.get_mut(&client) {
                c.last_interaction_ms = self.now_ms;
                c.last_command.clone_from(&name);
            }
            match spec.handler {
                Some(handler) if spec.arity_ok(argv.len()) => {
                    // Redis evicts before any command when over `maxmemory`, and refuses
                    // only those that may grow memory when it cannot get under it.
                    if !self.perform_evictions() && spec.has(flag::DENYOOM) {
                        self.count_command(&name, |s| s.rejected_calls += 1);
                        return Err(Error::Oom);
                    }
                    let call = Call {
                        client,
                        db,
                        argv,
                        name: &name,
                    };
                    let start_us = self.clock.elapsed_us();
                    let result = handler(self, &call);
                    let duration_us = self.clock.elapsed_us().saturating_sub(start_us);
                    self.settle_memory();
                    self.after_call(spec, &call, duration_us);
                    let failed = matches!(result, Err(_) | Ok(Outcome::Reply(Reply::Error(_))));
                    self.count_command(&name, |s| {
                        s.calls += 1;
                        s.usec += duration_us;
                        s.failed_calls += u64::from(failed);
                    });
                    result
                }
                _ => {
                    self.count_command(&name, |s| s.rejected_calls += 1);
                    Err(Error::WrongArity(name))
                }
            }
        });
        let outcome = result.unwrap_or_else(|e| Reply::from(e).into());
        if let Outcome::Reply(Reply::Error(text)) = &outcome {
            self.count_error(text);
        }
        outcome
    }

    /// Updates the counters of the command called `name` (its full name), created on first
    /// use; the name is copied only then.
    fn count_command(&mut self, name: &str, update: impl FnOnce(&mut CommandStat)) {
        match self.stats.commandstats.get_mut(name) {
            Some(stat) => update(stat),
            None => {
                let mut stat = CommandStat::default();
                update(&mut stat);
                self.stats.commandstats.insert(name.to_string(), stat);
            }
        }
    }

    /// Bookkeeping after a command ran: its time, and the slow log.
    fn after_call(&mut self, spec: &CommandSpec, call: &Call<'_>, duration_us: u64) {
        self.stats.command_time_us += duration_us;
        if spec.has(flag::SKIP_SLOWLOG) {
            return;
        }
        if !self.slowlog.wants(duration_us) {
            return;
        }
        let (peer, client_name) = self
            .clients
            .get(&call.client)
            .map(|c| (c.addr.clone(), c.name.clone().unwrap_or_default()))
            .unwrap_or_default();
        self.slowlog.push(|id| SlowlogEntry {
            id,
            timestamp: self.now_ms / 1000,
            duration_us,
            argv: slowlog::trimmed_argv(call.argv),
            peer,
            client_name,
        });
    }

    /// Takes the parameters that are read on every command (eviction, slow log) from the
    /// config, so that running a command never searches the config table; called at start and
    /// after every CONFIG SET.
    pub(crate) fn apply_config(&mut self) {
        self.eviction.configure(&self.config);
        self.slowlog.configure(&self.config);
    }

    /// Counts an error reply under its code, the text's first word (INFO errorstats).
    fn count_error(&mut self, text: &str) {
        self.stats.total_error_replies += 1;
        let code = text.split(' ').next().unwrap_or_default();
        match self.stats.errorstats.get_mut(code) {
            Some(n) => *n += 1,
            None => {
                self.stats.errorstats.insert(code.to_string(), 1);
            }
        }
    }

    /// Takes what arrived for `client` since the last drain: blocked commands' replies,
    /// pub/sub messages, notifications.
    pub fn drain(&mut self, client: ClientId) -> Vec<Reply> {
        self.clients
            .get_mut(&client)
            .map(|c| c.outbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// Background work, called by the front end on a timer (`hz` times a second, like Redis's
    /// `serverCron`): the active expire cycle for now; blocked-client timeouts and LFU decay
    /// as they arrive.
    pub fn tick(&mut self) {
        self.now_ms = self.clock.now_ms();
        self.active_expire_cycle();
        self.track_peak_memory();
        let now_us = self.clock.elapsed_us();
        self.ops_samples
            .track(now_us, self.stats.total_commands_processed);
    }

    /// Takes the ids of clients whose outbox received something since the last call, so that
    /// a front end can wake their connections, idle as they may be, to [`Engine::drain`] it.
    pub fn take_woken(&mut self) -> Vec<ClientId> {
        std::mem::take(&mut self.woken)
    }

    /// Takes the keyspace events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<KeyspaceEvent> {
        std::mem::take(&mut self.events)
    }

    /// Whether events are recorded for [`Engine::take_events`] (on by default). A front end
    /// that never reads them (the native server) turns this off.
    pub fn set_capture_events(&mut self, on: bool) {
        self.capture_events = on;
        if !on {
            self.events.clear();
        }
    }

    /// The current configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Counters for INFO and the page's server panel.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The slow log, newest entry first, for the page's server panel.
    pub fn slowlog(&self) -> impl Iterator<Item = &SlowlogEntry> {
        self.slowlog.newest(usize::MAX)
    }

    /// Database `index`, for front ends that show the keyspace.
    pub fn db(&self, index: usize) -> Option<&Db> {
        self.dbs.get(index)
    }

    /// The current wall time according to the engine's clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }
}
