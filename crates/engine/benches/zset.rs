//! In-process throughput of the sorted-set point commands on one set of 1,000,000 members:
//! ZSCORE, ZRANK, ZADD of an existing member (its node moves) and ZADD of a new one, each
//! through `Engine::execute` and, beside it, as the bare `SortedSet` call underneath. The gap
//! between the two columns is the command layer (arguments, the lookup doors, memory
//! accounting, the reply); the bare column is the structure (the member table, the skip
//! list's walks). The set holds the same members and scores as `scripts/bench-types --zset`
//! loads into both servers, so the figures can be read beside those.
//!
//! Prints figures only: `cargo bench -p keyspace --bench zset`.

use std::hint::black_box;
use std::time::Instant;

use keyspace::types::zset::{ListpackLimits, SortedSet};
use keyspace::{Config, Engine, ManualClock, Outcome, Reply};

#[path = "common/timing.rs"]
mod timing;

const MEMBERS: usize = 1_000_000;
/// Operations per timed pass.
const OPS: usize = 200_000;
const ROUNDS: usize = 5;

fn member(i: usize) -> Vec<u8> {
    format!("member:{i:012}").into_bytes()
}

/// Member i's score as the bench script loads it: spread over 0..1,000,003 in an order
/// unrelated to the names, nine in ten with one decimal.
fn score_text(i: usize) -> String {
    let base = (i * 7919) % 1_000_003;
    if i.is_multiple_of(10) {
        base.to_string()
    } else {
        format!("{base}.{}", i % 10)
    }
}

/// A deterministic stream of indexes below `n` (a 64-bit LCG's high bits).
fn picks(n: usize, count: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % n
        })
        .collect()
}

fn main() {
    let mut engine = Engine::new(
        Config::default(),
        Box::new(ManualClock::new(1_700_000_000_000)),
        1,
    );
    engine.set_capture_events(false);
    let client = engine.connect();
    let limits = ListpackLimits::default();
    let mut bare = SortedSet::default();

    let start = Instant::now();
    for chunk in (0..MEMBERS).collect::<Vec<_>>().chunks(1000) {
        let mut argv = vec![b"ZADD".to_vec(), b"zbig".to_vec()];
        for &i in chunk {
            argv.push(score_text(i).into_bytes());
            argv.push(member(i));
        }
        black_box(engine.execute(client, &argv));
    }
    let load = MEMBERS as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for i in 0..MEMBERS {
        let score: f64 = score_text(i).parse().unwrap_or(0.0);
        bare.insert(&member(i), score, limits);
    }
    let bare_load = MEMBERS as f64 / start.elapsed().as_secs_f64();
    let card = vec![b"ZCARD".to_vec(), b"zbig".to_vec()];
    if engine.execute(client, &card) != Outcome::Reply(Reply::Integer(MEMBERS as i64)) {
        eprintln!("the load did not give ZCARD {MEMBERS}");
        std::process::exit(1);
    }

    println!(
        "{:<36} {:>14} {:>14}",
        "op (1,000,000 members)", "engine ops/s", "SortedSet ops/s"
    );
    report("ZADD load, 1,000 pairs a call", load, bare_load);

    let reads = picks(MEMBERS, OPS, 1);
    let members: Vec<Vec<u8>> = reads.iter().map(|&i| member(i)).collect();
    let command = |name: &str, extra: &dyn Fn(usize) -> Vec<Vec<u8>>| -> Vec<Vec<Vec<u8>>> {
        (0..OPS)
            .map(|k| {
                let mut argv = vec![name.as_bytes().to_vec(), b"zbig".to_vec()];
                argv.extend(extra(k));
                argv
            })
            .collect()
    };

    let zscore = command("ZSCORE", &|k| vec![members[k].clone()]);
    let engine_rate = rate(|| {
        for argv in &zscore {
            black_box(engine.execute(client, argv));
        }
    });
    let bare_rate = rate(|| {
        for m in &members {
            black_box(bare.score(m));
        }
    });
    report("ZSCORE", engine_rate, bare_rate);

    let zrank = command("ZRANK", &|k| vec![members[k].clone()]);
    let engine_rate = rate(|| {
        for argv in &zrank {
            black_box(engine.execute(client, argv));
        }
    });
    let bare_rate = rate(|| {
        for m in &members {
            black_box(bare.rank(m, false));
        }
    });
    report("ZRANK", engine_rate, bare_rate);

    // New integer scores for existing members, other ones each pass: nearly every call
    // moves its node.
    let mut seed = 2;
    let mut rescore = || {
        seed += 1;
        picks(1_000_003, OPS, seed)
    };
    let engine_rate = rate_with(&mut rescore, |scores| {
        for (m, s) in members.iter().zip(scores) {
            let argv = [
                b"ZADD".to_vec(),
                b"zbig".to_vec(),
                s.to_string().into_bytes(),
                m.clone(),
            ];
            black_box(engine.execute(client, &argv));
        }
    });
    let bare_rate = rate_with(&mut rescore, |scores| {
        for (m, s) in members.iter().zip(scores) {
            black_box(bare.insert(m, s as f64, limits));
        }
    });
    report("ZADD, existing members", engine_rate, bare_rate);
    let scores = picks(1_000_003, OPS, 2);

    // New members: each pass adds OPS of them, so the set grows by a fifth per pass.
    let mut round = 0;
    let mut fresh = || {
        round += 1;
        (0..OPS)
            .map(|k| format!("new:{round}:{k}").into_bytes())
            .collect::<Vec<_>>()
    };
    let engine_rate = rate_with(&mut fresh, |names| {
        for (name, &s) in names.iter().zip(&scores) {
            let argv = [
                b"ZADD".to_vec(),
                b"zbig".to_vec(),
                s.to_string().into_bytes(),
                name.clone(),
            ];
            black_box(engine.execute(client, &argv));
        }
    });
    let bare_rate = rate_with(&mut fresh, |names| {
        for (name, &s) in names.iter().zip(&scores) {
            black_box(bare.insert(name, s as f64, limits));
        }
    });
    report("ZADD, new members", engine_rate, bare_rate);
}

/// Operations per second in the best of ROUNDS passes of OPS operations each: the best pass
/// is the one least disturbed by whatever else the machine was doing.
fn rate(mut pass: impl FnMut()) -> f64 {
    pass(); // warm up
    timing::best_rate(OPS, ROUNDS, || (), |()| pass())
}

/// As `rate`, each pass on fresh input made (untimed) by `input`.
fn rate_with<T>(input: &mut impl FnMut() -> T, pass: impl FnMut(T)) -> f64 {
    timing::best_rate(OPS, ROUNDS, input, pass)
}

fn report(op: &str, engine: f64, bare: f64) {
    println!("{op:<36} {engine:>14.0} {bare:>14.0}");
}
