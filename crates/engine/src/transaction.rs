//! Transactions: MULTI queues, EXEC runs the queue as one step, WATCH makes EXEC conditional.
//!
//! **Queuing.** After MULTI, a client's commands are not run: each is checked as far as it
//! can be without running it (the command exists, its arity fits) and queued, answered
//! `+QUEUED`. EXEC then runs the whole queue in order with nothing from another client in
//! between (the engine is single-threaded, so "in between" can only mean between two
//! `execute` calls) and answers with an array of their replies. A command that fails while
//! it runs (WRONGTYPE, say) is just an error in that array; the others still run: there is no
//! rollback, as in Redis. A command refused while queuing, though, marks the transaction
//! (Redis's `CLIENT_DIRTY_EXEC`), and EXEC then runs nothing and answers `EXECABORT`.
//! EXEC, DISCARD, MULTI, WATCH, QUIT and RESET are never queued: they act on the transaction
//! itself (a nested MULTI and a WATCH inside MULTI are errors that do not mark it).
//!
//! **Optimistic locking.** WATCH records keys; if any of them changes before EXEC, EXEC runs
//! nothing and answers the null array. Checking "did it change" by comparing values would
//! cost a copy of every watched value; Redis instead inverts the question, and so do we:
//!
//! ```text
//!   watched_keys: (db, key) -> [clients watching it]        client.watched: [(db, key), ...]
//!
//!   any write to (db, key)  --notify-->  touch_watched_key: every client in the list
//!                                        gets dirty_cas = true
//!   EXEC: dirty_cas?  -> null array, nothing runs
//! ```
//!
//! Every change to a key is announced through `Engine::notify` (`crate::db`), so hooking the
//! touch there means no write can forget it, expiry included: a watched key that expires
//! (lazily or actively) is a change. Two rules of Redis 7.0 refine that:
//! - a key that had already expired when WATCHed, but was not yet deleted, is remembered as
//!   such: its deletion by expiry is no logical change (it was already gone), while a new
//!   write to it is;
//! - at EXEC, a watched key that has expired since, even if no access has deleted it yet,
//!   fails the transaction, since it changed.
//!
//! FLUSHDB, FLUSHALL and SWAPDB change many keys at once without announcing each: they touch
//! every watched key of the databases concerned that exists on either side of the change
//! ([`Engine::touch_all_watched_keys_in_db`]). The table is kept per (db, key), so a write
//! costs one hash lookup when nobody watches, and EXEC, DISCARD, RESET and disconnection
//! forget the client's watches.

use std::collections::HashMap;

use crate::engine::{ClientId, Engine};
use crate::error::Error;

/// A client's MULTI state: what it queued, and whether queuing failed.
#[derive(Clone, Debug, Default)]
pub struct Transaction {
    /// The queued requests, each a whole argv.
    pub queue: Vec<Vec<Vec<u8>>>,
    /// A command was refused while queuing: EXEC answers EXECABORT (`CLIENT_DIRTY_EXEC`).
    pub aborted: bool,
}

/// A key one client watches.
#[derive(Clone, Debug)]
pub struct WatchedKey {
    pub db: usize,
    pub key: Vec<u8>,
    /// It had expired (but was not deleted) when WATCHed: its deletion is no change.
    expired: bool,
}

/// Who watches each key, the server side of the bookkeeping above.
pub(crate) type WatchedKeys = HashMap<(usize, Vec<u8>), Vec<ClientId>>;

/// Commands that act on the transaction itself, and so run at once even after MULTI.
const NEVER_QUEUED: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

impl Engine {
    /// After MULTI, queues the request (unless it is one of [`NEVER_QUEUED`]) and returns
    /// true; otherwise returns false and the command runs.
    pub(crate) fn queue_in_transaction(
        &mut self,
        client: ClientId,
        name: &str,
        argv: &[Vec<u8>],
    ) -> bool {
        let Some(transaction) = self.clients.get_mut(&client).and_then(|c| c.multi.as_mut()) else {
            return false;
        };
        if NEVER_QUEUED.contains(&name) {
            return false;
        }
        transaction.queue.push(argv.to_vec());
        true
    }

    /// A command was refused before running (Redis's `rejectCommand`): inside MULTI the
    /// transaction will abort; a refused EXEC discards it at once and says why.
    pub(crate) fn reject(&mut self, client: ClientId, argv: &[Vec<u8>], error: Error) -> Error {
        if let Some(transaction) = self.clients.get_mut(&client).and_then(|c| c.multi.as_mut()) {
            transaction.aborted = true;
        }
        if !argv[0].eq_ignore_ascii_case(b"exec") {
            return error;
        }
        // The `multi` a monitor saw is closed by this EXEC's line (`execCommandAbort`).
        if let Some(db) = self.clients.get(&client).map(|c| c.db) {
            self.feed_monitors(client, db, "exec", argv);
        }
        self.discard_transaction(client);
        let text = error.to_string();
        Error::ExecRefused(text.strip_prefix("ERR ").unwrap_or(&text).to_string())
    }

    /// WATCH one key for `client`, once.
    pub(crate) fn watch(&mut self, client: ClientId, db: usize, key: &[u8]) {
        let expired = self.key_is_expired(db, key);
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        if c.watched.iter().any(|w| w.db == db && w.key == key) {
            return;
        }
        c.watched.push(WatchedKey {
            db,
            key: key.to_vec(),
            expired,
        });
        self.watched_keys
            .entry((db, key.to_vec()))
            .or_default()
            .push(client);
    }

    /// Forgets every key `client` watches (UNWATCH, EXEC, DISCARD, RESET, disconnection).
    pub(crate) fn unwatch_all(&mut self, client: ClientId) {
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        c.dirty_cas = false;
        for watched in std::mem::take(&mut c.watched) {
            let slot = (watched.db, watched.key);
            if let Some(clients) = self.watched_keys.get_mut(&slot) {
                clients.retain(|&id| id != client);
                if clients.is_empty() {
                    self.watched_keys.remove(&slot);
                }
            }
        }
    }

    /// A key changed: every client watching it will fail its EXEC (Redis's
    /// `touchWatchedKey`), unless the change is the deletion of a key that had already
    /// expired when it was watched.
    pub(crate) fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.watched_keys.is_empty() {
            return;
        }
        let Some(clients) = self.watched_keys.get(&(db, key.to_vec())) else {
            return;
        };
        let exists = self.dbs[db].keys.contains_key(key);
        for id in clients {
            let Some(c) = self.clients.get_mut(id) else {
                continue;
            };
            let Some(watched) = c.watched.iter_mut().find(|w| w.db == db && w.key == key) else {
                continue;
            };
            if watched.expired && !exists {
                watched.expired = false;
            } else {
                c.dirty_cas = true;
            }
        }
    }

    /// Database `emptied` is being flushed, or swapped with `replaced_with`: touches each
    /// key watched in it that exists on either side (Redis's `touchAllWatchedKeysInDb`,
    /// with its care for keys already expired). Call before the change.
    pub(crate) fn touch_all_watched_keys_in_db(
        &mut self,
        emptied: usize,
        replaced_with: Option<usize>,
    ) {
        let slots: Vec<(usize, Vec<u8>)> = self
            .watched_keys
            .keys()
            .filter(|(db, _)| *db == emptied)
            .cloned()
            .collect();
        for (db, key) in slots {
            let exists_in_emptied = self.dbs[db].keys.contains_key(&key);
            let in_replacement = replaced_with.filter(|&r| self.dbs[r].keys.contains_key(&key));
            if !exists_in_emptied && in_replacement.is_none() {
                continue;
            }
            let replacement_expired = in_replacement.is_some_and(|r| self.key_is_expired(r, &key));
            let clients = self.watched_keys.get(&(db, key.clone())).cloned();
            for id in clients.unwrap_or_default() {
                let Some(c) = self.clients.get_mut(&id) else {
                    continue;
                };
                let Some(watched) = c.watched.iter_mut().find(|w| w.db == db && w.key == key)
                else {
                    continue;
                };
                if watched.expired {
                    if in_replacement.is_none() {
                        watched.expired = false;
                        continue;
                    } else if replacement_expired {
                        continue;
                    }
                } else if !exists_in_emptied && replacement_expired {
                    watched.expired = true;
                    continue;
                }
                c.dirty_cas = true;
            }
        }
    }

    /// True when a key `client` watches has expired since it was watched, deleted or not
    /// (Redis's `isWatchedKeyExpired`, checked by EXEC).
    pub(crate) fn watched_key_expired(&self, client: ClientId) -> bool {
        self.clients.get(&client).is_some_and(|c| {
            c.watched
                .iter()
                .any(|w| !w.expired && self.key_is_expired(w.db, &w.key))
        })
    }

    /// Ends `client`'s transaction, if any, and forgets its watches (DISCARD, RESET).
    pub(crate) fn discard_transaction(&mut self, client: ClientId) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.multi = None;
        }
        self.unwatch_all(client);
    }
}
