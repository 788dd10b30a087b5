//! The scenario player without the DOM: the messages the page sends to play a scenario, and
//! the [`Player`] that answers them in the worker, beside the console's session. It owns a
//! `keyspace_scenarios` [`Runner`] (its own engine under a manual clock, nothing shared with
//! the console) and turns its reports into plain, serializable views the page only renders:
//! the scenario's texts and steps when it opens, then after each move the position, the last
//! step's commands, deliveries and key changes, the virtual time, and the keyspace with the
//! changed keys marked (removed keys kept as ghost rows, so an expiry stays visible).
//!
//! The page never parses a scenario itself: a file a teacher drops is sent here as text, and a
//! mistake comes back as the parser's `line N, field: message`.

use keyspace_scenarios::runner::{ChangeKind, StepReport};
use keyspace_scenarios::{builtin, parse, Runner, Scenario};
use serde::{Deserialize, Serialize};

use crate::inspect::{self, InspectQuery, Inspection};
use crate::keyview::{self, KeyQuery};
use crate::protocol::Line;

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
    /// The console now runs on the scenario's engine (`Request::ContinueScenario`); the
    /// player is empty.
    Continued,
    /// Continuing would replace a console that holds keys: how many, so that the page can
    /// ask first.
    WouldReplace {
        keys: usize,
    },
    Inspected(Inspection),
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

impl From<&keyspace_scenarios::Text> for Bilingual {
    fn from(text: &keyspace_scenarios::Text) -> Bilingual {
        Bilingual {
            en: text.en.clone(),
            zh_tw: text.zh_tw.clone(),
        }
    }
}

/// A built-in scenario in the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub id: String,
    pub title: Bilingual,
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
}

/// A key's place in the list: the keys the step names and those it changed come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rank {
    /// Named by the step's `keys`.
    Named,
    Changed,
    Other,
}

impl ScenarioInfo {
    fn of(scenario: &Scenario) -> ScenarioInfo {
        let clients: Vec<String> = scenario.clients.iter().map(|c| c.name.clone()).collect();
        ScenarioInfo {
            id: scenario.id.clone(),
            title: (&scenario.title).into(),
            intro: (&scenario.intro).into(),
            lesson: (&scenario.lesson).into(),
            language: scenario.code.language.clone(),
            code: scenario.code.lines().map(|(_, l)| l.to_string()).collect(),
            clients: clients.clone(),
            steps: scenario
                .steps
                .iter()
                .map(|step| StepInfo {
                    say: (&step.say).into(),
                    client: clients[step.client].clone(),
                    lines: step.lines,
                    run: step.run.iter().map(|c| c.line.clone()).collect(),
                    wait_ms: step.wait_ms,
                })
                .collect(),
        }
    }
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

impl From<ChangeKind> for Change {
    fn from(kind: ChangeKind) -> Change {
        match kind {
            ChangeKind::Created => Change::Created,
            ChangeKind::Changed => Change::Changed,
            ChangeKind::Deleted => Change::Deleted,
            ChangeKind::Expired => Change::Expired,
            ChangeKind::Evicted => Change::Evicted,
        }
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

/// The scenario being played, in the worker.
#[derive(Default)]
pub struct Player {
    runner: Option<Runner>,
    /// The keyspace list's filter: a glob pattern, empty for every key.
    filter: String,
}

impl Player {
    /// Takes the scenario being played, leaving the player empty.
    pub fn take_runner(&mut self) -> Option<Runner> {
        self.runner.take()
    }

    /// Whether a scenario is open (and could be continued in the console).
    pub fn is_open(&self) -> bool {
        self.runner.is_some()
    }

    pub fn handle(&mut self, request: ScenarioRequest) -> ScenarioResponse {
        match request {
            ScenarioRequest::List => ScenarioResponse::List(list()),
            ScenarioRequest::Open { id } => match builtin::load(&id) {
                Some(Ok(scenario)) => self.open(scenario),
                Some(Err(e)) => ScenarioResponse::Invalid(e.to_string()),
                None => ScenarioResponse::Invalid(format!("no scenario {id:?}")),
            },
            ScenarioRequest::Load { source } => match parse(&source) {
                Ok(scenario) => self.open(scenario),
                Err(e) => ScenarioResponse::Invalid(e.to_string()),
            },
            ScenarioRequest::Step => self.moved(|r| {
                r.step();
            }),
            ScenarioRequest::Back => self.moved(Runner::back),
            ScenarioRequest::Jump { position } => self.moved(|r| r.jump(position)),
            ScenarioRequest::Wait { ms } => self.moved(|r| r.advance(ms)),
            ScenarioRequest::Filter { pattern } => {
                self.filter = pattern;
                self.moved(|_| {})
            }
            ScenarioRequest::Inspect { db, query } => {
                let db = self.runner.as_ref().and_then(|r| r.engine().db(db));
                ScenarioResponse::Inspected(inspect::inspect(db, &query, None))
            }
        }
    }

    fn open(&mut self, scenario: Scenario) -> ScenarioResponse {
        let info = ScenarioInfo::of(&scenario);
        let runner = Runner::new(scenario);
        self.filter.clear();
        let state = state(&runner, &self.filter);
        self.runner = Some(runner);
        ScenarioResponse::Opened {
            info: Box::new(info),
            state,
        }
    }

    fn moved(&mut self, how: impl FnOnce(&mut Runner)) -> ScenarioResponse {
        match &mut self.runner {
            Some(runner) => {
                how(runner);
                ScenarioResponse::Moved(state(runner, &self.filter))
            }
            None => ScenarioResponse::Invalid("no scenario is open".into()),
        }
    }
}

/// The built-in scenarios with their titles; one that does not read is left out (the
/// scenario crate's tests keep them all valid).
pub fn list() -> Vec<ScenarioSummary> {
    builtin::SOURCES
        .iter()
        .filter_map(|(id, source)| {
            let scenario = parse(source).ok()?;
            Some(ScenarioSummary {
                id: id.to_string(),
                title: (&scenario.title).into(),
            })
        })
        .collect()
}

fn lines(rendered: &str, error: bool) -> Vec<Line> {
    rendered
        .split('\n')
        .map(|l| Line::classify(l.to_string(), error || l.starts_with("(error)")))
        .collect()
}

fn report(report: &StepReport) -> ReportView {
    ReportView {
        step: report.step,
        at_ms: report.at_ms,
        commands: report
            .commands
            .iter()
            .map(|run| CommandView {
                client: run.client.clone(),
                line: run.line.clone(),
                reply: lines(&run.rendered, run.replies.iter().any(|r| r.is_error())),
                mismatch: (!run.meets_expectation())
                    .then(|| run.expected.clone().unwrap_or_default()),
            })
            .collect(),
        deliveries: report
            .deliveries
            .iter()
            .map(|d| DeliveryView {
                client: d.client.clone(),
                reply: lines(&d.rendered, d.reply.is_error()),
            })
            .collect(),
        waited_ms: report.waited_ms,
    }
}

/// Where the runner stands, with the keyspace listed for the page: the keys the step names,
/// then those it (or the wait after it, while that passes) changed, then the first
/// [`KEYS_SHOWN`] of the rest, all within `filter`; removed keys stay as ghost rows.
fn state(runner: &Runner, filter: &str) -> PlayState {
    let engine = runner.engine();
    let now_ms = engine.now_ms();
    let last = runner.reports().last();
    let (wait_ms, waited_ms) = runner.wait_after();
    // Once the wait has begun, what it did is the news; before, what the step did.
    let changes = if waited_ms > 0 {
        runner.wait_changes()
    } else {
        last.map(|r| r.changes.clone()).unwrap_or_default()
    };
    let changes: Vec<(usize, String, Change)> = changes
        .iter()
        .map(|c| {
            let key = String::from_utf8_lossy(&c.key).into_owned();
            (c.db, key, c.kind.into())
        })
        .collect();
    let named: Vec<String> = last
        .map(|r| runner.scenario().steps[r.step].keys.clone())
        .unwrap_or_default();
    let shown = |key: &str| {
        filter.is_empty() || keyspace::glob::matches(filter.as_bytes(), key.as_bytes(), false)
    };

    let mut keys: Vec<ScenarioKey> = Vec::new();
    let (mut key_count, mut matching) = (0, 0);
    let mut db_index = 0;
    while let Some(db) = engine.db(db_index) {
        key_count += db.len();
        let query = |pattern: String, count: usize| KeyQuery {
            pattern,
            count,
            ..KeyQuery::default()
        };
        let mut rows: Vec<(keyview::KeyRow, Rank)> = Vec::new();
        for pattern in &named {
            let window = keyview::window(db_index, db, &query(pattern.clone(), KEYS_SHOWN));
            rows.extend(window.rows.into_iter().map(|row| (row, Rank::Named)));
        }
        for (changed_db, key, change) in &changes {
            if *changed_db == db_index && !change.removed() {
                let window = keyview::window(db_index, db, &query(glob_escape(key), 1));
                rows.extend(window.rows.into_iter().map(|row| (row, Rank::Changed)));
            }
        }
        let window = keyview::window(db_index, db, &query(filter.to_string(), KEYS_SHOWN));
        matching += window.total;
        rows.extend(window.rows.into_iter().map(|row| (row, Rank::Other)));
        for (row, rank) in rows {
            if !shown(&row.key) || keys.iter().any(|k| k.db == db_index && k.key == row.key) {
                continue;
            }
            let change = changes
                .iter()
                .find(|(d, k, _)| *d == db_index && *k == row.key)
                .map(|(_, _, c)| *c);
            keys.push(ScenarioKey {
                db: db_index,
                change,
                rank,
                ttl_ms: row.expires_at_ms.map(|at| at.saturating_sub(now_ms)),
                key: row.key,
                type_name: row.type_name,
                size: row.size,
            });
        }
        db_index += 1;
    }
    // Keys the step removed stay as ghost rows, marked with how they went: the named ones
    // and the first few others by name, the rest counted.
    let mut removed_more = 0;
    let mut ghosts = 0;
    for (db, key, change) in changes {
        if !change.removed() || !shown(&key) {
            continue;
        }
        let is_named = named
            .iter()
            .any(|p| keyspace::glob::matches(p.as_bytes(), key.as_bytes(), false));
        if !is_named && ghosts == REMOVED_SHOWN {
            removed_more += 1;
            continue;
        }
        ghosts += usize::from(!is_named);
        keys.push(ScenarioKey {
            db,
            key,
            type_name: String::new(),
            size: 0,
            ttl_ms: None,
            change: Some(change),
            rank: if is_named { Rank::Named } else { Rank::Changed },
        });
    }
    // The step's own keys first, where the eye goes (hot-posts lists 2,000 other keys).
    keys.sort_by_key(|k| (k.rank, k.change.is_none()));
    PlayState {
        position: runner.position(),
        steps: runner.scenario().steps.len(),
        elapsed_ms: runner.elapsed_ms(),
        now_ms,
        wait_ms,
        waited_ms,
        report: last.map(report),
        keys,
        key_count,
        matching,
        removed_more,
        filter: filter.to_string(),
    }
}

/// A pattern that matches exactly `key`.
fn glob_escape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Virtual time as the clock shows it: `+0s`, `+80ms`, `+2m 00s`, `+1h 05m`.
pub fn format_elapsed(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 if ms > 0 => format!("+{ms}ms"),
        0..=59 if !ms.is_multiple_of(1000) => format!("+{}.{:03}s", s, ms % 1000),
        0..=59 => format!("+{s}s"),
        60..=3599 => format!("+{}m {:02}s", s / 60, s % 60),
        _ => format!("+{}h {:02}m {:02}s", s / 3600, s % 3600 / 60, s % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(player: &mut Player, id: &str) -> (ScenarioInfo, PlayState) {
        match player.handle(ScenarioRequest::Open { id: id.into() }) {
            ScenarioResponse::Opened { info, state } => (*info, state),
            other => panic!("{other:?}"),
        }
    }

    fn moved(player: &mut Player, request: ScenarioRequest) -> PlayState {
        match player.handle(request) {
            ScenarioResponse::Moved(state) => state,
            other => panic!("{other:?}"),
        }
    }

    fn key<'a>(state: &'a PlayState, name: &str) -> Option<&'a ScenarioKey> {
        state.keys.iter().find(|k| k.key == name)
    }

    #[test]
    fn lists_every_builtin_scenario_with_both_titles() {
        let list = list();
        assert_eq!(list.len(), builtin::SOURCES.len());
        assert_eq!(list[0].id, "cache-aside");
        assert!(!list[0].title.zh_tw.is_empty() && !list[0].title.en.is_empty());
    }

    #[test]
    fn plays_cache_aside_forward_and_back() {
        let mut player = Player::default();
        let (info, state) = open(&mut player, "cache-aside");
        assert_eq!(info.clients, ["app"]);
        assert_eq!(info.steps[0].lines, Some((7, 12)));
        assert_eq!(info.code[1], "class UserCache:");
        assert_eq!((state.position, state.report.is_none()), (0, true));

        let state = moved(&mut player, ScenarioRequest::Step);
        let report = state.report.expect("step 1");
        assert_eq!(report.commands[0].line, "GET user:123");
        assert_eq!(report.commands[0].reply[0].text, "(nil)");
        assert_eq!(report.commands[0].mismatch, None);

        // Right after step 3's SETEX: its two minutes pass on the way to step 4.
        let state = moved(&mut player, ScenarioRequest::Jump { position: 3 });
        assert_eq!(state.elapsed_ms, 80);
        assert_eq!((state.wait_ms, state.waited_ms), (120_000, 0));
        let user = key(&state, "user:123").expect("the cached user");
        assert_eq!(user.change, Some(Change::Created));
        assert_eq!(user.ttl_ms, Some(300_000));
        assert_eq!(user.type_name, "string");
        // The wait passes a slice at a time while playing: the TTL counts down.
        let state = moved(&mut player, ScenarioRequest::Wait { ms: 30_000 });
        assert_eq!((state.elapsed_ms, state.waited_ms), (30_080, 30_000));
        assert_eq!(key(&state, "user:123").unwrap().ttl_ms, Some(270_000));
        let state = moved(&mut player, ScenarioRequest::Step);
        assert_eq!(state.elapsed_ms, 120_080);

        // Step 6 refills the cache; the key expires during its wait, shown at step 7.
        let state = moved(&mut player, ScenarioRequest::Jump { position: 6 });
        assert_eq!(
            key(&state, "user:123").and_then(|k| k.change),
            Some(Change::Created)
        );
        let state = moved(&mut player, ScenarioRequest::Step);
        assert_eq!(
            key(&state, "user:123").and_then(|k| k.change),
            Some(Change::Expired)
        );
        assert_eq!(state.key_count, 0);

        let state = moved(&mut player, ScenarioRequest::Back);
        assert_eq!(state.position, 6);
        assert_eq!(
            key(&state, "user:123").and_then(|k| k.change),
            Some(Change::Created)
        );
        // Among 2,000 keys, the step's own come first: those it names (changed first).
        open(&mut player, "hot-posts");
        let state = moved(&mut player, ScenarioRequest::Jump { position: 3 });
        let first: Vec<_> = state.keys[..3]
            .iter()
            .map(|k| (k.key.as_str(), k.rank))
            .collect();
        assert_eq!(
            first,
            [
                ("hot_posts:8:10", Rank::Named),
                ("hot_posts:7:5", Rank::Named),
                ("hot_posts:7:20", Rank::Named)
            ]
        );
        assert!(state.key_count > KEYS_SHOWN);
        // A filter lists only its keys, and counts them all.
        let state = moved(
            &mut player,
            ScenarioRequest::Filter {
                pattern: "post:likes:1?".into(),
            },
        );
        assert_eq!((state.matching, state.keys.len()), (10, 10));
        assert!(state.keys.iter().all(|k| k.key.starts_with("post:likes:1")));
        // The inspector reads the scenario's own keyspace.
        let ScenarioResponse::Inspected(inspection) = player.handle(ScenarioRequest::Inspect {
            db: 0,
            query: InspectQuery::new("hot_posts:8:10"),
        }) else {
            panic!()
        };
        assert_eq!(inspection.type_name, "string");
        // Thousands of evictions: the first few by name, the rest counted.
        open(&mut player, "maxmemory");
        let state = moved(&mut player, ScenarioRequest::Jump { position: 5 });
        let evicted = state
            .keys
            .iter()
            .filter(|k| k.change == Some(Change::Evicted))
            .count();
        assert_eq!(evicted, REMOVED_SHOWN);
        assert!(state.removed_more > 1000, "{}", state.removed_more);
        assert_eq!(state.keys[0].rank, Rank::Named);
        open(&mut player, "cache-aside");
        let state = moved(&mut player, ScenarioRequest::Jump { position: 0 });
        assert_eq!((state.position, state.elapsed_ms), (0, 0));
        assert!(state.keys.is_empty());
    }

    #[test]
    fn a_malformed_file_says_where() {
        let mut player = Player::default();
        let source = builtin::SOURCES[0]
            .1
            .replacen("wait = \"80ms\"", "wait = \"80 parsecs\"", 1);
        let ScenarioResponse::Invalid(message) = player.handle(ScenarioRequest::Load { source })
        else {
            panic!()
        };
        assert!(message.starts_with("line "), "{message}");
        assert!(message.contains("steps[1].wait"), "{message}");
        // Nothing open: a move says so rather than panicking.
        assert!(matches!(
            player.handle(ScenarioRequest::Step),
            ScenarioResponse::Invalid(_)
        ));
    }

    #[test]
    fn a_mismatch_is_reported_with_what_was_expected() {
        let mut player = Player::default();
        let source = builtin::SOURCES[0]
            .1
            .replacen("expect = [\"(nil)\"]", "expect = [\"OK\"]", 1);
        player.handle(ScenarioRequest::Load { source });
        let state = moved(&mut player, ScenarioRequest::Step);
        let command = &state.report.unwrap().commands[0];
        assert_eq!(command.mismatch.as_deref(), Some("OK"));
    }

    #[test]
    fn the_readme_example_plays_as_it_expects() {
        let readme = include_str!("../README.md");
        let section = &readme[readme.find("## Writing a scenario").expect("the section")..];
        let start = section.find("```toml\n").expect("an example") + "```toml\n".len();
        let source = &section[start..start + section[start..].find("```").unwrap()];
        let mut player = Player::default();
        let ScenarioResponse::Opened { info, .. } = player.handle(ScenarioRequest::Load {
            source: source.to_string(),
        }) else {
            panic!(
                "{:?}",
                player.handle(ScenarioRequest::Load {
                    source: source.into()
                })
            )
        };
        for _ in &info.steps {
            let state = moved(&mut player, ScenarioRequest::Step);
            let report = state.report.unwrap();
            assert!(
                report.commands.iter().all(|c| c.mismatch.is_none()),
                "{report:?}"
            );
        }
    }

    #[test]
    fn the_clock_reads_naturally() {
        assert_eq!(format_elapsed(0), "+0s");
        assert_eq!(format_elapsed(80), "+80ms");
        assert_eq!(format_elapsed(1_500), "+1.500s");
        assert_eq!(format_elapsed(120_080), "+2m 00s");
        assert_eq!(format_elapsed(301_000), "+5m 01s");
        assert_eq!(format_elapsed(3_900_000), "+1h 05m 00s");
    }
}
