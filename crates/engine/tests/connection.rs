//! Native tests of the connection commands, CLIENT, CONFIG and TIME: the client state each
//! command leaves behind (protocol, database, name, closing), the exact bytes of replies whose
//! client ids or clock the compat scripts cannot pin down, and TIME under a manual clock.

use keyspace::{ClientId, Config, Engine, ManualClock, Reply};

const START_MS: u64 = 1_700_000_000_123;

fn engine() -> (Engine, ClientId, ManualClock) {
    let clock = ManualClock::new(START_MS);
    let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), 1);
    let id = engine.connect();
    (engine, id, clock)
}

fn run_argv(engine: &mut Engine, id: ClientId, argv: &[&[u8]]) -> Reply {
    let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
    let mut replies = engine.execute(id, &argv).into_replies();
    assert_eq!(replies.len(), 1);
    replies.remove(0)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    run_argv(engine, id, &argv)
}

/// The reply as the client would receive it, in its current protocol.
fn wire(engine: &mut Engine, id: ClientId, line: &str) -> String {
    let reply = run(engine, id, line);
    let protocol = engine.client(id).map_or(2, |c| c.protocol);
    String::from_utf8_lossy(&reply.to_resp(protocol)).into_owned()
}

fn err(text: &str) -> Reply {
    Reply::Error(text.into())
}

#[test]
fn client_ids_start_at_3_like_redis() {
    let (mut engine, first, _) = engine();
    let second = engine.connect();
    assert_eq!((first, second), (ClientId(3), ClientId(4)));
    assert_eq!(run(&mut engine, first, "CLIENT ID"), Reply::Integer(3));
    assert_eq!(run(&mut engine, second, "client id"), Reply::Integer(4));
    engine.disconnect(second);
    assert_eq!(engine.connect(), ClientId(5), "ids are never reused");
}

#[test]
fn hello_replies_byte_for_byte_as_redis_7_0_15() {
    let (mut engine, id, _) = engine();
    let fields = "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n";
    let rest = "$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    assert_eq!(
        wire(&mut engine, id, "HELLO"),
        format!("*14\r\n{fields}:2\r\n{rest}")
    );
    assert_eq!(
        wire(&mut engine, id, "HELLO 3"),
        format!("%7\r\n{fields}:3\r\n{rest}")
    );
    assert_eq!(engine.client(id).unwrap().protocol, 3);
    assert_eq!(wire(&mut engine, id, "CLIENT GETNAME"), "_\r\n");
    assert_eq!(
        wire(&mut engine, id, "HELLO 2"),
        format!("*14\r\n{fields}:2\r\n{rest}")
    );
    assert_eq!(wire(&mut engine, id, "CLIENT GETNAME"), "$-1\r\n");
}

#[test]
fn hello_checks_the_version_then_runs_options_in_order() {
    let (mut engine, id, _) = engine();
    assert_eq!(
        run(&mut engine, id, "HELLO 03"),
        err("ERR Protocol version is not an integer or out of range")
    );
    assert_eq!(
        run(&mut engine, id, "HELLO 4 NOSUCH"),
        err("NOPROTO unsupported protocol version")
    );
    assert_eq!(
        run(&mut engine, id, "HELLO 3 AUTH default"),
        err("ERR Syntax error in HELLO option 'AUTH'")
    );
    assert_eq!(
        run(&mut engine, id, "HELLO 3 AUTH someone secret"),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    // SETNAME takes effect before the bad option after it is found; the protocol does not.
    assert_eq!(
        run(&mut engine, id, "HELLO 3 SETNAME early nosuch"),
        err("ERR Syntax error in HELLO option 'nosuch'")
    );
    let client = engine.client(id).unwrap();
    assert_eq!(
        (client.name.as_deref(), client.protocol),
        (Some(&b"early"[..]), 2)
    );
    assert!(matches!(
        run(&mut engine, id, "HELLO 3 AUTH default any SETNAME late"),
        Reply::Map(_)
    ));
    let client = engine.client(id).unwrap();
    assert_eq!(
        (client.name.as_deref(), client.protocol),
        (Some(&b"late"[..]), 3)
    );
}

#[test]
fn client_names_are_printable_ascii_without_spaces() {
    let (mut engine, id, _) = engine();
    let refused = err("ERR Client names cannot contain spaces, newlines or special characters.");
    for bad in [
        &b"a b"[..],
        b"a\nb",
        b"\x7f",
        b"\x80",
        b"caf\xc3\xa9",
        b"\x00",
    ] {
        assert_eq!(
            run_argv(&mut engine, id, &[b"CLIENT", b"SETNAME", bad]),
            refused,
            "{bad:?}"
        );
    }
    let every_printable: Vec<u8> = (b'!'..=b'~').collect();
    assert_eq!(
        run_argv(&mut engine, id, &[b"CLIENT", b"SETNAME", &every_printable]),
        Reply::ok()
    );
    assert_eq!(
        run(&mut engine, id, "CLIENT GETNAME"),
        Reply::Bulk(every_printable)
    );
    assert_eq!(
        run_argv(&mut engine, id, &[b"CLIENT", b"SETNAME", b""]),
        Reply::ok()
    );
    assert_eq!(engine.client(id).unwrap().name, None);
}

#[test]
fn quit_marks_the_client_closing_and_reset_restores_it() {
    let (mut engine, id, _) = engine();
    run(&mut engine, id, "HELLO 3 SETNAME someone");
    run(&mut engine, id, "SELECT 7");
    assert_eq!(wire(&mut engine, id, "RESET"), "+RESET\r\n");
    let client = engine.client(id).unwrap();
    assert_eq!(
        (client.protocol, client.db, client.name.clone()),
        (2, 0, None)
    );
    assert!(!client.closing);
    assert_eq!(run(&mut engine, id, "QUIT now please"), Reply::ok());
    assert!(engine.client(id).unwrap().closing);
}

#[test]
fn time_reads_the_engine_clock() {
    let (mut engine, id, clock) = engine();
    assert_eq!(
        run(&mut engine, id, "TIME"),
        Reply::bulk_array(["1700000000", "123000"])
    );
    clock.advance_ms(1_877);
    assert_eq!(
        run(&mut engine, id, "TIME"),
        Reply::bulk_array(["1700000002", "0"])
    );
    assert_eq!(
        run(&mut engine, id, "TIME now"),
        err("ERR wrong number of arguments for 'time' command")
    );
}

#[test]
fn config_set_changes_what_the_engine_runs_with() {
    let (mut engine, id, _) = engine();
    assert_eq!(
        run(&mut engine, id, "CONFIG SET hz 100 active-expire-effort 7"),
        Reply::ok()
    );
    assert_eq!(
        (
            engine.config().int("hz"),
            engine.config().int("active-expire-effort")
        ),
        (100, 7)
    );
    // One refused value and nothing changes.
    assert!(run(&mut engine, id, "CONFIG SET hz 50 proto-max-bulk-len 1k").is_error());
    assert_eq!(engine.config().int("hz"), 100);
    assert_eq!(engine.config().int("proto-max-bulk-len"), 512 << 20);
    assert_eq!(run(&mut engine, id, "CONFIG SET hz 0"), Reply::ok());
    assert_eq!(engine.config().int("hz"), 1);
}

#[test]
fn config_get_is_a_map_flattened_for_resp2() {
    let (mut engine, id, _) = engine();
    assert_eq!(
        wire(&mut engine, id, "CONFIG GET Hz"),
        "*2\r\n$2\r\nHz\r\n$2\r\n10\r\n"
    );
    assert_eq!(
        run(&mut engine, id, "CONFIG GET databases h?"),
        Reply::Map(vec![
            (Reply::bulk("databases"), Reply::bulk("16")),
            (Reply::bulk("hz"), Reply::bulk("10"))
        ])
    );
    run(&mut engine, id, "HELLO 3");
    assert_eq!(wire(&mut engine, id, "CONFIG GET nosuch"), "%0\r\n");
    assert_eq!(
        wire(&mut engine, id, "CONFIG GET port"),
        "%1\r\n$4\r\nport\r\n$4\r\n6379\r\n"
    );
}

#[test]
fn config_resetstat_zeroes_the_counters() {
    let (mut engine, id, _) = engine();
    run(&mut engine, id, "SET k v");
    run(&mut engine, id, "GET k");
    run(&mut engine, id, "GET nosuch");
    assert_eq!(
        (engine.stats().keyspace_hits, engine.stats().keyspace_misses),
        (1, 1)
    );
    assert_eq!(run(&mut engine, id, "CONFIG RESETSTAT"), Reply::ok());
    let stats = engine.stats();
    assert_eq!(
        (
            stats.keyspace_hits,
            stats.keyspace_misses,
            stats.total_commands_processed,
            stats.total_connections_received
        ),
        // CONFIG RESETSTAT itself is counted once it ran, as Redis counts it.
        (0, 0, 1, 0)
    );
}
