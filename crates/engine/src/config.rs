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
    /// One of a fixed set of words, where two words may mean the same (Redis's `configEnum`
    /// with a shared value: `oom-score-adj`'s `relative` is `yes`), shown as the first word
    /// of its value.
    Choice(&'static [(&'static str, i64)]),
    /// Any number of words of a set, each a bit (`shutdown-on-sigint save now`), shown in the
    /// set's order, or as the one word whose value is the whole (`default` for none).
    Flags(&'static [(&'static str, i64)]),
    /// `yes` / `no`, where `yes` is refused with this reason: a feature this server does not
    /// have, refused as a Redis built without it refuses it (`activedefrag`).
    BoolWithoutYes(&'static str),
    /// A whole number written in octal (`unixsocketperm`), within `min..=max`.
    Octal { min: i64, max: i64 },
    /// Bytes as [`ConfigKind::Memory`], any number up to 2^64-1, held as the bits of an
    /// unsigned number and shown unsigned (`cluster-link-sendbuf-limit`).
    UnsignedMemory,
    /// `client-output-buffer-limit`'s `<class> <hard> <soft> <soft seconds>` quadruples for
    /// the classes `normal`, `replica` (`slave`) and `pubsub`: a class given takes its new
    /// limits, the others keep theirs; shown for all three in that order.
    OutputBufferLimits,
    /// `oom-score-adj-values`: three whole numbers from -2000 to 2000.
    OomScoreAdjValues,
    /// `latency-tracking-info-percentiles`: percentiles (doubles from 0 to 100), shown as
    /// `%f` with its trailing zeros cut; empty for none.
    Percentiles,
    /// Free text that must pass a check.
    CheckedText(TextCheck),
}

/// The checks a [`ConfigKind::CheckedText`] value must pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextCheck {
    /// A hostname: under 256 characters, letters, digits, `-` and `.` only.
    Hostname,
    /// `proc-title-template`: `{name}` variables Redis knows, and something left to show
    /// once they are filled in.
    ProcTitleTemplate,
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
    // Clients: an ordinary client idle for more than `timeout` seconds is closed by the cron
    // (`Engine::close_idle_clients`); 0: never.
    ConfigParam::new("timeout", INT_MAX, "0"),
    // TCP settings of the native server's sockets, which tokio sets up its own way: held.
    ConfigParam::new("tcp-keepalive", INT_MAX, "300"),
    ConfigParam::new("tcp-backlog", INT_MAX, "511").immutable(),
    ConfigParam::new("socket-mark-id", ConfigKind::Int { min: 0, max: u32::MAX as i64 }, "0")
        .immutable(),
    ConfigParam::new("bind-source-addr", ConfigKind::Text, ""),
    // The native server listens on TCP only: a Unix socket is held, never opened.
    ConfigParam::new("unixsocket", ConfigKind::Text, "").immutable(),
    ConfigParam::new("unixsocketperm", ConfigKind::Octal { min: 0, max: 0o777 }, "0")
        .immutable(),
    // What each client class may have waiting in its output buffer before Redis closes it.
    // The engine hands replies to its front end at once and keeps no such buffer: held.
    ConfigParam::new("client-output-buffer-limit", ConfigKind::OutputBufferLimits, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    // The channels a new user or selector (and ACL SETUSER's `reset`) may use: none
    // (`resetchannels`), or all (`allchannels`, 6.2's way) (`crate::acl`).
    ConfigParam::new("acl-pubsub-default", ConfigKind::Enum(&["allchannels", "resetchannels"]), "resetchannels"),
    // Replication (`crate::replication`). A replica ignores `maxmemory` (neither evicts nor
    // refuses writes for it: its primary's stream decides, `crate::evict`), and flushes its
    // old data through the lazy-free queue before a full sync's snapshot when
    // `replica-lazy-flush` says so (`crate::lazyfree`).
    ConfigParam::new("replica-ignore-maxmemory", ConfigKind::Bool, "yes").aliased(&["slave-ignore-maxmemory"]),
    ConfigParam::new("replica-lazy-flush", ConfigKind::Bool, "no").aliased(&["slave-lazy-flush"]),
    // The address and port a replica tells its primary in its handshake (REPLCONF
    // ip-address, listening-port), which the primary lists in INFO replication and ROLE;
    // empty and 0: its own port, and the address the primary sees.
    ConfigParam::new("replica-announce-ip", ConfigKind::Text, "").aliased(&["slave-announce-ip"]),
    ConfigParam::new("replica-announce-port", PORT, "0").aliased(&["slave-announce-port"]),
    // What a replica does when a command from its primary fails, or when it cannot write
    // its primary's commands to its disk: Redis may stop the process; the engine goes on
    // applying the stream, whatever these say. Held.
    ConfigParam::new("propagation-error-behavior", ConfigKind::Enum(&["ignore", "panic", "panic-on-replicas"]), "ignore"),
    ConfigParam::new("replica-ignore-disk-write-errors", ConfigKind::Bool, "no"),
    // The socket option of the replication link, set by the native server's own way: held.
    ConfigParam::new("repl-disable-tcp-nodelay", ConfigKind::Bool, "no"),
    // How the files are written: fsync pacing while writing a snapshot or a rewrite, a
    // rewrite's fsync pause, timestamps in the log, the old log files' removal and a
    // replica's sync file; the storage writes whole files its own way. Held.
    ConfigParam::new("rdb-del-sync-files", ConfigKind::Bool, "no"),
    ConfigParam::new("rdb-save-incremental-fsync", ConfigKind::Bool, "yes"),
    ConfigParam::new("aof-rewrite-incremental-fsync", ConfigKind::Bool, "yes"),
    ConfigParam::new("no-appendfsync-on-rewrite", ConfigKind::Bool, "no"),
    ConfigParam::new("aof-timestamp-enabled", ConfigKind::Bool, "no"),
    ConfigParam::new("aof-disable-auto-gc", ConfigKind::Bool, "no"),
    // RESTORE's payloads are checked whole whatever this says (`crate::rdb`): held.
    ConfigParam::new("sanitize-dump-payload", ConfigKind::Enum(&["no", "yes", "clients"]), "no"),
    // The process: its title, logo, logging, supervision, CPU affinity, huge pages, the
    // allocator's thread, crash reports and the kernel's OOM score. The engine is no
    // process of its own and the native server logs to its standard output: held.
    ConfigParam::new("loglevel", ConfigKind::Enum(&["debug", "verbose", "notice", "warning"]), "notice"),
    ConfigParam::new("logfile", ConfigKind::Text, "").immutable(),
    ConfigParam::new("syslog-enabled", ConfigKind::Bool, "no").immutable(),
    ConfigParam::new("syslog-ident", ConfigKind::Text, "redis").immutable(),
    ConfigParam::new("syslog-facility", ConfigKind::Enum(&["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]), "local0").immutable(),
    ConfigParam::new("pidfile", ConfigKind::Text, "").immutable(),
    ConfigParam::new("supervised", ConfigKind::Enum(&["upstart", "systemd", "auto", "no"]), "no").immutable(),
    ConfigParam::new("always-show-logo", ConfigKind::Bool, "no").immutable(),
    ConfigParam::new("set-proc-title", ConfigKind::Bool, "yes").immutable(),
    ConfigParam::new("proc-title-template", ConfigKind::CheckedText(TextCheck::ProcTitleTemplate), "{title} {listen-addr} {server-mode}"),
    ConfigParam::new("server_cpulist", ConfigKind::Text, "").immutable(),
    ConfigParam::new("bio_cpulist", ConfigKind::Text, "").immutable(),
    ConfigParam::new("aof_rewrite_cpulist", ConfigKind::Text, "").immutable(),
    ConfigParam::new("bgsave_cpulist", ConfigKind::Text, "").immutable(),
    ConfigParam::new("disable-thp", ConfigKind::Bool, "yes").immutable(),
    ConfigParam::new("jemalloc-bg-thread", ConfigKind::Bool, "yes"),
    ConfigParam::new("crash-log-enabled", ConfigKind::Bool, "yes"),
    ConfigParam::new("crash-memcheck-enabled", ConfigKind::Bool, "yes"),
    ConfigParam::new("oom-score-adj", ConfigKind::Choice(&[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)]), "no"),
    ConfigParam::new("oom-score-adj-values", ConfigKind::OomScoreAdjValues, "0 200 800"),
    ConfigParam::new("ignore-warnings", ConfigKind::Text, ""),
    // What SHUTDOWN does on a signal: the native server stops on a signal without saving,
    // whatever these say. Held. `shutdown-timeout`: how long SHUTDOWN waits for replicas
    // to catch up, which the engine's SHUTDOWN does not: held.
    ConfigParam::new("shutdown-on-sigint", SHUTDOWN_FLAGS, "default"),
    ConfigParam::new("shutdown-on-sigterm", SHUTDOWN_FLAGS, "default"),
    ConfigParam::new("shutdown-timeout", INT_MAX, "10"),
    // Threads: the engine has one. Held.
    ConfigParam::new("io-threads", ConfigKind::Int { min: 1, max: 128 }, "1").immutable(),
    ConfigParam::new("io-threads-do-reads", ConfigKind::Bool, "no").immutable(),
    // `hz` adapted to the number of clients, and the incremental rehash of Redis's hash
    // tables in the cron: the engine's tables rehash their own way (`crate::dict`). Held.
    ConfigParam::new("dynamic-hz", ConfigKind::Bool, "yes"),
    ConfigParam::new("activerehashing", ConfigKind::Bool, "yes"),
    // Active defragmentation needs Redis's own jemalloc; without it (as here, and in
    // redis-server builds on the system's allocator) it cannot be turned on.
    ConfigParam::new("activedefrag", ConfigKind::BoolWithoutYes("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"), "no"),
    ConfigParam::new("active-defrag-ignore-bytes", ConfigKind::Memory { min: 1, max: i64::MAX }, "104857600"),
    ConfigParam::new("active-defrag-threshold-lower", ConfigKind::Int { min: 0, max: 1000 }, "10"),
    ConfigParam::new("active-defrag-threshold-upper", ConfigKind::Int { min: 0, max: 1000 }, "100"),
    ConfigParam::new("active-defrag-cycle-min", ConfigKind::Int { min: 1, max: 99 }, "1"),
    ConfigParam::new("active-defrag-cycle-max", ConfigKind::Int { min: 1, max: 99 }, "25"),
    ConfigParam::new("active-defrag-max-scan-fields", ConfigKind::Int { min: 1, max: i64::MAX }, "1000"),
    // Whether MODULE may be used: there are no modules here, nor a MODULE command. Held.
    ConfigParam::new("enable-module-command", ConfigKind::Enum(&["no", "yes", "local"]), "no").immutable(),
    // The percentiles INFO latencystats shows (`crate::latency`).
    ConfigParam::new("latency-tracking-info-percentiles", ConfigKind::Percentiles, "50 99 99.9"),
    // Redis Cluster: this server always runs standalone, as Redis does with
    // `cluster-enabled no`, which it can only be started with. Held.
    ConfigParam::new("cluster-enabled", ConfigKind::Bool, "no").immutable(),
    ConfigParam::new("cluster-config-file", ConfigKind::Text, "nodes.conf").immutable(),
    ConfigParam::new("cluster-port", PORT, "0").immutable(),
    ConfigParam::new("cluster-node-timeout", ConfigKind::Int { min: 0, max: i64::MAX }, "15000"),
    ConfigParam::new("cluster-announce-ip", ConfigKind::Text, ""),
    ConfigParam::new("cluster-announce-hostname", ConfigKind::CheckedText(TextCheck::Hostname), ""),
    ConfigParam::new("cluster-announce-port", PORT, "0"),
    ConfigParam::new("cluster-announce-bus-port", PORT, "0"),
    ConfigParam::new("cluster-announce-tls-port", PORT, "0"),
    ConfigParam::new("cluster-preferred-endpoint-type", ConfigKind::Enum(&["ip", "hostname", "unknown-endpoint"]), "ip"),
    ConfigParam::new("cluster-require-full-coverage", ConfigKind::Bool, "yes"),
    ConfigParam::new("cluster-replica-no-failover", ConfigKind::Bool, "no").aliased(&["cluster-slave-no-failover"]),
    ConfigParam::new("cluster-replica-validity-factor", INT_MAX, "10").aliased(&["cluster-slave-validity-factor"]),
    ConfigParam::new("cluster-migration-barrier", INT_MAX, "1"),
    ConfigParam::new("cluster-allow-replica-migration", ConfigKind::Bool, "yes"),
    ConfigParam::new("cluster-allow-reads-when-down", ConfigKind::Bool, "no"),
    ConfigParam::new("cluster-allow-pubsubshard-when-down", ConfigKind::Bool, "yes"),
    ConfigParam::new("cluster-link-sendbuf-limit", ConfigKind::UnsignedMemory, "0"),
    // TLS: the native server speaks plain TCP. The files and options are held; turning TLS
    // on (a TLS port, TLS for replication or the cluster bus) is refused as a Redis without
    // usable certificates refuses it (`crate::cmd::config`).
    ConfigParam::new("tls-port", PORT, "0"),
    ConfigParam::new("tls-replication", ConfigKind::Bool, "no"),
    ConfigParam::new("tls-cluster", ConfigKind::Bool, "no"),
    ConfigParam::new("tls-auth-clients", ConfigKind::Enum(&["no", "yes", "optional"]), "yes"),
    ConfigParam::new("tls-session-cache-size", INT_MAX, "20480"),
    ConfigParam::new("tls-session-cache-timeout", INT_MAX, "300"),
    ConfigParam::new("tls-prefer-server-ciphers", ConfigKind::Bool, "no"),
    ConfigParam::new("tls-session-caching", ConfigKind::Bool, "yes"),
    ConfigParam::new("tls-cert-file", ConfigKind::Text, ""),
    ConfigParam::new("tls-key-file", ConfigKind::Text, ""),
    ConfigParam::new("tls-key-file-pass", ConfigKind::Text, ""),
    ConfigParam::new("tls-client-cert-file", ConfigKind::Text, ""),
    ConfigParam::new("tls-client-key-file", ConfigKind::Text, ""),
    ConfigParam::new("tls-client-key-file-pass", ConfigKind::Text, ""),
    ConfigParam::new("tls-dh-params-file", ConfigKind::Text, ""),
    ConfigParam::new("tls-ca-cert-file", ConfigKind::Text, ""),
    ConfigParam::new("tls-ca-cert-dir", ConfigKind::Text, ""),
    ConfigParam::new("tls-protocols", ConfigKind::Text, ""),
    ConfigParam::new("tls-ciphers", ConfigKind::Text, ""),
    ConfigParam::new("tls-ciphersuites", ConfigKind::Text, ""),
    // Redis's test hooks (`HIDDEN`): exit instead of abort on a panic, the software watchdog's
    // period, how often loading serves clients. The engine neither panics nor loads in
    // pieces, and has no watchdog: held.
    ConfigParam::new("use-exit-on-panic", ConfigKind::Bool, "no"),
    ConfigParam::new("watchdog-period", INT_MAX, "0"),
    ConfigParam::new("loading-process-events-interval-bytes", ConfigKind::Int { min: 1024, max: i32::MAX as i64 }, "2097152"),
];

/// Kinds several rows share.
const INT_MAX: ConfigKind = ConfigKind::Int {
    min: 0,
    max: i32::MAX as i64,
};
const PORT: ConfigKind = ConfigKind::Int { min: 0, max: 65535 };
const SHUTDOWN_FLAGS: ConfigKind = ConfigKind::Flags(&[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
]);

impl ConfigParam {
    /// A row that may be changed at run time, has no older name and is not clamped.
    const fn new(name: &'static str, kind: ConfigKind, default: &'static str) -> ConfigParam {
        ConfigParam {
            name,
            aliases: &[],
            kind,
            default,
            mutable: true,
            clamp: None,
        }
    }

    /// The row, given at start only.
    const fn immutable(self) -> ConfigParam {
        ConfigParam {
            mutable: false,
            ..self
        }
    }

    /// The row, with its older names.
    const fn aliased(self, aliases: &'static [&'static str]) -> ConfigParam {
        ConfigParam { aliases, ..self }
    }

    /// Whether a start-up argument takes several words (`--save 3600 1 300 100`), which the
    /// value gets joined by single spaces, as Redis's `MULTI_ARG_CONFIG` parameters.
    pub fn takes_words(&self) -> bool {
        self.name == "bind"
            || matches!(
                self.kind,
                ConfigKind::SavePoints
                    | ConfigKind::MasterAddress
                    | ConfigKind::Flags(_)
                    | ConfigKind::OutputBufferLimits
                    | ConfigKind::OomScoreAdjValues
                    | ConfigKind::Percentiles
            )
    }
}

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
pub const HIDDEN: &[&str] = &[
    "rdb-key-save-delay",
    "key-load-delay",
    "use-exit-on-panic",
    "watchdog-period",
    "loading-process-events-interval-bytes",
];

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
                parse(p, p.default.as_bytes(), None)
                    .unwrap_or(ConfigValue::Text(p.default.to_string()))
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
        let current = Some(&self.values[index]);
        self.values[index] =
            parse(param, value, current).map_err(|reason| Error::ConfigSetFailed {
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
            ConfigValue::Int(n) => match PARAMS[index].kind {
                ConfigKind::Choice(words) => words
                    .iter()
                    .find(|(_, v)| v == n)
                    .map_or("unknown", |(w, _)| w)
                    .to_string(),
                ConfigKind::Flags(words) => flag_names(words, *n),
                ConfigKind::Octal { .. } => format!("{n:o}"),
                ConfigKind::UnsignedMemory => (*n as u64).to_string(),
                _ => n.to_string(),
            },
            ConfigValue::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
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

/// Checks and converts a value as Redis 7.0's `config.c` does, or gives its reason for
/// refusing. `current` is the value it replaces, for a kind that changes only part of it.
fn parse(
    param: &ConfigParam,
    value: &[u8],
    current: Option<&ConfigValue>,
) -> Result<ConfigValue, String> {
    match param.kind {
        ConfigKind::BoolWithoutYes(_) if value.eq_ignore_ascii_case(b"no") => {
            Ok(ConfigValue::Bool(false))
        }
        ConfigKind::BoolWithoutYes(reason) if value.eq_ignore_ascii_case(b"yes") => {
            Err(reason.into())
        }
        ConfigKind::BoolWithoutYes(_) => Err("argument must be 'yes' or 'no'".into()),
        ConfigKind::Choice(words) => words
            .iter()
            .find(|(w, _)| w.as_bytes().eq_ignore_ascii_case(value))
            .map(|(_, v)| ConfigValue::Int(*v))
            .ok_or_else(|| choices(words)),
        // Split on single spaces (an empty value is no word at all); every word must be one
        // of the set; SAVE and NOSAVE exclude each other (`isValidShutdownOnSigFlags`).
        ConfigKind::Flags(words) => {
            let mut bits = 0;
            let given: Vec<&[u8]> = match value.is_empty() {
                true => Vec::new(),
                false => value.split(|&b| b == b' ').collect(),
            };
            if given.is_empty() {
                return Err(choices(words));
            }
            for word in given {
                let (_, v) = words
                    .iter()
                    .find(|(w, _)| w.as_bytes().eq_ignore_ascii_case(word))
                    .ok_or_else(|| choices(words))?;
                bits |= v;
            }
            if bits & 3 == 3 {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
            }
            Ok(ConfigValue::Int(bits))
        }
        // C's strtoll in base 8 over the whole value, then an unsigned range check.
        ConfigKind::Octal { min, max } => {
            let n = match strtoll(value, 8) {
                Some((n, false)) => n,
                _ => return Err("argument couldn't be parsed as an octal number".into()),
            };
            if n < min || n > max {
                return Err(format!(
                    "argument must be between {min:o} and {max:o} inclusive"
                ));
            }
            Ok(ConfigValue::Int(n))
        }
        ConfigKind::UnsignedMemory => memtoull(value)
            .map(|n| ConfigValue::Int(n as i64))
            .ok_or_else(|| "argument must be a memory value".into()),
        ConfigKind::OutputBufferLimits => {
            let mut limits = match current {
                Some(ConfigValue::Text(text)) => OutputBufferLimits::read(text),
                _ => OutputBufferLimits::default(),
            };
            limits.update(value)?;
            Ok(ConfigValue::Text(limits.to_string()))
        }
        ConfigKind::OomScoreAdjValues => {
            let words: Vec<&[u8]> = match value.is_empty() {
                true => Vec::new(),
                false => value.split(|&b| b == b' ').collect(),
            };
            if words.len() != 3 {
                return Err("wrong number of arguments".into());
            }
            let values: Option<Vec<String>> = words
                .iter()
                .map(|w| {
                    strtoll(w, 10)
                        .map(|(n, _)| n)
                        .filter(|n| (-2000..=2000).contains(n))
                        .map(|n| n.to_string())
                })
                .collect();
            values
                .map(|v| ConfigValue::Text(v.join(" ")))
                .ok_or_else(|| {
                    "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into()
                })
        }
        ConfigKind::Percentiles => {
            // A single empty word is no percentile at all.
            if value.is_empty() {
                return Ok(ConfigValue::Text(String::new()));
            }
            let mut shown = Vec::new();
            for word in value.split(|&b| b == b' ') {
                let p = crate::args::parse_f64(word)
                    .map_err(|_| "Invalid latency-tracking-info-percentiles parameters")?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                            .into(),
                    );
                }
                shown.push(trim_double(&format!("{p:.6}")));
            }
            Ok(ConfigValue::Text(shown.join(" ")))
        }
        ConfigKind::CheckedText(check) => {
            let text = String::from_utf8_lossy(value).into_owned();
            check.check(&text)?;
            Ok(ConfigValue::Text(text))
        }
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

/// An enum's refusal, listing every word in the set's order.
fn choices(words: &[(&str, i64)]) -> String {
    let names: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
    format!(
        "argument(s) must be one of the following: {}",
        names.join(", ")
    )
}

/// A [`ConfigKind::Flags`] value as Redis's `configEnumGetName` words it: the one word whose
/// value it is, else the words of its bits in the set's order.
fn flag_names(words: &[(&str, i64)], bits: i64) -> String {
    if let Some((word, _)) = words.iter().find(|(_, v)| *v == bits) {
        return word.to_string();
    }
    let names: Vec<&str> = words
        .iter()
        .filter(|(_, v)| *v != 0 && bits & v == *v)
        .map(|(w, _)| *w)
        .collect();
    names.join(" ")
}

/// C's `strtoll` over the whole of `text`: leading blanks, a sign, digits of `radix`, and
/// nothing after them; none at all reads as 0 only when the text is empty (the end pointer
/// is then on the terminating NUL). Gives the value, saturated, and whether it overflowed.
fn strtoll(text: &[u8], radix: u32) -> Option<(i64, bool)> {
    if text.is_empty() {
        return Some((0, false));
    }
    let start = text
        .iter()
        .position(|&b| !crate::args::is_c_space(b))
        .unwrap_or(text.len());
    let rest = &text[start..];
    let (negative, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(|&b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = digits.iter().try_fold(0i128, |n, &b| {
        let n = n * i128::from(radix) + i128::from((b as char).to_digit(radix)?);
        Some(n.min(i128::from(u64::MAX) + 1))
    })?;
    let signed = if negative { -magnitude } else { magnitude };
    match i64::try_from(signed) {
        Ok(n) => Some((n, false)),
        Err(_) if negative => Some((i64::MIN, true)),
        Err(_) => Some((i64::MAX, true)),
    }
}

/// `%f`'s text of a double with the trailing zeros of its fraction cut, and the point with
/// them when nothing is left after it (Redis's `trimDoubleString`).
fn trim_double(text: &str) -> String {
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text.to_string(),
    }
}

impl TextCheck {
    fn check(self, text: &str) -> Result<(), String> {
        match self {
            TextCheck::Hostname => {
                if text.len() >= 256 {
                    return Err("Hostnames must be less than 256 characters".into());
                }
                if !text
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
                {
                    return Err(
                        "Hostnames may only contain alphanumeric characters, hyphens or dots"
                            .into(),
                    );
                }
                Ok(())
            }
            TextCheck::ProcTitleTemplate => match proc_title_shows_something(text) {
                Some(true) => Ok(()),
                _ => Err("template format is invalid or contains unknown variables".into()),
            },
        }
    }
}

/// Reads a `proc-title-template` as Redis's `sdstemplate` does: `{{` is a brace, `{name}` a
/// variable, which must be one Redis knows. `None` when it cannot be read; otherwise
/// whether anything but spaces would be left once filled in with an empty title, as
/// `validateProcTitleTemplate` requires. `{title}`, `{server-mode}` (standalone here) and
/// `{unixsocket}` (none here) fill in empty; every other variable never does.
fn proc_title_shows_something(template: &str) -> Option<bool> {
    let mut shows = false;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        shows |= rest[..open].bytes().any(|b| b != b' ');
        let after = &rest[open + 1..];
        if after.is_empty() {
            return None;
        }
        if let Some(quoted) = after.strip_prefix('{') {
            shows = true;
            rest = quoted;
            continue;
        }
        let close = after.find('}')?;
        match &after[..close] {
            "title" | "server-mode" | "unixsocket" => {}
            "listen-addr" | "config-file" | "port" | "tls-port" => shows = true,
            _ => return None,
        }
        rest = &after[close + 1..];
    }
    Some(shows || rest.bytes().any(|b| b != b' '))
}

/// The limits of `client-output-buffer-limit`: for each class (normal, replica, pubsub) the
/// hard limit, the soft limit (bytes) and how long the soft one may be exceeded (seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct OutputBufferLimits([(u64, u64, i64); 3]);

/// The classes as CONFIG GET names them, in its order.
const OUTPUT_BUFFER_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

impl OutputBufferLimits {
    /// Reads the value as [`OutputBufferLimits::to_string`] wrote it.
    fn read(text: &str) -> OutputBufferLimits {
        let mut limits = OutputBufferLimits::default();
        let _ = limits.update(text.as_bytes());
        limits
    }

    /// Applies `class hard soft seconds` quadruples, all of them or none
    /// (`updateClientOutputBufferLimit`): a class named twice takes the later limits.
    fn update(&mut self, value: &[u8]) -> Result<(), String> {
        let words: Vec<&[u8]> = match value.is_empty() {
            true => Vec::new(),
            false => value.split(|&b| b == b' ').collect(),
        };
        if !words.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        }
        let mut next = *self;
        for quad in words.chunks(4) {
            let class = match String::from_utf8_lossy(quad[0])
                .to_ascii_lowercase()
                .as_str()
            {
                "normal" => 0,
                "slave" | "replica" => 1,
                "pubsub" => 2,
                _ => {
                    return Err(
                        "Invalid client class specified in buffer limit configuration.".into(),
                    )
                }
            };
            // The seconds are read as C's strtoll and kept in an int, as Redis keeps them.
            let seconds = strtoll(quad[3], 10).map(|(n, _)| i64::from(n as i32));
            match (memtoull(quad[1]), memtoull(quad[2]), seconds) {
                (Some(hard), Some(soft), Some(seconds)) if seconds >= 0 => {
                    next.0[class] = (hard, soft, seconds);
                }
                _ => return Err(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                        .into(),
                ),
            }
        }
        *self = next;
        Ok(())
    }
}

impl std::fmt::Display for OutputBufferLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (class, (hard, soft, seconds))) in
            OUTPUT_BUFFER_CLASSES.iter().zip(self.0).enumerate()
        {
            let gap = if i == 0 { "" } else { " " };
            write!(f, "{gap}{class} {hard} {soft} {seconds}")?;
        }
        Ok(())
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
