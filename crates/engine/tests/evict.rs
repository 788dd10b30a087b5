//! Native tests of which key each eviction policy chooses, under the manual clock and fixed
//! seeds: the exact-LRU teaching switch, the access clock finer than Redis's seconds, and
//! `allkeys-random` evicting only when over the limit. (`memory.rs` has the other policies.)

use keyspace::Reply;

mod common;
use common::Harness;

impl Harness {
    fn ok(&mut self, line: &str) {
        assert_eq!(self.run(line), Reply::ok(), "{line}");
    }

    /// Sets `maxmemory` to what is used now, so that the next new key evicts.
    fn limit_to_used(&mut self) {
        let limit = self.engine.used_memory();
        self.ok(&format!("CONFIG SET maxmemory {limit}"));
    }

    /// The keys evicted since the last call, in order.
    fn evicted(&mut self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter(|(_, event, _)| *event == "evicted")
            .map(|(_, _, key)| key)
            .collect()
    }

    /// Sets `key:0`..`key:n-1`, each 100 bytes, in order.
    fn fill(&mut self, n: usize) {
        for i in 0..n {
            self.ok(&format!("SET key:{i} {}", "x".repeat(100)));
        }
    }

    /// Adds `n` new keys, each as large as the filled ones.
    fn add_new(&mut self, n: usize) {
        for i in 0..n {
            self.ok(&format!("SET new:{i} {}", "y".repeat(100)));
        }
    }
}

#[test]
fn exact_lru_evicts_exactly_the_oldest_accesses() {
    let mut h = Harness::new(5);
    h.ok("CONFIG SET maxmemory-policy allkeys-lru");
    h.ok("CONFIG SET playground-exact-lru yes");
    h.fill(50);
    // Touch the even keys, all within the same second: only the order of access tells them
    // apart.
    for i in (0..50).step_by(2) {
        h.run(&format!("GET key:{i}"));
    }
    h.limit_to_used();
    h.events();
    h.add_new(10);
    // Each new key evicts one; the first command finds memory at the limit, not over it.
    let expected: Vec<String> = (1..50)
        .step_by(2)
        .take(9)
        .map(|i| format!("key:{i}"))
        .collect();
    assert_eq!(h.evicted(), expected);
}

#[test]
fn exact_lru_follows_reads_renames_and_swapdb() {
    let mut h = Harness::new(6);
    h.ok("CONFIG SET maxmemory-policy allkeys-lru");
    h.ok("CONFIG SET playground-exact-lru yes");
    h.fill(6);
    h.limit_to_used();
    h.add_new(2);
    // Eviction runs before each command: SET new:1 made room first, CONFIG SET after it.
    h.ok("CONFIG SET maxmemory 0");
    assert_eq!(h.evicted(), ["key:0", "key:1"]);
    // The recency index is built now; what follows must keep it true.
    h.run("GET key:3");
    h.ok("RENAME key:2 renamed");
    h.ok("SWAPDB 0 1");
    h.ok("SELECT 1");
    h.limit_to_used();
    for i in 0..3 {
        h.ok(&format!("SET late:{i} {}", "z".repeat(100)));
    }
    h.run("PING");
    assert_eq!(h.evicted(), ["key:4", "key:5", "new:0"]);
    h.run("PING");
    assert_eq!(h.evicted(), Vec::<String>::new());
}

#[test]
fn volatile_lru_exact_evicts_the_oldest_key_with_a_ttl() {
    let mut h = Harness::new(7);
    h.ok("CONFIG SET maxmemory-policy volatile-lru");
    h.ok("CONFIG SET playground-exact-lru yes");
    h.fill(10);
    for i in [7, 3, 5] {
        h.run(&format!("EXPIRE key:{i} 1000"));
    }
    // EXPIRE looks its key up for writing, which is an access (as Redis's lookupKeyWrite):
    // by last access 7, 5, then 3, read again.
    h.run("GET key:3");
    h.limit_to_used();
    h.events();
    h.add_new(4);
    assert_eq!(h.evicted(), ["key:7", "key:5", "key:3"]);
    assert_eq!(
        h.run("SET more x"),
        Reply::Error("OOM command not allowed when used memory > 'maxmemory'.".into())
    );
    for i in [0, 1, 2, 4, 6, 8, 9] {
        assert_eq!(h.run(&format!("EXISTS key:{i}")), Reply::Integer(1));
    }
}

#[test]
fn sampled_lru_orders_accesses_within_one_second() {
    // Sampling every key, the approximated policy finds the true LRU key too: the access
    // clock tells apart what Redis's one-second clock would see as equally idle.
    let mut h = Harness::new(8);
    h.ok("CONFIG SET maxmemory-policy allkeys-lru");
    h.ok("CONFIG SET maxmemory-samples 64");
    h.fill(20);
    for i in 0..10 {
        h.run(&format!("GET key:{i}"));
    }
    h.limit_to_used();
    h.events();
    h.add_new(6);
    let evicted = h.evicted();
    assert_eq!(evicted.len(), 5);
    for key in evicted {
        let i: usize = key["key:".len()..].parse().unwrap();
        assert!(i >= 10, "{key} was read after key:10..19");
    }
}

#[test]
fn allkeys_random_evicts_only_when_over_the_limit() {
    let mut h = Harness::new(9);
    h.ok("CONFIG SET maxmemory-policy allkeys-random");
    h.fill(20);
    let limit = h.engine.used_memory() + 1000;
    h.ok(&format!("CONFIG SET maxmemory {limit}"));
    h.events();
    // Under the limit: writes, reads and overwrites evict nothing.
    for i in 0..20 {
        h.run(&format!("GET key:{i}"));
    }
    h.ok(&format!("SET key:0 {}", "w".repeat(100)));
    assert_eq!(h.evicted(), Vec::<String>::new());
    assert_eq!(h.engine.stats().evicted_keys, 0);
    // Over it: keys go until memory is back within it, and no further.
    h.add_new(30);
    // Eviction runs before each command: the last SET may leave memory over, the next
    // command brings it back.
    h.run("PING");
    assert!(!h.evicted().is_empty());
    assert!(h.engine.used_memory() <= limit);
    let after = h.engine.used_memory();
    h.run("PING");
    assert_eq!(h.evicted(), Vec::<String>::new());
    assert_eq!(h.engine.used_memory(), after);
}

#[test]
fn the_exact_switch_is_ours_and_hidden_from_patterns() {
    let mut h = Harness::new(10);
    assert_eq!(
        h.run("CONFIG GET playground-exact-lru"),
        Reply::Map(vec![(
            Reply::bulk("playground-exact-lru"),
            Reply::bulk("no")
        )])
    );
    for pattern in ["*", "playground-*", "*lru*"] {
        let Reply::Map(pairs) = h.run(&format!("CONFIG GET {pattern}")) else {
            panic!()
        };
        assert!(
            pairs
                .iter()
                .all(|(k, _)| *k != Reply::bulk("playground-exact-lru")),
            "{pattern}"
        );
    }
    assert_eq!(
        h.run("CONFIG SET playground-exact-lru maybe"),
        Reply::Error("ERR CONFIG SET failed (possibly related to argument 'playground-exact-lru') - argument must be 'yes' or 'no'".into())
    );
}
