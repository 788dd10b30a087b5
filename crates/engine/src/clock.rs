//! Time, injected. The engine never reads a clock itself: a front end hands it a [`Clock`]
//! (the system clock in the native server, `Date.now()` and `performance.now()` in the page,
//! [`ManualClock`] in tests and in the scenario runner's step mode). That keeps expiry
//! deterministic under test and makes time travel in the playground free. A virtual clock
//! cannot measure how long a command took, so the engine tells it the modelled duration
//! (`crate::cost`), and its monotonic timer moves by that much (`Clock::spend_us`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A source of time.
pub trait Clock: Send {
    /// Wall-clock time in milliseconds since the Unix epoch: what TTLs and `TIME` are measured
    /// against.
    fn now_ms(&self) -> u64;
    /// A monotonic timer in microseconds from an arbitrary origin: for time budgets (the active
    /// expire cycle) and durations (SLOWLOG), never for TTLs.
    fn elapsed_us(&self) -> u64;
    /// Wall-clock time in microseconds since the Unix epoch, for what Redis stamps to the
    /// microsecond (MONITOR's lines); a clock that knows only milliseconds reads `.000`.
    fn now_us(&self) -> u64 {
        self.now_ms().saturating_mul(1000)
    }
    /// Whether commands take the time the engine's cost model says (`crate::cost`): true for
    /// a virtual clock, which cannot measure them; a real clock measures them itself, and the
    /// engine then does not work out a model it would throw away.
    fn models_cost(&self) -> bool {
        false
    }
    /// For a clock that [`models_cost`](Clock::models_cost): lets `us` pass, the time a
    /// command took by the model.
    fn spend_us(&self, us: u64) {
        let _ = us;
    }
}

/// A clock that moves only when told to. Clones share the same time, so a test keeps one
/// handle and gives the engine another.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    now_ms: Arc<AtomicU64>,
    elapsed_us: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `now_ms`.
    pub fn new(now_ms: u64) -> ManualClock {
        let clock = ManualClock::default();
        clock.now_ms.store(now_ms, Ordering::Relaxed);
        clock
    }

    /// Moves wall time and the monotonic timer forward together.
    pub fn advance_ms(&self, ms: u64) {
        self.now_ms.fetch_add(ms, Ordering::Relaxed);
        self.elapsed_us
            .fetch_add(ms.saturating_mul(1000), Ordering::Relaxed);
    }

    /// Sets wall time (the monotonic timer is left alone, as when a real clock is adjusted).
    pub fn set_ms(&self, now_ms: u64) {
        self.now_ms.store(now_ms, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::Relaxed)
    }

    fn elapsed_us(&self) -> u64 {
        self.elapsed_us.load(Ordering::Relaxed)
    }

    /// The monotonic timer moves by `us`; wall time stays for the caller to move (see
    /// `crate::cost` on why).
    fn models_cost(&self) -> bool {
        true
    }

    fn spend_us(&self, us: u64) {
        self.elapsed_us.fetch_add(us, Ordering::Relaxed);
    }
}

/// Another clock's time moved by a fixed offset: a scenario's virtual time carried on at the
/// real clock's pace, so TTLs set in the scenario keep counting down from where they stood.
pub struct ShiftedClock {
    inner: Box<dyn Clock>,
    offset_ms: i64,
}

impl ShiftedClock {
    /// `inner`'s time, shifted so that it reads `now_ms` at this moment.
    pub fn starting_at(inner: Box<dyn Clock>, now_ms: u64) -> ShiftedClock {
        let offset_ms = now_ms as i64 - inner.now_ms() as i64;
        ShiftedClock { inner, offset_ms }
    }
}

impl Clock for ShiftedClock {
    fn now_ms(&self) -> u64 {
        (self.inner.now_ms() as i64)
            .saturating_add(self.offset_ms)
            .max(0) as u64
    }

    fn elapsed_us(&self) -> u64 {
        self.inner.elapsed_us()
    }

    fn models_cost(&self) -> bool {
        self.inner.models_cost()
    }

    fn spend_us(&self, us: u64) {
        self.inner.spend_us(us)
    }

    fn now_us(&self) -> u64 {
        (self.inner.now_us() as i64)
            .saturating_add(self.offset_ms.saturating_mul(1000))
            .max(0) as u64
    }
}
