//! The stream type (Redis's `t_stream.c` structures): an append-only log of entries, each an ID
//! and field-value pairs, and the consumer groups that hand its entries out and track them.
//!
//! # IDs
//!
//! An entry's ID is two 64-bit numbers, `ms-seq`: milliseconds and a sequence within them. IDs
//! only grow: an automatic ID is the clock's millisecond with sequence 0, or, when the clock has
//! not moved past the last ID (or went back), the last ID plus one. Compared as one 128-bit
//! number, an ID's 16 big-endian bytes sort as the IDs do, which is how Redis keys its radix
//! trees by them, and how [`IdRax`] below counts that tree's nodes.
//!
//! # Entries in nodes
//!
//! Redis does not store an entry per allocation. It packs runs of consecutive entries into one
//! listpack (`crate::listpack`), a *node*, and keeps the nodes in a radix tree keyed by each
//! node's *master ID*, the ID of the entry that opened it. A node looks like this:
//!
//! ```text
//! master entry:  count | deleted | num-fields | field-1 ... field-N | 0
//! each entry:    flags | ms-delta | seq-delta | [num-fields | field-1 ...] value-1 ... | lp-count
//! ```
//!
//! `count` and `deleted` are the node's live and deleted entries. The master entry holds the
//! field names of the node's first entry; an entry with exactly those names sets the
//! SAMEFIELDS flag and stores only its values, so a stream whose entries share a shape stores
//! each name once per node. IDs are stored as differences from the master ID, small integers
//! in a byte or two. `lp-count` is how many listpack elements the entry spans, so that the node
//! can be read backwards from its end (XREVRANGE, the newest entry), jumping `lp-count`
//! elements back to the entry's flags; the master entry's trailing 0 stops that walk.
//!
//! Deleting an entry (XDEL, an exact trim) only sets the DELETED flag and moves one from
//! `count` to `deleted`: the entry stays as a tombstone, skipped by reads. A node is dropped
//! whole when its last live entry goes, or when a trim takes it.
//!
//! **Node bounds.** XADD appends to the last node unless it is full: its listpack's bytes plus
//! the raw bytes of the new fields and values reach `stream-node-max-bytes` (4096; 0 means the
//! listpack ceiling of 1 GiB), or its entries, live and deleted, reach
//! `stream-node-max-entries` (100; 0 means no limit). Then a new node opens, with the new
//! entry as its master. These bounds are observable: MAXLEN ~ and MINID ~ trim only whole
//! nodes from the head, so the length they leave depends on exactly where nodes start, and
//! XINFO STREAM shows the node count (`radix-tree-keys`). That is why the nodes here are real
//! listpacks, built entry by entry as Redis builds them: the byte test reads the same size.
//!
//! **Allocations.** A new node is allocated 4096 bytes ahead (less when
//! `stream-node-max-bytes` is smaller), grown by `realloc` to the exact size class when an
//! append overflows it, shrunk to fit when the next node opens, and reallocated to fit
//! whenever an edit makes it smaller. `Node::alloc` follows those rules, because MEMORY USAGE
//! reports allocated sizes (`crate::memory`).
//!
//! # The radix tree
//!
//! Redis's rax is a compressed trie over the 16 key bytes; a `BTreeMap` answers the same
//! questions here (the node holding an ID, the first node at or after one) in O(log n). What
//! the map cannot say is the shape of Redis's tree: how many nodes it has, which XINFO STREAM
//! reports (`radix-tree-nodes`) and MEMORY USAGE prices, and what they allocate, which
//! `used_memory` counts. [`IdRax`] keeps both. In a rax of keys of equal length, a node exists
//! at the root, at every prefix where keys branch, at each child of a branching prefix (a
//! compressed chain starts there), and at every key (a leaf); chains in between are one node
//! each. A node allocates a 4-byte header, its bytes (a chain's run of key bytes, or a branch's
//! one byte per child) padded to a pointer, a pointer per child (one for a chain) and one for
//! the value of a key ([`rax_node_size`]). Inserting a key `k` changes only the neighbourhood
//! of `p`, the longest prefix `k` shares with a stored key (found from `k`'s neighbours in the
//! map): `k`'s own path adds the child of `p` it starts (a chain to its leaf) and its leaf (one
//! node if they coincide); a `p` that branched gains a child, and a `p` that did not splits
//! the chain it was in around a new branch of two, the part before `p` and the one child `p`
//! had each a node of its own. The children of each branching prefix are counted in a map
//! beside the keys. Removing a key undoes its insertion into the remaining keys. Each step is a
//! few range queries and at most 16 lookups of a branch, O(log n); Redis's own deletion
//! re-compresses chains, so the tree's shape depends only on its keys, and [`rax_shape`]
//! computes it from scratch for the trees keyed by names (groups, consumers).
//!
//! # Consumer groups
//!
//! A group remembers the last ID it delivered, a counter of the entries it has read (from
//! which its *lag* is told, when no tombstone makes the counter uncertain), its consumers, and
//! its pending entries list (PEL): every entry delivered and not yet acknowledged, with the
//! consumer it was delivered to, when, and how many times. Each consumer keeps the IDs of its
//! own pending entries too, as Redis shares the NACK between the group's and the consumer's
//! trees. Both PELs are [`IdRax`]es, since MEMORY USAGE counts their nodes as well.

use std::collections::btree_map::{self, BTreeMap};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::args::string2ull;
use crate::listpack::Listpack;
use crate::memory::jemalloc;

/// An entry's flags: deleted (a tombstone), and whether it has the master entry's fields.
const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;

/// Redis's `STREAM_LISTPACK_MAX_SIZE`: the ceiling a node never passes, whatever
/// `stream-node-max-bytes` says, and the most raw field and value bytes one entry may hold.
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// Redis's `STREAM_LISTPACK_MAX_PRE_ALLOCATE`: what a new node is allocated ahead.
const MAX_PREALLOCATE: usize = 4096;

/// A stream entry's ID, `ms-seq`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next ID, or `None` past the last possible one (`streamIncrID`).
    pub fn incr(self) -> Option<StreamId> {
        StreamId::from_bits(self.bits().checked_add(1)?).into()
    }

    /// The previous ID, or `None` before 0-0 (`streamDecrID`).
    pub fn decr(self) -> Option<StreamId> {
        StreamId::from_bits(self.bits().checked_sub(1)?).into()
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// An ID as Redis reads a number pair: `ms-seq`, or `ms` alone with `missing_seq`, each
    /// part as `string2ull` reads it (`-`, `+` and `ms-*` are the commands' to read).
    pub fn parse(text: &[u8], missing_seq: u64) -> Option<StreamId> {
        let (ms, seq) = match text.iter().position(|&b| b == b'-') {
            Some(dash) => (&text[..dash], Some(&text[dash + 1..])),
            None => (text, None),
        };
        let seq = match seq {
            Some(seq) => string2ull(seq)?,
            None => missing_seq,
        };
        Some(StreamId::new(string2ull(ms)?, seq))
    }

    /// The ID as one 128-bit number: its big-endian bytes are the radix tree's key.
    fn bits(self) -> u128 {
        u128::from(self.ms) << 64 | u128::from(self.seq)
    }

    fn from_bits(bits: u128) -> StreamId {
        StreamId {
            ms: (bits >> 64) as u64,
            seq: bits as u64,
        }
    }

    /// The 16 bytes Redis's trees and the RDB key an ID by.
    pub fn to_be_bytes(self) -> [u8; 16] {
        self.bits().to_be_bytes()
    }

    pub fn from_be_bytes(bytes: [u8; 16]) -> StreamId {
        StreamId::from_bits(u128::from_be_bytes(bytes))
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

// --- The radix tree's shape ----------------------------------------------------------------------

/// A map keyed by stream IDs that also keeps the shape of Redis's radix tree of the same keys:
/// its nodes and their allocations (see "The radix tree" above).
#[derive(Clone, Debug, PartialEq)]
pub struct IdRax<V> {
    map: BTreeMap<StreamId, V>,
    nodes: usize,
    /// The nodes' allocations summed (the tree's own struct aside).
    alloc: usize,
    /// The children of every prefix where keys branch, by its length and its bytes (the rest
    /// zeroed): what a branch node's size depends on.
    branches: HashMap<(usize, u128), usize>,
}

impl<V> Default for IdRax<V> {
    fn default() -> IdRax<V> {
        // An empty rax is its root alone, a node of no bytes.
        IdRax {
            map: BTreeMap::new(),
            nodes: 1,
            alloc: jemalloc(rax_node_size(0, false, false)),
            branches: HashMap::new(),
        }
    }
}

/// Bytes two keys share at their start.
fn common_prefix(a: u128, b: u128) -> usize {
    ((a ^ b).leading_zeros() / 8) as usize
}

/// `k`'s first `depth` bytes, the rest zeroed.
fn prefix(k: u128, depth: usize) -> u128 {
    match depth {
        0 => 0,
        _ => k & !0u128 << (128 - 8 * depth),
    }
}

/// A rax node's size (`raxNodeCurrentLength`): its 4-byte header, its `bytes` (a chain's run of
/// key bytes, or a branch's byte per child) padded to a pointer, its child pointers (one for a
/// chain), and a value pointer when a key ends at it.
pub fn rax_node_size(bytes: usize, chain: bool, key: bool) -> usize {
    let padding = (8 - (bytes + 4) % 8) % 8;
    let children = if chain { 1 } else { bytes };
    4 + bytes + padding + 8 * children + if key { 8 } else { 0 }
}

/// A chain of `bytes` key bytes, a branch of `children`, a leaf: as allocated.
fn chain(bytes: usize) -> usize {
    jemalloc(rax_node_size(bytes, true, false))
}

fn branch(children: usize) -> usize {
    jemalloc(rax_node_size(children, false, false))
}

fn leaf() -> usize {
    jemalloc(rax_node_size(0, false, true))
}

/// What adding a key to the others changes in the tree (see "The radix tree" above).
struct Joining {
    /// The length of the longest prefix it shares with another key, where the tree branches
    /// for it; `None` for the first key.
    depth: Option<usize>,
    nodes: usize,
    alloc: usize,
}

impl<V> IdRax<V> {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The nodes Redis's rax holding these keys has (`rax->numnodes`).
    pub fn nodes(&self) -> usize {
        self.nodes
    }

    /// What those nodes allocate, the tree's own struct aside.
    pub fn allocated(&self) -> usize {
        self.alloc
    }

    pub fn get(&self, id: &StreamId) -> Option<&V> {
        self.map.get(id)
    }

    pub fn get_mut(&mut self, id: &StreamId) -> Option<&mut V> {
        self.map.get_mut(id)
    }

    pub fn contains(&self, id: &StreamId) -> bool {
        self.map.contains_key(id)
    }

    pub fn iter(&self) -> btree_map::Iter<'_, StreamId, V> {
        self.map.iter()
    }

    /// The keys at or after `from`, in order.
    pub fn range_from(&self, from: StreamId) -> btree_map::Range<'_, StreamId, V> {
        self.map.range(from..)
    }

    pub fn first(&self) -> Option<(&StreamId, &V)> {
        self.map.first_key_value()
    }

    pub fn last(&self) -> Option<(&StreamId, &V)> {
        self.map.last_key_value()
    }

    /// Adds or replaces the value at `id`.
    pub fn insert(&mut self, id: StreamId, value: V) -> Option<V> {
        if !self.map.contains_key(&id) {
            let joining = self.joining(id.bits());
            self.nodes += joining.nodes;
            self.alloc += joining.alloc;
            if let Some(depth) = joining.depth {
                *self
                    .branches
                    .entry((depth, prefix(id.bits(), depth)))
                    .or_insert(1) += 1;
            }
        }
        self.map.insert(id, value)
    }

    /// Removes the value at `id`: its insertion into the remaining keys, undone.
    pub fn remove(&mut self, id: &StreamId) -> Option<V> {
        if !self.map.contains_key(id) {
            return None;
        }
        let joining = self.joining(id.bits());
        self.nodes -= joining.nodes;
        self.alloc -= joining.alloc;
        if let Some(depth) = joining.depth {
            let at = (depth, prefix(id.bits(), depth));
            match self.branches.get_mut(&at) {
                Some(children) if *children > 2 => *children -= 1,
                _ => {
                    self.branches.remove(&at);
                }
            }
        }
        self.map.remove(id)
    }

    /// The children of the prefix of `k` of this length among the stored keys other than `k`,
    /// when they branch there. `own` says that `k` is stored and branches off at this depth:
    /// one of the children counted is its own.
    fn children(&self, k: u128, depth: usize, own: bool) -> Option<usize> {
        let children = self.branches.get(&(depth, prefix(k, depth)))? - usize::from(own);
        (children >= 2).then_some(children)
    }

    /// The stored keys just before and after `k`, `k` itself aside.
    fn neighbours(&self, k: u128) -> [Option<u128>; 2] {
        let id = StreamId::from_bits(k);
        let before = self.map.range(..id).next_back().map(|(o, _)| o.bits());
        let after = self
            .map
            .range(id..)
            .map(|(o, _)| o.bits())
            .find(|&o| o != k);
        [before, after]
    }

    /// What adding the key `k` to the stored keys other than `k` changes in the tree.
    fn joining(&self, k: u128) -> Joining {
        // An empty tree is its root; one key makes it a chain of all 16 bytes to a leaf.
        let [before, after] = self.neighbours(k);
        let shared = |neighbour: Option<u128>| neighbour.map(|o| common_prefix(o, k));
        let Some(depth) = shared(before).max(shared(after)) else {
            return Joining {
                depth: None,
                nodes: 1,
                alloc: chain(16) + leaf() - jemalloc(rax_node_size(0, false, false)),
            };
        };
        // The new key's own path: the child of the branching point it starts (a chain down
        // to its leaf), and its leaf.
        let (mut nodes, mut alloc) = match depth + 1 < 16 {
            true => (2, chain(15 - depth) + leaf()),
            false => (1, leaf()),
        };
        let stored = self.map.contains_key(&StreamId::from_bits(k));
        match self.children(k, depth, stored) {
            Some(children) => alloc += branch(children + 1) - branch(children),
            None => {
                // The branching point lies in a chain, from the child of the branch above it
                // (or the root) down to the next node: the next branch, or the leaf.
                let start = (0..depth)
                    .rev()
                    .find(|&d| self.children(k, d, false).is_some())
                    .map_or(0, |d| d + 1);
                let (first, last) = self.bounds_under(k, depth);
                let end = match first == last {
                    true => 16,
                    false => common_prefix(first, last),
                };
                // It splits into the part before the point, a branch of two, and the part
                // after the point's one child (when that child is not already a node).
                nodes += usize::from(start < depth) + usize::from(depth + 1 < end);
                alloc += branch(2);
                if start < depth {
                    alloc += chain(depth - start);
                }
                if depth + 1 < end {
                    alloc += chain(end - depth - 1);
                }
                alloc -= chain(end - start);
            }
        }
        Joining {
            depth: Some(depth),
            nodes,
            alloc,
        }
    }

    /// The first and last stored keys other than `k` that share `k`'s first `depth` bytes
    /// (some do).
    fn bounds_under(&self, k: u128, depth: usize) -> (u128, u128) {
        let low = prefix(k, depth);
        let high = low | !prefix(u128::MAX, depth);
        let range = StreamId::from_bits(low)..=StreamId::from_bits(high);
        let mut keys = self
            .map
            .range(range)
            .map(|(id, _)| id.bits())
            .filter(|&o| o != k);
        let first = keys.next().unwrap_or(k);
        (first, keys.next_back().unwrap_or(first))
    }
}

/// The nodes and allocations of Redis's rax holding `keys` (sorted, distinct, each with a
/// value), computed from scratch: the trees keyed by names (a stream's groups, a group's
/// consumers), which stay small. A name may be a prefix of another: then a key ends at a node
/// that goes on. O(the keys' bytes).
pub fn rax_shape(keys: &[&[u8]]) -> (usize, usize) {
    if keys.is_empty() {
        return (1, jemalloc(rax_node_size(0, false, false)));
    }
    rax_subtree(keys, 0)
}

/// The node at `depth` bytes into `keys` (which all share that prefix), and all below it.
fn rax_subtree(keys: &[&[u8]], depth: usize) -> (usize, usize) {
    // Sorted, a key that ends here comes first.
    let is_key = keys[0].len() == depth;
    let rest = if is_key { &keys[1..] } else { keys };
    let Some(first) = rest.first() else {
        return (1, jemalloc(rax_node_size(0, false, true)));
    };
    let last = rest[rest.len() - 1];
    if first[depth] == last[depth] {
        // One child: a chain, down to where a key ends or the keys branch.
        let mut end = depth + 1;
        while rest.iter().all(|k| k.len() > end) && first[end] == last[end] {
            end += 1;
        }
        let (nodes, alloc) = rax_subtree(rest, end);
        return (
            nodes + 1,
            alloc + jemalloc(rax_node_size(end - depth, true, is_key)),
        );
    }
    let (mut nodes, mut alloc, mut children) = (1, 0, 0);
    let mut at = 0;
    while at < rest.len() {
        let byte = rest[at][depth];
        let group = rest[at..].partition_point(|k| k[depth] == byte);
        let (n, a) = rax_subtree(&rest[at..at + group], depth + 1);
        nodes += n;
        alloc += a;
        children += 1;
        at += group;
    }
    (
        nodes,
        alloc + jemalloc(rax_node_size(children, false, is_key)),
    )
}

// --- Nodes ---------------------------------------------------------------------------------------

/// One listpack of entries, and what Redis's allocator gave it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    lp: Listpack,
    /// The allocation's size (`zmalloc_size`), following Redis's reallocations.
    alloc: usize,
}

/// The master entry of a node, as located by [`Node::master`].
#[derive(Clone, Copy, Debug)]
struct Master {
    fields: i64,
    /// The first master field's position (the terminator's when there are none).
    fields_at: usize,
    /// The terminating 0's position.
    end_at: usize,
}

/// One entry of a node, located.
#[derive(Clone, Copy, Debug)]
struct Slot {
    flags_at: usize,
    flags: i64,
    id: StreamId,
    fields: i64,
    /// The first field (or, with SAMEFIELDS, the first value).
    data_at: usize,
    /// The entry's closing lp-count.
    count_at: usize,
}

impl Slot {
    fn deleted(&self) -> bool {
        self.flags & FLAG_DELETED != 0
    }
}

impl Node {
    /// A node for `lp` as loaded or copied: allocated to fit.
    fn fitted(lp: Listpack) -> Node {
        let alloc = jemalloc(lp.total_bytes());
        Node { lp, alloc }
    }

    /// The listpack's bytes, as the RDB saves them.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.lp.bytes()
    }

    /// Applies Redis's reallocation rules to a change of size from `before` bytes: grow to
    /// the exact size class when the allocation is too small, shrink to fit when smaller.
    fn resized(&mut self, before: usize) {
        let after = self.lp.total_bytes();
        if (after > before && after > self.alloc) || after < before {
            self.alloc = jemalloc(after);
        }
    }

    /// `lpReplaceInteger`, with the reallocation it may cost.
    fn replace_int(&mut self, at: usize, v: i64) {
        let before = self.lp.total_bytes();
        self.lp.replace_int(at, v);
        self.resized(before);
    }

    /// `lpShrinkToFit`, when the node is closed.
    fn shrink_to_fit(&mut self) {
        self.alloc = self.alloc.min(jemalloc(self.lp.total_bytes()));
    }

    fn next(&self, at: usize) -> usize {
        self.lp
            .next(at)
            .expect("a stream node's entries are whole (built or checked so)")
    }

    fn skip(&self, at: usize, n: i64) -> usize {
        (0..n).fold(at, |at, _| self.next(at))
    }

    fn live(&self) -> i64 {
        self.lp.get_int(crate::listpack::HEADER_SIZE)
    }

    fn deleted(&self) -> i64 {
        self.lp.get_int(self.next(crate::listpack::HEADER_SIZE))
    }

    fn master(&self) -> Master {
        let fields_count_at = self.skip(crate::listpack::HEADER_SIZE, 2);
        let fields = self.lp.get_int(fields_count_at);
        let fields_at = self.next(fields_count_at);
        Master {
            fields,
            fields_at,
            end_at: self.skip(fields_at, fields),
        }
    }

    /// The entry whose flags are at `flags_at`.
    fn slot(&self, flags_at: usize, master_id: StreamId, master: &Master) -> Slot {
        let flags = self.lp.get_int(flags_at);
        let ms_at = self.next(flags_at);
        let seq_at = self.next(ms_at);
        let id = StreamId {
            ms: master_id.ms.wrapping_add(self.lp.get_int(ms_at) as u64),
            seq: master_id.seq.wrapping_add(self.lp.get_int(seq_at) as u64),
        };
        let after_id = self.next(seq_at);
        let (fields, data_at, span) = if flags & FLAG_SAMEFIELDS != 0 {
            (master.fields, after_id, master.fields)
        } else {
            let fields = self.lp.get_int(after_id);
            (fields, self.next(after_id), fields * 2)
        };
        Slot {
            flags_at,
            flags,
            id,
            fields,
            data_at,
            count_at: self.skip(data_at, span),
        }
    }

    fn first_slot(&self, master_id: StreamId) -> Option<Slot> {
        let master = self.master();
        let at = self.lp.next(master.end_at)?;
        Some(self.slot(at, master_id, &master))
    }

    fn next_slot(&self, slot: &Slot, master_id: StreamId) -> Option<Slot> {
        let at = self.lp.next(slot.count_at)?;
        Some(self.slot(at, master_id, &self.master()))
    }

    /// The entry ending at the lp-count at `count_at`, or `None` at the master entry's 0.
    fn slot_ending(&self, count_at: usize, master_id: StreamId) -> Option<Slot> {
        let span = self.lp.get_int(count_at);
        if span == 0 {
            return None;
        }
        let mut at = count_at;
        for _ in 0..span {
            at = self.lp.prev(at)?;
        }
        Some(self.slot(at, master_id, &self.master()))
    }

    fn last_slot(&self, master_id: StreamId) -> Option<Slot> {
        self.slot_ending(self.lp.last()?, master_id)
    }

    fn prev_slot(&self, slot: &Slot, master_id: StreamId) -> Option<Slot> {
        self.slot_ending(self.lp.prev(slot.flags_at)?, master_id)
    }

    /// The entry's fields and values, alternating, as a client reads them.
    fn fields(&self, slot: &Slot) -> Vec<Vec<u8>> {
        let mut out = Vec::with_capacity(slot.fields as usize * 2);
        let mut value_at = slot.data_at;
        let mut name_at = (slot.flags & FLAG_SAMEFIELDS != 0).then(|| self.master().fields_at);
        for _ in 0..slot.fields {
            let name = match &mut name_at {
                Some(at) => {
                    let name = self.lp.get(*at);
                    *at = self.next(*at);
                    name
                }
                None => {
                    let name = self.lp.get(value_at);
                    value_at = self.next(value_at);
                    name
                }
            };
            out.push(name.to_bytes());
            out.push(self.lp.get(value_at).to_bytes());
            value_at = self.next(value_at);
        }
        out
    }

    /// Marks an entry deleted, without touching the counters.
    fn flag_deleted(&mut self, slot: &Slot) {
        self.replace_int(slot.flags_at, slot.flags | FLAG_DELETED);
    }

    /// Moves `n` entries from the live count to the deleted one.
    fn count_deleted(&mut self, n: i64) {
        let live = self.live();
        self.replace_int(crate::listpack::HEADER_SIZE, live - n);
        let deleted_at = self.next(crate::listpack::HEADER_SIZE);
        let deleted = self.lp.get_int(deleted_at);
        self.replace_int(deleted_at, deleted + n);
    }
}

// --- The stream ------------------------------------------------------------------------------------

/// `stream-node-max-bytes` and `stream-node-max-entries`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeLimits {
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for NodeLimits {
    fn default() -> NodeLimits {
        NodeLimits {
            max_bytes: 4096,
            max_entries: 100,
        }
    }
}

/// How XADD asks for the new entry's ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewId {
    /// `*`: from the clock (Unix ms).
    Auto(u64),
    /// `ms-*`: the sequence is chosen.
    Ms(u64),
    /// `ms-seq`.
    Exact(StreamId),
}

/// Why XADD could not append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not above the stream's last one.
    NotGreater,
    /// The fields and values are too large, or `ms-*` found the millisecond's sequences used
    /// up (Redis reports both alike).
    TooLarge,
}

/// What a trim keeps (XADD's and XTRIM's MAXLEN and MINID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

/// One entry as read: its ID and its fields and values, alternating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: StreamId,
    pub fields: Vec<Vec<u8>>,
}

/// A stream: its nodes, its bookkeeping, its consumer groups.
#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    nodes: IdRax<Node>,
    length: u64,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_entry_id: StreamId,
    entries_added: u64,
    groups: BTreeMap<Vec<u8>, Group>,
    /// The nodes' allocations summed, for `used_memory` at O(1).
    alloc: usize,
}

impl Default for Stream {
    fn default() -> Stream {
        Stream::new()
    }
}

impl Stream {
    /// An empty stream (XGROUP CREATE ... MKSTREAM makes one).
    pub fn new() -> Stream {
        Stream {
            nodes: IdRax::default(),
            length: 0,
            last_id: StreamId::MIN,
            first_id: StreamId::MIN,
            max_deleted_entry_id: StreamId::MIN,
            entries_added: 0,
            groups: BTreeMap::new(),
            alloc: 0,
        }
    }

    /// Live entries (XLEN).
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The last ID generated or set (`last-generated-id`), whether or not its entry remains.
    pub fn last_id(&self) -> StreamId {
        self.last_id
    }

    /// The first live entry's ID as last recorded (`recorded-first-entry-id`), 0-0 when empty.
    pub fn first_id(&self) -> StreamId {
        self.first_id
    }

    /// The highest ID XDEL removed (`max-deleted-entry-id`).
    pub fn max_deleted_entry_id(&self) -> StreamId {
        self.max_deleted_entry_id
    }

    /// Entries ever added (`entries-added`).
    pub fn entries_added(&self) -> u64 {
        self.entries_added
    }

    /// Nodes (`radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes of the radix tree holding the nodes (`radix-tree-nodes`).
    pub fn rax_nodes(&self) -> usize {
        self.nodes.nodes()
    }

    /// What that tree's nodes allocate.
    pub fn rax_allocated(&self) -> usize {
        self.nodes.allocated()
    }

    /// The nodes' allocations, each with its master ID, in order.
    pub fn node_allocations(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.nodes.iter().map(|(_, node)| node.alloc)
    }

    /// Each node's master ID and live entries, in order: a reader after the entry at a
    /// position (the page's inspector) skips whole nodes instead of reading every entry.
    pub fn node_lengths(&self) -> impl Iterator<Item = (StreamId, u64)> + '_ {
        self.nodes
            .iter()
            .map(|(id, node)| (*id, node.live().max(0) as u64))
    }

    /// The nodes' allocations summed.
    pub fn allocated(&self) -> usize {
        self.alloc
    }

    /// The nodes as the RDB saves them: master ID and listpack bytes.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = (StreamId, &[u8])> {
        self.nodes.iter().map(|(id, node)| (*id, node.bytes()))
    }

    /// A copy as COPY makes it (`streamDup`): every node allocated to fit.
    pub fn duplicate(&self) -> Stream {
        let mut copy = self.clone();
        let mut alloc = 0;
        for (_, node) in copy.nodes.map.iter_mut() {
            node.alloc = jemalloc(node.lp.total_bytes());
            alloc += node.alloc;
        }
        copy.alloc = alloc;
        copy
    }

    /// Sets what XSETID sets: the last ID, and when given, the entries added and the highest
    /// deleted ID (the caller has checked them against the stream, as Redis does).
    pub fn set_id(&mut self, last_id: StreamId, entries_added: Option<u64>, max_deleted: StreamId) {
        self.last_id = last_id;
        if let Some(added) = entries_added {
            self.entries_added = added;
        }
        if !max_deleted.is_zero() {
            self.max_deleted_entry_id = max_deleted;
        }
    }

    // --- Appending ---------------------------------------------------------------------------

    /// Appends an entry (`streamAppendItem`): `fields` are its fields and values alternating.
    /// The new ID, or why there is none. Node bounds as described at the top of this file.
    pub fn append(
        &mut self,
        fields: &[Vec<u8>],
        id: NewId,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let last = self.last_id;
        let id = match id {
            NewId::Auto(now) if now > last.ms => StreamId::new(now, 0),
            NewId::Auto(_) => last.incr().unwrap_or(StreamId::MIN),
            NewId::Ms(ms) if ms == last.ms => last.incr().filter(|id| id.ms == ms).ok_or(
                // Redis leaves errno as it was here, which in practice reads as too large.
                AppendError::TooLarge,
            )?,
            NewId::Ms(ms) => StreamId::new(ms, 0),
            NewId::Exact(id) => id,
        };
        if id <= last {
            return Err(AppendError::NotGreater);
        }
        let raw: usize = fields.iter().map(Vec::len).sum();
        if raw > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let numfields = (fields.len() / 2) as i64;
        let max_bytes = match usize::try_from(limits.max_bytes) {
            Ok(0) | Err(_) => LISTPACK_MAX_SIZE,
            Ok(n) => n.min(LISTPACK_MAX_SIZE),
        };
        // The tail node, unless it is full: then it is shrunk to fit and a new one opens.
        let tail = self.nodes.last().map(|(master, _)| *master);
        let open = tail.filter(|master| {
            let node = &self.nodes.map[master];
            let full = node.lp.total_bytes() + raw >= max_bytes
                || (limits.max_entries != 0
                    && (node.live() + node.deleted()) as u64 >= limits.max_entries);
            !full
        });
        if let (Some(master), None) = (tail, open) {
            let node = self.nodes.map.get_mut(&master).expect("the tail node");
            self.alloc -= node.alloc;
            node.shrink_to_fit();
            self.alloc += node.alloc;
        }
        let master_id = match open {
            Some(master) => master,
            None => {
                let prealloc = match usize::try_from(limits.max_bytes) {
                    Ok(n @ 1..MAX_PREALLOCATE) => n,
                    _ => MAX_PREALLOCATE,
                };
                let node = Node {
                    lp: Listpack::new(),
                    alloc: jemalloc(prealloc.max(crate::listpack::HEADER_SIZE + 1)),
                };
                self.alloc += node.alloc;
                self.nodes.insert(id, node);
                id
            }
        };
        let node = self
            .nodes
            .map
            .get_mut(&master_id)
            .expect("the node written");
        self.alloc -= node.alloc;
        let before = node.lp.total_bytes();
        let same = match open {
            Some(_) => {
                let same = node.master_fields_equal(fields);
                let live = node.live();
                node.lp.replace_int(crate::listpack::HEADER_SIZE, live + 1);
                same
            }
            None => {
                // The master entry: one entry, none deleted, the first entry's field names.
                node.lp.push_int(1);
                node.lp.push_int(0);
                node.lp.push_int(numfields);
                for name in fields.iter().step_by(2) {
                    node.lp.push(name);
                }
                node.lp.push_int(0);
                true
            }
        };
        let lp = &mut node.lp;
        lp.push_int(if same { FLAG_SAMEFIELDS } else { 0 });
        lp.push_int(id.ms.wrapping_sub(master_id.ms) as i64);
        lp.push_int(id.seq.wrapping_sub(master_id.seq) as i64);
        if !same {
            lp.push_int(numfields);
        }
        for pair in fields.chunks(2) {
            if !same {
                lp.push(&pair[0]);
            }
            lp.push(&pair[1]);
        }
        let span = 3 + numfields + if same { 0 } else { numfields + 1 };
        lp.push_int(span);
        // Every step above grew the listpack: one reallocation rule covers them all.
        node.resized(before);
        self.alloc += node.alloc;
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    // --- Reading -----------------------------------------------------------------------------

    /// The live entries from `start` to `end`, both included, in order or (`rev`) newest
    /// first (`streamIteratorStart`).
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Range<'_> {
        Range::new(self, start, end, rev, true)
    }

    /// The live entry with this ID (`streamEntryExists`, and the entry itself).
    pub fn get(&self, id: StreamId) -> Option<Entry> {
        self.range(id, id, false).next()
    }

    /// The ID of the first or last entry, tombstones included or not (`streamGetEdgeID`): when
    /// there is none, the highest ID for the first and 0-0 for the last, as Redis answers.
    pub fn edge_id(&self, first: bool, skip_tombstones: bool) -> StreamId {
        let found = Range::new(self, StreamId::MIN, StreamId::MAX, !first, skip_tombstones)
            .next_slot()
            .map(|(_, _, slot)| slot.id);
        found.unwrap_or(if first { StreamId::MAX } else { StreamId::MIN })
    }

    /// The last live entry's ID (`streamLastValidID`).
    pub fn last_entry_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true)
            .next_slot()
            .map(|(_, _, slot)| slot.id)
    }

    // --- Deleting and trimming ---------------------------------------------------------------

    /// Deletes one live entry (`streamDeleteItem`), true when there was one; the caller keeps
    /// `first_id` and the highest deleted ID as XDEL does ([`Stream::deleted`]).
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((master, _, slot)) = self.range(id, id, false).next_slot() else {
            return false;
        };
        let node = self.nodes.map.get_mut(&master).expect("the node read");
        self.alloc -= node.alloc;
        node.flag_deleted(&slot);
        if node.live() == 1 {
            self.nodes.remove(&master);
        } else {
            node.count_deleted(1);
            self.alloc += node.alloc;
        }
        self.length -= 1;
        true
    }

    /// XDEL's bookkeeping after deleting `ids` (those it found): the highest deleted ID rises,
    /// and the first ID is found again when the first entry went.
    pub fn deleted(&mut self, ids: &[StreamId]) {
        let first_gone = ids.contains(&self.first_id);
        for &id in ids {
            self.max_deleted_entry_id = self.max_deleted_entry_id.max(id);
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if first_gone {
            self.first_id = self.edge_id(true, true);
        }
    }

    /// Trims from the head (`streamTrim`), answering how many entries went. `approx` removes
    /// whole nodes only, stopping at the first that cannot go whole; `limit` (0: none) caps
    /// the entries removed, never splitting a node. An exact trim then flags entries of the
    /// node where it stopped as deleted.
    pub fn trim(&mut self, trim: Trim, approx: bool, limit: u64) -> u64 {
        let mut deleted: u64 = 0;
        while let Some((&master, node)) = self.nodes.first() {
            if let Trim::MaxLen(max) = trim {
                if self.length <= max {
                    break;
                }
            }
            let entries = node.live().max(0) as u64;
            if limit != 0 && deleted + entries > limit {
                break;
            }
            let remove_node = match trim {
                Trim::MaxLen(max) => self.length - entries >= max,
                Trim::MinId(min) => node
                    .lp
                    .last()
                    .and_then(|at| node.slot_ending(at, master))
                    .is_some_and(|last| last.id < min),
            };
            if remove_node {
                let node = self.nodes.remove(&master).expect("the first node");
                self.alloc -= node.alloc;
                self.length -= entries;
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            deleted += self.trim_within(master, trim);
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.edge_id(true, true);
        }
        deleted
    }

    /// Flags the first node's entries deleted while the trim asks for it.
    fn trim_within(&mut self, master: StreamId, trim: Trim) -> u64 {
        let node = self.nodes.map.get_mut(&master).expect("the first node");
        self.alloc -= node.alloc;
        let mut removed = 0;
        let mut slot = node.first_slot(master);
        while let Some(current) = slot {
            let stop = match trim {
                Trim::MaxLen(max) => self.length <= max,
                Trim::MinId(min) => current.id >= min,
            };
            if stop {
                break;
            }
            if !current.deleted() {
                node.flag_deleted(&current);
                removed += 1;
                self.length -= 1;
            }
            // Flagging keeps every position: the flags' encoding does not change width.
            slot = node.next_slot(&current, master);
        }
        node.count_deleted(removed as i64);
        self.alloc += node.alloc;
        removed
    }

    // --- Consumer groups' reckoning ----------------------------------------------------------

    /// Whether a tombstone may lie between `start` and the end (`streamRangeHasTombstones`),
    /// judged from the highest deleted ID alone.
    fn has_tombstones_from(&self, start: StreamId) -> bool {
        let max = self.max_deleted_entry_id;
        self.length != 0 && !max.is_zero() && self.first_id <= max && start <= max
    }

    /// How many entries came before and at `id` since the stream began, when that can be
    /// known (`streamEstimateDistanceFromFirstEverEntry`): at the last ID, before the first
    /// entry or at it with no tombstone since, or in a stream that never had entries. Redis's
    /// counters are signed (`long long`), and so are these.
    fn distance_from_first_ever(&self, id: StreamId) -> Option<i64> {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.length == 0 && id <= self.last_id {
            return Some(added);
        }
        if id == self.last_id {
            return Some(added);
        }
        if id > self.last_id {
            return None;
        }
        let max = self.max_deleted_entry_id;
        if max.is_zero() || max < self.first_id {
            let before = added.wrapping_sub(self.length as i64);
            if id < self.first_id {
                return Some(before);
            }
            if id == self.first_id {
                return Some(before.wrapping_add(1));
            }
        }
        None
    }

    /// A group's lag: entries added and not yet read by it, when that can be known
    /// (`streamReplyWithCGLag`). Negative when the group's counter was set past the stream's.
    pub fn lag(&self, group: &Group) -> Option<i64> {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return Some(0);
        }
        if let Some(read) = group.entries_read() {
            if !self.has_tombstones_from(group.last_id) {
                return Some(added.wrapping_sub(read));
            }
        }
        self.distance_from_first_ever(group.last_id)
            .map(|read| added.wrapping_sub(read))
    }

    // --- Consumer groups ---------------------------------------------------------------------

    /// The groups, by name.
    pub fn groups(&self) -> impl Iterator<Item = (&[u8], &Group)> {
        self.groups.iter().map(|(name, g)| (name.as_slice(), g))
    }

    pub fn group(&self, name: &[u8]) -> Option<&Group> {
        self.groups.get(name)
    }

    pub(crate) fn group_mut(&mut self, name: &[u8]) -> Option<&mut Group> {
        self.groups.get_mut(name)
    }

    /// Creates a group (`streamCreateCG`); false when the name is taken. `entries_read` is
    /// Redis's counter, -1 when unknown.
    pub fn create_group(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        if self.groups.contains_key(name) {
            return false;
        }
        self.groups
            .insert(name.to_vec(), Group::new(last_id, entries_read));
        true
    }

    /// Removes a group; false when there was none.
    pub fn destroy_group(&mut self, name: &[u8]) -> bool {
        self.groups.remove(name).is_some()
    }

    /// Hands a group's new entries to a consumer (`streamReplyWithRange` with a group): the
    /// entries from `start` on, up to `count` (0: all). The group's last ID and read counter
    /// follow each entry past its last ID; unless `noack`, each entry joins the PEL, owned
    /// by `consumer` (taken from its previous owner, if another had it). The consumer must
    /// exist.
    pub fn deliver(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        count: usize,
        noack: bool,
        now: i64,
    ) -> Delivery {
        let entries: Vec<Entry> = {
            let range = self.range(start, StreamId::MAX, false);
            if count == 0 {
                range.collect()
            } else {
                range.take(count).collect()
            }
        };
        let mut delivery = Delivery {
            claims: Vec::with_capacity(if noack { 0 } else { entries.len() }),
            last_id_moved: false,
            entries: Vec::new(),
        };
        for entry in &entries {
            let id = entry.id;
            let tombstones = self.has_tombstones_from(id);
            let distance = self.distance_from_first_ever(id);
            let added = self.entries_added;
            let Some(g) = self.groups.get_mut(group) else {
                break;
            };
            if id > g.last_id {
                if g.entries_read != ENTRIES_READ_UNKNOWN && !tombstones {
                    g.entries_read = g.entries_read.wrapping_add(1);
                } else if added != 0 {
                    g.entries_read = distance.unwrap_or(ENTRIES_READ_UNKNOWN);
                }
                g.last_id = id;
                delivery.last_id_moved |= noack;
            }
            if !noack {
                let group_last_id = g.last_id;
                let nack = g.assign(id, consumer, now, |_| 1);
                delivery.claims.push(Claim {
                    id,
                    consumer: nack.consumer.clone(),
                    delivery_time: nack.delivery_time,
                    delivery_count: nack.delivery_count,
                    group_last_id,
                });
            }
        }
        delivery.entries = entries;
        delivery
    }

    /// A consumer's own pending entries from `start` on, up to `count` (0: all), each
    /// delivered again (`streamReplyWithRangeFromConsumerPEL`): an entry that no longer
    /// exists comes back as its ID alone.
    pub fn deliver_history(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        count: usize,
        now: i64,
    ) -> Vec<(StreamId, Option<Vec<Vec<u8>>>)> {
        let ids: Vec<StreamId> = self
            .group(group)
            .and_then(|g| g.consumers.get(consumer))
            .map(|c| {
                let ids = c.pel.range_from(start).map(|(id, _)| *id);
                if count == 0 {
                    ids.collect()
                } else {
                    ids.take(count).collect()
                }
            })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let entry = self.get(id);
            if entry.is_some() {
                if let Some(nack) = self.group_mut(group).and_then(|g| g.pel.get_mut(&id)) {
                    nack.delivery_time = now;
                    nack.delivery_count += 1;
                }
            }
            out.push((id, entry.map(|e| e.fields)));
        }
        out
    }
}

// --- Loading ---------------------------------------------------------------------------------------

/// What the RDB holds of a stream besides its nodes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamMeta {
    pub length: u64,
    pub last_id: StreamId,
    /// `None` in the older format (RDB type 15): found from the entries.
    pub first_id: Option<StreamId>,
    pub max_deleted_entry_id: StreamId,
    /// `None` in the older format: the length.
    pub entries_added: Option<u64>,
}

/// A consumer group as the RDB holds it: name, last ID, read counter (`None` in the older
/// format: estimated), PEL (ID, delivery time, delivery count), consumers (name, seen time,
/// their pending IDs).
pub(crate) struct GroupRecord {
    pub name: Vec<u8>,
    pub last_id: StreamId,
    pub entries_read: Option<i64>,
    pub pel: Vec<(StreamId, i64, u64)>,
    pub consumers: Vec<(Vec<u8>, i64, Vec<StreamId>)>,
}

/// A PEL entry as read from the RDB: its delivery time and count, then its owner once a
/// consumer's list names it.
type LoadedNack = (i64, u64, Option<Arc<[u8]>>);

impl Stream {
    /// A stream from the RDB's nodes and bookkeeping. Every node is checked entry by entry
    /// (see [`Node::check`]) and the nodes against each other and the length, so that a
    /// stream read from anywhere is one this module could have built; `None` otherwise.
    pub(crate) fn from_rdb(nodes: Vec<(StreamId, Vec<u8>)>, meta: StreamMeta) -> Option<Stream> {
        let mut stream = Stream::new();
        let mut live = 0u64;
        let mut previous: Option<StreamId> = None;
        for (master, bytes) in nodes {
            let node = Node::fitted(Listpack::from_bytes(bytes)?);
            let (node_live, first, last) = node.check(master)?;
            if previous.is_some_and(|p| first <= p) {
                return None;
            }
            previous = Some(last);
            live = live.checked_add(node_live)?;
            stream.alloc += node.alloc;
            stream.nodes.insert(master, node);
        }
        if live != meta.length {
            return None;
        }
        stream.length = meta.length;
        stream.last_id = meta.last_id;
        stream.max_deleted_entry_id = meta.max_deleted_entry_id;
        stream.entries_added = meta.entries_added.unwrap_or(meta.length);
        stream.first_id = match meta.first_id {
            Some(id) => id,
            None if meta.length == 0 => StreamId::MIN,
            None => stream.edge_id(true, true),
        };
        Some(stream)
    }

    /// Adds a group read from the RDB; the reason when it is inconsistent (a duplicate name,
    /// PEL entry or consumer, a consumer's entry missing from the group's PEL, or a PEL entry
    /// no consumer owns, which Redis only checks under deep sanitization but could not serve).
    pub(crate) fn load_group(&mut self, record: GroupRecord) -> Result<(), &'static str> {
        if self.groups.contains_key(&record.name) {
            return Err("a duplicated consumer group name");
        }
        let entries_read = match record.entries_read {
            Some(read) => read,
            None => self
                .distance_from_first_ever(record.last_id)
                .unwrap_or(ENTRIES_READ_UNKNOWN),
        };
        let mut group = Group::new(record.last_id, entries_read);
        let mut pending: BTreeMap<StreamId, LoadedNack> = BTreeMap::new();
        for (id, time, count) in record.pel {
            if pending.insert(id, (time, count, None)).is_some() {
                return Err("a duplicated PEL entry");
            }
        }
        for (name, seen_time, ids) in record.consumers {
            let owner: Arc<[u8]> = name.as_slice().into();
            let mut consumer = Consumer {
                name: owner.clone(),
                seen_time,
                pel: IdRax::default(),
            };
            for id in ids {
                let slot = pending
                    .get_mut(&id)
                    .ok_or("a consumer's entry missing from the group's PEL")?;
                if slot.2.is_some() {
                    return Err("a PEL entry owned twice");
                }
                slot.2 = Some(owner.clone());
                consumer.pel.insert(id, ());
            }
            if group.consumers.insert(name, consumer).is_some() {
                return Err("a duplicated consumer");
            }
        }
        for (id, (delivery_time, delivery_count, owner)) in pending {
            let consumer = owner.ok_or("a PEL entry without a consumer")?;
            group.pel.insert(
                id,
                Nack {
                    consumer,
                    delivery_time,
                    delivery_count,
                },
            );
        }
        self.groups.insert(record.name, group);
        Ok(())
    }
}

impl Node {
    /// Checks a node read from outside as Redis's deep `streamValidateListpackIntegrity` does
    /// (the master entry, then each entry's flags, ID, fields, values and lp-count, and
    /// nothing after), and further what Redis's own nodes always satisfy and reading them here
    /// relies on: counts that match the flags, a first entry at the master ID, and IDs that
    /// rise. The live entries and the first and last IDs, tombstones included.
    fn check(&self, master: StreamId) -> Option<(u64, StreamId, StreamId)> {
        let lp = &self.lp;
        let int = |at: Option<usize>| -> Option<(i64, usize)> {
            let at = at?;
            Some((lp.get(at).as_int()?, at))
        };
        let (live, at) = int(lp.first())?;
        let (deleted, at) = int(lp.next(at))?;
        let (master_fields, mut at) = int(lp.next(at))?;
        if live < 0 || deleted < 0 || master_fields < 0 {
            return None;
        }
        for _ in 0..master_fields {
            at = lp.next(at)?;
        }
        let (zero, mut at) = int(lp.next(at))?;
        if zero != 0 {
            return None;
        }
        let (mut seen_live, mut seen_deleted) = (0i64, 0i64);
        let mut ids: Option<(StreamId, StreamId)> = None;
        for _ in 0..live.checked_add(deleted)? {
            let (flags, a) = int(lp.next(at))?;
            let (ms_delta, a) = int(lp.next(a))?;
            let (seq_delta, mut a) = int(lp.next(a))?;
            let (fields, span) = if flags & FLAG_SAMEFIELDS != 0 {
                (master_fields, 3 + master_fields)
            } else {
                let (fields, b) = int(lp.next(a))?;
                if fields < 0 {
                    return None;
                }
                a = b;
                for _ in 0..fields {
                    a = lp.next(a)?;
                }
                (fields, 4 + 2 * fields)
            };
            for _ in 0..fields {
                a = lp.next(a)?;
            }
            let (lp_count, a) = int(lp.next(a))?;
            if lp_count != span {
                return None;
            }
            let id = StreamId {
                ms: master.ms.wrapping_add(ms_delta as u64),
                seq: master.seq.wrapping_add(seq_delta as u64),
            };
            ids = match ids {
                None if id == master => Some((id, id)),
                Some((first, last)) if id > last => Some((first, id)),
                _ => return None,
            };
            if flags & FLAG_DELETED != 0 {
                seen_deleted += 1;
            } else {
                seen_live += 1;
            }
            at = a;
        }
        if lp.next(at).is_some() || seen_live != live || seen_deleted != deleted {
            return None;
        }
        let (first, last) = ids?;
        Some((live as u64, first, last))
    }
}

/// What [`Stream::deliver`] did.
#[derive(Clone, Debug, Default)]
pub struct Delivery {
    pub entries: Vec<Entry>,
    /// The PEL entries created or taken over, as they now stand: each is propagated.
    pub claims: Vec<Claim>,
    /// With NOACK, the group's last ID moved: it is propagated on its own.
    pub last_id_moved: bool,
}

/// A PEL entry as propagated (an XCLAIM that recreates it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub id: StreamId,
    pub consumer: Arc<[u8]>,
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// The group's last ID once the entry was delivered.
    pub group_last_id: StreamId,
}

// --- Ranges ------------------------------------------------------------------------------------

/// Entries of a stream in ID order or reverse, between two IDs (`streamIterator`).
pub struct Range<'a> {
    nodes: btree_map::Range<'a, StreamId, Node>,
    /// The node being read, and the last entry looked at in it.
    current: Option<(StreamId, &'a Node, Slot)>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    skip_tombstones: bool,
    done: bool,
}

impl<'a> Range<'a> {
    fn new(
        stream: &'a Stream,
        start: StreamId,
        end: StreamId,
        rev: bool,
        skip_tombstones: bool,
    ) -> Range<'a> {
        let map = &stream.nodes.map;
        // The node that may hold the first ID wanted: the last one opened at or before it.
        let seek = if rev { end } else { start };
        let from = map.range(..=seek).next_back().map(|(id, _)| *id);
        let (nodes, done) = match (rev, from) {
            (false, Some(from)) => (map.range(from..), false),
            (false, None) => (map.range(StreamId::MIN..), false),
            (true, Some(from)) => (map.range(..=from), false),
            (true, None) => (map.range(StreamId::MIN..StreamId::MIN), true),
        };
        Range {
            nodes,
            current: None,
            start,
            end,
            rev,
            skip_tombstones,
            done: done || start > end,
        }
    }

    /// The next entry in range: its node's master ID, the node, and where it is.
    fn next_slot(&mut self) -> Option<(StreamId, &'a Node, Slot)> {
        while !self.done {
            let (master, node, slot) = match self.current.take() {
                None => {
                    let next = if self.rev {
                        self.nodes.next_back()
                    } else {
                        self.nodes.next()
                    };
                    let Some((&master, node)) = next else {
                        self.done = true;
                        return None;
                    };
                    let slot = if self.rev {
                        node.last_slot(master)
                    } else {
                        node.first_slot(master)
                    };
                    (master, node, slot)
                }
                Some((master, node, slot)) => {
                    let next = if self.rev {
                        node.prev_slot(&slot, master)
                    } else {
                        node.next_slot(&slot, master)
                    };
                    (master, node, next)
                }
            };
            let Some(slot) = slot else {
                continue;
            };
            self.current = Some((master, node, slot));
            let wanted = !self.skip_tombstones || !slot.deleted();
            if self.rev {
                if slot.id <= self.end && wanted {
                    if slot.id < self.start {
                        self.done = true;
                        return None;
                    }
                    return Some((master, node, slot));
                }
            } else if slot.id >= self.start && wanted {
                if slot.id > self.end {
                    self.done = true;
                    return None;
                }
                return Some((master, node, slot));
            }
        }
        None
    }
}

impl Iterator for Range<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        let (_, node, slot) = self.next_slot()?;
        Some(Entry {
            id: slot.id,
            fields: node.fields(&slot),
        })
    }
}

impl Node {
    /// Whether `fields` (names and values alternating) has exactly the master entry's names.
    fn master_fields_equal(&self, fields: &[Vec<u8>]) -> bool {
        let master = self.master();
        if master.fields != (fields.len() / 2) as i64 {
            return false;
        }
        let mut at = master.fields_at;
        for name in fields.iter().step_by(2) {
            if !self.lp.get(at).eq_bytes(name) {
                return false;
            }
            at = self.next(at);
        }
        true
    }
}

// --- Groups --------------------------------------------------------------------------------------

/// A pending entry (Redis's `streamNACK`): its owner, when it was last delivered, and how many
/// times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nack {
    pub consumer: Arc<[u8]>,
    /// Unix ms.
    pub delivery_time: i64,
    pub delivery_count: u64,
}

/// A consumer of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Consumer {
    name: Arc<[u8]>,
    /// When it last read or claimed (Unix ms).
    seen_time: i64,
    pel: IdRax<()>,
}

impl Consumer {
    pub fn name(&self) -> &[u8] {
        &self.name
    }

    pub fn seen_time(&self) -> i64 {
        self.seen_time
    }

    /// Its pending entries' IDs, in order.
    pub fn pending(&self) -> impl Iterator<Item = StreamId> + '_ {
        self.pel.iter().map(|(id, _)| *id)
    }

    /// Its pending entries' IDs from `start` on.
    pub fn pending_from(&self, start: StreamId) -> impl Iterator<Item = StreamId> + '_ {
        self.pel.range_from(start).map(|(id, _)| *id)
    }

    pub fn pending_len(&self) -> usize {
        self.pel.len()
    }

    pub fn pel_rax_nodes(&self) -> usize {
        self.pel.nodes()
    }

    pub fn pel_rax_allocated(&self) -> usize {
        self.pel.allocated()
    }
}

/// A group's `entries_read` when it cannot be known (`SCG_INVALID_ENTRIES_READ`).
pub const ENTRIES_READ_UNKNOWN: i64 = -1;

/// A consumer group (Redis's `streamCG`).
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    last_id: StreamId,
    /// Redis's `entries_read`: signed, [`ENTRIES_READ_UNKNOWN`] when it cannot be known.
    entries_read: i64,
    pel: IdRax<Nack>,
    consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            pel: IdRax::default(),
            consumers: BTreeMap::new(),
        }
    }

    /// The last ID delivered (`last-delivered-id`).
    pub fn last_id(&self) -> StreamId {
        self.last_id
    }

    /// Entries read, when known (`entries-read`).
    pub fn entries_read(&self) -> Option<i64> {
        (self.entries_read != ENTRIES_READ_UNKNOWN).then_some(self.entries_read)
    }

    /// Redis's counter as it stands, -1 when unknown (what the RDB and XGROUP SETID carry).
    pub fn entries_read_raw(&self) -> i64 {
        self.entries_read
    }

    /// Sets the last ID and the read counter (XGROUP SETID).
    pub(crate) fn set_last_id(&mut self, last_id: StreamId, entries_read: i64) {
        self.last_id = last_id;
        self.entries_read = entries_read;
    }

    /// Raises the last ID, keeping the counter (XCLAIM's LASTID); true when it rose.
    pub(crate) fn raise_last_id(&mut self, last_id: StreamId) -> bool {
        let raised = last_id > self.last_id;
        if raised {
            self.last_id = last_id;
        }
        raised
    }

    /// The pending entries from `start` on, in order.
    pub fn pending_from(&self, start: StreamId) -> impl Iterator<Item = (StreamId, &Nack)> {
        self.pel.range_from(start).map(|(id, nack)| (*id, nack))
    }

    pub fn pending_len(&self) -> usize {
        self.pel.len()
    }

    pub fn pending_entry(&self, id: StreamId) -> Option<&Nack> {
        self.pel.get(&id)
    }

    /// The first and last pending IDs.
    pub fn pending_bounds(&self) -> Option<(StreamId, StreamId)> {
        Some((*self.pel.first()?.0, *self.pel.last()?.0))
    }

    pub fn pel_rax_nodes(&self) -> usize {
        self.pel.nodes()
    }

    pub fn pel_rax_allocated(&self) -> usize {
        self.pel.allocated()
    }

    /// The consumers, by name.
    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> {
        self.consumers.values()
    }

    pub fn consumer(&self, name: &[u8]) -> Option<&Consumer> {
        self.consumers.get(name)
    }

    pub fn consumers_len(&self) -> usize {
        self.consumers.len()
    }

    /// Creates a consumer seen now (`streamCreateConsumer`); false when it exists.
    pub(crate) fn create_consumer(&mut self, name: &[u8], now: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        let consumer = Consumer {
            name: name.into(),
            seen_time: now,
            pel: IdRax::default(),
        };
        self.consumers.insert(name.to_vec(), consumer);
        true
    }

    /// Marks a consumer seen now (`streamLookupConsumer`); false when there is none.
    pub(crate) fn touch_consumer(&mut self, name: &[u8], now: i64) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                c.seen_time = now;
                true
            }
            None => false,
        }
    }

    /// Deletes a consumer and its pending entries from the group's PEL; how many it had.
    pub(crate) fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for (id, _) in consumer.pel.iter() {
            self.pel.remove(id);
        }
        Some(consumer.pel.len())
    }

    /// Acknowledges an entry: out of the group's PEL and its owner's. False when not pending.
    pub(crate) fn ack(&mut self, id: StreamId) -> bool {
        self.drop_pending(id).is_some()
    }

    /// Removes a pending entry from both PELs.
    pub(crate) fn drop_pending(&mut self, id: StreamId) -> Option<Nack> {
        let nack = self.pel.remove(&id)?;
        if let Some(owner) = self.consumers.get_mut(&*nack.consumer) {
            owner.pel.remove(&id);
        }
        Some(nack)
    }

    /// Gives the entry `id` to `consumer` (which exists) as delivered at `time`, whether it
    /// was pending (with this owner or another) or not yet (XCLAIM's FORCE, a first delivery):
    /// out of its previous owner's PEL, into the consumer's. `count` sets the delivery count
    /// from the old one (1 for an entry not pending yet, as Redis creates a NACK with 1).
    /// The entry as it now stands.
    pub(crate) fn assign(
        &mut self,
        id: StreamId,
        consumer: &[u8],
        time: i64,
        count: impl FnOnce(u64) -> u64,
    ) -> &Nack {
        let old = self
            .pel
            .get(&id)
            .map(|n| (n.consumer.clone(), n.delivery_count));
        if let Some((previous, _)) = &old {
            if **previous != *consumer {
                if let Some(c) = self.consumers.get_mut(&**previous) {
                    c.pel.remove(&id);
                }
            }
        }
        let owner = match self.consumers.get_mut(consumer) {
            Some(c) => {
                if !c.pel.contains(&id) {
                    c.pel.insert(id, ());
                }
                c.name.clone()
            }
            None => consumer.into(),
        };
        let nack = Nack {
            consumer: owner,
            delivery_time: time,
            delivery_count: count(old.map_or(1, |(_, n)| n)),
        };
        match self.pel.get_mut(&id) {
            Some(existing) => *existing = nack,
            None => {
                self.pel.insert(id, nack);
            }
        }
        self.pel.get(&id).expect("just set")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<Vec<u8>> {
        pairs
            .iter()
            .flat_map(|(f, v)| [f.as_bytes().to_vec(), v.as_bytes().to_vec()])
            .collect()
    }

    fn ids(stream: &Stream, rev: bool) -> Vec<String> {
        stream
            .range(StreamId::MIN, StreamId::MAX, rev)
            .map(|e| e.id.to_string())
            .collect()
    }

    #[test]
    fn entries_read_back_both_ways_across_nodes() {
        let mut s = Stream::new();
        let limits = NodeLimits {
            max_bytes: 4096,
            max_entries: 3,
        };
        for i in 1..=10u64 {
            let f = if i % 4 == 0 {
                fields(&[("other", "x"), ("n", "1")])
            } else {
                fields(&[("n", &i.to_string())])
            };
            s.append(&f, NewId::Exact(StreamId::new(i, 0)), limits)
                .unwrap();
        }
        assert_eq!(s.node_count(), 4);
        assert_eq!(ids(&s, false).len(), 10);
        let mut back = ids(&s, true);
        back.reverse();
        assert_eq!(back, ids(&s, false));
        assert_eq!(
            s.get(StreamId::new(4, 0)).unwrap().fields,
            fields(&[("other", "x"), ("n", "1")])
        );
        let middle: Vec<_> = s
            .range(StreamId::new(3, 0), StreamId::new(6, 0), true)
            .map(|e| e.id.ms)
            .collect();
        assert_eq!(middle, [6, 5, 4, 3]);
    }

    #[test]
    fn ids_are_chosen_and_refused_as_redis_does() {
        let mut s = Stream::new();
        let limits = NodeLimits::default();
        let f = fields(&[("a", "1")]);
        assert_eq!(
            s.append(&f, NewId::Auto(100), limits),
            Ok(StreamId::new(100, 0))
        );
        assert_eq!(
            s.append(&f, NewId::Auto(90), limits),
            Ok(StreamId::new(100, 1))
        );
        assert_eq!(
            s.append(&f, NewId::Ms(100), limits),
            Ok(StreamId::new(100, 2))
        );
        assert_eq!(
            s.append(&f, NewId::Ms(50), limits),
            Err(AppendError::NotGreater)
        );
        assert_eq!(
            s.append(&f, NewId::Exact(StreamId::new(100, 2)), limits),
            Err(AppendError::NotGreater)
        );
        s.append(&f, NewId::Exact(StreamId::new(200, u64::MAX)), limits)
            .unwrap();
        assert_eq!(
            s.append(&f, NewId::Ms(200), limits),
            Err(AppendError::TooLarge)
        );
    }

    #[test]
    fn deletions_leave_tombstones_and_drop_empty_nodes() {
        let mut s = Stream::new();
        let limits = NodeLimits {
            max_bytes: 0,
            max_entries: 2,
        };
        for i in 1..=4 {
            s.append(
                &fields(&[("k", "v")]),
                NewId::Exact(StreamId::new(i, 0)),
                limits,
            )
            .unwrap();
        }
        assert!(s.delete(StreamId::new(1, 0)));
        assert!(!s.delete(StreamId::new(1, 0)));
        assert_eq!(s.node_count(), 2);
        assert!(s.delete(StreamId::new(2, 0)));
        assert_eq!(
            s.node_count(),
            1,
            "a node whose last live entry goes is dropped"
        );
        s.deleted(&[StreamId::new(1, 0), StreamId::new(2, 0)]);
        assert_eq!(s.first_id(), StreamId::new(3, 0));
        assert_eq!(s.max_deleted_entry_id(), StreamId::new(2, 0));
        assert_eq!(s.len(), 2);
    }

    /// Redis 7.0.15 itself crashes reading backwards (XREVRANGE, XINFO STREAM's last entry) a
    /// stream whose `stream-node-max-bytes` was lowered below its entries' size (an assertion
    /// in `lpFirst`), so no compat script can hold these replies to it: a node per entry
    /// (the limit at 1), opened under a lowered limit, and ranges that end before the first
    /// entry or start past the last.
    #[test]
    fn tiny_nodes_read_both_ways_and_ranges_outside_are_empty() {
        let mut s = Stream::new();
        let roomy = NodeLimits {
            max_bytes: 100,
            max_entries: 0,
        };
        let tiny = NodeLimits {
            max_bytes: 1,
            max_entries: 0,
        };
        let first = StreamId::new(4_703_169_020_270, 19_528);
        s.append(
            &fields(&[("b", "12345"), ("a", "1")]),
            NewId::Exact(first),
            roomy,
        )
        .unwrap();
        let long = "x".repeat(64);
        let second = StreamId::new(4_703_169_020_270, 89_528);
        let second_fields = fields(&[("x", "12345"), ("y", "1"), ("x", &long)]);
        s.append(&second_fields, NewId::Exact(second), tiny)
            .unwrap();
        for i in 1..=5 {
            s.append(
                &fields(&[("n", &i.to_string())]),
                NewId::Ms(first.ms + i),
                tiny,
            )
            .unwrap();
        }
        assert_eq!(s.node_count(), 7, "every entry opens a node of its own");
        assert_eq!(s.get(second).unwrap().fields, second_fields);
        let mut back = ids(&s, true);
        back.reverse();
        assert_eq!(back, ids(&s, false));
        let before = StreamId::new(2_319_740_360_991, 2);
        assert_eq!(
            s.range(StreamId::new(4_295_032_837, 0), before, true)
                .count(),
            0
        );
        assert_eq!(s.range(StreamId::MIN, before, false).count(), 0);
        let past = StreamId::new(first.ms + 6, 0);
        assert_eq!(s.range(past, StreamId::MAX, true).count(), 0);
        assert_eq!(s.range(past, StreamId::MAX, false).count(), 0);
        assert!(s.delete(second));
        assert_eq!(s.node_count(), 6, "a node whose only entry goes is dropped");
        assert_eq!(s.range(StreamId::MIN, StreamId::MAX, true).count(), 6);
    }

    #[test]
    fn approximate_trims_take_whole_nodes_only() {
        let mut s = Stream::new();
        for i in 1..=250 {
            s.append(
                &fields(&[("i", "x")]),
                NewId::Exact(StreamId::new(i, 0)),
                NodeLimits::default(),
            )
            .unwrap();
        }
        assert_eq!(s.trim(Trim::MaxLen(120), true, 0), 100);
        assert_eq!(s.len(), 150);
        assert_eq!(s.trim(Trim::MaxLen(120), false, 0), 30);
        assert_eq!(s.len(), 120);
        assert_eq!(s.node_count(), 2, "the exact trim flags, it does not drop");
        assert_eq!(s.first_id(), StreamId::new(131, 0));
    }

    /// Counts a rax's nodes the slow way: root, branching prefixes, their children, leaves.
    fn nodes_by_definition(keys: &[u128]) -> usize {
        let mut positions = std::collections::BTreeSet::new();
        positions.insert((0usize, 0u128));
        let prefix = |k: u128, d: usize| if d == 0 { 0 } else { k >> (128 - 8 * d) };
        for &k in keys {
            positions.insert((16, k));
            for d in 0..16 {
                let children: std::collections::BTreeSet<u128> = keys
                    .iter()
                    .filter(|&&o| prefix(o, d) == prefix(k, d))
                    .map(|&o| prefix(o, d + 1))
                    .collect();
                if children.len() > 1 {
                    positions.insert((d, prefix(k, d)));
                    positions.insert((d + 1, prefix(k, d + 1)));
                }
            }
        }
        if keys.is_empty() {
            return 1;
        }
        positions.len()
    }

    /// The tree of `keys` computed from scratch: nodes and allocations.
    fn shape_from_scratch(keys: &[u128]) -> (usize, usize) {
        let mut bytes: Vec<[u8; 16]> = keys.iter().map(|k| k.to_be_bytes()).collect();
        bytes.sort();
        let slices: Vec<&[u8]> = bytes.iter().map(|b| &b[..]).collect();
        rax_shape(&slices)
    }

    #[test]
    fn the_rax_shape_follows_its_keys() {
        let mut rax: IdRax<()> = IdRax::default();
        assert_eq!((rax.nodes(), rax.allocated()), (1, 8));
        let mut state = 7u64;
        let mut keys = Vec::new();
        for _ in 0..600 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // IDs close together, so that the tree branches at every depth of the ID's low
            // bytes, and whole subtrees come and go.
            let id = StreamId::new(1_700_000_000_000 + (state >> 52), (state >> 20) & 7);
            if rax.contains(&id) {
                rax.remove(&id);
                keys.retain(|&k| k != id.bits());
            } else {
                rax.insert(id, ());
                keys.push(id.bits());
            }
            if keys.len() % 16 == 0 {
                assert_eq!((rax.nodes(), rax.allocated()), shape_from_scratch(&keys));
            }
        }
        assert_eq!(rax.nodes(), nodes_by_definition(&keys));
        assert_eq!((rax.nodes(), rax.allocated()), shape_from_scratch(&keys));
        for id in keys.clone() {
            rax.remove(&StreamId::from_bits(id));
        }
        assert_eq!((rax.nodes(), rax.allocated()), (1, 8));
    }

    /// redis-server 7.0.15's `used_memory` grew by 2,267,504 bytes when one XREADGROUP after
    /// another delivered the 20,000 entries `1000-0`, `1000-1`, `1000-2`, `1001-0`... to one
    /// consumer: two trees of those IDs (the group's PEL and the consumer's, each grown from
    /// its empty root of 8 bytes) and 20,000 NACKs of 32 bytes.
    #[test]
    fn the_rax_allocations_are_redis_s() {
        let mut rax: IdRax<()> = IdRax::default();
        for i in 0..20_000 {
            rax.insert(StreamId::new(1000 + i / 3, i % 3), ());
        }
        assert_eq!(2 * (rax.allocated() - 8) + 32 * 20_000, 2_267_504);
        // Names: the root branches (a, b); "lic" then a branch (e, i) with the leaf "alice"
        // and "a" to the leaf "alicia"; "ob" to "bob", a key that goes on as "by" to "bobby".
        let names: [&[u8]; 4] = [b"alice", b"alicia", b"bob", b"bobby"];
        assert_eq!(rax_shape(&names).0, 9);
        assert_eq!(rax_shape(&[]), (1, 8));
    }
}
