//! FUNCTION and FCALL: libraries of Lua functions loaded once and called by name
//! (`crate::script::functions` explains libraries, their Lua state and their persistence).
//!
//! FUNCTION LOAD, DELETE, FLUSH and RESTORE change the libraries and count as writes (they
//! are logged, and a save point counts them); LIST, DUMP and STATS read them. FCALL and
//! FCALL_RO run a function as EVAL runs a script, with its declared flags.

use crate::engine::{Call, Engine};
use crate::error::Error;
use crate::rdb;
use crate::reply::Reply;
use crate::script::functions::{Libraries, LoadSource, ENGINE_NAME};
use crate::script::run::ScriptRun;
use crate::spec::{self, flag, key_flag, CommandResult, CommandSpec, KeySpec};
use crate::Outcome;

/// Redis marks FCALL `movablekeys`: its keys are found by `functionGetKeys`.
const FCALL_FLAGS: u32 = flag::NOSCRIPT
    | flag::SKIP_MONITOR
    | flag::NO_MANDATORY_KEYS
    | flag::STALE
    | flag::MOVABLEKEYS
    | flag::EFFECTS_PROPAGATED;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "fcall",
        arity: -3,
        flags: FCALL_FLAGS | flag::MAY_REPLICATE,
        group: "scripting",
        since: "7.0.0",
        summary:
            "Calls a function a library registered, with the keys it touches and its arguments.",
        syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
        complexity: "Depends on the function that is executed.",
        keys: &[KeySpec::keynum(
            key_flag::RW | key_flag::ACCESS | key_flag::UPDATE,
            2,
            0,
            1,
            1,
        )
        .notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")],
        tips: &[],
        handler: Some(fcall),
        subcommands: &[],
    },
    CommandSpec {
        name: "fcall_ro",
        arity: -3,
        flags: FCALL_FLAGS | flag::READONLY,
        group: "scripting",
        since: "7.0.0",
        summary: "Calls a function that declares it only reads.",
        syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
        complexity: "Depends on the function that is executed.",
        keys: &[
            KeySpec::keynum(key_flag::RO | key_flag::ACCESS, 2, 0, 1, 1).notes(
                "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
            ),
        ],
        tips: &[],
        handler: Some(fcall_ro),
        subcommands: &[],
    },
    CommandSpec {
        name: "function",
        arity: -2,
        flags: 0,
        group: "scripting",
        since: "7.0.0",
        summary:
            "A container for commands that manage function libraries and the running function.",
        syntax: "subcommand [argument ...]",
        complexity: "Depends on subcommand.",
        keys: &[],
        tips: &[],
        handler: None,
        subcommands: FUNCTION_SUBCOMMANDS,
    },
];

/// The tips of the subcommands that change the libraries: every shard must do it.
const EVERY_SHARD: &[&str] = &["request_policy:all_shards", "response_policy:all_succeeded"];

static FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "delete",
        arity: 3,
        flags: flag::NOSCRIPT | flag::WRITE,
        group: "scripting",
        since: "7.0.0",
        summary: "Deletes a library and its functions.",
        syntax: "library-name",
        complexity: "O(1)",
        keys: &[],
        tips: EVERY_SHARD,
        handler: Some(function_delete),
        subcommands: &[],
    },
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flag::NOSCRIPT,
        group: "scripting",
        since: "7.0.0",
        summary: "Serializes every library into a payload FUNCTION RESTORE takes.",
        syntax: "",
        complexity: "O(N) where N is the number of functions",
        keys: &[],
        tips: &[],
        handler: Some(function_dump),
        subcommands: &[],
    },
    CommandSpec {
        name: "flush",
        arity: -2,
        flags: flag::NOSCRIPT | flag::WRITE,
        group: "scripting",
        since: "7.0.0",
        summary: "Deletes every library.",
        syntax: "[ASYNC | SYNC]",
        complexity: "O(N) where N is the number of functions deleted",
        keys: &[],
        tips: EVERY_SHARD,
        handler: Some(function_flush),
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flag::LOADING | flag::STALE,
        group: "scripting",
        since: "7.0.0",
        summary: "Lists FUNCTION's subcommands.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(function_help),
        subcommands: &[],
    },
    CommandSpec {
        name: "kill",
        arity: 2,
        flags: flag::NOSCRIPT | flag::ALLOW_BUSY,
        group: "scripting",
        since: "7.0.0",
        summary: "Stops the running function, unless it has written.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        handler: Some(function_kill),
        subcommands: &[],
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: flag::NOSCRIPT,
        group: "scripting",
        since: "7.0.0",
        summary: "Lists the libraries, their functions and, on request, their code.",
        syntax: "[LIBRARYNAME library-name-pattern] [WITHCODE]",
        complexity: "O(N) where N is the number of functions",
        keys: &[],
        tips: &["nondeterministic_output_order"],
        handler: Some(function_list),
        subcommands: &[],
    },
    CommandSpec {
        name: "load",
        arity: -3,
        flags: flag::NOSCRIPT | flag::WRITE | flag::DENYOOM,
        group: "scripting",
        since: "7.0.0",
        summary: "Loads a library: runs its code, which registers its functions.",
        syntax: "[REPLACE] function-code",
        complexity: "O(1) (considering compilation time is redundant)",
        keys: &[],
        tips: EVERY_SHARD,
        handler: Some(function_load),
        subcommands: &[],
    },
    CommandSpec {
        name: "restore",
        arity: -3,
        flags: flag::NOSCRIPT | flag::WRITE | flag::DENYOOM,
        group: "scripting",
        since: "7.0.0",
        summary: "Loads the libraries of a FUNCTION DUMP payload.",
        syntax: "serialized-value [FLUSH | APPEND | REPLACE]",
        complexity: "O(N) where N is the number of functions on the payload",
        keys: &[],
        tips: EVERY_SHARD,
        handler: Some(function_restore),
        subcommands: &[],
    },
    CommandSpec {
        name: "stats",
        arity: 2,
        flags: flag::NOSCRIPT | flag::ALLOW_BUSY,
        group: "scripting",
        since: "7.0.0",
        summary: "Tells which function runs, for how long, and how many libraries there are.",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
        handler: Some(function_stats),
        subcommands: &[],
    },
];

fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

fn subcommand_syntax(call: &Call<'_>) -> Error {
    Error::SubcommandSyntax {
        subcommand: spec::truncated(&call.argv[1], 128),
        command: "FUNCTION".into(),
    }
}

fn fcall(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    run(engine, call, false)
}

fn fcall_ro(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    run(engine, call, true)
}

/// ```text
/// FCALL function numkeys [key ...] [arg ...]
/// FCALL_RO function numkeys [key ...] [arg ...]
/// ```
/// `fcallCommandGeneric`: the function found (in any case) before numkeys is read, then run
/// with its declared flags, KEYS and ARGV its two arguments.
fn run(engine: &mut Engine, call: &Call<'_>, ro: bool) -> CommandResult {
    let Some(function) = engine.scripting.functions.current.function(&call.argv[1]) else {
        return Err(Error::FunctionNotFound);
    };
    let (funcname, script_flags) = (function.name.clone(), function.flags);
    let callback = engine
        .scripting
        .functions
        .lua
        .as_ref()
        .and_then(|s| s.lua.as_ref())
        .map(|lua| lua.pinned(&function.callback))
        .unwrap_or_default();
    let numkeys = crate::args::string2ll(&call.argv[2]).ok_or(Error::FcallBadNumKeys)?;
    if numkeys > (call.argv.len() - 3) as i64 {
        return Err(Error::NumKeysTooBig);
    }
    if numkeys < 0 {
        return Err(Error::NumKeysNegative);
    }
    let numkeys = numkeys as usize;
    engine.start_script(
        call.client,
        ScriptRun {
            command: call.name,
            funcname,
            function: callback,
            keys: &call.argv[3..3 + numkeys],
            args: &call.argv[3 + numkeys..],
            script_flags,
            ro,
            eval: false,
            argv: call.argv,
        },
    )
}

/// ```text
/// FUNCTION LOAD [REPLACE] function-code
/// ```
/// Every argument before the code must be REPLACE. A library replayed from the log has no
/// time limit, as Redis gives none to what it must obey.
fn function_load(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    // The arity leaves the code at least.
    let code = &call.argv[call.argv.len() - 1];
    let options = &call.argv[2..call.argv.len() - 1];
    let mut replace = false;
    for option in options {
        if !is(option, "replace") {
            return Err(Error::FunctionLoadOption(spec::truncated(
                option,
                usize::MAX,
            )));
        }
        replace = true;
    }
    let source = if engine.persistence.aof.loading {
        LoadSource::Persistence
    } else {
        LoadSource::Client
    };
    let mut current = std::mem::take(&mut engine.scripting.functions.current);
    let loaded = engine.create_library(&mut current, code, replace, source);
    engine.scripting.functions.current = current;
    let name = loaded?;
    engine.dirty += 1;
    Ok(Reply::bulk(name).into())
}

/// ```text
/// FUNCTION DELETE library-name
/// ```
fn function_delete(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let name = String::from_utf8_lossy(&call.argv[2]);
    if !engine.delete_library(&name) {
        return Err(Error::LibraryNotFound);
    }
    engine.dirty += 1;
    Ok(Reply::ok().into())
}

/// ```text
/// FUNCTION FLUSH [ASYNC|SYNC]
/// ```
/// ASYNC frees the libraries in the background (when there are more than 64 functions), as
/// does no mode with `lazyfree-lazy-user-flush yes`.
fn function_flush(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let lazy = match &call.argv[2..] {
        [] => engine.lazyfree.user_flush,
        [mode] if is(mode, "sync") => false,
        [mode] if is(mode, "async") => true,
        [_] => return Err(Error::FunctionFlushOption),
        _ => return Err(subcommand_syntax(call)),
    };
    engine.flush_functions(lazy);
    engine.dirty += 1;
    Ok(Reply::ok().into())
}

/// ```text
/// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
/// ```
/// Each option once; the pattern is matched without case, as Redis matches it.
fn function_list(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let mut with_code = false;
    let mut pattern: Option<&[u8]> = None;
    let mut args = call.argv[2..].iter();
    while let Some(arg) = args.next() {
        if !with_code && is(arg, "withcode") {
            with_code = true;
        } else if pattern.is_none() && is(arg, "libraryname") {
            pattern = Some(args.next().ok_or(Error::FunctionListNoPattern)?);
        } else {
            return Err(Error::FunctionListArgument(spec::truncated(
                arg,
                usize::MAX,
            )));
        }
    }
    let libraries = engine
        .scripting
        .functions
        .current
        .iter()
        .filter(|l| pattern.is_none_or(|p| crate::glob::matches(p, l.name.as_bytes(), true)))
        .map(|library| {
            let functions = library
                .functions
                .iter()
                .map(|f| {
                    Reply::field_map(vec![
                        ("name", Reply::bulk(f.name.as_str())),
                        ("description", Reply::bulk_or_null(f.description.clone())),
                        ("flags", flag_set(f.flags)),
                    ])
                })
                .collect();
            let mut fields = vec![
                ("library_name", Reply::bulk(library.name.as_str())),
                ("engine", Reply::bulk(ENGINE_NAME)),
                ("functions", Reply::Array(functions)),
            ];
            if with_code {
                fields.push(("library_code", Reply::bulk(library.code.clone())));
            }
            Reply::field_map(fields)
        })
        .collect();
    Ok(Reply::Array(libraries).into())
}

/// A function's flags as FUNCTION LIST gives them: a set of status replies, in Redis's order.
fn flag_set(flags: u32) -> Reply {
    Reply::Set(
        crate::script::flags::names(flags)
            .map(|name| Reply::Simple(name.into()))
            .collect(),
    )
}

/// ```text
/// FUNCTION DUMP
/// ```
fn function_dump(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let codes = engine
        .scripting
        .functions
        .current
        .iter()
        .map(|l| l.code.as_slice());
    let payload = rdb::dump_functions(codes, engine.save_options());
    Ok(Reply::Bulk(payload).into())
}

/// ```text
/// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
/// ```
/// The payload's libraries are loaded aside first (a payload holding one library twice is
/// refused), then FLUSH puts them in place of the current ones, APPEND (the default) adds
/// them, refusing a library that exists, REPLACE adds them in place of those of the same
/// name. A function name another library holds refuses the lot.
fn function_restore(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    #[derive(PartialEq)]
    enum Policy {
        Flush,
        Append,
        Replace,
    }
    let policy = match &call.argv[3..] {
        [] => Policy::Append,
        [p] if is(p, "append") => Policy::Append,
        [p] if is(p, "replace") => Policy::Replace,
        [p] if is(p, "flush") => Policy::Flush,
        [_] => return Err(Error::FunctionRestorePolicy),
        _ => return Err(subcommand_syntax(call)),
    };
    let (codes, unreadable) =
        rdb::restore_functions(&call.argv[2], !engine.debug.skip_checksum_validation)
            .map_err(|_| Error::DumpPayloadChecksum)?;
    let mut libraries = engine.load_libraries(&codes, false)?;
    let joined = match unreadable {
        Some(why) => Err(Error::FunctionPayload(why)),
        None if policy == Policy::Flush => Ok(()),
        None => engine.check_join(&libraries, policy == Policy::Replace),
    };
    if let Err(e) = joined {
        engine.release_all(&mut libraries);
        return Err(e);
    }
    if policy == Policy::Flush {
        engine.replace_libraries(libraries);
    } else {
        engine.join_libraries(libraries);
    }
    engine.dirty += 1;
    Ok(Reply::ok().into())
}

/// ```text
/// FUNCTION STATS
/// ```
/// The running function (its name, its caller's command, how long it has run) and the
/// engine's counts. An EVAL script running is not described: BUSY, as Redis answers.
fn function_stats(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    let running = match &engine.scripting.run {
        Some(run) if run.flags.eval => return Err(Error::Busy { eval: true }),
        Some(run) => Reply::field_map(vec![
            ("name", Reply::bulk(run.funcname.as_str())),
            (
                "command",
                Reply::bulk_array(run.caller_argv.iter().cloned()),
            ),
            (
                "duration_ms",
                Reply::Integer(
                    (engine.clock.elapsed_us().saturating_sub(run.start_us) / 1000) as i64,
                ),
            ),
        ]),
        None => Reply::Null,
    };
    let libraries: &Libraries = &engine.scripting.functions.current;
    let lua = Reply::field_map(vec![
        (
            "libraries_count",
            Reply::Integer(libraries.library_count() as i64),
        ),
        (
            "functions_count",
            Reply::Integer(libraries.function_count() as i64),
        ),
    ]);
    Ok(Reply::field_map(vec![
        ("running_script", running),
        ("engines", Reply::field_map(vec![(ENGINE_NAME, lua)])),
    ])
    .into())
}

/// ```text
/// FUNCTION KILL
/// ```
fn function_kill(engine: &mut Engine, _: &Call<'_>) -> CommandResult {
    engine.kill_script(false)?;
    Ok(Reply::ok().into())
}

/// ```text
/// FUNCTION HELP
/// ```
fn function_help(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Ok(Outcome::Reply(Reply::help(
        "FUNCTION",
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    )))
}
