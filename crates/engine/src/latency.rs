//! The latency monitor (Redis's `latency.c`): with `latency-monitor-threshold` set to N
//! milliseconds, every command that took at least N ms is recorded as a sample of an *event*,
//! `command`, or `fast-command` for commands flagged `fast` (GET, SET...), read back by
//! LATENCY LATEST and LATENCY HISTORY. 0, the default, turns monitoring off.
//!
//! Each event keeps a ring of the last [`LATENCY_TS_LEN`] (160) samples, at most one per
//! second: a second spike within the same second only raises that second's figure. Beside
//! the ring, the event's all-time maximum. Samples are (Unix seconds, milliseconds), time
//! from the engine's injected clock, duration from its monotonic timer, as SLOWLOG measures.
//!
//! **Per-command latency** (`latency-tracking yes`, the default): every call's duration also
//! goes into the command's histogram, read by INFO latencystats at the percentiles of
//! `latency-tracking-info-percentiles` (the 50th, 99th and 99.9th by default), in µs. Redis keeps an HDR histogram of nanoseconds (1 ns to 1 s, two
//! significant digits); [`LatencyHistogram`] keeps the same buckets: values below 256 exactly,
//! then 128 buckets per power of two, each `2^k` wide, and a percentile answers the highest
//! value of its bucket, so a 2 µs call reads `2.007`, as in Redis. A call under the manual
//! clock takes its modelled duration (`crate::cost`); one of 0 would be recorded as Redis's
//! floor of 1 ns: `0.001`.
//!
//! LATENCY GRAPH draws an event's samples as a sparkline (`crate::sparkline`), and LATENCY
//! DOCTOR reports on every event and advises, telling apart the cases Redis tells apart.
//!
//! LATENCY HISTOGRAM reads the same histograms as a cumulative distribution over powers of two
//! ([`LatencyHistogram::cdf`]).
//!
//! Command events are recorded, and `expire-cycle` (`crate::expire`), whose cycles take as
//! long here as they do in Redis. Redis's other events (`fork`, `aof-*`, `eviction-*`...) time
//! work that has no cost worth measuring here (no disk, no fork, modelled memory freed in a
//! few map operations).

use std::collections::BTreeMap;

use crate::reply::Reply;
use crate::sparkline;

/// Samples kept per event (`LATENCY_TS_LEN`).
pub const LATENCY_TS_LEN: usize = 160;

/// One sample: when (Unix seconds) and how long (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sample {
    time: u64,
    latency: u64,
}

/// One event's ring of samples and its maximum (`struct latencyTimeSeries`).
#[derive(Clone, Debug)]
struct TimeSeries {
    /// Where the next sample goes.
    idx: usize,
    samples: [Sample; LATENCY_TS_LEN],
    max: u64,
}

impl Default for TimeSeries {
    fn default() -> TimeSeries {
        TimeSeries {
            idx: 0,
            samples: [Sample::default(); LATENCY_TS_LEN],
            max: 0,
        }
    }
}

impl TimeSeries {
    fn last(&self) -> Sample {
        self.samples[(self.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN]
    }
}

/// What a histogram records at least and at most, in ns (`LATENCY_HISTOGRAM_MIN_VALUE`,
/// `LATENCY_HISTOGRAM_MAX_VALUE`).
const HISTOGRAM_MIN_NS: u64 = 1;
const HISTOGRAM_MAX_NS: u64 = 1_000_000_000;
/// The first step of LATENCY HISTOGRAM's walk (`hdr_iter_log_init(..., 1024, 2)`), in ns.
const CDF_FIRST_STEP_NS: u64 = 1024;

/// One command's call durations, bucketed as an HDR histogram with two significant digits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// Calls per bucket, by the bucket's lowest value.
    counts: BTreeMap<u64, u64>,
    total: u64,
}

/// The bucket of `value`: its lowest and highest value.
fn bucket(value: u64) -> (u64, u64) {
    if value < 256 {
        return (value, value);
    }
    let unit_bits = 63 - value.leading_zeros() - 7;
    let lowest = value >> unit_bits << unit_bits;
    (lowest, lowest + (1 << unit_bits) - 1)
}

impl LatencyHistogram {
    /// Records one call of `ns` nanoseconds, clamped to what Redis's histogram holds.
    pub fn record(&mut self, ns: u64) {
        let (lowest, _) = bucket(ns.clamp(HISTOGRAM_MIN_NS, HISTOGRAM_MAX_NS));
        *self.counts.entry(lowest).or_default() += 1;
        self.total += 1;
    }

    /// The value at `percentile` (`hdr_value_at_percentile`): the highest value of the bucket
    /// where the count reaches that share of all calls.
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let wanted = ((percentile.min(100.0) / 100.0) * self.total as f64 + 0.5) as u64;
        let mut seen = 0;
        for (&lowest, &count) in &self.counts {
            seen += count;
            if seen >= wanted {
                return bucket(lowest).1;
            }
        }
        0
    }

    /// Calls recorded.
    pub fn calls(&self) -> u64 {
        self.total
    }

    /// LATENCY HISTOGRAM's cumulative distribution, as Redis's `fillCommandCDF` walks its HDR
    /// histogram with a logarithmic iterator (first step 1024 ns, each next one twice as
    /// far): at each step, the highest value of that step's bucket in whole µs and how many
    /// calls took at most that long, a step only where that count grew.
    pub fn cdf(&self) -> Vec<(u64, u64)> {
        let mut steps = Vec::new();
        let mut level = CDF_FIRST_STEP_NS;
        let mut previous = 0;
        while previous < self.total {
            let highest = bucket(level).1;
            let cumulative: u64 = self.counts.range(..=highest).map(|(_, n)| n).sum();
            if cumulative > previous {
                steps.push((highest / 1000, cumulative));
            }
            previous = cumulative;
            level *= 2;
        }
        steps
    }

    /// INFO latencystats' value: `p50=…,p99=…,p99.9=…` in µs with three decimals, for the
    /// percentiles of `latency-tracking-info-percentiles` as CONFIG GET shows them (`%f`
    /// trimmed, which is also each label: a percentile given with more than six decimals
    /// is read at six).
    pub fn info(&self, percentiles: &str) -> String {
        percentiles
            .split(' ')
            .filter_map(|label| Some((label, label.parse::<f64>().ok()?)))
            .map(|(label, p)| {
                format!(
                    "p{label}={:.3}",
                    self.value_at_percentile(p) as f64 / 1000.0
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// LATENCY GRAPH's size: 80 columns of samples, 4 rows.
const GRAPH_COLUMNS: usize = 80;
const GRAPH_ROWS: usize = 4;

/// How long ago, in the unit LATENCY GRAPH's labels use: seconds under a minute, minutes
/// under an hour, hours under a day, then days.
fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// What LATENCY DOCTOR says of an event's samples (`analyzeLatencyForEvent`): how many,
/// their average and mean absolute deviation in ms (both truncated), and the seconds since the
/// oldest (at least 1).
struct Stats {
    samples: u64,
    avg: u64,
    mad: u64,
    period: u64,
}

impl Stats {
    fn of(ts: &TimeSeries, now_s: u64) -> Stats {
        // A recorded event has at least one sample: the `max(1)`s only keep the types honest.
        let kept: Vec<Sample> = ts.samples.iter().copied().filter(|s| s.time != 0).collect();
        let samples = kept.len() as u64;
        let oldest = kept.iter().map(|s| s.time).min().unwrap_or(now_s);
        let avg = kept.iter().map(|s| s.latency).sum::<u64>() / samples.max(1);
        let mad = kept.iter().map(|s| s.latency.abs_diff(avg)).sum::<u64>() / samples.max(1);
        Stats {
            samples,
            avg,
            mad,
            period: now_s.saturating_sub(oldest).max(1),
        }
    }
}

/// Every event's series, by name, and the parameters.
#[derive(Clone, Debug, Default)]
pub struct LatencyMonitor {
    /// `latency-monitor-threshold` in ms; 0: off.
    threshold_ms: u64,
    /// `latency-tracking`: per-command histograms on.
    pub tracking: bool,
    /// `hz`, which LATENCY DOCTOR suggests raising when expire cycles were slow.
    hz: i64,
    events: BTreeMap<&'static str, TimeSeries>,
}

impl LatencyMonitor {
    /// Takes `latency-monitor-threshold` from the config.
    pub fn configure(&mut self, config: &crate::Config) {
        self.threshold_ms = config.int("latency-monitor-threshold").max(0) as u64;
        self.tracking = config.flag("latency-tracking");
        self.hz = config.int("hz");
    }

    /// Records `latency_ms` under `event` if monitoring is on and it reaches the threshold
    /// (`latencyAddSampleIfNeeded`).
    pub fn add_sample_if_needed(&mut self, event: &'static str, latency_ms: u64, now_s: u64) {
        if self.threshold_ms > 0 && latency_ms >= self.threshold_ms {
            self.add_sample(event, latency_ms, now_s);
        }
    }

    /// `latencyAddSample`: a second sample within the same second keeps the larger latency.
    fn add_sample(&mut self, event: &'static str, latency_ms: u64, now_s: u64) {
        let ts = self.events.entry(event).or_default();
        ts.max = ts.max.max(latency_ms);
        let prev = (ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
        if ts.samples[prev].time == now_s {
            ts.samples[prev].latency = ts.samples[prev].latency.max(latency_ms);
            return;
        }
        ts.samples[ts.idx] = Sample {
            time: now_s,
            latency: latency_ms,
        };
        ts.idx = (ts.idx + 1) % LATENCY_TS_LEN;
    }

    /// LATENCY LATEST: per event, `[name, time, latest ms, max ms]`.
    pub fn latest(&self) -> Reply {
        Reply::Array(
            self.events
                .iter()
                .map(|(name, ts)| {
                    let last = ts.last();
                    Reply::Array(vec![
                        Reply::bulk(*name),
                        Reply::Integer(last.time as i64),
                        Reply::Integer(last.latency as i64),
                        Reply::Integer(ts.max as i64),
                    ])
                })
                .collect(),
        )
    }

    /// LATENCY HISTORY: the event's samples, oldest first, as `[time, ms]`; empty for an
    /// event never recorded.
    pub fn history(&self, event: &[u8]) -> Reply {
        let Some(ts) = self
            .events
            .iter()
            .find(|(n, _)| n.as_bytes() == event)
            .map(|(_, ts)| ts)
        else {
            return Reply::Array(Vec::new());
        };
        Reply::Array(
            (0..LATENCY_TS_LEN)
                .map(|j| ts.samples[(ts.idx + j) % LATENCY_TS_LEN])
                .filter(|s| s.time != 0)
                .map(|s| {
                    Reply::Array(vec![
                        Reply::Integer(s.time as i64),
                        Reply::Integer(s.latency as i64),
                    ])
                })
                .collect(),
        )
    }

    /// LATENCY GRAPH: the event's samples as a sparkline under a header, each labelled with
    /// how long ago it was (`latencyCommandGenSparkeline`); `None` for an event never recorded.
    pub fn graph(&self, event: &[u8], now_s: u64) -> Option<String> {
        let (name, ts) = self.events.iter().find(|(n, _)| n.as_bytes() == event)?;
        let samples: Vec<sparkline::Sample> = (0..LATENCY_TS_LEN)
            .map(|j| ts.samples[(ts.idx + j) % LATENCY_TS_LEN])
            .filter(|s| s.time != 0)
            .map(|s| sparkline::Sample {
                value: s.latency as f64,
                label: ago(now_s as i64 - s.time as i64),
            })
            .collect();
        let high = samples.iter().map(|s| s.value as u64).max().unwrap_or(0);
        let low = samples.iter().map(|s| s.value as u64).min().unwrap_or(0);
        Some(format!(
            "{name} - high {high} ms, low {low} ms (all time high {} ms)\n{}\n{}",
            ts.max,
            "-".repeat(GRAPH_COLUMNS),
            sparkline::render(&samples, GRAPH_COLUMNS, GRAPH_ROWS)
        ))
    }

    /// LATENCY DOCTOR: a report on every event, then advice (`createLatencyReport`), told
    /// apart as Redis tells its cases apart, in our own words. `slowlog_slower_than` is
    /// `slowlog-log-slower-than` in µs.
    ///
    /// The engine records `command`, `fast-command` and `expire-cycle`, and each brings
    /// advice, so the report is one of: monitoring never on; no spike yet; the events and
    /// their advice. Redis's other events (fork, AOF and disk writes, eviction cycles) and its
    /// huge-pages check have nothing here to be about.
    pub fn doctor(&self, now_s: u64, slowlog_slower_than: i64) -> String {
        if self.events.is_empty() && self.threshold_ms == 0 {
            return "The latency monitor is off and holds no samples: there is nothing to look \
                    at. Turn it on with 'CONFIG SET latency-monitor-threshold <milliseconds>'; \
                    commands at least that slow are then recorded as latency spikes.\n"
                .to_string();
        }
        if self.events.is_empty() {
            return "No latency spike is on record. All is quiet.\n".to_string();
        }
        let mut report =
            String::from("Some latency spikes were recorded. Here they are, event by event:\n\n");
        let (mut slow_commands, mut fast_commands, mut expire_cycles) = (false, false, false);
        for (number, (name, ts)) in self.events.iter().enumerate() {
            let stats = Stats::of(ts, now_s);
            report += &format!(
                "{}. {name}: {} latency spikes, {} ms on average (mean deviation {} ms), one every \
                 {:.2} seconds; the worst one ever took {} ms.\n",
                number + 1,
                stats.samples,
                stats.avg,
                stats.mad,
                stats.period as f64 / stats.samples as f64,
                ts.max,
            );
            slow_commands |= *name == "command";
            fast_commands |= *name == "fast-command";
            expire_cycles |= *name == "expire-cycle";
        }
        report += "\nWhat might help:\n\n";
        let threshold_us = self.threshold_ms * 1000;
        if slow_commands {
            if slowlog_slower_than < 0 {
                report += &format!(
                    "- The slow log is off, so the slow commands behind these spikes were not \
                     kept. 'CONFIG SET slowlog-log-slower-than {threshold_us}' keeps every \
                     command the latency monitor counts.\n"
                );
            } else if (slowlog_slower_than / 1000) as u64 > self.threshold_ms {
                report += &format!(
                    "- The slow log keeps only commands slower than the latency monitor's \
                     threshold, so some spikes are missing from it. 'CONFIG SET \
                     slowlog-log-slower-than {threshold_us}' makes the two agree.\n"
                );
            }
            report += "- SLOWLOG GET shows which commands were slow and with which arguments.\n";
        }
        if fast_commands {
            report += "- Commands that should take constant time were slow: the process was \
                       probably not given the CPU. Look for other load on the machine (or on \
                       the virtual machine's host), run fewer things beside the server, and \
                       measure the system's own latency with 'redis-cli --intrinsic-latency \
                       100'.\n";
        }
        if expire_cycles && self.hz < 100 {
            report += "- Each active expire cycle may take a quarter of the time between two \
                       of the server's ticks; more ticks make shorter cycles. 'CONFIG SET hz \
                       100' spreads the removal of expired keys more finely.\n";
        }
        if slow_commands || expire_cycles {
            report += "- Removing a big key (DEL, expiry or eviction) takes time in proportion \
                       to its size. Keys that are often removed are better split into several \
                       smaller ones.\n";
        }
        report
    }

    /// LATENCY RESET: forgets the named events (every event when none is named); how many
    /// there were.
    pub fn reset(&mut self, events: &[Vec<u8>]) -> usize {
        if events.is_empty() {
            let n = self.events.len();
            self.events.clear();
            return n;
        }
        let mut n = 0;
        for name in events {
            let before = self.events.len();
            self.events.retain(|k, _| k.as_bytes() != name.as_slice());
            n += before - self.events.len();
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cdf_steps_by_powers_of_two_from_1024_ns() {
        let mut h = LatencyHistogram::default();
        assert_eq!(h.cdf(), []);
        // A call of 0 (recorded as 1 ns) and one of 1,031 ns share the first step.
        h.record(0);
        h.record(1_031);
        assert_eq!(h.cdf(), [(1, 2)]);
        // 1,032 ns is in the next bucket: counted at the 2,048 ns step (2,063 its highest).
        h.record(1_032);
        h.record(3_000);
        h.record(20_000);
        assert_eq!(h.cdf(), [(1, 2), (2, 3), (4, 4), (33, 5)]);
        // What the histogram cannot hold is held as its maximum, a second.
        h.record(5_000_000_000);
        assert_eq!(h.cdf().last(), Some(&(1_082_130, 6)));
    }

    #[test]
    fn histogram_buckets_and_percentiles_as_hdr() {
        assert_eq!(bucket(1), (1, 1));
        assert_eq!(bucket(255), (255, 255));
        assert_eq!(bucket(256), (256, 257));
        assert_eq!(bucket(2000), (2000, 2007));
        assert_eq!(bucket(87_000), (86_528, 87_039));
        let mut h = LatencyHistogram::default();
        h.record(0);
        assert_eq!(h.info("50 99 99.9"), "p50=0.001,p99=0.001,p99.9=0.001");
        for _ in 0..98 {
            h.record(2_000);
        }
        h.record(5_000_000_000);
        // 100 calls: the 50th and 99th are 2 µs calls, the 100th is the 1 s cap.
        assert_eq!(
            h.info("50 99 99.9"),
            "p50=2.007,p99=2.007,p99.9=1002438.655"
        );
    }

    #[test]
    fn doctor_tells_the_cases_apart() {
        let mut m = LatencyMonitor::default();
        assert!(m.doctor(100, 10_000).contains("is off"));
        m.threshold_ms = 10;
        assert!(m.doctor(100, 10_000).starts_with("No latency spike"));
        m.add_sample_if_needed("command", 20, 100);
        m.add_sample_if_needed("command", 40, 104);
        let report = m.doctor(110, 10_000);
        assert!(report.contains(
            "1. command: 2 latency spikes, 30 ms on average (mean deviation 10 ms), one every \
             5.00 seconds; the worst one ever took 40 ms."
        ));
        assert!(report.contains("SLOWLOG GET") && report.contains("big key"));
        assert!(!report.contains("slowlog-log-slower-than"));
        assert!(!report.contains("CPU"));
        // The slow log off, or keeping fewer commands than the monitor counts.
        assert!(m.doctor(110, -1).contains("slow log is off"));
        assert!(m
            .doctor(110, 11_000)
            .contains("slowlog-log-slower-than 10000"));
        m.add_sample_if_needed("fast-command", 15, 105);
        assert!(m.doctor(110, 10_000).contains("2. fast-command"));
        assert!(m.doctor(110, 10_000).contains("CPU"));
        // Slow expire cycles alone: the big-key advice, and more ticks unless hz is 100.
        m.reset(&[]);
        m.hz = 10;
        m.add_sample_if_needed("expire-cycle", 25, 106);
        let report = m.doctor(110, 10_000);
        assert!(report.contains("1. expire-cycle: 1 latency spikes"));
        assert!(report.contains("CONFIG SET hz 100") && report.contains("big key"));
        assert!(!report.contains("SLOWLOG GET"));
        m.hz = 100;
        assert!(!m.doctor(110, 10_000).contains("CONFIG SET hz"));
        m.reset(&[]);
        m.threshold_ms = 0;
        assert!(m.doctor(110, 10_000).contains("is off"));
    }

    #[test]
    fn graph_header_rule_and_labels() {
        let mut m = LatencyMonitor {
            threshold_ms: 1,
            ..LatencyMonitor::default()
        };
        assert_eq!(m.graph(b"command", 0), None);
        m.add_sample_if_needed("command", 30, 1_000);
        m.add_sample_if_needed("command", 10, 1_000 + 3_600 * 25);
        let graph = m.graph(b"command", 1_000 + 3_600 * 25 + 90).unwrap();
        let lines: Vec<&str> = graph.lines().collect();
        assert_eq!(
            lines[0],
            "command - high 30 ms, low 10 ms (all time high 30 ms)"
        );
        assert_eq!(lines[1], "-".repeat(80));
        // 30 ms at the top, 10 ms at the bottom; a day ago and a minute and a half ago.
        assert_eq!(&lines[2..], ["# ", "| ", "| ", "|_", "  ", "11", "dm"]);
    }

    #[test]
    fn one_sample_per_second_and_the_ring_wraps() {
        let mut m = LatencyMonitor {
            threshold_ms: 10,
            ..LatencyMonitor::default()
        };
        m.add_sample_if_needed("command", 9, 100);
        assert_eq!(m.latest(), Reply::Array(vec![]));
        m.add_sample_if_needed("command", 12, 100);
        m.add_sample_if_needed("command", 30, 100);
        m.add_sample_if_needed("command", 11, 100);
        m.add_sample_if_needed("command", 15, 101);
        let pair = |t: i64, l: i64| Reply::Array(vec![Reply::Integer(t), Reply::Integer(l)]);
        assert_eq!(
            m.history(b"command"),
            Reply::Array(vec![pair(100, 30), pair(101, 15)])
        );
        assert_eq!(
            m.latest(),
            Reply::Array(vec![Reply::Array(vec![
                Reply::bulk("command"),
                Reply::Integer(101),
                Reply::Integer(15),
                Reply::Integer(30)
            ])])
        );
        for s in 0..200 {
            m.add_sample_if_needed("command", 10, 1000 + s);
        }
        let Reply::Array(history) = m.history(b"command") else {
            panic!()
        };
        assert_eq!(history.len(), LATENCY_TS_LEN);
        assert_eq!(history[0], pair(1040, 10));
        assert_eq!(m.reset(&[b"nosuch".to_vec(), b"command".to_vec()]), 1);
        assert_eq!(m.reset(&[]), 0);
    }
}
