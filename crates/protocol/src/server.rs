//! The Server tab's messages: the console engine's memory, policy and counters (with INFO and
//! SLOWLOG while the tab is open), its biggest keys, and the LRU lab's grids. The worker reads
//! them without running commands, so that looking leaves the counters as they were.

use serde::{Deserialize, Serialize};

/// What the page asks of the server panel's side of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ServerRequest {
    /// The figures for the gauge and chart; with `detail`, INFO and SLOWLOG too (the tab is
    /// open).
    Status { detail: bool },
    /// The biggest keys of the console's database (a scan of every key: on demand only).
    BigKeys,
    /// The LRU lab: one access pattern under sampled and exact LRU, each on a fresh engine.
    LruLab,
    /// The `maxmemory-policy` values the engine takes, for the policy selector (asked once,
    /// when the engine starts).
    Policies,
}

/// What it answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ServerResponse {
    Status(ServerStatus),
    BigKeys(BigKeys),
    LruLab(Vec<LabGrid>),
    Policies(Vec<String>),
}

/// The engine's memory, policy and counters at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerStatus {
    pub used_memory: u64,
    /// As INFO's `used_memory_human` writes it (`1.02M`).
    pub used_memory_human: String,
    /// 0: no limit.
    pub maxmemory: u64,
    pub maxmemory_human: String,
    pub policy: String,
    pub samples: i64,
    pub exact_lru: bool,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub evicted_keys: u64,
    /// Keys in every database.
    pub keys: u64,
    /// INFO's sections (title, fields), when asked with `detail`.
    pub info: Option<Vec<InfoSection>>,
    /// The slow log, newest first, when asked with `detail`.
    pub slowlog: Option<Vec<SlowRow>>,
    /// The scripts and function libraries loaded, when asked with `detail`.
    pub code: Option<LoadedCode>,
    /// The server's log, oldest first (what `redis.log` writes, saves and their failures),
    /// when asked with `detail`.
    pub log: Option<Vec<LogLine>>,
}

/// A line of the server's log, and when (the engine's clock, Unix ms) it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub at_ms: u64,
    pub text: String,
}

/// What SCRIPT LOAD (or EVAL) cached and FUNCTION LOAD loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedCode {
    /// Oldest first: SHA1 (what EVALSHA takes) and body.
    pub scripts: Vec<(String, String)>,
    pub libraries: Vec<LoadedLibrary>,
}

/// A function library: its functions with their flags, and its code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedLibrary {
    pub name: String,
    pub functions: Vec<(String, Vec<String>)>,
    pub code: String,
}

/// One INFO section, its fields under Redis's exact names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoSection {
    pub title: String,
    pub fields: Vec<(String, String)>,
}

/// One slow log entry as the table shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlowRow {
    pub id: u64,
    /// Unix seconds.
    pub time: u64,
    pub duration_us: u64,
    /// The arguments, space-separated, as SLOWLOG GET trimmed them.
    pub command: String,
    /// `ip:port`, and the client's name if it has one.
    pub client: String,
}

/// The biggest keys of one database, as `redis-cli --bigkeys` (by length or element count)
/// and `--memkeys` (by memory) rank them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigKeys {
    pub db: usize,
    /// The ten keys with the most modelled memory, most first.
    pub by_memory: Vec<BigKey>,
    /// The ten keys with the most elements (bytes for a string), most first.
    pub by_size: Vec<BigKey>,
    /// Per type, in Redis's order of types: keys found and their total size, as redis-cli's
    /// summary (`100 strings with 800 bytes`).
    pub per_type: Vec<TypeTotal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigKey {
    pub key: String,
    /// `string`, `list`...: TYPE's answer.
    pub kind: String,
    /// Bytes for a string, elements for the others.
    pub size: u64,
    /// Modelled bytes of `used_memory` (as MEMORY USAGE estimates).
    pub memory: u64,
    /// The same, as INFO writes sizes (`1.02M`).
    pub memory_human: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeTotal {
    pub kind: String,
    pub keys: u64,
    pub size: u64,
}

/// What became of one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fate {
    /// An old key still there.
    Kept,
    /// An old key evicted.
    Evicted,
    /// A new key still there.
    New,
    /// A new key evicted in its turn.
    NewEvicted,
}

/// One run's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabGrid {
    /// `maxmemory-samples`, or `None` for exact LRU.
    pub samples: Option<u32>,
    /// Old keys first, oldest first; then the new keys in order.
    pub cells: Vec<Fate>,
    /// Hits among the reads of the new keys (`lrulab::NEW` in the worker) most recently used old keys.
    pub hit_ratio: f64,
}
