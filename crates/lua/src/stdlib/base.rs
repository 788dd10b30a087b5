//! The base library (`lbaselib.c`): `assert`, `error`, `pcall`, `xpcall`, `tostring`,
//! `print`, `pairs`, `ipairs`, `select`, `unpack`, `loadstring`, `load`, `getfenv`,
//! `setfenv`, `collectgarbage`, `newproxy`... and, as in 5.1, the `coroutine` library.
//! Files are never offered (`dofile`, `loadfile`). The Redis profile also leaves out
//! `print` (as Redis does) and `getfenv`, `setfenv` and `newproxy`, which the Debian
//! build of Redis 7.0.15 that judges this crate no longer has (its backported Lua
//! security fixes removed them).

use crate::error::{Error, Result};
use crate::gc::{Function, UserData};
use crate::native::{Cont, Ctx, Flow, NativeFn};
use crate::number;
use crate::value::{TableRef, Value};
use crate::vm::LUAI_MAXCSTACK;
use crate::Lua;

pub(crate) fn open(lua: &mut Lua, redis: bool) -> Result<()> {
    let g = lua.globals;
    lua.set_field(g, "_G", Value::Table(g))?;
    let mut funcs: Vec<(&str, crate::native::BuiltinFn)> = vec![
        ("assert", assert),
        ("collectgarbage", collectgarbage),
        ("error", error),
        ("gcinfo", gcinfo),
        ("getmetatable", getmetatable),
        ("load", load),
        ("loadstring", loadstring),
        ("pcall", pcall),
        ("rawequal", rawequal),
        ("rawget", rawget),
        ("rawset", rawset),
        ("select", select),
        ("setmetatable", setmetatable),
        ("tonumber", tonumber),
        ("tostring", tostring),
        ("type", type_),
        ("unpack", unpack),
        ("xpcall", xpcall),
    ];
    if !redis {
        funcs.extend([
            ("print", print as crate::native::BuiltinFn),
            ("getfenv", getfenv),
            ("setfenv", setfenv),
        ]);
    }
    super::set_funcs(lua, g, &funcs)?;
    let next_f = lua.native_closure(NativeFn::Builtin(next), &[])?;
    lua.set_field(g, "next", Value::Func(next_f))?;
    lua.next_fn = Some(next_f);
    let v = lua.create_string("Lua 5.1")?;
    lua.set_field(g, "_VERSION", v)?;
    // `ipairs` and `pairs` hold their iterators as upvalues, as in C Lua.
    let aux = lua.native_closure(NativeFn::Builtin(ipairs_aux), &[])?;
    lua.ipairs_aux_fn = Some(aux);
    let f = lua.native_closure(NativeFn::Builtin(ipairs), &[Value::Func(aux)])?;
    lua.set_field(g, "ipairs", Value::Func(f))?;
    let pn = lua.native_closure(NativeFn::Builtin(next), &[])?;
    lua.pairs_next_fn = Some(pn);
    let f = lua.native_closure(NativeFn::Builtin(pairs), &[Value::Func(pn)])?;
    lua.set_field(g, "pairs", Value::Func(f))?;
    if !redis {
        // `newproxy` keeps the metatables it made in a weak table.
        let w = lua.create_table_with(0, 1)?;
        lua.heap.table_mut(w).meta = Some(w);
        let kv = lua.create_string("kv")?;
        lua.set_field(w, "__mode", kv)?;
        let f = lua.native_closure(NativeFn::Builtin(newproxy), &[Value::Table(w)])?;
        lua.set_field(g, "newproxy", Value::Func(f))?;
    }
    super::coroutine::open(lua)
}

fn assert(ctx: &mut Ctx<'_>) -> Result<Flow> {
    ctx.check_any(1)?;
    if !ctx.arg(1).truthy() {
        let msg = match ctx.opt_str(2)? {
            Some(s) => ctx.lua.heap.str(s).to_vec(),
            None => b"assertion failed!".to_vec(),
        };
        return Err(ctx.error(msg));
    }
    Ok(Flow::Return(ctx.nargs()))
}

fn error(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let level = ctx.opt_int(2, 1)?;
    let v = ctx.arg(1);
    if matches!(v, Value::Str(_) | Value::Num(_)) && level > 0 {
        let mut m = ctx.lua.where_(level as usize);
        ctx.lua.append_str(v, &mut m);
        return Err(ctx.lua.error_from_bytes(m));
    }
    Err(Error::Lua(v))
}

fn pcall(ctx: &mut Ctx<'_>) -> Result<Flow> {
    ctx.check_any(1)?;
    let ccalls = ctx.lua.ccalls;
    Ok(Flow::Call {
        cont: Cont::Pcall { ccalls },
        nargs: ctx.nargs() - 1,
        nresults: -1,
    })
}

fn xpcall(ctx: &mut Ctx<'_>) -> Result<Flow> {
    ctx.check_any(2)?;
    ctx.lua.th.top = ctx.base + 2;
    let f = ctx.arg(1);
    ctx.push(f);
    let ccalls = ctx.lua.ccalls;
    Ok(Flow::Call {
        cont: Cont::Xpcall { ccalls },
        nargs: 0,
        nresults: -1,
    })
}

/// `pcall`/`xpcall` after the protected call returned: `true` and its results (written
/// over the slot below the results, which the call no longer needs).
pub(crate) fn protected_done(ctx: &mut Ctx<'_>, results: usize) -> Result<Flow> {
    ctx.lua.th.stack[results - 1] = Value::Bool(true);
    Ok(Flow::Return(ctx.top() - (results - 1)))
}

fn tostring(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.check_any(1)?;
    if let Some(mt) = ctx.lua.metatable(v) {
        let tm = ctx
            .lua
            .heap
            .table(mt)
            .get(Value::Str(ctx.lua.names.tostring));
        if !tm.is_nil() {
            ctx.push(tm);
            ctx.push(v);
            return Ok(Flow::Call {
                cont: Cont::Lib(Box::new(super::LibCont::ToString)),
                nargs: 1,
                nresults: 1,
            });
        }
    }
    let s = ctx.lua.tostring_raw(v);
    let s = ctx.string(s)?;
    ctx.push(s);
    Ok(Flow::Return(1))
}

fn print(ctx: &mut Ctx<'_>) -> Result<Flow> {
    print_step(ctx, 1, None)
}

/// `print`: writes the previous argument's `tostring` (at `result`), then calls
/// `tostring` on argument `i`.
pub(crate) fn print_step(ctx: &mut Ctx<'_>, mut i: usize, result: Option<usize>) -> Result<Flow> {
    if let Some(r) = result {
        let v = ctx.lua.th.stack[r];
        let Some(bytes) = ctx.lua.to_bytes(v) else {
            return Err(ctx.error("'tostring' must return a string to 'print'"));
        };
        if i > 1 {
            ctx.lua.output.push(b'\t');
        }
        // C Lua writes with fputs: a string ends at its first zero byte.
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        ctx.lua.output.extend_from_slice(&bytes[..end]);
        ctx.lua.th.top = r;
        i += 1;
    }
    if i > ctx.nargs() {
        ctx.lua.output.push(b'\n');
        return Ok(Flow::Return(0));
    }
    let ts = ctx.lua.get_global("tostring");
    let v = ctx.arg(i);
    ctx.push(ts);
    ctx.push(v);
    Ok(Flow::Call {
        cont: Cont::Lib(Box::new(super::LibCont::Print { i })),
        nargs: 1,
        nresults: 1,
    })
}

fn tonumber(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let base = ctx.opt_int(2, 10)?;
    let r = if base == 10 {
        let v = ctx.check_any(1)?;
        ctx.lua.to_number(v).map_or(Value::Nil, Value::Num)
    } else {
        let s = ctx.check_bytes(1)?;
        if !(2..=36).contains(&base) {
            return Err(ctx.arg_error(2, "base out of range"));
        }
        strtoul(&s, base as u32).map_or(Value::Nil, |n| Value::Num(n as f64))
    };
    ctx.push(r);
    Ok(Flow::Return(1))
}

/// `strtoul(s, &end, base)` followed by the check that only spaces follow.
fn strtoul(s: &[u8], base: u32) -> Option<u64> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    let mut i = 0;
    while i < s.len() && number::is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    if base == 16
        && i + 1 < s.len()
        && s[i] == b'0'
        && (s[i + 1] | 0x20) == b'x'
        && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
    {
        i += 2;
    }
    let start = i;
    let mut n: u64 = 0;
    let mut overflow = false;
    while i < s.len() {
        let Some(d) = (s[i] as char).to_digit(base) else {
            break;
        };
        match n
            .checked_mul(u64::from(base))
            .and_then(|x| x.checked_add(u64::from(d)))
        {
            Some(x) => n = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    while i < s.len() && number::is_c_space(s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    if overflow {
        return Some(u64::MAX);
    }
    Some(if neg { n.wrapping_neg() } else { n })
}

fn type_(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.check_any(1)?;
    let s = ctx.string(v.type_name())?;
    ctx.push(s);
    Ok(Flow::Return(1))
}

fn rawequal(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let a = ctx.check_any(1)?;
    let b = ctx.check_any(2)?;
    ctx.push(Value::Bool(a == b));
    Ok(Flow::Return(1))
}

fn rawget(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let k = ctx.check_any(2)?;
    let v = ctx.lua.raw_get(t, k);
    ctx.push(v);
    Ok(Flow::Return(1))
}

fn rawset(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let k = ctx.check_any(2)?;
    let v = ctx.check_any(3)?;
    ctx.lua.raw_set(t, k, v)?;
    ctx.push(Value::Table(t));
    Ok(Flow::Return(1))
}

fn next(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let k = ctx.arg(2);
    match ctx.lua.next(t, k)? {
        Some((k, v)) => {
            ctx.push(k);
            ctx.push(v);
            Ok(Flow::Return(2))
        }
        None => {
            ctx.push(Value::Nil);
            Ok(Flow::Return(1))
        }
    }
}

fn pairs(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let f = ctx.upvalue(1);
    ctx.push(f);
    ctx.push(Value::Table(t));
    ctx.push(Value::Nil);
    Ok(Flow::Return(3))
}

fn ipairs(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let f = ctx.upvalue(1);
    ctx.push(f);
    ctx.push(Value::Table(t));
    ctx.push(Value::Num(0.0));
    Ok(Flow::Return(3))
}

fn ipairs_aux(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let i = ctx.check_int(2)?;
    let t = ctx.check_table(1)?;
    let i = i.wrapping_add(1);
    ctx.push(Value::Num(f64::from(i)));
    let v = if i >= 1 {
        ctx.lua.raw_get_index(t, i as usize)
    } else {
        ctx.lua.raw_get(t, Value::Num(f64::from(i)))
    };
    if v.is_nil() {
        return Ok(Flow::Return(0));
    }
    ctx.push(v);
    Ok(Flow::Return(2))
}

fn select(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let n = ctx.nargs() as i64;
    if let Value::Str(s) = ctx.arg(1) {
        if ctx.lua.heap.str(s).first() == Some(&b'#') {
            ctx.push(Value::Num((n - 1) as f64));
            return Ok(Flow::Return(1));
        }
    }
    let mut i = i64::from(ctx.check_int(1)?);
    if i < 0 {
        i += n;
    } else if i > n {
        i = n;
    }
    if i < 1 {
        return Err(ctx.arg_error(1, "index out of range"));
    }
    Ok(Flow::Return((n - i) as usize))
}

fn unpack(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(1)?;
    let i = ctx.opt_int(2, 1)?;
    let e = if ctx.arg(3).is_nil() {
        ctx.lua.raw_len(t) as i32
    } else {
        ctx.check_int(3)?
    };
    if i > e {
        return Ok(Flow::Return(0));
    }
    let n = e.wrapping_sub(i).wrapping_add(1);
    if n <= 0 || n as usize + ctx.nargs() > LUAI_MAXCSTACK {
        return Err(ctx.error("too many results to unpack"));
    }
    for k in 0..n {
        let key = i64::from(i) + i64::from(k);
        let v = ctx.lua.raw_get(t, Value::Num(key as f64));
        ctx.push(v);
    }
    Ok(Flow::Return(n as usize))
}

fn getmetatable(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.check_any(1)?;
    let r = match ctx.lua.metatable(v) {
        None => Value::Nil,
        Some(mt) => {
            let protected = ctx
                .lua
                .heap
                .table(mt)
                .get(Value::Str(ctx.lua.names.metatable));
            if protected.is_nil() {
                Value::Table(mt)
            } else {
                protected
            }
        }
    };
    ctx.push(r);
    Ok(Flow::Return(1))
}

fn setmetatable(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let mt = ctx.arg(2);
    let t = ctx.check_table(1)?;
    let mt = match mt {
        Value::Table(m) if ctx.nargs() >= 2 => Some(m),
        Value::Nil if ctx.nargs() >= 2 => None,
        _ => return Err(ctx.arg_error(2, "nil or table expected")),
    };
    if let Some(old) = ctx.lua.heap.table(t).meta {
        if !ctx
            .lua
            .heap
            .table(old)
            .get(Value::Str(ctx.lua.names.metatable))
            .is_nil()
        {
            return Err(ctx.error("cannot change a protected metatable"));
        }
    }
    ctx.lua.set_metatable(t, mt)?;
    ctx.push(Value::Table(t));
    Ok(Flow::Return(1))
}

/// `getfunc`: the function named by argument 1 (a function, or a level).
fn getfunc(ctx: &mut Ctx<'_>, opt: bool) -> Result<Value> {
    if let Value::Func(_) = ctx.arg(1) {
        return Ok(ctx.arg(1));
    }
    let level = if opt {
        ctx.opt_int(1, 1)?
    } else {
        ctx.check_int(1)?
    };
    if level < 0 {
        return Err(ctx.arg_error(1, "level must be non-negative"));
    }
    match ctx.lua.level(level as usize) {
        None => Err(ctx.arg_error(1, "invalid level")),
        Some(crate::debug::Level::Frame(fi)) => Ok(Value::Func(ctx.lua.th.frames[fi].closure())),
        Some(crate::debug::Level::Host) => Ok(Value::Nil),
        Some(crate::debug::Level::Tail) => Err(ctx.error(format!(
            "no function environment for tail call at level {}",
            level
        ))),
    }
}

/// The environment of a function (natives and the host's levels share the globals).
pub(crate) fn fenv(lua: &Lua, f: Value) -> TableRef {
    match f {
        Value::Func(f) => match lua.heap.func(f) {
            Function::Lua(c) => c.env,
            Function::Native(_) => lua.globals,
        },
        _ => lua.globals,
    }
}

fn getfenv(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let f = getfunc(ctx, true)?;
    let env = fenv(ctx.lua, f);
    ctx.push(Value::Table(env));
    Ok(Flow::Return(1))
}

fn setfenv(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(2)?;
    let f = getfunc(ctx, false)?;
    if let Value::Num(n) = ctx.arg(1) {
        if n == 0.0 {
            ctx.lua.globals = t;
            return Ok(Flow::Return(0));
        }
    }
    if !set_fenv(ctx.lua, f, t) {
        return Err(ctx.error("'setfenv' cannot change environment of given object"));
    }
    ctx.push(f);
    Ok(Flow::Return(1))
}

/// Sets a Lua function's environment; false for anything else.
pub(crate) fn set_fenv(lua: &mut Lua, f: Value, t: TableRef) -> bool {
    if let Value::Func(f) = f {
        if let Function::Lua(c) = lua.heap.funcs.get_mut(f.0) {
            c.env = t;
            return true;
        }
    }
    false
}

fn gcinfo(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let kb = ctx.lua.heap.allocated >> 10;
    ctx.push(Value::Num(kb as f64));
    Ok(Flow::Return(1))
}

fn collectgarbage(ctx: &mut Ctx<'_>) -> Result<Flow> {
    const OPTS: [&str; 7] = [
        "stop",
        "restart",
        "collect",
        "count",
        "step",
        "setpause",
        "setstepmul",
    ];
    let o = ctx.check_option(1, Some("collect"), &OPTS)?;
    let ex = ctx.opt_int(2, 0)?;
    let lua = &mut *ctx.lua;
    let r = match OPTS[o] {
        "stop" => {
            lua.gc_stopped = true;
            lua.heap.threshold = usize::MAX;
            Value::Num(0.0)
        }
        "restart" => {
            lua.gc_stopped = false;
            lua.set_threshold();
            Value::Num(0.0)
        }
        "collect" => {
            lua.collect_garbage();
            Value::Num(0.0)
        }
        "count" => Value::Num(lua.heap.allocated as f64 / 1024.0),
        "step" => {
            lua.collect_garbage();
            Value::Bool(true)
        }
        "setpause" => {
            let old = lua.gc_pause;
            lua.gc_pause = ex.max(0) as u32;
            Value::Num(f64::from(old))
        }
        _ => {
            let old = lua.gc_stepmul;
            lua.gc_stepmul = ex.max(0) as u32;
            Value::Num(f64::from(old))
        }
    };
    ctx.push(r);
    Ok(Flow::Return(1))
}

fn loadstring(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let s = ctx.check_bytes(1)?;
    let name = match ctx.opt_str(2)? {
        Some(n) => ctx.lua.heap.str(n).to_vec(),
        None => s.to_vec(),
    };
    load_result(ctx, &s, &name)
}

/// Compiles and returns the function, or `nil, message`.
fn load_result(ctx: &mut Ctx<'_>, src: &[u8], name: &[u8]) -> Result<Flow> {
    let nccalls = ctx.lua.ccalls;
    match ctx.lua.load_with(src, name, nccalls) {
        Ok(f) => {
            ctx.push(Value::Func(f));
            Ok(Flow::Return(1))
        }
        Err(Error::Lua(msg)) => {
            ctx.push(Value::Nil);
            ctx.push(msg);
            Ok(Flow::Return(2))
        }
        Err(e) => Err(e),
    }
}

fn load(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let name = match ctx.opt_str(2)? {
        Some(n) => ctx.lua.heap.str(n).to_vec(),
        None => b"=(load)".to_vec(),
    };
    if !matches!(ctx.arg(1), Value::Func(_)) {
        return Err(ctx.type_error(1, "function"));
    }
    ctx.lua.th.top = ctx.base + ctx.nargs().min(2);
    call_reader(ctx, Vec::new(), name)
}

fn call_reader(ctx: &mut Ctx<'_>, buf: Vec<u8>, name: Vec<u8>) -> Result<Flow> {
    let f = ctx.arg(1);
    ctx.push(f);
    let ccalls = ctx.lua.ccalls;
    Ok(Flow::Call {
        cont: Cont::Load {
            ccalls,
            read: Box::new((buf, name)),
        },
        nargs: 0,
        nresults: 1,
    })
}

/// `load`'s reader returned the piece at `result`: gather it, or compile at the end.
pub(crate) fn load_piece(
    ctx: &mut Ctx<'_>,
    mut buf: Vec<u8>,
    name: Vec<u8>,
    result: usize,
) -> Result<Flow> {
    let v = ctx.lua.th.stack[result];
    ctx.lua.th.top = result;
    let piece = match v {
        Value::Nil => None,
        Value::Str(_) | Value::Num(_) => ctx.lua.to_bytes(v),
        _ => {
            let e = ctx.error("reader function must return a string");
            ctx.push(Value::Nil);
            ctx.push(ctx.lua.error_value(e));
            return Ok(Flow::Return(2));
        }
    };
    match piece {
        Some(p) if !p.is_empty() => {
            if p.len() > ctx.lua.heap.room() {
                return Err(Error::Memory);
            }
            buf.extend_from_slice(&p);
            call_reader(ctx, buf, name)
        }
        _ => load_result(ctx, &buf, &name),
    }
}

fn newproxy(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let arg = ctx.arg(1);
    let weak = match ctx.upvalue(1) {
        Value::Table(w) => w,
        _ => return Err(ctx.error("newproxy without its table")),
    };
    let meta = if !arg.truthy() {
        None
    } else if let Value::Bool(true) = arg {
        let m = ctx.lua.create_table()?;
        ctx.lua.raw_set(weak, Value::Table(m), Value::Bool(true))?;
        Some(m)
    } else {
        let valid = match arg {
            Value::UserData(u) => match ctx.lua.heap.udata.get(u.0).meta {
                Some(m) => ctx.lua.raw_get(weak, Value::Table(m)).truthy().then_some(m),
                None => None,
            },
            _ => None,
        };
        match valid {
            Some(m) => Some(m),
            None => return Err(ctx.arg_error(1, "boolean or proxy expected")),
        }
    };
    let env = ctx.lua.globals;
    let u = ctx.lua.heap.new_udata(UserData { meta, env })?;
    ctx.push(Value::UserData(u));
    Ok(Flow::Return(1))
}

#[cfg(test)]
mod tests {
    use super::strtoul;

    #[test]
    fn strtoul_bases() {
        assert_eq!(strtoul(b"ff", 16), Some(255));
        assert_eq!(strtoul(b"0x10", 16), Some(16));
        assert_eq!(strtoul(b" 10 ", 8), Some(8));
        assert_eq!(strtoul(b"z", 36), Some(35));
        assert_eq!(strtoul(b"8", 8), None);
        assert_eq!(strtoul(b"", 10), None);
        assert_eq!(strtoul(b"-1", 10), Some(u64::MAX));
    }
}
