//! Eviction: what happens when the keyspace outgrows `maxmemory`.
//!
//! With `maxmemory` set (`CONFIG SET maxmemory 256mb`), every command first checks the modelled
//! `used_memory` (`crate::memory`) against the limit, as Redis's `processCommand` calls
//! `performEvictions`. Over the limit, keys are evicted one by one until memory is back under
//! it, each announced as an `evicted` event and counted in `evicted_keys`. If nothing can be
//! evicted (`noeviction`, or a `volatile-*` policy with no key that has a TTL), a command
//! flagged `denyoom` (SET, LPUSH... anything that may grow memory) is refused with
//! `OOM command not allowed when used memory > 'maxmemory'.`, while reads and deletions still
//! run, so that a full server can be emptied.
//!
//! **Replicas.** A replica is by default an exact copy of its primary, which evicts for both
//! and streams its DELs: with `replica-ignore-maxmemory` on (the default) a replica neither
//! evicts nor refuses a command for memory, whatever its own `maxmemory` says.
//!
//! **Which key.** `maxmemory-policy` chooses among all keys (`allkeys-*`) or among keys with a
//! TTL (`volatile-*`), and by what:
//! - `random`: any key, from the databases in turn;
//! - `lru`: the least recently used key, by the LRU clock each access stamps on the key;
//! - `lfu`: the least frequently used key, by a logarithmic access counter;
//! - `ttl`: the key whose expiry is nearest.
//!
//! **Approximated LRU.** Exact LRU needs every key in a list reordered on every access: a
//! pointer pair per key and a cache miss per read. Redis instead stamps each key with a 24-bit
//! clock of seconds ([`LRU_CLOCK_RESOLUTION`] 1000 ms, wrapping after 194 days) and, when it
//! must evict, *samples*: `maxmemory-samples` (5) keys at random from each database, each
//! scored by idle time, feed an *eviction pool* of the [`EVPOOL_SIZE`] (16) best candidates
//! seen so far, kept sorted by idle time. The pool outlives one eviction, so good candidates
//! found earlier are remembered; the key evicted is the pool's idlest that still exists. With
//! 5 samples the result is close to true LRU; 10 is closer at more CPU per eviction.
//!
//! **A finer clock.** Redis's clock ticks once a second, so every key touched within the same
//! second looks equally idle to it: a cache that turns over in seconds (a benchmark, a burst)
//! loses the order of its accesses. Here each key also carries the reading of an *access
//! clock* ([`Entry::access`](crate::db::Entry)) that counts every creation and access, and the
//! LRU policies score candidates by it: the same sampling and pool, with ties broken by
//! which access came first. OBJECT IDLETIME still answers in seconds from the 24-bit stamp.
//!
//! **Exact LRU** (`playground-exact-lru yes`, ours, off by default). For teaching, the
//! sampled choice can be compared with the true one: under an `*-lru` policy the key evicted
//! is then the one whose last access is the oldest of all. A recency index orders every key
//! by its access-clock reading; it is built from the keyspace at the first exact eviction and
//! kept up to date by every access after that (O(log n) each), and entries left behind by
//! deleted, renamed or swapped keys are recognised (their reading no longer matches) and
//! dropped when met, the index rebuilt when they outnumber the keys. `volatile-lru` walks
//! the index from the oldest to the first key with a TTL.
//!
//! **LFU.** Under an `*-lfu` policy the same 24 bits hold a different pair: the time of the
//! last decrement in minutes (16 bits, wrapping after 45 days) and an 8-bit counter that
//! grows *logarithmically*: an access increments it with probability
//! `1 / ((counter - LFU_INIT_VAL) × lfu-log-factor + 1)`, so with the default factor 10 it
//! takes about a million hits to reach the cap of 255. New keys start at [`LFU_INIT_VAL`]
//! (5), not 0, so that they are not evicted before they had a chance to be used. The counter
//! also decays: it loses one per `lfu-decay-time` minutes (1) since its last decrement,
//! applied lazily whenever the key is touched or scored. The pool's score is then
//! `255 - counter`: the less used, the better a candidate; between equal counters (every new
//! key starts at 5) ours prefers the key whose last access is older, by the access clock.
//!
//! **TTL.** `volatile-ttl` scores a key by how far its expiry lies in the future, reversed:
//! the soonest to expire goes first.
//!
//! Where we part from Redis, and why:
//! - Sampling draws uniform random positions from the keyspace's dense slots (`crate::dict`)
//!   with the engine's seeded
//!   generator (Redis's `dictGetSomeKeys` walks consecutive buckets), so a scenario replays
//!   the same evictions under the same seed and clock.
//! - Redis stops after a time budget set by `maxmemory-eviction-tenacity` (500 µs at the
//!   default 10) and finishes in a background time event, because freeing real memory (and
//!   waiting on the lazy-free thread) takes real time. Here memory is the model's and an
//!   eviction costs a few map operations, so a run finishes long before such a budget; a
//!   budget measured on the injected clock would also stop nothing under the tests' manual
//!   clock, and one measured on a wall clock would make evictions differ from run to run.
//!   Eviction therefore runs to completion before the command, and the parameter is
//!   accepted and reported only.
//! - Memory is the model's, so eviction frees exactly a key's modelled size; under
//!   `lazyfree-lazy-eviction` the value's share is freed by the lazy-free queue, which the
//!   loop lets finish before it chooses another key, as Redis waits for its thread
//!   (`crate::lazyfree`).

use std::collections::BTreeMap;

use crate::engine::Engine;
use crate::event::NotifyClass;
use crate::rng::Rng;

/// The LRU clock ticks once a second (`LRU_CLOCK_RESOLUTION`, in ms).
pub const LRU_CLOCK_RESOLUTION: u64 = 1000;
/// The LRU clock's 24 bits wrap here (`LRU_CLOCK_MAX`).
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
/// Candidates kept between evictions (`EVPOOL_SIZE`).
pub const EVPOOL_SIZE: usize = 16;
/// A new key's LFU counter (`LFU_INIT_VAL`).
pub const LFU_INIT_VAL: u8 = 5;

/// Under LFU the pool's score is `255 - counter` in the high bits and, below these many bits,
/// the accesses since the key's last one (capped): a tie-break Redis does not have.
const LFU_TIE_BITS: u32 = 48;
const LFU_TIE_MAX: u64 = (1 << LFU_TIE_BITS) - 1;

/// `maxmemory-policy`, as Redis's `MAXMEMORY_*` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    #[default]
    NoEviction,
}

/// The policy names, in the order Redis's config table (and its error text) lists them.
pub const POLICY_NAMES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

impl Policy {
    /// The policy called `name` (as the config table stores it); `noeviction` otherwise.
    pub fn from_name(name: &str) -> Policy {
        use Policy::*;
        match name {
            "volatile-lru" => VolatileLru,
            "volatile-lfu" => VolatileLfu,
            "volatile-random" => VolatileRandom,
            "volatile-ttl" => VolatileTtl,
            "allkeys-lru" => AllkeysLru,
            "allkeys-lfu" => AllkeysLfu,
            "allkeys-random" => AllkeysRandom,
            _ => NoEviction,
        }
    }

    /// `MAXMEMORY_FLAG_LFU`: keys carry a frequency counter, not an LRU clock.
    pub fn is_lfu(self) -> bool {
        matches!(self, Policy::VolatileLfu | Policy::AllkeysLfu)
    }

    /// Whether the policy evicts by recency (`volatile-lru`, `allkeys-lru`).
    pub(crate) fn is_lru(self) -> bool {
        matches!(self, Policy::VolatileLru | Policy::AllkeysLru)
    }

    /// `MAXMEMORY_FLAG_ALLKEYS`: candidates are all keys, not only those with a TTL.
    fn all_keys(self) -> bool {
        matches!(
            self,
            Policy::AllkeysLru | Policy::AllkeysLfu | Policy::AllkeysRandom
        )
    }

    fn is_random(self) -> bool {
        matches!(self, Policy::VolatileRandom | Policy::AllkeysRandom)
    }
}

/// One eviction pool candidate (`struct evictionPoolEntry`).
#[derive(Clone, Debug)]
struct PoolEntry {
    /// The higher, the better a candidate.
    idle: u64,
    key: Vec<u8>,
    db: usize,
}

/// The eviction parameters in force (copied from the config when it changes, so that the
/// lookup door does not search the config table on every access) and the pool.
#[derive(Clone, Debug, Default)]
pub(crate) struct Eviction {
    pub(crate) policy: Policy,
    /// `maxmemory` in bytes; 0 means no limit.
    pub(crate) maxmemory: u64,
    samples: usize,
    lfu_log_factor: u64,
    lfu_decay_time: u64,
    /// Sorted by `idle`, ascending: the best candidate is last.
    pool: Vec<PoolEntry>,
    /// Where the random policies look first next time (`next_db`).
    next_db: usize,
    /// `playground-exact-lru`: evict the least recently used key, not a sampled one.
    exact: bool,
    /// The access clock: one more at every key's creation and access (see the module's text).
    access_clock: u64,
    /// Under exact LRU, every key (database, name) by its last access-clock reading, oldest
    /// first; `None` until the first exact eviction needs it, and again after anything that
    /// moves keys wholesale (SWAPDB).
    recency: Option<BTreeMap<u64, (usize, Vec<u8>)>>,
    /// The access stamps of Redis's shared integer objects 0..9999, one per object rather
    /// than per key: a key holding a shared integer reads and refreshes its object's stamp,
    /// as Redis's `lookupKey` writes the shared object's `lru` (so OBJECT IDLETIME of a key
    /// set to 11 counts from server start, or from the last access to any key holding 11).
    shared: Vec<u32>,
    /// `replica-ignore-maxmemory`: a replica leaves its memory to its primary.
    replica_ignores: bool,
}

/// Redis's LRU clock at `now_ms`: seconds, wrapped to 24 bits.
pub fn lru_clock(now_ms: u64) -> u32 {
    ((now_ms / LRU_CLOCK_RESOLUTION) & u64::from(LRU_CLOCK_MAX)) as u32
}

/// Milliseconds since the LRU stamp `lru` (`estimateObjectIdleTime`), allowing for the clock
/// having wrapped since.
pub fn idle_ms(lru: u32, now_ms: u64) -> u64 {
    let now = lru_clock(now_ms);
    let ticks = if now >= lru {
        now - lru
    } else {
        now + (LRU_CLOCK_MAX - lru)
    };
    u64::from(ticks) * LRU_CLOCK_RESOLUTION
}

/// Minutes, wrapped to 16 bits: the LFU decrement clock (`LFUGetTimeInMinutes`).
pub(crate) fn lfu_minutes(now_ms: u64) -> u32 {
    ((now_ms / 1000 / 60) & 0xffff) as u32
}

impl Eviction {
    /// Takes the parameters from the config.
    pub(crate) fn configure(&mut self, config: &crate::Config) {
        let policy = Policy::from_name(config.text("maxmemory-policy"));
        if policy != self.policy {
            // Scores of one policy mean nothing to another.
            self.pool.clear();
        }
        self.policy = policy;
        self.maxmemory = config.int("maxmemory").max(0) as u64;
        self.samples = config.int("maxmemory-samples").max(1) as usize;
        self.lfu_log_factor = config.int("lfu-log-factor").max(0) as u64;
        self.lfu_decay_time = config.int("lfu-decay-time").max(0) as u64;
        self.exact = config.flag("playground-exact-lru");
        self.replica_ignores = config.flag("replica-ignore-maxmemory");
        if !self.exact {
            self.recency = None;
        }
    }

    /// The access clock's next reading, for `key` of database `db` created or accessed now;
    /// `old` is its previous reading, if it had one. Keeps the recency index up to date.
    pub(crate) fn next_access(&mut self, db: usize, key: &[u8], old: Option<u64>) -> u64 {
        self.access_clock += 1;
        let now = self.access_clock;
        if let Some(index) = &mut self.recency {
            let slot = old
                .and_then(|old| index.remove(&old))
                .filter(|(d, k)| *d == db && k == key)
                .unwrap_or_else(|| (db, key.to_vec()));
            index.insert(now, slot);
        }
        now
    }

    /// Drops the recency index after keys moved wholesale; the next exact eviction rebuilds it.
    pub(crate) fn forget_recency(&mut self) {
        self.recency = None;
    }

    /// Whether small integers may be shared objects: not when eviction needs per-key access
    /// data (`MAXMEMORY_FLAG_NO_SHARED_INTEGERS`, any LRU or LFU policy under a limit).
    pub(crate) fn shared_integers(&self) -> bool {
        self.maxmemory == 0 || !(self.policy.is_lru() || self.policy.is_lfu())
    }

    /// The stamp of a new object (`createObject`): the LRU clock, or under LFU the current
    /// minute with the initial counter.
    pub(crate) fn new_stamp(&self, now_ms: u64) -> u32 {
        if self.policy.is_lfu() {
            lfu_minutes(now_ms) << 8 | u32::from(LFU_INIT_VAL)
        } else {
            lru_clock(now_ms)
        }
    }

    /// Stamps the shared integer objects as created now (`createSharedObjects`, at startup).
    pub(crate) fn create_shared_objects(&mut self, now_ms: u64) {
        self.shared = vec![self.new_stamp(now_ms); crate::memory::SHARED_INTEGERS as usize];
    }

    /// The access stamp of shared integer object `n`.
    pub(crate) fn shared_stamp(&self, n: usize) -> Option<u32> {
        self.shared.get(n).copied()
    }

    /// Refreshes the access stamp of shared integer object `n` after an access.
    pub(crate) fn touch_shared(&mut self, n: usize, now_ms: u64, rng: &mut Rng) {
        if let Some(&stamp) = self.shared.get(n) {
            self.shared[n] = self.touched(stamp, now_ms, rng);
        }
    }

    /// The stamp after an access (`updateLFU` or the LRU clock).
    pub(crate) fn touched(&self, stamp: u32, now_ms: u64, rng: &mut Rng) -> u32 {
        if !self.policy.is_lfu() {
            return lru_clock(now_ms);
        }
        let counter = self.lfu_log_incr(self.lfu_decr_and_return(stamp, now_ms), rng);
        lfu_minutes(now_ms) << 8 | u32::from(counter)
    }

    /// The LFU counter of `stamp` after the decay due since its last decrement
    /// (`LFUDecrAndReturn`): one per `lfu-decay-time` minutes elapsed. What OBJECT FREQ shows.
    pub(crate) fn lfu_decr_and_return(&self, stamp: u32, now_ms: u64) -> u8 {
        let last = stamp >> 8;
        let counter = (stamp & 0xff) as u8;
        let now = lfu_minutes(now_ms);
        let elapsed = if now >= last {
            now - last
        } else {
            65_535 - last + now
        };
        let periods = u64::from(elapsed)
            .checked_div(self.lfu_decay_time)
            .unwrap_or(0);
        counter.saturating_sub(periods.min(255) as u8)
    }

    /// Increments `counter` with probability `1 / ((counter - LFU_INIT_VAL) × factor + 1)`
    /// (`LFULogIncr`).
    fn lfu_log_incr(&self, counter: u8, rng: &mut Rng) -> u8 {
        if counter == 255 {
            return 255;
        }
        let r = rng.next_u64() as f64 / u64::MAX as f64;
        let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
        let p = 1.0 / (base * self.lfu_log_factor as f64 + 1.0);
        if r < p {
            counter + 1
        } else {
            counter
        }
    }

    /// Adds a scored candidate to the pool (`evictionPoolPopulate`'s insertion): a key worse
    /// than every candidate of a full pool is dropped; into a full pool a better one pushes
    /// out the worst.
    fn offer(&mut self, candidate: PoolEntry) {
        let at = self.pool.partition_point(|e| e.idle < candidate.idle);
        if self.pool.len() < EVPOOL_SIZE {
            self.pool.insert(at, candidate);
        } else if at > 0 {
            self.pool.remove(0);
            self.pool.insert(at - 1, candidate);
        }
    }
}

impl Engine {
    /// Evicts keys until the modelled memory is within `maxmemory` (`performEvictions`).
    /// False when it is still over the limit because nothing (more) could be evicted.
    pub(crate) fn perform_evictions(&mut self) -> bool {
        let limit = self.eviction.maxmemory;
        // Nothing is evicted during a pause, and nothing refused for it (Redis's
        // `isSafeToPerformEvictions`); nor on a replica that ignores `maxmemory`, by default
        // an exact copy of its primary, which evicts for both and streams its DELs.
        if limit == 0 || (self.eviction.replica_ignores && self.has_master()) {
            return true;
        }
        if self.check_pause_timeout() {
            return true;
        }
        while self.used_memory() as u64 > limit {
            // What the lazy-free queue holds is memory about to be given back: the worker
            // finishes first, and only then is a key chosen (`crate::lazyfree`).
            if self.finish_lazy_free() {
                continue;
            }
            if self.eviction.policy == Policy::NoEviction {
                return false;
            }
            let Some((db, key)) = self.pick_victim() else {
                return false;
            };
            let lazy = self.lazyfree.eviction;
            self.db_delete_with(db, &key, lazy);
            self.propagate_deletion(db, &key, lazy);
            self.stats.evicted_keys += 1;
            self.notify(NotifyClass::Evicted, "evicted", db, &key);
        }
        true
    }

    /// The next key to evict under the current policy, if any key qualifies.
    fn pick_victim(&mut self) -> Option<(usize, Vec<u8>)> {
        let policy = self.eviction.policy;
        if policy.is_lru() && self.eviction.exact {
            return self.pick_least_recently_used();
        }
        let dbnum = self.dbs.len();
        if policy.is_random() {
            for _ in 0..dbnum {
                self.eviction.next_db = (self.eviction.next_db + 1) % dbnum;
                let db = self.eviction.next_db;
                let d = &self.dbs[db];
                let len = if policy.all_keys() {
                    d.keys.len()
                } else {
                    d.volatile_len()
                };
                if len > 0 {
                    let at = self.rng.below(len);
                    let d = &self.dbs[db];
                    let key = if policy.all_keys() {
                        d.keys.get_index(at).map(|(k, _)| k.to_vec())
                    } else {
                        d.keys.volatile_get_index(at).map(|(k, _)| k.to_vec())
                    };
                    return key.map(|k| (db, k));
                }
            }
            return None;
        }
        loop {
            let mut candidates = 0;
            for db in 0..dbnum {
                candidates += self.populate_pool(db);
            }
            if candidates == 0 {
                return None;
            }
            // The idlest candidate that still qualifies; stale entries are dropped on the way.
            while let Some(best) = self.eviction.pool.pop() {
                let d = &self.dbs[best.db];
                let exists = if policy.all_keys() {
                    d.keys.contains_key(&best.key)
                } else {
                    d.keys.expire_of(&best.key).is_some()
                };
                if exists {
                    return Some((best.db, best.key));
                }
            }
        }
    }

    /// Exact LRU: the key whose last access is the oldest (with a TTL under `volatile-lru`).
    fn pick_least_recently_used(&mut self) -> Option<(usize, Vec<u8>)> {
        let keys: usize = self.dbs.iter().map(|d| d.keys.len()).sum();
        let outgrown = |index: &BTreeMap<_, _>| index.len() > 2 * keys + 1024;
        if self.eviction.recency.as_ref().is_none_or(outgrown) {
            let mut index = BTreeMap::new();
            for (db, d) in self.dbs.iter().enumerate() {
                for (key, entry) in d.keys.iter() {
                    index.insert(entry.access, (db, key.to_vec()));
                }
            }
            self.eviction.recency = Some(index);
        }
        let all_keys = self.eviction.policy.all_keys();
        let dbs = &self.dbs;
        let index = self.eviction.recency.as_mut()?;
        let mut stale = Vec::new();
        let mut victim = None;
        for (&reading, (db, key)) in index.iter() {
            let Some(d) = dbs.get(*db) else {
                stale.push(reading);
                continue;
            };
            match d.keys.get(key) {
                Some(entry) if entry.access == reading => {
                    if all_keys || d.keys.expire_of(key).is_some() {
                        victim = Some(reading);
                        break;
                    }
                }
                _ => stale.push(reading),
            }
        }
        for reading in stale {
            index.remove(&reading);
        }
        victim.and_then(|reading| index.remove(&reading))
    }

    /// Samples `maxmemory-samples` keys of database `db` into the pool; returns how many keys
    /// the database had to sample from.
    fn populate_pool(&mut self, db: usize) -> usize {
        let policy = self.eviction.policy;
        let len = if policy.all_keys() {
            self.dbs[db].keys.len()
        } else {
            self.dbs[db].volatile_len()
        };
        if len == 0 {
            return 0;
        }
        for _ in 0..self.eviction.samples.min(len) {
            let at = self.rng.below(len);
            let d = &self.dbs[db];
            let (key, expire_at) = if policy.all_keys() {
                let Some((key, _)) = d.keys.get_index(at) else {
                    continue;
                };
                (key, d.keys.expire_of(key))
            } else {
                let Some((key, when)) = d.keys.volatile_get_index(at) else {
                    continue;
                };
                (key, Some(when))
            };
            let idle = if policy == Policy::VolatileTtl {
                u64::MAX - expire_at.unwrap_or(u64::MAX)
            } else {
                let Some(entry) = d.keys.get(key) else {
                    continue;
                };
                // The finer clock: accesses since this key's last one.
                let since = self.eviction.access_clock - entry.access;
                if policy.is_lfu() {
                    // Equal counters are common (every new key has 5): the one used least
                    // recently goes first.
                    let counter = self.eviction.lfu_decr_and_return(entry.lru(), self.now_ms);
                    (255 - u64::from(counter)) << LFU_TIE_BITS | since.min(LFU_TIE_MAX)
                } else {
                    since
                }
            };
            let candidate = PoolEntry {
                idle,
                key: key.to_vec(),
                db,
            };
            self.eviction.offer(candidate);
        }
        len
    }

    /// Is a stored value's access data LFU? For OBJECT FREQ and IDLETIME.
    pub(crate) fn lfu_policy(&self) -> bool {
        self.eviction.policy.is_lfu()
    }
}
