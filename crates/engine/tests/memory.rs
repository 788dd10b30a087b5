//! Native tests of memory accounting, eviction per policy, LFU counters, SLOWLOG and INFO
//! (latencystats included), under the manual clock and fixed seeds (what real Redis cannot pin
//! down: which key a sampled policy evicts, durations, timestamps).

use keyspace::event::NotifyClass;
use keyspace::Reply;

mod common;
use common::Harness;

impl Harness {
    fn ok(&mut self, line: &str) {
        assert_eq!(self.run(line), Reply::ok(), "{line}");
    }

    fn exists(&mut self, key: &str) -> bool {
        self.run(&format!("EXISTS {key}")) == Reply::Integer(1)
    }

    /// Sets `maxmemory` to what is used now plus `headroom` bytes.
    fn limit_to_used_plus(&mut self, headroom: usize) {
        let limit = self.engine.used_memory() + headroom;
        self.ok(&format!("CONFIG SET maxmemory {limit}"));
    }

    fn info_field(&mut self, section: &str, field: &str) -> String {
        let Reply::Verbatim { text, .. } = self.run(&format!("INFO {section}")) else {
            panic!("INFO is verbatim text");
        };
        let text = String::from_utf8(text).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_string))
            .unwrap_or_else(|| panic!("no {field} in {text}"))
    }
}

#[test]
fn accounting_follows_every_write_and_returns_to_the_empty_figure() {
    let mut h = Harness::new(1);
    let empty = h.engine.used_memory();
    h.run("SET s hello");
    h.run("APPEND s world");
    h.run("SET n 123456");
    h.run("INCR n");
    h.run("EXPIRE n 100");
    h.run("HSET h f1 v1 f2 v2");
    h.run("SADD set 1 2 3 x");
    h.run("ZADD z 1 a 2.5 b");
    for i in 0..300 {
        h.run(&format!("RPUSH l element-{i}"));
        h.run(&format!("HSET big field-{i} {}", "v".repeat(i % 90)));
    }
    assert!(h.engine.used_memory() > empty + 20_000);
    // Growing a list one element at a time prices it as building it at once does.
    let grown = h.engine.db(0).unwrap().used_memory();
    h.run("DEL l");
    let args: Vec<String> = (0..300).map(|i| format!("element-{i}")).collect();
    h.run(&format!("RPUSH l {}", args.join(" ")));
    assert_eq!(h.engine.db(0).unwrap().used_memory(), grown);
    h.run("LPOP l 300");
    for key in ["s", "n", "h", "set", "z", "big"] {
        assert_eq!(h.run(&format!("DEL {key}")), Reply::Integer(1));
    }
    assert_eq!(h.engine.used_memory(), empty, "nothing drifted");
    h.run("SET again x");
    h.run("FLUSHALL");
    assert_eq!(h.engine.used_memory(), empty);
}

#[test]
fn memory_usage_prices_strings_as_redis_does() {
    let mut h = Harness::new(1);
    h.run("SET a b");
    assert_eq!(h.run("MEMORY USAGE a"), Reply::Integer(64));
    h.run("SET n 1234567");
    assert_eq!(h.run("MEMORY USAGE n"), Reply::Integer(48));
    assert_eq!(h.run("MEMORY USAGE missing"), Reply::Null);
}

#[test]
fn noeviction_refuses_writes_but_not_reads_or_deletes() {
    let mut h = Harness::new(1);
    h.run("SET k v");
    h.ok("CONFIG SET maxmemory 1");
    assert_eq!(
        h.run("SET x y"),
        Reply::Error("OOM command not allowed when used memory > 'maxmemory'.".into())
    );
    assert_eq!(h.run("GET k"), Reply::bulk("v"));
    assert_eq!(h.run("DEL k"), Reply::Integer(1));
    assert_eq!(h.info_field("errorstats", "errorstat_OOM"), "count=1");
}

/// Fills database 0 with `n` keys `key:i` holding 100-byte values.
fn fill(h: &mut Harness, n: usize, ttl: Option<u64>) {
    for i in 0..n {
        let value = "x".repeat(100);
        match ttl {
            Some(s) => h.run(&format!("SET key:{i} {value} EX {}", s + i as u64)),
            None => h.run(&format!("SET key:{i} {value}")),
        };
    }
}

/// Adds `n` new keys under a limit that leaves room for none, returning the keys evicted:
/// `n - 1` or more, since eviction runs before a command and the first one finds memory
/// exactly at the limit.
fn overflow(h: &mut Harness, n: usize) -> Vec<Vec<u8>> {
    h.engine.take_events();
    h.limit_to_used_plus(0);
    for i in 0..n {
        assert_eq!(
            h.run(&format!("SET new:{i} {}", "y".repeat(100))),
            Reply::ok()
        );
    }
    h.engine
        .take_events()
        .into_iter()
        .filter(|e| e.event == "evicted")
        .inspect(|e| assert_eq!(e.class, NotifyClass::Evicted))
        .map(|e| e.key)
        .collect()
}

#[test]
fn allkeys_lru_spares_the_recently_used() {
    let mut h = Harness::new(11);
    fill(&mut h, 100, None);
    h.clock.advance_ms(100_000);
    for i in 0..10 {
        h.run(&format!("GET key:{i}"));
    }
    h.ok("CONFIG SET maxmemory-policy allkeys-lru");
    let evicted = overflow(&mut h, 30);
    assert!(evicted.len() >= 29, "{}", evicted.len());
    assert_eq!(h.engine.stats().evicted_keys, evicted.len() as u64);
    for i in 0..10 {
        assert!(h.exists(&format!("key:{i}")), "hot key:{i} was evicted");
    }
}

#[test]
fn allkeys_lfu_spares_the_frequently_used() {
    let mut h = Harness::new(12);
    h.ok("CONFIG SET maxmemory-policy allkeys-lfu");
    fill(&mut h, 100, None);
    for _ in 0..20 {
        for i in 0..10 {
            h.run(&format!("GET key:{i}"));
        }
    }
    let evicted = overflow(&mut h, 30);
    assert!(evicted.len() >= 29);
    for i in 0..10 {
        assert!(
            h.exists(&format!("key:{i}")),
            "frequent key:{i} was evicted"
        );
    }
}

#[test]
fn volatile_policies_evict_only_keys_with_a_ttl() {
    for policy in [
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
    ] {
        let mut h = Harness::new(13);
        h.ok(&format!("CONFIG SET maxmemory-policy {policy}"));
        fill(&mut h, 50, None);
        for i in 50..60 {
            h.run(&format!("SET key:{i} {} EX {}", "x".repeat(100), 1000 + i));
        }
        h.limit_to_used_plus(0);
        // Room for new keys comes from the ten volatile keys, then there is none.
        let mut refused = false;
        for i in 0..20 {
            if h.run(&format!("SET new:{i} {}", "y".repeat(100))) != Reply::ok() {
                refused = true;
                break;
            }
        }
        assert!(
            refused,
            "{policy}: writes went on with nothing left to evict"
        );
        for i in 0..50 {
            assert!(h.exists(&format!("key:{i}")), "{policy} evicted key:{i}");
        }
        assert_eq!(h.engine.db(0).unwrap().volatile_len(), 0, "{policy}");
    }
}

#[test]
fn volatile_ttl_evicts_the_soonest_to_expire_first() {
    let mut h = Harness::new(14);
    h.ok("CONFIG SET maxmemory-policy volatile-ttl");
    h.ok("CONFIG SET maxmemory-samples 64");
    fill(&mut h, 20, Some(1000));
    let mut evicted = overflow(&mut h, 6);
    evicted.sort();
    assert!(evicted.len() >= 4, "{}", evicted.len());
    // Sampling (nearly) every volatile key, the policy takes those expiring soonest.
    let expected: Vec<Vec<u8>> = (0..evicted.len())
        .map(|i| format!("key:{i}").into_bytes())
        .collect();
    assert_eq!(evicted, expected);
}

#[test]
fn the_same_seed_evicts_the_same_keys() {
    let run = |seed| {
        let mut h = Harness::new(seed);
        h.ok("CONFIG SET maxmemory-policy allkeys-random");
        fill(&mut h, 50, None);
        overflow(&mut h, 10)
    };
    assert_eq!(run(21), run(21));
    assert_ne!(run(21), run(22));
}

#[test]
fn lfu_counter_starts_at_five_grows_logarithmically_and_decays() {
    let mut h = Harness::new(3);
    h.ok("CONFIG SET maxmemory-policy allkeys-lfu");
    h.run("SET k v");
    assert_eq!(h.run("OBJECT FREQ k"), Reply::Integer(5));
    h.run("GET k");
    assert_eq!(h.run("OBJECT FREQ k"), Reply::Integer(6));
    for _ in 0..1000 {
        h.run("GET k");
    }
    let Reply::Integer(after) = h.run("OBJECT FREQ k") else {
        panic!()
    };
    assert!((10..40).contains(&after), "{after}");
    // One point per lfu-decay-time minutes (1).
    h.clock.advance_ms(3 * 60_000);
    assert_eq!(h.run("OBJECT FREQ k"), Reply::Integer(after - 3));
}

#[test]
fn slowlog_under_the_manual_clock() {
    let mut h = Harness::new(1);
    // A SET is modelled at a few µs (`keyspace::cost`), under a threshold of 1 ms.
    h.ok("CONFIG SET slowlog-log-slower-than 1000");
    h.run("SET a b");
    assert_eq!(h.run("SLOWLOG LEN"), Reply::Integer(0));
    h.ok("CONFIG SET slowlog-log-slower-than 0");
    h.ok("CLIENT SETNAME tester");
    let long: Vec<String> = (0..40).map(|i| format!("a{i}")).collect();
    h.run(&format!("RPUSH l {} {}", "z".repeat(130), long.join(" ")));
    let Reply::Array(entries) = h.run("SLOWLOG GET 1") else {
        panic!()
    };
    let Reply::Array(entry) = &entries[0] else {
        panic!()
    };
    assert_eq!(entry[1], Reply::Integer(1_700_000_000));
    assert_eq!(
        entry[2],
        Reply::Integer(one_reply_us() as i64),
        "the modelled duration of a call with a one-element reply"
    );
    let Reply::Array(argv) = &entry[3] else {
        panic!()
    };
    assert_eq!(argv.len(), 32);
    assert_eq!(
        argv[2],
        Reply::bulk(format!("{}... (2 more bytes)", "z".repeat(128)))
    );
    assert_eq!(argv[31], Reply::bulk("... (12 more arguments)"));
    assert_eq!(entry[5], Reply::bulk("tester"));
    h.ok("CONFIG SET slowlog-max-len 3");
    for _ in 0..5 {
        h.run("PING");
    }
    assert_eq!(h.run("SLOWLOG LEN"), Reply::Integer(3));
}

#[test]
fn info_sections_and_resetstat() {
    let mut h = Harness::new(1);
    h.run("SET k v EX 100");
    h.run("GET k");
    h.run("GET nope");
    h.run("NOSUCHCOMMAND");
    assert_eq!(h.info_field("stats", "keyspace_hits"), "1");
    assert_eq!(h.info_field("stats", "keyspace_misses"), "1");
    assert_eq!(h.info_field("replication", "role"), "master");
    assert_eq!(h.info_field("errorstats", "errorstat_ERR"), "count=1");
    assert!(h
        .info_field("keyspace", "db0")
        .starts_with("keys=1,expires=1,avg_ttl="));
    let Reply::Verbatim { text, .. } = h.run("INFO") else {
        panic!()
    };
    let headers: Vec<String> = String::from_utf8(text)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert_eq!(
        headers,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Errorstats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    let Reply::Verbatim { text, .. } = h.run("INFO cpu CLUSTER") else {
        panic!()
    };
    assert!(String::from_utf8(text).unwrap().starts_with("# CPU\r\n"));
    let call_us = one_reply_us();
    assert_eq!(
        h.info_field("commandstats", "cmdstat_get"),
        format!(
            "calls=2,usec={},usec_per_call={call_us}.00,rejected_calls=0,failed_calls=0",
            2 * call_us
        )
    );
    h.run("GET");
    assert!(h
        .info_field("all", "cmdstat_get")
        .ends_with("rejected_calls=1,failed_calls=0"));
    // Under the manual clock every call with a one-element reply takes the same modelled
    // time, read back as the highest value of its histogram bucket.
    let mut histogram = keyspace::latency::LatencyHistogram::default();
    histogram.record(call_us * 1000);
    let p = format!("{:.3}", histogram.value_at_percentile(50.0) as f64 / 1000.0);
    let percentiles = format!("p50={p},p99={p},p99.9={p}");
    assert_eq!(
        h.info_field("latencystats", "latency_percentiles_usec_get"),
        percentiles
    );
    h.ok("CONFIG RESETSTAT");
    assert_eq!(h.info_field("stats", "keyspace_hits"), "0");
    let Reply::Verbatim { text, .. } = h.run("INFO latencystats") else {
        panic!()
    };
    assert_eq!(
        String::from_utf8(text).unwrap(),
        format!(
            "# Latencystats\r\n\
             latency_percentiles_usec_config|resetstat:{percentiles}\r\n\
             latency_percentiles_usec_info:{percentiles}\r\n"
        )
    );
    h.ok("CONFIG SET latency-tracking no");
    let Reply::Verbatim { text, .. } = h.run("INFO latencystats") else {
        panic!()
    };
    assert_eq!(String::from_utf8(text).unwrap(), "# Latencystats\r\n");
}

/// The modelled duration of a call whose reply is one element (`keyspace::cost`), in µs.
fn one_reply_us() -> u64 {
    (keyspace::cost::CALL_NS + keyspace::cost::REPLY_ELEMENT_NS + 500) / 1000
}

/// A resident size the test sets, as the front end's probe would read it.
#[derive(Clone, Default)]
struct FixedResident(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl FixedResident {
    fn set(&self, bytes: u64) {
        self.0.store(bytes, std::sync::atomic::Ordering::Relaxed);
    }
}

impl keyspace::ResidentMemory for FixedResident {
    fn resident_bytes(&self) -> Option<u64> {
        Some(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl Harness {
    fn stat(&mut self, name: &str) -> Reply {
        let Reply::Map(fields) = self.run("MEMORY STATS") else {
            panic!("MEMORY STATS is a map");
        };
        fields
            .into_iter()
            .find_map(|(k, v)| (k == Reply::bulk(name)).then_some(v))
            .unwrap_or_else(|| panic!("no {name} in MEMORY STATS"))
    }

    fn doctor(&mut self) -> String {
        let Reply::Verbatim { text, .. } = self.run("MEMORY DOCTOR") else {
            panic!("MEMORY DOCTOR is verbatim text");
        };
        String::from_utf8(text).unwrap()
    }
}

#[test]
fn without_a_probe_the_model_stands_for_the_resident_size() {
    let mut h = Harness::new(1);
    h.run("SET k v");
    let used = h.info_field("memory", "used_memory");
    assert_eq!(h.info_field("memory", "used_memory_rss"), used);
    assert_eq!(h.info_field("memory", "mem_fragmentation_ratio"), "1.00");
    assert_eq!(h.info_field("memory", "mem_fragmentation_bytes"), "0");
    assert_eq!(h.stat("fragmentation"), Reply::Double(1.0));
}

#[test]
fn used_memory_rss_is_the_probes_reading_sampled_by_the_cron_every_100_ms() {
    let mut h = Harness::new(1);
    let probe = FixedResident::default();
    probe.set(3_000_000);
    h.engine.set_resident_memory(Box::new(probe.clone()));
    let used: u64 = h.info_field("memory", "used_memory").parse().unwrap();
    assert_eq!(h.info_field("memory", "used_memory_rss"), "3000000");
    assert_eq!(h.info_field("memory", "used_memory_rss_human"), "2.86M");
    // Redis's ratio: the resident size over used_memory when it was read, two decimals.
    let ratio = 3_000_000.0 / used as f32;
    assert_eq!(
        h.info_field("memory", "mem_fragmentation_ratio"),
        format!("{ratio:.2}")
    );
    let bytes = 3_000_000 - used as i64;
    assert_eq!(
        h.info_field("memory", "mem_fragmentation_bytes"),
        bytes.to_string()
    );
    // Without an allocator's own figures, all of the excess is the allocator's, as in Redis
    // built without jemalloc; the process holds nothing beside it (no Lua yet).
    assert_eq!(h.info_field("memory", "allocator_resident"), "3000000");
    assert_eq!(
        h.info_field("memory", "allocator_frag_bytes"),
        bytes.to_string()
    );
    assert_eq!(h.info_field("memory", "rss_overhead_ratio"), "1.00");
    assert_eq!(h.info_field("memory", "rss_overhead_bytes"), "0");
    assert_eq!(h.stat("fragmentation"), Reply::Double(f64::from(ratio)));
    assert_eq!(h.stat("fragmentation.bytes"), Reply::Integer(bytes));
    assert_eq!(h.stat("allocator.resident"), Reply::Integer(3_000_000));

    // A new reading shows only once the cron samples again, 100 ms later.
    probe.set(9_000_000);
    h.engine.tick();
    assert_eq!(h.info_field("memory", "used_memory_rss"), "3000000");
    h.clock.advance_ms(100);
    h.engine.tick();
    assert_eq!(h.info_field("memory", "used_memory_rss"), "9000000");
    // The modelled figure is the model's whatever the probe says.
    assert_eq!(h.info_field("memory", "used_memory"), used.to_string());
}

#[test]
fn memory_doctor_reports_a_resident_size_far_above_used_memory() {
    let mut h = Harness::new(1);
    let probe = FixedResident::default();
    // Over Redis's 5 MB below which the doctor declines.
    h.run("SETRANGE big 6000000 x");
    probe.set(8_000_000);
    h.engine.set_resident_memory(Box::new(probe.clone()));
    assert!(h
        .doctor()
        .starts_with("Hi Sam, I can't find any memory issue"));
    probe.set(60_000_000);
    h.clock.advance_ms(100);
    h.engine.tick();
    let report = h.doctor();
    assert!(
        report.starts_with("Sam, I detected a few issues"),
        "{report}"
    );
    assert!(report.contains(" * High total RSS: "), "{report}");
    assert!(report.contains("The currently used allocator is \"jemalloc-5.3.0 (modelled)\""));
    assert!(
        report.contains(" * High allocator fragmentation: "),
        "{report}"
    );
    assert!(!report.contains("High process RSS overhead"), "{report}");
    assert!(report.ends_with("I'm here to keep you safe, Sam. I want to help you.\n"));
}
