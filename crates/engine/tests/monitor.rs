//! Native tests of MONITOR under the manual clock: the lines a monitor receives (time to the
//! microsecond the clock gives, database, address, quoted arguments), their order around
//! scripts, transactions and blocked commands, what is never shown, and what a monitor may
//! still run.

use keyspace::{cli, ClientId, Config, Engine, ManualClock, Outcome, Reply};

fn engine() -> Engine {
    Engine::new(
        Config::default(),
        Box::new(ManualClock::new(1_700_000_000_123)),
        1,
    )
}

fn execute(engine: &mut Engine, id: ClientId, line: &str) -> Outcome {
    let argv = cli::split_args(line.as_bytes()).expect("balanced quotes");
    engine.execute(id, &argv)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Vec<Reply> {
    execute(engine, id, line).into_replies()
}

/// A monitor and a client at 127.0.0.1:5000.
fn watched() -> (Engine, ClientId, ClientId) {
    let mut engine = engine();
    let (monitor, client) = (engine.connect(), engine.connect());
    engine.set_client_address(client, "127.0.0.1:5000".into(), "127.0.0.1:6379".into(), 9);
    assert_eq!(run(&mut engine, monitor, "MONITOR"), vec![Reply::ok()]);
    (engine, monitor, client)
}

fn lines(engine: &mut Engine, monitor: ClientId) -> Vec<String> {
    engine
        .drain(monitor)
        .into_iter()
        .map(|reply| match reply {
            Reply::Simple(line) => line,
            other => panic!("not a monitor line: {other:?}"),
        })
        .collect()
}

#[test]
fn a_command_is_shown_with_time_database_address_and_quoted_arguments() {
    let (mut engine, monitor, client) = watched();
    run(&mut engine, client, "SET k \"a b\\n\\x00\"");
    run(&mut engine, client, "SELECT 3");
    assert_eq!(
        lines(&mut engine, monitor),
        [
            r#"1700000000.123000 [0 127.0.0.1:5000] "SET" "k" "a b\n\x00""#,
            r#"1700000000.123000 [3 127.0.0.1:5000] "SELECT" "3""#,
        ]
    );
    assert!(engine.take_woken().contains(&monitor));
}

#[test]
fn a_script_shows_itself_before_its_commands_and_a_transaction_after_its_queue() {
    let (mut engine, monitor, client) = watched();
    run(
        &mut engine,
        client,
        "EVAL \"return redis.call('incr', KEYS[1])\" 1 n",
    );
    run(&mut engine, client, "MULTI");
    run(&mut engine, client, "GET n");
    run(&mut engine, client, "EXEC");
    let shown: Vec<String> = lines(&mut engine, monitor)
        .into_iter()
        .map(|l| l.split_once(' ').unwrap().1.to_string())
        .collect();
    assert_eq!(
        shown,
        [
            r#"[0 127.0.0.1:5000] "EVAL" "return redis.call('incr', KEYS[1])" "1" "n""#,
            r#"[0 lua] "incr" "n""#,
            r#"[0 127.0.0.1:5000] "MULTI""#,
            r#"[0 127.0.0.1:5000] "GET" "n""#,
            r#"[0 127.0.0.1:5000] "EXEC""#,
        ]
    );
}

#[test]
fn secrets_admin_commands_refusals_and_served_pops_are_not_shown() {
    let (mut engine, monitor, client) = watched();
    let other = engine.connect();
    run(&mut engine, client, "AUTH hunter2");
    run(&mut engine, client, "CONFIG GET maxmemory");
    run(&mut engine, client, "GET");
    assert_eq!(execute(&mut engine, client, "BLPOP q 0"), Outcome::Blocked);
    run(&mut engine, other, "RPUSH q x");
    let shown: Vec<String> = lines(&mut engine, monitor)
        .into_iter()
        .map(|l| l.split_once("] ").unwrap().1.to_string())
        .collect();
    assert_eq!(
        shown,
        [
            r#""AUTH" "(redacted)""#,
            r#""BLPOP" "q" "0""#,
            r#""RPUSH" "q" "x""#,
        ]
    );
}

#[test]
fn a_monitor_may_not_touch_the_keyspace_and_sees_its_own_commands_after_their_reply() {
    let (mut engine, monitor, _) = watched();
    assert_eq!(
        run(&mut engine, monitor, "GET k"),
        vec![Reply::Error(
            "ERR Replica can't interact with the keyspace".into()
        )]
    );
    let replies = run(&mut engine, monitor, "PING");
    assert_eq!(replies[0], Reply::Simple("PONG".into()));
    assert!(matches!(&replies[1], Reply::Simple(l) if l.ends_with(r#"[0 ] "PING""#)));
    assert_eq!(run(&mut engine, monitor, "MONITOR"), vec![]);
    let info = run(&mut engine, monitor, "CLIENT INFO");
    assert!(
        matches!(&info[0], Reply::Verbatim { text, .. } if String::from_utf8_lossy(text).contains(" flags=O "))
    );
}

#[test]
fn reset_and_disconnecting_end_monitoring() {
    let (mut engine, monitor, client) = watched();
    assert_eq!(
        run(&mut engine, monitor, "RESET"),
        vec![Reply::Simple("RESET".into())]
    );
    assert!(!engine.client(monitor).unwrap().monitor);
    run(&mut engine, client, "SET k v");
    assert!(engine.drain(monitor).is_empty());
    assert_eq!(run(&mut engine, monitor, "GET k"), vec![Reply::bulk("v")]);
    run(&mut engine, monitor, "MONITOR");
    engine.disconnect(monitor);
    run(&mut engine, client, "SET k w");
    assert_eq!(run(&mut engine, client, "GET k"), vec![Reply::bulk("w")]);
}

#[test]
fn monitor_inside_exec_is_refused() {
    let mut engine = engine();
    let client = engine.connect();
    run(&mut engine, client, "MULTI");
    run(&mut engine, client, "MONITOR");
    assert_eq!(
        run(&mut engine, client, "EXEC"),
        vec![Reply::Array(vec![Reply::Error(
            "ERR MONITOR isn't allowed for DENY BLOCKING client".into()
        )])]
    );
    assert!(!engine.client(client).unwrap().monitor);
}
