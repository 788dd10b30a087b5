//! The keyspace: sixteen (by default) databases of keys, and the one door every command goes
//! through to reach them.
//!
//! A [`Db`] keeps its keys in a [`Dict`]: O(1) lookup by name, plus O(1) access by position,
//! which RANDOMKEY, eviction sampling and the active expire cycle need to pick keys at random.
//! Keys with a TTL are also listed apart, as Redis keeps `db->expires` beside `db->dict`: the
//! active expire cycle samples only keys that can expire. `crate::dict` tells how a key is laid
//! out in memory, and why.
//!
//! Commands never touch those maps directly. Like Redis's `lookupKey()` in db.c, the doors in
//! `impl Engine` below do, in order, for every access:
//! 1. expire the key if its time has passed (lazy expiry), emitting an `expired` event;
//! 2. for reads, count a keyspace hit or miss (`keyspace_hits` / `keyspace_misses`), unless the
//!    caller asked for no stats;
//! 3. refresh the key's access stamp, unless the caller asked for no touch: the LRU clock, or
//!    under an LFU policy the decayed and incremented frequency counter (`crate::evict`);
//! 4. for writes, note the key so that its modelled size in `used_memory` is settled once the
//!    command is done (`crate::memory`): whatever the command changes in place is priced;
//!
//! so lazy expiry, statistics, access stamps and memory accounting can never be forgotten by
//! one command. Writes go through [`Engine::set_key`], [`Engine::db_add`],
//! [`Engine::db_delete`] and the expire setters, which keep the accounting too, and every
//! change is announced with [`Engine::notify`], which also touches WATCHed keys and
//! publishes keyspace notifications.

use crate::dict::Dict;
use crate::evict::Eviction;

use crate::engine::Engine;
use crate::event::{KeyspaceEvent, NotifyClass};
use crate::memory;
use crate::types::{Hash, List, Set, SortedSet, Stream, StringValue};

/// A stored value: one variant per Redis type, each type's structure in `crate::types`. Two
/// words: a short string inline, anything else behind a pointer (see `crate::dict`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A binary-safe string (Redis's `OBJ_STRING`), with how it was last written.
    String(StringValue),
    /// `OBJ_LIST`
    List(Box<List>),
    /// `OBJ_HASH`
    Hash(Box<Hash>),
    /// `OBJ_SET`
    Set(Box<Set>),
    /// `OBJ_ZSET`
    ZSet(Box<SortedSet>),
    /// `OBJ_STREAM`
    Stream(Box<Stream>),
}

impl Value {
    /// A string stored through `tryObjectEncoding` (see [`StringOrigin`]).
    pub fn string(bytes: impl Into<Vec<u8>>) -> Value {
        Value::String(StringValue::new(bytes.into()))
    }

    pub fn list(list: List) -> Value {
        Value::List(Box::new(list))
    }

    pub fn hash(hash: Hash) -> Value {
        Value::Hash(Box::new(hash))
    }

    pub fn set(set: Set) -> Value {
        Value::Set(Box::new(set))
    }

    pub fn zset(zset: SortedSet) -> Value {
        Value::ZSet(Box::new(zset))
    }

    pub fn stream(stream: Stream) -> Value {
        Value::Stream(Box::new(stream))
    }

    /// The name TYPE answers with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
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
            Value::Stream(s) => s.len() as usize,
        }
    }
}

/// A key's value and its access bookkeeping: 32 bytes (see `crate::dict`).
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// The access clock's reading at the key's creation or last access: the order of
    /// accesses, finer than `lru`'s seconds, by which the LRU policies choose (`crate::evict`).
    pub(crate) access: u64,
    /// Redis's 24-bit `lru` field in the low bits: under an LRU policy (or none) the
    /// seconds-resolution LRU clock of the last access; under an LFU policy the minutes of the
    /// last decrement (high 16 of the 24 bits) and the logarithmic access counter (low 8). See
    /// `crate::evict`. The top 8 bits are bits 32..40 of `mem`.
    lru_mem_high: u32,
    /// The low 32 bits of the key's modelled share of `used_memory` (its dict entry, name and
    /// value), as last settled: what deleting it gives back. Forty bits in all: a terabyte.
    mem_low: u32,
}

/// The bits of [`Entry`]'s `lru_mem_high` that hold the `lru` field.
const LRU_BITS: u32 = (1 << 24) - 1;

/// How a string value was last written, the one piece of history OBJECT ENCODING needs.
///
/// Redis chooses a string's encoding when it stores it through `tryObjectEncoding` (SET and
/// its variants, MSET, INCR and DECR, APPEND to a missing key): `int` for an integer of at
/// most 20 characters, `embstr` up to 44 bytes, `raw` beyond; so for those the bytes alone
/// decide. Two other paths break that rule, and only they are recorded, by the commands that
/// take them: INCRBYFLOAT stores with `createStringObject` (`embstr` or `raw` by length, never
/// `int`: `INCRBYFLOAT k 1` makes an embstr `1`), and the writes in place (APPEND to an
/// existing string, SETRANGE, SETBIT and BITFIELD, the PF commands) and BITOP's result, which
/// leave it `raw` whatever it holds. A raw string also carries its sds allocation
/// ([`memory::Sds`]): in-place writes grow it greedily, so what MEMORY USAGE and `used_memory`
/// count depends on the writes' history, not on the length alone. A new string value starts
/// `Encoded`; RENAME and MOVE carry the value, and so its origin, and COPY marks its copy
/// `Duplicated` (a raw one stays raw, allocated exactly). The origin lives in the value
/// ([`crate::types::StringValue`]), where a short string has room for it.
///
/// Keeping this rather than an encoding proper means the string commands
/// only say which path they took, and Redis's own rule (below, in OBJECT ENCODING) does the
/// rest, exactly where Redis applies it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringOrigin {
    /// Stored through `tryObjectEncoding`: the bytes decide.
    #[default]
    Encoded,
    /// Created as is (INCRBYFLOAT): `embstr` up to 44 bytes, `raw` beyond.
    Created,
    /// Modified in place (APPEND, SETRANGE...) or created raw (BITOP): `raw`, with the
    /// allocation of its sds.
    Raw(memory::Sds),
    /// Duplicated by COPY (`dupStringObject`): encoded as the original was, but never one of
    /// the shared integers, so its refcount is 1.
    Duplicated,
}

impl StringOrigin {
    /// The sds a write in place starts from (`dbUnshareStringValue`): a `raw` string's own
    /// (one SET stored, trimmed as it was stored, is written in place, its refcount being 1),
    /// or for an `embstr` or an integer the exact copy Redis makes of a string `len` bytes
    /// long. DEBUG SDSLEN describes a `raw` string's sds by it too.
    pub fn unshared(self, len: usize) -> memory::Sds {
        match self {
            StringOrigin::Raw(sds) => sds,
            StringOrigin::Encoded if len > memory::EMBSTR_SIZE_LIMIT => memory::Sds::stored(len),
            _ => memory::Sds::new(len),
        }
    }
}

/// One database.
#[derive(Clone, Debug, Default)]
pub struct Db {
    /// The keys, and for those that have one their absolute expiry in Unix milliseconds.
    pub(crate) keys: Dict,
    /// The sum of the keys' `mem`.
    pub(crate) keys_mem: usize,
    /// Redis's running estimate of the average TTL of volatile keys (ms), updated by the
    /// active expire cycle from the keys it samples (INFO keyspace's `avg_ttl`).
    pub(crate) avg_ttl: u64,
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
        self.keys.volatile_len()
    }

    /// This database's modelled share of `used_memory`: its keys (whose entries in the main
    /// dict are in their `mem`), and the bucket arrays of both dicts and the expires dict's
    /// entries, priced from their counts.
    pub fn used_memory(&self) -> usize {
        self.keys_mem
            + 8 * memory::dict_buckets(self.keys.len())
            + 8 * memory::dict_buckets(self.volatile_len())
            + memory::DICT_ENTRY * self.volatile_len()
    }

    /// The main dict's overhead as Redis reports it (MEMORY STATS `overhead.hashtable.main`,
    /// part of INFO's `used_memory_overhead`): `sizeof(dictEntry)` and `sizeof(robj)` per key,
    /// and the buckets.
    pub(crate) fn main_dict_overhead(&self) -> usize {
        dict_overhead(self.keys.len()) + memory::ROBJ * self.keys.len()
    }

    /// The same for the expires dict (`overhead.hashtable.expires`).
    pub(crate) fn expires_dict_overhead(&self) -> usize {
        dict_overhead(self.volatile_len())
    }

    /// Empties the database (FLUSHDB).
    pub(crate) fn clear(&mut self) {
        self.keys.clear();
        self.keys_mem = 0;
        self.avg_ttl = 0;
    }

    /// Every key with its value and expiry, for front ends that show the keyspace. Reading it
    /// has no side effects: nothing is expired, counted or touched.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Value, Option<u64>)> {
        self.keys
            .iter()
            .map(|(k, e)| (k, &e.value, self.keys.expire_of(k)))
    }

    /// The key at `index` in the keyspace's own order, with its value and expiry: a page of a
    /// huge keyspace without walking it all. The order is stable until a key is deleted (a
    /// deletion moves the last key into its place). No side effects, as [`Db::iter`].
    pub fn get_index(&self, index: usize) -> Option<(&[u8], &Value, Option<u64>)> {
        self.keys
            .get_index(index)
            .map(|(k, e)| (k, &e.value, self.keys.expire_of(k)))
    }

    /// Every key with its entry, in the keyspace's order, without side effects: for front ends
    /// that rank keys (the page's biggest keys).
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.keys.iter()
    }

    /// The entry stored under `key`, with its expiry, for front ends that inspect a value
    /// (the page's inspectors). No side effects, as [`Db::iter`]: an expired key not yet
    /// collected is still returned.
    pub fn peek(&self, key: &[u8]) -> Option<(&Entry, Option<u64>)> {
        self.keys.get(key).map(|e| (e, self.keys.expire_of(key)))
    }
}

impl Entry {
    /// A new entry: its value, access stamps and modelled size.
    pub(crate) fn new(value: Value, lru: u32, access: u64, mem: usize) -> Entry {
        let mut entry = Entry {
            value,
            access,
            lru_mem_high: 0,
            mem_low: 0,
        };
        entry.set_lru(lru);
        entry.set_mem(mem);
        entry
    }

    /// Redis's 24-bit `lru` field (see the field's text).
    pub fn lru(&self) -> u32 {
        self.lru_mem_high & LRU_BITS
    }

    pub(crate) fn set_lru(&mut self, lru: u32) {
        self.lru_mem_high = (self.lru_mem_high & !LRU_BITS) | (lru & LRU_BITS);
    }

    fn set_mem(&mut self, mem: usize) {
        let mem = mem as u64;
        debug_assert!(mem < 1 << 40, "a key's modelled size fits in forty bits");
        self.mem_low = mem as u32;
        self.lru_mem_high = (self.lru_mem_high & LRU_BITS) | (((mem >> 32) as u32) << 24);
    }

    /// For a string, how it was last written: what OBJECT ENCODING needs beyond its bytes
    /// (`Encoded` for the other types, which never ask).
    pub fn string_origin(&self) -> StringOrigin {
        match &self.value {
            Value::String(s) => s.origin(),
            _ => StringOrigin::Encoded,
        }
    }

    /// The byte Redis reads just past a string's end (a HyperLogLog's sparse decoder does):
    /// a raw string's own ([`crate::memory::Sds::past_end`]), a NUL after any other, which a
    /// write would copy afresh.
    pub fn past_end(&self) -> u8 {
        match (&self.value, self.string_origin()) {
            (Value::String(s), StringOrigin::Raw(sds)) => sds.past_end(s.len()),
            _ => 0,
        }
    }

    /// The key's modelled share of `used_memory`: dict entry, name and value (what deleting
    /// it gives back), for the page's biggest keys.
    pub fn memory(&self) -> usize {
        (u64::from(self.mem_low) | u64::from(self.lru_mem_high >> 24) << 32) as usize
    }

    /// What OBJECT ENCODING answers for this entry: for a string, Redis's rule applied to its
    /// bytes and [`StringOrigin`] (`int` for an integer of at most 20 characters stored through
    /// `tryObjectEncoding`, `raw` once modified in place, else `embstr` up to 44 bytes and `raw`
    /// beyond); for the other types, what their structure says.
    pub fn encoding(&self) -> &'static str {
        match &self.value {
            Value::String(s) => match s.origin() {
                StringOrigin::Encoded | StringOrigin::Duplicated
                    if s.len() <= 20 && crate::args::string2ll(s).is_some() =>
                {
                    "int"
                }
                StringOrigin::Raw(_) => "raw",
                _ if s.len() <= crate::memory::EMBSTR_SIZE_LIMIT => "embstr",
                _ => "raw",
            },
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(_) => "stream",
        }
    }
}

/// The keys the write door handed out during one command, to be priced again after it. The
/// key buffers are kept from command to command, so that noting a key allocates nothing once
/// the engine has warmed up.
#[derive(Clone, Debug, Default)]
pub(crate) struct WrittenKeys {
    /// Database, position in its keyspace when noted, name.
    keys: Vec<(usize, usize, Vec<u8>)>,
    len: usize,
}

impl WrittenKeys {
    fn note(&mut self, db: usize, index: usize, key: &[u8]) {
        // Most commands write one key, often noting it twice (INCR's lookup, then its origin).
        if let Some((d, _, k)) = self.len.checked_sub(1).map(|last| &self.keys[last]) {
            if *d == db && k == key {
                return;
            }
        }
        match self.keys.get_mut(self.len) {
            Some((d, i, buffer)) => {
                (*d, *i) = (db, index);
                buffer.clear();
                buffer.extend_from_slice(key);
            }
            None => self.keys.push((db, index, key.to_vec())),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = (usize, usize, &[u8])> {
        self.keys[..self.len]
            .iter()
            .map(|(d, i, k)| (*d, *i, k.as_slice()))
    }

    fn clear(&mut self) {
        self.len = 0;
        // A command that wrote thousands of keys leaves no thousands of buffers behind.
        self.keys.truncate(16);
    }
}

/// Redis's `dictSize × sizeof(dictEntry) + dictSlots × sizeof(dictEntry*)`.
fn dict_overhead(entries: usize) -> usize {
    entries * memory::SIZEOF.dict_entry + 8 * memory::dict_buckets(entries)
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

/// The shared integer object a key's value is, if it is one (see `Eviction::shared`).
fn shared_object(eviction: &Eviction, entry: &Entry) -> Option<usize> {
    match &entry.value {
        Value::String(s) => memory::shared_integer(s, s.origin(), eviction.shared_integers()),
        _ => None,
    }
}

impl Engine {
    /// A key's access stamp (LRU clock or LFU counter), which for a shared integer is its
    /// object's: what OBJECT IDLETIME and OBJECT FREQ read.
    pub(crate) fn access_stamp(&self, entry: &Entry) -> u32 {
        shared_object(&self.eviction, entry)
            .and_then(|n| self.eviction.shared_stamp(n))
            .unwrap_or(entry.lru())
    }

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
        // During a pause a stale key reads as missing but stays, the dataset kept still
        // (Redis's `expireIfNeeded`); a write, which the pause holds, deletes it as usual.
        // Without a pause no read pays for a second look at the key's expiry.
        let kept_by_pause = self.client_pause().is_some()
            && self.key_is_expired(db, key)
            && self.check_pause_timeout();
        let found = match kept_by_pause {
            true => None,
            false => self.lookup(db, key, flags.no_touch, false),
        };
        if !flags.no_stats {
            if found.is_some() {
                self.stats.keyspace_hits += 1;
            } else {
                self.stats.keyspace_misses += 1;
            }
        }
        let Some(index) = found else {
            self.notify_keyspace_event(NotifyClass::KeyMiss, "keymiss", db, key);
            return None;
        };
        self.dbs[db].keys.get_index(index).map(|(_, e)| &e.value)
    }

    /// Looks a key up for writing: expires it if stale and touches it; no hit/miss counting.
    /// The key's size is settled after the command, whatever it changes.
    pub(crate) fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        let index = self.lookup(db, key, false, true)?;
        self.written.note(db, index, key);
        self.dbs[db]
            .keys
            .get_index_mut(index)
            .map(|(_, e)| &mut e.value)
    }

    /// Whether `key` exists, looked up as for writing (lazy expiry, then the touch) by a command
    /// that leaves it as it is (DEBUG POPULATE skips the keys it finds): nothing is noted for
    /// the memory settlement, which a million found keys would otherwise fill.
    pub(crate) fn exists_for_write(&mut self, db: usize, key: &[u8]) -> bool {
        self.lookup(db, key, false, true).is_some()
    }

    /// [`Engine::lookup_write`], adding `new()` under the key first when it is missing
    /// (Redis's `lookupKeyWrite`, then `dbAdd`, as SETBIT and PFADD do); true when it was
    /// just created. A string written in place records its new origin in its value
    /// ([`StringOrigin::Raw`] with the allocation its sds now has).
    pub(crate) fn lookup_write_or_add(
        &mut self,
        db: usize,
        key: &[u8],
        new: impl FnOnce() -> Value,
    ) -> (&mut Value, bool) {
        let (index, created) = match self.lookup(db, key, false, true) {
            Some(index) => (index, false),
            None => {
                self.db_add(db, key, new());
                // A new key goes to the end of the keyspace.
                (self.dbs[db].keys.len() - 1, true)
            }
        };
        self.written.note(db, index, key);
        (&mut self.dbs[db].keys[index].value, created)
    }

    /// Redis's `dbUnshareStringValue`, for a key this command has just reached through one of
    /// the doors: a string that is not raw becomes raw, allocated exactly; a raw one is left
    /// as it is.
    pub(crate) fn unshare_string(&mut self, db: usize, key: &[u8]) {
        if let Some((index, entry)) = self.dbs[db].keys.get_full_mut(key) {
            if let Value::String(s) = &mut entry.value {
                s.set_origin(StringOrigin::Raw(s.origin().unshared(s.len())));
                self.written.note(db, index, key);
            }
        }
    }

    /// The value of a key this command has just reached through one of the doors (or added),
    /// to change it in place: a second pass through a door would touch it twice (an LFU
    /// counter could move twice) and, after a read, count a second hit. Noted for the memory
    /// settlement like any write. PFCOUNT writes its cache this way after a read, as Redis
    /// does after `lookupKeyRead`; XREADGROUP advances its groups so after reading its streams.
    pub(crate) fn looked_up_mut(&mut self, db: usize, key: &[u8]) -> Option<&mut Value> {
        let (index, entry) = self.dbs[db].keys.get_full_mut(key)?;
        self.written.note(db, index, key);
        Some(&mut entry.value)
    }

    /// Shared by both doors: lazy expiry, then the access stamp. The key's position in the
    /// keyspace when it exists, so that the door reaches it again without hashing its name.
    /// A `write` on a replica deletes a key past its time, as Redis forces it for writes.
    fn lookup(&mut self, db: usize, key: &[u8], no_touch: bool, write: bool) -> Option<usize> {
        // One hash of the name finds both the key and its expiry.
        let index = match self.dbs[db].keys.get_index_and_expire(key) {
            // On a replica only the primary deletes: the master client still sees the key,
            // everyone else finds it missing (Redis's `expireIfNeeded`).
            (index, Some(when)) if self.is_stale(when) => match self.replica_sees_expired() {
                Some(true) => index?,
                Some(false) if !write => return None,
                _ => {
                    self.delete_expired(db, key);
                    return None;
                }
            },
            (index, _) => index?,
        };
        let entry = &mut self.dbs[db].keys[index];
        if !no_touch {
            entry.access = self.eviction.next_access(db, key, Some(entry.access));
            match shared_object(&self.eviction, entry) {
                Some(n) => self.eviction.touch_shared(n, self.now_ms, &mut self.rng),
                None => {
                    let lru = self
                        .eviction
                        .touched(entry.lru(), self.now_ms, &mut self.rng);
                    entry.set_lru(lru);
                }
            }
        }
        Some(index)
    }

    /// Deletes `key` if its expiry has passed, announcing `expired`. True if it was deleted.
    /// On a replica nothing is deleted: the key counts as expired for everyone but the
    /// master client.
    pub(crate) fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        match self.dbs[db].keys.expire_of(key) {
            Some(when) if self.is_stale(when) => match self.replica_sees_expired() {
                Some(master) => !master,
                None => {
                    self.delete_expired(db, key);
                    true
                }
            },
            _ => false,
        }
    }

    /// Removes a key whose time is up: the one place expiry deletes, for lazy and active
    /// expiry alike.
    pub(crate) fn delete_expired(&mut self, db: usize, key: &[u8]) {
        self.db_delete_with(db, key, self.lazyfree.expire);
        self.propagate_deletion(db, key, self.lazyfree.expire);
        self.stats.expired_keys += 1;
        self.notify(NotifyClass::Expired, "expired", db, key);
    }

    /// Adds a key that does not exist yet (Redis's `dbAdd`), announcing it as `new` and
    /// noting it ready for clients blocked on it.
    pub(crate) fn db_add(&mut self, db: usize, key: &[u8], value: Value) {
        let lru = self.eviction.new_stamp(self.now_ms);
        let access = self.eviction.next_access(db, key, None);
        let mem = memory::key_size(key) + self.value_size(&value);
        let d = &mut self.dbs[db];
        d.keys_mem += mem;
        d.keys.insert_new(key, Entry::new(value, lru, access, mem));
        self.key_created(db, key);
    }

    /// What creating a key entails beyond storing it: blocked clients may be served, and
    /// the `new` notification.
    fn key_created(&mut self, db: usize, key: &[u8]) {
        self.signal_key_as_ready(db, key);
        self.notify_keyspace_event(NotifyClass::New, "new", db, key);
    }

    /// Records how the string at `key` was just written (see [`StringOrigin`]).
    pub(crate) fn set_string_origin(&mut self, db: usize, key: &[u8], origin: StringOrigin) {
        if let Some((index, entry)) = self.dbs[db].keys.get_full_mut(key) {
            if let Value::String(s) = &mut entry.value {
                s.set_origin(origin);
                self.written.note(db, index, key);
            }
        }
    }

    /// Creates or overwrites a key (Redis's `setKey`): an overwrite drops the TTL unless
    /// `keep_ttl` (SET ... KEEPTTL). The new value is a new object with a fresh LRU stamp,
    /// but under LFU it inherits the old one's counter, as Redis's `dbSetValue` does.
    pub(crate) fn set_key(&mut self, db: usize, key: &[u8], value: Value, keep_ttl: bool) {
        let stamp = self.eviction.new_stamp(self.now_ms);
        let lfu = self.eviction.policy.is_lfu();
        let mem = memory::key_size(key) + self.value_size(&value);
        let d = &mut self.dbs[db];
        match d.keys.get_mut(key) {
            Some(entry) => {
                // An overwritten stream ends XREADGROUP waits on it (`dbOverwrite`).
                let was_stream = matches!(entry.value, Value::Stream(_));
                let old_memory = entry.memory().saturating_sub(memory::key_size(key));
                d.keys_mem = d.keys_mem - entry.memory() + mem;
                entry.access = self.eviction.next_access(db, key, Some(entry.access));
                let old = std::mem::replace(&mut entry.value, value);
                if !lfu {
                    entry.set_lru(stamp);
                }
                entry.set_mem(mem);
                if !keep_ttl {
                    d.keys.remove_expire(key);
                }
                if was_stream {
                    self.signal_key_as_ready(db, key);
                }
                // The old value is freed as a delete frees it (`dbSetValue`).
                self.free_value(old, old_memory, self.lazyfree.server_del);
            }
            None => {
                d.keys_mem += mem;
                let access = self.eviction.next_access(db, key, None);
                d.keys
                    .insert_new(key, Entry::new(value, stamp, access, mem));
                self.key_created(db, key);
            }
        }
    }

    /// A value's modelled size under the current policy (see `crate::memory`).
    pub(crate) fn value_size(&self, value: &Value) -> usize {
        memory::value_size(value, self.accounting_pricing())
    }

    /// How `used_memory` prices values (see `crate::memory`).
    fn accounting_pricing(&self) -> memory::Pricing {
        memory::Pricing {
            structs: &memory::ALLOCATED,
            samples: memory::ACCOUNTING_SAMPLES,
            whole_listpacks: false,
            shared_integers: self.eviction.shared_integers(),
        }
    }

    /// Prices `key` again after its value changed in place, adjusting its database's total.
    /// `hint` is where the key was when noted: still there unless the command deleted keys
    /// since (a deletion moves the last key into the hole), else it is looked up by name.
    fn settle_key(&mut self, db: usize, hint: usize, key: &[u8]) {
        let pricing = self.accounting_pricing();
        let d = &mut self.dbs[db];
        let index = match d.keys.get_index(hint) {
            Some((k, _)) if k == key => Some(hint),
            _ => d.keys.get_index_of(key),
        };
        if let Some((_, entry)) = index.and_then(|i| d.keys.get_index_mut(i)) {
            let mem = memory::key_size(key) + memory::value_size(&entry.value, pricing);
            d.keys_mem = d.keys_mem - entry.memory() + mem;
            entry.set_mem(mem);
        }
    }

    /// Settles every key the write door handed out during the command just run.
    pub(crate) fn settle_memory(&mut self) {
        let mut written = std::mem::take(&mut self.written);
        for (db, hint, key) in written.iter() {
            self.settle_key(db, hint, key);
        }
        written.clear();
        self.written = written;
    }

    /// Raises `used_memory_peak` to the current figure; Redis does it in its cron and when
    /// INFO asks, not on every write, and so do we (`tick`, INFO, MEMORY STATS).
    pub(crate) fn track_peak_memory(&mut self) {
        self.peak_memory = self.peak_memory.max(self.used_memory());
    }

    /// Deletes a key and its TTL (Redis's `dbDelete`), its value freed in the background
    /// when big and `lazyfree-lazy-server-del` is on; true if it existed. The caller
    /// announces the deletion with the event its command names (`del`, `rename_from`...).
    pub(crate) fn db_delete(&mut self, db: usize, key: &[u8]) -> bool {
        self.db_delete_with(db, key, self.lazyfree.server_del)
    }

    /// [`Engine::db_delete`] with the way its value is freed given (`dbGenericDelete`):
    /// `lazy` for UNLINK, and for DEL, expiry and eviction when their parameter says so
    /// (`crate::lazyfree`).
    pub(crate) fn db_delete_with(&mut self, db: usize, key: &[u8], lazy: bool) -> bool {
        let Some(entry) = self.db_remove(db, key) else {
            return false;
        };
        let memory = entry.memory().saturating_sub(memory::key_size(key));
        self.free_value(entry.value, memory, lazy);
        true
    }

    /// Removes a key with its TTL, returning its entry. A stream going away may end the wait
    /// of clients blocked in XREADGROUP on it, as Redis's `dbGenericDelete` signals.
    pub(crate) fn db_remove(&mut self, db: usize, key: &[u8]) -> Option<Entry> {
        let d = &mut self.dbs[db];
        let entry = d.keys.swap_remove(key)?;
        d.keys_mem -= entry.memory();
        if matches!(entry.value, Value::Stream(_)) {
            self.signal_key_as_ready(db, key);
        }
        Some(entry)
    }

    /// Sets an absolute expiry (Unix ms) on an existing key.
    pub(crate) fn set_expire(&mut self, db: usize, key: &[u8], when_ms: u64) {
        self.dbs[db].keys.set_expire(key, when_ms);
    }

    /// Removes a key's TTL; true if it had one.
    pub(crate) fn remove_expire(&mut self, db: usize, key: &[u8]) -> bool {
        self.dbs[db].keys.remove_expire(key)
    }

    /// The key's absolute expiry (Unix ms), if it has one. No side effects.
    pub(crate) fn get_expire(&self, db: usize, key: &[u8]) -> Option<u64> {
        self.dbs[db].keys.expire_of(key)
    }

    /// Announces a change to a key: the event the page animates, the touch that fails the
    /// EXEC of clients WATCHing it and the invalidation of clients caching it (Redis's
    /// `signalModifiedKey`), and the keyspace notification (Redis's `notifyKeyspaceEvent`).
    pub(crate) fn notify(
        &mut self,
        class: NotifyClass,
        event: &'static str,
        db: usize,
        key: &[u8],
    ) {
        self.dirty += 1;
        let by_command = !matches!(class, NotifyClass::Expired | NotifyClass::Evicted);
        self.signal_modified_key(db, key, by_command);
        self.announce(class, event, db, key);
    }

    /// The event and the keyspace notification alone, for the commands that count their
    /// changes and touch WATCHed keys otherwise than one each (the stream commands: XSETID
    /// touches no WATCH, XTRIM counts every entry it removed).
    pub(crate) fn announce(
        &mut self,
        class: NotifyClass,
        event: &'static str,
        db: usize,
        key: &[u8],
    ) {
        self.events_announced += 1;
        if self.capture_events {
            self.events.push(KeyspaceEvent {
                class,
                event,
                db,
                key: key.to_vec(),
            });
        }
        self.notify_keyspace_event(class, event, db, key);
    }

    /// The modelled `used_memory` (see `crate::memory`): the empty server, the clients,
    /// every database, the values the lazy-free queue has yet to free (`crate::lazyfree`),
    /// and the function libraries' bookkeeping (Redis allocates it as it allocates keys; the
    /// Lua heaps are not counted, as Lua's allocator is not Redis's).
    pub fn used_memory(&self) -> usize {
        memory::EMPTY_SERVER
            + memory::CLIENT * self.connected_clients()
            + self.dbs.iter().map(Db::used_memory).sum::<usize>()
            + self.scripting.functions.current.memory_overhead()
            + self.lazyfree.pending_memory()
            + self.debug.leaked
    }
}
