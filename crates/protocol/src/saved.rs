//! What the browser keeps of the playground (the worker's IndexedDB, `keyspace_worker::store`),
//! as the page shows it: what a visit found and restored, and the sizes kept now, followed
//! write by write.

use serde::{Deserialize, Serialize};

/// Where a restored keyspace came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// Nothing was kept: a first visit, or after a reset.
    #[default]
    Nothing,
    /// The append-only log (its base and the commands after it).
    Log,
    /// `dump.rdb`.
    Snapshot,
}

/// A part found damaged at start, what it was, and why it was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Damage {
    /// The name the damaged copy is kept (and downloaded) under.
    pub file: String,
    /// The reason, as the loader gives it.
    pub reason: String,
}

/// What opening the page found in the browser.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Restored {
    pub source: Source,
    /// Keys in the keyspace now, in every database.
    pub keys: usize,
    /// Keys whose TTL ran out while the page was closed.
    pub expired: usize,
    /// Parameters set from the kept config.
    pub config: usize,
    pub damaged: Vec<Damage>,
    /// How long reading and loading took, in milliseconds (measured by the worker).
    pub load_ms: f64,
    /// Why nothing is kept in this visit, if so.
    pub not_kept: Option<NotKept>,
}

/// Why a visit keeps nothing in the browser: it starts empty, and its changes are not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotKept {
    /// Another tab of the playground holds the storage (a Web Lock): two engines appending to
    /// one log would interleave two keyspaces.
    OtherTab,
    /// IndexedDB would not open or be read, in the browser's words.
    Unavailable(String),
}

/// Why a write to the browser's storage failed; the commands go on answering meanwhile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteFailure {
    /// The storage the browser gives the page is full (`QuotaExceededError`).
    QuotaFull,
    /// Anything else, in the browser's words.
    Other(String),
}

/// The state of what the browser keeps, for the page to show: sizes as IndexedDB holds
/// them, followed write by write.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedState {
    pub rdb: usize,
    pub aof_base: usize,
    /// Bytes and records of the log since its base.
    pub log: usize,
    pub log_records: usize,
    pub config: usize,
    /// Damaged copies kept for download, and their sizes.
    pub damaged: Vec<(String, usize)>,
    /// Why the last write failed; cleared by the next write that works.
    pub failed: Option<WriteFailure>,
    /// How long the last write took, in milliseconds.
    pub last_write_ms: f64,
}

impl SavedState {
    /// Bytes kept in all.
    pub fn bytes(&self) -> usize {
        self.rdb
            + self.aof_base
            + self.log
            + self.config
            + self.damaged.iter().map(|(_, n)| n).sum::<usize>()
    }
}
