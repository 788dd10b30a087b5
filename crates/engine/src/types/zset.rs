//! The sorted-set type (Redis's `t_zset.c` structures): members with scores, ordered by
//! (score, member bytes).
//!
//! # The ordered structure: a skip list with spans
//!
//! Sorted-set commands ask three kinds of question: *where is this member* (ZSCORE, ZRANK),
//! *what is at rank r* (ZRANGE 1000 1010), and *where does this score or lex range start*
//! (ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYLEX). Redis answers all three with two structures side by
//! side, and so do we:
//!
//! - a hash table from member to node (Redis's `dict`) for O(1) ZSCORE and membership;
//! - a skip list ordered by (score, member) for everything positional.
//!
//! A skip list is a sorted linked list with express lanes: every node is on level 0, and each
//! node also appears on level i+1 with probability 1/4 (Redis's `ZSKIPLIST_P`), up to 32
//! levels (`ZSKIPLIST_MAXLEVEL`). A search starts on the highest lane of a header node and
//! drops a level whenever the next node would overshoot, so it visits O(log n) nodes with
//! high probability. Unlike a balanced tree it needs no rotations, its insert and delete are
//! a handful of pointer updates, and level 0 is a doubly linked list that ranges walk in
//! either direction — which is why Redis chose it, and why we follow it.
//!
//! Rank comes from *spans*: each forward link also records how many level-0 steps it
//! jumps. Summing the spans of the links taken on the way down gives a node's rank, and
//! walking down while the running sum stays at most r finds the node of rank r:
//!
//! ```text
//! level 2  H ------------------------(3)-----------------> c ----(2)----> NIL
//! level 1  H ----(1)----> a ---------(2)-----------------> c -(1)-> d -(1)-> NIL
//! level 0  H -(1)-> a -(1)-> b -(1)-> c -(1)-> d -(1)-> e ... (spans in brackets)
//!          rank:    1        2        3        4        5
//! ```
//!
//! To find rank 4: level 2 jumps H→c (sum 3 ≤ 4), the next jump would reach 5; level 1 steps
//! c→d (sum 4): found, after three links instead of four steps. Inserting a node adds 1 to
//! the span of every link passing over it and splits the links it cuts; deleting does the
//! reverse. `insert` keeps, per level, both the last node before the new one (`update[i]`)
//! and that node's rank (`rank[i]`), so the new node's spans are differences of ranks.
//!
//! Nodes live in an arena (`Vec<Node>`, links are `u32` indexes, freed slots reused), so the
//! list is plain owned data: `Clone`, no `unsafe`, no reference counting. A node is one
//! 64-byte cache line with its score, the box of its member's bytes and its three lowest links:
//! on a million members most steps of a walk are cache misses, one per node when everything
//! a step reads is in that line. The few nodes taller than three levels keep the rest of their
//! links beside the arena, all of them in one flat array (a node's run of links at an offset,
//! freed runs reused by length): they are the ones at the top of every walk, and packed
//! together they stay cached, where a box per node, each in a page of its own among the
//! members' bytes, cost a cache and TLB miss at every step above the third level (perf put
//! two thirds of ZRANK's time on those reads).
//! Nodes of three levels and more (one in 16) have an arena of their own, so the nodes a
//! walk meets above its last two levels are packed in a few pages rather than spread over
//! the whole set's, as Redis's allocator packs its taller (larger) nodes by size class.
//! Node levels come from a small generator private to each sorted set: they only decide
//! speed, never a reply, so they need not draw from the engine's seeded generator that
//! scenarios replay.
//!
//! The member table holds only node slots (4 bytes each) and hashes the bytes the node keeps,
//! so a member is stored once. Beside it, `order` lists the nodes by position (insertion
//! order, a removal filled from the end), which ZRANDMEMBER and ZSCAN's cursor index in O(1).
//!
//! # Encodings
//!
//! Redis keeps small sorted sets as a *listpack* (a flat array of member, score pairs in
//! order) and converts to the skip list when a set grows past `zset-max-listpack-entries`
//! (128) members or receives a member longer than `zset-max-listpack-value` (64) bytes; it
//! never converts back by itself, but a STORE command's new set is built small-first and a
//! loaded one (RESTORE, DEBUG RELOAD) is made small again when it fits. [`SortedSet`] has the
//! same two forms, and is a listpack exactly when Redis's would be, for OBJECT ENCODING and
//! for the replies that tell them apart (ZSCAN's, and a listpack stores a score of -0 as 0).
//!
//! Our listpack ([`Listpack`]) is one [`Packed`] block of members each followed by its score,
//! grown to exactly what it holds: a whole score below 2^55 is its shortest two's-complement
//! bytes (none for 0), any other its eight `f64` bytes. A five-member set takes one block of
//! about sixty bytes where the skip list took a kilobyte. Two choices keep what a user sees
//! unchanged from the skip list's:
//!
//! - the block is in *member order*, the skip list's `order` (insertion order, a removal
//!   filled from the last member), not in score order as Redis's listpack is: ZRANDMEMBER's
//!   picks and the memory model's sampled positions index that order, and a conversion keeps
//!   it. So a question in score order sorts the members first (at most
//!   `zset-max-listpack-entries`, O(n log n) where Redis's walk is O(n)), and ZRANK and ZSCORE
//!   are one walk, as in Redis;
//! - range searches in a listpack walk the sorted members for the first one at or past the
//!   range's start, as Redis's listpack functions do, which for a lex range over mixed scores
//!   may differ from what a skip list's descent finds (as Redis's two encodings may).

use std::hash::{BuildHasher, RandomState};
use std::ops::Range;

use hashbrown::HashTable;

use crate::types::packed::{Entries, Packed};

/// Redis 7.0's default `zset-max-listpack-entries`.
pub const DEFAULT_MAX_LISTPACK_ENTRIES: usize = 128;
/// Redis 7.0's default `zset-max-listpack-value`.
pub const DEFAULT_MAX_LISTPACK_VALUE: usize = 64;

/// The thresholds of the listpack encoding, from the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListpackLimits {
    /// `zset-max-listpack-entries`
    pub max_entries: usize,
    /// `zset-max-listpack-value`
    pub max_value: usize,
}

impl Default for ListpackLimits {
    fn default() -> ListpackLimits {
        ListpackLimits {
            max_entries: DEFAULT_MAX_LISTPACK_ENTRIES,
            max_value: DEFAULT_MAX_LISTPACK_VALUE,
        }
    }
}

/// A range of the order: by score (ZRANGEBYSCORE's `(1 5`) or by member (ZRANGEBYLEX's
/// `[a (c`, meaningful when all scores are equal).
#[derive(Clone, Debug, PartialEq)]
pub enum ZRange {
    Score {
        min: f64,
        max: f64,
        /// `(min`: min itself excluded.
        min_exclusive: bool,
        max_exclusive: bool,
    },
    Lex {
        min: LexBound,
        max: LexBound,
    },
}

/// One end of a lex range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every member.
    MinusInfinity,
    /// `+`: above every member.
    PlusInfinity,
    /// `[member`
    Inclusive(Vec<u8>),
    /// `(member`
    Exclusive(Vec<u8>),
}

impl ZRange {
    /// Does (score, member) lie at or after the range's start?
    pub fn above_min(&self, score: f64, member: &[u8]) -> bool {
        match self {
            ZRange::Score {
                min, min_exclusive, ..
            } => {
                if *min_exclusive {
                    score > *min
                } else {
                    score >= *min
                }
            }
            ZRange::Lex { min, .. } => match min {
                LexBound::MinusInfinity => true,
                LexBound::PlusInfinity => false,
                LexBound::Inclusive(m) => member >= m.as_slice(),
                LexBound::Exclusive(m) => member > m.as_slice(),
            },
        }
    }

    /// Does (score, member) lie at or before the range's end?
    pub fn below_max(&self, score: f64, member: &[u8]) -> bool {
        match self {
            ZRange::Score {
                max, max_exclusive, ..
            } => {
                if *max_exclusive {
                    score < *max
                } else {
                    score <= *max
                }
            }
            ZRange::Lex { max, .. } => match max {
                LexBound::MinusInfinity => false,
                LexBound::PlusInfinity => true,
                LexBound::Inclusive(m) => member <= m.as_slice(),
                LexBound::Exclusive(m) => member < m.as_slice(),
            },
        }
    }

    /// Is the range empty whatever the set holds (min above max, or equal and excluded)?
    fn is_empty(&self) -> bool {
        match self {
            ZRange::Score {
                min,
                max,
                min_exclusive,
                max_exclusive,
            } => min > max || (min == max && (*min_exclusive || *max_exclusive)),
            ZRange::Lex { min, max } => {
                let key = |b: &LexBound| match b {
                    LexBound::MinusInfinity => (0, None, 0),
                    LexBound::Inclusive(m) => (1, Some(m.clone()), 1),
                    LexBound::Exclusive(m) => (1, Some(m.clone()), 0),
                    LexBound::PlusInfinity => (2, None, 0),
                };
                let ((a, am, ai), (b, bm, bi)) = (key(min), key(max));
                match (a, b) {
                    (2, _) | (_, 0) => true,
                    (1, 1) => am > bm || (am == bm && (ai == 0 || bi == 0)),
                    _ => false,
                }
            }
        }
    }

    /// Does the range hold (score, member)?
    pub fn contains(&self, score: f64, member: &[u8]) -> bool {
        self.above_min(score, member) && self.below_max(score, member)
    }
}

/// The highest level a node can have (Redis's `ZSKIPLIST_MAXLEVEL`).
const MAX_LEVEL: usize = 32;
/// A node reaches the next level with probability 1/4 (Redis's `ZSKIPLIST_P`): short lanes,
/// about 1.33 links per node.
const LEVEL_UP_ONE_IN: u64 = 4;
/// The null link.
const NIL: u32 = u32::MAX;
/// The header node's slot in the arena.
const HEAD: u32 = 0;
/// Nodes of this many levels and more live in the upper arena (one node in 16).
const UPPER_FROM_LEVEL: usize = 3;
/// The bit of a node's slot that says it is in the upper arena.
const UPPER: u32 = 1 << 31;

#[derive(Clone, Copy, Debug)]
struct Link {
    forward: u32,
    /// Level-0 steps this link jumps over.
    span: u32,
}

const NO_LINK: Link = Link {
    forward: NIL,
    span: 0,
};

/// Links kept inside a node: 63 nodes in 64 have no more than three levels.
const INLINE_LEVELS: usize = 3;

/// One member: 64 bytes, one cache line, holding everything a step of a search reads (the
/// score and the links of the three lowest levels) and the member's bytes, which the member
/// table and ties of scores read. The links of levels 4 and up, which one node in 64 has, are
/// in [`SkipList::tall`] (the header's in [`SkipList::head_tall`]): those few nodes are the
/// ones every search starts with, so they stay in the cache, while each of the many steps
/// near the bottom is one line read.
#[derive(Clone, Debug)]
#[repr(align(64))]
struct Node {
    member: Box<[u8]>,
    score: f64,
    backward: u32,
    /// The node's place in [`Zset::order`].
    position: u32,
    /// The offset in [`SkipList::tall`] of the links above the inline ones, or NIL.
    tall: u32,
    /// How many levels the node is on (1 to 32).
    level: u8,
    low: [Link; INLINE_LEVELS],
}

/// The skip list (Redis's `zskiplist`), nodes in two arenas.
#[derive(Clone, Debug)]
struct SkipList {
    /// Nodes of one or two levels.
    nodes: Vec<Node>,
    /// Arena slots of deleted nodes, for the next inserts.
    free: Vec<u32>,
    /// Nodes of three levels and more, the ones every walk starts with, packed together
    /// (their slots carry the `UPPER` bit) as Redis's allocator packs its taller nodes in
    /// size classes of their own: fewer pages, so fewer TLB misses near the top of a walk.
    upper: Vec<Node>,
    upper_free: Vec<u32>,
    /// The links of levels 4 and up of the nodes that have them, each node's run of
    /// `level - 3` links (lowest level first) at its `tall` offset.
    tall: Vec<Link>,
    /// Offsets of runs given back by deleted nodes, by run length (`tall_free[n - 1]`: runs
    /// of n links).
    tall_free: Vec<Vec<u32>>,
    /// The header's links of levels 4 and up, as many as the list has grown tall.
    head_tall: Vec<Link>,
    tail: u32,
    len: usize,
    /// Levels in use (the header's highest non-empty lane, at least 1).
    level: usize,
    level_state: u64,
}

impl SkipList {
    fn new() -> SkipList {
        // The header's lanes above the inline ones are added as the list grows tall enough
        // to use them: a small set has no tall links at all.
        let head = Node {
            member: Box::default(),
            score: 0.0,
            backward: NIL,
            position: NIL,
            tall: NIL,
            level: INLINE_LEVELS as u8,
            low: [NO_LINK; INLINE_LEVELS],
        };
        SkipList {
            nodes: vec![head],
            free: Vec::new(),
            upper: Vec::new(),
            upper_free: Vec::new(),
            tall: Vec::new(),
            tall_free: Vec::new(),
            head_tall: Vec::new(),
            tail: NIL,
            len: 0,
            level: 1,
            level_state: 0x853c_49e6_748f_ea9b,
        }
    }

    fn node(&self, at: u32) -> &Node {
        if at & UPPER == 0 {
            &self.nodes[at as usize]
        } else {
            &self.upper[(at & !UPPER) as usize]
        }
    }

    fn node_mut(&mut self, at: u32) -> &mut Node {
        if at & UPPER == 0 {
            &mut self.nodes[at as usize]
        } else {
            &mut self.upper[(at & !UPPER) as usize]
        }
    }

    fn link(&self, at: u32, level: usize) -> Link {
        let node = self.node(at);
        match level.checked_sub(INLINE_LEVELS) {
            None => node.low[level],
            Some(up) if at == HEAD => self.head_tall[up],
            Some(up) => self.tall[node.tall as usize + up],
        }
    }

    fn link_mut(&mut self, at: u32, level: usize) -> &mut Link {
        match level.checked_sub(INLINE_LEVELS) {
            None => &mut self.node_mut(at).low[level],
            Some(up) if at == HEAD => &mut self.head_tall[up],
            Some(up) => {
                let offset = self.node(at).tall as usize;
                &mut self.tall[offset + up]
            }
        }
    }

    /// Does the node at `at` come before (score, member) in the order?
    fn precedes(&self, at: u32, score: f64, member: &[u8]) -> bool {
        let n = self.node(at);
        n.score < score || (n.score == score && &*n.member < member)
    }

    fn random_level(&mut self) -> usize {
        let mut level = 1;
        while level < MAX_LEVEL && self.next_random().is_multiple_of(LEVEL_UP_ONE_IN) {
            level += 1;
        }
        level
    }

    /// xorshift64*: plenty for coin flips.
    fn next_random(&mut self) -> u64 {
        let mut x = self.level_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.level_state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32
    }

    /// The offset of a run of `count` empty links in `tall`.
    fn alloc_tall(&mut self, count: usize) -> u32 {
        match self.tall_free.get_mut(count - 1).and_then(Vec::pop) {
            Some(offset) => {
                self.tall[offset as usize..][..count].fill(NO_LINK);
                offset
            }
            None => {
                let offset = self.tall.len();
                self.tall.resize(offset + count, NO_LINK);
                offset as u32
            }
        }
    }

    /// Gives the header lanes up to `level`, keeping the ones it has.
    fn raise_head(&mut self, level: usize) {
        let head = self.node(HEAD);
        if level <= head.level as usize {
            return;
        }
        self.head_tall.resize(level - INLINE_LEVELS, NO_LINK);
        self.node_mut(HEAD).level = level as u8;
    }

    /// The last node before (score, member) on every level, and each one's rank.
    fn search(&self, score: f64, member: &[u8]) -> ([u32; MAX_LEVEL], [usize; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i + 1 == self.level { 0 } else { rank[i + 1] };
            loop {
                let link = self.link(x, i);
                if link.forward != NIL && self.precedes(link.forward, score, member) {
                    rank[i] += link.span as usize;
                    x = link.forward;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        (update, rank)
    }

    /// Inserts a member known to be absent, at a random level; returns its node's slot.
    /// `position` is its place in the member order.
    fn insert(&mut self, score: f64, member: Box<[u8]>, position: u32) -> u32 {
        let level = self.random_level();
        let tall = match level.checked_sub(INLINE_LEVELS) {
            Some(count) if count > 0 => self.alloc_tall(count),
            _ => NIL,
        };
        let node = Node {
            member,
            score,
            backward: NIL,
            position,
            tall,
            level: level as u8,
            low: [NO_LINK; INLINE_LEVELS],
        };
        let (arena, free, bit) = if level >= UPPER_FROM_LEVEL {
            (&mut self.upper, &mut self.upper_free, UPPER)
        } else {
            (&mut self.nodes, &mut self.free, 0)
        };
        let at = match free.pop() {
            Some(slot) => {
                arena[(slot & !UPPER) as usize] = node;
                slot
            }
            None => {
                arena.push(node);
                (arena.len() - 1) as u32 | bit
            }
        };
        self.link_in(at);
        at
    }

    /// Links the node at `at` (score, member and level set, links not) in its place in the
    /// order: the second half of Redis's `zslInsert`.
    fn link_in(&mut self, at: u32) {
        let node = self.node(at);
        let (score, level) = (node.score, node.level as usize);
        let (mut update, mut rank) = self.search(score, &node.member);
        if level > self.level {
            self.raise_head(level);
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                self.link_mut(HEAD, i).span = self.len as u32;
            }
            self.level = level;
        }
        for i in 0..level {
            let before = self.link(update[i], i);
            let jumped = (rank[0] - rank[i]) as u32;
            *self.link_mut(at, i) = Link {
                forward: before.forward,
                span: before.span - jumped,
            };
            *self.link_mut(update[i], i) = Link {
                forward: at,
                span: jumped + 1,
            };
        }
        for (i, &before) in update.iter().enumerate().take(self.level).skip(level) {
            self.link_mut(before, i).span += 1;
        }
        self.node_mut(at).backward = if update[0] == HEAD { NIL } else { update[0] };
        match self.link(at, 0).forward {
            NIL => self.tail = at,
            next => self.node_mut(next).backward = at,
        }
        self.len += 1;
    }

    /// Takes the node at `at` out of the order, leaving it in its slot (Redis's search for
    /// it, then `zslDeleteNode`).
    fn unlink(&mut self, at: u32) {
        let node = self.node(at);
        let (update, _) = self.search(node.score, &node.member);
        for (i, &before) in update.iter().enumerate().take(self.level) {
            let link = self.link(before, i);
            if link.forward == at {
                let gone = self.link(at, i);
                *self.link_mut(before, i) = Link {
                    forward: gone.forward,
                    span: link.span + gone.span - 1,
                };
            } else {
                self.link_mut(before, i).span -= 1;
            }
        }
        let backward = self.node(at).backward;
        match self.link(at, 0).forward {
            NIL => self.tail = backward,
            next => self.node_mut(next).backward = backward,
        }
        while self.level > 1 && self.link(HEAD, self.level - 1).forward == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Deletes the node at `at` and frees its slot.
    fn delete(&mut self, at: u32) {
        self.unlink(at);
        let node = self.node_mut(at);
        node.member = Box::default();
        let tall = std::mem::replace(&mut node.tall, NIL);
        if tall != NIL {
            let count = node.level as usize - INLINE_LEVELS;
            if self.tall_free.len() < count {
                self.tall_free.resize_with(count, Vec::new);
            }
            self.tall_free[count - 1].push(tall);
        }
        if at & UPPER == 0 {
            self.free.push(at);
        } else {
            self.upper_free.push(at);
        }
    }

    /// Gives the node at `at` a new score (Redis's `zslUpdateScore`): in place when its
    /// neighbours still enclose it, else taken out and linked in again where the new score
    /// belongs. It keeps its level, as the coin tosses that drew it do not depend on the
    /// score.
    fn update_score(&mut self, at: u32, score: f64) {
        let node = self.node(at);
        let after_backward = node.backward == NIL || self.node(node.backward).score < score;
        let forward = node.low[0].forward;
        let before_forward = forward == NIL || self.node(forward).score > score;
        if after_backward && before_forward {
            self.node_mut(at).score = score;
            return;
        }
        self.unlink(at);
        self.node_mut(at).score = score;
        self.link_in(at);
    }

    /// The 1-based rank of the node at `at`: the spans summed on the way down to it.
    fn rank(&self, at: u32) -> Option<usize> {
        let target = self.node(at);
        let (score, member) = (target.score, &*target.member);
        let mut x = HEAD;
        let mut rank = 0;
        for i in (0..self.level).rev() {
            loop {
                let link = self.link(x, i);
                if link.forward == at {
                    return Some(rank + link.span as usize);
                }
                // Only nodes strictly before the target are stepped onto, so the member's
                // bytes are read only when scores tie.
                if link.forward == NIL || !self.precedes(link.forward, score, member) {
                    break;
                }
                rank += link.span as usize;
                x = link.forward;
            }
        }
        None
    }

    /// The node of 1-based rank `rank`, or NIL.
    fn by_rank(&self, rank: usize) -> u32 {
        let mut x = HEAD;
        let mut traversed = 0;
        for i in (0..self.level).rev() {
            loop {
                let link = self.link(x, i);
                if link.forward != NIL && traversed + link.span as usize <= rank {
                    traversed += link.span as usize;
                    x = link.forward;
                } else {
                    break;
                }
            }
            if traversed == rank {
                return x;
            }
        }
        NIL
    }

    /// The 1-based rank of the first node inside `range`, walking down past every node
    /// before its start.
    fn first_in(&self, range: &ZRange) -> Option<usize> {
        let mut x = HEAD;
        let mut rank = 0;
        for i in (0..self.level).rev() {
            loop {
                let link = self.link(x, i);
                if link.forward == NIL {
                    break;
                }
                let n = self.node(link.forward);
                if range.above_min(n.score, &n.member) {
                    break;
                }
                rank += link.span as usize;
                x = link.forward;
            }
        }
        let first = self.link(x, 0).forward;
        (first != NIL && range.below_max(self.node(first).score, &self.node(first).member))
            .then_some(rank + 1)
    }

    /// The 1-based rank of the last node inside `range`.
    fn last_in(&self, range: &ZRange) -> Option<usize> {
        let mut x = HEAD;
        let mut rank = 0;
        for i in (0..self.level).rev() {
            loop {
                let link = self.link(x, i);
                if link.forward == NIL {
                    break;
                }
                let n = self.node(link.forward);
                if !range.below_max(n.score, &n.member) {
                    break;
                }
                rank += link.span as usize;
                x = link.forward;
            }
        }
        (x != HEAD && range.above_min(self.node(x).score, &self.node(x).member)).then_some(rank)
    }
}

/// A sorted-set value, in the encoding Redis 7.0 would hold it in (see the module's text).
#[derive(Clone, Debug)]
pub enum SortedSet {
    /// Members and scores packed in one block, in member order.
    Listpack(Listpack),
    /// Behind a pointer, so that the many small sets stay three words.
    Skiplist(Box<Zset>),
}

impl Default for SortedSet {
    fn default() -> SortedSet {
        SortedSet::new(true)
    }
}

impl PartialEq for SortedSet {
    /// Same members with the same scores, whatever the encoding.
    fn eq(&self, other: &SortedSet) -> bool {
        self.len() == other.len() && self.iter().all(|(m, s)| other.score(m) == Some(s))
    }
}

/// Iterates (member, score) along the order from a rank, forwards or backwards.
pub struct Iter<'a>(Walk<'a>);

enum Walk<'a> {
    Skiplist {
        list: &'a SkipList,
        at: u32,
        reverse: bool,
    },
    /// A listpack's members, sorted when the walk began.
    Listpack(std::vec::IntoIter<(&'a [u8], f64)>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Walk::Skiplist { list, at, reverse } => {
                if *at == NIL || *at == HEAD {
                    return None;
                }
                let node = list.node(*at);
                *at = if *reverse {
                    node.backward
                } else {
                    node.low[0].forward
                };
                Some((&*node.member, node.score))
            }
            Walk::Listpack(sorted) => sorted.next(),
        }
    }
}

/// Iterates (member, score) in member order (see [`SortedSet::positions`]).
pub struct Positions<'a>(InOrder<'a>);

enum InOrder<'a> {
    Skiplist {
        list: &'a SkipList,
        order: std::slice::Iter<'a, u32>,
    },
    Listpack(Entries<'a>),
}

impl<'a> Iterator for Positions<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            InOrder::Skiplist { list, order } => {
                let node = list.node(*order.next()?);
                Some((&*node.member, node.score))
            }
            InOrder::Listpack(entries) => {
                let (member, score) = (entries.next()?, entries.next()?);
                Some((member.bytes, decode_score(score.bytes)))
            }
        }
    }
}

impl SortedSet {
    /// An empty sorted set, a listpack or already a skip list.
    pub fn new(listpack: bool) -> SortedSet {
        if listpack {
            SortedSet::Listpack(Listpack::default())
        } else {
            SortedSet::Skiplist(Box::default())
        }
    }

    /// The empty set ZADD creates for a key whose first member is `first_member_len` bytes
    /// long: a skip list at once when listpacks are off or that member is already too long.
    pub fn for_first_member(first_member_len: usize, limits: ListpackLimits) -> SortedSet {
        SortedSet::new(limits.max_entries > 0 && first_member_len <= limits.max_value)
    }

    /// A set built afresh from `pairs` as the STORE commands build their destination: small
    /// enough ones are listpacks (Redis's `zsetConvertToListpackIfNeeded`).
    pub fn from_pairs<I>(pairs: I, limits: ListpackLimits) -> SortedSet
    where
        I: IntoIterator<Item = (Vec<u8>, f64)>,
    {
        let mut set = SortedSet::new(limits.max_entries > 0);
        for (member, score) in pairs {
            set.insert(&member, score, limits);
        }
        set
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            SortedSet::Listpack(listpack) => listpack.len(),
            SortedSet::Skiplist(zset) => zset.order.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        match self {
            SortedSet::Listpack(listpack) => listpack.block.is_empty(),
            SortedSet::Skiplist(zset) => zset.order.is_empty(),
        }
    }

    /// `listpack` or `skiplist`, as OBJECT ENCODING answers.
    pub fn encoding(&self) -> &'static str {
        match self {
            SortedSet::Listpack(_) => "listpack",
            SortedSet::Skiplist(_) => "skiplist",
        }
    }

    /// True while the set is a listpack (ZSCAN then answers in one call, in order).
    pub fn is_listpack(&self) -> bool {
        matches!(self, SortedSet::Listpack(_))
    }

    /// Turns a listpack into a skip list for good, as Redis's `zsetConvert` does to every
    /// sorted set SORT reads (its later replies, ZSCAN's and OBJECT ENCODING's, follow).
    pub fn convert_to_skiplist(&mut self) {
        if let SortedSet::Listpack(listpack) = self {
            let mut zset = Box::<Zset>::default();
            for (member, score) in listpack.positions() {
                zset.insert(member, score);
            }
            *self = SortedSet::Skiplist(zset);
        }
    }

    /// A member's score.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            SortedSet::Listpack(listpack) => listpack.find(member).map(|found| found.score),
            SortedSet::Skiplist(zset) => zset.score(member),
        }
    }

    /// Sets `member`'s score, adding it if absent; returns the score as stored and whether the
    /// member was added. Adding may turn a listpack into a skip list, as `zsetAdd` does (more
    /// than `max_entries` members, or a member longer than `max_value`).
    pub fn insert(&mut self, member: &[u8], score: f64, limits: ListpackLimits) -> (f64, bool) {
        let SortedSet::Listpack(listpack) = self else {
            let SortedSet::Skiplist(zset) = self else {
                unreachable!("two encodings")
            };
            return zset.insert(member, score);
        };
        // A listpack keeps a score of -0 as 0 (what Redis 7.0 answers afterwards), also when
        // this very member turns it into a skip list.
        let score = if score == 0.0 { 0.0 } else { score };
        if let Some(found) = listpack.find(member) {
            if found.score != score {
                listpack.set_score(found.score_span, score);
            }
            return (score, false);
        }
        if listpack.len() < limits.max_entries && member.len() <= limits.max_value {
            listpack.push(member, score);
        } else {
            self.convert_to_skiplist();
            if let SortedSet::Skiplist(zset) = self {
                zset.insert(member, score);
            }
        }
        (score, true)
    }

    /// Removes `member`; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            SortedSet::Listpack(listpack) => listpack.remove(member),
            SortedSet::Skiplist(zset) => zset.remove(member),
        }
    }

    /// A member's 0-based rank, counted from the lowest score, or from the highest when
    /// `reverse`.
    pub fn rank(&self, member: &[u8], reverse: bool) -> Option<usize> {
        let rank = match self {
            SortedSet::Listpack(listpack) => listpack.rank(member)?,
            SortedSet::Skiplist(zset) => zset.list.rank(zset.find(member)?)? - 1,
        };
        Some(if reverse { self.len() - 1 - rank } else { rank })
    }

    /// Members from 0-based rank `rank` on: towards higher scores, or when `reverse`, from the
    /// member of reverse rank `rank` towards lower ones.
    pub fn iter_from(&self, rank: usize, reverse: bool) -> Iter<'_> {
        match self {
            SortedSet::Listpack(listpack) => {
                let mut sorted = listpack.sorted();
                if reverse {
                    sorted.reverse();
                }
                sorted.drain(..rank.min(sorted.len()));
                Iter(Walk::Listpack(sorted.into_iter()))
            }
            SortedSet::Skiplist(zset) => {
                let len = zset.order.len();
                let at = if rank >= len {
                    NIL
                } else if reverse {
                    zset.list.by_rank(len - rank)
                } else {
                    zset.list.by_rank(rank + 1)
                };
                Iter(Walk::Skiplist {
                    list: &zset.list,
                    at,
                    reverse,
                })
            }
        }
    }

    /// Every member, lowest score first.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0, false)
    }

    /// The 0-based rank of the first member in `range` (in reverse ranks, of the last one,
    /// when `reverse`): O(log n) in a skip list, a walk of the sorted members in a listpack,
    /// which finds the first member at or past the range's start (from the end: the first at
    /// or before its end) and answers it if it is inside, as Redis's `zzlFirstInRange` and
    /// `zzlLastInRange` (and their lex twins) do.
    pub fn first_in(&self, range: &ZRange, reverse: bool) -> Option<usize> {
        if range.is_empty() || !self.may_hold(range) {
            return None;
        }
        match self {
            SortedSet::Listpack(listpack) => {
                let sorted = listpack.sorted();
                if reverse {
                    let at = sorted.iter().rposition(|&(m, s)| range.below_max(s, m))?;
                    let (m, s) = sorted[at];
                    range.above_min(s, m).then(|| sorted.len() - 1 - at)
                } else {
                    let at = sorted.iter().position(|&(m, s)| range.above_min(s, m))?;
                    let (m, s) = sorted[at];
                    range.below_max(s, m).then_some(at)
                }
            }
            SortedSet::Skiplist(zset) if reverse => {
                zset.list.last_in(range).map(|r| zset.order.len() - r)
            }
            SortedSet::Skiplist(zset) => zset.list.first_in(range).map(|r| r - 1),
        }
    }

    /// Redis's `zslIsInRange` and `zslIsInLexRange` (and their listpack twins), asked before
    /// any search: whether the last member lies at or after the range's start and the first at
    /// or before its end. For a lex range over members of different scores (whose order is
    /// then not the members') this alone can decide what Redis answers.
    fn may_hold(&self, range: &ZRange) -> bool {
        let edge = |reverse| self.iter_from(0, reverse).next();
        match (edge(false), edge(true)) {
            (Some((first, first_score)), Some((last, last_score))) => {
                range.above_min(last_score, last) && range.below_max(first_score, first)
            }
            _ => false,
        }
    }

    /// How many members lie in `range`: from the ranks of its two ends in a skip list; in a
    /// listpack, from its first member in the range on while they stay before its end, as
    /// Redis counts there.
    pub fn count_in(&self, range: &ZRange) -> usize {
        if range.is_empty() || !self.may_hold(range) {
            return 0;
        }
        match self {
            SortedSet::Listpack(_) => match self.first_in(range, false) {
                Some(first) => self
                    .iter_from(first, false)
                    .take_while(|&(m, s)| range.below_max(s, m))
                    .count(),
                None => 0,
            },
            SortedSet::Skiplist(zset) => {
                match (zset.list.first_in(range), zset.list.last_in(range)) {
                    (Some(first), Some(last)) if last >= first => last - first + 1,
                    _ => 0,
                }
            }
        }
    }

    /// The member and score at position `index` of the member order (`0..len`, not the
    /// sorted order): for picking members at random and for ZSCAN's cursor. A walk in a
    /// listpack: [`SortedSet::pick`] takes many in one.
    pub fn get_index(&self, index: usize) -> Option<(&[u8], f64)> {
        match self {
            SortedSet::Listpack(listpack) => listpack.positions().nth(index),
            SortedSet::Skiplist(zset) => {
                let node = zset.list.node(*zset.order.get(index)?);
                Some((&node.member, node.score))
            }
        }
    }

    /// The members at `positions` of the member order, in that order (repeats allowed).
    pub fn pick(&self, positions: &[usize]) -> Vec<(&[u8], f64)> {
        match self {
            SortedSet::Listpack(listpack) => {
                let all: Vec<(&[u8], f64)> = listpack.positions().collect();
                positions
                    .iter()
                    .filter_map(|&p| all.get(p).copied())
                    .collect()
            }
            SortedSet::Skiplist(_) => positions
                .iter()
                .filter_map(|&p| self.get_index(p))
                .collect(),
        }
    }

    /// Every member with its score, in the member order ([`SortedSet::get_index`]'s).
    pub fn positions(&self) -> Positions<'_> {
        match self {
            SortedSet::Listpack(listpack) => listpack.positions(),
            SortedSet::Skiplist(zset) => Positions(InOrder::Skiplist {
                list: &zset.list,
                order: zset.order.iter(),
            }),
        }
    }
}

/// A listpack's members, each followed by its score, in a [`Packed`] block in member order
/// (insertion order, a removal filled from the end, as the skip list's `order` keeps it),
/// the block trimmed to its contents after every write (see the module's text).
#[derive(Clone, Debug, Default)]
pub struct Listpack {
    block: Packed,
}

/// A member found in a listpack: its pair's place in the block, and its score's.
struct Found {
    pair: Range<usize>,
    score_span: Range<usize>,
    score: f64,
}

impl Listpack {
    fn len(&self) -> usize {
        self.block.entries().count() / 2
    }

    fn positions(&self) -> Positions<'_> {
        Positions(InOrder::Listpack(self.block.entries()))
    }

    fn find(&self, member: &[u8]) -> Option<Found> {
        let mut entries = self.block.entries();
        while let (Some(m), Some(s)) = (entries.next(), entries.next()) {
            if m.bytes == member {
                return Some(Found {
                    pair: m.span.start..s.span.end,
                    score: decode_score(s.bytes),
                    score_span: s.span,
                });
            }
        }
        None
    }

    /// The members in the order of their scores, then bytes.
    fn sorted(&self) -> Vec<(&[u8], f64)> {
        let mut sorted: Vec<(&[u8], f64)> = self.positions().collect();
        sorted.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
        sorted
    }

    /// A member's 0-based rank: how many members come before it.
    fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.find(member)?.score;
        Some(
            self.positions()
                .filter(|&(m, s)| s < score || (s == score && m < member))
                .count(),
        )
    }

    fn push(&mut self, member: &[u8], score: f64) {
        self.block.push_exact(&[member, &encode_score(score)]);
    }

    fn set_score(&mut self, span: Range<usize>, score: f64) {
        self.block.splice(span, &[&encode_score(score)]);
        self.block.shrink_to_fit();
    }

    /// Removes `member`, the last member and its score taking its place.
    fn remove(&mut self, member: &[u8]) -> bool {
        let Some(found) = self.find(member) else {
            return false;
        };
        let mut entries = self.block.entries();
        let mut last = None;
        while let (Some(m), Some(s)) = (entries.next(), entries.next()) {
            last = Some((m.span.start..s.span.end, m.bytes, s.bytes));
        }
        match last {
            Some((span, m, s)) if span.start != found.pair.start => {
                let (m, s) = (m.to_vec(), s.to_vec());
                self.block.remove(span);
                self.block.splice(found.pair, &[&m, &s]);
            }
            _ => self.block.remove(found.pair),
        }
        self.block.shrink_to_fit();
        true
    }
}

/// The largest whole scores kept as integers in a listpack's block: seven bytes of two's
/// complement.
const PACKED_INTEGER_LIMIT: f64 = (1u64 << 55) as f64;

/// A score as a listpack's block keeps it: a whole number below 2^55 in magnitude as its
/// shortest little-endian two's complement (no byte at all for 0, one for -128..127), any
/// other score as the eight bytes of its `f64`. Only a listpack stores scores so, where -0
/// is already 0.
fn encode_score(score: f64) -> Vec<u8> {
    if score.fract() == 0.0 && score.abs() < PACKED_INTEGER_LIMIT {
        let n = score as i64;
        let bytes = n.to_le_bytes();
        let len = (0..8)
            .find(|&len| sign_extend(&bytes[..len]) == n)
            .unwrap_or(8);
        bytes[..len].to_vec()
    } else {
        score.to_bits().to_le_bytes().to_vec()
    }
}

fn decode_score(bytes: &[u8]) -> f64 {
    match <[u8; 8]>::try_from(bytes) {
        Ok(bits) => f64::from_bits(u64::from_le_bytes(bits)),
        Err(_) => sign_extend(bytes) as f64,
    }
}

/// The integer of `bytes` (at most 8, little-endian, two's complement); 0 when empty.
fn sign_extend(bytes: &[u8]) -> i64 {
    let fill = match bytes.last() {
        Some(&last) if last & 0x80 != 0 => 0xff,
        _ => 0,
    };
    let mut full = [fill; 8];
    full[..bytes.len()].copy_from_slice(bytes);
    i64::from_le_bytes(full)
}

/// A skip-list sorted set (Redis's `zset` struct): the member table beside the skip list.
#[derive(Clone, Debug)]
pub struct Zset {
    list: SkipList,
    /// The member table: each member's node slot, found by hashing the member's bytes, which
    /// live only in the node.
    table: HashTable<u32>,
    /// Every member's node slot, in insertion order with removals filled from the end (as
    /// an `IndexMap` keeps its entries): positions for ZRANDMEMBER and ZSCAN's cursor.
    order: Vec<u32>,
    hasher: RandomState,
}

impl Default for Zset {
    fn default() -> Zset {
        Zset {
            list: SkipList::new(),
            table: HashTable::new(),
            order: Vec::new(),
            hasher: RandomState::new(),
        }
    }
}

impl Zset {
    fn hash(&self, member: &[u8]) -> u64 {
        self.hasher.hash_one(member)
    }

    /// The node slot of `member`, if it is here.
    fn find(&self, member: &[u8]) -> Option<u32> {
        let list = &self.list;
        self.table
            .find(self.hash(member), |&at| *list.node(at).member == *member)
            .copied()
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        self.find(member).map(|at| self.list.node(at).score)
    }

    /// Sets `member`'s score, adding it if absent; returns the score and whether the member
    /// was added.
    fn insert(&mut self, member: &[u8], score: f64) -> (f64, bool) {
        let hash = self.hash(member);
        let list = &self.list;
        if let Some(&at) = self
            .table
            .find(hash, |&at| *list.node(at).member == *member)
        {
            let old = self.list.node(at).score;
            if old != score || old.is_sign_negative() != score.is_sign_negative() {
                self.list.update_score(at, score);
            }
            return (score, false);
        }
        let at = self
            .list
            .insert(score, member.into(), self.order.len() as u32);
        self.order.push(at);
        let (list, hasher) = (&self.list, &self.hasher);
        self.table
            .insert_unique(hash, at, |&at| hasher.hash_one(&*list.node(at).member));
        (score, true)
    }

    fn remove(&mut self, member: &[u8]) -> bool {
        let hash = self.hash(member);
        let list = &self.list;
        let Ok(entry) = self
            .table
            .find_entry(hash, |&at| *list.node(at).member == *member)
        else {
            return false;
        };
        let (at, _) = entry.remove();
        let position = self.list.node(at).position;
        self.order.swap_remove(position as usize);
        if let Some(&moved) = self.order.get(position as usize) {
            self.list.node_mut(moved).position = position;
        }
        self.list.delete(at);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_spans(z: &SortedSet) {
        let order: Vec<_> = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(order.len(), z.len());
        for (i, (m, _)) in order.iter().enumerate() {
            assert_eq!(z.rank(m, false), Some(i), "rank of {m:?}");
            assert_eq!(
                z.iter_from(i, false).next().map(|(m, _)| m.to_vec()),
                Some(m.clone())
            );
        }
        let back: Vec<_> = z.iter_from(0, true).map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(back, order.iter().rev().cloned().collect::<Vec<_>>());
        // Every member once in the positional order too, with its score.
        let mut by_position: Vec<_> = (0..z.len())
            .map(|i| z.get_index(i).map(|(m, s)| (m.to_vec(), s)))
            .collect::<Option<_>>()
            .expect("a member at every position");
        by_position.sort_by(|a, b| a.0.cmp(&b.0));
        let mut sorted = order;
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(by_position, sorted);
    }

    #[test]
    fn a_node_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Node>(), 64);
    }

    #[test]
    fn a_small_set_is_three_words() {
        assert_eq!(
            std::mem::size_of::<SortedSet>(),
            3 * std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn listpack_scores_keep_their_value_in_few_bytes() {
        let two_55 = (1u64 << 55) as f64;
        for (score, len) in [
            (0.0, 0),
            (-0.0, 0),
            (1.0, 1),
            (-128.0, 1),
            (128.0, 2),
            (-129.0, 2),
            (1e15, 7),
            (two_55 - 4.0, 7),
            (-two_55, 8),
            (two_55, 8),
            (2.5, 8),
            (f64::INFINITY, 8),
            (f64::NEG_INFINITY, 8),
            (f64::MIN_POSITIVE, 8),
            (-1e300, 8),
        ] {
            let bytes = encode_score(score);
            assert_eq!(bytes.len(), len, "{score}");
            assert_eq!(decode_score(&bytes), score, "{score}");
        }
        assert!(decode_score(&encode_score(-0.0)).is_sign_positive());
    }

    /// Everything a command can ask of a set, in a form two sets can be compared by.
    fn answers(z: &SortedSet) -> Vec<String> {
        let mut out = vec![format!("{:?}", z.iter().collect::<Vec<_>>())];
        out.push(format!("{:?}", z.iter_from(2, true).collect::<Vec<_>>()));
        out.push(format!("{:?}", z.positions().collect::<Vec<_>>()));
        out.push(format!("{:?}", z.pick(&[3, 0, 3, 99])));
        for (member, _) in z.iter() {
            out.push(format!(
                "{:?}",
                (z.rank(member, false), z.rank(member, true))
            ));
        }
        out.push(format!("{:?}", z.score(b"nosuch")));
        for (min, max) in [(2.0, 7.0), (-1.0, 0.5), (8.0, 100.0), (3.0, 3.0)] {
            for min_exclusive in [false, true] {
                let range = ZRange::Score {
                    min,
                    max,
                    min_exclusive,
                    max_exclusive: !min_exclusive,
                };
                out.push(format!(
                    "{:?}",
                    (
                        z.first_in(&range, false),
                        z.first_in(&range, true),
                        z.count_in(&range)
                    )
                ));
            }
        }
        out
    }

    #[test]
    fn a_listpack_answers_as_the_skip_list_with_the_same_history() {
        // A listpack kept through every write (a limit no set reaches) beside a skip list from
        // the start: the same history gives the same answers, the member order included.
        let packed_limits = ListpackLimits {
            max_entries: usize::MAX,
            max_value: usize::MAX,
        };
        let list_limits = ListpackLimits {
            max_entries: 0,
            max_value: 0,
        };
        let mut packed = SortedSet::from_pairs([], packed_limits);
        let mut list = SortedSet::from_pairs([], list_limits);
        let mut state = 3u64;
        for i in 0..3000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let member = format!("m{}", state % 40).into_bytes();
            let score = match (state >> 20) % 4 {
                0 => ((state >> 30) % 10) as f64,
                1 => ((state >> 30) % 1000) as f64 / 8.0 - 20.0,
                2 => 1e20,
                _ => -0.5 - ((state >> 30) % 3) as f64,
            };
            if i % 4 == 0 {
                assert_eq!(packed.remove(&member), list.remove(&member));
            } else {
                assert_eq!(
                    packed.insert(&member, score, packed_limits),
                    list.insert(&member, score, list_limits)
                );
            }
            assert_eq!(packed.len(), list.len());
            if i % 97 == 0 {
                assert_eq!(answers(&packed), answers(&list));
            }
        }
        assert_eq!(packed.encoding(), "listpack");
        assert_eq!(list.encoding(), "skiplist");
        assert_eq!(answers(&packed), answers(&list));
        let before = answers(&packed);
        packed.convert_to_skiplist();
        assert_eq!(packed.encoding(), "skiplist");
        assert_eq!(answers(&packed), before);
        check_spans(&packed);
    }

    #[test]
    fn ranks_survive_inserts_updates_and_deletes() {
        let limits = ListpackLimits::default();
        let mut z = SortedSet::default();
        let mut state = 1u64;
        for i in 0..2000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let member = format!("m{}", state % 500).into_bytes();
            if i % 3 == 0 {
                z.remove(&member);
            } else {
                z.insert(&member, (state >> 40) as f64 % 50.0, limits);
            }
        }
        check_spans(&z);
        assert_eq!(z.encoding(), "skiplist");
    }

    #[test]
    fn a_large_set_keeps_ranks_and_positions_through_churn() {
        // Thousands of members give nodes of four levels and more (one in 64), whose upper
        // links live apart from the node; removals refill positions from the end.
        let limits = ListpackLimits::default();
        let mut z = SortedSet::default();
        let mut state = 7u64;
        for i in 0..30_000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let member = format!("member:{}", state % 6000).into_bytes();
            match i % 5 {
                0 => {
                    z.remove(&member);
                }
                // Ties of scores make the member bytes decide the order.
                1 => {
                    z.insert(&member, 7.0, limits);
                }
                _ => {
                    z.insert(&member, ((state >> 40) % 1000) as f64 / 4.0, limits);
                }
            }
        }
        assert!(z.len() > 3000);
        check_spans(&z);
        for (rank, (member, _)) in z.iter().enumerate().step_by(97) {
            assert_eq!(z.rank(member, true), Some(z.len() - 1 - rank));
        }
        while let Some((member, _)) = z.get_index(0).map(|(m, s)| (m.to_vec(), s)) {
            assert!(z.remove(&member));
        }
        assert!(z.is_empty());
        assert_eq!(z.iter().next(), None);
    }

    #[test]
    fn ranges_by_score_and_lex() {
        let limits = ListpackLimits::default();
        let z = SortedSet::from_pairs((0..10).map(|i| (vec![b'a' + i as u8], i as f64)), limits);
        let r = ZRange::Score {
            min: 2.0,
            max: 5.0,
            min_exclusive: true,
            max_exclusive: false,
        };
        assert_eq!(z.first_in(&r, false), Some(3));
        assert_eq!(z.first_in(&r, true), Some(4));
        assert_eq!(z.count_in(&r), 3);
        let lex = ZRange::Lex {
            min: LexBound::Inclusive(b"c".to_vec()),
            max: LexBound::Exclusive(b"f".to_vec()),
        };
        assert_eq!(z.count_in(&lex), 3);
        let empty = ZRange::Lex {
            min: LexBound::PlusInfinity,
            max: LexBound::MinusInfinity,
        };
        assert_eq!(z.count_in(&empty), 0);
    }

    #[test]
    fn listpack_until_too_many_or_too_long() {
        let limits = ListpackLimits {
            max_entries: 2,
            max_value: 3,
        };
        let mut z = SortedSet::for_first_member(1, limits);
        z.insert(b"a", -0.0, limits);
        assert!(z.score(b"a").is_some_and(|s| s.is_sign_positive()));
        z.insert(b"b", 1.0, limits);
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"c", 1.0, limits);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(
            SortedSet::for_first_member(4, limits).encoding(),
            "skiplist"
        );
    }
}
