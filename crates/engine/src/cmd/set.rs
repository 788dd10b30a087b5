//! The set family (Redis's `t_set.c`): SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD,
//! SPOP, SRANDMEMBER, SMOVE, the algebra (SINTER, SUNION, SDIFF, their STORE forms and
//! SINTERCARD) and SSCAN.
//!
//! The structure and its two encodings are in `crate::types::set`. The algebra is one
//! [`set_algebra`] for all six commands, which differ only in the operation and in where the
//! result goes (a reply or a key). Redis's reply order is part of what it answers: an intset
//! reads in ascending order, SINTER walks the smallest input, and SUNION and SDIFF reply from
//! the result set they build — so we do the same, and a result that Redis would hold as an
//! intset comes back sorted here too. Every change is announced with Redis's event name
//! (`sadd`, `srem`, `spop`, `sinterstore`...), and a set emptied by a command is deleted
//! (`del`).
//!
//! SSCAN is the element scan shared with HSCAN and ZSCAN (`cmd::keys::scan_elements`): an
//! intset comes back whole in one call with cursor 0; a hashtable is walked with the same
//! swap-remove-proof cursor as the keyspace's SCAN.

use crate::args::{is, parse_i64};
use crate::cmd::keys::{scan_elements, ScanElements, ScanItem};
use crate::db::Value;
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::reply::Reply;
use crate::rng::Rng;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::types::Set;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sadd",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "set",
        since: "1.0.0",
        summary: "Adds members to a set, creating it if needed; returns how many were new.",
        syntax: "key member [member ...]",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(sadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "srem",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "set",
        since: "1.0.0",
        summary: "Removes members from a set; returns how many were there.",
        syntax: "key member [member ...]",
        complexity: "O(N) where N is the number of members to be removed.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(srem),
        subcommands: &[],
    },
    CommandSpec {
        name: "smembers",
        arity: 2,
        flags: flag::READONLY,
        group: "set",
        since: "1.0.0",
        summary: "Returns every member of a set.",
        syntax: "key",
        complexity: "O(N) where N is the set cardinality.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(smembers),
        subcommands: &[],
    },
    CommandSpec {
        name: "sismember",
        arity: 3,
        flags: flag::READONLY | flag::FAST,
        group: "set",
        since: "1.0.0",
        summary: "Tells whether a member belongs to a set.",
        syntax: "key member",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(sismember),
        subcommands: &[],
    },
    CommandSpec {
        name: "smismember",
        arity: -3,
        flags: flag::READONLY | flag::FAST,
        group: "set",
        since: "6.2.0",
        summary: "Tells, for each of several members, whether it belongs to a set.",
        syntax: "key member [member ...]",
        complexity: "O(N) where N is the number of elements being checked for membership",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(smismember),
        subcommands: &[],
    },
    CommandSpec {
        name: "scard",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "set",
        since: "1.0.0",
        summary: "Returns the number of members in a set.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(scard),
        subcommands: &[],
    },
    CommandSpec {
        name: "spop",
        arity: -2,
        flags: flag::WRITE | flag::FAST,
        group: "set",
        since: "1.0.0",
        summary: "Removes and returns one or more random members of a set.",
        syntax: "key [count]",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(spop),
        subcommands: &[],
    },
    CommandSpec {
        name: "srandmember",
        arity: -2,
        flags: flag::READONLY,
        group: "set",
        since: "1.0.0",
        summary: "Returns random members of a set: distinct for a positive count, possibly repeated for a negative one.",
        syntax: "key [count]",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(srandmember),
        subcommands: &[],
    },
    CommandSpec {
        name: "smove",
        arity: 4,
        flags: flag::WRITE | flag::FAST,
        group: "set",
        since: "1.0.0",
        summary: "Moves a member from one set to another.",
        syntax: "source destination member",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(smove),
        subcommands: &[],
    },
    CommandSpec {
        name: "sinter",
        arity: -2,
        flags: flag::READONLY,
        group: "set",
        since: "1.0.0",
        summary: "Returns the members found in every given set.",
        syntax: "key [key ...]",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, -1, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(sinter),
        subcommands: &[],
    },
    CommandSpec {
        name: "sintercard",
        arity: -3,
        flags: flag::READONLY | flag::MOVABLEKEYS,
        group: "set",
        since: "7.0.0",
        summary: "Counts the members of the intersection of sets, stopping at an optional limit.",
        syntax: "numkeys key [key ...] [LIMIT limit]",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        keys: &[KeySpec::keynum(key_flag::RO | key_flag::ACCESS, 1, 0, 1, 1)],
        tips: &[],
        handler: Some(sintercard),
        subcommands: &[],
    },
    CommandSpec {
        name: "sinterstore",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "set",
        since: "1.0.0",
        summary: "Stores the intersection of sets in a key; returns its size.",
        syntax: "destination key [key ...]",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1),
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 2, -1, 1),
        ],
        tips: &[],
        handler: Some(sinterstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "sunion",
        arity: -2,
        flags: flag::READONLY,
        group: "set",
        since: "1.0.0",
        summary: "Returns the members found in any of the given sets.",
        syntax: "key [key ...]",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, -1, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(sunion),
        subcommands: &[],
    },
    CommandSpec {
        name: "sunionstore",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "set",
        since: "1.0.0",
        summary: "Stores the union of sets in a key; returns its size.",
        syntax: "destination key [key ...]",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        keys: &[
            KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1),
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 2, -1, 1),
        ],
        tips: &[],
        handler: Some(sunionstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "sdiff",
        arity: -2,
        flags: flag::READONLY,
        group: "set",
        since: "1.0.0",
        summary: "Returns the members of the first set that are in none of the others.",
        syntax: "key [key ...]",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, -1, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(sdiff),
        subcommands: &[],
    },
    CommandSpec {
        name: "sdiffstore",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "set",
        since: "1.0.0",
        summary: "Stores the difference of sets in a key; returns its size.",
        syntax: "destination key [key ...]",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        keys: &[
            KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1),
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 2, -1, 1),
        ],
        tips: &[],
        handler: Some(sdiffstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "sscan",
        arity: -3,
        flags: flag::READONLY,
        group: "set",
        since: "2.8.0",
        summary: "Iterates over the members of a set, a batch per call.",
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(sscan),
        subcommands: &[],
    },
];

// --- Shared helpers ---------------------------------------------------------------------------

/// The set a value holds, or WRONGTYPE.
pub(crate) fn as_set(value: &Value) -> Result<&Set> {
    match value {
        Value::Set(s) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

fn as_set_mut(value: &mut Value) -> Result<&mut Set> {
    match value {
        Value::Set(s) => Ok(s),
        _ => Err(Error::WrongType),
    }
}

/// `set-max-intset-entries`.
pub(crate) fn max_intset_entries(engine: &Engine) -> usize {
    usize::try_from(engine.config.int("set-max-intset-entries")).unwrap_or(usize::MAX)
}

/// Reads a set for a read-only command: None when the key does not exist.
fn read_set<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Result<Option<&'e Set>> {
    engine.lookup_read(db, key).map(as_set).transpose()
}

/// Deletes `key` if a command left its aggregate empty, announcing `del` as Redis does after
/// the command's own event. True if it was deleted.
pub(crate) fn delete_if_empty(engine: &mut Engine, db: usize, key: &[u8]) -> bool {
    let empty = engine.dbs[db]
        .keys
        .get(key)
        .is_some_and(|e| e.value.size() == 0);
    if empty {
        engine.db_delete(db, key);
        engine.notify(NotifyClass::Generic, "del", db, key);
    }
    empty
}

/// Writes a STORE command's result to `destination`: the new value replaces whatever was
/// there (of any type, its TTL dropped) and is announced as `event`; an empty result deletes
/// the destination instead, announced as `del` if it existed (Redis's `setKey` / `dbDelete`
/// pair in every *STORE command).
pub(crate) fn store_result(
    engine: &mut Engine,
    db: usize,
    destination: &[u8],
    value: Value,
    class: NotifyClass,
    event: &'static str,
) {
    engine.expire_if_needed(db, destination);
    if value.size() == 0 {
        if engine.db_delete(db, destination) {
            engine.notify(NotifyClass::Generic, "del", db, destination);
        }
    } else {
        engine.set_key(db, destination, value, false);
        engine.notify(class, event, db, destination);
    }
}

fn members_reply(members: impl Iterator<Item = Vec<u8>>) -> Reply {
    Reply::Set(members.map(Reply::Bulk).collect())
}

// --- SADD, SREM, SMOVE -------------------------------------------------------------------------

/// ```text
/// SADD key member [member ...]
/// ```
/// How many members were new. A missing key starts as an intset when the first member is an
/// integer, a hashtable otherwise; `sadd` is announced only when something was added.
fn sadd(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (key, members) = (&call.argv[1], &call.argv[2..]);
    let max = max_intset_entries(engine);
    let added = match engine.lookup_write(call.db, key) {
        Some(value) => {
            let set = as_set_mut(value)?;
            members
                .iter()
                .filter(|m| set.insert(m.as_slice(), max))
                .count()
        }
        None => {
            let mut set = Set::for_first_member(&members[0]);
            let added = members
                .iter()
                .filter(|m| set.insert(m.as_slice(), max))
                .count();
            engine.db_add(call.db, key, Value::set(set));
            added
        }
    };
    if added > 0 {
        engine.notify(NotifyClass::Set, "sadd", call.db, key);
    }
    Ok(Reply::Integer(added as i64).into())
}

/// ```text
/// SREM key member [member ...]
/// ```
/// How many of the members were there; the set is deleted when it becomes empty.
fn srem(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let Some(value) = engine.lookup_write(call.db, key) else {
        return Ok(Reply::Integer(0).into());
    };
    let set = as_set_mut(value)?;
    let removed = call.argv[2..].iter().filter(|m| set.remove(m)).count();
    if removed > 0 {
        engine.notify(NotifyClass::Set, "srem", call.db, key);
        delete_if_empty(engine, call.db, key);
    }
    Ok(Reply::Integer(removed as i64).into())
}

/// ```text
/// SMOVE source destination member
/// ```
/// 1 when the member was moved (or source and destination are the same set and hold it), 0
/// when the source lacks it or does not exist. A destination of another type is WRONGTYPE,
/// but only once the source exists, as in Redis.
fn smove(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (source, destination, member) = (&call.argv[1], &call.argv[2], &call.argv[3]);
    let db = call.db;
    let Some(src) = engine.lookup_write(db, source) else {
        return Ok(Reply::Integer(0).into());
    };
    as_set(src)?;
    if let Some(dst) = engine.lookup_write(db, destination) {
        as_set(dst)?;
    }
    if source == destination {
        let held = read_set(engine, db, source)?.is_some_and(|s| s.contains(member));
        return Ok(Reply::Integer(held as i64).into());
    }
    let removed = match engine.lookup_write(db, source) {
        Some(value) => as_set_mut(value)?.remove(member),
        None => false,
    };
    if !removed {
        return Ok(Reply::Integer(0).into());
    }
    engine.notify(NotifyClass::Set, "srem", db, source);
    delete_if_empty(engine, db, source);
    let max = max_intset_entries(engine);
    let added = match engine.lookup_write(db, destination) {
        Some(value) => as_set_mut(value)?.insert(member.as_slice(), max),
        None => {
            let mut set = Set::for_first_member(member);
            set.insert(member.as_slice(), max);
            engine.db_add(db, destination, Value::set(set));
            true
        }
    };
    if added {
        engine.notify(NotifyClass::Set, "sadd", db, destination);
    }
    Ok(Reply::Integer(1).into())
}

// --- Reads ----------------------------------------------------------------------------------

/// ```text
/// SMEMBERS key
/// ```
/// Every member (a RESP3 set); an empty set for a missing key. Redis 7.0 runs it as a
/// one-key SINTER, so the order is the same: ascending for an intset.
fn smembers(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(engine, call, SetOp::Inter, &call.argv[1..], None)
}

/// ```text
/// SISMEMBER key member
/// ```
/// 1 if the member is in the set, 0 otherwise (a RESP3 integer, not a boolean, in 7.0).
fn sismember(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let held = read_set(engine, call.db, &call.argv[1])?.is_some_and(|s| s.contains(&call.argv[2]));
    Ok(Reply::Integer(held as i64).into())
}

/// ```text
/// SMISMEMBER key member [member ...]
/// ```
/// 1 or 0 for each member, in order.
fn smismember(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let set = read_set(engine, call.db, &call.argv[1])?;
    let answers = call.argv[2..]
        .iter()
        .map(|m| Reply::Integer(set.is_some_and(|s| s.contains(m)) as i64))
        .collect();
    Ok(Reply::Array(answers).into())
}

/// ```text
/// SCARD key
/// ```
/// The number of members; 0 for a missing key.
fn scard(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_set(engine, call.db, &call.argv[1])?.map_or(0, Set::len);
    Ok(Reply::Integer(len as i64).into())
}

// --- SPOP, SRANDMEMBER -----------------------------------------------------------------------

/// SPOP's count: an integer from 0 up, else "must be positive" whatever was wrong.
fn parse_pop_count(arg: &[u8]) -> Result<usize> {
    parse_i64(arg)
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or(Error::NotPositive)
}

/// Redis's `SPOP_MOVE_STRATEGY_MUL`: when a count leaves at most a fifth as many members as it
/// pops, Redis builds a new set of what stays instead of removing members one by one, so the
/// rest is re-encoded (an all-integer remainder becomes an intset again). Otherwise, and
/// always without a count, members are removed in place and the encoding stays.
const SPOP_MOVE_STRATEGY_MUL: usize = 5;

/// ```text
/// SPOP key [count]
/// ```
/// Without a count: one random member, removed (nil when the key is missing). With one: up
/// to count distinct random members as a RESP3 set; asking for the whole set (or more)
/// returns every member in the set's order and deletes the key. `spop` is announced, then
/// `del` when the set is gone.
fn spop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let count = match call.argv.len() {
        2 => None,
        3 => Some(parse_pop_count(&call.argv[2])?),
        _ => return Err(Error::Syntax),
    };
    let db = call.db;
    let max = max_intset_entries(engine);
    let Some(value) = engine.lookup_write(db, key) else {
        return Ok(match count {
            None => Reply::Null,
            Some(_) => Reply::Set(Vec::new()),
        }
        .into());
    };
    let size = as_set(value)?.len();
    if count == Some(0) {
        return Ok(Reply::Set(Vec::new()).into());
    }
    let wanted = count.unwrap_or(1).min(size);
    let mut popped = Vec::with_capacity(wanted);
    let mut rest = None;
    if wanted == size {
        popped.extend(as_set(value)?.iter());
    } else {
        let (set, rng) = set_and_rng(engine, db, key)?;
        let picks: Vec<usize> = (0..wanted).map(|i| rng.below(size - i)).collect();
        popped.extend(picks.into_iter().filter_map(|p| set.remove_index(p)));
        if count.is_some() && (size - wanted) * SPOP_MOVE_STRATEGY_MUL <= wanted {
            rest = Some(Set::from_members(set.iter(), max));
        }
    }
    if let Some(rest) = rest {
        engine.set_key(db, key, Value::set(rest), true);
    }
    engine.notify(NotifyClass::Set, "spop", db, key);
    if wanted == size {
        engine.db_delete(db, key);
        engine.notify(NotifyClass::Generic, "del", db, key);
    }
    Ok(match count {
        None => Reply::bulk_or_null(popped.pop()),
        Some(_) => members_reply(popped.into_iter()),
    }
    .into())
}

/// ```text
/// SRANDMEMBER key [count]
/// ```
/// Without a count: one random member (nil when missing). A positive count gives that many
/// distinct members (the whole set, in its order, when count reaches its size); a negative
/// one gives |count| members drawn independently, so they may repeat. Always an array, even
/// in RESP3. Nothing is removed.
fn srandmember(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = match call.argv.len() {
        2 => None,
        3 => Some(parse_i64(&call.argv[2]).and_then(|n| {
            if n == i64::MIN {
                Err(Error::IntOutOfRange {
                    min: -i64::MAX,
                    max: i64::MAX,
                })
            } else {
                Ok(n)
            }
        })?),
        _ => return Err(Error::Syntax),
    };
    let key = &call.argv[1];
    if read_set(engine, call.db, key)?.is_none() {
        return Ok(match count {
            None => Reply::Null,
            Some(_) => Reply::Array(Vec::new()),
        }
        .into());
    }
    let (set, rng) = set_and_rng(engine, call.db, key)?;
    Ok(match count {
        None => Reply::bulk_or_null(random_members(rng, set, 1).pop()),
        Some(n) if n > 0 && n as u64 >= set.len() as u64 => Reply::bulk_array(set.iter()),
        Some(n) => Reply::bulk_array(random_members(rng, set, n)),
    }
    .into())
}

/// The set under `key` beside the engine's generator, for the random commands. The key has
/// already been looked up through the door; this only splits the borrow.
fn set_and_rng<'e>(
    engine: &'e mut Engine,
    db: usize,
    key: &[u8],
) -> Result<(&'e mut Set, &'e mut Rng)> {
    let value = engine.dbs[db].keys.get_mut(key).map(|e| &mut e.value);
    match value {
        Some(Value::Set(set)) => Ok((set, &mut engine.rng)),
        _ => Err(Error::WrongType),
    }
}

/// `count` members picked with the engine's generator: distinct when positive (in a random
/// order), drawn with repeats when negative.
fn random_members(rng: &mut Rng, set: &Set, count: i64) -> Vec<Vec<u8>> {
    let size = set.len();
    if size == 0 {
        return Vec::new();
    }
    if count < 0 {
        return (0..count.unsigned_abs())
            .filter_map(|_| set.get_index(rng.below(size)))
            .collect();
    }
    let wanted = (count as u64).min(size as u64) as usize;
    let positions: Vec<usize> = if wanted * 3 < size {
        // Few of many: draw and reject repeats, O(count).
        let mut seen = std::collections::HashSet::with_capacity(wanted);
        std::iter::from_fn(|| Some(rng.below(size)))
            .filter(|p| seen.insert(*p))
            .take(wanted)
            .collect()
    } else {
        // Most of the set: a partial Fisher-Yates shuffle of every position.
        let mut all: Vec<usize> = (0..size).collect();
        for i in 0..wanted {
            let j = i + rng.below(size - i);
            all.swap(i, j);
        }
        all.truncate(wanted);
        all
    };
    positions
        .into_iter()
        .filter_map(|p| set.get_index(p))
        .collect()
}

// --- SINTER, SUNION, SDIFF and their STORE forms ------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Inter,
    Union,
    Diff,
}

fn sinter(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(engine, call, SetOp::Inter, &call.argv[1..], None)
}

fn sunion(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(engine, call, SetOp::Union, &call.argv[1..], None)
}

fn sdiff(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(engine, call, SetOp::Diff, &call.argv[1..], None)
}

fn sinterstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(
        engine,
        call,
        SetOp::Inter,
        &call.argv[2..],
        Some(&call.argv[1]),
    )
}

fn sunionstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(
        engine,
        call,
        SetOp::Union,
        &call.argv[2..],
        Some(&call.argv[1]),
    )
}

fn sdiffstore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    set_algebra(
        engine,
        call,
        SetOp::Diff,
        &call.argv[2..],
        Some(&call.argv[1]),
    )
}

/// Reads every input set (a missing key is an empty set, another type is WRONGTYPE), in
/// order. Clones, since the inputs are read while the destination may be written.
pub(crate) fn read_sets(engine: &mut Engine, db: usize, keys: &[Vec<u8>]) -> Result<Vec<Set>> {
    keys.iter()
        .map(|key| Ok(read_set(engine, db, key)?.cloned().unwrap_or_default()))
        .collect()
}

/// The intersection of `sets` in the order Redis finds it: walking the smallest set (a
/// stable sort by size, as Redis's qsort of a few elements is), keeping each member that all
/// the others hold, stopping after `limit` members.
fn intersect(mut sets: Vec<Set>, limit: usize) -> Vec<Vec<u8>> {
    if sets.iter().any(Set::is_empty) {
        return Vec::new();
    }
    sets.sort_by_key(Set::len);
    let Some((first, others)) = sets.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|m| others.iter().all(|s| s.contains(m)))
        .take(limit)
        .collect()
}

/// ```text
/// SINTER key [key ...]          SINTERSTORE destination key [key ...]
/// SUNION key [key ...]          SUNIONSTORE destination key [key ...]
/// SDIFF key [key ...]           SDIFFSTORE destination key [key ...]
/// ```
/// The intersection, union or difference (the first set minus all the others) of the sets,
/// a missing key counting as empty. Without a destination, the members as a RESP3 set; with
/// one, the result's size, the result stored there (replacing any value of any type), or the
/// destination deleted when the result is empty. Announced as `sinterstore`,
/// `sunionstore` or `sdiffstore`.
///
/// SINTER replies in the order it finds members; a union or difference is replied from the
/// set Redis builds for it (adding to an empty intset), so from an intset in ascending order.
fn set_algebra(
    engine: &mut Engine,
    call: &Call<'_>,
    op: SetOp,
    keys: &[Vec<u8>],
    destination: Option<&Vec<u8>>,
) -> CommandResult {
    let sets = read_sets(engine, call.db, keys)?;
    let max_intset = max_intset_entries(engine);
    // The members read: an intersection walks its smallest set, looking each member up in
    // the others; a union and a difference read every set.
    let read = match op {
        SetOp::Inter => sets.iter().map(Set::len).min().unwrap_or(0) * sets.len(),
        SetOp::Union | SetOp::Diff => sets.iter().map(Set::len).sum(),
    };
    engine.charge(crate::cost::SET_ELEMENT_NS * read as u64);
    let result = match op {
        SetOp::Inter => {
            let members = intersect(sets, usize::MAX);
            if destination.is_none() {
                return Ok(members_reply(members.into_iter()).into());
            }
            Set::from_members(members, max_intset)
        }
        SetOp::Union => Set::from_members(sets.iter().flat_map(Set::iter), max_intset),
        SetOp::Diff => match sets.split_first() {
            Some((first, others)) => Set::from_members(
                first
                    .iter()
                    .filter(|m| !others.iter().any(|s| s.contains(m))),
                max_intset,
            ),
            None => Set::default(),
        },
    };
    let Some(destination) = destination else {
        return Ok(members_reply(result.iter()).into());
    };
    let len = result.len();
    engine.charge(crate::cost::SET_ELEMENT_NS * len as u64);
    let event = match op {
        SetOp::Inter => "sinterstore",
        SetOp::Union => "sunionstore",
        SetOp::Diff => "sdiffstore",
    };
    store_result(
        engine,
        call.db,
        destination,
        Value::set(result),
        NotifyClass::Set,
        event,
    );
    Ok(Reply::Integer(len as i64).into())
}

/// The keys named by a numkeys argument, and the arguments after them.
type KeysAndRest<'a> = (&'a [Vec<u8>], &'a [Vec<u8>]);

/// Reads SINTERCARD's `numkeys key [key ...]`: numkeys a positive integer (anything else
/// is "should be greater than 0") no larger than the arguments left. Returns the keys and
/// what follows them.
fn numkeys_and_keys(args: &[Vec<u8>]) -> Result<KeysAndRest<'_>> {
    let numkeys = parse_i64(&args[0])
        .ok()
        .filter(|&n| n > 0)
        .ok_or(Error::NumkeysNotPositive)? as u64;
    let rest = &args[1..];
    if numkeys > rest.len() as u64 {
        return Err(Error::NumkeysTooMany);
    }
    Ok(rest.split_at(numkeys as usize))
}

/// Reads `[LIMIT limit]` after SINTERCARD's and ZINTERCARD's keys: 0 means no limit.
pub(crate) fn parse_intercard_limit(args: &[Vec<u8>]) -> Result<usize> {
    let mut limit = 0;
    let mut rest = args;
    while let [option, tail @ ..] = rest {
        match tail {
            [value, tail @ ..] if is(option, "limit") => {
                limit = parse_i64(value)
                    .ok()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or(Error::OptionNegative("LIMIT"))?;
                rest = tail;
            }
            _ => return Err(Error::Syntax),
        }
    }
    Ok(limit)
}

/// ```text
/// SINTERCARD numkeys key [key ...] [LIMIT limit]
/// ```
/// The size of the intersection, counting stops at `limit` when it is not 0.
fn sintercard(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (keys, rest) = numkeys_and_keys(&call.argv[1..])?;
    let limit = parse_intercard_limit(rest)?;
    let sets = read_sets(engine, call.db, keys)?;
    let count = intersect(sets, if limit == 0 { usize::MAX } else { limit }).len();
    Ok(Reply::Integer(count as i64).into())
}

// --- SSCAN ------------------------------------------------------------------------------------

/// An intset answers whole, in ascending order; a hashtable is walked by cursor.
impl ScanElements for Set {
    fn positions(&self) -> usize {
        self.len()
    }

    fn is_compact(&self) -> bool {
        self.encoding() == "intset"
    }

    fn compact_elements(&self) -> Vec<ScanItem> {
        self.iter().map(|member| (member, None)).collect()
    }

    fn element_at(&self, position: usize) -> Option<ScanItem> {
        self.get_index(position).map(|member| (member, None))
    }
}

/// ```text
/// SSCAN key cursor [MATCH pattern] [COUNT count]
/// ```
/// A batch of members and the next cursor (see `cmd::keys::scan_elements`).
fn sscan(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    scan_elements(engine, call, |value| Ok(as_set(value)?))
}
