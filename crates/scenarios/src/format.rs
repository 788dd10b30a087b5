//! The scenario file: TOML a teacher can write by hand, read into a checked [`Scenario`].
//!
//! ```toml
//! id = "sessions"
//! title = { en = "Sessions", zh-TW = "使用者會話" }
//! intro = { en = "...", zh-TW = "..." }
//! lesson = { en = "...", zh-TW = "..." }
//! setup = ["SET user:1 mei"]                 # optional, run before the first step; and
//! # a table runs `run` once per number from `from` to `to` (`step` apart), `{i}` in it
//! # standing for the number: 100,000 page views are one line
//! # setup = [{ run = "PFADD visitors visitor:{i}", from = 1, to = 100000 }]
//! config = { maxmemory = "2mb" }              # optional, as redis-server's startup arguments
//! round_trip = "1ms"                          # optional: the network between app and Redis
//!
//! [code]                                      # the guide's code the scenario stands for
//! language = "python"
//! source = """
//! def create_session(user_id): ...
//! """
//!
//! [[clients]]                                 # who takes part; the first acts by default
//! name = "web"
//! protocol = 2                                # optional: 3 sends HELLO 3 when it connects
//!
//! [[steps]]
//! client = "web"                              # optional
//! lines = [1, 3]                              # optional: the code lines this step stands for
//! say = { en = "...", zh-TW = "..." }
//! run = ["SETEX session:abc 3600 123"]        # optional: commands, in redis-cli syntax,
//! # or tables as in setup: { run = "INCR views:post:{i}", from = 1, to = 1000 }
//! expect = ["OK"]                             # optional: redis-cli's rendering, "*" for any,
//! # or "~ " and a glob pattern, as KEYS takes one: ["~ *master_link_status:up*"]
//! pipeline = true                             # optional: one round trip for all commands
//! wait = "301s"                               # optional: time that passes after the commands
//! keys = ["session:*"]                        # optional: the keys the step is about (globs)
//! ```
//!
//! A scenario with `nodes = 2` to `4` is a lesson of the Replication view: it plays on that
//! many redis-servers, `127.0.0.1:6379` upwards, each a replica or a master as its steps make
//! it, joined by the view's simulated network. Each client then names the `node` its
//! connection goes to (the first by default), a step may send its commands to another
//! (`node = 6380`: the operator typing in that server's console), and a step's `network`
//! lists what happens to the network and the servers before its commands, in the words of
//! the view's share links ([`NetworkAction`]):
//!
//! ```toml
//! nodes = 2
//! [[clients]]
//! name = "app"
//! node = 6379
//! [[steps]]
//! network = ["cut 6379 6380", "crash 6379", "latency 1000"]
//! node = 6380
//! run = ["REPLICAOF NO ONE"]
//! ```
//!
//! Its nodes set themselves up in its steps, where the learner sees it: it takes no `setup`,
//! and no `round_trip` (the links' latency is the network's).
//!
//! A step is shown as it stands right after its commands; its `wait` passes on the way to the
//! next step (see `runner`). `keys` names what the narration talks about: the player lists
//! those keys first, above the rest of the keyspace.
//!
//! With a `round_trip`, each command's reply takes that long to come back, on the virtual
//! clock: a loop of a thousand requests costs a thousand round trips, and the same thousand
//! sent as one `pipeline` cost one. A repeated entry's expectation is checked for each of its
//! commands, `{i}` filled in there too.
//!
//! A command may name the virtual clock, as the guide's code calls `time.time()`: `{now}` is
//! the Unix time in seconds, `{now_ms}` in milliseconds, and either takes an offset
//! (`{now-300}`, `{now_ms+1500}`), filled in when the step runs.
//!
//! Everything is checked when the file is read, and a mistake is reported with the line it is
//! on and the field it is in (`line 31, steps[2].client: no client named "wroker"`), because
//! the person reading the error is writing TOML in a text editor, not Rust. Unknown fields are
//! refused for the same reason: a misspelt `expcet` must not silently check nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use keyspace::cli::split_args;
use keyspace::Config;
use keyspace_protocol::repl::{FIRST_PORT, NODES_MAX};
use serde::Deserialize;
use toml::Spanned;

/// A text in both of the page's languages.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    #[serde(rename = "zh-TW")]
    pub zh_tw: String,
}

impl Text {
    /// The text in `lang` (`"zh-TW"` or anything else for English).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "zh-TW" {
            &self.zh_tw
        } else {
            &self.en
        }
    }
}

/// The guide's code a scenario stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// For highlighting: `python`, `bash`, `yaml`...
    pub language: String,
    pub source: String,
}

impl Code {
    /// The source's lines, numbered from 1 as a step's `lines` count them.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.source.lines().enumerate().map(|(i, l)| (i + 1, l))
    }
}

/// A client taking part, a real engine client when the scenario runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub name: String,
    /// 2 or 3: the protocol the client speaks, which shapes its replies.
    pub protocol: u8,
    /// The node its connection goes to, in a scenario with nodes ([`FIRST_PORT`] otherwise).
    pub node: u16,
}

/// What happens to the Replication view's network or servers: the learner's controls, in the
/// words its share links write (`@cut 6379 6380` there, `cut 6379 6380` in a scenario).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkAction {
    /// The link between two nodes cut (nothing crosses it) or healed.
    Cut { a: u16, b: u16, cut: bool },
    /// A node partitioned from every other, or back.
    Isolate { port: u16, isolated: bool },
    /// A node stopped by SHUTDOWN (it saves first), or started from what it kept.
    Power { port: u16, running: bool },
    /// A node's process killed: it keeps only what it had saved before.
    Crash { port: u16 },
    /// Every link's latency from now on, in milliseconds.
    Latency { ms: u64 },
}

impl NetworkAction {
    /// Reads `cut 6379 6380`, `heal`, `isolate 6380`, `rejoin`, `stop 6379`, `start`,
    /// `crash 6379` or `latency 200`, with ports among `ports`; what is wrong otherwise.
    pub fn parse(words: &str, ports: &[u16]) -> Result<NetworkAction, String> {
        let port = |word: &str| -> Result<u16, String> {
            word.parse()
                .ok()
                .filter(|p| ports.contains(p))
                .ok_or_else(|| {
                    let known: Vec<String> = ports.iter().map(u16::to_string).collect();
                    format!("{word:?} is not a node's port ({})", known.join(", "))
                })
        };
        let words: Vec<&str> = words.split(' ').collect();
        match words.as_slice() {
            [word @ ("cut" | "heal"), a, b] if a != b => Ok(NetworkAction::Cut {
                a: port(a)?,
                b: port(b)?,
                cut: *word == "cut",
            }),
            [word @ ("isolate" | "rejoin"), p] => Ok(NetworkAction::Isolate {
                port: port(p)?,
                isolated: *word == "isolate",
            }),
            [word @ ("stop" | "start"), p] => Ok(NetworkAction::Power {
                port: port(p)?,
                running: *word == "start",
            }),
            ["crash", p] => Ok(NetworkAction::Crash { port: port(p)? }),
            ["latency", ms] => ms
                .parse()
                .map(|ms| NetworkAction::Latency { ms })
                .map_err(|_| "latency in whole milliseconds".to_string()),
            _ => Err(
                "one of: cut A B, heal A B, isolate A, rejoin A, stop A, start A, \
                      crash A, latency MS"
                    .to_string(),
            ),
        }
    }
}

impl fmt::Display for NetworkAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NetworkAction::Cut { a, b, cut } => {
                write!(f, "{} {a} {b}", if cut { "cut" } else { "heal" })
            }
            NetworkAction::Isolate { port, isolated } => {
                write!(f, "{} {port}", if isolated { "isolate" } else { "rejoin" })
            }
            NetworkAction::Power { port, running } => {
                write!(f, "{} {port}", if running { "start" } else { "stop" })
            }
            NetworkAction::Crash { port } => write!(f, "crash {port}"),
            NetworkAction::Latency { ms } => write!(f, "latency {ms}"),
        }
    }
}

/// A command as written in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub line: String,
}

impl Command {
    /// The command line at virtual time `now_ms`, its clock placeholders filled in.
    pub fn line_at(&self, now_ms: u64) -> String {
        let mut out = String::new();
        let mut rest = self.line.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            match after
                .find('}')
                .and_then(|close| clock_value(&after[1..close], now_ms).map(|v| (close, v)))
            {
                Some((close, value)) => {
                    out.push_str(&value.to_string());
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = &after[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The arguments at virtual time `now_ms`, split as redis-cli splits a line.
    pub fn argv_at(&self, now_ms: u64) -> Vec<Vec<u8>> {
        split_args(self.line_at(now_ms).as_bytes()).unwrap_or_default()
    }
}

/// Whether a reply rendered as `rendered` meets the expectation `expected`: the same text,
/// or for an expectation written `~ PATTERN`, a text the glob pattern matches as KEYS matches
/// a key (`*`, `?`, `[...]`, `\\` escaping), for a reply of which one line is the point (a
/// field of INFO).
pub fn meets(expected: &str, rendered: &str) -> bool {
    match expected.strip_prefix("~ ") {
        Some(pattern) => keyspace::glob::matches(pattern.as_bytes(), rendered.as_bytes(), false),
        None => expected == rendered,
    }
}

/// The value of a clock placeholder's inside (`now`, `now_ms-1500`), None when it is not one.
fn clock_value(inside: &str, now_ms: u64) -> Option<i64> {
    let (base, offset) = match inside.find(['+', '-']) {
        Some(at) => (&inside[..at], inside[at..].parse::<i64>().ok()?),
        None => (inside, 0),
    };
    let now = match base {
        "now" => (now_ms / 1000) as i64,
        "now_ms" => now_ms as i64,
        _ => return None,
    };
    now.checked_add(offset)
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Index into [`Scenario::clients`] of the client that acts.
    pub client: usize,
    pub say: Text,
    /// The code lines the step stands for, first and last (1-based, inclusive).
    pub lines: Option<(usize, usize)>,
    pub run: Vec<Run>,
    /// Per entry of `run`: the reply as redis-cli prints it (for each of a repeated entry's
    /// commands, `{i}` filled in), or None for no check.
    pub expect: Vec<Option<String>>,
    /// Whether the commands go as one pipeline: one round trip for all of them rather than
    /// one each (see [`Scenario::round_trip_ms`]).
    pub pipeline: bool,
    /// Virtual time that passes after the commands, in milliseconds.
    pub wait_ms: u64,
    /// Glob patterns (as KEYS takes them) of the keys the step is about.
    pub keys: Vec<String>,
    /// In a scenario with nodes: the node its commands go to, when not its client's.
    pub node: Option<u16>,
    /// In a scenario with nodes: what happens to the network and the servers before its
    /// commands, in order.
    pub network: Vec<NetworkAction>,
}

/// One entry of `setup` or of a step's `run`: a command, or a command repeated over a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    /// One command.
    Command(Command),
    /// `run` once for every number from `from` to `to` (both included), `step` apart, with
    /// `{i}` in it standing for the number: bulk data without a file of it (or DEBUG POPULATE,
    /// which a default Redis refuses), or the thousand requests of a loop in one line.
    Repeat {
        run: Command,
        from: i64,
        to: i64,
        step: i64,
    },
}

/// The most commands one repeated setup line may run.
pub const MAX_REPEAT: i64 = 1_000_000;

/// The most commands a step may run: the player shows every one with its reply.
pub const MAX_STEP_COMMANDS: i64 = 10_000;

impl Run {
    /// Every command it runs, in order, `{i}` filled in; with the expectation `expected`
    /// given for each, `{i}` filled in there too.
    pub fn commands<'a>(
        &'a self,
        expected: Option<&'a str>,
    ) -> Box<dyn Iterator<Item = (Command, Option<String>)> + 'a> {
        match self {
            Run::Command(command) => Box::new(std::iter::once((
                command.clone(),
                expected.map(String::from),
            ))),
            Run::Repeat {
                run,
                from,
                to,
                step,
            } => Box::new((*from..=*to).step_by(*step as usize).map(move |i| {
                let i = i.to_string();
                let line = run.line.replace("{i}", &i);
                (Command { line }, expected.map(|e| e.replace("{i}", &i)))
            })),
        }
    }

    /// The entry as the player lists a step's commands before playing it: the line, and
    /// for a repeated one the numbers `{i}` takes (`INCR v:{i}  ({i} = 1…1000)`).
    pub fn describe(&self) -> String {
        match self {
            Run::Command(command) => command.line.clone(),
            Run::Repeat {
                run,
                from,
                to,
                step: 1,
            } => format!("{}  ({{i}} = {from}…{to})", run.line),
            Run::Repeat {
                run,
                from,
                to,
                step,
            } => {
                format!("{}  ({{i}} = {from}, {}…{to})", run.line, from + step)
            }
        }
    }

    /// How many commands it runs.
    fn len(&self) -> i64 {
        match self {
            Run::Command(_) => 1,
            Run::Repeat { from, to, step, .. } => (to - from) / step + 1,
        }
    }
}

/// A checked scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    pub title: Text,
    pub intro: Text,
    pub lesson: Text,
    pub code: Code,
    pub clients: Vec<Participant>,
    /// Run by the first client before the first step; not shown as a step.
    pub setup: Vec<Run>,
    /// The network's round trip between the application and Redis, in milliseconds: the
    /// virtual time each command's reply takes to come back (0: none, the default).
    pub round_trip_ms: u64,
    /// The engine's configuration, set as redis-server's startup arguments set it (so that
    /// parameters Redis protects, such as `enable-debug-command`, can be given).
    pub config: Config,
    pub steps: Vec<Step>,
    /// The nodes it plays on, `127.0.0.1:6379` upwards: 0 for one engine (the scenario
    /// player), 2 to [`NODES_MAX`] for a lesson of the Replication view, whose steps may act on
    /// the network and the nodes (`network`) and send each client's commands to its node.
    pub nodes: usize,
}

impl Scenario {
    /// The node `step`'s commands go to (a scenario with nodes).
    pub fn node_of(&self, step: &Step) -> u16 {
        step.node.unwrap_or(self.clients[step.client].node)
    }

    /// The virtual time `step`'s round trips take: one per command, or one for the whole
    /// step when it is a pipeline (none without a `round_trip`).
    pub fn travel_ms(&self, step: &Step) -> u64 {
        let commands: i64 = step.run.iter().map(Run::len).sum();
        match (step.pipeline, commands) {
            (_, 0) => 0,
            (true, _) => self.round_trip_ms,
            (false, n) => self.round_trip_ms * n as u64,
        }
    }
}

/// What is wrong with a scenario file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// 1-based line of the file, when known.
    pub line: Option<usize>,
    /// The step it is in (1-based, as the player numbers them), when it is in one.
    pub step: Option<usize>,
    /// The field's path (`steps[2].client`), empty for a TOML syntax error.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(line) = self.line {
            place.push(format!("line {line}"));
        }
        if let Some(step) = self.step {
            place.push(format!("step {step}"));
        }
        if !self.field.is_empty() {
            place.push(self.field.clone());
        }
        if place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", place.join(", "), self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: Spanned<String>,
    title: Text,
    intro: Text,
    lesson: Text,
    code: RawCode,
    clients: Spanned<Vec<RawClient>>,
    /// Commands, or tables `{ run, from, to, step }` ([`Run`]), read by [`run_item`].
    #[serde(default)]
    setup: Vec<Spanned<toml::Value>>,
    round_trip: Option<Spanned<String>>,
    #[serde(default)]
    config: BTreeMap<String, Spanned<String>>,
    nodes: Option<Spanned<i64>>,
    steps: Spanned<Vec<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    language: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    name: Spanned<String>,
    protocol: Option<Spanned<i64>>,
    node: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    client: Option<Spanned<String>>,
    say: Text,
    lines: Option<Spanned<Vec<i64>>>,
    #[serde(default)]
    run: Vec<Spanned<toml::Value>>,
    expect: Option<Spanned<Vec<String>>>,
    pipeline: Option<Spanned<bool>>,
    wait: Option<Spanned<String>>,
    #[serde(default)]
    keys: Vec<String>,
    node: Option<Spanned<i64>>,
    #[serde(default)]
    network: Vec<Spanned<String>>,
}

/// Reads and checks a scenario file.
pub fn parse(source: &str) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(source).map_err(|e| ScenarioError {
        line: e.span().map(|span| line_of(source, span.start)),
        step: e.span().and_then(|span| step_at(source, span.start)),
        field: String::new(),
        message: e.message().trim().to_string(),
    })?;
    let at = |span: Range<usize>, field: String, message: String| ScenarioError {
        line: Some(line_of(source, span.start)),
        step: step_at(source, span.start),
        field,
        message,
    };

    let id = raw.id.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(at(
            raw.id.span(),
            "id".into(),
            "use lower-case letters, digits and dashes (it goes into links)".into(),
        ));
    }

    let nodes = match &raw.nodes {
        None => 0,
        Some(n) if (2..=NODES_MAX as i64).contains(n.get_ref()) => *n.get_ref() as usize,
        Some(n) => {
            return Err(at(
                n.span(),
                "nodes".into(),
                format!("2 to {NODES_MAX} nodes (127.0.0.1:{FIRST_PORT} upwards)"),
            ))
        }
    };
    let ports: Vec<u16> = (0..nodes).map(|i| FIRST_PORT + i as u16).collect();
    // A node's port, where a scenario with nodes may name one.
    let node = |n: &Spanned<i64>, field: String| -> Result<u16, ScenarioError> {
        if nodes == 0 {
            return Err(at(
                n.span(),
                field,
                "only in a scenario with nodes (nodes = 2 to 4)".into(),
            ));
        }
        u16::try_from(*n.get_ref())
            .ok()
            .filter(|p| ports.contains(p))
            .ok_or_else(|| {
                at(
                    n.span(),
                    field,
                    format!(
                        "a node's port, {FIRST_PORT} to {}",
                        FIRST_PORT + nodes as u16 - 1
                    ),
                )
            })
    };
    if nodes > 0 {
        let refused = (raw.setup.first().map(|s| (s.span(), "setup")))
            .or(raw.round_trip.as_ref().map(|r| (r.span(), "round_trip")));
        if let Some((span, field)) = refused {
            return Err(at(
                span,
                field.into(),
                "a scenario with nodes sets itself up in its steps, and its links' latency is \
                 the network's (latency MS)"
                    .into(),
            ));
        }
    }

    let mut clients = Vec::new();
    for (i, client) in raw.clients.get_ref().iter().enumerate() {
        let name = client.name.get_ref();
        let field = format!("clients[{i}].name");
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(at(
                client.name.span(),
                field,
                "a name without spaces".into(),
            ));
        }
        if clients.iter().any(|c: &Participant| &c.name == name) {
            return Err(at(
                client.name.span(),
                field,
                format!("{name:?} is named twice"),
            ));
        }
        let protocol = match &client.protocol {
            None => 2,
            Some(p) if matches!(p.get_ref(), 2 | 3) => *p.get_ref() as u8,
            Some(p) => {
                return Err(at(
                    p.span(),
                    format!("clients[{i}].protocol"),
                    "2 or 3".into(),
                ))
            }
        };
        let node = match &client.node {
            None => FIRST_PORT,
            Some(n) => node(n, format!("clients[{i}].node"))?,
        };
        clients.push(Participant {
            name: name.clone(),
            protocol,
            node,
        });
    }
    if clients.is_empty() {
        return Err(at(
            raw.clients.span(),
            "clients".into(),
            "at least one client".into(),
        ));
    }

    let setup = raw
        .setup
        .iter()
        .enumerate()
        .map(|(i, item)| run_item(item, &format!("setup[{i}]"), MAX_REPEAT, source))
        .collect::<Result<Vec<_>, _>>()?;
    let duration = |text: &Spanned<String>, field: &str| {
        duration_ms(text.get_ref()).ok_or_else(|| {
            at(
                text.span(),
                field.to_string(),
                "a duration such as \"500ms\", \"301s\", \"5m\" or \"1h\"".into(),
            )
        })
    };
    let round_trip_ms = match &raw.round_trip {
        None => 0,
        Some(text) => duration(text, "round_trip")?,
    };
    let mut config = Config::default();
    for (name, value) in &raw.config {
        config
            .set(name.as_bytes(), value.get_ref().as_bytes(), true)
            .map_err(|e| at(value.span(), format!("config.{name}"), e.to_string()))?;
    }

    let code_lines = raw.code.source.lines().count();
    let mut steps = Vec::new();
    for (i, step) in raw.steps.get_ref().iter().enumerate() {
        let field = |name: &str| format!("steps[{i}].{name}");
        let client = match &step.client {
            None => 0,
            Some(name) => clients
                .iter()
                .position(|c| &c.name == name.get_ref())
                .ok_or_else(|| {
                    let known: Vec<&str> = clients.iter().map(|c| c.name.as_str()).collect();
                    at(
                        name.span(),
                        field("client"),
                        format!(
                            "no client named {:?} (clients: {})",
                            name.get_ref(),
                            known.join(", ")
                        ),
                    )
                })?,
        };
        let lines = match &step.lines {
            None => None,
            Some(lines) => {
                let range = match lines.get_ref()[..] {
                    [only] => (only, only),
                    [first, last] => (first, last),
                    _ => (0, -1),
                };
                if range.0 < 1 || range.1 < range.0 || range.1 as usize > code_lines {
                    return Err(at(
                        lines.span(),
                        field("lines"),
                        format!("[first, last] or [line], within the code's {code_lines} lines"),
                    ));
                }
                Some((range.0 as usize, range.1 as usize))
            }
        };
        let run = step
            .run
            .iter()
            .enumerate()
            .map(|(n, item)| {
                run_item(
                    item,
                    &format!("steps[{i}].run[{n}]"),
                    MAX_STEP_COMMANDS,
                    source,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        if run.iter().map(Run::len).sum::<i64>() > MAX_STEP_COMMANDS {
            return Err(at(
                step.run[0].span(),
                field("run"),
                format!("at most {MAX_STEP_COMMANDS} commands in a step"),
            ));
        }
        let pipeline = step.pipeline.as_ref().is_some_and(|p| *p.get_ref());
        if let (Some(flag), true, None) = (&step.pipeline, pipeline, &raw.round_trip) {
            return Err(at(
                flag.span(),
                field("pipeline"),
                "a pipeline saves round trips: give the scenario a round_trip first".into(),
            ));
        }
        let expect = match &step.expect {
            None => vec![None; run.len()],
            Some(expect) if expect.get_ref().len() == run.len() => expect
                .get_ref()
                .iter()
                .map(|e| (e != "*").then(|| e.trim_end().to_string()))
                .collect(),
            Some(expect) => {
                return Err(at(
                    expect.span(),
                    field("expect"),
                    format!(
                        "{} expectations for {} commands (use \"*\" for a reply not checked)",
                        expect.get_ref().len(),
                        run.len()
                    ),
                ))
            }
        };
        let wait_ms = match &step.wait {
            None => 0,
            Some(wait) => duration(wait, &field("wait"))?,
        };
        let step_node = match &step.node {
            None => None,
            Some(n) => Some(node(n, field("node"))?),
        };
        let mut network = Vec::new();
        for (n, words) in step.network.iter().enumerate() {
            if nodes == 0 {
                return Err(at(
                    words.span(),
                    field("network"),
                    "only in a scenario with nodes (nodes = 2 to 4)".into(),
                ));
            }
            let action = NetworkAction::parse(words.get_ref(), &ports)
                .map_err(|message| at(words.span(), format!("steps[{i}].network[{n}]"), message))?;
            network.push(action);
        }
        steps.push(Step {
            node: step_node,
            network,
            client,
            say: step.say.clone(),
            lines,
            run,
            expect,
            pipeline,
            wait_ms,
            keys: step.keys.clone(),
        });
    }
    if steps.is_empty() {
        return Err(at(
            raw.steps.span(),
            "steps".into(),
            "at least one step".into(),
        ));
    }

    Ok(Scenario {
        id: id.clone(),
        title: raw.title,
        intro: raw.intro,
        lesson: raw.lesson,
        code: Code {
            language: raw.code.language,
            source: raw.code.source,
        },
        clients,
        setup,
        round_trip_ms,
        config,
        steps,
        nodes,
    })
}

/// A command line split as redis-cli splits it.
fn command(
    line: &str,
    span: Range<usize>,
    field: &str,
    source: &str,
) -> Result<Command, ScenarioError> {
    // Checked as it would run at the start: placeholders fill in digits only, so a line that
    // splits now splits at any time.
    let command = Command {
        line: line.to_string(),
    };
    match split_args(command.line_at(0).as_bytes()) {
        Some(argv) if !argv.is_empty() => Ok(command),
        found => Err(ScenarioError {
            line: Some(line_of(source, span.start)),
            step: step_at(source, span.start),
            field: field.to_string(),
            message: if found.is_some() {
                "an empty command".into()
            } else {
                "unbalanced quotes".into()
            },
        }),
    }
}

/// One item of `setup` or of a step's `run`: a command line, or a table `{ run = "...{i}...",
/// from = 1, to = 100, step = 1 }` that runs the line once per number, at most `most` times
/// ([`Run::Repeat`]).
fn run_item(
    item: &Spanned<toml::Value>,
    field: &str,
    most: i64,
    source: &str,
) -> Result<Run, ScenarioError> {
    let error = |field: String, message: &str| ScenarioError {
        line: Some(line_of(source, item.span().start)),
        step: step_at(source, item.span().start),
        field,
        message: message.to_string(),
    };
    let table = match item.get_ref() {
        toml::Value::String(line) => {
            return command(line, item.span(), field, source).map(Run::Command)
        }
        toml::Value::Table(table) => table,
        _ => {
            return Err(error(
                field.to_string(),
                "a command, or a table { run = \"...{i}...\", from = 1, to = 100 }",
            ))
        }
    };
    if let Some(unknown) = table
        .keys()
        .find(|k| !["run", "from", "to", "step"].contains(&k.as_str()))
    {
        return Err(error(
            format!("{field}.{unknown}"),
            "unknown field (run, from, to, step)",
        ));
    }
    let number = |name: &str, default: Option<i64>| match (table.get(name), default) {
        (Some(toml::Value::Integer(n)), _) => Ok(*n),
        (None, Some(n)) => Ok(n),
        _ => Err(error(format!("{field}.{name}"), "a whole number")),
    };
    let (from, to, step) = (
        number("from", None)?,
        number("to", None)?,
        number("step", Some(1))?,
    );
    let Some(toml::Value::String(line)) = table.get("run") else {
        return Err(error(format!("{field}.run"), "a command with {i} in it"));
    };
    if step < 1 || to < from || (to - from) / step >= most {
        return Err(error(
            field.to_string(),
            &format!("from <= to, step >= 1, at most {most} commands"),
        ));
    }
    let sample = line.replace("{i}", &from.to_string());
    command(&sample, item.span(), &format!("{field}.run"), source)?;
    Ok(Run::Repeat {
        run: Command { line: line.clone() },
        from,
        to,
        step,
    })
}

/// `500ms`, `301s`, `5m`, `1h` in milliseconds.
fn duration_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    number.checked_mul(scale)
}

/// The step (1-based) whose `[[steps]]` table holds `offset`, if any: the `[[steps]]`
/// headers before it counted, unless another table's header came after the last one.
fn step_at(source: &str, offset: usize) -> Option<usize> {
    let mut step = None;
    let mut count = 0;
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        if at > offset {
            break;
        }
        at += line.len();
        let header = line.trim();
        let name = header
            .strip_prefix("[[")
            .and_then(|h| h.strip_suffix("]]"))
            .or_else(|| header.strip_prefix('[').and_then(|h| h.strip_suffix(']')));
        match name {
            Some("steps") => {
                count += 1;
                step = Some(count);
            }
            Some(name)
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) =>
            {
                step = None;
            }
            _ => {}
        }
    }
    step
}

fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms("500ms"), Some(500));
        assert_eq!(duration_ms("301s"), Some(301_000));
        assert_eq!(duration_ms("5m"), Some(300_000));
        assert_eq!(duration_ms("1h"), Some(3_600_000));
        assert_eq!(duration_ms("5"), None);
        assert_eq!(duration_ms("s"), None);
        assert_eq!(duration_ms("99999999999999999999h"), None);
    }

    #[test]
    fn repeated_setup_lines() {
        let scenario = |setup: &str| {
            parse(&format!(
                "id = \"x\"\ntitle = {{ en = \"x\", zh-TW = \"x\" }}\n\
                 intro = {{ en = \"x\", zh-TW = \"x\" }}\nlesson = {{ en = \"x\", zh-TW = \"x\" }}\n\
                 setup = {setup}\n[code]\nlanguage = \"python\"\nsource = \"x\"\n\
                 [[clients]]\nname = \"a\"\n[[steps]]\nsay = {{ en = \"x\", zh-TW = \"x\" }}\n"
            ))
        };
        let parsed =
            scenario(r#"["SET a 1", { run = "SETBIT b {i} 1", from = 0, to = 9, step = 3 }]"#)
                .unwrap();
        let lines: Vec<String> = parsed
            .setup
            .iter()
            .flat_map(|s| s.commands(None))
            .map(|(command, _)| command.line)
            .collect();
        let described: Vec<String> = parsed.setup.iter().map(Run::describe).collect();
        assert_eq!(described, ["SET a 1", "SETBIT b {i} 1  ({i} = 0, 3…9)"]);
        assert_eq!(
            lines,
            [
                "SET a 1",
                "SETBIT b 0 1",
                "SETBIT b 3 1",
                "SETBIT b 6 1",
                "SETBIT b 9 1"
            ]
        );
        let error = |setup: &str| scenario(setup).unwrap_err().to_string();
        assert_eq!(
            error(r#"[{ run = "X {i}", from = 5, to = 1 }]"#),
            "line 5, setup[0]: from <= to, step >= 1, at most 1000000 commands"
        );
        assert_eq!(
            error(r#"[{ run = "X {i}", from = 1, to = 2, each = 1 }]"#),
            "line 5, setup[0].each: unknown field (run, from, to, step)"
        );
        assert_eq!(
            error(r#"[{ run = "X {i}", from = 1 }]"#),
            "line 5, setup[0].to: a whole number"
        );
        assert_eq!(
            error(r#"[{ run = "X 'a", from = 1, to = 2 }]"#),
            "line 5, setup[0].run: unbalanced quotes"
        );
        assert!(error("[1]").contains("a command, or a table"));
    }

    #[test]
    fn expectations_are_texts_or_patterns() {
        assert!(meets("(integer) 1", "(integer) 1"));
        assert!(!meets("(integer) 1", "(integer) 10"));
        let info = "# Stats\nsync_full:1\nsync_partial_ok:1\n";
        assert!(meets("~ *sync_partial_ok:1*", info));
        assert!(!meets("~ *sync_partial_ok:2*", info));
        // Without the marker a pattern is only text.
        assert!(!meets("*sync_full:1*", info));
    }

    #[test]
    fn clock_placeholders() {
        let command = Command {
            line: "ZREVRANGEBYSCORE online {now} {now-300} LIMIT 0 {x} {now_ms+5}".into(),
        };
        assert_eq!(
            command.line_at(1_767_258_000_500),
            "ZREVRANGEBYSCORE online 1767258000 1767257700 LIMIT 0 {x} 1767258000505"
        );
    }
}
