//! Native tests of sorted sets and SORT through the public `Engine` API: the events they
//! announce, the element scans' guarantee over a skip list and a set's hashtable while members
//! come and go, ranks and ranges on a large skip list checked against a plain sorted vector,
//! what SORT looks up and stores, and what a set shows on each side of the listpack limits,
//! whichever command carried it across.

use std::collections::BTreeSet;

use keyspace::event::NotifyClass::{Generic, List, ZSet};
use keyspace::{Config, Engine, ManualClock, Reply};

mod common;
use common::{Harness, START_MS};

impl Harness {
    /// A whole element scan with COUNT 5, running `between(call number)` after each call;
    /// every name met.
    fn walk(
        &mut self,
        command: &str,
        key: &str,
        mut between: impl FnMut(&mut Harness, usize),
    ) -> BTreeSet<String> {
        let (mut seen, mut cursor, mut calls) = (BTreeSet::new(), "0".to_string(), 0);
        loop {
            let Reply::Array(parts) = self.run(&format!("{command} {key} {cursor} COUNT 5")) else {
                panic!("{command} reply")
            };
            cursor = texts(&Reply::Array(vec![parts[0].clone()]))[0].clone();
            let step = if command == "SSCAN" { 1 } else { 2 };
            seen.extend(texts(&parts[1]).into_iter().step_by(step));
            between(self, calls);
            calls += 1;
            if cursor == "0" {
                return seen;
            }
        }
    }
}

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
fn writes_announce_and_an_emptied_sorted_set_goes() {
    let mut h = Harness::new(1);
    h.run("ZADD z 1 a 2 b 3 c");
    h.run("ZADD z NX 5 a");
    h.run("ZINCRBY z 1 a");
    h.run("ZADD z INCR 1 b");
    h.run("ZREM z nosuch");
    h.run("ZREMRANGEBYSCORE z 10 20");
    h.run("ZPOPMIN z");
    h.run("ZREM z b c");
    assert_eq!(h.run("EXISTS z"), Reply::Integer(0));
    let z = |event| (ZSet, event, "z".to_string());
    assert_eq!(
        h.events(),
        vec![
            z("zadd"),
            z("zincr"),
            z("zincr"),
            z("zpopmin"),
            z("zrem"),
            (Generic, "del", "z".into()),
        ]
    );
}

#[test]
fn ranks_and_ranges_of_a_large_skip_list_match_a_sorted_vector() {
    let mut h = Harness::new(1);
    // Scores repeat (ties go by member) and members are added and removed out of order.
    let mut expected: Vec<(i64, String)> = Vec::new();
    for i in 0..600i64 {
        let (score, member) = ((i * 37) % 101, format!("m{:03}", (i * 7919) % 600));
        h.run(&format!("ZADD z {score} {member}"));
        expected.retain(|(_, m)| *m != member);
        expected.push((score, member));
    }
    for i in (0..600).step_by(3) {
        let member = format!("m{i:03}");
        h.run(&format!("ZREM z {member}"));
        expected.retain(|(_, m)| *m != member);
    }
    expected.sort();
    assert_eq!(h.run("OBJECT ENCODING z"), Reply::bulk("skiplist"));
    assert_eq!(h.run("ZCARD z"), Reply::Integer(expected.len() as i64));
    for (rank, (_, member)) in expected.iter().enumerate().step_by(17) {
        assert_eq!(
            h.run(&format!("ZRANK z {member}")),
            Reply::Integer(rank as i64)
        );
        let reverse = expected.len() - 1 - rank;
        assert_eq!(
            h.run(&format!("ZREVRANK z {member}")),
            Reply::Integer(reverse as i64)
        );
    }
    let members =
        |range: &[(i64, String)]| range.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>();
    assert_eq!(
        texts(&h.run("ZRANGE z 100 109")),
        members(&expected[100..110])
    );
    let in_range: Vec<_> = expected
        .iter()
        .filter(|(s, _)| (40..=60).contains(s))
        .cloned()
        .collect();
    assert_eq!(
        texts(&h.run("ZRANGEBYSCORE z 40 60 LIMIT 3 5")),
        members(&in_range[3..8])
    );
    assert_eq!(
        h.run("ZCOUNT z 40 60"),
        Reply::Integer(in_range.len() as i64)
    );
    let mut reversed = in_range.clone();
    reversed.reverse();
    assert_eq!(
        texts(&h.run("ZREVRANGEBYSCORE z 60 40 LIMIT 2 4")),
        members(&reversed[2..6])
    );
}

#[test]
fn zscan_and_sscan_return_every_member_present_throughout_a_walk() {
    let mut h = Harness::new(1);
    for i in 0..200 {
        h.run(&format!("ZADD z {i} m{i}"));
        h.run(&format!("SADD s m{i}"));
    }
    assert_eq!(h.run("OBJECT ENCODING z"), Reply::bulk("skiplist"));
    assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("hashtable"));
    for (command, key, remove, add) in [
        ("ZSCAN", "z", "ZREM", "ZADD z 1"),
        ("SSCAN", "s", "SREM", "SADD s"),
    ] {
        // Members come and go mid-walk: m0..m29 deleted, new ones added.
        let seen = h.walk(command, key, |h, call| {
            if call < 30 {
                h.run(&format!("{remove} {key} m{call}"));
                h.run(&format!("{add} new{call}"));
            }
        });
        for i in 30..200 {
            assert!(seen.contains(&format!("m{i}")), "{command}: m{i} missed");
        }
    }
}

#[test]
fn sort_looks_keys_up_through_the_door_and_stores_a_list() {
    let mut h = Harness::new(1);
    h.run("RPUSH l 3 1 2");
    h.run("MSET w_1 30 w_2 10 w_3 20");
    h.run("HSET h_1 name one");
    let before = (
        h.engine.stats().keyspace_hits,
        h.engine.stats().keyspace_misses,
    );
    assert_eq!(
        h.run("SORT l BY w_* GET h_*->name GET #"),
        Reply::Array(vec![
            Reply::Null,
            Reply::bulk("2"),
            Reply::Null,
            Reply::bulk("3"),
            Reply::bulk("one"),
            Reply::bulk("1"),
        ])
    );
    // The list, three weights and h_1 are hits; h_2 and h_3 are misses, as in Redis.
    let after = (
        h.engine.stats().keyspace_hits,
        h.engine.stats().keyspace_misses,
    );
    assert_eq!((after.0 - before.0, after.1 - before.1), (5, 2));
    h.events();
    assert_eq!(h.run("SORT l BY w_* STORE dst"), Reply::Integer(3));
    assert_eq!(texts(&h.run("LRANGE dst 0 -1")), ["2", "3", "1"]);
    assert_eq!(h.run("SORT nosuch STORE dst"), Reply::Integer(0));
    assert_eq!(h.run("EXISTS dst"), Reply::Integer(0));
    assert_eq!(
        h.events(),
        vec![
            (List, "sortstore", "dst".into()),
            (Generic, "del", "dst".into())
        ]
    );
}

/// A reply's strings and scores as text (a score as Rust prints it: `1`, `0.5`, `-0`); a
/// single reply as one.
fn shown(reply: &Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) => items.iter().flat_map(shown).collect(),
        Reply::Bulk(b) => vec![String::from_utf8_lossy(b).into_owned()],
        Reply::Double(d) => vec![d.to_string()],
        other => panic!("not a string or score: {other:?}"),
    }
}

/// An engine whose DEBUG RELOAD works, with both listpack limits set small.
fn small_limits(entries: usize, value: usize) -> Harness {
    let clock = ManualClock::new(START_MS);
    let mut config = Config::default();
    for (name, v) in [
        ("enable-debug-command", "yes".to_string()),
        ("zset-max-listpack-entries", entries.to_string()),
        ("zset-max-listpack-value", value.to_string()),
    ] {
        config
            .set(name.as_bytes(), v.as_bytes(), true)
            .expect("a valid value");
    }
    let mut engine = Engine::new(config, Box::new(clock.clone()), 5);
    let client = engine.connect();
    Harness {
        engine,
        client,
        clock,
    }
}

impl Harness {
    fn encoding(&mut self, key: &str) -> String {
        texts(&Reply::Array(vec![
            self.run(&format!("OBJECT ENCODING {key}"))
        ]))[0]
            .clone()
    }

    /// ZRANGE WITHSCORES, ZREVRANGE, a rank and a score range: what a user reads of a set.
    fn reading(&mut self, key: &str) -> Vec<String> {
        let mut out = shown(&self.run(&format!("ZRANGE {key} 0 -1 WITHSCORES")));
        out.extend(shown(&self.run(&format!("ZREVRANGE {key} 1 2"))));
        out.extend(shown(
            &self.run(&format!("ZRANGEBYSCORE {key} (1 +inf LIMIT 1 2")),
        ));
        out.push(format!("{:?}", self.run(&format!("ZRANK {key} b"))));
        out.push(format!("{:?}", self.run(&format!("ZCOUNT {key} 1 3"))));
        out
    }
}

#[test]
fn a_set_reads_the_same_on_each_side_of_the_listpack_limits() {
    let mut h = small_limits(3, 4);
    // ZADD: at the entry limit a listpack, one more a skip list; the order and scores read
    // the same before and after.
    h.run("ZADD z 3 c 1 a 2 b");
    assert_eq!(h.encoding("z"), "listpack");
    let before = h.reading("z");
    assert_eq!(before[..6], ["a", "1", "b", "2", "c", "3"]);
    h.run("ZADD z 4 d");
    assert_eq!(h.encoding("z"), "skiplist");
    let after = h.reading("z");
    assert_eq!(after[..8], ["a", "1", "b", "2", "c", "3", "d", "4"]);
    assert_eq!(h.run("ZRANK z b"), Reply::Integer(1));

    // The value limit: a four-byte member stays, a five-byte one converts.
    h.run("ZADD v 1 abcd");
    assert_eq!(h.encoding("v"), "listpack");
    h.run("ZADD v 2 abcde");
    assert_eq!(h.encoding("v"), "skiplist");

    // ZINCRBY: in place in a listpack (-0 comes back as 0 there), then past the limit.
    h.run("ZADD i 1 a 2 b");
    assert_eq!(shown(&h.run("ZINCRBY i -1 a")), ["0"]);
    h.run("ZINCRBY i 5 c");
    assert_eq!(h.encoding("i"), "listpack");
    assert_eq!(
        shown(&h.run("ZRANGE i 0 -1 WITHSCORES")),
        ["a", "0", "b", "2", "c", "5"]
    );
    h.run("ZINCRBY i 0.5 d");
    assert_eq!(h.encoding("i"), "skiplist");
    assert_eq!(
        shown(&h.run("ZRANGE i 0 -1 WITHSCORES")),
        ["a", "0", "d", "0.5", "b", "2", "c", "5"]
    );
    h.run("ZADD i -0 e");
    assert_eq!(shown(&h.run("ZSCORE i e")), ["-0"]);

    // The STORE commands build small first: a result within the limits is a listpack, even
    // from skip-list inputs.
    h.run("ZUNIONSTORE u 1 z");
    assert_eq!(h.encoding("u"), "skiplist");
    assert_eq!(h.reading("u"), after);
    h.run("ZRANGESTORE r z 0 2");
    assert_eq!(h.encoding("r"), "listpack");
    assert_eq!(
        shown(&h.run("ZRANGE r 0 -1 WITHSCORES")),
        ["a", "1", "b", "2", "c", "3"]
    );
    h.run("ZUNIONSTORE small 2 r v WEIGHTS 1 0");
    assert_eq!(h.encoding("small"), "skiplist");
    h.run("ZINTERSTORE inter 2 z r");
    assert_eq!(h.encoding("inter"), "listpack");

    // RESTORE: a skip list's payload that fits loads as a listpack.
    let Reply::Bulk(payload) = h.run("DUMP z") else {
        panic!("DUMP reply")
    };
    h.run("ZREMRANGEBYRANK z 2 -1");
    let Reply::Bulk(small) = h.run("DUMP z") else {
        panic!("DUMP reply")
    };
    let argv = |key: &str, bytes: &[u8]| {
        vec![
            b"RESTORE".to_vec(),
            key.as_bytes().to_vec(),
            b"0".to_vec(),
            bytes.to_vec(),
        ]
    };
    for (key, bytes, encoding) in [("big", &payload, "skiplist"), ("fits", &small, "listpack")] {
        let client = h.client;
        assert_eq!(
            h.engine.execute(client, &argv(key, bytes)).into_replies(),
            vec![Reply::ok()]
        );
        assert_eq!(h.encoding(key), encoding);
    }
    assert_eq!(shown(&h.run("ZRANGE fits 0 -1")), ["a", "b"]);
    assert_eq!(h.reading("big"), after);

    // DEBUG RELOAD under other limits: what fits becomes a listpack, what does not a skip
    // list, reading the same.
    let big_before = h.reading("big");
    let r_before = h.reading("r");
    h.run("CONFIG SET zset-max-listpack-entries 2");
    assert_eq!(h.run("DEBUG RELOAD"), Reply::ok());
    assert_eq!(h.encoding("r"), "skiplist");
    assert_eq!(h.encoding("fits"), "listpack");
    assert_eq!(h.reading("r"), r_before);
    h.run("CONFIG SET zset-max-listpack-entries 128");
    h.run("CONFIG SET zset-max-listpack-value 64");
    assert_eq!(h.run("DEBUG RELOAD"), Reply::ok());
    assert_eq!(h.encoding("big"), "listpack");
    assert_eq!(h.encoding("r"), "listpack");
    assert_eq!(h.reading("big"), big_before);
    assert_eq!(h.reading("r"), r_before);

    // Listpacks off: a skip list from the first member, for ZADD and the STORE commands.
    h.run("CONFIG SET zset-max-listpack-entries 0");
    h.run("ZADD off 1 a");
    assert_eq!(h.encoding("off"), "skiplist");
    h.run("ZUNIONSTORE offstore 1 fits");
    assert_eq!(h.encoding("offstore"), "skiplist");
}
