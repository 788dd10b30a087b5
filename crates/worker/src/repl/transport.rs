//! The sockets between the nodes: what the native server's replication task does with tokio,
//! done over the simulated network. For each running replica it asks the engine where its
//! link should go (`master_link_wanted`); for a new attempt it closes the old connection and
//! opens one to the node at that address (a client of the master's engine, with an address as
//! a socket would give it), or fails the attempt with "Connection refused" when nothing runs
//! there. The replica's output goes to the master as a client's requests (parsed by
//! `keyspace::resp::RequestParser`, run by `Engine::execute`); the master's replies and
//! everything it streams (its outbox, `Reply::Raw` included) go back, encoded, into
//! `master_link_input`. A closed connection reaches the other side as a packet too, after the
//! latency, as a FIN does.
//!
//! A connection is made when the link to its node is up: while the link is cut or either node
//! is partitioned the attempt waits, as a SYN that gets no answer, until the replica's engine
//! gives up on it (`repl-timeout`) and asks for a new attempt.

use std::collections::BTreeMap;

use keyspace::resp::RequestParser;
use keyspace::{ClientId, Engine, Reply};

use super::network::{Carried, ConnId, Network, Packet, Port};
use super::node::Node;

/// What redis-server's replica logs when its master's port has nothing listening.
const REFUSED: &str = "Connection refused";
/// When the master's side closed the connection.
const LOST: &str = "Connection lost";
/// Where a replica's connection comes from on the master's side: a port per connection, as
/// the system would pick one.
const EPHEMERAL_PORTS: u64 = 40_000;

/// Every connection between nodes, as each end sees it.
#[derive(Default)]
pub struct Transport {
    conns: Vec<Conn>,
    next_id: ConnId,
    /// The last attempt handled for each replica, so that an attempt is connected (or
    /// refused) once.
    handled: BTreeMap<Port, u64>,
}

struct Conn {
    id: ConnId,
    replica: Port,
    master: Port,
    attempt: u64,
    /// The replica's end is open (it has not closed nor seen the close).
    replica_open: bool,
    /// The master's end: its client, once connected, and what it has read.
    master_side: MasterEnd,
    /// Replies to the replica's requests not yet sent.
    replies: Vec<u8>,
    /// The master's side closes once `replies` are sent (a request it could not parse).
    close_after_replies: bool,
}

enum MasterEnd {
    /// The connection waits for the link to be up.
    Connecting,
    Open {
        client: ClientId,
        parser: RequestParser,
    },
    Closed,
}

/// Runs what `client` sent (fed to `parser`) as the native server reads a connection: requests
/// until one blocks or the client is closing, each reply encoded into `out`. True when a
/// request could not be parsed: its error is in `out` and the connection must close.
pub(super) fn serve(
    engine: &mut Engine,
    client: ClientId,
    parser: &mut RequestParser,
    out: &mut Vec<u8>,
) -> bool {
    while engine
        .client(client)
        .is_some_and(|c| !c.is_blocked() && !c.closing)
    {
        let max_bulk_len = engine.config().int("proto-max-bulk-len");
        let protocol = engine.client(client).map_or(2, |c| c.protocol);
        match parser.next_request(max_bulk_len) {
            Ok(Some(argv)) => {
                let outcome = engine.execute(client, argv);
                let protocol = engine.client(client).map_or(protocol, |c| c.protocol);
                for reply in engine.drain(client) {
                    reply.encode(protocol, out);
                }
                for reply in outcome.into_replies() {
                    reply.encode(protocol, out);
                }
            }
            Ok(None) => break,
            Err(error) => {
                Reply::from(error).encode(protocol, out);
                return true;
            }
        }
    }
    false
}

pub(super) fn engine_at(nodes: &mut [Node], port: Port) -> Option<&mut Engine> {
    (nodes.iter_mut().find(|n| n.port == port)).and_then(|n| n.engine.as_mut())
}

/// The port of a node of the page at `host:port`, if that address is one.
fn address(host: &str, port: u16) -> Option<Port> {
    matches!(host, "127.0.0.1" | "localhost").then_some(port)
}

impl Transport {
    /// Whether a replica's connection to its master runs between `a` and `b`.
    pub fn connected(&self, a: Port, b: Port) -> bool {
        self.conns.iter().any(|c| {
            c.replica_open
                && matches!(c.master_side, MasterEnd::Open { .. })
                && ((c.replica, c.master) == (a, b) || (c.replica, c.master) == (b, a))
        })
    }

    /// Opens, closes and feeds the connections as the engines want; whether anything was
    /// sent or changed.
    pub fn pump(&mut self, now_ms: u64, net: &mut Network, nodes: &mut [Node]) -> bool {
        let mut moved = false;
        let replicas: Vec<Port> = (nodes.iter())
            .filter(|n| n.running())
            .map(|n| n.port)
            .collect();
        for replica in replicas {
            moved |= self.follow_wanted(replica, now_ms, net, nodes);
        }
        for at in 0..self.conns.len() {
            moved |= self.flush(at, now_ms, net, nodes);
        }
        self.conns
            .retain(|c| c.replica_open || !matches!(c.master_side, MasterEnd::Closed));
        moved
    }

    /// The replica's side: the connection it wants, and what it has to send.
    fn follow_wanted(
        &mut self,
        replica: Port,
        now_ms: u64,
        net: &mut Network,
        nodes: &mut [Node],
    ) -> bool {
        let Some(engine) = engine_at(nodes, replica) else {
            return false;
        };
        let wanted = engine.master_link_wanted();
        let mut moved = false;
        let current = (self.conns.iter()).position(|c| c.replica == replica && c.replica_open);
        let stale = match (&wanted, current) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(w), Some(at)) => self.conns[at].attempt != w.attempt,
        };
        if let (true, Some(at)) = (stale, current) {
            self.close_replica_end(at, now_ms, net);
            moved = true;
        }
        let Some(wanted) = wanted else {
            return moved;
        };
        if self.handled.get(&replica) != Some(&wanted.attempt) {
            self.handled.insert(replica, wanted.attempt);
            let target = address(&wanted.host, wanted.port)
                .filter(|&port| (nodes.iter()).any(|n| n.port == port && n.running()));
            match target {
                Some(master) => {
                    self.next_id += 1;
                    self.conns.push(Conn {
                        id: self.next_id,
                        replica,
                        master,
                        attempt: wanted.attempt,
                        replica_open: true,
                        master_side: MasterEnd::Connecting,
                        replies: Vec::new(),
                        close_after_replies: false,
                    });
                }
                None => {
                    if let Some(engine) = engine_at(nodes, replica) {
                        engine.master_link_failed(wanted.attempt, REFUSED);
                    }
                }
            }
            moved = true;
        }
        let Some(at) = (self.conns.iter())
            .position(|c| c.replica == replica && c.replica_open && c.attempt == wanted.attempt)
        else {
            return moved;
        };
        if matches!(self.conns[at].master_side, MasterEnd::Connecting) {
            moved |= self.try_connect(at, nodes, net);
        }
        if let MasterEnd::Open { .. } = self.conns[at].master_side {
            let Some(engine) = engine_at(nodes, replica) else {
                return moved;
            };
            let output = engine.master_link_output();
            if !output.is_empty() {
                let conn = &self.conns[at];
                net.send(
                    now_ms,
                    conn.id,
                    replica,
                    conn.master,
                    Carried::Bytes(output),
                );
                moved = true;
            }
        }
        moved
    }

    /// A waiting connection is made once its link is up: a client on the master's engine,
    /// and the replica told. A master that stopped meanwhile refuses it.
    fn try_connect(&mut self, at: usize, nodes: &mut [Node], net: &Network) -> bool {
        let (id, replica, master, attempt) = {
            let c = &self.conns[at];
            (c.id, c.replica, c.master, c.attempt)
        };
        let Some(engine) = engine_at(nodes, master) else {
            self.conns[at].replica_open = false;
            self.conns[at].master_side = MasterEnd::Closed;
            if let Some(engine) = engine_at(nodes, replica) {
                engine.master_link_failed(attempt, REFUSED);
            }
            return true;
        };
        if !net.is_up(replica, master) {
            return false;
        }
        let client = engine.connect();
        engine.set_client_address(
            client,
            format!("127.0.0.1:{}", EPHEMERAL_PORTS + id),
            format!("127.0.0.1:{master}"),
            client.0 as i64 + 5,
        );
        self.conns[at].master_side = MasterEnd::Open {
            client,
            parser: RequestParser::new(),
        };
        if let Some(engine) = engine_at(nodes, replica) {
            // The replica's end of the same socket, for its master client's CLIENT LIST line.
            engine.set_master_link_address(
                attempt,
                format!("127.0.0.1:{master}"),
                format!("127.0.0.1:{}", EPHEMERAL_PORTS + id),
                id as i64 + 7,
            );
            engine.master_link_connected(attempt);
        }
        true
    }

    /// The replica's end closes (a new attempt, REPLICAOF NO ONE): the master sees it after
    /// the latency.
    fn close_replica_end(&mut self, at: usize, now_ms: u64, net: &mut Network) {
        let conn = &mut self.conns[at];
        conn.replica_open = false;
        match conn.master_side {
            MasterEnd::Connecting => conn.master_side = MasterEnd::Closed,
            MasterEnd::Open { .. } => {
                net.send(now_ms, conn.id, conn.replica, conn.master, Carried::Closed)
            }
            MasterEnd::Closed => {}
        }
    }

    /// The master's side: what its client has for the replica (replies, the stream), and its
    /// close when the engine dropped it.
    fn flush(&mut self, at: usize, now_ms: u64, net: &mut Network, nodes: &mut [Node]) -> bool {
        let conn = &mut self.conns[at];
        let MasterEnd::Open { client, .. } = conn.master_side else {
            return false;
        };
        let Some(engine) = engine_at(nodes, conn.master) else {
            return false;
        };
        let mut out = std::mem::take(&mut conn.replies);
        let protocol = engine.client(client).map_or(2, |c| c.protocol);
        for reply in engine.drain(client) {
            reply.encode(protocol, &mut out);
        }
        let mut moved = false;
        if !out.is_empty() {
            engine.count_net(client, 0, out.len());
            net.send(
                now_ms,
                conn.id,
                conn.master,
                conn.replica,
                Carried::Bytes(out),
            );
            moved = true;
        }
        if conn.close_after_replies || engine.client(client).is_none_or(|c| c.closing) {
            engine.disconnect(client);
            conn.master_side = MasterEnd::Closed;
            net.send(now_ms, conn.id, conn.master, conn.replica, Carried::Closed);
            moved = true;
        }
        moved
    }

    /// Hands each packet to its end: requests to the master's client, bytes and closes to the
    /// replica's engine.
    pub fn deliver(&mut self, arrived: Vec<Packet>, nodes: &mut [Node]) {
        for packet in arrived {
            let Some(at) = self.conns.iter().position(|c| c.id == packet.conn) else {
                continue;
            };
            if packet.to == self.conns[at].master {
                self.arrive_at_master(at, packet.carried, nodes);
            } else {
                self.arrive_at_replica(at, packet.carried, nodes);
            }
        }
    }

    fn arrive_at_master(&mut self, at: usize, carried: Carried, nodes: &mut [Node]) {
        let conn = &mut self.conns[at];
        let MasterEnd::Open { client, parser } = &mut conn.master_side else {
            return;
        };
        let client = *client;
        let Some(engine) = engine_at(nodes, conn.master) else {
            return;
        };
        let bytes = match carried {
            Carried::Bytes(bytes) => bytes,
            Carried::Closed => {
                engine.disconnect(client);
                conn.master_side = MasterEnd::Closed;
                return;
            }
        };
        parser.feed(&bytes);
        engine.count_net(client, bytes.len(), 0);
        // Nothing more is read after a request that could not be parsed: the connection is
        // closed once its error is sent (`flush`).
        if !conn.close_after_replies {
            conn.close_after_replies = serve(engine, client, parser, &mut conn.replies);
        }
    }

    fn arrive_at_replica(&mut self, at: usize, carried: Carried, nodes: &mut [Node]) {
        let conn = &mut self.conns[at];
        if !conn.replica_open {
            return;
        }
        let Some(engine) = engine_at(nodes, conn.replica) else {
            return;
        };
        match carried {
            Carried::Bytes(bytes) => engine.master_link_input(conn.attempt, &bytes),
            Carried::Closed => {
                conn.replica_open = false;
                engine.master_link_failed(conn.attempt, LOST);
            }
        }
    }

    /// A node's process ended: each connection it held closes, the other end seeing the
    /// close after the latency; what it had not sent is lost.
    pub fn node_stopped(&mut self, port: Port, now_ms: u64, net: &mut Network) {
        self.handled.remove(&port);
        for conn in &mut self.conns {
            if conn.replica == port && conn.replica_open {
                conn.replica_open = false;
                if let MasterEnd::Open { .. } = conn.master_side {
                    net.send(now_ms, conn.id, conn.replica, conn.master, Carried::Closed);
                }
            }
            if conn.master == port {
                let was_open = matches!(conn.master_side, MasterEnd::Open { .. });
                conn.master_side = MasterEnd::Closed;
                if was_open && conn.replica_open {
                    net.send(now_ms, conn.id, conn.master, conn.replica, Carried::Closed);
                }
            }
        }
    }
}
