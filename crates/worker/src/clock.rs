//! The browser's clocks for the engine: `Date.now()` for wall time (what TTLs and TIME are
//! measured against) and `performance.now()` for the monotonic timer (time budgets and
//! durations), as `keyspace::Clock` tells them apart. They work the same in the page and in a
//! Web Worker, which has `performance` but no `window`.

use keyspace::Clock;
use wasm_bindgen::JsCast;

/// The page's [`Clock`]. It holds nothing: each call asks the browser.
pub struct BrowserClock;

thread_local! {
    /// `performance` of this thread's global scope (page or worker), looked up once.
    static PERFORMANCE: Option<web_sys::Performance> =
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into().ok());
}

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn elapsed_us(&self) -> u64 {
        // A context without `performance` (an odd embedding) falls back to wall time, which is
        // monotonic enough for a time budget.
        let ms = PERFORMANCE.with(|p| p.as_ref().map_or_else(js_sys::Date::now, |p| p.now()));
        (ms * 1000.0) as u64
    }

    fn now_us(&self) -> u64 {
        // The timer's origin on the wall clock plus the timer: wall time finer than
        // `Date.now()`'s milliseconds, for MONITOR's stamps.
        let ms = PERFORMANCE.with(|p| {
            p.as_ref()
                .map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
        });
        (ms * 1000.0) as u64
    }
}

/// A seed for the engine's PRNG, different on every page load.
pub fn random_seed() -> u64 {
    let random = (js_sys::Math::random() * (1u64 << 53) as f64) as u64;
    random ^ (js_sys::Date::now() as u64).rotate_left(32)
}
