//! `struct` (Roberto Ierusalimschy's library, with Redis's security fixes): `pack`,
//! `unpack` and `size` of binary records, with the sizes, alignment and byte order of
//! x86-64 Linux (little-endian; `short` 2, `int` 4, `long` and `size_t` 8 bytes;
//! maximum alignment 8).

use crate::error::Result;
use crate::native::{Ctx, Flow};
use crate::number::{c_long, c_ulong};
use crate::value::Value;
use crate::vm::LUAI_MAXCSTACK;
use crate::Lua;

/// `MAXINTSIZE`.
const MAXINTSIZE: usize = 32;
/// `MAXALIGN` on x86-64.
const MAXALIGN: i64 = 8;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    super::new_lib(
        lua,
        "struct",
        &[("pack", pack), ("unpack", unpack), ("size", size)],
    )?;
    Ok(())
}

#[derive(Clone, Copy)]
struct Header {
    little: bool,
    align: usize,
}

/// The format, as the C string it is read as.
struct Fmt {
    f: Vec<u8>,
    i: usize,
}

impl Fmt {
    fn peek(&self) -> u8 {
        self.f.get(self.i).copied().unwrap_or(0)
    }
}

/// `getnum`: a decimal count, or `df`.
fn getnum(ctx: &mut Ctx<'_>, fmt: &mut Fmt, df: i64) -> Result<i64> {
    if !fmt.peek().is_ascii_digit() {
        return Ok(df);
    }
    let mut a: i64 = 0;
    while fmt.peek().is_ascii_digit() {
        let d = i64::from(fmt.peek() - b'0');
        if a > i64::from(i32::MAX) / 10 || a * 10 > i64::from(i32::MAX) - d {
            return Err(ctx.error("integral size overflow"));
        }
        a = a * 10 + d;
        fmt.i += 1;
    }
    Ok(a)
}

/// `optsize`.
fn optsize(ctx: &mut Ctx<'_>, opt: u8, fmt: &mut Fmt) -> Result<usize> {
    Ok(match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' => 4,
        b'x' => 1,
        b'c' => getnum(ctx, fmt, 1)? as usize,
        b'i' | b'I' => {
            let sz = getnum(ctx, fmt, 4)?;
            if sz as usize > MAXINTSIZE {
                return Err(ctx.error(format!(
                    "integral size {} is larger than limit of {}",
                    sz as i32, MAXINTSIZE
                )));
            }
            sz as usize
        }
        _ => 0,
    })
}

/// `gettoalign`.
fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size.wrapping_sub(len & size.wrapping_sub(1))) & size.wrapping_sub(1)
}

/// `controloptions`.
fn control(ctx: &mut Ctx<'_>, opt: u8, fmt: &mut Fmt, h: &mut Header) -> Result<()> {
    match opt {
        b' ' => Ok(()),
        b'>' => {
            h.little = false;
            Ok(())
        }
        b'<' => {
            h.little = true;
            Ok(())
        }
        b'!' => {
            let a = getnum(ctx, fmt, MAXALIGN)?;
            if !(a > 0 && a & (a - 1) == 0) {
                return Err(ctx.error(format!("alignment {} is not a power of 2", a as i32)));
            }
            h.align = a as usize;
            Ok(())
        }
        _ => {
            let mut m = b"invalid format option '".to_vec();
            m.push(opt);
            m.push(b'\'');
            let m = String::from_utf8_lossy(&m).into_owned();
            Err(ctx.arg_error(1, &m))
        }
    }
}

fn read_fmt(ctx: &mut Ctx<'_>) -> Result<Fmt> {
    let f = ctx.check_bytes(1)?;
    let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
    Ok(Fmt {
        f: f[..end].to_vec(),
        i: 0,
    })
}

fn pack(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let mut fmt = read_fmt(ctx)?;
    if ctx.nargs() == 1 {
        // C pushes a nil to mark the end of the arguments: a missing one reads as nil.
        ctx.push(Value::Nil);
        ctx.nargs = 2;
    }
    let mut h = Header {
        little: true,
        align: 1,
    };
    let mut arg = 2;
    let mut total = 0usize;
    let mut out = Vec::new();
    while fmt.i < fmt.f.len() {
        let opt = fmt.f[fmt.i];
        fmt.i += 1;
        let mut size = optsize(ctx, opt, &mut fmt)?;
        let toalign = gettoalign(total, &h, opt, size);
        total += toalign;
        out.extend(std::iter::repeat_n(0u8, toalign));
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = ctx.check_num(arg)?;
                arg += 1;
                let mut value = if n < 0.0 {
                    c_long(n) as u64
                } else {
                    c_ulong(n)
                };
                let mut buf = vec![0u8; size];
                for k in 0..size {
                    let slot = if h.little { k } else { size - 1 - k };
                    buf[slot] = value as u8;
                    value = value.checked_shr(8).unwrap_or(0);
                }
                out.extend_from_slice(&buf);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = ctx.check_num(arg)? as f32;
                arg += 1;
                let b = if h.little {
                    f.to_le_bytes()
                } else {
                    f.to_be_bytes()
                };
                out.extend_from_slice(&b);
            }
            b'd' => {
                let d = ctx.check_num(arg)?;
                arg += 1;
                let b = if h.little {
                    d.to_le_bytes()
                } else {
                    d.to_be_bytes()
                };
                out.extend_from_slice(&b);
            }
            b'c' | b's' => {
                let s = ctx.check_bytes(arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    return Err(ctx.arg_error(arg, "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                    size += 1;
                }
            }
            _ => control(ctx, opt, &mut fmt, &mut h)?,
        }
        total += size;
        if out.len().saturating_add(crate::gc::STRING_OVERHEAD) > ctx.lua.heap.room() {
            return Err(crate::Error::Memory);
        }
    }
    let s = ctx.lua.heap.new_str_vec(out)?;
    ctx.push(Value::Str(s));
    Ok(Flow::Return(1))
}

/// `getinteger`.
fn getinteger(b: &[u8], little: bool, signed: bool) -> f64 {
    let size = b.len();
    let mut l: u64 = 0;
    for k in 0..size {
        let byte = if little { b[size - 1 - k] } else { b[k] };
        l = (l << 8) | u64::from(byte);
    }
    if !signed {
        return l as f64;
    }
    // The mask's shift is done modulo 64, as x86 does.
    let mask = (!0u64).wrapping_shl((size * 8).wrapping_sub(1) as u32);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn unpack(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let mut fmt = read_fmt(ctx)?;
    let data = ctx.check_bytes(2)?;
    let ld = data.len();
    let pos = ctx.opt_integer(3, 1)? as u64;
    if pos == 0 {
        return Err(ctx.arg_error(3, "offset must be 1 or greater"));
    }
    let mut pos = (pos - 1) as usize;
    let mut h = Header {
        little: true,
        align: 1,
    };
    let mut n = 0usize;
    ctx.lua.th.top = ctx.base + ctx.nargs();
    while fmt.i < fmt.f.len() {
        let opt = fmt.f[fmt.i];
        fmt.i += 1;
        let mut size = optsize(ctx, opt, &mut fmt)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if !(size <= ld && pos <= ld - size) {
            return Err(ctx.arg_error(2, "data string too short"));
        }
        if ctx.top() - ctx.base + 2 > LUAI_MAXCSTACK {
            return Err(ctx.error("stack overflow (too many results)"));
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let v = getinteger(&data[pos..pos + size], h.little, opt.is_ascii_lowercase());
                ctx.push(Value::Num(v));
                n += 1;
            }
            b'x' => {}
            b'f' => {
                let b = [data[pos], data[pos + 1], data[pos + 2], data[pos + 3]];
                let f = if h.little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                ctx.push(Value::Num(f64::from(f)));
                n += 1;
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[pos..pos + 8]);
                let d = if h.little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                ctx.push(Value::Num(d));
                n += 1;
            }
            b'c' => {
                if size == 0 {
                    let prev = if n == 0 {
                        None
                    } else {
                        ctx.lua.to_number(ctx.lua.th.stack[ctx.top() - 1])
                    };
                    let Some(count) = prev else {
                        return Err(ctx.error("format 'c0' needs a previous size"));
                    };
                    size = c_ulong(count) as usize;
                    ctx.lua.th.top -= 1;
                    n -= 1;
                    if !(size <= ld && pos <= ld - size) {
                        return Err(ctx.arg_error(2, "data string too short"));
                    }
                }
                let s = ctx.string(&data[pos..pos + size])?;
                ctx.push(s);
                n += 1;
            }
            b's' => {
                let Some(e) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err(ctx.error("unfinished string in data"));
                };
                size = e + 1;
                let s = ctx.string(&data[pos..pos + e])?;
                ctx.push(s);
                n += 1;
            }
            _ => control(ctx, opt, &mut fmt, &mut h)?,
        }
        pos += size;
    }
    ctx.push(Value::Num((pos + 1) as f64));
    Ok(Flow::Return(n + 1))
}

fn size(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let mut fmt = read_fmt(ctx)?;
    let mut h = Header {
        little: true,
        align: 1,
    };
    let mut pos = 0usize;
    while fmt.i < fmt.f.len() {
        let opt = fmt.f[fmt.i];
        fmt.i += 1;
        let size = optsize(ctx, opt, &mut fmt)?;
        pos += gettoalign(pos, &h, opt, size);
        if opt == b's' {
            return Err(ctx.arg_error(1, "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(ctx.arg_error(1, "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            control(ctx, opt, &mut fmt, &mut h)?;
        }
        pos += size;
    }
    ctx.push(Value::Num(pos as f64));
    Ok(Flow::Return(1))
}
