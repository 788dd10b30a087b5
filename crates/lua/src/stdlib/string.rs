//! The string library (`lstrlib.c`): byte strings, `string.format` with C's printf
//! semantics, and pattern matching (`find`, `match`, `gmatch`, `gsub`) driven as resumable
//! operations over [`super::pattern::Matcher`].
//!
//! Strings also get their metatable here (`__index = string`), so `s:upper()` works.

use std::rc::Rc;

use super::pattern::{find_plain, Matcher, Progress, CAP_POSITION, SPECIALS};
use super::LibCont;
use crate::error::{Error, Result};
use crate::native::{Cont, Ctx, Flow, NativeFn};
use crate::number;
use crate::value::{FuncRef, Type, Value};
use crate::vm::{Indexed, LUAI_MAXCSTACK};
use crate::Lua;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    let t = super::new_lib(
        lua,
        "string",
        &[
            ("byte", byte),
            ("char", char_),
            ("dump", dump),
            ("find", find),
            ("format", format),
            ("gmatch", gmatch),
            ("gsub", gsub),
            ("len", len),
            ("lower", lower),
            ("match", match_),
            ("rep", rep),
            ("reverse", reverse),
            ("sub", sub),
            ("upper", upper),
        ],
    )?;
    // LUA_COMPAT_GFIND: the old name is the same function.
    let gm = lua.raw_get_field(t, "gmatch");
    lua.set_field(t, "gfind", gm)?;
    let meta = lua.create_table()?;
    lua.set_field(meta, "__index", Value::Table(t))?;
    lua.set_type_metatable(Type::String, Some(meta));
    Ok(())
}

/// `posrelat`: a relative string position (negative counts from the end).
fn posrelat(pos: i64, len: usize) -> i64 {
    let pos = if pos < 0 { pos + len as i64 + 1 } else { pos };
    pos.max(0)
}

/// Returns a new string made of `bytes` (its making counted against the budget).
fn ret_bytes(ctx: &mut Ctx<'_>, bytes: Vec<u8>) -> Result<Flow> {
    super::tablib::charge(ctx, bytes.len() / 4);
    let s = ctx.lua.heap.new_str_vec(bytes)?;
    ctx.push(Value::Str(s));
    Ok(Flow::Return(1))
}

/// Fails with the memory error when a result of `n` bytes cannot be made.
fn check_room(ctx: &Ctx<'_>, n: usize) -> Result<()> {
    if n.saturating_add(crate::gc::STRING_OVERHEAD) > ctx.lua.heap.room() || n > MAX_STRING {
        return Err(Error::Memory);
    }
    Ok(())
}

/// The longest string made here (C Lua would die trying; 1 GiB is beyond any script).
const MAX_STRING: usize = 1 << 30;

fn len(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    ctx.push(Value::Num(s.len() as f64));
    Ok(Flow::Return(1))
}

fn sub(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    let l = s.len();
    let mut start = posrelat(ctx.check_integer(2)?, l);
    let mut end = posrelat(ctx.opt_integer(3, -1)?, l);
    if start < 1 {
        start = 1;
    }
    if end > l as i64 {
        end = l as i64;
    }
    if start <= end {
        ret_bytes(ctx, s[start as usize - 1..end as usize].to_vec())
    } else {
        ret_bytes(ctx, Vec::new())
    }
}

fn reverse(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    ret_bytes(ctx, s.iter().rev().copied().collect())
}

fn lower(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    ret_bytes(ctx, s.to_ascii_lowercase())
}

fn upper(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    ret_bytes(ctx, s.to_ascii_uppercase())
}

fn rep(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    let n = ctx.check_int(2)?;
    if n <= 0 || s.is_empty() {
        return ret_bytes(ctx, Vec::new());
    }
    let total = s.len().saturating_mul(n as usize);
    check_room(ctx, total)?;
    ret_bytes(ctx, s.repeat(n as usize))
}

fn byte(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    let l = s.len();
    let posi = posrelat(ctx.opt_integer(2, 1)?, l);
    let pose = posrelat(ctx.opt_integer(3, posi)?, l);
    let posi = posi.max(1);
    let pose = pose.min(l as i64);
    if posi > pose {
        return Ok(Flow::Return(0));
    }
    let n = (pose - posi + 1) as usize;
    if n + ctx.nargs() > LUAI_MAXCSTACK {
        return Err(ctx.error("stack overflow (string slice too long)"));
    }
    for i in 0..n {
        ctx.push(Value::Num(f64::from(s[posi as usize - 1 + i])));
    }
    Ok(Flow::Return(n))
}

fn char_(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let n = ctx.nargs();
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let c = ctx.check_int(i)?;
        if !(0..=255).contains(&c) {
            return Err(ctx.arg_error(i, "invalid value"));
        }
        out.push(c as u8);
    }
    ret_bytes(ctx, out)
}

fn dump(ctx: &mut Ctx<'_>) -> Result<Flow> {
    if !matches!(ctx.arg(1), Value::Func(_)) {
        return Err(ctx.type_error(1, "function"));
    }
    // Compiled code is kept in this crate's own form, which has no binary chunk format
    // (Redis refuses to load binary chunks anyway).
    Err(ctx.error("unable to dump given function"))
}

// ---------------------------------------------------------------- string.format

/// A parsed conversion specification (`%-08.3f`).
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

/// Pads `body` (whose sign or prefix is `prefix`) to the spec's width.
fn pad(spec: &Spec, prefix: &[u8], body: &[u8], zero_ok: bool, out: &mut Vec<u8>) {
    let len = prefix.len() + body.len();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.extend(std::iter::repeat_n(b' ', fill));
    } else if spec.zero && zero_ok {
        out.extend_from_slice(prefix);
        out.extend(std::iter::repeat_n(b'0', fill));
        out.extend_from_slice(body);
    } else {
        out.extend(std::iter::repeat_n(b' ', fill));
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

fn fmt_int(spec: &Spec, conv: u8, x: f64, out: &mut Vec<u8>) {
    let (neg, mag, digits): (bool, u64, Vec<u8>) = match conv {
        b'd' | b'i' => {
            let v = number::c_long(x);
            (v < 0, v.unsigned_abs(), Vec::new())
        }
        _ => (false, number::c_ulong(x), Vec::new()),
    };
    let _ = digits;
    let mut body = match conv {
        b'o' => format!("{:o}", mag),
        b'x' => format!("{:x}", mag),
        b'X' => format!("{:X}", mag),
        _ => mag.to_string(),
    }
    .into_bytes();
    if spec.precision == Some(0) && mag == 0 {
        body.clear();
    }
    if let Some(p) = spec.precision {
        if body.len() < p {
            let mut z = vec![b'0'; p - body.len()];
            z.extend_from_slice(&body);
            body = z;
        }
    }
    if conv == b'o' && spec.alt && body.first() != Some(&b'0') {
        body.insert(0, b'0');
    }
    let mut prefix: Vec<u8> = Vec::new();
    if neg {
        prefix.push(b'-');
    } else if matches!(conv, b'd' | b'i') {
        if spec.plus {
            prefix.push(b'+');
        } else if spec.space {
            prefix.push(b' ');
        }
    }
    if spec.alt && mag != 0 {
        if conv == b'x' {
            prefix.extend_from_slice(b"0x");
        } else if conv == b'X' {
            prefix.extend_from_slice(b"0X");
        }
    }
    pad(spec, &prefix, &body, spec.precision.is_none(), out);
}

fn fmt_float(spec: &Spec, conv: u8, x: f64, out: &mut Vec<u8>) {
    let p = spec.precision.unwrap_or(6);
    let upper = conv.is_ascii_uppercase();
    let mut body = Vec::new();
    let a = x.abs();
    let a = if x.is_nan() {
        f64::from_bits(x.to_bits() & !(1 << 63))
    } else {
        a
    };
    match conv.to_ascii_lowercase() {
        b'e' => number::fmt_e(a, p, upper, spec.alt, &mut body),
        b'f' => number::fmt_f(a, p, upper, spec.alt, &mut body),
        _ => number::fmt_g(a, p, upper, spec.alt, &mut body),
    }
    let mut prefix = Vec::new();
    if x.is_sign_negative() {
        prefix.push(b'-');
    } else if spec.plus {
        prefix.push(b'+');
    } else if spec.space {
        prefix.push(b' ');
    }
    pad(spec, &prefix, &body, x.is_finite(), out);
}

/// `addquoted`: `%q`.
fn add_quoted(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' | b'\\' | b'\n' => {
                out.push(b'\\');
                out.push(c);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => out.extend_from_slice(b"\\000"),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

/// C's `strlen` view of a formatted item: it ends at the first zero byte.
fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => &b[..n],
        None => b,
    }
}

fn format(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let fmt = ctx.check_bytes(1)?;
    let top = ctx.nargs();
    let mut arg = 1;
    let mut out = Vec::with_capacity(fmt.len());
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg > top {
            return Err(ctx.arg_error(arg, "no value"));
        }
        // scanformat
        let at = |j: usize| fmt.get(j).copied().unwrap_or(0);
        let start = i;
        while at(i) != 0 && b"-+ #0".contains(&at(i)) {
            i += 1;
        }
        if i - start >= 6 {
            return Err(ctx.error("invalid format (repeated flags)"));
        }
        let flags = &fmt[start..i];
        let mut spec = Spec {
            left: flags.contains(&b'-'),
            plus: flags.contains(&b'+'),
            space: flags.contains(&b' '),
            alt: flags.contains(&b'#'),
            zero: flags.contains(&b'0'),
            width: 0,
            precision: None,
        };
        let mut digits = 0;
        while at(i).is_ascii_digit() && digits < 2 {
            spec.width = spec.width * 10 + usize::from(at(i) - b'0');
            i += 1;
            digits += 1;
        }
        if at(i) == b'.' {
            i += 1;
            let mut p = 0;
            let mut digits = 0;
            while at(i).is_ascii_digit() && digits < 2 {
                p = p * 10 + usize::from(at(i) - b'0');
                i += 1;
                digits += 1;
            }
            spec.precision = Some(p);
        }
        if at(i).is_ascii_digit() {
            return Err(ctx.error("invalid format (width or precision too long)"));
        }
        let conv = at(i);
        i += 1;
        let mut item = Vec::new();
        match conv {
            b'c' => {
                let x = ctx.check_num(arg)?;
                let c = number::c_long(x) as i32 as u8;
                pad(&spec, &[], &[c], false, &mut item);
                out.extend_from_slice(c_str(&item));
            }
            b'd' | b'i' | b'o' | b'u' | b'x' | b'X' => {
                let x = ctx.check_num(arg)?;
                fmt_int(&spec, conv, x, &mut item);
                out.extend_from_slice(&item);
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let x = ctx.check_num(arg)?;
                fmt_float(&spec, conv, x, &mut item);
                out.extend_from_slice(&item);
            }
            b'q' => {
                let s = ctx.check_bytes(arg)?;
                add_quoted(&s, &mut out);
            }
            b's' => {
                let s = ctx.check_bytes(arg)?;
                if spec.precision.is_none() && s.len() >= 100 {
                    out.extend_from_slice(&s);
                } else {
                    let s = c_str(&s);
                    let body = match spec.precision {
                        Some(p) => &s[..p.min(s.len())],
                        None => s,
                    };
                    pad(&spec, &[], body, false, &mut item);
                    out.extend_from_slice(&item);
                }
            }
            _ => {
                let mut m = b"invalid option '%".to_vec();
                // A zero byte (the format's end, to C) prints as nothing.
                if conv != 0 {
                    m.push(conv);
                }
                m.extend_from_slice(b"' to 'format'");
                return Err(ctx.error(m));
            }
        }
        check_room(ctx, out.len())?;
    }
    ret_bytes(ctx, out)
}

// ---------------------------------------------------------------- pattern matching

/// What a pattern operation is for.
pub(crate) enum OpKind {
    Find,
    Match,
    /// A `gmatch` iterator call (the closure keeps the position as upvalue 3).
    Gmatch(FuncRef),
    Gsub(Gsub),
}

/// `gsub`'s progress.
pub(crate) struct Gsub {
    buf: Vec<u8>,
    n: i64,
    max: i64,
    /// The match waiting for its replacement value (start, end).
    pending: Option<(usize, usize)>,
}

/// A search in progress: the subject, the pattern, the position tried, the matcher.
pub(crate) struct PatternOp {
    kind: OpKind,
    src: Rc<[u8]>,
    pat: Rc<[u8]>,
    anchor: bool,
    start: usize,
    m: Matcher,
}

impl PatternOp {
    pub(crate) fn trace(&self, _mark: &mut dyn FnMut(Value)) {
        // Everything it refers to is an argument of the native frame (or its closure).
    }
}

/// The pattern as C sees it: up to its first zero byte.
fn c_pattern(p: &[u8]) -> Rc<[u8]> {
    Rc::from(c_str(p))
}

fn find(ctx: &mut Ctx<'_>) -> Result<Flow> {
    find_aux(ctx, true)
}

fn match_(ctx: &mut Ctx<'_>) -> Result<Flow> {
    find_aux(ctx, false)
}

fn find_aux(ctx: &mut Ctx<'_>, is_find: bool) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    let p = ctx.check_bytes(2)?;
    let l1 = s.len();
    let init = posrelat(ctx.opt_integer(3, 1)?, l1) - 1;
    let init = init.clamp(0, l1 as i64) as usize;
    let cp = c_str(&p);
    if is_find && (ctx.arg(4).truthy() || !cp.iter().any(|c| SPECIALS.contains(c))) {
        if let Some(pos) = find_plain(&s[init..], &p) {
            ctx.push(Value::Num((init + pos + 1) as f64));
            ctx.push(Value::Num((init + pos + p.len()) as f64));
            return Ok(Flow::Return(2));
        }
        ctx.push(Value::Nil);
        return Ok(Flow::Return(1));
    }
    let anchor = cp.first() == Some(&b'^');
    let pat = c_pattern(if anchor { &cp[1..] } else { cp });
    let op = PatternOp {
        kind: if is_find { OpKind::Find } else { OpKind::Match },
        src: s,
        pat,
        anchor,
        start: init,
        m: Matcher::new(init),
    };
    drive(ctx, Box::new(op))
}

fn gmatch(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_str(1)?;
    let p = ctx.check_str(2)?;
    let f = ctx.lua.native_closure(
        NativeFn::Builtin(gmatch_aux),
        &[Value::Str(s), Value::Str(p), Value::Num(0.0)],
    )?;
    ctx.push(Value::Func(f));
    Ok(Flow::Return(1))
}

fn gmatch_aux(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (Value::Str(s), Value::Str(p), Value::Num(pos)) =
        (ctx.upvalue(1), ctx.upvalue(2), ctx.upvalue(3))
    else {
        return Err(ctx.error("gmatch iterator lost its state"));
    };
    let Some(f) = ctx.lua.th.frames.last().map(|f| f.closure()) else {
        return Err(ctx.error("gmatch iterator lost its state"));
    };
    let src = ctx.lua.heap.str_rc(s);
    let pat = c_pattern(ctx.lua.heap.str(p));
    let start = pos as usize;
    if start > src.len() {
        return Ok(Flow::Return(0));
    }
    let op = PatternOp {
        kind: OpKind::Gmatch(f),
        src,
        pat,
        anchor: false,
        start,
        m: Matcher::new(start),
    };
    drive(ctx, Box::new(op))
}

fn gsub(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let src = ctx.check_bytes(1)?;
    let p = ctx.check_bytes(2)?;
    let tr = ctx.arg(3);
    let max = i64::from(ctx.opt_int(4, (src.len() + 1) as i32)?);
    if !matches!(
        tr,
        Value::Num(_) | Value::Str(_) | Value::Func(_) | Value::Table(_)
    ) {
        return Err(ctx.arg_error(3, "string/function/table expected"));
    }
    let cp = c_str(&p);
    let anchor = cp.first() == Some(&b'^');
    let pat = c_pattern(if anchor { &cp[1..] } else { cp });
    let op = PatternOp {
        kind: OpKind::Gsub(Gsub {
            buf: Vec::new(),
            n: 0,
            max,
            pending: None,
        }),
        src,
        pat,
        anchor,
        start: 0,
        m: Matcher::new(0),
    };
    drive(ctx, Box::new(op))
}

/// Capture `i` of the current match `s..e` (`push_onecapture`).
fn capture(ctx: &mut Ctx<'_>, op: &PatternOp, i: usize, s: usize, e: usize) -> Result<Value> {
    if i >= op.m.level {
        if i == 0 {
            return ctx.string(&op.src[s..e]);
        }
        return Err(ctx.error("invalid capture index"));
    }
    let (init, len) = op.m.capture[i];
    if len == -1 {
        return Err(ctx.error("unfinished capture"));
    }
    if len == CAP_POSITION {
        return Ok(Value::Num((init + 1) as f64));
    }
    ctx.string(&op.src[init..init + len as usize])
}

/// Pushes the captures (`push_captures`); `whole` says the whole match counts when the
/// pattern has no captures.
fn push_captures(
    ctx: &mut Ctx<'_>,
    op: &PatternOp,
    whole: Option<(usize, usize)>,
) -> Result<usize> {
    let n = if op.m.level == 0 && whole.is_some() {
        1
    } else {
        op.m.level
    };
    let (s, e) = whole.unwrap_or((0, 0));
    for i in 0..n {
        let v = capture(ctx, op, i, s, e)?;
        ctx.push(v);
    }
    Ok(n)
}

/// Resumes a pattern operation: after a budget pause, or with `gsub`'s replacement value.
pub(crate) fn pattern_resume(
    ctx: &mut Ctx<'_>,
    mut op: Box<PatternOp>,
    results: usize,
) -> Result<Flow> {
    if let OpKind::Gsub(g) = &mut op.kind {
        if let Some((s, e)) = g.pending.take() {
            let v = if ctx.top() > results {
                ctx.lua.th.stack[results]
            } else {
                Value::Nil
            };
            ctx.lua.th.top = results;
            add_replacement(ctx, &mut op, v, s, e)?;
            if gsub_advance(&mut op, Some(e)) {
                return gsub_finish(ctx, op);
            }
        }
    }
    drive(ctx, op)
}

/// Appends a replacement value (`add_value`'s tail): nil or false keep the match.
fn add_replacement(
    ctx: &mut Ctx<'_>,
    op: &mut PatternOp,
    v: Value,
    s: usize,
    e: usize,
) -> Result<()> {
    let OpKind::Gsub(g) = &mut op.kind else {
        return Ok(());
    };
    if !v.truthy() {
        g.buf.extend_from_slice(&op.src[s..e]);
    } else if let Some(b) = ctx.lua.to_bytes(v) {
        g.buf.extend_from_slice(&b);
    } else {
        return Err(ctx.error(format!("invalid replacement value (a {})", v.type_name())));
    }
    check_room(ctx, g.buf.len())
}

/// `add_s`: a replacement string with `%0`-`%9` and `%%`.
fn add_s(ctx: &mut Ctx<'_>, op: &mut PatternOp, news: &[u8], s: usize, e: usize) -> Result<()> {
    let mut piece = Vec::new();
    let mut i = 0;
    while i < news.len() {
        let c = news[i];
        if c != b'%' {
            piece.push(c);
        } else {
            i += 1;
            let d = news.get(i).copied().unwrap_or(0);
            if !d.is_ascii_digit() {
                piece.push(d);
            } else if d == b'0' {
                piece.extend_from_slice(&op.src[s..e]);
            } else {
                let v = capture(ctx, op, usize::from(d - b'1'), s, e)?;
                if let Some(b) = ctx.lua.to_bytes(v) {
                    piece.extend_from_slice(&b);
                }
            }
        }
        i += 1;
    }
    if let OpKind::Gsub(g) = &mut op.kind {
        g.buf.extend_from_slice(&piece);
        check_room(ctx, g.buf.len())?;
    }
    Ok(())
}

/// `gsub`'s step after a position was tried: skip the match or copy one byte. True when
/// the substitution is finished.
fn gsub_advance(op: &mut PatternOp, matched_end: Option<usize>) -> bool {
    let len = op.src.len();
    let OpKind::Gsub(g) = &mut op.kind else {
        return true;
    };
    match matched_end {
        Some(e) if e > op.start => op.start = e,
        _ => {
            if op.start < len {
                g.buf.push(op.src[op.start]);
                op.start += 1;
            } else {
                return true;
            }
        }
    }
    if op.anchor || g.n >= g.max {
        return true;
    }
    op.m.reset(op.start);
    false
}

fn gsub_finish(ctx: &mut Ctx<'_>, op: Box<PatternOp>) -> Result<Flow> {
    let PatternOp {
        kind: OpKind::Gsub(mut g),
        src,
        start,
        ..
    } = *op
    else {
        return Ok(Flow::Return(0));
    };
    g.buf.extend_from_slice(&src[start..]);
    check_room(ctx, g.buf.len())?;
    super::tablib::charge(ctx, g.buf.len() / 4);
    let s = ctx.lua.heap.new_str_vec(g.buf)?;
    ctx.push(Value::Str(s));
    ctx.push(Value::Num(g.n as f64));
    Ok(Flow::Return(2))
}

/// Runs the operation until it has an answer, needs a call, or the budget is spent.
fn drive(ctx: &mut Ctx<'_>, mut op: Box<PatternOp>) -> Result<Flow> {
    if let OpKind::Gsub(g) = &op.kind {
        if g.n >= g.max {
            return gsub_finish(ctx, op);
        }
    }
    loop {
        let mut steps = ctx.lua.budget;
        let progress = op.m.run(&op.src, &op.pat, &mut steps);
        ctx.lua.budget = steps;
        let progress = match progress {
            Ok(p) => p,
            Err(msg) => return Err(ctx.error(msg)),
        };
        let len = op.src.len();
        match progress {
            Progress::OutOfSteps => {
                return Ok(Flow::Again(Cont::Lib(Box::new(LibCont::Pattern(op)))))
            }
            Progress::Matched(e) => match &mut op.kind {
                OpKind::Find => {
                    ctx.push(Value::Num((op.start + 1) as f64));
                    ctx.push(Value::Num(e as f64));
                    let n = push_captures(ctx, &op, None)?;
                    return Ok(Flow::Return(n + 2));
                }
                OpKind::Match => {
                    let n = push_captures(ctx, &op, Some((op.start, e)))?;
                    return Ok(Flow::Return(n));
                }
                OpKind::Gmatch(f) => {
                    let newstart = if e == op.start { e + 1 } else { e };
                    if let crate::gc::Function::Native(c) = ctx.lua.heap.funcs.get_mut(f.0) {
                        c.upvals[2] = Value::Num(newstart as f64);
                    }
                    let n = push_captures(ctx, &op, Some((op.start, e)))?;
                    return Ok(Flow::Return(n));
                }
                OpKind::Gsub(g) => {
                    g.n += 1;
                    let s = op.start;
                    let repl = ctx.arg(3);
                    match repl {
                        Value::Str(_) | Value::Num(_) => {
                            let news = ctx.lua.to_bytes(repl).unwrap_or_default();
                            add_s(ctx, &mut op, &news, s, e)?;
                        }
                        Value::Func(_) => {
                            ctx.push(repl);
                            let n = push_captures(ctx, &op, Some((s, e)))?;
                            if let OpKind::Gsub(g) = &mut op.kind {
                                g.pending = Some((s, e));
                            }
                            return Ok(Flow::Call {
                                cont: Cont::Lib(Box::new(LibCont::Pattern(op))),
                                nargs: n,
                                nresults: 1,
                            });
                        }
                        _ => {
                            let key = capture(ctx, &op, 0, s, e)?;
                            match ctx.lua.index_lookup(repl, key, None)? {
                                Indexed::Value(v) => add_replacement(ctx, &mut op, v, s, e)?,
                                Indexed::Call(f, obj) => {
                                    ctx.push(f);
                                    ctx.push(obj);
                                    ctx.push(key);
                                    if let OpKind::Gsub(g) = &mut op.kind {
                                        g.pending = Some((s, e));
                                    }
                                    return Ok(Flow::Call {
                                        cont: Cont::Lib(Box::new(LibCont::Pattern(op))),
                                        nargs: 2,
                                        nresults: 1,
                                    });
                                }
                            }
                        }
                    }
                    if gsub_advance(&mut op, Some(e)) {
                        return gsub_finish(ctx, op);
                    }
                }
            },
            Progress::NoMatch => match op.kind {
                OpKind::Find | OpKind::Match => {
                    if op.anchor || op.start >= len {
                        ctx.push(Value::Nil);
                        return Ok(Flow::Return(1));
                    }
                    op.start += 1;
                    op.m.reset(op.start);
                }
                OpKind::Gmatch(_) => {
                    if op.start >= len {
                        return Ok(Flow::Return(0));
                    }
                    op.start += 1;
                    op.m.reset(op.start);
                }
                OpKind::Gsub(_) => {
                    if gsub_advance(&mut op, None) {
                        return gsub_finish(ctx, op);
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> Spec {
        Spec {
            left: s.contains('-'),
            plus: s.contains('+'),
            space: s.contains(' '),
            alt: s.contains('#'),
            zero: s.contains('0'),
            width: 0,
            precision: None,
        }
    }

    #[test]
    fn integers_as_printf() {
        let mut o = Vec::new();
        fmt_int(
            &Spec {
                width: 5,
                ..spec("")
            },
            b'd',
            -42.7,
            &mut o,
        );
        assert_eq!(o, b"  -42");
        o.clear();
        fmt_int(
            &Spec {
                width: 6,
                ..spec("0")
            },
            b'x',
            255.0,
            &mut o,
        );
        assert_eq!(o, b"0000ff");
        o.clear();
        fmt_int(&spec("#"), b'X', 255.0, &mut o);
        assert_eq!(o, b"0XFF");
        o.clear();
        fmt_int(
            &Spec {
                precision: Some(3),
                ..spec("+")
            },
            b'd',
            5.0,
            &mut o,
        );
        assert_eq!(o, b"+005");
        o.clear();
        fmt_int(&spec(""), b'x', -1.0, &mut o);
        assert_eq!(o, b"ffffffffffffffff");
    }

    #[test]
    fn floats_as_printf() {
        let mut o = Vec::new();
        fmt_float(
            &Spec {
                width: 8,
                precision: Some(2),
                ..spec("0")
            },
            b'f',
            -3.25159,
            &mut o,
        );
        assert_eq!(o, b"-0003.25");
        o.clear();
        fmt_float(
            &Spec {
                width: 6,
                ..spec("0")
            },
            b'f',
            f64::INFINITY,
            &mut o,
        );
        assert_eq!(o, b"   inf");
    }
}
