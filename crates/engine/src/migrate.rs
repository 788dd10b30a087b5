//! The connections MIGRATE opens to other servers (Redis's `migrateGetSocket` and its cache),
//! through the front end's [`Outbound`].
//!
//! MIGRATE is the one command with which a server acts as another server's client: it sends
//! RESTORE commands carrying DUMP payloads and reads the replies before it answers its own
//! client. Redis does that with blocking calls on the thread that serves everyone, so every
//! other client waits until the target has answered or the timeout has passed, and we keep
//! that: the engine does no networking itself, so the front end lends it an [`Outbound`] whose
//! calls block (the native server opens real sockets; the page reaches another node of its
//! replication view in the same worker). An engine without one cannot reach anyone, and
//! MIGRATE answers as Redis does when the connection fails.
//!
//! Connections are kept for the next MIGRATE to the same `host:port` (at most
//! [`CACHE_ITEMS`]; one dropped at random to make room), with the database the last one
//! selected there, so that a run of migrations to one target sends SELECT once; the cron
//! closes those unused for more than [`CACHE_TTL_S`] seconds. A connection that failed is
//! closed, so the next MIGRATE connects afresh (and selects again).

use std::collections::HashMap;

/// A connection the front end opened for the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutboundId(pub u64);

/// Why a write or a read on an outbound connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoFailure {
    /// The timeout passed first: MIGRATE does not try again (Redis's `ETIMEDOUT`).
    TimedOut,
    /// The connection broke, or the peer closed it.
    Broken,
}

/// Blocking connections to other servers, lent by the front end (see the module's notes).
/// Every call waits at most `timeout_ms`.
pub trait Outbound {
    /// Connects to `host` (a name or an address) on `port`. A connection the peer refused
    /// counts as made, its writes failing: Redis connects without blocking, waits until the
    /// socket is writable (which a refusal makes it), and learns of the refusal when it
    /// writes. A name that does not resolve, or no answer within the timeout: None.
    fn connect(&mut self, host: &str, port: u16, timeout_ms: u64) -> Option<OutboundId>;
    /// Sends all of `bytes`.
    fn write(&mut self, conn: OutboundId, bytes: &[u8], timeout_ms: u64) -> Result<(), IoFailure>;
    /// Reads one line, without its `\r\n` (Redis's `connSyncReadLine`).
    fn read_line(&mut self, conn: OutboundId, timeout_ms: u64) -> Result<Vec<u8>, IoFailure>;
    /// Closes the connection.
    fn close(&mut self, conn: OutboundId);
}

/// How many connections are kept (Redis's `MIGRATE_SOCKET_CACHE_ITEMS`).
pub const CACHE_ITEMS: usize = 64;
/// Seconds an unused connection is kept (Redis's `MIGRATE_SOCKET_CACHE_TTL`).
pub const CACHE_TTL_S: u64 = 10;

/// A kept connection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cached {
    pub(crate) conn: OutboundId,
    /// The database the last MIGRATE on it selected; None until one succeeded.
    pub(crate) last_db: Option<i64>,
    last_use_s: u64,
}

/// The front end's connections and the ones kept, by `host:port` as given.
#[derive(Default)]
pub(crate) struct Migrate {
    pub(crate) outbound: Option<Box<dyn Outbound>>,
    pub(crate) cached: HashMap<Vec<u8>, Cached>,
}

impl std::fmt::Debug for Migrate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrate")
            .field("outbound", &self.outbound.is_some())
            .field("cached", &self.cached)
            .finish()
    }
}

impl Migrate {
    /// The kept connection to `name`, else a new one: None when it cannot be made. `pick` chooses which kept connection makes room when the cache is
    /// full.
    pub(crate) fn socket(
        &mut self,
        name: &[u8],
        host: &[u8],
        port: &[u8],
        timeout_ms: u64,
        now_s: u64,
        pick: impl FnOnce(usize) -> usize,
    ) -> Option<Cached> {
        if let Some(cached) = self.cached.get_mut(name) {
            cached.last_use_s = now_s;
            return Some(*cached);
        }
        let outbound = self.outbound.as_mut()?;
        if self.cached.len() == CACHE_ITEMS {
            let victim = self.cached.keys().nth(pick(CACHE_ITEMS)).cloned();
            if let Some(gone) = victim.and_then(|name| self.cached.remove(&name)) {
                outbound.close(gone.conn);
            }
        }
        let host = String::from_utf8_lossy(host);
        // Redis reads the port with C's atoi and hands its digits to the resolver, which
        // refuses a negative one and keeps the low 16 bits of any other.
        let port = u32::try_from(crate::args::atoi(port)).ok()? as u16;
        let conn = outbound.connect(&host, port, timeout_ms)?;
        let cached = Cached {
            conn,
            last_db: None,
            last_use_s: now_s,
        };
        self.cached.insert(name.to_vec(), cached);
        Some(cached)
    }

    /// Closes the connection to `name` (after a failure), so the next one starts afresh.
    pub(crate) fn close(&mut self, name: &[u8]) {
        if let (Some(gone), Some(outbound)) = (self.cached.remove(name), self.outbound.as_mut()) {
            outbound.close(gone.conn);
        }
    }

    /// A MIGRATE on `name` succeeded with `db` selected.
    pub(crate) fn selected(&mut self, name: &[u8], db: Option<i64>) {
        if let Some(cached) = self.cached.get_mut(name) {
            cached.last_db = db;
        }
    }

    /// Closes the connections unused for more than [`CACHE_TTL_S`] (Redis's
    /// `migrateCloseTimedoutSockets`, once a second from the cron).
    pub(crate) fn close_timed_out(&mut self, now_s: u64) {
        let Some(outbound) = self.outbound.as_mut() else {
            return;
        };
        self.cached.retain(|_, cached| {
            let keep = now_s.saturating_sub(cached.last_use_s) <= CACHE_TTL_S;
            if !keep {
                outbound.close(cached.conn);
            }
            keep
        });
    }
}
