//! The LRU lab: the experiment of Redis's own LRU documentation, run on the engine, to show
//! how close sampling comes to true LRU.
//!
//! The pattern, on a fresh engine per run (`allkeys-lru`, the same seed, a manual clock):
//! [`OLD`] keys are written in order, then read in the same order, so that the first key is
//! the least recently used and the last the most; `maxmemory` is set to what they take, and
//! [`NEW`] more keys of the same size are written, each of which must evict one. True LRU
//! evicts exactly the first [`NEW`] old keys. Sampling `maxmemory-samples` keys per eviction
//! (1, 5, 10) evicts mostly old ones but not exactly those, and with 1 sample it is nearly
//! random, new keys included. Then the [`NEW`] most recently read old keys are read again:
//! the share that hits is the run's hit ratio, 1.0 for true LRU.
//!
//! The picture is Redis's: one dot per key, old to new, coloured by what became of it.

use keyspace::cli;
use keyspace::{ClientId, Config, Engine, ManualClock, Reply};
use keyspace_protocol::server::{Fate, LabGrid};

/// Keys written before the limit.
pub const OLD: usize = 400;
/// Keys written after it, each forcing one eviction.
pub const NEW: usize = 200;
/// Every run's seed.
pub const SEED: u64 = 2024;
/// The runs: `maxmemory-samples` 1, 5 and 10, then exact LRU (`None`).
pub const RUNS: [Option<u32>; 4] = [Some(1), Some(5), Some(10), None];

fn run(engine: &mut Engine, client: ClientId, line: &str) -> Reply {
    let argv = cli::split_args(line.as_bytes()).expect("the lab's own commands");
    engine.execute(client, &argv).into_replies().remove(0)
}

fn value(i: usize) -> String {
    format!("{i:0>64}")
}

/// Runs the pattern with `samples` (or exact LRU).
pub fn run_lab(samples: Option<u32>) -> LabGrid {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), SEED);
    engine.set_capture_events(false);
    let client = engine.connect();
    run(
        &mut engine,
        client,
        "CONFIG SET maxmemory-policy allkeys-lru",
    );
    match samples {
        Some(n) => run(
            &mut engine,
            client,
            &format!("CONFIG SET maxmemory-samples {n}"),
        ),
        None => run(&mut engine, client, "CONFIG SET playground-exact-lru yes"),
    };
    for i in 0..OLD {
        run(&mut engine, client, &format!("SET old:{i} {}", value(i)));
    }
    // A second between writing and reading, and the reads spread over seconds as a running
    // server's would be.
    for i in 0..OLD {
        if i % 40 == 0 {
            clock.advance_ms(1000);
        }
        run(&mut engine, client, &format!("GET old:{i}"));
    }
    let limit = engine.used_memory();
    run(
        &mut engine,
        client,
        &format!("CONFIG SET maxmemory {limit}"),
    );
    for i in 0..NEW {
        run(&mut engine, client, &format!("SET new:{i} {}", value(i)));
    }
    // Eviction runs before a command: the last key's room is made here.
    run(&mut engine, client, "PING");
    let exists = |engine: &mut Engine, key: String| {
        run(engine, client, &format!("EXISTS {key}")) == Reply::Integer(1)
    };
    let mut cells = Vec::with_capacity(OLD + NEW);
    for i in 0..OLD {
        let kept = exists(&mut engine, format!("old:{i}"));
        cells.push(if kept { Fate::Kept } else { Fate::Evicted });
    }
    for i in 0..NEW {
        let kept = exists(&mut engine, format!("new:{i}"));
        cells.push(if kept { Fate::New } else { Fate::NewEvicted });
    }
    run(&mut engine, client, "CONFIG RESETSTAT");
    for i in OLD - NEW..OLD {
        run(&mut engine, client, &format!("GET old:{i}"));
    }
    let stats = engine.stats();
    let hit_ratio =
        stats.keyspace_hits as f64 / (stats.keyspace_hits + stats.keyspace_misses) as f64;
    LabGrid {
        samples,
        cells,
        hit_ratio,
    }
}

/// Every run of [`RUNS`].
pub fn run_all() -> Vec<LabGrid> {
    RUNS.iter().map(|&samples| run_lab(samples)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(grid: &LabGrid, fate: Fate) -> usize {
        grid.cells.iter().filter(|&&f| f == fate).count()
    }

    #[test]
    fn exact_lru_evicts_exactly_the_oldest() {
        let grid = run_lab(None);
        assert_eq!(grid.cells.len(), OLD + NEW);
        assert!(grid.cells[..NEW].iter().all(|&f| f == Fate::Evicted));
        assert!(grid.cells[NEW..OLD].iter().all(|&f| f == Fate::Kept));
        assert!(grid.cells[OLD..].iter().all(|&f| f == Fate::New));
        assert_eq!(grid.hit_ratio, 1.0);
    }

    #[test]
    fn more_samples_come_closer_to_true_lru() {
        let grids = run_all();
        let ratios: Vec<f64> = grids.iter().map(|g| g.hit_ratio).collect();
        for grid in &grids {
            // Every new key made room for itself: about NEW evictions in all (key names differ
            // in length, so one eviction may free a little more or less than a new key takes).
            let evicted = count(grid, Fate::Evicted) + count(grid, Fate::NewEvicted);
            assert!(
                (NEW - 1..=NEW + 1).contains(&evicted),
                "{:?}: {evicted}",
                grid.samples
            );
        }
        assert!(ratios[0] < ratios[1], "{ratios:?}");
        assert!(ratios[1] <= ratios[2], "{ratios:?}");
        assert!(ratios[2] <= ratios[3], "{ratios:?}");
        assert!(ratios[0] < 0.9, "one sample is nearly random: {ratios:?}");
        // The same seed draws the same picture.
        assert_eq!(run_lab(Some(5)), grids[1]);
    }
}
