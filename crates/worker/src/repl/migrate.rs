//! MIGRATE between the Replication view's nodes: the connections `keyspace::migrate` asks
//! for, made to the node at the address. Redis makes them with blocking calls while every
//! other client waits, so here too the whole exchange happens inside the command: while a
//! node runs a typed line, the topology lends it the other running engines ([`Lent`]), and a
//! write runs its requests on the target's engine at once, as a client of it (CLIENT LIST
//! there shows it, and it stays connected while the source keeps it, ten seconds unused).
//!
//! The network's state decides what the connection meets: a link that is cut or a node that
//! is partitioned answers nothing, so the connection waits out MIGRATE's timeout; a stopped
//! node (or a port no node has) refuses it, which Redis learns of when it writes; a node
//! migrating to itself waits for its own answer, which cannot come while it runs MIGRATE, and
//! times out as Redis's does. The virtual clock stands still meanwhile: the link's latency
//! is not added to the command.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

use keyspace::migrate::{IoFailure, Outbound, OutboundId};
use keyspace::resp::RequestParser;
use keyspace::{ClientId, Engine};

use super::network::Port;
use super::node::Node;
use super::transport::{engine_at, serve};

/// Where a MIGRATE connection comes from on the target's side: a port per connection.
const EPHEMERAL_PORTS: u64 = 45_000;

/// What the nodes' connections share: the engines lent for the command running, the
/// connections, and the closes to carry out once the target's engine is back.
#[derive(Default)]
pub struct Lent {
    /// The other running nodes' engines, while one node runs a typed line.
    engines: BTreeMap<Port, Engine>,
    /// The nodes the running one can reach now (its links up, neither partitioned).
    reachable: BTreeSet<Port>,
    conns: BTreeMap<u64, Conn>,
    next: u64,
    /// Connections closed while their target's engine was not lent: disconnected later.
    closed: Vec<(Port, ClientId)>,
}

enum Conn {
    /// To another node: its client there, what it has sent not yet read, and the replies.
    Open {
        port: Port,
        client: ClientId,
        parser: RequestParser,
        replies: VecDeque<u8>,
    },
    /// To the node itself: nothing will answer while it runs.
    Own,
    /// Refused, or its node stopped since: every write fails.
    Broken,
}

/// One node's connections (its engine's [`Outbound`]), sharing [`Lent`] with the others.
pub struct NodeOutbound {
    pub port: Port,
    pub lent: Rc<RefCell<Lent>>,
}

impl Outbound for NodeOutbound {
    fn connect(&mut self, host: &str, port: u16, _timeout_ms: u64) -> Option<OutboundId> {
        let mut lent = self.lent.borrow_mut();
        let lent = &mut *lent;
        if !matches!(host, "127.0.0.1" | "localhost") {
            // No other host can be reached from the page: as a connection that never opens.
            return None;
        }
        lent.next += 1;
        let id = lent.next;
        let conn = if port == self.port {
            Conn::Own
        } else if let Some(engine) = lent.engines.get_mut(&port) {
            if !lent.reachable.contains(&port) {
                return None;
            }
            let client = engine.connect();
            engine.set_client_address(
                client,
                format!("127.0.0.1:{}", EPHEMERAL_PORTS + id),
                format!("127.0.0.1:{port}"),
                client.0 as i64 + 5,
            );
            Conn::Open {
                port,
                client,
                parser: RequestParser::new(),
                replies: VecDeque::new(),
            }
        } else {
            Conn::Broken
        };
        lent.conns.insert(id, conn);
        Some(OutboundId(id))
    }

    fn write(&mut self, conn: OutboundId, bytes: &[u8], _timeout_ms: u64) -> Result<(), IoFailure> {
        let mut lent = self.lent.borrow_mut();
        let lent = &mut *lent;
        let reachable = &lent.reachable;
        match lent.conns.get_mut(&conn.0) {
            Some(Conn::Own) => Ok(()),
            Some(Conn::Open {
                port,
                client,
                parser,
                replies,
            }) => {
                if !reachable.contains(port) {
                    return Err(IoFailure::TimedOut);
                }
                let engine = lent.engines.get_mut(port).ok_or(IoFailure::Broken)?;
                parser.feed(bytes);
                let mut out = Vec::new();
                serve(engine, *client, parser, &mut out);
                replies.extend(out);
                Ok(())
            }
            Some(Conn::Broken) | None => Err(IoFailure::Broken),
        }
    }

    fn read_line(&mut self, conn: OutboundId, _timeout_ms: u64) -> Result<Vec<u8>, IoFailure> {
        let mut lent = self.lent.borrow_mut();
        let lent = &mut *lent;
        match lent.conns.get_mut(&conn.0) {
            Some(Conn::Open { port, .. }) if !lent.reachable.contains(port) => {
                Err(IoFailure::TimedOut)
            }
            Some(Conn::Open { replies, .. }) => {
                let Some(end) = replies.iter().position(|&b| b == b'\n') else {
                    // Everything the target had to say was said: more would never come.
                    return Err(IoFailure::TimedOut);
                };
                let mut line: Vec<u8> = replies.drain(..=end).collect();
                while matches!(line.last(), Some(b'\n' | b'\r')) {
                    line.pop();
                }
                Ok(line)
            }
            Some(Conn::Own) => Err(IoFailure::TimedOut),
            Some(Conn::Broken) | None => Err(IoFailure::Broken),
        }
    }

    fn close(&mut self, conn: OutboundId) {
        let mut lent = self.lent.borrow_mut();
        if let Some(Conn::Open { port, client, .. }) = lent.conns.remove(&conn.0) {
            match lent.engines.get_mut(&port) {
                Some(engine) => engine.disconnect(client),
                None => lent.closed.push((port, client)),
            }
        }
    }
}

impl Lent {
    /// Lends `running`'s command every other running node's engine, with what it can reach.
    pub fn lend(&mut self, running: Port, nodes: &mut [Node], reachable: BTreeSet<Port>) {
        for node in nodes.iter_mut().filter(|n| n.port != running) {
            if let Some(engine) = node.engine.take() {
                self.engines.insert(node.port, engine);
            }
        }
        self.reachable = reachable;
    }

    /// Gives the engines back after the command, and closes what waited for them.
    pub fn give_back(&mut self, nodes: &mut [Node]) {
        for node in nodes.iter_mut() {
            if let Some(engine) = self.engines.remove(&node.port) {
                node.engine = Some(engine);
            }
        }
        self.reachable.clear();
        self.close_waiting(nodes);
    }

    /// Disconnects, on their running targets, the connections closed while those were not
    /// lent (the source's timer closes a connection unused for ten seconds).
    pub fn close_waiting(&mut self, nodes: &mut [Node]) {
        for (port, client) in std::mem::take(&mut self.closed) {
            if let Some(engine) = engine_at(nodes, port) {
                engine.disconnect(client);
            }
        }
    }

    /// A node stopped: connections to it are broken (its clients went with its engine).
    pub fn node_stopped(&mut self, port: Port) {
        for conn in self.conns.values_mut() {
            if matches!(conn, Conn::Open { port: p, .. } if *p == port) {
                *conn = Conn::Broken;
            }
        }
        self.closed.retain(|(p, _)| *p != port);
    }
}
