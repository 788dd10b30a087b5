//! The engine: the one interface every front end uses (the native server, the page's console
//! and client panes, the scenario runner).
//!
//! ```text
//! let mut engine = Engine::new(Config::default(), Box::new(clock), seed);
//! let id = engine.connect();
//! match engine.execute(id, &argv) { Outcome::Reply(r) => ..., Outcome::Replies(rs) => ..., Outcome::Blocked => ... }
//! engine.take_woken(); // clients whose outbox received something: wake them, then...
//! engine.drain(id);   // replies and messages that arrived later (blocked commands, pub/sub)
//! engine.tick();      // on a timer: blocked clients' timeouts, active expiry
//! ```
//!
//! The engine never reads a clock or an entropy source of its own: time comes from the
//! [`Clock`] it is given and randomness from a PRNG seeded by the caller, so a run replayed
//! from the start under a manual clock is identical every time.

use std::collections::{BTreeMap, VecDeque};

use crate::acl::Acl;
use crate::blocking::{Blocked, BlockingState};
use crate::clock::Clock;
use crate::cmd::info::Instantaneous;
use crate::config::Config;
use crate::db::{Db, WrittenKeys};
use crate::error::Error;
use crate::event::KeyspaceEvent;
use crate::evict::Eviction;
use crate::expire::ActiveExpireState;
use crate::latency::{LatencyHistogram, LatencyMonitor};
use crate::pause::Pausing;
use crate::persist::Persistence;
use crate::pubsub::{PubSub, Subscriptions};
use crate::reply::Reply;
use crate::rng::Rng;
use crate::script::Scripting;
use crate::slowlog::{self, Slowlog, SlowlogEntry};
use crate::spec::{self, flag, CommandResult, CommandSpec};
use crate::tracking::{ClientTracking, Tracking};
use crate::transaction::{Transaction, WatchedKey, WatchedKeys};

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

/// Whether a client's commands are answered (CLIENT REPLY ON, OFF or SKIP).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Replies {
    #[default]
    On,
    Off,
    /// SKIP: the next command gets no reply, then replies are on again.
    SkipNext,
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
    /// When it connected (Unix ms).
    pub created_ms: u64,
    /// When it last sent a command (Unix ms).
    pub last_interaction_ms: u64,
    /// Redis's full name of the last command (`client|setname`).
    pub last_command: String,
    /// Set by QUIT and CLIENT KILL: the front end closes the connection after sending what
    /// is pending.
    pub closing: bool,
    /// Replies and messages that arrived outside a command's own reply.
    pub(crate) outbox: VecDeque<Reply>,
    /// Channels, patterns and shard channels it listens to (`crate::pubsub`).
    pub subscriptions: Subscriptions,
    /// Its transaction, between MULTI and EXEC or DISCARD (`crate::transaction`).
    pub multi: Option<Transaction>,
    /// The keys it WATCHes.
    pub watched: Vec<WatchedKey>,
    /// A watched key changed: its EXEC will fail (Redis's `CLIENT_DIRTY_CAS`).
    pub dirty_cas: bool,
    /// What it waits for, while a blocking command waits (`crate::blocking`).
    pub blocked: Option<Blocked>,
    /// Set by CLIENT NO-EVICT: client eviction passes it over.
    pub no_evict: bool,
    /// CLIENT REPLY: replies are off (OFF), off for the command running (SKIP, from the
    /// command before), or to be off for the next command.
    pub reply_off: bool,
    pub(crate) reply_skip: bool,
    pub(crate) reply_skip_next: bool,
    /// The peer's address (`ip:port`), the local one and the socket's descriptor, as the
    /// front end knows them ([`Engine::set_client_address`]); CLIENT LIST and CLIENT KILL show
    /// and match them. Empty and -1 for a client without a socket, as Redis's own fake
    /// clients have.
    pub addr: String,
    pub laddr: String,
    pub fd: i64,
    /// The ACL user it runs as (`crate::acl`): `default` until AUTH says otherwise.
    pub user: Vec<u8>,
    /// It authenticated, or needed not to when it connected (Redis's `c->authenticated`).
    pub authenticated: bool,
    /// It waits for a script: its own, still running, or another's it sent a command
    /// behind (`crate::script`). Its reply will arrive in its outbox.
    pub postponed: bool,
    /// The client scripts' commands run on (`crate::script::SCRIPT_CLIENT`): no connection,
    /// not listed nor counted as a client.
    pub(crate) script: bool,
    /// Client-side caching, while CLIENT TRACKING is on (`crate::tracking`).
    pub tracking: Option<ClientTracking>,
    /// It sent MONITOR: every command's line arrives in its outbox (`crate::monitor`).
    pub monitor: bool,
    /// It sent SYNC or PSYNC: a replica of this engine (`crate::replication::master`).
    pub replica: bool,
    /// The replication offset right after its last command that propagated something
    /// (Redis's `woff`): what its WAIT waits for replicas to acknowledge.
    pub woff: u64,
    /// The master client of a replica: the primary's stream runs on it, unanswered
    /// (`crate::replication::replica`).
    pub master: bool,
}

impl Client {
    /// CLIENT REPLY as a front end shows it between commands: off, or off for the next
    /// command only (SKIP, which has moved on from the command that gave it).
    pub fn replies(&self) -> Replies {
        match (self.reply_off, self.reply_skip) {
            (true, _) => Replies::Off,
            (false, true) => Replies::SkipNext,
            (false, false) => Replies::On,
        }
    }

    /// True while a command waits for its reply (a blocking command, or a script): the front
    /// end sends nothing more until it arrives in the outbox.
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some() || self.postponed
    }
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
    /// Commands run (Redis's `stat_numcommands`, counted in `call`): EXEC's queued commands
    /// and a script's own count, refused ones do not.
    pub total_commands_processed: u64,
    /// Commands received from clients, run or not: what INFO's socket read and write
    /// counts stand for here, where a command is one read and one reply.
    pub commands_received: u64,
    pub total_connections_received: u64,
    /// Connections refused before they became clients: `maxclients` reached, or protected
    /// mode ([`Engine::admit`]).
    pub rejected_connections: u64,
    /// Keys the active expire cycle found stale, over keys it sampled, in its last run.
    pub expired_stale_perc: f64,
    /// Active expire cycles cut short by their time budget.
    pub expired_time_cap_reached_count: u64,
    /// Monotonic time spent in active expire cycles (µs): INFO's
    /// `expire_cycle_cpu_milliseconds`.
    pub expire_cycle_time_used_us: u64,
    /// Per command, under Redis's full name (`config|get`): INFO commandstats.
    pub commandstats: BTreeMap<String, CommandStat>,
    /// Bytes read from clients and written to them, as the front end tells them
    /// ([`Engine::count_net`]), apart from the replication links' below.
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    /// Bytes read from this replica's primary (its stream and a full sync's snapshot), and
    /// written to this primary's replicas.
    pub net_repl_input_bytes: u64,
    pub net_repl_output_bytes: u64,
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
    /// Its calls' durations, for INFO latencystats (`crate::latency`).
    pub latency: LatencyHistogram,
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
    /// Keyspace events announced since start, recorded or not ([`Engine::events_announced`]).
    pub(crate) events_announced: u64,
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
    /// `latency-monitor-threshold` and the events recorded (`crate::latency`).
    pub(crate) latency: LatencyMonitor,
    /// When the engine started (Unix ms), for INFO's uptime.
    pub(crate) started_ms: u64,
    /// Recent per-second samples for INFO's `instantaneous_*` figures.
    pub(crate) instantaneous: Instantaneous,
    /// Every subscription, by channel and pattern (`crate::pubsub`).
    pub(crate) pubsub: PubSub,
    /// Who WATCHes each key (`crate::transaction`).
    pub(crate) watched_keys: WatchedKeys,
    /// Blocked clients by key, and keys that may serve them (`crate::blocking`).
    pub(crate) blocking: BlockingState,
    /// EXEC is running its queue: blocking commands answer at once instead of blocking.
    pub(crate) in_exec: bool,
    /// Users and the ACL LOG (`crate::acl`).
    pub(crate) acl: Acl,
    /// Where the ACL file is read and written, when there is one (`crate::acl::AclFileAccess`).
    pub(crate) acl_file: Option<Box<dyn crate::acl::AclFileAccess>>,
    /// Who moves the listeners when `port` or `bind` change (`crate::config::Listening`).
    pub(crate) listening: Option<Box<dyn crate::config::Listening>>,
    /// Where snapshots go, and the books INFO persistence keeps (`crate::persist`).
    pub(crate) persistence: Persistence,
    /// Lua, EVAL's script cache and the script running (`crate::script`).
    pub(crate) scripting: Scripting,
    /// The last command started over `maxmemory` with nothing left to evict (Redis's
    /// `pre_command_oom_state`): a script started then may not write.
    pub(crate) pre_command_oom: bool,
    /// The last geo search's source key and shape, for the page's geo inspector to draw
    /// ([`Engine::last_geo_search`]); nothing Redis keeps.
    pub(crate) last_geo_search: Option<GeoSearched>,
    /// Client-side caching: who caches which keys (`crate::tracking`).
    pub(crate) tracking: Tracking,
    /// DEBUG's test hooks, and the crash or restart it asked for (`crate::cmd::debug`).
    pub(crate) debug: crate::cmd::debug::Hooks,
    /// The clients in MONITOR mode, in the order they started (`crate::monitor`).
    pub(crate) monitors: Vec<ClientId>,
    /// Lines of a monitor's own command, sent after that command's reply.
    pub(crate) own_monitor_lines: Vec<Reply>,
    /// A front end's own MONITOR view, while on ([`Engine::watch_commands`]).
    pub(crate) monitor_view: Option<Vec<String>>,
    /// CLIENT PAUSE and the commands it holds (`crate::pause`).
    pub(crate) pausing: Pausing,
    /// The process's resident memory, sampled by the cron (`crate::resident`).
    pub(crate) resident: crate::resident::Resident,
    /// Values waiting to be freed in the background, and the `lazyfree-lazy-*` parameters
    /// (`crate::lazyfree`).
    pub(crate) lazyfree: crate::lazyfree::LazyFree,
    /// The modelled work of the command running, in ns (`crate::cost`).
    pub(crate) work_ns: u64,
    /// MIGRATE's connections to other servers (`crate::migrate`).
    pub(crate) migrate: crate::migrate::Migrate,
    /// Replication IDs, offsets, the backlog and the replicas (`crate::replication`).
    pub replication: crate::replication::Replication,
    /// The primary this engine follows, and the link to it (`crate::replication::replica`).
    pub(crate) replica: crate::replication::replica::ReplicaSide,
}

/// A geo search as it was asked: which key of which database, and the circle or box.
#[derive(Clone, Debug, PartialEq)]
pub struct GeoSearched {
    pub db: usize,
    pub key: Vec<u8>,
    pub shape: crate::geohash::Shape,
}

impl Engine {
    /// An empty keyspace with `config`, reading time from `clock` and drawing randomness from a
    /// generator seeded with `rng_seed`.
    pub fn new(config: Config, clock: Box<dyn Clock>, rng_seed: u64) -> Engine {
        let databases = config.int("databases").max(1) as usize;
        let appendonly = config.flag("appendonly");
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
            events_announced: 0,
            active_expire: ActiveExpireState::default(),
            woken: Vec::new(),
            eviction: Eviction::default(),
            written: WrittenKeys::default(),
            peak_memory: 0,
            slowlog: Slowlog::default(),
            latency: LatencyMonitor::default(),
            started_ms: now_ms,
            instantaneous: Instantaneous::default(),
            pubsub: PubSub::default(),
            watched_keys: WatchedKeys::default(),
            blocking: BlockingState::default(),
            in_exec: false,
            acl: Acl::default(),
            acl_file: None,
            listening: None,
            last_geo_search: None,
            persistence: Persistence::new(now_ms, appendonly),
            scripting: Scripting::default(),
            pre_command_oom: false,
            tracking: Tracking::default(),
            debug: crate::cmd::debug::Hooks::default(),
            monitors: Vec::new(),
            own_monitor_lines: Vec::new(),
            monitor_view: None,
            pausing: Pausing::default(),
            resident: Default::default(),
            lazyfree: Default::default(),
            work_ns: 0,
            migrate: Default::default(),
            replication: crate::replication::Replication::new(rng_seed, now_ms / 1000),
            replica: Default::default(),
        };
        let requirepass = engine.config.text("requirepass").as_bytes().to_vec();
        engine.acl.set_requirepass(&requirepass);
        engine.apply_config();
        engine.eviction.create_shared_objects(now_ms);
        engine.peak_memory = engine.used_memory();
        engine.sample_resident_memory(true);
        engine.follow_configured_master();
        engine
    }

    /// The front end read `read` bytes from client `id` and wrote `written` to it (Redis
    /// counts them in `readQueryFromClient` and `writeToClient`): bytes from a replica's
    /// master client are the replication link's, the rest the clients'. What a primary
    /// writes to its replicas the engine counts itself as it queues it (the stream and
    /// snapshots, not the `+FULLRESYNC` line Redis leaves out). INFO stats' `total_net_*`
    /// and `instantaneous_*_kbps` add them up.
    pub fn count_net(&mut self, id: ClientId, read: usize, written: usize) {
        let (read, written) = (read as u64, written as u64);
        if self.is_master_client(id) {
            self.stats.net_repl_input_bytes += read;
        } else {
            self.stats.net_input_bytes += read;
        }
        if !self.is_replica(id) {
            self.stats.net_output_bytes += written;
        }
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
                created_ms: now,
                last_interaction_ms: now,
                last_command: "NULL".into(),
                closing: false,
                outbox: VecDeque::new(),
                subscriptions: Subscriptions::default(),
                multi: None,
                watched: Vec::new(),
                dirty_cas: false,
                blocked: None,
                no_evict: false,
                reply_off: false,
                reply_skip: false,
                reply_skip_next: false,
                addr: String::new(),
                laddr: String::new(),
                fd: -1,
                user: b"default".to_vec(),
                authenticated: !self.acl.auth_required(),
                postponed: false,
                script: false,
                tracking: None,
                monitor: false,
                replica: false,
                woff: 0,
                master: false,
            },
        );
        id
    }

    /// Creates the script client (`crate::script::SCRIPT_CLIENT`), as Redis creates its Lua
    /// client: before any connection, with an id of its own.
    pub(crate) fn connect_script_client(&mut self) {
        let now = self.clock.now_ms();
        let id = crate::script::SCRIPT_CLIENT;
        self.clients.insert(
            id,
            Client {
                id,
                protocol: 2,
                db: 0,
                name: None,
                created_ms: now,
                last_interaction_ms: now,
                last_command: "NULL".into(),
                closing: false,
                outbox: VecDeque::new(),
                subscriptions: Subscriptions::default(),
                multi: None,
                watched: Vec::new(),
                dirty_cas: false,
                blocked: None,
                no_evict: false,
                reply_off: false,
                reply_skip: false,
                reply_skip_next: false,
                addr: String::new(),
                laddr: String::new(),
                fd: -1,
                user: b"default".to_vec(),
                authenticated: true,
                postponed: false,
                script: true,
                tracking: None,
                monitor: false,
                replica: false,
                woff: 0,
                master: false,
            },
        );
    }

    /// Records where a client connects from and to (`ip:port` each) and its socket's
    /// descriptor, for CLIENT LIST and CLIENT KILL.
    pub fn set_client_address(&mut self, id: ClientId, addr: String, laddr: String, fd: i64) {
        if let Some(c) = self.clients.get_mut(&id) {
            (c.addr, c.laddr, c.fd) = (addr, laddr, fd);
        }
    }

    /// Forgets a client and everything it was waiting for: its tracking, subscriptions,
    /// watches and blocked command.
    pub fn disconnect(&mut self, id: ClientId) {
        self.disable_tracking(id);
        self.stop_monitoring(id);
        self.forget_postponed(id);
        self.unsubscribe_all(id);
        self.unwatch_all(id);
        self.unblock(id);
        self.forget_replica(id);
        self.clients.remove(&id);
    }

    /// A client's state, if it is connected.
    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    /// Every connected client, by id (not the script client, which has no connection).
    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values().filter(|c| !c.script)
    }

    /// How many clients are connected (Redis's `listLength(server.clients)`).
    pub fn connected_clients(&self) -> usize {
        self.clients.len() - usize::from(self.clients.contains_key(&crate::script::SCRIPT_CLIENT))
    }

    /// Runs one command for `client`. Never panics on any input: unknown commands, wrong
    /// arities and bad arguments all become Redis's error replies. Clients that the command
    /// unblocked (a push to a list someone waits on) are served before it returns.
    pub fn execute(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Outcome {
        if argv.is_empty() {
            return Outcome::Replies(Vec::new());
        }
        if !self.clients.contains_key(&client) {
            return Reply::Error("ERR client is not connected".into()).into();
        }
        // After SHUTDOWN (or a DEBUG crash) the process is gone: nothing more runs, and
        // nothing reaches the storage (a front end that goes on, the page, starts a new
        // engine on what was kept).
        if self.shutdown_requested() || self.crash().is_some() {
            return Outcome::Replies(Vec::new());
        }
        // Behind a running script (until it times out) a command waits, as behind Redis's
        // one thread: it runs when the script ends.
        if self.scripting.is_running()
            && !self.scripting.is_timed_out()
            && client != crate::script::SCRIPT_CLIENT
        {
            return self.defer_behind_script(client, argv);
        }
        self.now_ms = self.clock.now_ms();
        self.stats.commands_received += 1;
        let outer = self.tracking.current.replace(client);
        let result = self.process(client, argv);
        let mut outcome = self.outcome_of(result);
        // A blocked command's reply is sent, or not, when it comes (`unblock_with`).
        if !matches!(outcome, Outcome::Blocked) && !self.reply_wanted(client) {
            outcome = Outcome::Replies(pushes_only(argv, outcome));
        }
        // A monitor's line for its own command, then the invalidations the command caused
        // to its own client, follow its reply, whether replies are on or not (Redis writes
        // them as pushes).
        let own_lines = self.take_own_monitor_lines();
        outcome = self.followed_by(client, outcome, own_lines);
        self.end_caching_for_command(client, argv);
        let invalidations = self.after_command_invalidations(client);
        outcome = self.followed_by(client, outcome, invalidations);
        self.tracking.current = outer;
        // Keys made ready during a busy script are served when it ends, not in between; so
        // are the commands a pause's end released.
        if !self.scripting.is_running() {
            self.serve_blocked_clients();
            self.run_released();
        }
        outcome
    }

    /// `outcome` with `after` sent behind its replies; for a command that waits, whose reply
    /// comes later, `after` goes out now, through the outbox, ahead of it (as Redis writes
    /// into the client's buffer at once).
    fn followed_by(&mut self, client: ClientId, outcome: Outcome, after: Vec<Reply>) -> Outcome {
        if after.is_empty() {
            return outcome;
        }
        match outcome {
            Outcome::Blocked => {
                if let Some(c) = self.clients.get_mut(&client) {
                    c.outbox.extend(after);
                }
                Outcome::Blocked
            }
            answered => {
                let mut replies = answered.into_replies();
                replies.extend(after);
                Outcome::Replies(replies)
            }
        }
    }

    /// Whether the command that just ended for `client` is answered (not under CLIENT REPLY
    /// OFF or SKIP); then a SKIP given by the command before moves on to the next one, as
    /// Redis's `commandProcessed` moves it.
    pub(crate) fn reply_wanted(&mut self, client: ClientId) -> bool {
        let Some(c) = self.clients.get_mut(&client) else {
            return true;
        };
        let wanted = !c.reply_off && !c.reply_skip;
        c.reply_skip = std::mem::take(&mut c.reply_skip_next);
        wanted
    }

    /// A command's result as its replies, an error counted in INFO errorstats (unless a
    /// script's error was counted already when its command failed).
    pub(crate) fn outcome_of(&mut self, result: CommandResult) -> Outcome {
        let counted = matches!(result, Err(Error::ScriptError { counted: true, .. }));
        let outcome = result.unwrap_or_else(|e| Reply::from(e).into());
        if let Outcome::Reply(Reply::Error(text)) = &outcome {
            if !counted {
                self.count_error(text);
            }
        }
        outcome
    }

    /// The checks Redis's `processCommand` makes before a command runs, in its order: the
    /// command exists and its arity fits (a refusal inside MULTI dooms the transaction), a
    /// protected command (DEBUG) is enabled, the client has authenticated and its ACL user
    /// may run it (`crate::cmd::acl`), one flagged `no_multi` (SAVE) is not inside MULTI,
    /// memory allows it (evicting first when over `maxmemory`), the last save or log write
    /// did not fail (MISCONF, `crate::persist`), RESP2's subscribed context
    /// allows it, and inside MULTI it is queued rather than run.
    fn process(&mut self, client: ClientId, argv: &[Vec<u8>]) -> CommandResult {
        let resolved = spec::resolve(argv)
            .map_err(|e| (e, None))
            .and_then(|(spec, name)| {
                if let Some(c) = self.clients.get_mut(&client) {
                    c.last_interaction_ms = self.now_ms;
                    c.last_command.clone_from(&name);
                }
                let protected_off =
                    spec.has(flag::PROTECTED) && self.config.text("enable-debug-command") == "no";
                let in_multi = self.clients.get(&client).is_some_and(|c| c.multi.is_some());
                match spec.handler {
                    Some(_) if !spec.arity_ok(argv.len()) => {
                        Err((Error::WrongArity(name.clone()), Some(name)))
                    }
                    Some(_) if protected_off => Err((Error::DebugNotAllowed, Some(name))),
                    Some(_) if in_multi && spec.has(flag::NO_MULTI) => {
                        Err((Error::NotAllowedInMulti, Some(name)))
                    }
                    Some(_) => Ok((spec, name)),
                    None => Err((Error::WrongArity(name.clone()), Some(name))),
                }
            });
        let checked = resolved.and_then(|(spec, name)| {
            // EVAL's flags are the script's when it declares them (`evalGetCommandFlags`).
            let flags = self.script_command_flags(spec, argv);
            self.check_permissions(client, spec, argv, &name)
                .and_then(|()| self.check_memory(client, flags, argv))
                .map(|()| self.limit_used_slots())
                .and_then(|()| self.check_disk_error(client, flags, argv))
                .and_then(|()| match self.is_write_command(client, flags, argv) {
                    true => self.check_good_replicas(),
                    false => Ok(()),
                })
                .and_then(|()| self.check_read_only_replica(client, flags, argv))
                .and_then(|()| self.check_subscribed_context(client, &name))
                .and_then(|()| self.check_stale_data(client, flags, argv))
                .and_then(|()| self.check_busy(spec))
                .and_then(|()| self.check_monitor_keyspace(client, flags, argv))
                .map_err(|e| (e, Some(name.clone())))?;
            Ok((spec, name, flags))
        });
        let (spec, name, flags) = match checked {
            Ok(checked) => checked,
            Err((e, known)) => {
                if let Some(name) = known {
                    self.count_command(&name, |s| s.rejected_calls += 1);
                }
                return Err(self.reject(client, argv, e));
            }
        };
        if self.pause_holds(client, flags, argv) {
            self.postpone_for_pause(client, argv);
            return Ok(Outcome::Blocked);
        }
        if self.queue_in_transaction(client, &name, argv) {
            return Ok(Reply::Simple("QUEUED".into()).into());
        }
        self.call(client, spec, &name, argv)
    }

    /// A monitor is a replica to Redis: it may not run a command that reads, writes or may
    /// replicate (nor an EXEC whose queue holds one).
    fn check_monitor_keyspace(
        &self,
        client: ClientId,
        flags: u32,
        argv: &[Vec<u8>],
    ) -> Result<(), Error> {
        const KEYSPACE: u32 = flag::READONLY | flag::WRITE | flag::MAY_REPLICATE;
        // Most servers have no monitor: no client lookup on every command then.
        if self.monitors.is_empty() {
            return Ok(());
        }
        let Some(c) = self.clients.get(&client).filter(|c| c.monitor) else {
            return Ok(());
        };
        let touches = |flags: u32| flags & KEYSPACE != 0;
        let exec_touches = argv[0].eq_ignore_ascii_case(b"exec")
            && c.multi.as_ref().is_some_and(|t| {
                t.queue.iter().any(|queued| {
                    spec::resolve(queued)
                        .is_ok_and(|(s, _)| touches(self.script_command_flags(s, queued)))
                })
            });
        if touches(flags) || exec_touches {
            Err(Error::ReplicaKeyspace)
        } else {
            Ok(())
        }
    }

    /// Redis evicts before any command when over `maxmemory`, and when it cannot get under
    /// it refuses the commands that may grow memory: those flagged `denyoom`, an EXEC whose
    /// queue holds one, and inside MULTI anything but EXEC, DISCARD, QUIT and RESET, since a
    /// growing queue is memory too.
    fn check_memory(
        &mut self,
        client: ClientId,
        flags: u32,
        argv: &[Vec<u8>],
    ) -> Result<(), Error> {
        // A busy script's interruptions evict nothing (`isInsideYieldingLongCommand`).
        if self.scripting.is_timed_out() {
            return Ok(());
        }
        self.pre_command_oom = !self.perform_evictions();
        if !self.pre_command_oom {
            return Ok(());
        }
        let queue = self.clients.get(&client).and_then(|c| c.multi.as_ref());
        let is = |name: &[u8]| argv[0].eq_ignore_ascii_case(name);
        let grows = flags & flag::DENYOOM != 0
            || (is(b"exec")
                && queue.is_some_and(|t| {
                    t.queue.iter().any(|queued| {
                        spec::resolve(queued).is_ok_and(|(s, _)| s.has(flag::DENYOOM))
                    })
                }))
            || (queue.is_some()
                && ![&b"exec"[..], b"discard", b"quit", b"reset"]
                    .iter()
                    .any(|name| is(name)));
        if grows {
            Err(Error::Oom)
        } else {
            Ok(())
        }
    }

    /// Runs a resolved command, its checks passed (EXEC runs its queue through here), and
    /// keeps its books: the memory it wrote is priced, its time goes to the slow log and
    /// INFO commandstats.
    pub(crate) fn call(
        &mut self,
        client: ClientId,
        spec: &CommandSpec,
        name: &str,
        argv: &[Vec<u8>],
    ) -> CommandResult {
        self.call_shown(client, spec, name, argv, true)
    }

    /// [`Engine::call`], shown to monitors or not (`shown`): a blocked client's command is
    /// served by its twin unseen, its line having gone out when it blocked.
    pub(crate) fn call_shown(
        &mut self,
        client: ClientId,
        spec: &CommandSpec,
        name: &str,
        argv: &[Vec<u8>],
        shown: bool,
    ) -> CommandResult {
        let (Some(handler), Some(db)) = (spec.handler, self.clients.get(&client).map(|c| c.db))
        else {
            return Err(Error::WrongArity(name.to_string()));
        };
        // Scripts' commands show themselves first, so the lines of their script's commands
        // follow; every other command but the administrative ones is shown once it ran, in
        // the database it left the client in.
        let shown_before = shown && spec.has(flag::SKIP_MONITOR);
        let shown_after = shown && !spec.has(flag::SKIP_MONITOR | flag::ADMIN);
        if shown_before {
            self.feed_monitors(client, db, name, argv);
        }
        let call = Call {
            client,
            db,
            argv,
            name,
        };
        let start_us = self.clock.elapsed_us();
        let dirty_before = self.dirty;
        let offset_before = self.replication.master_repl_offset;
        // A command's modelled work (`crate::cost`) is its own; the work of the commands it
        // runs (EXEC's queue) is added to it afterwards.
        let outer_work_ns = std::mem::take(&mut self.work_ns);
        self.tracking.in_call += 1;
        let result = handler(self, &call);
        self.tracking.in_call -= 1;
        // Worked out only for a clock that takes it: under a real clock the walk over a long
        // reply would cost time for a figure nobody reads.
        let models_cost = self.clock.models_cost();
        let work_ns = match models_cost {
            true => self.modelled_work_ns(spec, &result),
            false => 0,
        };
        self.work_ns = outer_work_ns.saturating_add(work_ns);
        // A served blocked command was counted when it blocked.
        if shown {
            self.stats.total_commands_processed += 1;
        }
        if spec.has(flag::READONLY) {
            self.remember_keys_read(client, name, argv);
        }
        if shown_after {
            let db = self.clients.get(&client).map_or(db, |c| c.db);
            self.feed_monitors(client, db, name, argv);
        }
        // PFCOUNT (`may_replicate`) writes the estimate it caches, which the log must see; a
        // script's writes are logged as they happen, as its effects.
        let writes =
            spec.has(flag::WRITE | flag::MAY_REPLICATE) && !spec.has(flag::EFFECTS_PROPAGATED);
        self.propagate(writes, &call, dirty_before, &result);
        // WAIT waits for what the client's last propagated command brought the offset to.
        let offset = self.replication.master_repl_offset;
        if offset != offset_before {
            if let Some(c) = self.clients.get_mut(&client) {
                c.woff = offset;
            }
        }
        // Under a virtual clock the duration is the model's, and the clock moves by it.
        let duration_us = match models_cost {
            true => {
                let modelled_us = work_ns.saturating_add(500) / 1000;
                self.clock.spend_us(modelled_us);
                modelled_us
            }
            false => self.clock.elapsed_us().saturating_sub(start_us),
        };
        self.settle_memory();
        self.after_call(spec, &call, duration_us);
        let failed = matches!(result, Err(_) | Ok(Outcome::Reply(Reply::Error(_))));
        let tracking = self.latency.tracking;
        self.count_command(name, |s| {
            s.calls += 1;
            s.usec += duration_us;
            s.failed_calls += u64::from(failed);
            if tracking {
                s.latency.record(duration_us * 1000);
            }
        });
        result
    }

    /// The modelled work of the command just run, in ns (`crate::cost`): the call, what its
    /// handler charged, and its reply's elements (but EXEC's, whose replies were its queued
    /// commands' own and are counted with them).
    fn modelled_work_ns(&self, spec: &CommandSpec, result: &CommandResult) -> u64 {
        let replied = match result {
            Ok(Outcome::Reply(reply)) if spec.name != "exec" => crate::cost::reply_elements(reply),
            Ok(Outcome::Replies(replies)) => replies.iter().map(crate::cost::reply_elements).sum(),
            _ => 1,
        };
        crate::cost::CALL_NS
            .saturating_add(self.work_ns)
            .saturating_add(replied.saturating_mul(crate::cost::REPLY_ELEMENT_NS))
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

    /// Bookkeeping after a command ran: its time, the latency monitor and the slow log.
    fn after_call(&mut self, spec: &CommandSpec, call: &Call<'_>, duration_us: u64) {
        self.stats.command_time_us += duration_us;
        let event = if spec.has(flag::FAST) {
            "fast-command"
        } else {
            "command"
        };
        self.latency
            .add_sample_if_needed(event, duration_us / 1000, self.now_ms / 1000);
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
            // Passwords and user rules never reach the log (Redis's `redactClientCommandArgument`).
            argv: slowlog::trimmed_argv(&crate::acl::redacted(call.name, call.argv)),
            peer,
            client_name,
        });
    }

    /// Takes the parameters that are read on every command (eviction, slow log, the tracking
    /// table's limit, whether the append-only log is on) from the config, so that running a
    /// command never searches the config table; called at start and after every CONFIG SET.
    pub(crate) fn apply_config(&mut self) {
        self.eviction.configure(&self.config);
        self.slowlog.configure(&self.config);
        self.latency.configure(&self.config);
        self.tracking.configure(&self.config);
        self.lazyfree.configure(&self.config);
        self.apply_persistence_config();
        self.replication.configure(&self.config);
    }

    /// A command refused before it ran (INFO commandstats' `rejected_calls`).
    pub(crate) fn count_rejected(&mut self, name: &str) {
        self.count_command(name, |s| s.rejected_calls += 1);
    }

    /// A command that ran and failed, known only after its `call` (a script that went on
    /// past its EVAL's first slice).
    pub(crate) fn count_failed(&mut self, name: &str) {
        self.count_command(name, |s| s.failed_calls += 1);
    }

    /// Counts an error reply under its code, the text's first word (INFO errorstats).
    pub(crate) fn count_error(&mut self, text: &str) {
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
        let drained = self
            .clients
            .get_mut(&client)
            .map(|c| c.outbox.drain(..).collect())
            .unwrap_or_default();
        self.replica_drained(client);
        drained
    }

    /// Background work, called by the front end on a timer (`hz` times a second, like Redis's
    /// `serverCron`): blocked clients whose timeout passed, the active expire cycle, the
    /// tracking table kept within its limit and the BCAST invalidations its expiries caused,
    /// the append-only log handed to the storage, save points and automatic log rewrites
    /// (`crate::persist`), and the end of a CLIENT PAUSE (`crate::pause`).
    pub fn tick(&mut self) {
        // Redis's cron does not run while a script does (its interruptions process clients,
        // not timers): no expiry, no timeouts, nothing saved until the script ends.
        // After a DEBUG crash nothing runs at all.
        if self.scripting.is_running() || self.crash().is_some() {
            return;
        }
        self.now_ms = self.clock.now_ms();
        // Redis's lazy-free thread is no part of its cron: it goes on under DEBUG PAUSE-CRON.
        self.lazy_free_cron();
        self.time_out_blocked_clients();
        // DEBUG PAUSE-CRON stops what Redis's `serverCron` does; blocked clients' timeouts
        // and the log's writes happen around its event loop (`beforeSleep`) and go on.
        if self.debug.pause_cron {
            self.broadcast_invalidations();
            self.flush_aof();
            return;
        }
        // A replica leaves expiry to its primary, whose DELs arrive in the stream.
        if !self.has_master() {
            self.active_expire_cycle(crate::expire::CycleKind::Slow);
        }
        self.replica_cron();
        self.close_idle_clients();
        self.limit_used_slots();
        self.broadcast_invalidations();
        self.track_peak_memory();
        self.sample_resident_memory(false);
        self.flush_aof();
        self.persistence_cron();
        self.migrate.close_timed_out(self.now_ms / 1000);
        self.replication_tick();
        let now_us = self.clock.elapsed_us();
        let s = &self.stats;
        let readings = [
            s.total_commands_processed,
            s.net_input_bytes + s.net_repl_input_bytes,
            s.net_output_bytes + s.net_repl_output_bytes,
            s.net_repl_input_bytes,
            s.net_repl_output_bytes,
        ];
        self.instantaneous.track(now_us, readings);
        // A pause past its deadline ends here; what it held runs, as Redis runs its
        // unblocked clients before it sleeps.
        self.check_pause_timeout();
        self.run_released();
    }

    /// Redis's `clientsCronHandleTimeout`: with `timeout` set, an ordinary client that has
    /// sent nothing for more than that many whole seconds is closed. Replicas and monitors,
    /// the master client, blocked clients (a blocking command, WAIT, a pause) and
    /// subscribers wait as long as they like.
    fn close_idle_clients(&mut self) {
        let timeout = self.config.int("timeout");
        if timeout == 0 {
            return;
        }
        let now = self.now_ms / 1000;
        let idle: Vec<ClientId> = self
            .clients()
            .filter(|c| {
                !(c.closing
                    || c.replica
                    || c.monitor
                    || c.master
                    || c.is_blocked()
                    || c.subscriptions.any())
                    && now.saturating_sub(c.last_interaction_ms / 1000) > timeout as u64
            })
            .map(|c| c.id)
            .collect();
        for id in idle {
            if let Some(c) = self.clients.get_mut(&id) {
                c.closing = true;
            }
            self.woken.push(id);
        }
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

    /// How many keyspace events were announced since the engine started, recorded or not: a
    /// front end that wants to know only whether anything changed, not what (the page after
    /// a tick, which may expire thousands of keys), turns recording off meanwhile and
    /// compares this count, rather than have a key copied for every event.
    pub fn events_announced(&self) -> u64 {
        self.events_announced
    }

    /// Users and the ACL LOG.
    pub fn acl(&self) -> &Acl {
        &self.acl
    }

    /// Gives the engine its ACL file (`aclfile`) and loads the users from it, as redis-server
    /// does at start; the error is Redis's list of what is wrong with the file, and leaves the
    /// users as they were.
    pub fn load_acl_file(
        &mut self,
        mut access: Box<dyn crate::acl::AclFileAccess>,
    ) -> Result<(), String> {
        let result = crate::cmd::acl::load_acl_file(self, access.as_mut());
        self.acl_file = Some(access);
        result
    }

    /// Lends the engine connections to other servers, for MIGRATE (`crate::migrate`).
    pub fn set_outbound(&mut self, outbound: Box<dyn crate::migrate::Outbound>) {
        self.migrate.outbound = Some(outbound);
    }

    /// Gives the engine whoever listens for its clients, so that CONFIG SET of `port` and
    /// `bind` takes effect (`crate::config::Listening`).
    pub fn set_listening(&mut self, listening: Box<dyn crate::config::Listening>) {
        self.listening = Some(listening);
    }

    /// Redis's protected mode: while `protected-mode` is on and the default user needs no
    /// password, a connection from anywhere but the loopback interface is refused (with
    /// [`Error::ProtectedMode`]) before it becomes a client. Loopback is what Redis's
    /// `connIsLocal` calls local: 127.0.0.0/8 and ::1.
    pub fn protected_mode_refuses(&self, peer: std::net::IpAddr) -> bool {
        self.config.flag("protected-mode") && self.acl.default_user().nopass && !peer.is_loopback()
    }

    /// Whether a new connection from `peer` may become a client, checked as Redis checks
    /// on accept: first `maxclients` (`acceptCommonHandler`), then protected mode
    /// (`clientAcceptHandler`). A refusal is counted in INFO's `rejected_connections`, and
    /// the error is what the server sends before closing the connection.
    pub fn admit(&mut self, peer: std::net::IpAddr) -> Result<(), Error> {
        let refusal = if self.connected_clients() as i64 >= self.config.int("maxclients") {
            Some(Error::MaxClients)
        } else if self.protected_mode_refuses(peer) {
            Some(Error::ProtectedMode)
        } else {
            None
        };
        match refusal {
            Some(error) => {
                self.stats.rejected_connections += 1;
                Err(error)
            }
            None => Ok(()),
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
    /// The last geo search that found its key (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS...).
    pub fn last_geo_search(&self) -> Option<&GeoSearched> {
        self.last_geo_search.as_ref()
    }

    pub fn slowlog(&self) -> impl Iterator<Item = &SlowlogEntry> {
        self.slowlog.newest(usize::MAX)
    }

    /// Database `index`, for front ends that show the keyspace.
    pub fn db(&self, index: usize) -> Option<&Db> {
        self.dbs.get(index)
    }

    /// Gives the engine another clock and returns the one it had: a scenario's engine, run
    /// under a manual clock, carries on in the console with the page's time.
    pub fn set_clock(&mut self, clock: Box<dyn Clock>) -> Box<dyn Clock> {
        let old = std::mem::replace(&mut self.clock, clock);
        self.now_ms = self.clock.now_ms();
        old
    }

    /// The current wall time according to the engine's clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Gives the engine what measures the process's resident memory (INFO's
    /// `used_memory_rss`, `crate::resident`), and takes a first sample at once, as a server
    /// starting has one before its first INFO.
    pub fn set_resident_memory(&mut self, probe: Box<dyn crate::ResidentMemory>) {
        self.resident.probe = Some(probe);
        self.sample_resident_memory(true);
    }

    /// Redis's `cronUpdateMemoryStats`: a new sample of the resident size and of
    /// `used_memory` beside it, at most every 100 ms unless `force`d.
    pub(crate) fn sample_resident_memory(&mut self, force: bool) {
        if self.resident.probe.is_none() {
            return;
        }
        let used = self.used_memory() as u64;
        let lua = self.scripting.lua.as_ref().map_or(0, |l| l.used_memory()) as u64;
        let now_us = self.clock.elapsed_us();
        self.resident.refresh(now_us, used, lua, force);
    }

    /// The last sample of the resident size, or the model's figures now without a probe.
    pub(crate) fn memory_sample(&self) -> crate::resident::MemorySample {
        self.resident.sample(self.used_memory() as u64)
    }
}

/// What a silenced command still sends: (un)subscribe confirmations, which Redis writes as
/// pushes that CLIENT REPLY OFF does not hold back; errors and every other reply are dropped.
fn pushes_only(argv: &[Vec<u8>], outcome: Outcome) -> Vec<Reply> {
    const CONFIRMED: [&str; 6] = [
        "subscribe",
        "psubscribe",
        "ssubscribe",
        "unsubscribe",
        "punsubscribe",
        "sunsubscribe",
    ];
    if !CONFIRMED
        .iter()
        .any(|name| argv[0].eq_ignore_ascii_case(name.as_bytes()))
    {
        return Vec::new();
    }
    outcome
        .into_replies()
        .into_iter()
        .filter(|reply| !matches!(reply, Reply::Error(_)))
        .collect()
}
