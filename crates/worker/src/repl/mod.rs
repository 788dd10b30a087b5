//! The Replication view's side of the worker: a [`Topology`] of up to four nodes,
//! `127.0.0.1:6379` to `:6382`, each a redis-server of its own (`node`: an engine, its files,
//! its pane) on one virtual clock, joined by a simulated network (`network`) that the learner
//! can slow down, cut and partition, and whose clock runs at a speed the learner sets.
//!
//! The engines do the replicating: a replica's engine says where it wants its link to the
//! master (`master_link_wanted`) and what to send on it; the transport (`transport`) makes the
//! connection to the node at that address (a client of its engine, as a socket would be),
//! carries the bytes both ways through the network, and tells the replica what arrived or that
//! the connection failed. Nothing about replication is decided here.
//!
//! Time moves in steps: to the next packet due, to the next engine's timer (`hz`), or to where
//! the page's tick says the clock should be, whichever comes first; at each step what arrived
//! is handed over and what the engines want sent is sent, until nothing more moves. Everything
//! the learner does is kept in a journal, with the virtual time between actions, so that a
//! share link (`#repl/...`) builds the same topology again by replaying it.
//!
//! A lesson (`lesson`) plays a scenario with nodes on it: its steps are actions as the
//! learner's, journaled the same way, under a clock that runs only through the waits the
//! steps ask for.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use keyspace::ManualClock;
use keyspace_protocol::repl::{
    ports, LessonUpdate, LinkView, NodeAnswer, ReplRequest, ReplResponse, Role,
    Topology as TopologyView, DEFAULT_LATENCY_MS, FIRST_PORT, LINK_PREFIX, NODES_MAX,
};
use keyspace_protocol::share::ShareError;

mod journal;
mod lesson;
mod migrate;
mod network;
mod node;
#[cfg(test)]
mod tests;
mod transport;

use journal::{Action, Journal};
use keyspace_scenarios::NetworkAction;
use lesson::Lesson;
use migrate::Lent;
use network::{Network, Port};
use node::Node;
use transport::Transport;

/// How long a single tick may move the clock (virtual ms): a tick at the fastest speed after
/// the page was in the background does not run an hour of timers at once.
const TICK_MAX_MS: u64 = 10_000;
/// Steps one settling may take: handing over arrivals and sending what the engines want,
/// until nothing moves. Redis's handshake takes a dozen exchanges; a bound keeps a mistake
/// from spinning the worker.
const SETTLE_ROUNDS: usize = 1000;

/// The nodes, the network between them, and the clock they share.
pub struct Topology {
    clock: ManualClock,
    nodes: Vec<Node>,
    network: Network,
    transport: Transport,
    speed_percent: u32,
    /// Typed lines answered and not yet sent to the page.
    answers: Vec<NodeAnswer>,
    journal: Journal,
    seed: u64,
    /// MIGRATE's connections between the nodes (`migrate`).
    lent: Rc<RefCell<Lent>>,
    /// Every node's settings over the page's (a lesson's `config`), as startup arguments.
    startup: Vec<(Vec<u8>, Vec<u8>)>,
    /// The lesson being played, if any (`lesson`).
    lesson: Option<Lesson>,
    /// The lesson changed since the page last heard of it.
    lesson_changed: bool,
}

impl Topology {
    /// Two nodes, both masters, the clock standing at `now_ms`.
    pub fn new(now_ms: u64, seed: u64) -> Topology {
        Topology::with_nodes(now_ms, seed, 2, Vec::new())
    }

    /// `nodes` nodes, masters all, with `startup` set on each.
    fn with_nodes(
        now_ms: u64,
        seed: u64,
        nodes: usize,
        startup: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Topology {
        let mut topology = Topology {
            clock: ManualClock::new(now_ms),
            nodes: Vec::new(),
            network: Network::new(DEFAULT_LATENCY_MS),
            transport: Transport::default(),
            speed_percent: 100,
            answers: Vec::new(),
            journal: Journal::new(now_ms),
            seed,
            lent: Rc::default(),
            startup,
            lesson: None,
            // A new topology has no lesson, whatever the page showed before.
            lesson_changed: true,
        };
        for _ in 0..nodes {
            topology.add_node();
        }
        topology
    }

    pub fn now_ms(&self) -> u64 {
        keyspace::Clock::now_ms(&self.clock)
    }

    pub fn handle(&mut self, request: ReplRequest) -> ReplResponse {
        match request {
            ReplRequest::Open => {}
            ReplRequest::Tick { real_ms } => {
                let ms = (real_ms * u64::from(self.speed_percent) / 100).min(TICK_MAX_MS);
                // A lesson's clock runs only through the wait its last step asked for.
                let ms = match &self.lesson {
                    Some(lesson) => ms.min(lesson.wait_left(self.now_ms())),
                    None => ms,
                };
                self.advance(ms);
            }
            ReplRequest::Speed { percent } => self.speed_percent = percent.min(10_000),
            ReplRequest::Share { page_url } => {
                return ReplResponse::Shared(
                    crate::share::encode_with(LINK_PREFIX, &self.journal.lines())
                        .map(|fragment| format!("{page_url}#{fragment}")),
                )
            }
            ReplRequest::OpenLink { hash } => match self.open_link(&hash) {
                Ok(()) => {}
                Err(e) => return ReplResponse::LinkRefused(e),
            },
            ReplRequest::Run { seq, port, line } => self.act(Action::Run { port, line, seq }),
            ReplRequest::AddNode => self.act(Action::AddNode),
            ReplRequest::Cut { a, b, cut } => {
                self.act(Action::Network(NetworkAction::Cut { a, b, cut }))
            }
            ReplRequest::Isolate { port, isolated } => {
                self.act(Action::Network(NetworkAction::Isolate { port, isolated }))
            }
            ReplRequest::Power { port, running } => {
                self.act(Action::Network(NetworkAction::Power { port, running }))
            }
            ReplRequest::Latency { ms } => self.act(Action::Network(NetworkAction::Latency { ms })),
            // Opening one needs its scenario, which the session reads (`open_lesson`).
            ReplRequest::Lesson { id: Some(_) } => {}
            ReplRequest::Lesson { id: None } => {
                self.lesson = None;
                self.lesson_changed = true;
            }
            ReplRequest::LessonTo { position } => self.lesson_to(position),
        }
        ReplResponse::Topology(Box::new(self.view()))
    }

    /// Carries out one of the learner's actions, and journals it.
    fn act(&mut self, action: Action) {
        let now = self.now_ms();
        if self.apply(&action) {
            self.journal.record(now, action);
        }
        self.settle();
    }

    /// Whether the action did anything (an action on a node that does not exist does not).
    fn apply(&mut self, action: &Action) -> bool {
        match *action {
            Action::Run {
                port,
                ref line,
                seq,
            } => {
                let Some(at) = self.at(port) else {
                    return false;
                };
                // MIGRATE blocks the node while it talks to another: the others' engines are
                // lent to it for the line (`migrate`).
                let reachable = (self.nodes.iter())
                    .map(|n| n.port)
                    .filter(|&p| p != port && self.network.is_up(port, p))
                    .collect();
                self.lent
                    .borrow_mut()
                    .lend(port, &mut self.nodes, reachable);
                let answer = self.nodes[at].run(seq, line);
                self.lent.borrow_mut().give_back(&mut self.nodes);
                self.answers.extend(answer);
                if self.nodes[at].shut_down() {
                    self.stopped(port);
                }
            }
            Action::AddNode => {
                if self.nodes.len() == NODES_MAX {
                    return false;
                }
                self.add_node();
            }
            Action::Network(NetworkAction::Cut { a, b, cut }) => {
                if self.at(a).is_none() || self.at(b).is_none() || a == b {
                    return false;
                }
                self.network.set_cut(a, b, cut);
            }
            Action::Network(NetworkAction::Isolate { port, isolated }) => {
                if self.at(port).is_none() {
                    return false;
                }
                self.network.set_isolated(port, isolated);
            }
            Action::Network(NetworkAction::Crash { port }) => {
                let Some(at) = self.at(port) else {
                    return false;
                };
                if self.nodes[at].crash() {
                    self.stopped(port);
                }
            }
            Action::Network(NetworkAction::Power { port, running }) => {
                let Some(at) = self.at(port) else {
                    return false;
                };
                if running {
                    self.nodes[at].start(&self.clock);
                } else if self.nodes[at].running() {
                    // Stopping is SHUTDOWN typed in its pane, so the learner sees what it
                    // did (and what it saved).
                    let seq = 0;
                    let answer = self.nodes[at].run(seq, "SHUTDOWN");
                    self.answers.extend(answer);
                    if self.nodes[at].shut_down() {
                        self.stopped(port);
                    }
                }
            }
            Action::Network(NetworkAction::Latency { ms }) => self.network.set_latency(ms),
        }
        true
    }

    fn at(&self, port: Port) -> Option<usize> {
        self.nodes.iter().position(|n| n.port == port)
    }

    fn add_node(&mut self) {
        let port = FIRST_PORT + self.nodes.len() as Port;
        self.seed = self.seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let lent = self.lent.clone();
        self.nodes
            .push(Node::new(port, &self.clock, self.seed, lent, &self.startup));
    }

    /// A node's process ended: its connections close, what it had on the wire is lost.
    fn stopped(&mut self, port: Port) {
        let now = self.now_ms();
        self.network.forget_node(port);
        self.transport.node_stopped(port, now, &mut self.network);
        self.lent.borrow_mut().node_stopped(port);
    }

    /// Moves the clock `ms` forward, step by step (see the module's notes).
    fn advance(&mut self, ms: u64) {
        let target = self.now_ms() + ms;
        loop {
            self.settle();
            let now = self.now_ms();
            let next_tick = (self.nodes.iter())
                .filter(|n| n.running())
                .map(|n| n.next_tick_ms)
                .min();
            let next = [self.network.next_due(), next_tick, Some(target)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(target)
                .max(now);
            if next > target {
                break;
            }
            self.clock.advance_ms(next - now);
            for node in &mut self.nodes {
                node.tick(next);
            }
            if next == target {
                self.settle();
                break;
            }
        }
    }

    /// Hands over what arrived and sends what the engines want sent, until nothing moves.
    fn settle(&mut self) {
        for _ in 0..SETTLE_ROUNDS {
            let now = self.now_ms();
            let arrived = self.network.arrivals(now);
            let moved = !arrived.is_empty();
            self.transport.deliver(arrived, &mut self.nodes);
            let sent = self.transport.pump(now, &mut self.network, &mut self.nodes);
            if !moved && !sent {
                break;
            }
        }
        self.lent.borrow_mut().close_waiting(&mut self.nodes);
        let mut answers = Vec::new();
        for node in &mut self.nodes {
            node.settle(&mut answers);
        }
        self.answers.extend(answers);
    }

    /// What the page draws.
    fn view(&mut self) -> TopologyView {
        let now = self.now_ms();
        let isolated: BTreeSet<Port> = (self.nodes.iter())
            .map(|n| n.port)
            .filter(|&p| self.network.is_isolated(p))
            .collect();
        let mut nodes: Vec<_> = (self.nodes.iter_mut())
            .map(|n| {
                let isolated = isolated.contains(&n.port);
                n.view(isolated)
            })
            .collect();
        // A replica's distance behind its master, when the master is a node here and runs.
        let offsets: Vec<(Port, Option<u64>)> = (self.nodes.iter_mut())
            .map(|n| (n.port, n.offset()))
            .collect();
        for node in &mut nodes {
            let Some(figures) = node.figures.as_mut() else {
                continue;
            };
            if let (Role::Replica, Some(master)) = (figures.role, figures.master.as_mut()) {
                let master_offset = (offsets.iter())
                    .find(|(p, _)| *p == master.port)
                    .and_then(|(_, o)| *o);
                master.behind = master_offset.map(|o| o.saturating_sub(master.processed));
            }
        }
        let ports: Vec<Port> = ports(self.nodes.len()).collect();
        let mut links = Vec::new();
        for (i, &a) in ports.iter().enumerate() {
            for &b in &ports[i + 1..] {
                links.push(LinkView {
                    a,
                    b,
                    cut: !self.network.is_up(a, b),
                    connected: self.transport.connected(a, b),
                    a_to_b: self.network.traffic(now, a, b),
                    b_to_a: self.network.traffic(now, b, a),
                });
            }
        }
        TopologyView {
            now_ms: now,
            speed_percent: self.speed_percent,
            latency_ms: self.network.latency_ms(),
            nodes,
            links,
            answers: std::mem::take(&mut self.answers),
            lesson: match (std::mem::take(&mut self.lesson_changed), &self.lesson) {
                (false, _) => LessonUpdate::Unchanged,
                (true, None) => LessonUpdate::Closed,
                (true, Some(lesson)) => LessonUpdate::Open(Box::new(lesson.view())),
            },
        }
    }

    /// Builds the topology again from a link's journal: a fresh start, then each action after
    /// the virtual time that passed before it. The replies are not shown again: the panes
    /// show the lines replayed with their new replies, as a share link replays the console.
    fn open_link(&mut self, hash: &str) -> Result<(), ShareError> {
        let lines =
            crate::share::decode_with(LINK_PREFIX, hash).unwrap_or(Err(ShareError::Empty))?;
        let steps = journal::parse(&lines).ok_or(ShareError::NotCommands)?;
        let start = self.journal.start_ms();
        *self = Topology::new(start, self.seed);
        for (after_ms, action) in steps {
            self.advance(after_ms);
            let now = self.now_ms();
            if self.apply(&action) {
                self.journal.record(now, action);
            }
            self.settle();
        }
        Ok(())
    }
}
