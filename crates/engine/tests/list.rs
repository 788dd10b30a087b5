//! Native tests of the list family through the public `Engine` API: what the compat scripts
//! cannot show (the keyspace events each command announces, in Redis's order, hit/miss
//! counting, lists expiring under the manual clock), plus the replies worth pinning down.

use keyspace::event::NotifyClass::{Generic, List};
use keyspace::Reply;

mod common;
use common::Harness;

fn bulks(items: &[&str]) -> Reply {
    Reply::bulk_array(items.iter().copied())
}

#[test]
fn pushes_and_pops_announce_and_emptied_lists_go() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("LPUSH l a b"), Reply::Integer(2));
    assert_eq!(h.run("RPUSHX l c"), Reply::Integer(3));
    assert_eq!(h.run("LPUSHX nothing c"), Reply::Integer(0));
    assert_eq!(h.run("LRANGE l 0 -1"), bulks(&["b", "a", "c"]));
    assert_eq!(h.run("RPOP l 2"), bulks(&["c", "a"]));
    assert_eq!(h.run("LPOP l"), Reply::bulk("b"));
    assert_eq!(h.run("EXISTS l"), Reply::Integer(0));
    assert_eq!(
        h.events(),
        vec![
            (List, "lpush", "l".into()),
            (List, "rpush", "l".into()),
            (List, "rpop", "l".into()),
            (List, "lpop", "l".into()),
            (Generic, "del", "l".into()),
        ]
    );
}

#[test]
fn pop_replies_by_protocol_shape() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("LPOP missing"), Reply::Null);
    assert_eq!(h.run("LPOP missing 0"), Reply::NullArray);
    h.run("RPUSH l a");
    assert_eq!(h.run("LPOP l 0"), Reply::Array(vec![]));
    assert_eq!(
        h.run("LPOP l -1"),
        Reply::Error("ERR value is out of range, must be positive".into())
    );
    // A count of 0 pops nothing and announces nothing.
    h.events();
    h.run("LPOP l 0");
    assert!(h.events().is_empty());
}

#[test]
fn lmove_announces_the_push_before_the_pop() {
    let mut h = Harness::new(7);
    h.run("RPUSH src a");
    h.events();
    assert_eq!(h.run("LMOVE src dst LEFT RIGHT"), Reply::bulk("a"));
    assert_eq!(
        h.events(),
        vec![
            (List, "rpush", "dst".into()),
            (List, "lpop", "src".into()),
            (Generic, "del", "src".into()),
        ]
    );
    // A destination of the wrong type stops the move before anything changes.
    h.run("SET str v");
    assert!(h.run("RPOPLPUSH dst str").is_error());
    assert_eq!(h.run("LLEN dst"), Reply::Integer(1));
    // The same key rotates.
    h.run("RPUSH dst b c");
    assert_eq!(h.run("RPOPLPUSH dst dst"), Reply::bulk("c"));
    assert_eq!(h.run("LRANGE dst 0 -1"), bulks(&["c", "a", "b"]));
}

#[test]
fn lmpop_takes_the_first_non_empty_list() {
    let mut h = Harness::new(7);
    h.run("RPUSH b 1 2 3");
    assert_eq!(
        h.run("LMPOP 2 a b RIGHT COUNT 2"),
        Reply::Array(vec![Reply::bulk("b"), bulks(&["3", "2"])])
    );
    assert_eq!(h.run("LMPOP 1 a LEFT"), Reply::NullArray);
}

#[test]
fn edits_announce_only_what_changed() {
    let mut h = Harness::new(7);
    h.run("RPUSH l a b a");
    h.events();
    assert_eq!(h.run("LREM l 0 zzz"), Reply::Integer(0));
    assert_eq!(h.run("LINSERT l BEFORE zzz x"), Reply::Integer(-1));
    assert!(h.events().is_empty());
    assert_eq!(h.run("LSET l 1 B"), Reply::ok());
    assert_eq!(h.run("LINSERT l AFTER B c"), Reply::Integer(4));
    assert_eq!(h.run("LTRIM l 1 -1"), Reply::ok());
    assert_eq!(h.run("LREM l -1 a"), Reply::Integer(1));
    assert_eq!(h.run("LTRIM l 5 6"), Reply::ok());
    assert_eq!(
        h.events(),
        vec![
            (List, "lset", "l".into()),
            (List, "linsert", "l".into()),
            (List, "ltrim", "l".into()),
            (List, "lrem", "l".into()),
            (List, "ltrim", "l".into()),
            (Generic, "del", "l".into()),
        ]
    );
}

#[test]
fn reads_count_hits_and_misses() {
    let mut h = Harness::new(7);
    h.run("RPUSH l a");
    let before = h.engine.stats().keyspace_hits;
    h.run("LRANGE l 0 -1");
    h.run("LINDEX l 0");
    h.run("LPOS l a");
    h.run("LLEN missing");
    let stats = h.engine.stats();
    assert_eq!(stats.keyspace_hits, before + 3);
    assert_eq!(stats.keyspace_misses, 1);
}

#[test]
fn an_expired_list_is_gone() {
    let mut h = Harness::new(7);
    h.run("RPUSH l a b");
    h.run("PEXPIRE l 100");
    h.clock.advance_ms(101);
    assert_eq!(h.run("LLEN l"), Reply::Integer(0));
    assert_eq!(h.run("RPUSHX l c"), Reply::Integer(0));
    assert_eq!(h.run("LPOS l a COUNT 0"), Reply::Array(vec![]));
}

#[test]
fn lpos_ranks_from_either_end() {
    let mut h = Harness::new(7);
    h.run("RPUSH l a b a b a");
    assert_eq!(h.run("LPOS l a RANK -1"), Reply::Integer(4));
    assert_eq!(
        h.run("LPOS l a RANK -2 COUNT 0"),
        Reply::Array(vec![Reply::Integer(2), Reply::Integer(0)])
    );
    assert_eq!(h.run("LPOS l b MAXLEN 1"), Reply::Null);
}
