//! Blocked clients: BLPOP and its kin wait for a key to receive data, first come first served.
//!
//! A blocking pop first tries to pop at once, exactly as its non-blocking twin would (BLPOP as
//! LMPOP, BZPOPMIN as ZMPOP, BLMOVE as LMOVE). Only when every key is empty does it block:
//! the client records what it waits for ([`Blocked`]) and is appended to the wait queue of
//! each of its keys; `execute` answers [`Outcome::Blocked`](crate::Outcome::Blocked) and the
//! front end sends that client nothing more until its reply arrives in the outbox.
//!
//! ```text
//!   blocking_keys: (db, "jobs") -> [c5, c9]      c5 waits on "jobs" and "mail" (BLPOP)
//!                  (db, "mail") -> [c5]          c9 waits on "jobs" (BLMOVE ... to "done")
//!   ready_keys:    [(db, "jobs")]                 LPUSH jobs created the key: maybe c5, c9
//! ```
//!
//! Waking is in two steps, as in Redis 7.0. When a key that someone waits on is created (the
//! only way a list or sorted set gains elements from nothing; `Engine::db_add` and
//! `Engine::set_key` signal it, SWAPDB signals every waited key of both databases), it is only
//! noted as ready. After the command (after EXEC's whole queue, for a transaction),
//! [`Engine::serve_blocked_clients`] walks the ready keys: each key's queue is served in the
//! order clients blocked, each client served by running its command's non-blocking twin on
//! that very key (so `BLPOP a b` served by a push to `b` answers `[b, element]`), until the key
//! is empty again. A client waiting for the other type (BLPOP on a key that became a sorted
//! set) is skipped and keeps waiting, as Redis 7.0 does. Serving can make another key ready
//! (BLMOVE pushes onto its destination): the walk goes on until no key is left. A served
//! client leaves every queue it was in, and is listed for [`Engine::take_woken`].
//!
//! Running the twin rather than a copy of its logic keeps one implementation per operation:
//! the events, notifications and deletion of an emptied key are the twin's. A twin that fails
//! (BLMOVE's destination became a string) gives its error as the reply, and moved nothing.
//!
//! Timeouts are absolute Unix times; [`Engine::tick`] answers the clients whose time has come
//! with the null array. A timeout of 0 waits forever. Inside a transaction nothing may block:
//! the command answers as if it had timed out at once (the null array, or nil for BLMOVE).
//! CLIENT UNBLOCK ends a wait early, as a timeout or with an error.

use std::collections::{HashMap, VecDeque};

use crate::db::Value;
use crate::engine::{ClientId, Engine};
use crate::error::Error;
use crate::reply::Reply;
use crate::spec;
use crate::types::stream::StreamId;

/// The type of value a blocked pop waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitsFor {
    List,
    ZSet,
}

/// How a twin's reply becomes the blocking command's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// As is (BLMOVE, BLMPOP, BZMPOP).
    Same,
    /// `[key, [element]]` to `[key, element]` (BLPOP, BRPOP).
    KeyElement,
    /// `[key, [[member, score]]]` to `[key, member, score]` (BZPOPMIN, BZPOPMAX).
    KeyMemberScore,
}

/// What a blocked client waits for, and how to serve it.
#[derive(Clone, Debug)]
pub struct Blocked {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// When to give up (Unix ms); never when `None`.
    pub timeout_at: Option<u64>,
    pub serve: Serve,
}

/// How a blocked client is served once a key it waits on is ready.
#[derive(Clone, Debug)]
pub enum Serve {
    /// A pop: when the key holds a value of the type it waits for, run the twin, an argv with
    /// the key at `key_at`, and reshape its reply.
    Twin {
        waits_for: WaitsFor,
        twin: Vec<Vec<u8>>,
        key_at: usize,
        shape: Shape,
    },
    /// XREAD or XREADGROUP: when the stream has an entry past the ID it waits after, read
    /// (`crate::cmd::stream::serve_blocked`).
    Stream(StreamWait),
    /// WAIT: until `count` replicas acknowledged the replication `offset`; on timeout, how
    /// many did (`crate::replication::master`). It waits on no key.
    Replicas { offset: u64, count: i64 },
}

/// What a blocked XREAD or XREADGROUP reads.
#[derive(Clone, Debug)]
pub struct StreamWait {
    /// Per key (as in [`Blocked::keys`]), the ID the entries wanted come after.
    pub ids: Vec<StreamId>,
    /// At most this many entries (COUNT, else 1000: Redis's `XREAD_BLOCKED_DEFAULT_COUNT`).
    pub count: usize,
    /// XREADGROUP's group, consumer and NOACK.
    pub group: Option<GroupWait>,
}

/// The group a blocked XREADGROUP reads for.
#[derive(Clone, Debug)]
pub struct GroupWait {
    pub group: Vec<u8>,
    pub consumer: Vec<u8>,
    pub noack: bool,
}

/// The engine's side of the bookkeeping: who waits on each key, and which keys may serve.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockingState {
    blocking_keys: HashMap<(usize, Vec<u8>), VecDeque<ClientId>>,
    ready_keys: VecDeque<(usize, Vec<u8>)>,
}

impl Engine {
    /// A key was created: if someone waits on it, note it for serving after the command
    /// (Redis's `signalKeyAsReady`).
    pub(crate) fn signal_key_as_ready(&mut self, db: usize, key: &[u8]) {
        let blocking = &mut self.blocking;
        if blocking.blocking_keys.is_empty() {
            return;
        }
        let slot = (db, key.to_vec());
        if blocking.blocking_keys.contains_key(&slot) && !blocking.ready_keys.contains(&slot) {
            blocking.ready_keys.push_back(slot);
        }
    }

    /// The keys of database `db` someone waits on.
    fn waited_keys(&self, db: usize) -> Vec<Vec<u8>> {
        let slots = self.blocking.blocking_keys.keys();
        slots
            .filter(|(d, _)| *d == db)
            .map(|(_, key)| key.clone())
            .collect()
    }

    /// Notes as ready every waited key of database `db` that exists (after SWAPDB).
    pub(crate) fn signal_all_keys_as_ready(&mut self, db: usize) {
        let keys = self.waited_keys(db);
        for key in keys {
            if self.dbs[db].keys.contains_key(&key) {
                self.signal_key_as_ready(db, &key);
            }
        }
    }

    /// Blocks `client` until one of `blocked.keys` can serve it or its timeout passes.
    pub(crate) fn block(&mut self, client: ClientId, blocked: Blocked) {
        for key in &blocked.keys {
            let queue = self
                .blocking
                .blocking_keys
                .entry((blocked.db, key.clone()))
                .or_default();
            if !queue.contains(&client) {
                queue.push_back(client);
            }
        }
        if let Some(c) = self.clients.get_mut(&client) {
            c.blocked = Some(blocked);
        }
    }

    /// Ends `client`'s wait without a reply, leaving every queue; what it waited for, if it
    /// was blocked.
    pub(crate) fn unblock(&mut self, client: ClientId) -> Option<Blocked> {
        let blocked = self.clients.get_mut(&client)?.blocked.take()?;
        for key in &blocked.keys {
            let slot = (blocked.db, key.clone());
            if let Some(queue) = self.blocking.blocking_keys.get_mut(&slot) {
                queue.retain(|&id| id != client);
                if queue.is_empty() {
                    self.blocking.blocking_keys.remove(&slot);
                }
            }
        }
        Some(blocked)
    }

    /// Ends `client`'s wait with `reply`, delivered to its outbox. False if it was not blocked.
    /// An error reply is counted as any error is, and makes the blocked command a failed call
    /// (Redis's `updateStatsOnUnblock`).
    pub(crate) fn unblock_with(&mut self, client: ClientId, reply: Reply) -> bool {
        if self.unblock(client).is_none() {
            return false;
        }
        if let Reply::Error(text) = &reply {
            self.count_error(text);
            self.count_blocked_failure(client);
        }
        if self.reply_wanted(client) {
            if let Some(c) = self.clients.get_mut(&client) {
                c.outbox.push_back(reply);
                self.woken.push(client);
            }
        }
        // What serving it invalidated for itself follows the reply.
        self.flush_pending_invalidations(client);
        true
    }

    /// Counts a failed call of the command `client` blocked in.
    pub(crate) fn count_blocked_failure(&mut self, client: ClientId) {
        if let Some(name) = self.clients.get(&client).map(|c| c.last_command.clone()) {
            self.count_failed(&name);
        }
    }

    /// The clients waiting on a key, in the order they blocked.
    fn waiting_on(&self, db: usize, key: &[u8]) -> Vec<ClientId> {
        self.blocking
            .blocking_keys
            .get(&(db, key.to_vec()))
            .map(|queue| queue.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Serves blocked clients from the keys made ready, as described at the top of this file.
    pub(crate) fn serve_blocked_clients(&mut self) {
        while let Some((db, key)) = self.blocking.ready_keys.pop_front() {
            self.expire_if_needed(db, &key);
            let is_stream = matches!(
                self.dbs[db].keys.get(&key).map(|e| &e.value),
                Some(Value::Stream(_))
            );
            if is_stream {
                // One touch for the key, whoever is served (`LOOKUP_NOSTATS`: no hit counted).
                let flags = crate::db::LookupFlags {
                    no_touch: false,
                    no_stats: true,
                };
                self.lookup_read_with(db, &key, flags);
                for client in self.waiting_on(db, &key) {
                    crate::cmd::stream::serve_blocked(self, client, db, &key);
                }
                continue;
            }
            self.serve_blocked_pops(db, &key);
            // XREADGROUP waits on a stream and its group: with the stream gone (deleted, or
            // overwritten by another type) the wait ends in an error.
            for client in self.waiting_on(db, &key) {
                let reads_group = self.clients.get(&client).is_some_and(|c| {
                    matches!(&c.blocked, Some(Blocked { serve: Serve::Stream(w), .. }) if w.group.is_some())
                });
                if reads_group {
                    self.unblock_with(client, Error::StreamKeyDeleted.into());
                }
            }
        }
    }

    /// Serves the blocked pops waiting on a key that now holds the type they wait for.
    fn serve_blocked_pops(&mut self, db: usize, key: &[u8]) {
        for client in self.waiting_on(db, key) {
            self.expire_if_needed(db, key);
            let waits = match self.dbs[db].keys.get(key).map(|e| &e.value) {
                Some(Value::List(_)) => WaitsFor::List,
                Some(Value::ZSet(_)) => WaitsFor::ZSet,
                _ => break,
            };
            let Some(Blocked {
                serve:
                    Serve::Twin {
                        waits_for,
                        mut twin,
                        key_at,
                        shape,
                    },
                ..
            }) = self.clients.get(&client).and_then(|c| c.blocked.clone())
            else {
                continue;
            };
            if waits_for != waits {
                continue;
            }
            twin[key_at] = key.to_vec();
            let reply = match self.run_twin(client, &twin) {
                Ok(reply) => reshape(reply, shape),
                Err(e) => Reply::from(e),
            };
            self.unblock_with(client, reply);
        }
    }

    /// A flush or a swap replaces a database's keys at once: the XREADGROUP waits on streams
    /// it takes away end (Redis's `scanDatabaseForDeletedStreams`), checked against the keys
    /// `db` has after (`replaced_with`'s, for a swap; none, for a flush).
    pub(crate) fn signal_deleted_streams(&mut self, db: usize, replaced_with: Option<usize>) {
        let is_stream = |engine: &Engine, db: Option<usize>, key: &[u8]| {
            db.and_then(|d| engine.dbs[d].keys.get(key))
                .is_some_and(|e| matches!(e.value, Value::Stream(_)))
        };
        let keys = self.waited_keys(db);
        for key in keys {
            if is_stream(self, Some(db), &key) && !is_stream(self, replaced_with, &key) {
                self.signal_key_as_ready(db, &key);
            }
        }
    }

    /// Runs a blocking command's non-blocking twin for `client`, in its database.
    pub(crate) fn run_twin(&mut self, client: ClientId, argv: &[Vec<u8>]) -> Result<Reply, Error> {
        let (spec, name) = spec::resolve(argv)?;
        // Served, the client's command runs again: what it invalidates for itself follows
        // its reply (`unblock_with`).
        let outer = self.tracking.current.replace(client);
        let outcome = self.call_shown(client, spec, &name, argv, false);
        self.tracking.current = outer;
        Ok(outcome?.into_replies().pop().unwrap_or(Reply::NullArray))
    }

    /// Answers every blocked client whose timeout has passed (strictly, as Redis's
    /// `checkBlockedClientTimeout`) with its timeout reply ([`Engine::timeout_reply`]). [`Engine::tick`] does this; a front
    /// end may also call it alone, when [`Engine::next_blocked_timeout`] says one is due,
    /// since Redis answers timeouts to the millisecond rather than at its `hz`.
    pub fn time_out_blocked_clients(&mut self) {
        self.now_ms = self.clock.now_ms();
        let now = self.now_ms;
        let expired: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| {
                c.blocked
                    .as_ref()
                    .and_then(|b| b.timeout_at)
                    .is_some_and(|at| at < now)
            })
            .map(|c| c.id)
            .collect();
        for client in expired {
            let reply = self.timeout_reply(client);
            self.unblock_with(client, reply);
        }
    }

    /// What a blocked command answers when its time is up (Redis's
    /// `replyToBlockedClientTimedOut`): the null array, or for WAIT the count of replicas
    /// that acknowledged its offset.
    pub(crate) fn timeout_reply(&self, client: ClientId) -> Reply {
        match self.clients.get(&client).and_then(|c| c.blocked.as_ref()) {
            Some(Blocked {
                serve: Serve::Replicas { offset, .. },
                ..
            }) => Reply::Integer(self.acks_for(*offset) as i64),
            _ => Reply::NullArray,
        }
    }

    /// The earliest timeout (Unix ms) among blocked clients, if any has one.
    pub fn next_blocked_timeout(&self) -> Option<u64> {
        self.clients
            .values()
            .filter_map(|c| c.blocked.as_ref().and_then(|b| b.timeout_at))
            .min()
    }

    /// How many clients wait on keys or for a pause to end, and how many of those have a
    /// timeout (INFO's `blocked_clients` and `clients_in_timeout_table`).
    pub(crate) fn blocked_counts(&self) -> (usize, usize) {
        let waits = self.clients.values().filter_map(|c| c.blocked.as_ref());
        let (blocked, timed) = waits.fold((0, 0), |(blocked, timed), b| {
            (blocked + 1, timed + usize::from(b.timeout_at.is_some()))
        });
        // Clients a pause holds are blocked too, without a timeout (`BLOCKED_POSTPONE`).
        (blocked + self.paused_clients(), timed)
    }

    /// True when a blocking command from `client` may block now: not inside EXEC.
    pub(crate) fn may_block(&self) -> bool {
        !self.in_exec
    }
}

/// Turns a twin's reply into the blocking command's (see [`Shape`]): the twin popped exactly
/// one element, so taking nesting levels off leaves the flat reply.
pub(crate) fn reshape(reply: Reply, shape: Shape) -> Reply {
    let Reply::Array(items) = reply else {
        return reply;
    };
    Reply::Array(match shape {
        Shape::Same => items,
        Shape::KeyElement => flatten(items),
        Shape::KeyMemberScore => flatten(flatten(items)),
    })
}

/// Replaces each array among `items` by its elements.
fn flatten(items: Vec<Reply>) -> Vec<Reply> {
    items
        .into_iter()
        .flat_map(|item| match item {
            Reply::Array(inner) => inner,
            other => vec![other],
        })
        .collect()
}
