//! Native tests of OBJECT: IDLETIME under the manual clock (which real Redis cannot pin
//! down to the second), which commands refresh a key's access time, and ENCODING's answers
//! for each string history and after SPOP.

use keyspace::Reply;

mod common;
use common::Harness;

#[test]
fn idletime_counts_seconds_since_the_last_touch() {
    let mut h = Harness::new(7);
    h.run("RPUSH l a");
    h.clock.advance_ms(5_000);
    assert_eq!(h.run("OBJECT IDLETIME l"), Reply::Integer(5));
    // OBJECT itself, TYPE and TTL do not touch; a read does.
    h.run("TYPE l");
    assert_eq!(h.run("OBJECT IDLETIME l"), Reply::Integer(5));
    h.run("LLEN l");
    assert_eq!(h.run("OBJECT IDLETIME l"), Reply::Integer(0));
    h.clock.advance_ms(2_000);
    h.run("HSET h f v");
    h.run("RPUSH l b");
    assert_eq!(h.run("OBJECT IDLETIME l"), Reply::Integer(0));
    assert_eq!(h.run("OBJECT IDLETIME missing"), Reply::Null);
}

#[test]
fn object_counts_a_hit_or_a_miss() {
    let mut h = Harness::new(7);
    h.run("SET k v");
    h.run("OBJECT ENCODING k");
    h.run("OBJECT ENCODING missing");
    let stats = h.engine.stats();
    assert_eq!((stats.keyspace_hits, stats.keyspace_misses), (1, 1));
}

#[test]
fn string_encodings_follow_their_history() {
    let mut h = Harness::new(7);
    let cases = [
        ("SET k 42", "int"),
        ("APPEND k 0", "raw"),
        ("INCR k", "int"),
        ("INCRBYFLOAT k 1", "embstr"),
        ("SET k hello", "embstr"),
        ("SETRANGE k 0 j", "raw"),
        ("SET k 7", "int"),
    ];
    for (command, encoding) in cases {
        h.run(command);
        assert_eq!(
            h.run("OBJECT ENCODING k"),
            Reply::bulk(encoding),
            "{command}"
        );
    }
    h.run("SET shared 7");
    assert_eq!(h.run("OBJECT REFCOUNT shared"), Reply::Integer(2147483647));
    h.run("COPY shared copy");
    assert_eq!(h.run("OBJECT REFCOUNT copy"), Reply::Integer(1));
    assert_eq!(h.run("OBJECT ENCODING copy"), Reply::bulk("int"));
}

#[test]
fn spop_keeps_the_encoding_unless_a_count_leaves_few() {
    let mut h = Harness::new(7);
    let hashtable_of = |h: &mut Harness, members: &str| {
        h.run("DEL s");
        h.run(&format!("SADD s {members} x"));
        h.run("SREM s x");
        assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("hashtable"));
    };
    // One member popped, or a count that leaves more than a fifth of it: removed in place.
    hashtable_of(&mut h, "1 2");
    h.run("SPOP s");
    assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("hashtable"));
    hashtable_of(&mut h, "1 2 3 4 5 6 7 8 9 10");
    h.run("SPOP s 3");
    assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("hashtable"));
    hashtable_of(&mut h, "1 2 3 4 5 6 7");
    h.run("SPOP s 5");
    assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("hashtable"));
    // A count that leaves at most a fifth of it: the rest is a new set, encoded by its members.
    hashtable_of(&mut h, "1 2 3 4 5 6");
    h.run("SPOP s 5");
    assert_eq!(h.run("SCARD s"), Reply::Integer(1));
    assert_eq!(h.run("OBJECT ENCODING s"), Reply::bulk("intset"));
}

#[test]
fn freq_needs_an_lfu_policy() {
    let mut h = Harness::new(7);
    h.run("SET k v");
    assert!(h.run("OBJECT FREQ k").is_error());
    assert_eq!(h.run("OBJECT FREQ missing"), Reply::Null);
}

#[test]
fn a_shared_integer_idles_as_its_object_does() {
    // Redis keeps one object per integer 0..9999, created at startup, and a lookup refreshes
    // that object's clock: every key holding 11 shares one idle time (found by difftest:
    // MSETNX k 1, INCRBY k 10, OBJECT IDLETIME k answered the seconds since server start).
    let mut h = Harness::new(7);
    h.clock.advance_ms(100_000);
    h.run("SET k 11");
    assert_eq!(h.run("OBJECT IDLETIME k"), Reply::Integer(100));
    h.run("SET j 11");
    h.run("GET j");
    assert_eq!(h.run("OBJECT IDLETIME k"), Reply::Integer(0));
    h.clock.advance_ms(7_000);
    // Not shared: beyond 9999, or modified in place by APPEND (whose first call, creating
    // the key, stores a shared 1 as Redis does).
    h.run("SET big 12345");
    h.run("APPEND raw 1");
    h.run("APPEND raw 1");
    assert_eq!(h.run("OBJECT IDLETIME big"), Reply::Integer(0));
    assert_eq!(h.run("OBJECT IDLETIME raw"), Reply::Integer(0));
    assert_eq!(h.run("OBJECT IDLETIME k"), Reply::Integer(7));
    // Under an LRU policy with a limit, integers are not shared: each key has its own clock.
    h.run("CONFIG SET maxmemory-policy allkeys-lru");
    h.run("CONFIG SET maxmemory 1gb");
    h.run("SET fresh 11");
    assert_eq!(h.run("OBJECT IDLETIME fresh"), Reply::Integer(0));
}
