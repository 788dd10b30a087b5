//! Native tests of the hash family through the public `Engine` API: the events each command
//! announces, HSCAN's guarantee over a hash table while fields come and go, HRANDFIELD's
//! seeded randomness, and the listpack-to-hashtable conversion's effect on reply order.

use std::collections::BTreeSet;

use keyspace::event::NotifyClass::{Generic, Hash};
use keyspace::Reply;

mod common;
use common::Harness;

/// The bulk strings of an array reply, as text.
fn texts(reply: &Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) => items
            .iter()
            .map(|i| match i {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("not a bulk: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn writes_announce_and_an_emptied_hash_goes() {
    let mut h = Harness::new(1);
    assert_eq!(h.run("HSET h a 1 b 2"), Reply::Integer(2));
    assert_eq!(h.run("HSETNX h a 9"), Reply::Integer(0));
    assert_eq!(h.run("HINCRBY h a 5"), Reply::Integer(6));
    assert_eq!(h.run("HINCRBYFLOAT h b 0.5"), Reply::bulk("2.5"));
    assert_eq!(h.run("HDEL h nope"), Reply::Integer(0));
    assert_eq!(h.run("HDEL h a b"), Reply::Integer(2));
    assert_eq!(h.run("EXISTS h"), Reply::Integer(0));
    assert_eq!(
        h.events(),
        vec![
            (Hash, "hset", "h".into()),
            (Hash, "hincrby", "h".into()),
            (Hash, "hincrbyfloat", "h".into()),
            (Hash, "hdel", "h".into()),
            (Generic, "del", "h".into()),
        ]
    );
}

#[test]
fn hgetall_is_a_map_in_insertion_order_while_a_listpack() {
    let mut h = Harness::new(1);
    h.run("HSET h z 1 a 2 m 3");
    h.run("HDEL h a");
    h.run("HSET h a 4");
    assert_eq!(
        h.run("HGETALL h"),
        Reply::Map(vec![
            (Reply::bulk("z"), Reply::bulk("1")),
            (Reply::bulk("m"), Reply::bulk("3")),
            (Reply::bulk("a"), Reply::bulk("4")),
        ])
    );
}

#[test]
fn hscan_returns_every_field_present_throughout_a_walk() {
    let mut h = Harness::new(1);
    for i in 0..600 {
        h.run(&format!("HSET big f{i} v{i}"));
    }
    assert_eq!(h.run("OBJECT ENCODING big"), Reply::bulk("hashtable"));
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let reply = h.run(&format!("HSCAN big {cursor} COUNT 7"));
        let Reply::Array(parts) = reply else {
            panic!("HSCAN reply")
        };
        cursor = texts(&Reply::Array(vec![parts[0].clone()]))[0].clone();
        for pair in texts(&parts[1]).chunks(2) {
            seen.insert(pair[0].clone());
        }
        // Fields come and go mid-walk: deleting f0..f49 and adding new ones.
        if calls < 50 {
            h.run(&format!("HDEL big f{calls}"));
            h.run(&format!("HSET big new{calls} x"));
        }
        calls += 1;
        if cursor == "0" {
            break;
        }
    }
    for i in 50..600 {
        assert!(seen.contains(&format!("f{i}")), "f{i} missed");
    }
}

#[test]
fn hscan_of_a_listpack_is_one_call() {
    let mut h = Harness::new(1);
    h.run("HSET h a 1 b 2 c 3");
    assert_eq!(
        h.run("HSCAN h 0 COUNT 1 MATCH [ab]"),
        Reply::Array(vec![
            Reply::bulk("0"),
            Reply::bulk_array(["a", "1", "b", "2"]),
        ])
    );
}

#[test]
fn hrandfield_follows_the_seed_and_its_rules() {
    let draw = |seed| {
        let mut h = Harness::new(seed);
        h.run("HSET h a 1 b 2 c 3 d 4 e 5");
        (h.run("HRANDFIELD h 3"), h.run("HRANDFIELD h -10"))
    };
    assert_eq!(draw(5), draw(5));
    let (distinct, repeated) = draw(5);
    let distinct = texts(&distinct);
    assert_eq!(distinct.len(), 3);
    // A listpack's sample keeps the hash's order.
    let mut sorted = distinct.clone();
    sorted.sort();
    assert_eq!(distinct, sorted);
    assert_eq!(texts(&repeated).len(), 10);

    let mut h = Harness::new(5);
    h.run("HSET h a 1 b 2");
    assert_eq!(
        h.run("HRANDFIELD h 5 WITHVALUES"),
        Reply::bulk_array(["a", "1", "b", "2"])
    );
}

#[test]
fn listpack_limits_come_from_the_config() {
    let mut h = Harness::new(1);
    h.run("CONFIG SET hash-max-listpack-entries 2");
    h.run("HSET h a 1 b 2");
    assert_eq!(h.run("OBJECT ENCODING h"), Reply::bulk("listpack"));
    h.run("HSET h c 3");
    assert_eq!(h.run("OBJECT ENCODING h"), Reply::bulk("hashtable"));
    h.run("HDEL h a b");
    assert_eq!(h.run("OBJECT ENCODING h"), Reply::bulk("hashtable"));
}
