//! The debug library (`ldblib.c`), as far as scripts can use it without hooks:
//! `traceback`, `getinfo`, `getlocal`, `setlocal`, `getupvalue`, `setupvalue`,
//! `getmetatable`, `setmetatable`, `getregistry`, `getfenv`, `setfenv`.
//!
//! Redis loads it only to build its error handler and then removes the global; `sethook`,
//! `gethook` and the interactive `debug.debug` are not provided (the host's instruction
//! budget replaces hooks).

use crate::debug::{Info, Level};
use crate::error::Result;
use crate::gc::Function;
use crate::native::{Ctx, Flow};
use crate::value::{ThreadRef, Value};
use crate::vm::Kind;
use crate::Lua;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    super::new_lib(
        lua,
        "debug",
        &[
            ("getfenv", getfenv),
            ("getinfo", getinfo),
            ("getlocal", getlocal),
            ("getregistry", getregistry),
            ("getmetatable", getmetatable),
            ("getupvalue", getupvalue),
            ("setfenv", setfenv),
            ("setlocal", setlocal),
            ("setmetatable", setmetatable),
            ("setupvalue", setupvalue),
            ("traceback", traceback),
        ],
    )?;
    Ok(())
}

/// `getthread`: an optional thread as first argument, and where the other arguments start.
fn thread_arg(ctx: &Ctx<'_>) -> (Option<ThreadRef>, usize) {
    match ctx.arg(1) {
        Value::Thread(t) if ctx.lua.cur != Some(t) => (Some(t), 1),
        Value::Thread(_) => (None, 1),
        _ => (None, 0),
    }
}

/// Runs `f` with another thread's frames in view (the debug functions read the running
/// thread's frames).
fn with_thread<R>(lua: &mut Lua, t: Option<ThreadRef>, f: impl FnOnce(&mut Lua) -> R) -> R {
    match t {
        None => f(lua),
        Some(t) => {
            let other = std::mem::take(lua.heap.threads.get_mut(t.0));
            let mine = std::mem::replace(&mut lua.th, other);
            let r = f(lua);
            let other = std::mem::replace(&mut lua.th, mine);
            *lua.heap.threads.get_mut(t.0) = other;
            r
        }
    }
}

fn set_str(ctx: &mut Ctx<'_>, t: crate::TableRef, k: &str, v: &[u8]) -> Result<()> {
    let v = ctx.string(v)?;
    ctx.lua.set_field(t, k, v)
}

fn set_num(ctx: &mut Ctx<'_>, t: crate::TableRef, k: &str, v: i64) -> Result<()> {
    ctx.lua.set_field(t, k, Value::Num(v as f64))
}

fn getinfo(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (thread, arg) = thread_arg(ctx);
    let options = match ctx.opt_str(arg + 2)? {
        Some(s) => ctx.lua.heap.str(s).to_vec(),
        None => b"flnSu".to_vec(),
    };
    let info: Info = match ctx.arg(arg + 1) {
        Value::Num(n) => {
            let level = n as i64;
            let info = with_thread(ctx.lua, thread, |lua| {
                if level < 0 {
                    return None;
                }
                lua.level(level as usize).map(|l| lua.level_info(l))
            });
            match info {
                Some(i) => i,
                None => {
                    ctx.push(Value::Nil);
                    return Ok(Flow::Return(1));
                }
            }
        }
        Value::Func(f) => ctx.lua.func_info(f),
        _ => return Err(ctx.arg_error(arg + 1, "function or level expected")),
    };
    if options.iter().any(|c| !b"SlnuLf>".contains(c)) {
        return Err(ctx.arg_error(arg + 2, "invalid option"));
    }
    let t = ctx.lua.create_table_with(0, 2)?;
    if options.contains(&b'S') {
        set_str(ctx, t, "source", &info.source)?;
        set_str(ctx, t, "short_src", &info.short_src)?;
        set_num(ctx, t, "linedefined", info.linedefined)?;
        set_num(ctx, t, "lastlinedefined", info.lastlinedefined)?;
        set_str(ctx, t, "what", info.what.as_bytes())?;
    }
    if options.contains(&b'l') {
        set_num(ctx, t, "currentline", info.currentline)?;
    }
    if options.contains(&b'u') {
        set_num(ctx, t, "nups", info.nups as i64)?;
    }
    if options.contains(&b'n') {
        if let Some(name) = &info.name {
            set_str(ctx, t, "name", name)?;
        }
        set_str(ctx, t, "namewhat", info.namewhat.as_bytes())?;
    }
    if options.contains(&b'L') {
        if let Some(Value::Func(f)) = info.func {
            if let Function::Lua(c) = ctx.lua.heap.func(f) {
                let lines: Vec<u32> = c.proto.lineinfo.clone();
                let lt = ctx.lua.create_table()?;
                for l in lines {
                    ctx.lua
                        .raw_set(lt, Value::Num(f64::from(l)), Value::Bool(true))?;
                }
                ctx.lua.set_field(t, "activelines", Value::Table(lt))?;
            }
        }
    }
    if options.contains(&b'f') {
        if let Some(f) = info.func {
            ctx.lua.set_field(t, "func", f)?;
        }
    }
    ctx.push(Value::Table(t));
    Ok(Flow::Return(1))
}

/// The frame a level names, or the argument error.
fn frame_at(ctx: &mut Ctx<'_>, thread: Option<ThreadRef>, arg: usize) -> Result<usize> {
    let level = ctx.check_int(arg)?;
    let fi = with_thread(ctx.lua, thread, |lua| {
        if level < 0 {
            None
        } else {
            lua.level(level as usize)
        }
    });
    match fi {
        Some(Level::Frame(fi)) => Ok(fi),
        _ => Err(ctx.arg_error(arg, "level out of range")),
    }
}

/// The name of local `n` of frame `fi` and its stack slot (`findlocal`).
fn find_local(lua: &Lua, fi: usize, n: i64) -> Option<(Vec<u8>, usize)> {
    let frame = &lua.th.frames[fi];
    if n < 1 {
        return None;
    }
    if let Kind::Lua { cl, pc, .. } = &frame.kind {
        let proto = lua.proto_of(*cl);
        if let Some(name) = proto.local_name(n as u32, pc.saturating_sub(1) as u32) {
            return Some((name.to_vec(), frame.base + n as usize - 1));
        }
    }
    let limit = match lua.th.frames.get(fi + 1) {
        Some(next) => next.func,
        None => lua.th.top,
    };
    if limit - frame.base >= n as usize {
        Some((b"(*temporary)".to_vec(), frame.base + n as usize - 1))
    } else {
        None
    }
}

fn getlocal(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (thread, arg) = thread_arg(ctx);
    let fi = frame_at(ctx, thread, arg + 1)?;
    let n = ctx.check_integer(arg + 2)?;
    let found = with_thread(ctx.lua, thread, |lua| {
        find_local(lua, fi, n).map(|(name, slot)| (name, lua.th.stack[slot]))
    });
    match found {
        Some((name, v)) => {
            let s = ctx.string(name)?;
            ctx.push(s);
            ctx.push(v);
            Ok(Flow::Return(2))
        }
        None => {
            ctx.push(Value::Nil);
            Ok(Flow::Return(1))
        }
    }
}

fn setlocal(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (thread, arg) = thread_arg(ctx);
    let fi = frame_at(ctx, thread, arg + 1)?;
    let n = ctx.check_integer(arg + 2)?;
    let v = ctx.check_any(arg + 3)?;
    let name = with_thread(ctx.lua, thread, |lua| {
        find_local(lua, fi, n).map(|(name, slot)| {
            lua.th.stack[slot] = v;
            name
        })
    });
    let r = match name {
        Some(name) => ctx.string(name)?,
        None => Value::Nil,
    };
    ctx.push(r);
    Ok(Flow::Return(1))
}

/// Upvalue `n` of function `f`: its name (empty for natives) and value.
fn upvalue(lua: &Lua, f: Value, n: i64) -> Option<(Vec<u8>, Value)> {
    let Value::Func(f) = f else { return None };
    if n < 1 {
        return None;
    }
    let i = (n - 1) as usize;
    match lua.heap.func(f) {
        Function::Lua(c) => {
            let u = *c.upvals.get(i)?;
            let name = c
                .proto
                .upvalue_names
                .get(i)
                .map_or(Vec::new(), |n| n.to_vec());
            Some((name, lua.upval_get(u)))
        }
        Function::Native(c) => c.upvals.get(i).map(|v| (Vec::new(), *v)),
    }
}

fn getupvalue(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let n = ctx.check_integer(2)?;
    let f = ctx.arg(1);
    if !matches!(f, Value::Func(_)) {
        return Err(ctx.type_error(1, "function"));
    }
    match upvalue(ctx.lua, f, n) {
        Some((name, v)) => {
            let s = ctx.string(name)?;
            ctx.push(s);
            ctx.push(v);
            Ok(Flow::Return(2))
        }
        None => Ok(Flow::Return(0)),
    }
}

fn setupvalue(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.check_any(3)?;
    let n = ctx.check_integer(2)?;
    let Value::Func(f) = ctx.arg(1) else {
        return Err(ctx.type_error(1, "function"));
    };
    let Some((name, _)) = upvalue(ctx.lua, Value::Func(f), n) else {
        return Ok(Flow::Return(0));
    };
    let i = (n - 1) as usize;
    let cell = match ctx.lua.heap.funcs.get_mut(f.0) {
        Function::Lua(c) => Some(c.upvals[i]),
        Function::Native(c) => {
            c.upvals[i] = v;
            None
        }
    };
    if let Some(u) = cell {
        ctx.lua.upval_set(u, v);
    }
    let s = ctx.string(name)?;
    ctx.push(s);
    Ok(Flow::Return(1))
}

fn getmetatable(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.check_any(1)?;
    let r = ctx.lua.metatable(v).map_or(Value::Nil, Value::Table);
    ctx.push(r);
    Ok(Flow::Return(1))
}

fn setmetatable(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.arg(1);
    let mt = match ctx.arg(2) {
        Value::Nil => None,
        Value::Table(t) => Some(t),
        _ => return Err(ctx.arg_error(2, "nil or table expected")),
    };
    match v {
        Value::Table(t) => ctx.lua.set_metatable(t, mt)?,
        Value::UserData(u) => ctx.lua.heap.udata.get_mut(u.0).meta = mt,
        other => ctx.lua.set_type_metatable(other.type_of(), mt),
    }
    ctx.push(Value::Bool(true));
    Ok(Flow::Return(1))
}

fn getregistry(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let r = ctx.lua.registry;
    ctx.push(Value::Table(r));
    Ok(Flow::Return(1))
}

fn getfenv(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let v = ctx.arg(1);
    let env = match v {
        Value::UserData(u) => Value::Table(ctx.lua.heap.udata.get(u.0).env),
        Value::Func(_) => Value::Table(super::base::fenv(ctx.lua, v)),
        Value::Thread(_) => Value::Table(ctx.lua.globals),
        _ => Value::Nil,
    };
    ctx.push(env);
    Ok(Flow::Return(1))
}

fn setfenv(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let t = ctx.check_table(2)?;
    let v = ctx.arg(1);
    let ok = match v {
        Value::UserData(u) => {
            ctx.lua.heap.udata.get_mut(u.0).env = t;
            true
        }
        Value::Func(_) => super::base::set_fenv(ctx.lua, v, t),
        _ => false,
    };
    if !ok {
        return Err(ctx.error("'setfenv' cannot change environment of given object"));
    }
    ctx.push(v);
    Ok(Flow::Return(1))
}

fn traceback(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let (thread, arg) = thread_arg(ctx);
    let level = match ctx.arg(arg + 2) {
        Value::Num(n) => n as i64,
        _ => {
            if thread.is_none() {
                1
            } else {
                0
            }
        }
    };
    let msg = ctx.arg(arg + 1);
    let mut out = if ctx.nargs() <= arg {
        Vec::new()
    } else if let Some(mut m) = ctx.lua.to_bytes(msg) {
        m.push(b'\n');
        m
    } else {
        // A message that is not a string comes back untouched.
        ctx.push(msg);
        return Ok(Flow::Return(1));
    };
    let tb = with_thread(ctx.lua, thread, |lua| lua.traceback(level.max(0) as usize));
    out.extend_from_slice(&tb);
    let s = ctx.string(out)?;
    ctx.push(s);
    Ok(Flow::Return(1))
}
