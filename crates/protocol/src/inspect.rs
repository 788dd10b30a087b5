//! The inspectors' messages: which key and page the page asks for, and one page of a key's
//! value as its type thinks of it (a string and its encoding; list cells; hash fields; set
//! members; sorted-set members by rank, with their scores and where each lies in the set's
//! range, for its bar), each element marked if the last command changed it.
//!
//! Some values can be looked at in more than one way ([`Form`]): a string as text, as a grid
//! of bits (what SETBIT and BITCOUNT see) or, when it carries the `HYLL` header, as a
//! HyperLogLog; a sorted set whose scores are geohashes as a table or as places on a map.
//!
//! A stream is a page of its entries (ID and fields, oldest first, by position) and its
//! consumer groups as XINFO GROUPS and XPENDING see them: each group's last-delivered ID,
//! entries read and lag, its consumers with their pending counts and idle times, and the first
//! of its pending entries with their owner, idle time and delivery count, on the engine's
//! clock.

use serde::{Deserialize, Serialize};

/// Elements per page of an inspector.
pub const PAGE: usize = 50;
/// Bytes of a string value shown; the rest is counted, not sent.
pub const STRING_SHOWN: usize = 4096;
/// Bytes of a bitmap per page: 16 rows of 32 bits.
pub const BITS_PAGE: usize = 64;
/// Bits in one row of the bitmap grid.
pub const BITS_PER_ROW: usize = 32;
/// Places drawn on a geo map at most: a larger set is drawn by an even sample of its ranks.
pub const MAP_POINTS: usize = 1000;
/// Consumers, and pending entries, sent per group at most: the rest are counted.
pub const GROUP_ROWS: usize = 20;

/// A way of looking at a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    /// A string's bytes as text.
    Text,
    /// A string's bits, offset 0 first (the most significant bit of byte 0), as SETBIT counts.
    Bits,
    /// A string with the `HYLL` header: its encoding, registers and estimate.
    HyperLogLog,
    /// A sorted set ranked by score.
    Ranked,
    /// A sorted set of geohashes as places on a map.
    Map,
}

/// Which key the inspector shows, and which page of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectQuery {
    /// The key as text (as the keyspace panel lists it).
    pub key: String,
    /// The first element shown (a list index, a rank, a position; a byte of a bitmap).
    pub offset: usize,
    /// How to look at the value; `None` lets the worker choose ([`Inspection::forms`]).
    pub form: Option<Form>,
    /// A stream's "Go to ID": the page holding the first entry at or after this ID
    /// (`ms-seq` or `ms`), in place of `offset`.
    #[serde(default)]
    pub at_id: Option<String>,
}

impl InspectQuery {
    /// The first page of `key`.
    pub fn new(key: impl Into<String>) -> InspectQuery {
        InspectQuery {
            key: key.into(),
            offset: 0,
            form: None,
            at_id: None,
        }
    }
}

/// One page of a key's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    pub key: String,
    /// The first element of the page (0 for a string).
    pub offset: usize,
    /// Elements in the whole value; bytes for a string; 0 when the key is gone.
    pub total: usize,
    /// What TYPE answers (`string`, `list`...), empty when the key is gone.
    pub type_name: String,
    /// What OBJECT ENCODING answers.
    pub encoding: String,
    pub expires_at_ms: Option<u64>,
    /// The ways this value can be looked at, the one shown first; empty when there is one.
    pub forms: Vec<Form>,
    pub body: Body,
}

/// The page itself, shaped by the type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// The key does not exist (any more).
    Missing,
    /// The first [`STRING_SHOWN`] bytes as text (invalid UTF-8 replaced).
    String {
        text: String,
        changed: bool,
    },
    /// Elements from the head, at index `offset + i` (and `offset + i - total` from the tail).
    List(Vec<Element>),
    Hash(Vec<Field>),
    /// Members in the set's own order (ascending for an intset).
    Set(Vec<Element>),
    /// Members from rank `offset`, lowest score first, and the set's whole range of scores,
    /// which the bars span.
    ZSet(Vec<Scored>, ScoreRange),
    /// [`BITS_PAGE`] bytes from byte `offset` of a string, seen as bits.
    Bits(Bitmap),
    HyperLogLog(Registers),
    Map(GeoMap),
    /// [`PAGE`] entries of a stream from position `offset`, oldest first, and its groups.
    Stream(StreamView),
}

/// A stream's page of entries and its bookkeeping, as XINFO STREAM reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamView {
    pub entries: Vec<StreamEntry>,
    /// `last-generated-id`: the next automatic ID is above it, even once its entry is gone.
    pub last_generated_id: String,
    /// `entries-added`: every entry ever added, trimmed and deleted ones too.
    pub entries_added: u64,
    /// `max-deleted-entry-id`.
    pub max_deleted_id: String,
    /// `radix-tree-keys`: the listpack nodes holding the entries.
    pub nodes: usize,
    pub groups: Vec<GroupView>,
}

/// One entry: its ID, its fields and values in order, and which groups' consumers hold it
/// pending (delivered, not yet acknowledged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEntry {
    pub id: String,
    pub fields: Vec<(String, String)>,
    /// `(group, consumer)` for each group whose PEL has the entry.
    pub pending: Vec<(String, String)>,
    pub changed: bool,
}

/// A consumer group, as XINFO GROUPS and XPENDING's summary report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub name: String,
    /// `last-delivered-id`: `>` reads the entries after it.
    pub last_delivered_id: String,
    /// `entries-read`, when known.
    pub entries_read: Option<i64>,
    /// `lag`: entries not yet delivered to the group, when it can be known.
    pub lag: Option<i64>,
    /// Entries delivered and not acknowledged, in all.
    pub pending: usize,
    /// The first [`GROUP_ROWS`] consumers by name.
    pub consumers: Vec<ConsumerView>,
    pub consumers_total: usize,
    /// The first [`GROUP_ROWS`] pending entries by ID, as XPENDING key group - + count lists
    /// them.
    pub pel: Vec<PendingView>,
}

/// A consumer of a group, as XINFO CONSUMERS reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerView {
    pub name: String,
    pub pending: usize,
    /// Milliseconds since it last read or claimed, on the engine's clock.
    pub idle_ms: u64,
}

/// A pending entry, as XPENDING's extended form lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView {
    pub id: String,
    pub consumer: String,
    /// Milliseconds since it was last delivered, on the engine's clock.
    pub idle_ms: u64,
    pub deliveries: u64,
}

/// A page of a string's bits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bitmap {
    pub bytes: Vec<u8>,
    /// The bits the last command changed (set or cleared), as a mask over `bytes`.
    pub changed: Vec<u8>,
    /// Bits set in the whole string (BITCOUNT key) and in this page (BITCOUNT key first
    /// last, the page's bytes).
    pub ones: u64,
    pub ones_in_page: u64,
}

/// A HyperLogLog as Redis keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Registers {
    /// The string has the header but its registers do not decode: PFCOUNT's INVALIDOBJ.
    Corrupted,
    Valid {
        /// `sparse` or `dense`, as PFDEBUG ENCODING answers.
        encoding: String,
        /// How many of the 16,384 registers hold each value, from 0 to the highest held.
        histogram: Vec<u32>,
        /// What PFCOUNT would answer.
        estimate: u64,
        /// The cardinality cached in the header, when it is valid (PFCOUNT then reads it).
        cached: Option<u64>,
    },
}

/// A geo set's places: a sample for the map, the page of the table, and the last search of
/// this key, drawn over them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoMap {
    /// Every place when there are at most [`MAP_POINTS`], else an even sample by rank.
    pub drawn: Vec<Place>,
    /// The places of ranks `offset..` for the table.
    pub page: Vec<Place>,
    pub search: Option<GeoSearch>,
}

/// A member of a geo set where GEOPOS puts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub member: String,
    pub longitude: f64,
    pub latitude: f64,
    /// Both as GEOPOS prints them.
    pub printed: [String; 2],
    /// Within the last search's circle or box.
    pub found: bool,
    pub changed: bool,
}

/// The last GEOSEARCH (or GEORADIUS...) of the key: its centre and shape in metres, and the
/// unit it was asked in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoSearch {
    pub center: [f64; 2],
    /// The radius, or the box's width and height.
    pub radius_m: Option<f64>,
    pub box_m: Option<[f64; 2]>,
    /// The search as words: `BYRADIUS 2 km`, `BYBOX 4 2 km`.
    pub words: String,
}

/// A sorted set's lowest and highest scores, as Redis prints them: a bar is empty at the
/// lowest and full at the highest, so close scores (Unix timestamps) still differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRange {
    pub lowest: String,
    pub highest: String,
    /// An end is -inf or +inf: the finite scores are drawn midway.
    pub infinite: bool,
}

/// A list element or a set member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    pub text: String,
    pub changed: bool,
}

/// A hash field and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub field: String,
    pub value: String,
    pub changed: bool,
}

/// A sorted-set member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub member: String,
    /// The score as Redis 7.0 prints it (`%.17g`).
    pub score: String,
    /// Where the score lies between the set's lowest (0.0) and highest (1.0) score.
    pub fraction: f64,
    pub changed: bool,
}

/// A list element's index counted from the tail, as LINDEX takes it: -1 is the last.
pub fn tail_index(index: usize, total: usize) -> i64 {
    index as i64 - total as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_counts_back_from_minus_one() {
        assert_eq!(tail_index(100, 120), -20);
        assert_eq!(tail_index(119, 120), -1);
    }
}
