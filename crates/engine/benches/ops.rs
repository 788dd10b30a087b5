//! In-process throughput of SET, GET and INCR through `Engine::execute`, beside a bare
//! `HashMap` doing the same work in the same run: the gap is what the command layer costs
//! (argument parsing, the spec table, the lookup doors, reply values).
//!
//! Prints figures only: `cargo bench -p keyspace --bench ops`.

use std::collections::HashMap;
use std::hint::black_box;

use keyspace::{Config, Engine, ManualClock, Outcome, Reply};

#[path = "common/timing.rs"]
mod timing;

const KEYS: usize = 100_000;
const ROUNDS: usize = 10;

fn main() {
    let keys: Vec<Vec<u8>> = (0..KEYS).map(|i| format!("key:{i}").into_bytes()).collect();
    let value = b"some value of moderate size".to_vec();
    println!(
        "{:<6} {:>14} {:>14} {:>8}",
        "op", "engine ops/s", "HashMap ops/s", "ratio"
    );

    let mut engine = Engine::new(
        Config::default(),
        Box::new(ManualClock::new(1_700_000_000_000)),
        1,
    );
    engine.set_capture_events(false);
    let client = engine.connect();
    let mut map: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();

    let set: Vec<Vec<Vec<u8>>> = keys
        .iter()
        .map(|k| vec![b"SET".to_vec(), k.clone(), value.clone()])
        .collect();
    let engine_set = rate(|| {
        for argv in &set {
            expect_ok(engine.execute(client, argv));
        }
    });
    let map_set = rate(|| {
        for k in &keys {
            map.insert(k.clone(), value.clone());
        }
    });
    report("SET", engine_set, map_set);

    let get: Vec<Vec<Vec<u8>>> = keys
        .iter()
        .map(|k| vec![b"GET".to_vec(), k.clone()])
        .collect();
    let engine_get = rate(|| {
        for argv in &get {
            black_box(engine.execute(client, argv));
        }
    });
    // A GET reply owns a copy of the value, so the map side copies too.
    let map_get = rate(|| {
        for k in &keys {
            black_box(map.get(k).cloned());
        }
    });
    report("GET", engine_get, map_get);
    // The figures mean something only if GET found what SET stored.
    if engine.execute(client, &get[0]) != Outcome::Reply(Reply::Bulk(value.clone())) {
        eprintln!("GET did not return the stored value");
        std::process::exit(1);
    }

    let counters: Vec<Vec<u8>> = (0..KEYS)
        .map(|i| format!("counter:{i}").into_bytes())
        .collect();
    let incr: Vec<Vec<Vec<u8>>> = counters
        .iter()
        .map(|k| vec![b"INCR".to_vec(), k.clone()])
        .collect();
    let engine_incr = rate(|| {
        for argv in &incr {
            black_box(engine.execute(client, argv));
        }
    });
    // Redis stores counters as decimal strings; so does the map, to do the same work.
    let mut counter_map: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    let map_incr = rate(|| {
        for k in &counters {
            let slot = counter_map
                .entry(k.clone())
                .or_insert_with(|| b"0".to_vec());
            let n: i64 = std::str::from_utf8(slot)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            *slot = (n + 1).to_string().into_bytes();
        }
    });
    report("INCR", engine_incr, map_incr);
}

/// Operations per second in the best of ROUNDS passes of KEYS operations each: the best pass
/// is the one least disturbed by whatever else the machine was doing.
fn rate(mut pass: impl FnMut()) -> f64 {
    pass(); // warm up: the first pass inserts, later ones overwrite
    timing::best_rate(KEYS, ROUNDS, || (), |()| pass())
}

fn expect_ok(outcome: Outcome) {
    if outcome != Outcome::Reply(Reply::ok()) {
        eprintln!("unexpected reply: {outcome:?}");
        std::process::exit(1);
    }
}

fn report(op: &str, engine: f64, map: f64) {
    println!("{op:<6} {engine:>14.0} {map:>14.0} {:>7.2}x", engine / map);
}
