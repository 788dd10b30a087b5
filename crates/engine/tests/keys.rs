//! Native tests of the generic key commands, databases and expiry: what the compat scripts
//! cannot check against real Redis (a manual clock, SCAN's guarantee under churn, the active
//! expire cycle's budget and effort) and the spec rows as `COMMAND INFO` shows them.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use keyspace::rng::Rng;
use keyspace::{spec, ClientId, Clock, Config, Engine, ManualClock, Reply};

const START_MS: u64 = 1_700_000_000_000;

fn engine_with(config: Config, clock: Box<dyn Clock>) -> (Engine, ClientId) {
    let mut engine = Engine::new(config, clock, 1);
    let id = engine.connect();
    (engine, id)
}

fn manual() -> (Engine, ClientId, ManualClock) {
    let clock = ManualClock::new(START_MS);
    let (engine, id) = engine_with(Config::default(), Box::new(clock.clone()));
    (engine, id, clock)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    let argv: Vec<Vec<u8>> = line.split(' ').map(|a| a.as_bytes().to_vec()).collect();
    let mut replies = engine.execute(id, &argv).into_replies();
    assert_eq!(replies.len(), 1, "{line}");
    replies.remove(0)
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn err(s: &str) -> Reply {
    Reply::Error(s.into())
}

/// One SCAN call: the next cursor and the keys.
fn scan(engine: &mut Engine, id: ClientId, cursor: u64, options: &str) -> (u64, Vec<String>) {
    let line = format!("SCAN {cursor}{options}");
    match run(engine, id, &line) {
        Reply::Array(parts) => match parts.as_slice() {
            [Reply::Bulk(next), Reply::Array(keys)] => {
                let next = String::from_utf8_lossy(next)
                    .parse()
                    .expect("a numeric cursor");
                let keys = keys
                    .iter()
                    .map(|k| match k {
                        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                        other => panic!("a key that is not a bulk string: {other:?}"),
                    })
                    .collect();
                (next, keys)
            }
            other => panic!("SCAN reply shaped {other:?}"),
        },
        other => panic!("SCAN answered {other:?}"),
    }
}

#[test]
fn the_spec_rows_match_command_info() {
    // (name, arity, flags, first key, last key, step), as Redis 7.0.15's COMMAND INFO.
    type Row = (&'static str, i32, &'static [&'static str], i32, i32, i32);
    let rows: &[Row] = &[
        ("del", -2, &["write"], 1, -1, 1),
        ("unlink", -2, &["write", "fast"], 1, -1, 1),
        ("exists", -2, &["readonly", "fast"], 1, -1, 1),
        ("type", 2, &["readonly", "fast"], 1, 1, 1),
        ("expire", -3, &["write", "fast"], 1, 1, 1),
        ("pexpire", -3, &["write", "fast"], 1, 1, 1),
        ("expireat", -3, &["write", "fast"], 1, 1, 1),
        ("pexpireat", -3, &["write", "fast"], 1, 1, 1),
        ("ttl", 2, &["readonly", "fast"], 1, 1, 1),
        ("pttl", 2, &["readonly", "fast"], 1, 1, 1),
        ("expiretime", 2, &["readonly", "fast"], 1, 1, 1),
        ("pexpiretime", 2, &["readonly", "fast"], 1, 1, 1),
        ("persist", 2, &["write", "fast"], 1, 1, 1),
        ("keys", 2, &["readonly"], 0, 0, 0),
        ("scan", -2, &["readonly"], 0, 0, 0),
        ("rename", 3, &["write"], 1, 2, 1),
        ("renamenx", 3, &["write", "fast"], 1, 2, 1),
        ("copy", -3, &["write", "denyoom"], 1, 2, 1),
        ("touch", -2, &["readonly", "fast"], 1, -1, 1),
        ("randomkey", 1, &["readonly"], 0, 0, 0),
        ("dbsize", 1, &["readonly", "fast"], 0, 0, 0),
        ("flushdb", -1, &["write"], 0, 0, 0),
        ("flushall", -1, &["write"], 0, 0, 0),
        ("select", 2, &["loading", "stale", "fast"], 0, 0, 0),
        ("swapdb", 3, &["write", "fast"], 0, 0, 0),
        ("move", 3, &["write", "fast"], 1, 1, 1),
    ];
    for &(name, arity, flags, first, last, step) in rows {
        let spec =
            spec::lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name} is not in the table"));
        assert_eq!(spec.arity, arity, "{name} arity");
        assert_eq!(spec.flag_names(), flags, "{name} flags");
        let positions = spec.key_positions();
        assert_eq!(
            (positions.first, positions.last, positions.step),
            (first, last, step),
            "{name} keys"
        );
        assert!(
            !spec.summary.is_empty() && !spec.complexity.is_empty(),
            "{name} docs"
        );
    }
}

#[test]
fn a_key_lives_through_its_own_millisecond() {
    let (mut e, id, clock) = manual();
    assert_eq!(run(&mut e, id, "SET k v PX 100"), Reply::ok());
    clock.advance_ms(100);
    assert_eq!(run(&mut e, id, "PTTL k"), int(0));
    assert_eq!(run(&mut e, id, "PEXPIRETIME k"), int(START_MS as i64 + 100));
    clock.advance_ms(1);
    assert_eq!(run(&mut e, id, "PTTL k"), int(-2));
    assert_eq!(e.stats().expired_keys, 1);
}

#[test]
fn expire_at_now_deletes_and_one_ms_later_does_not() {
    let (mut e, id, _clock) = manual();
    run(&mut e, id, "SET k v");
    assert_eq!(
        run(&mut e, id, &format!("PEXPIREAT k {}", START_MS + 1)),
        int(1)
    );
    assert_eq!(run(&mut e, id, "PTTL k"), int(1));
    assert_eq!(run(&mut e, id, &format!("PEXPIREAT k {START_MS}")), int(1));
    assert_eq!(run(&mut e, id, "EXISTS k"), int(0));
    // Deleted as by DEL, not expired: it is not counted as an expired key.
    assert_eq!(e.stats().expired_keys, 0);
    let events: Vec<&str> = e.take_events().iter().map(|ev| ev.event).collect();
    assert_eq!(events, ["set", "expire", "del"]);
}

#[test]
fn ttl_rounds_to_the_nearest_second() {
    let (mut e, id, clock) = manual();
    run(&mut e, id, "SET k v PX 2499");
    assert_eq!(run(&mut e, id, "TTL k"), int(2));
    clock.advance_ms(1000);
    assert_eq!(run(&mut e, id, "TTL k"), int(1));
    clock.advance_ms(999);
    assert_eq!(run(&mut e, id, "TTL k"), int(1));
    clock.advance_ms(1);
    assert_eq!(run(&mut e, id, "TTL k"), int(0));
}

#[test]
fn expire_conditions_compare_absolute_times() {
    let (mut e, id, clock) = manual();
    run(&mut e, id, "SET k v");
    assert_eq!(run(&mut e, id, "PEXPIRE k 1000"), int(1));
    clock.advance_ms(500);
    // 600 ms from now is later than the 500 ms left: GT takes it, LT does not.
    assert_eq!(run(&mut e, id, "PEXPIRE k 600 LT"), int(0));
    assert_eq!(run(&mut e, id, "PEXPIRE k 600 GT"), int(1));
    assert_eq!(run(&mut e, id, "PTTL k"), int(600));
    // The same absolute time is neither greater nor less.
    let at = START_MS + 1100;
    assert_eq!(run(&mut e, id, &format!("PEXPIREAT k {at} GT")), int(0));
    assert_eq!(run(&mut e, id, &format!("PEXPIREAT k {at} LT")), int(0));
    assert_eq!(run(&mut e, id, "PEXPIRE k 1 XX LT"), int(1));
    assert_eq!(run(&mut e, id, "PEXPIRE k 1000 NX"), int(0));
}

#[test]
fn commands_see_the_keyspace_hits_and_misses_redis_counts() {
    let (mut e, id, _clock) = manual();
    run(&mut e, id, "SET a 1");
    // EXISTS, TYPE, TTL and TOUCH are reads; EXPIRE, PERSIST, RENAME are writes and count
    // nothing.
    run(&mut e, id, "EXISTS a nosuch");
    run(&mut e, id, "TYPE a");
    run(&mut e, id, "TTL nosuch");
    run(&mut e, id, "TOUCH a");
    run(&mut e, id, "EXPIRE a 100");
    run(&mut e, id, "PERSIST nosuch");
    run(&mut e, id, "RENAME a b");
    assert_eq!((e.stats().keyspace_hits, e.stats().keyspace_misses), (3, 2));
    // SCAN's TYPE filter reads each candidate; KEYS and DBSIZE read nothing.
    run(&mut e, id, "SCAN 0 TYPE hash");
    run(&mut e, id, "KEYS *");
    run(&mut e, id, "DBSIZE");
    assert_eq!((e.stats().keyspace_hits, e.stats().keyspace_misses), (4, 2));
}

#[test]
fn databases_are_per_client_and_swapdb_moves_everyone() {
    let (mut e, a, _clock) = manual();
    let b = e.connect();
    run(&mut e, a, "SET k zero");
    assert_eq!(run(&mut e, b, "SELECT 1"), Reply::ok());
    run(&mut e, b, "SET k one");
    assert_eq!(e.client(b).map(|c| c.db), Some(1));
    assert_eq!(run(&mut e, a, "GET k"), bulk("zero"));
    assert_eq!(run(&mut e, a, "SWAPDB 0 1"), Reply::ok());
    assert_eq!(run(&mut e, a, "GET k"), bulk("one"));
    assert_eq!(run(&mut e, b, "GET k"), bulk("zero"));
    assert_eq!(e.client(b).map(|c| c.db), Some(1));
    assert_eq!(
        run(&mut e, a, "SELECT 16"),
        err("ERR DB index is out of range")
    );
    assert_eq!(
        run(&mut e, a, "SELECT 2147483648"),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
}

#[test]
fn the_databases_setting_bounds_select() {
    let mut config = Config::default();
    config
        .set(b"databases", b"4", true)
        .expect("databases is a start-up setting");
    let (mut e, id) = engine_with(config, Box::new(ManualClock::new(START_MS)));
    assert_eq!(run(&mut e, id, "SELECT 3"), Reply::ok());
    assert_eq!(
        run(&mut e, id, "SELECT 4"),
        err("ERR DB index is out of range")
    );
    assert_eq!(
        run(&mut e, id, "MOVE k 4"),
        err("ERR DB index is out of range")
    );
    assert_eq!(
        run(&mut e, id, "SWAPDB 0 4"),
        err("ERR DB index is out of range")
    );
}

#[test]
fn move_copy_and_rename_carry_the_ttl() {
    let (mut e, id, clock) = manual();
    run(&mut e, id, "SET k v PX 1000");
    assert_eq!(run(&mut e, id, "COPY k c DB 2"), int(1));
    assert_eq!(run(&mut e, id, "RENAME k r"), Reply::ok());
    assert_eq!(run(&mut e, id, "MOVE r 3"), int(1));
    clock.advance_ms(400);
    run(&mut e, id, "SELECT 2");
    assert_eq!(run(&mut e, id, "PTTL c"), int(600));
    run(&mut e, id, "SELECT 3");
    assert_eq!(run(&mut e, id, "PTTL r"), int(600));
    clock.advance_ms(601);
    assert_eq!(run(&mut e, id, "GET r"), Reply::Null);
}

#[test]
fn scan_cursor_counts_positions_left() {
    let (mut e, id, _clock) = manual();
    for i in 0..25 {
        run(&mut e, id, &format!("SET key:{i} v"));
    }
    assert_eq!(scan(&mut e, id, 0, "").0, 15);
    assert_eq!(scan(&mut e, id, 15, "").0, 5);
    let (next, keys) = scan(&mut e, id, 5, "");
    assert_eq!((next, keys.len()), (0, 5));
    assert_eq!(scan(&mut e, id, 0, " COUNT 7 MATCH nomatch"), (18, vec![]));
    assert_eq!(scan(&mut e, id, 0, " COUNT 100").1.len(), 25);
    // Cursors Redis accepts: strtoul's sign and the empty string.
    assert_eq!(
        run(&mut e, id, "SCAN +0 COUNT 1 MATCH nomatch"),
        run(&mut e, id, "SCAN 0 COUNT 1 MATCH nomatch")
    );
    assert_eq!(scan(&mut e, id, u64::MAX, " COUNT 100").1.len(), 25);
    assert_eq!(
        run(&mut e, id, "SCAN -1 COUNT 100"),
        run(&mut e, id, "SCAN 18446744073709551615 COUNT 100")
    );
    assert_eq!(
        run(&mut e, id, "SCAN 18446744073709551616"),
        err("ERR invalid cursor")
    );
    assert_eq!(run(&mut e, id, "SCAN 1x"), err("ERR invalid cursor"));
    assert_eq!(run(&mut e, id, "SCAN 0 COUNT 0"), err("ERR syntax error"));
}

/// SCAN's guarantee: a full iteration returns every key present from its start to its end,
/// however many keys are added and removed between calls. Randomized, with fixed seeds.
#[test]
fn scan_returns_every_key_present_throughout_despite_churn() {
    for seed in 0..40 {
        let mut rng = Rng::new(seed);
        let (mut e, id, _clock) = manual();
        let mut next_name = 0u64;
        let mut live: Vec<String> = Vec::new();
        for _ in 0..(50 + rng.below(200)) {
            let name = format!("k{next_name}");
            next_name += 1;
            run(&mut e, id, &format!("SET {name} v"));
            live.push(name);
        }
        let at_start: HashSet<String> = live.iter().cloned().collect();
        let mut removed: HashSet<String> = HashSet::new();
        let mut returned: HashSet<String> = HashSet::new();
        let count = 1 + rng.below(15);
        let mut cursor = 0;
        let mut calls = 0;
        loop {
            let (next, keys) = scan(&mut e, id, cursor, &format!(" COUNT {count}"));
            returned.extend(keys);
            calls += 1;
            if next == 0 {
                break;
            }
            cursor = next;
            // Churn: delete a few keys anywhere, add a few, overwrite some.
            for _ in 0..rng.below(6) {
                if !live.is_empty() {
                    let victim = live.swap_remove(rng.below(live.len()));
                    assert_eq!(run(&mut e, id, &format!("DEL {victim}")), int(1));
                    removed.insert(victim);
                }
            }
            for _ in 0..rng.below(6) {
                let name = format!("k{next_name}");
                next_name += 1;
                run(&mut e, id, &format!("SET {name} v"));
                live.push(name);
            }
            if !live.is_empty() {
                let name = live[rng.below(live.len())].clone();
                run(&mut e, id, &format!("SET {name} w"));
            }
            assert!(calls < 10_000, "seed {seed}: the walk does not end");
        }
        let throughout: HashSet<&String> =
            at_start.iter().filter(|k| !removed.contains(*k)).collect();
        let missed: Vec<&&String> = throughout
            .iter()
            .filter(|k| !returned.contains(**k))
            .collect();
        assert!(missed.is_empty(), "seed {seed}: SCAN missed {missed:?}");
        let unknown: Vec<&String> = returned.iter().filter(|k| !k.starts_with('k')).collect();
        assert!(unknown.is_empty());
    }
}

#[test]
fn randomkey_is_fixed_by_the_seed_and_covers_every_key() {
    let picks = |seed: u64| {
        let mut e = Engine::new(
            Config::default(),
            Box::new(ManualClock::new(START_MS)),
            seed,
        );
        let id = e.connect();
        for k in ["a", "b", "c", "d"] {
            run(&mut e, id, &format!("SET {k} v"));
        }
        (0..200)
            .map(|_| run(&mut e, id, "RANDOMKEY"))
            .collect::<Vec<_>>()
    };
    assert_eq!(picks(42), picks(42));
    assert_ne!(picks(42), picks(43));
    let seen: HashSet<String> = picks(42).iter().map(|r| format!("{r:?}")).collect();
    assert_eq!(seen.len(), 4);
}

#[test]
fn randomkey_deletes_stale_picks_and_answers_nil_when_all_are_stale() {
    let (mut e, id, clock) = manual();
    for i in 0..50 {
        run(&mut e, id, &format!("SET k{i} v PX 10"));
    }
    clock.advance_ms(11);
    assert_eq!(run(&mut e, id, "RANDOMKEY"), Reply::Null);
    assert_eq!(run(&mut e, id, "DBSIZE"), int(0));
    assert_eq!(e.stats().expired_keys, 50);
}

/// A clock whose monotonic timer moves `step_us` each time it is read, so that the active
/// expire cycle sees time pass while it works. Wall time moves only when told to.
#[derive(Clone)]
struct SlowClock {
    now_ms: Arc<AtomicU64>,
    elapsed_us: Arc<AtomicU64>,
    step_us: u64,
}

impl Clock for SlowClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::Relaxed)
    }

    fn elapsed_us(&self) -> u64 {
        self.elapsed_us.fetch_add(self.step_us, Ordering::Relaxed)
    }
}

/// An engine with `settings`, `stale` keys in database 0 whose time has passed, and a timer
/// that moves 10 ms each time it is read.
fn stale_engine(settings: &[(&str, &str)], stale: usize) -> Engine {
    let mut config = Config::default();
    for (name, value) in settings {
        config
            .set(name.as_bytes(), value.as_bytes(), true)
            .expect("a valid setting");
    }
    let clock = SlowClock {
        now_ms: Arc::new(AtomicU64::new(START_MS)),
        elapsed_us: Arc::new(AtomicU64::new(0)),
        step_us: 10_000,
    };
    let (mut e, id) = engine_with(config, Box::new(clock.clone()));
    for i in 0..stale {
        run(&mut e, id, &format!("SET k{i} v PX 10"));
    }
    clock.now_ms.fetch_add(1000, Ordering::Relaxed);
    e
}

#[test]
fn the_cycle_stops_on_its_time_budget() {
    // hz 10, effort 1: a budget of 25% of 100 ms = 25 000 µs, checked every 16 rounds. The
    // timer reads 10 000, 20 000, 30 000 µs after the start at rounds 16, 32 and 48: over
    // budget at round 48, after 48 rounds of 20 stale keys each.
    let mut e = stale_engine(&[], 5000);
    e.tick();
    assert_eq!(e.stats().expired_keys, 48 * 20);
    assert_eq!(e.stats().expired_time_cap_reached_count, 1);
    assert_eq!(e.db(0).map(|d| d.len()), Some(5000 - 960));
    // Every sample was all stale: the running average moves 5% of the way to 100%.
    assert!((e.stats().expired_stale_perc - 0.05).abs() < 1e-12);
    // Out of time last tick: this one visits all 16 databases, starting after database 0.
    // Databases 1 to 15 are empty but each counts a round, as in Redis; database 0 comes at
    // round 16 and is cut at round 48 again, after 33 rounds.
    e.tick();
    assert_eq!(e.stats().expired_keys, 960 + 33 * 20);
    assert_eq!(e.stats().expired_time_cap_reached_count, 2);
}

#[test]
fn a_higher_hz_gives_each_tick_a_smaller_budget() {
    // hz 100: 2 500 µs; the first check, at round 16, is already over it.
    let mut e = stale_engine(&[("hz", "100")], 5000);
    e.tick();
    assert_eq!(e.stats().expired_keys, 16 * 20);
    assert_eq!(e.stats().expired_time_cap_reached_count, 1);
}

#[test]
fn effort_scales_the_sample_and_the_budget() {
    // Effort 10: 20 + 5 * 9 = 65 keys a round, a budget of (25 + 2 * 9)% of 100 ms =
    // 43 000 µs, first exceeded at round 80 (50 000 µs).
    let mut e = stale_engine(&[("active-expire-effort", "10")], 10_000);
    e.tick();
    assert_eq!(e.stats().expired_keys, 80 * 65);
    assert_eq!(e.stats().expired_time_cap_reached_count, 1);
}

#[test]
fn the_cycle_stops_when_few_sampled_keys_are_stale() {
    // Everything stale, fewer keys than the budget allows: all collected in one tick.
    let mut e = stale_engine(&[], 300);
    e.tick();
    assert_eq!(e.stats().expired_keys, 300);
    assert_eq!(e.stats().expired_time_cap_reached_count, 0);
    // Nothing stale among many volatile keys: one round of 20 samples, nothing deleted, and
    // the stale estimate decays.
    let (mut e, id, clock) = manual();
    for i in 0..1000 {
        run(&mut e, id, &format!("SET k{i} v PX 100000"));
    }
    clock.advance_ms(1);
    e.tick();
    assert_eq!(e.db(0).map(|d| d.len()), Some(1000));
    assert_eq!(e.stats().expired_stale_perc, 0.0);
}

#[test]
fn the_fast_cycle_runs_only_after_a_cycle_ran_out_of_time() {
    // Nothing cut short yet: before the event loop sleeps, nothing is collected.
    let (mut e, id, clock) = manual();
    for i in 0..100 {
        run(&mut e, id, &format!("SET k{i} v PX 10"));
    }
    clock.advance_ms(11);
    e.before_sleep();
    assert_eq!(e.stats().expired_keys, 0);
    assert_eq!(run(&mut e, id, "DBSIZE"), int(100));
    e.tick();
    assert_eq!(run(&mut e, id, "DBSIZE"), int(0));
}

#[test]
fn the_fast_cycle_goes_on_where_the_slow_one_ran_out_of_time() {
    // The tick is cut at round 48 (see the_cycle_stops_on_its_time_budget). The fast cycle's
    // budget is 1000 µs, exceeded at its first check: it visits every database, as the last
    // cycle ran out of time, starting after database 0; databases 1 to 15 are empty and
    // database 0 comes at round 16, which the check then ends after one sample of 20 keys.
    let mut e = stale_engine(&[], 5000);
    e.tick();
    assert_eq!(e.stats().expired_keys, 960);
    e.before_sleep();
    assert_eq!(e.stats().expired_keys, 980);
    assert_eq!(e.stats().expired_time_cap_reached_count, 2);
}

#[test]
fn a_database_left_without_volatile_keys_forgets_its_average_ttl() {
    let (mut e, id, clock) = manual();
    run(&mut e, id, "SET k v PX 100000");
    clock.advance_ms(1);
    e.tick();
    let keyspace = |e: &mut Engine| match run(e, id, "INFO keyspace") {
        Reply::Verbatim { text, .. } => String::from_utf8_lossy(&text)
            .lines()
            .find(|l| l.starts_with("db0:"))
            .map(str::to_string),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        keyspace(&mut e).as_deref(),
        Some("db0:keys=1,expires=1,avg_ttl=99999")
    );
    run(&mut e, id, "PERSIST k");
    e.tick();
    assert_eq!(
        keyspace(&mut e).as_deref(),
        Some("db0:keys=1,expires=0,avg_ttl=0")
    );
}

#[test]
fn active_expiry_announces_expired_like_lazy_expiry() {
    let (mut e, id, clock) = manual();
    run(&mut e, id, "SELECT 5");
    run(&mut e, id, "SET k v PX 10");
    e.take_events();
    clock.advance_ms(11);
    e.tick();
    let events: Vec<(&str, usize, Vec<u8>)> = e
        .take_events()
        .into_iter()
        .map(|ev| (ev.event, ev.db, ev.key))
        .collect();
    assert_eq!(events, [("expired", 5, b"k".to_vec())]);
    assert_eq!(e.stats().expired_keys, 1);
}
