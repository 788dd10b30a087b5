//! The Server tab's chart and figures without the DOM: the counters sampled once a second,
//! each second's hit rate and evictions, the chart's lines and bars in SVG units, and the
//! words the panel shows numbers in (a limit as CONFIG SET takes it, a slow log time).

use std::collections::VecDeque;

use keyspace_protocol::server::ServerStatus;

/// Samples the chart keeps: one a second, two minutes.
pub const SAMPLES_KEPT: usize = 120;
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

/// How full memory is, 0 to 1 (more when over the limit); `None` without a limit.
pub fn memory_fill(status: &ServerStatus) -> Option<f64> {
    (status.maxmemory > 0).then(|| status.used_memory as f64 / status.maxmemory as f64)
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn slow_log_times_are_utc_times_of_day() {
        // 2023-11-14 22:13:20 UTC.
        assert_eq!(format_utc_time(1_700_000_000), "22:13:20");
        assert_eq!(format_utc_time(0), "00:00:00");
    }
}
