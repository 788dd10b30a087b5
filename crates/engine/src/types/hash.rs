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
//! Both are one `IndexMap` here: in listpack mode a deletion shifts the later fields down
//! (`shift_remove`, O(N) as deleting from a listpack is) so that the order stays insertion
//! order; in hash-table mode it swaps the last field in (`swap_remove`, O(1)) as order no
//! longer matters. Lookups are O(1) in both.

use indexmap::IndexMap;

/// How Redis 7.0 would hold this hash in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum HashEncoding {
    #[default]
    Listpack,
    Hashtable,
}

/// The listpack limits in force (`hash-max-listpack-entries` and `hash-max-listpack-value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListpackLimits {
    pub entries: usize,
    pub value: usize,
}

/// A Redis hash.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hash {
    fields: IndexMap<Vec<u8>, Vec<u8>>,
    encoding: HashEncoding,
}

impl Hash {
    /// An empty hash, in a listpack as Redis creates it.
    pub fn new() -> Hash {
        Hash::default()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when empty (a stored hash never is: emptying a hash deletes its key).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// What OBJECT ENCODING says: `listpack` or `hashtable`.
    pub fn encoding(&self) -> &'static str {
        match self.encoding {
            HashEncoding::Listpack => "listpack",
            HashEncoding::Hashtable => "hashtable",
        }
    }

    /// True while Redis would still hold it in a listpack, whose order (insertion order) is
    /// the order of its replies.
    pub fn is_listpack(&self) -> bool {
        self.encoding == HashEncoding::Listpack
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&Vec<u8>> {
        self.fields.get(field)
    }

    /// True when `field` exists.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.fields.contains_key(field)
    }

    /// Field/value pairs, in the order Redis would walk them.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.fields.iter()
    }

    /// The pair at position `index` of [`Hash::iter`]'s order.
    pub fn get_index(&self, index: usize) -> Option<(&Vec<u8>, &Vec<u8>)> {
        self.fields.get_index(index)
    }

    /// Redis's `hashTypeTryConversion`: a listpack becomes a hash table before a write in
    /// which any of `strings` (the fields and values about to be written) is longer than the
    /// listpack value limit.
    pub fn prepare_write<'a>(
        &mut self,
        strings: impl IntoIterator<Item = &'a [u8]>,
        limits: ListpackLimits,
    ) {
        if self.encoding == HashEncoding::Listpack
            && strings.into_iter().any(|s| s.len() > limits.value)
        {
            self.encoding = HashEncoding::Hashtable;
        }
    }

    /// Sets `field` to `value` (Redis's `hashTypeSet`), converting to a hash table when the
    /// pair is too long for a listpack or the hash outgrows the entry limit. True when the
    /// field is new; an existing field keeps its position.
    pub fn set(&mut self, field: Vec<u8>, value: Vec<u8>, limits: ListpackLimits) -> bool {
        self.prepare_write([field.as_slice(), value.as_slice()], limits);
        let created = self.fields.insert(field, value).is_none();
        if self.fields.len() > limits.entries {
            self.encoding = HashEncoding::Hashtable;
        }
        created
    }

    /// Removes `field`; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self.encoding {
            HashEncoding::Listpack => self.fields.shift_remove(field).is_some(),
            HashEncoding::Hashtable => self.fields.swap_remove(field).is_some(),
        }
    }
}

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
        let order: Vec<&[u8]> = h.iter().map(|(f, _)| f.as_slice()).collect();
        assert_eq!(order, [&b"a"[..], b"c", b"d"]);
    }
}
