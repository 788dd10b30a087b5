//! Native tests of pub/sub through the public `Engine` API: what reaches each client's outbox
//! and who is listed to be woken ([`Engine::drain`], [`Engine::take_woken`]), the exact bytes
//! of pushes in RESP2 and RESP3, keyspace notifications, and cleanup on disconnect.

use keyspace::{cli, ClientId, Config, Engine, ManualClock, Outcome, Reply};

fn engine() -> Engine {
    Engine::new(
        Config::default(),
        Box::new(ManualClock::new(1_700_000_000_000)),
        1,
    )
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Vec<Reply> {
    let argv = cli::split_args(line.as_bytes()).expect("balanced quotes");
    engine.execute(id, &argv).into_replies()
}

fn one(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    let mut replies = run(engine, id, line);
    assert_eq!(replies.len(), 1, "{line}");
    replies.remove(0)
}

fn push(items: &[&str]) -> Reply {
    Reply::Push(items.iter().map(|i| Reply::bulk(*i)).collect())
}

#[test]
fn a_message_waits_in_the_subscribers_outbox_and_wakes_it() {
    let mut engine = engine();
    let (sub, publisher) = (engine.connect(), engine.connect());
    let confirmations = run(&mut engine, sub, "SUBSCRIBE news sport");
    assert_eq!(
        confirmations,
        vec![
            Reply::Push(vec![
                Reply::bulk("subscribe"),
                Reply::bulk("news"),
                Reply::Integer(1)
            ]),
            Reply::Push(vec![
                Reply::bulk("subscribe"),
                Reply::bulk("sport"),
                Reply::Integer(2)
            ]),
        ]
    );
    assert!(engine.client(sub).unwrap().subscriptions.any());
    engine.take_woken();
    assert_eq!(
        one(&mut engine, publisher, "PUBLISH news hi"),
        Reply::Integer(1)
    );
    assert_eq!(engine.take_woken(), vec![sub]);
    assert_eq!(engine.drain(sub), vec![push(&["message", "news", "hi"])]);
    assert!(engine.drain(sub).is_empty(), "drained once");
    assert!(engine.drain(publisher).is_empty());
}

#[test]
fn pushes_are_arrays_in_resp2_and_pushes_in_resp3() {
    let message = push(&["message", "ch", "x"]);
    assert_eq!(
        message.to_resp(2),
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n"
    );
    assert_eq!(
        message.to_resp(3),
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n"
    );
    let mut engine = engine();
    let id = engine.connect();
    let none = one(&mut engine, id, "UNSUBSCRIBE");
    assert_eq!(
        none.to_resp(2),
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    );
    assert_eq!(none.to_resp(3), b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

#[test]
fn patterns_get_pmessage_once_per_matching_pattern() {
    let mut engine = engine();
    let (sub, publisher) = (engine.connect(), engine.connect());
    run(&mut engine, sub, "SUBSCRIBE news");
    run(&mut engine, sub, "PSUBSCRIBE n* *s");
    assert_eq!(
        one(&mut engine, publisher, "PUBLISH news x"),
        Reply::Integer(3)
    );
    assert_eq!(
        engine.drain(sub),
        vec![
            push(&["message", "news", "x"]),
            push(&["pmessage", "n*", "news", "x"]),
            push(&["pmessage", "*s", "news", "x"]),
        ]
    );
    assert_eq!(
        one(&mut engine, publisher, "PUBSUB NUMPAT"),
        Reply::Integer(2)
    );
}

#[test]
fn resp2_subscribers_may_only_manage_subscriptions() {
    let mut engine = engine();
    let id = engine.connect();
    run(&mut engine, id, "SSUBSCRIBE shard");
    assert_eq!(
        one(&mut engine, id, "GET k"),
        Reply::Error("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context".into())
    );
    assert_eq!(
        one(&mut engine, id, "PING"),
        Reply::bulk_array(["pong", ""])
    );
    // HELLO is refused too: a RESP2 subscriber cannot switch its way out.
    assert!(one(&mut engine, id, "HELLO 3").is_error());
    let resp3 = engine.connect();
    one(&mut engine, resp3, "HELLO 3");
    run(&mut engine, resp3, "SSUBSCRIBE shard");
    assert_eq!(one(&mut engine, resp3, "GET k"), Reply::Null);
    assert_eq!(
        one(&mut engine, resp3, "PING"),
        Reply::Simple("PONG".into())
    );
}

#[test]
fn keyspace_notifications_follow_the_config() {
    let mut engine = engine();
    let (sub, writer) = (engine.connect(), engine.connect());
    run(&mut engine, sub, "PSUBSCRIBE __key*");
    one(&mut engine, writer, "SET k v");
    assert!(engine.drain(sub).is_empty(), "off by default");
    one(
        &mut engine,
        writer,
        "CONFIG SET notify-keyspace-events KEg$",
    );
    assert_eq!(
        one(&mut engine, writer, "CONFIG GET notify-keyspace-events"),
        Reply::Map(vec![(
            Reply::bulk("notify-keyspace-events"),
            Reply::bulk("g$KE")
        )])
    );
    one(&mut engine, writer, "SET k v");
    one(&mut engine, writer, "LPUSH l x");
    assert_eq!(
        engine.drain(sub),
        vec![
            push(&["pmessage", "__key*", "__keyspace@0__:k", "set"]),
            push(&["pmessage", "__key*", "__keyevent@0__:set", "k"]),
        ],
        "lists are not asked for"
    );
}

#[test]
fn expiry_under_the_manual_clock_is_notified() {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), 1);
    let (sub, writer) = (engine.connect(), engine.connect());
    one(&mut engine, writer, "CONFIG SET notify-keyspace-events Ex");
    run(&mut engine, sub, "SUBSCRIBE __keyevent@0__:expired");
    one(&mut engine, writer, "SET k v PX 100");
    clock.advance_ms(101);
    engine.tick();
    assert_eq!(
        engine.drain(sub),
        vec![push(&["message", "__keyevent@0__:expired", "k"])]
    );
}

#[test]
fn a_disconnected_subscriber_is_forgotten() {
    let mut engine = engine();
    let (sub, publisher) = (engine.connect(), engine.connect());
    run(&mut engine, sub, "SUBSCRIBE a");
    run(&mut engine, sub, "PSUBSCRIBE *");
    engine.disconnect(sub);
    assert_eq!(
        one(&mut engine, publisher, "PUBLISH a x"),
        Reply::Integer(0)
    );
    assert_eq!(
        one(&mut engine, publisher, "PUBSUB NUMPAT"),
        Reply::Integer(0)
    );
    assert_eq!(
        one(&mut engine, publisher, "PUBSUB CHANNELS"),
        Reply::Array(Vec::new())
    );
    assert!(matches!(
        engine.execute(publisher, &[b"PUBSUB".to_vec(), b"NUMSUB".to_vec(), b"a".to_vec()]),
        Outcome::Reply(Reply::Array(items)) if items[1] == Reply::Integer(0)
    ));
}
