//! The hash family (Redis's `t_hash.c`): fields set, read, counted, incremented, deleted,
//! sampled (HRANDFIELD) and scanned (HSCAN).
//!
//! Every write goes through [`Hash::set`], which applies Redis 7.0's listpack limits from the
//! config (`hash-max-listpack-entries`, `hash-max-listpack-value`), so OBJECT ENCODING and the
//! reply order of a small hash follow the same history as in Redis. HINCRBY reads numbers with
//! the same strict parser as INCRBY, and HINCRBYFLOAT adds in the same x87 long double as
//! INCRBYFLOAT (Redis computes both in `long double`). A hash emptied by HDEL is deleted.

use crate::args::{is, parse_i64};
use crate::cmd::keys::{scan_elements, ScanElements, ScanItem};
use crate::cmd::string::float_sum;
use crate::db::{LookupFlags, Value};
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::longdouble::LongDouble;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::types::hash::{Hash, ListpackLimits};

const FIELDS: &str = "O(N) where N is the size of the hash.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "hset",
        arity: -4,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Sets fields of a hash, creating it if needed; returns how many fields are new.",
        syntax: "key field value [field value ...]",
        complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(hset),
        subcommands: &[],
    },
    CommandSpec {
        name: "hsetnx",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Sets a field of a hash only if the field does not exist.",
        syntax: "key field value",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)],
        tips: &[],
        handler: Some(hsetnx),
        subcommands: &[],
    },
    CommandSpec {
        name: "hmset",
        arity: -4,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Sets fields of a hash (the older HSET, answering OK).",
        syntax: "key field value [field value ...]",
        complexity: "O(N) where N is the number of fields being set.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(hmset),
        subcommands: &[],
    },
    CommandSpec {
        name: "hget",
        arity: 3,
        flags: flag::READONLY | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Returns the value of a field of a hash.",
        syntax: "key field",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(hget),
        subcommands: &[],
    },
    CommandSpec {
        name: "hmget",
        arity: -3,
        flags: flag::READONLY | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Returns the values of several fields of a hash.",
        syntax: "key field [field ...]",
        complexity: "O(N) where N is the number of fields being requested.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &[],
        handler: Some(hmget),
        subcommands: &[],
    },
    CommandSpec {
        name: "hgetall",
        arity: 2,
        flags: flag::READONLY,
        group: "hash",
        since: "2.0.0",
        summary: "Returns every field and value of a hash.",
        syntax: "key",
        complexity: FIELDS,
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(hgetall),
        subcommands: &[],
    },
    CommandSpec {
        name: "hdel",
        arity: -3,
        flags: flag::WRITE | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Deletes fields of a hash; deletes the hash when it is emptied.",
        syntax: "key field [field ...]",
        complexity: "O(N) where N is the number of fields to be removed.",
        keys: &[KeySpec::range(key_flag::RW | key_flag::DELETE, 1, 0, 1)],
        tips: &[],
        handler: Some(hdel),
        subcommands: &[],
    },
    CommandSpec {
        name: "hexists",
        arity: 3,
        flags: flag::READONLY | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Tells whether a field exists in a hash.",
        syntax: "key field",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(hexists),
        subcommands: &[],
    },
    CommandSpec {
        name: "hincrby",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Adds a whole number to the integer in a field of a hash.",
        syntax: "key field increment",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(hincrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "hincrbyfloat",
        arity: 4,
        flags: flag::WRITE | flag::DENYOOM | flag::FAST,
        group: "hash",
        since: "2.6.0",
        summary: "Adds a decimal number to the number in a field of a hash, in 80-bit precision.",
        syntax: "key field increment",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(hincrbyfloat),
        subcommands: &[],
    },
    CommandSpec {
        name: "hkeys",
        arity: 2,
        flags: flag::READONLY,
        group: "hash",
        since: "2.0.0",
        summary: "Returns every field name of a hash.",
        syntax: "key",
        complexity: FIELDS,
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(hkeys),
        subcommands: &[],
    },
    CommandSpec {
        name: "hvals",
        arity: 2,
        flags: flag::READONLY,
        group: "hash",
        since: "2.0.0",
        summary: "Returns every value of a hash.",
        syntax: "key",
        complexity: FIELDS,
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output_order"],
        handler: Some(hvals),
        subcommands: &[],
    },
    CommandSpec {
        name: "hlen",
        arity: 2,
        flags: flag::READONLY | flag::FAST,
        group: "hash",
        since: "2.0.0",
        summary: "Returns the number of fields of a hash.",
        syntax: "key",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(hlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "hstrlen",
        arity: 3,
        flags: flag::READONLY | flag::FAST,
        group: "hash",
        since: "3.2.0",
        summary: "Returns the length of the value of a field of a hash.",
        syntax: "key field",
        complexity: "O(1)",
        keys: &[KeySpec::range(key_flag::RO, 1, 0, 1)],
        tips: &[],
        handler: Some(hstrlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "hrandfield",
        arity: -2,
        flags: flag::READONLY,
        group: "hash",
        since: "6.2.0",
        summary: "Returns random fields of a hash, distinct or (with a negative count) repeating.",
        syntax: "key [count [WITHVALUES]]",
        complexity: "O(N) where N is the number of fields returned",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(hrandfield),
        subcommands: &[],
    },
    CommandSpec {
        name: "hscan",
        arity: -3,
        flags: flag::READONLY,
        group: "hash",
        since: "2.8.0",
        summary: "Walks the fields of a hash a few at a time, guided by a cursor.",
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        keys: &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)],
        tips: &["nondeterministic_output"],
        handler: Some(hscan),
        subcommands: &[],
    },
];

/// The hash in a value, or WRONGTYPE.
fn as_hash(value: &Value) -> Result<&Hash> {
    match value {
        Value::Hash(h) => Ok(h),
        _ => Err(Error::WrongType),
    }
}

/// Reads a key as a hash (counting a hit or a miss): `None` when missing.
fn read_hash<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Result<Option<&'e Hash>> {
    engine.lookup_read(db, key).map(as_hash).transpose()
}

/// Reads a hash a second time in the same command: through the door, but counting no second
/// hit and touching nothing again.
fn reread_hash<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Option<&'e Hash> {
    let flags = LookupFlags {
        no_touch: true,
        no_stats: true,
    };
    match engine.lookup_read_with(db, key, flags) {
        Some(Value::Hash(h)) => Some(h),
        _ => None,
    }
}

/// The listpack limits the config sets now.
pub(crate) fn limits(engine: &Engine) -> ListpackLimits {
    let size = |name| usize::try_from(engine.config.int(name)).unwrap_or(usize::MAX);
    ListpackLimits {
        entries: size("hash-max-listpack-entries"),
        value: size("hash-max-listpack-value"),
    }
}

/// The hash at `key` to write to, created empty if missing (Redis's
/// `hashTypeLookupWriteOrCreate`), or WRONGTYPE.
fn write_hash<'e>(engine: &'e mut Engine, db: usize, key: &[u8]) -> Result<&'e mut Hash> {
    if engine.lookup_write(db, key).is_none() {
        engine.db_add(db, key, Value::hash(Hash::new()));
    }
    match engine.lookup_write(db, key) {
        Some(Value::Hash(h)) => Ok(h),
        _ => Err(Error::WrongType),
    }
}

/// Field/value pairs as a reply: a map (flattened in RESP2), as HGETALL gives them.
fn pairs<'a>(items: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Vec<(Reply, Reply)> {
    items
        .map(|(f, v)| (Reply::bulk(f), Reply::bulk(v)))
        .collect()
}

// --- Writes ----------------------------------------------------------------------------------

/// ```text
/// HSET key field value [field value ...]
/// ```
/// How many of the fields are new. A field or value longer than `hash-max-listpack-value`
/// turns a listpack into a hash table before anything is written.
fn hset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let created = hset_generic(engine, call)?;
    Ok(Reply::Integer(created as i64).into())
}

/// ```text
/// HMSET key field value [field value ...]
/// ```
/// As HSET, answering `OK`.
fn hmset(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    hset_generic(engine, call)?;
    Ok(Reply::ok().into())
}

/// HSET and HMSET: an even number of arguments after the key, or the arity error.
fn hset_generic(engine: &mut Engine, call: &Call<'_>) -> Result<usize> {
    let args = &call.argv[2..];
    if !args.len().is_multiple_of(2) {
        return Err(Error::WrongArity(call.name.to_string()));
    }
    let key = &call.argv[1];
    let limits = limits(engine);
    let hash = write_hash(engine, call.db, key)?;
    hash.prepare_write(args.iter().map(Vec::as_slice), limits);
    let created = args
        .chunks_exact(2)
        .filter(|pair| hash.set(pair[0].clone(), pair[1].clone(), limits))
        .count();
    engine.notify(NotifyClass::Hash, "hset", call.db, key);
    Ok(created)
}

/// ```text
/// HSETNX key field value
/// ```
/// 1 when the field was new and is now set, 0 (and nothing changed) when it existed.
fn hsetnx(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (key, field) = (&call.argv[1], &call.argv[2]);
    let limits = limits(engine);
    let hash = write_hash(engine, call.db, key)?;
    if hash.contains(field) {
        return Ok(Reply::Integer(0).into());
    }
    hash.set(field.clone(), call.argv[3].clone(), limits);
    engine.notify(NotifyClass::Hash, "hset", call.db, key);
    Ok(Reply::Integer(1).into())
}

/// ```text
/// HDEL key field [field ...]
/// ```
/// How many of the fields existed and were removed. A hash left empty is deleted.
fn hdel(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let Some(value) = engine.lookup_write(call.db, key) else {
        return Ok(Reply::Integer(0).into());
    };
    let Value::Hash(hash) = value else {
        return Err(Error::WrongType);
    };
    let deleted = call.argv[2..].iter().filter(|f| hash.remove(f)).count();
    let emptied = hash.is_empty();
    if deleted > 0 {
        engine.notify(NotifyClass::Hash, "hdel", call.db, key);
    }
    if emptied {
        engine.db_delete(call.db, key);
        engine.notify(NotifyClass::Generic, "del", call.db, key);
    }
    Ok(Reply::Integer(deleted as i64).into())
}

/// ```text
/// HINCRBY key field increment
/// ```
/// The field's value after adding `increment` (a missing field counts as 0). The value must
/// be a 64-bit integer and the sum must not overflow.
fn hincrby(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (key, field) = (&call.argv[1], &call.argv[2]);
    let by = parse_i64(&call.argv[3])?;
    let limits = limits(engine);
    let hash = write_hash(engine, call.db, key)?;
    let current = match hash.get(field) {
        Some(v) => parse_i64(v).map_err(|_| Error::HashValueNotInteger)?,
        None => 0,
    };
    let sum = current.checked_add(by).ok_or(Error::Overflow)?;
    hash.set(field.clone(), sum.to_string().into_bytes(), limits);
    engine.notify(NotifyClass::Hash, "hincrby", call.db, key);
    Ok(Reply::Integer(sum).into())
}

/// ```text
/// HINCRBYFLOAT key field increment
/// ```
/// The field's new value, as a bulk string: both numbers read with `strtold` and added in
/// 80-bit precision, printed as INCRBYFLOAT prints. An infinite increment is refused before
/// the key is touched; a sum that is not finite after.
fn hincrbyfloat(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (key, field) = (&call.argv[1], &call.argv[2]);
    let increment = LongDouble::parse(&call.argv[3]).ok_or(Error::NotFloat)?;
    if !increment.is_finite() {
        return Err(Error::ValueNanOrInfinity);
    }
    let limits = limits(engine);
    let hash = write_hash(engine, call.db, key)?;
    let current = match hash.get(field) {
        Some(v) => LongDouble::parse(v).ok_or(Error::HashValueNotFloat)?,
        None => LongDouble::ZERO,
    };
    let sum = float_sum(current, increment)?;
    hash.set(field.clone(), sum.clone(), limits);
    engine.notify(NotifyClass::Hash, "hincrbyfloat", call.db, key);
    Ok(Reply::Bulk(sum).into())
}

// --- Reads -----------------------------------------------------------------------------------

/// ```text
/// HGET key field
/// ```
/// The field's value, or nil.
fn hget(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let value = read_hash(engine, call.db, &call.argv[1])?
        .and_then(|h| h.get(&call.argv[2]).map(<[u8]>::to_vec));
    Ok(Reply::bulk_or_null(value).into())
}

/// ```text
/// HMGET key field [field ...]
/// ```
/// One value (or nil) per field; all nils for a missing key.
fn hmget(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let hash = read_hash(engine, call.db, &call.argv[1])?;
    let values = call.argv[2..]
        .iter()
        .map(|f| Reply::bulk_or_null(hash.and_then(|h| h.get(f).map(<[u8]>::to_vec))))
        .collect();
    Ok(Reply::Array(values).into())
}

/// ```text
/// HGETALL key
/// ```
/// Every field with its value: a map in RESP3, alternating fields and values in RESP2.
fn hgetall(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let all = read_hash(engine, call.db, &call.argv[1])?.map_or_else(Vec::new, |h| pairs(h.iter()));
    Ok(Reply::Map(all).into())
}

/// ```text
/// HKEYS key
/// ```
fn hkeys(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let hash = read_hash(engine, call.db, &call.argv[1])?;
    let fields = hash.map_or_else(Vec::new, |h| {
        h.iter().map(|(f, _)| Reply::Bulk(f.to_vec())).collect()
    });
    Ok(Reply::Array(fields).into())
}

/// ```text
/// HVALS key
/// ```
fn hvals(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let hash = read_hash(engine, call.db, &call.argv[1])?;
    let values = hash.map_or_else(Vec::new, |h| {
        h.iter().map(|(_, v)| Reply::Bulk(v.to_vec())).collect()
    });
    Ok(Reply::Array(values).into())
}

/// ```text
/// HLEN key
/// ```
fn hlen(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_hash(engine, call.db, &call.argv[1])?.map_or(0, Hash::len);
    Ok(Reply::Integer(len as i64).into())
}

/// ```text
/// HEXISTS key field
/// ```
/// 1 when the field exists, else 0.
fn hexists(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let found =
        read_hash(engine, call.db, &call.argv[1])?.is_some_and(|h| h.contains(&call.argv[2]));
    Ok(Reply::Integer(i64::from(found)).into())
}

/// ```text
/// HSTRLEN key field
/// ```
/// The length of the field's value, 0 when it is missing.
fn hstrlen(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let len = read_hash(engine, call.db, &call.argv[1])?
        .and_then(|h| h.get(&call.argv[2]))
        .map_or(0, <[u8]>::len);
    Ok(Reply::Integer(len as i64).into())
}

// --- HRANDFIELD ------------------------------------------------------------------------------

/// ```text
/// HRANDFIELD key [count [WITHVALUES]]
/// ```
/// Without a count: one random field, or nil. With a positive count: that many distinct
/// fields (the whole hash, in its order, when it has no more); a listpack answers a sample in
/// its own order, a hash table in a random one. A negative count: `-count` fields drawn
/// independently, so they may repeat. WITHVALUES adds each value, as `[field, value]` pairs in
/// RESP3. A missing key gives an empty array. Randomness comes from the engine's seeded
/// generator.
fn hrandfield(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let key = &call.argv[1];
    let Some(count) = call.argv.get(2) else {
        let Some(len) = read_hash(engine, call.db, key)?.map(Hash::len) else {
            return Ok(Reply::Null.into());
        };
        let at = engine.rng.below(len.max(1));
        let field = reread_hash(engine, call.db, key).and_then(|h| h.get_index(at));
        return Ok(Reply::bulk_or_null(field.map(|(f, _)| f.to_vec())).into());
    };
    let count = parse_i64(count)?;
    if count == i64::MIN {
        return Err(Error::IntOutOfRange {
            min: -i64::MAX,
            max: i64::MAX,
        });
    }
    let with_values = match &call.argv[3..] {
        [] => false,
        [word] if is(word, "withvalues") => true,
        _ => return Err(Error::Syntax),
    };
    if with_values && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Err(Error::ValueOutOfRange);
    }
    let Some(hash) = read_hash(engine, call.db, key)? else {
        return Ok(Reply::Array(Vec::new()).into());
    };
    let (len, listpack) = (hash.len(), hash.is_listpack());
    let picks = sample(engine, len, listpack, count);
    let resp3 = engine
        .clients
        .get(&call.client)
        .is_some_and(|c| c.protocol >= 3);
    let Some(hash) = reread_hash(engine, call.db, key) else {
        return Ok(Reply::Array(Vec::new()).into());
    };
    let mut items = Vec::new();
    for (field, value) in picks.into_iter().filter_map(|p| hash.get_index(p)) {
        let field = Reply::Bulk(field.to_vec());
        match (with_values, resp3) {
            (false, _) => items.push(field),
            (true, true) => items.push(Reply::Array(vec![field, Reply::Bulk(value.to_vec())])),
            (true, false) => items.extend([field, Reply::Bulk(value.to_vec())]),
        }
    }
    Ok(Reply::Array(items).into())
}

/// The positions HRANDFIELD answers with, out of `len` (Redis's `hrandfieldWithCountCommand`
/// cases): independent draws for a negative count; everything, in order, for a count of at
/// least `len`; otherwise `count` distinct positions, in hash order for a listpack and in
/// random order for a hash table.
fn sample(engine: &mut Engine, len: usize, listpack: bool, count: i64) -> Vec<usize> {
    if count < 0 {
        // Not reserved up front: Redis, too, grows the reply as it draws.
        let draws = count.unsigned_abs();
        return (0..draws).map(|_| engine.rng.below(len)).collect();
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= len {
        return (0..len).collect();
    }
    // A partial Fisher-Yates shuffle: the first `count` positions are a uniform sample.
    let mut positions: Vec<usize> = (0..len).collect();
    for i in 0..count {
        let j = i + engine.rng.below(len - i);
        positions.swap(i, j);
    }
    positions.truncate(count);
    if listpack {
        positions.sort_unstable();
    }
    positions
}

// --- HSCAN -----------------------------------------------------------------------------------

/// A listpack answers whole, in its order; a hash table is walked by cursor.
impl ScanElements for Hash {
    fn positions(&self) -> usize {
        self.len()
    }

    fn is_compact(&self) -> bool {
        self.is_listpack()
    }

    fn compact_elements(&self) -> Vec<ScanItem> {
        self.iter()
            .map(|(field, value)| (field.to_vec(), Some(value.to_vec())))
            .collect()
    }

    fn element_at(&self, position: usize) -> Option<ScanItem> {
        self.get_index(position)
            .map(|(field, value)| (field.to_vec(), Some(value.to_vec())))
    }
}

/// ```text
/// HSCAN key cursor [MATCH pattern] [COUNT count]
/// ```
/// The next cursor and a flat array of fields and values (see `cmd::keys::scan_elements`).
fn hscan(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    scan_elements(engine, call, |value| Ok(as_hash(value)?))
}
