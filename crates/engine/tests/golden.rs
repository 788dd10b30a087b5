//! Golden scripts: behaviour real Redis cannot judge (a manual clock, seeded randomness, the
//! engine's events, `tick`), written as commands with the expected output beside them, in the
//! style of toyDB's goldenscripts. Every file in `tests/golden/` is run on a fresh engine and
//! its output compared with the file itself.
//!
//! ```text
//! # A comment; comments and blank lines are kept as they are.
//! > SET k v PX 100           a command, in redis-cli syntax, for the current client
//! OK                         its reply as redis-cli prints it (per the client's protocol)
//! @advance 150               move the manual clock forward 150 ms (wall time and timer)
//! @tick 3                    run Engine::tick() 3 times (once without a number)
//! @events                    print the events recorded since the last @events, one a line:
//! expired db0 "k"              event name, database, key
//! @events count              the same, as how many of each event name
//! @client other              send the following commands as client `other` (connected on
//!                            first use; the first client is `main`)
//! @drain                     print what arrived in the current client's outbox since it was
//!                            last drained (a blocked command's reply, pub/sub messages)
//! @repeat 100 SET k{i} v     run a command 100 times, {i} counting from 0, and print each
//! 100 × OK                   distinct reply once with how many times it came
//! @stats                     print the engine's expiry and hit/miss counters
//! @seed 7                    before the first command: the generator's seed (default 1)
//! @config hz 100             before the first command: a config parameter
//! ```
//!
//! Lines that are neither comments, blank, commands nor directives are expected output: the
//! runner regenerates them and the test fails with a line diff when anything differs. Run
//! with `UPDATE_GOLDEN=1` to rewrite the files with the actual output (then read the diff
//! before committing it: the file is the specification).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use keyspace::cli::{as_received, format_reply, repr, split_args};
use keyspace::{ClientId, Config, Engine, ManualClock, Outcome};

/// Where every script's clock starts: 2023-11-14T22:13:20Z, so absolute times read easily.
const START_MS: u64 = 1_700_000_000_000;

/// One script being run.
struct Runner {
    clock: ManualClock,
    config: Config,
    seed: u64,
    engine: Option<Engine>,
    clients: HashMap<String, ClientId>,
    current: String,
}

impl Runner {
    fn new() -> Runner {
        Runner {
            clock: ManualClock::new(START_MS),
            config: Config::default(),
            seed: 1,
            engine: None,
            clients: HashMap::new(),
            current: "main".into(),
        }
    }

    /// The engine, made on first use with the settings given so far.
    fn engine(&mut self) -> &mut Engine {
        let (clock, config, seed) = (&self.clock, &self.config, self.seed);
        self.engine
            .get_or_insert_with(|| Engine::new(config.clone(), Box::new(clock.clone()), seed))
    }

    fn client(&mut self) -> ClientId {
        if let Some(&id) = self.clients.get(&self.current) {
            return id;
        }
        let id = self.engine().connect();
        self.clients.insert(self.current.clone(), id);
        id
    }

    /// Runs one command line and returns its replies as redis-cli prints them.
    fn command(&mut self, line: &str) -> Result<String, String> {
        let argv =
            split_args(line.as_bytes()).ok_or_else(|| format!("unbalanced quotes in {line:?}"))?;
        let id = self.client();
        let engine = self.engine();
        let outcome = engine.execute(id, &argv);
        let protocol = engine.client(id).map_or(2, |c| c.protocol);
        Ok(match outcome {
            Outcome::Blocked => "(blocked)\n".into(),
            other => other
                .into_replies()
                .iter()
                .map(|r| format_reply(&as_received(r, protocol)))
                .collect(),
        })
    }

    /// Runs one directive (the line without its `@`) and returns what it prints.
    fn directive(&mut self, line: &str) -> Result<String, String> {
        let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
        let number = |default: u64| -> Result<u64, String> {
            if rest.is_empty() {
                Ok(default)
            } else {
                rest.trim()
                    .parse()
                    .map_err(|_| format!("@{name} takes a number, not {rest:?}"))
            }
        };
        let mut out = String::new();
        match name {
            "advance" => self.clock.advance_ms(number(0)?),
            "tick" => {
                for _ in 0..number(1)? {
                    self.engine().tick();
                }
            }
            "events" if rest == "count" => {
                let mut counts: Vec<(&str, u64)> = Vec::new();
                for event in self.engine().take_events() {
                    match counts.iter_mut().find(|(name, _)| *name == event.event) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((event.event, 1)),
                    }
                }
                for (name, n) in counts {
                    let _ = writeln!(out, "{n} × {name}");
                }
            }
            "events" => {
                for event in self.engine().take_events() {
                    let _ = writeln!(out, "{} db{} {}", event.event, event.db, repr(&event.key));
                }
            }
            "client" => self.current = rest.trim().to_string(),
            "drain" => {
                let id = self.client();
                let engine = self.engine();
                let protocol = engine.client(id).map_or(2, |c| c.protocol);
                for reply in engine.drain(id) {
                    out.push_str(&format_reply(&as_received(&reply, protocol)));
                }
            }
            "repeat" => {
                let (times, command) = rest
                    .split_once(' ')
                    .ok_or("@repeat takes a count and a command")?;
                let times: u64 = times
                    .parse()
                    .map_err(|_| format!("bad @repeat count {times:?}"))?;
                let mut seen: Vec<(String, u64)> = Vec::new();
                for i in 0..times {
                    let reply = self.command(&command.replace("{i}", &i.to_string()))?;
                    match seen.iter_mut().find(|(r, _)| *r == reply) {
                        Some((_, n)) => *n += 1,
                        None => seen.push((reply, 1)),
                    }
                }
                for (reply, n) in seen {
                    let _ = write!(out, "{n} × {reply}");
                }
            }
            "stats" => {
                let stats = self.engine().stats();
                let _ = writeln!(out, "expired_keys:{}", stats.expired_keys);
                let _ = writeln!(
                    out,
                    "expired_stale_perc:{:.2}",
                    stats.expired_stale_perc * 100.0
                );
                let _ = writeln!(
                    out,
                    "expired_time_cap_reached_count:{}",
                    stats.expired_time_cap_reached_count
                );
                let _ = writeln!(out, "keyspace_hits:{}", stats.keyspace_hits);
                let _ = writeln!(out, "keyspace_misses:{}", stats.keyspace_misses);
            }
            "seed" | "config" if self.engine.is_some() => {
                return Err(format!("@{name} must come before the first command"));
            }
            "seed" => self.seed = number(1)?,
            "config" => {
                let (param, value) = rest
                    .split_once(' ')
                    .ok_or("@config takes a name and a value")?;
                self.config
                    .set(param.as_bytes(), value.as_bytes(), true)
                    .map_err(|e| e.to_string())?;
            }
            _ => return Err(format!("unknown directive @{name}")),
        }
        Ok(out)
    }
}

/// Runs a script and returns the file as it should read: its input lines with the actual
/// output after each.
fn run(script: &str) -> Result<String, String> {
    let mut runner = Runner::new();
    let mut out = String::new();
    for (number, line) in script.lines().enumerate() {
        let produced = if let Some(command) = line.strip_prefix("> ") {
            runner.command(command)
        } else if let Some(directive) = line.strip_prefix('@') {
            runner.directive(directive)
        } else if line.is_empty() || line.starts_with('#') {
            Ok(String::new())
        } else {
            continue; // expected output, regenerated below its input line
        };
        out.push_str(line);
        out.push('\n');
        out.push_str(&produced.map_err(|e| format!("line {}: {e}", number + 1))?);
    }
    Ok(out)
}

/// A line diff (longest common subsequence), `-` for expected lines missing from the actual
/// output and `+` for actual lines not expected, with a little context.
fn diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push(format!("  {}", a[i]));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(format!("+ {}", b[j]));
            j += 1;
        } else {
            lines.push(format!("- {}", a[i]));
            i += 1;
        }
    }
    let changed: Vec<usize> = (0..lines.len())
        .filter(|&k| !lines[k].starts_with(' '))
        .collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 3);
    (0..lines.len())
        .filter(|&k| near(k))
        .map(|k| format!("{}\n", lines[k]))
        .collect()
}

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden_scripts() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let files = scripts();
    assert!(!files.is_empty(), "no golden scripts found");
    let mut failures = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expected =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        match run(&expected) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(actual) if actual == expected => {}
            Ok(actual) if update => {
                std::fs::write(&path, actual).unwrap_or_else(|e| panic!("writing {name}: {e}"));
            }
            Ok(actual) => failures.push(format!(
                "{name} differs (- expected, + actual):\n{}",
                diff(&expected, &actual)
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_runner_notices_a_wrong_reply() {
    let wrong = "> DBSIZE\n(integer) 5\n";
    let actual = run(wrong).expect("the script runs");
    assert_eq!(actual, "> DBSIZE\n(integer) 0\n");
    assert_eq!(
        diff(wrong, &actual),
        "  > DBSIZE\n+ (integer) 0\n- (integer) 5\n"
    );
}
