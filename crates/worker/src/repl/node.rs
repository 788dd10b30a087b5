//! One node of the Replication view: a redis-server at `127.0.0.1:<port>`, its engine on the
//! topology's virtual clock, its files (what it kept: its own `dump.rdb` and `redis.conf`, in
//! memory), and the console pane typed into it. Stopped, it has no engine and refuses
//! connections; started, it boots from its files as redis-server does.
//!
//! Its figures are read from the engine's INFO sections (replication, and stats' sync
//! counters) into typed [`Figures`], without running a command, so that looking changes no
//! counter; the page parses no text.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use keyspace::{cli, ClientId, Engine, ManualClock, Outcome};
use keyspace_protocol::console::Line;
use keyspace_protocol::repl::{
    Backlog, Figures, MasterSide, NodeAnswer, NodeView, ReplicaSide, Role,
};

use super::migrate::{Lent, NodeOutbound};
use super::network::Port;
use crate::persistence::{self, StoreOp, Stored};
use crate::session::{print, prompt_at};

/// Where a node's pane connects from: a port per client id, as redis-cli's would have.
const PANE_PORTS: u64 = 50_000;

pub(super) struct Node {
    pub(super) port: Port,
    /// None while stopped.
    pub(super) engine: Option<Engine>,
    /// What it kept: its `redis.conf` (the port, and the page's defaults), and what SAVE and
    /// SHUTDOWN wrote.
    files: Stored,
    ops: Arc<Mutex<Vec<StoreOp>>>,
    /// The pane's connection, while running.
    pane: Option<ClientId>,
    /// A typed line that blocked (BLPOP): its sequence number and echo, until its reply.
    waiting: Option<(u64, String)>,
    /// The engine's next timer run (`hz`), on the virtual clock.
    pub(super) next_tick_ms: u64,
    seed: u64,
    /// MIGRATE's connections to the other nodes, shared by all (`super::migrate`).
    lent: Rc<RefCell<Lent>>,
}

impl Node {
    /// A fresh node, started, with nothing kept but its config: the page's, with `startup`
    /// set over it as redis-server's arguments (a lesson's `config`).
    pub(super) fn new(
        port: Port,
        clock: &ManualClock,
        seed: u64,
        lent: Rc<RefCell<Lent>>,
        startup: &[(Vec<u8>, Vec<u8>)],
    ) -> Node {
        let mut config = persistence::page_config();
        let own = [
            (b"port".to_vec(), port.to_string().into_bytes()),
            // Redis's default: a node keeps dump.rdb, which holds its replication ID and
            // offset, so that a restarted replica can resume with a partial resync.
            (b"appendonly".to_vec(), b"no".to_vec()),
        ];
        for (name, value) in own.iter().chain(startup) {
            config
                .set(name, value, true)
                .expect("a parameter of the engine's own table, checked when read");
        }
        let files = Stored {
            config: persistence::config_command(&config).map(|c| persistence::frame(&c)),
            ..Stored::default()
        };
        let mut node = Node {
            port,
            engine: None,
            files,
            ops: Arc::new(Mutex::new(Vec::new())),
            pane: None,
            waiting: None,
            next_tick_ms: 0,
            seed,
            lent,
        };
        node.start(clock);
        node
    }

    pub(super) fn running(&self) -> bool {
        self.engine.is_some()
    }

    /// Boots from what it kept (if stopped): a new engine, its pane connected anew.
    pub(super) fn start(&mut self, clock: &ManualClock) {
        if self.running() {
            return;
        }
        self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let (mut engine, _) = persistence::restore(
            &self.files,
            Box::new(clock.clone()),
            self.seed,
            self.ops.clone(),
        );
        let pane = engine.connect();
        engine.set_client_address(
            pane,
            format!("127.0.0.1:{}", PANE_PORTS + pane.0),
            keyspace_protocol::repl::address(self.port),
            8,
        );
        engine.set_outbound(Box::new(NodeOutbound {
            port: self.port,
            lent: self.lent.clone(),
        }));
        self.next_tick_ms = engine.now_ms();
        self.engine = Some(engine);
        self.pane = Some(pane);
        self.waiting = None;
        self.keep();
    }

    /// The process is gone (after SHUTDOWN): its engine with it, its files kept.
    fn stop(&mut self) {
        self.engine = None;
        self.pane = None;
        self.waiting = None;
        self.keep();
    }

    /// The process is killed: whatever it had not saved is lost. Whether it was running.
    pub(super) fn crash(&mut self) -> bool {
        let running = self.running();
        if running {
            self.stop();
        }
        running
    }

    /// What the engine wrote to its files since the last look.
    fn keep(&mut self) {
        let ops: Vec<StoreOp> = std::mem::take(&mut *self.ops.lock().expect("one thread"));
        for op in ops {
            self.files.apply(op);
        }
    }

    /// The prompt of its pane, as redis-cli connected to it shows it.
    fn prompt(&self) -> String {
        let client = (self.engine.as_ref()).and_then(|e| e.client(self.pane?));
        match client {
            Some(c) => prompt_at(self.port, c.db, c.multi.is_some()),
            None => "not connected>".to_string(),
        }
    }

    /// Runs a typed line in its pane: the answer, unless the line blocked (its answer comes
    /// with a later [`Node::settle`]). A node that is stopped answers as redis-cli does.
    /// Whether the line shut the node down is [`Node::shut_down`]'s to say.
    pub(super) fn run(&mut self, seq: u64, line: &str) -> Option<NodeAnswer> {
        let echo = format!("{} {line}", self.prompt());
        let (Some(engine), Some(client)) = (self.engine.as_mut(), self.pane) else {
            let refused = format!(
                "Could not connect to Redis at {}: Connection refused",
                keyspace_protocol::repl::address(self.port)
            );
            return Some(self.answer(seq, echo, vec![Line::classify(refused, true)]));
        };
        let mut lines = Vec::new();
        match cli::split_args(line.as_bytes()) {
            None => lines.push(Line::classify(cli::INVALID_ARGUMENTS.to_string(), true)),
            Some(argv) if argv.is_empty() => return None,
            Some(argv) => {
                let raw = cli::prints_raw(&argv);
                let outcome = engine.execute(client, &argv);
                if matches!(outcome, Outcome::Blocked) {
                    self.waiting = Some((seq, echo));
                    return None;
                }
                let mut replies = outcome.into_replies();
                replies.extend(engine.drain(client));
                let protocol = engine.client(client).map_or(2, |c| c.protocol);
                for reply in &replies {
                    print(reply, protocol, raw, &mut lines);
                }
            }
        }
        self.reconnect_if_closed();
        Some(self.answer(seq, echo, lines))
    }

    fn answer(&self, seq: u64, echo: String, lines: Vec<Line>) -> NodeAnswer {
        NodeAnswer {
            seq,
            port: self.port,
            echo,
            lines,
        }
    }

    /// After QUIT or CLIENT KILL, redis-cli connects again for the next line.
    fn reconnect_if_closed(&mut self) {
        let (Some(engine), Some(client)) = (self.engine.as_mut(), self.pane) else {
            return;
        };
        if engine.shutdown_requested() || !engine.client(client).is_none_or(|c| c.closing) {
            return;
        }
        engine.disconnect(client);
        let pane = engine.connect();
        engine.set_client_address(
            pane,
            format!("127.0.0.1:{}", PANE_PORTS + pane.0),
            keyspace_protocol::repl::address(self.port),
            8,
        );
        self.pane = Some(pane);
    }

    /// Whether SHUTDOWN stopped it just now: the engine is dropped, its files kept.
    pub(super) fn shut_down(&mut self) -> bool {
        let down = (self.engine.as_ref()).is_some_and(Engine::shutdown_requested);
        if down {
            self.stop();
        }
        down
    }

    /// What arrived in the pane meanwhile: a blocked line's reply, a message for a
    /// subscriber. And what the engine wrote to its files.
    pub(super) fn settle(&mut self, answers: &mut Vec<NodeAnswer>) {
        self.keep();
        let (Some(engine), Some(client)) = (self.engine.as_mut(), self.pane) else {
            return;
        };
        if engine.client(client).is_none_or(|c| c.is_blocked()) {
            return;
        }
        let replies = engine.drain(client);
        if replies.is_empty() && self.waiting.is_none() {
            return;
        }
        let protocol = engine.client(client).map_or(2, |c| c.protocol);
        let mut lines = Vec::new();
        for reply in &replies {
            print(reply, protocol, false, &mut lines);
        }
        let (seq, echo) = self.waiting.take().unwrap_or_default();
        answers.push(self.answer(seq, echo, lines));
    }

    /// Runs the engine's timer if it is due at `now_ms`; when it runs next.
    pub(super) fn tick(&mut self, now_ms: u64) {
        let Some(engine) = self.engine.as_mut() else {
            return;
        };
        if now_ms >= self.next_tick_ms {
            engine.tick();
            let hz = engine.config().int("hz").clamp(1, 500) as u64;
            self.next_tick_ms = now_ms + 1000 / hz;
        }
    }

    /// The card: its state and figures.
    pub(super) fn view(&mut self, isolated: bool) -> NodeView {
        NodeView {
            port: self.port,
            running: self.running(),
            isolated,
            prompt: self.prompt(),
            figures: self.engine.as_mut().map(figures),
        }
    }

    /// `master_repl_offset`, while running.
    pub(super) fn offset(&mut self) -> Option<u64> {
        self.engine.as_mut().map(|e| figures(e).offset)
    }
}

/// The card's figures, from INFO's replication and stats sections.
pub(super) fn figures(engine: &mut Engine) -> Figures {
    let sections = engine.info_sections();
    let field = |title: &str, name: &str| -> Option<String> {
        let (_, fields) = sections.iter().find(|(t, _)| *t == title)?;
        let (_, value) = fields.iter().find(|(n, _)| n == name)?;
        Some(value.clone())
    };
    let number = |title: &str, name: &str| -> u64 {
        field(title, name).and_then(|v| v.parse().ok()).unwrap_or(0)
    };
    let repl = |name: &str| field("Replication", name).unwrap_or_default();
    let role = match repl("role").as_str() {
        "slave" => Role::Replica,
        _ => Role::Master,
    };
    let master = (role == Role::Replica).then(|| MasterSide {
        host: repl("master_host"),
        port: repl("master_port").parse().unwrap_or(0),
        link_up: repl("master_link_status") == "up",
        sync_in_progress: repl("master_sync_in_progress") == "1",
        processed: number("Replication", "slave_repl_offset"),
        behind: None,
    });
    let replicas = sections
        .iter()
        .find(|(t, _)| *t == "Replication")
        .map(|(_, fields)| {
            (fields.iter())
                .filter(|(name, _)| {
                    name.strip_prefix("slave")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(|(_, value)| replica_side(value))
                .collect()
        })
        .unwrap_or_default();
    let backlog = (repl("repl_backlog_active") == "1").then(|| Backlog {
        first_byte: number("Replication", "repl_backlog_first_byte_offset"),
        histlen: number("Replication", "repl_backlog_histlen"),
        size: number("Replication", "repl_backlog_size"),
    });
    Figures {
        role,
        replid: repl("master_replid"),
        replid2: repl("master_replid2"),
        offset: number("Replication", "master_repl_offset"),
        backlog,
        master,
        replicas,
        sync_full: number("Stats", "sync_full"),
        sync_partial_ok: number("Stats", "sync_partial_ok"),
        sync_partial_err: number("Stats", "sync_partial_err"),
    }
}

/// A `slaveN:` value: `ip=127.0.0.1,port=6380,state=online,offset=42,lag=0`.
fn replica_side(value: &str) -> ReplicaSide {
    let mut side = ReplicaSide::default();
    for part in value.split(',') {
        let Some((name, v)) = part.split_once('=') else {
            continue;
        };
        match name {
            "port" => side.port = v.parse().unwrap_or(0),
            "state" => side.state = v.to_string(),
            "offset" => side.offset = v.parse().unwrap_or(0),
            "lag" => side.lag = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    side
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_line_is_read_into_its_fields() {
        let side = replica_side("ip=127.0.0.1,port=6380,state=online,offset=42,lag=1");
        assert_eq!(
            side,
            ReplicaSide {
                port: 6380,
                state: "online".into(),
                offset: 42,
                lag: 1
            }
        );
    }
}
