//! Parameters of `keyspace::config` that change what the engine does, seen as a client sees
//! them: `timeout` closing idle clients from the cron, and
//! `latency-tracking-info-percentiles` choosing INFO latencystats' percentiles. (The
//! replication ones, `replica-ignore-maxmemory`, `replica-lazy-flush` and
//! `replica-announce-ip`/`-port`, are in `replica.rs`, beside the wire they need.)

mod common;

use common::{engine, execute, info_field, run};
use keyspace::{ClientId, Engine, Outcome, Reply};

fn closing(engine: &Engine, id: ClientId) -> bool {
    engine.client(id).is_none_or(|c| c.closing)
}

#[test]
fn timeout_closes_idle_ordinary_clients_only() {
    let (mut e, clock) = engine();
    let admin = e.connect();
    let idle = e.connect();
    let blocked = e.connect();
    let subscriber = e.connect();
    let monitor = e.connect();
    let busy = e.connect();
    assert_eq!(run(&mut e, admin, "CONFIG SET timeout 10"), Reply::ok());
    assert!(matches!(
        execute(&mut e, blocked, "BLPOP q 0"),
        Outcome::Blocked
    ));
    run(&mut e, subscriber, "SUBSCRIBE news");
    run(&mut e, monitor, "MONITOR");
    // Idle for exactly the timeout: not more than it, still open.
    clock.advance_ms(10_000);
    e.tick();
    assert!(!closing(&e, idle));
    e.take_woken();
    run(&mut e, busy, "PING");
    run(&mut e, admin, "PING");
    clock.advance_ms(1_000);
    e.tick();
    assert!(closing(&e, idle), "idle for 11 seconds");
    assert!(
        e.take_woken().contains(&idle),
        "its connection is woken to close"
    );
    for id in [admin, blocked, subscriber, monitor, busy] {
        assert!(!closing(&e, id), "client {id:?} stays");
    }
    // The blocked, the subscriber and the monitor wait as long as they like.
    clock.advance_ms(60_000);
    e.tick();
    assert!(closing(&e, admin) && closing(&e, busy));
    for id in [blocked, subscriber, monitor] {
        assert!(!closing(&e, id), "client {id:?} stays");
    }
}

#[test]
fn timeout_zero_never_closes_anyone() {
    let (mut e, clock) = engine();
    let id = e.connect();
    assert_eq!(
        run(&mut e, id, "CONFIG GET timeout"),
        Reply::Map(vec![(Reply::bulk("timeout"), Reply::bulk("0"))])
    );
    clock.advance_ms(86_400_000);
    e.tick();
    assert!(!closing(&e, id));
}

#[test]
fn latencystats_shows_the_configured_percentiles() {
    let (mut e, _) = engine();
    let id = e.connect();
    run(&mut e, id, "SET k v");
    run(&mut e, id, "GET k");
    let shown = |e: &mut Engine| info_field(e, id, "latency_percentiles_usec_get");
    let labels = |value: String| -> Vec<String> {
        value
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| p.split('=').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(labels(shown(&mut e)), ["p50", "p99", "p99.9"]);
    run(
        &mut e,
        id,
        "CONFIG SET latency-tracking-info-percentiles \"0.5 90 12.3456789 100\"",
    );
    assert_eq!(labels(shown(&mut e)), ["p0.5", "p90", "p12.345679", "p100"]);
    run(
        &mut e,
        id,
        "CONFIG SET latency-tracking-info-percentiles \"\"",
    );
    assert_eq!(shown(&mut e), "");
}
