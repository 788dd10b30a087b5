//! Client-side caching: the server remembers which keys a client may have cached and tells it
//! when they change (CLIENT TRACKING, Redis's `tracking.c`).
//!
//! A client that turns tracking on may keep the values it reads; the server's promise is to
//! send it an `invalidate` message naming a key once that key changes, so its copy can be
//! dropped. There are two ways to keep that promise, and a client picks one:
//!
//! ```text
//!   default mode: the tracking table                 BCAST mode: the prefix table
//!   "user:1" -> {c3, c7}   (who read it)             ""       -> clients {c9}     keys changed {…}
//!   "cart:9" -> {c3}                                 "user:"  -> clients {c4}     keys changed {user:1 -> by c3}
//! ```
//!
//! In the default mode, every read-only command a tracking client runs records its keys in the
//! tracking table (OPTIN mode only for the command after CLIENT CACHING YES, OPTOUT mode all
//! but the one after CLIENT CACHING NO). When a key changes, everyone recorded for it is told,
//! and the entry is dropped: the next read records it again. The table is the server's and
//! knows no database, so a change to `k` in one database invalidates `k` read in another, as
//! in Redis. Clients that disconnect are not removed from it (an id is never reused, so a
//! stale id is merely skipped); the table is bounded by `tracking-table-max-keys` instead, by
//! invalidating random keys before each command and on the timer (`limit_used_slots`).
//!
//! In BCAST mode nothing is recorded per read. A client subscribes to prefixes (the empty one
//! by default); each change to a key is noted under every prefix it starts with, and the keys
//! collected are sent together after the command, one message per prefix, as Redis sends them
//! before it sleeps. NOLOOP leaves out the keys a client changed itself.
//!
//! The message goes to the client itself as a RESP3 push (`>2 invalidate [keys]`), or to the
//! client it REDIRECTs to: a RESP3 one gets the same push, a RESP2 one subscribed to
//! `__redis__:invalidate` gets an ordinary pub/sub message whose payload is the key array. A
//! RESP2 client without redirection gets nothing (RESP2 cannot mix pushes with replies). When
//! the redirect target has gone, a RESP3 client hears `tracking-redir-broken` instead. A flush
//! invalidates everything: every tracking client gets a null in place of the array.
//!
//! Order matters to a client reading its own socket: an invalidation caused by the client's
//! own command (a key it read expiring during its next command, its own write) arrives after
//! that command's reply, so it is held back in `pending` and appended to the reply
//! ([`Engine::execute`]); one caused before the command ran (an eviction to make room for it)
//! arrives before the reply, through the outbox.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::{ClientId, Engine};
use crate::reply::Reply;

/// The channel a RESP2 redirect target subscribes to.
pub const INVALIDATE_CHANNEL: &[u8] = b"__redis__:invalidate";

/// A tracking client's mode, as CLIENT TRACKING ON set it (Redis's `CLIENT_TRACKING_*` flags,
/// `client_tracking_redirection` and `client_tracking_prefixes`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientTracking {
    /// The client invalidations go to; 0 for the client itself.
    pub redirect: u64,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// CLIENT CACHING YES (in OPTIN) or NO (in OPTOUT) was given for the next command.
    pub caching: bool,
    /// The redirect target was found gone when an invalidation was due.
    pub broken_redirect: bool,
    /// BCAST mode's prefixes, in byte order.
    pub prefixes: BTreeSet<Vec<u8>>,
}

/// One BCAST prefix: its subscribers, and the keys under it changed since the last broadcast,
/// each with the client that changed it last (for NOLOOP), if a client did.
#[derive(Clone, Debug, Default)]
struct Bcast {
    clients: BTreeSet<ClientId>,
    keys: BTreeMap<Vec<u8>, Option<ClientId>>,
}

/// The server's side of client-side caching.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tracking {
    /// Key -> the clients that read it in the default mode.
    table: BTreeMap<Vec<u8>, BTreeSet<ClientId>>,
    /// Ids over every entry of the table (`tracking_total_items`).
    total_items: u64,
    /// BCAST prefixes with their subscribers.
    prefixes: BTreeMap<Vec<u8>, Bcast>,
    /// Clients with tracking on (`tracking_clients`).
    clients: u64,
    /// Invalidations due to the client whose command runs, sent after its reply: the target,
    /// and the key (`None` for a flush).
    pending: Vec<(ClientId, Option<Vec<u8>>)>,
    /// The client whose command runs (Redis's `server.current_client`): a script's caller,
    /// a blocked client being served.
    pub(crate) current: Option<ClientId>,
    /// How deep in `call` we are: invalidations for the current client are held back only
    /// while its command runs (Redis's `fixed_time_expire`), not before.
    pub(crate) in_call: u32,
    /// How many times in a row `limit_used_slots` ended still over the limit: each time it
    /// tries harder.
    limit_misses: u32,
    /// `tracking-table-max-keys`, 0 for no limit.
    max_keys: usize,
}

impl Tracking {
    /// Takes `tracking-table-max-keys` from the config (at start and after CONFIG SET).
    pub(crate) fn configure(&mut self, config: &crate::Config) {
        self.max_keys = config.int("tracking-table-max-keys").max(0) as usize;
    }

    /// INFO's `tracking_clients`.
    pub(crate) fn clients(&self) -> u64 {
        self.clients
    }

    /// INFO's `tracking_total_keys`.
    pub(crate) fn total_keys(&self) -> usize {
        self.table.len()
    }

    /// INFO's `tracking_total_items`.
    pub(crate) fn total_items(&self) -> u64 {
        self.total_items
    }

    /// INFO's `tracking_total_prefixes`.
    pub(crate) fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

impl Engine {
    /// The first `limit` keys (in byte order) the tracking table remembers `client` read,
    /// and whether there are more: what a front end shows of a tracking client's copies.
    /// The table keeps clients per key, so this walks it; it stops at the key after the
    /// last one shown.
    pub fn tracked_keys(&self, client: ClientId, limit: usize) -> (Vec<&[u8]>, bool) {
        let mut mine = self
            .tracking
            .table
            .iter()
            .filter(|(_, readers)| readers.contains(&client))
            .map(|(key, _)| key.as_slice());
        let shown: Vec<&[u8]> = mine.by_ref().take(limit).collect();
        let more = mine.next().is_some();
        (shown, more)
    }
}

/// The options CLIENT TRACKING ON was given.
#[derive(Clone, Debug, Default)]
pub(crate) struct TrackingOptions {
    pub(crate) redirect: u64,
    pub(crate) bcast: bool,
    pub(crate) optin: bool,
    pub(crate) optout: bool,
    pub(crate) noloop: bool,
    pub(crate) prefixes: Vec<Vec<u8>>,
}

impl Engine {
    /// Turns tracking on for `client` with `options` (checked by the caller), or changes its
    /// mode when it is on: the flags are set anew, BCAST prefixes are added to those it has.
    pub(crate) fn enable_tracking(&mut self, client: ClientId, options: TrackingOptions) {
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        let tracking = c.tracking.get_or_insert_with(|| {
            self.tracking.clients += 1;
            ClientTracking::default()
        });
        tracking.redirect = options.redirect;
        tracking.broken_redirect = false;
        tracking.bcast = options.bcast;
        tracking.optin = options.optin;
        tracking.optout = options.optout;
        tracking.noloop = options.noloop;
        if !options.bcast {
            return;
        }
        let prefixes = if options.prefixes.is_empty() {
            vec![Vec::new()]
        } else {
            options.prefixes
        };
        for prefix in prefixes {
            let bcast = self.tracking.prefixes.entry(prefix.clone()).or_default();
            if bcast.clients.insert(client) {
                tracking.prefixes.insert(prefix);
            }
        }
    }

    /// Turns tracking off for `client`: it leaves its BCAST prefixes (a prefix nobody is left
    /// on goes), and its mode is forgotten. Its ids in the tracking table stay until the keys
    /// change.
    pub(crate) fn disable_tracking(&mut self, client: ClientId) {
        let Some(tracking) = self
            .clients
            .get_mut(&client)
            .and_then(|c| c.tracking.take())
        else {
            return;
        };
        self.tracking.clients -= 1;
        for prefix in &tracking.prefixes {
            if let Some(bcast) = self.tracking.prefixes.get_mut(prefix) {
                bcast.clients.remove(&client);
                if bcast.clients.is_empty() {
                    self.tracking.prefixes.remove(prefix);
                }
            }
        }
    }

    /// A key changed (Redis's `signalModifiedKey`): the clients WATCHing it will fail their
    /// EXEC, and the clients caching it are told. `by_command` is false for an expiry or an
    /// eviction, which no client caused.
    pub(crate) fn signal_modified_key(&mut self, db: usize, key: &[u8], by_command: bool) {
        self.touch_watched_key(db, key);
        let by = match by_command {
            false => None,
            // A script's writes are its client's, not its caller's.
            true if self.scripting.is_running() => Some(crate::script::SCRIPT_CLIENT),
            true => self.tracking.current,
        };
        self.invalidate_tracked_key(key, Some(by));
    }

    /// After a read-only command of `client`'s: records the keys of `argv` (the client's own
    /// command, or the EVAL whose script read) for it in the tracking table, unless its mode
    /// says this command is not cached (Redis's `trackingRememberKeys`).
    pub(crate) fn remember_tracked_keys(&mut self, client: ClientId, argv: &[Vec<u8>]) {
        let Some(t) = self.clients.get(&client).and_then(|c| c.tracking.as_ref()) else {
            return;
        };
        if t.bcast || (t.optin && !t.caching) || (t.optout && t.caching) {
            return;
        }
        let Ok((spec, _)) = crate::spec::resolve(argv) else {
            return;
        };
        // Shard channels stand where keys would for cluster routing; nobody caches them.
        if spec.has(crate::spec::flag::PUBSUB) {
            return;
        }
        for (at, _) in crate::cmd::server::command_keys(spec, argv) {
            let ids = self.tracking.table.entry(argv[at].clone()).or_default();
            if ids.insert(client) {
                self.tracking.total_items += 1;
            }
        }
    }

    /// A key changed (Redis's `trackingInvalidateKey`): it is noted for the BCAST prefixes it
    /// starts with when `bcast` says who changed it, and everyone who read it in the default mode is told now,
    /// or after its reply when it is the client whose command runs; the key then leaves the
    /// table.
    /// `by` is the client whose command changed it (none for an expiry or an eviction; the
    /// script client for a script's write), which NOLOOP subscribers are not told about.
    pub(crate) fn invalidate_tracked_key(&mut self, key: &[u8], bcast: Option<Option<ClientId>>) {
        let current = self.tracking.current;
        if let Some(by) = bcast.filter(|_| !self.tracking.prefixes.is_empty()) {
            for (prefix, state) in self.tracking.prefixes.iter_mut() {
                if key.starts_with(prefix) {
                    state.keys.insert(key.to_vec(), by);
                }
            }
        }
        let Some(ids) = self.tracking.table.remove(key) else {
            return;
        };
        self.tracking.total_items -= ids.len() as u64;
        for id in ids {
            // A client that left tracking, or went over to BCAST since it read, is not told.
            let Some(t) = self.clients.get(&id).and_then(|c| c.tracking.as_ref()) else {
                continue;
            };
            if t.bcast || (t.noloop && Some(id) == current) {
                continue;
            }
            if Some(id) == current && self.tracking.in_call > 0 {
                self.tracking.pending.push((id, Some(key.to_vec())));
            } else {
                self.send_tracking_message(id, Reply::bulk_array([key]));
            }
        }
    }

    /// Every database was flushed, or one was: every tracking client is told to drop
    /// everything (a null for the key array), and the table empties (Redis's
    /// `trackingInvalidateKeysOnFlush`).
    pub(crate) fn invalidate_tracked_keys_on_flush(&mut self) {
        if self.tracking.clients > 0 {
            let tracking: Vec<ClientId> = self
                .clients
                .values()
                .filter(|c| c.tracking.is_some())
                .map(|c| c.id)
                .collect();
            for id in tracking {
                if Some(id) == self.tracking.current {
                    self.tracking.pending.push((id, None));
                } else {
                    self.send_tracking_message(id, Reply::Null);
                }
            }
        }
        self.tracking.table.clear();
        self.tracking.total_items = 0;
    }

    /// Sends `keys` (an array of keys, or a null for everything) to tracking client `id`, or to
    /// the client it redirects to (Redis's `sendTrackingMessage`).
    fn send_tracking_message(&mut self, id: ClientId, keys: Reply) {
        let redirect = self
            .clients
            .get(&id)
            .and_then(|c| c.tracking.as_ref())
            .map_or(0, |t| t.redirect);
        let mut target = id;
        if redirect != 0 {
            // A client killed or quitting is gone already for Redis, which frees it at once.
            if self
                .clients
                .get(&ClientId(redirect))
                .is_none_or(|c| c.closing)
            {
                let Some(c) = self.clients.get_mut(&id) else {
                    return;
                };
                if let Some(t) = c.tracking.as_mut() {
                    t.broken_redirect = true;
                }
                if c.protocol > 2 {
                    c.outbox.push_back(Reply::Push(vec![
                        Reply::bulk("tracking-redir-broken"),
                        Reply::Integer(redirect as i64),
                    ]));
                    self.woken.push(id);
                }
                return;
            }
            target = ClientId(redirect);
        }
        let Some(t) = self.clients.get_mut(&target) else {
            return;
        };
        let message = if t.protocol > 2 {
            vec![Reply::bulk("invalidate"), keys]
        } else if redirect != 0 && t.subscriptions.any() {
            vec![
                Reply::bulk("message"),
                Reply::bulk(INVALIDATE_CHANNEL),
                keys,
            ]
        } else {
            // RESP2 without redirection: there is no way to tell the client.
            return;
        };
        t.outbox.push_back(Reply::Push(message));
        self.woken.push(target);
    }

    /// The invalidations held back for `client` until its reply was sent (Redis's
    /// `trackingHandlePendingKeyInvalidations`), as the messages they make; they go to the
    /// client's outbox, or to the client it redirects to.
    pub(crate) fn flush_pending_invalidations(&mut self, client: ClientId) {
        if self.tracking.pending.is_empty() {
            return;
        }
        let (mine, others) = std::mem::take(&mut self.tracking.pending)
            .into_iter()
            .partition(|(id, _)| *id == client);
        self.tracking.pending = others;
        for (_, key) in mine {
            let keys = key.map_or(Reply::Null, |k| Reply::bulk_array([k]));
            self.send_tracking_message(client, keys);
        }
    }

    /// Sends each BCAST prefix's subscribers the keys changed under it since the last call,
    /// one message per prefix (NOLOOP subscribers without the keys they changed themselves),
    /// and starts collecting afresh (Redis's `trackingBroadcastInvalidationMessages`).
    pub(crate) fn broadcast_invalidations(&mut self) {
        if self.tracking.clients == 0 {
            return;
        }
        let mut messages = Vec::new();
        for state in self.tracking.prefixes.values_mut() {
            let keys = std::mem::take(&mut state.keys);
            if keys.is_empty() {
                continue;
            }
            for &client in &state.clients {
                let noloop = self
                    .clients
                    .get(&client)
                    .and_then(|c| c.tracking.as_ref())
                    .is_some_and(|t| t.noloop);
                let sent: Vec<&[u8]> = keys
                    .iter()
                    .filter(|(_, by)| !noloop || **by != Some(client))
                    .map(|(key, _)| key.as_slice())
                    .collect();
                if !sent.is_empty() {
                    messages.push((client, Reply::bulk_array(sent)));
                }
            }
        }
        for (client, keys) in messages {
            self.send_tracking_message(client, keys);
        }
    }

    /// Keeps the tracking table within `tracking-table-max-keys` by invalidating keys picked
    /// at random, with an effort that grows each time a run ends still over the limit
    /// (Redis's `trackingLimitUsedSlots`, before every command and on the timer).
    pub(crate) fn limit_used_slots(&mut self) {
        if self.tracking.clients == 0 {
            return;
        }
        let max_keys = self.tracking.max_keys;
        if max_keys == 0 {
            return;
        }
        if self.tracking.table.len() <= max_keys {
            self.tracking.limit_misses = 0;
            return;
        }
        let effort = 100 * (self.tracking.limit_misses + 1);
        for _ in 0..effort {
            let size = self.tracking.table.len();
            if size == 0 {
                break;
            }
            let at = self.rng.below(size);
            let Some(key) = self.tracking.table.keys().nth(at).cloned() else {
                break;
            };
            self.invalidate_tracked_key(&key, None);
            if self.tracking.table.len() <= max_keys {
                self.tracking.limit_misses = 0;
                return;
            }
        }
        self.tracking.limit_misses += 1;
    }

    /// After a read-only command ran for `client` (the script client for a script's read):
    /// remembers the keys for the client that sent it. A script's reads count as reads of the
    /// keys its EVAL or FCALL declared, whatever the script read; the read-only script
    /// commands themselves (`name`: EVAL_RO, EVALSHA_RO, FCALL_RO) are left to their script's
    /// reads, as Redis leaves them.
    pub(crate) fn remember_keys_read(&mut self, client: ClientId, name: &str, argv: &[Vec<u8>]) {
        // Most servers track nobody: every command's read would pay a client lookup.
        if self.tracking.clients == 0 || matches!(name, "eval_ro" | "evalsha_ro" | "fcall_ro") {
            return;
        }
        if client == crate::script::SCRIPT_CLIENT {
            let Some((caller, caller_argv)) = self
                .scripting
                .run
                .as_ref()
                .filter(|run| {
                    self.clients
                        .get(&run.caller)
                        .is_some_and(|c| c.tracking.is_some())
                })
                .map(|run| (run.caller, run.caller_argv.clone()))
            else {
                return;
            };
            self.remember_tracked_keys(caller, &caller_argv);
        } else {
            self.remember_tracked_keys(client, argv);
        }
    }

    /// CLIENT CACHING speaks for the next command only, or for the next transaction when
    /// given inside MULTI: once a command other than CLIENT ran outside MULTI, it is over.
    pub(crate) fn end_caching_for_command(&mut self, client: ClientId, argv: &[Vec<u8>]) {
        if self.tracking.clients == 0 {
            return;
        }
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        if c.multi.is_some() || argv[0].eq_ignore_ascii_case(b"client") {
            return;
        }
        if let Some(t) = c.tracking.as_mut() {
            t.caching = false;
        }
    }

    /// The tracking messages of the command `client` just ran, due after its reply: what
    /// its own command invalidated, then the BCAST broadcast. Messages for other clients go
    /// to their outboxes; `client`'s own are returned, to follow the reply.
    pub(crate) fn after_command_invalidations(&mut self, client: ClientId) -> Vec<Reply> {
        if self.tracking.clients == 0 && self.tracking.pending.is_empty() {
            return Vec::new();
        }
        let before = self.clients.get(&client).map_or(0, |c| c.outbox.len());
        self.flush_pending_invalidations(client);
        self.broadcast_invalidations();
        match self.clients.get_mut(&client) {
            Some(c) if c.outbox.len() > before => c.outbox.split_off(before).into(),
            _ => Vec::new(),
        }
    }
}
