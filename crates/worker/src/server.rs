//! The server panel without the DOM: the messages the page sends for its Server tab, the
//! worker's answers built from the console's engine, and the pure helpers the panel draws
//! with (the memory gauge, the hit-rate and evictions chart, the biggest keys, the notes the
//! console adds to a few commands in the browser).
//!
//! The panel looks at the engine without running commands (no INFO, no SLOWLOG GET through
//! the console's client), so that its once-a-second sampling leaves the counters it shows as
//! they were; what it changes (the policy, `maxmemory`) it changes by typing CONFIG SET into
//! the console, where the learner sees it.

use std::collections::VecDeque;

use keyspace::cli;
use keyspace::db::Entry;
use keyspace::Engine;
use keyspace_protocol::server::{BigKey, BigKeys, InfoSection, ServerStatus, SlowRow, TypeTotal};

/// The page's default `maxmemory`: a browser tab is not a server, and a limit turns a runaway
/// fill into Redis's own OOM error instead of a crashed tab. The policy stays Redis's default,
/// `noeviction`, so that the limit teaches itself: writes are refused until the learner picks
/// an eviction policy in the panel (or types CONFIG SET). The native server keeps Redis's
/// defaults (no limit).
pub const PAGE_MAXMEMORY: &str = "64mb";
/// The most keys one DEBUG POPULATE may create in the page: more would take the tab's memory
/// and seconds of its time, and above 64 MB is refused by `noeviction` anyway.
pub const POPULATE_CAP: u64 = 1_000_000;
/// Samples the chart keeps: one a second, two minutes.
pub const SAMPLES_KEPT: usize = 120;
/// Keys listed per ranking in the biggest keys.
pub const BIGGEST: usize = 10;

/// One per-second reading of the counters the chart follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    pub hits: u64,
    pub misses: u64,
    pub evicted: u64,
}

/// What happened in one second, between two samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Hits / lookups in that second; `None` when nothing was looked up.
    pub hit_rate: Option<f64>,
    pub evictions: u64,
}

/// The last [`SAMPLES_KEPT`] samples, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    samples: VecDeque<Sample>,
}

impl Samples {
    /// Adds a reading. Counters that went down (CONFIG RESETSTAT, a new engine) start the
    /// chart again rather than drawing a negative second.
    pub fn push(&mut self, sample: Sample) {
        if let Some(last) = self.samples.back() {
            if sample.hits < last.hits
                || sample.misses < last.misses
                || sample.evicted < last.evicted
            {
                self.samples.clear();
            }
        }
        if self.samples.len() == SAMPLES_KEPT {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    /// Each second's hit rate and evictions, oldest first.
    pub fn intervals(&self) -> Vec<Interval> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .map(|(a, b)| {
                let hits = b.hits - a.hits;
                let lookups = hits + (b.misses - a.misses);
                Interval {
                    hit_rate: (lookups > 0).then(|| hits as f64 / lookups as f64),
                    evictions: b.evicted - a.evicted,
                }
            })
            .collect()
    }
}

/// A byte count as CONFIG SET maxmemory takes it, in the largest unit that divides it
/// (`2mb`, `512kb`, `1gb`, `1000`): what the gauge's field shows as the limit in force.
pub fn memory_setting(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10)];
    UNITS
        .iter()
        .find(|(_, size)| bytes > 0 && bytes.is_multiple_of(*size))
        .map_or_else(
            || bytes.to_string(),
            |(unit, size)| format!("{}{unit}", bytes / size),
        )
}

/// The chart's drawing area, in SVG units.
pub const CHART_WIDTH: f64 = 480.0;
pub const CHART_HEIGHT: f64 = 120.0;

/// What the chart draws, in SVG units, the newest second at the right edge.
#[derive(Debug, PartialEq)]
pub struct Chart {
    /// The hit rate as polyline points (0 at the bottom, 1 at the top); seconds without
    /// lookups leave a gap, so it comes as several runs, and a run of one second is drawn
    /// as a short level line, so that it shows.
    pub hit_rate: Vec<String>,
    /// One bar per second that evicted, `(x, height)`, scaled to the busiest second: a burst
    /// of evictions in one second is a bar, not a spike of a line.
    pub evictions: Vec<(f64, f64)>,
    /// The busiest second's evictions, for the axis.
    pub busiest: u64,
    /// A bar's width.
    pub bar_width: f64,
}

pub fn chart_lines(intervals: &[Interval]) -> Chart {
    // At most SAMPLES_KEPT - 1 intervals: the newest at index SAMPLES_KEPT - 2, the right edge.
    let step = CHART_WIDTH / (SAMPLES_KEPT - 2) as f64;
    let start = SAMPLES_KEPT - 1 - intervals.len().min(SAMPLES_KEPT - 1);
    let x = |i: usize| (start + i) as f64 * step;
    let y = |fraction: f64| CHART_HEIGHT * (1.0 - fraction);
    let mut runs = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut close = |run: &mut Vec<(f64, f64)>| {
        if let [(x, y)] = run[..] {
            run.insert(0, ((x - step / 2.0).max(0.0), y));
            run.push(((x + step / 2.0).min(CHART_WIDTH), y));
            run.remove(1);
        }
        let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        runs.push(points.join(" "));
        run.clear();
    };
    for (i, interval) in intervals.iter().enumerate() {
        match interval.hit_rate {
            Some(rate) => run.push((x(i), y(rate))),
            None if !run.is_empty() => close(&mut run),
            None => {}
        }
    }
    if !run.is_empty() {
        close(&mut run);
    }
    let busiest = intervals.iter().map(|i| i.evictions).max().unwrap_or(0);
    let evictions = intervals
        .iter()
        .enumerate()
        .filter(|(_, interval)| interval.evictions > 0)
        .map(|(i, interval)| {
            let height = CHART_HEIGHT * interval.evictions as f64 / busiest as f64;
            (x(i), height)
        })
        .collect();
    Chart {
        hit_rate: runs,
        evictions,
        busiest,
        bar_width: step * 0.8,
    }
}

/// The console engine's figures; INFO and SLOWLOG with `detail`.
pub fn status_of(engine: &mut Engine, detail: bool) -> ServerStatus {
    let config = engine.config();
    let (maxmemory, policy, samples, exact_lru) = (
        config.int("maxmemory").max(0) as u64,
        config.text("maxmemory-policy").to_string(),
        config.int("maxmemory-samples"),
        config.flag("playground-exact-lru"),
    );
    let stats = engine.stats();
    let (keyspace_hits, keyspace_misses, evicted_keys) = (
        stats.keyspace_hits,
        stats.keyspace_misses,
        stats.evicted_keys,
    );
    let keys = (0..)
        .map_while(|i| engine.db(i))
        .map(|d| d.len() as u64)
        .sum();
    let slowlog = detail.then(|| {
        engine
            .slowlog()
            .map(|e| SlowRow {
                id: e.id,
                time: e.timestamp,
                duration_us: e.duration_us,
                command: e
                    .argv
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                client: if e.client_name.is_empty() {
                    e.peer.clone()
                } else {
                    format!("{} {}", e.peer, String::from_utf8_lossy(&e.client_name))
                },
            })
            .collect()
    });
    let info = detail.then(|| {
        engine
            .info_sections()
            .into_iter()
            .map(|(title, fields)| InfoSection {
                title: title.to_string(),
                fields,
            })
            .collect()
    });
    ServerStatus {
        used_memory: engine.used_memory() as u64,
        maxmemory,
        policy,
        samples,
        exact_lru,
        keyspace_hits,
        keyspace_misses,
        evicted_keys,
        keys,
        info,
        slowlog,
    }
}

/// TYPE's names, in redis-cli's order.
const TYPES: [&str; 5] = ["string", "list", "set", "zset", "hash"];

/// The biggest keys of database `db` of `engine`, as `redis-cli --bigkeys` (by length or
/// element count) and `--memkeys` (by memory) rank them, the [`BIGGEST`] of each. One pass;
/// only the current leaders are kept (a million keys are never copied), ties going to the key
/// met first.
pub fn big_keys(engine: &Engine, db: usize) -> BigKeys {
    let mut per_type: Vec<TypeTotal> = TYPES
        .iter()
        .map(|kind| TypeTotal {
            kind: kind.to_string(),
            keys: 0,
            size: 0,
        })
        .collect();
    // (figure, key, entry), largest first.
    let mut by_memory: Vec<(u64, &[u8], &Entry)> = Vec::new();
    let mut by_size: Vec<(u64, &[u8], &Entry)> = Vec::new();
    if let Some(d) = engine.db(db) {
        for (key, entry) in d.entries() {
            let size = entry.value.size() as u64;
            let kind = entry.value.type_name();
            if let Some(total) = per_type.iter_mut().find(|t| t.kind == kind) {
                total.keys += 1;
                total.size += size;
            }
            keep(&mut by_memory, entry.memory() as u64, key, entry);
            keep(&mut by_size, size, key, entry);
        }
    }
    let rows = |top: Vec<(u64, &[u8], &Entry)>| {
        top.into_iter()
            .map(|(_, key, entry)| BigKey {
                key: String::from_utf8_lossy(key).into_owned(),
                kind: entry.value.type_name().to_string(),
                size: entry.value.size() as u64,
                memory: entry.memory() as u64,
            })
            .collect()
    };
    BigKeys {
        db,
        by_memory: rows(by_memory),
        by_size: rows(by_size),
        per_type,
    }
}

/// Keeps (figure, key, entry) in `top` if it is among the [`BIGGEST`] so far, largest first;
/// an equal figure goes after those met before it.
fn keep<'a>(
    top: &mut Vec<(u64, &'a [u8], &'a Entry)>,
    figure: u64,
    key: &'a [u8],
    entry: &'a Entry,
) {
    if top.len() == BIGGEST && top[BIGGEST - 1].0 >= figure {
        return;
    }
    let at = top.partition_point(|(f, _, _)| *f >= figure);
    top.insert(at, (figure, key, entry));
    top.truncate(BIGGEST);
}

/// What a size means for a type: bytes for strings, elements otherwise.
pub fn counts_bytes(kind: &str) -> bool {
    kind == "string"
}

/// A Unix time as the slow log table shows it: `HH:MM:SS`, UTC.
pub fn format_utc_time(unix_seconds: u64) -> String {
    let day = unix_seconds % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

/// A note the page adds to a console line before or after running it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleNote {
    /// DEBUG POPULATE above [`POPULATE_CAP`]: not run.
    PopulateCapped,
    /// CONFIG SET maxmemory 0: run, with a warning that the tab now has no limit.
    NoLimit,
}

/// The note for a typed line, if it needs one.
pub fn console_note(line: &str) -> Option<ConsoleNote> {
    let argv = cli::split_args(line.as_bytes())?;
    let word = |i: usize, w: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(w.as_bytes()))
    };
    if word(0, "debug") && word(1, "populate") {
        let count = std::str::from_utf8(argv.get(2)?)
            .ok()?
            .parse::<u64>()
            .ok()?;
        return (count > POPULATE_CAP).then_some(ConsoleNote::PopulateCapped);
    }
    if word(0, "config") && word(1, "set") {
        let unlimited = argv[2..].chunks_exact(2).any(|pair| {
            pair[0].eq_ignore_ascii_case(b"maxmemory")
                && keyspace::config::memtoull(&pair[1]) == Some(0)
        });
        return unlimited.then_some(ConsoleNote::NoLimit);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::{Config, ManualClock};

    fn engine() -> (Engine, keyspace::ClientId) {
        let mut engine = Engine::new(Config::default(), Box::new(ManualClock::new(1_000)), 1);
        let client = engine.connect();
        (engine, client)
    }

    fn run(engine: &mut Engine, client: keyspace::ClientId, line: &str) {
        let argv = cli::split_args(line.as_bytes()).unwrap();
        engine.execute(client, &argv);
    }

    #[test]
    fn the_status_reports_memory_policy_and_counters_without_counting_itself() {
        let (mut engine, client) = engine();
        run(
            &mut engine,
            client,
            "CONFIG SET maxmemory 10mb maxmemory-policy allkeys-lfu",
        );
        run(&mut engine, client, "CONFIG SET slowlog-log-slower-than 0");
        run(&mut engine, client, "SET a 1");
        run(&mut engine, client, "GET a");
        run(&mut engine, client, "GET b");
        let status = status_of(&mut engine, true);
        assert_eq!(status.maxmemory, 10 << 20);
        assert_eq!(status.policy, "allkeys-lfu");
        assert_eq!((status.keyspace_hits, status.keyspace_misses), (1, 1));
        assert_eq!(status.keys, 1);
        assert!(status.used_memory > 800_000);
        let fill = status.fill().unwrap();
        assert!(fill > 0.08 && fill < 0.1, "{fill}");
        let info = status.info.unwrap();
        let memory = info.iter().find(|s| s.title == "Memory").unwrap();
        assert!(memory
            .fields
            .iter()
            .any(|(k, v)| k == "maxmemory_policy" && v == "allkeys-lfu"));
        let slowlog = status.slowlog.unwrap();
        assert_eq!(slowlog[0].command, "GET b");
        assert_eq!(slowlog[0].duration_us, 0);
        // Looking did not count as commands.
        let again = status_of(&mut engine, true);
        let stats = |s: &ServerStatus| {
            let info = s.info.as_ref().unwrap();
            let section = info.iter().find(|s| s.title == "Stats").unwrap();
            section
                .fields
                .iter()
                .find(|(k, _)| k == "total_commands_processed")
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(stats(&again), "5");
        assert_eq!(status_of(&mut engine, false).info, None);
        run(&mut engine, client, "CONFIG SET maxmemory 0");
        assert_eq!(status_of(&mut engine, false).fill(), None);
    }

    #[test]
    fn a_limit_reads_as_config_set_takes_it() {
        assert_eq!(memory_setting(64 << 20), "64mb");
        assert_eq!(memory_setting(2 << 20), "2mb");
        assert_eq!(memory_setting(3 << 30), "3gb");
        assert_eq!(memory_setting(1536), "1536");
        assert_eq!(memory_setting(512 << 10), "512kb");
        assert_eq!(memory_setting(0), "0");
    }

    #[test]
    fn intervals_give_each_seconds_hit_rate_and_evictions() {
        let mut samples = Samples::default();
        for (hits, misses, evicted) in [(0, 0, 0), (3, 1, 0), (3, 1, 0), (5, 3, 7)] {
            samples.push(Sample {
                hits,
                misses,
                evicted,
            });
        }
        assert_eq!(
            samples.intervals(),
            [
                Interval {
                    hit_rate: Some(0.75),
                    evictions: 0
                },
                Interval {
                    hit_rate: None,
                    evictions: 0
                },
                Interval {
                    hit_rate: Some(0.5),
                    evictions: 7
                },
            ]
        );
        // CONFIG RESETSTAT: the chart starts again.
        samples.push(Sample::default());
        assert!(samples.intervals().is_empty());
        for i in 0..SAMPLES_KEPT as u64 + 10 {
            samples.push(Sample {
                hits: i,
                misses: 0,
                evicted: 0,
            });
        }
        assert_eq!(samples.intervals().len(), SAMPLES_KEPT - 1);
    }

    #[test]
    fn the_chart_draws_newest_at_the_right_with_gaps_for_idle_seconds() {
        let intervals = [
            Interval {
                hit_rate: Some(1.0),
                evictions: 2,
            },
            Interval {
                hit_rate: None,
                evictions: 4,
            },
            Interval {
                hit_rate: Some(0.0),
                evictions: 0,
            },
        ];
        let chart = chart_lines(&intervals);
        assert_eq!(chart.busiest, 4);
        assert_eq!(chart.hit_rate.len(), 2);
        assert!(chart.hit_rate[0].ends_with(",0.0"), "{chart:?}");
        // The last second alone: a short level line ending at the right edge, at 0%.
        let last: Vec<&str> = chart.hit_rate[1].split(' ').collect();
        assert_eq!(last.len(), 2);
        assert_eq!(last[1], format!("{CHART_WIDTH:.1},{CHART_HEIGHT:.1}"));
        // Bars only for the seconds that evicted, the busiest as high as the chart.
        let heights: Vec<f64> = chart.evictions.iter().map(|&(_, h)| h).collect();
        assert_eq!(heights, [CHART_HEIGHT / 2.0, CHART_HEIGHT]);
        assert!(chart.evictions[0].0 < chart.evictions[1].0);
    }

    #[test]
    fn biggest_keys_by_memory_and_by_elements() {
        let (mut engine, client) = engine();
        run(&mut engine, client, "SET small x");
        run(
            &mut engine,
            client,
            &format!("SET long {}", "v".repeat(500)),
        );
        let members: Vec<String> = (0..50).map(|i| format!("m{i}")).collect();
        run(
            &mut engine,
            client,
            &format!("SADD members {}", members.join(" ")),
        );
        run(&mut engine, client, "RPUSH list a b c");
        let big = big_keys(&engine, 0);
        // Fifty members in a hash table outweigh 500 bytes of string.
        assert_eq!(big.by_memory[0].key, "members");
        assert_eq!(big.by_memory[1].key, "long");
        assert_eq!(big.by_size[0].key, "long");
        assert_eq!(big.by_size[0].size, 500);
        assert_eq!(big.by_size[1].key, "members");
        assert_eq!(big.by_memory.len(), 4);
        let strings = &big.per_type[0];
        assert_eq!(
            (strings.kind.as_str(), strings.keys, strings.size),
            ("string", 2, 501)
        );
        let sets = big.per_type.iter().find(|t| t.kind == "set").unwrap();
        assert_eq!((sets.keys, sets.size), (1, 50));
        // Only the ten biggest are listed, largest first, a tie going to the key met first.
        for i in 0..15 {
            run(
                &mut engine,
                client,
                &format!("SET s{i} {}", "x".repeat(100 + i % 5)),
            );
        }
        let big = big_keys(&engine, 0);
        let names: Vec<&str> = big.by_size.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            names,
            ["long", "s4", "s9", "s14", "s3", "s8", "s13", "s2", "s7", "s12"]
        );
    }

    #[test]
    fn slow_log_times_are_utc_times_of_day() {
        // 2023-11-14 22:13:20 UTC.
        assert_eq!(format_utc_time(1_700_000_000), "22:13:20");
        assert_eq!(format_utc_time(0), "00:00:00");
    }

    #[test]
    fn notes_for_populate_above_the_cap_and_for_no_limit() {
        assert_eq!(
            console_note("debug populate 2000000"),
            Some(ConsoleNote::PopulateCapped)
        );
        assert_eq!(console_note("DEBUG POPULATE 1000000 k"), None);
        assert_eq!(
            console_note("CONFIG SET maxmemory 0"),
            Some(ConsoleNote::NoLimit)
        );
        assert_eq!(
            console_note("config set hz 10 MAXMEMORY 0b"),
            Some(ConsoleNote::NoLimit)
        );
        assert_eq!(console_note("CONFIG SET maxmemory 64mb"), None);
        assert_eq!(console_note("CONFIG GET maxmemory"), None);
        assert_eq!(console_note("SET \"open"), None);
    }
}
