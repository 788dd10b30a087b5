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
//! Only command events are recorded: Redis's other events (`fork`, `aof-*`, `expire-cycle`,
//! `eviction-*`...) time work that has no cost worth measuring here (no disk, no fork, modelled
//! memory freed in a few map operations).

use std::collections::BTreeMap;

use crate::reply::Reply;

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

/// Every event's series, by name, and the threshold.
#[derive(Clone, Debug, Default)]
pub struct LatencyMonitor {
    /// `latency-monitor-threshold` in ms; 0: off.
    threshold_ms: u64,
    events: BTreeMap<&'static str, TimeSeries>,
}

impl LatencyMonitor {
    /// Takes `latency-monitor-threshold` from the config.
    pub fn configure(&mut self, config: &crate::Config) {
        self.threshold_ms = config.int("latency-monitor-threshold").max(0) as u64;
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
