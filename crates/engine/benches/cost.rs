//! What the modelled command cost (`keyspace::cost`) says the calibration workloads take:
//! the same workloads `scripts/calibrate-cost` runs on a real redis-server, under a manual
//! clock, each command's duration read from the slow log. One line per workload, its name
//! and the modelled µs; the script prints them beside Redis's.
//!
//! Prints figures only: `cargo bench -p keyspace --bench cost`.

use keyspace::{ClientId, Config, Engine, ManualClock};

fn engine() -> (Engine, ClientId) {
    let mut config = Config::default();
    config
        .set(b"slowlog-log-slower-than", b"0", true)
        .expect("a known parameter");
    config
        .set(b"enable-debug-command", b"yes", true)
        .expect("a known parameter");
    let mut engine = Engine::new(config, Box::new(ManualClock::new(1_700_000_000_000)), 1);
    let id = engine.connect();
    (engine, id)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) {
    let argv = keyspace::cli::split_args(line.as_bytes()).expect("a well-formed line");
    engine.execute(id, &argv);
}

/// The slow log's duration of `line`, run now.
fn timed(engine: &mut Engine, id: ClientId, line: &str) -> u64 {
    run(engine, id, line);
    engine.slowlog().next().map_or(0, |entry| entry.duration_us)
}

/// `n` commands from `command(i)`, for i from 1.
fn fill(engine: &mut Engine, id: ClientId, n: usize, command: impl Fn(usize) -> String) {
    for i in 1..=n {
        run(engine, id, &command(i));
    }
}

fn main() {
    let million = 1_000_000;
    let (mut e, id) = engine();
    fill(&mut e, id, million, |i| format!("HSET h field:{i} {i}"));
    println!("del-hash {}", timed(&mut e, id, "DEL h"));
    fill(&mut e, id, million, |i| format!("HSET h field:{i} {i}"));
    println!("unlink-hash {}", timed(&mut e, id, "UNLINK h"));
    fill(&mut e, id, million, |i| format!("SADD s member:{i}"));
    println!("del-set {}", timed(&mut e, id, "DEL s"));
    fill(&mut e, id, million, |i| format!("ZADD z {i} member:{i}"));
    println!("del-zset {}", timed(&mut e, id, "DEL z"));
    fill(&mut e, id, million, |i| format!("RPUSH l {i}"));
    println!("lrange {}", timed(&mut e, id, "LRANGE l 0 -1"));
    println!("del-list {}", timed(&mut e, id, "DEL l"));
    fill(&mut e, id, 100_000, |i| {
        format!("RPUSH n {}", (i * 7919) % 100_003)
    });
    println!("sort {}", timed(&mut e, id, "SORT n"));
    fill(&mut e, id, 100_000, |i| format!("SADD a m:{i}"));
    fill(&mut e, id, 100_000, |i| format!("SADD b m:{}", i + 50_000));
    println!("sunionstore {}", timed(&mut e, id, "SUNIONSTORE u a b"));
    run(&mut e, id, "FLUSHALL");
    run(&mut e, id, "DEBUG POPULATE 1000000");
    println!("keys-all {}", timed(&mut e, id, "KEYS *"));
    println!("keys-none {}", timed(&mut e, id, "KEYS nomatch:*"));
    println!("flushall {}", timed(&mut e, id, "FLUSHALL SYNC"));
    run(&mut e, id, "SET greeting hello");
    println!("get {}", timed(&mut e, id, "GET greeting"));
}
