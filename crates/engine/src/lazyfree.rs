//! Lazy freeing (Redis's `lazyfree.c`): a deleted value too big to free at once goes to a
//! queue that a background worker frees later, so the command that deleted it answers at
//! once.
//!
//! Freeing a value is not free: a hash of a million fields is three million allocations to
//! give back, a few hundred milliseconds during which Redis's one thread serves no one. Since
//! 4.0 Redis can hand such a value to a thread of its own (`bio.c`'s lazy-free thread) and
//! only unlink it from the keyspace in the command: UNLINK always, DEL when
//! `lazyfree-lazy-user-del` is on, FLUSHDB and FLUSHALL with ASYNC (or with no argument when
//! `lazyfree-lazy-user-flush` is on), and the deletes the server makes on its own when their
//! parameter is on: eviction (`lazyfree-lazy-eviction`), expiry (`lazyfree-lazy-expire`), and
//! the deletes and overwrites a command makes as a side effect, RENAME's target, SET over a
//! hash, a STORE's old destination (`lazyfree-lazy-server-del`), and a replica's old data
//! when a full sync replaces it (`replica-lazy-flush`).
//!
//! **Which values.** Handing a value to another thread costs a little itself, so Redis does it
//! only for a value whose *free effort* exceeds [`LAZYFREE_THRESHOLD`] (64). The effort
//! (`lazyfreeGetFreeEffort`) counts allocations, roughly: a list's quicklist nodes (a node
//! holds 8 KiB of elements), a hash's, set's or sorted set's elements when they are a hash
//! table or a skip list, a stream's radix-tree nodes plus its groups times the first group's
//! pending entries; a string, and any value packed in one listpack or intset, is one
//! allocation. A value at or under the threshold is freed in the command, as before. A
//! database emptied asynchronously goes to the queue whatever its size, one object per key;
//! EVAL's script cache flushed with SCRIPT FLUSH ASYNC goes when it holds more than 64
//! scripts, one object per script, and the function libraries flushed with FUNCTION FLUSH
//! ASYNC when they hold more than 64 functions, one object per function.
//!
//! **What INFO shows.** `lazyfree_pending_objects` counts what waits in the queue (one per
//! value, a database's keys each), `lazyfreed_objects` what the worker freed since start or
//! the last CONFIG RESETSTAT. Until the worker frees a value, its memory is still allocated,
//! so `used_memory` still counts it, as Redis's does; the key itself (its name and dict entry)
//! is gone with the command.
//!
//! **The worker is modelled on the engine's clock.** Redis's thread runs beside the main one;
//! the engine has one thread (the page's worker, the native server's loop), so the queue is
//! worked on at each [`Engine::tick`]: the modelled thread has had the time that passed on
//! the engine's monotonic clock since the previous tick, and frees, head first, every job
//! whose free cost (`crate::cost`, the same per-element prices a DEL pays in the command) fits
//! in that time; a job that does not fit yet waits for the next tick with the time it already
//! had. So under a scenario's manual clock the queue drains as fast as Redis's thread would,
//! deterministically: UNLINK of a 1,000,000-field hash leaves `lazyfree_pending_objects:1` for
//! the ticks of its modelled free time, then `lazyfreed_objects` grows by one. A value is freed
//! whole when its time is up, where Redis's thread gives its memory back piece by piece.
//! Each tick also frees at most [`TICK_BUDGET`] effort beyond its first job, so a long pause
//! (a page in a background tab) does not become one long tick.
//!
//! **Eviction waits for the worker.** An eviction under `lazyfree-lazy-eviction` frees nothing
//! at once, so the memory it needs is still counted; Redis, meanwhile, rechecks memory as its
//! thread frees and, with nothing left to evict, waits for the thread briefly (`evict.c`'s
//! `cant_free`). Here the eviction loop lets the worker finish the queue before choosing the
//! next victim ([`Engine::finish_lazy_free`]), so it never evicts a key that the queued work
//! would have made room for.

use std::collections::VecDeque;

use crate::db::Value;
use crate::dict::Dict;
use crate::engine::Engine;
use crate::memory;
use crate::script::functions::Libraries;
use crate::script::CachedScript;
use indexmap::IndexMap;

/// A value whose free effort is at most this is freed at once (`LAZYFREE_THRESHOLD`).
pub const LAZYFREE_THRESHOLD: usize = 64;

/// The most free effort one tick works off beyond its first job (see the module's text).
pub const TICK_BUDGET: usize = 2_000_000;

/// What waits in the queue.
enum Job {
    /// One value (`lazyfreeFreeObject`).
    Object(Value),
    /// The keys of a database emptied asynchronously (`lazyfreeFreeDatabase`).
    Database(Dict),
    /// EVAL's script cache, flushed asynchronously (`lazyFreeLuaScripts`).
    Scripts(IndexMap<String, CachedScript>),
    /// The function libraries, flushed asynchronously (`lazyFreeFunctionsCtx`).
    Functions(Libraries),
}

impl Job {
    /// Gives its memory back: the worker's whole task.
    fn free(self) {
        match self {
            Job::Object(value) => drop(value),
            Job::Database(keys) => drop(keys),
            Job::Scripts(scripts) => drop(scripts),
            Job::Functions(libraries) => drop(libraries),
        }
    }
}

/// A job and its books.
struct Pending {
    job: Job,
    /// What `lazyfree_pending_objects` counts for it.
    objects: usize,
    /// Its free effort, for the tick's budget.
    effort: usize,
    /// Its modelled free time (µs).
    cost_us: u64,
    /// Its modelled memory, counted in `used_memory` until it is freed.
    memory: usize,
}

/// The queue, its counters and the parameters that send values to it.
#[derive(Default)]
pub struct LazyFree {
    queue: VecDeque<Pending>,
    pending_objects: usize,
    freed_objects: u64,
    pending_memory: usize,
    /// Time the modelled worker has had for the job at the head (µs).
    worked_us: u64,
    /// The monotonic clock's reading when the worker's time was last counted.
    counted_at_us: u64,
    /// `lazyfree-lazy-user-del`, `lazyfree-lazy-user-flush`, `lazyfree-lazy-server-del`,
    /// `lazyfree-lazy-expire`, `lazyfree-lazy-eviction`.
    pub(crate) user_del: bool,
    pub(crate) user_flush: bool,
    pub(crate) server_del: bool,
    pub(crate) expire: bool,
    pub(crate) eviction: bool,
}

impl LazyFree {
    /// Takes the `lazyfree-lazy-*` parameters from the config.
    pub(crate) fn configure(&mut self, config: &crate::Config) {
        self.user_del = config.flag("lazyfree-lazy-user-del");
        self.user_flush = config.flag("lazyfree-lazy-user-flush");
        self.server_del = config.flag("lazyfree-lazy-server-del");
        self.expire = config.flag("lazyfree-lazy-expire");
        self.eviction = config.flag("lazyfree-lazy-eviction");
    }

    /// INFO's `lazyfree_pending_objects`.
    pub fn pending_objects(&self) -> usize {
        self.pending_objects
    }

    /// INFO's `lazyfreed_objects`.
    pub fn freed_objects(&self) -> u64 {
        self.freed_objects
    }

    /// The modelled memory of what waits, still part of `used_memory`.
    pub fn pending_memory(&self) -> usize {
        self.pending_memory
    }

    /// CONFIG RESETSTAT (`lazyfreeResetStats`): the freed count starts again.
    pub(crate) fn reset_stats(&mut self) {
        self.freed_objects = 0;
    }

    fn push(&mut self, pending: Pending, now_us: u64) {
        if self.queue.is_empty() {
            self.worked_us = 0;
            self.counted_at_us = now_us;
        }
        self.pending_objects += pending.objects;
        self.pending_memory += pending.memory;
        self.queue.push_back(pending);
    }

    /// Frees the job at the head.
    fn free_head(&mut self) -> usize {
        let Some(done) = self.queue.pop_front() else {
            return 0;
        };
        self.pending_objects -= done.objects;
        self.pending_memory -= done.memory;
        self.freed_objects += done.objects as u64;
        done.job.free();
        done.effort
    }
}

/// The free effort of `value` (`lazyfreeGetFreeEffort`): about how many allocations freeing
/// it gives back.
pub fn free_effort(value: &Value) -> usize {
    match value {
        Value::String(_) => 1,
        Value::List(list) => memory::quicklist_nodes(list),
        Value::Hash(hash) if !hash.is_listpack() => hash.len(),
        Value::Set(set) if set.encoding() == "hashtable" => set.len(),
        Value::ZSet(zset) if zset.encoding() == "skiplist" => zset.len(),
        Value::Stream(stream) => {
            // Every node of the radix tree is an allocation; every group is one, and so is
            // each entry of its PEL, which Redis estimates from the first group's.
            let groups = stream.groups().count();
            let first_pel = stream.groups().next().map_or(0, |(_, g)| g.pending_len());
            stream.rax_nodes() + groups * (1 + first_pel)
        }
        Value::Hash(_) | Value::Set(_) | Value::ZSet(_) => 1,
    }
}

impl Engine {
    /// Frees a value taken out of the keyspace: at once, its cost charged to the command
    /// running (`crate::cost`), or, when `lazy` and its effort is over the threshold, through
    /// the queue (`freeObjAsync`). `memory` is its modelled size, the key's own share aside.
    pub(crate) fn free_value(&mut self, value: Value, memory: usize, lazy: bool) {
        let effort = free_effort(&value);
        let cost_ns = crate::cost::free_cost_ns(&value, effort);
        let later = lazy && effort > LAZYFREE_THRESHOLD;
        self.free_job(Job::Object(value), 1, effort, cost_ns, memory, later);
    }

    /// Empties database `db` (FLUSHDB, FLUSHALL): at once, every value's free cost charged to
    /// the command, or, when `lazy`, by handing its keys to the queue whole (`emptyDbAsync`).
    /// Returns how many keys it held.
    pub(crate) fn empty_db_keys(&mut self, db: usize, lazy: bool) -> usize {
        let d = &mut self.dbs[db];
        let removed = d.keys.len();
        let memory = d.used_memory();
        let keys = std::mem::take(&mut d.keys);
        d.clear();
        let (effort, cost_ns) = keys.iter().fold((0usize, 0u64), |(effort, ns), (_, e)| {
            let value_effort = free_effort(&e.value);
            let value_ns = crate::cost::free_cost_ns(&e.value, value_effort);
            (
                effort.saturating_add(value_effort + 1),
                ns.saturating_add(value_ns + crate::cost::FREE_KEY_NS),
            )
        });
        self.free_job(Job::Database(keys), removed, effort, cost_ns, memory, lazy);
        removed
    }

    /// Forgets EVAL's script cache (SCRIPT FLUSH): through the queue when `lazy` and it holds
    /// more than [`LAZYFREE_THRESHOLD`] scripts (`freeLuaScriptsAsync`), one object each.
    /// Scripts are not part of the modelled `used_memory`, so nothing stays counted.
    pub(crate) fn free_scripts(&mut self, scripts: IndexMap<String, CachedScript>, lazy: bool) {
        let count = scripts.len();
        let cost_ns = crate::cost::FREE_ALLOCATION_NS.saturating_mul(count as u64);
        let later = lazy && count > LAZYFREE_THRESHOLD;
        self.free_job(Job::Scripts(scripts), count, count, cost_ns, 0, later);
    }

    /// Forgets the function libraries (FUNCTION FLUSH), their callbacks already unpinned
    /// from Lua: through the queue when `lazy` and they held more than
    /// [`LAZYFREE_THRESHOLD`] `functions` (`freeFunctionsAsync`), one object each, their
    /// modelled `memory` counted until then.
    pub(crate) fn free_functions(
        &mut self,
        libraries: Libraries,
        functions: usize,
        memory: usize,
        lazy: bool,
    ) {
        let cost_ns = crate::cost::FREE_ALLOCATION_NS.saturating_mul(functions as u64);
        let later = lazy && functions > LAZYFREE_THRESHOLD;
        let memory = if later { memory } else { 0 };
        let job = Job::Functions(libraries);
        self.free_job(job, functions, functions, cost_ns, memory, later);
    }

    /// The one fork of every free above: `job` to the queue when `later` (its `objects`,
    /// `effort` and modelled `memory` counted there until the modelled worker reaches it),
    /// else freed now with its cost charged to the command running.
    fn free_job(
        &mut self,
        job: Job,
        objects: usize,
        effort: usize,
        cost_ns: u64,
        memory: usize,
        later: bool,
    ) {
        if later {
            let now_us = self.clock.elapsed_us();
            let cost_us = cost_ns / 1000;
            let pending = Pending {
                job,
                objects,
                effort,
                cost_us,
                memory,
            };
            self.lazyfree.push(pending, now_us);
        } else {
            self.charge(cost_ns);
            drop(job);
        }
    }

    /// The modelled worker's share of a tick: the time since the last one, spent on the
    /// queue's jobs in order (see the module's text).
    pub(crate) fn lazy_free_cron(&mut self) {
        let now_us = self.clock.elapsed_us();
        let lf = &mut self.lazyfree;
        if lf.queue.is_empty() {
            return;
        }
        lf.worked_us = lf
            .worked_us
            .saturating_add(now_us.saturating_sub(lf.counted_at_us));
        lf.counted_at_us = now_us;
        let mut freed = 0usize;
        while let Some(head) = lf.queue.front() {
            if head.cost_us > lf.worked_us || (freed > 0 && freed + head.effort > TICK_BUDGET) {
                break;
            }
            lf.worked_us -= head.cost_us;
            freed += lf.free_head();
        }
    }

    /// Lets the worker finish everything queued, at once: what eviction waits for (see the
    /// module's text). True if there was anything.
    pub(crate) fn finish_lazy_free(&mut self) -> bool {
        let lf = &mut self.lazyfree;
        let any = !lf.queue.is_empty();
        while !lf.queue.is_empty() {
            lf.free_head();
        }
        lf.worked_us = 0;
        any
    }

    /// The queue, for INFO.
    pub fn lazy_free(&self) -> &LazyFree {
        &self.lazyfree
    }
}
