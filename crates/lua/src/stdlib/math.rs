//! The math library (`lmathlib.c`), with Redis's `math.random` and `math.randomseed`: the
//! 48-bit linear congruential generator of `redisLrand48` (as `lrand48`), so that a seed
//! gives the same numbers as redis-server on every platform.
//!
//! NaNs come out as glibc makes them on x86-64 (`math.sqrt(-1)` is `-nan`,
//! `math.acos(2)` is `nan`), so printed results match C Lua's.

use crate::error::Result;
use crate::native::{Ctx, Flow};
use crate::number::{fix_nan1, fix_nan2, lua_pow, x86_nan, DEFAULT_NAN};
use crate::value::Value;
use crate::Lua;

/// `redisLrand48`'s initial state (`X2 X1 X0` = 0x1234 0xABCD 0x330E).
pub(crate) const RAND48_INIT: u64 = 0x1234_abcd_330e;
const RAND48_A: u64 = 0x5_deec_e66d;
const RAND48_C: u64 = 0xb;
const RAND48_MASK: u64 = (1 << 48) - 1;
/// `REDIS_LRAND48_MAX` (`INT32_MAX`).
const LRAND48_MAX: i64 = i32::MAX as i64;

/// `redisLrand48`: the next 31-bit number.
pub(crate) fn lrand48(state: &mut u64) -> i64 {
    *state = (state.wrapping_mul(RAND48_A).wrapping_add(RAND48_C)) & RAND48_MASK;
    (*state >> 17) as i64
}

/// `redisSrand48`.
pub(crate) fn srand48(state: &mut u64, seed: i32) {
    *state = ((seed as u32 as u64) << 16) | 0x330e;
}

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    let t = super::new_lib(
        lua,
        "math",
        &[
            ("abs", abs),
            ("acos", acos),
            ("asin", asin),
            ("atan2", atan2),
            ("atan", atan),
            ("ceil", ceil),
            ("cosh", cosh),
            ("cos", cos),
            ("deg", deg),
            ("exp", exp),
            ("floor", floor),
            ("fmod", fmod),
            ("frexp", frexp),
            ("ldexp", ldexp),
            ("log10", log10),
            ("log", log),
            ("max", max),
            ("min", min),
            ("modf", modf),
            ("pow", pow),
            ("rad", rad),
            ("random", random),
            ("randomseed", randomseed),
            ("sinh", sinh),
            ("sin", sin),
            ("sqrt", sqrt),
            ("tanh", tanh),
            ("tan", tan),
        ],
    )?;
    lua.set_field(t, "pi", Value::Num(std::f64::consts::PI))?;
    lua.set_field(t, "huge", Value::Num(f64::INFINITY))?;
    // LUA_COMPAT_MOD: math.mod is math.fmod.
    let fmod_f = lua.raw_get_field(t, "fmod");
    lua.set_field(t, "mod", fmod_f)?;
    Ok(())
}

fn ret(ctx: &mut Ctx<'_>, x: f64) -> Result<Flow> {
    ctx.push(Value::Num(x));
    Ok(Flow::Return(1))
}

/// A one-argument function whose invalid inputs give the NaN `invalid` (with the sign
/// glibc gives it); NaN inputs pass through.
fn unary(ctx: &mut Ctx<'_>, f: fn(f64) -> f64, invalid: f64) -> Result<Flow> {
    let x = ctx.check_num(1)?;
    let r = f(x);
    let r = if r.is_nan() && !x.is_nan() {
        invalid
    } else {
        fix_nan1(r, x)
    };
    ret(ctx, r)
}

const POS_NAN: f64 = f64::from_bits(0x7ff8_0000_0000_0000);

fn abs(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let x = ctx.check_num(1)?;
    ret(ctx, x.abs())
}
fn acos(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::acos, POS_NAN)
}
fn asin(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::asin, POS_NAN)
}
fn atan(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::atan, DEFAULT_NAN)
}
fn atan2(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let y = ctx.check_num(1)?;
    let x = ctx.check_num(2)?;
    ret(ctx, fix_nan2(y.atan2(x), y, x))
}
fn ceil(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::ceil, DEFAULT_NAN)
}
fn floor(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::floor, DEFAULT_NAN)
}
fn cos(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::cos, DEFAULT_NAN)
}
fn cosh(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::cosh, DEFAULT_NAN)
}
fn sin(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::sin, DEFAULT_NAN)
}
fn sinh(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::sinh, DEFAULT_NAN)
}
fn tan(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::tan, DEFAULT_NAN)
}
fn tanh(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::tanh, DEFAULT_NAN)
}
fn exp(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::exp, DEFAULT_NAN)
}
fn log(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::ln, DEFAULT_NAN)
}
fn log10(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::log10, POS_NAN)
}
fn sqrt(ctx: &mut Ctx<'_>) -> Result<Flow> {
    unary(ctx, f64::sqrt, DEFAULT_NAN)
}
fn deg(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let x = ctx.check_num(1)?;
    ret(ctx, x / (std::f64::consts::PI / 180.0))
}
fn rad(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let x = ctx.check_num(1)?;
    ret(ctx, x * (std::f64::consts::PI / 180.0))
}
fn fmod(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let a = ctx.check_num(1)?;
    let b = ctx.check_num(2)?;
    let r = a % b;
    let r = if r.is_nan() { x86_nan(a, b) } else { r };
    ret(ctx, r)
}
fn pow(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let a = ctx.check_num(1)?;
    let b = ctx.check_num(2)?;
    ret(ctx, lua_pow(a, b))
}
fn modf(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let x = ctx.check_num(1)?;
    let ip = x.trunc();
    let fp = if x.is_infinite() {
        0.0f64.copysign(x)
    } else {
        fix_nan1(x - ip, x)
    };
    ctx.push(Value::Num(ip));
    ctx.push(Value::Num(fp));
    Ok(Flow::Return(2))
}
fn frexp(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let x = ctx.check_num(1)?;
    let (m, e) = if x == 0.0 || !x.is_finite() {
        (x, 0)
    } else {
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        if exp == 0 {
            // Subnormal: scale into the normal range first.
            let y = x * 2f64.powi(64);
            let e = ((y.to_bits() >> 52) & 0x7ff) as i32 - 1022 - 64;
            (
                f64::from_bits((y.to_bits() & !(0x7ff << 52)) | (1022 << 52)),
                e,
            )
        } else {
            (
                f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)),
                exp - 1022,
            )
        }
    };
    ctx.push(Value::Num(m));
    ctx.push(Value::Num(f64::from(e)));
    Ok(Flow::Return(2))
}
fn ldexp(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let m = ctx.check_num(1)?;
    let e = ctx.check_int(2)?;
    let mut r = m;
    let mut e = e;
    while e > 1000 {
        r *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        r *= 2f64.powi(-1000);
        e += 1000;
    }
    ret(ctx, r * 2f64.powi(e))
}
fn min(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let mut m = ctx.check_num(1)?;
    for i in 2..=ctx.nargs() {
        let d = ctx.check_num(i)?;
        if d < m {
            m = d;
        }
    }
    ret(ctx, m)
}
fn max(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let mut m = ctx.check_num(1)?;
    for i in 2..=ctx.nargs() {
        let d = ctx.check_num(i)?;
        if d > m {
            m = d;
        }
    }
    ret(ctx, m)
}

/// Redis's `math.random`: Lua 5.1's with `rand()` replaced by `redisLrand48()`.
fn random(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let r = (lrand48(&mut ctx.lua.rand48) % LRAND48_MAX) as f64 / LRAND48_MAX as f64;
    let v = match ctx.nargs() {
        0 => r,
        1 => {
            let u = ctx.check_int(1)?;
            if u < 1 {
                return Err(ctx.arg_error(1, "interval is empty"));
            }
            (r * f64::from(u)).floor() + 1.0
        }
        2 => {
            let l = ctx.check_int(1)?;
            let u = ctx.check_int(2)?;
            if l > u {
                return Err(ctx.arg_error(2, "interval is empty"));
            }
            // `u-l+1` is C int arithmetic: it wraps.
            (r * f64::from(u.wrapping_sub(l).wrapping_add(1))).floor() + f64::from(l)
        }
        _ => return Err(ctx.error("wrong number of arguments")),
    };
    ret(ctx, v)
}

fn randomseed(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let seed = ctx.check_int(1)?;
    srand48(&mut ctx.lua.rand48, seed);
    Ok(Flow::Return(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand48_as_redis() {
        let mut s = RAND48_INIT;
        srand48(&mut s, 42);
        let r = (lrand48(&mut s) % LRAND48_MAX) as f64 / LRAND48_MAX as f64;
        // redis-cli EVAL "math.randomseed(42); return tostring(math.random())" 0
        assert_eq!(crate::number::num_to_string(r), "0.74452500033403");
    }
}
