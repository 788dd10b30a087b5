//! The benches' one measure: operations per second in the best of several passes, the best
//! pass being the one least disturbed by whatever else the machine was doing.

use std::time::Instant;

/// `ops` operations a pass, the best of `rounds` passes, each pass on fresh input made
/// (untimed) by `input`.
pub fn best_rate<T>(
    ops: usize,
    rounds: usize,
    mut input: impl FnMut() -> T,
    mut pass: impl FnMut(T),
) -> f64 {
    let best = (0..rounds)
        .map(|_| {
            let data = input();
            let start = Instant::now();
            pass(data);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    ops as f64 / best
}
