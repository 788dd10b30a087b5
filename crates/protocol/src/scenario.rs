//! The scenario player's messages: the page's moves (open, step, back, jump, let time pass,
//! filter, inspect) and what the player in the worker answers: a scenario's texts and steps
//! when it opens, then after each move the position, the last step's commands, deliveries and
//! key changes, the virtual time, and the keyspace with the changed keys marked.

use serde::{Deserialize, Serialize};

use crate::console::Line;
use crate::inspect::{InspectQuery, Inspection};

/// Keys listed at most in the scenario's keyspace (hot-posts has 2,000), besides the keys the
/// step is about and those it changed, which always show, first.
pub const KEYS_SHOWN: usize = 60;
/// Removed keys listed by name (maxmemory evicts thousands at once); the rest are counted.
pub const REMOVED_SHOWN: usize = 12;

/// What the page asks of the scenario player.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ScenarioRequest {
    /// The built-in scenarios, for the picker.
    List,
    /// Opens a built-in scenario at its start.
    Open { id: String },
    /// Reads a scenario file (TOML) and opens it at its start.
    Load { source: String },
    /// Plays the next step.
    Step,
    /// Goes back one step.
    Back,
    /// Goes to the state right after `position` steps (0 is the start, before step 1).
    Jump { position: usize },
    /// Lets up to `ms` of the wait after the current step pass (Play shows the clock run).
    Wait { ms: u64 },
    /// Lists only the keys matching a glob pattern (empty: every key).
    Filter { pattern: String },
    /// A page of one key of the scenario's keyspace (in database `db`), for the inspector.
    Inspect { db: usize, query: InspectQuery },
}

/// What the player answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ScenarioResponse {
    List(Vec<ScenarioSummary>),
    /// A scenario opened at its start.
    Opened {
        info: Box<ScenarioInfo>,
        state: PlayState,
    },
    /// The file did not read: the parser's `line N, field: message`.
    Invalid(String),
    /// Where the scenario stands after a move.
    Moved(PlayState),
    /// The console now runs on the scenario's engine (`crate::Request::ContinueScenario`); the
    /// player is empty.
    Continued,
    /// Continuing would replace a console that holds keys: how many, so that the page can
    /// ask first.
    WouldReplace {
        keys: usize,
    },
    Inspected(Inspection),
    /// The built-in scenarios' files could not be fetched from beside the page (the worker
    /// fetches them on the first list or open): why, for the page to say; the next request
    /// for one tries again.
    Unavailable(String),
}

/// A text in both languages (the scenario crate's `Text`, made serializable).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub en: String,
    pub zh_tw: String,
}

impl Bilingual {
    /// The text in the page's language (`lang` is the page's `lang` attribute).
    pub fn get(&self, lang: &str) -> &str {
        if lang.starts_with("zh") {
            &self.zh_tw
        } else {
            &self.en
        }
    }
}

/// A built-in scenario in the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub id: String,
    pub title: Bilingual,
    /// The nodes it plays on: 0 for the console's one engine (the scenario player), 2 to 4
    /// for a lesson of the Replication view (`repl::ReplRequest::Lesson`).
    pub nodes: usize,
}

/// A scenario's texts and steps, sent once when it opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub id: String,
    pub title: Bilingual,
    pub intro: Bilingual,
    pub lesson: Bilingual,
    /// `python`, `bash`...
    pub language: String,
    /// The guide's code, one entry per line (line 1 first).
    pub code: Vec<String>,
    /// The participants' names; the first acts by default.
    pub clients: Vec<String>,
    pub steps: Vec<StepInfo>,
}

/// One step as the step list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepInfo {
    pub say: Bilingual,
    /// The acting client's name.
    pub client: String,
    /// The code lines it stands for, first and last, from 1.
    pub lines: Option<(usize, usize)>,
    /// Its commands as written (clock placeholders unfilled).
    pub run: Vec<String>,
    /// The virtual time that passes after it, in milliseconds.
    pub wait_ms: u64,
    /// The virtual time its commands' round trips take (a scenario with a `round_trip`).
    pub travel_ms: u64,
}

/// A key's place in the list: the keys the step names and those it changed come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rank {
    /// Named by the step's `keys`.
    Named,
    Changed,
    Other,
}

/// How a key changed in the last step, as the keyspace marks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Change {
    Created,
    Changed,
    Deleted,
    Expired,
    Evicted,
}

impl Change {
    /// The CSS class of a row with this change.
    pub fn class(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Changed => "changed",
            Change::Deleted => "deleted",
            Change::Expired => "expired",
            Change::Evicted => "evicted",
        }
    }

    /// Whether the key is gone after the step.
    pub fn removed(self) -> bool {
        matches!(self, Change::Deleted | Change::Expired | Change::Evicted)
    }
}

/// One command of the last step and its reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandView {
    pub client: String,
    /// The command as sent (clock placeholders filled in).
    pub line: String,
    /// The reply as redis-cli prints it, line by line.
    pub reply: Vec<Line>,
    /// What the scenario expected, when the reply differs from it.
    pub mismatch: Option<String>,
}

/// Something that reached a client without it asking: a pub/sub message, a blocked command's
/// late reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub client: String,
    pub reply: Vec<Line>,
}

/// What the last step did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    /// Its index (0 for step 1).
    pub step: usize,
    /// Virtual time since the start when it began.
    pub at_ms: u64,
    pub commands: Vec<CommandView>,
    pub deliveries: Vec<DeliveryView>,
    pub waited_ms: u64,
    /// The step's commands as a MONITOR connection prints them (the first few hundred), and
    /// how many more there were.
    pub monitor: Vec<String>,
    pub monitor_more: usize,
}

/// A key of the scenario's keyspace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScenarioKey {
    pub db: usize,
    /// As text; the page shows it as text, never as HTML.
    pub key: String,
    /// Empty for a key the step removed.
    pub type_name: String,
    pub size: usize,
    /// Virtual milliseconds left, if it has a TTL.
    pub ttl_ms: Option<u64>,
    pub change: Option<Change>,
    pub rank: Rank,
}

/// Where the scenario stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayState {
    /// Steps played: 0 before step 1, the step count after the last.
    pub position: usize,
    pub steps: usize,
    /// Virtual time since the start, in milliseconds.
    pub elapsed_ms: u64,
    /// The virtual wall clock (Unix ms), for the inspector's countdown.
    pub now_ms: u64,
    /// The wait after the current step, and how much of it has passed.
    pub wait_ms: u64,
    pub waited_ms: u64,
    /// The last step played, if any.
    pub report: Option<ReportView>,
    /// The keys listed: the step's named and changed keys first, then the filter's.
    pub keys: Vec<ScenarioKey>,
    /// Keys in all databases.
    pub key_count: usize,
    /// Keys matching the filter (all of them without one).
    pub matching: usize,
    /// Removed keys not listed by name (beyond [`REMOVED_SHOWN`]).
    pub removed_more: usize,
    /// The filter, as the visitor typed it.
    pub filter: String,
}
