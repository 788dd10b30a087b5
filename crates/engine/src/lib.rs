//! `keyspace`: a Redis 7.0-compatible keyspace engine in pure Rust, with no I/O of its own, for
//! the browser (wasm32) and native front ends alike.
//!
//! - [`engine`]: the one interface: clients, `execute`, outboxes, `tick`, events.
//! - [`reply`]: replies shaped like RESP3, written as RESP2 or RESP3 bytes.
//! - [`error`]: the one error enum, whose text is Redis's.
//! - [`spec`]: the spec table of every command's metadata.
//! - [`config`]: the table of configuration parameters.
//! - [`db`]: the keyspace and the one door every key access goes through.
//! - [`expire`]: lazy and active expiry.
//! - [`memory`]: the model of Redis's `used_memory`, kept up to date on every write.
//! - [`evict`]: `maxmemory` and the eviction policies (sampled LRU, LFU, TTL, random).
//! - [`slowlog`]: the slow log; [`latency`]: the latency monitor; [`cost`]: a command's
//!   modelled duration under a virtual clock.
//! - [`lazyfree`]: UNLINK's and FLUSHALL ASYNC's values freed in the background, over ticks.
//! - [`pubsub`]: channels, patterns and the delivery of messages and notifications.
//! - [`aof`]: the append-only log: write commands as they must be replayed, and the replay.
//! - [`replication`]: replication IDs and offsets, the backlog, the primary's replicas, and
//!   the replica's link to its primary (carried by the front end: [`MasterLink`]).
//! - [`persist`]: snapshots to and from the injected storage; SAVE's and LOAD's books.
//! - [`rdb`]: Redis's RDB format: snapshots and DUMP payloads, written and read.
//! - [`listpack`]: Redis's listpack, the flat encoding the RDB, memory model and streams share.
//! - [`transaction`]: MULTI's queue and WATCH's optimistic locking.
//! - [`blocking`]: clients blocked by BLPOP and its kin, served first come first served.
//! - [`monitor`]: MONITOR's line per command; [`pause`]: CLIENT PAUSE and the commands it
//!   holds.
//! - [`event`]: keyspace events.
//! - [`clock`], [`rng`]: injected time and seeded randomness.
//! - [`cli`]: redis-cli's tokenizer and reply printer.
//! - [`resp`]: the incremental parser for requests as clients send them.
//! - [`grammar`]: the spec's syntax strings read as argument trees (completion, hints,
//!   the differential tester).
//! - [`args`], [`glob`]: argument parsing and pattern matching as Redis does them.
//! - `longdouble`: x87 80-bit arithmetic, for INCRBYFLOAT's exact answers.
//! - [`types`]: the list, hash, set and sorted-set structures.
//! - [`hyperloglog`]: HyperLogLog's registers in Redis's sparse and dense strings, and its
//!   estimate; [`geohash`]: places as 52-bit sorted-set scores, and the search around one.
//! - `cmd`: one file per command family.

pub mod acl;
pub mod aof;
pub mod args;
pub mod blocking;
pub mod cli;
pub mod clock;
mod cmd;
pub mod command_docs;
pub mod config;
pub mod cost;
pub mod db;
pub mod dict;
pub mod digest;
pub mod engine;
pub mod error;
pub mod event;
pub mod evict;
pub mod expire;
pub mod geohash;
pub mod glob;
pub mod grammar;
pub mod hyperloglog;
pub mod latency;
pub mod lazyfree;
pub mod listpack;
pub mod lolwut;
mod longdouble;
pub mod memory;
pub mod monitor;
pub mod pause;
pub mod persist;
pub mod pubsub;
pub mod rdb;
pub mod replication;
pub mod reply;
pub mod resident;
pub mod resp;
pub mod rng;
pub mod script;
pub mod slowlog;
pub mod sparkline;
pub mod spec;
pub mod tracking;
pub mod transaction;
pub mod types;

pub use clock::{Clock, ManualClock, ShiftedClock};
pub use cmd::debug::{Crash, Restart};
pub use config::Config;
pub use engine::{Call, Client, ClientId, CommandStat, Engine, Outcome, Replies};
pub use error::Error;
pub use replication::replica::MasterLink;
pub use reply::Reply;
pub use resident::ResidentMemory;
