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
