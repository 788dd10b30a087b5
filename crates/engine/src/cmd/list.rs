//! The list family (Redis's `t_list.c`): pushes and pops at both ends, reads and edits by index
//! or by value, LPOS, and the moves between lists (LMOVE, RPOPLPUSH, LMPOP). The blocking
//! variants (BLPOP...) are `cmd::blocking`'s: they run these as their non-blocking twins.
//!
//! Everything funnels into two helpers, [`push_elements`] and [`pop_elements`], so every push
//! announces `lpush`/`rpush` and every pop announces `lpop`/`rpop` then deletes (and announces
//! `del` for) a list it emptied, whichever command did it: LPUSH, LPUSHX, LMOVE's destination
//! and the other three pushes are one; LPOP, RPOP, LMPOP and LMOVE's source are the other.
//! Arguments are checked in Redis's order (most options before the key is looked up, LSET's
//! index after), so a bad argument and a wrong type are reported as Redis reports them.

use crate::args::{is, parse_i64, parse_mpop};
use crate::db::Value;
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::types::list::{End, List};

const PUSH: &str = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const POP: &str = "O(N) where N is the number of elements returned";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "lpush",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "list",
        since: "1.0.0",
        summary: "Adds elements to the head of a list, creating it if needed.",
        syntax: "key element [element ...]",
        complexity: PUSH,
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(lpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpush",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "list",
        since: "1.0.0",
        summary: "Adds elements to the tail of a list, creating it if needed.",
        syntax: "key element [element ...]",
        complexity: PUSH,
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(rpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "lpushx",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "list",
        since: "2.2.0",
        summary: "Adds elements to the head of a list, only if the list exists.",
        syntax: "key element [element ...]",
        complexity: PUSH,
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(lpushx),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpushx",
        arity: -3,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "list",
        since: "2.2.0",
        summary: "Adds elements to the tail of a list, only if the list exists.",
        syntax: "key element [element ...]",
        complexity: PUSH,
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(rpushx),
        subcommands: &[],
    },
    CommandSpec {
        name: "lpop",
        arity: -2,
        flags: flag::WRITE | flag::FAST,
        group: "list",
        since: "1.0.0",
        summary: "Removes and returns the first elements of a list; deletes it when emptied.",
        syntax: "key [count]",
        complexity: POP,
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(lpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpop",
        arity: -2,
        flags: flag::WRITE | flag::FAST,
        group: "list",
        since: "1.0.0",
        summary: "Removes and returns the last elements of a list; deletes it when emptied.",
        syntax: "key [count]",
        complexity: POP,
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(rpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "llen",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "list",
        since: "1.0.0",
        summary: "Returns the length of a list.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(llen),
        subcommands: &[],
    },
    CommandSpec {
        name: "lrange",
        arity: 4,
        flags: flag::READONLY,
        group: "list",
        since: "1.0.0",
        summary: "Returns a range of a list's elements, by index from either end.",
        syntax: "key start stop",
        complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(lrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "lindex",
        arity: 3,
        flags: flag::READONLY,
        group: "list",
        since: "1.0.0",
        summary: "Returns the element at an index of a list.",
        syntax: "key index",
        complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(lindex),
        subcommands: &[],
    },
    CommandSpec {
        name: "lset",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM,
        group: "list",
        since: "1.0.0",
        summary: "Replaces the element at an index of a list.",
        syntax: "key index element",
        complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(lset),
        subcommands: &[],
    },
    CommandSpec {
        name: "linsert",
        arity: 5,
        flags: flag::WRITE | flag::DENYOOM,
        group: "list",
        since: "2.2.0",
        summary: "Inserts an element before or after the first element equal to a pivot.",
        syntax: "key (BEFORE | AFTER) pivot element",
        complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(linsert),
        subcommands: &[],
    },
    CommandSpec {
        name: "lrem",
        arity: 4,
        flags: flag::WRITE,
        group: "list",
        since: "1.0.0",
        summary: "Removes elements equal to a value, from the head, the tail, or everywhere.",
        syntax: "key count element",
        complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(lrem),
        subcommands: &[],
    },
    CommandSpec {
        name: "ltrim",
        arity: 4,
        flags: flag::WRITE,
        group: "list",
        since: "1.0.0",
        summary: "Keeps only a range of a list's elements, deleting the list if none is left.",
        syntax: "key start stop",
        complexity: "O(N) where N is the number of elements to be removed by the operation.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(ltrim),
        subcommands: &[],
    },
    CommandSpec {
        name: "lpos",
        arity: -3,
        flags: flag::READONLY,
        group: "list",
        since: "6.0.6",
        summary: "Returns the index of matching elements of a list.",
        syntax: "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
        complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(lpos),
        subcommands: &[],
    },
    CommandSpec {
        name: "lmove",
        arity: 5,
        flags: flag::WRITE | flag::DENYOOM,
        group: "list",
        since: "6.2.0",
        summary: "Pops an element from one end of a list and pushes it onto an end of another.",
        syntax: "source destination (LEFT | RIGHT) (LEFT | RIGHT)",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(lmove),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpoplpush",
        arity: 3,
        flags: flag::WRITE | flag::DENYOOM,
        group: "list",
        since: "1.2.0",
        summary: "Pops the last element of a list and pushes it onto the head of another.",
        syntax: "source destination",
        complexity: "O(1)",
        keys: &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1),
            KeySpec::range(key_flag::RW | key_flag::INSERT, 2, 0, 1),
        ],
        tips: &[],
        handler: Some(rpoplpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "lmpop",
        arity: -4,
        flags: flag::WRITE | flag::MOVABLEKEYS,
        group: "list",
        since: "7.0.0",
        summary: "Pops elements from the first non-empty list among several keys.",
        syntax: "numkeys key [key ...] (LEFT | RIGHT) [COUNT count]",
        complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        keys: &[KeySpec::keynum(key_flag::RW | key_flag::ACCESS | key_flag::DELETE, 1, 0, 1, 1)],
        tips: &[],
        handler: Some(lmpop),
        subcommands: &[],
    },
];

/// The list in a value, or WRONGTYPE.
fn as_list(value: &Value) -> Result<&List> {
    match value {
        Value::List(l) => Ok(l),
        _ => Err(Error::WrongType),
    }
}

/// The list in a value, to change in place, or WRONGTYPE.
fn as_list_mut(value: &mut Value) -> Result<&mut List> {
    match value {
        Value::List(l) => Ok(l),
        _ => Err(Error::WrongType),
    }
}

/// Reads a key as a list (counting a hit or a miss): `None` when missing.
fn read_list<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Result<Option<&'e List>> {
    engine.lookup_read(db, key).map(as_list).transpose()
}

/// Looks a key up for writing as a list: `None` when missing.
fn write_list<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Result<Option<&'e mut List>> {
    engine.lookup_write(db, key).map(as_list_mut).transpose()
}

/// LEFT or RIGHT, in any case (Redis's `getListPositionFromObjectOrReply`).
pub(crate) fn parse_end(arg: &[u8]) -> Result<End> {
    if is(arg, "left") {
        Ok(End::Left)
    } else if is(arg, "right") {
        Ok(End::Right)
    } else {
        Err(Error::Syntax)
    }
}

/// The event a push or a pop at `end` announces.
fn event(end: End, push: bool) -> &'static str {
    match (end, push) {
        (End::Left, true) => "lpush",
        (End::Right, true) => "rpush",
        (End::Left, false) => "lpop",
        (End::Right, false) => "rpop",
    }
}

/// Pushes `elements` one by one at `end` of the list at `key`, creating it unless
/// `only_existing`, and announces the push. The list's new length, or `None` when it did not
/// exist and `only_existing` left it so. The caller has checked the key's type.
fn push_elements(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    end: End,
    elements: impl IntoIterator<Item = Vec<u8>>,
    only_existing: bool,
) -> Result<Option<usize>> {
    let len = match write_list(engine, db, key)? {
        Some(list) => {
            elements.into_iter().for_each(|e| list.push(end, e));
            list.len()
        }
        None if only_existing => return Ok(None),
        None => {
            let mut list = List::new();
            elements.into_iter().for_each(|e| list.push(end, e));
            let len = list.len();
            engine.db_add(db, key, Value::list(list));
            len
        }
    };
    engine.notify(NotifyClass::List, event(end, true), db, key);
    Ok(Some(len))
}

/// Pops up to `count` elements from `end` of the list at `key`, announces the pop, and deletes
/// the key (announcing `del`) when the list is left empty. The caller has checked that the key
/// holds a list.
fn pop_elements(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    end: End,
    count: usize,
) -> Result<Vec<Vec<u8>>> {
    let Some(list) = write_list(engine, db, key)? else {
        return Ok(Vec::new());
    };
    let popped: Vec<Vec<u8>> = (0..count.min(list.len()))
        .filter_map(|_| list.pop(end))
        .collect();
    let emptied = list.is_empty();
    engine.notify(NotifyClass::List, event(end, false), db, key);
    delete_if_emptied(engine, db, key, emptied);
    Ok(popped)
}

// --- Pushes ----------------------------------------------------------------------------------

/// ```text
/// LPUSH key element [element ...]
/// ```
/// Inserts the elements at the head, one after another (so `LPUSH k a b c` leaves `c b a`),
/// and answers the new length.
fn lpush(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    push_generic(engine, call, End::Left, false)
}

/// ```text
/// RPUSH key element [element ...]
/// ```
fn rpush(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    push_generic(engine, call, End::Right, false)
}

/// ```text
/// LPUSHX key element [element ...]
/// ```
/// As LPUSH, but only onto an existing list: 0 (and no key created) otherwise.
fn lpushx(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    push_generic(engine, call, End::Left, true)
}

/// ```text
/// RPUSHX key element [element ...]
/// ```
fn rpushx(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    push_generic(engine, call, End::Right, true)
}

/// LPUSH, RPUSH, LPUSHX and RPUSHX (Redis's `pushGenericCommand`).
fn push_generic(
    engine: &mut Engine,
    call: &Call<'_>,
    end: End,
    only_existing: bool,
) -> CommandResult {
    let elements = call.argv[2..].iter().cloned();
    let len = push_elements(engine, call.db, &call.argv[1], end, elements, only_existing)?;
    Ok(Reply::Integer(len.unwrap_or(0) as i64).into())
}

// --- Pops ------------------------------------------------------------------------------------

/// ```text
/// LPOP key [count]
/// ```
/// Without a count: the first element, or nil. With one (checked before the key): an array
/// of up to `count` elements, the null array when the key is missing, and an empty array for
/// a count of 0. A list emptied by the pop is deleted.
fn lpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    pop_generic(engine, call, End::Left)
}

/// ```text
/// RPOP key [count]
/// ```
/// As LPOP, from the tail.
fn rpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    pop_generic(engine, call, End::Right)
}

/// LPOP and RPOP (Redis's `popGenericCommand`).
fn pop_generic(engine: &mut Engine, call: &Call<'_>, end: End) -> CommandResult {
    let count = match &call.argv[2..] {
        [] => None,
        [count] => Some(positive_count(count)?),
        _ => return Err(Error::WrongArity(call.name.to_string())),
    };
    let key = &call.argv[1];
    if write_list(engine, call.db, key)?.is_none() {
        return Ok(count.map_or(Reply::Null, |_| Reply::NullArray).into());
    }
    let reply = match count {
        None => Reply::bulk_or_null(pop_elements(engine, call.db, key, end, 1)?.pop()),
        Some(0) => Reply::Array(Vec::new()),
        Some(count) => Reply::bulk_array(pop_elements(engine, call.db, key, end, count)?),
    };
    Ok(reply.into())
}

/// A count that must not be negative (Redis's `getPositiveLongFromObjectOrReply`, which gives
/// the same error for a negative number and for no number at all).
fn positive_count(arg: &[u8]) -> Result<usize> {
    not_negative(arg, Error::NotPositive)
}

/// A non-negative integer, or `error` for anything else.
fn not_negative<T: TryFrom<i64>>(arg: &[u8], error: Error) -> Result<T> {
    parse_i64(arg)
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or(error)
}

// --- Reads -----------------------------------------------------------------------------------

/// ```text
/// LLEN key
/// ```
/// The list's length, 0 for a missing key.
fn llen(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_list(engine, call.db, &call.argv[1])?.map_or(0, List::len);
    Ok(Reply::Integer(len as i64).into())
}

/// ```text
/// LRANGE key start stop
/// ```
/// The elements from `start` to `stop`, both included; negative indexes count from the tail
/// and out-of-range ones are clamped, so `0 -1` is the whole list. Empty when the range is
/// (or the key is missing).
fn lrange(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let start = parse_i64(&call.argv[2])?;
    let stop = parse_i64(&call.argv[3])?;
    let items = match read_list(engine, call.db, &call.argv[1])? {
        Some(list) => match list.clamp_range(start, stop) {
            Some((first, last)) => list.range(first, last).cloned().map(Reply::Bulk).collect(),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    Ok(Reply::Array(items).into())
}

/// ```text
/// LINDEX key index
/// ```
/// The element at `index` (negative from the tail), or nil when there is none. The index is
/// read after the key, so a missing key answers nil whatever the index.
fn lindex(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(list) = read_list(engine, call.db, &call.argv[1])? else {
        return Ok(Reply::Null.into());
    };
    let index = parse_i64(&call.argv[2])?;
    Ok(Reply::bulk_or_null(list.get(index).cloned()).into())
}

/// The options of LPOS.
struct LposOptions {
    rank: i64,
    /// None without COUNT: the reply is one index (or nil), not an array.
    count: Option<u64>,
    max_len: u64,
}

impl LposOptions {
    /// `[RANK rank] [COUNT num-matches] [MAXLEN len]`, in any order, the last of a repeated
    /// option winning; each is checked as soon as it is read.
    fn parse(args: &[Vec<u8>]) -> Result<LposOptions> {
        let mut options = LposOptions {
            rank: 1,
            count: None,
            max_len: 0,
        };
        let mut rest = args;
        while let [option, value, tail @ ..] = rest {
            if is(option, "rank") {
                options.rank = parse_i64(value)?;
                if options.rank == 0 {
                    return Err(Error::RankZero);
                }
            } else if is(option, "count") {
                options.count = Some(not_negative(value, Error::OptionNegative("COUNT"))?);
            } else if is(option, "maxlen") {
                options.max_len = not_negative(value, Error::OptionNegative("MAXLEN"))?;
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

/// ```text
/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
/// ```
/// The index of the first element equal to `element`, or nil. RANK n starts from the n-th
/// match (a negative rank searches from the tail; indexes still count from the head); COUNT
/// returns up to that many indexes as an array (0: every match; an empty array when none, or
/// when the key is missing); MAXLEN compares at most that many elements (0: all).
fn lpos(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let options = LposOptions::parse(&call.argv[3..])?;
    let element = &call.argv[2];
    let Some(list) = read_list(engine, call.db, &call.argv[1])? else {
        return Ok(options
            .count
            .map_or(Reply::Null, |_| Reply::Array(Vec::new()))
            .into());
    };
    // Redis negates the rank in a C long: i64::MIN stays negative and matches from the first
    // match on, as rank -1 does.
    let skip = options.rank.unsigned_abs().saturating_sub(1);
    let skip = if options.rank == i64::MIN { 0 } else { skip };
    let wanted = options.count.unwrap_or(1);
    let found = list.positions(element, options.rank < 0, skip, wanted, options.max_len);
    let index = |p: &usize| Reply::Integer(*p as i64);
    Ok(match options.count {
        Some(_) => Reply::Array(found.iter().map(index).collect()),
        None => found.first().map_or(Reply::Null, index),
    }
    .into())
}

// --- Edits -----------------------------------------------------------------------------------

/// ```text
/// LSET key index element
/// ```
/// `OK`; an error when the key is missing (checked first) or the index is outside the list.
fn lset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    if write_list(engine, call.db, key)?.is_none() {
        return Err(Error::NoSuchKey);
    }
    let index = parse_i64(&call.argv[2])?;
    let replaced =
        write_list(engine, call.db, key)?.is_some_and(|list| list.set(index, call.argv[3].clone()));
    if !replaced {
        return Err(Error::IndexOutOfRange);
    }
    engine.notify(NotifyClass::List, "lset", call.db, key);
    Ok(Reply::ok().into())
}

/// ```text
/// LINSERT key BEFORE | AFTER pivot element
/// ```
/// The new length; -1 when the pivot is not found, 0 when the key is missing.
fn linsert(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let side = if is(&call.argv[2], "before") {
        End::Left
    } else if is(&call.argv[2], "after") {
        End::Right
    } else {
        return Err(Error::Syntax);
    };
    let key = &call.argv[1];
    let Some(list) = write_list(engine, call.db, key)? else {
        return Ok(Reply::Integer(0).into());
    };
    if !list.insert(side, &call.argv[3], call.argv[4].clone()) {
        return Ok(Reply::Integer(-1).into());
    }
    let len = list.len();
    engine.notify(NotifyClass::List, "linsert", call.db, key);
    Ok(Reply::Integer(len as i64).into())
}

/// ```text
/// LREM key count element
/// ```
/// How many elements equal to `element` were removed: the first `count` from the head when
/// positive, the last `-count` from the tail when negative, all when 0. A list emptied is
/// deleted.
fn lrem(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let count = parse_i64(&call.argv[2])?;
    let key = &call.argv[1];
    let Some(list) = write_list(engine, call.db, key)? else {
        return Ok(Reply::Integer(0).into());
    };
    let removed = list.remove(&call.argv[3], count);
    let emptied = list.is_empty();
    if removed > 0 {
        engine.notify(NotifyClass::List, "lrem", call.db, key);
    }
    delete_if_emptied(engine, call.db, key, emptied);
    Ok(Reply::Integer(removed as i64).into())
}

/// Deletes a list a command emptied, announcing `del` as Redis does after the command's own
/// event.
fn delete_if_emptied(engine: &mut Engine, db: usize, key: &[u8], emptied: bool) {
    if emptied {
        engine.db_delete(db, key);
        engine.notify(NotifyClass::Generic, "del", db, key);
    }
}

/// ```text
/// LTRIM key start stop
/// ```
/// `OK`, keeping only the elements from `start` to `stop` (clamped as LRANGE clamps them); a
/// range with nothing in it deletes the list. Announced as `ltrim` even when nothing went.
fn ltrim(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let start = parse_i64(&call.argv[2])?;
    let stop = parse_i64(&call.argv[3])?;
    let key = &call.argv[1];
    let Some(list) = write_list(engine, call.db, key)? else {
        return Ok(Reply::ok().into());
    };
    list.trim(list.clamp_range(start, stop));
    let emptied = list.is_empty();
    engine.notify(NotifyClass::List, "ltrim", call.db, key);
    delete_if_emptied(engine, call.db, key, emptied);
    Ok(Reply::ok().into())
}

// --- Moves between lists ---------------------------------------------------------------------

/// ```text
/// LMOVE source destination LEFT | RIGHT LEFT | RIGHT
/// ```
/// Pops from one end of `source` and pushes onto one end of `destination` (created if
/// needed; the same key rotates the list), answering the element, or nil when `source` is
/// missing. A destination of another type fails before anything moves. Announced as the push
/// on the destination, then the pop on the source (and `del` if it emptied).
fn lmove(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let from = parse_end(&call.argv[3])?;
    let to = parse_end(&call.argv[4])?;
    move_generic(engine, call, from, to)
}

/// ```text
/// RPOPLPUSH source destination
/// ```
/// `LMOVE source destination RIGHT LEFT`.
fn rpoplpush(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    move_generic(engine, call, End::Right, End::Left)
}

/// LMOVE and RPOPLPUSH (Redis's `lmoveGenericCommand`).
fn move_generic(engine: &mut Engine, call: &Call<'_>, from: End, to: End) -> CommandResult {
    let (db, source, destination) = (call.db, &call.argv[1], &call.argv[2]);
    if write_list(engine, db, source)?.is_none() {
        return Ok(Reply::Null.into());
    }
    // The destination's type is checked before anything moves; the push is announced before
    // the pop, in Redis's order of events.
    write_list(engine, db, destination)?;
    let Some(element) = write_list(engine, db, source)?.and_then(|l| l.pop(from)) else {
        return Ok(Reply::Null.into());
    };
    push_elements(engine, db, destination, to, [element.clone()], false)?;
    let emptied = write_list(engine, db, source)?.is_some_and(|l| l.is_empty());
    engine.notify(NotifyClass::List, event(from, false), db, source);
    delete_if_emptied(engine, db, source, emptied);
    Ok(Reply::Bulk(element).into())
}

/// ```text
/// LMPOP numkeys key [key ...] (LEFT | RIGHT) [COUNT count]
/// ```
/// Pops up to `count` (default 1) elements from the first of the keys that holds a non-empty
/// list, answering `[key, [elements]]`, or the null array when none does. A key of another
/// type before the first list is an error. numkeys and COUNT must be positive.
fn lmpop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (numkeys, end, count) = parse_mpop(&call.argv[1..], ["left", "right"])?;
    let end = if end == 0 { End::Left } else { End::Right };
    for key in &call.argv[2..2 + numkeys] {
        if write_list(engine, call.db, key)?.is_some() {
            let popped = pop_elements(engine, call.db, key, end, count)?;
            return Ok(
                Reply::Array(vec![Reply::Bulk(key.clone()), Reply::bulk_array(popped)]).into(),
            );
        }
    }
    Ok(Reply::NullArray.into())
}
