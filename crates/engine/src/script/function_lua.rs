//! The functions engine's Lua state, set up as Redis 7.0's `luaEngineInitEngine` sets up its
//! own, and the two things that run in it: a library's code while it loads (with
//! `redis.register_function`, Redis's `luaEngineCreate`) and a function called by FCALL
//! (through [`FunctionLua::runner`]). `crate::script::functions` explains why the state is
//! built this way.

use keyspace_lua::{Ctx, Lua, Pin, Result as LuaResult, TableRef, Value};

use super::lua::{
    open_redis_api, protect, protect_globals, raise, register_log, register_version, run_setup,
    set_error_metatable, set_functions, FUNCTION_ERROR_HANDLER,
};
use super::{flags, functions::Function};
use crate::engine::Engine;

/// The chunk name a library's code is compiled under, as errors show it
/// (`user_function:3: …`, `script: f, on @user_function:3.`).
pub const CHUNK_NAME: &str = "@user_function";

/// Calls a function with KEYS and ARGV as its two arguments under the error handler (Redis
/// does `lua_pcall(lua, 2, 1, handler)`; Lua 5.1's `xpcall` passes no arguments, hence the
/// closure). Kept out of the globals, as Redis keeps its handler in the registry.
const RUNNER: &str = "local xpcall = xpcall\n\
    return function(callback, handler, keys, args)\n\
    \x20 return xpcall(function() return callback(keys, args) end, handler)\n\
    end";

/// The functions engine's state and the values it keeps for the engine.
pub(crate) struct FunctionLua {
    /// The interpreter, out of here while a load or a slice of a function runs it.
    pub lua: Option<Lua>,
    /// What a library's code sees as its globals while it loads: `redis` with
    /// `register_function`, `log` and the version, nothing else (`__LIBRARY_API__`).
    library_api: Pin,
    /// The real globals, where the globals' `__index` points the rest of the time
    /// (`__GLOBALS_API__`).
    globals_api: Pin,
    /// Redis's error handler for functions (`__ERROR_HANDLER__`).
    pub handler: Pin,
    /// [`RUNNER`].
    pub runner: Pin,
}

impl FunctionLua {
    /// A fresh state. Its setup cannot fail but for a bug (`tests` runs it); a bare state
    /// then answers every library with an error rather than stopping the server.
    pub fn new() -> FunctionLua {
        let mut lua = Lua::new();
        lua.set_memory_limit(Some(super::run::LUA_MEMORY_LIMIT));
        match set_up(&mut lua) {
            Ok([library_api, globals_api, handler, runner]) => FunctionLua {
                library_api: lua.pin(library_api),
                globals_api: lua.pin(globals_api),
                handler: lua.pin(handler),
                runner: lua.pin(runner),
                lua: Some(lua),
            },
            Err(_) => {
                let mut lua = Lua::new();
                let mut nil = || lua.pin(Value::Nil);
                FunctionLua {
                    library_api: nil(),
                    globals_api: nil(),
                    handler: nil(),
                    runner: nil(),
                    lua: Some(lua),
                }
            }
        }
    }

    /// Points the globals' `__index` at the library API (while a library loads) or back at
    /// the real globals.
    pub fn show_library_api(&self, lua: &mut Lua, loading: bool) {
        let target = lua.pinned(if loading {
            &self.library_api
        } else {
            &self.globals_api
        });
        if let Some(meta) = lua.get_metatable(Value::Table(lua.globals())) {
            lua.set_readonly(meta, false);
            // A field store into a table we own cannot fail but for memory, and `__index`
            // exists already: no allocation.
            let _ = lua.set_field(meta, "__index", target);
            lua.set_readonly(meta, true);
        }
    }
}

/// `luaEngineInitEngine`: Redis's libraries and `redis` API, the library API, the error
/// handler, the protected globals, and the empty table put in front of them. Returns the
/// library API, the real globals, the handler and [`RUNNER`].
fn set_up(lua: &mut Lua) -> LuaResult<[Value; 4]> {
    open_redis_api(lua)?;

    let library_api = lua.create_table()?;
    let redis = lua.create_table()?;
    set_functions(lua, redis, &[("register_function", register_function)])?;
    register_log(lua, redis)?;
    register_version(lua, redis)?;
    set_error_metatable(lua, redis)?;
    lua.set_field(library_api, "redis", Value::Table(redis))?;
    set_error_metatable(lua, library_api)?;
    protect(lua, library_api)?;

    let chunk = lua.load(FUNCTION_ERROR_HANDLER.as_bytes(), "@err_handler_def")?;
    let handler = first(run_setup(lua, chunk)?);
    let chunk = lua.load(RUNNER.as_bytes(), "=function_runner")?;
    let runner = first(run_setup(lua, chunk)?);

    protect_globals(lua)?;
    let globals = lua.globals();
    empty_globals_before(lua, globals)?;
    Ok([
        Value::Table(library_api),
        Value::Table(globals),
        handler,
        runner,
    ])
}

/// Makes an empty read-only table the globals, reading through to `real` (its metatable's
/// `__index`, read-only too): a library can neither add a global nor change one.
fn empty_globals_before(lua: &mut Lua, real: TableRef) -> LuaResult<()> {
    let globals = lua.create_table()?;
    let meta = lua.create_table()?;
    lua.set_field(meta, "__index", Value::Table(real))?;
    lua.set_readonly(meta, true);
    lua.set_metatable(globals, Some(meta))?;
    lua.set_readonly(globals, true);
    lua.set_globals(globals);
    Ok(())
}

fn first(values: Vec<Value>) -> Value {
    values.first().copied().unwrap_or_default()
}

/// What `redis.register_function` was given, read and checked.
struct Registration {
    name: Vec<u8>,
    description: Option<Vec<u8>>,
    callback: Value,
    flags: u32,
}

/// `redis.register_function(name, callback)` or `redis.register_function{function_name=…,
/// callback=…, flags={…}, description=…}` (`luaRegisterFunction`): adds the function to the
/// library being loaded. The errors are Redis's, raised as error tables.
fn register_function(ctx: &mut Ctx<'_>) -> LuaResult<usize> {
    let loading = ctx
        .host::<Engine>()
        .is_some_and(|e| e.scripting.functions.loading.is_some());
    if !loading {
        return Err(raise(
            ctx,
            "redis.register_function can only be called on FUNCTION LOAD command",
        ));
    }
    let registration = match ctx.nargs() {
        1 => named_arguments(ctx),
        2 => positional_arguments(ctx),
        _ => Err("wrong number of arguments to redis.register_function"),
    };
    let registration = registration.map_err(|text| raise(ctx, text))?;
    // `functionLibCreateFunction`, with its text (which says "Library" for a function).
    if !super::functions::valid_name(&registration.name) {
        return Err(raise(
            ctx,
            "Library names can only contain letters, numbers, or underscores(_) and must be \
             at least one character long",
        ));
    }
    let name = String::from_utf8_lossy(&registration.name).into_owned();
    let exists = ctx
        .host::<Engine>()
        .and_then(|e| e.scripting.functions.loading.as_ref())
        .is_some_and(|functions| functions.iter().any(|f| f.name == name));
    if exists {
        return Err(raise(ctx, "Function already exists in the library"));
    }
    let callback = ctx.lua.pin(registration.callback);
    let function = Function {
        name,
        description: registration.description,
        flags: registration.flags,
        callback,
    };
    if let Some(functions) = ctx
        .host::<Engine>()
        .and_then(|e| e.scripting.functions.loading.as_mut())
    {
        functions.push(function);
    }
    Ok(0)
}

/// `luaRegisterFunctionReadPositionalArgs`.
fn positional_arguments(ctx: &mut Ctx<'_>) -> Result<Registration, &'static str> {
    let name = string_of(ctx, ctx.arg(1))
        .ok_or("first argument to redis.register_function must be a string")?;
    let callback = ctx.arg(2);
    if !matches!(callback, Value::Func(_)) {
        return Err("second argument to redis.register_function must be a function");
    }
    Ok(Registration {
        name,
        description: None,
        callback,
        flags: 0,
    })
}

/// `luaRegisterFunctionReadNamedArgs`: the table's keys in the order `next` gives them, each
/// checked as it comes.
fn named_arguments(ctx: &mut Ctx<'_>) -> Result<Registration, &'static str> {
    let Value::Table(t) = ctx.arg(1) else {
        return Err(
            "calling redis.register_function with a single argument is only applicable \
                    to Lua table (representing named arguments).",
        );
    };
    let (mut name, mut description, mut callback, mut flags) = (None, None, None, 0);
    let mut key = Value::Nil;
    while let Ok(Some((k, v))) = ctx.lua.next(t, key) {
        key = k;
        let Some(field) = string_of(ctx, k) else {
            return Err("named argument key given to redis.register_function is not a string");
        };
        if field.eq_ignore_ascii_case(b"function_name") {
            name = Some(string_of(ctx, v).ok_or(
                "function_name argument given to redis.register_function must be a string",
            )?);
        } else if field.eq_ignore_ascii_case(b"description") {
            description =
                Some(string_of(ctx, v).ok_or(
                    "description argument given to redis.register_function must be a string",
                )?);
        } else if field.eq_ignore_ascii_case(b"callback") {
            if !matches!(v, Value::Func(_)) {
                return Err(
                    "callback argument given to redis.register_function must be a function",
                );
            }
            callback = Some(v);
        } else if field.eq_ignore_ascii_case(b"flags") {
            let Value::Table(list) = v else {
                return Err("flags argument to redis.register_function must be a table \
                            representing function flags");
            };
            flags = read_flags(ctx, list).ok_or("unknown flag given")?;
        } else {
            return Err("unknown argument given to redis.register_function");
        }
    }
    let name = name.ok_or("redis.register_function must get a function name argument")?;
    let callback = callback.ok_or("redis.register_function must get a callback argument")?;
    Ok(Registration {
        name,
        description,
        callback,
        flags,
    })
}

/// The flags listed from index 1 to the first nil, by their names in any case
/// (`luaRegisterFunctionReadFlags`); None for one that is not a known name.
fn read_flags(ctx: &mut Ctx<'_>, list: TableRef) -> Option<u32> {
    let mut found = 0;
    for i in 1.. {
        let v = ctx.lua.raw_get_index(list, i);
        if v.is_nil() {
            break;
        }
        let name = string_of(ctx, v)?;
        let (_, flag) = flags::NAMES
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(&name))?;
        found |= flag;
    }
    Some(found)
}

/// A string or a number as its bytes (`lua_isstring`, then `lua_tolstring`).
fn string_of(ctx: &Ctx<'_>, v: Value) -> Option<Vec<u8>> {
    match v {
        Value::Str(_) | Value::Num(_) => ctx.lua.to_bytes(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_state_sets_up() {
        let lua = super::FunctionLua::new();
        let state = lua.lua.as_ref().unwrap();
        assert!(!state.pinned(&lua.runner).is_nil());
        assert!(!state.pinned(&lua.handler).is_nil());
    }
}
