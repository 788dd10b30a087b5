//! Resident memory, injected. `used_memory` is the model's: what redis-server would have
//! allocated for the same data (`crate::memory`). What this process really holds is another
//! figure, INFO's `used_memory_rss`, and only the front end can read it: the native server
//! asks the operating system, the page measures the WebAssembly memory. The engine never
//! reads it itself; it is handed a [`ResidentMemory`] probe, as it is handed a clock.
//!
//! Redis samples the resident size in its cron, at most every 100 ms (it reads `/proc`, which
//! is too slow to do per command), together with `used_memory` at that instant, so that the
//! ratio of the two compares figures of one moment. [`MemorySample`] keeps that pair, and
//! every figure INFO and MEMORY STATS derive from the resident size is computed from it as
//! Redis computes them (`getMemoryOverheadData`). Without a probe (tests, the scenario
//! player) there is no process to measure: the model stands for the resident size.

/// A source of the process's resident memory.
pub trait ResidentMemory: Send {
    /// Bytes resident now, or None when it cannot be read at the moment.
    fn resident_bytes(&self) -> Option<u64>;
}

/// How often the cron takes a new sample, as Redis's `run_with_period(100)`.
pub(crate) const SAMPLE_PERIOD_US: u64 = 100_000;

/// The probe and its last sample.
#[derive(Default)]
pub(crate) struct Resident {
    pub(crate) probe: Option<Box<dyn ResidentMemory>>,
    /// The monotonic time of the last sample, None before the first.
    sampled_at_us: Option<u64>,
    sample: Option<MemorySample>,
}

/// Redis's `cron_malloc_stats`: the resident size and the allocator's figures of one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MemorySample {
    /// `used_memory_rss`.
    pub process_rss: u64,
    /// `used_memory` when `process_rss` was read.
    pub used: u64,
    pub allocator_allocated: u64,
    pub allocator_active: u64,
    pub allocator_resident: u64,
}

impl Resident {
    /// Takes a sample if none was taken in the last [`SAMPLE_PERIOD_US`] (or `force`):
    /// `used` is the model's `used_memory` now, `lua` the Lua heap's size.
    pub(crate) fn refresh(&mut self, now_us: u64, used: u64, lua: u64, force: bool) {
        let due = self
            .sampled_at_us
            .is_none_or(|at| now_us.saturating_sub(at) >= SAMPLE_PERIOD_US);
        if !(due || force) {
            return;
        }
        self.sampled_at_us = Some(now_us);
        let Some(rss) = self.probe.as_ref().and_then(|p| p.resident_bytes()) else {
            return;
        };
        // The allocator gives no figures of its own (MEMORY MALLOC-STATS says so): as Redis
        // does then, its resident size is the process's less Lua's heap, which is not in
        // `used_memory`, and all it holds counts as active.
        let allocator = rss.saturating_sub(lua);
        self.sample = Some(MemorySample {
            process_rss: rss,
            used,
            allocator_allocated: used,
            allocator_active: allocator,
            allocator_resident: allocator,
        });
    }

    /// The last sample; without one (no probe, or it could not be read) the model is all
    /// there is, `used` now, without fragmentation or overhead.
    pub(crate) fn sample(&self, used: u64) -> MemorySample {
        self.sample.unwrap_or(MemorySample {
            process_rss: used,
            used,
            allocator_allocated: used,
            allocator_active: used,
            allocator_resident: used,
        })
    }
}

/// The ratios and differences Redis derives from a sample (`struct redisMemOverhead`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overheads {
    /// `mem_fragmentation_ratio` and `_bytes`: the resident size over `used_memory`.
    pub total_frag: f32,
    pub total_frag_bytes: i64,
    /// `allocator_frag_*`: what the allocator holds active over what was asked of it.
    pub allocator_frag: f32,
    pub allocator_frag_bytes: i64,
    /// `allocator_rss_*`: the allocator's resident pages over its active ones.
    pub allocator_rss: f32,
    pub allocator_rss_bytes: i64,
    /// `rss_overhead_*`: the process's resident size over the allocator's.
    pub rss_extra: f32,
    pub rss_extra_bytes: i64,
}

impl MemorySample {
    pub fn overheads(&self) -> Overheads {
        // Redis divides in single precision (its ratios are `float`s, and MEMORY STATS
        // prints them widened, digits of the single precision included); a zero denominator
        // gives inf or nan, printed as such.
        let ratio = |a: u64, b: u64| a as f32 / b as f32;
        let diff = |a: u64, b: u64| a as i64 - b as i64;
        Overheads {
            total_frag: ratio(self.process_rss, self.used),
            total_frag_bytes: diff(self.process_rss, self.used),
            allocator_frag: ratio(self.allocator_active, self.allocator_allocated),
            allocator_frag_bytes: diff(self.allocator_active, self.allocator_allocated),
            allocator_rss: ratio(self.allocator_resident, self.allocator_active),
            allocator_rss_bytes: diff(self.allocator_resident, self.allocator_active),
            rss_extra: ratio(self.process_rss, self.allocator_resident),
            rss_extra_bytes: diff(self.process_rss, self.allocator_resident),
        }
    }
}
