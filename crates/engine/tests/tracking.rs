//! Native tests of client-side caching where the engine says more than a socket shows: which
//! side of a command's reply an invalidation falls on (the front end writes the outbox before
//! the reply, and the outcome's replies in order), what a disconnected client leaves in the
//! tables, and the expiry cycle's invalidations reaching an idle client.

mod common;
use common::{engine, execute, info_field};
use keyspace::{ClientId, Engine, Outcome, Reply};

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    execute(engine, id, line).into_replies().remove(0)
}

fn invalidate(keys: &[&str]) -> Reply {
    Reply::Push(vec![
        Reply::bulk("invalidate"),
        Reply::Array(keys.iter().map(|k| Reply::bulk(*k)).collect()),
    ])
}

/// A RESP3 client with tracking on, having read `key`.
fn tracker(engine: &mut Engine, key: &str) -> ClientId {
    let id = engine.connect();
    run(engine, id, "HELLO 3");
    assert_eq!(run(engine, id, "CLIENT TRACKING ON"), Reply::ok());
    run(engine, id, &format!("GET {key}"));
    id
}

#[test]
fn an_invalidation_caused_by_the_clients_own_command_follows_its_reply() {
    let (mut engine, _) = engine();
    let id = tracker(&mut engine, "k");
    let outcome = execute(&mut engine, id, "SET k v");
    assert_eq!(
        outcome.into_replies(),
        vec![Reply::ok(), invalidate(&["k"])]
    );
    assert!(engine.drain(id).is_empty());
}

#[test]
fn an_eviction_before_the_command_precedes_its_reply() {
    let (mut engine, _) = engine();
    let id = tracker(&mut engine, "vk");
    run(&mut engine, id, "SETEX vk 1000 x");
    run(&mut engine, id, "GET vk");
    run(
        &mut engine,
        id,
        "CONFIG SET maxmemory-policy volatile-random",
    );
    run(&mut engine, id, "CONFIG SET maxmemory 1");
    // The key goes to make room before GET runs: the push is in the outbox, which the front
    // end writes ahead of the reply, and not among the replies.
    assert_eq!(
        execute(&mut engine, id, "GET other").into_replies(),
        vec![Reply::Null]
    );
    assert_eq!(engine.drain(id), vec![invalidate(&["vk"])]);
}

#[test]
fn the_expire_cycle_tells_an_idle_client_and_wakes_it() {
    let (mut engine, clock) = engine();
    let id = tracker(&mut engine, "e");
    let other = engine.connect();
    run(&mut engine, other, "SET e 1 PX 10");
    engine.drain(id);
    engine.take_woken();
    run(&mut engine, id, "GET e");
    clock.advance_ms(1000);
    engine.tick();
    assert!(engine.take_woken().contains(&id));
    assert_eq!(engine.drain(id), vec![invalidate(&["e"])]);
}

#[test]
fn a_disconnected_client_leaves_its_prefixes_but_not_the_table() {
    let (mut engine, _) = engine();
    let reader = tracker(&mut engine, "k");
    let bcast = engine.connect();
    run(
        &mut engine,
        bcast,
        "CLIENT TRACKING ON BCAST PREFIX a PREFIX b",
    );
    let other = engine.connect();
    assert_eq!(info_field(&mut engine, other, "tracking_clients"), "2");
    assert_eq!(
        info_field(&mut engine, other, "tracking_total_prefixes"),
        "2"
    );
    engine.disconnect(bcast);
    engine.disconnect(reader);
    assert_eq!(info_field(&mut engine, other, "tracking_clients"), "0");
    assert_eq!(
        info_field(&mut engine, other, "tracking_total_prefixes"),
        "0"
    );
    // Ids are never reused: the reader's stays until `k` changes, then goes unsent.
    assert_eq!(info_field(&mut engine, other, "tracking_total_items"), "1");
    run(&mut engine, other, "SET k 1");
    assert_eq!(info_field(&mut engine, other, "tracking_total_keys"), "0");
    assert_eq!(info_field(&mut engine, other, "tracking_total_items"), "0");
}

#[test]
fn a_served_blocked_client_hears_of_its_own_write_after_its_reply() {
    let (mut engine, _) = engine();
    let id = tracker(&mut engine, "dst");
    assert_eq!(
        execute(&mut engine, id, "BLMOVE src dst LEFT LEFT 0"),
        Outcome::Blocked
    );
    let other = engine.connect();
    run(&mut engine, other, "RPUSH src foo");
    assert_eq!(
        engine.drain(id),
        vec![Reply::bulk("foo"), invalidate(&["dst"])]
    );
}

#[test]
fn a_redirect_target_killed_is_gone_before_its_connection_closes() {
    let (mut engine, _) = engine();
    let target = engine.connect();
    let id = engine.connect();
    run(&mut engine, id, "HELLO 3");
    let on = format!("CLIENT TRACKING ON REDIRECT {}", target.0);
    assert_eq!(run(&mut engine, id, &on), Reply::ok());
    run(&mut engine, id, "GET k");
    let other = engine.connect();
    run(&mut engine, other, &format!("CLIENT KILL ID {}", target.0));
    // The front end has not closed the killed connection yet: it is still a client.
    assert!(engine.client(target).is_some());
    run(&mut engine, other, "SET k 1");
    assert_eq!(
        engine.drain(id),
        vec![Reply::Push(vec![
            Reply::bulk("tracking-redir-broken"),
            Reply::Integer(target.0 as i64),
        ])]
    );
    assert!(engine.drain(target).is_empty());
}
