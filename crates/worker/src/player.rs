//! The scenario player: the [`Player`] that answers the page's scenario messages in the worker,
//! beside the console's session. It owns a
//! `keyspace_scenarios` [`Runner`] (its own engine under a manual clock, nothing shared with
//! the console) and turns its reports into plain, serializable views the page only renders:
//! the scenario's texts and steps when it opens, then after each move the position, the last
//! step's commands, deliveries and key changes, the virtual time, and the keyspace with the
//! changed keys marked (removed keys kept as ghost rows, so an expiry stays visible).
//!
//! The built-in scenarios' files are on the player's [`Shelf`]: compiled in natively and in the
//! page's browser tests, fetched by the web worker (`messages`) the first time the page asks
//! for the list or a scenario, so that they are not part of the download the console waits
//! for.
//!
//! The page never parses a scenario itself: a file a teacher drops is sent here as text, and a
//! mistake comes back as the parser's `line N, field: message`.

use keyspace_protocol::console::Line;
use keyspace_protocol::keys::{KeyQuery, KeyRow};
use keyspace_protocol::scenario::{
    Bilingual, Change, CommandView, DeliveryView, PlayState, Rank, ReportView, ScenarioInfo,
    ScenarioKey, ScenarioRequest, ScenarioResponse, ScenarioSummary, StepInfo, KEYS_SHOWN,
    REMOVED_SHOWN,
};
use keyspace_scenarios::runner::{ChangeKind, StepReport};
use keyspace_scenarios::{builtin, parse, Run, Runner, Scenario, Text};

use crate::inspect;
use crate::keyview;

/// The scenario being played, in the worker.
#[derive(Default)]
pub struct Player {
    runner: Option<Runner>,
    /// The keyspace list's filter: a glob pattern, empty for every key.
    filter: String,
    /// The built-in scenarios' files.
    shelf: Shelf,
}

/// The built-in scenarios' sources as the player holds them.
#[derive(Debug, Default)]
pub enum Shelf {
    /// Not read yet: the web worker fetches them when the page first asks for one.
    #[default]
    Unread,
    /// Each built-in scenario's id and source, in the picker's order.
    Read(Vec<(String, String)>),
    /// Fetching them failed, for this reason; the next request for one tries again.
    Unavailable(String),
}

impl Shelf {
    /// The sources compiled into this program (`builtin::SOURCES`): natively, and in the
    /// page's browser tests, whose runner serves no scenario files.
    pub fn compiled_in() -> Shelf {
        Shelf::Read(
            builtin::SOURCES
                .iter()
                .map(|(id, source)| (id.to_string(), source.to_string()))
                .collect(),
        )
    }
}

impl Player {
    /// Puts the built-in scenarios' sources (or why they could not be had) on the shelf.
    pub fn shelve(&mut self, shelf: Shelf) {
        self.shelf = shelf;
    }

    /// Whether `request` reads the built-in scenarios' files and the player does not hold
    /// them: the web worker then fetches them before answering it.
    pub fn needs_files(&self, request: &ScenarioRequest) -> bool {
        matches!(
            request,
            ScenarioRequest::List | ScenarioRequest::Open { .. }
        ) && !self.has_files()
    }

    /// Whether it holds the built-in scenarios' files.
    pub fn has_files(&self) -> bool {
        matches!(self.shelf, Shelf::Read(_))
    }

    /// The built-in lesson `id` (a scenario with nodes, which the Replication view plays), or
    /// why it cannot be had.
    pub fn lesson(&self, id: &str) -> Result<Scenario, String> {
        let source = (self.sources()?.iter())
            .find(|(known, _)| known == id)
            .map(|(_, source)| source)
            .ok_or_else(|| format!("no scenario {id:?}"))?;
        match parse(source) {
            Ok(scenario) if scenario.nodes > 0 => Ok(scenario),
            Ok(_) => Err(format!(
                "{id:?} plays in the scenario player, on one engine"
            )),
            Err(e) => Err(e.to_string()),
        }
    }

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
            ScenarioRequest::List => match self.sources() {
                Ok(sources) => ScenarioResponse::List(list(sources)),
                Err(reason) => ScenarioResponse::Unavailable(reason),
            },
            ScenarioRequest::Open { id } => {
                let found = match self.sources() {
                    Ok(sources) => sources.iter().find(|(known, _)| *known == id),
                    Err(reason) => return ScenarioResponse::Unavailable(reason),
                };
                match found.map(|(_, source)| parse(source)) {
                    Some(Ok(scenario)) => self.open(scenario),
                    Some(Err(e)) => ScenarioResponse::Invalid(e.to_string()),
                    None => ScenarioResponse::Invalid(format!("no scenario {id:?}")),
                }
            }
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
                let engine = self.runner.as_ref().map(Runner::engine);
                let searched = engine.and_then(|e| inspect::searched(e, db, &query.key));
                let now_ms = engine.map_or(0, keyspace::Engine::now_ms);
                let db = engine.and_then(|e| e.db(db));
                ScenarioResponse::Inspected(inspect::inspect(db, &query, None, searched, now_ms))
            }
        }
    }

    /// The built-in scenarios' sources, or why they are not to be had.
    fn sources(&self) -> Result<&[(String, String)], String> {
        match &self.shelf {
            Shelf::Read(sources) => Ok(sources),
            Shelf::Unavailable(reason) => Err(reason.clone()),
            Shelf::Unread => Err("not fetched".into()),
        }
    }

    fn open(&mut self, scenario: Scenario) -> ScenarioResponse {
        if scenario.nodes > 0 {
            return ScenarioResponse::Invalid(format!(
                "{:?} plays on {} nodes: open it in the Replication view",
                scenario.id, scenario.nodes
            ));
        }
        let info = info(&scenario);
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

/// A text in both languages, as the page takes it.
pub(crate) fn bilingual(text: &Text) -> Bilingual {
    Bilingual {
        en: text.en.clone(),
        zh_tw: text.zh_tw.clone(),
    }
}

/// A scenario's texts and steps, sent once when it opens.
fn info(scenario: &Scenario) -> ScenarioInfo {
    let clients: Vec<String> = scenario.clients.iter().map(|c| c.name.clone()).collect();
    ScenarioInfo {
        id: scenario.id.clone(),
        title: bilingual(&scenario.title),
        intro: bilingual(&scenario.intro),
        lesson: bilingual(&scenario.lesson),
        language: scenario.code.language.clone(),
        code: scenario.code.lines().map(|(_, l)| l.to_string()).collect(),
        clients: clients.clone(),
        steps: scenario
            .steps
            .iter()
            .map(|step| StepInfo {
                say: bilingual(&step.say),
                client: clients[step.client].clone(),
                lines: step.lines,
                run: step.run.iter().map(Run::describe).collect(),
                wait_ms: step.wait_ms,
                travel_ms: scenario.travel_ms(step),
            })
            .collect(),
    }
}

/// How a key changed, as the keyspace marks it.
fn change(kind: ChangeKind) -> Change {
    match kind {
        ChangeKind::Created => Change::Created,
        ChangeKind::Changed => Change::Changed,
        ChangeKind::Deleted => Change::Deleted,
        ChangeKind::Expired => Change::Expired,
        ChangeKind::Evicted => Change::Evicted,
    }
}

/// The built-in scenarios with their titles; one that does not read is left out (the
/// scenario crate's tests keep them all valid).
fn list(sources: &[(String, String)]) -> Vec<ScenarioSummary> {
    sources
        .iter()
        .filter_map(|(id, source)| {
            let scenario = parse(source).ok()?;
            Some(ScenarioSummary {
                id: id.to_string(),
                title: bilingual(&scenario.title),
                nodes: scenario.nodes,
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
        monitor: report.monitor.clone(),
        monitor_more: report.monitor_more,
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
            (c.db, key, change(c.kind))
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
        let mut rows: Vec<(KeyRow, Rank)> = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace_protocol::inspect::InspectQuery;

    /// A player holding the compiled-in scenarios, as natively.
    fn shelved() -> Player {
        let mut player = Player::default();
        player.shelve(Shelf::compiled_in());
        player
    }

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
        let ScenarioResponse::List(list) = shelved().handle(ScenarioRequest::List) else {
            panic!()
        };
        assert_eq!(list.len(), builtin::SOURCES.len());
        assert_eq!(list[0].id, "cache-aside");
        assert!(!list[0].title.zh_tw.is_empty() && !list[0].title.en.is_empty());
    }

    #[test]
    fn without_the_files_the_list_and_opening_say_why_and_a_file_still_opens() {
        let mut player = Player::default();
        assert!(player.needs_files(&ScenarioRequest::List));
        assert!(!player.needs_files(&ScenarioRequest::Step));
        player.shelve(Shelf::Unavailable("scenarios/lock.toml: HTTP 404".into()));
        assert!(player.needs_files(&ScenarioRequest::Open { id: "lock".into() }));
        for request in [
            ScenarioRequest::List,
            ScenarioRequest::Open { id: "lock".into() },
        ] {
            assert_eq!(
                player.handle(request),
                ScenarioResponse::Unavailable("scenarios/lock.toml: HTTP 404".into())
            );
        }
        // A teacher's own file needs no download.
        let source = builtin::SOURCES[0].1.to_string();
        assert!(matches!(
            player.handle(ScenarioRequest::Load { source }),
            ScenarioResponse::Opened { .. }
        ));
        player.shelve(Shelf::compiled_in());
        assert!(!player.needs_files(&ScenarioRequest::List));
    }

    #[test]
    fn plays_cache_aside_forward_and_back() {
        let mut player = shelved();
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
        let mut player = shelved();
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
        let mut player = shelved();
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
        let readme = include_str!("../../../README.md");
        let section = &readme[readme.find("## Writing a scenario").expect("the section")..];
        let start = section.find("```toml\n").expect("an example") + "```toml\n".len();
        let source = &section[start..start + section[start..].find("```").unwrap()];
        let mut player = shelved();
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
}
