//! Native tests of transactions: the client state MULTI, WATCH and EXEC leave behind, WATCH
//! broken by expiry under the manual clock (which real Redis can only show with sleeps), and
//! the rules for keys that had already expired when watched.

mod common;
use common::{engine, run};
use keyspace::Reply;

fn queued() -> Reply {
    Reply::Simple("QUEUED".into())
}

#[test]
fn commands_are_queued_then_run_in_order_by_exec() {
    let (mut engine, _) = engine();
    let id = engine.connect();
    assert_eq!(run(&mut engine, id, "MULTI"), Reply::ok());
    assert_eq!(run(&mut engine, id, "SET k 1"), queued());
    assert_eq!(run(&mut engine, id, "LPUSH k x"), queued());
    assert_eq!(run(&mut engine, id, "INCR k"), queued());
    let client = engine.client(id).unwrap();
    assert_eq!(client.multi.as_ref().map(|t| t.queue.len()), Some(3));
    assert_eq!(
        run(&mut engine, id, "EXEC"),
        Reply::Array(vec![
            Reply::ok(),
            Reply::Error(
                "WRONGTYPE Operation against a key holding the wrong kind of value".into()
            ),
            Reply::Integer(2),
        ])
    );
    assert!(engine.client(id).unwrap().multi.is_none());
}

#[test]
fn a_refused_command_aborts_and_a_nested_multi_does_not() {
    let (mut engine, _) = engine();
    let id = engine.connect();
    run(&mut engine, id, "MULTI");
    assert_eq!(
        run(&mut engine, id, "MULTI"),
        Reply::Error("ERR MULTI calls can not be nested".into())
    );
    run(&mut engine, id, "SET k 1");
    assert_eq!(
        run(&mut engine, id, "EXEC"),
        Reply::Array(vec![Reply::ok()])
    );
    run(&mut engine, id, "MULTI");
    run(&mut engine, id, "GET");
    assert_eq!(
        run(&mut engine, id, "EXEC"),
        Reply::Error("EXECABORT Transaction discarded because of previous errors.".into())
    );
}

#[test]
fn a_write_by_another_client_breaks_watch() {
    let (mut engine, _) = engine();
    let (a, b) = (engine.connect(), engine.connect());
    run(&mut engine, a, "WATCH k");
    run(&mut engine, b, "SET k 1");
    assert!(engine.client(a).unwrap().dirty_cas);
    run(&mut engine, a, "MULTI");
    run(&mut engine, a, "SET k 2");
    assert_eq!(run(&mut engine, a, "EXEC"), Reply::NullArray);
    assert_eq!(Reply::NullArray.to_resp(3), b"_\r\n");
    assert!(engine.client(a).unwrap().watched.is_empty());
    assert_eq!(run(&mut engine, a, "GET k"), Reply::bulk("1"));
}

#[test]
fn a_watched_key_expiring_breaks_exec_even_before_it_is_deleted() {
    let (mut engine, clock) = engine();
    let id = engine.connect();
    run(&mut engine, id, "SET k v PX 100");
    run(&mut engine, id, "WATCH k");
    clock.advance_ms(101);
    run(&mut engine, id, "MULTI");
    run(&mut engine, id, "SET other 1");
    assert_eq!(run(&mut engine, id, "EXEC"), Reply::NullArray);
}

#[test]
fn a_key_already_expired_when_watched_may_be_collected_without_breaking_exec() {
    let (mut engine, clock) = engine();
    let id = engine.connect();
    run(&mut engine, id, "DEBUG SET-ACTIVE-EXPIRE 0");
    run(&mut engine, id, "SET k v PX 100");
    clock.advance_ms(101);
    run(&mut engine, id, "WATCH k");
    // The lazy deletion of a key that was already logically gone is no change.
    assert_eq!(run(&mut engine, id, "GET k"), Reply::Null);
    run(&mut engine, id, "MULTI");
    run(&mut engine, id, "GET k");
    assert_eq!(
        run(&mut engine, id, "EXEC"),
        Reply::Array(vec![Reply::Null])
    );
    // But writing it is.
    run(&mut engine, id, "SET k v PX 100");
    clock.advance_ms(101);
    run(&mut engine, id, "WATCH k");
    run(&mut engine, id, "SET k new");
    run(&mut engine, id, "MULTI");
    assert_eq!(run(&mut engine, id, "EXEC"), Reply::NullArray);
}

#[test]
fn flushes_touch_only_keys_that_exist() {
    let (mut engine, _) = engine();
    let (a, b) = (engine.connect(), engine.connect());
    run(&mut engine, a, "WATCH missing");
    run(&mut engine, b, "FLUSHALL");
    assert!(!engine.client(a).unwrap().dirty_cas);
    run(&mut engine, b, "SET present 1");
    run(&mut engine, a, "WATCH present");
    run(&mut engine, b, "FLUSHDB");
    assert!(engine.client(a).unwrap().dirty_cas);
}

#[test]
fn discard_reset_and_disconnect_forget_everything() {
    let (mut engine, _) = engine();
    let (a, b) = (engine.connect(), engine.connect());
    run(&mut engine, a, "WATCH k");
    run(&mut engine, a, "MULTI");
    assert_eq!(run(&mut engine, a, "DISCARD"), Reply::ok());
    assert!(engine.client(a).unwrap().watched.is_empty());
    run(&mut engine, a, "WATCH k");
    run(&mut engine, a, "MULTI");
    assert_eq!(run(&mut engine, a, "RESET"), Reply::Simple("RESET".into()));
    let client = engine.client(a).unwrap();
    assert!(client.multi.is_none() && client.watched.is_empty());
    run(&mut engine, a, "WATCH k");
    engine.disconnect(a);
    // Nothing left to touch: the write must not trip over the gone client.
    assert_eq!(run(&mut engine, b, "SET k 1"), Reply::ok());
}
