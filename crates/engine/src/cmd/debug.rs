//! DEBUG: Redis's testing and introspection aid, every subcommand redis-server 7.0.15 lists
//! in `DEBUG HELP`, each doing what Redis's does where the engine has the same thing.
//!
//! Some look inside Redis's own structures (an sds string's header, a listpack's bytes, a
//! dict's buckets); the engine keeps its values in Rust's collections, but it models the
//! structures Redis would use, for `used_memory` and for snapshots (`crate::memory`,
//! `crate::rdb`), and those models are what these subcommands describe. Others set test hooks
//! that slow a step down or switch a timer off; each is held in [`Hooks`] and read where that
//! step happens. A few have nothing to act on (no cluster, no config file, no thread
//! cache): they answer as Redis does when it has nothing to act on either,
//! and say so below.
//!
//! The crash subcommands (SEGFAULT, PANIC, ASSERT, OOM) end the server as Redis's crash does:
//! the engine writes a bug report to its log, stops answering, and tells the front end
//! ([`Engine::crash`]), which ends the process (the native server, by the same signal) or the
//! engine (the page's worker). RESTART and CRASH-AND-RECOVER stop it in the same way and ask
//! the front end to start it again ([`Engine::restart_requested`]).
//!
//! `enable-debug-command` is checked before any of this runs, as for every protected command
//! (`Engine::process`).

use std::hash::{Hash, Hasher};

use crate::args::{string2ll, strtod};
use crate::db::{LookupFlags, Value};
use crate::engine::{Call, ClientId, Engine, Outcome};
use crate::error::Error;
use crate::glob;
use crate::listpack::Listpack;
use crate::memory;
use crate::rdb;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};
use crate::types::set::Set;

pub static COMMANDS: &[CommandSpec] = &[
    // Not a container in Redis 7.0: one row, its subcommands parsed by the handler, so wrong
    // counts get DEBUG's own "unknown subcommand or wrong number of arguments" error.
    CommandSpec {
        name: "debug",
        arity: -2,
        flags: flag::ADMIN | flag::NOSCRIPT | flag::LOADING | flag::STALE | flag::PROTECTED,
        group: "server",
        since: "1.0.0",
        summary: "Testing aids: fill the keyspace, look at how a value is stored, switch \
                  background work off, slow a step down, crash or restart the server. Refused \
                  unless enable-debug-command allows it.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand",
        keys: &[],
        tips: &[],
        handler: Some(debug),
        subcommands: &[],
    },
];

/// DEBUG HELP: the subcommands in Redis's order, each described in our words, for what it
/// does here.
const HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Wait <microsec> before each write of the append-only log (a test hook).",
    "ASSERT",
    "    Crash the server as a failed assertion does.",
    "CHANGE-REPL-ID",
    "    Draw a new replication ID and forget the previous one (replication tests only).",
    "CONFIG-REWRITE-FORCE-ALL",
    "    CONFIG REWRITE writing every parameter, defaults included, to the config file.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Stop at once without saving, and start again after <milliseconds> (0 by default).",
    "DIGEST",
    "    A hex fingerprint of the whole dataset.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    A hex fingerprint of each key's value.",
    "ERROR <string>",
    "    Answer with <string> as an error reply, for testing how clients handle errors.",
    "LEAK <string>",
    "    Allocate a copy of <string> and never free it.",
    "LOG <message>",
    "    Write <message> to the server's log.",
    "HTSTATS <dbid>",
    "    Statistics of the hash tables (keys, expires) of database <dbid>.",
    "HTSTATS-KEY <key>",
    "    The same for the hash table of the value at <key>.",
    "LOADAOF",
    "    Write out the append-only log, then load the dataset back from it.",
    "REPLICATE <string>",
    "    Send <string> to the replicas as a command, whatever the dataset says.",
    "MALLCTL <key> [<val>]",
    "    Read or set one of the allocator's integer settings.",
    "MALLCTL-STR <key> [<val>]",
    "    Read or set one of the allocator's string settings.",
    "OBJECT <key>",
    "    Low-level details of <key>'s value: encoding, refcount, saved size, access time.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop cluster bus packets of a type; -1 lets every type through.",
    "OOM",
    "    Crash the server as a failed allocation does.",
    "PANIC",
    "    Crash the server as an internal panic does.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Add <count> string keys named key:<n> (or <prefix>:<n>) holding value:<n>,",
    "    padded or cut to <size> bytes; names already taken are skipped. Nothing is",
    "    sent to replicas, and cluster slots are not checked.",
    "PROTOCOL <type>",
    "    A sample reply of one type: string, integer, double, bignum, null, array, set,",
    "    map, attrib, push, verbatim, true or false.",
    "RELOAD [option ...]",
    "    Save a snapshot and load it back. Options:",
    "    * MERGE: a key in both the keyspace and the file takes the file's value.",
    "    * NOFLUSH: keep the keyspace and add the file's keys to it (a key in both is an",
    "      error unless MERGE).",
    "    * NOSAVE: load the snapshot already saved instead of saving one first.",
    "    For instance DEBUG RELOAD checks that the dataset survives a save and a load,",
    "    and DEBUG RELOAD NOSAVE NOFLUSH MERGE adds a saved snapshot to the dataset.",
    "RESTART [<milliseconds>]",
    "    Stop as SHUTDOWN does (saving if save points are set), and start again after",
    "    <milliseconds> (0 by default).",
    "SDSLEN <key>",
    "    Length, free room and allocation of the sds strings of <key> and its value.",
    "SEGFAULT",
    "    Crash the server with a segmentation fault.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    0 stops the background expiry of keys nobody reads; 1 (the default) restarts it.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    List elements of at least <size> bytes get a plain node of their own (1GB by",
    "    default, up to 4GB; 0 restores the default).",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    1 loads snapshots and RESTORE payloads without checking their checksum.",
    "SLEEP <seconds>",
    "    Hold the server for <seconds> (fractions allowed).",
    "STRINGMATCH-TEST",
    "    Fuzz the glob matcher behind KEYS, SCAN MATCH and friends with random input.",
    "STRUCTSIZE",
    "    The sizes of the core structures the memory figures are built from.",
    "LISTPACK <key>",
    "    Write the listpack of <key>'s value, entry by entry, to the server's log.",
    "QUICKLIST <key> [<0|1>]",
    "    Write the quicklist of <key>'s list, node by node, to the server's log; 1 also",
    "    writes each node's entries.",
    "CLIENT-EVICTION",
    "    The client eviction pools by memory size (needs maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    1 stops the periodic background work (expiry, save points, timers); 0 resumes it.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    How often, in milliseconds, a client's reply buffer peak is forgotten: NEVER",
    "    keeps the last peak, RESET restores the default.",
    "REPLYBUFFER RESIZING <0|1>",
    "    0 stops the periodic resizing of reply buffers; 1 resumes it.",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Close the cluster bus link to, from, or both ways with a node.",
];

/// How a crash subcommand ended the server: what its bug report says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Crash {
    /// DEBUG SEGFAULT: a write to read-only memory, signal 11.
    Segfault,
    /// DEBUG PANIC, at this Unix time.
    Panic { unix_s: u64 },
    /// DEBUG ASSERT: `1 == 2`, with the client's command as context.
    Assert { argv: Vec<String> },
    /// DEBUG OOM: an allocation of half the address space, refused.
    Oom,
}

impl Crash {
    /// The report's lines, as Redis writes them to its log (where the engine puts them too):
    /// the cause, then the report's end marker. Redis adds stack traces, registers, INFO and
    /// a memory test, which describe its C process and have no counterpart here.
    pub fn report(&self) -> Vec<String> {
        let start = "=== REDIS BUG REPORT START: Cut & paste starting from here ===".to_string();
        let mut lines = match self {
            Crash::Segfault => vec![
                start,
                "Redis 7.0.15 crashed by signal: 11, si_code: 2".into(),
                "Accessing address: (a read-only page, written by DEBUG SEGFAULT)".into(),
            ],
            Crash::Panic { unix_s } => vec![
                "------------------------------------------------".into(),
                "!!! Software Failure. Press left mouse button to continue".into(),
                format!("Guru Meditation: DEBUG PANIC called at Unix time {unix_s} #debug.c:506"),
            ],
            Crash::Assert { argv } => {
                let mut lines = vec!["=== ASSERTION FAILED CLIENT CONTEXT ===".into()];
                lines.push(format!("client->argc = {}", argv.len()));
                for (j, arg) in argv.iter().enumerate() {
                    lines.push(format!("client->argv[{j}] = \"{arg}\" (refcount: 1)"));
                }
                lines.push("=== ASSERTION FAILED ===".into());
                lines.push("==> debug.c:526 '1 == 2' is not true".into());
                lines
            }
            // Redis asks for half of SIZE_MAX.
            Crash::Oom => vec![format!("Out Of Memory allocating {} bytes!", u64::MAX / 2)],
        };
        lines.push("=== REDIS BUG REPORT END. Make sure to include from START to END. ===".into());
        lines
    }
}

/// What RESTART and CRASH-AND-RECOVER ask of the front end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restart {
    /// RESTART saved as SHUTDOWN does; CRASH-AND-RECOVER stopped without saving.
    pub graceful: bool,
    /// How long to wait before starting again.
    pub delay_ms: u64,
}

/// The test hooks DEBUG sets, read where the step they affect happens.
#[derive(Clone, Debug)]
pub(crate) struct Hooks {
    /// AOF-FLUSH-SLEEP: microseconds to wait before each write of the log (`crate::aof`).
    pub aof_flush_sleep_us: i64,
    /// SET-SKIP-CHECKSUM-VALIDATION: loads and RESTORE skip the CRC-64 check (`crate::rdb`).
    pub skip_checksum_validation: bool,
    /// PAUSE-CRON: [`Engine::tick`] does nothing of what Redis's `serverCron` does.
    pub pause_cron: bool,
    /// REPLYBUFFER PEAK-RESET-TIME and RESIZING. The engine's clients have no reply buffer
    /// that grows and shrinks (CLIENT LIST's `rbs` is always Redis's initial 1024), so these
    /// are held, and read back by nothing, as Redis holds them with resizing off.
    pub reply_buffer_peak_reset_ms: i64,
    pub reply_buffer_resizing: bool,
    /// DROP-CLUSTER-PACKET-FILTER: held; there is no cluster bus to filter.
    pub cluster_drop_packet_filter: i64,
    /// LEAK: bytes allocated and never freed, counted in `used_memory`.
    pub leaked: usize,
    /// The crash that ended the server, if one did.
    pub crash: Option<Crash>,
    /// The restart the front end is asked for, if one is.
    pub restart: Option<Restart>,
}

/// Redis's `REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME`, in milliseconds.
const REPLY_BUFFER_DEFAULT_PEAK_RESET_MS: i64 = 5000;

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            aof_flush_sleep_us: 0,
            skip_checksum_validation: false,
            pause_cron: false,
            reply_buffer_peak_reset_ms: REPLY_BUFFER_DEFAULT_PEAK_RESET_MS,
            reply_buffer_resizing: true,
            cluster_drop_packet_filter: -1,
            leaked: 0,
            crash: None,
            restart: None,
        }
    }
}

impl Engine {
    /// The crash that ended this engine (DEBUG SEGFAULT, PANIC, ASSERT, OOM): it answers
    /// nothing more, and the front end ends with it. Its bug report is in the log
    /// ([`Engine::take_persistence_log`]).
    pub fn crash(&self) -> Option<&Crash> {
        self.debug.crash.as_ref()
    }

    /// The restart DEBUG RESTART or CRASH-AND-RECOVER asked for: the engine stopped as after
    /// SHUTDOWN ([`Engine::shutdown_requested`] is true), and wants to be started again, on
    /// what the storage keeps, after the delay.
    pub fn restart_requested(&self) -> Option<Restart> {
        self.debug.restart
    }

    /// Ends the engine as Redis's crash ends its process: the bug report goes to the log,
    /// every connection closes, and nothing more runs.
    fn crash_with(&mut self, crash: Crash) {
        for line in crash.report() {
            self.log_line(line);
        }
        self.debug.crash = Some(crash);
        for client in self.clients.values_mut() {
            client.closing = true;
        }
    }

    /// Holds the engine for `us` microseconds, as Redis blocks its one thread (DEBUG SLEEP,
    /// AOF-FLUSH-SLEEP, the save and load delays). The engine cannot sleep (the page's worker
    /// must not block on a timer it cannot see), so it waits on its clock, and gives up at
    /// once under a clock that does not move on its own (a test's [`crate::ManualClock`]).
    pub(crate) fn hold_for_us(&self, us: i64) {
        let start = self.clock.elapsed_us();
        let until = start.saturating_add(u64::try_from(us).unwrap_or(0));
        let (mut last, mut unchanged) = (start, 0u32);
        loop {
            let now = self.clock.elapsed_us();
            if now >= until {
                return;
            }
            if now != last {
                (last, unchanged) = (now, 0);
            } else {
                unchanged += 1;
                if unchanged >= STILL_CLOCK_READS {
                    return;
                }
            }
        }
    }

    /// Redis's `debugDelay` for `keys` keys saved (`rdb-key-save-delay`) or loaded
    /// (`key-load-delay`): a positive delay is that many microseconds per key; a negative one
    /// `-n` is one microsecond for each key with probability 1/n, Redis's way to wait less
    /// than a microsecond on average.
    pub(crate) fn hold_per_key(&mut self, delay: i64, keys: usize) {
        let us = match delay {
            0 => return,
            1.. => delay.saturating_mul(keys as i64),
            _ => {
                let n = delay.unsigned_abs() as usize;
                (0..keys).filter(|_| self.rng.below(n) == 0).count() as i64
            }
        };
        self.hold_for_us(us);
    }
}

/// Reads of an unchanged clock after which a hold takes it for one that never moves: a real
/// microsecond clock changes within a few hundred reads.
const STILL_CLOCK_READS: u32 = 1_000_000;

/// ```text
/// DEBUG <subcommand> [argument ...]
/// ```
/// Each subcommand with the argument count Redis accepts for it; any other count, or an
/// unknown name, gets DEBUG's "unknown subcommand or wrong number of arguments".
fn debug(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let sub = argv[1].to_ascii_lowercase();
    match (sub.as_slice(), argv.len()) {
        (b"help", 2) => Ok(Reply::help("DEBUG", HELP).into()),
        (b"segfault", _) => crash(engine, Crash::Segfault),
        (b"panic", _) => {
            let unix_s = engine.clock.now_ms() / 1000;
            crash(engine, Crash::Panic { unix_s })
        }
        (b"assert", _) => {
            let argv = argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            crash(engine, Crash::Assert { argv })
        }
        (b"oom", _) => crash(engine, Crash::Oom),
        (b"restart" | b"crash-and-recover", _) => {
            let delay_ms = match argv.get(2) {
                Some(arg) => string2ll(arg).ok_or(Error::NotInteger)?.max(0) as u64,
                None => 0,
            };
            restart(engine, call.client, sub == b"restart", delay_ms)
        }
        (b"log", 3) => {
            let message = String::from_utf8_lossy(&argv[2]);
            engine.log_line(format!("DEBUG LOG: {message}"));
            Ok(Reply::ok().into())
        }
        (b"leak", 3) => {
            engine.debug.leaked += memory::sds_alloc(argv[2].len());
            Ok(Reply::ok().into())
        }
        (b"reload", _) => crate::cmd::persist::debug_reload(engine, &argv[2..]),
        (b"loadaof", _) => crate::cmd::persist::debug_loadaof(engine, call.client),
        (b"drop-cluster-packet-filter", 3) => {
            engine.debug.cluster_drop_packet_filter =
                string2ll(&argv[2]).ok_or(Error::NotInteger)?;
            Ok(Reply::ok().into())
        }
        (b"object", 3) => object(engine, call.db, &argv[2]),
        (b"sdslen", 3) => sdslen(engine, call.db, &argv[2]),
        (b"listpack", 3) => listpack(engine, call.db, &argv[2]),
        (b"quicklist", 3 | 4) => {
            let full = argv.get(3).is_some_and(|a| atoi(a) != 0);
            quicklist(engine, call.db, &argv[2], full)
        }
        (b"populate", 3..=5) => populate(engine, call),
        (b"digest", 2) => Ok(Reply::Simple(crate::digest::dataset_digest(&engine.dbs)).into()),
        (b"digest-value", _) => Ok(Reply::Array(
            argv[2..]
                .iter()
                .map(|key| {
                    Reply::Simple(crate::digest::value_digest_hex(&engine.dbs[call.db], key))
                })
                .collect(),
        )
        .into()),
        (b"protocol", 3) => {
            let protocol = engine.client(call.client).map_or(2, |c| c.protocol);
            protocol_sample(&argv[2], protocol)
        }
        (b"sleep", 3) => {
            let seconds = strtod(&argv[2]).map_or(0.0, |(s, _)| s);
            engine.hold_for_us((seconds * 1e6) as i64);
            Ok(Reply::ok().into())
        }
        (b"set-active-expire", 3) => {
            engine.active_expire.disabled = atoi(&argv[2]) == 0;
            Ok(Reply::ok().into())
        }
        (b"quicklist-packed-threshold", 3) => {
            // Up to just below 4 GiB; 0 restores the 1 GiB default.
            match crate::config::memtoull(&argv[2]) {
                Some(size) if size <= (1 << 32) - (1 << 20) => {
                    engine.persistence.packed_threshold = match size {
                        0 => rdb::PACKED_THRESHOLD,
                        size => size as usize,
                    };
                    Ok(Reply::ok().into())
                }
                _ => Err(Error::PackedThreshold),
            }
        }
        (b"set-skip-checksum-validation", 3) => {
            engine.debug.skip_checksum_validation = atoi(&argv[2]) != 0;
            Ok(Reply::ok().into())
        }
        (b"aof-flush-sleep", 3) => {
            engine.debug.aof_flush_sleep_us = atoi(&argv[2]);
            Ok(Reply::ok().into())
        }
        // Into the replication stream as it is, in whatever database the stream has
        // selected; nowhere without a backlog, as Redis's `replicationFeedSlaves`.
        (b"replicate", 3..) => {
            if engine.feeds_replicas() {
                let command: Vec<&[u8]> = argv[2..].iter().map(Vec::as_slice).collect();
                engine.feed_replicas_command(&command);
            }
            Ok(Reply::ok().into())
        }
        // Written as is, past the error accounting: Redis's raw reply is not counted in
        // errorstats nor as a failed call. A line break would end the reply early.
        (b"error", 3) => {
            let text = String::from_utf8_lossy(&argv[2]).replace(['\r', '\n'], " ");
            Ok(Outcome::Replies(vec![Reply::Error(text)]))
        }
        (b"structsize", 2) => Ok(Reply::bulk(structsize()).into()),
        (b"htstats", 3) => htstats(engine, &argv[2]),
        (b"htstats-key", 3) => htstats_key(engine, call.db, &argv[2]),
        (b"change-repl-id", 2) => {
            engine.log_line("Changing replication IDs after receiving DEBUG change-repl-id".into());
            engine.replication.change_replid();
            engine.replication.clear_replid2();
            Ok(Reply::ok().into())
        }
        (b"stringmatch-test", 2) => stringmatch_test(engine),
        // Lets scripts run the commands flagged `noscript` (Redis's test hook).
        (b"set-disable-deny-scripts", 3) => {
            engine.scripting.disable_deny_script = atoi(&argv[2]) != 0;
            Ok(Reply::ok().into())
        }
        // Redis writes to the file it was started with; the engine has none (CONFIG REWRITE
        // says so), and Redis without one fails here on the missing path, with this reason.
        (b"config-rewrite-force-all", 2) => Err(Error::ConfigRewriteForceAll("Bad address")),
        // The engine has no client eviction (no `maxmemory-clients`): Redis's answer with
        // it off.
        (b"client-eviction", 2) => Err(Error::ClientEvictionDisabled),
        (b"mallctl", 3..) => mallctl_int(&argv[2], argv.get(3)),
        (b"mallctl-str", 3..) => mallctl_str(&argv[2], argv.get(3)),
        (b"pause-cron", 3) => {
            engine.debug.pause_cron = atoi(&argv[2]) != 0;
            Ok(Reply::ok().into())
        }
        (b"replybuffer", 4) if argv[2].eq_ignore_ascii_case(b"peak-reset-time") => {
            engine.debug.reply_buffer_peak_reset_ms = match argv[3].to_ascii_lowercase()[..] {
                [b'n', b'e', b'v', b'e', b'r'] => -1,
                [b'r', b'e', b's', b'e', b't'] => REPLY_BUFFER_DEFAULT_PEAK_RESET_MS,
                _ => string2ll(&argv[3]).ok_or(Error::NotInteger)?,
            };
            Ok(Reply::ok().into())
        }
        (b"replybuffer", 4) if argv[2].eq_ignore_ascii_case(b"resizing") => {
            engine.debug.reply_buffer_resizing = atoi(&argv[3]) != 0;
            Ok(Reply::ok().into())
        }
        // Redis reads the third argument before counting them (and crashes on `DEBUG
        // CLUSTERLINK` alone); here a short one is a wrong count like any other.
        (b"clusterlink", 5) if argv[2].eq_ignore_ascii_case(b"kill") => {
            Err(Error::DebugNeedsCluster)
        }
        _ => Err(Error::SubcommandSyntax {
            subcommand: String::from_utf8_lossy(&argv[1]).into_owned(),
            command: "DEBUG".into(),
        }),
    }
}

/// SEGFAULT, PANIC, ASSERT, OOM: the engine ends; the client gets no reply, its connection
/// closes with the server.
fn crash(engine: &mut Engine, crash: Crash) -> CommandResult {
    engine.crash_with(crash);
    Ok(Outcome::Replies(Vec::new()))
}

/// RESTART saves as SHUTDOWN does when save points are set (a failed save keeps the server
/// up, with Redis's error); CRASH-AND-RECOVER does not. Either way the engine stops, and the
/// front end starts it again after the delay.
fn restart(engine: &mut Engine, by: ClientId, graceful: bool, delay_ms: u64) -> CommandResult {
    if graceful && crate::cmd::persist::prepare_for_shutdown(engine, false, false, false).is_err() {
        engine.log_line("Can't restart: error preparing for shutdown".into());
        return Err(Error::RestartFailed);
    }
    engine.debug.restart = Some(Restart { graceful, delay_ms });
    engine.request_shutdown(by);
    Ok(Outcome::Replies(Vec::new()))
}

/// C's `atoi`: an optional sign and the digits after it, 0 when there are none; what does
/// not fit an `int` wraps as glibc's does in practice (through a `long`).
fn atoi(arg: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(arg);
    let text = text.trim_start();
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => (-1i64, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    let value = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |n, d| {
            n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'))
        });
    i64::from((sign.wrapping_mul(value)) as i32)
}

/// ```text
/// DEBUG POPULATE count [prefix] [size]
/// ```
/// Adds `prefix:0` .. `prefix:<count-1>` (prefix `key` by default) holding `value:<n>`,
/// skipping names that already exist; with `size`, each value is cut or padded with zero
/// bytes to exactly `size` bytes. Like Redis it announces no keyspace events. Names are cut
/// at 127 bytes, as Redis's 128-byte `snprintf` buffer does.
fn populate(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let count = positive(&argv[2])?;
    let size = argv.get(4).map(|s| positive(s)).transpose()?.unwrap_or(0);
    let prefix = argv.get(3).map_or(&b"key"[..], Vec::as_slice);
    // Room for `count` keys in all, as Redis's `dictExpand` makes.
    let keys = &mut engine.dbs[call.db].keys;
    keys.reserve(usize::try_from(count).map_or(usize::MAX, |n| n.saturating_sub(keys.len())));
    for n in 0..count {
        let mut key = prefix.to_vec();
        key.extend_from_slice(format!(":{n}").as_bytes());
        key.truncate(127);
        if engine.exists_for_write(call.db, &key) {
            continue;
        }
        let mut value = format!("value:{n}").into_bytes();
        if size > 0 {
            value.resize(size as usize, 0);
        }
        engine.db_add(call.db, &key, Value::string(value));
    }
    Ok(Reply::ok().into())
}

/// A count DEBUG takes (`getPositiveLongFromObjectOrReply` without a message): anything that is
/// not a non-negative integer gets "value is out of range, must be positive".
fn positive(arg: &[u8]) -> Result<u64, Error> {
    string2ll(arg)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or(Error::NotPositive)
}

/// DEBUG OBJECT: Redis's line about a key's value: where it is held, its refcount,
/// encoding, size in a snapshot, access stamp and idle time, and for a list its quicklist's
/// shape (nodes, elements per node, `list-max-listpack-size`, compression, listpack bytes).
/// The key is found as Redis finds it here, straight in the dict: one past its expiry is
/// still described (Redis's tests rely on it).
fn object(engine: &Engine, db: usize, key: &[u8]) -> CommandResult {
    let Some(entry) = engine.dbs[db].keys.get(key) else {
        return Err(Error::NoSuchKey);
    };
    let stamp = engine.access_stamp(entry);
    let mut extra = String::new();
    if let Value::List(list) = &entry.value {
        let options = engine.save_options();
        let fill = options.list_max_listpack_size;
        let nodes = rdb::quicklist_nodes(list, options);
        let size: usize = nodes.iter().map(|n| n.bytes.len()).sum();
        extra = format!(
            " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{fill} ql_compressed:{} \
             ql_uncompressed_size:{size}",
            nodes.len(),
            list.len() as f64 / nodes.len().max(1) as f64,
            u8::from(engine.config.int("list-compress-depth") != 0),
        );
    }
    Ok(Reply::Simple(format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{stamp} \
         lru_seconds_idle:{}{extra}",
        &entry.value,
        crate::cmd::keys::refcount(engine, entry),
        entry.encoding(),
        rdb::serialized_len(&entry.value, engine.save_options()),
        crate::evict::idle_ms(stamp, engine.now_ms) / 1000,
    ))
    .into())
}

/// DEBUG SDSLEN: the sds strings of a key (as the dict holds it, an exact copy: no free
/// room) and of its string value, from the memory model's view of how the value was
/// written ([`crate::db::StringOrigin::unshared`]): an `embstr` counts no room, and its
/// allocation without the robj it shares; a `raw` string has the room its creation or its
/// growth left. Found straight in the dict, as DEBUG OBJECT.
fn sdslen(engine: &Engine, db: usize, key: &[u8]) -> CommandResult {
    let Some(entry) = engine.dbs[db].keys.get(key) else {
        return Err(Error::NoSuchKey);
    };
    let Value::String(s) = &entry.value else {
        return Err(Error::NotSdsString);
    };
    let (avail, allocation) = match entry.encoding() {
        "int" => return Err(Error::NotSdsString),
        // One allocation with the robj, which Redis leaves out of the figure.
        "embstr" => (
            0,
            memory::jemalloc(memory::ROBJ + 3 + s.len() + 1) - memory::ROBJ,
        ),
        _ => {
            let sds = entry.string_origin().unshared(s.len());
            (sds.avail(s.len()), sds.allocation())
        }
    };
    Ok(Reply::Simple(format!(
        "key_sds_len:{}, key_sds_avail:0, key_zmalloc: {}, val_sds_len:{}, val_sds_avail:{avail}, \
         val_zmalloc: {allocation}",
        key.len(),
        memory::sds_alloc(key.len()),
        s.len(),
    ))
    .into())
}

/// DEBUG LISTPACK: a small hash's or sorted set's listpack, as a snapshot stores it, written
/// entry by entry to the log (Redis prints it on its standard output, which is its log when
/// run in the foreground); the reply only says so.
fn listpack(engine: &mut Engine, db: usize, key: &[u8]) -> CommandResult {
    let lp = match engine.lookup_read_with(db, key, LookupFlags::NO_TOUCH) {
        None => return Err(Error::NoSuchKey),
        Some(Value::Hash(h)) if h.is_listpack() => rdb::hash_listpack(h),
        Some(Value::ZSet(z)) if z.is_listpack() => rdb::zset_listpack(z),
        Some(_) => return Err(Error::NotListpack),
    };
    let lines = listpack_lines(&lp, "");
    for line in lines {
        engine.log_line(line);
    }
    Ok(Reply::Simple("Listpack structure printed on stdout".into()).into())
}

/// A listpack's lines for the log: its size and count, then each entry with its offset,
/// size and content.
fn listpack_lines(lp: &Listpack, indent: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "{indent}listpack: {} bytes, {} entries",
        lp.total_bytes(),
        lp.iter().count()
    )];
    let mut at = lp.first();
    let mut index = 0;
    while let Some(offset) = at {
        let next = lp.next(offset).unwrap_or(lp.total_bytes() - 1);
        let element = lp.get(offset);
        let shown = match element.as_int() {
            Some(n) if element.to_bytes() == n.to_string().as_bytes() => format!("int {n}"),
            _ => format!("str {:?}", String::from_utf8_lossy(&element.to_bytes())),
        };
        lines.push(format!(
            "{indent}  entry {index} at offset {offset}, {} bytes: {shown}",
            next - offset
        ));
        at = lp.next(offset);
        index += 1;
    }
    lines
}

/// DEBUG QUICKLIST: a list's quicklist, as `list-max-listpack-size` and the packed threshold
/// cut it into nodes, written node by node to the log (with `full`, each node's entries too);
/// the reply only says so, as Redis's does.
fn quicklist(engine: &mut Engine, db: usize, key: &[u8], full: bool) -> CommandResult {
    let options = engine.save_options();
    let depth = engine.config.int("list-compress-depth");
    let (nodes, elements) = match engine.lookup_read_with(db, key, LookupFlags::NO_TOUCH) {
        None => return Err(Error::NoSuchKey),
        Some(Value::List(list)) => (rdb::quicklist_nodes(list, options), list.len()),
        Some(_) => return Err(Error::NotQuicklist),
    };
    let mut lines = vec![format!(
        "quicklist: {} nodes, {elements} elements, fill {}, compress depth {depth}",
        nodes.len(),
        options.list_max_listpack_size,
    )];
    for (i, node) in nodes.iter().enumerate() {
        let kind = if node.plain { "plain" } else { "packed" };
        lines.push(format!(
            "  node {i}: {kind}, {} elements, {} bytes, not compressed",
            node.count,
            node.bytes.len()
        ));
        if full && !node.plain {
            if let Some(lp) = Listpack::from_bytes(node.bytes.clone()) {
                lines.extend(listpack_lines(&lp, "    "));
            }
        }
    }
    for line in lines {
        engine.log_line(line);
    }
    Ok(Reply::Simple("Quicklist structure printed on stdout".into()).into())
}

/// DEBUG PROTOCOL: a reply of each RESP3 type, as Redis's tests ask for them. An attribute
/// has no place in [`Reply`]: `attrib` answers the reply that follows Redis's attribute
/// alone, which is what a RESP2 client and a script (which ignores attributes) get anyway.
fn protocol_sample(name: &[u8], protocol: u8) -> CommandResult {
    let ints = || (0..3).map(Reply::Integer).collect::<Vec<_>>();
    let reply = match name.to_ascii_lowercase().as_slice() {
        b"string" => Reply::bulk("Hello World"),
        b"integer" => Reply::Integer(12345),
        // Redis's own figure, not pi.
        #[allow(clippy::approx_constant)]
        b"double" => Reply::Double(3.141),
        b"bignum" => Reply::BigNumber("1234567999999999999999999999999999999".into()),
        b"null" => Reply::Null,
        b"array" => Reply::Array(ints()),
        b"set" => Reply::Set(ints()),
        b"map" => Reply::Map(
            (0..3)
                .map(|j| (Reply::Integer(j), Reply::Boolean(j == 1)))
                .collect(),
        ),
        b"attrib" => Reply::bulk("Some real reply following the attribute"),
        b"push" if protocol < 3 => return Err(Error::Resp2NotSupported),
        // A push is no reply of its own: the real one follows it.
        b"push" => {
            return Ok(Outcome::Replies(vec![
                Reply::Push(vec![Reply::bulk("server-cpu-usage"), Reply::Integer(42)]),
                Reply::bulk("Some real reply following the push reply"),
            ]))
        }
        b"true" => Reply::Boolean(true),
        b"false" => Reply::Boolean(false),
        b"verbatim" => Reply::Verbatim {
            format: *b"txt",
            text: b"This is a verbatim\nstring".to_vec(),
        },
        _ => return Err(Error::DebugProtocolType),
    };
    Ok(reply.into())
}

/// DEBUG STRUCTSIZE: the sizes of Redis's core structures on a 64-bit build, the ones the
/// memory model prices values with (`crate::memory`).
fn structsize() -> String {
    let mut sizes = format!(
        "bits:64 robj:{} dictentry:{} ",
        memory::ROBJ,
        memory::SIZEOF.dict_entry
    );
    for (name, len) in [("sdshdr5", 0), ("sdshdr8", 32), ("sdshdr16", 256)] {
        sizes.push_str(&format!("{name}:{} ", memory::sds_header(len)));
    }
    sizes.push_str(&format!(
        "sdshdr32:{} sdshdr64:{} ",
        memory::sds_header(65_536),
        memory::sds_header_of(1 << 32)
    ));
    sizes
}

/// Redis's `DICT_STATS_VECTLEN`: chains of this length or longer are counted together.
const DICT_STATS_VECTLEN: usize = 50;

/// DEBUG HTSTATS: the keys' and the expires' hash tables of a database, as Redis's
/// `dictGetStats` describes a dict. See [`dict_stats`] for what is modelled.
fn htstats(engine: &Engine, dbid: &[u8]) -> CommandResult {
    let dbid = string2ll(dbid).ok_or(Error::NotInteger)?;
    let db = usize::try_from(dbid)
        .ok()
        .and_then(|i| engine.dbs.get(i))
        .ok_or(Error::DebugDbOutOfRange)?;
    let mut stats = String::from("[Dictionary HT]\n");
    stats.push_str(&dict_stats(db.keys.len(), db.keys.iter().map(|(k, _)| k)));
    stats.push_str("[Expires HT]\n");
    let volatile = (0..db.volatile_len()).filter_map(|i| db.keys.volatile_get_index(i));
    stats.push_str(&dict_stats(db.volatile_len(), volatile.map(|(k, _)| k)));
    Ok(verbatim(stats))
}

/// DEBUG HTSTATS-KEY: the same for the dict of a value that has one: a `hashtable` set or
/// hash, a `skiplist` sorted set.
fn htstats_key(engine: &mut Engine, db: usize, key: &[u8]) -> CommandResult {
    let stats = match engine.lookup_read_with(db, key, LookupFlags::NO_TOUCH) {
        None => return Err(Error::NoSuchKey),
        Some(Value::Set(set)) => match &**set {
            Set::Hashtable(members) => dict_stats(members.len(), members.iter()),
            Set::Intset(_) => return Err(Error::NotHashTable),
        },
        Some(Value::Hash(h)) if !h.is_listpack() => dict_stats(h.len(), h.iter().map(|(f, _)| f)),
        Some(Value::ZSet(z)) if !z.is_listpack() => dict_stats(z.len(), z.iter().map(|(m, _)| m)),
        Some(_) => return Err(Error::NotHashTable),
    };
    Ok(verbatim(stats))
}

fn verbatim(text: String) -> Outcome {
    Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
    .into()
}

/// `dictGetStats` for a dict holding `keys`, `used` of them. The table has the size the memory model gives
/// it ([`memory::dict_buckets`]: the power of two Redis's growth reaches, never rehashing: the
/// model prices a keyspace's dict as rehashed at once). The keys are spread over its buckets
/// by a hash of their bytes, as Redis's SipHash spreads them (with a seed of its own drawn
/// at start, so Redis's chains differ from run to run, and ours from Redis's): the chain
/// lengths are those a good hash gives, not Redis's own.
fn dict_stats<'a, K>(used: usize, keys: impl Iterator<Item = &'a K>) -> String
where
    K: AsRef<[u8]> + 'a + ?Sized,
{
    if used == 0 {
        return "Hash table 0 stats (main hash table):\n\
                No stats available for empty dictionaries\n"
            .into();
    }
    let size = memory::dict_buckets(used);
    let mut chains = vec![0usize; size];
    for key in keys {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.as_ref().hash(&mut hasher);
        chains[(hasher.finish() as usize) & (size - 1)] += 1;
    }
    let mut lengths = [0usize; DICT_STATS_VECTLEN];
    for &len in &chains {
        lengths[len.min(DICT_STATS_VECTLEN - 1)] += 1;
    }
    let slots = size - lengths[0];
    let max_chain = chains.iter().copied().max().unwrap_or(0);
    let mut text = format!(
        "Hash table 0 stats (main hash table):\n table size: {size}\n number of elements: \
         {used}\n different slots: {slots}\n max chain length: {max_chain}\n avg chain length \
         (counted): {:.2}\n avg chain length (computed): {:.2}\n Chain length distribution:\n",
        used as f32 / slots as f32,
        used as f32 / slots as f32,
    );
    for (len, &count) in lengths.iter().enumerate().take(DICT_STATS_VECTLEN - 1) {
        if count > 0 {
            let share = count as f32 / size as f32 * 100.0;
            text.push_str(&format!("   {len}: {count} ({share:.2}%)\n"));
        }
    }
    text
}

/// DEBUG STRINGMATCH-TEST: Redis's fuzz test of its glob matcher, on ours: random patterns
/// and strings of up to 31 bytes below 128, matched without regard to anything but not
/// crashing or running away. The count of matches goes to the log, as Redis prints it.
fn stringmatch_test(engine: &mut Engine) -> CommandResult {
    let mut matches = 0u64;
    for _ in 0..STRINGMATCH_CYCLES {
        let random = |rng: &mut crate::rng::Rng| -> Vec<u8> {
            let len = rng.below(32);
            (0..len).map(|_| rng.below(128) as u8).collect()
        };
        let string = random(&mut engine.rng);
        let pattern = random(&mut engine.rng);
        matches += u64::from(glob::matches(&pattern, &string, false));
    }
    engine.log_line(format!("Total matches: {matches}"));
    Ok(Reply::Simple("Apparently Redis did not crash: test passed".into()).into())
}

/// Redis's ten million cycles.
const STRINGMATCH_CYCLES: usize = 10_000_000;

/// What the allocator's control interface (`mallctl`) answers for a name, in the jemalloc
/// the memory model follows.
enum MallctlEntry {
    /// A read-only integer: the page size and the quantum the size classes are built on.
    Int(i64),
    /// A read-only string: the version.
    Str(&'static str),
    /// An action that takes no value (`thread.tcache.flush`): there is no thread cache in
    /// the model, so flushing it has nothing to do.
    Action,
}

fn mallctl_entry(name: &[u8]) -> Result<MallctlEntry, Error> {
    match name {
        b"arenas.page" => Ok(MallctlEntry::Int(4096)),
        b"arenas.quantum" => Ok(MallctlEntry::Int(16)),
        b"version" => Ok(MallctlEntry::Str(
            "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c",
        )),
        b"thread.tcache.flush" => Ok(MallctlEntry::Action),
        _ => Err(Error::Mallctl(ENOENT)),
    }
}

const ENOENT: &str = "No such file or directory";
const EPERM: &str = "Operation not permitted";
const EINVAL: &str = "Invalid argument";

/// DEBUG MALLCTL key [value]: an integer setting of the modelled jemalloc (the one
/// `mem_allocator` names). The settings the model knows are read-only, so a value is refused
/// as jemalloc refuses it. A string setting read as an integer gives Redis the string's
/// address, which has no meaning here: it is refused as a value of the wrong size.
fn mallctl_int(name: &[u8], value: Option<&Vec<u8>>) -> CommandResult {
    if let Some(value) = value {
        string2ll(value).ok_or(Error::NotInteger)?;
    }
    match (mallctl_entry(name)?, value) {
        (MallctlEntry::Int(n), None) => Ok(Reply::Integer(n).into()),
        (MallctlEntry::Str(_), None) => Err(Error::Mallctl(EINVAL)),
        _ => Err(Error::Mallctl(EPERM)),
    }
}

/// DEBUG MALLCTL-STR key [value]: a string setting. `VOID` as the value runs an action;
/// writing a read-only string answers its value, as Redis answers what it read before the
/// refused write. An integer setting read as a string would have Redis follow the integer
/// as a pointer and crash; here it is refused as a value of the wrong size.
fn mallctl_str(name: &[u8], value: Option<&Vec<u8>>) -> CommandResult {
    match (mallctl_entry(name)?, value) {
        (MallctlEntry::Str(s), _) => Ok(Reply::bulk(s).into()),
        (MallctlEntry::Action, Some(v)) if v == b"VOID" => Ok(Reply::ok().into()),
        (MallctlEntry::Action, _) => Err(Error::Mallctl(EPERM)),
        (MallctlEntry::Int(_), _) => Err(Error::Mallctl(EINVAL)),
    }
}
