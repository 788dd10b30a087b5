//! The keyspace: sixteen (by default) databases of keys, and the one door every command goes
//! through to reach them.
//!
//! A [`Db`] keeps its keys in an `IndexMap`: O(1) lookup by name, plus O(1) access by position,
//! which RANDOMKEY, eviction sampling and the active expire cycle need to pick keys at random.
//! Keys with a TTL are also in a second map, `expires`, exactly as Redis keeps `db->expires`
//! beside `db->dict`: the active expire cycle samples only keys that can expire.
//!
//! Commands never touch those maps directly. Like Redis's `lookupKey()` in db.c, the doors in
//! `impl Engine` below do, in order, for every access:
//! 1. expire the key if its time has passed (lazy expiry), emitting an `expired` event;
//! 2. for reads, count a keyspace hit or miss (`keyspace_hits` / `keyspace_misses`), unless the
//!    caller asked for no stats;
//! 3. refresh the key's LRU clock, unless the caller asked for no touch;
//!
//! so lazy expiry and statistics can never be forgotten by one command. Writes go through
//! [`Engine::set_key`], [`Engine::db_add`], [`Engine::db_delete`] and the expire setters, and
//! every change is announced with [`Engine::notify`].

use indexmap::IndexMap;

use crate::engine::Engine;
use crate::event::{KeyspaceEvent, NotifyClass};
use crate::types::{Hash, List, Set, SortedSet};

/// A stored value: one variant per Redis type, each type's structure in `crate::types`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A binary-safe string (Redis's `OBJ_STRING`).
    String(Vec<u8>),
    /// `OBJ_LIST`
    List(List),
    /// `OBJ_HASH`
    Hash(Hash),
    /// `OBJ_SET`
    Set(Set),
    /// `OBJ_ZSET`
    ZSet(SortedSet),
}

impl Value {
    /// The name TYPE answers with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// Bytes for a string, elements for an aggregate: what the page shows as a key's size.
    pub fn size(&self) -> usize {
        match self {
            Value::String(s) => s.len(),
            Value::List(l) => l.len(),
            Value::Hash(h) => h.len(),
            Value::Set(s) => s.len(),
            Value::ZSet(z) => z.len(),
        }
    }
}

/// A key's value and its access bookkeeping.
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// Seconds-resolution LRU clock of the last access (Redis's 24-bit `lru` field).
    pub lru: u32,
    /// For a string, how it was last written: what OBJECT ENCODING needs beyond its bytes.
    pub string_origin: StringOrigin,
}

/// How a string value was last written, the one piece of history OBJECT ENCODING needs.
///
/// Redis chooses a string's encoding when it stores it through `tryObjectEncoding` (SET and
/// its variants, MSET, INCR and DECR, APPEND to a missing key): `int` for an integer of at
/// most 20 characters, `embstr` up to 44 bytes, `raw` beyond; so for those the bytes alone
/// decide. Two other paths break that rule, and only they are recorded, by the commands that
/// take them: INCRBYFLOAT stores with `createStringObject` (`embstr` or `raw` by length, never
/// `int`: `INCRBYFLOAT k 1` makes an embstr `1`), and APPEND to an existing string and
/// SETRANGE modify it in place, which leaves it `raw` whatever it holds. Every store through
/// [`Engine::db_add`] or [`Engine::set_key`] starts again from `Encoded`; RENAME and MOVE
/// carry the origin along with the value, and COPY marks its copy `Duplicated`.
///
/// Keeping this beside the value rather than an encoding proper means the string commands
/// only say which path they took, and Redis's own rule (below, in OBJECT ENCODING) does the
/// rest, exactly where Redis applies it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringOrigin {
    /// Stored through `tryObjectEncoding`: the bytes decide.
    #[default]
    Encoded,
    /// Created as is (INCRBYFLOAT): `embstr` up to 44 bytes, `raw` beyond.
    Created,
    /// Modified in place (APPEND, SETRANGE): `raw`.
    Raw,
    /// Duplicated by COPY (`dupStringObject`): encoded as the original was, but never one of
    /// the shared integers, so its refcount is 1.
    Duplicated,
}

/// One database.
#[derive(Clone, Debug, Default)]
pub struct Db {
    pub(crate) keys: IndexMap<Vec<u8>, Entry>,
    /// Absolute expiry times in Unix milliseconds, for keys that have one.
    pub(crate) expires: IndexMap<Vec<u8>, u64>,
}

impl Db {
    /// Number of keys, expired-but-not-yet-collected ones included (as DBSIZE counts them).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the database holds no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of keys with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.expires.len()
    }

    /// Every key with its value and expiry, for front ends that show the keyspace. Reading it
    /// has no side effects: nothing is expired, counted or touched.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Value, Option<u64>)> {
        self.keys
            .iter()
            .map(|(k, e)| (k.as_slice(), &e.value, self.expires.get(k).copied()))
    }

    /// The key at `index` in the keyspace's own order, with its value and expiry: a page of a
    /// huge keyspace without walking it all. The order is stable until a key is deleted (a
    /// deletion moves the last key into its place). No side effects, as [`Db::iter`].
    pub fn get_index(&self, index: usize) -> Option<(&[u8], &Value, Option<u64>)> {
        self.keys
            .get_index(index)
            .map(|(k, e)| (k.as_slice(), &e.value, self.expires.get(k).copied()))
    }

    /// The entry stored under `key`, with its expiry, for front ends that inspect a value
    /// (the page's inspectors). No side effects, as [`Db::iter`]: an expired key not yet
    /// collected is still returned.
    pub fn peek(&self, key: &[u8]) -> Option<(&Entry, Option<u64>)> {
        self.keys
            .get(key)
            .map(|e| (e, self.expires.get(key).copied()))
    }
}

impl Entry {
    /// What OBJECT ENCODING answers for this entry: for a string, Redis's rule applied to its
    /// bytes and [`StringOrigin`] (`int` for an integer of at most 20 characters stored through
    /// `tryObjectEncoding`, `raw` once modified in place, else `embstr` up to 44 bytes and `raw`
    /// beyond); for the other types, what their structure says.
    pub fn encoding(&self) -> &'static str {
        /// Redis's `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`.
        const EMBSTR_SIZE_LIMIT: usize = 44;
        match &self.value {
            Value::String(s) => match self.string_origin {
                StringOrigin::Encoded | StringOrigin::Duplicated
                    if s.len() <= 20 && crate::args::string2ll(s).is_some() =>
                {
                    "int"
                }
                StringOrigin::Raw => "raw",
                _ if s.len() <= EMBSTR_SIZE_LIMIT => "embstr",
                _ => "raw",
            },
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }
}

/// Options for [`Engine::lookup_read_with`], as Redis's `LOOKUP_*` flags.
#[derive(Clone, Copy, Debug, Default)]
pub struct LookupFlags {
    /// Do not refresh the LRU/LFU clock (TYPE, TTL, EXISTS... `LOOKUP_NOTOUCH`).
    pub no_touch: bool,
    /// Do not count a hit or a miss (`LOOKUP_NOSTATS`).
    pub no_stats: bool,
}

impl LookupFlags {
    pub const NO_TOUCH: LookupFlags = LookupFlags {
        no_touch: true,
        no_stats: false,
    };
}

impl Engine {
    /// Looks a key up for reading: expires it if stale, counts a hit or a miss, touches it.
    pub(crate) fn lookup_read(&mut self, db: usize, key: &[u8]) -> Option<&Value> {
        self.lookup_read_with(db, key, LookupFlags::default())
    }

    /// [`Engine::lookup_read`] with Redis's lookup flags.
    pub(crate) fn lookup_read_with(
        &mut self,
        db: usize,
        key: &[u8],
        flags: LookupFlags,
    ) -> Option<&Value> {
        let found = self.lookup(db, key, flags.no_touch);
        if !flags.no_stats {
            if found {
                self.stats.keyspace_hits += 1;
            } else {
                self.stats.keyspace_misses += 1;
            }
        }
        if found {
            self.dbs[db].keys.get(key).map(|e| &e.value)
        } else {
            None
        }
    }

    /// Looks a key up for writing: expires it if stale and touches it; no hit/miss counting.
    pub(crate) fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        if self.lookup(db, key, false) {
            self.dbs[db].keys.get_mut(key).map(|e| &mut e.value)
        } else {
            None
        }
    }

    /// Shared by both doors: lazy expiry, then the LRU touch. True when the key exists.
    fn lookup(&mut self, db: usize, key: &[u8], no_touch: bool) -> bool {
        self.expire_if_needed(db, key);
        let lru = self.lru_clock();
        match self.dbs[db].keys.get_mut(key) {
            Some(entry) => {
                if !no_touch {
                    entry.lru = lru;
                }
                true
            }
            None => false,
        }
    }

    /// Deletes `key` if its expiry has passed, announcing `expired`. True if it was deleted.
    pub(crate) fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        match self.dbs[db].expires.get(key) {
            // Strictly past, as Redis's keyIsExpired (`now > when`): at its very millisecond a
            // key still exists, with a PTTL of 0.
            Some(&when) if self.now_ms > when => {
                self.delete_expired(db, key);
                true
            }
            _ => false,
        }
    }

    /// Removes a key whose time is up: the one place expiry deletes, for lazy and active
    /// expiry alike.
    pub(crate) fn delete_expired(&mut self, db: usize, key: &[u8]) {
        self.db_remove(db, key);
        self.stats.expired_keys += 1;
        self.notify(NotifyClass::Expired, "expired", db, key);
    }

    /// Adds a key that does not exist yet (Redis's `dbAdd`).
    pub(crate) fn db_add(&mut self, db: usize, key: &[u8], value: Value) {
        let lru = self.lru_clock();
        self.dbs[db].keys.insert(
            key.to_vec(),
            Entry {
                value,
                lru,
                string_origin: StringOrigin::Encoded,
            },
        );
    }

    /// Records how the string at `key` was just written (see [`StringOrigin`]).
    pub(crate) fn set_string_origin(&mut self, db: usize, key: &[u8], origin: StringOrigin) {
        if let Some(entry) = self.dbs[db].keys.get_mut(key) {
            entry.string_origin = origin;
        }
    }

    /// Creates or overwrites a key (Redis's `setKey`): an overwrite drops the TTL unless
    /// `keep_ttl` (SET ... KEEPTTL).
    pub(crate) fn set_key(&mut self, db: usize, key: &[u8], value: Value, keep_ttl: bool) {
        let lru = self.lru_clock();
        let d = &mut self.dbs[db];
        match d.keys.get_mut(key) {
            Some(entry) => {
                entry.value = value;
                entry.lru = lru;
                entry.string_origin = StringOrigin::Encoded;
                if !keep_ttl {
                    d.expires.swap_remove(key);
                }
            }
            None => {
                d.keys.insert(
                    key.to_vec(),
                    Entry {
                        value,
                        lru,
                        string_origin: StringOrigin::Encoded,
                    },
                );
            }
        }
    }

    /// Deletes a key and its TTL (Redis's `dbDelete`); true if it existed. The caller
    /// announces the deletion with the event its command names (`del`, `rename_from`...).
    pub(crate) fn db_delete(&mut self, db: usize, key: &[u8]) -> bool {
        self.db_remove(db, key).is_some()
    }

    /// Removes a key with its TTL, returning its entry.
    pub(crate) fn db_remove(&mut self, db: usize, key: &[u8]) -> Option<Entry> {
        let d = &mut self.dbs[db];
        d.expires.swap_remove(key);
        d.keys.swap_remove(key)
    }

    /// Sets an absolute expiry (Unix ms) on an existing key.
    pub(crate) fn set_expire(&mut self, db: usize, key: &[u8], when_ms: u64) {
        let d = &mut self.dbs[db];
        if d.keys.contains_key(key) {
            match d.expires.get_mut(key) {
                Some(at) => *at = when_ms,
                None => {
                    d.expires.insert(key.to_vec(), when_ms);
                }
            }
        }
    }

    /// Removes a key's TTL; true if it had one.
    pub(crate) fn remove_expire(&mut self, db: usize, key: &[u8]) -> bool {
        self.dbs[db].expires.swap_remove(key).is_some()
    }

    /// The key's absolute expiry (Unix ms), if it has one. No side effects.
    pub(crate) fn get_expire(&self, db: usize, key: &[u8]) -> Option<u64> {
        self.dbs[db].expires.get(key).copied()
    }

    /// Announces a change to a key: the event the page animates and that keyspace
    /// notifications and WATCH are built on (Redis's `notifyKeyspaceEvent`).
    pub(crate) fn notify(
        &mut self,
        class: NotifyClass,
        event: &'static str,
        db: usize,
        key: &[u8],
    ) {
        self.dirty += 1;
        if self.capture_events {
            self.events.push(KeyspaceEvent {
                class,
                event,
                db,
                key: key.to_vec(),
            });
        }
    }

    /// Redis's LRU clock: seconds, wrapped to 24 bits.
    pub(crate) fn lru_clock(&self) -> u32 {
        ((self.now_ms / 1000) & 0x00ff_ffff) as u32
    }
}
