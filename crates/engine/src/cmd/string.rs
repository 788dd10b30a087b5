//! The string family (Redis's `t_string.c`): SET and its variants, the GET family, counters,
//! APPEND/SETRANGE/GETRANGE and LCS.
//!
//! SET, SETNX, SETEX, PSETEX and GETSET share one [`set_generic`], and SET and GETEX share one
//! option parser ([`parse_extended`]) that refuses the same combinations Redis refuses, in the
//! same order. Every read goes through `lookup_read` (so GET, MGET, SET ... GET and friends count
//! keyspace hits and misses) and every write through `lookup_write` and the keyspace doors, with
//! the change announced by the same event Redis notifies (`set`, `expire`, `incrby`, ...).
//! Counters keep a key's TTL; SET (without KEEPTTL), GETSET and MSET drop it.

use crate::args::{is, parse_i64};
use crate::db::{StringOrigin, Value};
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::longdouble::LongDouble;
use crate::memory::Sds;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::types::StringValue;

/// GETRANGE's and SUBSTR's complexity.
const SUBSTRING: &str = "O(N) where N is the length of the returned string.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "set",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "string",
        since: "1.0.0",
        summary: "Stores a string under a key, optionally only if it exists (or not), with a TTL, returning the old value.",
        syntax: "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
        complexity: "O(1)",
        keys: &[KeySpec::range(
            key_flag::RW | key_flag::ACCESS | key_flag::UPDATE | key_flag::VARIABLE_FLAGS,
            1,
            0,
            1,
        )
        .notes("RW and ACCESS due to the optional `GET` argument")],
        tips: &[],
        handler: Some(set),
        subcommands: &[],
    },
    CommandSpec {
        name: "get",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Returns the string stored under a key.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(get),
        subcommands: &[],
    },
    CommandSpec {
        name: "getex",
        arity: -2,
        flags: flag::WRITE | flag::FAST,
        group: "string",
        since: "6.2.0",
        summary: "Returns a key's string and sets or removes its TTL.",
        syntax: "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)
                .notes("RW and UPDATE because it changes the TTL"),
        ],
        tips: &[],
        handler: Some(getex),
        subcommands: &[],
    },
    CommandSpec {
        name: "getdel",
        arity: 2,
        flags: flag::WRITE | flag::FAST,
        group: "string",
        since: "6.2.0",
        summary: "Returns a key's string and deletes the key.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(getdel),
        subcommands: &[],
    },
    CommandSpec {
        name: "getset",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Stores a string under a key and returns the one it replaced.",
        syntax: "key value",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(getset),
        subcommands: &[],
    },
    CommandSpec {
        name: "setnx",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Stores a string under a key only if the key does not exist.",
        syntax: "key value",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::OW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(setnx),
        subcommands: &[],
    },
    CommandSpec {
        name: "setex",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM,
        group: "string",
        since: "2.0.0",
        summary: "Stores a string under a key with a TTL in seconds.",
        syntax: "key seconds value",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(setex),
        subcommands: &[],
    },
    CommandSpec {
        name: "psetex",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM,
        group: "string",
        since: "2.6.0",
        summary: "Stores a string under a key with a TTL in milliseconds.",
        syntax: "key milliseconds value",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(psetex),
        subcommands: &[],
    },
    CommandSpec {
        name: "mget",
        arity: -2,
        flags: flag::READONLY | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Returns the strings stored under several keys.",
        syntax: "key [key ...]",
        complexity: "O(N) where N is the number of keys to retrieve.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, -1, 1)],
        tips: &["request_policy:multi_shard"],
        handler: Some(mget),
        subcommands: &[],
    },
    CommandSpec {
        name: "mset",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "string",
        since: "1.0.1",
        summary: "Stores several strings under several keys at once.",
        syntax: "key value [key value ...]",
        complexity: "O(N) where N is the number of keys to set.",
        keys: &[KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, -1, 2)],
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        handler: Some(mset),
        subcommands: &[],
    },
    CommandSpec {
        name: "msetnx",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "string",
        since: "1.0.1",
        summary: "Stores several strings under several keys at once, only if none of the keys exists.",
        syntax: "key value [key value ...]",
        complexity: "O(N) where N is the number of keys to set.",
        keys: &[KeySpec::range(key_flag::OW | key_flag::INSERT, 1, -1, 2)],
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        handler: Some(msetnx),
        subcommands: &[],
    },
    CommandSpec {
        name: "incr",
        arity: 2,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Adds one to the integer stored under a key.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(incr),
        subcommands: &[],
    },
    CommandSpec {
        name: "decr",
        arity: 2,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Subtracts one from the integer stored under a key.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(decr),
        subcommands: &[],
    },
    CommandSpec {
        name: "incrby",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Adds a whole number to the integer stored under a key.",
        syntax: "key increment",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(incrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "decrby",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "1.0.0",
        summary: "Subtracts a whole number from the integer stored under a key.",
        syntax: "key decrement",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(decrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "incrbyfloat",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "2.6.0",
        summary: "Adds a decimal number to the number stored under a key, in 80-bit precision.",
        syntax: "key increment",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(incrbyfloat),
        subcommands: &[],
    },
    CommandSpec {
        name: "append",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "string",
        since: "2.0.0",
        summary: "Adds bytes to the end of a key's string, creating the key if needed.",
        syntax: "key value",
        complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(append),
        subcommands: &[],
    },
    CommandSpec {
        name: "strlen",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "string",
        since: "2.2.0",
        summary: "Returns the length of a key's string.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(strlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: flag::READONLY,
        group: "string",
        since: "2.4.0",
        summary: "Returns part of a key's string, between two byte offsets.",
        syntax: "key start end",
        complexity: SUBSTRING,
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(getrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: flag::READONLY,
        group: "string",
        since: "1.0.0",
        summary: "Returns part of a key's string (the old name of GETRANGE).",
        syntax: "key start end",
        complexity: SUBSTRING,
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(getrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "setrange",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM,
        group: "string",
        since: "2.2.0",
        summary: "Overwrites part of a key's string at a byte offset, padding with zero bytes.",
        syntax: "key offset value",
        complexity: "O(1), not counting the time taken to copy the new string in place; O(M) with M the length of the value.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(setrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "lcs",
        arity: -3,
        flags: flag::READONLY,
        group: "string",
        since: "7.0.0",
        summary: "Finds the longest common subsequence of two keys' strings.",
        syntax: "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]",
        complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 1, 1)],
        tips: &[],
        handler: Some(lcs),
        subcommands: &[],
    },
];

/// The string in a value, or WRONGTYPE.
pub(crate) fn as_string(value: &Value) -> Result<&[u8]> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

/// The string in a value, to change in place, or WRONGTYPE.
pub(crate) fn as_string_mut(value: &mut Value) -> Result<&mut StringValue> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

/// Reads a key as GET does (a hit or a miss is counted): its string, `None` when missing.
fn read_string(engine: &mut Engine, db: usize, key: &[u8]) -> Result<Option<Vec<u8>>> {
    engine
        .lookup_read(db, key)
        .map(|v| as_string(v).map(<[u8]>::to_vec))
        .transpose()
}

/// Redis's `checkStringLength`: a string may not grow beyond `max` (`proto-max-bulk-len`);
/// `None` is a size that overflowed on the way. The size, when it fits.
fn check_string_length(size: Option<i64>, max: i64) -> Result<usize> {
    match size {
        Some(size) if size <= max => usize::try_from(size).map_err(|_| Error::StringTooLong),
        _ => Err(Error::StringTooLong),
    }
}

// ---------------------------------------------------------------------------------------------
// SET and GETEX options
// ---------------------------------------------------------------------------------------------

/// How an expiry argument is meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExpireUnit {
    /// EX: seconds from now.
    Seconds,
    /// PX: milliseconds from now.
    Milliseconds,
    /// EXAT: a Unix time in seconds.
    UnixSeconds,
    /// PXAT: a Unix time in milliseconds.
    UnixMilliseconds,
}

impl ExpireUnit {
    fn is_absolute(self) -> bool {
        matches!(self, ExpireUnit::UnixSeconds | ExpireUnit::UnixMilliseconds)
    }

    fn in_seconds(self) -> bool {
        matches!(self, ExpireUnit::Seconds | ExpireUnit::UnixSeconds)
    }
}

/// The options of SET and GETEX, as Redis's `parseExtendedStringArgumentsOrReply` collects them.
#[derive(Clone, Copy, Debug, Default)]
struct StringOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: Option<(ExpireUnit, &'a [u8])>,
}

/// Which command the options belong to: SET takes NX, XX, GET and KEEPTTL; GETEX takes
/// PERSIST; both take EX, PX, EXAT and PXAT.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptionsFor {
    Set,
    GetEx,
}

/// Parses SET's or GETEX's options. An option is refused (with a syntax error) when it clashes
/// with one already seen, exactly as Redis checks: NX with XX, KEEPTTL or PERSIST with any
/// expiry, and one expiry kind with another; repeating the same option is allowed, the last
/// expiry winning.
fn parse_extended<'a>(args: &'a [Vec<u8>], kind: OptionsFor) -> Result<StringOptions<'a>> {
    let mut opts = StringOptions::default();
    let set = kind == OptionsFor::Set;
    let mut i = 0;
    while let Some(opt) = args.get(i) {
        let next = args.get(i + 1).map(Vec::as_slice);
        let expire_unit = [
            ("ex", ExpireUnit::Seconds),
            ("px", ExpireUnit::Milliseconds),
            ("exat", ExpireUnit::UnixSeconds),
            ("pxat", ExpireUnit::UnixMilliseconds),
        ]
        .into_iter()
        .find_map(|(word, unit)| is(opt, word).then_some(unit));
        if is(opt, "nx") && set && !opts.xx {
            opts.nx = true;
        } else if is(opt, "xx") && set && !opts.nx {
            opts.xx = true;
        } else if is(opt, "get") && set {
            opts.get = true;
        } else if is(opt, "keepttl") && set && !opts.persist && opts.expire.is_none() {
            opts.keep_ttl = true;
        } else if is(opt, "persist") && !set && opts.expire.is_none() && !opts.keep_ttl {
            opts.persist = true;
        } else if let (Some(unit), Some(arg)) = (expire_unit, next) {
            let other_unit = opts.expire.is_some_and(|(seen, _)| seen != unit);
            if opts.keep_ttl || opts.persist || other_unit {
                return Err(Error::Syntax);
            }
            opts.expire = Some((unit, arg));
            i += 1;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    Ok(opts)
}

/// Turns an expiry argument into an absolute Unix time in milliseconds, with Redis's checks:
/// it must be an integer, positive, and must not overflow on the way to milliseconds.
fn expire_at_ms(engine: &Engine, call: &Call<'_>, unit: ExpireUnit, arg: &[u8]) -> Result<i64> {
    let invalid = || Error::InvalidExpireTime(call.name.to_string());
    let given = parse_i64(arg)?;
    if given <= 0 {
        return Err(invalid());
    }
    let mut ms = if unit.in_seconds() {
        given.checked_mul(1000).ok_or_else(invalid)?
    } else {
        given
    };
    if !unit.is_absolute() {
        // Redis adds with C's wrapping arithmetic and then refuses a result that is not positive.
        ms = ms.wrapping_add(engine.now_ms as i64);
    }
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

// ---------------------------------------------------------------------------------------------
// SET, SETNX, SETEX, PSETEX, GETSET
// ---------------------------------------------------------------------------------------------

/// What SET replies with when it stores the value, and when NX/XX stopped it.
struct SetReplies {
    done: Reply,
    aborted: Reply,
}

impl SetReplies {
    fn ok_or_null() -> SetReplies {
        SetReplies {
            done: Reply::ok(),
            aborted: Reply::Null,
        }
    }
}

/// The one implementation behind SET, SETNX, SETEX, PSETEX and GETSET (Redis's
/// `setGenericCommand`):
/// 1. the expiry is checked first, so a bad TTL changes nothing;
/// 2. with GET, the old value is read (a non-string key fails here with WRONGTYPE);
/// 3. NX / XX may stop it, replying `aborted` (or the old value, with GET);
/// 4. the value is stored (dropping the TTL unless KEEPTTL) and `set` announced; an expiry is
///    then set and announced as `expire`.
fn set_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    key: &[u8],
    value: &[u8],
    opts: StringOptions<'_>,
    replies: SetReplies,
) -> CommandResult {
    let when_ms = match opts.expire {
        Some((unit, arg)) => Some(expire_at_ms(engine, call, unit, arg)?),
        None => None,
    };
    let old = if opts.get {
        Some(Reply::bulk_or_null(read_string(engine, call.db, key)?))
    } else {
        None
    };
    let found = engine.lookup_write(call.db, key).is_some();
    if (opts.nx && found) || (opts.xx && !found) {
        return Ok(old.unwrap_or(replies.aborted).into());
    }
    engine.set_key(call.db, key, Value::string(value.to_vec()), opts.keep_ttl);
    engine.notify(NotifyClass::String, "set", call.db, key);
    if let Some(when_ms) = when_ms {
        engine.set_expire(call.db, key, when_ms as u64);
        engine.notify(NotifyClass::Generic, "expire", call.db, key);
    }
    Ok(old.unwrap_or(replies.done).into())
}

/// ```text
/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
///     EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
/// ```
/// `OK`, or nil when NX/XX prevented the write; with GET, the old value (nil if none) instead.
/// The key's TTL is dropped unless KEEPTTL or a new expiry is given.
fn set(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let opts = parse_extended(&call.argv[3..], OptionsFor::Set)?;
    set_generic(
        engine,
        call,
        &call.argv[1],
        &call.argv[2],
        opts,
        SetReplies::ok_or_null(),
    )
}

/// ```text
/// SETNX key value
/// ```
/// `1` if the key was set, `0` if it already existed.
fn setnx(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let opts = StringOptions {
        nx: true,
        ..StringOptions::default()
    };
    let replies = SetReplies {
        done: Reply::Integer(1),
        aborted: Reply::Integer(0),
    };
    set_generic(engine, call, &call.argv[1], &call.argv[2], opts, replies)
}

/// ```text
/// SETEX key seconds value
/// ```
/// Same as `SET key value EX seconds`.
fn setex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_with_ttl(engine, call, ExpireUnit::Seconds)
}

/// ```text
/// PSETEX key milliseconds value
/// ```
/// Same as `SET key value PX milliseconds`.
fn psetex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_with_ttl(engine, call, ExpireUnit::Milliseconds)
}

/// SETEX and PSETEX: a TTL in `unit` as the second argument, the value third.
fn set_with_ttl(engine: &mut Engine, call: &Call<'_>, unit: ExpireUnit) -> CommandResult {
    let opts = StringOptions {
        expire: Some((unit, &call.argv[2])),
        ..StringOptions::default()
    };
    set_generic(
        engine,
        call,
        &call.argv[1],
        &call.argv[3],
        opts,
        SetReplies::ok_or_null(),
    )
}

/// ```text
/// GETSET key value
/// ```
/// Same as `SET key value GET`: stores the value (dropping any TTL) and returns the old one,
/// or nil.
fn getset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let opts = StringOptions {
        get: true,
        ..StringOptions::default()
    };
    set_generic(
        engine,
        call,
        &call.argv[1],
        &call.argv[2],
        opts,
        SetReplies::ok_or_null(),
    )
}

// ---------------------------------------------------------------------------------------------
// GET, GETEX, GETDEL, MGET
// ---------------------------------------------------------------------------------------------

/// ```text
/// GET key
/// ```
/// The string, or nil when the key does not exist.
fn get(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    Ok(Reply::bulk_or_null(read_string(engine, call.db, &call.argv[1])?).into())
}

/// ```text
/// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
///     PXAT unix-time-milliseconds | PERSIST]
/// ```
/// The string (nil when missing), then the TTL changed as asked. An absolute time already past
/// deletes the key (announced as `del`). The expiry is only checked when the key exists.
fn getex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let opts = parse_extended(&call.argv[2..], OptionsFor::GetEx)?;
    let key = &call.argv[1];
    let Some(value) = read_string(engine, call.db, key)? else {
        return Ok(Reply::Null.into());
    };
    if let Some((unit, arg)) = opts.expire {
        let when_ms = expire_at_ms(engine, call, unit, arg)?;
        if unit.is_absolute() && when_ms as u64 <= engine.now_ms {
            engine.db_delete_with(call.db, key, engine.lazyfree.expire);
            engine.notify(NotifyClass::Generic, "del", call.db, key);
        } else {
            engine.set_expire(call.db, key, when_ms as u64);
            engine.notify(NotifyClass::Generic, "expire", call.db, key);
        }
    } else if opts.persist && engine.remove_expire(call.db, key) {
        engine.notify(NotifyClass::Generic, "persist", call.db, key);
    }
    Ok(Reply::bulk(value).into())
}

/// ```text
/// GETDEL key
/// ```
/// The string (nil when missing), and the key is deleted.
fn getdel(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let value = read_string(engine, call.db, key)?;
    if value.is_some() && engine.db_delete_with(call.db, key, engine.lazyfree.user_del) {
        engine.notify(NotifyClass::Generic, "del", call.db, key);
    }
    Ok(Reply::bulk_or_null(value).into())
}

/// ```text
/// MGET key [key ...]
/// ```
/// One reply per key: its string, or nil when it is missing or holds another type (MGET never
/// fails with WRONGTYPE).
fn mget(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let replies = call.argv[1..]
        .iter()
        .map(
            |key| match engine.lookup_read(call.db, key).map(as_string) {
                Some(Ok(s)) => Reply::bulk(s),
                _ => Reply::Null,
            },
        )
        .collect();
    Ok(Reply::Array(replies).into())
}

// ---------------------------------------------------------------------------------------------
// MSET, MSETNX
// ---------------------------------------------------------------------------------------------

/// ```text
/// MSET key value [key value ...]
/// ```
/// Always `OK`; every key is overwritten and loses its TTL.
fn mset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    mset_generic(engine, call, false)
}

/// ```text
/// MSETNX key value [key value ...]
/// ```
/// `1` if every key was set, `0` (and nothing set) if any of them exists.
fn msetnx(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    mset_generic(engine, call, true)
}

fn mset_generic(engine: &mut Engine, call: &Call<'_>, nx: bool) -> CommandResult {
    let pairs = &call.argv[1..];
    if !pairs.len().is_multiple_of(2) {
        return Err(Error::WrongArity(call.name.to_string()));
    }
    // Like Redis, stop looking at the first key that exists.
    if nx
        && pairs
            .chunks_exact(2)
            .any(|pair| engine.lookup_write(call.db, &pair[0]).is_some())
    {
        return Ok(Reply::Integer(0).into());
    }
    for pair in pairs.chunks_exact(2) {
        engine.set_key(call.db, &pair[0], Value::string(pair[1].clone()), false);
        engine.notify(NotifyClass::String, "set", call.db, &pair[0]);
    }
    Ok(if nx { Reply::Integer(1) } else { Reply::ok() }.into())
}

// ---------------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------------

/// ```text
/// INCR key
/// ```
/// The value after adding one; a missing key counts as 0.
fn incr(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    incr_decr(engine, call, 1)
}

/// ```text
/// DECR key
/// ```
fn decr(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    incr_decr(engine, call, -1)
}

/// ```text
/// INCRBY key increment
/// ```
fn incrby(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let by = parse_i64(&call.argv[2])?;
    incr_decr(engine, call, by)
}

/// ```text
/// DECRBY key decrement
/// ```
/// A decrement of -9223372036854775808 cannot be negated and is refused outright.
fn decrby(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let by = parse_i64(&call.argv[2])?;
    let by = by.checked_neg().ok_or(Error::DecrementOverflow)?;
    incr_decr(engine, call, by)
}

/// INCR, DECR, INCRBY and DECRBY: the stored string must be a 64-bit integer as strict as
/// Redis's `string2ll`, and the sum must not overflow. The key keeps its TTL.
fn incr_decr(engine: &mut Engine, call: &Call<'_>, by: i64) -> CommandResult {
    let key = &call.argv[1];
    let sum = match engine.lookup_write(call.db, key) {
        Some(value) => {
            let s = as_string_mut(value)?;
            let sum = parse_i64(s)?.checked_add(by).ok_or(Error::Overflow)?;
            *s = StringValue::new(sum.to_string().into_bytes());
            sum
        }
        None => {
            engine.db_add(call.db, key, Value::string(by.to_string().into_bytes()));
            by
        }
    };
    engine.notify(NotifyClass::String, "incrby", call.db, key);
    engine.set_string_origin(call.db, key, StringOrigin::Encoded);
    Ok(Reply::Integer(sum).into())
}

/// ```text
/// INCRBYFLOAT key increment
/// ```
/// The new value as a bulk string. Both numbers are read with `strtold` and added in x87 80-bit
/// precision, then printed as `%.17Lf` with trailing zeros trimmed, exactly as Redis on x86-64
/// does (`10.5` + `0.1` is `10.6`). The key keeps its TTL.
fn incrbyfloat(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let increment = &call.argv[2];
    let parse = |text: &[u8]| LongDouble::parse(text).ok_or(Error::NotFloat);
    let new_value = match engine.lookup_write(call.db, key) {
        Some(value) => {
            let s = as_string_mut(value)?;
            let sum = float_sum(parse(s)?, parse(increment)?)?;
            *s = StringValue::new(sum.clone());
            sum
        }
        None => {
            let sum = float_sum(LongDouble::ZERO, parse(increment)?)?;
            engine.db_add(call.db, key, Value::string(sum.clone()));
            sum
        }
    };
    engine.notify(NotifyClass::String, "incrbyfloat", call.db, key);
    engine.set_string_origin(call.db, key, StringOrigin::Created);
    Ok(Reply::bulk(new_value).into())
}

/// The sum as INCRBYFLOAT stores it, unless it is not a finite number.
pub(crate) fn float_sum(value: LongDouble, increment: LongDouble) -> Result<Vec<u8>> {
    let sum = value.add(increment);
    if !sum.is_finite() {
        return Err(Error::NanOrInfinity);
    }
    Ok(sum.to_human_string().into_bytes())
}

// ---------------------------------------------------------------------------------------------
// APPEND, STRLEN, GETRANGE, SETRANGE
// ---------------------------------------------------------------------------------------------

/// ```text
/// APPEND key value
/// ```
/// The string's length after appending; a missing key is created with the value (even an
/// empty one). The result may not exceed `proto-max-bulk-len`.
fn append(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let tail = &call.argv[2];
    let max = engine.config.int("proto-max-bulk-len");
    let (value, created) = engine.lookup_write_or_add(call.db, key, || Value::string(tail.clone()));
    let s = as_string_mut(value)?;
    if !created {
        let total = i64::try_from(s.len().saturating_add(tail.len())).ok();
        check_string_length(total, max)?;
        let (before, origin) = (s.len(), s.origin());
        let bytes = s.bytes_mut();
        bytes
            .try_reserve(tail.len())
            .map_err(|_| Error::StringTooLong)?;
        bytes.extend_from_slice(tail);
        // Appended in place (`sdscatlen`), to an exact copy if it was not raw yet.
        s.set_origin(StringOrigin::Raw(
            origin.unshared(before).cat(before, tail.len()),
        ));
    }
    let len = s.len();
    engine.notify(NotifyClass::String, "append", call.db, key);
    Ok(Reply::Integer(len as i64).into())
}

/// ```text
/// STRLEN key
/// ```
/// The string's length in bytes, 0 for a missing key.
fn strlen(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_string(engine, call.db, &call.argv[1])?.map_or(0, |s| s.len());
    Ok(Reply::Integer(len as i64).into())
}

/// ```text
/// GETRANGE key start end
/// SUBSTR key start end
/// ```
/// The bytes from `start` to `end`, both inclusive; negative offsets count from the end, and
/// offsets are clamped to the string. Empty when nothing is left (or the key is missing).
fn getrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let start = parse_i64(&call.argv[2])?;
    let end = parse_i64(&call.argv[3])?;
    let s = read_string(engine, call.db, &call.argv[1])?.unwrap_or_default();
    Ok(Reply::bulk(substring(&s, start, end)).into())
}

/// GETRANGE's offset rules, Redis 7.0's: both negative with start after end is empty; otherwise
/// negative offsets count from the end and are clamped to 0, and end is clamped to the last
/// byte (so `GETRANGE k 0 -100` on a short string is its first byte).
fn substring(s: &[u8], mut start: i64, mut end: i64) -> &[u8] {
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return &[];
    }
    if start < 0 {
        start = (len + start).max(0);
    }
    if end < 0 {
        end = (len + end).max(0);
    }
    end = end.min(len - 1);
    if start > end || len == 0 {
        return &[];
    }
    s.get(start as usize..=end as usize).unwrap_or_default()
}

/// ```text
/// SETRANGE key offset value
/// ```
/// Overwrites the string from `offset` on, padding with zero bytes if it was shorter, and
/// returns the new length. An empty value changes nothing (and creates no key). The offset must
/// not be negative and the result not beyond `proto-max-bulk-len`.
fn setrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let patch = &call.argv[3];
    let offset = parse_i64(&call.argv[2])?;
    if offset < 0 {
        return Err(Error::OffsetOutOfRange);
    }
    let needed = i64::try_from(patch.len())
        .ok()
        .and_then(|len| offset.checked_add(len));
    let max = engine.config.int("proto-max-bulk-len");
    let len = match engine.lookup_write(call.db, key) {
        Some(value) => {
            let s = as_string_mut(value)?;
            if patch.is_empty() {
                return Ok(Reply::Integer(s.len() as i64).into());
            }
            let end = check_string_length(needed, max)?;
            let (before, origin) = (s.len(), s.origin());
            let len = overwrite(s.bytes_mut(), end, patch)?;
            // Grown in place (`sdsgrowzero`), from an exact copy if it was not raw yet.
            s.set_origin(StringOrigin::Raw(
                origin.unshared(before).grow_zero(before, len),
            ));
            len
        }
        None if patch.is_empty() => return Ok(Reply::Integer(0).into()),
        None => {
            let end = check_string_length(needed, max)?;
            let mut s = Vec::new();
            let len = overwrite(&mut s, end, patch)?;
            engine.db_add(call.db, key, Value::string(s));
            engine.set_string_origin(call.db, key, StringOrigin::Raw(Sds::new(len)));
            len
        }
    };
    engine.notify(NotifyClass::String, "setrange", call.db, key);
    Ok(Reply::Integer(len as i64).into())
}

/// Writes `patch` so that it ends at byte `end`, zero-padding a shorter string; the new length.
/// Memory the machine cannot give (a page in the browser, with `proto-max-bulk-len` raised) is
/// refused like a string beyond the limit rather than aborting.
fn overwrite(s: &mut Vec<u8>, end: usize, patch: &[u8]) -> Result<usize> {
    if s.len() < end {
        s.try_reserve_exact(end - s.len())
            .map_err(|_| Error::StringTooLong)?;
        s.resize(end, 0);
    }
    let start = end - patch.len();
    s[start..end].copy_from_slice(patch);
    Ok(s.len())
}

// ---------------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------------

/// ```text
/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
/// ```
/// The longest common subsequence of the two strings (a missing key is an empty string): the
/// subsequence itself; with LEN its length; with IDX a map of `matches` (each a pair of
/// `[start, end]` ranges in key1 and key2, the last match first, only those at least
/// MINMATCHLEN long, each followed by its length with WITHMATCHLEN) and `len`.
///
/// The classic dynamic-programming table: `table[i][j]` is the LCS length of the first `i`
/// bytes of a and the first `j` of b. Walking it back from the end yields the subsequence
/// backwards, and runs of matches that are contiguous in both strings become the ranges.
fn lcs(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let a = engine
        .lookup_read(call.db, &call.argv[1])
        .map(|v| as_string(v).map(<[u8]>::to_vec));
    let b = engine
        .lookup_read(call.db, &call.argv[2])
        .map(|v| as_string(v).map(<[u8]>::to_vec));
    let (a, b) = match (a.transpose(), b.transpose()) {
        (Ok(a), Ok(b)) => (a.unwrap_or_default(), b.unwrap_or_default()),
        _ => return Err(Error::LcsNotStrings),
    };
    let (mut get_len, mut get_idx, mut with_match_len, mut min_match_len) =
        (false, false, false, 0i64);
    let mut i = 3;
    while let Some(opt) = call.argv.get(i) {
        if is(opt, "idx") {
            get_idx = true;
        } else if is(opt, "len") {
            get_len = true;
        } else if is(opt, "withmatchlen") {
            with_match_len = true;
        } else if let (true, Some(arg)) = (is(opt, "minmatchlen"), call.argv.get(i + 1)) {
            min_match_len = parse_i64(arg)?.max(0);
            i += 1;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if get_len && get_idx {
        return Err(Error::LcsLenAndIdx);
    }
    let cells = (a.len() as u128 + 1) * (b.len() as u128 + 1);
    if cells * 4 > engine.config.int("proto-max-bulk-len") as u128 {
        return Err(Error::LcsTooMuchMemory);
    }

    // Like Redis's ztrymalloc: a table the machine cannot give is an error, not a crash.
    let width = b.len() + 1;
    let mut table = Vec::new();
    table
        .try_reserve_exact((a.len() + 1) * width)
        .map_err(|_| Error::LcsAllocationFailed)?;
    table.resize((a.len() + 1) * width, 0u32);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let total = table[a.len() * width + b.len()];
    if get_len {
        return Ok(Reply::Integer(i64::from(total)).into());
    }

    // Walk back from the end. `run` is the current range of contiguous matches, as
    // (a_start, a_end, b_start, b_end); it is emitted when the walk leaves it or reaches the
    // start of either string.
    let mut subsequence = Vec::with_capacity(total as usize);
    let mut matches = Vec::new();
    let mut run: Option<(usize, usize, usize, usize)> = None;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            subsequence.push(a[i - 1]);
            match run.as_mut() {
                None => run = Some((i - 1, i - 1, j - 1, j - 1)),
                Some((a_start, _, b_start, _)) if *a_start == i && *b_start == j => {
                    *a_start -= 1;
                    *b_start -= 1;
                }
                // A match that does not continue the run: Redis emits the run and, as it
                // does, drops this byte's range (it still counts in the subsequence).
                Some(_) => emit = true,
            }
            if run.is_some_and(|(a_start, _, b_start, _)| a_start == 0 || b_start == 0) {
                emit = true;
            }
            i -= 1;
            j -= 1;
        } else {
            if table[(i - 1) * width + j] > table[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = run.is_some();
        }
        if emit {
            if let Some((a_start, a_end, b_start, b_end)) = run.take() {
                let len = (a_end - a_start + 1) as i64;
                if min_match_len == 0 || len >= min_match_len {
                    let range = |s: usize, e: usize| {
                        Reply::Array(vec![Reply::Integer(s as i64), Reply::Integer(e as i64)])
                    };
                    let mut entry = vec![range(a_start, a_end), range(b_start, b_end)];
                    if with_match_len {
                        entry.push(Reply::Integer(len));
                    }
                    matches.push(Reply::Array(entry));
                }
            }
        }
    }
    if get_idx {
        return Ok(Reply::Map(vec![
            (Reply::bulk("matches"), Reply::Array(matches)),
            (Reply::bulk("len"), Reply::Integer(i64::from(total))),
        ])
        .into());
    }
    subsequence.reverse();
    Ok(Reply::bulk(subsequence).into())
}
