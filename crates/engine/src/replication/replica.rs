//! The replica's side of replication: following a primary named by REPLICAOF (or the
//! `replicaof` parameter at start), as Redis 7.0's `syncWithMaster`, `readSyncBulkPayload`
//! and `replicationCron` do it, over a link the engine does not open itself.
//!
//! # A link carried by someone else
//!
//! The engine does no networking. It says where it wants to be connected
//! ([`Engine::master_link_wanted`]: a host, a port and an attempt number), and a transport
//! (the native server's sockets, the page's simulated network) connects, reports the outcome
//! ([`Engine::master_link_connected`], [`Engine::master_link_failed`]), hands over what the
//! primary sends ([`Engine::master_link_input`]) and sends what the engine wrote
//! ([`Engine::master_link_output`]). Every decision Redis makes about the link is made here,
//! on the engine's clock: the attempt number changes whenever the engine wants a new
//! connection, and a transport drops any connection made for an older one. While the engine
//! waits for its next try (Redis's `REPL_STATE_CONNECT`) it wants no connection at all.
//!
//! # The handshake
//!
//! Once connected the replica sends PING and waits for its reply: `+PONG`, or an
//! authentication error, which is fine at this point (the AUTH comes next). Then it sends,
//! without waiting in between, AUTH (when `masterauth` is set, with `masteruser` before the
//! password when that is set too), `REPLCONF listening-port <port>` and
//! `REPLCONF capa eof capa psync2`, and reads their replies in order: a refused AUTH ends the
//! attempt, the REPLCONF replies are only noted. Then `PSYNC <replid> <offset>`: the ID and
//! the next offset of the history it holds when it has one (the cached master, below), or
//! `PSYNC ? -1`. The primary answers
//!
//! - `+FULLRESYNC <replid> <offset>`: a snapshot follows, as `$<length>\r\n` and that many
//!   bytes, or as `$EOF:<40 characters>\r\n`, the bytes, and the same 40 characters (a
//!   diskless sync, whose length is not known beforehand). Before it, and instead of a reply
//!   while it prepares, the primary may send bare `\n`s to keep the link alive.
//! - `+CONTINUE [<replid>]`: a partial resynchronization; the stream carries on from where
//!   the cached master left it. A new ID means the primary's history was renamed (it was
//!   promoted): the old one becomes this replica's previous ID.
//! - `-NOMASTERLINK` or `-LOADING`: try again later; any other error: the primary does not
//!   know PSYNC, and the replica falls back to SYNC, a full sync with no offsets.
//!
//! A handshake that fails waits for the cron's next try, once a second.
//!
//! # The snapshot
//!
//! The snapshot is loaded as Redis loads it on a replica: the old data flushed first, keys
//! already past their expiry kept (the primary will delete them), the snapshot's `repl-id`
//! and `repl-offset` aux fields ignored in favour of `+FULLRESYNC`'s, and `repl-stream-db`
//! giving the database the stream starts in. The replica takes the primary's ID and offset as
//! its own history, forgets its previous one, drops its own replicas (they must resync with
//! the new history) and keeps a backlog, so that its replicas, and a PSYNC after it is
//! promoted, can resume from it. After an EOF-marked snapshot it acknowledges at once, which
//! is what brings the primary to start the stream.
//!
//! # The stream
//!
//! The primary's commands run on the master client (`flags=M` in CLIENT LIST), which is
//! never refused for being a replica's write nor answered: the replica replies to its
//! primary only with `REPLCONF ACK <offset>`, every second from the cron and when the
//! primary asks (`REPLCONF GETACK`). The offset counts the bytes of every command processed,
//! a transaction's counted when its EXEC runs; the same bytes feed the replica's own history
//! (its backlog), as they are, so that its replicas receive the primary's stream unchanged.
//!
//! # When the link drops
//!
//! A link that drops once connected (the primary went away, CLIENT KILL TYPE master,
//! `repl-timeout` seconds without a byte from the primary, which pings every
//! `repl-ping-replica-period`) leaves a cached master: the ID and offset of the history
//! received so far, and the stream's database. The replica reconnects at once and asks for a
//! partial resync from there. A replica that was a primary caches itself the same way when
//! REPLICAOF points it elsewhere, and a restarted one from its snapshot's aux fields, so both
//! can resume without a full sync. REPLICAOF NO ONE forgets the primary and keeps the data:
//! the history goes on under a new ID, the old one remembered as the previous ID.
//!
//! # Reads and writes on a replica
//!
//! A replica's clients may not write while `replica-read-only` is on (READONLY), nor run
//! anything but the commands flagged `stale` while the link is down and
//! `replica-serve-stale-data` is off (MASTERDOWN). Keys are never expired by the replica
//! itself: a key past its time reads as missing to its clients, stays for the master
//! client, and goes when the primary's DEL arrives.

use crate::engine::{ClientId, Engine};
use crate::error::Error;
use crate::persist::LoadMode;
use crate::rdb::Chunk;
use crate::reply::Reply;
use crate::resp::{encode_request, RequestParser};
use crate::spec::flag;

use super::REPLID_LEN;

/// Where the engine wants its link to the master to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterLink {
    pub host: String,
    pub port: u16,
    /// Changes whenever the engine wants a new connection: a transport holding one made for
    /// another attempt closes it.
    pub attempt: u64,
}

/// Where a replica's link stands (Redis's `repl_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Waiting for the cron's next try.
    Connect,
    /// The transport is connecting.
    Connecting,
    /// PING sent.
    ReceivePong,
    /// AUTH, REPLCONF listening-port and REPLCONF capa sent: their replies, in order.
    ReceiveAuth,
    ReceivePort,
    ReceiveCapa,
    /// PSYNC (or SYNC) sent.
    ReceivePsync,
    /// Receiving the snapshot.
    Transfer,
    /// Receiving the stream.
    Connected,
}

impl LinkState {
    /// Redis's `slaveIsInHandshakeState`.
    fn in_handshake(self) -> bool {
        matches!(
            self,
            LinkState::ReceivePong
                | LinkState::ReceiveAuth
                | LinkState::ReceivePort
                | LinkState::ReceiveCapa
                | LinkState::ReceivePsync
        )
    }
}

/// The history a replica resumes from after its link dropped (Redis's `cached_master`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct CachedMaster {
    replid: [u8; REPLID_LEN],
    /// The offset of the last byte processed.
    reploff: i64,
    /// The database the stream had selected.
    db: usize,
}

/// The master client and its stream (Redis's `server.master`).
#[derive(Debug)]
pub(crate) struct MasterClient {
    pub(crate) id: ClientId,
    replid: [u8; REPLID_LEN],
    /// The offset of the last byte processed (`reploff`) and of the last byte received
    /// (`read_reploff`).
    reploff: i64,
    read_reploff: i64,
    /// A primary that answered SYNC, not PSYNC: no offsets, no ACKs (`CLIENT_PRE_PSYNC`).
    pre_psync: bool,
    /// When a byte last came from the primary (Unix ms).
    last_interaction_ms: u64,
    parser: RequestParser,
    /// The bytes of the commands parsed but not yet applied (a transaction until its EXEC),
    /// then those not yet parsed: the stream as received, from `reploff + 1` on.
    unapplied: Vec<u8>,
}

/// How the snapshot's length is told.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Form {
    Sized(usize),
    Marked([u8; REPLID_LEN]),
}

/// A snapshot being received (Redis's `repl_transfer_*`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Payload {
    form: Option<Form>,
    data: Vec<u8>,
}

/// Why a snapshot transfer failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PayloadError {
    /// The primary sent an error line instead (`-...`).
    Aborted(String),
    /// The first byte of the line is not `$`.
    NotBulk(String),
}

impl Payload {
    /// Takes what belongs to the snapshot from the front of `input`: its header line, then its
    /// bytes; what follows them (the start of the stream) stays in `input`. The whole snapshot
    /// once it is complete.
    pub(crate) fn take(&mut self, input: &mut Vec<u8>) -> Result<Option<Vec<u8>>, PayloadError> {
        while self.form.is_none() {
            let Some(line) = take_line(input) else {
                return Ok(None);
            };
            // A bare newline keeps the link alive while the primary prepares the snapshot.
            if line.is_empty() {
                continue;
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            match line[0] {
                b'-' => return Err(PayloadError::Aborted(text[1..].to_string())),
                b'$' => {}
                _ => return Err(PayloadError::NotBulk(text)),
            }
            self.form = Some(match line[1..].strip_prefix(b"EOF:") {
                Some(mark) if mark.len() >= REPLID_LEN => {
                    let mut eof = [0; REPLID_LEN];
                    eof.copy_from_slice(&mark[..REPLID_LEN]);
                    Form::Marked(eof)
                }
                // `strtol`: the leading digits, 0 without any.
                _ => Form::Sized(leading_number(&line[1..])),
            });
        }
        match self.form {
            Some(Form::Sized(size)) => {
                let n = (size - self.data.len()).min(input.len());
                self.data.extend(input.drain(..n));
                Ok((self.data.len() == size).then(|| std::mem::take(&mut self.data)))
            }
            Some(Form::Marked(mark)) => {
                // The mark may straddle two reads: search from the last bytes already held.
                let from = self.data.len().saturating_sub(REPLID_LEN - 1);
                self.data.append(input);
                let found = self.data[from..]
                    .windows(REPLID_LEN)
                    .position(|w| w == mark)
                    .map(|at| from + at);
                Ok(found.map(|at| {
                    *input = self.data.split_off(at + REPLID_LEN);
                    self.data.truncate(at);
                    std::mem::take(&mut self.data)
                }))
            }
            None => Ok(None),
        }
    }

    /// The snapshot's announced size (0 for an EOF-marked one, -1 before the header), and
    /// the bytes received so far: INFO's `master_sync_total_bytes` and `_read_bytes`.
    fn progress(&self) -> (i64, i64) {
        let total = match self.form {
            None => -1,
            Some(Form::Marked(_)) => 0,
            Some(Form::Sized(size)) => size as i64,
        };
        (total, self.data.len() as i64)
    }
}

/// The first line of `input` without its `\r\n` (or `\n`), taken, once it is complete.
fn take_line(input: &mut Vec<u8>) -> Option<Vec<u8>> {
    let end = input.iter().position(|&b| b == b'\n')?;
    let mut line: Vec<u8> = input.drain(..=end).collect();
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(line)
}

/// The number the leading digits of `bytes` spell, as `strtol` reads a length (0 when none).
fn leading_number(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0usize, |n, &d| {
            n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
        })
}

/// The replica's side of the engine (see the module's notes): the primary it follows,
/// the link's state and the master client, current or cached.
#[derive(Debug)]
pub(crate) struct ReplicaSide {
    /// The primary's host and port (Redis's `masterhost`, `masterport`): `None` on a primary.
    pub(crate) master: Option<(String, u16)>,
    pub(crate) state: LinkState,
    /// The current attempt (see [`MasterLink`]).
    attempt: u64,
    /// Bytes received during the handshake and the snapshot, not yet used.
    input: Vec<u8>,
    /// Bytes to send to the primary.
    output: Vec<u8>,
    /// When the handshake or the transfer last heard from the primary (Unix ms).
    lastio_ms: u64,
    /// When the link went down (Unix ms), 0 when it never was up since REPLICAOF.
    down_since_ms: u64,
    pub(crate) client: Option<MasterClient>,
    cached: Option<CachedMaster>,
    /// What `+FULLRESYNC` announced (Redis's `master_replid`, `master_initial_offset`).
    master_replid: [u8; REPLID_LEN],
    master_initial_offset: i64,
    payload: Payload,
    /// When the replication cron last ran (Unix ms): it runs once a second.
    last_cron_ms: u64,
    /// The current connection's peer and local addresses and descriptor, as the transport
    /// told them ([`Engine::set_master_link_address`]): the master client shows them.
    link_address: Option<(String, String, i64)>,
}

impl Default for ReplicaSide {
    fn default() -> ReplicaSide {
        ReplicaSide {
            master: None,
            state: LinkState::Connect,
            attempt: 0,
            input: Vec::new(),
            output: Vec::new(),
            lastio_ms: 0,
            down_since_ms: 0,
            client: None,
            cached: None,
            master_replid: [b'0'; REPLID_LEN],
            master_initial_offset: -1,
            payload: Payload::default(),
            last_cron_ms: 0,
            link_address: None,
        }
    }
}

/// Redis's `REPL_STATE_*` as ROLE names them.
fn role_state(state: LinkState) -> &'static str {
    match state {
        LinkState::Connect => "connect",
        LinkState::Connecting => "connecting",
        LinkState::Transfer => "sync",
        LinkState::Connected => "connected",
        _ => "handshake",
    }
}

impl Engine {
    /// The connection this engine wants now: `None` on a primary, and on a replica waiting
    /// for its next try (see [`MasterLink`]).
    pub fn master_link_wanted(&self) -> Option<MasterLink> {
        let side = &self.replica;
        let (host, port) = side.master.as_ref()?;
        if side.state == LinkState::Connect {
            return None;
        }
        Some(MasterLink {
            host: host.clone(),
            port: *port,
            attempt: side.attempt,
        })
    }

    /// The transport connected for `attempt`: the handshake starts with a PING.
    pub fn master_link_connected(&mut self, attempt: u64) {
        if !self.is_current_attempt(attempt) || self.replica.state != LinkState::Connecting {
            return;
        }
        self.now_ms = self.clock.now_ms();
        self.persistence
            .log("Non blocking connect for SYNC fired the event.".into());
        self.send_to_master(&[b"PING"]);
        self.replica.state = LinkState::ReceivePong;
        self.replica.lastio_ms = self.now_ms;
    }

    /// The connection for `attempt` could not be made, or it closed.
    pub fn master_link_failed(&mut self, attempt: u64, reason: &str) {
        if !self.is_current_attempt(attempt) {
            return;
        }
        self.now_ms = self.clock.now_ms();
        match self.replica.state {
            LinkState::Connecting => {
                self.persistence
                    .log(format!("Error condition on socket for SYNC: {reason}"));
                self.cancel_handshake(false);
            }
            LinkState::Transfer => {
                self.persistence
                    .log(format!("I/O error trying to sync with MASTER: {reason}"));
                self.cancel_handshake(true);
            }
            LinkState::Connected => {
                self.persistence
                    .log(format!("Connection with master lost: {reason}"));
                self.master_link_lost();
            }
            LinkState::Connect => {}
            _ => {
                self.persistence.log(format!(
                    "Master did not respond to command during SYNC handshake: {reason}"
                ));
                self.cancel_handshake(false);
            }
        }
    }

    /// Bytes that arrived from the primary on the connection for `attempt`.
    pub fn master_link_input(&mut self, attempt: u64, bytes: &[u8]) {
        if !self.is_current_attempt(attempt) || bytes.is_empty() {
            return;
        }
        self.now_ms = self.clock.now_ms();
        if self.replica.state == LinkState::Connected {
            self.master_stream(bytes);
            return;
        }
        if !self.replica.state.in_handshake() && self.replica.state != LinkState::Transfer {
            return;
        }
        self.replica.lastio_ms = self.now_ms;
        self.replica.input.extend_from_slice(bytes);
        if let Err(reason) = self.sync_with_master() {
            self.persistence.log(reason);
            match self.replica.state {
                LinkState::Transfer => self.cancel_handshake(true),
                _ => self.cancel_handshake(false),
            }
        }
    }

    /// Where the connection for `attempt` goes from and to (`ip:port` each) and its socket's
    /// descriptor, for the master client's line in CLIENT LIST; a transport without sockets
    /// need not tell, and the master client then shows the primary's host and port.
    pub fn set_master_link_address(&mut self, attempt: u64, addr: String, laddr: String, fd: i64) {
        if self.is_current_attempt(attempt) {
            self.replica.link_address = Some((addr, laddr, fd));
        }
    }

    /// Bytes to send to the primary now, taken.
    pub fn master_link_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.replica.output)
    }

    /// True while this engine follows a primary (Redis's `masterhost != NULL`; the
    /// opposite of `iAmMaster`).
    pub(crate) fn has_master(&self) -> bool {
        self.replica.master.is_some()
    }

    /// True for the master client, whose commands a replica obeys (`mustObeyClient`).
    pub(crate) fn is_master_client(&self, client: ClientId) -> bool {
        self.replica.client.as_ref().is_some_and(|m| m.id == client)
    }

    fn is_current_attempt(&self, attempt: u64) -> bool {
        self.replica.master.is_some() && self.replica.attempt == attempt
    }

    /// Queues a command for the primary.
    fn send_to_master(&mut self, argv: &[&[u8]]) {
        encode_request(&mut self.replica.output, argv);
    }

    /// Redis's `connectWithMaster`: a new attempt, which the transport takes up.
    fn connect_with_master(&mut self) {
        let side = &mut self.replica;
        side.attempt += 1;
        side.link_address = None;
        side.state = LinkState::Connecting;
        side.lastio_ms = self.now_ms;
        side.input.clear();
        side.output.clear();
        side.payload = Payload::default();
        self.persistence
            .log("MASTER <-> REPLICA sync started".into());
    }

    /// Redis's `cancelReplicationHandshake`: the handshake or transfer is given up; with
    /// `reconnect`, a new attempt starts at once, otherwise the cron's next try.
    fn cancel_handshake(&mut self, reconnect: bool) {
        let side = &mut self.replica;
        side.state = LinkState::Connect;
        side.input.clear();
        side.output.clear();
        side.payload = Payload::default();
        if reconnect {
            self.connect_with_master();
        }
    }

    /// The handshake and the transfer, as far as the bytes received allow: Redis's
    /// `syncWithMaster` and `readSyncBulkPayload`. An error ends the attempt.
    fn sync_with_master(&mut self) -> Result<(), String> {
        loop {
            let state = self.replica.state;
            if state == LinkState::Transfer {
                return self.read_payload();
            }
            let Some(line) = take_line(&mut self.replica.input) else {
                return Ok(());
            };
            let text = String::from_utf8_lossy(&line).into_owned();
            match state {
                LinkState::ReceivePong => {
                    let accepted = ["+", "-NOAUTH", "-NOPERM", "-ERR operation not permitted"]
                        .iter()
                        .any(|start| text.starts_with(start));
                    if !accepted {
                        return Err(format!("Error reply to PING from master: '{text}'"));
                    }
                    self.send_handshake();
                }
                LinkState::ReceiveAuth => {
                    if text.starts_with('-') {
                        return Err(format!("Unable to AUTH to MASTER: {text}"));
                    }
                    self.replica.state = LinkState::ReceivePort;
                }
                LinkState::ReceivePort => self.replica.state = LinkState::ReceiveCapa,
                LinkState::ReceiveCapa => self.send_psync(),
                LinkState::ReceivePsync => {
                    // The primary may send newlines before its reply, to keep the link alive.
                    if !text.is_empty() {
                        self.psync_reply(&text)?;
                        if self.replica.state == LinkState::Connected {
                            let rest = std::mem::take(&mut self.replica.input);
                            self.master_stream(&rest);
                            return Ok(());
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// After the PONG: AUTH, the listening port and the capabilities, all at once.
    fn send_handshake(&mut self) {
        let masterauth = self.config.text("masterauth").as_bytes().to_vec();
        let masteruser = self.config.text("masteruser").as_bytes().to_vec();
        if !masterauth.is_empty() {
            match masteruser.is_empty() {
                true => self.send_to_master(&[b"AUTH", &masterauth]),
                false => self.send_to_master(&[b"AUTH", &masteruser, &masterauth]),
            }
        }
        let port = self.config.int("port").to_string();
        self.send_to_master(&[b"REPLCONF", b"listening-port", port.as_bytes()]);
        self.send_to_master(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]);
        self.replica.state = match masterauth.is_empty() {
            true => LinkState::ReceivePort,
            false => LinkState::ReceiveAuth,
        };
    }

    /// Redis's `slaveTryPartialResynchronization`, its writing half.
    fn send_psync(&mut self) {
        self.replica.master_initial_offset = -1;
        let (replid, offset) = match &self.replica.cached {
            Some(cached) => {
                let replid = cached.replid.to_vec();
                let offset = (cached.reploff + 1).to_string();
                self.persistence.log(format!(
                    "Trying a partial resynchronization (request {}:{offset}).",
                    String::from_utf8_lossy(&replid)
                ));
                (replid, offset)
            }
            None => {
                self.persistence
                    .log("Partial resynchronization not possible (no cached master)".into());
                (b"?".to_vec(), "-1".to_string())
            }
        };
        // An old primary handing over asks its target to take over.
        match self.failing_over() {
            true => self.send_to_master(&[b"PSYNC", &replid, offset.as_bytes(), b"FAILOVER"]),
            false => self.send_to_master(&[b"PSYNC", &replid, offset.as_bytes()]),
        }
        self.replica.state = LinkState::ReceivePsync;
    }

    /// The reading half: what the primary answered to PSYNC. A FAILOVER under way ends with
    /// either sync, and gives up on anything else.
    fn psync_reply(&mut self, reply: &str) -> Result<(), String> {
        if self.failing_over() {
            if reply.starts_with("+FULLRESYNC") || reply.starts_with("+CONTINUE") {
                self.clear_failover();
            } else {
                self.abort_failover("Failover target rejected psync request");
                return Ok(());
            }
        }
        if let Some(rest) = reply.strip_prefix("+FULLRESYNC") {
            let mut words = rest.split(' ').skip(1);
            match (words.next(), words.next()) {
                (Some(id), Some(offset)) if id.len() == REPLID_LEN => {
                    self.replica.master_replid.copy_from_slice(id.as_bytes());
                    self.replica.master_initial_offset = leading_number(offset.as_bytes()) as i64;
                    self.persistence
                        .log(format!("Full resync from master: {id}:{offset}"));
                }
                // The primary knows PSYNC but said it wrong: no ID is kept, so that the next
                // PSYNC cannot resume from it.
                _ => {
                    self.persistence
                        .log("Master replied with wrong +FULLRESYNC syntax.".into());
                    self.replica.master_replid = [0; REPLID_LEN];
                }
            }
            self.start_transfer();
            return Ok(());
        }
        if let Some(rest) = reply.strip_prefix("+CONTINUE") {
            self.persistence
                .log("Successful partial resynchronization with master.".into());
            let new = rest.trim_start_matches(' ').as_bytes();
            self.resurrect_cached_master(new);
            self.persistence.log(
                "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.".into(),
            );
            return Ok(());
        }
        if reply.starts_with("-NOMASTERLINK") || reply.starts_with("-LOADING") {
            return Err(format!(
                "Master is currently unable to PSYNC but should be in the future: {reply}"
            ));
        }
        self.persistence.log(format!(
            "Master does not support PSYNC or is in error state (reply: {reply})"
        ));
        self.persistence.log("Retrying with SYNC...".into());
        self.replica.output.extend_from_slice(b"SYNC\r\n");
        self.start_transfer();
        Ok(())
    }

    fn start_transfer(&mut self) {
        self.replica.state = LinkState::Transfer;
        self.replica.payload = Payload::default();
    }

    /// Reads the snapshot; once it is whole, loads it and starts the stream.
    fn read_payload(&mut self) -> Result<(), String> {
        let taken = self.replica.payload.take(&mut self.replica.input);
        let rdb = match taken {
            Ok(Some(rdb)) => rdb,
            Ok(None) => return Ok(()),
            Err(PayloadError::Aborted(e)) => {
                return Err(format!("MASTER aborted replication with an error: {e}"))
            }
            Err(PayloadError::NotBulk(line)) => {
                return Err(format!(
                    "Bad protocol from MASTER, the first byte is not '$' (we received '{line}'), are you sure the host and port are right?"
                ))
            }
        };
        let marked = matches!(self.replica.payload.form, Some(Form::Marked(_)));
        self.load_full_sync(&rdb, marked)
    }

    /// The end of a full sync: the old data flushed and the snapshot loaded, the primary's
    /// history taken as this replica's own, the master client created.
    fn load_full_sync(&mut self, rdb: &[u8], marked: bool) -> Result<(), String> {
        // Redis's `replicationAttachToNewMaster`.
        self.replica.cached = None;
        self.disconnect_replicas();
        self.replication.backlog = None;
        // Redis loads from the socket only when `repl-diskless-load` says so; otherwise the
        // snapshot is its `dbfilename` first (the old one replaced), then loaded from there,
        // so a replica restarted before its next save starts on what its master sent.
        let from_disk = match self.config.text("repl-diskless-load") {
            "swapdb" => false,
            "on-empty-db" => self.dbs.iter().any(|db| !db.keys.is_empty()),
            _ => true,
        };
        self.persistence
            .log("MASTER <-> REPLICA sync: Flushing old data".into());
        self.persistence
            .log("MASTER <-> REPLICA sync: Loading DB in memory".into());
        if from_disk {
            let location = self.storage_location();
            let written = (self.persistence.storage).write_rdb(&location, &[Chunk::from(rdb)]);
            if let Err(e) = written {
                // The old data was flushed before the file was renamed, as in Redis.
                self.empty_all_databases();
                return Err(format!(
                    "Failed trying to rename the temp DB into {} in MASTER <-> REPLICA \
                     synchronization: {e}",
                    location.dbfilename
                ));
            }
        }
        let stream_db = crate::rdb::leading_aux(rdb)
            .into_iter()
            .find(|(name, _)| name == b"repl-stream-db")
            .and_then(|(_, value)| crate::args::string2ll(&value))
            .and_then(|db| usize::try_from(db).ok())
            .filter(|&db| db < self.dbs.len());
        if let Err(e) = self.load_rdb(rdb, LoadMode::Replace) {
            // The old data is gone whatever the snapshot held, as in Redis.
            self.empty_all_databases();
            return Err(format!(
                "Failed trying to load the MASTER synchronization DB from socket: {e}"
            ));
        }
        self.dirty += 1;
        let id = self.create_master_client(
            self.replica.master_replid,
            self.replica.master_initial_offset,
        );
        if let Some(db) = stream_db {
            if let Some(c) = self.clients.get_mut(&id) {
                c.db = db;
            }
        }
        let offset = self.replica.master_initial_offset.max(0) as u64;
        self.replication.replid = self.replica.master_replid;
        self.replication.master_repl_offset = offset;
        self.replication.clear_replid2();
        let size = self.config.int("repl-backlog-size").max(1) as usize;
        self.replication.create_backlog(size);
        self.persistence
            .log("MASTER <-> REPLICA sync: Finished with success".into());
        // The log starts over on the new data (Redis's `restartAOFAfterSYNC`); a failure
        // shows in INFO persistence and MISCONF, as any failed rewrite.
        if self.persistence.aof.on {
            let _ = self.rewrite_aof();
        }
        // An EOF-marked snapshot came from a diskless sync, whose primary starts the stream
        // on the first ACK.
        if marked {
            self.send_ack();
        }
        let rest = std::mem::take(&mut self.replica.input);
        self.master_stream(&rest);
        Ok(())
    }

    /// Redis's `replicationCreateMasterClient`: the client the stream's commands run on.
    fn create_master_client(&mut self, replid: [u8; REPLID_LEN], reploff: i64) -> ClientId {
        let id = self.connect();
        // Not a connection accepted from a client: Redis does not count it.
        self.stats.total_connections_received -= 1;
        let (host, port) = self.replica.master.clone().unwrap_or_default();
        let (addr, laddr, fd) = (self.replica.link_address.clone())
            .unwrap_or_else(|| (format!("{host}:{port}"), String::new(), -1));
        if let Some(c) = self.clients.get_mut(&id) {
            c.master = true;
            c.authenticated = true;
            (c.addr, c.laddr, c.fd) = (addr, laddr, fd);
        }
        self.replica.client = Some(MasterClient {
            id,
            replid,
            reploff,
            read_reploff: reploff,
            pre_psync: reploff == -1,
            last_interaction_ms: self.now_ms,
            parser: RequestParser::new(),
            unapplied: Vec::new(),
        });
        self.replica.state = LinkState::Connected;
        self.replica.down_since_ms = 0;
        id
    }

    /// Redis's `replicationResurrectCachedMaster` after `+CONTINUE`, taking the primary's new
    /// ID when it announced one.
    fn resurrect_cached_master(&mut self, new_replid: &[u8]) {
        let Some(cached) = self.replica.cached.take() else {
            return;
        };
        let mut replid = cached.replid;
        if new_replid.len() == REPLID_LEN && new_replid != cached.replid {
            self.persistence.log(format!(
                "Master replication ID changed to {}",
                String::from_utf8_lossy(new_replid)
            ));
            self.replication.replid2 = cached.replid;
            self.replication.second_replid_offset = self.replication.master_repl_offset as i64 + 1;
            replid.copy_from_slice(new_replid);
            self.replication.replid = replid;
            self.disconnect_replicas();
        }
        let id = self.create_master_client(replid, cached.reploff);
        if let Some(c) = self.clients.get_mut(&id) {
            c.db = cached.db;
        }
        // A restarted replica resumes with no backlog yet.
        let size = self.config.int("repl-backlog-size").max(1) as usize;
        self.replication.create_backlog(size);
    }

    /// The primary's stream: each complete command runs on the master client, and the bytes
    /// of what was applied move the offset and feed this replica's own history.
    fn master_stream(&mut self, bytes: &[u8]) {
        let Some(master) = self.replica.client.as_mut() else {
            return;
        };
        master.last_interaction_ms = self.now_ms;
        master.read_reploff += bytes.len() as i64;
        master.parser.feed(bytes);
        master.unapplied.extend_from_slice(bytes);
        let id = master.id;
        loop {
            let Some(master) = self.replica.client.as_mut() else {
                return;
            };
            let max_bulk_len = self.config.int("proto-max-bulk-len");
            let argv = match master.parser.next_request(max_bulk_len) {
                Ok(Some(argv)) => argv.to_vec(),
                Ok(None) => return,
                Err(e) => {
                    self.persistence
                        .log(format!("Protocol error from MASTER: {e}"));
                    self.master_link_lost();
                    return;
                }
            };
            // Right after a whole request the parser holds exactly the bytes after it.
            let parsed = master.unapplied.len() - master.parser.pending();
            self.execute(id, &argv);
            // Nothing goes back to the primary but what REPLCONF GETACK asked for.
            self.drain(id);
            let in_multi = self.clients.get(&id).is_some_and(|c| c.multi.is_some());
            if in_multi {
                continue;
            }
            let Some(master) = self.replica.client.as_mut() else {
                return;
            };
            let applied: Vec<u8> = master.unapplied.drain(..parsed).collect();
            master.reploff += applied.len() as i64;
            self.feed_replicas(applied);
            if self.clients.get(&id).is_none_or(|c| c.closing) {
                self.master_link_lost();
                return;
            }
        }
    }

    /// Redis's `replicationSendAck`: the offset processed so far.
    pub(crate) fn send_ack(&mut self) {
        if let Some(master) = &self.replica.client {
            let offset = master.reploff.to_string();
            self.send_to_master(&[b"REPLCONF", b"ACK", offset.as_bytes()]);
        }
    }

    /// The master client is gone (the link dropped, CLIENT KILL, a timeout): its history is
    /// cached for a partial resync, and a new attempt starts at once (Redis's
    /// `replicationCacheMaster` and `replicationHandleMasterDisconnection`).
    fn master_link_lost(&mut self) {
        let Some(master) = self.replica.client.take() else {
            return;
        };
        self.persistence
            .log("Caching the disconnected master state.".into());
        let db = self.clients.get(&master.id).map_or(0, |c| c.db);
        self.disconnect(master.id);
        if !master.pre_psync {
            self.replica.cached = Some(CachedMaster {
                replid: master.replid,
                reploff: master.reploff,
                db,
            });
        }
        self.replica.down_since_ms = self.now_ms;
        if let Some((host, port)) = &self.replica.master {
            self.persistence
                .log(format!("Reconnecting to MASTER {host}:{port}"));
        }
        self.connect_with_master();
    }

    /// CLIENT KILL closed the master client: the link drops as if the primary had gone.
    pub(crate) fn master_client_killed(&mut self, client: ClientId) {
        if self.is_master_client(client) {
            self.master_link_lost();
        }
    }

    /// Whether this replica may serve a SYNC or PSYNC of its own: only with its link up.
    pub(crate) fn check_master_link_for_sync(&self) -> Result<(), Error> {
        match self.has_master() && self.replica.state != LinkState::Connected {
            true => Err(Error::NoMasterLinkForSync),
            false => Ok(()),
        }
    }

    /// `PSYNC <replid> <offset> FAILOVER` from the primary handing over: this replica
    /// becomes a primary when the ID is its own (Redis's `syncCommand`).
    pub(crate) fn promote_for_failover(&mut self, replid: &[u8]) -> Result<(), Error> {
        self.persistence.log(format!(
            "Failover request received for replid {}.",
            String::from_utf8_lossy(replid)
        ));
        if !self.has_master() {
            return Err(Error::PsyncFailoverToMaster);
        }
        if !replid.eq_ignore_ascii_case(&self.replication.replid) {
            return Err(Error::PsyncFailoverReplidMismatch);
        }
        self.stop_replicating();
        self.persistence
            .log("MASTER MODE enabled (failover request)".into());
        Ok(())
    }

    /// The FAILOVER this engine runs as the old primary, once it follows the target.
    fn failing_over(&self) -> bool {
        use super::master::FailoverState;
        (self.replication.master.failover)
            .as_ref()
            .is_some_and(|f| f.state == FailoverState::InProgress)
    }

    /// Redis's `disconnectSlaves`: this engine's own replicas must resync.
    fn disconnect_replicas(&mut self) {
        let replicas: Vec<ClientId> = self
            .replication
            .master
            .replicas()
            .map(|(&id, _)| id)
            .collect();
        for id in replicas {
            self.drop_replica(id);
        }
    }

    /// REPLICAOF host port (Redis's `replicationSetMaster`): the old link goes, and a
    /// primary becomes a replica that may resume its own history from the new primary.
    pub(crate) fn replicate_from(&mut self, host: String, port: u16) {
        let was_master = self.replica.master.is_none();
        if let Some(master) = self.replica.client.take() {
            let db = self.clients.get(&master.id).map_or(0, |c| c.db);
            self.disconnect(master.id);
            self.replica.cached = (!master.pre_psync).then_some(CachedMaster {
                replid: master.replid,
                reploff: master.reploff,
                db,
            });
        }
        self.disconnect_all_blocked_clients();
        if was_master {
            // Redis's `replicationCacheMasterUsingMyself`.
            self.replica.cached = Some(CachedMaster {
                replid: self.replication.replid,
                reploff: self.replication.master_repl_offset as i64,
                db: 0,
            });
            self.replica.down_since_ms = 0;
        }
        self.persistence
            .log(format!("Connecting to MASTER {host}:{port}"));
        // CONFIG GET replicaof shows the primary followed; a host the parameter could not
        // hold (a space in it) leaves it as it was.
        let _ = (self.config).set(b"replicaof", format!("{host} {port}").as_bytes(), true);
        self.replica.master = Some((host, port));
        self.connect_with_master();
    }

    /// At start, the primary `replicaof` names: followed from the cron's first run.
    pub(crate) fn follow_configured_master(&mut self) {
        let address = self.config.text("replicaof").to_string();
        let Some((host, port)) = address.rsplit_once(' ') else {
            return;
        };
        let Ok(port) = port.parse() else {
            return;
        };
        self.replica.master = Some((host.to_string(), port));
        self.replica.state = LinkState::Connect;
    }

    /// REPLICAOF NO ONE (Redis's `replicationUnsetMaster`): the data stays, the history goes
    /// on under a new ID, and this engine's replicas resync (partially) with it.
    pub(crate) fn stop_replicating(&mut self) {
        if self.replica.master.is_none() {
            return;
        }
        if let Some(master) = self.replica.client.take() {
            self.disconnect(master.id);
        }
        let attempt = self.replica.attempt;
        self.replica = super::replica::ReplicaSide {
            attempt,
            ..Default::default()
        };
        let _ = self.config.set(b"replicaof", b"", true);
        self.replication.shift_replid();
        self.disconnect_replicas();
        self.replication.stream.db = None;
        self.replication.no_replicas_since = self.now_ms / 1000;
    }

    /// Redis's `disconnectAllBlockedClients`: clients blocked in BLPOP and the like when
    /// the engine starts following a primary are answered with UNBLOCKED and closed, since
    /// the data they wait on now belongs to another primary.
    fn disconnect_all_blocked_clients(&mut self) {
        let blocked: Vec<ClientId> = self
            .clients
            .values()
            .filter(|c| c.blocked.is_some())
            .map(|c| c.id)
            .collect();
        for id in blocked {
            self.unblock_with(id, Reply::from(Error::UnblockedRoleChange));
            if let Some(c) = self.clients.get_mut(&id) {
                c.closing = true;
            }
        }
    }

    /// Empties every database, as a replica does before a snapshot that failed to load.
    fn empty_all_databases(&mut self) {
        for db in 0..self.dbs.len() {
            self.signal_deleted_streams(db, None);
            self.touch_all_watched_keys_in_db(db, None);
            self.empty_db_keys(db, false);
        }
        self.invalidate_tracked_keys_on_flush();
    }

    /// The replication part of Redis's `replicationCron`, once a second: timeouts of the
    /// handshake, the transfer and a silent primary; the next try; the periodic ACK.
    pub(crate) fn replica_cron(&mut self) {
        if self.now_ms.saturating_sub(self.replica.last_cron_ms) < 1000 {
            return;
        }
        self.replica.last_cron_ms = self.now_ms;
        if self.replica.master.is_none() {
            return;
        }
        let timeout_s = self.config.int("repl-timeout");
        let now_s = (self.now_ms / 1000) as i64;
        let silent_s = |since_ms: u64| now_s - (since_ms / 1000) as i64 > timeout_s;
        let state = self.replica.state;
        if (state == LinkState::Connecting || state.in_handshake())
            && silent_s(self.replica.lastio_ms)
        {
            self.persistence
                .log("Timeout connecting to the MASTER...".into());
            self.cancel_handshake(true);
        }
        if state == LinkState::Transfer && silent_s(self.replica.lastio_ms) {
            self.persistence
                .log("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.".into());
            self.cancel_handshake(true);
        }
        let master_silent = self
            .replica
            .client
            .as_ref()
            .is_some_and(|m| silent_s(m.last_interaction_ms));
        if state == LinkState::Connected && master_silent {
            self.persistence
                .log("MASTER timeout: no data nor PING received...".into());
            self.master_link_lost();
        }
        if self.replica.state == LinkState::Connect {
            if let Some((host, port)) = &self.replica.master {
                self.persistence
                    .log(format!("Connecting to MASTER {host}:{port}"));
            }
            self.connect_with_master();
        }
        if self.replica.client.as_ref().is_some_and(|m| !m.pre_psync) {
            self.send_ack();
        }
    }

    /// The refusals Redis's `processCommand` makes on a replica, for anyone but the master
    /// client: writes while `replica-read-only` is on.
    pub(crate) fn check_read_only_replica(
        &self,
        client: ClientId,
        flags: u32,
        argv: &[Vec<u8>],
    ) -> Result<(), Error> {
        // The log's replay is obeyed as the master client is (Redis's `mustObeyClient`).
        if self.has_master()
            && self.config.flag("replica-read-only")
            && !self.is_master_client(client)
            && !self.persistence.aof.loading
            && self.is_write_command(client, flags, argv)
        {
            return Err(Error::ReadOnlyReplica);
        }
        Ok(())
    }

    /// A replica whose link is down while `replica-serve-stale-data` is off (Redis's
    /// `running_stale` for scripts).
    pub(crate) fn stale_replica(&self) -> bool {
        self.has_master()
            && self.replica.state != LinkState::Connected
            && !self.config.flag("replica-serve-stale-data")
    }

    /// ... and, with the link down and `replica-serve-stale-data no`, anything not flagged
    /// `stale` (an EXEC whose queue holds such a command included).
    pub(crate) fn check_stale_data(
        &self,
        client: ClientId,
        flags: u32,
        argv: &[Vec<u8>],
    ) -> Result<(), Error> {
        if !self.stale_replica() || self.persistence.aof.loading {
            return Ok(());
        }
        let stale_ok = |flags: u32| flags & flag::STALE != 0;
        let queue_refused = argv[0].eq_ignore_ascii_case(b"exec")
            && self
                .clients
                .get(&client)
                .and_then(|c| c.multi.as_ref())
                .is_some_and(|t| {
                    t.queue.iter().any(|queued| {
                        crate::spec::resolve(queued).is_ok_and(|(s, _)| !stale_ok(s.flags))
                    })
                });
        if !stale_ok(flags) || queue_refused {
            return Err(Error::MasterDown);
        }
        Ok(())
    }

    /// Whether a key past its expiry is still there for the command running: on a replica
    /// the master client sees it (the primary decides when it goes), and nobody deletes it
    /// but the primary. `None` on a primary, where expiry deletes as usual.
    pub(crate) fn replica_sees_expired(&self) -> Option<bool> {
        if !self.has_master() {
            return None;
        }
        Some(
            self.tracking
                .current
                .is_some_and(|c| self.is_master_client(c)),
        )
    }

    /// ROLE on a replica: `slave`, the primary's host and port, the link's state and the
    /// offset processed (-1 without a master client).
    pub(crate) fn replica_role(&self) -> Option<Reply> {
        let (host, port) = self.replica.master.as_ref()?;
        Some(Reply::Array(vec![
            Reply::bulk("slave"),
            Reply::bulk(host.as_str()),
            Reply::Integer(i64::from(*port)),
            Reply::bulk(role_state(self.replica.state)),
            Reply::Integer(self.replica.client.as_ref().map_or(-1, |m| m.reploff)),
        ]))
    }

    /// INFO replication's fields of a replica, after `role`, as Redis 7.0 prints them.
    pub(crate) fn replica_info(&self) -> Vec<(String, String)> {
        let side = &self.replica;
        let Some((host, port)) = &side.master else {
            return Vec::new();
        };
        let now_s = (self.now_ms / 1000) as i64;
        let seconds_since = |ms: u64| now_s - (ms / 1000) as i64;
        let (processed, read) = match (&side.client, &side.cached) {
            (Some(m), _) => (m.reploff, m.read_reploff),
            (None, Some(c)) => (c.reploff, c.reploff),
            (None, None) => (1, 1),
        };
        let mut fields: Vec<(&str, String)> = vec![
            ("master_host", host.clone()),
            ("master_port", port.to_string()),
            (
                "master_link_status",
                match side.state == LinkState::Connected {
                    true => "up".into(),
                    false => "down".into(),
                },
            ),
            (
                "master_last_io_seconds_ago",
                side.client
                    .as_ref()
                    .map_or(-1, |m| seconds_since(m.last_interaction_ms))
                    .to_string(),
            ),
            (
                "master_sync_in_progress",
                u8::from(side.state == LinkState::Transfer).to_string(),
            ),
            ("slave_read_repl_offset", read.to_string()),
            ("slave_repl_offset", processed.to_string()),
        ];
        if side.state == LinkState::Transfer {
            let (total, got) = side.payload.progress();
            let perc = match total {
                0 | -1 => 0.0,
                _ => got as f64 / total as f64 * 100.0,
            };
            fields.extend([
                ("master_sync_total_bytes", total.to_string()),
                ("master_sync_read_bytes", got.to_string()),
                ("master_sync_left_bytes", (total - got).to_string()),
                ("master_sync_perc", format!("{perc:.2}")),
                (
                    "master_sync_last_io_seconds_ago",
                    seconds_since(side.lastio_ms).to_string(),
                ),
            ]);
        }
        if side.state != LinkState::Connected {
            let down = match side.down_since_ms {
                0 => -1,
                since => seconds_since(since),
            };
            fields.push(("master_link_down_since_seconds", down.to_string()));
        }
        fields.extend([
            (
                "slave_priority",
                self.config.int("replica-priority").to_string(),
            ),
            (
                "slave_read_only",
                u8::from(self.config.flag("replica-read-only")).to_string(),
            ),
            (
                "replica_announced",
                u8::from(self.config.flag("replica-announced")).to_string(),
            ),
        ]);
        fields
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }

    /// The database the stream has selected, when a snapshot may name this engine's history
    /// in its aux fields (Redis's `rdbPopulateSaveInfo`): on a primary with a backlog (0
    /// before the stream's first SELECT), on a replica with a master client, current or
    /// cached. `None` when the history is of no use to anyone.
    pub(crate) fn rdb_save_info(&self) -> Option<usize> {
        if !self.has_master() {
            return (self.replication.backlog.is_some())
                .then(|| self.replication.stream.db.unwrap_or(0));
        }
        if let Some(master) = &self.replica.client {
            return self.clients.get(&master.id).map(|c| c.db);
        }
        self.replica.cached.as_ref().map(|cached| cached.db)
    }

    /// At start, after the snapshot loaded: a replica takes the history its snapshot names
    /// (the `repl-id`, `repl-offset` and `repl-stream-db` aux fields) as a cached master, so
    /// that its first PSYNC resumes from there (Redis's `loadDataFromDisk`).
    pub fn resume_from_snapshot(&mut self, rdb: &[u8]) {
        if self.replica.master.is_none() {
            return;
        }
        let aux = crate::rdb::leading_aux(rdb);
        let field = |name: &[u8]| {
            aux.iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value.clone())
        };
        let number = |name: &[u8]| field(name).and_then(|v| crate::args::string2ll(&v));
        let (Some(id), Some(offset), Some(db)) = (
            field(b"repl-id"),
            number(b"repl-offset"),
            number(b"repl-stream-db"),
        ) else {
            return;
        };
        if id.len() != REPLID_LEN || offset < 0 || db < 0 {
            return;
        }
        self.replication.replid.copy_from_slice(&id);
        self.replication.master_repl_offset = offset as u64;
        self.replica.cached = Some(CachedMaster {
            replid: self.replication.replid,
            reploff: offset,
            db: usize::try_from(db).unwrap_or(0).min(self.dbs.len() - 1),
        });
    }
}
