//! Scripts: EVAL's Lua run inside the engine, as Redis 7.0 runs them, without ever freezing
//! the host.
//!
//! # How a script runs
//!
//! Redis runs a script on its one thread from start to end. While it runs nothing else
//! happens, and after `busy-reply-threshold` milliseconds (`lua-time-limit`, 5000 by default)
//! a hook it installed every 100,000 instructions starts *answering* other clients from
//! inside the script: the commands flagged `allow-busy` run (SCRIPT KILL, FUNCTION KILL,
//! SHUTDOWN NOSAVE, AUTH, HELLO, MULTI…), everything else gets `-BUSY`.
//!
//! This engine cannot do that from inside: in the browser it runs in a Web Worker, a single
//! thread that hears another message only when the code running returns. So the script is
//! *sliced*. `keyspace-lua`'s VM runs for a budget of instructions and comes back paused
//! wherever it is (a loop, a `pcall`, a sort comparator); the engine keeps the paused
//! execution in a [`RunCtx`] and returns. The caller's client is then like a blocked client:
//! its reply will arrive in its outbox. The host (the native server's task loop, the page's
//! worker) calls [`Engine::run_script`] again and again, answering other clients in between:
//!
//! - until the threshold, another client's command waits, as it would behind a running
//!   Redis: it is *deferred* (the client is held like a blocked one) and runs when the script
//!   ends, in arrival order;
//! - from the threshold on, the script is "timed out": what was deferred is answered the way
//!   Redis's `processCommand` answers during a busy script (the `allow-busy` commands run,
//!   others get `BUSY Redis is busy running a script…`), and so is what comes after;
//! - SCRIPT KILL marks the run killed (refused with UNKILLABLE once the script has written:
//!   stopping half-way would leave half a transaction); the next slice ends it with
//!   `ERR Script killed by user with SCRIPT KILL...`. SHUTDOWN NOSAVE ends the process (the
//!   page restarts the worker from what it kept, without the script's writes, which were
//!   never logged).
//!
//! Time is frozen for the script (Redis's `snapshot_time`): keys do not expire between two
//! of its reads, whatever the slices cost. Its writes go to the append-only log as their
//! effects, wrapped in MULTI/EXEC when there are several, at its end — so a script killed by
//! SHUTDOWN NOSAVE leaves nothing in the log.
//!
//! # The script client
//!
//! As in Redis, the script's commands run on a client of their own (id 1, which is why the
//! first real connection gets id 3; 2 is functions'): it starts each run in the caller's
//! database, speaks RESP2 until `redis.setresp(3)`, never blocks (BLPOP answers at once), and
//! is not listed by CLIENT LIST or counted by INFO.
//!
//! The Lua environment (the `redis` table, the protected globals, the conversions between
//! replies and Lua values) is in [`lua`]; the commands in `crate::cmd::scripting`. Functions
//! (FUNCTION LOAD, FCALL), which run on the same machinery in a Lua state of their own, are
//! in [`functions`] and `crate::cmd::functions`.

pub mod convert;
pub(crate) mod function_lua;
pub mod functions;
pub mod lua;
pub(crate) mod run;
pub use run::RunningScript;

use indexmap::IndexMap;
use keyspace_lua::{Execution, Lua, Pin};
use sha1::{Digest, Sha1};

use crate::engine::ClientId;

/// Instructions a slice runs before the host gets control back: a few milliseconds of Lua,
/// so that the page stays responsive and a timed-out script answers others promptly.
pub const SLICE_BUDGET: u64 = 200_000;

/// The script client's id: Redis creates its Lua client before any connection.
pub const SCRIPT_CLIENT: ClientId = ClientId(1);

/// Flags a script declares in its `#!lua flags=…` line (Redis's `scripts_flags_def`).
pub mod flags {
    pub const NO_WRITES: u32 = 1 << 0;
    pub const ALLOW_OOM: u32 = 1 << 1;
    pub const ALLOW_STALE: u32 = 1 << 2;
    pub const NO_CLUSTER: u32 = 1 << 3;
    pub const ALLOW_CROSS_SLOT: u32 = 1 << 4;
    /// No shebang: the script runs as before 7.0 (`SCRIPT_FLAG_EVAL_COMPAT_MODE`).
    pub const EVAL_COMPAT: u32 = 1 << 5;

    /// The names of the flags set in `bits`, in Redis's order.
    pub fn names(bits: u32) -> impl Iterator<Item = &'static str> {
        NAMES
            .into_iter()
            .filter(move |(_, bit)| bits & bit != 0)
            .map(|(name, _)| name)
    }

    /// The names a shebang may give, and their flags.
    pub const NAMES: [(&str, u32); 5] = [
        ("no-writes", NO_WRITES),
        ("allow-oom", ALLOW_OOM),
        ("allow-stale", ALLOW_STALE),
        ("no-cluster", NO_CLUSTER),
        ("allow-cross-slot-keys", ALLOW_CROSS_SLOT),
    ];
}

/// A script in EVAL's cache: its body (for SCRIPT LOAD's memory and for saving nothing: Redis
/// does not persist EVAL scripts) and the compiled function, kept alive in the interpreter.
pub(crate) struct CachedScript {
    pub body: Vec<u8>,
    pub function: Pin,
    pub flags: u32,
}

/// What a run may and may not do, and what it did (Redis's `scriptRunCtx.flags`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RunFlags {
    /// EVAL (as opposed to FCALL): the BUSY and kill texts name SCRIPT KILL.
    pub eval: bool,
    /// EVAL_RO, or a script declaring `no-writes`: write commands are refused.
    pub read_only: bool,
    pub allow_oom: bool,
    /// A write command ran: the run can no longer be killed, nor refused on OOM.
    pub write_dirty: bool,
    pub killed: bool,
    /// Past `busy-reply-threshold`: other clients are answered, BUSY for most.
    pub timed_out: bool,
    /// Stopped inside EXEC past the threshold, where nothing could kill it.
    pub stopped_in_exec: bool,
}

/// Where writes made by the script are propagated (`redis.set_repl`).
pub mod repl {
    pub const AOF: u8 = 1;
    pub const REPLICA: u8 = 2;
    pub const ALL: u8 = AOF | REPLICA;
}

/// The script running now.
pub(crate) struct RunCtx {
    /// The client that sent EVAL: it gets the reply.
    pub caller: ClientId,
    /// The script's SHA1 (a function's name, for FCALL), as the error messages name it.
    pub funcname: String,
    pub flags: RunFlags,
    /// Monotonic time (µs) when it started, against `busy-reply-threshold`.
    pub start_us: u64,
    /// The wall time it sees all along (Unix ms).
    pub snapshot_ms: u64,
    /// [`repl`] flags, as `redis.set_repl` left them.
    pub repl: u8,
    /// Used memory was over `maxmemory` when it started (Redis's `pre_command_oom_state`):
    /// its first write that may grow memory is refused.
    pub oom_at_start: bool,
    /// Commands other clients sent while it ran, in arrival order, held until it ends (or,
    /// once it times out, answered as a busy server answers them).
    pub deferred: Vec<(ClientId, Vec<Vec<u8>>)>,
    /// The paused execution, out of here while a slice runs it.
    pub exec: Option<Execution>,
    /// The command that started it (`eval`, `evalsha`, `fcall`…).
    pub command: String,
    /// The caller's whole command: FUNCTION STATS shows it, and an ACL LOG entry for a
    /// refusal inside the script describes the caller with it.
    pub caller_argv: Vec<Vec<u8>>,
    /// It did not end in its first slice: its command's statistics are completed at its end.
    pub exec_started_async: bool,
}

/// The engine's scripting state.
#[derive(Default)]
pub(crate) struct Scripting {
    /// The interpreter, created on first use and out of here while a slice runs it.
    pub lua: Option<Lua>,
    /// EVAL's scripts by SHA1 (lower-case hex), in the order they were first seen.
    pub scripts: IndexMap<String, CachedScript>,
    pub run: Option<RunCtx>,
    /// The functions engine: its own Lua state and the libraries.
    pub functions: functions::Functions,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may run `noscript` commands.
    pub disable_deny_script: bool,
    /// Scripts run since start, for the collector's pace.
    pub runs: u64,
    /// `math.random`'s generator as the last slice left it. Redis's is the process's
    /// (`redisLrand48`): EVAL's scripts and functions draw from one sequence, which SCRIPT
    /// FLUSH does not restart. Handed to the state that runs a slice, taken back after
    /// (None until a script ran).
    pub random_state: Option<u64>,
}

impl Scripting {
    /// Whether a script is running (between its slices).
    pub fn is_running(&self) -> bool {
        self.run.is_some()
    }

    /// Whether the running script has passed `busy-reply-threshold`.
    pub fn is_timed_out(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.flags.timed_out)
    }

    /// Bytes held by the cached scripts' bodies and names (INFO's `used_memory_scripts_eval`,
    /// Redis's `lua_scripts_mem`: the sds of the SHA and the body's object).
    pub fn scripts_memory(&self) -> usize {
        self.scripts
            .values()
            .map(|s| SHA_SDS_BYTES + crate::memory::sds_alloc(s.body.len()) + OBJECT_BYTES)
            .sum()
    }
}

/// A 40-character SHA1 name's sds allocation (header, 40 bytes, terminator, rounded).
const SHA_SDS_BYTES: usize = 48;
/// A string object's header.
const OBJECT_BYTES: usize = 16;

/// The lower-case hex SHA1 of `bytes`, as Redis names scripts and `redis.sha1hex` answers.
pub fn sha1_hex(bytes: &[u8]) -> String {
    let digest = Sha1::digest(bytes);
    let mut out = String::with_capacity(40);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A script body's `#!lua flags=…` line: its flags and the length of the line (the code
/// compiled starts after it, on the same line numbers: the newline stays). Redis's
/// `evalExtractShebangFlags`, with its error texts. No shebang: compatibility mode.
pub fn shebang_flags(body: &[u8]) -> Result<(u32, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((flags::EVAL_COMPAT, 0));
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err("Invalid script shebang".into());
    };
    let parts = match crate::cli::split_args(&body[..end]) {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid engine in script shebang".into()),
    };
    if parts[0] != b"#!lua" {
        return Err(format!(
            "Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(&parts[0])
        ));
    }
    let mut found = 0;
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!(
                "Unknown lua shebang option: {}",
                String::from_utf8_lossy(part)
            ));
        };
        // Redis splits on commas keeping empty pieces: `flags=` alone is no flag at all,
        // `flags=a,` an unknown empty one.
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            match flags::NAMES.iter().find(|(n, _)| n.as_bytes() == name) {
                Some((_, flag)) => found |= flag,
                None => {
                    return Err(format!(
                        "Unexpected flag in script shebang: {}",
                        String::from_utf8_lossy(name)
                    ))
                }
            }
        }
    }
    Ok((found, end))
}

/// A function library as the page's Server tab lists it.
pub struct LibraryView<'a> {
    pub name: &'a str,
    /// The code as loaded, its `#!lua` line included.
    pub code: &'a [u8],
    /// Each function's name and flags, in registration order.
    pub functions: Vec<(&'a str, Vec<&'static str>)>,
}

impl crate::Engine {
    /// The scripts in EVAL's cache, oldest first: SHA1 and body.
    pub fn cached_scripts(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.scripting
            .scripts
            .iter()
            .map(|(sha, script)| (sha.as_str(), script.body.as_slice()))
    }

    /// The function libraries, in the order FUNCTION LIST gives them.
    pub fn function_libraries(&self) -> impl Iterator<Item = LibraryView<'_>> {
        self.scripting
            .functions
            .current
            .iter()
            .map(|library| LibraryView {
                name: &library.name,
                code: &library.code,
                functions: library
                    .functions
                    .iter()
                    .map(|f| (f.name.as_str(), flags::names(f.flags).collect()))
                    .collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_names_scripts_as_redis_does() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            sha1_hex(b"return 1"),
            "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
        );
    }

    #[test]
    fn shebangs_give_flags_or_redis_errors() {
        assert_eq!(shebang_flags(b"return 1"), Ok((flags::EVAL_COMPAT, 0)));
        assert_eq!(shebang_flags(b"#!lua\nreturn 1"), Ok((0, 5)));
        assert_eq!(
            shebang_flags(b"#!lua flags=no-writes,allow-oom\nreturn 1"),
            Ok((flags::NO_WRITES | flags::ALLOW_OOM, 31))
        );
        assert_eq!(shebang_flags(b"#!lua flags=\nx"), Ok((0, 12)));
        assert_eq!(
            shebang_flags(b"#!lua"),
            Err("Invalid script shebang".into())
        );
        assert_eq!(
            shebang_flags(b"#!python\n"),
            Err("Unexpected engine in script shebang: #!python".into())
        );
        assert_eq!(
            shebang_flags(b"#!lua flags=no-writes,bad\n"),
            Err("Unexpected flag in script shebang: bad".into())
        );
        assert_eq!(
            shebang_flags(b"#!lua name=x\n"),
            Err("Unknown lua shebang option: name=x".into())
        );
    }
}
