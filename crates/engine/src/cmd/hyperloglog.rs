//! The HyperLogLog family (Redis's `hyperloglog.c` commands): PFADD, PFCOUNT, PFMERGE, and
//! the debugging pair PFDEBUG and PFSELFTEST. The representation and the estimate are in
//! `crate::hyperloglog`; this file reads arguments, finds keys and answers.
//!
//! A HyperLogLog is a string: GET shows its bytes, SET can write one, and a string that is
//! not one is refused with Redis's own WRONGTYPE variant (`Key is not a valid HyperLogLog
//! string value`). Every command that reaches one through the write door, and PFCOUNT of one
//! key, leaves it `raw`, as Redis's `dbUnshareStringValue` does. PFADD and PFMERGE announce
//! `pfadd`; PFCOUNT of one key writes the cardinality it computed into the header, which is a
//! change (WATCH sees it, the log records the PFCOUNT) but no event.

use crate::db::{Entry, StringOrigin, Value};
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::hyperloglog::{self as hll, Corrupted, Encoding, REGISTERS};
use crate::memory::Sds;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, row, CommandResult, CommandSpec, KeySpec};
use crate::types::StringValue;

/// Every command of this family is in Redis's `hyperloglog` group.
const GROUP: &str = "hyperloglog";

pub static COMMANDS: &[CommandSpec] = &[
    row(GROUP, "pfadd", -2, flag::WRITE | flag::DENYOOM | flag::FAST, "2.8.9",
        "Adds elements to a HyperLogLog; answers 1 if its estimate may have changed.",
        "key [element [element ...]]", "O(1) to add every element.",
        &[KeySpec::range(key_flag::RW | key_flag::INSERT, 1, 0, 1)], pfadd),
    row(GROUP, "pfcount", -2, flag::READONLY | flag::MAY_REPLICATE, "2.8.9",
        "Estimates how many distinct elements a HyperLogLog (or the union of several) has seen.",
        "key [key ...]",
        "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        &[KeySpec::range(key_flag::RW | key_flag::ACCESS, 1, -1, 1)
            .notes("RW because it may change the internal representation of the key, and propagate to replicas")],
        pfcount),
    row(GROUP, "pfmerge", -2, flag::WRITE | flag::DENYOOM, "2.8.9",
        "Stores the union of HyperLogLogs in a key, merged with what it already holds.",
        "destkey sourcekey [sourcekey ...]",
        "O(N) to merge N HyperLogLogs, but with high constant times.",
        &[
            KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::INSERT, 1, 0, 1),
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 2, -1, 1),
        ],
        pfmerge),
    row(GROUP, "pfdebug", 3, flag::WRITE | flag::DENYOOM | flag::ADMIN, "2.8.9",
        "Shows a HyperLogLog's registers, opcodes or encoding, or makes it dense.",
        "subcommand key", "N/A",
        &[KeySpec::range(key_flag::RW | key_flag::ACCESS, 2, 0, 1)], pfdebug),
    row(GROUP, "pfselftest", 1, flag::ADMIN, "2.8.9",
        "Tests the HyperLogLog implementation's registers and estimates.",
        "", "N/A", &[], pfselftest),
];

/// `hll-sparse-max-bytes`: how long a sparse HyperLogLog may grow before it turns dense.
fn sparse_max_bytes(engine: &Engine) -> usize {
    usize::try_from(engine.config.int("hll-sparse-max-bytes")).unwrap_or(usize::MAX)
}

/// The HyperLogLog under a key this command has just looked up (Redis's
/// `isHLLObjectOrReply`: WRONGTYPE for another type, its own WRONGTYPE for a string that is
/// not one), and the byte Redis reads just past its end ([`Entry::past_end`]).
fn looked_up_hll<'a>(engine: &'a Engine, db: usize, key: &[u8]) -> Result<(&'a [u8], u8)> {
    match engine.dbs[db].keys.get(key) {
        Some(
            entry @ Entry {
                value: Value::String(s),
                ..
            },
        ) if hll::encoding(s).is_some() => Ok((s, entry.past_end())),
        Some(Entry {
            value: Value::String(_),
            ..
        }) => Err(Error::NotHll),
        _ => Err(Error::WrongType),
    }
}

fn as_hll_mut(value: &mut Value) -> Result<&mut StringValue> {
    match value {
        Value::String(s) if hll::encoding(s).is_some() => Ok(s),
        Value::String(_) => Err(Error::NotHll),
        _ => Err(Error::WrongType),
    }
}

impl From<Corrupted> for Error {
    fn from(_: Corrupted) -> Error {
        Error::CorruptedHll
    }
}

/// Runs `write` on the HyperLogLog under `key`, reached through the write door, or on a new
/// empty one added under it (told so by `write`'s last argument), with the allocation of its
/// sds for `write` to follow; `raw` from now on. The key is created even when `write` fails,
/// as Redis's is.
fn write_hll<R>(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    write: impl FnOnce(&mut Vec<u8>, &mut Sds, bool) -> Result<R>,
) -> Result<R> {
    let (value, created) = engine.lookup_write_or_add(db, key, || Value::string(hll::new_sparse()));
    let h = as_hll_mut(value)?;
    let mut sds = h.origin().unshared(h.len());
    let done = write(h.bytes_mut(), &mut sds, created);
    h.set_origin(StringOrigin::Raw(sds));
    done
}

/// ```text
/// PFADD key [element [element ...]]
/// ```
/// Adds the elements (a missing key starts empty, and is created even with no elements) and
/// answers 1 when a register grew, or the key was created, else 0. Announced `pfadd`.
fn pfadd(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (db, key) = (call.db, &call.argv[1]);
    let max = sparse_max_bytes(engine);
    let updated = write_hll(engine, db, key, |h, sds, created| {
        let mut updated = u64::from(created);
        for element in &call.argv[2..] {
            updated += u64::from(hll::add(h, sds, element, max)?);
        }
        if updated > 0 {
            hll::invalidate_cache(h);
        }
        Ok(updated)
    })?;
    if updated > 0 {
        engine.notify(NotifyClass::String, "pfadd", db, key);
        // Redis counts a change per register that grew.
        engine.dirty += updated - 1;
    }
    Ok(Reply::Integer(i64::from(updated > 0)).into())
}

/// ```text
/// PFCOUNT key [key ...]
/// ```
/// The estimated number of distinct elements added to the HyperLogLog (0 for a missing key),
/// from the header's cache when it is valid; a fresh estimate is written back there. With
/// several keys, the estimate for their union (missing keys count as empty), computed afresh
/// every time and cached nowhere.
fn pfcount(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let db = call.db;
    if call.argv.len() > 2 {
        let mut max = [0u8; REGISTERS];
        for key in &call.argv[1..] {
            if engine.lookup_read(db, key).is_some() {
                let (h, past_end) = looked_up_hll(engine, db, key)?;
                hll::merge(&mut max, h, past_end)?;
            }
        }
        return Ok(Reply::Integer(hll::count_registers(&max) as i64).into());
    }
    let key = &call.argv[1];
    if engine.lookup_read(db, key).is_none() {
        return Ok(Reply::Integer(0).into());
    }
    let (h, past_end) = looked_up_hll(engine, db, key)?;
    let cached = hll::cached_cardinality(h);
    let card = match cached {
        Some(card) => Ok(card),
        None => hll::count(h, past_end),
    };
    // Unshared before counting, as Redis does: even a corrupted one ends up raw.
    engine.unshare_string(db, key);
    let card = card?;
    if cached.is_none() {
        if let Some(Value::String(h)) = engine.looked_up_mut(db, key) {
            hll::set_cached_cardinality(h.bytes_mut(), card);
        }
        // A change WATCH and the log see, though no event announces it.
        engine.signal_modified_key(db, key, true);
        engine.dirty += 1;
    }
    Ok(Reply::Integer(card as i64).into())
}

/// ```text
/// PFMERGE destkey [sourcekey [sourcekey ...]]
/// ```
/// Raises each register of `destkey` (created empty if missing) to the highest among it and
/// the sources: the union. The result is dense if any of them is. `OK`; announced `pfadd`.
fn pfmerge(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let db = call.db;
    let mut max = [0u8; REGISTERS];
    let mut dense = false;
    // The destination is merged too: it is the first key.
    for key in &call.argv[1..] {
        if engine.lookup_read(db, key).is_some() {
            let (h, past_end) = looked_up_hll(engine, db, key)?;
            dense |= hll::encoding(h) == Some(Encoding::Dense);
            hll::merge(&mut max, h, past_end)?;
        }
    }
    let sparse_max = sparse_max_bytes(engine);
    let destination = &call.argv[1];
    write_hll(engine, db, destination, |h, sds, _| {
        if dense {
            hll::sparse_to_dense(h, sds)?;
        }
        for (index, &count) in max.iter().enumerate().filter(|(_, &c)| c > 0) {
            // Every key was read whole just above, so no register can be out of place; Redis
            // does not look at the outcome either.
            let _ = hll::set_register(h, sds, index, count, sparse_max);
        }
        hll::invalidate_cache(h);
        Ok(())
    })?;
    engine.notify(NotifyClass::String, "pfadd", db, destination);
    Ok(Reply::ok().into())
}

/// ```text
/// PFDEBUG (GETREG | DECODE | ENCODING | TODENSE) key
/// ```
/// GETREG: the 16384 registers (turning a sparse HyperLogLog dense first); DECODE: a sparse
/// one's opcodes (`Z:1000 v:2,1 z:19 ...`); ENCODING: `sparse` or `dense`; TODENSE: turns it
/// dense, 1 if it was sparse. The key must exist and hold a HyperLogLog; an unknown
/// subcommand is refused only then.
fn pfdebug(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (db, subcommand, key) = (call.db, &call.argv[1], &call.argv[2]);
    let Some(value) = engine.lookup_write(db, key) else {
        return Err(Error::PfdebugNoSuchKey);
    };
    let h = as_hll_mut(value)?;
    // Unshared before the subcommand is even read, as Redis does.
    let mut sds = h.origin().unshared(h.len());
    let outcome = debug(h.bytes_mut(), &mut sds, subcommand);
    h.set_origin(StringOrigin::Raw(sds));
    let (reply, converted) = outcome?;
    if converted {
        // The new encoding must reach the log; Redis announces nothing.
        engine.dirty += 1;
    }
    Ok(reply.into())
}

/// PFDEBUG's subcommands on a HyperLogLog: the reply, and whether it was turned dense.
fn debug(h: &mut Vec<u8>, sds: &mut Sds, subcommand: &[u8]) -> Result<(Reply, bool)> {
    let sparse = hll::encoding(h) == Some(Encoding::Sparse);
    let is = |name: &str| subcommand.eq_ignore_ascii_case(name.as_bytes());
    if is("getreg") || is("todense") {
        if sparse {
            hll::sparse_to_dense(h, sds)?;
        }
        let reply = match is("getreg") {
            true => Reply::Array(
                hll::dense_registers(h)
                    .map(|r| Reply::Integer(r.into()))
                    .collect(),
            ),
            false => Reply::Integer(i64::from(sparse)),
        };
        Ok((reply, sparse))
    } else if is("decode") {
        match sparse {
            true => Ok((Reply::bulk(hll::decode(h, sds.past_end(h.len()))), false)),
            false => Err(Error::PfdebugNotSparse),
        }
    } else if is("encoding") {
        let encoding = if sparse {
            Encoding::Sparse
        } else {
            Encoding::Dense
        };
        Ok((Reply::Simple(encoding.name().into()), false))
    } else {
        let name = crate::spec::truncated(subcommand, usize::MAX);
        Err(Error::PfdebugUnknown(name))
    }
}

/// ```text
/// PFSELFTEST
/// ```
/// Tests the registers and the estimates (`crate::hyperloglog::self_test`): `OK`, or
/// `TESTFAILED` and what went wrong. It adds ten million elements: it takes a while.
fn pfselftest(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let sparse_max = sparse_max_bytes(engine);
    let rng = &mut engine.rng;
    hll::self_test(|| rng.next_u64(), sparse_max).map_err(Error::HllSelfTest)?;
    Ok(Reply::ok().into())
}
