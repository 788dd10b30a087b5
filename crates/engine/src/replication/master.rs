//! The primary's side of replication: the replicas attached to this engine, how each is
//! brought up to date (a full or a partial resynchronization), the stream that keeps them
//! so, what they acknowledge, and what WAIT and `min-replicas-to-write` count on.
//!
//! A replica is an ordinary client that sent SYNC or PSYNC. From then on the engine writes
//! to its outbox what is no reply ([`Reply::Raw`]): the `+FULLRESYNC <replid> <offset>` or
//! `+CONTINUE` line, the snapshot (`$<len>\r\n<rdb>`, or `$EOF:<mark>\r\n<rdb><mark>` when
//! it is made for the replicas alone: `repl-diskless-sync`), then every byte of the
//! replication stream as it is produced; the transport writes it out as it is.
//!
//! A snapshot here is made at once, where Redis forks a child: the stream that follows it
//! is exactly what Redis's replica buffer would have gathered meanwhile. What stays is the
//! waiting Redis does before it starts one for a diskless sync (`repl-diskless-sync-delay`
//! seconds, or until `repl-diskless-sync-max-replicas` wait), so that replicas arriving
//! together share one; and, after an EOF-marked snapshot, the stream is held until the
//! replica's first REPLCONF ACK, as Redis holds it: a replica reading up to a mark cannot
//! tell where the snapshot ends if more bytes follow at once.
//!
//! Once a second (Redis's `replicationCron`) the primary pings its replicas through the
//! stream every `repl-ping-replica-period` seconds, sends a bare `\n` to those still waiting
//! for their snapshot, drops those that have not acknowledged anything for `repl-timeout`
//! seconds, frees the backlog after `repl-backlog-ttl` seconds without replicas, and counts
//! the good replicas `min-replicas-to-write` asks for (online, lagging at most
//! `min-replicas-max-lag` seconds).
//!
//! FAILOVER hands the primary role over: writes pause (apart from any CLIENT PAUSE), and on
//! each tick the primary looks whether the target (or any replica) has acknowledged the
//! whole stream; then the hand-over is under way (`failover-in-progress`): this server is
//! to follow the target with `PSYNC <replid> <offset> FAILOVER`, which is the replica
//! side's link to make. Past TIMEOUT, FORCE hands over anyway; without it the FAILOVER
//! gives up and writes resume.

use std::collections::BTreeMap;

use crate::engine::{ClientId, Engine};
use crate::reply::Reply;
use crate::resp::encode_request;

/// Where a replica is in its synchronization (Redis's `SLAVE_STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// It asked for a full sync and waits for the snapshot to start (a diskless sync's
    /// delay).
    WaitBgsave,
    /// Its snapshot is queued for the transport (a snapshot sent with its length).
    SendBulk,
    /// It receives the command stream.
    Online,
}

impl ReplicaState {
    /// The name INFO replication gives the state.
    pub fn name(self) -> &'static str {
        match self {
            ReplicaState::WaitBgsave => "wait_bgsave",
            ReplicaState::SendBulk => "send_bulk",
            ReplicaState::Online => "online",
        }
    }
}

/// What the primary knows of one client that announced itself with REPLCONF or became a
/// replica with SYNC or PSYNC.
#[derive(Clone, Debug, Default)]
pub struct ReplicaLink {
    /// `None` until SYNC or PSYNC makes the client a replica.
    pub state: Option<ReplicaState>,
    /// REPLCONF listening-port and ip-address.
    pub listening_port: i64,
    pub announced_ip: Option<String>,
    /// REPLCONF capa: it reads an EOF-marked snapshot (`eof`) and understands `+CONTINUE
    /// <new replid>` (`psync2`).
    pub capa_eof: bool,
    pub capa_psync2: bool,
    /// It came with SYNC, the protocol before PSYNC: no `+FULLRESYNC` line, no ACKs
    /// expected (Redis's `CLIENT_PRE_PSYNC`).
    pub pre_psync: bool,
    /// The offset its last REPLCONF ACK acknowledged and when it came (Unix seconds, as
    /// Redis keeps `repl_ack_time`).
    pub ack_offset: u64,
    pub ack_time_s: u64,
    /// The stream offset its full sync's snapshot stands for.
    pub psync_initial_offset: u64,
    /// When it started waiting for its snapshot (Unix ms), for the diskless delay.
    pub waiting_since_ms: u64,
    /// After an EOF-marked snapshot: the stream waits for its first ACK, gathered here.
    pub held: Option<Vec<u8>>,
    /// REPLCONF rdb-only 1: it wants the snapshot alone, and is closed once it has it.
    pub rdb_only: bool,
    /// REPLCONF rdb-filter-only: its snapshot holds no keys, and the functions only when
    /// this is true.
    pub rdb_filter: Option<bool>,
}

/// Where a FAILOVER is (INFO's `master_failover_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailoverState {
    /// Writes are paused; it waits for the target (or any replica) to acknowledge the
    /// primary's whole stream.
    WaitForSync,
    /// The target has it all: this server is to become its replica, asking `PSYNC <replid>
    /// <offset> FAILOVER`, which makes the target a primary.
    InProgress,
}

impl FailoverState {
    pub fn name(self) -> &'static str {
        match self {
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

/// A FAILOVER under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failover {
    pub state: FailoverState,
    /// The replica to hand over to (`TO host port`, or the first found caught up).
    pub target: Option<(String, i64)>,
    /// TIMEOUT's deadline (Unix ms), and FORCE: fail over at the deadline even if the target
    /// is behind, rather than give up.
    pub end_ms: Option<u64>,
    pub force: bool,
}

/// The primary's books.
#[derive(Clone, Debug, Default)]
pub struct Master {
    /// Clients that sent REPLCONF or became replicas, by id.
    pub links: BTreeMap<ClientId, ReplicaLink>,
    /// Replicas online and lagging at most `min-replicas-max-lag` seconds, as last counted.
    pub good_replicas: usize,
    /// Full syncs served, PSYNCs accepted and refused (INFO stats' `sync_full`,
    /// `sync_partial_ok`, `sync_partial_err`).
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    /// The FAILOVER under way, if one is.
    pub failover: Option<Failover>,
    /// The offset the stream had after the last `REPLCONF GETACK *` it carried: WAITs in a
    /// row with no write between them share one, as Redis sends one per event loop.
    last_getack_offset: Option<u64>,
    /// When the once-a-second work last ran (Unix ms) and how many times it has.
    cron_last_ms: u64,
    cron_loops: u64,
}

impl Master {
    /// The replicas (clients that sent SYNC or PSYNC), by id.
    pub fn replicas(&self) -> impl Iterator<Item = (&ClientId, &ReplicaLink)> {
        self.links.iter().filter(|(_, l)| l.state.is_some())
    }

    /// How many replicas are attached (INFO's `connected_slaves`).
    pub fn replica_count(&self) -> usize {
        self.replicas().count()
    }
}

/// How many bytes an EOF mark has (Redis's `RDB_EOF_MARK_SIZE`).
const EOF_MARK_SIZE: usize = 40;

impl Engine {
    /// Whether propagated commands go to a replication stream: while there is a backlog
    /// (there is one whenever a replica is attached).
    pub(crate) fn feeds_replicas(&self) -> bool {
        // A replica proxies its primary's stream as it came instead
        // (`crate::replication::replica`).
        !self.has_master() && self.replication.backlog.is_some()
    }

    /// Sends what the replication stream gathered to the backlog and the replicas.
    pub(crate) fn flush_replication_stream(&mut self) {
        let bytes = self.replication.stream.take_bytes();
        if !bytes.is_empty() {
            self.feed_replicas(bytes);
        }
    }

    /// Appends `bytes` to the history (the backlog, the offset) and to every replica that
    /// takes the stream (Redis's `feedReplicationBuffer`).
    pub(crate) fn feed_replicas(&mut self, bytes: Vec<u8>) {
        self.replication.feed(&bytes);
        let taking: Vec<ClientId> = self
            .replication
            .master
            .replicas()
            .filter(|(_, l)| l.state != Some(ReplicaState::WaitBgsave))
            .map(|(id, _)| *id)
            .collect();
        for id in taking {
            let held = self
                .replication
                .master
                .links
                .get_mut(&id)
                .and_then(|l| l.held.as_mut());
            match held {
                Some(held) => held.extend_from_slice(&bytes),
                None => self.send_raw(id, bytes.clone()),
            }
        }
    }

    /// A command into the stream in whatever database it has selected, with no SELECT (a
    /// PING, `REPLCONF GETACK *`: Redis passes `slaveseldb` as their database).
    /// A replica sends nothing of its own: its replicas get its primary's stream as it came
    /// (Redis's `replicationFeedSlaves` returns at once on a replica).
    pub(crate) fn feed_replicas_command(&mut self, argv: &[&[u8]]) {
        if self.has_master() {
            return;
        }
        let mut bytes = Vec::new();
        encode_request(&mut bytes, argv);
        self.feed_replicas(bytes);
    }

    /// Bytes for a replica's connection, written as they are: the stream, a snapshot,
    /// counted as written to replicas (`total_net_repl_output_bytes`) as they are queued.
    pub(crate) fn send_raw(&mut self, id: ClientId, bytes: Vec<u8>) {
        if self.clients.contains_key(&id) {
            self.stats.net_repl_output_bytes += bytes.len() as u64;
        }
        self.send_line(id, bytes);
    }

    /// What Redis writes with a direct socket call that its byte counts leave out: the
    /// `+FULLRESYNC` or `+CONTINUE` line, the newline that keeps a waiting replica's link
    /// alive.
    fn send_line(&mut self, id: ClientId, bytes: Vec<u8>) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.outbox.push_back(Reply::Raw(bytes));
            self.woken.push(id);
        }
    }

    /// The link a client's REPLCONF fills in, created on its first.
    pub(crate) fn replica_link(&mut self, id: ClientId) -> &mut ReplicaLink {
        self.replication.master.links.entry(id).or_default()
    }

    /// Whether `id` is a replica receiving the stream.
    pub(crate) fn replica_is_online(&self, id: ClientId) -> bool {
        self.replication
            .master
            .links
            .get(&id)
            .is_some_and(|l| l.state == Some(ReplicaState::Online))
    }

    /// Whether `id` is a replica of this engine.
    pub(crate) fn is_replica(&self, id: ClientId) -> bool {
        self.replication
            .master
            .links
            .get(&id)
            .is_some_and(|l| l.state.is_some())
    }

    /// SYNC and PSYNC after their checks: a partial resync when the history allows it,
    /// else a full one, now or when the diskless delay has passed.
    pub(crate) fn sync_replica(&mut self, id: ClientId, psync: Option<(&[u8], i64)>) {
        let name = self.replica_name(id);
        self.persistence
            .log(format!("Replica {name} asks for synchronization"));
        if let Some((replid, offset)) = psync {
            if self.partial_resync(id, replid, offset) {
                self.replication.master.sync_partial_ok += 1;
                return;
            }
            if replid != b"?" {
                self.replication.master.sync_partial_err += 1;
            }
        }
        self.replication.master.sync_full += 1;
        let now = self.now_ms;
        let link = self.replica_link(id);
        link.state = Some(ReplicaState::WaitBgsave);
        link.pre_psync = psync.is_none();
        link.waiting_since_ms = now;
        let capa_eof = link.capa_eof;
        if let Some(c) = self.clients.get_mut(&id) {
            c.replica = true;
        }
        // The first replica creates the backlog, and a new history with it: nothing
        // before it could be resumed anyway.
        if self.replication.backlog.is_none() {
            self.replication.change_replid();
            self.replication.clear_replid2();
            let size = self.config.int("repl-backlog-size") as usize;
            self.replication.create_backlog(size);
            let line = format!(
                "Replication backlog created, my new replication IDs are '{}' and '{}'",
                self.replication.replid_str(),
                self.replication.replid2_str()
            );
            self.persistence.log(line);
        }
        let delayed = self.config.flag("repl-diskless-sync")
            && capa_eof
            && self.config.int("repl-diskless-sync-delay") > 0;
        if delayed {
            self.persistence
                .log("Delay next BGSAVE for diskless SYNC".into());
        } else {
            self.start_full_syncs();
        }
    }

    /// Redis's `masterTryPartialResynchronization`: `+CONTINUE` and the backlog from
    /// `offset` on, when the history allows it; false (and a log line saying why) when a
    /// full sync is needed.
    fn partial_resync(&mut self, id: ClientId, replid: &[u8], offset: i64) -> bool {
        use crate::replication::PartialRefused;
        let name = self.replica_name(id);
        let r = &self.replication;
        let asked = String::from_utf8_lossy(replid).into_owned();
        let missing = match r.try_partial(replid, offset) {
            Ok(bytes) => bytes,
            Err(why) => {
                let line = match why {
                    _ if replid == b"?" => format!("Full resync requested by replica {name}"),
                    PartialRefused::ReplidMismatch => format!(
                        "Partial resynchronization not accepted: Replication ID mismatch \
                         (Replica asked for '{asked}', my replication IDs are '{}' and '{}')",
                        r.replid_str(),
                        r.replid2_str()
                    ),
                    PartialRefused::BeyondSecondId => format!(
                        "Partial resynchronization not accepted: Requested offset for second \
                         ID was {offset}, but I can reply up to {}",
                        r.second_replid_offset
                    ),
                    PartialRefused::OutOfRange => format!(
                        "Unable to partial resync with replica {name} for lack of backlog \
                         (Replica request was: {offset})."
                    ),
                };
                self.persistence.log(line);
                return false;
            }
        };
        let now_s = self.now_ms / 1000;
        let replid = self.replication.replid_str().to_string();
        let link = self.replica_link(id);
        link.state = Some(ReplicaState::Online);
        link.ack_time_s = now_s;
        let line = if link.capa_psync2 {
            format!("+CONTINUE {replid}\r\n")
        } else {
            "+CONTINUE\r\n".to_string()
        };
        if let Some(c) = self.clients.get_mut(&id) {
            c.replica = true;
        }
        let len = missing.len();
        self.send_line(id, line.into_bytes());
        if !missing.is_empty() {
            self.send_raw(id, missing);
        }
        self.persistence.log(format!(
            "Partial resynchronization request from {name} accepted. Sending {len} bytes of \
             backlog starting from offset {offset}."
        ));
        self.refresh_good_replicas();
        true
    }

    /// Redis's `startBgsaveForReplication`: one snapshot for every replica waiting for one,
    /// EOF-marked when `repl-diskless-sync` is on and all of them read that form, each
    /// preceded by `+FULLRESYNC <replid> <offset>` (not for SYNC's replicas); the stream
    /// that follows starts with a SELECT.
    fn start_full_syncs(&mut self) {
        // Replicas that want the same snapshot share one; the others get theirs after.
        let mut waiting: Vec<(ClientId, Option<bool>)> = self
            .replication
            .master
            .replicas()
            .filter(|(_, l)| l.state == Some(ReplicaState::WaitBgsave))
            .map(|(id, l)| (*id, l.rdb_filter))
            .collect();
        while let Some(&(_, filter)) = waiting.first() {
            let (same, others) = waiting.into_iter().partition(|(_, f)| *f == filter);
            waiting = others;
            let ids: Vec<ClientId> = same.into_iter().map(|(id, _)| id).collect();
            self.full_sync(&ids, filter);
        }
    }

    /// One snapshot for the replicas `waiting`, filtered as `filter` says (see
    /// [`ReplicaLink::rdb_filter`]).
    fn full_sync(&mut self, waiting: &[ClientId], filter: Option<bool>) {
        let links = &self.replication.master.links;
        let all_eof = waiting.iter().all(|id| links[id].capa_eof);
        // A filtered snapshot is always made for the replicas alone, as Redis never lets one
        // pass for its own file.
        let socket = (self.config.flag("repl-diskless-sync") || filter.is_some()) && all_eof;
        self.persistence.log(format!(
            "Starting BGSAVE for SYNC with target: {}",
            if socket { "replicas sockets" } else { "disk" }
        ));
        let rdb = match filter {
            None => self.rdb_snapshot(),
            Some(functions) => self.rdb_snapshot_filtered(functions),
        };
        let offset = self.replication.master_repl_offset;
        let replid = self.replication.replid_str().to_string();
        self.replication.stream.db = None;
        let mut payload = Vec::with_capacity(rdb.len() + 2 * EOF_MARK_SIZE + 16);
        if socket {
            let mark = crate::replication::random_id(&mut self.rng);
            payload.extend_from_slice(b"$EOF:");
            payload.extend_from_slice(&mark);
            payload.extend_from_slice(b"\r\n");
            payload.extend_from_slice(&rdb);
            payload.extend_from_slice(&mark);
        } else {
            payload.extend_from_slice(format!("${}\r\n", rdb.len()).as_bytes());
            payload.extend_from_slice(&rdb);
        }
        for &id in waiting {
            let link = self.replica_link(id);
            link.psync_initial_offset = offset;
            let (pre_psync, rdb_only) = (link.pre_psync, link.rdb_only);
            if socket {
                // Online at once, its stream held until it acknowledges the snapshot.
                link.state = Some(ReplicaState::Online);
                link.held = Some(Vec::new());
            } else {
                link.state = Some(ReplicaState::SendBulk);
            }
            if !pre_psync {
                self.send_line(
                    id,
                    format!("+FULLRESYNC {replid} {offset}\r\n").into_bytes(),
                );
            }
            self.send_raw(id, payload.clone());
            if rdb_only {
                // It has what it asked for: closed once that is written.
                self.drop_replica(id);
            } else if socket {
                self.replica_online(id);
            }
        }
    }

    /// A replica has its snapshot: it is online (Redis's `replicaPutOnline`).
    fn replica_online(&mut self, id: ClientId) {
        let now_s = self.now_ms / 1000;
        if let Some(link) = self.replication.master.links.get_mut(&id) {
            link.state = Some(ReplicaState::Online);
            link.ack_time_s = now_s;
        }
        self.refresh_good_replicas();
        let name = self.replica_name(id);
        self.persistence
            .log(format!("Synchronization with replica {name} succeeded"));
    }

    /// The transport took a client's outbox: a snapshot sent with its length has gone out
    /// whole, and its replica is online.
    pub(crate) fn replica_drained(&mut self, id: ClientId) {
        let sending = self
            .replication
            .master
            .links
            .get(&id)
            .is_some_and(|l| l.state == Some(ReplicaState::SendBulk));
        if sending {
            self.replica_online(id);
        }
    }

    /// REPLCONF ACK from a replica: what it has processed, and, the first time after an
    /// EOF-marked snapshot, the stream it was held from.
    pub(crate) fn replica_ack(&mut self, id: ClientId, offset: Option<i64>) {
        let now_s = self.now_ms / 1000;
        let Some(link) = self.replication.master.links.get_mut(&id) else {
            return;
        };
        if link.state.is_none() {
            return;
        }
        if let Some(offset) = offset.and_then(|o| u64::try_from(o).ok()) {
            link.ack_offset = link.ack_offset.max(offset);
        }
        link.ack_time_s = now_s;
        if link.state == Some(ReplicaState::Online) {
            if let Some(held) = link.held.take() {
                if !held.is_empty() {
                    self.send_raw(id, held);
                }
            }
        }
        self.serve_waiting_acks();
    }

    /// A replica goes away (its connection closed, CLIENT KILL, a timeout): it takes no
    /// more of the stream (Redis's `freeClient` of a replica).
    pub(crate) fn forget_replica(&mut self, id: ClientId) {
        let Some(link) = self.replication.master.links.remove(&id) else {
            return;
        };
        if link.state.is_none() {
            return;
        }
        let name = replica_name_of(&link, self.clients.get(&id).map(|c| c.addr.as_str()));
        self.persistence
            .log(format!("Connection with replica {name} lost."));
        if self.replication.master.replica_count() == 0 {
            self.replication.no_replicas_since = self.now_ms / 1000;
        }
        self.refresh_good_replicas();
    }

    /// Drops a replica and closes its connection.
    pub(crate) fn drop_replica(&mut self, id: ClientId) {
        self.forget_replica(id);
        self.unblock(id);
        if let Some(c) = self.clients.get_mut(&id) {
            c.closing = true;
        }
        self.woken.push(id);
    }

    /// Redis's `replicationGetSlaveName`: the address it listens at, as it announced it.
    fn replica_name(&self, id: ClientId) -> String {
        let addr = self.clients.get(&id).map(|c| c.addr.as_str());
        match self.replication.master.links.get(&id) {
            Some(link) => replica_name_of(link, addr),
            None => addr.unwrap_or_default().to_string(),
        }
    }

    /// The address a replica is listed at: the one it announced, else its connection's
    /// (INFO's `ip=`).
    pub(crate) fn replica_ip(&self, id: ClientId) -> String {
        let link = self.replication.master.links.get(&id);
        match link.and_then(|l| l.announced_ip.clone()) {
            Some(ip) => ip,
            None => {
                let addr = self.clients.get(&id).map_or("", |c| c.addr.as_str());
                addr.rsplit_once(':').map_or(addr, |(ip, _)| ip).to_string()
            }
        }
    }

    /// Redis's `refreshGoodSlavesCount`.
    pub(crate) fn refresh_good_replicas(&mut self) {
        let max_lag = self.config.int("min-replicas-max-lag");
        let now_s = self.now_ms / 1000;
        let good = self
            .replication
            .master
            .replicas()
            .filter(|(_, l)| {
                l.state == Some(ReplicaState::Online)
                    && (now_s.saturating_sub(l.ack_time_s) as i64) <= max_lag
            })
            .count();
        self.replication.master.good_replicas = good;
    }

    /// Redis's `checkGoodReplicasStatus`: whether writes may go on under
    /// `min-replicas-to-write` (and `min-replicas-max-lag` not 0).
    pub(crate) fn enough_good_replicas(&self) -> bool {
        let wanted = self.config.int("min-replicas-to-write");
        wanted == 0
            || self.config.int("min-replicas-max-lag") == 0
            || self.replication.master.good_replicas as i64 >= wanted
    }

    /// How many replicas acknowledged `offset` (Redis's `replicationCountAcksByOffset`).
    pub(crate) fn acks_for(&self, offset: u64) -> usize {
        self.replication
            .master
            .replicas()
            .filter(|(_, l)| l.state == Some(ReplicaState::Online) && l.ack_offset >= offset)
            .count()
    }

    /// Answers WAITs that have their count of acknowledgements (Redis's
    /// `processClientsWaitingReplicas`).
    pub(crate) fn serve_waiting_acks(&mut self) {
        let waiting: Vec<(ClientId, u64, i64)> = self
            .clients
            .values()
            .filter_map(|c| match c.blocked.as_ref().map(|b| &b.serve) {
                Some(crate::blocking::Serve::Replicas { offset, count }) => {
                    Some((c.id, *offset, *count))
                }
                _ => None,
            })
            .collect();
        for (id, offset, count) in waiting {
            let acks = self.acks_for(offset);
            if acks as i64 >= count {
                self.unblock_with(id, Reply::Integer(acks as i64));
            }
        }
    }

    /// Asks every replica for an acknowledgement through the stream (`REPLCONF GETACK *`),
    /// for a WAIT that blocked (Redis's `replicationRequestAckFromSlaves`).
    pub(crate) fn request_acks(&mut self) {
        let offset = self.replication.master_repl_offset;
        if self.replication.master.replica_count() == 0
            || self.replication.master.last_getack_offset == Some(offset)
        {
            return;
        }
        self.feed_replicas_command(&[b"REPLCONF", b"GETACK", b"*"]);
        self.replication.master.last_getack_offset = Some(self.replication.master_repl_offset);
    }

    /// What the engine does for replication on every tick: a FAILOVER's progress (Redis
    /// checks it ten times a second while one is under way), the snapshot diskless syncs
    /// waited for, and once a second Redis's `replicationCron` (see the module's notes).
    pub(crate) fn replication_tick(&mut self) {
        self.update_failover_status();
        self.start_pending_full_syncs();
        let now = self.now_ms;
        let master = &mut self.replication.master;
        if now < master.cron_last_ms.saturating_add(1000) {
            return;
        }
        master.cron_last_ms = now;
        let loops = master.cron_loops;
        master.cron_loops += 1;
        self.replication_cron(loops);
    }

    /// Starts the snapshot diskless syncs wait for, once the first has waited
    /// `repl-diskless-sync-delay` seconds or `repl-diskless-sync-max-replicas` wait
    /// (Redis's `shouldStartChildReplication`).
    fn start_pending_full_syncs(&mut self) {
        let now = self.now_ms;
        let (waiting, max_idle_s) = self
            .replication
            .master
            .replicas()
            .filter(|(_, l)| l.state == Some(ReplicaState::WaitBgsave))
            .fold((0, 0), |(n, idle), (_, l)| {
                (
                    n + 1,
                    idle.max(now.saturating_sub(l.waiting_since_ms) / 1000),
                )
            });
        if waiting == 0 {
            return;
        }
        let max_replicas = self.config.int("repl-diskless-sync-max-replicas");
        if !self.config.flag("repl-diskless-sync")
            || (max_replicas > 0 && waiting >= max_replicas)
            || max_idle_s as i64 >= self.config.int("repl-diskless-sync-delay")
        {
            self.start_full_syncs();
        }
    }

    /// Redis's `replicationCron`, once a second (`loops` times before).
    fn replication_cron(&mut self, loops: u64) {
        let now_s = self.now_ms / 1000;
        let period = self.config.int("repl-ping-replica-period").max(1) as u64;
        let count = self.replication.master.replica_count();
        // No PING while a FAILOVER with a deadline holds writes: it would move the offset
        // the target must reach.
        let failover_pausing = self
            .replication
            .master
            .failover
            .as_ref()
            .is_some_and(|f| f.end_ms.is_some())
            && self.check_pause_timeout();
        if loops.is_multiple_of(period) && count > 0 && !failover_pausing {
            self.feed_replicas_command(&[b"PING"]);
        }
        // A bare newline keeps a replica waiting for its snapshot from timing out; it is
        // no part of the stream.
        let presync: Vec<ClientId> = self
            .replication
            .master
            .replicas()
            .filter(|(_, l)| l.state == Some(ReplicaState::WaitBgsave))
            .map(|(id, _)| *id)
            .collect();
        for id in presync {
            self.send_line(id, b"\n".to_vec());
        }
        let timeout = self.config.int("repl-timeout") as u64;
        let timed_out: Vec<ClientId> = self
            .replication
            .master
            .replicas()
            .filter(|(_, l)| {
                l.state == Some(ReplicaState::Online)
                    && !l.pre_psync
                    && now_s.saturating_sub(l.ack_time_s) > timeout
            })
            .map(|(id, _)| *id)
            .collect();
        for id in timed_out {
            let name = self.replica_name(id);
            self.persistence.log(format!(
                "Disconnecting timedout replica (streaming sync): {name}"
            ));
            self.drop_replica(id);
        }
        let ttl = self.config.int("repl-backlog-ttl") as u64;
        // A replica keeps its backlog whatever: it may be promoted (Redis checks
        // `masterhost == NULL`).
        if self.replication.master.replica_count() == 0
            && ttl > 0
            && !self.has_master()
            && self.replication.backlog.is_some()
            && now_s.saturating_sub(self.replication.no_replicas_since) > ttl
        {
            // A new history: writes made from now on move no offset, and another server
            // holding the old ID must not resume from it.
            self.replication.change_replid();
            self.replication.clear_replid2();
            self.replication.backlog = None;
            self.persistence.log(format!(
                "Replication backlog freed after {ttl} seconds without connected replicas."
            ));
        }
        self.refresh_good_replicas();
    }
}

impl Engine {
    /// The replica listening at `host`:`port` (Redis's `findReplica`).
    pub(crate) fn find_replica(&self, host: &[u8], port: i64) -> Option<ClientId> {
        self.replication
            .master
            .replicas()
            .find(|(id, l)| l.listening_port == port && self.replica_ip(**id).as_bytes() == host)
            .map(|(id, _)| *id)
    }

    /// Starts a FAILOVER (its checks done): writes pause until it ends.
    pub(crate) fn start_failover(&mut self, failover: Failover) {
        let line = match &failover.target {
            Some((host, port)) => format!("FAILOVER requested to {host}:{port}."),
            None => "FAILOVER requested to any replica.".to_string(),
        };
        self.persistence.log(line);
        self.replication.master.failover = Some(failover);
        self.set_failover_pause(true);
    }

    /// Redis's `updateFailoverStatus`: past the deadline, FORCE hands over anyway and
    /// otherwise the FAILOVER gives up; a target (the one named, or the first replica found
    /// caught up) that acknowledged the whole stream is handed over to.
    fn update_failover_status(&mut self) {
        let Some(failover) = self.replication.master.failover.clone() else {
            return;
        };
        if failover.state != FailoverState::WaitForSync {
            return;
        }
        if failover.end_ms.is_some_and(|end| end <= self.now_ms) {
            if failover.force {
                let (host, port) = failover.target.clone().unwrap_or_default();
                self.persistence.log(format!(
                    "FAILOVER to {host}:{port} time out exceeded, failing over."
                ));
                self.failover_in_progress();
            } else {
                self.abort_failover("Replica never caught up before timeout");
            }
            return;
        }
        let offset = self.replication.master_repl_offset;
        let caught_up = match &failover.target {
            Some((host, port)) => self
                .find_replica(host.as_bytes(), *port)
                .and_then(|id| self.replication.master.links.get(&id))
                .is_some_and(|l| l.ack_offset == offset),
            None => {
                let found = self
                    .replication
                    .master
                    .replicas()
                    .find(|(_, l)| l.ack_offset == offset)
                    .map(|(id, l)| (self.replica_ip(*id), l.listening_port));
                if let (Some(target), Some(f)) =
                    (found.clone(), &mut self.replication.master.failover)
                {
                    f.target = Some(target);
                }
                found.is_some()
            }
        };
        if caught_up {
            let (host, port) = self
                .replication
                .master
                .failover
                .as_ref()
                .and_then(|f| f.target.clone())
                .unwrap_or_default();
            self.persistence.log(format!(
                "Failover target {host}:{port} is synced, failing over."
            ));
            self.failover_in_progress();
        }
    }

    /// The target has the whole stream: the hand-over starts. This server is to follow the
    /// target with `PSYNC <replid> <offset> FAILOVER` (the replica side's link,
    /// `crate::replication::replica`), which ends the FAILOVER ([`Engine::clear_failover`])
    /// when the target answers `+CONTINUE` or `+FULLRESYNC`, and aborts it otherwise.
    fn failover_in_progress(&mut self) {
        let Some(f) = &mut self.replication.master.failover else {
            return;
        };
        f.state = FailoverState::InProgress;
        let (host, port) = f.target.clone().unwrap_or_default();
        self.replicate_from(host, u16::try_from(port).unwrap_or(0));
    }

    /// Redis's `abortFailover`: the FAILOVER ends without a hand-over, with the reason in
    /// the log; writes resume.
    pub(crate) fn abort_failover(&mut self, why: &str) {
        let Some(failover) = &self.replication.master.failover else {
            return;
        };
        let line = match &failover.target {
            Some((host, port)) => format!("FAILOVER to {host}:{port} aborted: {why}"),
            None => format!("FAILOVER to any replica aborted: {why}"),
        };
        self.persistence.log(line);
        // Already following the target: back to being the primary.
        if failover.state == FailoverState::InProgress {
            self.stop_replicating();
        }
        self.clear_failover();
    }

    /// Redis's `clearFailoverState`: no FAILOVER any more, and writes resume.
    pub fn clear_failover(&mut self) {
        self.replication.master.failover = None;
        self.set_failover_pause(false);
    }
}

/// A replica as Redis's log lines name it: `ip:port` with the address it announced (or its
/// connection's) and the port it listens at.
fn replica_name_of(link: &ReplicaLink, addr: Option<&str>) -> String {
    let addr = addr.unwrap_or_default();
    let ip = link
        .announced_ip
        .clone()
        .unwrap_or_else(|| addr.rsplit_once(':').map_or(addr, |(ip, _)| ip).to_string());
    format!("{ip}:{}", link.listening_port)
}
