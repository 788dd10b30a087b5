//! The bitmap family (Redis's `bitops.c`): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, and
//! BITFIELD with its read-only twin. A bitmap is a string read as bits, bit 0 being the most
//! significant bit of the first byte; a string grows (padded with zero bytes) to reach the
//! highest bit written, up to `proto-max-bulk-len` bytes (512 MB).
//!
//! Writing bits changes the string in place, as Redis's `dbUnshareStringValue` and
//! `sdsgrowzero` do: the key's string is `raw` afterwards, whatever it was (`SET k 10` is an
//! `int`, `SETBIT k 0 0` leaves it the `raw` string `10`), and BITOP's result is created
//! `raw`. Only a write that changed a bit, or grew or created the string, is announced
//! (`setbit`) and counted as a change.
//!
//! BITFIELD reads and writes integers of 1 to 64 bits (signed) or 1 to 63 (unsigned) at any
//! bit offset, most significant bit first, with three ways to overflow: WRAP around (the
//! default), SATurate at the type's limit, or FAIL (the write is skipped, its reply nil). Its
//! operations are all parsed before any runs, so a bad one changes nothing.

use crate::args::{is, parse_i64, string2ll};
use crate::cmd::string::{as_string, as_string_mut};
use crate::db::{StringOrigin, Value};
use crate::engine::{Call, Engine};
use crate::error::{Error, Result};
use crate::event::NotifyClass;
use crate::memory::Sds;
use crate::reply::Reply;
use crate::spec::{flag, key_flag, row, CommandResult, CommandSpec, KeySpec};

/// Every command of this family is in Redis's `bitmap` group.
const GROUP: &str = "bitmap";

/// The key is only read.
const READS: &[KeySpec] = &[KeySpec::range(key_flag::RO | key_flag::ACCESS, 1, 0, 1)];

pub static COMMANDS: &[CommandSpec] = &[
    row(GROUP, "setbit", 4, flag::WRITE | flag::DENYOOM, "2.2.0",
        "Sets or clears one bit of a key's string, growing it as needed; returns the bit's old value.",
        "key offset value", "O(1)",
        &[KeySpec::range(key_flag::RW | key_flag::ACCESS | key_flag::UPDATE, 1, 0, 1)], setbit),
    row(GROUP, "getbit", 3, flag::READONLY | flag::FAST, "2.2.0",
        "Returns one bit of a key's string (0 past its end).",
        "key offset", "O(1)", READS, getbit),
    row(GROUP, "bitcount", -2, flag::READONLY, "2.6.0",
        "Counts the bits set to 1 in a string, or in a range of its bytes or bits.",
        "key [start end [BYTE | BIT]]", "O(N)", READS, bitcount),
    row(GROUP, "bitpos", -3, flag::READONLY, "2.8.7",
        "Finds the first bit set to 1 (or 0) in a string, or in a range of its bytes or bits.",
        "key bit [start [end [BYTE | BIT]]]", "O(N)", READS, bitpos),
    row(GROUP, "bitop", -4, flag::WRITE | flag::DENYOOM, "2.6.0",
        "Stores the bitwise AND, OR, XOR of strings, or the NOT of one, in a key; returns its length.",
        "operation destkey key [key ...]", "O(N)",
        &[
            KeySpec::range(key_flag::OW | key_flag::UPDATE, 2, 0, 1),
            KeySpec::range(key_flag::RO | key_flag::ACCESS, 3, -1, 1),
        ],
        bitop),
    row(GROUP, "bitfield", -2, flag::WRITE | flag::DENYOOM, "3.2.0",
        "Reads, writes and increments integers of any width at any bit offset of a string.",
        "key [(GET encoding offset | [OVERFLOW (WRAP | SAT | FAIL)] (SET encoding offset value | INCRBY encoding offset increment)) [(GET encoding offset | [OVERFLOW (WRAP | SAT | FAIL)] (SET encoding offset value | INCRBY encoding offset increment)) ...]]",
        "O(1) for each subcommand specified",
        &[KeySpec::range(
            key_flag::RW | key_flag::ACCESS | key_flag::UPDATE | key_flag::VARIABLE_FLAGS,
            1,
            0,
            1,
        )
        .notes("This command allows both access and modification of the key")],
        bitfield),
    row(GROUP, "bitfield_ro", -2, flag::READONLY | flag::FAST, "6.0.0",
        "Reads integers of any width at any bit offset of a string (BITFIELD's GET alone).",
        "key [GET encoding offset [GET encoding offset ...]]",
        "O(1) for each subcommand specified", READS, bitfield_ro),
];

/// Reads a bit offset as Redis's `getBitOffsetFromArgument`: a strict integer, or for
/// BITFIELD (`width` given) `#n`, meaning n times the field's width; never negative, and its
/// byte below `proto-max-bulk-len` (except while a log replays, as Redis trusts its own log).
fn bit_offset(engine: &Engine, arg: &[u8], width: Option<u32>) -> Result<u64> {
    let (multiple, digits) = match (arg.split_first(), width) {
        (Some((b'#', rest)), Some(width)) => (Some(width), rest),
        _ => (None, arg),
    };
    let mut offset = string2ll(digits).ok_or(Error::BitOffset)?;
    if let Some(width) = multiple {
        offset = offset.wrapping_mul(i64::from(width));
    }
    let max = engine.config.int("proto-max-bulk-len");
    if offset < 0 || (!engine.persistence.aof.loading && (offset >> 3) >= max) {
        return Err(Error::BitOffset);
    }
    Ok(offset as u64)
}

/// Runs `write` on the string a bit write goes to (Redis's `lookupStringForBitCommand`):
/// created, or grown with zero bytes, so that bit `max_bit` exists, and `raw` from now on.
/// `write` is also told whether the string was created or grew. A string the machine cannot
/// give (the page's memory) is refused as out of range.
fn write_bits<R>(
    engine: &mut Engine,
    db: usize,
    key: &[u8],
    max_bit: u64,
    write: impl FnOnce(&mut Vec<u8>, bool) -> R,
) -> Result<R> {
    let len = usize::try_from(max_bit >> 3).map_err(|_| Error::BitOffset)? + 1;
    let (value, created) = engine.lookup_write_or_add(db, key, || Value::string(Vec::new()));
    let s = as_string_mut(value)?;
    let (before, origin) = (s.len(), s.origin());
    grow_zeroed(s.bytes_mut(), len)?;
    let grown = s.len() != before;
    s.set_origin(StringOrigin::Raw(match created {
        true => Sds::new(len),
        false => origin.unshared(before).grow_zero(before, len),
    }));
    Ok(write(s.bytes_mut(), created || grown))
}

/// Pads `s` with zero bytes to `len` bytes (Redis's `sdsgrowzero`).
fn grow_zeroed(s: &mut Vec<u8>, len: usize) -> Result<()> {
    if s.len() < len {
        s.try_reserve_exact(len - s.len())
            .map_err(|_| Error::BitOffset)?;
        s.resize(len, 0);
    }
    Ok(())
}

// --- SETBIT, GETBIT --------------------------------------------------------------------------

/// ```text
/// SETBIT key offset value
/// ```
/// Sets bit `offset` to `value` (0 or 1), growing the string as needed, and answers the bit's
/// old value. Announced `setbit` when the bit changed or the string grew.
fn setbit(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let (db, key) = (call.db, &call.argv[1]);
    let offset = bit_offset(engine, &call.argv[2], None)?;
    let on = match string2ll(&call.argv[3]) {
        Some(bit @ (0 | 1)) => bit == 1,
        _ => return Err(Error::BitValue),
    };
    let (byte, mask) = ((offset >> 3) as usize, 0x80u8 >> (offset & 7));
    let (was, changed) = write_bits(engine, db, key, offset, |s, grew| {
        let was = s[byte] & mask != 0;
        if on {
            s[byte] |= mask;
        } else {
            s[byte] &= !mask;
        }
        (was, grew || was != on)
    })?;
    if changed {
        engine.notify(NotifyClass::String, "setbit", db, key);
    }
    Ok(Reply::Integer(i64::from(was)).into())
}

/// ```text
/// GETBIT key offset
/// ```
/// Bit `offset` of the string: 0 past its end or for a missing key.
fn getbit(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let offset = bit_offset(engine, &call.argv[2], None)?;
    let bit = match engine.lookup_read(call.db, &call.argv[1]) {
        Some(value) => {
            let s = as_string(value)?;
            usize::try_from(offset >> 3)
                .ok()
                .and_then(|byte| s.get(byte))
                .is_some_and(|b| b & (0x80 >> (offset & 7)) != 0)
        }
        None => false,
    };
    Ok(Reply::Integer(i64::from(bit)).into())
}

// --- BITCOUNT, BITPOS --------------------------------------------------------------------------

/// The bits set in `bytes`, a machine word at a time.
fn popcount(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    let mut count: u64 = words
        .by_ref()
        .map(|w| u64::from(u64::from_ne_bytes(w.try_into().unwrap_or_default()).count_ones()))
        .sum();
    count += words
        .remainder()
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum::<u64>();
    count
}

/// The position of the first bit equal to `bit` (Redis's `redisBitpos`): bits past the end
/// count as zeros, so looking for a 0 in all ones answers the first bit after them, and
/// looking for a 1 where there is none answers -1.
fn first_bit(bytes: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0x00 } else { 0xff };
    match bytes.iter().position(|&b| b != skip) {
        Some(at) => {
            let byte = if bit { bytes[at] } else { !bytes[at] };
            (at * 8) as i64 + i64::from(byte.leading_zeros())
        }
        None if bit => -1,
        None => (bytes.len() * 8) as i64,
    }
}

/// A BITCOUNT or BITPOS range, in bytes, with the bits of its first and last bytes that a BIT
/// range leaves out (`first_mask`, `last_mask`: set where a bit is outside).
struct ByteRange {
    start: i64,
    end: i64,
    first_mask: u8,
    last_mask: u8,
}

/// BYTE (the default) or BIT: true for BIT.
fn in_bits(unit: Option<&Vec<u8>>) -> Result<bool> {
    match unit {
        None => Ok(false),
        Some(u) if is(u, "byte") => Ok(false),
        Some(u) if is(u, "bit") => Ok(true),
        Some(_) => Err(Error::Syntax),
    }
}

/// Reads `start end` as Redis normalises it: negative offsets count from the end, both are
/// clamped to the string, and a range in `bits` becomes its bytes plus the masks of the bits
/// of the end bytes outside it.
fn byte_range(len: usize, start: i64, end: i64, bits: bool) -> ByteRange {
    let total = if bits { (len as i64) << 3 } else { len as i64 };
    let (mut start, mut end) = (start, end);
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0).min(total - 1);
    let (mut first_mask, mut last_mask) = (0, 0);
    if bits && start <= end {
        first_mask = !(0xffu8 >> (start & 7));
        last_mask = ((1u16 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    ByteRange {
        start,
        end,
        first_mask,
        last_mask,
    }
}

/// ```text
/// BITCOUNT key [start end [BYTE | BIT]]
/// ```
/// The bits set to 1, in the whole string or within a range of bytes (or of bits with BIT);
/// negative offsets count from the end. 0 for a missing key, whatever the arguments.
fn bitcount(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let Some(value) = engine.lookup_read(call.db, &call.argv[1]) else {
        return Ok(Reply::Integer(0).into());
    };
    let s = as_string(value)?;
    let range = match &call.argv[2..] {
        [] => ByteRange {
            start: 0,
            end: s.len() as i64 - 1,
            first_mask: 0,
            last_mask: 0,
        },
        [start, end, unit @ ..] if unit.len() <= 1 => {
            let (start, end) = (parse_i64(start)?, parse_i64(end)?);
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Integer(0).into());
            }
            byte_range(s.len(), start, end, in_bits(unit.first())?)
        }
        _ => return Err(Error::Syntax),
    };
    if range.start > range.end {
        return Ok(Reply::Integer(0).into());
    }
    let (start, end) = (range.start as usize, range.end as usize);
    let outside = [s[start] & range.first_mask, s[end] & range.last_mask];
    let count = popcount(&s[start..=end]) - popcount(&outside);
    Ok(Reply::Integer(count as i64).into())
}

/// ```text
/// BITPOS key bit [start [end [BYTE | BIT]]]
/// ```
/// The position of the first bit equal to `bit`, searched in the whole string or within a
/// range. Past the string's end the bits count as zeros: looking for a 0 in a string of ones
/// answers the bit after its end, unless an end was given (then -1, as for a 1 not found).
/// A missing key is all zeros: 0 for a 0, -1 for a 1.
fn bitpos(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let bit = match parse_i64(&call.argv[2])? {
        0 => false,
        1 => true,
        _ => return Err(Error::BitposBit),
    };
    let Some(value) = engine.lookup_read(call.db, &call.argv[1]) else {
        return Ok(Reply::Integer(if bit { -1 } else { 0 }).into());
    };
    let s = as_string(value)?;
    let len = s.len() as i64;
    let (range, end_given) = match &call.argv[3..] {
        [] => (
            ByteRange {
                start: 0,
                end: len - 1,
                first_mask: 0,
                last_mask: 0,
            },
            false,
        ),
        [start, rest @ ..] if rest.len() <= 2 => {
            // Redis reads the start, then the unit, then the end.
            let start = parse_i64(start)?;
            let bits = in_bits(rest.get(1))?;
            let end = match rest.first() {
                Some(end) => parse_i64(end)?,
                None => len - 1,
            };
            (byte_range(s.len(), start, end, bits), !rest.is_empty())
        }
        _ => return Err(Error::Syntax),
    };
    if range.start > range.end {
        return Ok(Reply::Integer(-1).into());
    }
    let pos = bitpos_in(s, &range, bit, end_given);
    Ok(Reply::Integer(pos).into())
}

/// BITPOS within a range, its end bytes masked as Redis's `bitposCommand` masks them: the
/// first byte alone, then the whole bytes between, then the last byte alone.
fn bitpos_in(s: &[u8], range: &ByteRange, bit: bool, end_given: bool) -> i64 {
    // The bits outside the range made unlike the bit looked for.
    let masked = |byte: u8, mask: u8| if bit { byte & !mask } else { byte | mask };
    let (mut start, end) = (range.start as usize, range.end as usize);
    let mut bytes = end - start + 1;
    let mut pos;
    'search: {
        if range.first_mask != 0 {
            let mut first = masked(s[start], range.first_mask);
            if range.last_mask != 0 && bytes == 1 {
                first = masked(first, range.last_mask);
            }
            pos = first_bit(&[first], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'search;
            }
            start += 1;
            bytes -= 1;
        }
        let whole = bytes - usize::from(range.last_mask != 0);
        if whole > 0 {
            pos = first_bit(&s[start..start + whole], bit);
            if bytes == whole || (pos != -1 && pos != (whole as i64) << 3) {
                break 'search;
            }
            start += whole;
            bytes -= whole;
        }
        pos = first_bit(&[masked(s[end], range.last_mask)], bit);
    }
    // A 0 found only past the end of an explicit range is not in the range.
    if end_given && !bit && pos == (bytes as i64) << 3 {
        return -1;
    }
    if pos != -1 {
        pos += (start as i64) << 3;
    }
    pos
}

// --- BITOP -----------------------------------------------------------------------------------

/// ```text
/// BITOP (AND | OR | XOR | NOT) destkey key [key ...]
/// ```
/// Stores the bitwise operation of the strings (missing keys are empty strings; shorter
/// strings are padded with zero bytes) in `destkey`, dropping its TTL, and answers its
/// length, the longest source's. NOT takes exactly one source. When every source is empty
/// the destination is deleted instead.
fn bitop(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    #[derive(Clone, Copy, PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = [
        ("and", Op::And),
        ("or", Op::Or),
        ("xor", Op::Xor),
        ("not", Op::Not),
    ]
    .into_iter()
    .find_map(|(name, op)| is(&call.argv[1], name).then_some(op))
    .ok_or(Error::Syntax)?;
    if op == Op::Not && call.argv.len() != 4 {
        return Err(Error::BitopNotSingleSource);
    }
    let (db, destination) = (call.db, &call.argv[2]);
    let mut sources = Vec::with_capacity(call.argv.len() - 3);
    for key in &call.argv[3..] {
        sources.push(match engine.lookup_read(db, key) {
            Some(value) => as_string(value)?.to_vec(),
            None => Vec::new(),
        });
    }
    let len = sources.iter().map(Vec::len).max().unwrap_or(0);
    if len == 0 {
        if engine.db_delete(db, destination) {
            engine.notify(NotifyClass::Generic, "del", db, destination);
        }
        return Ok(Reply::Integer(0).into());
    }
    let mut result = sources.swap_remove(0);
    result.resize(len, 0);
    match op {
        Op::Not => result.iter_mut().for_each(|b| *b = !*b),
        _ => {
            for source in &sources {
                let (head, tail) = result.split_at_mut(source.len());
                for (r, s) in head.iter_mut().zip(source) {
                    match op {
                        Op::And => *r &= s,
                        Op::Or => *r |= s,
                        _ => *r ^= s,
                    }
                }
                // Past a shorter source its bytes are zeros: AND clears, OR and XOR keep.
                if op == Op::And {
                    tail.fill(0);
                }
            }
        }
    }
    engine.expire_if_needed(db, destination);
    engine.set_key(db, destination, Value::string(result), false);
    engine.set_string_origin(db, destination, StringOrigin::Raw(Sds::new(len)));
    engine.notify(NotifyClass::String, "set", db, destination);
    Ok(Reply::Integer(len as i64).into())
}

// --- BITFIELD --------------------------------------------------------------------------------

/// How an INCRBY or SET that does not fit its field behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// One BITFIELD field: signed or not, its width, its bit offset.
#[derive(Clone, Copy, Debug)]
struct Field {
    signed: bool,
    bits: u32,
    offset: u64,
}

#[derive(Clone, Copy, Debug)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// Reads a field type: `i` or `u` (lower case only, as Redis), then the width, 1 to 64 for
/// signed fields and 1 to 63 for unsigned ones (a u64 could not be replied as an integer).
fn field_type(arg: &[u8]) -> Result<(bool, u32)> {
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(Error::BitfieldType),
    };
    // Redis reads the width as a C string: up to the first NUL.
    let width = arg[1..].split(|&b| b == 0).next().unwrap_or_default();
    match string2ll(width) {
        Some(bits) if bits >= 1 && bits <= if signed { 64 } else { 63 } => {
            Ok((signed, bits as u32))
        }
        _ => Err(Error::BitfieldType),
    }
}

/// The unsigned value of `bits` bits from bit `offset`, most significant first; bits past
/// the string read as zeros.
fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    (offset..offset + u64::from(bits)).fold(0, |value, at| {
        let byte = usize::try_from(at >> 3).ok().and_then(|i| s.get(i));
        let bit = byte.map_or(0, |b| u64::from((b >> (7 - (at & 7))) & 1));
        (value << 1) | bit
    })
}

/// The same bits read as a two's complement integer.
fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let value = get_unsigned(s, offset, bits) as i64;
    if bits < 64 && value & (1 << (bits - 1)) != 0 {
        value | (-1i64 << bits)
    } else {
        value
    }
}

/// Writes the low `bits` bits of `value` from bit `offset` on (the string already reaches).
fn set_bits(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..bits {
        let at = offset + u64::from(j);
        let mask = 0x80u8 >> (at & 7);
        let byte = &mut s[(at >> 3) as usize];
        if value & (1 << (bits - 1 - j)) != 0 {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// Whether `value + incr` overflows an unsigned field of `bits` bits (Redis's
/// `checkUnsignedBitfieldOverflow`): `Some(result)` with the wrapped or saturated value when
/// it does (for FAIL, any), `None` when it fits.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, overflow: Overflow) -> Option<u64> {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    };
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = || value.wrapping_add(incr as u64) & !(u64::MAX << bits);
    if value > max || (incr > 0 && incr > max_incr) {
        Some(if overflow == Overflow::Sat {
            max
        } else {
            wrapped()
        })
    } else if incr < 0 && incr < min_incr {
        Some(if overflow == Overflow::Sat {
            0
        } else {
            wrapped()
        })
    } else {
        None
    }
}

/// The same for a signed field (Redis's `checkSignedBitfieldOverflow`), with its wrapping
/// arithmetic, which for a SET of a value far out of range reads it as an overflow upwards.
fn signed_overflow(value: i64, incr: i64, bits: u32, overflow: Overflow) -> Option<i64> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    let narrow = bits != 64;
    if value > max || (narrow && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        Some(if overflow == Overflow::Sat {
            max
        } else {
            wrapped()
        })
    } else if value < min
        || (narrow && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        Some(if overflow == Overflow::Sat {
            min
        } else {
            wrapped()
        })
    } else {
        None
    }
}

/// Parses BITFIELD's operations as Redis does, in order, each error as soon as it is met:
/// GET takes a type and an offset, SET and INCRBY one more integer, OVERFLOW applies to the
/// SETs and INCRBYs after it.
fn parse_fields(engine: &Engine, args: &[Vec<u8>]) -> Result<Vec<(FieldOp, Field, Overflow)>> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 0;
    while j < args.len() {
        let left = args.len() - j - 1;
        let word = &args[j];
        let takes_value = if is(word, "get") && left >= 2 {
            false
        } else if (is(word, "set") || is(word, "incrby")) && left >= 3 {
            true
        } else if is(word, "overflow") && left >= 1 {
            overflow = [
                ("wrap", Overflow::Wrap),
                ("sat", Overflow::Sat),
                ("fail", Overflow::Fail),
            ]
            .into_iter()
            .find_map(|(name, kind)| is(&args[j + 1], name).then_some(kind))
            .ok_or(Error::BitfieldOverflowType)?;
            j += 2;
            continue;
        } else {
            return Err(Error::Syntax);
        };
        let (signed, bits) = field_type(&args[j + 1])?;
        let offset = bit_offset(engine, &args[j + 2], Some(bits))?;
        let op = match takes_value {
            false => FieldOp::Get,
            true if is(word, "set") => FieldOp::Set(parse_i64(&args[j + 3])?),
            true => FieldOp::IncrBy(parse_i64(&args[j + 3])?),
        };
        ops.push((
            op,
            Field {
                signed,
                bits,
                offset,
            },
            overflow,
        ));
        j += if takes_value { 4 } else { 3 };
    }
    Ok(ops)
}

/// Whether a BITFIELD command line only reads (Redis's `bitfieldGetKeys`, for COMMAND
/// GETKEYSANDFLAGS and ACL key permissions): no SET or INCRBY before anything malformed.
pub(crate) fn bitfield_reads_only(argv: &[Vec<u8>]) -> bool {
    let mut i = 2;
    while i < argv.len() {
        let left = argv.len() - i - 1;
        let word = &argv[i];
        if is(word, "get") && left >= 2 {
            i += 3;
        } else if is(word, "overflow") && left >= 1 {
            i += 2;
        } else {
            // A write, or a syntax error: safer to assume a write.
            return false;
        }
    }
    true
}

/// ```text
/// BITFIELD key [GET encoding offset | [OVERFLOW (WRAP | SAT | FAIL)]
///     (SET encoding offset value | INCRBY encoding offset increment) ...]
/// ```
/// One reply per GET, SET and INCRBY, in order: GET the field's value, SET its old value,
/// INCRBY its new value, or nil when OVERFLOW FAIL skipped it. The string grows to hold the
/// farthest field written. Announced `setbit` when a field changed (or the string grew).
fn bitfield(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    bitfield_generic(engine, call, false)
}

/// ```text
/// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
/// ```
/// BITFIELD's GETs on a read-only connection (a replica's); SET and INCRBY are refused.
fn bitfield_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    bitfield_generic(engine, call, true)
}

fn bitfield_generic(engine: &mut Engine, call: &Call<'_>, read_only: bool) -> CommandResult {
    let (db, key) = (call.db, &call.argv[1]);
    let ops = parse_fields(engine, &call.argv[2..])?;
    let highest_write = ops
        .iter()
        .filter(|(op, ..)| !matches!(op, FieldOp::Get))
        .map(|(_, f, _)| f.offset + u64::from(f.bits) - 1)
        .max();
    let Some(highest_write) = highest_write else {
        let s = match engine.lookup_read(db, key) {
            Some(value) => as_string(value)?,
            None => &[],
        };
        let replies = ops
            .iter()
            .map(|(_, field, _)| read_field(s, field))
            .collect();
        return Ok(Reply::Array(replies).into());
    };
    if read_only {
        return Err(Error::BitfieldRoWrite);
    }
    let (replies, changes) = write_bits(engine, db, key, highest_write, |s, grew| {
        run_fields(s, grew, &ops)
    })?;
    if changes > 0 {
        engine.notify(NotifyClass::String, "setbit", db, key);
        // Redis counts every field changed.
        engine.dirty += changes - 1;
    }
    Ok(Reply::Array(replies).into())
}

/// Runs BITFIELD's operations on its string, grown to hold them: the replies, and how many
/// fields changed (all those written, when the string was created or grew).
fn run_fields(s: &mut [u8], grew: bool, ops: &[(FieldOp, Field, Overflow)]) -> (Vec<Reply>, u64) {
    let mut changes = 0;
    let mut replies = Vec::with_capacity(ops.len());
    for (op, field, overflow) in ops {
        let (value, incr, set) = match *op {
            FieldOp::Get => {
                replies.push(read_field(s, field));
                continue;
            }
            FieldOp::Set(value) => (value, 0, true),
            FieldOp::IncrBy(incr) => (0, incr, false),
        };
        let (reply, old, new, failed) = if field.signed {
            let old = get_signed(s, field.offset, field.bits);
            let (base, incr) = if set { (value, 0) } else { (old, incr) };
            let limit = signed_overflow(base, incr, field.bits, *overflow);
            let new = limit.unwrap_or_else(|| base.wrapping_add(incr));
            let reply = if set { old } else { new };
            (reply, old as u64, new as u64, limit.is_some())
        } else {
            let old = get_unsigned(s, field.offset, field.bits);
            let (base, incr) = if set { (value as u64, 0) } else { (old, incr) };
            let limit = unsigned_overflow(base, incr, field.bits, *overflow);
            let new = limit.unwrap_or_else(|| base.wrapping_add(incr as u64));
            let reply = if set { old as i64 } else { new as i64 };
            (reply, old, new, limit.is_some())
        };
        if failed && *overflow == Overflow::Fail {
            replies.push(Reply::Null);
            continue;
        }
        replies.push(Reply::Integer(reply));
        set_bits(s, field.offset, field.bits, new);
        if grew || old != new {
            changes += 1;
        }
    }
    (replies, changes)
}

/// A GET's reply: the field read from the string (zeros past its end).
fn read_field(s: &[u8], field: &Field) -> Reply {
    Reply::Integer(match field.signed {
        true => get_signed(s, field.offset, field.bits),
        false => get_unsigned(s, field.offset, field.bits) as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_positions_count_trailing_zeros() {
        assert_eq!(first_bit(&[0x00, 0x10], true), 11);
        assert_eq!(first_bit(&[0xff, 0xfe], false), 15);
        assert_eq!(first_bit(&[0xff], false), 8);
        assert_eq!(first_bit(&[0x00], true), -1);
        assert_eq!(first_bit(&[], false), 0);
        assert_eq!(popcount(&[0xff; 17]), 136);
    }

    #[test]
    fn fields_read_and_written_most_significant_first() {
        // SETting a 5-bit 23 at offset 7 into zeros gives 00000001 01110000.
        let mut s = [0u8; 2];
        set_bits(&mut s, 7, 5, 23);
        assert_eq!(s, [0b0000_0001, 0b0111_0000]);
        assert_eq!(get_unsigned(&s, 7, 5), 23);
        assert_eq!(get_signed(&s, 7, 5), 23 - 32);
        assert_eq!(get_unsigned(&s, 12, 64), 0);
        assert_eq!(get_signed(&[0xff; 8], 0, 64), -1);
    }

    #[test]
    fn overflows_wrap_saturate_or_fail() {
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Wrap), Some(4));
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Wrap), Some(251));
        assert_eq!(unsigned_overflow(5, 10, 8, Overflow::Fail), None);
        assert_eq!(signed_overflow(120, 10, 8, Overflow::Wrap), Some(-126));
        assert_eq!(signed_overflow(120, 10, 8, Overflow::Sat), Some(127));
        assert_eq!(signed_overflow(-120, -10, 8, Overflow::Sat), Some(-128));
        assert_eq!(
            signed_overflow(i64::MAX, 1, 64, Overflow::Wrap),
            Some(i64::MIN)
        );
        assert_eq!(signed_overflow(-5, 3, 64, Overflow::Wrap), None);
    }

    #[test]
    fn field_types() {
        assert_eq!(field_type(b"i64"), Ok((true, 64)));
        assert_eq!(field_type(b"u63"), Ok((false, 63)));
        assert_eq!(field_type(b"u64"), Err(Error::BitfieldType));
        assert_eq!(field_type(b"I8"), Err(Error::BitfieldType));
        assert_eq!(field_type(b"i0"), Err(Error::BitfieldType));
    }
}
