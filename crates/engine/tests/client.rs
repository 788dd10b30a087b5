//! Native tests of CLIENT LIST, INFO and KILL: the line's fields in Redis 7.0's order and their
//! values where the engine knows them (the compat scripts can only compare what does not vary
//! from run to run), and what CLIENT KILL leaves for the front end.

mod common;
use common::{engine, execute};
use keyspace::{ClientId, Engine, Reply};

/// A command's first reply (SUBSCRIBE answers one per channel).
fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    execute(engine, id, line).into_replies().remove(0)
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Verbatim { format, text } => {
            assert_eq!(&format, b"txt");
            String::from_utf8(text).unwrap()
        }
        other => panic!("not verbatim text: {other:?}"),
    }
}

/// The `name=value` fields of one line, in order.
fn fields(line: &str) -> Vec<(String, String)> {
    line.split(' ')
        .map(|f| {
            let (k, v) = f.split_once('=').expect("name=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

const FIELDS: &[&str] = &[
    "id",
    "addr",
    "laddr",
    "fd",
    "name",
    "age",
    "idle",
    "flags",
    "db",
    "sub",
    "psub",
    "ssub",
    "multi",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
    "events",
    "cmd",
    "user",
    "redir",
    "resp",
];

#[test]
fn client_info_has_redis_fields_in_order() {
    let (mut engine, clock) = engine();
    let id = engine.connect();
    engine.set_client_address(id, "127.0.0.1:50000".into(), "127.0.0.1:6379".into(), 8);
    run(&mut engine, id, "CLIENT SETNAME alice");
    run(&mut engine, id, "SELECT 2");
    clock.advance_ms(3_000);
    let line = text(run(&mut engine, id, "CLIENT INFO"));
    assert!(line.ends_with('\n'));
    let fields = fields(line.trim_end());
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, FIELDS);
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).unwrap().1.clone();
    assert_eq!(value("id"), id.0.to_string());
    assert_eq!(value("addr"), "127.0.0.1:50000");
    assert_eq!(value("laddr"), "127.0.0.1:6379");
    assert_eq!(value("fd"), "8");
    assert_eq!(value("name"), "alice");
    assert_eq!(value("age"), "3");
    assert_eq!(value("idle"), "0");
    assert_eq!(value("flags"), "N");
    assert_eq!(value("db"), "2");
    assert_eq!(value("multi"), "-1");
    // `*2\r\n$6\r\nclient\r\n$4\r\ninfo\r\n`, as Redis counts the request being run.
    assert_eq!(value("qbuf"), "26");
    assert_eq!(value("argv-mem"), "10");
    assert_eq!(value("cmd"), "client|info");
    assert_eq!(value("resp"), "2");
}

#[test]
fn client_list_shows_flags_and_counts_of_every_client() {
    let (mut engine, _) = engine();
    let (me, sub, tx, watcher) = (
        engine.connect(),
        engine.connect(),
        engine.connect(),
        engine.connect(),
    );
    run(&mut engine, sub, "SUBSCRIBE a b");
    run(&mut engine, sub, "PSUBSCRIBE c*");
    run(&mut engine, tx, "MULTI");
    run(&mut engine, tx, "SET a 1");
    run(&mut engine, tx, "GET a");
    run(&mut engine, watcher, "WATCH a");
    run(&mut engine, me, "SET a 2");
    run(&mut engine, me, "CLIENT NO-EVICT on");
    let list = text(run(&mut engine, me, "CLIENT LIST"));
    let lines: Vec<Vec<(String, String)>> = list.lines().map(fields).collect();
    assert_eq!(lines.len(), 4);
    let get = |line: &Vec<(String, String)>, name: &str| {
        line.iter().find(|(k, _)| k == name).unwrap().1.clone()
    };
    assert_eq!(get(&lines[0], "flags"), "e");
    assert_eq!(
        (
            get(&lines[1], "flags"),
            get(&lines[1], "sub"),
            get(&lines[1], "psub")
        ),
        ("P".into(), "2".into(), "1".into())
    );
    // Redis's multi-mem: each queued argument's bytes plus a pointer (SET a 1, GET a: 49).
    assert_eq!(
        (
            get(&lines[2], "flags"),
            get(&lines[2], "multi"),
            get(&lines[2], "multi-mem")
        ),
        ("x".into(), "2".into(), "49".into())
    );
    assert_eq!(get(&lines[3], "flags"), "d");
    let pubsub = text(run(&mut engine, me, "CLIENT LIST TYPE pubsub"));
    assert!(pubsub.starts_with(&format!("id={} ", sub.0)) && pubsub.lines().count() == 1);
    let by_id = text(run(
        &mut engine,
        me,
        &format!("CLIENT LIST ID {} 999 {}", tx.0, me.0),
    ));
    let ids: Vec<String> = by_id.lines().map(|l| fields(l)[0].1.clone()).collect();
    assert_eq!(ids, vec![tx.0.to_string(), me.0.to_string()]);
}

#[test]
fn client_kill_marks_victims_closing_and_wakes_them() {
    let (mut engine, _) = engine();
    let (me, victim) = (engine.connect(), engine.connect());
    engine.set_client_address(victim, "10.0.0.1:1234".into(), "10.0.0.2:6379".into(), 9);
    engine.take_woken();
    assert_eq!(
        run(&mut engine, me, "CLIENT KILL 10.0.0.1:1234"),
        Reply::ok()
    );
    assert!(engine.client(victim).unwrap().closing);
    assert_eq!(engine.take_woken(), vec![victim]);
    assert_eq!(
        run(&mut engine, me, "CLIENT KILL 10.0.0.1:1234"),
        Reply::Error("ERR No such client".into())
    );
    assert_eq!(
        run(&mut engine, me, "CLIENT KILL LADDR 10.0.0.2:6379"),
        Reply::Integer(0),
        "already closing"
    );
    assert_eq!(
        run(&mut engine, me, "CLIENT KILL SKIPME no"),
        Reply::Integer(1)
    );
    assert!(engine.client(me).unwrap().closing);
}
