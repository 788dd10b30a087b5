//! Native tests of bitmaps, HyperLogLogs and geo sets through the public `Engine` API: what the
//! compat scripts cannot show (the keyspace events each command announces, the hits and misses
//! its lookups count, the memory accounting returning to where it started), beside
//! tests/compat/{bitops,bitfield,hyperloglog,geo}.redis, which hold the replies to Redis's.

use keyspace::event::NotifyClass::{Generic, String as Str, ZSet};
use keyspace::Reply;

mod common;
use common::Harness;

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

fn hits_misses(h: &Harness) -> (u64, u64) {
    let stats = h.engine.stats();
    (stats.keyspace_hits, stats.keyspace_misses)
}

#[test]
fn bit_writes_announce_setbit_only_when_something_changed() {
    let mut h = Harness::new(1);
    h.events();
    assert_eq!(h.run("SETBIT b 3 1"), int(0));
    assert_eq!(h.run("SETBIT b 3 1"), int(1));
    assert_eq!(h.run("SETBIT b 3 0"), int(1));
    assert_eq!(h.run("SETBIT b 20 0"), int(0), "grows the string: a change");
    assert_eq!(
        h.events(),
        [
            (Str, "setbit", "b".into()),
            (Str, "setbit", "b".into()),
            (Str, "setbit", "b".into())
        ]
    );
    h.run("BITFIELD b SET u8 0 0 GET u8 0");
    h.run("BITFIELD b OVERFLOW FAIL INCRBY u2 0 8");
    assert_eq!(h.events(), [], "nothing changed");
    h.run("BITFIELD b INCRBY u8 0 1");
    h.run("BITOP NOT n b");
    h.run("BITOP AND n missing");
    assert_eq!(
        h.events(),
        [
            (Str, "setbit", "b".into()),
            (Str, "set", "n".into()),
            (Generic, "del", "n".into())
        ]
    );
}

#[test]
fn hyperloglogs_announce_pfadd_and_pfcount_writes_its_cache_silently() {
    let mut h = Harness::new(2);
    h.events();
    assert_eq!(h.run("PFADD h a b"), int(1));
    assert_eq!(h.run("PFADD h a"), int(0));
    assert_eq!(h.run("PFCOUNT h"), int(2));
    h.run("PFMERGE m h");
    assert_eq!(
        h.events(),
        [(Str, "pfadd", "h".into()), (Str, "pfadd", "m".into())]
    );
    // The cache written by PFCOUNT breaks another client's WATCH, as Redis's
    // signalModifiedKey does; a cache still valid does not.
    let other = h.engine.connect();
    let run = |h: &mut Harness, client, line: &str| {
        let argv = keyspace::cli::split_args(line.as_bytes()).unwrap();
        h.engine.execute(client, &argv).into_replies().remove(0)
    };
    h.run("PFADD w a");
    run(&mut h, other, "WATCH w");
    h.run("PFCOUNT w");
    run(&mut h, other, "MULTI");
    run(&mut h, other, "GET w");
    assert_eq!(run(&mut h, other, "EXEC"), Reply::NullArray);
    run(&mut h, other, "WATCH w");
    h.run("PFCOUNT w");
    run(&mut h, other, "MULTI");
    run(&mut h, other, "PING");
    assert!(matches!(run(&mut h, other, "EXEC"), Reply::Array(_)));
}

#[test]
fn geo_writes_are_sorted_set_writes() {
    let mut h = Harness::new(3);
    h.events();
    h.run("GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania");
    h.run("GEOADD g 13.361389 38.115556 Palermo");
    h.run("GEOSEARCHSTORE s g FROMLONLAT 15 37 BYRADIUS 200 km");
    h.run("GEORADIUS g 15 37 200 km STORE r");
    h.run("GEOSEARCHSTORE s g FROMLONLAT 15 37 BYRADIUS 1 m");
    assert_eq!(
        h.events(),
        [
            (ZSet, "zadd", "g".into()),
            (ZSet, "geosearchstore", "s".into()),
            (ZSet, "georadiusstore", "r".into()),
            (Generic, "del", "s".into())
        ]
    );
    assert_eq!(h.run("TYPE g"), Reply::Simple("zset".into()));
}

#[test]
fn reads_count_hits_and_misses_once_per_key() {
    let mut h = Harness::new(4);
    h.run("SETBIT b 1 1");
    h.run("PFADD p a");
    h.run("GEOADD g 1 1 m");
    let before = hits_misses(&h);
    h.run("GETBIT b 1");
    h.run("BITCOUNT missing");
    h.run("BITOP OR d b missing");
    h.run("BITFIELD_RO b GET u8 0");
    h.run("PFCOUNT p missing");
    h.run("PFCOUNT p");
    h.run("GEOPOS g m");
    h.run("GEOSEARCH g FROMMEMBER m BYRADIUS 1 km");
    h.run("GEODIST missing a b");
    let (hits, misses) = hits_misses(&h);
    assert_eq!((hits - before.0, misses - before.1), (7, 4));
    // A BITFIELD that writes looks its key up for writing: no hit.
    h.run("BITFIELD b SET u8 0 1");
    assert_eq!(hits_misses(&h), (hits, misses));
}

#[test]
fn memory_accounting_returns_to_where_it_started() {
    let mut h = Harness::new(5);
    let empty = h.engine.used_memory();
    for i in 0..2000 {
        h.run(&format!("PFADD h e{i}"));
        h.run(&format!("SETBIT b {} 1", i * 37));
    }
    h.run("GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania");
    h.run("BITOP XOR x b h");
    h.run("PFMERGE m h");
    h.run("APPEND s abc");
    h.run("APPEND s def");
    h.run("SETRANGE s 300 x");
    h.run("COPY b b2");
    assert!(h.engine.used_memory() > empty + 30_000);
    h.run("DEL h b g x m s b2");
    assert_eq!(h.engine.used_memory(), empty, "nothing drifted");
}

#[test]
fn a_sparse_hyperloglog_grows_its_allocation_as_redis_does() {
    // Redis makes room for 3 more bytes before each sparse update, doubling what it needs:
    // MEMORY USAGE follows the allocation, not the length (values taken from redis-server).
    let mut h = Harness::new(6);
    h.run("PFADD h a b c");
    assert_eq!(h.run("MEMORY USAGE h"), int(96));
    h.run("PFADD h2 a b c d e f g h i j k l m n o p q r s t u v w x y z");
    assert_eq!(h.run("MEMORY USAGE h2"), int(160));
    h.run("PFDEBUG TODENSE h2");
    assert_eq!(h.run("MEMORY USAGE h2"), int(14384));
    h.run("SETRANGE s 100 x");
    h.run("SETRANGE s 1000 x");
    assert_eq!(h.run("MEMORY USAGE s"), int(2096));
}
