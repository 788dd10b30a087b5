//! The Lua state and the embedding API: creating values, loading chunks, running them as
//! resumable executions, pinning values, limits.

use std::any::Any;
use std::rc::{Rc, Weak};

use crate::error::{Error, Result, HANDLER_MESSAGE, MEMORY_MESSAGE};
use crate::gc::{Function, Heap, LuaClosure, NativeClosure};
use crate::native::{HostFn, NativeFn};
use crate::parser::{compile, CompileError};
use crate::table::SetError;
use crate::value::{FuncRef, StrRef, TableRef, ThreadRef, Type, Value};
use crate::vm::{CoStatus, Next, Outcome, Ret, Thread, BASIC_CI_SIZE, TM_NAMES};

/// Strings the VM and the libraries use by identity.
pub(crate) struct Names {
    pub tm: [StrRef; 17],
    pub mode: StrRef,
    pub n: StrRef,
    pub tostring: StrRef,
    pub metatable: StrRef,
    pub memory_msg: StrRef,
    pub handler_msg: StrRef,
}

/// A Lua 5.1 state: one heap, one set of globals, any number of executions.
pub struct Lua {
    pub(crate) heap: Heap,
    /// The running thread, checked out of its arena slot (a placeholder when idle).
    pub(crate) th: Thread,
    pub(crate) cur: Option<ThreadRef>,
    pub(crate) globals: TableRef,
    pub(crate) registry: TableRef,
    /// Metatables of the types other than tables and userdata (strings get `string`'s).
    pub(crate) type_meta: [Option<TableRef>; 9],
    /// Strings never collected.
    pub(crate) fixed: Vec<StrRef>,
    pub(crate) names: Names,
    pub(crate) executions: Vec<(ThreadRef, Weak<()>)>,
    pub(crate) pins: Vec<Option<Value>>,
    free_pins: Vec<usize>,
    /// C-call depth of the running execution (`nCcalls`).
    pub(crate) ccalls: u32,
    /// Instructions left before the running execution pauses.
    pub(crate) budget: u64,
    /// The `next` functions (global and `pairs`'s), which generic `for` runs inline.
    pub(crate) next_fn: Option<FuncRef>,
    pub(crate) pairs_next_fn: Option<FuncRef>,
    /// `ipairs`'s iterator, also run inline by generic `for`.
    pub(crate) ipairs_aux_fn: Option<FuncRef>,
    /// C levels below an execution's first frame (1 as Redis calls scripts, 2 as lua.c).
    pub(crate) host_levels: usize,
    /// The emulated CallInfo array size of the "main thread", kept across executions.
    pub(crate) main_ci_size: usize,
    /// `redisLrand48`'s state.
    pub(crate) rand48: u64,
    /// What `print` wrote.
    pub(crate) output: Vec<u8>,
    pub(crate) gc_stopped: bool,
    pub(crate) gc_pause: u32,
    pub(crate) gc_stepmul: u32,
}

/// A running (or runnable) call of a Lua function, driven by [`Lua::resume`].
pub struct Execution {
    main: ThreadRef,
    current: ThreadRef,
    /// Keeps the execution's thread rooted while the host holds it.
    _token: Rc<()>,
    ccalls: u32,
    started: bool,
    done: bool,
}

/// What [`Lua::resume`] ended with.
#[derive(Debug)]
pub enum Step {
    /// The function returned these values (valid until Lua runs again or collects; pin
    /// what must live longer).
    Done(Vec<Value>),
    /// The budget was spent: resume again later, or kill it.
    Paused,
    /// The function raised this error value (a message string, or whatever `error` got).
    Error(Value),
}

/// A value kept alive for the host across runs of Lua code ([`Lua::pin`]).
#[derive(Debug)]
pub struct Pin(usize);

impl Default for Lua {
    fn default() -> Lua {
        Lua::new()
    }
}

impl Lua {
    /// A bare state: globals and registry, no libraries. See [`Lua::open_standard`] and
    /// [`Lua::open_redis`].
    pub fn new() -> Lua {
        let mut heap = Heap::new();
        let mut intern = |s: &str| match heap.new_str(s.as_bytes()) {
            Ok(r) => r,
            Err(_) => unreachable!("a new heap has no limit"),
        };
        let tm: [StrRef; 17] = std::array::from_fn(|i| intern(TM_NAMES[i]));
        let names = Names {
            tm,
            mode: tm[crate::vm::Tm::Mode as usize],
            n: intern("n"),
            tostring: intern("__tostring"),
            metatable: intern("__metatable"),
            memory_msg: intern(MEMORY_MESSAGE),
            handler_msg: intern(HANDLER_MESSAGE),
        };
        let mut fixed: Vec<StrRef> = names.tm.to_vec();
        fixed.extend([
            names.n,
            names.tostring,
            names.metatable,
            names.memory_msg,
            names.handler_msg,
        ]);
        let (globals, registry) = match (heap.new_table(0, 0), heap.new_table(0, 0)) {
            (Ok(g), Ok(r)) => (g, r),
            _ => unreachable!("a new heap has no limit"),
        };
        let mut lua = Lua {
            heap,
            th: Thread::default(),
            cur: None,
            globals,
            registry,
            type_meta: [None; 9],
            fixed,
            names,
            executions: Vec::new(),
            pins: Vec::new(),
            free_pins: Vec::new(),
            ccalls: 0,
            budget: 0,
            next_fn: None,
            pairs_next_fn: None,
            ipairs_aux_fn: None,
            host_levels: 1,
            main_ci_size: BASIC_CI_SIZE,
            rand48: crate::stdlib::math::RAND48_INIT,
            output: Vec::new(),
            gc_stopped: false,
            gc_pause: 200,
            gc_stepmul: 200,
        };
        lua.set_threshold();
        lua
    }

    /// Opens what `lua5.1` offers scripts, minus files and the OS: the base library with
    /// `print` (into [`Lua::take_output`]), `coroutine`, `table`, `string`, `math` and
    /// `debug`. For tests and tools; the engine wants [`Lua::open_redis`].
    pub fn open_standard(&mut self) -> Result<()> {
        crate::stdlib::open_standard(self)
    }

    /// Opens the libraries Redis 7.0 loads for scripts (`luaLoadLibraries`): base (without
    /// `print`, `dofile`, `loadfile`, and without `getfenv`, `setfenv` and `newproxy`, which
    /// the Debian redis-server 7.0.15 with its security fixes does not have), `coroutine`,
    /// `table`, `string`, `math` (with Redis's `random`), `debug`, `cjson`, `struct`,
    /// `cmsgpack` and `bit`. Removing `debug`, protecting the globals and adding `redis` are
    /// the host's business (see the crate documentation).
    pub fn open_redis(&mut self) -> Result<()> {
        crate::stdlib::open_redis(self)
    }

    /// How many C levels sit below an execution's first function, as seen by tracebacks,
    /// call-depth limits and `error` levels: 1 (the default) as when Redis calls a script
    /// with `lua_pcall`, 2 as `lua5.1 script.lua` runs a file.
    pub fn set_host_levels(&mut self, levels: usize) {
        self.host_levels = levels.max(1);
    }

    // ------------------------------------------------------------ random numbers

    /// The state of `math.random`'s generator. Redis's is one per process (`rand.c`), not
    /// one per interpreter: a host running several states, or replacing one (SCRIPT FLUSH),
    /// hands it from one to the next.
    pub fn random_state(&self) -> u64 {
        self.rand48
    }

    /// Sets what [`Lua::random_state`] returned.
    pub fn set_random_state(&mut self, state: u64) {
        self.rand48 = state;
    }

    // ------------------------------------------------------------ memory

    /// Limits the heap to `bytes` (as counted by the model described in the crate documentation); an allocation
    /// past it raises `not enough memory`. `None` removes the limit.
    pub fn set_memory_limit(&mut self, bytes: Option<usize>) {
        self.heap.limit = bytes.unwrap_or(usize::MAX);
        self.set_threshold();
    }

    /// Bytes in use (INFO's `used_memory_lua`; `collectgarbage("count")` is this / 1024).
    pub fn used_memory(&self) -> usize {
        self.heap.allocated
    }

    /// Runs a full collection now. Values the host holds without a [`Pin`] (and that Lua
    /// does not reach) are freed.
    pub fn collect(&mut self) {
        self.collect_garbage();
    }

    // ------------------------------------------------------------ values

    pub fn globals(&self) -> TableRef {
        self.globals
    }

    pub fn registry(&self) -> TableRef {
        self.registry
    }

    /// Makes `t` the globals table (C Lua's `lua_replace(L, LUA_GLOBALSINDEX)`): chunks
    /// loaded and natives created from now on take it as their environment. Redis's
    /// functions engine does this to put an empty table, whose `__index` it switches, in
    /// front of the real globals. The old globals stay alive only if something reaches them.
    pub fn set_globals(&mut self, t: TableRef) {
        self.globals = t;
    }

    /// A string value (interned).
    pub fn create_string(&mut self, bytes: impl AsRef<[u8]>) -> Result<Value> {
        Ok(Value::Str(self.heap.new_str(bytes.as_ref())?))
    }

    pub(crate) fn num_to_str(&mut self, n: f64) -> Result<StrRef> {
        let mut buf = Vec::with_capacity(24);
        crate::number::fmt_num(n, &mut buf);
        self.heap.new_str_vec(buf)
    }

    pub fn create_table(&mut self) -> Result<TableRef> {
        self.heap.new_table(0, 0)
    }

    /// A table with room for `narr` array items and `nhash` other keys.
    pub fn create_table_with(&mut self, narr: usize, nhash: usize) -> Result<TableRef> {
        self.heap.new_table(narr, nhash)
    }

    /// A native function the host provides (see [`crate::Ctx`]).
    pub fn create_function(&mut self, f: HostFn) -> Result<Value> {
        self.create_function_with(f, &[])
    }

    /// A native function with upvalues ([`crate::Ctx::upvalue`]).
    pub fn create_function_with(&mut self, f: HostFn, upvalues: &[Value]) -> Result<Value> {
        self.native_closure(NativeFn::Host(f), upvalues)
            .map(Value::Func)
    }

    pub(crate) fn native_closure(&mut self, f: NativeFn, upvals: &[Value]) -> Result<FuncRef> {
        let env = self.globals;
        self.heap.new_func(Function::Native(NativeClosure {
            f,
            upvals: upvals.into(),
            env,
        }))
    }

    /// The bytes of a string value; `None` for other values.
    pub fn str_bytes(&self, v: Value) -> Option<&[u8]> {
        match v {
            Value::Str(s) => Some(self.heap.str(s)),
            _ => None,
        }
    }

    /// A string or number as text, as `lua_tolstring` converts it (no metamethods);
    /// `None` for other values.
    pub fn to_bytes(&self, v: Value) -> Option<Vec<u8>> {
        match v {
            Value::Str(s) => Some(self.heap.str(s).to_vec()),
            Value::Num(n) => {
                let mut b = Vec::new();
                crate::number::fmt_num(n, &mut b);
                Some(b)
            }
            _ => None,
        }
    }

    /// A number, or a string that converts to one (`lua_tonumber`).
    pub fn to_num(&self, v: Value) -> Option<f64> {
        self.to_number(v)
    }

    /// A description of any value as `tostring` gives it without metamethods
    /// (`table: 0x...` for objects).
    pub fn display(&self, v: Value) -> String {
        String::from_utf8_lossy(&self.tostring_raw(v)).into_owned()
    }

    pub(crate) fn tostring_raw(&self, v: Value) -> Vec<u8> {
        match v {
            Value::Nil => b"nil".to_vec(),
            Value::Bool(b) => {
                if b {
                    b"true".to_vec()
                } else {
                    b"false".to_vec()
                }
            }
            Value::Num(_) | Value::Str(_) => self.to_bytes(v).unwrap_or_default(),
            Value::Table(r) => {
                format!("table: 0x{:08x}", 0x1000_0000u64 + u64::from(r.0) * 0x40).into_bytes()
            }
            Value::Func(r) => {
                format!("function: 0x{:08x}", 0x2000_0000u64 + u64::from(r.0) * 0x40).into_bytes()
            }
            Value::Thread(r) => {
                format!("thread: 0x{:08x}", 0x3000_0000u64 + u64::from(r.0) * 0x40).into_bytes()
            }
            Value::UserData(r) => {
                format!("userdata: 0x{:08x}", 0x4000_0000u64 + u64::from(r.0) * 0x40).into_bytes()
            }
            // glibc prints a null %p as "(nil)".
            Value::LightUserData(0) => b"userdata: (nil)".to_vec(),
            Value::LightUserData(p) => format!("userdata: 0x{:x}", p).into_bytes(),
        }
    }

    /// The message of an error, for the host (`tostring` without metamethods).
    pub fn error_text(&self, e: Error) -> String {
        self.display(self.error_value(e))
    }

    // ------------------------------------------------------------ tables

    /// `rawget`.
    pub fn raw_get(&self, t: TableRef, key: Value) -> Value {
        self.heap.table(t).get(key)
    }

    /// `t[i]`, raw.
    pub fn raw_get_index(&self, t: TableRef, i: usize) -> Value {
        self.heap.table(t).get_int(i)
    }

    /// `t.name`, raw, without creating the string.
    pub fn raw_get_field(&self, t: TableRef, name: &str) -> Value {
        match self.heap.find_existing(name.as_bytes()) {
            Some(s) => self.heap.table(t).get(Value::Str(s)),
            None => Value::Nil,
        }
    }

    /// `rawset`, with Lua's errors (nil or NaN key, read-only table, memory limit).
    pub fn raw_set(&mut self, t: TableRef, key: Value, val: Value) -> Result<()> {
        if self.heap.table(t).readonly {
            return Err(self.rt_error("Attempt to modify a readonly table"));
        }
        self.raw_set_checked(t, key, val)
    }

    /// `t.name = val`, raw.
    pub fn set_field(&mut self, t: TableRef, name: &str, val: Value) -> Result<()> {
        let k = self.create_string(name)?;
        self.raw_set(t, k, val)
    }

    /// `t[i] = val`, raw.
    pub fn set_index(&mut self, t: TableRef, i: usize, val: Value) -> Result<()> {
        self.raw_set(t, Value::Num(i as f64), val)
    }

    /// A global, raw.
    pub fn get_global(&self, name: &str) -> Value {
        self.raw_get_field(self.globals, name)
    }

    /// Sets a global, raw (read-only globals refuse it).
    pub fn set_global(&mut self, name: &str, val: Value) -> Result<()> {
        let g = self.globals;
        self.set_field(g, name, val)
    }

    /// `#t` without metamethods (Lua 5.1's border).
    pub fn raw_len(&self, t: TableRef) -> usize {
        self.heap.table(t).len()
    }

    /// `next(t, key)`: the entry after `key` (`Nil` to start), or `None` at the end.
    pub fn next(&mut self, t: TableRef, key: Value) -> Result<Option<(Value, Value)>> {
        match self.heap.table(t).next(key) {
            Ok(e) => Ok(e),
            Err(()) => Err(self.rt_error("invalid key to 'next'")),
        }
    }

    /// The metatable of any value.
    pub fn get_metatable(&self, v: Value) -> Option<TableRef> {
        self.metatable(v)
    }

    /// Sets a table's metatable (raw: `__metatable` protection is the libraries' business;
    /// read-only tables refuse it).
    pub fn set_metatable(&mut self, t: TableRef, mt: Option<TableRef>) -> Result<()> {
        if self.heap.table(t).readonly {
            return Err(self.rt_error("Attempt to modify a readonly table"));
        }
        self.heap.table_mut(t).meta = mt;
        Ok(())
    }

    /// Sets the metatable shared by all values of a type other than table and userdata
    /// (`debug.setmetatable` on a string, a number...).
    pub fn set_type_metatable(&mut self, ty: Type, mt: Option<TableRef>) {
        self.type_meta[ty as usize] = mt;
    }

    /// Redis's read-only flag: stores into the table raise "Attempt to modify a readonly
    /// table" (as `lua_enablereadonlytable`).
    pub fn set_readonly(&mut self, t: TableRef, readonly: bool) {
        self.heap.table_mut(t).readonly = readonly;
    }

    pub fn is_readonly(&self, t: TableRef) -> bool {
        self.heap.table(t).readonly
    }

    // ------------------------------------------------------------ pins

    /// Keeps `v` alive until [`Lua::unpin`].
    pub fn pin(&mut self, v: Value) -> Pin {
        match self.free_pins.pop() {
            Some(i) => {
                self.pins[i] = Some(v);
                Pin(i)
            }
            None => {
                self.pins.push(Some(v));
                Pin(self.pins.len() - 1)
            }
        }
    }

    pub fn pinned(&self, p: &Pin) -> Value {
        self.pins[p.0].unwrap_or_default()
    }

    pub fn unpin(&mut self, p: Pin) -> Value {
        let v = self.pins[p.0].take().unwrap_or_default();
        self.free_pins.push(p.0);
        v
    }

    // ------------------------------------------------------------ loading and running

    /// Compiles `source` as a chunk named `chunkname` (`@user_script` makes messages say
    /// `user_script:1:`; `=name` gives `name`; anything else is shown as
    /// `[string "..."]`). A syntax error is an `Error::Lua` with the message.
    pub fn load(&mut self, source: &[u8], chunkname: &str) -> Result<Value> {
        let nccalls = (self.host_levels - 1) as u32;
        self.load_with(source, chunkname.as_bytes(), nccalls)
            .map(Value::Func)
    }

    pub(crate) fn load_with(
        &mut self,
        source: &[u8],
        chunkname: &[u8],
        nccalls: u32,
    ) -> Result<FuncRef> {
        match compile(self, source, chunkname, nccalls) {
            Ok(proto) => {
                let env = self.globals;
                self.heap.new_func(Function::Lua(LuaClosure {
                    proto,
                    upvals: Box::new([]),
                    env,
                }))
            }
            Err(CompileError::Syntax(m)) => Err(self.error_from_bytes(m)),
            Err(CompileError::Memory) => Err(Error::Memory),
        }
    }

    /// Sets up a call of `f` with `args`, to be run by [`Lua::resume`].
    pub fn call(&mut self, f: Value, args: &[Value]) -> Result<Execution> {
        let mut th = Thread::new(self.host_levels, self.main_ci_size);
        th.stack
            .resize((args.len() + 1).max(th.stack.len()), Value::Nil);
        th.stack[0] = f;
        th.stack[1..=args.len()].copy_from_slice(args);
        th.top = args.len() + 1;
        th.status = CoStatus::Running;
        th.accounted = th.mem();
        let t = self.heap.new_thread(th)?;
        let token = Rc::new(());
        self.executions.push((t, Rc::downgrade(&token)));
        Ok(Execution {
            main: t,
            current: t,
            _token: token,
            ccalls: self.host_levels as u32,
            started: false,
            done: false,
        })
    }

    /// Runs `exec` for at most `budget` VM instructions (library loops such as sorting and
    /// pattern matching count their steps too). `host` reaches native functions through
    /// [`crate::Ctx::host`].
    pub fn resume(&mut self, exec: &mut Execution, host: &mut dyn Any, budget: u64) -> Step {
        if exec.done {
            return Step::Error(self.message_value("cannot resume a finished execution"));
        }
        if self.cur.is_some() {
            return Step::Error(
                self.message_value("cannot resume an execution from inside another"),
            );
        }
        self.check_out(exec.current);
        self.ccalls = exec.ccalls;
        self.budget = budget;
        let mut outcome = None;
        if !exec.started {
            exec.started = true;
            match self.precall(host, 0, -1, Ret::Base) {
                Ok(Next::Exit(o)) => outcome = Some(o),
                Ok(_) => {}
                Err(e) => outcome = self.throw(host, e),
            }
        }
        let outcome = match outcome {
            Some(o) => o,
            None => self.run(host),
        };
        match outcome {
            Outcome::Paused => {
                if let Some(c) = self.cur {
                    exec.current = c;
                }
                exec.ccalls = self.ccalls;
                self.check_in();
                Step::Paused
            }
            Outcome::Done(vals) => {
                self.finish(exec);
                Step::Done(vals)
            }
            Outcome::Error(v) => {
                self.finish(exec);
                Step::Error(v)
            }
        }
    }

    fn finish(&mut self, exec: &mut Execution) {
        self.main_ci_size = self.th.ci_size.min(crate::vm::LUAI_MAXCALLS);
        self.check_in();
        exec.done = true;
        let main = exec.main;
        self.executions.retain(|(t, _)| *t != main);
    }

    /// Runs `f` to completion (no budget), for quick calls such as setting up globals.
    pub fn call_sync(
        &mut self,
        f: Value,
        args: &[Value],
        host: &mut dyn Any,
    ) -> std::result::Result<Vec<Value>, Value> {
        let mut exec = match self.call(f, args) {
            Ok(e) => e,
            Err(e) => return Err(self.error_value(e)),
        };
        match self.resume(&mut exec, host, u64::MAX) {
            Step::Done(v) => Ok(v),
            Step::Error(v) => Err(v),
            Step::Paused => {
                self.kill(exec);
                Err(self.message_value("execution paused"))
            }
        }
    }

    /// Where a paused execution stands: the source (`@user_script`) and current line of the
    /// innermost Lua function it is running, as an error raised there would report them
    /// (Redis names that place when SCRIPT KILL stops a script). None for a finished
    /// execution, or one paused outside any Lua function.
    pub fn position(&mut self, exec: &Execution) -> Option<(Vec<u8>, u32)> {
        if exec.done || self.cur.is_some() {
            return None;
        }
        self.check_out(exec.current);
        let found = (0..self.th.frames.len())
            .rev()
            .find_map(|fi| self.frame_position(fi));
        self.check_in();
        found
    }

    /// Abandons a paused execution: its frames are dropped (closing their upvalues, so
    /// closures that escaped keep working), the coroutines it was running are dead, and the
    /// state is ready for the next execution.
    pub fn kill(&mut self, mut exec: Execution) {
        if exec.done || self.cur.is_some() {
            return;
        }
        let mut t = exec.current;
        loop {
            self.check_out(t);
            self.close_upvals(0);
            self.th.frames.clear();
            self.th.top = 0;
            self.th.status = CoStatus::Dead;
            let next = self.th.resumer.take();
            if t == exec.main {
                self.main_ci_size = self.th.ci_size.min(crate::vm::LUAI_MAXCALLS);
            }
            self.check_in();
            match next {
                Some(n) if t != exec.main => t = n,
                _ => break,
            }
        }
        exec.done = true;
        let main = exec.main;
        self.executions.retain(|(t, _)| *t != main);
    }

    fn check_out(&mut self, t: ThreadRef) {
        self.th = std::mem::take(self.heap.threads.get_mut(t.0));
        self.cur = Some(t);
    }

    fn check_in(&mut self) {
        self.sync_thread_mem();
        if let Some(t) = self.cur.take() {
            *self.heap.threads.get_mut(t.0) = std::mem::take(&mut self.th);
        }
    }

    fn message_value(&mut self, m: &str) -> Value {
        match self.heap.new_str(m.as_bytes()) {
            Ok(s) => Value::Str(s),
            Err(_) => Value::Str(self.names.memory_msg),
        }
    }

    /// What `print` wrote since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    pub(crate) fn set_err(&mut self, e: SetError) -> Error {
        match e {
            SetError::NilKey => self.rt_error("table index is nil"),
            SetError::NanKey => self.rt_error("table index is NaN"),
            SetError::Overflow => self.rt_error("table overflow"),
            SetError::Memory => Error::Memory,
        }
    }
}
