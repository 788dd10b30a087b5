//! `cmsgpack`, lua-cmsgpack 0.4.0 as Redis bundles it: `pack`, `unpack`, `unpack_one`,
//! `unpack_limit`, byte for byte.
//!
//! Encoding picks the smallest MessagePack form (fixnums, `float` when the number survives
//! the round trip through single precision, str8/16/32), writes a table as an array when
//! its keys are exactly 1..n and as a map otherwise, and writes tables nested 16 deep as
//! nil, as the C library does against cycles. Decoding follows lua-cmsgpack's quirks:
//! `uint64` values above 2^63 come back negative (they pass through a signed integer), and
//! unpacking more values than C Lua's stack allows fails with its message. Both directions
//! use explicit stacks.

use crate::error::{Error, Result};
use crate::native::{Ctx, Flow};
use crate::number::c_long;
use crate::value::{TableRef, Value};
use crate::vm::LUAI_MAXCSTACK;
use crate::Lua;

/// `LUACMSGPACK_MAX_NESTING`.
const MAX_NESTING: usize = 16;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    let t = super::new_lib(
        lua,
        "cmsgpack",
        &[
            ("pack", pack),
            ("unpack", unpack),
            ("unpack_one", unpack_one),
            ("unpack_limit", unpack_limit),
        ],
    )?;
    for (k, v) in [
        ("_NAME", "cmsgpack"),
        ("_VERSION", "lua-cmsgpack 0.4.0"),
        ("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"),
        ("_DESCRIPTION", "MessagePack C implementation for Lua"),
    ] {
        let s = lua.create_string(v)?;
        lua.set_field(t, k, s)?;
    }
    Ok(())
}

fn encode_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_number(out: &mut Vec<u8>, n: f64) {
    // IS_INT64_EQUIVALENT: not infinite and equal to its (int64_t) cast.
    if !n.is_infinite() && c_long(n) as f64 == n {
        encode_int(out, c_long(n));
    } else {
        let f = n as f32;
        if f64::from(f) == n {
            out.push(0xca);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        } else {
            out.push(0xcb);
            out.extend_from_slice(&n.to_bits().to_be_bytes());
        }
    }
}

fn encode_header(out: &mut Vec<u8>, n: usize, fix: u8, b16: u8, b32: u8) {
    if n <= 15 {
        out.push(fix | n as u8);
    } else if n <= 65535 {
        out.push(b16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// `table_is_an_array`: keys exactly 1..n, all integers that fit a C int.
fn is_array(lua: &mut Lua, t: TableRef) -> Result<bool> {
    let (mut count, mut max) = (0i64, 0i64);
    let mut k = Value::Nil;
    while let Some((key, _)) = lua.next(t, k)? {
        k = key;
        match key {
            Value::Num(n) if n > 0.0 && !n.is_infinite() && (n as i64 as i32) as f64 == n => {
                max = max.max(n as i64);
                count += 1;
            }
            _ => return Ok(false),
        }
    }
    Ok(max == count)
}

/// A table being written.
enum Open {
    Array {
        t: TableRef,
        len: usize,
        i: usize,
    },
    /// `pending`: the value still to write after the key just written.
    Map {
        t: TableRef,
        key: Value,
        pending: Option<Value>,
    },
}

/// Encodes one value (`mp_encode_lua_type` from level 0).
fn encode_value(ctx: &mut Ctx<'_>, v: Value, out: &mut Vec<u8>) -> Result<()> {
    let mut stack: Vec<Open> = Vec::new();
    let mut next = Some(v);
    loop {
        if let Some(v) = next.take() {
            match v {
                Value::Str(s) => encode_bytes(out, ctx.lua.heap.str(s)),
                Value::Bool(b) => out.push(if b { 0xc3 } else { 0xc2 }),
                Value::Num(n) => encode_number(out, n),
                Value::Table(t) if stack.len() < MAX_NESTING => {
                    if is_array(ctx.lua, t)? {
                        let len = ctx.lua.raw_len(t);
                        encode_header(out, len, 0x90, 0xdc, 0xdd);
                        stack.push(Open::Array { t, len, i: 0 });
                    } else {
                        let mut n = 0;
                        let mut k = Value::Nil;
                        while let Some((key, _)) = ctx.lua.next(t, k)? {
                            k = key;
                            n += 1;
                        }
                        encode_header(out, n, 0x80, 0xde, 0xdf);
                        stack.push(Open::Map {
                            t,
                            key: Value::Nil,
                            pending: None,
                        });
                    }
                }
                _ => out.push(0xc0),
            }
            if out.len().saturating_add(crate::gc::STRING_OVERHEAD) > ctx.lua.heap.room() {
                return Err(Error::Memory);
            }
        }
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        match top {
            Open::Array { t, len, i } => {
                if *i < *len {
                    *i += 1;
                    next = Some(ctx.lua.raw_get_index(*t, *i));
                } else {
                    stack.pop();
                }
            }
            Open::Map { t, key, pending } => {
                if let Some(v) = pending.take() {
                    next = Some(v);
                    continue;
                }
                let (t, k) = (*t, *key);
                match ctx.lua.next(t, k)? {
                    Some((key, val)) => {
                        if let Some(Open::Map {
                            key: kk, pending, ..
                        }) = stack.last_mut()
                        {
                            *kk = key;
                            *pending = Some(val);
                        }
                        next = Some(key);
                    }
                    None => {
                        stack.pop();
                    }
                }
            }
        }
    }
}

fn pack(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let n = ctx.nargs();
    if n == 0 {
        return Err(ctx.arg_error(0, "MessagePack pack needs input."));
    }
    if n > LUAI_MAXCSTACK / 2 {
        return Err(ctx.arg_error(0, "Too many arguments for MessagePack pack."));
    }
    let mut out = Vec::new();
    for i in 1..=n {
        let v = ctx.arg(i);
        encode_value(ctx, v, &mut out)?;
    }
    super::tablib::charge(ctx, out.len() / 8);
    let s = ctx.lua.heap.new_str_vec(out)?;
    ctx.push(Value::Str(s));
    Ok(Flow::Return(1))
}

/// Why decoding stopped.
enum DecodeError {
    /// Not enough bytes (`MP_CUR_ERROR_EOF`).
    Eof,
    /// An unknown type byte (`MP_CUR_ERROR_BADFMT`).
    BadFormat,
    Lua(Error),
}

impl From<Error> for DecodeError {
    fn from(e: Error) -> DecodeError {
        DecodeError::Lua(e)
    }
}

/// A container being filled.
enum Filling {
    Array {
        t: TableRef,
        left: usize,
        index: usize,
    },
    /// `key`: decoded, waiting for its value.
    Map {
        t: TableRef,
        left: usize,
        key: Option<Value>,
    },
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn need(&self, n: usize) -> std::result::Result<(), DecodeError> {
        if self.data.len() - self.pos < n {
            Err(DecodeError::Eof)
        } else {
            Ok(())
        }
    }

    fn be(&self, at: usize, n: usize) -> u64 {
        self.data[self.pos + at..self.pos + at + n]
            .iter()
            .fold(0, |a, &b| (a << 8) | u64::from(b))
    }
}

/// What one step of decoding produced.
enum Item {
    Value(Value),
    Open(Filling),
}

/// Decodes the item at the cursor: a value, or the start of a container.
fn decode_item(ctx: &mut Ctx<'_>, c: &mut Cursor<'_>) -> std::result::Result<Item, DecodeError> {
    c.need(1)?;
    let b = c.data[c.pos];
    let (v, used) = match b {
        0xcc => {
            c.need(2)?;
            (Value::Num(c.be(1, 1) as f64), 2)
        }
        0xd0 => {
            c.need(2)?;
            (Value::Num(f64::from(c.be(1, 1) as u8 as i8)), 2)
        }
        0xcd => {
            c.need(3)?;
            (Value::Num(c.be(1, 2) as f64), 3)
        }
        0xd1 => {
            c.need(3)?;
            (Value::Num(f64::from(c.be(1, 2) as u16 as i16)), 3)
        }
        0xce => {
            c.need(5)?;
            (Value::Num(c.be(1, 4) as f64), 5)
        }
        0xd2 => {
            c.need(5)?;
            (Value::Num(f64::from(c.be(1, 4) as u32 as i32)), 5)
        }
        0xcf | 0xd3 => {
            c.need(9)?;
            // Both go through a signed 64-bit integer.
            (Value::Num(c.be(1, 8) as i64 as f64), 9)
        }
        0xc0 => (Value::Nil, 1),
        0xc3 => (Value::Bool(true), 1),
        0xc2 => (Value::Bool(false), 1),
        0xca => {
            c.need(5)?;
            (Value::Num(f64::from(f32::from_bits(c.be(1, 4) as u32))), 5)
        }
        0xcb => {
            c.need(9)?;
            (Value::Num(f64::from_bits(c.be(1, 8))), 9)
        }
        0xd9..=0xdb => {
            let hl = match b {
                0xd9 => 1,
                0xda => 2,
                _ => 4,
            };
            c.need(1 + hl)?;
            let l = c.be(1, hl) as usize;
            c.pos += 1 + hl;
            c.need(l)?;
            let s = ctx.string(&c.data[c.pos..c.pos + l])?;
            c.pos += l;
            return Ok(Item::Value(s));
        }
        0xdc..=0xdf => {
            let hl = if b == 0xdc || b == 0xde { 2 } else { 4 };
            c.need(1 + hl)?;
            let l = c.be(1, hl) as usize;
            c.pos += 1 + hl;
            let t = ctx.lua.create_table()?;
            return Ok(Item::Open(if b <= 0xdd {
                Filling::Array {
                    t,
                    left: l,
                    index: 1,
                }
            } else {
                Filling::Map {
                    t,
                    left: l,
                    key: None,
                }
            }));
        }
        _ if b & 0x80 == 0 => (Value::Num(f64::from(b)), 1),
        _ if b & 0xe0 == 0xe0 => (Value::Num(f64::from(b as i8)), 1),
        _ if b & 0xe0 == 0xa0 => {
            let l = (b & 0x1f) as usize;
            c.need(1 + l)?;
            let s = ctx.string(&c.data[c.pos + 1..c.pos + 1 + l])?;
            c.pos += 1 + l;
            return Ok(Item::Value(s));
        }
        _ if b & 0xf0 == 0x90 || b & 0xf0 == 0x80 => {
            let l = (b & 0xf) as usize;
            c.pos += 1;
            let t = ctx.lua.create_table()?;
            return Ok(Item::Open(if b & 0xf0 == 0x90 {
                Filling::Array {
                    t,
                    left: l,
                    index: 1,
                }
            } else {
                Filling::Map {
                    t,
                    left: l,
                    key: None,
                }
            }));
        }
        _ => return Err(DecodeError::BadFormat),
    };
    c.pos += used;
    Ok(Item::Value(v))
}

/// Decodes one top-level value (`mp_decode_to_lua_type`); `base_slots` is how much of
/// the C stack the caller already holds.
fn decode_value(
    ctx: &mut Ctx<'_>,
    c: &mut Cursor<'_>,
    base_slots: usize,
) -> std::result::Result<Value, DecodeError> {
    let mut stack: Vec<Filling> = Vec::new();
    let mut slots = base_slots;
    loop {
        // luaL_checkstack(L, 1) before every value.
        if slots + 1 > LUAI_MAXCSTACK {
            let e = ctx.error("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)");
            return Err(DecodeError::Lua(e));
        }
        let mut v = match decode_item(ctx, c)? {
            Item::Value(v) => v,
            Item::Open(f) => {
                let (t, empty) = match &f {
                    Filling::Array { t, left, .. } | Filling::Map { t, left, .. } => {
                        (*t, *left == 0)
                    }
                };
                // An array checks for one more slot once its table is pushed.
                if matches!(f, Filling::Array { .. }) && slots + 2 > LUAI_MAXCSTACK {
                    let e = ctx.error("stack overflow (in function mp_decode_to_lua_array)");
                    return Err(DecodeError::Lua(e));
                }
                if empty {
                    Value::Table(t)
                } else {
                    // The table, plus an array's index being filled.
                    slots += if matches!(f, Filling::Array { .. }) {
                        2
                    } else {
                        1
                    };
                    stack.push(f);
                    continue;
                }
            }
        };
        loop {
            let Some(top) = stack.last_mut() else {
                return Ok(v);
            };
            match top {
                Filling::Array { t, left, index } => {
                    let (t, i) = (*t, *index);
                    *index += 1;
                    *left -= 1;
                    let done = *left == 0;
                    ctx.lua.raw_set(t, Value::Num(i as f64), v)?;
                    if done {
                        stack.pop();
                        slots -= 2;
                        v = Value::Table(t);
                        continue;
                    }
                }
                Filling::Map { t, left, key } => {
                    let t = *t;
                    match key.take() {
                        None => {
                            *key = Some(v);
                            slots += 1;
                        }
                        Some(k) => {
                            *left -= 1;
                            let done = *left == 0;
                            slots -= 1;
                            ctx.lua.raw_set(t, k, v)?;
                            if done {
                                stack.pop();
                                slots -= 1;
                                v = Value::Table(t);
                                continue;
                            }
                        }
                    }
                }
            }
            break;
        }
    }
}

/// `mp_unpack_full`.
fn unpack_full(ctx: &mut Ctx<'_>, limit: i64, offset: i64) -> Result<Flow> {
    let data = ctx.check_bytes(1)?;
    let len = data.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        return Err(ctx.error(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as i32, len as i32
        )));
    } else if offset as usize > len {
        return Err(ctx.error(format!(
            "Start offset {} greater than input length {}.",
            offset as i32, len as i32
        )));
    }
    let limit = if decode_all {
        i64::from(i32::MAX)
    } else {
        limit
    };
    ctx.lua.th.top = ctx.base + 1;
    let mut c = Cursor {
        data: &data,
        pos: offset as usize,
    };
    let mut cnt = 0i64;
    while c.pos < len && cnt < limit {
        match decode_value(ctx, &mut c, 1 + cnt as usize) {
            Ok(v) => ctx.push(v),
            Err(DecodeError::Eof) => return Err(ctx.error("Missing bytes in input.")),
            Err(DecodeError::BadFormat) => return Err(ctx.error("Bad data format in input.")),
            Err(DecodeError::Lua(e)) => return Err(e),
        }
        cnt += 1;
    }
    super::tablib::charge(ctx, c.pos / 8);
    if !decode_all {
        let next = if c.pos == len { -1.0 } else { c.pos as f64 };
        // The offset comes first: make room below the values.
        let first = ctx.base + 1;
        ctx.push(Value::Nil);
        let top = ctx.top();
        ctx.lua.th.stack.copy_within(first..top - 1, first + 1);
        ctx.lua.th.stack[first] = Value::Num(next);
        cnt += 1;
    }
    Ok(Flow::Return(cnt as usize))
}

fn unpack(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unpack_full(ctx, 0, 0)
}

fn unpack_one(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let offset = ctx.opt_integer(2, 0)?;
    unpack_full(ctx, 1, offset)
}

fn unpack_limit(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let limit = ctx.check_integer(2)?;
    let offset = ctx.opt_integer(3, 0)?;
    unpack_full(ctx, limit, offset)
}
