//! Memory accounting: what Redis 7.0's `used_memory` would say for the same dataset.
//!
//! The engine's own structures are Rust's (the keyspace's compact table, packed blocks,
//! `IndexMap`, a skip-list arena), laid out to take less than Redis's (see `crate::dict`), but
//! what they take in the page's heap or the server's RSS teaches nothing about Redis (INFO's
//! `used_memory_rss` reports it, as Redis reports its own). What a
//! learner needs is the figure Redis would report, because `maxmemory` and eviction are
//! decided on it. So the engine keeps a *model* of Redis's allocations, not a measure of its
//! own, built from the structures Redis allocates and the size classes of jemalloc, the
//! allocator Redis links on Linux:
//!
//! ```text
//! used_memory = EMPTY_SERVER                        what a fresh redis-server reports
//!             + CLIENT × connected clients           query buffer, reply buffer, client struct
//!             + per database: 8 × buckets(keys) + 8 × buckets(expires)
//!                             + DICT_ENTRY × keys with a TTL
//!             + per key: DICT_ENTRY + key sds + value (below)
//! ```
//!
//! **jemalloc** hands out fixed size classes, and Redis's `used_memory` counts the class, not
//! the request: 8, 16, then steps of 16 up to 128 (no 24: a 22-byte listpack costs 32), then
//! four classes per doubling (160, 192, 224, 256, 320...). A 24-byte `dictEntry` costs 32.
//! [`jemalloc`] rounds.
//!
//! **sds** strings carry a header whose size grows with the length (1 byte below 32, 3 below
//! 256, 5 below 64 KiB, 9 below 4 GiB) and a NUL terminator. A string written in place (APPEND,
//! SETRANGE, SETBIT, PFADD...) is grown greedily, to twice what it needs below 1 MB, and
//! keeps that room: [`Sds`] follows its allocation write by write.
//!
//! **Hash tables** (`dict`) hold a bucket array of `8 × 2^n` pointers, `2^n` the smallest
//! power of two at least the number of entries (at least 4), and one 24-byte `dictEntry` per
//! entry. Redis rehashes incrementally, so after a table doubled it holds both arrays until
//! later operations have moved every bucket; a value's dict is priced with its old array for
//! a while after doubling (`rehashing_buckets`), the keyspace's dicts (rehashed by Redis's
//! cron) without.
//!
//! **Values**, per encoding, as OBJECT ENCODING names them, each behind a 16-byte `robj`:
//! - strings: `int` holds the number in the robj itself (and integers 0..9999 are one shared
//!   object costing nothing, unless an LRU or LFU policy needs per-key access data); `embstr`
//!   is robj and sds in one allocation; `raw` is an robj plus an sds;
//! - lists are quicklists: a 40-byte header, then 8 KiB listpack nodes (the default
//!   `list-max-listpack-size -2`), each with a 40-byte node struct;
//! - small hashes and sorted sets are one listpack: a 6-byte header, an end byte, and per
//!   element an entry of encoding byte(s), data and a back-length (integers take 1 to 9 bytes,
//!   a sorted set's scores are stored as integers when whole, else as `%.17g` text);
//! - large hashes and sets are a `dict` of sds strings; small integer sets an `intset` of 2, 4
//!   or 8 bytes per member;
//! - large sorted sets are a `dict` plus a skip list whose nodes take `24 + 16 × level` bytes,
//!   level drawn with p = 1/4, so on average [`SKIPLIST_NODE`] bytes after rounding;
//! - streams are an 80-byte struct, a radix tree of listpack nodes (each node's allocation as
//!   Redis's reallocations leave it, `crate::types::stream`), and per consumer group its
//!   struct, its PEL (a radix tree of 32-byte NACKs) and its consumers, each with a PEL of its
//!   own; the groups and the consumers are radix trees by name. Every tree is priced node by
//!   node as Redis allocates it (the trees of IDs kept up to date by `IdRax`, those of names
//!   computed by `rax_shape`). MEMORY USAGE prices a stream as Redis's estimate does, from the
//!   trees' counts (`stream_estimate`).
//!
//! **Incremental.** Each key's modelled size is kept in its entry and summed per database;
//! a write updates only the keys it touched (`Engine::settle_memory`, fed by the write door),
//! never by walking the keyspace. Pricing one value is O(1) for strings and, for aggregates,
//! O([`ACCOUNTING_SAMPLES`]): up to that many elements are priced exactly, a larger value is
//! priced from that many elements spread evenly across it and scaled, as Redis's own MEMORY
//! USAGE samples. Bucket arrays and TTL entries are priced from counts when INFO asks.
//!
//! `scripts/bench-memory` loads the same 100,000 keys into both servers and prints both
//! `used_memory`s; BENCHMARKS.md keeps the figures.

use crate::args::string2ll;
use crate::db::{StringOrigin, Value};
use crate::listpack;
use crate::reply::format_double;
use crate::types::set::Members;
use crate::types::stream::rax_shape;
use crate::types::{Hash, List, Set, SortedSet, Stream};

/// `used_memory` of a freshly started redis-server 7.0.15 (`used_memory_startup`): its
/// shared objects, command table, Lua and function engines, empty databases.
pub const EMPTY_SERVER: usize = 876_120;
/// What one idle connected client adds: its `client` struct, 16 KiB reply buffer and query
/// buffer (measured on redis-server 7.0.15 as `used_memory` with and without one client).
pub const CLIENT: usize = 38_272;
/// A `dictEntry` (key, value, next pointers: 24 bytes) as jemalloc allocates it.
pub const DICT_ENTRY: usize = 32;
/// A `robj`: type, encoding, LRU/LFU bits, refcount, pointer.
pub const ROBJ: usize = 16;

/// The sizes of Redis's fixed structs. `used_memory` counts what jemalloc allocates for them;
/// Redis's MEMORY USAGE estimate (`objectComputeSize`) adds their C `sizeof` instead. Both
/// are modelled, with the same code: [`ALLOCATED`] and [`SIZEOF`].
#[derive(Clone, Copy, Debug)]
pub struct StructSizes {
    /// True for Redis's MEMORY USAGE estimate (`objectComputeSize`), which prices some types
    /// by formulas of their own (streams) rather than by their structs.
    pub estimate: bool,
    pub dict: usize,
    pub dict_entry: usize,
    pub quicklist: usize,
    pub quicklist_node: usize,
}

/// As allocated: `dict` 56 → 64, `dictEntry` 24 → 32, `quicklist` 40 → 48, `quicklistNode`
/// 40 → 48.
pub const ALLOCATED: StructSizes = StructSizes {
    estimate: false,
    dict: 64,
    dict_entry: DICT_ENTRY,
    quicklist: 48,
    quicklist_node: 48,
};

/// As `sizeof` gives them, for MEMORY USAGE.
pub const SIZEOF: StructSizes = StructSizes {
    estimate: true,
    dict: 56,
    dict_entry: 24,
    quicklist: 40,
    quicklist_node: 40,
};
/// A listpack node's target size under `list-max-listpack-size -2`.
pub const QUICKLIST_NODE_BYTES: usize = 8192;
/// A listpack's 6-byte header and 1-byte end marker.
pub const LISTPACK_OVERHEAD: usize = 7;
/// An `intset` header: encoding and length.
pub const INTSET_HEADER: usize = 8;
/// A sorted set's `zset` struct (dict and skip-list pointers) and its `zskiplist` (32 bytes).
pub const ZSET_STRUCTS: usize = 16 + 32;
/// The skip list's header node: 24 bytes plus 32 levels of 16 (536, 640 after rounding).
pub const SKIPLIST_HEADER: usize = 640;
/// Expected allocation of a skip-list node without its member: level l (probability
/// 3/4 × (1/4)^(l-1)) takes `24 + 16 l` bytes, rounded to 48, 64, 80, 96, 112, 128...:
/// 0.75 × 48 + 0.1875 × 64 + 0.047 × 80 + 0.012 × 96 + ... ≈ 53.
pub const SKIPLIST_NODE: usize = 53;
/// A stream's struct (`sizeof(stream)`: the tree, length, three IDs, entries added, groups),
/// a multiple of 16 already allocated as is.
pub const STREAM_STRUCT: usize = 80;
/// A radix tree's struct (head, element and node counts: 24 bytes) as allocated.
pub const RAX_STRUCT: usize = 32;
/// A consumer group's struct (`streamCG`, 40 bytes) as allocated.
pub const STREAM_GROUP: usize = 48;
/// A pending entry (`streamNACK`, 24 bytes) and a consumer (`streamConsumer`, 24 bytes) as
/// allocated.
pub const STREAM_NACK: usize = 32;
pub const STREAM_CONSUMER: usize = 32;

/// Elements priced per value before sampling takes over (see the module's text).
pub const ACCOUNTING_SAMPLES: usize = 32;
/// Redis's `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`.
pub const EMBSTR_SIZE_LIMIT: usize = 44;
/// Redis's `OBJ_SHARED_INTEGERS`: integers 0..9999 are shared objects.
pub const SHARED_INTEGERS: i64 = 10_000;

/// The jemalloc size class an allocation of `size` bytes gets.
pub fn jemalloc(size: usize) -> usize {
    match size {
        0 => 0,
        1..=8 => 8,
        9..=128 => size.div_ceil(16) * 16,
        _ => {
            // Four classes per doubling: between 2^k and 2^(k+1) the step is 2^(k-2).
            let k = usize::BITS - 1 - (size - 1).leading_zeros();
            let step = 1usize << (k - 2);
            size.div_ceil(step) * step
        }
    }
}

/// Bytes of an sds string of `len` bytes (header, data, NUL), before rounding. The type-5
/// header applies to strings copied with `sdsdup`/`sdsnewlen` (keys, hash fields, members).
pub fn sds(len: usize) -> usize {
    sds_header(len) + len + 1
}

/// An sds string as allocated.
pub fn sds_alloc(len: usize) -> usize {
    jemalloc(sds(len))
}

/// Redis's `SDS_MAX_PREALLOC`: greedy growth doubles below it, adds it above.
const SDS_MAX_PREALLOC: usize = 1024 * 1024;

/// The allocation of an sds string written in place, as Redis's `sdsnewlen` and
/// `sdsMakeRoomFor` size it: a header (1, 3, 5, 9 or 17 bytes: type 5 remembers no free room,
/// so growth never uses it), the bytes, the room left, and the NUL, rounded to jemalloc's size
/// class. Growth asks for twice the new length below 1 MB (1 MB more above) and moves to the
/// header that length needs.
///
/// It also keeps the one byte of content Redis can read past a string's end: the NUL
/// terminator's place, which a HyperLogLog split of an opcode cut short by the end overwrites
/// (`crate::hyperloglog`), and which every later read of that opcode takes as its second byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sds {
    /// The header's size in bytes: what sds type it is.
    header: usize,
    /// The allocation, in bytes, header and NUL included.
    size: usize,
    /// A byte other than NUL written just past the end, and the string's length then: any
    /// change of length writes a NUL there again (`sdsIncrLen`, `sdscatlen`, `sdsgrowzero`),
    /// so at another length it no longer stands; writes within the string leave it.
    past_end: Option<(usize, u8)>,
    /// The string's own count of what it can hold, when trimmed below its allocation
    /// (`sdsRemoveFreeSpace` records the length alone: [`Sds::stored`]).
    trimmed_to: Option<usize>,
}

impl Sds {
    /// A string created `len` bytes long, with no room to spare but jemalloc's rounding
    /// (`sdsnewlen`; an empty one is type 8, the smallest that can grow).
    pub fn new(len: usize) -> Sds {
        let header = sds_header(len).max(if len == 0 { 3 } else { 1 });
        Sds {
            header,
            size: jemalloc(header + len + 1),
            past_end: None,
            trimmed_to: None,
        }
    }

    /// A `raw` string as SET and its kin store it (`tryObjectEncoding`): created `len` bytes
    /// long with the room its allocation leaves, then trimmed (`trimStringObjectIfNeeded`)
    /// when that room is more than a tenth of the length; the allocation stays in its size
    /// class, but the string counts no room any more.
    pub fn stored(len: usize) -> Sds {
        let sds = Sds::new(len);
        if sds.alloc(len) - len > len / 10 {
            Sds {
                trimmed_to: Some(len),
                ..sds
            }
        } else {
            sds
        }
    }

    /// The bytes of a string `len` bytes long it can hold (`sdsalloc`): the allocation less
    /// the header and the NUL, within what the header can count; a type 5 header counts none.
    fn alloc(self, len: usize) -> usize {
        if let Some(trimmed) = self.trimmed_to {
            return trimmed;
        }
        let type_max = match self.header {
            1 => return len,
            3 => 0xff,
            5 => 0xffff,
            9 => u32::MAX as usize,
            _ => usize::MAX,
        };
        (self.size - self.header - 1).min(type_max)
    }

    /// Room for `add` more bytes after `len` (Redis's greedy `sdsMakeRoomFor`): unchanged
    /// when there is enough, else reallocated for twice the new length (1 MB more from 1 MB).
    pub fn make_room_for(self, len: usize, add: usize) -> Sds {
        if self.alloc(len).saturating_sub(len) >= add {
            return self;
        }
        let needed = len + add;
        let wanted = if needed < SDS_MAX_PREALLOC {
            needed * 2
        } else {
            needed + SDS_MAX_PREALLOC
        };
        let header = sds_header(wanted).max(3);
        // The reallocation copies the byte past the end along with the string.
        Sds {
            header,
            size: jemalloc(header + wanted + 1),
            past_end: self.past_end,
            trimmed_to: None,
        }
    }

    /// `add` bytes appended to a string `len` bytes long (Redis's `sdscatlen`): room made as
    /// [`Sds::make_room_for`] makes it, then a NUL written after the new end, even when `add`
    /// is 0.
    pub fn cat(self, len: usize, add: usize) -> Sds {
        let mut sds = self.make_room_for(len, add);
        sds.set_past_end(len + add, 0);
        sds
    }

    /// A string `len` bytes long padded with zeros to `new_len` (Redis's `sdsgrowzero`).
    pub fn grow_zero(self, len: usize, new_len: usize) -> Sds {
        match new_len.checked_sub(len) {
            Some(add) if add > 0 => self.make_room_for(len, add),
            _ => self,
        }
    }

    /// The byte just past the end of the string, now `len` bytes long: its NUL terminator,
    /// unless a write spilled over it at this length.
    pub fn past_end(self, len: usize) -> u8 {
        match self.past_end {
            Some((at, byte)) if at == len => byte,
            _ => 0,
        }
    }

    /// Notes what was just written past the end of the string, now `len` bytes long (0 when
    /// only its NUL was).
    pub fn set_past_end(&mut self, len: usize, byte: u8) {
        self.past_end = (byte != 0).then_some((len, byte));
    }

    /// The free room after a string `len` bytes long (`sdsavail`): none in a type 5 header,
    /// which does not count it.
    pub fn avail(self, len: usize) -> usize {
        self.alloc(len) - len
    }

    /// Its allocation in bytes, as `used_memory` and MEMORY USAGE count it.
    pub fn allocation(self) -> usize {
        self.size
    }
}

/// The header of an sds string of `len` bytes (`sdsReqType`).
pub(crate) fn sds_header(len: usize) -> usize {
    sds_header_of(len as u64)
}

/// [`sds_header`] for any length a 64-bit Redis may hold, beyond what `usize` holds in
/// the page's 32-bit WebAssembly.
pub(crate) fn sds_header_of(len: u64) -> usize {
    match len {
        0..=31 => 1,
        32..=255 => 3,
        256..=65_535 => 5,
        65_536..=0xffff_ffff => 9,
        _ => 17,
    }
}

/// Slots of a dict holding `entries`: 0 when empty, else the smallest power of two at least
/// `entries`, and at least 4 (`DICT_HT_INITIAL_SIZE`).
pub fn dict_buckets(entries: usize) -> usize {
    match entries {
        0 => 0,
        n => n.next_power_of_two().max(4),
    }
}

/// A value's dict: its struct and bucket arrays for `entries` entries (the entries themselves
/// excluded), the old array of an unfinished rehash included. `steps_per_insert`: how many
/// dict operations (each one rehash step) adding an entry takes.
fn dict(structs: &StructSizes, entries: usize, steps_per_insert: usize) -> usize {
    let buckets = dict_buckets(entries) + rehashing_buckets(entries, steps_per_insert);
    structs.dict + 8 * buckets
}

/// The old bucket array a value's dict still holds after doubling. Redis frees it once the
/// incremental rehash has moved every non-empty bucket, one bucket per dict operation after
/// the doubling: one per SADD member (`dictAdd`), two per HSET field or ZADD member (a find,
/// then the add); reads also step, and are not modelled. With as many entries as buckets,
/// about 5/8 of the buckets hold entries (1 - 1/e), so the old array is priced until the
/// inserts since the doubling have taken that many steps, as a history of writes leaves it
/// (measured on Redis 7.0: a 16-bucket set frees it at its 27th member, a hash at its 22nd
/// field). The keyspace's own dicts are rehashed by Redis's cron within milliseconds and are
/// priced without it.
fn rehashing_buckets(entries: usize, steps_per_insert: usize) -> usize {
    let old = dict_buckets(entries) / 2;
    // The insert that doubles the table (entry `old + 1`) takes no step itself.
    let steps = entries.saturating_sub(old + 1) * steps_per_insert;
    if old >= 4 && entries > old && steps * 8 < old * 5 {
        old
    } else {
        0
    }
}

/// A sorted-set score as a listpack stores it: a whole number within ±2^62 as an integer,
/// anything else as its `%.17g` text.
fn listpack_score(score: f64) -> usize {
    const HALF_I64: f64 = (i64::MAX / 2) as f64;
    if (-HALF_I64..=HALF_I64).contains(&score) && score.fract() == 0.0 {
        listpack::int_entry_size(score as i64)
    } else {
        listpack::entry_size(format_double(score).as_bytes())
    }
}

/// The sum of `price(i)` over `0..len`: exact for up to `samples` elements (or all when
/// `samples` is 0), else estimated from `samples` positions spread evenly and scaled.
fn sum_sampled(len: usize, samples: usize, price: impl Fn(usize) -> usize) -> usize {
    if samples == 0 || len <= samples {
        return (0..len).map(price).sum();
    }
    let sampled: usize = (0..samples).map(|i| price(i * len / samples)).sum();
    scale_sampled(sampled, len, samples)
}

/// [`sum_sampled`] over prices met in order (a packed listpack's, which has no random
/// access): the same positions, taken in one walk.
fn sum_sampled_walk(len: usize, samples: usize, prices: impl Iterator<Item = usize>) -> usize {
    if samples == 0 || len <= samples {
        return prices.sum();
    }
    // Strictly increasing, as `len > samples`.
    let mut positions = (0..samples).map(|i| i * len / samples).peekable();
    let sampled = prices
        .enumerate()
        .filter(|&(at, _)| positions.next_if_eq(&at).is_some())
        .map(|(_, price)| price)
        .sum();
    scale_sampled(sampled, len, samples)
}

fn scale_sampled(sampled: usize, len: usize, samples: usize) -> usize {
    (sampled as f64 * len as f64 / samples as f64) as usize
}

/// How to price a value: which struct sizes, how many elements, whether small integers are
/// shared objects (they are unless `maxmemory` runs with an LRU or LFU policy).
#[derive(Clone, Copy, Debug)]
pub struct Pricing {
    pub structs: &'static StructSizes,
    /// Elements of an aggregate priced before sampling takes over (0: all).
    pub samples: usize,
    /// Price hash and sorted-set listpacks whole, whatever `samples` says, as Redis's estimate
    /// reads a listpack's size instead of sampling it. Accounting samples them, so that a
    /// write costs O(samples) however large `*-max-listpack-entries` is set.
    pub whole_listpacks: bool,
    pub shared_integers: bool,
}

/// The modelled size of a stored value, robj included.
pub fn value_size(value: &Value, pricing: Pricing) -> usize {
    let structs = pricing.structs;
    let samples = pricing.samples;
    let listpack_samples = if pricing.whole_listpacks { 0 } else { samples };
    match value {
        Value::String(s) => string_size(s, s.origin(), pricing.shared_integers),
        Value::List(l) => ROBJ + list_size(structs, l, samples),
        Value::Hash(h) if h.is_listpack() => ROBJ + hash_size(structs, h, listpack_samples),
        Value::Hash(h) => ROBJ + hash_size(structs, h, samples),
        Value::Set(s) => ROBJ + set_size(structs, s, samples),
        Value::ZSet(z) if z.is_listpack() => ROBJ + zset_size(structs, z, listpack_samples),
        Value::ZSet(z) => ROBJ + zset_size(structs, z, samples),
        Value::Stream(s) if structs.estimate => stream_estimate(s, samples),
        Value::Stream(s) => stream_allocated(s),
    }
}

/// Is this string one of Redis's shared integer objects (0..9999 stored through
/// `tryObjectEncoding`, when `shared_integers` allows them)? OBJECT REFCOUNT asks too.
pub fn is_shared_integer(s: &[u8], origin: StringOrigin, shared_integers: bool) -> bool {
    shared_integer(s, origin, shared_integers).is_some()
}

/// Which of the shared integer objects this string is, if it is one (see
/// [`is_shared_integer`]).
pub fn shared_integer(s: &[u8], origin: StringOrigin, shared_integers: bool) -> Option<usize> {
    if !shared_integers || origin != StringOrigin::Encoded || s.len() > 4 {
        return None;
    }
    string2ll(s)
        .filter(|n| (0..SHARED_INTEGERS).contains(n))
        .map(|n| n as usize)
}

fn string_size(s: &[u8], origin: StringOrigin, shared_integers: bool) -> usize {
    let int = match origin {
        StringOrigin::Encoded | StringOrigin::Duplicated if s.len() <= 20 => string2ll(s),
        _ => None,
    };
    if let Some(n) = int {
        let shared =
            shared_integers && origin == StringOrigin::Encoded && (0..SHARED_INTEGERS).contains(&n);
        return if shared { 0 } else { ROBJ };
    }
    match origin {
        StringOrigin::Raw(sds) => ROBJ + sds.allocation(),
        // robj, sdshdr8 and NUL in one allocation.
        _ if s.len() <= EMBSTR_SIZE_LIMIT => jemalloc(ROBJ + 3 + s.len() + 1),
        _ => ROBJ + sds_alloc(s.len()),
    }
}

fn list_size(structs: &StructSizes, list: &List, samples: usize) -> usize {
    let (entries, nodes) = quicklist_shape(list, samples);
    let per_node = LISTPACK_OVERHEAD + entries / nodes;
    structs.quicklist + nodes * (structs.quicklist_node + jemalloc(per_node))
}

/// The bytes of a list's listpack entries and the quicklist nodes they fill (8 KiB each),
/// priced from `samples` of its elements.
fn quicklist_shape(list: &List, samples: usize) -> (usize, usize) {
    let entries = sum_sampled(list.len(), samples, |i| {
        list.get(i as i64).map_or(0, |e| listpack::entry_size(e))
    });
    (entries, entries.div_ceil(QUICKLIST_NODE_BYTES).max(1))
}

/// How many quicklist nodes Redis would hold `list` in (`quicklist->len`), as `used_memory`
/// prices it: what freeing the list costs, a node at a time (`crate::lazyfree`).
pub(crate) fn quicklist_nodes(list: &List) -> usize {
    quicklist_shape(list, ACCOUNTING_SAMPLES).1
}

fn hash_size(structs: &StructSizes, hash: &Hash, samples: usize) -> usize {
    if hash.is_listpack() {
        let prices = hash
            .iter()
            .map(|(f, v)| listpack::entry_size(f) + listpack::entry_size(v));
        jemalloc(LISTPACK_OVERHEAD + sum_sampled_walk(hash.len(), samples, prices))
    } else {
        let entries = sum_sampled(hash.len(), samples, |i| {
            structs.dict_entry
                + hash
                    .get_index(i)
                    .map_or(0, |(f, v)| sds_alloc(f.len()) + sds_alloc(v.len()))
        });
        dict(structs, hash.len(), 2) + entries
    }
}

fn set_size(structs: &StructSizes, set: &Set, samples: usize) -> usize {
    match set {
        Set::Intset(members) => {
            let width = match (members.first(), members.last()) {
                (Some(&lo), Some(&hi))
                    if lo >= i64::from(i16::MIN) && hi <= i64::from(i16::MAX) =>
                {
                    2
                }
                (Some(&lo), Some(&hi))
                    if lo >= i64::from(i32::MIN) && hi <= i64::from(i32::MAX) =>
                {
                    4
                }
                (Some(_), Some(_)) => 8,
                _ => 2,
            };
            jemalloc(INTSET_HEADER + width * members.len())
        }
        Set::Hashtable(members) => {
            let price = |m: &[u8]| structs.dict_entry + sds_alloc(m.len());
            let entries = match members {
                // A packed block has no random access: one walk, the same samples.
                Members::Packed { .. } => {
                    sum_sampled_walk(members.len(), samples, members.iter().map(price))
                }
                Members::Table(_) => sum_sampled(members.len(), samples, |i| {
                    members.get_index(i).map_or(0, price)
                }),
            };
            dict(structs, members.len(), 1) + entries
        }
    }
}

fn zset_size(structs: &StructSizes, zset: &SortedSet, samples: usize) -> usize {
    if zset.is_listpack() {
        // A packed listpack has no random access: one walk, the same samples.
        let prices = zset
            .positions()
            .map(|(m, s)| listpack::entry_size(m) + listpack_score(s));
        jemalloc(LISTPACK_OVERHEAD + sum_sampled_walk(zset.len(), samples, prices))
    } else {
        let entries = sum_sampled(zset.len(), samples, |i| {
            let member = zset.get_index(i).map_or(0, |(m, _)| sds_alloc(m.len()));
            structs.dict_entry + SKIPLIST_NODE + member
        });
        ZSET_STRUCTS + SKIPLIST_HEADER + dict(structs, zset.len(), 2) + entries
    }
}

/// A radix tree keyed by names (a stream's groups, a group's consumers) as allocated.
fn names_rax<'a>(names: impl Iterator<Item = &'a [u8]>) -> usize {
    let names: Vec<&[u8]> = names.collect();
    RAX_STRUCT + rax_shape(&names).1
}

/// A stream's allocations, robj included: everything `used_memory` counts for it. O(groups +
/// consumers and their names): the nodes' allocations and the trees of IDs are kept summed by
/// the stream.
fn stream_allocated(s: &Stream) -> usize {
    let mut size = ROBJ + STREAM_STRUCT + RAX_STRUCT + s.rax_allocated() + s.allocated();
    if s.groups().next().is_some() {
        // Made with the first group; the groups' names are their keys, in order.
        size += names_rax(s.groups().map(|(name, _)| name));
    }
    for (_, group) in s.groups() {
        size += STREAM_GROUP + RAX_STRUCT + group.pel_rax_allocated();
        size += STREAM_NACK * group.pending_len();
        size += names_rax(group.consumers().map(|c| c.name()));
        for consumer in group.consumers() {
            size += STREAM_CONSUMER + sds_alloc(consumer.name().len());
            size += RAX_STRUCT + consumer.pel_rax_allocated();
        }
    }
    size
}

/// Redis's `streamRadixTreeMemoryUsage`, bug for bug: 16 bytes per key, a 4-byte header and
/// a flat 240 bytes per node (the tree's own struct is assigned, then overwritten).
fn rax_estimate(keys: usize, nodes: usize) -> usize {
    keys * 16 + nodes * 4 + nodes * 8 * 30
}

/// MEMORY USAGE of a stream (`objectComputeSize`): robj and struct, the tree's estimate, the
/// nodes' allocations (all of them when `samples` covers them or is 0, else the first
/// `samples` averaged for all but the last, and the last as it is), and per group its struct,
/// its PEL's estimate and NACKs, and per consumer its struct, name and PEL's estimate.
fn stream_estimate(s: &Stream, samples: usize) -> usize {
    let mut size = ROBJ + STREAM_STRUCT + rax_estimate(s.node_count(), s.rax_nodes());
    let nodes = s.node_count();
    let sampled = if samples == 0 {
        nodes
    } else {
        samples.min(nodes)
    };
    let first: usize = s.node_allocations().take(sampled).sum();
    if nodes <= sampled {
        size += first;
    } else {
        let last = s.node_allocations().next_back().unwrap_or(0);
        size += first / sampled * (nodes - 1) + last;
    }
    for (_, group) in s.groups() {
        size += 40 + rax_estimate(group.pending_len(), group.pel_rax_nodes());
        size += 24 * group.pending_len();
        for consumer in group.consumers() {
            size += 24 + consumer.name().len();
            size += rax_estimate(consumer.pending_len(), consumer.pel_rax_nodes());
        }
    }
    size
}

/// A key as the main dict holds it: its dictEntry and its sds name.
pub fn key_size(key: &[u8]) -> usize {
    DICT_ENTRY + sds_alloc(key.len())
}

/// Redis's `bytesToHuman`: `512B`, `1.50K`, `256.00M`...
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("P", 1024f64 * 1024.0 * 1024.0 * 1024.0 * 1024.0),
        ("T", 1024f64 * 1024.0 * 1024.0 * 1024.0),
        ("G", 1024f64 * 1024.0 * 1024.0),
        ("M", 1024f64 * 1024.0),
        ("K", 1024f64),
    ];
    if n < 1024 {
        return format!("{n}B");
    }
    for (unit, size) in UNITS {
        if n as f64 >= size || unit == "K" {
            return format!("{:.2}{unit}", n as f64 / size);
        }
    }
    format!("{n}B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jemalloc_size_classes() {
        let classes: Vec<usize> = [1, 8, 9, 24, 33, 129, 161, 257, 2207, 8193]
            .iter()
            .map(|&n| jemalloc(n))
            .collect();
        assert_eq!(classes, [8, 8, 16, 32, 48, 160, 192, 320, 2560, 10240]);
    }

    #[test]
    fn listpack_entries() {
        assert_eq!(listpack::entry_size(b"5"), 2);
        assert_eq!(listpack::entry_size(b"1000"), 3);
        assert_eq!(listpack::entry_size(b"hello"), 7);
        assert_eq!(listpack::entry_size(&[b'x'; 100]), 103);
    }

    #[test]
    fn strings_by_encoding() {
        let size = |s: &[u8], shared| {
            value_size(
                &Value::string(s.to_vec()),
                Pricing {
                    structs: &ALLOCATED,
                    samples: 0,
                    whole_listpacks: true,
                    shared_integers: shared,
                },
            )
        };
        assert_eq!(size(b"5", true), 0);
        assert_eq!(size(b"5", false), ROBJ);
        assert_eq!(size(b"1000000", true), ROBJ);
        // SET a b: MEMORY USAGE says 64 in Redis 7.0 = 32 (embstr) + 8 (key sds) + 24.
        assert_eq!(size(b"b", true), 32);
        assert_eq!(size(&[b'v'; 200], true), ROBJ + 224);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(bytes_to_human(512), "512B");
        assert_eq!(bytes_to_human(1536), "1.50K");
        assert_eq!(bytes_to_human(256 * 1024 * 1024), "256.00M");
    }
}
