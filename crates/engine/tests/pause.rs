//! Native tests of CLIENT PAUSE under the manual clock: which commands wait in WRITE and ALL
//! modes, replies arriving in the outbox when the pause ends (by UNPAUSE or on the tick after
//! its deadline), the longer pause winning, the dataset kept still, and INFO's count.

mod common;
use common::{engine, execute, info_field, run};
use keyspace::pause::{ClientPause, PauseMode};
use keyspace::{Outcome, Reply};

#[test]
fn a_write_pause_holds_writes_until_its_deadline_passes_on_a_tick() {
    let (mut engine, clock) = engine();
    let (admin, writer) = (engine.connect(), engine.connect());
    run(&mut engine, writer, "SET k 1");
    assert_eq!(
        run(&mut engine, admin, "CLIENT PAUSE 100 WRITE"),
        Reply::ok()
    );
    assert_eq!(
        engine.client_pause(),
        Some(ClientPause {
            mode: PauseMode::Write,
            end_ms: 1_700_000_000_100
        })
    );
    assert_eq!(run(&mut engine, writer, "GET k"), Reply::bulk("1"));
    assert_eq!(execute(&mut engine, writer, "INCR k"), Outcome::Blocked);
    assert!(engine.client(writer).unwrap().is_blocked());
    assert_eq!(
        engine.paused_command(writer),
        Some(&[b"INCR".to_vec(), b"k".to_vec()][..])
    );
    assert_eq!(info_field(&mut engine, admin, "blocked_clients"), "1");
    let Reply::Verbatim { text, .. } = run(&mut engine, admin, "CLIENT LIST") else {
        panic!("CLIENT LIST is verbatim");
    };
    let held = String::from_utf8(text).unwrap();
    assert!(
        held.lines().any(
            |l| l.contains(" flags=b ") && l.ends_with("cmd=incr user=default redir=-1 resp=2")
        ),
        "{held}"
    );
    // At its very millisecond the pause still holds; the tick after it ends it.
    clock.advance_ms(100);
    engine.tick();
    assert!(engine.drain(writer).is_empty());
    clock.advance_ms(1);
    engine.tick();
    assert_eq!(engine.client_pause(), None);
    assert_eq!(engine.drain(writer), vec![Reply::Integer(2)]);
    assert!(!engine.client(writer).unwrap().is_blocked());
    assert_eq!(info_field(&mut engine, admin, "blocked_clients"), "0");
}

#[test]
fn write_mode_holds_publish_scripts_that_may_write_and_exec_of_a_write() {
    let (mut engine, _) = engine();
    let (admin, a, b, c, d) = (
        engine.connect(),
        engine.connect(),
        engine.connect(),
        engine.connect(),
        engine.connect(),
    );
    run(&mut engine, admin, "CLIENT PAUSE 100000 WRITE");
    assert_eq!(execute(&mut engine, a, "PUBLISH ch x"), Outcome::Blocked);
    assert_eq!(
        execute(&mut engine, b, "EVAL \"return 1\" 0"),
        Outcome::Blocked
    );
    assert_eq!(
        run(&mut engine, c, "EVAL \"#!lua flags=no-writes\nreturn 2\" 0"),
        Reply::Integer(2)
    );
    run(&mut engine, d, "MULTI");
    assert_eq!(run(&mut engine, d, "GET k"), Reply::Simple("QUEUED".into()));
    // A write inside MULTI waits before it is even queued.
    assert_eq!(execute(&mut engine, d, "SET k v"), Outcome::Blocked);
    // A refused command is refused at once.
    assert_eq!(
        run(&mut engine, c, "SET"),
        Reply::Error("ERR wrong number of arguments for 'set' command".into())
    );
    assert_eq!(run(&mut engine, admin, "CLIENT UNPAUSE"), Reply::ok());
    assert_eq!(engine.drain(a), vec![Reply::Integer(0)]);
    assert_eq!(engine.drain(b), vec![Reply::Integer(1)]);
    assert_eq!(engine.drain(d), vec![Reply::Simple("QUEUED".into())]);
}

#[test]
fn all_mode_holds_every_command_and_a_shorter_pause_never_shortens_it() {
    let (mut engine, clock) = engine();
    let (admin, reader, monitor) = (engine.connect(), engine.connect(), engine.connect());
    run(&mut engine, monitor, "MONITOR");
    run(&mut engine, admin, "CLIENT PAUSE 500 ALL");
    // The pausing client's own commands wait too; a monitor's never do.
    assert_eq!(
        execute(&mut engine, admin, "CLIENT PAUSE 10 WRITE"),
        Outcome::Blocked
    );
    assert_eq!(execute(&mut engine, reader, "GET k"), Outcome::Blocked);
    assert_eq!(
        execute(&mut engine, monitor, "PING").into_replies()[0],
        Reply::Simple("PONG".into())
    );
    clock.advance_ms(501);
    engine.tick();
    // The held CLIENT PAUSE ran first and paused WRITE again: the GET was read anyway.
    assert_eq!(engine.drain(admin), vec![Reply::ok()]);
    assert_eq!(engine.drain(reader), vec![Reply::Null]);
    assert_eq!(
        engine.client_pause().map(|p| p.mode),
        Some(PauseMode::Write)
    );
}

#[test]
fn a_pause_extends_to_the_later_deadline_and_the_stricter_mode() {
    let (mut engine, _) = engine();
    let admin = engine.connect();
    run(&mut engine, admin, "CLIENT PAUSE 1000 WRITE");
    run(&mut engine, admin, "CLIENT PAUSE 10 WRITE");
    assert_eq!(
        engine.client_pause().map(|p| p.end_ms),
        Some(1_700_000_001_000)
    );
    assert_eq!(run(&mut engine, admin, "CLIENT PAUSE 0"), Reply::ok());
    assert_eq!(
        engine.client_pause(),
        Some(ClientPause {
            mode: PauseMode::All,
            end_ms: 1_700_000_001_000
        })
    );
}

#[test]
fn a_zero_pause_pauses_nothing_and_bad_arguments_are_refused() {
    let (mut engine, _) = engine();
    let admin = engine.connect();
    assert_eq!(run(&mut engine, admin, "CLIENT PAUSE 0 WRITE"), Reply::ok());
    assert_eq!(engine.client_pause(), None);
    for (line, error) in [
        (
            "CLIENT PAUSE 10 sometimes",
            "ERR CLIENT PAUSE mode must be WRITE or ALL",
        ),
        (
            "CLIENT PAUSE abc sometimes",
            "ERR CLIENT PAUSE mode must be WRITE or ALL",
        ),
        (
            "CLIENT PAUSE abc",
            "ERR timeout is not an integer or out of range",
        ),
        ("CLIENT PAUSE -1", "ERR timeout is negative"),
    ] {
        assert_eq!(
            run(&mut engine, admin, line),
            Reply::Error(error.into()),
            "{line}"
        );
    }
}

#[test]
fn the_dataset_stays_still_active_expiry_waits_for_the_end_of_the_pause() {
    let (mut engine, clock) = engine();
    let admin = engine.connect();
    run(&mut engine, admin, "SET k v PX 10");
    run(&mut engine, admin, "CLIENT PAUSE 1000 WRITE");
    clock.advance_ms(500);
    for _ in 0..20 {
        engine.tick();
    }
    assert_eq!(engine.db(0).unwrap().len(), 1);
    clock.advance_ms(501);
    for _ in 0..20 {
        engine.tick();
    }
    assert_eq!(engine.db(0).unwrap().len(), 0);
}

#[test]
fn a_stale_key_reads_as_missing_but_stays_until_the_pause_ends() {
    let (mut engine, clock) = engine();
    let admin = engine.connect();
    run(&mut engine, admin, "SET k v PX 10");
    run(&mut engine, admin, "CLIENT PAUSE 100000 WRITE");
    clock.advance_ms(20);
    assert_eq!(run(&mut engine, admin, "GET k"), Reply::Null);
    assert_eq!(run(&mut engine, admin, "DBSIZE"), Reply::Integer(1));
    run(&mut engine, admin, "CLIENT UNPAUSE");
    assert_eq!(run(&mut engine, admin, "GET k"), Reply::Null);
    assert_eq!(run(&mut engine, admin, "DBSIZE"), Reply::Integer(0));
}

#[test]
fn a_held_client_that_leaves_is_forgotten() {
    let (mut engine, _) = engine();
    let (admin, writer) = (engine.connect(), engine.connect());
    run(&mut engine, admin, "CLIENT PAUSE 100000 WRITE");
    assert_eq!(execute(&mut engine, writer, "SET k v"), Outcome::Blocked);
    engine.disconnect(writer);
    run(&mut engine, admin, "CLIENT UNPAUSE");
    assert_eq!(run(&mut engine, admin, "EXISTS k"), Reply::Integer(0));
    assert_eq!(info_field(&mut engine, admin, "blocked_clients"), "0");
}
