//! The blocking pops (Redis's `t_list.c` and `t_zset.c` blocking variants): BLPOP, BRPOP,
//! BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP. They share one mechanism
//! (`crate::blocking`): try the non-blocking twin (LMPOP, LMOVE, ZMPOP) at once; when every key
//! is empty, block until a key is created or the timeout passes. So each handler here only
//! checks its arguments in Redis's order and says which twin serves it, and how.

use crate::args::{parse_f64, parse_mpop};
use crate::blocking::{reshape, Blocked, Serve, Shape, WaitsFor};
use crate::cmd::list::parse_end;
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::Outcome;

const POP: u32 = flag::WRITE | flag::NOSCRIPT | flag::BLOCKING;
const MOVE: u32 = flag::WRITE | flag::DENYOOM | flag::NOSCRIPT | flag::BLOCKING;
const MPOP: u32 = flag::WRITE | flag::BLOCKING | flag::MOVABLEKEYS;
const ZPOP: u32 = flag::WRITE | flag::NOSCRIPT | flag::BLOCKING | flag::FAST;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "blpop",
        arity: -3,
        flags: POP,
        group: "list",
        since: "2.0.0",
        summary: "Pops the first element of the first non-empty list, waiting for one if none is.",
        syntax: "key [key ...] timeout",
        complexity: "O(N) where N is the number of provided keys.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, -2, 1)],
        tips: &[],
        handler: Some(blpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "brpop",
        arity: -3,
        flags: POP,
        group: "list",
        since: "2.0.0",
        summary: "Pops the last element of the first non-empty list, waiting for one if none is.",
        syntax: "key [key ...] timeout",
        complexity: "O(N) where N is the number of provided keys.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, -2, 1)],
        tips: &[],
        handler: Some(brpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "blmove",
        arity: 6,
        flags: MOVE,
        group: "list",
        since: "6.2.0",
        summary: "Moves an element from one list to another, waiting for one if the source is empty.",
        syntax: "source destination (LEFT | RIGHT) (LEFT | RIGHT) timeout",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(blmove),
        subcommands: &[],
    },
    CommandSpec {
        name: "brpoplpush",
        arity: 4,
        flags: MOVE,
        group: "list",
        since: "2.2.0",
        summary: "Pops the last element of a list onto the head of another, waiting for one if the source is empty.",
        syntax: "source destination timeout",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(brpoplpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "blmpop",
        arity: -5,
        flags: MPOP,
        group: "list",
        since: "7.0.0",
        summary: "Pops elements from the first non-empty list, waiting for one if none is.",
        syntax: "timeout numkeys key [key ...] (LEFT | RIGHT) [COUNT count]",
        complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        keys: &[KeySpec::keynum(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 2, 0, 1, 1)],
        tips: &[],
        handler: Some(blmpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "bzpopmin",
        arity: -3,
        flags: ZPOP,
        group: "sorted-set",
        since: "5.0.0",
        summary: "Pops the lowest-scored member of the first non-empty sorted set, waiting for one if none is.",
        syntax: "key [key ...] timeout",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, -2, 1)],
        tips: &[],
        handler: Some(bzpopmin),
        subcommands: &[],
    },
    CommandSpec {
        name: "bzpopmax",
        arity: -3,
        flags: ZPOP,
        group: "sorted-set",
        since: "5.0.0",
        summary: "Pops the highest-scored member of the first non-empty sorted set, waiting for one if none is.",
        syntax: "key [key ...] timeout",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, -2, 1)],
        tips: &[],
        handler: Some(bzpopmax),
        subcommands: &[],
    },
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        flags: MPOP,
        group: "sorted-set",
        since: "7.0.0",
        summary: "Pops members from the first non-empty sorted set, waiting for one if none is.",
        syntax: "timeout numkeys key [key ...] (MIN | MAX) [COUNT count]",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        keys: &[KeySpec::keynum(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 2, 0, 1, 1)],
        tips: &[],
        handler: Some(bzmpop),
        subcommands: &[],
    },
];

/// A blocking command's timeout in seconds, as Redis 7.0 reads it: a float, turned into whole
/// milliseconds by a C cast (so a value too large for a `long long` comes out negative, and
/// below a millisecond comes out 0); 0 waits forever. The deadline in Unix ms, if any.
fn parse_timeout(arg: &[u8], now_ms: u64) -> Result<Option<u64>> {
    let seconds = parse_f64(arg).map_err(|_| Error::TimeoutNotFloat)?;
    let ms = seconds * 1000.0;
    let ms = if ms.is_finite() && ms.abs() < 9.2e18 {
        ms as i64
    } else {
        i64::MIN
    };
    match u64::try_from(ms) {
        Err(_) => Err(Error::TimeoutNegative),
        Ok(0) => Ok(None),
        Ok(ms) => Ok(Some(now_ms.saturating_add(ms))),
    }
}

fn bytes(word: &str) -> Vec<u8> {
    word.as_bytes().to_vec()
}

/// What every blocking pop does once its arguments are read: runs `now` (the twin over all
/// the keys); answers its reply when it popped something; answers `empty` inside a
/// transaction, where nothing may block; blocks otherwise.
fn pop_or_block(
    engine: &mut Engine,
    call: &Call<'_>,
    now: &[Vec<u8>],
    blocked: Blocked,
    shape: Shape,
    empty: Reply,
) -> CommandResult {
    let reply = engine.run_twin(call.client, now)?;
    if !matches!(reply, Reply::NullArray | Reply::Null) {
        return Ok(reshape(reply, shape).into());
    }
    if !engine.may_block() {
        return Ok(empty.into());
    }
    engine.block(call.client, blocked);
    Ok(Outcome::Blocked)
}

/// BLPOP, BRPOP, BZPOPMIN and BZPOPMAX: keys, then a timeout; served by LMPOP or ZMPOP on one
/// key, one element, reshaped to `[key, element]` or `[key, member, score]`.
fn pop_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    twin: &str,
    end: &str,
    waits_for: WaitsFor,
    shape: Shape,
) -> CommandResult {
    let (timeout, keys) = call.argv[1..]
        .split_last()
        .ok_or_else(|| Error::WrongArity(call.name.to_string()))?;
    let timeout_at = parse_timeout(timeout, engine.now_ms)?;
    let mut now = vec![bytes(twin), keys.len().to_string().into_bytes()];
    now.extend(keys.iter().cloned());
    now.push(bytes(end));
    let blocked = Blocked {
        db: call.db,
        keys: keys.to_vec(),
        timeout_at,
        serve: Serve::Twin {
            waits_for,
            twin: vec![bytes(twin), bytes("1"), Vec::new(), bytes(end)],
            key_at: 2,
            shape,
        },
    };
    pop_or_block(engine, call, &now, blocked, shape, Reply::NullArray)
}

/// ```text
/// BLPOP key [key ...] timeout
/// ```
/// `[key, element]` from the head of the first non-empty list; otherwise waits, up to
/// `timeout` seconds (0: forever), and answers the null array if nothing came.
fn blpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    pop_generic(
        engine,
        call,
        "lmpop",
        "left",
        WaitsFor::List,
        Shape::KeyElement,
    )
}

/// ```text
/// BRPOP key [key ...] timeout
/// ```
/// As BLPOP, from the tail.
fn brpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    pop_generic(
        engine,
        call,
        "lmpop",
        "right",
        WaitsFor::List,
        Shape::KeyElement,
    )
}

/// ```text
/// BZPOPMIN key [key ...] timeout
/// ```
/// `[key, member, score]` with the lowest score of the first non-empty sorted set; otherwise
/// waits as BLPOP does.
fn bzpopmin(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    pop_generic(
        engine,
        call,
        "zmpop",
        "min",
        WaitsFor::ZSet,
        Shape::KeyMemberScore,
    )
}

/// ```text
/// BZPOPMAX key [key ...] timeout
/// ```
fn bzpopmax(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    pop_generic(
        engine,
        call,
        "zmpop",
        "max",
        WaitsFor::ZSet,
        Shape::KeyMemberScore,
    )
}

/// BLMOVE and BRPOPLPUSH: LMOVE once the source has an element. Inside a transaction an empty
/// source answers nil (not the null array that a timeout answers).
fn move_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    from: &[u8],
    to: &[u8],
    timeout: &[u8],
) -> CommandResult {
    let timeout_at = parse_timeout(timeout, engine.now_ms)?;
    let (source, destination) = (&call.argv[1], &call.argv[2]);
    let twin = vec![
        bytes("lmove"),
        source.clone(),
        destination.clone(),
        from.to_vec(),
        to.to_vec(),
    ];
    let blocked = Blocked {
        db: call.db,
        keys: vec![source.clone()],
        timeout_at,
        serve: Serve::Twin {
            waits_for: WaitsFor::List,
            twin: twin.clone(),
            key_at: 1,
            shape: Shape::Same,
        },
    };
    pop_or_block(engine, call, &twin, blocked, Shape::Same, Reply::Null)
}

/// ```text
/// BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout
/// ```
/// The element moved, as LMOVE; waits while the source is empty.
fn blmove(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    parse_end(&call.argv[3])?;
    parse_end(&call.argv[4])?;
    move_generic(engine, call, &call.argv[3], &call.argv[4], &call.argv[5])
}

/// ```text
/// BRPOPLPUSH source destination timeout
/// ```
/// `BLMOVE source destination RIGHT LEFT timeout`.
fn brpoplpush(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    move_generic(engine, call, b"right", b"left", &call.argv[3])
}

/// BLMPOP and BZMPOP: numkeys, the end and COUNT are checked before the timeout; served by
/// LMPOP or ZMPOP on one key, their reply as is.
fn mpop_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    twin: &str,
    ends: [&str; 2],
    waits_for: WaitsFor,
) -> CommandResult {
    let (numkeys, end, count) = parse_mpop(&call.argv[2..], ends)?;
    let timeout_at = parse_timeout(&call.argv[1], engine.now_ms)?;
    let mut now = vec![bytes(twin)];
    now.extend(call.argv[2..].iter().cloned());
    let blocked = Blocked {
        db: call.db,
        keys: call.argv[3..3 + numkeys].to_vec(),
        timeout_at,
        serve: Serve::Twin {
            waits_for,
            twin: vec![
                bytes(twin),
                bytes("1"),
                Vec::new(),
                bytes(ends[end]),
                bytes("count"),
                count.to_string().into_bytes(),
            ],
            key_at: 2,
            shape: Shape::Same,
        },
    };
    pop_or_block(engine, call, &now, blocked, Shape::Same, Reply::NullArray)
}

/// ```text
/// BLMPOP timeout numkeys key [key ...] (LEFT | RIGHT) [COUNT count]
/// ```
/// As LMPOP (`[key, [elements]]`); waits while every list is empty.
fn blmpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    mpop_generic(engine, call, "lmpop", ["left", "right"], WaitsFor::List)
}

/// ```text
/// BZMPOP timeout numkeys key [key ...] (MIN | MAX) [COUNT count]
/// ```
/// As ZMPOP (`[key, [[member, score], ...]]`); waits while every sorted set is empty.
fn bzmpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    mpop_generic(engine, call, "zmpop", ["min", "max"], WaitsFor::ZSet)
}
