//! Lazy freeing (`keyspace::lazyfree`) and the modelled cost (`keyspace::cost`) under the
//! manual clock: what INFO, SLOWLOG and LATENCY show a user after DEL and UNLINK of a big
//! value, FLUSHALL ASYNC and a lazy eviction.

mod common;

use common::Harness;
use keyspace::cost;
use keyspace::Reply;

const FIELDS: usize = 100_000;

fn info(h: &mut Harness, field: &str) -> String {
    common::info_field(&mut h.engine, h.client, field)
}

fn info_int(h: &mut Harness, field: &str) -> u64 {
    info(h, field).parse().unwrap()
}

/// A hash of [`FIELDS`] fields under `key`, in one HSET.
fn big_hash(h: &mut Harness, key: &str) {
    let pairs: Vec<String> = (0..FIELDS).map(|i| format!("field:{i} {i}")).collect();
    assert_eq!(
        h.run(&format!("HSET {key} {}", pairs.join(" "))),
        Reply::Integer(FIELDS as i64)
    );
}

/// Lets `ms` pass in the ticks of hz 10, as the scenario runner does.
fn pass(h: &mut Harness, ms: u64) {
    for _ in 0..ms / 100 {
        h.clock.advance_ms(100);
        h.engine.tick();
    }
}

/// The newest slow log entry's duration (µs) and command name.
fn newest_slow(h: &mut Harness) -> (i64, Reply) {
    let Reply::Array(entries) = h.run("SLOWLOG GET 1") else {
        panic!("SLOWLOG GET is an array")
    };
    let Reply::Array(entry) = &entries[0] else {
        panic!("an entry is an array")
    };
    let (Reply::Integer(us), Reply::Array(argv)) = (&entry[2], &entry[3]) else {
        panic!("duration and arguments")
    };
    (*us, argv[0].clone())
}

#[test]
fn del_of_a_big_hash_shows_in_the_slow_log_and_latency_unlink_does_not() {
    let mut h = Harness::new(1);
    h.run("CONFIG SET slowlog-log-slower-than 10000");
    h.run("CONFIG SET latency-monitor-threshold 10");
    big_hash(&mut h, "h");
    assert_eq!(h.run("DEL h"), Reply::Integer(1));
    let del_us =
        (cost::CALL_NS + FIELDS as u64 * cost::FREE_HASH_FIELD_NS + cost::REPLY_ELEMENT_NS + 500)
            / 1000;
    assert_eq!(newest_slow(&mut h), (del_us as i64, Reply::bulk("DEL")));
    let Reply::Array(latest) = h.run("LATENCY LATEST") else {
        panic!("LATENCY LATEST is an array")
    };
    let Reply::Array(event) = &latest[0] else {
        panic!("an event is an array")
    };
    assert_eq!(event[0], Reply::bulk("command"));
    assert_eq!(event[2], Reply::Integer((del_us / 1000) as i64));
    // Freed at once: nothing went through the queue.
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "0");

    big_hash(&mut h, "h");
    h.run("SLOWLOG RESET");
    assert_eq!(h.run("UNLINK h"), Reply::Integer(1));
    assert_eq!(h.run("SLOWLOG LEN"), Reply::Integer(0), "UNLINK is fast");
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "1");
}

#[test]
fn an_unlinked_value_is_freed_over_the_ticks_of_its_free_time() {
    let mut h = Harness::new(1);
    let empty = info_int(&mut h, "used_memory");
    big_hash(&mut h, "h");
    let full = info_int(&mut h, "used_memory");
    h.run("UNLINK h");
    assert_eq!(h.run("EXISTS h"), Reply::Integer(0));
    // Still allocated until the worker frees it: counted in used_memory.
    assert!(info_int(&mut h, "used_memory") > empty + (full - empty) * 9 / 10);
    h.engine.tick();
    assert_eq!(
        info(&mut h, "lazyfree_pending_objects"),
        "1",
        "no time has passed"
    );
    // 100,000 fields take the modelled worker 78 ms: freed at the first tick after.
    let free_ms = FIELDS as u64 * cost::FREE_HASH_FIELD_NS / 1_000_000;
    assert!(free_ms < 100);
    pass(&mut h, 100);
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "0");
    assert_eq!(info(&mut h, "lazyfreed_objects"), "1");
    assert!(info_int(&mut h, "used_memory") < empty + 1024);
    h.run("CONFIG RESETSTAT");
    assert_eq!(info(&mut h, "lazyfreed_objects"), "0");
}

#[test]
fn a_value_that_needs_several_ticks_waits_for_all_of_them() {
    let mut h = Harness::new(1);
    for key in ["a", "b", "c"] {
        big_hash(&mut h, key);
    }
    // Three values of 78 ms each, 234 ms of the worker's time: one freed per tick of 100 ms,
    // each tick's rest carried to the next.
    h.run("UNLINK a b c");
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "3");
    pass(&mut h, 100);
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "2");
    pass(&mut h, 100);
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "1");
    pass(&mut h, 100);
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "0");
    assert_eq!(info(&mut h, "lazyfreed_objects"), "3");
}

#[test]
fn flushall_async_hands_every_key_to_the_queue_and_sync_frees_at_once() {
    let mut h = Harness::new(1);
    h.run("MSET a 1 b 2 c 3");
    h.run("SELECT 1");
    h.run("SET d 4");
    assert_eq!(h.run("FLUSHALL ASYNC"), Reply::ok());
    assert_eq!(h.run("DBSIZE"), Reply::Integer(0));
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "4");
    pass(&mut h, 100);
    assert_eq!(info(&mut h, "lazyfreed_objects"), "4");
    h.run("SET e 5");
    h.run("CONFIG SET lazyfree-lazy-user-flush yes");
    h.run("FLUSHDB");
    pass(&mut h, 100);
    assert_eq!(info(&mut h, "lazyfreed_objects"), "5");
    h.run("SET e 5");
    h.run("FLUSHDB SYNC");
    assert_eq!(info(&mut h, "lazyfree_pending_objects"), "0");
    assert_eq!(info(&mut h, "lazyfreed_objects"), "5");
}

#[test]
fn a_lazy_eviction_waits_for_the_worker_rather_than_evict_more() {
    let mut h = Harness::new(1);
    h.run("CONFIG SET lazyfree-lazy-eviction yes");
    h.run("CONFIG SET maxmemory-policy volatile-ttl");
    for i in 0..10 {
        h.run(&format!("SET small:{i} v"));
    }
    big_hash(&mut h, "h");
    h.run("EXPIRE h 10");
    let used = info_int(&mut h, "used_memory");
    h.run(&format!("CONFIG SET maxmemory {}", used - 4096));
    assert_eq!(h.run("SET x y"), Reply::ok());
    // The big hash, the one key with a TTL, was evicted; freeing it made all the room needed.
    assert_eq!(info(&mut h, "evicted_keys"), "1");
    assert_eq!(h.run("EXISTS h"), Reply::Integer(0));
    assert_eq!(info(&mut h, "lazyfreed_objects"), "1");
    assert_eq!(h.run("DBSIZE"), Reply::Integer(11));
}

#[test]
fn the_manual_clocks_timer_moves_by_the_modelled_cost() {
    let mut h = Harness::new(1);
    big_hash(&mut h, "h");
    h.run("SET k v PX 1000");
    let before = h.run("PTTL k");
    h.run("DEL h");
    // Wall time is the caller's: the TTL did not move.
    assert_eq!(h.run("PTTL k"), before);
    let usec: u64 = info(&mut h, "cmdstat_del")
        .split(',')
        .find_map(|f| f.strip_prefix("usec="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(usec >= FIELDS as u64 * cost::FREE_HASH_FIELD_NS / 1000);
}
