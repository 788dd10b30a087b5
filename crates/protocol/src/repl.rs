//! The Replication view's messages: up to four nodes (`127.0.0.1:6379` to `:6382`), each an
//! engine in the worker with a console pane, joined by a simulated network on one virtual
//! clock. The page sends what the learner typed or pressed; the worker answers with the whole
//! topology as it stands ([`Topology`]): each node's replication figures as its INFO
//! replication reads them (already read into fields: the page parses no text), each link's
//! traffic in flight, and the answers to typed lines.

use serde::{Deserialize, Serialize};

use crate::console::Line;
use crate::scenario::Bilingual;
use crate::share::ShareError;

/// The first node's port; the others follow it.
pub const FIRST_PORT: u16 = 6379;
/// Nodes a topology can hold.
pub const NODES_MAX: usize = 4;
/// The link's latency when the view opens, in virtual milliseconds.
pub const DEFAULT_LATENCY_MS: u64 = 200;
/// The latencies the view offers, in virtual milliseconds.
pub const LATENCIES_MS: [u64; 5] = [0, 50, 200, 1000, 5000];
/// The virtual clock's speeds the view offers, in percent of real time (0 stands still).
pub const SPEEDS_PERCENT: [u32; 6] = [0, 10, 25, 100, 400, 1000];
/// Scrollback lines a node's pane keeps on the page.
pub const PANE_LINES_KEPT: usize = 400;
/// The fragment prefix of a link that opens a topology (`#repl/...`).
pub const LINK_PREFIX: &str = "repl/";

/// What the page asks of the Replication view's side of the worker. Each is answered by
/// [`ReplResponse::Topology`], except [`ReplRequest::Share`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ReplRequest {
    /// The topology as it stands (started with two nodes the first time).
    Open,
    /// `real_ms` of the page's time passed: the virtual clock moves by that much times the
    /// speed, links deliver what is due, each engine runs its timer.
    Tick { real_ms: u64 },
    /// A line typed in a node's pane; its answer comes back with the same `seq`.
    Run { seq: u64, port: u16, line: String },
    /// One more node (up to [`NODES_MAX`]), a master of its own, empty.
    AddNode,
    /// Cut (or heal) the link between two nodes: nothing crosses it while cut.
    Cut { a: u16, b: u16, cut: bool },
    /// Partition a node from every other (or heal it).
    Isolate { port: u16, isolated: bool },
    /// Stop a node (as a SHUTDOWN: it saves, then refuses connections) or start it again
    /// from what it kept.
    Power { port: u16, running: bool },
    /// Every link's latency, in virtual milliseconds.
    Latency { ms: u64 },
    /// The virtual clock's speed, in percent of real time.
    Speed { percent: u32 },
    /// A link to this topology and everything typed and pressed in it, on the page at
    /// `page_url`: answered by [`ReplResponse::Shared`].
    Share { page_url: String },
    /// A `#repl/...` location: the topology is built again from its journal.
    OpenLink { hash: String },
    /// Opens the built-in scenario `id` that plays on nodes (its `nodes` is not 0 in the
    /// scenario list) as a lesson: a fresh topology of its nodes, no step played, the clock
    /// standing. `None` leaves the lesson: the topology stays as it is, to play on freely.
    Lesson { id: Option<String> },
    /// Goes to the lesson's state after `position` steps: forward by playing the steps
    /// (each after the rest of the wait before it), backward by building the topology again
    /// and replaying the steps before it.
    LessonTo { position: usize },
}

/// What the worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ReplResponse {
    Topology(Box<Topology>),
    Shared(Result<String, ShareError>),
    /// A link that could not be opened (the topology is as it was).
    LinkRefused(ShareError),
    /// A lesson that could not be opened, and why (its file could not be fetched); the
    /// topology is as it was.
    LessonUnavailable(String),
}

/// The whole topology at one moment of the virtual clock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    /// The virtual clock, Unix ms.
    pub now_ms: u64,
    pub speed_percent: u32,
    pub latency_ms: u64,
    pub nodes: Vec<NodeView>,
    /// Every pair of nodes, in port order.
    pub links: Vec<LinkView>,
    /// Typed lines answered since the last topology (a lesson's commands among them, as
    /// lines typed in their node's pane).
    pub answers: Vec<NodeAnswer>,
    /// The lesson being played, when it changed since the last topology.
    pub lesson: LessonUpdate,
}

/// A lesson's state, sent only when it changes (a tick that moves the clock within a wait
/// changes nothing here: the wait's progress is `now_ms - wait.from_ms`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LessonUpdate {
    #[default]
    Unchanged,
    /// No lesson is played (left, or the topology was rebuilt from a share link).
    Closed,
    Open(Box<LessonView>),
}

/// A lesson played on the topology: a built-in scenario with `nodes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonView {
    pub id: String,
    pub title: Bilingual,
    pub intro: Bilingual,
    /// What to take away, shown after the last step.
    pub lesson: Bilingual,
    pub steps: Vec<LessonStep>,
    /// Steps played so far.
    pub position: usize,
    /// One per step played, in order.
    pub reports: Vec<LessonReport>,
    /// The wait after the last step played, while the clock may run through it (the page's
    /// speed applies; the clock stops at its end, so the lesson plays the same every time).
    pub wait: Option<LessonWait>,
}

/// One step as the lesson's list shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonStep {
    pub say: Bilingual,
    /// The acting client's name, and the node its commands go to.
    pub client: String,
    pub port: u16,
    /// What happens to the network and the nodes before its commands, as written
    /// (`cut 6379 6380`, `stop 6379`).
    pub network: Vec<String>,
    /// Its commands as written.
    pub run: Vec<String>,
    /// The virtual time that passes after it, in milliseconds.
    pub wait_ms: u64,
}

/// What a played step's commands answered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonReport {
    /// Virtual time since the lesson's start when its commands ran.
    pub at_ms: u64,
    pub commands: Vec<LessonCommand>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonCommand {
    pub port: u16,
    pub line: String,
    /// The reply as redis-cli prints it (a blocking command's, once it came).
    pub rendered: String,
    /// What the lesson expected, if it said (`~ ` and a glob pattern for a reply that must
    /// match it).
    pub expected: Option<String>,
    /// Whether the reply met the expectation (true when there was none).
    pub met: bool,
}

impl LessonCommand {
    /// Whether the reply is what the lesson expected (true when it expected nothing).
    pub fn as_expected(&self) -> bool {
        self.met
    }
}

/// A wait in a lesson: from virtual `from_ms`, `ms` long.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonWait {
    pub from_ms: u64,
    pub ms: u64,
}

/// One node's card.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeView {
    pub port: u16,
    pub running: bool,
    /// Partitioned from every other node.
    pub isolated: bool,
    /// The prompt of its pane (`127.0.0.1:6380>`).
    pub prompt: String,
    /// Its figures, while it runs.
    pub figures: Option<Figures>,
}

/// What INFO replication (and INFO stats' sync counters) say about a node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub role: Role,
    pub replid: String,
    pub replid2: String,
    /// `master_repl_offset`: how far its replication stream goes.
    pub offset: u64,
    pub backlog: Option<Backlog>,
    /// On a replica: its master and the link's state.
    pub master: Option<MasterSide>,
    /// On a master: its replicas as it sees them.
    pub replicas: Vec<ReplicaSide>,
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    #[default]
    Master,
    Replica,
}

/// The replication backlog: `repl_backlog_first_byte_offset`, `_histlen`, `_size`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backlog {
    pub first_byte: u64,
    pub histlen: u64,
    pub size: u64,
}

/// A replica's view of its master.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterSide {
    pub host: String,
    pub port: u16,
    /// `master_link_status`: true when `up`.
    pub link_up: bool,
    pub sync_in_progress: bool,
    /// `slave_repl_offset`: the master's stream processed so far.
    pub processed: u64,
    /// How many bytes of the master's stream it has not processed yet, when the master is a
    /// node of the page and runs.
    pub behind: Option<u64>,
}

/// A master's view of one replica (a `slaveN:` line).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaSide {
    pub port: u16,
    pub state: String,
    /// The offset the replica last acknowledged.
    pub offset: u64,
    /// Seconds since its last acknowledgement.
    pub lag: u64,
}

/// The link between two nodes and what is crossing it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    /// The lower port.
    pub a: u16,
    pub b: u16,
    /// Cut by the learner, or one end isolated: nothing crosses.
    pub cut: bool,
    /// A replica's connection to its master runs over it.
    pub connected: bool,
    /// What travels from `a` to `b`, and from `b` to `a`.
    pub a_to_b: Traffic,
    pub b_to_a: Traffic,
}

/// One direction of a link.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Traffic {
    pub bytes: u64,
    /// Whole commands among those bytes (a master's stream; a replica's REPLCONF ACK).
    pub commands: u64,
    /// Where each packet in flight is, from 0 (just sent) to 1 (arriving).
    pub packets: Vec<f32>,
    /// Bytes delivered so far, ever: a change is a delivery the view pulses for.
    pub delivered: u64,
}

/// A typed line's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeAnswer {
    pub seq: u64,
    pub port: u16,
    /// The prompt and the line, as the pane shows it.
    pub echo: String,
    pub lines: Vec<Line>,
}

/// The address the page shows for a node.
pub fn address(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// The ports of a topology of `nodes` nodes.
pub fn ports(nodes: usize) -> impl Iterator<Item = u16> {
    (0..nodes.min(NODES_MAX)).map(|i| FIRST_PORT + i as u16)
}

/// A replication ID shortened for a card: its first eight hex digits (the whole one is in
/// the card's tooltip).
pub fn short_id(replid: &str) -> &str {
    replid.get(..8).unwrap_or(replid)
}

/// A byte count as the cards write it: `512 B`, `1.5 KB`, `2.0 MB`.
pub fn bytes_text(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KB", n as f64 / 1024.0),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// A speed as the selector writes it: `×0.25`, `×1`, `×10` (0 is the page's word, "paused").
pub fn speed_text(percent: u32) -> String {
    match percent % 100 {
        0 => format!("×{}", percent / 100),
        _ => format!("×{}", f64::from(percent) / 100.0),
    }
}

/// A latency as the selector writes it: `0 ms`, `200 ms`, `5 s`.
pub fn latency_text(ms: u64) -> String {
    if ms >= 1000 && ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// The virtual clock's time of day (UTC) to the millisecond: `21:05:09.250`.
pub fn clock_text(now_ms: u64) -> String {
    let ms = now_ms % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Whether a location hash opens a topology (the worker decodes it).
pub fn is_link(hash: &str) -> bool {
    hash.strip_prefix('#')
        .unwrap_or(hash)
        .starts_with(LINK_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_for_a_card() {
        assert_eq!(bytes_text(0), "0 B");
        assert_eq!(bytes_text(1023), "1023 B");
        assert_eq!(bytes_text(1536), "1.5 KB");
        assert_eq!(bytes_text(1_048_576), "1.0 MB");
        assert_eq!(short_id("8ba8e4a7e3d1c0ffee"), "8ba8e4a7");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(address(6380), "127.0.0.1:6380");
        assert_eq!(ports(9).collect::<Vec<_>>(), [6379, 6380, 6381, 6382]);
        assert!(is_link("#repl/abc") && !is_link("#share/abc"));
        assert_eq!(speed_text(25), "×0.25");
        assert_eq!(speed_text(100), "×1");
        assert_eq!(speed_text(1000), "×10");
        assert_eq!(latency_text(200), "200 ms");
        assert_eq!(latency_text(5000), "5 s");
        assert_eq!(clock_text(1_700_000_000_250), "22:13:20.250");
    }
}
