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
