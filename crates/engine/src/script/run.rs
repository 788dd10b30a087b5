//! A script's run, slice by slice (see the module above for why): starting it with Redis's
//! checks (`scriptPrepareForRun`), each `redis.call` with its own (`scriptCall`), the slices
//! and the threshold (`scriptInterrupt`), SCRIPT KILL, the end (the reply, the commands that
//! waited, the log), and what other clients get meanwhile.

use keyspace_lua::{Execution, Step, Value};

use super::{convert, flags, lua, repl, RunCtx, RunFlags, SCRIPT_CLIENT, SLICE_BUDGET};
use crate::engine::{ClientId, Engine, Outcome};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec::{self, flag, CommandResult};

/// Lua's heap limit: past it an allocation raises `not enough memory` and the script ends
/// with Redis's "Error running script" (Redis itself has no limit and would abort the
/// process when the allocator fails).
pub const LUA_MEMORY_LIMIT: usize = 256 * 1024 * 1024;

/// A running script as [`Engine::running_script`] describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunningScript {
    /// The client that sent EVAL or FCALL: it waits for the reply.
    pub caller: ClientId,
    /// FCALL's function rather than EVAL's script.
    pub function: bool,
    /// A write command ran: SCRIPT KILL and FUNCTION KILL answer UNKILLABLE.
    pub wrote: bool,
}

/// What a script is run with.
pub(crate) struct ScriptRun<'a> {
    /// The command that runs it (`eval`, `evalsha_ro`…), for its statistics.
    pub command: &'a str,
    pub funcname: String,
    pub function: Value,
    pub keys: &'a [Vec<u8>],
    pub args: &'a [Vec<u8>],
    pub script_flags: u32,
    /// EVAL_RO / EVALSHA_RO / FCALL_RO.
    pub ro: bool,
    /// EVAL and its kin, run in EVAL's Lua state with KEYS and ARGV as globals; else a
    /// function (FCALL), run in the functions' state with them as its arguments.
    pub eval: bool,
    /// The caller's whole command (FUNCTION STATS's `command`).
    pub argv: &'a [Vec<u8>],
}

impl Engine {
    /// The scripting state's interpreter, created on first use.
    pub(crate) fn lua_state(&mut self) -> &mut keyspace_lua::Lua {
        self.scripting.lua.get_or_insert_with(|| {
            // The setup cannot fail but for a bug (`lua::tests` runs it); a bare state then
            // answers every script with an error rather than stopping the server.
            let mut lua = lua::new_state().unwrap_or_default();
            lua.set_memory_limit(Some(LUA_MEMORY_LIMIT));
            lua
        })
    }

    /// Starts a script for `caller` (`scriptPrepareForRun`, then `luaCallFunction`): the
    /// checks a script with declared flags gets, KEYS and ARGV set, the first slice run. The
    /// reply, or [`Outcome::Blocked`] while it goes on in later slices.
    pub(crate) fn start_script(&mut self, caller: ClientId, run: ScriptRun<'_>) -> CommandResult {
        let compat = run.script_flags & flags::EVAL_COMPAT != 0;
        let declared = |f: u32| !compat && run.script_flags & f != 0;
        if self.stale_replica() && !declared(flags::ALLOW_STALE) {
            // A script without a shebang gets the plain MASTERDOWN, one with flags the words
            // about `allow-stale`.
            return Err(match compat {
                true => Error::MasterDown,
                false => Error::ScriptMasterDown,
            });
        }
        if !compat && !declared(flags::NO_WRITES) {
            if self.has_master()
                && self.config.flag("replica-read-only")
                && !self.is_master_client(caller)
            {
                return Err(Error::ScriptReadOnlyReplica);
            }
            self.check_disk_error_for_scripts()?;
            if run.ro {
                return Err(Error::ScriptWriteFlagWithRo);
            }
            self.check_good_replicas()?;
        }
        let over = self.pre_command_oom;
        if !compat && over && !declared(flags::ALLOW_OOM) && !declared(flags::NO_WRITES) {
            return Err(Error::ScriptOom);
        }

        let caller_state = self.clients.get(&caller).map(|c| (c.db, c.user.clone()));
        let Some((db, user)) = caller_state else {
            return Ok(Reply::Null.into());
        };
        self.prepare_script_client(db, user);
        let snapshot_ms = self.now_ms;
        self.scripting.run = Some(RunCtx {
            caller,
            funcname: run.funcname,
            flags: RunFlags {
                eval: run.eval,
                read_only: run.ro || declared(flags::NO_WRITES),
                allow_oom: declared(flags::ALLOW_OOM),
                ..RunFlags::default()
            },
            start_us: self.clock.elapsed_us(),
            snapshot_ms,
            repl: repl::ALL,
            oom_at_start: over,
            deferred: Vec::new(),
            exec: None,
            command: run.command.to_string(),
            caller_argv: run.argv.to_vec(),
            exec_started_async: false,
        });

        let started = if run.eval {
            self.eval_execution(run.function, run.keys, run.args)
        } else {
            self.function_execution(run.function, run.keys, run.args)
        };
        match started {
            Ok(exec) => {
                if let Some(r) = self.scripting.run.as_mut() {
                    r.exec = Some(exec);
                }
            }
            Err(_) => {
                let funcname = self.scripting.run.take().map(|r| r.funcname);
                self.collect_lua_garbage(run.eval);
                return Err(Error::ScriptRunFailed(
                    funcname.unwrap_or_default(),
                    keyspace_lua::error::MEMORY_MESSAGE.into(),
                ));
            }
        }
        if let Some(result) = self.script_slice() {
            return result;
        }
        if self.in_exec {
            return self.run_script_whole();
        }
        if let Some(c) = self.clients.get_mut(&caller) {
            c.postponed = true;
        }
        if let Some(r) = self.scripting.run.as_mut() {
            r.exec_started_async = true;
        }
        Ok(Outcome::Blocked)
    }

    /// Sets up an EVAL script's run: KEYS and ARGV as globals, the script called by `xpcall`
    /// under Redis's error handler.
    fn eval_execution(
        &mut self,
        script: Value,
        keys: &[Vec<u8>],
        args: &[Vec<u8>],
    ) -> keyspace_lua::Result<Execution> {
        let lua = self.lua_state();
        let keys = array(lua, keys)?;
        let args = array(lua, args)?;
        let globals = lua.globals();
        lua.set_readonly(globals, false);
        lua.set_global("KEYS", keys)?;
        lua.set_global("ARGV", args)?;
        lua.set_readonly(globals, true);
        let xpcall = lua.get_global("xpcall");
        let handler = lua.get_global("__redis__err__handler");
        lua.call(xpcall, &[script, handler])
    }

    /// SCRIPT FLUSH (Redis's `scriptingReset`): the cache forgotten, through the lazy-free
    /// queue when `lazy` (`crate::lazyfree`), and a fresh Lua state, made on next use.
    pub(crate) fn reset_scripting(&mut self, lazy: bool) {
        let scripts = std::mem::take(&mut self.scripting.scripts);
        self.free_scripts(scripts, lazy);
        self.scripting.lua = None;
    }

    /// A script inside EXEC runs to its end at once: a transaction is answered whole, and
    /// nothing else can be served meanwhile. Past `busy-reply-threshold` one that has not
    /// written is stopped (nobody could send it SCRIPT KILL); one that has written goes on,
    /// as Redis's would until SHUTDOWN NOSAVE.
    fn run_script_whole(&mut self) -> CommandResult {
        let threshold_us = self.config.int("busy-reply-threshold").max(0) as u64 * 1000;
        loop {
            let over = self.scripting.run.as_ref().is_some_and(|r| {
                !r.flags.write_dirty
                    && self.clock.elapsed_us().saturating_sub(r.start_us) >= threshold_us
            });
            if over {
                if let Some(r) = self.scripting.run.as_mut() {
                    r.flags.killed = true;
                    r.flags.stopped_in_exec = true;
                }
            }
            if let Some(result) = self.script_slice() {
                return result;
            }
        }
    }

    /// The script client as a run starts: the caller's database and user, RESP2.
    fn prepare_script_client(&mut self, db: usize, user: Vec<u8>) {
        if !self.clients.contains_key(&SCRIPT_CLIENT) {
            self.connect_script_client();
        }
        if let Some(c) = self.clients.get_mut(&SCRIPT_CLIENT) {
            c.db = db;
            c.user = user;
            c.protocol = 2;
            c.authenticated = true;
        }
    }

    /// Runs the next slice of the running script, for the front end to call while
    /// [`Engine::script_running`]: it answers clients waiting meanwhile as a busy Redis does
    /// once `busy-reply-threshold` has passed, and ends the script when it finishes or was
    /// killed (its reply then in its caller's outbox, listed by [`Engine::take_woken`]).
    /// After SHUTDOWN nothing runs: Redis has exited, the script with it.
    pub fn run_script(&mut self) {
        if !self.scripting.is_running() || self.shutdown_requested() {
            return;
        }
        let caller = self.script_caller();
        // The slice runs as the caller's command: its own invalidations follow its result.
        let outer = std::mem::replace(&mut self.tracking.current, caller);
        self.tracking.in_call += 1;
        let result = self.script_slice();
        self.tracking.in_call -= 1;
        if let Some(result) = result {
            self.deliver_script_result(caller, result);
        }
        if let Some(caller) = caller {
            self.flush_pending_invalidations(caller);
        }
        self.broadcast_invalidations();
        self.tracking.current = outer;
    }

    /// Ends the running script where it stands, written or not, for a front end that cannot
    /// do what Redis needs for one that has written (SHUTDOWN NOSAVE and a restart): the
    /// scenario player, whose engine must go on. The caller gets SCRIPT KILL's error and the
    /// script's writes stay.
    pub fn stop_script(&mut self) {
        if let Some(run) = self.scripting.run.as_mut() {
            run.flags.killed = true;
        }
        self.run_script();
    }

    /// Whether a script is running: the front end must call [`Engine::run_script`] until it
    /// is not.
    pub fn script_running(&self) -> bool {
        self.scripting.is_running()
    }

    /// The client whose script (or function) is running, if one is: the front end shows it
    /// busy.
    pub fn script_caller(&self) -> Option<ClientId> {
        self.scripting.run.as_ref().map(|r| r.caller)
    }

    /// The running script as a front end shows it: whose it is, whether it is a function
    /// (FUNCTION KILL stops it rather than SCRIPT KILL), and whether it has written (then
    /// neither can, and only SHUTDOWN NOSAVE ends it).
    pub fn running_script(&self) -> Option<RunningScript> {
        self.scripting.run.as_ref().map(|r| RunningScript {
            caller: r.caller,
            function: !r.flags.eval,
            wrote: r.flags.write_dirty,
        })
    }

    /// One slice: the script's result when it ended (normally, with an error, killed), None
    /// when it is paused. A script past the threshold is marked timed out, which answers the
    /// commands that waited for it.
    fn script_slice(&mut self) -> Option<CommandResult> {
        let killed = self.scripting.run.as_ref().is_some_and(|r| r.flags.killed);
        let exec = self.scripting.run.as_mut().and_then(|r| r.exec.take());
        let (Some(mut exec), Some(mut lua)) = (exec, self.lua_state_taken()) else {
            return Some(self.end_script(Err(Error::ScriptRunFailed(
                "execution failure".into(),
                String::new(),
            ))));
        };
        if killed {
            // Redis raises the kill where the script stands, and its error handler names the
            // place: ` script: <sha1>, on @user_script:<line>.`
            let position = lua.position(&exec);
            lua.kill(exec);
            self.return_lua_state(lua);
            let in_exec = self
                .scripting
                .run
                .as_ref()
                .is_some_and(|r| r.flags.stopped_in_exec);
            let mut text = if in_exec {
                Error::ScriptStoppedInExec
            } else {
                Error::ScriptKilled
            }
            .to_string();
            if let (Some((source, line)), Some(run)) = (position, &self.scripting.run) {
                text.push_str(&format!(
                    " script: {}, on {}:{line}.",
                    run.funcname,
                    String::from_utf8_lossy(&source)
                ));
            }
            let error = Error::ScriptError {
                text,
                counted: false,
            };
            return Some(self.end_script(Err(error)));
        }
        // The script sees the time it started at, whatever ran between its slices.
        if let Some(run) = &self.scripting.run {
            self.now_ms = run.snapshot_ms;
        }
        let step = lua.resume(&mut exec, self, SLICE_BUDGET);
        let result = match step {
            Step::Paused => {
                self.return_lua_state(lua);
                if let Some(r) = self.scripting.run.as_mut() {
                    r.exec = Some(exec);
                }
                self.check_busy_threshold();
                return None;
            }
            Step::Done(values) => self.script_returned(&mut lua, &values),
            Step::Error(value) => self.script_failed(&mut lua, value),
        };
        self.return_lua_state(lua);
        Some(self.end_script(result))
    }

    /// The running script's interpreter (EVAL's or the functions'), taken out of the engine
    /// for a slice (created first if need be).
    fn lua_state_taken(&mut self) -> Option<keyspace_lua::Lua> {
        let mut lua = if self.running_eval() {
            self.lua_state();
            self.scripting.lua.take()
        } else {
            self.function_lua().lua.take()
        }?;
        if let Some(state) = self.scripting.random_state {
            lua.set_random_state(state);
        }
        Some(lua)
    }

    /// Puts the interpreter a slice ran back where it belongs.
    fn return_lua_state(&mut self, lua: keyspace_lua::Lua) {
        self.scripting.random_state = Some(lua.random_state());
        if self.running_eval() {
            self.scripting.lua = Some(lua);
        } else {
            self.function_lua().lua = Some(lua);
        }
    }

    /// Whether the running script is EVAL's (or nothing runs), not a function.
    fn running_eval(&self) -> bool {
        self.scripting.run.as_ref().is_none_or(|r| r.flags.eval)
    }

    /// EVAL's Lua state (`eval`) or the functions', when it exists and is in its place.
    fn script_lua(&mut self, eval: bool) -> Option<&mut keyspace_lua::Lua> {
        if eval {
            self.scripting.lua.as_mut()
        } else {
            self.scripting
                .functions
                .lua
                .as_mut()
                .and_then(|s| s.lua.as_mut())
        }
    }

    /// `xpcall` returned `true, result...` or `false, error`.
    fn script_returned(&mut self, lua: &mut keyspace_lua::Lua, values: &[Value]) -> CommandResult {
        if values.first() == Some(&Value::Bool(false)) {
            let error = values.get(1).copied().unwrap_or_default();
            return self.script_failed(lua, error);
        }
        let protocol = self.clients.get(&SCRIPT_CLIENT).map_or(2, |c| c.protocol);
        let value = values.get(1).copied().unwrap_or_default();
        let reply = convert::lua_to_reply(lua, value, protocol);
        if let Reply::Error(text) = &reply {
            // An error table returned (`return redis.pcall(...)`) counts as a failure of the
            // script, and in errorstats only if its command's failure was not counted.
            let counted = matches!(value, Value::Table(t)
                if lua.raw_get_field(t, "ignore_error_stats_update") == Value::Bool(true));
            return Err(Error::ScriptError {
                text: text.clone(),
                counted,
            });
        }
        Ok(reply.into())
    }

    /// The script raised `value`: Redis's message, with where it happened when the error
    /// handler could tell (`-ERR … script: f_…, on @user_script:1.`).
    fn script_failed(&mut self, lua: &mut keyspace_lua::Lua, value: Value) -> CommandResult {
        let funcname = self
            .scripting
            .run
            .as_ref()
            .map(|r| r.funcname.clone())
            .unwrap_or_default();
        if !matches!(value, Value::Table(_)) {
            let message = lua
                .to_bytes(value)
                .filter(|_| matches!(value, Value::Str(_) | Value::Num(_)))
                .map_or_else(
                    || "execution failure".to_string(),
                    |b| String::from_utf8_lossy(&b).into_owned(),
                );
            return Err(Error::ScriptRunFailed(funcname, message));
        }
        let failure = convert::failure(lua, value);
        let mut text = failure.message.replace(['\r', '\n'], " ");
        if let (Some(source), Some(line)) = (failure.source, failure.line) {
            text.push_str(&format!(" script: {funcname}, on {source}:{line}."));
        }
        Err(Error::ScriptError {
            text,
            counted: failure.counted,
        })
    }

    /// Past `busy-reply-threshold`, the script is timed out: what waited for it is answered
    /// now as a busy server answers (`scriptInterrupt`).
    fn check_busy_threshold(&mut self) {
        let threshold_us = self.config.int("busy-reply-threshold").max(0) as u64 * 1000;
        let now_us = self.clock.elapsed_us();
        let Some(run) = self.scripting.run.as_mut() else {
            return;
        };
        if run.flags.timed_out || now_us.saturating_sub(run.start_us) < threshold_us {
            return;
        }
        run.flags.timed_out = true;
        let deferred = std::mem::take(&mut run.deferred);
        for (client, argv) in deferred {
            self.answer_deferred(client, &argv);
        }
    }

    /// Runs a command that waited behind the script (or for a pause to end) and puts its
    /// replies in its client's outbox.
    pub(crate) fn answer_deferred(&mut self, client: ClientId, argv: &[Vec<u8>]) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.postponed = false;
        }
        let outcome = self.execute(client, argv);
        if let Some(c) = self.clients.get_mut(&client) {
            for reply in outcome.into_replies() {
                c.outbox.push_back(reply);
            }
        }
        self.woken.push(client);
    }

    /// The end of a run: the writes logged as one transaction, blocked clients served, the
    /// commands that waited run in arrival order; the caller's result goes back (returned for
    /// the first slice's EVAL, delivered to the outbox for a later one).
    fn end_script(&mut self, result: CommandResult) -> CommandResult {
        let Some(run) = self.scripting.run.take() else {
            return result;
        };
        if let Some(c) = self.clients.get_mut(&SCRIPT_CLIENT) {
            c.protocol = 2;
        }
        if let Some(c) = self.clients.get_mut(&run.caller) {
            c.postponed = false;
        }
        // A run that went on past its EVAL's own call is a failed call of that command when
        // it fails: `call` only saw it start.
        if run.exec_started_async && is_failure(&result) {
            self.count_failed(&run.command);
        }
        self.end_propagated_transaction();
        self.now_ms = self.clock.now_ms();
        self.collect_lua_garbage_now_and_then(run.flags.eval);
        self.serve_blocked_clients();
        for (client, argv) in run.deferred {
            self.answer_deferred(client, &argv);
        }
        result
    }

    /// Redis runs a Lua GC step every 50 scripts; the engine does a full collection at the
    /// same pace, which keeps `used_memory_lua` honest without a pause per script, and at once
    /// after a script that filled half the heap (one that ran out of memory leaves its
    /// garbage behind, which the next script must not trip on). `eval` says which state ran
    /// it: EVAL's or the functions'.
    fn collect_lua_garbage_now_and_then(&mut self, eval: bool) {
        self.scripting.runs += 1;
        let full = self
            .script_lua(eval)
            .is_some_and(|lua| lua.used_memory() > LUA_MEMORY_LIMIT / 2);
        if full || self.scripting.runs.is_multiple_of(GC_PERIOD) {
            self.collect_lua_garbage(eval);
        }
    }

    fn collect_lua_garbage(&mut self, eval: bool) {
        if let Some(lua) = self.script_lua(eval) {
            lua.collect();
        }
    }

    /// A script that ended in a later slice: its reply goes to the caller's outbox, counted
    /// as `execute` counts an error reply.
    fn deliver_script_result(&mut self, caller: Option<ClientId>, result: CommandResult) {
        let Some(caller) = caller else {
            return;
        };
        let replies = self.outcome_of(result).into_replies();
        if let Some(c) = self.clients.get_mut(&caller) {
            c.outbox.extend(replies);
        }
        self.woken.push(caller);
    }

    /// A command sent while a script runs and before it times out waits for it, as it would
    /// wait behind a running Redis: held, and run when the script ends.
    pub(crate) fn defer_behind_script(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Outcome {
        if let Some(run) = self.scripting.run.as_mut() {
            run.deferred.push((client, argv.to_vec()));
        }
        if let Some(c) = self.clients.get_mut(&client) {
            c.postponed = true;
        }
        Outcome::Blocked
    }

    /// SCRIPT KILL (`scriptKill`): marks the running script killed, so that its next slice
    /// ends it; refused when nothing runs or when it has written.
    pub(crate) fn kill_script(&mut self, eval: bool) -> Result<(), Error> {
        let Some(run) = self.scripting.run.as_mut() else {
            return Err(Error::NotBusy);
        };
        if run.flags.write_dirty {
            return Err(Error::Unkillable);
        }
        if eval != run.flags.eval {
            return Err(Error::Busy {
                eval: run.flags.eval,
            });
        }
        run.flags.killed = true;
        Ok(())
    }

    /// One `redis.call`: Redis's checks, then the command on the script client. The reply and
    /// the protocol it is read in, or the refusal's text.
    pub(crate) fn script_call(&mut self, argv: &[Vec<u8>]) -> (Result<Reply, String>, u8) {
        let outcome = self.script_call_checked(argv);
        let protocol = self.clients.get(&SCRIPT_CLIENT).map_or(2, |c| c.protocol);
        (outcome, protocol)
    }

    fn script_call_checked(&mut self, argv: &[Vec<u8>]) -> Result<Reply, String> {
        let (spec, name) = match spec::resolve(argv) {
            Ok((spec, name)) if spec.handler.is_some() && spec.arity_ok(argv.len()) => (spec, name),
            Ok((_, name)) => {
                let text = "Wrong number of args calling Redis command from script";
                return Err(self.refuse_in_script(Some(&name), text));
            }
            Err(_) => {
                return Err(self.refuse_in_script(None, "Unknown Redis command called from script"))
            }
        };
        if spec.has(flag::NOSCRIPT) && !self.scripting.disable_deny_script {
            let text = "This Redis command is not allowed from script";
            return Err(self.refuse_in_script(Some(&name), text));
        }
        // A script flagged `allow-stale` runs on a stale replica, but only the commands that
        // may (`scriptVerifyAllowStale`).
        if self.stale_replica() && !spec.has(flag::STALE) {
            let text = "Can not execute the command on a stale replica";
            return Err(self.refuse_in_script(Some(&name), text));
        }
        if let Err(text) = self.check_permissions_in_script(spec, argv, &name) {
            return Err(self.refuse_in_script(Some(&name), &text));
        }
        let run_flags = self
            .scripting
            .run
            .as_ref()
            .map(|r| r.flags)
            .unwrap_or_default();
        let writes = spec.has(flag::WRITE);
        if run_flags.read_only && (writes || spec.has(flag::MAY_REPLICATE)) {
            let text = "Write commands are not allowed from read-only scripts.";
            return Err(self.refuse_in_script(Some(&name), text));
        }
        if writes && !run_flags.write_dirty {
            let caller = self.scripting.run.as_ref().map(|r| r.caller);
            let refused = caller
                .map_or(Ok(()), |c| {
                    self.check_read_only_replica(c, spec.flags, argv)
                })
                .and_then(|()| self.check_disk_error(SCRIPT_CLIENT, spec.flags, argv))
                .and_then(|()| self.check_good_replicas());
            if let Err(e) = refused {
                return Err(self.refuse_in_script(Some(&name), &format!("-{e}")));
            }
        }
        let oom_at_start = self.scripting.run.as_ref().is_some_and(|r| r.oom_at_start);
        if !run_flags.allow_oom
            && !run_flags.write_dirty
            && oom_at_start
            && self.eviction.maxmemory > 0
            && spec.has(flag::DENYOOM)
        {
            return Err(self.refuse_in_script(Some(&name), &format!("-{}", Error::Oom)));
        }
        if writes {
            if let Some(r) = self.scripting.run.as_mut() {
                r.flags.write_dirty = true;
            }
        }
        let result = self.call(SCRIPT_CLIENT, spec, &name, argv);
        let reply = match result {
            Ok(outcome) => outcome
                .into_replies()
                .into_iter()
                .next()
                .unwrap_or(Reply::Null),
            Err(e) => Reply::from(e),
        };
        if let Reply::Error(text) = &reply {
            self.count_error(text);
        }
        Ok(reply)
    }

    /// A command the script may not run: counted as Redis's `afterErrorReply` and
    /// `incrCommandStatsOnError(…, ERROR_COMMAND_REJECTED)` count it; its text.
    fn refuse_in_script(&mut self, name: Option<&str>, text: &str) -> String {
        let line = convert::error_line(text);
        self.count_error(&line);
        if let Some(name) = name {
            self.count_rejected(name);
        }
        format!("-{line}")
    }

    /// `redis.setresp`.
    pub(crate) fn set_script_protocol(&mut self, protocol: u8) {
        if let Some(c) = self.clients.get_mut(&SCRIPT_CLIENT) {
            c.protocol = protocol;
        }
    }

    /// `redis.set_repl`.
    pub(crate) fn set_script_repl(&mut self, flags: u8) {
        if let Some(r) = self.scripting.run.as_mut() {
            r.repl = flags;
        }
    }

    /// `redis.acl_check_cmd`: None for an unknown command.
    pub(crate) fn script_acl_check(&mut self, argv: &[Vec<u8>]) -> Option<bool> {
        let (spec, _) = spec::resolve(argv).ok()?;
        let user = self.clients.get(&SCRIPT_CLIENT).map(|c| c.user.clone())?;
        Some(
            self.acl
                .users
                .get(&user)
                .is_none_or(|u| u.check(spec, argv).is_ok()),
        )
    }

    /// `redis.log`: into the server's log (the native server prints it, the page shows it).
    pub(crate) fn script_log(&mut self, level: i64, line: &[u8]) {
        let verbosity = match self.config.text("loglevel") {
            "debug" => 0,
            "verbose" => 1,
            "notice" => 2,
            _ => 3,
        };
        if level >= verbosity {
            self.log_line(String::from_utf8_lossy(line).into_owned());
        }
    }

    /// A command's flags, those a script declares in place of EVAL's own
    /// (`evalGetCommandFlags` and `scriptFlagsToCmdFlags`): a script that may write is a
    /// write command for MISCONF, and one that may grow memory is refused over `maxmemory`.
    pub(crate) fn script_command_flags(&self, spec: &spec::CommandSpec, argv: &[Vec<u8>]) -> u32 {
        let evalsha = match spec.name {
            "eval" | "eval_ro" => false,
            "evalsha" | "evalsha_ro" => true,
            // `fcallGetCommandFlags`: a function always has declared flags.
            "fcall" | "fcall_ro" => {
                return self
                    .function_flags(argv)
                    .map_or(spec.flags, |f| script_flags_to_command_flags(spec.flags, f))
            }
            _ => return spec.flags,
        };
        let Some(body) = argv.get(1) else {
            return spec.flags;
        };
        let script_flags = if evalsha {
            let sha = String::from_utf8_lossy(body).to_ascii_lowercase();
            match self.scripting.scripts.get(&sha) {
                Some(script) => script.flags,
                None => return spec.flags,
            }
        } else {
            match self.scripting.scripts.get(&super::sha1_hex(body)) {
                Some(script) => script.flags,
                None => match super::shebang_flags(body) {
                    Ok((script_flags, _)) => script_flags,
                    Err(_) => return spec.flags,
                },
            }
        };
        if script_flags & flags::EVAL_COMPAT != 0 {
            return spec.flags;
        }
        script_flags_to_command_flags(spec.flags, script_flags)
    }

    /// While a script is past `busy-reply-threshold` only the `allow-busy` commands run.
    pub(crate) fn check_busy(&self, spec: &spec::CommandSpec) -> Result<(), Error> {
        match &self.scripting.run {
            Some(run) if run.flags.timed_out && !spec.has(flag::ALLOW_BUSY) => Err(Error::Busy {
                eval: run.flags.eval,
            }),
            _ => Ok(()),
        }
    }

    /// Whether writes made now are grouped until the end of a transaction or a script.
    pub(crate) fn grouping_writes(&self) -> bool {
        self.in_exec || self.scripting.is_running()
    }

    /// Where the running script's writes go (`redis.set_repl`): the log, the replicas, both
    /// (also when no script runs) or neither.
    pub(crate) fn script_propagation(&self) -> u8 {
        self.scripting.run.as_ref().map_or(repl::ALL, |r| r.repl)
    }
}

/// A command's flags with a script's declared flags in place of its own
/// (`scriptFlagsToCmdFlags`).
fn script_flags_to_command_flags(command_flags: u32, script_flags: u32) -> u32 {
    let mut out =
        command_flags & !(flag::STALE | flag::DENYOOM | flag::WRITE | flag::MAY_REPLICATE);
    if script_flags & (flags::ALLOW_OOM | flags::NO_WRITES) == 0 {
        out |= flag::DENYOOM;
    }
    if script_flags & flags::NO_WRITES == 0 {
        out |= flag::WRITE;
    }
    if script_flags & flags::ALLOW_STALE != 0 {
        out |= flag::STALE;
    }
    out
}

fn is_failure(result: &CommandResult) -> bool {
    matches!(result, Err(_) | Ok(Outcome::Reply(Reply::Error(_))))
}

/// Redis's `LUA_GC_CYCLE_PERIOD`: scripts between two collections.
const GC_PERIOD: u64 = 50;

/// KEYS or ARGV as a Lua array.
pub(super) fn array(lua: &mut keyspace_lua::Lua, items: &[Vec<u8>]) -> keyspace_lua::Result<Value> {
    let t = lua.create_table_with(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        let s = lua.create_string(item)?;
        lua.set_index(t, i + 1, s)?;
    }
    Ok(Value::Table(t))
}
