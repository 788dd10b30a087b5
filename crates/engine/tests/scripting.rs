//! Scripts run in slices: a script that does not end in its first slice leaves its caller
//! waiting, other clients' commands wait behind it until `busy-reply-threshold`, then get
//! BUSY (but SCRIPT KILL works); a killed script answers its caller; time stands still for
//! a script; its writes reach the log as one transaction.

mod common;

use common::*;
use keyspace::{Outcome, Reply};

#[test]
fn a_short_script_answers_at_once() {
    let mut h = Harness::new(1);
    assert_eq!(h.run("EVAL \"return 1\" 0"), Reply::Integer(1));
    assert_eq!(
        h.run("EVAL \"return redis.call('SET', KEYS[1], ARGV[1])\" 1 k v"),
        Reply::ok()
    );
    assert_eq!(h.run("GET k"), Reply::bulk("v"));
}

#[test]
fn a_long_script_answers_in_its_callers_outbox() {
    let mut h = Harness::new(1);
    let argv = keyspace::cli::split_args(
        b"EVAL \"local t = {}; for i = 1, 1000000 do t[1] = i end; return 7\" 0",
    )
    .unwrap();
    assert_eq!(h.engine.execute(h.client, &argv), Outcome::Blocked);
    assert!(h.engine.client(h.client).unwrap().is_blocked());
    let mut slices = 0;
    while h.engine.script_running() {
        h.engine.run_script();
        slices += 1;
    }
    assert!(slices > 1);
    assert_eq!(h.engine.take_woken(), [h.client]);
    assert_eq!(h.engine.drain(h.client), [Reply::Integer(7)]);
    assert!(!h.engine.client(h.client).unwrap().is_blocked());
}

/// An engine whose scripts time out at once (`busy-reply-threshold 0`), with a second client.
fn busy_harness() -> (Harness, keyspace::ClientId) {
    let mut h = Harness::new(1);
    assert_eq!(h.run("CONFIG SET busy-reply-threshold 0"), Reply::ok());
    let other = h.engine.connect();
    (h, other)
}

fn argv(line: &str) -> Vec<Vec<u8>> {
    keyspace::cli::split_args(line.as_bytes()).unwrap()
}

#[test]
fn behind_a_running_script_commands_wait_then_run_in_order() {
    let mut h = Harness::new(1);
    let other = h.engine.connect();
    let script = argv(
        "EVAL \"redis.call('SET', 'k', 'by the script'); for i = 1, 1000000 do end; return 1\" 0",
    );
    assert_eq!(h.engine.execute(h.client, &script), Outcome::Blocked);
    // Under the threshold another client's command waits, as behind Redis's one thread.
    assert_eq!(h.engine.execute(other, &argv("GET k")), Outcome::Blocked);
    assert!(h.engine.client(other).unwrap().is_blocked());
    while h.engine.script_running() {
        h.engine.run_script();
    }
    // It ran after the script, and saw what the script wrote.
    assert_eq!(h.engine.drain(other), [Reply::bulk("by the script")]);
    assert_eq!(h.engine.drain(h.client), [Reply::Integer(1)]);
    assert!(!h.engine.client(other).unwrap().is_blocked());
}

#[test]
fn past_the_threshold_others_get_busy_and_script_kill_ends_it() {
    let (mut h, other) = busy_harness();
    assert_eq!(
        h.engine
            .execute(h.client, &argv("EVAL \"while true do end\" 0")),
        Outcome::Blocked
    );
    h.engine.run_script();
    let busy = Reply::Error(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
            .into(),
    );
    assert_eq!(h.engine.execute(other, &argv("PING")), busy.clone().into());
    // The few commands a busy server runs still run.
    assert_eq!(
        h.engine.execute(other, &argv("SCRIPT KILL")),
        Reply::ok().into()
    );
    h.engine.run_script();
    assert!(!h.engine.script_running());
    let [Reply::Error(killed)] = &h.engine.drain(h.client)[..] else {
        panic!("the caller's reply")
    };
    assert!(
        killed.starts_with("ERR Script killed by user with SCRIPT KILL... script: "),
        "{killed}"
    );
    assert!(killed.ends_with(", on @user_script:1."), "{killed}");
    assert_eq!(
        h.engine.execute(other, &argv("PING")),
        Reply::Simple("PONG".into()).into()
    );
}

#[test]
fn a_script_that_wrote_cannot_be_killed() {
    let (mut h, other) = busy_harness();
    h.engine.execute(
        h.client,
        &argv("EVAL \"redis.call('SET', 'x', 1); while true do end\" 0"),
    );
    h.engine.run_script();
    let Outcome::Reply(Reply::Error(refused)) = h.engine.execute(other, &argv("SCRIPT KILL"))
    else {
        panic!()
    };
    assert!(refused.starts_with("UNKILLABLE Sorry the script already executed write"));
    assert!(h.engine.script_running());
}

#[test]
fn a_script_that_wrote_ends_only_with_shutdown_nosave() {
    let (mut h, other) = busy_harness();
    h.engine.execute(
        h.client,
        &argv("EVAL \"local n = 0; while n < 100000 do n = n + 1 end; redis.call('SET', 'x', 1); while true do end\" 0"),
    );
    assert!(
        !h.engine.running_script().is_some_and(|r| r.wrote),
        "not in its first slice yet"
    );
    for _ in 0..10 {
        h.engine.run_script();
    }
    assert!(h.engine.running_script().is_some_and(|r| r.wrote));
    // Saving would keep its writes half-way: a busy server takes only NOSAVE.
    let busy = Reply::Error(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
            .into(),
    );
    for refused in ["SHUTDOWN", "SHUTDOWN SAVE", "SHUTDOWN NOW"] {
        assert_eq!(h.engine.execute(other, &argv(refused)), busy.clone().into());
    }
    assert!(!h.engine.shutdown_requested());
    h.engine.take_persistence_log();
    assert_eq!(
        h.engine.execute(other, &argv("SHUTDOWN NOSAVE")),
        Outcome::Replies(Vec::new())
    );
    assert_eq!(h.engine.shutdown_by(), Some(other));
    assert_eq!(
        h.engine.take_persistence_log(),
        [
            "User requested shutdown...",
            "Redis is now ready to exit, bye bye..."
        ]
    );
    // The process is gone: the script runs no more, and no command does.
    h.engine.run_script();
    assert!(h.engine.drain(h.client).is_empty());
    assert_eq!(
        h.engine.execute(other, &argv("PING")),
        Outcome::Replies(Vec::new())
    );
}

#[test]
fn shutdown_nosave_sent_before_the_threshold_waits_then_stops_everything_after_it() {
    let mut h = Harness::new(1);
    let (second, third) = (h.engine.connect(), h.engine.connect());
    h.engine.execute(
        h.client,
        &argv("EVAL \"redis.call('SET', 'x', 1); while true do end\" 0"),
    );
    assert_eq!(
        h.engine.execute(second, &argv("SHUTDOWN NOSAVE")),
        Outcome::Blocked
    );
    assert_eq!(h.engine.execute(third, &argv("PING")), Outcome::Blocked);
    h.clock.advance_ms(5_001);
    h.engine.run_script();
    assert_eq!(h.engine.shutdown_by(), Some(second));
    // The PING behind it never ran.
    assert!(h.engine.drain(third).is_empty());
}

#[test]
fn time_stands_still_for_a_script() {
    let mut h = Harness::new(1);
    let script = argv(
        "EVAL \"redis.call('SET', 'k', 'v', 'PX', 10); for i = 1, 2000000 do end; \
         return redis.call('EXISTS', 'k')\" 0",
    );
    assert_eq!(h.engine.execute(h.client, &script), Outcome::Blocked);
    while h.engine.script_running() {
        // Time passes between the slices; the script does not see it.
        h.clock.advance_ms(100);
        h.engine.run_script();
    }
    assert_eq!(h.engine.drain(h.client), [Reply::Integer(1)]);
    // Outside it, the key's 10 ms are long gone.
    assert_eq!(h.run("EXISTS k"), Reply::Integer(0));
}

#[test]
fn a_script_in_a_transaction_runs_whole() {
    let mut h = Harness::new(1);
    h.run("MULTI");
    h.run("EVAL \"local n = 0; for i = 1, 1000000 do n = n + 1 end; return n\" 0");
    assert_eq!(h.run("EXEC"), Reply::Array(vec![Reply::Integer(1_000_000)]));
    // One that runs past the threshold without writing is stopped: nobody could kill it.
    h.run("CONFIG SET busy-reply-threshold 0");
    h.run("MULTI");
    h.run("EVAL \"while true do end\" 0");
    let Reply::Array(replies) = h.run("EXEC") else {
        panic!()
    };
    let [Reply::Error(stopped)] = &replies[..] else {
        panic!("{replies:?}")
    };
    assert!(stopped.starts_with("ERR Script stopped: it ran past busy-reply-threshold"));
}

#[test]
fn a_script_that_allocates_without_end_gets_an_error() {
    let mut h = Harness::new(1);
    let script = argv("EVAL \"local t = {}; local i = 0; while true do i = i + 1; t[i] = string.rep('x', 1000000) .. i end\" 0");
    let mut outcome = h.engine.execute(h.client, &script);
    let mut slices = 0;
    while h.engine.script_running() {
        h.engine.run_script();
        slices += 1;
        assert!(slices < 100_000, "the memory limit ends it");
    }
    if outcome == Outcome::Blocked {
        outcome = Outcome::Replies(h.engine.drain(h.client));
    }
    let replies = outcome.into_replies();
    let [Reply::Error(error)] = &replies[..] else {
        panic!("{replies:?}")
    };
    assert!(error.contains("not enough memory"), "{error}");
    // The state is usable after it, its memory given back.
    assert_eq!(
        h.run("EVAL \"return 'still here'\" 0"),
        Reply::bulk("still here")
    );
}
