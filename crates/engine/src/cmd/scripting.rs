//! EVAL and its kin, and SCRIPT: Lua scripts run by the engine (`crate::script` explains how
//! a script runs without freezing anything).
//!
//! A script is cached under the SHA1 of its body the first time EVAL or SCRIPT LOAD sees it;
//! EVALSHA runs a cached one. The `_RO` variants refuse scripts that may write. The cache is
//! not persisted, as in Redis: a restart forgets it (functions are what persists).

use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::script::run::ScriptRun;
use crate::script::{sha1_hex, shebang_flags, CachedScript};
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::Outcome;

/// The four EVALs' flags. Redis marks them `movablekeys`: their keys are found by
/// `evalGetKeys`, from the `numkeys` argument.
const EVAL_FLAGS: u32 = flag::NOSCRIPT
    | flag::SKIP_MONITOR
    | flag::NO_MANDATORY_KEYS
    | flag::STALE
    | flag::MOVABLEKEYS
    | flag::EFFECTS_PROPAGATED;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "eval",
        arity: -3,
        flags: EVAL_FLAGS | flag::MAY_REPLICATE,
        group: "scripting",
        since: "2.6.0",
        summary: "Runs a Lua script on the server, with the keys it touches and its arguments.",
        syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
        complexity: "Depends on the script that is executed.",
        keys: &[KeySpec::keynum(
            key_flag::RW | key_flag::ACCESS | key_flag::UPDATE,
            2,
            0,
            1,
            1,
        )
        .notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")],
        tips: &[],
        handler: Some(eval),
        subcommands: &[],
    },
    CommandSpec {
        name: "evalsha",
        arity: -3,
        flags: EVAL_FLAGS | flag::MAY_REPLICATE,
        group: "scripting",
        since: "2.6.0",
        summary: "Runs a script the server already holds, named by the SHA1 of its body.",
        syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
        complexity: "Depends on the script that is executed.",
        keys: &[KeySpec::keynum(
            key_flag::RW | key_flag::ACCESS | key_flag::UPDATE,
            2,
            0,
            1,
            1,
        )],
        tips: &[],
        handler: Some(evalsha),
        subcommands: &[],
    },
    CommandSpec {
        name: "eval_ro",
        arity: -3,
        flags: EVAL_FLAGS | flag::READONLY,
        group: "scripting",
        since: "7.0.0",
        summary: "Runs a Lua script that may only read.",
        syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
        complexity: "Depends on the script that is executed.",
        keys: &[
            KeySpec::keynum(key_flag::RO | key_flag::ACCESS, 2, 0, 1, 1).notes(
                "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
            ),
        ],
        tips: &[],
        handler: Some(eval_ro),
        subcommands: &[],
    },
    CommandSpec {
        name: "evalsha_ro",
        arity: -3,
        flags: EVAL_FLAGS | flag::READONLY,
        group: "scripting",
        since: "7.0.0",
        summary: "Runs a held script that may only read, named by its SHA1.",
        syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
        complexity: "Depends on the script that is executed.",
        keys: &[KeySpec::keynum(key_flag::RO | key_flag::ACCESS, 2, 0, 1, 1)],
        tips: &[],
        handler: Some(evalsha_ro),
        subcommands: &[],
    },
    CommandSpec {
        name: "script",
        arity: -2,
        flags: 0,
        group: "scripting",
        since: "2.6.0",
        summary: "A container for commands that manage the script cache and the running script.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: SCRIPT_SUBCOMMANDS,
    },
];

static SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "debug",
        arity: 3,
        flags: flag::NOSCRIPT,
        group: "scripting",
        since: "3.2.0",
        summary: "Sets the debug mode of the scripts that follow (only NO here: there is no Lua debugger).",
        syntax: "YES | SYNC | NO",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(script_debug),
        subcommands: &[],
    },
    CommandSpec {
        name: "exists",
        arity: -3,
        flags: flag::NOSCRIPT,
        group: "scripting",
        since: "2.6.0",
        summary: "Tells, for each SHA1, whether the script cache holds that script.",
        syntax: "sha1 [sha1 ...]",
        complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
        handler: Some(script_exists),
        subcommands: &[],
    },
    CommandSpec {
        name: "flush",
        arity: -2,
        flags: flag::NOSCRIPT,
        group: "scripting",
        since: "2.6.0",
        summary: "Empties the script cache and starts a fresh Lua state.",
        syntax: "[ASYNC | SYNC]",
        complexity: "O(N) with N being the number of scripts in cache",
        keys: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: Some(script_flush),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "scripting",
        since: "5.0.0",
        summary: "Lists SCRIPT's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(script_help),
        subcommands: &[],
    },
    CommandSpec {
        name: "kill",
        arity: 2,
        flags: flag::NOSCRIPT | flag::ALLOW_BUSY,
        group: "scripting",
        since: "2.6.0",
        summary: "Stops the running script, unless it has written.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        handler: Some(script_kill),
        subcommands: &[],
    },
    CommandSpec {
        name: "load",
        arity: 3,
        flags: flag::NOSCRIPT | flag::STALE,
        group: "scripting",
        since: "2.6.0",
        summary: "Compiles a script into the cache without running it; answers its SHA1.",
        syntax: "script",
        complexity: "O(N) with N being the length in bytes of the script body.",
        keys: &[],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: Some(script_load),
        subcommands: &[],
    },
];

fn eval(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    run(engine, call, false, false)
}

fn evalsha(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    run(engine, call, true, false)
}

fn eval_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    run(engine, call, false, true)
}

fn evalsha_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    run(engine, call, true, true)
}

/// ```text
/// EVAL script numkeys [key ...] [arg ...]
/// EVALSHA sha1 numkeys [key ...] [arg ...]
/// ```
/// `evalGenericCommand`: numkeys read and checked, the script found (EVALSHA) or compiled and
/// cached (EVAL), then run with KEYS and ARGV.
fn run(engine: &mut Engine, call: &Call<'_>, evalsha: bool, ro: bool) -> CommandResult {
    // `evalShaCommand` refuses a name that cannot be a SHA1 before anything else.
    let body = &call.argv[1];
    if evalsha && body.len() != 40 {
        return Err(Error::NoScript);
    }
    let numkeys = crate::args::parse_i64(&call.argv[2])?;
    let available = (call.argv.len() - 3) as i64;
    if numkeys > available {
        return Err(Error::NumKeysTooBig);
    }
    if numkeys < 0 {
        return Err(Error::NumKeysNegative);
    }
    let sha = if evalsha {
        let sha = String::from_utf8_lossy(body).to_ascii_lowercase();
        if !engine.scripting.scripts.contains_key(&sha) {
            return Err(Error::NoScript);
        }
        sha
    } else {
        create_function(engine, body)?
    };
    let (function, script_flags) = {
        let Some(script) = engine.scripting.scripts.get(&sha) else {
            return Err(Error::NoScript);
        };
        let flags = script.flags;
        let pin = &script.function;
        let lua = engine.scripting.lua.as_ref().map(|lua| lua.pinned(pin));
        (lua.unwrap_or_default(), flags)
    };
    let numkeys = numkeys as usize;
    engine.start_script(
        call.client,
        ScriptRun {
            command: call.name,
            funcname: sha.clone(),
            function,
            keys: &call.argv[3..3 + numkeys],
            args: &call.argv[3 + numkeys..],
            script_flags,
            ro,
            eval: true,
            argv: call.argv,
        },
    )
}

/// `luaCreateFunction`: the script's SHA1, compiling and caching it first if new. The shebang
/// line is read for flags and left out of the code compiled (its newline stays, so line
/// numbers are the body's).
fn create_function(engine: &mut Engine, body: &[u8]) -> Result<String, Error> {
    let sha = sha1_hex(body);
    if engine.scripting.scripts.contains_key(&sha) {
        return Ok(sha);
    }
    let (flags, shebang_len) = shebang_flags(body).map_err(Error::Shebang)?;
    let lua = engine.lua_state();
    let function = lua
        .load(&body[shebang_len..], "@user_script")
        .map_err(|e| Error::ScriptCompile(lua.error_text(e)))?;
    let function = lua.pin(function);
    engine.scripting.scripts.insert(
        sha.clone(),
        CachedScript {
            body: body.to_vec(),
            function,
            flags,
        },
    );
    Ok(sha)
}

/// ```text
/// SCRIPT LOAD script
/// ```
fn script_load(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let sha = create_function(engine, &call.argv[2])?;
    Ok(Reply::bulk(sha).into())
}

/// ```text
/// SCRIPT EXISTS sha1 [sha1 ...]
/// ```
/// The names are compared without case, as Redis's script dictionary compares them.
fn script_exists(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let found = call.argv[2..]
        .iter()
        .map(|sha| {
            let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
            Reply::Integer(i64::from(engine.scripting.scripts.contains_key(&sha)))
        })
        .collect();
    Ok(Reply::Array(found).into())
}

/// ```text
/// SCRIPT FLUSH [ASYNC|SYNC]
/// ```
/// Forgets every cached script and starts a fresh Lua state (Redis's `scriptingReset`): what
/// scripts left in Lua's globals is gone too. ASYNC hands a cache of more than 64 scripts to
/// the lazy-free queue (`crate::lazyfree`); without an argument `lazyfree-lazy-user-flush`
/// decides.
fn script_flush(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let lazy = match &call.argv[2..] {
        [] => engine.lazyfree.user_flush,
        [mode] if mode.eq_ignore_ascii_case(b"sync") => false,
        [mode] if mode.eq_ignore_ascii_case(b"async") => true,
        _ => return Err(Error::ScriptFlushOption),
    };
    engine.reset_scripting(lazy);
    Ok(Reply::ok().into())
}

/// ```text
/// SCRIPT KILL
/// ```
fn script_kill(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.kill_script(true)?;
    Ok(Reply::ok().into())
}

/// ```text
/// SCRIPT DEBUG YES|SYNC|NO
/// ```
/// NO is what every script runs in here; YES and SYNC would need Redis's Lua debugger (a
/// forked or blocking session speaking its own protocol to redis-cli), which this engine does
/// not have: they are refused with a plain reason rather than accepted and ignored.
fn script_debug(_: &mut Engine, call: &Call<'_>) -> CommandResult {
    let mode = &call.argv[2];
    if mode.eq_ignore_ascii_case(b"no") {
        Ok(Reply::ok().into())
    } else if mode.eq_ignore_ascii_case(b"yes") || mode.eq_ignore_ascii_case(b"sync") {
        Err(Error::ScriptDebugUnavailable)
    } else {
        Err(Error::ScriptDebugUsage)
    }
}

/// ```text
/// SCRIPT HELP
/// ```
fn script_help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Outcome::Reply(Reply::help(
        "SCRIPT",
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    )))
}
