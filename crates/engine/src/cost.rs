//! The modelled cost of a command, for time that cannot be measured: under a virtual clock.
//!
//! A command's duration feeds the slow log, the latency monitor (`command` and
//! `fast-command` events) and INFO's commandstats and latencystats. With a real clock (the
//! native server, the page's console) it is measured around the handler, as Redis measures
//! it. A virtual clock ([`crate::ManualClock`]: the scenario runner, the tests) moves only when
//! told to, so a measured duration would always be 0, and a big DEL, the very thing the slow
//! log is for, would never show up in it. Under such a clock the duration is computed
//! instead, from what the command did:
//!
//! ```text
//! duration = CALL_NS                                   (parsing, lookup, dispatch, the reply)
//!          + REPLY_ELEMENT_NS × elements in the reply  (LRANGE 0 -1, KEYS *, HGETALL...)
//!          + free cost of every value freed at once    (DEL, FLUSHALL SYNC, an overwrite)
//!          + SCAN_KEY_NS × keys matched                (KEYS, SCAN)
//!          + ANSWERED_KEY_NS × keys answered           (KEYS, SCAN)
//!          + SORT_COMPARE_NS × n·log2(n)               (SORT of n elements)
//!          + SET_ELEMENT_NS × members read or added    (SUNION, SINTER, SDIFF, their STOREs)
//! ```
//!
//! A value's free cost follows Redis's free effort (`crate::lazyfree`): per field of a hash
//! table, per member of a hash-table set or a skip list, per allocation of anything else (a
//! quicklist node, a listpack, a string), and per key for a database emptied at once. The
//! same prices tell the modelled lazy-free worker how long its jobs take, so UNLINK's work
//! takes as long in the background as DEL's does in the command.
//!
//! **Calibrated beside Redis.** The constants come from `scripts/calibrate-cost`: a real
//! redis-server 7.0 runs each workload (DEL of a 1,000,000-field hash, KEYS over 1,000,000
//! keys, SORT of 100,000 integers...) and its SLOWLOG gives the duration; the same workloads
//! under the model (`cargo bench -p keyspace --bench cost`) are set to land near those figures.
//! BENCHMARKS.md has both columns. They stand for one machine, so they teach proportions
//! (a DEL of a million fields is five orders of magnitude above a GET), not a promise.
//!
//! **The monotonic timer moves by the cost; wall time does not.** A virtual clock has two
//! readings: the monotonic timer durations are measured on, and wall time, which TTLs, TIME
//! and the slow log's timestamps read. The timer is moved forward by each command's modelled
//! duration ([`crate::Clock::spend_us`]), so that whatever measures on it agrees with the slow
//! log: a script's run time (`busy-reply-threshold`) grows with the commands it calls, as a
//! Redis script's does, and the lazy-free worker, whose progress is counted on the same timer
//! (`crate::lazyfree`), has had the time the commands took. Wall time is left to whoever drives
//! the clock: a scenario's timeline is its author's (`wait = "5s"`), and a command's
//! microseconds added to it would make every step's time and every TTL drift with the number
//! of commands before it (a setup of 100,000 SADDs would start the lesson half a second late,
//! with its TTLs half a second shorter). The lesson the model is for, that one DEL can stall
//! the server for most of a second while an UNLINK does not, is told by the slow log, LATENCY
//! and INFO, which all read the modelled duration.

use crate::db::Value;
use crate::reply::Reply;

/// A call's fixed cost: reading the request, finding the command, answering (ns).
pub const CALL_NS: u64 = 4900;
/// Per element of the reply, at any depth (ns).
pub const REPLY_ELEMENT_NS: u64 = 95;
/// Freeing one field of a hash table: two strings and a dict entry (ns).
pub const FREE_HASH_FIELD_NS: u64 = 780;
/// Freeing one member of a hash-table set: a string and a dict entry (ns).
pub const FREE_SET_MEMBER_NS: u64 = 400;
/// Freeing one member of a skip list: its node, its string, its dict entry (ns).
pub const FREE_ZSET_MEMBER_NS: u64 = 420;
/// Freeing one allocation of anything else: a quicklist node, a listpack, a string (ns).
pub const FREE_ALLOCATION_NS: u64 = 265;
/// Freeing a key of a database emptied at once, beside its value: its name, its entry (ns).
pub const FREE_KEY_NS: u64 = 555;
/// Matching one key against a pattern (KEYS, SCAN) (ns).
pub const SCAN_KEY_NS: u64 = 300;
/// A key KEYS or SCAN answers, beyond matching it: its name made an object, its expiry
/// checked (ns).
pub const ANSWERED_KEY_NS: u64 = 590;
/// One comparison of SORT (ns).
pub const SORT_COMPARE_NS: u64 = 20;
/// Reading or adding one member in SUNION, SINTER, SDIFF and their STORE forms (ns).
pub const SET_ELEMENT_NS: u64 = 630;

/// The modelled time to free `value`, whose free effort is `effort` (ns).
pub fn free_cost_ns(value: &Value, effort: usize) -> u64 {
    let per = match value {
        Value::Hash(h) if !h.is_listpack() => FREE_HASH_FIELD_NS,
        Value::Set(s) if s.encoding() == "hashtable" => FREE_SET_MEMBER_NS,
        Value::ZSet(z) if z.encoding() == "skiplist" => FREE_ZSET_MEMBER_NS,
        _ => FREE_ALLOCATION_NS,
    };
    per.saturating_mul(effort as u64)
}

/// The elements of a reply, nested ones counted one by one (an empty array is one).
pub fn reply_elements(reply: &Reply) -> u64 {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            items.iter().map(reply_elements).sum::<u64>().max(1)
        }
        Reply::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| reply_elements(k) + reply_elements(v))
            .sum::<u64>()
            .max(1),
        _ => 1,
    }
}

/// SORT's comparisons for `n` elements: n·log2(n).
pub fn sort_comparisons(n: usize) -> u64 {
    let n = n as u64;
    n.saturating_mul(u64::from(64 - n.leading_zeros()))
}

impl crate::Engine {
    /// Adds `ns` of modelled work to the command running.
    pub(crate) fn charge(&mut self, ns: u64) {
        self.work_ns = self.work_ns.saturating_add(ns);
    }
}
