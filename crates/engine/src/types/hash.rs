//! The hash type: a map of fields to values, both binary-safe strings.
//!
//! Redis 7.0 holds a small hash as a listpack (fields and values side by side in one block,
//! in insertion order) and converts it to a hash table, for good, once it holds more than
//! `hash-max-listpack-entries` fields (512) or once a field or value longer than
//! `hash-max-listpack-value` bytes (64) is written. It never converts back, even when the
//! hash shrinks again. [`Hash`] records which of the two Redis would be using, because it
//! shows: OBJECT ENCODING answers it, and a listpack replies in insertion order (HGETALL,
//! HKEYS, a full HRANDFIELD, HSCAN in one call) where a hash table replies in its own order.
//!
//! A listpack-encoded hash is packed here too: its fields and values side by side in one
//! block ([`Pairs`] in a [`Packed`] block), each string a length and its bytes, so that a small hash costs one
//! allocation rather than two per string (a hundred thousand three-field hashes take a
//! third of the memory they took as maps). Lookups walk the block, O(N) as a listpack's are,
//! for N bounded by `hash-max-listpack-entries`; a deletion closes the gap, keeping
//! insertion order. A hash-table hash is an `IndexMap`: O(1) lookups, and a deletion swaps
//! the last field in, as order no longer matters.

use std::ops::Range;

use indexmap::IndexMap;

use crate::types::packed::{Entries, Packed};

/// The listpack limits in force (`hash-max-listpack-entries` and `hash-max-listpack-value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListpackLimits {
    pub entries: usize,
    pub value: usize,
}

/// A Redis hash, in the encoding Redis 7.0 would hold it in.
#[derive(Clone, Debug)]
pub enum Hash {
    Listpack(Pairs),
    /// Behind a pointer, so that the many small hashes stay four words.
    Hashtable(Box<IndexMap<Vec<u8>, Vec<u8>>>),
}

impl Default for Hash {
    fn default() -> Hash {
        Hash::Listpack(Pairs::default())
    }
}

/// Same fields with the same values, in the same encoding (whatever the order).
impl PartialEq for Hash {
    fn eq(&self, other: &Hash) -> bool {
        self.is_listpack() == other.is_listpack()
            && self.len() == other.len()
            && self.iter().all(|(f, v)| other.get(f) == Some(v))
    }
}

impl Hash {
    /// An empty hash, in a listpack as Redis creates it.
    pub fn new() -> Hash {
        Hash::default()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(pairs) => pairs.len,
            Hash::Hashtable(fields) => fields.len(),
        }
    }

    /// True when empty (a stored hash never is: emptying a hash deletes its key).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What OBJECT ENCODING says: `listpack` or `hashtable`.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Hashtable(_) => "hashtable",
        }
    }

    /// True while Redis would still hold it in a listpack, whose order (insertion order) is
    /// the order of its replies.
    pub fn is_listpack(&self) -> bool {
        matches!(self, Hash::Listpack(_))
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(pairs) => pairs.get(field),
            Hash::Hashtable(fields) => fields.get(field).map(Vec::as_slice),
        }
    }

    /// True when `field` exists.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Field/value pairs, in the order Redis would walk them.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Listpack(pairs) => Iter::Listpack {
                pairs: pairs.iter(),
                left: pairs.len,
            },
            Hash::Hashtable(fields) => Iter::Hashtable(fields.iter()),
        }
    }

    /// The pair at position `index` of [`Hash::iter`]'s order (a walk in a listpack).
    pub fn get_index(&self, index: usize) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::Listpack(_) => self.iter().nth(index),
            Hash::Hashtable(fields) => fields
                .get_index(index)
                .map(|(f, v)| (f.as_slice(), v.as_slice())),
        }
    }

    /// Redis's `hashTypeTryConversion`: a listpack becomes a hash table before a write in
    /// which any of `strings` (the fields and values about to be written) is longer than the
    /// listpack value limit.
    pub fn prepare_write<'a>(
        &mut self,
        strings: impl IntoIterator<Item = &'a [u8]>,
        limits: ListpackLimits,
    ) {
        if self.is_listpack() && strings.into_iter().any(|s| s.len() > limits.value) {
            self.convert();
        }
    }

    /// The listpack's pairs moved into a hash table, in their order.
    fn convert(&mut self) {
        let fields = self.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
        *self = Hash::Hashtable(Box::new(fields));
    }

    /// Sets `field` to `value` (Redis's `hashTypeSet`), converting to a hash table when the
    /// pair is too long for a listpack or the hash outgrows the entry limit. True when the
    /// field is new; an existing field keeps its position.
    pub fn set(&mut self, field: Vec<u8>, value: Vec<u8>, limits: ListpackLimits) -> bool {
        self.prepare_write([field.as_slice(), value.as_slice()], limits);
        let created = match self {
            Hash::Listpack(pairs) => pairs.set(&field, &value),
            Hash::Hashtable(fields) => fields.insert(field, value).is_none(),
        };
        if self.is_listpack() && self.len() > limits.entries {
            self.convert();
        }
        created
    }

    /// Removes `field`; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(pairs) => pairs.remove(field),
            Hash::Hashtable(fields) => fields.swap_remove(field).is_some(),
        }
    }
}

/// A listpack's pairs: fields and values alternating in a [`Packed`] block, in insertion
/// order (see the module's text).
#[derive(Clone, Debug, Default)]
pub struct Pairs {
    block: Packed,
    /// Number of pairs.
    len: usize,
}

/// A pair found in its block: where it lies (lengths included), and its value.
struct Found<'a> {
    pair: Range<usize>,
    value: &'a [u8],
}

impl Pairs {
    fn iter(&self) -> PairsIter<'_> {
        PairsIter(self.block.entries())
    }

    fn find(&self, field: &[u8]) -> Option<Found<'_>> {
        let mut entries = self.block.entries();
        while let (Some(f), Some(v)) = (entries.next(), entries.next()) {
            if f.bytes == field {
                return Some(Found {
                    pair: f.span.start..v.span.end,
                    value: v.bytes,
                });
            }
        }
        None
    }

    fn get(&self, field: &[u8]) -> Option<&[u8]> {
        self.find(field).map(|found| found.value)
    }

    /// Sets `field` to `value` in place, or appends the pair; true when it is new.
    fn set(&mut self, field: &[u8], value: &[u8]) -> bool {
        match self.find(field) {
            Some(found) => {
                self.block.splice(found.pair, &[field, value]);
                false
            }
            None => {
                self.block.push(field);
                self.block.push(value);
                self.len += 1;
                true
            }
        }
    }

    fn remove(&mut self, field: &[u8]) -> bool {
        match self.find(field) {
            Some(found) => {
                self.block.remove(found.pair);
                self.len -= 1;
                true
            }
            None => false,
        }
    }
}

/// A listpack's pairs, in order.
pub struct PairsIter<'a>(Entries<'a>);

impl<'a> Iterator for PairsIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        Some((self.0.next()?.bytes, self.0.next()?.bytes))
    }
}

/// The pairs of a [`Hash`], in its order.
pub enum Iter<'a> {
    Listpack { pairs: PairsIter<'a>, left: usize },
    Hashtable(indexmap::map::Iter<'a, Vec<u8>, Vec<u8>>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack { pairs, left } => {
                let pair = pairs.next()?;
                *left -= 1;
                Some(pair)
            }
            Iter::Hashtable(fields) => fields.next().map(|(f, v)| (f.as_slice(), v.as_slice())),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = match self {
            Iter::Listpack { left, .. } => *left,
            Iter::Hashtable(fields) => fields.len(),
        };
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ListpackLimits = ListpackLimits {
        entries: 2,
        value: 4,
    };

    #[test]
    fn converts_for_good_at_either_limit() {
        let mut h = Hash::new();
        assert!(h.set(b"a".to_vec(), b"1".to_vec(), LIMITS));
        assert!(!h.set(b"a".to_vec(), b"2".to_vec(), LIMITS));
        assert!(h.is_listpack());
        h.set(b"b".to_vec(), b"12345".to_vec(), LIMITS);
        assert_eq!(h.encoding(), "hashtable");
        h.remove(b"b");
        assert_eq!(h.encoding(), "hashtable");

        let mut h = Hash::new();
        for f in ["a", "b", "c"] {
            h.set(f.into(), b"v".to_vec(), LIMITS);
        }
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn listpack_deletion_keeps_insertion_order() {
        let mut h = Hash::new();
        let limits = ListpackLimits {
            entries: 128,
            value: 64,
        };
        for f in ["a", "b", "c", "d"] {
            h.set(f.into(), b"v".to_vec(), limits);
        }
        h.remove(b"b");
        let order: Vec<&[u8]> = h.iter().map(|(f, _)| f).collect();
        assert_eq!(order, [&b"a"[..], b"c", b"d"]);
    }
}
