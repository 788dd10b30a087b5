//! LuaBitOp (`lua_bit.c`), the `bit` library Redis bundles: 32-bit operations on numbers,
//! which are first normalized as LuaBitOp does (adding 2^52+2^51 and keeping the low
//! 32 bits of the double, i.e. rounding to nearest even and wrapping modulo 2^32).

use crate::error::Result;
use crate::native::{Ctx, Flow};
use crate::value::Value;
use crate::Lua;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    super::new_lib(
        lua,
        "bit",
        &[
            ("tobit", tobit),
            ("bnot", bnot),
            ("band", band),
            ("bor", bor),
            ("bxor", bxor),
            ("lshift", lshift),
            ("rshift", rshift),
            ("arshift", arshift),
            ("rol", rol),
            ("ror", ror),
            ("bswap", bswap),
            ("tohex", tohex),
        ],
    )?;
    Ok(())
}

/// `barg`: argument `n` as 32 bits; a value that is not a number is an error only when it
/// converts to 0, as in LuaBitOp for Lua 5.1.
fn barg(ctx: &mut Ctx<'_>, n: usize) -> Result<u32> {
    let v = ctx.lua.to_number(ctx.arg(n));
    let b = (v.unwrap_or(0.0) + 6_755_399_441_055_744.0).to_bits() as u32;
    if b == 0 && v.is_none() {
        return Err(ctx.type_error(n, "number"));
    }
    Ok(b)
}

fn bret(ctx: &mut Ctx<'_>, b: u32) -> Result<Flow> {
    ctx.push(Value::Num(f64::from(b as i32)));
    Ok(Flow::Return(1))
}

fn tobit(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let b = barg(ctx, 1)?;
    bret(ctx, b)
}

fn bnot(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let b = barg(ctx, 1)?;
    bret(ctx, !b)
}

fn fold(ctx: &mut Ctx<'_>, f: fn(u32, u32) -> u32) -> Result<Flow> {
    let mut b = barg(ctx, 1)?;
    for i in (2..=ctx.nargs()).rev() {
        b = f(b, barg(ctx, i)?);
    }
    bret(ctx, b)
}

fn band(ctx: &mut Ctx<'_>) -> Result<Flow> {
    fold(ctx, |a, b| a & b)
}

fn bor(ctx: &mut Ctx<'_>) -> Result<Flow> {
    fold(ctx, |a, b| a | b)
}

fn bxor(ctx: &mut Ctx<'_>) -> Result<Flow> {
    fold(ctx, |a, b| a ^ b)
}

fn shift(ctx: &mut Ctx<'_>, f: fn(u32, u32) -> u32) -> Result<Flow> {
    let b = barg(ctx, 1)?;
    let n = barg(ctx, 2)? & 31;
    bret(ctx, f(b, n))
}

fn lshift(ctx: &mut Ctx<'_>) -> Result<Flow> {
    shift(ctx, |b, n| b << n)
}

fn rshift(ctx: &mut Ctx<'_>) -> Result<Flow> {
    shift(ctx, |b, n| b >> n)
}

fn arshift(ctx: &mut Ctx<'_>) -> Result<Flow> {
    shift(ctx, |b, n| ((b as i32) >> n) as u32)
}

fn rol(ctx: &mut Ctx<'_>) -> Result<Flow> {
    shift(ctx, |b, n| b.rotate_left(n))
}

fn ror(ctx: &mut Ctx<'_>) -> Result<Flow> {
    shift(ctx, |b, n| b.rotate_right(n))
}

fn bswap(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let b = barg(ctx, 1)?;
    bret(ctx, b.swap_bytes())
}

fn tohex(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let b = barg(ctx, 1)?;
    let n = if ctx.nargs() < 2 {
        8
    } else {
        barg(ctx, 2)? as i32
    };
    let (digits, n): (&[u8; 16], i64) = if n < 0 {
        (b"0123456789ABCDEF", -i64::from(n))
    } else {
        (b"0123456789abcdef", i64::from(n))
    };
    let n = n.min(8) as usize;
    let mut buf = vec![0u8; n];
    let mut x = b;
    for slot in buf.iter_mut().rev() {
        *slot = digits[(x & 15) as usize];
        x >>= 4;
    }
    let s = ctx.string(buf)?;
    ctx.push(s);
    Ok(Flow::Return(1))
}
