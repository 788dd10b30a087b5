//! What the tester knows about each command beyond the spec table: how to compare its reply,
//! a syntax where the spec's text is not enough to generate good arguments, and how often to
//! send it ([`ROWS`]); and which commands' outcomes are random by design ([`RANDOM`]). A
//! command the engine implements and these tables do not name is still generated (from its
//! spec row) and compared exactly; adding MULTI/EXEC or a new family is a row here at most.

/// How two servers' replies to one command are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Compare {
    /// Type and bytes, all the way down.
    Exact,
    /// An array, set or map whose order Redis does not fix (SMEMBERS, KEYS): sorted first.
    Unordered,
    /// A flat array of field/value pairs (or a map) in no fixed order (HGETALL, CONFIG GET).
    Pairs,
    /// Only the type and length: the contents are Redis's random choice (RANDOMKEY, TIME).
    Shape,
    /// Integers within this distance (TTLs move between the two servers' calls); negative
    /// answers (-1 no TTL, -2 no key) exactly.
    Near(i64),
    /// HELLO: exact but for the connection's `id`.
    Hello,
    /// Exact but for the clock readings a stream reply holds (each server's own clock), which
    /// must be within [`CLOCK_TOLERANCE_MS`]: the value of a `seen-time` or `idle` field, and a
    /// PEL entry's delivery time or idle time (`[id, consumer, time, count]` or `[id, time,
    /// count]`).
    Clocked,
    /// A cursor command at this argument index, iterated to the end on each server; the
    /// elements met (pairs when `pairs`) compared as sets. SCAN guarantees nothing finer.
    Scan { cursor_at: usize, pairs: bool },
    /// DBSIZE: exact while no key may have expired; after that Redis's active expiry cycle
    /// decides when an expired key stops being counted, so only the type is compared.
    ExactUntilExpiry,
    /// A command of [`RANDOM`]: an error exactly, else the shape, each side's reply drawn
    /// from what that side held.
    Random,
}

/// How far apart two servers' clock readings in one reply may be ([`Compare::Clocked`]): the
/// commands that set them ran on each a few milliseconds apart, on a loaded machine more.
pub const CLOCK_TOLERANCE_MS: i64 = 1000;

/// One row: a command by Redis's full name (`config|get`).
pub struct Row {
    pub name: &'static str,
    pub compare: Compare,
    /// Replaces the spec's `syntax` for generating arguments; `None` keeps it.
    pub syntax: Option<&'static str>,
    /// How often it is picked relative to others; `None` for the default (8 for commands with
    /// keys, 2 for the rest). 0 never generates it.
    pub weight: Option<u32>,
}

const fn row(name: &'static str, compare: Compare) -> Row {
    Row {
        name,
        compare,
        syntax: None,
        weight: None,
    }
}

const fn syntax(name: &'static str, text: &'static str) -> Row {
    Row {
        name,
        compare: Compare::Exact,
        syntax: Some(text),
        weight: None,
    }
}

const fn weight(name: &'static str, weight: u32) -> Row {
    Row {
        name,
        compare: Compare::Exact,
        syntax: None,
        weight: Some(weight),
    }
}

/// The rows. Unknown names (families not written yet) are simply unused until they land.
pub static ROWS: &[Row] = &[
    // Replies Redis leaves unordered.
    row("keys", Compare::Unordered),
    row("smembers", Compare::Unordered),
    row("sinter", Compare::Unordered),
    row("sunion", Compare::Unordered),
    row("sdiff", Compare::Unordered),
    row("hkeys", Compare::Unordered),
    row("hvals", Compare::Unordered),
    row("hgetall", Compare::Pairs),
    row("config|get", Compare::Pairs),
    // Replies that differ by design, with nothing to draw them from (keys chosen at random
    // are in RANDOM).
    row("time", Compare::Shape),
    row("client|id", Compare::Shape),
    row("hello", Compare::Hello),
    row("acl|genpass", Compare::Shape),
    // Each entry's age and CLIENT INFO differ between the servers; the entries do not.
    row("acl|log", Compare::Shape),
    // Time moves between the two servers' calls.
    row("ttl", Compare::Near(1)),
    row("pttl", Compare::Near(50)),
    row("expiretime", Compare::Near(1)),
    row("pexpiretime", Compare::Near(50)),
    row("object|idletime", Compare::Near(1)),
    row("dbsize", Compare::ExactUntilExpiry),
    // Cursors.
    Row {
        name: "scan",
        compare: Compare::Scan {
            cursor_at: 1,
            pairs: false,
        },
        syntax: Some("cursor [MATCH pattern] [COUNT count] [TYPE type]"),
        weight: Some(4),
    },
    row(
        "sscan",
        Compare::Scan {
            cursor_at: 2,
            pairs: false,
        },
    ),
    row(
        "hscan",
        Compare::Scan {
            cursor_at: 2,
            pairs: true,
        },
    ),
    row(
        "zscan",
        Compare::Scan {
            cursor_at: 2,
            pairs: true,
        },
    ),
    // Syntaxes the spec's text does not group, or lists in full where a few values do.
    syntax(
        "config|set",
        "(HZ | ACTIVE-EXPIRE-EFFORT) config-int [(HZ | ACTIVE-EXPIRE-EFFORT) config-int ...]",
    ),
    // Bitmaps: offsets and bits from pools of their own (an offset near 2^32 would make both
    // servers allocate 512 MB), BITFIELD's operations in any order.
    syntax("setbit", "key bit-offset bit"),
    syntax("getbit", "key bit-offset"),
    syntax(
        "bitfield",
        "key [GET encoding field-offset | OVERFLOW (WRAP | SAT | FAIL) | SET encoding field-offset field-value | INCRBY encoding field-offset field-value [GET encoding field-offset | OVERFLOW (WRAP | SAT | FAIL) | SET encoding field-offset field-value | INCRBY encoding field-offset field-value ...]]",
    ),
    syntax(
        "bitfield_ro",
        "key [GET encoding field-offset | SET encoding field-offset field-value [GET encoding field-offset ...]]",
    ),
    // Ten million elements on each server, every time: tests/compat/hyperloglog.redis runs it.
    weight("pfselftest", 0),
    // GETREG answers 16384 registers.
    weight("pfdebug", 2),
    // The engine derives these from a spec table that holds less than Redis's JSON files
    // (argument trees, tips, key-spec flags are approximated: see cmd/server.rs), so only
    // their shape (one entry per name asked, nil for unknown ones) is held to Redis's.
    Row {
        name: "command|info",
        compare: Compare::Shape,
        syntax: Some("command-name [command-name ...]"),
        weight: None,
    },
    // Its summaries, complexities and history notes are written here; the rest is compared
    // with Redis by crates/server/tests/command_docs_diff.py.
    Row {
        name: "command|docs",
        compare: Compare::Shape,
        syntax: Some("command-name [command-name ...]"),
        weight: None,
    },
    syntax("command|getkeys", "@command"),
    Row {
        name: "command|getkeysandflags",
        compare: Compare::Shape,
        syntax: Some("@command"),
        weight: None,
    },
    // SORT's ties keep the order the elements were loaded in, which for a set or a sorted
    // set is Redis's hash table order (ALPHA by a BY key that most elements lack; and with
    // LIMIT, Redis's partial quicksort picks among ties as it pleases), and BY nosort reads a
    // set in that order too. So replies are compared as multisets, and the forms generated
    // are those whose selection Redis fixes: numeric sorts (ties go by the elements' bytes),
    // ALPHA without BY, ALPHA by a key without LIMIT or STORE, and BY without `*` (nosort)
    // without LIMIT. tests/compat/sort.redis holds the order itself to Redis's.
    Row {
        name: "sort",
        compare: Compare::Unordered,
        syntax: Some(
            "key ([BY sort-by] [LIMIT offset count] [GET sort-get [GET sort-get ...]] [ASC | DESC] [STORE destination] | [LIMIT offset count] [GET sort-get [GET sort-get ...]] [ASC | DESC] ALPHA [STORE destination] | BY sort-by [GET sort-get [GET sort-get ...]] [ASC | DESC] ALPHA | BY sort-nosort [GET sort-get [GET sort-get ...]] [ASC | DESC] [ALPHA] [STORE destination])",
        ),
        weight: None,
    },
    Row {
        name: "sort_ro",
        compare: Compare::Unordered,
        syntax: Some(
            "key ([BY sort-by] [LIMIT offset count] [GET sort-get [GET sort-get ...]] [ASC | DESC] | [LIMIT offset count] [GET sort-get [GET sort-get ...]] [ASC | DESC] ALPHA | BY sort-by [GET sort-get [GET sort-get ...]] [ASC | DESC] ALPHA | BY sort-nosort [GET sort-get [GET sort-get ...]] [ASC | DESC] [ALPHA])",
        ),
        weight: None,
    },
    // Whole-server answers that differ by design: the engine implements a part of Redis's
    // command set (COMMAND COUNT, LIST, the bare COMMAND), or they describe the process.
    weight("command", 0),
    weight("command|count", 0),
    weight("command|list", 0),
    weight("info", 0),
    weight("memory|stats", 0),
    weight("memory|malloc-stats", 0),
    // It finds a key that expired and was not collected yet, as Redis does, so over keys
    // with 1 ms TTLs its nil or integer depends on when each server's active expire cycle
    // ran; tests/compat/memory*.redis cover it.
    weight("memory|usage", 0),
    // Its verdict starts from the allocator's total (under 5 MB is "empty"), which in a long
    // run follows what earlier sequences allocated and freed on each server.
    row("memory|doctor", Compare::Shape),
    // What the slow log holds depends on how long each server took (a loaded machine pushes
    // a command over slowlog-log-slower-than on one side only): tests/compat/memory.redis
    // checks it with thresholds that make it deterministic.
    weight("slowlog|get", 0),
    weight("slowlog|len", 0),
    // Every command's call durations, which are the two servers' own: tests/compat/latency.redis
    // checks what does not depend on them, crates/engine/tests/latency.rs the rest.
    weight("latency|histogram", 0),
    // The report is worded here (tests/compat/debug/latency_graph.redis compares its type,
    // the engine's tests its cases).
    weight("latency|doctor", 0),
    // VERSION 5 and 6 draw with rand(), which Redis seeds anew every start:
    // tests/compat/lolwut_role.redis compares the drawings' shape.
    weight("lolwut", 0),
    // Lists only the subcommands the engine has, on purpose.
    weight("client|help", 0),
    // A subscribed connection answers with several replies per command and then pushes, which
    // this one-reply-per-command runner cannot follow: tests/compat/pubsub*.redis cover them.
    weight("subscribe", 0),
    weight("psubscribe", 0),
    weight("ssubscribe", 0),
    weight("unsubscribe", 0),
    weight("punsubscribe", 0),
    weight("sunsubscribe", 0),
    // Their targets are other connections (ids, addresses), and KILL ends the sequence's own.
    weight("client|kill", 0),
    weight("client|unblock", 0),
    // Addresses, ages and memory figures differ from run to run.
    row("client|list", Compare::Shape),
    row("client|info", Compare::Shape),
    // A transaction's replies hold whatever its queued commands answer, random or timed ones
    // included: their number and kind (or the null array of a broken WATCH) are compared.
    row("exec", Compare::Shape),
    // Blocking pops time out after 10 or 20 ms here, which redis-server answers only at its
    // next `hz` tick (100 ms, or a whole second after a generated CONFIG SET hz 1): rare, so
    // that a run stays short.
    weight("blpop", 1),
    weight("brpop", 1),
    weight("blmove", 1),
    weight("brpoplpush", 1),
    weight("blmpop", 1),
    weight("bzpopmin", 1),
    weight("bzpopmax", 1),
    weight("bzmpop", 1),
    // Persistence: Redis's BGSAVE and BGREWRITEAOF fork and answer "already in progress"
    // while a child runs, where the engine's are done before they answer; SAVE writes files,
    // SHUTDOWN stops the server under test, LASTSAVE is each server's own start or save time.
    // tests/compat/persist.redis and crates/server/tests/persist_roundtrip.py cover them.
    weight("save", 0),
    weight("bgsave", 0),
    weight("bgrewriteaof", 0),
    weight("shutdown", 0),
    weight("lastsave", 0),
    // YES and SYNC start Redis's Lua debugger on the connection, which the engine does not
    // have (it answers with an error saying so): tests/compat/scripting.redis covers NO.
    weight("script|debug", 0),
    // OFF and SKIP leave the next commands unanswered, and the tester reads one reply per
    // command: each would cost both servers a read timeout. tests/compat/client_reply.redis
    // covers it with @noreply.
    weight("client|reply", 0),
    // Tracking's invalidations are pushes that arrive after a command's reply, which one read
    // per command would take for the next command's reply; and over tracking-table-max-keys
    // the keys invalidated are drawn at random. tests/compat/tracking*.redis and
    // crates/server/tests/tracking_redis_py.py cover it.
    weight("client|tracking", 0),
    // MONITOR turns the tester's one connection into a monitor, and CLIENT PAUSE holds its
    // next commands for as long as the timeout says: tests/compat/monitor.redis and
    // tests/compat/pause.redis cover them with several connections.
    weight("monitor", 0),
    weight("client|pause", 0),
    weight("client|unpause", 0),
    // SYNC, PSYNC and REPLCONF make the tester's connection a replica, whose stream then
    // carries each server's own pings on its own clock; REPLICAOF and SLAVEOF make the server
    // a replica of whatever address was drawn, whose link state moves with time.
    // tests/compat/replication.redis and replicaof.redis cover their replies, and
    // crates/server/tests/replicate_*.py the replication itself, beside redis-server.
    weight("sync", 0),
    weight("psync", 0),
    weight("replconf", 0),
    weight("replicaof", 0),
    weight("slaveof", 0),
    // A hash table's DUMP follows its own order, which differs between the servers (and a
    // stream's holds its consumers' seen-times).
    row("dump", Compare::Shape),
    // Streams, on two of the three keys (so that groups meet their streams). IDs from pools
    // of explicit ones: `*` is each server's clock, which no later command could compare
    // (tests/compat/ masks it). One stream per XREAD and XREADGROUP
    // (their key and ID lists must pair up), and no BLOCK: a timeout of 0 would wait for ever
    // on both (tests/compat/ covers blocked reads). Replies holding the servers' clocks are
    // compared as [`Compare::Clocked`].
    // Often, so that the other stream commands find entries, and groups.
    Row {
        name: "xadd",
        compare: Compare::Exact,
        syntax: Some(
            "stream-key (new-id | new-id | new-id | NOMKSTREAM new-id | [NOMKSTREAM] (MAXLEN [= | ~] stream-maxlen | MINID [= | ~] stream-id) [LIMIT count] new-id) field value [field value ...]",
        ),
        weight: Some(40),
    },
    syntax("xrange", "stream-key stream-start stream-end [COUNT count]"),
    syntax("xrevrange", "stream-key stream-end stream-start [COUNT count]"),
    syntax("xdel", "stream-key stream-id [stream-id ...]"),
    syntax(
        "xtrim",
        "stream-key (MAXLEN [= | ~] stream-maxlen | MINID [= | ~] stream-id) [LIMIT count]",
    ),
    syntax("xread", "[COUNT count] STREAMS stream-key stream-read-id"),
    syntax(
        "xreadgroup",
        "GROUP group consumer [COUNT count] [NOACK] STREAMS stream-key stream-read-id",
    ),
    syntax("xack", "stream-key group stream-id [stream-id ...]"),
    Row {
        name: "xpending",
        compare: Compare::Clocked,
        syntax: Some(
            "stream-key group [[IDLE min-idle-time] stream-start stream-end count [consumer]]",
        ),
        weight: None,
    },
    syntax(
        "xclaim",
        "stream-key group consumer min-idle-time stream-id [stream-id ...] [IDLE min-idle-time] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID stream-id]",
    ),
    syntax(
        "xautoclaim",
        "stream-key group consumer min-idle-time stream-start [COUNT count] [JUSTID]",
    ),
    syntax(
        "xsetid",
        "stream-key stream-id [ENTRIESADDED entries-read] [MAXDELETEDID stream-id]",
    ),
    Row {
        name: "xgroup|create",
        compare: Compare::Exact,
        syntax: Some(
            "stream-key group (stream-id | $ | stream-id MKSTREAM | $ MKSTREAM) [ENTRIESREAD entries-read]",
        ),
        weight: Some(24),
    },
    syntax(
        "xgroup|setid",
        "stream-key group (stream-id | $) [ENTRIESREAD entries-read]",
    ),
    Row {
        name: "xinfo|stream",
        compare: Compare::Clocked,
        syntax: Some("stream-key [FULL [COUNT count]]"),
        weight: None,
    },
    Row {
        name: "xinfo|consumers",
        compare: Compare::Clocked,
        syntax: Some("stream-key group"),
        weight: None,
    },
    syntax("xinfo|groups", "stream-key"),
    syntax("xlen", "stream-key"),
    syntax("xgroup|destroy", "stream-key group"),
    syntax("xgroup|createconsumer", "stream-key group consumer"),
    syntax("xgroup|delconsumer", "stream-key group consumer"),
    // Functions: the generator's libraries hold one function each (a library's functions
    // come in Redis's dict order), and Redis lists the libraries themselves in that order.
    row("function|list", Compare::Unordered),
    row("function|dump", Compare::Shape),
    weight("function|flush", 1),
    weight("fcall", 6),
    weight("fcall_ro", 6),
    // Rare, so that sequences keep some data.
    weight("flushall", 1),
    weight("flushdb", 1),
    weight("swapdb", 1),
    weight("quit", 1),
    weight("reset", 1),
];

/// A command whose outcome is Redis's random choice: which member it pops or returns, which
/// key, and (to join) which stream ID or what a script draws. Its replies are compared by
/// shape ([`Compare::Random`]): the same error, or the same type and length, and each side's
/// elements drawn from what that side held just before (`drawn_from`). When it writes (the
/// spec's `write` flag) and the two replies differ, the two keyspaces took different turns:
/// the keys it touches (the spec's key positions) are restored on both servers from
/// redis-server's DUMP and expiry time, and the sequence goes on from one state again
/// (`run::resync`). Inside MULTI that happens after EXEC.
pub struct Random {
    pub name: &'static str,
    /// A command whose reply holds everything this one may answer, sent on the same
    /// connection just before it, with [`KEY`] standing for its first key; `None` when there
    /// is nothing to draw from.
    pub drawn_from: Option<&'static [&'static str]>,
}

/// Where a `drawn_from` command takes the random command's first key.
pub const KEY: &str = "{key}";

const fn random(name: &'static str, drawn_from: &'static [&'static str]) -> Random {
    Random {
        name,
        drawn_from: Some(drawn_from),
    }
}

pub static RANDOM: &[Random] = &[
    random("spop", &["SMEMBERS", KEY]),
    random("srandmember", &["SMEMBERS", KEY]),
    random("hrandfield", &["HGETALL", KEY]),
    random("zrandmember", &["ZRANGE", KEY, "0", "-1", "WITHSCORES"]),
    random("randomkey", &["KEYS", "*"]),
];

/// The row for a full name, if the table has one.
pub fn row_for(name: &str) -> Option<&'static Row> {
    ROWS.iter().find(|row| row.name == name)
}

/// The [`RANDOM`] row for a full name.
pub fn random_for(name: &str) -> Option<&'static Random> {
    RANDOM.iter().find(|row| row.name == name)
}

/// How `name`'s replies are compared.
pub fn compare_for(name: &str) -> Compare {
    match random_for(name) {
        Some(_) => Compare::Random,
        None => row_for(name).map_or(Compare::Exact, |row| row.compare),
    }
}
