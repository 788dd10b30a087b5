//! The coroutine library (`create`, `resume`, `yield`, `status`, `wrap`, `running`), over
//! the VM's thread switching.

use crate::error::{Error, Result};
use crate::native::{Cont, Ctx, Flow, NativeFn};
use crate::value::{ThreadRef, Value};
use crate::vm::{CoStatus, Thread, BASIC_CI_SIZE, LUAI_MAXCCALLS, LUAI_MAXCSTACK};
use crate::Lua;

pub(crate) fn open(lua: &mut Lua) -> Result<()> {
    super::new_lib(
        lua,
        "coroutine",
        &[
            ("create", create),
            ("resume", resume),
            ("running", running),
            ("status", status),
            ("wrap", wrap),
            ("yield", yield_),
        ],
    )?;
    Ok(())
}

/// A new suspended coroutine running the Lua function at argument 1.
fn new_coroutine(ctx: &mut Ctx<'_>) -> Result<ThreadRef> {
    let f = ctx.arg(1);
    let is_lua = match f {
        Value::Func(r) => matches!(ctx.lua.heap.func(r), crate::gc::Function::Lua(_)),
        _ => false,
    };
    if !is_lua {
        return Err(ctx.arg_error(1, "Lua function expected"));
    }
    let mut th = Thread::new(1, BASIC_CI_SIZE);
    th.is_coroutine = true;
    th.stack[0] = f;
    th.top = 1;
    th.status = CoStatus::Suspended;
    ctx.lua.heap.new_thread(th)
}

fn create(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let co = new_coroutine(ctx)?;
    ctx.push(Value::Thread(co));
    Ok(Flow::Return(1))
}

/// `costatus`'s name for a coroutine.
fn status_name(lua: &Lua, co: ThreadRef) -> &'static str {
    if lua.cur == Some(co) {
        return "running";
    }
    match lua.heap.threads.get(co.0).status {
        CoStatus::Suspended => "suspended",
        CoStatus::Running => "running",
        CoStatus::Normal => "normal",
        CoStatus::Dead => "dead",
    }
}

/// `auxresume`'s checks: `Ok(None)` when the coroutine can be resumed with the top `nargs`
/// values, else the message `resume` returns.
fn check_resume(ctx: &mut Ctx<'_>, co: ThreadRef, nargs: usize) -> Result<Option<&'static str>> {
    if nargs >= LUAI_MAXCSTACK {
        return Err(ctx.error("too many arguments to resume"));
    }
    match status_name(ctx.lua, co) {
        "suspended" => {}
        "running" => return Ok(Some("cannot resume running coroutine")),
        "normal" => return Ok(Some("cannot resume normal coroutine")),
        _ => return Ok(Some("cannot resume dead coroutine")),
    }
    if ctx.lua.ccalls >= LUAI_MAXCCALLS {
        return Ok(Some("C stack overflow"));
    }
    Ok(None)
}

fn resume(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let Value::Thread(co) = ctx.arg(1) else {
        return Err(ctx.arg_error(1, "coroutine expected"));
    };
    let nargs = ctx.nargs() - 1;
    if let Some(msg) = check_resume(ctx, co, nargs)? {
        ctx.push(Value::Bool(false));
        let m = ctx.string(msg)?;
        ctx.push(m);
        return Ok(Flow::Return(2));
    }
    Ok(Flow::Resume {
        co,
        nargs,
        cont: Cont::Resume {
            wrap: false,
            failed: false,
        },
    })
}

fn wrap(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let co = new_coroutine(ctx)?;
    let f = ctx
        .lua
        .native_closure(NativeFn::Builtin(wrapped), &[Value::Thread(co)])?;
    ctx.push(Value::Func(f));
    Ok(Flow::Return(1))
}

/// The function `coroutine.wrap` returns (`auxwrap`).
fn wrapped(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let Value::Thread(co) = ctx.upvalue(1) else {
        return Err(ctx.error("wrapped coroutine lost"));
    };
    let nargs = ctx.nargs();
    if let Some(msg) = check_resume(ctx, co, nargs)? {
        let mut m = ctx.lua.where_(1);
        m.extend_from_slice(msg.as_bytes());
        return Err(ctx.lua.error_from_bytes(m));
    }
    Ok(Flow::Resume {
        co,
        nargs,
        cont: Cont::Resume {
            wrap: true,
            failed: false,
        },
    })
}

/// The coroutine yielded, returned or failed; its values are at `results..top`.
pub(crate) fn resume_done(
    ctx: &mut Ctx<'_>,
    wrap: bool,
    failed: bool,
    results: usize,
) -> Result<Flow> {
    let n = ctx.top() - results;
    if wrap {
        if failed {
            let v = if n > 0 {
                ctx.lua.th.stack[results]
            } else {
                Value::Nil
            };
            if matches!(v, Value::Str(_) | Value::Num(_)) {
                let mut m = ctx.lua.where_(1);
                ctx.lua.append_str(v, &mut m);
                return Err(ctx.lua.error_from_bytes(m));
            }
            return Err(Error::Lua(v));
        }
        return Ok(Flow::Return(n));
    }
    if failed {
        ctx.lua.th.top = results + n.min(1);
    }
    ctx.lua.th.stack[results - 1] = Value::Bool(!failed);
    Ok(Flow::Return(ctx.top() - (results - 1)))
}

fn yield_(ctx: &mut Ctx<'_>) -> Result<Flow> {
    Ok(Flow::Yield(ctx.nargs()))
}

fn running(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let r = match ctx.lua.cur {
        Some(t) if ctx.lua.th.is_coroutine => Value::Thread(t),
        _ => Value::Nil,
    };
    ctx.push(r);
    Ok(Flow::Return(1))
}

fn status(ctx: &mut Ctx<'_>) -> Result<Flow> {
    let Value::Thread(co) = ctx.arg(1) else {
        return Err(ctx.arg_error(1, "coroutine expected"));
    };
    let s = ctx.string(status_name(ctx.lua, co))?;
    ctx.push(s);
    Ok(Flow::Return(1))
}
