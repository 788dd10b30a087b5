//! Native tests of blocking pops under the manual clock: `Outcome::Blocked`, replies arriving
//! in the outbox of the client served, first come first served, timeouts answered by `tick`
//! exactly when due, and cleanup when a blocked client goes away.

mod common;
use common::{engine, execute, run};
use keyspace::{ClientId, Outcome, Reply};

#[test]
fn an_empty_list_blocks_and_a_push_serves_it() {
    let (mut engine, _) = engine();
    let (waiter, pusher) = (engine.connect(), engine.connect());
    assert_eq!(
        execute(&mut engine, waiter, "BLPOP a b 0"),
        Outcome::Blocked
    );
    assert!(engine.client(waiter).unwrap().is_blocked());
    assert!(engine.drain(waiter).is_empty());
    engine.take_woken();
    assert_eq!(run(&mut engine, pusher, "RPUSH b x y"), Reply::Integer(2));
    assert_eq!(engine.take_woken(), vec![waiter]);
    assert_eq!(engine.drain(waiter), vec![Reply::bulk_array(["b", "x"])]);
    assert!(!engine.client(waiter).unwrap().is_blocked());
    assert_eq!(
        run(&mut engine, pusher, "LRANGE b 0 -1"),
        Reply::bulk_array(["y"])
    );
}

#[test]
fn clients_are_served_in_the_order_they_blocked() {
    let (mut engine, _) = engine();
    let clients: Vec<ClientId> = (0..3).map(|_| engine.connect()).collect();
    for &c in &clients {
        assert_eq!(execute(&mut engine, c, "BRPOP q 0"), Outcome::Blocked);
    }
    let pusher = engine.connect();
    run(&mut engine, pusher, "RPUSH q 1 2");
    assert_eq!(
        engine.drain(clients[0]),
        vec![Reply::bulk_array(["q", "2"])]
    );
    assert_eq!(
        engine.drain(clients[1]),
        vec![Reply::bulk_array(["q", "1"])]
    );
    assert!(engine.drain(clients[2]).is_empty());
    assert!(engine.client(clients[2]).unwrap().is_blocked());
}

#[test]
fn the_timeout_is_answered_by_tick_once_it_has_passed() {
    let (mut engine, clock) = engine();
    let id = engine.connect();
    assert_eq!(execute(&mut engine, id, "BZPOPMIN z 1.5"), Outcome::Blocked);
    clock.advance_ms(1500);
    engine.tick();
    assert!(engine.drain(id).is_empty(), "not before its time");
    clock.advance_ms(1);
    engine.tick();
    assert_eq!(engine.drain(id), vec![Reply::NullArray]);
    assert!(!engine.client(id).unwrap().is_blocked());
}

#[test]
fn a_zero_timeout_waits_forever() {
    let (mut engine, clock) = engine();
    let id = engine.connect();
    assert_eq!(
        execute(&mut engine, id, "BLMOVE s d LEFT RIGHT 0"),
        Outcome::Blocked
    );
    clock.advance_ms(1_000_000_000);
    engine.tick();
    assert!(engine.client(id).unwrap().is_blocked());
}

#[test]
fn sorted_sets_serve_member_and_score() {
    let (mut engine, _) = engine();
    let (waiter, pusher) = (engine.connect(), engine.connect());
    execute(&mut engine, waiter, "BZPOPMAX z 0");
    run(&mut engine, pusher, "ZADD z 1 a 2.5 b");
    let reply = engine.drain(waiter).remove(0);
    assert_eq!(
        reply,
        Reply::Array(vec![Reply::bulk("z"), Reply::bulk("b"), Reply::Double(2.5)])
    );
    assert_eq!(
        reply.to_resp(2),
        b"*3\r\n$1\r\nz\r\n$1\r\nb\r\n$3\r\n2.5\r\n"
    );
}

#[test]
fn a_disconnected_waiter_is_skipped() {
    let (mut engine, _) = engine();
    let (gone, next, pusher) = (engine.connect(), engine.connect(), engine.connect());
    execute(&mut engine, gone, "BLPOP q 0");
    execute(&mut engine, next, "BLPOP q 0");
    engine.disconnect(gone);
    run(&mut engine, pusher, "LPUSH q x");
    assert_eq!(engine.drain(next), vec![Reply::bulk_array(["q", "x"])]);
}

#[test]
fn client_unblock_answers_as_a_timeout_or_an_error() {
    let (mut engine, _) = engine();
    let (waiter, other) = (engine.connect(), engine.connect());
    execute(&mut engine, waiter, "BLPOP q 0");
    let unblock = format!("CLIENT UNBLOCK {} ERROR", waiter.0);
    assert_eq!(run(&mut engine, other, &unblock), Reply::Integer(1));
    assert_eq!(
        engine.drain(waiter),
        vec![Reply::Error(
            "UNBLOCKED client unblocked via CLIENT UNBLOCK".into()
        )]
    );
    assert_eq!(run(&mut engine, other, &unblock), Reply::Integer(0));
}
