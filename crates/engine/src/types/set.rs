//! The set type (Redis's `t_set.c` structures): an unordered collection of distinct byte
//! strings, in one of the two encodings Redis 7.0 has for it.
//!
//! - **intset**: while every member is an integer (a string `string2ll` accepts, so it prints
//!   back byte for byte) and there are at most `set-max-intset-entries` (512) of them, Redis
//!   keeps a sorted array of integers. Its order shows: SMEMBERS, SSCAN and SINTER read it in
//!   ascending numeric order, so we keep the same sorted array.
//! - **hashtable**: from the first non-integer member or the first member past the limit on,
//!   a hash table whose order is arbitrary. Ours ([`Members`]) keeps insertion order, a
//!   removal moving the last member into the gap, with access by position for SPOP,
//!   SRANDMEMBER and SSCAN's cursor (the same swap-remove-proof cursor as the keyspace's SCAN).
//!   While a set has at most [`PACKED_ENTRIES`] members of at most [`PACKED_VALUE`] bytes, its
//!   members are packed in one block (`crate::types::packed`), found by a walk; past that they
//!   move, in the same order, into an `IndexSet` (O(1) membership and position). The packing
//!   is ours alone, for memory: what a user sees — the encoding, the order, the modelled
//!   memory — is the same either way.
//!
//! A set never goes back from hashtable to intset by itself; only a set built afresh (the
//! STORE commands' results, what SPOP with a large count leaves) starts as an intset again.
//! Redis 7.2 added listpack-encoded sets; 7.0 has none, so neither do we.

use indexmap::IndexSet;

use crate::args::string2ll;
use crate::types::packed::{Entries, Packed};

/// Redis 7.0's default `set-max-intset-entries`.
pub const DEFAULT_MAX_INTSET_ENTRIES: usize = 512;

/// A set value.
#[derive(Clone, Debug)]
pub enum Set {
    /// Sorted integers, each standing for its decimal spelling.
    Intset(Vec<i64>),
    /// Members in arbitrary (insertion, then swap-remove) order.
    Hashtable(Members),
}

impl Default for Set {
    fn default() -> Set {
        Set::Intset(Vec::new())
    }
}

impl PartialEq for Set {
    /// Same members, whatever the encoding or order.
    fn eq(&self, other: &Set) -> bool {
        self.len() == other.len() && self.iter().all(|m| other.contains(&m))
    }
}

impl Set {
    /// An empty set in the encoding Redis picks for a set whose first member is `first`
    /// (`setTypeCreate`): an intset when it is an integer.
    pub fn for_first_member(first: &[u8]) -> Set {
        match string2ll(first) {
            Some(_) => Set::Intset(Vec::new()),
            None => Set::Hashtable(Members::default()),
        }
    }

    /// A set holding `members`, encoded as a set built by adding them one by one to an empty
    /// intset (the STORE commands' destinations).
    pub fn from_members<I, M>(members: I, max_intset_entries: usize) -> Set
    where
        I: IntoIterator<Item = M>,
        M: AsRef<[u8]> + Into<Vec<u8>>,
    {
        let mut set = Set::default();
        for member in members {
            set.insert(member, max_intset_entries);
        }
        set
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            Set::Intset(v) => v.len(),
            Set::Hashtable(h) => h.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `intset` or `hashtable`, as OBJECT ENCODING answers.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Hashtable(_) => "hashtable",
        }
    }

    /// Is `member` in the set?
    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Set::Intset(v) => string2ll(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Set::Hashtable(h) => h.contains(member),
        }
    }

    /// Adds `member`; true if it was new. An intset turns into a hashtable when the member is
    /// not an integer or when it grows past `max_intset_entries`, as `setTypeAdd` does.
    pub fn insert(
        &mut self,
        member: impl AsRef<[u8]> + Into<Vec<u8>>,
        max_intset_entries: usize,
    ) -> bool {
        if let Set::Intset(v) = self {
            if let Some(n) = string2ll(member.as_ref()) {
                let Err(at) = v.binary_search(&n) else {
                    return false;
                };
                v.insert(at, n);
                if v.len() > max_intset_entries {
                    self.convert_to_hashtable();
                }
                return true;
            }
            self.convert_to_hashtable();
        }
        match self {
            Set::Hashtable(h) => h.insert(member.into()),
            Set::Intset(_) => unreachable!("converted above"),
        }
    }

    /// Removes `member`; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Set::Intset(v) => match string2ll(member).map(|n| v.binary_search(&n)) {
                Some(Ok(at)) => {
                    v.remove(at);
                    true
                }
                _ => false,
            },
            Set::Hashtable(h) => h.swap_remove(member),
        }
    }

    /// The member at `position` (`0..len`): an intset's is the position-th smallest.
    pub fn get_index(&self, position: usize) -> Option<Vec<u8>> {
        match self {
            Set::Intset(v) => v.get(position).map(|n| n.to_string().into_bytes()),
            Set::Hashtable(h) => h.get_index(position).map(<[u8]>::to_vec),
        }
    }

    /// Removes and returns the member at `position`.
    pub fn remove_index(&mut self, position: usize) -> Option<Vec<u8>> {
        match self {
            Set::Intset(v) => {
                (position < v.len()).then(|| v.remove(position).to_string().into_bytes())
            }
            Set::Hashtable(h) => h.swap_remove_index(position),
        }
    }

    /// Every member, in the encoding's order (ascending for an intset).
    pub fn iter(&self) -> Box<dyn Iterator<Item = Vec<u8>> + '_> {
        match self {
            Set::Intset(v) => Box::new(v.iter().map(|n| n.to_string().into_bytes())),
            Set::Hashtable(h) => Box::new(h.iter().map(<[u8]>::to_vec)),
        }
    }

    fn convert_to_hashtable(&mut self) {
        if let Set::Intset(v) = self {
            let members = v.iter().map(|n| n.to_string().into_bytes()).collect();
            *self = Set::Hashtable(members);
        }
    }
}

/// Redis 7.2's `set-max-listpack-entries` and `set-max-listpack-value` defaults: the bounds of
/// a packed [`Members`].
pub const PACKED_ENTRIES: usize = 128;
pub const PACKED_VALUE: usize = 64;

/// A hashtable-encoded set's members (see the module's text).
#[derive(Clone, Debug)]
pub enum Members {
    Packed {
        block: Packed,
        len: usize,
    },
    /// Behind a pointer, so that the many small sets stay four words.
    Table(Box<IndexSet<Vec<u8>>>),
}

impl Default for Members {
    fn default() -> Members {
        Members::Packed {
            block: Packed::default(),
            len: 0,
        }
    }
}

impl FromIterator<Vec<u8>> for Members {
    /// Distinct members, in their order.
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(members: I) -> Members {
        let mut all = Members::default();
        for member in members {
            all.insert(member);
        }
        all
    }
}

impl Members {
    pub fn len(&self) -> usize {
        match self {
            Members::Packed { len, .. } => *len,
            Members::Table(table) => table.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The members in order.
    pub fn iter(&self) -> MembersIter<'_> {
        match self {
            Members::Packed { block, .. } => MembersIter::Packed(block.entries()),
            Members::Table(table) => MembersIter::Table(table.iter()),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Members::Packed { block, .. } => block.entries().any(|e| e.bytes == member),
            Members::Table(table) => table.contains(member),
        }
    }

    /// Adds `member` at the end; true if it was new. A packed set past its bounds moves into
    /// a table, in the same order.
    pub fn insert(&mut self, member: Vec<u8>) -> bool {
        match self {
            Members::Packed { block, len } => {
                if block.entries().any(|e| e.bytes == member.as_slice()) {
                    return false;
                }
                if *len < PACKED_ENTRIES && member.len() <= PACKED_VALUE {
                    block.push(&member);
                    *len += 1;
                    return true;
                }
                let mut table: IndexSet<Vec<u8>> =
                    block.entries().map(|e| e.bytes.to_vec()).collect();
                table.insert(member);
                *self = Members::Table(Box::new(table));
                true
            }
            Members::Table(table) => table.insert(member),
        }
    }

    /// The member at `position`.
    pub fn get_index(&self, position: usize) -> Option<&[u8]> {
        match self {
            Members::Packed { block, .. } => block.entries().nth(position).map(|e| e.bytes),
            Members::Table(table) => table.get_index(position).map(Vec::as_slice),
        }
    }

    /// Removes `member`, the last member taking its place; true if it was there.
    pub fn swap_remove(&mut self, member: &[u8]) -> bool {
        match self {
            Members::Packed { block, .. } => {
                match block.entries().position(|e| e.bytes == member) {
                    Some(position) => self.swap_remove_index(position).is_some(),
                    None => false,
                }
            }
            Members::Table(table) => table.swap_remove(member),
        }
    }

    /// Removes and returns the member at `position`, the last member taking its place.
    pub fn swap_remove_index(&mut self, position: usize) -> Option<Vec<u8>> {
        match self {
            Members::Packed { block, len } => {
                let removed = block.entries().nth(position)?;
                let (span, member) = (removed.span, removed.bytes.to_vec());
                let last = block.entries().last()?;
                if last.span.start == span.start {
                    block.remove(span);
                } else {
                    let (last_span, last) = (last.span, last.bytes.to_vec());
                    block.remove(last_span);
                    block.splice(span, &[&last]);
                }
                *len -= 1;
                Some(member)
            }
            Members::Table(table) => table.swap_remove_index(position),
        }
    }
}

/// The members of a [`Members`], in order.
pub enum MembersIter<'a> {
    Packed(Entries<'a>),
    Table(indexmap::set::Iter<'a, Vec<u8>>),
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            MembersIter::Packed(entries) => entries.next().map(|e| e.bytes),
            MembersIter::Table(members) => members.next().map(Vec::as_slice),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_until_a_string_or_too_many() {
        let mut s = Set::for_first_member(b"3");
        assert!(s.insert(&b"3"[..], 4));
        assert!(s.insert(&b"-1"[..], 4));
        assert!(!s.insert(&b"3"[..], 4));
        assert_eq!(s.encoding(), "intset");
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![b"-1".to_vec(), b"3".to_vec()]
        );
        // "010" is not string2ll's spelling of 10: it stays a string.
        assert!(s.insert(&b"010"[..], 4));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"3") && s.contains(b"010") && !s.contains(b"10"));

        let many = Set::from_members((0..5).map(|n| n.to_string()), 4);
        assert_eq!(many.encoding(), "hashtable");
        assert_eq!(many.len(), 5);
        let few = Set::from_members((0..4).map(|n| n.to_string()), 4);
        assert_eq!(few.encoding(), "intset");
        let mut trimmed = many.clone();
        trimmed.remove(b"4");
        assert_eq!(few, trimmed);
    }

    #[test]
    fn packed_members_keep_the_tables_order_and_move_into_one_past_the_bounds() {
        let names = |m: &Members| m.iter().map(<[u8]>::to_vec).collect::<Vec<_>>();
        let mut packed: Members = ["a", "b", "c", "d"]
            .map(|m| m.as_bytes().to_vec())
            .into_iter()
            .collect();
        let mut table = Members::Table(Box::new(names(&packed).into_iter().collect()));
        for m in [&mut packed, &mut table] {
            assert!(m.swap_remove(b"b"));
            assert!(!m.swap_remove(b"zz"));
            assert_eq!(m.swap_remove_index(2), Some(b"c".to_vec()));
            assert!(!m.insert(b"a".to_vec()));
            assert!(m.insert(b"e".to_vec()));
        }
        assert!(matches!(packed, Members::Packed { .. }));
        assert_eq!(names(&packed), names(&table));
        assert_eq!(
            names(&packed),
            [b"a".to_vec(), b"d".to_vec(), b"e".to_vec()]
        );
        assert_eq!(packed.get_index(1), Some(&b"d"[..]));

        packed.insert(vec![b'x'; PACKED_VALUE + 1]);
        assert!(matches!(packed, Members::Table(_)));
        assert_eq!(packed.len(), 4);
        assert_eq!(packed.get_index(3).map(<[u8]>::len), Some(PACKED_VALUE + 1));
        let many: Members = (0..=PACKED_ENTRIES)
            .map(|n| n.to_string().into_bytes())
            .collect();
        assert!(matches!(many, Members::Table(_)));
    }
}
