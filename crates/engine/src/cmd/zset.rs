//! The sorted-set family (Redis's `t_zset.c`): ZADD and ZINCRBY, the point reads (ZSCORE,
//! ZMSCORE, ZCARD, ZRANK, ZREVRANK), counts (ZCOUNT, ZLEXCOUNT), the range family, removals
//! (ZREM, ZREMRANGEBY*), pops (ZPOPMIN, ZPOPMAX, ZMPOP), ZRANDMEMBER, the algebra (ZUNION,
//! ZINTER, ZDIFF, their STORE forms, ZINTERCARD) and ZSCAN.
//!
//! The structure is in `crate::types::zset` (a member map beside a skip list with spans), so
//! every rank and every range start here is found in O(log n). The commands share their
//! logic the way Redis's own `zrangeGenericCommand`, `zremrangeGenericCommand`,
//! `genericZpopCommand` and `zunionInterDiffGenericCommand` do: ZRANGE, ZREVRANGE,
//! ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX and ZRANGESTORE are one
//! [`zrange_generic`] fixed by a [`RangeForm`]; the three ZREMRANGEBY* are one
//! [`zremrange_generic`]; ZPOPMIN, ZPOPMAX and ZMPOP one [`zpop_generic`]; the six algebra
//! commands and ZINTERCARD one [`zsetop_generic`].
//!
//! Scores are replied as doubles: RESP3 `,` doubles, RESP2 bulk strings, both printed as
//! Redis 7.0's `%.17g` (`0.10000000000000001`). Replies with scores are flat
//! member, score lists in RESP2 and member, score pairs in RESP3, as Redis shapes them.

use crate::args::{is, parse_f64, parse_i64, parse_mpop, strtod};
use crate::cmd::keys::{scan_elements, ScanElements, ScanItem};
use crate::cmd::set::{delete_if_empty, store_result};
use crate::db::Value;
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::reply::{format_double, Reply};
use crate::rng::Rng;
use crate::spec::{flag, key_flag, row, CommandResult, CommandSpec, KeySpec};
use crate::types::set::Set;
use crate::types::zset::{LexBound, ListpackLimits, SortedSet, ZRange};

/// Every command of this family is in Redis's `sorted-set` group.
const GROUP: &str = "sorted-set";

const LOG_N: &str = "O(log(N)) where N is the number of elements in the sorted set.";
const RANGE: &str = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.";
// Key specs several rows share (Redis's own, from its COMMAND INFO).
/// The key is read.
const READS: &[KeySpec] = &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)];
/// Members are removed, none read.
const REMOVES: &[KeySpec] = &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)];
/// Members are read and removed.
const POPS: &[KeySpec] = &[KeySpec::range(
    key_flag::RW | key_flag::ACCESS | key_flag::DELETE,
    1,
    0,
    1,
)];
/// A count of keys, then the keys, all read.
const READS_COUNTED: &[KeySpec] = &[KeySpec::keynum(key_flag::RO | key_flag::ACCESS, 1, 0, 1, 1)];
/// A destination overwritten, then a count of keys read.
const STORES_COUNTED: &[KeySpec] = &[
    KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1),
    KeySpec::keynum(key_flag::RO | key_flag::ACCESS, 2, 0, 1, 1),
];
/// Redis's tip for a reply that may differ from call to call.
const RANDOM: &[&str] = &["nondeterministic_output"];
const W: u32 = flag::WRITE;
const R: u32 = flag::READONLY;

pub static COMMANDS: &[CommandSpec] = &[
    row(GROUP, "zadd", -4, W | flag::DENYOOM | flag::FAST, "1.2.0",
        "Adds members with scores, or updates their scores; NX, XX, GT, LT, CH and INCR refine it.",
        "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]",
        "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)], zadd),
    row(GROUP, "zincrby", 4, W | flag::DENYOOM | flag::FAST, "1.2.0",
        "Adds an increment to a member's score (adding the member if needed); returns the new score.",
        "key increment member", LOG_N, &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)], zincrby),
    row(GROUP, "zrem", -3, W | flag::FAST, "1.2.0",
        "Removes members; returns how many were there.",
        "key member [member ...]",
        "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
        REMOVES, zrem),
    row(GROUP, "zcard", 2, R | flag::FAST, "1.2.0", "Returns the number of members.", "key", "O(1)", &[KeySpec::range(key_flag::RO, 1, 0, 1)], zcard),
    row(GROUP, "zscore", 3, R | flag::FAST, "1.2.0", "Returns a member's score.", "key member", "O(1)", READS, zscore),
    row(GROUP, "zmscore", -3, R | flag::FAST, "6.2.0", "Returns the scores of several members.",
        "key member [member ...]", "O(N) where N is the number of members being requested.", READS, zmscore),
    row(GROUP, "zrank", 3, R | flag::FAST, "2.0.0", "Returns a member's rank, lowest score first.",
        "key member", LOG_N, READS, zrank),
    row(GROUP, "zrevrank", 3, R | flag::FAST, "2.0.0", "Returns a member's rank, highest score first.",
        "key member", LOG_N, READS, zrevrank),
    row(GROUP, "zcount", 4, R | flag::FAST, "2.0.0", "Counts the members with scores within a range.",
        "key min max", LOG_N, READS, zcount),
    row(GROUP, "zlexcount", 4, R | flag::FAST, "2.8.9",
        "Counts the members within a lexicographical range (all scores equal).",
        "key min max", LOG_N, READS, zlexcount),
    row(GROUP, "zrange", -4, R, "1.2.0",
        "Returns members by rank, score or lexicographical range, in either direction.",
        "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
        RANGE, READS, zrange),
    row(GROUP, "zrangestore", -5, W | flag::DENYOOM, "6.2.0",
        "Stores a range of a sorted set (as ZRANGE selects it) in another key.",
        "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
        &[KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1), KeySpec::range(key_flag::RO | key_flag::ACCESS, 2, 0, 1)], zrangestore),
    row(GROUP, "zrevrange", -4, R, "1.2.0", "Returns members by rank, highest score first.",
        "key start stop [WITHSCORES]", RANGE, READS, zrevrange),
    row(GROUP, "zrangebyscore", -4, R, "1.0.5", "Returns members with scores within a range, lowest first.",
        "key min max [WITHSCORES] [LIMIT offset count]", RANGE, READS, zrangebyscore),
    row(GROUP, "zrevrangebyscore", -4, R, "2.2.0",
        "Returns members with scores within a range, highest first.",
        "key max min [WITHSCORES] [LIMIT offset count]", RANGE, READS, zrevrangebyscore),
    row(GROUP, "zrangebylex", -4, R, "2.8.9",
        "Returns members within a lexicographical range (all scores equal).",
        "key min max [LIMIT offset count]", RANGE, READS, zrangebylex),
    row(GROUP, "zrevrangebylex", -4, R, "2.8.9",
        "Returns members within a lexicographical range, in reverse order.",
        "key max min [LIMIT offset count]", RANGE, READS, zrevrangebylex),
    row(GROUP, "zremrangebyrank", 4, W, "2.0.0", "Removes the members within a range of ranks.",
        "key start stop",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        REMOVES, zremrangebyrank),
    row(GROUP, "zremrangebyscore", 4, W, "1.2.0", "Removes the members with scores within a range.",
        "key min max",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        REMOVES, zremrangebyscore),
    row(GROUP, "zremrangebylex", 4, W, "2.8.9", "Removes the members within a lexicographical range.",
        "key min max",
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        REMOVES, zremrangebylex),
    row(GROUP, "zpopmin", -2, W | flag::FAST, "5.0.0", "Removes and returns the members with the lowest scores.",
        "key [count]",
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        POPS, zpopmin),
    row(GROUP, "zpopmax", -2, W | flag::FAST, "5.0.0", "Removes and returns the members with the highest scores.",
        "key [count]",
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        POPS, zpopmax),
    row(GROUP, "zmpop", -4, W | flag::MOVABLEKEYS, "7.0.0",
        "Pops the lowest or highest members from the first non-empty sorted set of several.",
        "numkeys key [key ...] (MIN | MAX) [COUNT count]",
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        &[KeySpec::keynum(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1, 1)], zmpop),
    CommandSpec {
        tips: RANDOM,
        ..row(GROUP, "zrandmember", -2, R, "6.2.0",
            "Returns random members: distinct for a positive count, possibly repeated for a negative one.",
            "key [count [WITHSCORES]]",
            "O(N) where N is the number of members returned",
            READS, zrandmember)
    },
    row(GROUP, "zunion", -3, R | flag::MOVABLEKEYS, "6.2.0",
        "Returns the union of sorted sets (sets count with score 1).",
        "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]",
        "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        READS_COUNTED, zunion),
    row(GROUP, "zinter", -3, R | flag::MOVABLEKEYS, "6.2.0",
        "Returns the intersection of sorted sets (sets count with score 1).",
        "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]",
        "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        READS_COUNTED, zinter),
    row(GROUP, "zdiff", -3, R | flag::MOVABLEKEYS, "6.2.0",
        "Returns the members of the first sorted set that are in none of the others.",
        "numkeys key [key ...] [WITHSCORES]",
        "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        READS_COUNTED, zdiff),
    row(GROUP, "zunionstore", -4, W | flag::DENYOOM | flag::MOVABLEKEYS, "2.0.0",
        "Stores the union of sorted sets in a key; returns its size.",
        "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE (SUM | MIN | MAX)]",
        "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        STORES_COUNTED, zunionstore),
    row(GROUP, "zinterstore", -4, W | flag::DENYOOM | flag::MOVABLEKEYS, "2.0.0",
        "Stores the intersection of sorted sets in a key; returns its size.",
        "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE (SUM | MIN | MAX)]",
        "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        STORES_COUNTED, zinterstore),
    row(GROUP, "zdiffstore", -4, W | flag::DENYOOM | flag::MOVABLEKEYS, "6.2.0",
        "Stores the difference of sorted sets in a key; returns its size.",
        "destination numkeys key [key ...]",
        "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        STORES_COUNTED, zdiffstore),
    row(GROUP, "zintercard", -3, R | flag::MOVABLEKEYS, "7.0.0",
        "Counts the members of the intersection of sorted sets, stopping at an optional limit.",
        "numkeys key [key ...] [LIMIT limit]",
        "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        READS_COUNTED, zintercard),
    CommandSpec {
        tips: RANDOM,
        ..row(GROUP, "zscan", -3, R, "2.8.0", "Iterates over members and scores, a batch per call.",
            "key cursor [MATCH pattern] [COUNT count]",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
            READS, zscan)
    },
];

// --- Shared helpers ---------------------------------------------------------------------------

/// The sorted set a value holds, or WRONGTYPE.
pub(crate) fn as_zset(value: &Value) -> Result<&SortedSet> {
    match value {
        Value::ZSet(z) => Ok(z),
        _ => Err(Error::WrongType),
    }
}

fn as_zset_mut(value: &mut Value) -> Result<&mut SortedSet> {
    match value {
        Value::ZSet(z) => Ok(z),
        _ => Err(Error::WrongType),
    }
}

/// Reads a sorted set for a read-only command: None when the key does not exist.
pub(crate) fn read_zset<'e>(
    engine: &'e mut Engine,
    db: usize,
    key: &[u8],
) -> Result<Option<&'e SortedSet>> {
    engine.lookup_read(db, key).map(as_zset).transpose()
}

/// The sorted set under a key already looked up by this command, for its writes.
fn write_zset<'e>(
    engine: &'e mut Engine,
    db: usize,
    key: &[u8],
) -> Result<Option<&'e mut SortedSet>> {
    engine.lookup_write(db, key).map(as_zset_mut).transpose()
}

/// `zset-max-listpack-entries` and `zset-max-listpack-value`.
pub(crate) fn limits(engine: &Engine) -> ListpackLimits {
    let get = |name| usize::try_from(engine.config.int(name)).unwrap_or(usize::MAX);
    ListpackLimits {
        max_entries: get("zset-max-listpack-entries"),
        max_value: get("zset-max-listpack-value"),
    }
}

fn resp3(engine: &Engine, call: &Call<'_>) -> bool {
    engine
        .clients
        .get(&call.client)
        .is_some_and(|c| c.protocol >= 3)
}

/// Members with their scores as Redis replies them: a flat member, score, member, score...
/// array in RESP2, an array of [member, score] pairs in RESP3 (when `nested`, which is every
/// case but ZPOPMIN/ZPOPMAX without a count), or members alone without `withscores`.
fn scored_reply(pairs: Vec<(Vec<u8>, f64)>, withscores: bool, nested: bool) -> Reply {
    let mut items = Vec::with_capacity(pairs.len() * if withscores { 2 } else { 1 });
    for (member, score) in pairs {
        match (withscores, nested) {
            (false, _) => items.push(Reply::Bulk(member)),
            (true, true) => items.push(Reply::Array(vec![
                Reply::Bulk(member),
                Reply::Double(score),
            ])),
            (true, false) => {
                items.push(Reply::Bulk(member));
                items.push(Reply::Double(score));
            }
        }
    }
    Reply::Array(items)
}

/// Reads one end of a score range as `zslParseRange`: `(` for an exclusive end, then what
/// `strtod` reads of all the rest (leading spaces, hexadecimal, `inf`; nothing at all reads
/// as 0; out of range is no error there), never NaN.
fn parse_score_bound(arg: &[u8]) -> Result<(f64, bool)> {
    let (exclusive, text) = match arg.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, arg),
    };
    match strtod(text) {
        Some((value, _)) if !value.is_nan() => Ok((value, exclusive)),
        _ => Err(Error::MinMaxNotFloat),
    }
}

fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ZRange> {
    let (min, min_exclusive) = parse_score_bound(min)?;
    let (max, max_exclusive) = parse_score_bound(max)?;
    Ok(ZRange::Score {
        min,
        max,
        min_exclusive,
        max_exclusive,
    })
}

/// Reads one end of a lex range as `zslParseLexRangeItem`: `-`, `+`, `[member` or `(member`.
fn parse_lex_bound(arg: &[u8]) -> Result<LexBound> {
    match arg.split_first() {
        Some((b'-', [])) => Ok(LexBound::MinusInfinity),
        Some((b'+', [])) => Ok(LexBound::PlusInfinity),
        Some((b'[', member)) => Ok(LexBound::Inclusive(member.to_vec())),
        Some((b'(', member)) => Ok(LexBound::Exclusive(member.to_vec())),
        _ => Err(Error::MinMaxNotLexItem),
    }
}

fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<ZRange> {
    Ok(ZRange::Lex {
        min: parse_lex_bound(min)?,
        max: parse_lex_bound(max)?,
    })
}

// --- ZADD, ZINCRBY ------------------------------------------------------------------------------

/// ZADD's flags.
#[derive(Clone, Copy, Default)]
struct ZaddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// ```text
/// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
/// ```
/// Adds members or updates their scores, and answers how many were added (with CH, added or
/// changed). NX only adds, XX only updates, GT and LT only update towards a higher or lower
/// score (new members are still added). With INCR (one pair only) the score is an increment
/// and the reply is the new score, or nil when a condition refused the change. Flags come
/// first in any order; every score is checked before anything changes. Announced `zadd`
/// (`zincr` with INCR) when anything was added or updated.
pub(crate) fn zadd(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zadd_generic(engine, call, ZaddFlags::default())
}

/// ```text
/// ZINCRBY key increment member
/// ```
/// Adds the increment to the member's score (a missing member starts from 0) and returns the
/// new score; reaching NaN (`inf` plus `-inf`) is an error. Announced `zincr`. It is ZADD
/// INCR underneath, flags and all, as in Redis: `ZINCRBY k NX m` reads NX as a flag and
/// then lacks a pair (a syntax error).
fn zincrby(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let flags = ZaddFlags {
        incr: true,
        ..ZaddFlags::default()
    };
    zadd_generic(engine, call, flags)
}

/// ZADD and ZINCRBY: the flags after the key, in any order, then the score-member pairs.
fn zadd_generic(engine: &mut Engine, call: &Call<'_>, mut flags: ZaddFlags) -> CommandResult {
    let mut at = 2;
    // Compared in place: a score (the usual first argument) is no flag, and lowering it into
    // a new string to find that out would cost every ZADD an allocation.
    while let Some(arg) = call.argv.get(at) {
        let flag = if is(arg, "nx") {
            &mut flags.nx
        } else if is(arg, "xx") {
            &mut flags.xx
        } else if is(arg, "gt") {
            &mut flags.gt
        } else if is(arg, "lt") {
            &mut flags.lt
        } else if is(arg, "ch") {
            &mut flags.ch
        } else if is(arg, "incr") {
            &mut flags.incr
        } else {
            break;
        };
        *flag = true;
        at += 1;
    }
    let pairs = &call.argv[at..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(Error::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(Error::ZaddXxAndNx);
    }
    if ((flags.gt || flags.lt) && flags.nx) || (flags.gt && flags.lt) {
        return Err(Error::ZaddGtLtNx);
    }
    if flags.incr && pairs.len() > 2 {
        return Err(Error::ZaddIncrPair);
    }
    let scores = pairs
        .chunks(2)
        .map(|pair| parse_f64(&pair[0]))
        .collect::<Result<Vec<f64>>>()?;
    let key = &call.argv[1];
    let db = call.db;
    let limits = limits(engine);
    let exists = write_zset(engine, db, key)?.is_some();
    if !exists {
        if flags.xx {
            return Ok(if flags.incr {
                Reply::Null
            } else {
                Reply::Integer(0)
            }
            .into());
        }
        let zset = SortedSet::for_first_member(pairs[1].len(), limits);
        engine.db_add(db, key, Value::zset(zset));
    }
    let Some(zset) = write_zset(engine, db, key)? else {
        return Err(Error::WrongType);
    };
    let (mut added, mut updated, mut new_score) = (0, 0, None);
    let mut failure = None;
    for (pair, &score) in pairs.chunks(2).zip(&scores) {
        let member = &pair[1];
        match zset.score(member) {
            Some(current) => {
                if flags.nx {
                    continue;
                }
                let score = if flags.incr { current + score } else { score };
                if score.is_nan() {
                    failure = Some(Error::ScoreNan);
                    break;
                }
                if (flags.gt && score <= current) || (flags.lt && score >= current) {
                    continue;
                }
                new_score = Some(current);
                if score != current {
                    new_score = Some(zset.insert(member, score, limits).0);
                    updated += 1;
                }
            }
            None => {
                if flags.xx {
                    continue;
                }
                new_score = Some(zset.insert(member, score, limits).0);
                added += 1;
            }
        }
    }
    if added + updated > 0 {
        let event = if flags.incr { "zincr" } else { "zadd" };
        engine.notify(NotifyClass::ZSet, event, db, key);
    }
    if let Some(error) = failure {
        return Err(error);
    }
    Ok(if flags.incr {
        new_score.map_or(Reply::Null, Reply::Double)
    } else {
        Reply::Integer(if flags.ch { added + updated } else { added })
    }
    .into())
}

// --- ZREM, point reads, counts ------------------------------------------------------------------

/// ```text
/// ZREM key member [member ...]
/// ```
/// How many of the members were there; an emptied sorted set is deleted.
fn zrem(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let Some(zset) = write_zset(engine, call.db, key)? else {
        return Ok(Reply::Integer(0).into());
    };
    let removed = call.argv[2..].iter().filter(|m| zset.remove(m)).count();
    if removed > 0 {
        engine.notify(NotifyClass::ZSet, "zrem", call.db, key);
        delete_if_empty(engine, call.db, key);
    }
    Ok(Reply::Integer(removed as i64).into())
}

/// ```text
/// ZCARD key
/// ```
/// The number of members; 0 for a missing key.
fn zcard(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_zset(engine, call.db, &call.argv[1])?.map_or(0, SortedSet::len);
    Ok(Reply::Integer(len as i64).into())
}

/// ```text
/// ZSCORE key member
/// ```
/// The member's score (a double in RESP3), or nil.
fn zscore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let score = read_zset(engine, call.db, &call.argv[1])?.and_then(|z| z.score(&call.argv[2]));
    Ok(score.map_or(Reply::Null, Reply::Double).into())
}

/// ```text
/// ZMSCORE key member [member ...]
/// ```
/// Each member's score, or nil for a missing one (all nil for a missing key).
fn zmscore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let zset = read_zset(engine, call.db, &call.argv[1])?;
    let scores = call.argv[2..]
        .iter()
        .map(|m| {
            zset.and_then(|z| z.score(m))
                .map_or(Reply::Null, Reply::Double)
        })
        .collect();
    Ok(Reply::Array(scores).into())
}

fn zrank(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zrank_generic(engine, call, false)
}

fn zrevrank(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zrank_generic(engine, call, true)
}

/// ```text
/// ZRANK key member
/// ZREVRANK key member
/// ```
/// The member's 0-based rank counted from the lowest score (ZREVRANK: from the highest), or
/// nil. O(log n): the skip list's spans add up to the rank on the way down.
fn zrank_generic(engine: &mut Engine, call: &Call<'_>, reverse: bool) -> CommandResult {
    let rank =
        read_zset(engine, call.db, &call.argv[1])?.and_then(|z| z.rank(&call.argv[2], reverse));
    Ok(rank
        .map_or(Reply::Null, |r| Reply::Integer(r as i64))
        .into())
}

/// ```text
/// ZCOUNT key min max
/// ```
/// How many members have a score within the range (`(` excludes an end, `-inf`/`+inf`
/// are open ends), from the ranks of its first and last members.
fn zcount(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let range = parse_score_range(&call.argv[2], &call.argv[3])?;
    count_generic(engine, call, &range)
}

/// ```text
/// ZLEXCOUNT key min max
/// ```
/// How many members lie within the lexicographical range (`[a`, `(a`, `-`, `+`).
fn zlexcount(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let range = parse_lex_range(&call.argv[2], &call.argv[3])?;
    count_generic(engine, call, &range)
}

fn count_generic(engine: &mut Engine, call: &Call<'_>, range: &ZRange) -> CommandResult {
    let count = read_zset(engine, call.db, &call.argv[1])?.map_or(0, |z| z.count_in(range));
    Ok(Reply::Integer(count as i64).into())
}

// --- The range family ---------------------------------------------------------------------------

/// How a range is given: by rank, by score, or by member.
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Rank,
    Score,
    Lex,
}

/// What a command of the range family fixes before its options: ZRANGE fixes nothing,
/// ZREVRANGEBYSCORE fixes both, ZRANGESTORE fixes that the result is stored.
#[derive(Clone, Copy)]
struct RangeForm {
    by: Option<By>,
    reverse: Option<bool>,
    store: bool,
}

/// Which members a range selects.
enum Selection {
    /// Inclusive ranks, negative ones counted from the end (ZRANGE 0 -1).
    Ranks(i64, i64),
    /// A score or lex range.
    Within(ZRange),
}

/// The members `selection` picks, in the order asked for, after skipping `offset` and at
/// most `limit` of them (negative: no limit). Ranks are clamped as Redis clamps them; a range
/// starts at its first member found in O(log n), and a negative offset selects nothing, as
/// Redis's skip loop never ends.
fn select(
    zset: &SortedSet,
    selection: &Selection,
    reverse: bool,
    offset: i64,
    limit: i64,
) -> Vec<(Vec<u8>, f64)> {
    let owned = |(m, s): (&[u8], f64)| (m.to_vec(), s);
    match selection {
        Selection::Ranks(start, end) => {
            let len = zset.len() as i64;
            let start = if *start < 0 {
                (start + len).max(0)
            } else {
                *start
            };
            let end = if *end < 0 { end + len } else { *end };
            if start > end || start >= len {
                return Vec::new();
            }
            let end = end.min(len - 1);
            zset.iter_from(start as usize, reverse)
                .take((end - start + 1) as usize)
                .map(owned)
                .collect()
        }
        Selection::Within(range) => {
            let Ok(offset) = usize::try_from(offset) else {
                return Vec::new();
            };
            let Some(first) = zset.first_in(range, reverse) else {
                return Vec::new();
            };
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            zset.iter_from(first.saturating_add(offset), reverse)
                .take_while(|(m, s)| range.contains(*s, m))
                .take(limit)
                .map(owned)
                .collect()
        }
    }
}

fn zrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: None,
        reverse: None,
        store: false,
    };
    zrange_generic(engine, call, form)
}

fn zrangestore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: None,
        reverse: None,
        store: true,
    };
    zrange_generic(engine, call, form)
}

fn zrevrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: Some(By::Rank),
        reverse: Some(true),
        store: false,
    };
    zrange_generic(engine, call, form)
}

fn zrangebyscore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: Some(By::Score),
        reverse: Some(false),
        store: false,
    };
    zrange_generic(engine, call, form)
}

fn zrevrangebyscore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: Some(By::Score),
        reverse: Some(true),
        store: false,
    };
    zrange_generic(engine, call, form)
}

fn zrangebylex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: Some(By::Lex),
        reverse: Some(false),
        store: false,
    };
    zrange_generic(engine, call, form)
}

fn zrevrangebylex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let form = RangeForm {
        by: Some(By::Lex),
        reverse: Some(true),
        store: false,
    };
    zrange_generic(engine, call, form)
}

/// ```text
/// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
/// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
/// ZREVRANGE key start stop [WITHSCORES]
/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
/// ZRANGEBYLEX key min max [LIMIT offset count]
/// ZREVRANGEBYLEX key max min [LIMIT offset count]
/// ```
/// Members by rank (negative ranks count from the end), by score range or by lex range,
/// lowest first or (REV and the REV commands) highest first; a reversed score or lex range is
/// written max first. LIMIT skips `offset` members and keeps at most `count` (negative: all),
/// and only goes with a score or lex range; WITHSCORES does not go with BYLEX. Options are
/// read as Redis reads them, each at most once, before the range is parsed, and the range is
/// parsed before the key is read. ZRANGESTORE stores the selection in `dst` (deleting it when
/// the selection is empty), announced `zrangestore`, and answers its size.
fn zrange_generic(engine: &mut Engine, call: &Call<'_>, form: RangeForm) -> CommandResult {
    let (destination, args) = if form.store {
        (Some(&call.argv[1]), &call.argv[2..])
    } else {
        (None, &call.argv[1..])
    };
    let (key, first, second, options) = (&args[0], &args[1], &args[2], &args[3..]);
    let (mut by, mut reverse) = (form.by, form.reverse);
    let (mut withscores, mut offset, mut limit) = (false, 0, -1);
    let mut j = 0;
    while j < options.len() {
        let option = &options[j];
        let left = options.len() - j - 1;
        if !form.store && is(option, "withscores") {
            withscores = true;
        } else if is(option, "limit") && left >= 2 {
            offset = parse_i64(&options[j + 1])?;
            limit = parse_i64(&options[j + 2])?;
            j += 2;
        } else if reverse.is_none() && is(option, "rev") {
            reverse = Some(true);
        } else if by.is_none() && is(option, "bylex") {
            by = Some(By::Lex);
        } else if by.is_none() && is(option, "byscore") {
            by = Some(By::Score);
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let by = by.unwrap_or(By::Rank);
    let reverse = reverse.unwrap_or(false);
    if limit != -1 && by == By::Rank {
        return Err(Error::LimitNeedsByscoreOrBylex);
    }
    if withscores && by == By::Lex {
        return Err(Error::WithscoresWithBylex);
    }
    let (min, max) = if reverse && by != By::Rank {
        (second, first)
    } else {
        (first, second)
    };
    let selection = match by {
        By::Rank => Selection::Ranks(parse_i64(min)?, parse_i64(max)?),
        By::Score => Selection::Within(parse_score_range(min, max)?),
        By::Lex => Selection::Within(parse_lex_range(min, max)?),
    };
    let pairs = match read_zset(engine, call.db, key)? {
        Some(zset) => select(zset, &selection, reverse, offset, limit),
        None => Vec::new(),
    };
    let Some(destination) = destination else {
        let nested = resp3(engine, call);
        return Ok(scored_reply(pairs, withscores, nested).into());
    };
    let len = pairs.len();
    let zset = SortedSet::from_pairs(pairs, limits(engine));
    store_result(
        engine,
        call.db,
        destination,
        Value::zset(zset),
        NotifyClass::ZSet,
        "zrangestore",
    );
    Ok(Reply::Integer(len as i64).into())
}

fn zremrangebyrank(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let selection = Selection::Ranks(parse_i64(&call.argv[2])?, parse_i64(&call.argv[3])?);
    zremrange_generic(engine, call, selection, "zremrangebyrank")
}

fn zremrangebyscore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let selection = Selection::Within(parse_score_range(&call.argv[2], &call.argv[3])?);
    zremrange_generic(engine, call, selection, "zremrangebyscore")
}

fn zremrangebylex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let selection = Selection::Within(parse_lex_range(&call.argv[2], &call.argv[3])?);
    zremrange_generic(engine, call, selection, "zremrangebylex")
}

/// ```text
/// ZREMRANGEBYRANK key start stop
/// ZREMRANGEBYSCORE key min max
/// ZREMRANGEBYLEX key min max
/// ```
/// Removes the members ZRANGE would select for the same range and answers how many; the
/// command's name is the event, then `del` if the sorted set is gone.
fn zremrange_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    selection: Selection,
    event: &'static str,
) -> CommandResult {
    let key = &call.argv[1];
    let Some(zset) = write_zset(engine, call.db, key)? else {
        return Ok(Reply::Integer(0).into());
    };
    let doomed = select(zset, &selection, false, 0, -1);
    for (member, _) in &doomed {
        zset.remove(member);
    }
    if !doomed.is_empty() {
        engine.notify(NotifyClass::ZSet, event, call.db, key);
        delete_if_empty(engine, call.db, key);
    }
    Ok(Reply::Integer(doomed.len() as i64).into())
}

// --- ZPOPMIN, ZPOPMAX, ZMPOP ---------------------------------------------------------------------

/// Which end a pop takes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Min,
    Max,
}

fn zpopmin(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zpop_command(engine, call, End::Min)
}

fn zpopmax(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zpop_command(engine, call, End::Max)
}

/// ```text
/// ZPOPMIN key [count]
/// ZPOPMAX key [count]
/// ```
/// Removes and returns up to count (default 1) members with the lowest (highest) scores,
/// with their scores: a flat member, score list, in RESP3 a list of pairs when a count was
/// given. An empty array for a missing key.
fn zpop_command(engine: &mut Engine, call: &Call<'_>, end: End) -> CommandResult {
    if call.argv.len() > 3 {
        return Err(Error::Syntax);
    }
    let count = match call.argv.get(2) {
        None => None,
        Some(arg) => Some(
            parse_i64(arg)
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(Error::NotPositive)?,
        ),
    };
    let nested = count.is_some() && resp3(engine, call);
    match zpop_generic(engine, call.db, &call.argv[1..2], end, count.unwrap_or(1))? {
        Some((_, pairs)) => Ok(scored_reply(pairs, true, nested).into()),
        None => Ok(Reply::Array(Vec::new()).into()),
    }
}

/// ```text
/// ZMPOP numkeys key [key ...] (MIN | MAX) [COUNT count]
/// ```
/// Pops like ZPOPMIN/ZPOPMAX from the first of the keys that holds a sorted set, and answers
/// [key, [[member, score], ...]], or a null array when every key is missing. A key of
/// another type before the first sorted set is WRONGTYPE.
fn zmpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (numkeys, end, count) = parse_mpop(&call.argv[1..], ["min", "max"])?;
    let keys = &call.argv[2..2 + numkeys];
    let end = if end == 0 { End::Min } else { End::Max };
    match zpop_generic(engine, call.db, keys, end, count)? {
        Some((key, pairs)) => {
            Ok(Reply::Array(vec![Reply::Bulk(key), scored_reply(pairs, true, true)]).into())
        }
        None => Ok(Reply::NullArray.into()),
    }
}

/// A key that gave members, and the members it gave with their scores.
type Popped = (Vec<u8>, Vec<(Vec<u8>, f64)>);

/// Pops up to `count` members from the first key of `keys` that exists, announcing
/// `zpopmin` or `zpopmax` (then `del` when it is emptied). None when no key exists or the
/// count is 0.
fn zpop_generic(
    engine: &mut Engine,
    db: usize,
    keys: &[Vec<u8>],
    end: End,
    count: usize,
) -> Result<Option<Popped>> {
    for key in keys {
        let Some(zset) = write_zset(engine, db, key)? else {
            continue;
        };
        if count == 0 {
            return Ok(None);
        }
        let pairs: Vec<(Vec<u8>, f64)> = zset
            .iter_from(0, end == End::Max)
            .take(count)
            .map(|(m, s)| (m.to_vec(), s))
            .collect();
        for (member, _) in &pairs {
            zset.remove(member);
        }
        let event = if end == End::Min {
            "zpopmin"
        } else {
            "zpopmax"
        };
        engine.notify(NotifyClass::ZSet, event, db, key);
        delete_if_empty(engine, db, key);
        return Ok(Some((key.clone(), pairs)));
    }
    Ok(None)
}

// --- ZRANDMEMBER ----------------------------------------------------------------------------------

/// ```text
/// ZRANDMEMBER key [count [WITHSCORES]]
/// ```
/// Without a count: one random member, or nil. A positive count gives that many distinct
/// members (every member when it reaches the size: a listpack reads back from its highest
/// score, as Redis's does); a negative one draws |count| independently, repeats allowed.
/// Picks come from the engine's seeded generator.
fn zrandmember(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    // The count is read before anything after it, as in Redis.
    let count = call
        .argv
        .get(2)
        .map(|n| parse_random_count(n))
        .transpose()?;
    let withscores = match call.argv.get(3..).unwrap_or_default() {
        [] => false,
        [w] if is(w, "withscores") => true,
        _ => return Err(Error::Syntax),
    };
    if let Some(n) = count {
        if withscores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&n) {
            return Err(Error::ValueOutOfRange);
        }
    }
    let nested = resp3(engine, call);
    if read_zset(engine, call.db, key)?.is_none() {
        return Ok(match count {
            None => Reply::Null,
            Some(_) => Reply::Array(Vec::new()),
        }
        .into());
    }
    let Some((zset, rng)) = zset_and_rng(engine, call.db, key) else {
        return Err(Error::WrongType);
    };
    let Some(count) = count else {
        let pick = zset
            .get_index(rng.below(zset.len()))
            .map(|(m, _)| m.to_vec());
        return Ok(Reply::bulk_or_null(pick).into());
    };
    let pairs: Vec<(Vec<u8>, f64)> = if count >= zset.len() as i64 {
        let whole = zset.iter_from(0, zset.is_listpack());
        whole.map(|(m, s)| (m.to_vec(), s)).collect()
    } else {
        zset.pick(&random_positions(rng, zset.len(), count))
            .into_iter()
            .map(|(m, s)| (m.to_vec(), s))
            .collect()
    };
    Ok(scored_reply(pairs, withscores, nested).into())
}

/// ZRANDMEMBER's count: any integer but i64::MIN, which has no opposite.
fn parse_random_count(arg: &[u8]) -> Result<i64> {
    match parse_i64(arg)? {
        i64::MIN => Err(Error::IntOutOfRange {
            min: -i64::MAX,
            max: i64::MAX,
        }),
        n => Ok(n),
    }
}

/// The sorted set under a key this command already looked up, beside the engine's
/// generator: the borrow split that random picks need.
fn zset_and_rng<'e>(
    engine: &'e mut Engine,
    db: usize,
    key: &[u8],
) -> Option<(&'e SortedSet, &'e mut Rng)> {
    match engine.dbs[db].keys.get(key).map(|e| &e.value) {
        Some(Value::ZSet(zset)) => Some((zset, &mut engine.rng)),
        _ => None,
    }
}

/// `count` positions in `0..len`: distinct when positive, drawn with repeats when negative.
fn random_positions(rng: &mut Rng, len: usize, count: i64) -> Vec<usize> {
    if count < 0 {
        return (0..count.unsigned_abs()).map(|_| rng.below(len)).collect();
    }
    let wanted = (count as u64).min(len as u64) as usize;
    if wanted * 3 < len {
        let mut seen = std::collections::HashSet::with_capacity(wanted);
        std::iter::from_fn(|| Some(rng.below(len)))
            .filter(|p| seen.insert(*p))
            .take(wanted)
            .collect()
    } else {
        let mut all: Vec<usize> = (0..len).collect();
        for i in 0..wanted {
            let j = i + rng.below(len - i);
            all.swap(i, j);
        }
        all.truncate(wanted);
        all
    }
}

// --- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ----------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum ZsetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// Folds `value` into `target` as `zunionInterAggregate` does; a sum of opposite
    /// infinities is 0, not NaN.
    fn fold(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => *target = target.min(value),
            Aggregate::Max => *target = target.max(value),
        }
    }
}

/// An input of the algebra: a sorted set, a plain set (every member scoring 1), or nothing.
enum Input {
    ZSet(Box<SortedSet>),
    Set(Box<Set>),
}

impl Input {
    fn len(&self) -> usize {
        match self {
            Input::ZSet(z) => z.len(),
            Input::Set(s) => s.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Input::ZSet(z) => z.score(member),
            Input::Set(s) => s.contains(member).then_some(1.0),
        }
    }

    fn members(&self) -> Vec<(Vec<u8>, f64)> {
        match self {
            Input::ZSet(z) => z.iter().map(|(m, s)| (m.to_vec(), s)).collect(),
            Input::Set(s) => s.iter().map(|m| (m, 1.0)).collect(),
        }
    }
}

fn zunion(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Union, false, false)
}

fn zinter(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Inter, false, false)
}

fn zdiff(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Diff, false, false)
}

fn zunionstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Union, true, false)
}

fn zinterstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Inter, true, false)
}

fn zdiffstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Diff, true, false)
}

fn zintercard(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    zsetop_generic(engine, call, ZsetOp::Inter, false, true)
}

/// ```text
/// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
/// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
/// ZDIFF numkeys key [key ...] [WITHSCORES]
/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE (SUM | MIN | MAX)]
/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE (SUM | MIN | MAX)]
/// ZDIFFSTORE destination numkeys key [key ...]
/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
/// ```
/// The union, intersection or difference of sorted sets (plain sets count, every member
/// scoring 1; a missing key is empty; any other type is WRONGTYPE, checked before the
/// options). Each input's scores are multiplied by its weight, and a member's scores are
/// combined by the aggregate (SUM by default; a NaN becomes 0). The inputs are visited from
/// the smallest, as Redis visits them, so sums add up in the same order. The result is
/// ordered by score then member. The STORE forms store it (a new set, small ones listpacks),
/// announced `zunionstore`, `zinterstore` or `zdiffstore`, or delete the destination when it
/// is empty, and answer its size; ZINTERCARD only counts, up to LIMIT when not 0.
fn zsetop_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    op: ZsetOp,
    store: bool,
    cardinality_only: bool,
) -> CommandResult {
    let numkeys_at = if store { 2 } else { 1 };
    let numkeys = parse_i64(&call.argv[numkeys_at])?;
    if numkeys < 1 {
        return Err(Error::AtLeastOneInputKey(call.name.to_string()));
    }
    let args = &call.argv[numkeys_at + 1..];
    if numkeys as u64 > args.len() as u64 {
        return Err(Error::Syntax);
    }
    let (keys, mut options) = args.split_at(numkeys as usize);
    let mut inputs = Vec::with_capacity(keys.len());
    for key in keys {
        inputs.push(match engine.lookup_read(call.db, key) {
            None => None,
            Some(Value::ZSet(z)) => Some(Input::ZSet(z.clone())),
            Some(Value::Set(s)) => Some(Input::Set(s.clone())),
            Some(_) => return Err(Error::WrongType),
        });
    }
    let mut weights = vec![1.0; keys.len()];
    let (mut aggregate, mut withscores, mut limit) = (Aggregate::Sum, false, 0usize);
    let weighted = op != ZsetOp::Diff && !cardinality_only;
    while let Some(option) = options.first() {
        if weighted && options.len() > keys.len() && is(option, "weights") {
            for (weight, arg) in weights.iter_mut().zip(&options[1..]) {
                *weight = parse_f64(arg).map_err(|_| Error::WeightNotFloat)?;
            }
            options = &options[keys.len() + 1..];
        } else if weighted && options.len() >= 2 && is(option, "aggregate") {
            aggregate = match &options[1] {
                a if is(a, "sum") => Aggregate::Sum,
                a if is(a, "min") => Aggregate::Min,
                a if is(a, "max") => Aggregate::Max,
                _ => return Err(Error::Syntax),
            };
            options = &options[2..];
        } else if !store && !cardinality_only && is(option, "withscores") {
            withscores = true;
            options = &options[1..];
        } else if cardinality_only && options.len() >= 2 && is(option, "limit") {
            limit = parse_i64(&options[1])
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(Error::OptionNegative("LIMIT"))?;
            options = &options[2..];
        } else {
            return Err(Error::Syntax);
        }
    }
    let mut sources: Vec<(Option<Input>, f64)> = inputs.into_iter().zip(weights).collect();
    let len_of = |s: &(Option<Input>, f64)| s.0.as_ref().map_or(0, Input::len);
    match op {
        ZsetOp::Diff => sources[1..].sort_by_key(|s| std::cmp::Reverse(len_of(s))),
        _ => sources.sort_by_key(len_of),
    }
    let result = combine(
        op,
        &sources,
        aggregate,
        if cardinality_only { limit } else { 0 },
    );
    if cardinality_only {
        return Ok(Reply::Integer(result.len() as i64).into());
    }
    let Some(destination) = store.then(|| &call.argv[1]) else {
        let mut pairs = result;
        // By score, then member; -0 and 0 are one score, as in Redis's comparison.
        pairs.sort_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.0.cmp(&b.0))
        });
        let nested = resp3(engine, call);
        return Ok(scored_reply(pairs, withscores, nested).into());
    };
    let len = result.len();
    let zset = SortedSet::from_pairs(result, limits(engine));
    let event = match op {
        ZsetOp::Union => "zunionstore",
        ZsetOp::Inter => "zinterstore",
        ZsetOp::Diff => "zdiffstore",
    };
    store_result(
        engine,
        call.db,
        destination,
        Value::zset(zset),
        NotifyClass::ZSet,
        event,
    );
    Ok(Reply::Integer(len as i64).into())
}

/// The members and combined scores of `op` over `sources` (already in Redis's visiting
/// order), unordered; an intersection stops after `limit` members when it is not 0.
fn combine(
    op: ZsetOp,
    sources: &[(Option<Input>, f64)],
    aggregate: Aggregate,
    limit: usize,
) -> Vec<(Vec<u8>, f64)> {
    let weighted = |score: f64, weight: f64| {
        let s = score * weight;
        if s.is_nan() {
            0.0
        } else {
            s
        }
    };
    let Some(((first, first_weight), others)) = sources.split_first() else {
        return Vec::new();
    };
    match op {
        ZsetOp::Union => {
            let mut accumulator: indexmap::IndexMap<Vec<u8>, f64> = indexmap::IndexMap::new();
            for (input, weight) in sources {
                for (member, score) in input.iter().flat_map(Input::members) {
                    let score = weighted(score, *weight);
                    match accumulator.get_mut(&member) {
                        Some(total) => aggregate.fold(total, score),
                        None => {
                            accumulator.insert(member, score);
                        }
                    }
                }
            }
            accumulator.into_iter().collect()
        }
        ZsetOp::Inter => {
            let Some(first) = first else {
                return Vec::new();
            };
            let mut found = Vec::new();
            'members: for (member, score) in first.members() {
                let mut total = weighted(score, *first_weight);
                for (input, weight) in others {
                    match input.as_ref().and_then(|i| i.score(&member)) {
                        Some(score) => aggregate.fold(&mut total, score * weight),
                        None => continue 'members,
                    }
                }
                found.push((member, total));
                if limit > 0 && found.len() >= limit {
                    break;
                }
            }
            found
        }
        ZsetOp::Diff => {
            let Some(first) = first else {
                return Vec::new();
            };
            first
                .members()
                .into_iter()
                .filter(|(m, _)| {
                    others
                        .iter()
                        .all(|(input, _)| input.as_ref().and_then(|i| i.score(m)).is_none())
                })
                .collect()
        }
    }
}

// --- ZSCAN ----------------------------------------------------------------------------------------

/// How a listpack spells a stored score (ZSCAN shows it): an integral score within ±2^62 is
/// kept as an integer (Redis's `double2ll`), anything else as `%.17g` text.
fn listpack_score_text(score: f64) -> String {
    const HALF_I64: f64 = (i64::MAX / 2) as f64;
    if (-HALF_I64..=HALF_I64).contains(&score) && score.fract() == 0.0 {
        (score as i64).to_string()
    } else {
        format_double(score)
    }
}

/// A listpack answers whole, in score order, its scores as the listpack spells them; a skip
/// list is walked by cursor over its member map, scores as `%.17g`.
impl ScanElements for SortedSet {
    fn positions(&self) -> usize {
        self.len()
    }

    fn is_compact(&self) -> bool {
        self.is_listpack()
    }

    fn compact_elements(&self) -> Vec<ScanItem> {
        self.iter()
            .map(|(m, s)| (m.to_vec(), Some(listpack_score_text(s).into_bytes())))
            .collect()
    }

    fn element_at(&self, position: usize) -> Option<ScanItem> {
        self.get_index(position)
            .map(|(m, s)| (m.to_vec(), Some(format_double(s).into_bytes())))
    }
}

/// ```text
/// ZSCAN key cursor [MATCH pattern] [COUNT count]
/// ```
/// A batch of member, score pairs and the next cursor (see `cmd::keys::scan_elements`).
fn zscan(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    scan_elements(engine, call, |value| Ok(as_zset(value)?))
}
