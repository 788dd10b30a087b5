//! The Lua state scripts run in, set up as Redis 7.0's `scriptingInit` sets up its own: the
//! libraries Redis loads, the `redis` table with its functions and constants, Redis's `pcall`
//! (which hands back an error table's message), the error handler that adds where an error
//! happened, `debug` removed, reading a missing global an error, and every table reachable
//! from the globals read-only.
//!
//! The `redis.*` functions are host functions: they reach the engine through the host
//! context of the slice running them ([`keyspace_lua::Ctx::host`]) and the script's run in
//! `Engine::scripting`.

use keyspace_lua::{Ctx, Error as LuaError, Lua, Result as LuaResult, TableRef, Value};

use super::{convert, repl, sha1_hex};
use crate::engine::Engine;
use crate::reply::format_g;

/// Redis's version, as `redis.REDIS_VERSION` and `REDIS_VERSION_NUM` give it.
const REDIS_VERSION: &str = "7.0.15";
const REDIS_VERSION_NUM: f64 = 0x0007_000f as f64;

/// Log levels as `redis.log` takes them (server.h's `LL_*`).
pub const LOG_DEBUG: i64 = 0;
pub const LOG_WARNING: i64 = 3;

/// What Lua code Redis runs at start, in our words: Redis's `pcall` that unwraps error
/// tables (Redis 7's `luaRedisPcall`, written in Lua here: a host function cannot call back
/// into Lua), then the error handler EVAL runs every script under, which must see `debug`
/// before it goes.
const PRELUDE: &str = r#"
local pcall, type = pcall, type
local function unwrap(ok, ...)
  if ok then return ok, ... end
  local err = ...
  if type(err) == 'table' then
    local msg = err.err
    if type(msg) == 'string' or type(msg) == 'number' then err = msg end
  end
  return false, err
end
_G.pcall = function(...) return unwrap(pcall(...)) end
"#;

/// The body of Redis's error handler, shared by EVAL's (a global) and the functions
/// engine's (kept out of the globals): it adds where the error happened. Laid out as Redis's
/// C strings are (three of its lines have no newline between them, which shows in nothing
/// but the line numbers of the handler itself).
macro_rules! error_handler_body {
    () => {
        concat!(
            "  local i = dbg.getinfo(2,'nSl')\n",
            "  if i and i.what == 'C' then\n",
            "    i = dbg.getinfo(3,'nSl')\n",
            "  end\n",
            "  if type(err) ~= 'table' then\n",
            "    err = {err='ERR ' .. tostring(err)}",
            "  end",
            "  if i then\n",
            "    err['source'] = i.source\n",
            "    err['line'] = i.currentline\n",
            "  end",
            "  return err\n",
            "end\n",
        )
    };
}

const ERROR_HANDLER: &str = concat!(
    "local dbg = debug\n",
    "debug = nil\n",
    "function __redis__err__handler(err)\n",
    error_handler_body!(),
);

/// The functions engine's handler (`luaEngineInitEngine`): the chunk returns it.
pub(super) const FUNCTION_ERROR_HANDLER: &str = concat!(
    "local dbg = debug\n",
    "debug = nil\n",
    "local error_handler = function (err)\n",
    error_handler_body!(),
    "return error_handler",
);

/// The ones only EVAL's state has (`scriptingInit`).
const EVAL_API: [(&str, keyspace_lua::HostFn); 3] = [
    ("breakpoint", redis_breakpoint),
    ("debug", redis_debug),
    ("replicate_commands", redis_replicate_commands),
];

/// A fresh scripting state, as Redis has after `scriptingInit`; what went wrong, if it
/// could not be set up.
pub fn new_state() -> Result<Lua, String> {
    let mut lua = Lua::new();
    match set_up(&mut lua) {
        Ok(()) => Ok(lua),
        Err(e) => Err(lua.error_text(e)),
    }
}

fn set_up(lua: &mut Lua) -> LuaResult<()> {
    let redis = open_redis_api(lua)?;
    set_functions(lua, redis, &EVAL_API)?;
    let handler = lua.load(ERROR_HANDLER.as_bytes(), "@err_handler_def")?;
    run_setup(lua, handler)?;
    protect_globals(lua)
}

/// What both states start with (`luaRegisterRedisAPI`): Redis's libraries, its `pcall`, and
/// the `redis` table as the global `redis`, which is returned.
pub(super) fn open_redis_api(lua: &mut Lua) -> LuaResult<TableRef> {
    lua.open_redis()?;
    let prelude = lua.load(PRELUDE.as_bytes(), "=prelude")?;
    run_setup(lua, prelude)?;

    // In Redis's order of registration, which `pairs(redis)` follows here.
    let redis = lua.create_table()?;
    set_functions(lua, redis, &[("call", redis_call), ("pcall", redis_pcall)])?;
    register_log(lua, redis)?;
    register_version(lua, redis)?;
    set_functions(
        lua,
        redis,
        &[
            ("setresp", redis_setresp),
            ("sha1hex", redis_sha1hex),
            ("error_reply", redis_error_reply),
            ("status_reply", redis_status_reply),
            ("set_repl", redis_set_repl),
        ],
    )?;
    let repl: [(&str, u8); 5] = [
        ("REPL_NONE", 0),
        ("REPL_AOF", repl::AOF),
        ("REPL_SLAVE", repl::REPLICA),
        ("REPL_REPLICA", repl::REPLICA),
        ("REPL_ALL", repl::ALL),
    ];
    for (name, n) in repl {
        lua.set_field(redis, name, Value::Num(f64::from(n)))?;
    }
    set_functions(lua, redis, &[("acl_check_cmd", redis_acl_check_cmd)])?;
    lua.set_global("redis", Value::Table(redis))?;
    Ok(redis)
}

/// Host functions as fields of `t`.
pub(super) fn set_functions(
    lua: &mut Lua,
    t: TableRef,
    functions: &[(&str, keyspace_lua::HostFn)],
) -> LuaResult<()> {
    for &(name, f) in functions {
        let f = lua.create_function(f)?;
        lua.set_field(t, name, f)?;
    }
    Ok(())
}

/// `redis.log` and its levels (`luaRegisterLogFunction`).
pub(super) fn register_log(lua: &mut Lua, redis: TableRef) -> LuaResult<()> {
    let log = lua.create_function(redis_log)?;
    lua.set_field(redis, "log", log)?;
    let levels: [(&str, i64); 4] = [
        ("LOG_DEBUG", LOG_DEBUG),
        ("LOG_VERBOSE", 1),
        ("LOG_NOTICE", 2),
        ("LOG_WARNING", LOG_WARNING),
    ];
    for (name, level) in levels {
        lua.set_field(redis, name, Value::Num(level as f64))?;
    }
    Ok(())
}

/// `redis.REDIS_VERSION` and `redis.REDIS_VERSION_NUM` (`luaRegisterVersion`).
pub(super) fn register_version(lua: &mut Lua, redis: TableRef) -> LuaResult<()> {
    lua.set_field(redis, "REDIS_VERSION_NUM", Value::Num(REDIS_VERSION_NUM))?;
    let version = lua.create_string(REDIS_VERSION)?;
    lua.set_field(redis, "REDIS_VERSION", version)
}

/// Reading a global that does not exist becomes an error, and nothing reachable from the
/// globals (nor the strings' metatable) can be changed.
pub(super) fn protect_globals(lua: &mut Lua) -> LuaResult<()> {
    let globals = lua.globals();
    set_error_metatable(lua, globals)?;
    protect(lua, globals)?;
    let strings = lua.create_string("")?;
    if let Some(string_meta) = lua.get_metatable(strings) {
        protect(lua, string_meta)?;
    }
    Ok(())
}

/// A metatable whose `__index` raises `Script attempted to access nonexistent global
/// variable` (`luaSetErrorMetatable`).
pub(super) fn set_error_metatable(lua: &mut Lua, t: TableRef) -> LuaResult<()> {
    let meta = lua.create_table()?;
    let index = lua.create_function(nonexistent_global)?;
    lua.set_field(meta, "__index", index)?;
    lua.set_metatable(t, Some(meta))
}

/// Runs a setup chunk to its end.
pub(super) fn run_setup(lua: &mut Lua, f: Value) -> LuaResult<Vec<Value>> {
    let mut nothing = ();
    lua.call_sync(f, &[], &mut nothing).map_err(LuaError::Lua)
}

/// Makes every table reachable from `t` read-only, its metatables too (Redis's
/// `luaSetTableProtectionRecursively`).
pub(super) fn protect(lua: &mut Lua, t: TableRef) -> LuaResult<()> {
    let mut todo = vec![t];
    while let Some(t) = todo.pop() {
        if lua.is_readonly(t) {
            continue;
        }
        lua.set_readonly(t, true);
        let mut key = Value::Nil;
        while let Some((k, v)) = lua.next(t, key)? {
            if let Value::Table(inner) = v {
                todo.push(inner);
            }
            key = k;
        }
        if let Some(meta) = lua.get_metatable(Value::Table(t)) {
            todo.push(meta);
        }
    }
    Ok(())
}

/// `luaProtectedTableError`, the globals' `__index`.
fn nonexistent_global(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.nargs() != 2 {
        return Err(ctx.error("Wrong number of arguments to luaProtectedTableError"));
    }
    let name = ctx.arg(2);
    if !matches!(name, Value::Str(_) | Value::Num(_)) {
        return Err(
            ctx.error("Second argument to luaProtectedTableError must be a string or number")
        );
    }
    let mut msg = b"Script attempted to access nonexistent global variable '".to_vec();
    msg.extend_from_slice(&ctx.lua.to_bytes(name).unwrap_or_default());
    msg.push(b'\'');
    Err(ctx.error(msg))
}

/// Raises Redis's error table for `text` (`luaPushError` + `luaError`).
pub(super) fn raise(ctx: &mut Ctx<'_>, text: &str) -> LuaError {
    match convert::error_table(ctx.lua, text, false) {
        Ok(t) => LuaError::Lua(t),
        Err(e) => e,
    }
}

/// The arguments of a `redis.*` call as a command's argv (`luaArgsToRedisArgv`): strings as
/// they are, numbers with `%.17g` (Lua's own `%.14g` would lose digits). The texts are
/// Redis's.
fn argv_of(ctx: &mut Ctx<'_>) -> Result<Vec<Vec<u8>>, &'static str> {
    if ctx.nargs() == 0 {
        return Err("Please specify at least one argument for this redis lib call");
    }
    let mut argv = Vec::with_capacity(ctx.nargs());
    for v in ctx.args() {
        match v {
            Value::Num(n) => argv.push(format_g(n, 17).into_bytes()),
            Value::Str(_) => argv.push(ctx.lua.to_bytes(v).unwrap_or_default()),
            _ => return Err("Lua redis lib command arguments must be strings or integers"),
        }
    }
    Ok(argv)
}

fn redis_call(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    command(ctx, true)
}

fn redis_pcall(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    command(ctx, false)
}

/// `redis.call` and `redis.pcall` (`luaRedisGenericCommand`): runs the command on the script
/// client; its reply becomes a Lua value, an error reply an error table that `call` raises and
/// `pcall` returns.
fn command(ctx: &mut Ctx<'_>, raise_errors: bool) -> LuaResult<usize> {
    let argv = match argv_of(ctx) {
        Ok(argv) => argv,
        Err(text) => {
            let err = raise(ctx, text);
            return match (raise_errors, err) {
                (false, LuaError::Lua(t)) => {
                    ctx.push(t);
                    Ok(1)
                }
                (_, err) => Err(err),
            };
        }
    };
    let Some(engine) = ctx.host.downcast_mut::<Engine>() else {
        return Err(raise(
            ctx,
            "redis.call/pcall can only be called inside a script invocation",
        ));
    };
    let (outcome, protocol) = engine.script_call(&argv);
    let value = match outcome {
        Ok(reply) => convert::reply_to_lua(ctx.lua, &reply, protocol)?,
        // Refused before running: counted already, as Redis's `afterErrorReply` counts it.
        Err(text) => convert::error_table(ctx.lua, &text, true)?,
    };
    let is_error = matches!(value, Value::Table(t) if !ctx.lua.raw_get_field(t, "err").is_nil());
    if raise_errors && is_error {
        return Err(LuaError::Lua(value));
    }
    ctx.push(value);
    Ok(1)
}

/// `redis.sha1hex(s)`.
fn redis_sha1hex(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.nargs() != 1 {
        return Err(raise(ctx, "wrong number of arguments"));
    }
    let bytes = match ctx.arg(1) {
        v @ (Value::Str(_) | Value::Num(_)) => ctx.lua.to_bytes(v).unwrap_or_default(),
        // `lua_tolstring` of anything else is NULL: Redis hashes nothing.
        _ => Vec::new(),
    };
    let digest = ctx.string(sha1_hex(&bytes))?;
    ctx.push(digest);
    Ok(1)
}

/// `redis.error_reply(msg)`: the error table, a `-` put first when missing so the code is
/// read from the message.
fn redis_error_reply(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    let Some(text) = single_string(ctx) else {
        let err = raise(ctx, "wrong number or type of arguments");
        return push_error_value(ctx, err);
    };
    let text = if text.starts_with('-') {
        text
    } else {
        format!("-{text}")
    };
    let t = convert::error_table(ctx.lua, &text, false)?;
    ctx.push(t);
    Ok(1)
}

/// `redis.status_reply(msg)`: `{ok = msg}`.
fn redis_status_reply(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.nargs() != 1 || !matches!(ctx.arg(1), Value::Str(_)) {
        let err = raise(ctx, "wrong number or type of arguments");
        return push_error_value(ctx, err);
    }
    let t = ctx.lua.create_table()?;
    let msg = ctx.arg(1);
    ctx.lua.set_field(t, "ok", msg)?;
    ctx.push(Value::Table(t));
    Ok(1)
}

/// Redis's reply helpers return the error table rather than raising it.
fn push_error_value(ctx: &mut Ctx<'_>, err: LuaError) -> LuaResult<usize> {
    match err {
        LuaError::Lua(t) => {
            ctx.push(t);
            Ok(1)
        }
        other => Err(other),
    }
}

/// The single string argument of the reply helpers (`lua_type == LUA_TSTRING`).
fn single_string(ctx: &mut Ctx<'_>) -> Option<String> {
    if ctx.nargs() != 1 {
        return None;
    }
    match ctx.arg(1) {
        v @ Value::Str(_) => ctx
            .lua
            .to_bytes(v)
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
        _ => None,
    }
}

/// `redis.log(level, ...)`: the arguments joined by spaces, into the server's log.
fn redis_log(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.nargs() < 2 {
        return Err(raise(ctx, "redis.log() requires two arguments or more."));
    }
    let level = match ctx.arg(1) {
        Value::Num(n) => n,
        v @ Value::Str(_) => match ctx.lua.to_num(v) {
            Some(n) => n,
            None => return Err(raise(ctx, "First argument must be a number (log level).")),
        },
        _ => return Err(raise(ctx, "First argument must be a number (log level).")),
    };
    let level = level as i64;
    if !(LOG_DEBUG..=LOG_WARNING).contains(&level) {
        return Err(raise(ctx, "Invalid debug level."));
    }
    let mut line = Vec::new();
    for (i, v) in ctx.args().into_iter().enumerate().skip(1) {
        if let Some(text) = matches!(v, Value::Str(_) | Value::Num(_))
            .then(|| ctx.lua.to_bytes(v))
            .flatten()
        {
            if i != 1 {
                line.push(b' ');
            }
            line.extend_from_slice(&text);
        }
    }
    if let Some(engine) = ctx.host.downcast_mut::<Engine>() {
        engine.script_log(level, &line);
    }
    Ok(0)
}

/// `redis.setresp(2|3)`: the protocol the script's commands answer in.
fn redis_setresp(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.nargs() != 1 {
        return Err(raise(ctx, "redis.setresp() requires one argument."));
    }
    let resp = ctx.lua.to_num(ctx.arg(1)).unwrap_or(0.0) as i64;
    if resp != 2 && resp != 3 {
        return Err(raise(ctx, "RESP version must be 2 or 3."));
    }
    match ctx.host.downcast_mut::<Engine>() {
        Some(engine) => {
            engine.set_script_protocol(resp as u8);
            Ok(0)
        }
        None => Err(raise(
            ctx,
            "redis.setresp can only be called inside a script invocation",
        )),
    }
}

/// `redis.set_repl(flags)`: where the script's writes are propagated.
fn redis_set_repl(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.host.downcast_mut::<Engine>().is_none() {
        return Err(raise(
            ctx,
            "redis.set_repl can only be called inside a script invocation",
        ));
    }
    if ctx.nargs() != 1 {
        return Err(raise(ctx, "redis.set_repl() requires two arguments."));
    }
    let flags = ctx.lua.to_num(ctx.arg(1)).unwrap_or(0.0) as i64;
    if flags & !i64::from(repl::ALL) != 0 {
        return Err(raise(
            ctx,
            "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        ));
    }
    if let Some(engine) = ctx.host.downcast_mut::<Engine>() {
        engine.set_script_repl(flags as u8);
    }
    Ok(0)
}

/// `redis.acl_check_cmd(cmd, ...)`: whether the caller's user may run that command.
fn redis_acl_check_cmd(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    if ctx.host.downcast_mut::<Engine>().is_none() {
        return Err(raise(
            ctx,
            "redis.acl_check_cmd can only be called inside a script invocation",
        ));
    }
    let argv = match argv_of(ctx) {
        Ok(argv) => argv,
        Err(text) => return Err(raise(ctx, text)),
    };
    let allowed = match ctx.host.downcast_mut::<Engine>() {
        Some(engine) => engine.script_acl_check(&argv),
        None => None,
    };
    match allowed {
        Some(allowed) => {
            ctx.push(Value::Bool(allowed));
            Ok(1)
        }
        None => Err(raise(
            ctx,
            "Invalid command passed to redis.acl_check_cmd()",
        )),
    }
}

/// `redis.replicate_commands()`: a no-op since Redis 7.0 (scripts always replicate their
/// effects), answering true.
fn redis_replicate_commands(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    ctx.push(Value::Bool(true));
    Ok(1)
}

/// `redis.breakpoint()`: false without the Lua debugger (`SCRIPT DEBUG`), which this engine
/// does not have (see `SCRIPT DEBUG`'s answer).
fn redis_breakpoint(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    ctx.push(Value::Bool(false));
    Ok(1)
}

/// `redis.debug(...)`: logs to the debugger, which is never attached here: nothing.
fn redis_debug(_: &mut Ctx<'_>) -> LuaResult<usize> {
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_state_sets_up() {
        if let Err(e) = super::new_state() {
            panic!("{e}");
        }
    }
}
