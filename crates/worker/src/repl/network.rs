//! The simulated network between the Replication view's nodes: what a socket between two
//! redis-servers would carry, on the topology's virtual clock. A packet sent at `t` arrives at
//! `t + latency`, and packets between the same two nodes in the same direction arrive in the
//! order they were sent, as TCP keeps them. A cut link (or a node partitioned from all
//! others) holds what is on it, as a pulled cable holds a TCP stream that is retransmitted
//! once the cable is back: nothing arrives while it is cut, and what waited arrives after the
//! heal, in order. Whether the connection survives the wait is the engines' decision
//! (`repl-timeout`), not the network's.
//!
//! It knows ports and connections, not engines: `super::Topology` hands it bytes and takes
//! deliveries, so its rules are tested here alone.

use std::collections::{BTreeSet, VecDeque};

use keyspace_protocol::repl::Traffic;

/// A node's address on the page's network: its port on 127.0.0.1.
pub type Port = u16;
/// One TCP connection, for as long as it lasts.
pub type ConnId = u64;

/// What a packet carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Carried {
    Bytes(Vec<u8>),
    /// The sender closed the connection (its FIN).
    Closed,
}

/// Something on its way from one node to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub conn: ConnId,
    pub from: Port,
    pub to: Port,
    pub sent_ms: u64,
    pub due_ms: u64,
    pub carried: Carried,
    /// Whole commands among the bytes, for the view.
    pub commands: u64,
}

/// The links between every pair of nodes and what is on them.
#[derive(Debug, Default)]
pub struct Network {
    latency_ms: u64,
    /// Pairs cut by the learner, lower port first.
    cut: BTreeSet<(Port, Port)>,
    /// Nodes partitioned from every other.
    isolated: BTreeSet<Port>,
    /// In the order they were sent.
    in_flight: VecDeque<Packet>,
    /// Bytes delivered so far from one node to another.
    delivered: Vec<((Port, Port), u64)>,
}

fn pair(a: Port, b: Port) -> (Port, Port) {
    (a.min(b), a.max(b))
}

impl Network {
    pub fn new(latency_ms: u64) -> Network {
        Network {
            latency_ms,
            ..Network::default()
        }
    }

    pub fn latency_ms(&self) -> u64 {
        self.latency_ms
    }

    /// The latency of what is sent from now on (what is on its way keeps its own).
    pub fn set_latency(&mut self, ms: u64) {
        self.latency_ms = ms;
    }

    pub fn set_cut(&mut self, a: Port, b: Port, cut: bool) {
        if cut {
            self.cut.insert(pair(a, b));
        } else {
            self.cut.remove(&pair(a, b));
        }
    }

    pub fn set_isolated(&mut self, port: Port, isolated: bool) {
        if isolated {
            self.isolated.insert(port);
        } else {
            self.isolated.remove(&port);
        }
    }

    /// Cut by the learner (not counting a partition).
    pub fn is_cut(&self, a: Port, b: Port) -> bool {
        self.cut.contains(&pair(a, b))
    }

    pub fn is_isolated(&self, port: Port) -> bool {
        self.isolated.contains(&port)
    }

    /// Whether anything can cross between `a` and `b` now.
    pub fn is_up(&self, a: Port, b: Port) -> bool {
        !self.is_cut(a, b) && !self.is_isolated(a) && !self.is_isolated(b)
    }

    /// Puts `carried` on the link from `from` to `to`, to arrive after the latency.
    pub fn send(&mut self, now_ms: u64, conn: ConnId, from: Port, to: Port, carried: Carried) {
        let commands = match &carried {
            Carried::Bytes(bytes) => count_commands(bytes),
            Carried::Closed => 0,
        };
        self.in_flight.push_back(Packet {
            conn,
            from,
            to,
            sent_ms: now_ms,
            due_ms: now_ms + self.latency_ms,
            carried,
            commands,
        });
    }

    /// Takes what arrives by `now_ms`, in the order it was sent: each packet that is due on a
    /// link that is up, unless an earlier packet in the same direction still waits.
    pub fn arrivals(&mut self, now_ms: u64) -> Vec<Packet> {
        let mut waiting: BTreeSet<(Port, Port)> = BTreeSet::new();
        let mut arrived = Vec::new();
        let mut kept = VecDeque::with_capacity(self.in_flight.len());
        for packet in self.in_flight.drain(..) {
            let direction = (packet.from, packet.to);
            let up = !self.cut.contains(&pair(packet.from, packet.to))
                && !self.isolated.contains(&packet.from)
                && !self.isolated.contains(&packet.to);
            if up && packet.due_ms <= now_ms && !waiting.contains(&direction) {
                arrived.push(packet);
            } else {
                waiting.insert(direction);
                kept.push_back(packet);
            }
        }
        self.in_flight = kept;
        for packet in &arrived {
            if let Carried::Bytes(bytes) = &packet.carried {
                let direction = (packet.from, packet.to);
                match self.delivered.iter_mut().find(|(d, _)| *d == direction) {
                    Some((_, n)) => *n += bytes.len() as u64,
                    None => self.delivered.push((direction, bytes.len() as u64)),
                }
            }
        }
        arrived
    }

    /// When the next packet that can arrive is due (on a link that is up), if any.
    pub fn next_due(&self) -> Option<u64> {
        (self.in_flight.iter())
            .filter(|p| self.is_up(p.from, p.to))
            .map(|p| p.due_ms)
            .min()
    }

    /// Forgets what is on its way to or from `port` (a node that stopped: its connections are
    /// gone, and what it sent is lost with its process).
    pub fn forget_node(&mut self, port: Port) {
        self.in_flight.retain(|p| p.from != port && p.to != port);
    }

    /// What is crossing from `from` to `to` at `now_ms`.
    pub fn traffic(&self, now_ms: u64, from: Port, to: Port) -> Traffic {
        let mut traffic = Traffic {
            delivered: (self.delivered.iter())
                .find(|(d, _)| *d == (from, to))
                .map_or(0, |(_, n)| *n),
            ..Traffic::default()
        };
        for p in self
            .in_flight
            .iter()
            .filter(|p| (p.from, p.to) == (from, to))
        {
            if let Carried::Bytes(bytes) = &p.carried {
                traffic.bytes += bytes.len() as u64;
            }
            traffic.commands += p.commands;
            let span = p.due_ms.saturating_sub(p.sent_ms).max(1);
            let along = now_ms.saturating_sub(p.sent_ms).min(span) as f32 / span as f32;
            traffic.packets.push(along);
        }
        traffic
    }
}

/// Whole RESP commands at the start of `bytes` (a master's stream, a replica's REPLCONF
/// ACK); a payload that is no command (an RDB transfer, `+CONTINUE`) counts none.
fn count_commands(bytes: &[u8]) -> u64 {
    if bytes.first() != Some(&b'*') {
        return 0;
    }
    let mut parser = keyspace::resp::RequestParser::new();
    parser.feed(bytes);
    let mut n = 0;
    while let Ok(Some(_)) = parser.next_request(i64::MAX) {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(packet: &Packet) -> &[u8] {
        match &packet.carried {
            Carried::Bytes(b) => b,
            Carried::Closed => b"<closed>",
        }
    }

    fn texts(packets: &[Packet]) -> Vec<&[u8]> {
        packets.iter().map(bytes).collect()
    }

    #[test]
    fn bytes_arrive_after_the_latency_in_order() {
        let mut net = Network::new(200);
        net.send(1000, 1, 6379, 6380, Carried::Bytes(b"a".to_vec()));
        net.send(1050, 1, 6379, 6380, Carried::Bytes(b"b".to_vec()));
        assert!(net.arrivals(1199).is_empty());
        assert_eq!(net.next_due(), Some(1200));
        assert_eq!(texts(&net.arrivals(1200)), [b"a"]);
        assert_eq!(texts(&net.arrivals(1300)), [b"b"]);
        assert_eq!(net.next_due(), None);
        // A latency lowered meanwhile does not let a later packet overtake.
        net.send(2000, 1, 6379, 6380, Carried::Bytes(b"c".to_vec()));
        net.set_latency(10);
        net.send(2001, 1, 6379, 6380, Carried::Bytes(b"d".to_vec()));
        assert!(net.arrivals(2100).is_empty());
        assert_eq!(texts(&net.arrivals(2200)), [b"c", b"d"]);
    }

    #[test]
    fn nothing_crosses_a_cut_link_until_it_heals() {
        let mut net = Network::new(100);
        net.send(0, 1, 6379, 6380, Carried::Bytes(b"SET".to_vec()));
        net.send(0, 2, 6379, 6381, Carried::Bytes(b"other".to_vec()));
        net.set_cut(6380, 6379, true);
        assert!(!net.is_up(6379, 6380) && net.is_cut(6379, 6380));
        // The other link carries on.
        assert_eq!(texts(&net.arrivals(5000)), [b"other"]);
        assert_eq!(net.next_due(), None);
        net.send(5000, 1, 6379, 6380, Carried::Closed);
        assert!(net.arrivals(60_000).is_empty());
        net.set_cut(6379, 6380, false);
        assert_eq!(texts(&net.arrivals(60_000)), [&b"SET"[..], b"<closed>"]);
    }

    #[test]
    fn a_partitioned_node_reaches_nobody_until_healed() {
        let mut net = Network::new(0);
        net.set_isolated(6380, true);
        net.send(0, 1, 6380, 6379, Carried::Bytes(b"PING".to_vec()));
        net.send(0, 2, 6381, 6380, Carried::Bytes(b"PONG".to_vec()));
        net.send(0, 3, 6381, 6379, Carried::Bytes(b"ok".to_vec()));
        assert_eq!(texts(&net.arrivals(10)), [b"ok"]);
        net.set_isolated(6380, false);
        assert_eq!(texts(&net.arrivals(10)), [&b"PING"[..], b"PONG"]);
    }

    #[test]
    fn traffic_counts_bytes_commands_and_where_each_packet_is() {
        let mut net = Network::new(100);
        let mut stream = Vec::new();
        keyspace::resp::encode_request(&mut stream, &["SET", "k", "v"]);
        keyspace::resp::encode_request(&mut stream, &["INCR", "n"]);
        let len = stream.len() as u64;
        net.send(0, 1, 6379, 6380, Carried::Bytes(stream));
        net.send(50, 1, 6379, 6380, Carried::Bytes(b"+CONTINUE\r\n".to_vec()));
        let t = net.traffic(50, 6379, 6380);
        assert_eq!((t.bytes, t.commands), (len + 11, 2));
        assert_eq!(t.packets, [0.5, 0.0]);
        assert_eq!(net.traffic(50, 6380, 6379), Traffic::default());
        net.arrivals(100);
        let t = net.traffic(100, 6379, 6380);
        assert_eq!((t.bytes, t.commands, t.delivered), (11, 0, len));
    }

    #[test]
    fn a_stopped_node_loses_what_was_on_its_way() {
        let mut net = Network::new(100);
        net.send(0, 1, 6379, 6380, Carried::Bytes(b"x".to_vec()));
        net.send(0, 2, 6381, 6382, Carried::Bytes(b"y".to_vec()));
        net.forget_node(6380);
        assert_eq!(texts(&net.arrivals(100)), [b"y"]);
    }
}
