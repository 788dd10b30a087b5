//! Configuration: one table of parameters (name, type, default, validation) behind
//! `CONFIG GET/SET` and behind the native server's command-line arguments, as Redis's
//! `config.c` keeps one `standardConfig` table for both.
//!
//! Values are checked the way Redis 7.0 checks them, with its error texts: integers as strictly
//! as `string2ll`, memory sizes as `memtoull` (digits and a unit, never a sign), then the range.
//! A parameter may also clamp what it accepts, as Redis's apply hooks do (`hz` accepts
//! 0..=2147483647 but runs at 1..=500 and reports what it runs at).

use crate::args::string2ll;
use crate::error::Error;
use crate::event::notify_flags;

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    /// `yes` / `no`.
    Bool,
    /// A whole number within `min..=max`.
    Int { min: i64, max: i64 },
    /// Bytes, written with Redis's units (`256mb`, `1gb`, `100k`), within `min..=max`.
    Memory { min: i64, max: i64 },
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// Free text.
    Text,
    /// `notify-keyspace-events`' class letters (`crate::event::notify_flags`), kept as flags
    /// and shown in Redis's canonical order.
    KeyspaceEvents,
    /// Bytes as [`ConfigKind::Memory`], or a percentage of `maxmemory` written `N%` with N at
    /// most `max_percent`, held negative as Redis holds it and shown back as `N%`.
    MemoryOrPercent { max: i64, max_percent: i64 },
    /// `save`'s pairs of seconds (at least 1) and changes (at least 0), written back with
    /// single spaces as Redis rebuilds it; empty for none.
    SavePoints,
    /// `replicaof`'s `host port` (the port from 0 to 65535), or empty: `no one` is empty too.
    MasterAddress,
}

/// One row of the config table.
#[derive(Debug)]
pub struct ConfigParam {
    pub name: &'static str,
    /// Older names Redis still accepts (`hash-max-ziplist-entries` for `...listpack...`).
    pub aliases: &'static [&'static str],
    pub kind: ConfigKind,
    /// The default, written as CONFIG GET prints it.
    pub default: &'static str,
    /// False for parameters that can only be given at start (`databases`).
    pub mutable: bool,
    /// For integers and memory sizes: the range an accepted value is then clamped into, as Redis's apply hook
    /// does for `hz` (CONFIG_MIN_HZ..=CONFIG_MAX_HZ). CONFIG GET shows the clamped value.
    pub clamp: Option<(i64, i64)>,
}

/// Parameters CONFIG SET refuses unless `enable-protected-configs` allows it (Redis's
/// `PROTECTED_CONFIG`).
pub const PROTECTED: &[&str] = &["dir", "dbfilename"];

/// Every parameter the engine knows. CONFIG GET's reply order is Redis's hash-table order,
/// which clients must not rely on; ours is this table's order.
pub static PARAMS: &[ConfigParam] = &[
    ConfigParam {
        name: "databases",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 1,
            max: i32::MAX as i64,
        },
        default: "16",
        mutable: false,
        clamp: None,
    },
    ConfigParam {
        name: "busy-reply-threshold",
        aliases: &["lua-time-limit"],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "5000",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "hz",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "10",
        mutable: true,
        clamp: Some((1, 500)),
    },
    ConfigParam {
        name: "active-expire-effort",
        aliases: &[],
        kind: ConfigKind::Int { min: 1, max: 10 },
        default: "1",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "proto-max-bulk-len",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 1024 * 1024,
            max: i64::MAX,
        },
        default: "536870912",
        mutable: true,
        clamp: None,
    },
    // Redis's protected DEBUG: `local` allows it from loopback connections only. The engine's
    // clients are the page's own and the native server's, which listens on loopback unless told
    // otherwise, so `local` counts every client as local.
    ConfigParam {
        name: "enable-debug-command",
        aliases: &[],
        kind: ConfigKind::Enum(&["no", "yes", "local"]),
        default: "no",
        mutable: false,
        clamp: None,
    },
    // Encoding thresholds: they decide what OBJECT ENCODING answers (and, in Redis, memory
    // use); the engine's structures behave the same either way.
    ConfigParam {
        name: "hash-max-listpack-entries",
        aliases: &["hash-max-ziplist-entries"],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "512",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "hash-max-listpack-value",
        aliases: &["hash-max-ziplist-value"],
        kind: ConfigKind::Memory {
            min: 0,
            max: i64::MAX,
        },
        default: "64",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "set-max-intset-entries",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "512",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "zset-max-listpack-entries",
        aliases: &["zset-max-ziplist-entries"],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "zset-max-listpack-value",
        aliases: &["zset-max-ziplist-value"],
        kind: ConfigKind::Memory {
            min: 0,
            max: i64::MAX,
        },
        default: "64",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "hll-sparse-max-bytes",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 0,
            max: i64::MAX,
        },
        default: "3000",
        mutable: true,
        clamp: None,
    },
    // A stream's nodes (`crate::types::stream`): where a new node opens.
    ConfigParam {
        name: "stream-node-max-bytes",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 0,
            max: i64::MAX,
        },
        default: "4096",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "stream-node-max-entries",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "100",
        mutable: true,
        clamp: None,
    },
    // Redis 7.0 keeps every list in a quicklist; these shape its nodes, which nothing here
    // shows, so they are accepted and reported only.
    ConfigParam {
        name: "list-max-listpack-size",
        aliases: &["list-max-ziplist-size"],
        kind: ConfigKind::Int {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        default: "-2",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "list-compress-depth",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    // Memory and eviction (`crate::memory`, `crate::evict`).
    ConfigParam {
        name: "maxmemory",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 0,
            max: i64::MAX,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "maxmemory-policy",
        aliases: &[],
        kind: ConfigKind::Enum(crate::evict::POLICY_NAMES),
        default: "noeviction",
        mutable: true,
        clamp: None,
    },
    // The tracking table's size bound (`crate::tracking`); 0 for none.
    ConfigParam {
        name: "tracking-table-max-keys",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "1000000",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "maxmemory-samples",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 1,
            max: i32::MAX as i64,
        },
        default: "5",
        mutable: true,
        clamp: None,
    },
    // Redis's time budget per eviction run; eviction here always runs to completion, so it
    // is accepted and reported only (see `crate::evict` for why).
    ConfigParam {
        name: "maxmemory-eviction-tenacity",
        aliases: &[],
        kind: ConfigKind::Int { min: 0, max: 100 },
        default: "10",
        mutable: true,
        clamp: None,
    },
    // Ours, not Redis's (see [`OURS`]): evict the truly least recently used key instead of
    // sampling, to compare the two on one workload.
    ConfigParam {
        name: "playground-exact-lru",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "lfu-log-factor",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "10",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "lfu-decay-time",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "1",
        mutable: true,
        clamp: None,
    },
    // The slow log (`crate::slowlog`).
    ConfigParam {
        name: "slowlog-log-slower-than",
        aliases: &[],
        kind: ConfigKind::Int {
            min: -1,
            max: i64::MAX,
        },
        default: "10000",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "slowlog-max-len",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        mutable: true,
        clamp: None,
    },
    // The latency monitor (`crate::latency`), in ms; 0: off.
    ConfigParam {
        name: "latency-monitor-threshold",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "latency-tracking",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    // The native server listens where these say; the engine itself has no sockets, so a
    // CONFIG SET of either is recorded (and shown by CONFIG GET) without rebinding anything.
    ConfigParam {
        name: "port",
        aliases: &[],
        kind: ConfigKind::Int { min: 0, max: 65535 },
        default: "6379",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "notify-keyspace-events",
        aliases: &[],
        kind: ConfigKind::KeyspaceEvents,
        default: "",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "bind",
        aliases: &[],
        kind: ConfigKind::Text,
        // Redis's default is `* -::*`; ours is loopback, as the native server listens.
        default: "127.0.0.1",
        mutable: true,
        clamp: None,
    },
    // Authentication (`crate::acl`): setting `requirepass` gives the default user that one
    // password; the native server refuses non-loopback clients in `protected-mode` while the
    // default user has none.
    ConfigParam {
        name: "requirepass",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "protected-mode",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    // The ACL file (`crate::acl::load_users`), given at start only; the page has none.
    ConfigParam {
        name: "aclfile",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "",
        mutable: false,
        clamp: None,
    },
    // The native server refuses a connection beyond this many clients ("max number of
    // clients reached", counted in INFO's rejected_connections).
    ConfigParam {
        name: "maxclients",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 1,
            max: u32::MAX as i64,
        },
        default: "10000",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "acllog-max-len",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        mutable: true,
        clamp: None,
    },
    // Persistence (`crate::persist`). `save` holds Redis's "seconds changes" pairs: the timer
    // saves by them, and SHUTDOWN and FLUSHALL save when it is not empty. `dir` is where the native server keeps its files (it puts
    // its absolute working directory here at start, as redis-server answers CONFIG GET dir);
    // the page keeps its snapshot in memory whatever it says.
    // Redis 7.0 refuses CONFIG SET of the protected parameters (`dir`, `dbfilename`: where
    // files are written) unless this allows it; `local` counts every client as local, as
    // `enable-debug-command` does.
    ConfigParam {
        name: "enable-protected-configs",
        aliases: &[],
        kind: ConfigKind::Enum(&["no", "yes", "local"]),
        default: "no",
        mutable: false,
        clamp: None,
    },
    ConfigParam {
        name: "save",
        aliases: &[],
        kind: ConfigKind::SavePoints,
        default: "3600 1 300 100 60 10000",
        mutable: true,
        clamp: None,
    },
    // Writes are refused with NOREPLICAS while fewer good replicas (online, acknowledging
    // within `min-replicas-max-lag` seconds) than this are connected, unless the lag is 0.
    ConfigParam {
        name: "min-replicas-to-write",
        aliases: &["min-slaves-to-write"],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "min-replicas-max-lag",
        aliases: &["min-slaves-max-lag"],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "10",
        mutable: true,
        clamp: None,
    },
    // A failed background save (or AOF write) refuses writes with MISCONF while this is on.
    ConfigParam {
        name: "stop-writes-on-bgsave-error",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "dir",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "/",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "dbfilename",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "dump.rdb",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "rdbcompression",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    // The append-only log (`crate::aof`): on or off at any time; how often the native server
    // flushes it to the disk (in Redis's order, which its error lists); the names of its
    // directory and files under `dir`.
    ConfigParam {
        name: "appendonly",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "appendfsync",
        aliases: &[],
        kind: ConfigKind::Enum(&["everysec", "always", "no"]),
        default: "everysec",
        mutable: true,
        clamp: None,
    },
    // The log is rewritten when it has grown this many percent past its size after the last
    // rewrite (0: never), once it is bigger than the minimum size.
    ConfigParam {
        name: "auto-aof-rewrite-percentage",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "100",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "auto-aof-rewrite-min-size",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 0,
            max: i64::MAX,
        },
        default: "67108864",
        mutable: true,
        clamp: None,
    },
    // A log whose last command was cut short (a crash mid-write) is loaded up to it, and the
    // file cut back, rather than refused.
    // The base a rewrite writes: an RDB snapshot (yes), or the commands that rebuild the
    // keyspace (no, Redis's `rewriteAppendOnlyFileRio`).
    ConfigParam {
        name: "aof-use-rdb-preamble",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "aof-load-truncated",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "appendfilename",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "appendonly.aof",
        mutable: false,
        clamp: None,
    },
    ConfigParam {
        name: "appenddirname",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "appendonlydir",
        mutable: false,
        clamp: None,
    },
    ConfigParam {
        name: "rdbchecksum",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: false,
        clamp: None,
    },
    // Microseconds each key adds to a save made in the foreground (SAVE, SHUTDOWN, DEBUG
    // RELOAD, FLUSHALL's), as Redis's test hook slows `rdbSaveKeyValuePair`; a negative `-n`
    // waits a microsecond for one key in n. A BGSAVE is done at once, with no child whose
    // pace this could set: holding the whole engine instead would stall every client, which
    // Redis's child never does, so it is not slowed. Hidden (`HIDDEN`).
    ConfigParam {
        name: "rdb-key-save-delay",
        aliases: &[],
        kind: ConfigKind::Int {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    // The same for each key loaded (start, DEBUG RELOAD, a log's snapshot preamble).
    ConfigParam {
        name: "key-load-delay",
        aliases: &[],
        kind: ConfigKind::Int {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    // How often a primary pings its replicas through the replication stream (seconds).
    ConfigParam {
        name: "repl-ping-replica-period",
        aliases: &["repl-ping-slave-period"],
        kind: ConfigKind::Int {
            min: 1,
            max: i32::MAX as i64,
        },
        default: "10",
        mutable: true,
        clamp: None,
    },
    // Whether a replica refuses writes from its clients (READONLY); the primary's stream is
    // always applied.
    ConfigParam {
        name: "replica-read-only",
        aliases: &["slave-read-only"],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    // The history a reconnecting replica may resume from (`crate::replication`): its size,
    // resized in place when changed, and how long it is kept with no replica attached
    // (seconds; 0 keeps it forever).
    ConfigParam {
        name: "repl-backlog-size",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 1,
            max: i64::MAX,
        },
        default: "1048576",
        mutable: true,
        // Redis's backlog is never smaller than 16kb (`CONFIG_REPL_BACKLOG_MIN_SIZE`).
        clamp: Some((16 * 1024, i64::MAX)),
    },
    ConfigParam {
        name: "repl-backlog-ttl",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "3600",
        mutable: true,
        clamp: None,
    },
    // A full sync's snapshot made for the replicas alone and sent EOF-marked (yes), or sent
    // with its length (no); a diskless one starts after `repl-diskless-sync-delay` seconds,
    // or as soon as `repl-diskless-sync-max-replicas` (if not 0) wait for it.
    ConfigParam {
        name: "repl-diskless-sync",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "repl-diskless-sync-delay",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "5",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "repl-diskless-sync-max-replicas",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    // A replica that acknowledges nothing for this many seconds is dropped; a replica gives
    // up its handshake, its transfer or its primary after as many seconds of silence.
    ConfigParam {
        name: "repl-timeout",
        aliases: &[],
        kind: ConfigKind::Int {
            min: 1,
            max: i32::MAX as i64,
        },
        default: "60",
        mutable: true,
        clamp: None,
    },
    // The primary this server follows (`crate::replication::replica`), as `host port`: empty
    // on a primary. Given at start (`--replicaof host port`); REPLICAOF changes it at run
    // time, and CONFIG SET refuses it, as Redis's does.
    ConfigParam {
        name: "replicaof",
        aliases: &["slaveof"],
        kind: ConfigKind::MasterAddress,
        default: "",
        mutable: false,
        clamp: None,
    },
    // A replica's credentials at its primary: AUTH [masteruser] masterauth in its handshake.
    ConfigParam {
        name: "masterauth",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "masteruser",
        aliases: &[],
        kind: ConfigKind::Text,
        default: "",
        mutable: true,
        clamp: None,
    },
    // Whether a replica whose link is down answers its clients from the data it has (yes),
    // or refuses all but a few commands with MASTERDOWN (no).
    ConfigParam {
        name: "replica-serve-stale-data",
        aliases: &["slave-serve-stale-data"],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    // What a replica tells in INFO for Sentinel's choice of a new primary; held.
    ConfigParam {
        name: "replica-priority",
        aliases: &["slave-priority"],
        kind: ConfigKind::Int {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "100",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "replica-announced",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "yes",
        mutable: true,
        clamp: None,
    },
    // Where a replica reads a full sync's snapshot: written to `dbfilename` first and loaded
    // from there (`disabled`), or parsed from the socket (`swapdb`, and `on-empty-db` when
    // the replica holds no key), the file then left as it was.
    ConfigParam {
        name: "repl-diskless-load",
        aliases: &[],
        kind: ConfigKind::Enum(&["disabled", "on-empty-db", "swapdb"]),
        default: "disabled",
        mutable: true,
        clamp: None,
    },
    // Whether Redis detaches from its terminal at start; given only at start, held here (the
    // native server always stays in the foreground).
    ConfigParam {
        name: "daemonize",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: false,
        clamp: None,
    },
    // The most all clients' buffers together may take before Redis evicts clients, in bytes
    // or as a percentage of `maxmemory`. The engine does not evict clients: held, checked.
    ConfigParam {
        name: "maxmemory-clients",
        aliases: &[],
        kind: ConfigKind::MemoryOrPercent {
            max: i64::MAX,
            max_percent: 100,
        },
        default: "0",
        mutable: true,
        clamp: None,
    },
    // The most a client's unread requests may fill before Redis closes it. The page's
    // clients send one line at a time and the native server parses each request as it
    // arrives (a single argument is bounded by `proto-max-bulk-len`): held, not enforced.
    ConfigParam {
        name: "client-query-buffer-limit",
        aliases: &[],
        kind: ConfigKind::Memory {
            min: 1024 * 1024,
            max: i64::MAX,
        },
        default: "1073741824",
        mutable: true,
        clamp: None,
    },
    // Where deleting a value frees it: in the background (`crate::lazyfree`) or at once, for
    // DEL, eviction, expiry, the deletes and overwrites a command makes on its own (RENAME's
    // target, SET over a hash...) and FLUSHDB/FLUSHALL without an argument.
    ConfigParam {
        name: "lazyfree-lazy-eviction",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "lazyfree-lazy-expire",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "lazyfree-lazy-server-del",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "lazyfree-lazy-user-del",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
    ConfigParam {
        name: "lazyfree-lazy-user-flush",
        aliases: &[],
        kind: ConfigKind::Bool,
        default: "no",
        mutable: true,
        clamp: None,
    },
];

/// Whoever listens for the engine's clients (the native server), so that a CONFIG SET of
/// `port` or `bind` moves the listeners, as Redis's apply step does. The engine has no
/// sockets itself; without one (the page) the two are only held.
pub trait Listening {
    /// Listens at `bind`'s addresses on `port` from now on (`port` 0: nowhere), or leaves
    /// the listeners as they are and says why not.
    fn rebind(&mut self, bind: &str, port: i64) -> Result<(), String>;
}

/// Redis's test hooks (`HIDDEN_CONFIG`): CONFIG GET answers them only when named exactly, so
/// a pattern lists what Redis's does.
pub const HIDDEN: &[&str] = &["rdb-key-save-delay", "key-load-delay"];

/// Parameters of the playground's own, which Redis does not have. Their names start with
/// `playground-`, which no Redis parameter does, and CONFIG GET answers them only when named
/// exactly: a pattern (`CONFIG GET *`, `CONFIG GET maxmemory*`) lists exactly what Redis lists.
pub const OURS: &[&str] = &["playground-exact-lru"];

impl ConfigParam {
    /// Is this one of the playground's own parameters ([`OURS`])?
    pub fn is_ours(&self) -> bool {
        OURS.contains(&self.name)
    }

    /// Does CONFIG GET answer this one only when named exactly ([`OURS`], [`HIDDEN`])?
    pub fn exact_only(&self) -> bool {
        self.is_ours() || HIDDEN.contains(&self.name)
    }
}

/// A parsed value.
#[derive(Clone, Debug, PartialEq)]
enum ConfigValue {
    Bool(bool),
    Int(i64),
    Text(String),
}

/// The current value of every parameter in [`PARAMS`].
#[derive(Clone, Debug)]
pub struct Config {
    values: Vec<ConfigValue>,
}

impl Default for Config {
    fn default() -> Config {
        let values = PARAMS
            .iter()
            .map(|p| {
                parse(p, p.default.as_bytes()).unwrap_or(ConfigValue::Text(p.default.to_string()))
            })
            .collect();
        Config { values }
    }
}

impl Config {
    /// The parameter called `name` (any case, aliases included) and its index.
    pub fn param(name: &[u8]) -> Option<(usize, &'static ConfigParam)> {
        PARAMS.iter().enumerate().find(|(_, p)| {
            p.name.as_bytes().eq_ignore_ascii_case(name)
                || p.aliases
                    .iter()
                    .any(|a| a.as_bytes().eq_ignore_ascii_case(name))
        })
    }

    /// The parameter `name` refers to, if it may be set now (`at_startup` allows immutable
    /// ones). Refusals quote the name as it was given, as Redis's do.
    pub fn settable(name: &[u8], at_startup: bool) -> Result<(usize, &'static ConfigParam), Error> {
        let given = || String::from_utf8_lossy(name).into_owned();
        let (index, param) = Config::param(name).ok_or_else(|| Error::ConfigSetUnknown(given()))?;
        if !param.mutable && !at_startup {
            return Err(Error::ConfigSetFailed {
                name: given(),
                reason: "can't set immutable config".into(),
            });
        }
        Ok((index, param))
    }

    /// Sets one parameter from its text form, as a command-line argument does (`at_startup`)
    /// or as a one-pair CONFIG SET would. A refused value is reported under the parameter's
    /// own name.
    pub fn set(&mut self, name: &[u8], value: &[u8], at_startup: bool) -> Result<(), Error> {
        let (index, _) = Config::settable(name, at_startup)?;
        self.set_index(index, value)
    }

    /// Sets parameter `index` of [`PARAMS`] from its text form, checking the value only.
    pub fn set_index(&mut self, index: usize, value: &[u8]) -> Result<(), Error> {
        let param = &PARAMS[index];
        self.values[index] = parse(param, value).map_err(|reason| Error::ConfigSetFailed {
            name: param.name.to_string(),
            reason,
        })?;
        Ok(())
    }

    /// The value of parameter `index` as CONFIG GET prints it.
    pub fn get(&self, index: usize) -> String {
        match &self.values[index] {
            ConfigValue::Int(n) if PARAMS[index].kind == ConfigKind::KeyspaceEvents => {
                notify_flags::format(*n as u32)
            }
            ConfigValue::Int(n)
                if *n < 0 && matches!(PARAMS[index].kind, ConfigKind::MemoryOrPercent { .. }) =>
            {
                format!("{}%", -n)
            }
            ConfigValue::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            ConfigValue::Int(n) => n.to_string(),
            ConfigValue::Text(s) => s.clone(),
        }
    }

    /// An integer or memory parameter. Names come from the engine's own code, never from input.
    pub fn int(&self, name: &str) -> i64 {
        match Config::param(name.as_bytes()).map(|(i, _)| &self.values[i]) {
            Some(ConfigValue::Int(n)) => *n,
            _ => 0,
        }
    }

    /// A yes/no parameter.
    pub fn flag(&self, name: &str) -> bool {
        matches!(
            Config::param(name.as_bytes()).map(|(i, _)| &self.values[i]),
            Some(ConfigValue::Bool(true))
        )
    }

    /// A text or enum parameter.
    pub fn text(&self, name: &str) -> &str {
        match Config::param(name.as_bytes()).map(|(i, _)| &self.values[i]) {
            Some(ConfigValue::Text(s)) => s,
            _ => "",
        }
    }
}

/// Checks and converts a value as Redis 7.0's `config.c` does, or gives its reason for refusing.
fn parse(param: &ConfigParam, value: &[u8]) -> Result<ConfigValue, String> {
    match param.kind {
        ConfigKind::Bool if value.eq_ignore_ascii_case(b"yes") => Ok(ConfigValue::Bool(true)),
        ConfigKind::Bool if value.eq_ignore_ascii_case(b"no") => Ok(ConfigValue::Bool(false)),
        ConfigKind::Bool => Err("argument must be 'yes' or 'no'".into()),
        ConfigKind::Enum(words) => words
            .iter()
            .find(|w| w.as_bytes().eq_ignore_ascii_case(value))
            .map(|w| ConfigValue::Text(w.to_string()))
            .ok_or_else(|| {
                format!(
                    "argument(s) must be one of the following: {}",
                    words.join(", ")
                )
            }),
        ConfigKind::KeyspaceEvents => notify_flags::parse(value)
            .map(|flags| ConfigValue::Int(i64::from(flags)))
            .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
        ConfigKind::Text => Ok(ConfigValue::Text(
            String::from_utf8_lossy(value).into_owned(),
        )),
        ConfigKind::MasterAddress => {
            let text = String::from_utf8_lossy(value);
            match text.split(' ').collect::<Vec<_>>()[..] {
                [""] => Ok(ConfigValue::Text(String::new())),
                [no, one] if no.eq_ignore_ascii_case("no") && one.eq_ignore_ascii_case("one") => {
                    Ok(ConfigValue::Text(String::new()))
                }
                [host, port] => match port.parse::<u16>() {
                    Ok(port) => Ok(ConfigValue::Text(format!("{host} {port}"))),
                    Err(_) => Err("Invalid master port".into()),
                },
                _ => Err("wrong number of arguments".into()),
            }
        }
        ConfigKind::SavePoints => {
            let text = String::from_utf8_lossy(value);
            // Split on single spaces, each word read as strtoll reads it (an empty one is
            // 0), as Redis's `setConfigSaveOption` does.
            let numbers: Option<Vec<i64>> = if text.is_empty() {
                Some(Vec::new())
            } else {
                text.split(' ')
                    .map(|n| {
                        if n.is_empty() {
                            Some(0)
                        } else {
                            n.parse().ok()
                        }
                    })
                    .collect()
            };
            match numbers {
                Some(n)
                    if n.len() % 2 == 0 && n.chunks(2).all(|pair| pair[0] >= 1 && pair[1] >= 0) =>
                {
                    let words: Vec<String> = n.iter().map(i64::to_string).collect();
                    Ok(ConfigValue::Text(words.join(" ")))
                }
                _ => Err("Invalid save parameters".into()),
            }
        }
        ConfigKind::Int { min, max } => {
            let n = string2ll(value).ok_or("argument couldn't be parsed into an integer")?;
            in_range(param, n, min, max)
        }
        // memtoull gives an unsigned number that Redis then stores in a signed one: a value
        // beyond i64::MAX wraps negative and fails the range check, as in Redis.
        ConfigKind::Memory { min, max } => {
            let n = memtoull(value).ok_or("argument must be a memory value")?;
            in_range(param, n as i64, min, max)
        }
        // As Redis's `numericParseString`: a memory value first, then `N%` (N a whole number
        // of at least 0, stored as -N). Any negative result is then bounded as a percentage,
        // a memory value past i64::MAX (wrapped negative) included, as in Redis.
        ConfigKind::MemoryOrPercent { max, max_percent } => {
            let n = match memtoull(value) {
                Some(bytes) => bytes as i64,
                None => value
                    .strip_suffix(b"%")
                    .filter(|digits| !digits.is_empty())
                    .and_then(string2ll)
                    .filter(|n| *n >= 0)
                    .map(|n| -n)
                    .ok_or("argument must be a memory or percent value")?,
            };
            if n < -max_percent {
                return Err(format!(
                    "percentage argument must be less or equal to {max_percent}"
                ));
            }
            if n > max {
                return Err(format!(
                    "argument must be between {} and {max} inclusive",
                    -max_percent
                ));
            }
            Ok(ConfigValue::Int(n))
        }
    }
}

fn in_range(param: &ConfigParam, n: i64, min: i64, max: i64) -> Result<ConfigValue, String> {
    if !(min..=max).contains(&n) {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(ConfigValue::Int(
        param.clamp.map_or(n, |(lo, hi)| n.clamp(lo, hi)),
    ))
}

/// Redis's memory units (`memtoull`): digits with an optional `b`, `k`, `kb`, `m`, `mb`, `g`,
/// `gb` suffix in any case; `k` is 1000 and `kb` 1024. No sign, no spaces. Like C's `strtoull`,
/// no digits at all reads as 0 and too many saturate; the unit's multiplication wraps, as in
/// Redis 7.0 (`18014398509483032kb` is 1073152 bytes).
pub fn memtoull(text: &[u8]) -> Option<u64> {
    let split = text
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // Redis copies the digits into a 128-byte buffer first and refuses longer ones.
    if digits.len() >= 128 {
        return None;
    }
    let value = digits.iter().try_fold(0u64, |n, d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    Some(value.unwrap_or(u64::MAX).wrapping_mul(mul))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(memtoull(b"256mb"), Some(256 * 1024 * 1024));
        assert_eq!(memtoull(b"1GB"), Some(1 << 30));
        assert_eq!(memtoull(b"100k"), Some(100_000));
        assert_eq!(memtoull(b"12"), Some(12));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull(b"18014398509483032kb"), Some(1073152));
        for bad in [&b"1tb"[..], b"-1", b"+1", b" 1", b"1 mb"] {
            assert_eq!(memtoull(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    fn reason(config: &mut Config, name: &str, value: &str) -> String {
        config
            .set(name.as_bytes(), value.as_bytes(), false)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn values_are_checked_with_redis_texts() {
        let mut config = Config::default();
        assert_eq!(
            reason(&mut config, "HZ", "05"),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"
        );
        assert_eq!(
            reason(&mut config, "active-expire-effort", "11"),
            "ERR CONFIG SET failed (possibly related to argument 'active-expire-effort') - argument must be between 1 and 10 inclusive"
        );
        assert_eq!(
            reason(&mut config, "proto-max-bulk-len", "-1"),
            "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value"
        );
        assert_eq!(
            reason(&mut config, "proto-max-bulk-len", "1m"),
            "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"
        );
        assert_eq!(
            reason(&mut config, "proto-max-bulk-len", "18446744073709551615"),
            "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"
        );
        assert_eq!(
            reason(&mut config, "DATABASES", "4"),
            "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable config"
        );
        assert_eq!(
            reason(&mut config, "Nope", "1"),
            "ERR Unknown option or number of arguments for CONFIG SET - 'Nope'"
        );
        config.set(b"proto-max-bulk-len", b"2GB", false).unwrap();
        assert_eq!(config.int("proto-max-bulk-len"), 2 << 30);
    }

    #[test]
    fn hz_is_clamped_and_databases_set_only_at_startup() {
        let mut config = Config::default();
        assert_eq!(config.int("hz"), 10);
        config.set(b"hz", b"0", false).unwrap();
        assert_eq!(config.int("hz"), 1);
        config.set(b"hz", b"2147483647", false).unwrap();
        assert_eq!(config.int("hz"), 500);
        config.set(b"databases", b"4", true).unwrap();
        assert_eq!(config.int("databases"), 4);
        assert_eq!(config.text("bind"), "127.0.0.1");
        assert_eq!(config.int("port"), 6379);
    }
}
