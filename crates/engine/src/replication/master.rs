//! The primary's side of replication: the replicas attached to this engine, what each has
//! acknowledged, and what WAIT waits for.

use std::collections::BTreeMap;

use crate::engine::ClientId;

/// Where a replica is in its synchronization (Redis's `SLAVE_STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// It asked for a full sync and waits for the snapshot to start (a diskless sync's
    /// delay, `repl-diskless-sync-delay`).
    WaitBgsave,
    /// Its snapshot is queued and not yet taken by the transport.
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
    pub listening_port: u16,
    pub announced_ip: Option<String>,
    /// REPLCONF capa: it reads an EOF-marked snapshot (`eof`) and understands `+CONTINUE
    /// <new replid>` (`psync2`).
    pub capa_eof: bool,
    pub capa_psync2: bool,
    /// The offset its last REPLCONF ACK acknowledged and when it came (Unix ms).
    pub ack_offset: u64,
    pub ack_time_ms: u64,
    /// The stream offset its full sync's snapshot stands for.
    pub psync_initial_offset: u64,
    /// When the snapshot it waits for may start (a diskless sync's delay; Unix ms).
    pub bgsave_after_ms: u64,
}

/// The primary's books.
#[derive(Clone, Debug, Default)]
pub struct Master {
    /// Clients that sent REPLCONF or became replicas, by id.
    pub links: BTreeMap<ClientId, ReplicaLink>,
}

impl Master {
    /// The replicas (clients that sent SYNC or PSYNC), in the order they connected.
    pub fn replicas(&self) -> impl Iterator<Item = (&ClientId, &ReplicaLink)> {
        self.links.iter().filter(|(_, l)| l.state.is_some())
    }
}
