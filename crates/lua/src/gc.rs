//! The heap and its garbage collector.
//!
//! # Design
//!
//! Every collectable object lives in an arena of its type (strings, tables, functions,
//! upvalue cells, threads, userdata) and is named by its index; a [`Value`] holds that index.
//! Nothing is reference counted and nothing is `unsafe`: an arena slot is an `Option`, a
//! freed slot goes on a free list and is reused by the next allocation of that type.
//!
//! Collection is a stop-the-world mark and sweep, as simple as it can be made:
//!
//! 1. **Roots**: the running thread (checked out of its arena while it runs), the globals,
//!    the registry, the string metatable, the fixed strings (metamethod names and the
//!    like), the threads of live executions and the values the host pinned.
//! 2. **Mark** with an explicit gray stack (no recursion, so a million nested tables cannot
//!    overflow the Rust stack). A thread is marked up to the extent its frames use; a Lua
//!    closure marks its prototype's constants once per cycle (prototypes are shared `Rc`s
//!    with an epoch stamp rather than arena objects); an open upvalue marks the stack slot it
//!    points into, wherever that thread is.
//! 3. **Weak tables** (`__mode` with `k` and/or `v`) are traversed for their strong half only;
//!    after marking, entries whose weak key or value died are removed. Strings count as
//!    values, never as dead references, as in Lua 5.1.
//! 4. **Sweep** every arena. A dead thread first closes the open upvalues that live closures
//!    still share, so they keep their values.
//! 5. The string intern table is rebuilt from the surviving strings.
//!
//! Collections only happen at the VM's safe points (between instructions that allocate,
//! never inside a native function), so a native can hold values in Rust locals while it
//! allocates without pinning them.
//!
//! # Accounting
//!
//! The heap counts bytes with a simple model of each object (a string is its length plus 40,
//! a table 80 plus 16 per array slot and 40 per hash node, a thread 16 per stack slot...).
//! The count is what `collectgarbage("count")` and [`crate::Lua::used_memory`] report. A
//! collection starts at a safe point once the count passes the threshold, which is twice the
//! count left by the previous collection (Lua 5.1's default pause of 200%), but never more
//! than halfway from there to the memory limit, so that garbage is collected well before
//! the limit is near. An allocation that would pass the limit fails with
//! [`Error::Memory`] instead; prototypes (compiled code) are not counted.

use std::rc::Rc;

use crate::code::Proto;
use crate::error::{Error, Result};
use crate::native::NativeFn;
use crate::table::{SetError, Table};
use crate::value::{FuncRef, StrRef, TableRef, ThreadRef, UpValRef, UserDataRef, Value};
use crate::vm::Thread;
use crate::Lua;

/// The smallest threshold: no collection before this many bytes.
const MIN_THRESHOLD: usize = 256 * 1024;
pub(crate) const STRING_OVERHEAD: usize = 40;
const CLOSURE_BYTES: usize = 48;
const UPVAL_BYTES: usize = 40;
const USERDATA_BYTES: usize = 48;

/// An arena of objects of one type addressed by `u32` indices.
pub(crate) struct Arena<T> {
    slots: Vec<Option<T>>,
    marks: Vec<bool>,
    free: Vec<u32>,
}

impl<T> Arena<T> {
    fn new() -> Arena<T> {
        Arena {
            slots: Vec::new(),
            marks: Vec::new(),
            free: Vec::new(),
        }
    }

    fn alloc(&mut self, v: T) -> u32 {
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(v);
            i
        } else {
            self.slots.push(Some(v));
            self.marks.push(false);
            (self.slots.len() - 1) as u32
        }
    }

    #[inline(always)]
    pub fn get(&self, i: u32) -> &T {
        match &self.slots[i as usize] {
            Some(v) => v,
            None => panic!("dangling object reference"),
        }
    }

    #[inline(always)]
    pub fn get_mut(&mut self, i: u32) -> &mut T {
        match &mut self.slots[i as usize] {
            Some(v) => v,
            None => panic!("dangling object reference"),
        }
    }

    /// Marks `i`; true when it was not marked yet.
    #[inline]
    fn mark(&mut self, i: u32) -> bool {
        let m = &mut self.marks[i as usize];
        if *m {
            false
        } else {
            *m = true;
            true
        }
    }

    #[inline]
    fn is_marked(&self, i: u32) -> bool {
        self.marks[i as usize]
    }

    /// Frees every unmarked object (handing it to `dead`) and clears the marks.
    fn sweep(&mut self, mut dead: impl FnMut(u32, T)) {
        for (i, (slot, mark)) in self.slots.iter_mut().zip(self.marks.iter_mut()).enumerate() {
            if *mark {
                *mark = false;
            } else if let Some(obj) = slot.take() {
                self.free.push(i as u32);
                dead(i as u32, obj);
            }
        }
    }

    pub fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

/// An interned string.
pub(crate) struct LStr {
    pub bytes: Rc<[u8]>,
    pub hash: u32,
}

pub(crate) struct LuaClosure {
    pub proto: Rc<Proto>,
    pub upvals: Box<[UpValRef]>,
    pub env: TableRef,
}

pub(crate) struct NativeClosure {
    pub f: NativeFn,
    pub upvals: Box<[Value]>,
    pub env: TableRef,
}

pub(crate) enum Function {
    Lua(LuaClosure),
    Native(NativeClosure),
}

impl Function {
    fn mem(&self) -> usize {
        match self {
            Function::Lua(c) => CLOSURE_BYTES + 8 * c.upvals.len(),
            Function::Native(c) => CLOSURE_BYTES + 16 * c.upvals.len(),
        }
    }
}

/// An upvalue cell: open while the variable still lives in a thread's stack slot, closed
/// (holding the value) once that frame returned.
#[derive(Clone, Copy)]
pub(crate) enum UpVal {
    Open { thread: ThreadRef, slot: usize },
    Closed(Value),
}

pub(crate) struct UserData {
    pub meta: Option<TableRef>,
    pub env: TableRef,
}

/// The heap: the arenas, the intern table and the memory count.
pub(crate) struct Heap {
    pub strings: Arena<LStr>,
    pub tables: Arena<Table>,
    pub funcs: Arena<Function>,
    pub upvals: Arena<UpVal>,
    pub threads: Arena<Thread>,
    pub udata: Arena<UserData>,
    /// Open addressing over string ids (id + 1; 0 = empty).
    intern: Vec<u32>,
    intern_count: usize,
    pub allocated: usize,
    pub limit: usize,
    pub threshold: usize,
    epoch: u32,
}

/// The hash of a string's bytes (deterministic on every platform).
pub(crate) fn hash_bytes(b: &[u8]) -> u32 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    for &x in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(x)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    (h ^ (h >> 32)) as u32
}

impl Heap {
    pub fn new() -> Heap {
        Heap {
            strings: Arena::new(),
            tables: Arena::new(),
            funcs: Arena::new(),
            upvals: Arena::new(),
            threads: Arena::new(),
            udata: Arena::new(),
            intern: vec![0; 1024],
            intern_count: 0,
            allocated: 0,
            limit: usize::MAX,
            threshold: MIN_THRESHOLD,
            epoch: 0,
        }
    }

    /// Counts `bytes` more, or fails when that passes the limit.
    #[inline]
    pub fn charge(&mut self, bytes: usize) -> Result<()> {
        match self.allocated.checked_add(bytes) {
            Some(n) if n <= self.limit => {
                self.allocated = n;
                Ok(())
            }
            _ => Err(Error::Memory),
        }
    }

    /// Bytes left before the limit.
    #[inline]
    pub fn room(&self) -> usize {
        self.limit.saturating_sub(self.allocated)
    }

    /// Interns `bytes`.
    pub fn new_str(&mut self, bytes: &[u8]) -> Result<StrRef> {
        let h = hash_bytes(bytes);
        if let Some(s) = self.find_str(bytes, h) {
            return Ok(s);
        }
        self.charge(STRING_OVERHEAD + bytes.len())?;
        Ok(self.insert_str(Rc::from(bytes), h))
    }

    /// Interns `bytes`, reusing the vector's allocation when the string is new.
    pub fn new_str_vec(&mut self, bytes: Vec<u8>) -> Result<StrRef> {
        let h = hash_bytes(&bytes);
        if let Some(s) = self.find_str(&bytes, h) {
            return Ok(s);
        }
        self.charge(STRING_OVERHEAD + bytes.len())?;
        Ok(self.insert_str(Rc::from(bytes), h))
    }

    /// The string with these bytes if it exists (no allocation).
    pub fn find_existing(&self, bytes: &[u8]) -> Option<StrRef> {
        self.find_str(bytes, hash_bytes(bytes))
    }

    fn find_str(&self, bytes: &[u8], h: u32) -> Option<StrRef> {
        let mask = self.intern.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.intern[i];
            if slot == 0 {
                return None;
            }
            let s = self.strings.get(slot - 1);
            if s.hash == h && &*s.bytes == bytes {
                return Some(StrRef(slot - 1));
            }
            i = (i + 1) & mask;
        }
    }

    fn insert_str(&mut self, bytes: Rc<[u8]>, hash: u32) -> StrRef {
        let id = self.strings.alloc(LStr { bytes, hash });
        if (self.intern_count + 1) * 2 > self.intern.len() {
            let size = self.intern.len() * 2;
            self.rebuild_intern(size);
        }
        self.intern_slot(id, hash);
        self.intern_count += 1;
        StrRef(id)
    }

    fn intern_slot(&mut self, id: u32, hash: u32) {
        let mask = self.intern.len() - 1;
        let mut i = hash as usize & mask;
        while self.intern[i] != 0 {
            i = (i + 1) & mask;
        }
        self.intern[i] = id + 1;
    }

    fn rebuild_intern(&mut self, size: usize) {
        self.intern = vec![0; size];
        self.intern_count = 0;
        let live: Vec<(u32, u32)> = self
            .strings
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i as u32, s.hash)))
            .collect();
        for (id, h) in live {
            self.intern_slot(id, h);
            self.intern_count += 1;
        }
    }

    #[inline(always)]
    pub fn str(&self, s: StrRef) -> &[u8] {
        &self.strings.get(s.0).bytes
    }

    pub fn str_rc(&self, s: StrRef) -> Rc<[u8]> {
        self.strings.get(s.0).bytes.clone()
    }

    pub fn new_table(&mut self, narr: usize, nhash: usize) -> Result<TableRef> {
        let cap = if nhash == 0 {
            0
        } else {
            nhash.next_power_of_two()
        };
        if narr > crate::table::MAXASIZE || cap > crate::table::MAXASIZE {
            return Err(Error::Memory);
        }
        self.charge(Table::bytes_for(narr, cap))?;
        Ok(TableRef(self.tables.alloc(Table::new(narr, nhash))))
    }

    #[inline(always)]
    pub fn table(&self, t: TableRef) -> &Table {
        self.tables.get(t.0)
    }

    #[inline(always)]
    pub fn table_mut(&mut self, t: TableRef) -> &mut Table {
        self.tables.get_mut(t.0)
    }

    /// A raw store, with the growth counted against the limit.
    pub fn table_set(
        &mut self,
        t: TableRef,
        k: Value,
        v: Value,
    ) -> std::result::Result<(), SetError> {
        let room = self.room();
        let tab = self.tables.get_mut(t.0);
        let before = tab.mem();
        tab.set(k, v, room)?;
        let after = tab.mem();
        self.allocated = self.allocated + after - before.min(after);
        self.allocated -= before.saturating_sub(after);
        Ok(())
    }

    /// Grows a table's array part (SETLIST), counting the growth.
    pub fn table_resize_array(
        &mut self,
        t: TableRef,
        n: usize,
    ) -> std::result::Result<(), SetError> {
        let room = self.room();
        let tab = self.tables.get_mut(t.0);
        let before = tab.mem();
        tab.resize_array(n, room)?;
        let after = tab.mem();
        self.allocated = self.allocated + after - before.min(after);
        self.allocated -= before.saturating_sub(after);
        Ok(())
    }

    pub fn new_func(&mut self, f: Function) -> Result<FuncRef> {
        self.charge(f.mem())?;
        Ok(FuncRef(self.funcs.alloc(f)))
    }

    #[inline(always)]
    pub fn func(&self, f: FuncRef) -> &Function {
        self.funcs.get(f.0)
    }

    pub fn new_upval(&mut self, u: UpVal) -> Result<UpValRef> {
        self.charge(UPVAL_BYTES)?;
        Ok(UpValRef(self.upvals.alloc(u)))
    }

    pub fn new_udata(&mut self, u: UserData) -> Result<UserDataRef> {
        self.charge(USERDATA_BYTES)?;
        Ok(UserDataRef(self.udata.alloc(u)))
    }

    pub fn new_thread(&mut self, t: Thread) -> Result<ThreadRef> {
        self.charge(t.accounted)?;
        Ok(ThreadRef(self.threads.alloc(t)))
    }
}

/// Work items of the mark phase.
enum Gray {
    Table(TableRef),
    Func(FuncRef),
    Thread(ThreadRef),
    UserData(UserDataRef),
}

/// The mark phase's state: the gray stack and the weak tables met.
struct Marker {
    gray: Vec<Gray>,
    weak: Vec<(TableRef, bool, bool)>,
}

impl Marker {
    fn value(&mut self, heap: &mut Heap, v: Value) {
        match v {
            Value::Str(s) => {
                heap.strings.mark(s.0);
            }
            Value::Table(t) => {
                if heap.tables.mark(t.0) {
                    self.gray.push(Gray::Table(t));
                }
            }
            Value::Func(f) => {
                if heap.funcs.mark(f.0) {
                    self.gray.push(Gray::Func(f));
                }
            }
            Value::Thread(t) => {
                if heap.threads.mark(t.0) {
                    self.gray.push(Gray::Thread(t));
                }
            }
            Value::UserData(u) => {
                if heap.udata.mark(u.0) {
                    self.gray.push(Gray::UserData(u));
                }
            }
            Value::Nil | Value::Bool(_) | Value::Num(_) | Value::LightUserData(_) => {}
        }
    }

    fn proto(&mut self, heap: &mut Heap, p: &Rc<Proto>) {
        if p.mark.get() == heap.epoch {
            return;
        }
        p.mark.set(heap.epoch);
        for &k in &p.k {
            self.value(heap, k);
        }
        for q in &p.p {
            self.proto(heap, q);
        }
    }

    /// Marks an upvalue cell and the value it holds or points at. `out` are threads
    /// checked out of the arena (the running one, the one being traversed), whose stacks
    /// must be read where they are.
    fn upval(&mut self, heap: &mut Heap, out: &[Option<(ThreadRef, &Thread)>], u: UpValRef) {
        if !heap.upvals.mark(u.0) {
            return;
        }
        let v = match *heap.upvals.get(u.0) {
            UpVal::Closed(v) => v,
            UpVal::Open { thread, slot } => {
                match out.iter().flatten().find(|(r, _)| *r == thread) {
                    Some((_, th)) => th.stack[slot],
                    None => heap.threads.get(thread.0).stack[slot],
                }
            }
        };
        self.value(heap, v);
    }

    /// Marks what thread `th` (whose reference is `me`) holds.
    fn thread(
        &mut self,
        heap: &mut Heap,
        cur: Option<(ThreadRef, &Thread)>,
        me: ThreadRef,
        th: &Thread,
    ) {
        let extent = th.extent().min(th.stack.len());
        for &v in &th.stack[..extent] {
            self.value(heap, v);
        }
        for f in &th.frames {
            self.value(heap, Value::Func(f.closure()));
            if let Some(c) = f.cont() {
                c.trace(&mut |v| self.value(heap, v));
            }
        }
        for &(_, u) in &th.open {
            self.upval(heap, &[cur, Some((me, th))], u);
        }
        if let Some(r) = th.resumer {
            self.value(heap, Value::Thread(r));
        }
    }

    fn propagate(&mut self, heap: &mut Heap, cur: Option<(ThreadRef, &Thread)>, mode_key: StrRef) {
        while let Some(item) = self.gray.pop() {
            match item {
                Gray::Table(t) => self.table(heap, t, mode_key),
                Gray::Func(f) => match heap.funcs.get(f.0) {
                    Function::Lua(c) => {
                        let proto = c.proto.clone();
                        let ups = c.upvals.clone();
                        let env = c.env;
                        self.proto(heap, &proto);
                        for u in ups.iter() {
                            self.upval(heap, &[cur], *u);
                        }
                        self.value(heap, Value::Table(env));
                    }
                    Function::Native(c) => {
                        let ups: Vec<Value> = c.upvals.to_vec();
                        let env = c.env;
                        for v in ups {
                            self.value(heap, v);
                        }
                        self.value(heap, Value::Table(env));
                    }
                },
                Gray::Thread(t) => {
                    if cur.is_some_and(|(r, _)| r == t) {
                        // The running thread is marked from the state itself.
                        continue;
                    }
                    let mut th = std::mem::take(heap.threads.get_mut(t.0));
                    th.clear_dead();
                    self.thread(heap, cur, t, &th);
                    *heap.threads.get_mut(t.0) = th;
                }
                Gray::UserData(u) => {
                    let ud = heap.udata.get(u.0);
                    let (meta, env) = (ud.meta, ud.env);
                    if let Some(m) = meta {
                        self.value(heap, Value::Table(m));
                    }
                    self.value(heap, Value::Table(env));
                }
            }
        }
    }

    fn table(&mut self, heap: &mut Heap, t: TableRef, mode_key: StrRef) {
        let meta = heap.table(t).meta;
        let (mut weak_k, mut weak_v) = (false, false);
        if let Some(m) = meta {
            self.value(heap, Value::Table(m));
            if let Value::Str(mode) = heap.table(m).get(Value::Str(mode_key)) {
                let mode = heap.str(mode);
                weak_k = mode.contains(&b'k');
                weak_v = mode.contains(&b'v');
            }
        }
        if weak_k || weak_v {
            self.weak.push((t, weak_k, weak_v));
        }
        // Collect first: marking needs the heap mutably.
        let entries: Vec<(Value, Value)> = heap.table(t).entries().collect();
        for (k, v) in entries {
            if !weak_k {
                self.value(heap, k);
            }
            if !weak_v {
                self.value(heap, v);
            }
        }
    }
}

/// Is `v` an object the mark phase did not reach? Strings never count as dead here: the
/// caller marks them instead, as Lua 5.1 keeps strings in weak tables.
fn is_dead(heap: &Heap, v: &Value) -> bool {
    match *v {
        Value::Table(t) => !heap.tables.is_marked(t.0),
        Value::Func(f) => !heap.funcs.is_marked(f.0),
        Value::Thread(t) => !heap.threads.is_marked(t.0),
        Value::UserData(u) => !heap.udata.is_marked(u.0),
        _ => false,
    }
}

impl Lua {
    /// A full collection (`collectgarbage("collect")`). Only call at a safe point: every
    /// value the VM will use again must be reachable from the roots.
    pub(crate) fn collect_garbage(&mut self) {
        self.sync_thread_mem();
        self.th.clear_dead();
        let heap = &mut self.heap;
        heap.epoch = heap.epoch.wrapping_add(1);
        let mut m = Marker {
            gray: Vec::new(),
            weak: Vec::new(),
        };
        let cur = self.cur.map(|r| (r, &self.th));
        if let Some(r) = self.cur {
            heap.threads.mark(r.0);
            m.thread(heap, cur, r, &self.th);
        }
        for v in [Value::Table(self.globals), Value::Table(self.registry)] {
            m.value(heap, v);
        }
        for t in self.type_meta.iter().flatten() {
            m.value(heap, Value::Table(*t));
        }
        for s in &self.fixed {
            heap.strings.mark(s.0);
        }
        for (t, token) in &self.executions {
            if token.strong_count() > 0 {
                m.value(heap, Value::Thread(*t));
            }
        }
        for v in self.pins.iter().flatten() {
            m.value(heap, *v);
        }
        let mode_key = self.names.mode;
        m.propagate(heap, cur, mode_key);
        // Weak tables: drop entries whose weak part died; keep their strings.
        for (t, wk, wv) in std::mem::take(&mut m.weak) {
            let mut tab = std::mem::replace(heap.table_mut(t), Table::new(0, 0));
            for (k, v) in tab.entries() {
                for x in [k, v] {
                    if let Value::Str(s) = x {
                        heap.strings.mark(s.0);
                    }
                }
            }
            tab.clear_weak(|k| wk && is_dead(heap, k), |v| wv && is_dead(heap, v));
            *heap.table_mut(t) = tab;
        }
        self.executions
            .retain(|(_, token)| token.strong_count() > 0);
        self.sweep();
    }

    fn sweep(&mut self) {
        let Heap {
            strings,
            tables,
            funcs,
            upvals,
            threads,
            udata,
            allocated,
            ..
        } = &mut self.heap;
        let mut freed = 0usize;
        // Dead threads first: their open upvalues that live closures share are closed with
        // the values they point at.
        let mut closing: Vec<(u32, Value)> = Vec::new();
        threads.sweep(|_, th| {
            for (_, u) in &th.open {
                if upvals.is_marked(u.0) {
                    if let UpVal::Open { slot, .. } = *upvals.get(u.0) {
                        closing.push((u.0, th.stack.get(slot).copied().unwrap_or_default()));
                    }
                }
            }
            freed += th.accounted;
        });
        for (u, v) in closing {
            *upvals.get_mut(u) = UpVal::Closed(v);
        }
        tables.sweep(|_, t| freed += t.mem());
        funcs.sweep(|_, f| freed += f.mem());
        upvals.sweep(|_, _| freed += UPVAL_BYTES);
        udata.sweep(|_, _| freed += USERDATA_BYTES);
        strings.sweep(|_, s| freed += STRING_OVERHEAD + s.bytes.len());
        *allocated = allocated.saturating_sub(freed);
        let size = (self.heap.strings.live() * 2).next_power_of_two().max(1024);
        self.heap.rebuild_intern(size);
        self.set_threshold();
    }

    /// The next collection's threshold (see the module's essay).
    pub(crate) fn set_threshold(&mut self) {
        let heap = &mut self.heap;
        let live = heap.allocated;
        let mut t = live.saturating_mul(2).max(MIN_THRESHOLD);
        if heap.limit != usize::MAX {
            t = t.min(live + heap.limit.saturating_sub(live) / 2);
        }
        heap.threshold = t;
    }

    /// Brings the running thread's counted bytes up to date with its stack's size.
    pub(crate) fn sync_thread_mem(&mut self) {
        let now = self.th.mem();
        let before = self.th.accounted;
        self.heap.allocated = (self.heap.allocated + now).saturating_sub(before);
        self.th.accounted = now;
    }
}
