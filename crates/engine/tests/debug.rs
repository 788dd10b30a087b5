//! DEBUG POPULATE and SET-ACTIVE-EXPIRE, and the `enable-debug-command` gate in front of them,
//! with the replies Redis 7.0 gives.

use keyspace::cli::split_args;
use keyspace::{ClientId, Config, Engine, ManualClock, Reply};

fn engine(debug: &str) -> (Engine, ClientId, ManualClock) {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut config = Config::default();
    config
        .set(b"enable-debug-command", debug.as_bytes(), true)
        .unwrap();
    let mut engine = Engine::new(config, Box::new(clock.clone()), 1);
    let id = engine.connect();
    (engine, id, clock)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    let argv = split_args(line.as_bytes()).unwrap();
    engine.execute(id, &argv).into_replies().remove(0)
}

fn err(text: &str) -> Reply {
    Reply::Error(text.into())
}

#[test]
fn refused_by_default_after_the_arity_check() {
    let (mut e, id, _) = engine("no");
    assert_eq!(
        run(&mut e, id, "DEBUG POPULATE 10"),
        err("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
    );
    assert_eq!(
        run(&mut e, id, "DEBUG"),
        err("ERR wrong number of arguments for 'debug' command")
    );
    assert_eq!(run(&mut e, id, "DBSIZE"), Reply::Integer(0));
}

#[test]
fn the_setting_is_fixed_at_startup() {
    let (mut e, id, _) = engine("no");
    assert_eq!(
        run(&mut e, id, "CONFIG SET enable-debug-command yes"),
        err("ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config")
    );
    let mut config = Config::default();
    assert!(config.set(b"enable-debug-command", b"maybe", true).is_err());
    assert!(config.set(b"enable-debug-command", b"LOCAL", true).is_ok());
}

#[test]
fn populate_adds_numbered_keys_and_skips_existing_ones() {
    let (mut e, id, _) = engine("yes");
    run(&mut e, id, "SET key:1 mine");
    assert_eq!(run(&mut e, id, "DEBUG POPULATE 3"), Reply::ok());
    assert_eq!(run(&mut e, id, "DBSIZE"), Reply::Integer(3));
    assert_eq!(run(&mut e, id, "GET key:0"), Reply::bulk("value:0"));
    assert_eq!(run(&mut e, id, "GET key:1"), Reply::bulk("mine"));
    assert_eq!(run(&mut e, id, "DEBUG POPULATE 2 user 3"), Reply::ok());
    assert_eq!(run(&mut e, id, "GET user:1"), Reply::bulk("val"));
    assert_eq!(run(&mut e, id, "DEBUG POPULATE 1 pad 10"), Reply::ok());
    assert_eq!(
        run(&mut e, id, "GET pad:0"),
        Reply::bulk(b"value:0\0\0\0".to_vec())
    );
    assert_eq!(run(&mut e, id, "DEBUG POPULATE 0"), Reply::ok());
}

#[test]
fn populate_refuses_what_redis_refuses() {
    let (mut e, id, _) = engine("local");
    let out_of_range = err("ERR value is out of range, must be positive");
    assert_eq!(run(&mut e, id, "DEBUG POPULATE -1"), out_of_range);
    assert_eq!(run(&mut e, id, "DEBUG POPULATE many"), out_of_range);
    assert_eq!(run(&mut e, id, "DEBUG POPULATE 1 k -5"), out_of_range);
    assert_eq!(
        run(&mut e, id, "DEBUG POPULATE 1 a 2 3"),
        err("ERR unknown subcommand or wrong number of arguments for 'POPULATE'. Try DEBUG HELP.")
    );
    assert_eq!(
        run(&mut e, id, "DEBUG nosuch"),
        err("ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.")
    );
}

#[test]
fn set_active_expire_0_leaves_expiry_to_lookups() {
    let (mut e, id, clock) = engine("yes");
    assert_eq!(run(&mut e, id, "DEBUG SET-ACTIVE-EXPIRE 0"), Reply::ok());
    run(&mut e, id, "SET k v PX 10");
    clock.advance_ms(50);
    e.tick();
    assert_eq!(e.db(0).unwrap().len(), 1, "active expiry is off");
    assert_eq!(run(&mut e, id, "DEBUG SET-ACTIVE-EXPIRE 1"), Reply::ok());
    e.tick();
    assert_eq!(e.db(0).unwrap().len(), 0);
}

/// The engine's log since the last call.
fn log(e: &mut Engine) -> Vec<String> {
    e.take_persistence_log()
}

#[test]
fn a_crash_ends_the_engine_with_a_report() {
    let (mut e, id, _) = engine("yes");
    run(&mut e, id, "SET k v");
    let argv = split_args(b"DEBUG ASSERT").unwrap();
    assert!(e.execute(id, &argv).into_replies().is_empty());
    assert!(matches!(e.crash(), Some(keyspace::Crash::Assert { .. })));
    let report = log(&mut e);
    assert!(report.contains(&"==> debug.c:526 '1 == 2' is not true".to_string()));
    assert!(report.contains(&"client->argv[1] = \"ASSERT\" (refcount: 1)".to_string()));
    // Nothing runs after it, and it is no shutdown: nothing was saved, nothing restarts.
    let argv = split_args(b"GET k").unwrap();
    assert!(e.execute(id, &argv).into_replies().is_empty());
    assert!(!e.shutdown_requested());
    assert_eq!(e.restart_requested(), None);
}

#[test]
fn nothing_expires_after_a_crash() {
    let (mut e, id, clock) = engine("yes");
    run(&mut e, id, "SET k v PX 100");
    let argv = split_args(b"DEBUG PANIC").unwrap();
    e.execute(id, &argv);
    clock.advance_ms(1000);
    e.tick();
    assert_eq!(e.db(0).map(|db| db.len()), Some(1));
}

#[test]
fn each_crash_says_what_it_was() {
    for (line, wanted) in [
        (
            "DEBUG SEGFAULT",
            "Redis 7.0.15 crashed by signal: 11, si_code: 2",
        ),
        (
            "DEBUG PANIC",
            "Guru Meditation: DEBUG PANIC called at Unix time 1700000000 #debug.c:506",
        ),
        (
            "DEBUG OOM",
            "Out Of Memory allocating 9223372036854775807 bytes!",
        ),
    ] {
        let (mut e, id, _) = engine("yes");
        let argv = split_args(line.as_bytes()).unwrap();
        assert!(e.execute(id, &argv).into_replies().is_empty(), "{line}");
        assert!(e.crash().is_some(), "{line}");
        assert!(log(&mut e).contains(&wanted.to_string()), "{line}");
    }
}

#[test]
fn restart_saves_as_shutdown_does_and_asks_to_start_again() {
    let (mut e, id, _) = engine("yes");
    run(&mut e, id, "CONFIG SET save \"3600 1\"");
    run(&mut e, id, "SET k v");
    let argv = split_args(b"DEBUG RESTART 250").unwrap();
    assert!(e.execute(id, &argv).into_replies().is_empty());
    assert!(e.shutdown_requested());
    assert_eq!(
        e.restart_requested(),
        Some(keyspace::Restart {
            graceful: true,
            delay_ms: 250
        })
    );
    assert!(log(&mut e).contains(&"DB saved on disk".to_string()));
}

#[test]
fn crash_and_recover_stops_without_saving() {
    let (mut e, id, _) = engine("yes");
    run(&mut e, id, "CONFIG SET save \"3600 1\"");
    run(&mut e, id, "SET k v");
    let argv = split_args(b"DEBUG CRASH-AND-RECOVER -5").unwrap();
    assert!(e.execute(id, &argv).into_replies().is_empty());
    assert_eq!(
        e.restart_requested(),
        Some(keyspace::Restart {
            graceful: false,
            delay_ms: 0
        })
    );
    assert!(!log(&mut e).contains(&"DB saved on disk".to_string()));
    assert_eq!(
        run(&mut engine("yes").0, id, "DEBUG RESTART soon"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn pause_cron_stops_the_background_expiry() {
    let (mut e, id, clock) = engine("yes");
    run(&mut e, id, "SET k v PX 100");
    run(&mut e, id, "DEBUG PAUSE-CRON 1");
    clock.advance_ms(1000);
    e.tick();
    assert_eq!(run(&mut e, id, "DBSIZE"), Reply::Integer(1));
    run(&mut e, id, "DEBUG PAUSE-CRON 0");
    e.tick();
    assert_eq!(run(&mut e, id, "DBSIZE"), Reply::Integer(0));
}

#[test]
fn leak_counts_in_used_memory_for_good() {
    let (mut e, id, _) = engine("yes");
    let before = e.used_memory();
    assert_eq!(run(&mut e, id, "DEBUG LEAK abcdefghij"), Reply::ok());
    // A 10-byte sds: 1-byte header, the bytes and the NUL, in a 16-byte class.
    assert_eq!(e.used_memory(), before + 16);
    run(&mut e, id, "FLUSHALL");
    assert_eq!(e.used_memory(), before + 16);
}

#[test]
fn change_repl_id_draws_a_new_one() {
    let (mut e, id, _) = engine("yes");
    let replid = |e: &mut Engine| match run(e, id, "INFO replication") {
        Reply::Verbatim { text, .. } | Reply::Bulk(text) => String::from_utf8(text)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("master_replid:"))
            .unwrap()
            .to_string(),
        other => panic!("{other:?}"),
    };
    let first = replid(&mut e);
    assert_eq!(run(&mut e, id, "DEBUG CHANGE-REPL-ID"), Reply::ok());
    assert_ne!(replid(&mut e), first);
    assert_eq!(
        log(&mut e),
        ["Changing replication IDs after receiving DEBUG change-repl-id"]
    );
}

#[test]
fn error_replies_without_being_counted() {
    let (mut e, id, _) = engine("yes");
    assert_eq!(
        run(&mut e, id, "DEBUG ERROR \"NOPE two\nlines\""),
        err("NOPE two lines")
    );
    let errorstats = |e: &mut Engine| match run(e, id, "INFO errorstats") {
        Reply::Verbatim { text, .. } | Reply::Bulk(text) => String::from_utf8(text).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(errorstats(&mut e), "# Errorstats\r\n");
    // A real error is counted.
    run(&mut e, id, "DEBUG NO-SUCH-THING");
    assert!(errorstats(&mut e).contains("errorstat_ERR:count=1"));
}

#[test]
fn log_listpack_and_quicklist_write_to_the_log() {
    let (mut e, id, _) = engine("yes");
    run(&mut e, id, "DEBUG LOG hello");
    run(&mut e, id, "HSET h f 7");
    assert_eq!(
        run(&mut e, id, "DEBUG LISTPACK h"),
        Reply::Simple("Listpack structure printed on stdout".into())
    );
    run(&mut e, id, "RPUSH l a");
    assert_eq!(
        run(&mut e, id, "DEBUG QUICKLIST l"),
        Reply::Simple("Quicklist structure printed on stdout".into())
    );
    assert_eq!(
        log(&mut e),
        [
            "DEBUG LOG: hello",
            "listpack: 12 bytes, 2 entries",
            "  entry 0 at offset 6, 3 bytes: str \"f\"",
            "  entry 1 at offset 9, 2 bytes: int 7",
            "quicklist: 1 nodes, 1 elements, fill -2, compress depth 0",
            "  node 0: packed, 1 elements, 10 bytes, not compressed",
        ]
    );
}

#[test]
fn htstats_describes_the_modelled_tables() {
    let (mut e, id, _) = engine("yes");
    run(&mut e, id, "DEBUG POPULATE 4097");
    let Reply::Verbatim { text, .. } = run(&mut e, id, "DEBUG HTSTATS 0") else {
        panic!("a verbatim string")
    };
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: 8192\n number of elements: 4097\n"));
    assert!(text.ends_with("[Expires HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"));
}
