//! The interpreter: threads, call frames, the instruction loop, calls and returns,
//! metamethods, errors and coroutines.
//!
//! # Design: a VM that can stop anywhere
//!
//! The host must be able to run a script for a budget of instructions, get control back,
//! and later resume it or drop it, wherever the script happens to be: in a loop, inside a
//! `pcall`, a metamethod, a coroutine, a `table.sort` comparator. That rules out the design
//! of C Lua, where `luaD_call` recurses on the C stack for metamethods and C functions and
//! `pcall` is a `setjmp`. Here every activation is a [`Frame`] in a vector and the Rust stack
//! is flat:
//!
//! - A Lua-to-Lua call pushes a frame and the loop goes on with it; a return pops it.
//! - A metamethod an instruction needs (`__index`, `__add`, `__lt`, `__concat`...) is called
//!   the same way, as a frame whose [`Ret::Op`] mark says "when this returns, finish the
//!   instruction that asked", as Lua 5.2's `luaV_finishOp` does: store into register A,
//!   take the comparison's jump, or carry on with a half-done concatenation.
//! - The generic `for`'s iterator is such a call too (TFORLOOP finishes when it returns).
//! - A native that needs Lua (pcall, sort, gsub...) returns a continuation (see
//!   [`crate::native`]); the frame keeps it, and the callee's return resumes it.
//! - `pcall` and `xpcall` are frames holding a catch continuation. An error is a Rust
//!   `Err` that climbs back to the driver loop, which scans the frames for the nearest catch
//!   ([`Lua::throw`]); `xpcall`'s handler is called on top of the failing frames, before
//!   they are unwound, so `debug.traceback` sees them, as in C Lua.
//! - A coroutine is another [`Thread`]; resuming one checks the running thread back into
//!   its arena slot and checks the other out, yielding does the reverse.
//!
//! Pausing is then trivial: the loop counts instructions and returns when the budget is
//! spent, with every frame's `pc` saved; resuming re-enters the loop.
//!
//! # Fidelity to C Lua's limits
//!
//! The flat design has no limit of its own, so C Lua 5.1's are emulated where scripts can
//! see them: a thread's call depth follows the growth of 5.1's `CallInfo` array (doubling
//! from 8; `stack overflow` when it would pass `LUAI_MAXCALLS` = 20000, so a first overflow
//! happens at depth 16384 and later ones near 20000, as in lua5.1), and the C-call depth
//! (`nCcalls`: metamethods, pcall, iterators, resumes, error handlers) raises
//! `C stack overflow` at `LUAI_MAXCCALLS` = 200 and `error in error handling` past 225.
//! `__index`/`__newindex` chains through tables stop at 100 (`loop in gettable`).

use std::any::Any;
use std::rc::Rc;

use crate::code::*;
use crate::error::{Error, Result};
use crate::gc::{Function, LuaClosure, UpVal};
use crate::native::{Cont, Ctx, Flow, NativeFn};
use crate::number::{self, lua_mod, lua_pow};
use crate::table::{fb2int, SetError};
use crate::value::{FuncRef, TableRef, ThreadRef, UpValRef, Value};
use crate::Lua;

/// `LUAI_MAXCALLS`: the most `CallInfo`s a thread may have.
pub(crate) const LUAI_MAXCALLS: usize = 20000;
/// `LUAI_MAXCCALLS`: the deepest nesting of C calls (and of the parser).
pub(crate) const LUAI_MAXCCALLS: u32 = 200;
/// `MAXTAGLOOP`: the longest `__index`/`__newindex` chain through tables.
const MAXTAGLOOP: usize = 100;
/// `BASIC_CI_SIZE`: a new thread's `CallInfo` array size.
pub(crate) const BASIC_CI_SIZE: usize = 8;
/// Slots kept free above a frame for a metamethod call or a native's first pushes
/// (`LUA_MINSTACK`).
const EXTRA_STACK: usize = 24;
/// `LUAI_MAXCSTACK`: the most values a native may push.
pub(crate) const LUAI_MAXCSTACK: usize = 8000;

/// Metamethod events, in Lua 5.1's order (the first five are cached in tables' `flags`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tm {
    Index,
    NewIndex,
    /// Listed to keep C Lua's numbering (`__gc` finalizers are not run).
    #[allow(dead_code)]
    Gc,
    Mode,
    Eq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Unm,
    Len,
    Lt,
    Le,
    Concat,
    Call,
}

pub(crate) const TM_NAMES: [&str; 17] = [
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__div",
    "__mod",
    "__pow",
    "__unm",
    "__len",
    "__lt",
    "__le",
    "__concat",
    "__call",
];

/// What a thread is doing, as `coroutine.status` names it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum CoStatus {
    #[default]
    Suspended,
    Running,
    Normal,
    Dead,
}

/// How a frame's results are delivered when it returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ret {
    /// To the Lua frame below, whose CALL made this call.
    Lua,
    /// To the Lua frame below, whose instruction at `pc - 1` needed a metamethod (or an
    /// iterator); the payload is what finishing it needs (see `finish_op`). A C call.
    Op(u32),
    /// To the native frame below, whose continuation gets them. A C call.
    Native,
    /// An `xpcall` handler called for an error; its result goes to the nearest `xpcall`
    /// frame below. A C call.
    Handler,
    /// The first frame of a thread: returning ends the thread.
    Base,
}

impl Ret {
    fn is_ccall(self) -> bool {
        matches!(self, Ret::Op(_) | Ret::Native | Ret::Handler)
    }
}

pub(crate) enum Kind {
    /// `top`: the end of the frame's registers (C Lua's `ci->top`).
    Lua {
        cl: FuncRef,
        pc: usize,
        tailcalls: u32,
        top: usize,
    },
    /// `results`: where the results of the call the continuation waits for start;
    /// `nargs`: how many arguments it was called with.
    Native {
        f: FuncRef,
        cont: Option<Cont>,
        results: usize,
        nargs: usize,
    },
}

pub(crate) struct Frame {
    /// The stack slot of the called function.
    pub func: usize,
    /// The first register (Lua) or argument (native).
    pub base: usize,
    /// Results wanted by the caller (-1: all).
    pub nresults: i32,
    pub ret: Ret,
    pub kind: Kind,
}

impl Frame {
    pub fn closure(&self) -> FuncRef {
        match &self.kind {
            Kind::Lua { cl, .. } => *cl,
            Kind::Native { f, .. } => *f,
        }
    }

    pub fn cont(&self) -> Option<&Cont> {
        match &self.kind {
            Kind::Native { cont, .. } => cont.as_ref(),
            Kind::Lua { .. } => None,
        }
    }

    pub fn is_lua(&self) -> bool {
        matches!(self.kind, Kind::Lua { .. })
    }
}

/// A Lua thread: the main line of an execution, or a coroutine.
#[derive(Default)]
pub(crate) struct Thread {
    pub stack: Vec<Value>,
    pub top: usize,
    pub frames: Vec<Frame>,
    /// Open upvalues (stack slot, cell), sorted by slot.
    pub open: Vec<(usize, UpValRef)>,
    pub status: CoStatus,
    /// The thread that resumed this one, while it runs.
    pub resumer: Option<ThreadRef>,
    /// Bytes counted for this thread in the heap's model.
    pub accounted: usize,
    /// The emulated size of C Lua's `CallInfo` array.
    pub ci_size: usize,
    /// `CallInfo`s below the first frame (the base one, and the host's C levels).
    pub ci_offset: usize,
    /// The C-call depth when the coroutine was resumed: yielding needs it unchanged.
    pub base_ccalls: u32,
    pub is_coroutine: bool,
}

impl Thread {
    pub fn new(ci_offset: usize, ci_size: usize) -> Thread {
        let mut t = Thread {
            ci_offset,
            ci_size,
            ..Thread::default()
        };
        t.stack = vec![Value::Nil; 2 * EXTRA_STACK];
        t.accounted = t.mem();
        t
    }

    pub fn mem(&self) -> usize {
        160 + self.stack.capacity() * 16
    }

    /// How much of the stack holds live values: the registers of a Lua frame on top, else
    /// up to `top`, as C Lua's `traversestack` marks (registers above a native call's
    /// arguments are dead temporaries of the calling frame).
    pub fn extent(&self) -> usize {
        match self.frames.last() {
            Some(Frame {
                kind: Kind::Lua { top, .. },
                ..
            }) => self.top.max(*top),
            _ => self.top,
        }
    }

    /// Clears the dead slots above the extent, so that no stale reference outlives a
    /// collection.
    pub fn clear_dead(&mut self) {
        let e = self.extent().min(self.stack.len());
        for v in &mut self.stack[e..] {
            *v = Value::Nil;
        }
    }
}

/// How a run of the VM ended.
pub(crate) enum Outcome {
    Paused,
    Done(Vec<Value>),
    Error(Value),
}

/// What the instruction loop does after a call or a return.
pub(crate) enum Next {
    /// Go on with whatever frame is on top now.
    Reenter,
    /// A native called by OP_CALL returned; the calling Lua frame goes on at once.
    Same,
    /// The execution ended.
    Exit(Outcome),
}

/// What indexing found: a value, or an `__index` function to call with (object, key).
pub(crate) enum Indexed {
    Value(Value),
    Call(Value, Value),
}

/// The result of an index operation that may need a metamethod call.
enum Got {
    Value(Value),
    Called,
}

impl Lua {
    // ---------------------------------------------------------------- stack helpers

    #[inline]
    pub(crate) fn push(&mut self, v: Value) {
        let th = &mut self.th;
        if th.top >= th.stack.len() {
            let n = (th.stack.len() * 2).max(th.top + EXTRA_STACK);
            th.stack.resize(n, Value::Nil);
        }
        th.stack[th.top] = v;
        th.top += 1;
    }

    /// Makes the stack at least `n` slots long, within the memory limit.
    #[inline]
    pub(crate) fn ensure_stack(&mut self, n: usize) -> Result<()> {
        if n > self.th.stack.len() {
            self.grow_stack(n)?;
        }
        Ok(())
    }

    #[cold]
    fn grow_stack(&mut self, n: usize) -> Result<()> {
        let new_len = n.max(self.th.stack.len() * 2);
        let extra = (new_len - self.th.stack.len()) * 16;
        if extra > self.heap.room() {
            return Err(Error::Memory);
        }
        self.th.stack.resize(new_len, Value::Nil);
        self.sync_thread_mem();
        Ok(())
    }

    // ---------------------------------------------------------------- upvalues

    #[inline]
    pub(crate) fn upval_get(&self, u: UpValRef) -> Value {
        match *self.heap.upvals.get(u.0) {
            UpVal::Closed(v) => v,
            UpVal::Open { thread, slot } => {
                if self.cur == Some(thread) {
                    self.th.stack[slot]
                } else {
                    self.heap.threads.get(thread.0).stack[slot]
                }
            }
        }
    }

    #[inline]
    pub(crate) fn upval_set(&mut self, u: UpValRef, v: Value) {
        match *self.heap.upvals.get(u.0) {
            UpVal::Closed(_) => *self.heap.upvals.get_mut(u.0) = UpVal::Closed(v),
            UpVal::Open { thread, slot } => {
                if self.cur == Some(thread) {
                    self.th.stack[slot] = v;
                } else {
                    self.heap.threads.get_mut(thread.0).stack[slot] = v;
                }
            }
        }
    }

    /// The open upvalue for stack slot `slot` of the running thread (`luaF_findupval`).
    fn find_upval(&mut self, slot: usize) -> Result<UpValRef> {
        let pos = self.th.open.partition_point(|&(s, _)| s < slot);
        if let Some(&(s, u)) = self.th.open.get(pos) {
            if s == slot {
                return Ok(u);
            }
        }
        let Some(thread) = self.cur else {
            return Err(Error::Memory);
        };
        let u = self.heap.new_upval(UpVal::Open { thread, slot })?;
        self.th.open.insert(pos, (slot, u));
        Ok(u)
    }

    /// Closes the open upvalues at or above `level` (`luaF_close`).
    pub(crate) fn close_upvals(&mut self, level: usize) {
        while let Some(&(slot, u)) = self.th.open.last() {
            if slot < level {
                break;
            }
            let v = self.th.stack[slot];
            *self.heap.upvals.get_mut(u.0) = UpVal::Closed(v);
            self.th.open.pop();
        }
    }

    // ---------------------------------------------------------------- metamethods

    /// The metatable of any value.
    #[inline]
    pub(crate) fn metatable(&self, v: Value) -> Option<TableRef> {
        match v {
            Value::Table(t) => self.heap.table(t).meta,
            Value::UserData(u) => self.heap.udata.get(u.0).meta,
            _ => self.type_meta[v.type_of() as usize],
        }
    }

    /// A metamethod from a metatable, using and filling the absence cache for the first
    /// five events (`fasttm`).
    #[inline]
    pub(crate) fn fast_tm(&mut self, mt: Option<TableRef>, tm: Tm) -> Value {
        let Some(mt) = mt else { return Value::Nil };
        let bit = tm as u8;
        if bit < 5 && self.heap.table(mt).flags & (1 << bit) != 0 {
            return Value::Nil;
        }
        let v = self
            .heap
            .table(mt)
            .get(Value::Str(self.names.tm[tm as usize]));
        if v.is_nil() && bit < 5 {
            self.heap.table_mut(mt).flags |= 1 << bit;
        }
        v
    }

    /// `luaT_gettmbyobj`.
    #[inline]
    pub(crate) fn tm_of(&mut self, v: Value, tm: Tm) -> Value {
        let mt = self.metatable(v);
        match mt {
            None => Value::Nil,
            Some(mt) => self
                .heap
                .table(mt)
                .get(Value::Str(self.names.tm[tm as usize])),
        }
    }

    /// The prototype of a Lua closure.
    pub(crate) fn proto_of(&self, cl: FuncRef) -> Rc<Proto> {
        match self.heap.func(cl) {
            Function::Lua(c) => c.proto.clone(),
            Function::Native(_) => unreachable!("only Lua closures have prototypes"),
        }
    }

    /// The top of the running Lua frame's registers: where metamethod calls go.
    fn frame_top(&self) -> usize {
        match self.th.frames.last() {
            Some(Frame {
                kind: Kind::Lua { top, .. },
                ..
            }) => *top,
            _ => self.th.top,
        }
    }

    /// Calls metamethod `f` with `args` for the instruction being executed, finishing it
    /// with `extra` when it returns (`callTMres` / `callTM`).
    fn call_op_tm(
        &mut self,
        host: &mut dyn Any,
        f: Value,
        args: &[Value],
        nres: i32,
        extra: u32,
    ) -> Result<()> {
        let at = self.frame_top();
        self.ensure_stack(at + args.len() + 1 + EXTRA_STACK)?;
        self.th.stack[at] = f;
        for (j, &v) in args.iter().enumerate() {
            self.th.stack[at + 1 + j] = v;
        }
        self.th.top = at + 1 + args.len();
        self.precall(host, at, nres, Ret::Op(extra)).map(|_| ())
    }

    /// `luaV_gettable` without calling anything: the value, or the `__index` function to
    /// call with the object it was found on. `reg` names the indexed register for errors.
    pub(crate) fn index_lookup(
        &mut self,
        mut t: Value,
        key: Value,
        mut reg: Option<usize>,
    ) -> Result<Indexed> {
        for _ in 0..MAXTAGLOOP {
            let tm;
            if let Value::Table(tr) = t {
                let v = self.heap.table(tr).get(key);
                let mt = self.heap.table(tr).meta;
                if !v.is_nil() {
                    return Ok(Indexed::Value(v));
                }
                tm = self.fast_tm(mt, Tm::Index);
                if tm.is_nil() {
                    return Ok(Indexed::Value(Value::Nil));
                }
            } else {
                tm = self.tm_of(t, Tm::Index);
                if tm.is_nil() {
                    return Err(self.type_error(t, reg, "index"));
                }
            }
            if let Value::Func(_) = tm {
                return Ok(Indexed::Call(tm, t));
            }
            t = tm;
            reg = None;
        }
        Err(self.rt_error("loop in gettable"))
    }

    /// `luaV_gettable` for an instruction: the value, or the `__index` call is made and the
    /// instruction will be finished when it returns.
    fn index_slow(
        &mut self,
        host: &mut dyn Any,
        t: Value,
        key: Value,
        reg: Option<usize>,
    ) -> Result<Got> {
        match self.index_lookup(t, key, reg)? {
            Indexed::Value(v) => Ok(Got::Value(v)),
            Indexed::Call(f, obj) => {
                self.call_op_tm(host, f, &[obj, key], 1, 0)?;
                Ok(Got::Called)
            }
        }
    }

    /// `luaV_settable`. Returns whether a metamethod was called.
    fn settable(
        &mut self,
        host: &mut dyn Any,
        mut t: Value,
        key: Value,
        val: Value,
        mut reg: Option<usize>,
    ) -> Result<bool> {
        for _ in 0..MAXTAGLOOP {
            let tm;
            if let Value::Table(tr) = t {
                let tab = self.heap.table(tr);
                if tab.readonly {
                    return Err(self.rt_error("Attempt to modify a readonly table"));
                }
                let mt = tab.meta;
                let present = !tab.get(key).is_nil();
                tm = if present {
                    Value::Nil
                } else {
                    self.fast_tm(mt, Tm::NewIndex)
                };
                if tm.is_nil() {
                    self.raw_set_checked(tr, key, val)?;
                    return Ok(false);
                }
            } else {
                tm = self.tm_of(t, Tm::NewIndex);
                if tm.is_nil() {
                    return Err(self.type_error(t, reg, "index"));
                }
            }
            if let Value::Func(_) = tm {
                self.call_op_tm(host, tm, &[t, key, val], 0, 0)?;
                return Ok(true);
            }
            t = tm;
            reg = None;
        }
        Err(self.rt_error("loop in settable"))
    }

    /// A raw store with Lua's errors for bad keys and the memory limit.
    pub(crate) fn raw_set_checked(&mut self, t: TableRef, key: Value, val: Value) -> Result<()> {
        self.heap
            .table_set(t, key, val)
            .map_err(|e| self.set_err(e))
    }

    /// `luaV_tonumber`: numbers, and strings that convert.
    #[inline]
    pub(crate) fn to_number(&self, v: Value) -> Option<f64> {
        match v {
            Value::Num(n) => Some(n),
            Value::Str(s) => crate::number::str2d(self.heap.str(s)),
            _ => None,
        }
    }

    /// `Arith` for operands that are not both numbers: string coercion, then metamethods.
    #[allow(clippy::too_many_arguments)]
    fn arith_slow(
        &mut self,
        host: &mut dyn Any,
        ra: usize,
        b: Value,
        c: Value,
        tm: Tm,
        regs: (Option<usize>, Option<usize>),
    ) -> Result<()> {
        if let (Some(x), Some(y)) = (self.to_number(b), self.to_number(c)) {
            self.th.stack[ra] = Value::Num(arith(tm, x, y));
            return Ok(());
        }
        let mut f = self.tm_of(b, tm);
        if f.is_nil() {
            f = self.tm_of(c, tm);
        }
        if f.is_nil() {
            // luaG_aritherror: blame the operand that is not a number.
            let (bad, reg) = if self.to_number(b).is_none() {
                (b, regs.0)
            } else {
                (c, regs.1)
            };
            return Err(self.type_error(bad, reg, "perform arithmetic on"));
        }
        self.call_op_tm(host, f, &[b, c], 1, 0)
    }

    /// `luaV_equalval` for two values of the same type: `Ok(Some(result))`, or `Ok(None)`
    /// when the `__eq` metamethod was called.
    fn equal(&mut self, host: &mut dyn Any, a: Value, b: Value) -> Result<Option<bool>> {
        let (mt1, mt2) = match (a, b) {
            (Value::Table(x), Value::Table(y)) => {
                if x == y {
                    return Ok(Some(true));
                }
                (self.heap.table(x).meta, self.heap.table(y).meta)
            }
            (Value::UserData(x), Value::UserData(y)) => {
                if x == y {
                    return Ok(Some(true));
                }
                (self.heap.udata.get(x.0).meta, self.heap.udata.get(y.0).meta)
            }
            _ => return Ok(Some(a == b)),
        };
        // get_compTM: both must have the same __eq.
        let tm1 = self.fast_tm(mt1, Tm::Eq);
        if tm1.is_nil() {
            return Ok(Some(false));
        }
        if mt1 != mt2 {
            let tm2 = self.fast_tm(mt2, Tm::Eq);
            if tm2.is_nil() || tm1 != tm2 {
                return Ok(Some(false));
            }
        }
        self.call_op_tm(host, tm1, &[a, b], 1, 0)?;
        Ok(None)
    }

    /// `luaV_lessthan` (`le` false) or `lessequal` (`le` true): `Ok(Some(result))`, or
    /// `Ok(None)` when a metamethod was called.
    fn less(&mut self, host: &mut dyn Any, l: Value, r: Value, le: bool) -> Result<Option<bool>> {
        match (l, r) {
            (Value::Num(x), Value::Num(y)) => return Ok(Some(if le { x <= y } else { x < y })),
            (Value::Str(x), Value::Str(y)) => {
                let (x, y) = (self.heap.str(x), self.heap.str(y));
                return Ok(Some(if le { x <= y } else { x < y }));
            }
            _ => {}
        }
        if l.type_of() != r.type_of() {
            return Err(self.order_error(l, r));
        }
        let event = if le { Tm::Le } else { Tm::Lt };
        if let Some(f) = self.order_tm(l, r, event) {
            self.call_op_tm(host, f, &[l, r], 1, 0)?;
            return Ok(None);
        }
        if le {
            // No __le: `not (r < l)`.
            if let Some(f) = self.order_tm(r, l, Tm::Lt) {
                self.call_op_tm(host, f, &[r, l], 1, 1)?;
                return Ok(None);
            }
        }
        Err(self.order_error(l, r))
    }

    /// `call_orderTM`'s lookup: both operands must have the same metamethod.
    fn order_tm(&mut self, l: Value, r: Value, event: Tm) -> Option<Value> {
        let tm1 = self.tm_of(l, event);
        if tm1.is_nil() {
            return None;
        }
        let tm2 = self.tm_of(r, event);
        if tm1 != tm2 {
            return None;
        }
        Some(tm1)
    }

    pub(crate) fn order_error(&mut self, l: Value, r: Value) -> Error {
        let (t1, t2) = (l.type_name(), r.type_name());
        if t1.as_bytes()[2] == t2.as_bytes()[2] {
            self.rt_error(&format!("attempt to compare two {} values", t1))
        } else {
            self.rt_error(&format!("attempt to compare {} with {}", t1, t2))
        }
    }

    /// `luaV_concat` over registers `first..=last` (absolute slots), right to left, leaving
    /// the result in `first`. Returns false when it stopped to call `__concat`.
    fn concat(&mut self, host: &mut dyn Any, first: usize, mut last: usize) -> Result<bool> {
        while last > first {
            let x = self.th.stack[last - 1];
            let y = self.th.stack[last];
            let strish = |v: Value| matches!(v, Value::Str(_) | Value::Num(_));
            if !strish(x) || !strish(y) {
                let mut f = self.tm_of(x, Tm::Concat);
                if f.is_nil() {
                    f = self.tm_of(y, Tm::Concat);
                }
                if f.is_nil() {
                    let (bad, slot) = if strish(x) { (y, last) } else { (x, last - 1) };
                    let base = self.th.frames.last().map_or(0, |f| f.base);
                    return Err(self.type_error(bad, Some(slot - base), "concatenate"));
                }
                let base = self.th.frames.last().map_or(0, |f| f.base);
                self.call_op_tm(host, f, &[x, y], 1, (last - base) as u32)?;
                return Ok(false);
            }
            // Gather as many strings and numbers as possible, leftwards.
            let mut n = 1;
            let mut total = self.str_len_of(y);
            while last - n >= first && strish(self.th.stack[last - n]) {
                total = total.saturating_add(self.str_len_of(self.th.stack[last - n]));
                n += 1;
            }
            if total.saturating_add(crate::gc::STRING_OVERHEAD) > self.heap.room() {
                return Err(Error::Memory);
            }
            // Making a long string is work the budget counts.
            self.budget = self.budget.saturating_sub((total / 128) as u64);
            let mut buf = Vec::with_capacity(total);
            for j in (0..n).rev() {
                let v = self.th.stack[last - j];
                self.append_str(v, &mut buf);
            }
            let s = self.heap.new_str_vec(buf)?;
            self.th.stack[last + 1 - n] = Value::Str(s);
            last -= n - 1;
        }
        Ok(true)
    }

    fn str_len_of(&self, v: Value) -> usize {
        match v {
            Value::Str(s) => self.heap.str(s).len(),
            _ => 24,
        }
    }

    /// Appends a string or number (as `tostring` prints it) to `buf`.
    pub(crate) fn append_str(&self, v: Value, buf: &mut Vec<u8>) {
        match v {
            Value::Str(s) => buf.extend_from_slice(self.heap.str(s)),
            Value::Num(n) => crate::number::fmt_num(n, buf),
            _ => {}
        }
    }

    // ---------------------------------------------------------------- calls

    /// Counts one more C-level call (`luaD_call`'s `nCcalls`).
    fn enter_ccall(&mut self) -> Result<()> {
        self.ccalls += 1;
        if self.ccalls >= LUAI_MAXCCALLS {
            if self.ccalls == LUAI_MAXCCALLS {
                return Err(self.rt_error("C stack overflow"));
            } else if self.ccalls >= LUAI_MAXCCALLS + (LUAI_MAXCCALLS >> 3) {
                return Err(Error::Handler);
            }
        }
        Ok(())
    }

    /// Emulates the growth of C Lua's `CallInfo` array before a frame is pushed.
    #[inline]
    fn check_ci(&mut self) -> Result<()> {
        if self.th.ci_offset + self.th.frames.len() >= self.th.ci_size {
            return self.grow_ci();
        }
        Ok(())
    }

    #[cold]
    fn grow_ci(&mut self) -> Result<()> {
        if self.th.ci_size > LUAI_MAXCALLS {
            return Err(Error::Handler);
        }
        self.th.ci_size *= 2;
        if self.th.ci_size > LUAI_MAXCALLS {
            return Err(self.rt_error("stack overflow"));
        }
        Ok(())
    }

    /// `restore_stack_limit`, after an error was caught.
    fn restore_ci(&mut self) {
        if self.th.ci_size > LUAI_MAXCALLS {
            let inuse = self.th.ci_offset + self.th.frames.len();
            if inuse + 1 < LUAI_MAXCALLS {
                self.th.ci_size = LUAI_MAXCALLS;
            }
        }
    }

    /// Calls the value at stack slot `func` with the arguments above it up to `top`
    /// (`luaD_precall`, plus `luaD_call`'s C-call count for calls that are not OP_CALL's).
    pub(crate) fn precall(
        &mut self,
        host: &mut dyn Any,
        func: usize,
        nresults: i32,
        ret: Ret,
    ) -> Result<Next> {
        let f = match self.th.stack[func] {
            Value::Func(f) => f,
            other => self.call_tm(func, other)?,
        };
        if ret.is_ccall() {
            self.enter_ccall()?;
        }
        match self.heap.func(f) {
            Function::Lua(c) => {
                let p = &c.proto;
                let shape = (p.numparams, p.maxstacksize, p.is_vararg);
                self.enter_lua(func, f, shape, nresults, ret)?;
                Ok(Next::Reenter)
            }
            Function::Native(n) => {
                let nf = n.f;
                self.call_native(host, func, f, nf, nresults, ret)
            }
        }
    }

    /// `tryfuncTM`: a non-function called through its `__call` metamethod, which takes
    /// the object as first argument.
    fn call_tm(&mut self, func: usize, obj: Value) -> Result<FuncRef> {
        let tm = self.tm_of(obj, Tm::Call);
        let Value::Func(f) = tm else {
            let reg = self.reg_of(func);
            return Err(self.type_error(obj, reg, "call"));
        };
        let top = self.th.top;
        self.ensure_stack(top + 1 + EXTRA_STACK)?;
        self.th.stack.copy_within(func..top, func + 1);
        self.th.stack[func] = tm;
        self.th.top = top + 1;
        Ok(f)
    }

    /// The register of the running Lua frame that slot `slot` is, for messages.
    fn reg_of(&self, slot: usize) -> Option<usize> {
        match self.th.frames.last() {
            Some(f) if f.is_lua() && slot >= f.base => Some(slot - f.base),
            _ => None,
        }
    }

    /// Pushes the frame of Lua closure `cl`, whose prototype has `shape` (parameters,
    /// registers, vararg flags), called at slot `func` (`luaD_precall`'s Lua half).
    fn enter_lua(
        &mut self,
        func: usize,
        cl: FuncRef,
        shape: (u8, u8, u8),
        nresults: i32,
        ret: Ret,
    ) -> Result<()> {
        self.check_ci()?;
        let (np, maxstack, is_vararg) = shape;
        let (np, maxstack) = (np as usize, maxstack as usize);
        let nargs = self.th.top - func - 1;
        let base;
        if is_vararg == 0 {
            base = func + 1;
            self.ensure_stack(base + maxstack + EXTRA_STACK)?;
            if nargs > np {
                self.th.top = base + np;
            }
        } else {
            self.ensure_stack(self.th.top + np + maxstack + 1 + EXTRA_STACK)?;
            let mut actual = nargs;
            while actual < np {
                let top = self.th.top;
                self.th.stack[top] = Value::Nil;
                self.th.top += 1;
                actual += 1;
            }
            let arg = if is_vararg & VARARG_NEEDSARG != 0 {
                Some(self.vararg_table(actual - np)?)
            } else {
                None
            };
            let fixed = self.th.top - actual;
            base = self.th.top;
            for j in 0..np {
                self.th.stack[base + j] = self.th.stack[fixed + j];
                self.th.stack[fixed + j] = Value::Nil;
            }
            self.th.top = base + np;
            if let Some(t) = arg {
                let top = self.th.top;
                self.th.stack[top] = Value::Table(t);
                self.th.top += 1;
            }
        }
        let end = base + maxstack;
        let top = self.th.top;
        if top < end {
            self.th.stack[top..end].fill(Value::Nil);
        }
        self.th.top = end;
        self.th.frames.push(Frame {
            func,
            base,
            nresults,
            ret,
            kind: Kind::Lua {
                cl,
                pc: 0,
                tailcalls: 0,
                top: end,
            },
        });
        Ok(())
    }

    /// The `arg` table of an old-style vararg function (`LUA_COMPAT_VARARG`): the extra
    /// arguments, which are the top `nvar` values, and `n`.
    fn vararg_table(&mut self, nvar: usize) -> Result<TableRef> {
        let t = self.heap.new_table(nvar, 1)?;
        let first = self.th.top - nvar;
        for j in 0..nvar {
            let v = self.th.stack[first + j];
            self.raw_set_checked(t, Value::Num((j + 1) as f64), v)?;
        }
        let n = self.names.n;
        self.raw_set_checked(t, Value::Str(n), Value::Num(nvar as f64))?;
        Ok(t)
    }

    fn call_native(
        &mut self,
        host: &mut dyn Any,
        func: usize,
        f: FuncRef,
        nf: NativeFn,
        nresults: i32,
        ret: Ret,
    ) -> Result<Next> {
        self.check_ci()?;
        let base = func + 1;
        let nargs = self.th.top - base;
        self.ensure_stack(self.th.top + EXTRA_STACK)?;
        self.th.frames.push(Frame {
            func,
            base,
            nresults,
            ret,
            kind: Kind::Native {
                f,
                cont: None,
                results: 0,
                nargs,
            },
        });
        let flow = {
            let mut ctx = Ctx {
                lua: self,
                host,
                base,
                nargs,
            };
            match nf {
                NativeFn::Host(h) => h(&mut ctx).map(Flow::Return),
                NativeFn::Builtin(b) => b(&mut ctx),
            }
        }?;
        self.handle_flow(host, flow)
    }

    /// Carries out what a native asked for.
    fn handle_flow(&mut self, host: &mut dyn Any, flow: Flow) -> Result<Next> {
        match flow {
            Flow::Return(n) => {
                let first = self.th.top - n;
                self.poscall(host, first, n)
            }
            Flow::Call {
                cont,
                nargs,
                nresults,
            } => {
                self.set_cont(cont, 0);
                let func = self.th.top - nargs - 1;
                self.precall(host, func, nresults, Ret::Native)?;
                Ok(Next::Reenter)
            }
            Flow::Again(cont) => {
                let top = self.th.top;
                self.set_cont(cont, top);
                Ok(Next::Reenter)
            }
            Flow::Yield(n) => {
                self.yield_values(n)?;
                Ok(Next::Reenter)
            }
            Flow::Resume { co, nargs, cont } => {
                self.set_cont(cont, 0);
                self.resume_thread(host, co, nargs)?;
                Ok(Next::Reenter)
            }
        }
    }

    fn set_cont(&mut self, c: Cont, at: usize) {
        if let Some(Frame {
            kind: Kind::Native { cont, results, .. },
            ..
        }) = self.th.frames.last_mut()
        {
            *cont = Some(c);
            *results = at;
        }
    }

    /// Resumes the continuation of the native frame on top, whose call returned (or which
    /// asked to be resumed after a budget check).
    fn resume_native(&mut self, host: &mut dyn Any) -> Result<Next> {
        let (cont, results, base, nargs) = match self.th.frames.last_mut() {
            Some(Frame {
                base,
                kind:
                    Kind::Native {
                        cont,
                        results,
                        nargs,
                        ..
                    },
                ..
            }) => (cont.take(), *results, *base, *nargs),
            _ => return Ok(Next::Reenter),
        };
        let Some(cont) = cont else {
            return Err(self.rt_error("native frame resumed without a continuation"));
        };
        let flow = {
            let mut ctx = Ctx {
                lua: self,
                host,
                base,
                nargs,
            };
            crate::stdlib::resume_cont(&mut ctx, cont, results)
        }?;
        self.handle_flow(host, flow)
    }

    /// A frame returns `n` results starting at slot `first` (`luaD_poscall`).
    pub(crate) fn poscall(&mut self, host: &mut dyn Any, first: usize, n: usize) -> Result<Next> {
        let Some(frame) = self.th.frames.pop() else {
            return Ok(Next::Reenter);
        };
        if frame.ret.is_ccall() {
            self.ccalls -= 1;
        }
        match frame.ret {
            Ret::Base => {
                let vals = self.th.stack[first..first + n].to_vec();
                return self.thread_returned(vals);
            }
            Ret::Handler => {
                let v = if n > 0 {
                    self.th.stack[first]
                } else {
                    Value::Nil
                };
                return self.handler_returned(host, v);
            }
            _ => {}
        }
        let res = frame.func;
        let wanted = frame.nresults;
        let count = if wanted < 0 { n } else { wanted as usize };
        self.ensure_stack(res + count + EXTRA_STACK)?;
        if first != res {
            for j in 0..count.min(n) {
                self.th.stack[res + j] = self.th.stack[first + j];
            }
        }
        for j in n..count {
            self.th.stack[res + j] = Value::Nil;
        }
        self.th.top = res + count;
        match frame.ret {
            Ret::Lua => {
                if wanted >= 0 {
                    self.th.top = self.frame_top();
                }
                if frame.is_lua() {
                    Ok(Next::Reenter)
                } else {
                    Ok(Next::Same)
                }
            }
            Ret::Op(extra) => {
                self.finish_op(host, extra, res)?;
                Ok(Next::Reenter)
            }
            _ => {
                if let Some(Frame {
                    kind: Kind::Native { results, .. },
                    ..
                }) = self.th.frames.last_mut()
                {
                    *results = res;
                }
                Ok(Next::Reenter)
            }
        }
    }

    /// Completes the instruction of the Lua frame on top that called a metamethod or an
    /// iterator, now that the call returned its results at `res` (`luaV_finishOp`).
    fn finish_op(&mut self, host: &mut dyn Any, extra: u32, res: usize) -> Result<()> {
        let fi = self.th.frames.len() - 1;
        let (base, cl, pc, top) = match &self.th.frames[fi].kind {
            Kind::Lua { cl, pc, top, .. } => (self.th.frames[fi].base, *cl, *pc, *top),
            Kind::Native { .. } => return Ok(()),
        };
        let proto = self.proto_of(cl);
        let i = proto.code[pc - 1];
        let a = base + arg_a(i) as usize;
        let mut new_pc = pc;
        match op(i) {
            GETTABLE | GETGLOBAL | SELF | ADD | SUB | MUL | DIV | MOD | POW | UNM | LEN => {
                self.th.stack[a] = self.th.stack[res];
            }
            EQ | LT | LE => {
                let mut r = self.th.stack[res].truthy();
                if extra == 1 {
                    r = !r;
                }
                if r == (arg_a(i) != 0) {
                    new_pc = (new_pc as i64 + 1 + i64::from(arg_sbx(proto.code[new_pc]))) as usize;
                } else {
                    new_pc += 1;
                }
            }
            CONCAT => {
                let last = base + extra as usize;
                self.th.stack[last - 1] = self.th.stack[res];
                self.th.top = top;
                let first = base + arg_b(i) as usize;
                if !self.concat(host, first, last - 1)? {
                    return Ok(());
                }
                self.th.stack[a] = self.th.stack[first];
                self.gc_check();
            }
            TFORLOOP => {
                let cb = a + 3;
                if !self.th.stack[cb].is_nil() {
                    self.th.stack[cb - 1] = self.th.stack[cb];
                    new_pc = (new_pc as i64 + 1 + i64::from(arg_sbx(proto.code[new_pc]))) as usize;
                } else {
                    new_pc += 1;
                }
            }
            _ => {}
        }
        self.th.top = top;
        if let Kind::Lua { pc, .. } = &mut self.th.frames[fi].kind {
            *pc = new_pc;
        }
        Ok(())
    }

    /// Runs a collection if the heap has grown past its threshold (a safe point).
    #[inline]
    pub(crate) fn gc_check(&mut self) {
        if self.heap.allocated > self.heap.threshold {
            self.collect_garbage();
        }
    }

    // ---------------------------------------------------------------- the driver

    /// Runs the current thread until the execution ends, fails or the budget is spent.
    pub(crate) fn run(&mut self, host: &mut dyn Any) -> Outcome {
        loop {
            let r = self.execute(host);
            match r {
                Ok(o) => return o,
                Err(e) => {
                    if let Some(o) = self.throw(host, e) {
                        return o;
                    }
                }
            }
        }
    }

    fn execute(&mut self, host: &mut dyn Any) -> Result<Outcome> {
        loop {
            if self.budget == 0 {
                return Ok(Outcome::Paused);
            }
            self.gc_check();
            let is_lua = match self.th.frames.last() {
                Some(f) => f.is_lua(),
                None => return Ok(Outcome::Done(Vec::new())),
            };
            let next = if is_lua {
                self.run_lua(host)?
            } else {
                self.resume_native(host)?
            };
            if let Next::Exit(o) = next {
                return Ok(o);
            }
        }
    }

    /// Interprets Lua frames until something else must happen: a native continuation to
    /// resume, the end of the execution, or the budget spent. Calls and returns between
    /// Lua functions stay in this loop.
    fn run_lua(&mut self, host: &mut dyn Any) -> Result<Next> {
        'frame: loop {
            let fi = match self.th.frames.last() {
                Some(f) if f.is_lua() => self.th.frames.len() - 1,
                _ => return Ok(Next::Reenter),
            };
            self.gc_check();
            let (cl, mut pc, frame_top) = match &self.th.frames[fi].kind {
                Kind::Lua { cl, pc, top, .. } => (*cl, *pc, *top),
                Kind::Native { .. } => return Ok(Next::Reenter),
            };
            let proto = self.proto_of(cl);
            let base = self.th.frames[fi].base;
            let code: &[u32] = &proto.code;
            let k: &[Value] = &proto.k;
            // The budget lives in a register while the loop runs, and in `self` whenever
            // anything else may look at it (calls, natives, errors).
            let mut budget = self.budget;

            macro_rules! savepc {
                () => {
                    if let Kind::Lua { pc: p, .. } = &mut self.th.frames[fi].kind {
                        *p = pc;
                    }
                    self.budget = budget;
                };
            }
            macro_rules! reload {
                () => {
                    budget = self.budget;
                };
            }
            macro_rules! rk {
                ($x:expr) => {{
                    let x = $x;
                    if is_k(x) {
                        k[index_k(x)]
                    } else {
                        self.th.stack[base + x as usize]
                    }
                }};
            }
            macro_rules! rkreg {
                ($x:expr) => {{
                    let x = $x;
                    if is_k(x) {
                        None
                    } else {
                        Some(x as usize)
                    }
                }};
            }
            macro_rules! upvals {
                () => {
                    match self.heap.func(cl) {
                        Function::Lua(c) => &c.upvals,
                        Function::Native(_) => unreachable!("a Lua frame runs a Lua closure"),
                    }
                };
            }
            macro_rules! env {
                () => {
                    match self.heap.func(cl) {
                        Function::Lua(c) => c.env,
                        Function::Native(_) => unreachable!("a Lua frame runs a Lua closure"),
                    }
                };
            }
            /// Continue with whatever frame a call or return left on top: more Lua code
            /// stays in this loop.
            macro_rules! next_frame {
                ($n:expr) => {
                    match $n {
                        Next::Reenter => continue 'frame,
                        other => return Ok(other),
                    }
                };
            }
            macro_rules! arith_op {
                ($i:expr, $ra:expr, $tm:expr, $f:expr) => {{
                    let (bi, ci) = (arg_b($i), arg_c($i));
                    let nums = {
                        let stack = &self.th.stack;
                        let vb = if is_k(bi) {
                            &k[index_k(bi)]
                        } else {
                            &stack[base + bi as usize]
                        };
                        let vc = if is_k(ci) {
                            &k[index_k(ci)]
                        } else {
                            &stack[base + ci as usize]
                        };
                        match (vb, vc) {
                            (Value::Num(x), Value::Num(y)) => Some((*x, *y)),
                            _ => None,
                        }
                    };
                    if let Some((x, y)) = nums {
                        self.th.stack[$ra] = Value::Num($f(x, y));
                    } else {
                        let (b, c) = (rk!(bi), rk!(ci));
                        savepc!();
                        let regs = (rkreg!(bi), rkreg!(ci));
                        let before = self.th.frames.len();
                        self.arith_slow(host, $ra, b, c, $tm, regs)?;
                        if self.th.frames.len() != before {
                            continue 'frame;
                        }
                        reload!();
                    }
                }};
            }

            loop {
                if budget == 0 {
                    savepc!();
                    return Ok(Next::Exit(Outcome::Paused));
                }
                budget -= 1;
                let i = code[pc];
                pc += 1;
                let ra = base + arg_a(i) as usize;
                match op(i) {
                    MOVE => {
                        self.th.stack[ra] = self.th.stack[base + arg_b(i) as usize];
                    }
                    LOADK => {
                        self.th.stack[ra] = k[arg_bx(i) as usize];
                    }
                    LOADBOOL => {
                        self.th.stack[ra] = Value::Bool(arg_b(i) != 0);
                        if arg_c(i) != 0 {
                            pc += 1;
                        }
                    }
                    LOADNIL => {
                        let last = base + arg_b(i) as usize;
                        for s in ra..=last {
                            self.th.stack[s] = Value::Nil;
                        }
                    }
                    GETUPVAL => {
                        let u = upvals!()[arg_b(i) as usize];
                        self.th.stack[ra] = self.upval_get(u);
                    }
                    GETGLOBAL => {
                        let env = env!();
                        let key = k[arg_bx(i) as usize];
                        let tab = self.heap.table(env);
                        let v = tab.get(key);
                        if !v.is_nil() || tab.meta.is_none() {
                            self.th.stack[ra] = v;
                        } else {
                            savepc!();
                            match self.index_slow(host, Value::Table(env), key, None)? {
                                Got::Value(v) => self.th.stack[ra] = v,
                                Got::Called => continue 'frame,
                            }
                            reload!();
                        }
                    }
                    GETTABLE => {
                        let t = self.th.stack[base + arg_b(i) as usize];
                        let key = rk!(arg_c(i));
                        if let Value::Table(tr) = t {
                            let tab = self.heap.table(tr);
                            let v = tab.get(key);
                            if !v.is_nil() || tab.meta.is_none() {
                                self.th.stack[ra] = v;
                                continue;
                            }
                        }
                        savepc!();
                        match self.index_slow(host, t, key, Some(arg_b(i) as usize))? {
                            Got::Value(v) => self.th.stack[ra] = v,
                            Got::Called => continue 'frame,
                        }
                        reload!();
                    }
                    SETGLOBAL => {
                        let env = env!();
                        let key = k[arg_bx(i) as usize];
                        let val = self.th.stack[ra];
                        savepc!();
                        if self.settable(host, Value::Table(env), key, val, None)? {
                            continue 'frame;
                        }
                        reload!();
                    }
                    SETUPVAL => {
                        let u = upvals!()[arg_b(i) as usize];
                        let v = self.th.stack[ra];
                        self.upval_set(u, v);
                    }
                    SETTABLE => {
                        let t = self.th.stack[ra];
                        let key = rk!(arg_b(i));
                        let val = rk!(arg_c(i));
                        savepc!();
                        if let Value::Table(tr) = t {
                            let tab = self.heap.table(tr);
                            if tab.meta.is_none() && !tab.readonly {
                                self.raw_set_checked(tr, key, val)?;
                                continue;
                            }
                        }
                        if self.settable(host, t, key, val, Some(arg_a(i) as usize))? {
                            continue 'frame;
                        }
                        reload!();
                    }
                    NEWTABLE => {
                        savepc!();
                        let t = self.heap.new_table(fb2int(arg_b(i)), fb2int(arg_c(i)))?;
                        self.th.stack[ra] = Value::Table(t);
                        self.gc_check();
                    }
                    SELF => {
                        let obj = self.th.stack[base + arg_b(i) as usize];
                        let key = rk!(arg_c(i));
                        self.th.stack[ra + 1] = obj;
                        if let Value::Table(tr) = obj {
                            let tab = self.heap.table(tr);
                            let v = tab.get(key);
                            if !v.is_nil() || tab.meta.is_none() {
                                self.th.stack[ra] = v;
                                continue;
                            }
                        }
                        savepc!();
                        match self.index_slow(host, obj, key, Some(arg_b(i) as usize))? {
                            Got::Value(v) => self.th.stack[ra] = v,
                            Got::Called => continue 'frame,
                        }
                        reload!();
                    }
                    ADD => arith_op!(i, ra, Tm::Add, add),
                    SUB => arith_op!(i, ra, Tm::Sub, sub),
                    MUL => arith_op!(i, ra, Tm::Mul, mul),
                    DIV => arith_op!(i, ra, Tm::Div, div),
                    MOD => arith_op!(i, ra, Tm::Mod, lua_mod),
                    POW => arith_op!(i, ra, Tm::Pow, lua_pow),
                    UNM => {
                        let b = self.th.stack[base + arg_b(i) as usize];
                        if let Value::Num(x) = b {
                            self.th.stack[ra] = Value::Num(-x);
                        } else {
                            savepc!();
                            let reg = Some(arg_b(i) as usize);
                            let before = self.th.frames.len();
                            self.arith_slow(host, ra, b, b, Tm::Unm, (reg, reg))?;
                            if self.th.frames.len() != before {
                                continue 'frame;
                            }
                            reload!();
                        }
                    }
                    NOT => {
                        let b = self.th.stack[base + arg_b(i) as usize];
                        self.th.stack[ra] = Value::Bool(!b.truthy());
                    }
                    LEN => {
                        let b = self.th.stack[base + arg_b(i) as usize];
                        match b {
                            Value::Table(t) => {
                                self.th.stack[ra] = Value::Num(self.heap.table(t).len() as f64)
                            }
                            Value::Str(s) => {
                                self.th.stack[ra] = Value::Num(self.heap.str(s).len() as f64)
                            }
                            _ => {
                                savepc!();
                                let f = self.tm_of(b, Tm::Len);
                                if f.is_nil() {
                                    return Err(self.type_error(
                                        b,
                                        Some(arg_b(i) as usize),
                                        "get length of",
                                    ));
                                }
                                self.call_op_tm(host, f, &[b, Value::Nil], 1, 0)?;
                                continue 'frame;
                            }
                        }
                    }
                    CONCAT => {
                        let first = base + arg_b(i) as usize;
                        let last = base + arg_c(i) as usize;
                        savepc!();
                        if !self.concat(host, first, last)? {
                            continue 'frame;
                        }
                        self.th.stack[ra] = self.th.stack[first];
                        reload!();
                        self.gc_check();
                    }
                    JMP => {
                        pc = (pc as i64 + i64::from(arg_sbx(i))) as usize;
                    }
                    EQ => {
                        let b = rk!(arg_b(i));
                        let c = rk!(arg_c(i));
                        let r = if b.type_of() != c.type_of() {
                            false
                        } else if let (Value::Num(x), Value::Num(y)) = (b, c) {
                            x == y
                        } else {
                            savepc!();
                            match self.equal(host, b, c)? {
                                Some(r) => {
                                    reload!();
                                    r
                                }
                                None => continue 'frame,
                            }
                        };
                        if r == (arg_a(i) != 0) {
                            pc = (pc as i64 + 1 + i64::from(arg_sbx(code[pc]))) as usize;
                        } else {
                            pc += 1;
                        }
                    }
                    LT | LE => {
                        let (bi, ci) = (arg_b(i), arg_c(i));
                        let nums = {
                            let stack = &self.th.stack;
                            let vb = if is_k(bi) {
                                &k[index_k(bi)]
                            } else {
                                &stack[base + bi as usize]
                            };
                            let vc = if is_k(ci) {
                                &k[index_k(ci)]
                            } else {
                                &stack[base + ci as usize]
                            };
                            match (vb, vc) {
                                (Value::Num(x), Value::Num(y)) => Some((*x, *y)),
                                _ => None,
                            }
                        };
                        let r = if let Some((x, y)) = nums {
                            if op(i) == LT {
                                x < y
                            } else {
                                x <= y
                            }
                        } else {
                            let (b, c) = (rk!(bi), rk!(ci));
                            savepc!();
                            match self.less(host, b, c, op(i) == LE)? {
                                Some(r) => {
                                    reload!();
                                    r
                                }
                                None => continue 'frame,
                            }
                        };
                        if r == (arg_a(i) != 0) {
                            pc = (pc as i64 + 1 + i64::from(arg_sbx(code[pc]))) as usize;
                        } else {
                            pc += 1;
                        }
                    }
                    TEST => {
                        if self.th.stack[ra].truthy() == (arg_c(i) != 0) {
                            pc = (pc as i64 + 1 + i64::from(arg_sbx(code[pc]))) as usize;
                        } else {
                            pc += 1;
                        }
                    }
                    TESTSET => {
                        let b = self.th.stack[base + arg_b(i) as usize];
                        if b.truthy() == (arg_c(i) != 0) {
                            self.th.stack[ra] = b;
                            pc = (pc as i64 + 1 + i64::from(arg_sbx(code[pc]))) as usize;
                        } else {
                            pc += 1;
                        }
                    }
                    CALL => {
                        let b = arg_b(i) as usize;
                        let nresults = arg_c(i) as i32 - 1;
                        if b != 0 {
                            self.th.top = ra + b;
                        }
                        savepc!();
                        match self.precall(host, ra, nresults, Ret::Lua)? {
                            Next::Same => {
                                reload!();
                                self.gc_check();
                            }
                            other => next_frame!(other),
                        }
                    }
                    TAILCALL => {
                        let b = arg_b(i) as usize;
                        if b != 0 {
                            self.th.top = ra + b;
                        }
                        savepc!();
                        next_frame!(self.tailcall(host, fi, ra)?);
                    }
                    RETURN => {
                        let b = arg_b(i) as usize;
                        let n = if b != 0 { b - 1 } else { self.th.top - ra };
                        savepc!();
                        if self.th.open.last().is_some_and(|&(s, _)| s >= base) {
                            self.close_upvals(base);
                        }
                        next_frame!(self.poscall(host, ra, n)?);
                    }
                    FORLOOP => {
                        let stack = &mut self.th.stack;
                        let (Value::Num(idx), Value::Num(limit), Value::Num(step)) =
                            (&stack[ra], &stack[ra + 1], &stack[ra + 2])
                        else {
                            savepc!();
                            return Err(self.rt_error("'for' values must be numbers"));
                        };
                        let (idx, limit, step) = (*idx, *limit, *step);
                        let idx = add(idx, step);
                        if if 0.0 < step {
                            idx <= limit
                        } else {
                            limit <= idx
                        } {
                            pc = (pc as i64 + i64::from(arg_sbx(i))) as usize;
                            stack[ra] = Value::Num(idx);
                            stack[ra + 3] = Value::Num(idx);
                        }
                    }
                    FORPREP => {
                        savepc!();
                        let init = self.to_number(self.th.stack[ra]);
                        let limit = self.to_number(self.th.stack[ra + 1]);
                        let step = self.to_number(self.th.stack[ra + 2]);
                        let Some(init) = init else {
                            return Err(self.rt_error("'for' initial value must be a number"));
                        };
                        let Some(limit) = limit else {
                            return Err(self.rt_error("'for' limit must be a number"));
                        };
                        let Some(step) = step else {
                            return Err(self.rt_error("'for' step must be a number"));
                        };
                        self.th.stack[ra] = Value::Num(sub(init, step));
                        self.th.stack[ra + 1] = Value::Num(limit);
                        self.th.stack[ra + 2] = Value::Num(step);
                        pc = (pc as i64 + i64::from(arg_sbx(i))) as usize;
                    }
                    TFORLOOP => {
                        let cb = ra + 3;
                        let gen = self.th.stack[ra];
                        let state = self.th.stack[ra + 1];
                        let ctl = self.th.stack[ra + 2];
                        let nvars = arg_c(i) as usize;
                        // `next` (pairs) and `ipairs`'s iterator over a table need no frame.
                        if let (Value::Func(f), Value::Table(t)) = (gen, state) {
                            let fast = if Some(f) == self.next_fn || Some(f) == self.pairs_next_fn {
                                match self.heap.table(t).next(ctl) {
                                    Ok(e) => Some(e.unwrap_or((Value::Nil, Value::Nil))),
                                    Err(()) => {
                                        savepc!();
                                        return Err(self.rt_error("invalid key to 'next'"));
                                    }
                                }
                            } else if Some(f) == self.ipairs_aux_fn && matches!(ctl, Value::Num(_))
                            {
                                let Value::Num(c) = ctl else {
                                    unreachable!("checked above")
                                };
                                let n = f64::from(number::c_int(c).wrapping_add(1));
                                let v = self.heap.table(t).get_num(n);
                                Some(if v.is_nil() {
                                    (Value::Nil, Value::Nil)
                                } else {
                                    (Value::Num(n), v)
                                })
                            } else {
                                None
                            };
                            if let Some((kv, vv)) = fast {
                                self.th.stack[cb] = kv;
                                if nvars >= 2 {
                                    self.th.stack[cb + 1] = vv;
                                }
                                for s in cb + 2..cb + nvars {
                                    self.th.stack[s] = Value::Nil;
                                }
                                if !kv.is_nil() {
                                    self.th.stack[cb - 1] = kv;
                                    pc = (pc as i64 + 1 + i64::from(arg_sbx(code[pc]))) as usize;
                                } else {
                                    pc += 1;
                                }
                                continue;
                            }
                        }
                        self.th.stack[cb] = gen;
                        self.th.stack[cb + 1] = state;
                        self.th.stack[cb + 2] = ctl;
                        self.th.top = cb + 3;
                        savepc!();
                        self.precall(host, cb, nvars as i32, Ret::Op(0))?;
                        continue 'frame;
                    }
                    SETLIST => {
                        let mut n = arg_b(i) as usize;
                        let mut c = arg_c(i) as usize;
                        if n == 0 {
                            n = self.th.top - ra - 1;
                            self.th.top = frame_top;
                        }
                        if c == 0 {
                            c = code[pc] as usize;
                            pc += 1;
                        }
                        savepc!();
                        let Value::Table(t) = self.th.stack[ra] else {
                            return Err(self.rt_error("SETLIST on a non-table"));
                        };
                        let last = (c - 1) * LFIELDS_PER_FLUSH as usize + n;
                        if last > self.heap.table(t).arr.len() {
                            match self.heap.table_resize_array(t, last) {
                                Ok(()) => {}
                                Err(SetError::Memory) => return Err(Error::Memory),
                                Err(_) => return Err(self.rt_error("table overflow")),
                            }
                        }
                        for j in 1..=n {
                            let v = self.th.stack[ra + j];
                            let key = (last - n + j) as f64;
                            self.raw_set_checked(t, Value::Num(key), v)?;
                        }
                        self.gc_check();
                    }
                    CLOSE => {
                        self.close_upvals(ra);
                    }
                    CLOSURE => {
                        savepc!();
                        let p = proto.p[arg_bx(i) as usize].clone();
                        let nups = p.nups as usize;
                        let mut ups = Vec::with_capacity(nups);
                        for _ in 0..nups {
                            let pi = code[pc];
                            pc += 1;
                            if op(pi) == GETUPVAL {
                                ups.push(upvals!()[arg_b(pi) as usize]);
                            } else {
                                ups.push(self.find_upval(base + arg_b(pi) as usize)?);
                            }
                        }
                        let env = env!();
                        let f = self.heap.new_func(Function::Lua(LuaClosure {
                            proto: p,
                            upvals: ups.into(),
                            env,
                        }))?;
                        self.th.stack[ra] = Value::Func(f);
                        savepc!();
                        self.gc_check();
                    }
                    VARARG => {
                        let frame = &self.th.frames[fi];
                        let nvar =
                            (frame.base - frame.func - 1).saturating_sub(proto.numparams as usize);
                        let first = frame.base - nvar;
                        let wanted = arg_b(i) as i64 - 1;
                        let n = if wanted < 0 {
                            savepc!();
                            self.ensure_stack(ra + nvar + EXTRA_STACK)?;
                            self.th.top = ra + nvar;
                            nvar
                        } else {
                            wanted as usize
                        };
                        for j in 0..n {
                            self.th.stack[ra + j] = if j < nvar {
                                self.th.stack[first + j]
                            } else {
                                Value::Nil
                            };
                        }
                    }
                    _ => {
                        savepc!();
                        return Err(self.rt_error("invalid instruction"));
                    }
                }
            }
        }
    }

    /// OP_TAILCALL: a Lua callee replaces the calling frame; anything else is called as
    /// OP_CALL would, and the RETURN that follows returns its results.
    fn tailcall(&mut self, host: &mut dyn Any, fi: usize, func: usize) -> Result<Next> {
        let f = match self.th.stack[func] {
            Value::Func(f) => f,
            other => self.call_tm(func, other)?,
        };
        let shape = match self.heap.func(f) {
            Function::Lua(c) => (c.proto.numparams, c.proto.maxstacksize, c.proto.is_vararg),
            Function::Native(_) => {
                return match self.precall(host, func, -1, Ret::Lua)? {
                    Next::Same => Ok(Next::Reenter),
                    other => Ok(other),
                };
            }
        };
        // C Lua pushes the callee's CallInfo before moving it down: it may grow the array.
        self.check_ci()?;
        let caller = &self.th.frames[fi];
        let (dest, nresults, ret) = (caller.func, caller.nresults, caller.ret);
        let tailcalls = match caller.kind {
            Kind::Lua { tailcalls, .. } => tailcalls,
            Kind::Native { .. } => 0,
        };
        let base = caller.base;
        if self.th.open.last().is_some_and(|&(s, _)| s >= base) {
            self.close_upvals(base);
        }
        let top = self.th.top;
        self.th.stack.copy_within(func..top, dest);
        self.th.top = dest + (top - func);
        self.th.frames.pop();
        self.enter_lua(dest, f, shape, nresults, ret)?;
        if let Some(Frame {
            kind: Kind::Lua { tailcalls: t, .. },
            ..
        }) = self.th.frames.last_mut()
        {
            *t = tailcalls + 1;
        }
        Ok(Next::Reenter)
    }

    // ---------------------------------------------------------------- coroutines

    /// Checks the running thread into its arena slot and `to` out of its own.
    fn switch_to(&mut self, to: ThreadRef) {
        self.sync_thread_mem();
        let incoming = std::mem::take(self.heap.threads.get_mut(to.0));
        let outgoing = std::mem::replace(&mut self.th, incoming);
        if let Some(from) = self.cur {
            *self.heap.threads.get_mut(from.0) = outgoing;
        }
        self.cur = Some(to);
    }

    /// `lua_resume` from a `coroutine.resume` frame: moves the `nargs` values on top of the
    /// stack into `co` and runs it.
    fn resume_thread(&mut self, host: &mut dyn Any, co: ThreadRef, nargs: usize) -> Result<()> {
        let top = self.th.top;
        let args: Vec<Value> = self.th.stack[top - nargs..top].to_vec();
        self.th.top -= nargs;
        let me = self.cur;
        self.th.status = CoStatus::Normal;
        self.switch_to(co);
        self.th.status = CoStatus::Running;
        self.th.resumer = me;
        self.ccalls += 1;
        self.th.base_ccalls = self.ccalls;
        for v in &args {
            self.push(*v);
        }
        if self.th.frames.is_empty() {
            self.precall(host, 0, -1, Ret::Base)?;
        } else {
            let first = self.th.top - nargs;
            self.poscall(host, first, nargs)?;
        }
        Ok(())
    }

    /// `lua_yield`: hands the `n` values on top of the stack to the resumer.
    fn yield_values(&mut self, n: usize) -> Result<()> {
        if !self.th.is_coroutine || self.ccalls > self.th.base_ccalls {
            return Err(self.rt_error("attempt to yield across metamethod/C-call boundary"));
        }
        let top = self.th.top;
        let vals: Vec<Value> = self.th.stack[top - n..top].to_vec();
        self.th.top -= n;
        self.th.status = CoStatus::Suspended;
        self.leave_coroutine(vals, false);
        Ok(())
    }

    /// Switches from the running coroutine back to its resumer and gives the resume frame
    /// `vals` (the coroutine's yield, return or error).
    fn leave_coroutine(&mut self, vals: Vec<Value>, failed: bool) {
        let Some(resumer) = self.th.resumer.take() else {
            return;
        };
        self.ccalls = self.th.base_ccalls - 1;
        self.switch_to(resumer);
        self.th.status = CoStatus::Running;
        let at = self.th.top;
        for v in vals {
            self.push(v);
        }
        if let Some(Frame {
            kind: Kind::Native { cont, results, .. },
            ..
        }) = self.th.frames.last_mut()
        {
            *results = at;
            if failed {
                if let Some(Cont::Resume { failed, .. }) = cont {
                    *failed = true;
                }
            }
        }
    }

    /// The base frame of the running thread returned `vals`.
    fn thread_returned(&mut self, vals: Vec<Value>) -> Result<Next> {
        if self.th.is_coroutine {
            self.th.status = CoStatus::Dead;
            self.th.top = 0;
            self.leave_coroutine(vals, false);
            Ok(Next::Reenter)
        } else {
            self.th.status = CoStatus::Dead;
            self.th.top = 0;
            Ok(Next::Exit(Outcome::Done(vals)))
        }
    }

    // ---------------------------------------------------------------- errors

    /// The value an error carries (`not enough memory` and `error in error handling` for
    /// the two special kinds).
    pub fn error_value(&self, e: Error) -> Value {
        match e {
            Error::Lua(v) => v,
            Error::Memory => Value::Str(self.names.memory_msg),
            Error::Handler => Value::Str(self.names.handler_msg),
        }
    }

    /// Finds where error `e` is caught: the nearest `pcall`/`xpcall` of the running thread
    /// (calling `xpcall`'s handler first), else the coroutine dies and its resumer gets the
    /// error, else the execution ends with it.
    pub(crate) fn throw(&mut self, host: &mut dyn Any, mut e: Error) -> Option<Outcome> {
        loop {
            let catcher = self.th.frames.iter().rposition(|f| {
                matches!(
                    f.cont(),
                    Some(Cont::Pcall { .. } | Cont::Xpcall { .. } | Cont::Load { .. })
                )
            });
            if let Some(fi) = catcher {
                let is_x = matches!(self.th.frames[fi].cont(), Some(Cont::Xpcall { .. }));
                let r = match e {
                    Error::Lua(v) if is_x => self.call_handler(host, fi, v),
                    _ => {
                        let v = self.error_value(e);
                        self.catch_at(host, fi, v)
                    }
                };
                match r {
                    // A protected call at the bottom of an execution may end it right here.
                    Ok(Next::Exit(o)) => return Some(o),
                    Ok(_) => return None,
                    Err(e2) => {
                        e = e2;
                        continue;
                    }
                }
            }
            let v = self.error_value(e);
            self.close_upvals(0);
            self.th.frames.clear();
            self.th.status = CoStatus::Dead;
            self.th.top = 0;
            if self.th.is_coroutine && self.th.resumer.is_some() {
                self.leave_coroutine(vec![v], true);
                return None;
            }
            return Some(Outcome::Error(v));
        }
    }

    /// Calls the handler of the `xpcall` frame `fi` with the error value, on top of the
    /// failing frames.
    fn call_handler(&mut self, host: &mut dyn Any, fi: usize, v: Value) -> Result<Next> {
        let handler = self.th.stack[self.th.frames[fi].base + 1];
        if !matches!(handler, Value::Func(_)) {
            return Err(Error::Handler);
        }
        let at = self.frame_top().max(self.th.top);
        self.ensure_stack(at + 2 + EXTRA_STACK)?;
        self.th.stack[at] = handler;
        self.th.stack[at + 1] = v;
        self.th.top = at + 2;
        self.precall(host, at, 1, Ret::Handler)
    }

    /// An `xpcall` handler returned `v`: the nearest `xpcall` below catches it.
    fn handler_returned(&mut self, host: &mut dyn Any, v: Value) -> Result<Next> {
        let fi = self
            .th
            .frames
            .iter()
            .rposition(|f| matches!(f.cont(), Some(Cont::Xpcall { .. })));
        match fi {
            Some(fi) => self.catch_at(host, fi, v),
            None => Ok(Next::Reenter),
        }
    }

    /// Unwinds to the protected call of frame `fi`, which returns `false, v`.
    fn catch_at(&mut self, host: &mut dyn Any, fi: usize, v: Value) -> Result<Next> {
        let (saved, status) = match self.th.frames[fi].cont() {
            Some(Cont::Pcall { ccalls } | Cont::Xpcall { ccalls }) => (*ccalls, Value::Bool(false)),
            Some(Cont::Load { ccalls, .. }) => (*ccalls, Value::Nil),
            _ => (self.ccalls, Value::Bool(false)),
        };
        let level = self.th.frames.get(fi + 1).map_or(self.th.top, |f| f.func);
        self.close_upvals(level);
        self.th.frames.truncate(fi + 1);
        self.ccalls = saved;
        self.restore_ci();
        if let Kind::Native { cont, .. } = &mut self.th.frames[fi].kind {
            *cont = None;
        }
        let at = self.th.frames[fi].base;
        self.th.top = at;
        self.push(status);
        self.push(v);
        self.poscall(host, at, 2)
    }
}

/// `+`, `-`, `*`, `/` with x86's NaNs: on x86-64 the hardware makes them; elsewhere
/// (wasm32) they are made in software so that every platform prints the same.
macro_rules! float_op {
    ($name:ident, $op:tt) => {
        #[inline(always)]
        pub(crate) fn $name(x: f64, y: f64) -> f64 {
            #[cfg(target_arch = "x86_64")]
            {
                x $op y
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                crate::number::fix_nan2(x $op y, x, y)
            }
        }
    };
}
float_op!(add, +);
float_op!(sub, -);
float_op!(mul, *);
float_op!(div, /);

/// Arithmetic on numbers, with x86's NaNs.
#[inline]
pub(crate) fn arith(tm: Tm, x: f64, y: f64) -> f64 {
    match tm {
        Tm::Add => add(x, y),
        Tm::Sub => sub(x, y),
        Tm::Mul => mul(x, y),
        Tm::Div => div(x, y),
        Tm::Mod => lua_mod(x, y),
        Tm::Pow => lua_pow(x, y),
        _ => -x,
    }
}
