//! Generic key commands and databases: DEL, UNLINK, EXISTS, TYPE, TOUCH, the EXPIRE and TTL
//! families, PERSIST, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, DBSIZE, FLUSHDB,
//! FLUSHALL, SELECT and SWAPDB: Redis's `db.c` and `expire.c` commands.
//!
//! Every key is reached through the doors in `crate::db` (lazy expiry, hit/miss counting, LRU
//! touch), with the lookup flags Redis uses for each command, and every change is announced
//! with the event name Redis's `notifyKeyspaceEvent` uses (`del`, `expire`, `rename_from`...).
//!
//! # SCAN's cursor
//!
//! Redis walks its hash table's buckets with a reverse-binary cursor, so that rehashing cannot
//! make it skip a bucket. Our keyspace is an `IndexMap`, whose only moving part is
//! `swap_remove`: deleting the key at position `p` moves the *last* entry into `p`; inserting
//! appends at the end; overwriting keeps the position. The cursor is built around that:
//!
//! ```text
//! positions   0   1   2   3   4   5   6   7        cursor = 5: positions 0..5 still to visit
//!           [ a | b | c | d | e | f | g | h ]
//!             <-- still to visit --> <-visited->  the walk goes from the top down
//! ```
//!
//! - The cursor is the number of positions still to visit; those are `0..cursor`, visited from
//!   the top down, COUNT positions per call. Cursor 0 starts a walk from the current length,
//!   and a returned 0 means the walk is done. A cursor beyond the length (keys were deleted) is
//!   read as the length.
//! - Deleting any key moves only the last entry. If the hole is in the visited part, the last
//!   entry was visited too; if the hole is in the part still to visit, the last entry lands
//!   there and is visited (again, at worst: SCAN allows duplicates). An entry not yet visited
//!   can only move to a lower position, which is still to visit.
//! - New keys land at the end, which the walk has already passed; SCAN need not return keys
//!   that were not present for the whole iteration.
//!
//! So a full iteration returns every key present throughout it, Redis's guarantee, however
//! keys come and go between calls. SSCAN, HSCAN and ZSCAN walk a collection's own
//! position-addressable map the same way, through the one [`scan_elements`].

use std::ops::Range;

use crate::args::{is, parse_i64};
use crate::db::{Entry, LookupFlags, StringOrigin, Value};
use crate::engine::{Call, Engine, Outcome};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::glob;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: flag::WRITE,
        group: "generic",
        since: "1.0.0",
        summary: "Deletes one or more keys and returns how many existed.",
        syntax: "key [key ...]",
        complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
        keys: &[KeySpec::range(key_flag::RM | key_flag::DELETE, 1, -1, 1)],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        handler: Some(del),
        subcommands: &[],
    },
    CommandSpec {
        name: "unlink",
        arity: -2,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "4.0.0",
        summary: "Deletes keys like DEL, reclaiming their memory in the background.",
        syntax: "key [key ...]",
        complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
        keys: &[KeySpec::range(key_flag::RM | key_flag::DELETE, 1, -1, 1)],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        handler: Some(del),
        subcommands: &[],
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "1.0.0",
        summary: "Counts how many of the given keys exist, a key named twice counting twice.",
        syntax: "key [key ...]",
        complexity: "O(N) where N is the number of keys to check.",
        keys: &[KeySpec::range(key_flag::RO, 1, -1, 1)],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        handler: Some(exists),
        subcommands: &[],
    },
    CommandSpec {
        name: "type",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "1.0.0",
        summary: "Returns the type of the value stored at a key, or none.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(type_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "expire",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "1.0.0",
        summary: "Sets a key's time to live in seconds.",
        syntax: "key seconds [NX | XX | GT | LT]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(expire),
        subcommands: &[],
    },
    CommandSpec {
        name: "pexpire",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "2.6.0",
        summary: "Sets a key's time to live in milliseconds.",
        syntax: "key milliseconds [NX | XX | GT | LT]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(pexpire),
        subcommands: &[],
    },
    CommandSpec {
        name: "expireat",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "1.2.0",
        summary: "Makes a key expire at a Unix time given in seconds.",
        syntax: "key unix-time-seconds [NX | XX | GT | LT]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(expireat),
        subcommands: &[],
    },
    CommandSpec {
        name: "pexpireat",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "2.6.0",
        summary: "Makes a key expire at a Unix time given in milliseconds.",
        syntax: "key unix-time-milliseconds [NX | XX | GT | LT]",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(pexpireat),
        subcommands: &[],
    },
    CommandSpec {
        name: "ttl",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "1.0.0",
        summary: "Returns a key's remaining time to live in seconds.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(ttl),
        subcommands: &[],
    },
    CommandSpec {
        name: "pttl",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "2.6.0",
        summary: "Returns a key's remaining time to live in milliseconds.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(pttl),
        subcommands: &[],
    },
    CommandSpec {
        name: "expiretime",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "7.0.0",
        summary: "Returns the Unix time in seconds at which a key will expire.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(expiretime),
        subcommands: &[],
    },
    CommandSpec {
        name: "pexpiretime",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "7.0.0",
        summary: "Returns the Unix time in milliseconds at which a key will expire.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(pexpiretime),
        subcommands: &[],
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "2.2.0",
        summary: "Removes a key's time to live, so that it never expires.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(persist),
        subcommands: &[],
    },
    CommandSpec {
        name: "keys",
        arity: 2,
        flags: flag::READONLY | flag::ACL_DANGEROUS,
        group: "generic",
        since: "1.0.0",
        summary: "Returns every key name matching a glob-style pattern, in one blocking pass.",
        syntax: "pattern",
        complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
        keys: &[],
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        handler: Some(keys),
        subcommands: &[],
    },
    CommandSpec {
        name: "scan",
        arity: -2,
        flags: flag::READONLY,
        group: "generic",
        since: "2.8.0",
        summary: "Walks the key space a few keys per call, guided by a cursor.",
        syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        keys: &[],
        tips: &["nondeterministic_output", "request_policy:special"],
        handler: Some(scan),
        subcommands: &[],
    },
    CommandSpec {
        name: "rename",
        arity: 3,
        flags: flag::WRITE,
        group: "generic",
        since: "1.0.0",
        summary: "Renames a key, overwriting the destination if it exists.",
        syntax: "key newkey",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::OW | key_flag::UPDATE, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(rename),
        subcommands: &[],
    },
    CommandSpec {
        name: "renamenx",
        arity: 3,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "1.0.0",
        summary: "Renames a key only when the new name is not taken.",
        syntax: "key newkey",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::OW | key_flag::INSERT, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(renamenx),
        subcommands: &[],
    },
    CommandSpec {
        name: "copy",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "generic",
        since: "6.2.0",
        summary: "Copies a key's value and time to live to another key, in this or another database.",
        syntax: "source destination [DB destination-db] [REPLACE]",
        complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
        keys: &[
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1),
            KeySpec::range(key_flag::OW | key_flag::UPDATE, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(copy),
        subcommands: &[],
    },
    CommandSpec {
        name: "touch",
        arity: -2,
        flags: flag::READONLY | flag::FAST,
        group: "generic",
        since: "3.2.1",
        summary: "Refreshes the last access time of keys and counts those that exist.",
        syntax: "key [key ...]",
        complexity: "O(N) where N is the number of keys that will be touched.",
        keys: &[KeySpec::range(key_flag::RO, 1, -1, 1)],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        handler: Some(touch),
        subcommands: &[],
    },
    CommandSpec {
        name: "randomkey",
        arity: 1,
        flags: flag::READONLY,
        group: "generic",
        since: "1.0.0",
        summary: "Returns the name of a key picked at random.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        handler: Some(randomkey),
        subcommands: &[],
    },
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: flag::READONLY | flag::FAST | flag::ACL_KEYSPACE,
        group: "server",
        since: "1.0.0",
        summary: "Returns the number of keys in the selected database.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        handler: Some(dbsize),
        subcommands: &[],
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: flag::WRITE | flag::ACL_KEYSPACE | flag::ACL_DANGEROUS,
        group: "server",
        since: "1.0.0",
        summary: "Deletes every key of the selected database.",
        syntax: "[ASYNC | SYNC]",
        complexity: "O(N) where N is the number of keys in the selected database",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        handler: Some(flushdb),
        subcommands: &[],
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: flag::WRITE | flag::ACL_KEYSPACE | flag::ACL_DANGEROUS,
        group: "server",
        since: "1.0.0",
        summary: "Deletes every key of every database.",
        syntax: "[ASYNC | SYNC]",
        complexity: "O(N) where N is the total number of keys in all databases",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        handler: Some(flushall),
        subcommands: &[],
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: flag::LOADING | flag::STALE | flag::FAST,
        group: "connection",
        since: "1.0.0",
        summary: "Switches this connection to another numbered database.",
        syntax: "index",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(select),
        subcommands: &[],
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: flag::WRITE | flag::FAST | flag::ACL_KEYSPACE | flag::ACL_DANGEROUS,
        group: "server",
        since: "4.0.0",
        summary: "Swaps the contents of two databases, for every connection at once.",
        syntax: "index1 index2",
        complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        keys: &[],
        tips: &[],
        handler: Some(swapdb),
        subcommands: &[],
    },
    CommandSpec {
        name: "move",
        arity: 3,
        flags: flag::WRITE | flag::FAST,
        group: "generic",
        since: "1.0.0",
        summary: "Moves a key to another database, unless the name is taken there.",
        syntax: "key db",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(move_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "object",
        arity: -2,
        flags: 0,
        group: "generic",
        since: "2.2.3",
        summary: "A container for commands that inspect how a key's value is stored.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: OBJECT_SUBCOMMANDS,
    },
];

/// OBJECT's subcommands; each takes the key as its second argument.
static OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "encoding",
        arity: 3,
        flags: flag::READONLY,
        group: "generic",
        since: "2.2.3",
        summary: "Returns how Redis 7.0 would store a key's value in memory.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 2, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(object_encoding),
        subcommands: &[],
    },
    CommandSpec {
        name: "freq",
        arity: 3,
        flags: flag::READONLY,
        group: "generic",
        since: "4.0.0",
        summary: "Returns a key's logarithmic access frequency counter (LFU policies only).",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 2, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(object_freq),
        subcommands: &[],
    },
    CommandSpec {
        name: "idletime",
        arity: 3,
        flags: flag::READONLY,
        group: "generic",
        since: "2.2.3",
        summary: "Returns the seconds since a key was last read or written.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 2, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(object_idletime),
        subcommands: &[],
    },
    CommandSpec {
        name: "refcount",
        arity: 3,
        flags: flag::READONLY,
        group: "generic",
        since: "2.2.3",
        summary: "Returns how many references Redis 7.0 would hold to a key's value.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 2, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(object_refcount),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "generic",
        since: "6.2.0",
        summary: "Shows OBJECT's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(object_help),
        subcommands: &[],
    },
];

fn integer(n: i64) -> CommandResult {
    Ok(Reply::Integer(n).into())
}

// --- DEL, UNLINK, EXISTS, TOUCH, TYPE -----------------------------------------------------------

/// ```text
/// DEL key [key ...]
/// UNLINK key [key ...]
/// ```
/// The number of keys that existed and were deleted. A key whose time had passed counts as
/// missing: it goes as `expired`, not `del`. UNLINK hands a big value to the lazy-free queue
/// (`crate::lazyfree`); DEL does too when `lazyfree-lazy-user-del` is on, and else frees it
/// in the command, whose modelled cost then grows with the value (`crate::cost`).
fn del(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let lazy = call.name == "unlink" || engine.lazyfree.user_del;
    let mut deleted = 0;
    for key in &call.argv[1..] {
        engine.expire_if_needed(call.db, key);
        if engine.db_delete_with(call.db, key, lazy) {
            engine.notify(NotifyClass::Generic, "del", call.db, key);
            deleted += 1;
        }
    }
    integer(deleted)
}

/// ```text
/// EXISTS key [key ...]
/// ```
/// How many of the keys exist; a key named twice counts twice. Counts hits and misses but
/// leaves the keys' access time alone.
fn exists(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let found = call.argv[1..]
        .iter()
        .filter(|key| {
            engine
                .lookup_read_with(call.db, key, LookupFlags::NO_TOUCH)
                .is_some()
        })
        .count();
    integer(found as i64)
}

/// ```text
/// TOUCH key [key ...]
/// ```
/// Reads each key as GET would (refreshing its access time) and answers how many exist.
fn touch(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let found = call.argv[1..]
        .iter()
        .filter(|key| engine.lookup_read(call.db, key).is_some())
        .count();
    integer(found as i64)
}

/// ```text
/// TYPE key
/// ```
/// `string`, `list`, `set`, `zset`, `hash`, `stream`, or `none`, as a status reply.
fn type_command(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let name = engine
        .lookup_read_with(call.db, &call.argv[1], LookupFlags::NO_TOUCH)
        .map_or("none", Value::type_name);
    Ok(Reply::Simple(name.into()).into())
}

// --- The EXPIRE family ---------------------------------------------------------------------------

/// What an EXPIRE- or TTL-family time is counted from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A span from now: EXPIRE, PEXPIRE, TTL, PTTL.
    Now,
    /// A Unix time: EXPIREAT, PEXPIREAT, EXPIRETIME, PEXPIRETIME.
    UnixEpoch,
}

/// Milliseconds per unit of the seconds commands; the P- commands count in milliseconds (1).
const SECOND: i64 = 1000;

fn expire(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    expire_generic(engine, call, Origin::Now, SECOND)
}

fn pexpire(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    expire_generic(engine, call, Origin::Now, 1)
}

fn expireat(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    expire_generic(engine, call, Origin::UnixEpoch, SECOND)
}

fn pexpireat(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    expire_generic(engine, call, Origin::UnixEpoch, 1)
}

/// The conditions EXPIRE and friends take since Redis 7.0.
#[derive(Clone, Copy, Default)]
struct ExpireCondition {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl ExpireCondition {
    /// Reads the options after the time, as `parseExtendedExpireArgumentsOrReply`: any order,
    /// repeats allowed, unknown words refused by name, then NX with any other and GT with LT
    /// refused.
    fn parse(args: &[Vec<u8>]) -> Result<ExpireCondition> {
        let mut c = ExpireCondition::default();
        for arg in args {
            match arg.to_ascii_lowercase().as_slice() {
                b"nx" => c.nx = true,
                b"xx" => c.xx = true,
                b"gt" => c.gt = true,
                b"lt" => c.lt = true,
                _ => {
                    return Err(Error::UnsupportedOption(
                        String::from_utf8_lossy(arg).into_owned(),
                    ))
                }
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(Error::ExpireNxWithOthers);
        }
        if c.gt && c.lt {
            return Err(Error::ExpireGtAndLt);
        }
        Ok(c)
    }

    /// May a key whose expiry is `current` (None: no TTL, which GT and LT treat as infinite)
    /// take the new expiry `when`?
    fn allows(self, current: Option<u64>, when: i64) -> bool {
        let current = current.map(|at| at as i64);
        !((self.nx && current.is_some())
            || (self.xx && current.is_none())
            || (self.gt && current.is_none_or(|at| when <= at))
            || (self.lt && current.is_some_and(|at| when >= at)))
    }
}

/// ```text
/// EXPIRE key seconds [NX | XX | GT | LT]
/// PEXPIRE key milliseconds [NX | XX | GT | LT]
/// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
/// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
/// ```
/// 1 when the expiry was set, 0 when the key does not exist or the condition refused it:
/// NX only without a TTL, XX only with one, GT only later than the current one, LT only
/// earlier (a key without a TTL counts as never expiring). Options are checked before the
/// time, and a time that overflows 64-bit milliseconds is an error. A time already past
/// deletes the key, announced as `del`, and still answers 1, as Redis 7.0 does.
fn expire_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    origin: Origin,
    unit_ms: i64,
) -> CommandResult {
    let key = &call.argv[1];
    let condition = ExpireCondition::parse(&call.argv[3..])?;
    let base = match origin {
        Origin::Now => engine.now_ms as i64,
        Origin::UnixEpoch => 0,
    };
    let when = parse_i64(&call.argv[2])?
        .checked_mul(unit_ms)
        .and_then(|ms| ms.checked_add(base))
        .ok_or_else(|| Error::InvalidExpireTime(call.name.to_string()))?;
    if engine.lookup_write(call.db, key).is_none() {
        return integer(0);
    }
    if !condition.allows(engine.get_expire(call.db, key), when) {
        return integer(0);
    }
    if when <= engine.now_ms as i64 {
        engine.db_delete_with(call.db, key, engine.lazyfree.expire);
        engine.notify(NotifyClass::Generic, "del", call.db, key);
    } else {
        engine.set_expire(call.db, key, when as u64);
        engine.notify(NotifyClass::Generic, "expire", call.db, key);
    }
    integer(1)
}

fn ttl(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    ttl_generic(engine, call, Origin::Now, SECOND)
}

fn pttl(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    ttl_generic(engine, call, Origin::Now, 1)
}

fn expiretime(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    ttl_generic(engine, call, Origin::UnixEpoch, SECOND)
}

fn pexpiretime(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    ttl_generic(engine, call, Origin::UnixEpoch, 1)
}

/// ```text
/// TTL key
/// PTTL key
/// EXPIRETIME key
/// PEXPIRETIME key
/// ```
/// -2 when the key does not exist, -1 when it has no TTL; otherwise the time left (TTL,
/// PTTL) or the Unix time of expiry (EXPIRETIME, PEXPIRETIME). Seconds are rounded to the
/// nearest, `(ms + 500) / 1000`: a key with 1.5 s left answers TTL 2.
fn ttl_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    origin: Origin,
    unit_ms: i64,
) -> CommandResult {
    let key = &call.argv[1];
    if engine
        .lookup_read_with(call.db, key, LookupFlags::NO_TOUCH)
        .is_none()
    {
        return integer(-2);
    }
    let Some(at) = engine.get_expire(call.db, key) else {
        return integer(-1);
    };
    let ms = match origin {
        Origin::Now => at.saturating_sub(engine.now_ms),
        Origin::UnixEpoch => at,
    };
    // Rounded to the nearest unit, in i128: Redis's `(ttl+500)/1000` on a time near i64::MAX.
    let unit = i128::from(unit_ms);
    let answer = (i128::from(ms) + unit / 2) / unit;
    integer(answer as i64)
}

/// ```text
/// PERSIST key
/// ```
/// 1 when the key had a TTL and lost it, 0 when it had none or does not exist.
fn persist(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    if engine.lookup_write(call.db, key).is_none() || !engine.remove_expire(call.db, key) {
        return integer(0);
    }
    engine.notify(NotifyClass::Generic, "persist", call.db, key);
    integer(1)
}

// --- KEYS, SCAN, RANDOMKEY -----------------------------------------------------------------------

/// ```text
/// KEYS pattern
/// ```
/// Every key matching the glob-style pattern. Keys whose time has passed are left out but
/// not deleted, as Redis's `keysCommand` only checks them.
fn keys(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let pattern = &call.argv[1];
    let all = pattern.as_slice() == b"*";
    let scanned = engine.dbs[call.db].len() as u64;
    engine.charge(crate::cost::SCAN_KEY_NS * scanned);
    let names: Vec<Reply> = engine.dbs[call.db]
        .keys
        .iter()
        .map(|(key, _)| key)
        .filter(|key| all || glob::matches(pattern, key, false))
        .filter(|key| !engine.key_is_expired(call.db, key))
        .map(|key| Reply::bulk(key.to_vec()))
        .collect();
    engine.charge(crate::cost::ANSWERED_KEY_NS * names.len() as u64);
    Ok(Reply::Array(names).into())
}

/// SCAN's options.
pub(crate) struct ScanOptions<'a> {
    /// Positions visited per call.
    pub(crate) count: usize,
    /// None for no pattern (or `*`, which matches everything).
    pub(crate) pattern: Option<&'a [u8]>,
    pub(crate) type_name: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    /// Reads `[MATCH pattern] [COUNT count] [TYPE type]` in any order, the last of a repeated
    /// option winning. A COUNT below 1, an unknown word, TYPE where it is not `allowed` (the
    /// element scans) or an option without its value is a syntax error, found in order.
    pub(crate) fn parse(args: &'a [Vec<u8>], type_allowed: bool) -> Result<ScanOptions<'a>> {
        let mut options = ScanOptions {
            count: 10,
            pattern: None,
            type_name: None,
        };
        let mut rest = args;
        while let [option, value, tail @ ..] = rest {
            if is(option, "count") {
                let count = parse_i64(value)?;
                options.count = usize::try_from(count)
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or(Error::Syntax)?;
            } else if is(option, "match") {
                options.pattern = Some(value.as_slice()).filter(|p| *p != b"*");
            } else if type_allowed && is(option, "type") {
                options.type_name = Some(value.as_slice());
            } else {
                return Err(Error::Syntax);
            }
            rest = tail;
        }
        if rest.is_empty() {
            Ok(options)
        } else {
            Err(Error::Syntax)
        }
    }
}

/// Reads a cursor as Redis's `parseScanCursorOrReply` does with `strtoul`: no leading space,
/// an optional sign (a minus wraps around, as in C), decimal digits, and nothing after them;
/// the empty string reads as 0. The argument ends at a NUL byte, as a C string does.
pub(crate) fn parse_cursor(arg: &[u8]) -> Result<u64> {
    let text = arg.split(|&b| b == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Ok(0);
    }
    let (negative, digits) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Error::InvalidCursor);
    }
    let value = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse::<u64>().ok())
        .ok_or(Error::InvalidCursor)?;
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// ```text
/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
/// ```
/// The next cursor and a batch of keys. The walk is described at the top of this file: each
/// call visits COUNT positions from the top down and answers how many are left. Within a
/// batch, Redis's filters run in its order: the pattern, then the type (a real read that
/// counts a hit or a miss; a key found stale there reads as `none`, so `TYPE none` returns
/// it, as in Redis 7.0), then expiry (stale keys are deleted and left out).
fn scan(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let cursor = parse_cursor(&call.argv[1])?;
    let options = ScanOptions::parse(&call.argv[2..], true)?;
    let db = call.db;
    let (next, positions) = scan_window(cursor, engine.dbs[db].len(), options.count);
    engine.charge(crate::cost::SCAN_KEY_NS * positions.len() as u64);
    let batch: Vec<Vec<u8>> = positions
        .filter_map(|position| {
            engine.dbs[db]
                .keys
                .get_index(position)
                .map(|(key, _)| key.to_vec())
        })
        .collect();
    let mut found = Vec::new();
    for key in batch {
        if options
            .pattern
            .is_some_and(|pattern| !glob::matches(pattern, &key, false))
        {
            continue;
        }
        if let Some(wanted) = options.type_name {
            let actual = engine
                .lookup_read_with(db, &key, LookupFlags::NO_TOUCH)
                .map_or("none", Value::type_name);
            if !wanted.eq_ignore_ascii_case(actual.as_bytes()) {
                continue;
            }
        }
        if engine.expire_if_needed(db, &key) {
            continue;
        }
        found.push(Reply::Bulk(key));
    }
    engine.charge(crate::cost::ANSWERED_KEY_NS * found.len() as u64);
    Ok(scan_reply(next, found))
}

/// One step of a walk (see "SCAN's cursor" above): the cursor to answer, and the positions to
/// visit now, from the top down. Cursor 0 starts from the collection's current length; a
/// cursor beyond it (elements were deleted) reads as the length.
fn scan_window(cursor: u64, len: usize, count: usize) -> (usize, std::iter::Rev<Range<usize>>) {
    let to_visit = match cursor {
        0 => len,
        c => usize::try_from(c).unwrap_or(usize::MAX).min(len),
    };
    let next = to_visit.saturating_sub(count);
    (next, (next..to_visit).rev())
}

/// A scan's reply: the next cursor and what the batch found.
fn scan_reply(cursor: usize, found: Vec<Reply>) -> Outcome {
    Reply::Array(vec![Reply::bulk(cursor.to_string()), Reply::Array(found)]).into()
}

/// One element of an element scan: a member or field, and HSCAN's value or ZSCAN's score.
pub(crate) type ScanItem = (Vec<u8>, Option<Vec<u8>>);

/// A collection SSCAN, HSCAN or ZSCAN walks: a set, a hash or a sorted set.
pub(crate) trait ScanElements {
    /// How many positions the walk covers.
    fn positions(&self) -> usize;
    /// True for a collection Redis keeps compact (an intset, a listpack): Redis answers it
    /// whole in one call, with cursor 0, whatever the cursor and COUNT.
    fn is_compact(&self) -> bool;
    /// Every element, in the compact encoding's order.
    fn compact_elements(&self) -> Vec<ScanItem>;
    /// The element at `position` of the position-addressable map the cursor walks.
    fn element_at(&self, position: usize) -> Option<ScanItem>;
}

/// ```text
/// SSCAN key cursor [MATCH pattern] [COUNT count]
/// HSCAN key cursor [MATCH pattern] [COUNT count]
/// ZSCAN key cursor [MATCH pattern] [COUNT count]
/// ```
/// The next cursor and a flat array of the batch's members (with HSCAN's values or ZSCAN's
/// scores). `view` finds the collection in the key's value, or answers WRONGTYPE. Checked in
/// Redis's order: the cursor, then the key (a missing key answers `0` and an empty array
/// before the options are even read, so `SSCAN missing 0 COUNT x` is an empty scan), then the
/// options. A compact collection comes back whole; any other is walked like the keyspace, a
/// window of COUNT positions per call. MATCH filters on the member or field. Nothing is
/// copied but the batch.
pub(crate) fn scan_elements(
    engine: &mut Engine,
    call: &Call<'_>,
    view: fn(&Value) -> Result<&dyn ScanElements>,
) -> CommandResult {
    let cursor = parse_cursor(&call.argv[2])?;
    let Some(value) = engine.lookup_read(call.db, &call.argv[1]) else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let collection = view(value)?;
    let options = ScanOptions::parse(&call.argv[3..], false)?;
    let (next, batch) = if collection.is_compact() {
        (0, collection.compact_elements())
    } else {
        let (next, positions) = scan_window(cursor, collection.positions(), options.count);
        let batch = positions.filter_map(|p| collection.element_at(p)).collect();
        (next, batch)
    };
    let mut found = Vec::new();
    for (name, value) in batch {
        if options
            .pattern
            .is_some_and(|pattern| !glob::matches(pattern, &name, false))
        {
            continue;
        }
        found.push(Reply::Bulk(name));
        found.extend(value.map(Reply::Bulk));
    }
    Ok(scan_reply(next, found))
}

/// ```text
/// RANDOMKEY
/// ```
/// A key name picked uniformly from the database with the engine's seeded generator, or nil
/// when it is empty. A pick whose time has passed is deleted (`expired`) and another is drawn,
/// as Redis's `dbRandomKey` does. Its `maxtries` guard for a database of volatile keys applies
/// only on a replica, where expiry cannot delete and the loop could spin forever; here every
/// stale pick is deleted, so the database shrinks with each retry and the loop ends.
fn randomkey(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let db = call.db;
    loop {
        let len = engine.dbs[db].len();
        if len == 0 {
            return Ok(Reply::Null.into());
        }
        let position = engine.rng.below(len);
        let Some(key) = engine.dbs[db]
            .keys
            .get_index(position)
            .map(|(key, _)| key.to_vec())
        else {
            return Ok(Reply::Null.into());
        };
        if !engine.expire_if_needed(db, &key) {
            return Ok(Reply::Bulk(key).into());
        }
    }
}

// --- RENAME, RENAMENX, COPY, MOVE ----------------------------------------------------------------

fn rename(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    rename_generic(engine, call, false)
}

fn renamenx(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    rename_generic(engine, call, true)
}

/// ```text
/// RENAME key newkey
/// RENAMENX key newkey
/// ```
/// Moves the value and its TTL to the new name; RENAME overwrites an existing `newkey`
/// (silently: no `del` for it), RENAMENX answers 0 instead. A missing key is an error even
/// when both names are the same; the same name on an existing key changes nothing and
/// announces nothing. Announced as `rename_from` then `rename_to`.
fn rename_generic(engine: &mut Engine, call: &Call<'_>, nx: bool) -> CommandResult {
    let renamed = rename_key(engine, call.db, &call.argv[1], &call.argv[2], nx)?;
    // RENAME answers OK whatever happened; RENAMENX whether it renamed.
    let reply = if nx {
        Reply::Integer(i64::from(renamed))
    } else {
        Reply::ok()
    };
    Ok(reply.into())
}

/// Renames `key` to `newkey` in database `db` unless `nx` and the name is taken; true if it
/// did.
fn rename_key(engine: &mut Engine, db: usize, key: &[u8], newkey: &[u8], nx: bool) -> Result<bool> {
    if engine.lookup_write(db, key).is_none() {
        return Err(Error::NoSuchKey);
    }
    if key == newkey {
        return Ok(false);
    }
    let expire = engine.get_expire(db, key);
    if engine.lookup_write(db, newkey).is_some() {
        if nx {
            return Ok(false);
        }
        engine.db_delete(db, newkey);
    }
    let entry = engine.db_remove(db, key).ok_or(Error::NoSuchKey)?;
    // The value carries its string origin along.
    engine.db_add(db, newkey, entry.value);
    if let Some(at) = expire {
        engine.set_expire(db, newkey, at);
    }
    engine.notify(NotifyClass::Generic, "rename_from", db, key);
    engine.notify(NotifyClass::Generic, "rename_to", db, newkey);
    Ok(true)
}

/// Reads a database index as Redis's `getIntFromObjectOrReply` reads a C `int`; whether the
/// database exists is checked by the caller.
fn parse_int(arg: &[u8]) -> Result<i64> {
    let n = parse_i64(arg)?;
    let (min, max) = (i64::from(i32::MIN), i64::from(i32::MAX));
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(Error::IntOutOfRange { min, max })
    }
}

/// The database numbered `index`, if there is one.
fn db_index(engine: &Engine, index: i64) -> Result<usize> {
    usize::try_from(index)
        .ok()
        .filter(|&i| i < engine.dbs.len())
        .ok_or(Error::DbIndexOutOfRange)
}

/// ```text
/// COPY source destination [DB destination-db] [REPLACE]
/// ```
/// 1 when the value (and its TTL) was copied, 0 when the source is missing or the
/// destination exists without REPLACE. The same key in the same database is an error, checked
/// before the source is looked up. The copy is announced as `copy_to` in the destination's
/// database; a replaced destination gets no `del`.
fn copy(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (src, source, destination) = (call.db, &call.argv[1], &call.argv[2]);
    let mut dst = src;
    let mut replace = false;
    let mut options = call.argv[3..].iter();
    while let Some(option) = options.next() {
        if is(option, "replace") {
            replace = true;
        } else if is(option, "db") {
            let index = options.next().ok_or(Error::Syntax)?;
            dst = db_index(engine, parse_int(index)?)?;
        } else {
            return Err(Error::Syntax);
        }
    }
    if src == dst && source == destination {
        return Err(Error::SameObject);
    }
    let Some(value) = engine.lookup_read(src, source).cloned() else {
        return integer(0);
    };
    let expire = engine.get_expire(src, source);
    let origin = engine.dbs[src]
        .keys
        .get(source.as_slice())
        .map(|e| e.string_origin());
    if engine.lookup_write(dst, destination).is_some() {
        if !replace {
            return integer(0);
        }
        engine.db_delete(dst, destination);
    }
    let len = value.size();
    engine.db_add(dst, destination, value);
    if let Some(origin) = origin {
        let duplicated = match origin {
            StringOrigin::Encoded => StringOrigin::Duplicated,
            // `dupStringObject` copies a raw string into an exact allocation.
            StringOrigin::Raw(_) => StringOrigin::Raw(crate::memory::Sds::new(len)),
            other => other,
        };
        engine.set_string_origin(dst, destination, duplicated);
    }
    if let Some(at) = expire {
        engine.set_expire(dst, destination, at);
    }
    engine.notify(NotifyClass::Generic, "copy_to", dst, destination);
    integer(1)
}

/// ```text
/// MOVE key db
/// ```
/// 1 when the key (with its TTL) moved to database `db`, 0 when it does not exist here or
/// its name is taken there. Moving to the current database is an error, whether the key
/// exists or not. Announced as `move_from` here and `move_to` there.
fn move_command(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (src, key) = (call.db, &call.argv[1]);
    let dst = db_index(engine, parse_int(&call.argv[2])?)?;
    if src == dst {
        return Err(Error::SameObject);
    }
    if engine.lookup_write(src, key).is_none() {
        return integer(0);
    }
    let expire = engine.get_expire(src, key);
    if engine.lookup_write(dst, key).is_some() {
        return integer(0);
    }
    let Some(entry) = engine.db_remove(src, key) else {
        return integer(0);
    };
    engine.db_add(dst, key, entry.value);
    if let Some(at) = expire {
        engine.set_expire(dst, key, at);
    }
    engine.notify(NotifyClass::Generic, "move_from", src, key);
    engine.notify(NotifyClass::Generic, "move_to", dst, key);
    integer(1)
}

// --- Databases -----------------------------------------------------------------------------------

/// ```text
/// DBSIZE
/// ```
/// The number of keys in the selected database, counting those whose time has passed but
/// that no access has collected yet.
fn dbsize(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    integer(engine.dbs[call.db].len() as i64)
}

/// FLUSHDB and FLUSHALL take one optional word: ASYNC hands the keys to the lazy-free queue
/// (`crate::lazyfree`), SYNC frees them in the command, and without it
/// `lazyfree-lazy-user-flush` decides (`getFlushCommandFlags`). True for ASYNC.
fn flush_is_lazy(engine: &Engine, call: &Call<'_>) -> Result<bool> {
    match &call.argv[1..] {
        [] => Ok(engine.lazyfree.user_flush),
        [mode] if is(mode, "async") => Ok(true),
        [mode] if is(mode, "sync") => Ok(false),
        _ => Err(Error::Syntax),
    }
}

/// Empties database `db`, returning how many keys it held. Redis announces no per-key event
/// for a flush, so neither do we; but the watched keys that existed are touched.
fn empty_db(engine: &mut Engine, db: usize, lazy: bool) -> usize {
    engine.signal_deleted_streams(db, None);
    engine.touch_all_watched_keys_in_db(db, None);
    let removed = engine.empty_db_keys(db, lazy);
    engine.dirty += removed as u64;
    removed
}

/// ```text
/// FLUSHDB [ASYNC | SYNC]
/// ```
fn flushdb(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let lazy = flush_is_lazy(engine, call)?;
    empty_db(engine, call.db, lazy);
    engine.invalidate_tracked_keys_on_flush();
    Ok(Reply::ok().into())
}

/// ```text
/// FLUSHALL [ASYNC | SYNC]
/// ```
/// With save points set, the empty keyspace is saved too (`crate::persist`).
fn flushall(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let lazy = flush_is_lazy(engine, call)?;
    for db in 0..engine.dbs.len() {
        empty_db(engine, db, lazy);
    }
    engine.invalidate_tracked_keys_on_flush();
    engine.save_after_flushall();
    Ok(Reply::ok().into())
}

/// ```text
/// SELECT index
/// ```
/// Switches this connection to database `index` (0 to `databases` - 1).
fn select(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let db = db_index(engine, parse_int(&call.argv[1])?)?;
    if let Some(client) = engine.clients.get_mut(&call.client) {
        client.db = db;
    }
    Ok(Reply::ok().into())
}

/// ```text
/// SWAPDB index1 index2
/// ```
/// Exchanges two databases' contents: every connection on one now sees the other's keys.
/// A bad index is reported as the first or second one; swapping a database with itself is a
/// no-op that answers OK.
fn swapdb(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let first = parse_int(&call.argv[1]).map_err(|_| Error::InvalidFirstDbIndex)?;
    let second = parse_int(&call.argv[2]).map_err(|_| Error::InvalidSecondDbIndex)?;
    let (first, second) = (db_index(engine, first)?, db_index(engine, second)?);
    // Watched keys and blocked clients stay with their database index: each sees the other
    // database's keys afterwards, so both are told, as Redis's `dbSwapDatabases` does.
    if first != second {
        engine.signal_deleted_streams(first, Some(second));
        engine.signal_deleted_streams(second, Some(first));
        engine.touch_all_watched_keys_in_db(first, Some(second));
        engine.touch_all_watched_keys_in_db(second, Some(first));
        engine.dbs.swap(first, second);
        engine.eviction.forget_recency();
        engine.signal_all_keys_as_ready(first);
        engine.signal_all_keys_as_ready(second);
    }
    engine.dirty += 1;
    Ok(Reply::ok().into())
}

// --- OBJECT ----------------------------------------------------------------------------------

/// Looks up OBJECT's key as Redis does (a read that counts a hit or a miss but touches
/// nothing), then gives its entry to `answer`; nil when the key is missing.
fn object_lookup(
    engine: &mut Engine,
    call: &Call<'_>,
    answer: impl FnOnce(&Engine, &Entry) -> Result<Reply>,
) -> CommandResult {
    let key = &call.argv[2];
    if engine
        .lookup_read_with(call.db, key, LookupFlags::NO_TOUCH)
        .is_none()
    {
        return Ok(Reply::Null.into());
    }
    // The door above did the lookup's work; the entry's bookkeeping is read here.
    match engine.dbs[call.db].keys.get(key.as_slice()) {
        Some(entry) => Ok(answer(engine, entry)?.into()),
        None => Ok(Reply::Null.into()),
    }
}

/// ```text
/// OBJECT ENCODING key
/// ```
/// The encoding Redis 7.0 would be using for the same history ([`crate::db::Entry::encoding`]).
fn object_encoding(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    object_lookup(engine, call, |_, entry| Ok(Reply::bulk(entry.encoding())))
}

/// ```text
/// OBJECT REFCOUNT key
/// ```
/// 1, except for the integers 0 to 9999 that Redis stores as one shared object whose count
/// it pins at `INT_MAX` (2147483647) — unless `maxmemory` with an LRU or LFU policy needs
/// each key's own access data, when Redis stops sharing them.
fn object_refcount(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    object_lookup(engine, call, |engine, entry| {
        Ok(Reply::Integer(refcount(engine, entry)))
    })
}

/// A value's refcount as Redis would report it (see OBJECT REFCOUNT).
pub(crate) fn refcount(engine: &Engine, entry: &Entry) -> i64 {
    let shared = match &entry.value {
        Value::String(s) => crate::memory::is_shared_integer(
            s,
            entry.string_origin(),
            engine.eviction.shared_integers(),
        ),
        _ => false,
    };
    if shared {
        i64::from(i32::MAX)
    } else {
        1
    }
}

/// ```text
/// OBJECT IDLETIME key
/// ```
/// Seconds since the key was last touched, from its LRU clock (Redis's
/// `estimateObjectIdleTime`, which allows for the 24-bit clock having wrapped since). Under
/// an LFU policy the key holds a counter instead, and Redis answers an error.
fn object_idletime(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    object_lookup(engine, call, |engine, entry| {
        if engine.lfu_policy() {
            return Err(Error::LfuSelected);
        }
        let idle_ms = crate::evict::idle_ms(engine.access_stamp(entry), engine.now_ms);
        Ok(Reply::Integer((idle_ms / 1000) as i64))
    })
}

/// ```text
/// OBJECT FREQ key
/// ```
/// The key's logarithmic access counter after decay (see `crate::evict`), tracked only under
/// an LFU `maxmemory-policy`; under any other an existing key answers Redis's error (a
/// missing one, nil).
fn object_freq(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    object_lookup(engine, call, |engine, entry| {
        if !engine.lfu_policy() {
            return Err(Error::LfuNotSelected);
        }
        let counter = engine
            .eviction
            .lfu_decr_and_return(engine.access_stamp(entry), engine.now_ms);
        Ok(Reply::Integer(i64::from(counter)))
    })
}

/// ```text
/// OBJECT HELP
/// ```
fn object_help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Reply::help(
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    )
    .into())
}

#[cfg(test)]
mod tests {
    use crate::{Config, Engine, ManualClock};

    /// Which commands refresh a key's LRU clock: TOUCH does, like GET; EXISTS, TYPE and the
    /// TTL family read with `LOOKUP_NOTOUCH` and leave it alone.
    #[test]
    fn only_touching_reads_refresh_the_lru_clock() {
        let clock = ManualClock::new(1_700_000_000_000);
        let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), 1);
        let id = engine.connect();
        let run = |engine: &mut Engine, line: &str| {
            let argv: Vec<Vec<u8>> = line.split(' ').map(|a| a.as_bytes().to_vec()).collect();
            engine.execute(id, &argv);
        };
        let lru = |engine: &Engine| engine.dbs[0].keys.get(&b"k"[..]).map(|e| e.lru());
        run(&mut engine, "SET k v");
        let set_at = lru(&engine);
        clock.advance_ms(5000);
        for read in [
            "EXISTS k",
            "TYPE k",
            "TTL k",
            "PTTL k",
            "EXPIRETIME k",
            "PEXPIRETIME k",
        ] {
            run(&mut engine, read);
            assert_eq!(lru(&engine), set_at, "{read} touched the key");
        }
        run(&mut engine, "TOUCH k");
        assert_eq!(lru(&engine), set_at.map(|t| t + 5));
    }
}
