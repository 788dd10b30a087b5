//! A database's table of keys: Redis's `db->dict` and `db->expires` in one structure, laid out
//! so that a small key costs fewer bytes than it does in Redis.
//!
//! # What a key costs, and why the layout is this one
//!
//! Redis spends, for one small string key (`DEBUG POPULATE`'s `key:1` → `value:1`): a
//! `dictEntry` (24 bytes, 32 in jemalloc's classes), the key's sds (16), the value's `robj` with
//! its embedded string (32), and 8 to 16 bytes of bucket array: about 90 bytes. A general map
//! of `Vec<u8>` keys to a rich entry spends far more (a heap block for the name, another for the
//! value, a hash and a wide entry per slot), so the table is built for this shape:
//!
//! - **Slots**: every key lives in one dense vector of `(name, entry)` slots, 48 bytes each. A
//!   name of up to [`INLINE_KEY`] bytes is kept inside the slot, a longer one in a block of its
//!   own; the entry ([`Entry`]) holds the value, whose short strings are also inline
//!   ([`crate::types::StringValue`]), and the access stamps. Dense positions are what
//!   RANDOMKEY, eviction sampling and SCAN's cursor need: a key is reached by position in O(1),
//!   and deleting one moves the last slot into its hole (so positions are stable until a
//!   deletion, and every order the replies show is the one an insertion-ordered map with
//!   swap-removal gives).
//! - **The index**: a hash table of `u32` slot positions (hashbrown's `HashTable`, 5 bytes a
//!   bucket with its control byte), probed with the name's hash and compared against the slot's
//!   name. Hashes are not stored: growing the table hashes every name again (Redis rehashes
//!   incrementally instead; a reservation ahead of a bulk load, as DEBUG POPULATE and loading a
//!   file make, avoids it).
//! - **Expiries**: the keys with a TTL are listed in a second dense pair of vectors (slot
//!   position, expiry instant), indexed by a second table of `u32` the same way. The active
//!   expire cycle samples that list by position, as Redis samples `db->expires`; a key's
//!   expiry is found by the same name hash. A key without a TTL pays nothing for it.
//!
//! Positions are `u32`: four billion keys per database, far beyond what any host of this
//! engine holds. The hasher is the standard library's SipHash with random keys (Redis's dict
//! uses SipHash too), so that a client cannot choose names that collide.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use crate::db::Entry;

/// The longest name kept inside its slot.
pub const INLINE_KEY: usize = 14;

/// A key's name: inline when short, else in a block of its own.
#[derive(Clone, Debug)]
enum Name {
    Inline { len: u8, bytes: [u8; INLINE_KEY] },
    Heap(Box<Box<[u8]>>),
}

impl Name {
    fn new(name: &[u8]) -> Name {
        match name.len() {
            len @ 0..=INLINE_KEY => {
                let mut bytes = [0; INLINE_KEY];
                bytes[..len].copy_from_slice(name);
                Name::Inline {
                    len: len as u8,
                    bytes,
                }
            }
            _ => Name::Heap(Box::new(name.into())),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Name::Inline { len, bytes } => &bytes[..*len as usize],
            Name::Heap(name) => name,
        }
    }
}

/// The table: see the module's text.
#[derive(Clone, Debug, Default)]
pub struct Dict {
    slots: Vec<(Name, Entry)>,
    index: HashTable<u32>,
    /// Positions in `volatile` of the keys with a TTL, by their names' hashes.
    expires: HashTable<u32>,
    /// The slot of each key with a TTL, and beside it (same position) its expiry in Unix ms.
    volatile: Vec<u32>,
    when: Vec<u64>,
    hasher: RandomState,
}

impl Dict {
    fn hash(&self, name: &[u8]) -> u64 {
        self.hasher.hash_one(name)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The slot position of `name`.
    pub fn get_index_of(&self, name: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        self.find(self.hash(name), name)
    }

    fn find(&self, hash: u64, name: &[u8]) -> Option<usize> {
        let slots = &self.slots;
        self.index
            .find(hash, |&i| slots[i as usize].0.as_bytes() == name)
            .map(|&i| i as usize)
    }

    pub fn contains_key(&self, name: &[u8]) -> bool {
        self.get_index_of(name).is_some()
    }

    pub fn get(&self, name: &[u8]) -> Option<&Entry> {
        self.get_index_of(name).map(|i| &self.slots[i].1)
    }

    pub fn get_mut(&mut self, name: &[u8]) -> Option<&mut Entry> {
        self.get_full_mut(name).map(|(_, entry)| entry)
    }

    /// The slot position and entry of `name`.
    pub fn get_full_mut(&mut self, name: &[u8]) -> Option<(usize, &mut Entry)> {
        let index = self.get_index_of(name)?;
        Some((index, &mut self.slots[index].1))
    }

    /// The key at slot position `index`.
    pub fn get_index(&self, index: usize) -> Option<(&[u8], &Entry)> {
        self.slots
            .get(index)
            .map(|(name, entry)| (name.as_bytes(), entry))
    }

    pub fn get_index_mut(&mut self, index: usize) -> Option<(&[u8], &mut Entry)> {
        self.slots
            .get_mut(index)
            .map(|(name, entry)| (name.as_bytes(), entry))
    }

    /// Every key in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.slots
            .iter()
            .map(|(name, entry)| (name.as_bytes(), entry))
    }

    /// Adds `name`, which must not be stored yet, at the end; its slot position.
    pub fn insert_new(&mut self, name: &[u8], entry: Entry) -> usize {
        let hash = self.hash(name);
        self.push(hash, name, entry)
    }

    /// Adds `name` unless it is stored already: false then, and nothing changes.
    pub fn try_insert(&mut self, name: &[u8], entry: Entry) -> bool {
        let hash = self.hash(name);
        if self.find(hash, name).is_some() {
            return false;
        }
        self.push(hash, name, entry);
        true
    }

    fn push(&mut self, hash: u64, name: &[u8], entry: Entry) -> usize {
        let position = self.slots.len();
        let Dict {
            slots,
            index,
            hasher,
            ..
        } = self;
        index.insert_unique(hash, position as u32, |&i| {
            hasher.hash_one(slots[i as usize].0.as_bytes())
        });
        self.slots.push((Name::new(name), entry));
        position
    }

    /// Removes `name` and its expiry; the last slot moves into its place.
    pub fn swap_remove(&mut self, name: &[u8]) -> Option<Entry> {
        if self.slots.is_empty() {
            return None;
        }
        let hash = self.hash(name);
        let slots = &self.slots;
        let position = match self
            .index
            .find_entry(hash, |&i| slots[i as usize].0.as_bytes() == name)
        {
            Ok(found) => found.remove().0 as usize,
            Err(_) => return None,
        };
        self.remove_expire_at(hash, position);
        let last = self.slots.len() - 1;
        if position != last {
            let moved = self.hash(self.slots[last].0.as_bytes());
            if let Some(i) = self.index.find_mut(moved, |&i| i as usize == last) {
                *i = position as u32;
            }
            let volatile = &self.volatile;
            if let Some(&v) = self
                .expires
                .find(moved, |&v| volatile[v as usize] as usize == last)
            {
                self.volatile[v as usize] = position as u32;
            }
        }
        Some(self.slots.swap_remove(position).1)
    }

    /// Room for `additional` more keys without growing, as Redis's `dictExpand` makes ahead
    /// of a bulk load. A reservation the allocator refuses (DEBUG POPULATE of a trillion keys)
    /// is skipped: the keys then come one by one, as they would without it.
    pub fn reserve(&mut self, additional: usize) {
        if self.slots.try_reserve(additional).is_err() {
            return;
        }
        let Dict {
            slots,
            index,
            hasher,
            ..
        } = self;
        let _ = index.try_reserve(additional, |&i| {
            hasher.hash_one(slots[i as usize].0.as_bytes())
        });
    }

    /// Room for `additional` more keys with a TTL.
    pub fn reserve_volatile(&mut self, additional: usize) {
        self.volatile.reserve(additional);
        self.when.reserve(additional);
        let Dict {
            slots,
            expires,
            volatile,
            hasher,
            ..
        } = self;
        expires.reserve(additional, |&v| {
            hasher.hash_one(slots[volatile[v as usize] as usize].0.as_bytes())
        });
    }

    /// Drops every key.
    pub fn clear(&mut self) {
        *self = Dict {
            hasher: self.hasher.clone(),
            ..Dict::default()
        };
    }

    /// Number of keys with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    /// The slot position of `name` and its expiry, from one hash of the name: what the
    /// lookup door needs on every access.
    pub fn get_index_and_expire(&self, name: &[u8]) -> (Option<usize>, Option<u64>) {
        if self.slots.is_empty() {
            return (None, None);
        }
        let hash = self.hash(name);
        let expire = match self.volatile.is_empty() {
            true => None,
            false => self.find_volatile(hash, name).map(|v| self.when[v]),
        };
        (self.find(hash, name), expire)
    }

    /// The expiry (Unix ms) of `name`, if it has one.
    pub fn expire_of(&self, name: &[u8]) -> Option<u64> {
        if self.volatile.is_empty() {
            return None;
        }
        self.find_volatile(self.hash(name), name)
            .map(|v| self.when[v])
    }

    fn find_volatile(&self, hash: u64, name: &[u8]) -> Option<usize> {
        let (slots, volatile) = (&self.slots, &self.volatile);
        self.expires
            .find(hash, |&v| {
                slots[volatile[v as usize] as usize].0.as_bytes() == name
            })
            .map(|&v| v as usize)
    }

    /// The key at position `index` of the list of keys with a TTL, with its expiry: what the
    /// active expire cycle and the volatile eviction policies sample.
    pub fn volatile_get_index(&self, index: usize) -> Option<(&[u8], u64)> {
        let slot = *self.volatile.get(index)? as usize;
        Some((self.slots[slot].0.as_bytes(), self.when[index]))
    }

    /// Gives the stored key `name` an expiry (or a new one); false when it is not stored.
    pub fn set_expire(&mut self, name: &[u8], when: u64) -> bool {
        let hash = self.hash(name);
        if let Some(v) = self.find_volatile(hash, name) {
            self.when[v] = when;
            return true;
        }
        let Some(position) = self.find(hash, name) else {
            return false;
        };
        let Dict {
            slots,
            expires,
            volatile,
            hasher,
            ..
        } = self;
        expires.insert_unique(hash, volatile.len() as u32, |&v| {
            hasher.hash_one(slots[volatile[v as usize] as usize].0.as_bytes())
        });
        self.volatile.push(position as u32);
        self.when.push(when);
        true
    }

    /// Removes the expiry of `name`; true if it had one.
    pub fn remove_expire(&mut self, name: &[u8]) -> bool {
        if self.volatile.is_empty() {
            return false;
        }
        let hash = self.hash(name);
        match self.find(hash, name) {
            Some(position) => self.remove_expire_at(hash, position),
            None => false,
        }
    }

    /// Removes the expiry of the key in slot `position`, whose name hashes to `hash`; the
    /// last key with a TTL moves into its place in the list.
    fn remove_expire_at(&mut self, hash: u64, position: usize) -> bool {
        if self.volatile.is_empty() {
            return false;
        }
        let volatile = &self.volatile;
        let v = match self
            .expires
            .find_entry(hash, |&v| volatile[v as usize] as usize == position)
        {
            Ok(found) => found.remove().0 as usize,
            Err(_) => return false,
        };
        let last = self.volatile.len() - 1;
        if v != last {
            let moved_slot = self.volatile[last] as usize;
            let moved = self.hash(self.slots[moved_slot].0.as_bytes());
            if let Some(i) = self.expires.find_mut(moved, |&i| i as usize == last) {
                *i = v as u32;
            }
        }
        self.volatile.swap_remove(v);
        self.when.swap_remove(v);
        true
    }
}

impl std::ops::Index<usize> for Dict {
    type Output = Entry;

    fn index(&self, index: usize) -> &Entry {
        &self.slots[index].1
    }
}

impl std::ops::IndexMut<usize> for Dict {
    fn index_mut(&mut self, index: usize) -> &mut Entry {
        &mut self.slots[index].1
    }
}
