//! The latency monitor natively, under a clock whose monotonic timer moves 25 ms every time it
//! is read, so that every command takes 25 ms (the manual clock makes every command take 0).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use keyspace::{cli, Clock, Config, Engine, Reply};

/// Wall time fixed at `now_ms`; the timer advances 25,000 µs per read.
struct Slow {
    now_ms: u64,
    elapsed_us: Arc<AtomicU64>,
}

impl Clock for Slow {
    fn now_ms(&self) -> u64 {
        self.now_ms
    }
    fn elapsed_us(&self) -> u64 {
        self.elapsed_us.fetch_add(25_000, Ordering::Relaxed)
    }
}

/// An engine on the [`Slow`] clock, and a client.
fn slow_engine() -> (Engine, keyspace::ClientId) {
    let clock = Slow {
        now_ms: 1_700_000_000_000,
        elapsed_us: Arc::new(AtomicU64::new(0)),
    };
    let mut engine = Engine::new(Config::default(), Box::new(clock), 1);
    let client = engine.connect();
    (engine, client)
}

fn run(engine: &mut Engine, client: keyspace::ClientId, line: &str) -> Reply {
    let argv = cli::split_args(line.as_bytes()).unwrap();
    engine.execute(client, &argv).into_replies().remove(0)
}

#[test]
fn commands_at_the_threshold_are_recorded_as_command_or_fast_command() {
    let (mut engine, c) = slow_engine();
    run(&mut engine, c, "SET k v");
    // Off by default.
    assert_eq!(run(&mut engine, c, "LATENCY LATEST"), Reply::Array(vec![]));
    assert_eq!(
        run(&mut engine, c, "CONFIG SET latency-monitor-threshold 30"),
        Reply::ok()
    );
    run(&mut engine, c, "GET k");
    assert_eq!(
        run(&mut engine, c, "LATENCY LATEST"),
        Reply::Array(vec![]),
        "25 ms < 30"
    );
    assert_eq!(
        run(&mut engine, c, "CONFIG SET latency-monitor-threshold 20"),
        Reply::ok()
    );
    run(&mut engine, c, "GET k");
    run(&mut engine, c, "KEYS *");
    let event = |name: &str| {
        Reply::Array(vec![
            Reply::bulk(name),
            Reply::Integer(1_700_000_000),
            Reply::Integer(25),
            Reply::Integer(25),
        ])
    };
    // The CONFIG SET above counts too: it is a `command` (not flagged fast) that took 25 ms.
    assert_eq!(
        run(&mut engine, c, "LATENCY LATEST"),
        Reply::Array(vec![event("command"), event("fast-command")])
    );
    assert_eq!(
        run(&mut engine, c, "LATENCY HISTORY fast-command"),
        Reply::Array(vec![Reply::Array(vec![
            Reply::Integer(1_700_000_000),
            Reply::Integer(25)
        ])])
    );
    assert_eq!(
        run(&mut engine, c, "LATENCY RESET fast-command nosuch"),
        Reply::Integer(1)
    );
    assert_eq!(run(&mut engine, c, "LATENCY RESET"), Reply::Integer(1));
    // The reset forgot everything before it; it took 25 ms itself, recorded after it ran.
    assert_eq!(
        run(&mut engine, c, "LATENCY HISTORY command"),
        Reply::Array(vec![Reply::Array(vec![
            Reply::Integer(1_700_000_000),
            Reply::Integer(25)
        ])])
    );
}

#[test]
fn latency_histogram_gives_each_commands_cumulative_distribution() {
    let (mut engine, c) = slow_engine();
    run(&mut engine, c, "SET k v");
    run(&mut engine, c, "GET k");
    run(&mut engine, c, "GET k");
    run(&mut engine, c, "CLIENT ID");
    // 25 ms calls: counted at the step whose bucket holds 25,000,000 ns (2^25 ns, whose
    // bucket's highest value is 33,816,575 ns).
    let entry = |name: &str, calls: i64| {
        (
            Reply::bulk(name),
            Reply::Map(vec![
                (Reply::bulk("calls"), Reply::Integer(calls)),
                (
                    Reply::bulk("histogram_usec"),
                    Reply::Map(vec![(Reply::Integer(33_816), Reply::Integer(calls))]),
                ),
            ]),
        )
    };
    // In the order named, repeats repeated, unknown names left out, a container's
    // subcommands for the container.
    assert_eq!(
        run(
            &mut engine,
            c,
            "LATENCY HISTOGRAM get SET nosuch get client"
        ),
        Reply::Map(vec![
            entry("get", 2),
            entry("set", 1),
            entry("get", 2),
            entry("client|id", 1),
        ])
    );
    assert_eq!(
        run(&mut engine, c, "LATENCY HISTOGRAM nosuch config|get"),
        Reply::Map(vec![])
    );
    // Without names, every command with a histogram: the LATENCY HISTOGRAM calls too.
    let Reply::Map(all) = run(&mut engine, c, "LATENCY HISTOGRAM") else {
        panic!("a map")
    };
    let names: Vec<Reply> = all.into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["client|id", "get", "latency|histogram", "set"].map(Reply::bulk)
    );
    // Tracking off keeps what was recorded and records no more; RESETSTAT forgets it.
    run(&mut engine, c, "CONFIG SET latency-tracking no");
    run(&mut engine, c, "GET k");
    assert_eq!(
        run(&mut engine, c, "LATENCY HISTOGRAM get"),
        Reply::Map(vec![entry("get", 2)])
    );
    run(&mut engine, c, "CONFIG RESETSTAT");
    assert_eq!(run(&mut engine, c, "LATENCY HISTOGRAM"), Reply::Map(vec![]));
}
