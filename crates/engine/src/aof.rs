//! The append-only file, engine side: every write command as it must be replayed, in RESP
//! (what `redis-cli --pipe` sends), handed to the storage; and the replay of a log on a base
//! snapshot.
//!
//! # What is logged
//!
//! A command is logged when it is a write and changed something (`dirty` moved), in the
//! form Redis 7.0 propagates (PFCOUNT too, flagged `may_replicate`, when it caches a fresh
//! estimate in its key), so that replaying the log at any later time rebuilds the same
//! keyspace:
//! - relative times become absolute: `SET k v EX 10` and SETEX/PSETEX are logged as
//!   `SET k v PXAT <ms>`; EXPIRE and its kin, and GETEX, as `PEXPIREAT k <ms>` (or PERSIST, or
//!   DEL when the time was already past); RESTORE with a relative TTL gets ABSTTL;
//! - what was random becomes explicit: SPOP as `SREM k <the members it popped>`;
//! - GEOADD as the ZADD it runs, each place as its 52-bit score;
//! - GETDEL as `DEL k`, and so are keys removed by expiry or eviction, which no command names;
//! - a `SELECT n` precedes a command for another database than the log's last one.
//!
//! What EXEC's queue writes is logged as Redis 7.0's `propagatePendingCommands` logs it: held
//! until EXEC ends, then one command alone (a single command is atomic by itself), several
//! between MULTI and EXEC, so that a replay applies all of them or, cut short, none. A
//! transaction that wrote nothing logs nothing; a queued command that failed wrote nothing.
//!
//! # The replicas take the same commands
//!
//! Propagation has two readers, as Redis's `propagateNow` hands one argv to
//! `feedAppendOnlyFile` and to `replicationFeedSlaves`: the log, while `appendonly` is on,
//! and the replication stream, while there is a backlog (`crate::replication`), whether the
//! log is on or not. Each is a [`CommandStream`] with its own last SELECT (the stream's is
//! Redis's `slaveseldb`, forgotten at each full sync) and its own transaction held until
//! the command ends; `redis.set_repl` in a script picks which of the two take its writes.
//! What reaches the replicas only (PING every `repl-ping-replica-period`, `REPLCONF GETACK`
//! for WAIT) is written to the stream directly, in whatever database it has selected.
//!
//! # Size and automatic rewrites
//!
//! The engine counts the log's bytes, base included (`aof_current_size`), and what they were
//! after the last rewrite or load (`aof_base_size`); `tick` rewrites the log when it is past
//! `auto-aof-rewrite-min-size` and has grown `auto-aof-rewrite-percentage` percent past the
//! base (`crate::persist`); after three failed rewrites in a row it waits a minute before the
//! next, then twice as long after each failure, up to an hour (Redis's `aofRewriteLimited`).
//! A write the storage refuses stays in the buffer for the next try, and meanwhile writes
//! are refused with MISCONF and the storage's reason.
//!
//! # Memory
//!
//! What waits to be written (the buffer, and a transaction's commands until EXEC or the
//! script ends) is cut into [`rdb::Chunk`]s of [`rdb::CHUNK_SIZE`] as it grows, as a
//! snapshot is: a script that gives a million keys a TTL, or an expire cycle that removes as
//! many, holds its commands once, never in a buffer that doubles, and the storage takes the
//! chunks themselves (the page keeps and queues them without a copy).
//!
//! # The files (the native server's storage)
//!
//! Redis 7.0's multi-part layout, which a real redis-server reads: in `dir/appenddirname`, a
//! base snapshot `appendonly.aof.<n>.base.rdb` (the RDB format, Redis's `aof-use-rdb-preamble
//! yes`), the commands since `appendonly.aof.<n>.incr.aof`, and the manifest
//! `appendonly.aof.manifest` naming both. BGREWRITEAOF (and turning `appendonly` on) writes
//! a new base from the keyspace, starts a new empty incr file, and switches the manifest.
//!
//! # Loading
//!
//! The log is read whole before anything changes: one that holds anything but RESP commands
//! the engine knows is refused with Redis's reason, and the keyspace stays as it was. A log
//! whose end is damaged the way a crash leaves it (its last command cut short, or a MULTI with
//! no EXEC after it) is, as Redis's `aof-load-truncated yes` has it, loaded up to its last
//! whole command (before that MULTI) and the storage's log cut back there, so that new
//! commands follow whole ones; with `no` it is refused. Then the base is loaded and the
//! commands run on a client of their own, logging nothing.

use crate::db::Value;
use crate::engine::{Call, Engine, Outcome};
use crate::persist::LoadMode;
use crate::rdb;
use crate::reply::{format_g, Reply};
use crate::resp::encode_request;
use crate::spec::{self, CommandResult};
use crate::types::stream::{Stream, StreamId};

/// The engine's side of the log.
#[derive(Debug, Default)]
pub(crate) struct Aof {
    /// `appendonly`, as last applied.
    pub(crate) on: bool,
    /// Commands logged since the storage last took them (kept when it failed, to try again).
    stream: CommandStream,
    /// A log is being replayed: nothing is logged.
    pub(crate) loading: bool,
    /// The command running propagated what it changed itself ([`Engine::also_propagate`])
    /// and is not to be propagated as it was sent (Redis's `preventCommandPropagation`).
    prevented: bool,
    /// Rewrites done (`aof_rewrites`) and whether the last write and rewrite worked.
    pub(crate) rewrites: u64,
    pub(crate) last_write_ok: bool,
    pub(crate) last_rewrite_ok: bool,
    /// Why the last write failed, as the system words it (for MISCONF).
    pub(crate) last_write_error: String,
    /// The log's size in bytes, base included (`aof_current_size`), and what it was after
    /// the last rewrite or load (`aof_base_size`): their ratio triggers automatic rewrites.
    pub(crate) current_size: u64,
    pub(crate) base_size: u64,
    /// Rewrites failed in a row (`aof_rewrites_consecutive_failures`), and the back-off the
    /// timer's rewrites keep after [`REWRITE_LIMIT_THRESHOLD`] of them: the current delay in
    /// minutes and when the next try may start (Unix seconds, 0 when none is set).
    pub(crate) consecutive_failures: u64,
    limit_delay_minutes: u64,
    next_rewrite_at: u64,
}

/// Failed rewrites in a row after which the timer's rewrites back off (Redis's
/// `AOF_REWRITE_LIMITE_THRESHOLD`): 1 minute, then twice as long after each failure, up to
/// [`REWRITE_LIMIT_MAX_MINUTES`], so that a disk that refuses is not rewritten to ten times
/// a second. BGREWRITEAOF is never held back.
const REWRITE_LIMIT_THRESHOLD: u64 = 3;
const REWRITE_LIMIT_MAX_MINUTES: u64 = 60;

/// The log's buffer is reused after a write while its allocation is under this many bytes
/// (Redis's 4000: an allocator arena of 4 KB less its overhead).
const AOF_BUF_REUSE: usize = 4000;

impl Aof {
    pub(crate) fn new(on: bool) -> Aof {
        Aof {
            on,
            last_write_ok: true,
            last_rewrite_ok: true,
            ..Aof::default()
        }
    }

    /// Redis's `aofRewriteLimited`: whether the timer must not start a rewrite now (see
    /// [`REWRITE_LIMIT_THRESHOLD`]), and the log line when a new delay starts.
    fn rewrite_limited(&mut self, now: u64) -> (bool, Option<String>) {
        if self.consecutive_failures < REWRITE_LIMIT_THRESHOLD {
            self.limit_delay_minutes = 0;
            self.next_rewrite_at = 0;
            return (false, None);
        }
        if self.next_rewrite_at != 0 {
            if now < self.next_rewrite_at {
                return (true, None);
            }
            self.next_rewrite_at = 0;
            return (false, None);
        }
        self.limit_delay_minutes =
            (self.limit_delay_minutes * 2).clamp(1, REWRITE_LIMIT_MAX_MINUTES);
        self.next_rewrite_at = now + self.limit_delay_minutes * 60;
        let line = format!(
            "Background AOF rewrite has repeatedly failed and triggered the limit, will retry \
             in {} minutes",
            self.limit_delay_minutes
        );
        (true, Some(line))
    }
}

/// Propagated commands as one reader of them sees them (the log, or the replicas): encoded,
/// each behind a SELECT where its database differs from that reader's last one, a
/// transaction's commands held until it ends; cut into chunks as they grow.
#[derive(Debug, Default)]
pub(crate) struct CommandStream {
    chunks: Vec<rdb::Chunk>,
    buf: Vec<u8>,
    /// The database the stream's last SELECT chose (`None`: the next command selects).
    pub(crate) db: Option<usize>,
    /// Commands EXEC's queue (or a script) propagated so far: added when it ends, wrapped in
    /// MULTI ... EXEC when there is more than one.
    transaction: Transaction,
}

impl CommandStream {
    /// Adds one command run in database `db`; inside EXEC or a script (`in_exec`) it waits
    /// for [`CommandStream::end_transaction`].
    pub(crate) fn append(&mut self, db: usize, argv: &[&[u8]], in_exec: bool) {
        if in_exec {
            self.transaction.append(db, argv);
            return;
        }
        self.select(db);
        encode_request(&mut self.buf, argv);
        rdb::cut_chunks(&mut self.buf, &mut self.chunks, false);
    }

    /// Whether nothing waits to be written.
    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.buf.is_empty()
    }

    /// A SELECT first when the stream's last one chose another database.
    fn select(&mut self, db: usize) {
        if self.db != Some(db) {
            let n = db.to_string();
            encode_request(&mut self.buf, &[&b"SELECT"[..], n.as_bytes()]);
            self.db = Some(db);
        }
    }

    /// Adds what EXEC's queue propagated as Redis 7.0's `propagatePendingCommands` does:
    /// one command alone (it is atomic by itself), several between MULTI and EXEC, the
    /// MULTI in the first one's database and each SELECT where the database changes.
    /// `wrap_allowed` false sends several commands unwrapped (SCAN's and RANDOMKEY's lazy
    /// expiries: Redis's `CMD_TOUCHES_ARBITRARY_KEYS`).
    pub(crate) fn end_transaction(&mut self, wrap_allowed: bool) {
        let Some((first_db, last_db)) = self.transaction.dbs else {
            return;
        };
        let mut commands = std::mem::take(&mut self.transaction);
        let wrap = commands.count > 1 && wrap_allowed;
        self.select(first_db);
        if wrap {
            encode_request(&mut self.buf, &[b"MULTI"]);
        }
        if commands.chunks.is_empty() {
            // A few commands (one, most often): copied after what is here.
            self.buf.extend_from_slice(&commands.buf);
            rdb::cut_chunks(&mut self.buf, &mut self.chunks, false);
        } else {
            // The transaction's chunks follow what is here, moved rather than copied.
            rdb::cut_chunks(&mut self.buf, &mut self.chunks, true);
            self.chunks.append(&mut commands.chunks);
            self.buf = commands.buf;
        }
        self.db = Some(last_db);
        if wrap {
            encode_request(&mut self.buf, &[b"EXEC"]);
        }
    }

    /// What waits to be written, as chunks.
    fn take_chunks(&mut self) -> &[rdb::Chunk] {
        rdb::cut_chunks(&mut self.buf, &mut self.chunks, true);
        &self.chunks
    }

    /// Takes what waits to be written as one buffer (the replicas' stream, which is sent at
    /// once).
    pub(crate) fn take_bytes(&mut self) -> Vec<u8> {
        if self.chunks.is_empty() {
            return std::mem::take(&mut self.buf);
        }
        let mut out = Vec::new();
        for chunk in self.chunks.drain(..) {
            out.extend_from_slice(&chunk);
        }
        out.append(&mut self.buf);
        out
    }
}

/// The commands of a transaction being propagated, encoded as they come and cut into chunks
/// as they grow: each preceded by a SELECT where its database differs from the one before
/// (the first one's SELECT, and the MULTI, are the log's to write when it ends).
#[derive(Debug, Default)]
struct Transaction {
    chunks: Vec<rdb::Chunk>,
    buf: Vec<u8>,
    count: usize,
    /// The first command's database and the last one's, once there is a command.
    dbs: Option<(usize, usize)>,
}

impl Transaction {
    fn append(&mut self, db: usize, argv: &[&[u8]]) {
        match &mut self.dbs {
            None => self.dbs = Some((db, db)),
            Some((_, last)) => {
                if *last != db {
                    let n = db.to_string();
                    encode_request(&mut self.buf, &[&b"SELECT"[..], n.as_bytes()]);
                    *last = db;
                }
            }
        }
        encode_request(&mut self.buf, argv);
        self.count += 1;
        rdb::cut_chunks(&mut self.buf, &mut self.chunks, false);
    }
}

/// A log as read: its whole commands, where each of them starts, and where the last whole
/// one ends (`valid_len`: the length the log is cut back to when it is truncated).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Log {
    pub commands: Vec<Vec<Vec<u8>>>,
    starts: Vec<usize>,
    pub valid_len: usize,
    /// The log ends inside a command (a crash mid-write, a truncated copy).
    pub truncated: bool,
}

/// Reads a log's commands strictly (multibulk only, as Redis's loader reads it). A log that
/// ends inside a command is read up to its last whole one and marked `truncated`; anything
/// else that is not RESP commands is an error, Redis's reason.
pub fn parse_log(bytes: &[u8]) -> Result<Log, String> {
    const BAD: &str = "Bad file format reading the append only file";
    // A number after `prefix` up to CRLF; `None` when the bytes end first.
    let number = |at: &mut usize, prefix: u8| -> Result<Option<usize>, &'static str> {
        if *at >= bytes.len() {
            return Ok(None);
        }
        if bytes[*at] != prefix {
            return Err(BAD);
        }
        let Some(end) = bytes[*at..].windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&bytes[*at + 1..*at + end]).map_err(|_| BAD)?;
        let n = text.parse::<usize>().map_err(|_| BAD)?;
        *at += end + 2;
        Ok(Some(n))
    };
    let mut log = Log::default();
    let mut at = 0;
    'commands: while at < bytes.len() {
        let start = at;
        let Some(argc) = number(&mut at, b'*')? else {
            log.truncated = true;
            break;
        };
        if argc == 0 {
            return Err(BAD.into());
        }
        let mut argv = Vec::with_capacity(argc.min(1024));
        for _ in 0..argc {
            let Some(len) = number(&mut at, b'$')? else {
                log.truncated = true;
                break 'commands;
            };
            if bytes.len() - at < len.saturating_add(2) {
                log.truncated = true;
                break 'commands;
            }
            argv.push(bytes[at..at + len].to_vec());
            at += len + 2;
        }
        log.commands.push(argv);
        log.starts.push(start);
        log.valid_len = at;
    }
    Ok(log)
}

impl Engine {
    /// What `call` does after a command ran: a write is propagated to the log and the
    /// replicas (see [`Engine::feed_propagated`]), and when the outermost command ends
    /// (EXEC's queue is done, or it was any other), what a transaction propagated goes out.
    pub(crate) fn propagate(
        &mut self,
        write: bool,
        call: &Call<'_>,
        dirty_before: u64,
        result: &CommandResult,
    ) {
        let prevented = std::mem::take(&mut self.persistence.aof.prevented);
        if let (Ok(outcome), true, false) = (result, write, prevented) {
            self.feed_propagated(call, dirty_before, outcome);
        }
        if !self.grouping_writes() {
            // Redis's `CMD_TOUCHES_ARBITRARY_KEYS`: the keys these two expire on the way are
            // deleted one by one, not as a transaction.
            let arbitrary = matches!(call.name, "scan" | "randomkey");
            self.end_transaction_wrapped(!arbitrary);
        }
    }

    /// Whether what is propagated now waits for the command to end (every propagation of
    /// a command, its lazy expiries' DELs included, goes out together when the outermost
    /// call ends, as Redis's `afterCommand` sends them) or for EXEC's queue or the script.
    fn propagation_held(&self) -> bool {
        self.grouping_writes() || self.tracking.in_call > 0
    }

    /// Propagates a write command that just ran (the caller checks its `write` flag: EXEC,
    /// whose commands are propagated one by one, and a read that expired a key are not),
    /// if the command changed something and the log or the replicas take it, in its
    /// propagated form (see the module's notes), the same for both, as Redis's
    /// `propagateNow` hands one argv to `feedAppendOnlyFile` and `replicationFeedSlaves`.
    /// FLUSHDB and FLUSHALL are propagated even when there was nothing to remove, as Redis
    /// forces their propagation (and FLUSHALL's own save may have reset the count).
    fn feed_propagated(&mut self, call: &Call<'_>, dirty_before: u64, outcome: &Outcome) {
        let forced = matches!(call.name, "flushdb" | "flushall");
        let targets = self.propagation_targets() & self.script_propagation();
        if targets == 0 || (self.dirty == dirty_before && !forced) {
            return;
        }
        let argv = call.argv;
        let db = call.db;
        let key = argv.get(1).map(Vec::as_slice).unwrap_or_default();
        let expiry = self.get_expire(db, key).map(|at| at.to_string());
        let exists = self.dbs[db].keys.contains_key(key);
        let as_given = || argv.iter().map(Vec::as_slice).collect::<Vec<_>>();
        let zadd;
        let logged: Vec<&[u8]> = match call.name {
            "set" | "setex" | "psetex" => {
                let value = if call.name == "set" {
                    &argv[2]
                } else {
                    &argv[3]
                };
                // A time already past is kept as it is (the key expires when next looked at),
                // so the key exists here either way.
                match &expiry {
                    Some(at) => vec![b"SET", key, value, b"PXAT", at.as_bytes()],
                    None => vec![b"SET", key, value],
                }
            }
            "expire" | "pexpire" | "expireat" | "pexpireat" | "getex" | "persist" => {
                match (&expiry, exists) {
                    (Some(at), _) => vec![b"PEXPIREAT", key, at.as_bytes()],
                    (None, true) => vec![b"PERSIST", key],
                    // Deleted by a time already past: as DEL, or UNLINK when freed lazily.
                    (None, false) => vec![self.deletion(self.lazyfree.expire), key],
                }
            }
            "getdel" => vec![self.deletion(self.lazyfree.user_del), key],
            // GEOADD is ZADD underneath, and Redis logs the ZADD with the scores it computed.
            "geoadd" => match crate::cmd::geo::geoadd_as_zadd(argv) {
                Ok(argv) => {
                    zadd = argv;
                    zadd.iter().map(Vec::as_slice).collect()
                }
                Err(_) => return,
            },
            // PFCOUNT changed its key only if the key is there: one that expired on the way
            // was logged as a DEL.
            "pfcount" if !exists => return,
            "restore" => {
                let absttl = argv[4..].iter().any(|a| a.eq_ignore_ascii_case(b"absttl"));
                if !exists {
                    vec![b"DEL", key]
                } else if absttl || argv[2] == b"0" {
                    as_given()
                } else {
                    let mut rewritten = as_given();
                    rewritten[2] = expiry.as_deref().unwrap_or("0").as_bytes();
                    rewritten.push(b"ABSTTL");
                    rewritten
                }
            }
            "spop" => {
                let mut srem: Vec<&[u8]> = vec![b"SREM", key];
                match outcome {
                    Outcome::Reply(Reply::Bulk(member)) => srem.push(member),
                    Outcome::Reply(Reply::Array(members) | Reply::Set(members)) => {
                        srem.extend(members.iter().filter_map(|m| match m {
                            Reply::Bulk(b) => Some(b.as_slice()),
                            _ => None,
                        }));
                    }
                    _ => {}
                }
                if srem.len() == 2 {
                    return;
                }
                srem
            }
            _ => as_given(),
        };
        // Held with what the command propagated before (a key it expired on the way), and
        // sent once `propagate` ends the command.
        self.propagate_now(db, &logged, true, targets);
    }

    /// Who takes propagated commands now, as `redis.set_repl`'s flags
    /// (`crate::script::repl`): the log while it is on, the replicas while there is a
    /// backlog; nobody while a log is replayed.
    fn propagation_targets(&self) -> u8 {
        use crate::script::repl;
        if self.persistence.aof.loading {
            return 0;
        }
        let mut targets = 0;
        if self.persistence.aof.on {
            targets |= repl::AOF;
        }
        if self.feeds_replicas() {
            targets |= repl::REPLICA;
        }
        targets
    }

    /// Hands one propagated command to the log and to the replicas' stream (those of
    /// `targets`), held with the others of its transaction while `grouping`.
    fn propagate_now(&mut self, db: usize, argv: &[&[u8]], grouping: bool, targets: u8) {
        use crate::script::repl;
        if targets & repl::AOF != 0 {
            self.persistence.aof.stream.append(db, argv, grouping);
        }
        if targets & repl::REPLICA != 0 {
            self.replication.stream.append(db, argv, grouping);
            if !grouping {
                self.flush_replication_stream();
            }
        }
    }

    /// What a transaction (EXEC's queue, a script, a served blocked client) propagated goes
    /// to the log and to the replicas, wrapped in MULTI ... EXEC when there are several.
    pub(crate) fn end_propagated_transaction(&mut self) {
        self.end_transaction_wrapped(true);
    }

    fn end_transaction_wrapped(&mut self, wrap_allowed: bool) {
        self.persistence.aof.stream.end_transaction(wrap_allowed);
        self.replication.stream.end_transaction(wrap_allowed);
        self.flush_replication_stream();
    }

    /// Propagates a command the one running (or a blocked client being served) propagates,
    /// as Redis's `alsoPropagate`: the stream commands propagate what they did in commands
    /// that replay it exactly (XADD with the ID it chose, XREADGROUP as the XCLAIMs that
    /// recreate its pending entries). Held with the others until the command ends, then
    /// sent alone or, when there are several, between MULTI and EXEC
    /// ([`CommandStream::end_transaction`]).
    pub(crate) fn also_propagate(&mut self, db: usize, argv: &[&[u8]]) {
        let targets = self.propagation_targets();
        self.propagate_now(db, argv, true, targets);
    }

    /// The running command is not propagated as sent (what it propagated is all).
    pub(crate) fn prevent_propagation(&mut self) {
        self.persistence.aof.prevented = true;
    }

    /// Sends what a served blocked client propagated, as Redis does after each one.
    pub(crate) fn end_propagation(&mut self) {
        if !self.in_exec {
            self.end_propagated_transaction();
        }
    }

    /// Whether the command runs from the log being loaded (Redis's `mustObeyClient`): limits
    /// meant for clients (XADD's trimming LIMIT) do not apply to what was already done once.
    pub(crate) fn replaying_log(&self) -> bool {
        self.persistence.aof.loading
    }

    /// Propagates the deletion of a key no command named (expiry, eviction), as DEL, or as
    /// UNLINK when its value was freed `lazy`ly (Redis's `propagateDeletion`).
    pub(crate) fn propagate_deletion(&mut self, db: usize, key: &[u8], lazy: bool) {
        let deletion = self.deletion(lazy);
        let grouping = self.propagation_held();
        let targets = self.propagation_targets();
        self.propagate_now(db, &[deletion, key], grouping, targets);
    }

    /// The command a deletion is logged as: UNLINK when its value was freed lazily.
    fn deletion(&self, lazy: bool) -> &'static [u8] {
        match lazy {
            true => b"UNLINK",
            false => b"DEL",
        }
    }

    /// Hands what was logged since the last call to the storage, with the `appendfsync`
    /// policy. The native server calls it after every batch of commands, before the
    /// replies go out, as Redis writes its log before answering; `tick` calls it too.
    pub fn flush_aof(&mut self) {
        if self.persistence.aof.stream.is_empty() {
            return;
        }
        // DEBUG AOF-FLUSH-SLEEP's hook: a write made slow on purpose.
        self.hold_for_us(self.debug.aof_flush_sleep_us);
        let location = self.storage_location();
        let fsync = self.config.text("appendfsync").to_string();
        let p = &mut self.persistence;
        let chunks = p.aof.stream.take_chunks();
        let len: usize = chunks.iter().map(|chunk| chunk.len()).sum();
        match p.storage.append_aof(&location, chunks, &fsync) {
            Ok(()) => {
                if !p.aof.last_write_ok {
                    p.log("AOF write error looks solved, Redis can write again.".into());
                }
                p.aof.current_size += len as u64;
                p.aof.stream.chunks.clear();
                // A small buffer is kept for the next commands; a big one (an EVAL that
                // wrote a million keys, a cycle that expired as many) is given back, as Redis
                // frees an `aof_buf` of 4000 bytes or more, so one burst does not stay held.
                if p.aof.stream.buf.capacity() < AOF_BUF_REUSE {
                    p.aof.stream.buf.clear();
                } else {
                    p.aof.stream.buf = Vec::new();
                }
                p.aof.last_write_ok = true;
            }
            // The commands stay in the buffer: the next flush tries them again, as Redis
            // keeps its `aof_buf` until a write takes it.
            Err(e) => {
                p.log(format!("Error writing to the AOF file: {e}"));
                p.aof.last_write_ok = false;
                p.aof.last_write_error = e;
            }
        }
    }

    /// Starts the log over on a snapshot of the keyspace (BGREWRITEAOF, and `appendonly`
    /// turned on). Whatever was logged before is in the new base.
    pub fn rewrite_aof(&mut self) -> Result<(), String> {
        let base = if self.config.flag("aof-use-rdb-preamble") {
            self.aof_base_chunks()
        } else {
            self.rewrite_commands()
        };
        let location = self.storage_location();
        let result = self.persistence.storage.rewrite_aof(&location, &base);
        let base_len: usize = base.iter().map(|chunk| chunk.len()).sum();
        drop(base);
        let aof = &mut self.persistence.aof;
        aof.last_rewrite_ok = result.is_ok();
        // What was waiting to be logged is in the new base; after a failure the old log
        // goes on and still needs it.
        if result.is_ok() {
            aof.stream = CommandStream::default();
            aof.rewrites += 1;
            aof.consecutive_failures = 0;
            aof.current_size = base_len as u64;
            aof.base_size = aof.current_size;
        } else {
            aof.consecutive_failures += 1;
        }
        result
    }

    /// Whether the timer must hold an automatic rewrite back after repeated failures,
    /// logging when a new delay starts.
    pub(crate) fn aof_rewrite_limited(&mut self) -> bool {
        let now = self.now_ms / 1000;
        let (limited, line) = self.persistence.aof.rewrite_limited(now);
        if let Some(line) = line {
            self.persistence.log(line);
        }
        limited
    }

    /// Takes `appendonly` from the config: turned on while running, the log starts with a
    /// rewrite, as Redis's `startAppendOnly` does; turned off, nothing more is logged.
    pub(crate) fn apply_appendonly(&mut self) {
        let on = self.config.flag("appendonly");
        if on == self.persistence.aof.on {
            return;
        }
        self.persistence.aof.on = on;
        if on {
            let _ = self.rewrite_aof();
        } else {
            self.flush_aof();
        }
    }

    /// Loads the log the storage holds: `Ok(false)` when there is none. See the module's
    /// notes: read and checked whole, the storage's log cut back when its tail is truncated
    /// and that is allowed, then the base, then the commands.
    pub fn load_aof_from_storage(&mut self) -> Result<bool, String> {
        let location = self.storage_location();
        let Some((base, mut log)) = self.persistence.storage.read_aof(&location)? else {
            return Ok(false);
        };
        // A base of commands (`aof-use-rdb-preamble no`) is read as the log's beginning; a
        // truncated tail is cut back in the storage's log, after it.
        let (base, commands_base) = match base {
            Some(commands) if !commands.starts_with(b"REDIS") => {
                let len = commands.len();
                log.splice(0..0, commands);
                (None, len)
            }
            base => (base, 0),
        };
        let checked = self.check_log(&log)?;
        if checked.truncated {
            // A damaged base refuses the whole log: found before the log is cut, so that a
            // refused load changes nothing in the storage either (the base is read twice,
            // only in this case).
            if let Some(rdb) = &base {
                rdb::load(rdb, self.load_limits(), self.dbs.len())
                    .map_err(|e| format!("{e} (the AOF's base)"))?;
            }
            self.persistence
                .storage
                .truncate_aof(
                    &location,
                    checked
                        .valid_len
                        .checked_sub(commands_base)
                        .ok_or("Fatal error: the truncated file is not the last file")?,
                )
                .map_err(|e| format!("Error truncating the AOF file: {e}"))?;
            self.persistence.log(format!(
                "AOF {} loaded anyway because aof-load-truncated is enabled",
                location.appendfilename
            ));
        }
        self.replay(base.as_deref(), &checked.commands)?;
        self.persistence.aof.current_size =
            (base.map_or(0, |b| b.len()) + checked.valid_len) as u64;
        self.persistence.aof.base_size = self.persistence.aof.current_size;
        Ok(true)
    }

    /// Replays `log` on `base` (an RDB snapshot, or an empty keyspace without one); a
    /// truncated tail is left out under `aof-load-truncated yes`, as from storage.
    pub fn load_aof(&mut self, base: Option<&[u8]>, log: &[u8]) -> Result<(), String> {
        let checked = self.check_log(log)?;
        self.replay(base, &checked.commands)
    }

    /// The commands of a log to replay, and whether its end is to be dropped (the log cut
    /// back to `valid_len`), as Redis 7.0's `loadSingleAppendOnlyFile` decides: a command cut
    /// short at the end, or a MULTI with no EXEC after it (its commands never ran), is a
    /// truncated log, loaded up to there with `aof-load-truncated yes` and refused with
    /// `no`. Bad bytes anywhere, or a command the engine does not know, refuse the log
    /// whatever the setting.
    fn check_log(&mut self, bytes: &[u8]) -> Result<Log, String> {
        let name = self.config.text("appendfilename").to_string();
        let mut log = parse_log(bytes).map_err(|e| {
            format!(
                "{e} {name}: make a backup of your AOF file, then use ./redis-check-aof --fix \
                 <filename.manifest>"
            )
        })?;
        for argv in &log.commands {
            match spec::resolve(argv) {
                Ok((spec, _)) if spec.handler.is_some() && spec.arity_ok(argv.len()) => {}
                _ => {
                    return Err(format!(
                        "Unknown command '{}' reading the append only file {name}",
                        String::from_utf8_lossy(&argv[0])
                    ))
                }
            }
        }
        if !log.truncated {
            if let Some(multi) = unclosed_multi(&log.commands) {
                self.persistence.log(format!(
                    "Revert incomplete MULTI/EXEC transaction in AOF file {name}"
                ));
                log.valid_len = log.starts[multi];
                log.commands.truncate(multi);
                log.truncated = true;
            }
        }
        if !log.truncated {
            return Ok(log);
        }
        if !self.config.flag("aof-load-truncated") {
            return Err(format!(
                "Unexpected end of file reading the append only file {name}. You can: 1) \
                 Make a backup of your AOF file, then use ./redis-check-aof --fix \
                 <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' \
                 configuration option to yes and restart the server."
            ));
        }
        self.persistence.log(format!(
            "!!! Warning: short read while loading the AOF file {name}!!!"
        ));
        self.persistence.log(format!(
            "!!! Truncating the AOF {name} at offset {} !!!",
            log.valid_len
        ));
        Ok(log)
    }

    /// Loads `base`, then runs `commands` on a client of their own, logging nothing.
    fn replay(&mut self, base: Option<&[u8]>, commands: &[Vec<Vec<u8>>]) -> Result<(), String> {
        match base {
            Some(rdb) => self
                .load_rdb(rdb, LoadMode::Replace)
                .map_err(|e| format!("{e} (the AOF's base)"))?,
            None => {
                for db in 0..self.dbs.len() {
                    self.dbs[db].clear();
                }
            }
        }
        self.persistence.aof.loading = true;
        let client = self.connect();
        for argv in commands {
            self.execute(client, argv);
        }
        self.disconnect(client);
        self.persistence.aof.loading = false;
        self.dirty = 0;
        Ok(())
    }
}

/// How many elements one command of a rewritten base carries at most
/// (`AOF_REWRITE_ITEMS_PER_CMD`): a big list becomes RPUSHes of 64.
const REWRITE_ITEMS_PER_CMD: usize = 64;

impl Engine {
    /// The base of a rewrite under `aof-use-rdb-preamble no`: the commands that rebuild the
    /// keyspace, as Redis's `rewriteAppendOnlyFileRio` writes them: FUNCTION LOAD for each
    /// library, then for each database that holds keys a SELECT and, key by key, SET,
    /// RPUSH, SADD, ZADD or HMSET in commands of 64 elements, a stream as its XADDs, an
    /// XSETID and its groups (XGROUP CREATE, an XCLAIM per pending entry, XGROUP
    /// CREATECONSUMER for a consumer with none), and PEXPIREAT for a key with a TTL.
    /// Cut into chunks after each key, as a snapshot is (`crate::rdb`).
    fn rewrite_commands(&self) -> Vec<rdb::Chunk> {
        let mut out = Vec::new();
        let mut chunks = Vec::new();
        for library in self.scripting.functions.current.iter() {
            encode_request(&mut out, &[&b"FUNCTION"[..], b"LOAD", &library.code]);
        }
        for (index, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            encode_request(&mut out, &[&b"SELECT"[..], index.to_string().as_bytes()]);
            for (key, entry) in db.keys.iter() {
                rewrite_value(&mut out, key, &entry.value);
                if let Some(at) = db.keys.expire_of(key) {
                    encode_request(
                        &mut out,
                        &[&b"PEXPIREAT"[..], key, at.to_string().as_bytes()],
                    );
                }
                rdb::cut_chunks(&mut out, &mut chunks, false);
            }
        }
        rdb::cut_chunks(&mut out, &mut chunks, true);
        chunks
    }
}

/// The commands that rebuild one value (see [`Engine::rewrite_commands`]).
fn rewrite_value(out: &mut Vec<u8>, key: &[u8], value: &Value) {
    // `command key` followed by the elements, 64 of `per` arguments a command.
    let batched = |out: &mut Vec<u8>, command: &[u8], elements: Vec<Vec<Vec<u8>>>| {
        for chunk in elements.chunks(REWRITE_ITEMS_PER_CMD) {
            let mut argv = vec![command.to_vec(), key.to_vec()];
            argv.extend(chunk.iter().flatten().cloned());
            encode_request(out, &argv);
        }
    };
    match value {
        Value::String(s) => encode_request(out, &[&b"SET"[..], key, s]),
        Value::List(l) => batched(out, b"RPUSH", l.iter().map(|e| vec![e.clone()]).collect()),
        Value::Set(s) => batched(out, b"SADD", s.iter().map(|m| vec![m]).collect()),
        Value::ZSet(z) => batched(
            out,
            b"ZADD",
            z.iter()
                .map(|(m, score)| vec![format_g(score, 17).into_bytes(), m.to_vec()])
                .collect(),
        ),
        Value::Hash(h) => batched(
            out,
            b"HMSET",
            h.iter()
                .map(|(f, v)| vec![f.to_vec(), v.to_vec()])
                .collect(),
        ),
        Value::Stream(s) => rewrite_stream(out, key, s),
    }
}

/// A stream's commands (Redis's `rewriteStreamObject`): an empty one is made by the
/// `XADD key MAXLEN 0 0-1 x y` trick, then XSETID restores what XDEL and trimming left of
/// its IDs.
fn rewrite_stream(out: &mut Vec<u8>, key: &[u8], s: &Stream) {
    let id = |id: StreamId| id.to_string().into_bytes();
    if s.is_empty() {
        encode_request(
            out,
            &[&b"XADD"[..], key, b"MAXLEN", b"0", b"0-1", b"x", b"y"],
        );
    }
    for entry in s.range(StreamId::MIN, StreamId::MAX, false) {
        let mut argv = vec![b"XADD".to_vec(), key.to_vec(), id(entry.id)];
        argv.extend(entry.fields);
        encode_request(out, &argv);
    }
    encode_request(
        out,
        &[
            b"XSETID".to_vec(),
            key.to_vec(),
            id(s.last_id()),
            b"ENTRIESADDED".to_vec(),
            s.entries_added().to_string().into_bytes(),
            b"MAXDELETEDID".to_vec(),
            id(s.max_deleted_entry_id()),
        ],
    );
    for (name, group) in s.groups() {
        encode_request(
            out,
            &[
                b"XGROUP".to_vec(),
                b"CREATE".to_vec(),
                key.to_vec(),
                name.to_vec(),
                id(group.last_id()),
                b"ENTRIESREAD".to_vec(),
                group.entries_read_raw().to_string().into_bytes(),
            ],
        );
        for consumer in group.consumers() {
            if consumer.pending_len() == 0 {
                encode_request(
                    out,
                    &[
                        &b"XGROUP"[..],
                        b"CREATECONSUMER",
                        key,
                        name,
                        consumer.name(),
                    ],
                );
            }
            for pending in consumer.pending() {
                let Some(nack) = group.pending_entry(pending) else {
                    continue;
                };
                encode_request(
                    out,
                    &[
                        b"XCLAIM".to_vec(),
                        key.to_vec(),
                        name.to_vec(),
                        consumer.name().to_vec(),
                        b"0".to_vec(),
                        id(pending),
                        b"TIME".to_vec(),
                        nack.delivery_time.to_string().into_bytes(),
                        b"RETRYCOUNT".to_vec(),
                        nack.delivery_count.to_string().into_bytes(),
                        b"JUSTID".to_vec(),
                        b"FORCE".to_vec(),
                    ],
                );
            }
        }
    }
}

/// Where the MULTI the log leaves open starts, if it leaves one open.
fn unclosed_multi(commands: &[Vec<Vec<u8>>]) -> Option<usize> {
    let mut open = None;
    for (i, argv) in commands.iter().enumerate() {
        let name = &argv[0];
        if name.eq_ignore_ascii_case(b"multi") {
            open = Some(i);
        } else if name.eq_ignore_ascii_case(b"exec") || name.eq_ignore_ascii_case(b"discard") {
            open = None;
        }
    }
    open
}
