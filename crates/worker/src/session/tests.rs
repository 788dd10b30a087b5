//! The session through its requests, as the page sends them: typed lines and their replies,
//! panes and blocked clients, long replies, persistence across a reload, the scenario handed to
//! the console, share links, completion and help.

use super::panes::{CHANNELS_SHOWN, CLOSED, EVICTED_MAX};
use super::*;
use keyspace::cli::INVALID_ARGUMENTS;
use keyspace::ManualClock;
use keyspace_protocol::console::{
    Flow, FlowKind, LineKind, Note, Replies, ReplyPage, ReplyValue, Watched,
};
use keyspace_protocol::inspect::Body;
use keyspace_protocol::saved::Source;

fn session() -> (Session, ManualClock) {
    let clock = ManualClock::new(1_700_000_000_000);
    (Session::new(Box::new(clock.clone()), 7), clock)
}

/// The update a request brings.
fn update(s: &mut Session, request: Request) -> Update {
    match s.handle(request) {
        Response::Update(update) => *update,
        other => panic!("{other:?}"),
    }
}

/// Runs `lines` on `pane` (a pipeline if several), with the inspector on `inspect`.
fn run_on(s: &mut Session, pane: PaneId, lines: &[&str], inspect: Option<InspectQuery>) -> Update {
    update(
        s,
        Request::Run {
            seq: 1,
            pane,
            lines: lines.iter().map(|l| l.to_string()).collect(),
            view: KeyQuery::default(),
            inspect,
        },
    )
}

fn tick(s: &mut Session, inspect: Option<InspectQuery>) -> Update {
    update(
        s,
        Request::Tick {
            pane: 1,
            view: KeyQuery::default(),
            inspect,
        },
    )
}

fn texts(page: &ReplyPage) -> Vec<String> {
    page.lines.iter().map(|l| l.text.clone()).collect()
}

/// Runs a line on the first pane: the echo, then the reply's texts.
fn run(s: &mut Session, line: &str) -> (String, Vec<String>) {
    let update = run_on(s, 1, &[line], None);
    let answer = &update.answers[0];
    (answer.echo.clone(), texts(&answer.reply))
}

fn reply(s: &mut Session, line: &str) -> Vec<String> {
    run(s, line).1
}

/// What the browser would keep after everything `s` queued so far.
fn keep(s: &mut Session, stored: &mut Stored) {
    for op in s.take_store_ops() {
        stored.apply(op);
    }
}

fn reopen(stored: &Stored, clock: &ManualClock) -> (Session, Restored) {
    Session::open(stored, Box::new(clock.clone()), 7)
}

#[test]
fn a_reload_finds_the_keys_the_config_and_not_what_expired_meanwhile() {
    let (mut s, clock) = session();
    let mut stored = Stored::default();
    for line in [
        "SET a 1",
        "SET t 1 PX 1000",
        "RPUSH l x y",
        "SELECT 2",
        "HSET h f v",
        "CONFIG SET maxmemory-policy allkeys-lru",
    ] {
        run(&mut s, line);
    }
    keep(&mut s, &mut stored);
    assert!(stored.aof_base.is_some(), "the log starts on a base");
    assert!(!stored.aof_log.is_empty());
    clock.advance_ms(2000);
    let (mut s, restored) = reopen(&stored, &clock);
    assert_eq!(restored.source, Source::Log);
    assert_eq!(
        (restored.keys, restored.expired, restored.config),
        (3, 1, 1)
    );
    assert_eq!(reply(&mut s, "GET a"), ["\"1\""]);
    assert_eq!(reply(&mut s, "EXISTS t"), ["(integer) 0"]);
    assert_eq!(reply(&mut s, "LRANGE l 0 -1"), ["1) \"x\"", "2) \"y\""]);
    assert_eq!(reply(&mut s, "SELECT 2"), ["OK"]);
    assert_eq!(
        run_on(&mut s, 1, &["HGET h f"], None).answers[0]
            .reply
            .lines[0]
            .text,
        "\"v\""
    );
    assert_eq!(
        reply(&mut s, "CONFIG GET maxmemory-policy"),
        ["1) \"maxmemory-policy\"", "2) \"allkeys-lru\""]
    );
    // The config back at the page's default is kept as such.
    run(&mut s, "CONFIG SET maxmemory-policy noeviction");
    keep(&mut s, &mut stored);
    assert_eq!(reopen(&stored, &clock).1.config, 0);
}

/// A base longer than one chunk is queued as its chunks, the same ones the storage keeps (not
/// a copy: each is held twice, by the queue and by the in-memory files), and comes back
/// whole at a reload; the in-memory files answer DEBUG LOADAOF and DEBUG RELOAD.
#[test]
fn a_base_of_several_chunks_is_kept_once_and_loads_whole() {
    let (mut s, clock) = session();
    let mut stored = Stored::default();
    run(&mut s, "DEBUG POPULATE 60000");
    run(&mut s, "SET after 1");
    let ops = s.take_store_ops();
    let base = ops
        .iter()
        .rev()
        .find_map(|op| match op {
            StoreOp::Rewrite(chunks) => Some(chunks.clone()),
            _ => None,
        })
        .expect("a snapshot after DEBUG");
    assert!(base.len() > 1, "{} chunk(s)", base.len());
    assert!(base[..base.len() - 1]
        .iter()
        .all(|c| c.len() == keyspace::rdb::CHUNK_SIZE));
    // The queue's, the storage's, and this test's.
    assert!(base.iter().all(|c| std::sync::Arc::strong_count(c) == 3));
    drop(base);
    ops.into_iter().for_each(|op| stored.apply(op));
    let (mut again, restored) = reopen(&stored, &clock);
    assert_eq!((restored.source, restored.keys), (Source::Log, 60_001));
    assert_eq!(reply(&mut again, "GET key:59999"), ["\"value:59999\""]);
    assert_eq!(reply(&mut s, "DEBUG LOADAOF"), ["OK"]);
    assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 60001"]);
    assert_eq!(reply(&mut s, "DEBUG RELOAD"), ["OK"]);
    assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 60001"]);
}

#[test]
fn debug_populate_reaches_no_log_so_the_page_snapshots_after_it() {
    let (mut s, clock) = session();
    let mut stored = Stored::default();
    keep(&mut s, &mut stored);
    run(&mut s, "DEBUG POPULATE 100");
    let ops = s.take_store_ops();
    assert!(matches!(ops.last(), Some(StoreOp::Rewrite(_))), "{ops:?}");
    ops.into_iter().for_each(|op| stored.apply(op));
    let (_, restored) = reopen(&stored, &clock);
    assert_eq!(restored.keys, 100);
}

#[test]
fn a_damaged_log_is_not_loaded_the_snapshot_is_and_the_copy_is_kept() {
    let (mut s, clock) = session();
    let mut stored = Stored::default();
    run(&mut s, "SET a 1");
    run(&mut s, "SAVE");
    run(&mut s, "SET b 2");
    keep(&mut s, &mut stored);
    let last = stored.aof_log.last_mut().unwrap();
    last[5] ^= 0x20;
    let damaged_log: Vec<u8> = stored.aof_log.concat();
    let (mut s, restored) = reopen(&stored, &clock);
    assert_eq!(restored.source, Source::Snapshot);
    assert_eq!(restored.keys, 1);
    assert_eq!(restored.damaged.len(), 2, "{:?}", restored.damaged);
    assert_eq!(restored.damaged[1].file, persistence::DAMAGED_AOF_LOG);
    assert!(restored.damaged[1].reason.contains("checksum"));
    assert_eq!(reply(&mut s, "EXISTS a b"), ["(integer) 1"]);
    // The damaged copy is offered as it was, and kept apart from the new log.
    let Response::File { bytes, .. } = s.handle(Request::Download(Wanted::Damaged(
        persistence::DAMAGED_AOF_LOG.to_string(),
    ))) else {
        panic!()
    };
    assert_eq!(bytes, damaged_log);
    keep(&mut s, &mut stored);
    assert!(stored
        .damaged
        .iter()
        .any(|(name, bytes)| name == persistence::DAMAGED_AOF_LOG && *bytes == damaged_log));
    // The new log was started from what loaded: a second visit loads it.
    let (_, again) = reopen(&stored, &clock);
    assert_eq!((again.source, again.keys), (Source::Log, 1));
}

#[test]
fn a_damaged_snapshot_leaves_an_empty_keyspace_and_says_why() {
    let (mut s, clock) = session();
    let mut stored = Stored::default();
    run(&mut s, "CONFIG SET appendonly no");
    run(&mut s, "SET a 1");
    run(&mut s, "SAVE");
    keep(&mut s, &mut stored);
    let rdb = stored.rdb.as_mut().unwrap();
    let at = rdb.len() / 2;
    rdb[at] ^= 1;
    let (_, restored) = reopen(&stored, &clock);
    assert_eq!((restored.source, restored.keys), (Source::Nothing, 0));
    assert_eq!(restored.damaged[0].file, persistence::DAMAGED_RDB);
    // Truncated, too.
    stored.rdb.as_mut().unwrap().truncate(at);
    assert_eq!(reopen(&stored, &clock).1.damaged.len(), 1);
}

#[test]
fn an_rdb_file_loads_whole_or_not_at_all() {
    let (mut other, _) = session();
    run(&mut other, "SET from-file 1");
    run(&mut other, "ZADD z 1 a");
    let Response::File { name, bytes } = other.handle(Request::Download(Wanted::Rdb)) else {
        panic!()
    };
    assert_eq!(name, "dump.rdb");
    let (mut s, _) = session();
    run(&mut s, "SET mine 1");
    s.take_store_ops();
    assert_eq!(
        s.handle(Request::LoadRdb(bytes[..bytes.len() - 3].to_vec())),
        Response::RdbLoaded(Err(
            "Short read loading the RDB: the file is truncated or corrupt".into()
        ))
    );
    assert_eq!(reply(&mut s, "EXISTS mine"), ["(integer) 1"]);
    assert_eq!(
        s.handle(Request::LoadRdb(bytes)),
        Response::RdbLoaded(Ok(2))
    );
    assert_eq!(reply(&mut s, "EXISTS mine from-file z"), ["(integer) 2"]);
    // What was loaded is kept: a snapshot of it.
    assert!(s
        .take_store_ops()
        .iter()
        .any(|op| matches!(op, StoreOp::Rewrite(_))));
}

#[test]
fn echoes_the_prompt_then_prints_the_reply() {
    let (mut s, _) = session();
    assert_eq!(
        run(&mut s, "SET greeting hello"),
        (
            "127.0.0.1:6379> SET greeting hello".into(),
            vec!["OK".into()]
        )
    );
    assert_eq!(reply(&mut s, "GET greeting"), ["\"hello\""]);
    assert_eq!(reply(&mut s, "GET missing"), ["(nil)"]);
}

#[test]
fn unbalanced_quotes_are_refused_like_redis_cli() {
    let (mut s, _) = session();
    assert_eq!(reply(&mut s, "SET k \"open"), [INVALID_ARGUMENTS]);
}

#[test]
fn errors_are_marked() {
    let (mut s, _) = session();
    let update = run_on(&mut s, 1, &["NOSUCHCOMMAND"], None);
    let reply = &update.answers[0].reply;
    assert!(reply.lines[0]
        .text
        .starts_with("(error) ERR unknown command"));
    assert_eq!(reply.lines[0].kind, LineKind::Error);
}

#[test]
fn blank_lines_print_only_the_prompt() {
    let (mut s, _) = session();
    assert_eq!(run(&mut s, "   "), ("127.0.0.1:6379>    ".into(), vec![]));
}

/// The first pane's prompt, as the page shows it.
fn first_prompt(s: &mut Session) -> String {
    tick(s, None).clients[0].prompt.clone()
}

#[test]
fn the_prompt_follows_select() {
    let (mut s, _) = session();
    assert_eq!(first_prompt(&mut s), "127.0.0.1:6379>");
    run(&mut s, "SELECT 1");
    assert_eq!(first_prompt(&mut s), "127.0.0.1:6379[1]>");
    assert_eq!(run(&mut s, "SELECT 0").0, "127.0.0.1:6379[1]> SELECT 0");
    assert_eq!(first_prompt(&mut s), "127.0.0.1:6379>");
}

#[test]
fn quit_starts_a_fresh_connection() {
    let (mut s, _) = session();
    run(&mut s, "SELECT 2");
    assert_eq!(
        run(&mut s, "QUIT"),
        ("127.0.0.1:6379[2]> QUIT".into(), vec!["OK".into()])
    );
    assert_eq!(first_prompt(&mut s), "127.0.0.1:6379>");
    assert_eq!(reply(&mut s, "PING"), ["PONG"]);
}

#[test]
fn replies_render_in_the_clients_protocol() {
    let (mut s, _) = session();
    assert_eq!(reply(&mut s, "HELLO 3")[0], "1# \"server\" => \"redis\"");
    // Fourteen elements: redis-cli pads the index to two digits.
    assert_eq!(reply(&mut s, "HELLO 2")[0], " 1) \"server\"");
}

#[test]
fn markup_stays_text() {
    let (mut s, _) = session();
    run(&mut s, "SET markup \"<b>x</b>\"");
    assert_eq!(reply(&mut s, "GET markup"), ["\"<b>x</b>\""]);
}

#[test]
fn the_command_reports_the_keys_it_changed_and_the_key_list() {
    let (mut s, _) = session();
    let update = run_on(&mut s, 1, &["MSET a 1 b 2"], None);
    assert_eq!(update.changed, ["a", "b"]);
    assert_eq!(update.window.map(|w| w.total), Some(2));
}

#[test]
fn debug_populate_is_allowed_here() {
    let (mut s, _) = session();
    assert_eq!(reply(&mut s, "DEBUG POPULATE 3"), ["OK"]);
    assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 3"]);
}

#[test]
fn long_replies_come_a_page_at_a_time() {
    let (mut s, _) = session();
    run(&mut s, "DEBUG POPULATE 1200");
    let update = run_on(&mut s, 1, &["KEYS *"], None);
    let reply = &update.answers[0].reply;
    assert_eq!((reply.lines.len(), reply.total), (PAGE, 1200));
    let more = |s: &mut Session, from| match s.handle(Request::More {
        reply: reply.id,
        from,
    }) {
        Response::More { lines, .. } => lines.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(more(&mut s, PAGE), PAGE);
    assert_eq!(more(&mut s, 2 * PAGE), 200);
}

#[test]
fn keys_expire_on_tick_and_the_list_follows() {
    let (mut s, clock) = session();
    run(&mut s, "SET k v PX 100");
    clock.advance_ms(50);
    assert_eq!(tick(&mut s, None).window, None, "nothing changed");
    clock.advance_ms(150);
    assert_eq!(tick(&mut s, None).window.map(|w| w.total), Some(0));
}

#[test]
fn the_inspected_key_follows_commands_and_expiry() {
    let (mut s, clock) = session();
    run(&mut s, "RPUSH q a b");
    let inspect = Some(InspectQuery::new("q"));
    let inspection = run_on(&mut s, 1, &["RPUSH q c"], inspect.clone()).inspection;
    let Some(Inspection {
        body: Body::List(cells),
        ..
    }) = inspection
    else {
        panic!("{inspection:?}")
    };
    let marked: Vec<_> = cells.iter().map(|c| (c.text.as_str(), c.changed)).collect();
    assert_eq!(marked, [("a", false), ("b", false), ("c", true)]);
    // A command that does not touch the key marks nothing in it.
    let inspection = run_on(&mut s, 1, &["SET other 1"], inspect.clone()).inspection;
    let Some(Body::List(cells)) = inspection.map(|i| i.body) else {
        panic!()
    };
    assert!(cells.iter().all(|c| !c.changed));
    // The marks of a command that changed the key last until the next command, though a
    // tick (another key expiring) sends the page again.
    run(&mut s, "SET brief 1 PX 10");
    run_on(&mut s, 1, &["LPUSH q z"], inspect.clone());
    clock.advance_ms(20);
    let inspection = tick(&mut s, inspect.clone()).inspection;
    let Some(Body::List(cells)) = inspection.map(|i| i.body) else {
        panic!()
    };
    let marked: Vec<_> = cells
        .iter()
        .filter(|c| c.changed)
        .map(|c| &c.text)
        .collect();
    assert_eq!(marked, ["z"]);
    run(&mut s, "PEXPIRE q 100");
    clock.advance_ms(200);
    let inspection = tick(&mut s, inspect).inspection;
    assert_eq!(inspection.map(|i| i.body), Some(Body::Missing));
}

#[test]
fn the_page_limits_memory_to_64mb_and_the_panel_sees_the_console() {
    let (mut s, _) = session();
    assert_eq!(
        reply(&mut s, "CONFIG GET maxmemory*"),
        [
            " 1) \"maxmemory\"",
            " 2) \"67108864\"",
            " 3) \"maxmemory-policy\"",
            " 4) \"noeviction\"",
            " 5) \"maxmemory-samples\"",
            " 6) \"5\"",
            " 7) \"maxmemory-eviction-tenacity\"",
            " 8) \"10\"",
            " 9) \"maxmemory-clients\"",
            "10) \"0\""
        ]
    );
    reply(&mut s, "CONFIG SET maxmemory-policy allkeys-lru");
    reply(&mut s, "SET k v");
    let Response::Server(ServerResponse::Status(status)) =
        s.handle(Request::Server(ServerRequest::Status { detail: false }))
    else {
        panic!()
    };
    assert_eq!(
        (status.maxmemory, status.policy.as_str(), status.keys),
        (64 << 20, "allkeys-lru", 1)
    );
    let Response::Server(ServerResponse::BigKeys(big)) =
        s.handle(Request::Server(ServerRequest::BigKeys))
    else {
        panic!()
    };
    assert_eq!(big.by_memory[0].key, "k");
    let Response::Server(ServerResponse::LruLab(grids)) =
        s.handle(Request::Server(ServerRequest::LruLab))
    else {
        panic!()
    };
    assert_eq!(grids.len(), 4);
}

#[test]
fn evicted_keys_are_reported_with_the_policy() {
    let (mut s, _) = session();
    for i in 0..20 {
        reply(&mut s, &format!("SET key:{i} {}", "x".repeat(100)));
    }
    reply(
        &mut s,
        "CONFIG SET maxmemory-policy allkeys-lru playground-exact-lru yes",
    );
    reply(&mut s, "CONFIG SET maxmemory 1");
    let evicted = run_on(&mut s, 1, &["GET key:3"], None).evicted;
    let evicted = evicted.expect("keys were evicted");
    assert_eq!(evicted.total, 20);
    assert_eq!(evicted.keys.len(), EVICTED_MAX);
    assert_eq!(evicted.keys[0], "key:0");
    assert_eq!(evicted.policy, "allkeys-lru");
    assert_eq!(run_on(&mut s, 1, &["PING"], None).evicted, None);
}

#[test]
fn the_console_continues_a_scenario_where_it_stands() {
    use keyspace_protocol::scenario::ScenarioRequest;
    let (mut s, clock) = session();
    reply(&mut s, "SET console-only 1");
    assert_eq!(
        s.handle(Request::ContinueScenario { confirmed: true }),
        Response::Scenario(ScenarioResponse::Invalid("no scenario is open".into()))
    );
    s.shelve_scenarios(crate::player::Shelf::compiled_in());
    s.handle(Request::Scenario(ScenarioRequest::Open {
        id: "cache-aside".into(),
    }));
    // Right after the SETEX (step 3).
    s.handle(Request::Scenario(ScenarioRequest::Jump { position: 3 }));
    // Unconfirmed, it only says what it would replace: the console's one key.
    assert_eq!(
        s.handle(Request::ContinueScenario { confirmed: false }),
        Response::Scenario(ScenarioResponse::WouldReplace { keys: 1 })
    );
    assert_eq!(reply(&mut s, "EXISTS console-only"), ["(integer) 1"]);
    assert_eq!(
        s.handle(Request::ContinueScenario { confirmed: true }),
        Response::Scenario(ScenarioResponse::Continued)
    );
    // One pane per scenario client, named after it.
    let panes = tick(&mut s, None).clients;
    assert!(!panes.is_empty());
    assert!(panes.iter().all(|p| p.label.is_some()));
    // The scenario's keyspace, not the console's, with its TTL where the scenario left it.
    assert_eq!(
        reply(&mut s, "EXISTS console-only user:123"),
        ["(integer) 1"]
    );
    assert_eq!(reply(&mut s, "TTL user:123"), ["(integer) 300"]);
    assert_eq!(reply(&mut s, "CLIENT GETNAME"), ["(nil)"]);
    // What the browser keeps is now the scenario's keyspace (its engine has Redis's
    // default `appendonly no`, so as dump.rdb, which a reload loads).
    let mut stored = Stored::default();
    keep(&mut s, &mut stored);
    let (mut reloaded, restored) = reopen(&stored, &clock);
    assert_eq!(restored.source, Source::Snapshot);
    assert_eq!(reply(&mut reloaded, "EXISTS console-only"), ["(integer) 0"]);
    assert_eq!(
        reply(&mut reloaded, "PTTL user:123"),
        reply(&mut s, "PTTL user:123")
    );
    // Time goes on at the console's pace: five minutes later the key has expired.
    clock.advance_ms(301_000);
    assert_eq!(reply(&mut s, "GET user:123"), ["(nil)"]);
    // The player is empty until a scenario is opened again.
    assert_eq!(
        s.handle(Request::ContinueScenario { confirmed: false }),
        Response::Scenario(ScenarioResponse::Invalid("no scenario is open".into()))
    );
}

fn answer_on(update: &Update, pane: PaneId) -> Vec<String> {
    let answer = update.answers.iter().find(|a| a.pane == pane);
    texts(&answer.expect("an answer on the pane").reply)
}

fn pushed_to(update: &Update, pane: PaneId) -> Vec<String> {
    update
        .pushed
        .iter()
        .filter(|p| p.pane == pane)
        .flat_map(|p| texts(&p.reply))
        .collect()
}

fn two_panes() -> (Session, ManualClock) {
    let (mut s, clock) = session();
    let panes = update(&mut s, Request::AddClient).clients;
    assert_eq!(panes.iter().map(|p| p.pane).collect::<Vec<_>>(), [1, 2]);
    assert_ne!(panes[0].id, panes[1].id, "each pane is its own client");
    (s, clock)
}

#[test]
fn a_message_goes_from_the_publisher_to_each_subscriber() {
    let (mut s, _) = two_panes();
    update(&mut s, Request::AddClient);
    run_on(&mut s, 2, &["SUBSCRIBE news"], None);
    run_on(&mut s, 3, &["PSUBSCRIBE n*"], None);
    let published = run_on(&mut s, 1, &["PUBLISH news hello"], None);
    assert_eq!(answer_on(&published, 1), ["(integer) 2"]);
    assert_eq!(
        pushed_to(&published, 2),
        ["1) \"message\"", "2) \"news\"", "3) \"hello\""]
    );
    assert_eq!(
        pushed_to(&published, 3),
        [
            "1) \"pmessage\"",
            "2) \"n*\"",
            "3) \"news\"",
            "4) \"hello\""
        ]
    );
    assert_eq!(
        published.flows,
        [Flow {
            from: Some(1),
            channel: "news".into(),
            message: "hello".into(),
            to: vec![(2, None), (3, Some("n*".into()))],
            kind: FlowKind::Message,
        }]
    );
    let subscriber = &published.clients[1];
    assert_eq!(
        (subscriber.subscriptions, subscriber.channels.clone()),
        (1, vec!["news".into()])
    );
}

#[test]
fn a_write_from_another_pane_breaks_the_watch_and_exec_answers_nil() {
    let (mut s, _) = two_panes();
    run_on(&mut s, 1, &["SET balance 10"], None);
    let watching = run_on(&mut s, 1, &["WATCH balance"], None);
    assert_eq!(
        watching.watched,
        [Watched {
            key: "balance".into(),
            broken: false,
            by: vec![1]
        }]
    );
    let queued = run_on(&mut s, 1, &["MULTI", "INCRBY balance 5"], None);
    assert_eq!(queued.clients[0].prompt, "127.0.0.1:6379(TX)>");
    assert_eq!(queued.clients[0].multi, Some(1));
    let broken = run_on(&mut s, 2, &["SET balance 0"], None);
    assert!(broken.watched[0].broken);
    assert!(broken.clients[0].watch_broken);
    let exec = run_on(&mut s, 1, &["EXEC"], None);
    assert_eq!(answer_on(&exec, 1), ["(nil)"]);
    assert_eq!(exec.clients[0].prompt, "127.0.0.1:6379>");
    assert!(exec.watched.is_empty(), "EXEC unwatches");
    assert_eq!(run(&mut s, "GET balance").1, ["\"0\""]);
}

#[test]
fn a_blocked_pane_waits_and_what_is_typed_after_waits_behind_it() {
    let (mut s, _) = two_panes();
    let blocked = run_on(&mut s, 2, &["BLPOP jobs 0"], None);
    assert!(blocked.answers.is_empty(), "BLPOP waits for its reply");
    let view = &blocked.clients[1];
    let waits = view.blocked.as_ref().expect("blocked");
    assert_eq!(
        (waits.command.as_str(), waits.keys.clone()),
        ("blpop", vec!["jobs".into()])
    );
    let behind = update(
        &mut s,
        Request::Run {
            seq: 7,
            pane: 2,
            lines: vec!["PING".into()],
            view: KeyQuery::default(),
            inspect: None,
        },
    );
    assert!(behind.answers.is_empty());
    assert_eq!(behind.clients[1].waiting_lines, 1);
    let pushed = run_on(&mut s, 1, &["RPUSH jobs report"], None);
    let answered: Vec<_> = pushed
        .answers
        .iter()
        .map(|a| (a.pane, a.seq, a.echo.clone(), texts(&a.reply)))
        .collect();
    assert_eq!(
        answered,
        [
            (
                2,
                1,
                "127.0.0.1:6379> BLPOP jobs 0".into(),
                vec!["1) \"jobs\"".into(), "2) \"report\"".into()]
            ),
            (2, 7, "127.0.0.1:6379> PING".into(), vec!["PONG".into()]),
            (
                1,
                1,
                "127.0.0.1:6379> RPUSH jobs report".into(),
                vec!["(integer) 1".into()]
            ),
        ]
    );
    assert_eq!(pushed.clients[1].blocked, None);
}

#[test]
fn a_pane_blocked_on_a_stream_says_what_it_waits_for_and_xadd_flows_to_it() {
    let (mut s, _) = two_panes();
    update(&mut s, Request::AddClient);
    run_on(
        &mut s,
        1,
        &[
            "XGROUP CREATE jobs workers $ MKSTREAM",
            "XADD jobs 5-0 task a",
        ],
        None,
    );
    let group = run_on(
        &mut s,
        2,
        &["XREADGROUP GROUP workers alice BLOCK 0 STREAMS jobs >"],
        None,
    );
    let plain = run_on(&mut s, 3, &["XREAD BLOCK 0 STREAMS jobs $"], None);
    // XREADGROUP > had 5-0 to read at once; the next one waits after the group's last ID.
    assert_eq!(answer_on(&group, 2)[0], "1) 1) \"jobs\"");
    let again = run_on(
        &mut s,
        2,
        &["XREADGROUP GROUP workers alice BLOCK 0 STREAMS jobs >"],
        None,
    );
    let waits = again.clients[1].blocked.clone().expect("blocked");
    assert_eq!(
        (
            waits.command.as_str(),
            waits.keys.clone(),
            waits.after_ids.clone()
        ),
        ("xreadgroup", vec!["jobs".into()], vec!["5-0".into()])
    );
    assert_eq!(waits.group, Some(("workers".into(), "alice".into())));
    let waits = plain.clients[2].blocked.clone().expect("blocked");
    assert_eq!((waits.after_ids, waits.group), (vec!["5-0".into()], None));
    // One XADD serves both readers: one flow from the writer to each, the group named.
    let added = run_on(&mut s, 1, &["XADD jobs 6-0 task b"], None);
    assert_eq!(
        added.flows,
        [Flow {
            from: Some(1),
            channel: "jobs".into(),
            message: "6-0 task b".into(),
            to: vec![(2, Some("workers".into())), (3, None)],
            kind: FlowKind::Entry,
        }]
    );
    assert!(added.clients.iter().all(|c| c.blocked.is_none()));
    // A BLPOP served is no stream flow.
    run_on(&mut s, 2, &["BLPOP list 0"], None);
    assert!(run_on(&mut s, 1, &["RPUSH list x"], None).flows.is_empty());
}

#[test]
fn a_blocked_pane_times_out_on_the_engines_clock() {
    let (mut s, clock) = two_panes();
    run_on(&mut s, 2, &["BLPOP jobs 1.5"], None);
    clock.advance_ms(1000);
    assert!(tick(&mut s, None).answers.is_empty());
    clock.advance_ms(600);
    let timed_out = tick(&mut s, None);
    assert_eq!(answer_on(&timed_out, 2), ["(nil)"]);
}

#[test]
fn a_pipeline_runs_as_one_batch_and_echoes_each_command() {
    let (mut s, _) = session();
    let piped = run_on(
        &mut s,
        1,
        &["SET hits 1", "INCR hits", "LPUSH hits x"],
        None,
    );
    assert_eq!(piped.answers.len(), 1);
    let answer = &piped.answers[0];
    assert_eq!(answer.echo, "", "the page labels a pipeline itself");
    let shown: Vec<_> = answer
        .reply
        .lines
        .iter()
        .map(|l| (l.kind, l.text.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (LineKind::Echo, "SET hits 1"),
            (LineKind::Plain, "OK"),
            (LineKind::Echo, "INCR hits"),
            (LineKind::Number, "(integer) 2"),
            (LineKind::Echo, "LPUSH hits x"),
            (
                LineKind::Error,
                "(error) WRONGTYPE Operation against a key holding the wrong kind of value"
            ),
        ]
    );
}

#[test]
fn a_ten_thousand_command_pipeline_pages_its_replies() {
    let (mut s, _) = session();
    let lines: Vec<String> = (0..10_000).map(|i| format!("INCR n{}", i % 10)).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let piped = run_on(&mut s, 1, &lines, None);
    let reply = &piped.answers[0].reply;
    assert_eq!((reply.lines.len(), reply.total), (PAGE, 20_000));
    assert_eq!(run(&mut s, "GET n9").1, ["\"1000\""]);
}

#[test]
fn a_pane_subscribed_to_100_000_channels_gets_its_confirmations_a_page_at_a_time() {
    let (mut s, _) = two_panes();
    let line = format!(
        "SUBSCRIBE {}",
        (0..100_000)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let subscribed = run_on(&mut s, 2, &[&line], None);
    assert_eq!(answer_on(&subscribed, 2).len(), PAGE);
    assert_eq!(subscribed.answers[0].reply.total, 300_000);
    assert_eq!(subscribed.clients[1].subscriptions, 100_000);
    assert_eq!(subscribed.clients[1].channels.len(), CHANNELS_SHOWN);
    let published = run_on(&mut s, 1, &["PUBLISH c99999 last"], None);
    assert_eq!(published.flows[0].to, [(2, None)]);
}

#[test]
fn a_killed_connection_says_so_and_the_pane_connects_again() {
    let (mut s, _) = two_panes();
    let panes = tick(&mut s, None).clients;
    let victim = panes[1].id;
    let killed = run_on(&mut s, 1, &[&format!("CLIENT KILL ID {victim}")], None);
    assert_eq!(answer_on(&killed, 1), ["(integer) 1"]);
    assert_eq!(pushed_to(&killed, 2), [CLOSED]);
    assert_ne!(killed.clients[1].id, victim);
    assert_eq!(
        run_on(&mut s, 2, &["PING"], None).answers[0].reply.lines[0].text,
        "PONG"
    );
}

#[test]
fn clients_come_and_go_but_one_always_stays() {
    let (mut s, _) = session();
    for _ in 0..PANES_MAX + 2 {
        update(&mut s, Request::AddClient);
    }
    assert_eq!(tick(&mut s, None).clients.len(), PANES_MAX);
    run_on(&mut s, 2, &["CLIENT SETNAME worker"], None);
    let named = tick(&mut s, None).clients;
    assert_eq!(named[1].name.as_deref(), Some("worker"));
    let listed = run(&mut s, "CLIENT LIST").1;
    assert_eq!(
        listed.iter().filter(|l| l.starts_with("id=")).count(),
        PANES_MAX
    );
    for pane in 1..=PANES_MAX as PaneId {
        update(&mut s, Request::RemoveClient { pane });
    }
    let left = tick(&mut s, None).clients;
    assert_eq!(
        left.iter().map(|c| c.pane).collect::<Vec<_>>(),
        [PANES_MAX as PaneId]
    );
}

#[test]
fn the_panel_shows_the_database_of_the_pane_in_use() {
    let (mut s, _) = two_panes();
    run_on(&mut s, 2, &["SELECT 3", "SET only-in-3 x"], None);
    let shown = run_on(&mut s, 2, &["DBSIZE"], None);
    assert_eq!(shown.window.map(|w| (w.db, w.total)), Some((3, 1)));
    assert_eq!(shown.clients[1].prompt, "127.0.0.1:6379[3]>");
    let first = run_on(&mut s, 1, &["DBSIZE"], None);
    assert_eq!(first.window.map(|w| (w.db, w.total)), Some((0, 0)));
}

#[test]
fn the_worker_makes_share_links_and_opens_them() {
    let (mut s, _) = session();
    let lines = vec!["SET k v".to_string(), "GET k".to_string()];
    let Response::Shared(bundle) = s.handle(Request::Share {
        lines: lines.clone(),
        page_url: "https://example.org/".into(),
    }) else {
        panic!("no bundle");
    };
    let link = bundle.link.unwrap();
    assert!(link.starts_with("https://example.org/#share/"));
    assert!(bundle.qr.is_some());
    let hash = link.trim_start_matches("https://example.org/").to_string();
    assert_eq!(
        s.handle(Request::OpenShare { hash }),
        Response::ShareOpened(Ok(lines))
    );
    assert_eq!(
        s.handle(Request::OpenShare {
            hash: "#share/%%".into()
        }),
        Response::ShareOpened(Err(ShareError::Corrupt))
    );
}

#[test]
fn assist_completes_the_clients_keys_and_help_answers_in_the_pages_language() {
    let (mut s, _) = session();
    reply(&mut s, "MSET user:1 a user:2 b");
    reply(&mut s, "SELECT 1");
    reply(&mut s, "SET other c");
    let Response::Assisted(assist) = s.handle(Request::Assist {
        line: "GET ".into(),
        cursor: 4,
    }) else {
        panic!()
    };
    // Database 1's keys, the one this client selected.
    let keys: Vec<_> = assist.completions.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(keys, ["other"]);
    assert_eq!(assist.hint, "key");

    let Response::Helped {
        seq,
        echo,
        topic,
        docs,
    } = s.handle(Request::Help {
        seq: 9,
        pane: 1,
        line: "HELP GET".into(),
    })
    else {
        panic!()
    };
    assert_eq!((seq, echo.as_str()), (9, "127.0.0.1:6379[1]> HELP GET"));
    // The docs as data, which the page lays out in its language.
    assert_eq!(topic, "GET");
    assert_eq!(docs[0].syntax, "GET key");
    assert_eq!(docs[0].summary_zh, "傳回鍵下存的字串。");
}

#[test]
fn debug_populate_past_the_pages_cap_is_not_run_and_the_answer_says_why() {
    let (mut s, _) = session();
    let update = run_on(&mut s, 1, &["DEBUG POPULATE 2000000"], None);
    let answer = &update.answers[0];
    assert_eq!(answer.echo, "127.0.0.1:6379> DEBUG POPULATE 2000000");
    assert!(answer.reply.lines.is_empty());
    assert_eq!(
        answer.note,
        Some(Note::PopulateCapped {
            cap: server::POPULATE_CAP
        })
    );
    assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 0"]);
    // A pipeline holding one is not run either.
    let piped = run_on(&mut s, 1, &["SET a 1", "DEBUG POPULATE 5000000"], None);
    assert_eq!(piped.answers[0].echo, "");
    assert_eq!(reply(&mut s, "EXISTS a"), ["(integer) 0"]);
    // CONFIG SET maxmemory 0 runs, with its note.
    let unlimited = run_on(&mut s, 1, &["CONFIG SET maxmemory 0"], None);
    assert_eq!(texts(&unlimited.answers[0].reply), ["OK"]);
    assert_eq!(unlimited.answers[0].note, Some(Note::NoLimit));
}

#[test]
fn the_resp_toggle_prints_the_bytes_before_the_reply() {
    let (mut s, _) = session();
    assert_eq!(s.handle(Request::ShowResp(true)), Response::RespShown(true));
    assert_eq!(
        reply(&mut s, "GET k"),
        [
            "→ *2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n",
            "← $-1\\r\\n",
            "(nil)"
        ]
    );
    s.handle(Request::ShowResp(false));
    assert_eq!(reply(&mut s, "GET k"), ["(nil)"]);
}

#[test]
fn replies_come_as_data_too_when_asked_one_per_command() {
    let (mut s, _) = session();
    let values =
        |s: &mut Session, lines: &[&str]| run_on(s, 1, lines, None).answers[0].values.clone();
    assert_eq!(values(&mut s, &["SET k 1"]), [], "not asked yet");
    assert_eq!(
        s.handle(Request::ReplyValues(true)),
        Response::ReplyValues(true)
    );
    use ReplyValue::*;
    assert_eq!(
        values(
            &mut s,
            &[
                "INCR k",
                "GET nope",
                "RPUSH l a b",
                "LRANGE l 0 -1",
                "INCR l"
            ]
        ),
        [
            Integer(2),
            Null,
            Integer(2),
            Array(vec![Bulk("a".into()), Bulk("b".into())]),
            Error("WRONGTYPE Operation against a key holding the wrong kind of value".into()),
        ]
    );
    // A double as RESP3 writes it, though this client speaks RESP2 (and reads a string).
    assert_eq!(
        values(&mut s, &["ZADD z 0.1 m", "ZSCORE z m"]),
        [Integer(1), Double("0.10000000000000001".into())]
    );
    // A blocked command's reply, when it comes, is data too.
    update(&mut s, Request::AddClient);
    assert!(run_on(&mut s, 1, &["BLPOP q 0"], None).answers.is_empty());
    let pushed = run_on(&mut s, 2, &["RPUSH q x"], None);
    let woken = pushed
        .answers
        .iter()
        .find(|a| a.pane == 1)
        .expect("BLPOP answered");
    assert_eq!(
        woken.values,
        [Array(vec![Bulk("q".into()), Bulk("x".into())])]
    );
    s.handle(Request::ReplyValues(false));
    assert_eq!(values(&mut s, &["GET k"]), []);
}

#[test]
fn a_script_that_goes_on_runs_over_the_ticks_and_answers_its_pane() {
    let (mut s, _) = session();
    // Some 24 million instructions: more than one tick's slices under a clock that stands.
    let eval = "EVAL \"local n = 0 for i = 1, 8000000 do n = n + 1 end return n\" 0";
    let started = run_on(&mut s, 1, &[eval], None);
    assert!(
        started.answers.is_empty(),
        "the script goes on past its first slice"
    );
    let mut ticks = 0;
    let answer = loop {
        ticks += 1;
        assert!(ticks < 100, "the script never answered");
        let t = tick(&mut s, None);
        if !t.answers.is_empty() {
            break t;
        }
    };
    assert!(ticks > 1, "one tick runs a bounded number of slices");
    assert_eq!(answer_on(&answer, 1), ["(integer) 8000000"]);
    assert_eq!(run(&mut s, "PING").1, ["PONG"]);
}

/// `update`, or the first of the next ten ticks' updates that answers pane `pane` (a killed
/// script ends at its next slice).
fn ticked_until_answered(s: &mut Session, update: Update, pane: PaneId) -> Update {
    let mut update = update;
    for _ in 0..10 {
        if update.answers.iter().any(|a| a.pane == pane) {
            break;
        }
        update = tick(s, None);
    }
    update
}

#[test]
fn a_runaway_script_is_stopped_by_script_kill_from_another_pane_once_redis_would_be_busy() {
    let (mut s, clock) = two_panes();
    let started = run_on(&mut s, 1, &["EVAL \"while true do end\" 0"], None);
    assert!(started.answers.is_empty());
    assert!(
        started.clients[0].running_script.is_some(),
        "the page shows the pane running a script"
    );
    assert!(started.clients[1].running_script.is_none());
    tick(&mut s, None);
    // Past busy-reply-threshold (5 s) the engine answers other clients, as a busy Redis does.
    clock.advance_ms(5_001);
    tick(&mut s, None);
    let killed = run_on(&mut s, 2, &["SCRIPT KILL"], None);
    assert_eq!(answer_on(&killed, 2), ["OK"]);
    let ended = ticked_until_answered(&mut s, killed, 1);
    assert!(ended.clients[0].running_script.is_none());
    let error = answer_on(&ended, 1).concat();
    assert!(
        error.contains("Script killed by user with SCRIPT KILL"),
        "{error}"
    );
    assert_eq!(run(&mut s, "PING").1, ["PONG"]);
}

#[test]
fn a_pane_whose_replies_are_off_finishes_each_line_without_a_reply_and_says_why() {
    let (mut s, _) = session();
    let off = run_on(&mut s, 1, &["CLIENT REPLY OFF"], None);
    assert_eq!(answer_on(&off, 1), Vec::<String>::new());
    assert_eq!(off.clients[0].replies, Replies::Off);
    // The line ends at once: nothing is left waiting for a reply that never comes.
    let set = run_on(&mut s, 1, &["SET k v"], None);
    assert_eq!(answer_on(&set, 1), Vec::<String>::new());
    // A pipeline prints its commands, and no reply under them.
    let pipeline = run_on(&mut s, 1, &["SET k v", "GET k"], None);
    assert_eq!(answer_on(&pipeline, 1), ["SET k v", "GET k"]);
    assert_eq!(set.clients[0].waiting_lines, 0);
    assert_eq!(reply(&mut s, "CLIENT REPLY ON"), ["OK"]);
    let skip = run_on(&mut s, 1, &["CLIENT REPLY SKIP"], None);
    assert_eq!(skip.clients[0].replies, Replies::SkipNext);
    let skipped = run_on(&mut s, 1, &["GET k"], None);
    assert_eq!(answer_on(&skipped, 1), Vec::<String>::new());
    assert_eq!(skipped.clients[0].replies, Replies::On);
    assert_eq!(reply(&mut s, "GET k"), ["\"v\""]);
}

#[test]
fn a_tracking_pane_shows_the_keys_it_read_and_an_invalidation_drawn_from_the_writer() {
    let (mut s, _) = two_panes();
    run_on(&mut s, 1, &["HELLO 3"], None);
    let on = run_on(&mut s, 1, &["CLIENT TRACKING ON"], None);
    let tracking = on.clients[0].tracking.clone().expect("tracking on");
    assert_eq!((tracking.bcast, tracking.keys.len()), (None, 0));
    run_on(&mut s, 1, &["GET user:1"], None);
    let read = run_on(&mut s, 1, &["MGET user:2 user:3"], None);
    let keys = read.clients[0].tracking.as_ref().map(|t| t.keys.clone());
    assert_eq!(
        keys,
        Some(vec!["user:1".into(), "user:2".into(), "user:3".into()])
    );
    assert!(read.clients[1].tracking.is_none());

    let write = run_on(&mut s, 2, &["SET user:2 kai"], None);
    assert_eq!(pushed_to(&write, 1), ["-> invalidate: 'user:2'"]);
    assert_eq!(
        write.flows,
        [Flow {
            from: Some(2),
            channel: "user:2".into(),
            message: "invalidate".into(),
            to: vec![(1, None)],
            kind: FlowKind::Invalidation,
        }]
    );
    let keys = write.clients[0].tracking.as_ref().map(|t| t.keys.clone());
    assert_eq!(
        keys,
        Some(vec!["user:1".into(), "user:3".into()]),
        "told once"
    );

    // A RESP2 client hears of them on __redis__:invalidate, redirected there.
    let redirect = format!(
        "CLIENT TRACKING ON BCAST PREFIX user: REDIRECT {}",
        write.clients[1].id
    );
    run_on(&mut s, 2, &["SUBSCRIBE __redis__:invalidate"], None);
    let bcast = run_on(&mut s, 1, &["CLIENT TRACKING OFF", redirect.as_str()], None);
    let tracking = bcast.clients[0].tracking.clone().expect("tracking on");
    assert_eq!(tracking.bcast, Some(vec!["user:".to_string()]));
    let flush = run_on(&mut s, 1, &["SET user:9 mei"], None);
    assert_eq!(
        pushed_to(&flush, 2),
        [
            "1) \"message\"",
            "2) \"__redis__:invalidate\"",
            "3) 1) \"user:9\""
        ]
    );
    assert_eq!(flush.flows[0].kind, FlowKind::Invalidation);
}

#[test]
fn a_monitor_pane_shows_the_other_panes_commands_and_none_of_the_pages_own_reads() {
    let (mut s, _) = two_panes();
    let started = run_on(&mut s, 2, &["MONITOR"], None);
    assert_eq!(answer_on(&started, 2), ["OK"]);
    assert!(started.clients[1].monitor && !started.clients[0].monitor);
    // The keyspace panel and an inspector read the key too: only the typed line is shown.
    let inspect = Some(InspectQuery {
        key: "greeting".into(),
        offset: 0,
        form: None,
        at_id: None,
    });
    let set = run_on(&mut s, 1, &["SET greeting \"hello world\""], inspect);
    let lines = pushed_to(&set, 2);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert!(
        line.ends_with(r#"] "SET" "greeting" "hello world""#),
        "{line}"
    );
    // Pane 1's client (id 3) from its own port, in database 0.
    assert!(line.contains(" [0 127.0.0.1:50003] "), "{line}");
    let (stamp, _) = line.split_once(' ').expect("a timestamp first");
    let (seconds, micros) = stamp.split_once('.').expect("seconds.microseconds");
    assert!(
        seconds.parse::<u64>().is_ok() && micros.len() == 6,
        "{stamp}"
    );
}

#[test]
fn a_paused_pane_says_which_command_waits_and_runs_it_when_the_pause_ends() {
    let (mut s, clock) = two_panes();
    assert_eq!(
        answer_on(&run_on(&mut s, 2, &["CLIENT PAUSE 1000 WRITE"], None), 2),
        ["OK"]
    );
    let read = run_on(&mut s, 1, &["GET k"], None);
    assert_eq!(answer_on(&read, 1), ["(nil)"], "reads go on under WRITE");
    let write = run_on(&mut s, 1, &["SET k v"], None);
    assert!(write.answers.is_empty(), "the write waits");
    let paused = write.clients[0].paused.clone().expect("held");
    assert_eq!((paused.command.as_str(), paused.writes_only), ("SET", true));
    clock.advance_ms(1_001);
    let ended = tick(&mut s, None);
    assert_eq!(answer_on(&ended, 1), ["OK"]);
    assert!(ended.clients[0].paused.is_none());
}

#[test]
fn a_runaway_function_is_shown_as_a_function_and_stopped_by_function_kill() {
    let (mut s, clock) = two_panes();
    let library = "FUNCTION LOAD \"#!lua name=spin\\nredis.register_function('spin', \
                   function() while true do end end)\"";
    assert_eq!(
        answer_on(&run_on(&mut s, 1, &[library], None), 1),
        ["\"spin\""]
    );
    let started = run_on(&mut s, 1, &["FCALL spin 0"], None);
    let run = started.clients[0].running_script;
    assert_eq!(
        run.map(|r| (r.function, r.wrote)),
        Some((true, false)),
        "the page knows FUNCTION KILL, not SCRIPT KILL, stops it"
    );
    clock.advance_ms(5_001);
    tick(&mut s, None);
    let killed = run_on(&mut s, 2, &["FUNCTION KILL"], None);
    assert_eq!(answer_on(&killed, 2), ["OK"]);
    let ended = ticked_until_answered(&mut s, killed, 1);
    assert!(ended.clients[0].running_script.is_none());
    let error = answer_on(&ended, 1).concat();
    // Redis's text names SCRIPT KILL for a function too.
    assert!(
        error.contains("Script killed by user with SCRIPT KILL... script: spin"),
        "{error}"
    );
}

#[test]
fn the_server_log_keeps_what_scripts_write_for_the_server_tab() {
    let (mut s, _) = session();
    let status = |s: &mut Session, detail| match s
        .handle(Request::Server(ServerRequest::Status { detail }))
    {
        Response::Server(ServerResponse::Status(status)) => status,
        other => panic!("{other:?}"),
    };
    let started = [
        "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
        "Ready to accept connections",
    ];
    assert_eq!(server_log(&mut s), started, "a first visit's start");
    reply(
        &mut s,
        "EVAL \"redis.log(redis.LOG_WARNING, 'hello', 42)\" 0",
    );
    reply(
        &mut s,
        "EVAL \"redis.log(redis.LOG_DEBUG, 'below loglevel')\" 0",
    );
    let log = status(&mut s, true).log.unwrap();
    let texts: Vec<&str> = log.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts[2..], ["hello 42"]);
    assert_eq!(log[2].at_ms, 1_700_000_000_000, "the engine's clock");
    assert_eq!(status(&mut s, false).log, None);
    // Only the newest lines are kept.
    reply(
        &mut s,
        "EVAL \"for i = 1, 250 do redis.log(redis.LOG_WARNING, i) end\" 0",
    );
    let log = status(&mut s, true).log.unwrap();
    assert_eq!(
        (log.len(), log[0].text.as_str(), log[199].text.as_str()),
        (200, "51", "250")
    );
}

/// The Server tab's log, as its texts.
fn server_log(s: &mut Session) -> Vec<String> {
    match s.handle(Request::Server(ServerRequest::Status { detail: true })) {
        Response::Server(ServerResponse::Status(status)) => {
            status.log.unwrap().into_iter().map(|l| l.text).collect()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_script_that_wrote_ends_only_with_shutdown_nosave_and_the_server_restarts_without_its_writes() {
    let (mut s, clock) = two_panes();
    let mut stored = Stored::default();
    run(&mut s, "SET before 1");
    run(&mut s, "CONFIG SET maxmemory-policy allkeys-lru");
    keep(&mut s, &mut stored);
    // It counts first (past its first slice), then writes, then never ends.
    let eval = "EVAL \"local n = 0 while n < 200000 do n = n + 1 end \
                redis.call('SET', 'k', 'v') while true do end\" 0";
    let started = run_on(&mut s, 1, &[eval], None);
    assert!(started.clients[0].running_script.is_some());
    assert!(
        started.clients[0].running_script.is_some_and(|r| !r.wrote),
        "before it writes, SCRIPT KILL would still stop it"
    );
    let mut wrote = false;
    for _ in 0..10 {
        wrote = tick(&mut s, None).clients[0]
            .running_script
            .is_some_and(|r| r.wrote);
        if wrote {
            break;
        }
    }
    assert!(wrote, "the page learns that the script has written");
    assert!(tick(&mut s, None).clients[1].running_script.is_none());
    // DEBUG typed meanwhile waits behind the script; the page's snapshot after it must not
    // keep what the script wrote so far.
    run_on(&mut s, 2, &["DEBUG SLEEP 0"], None);
    keep(&mut s, &mut stored);
    let (kept, _) = reopen(&stored, &clock);
    assert_eq!(kept.engine.db(0).map(|db| db.len()), Some(1), "only before");

    clock.advance_ms(5_001);
    tick(&mut s, None);
    let refused = run_on(&mut s, 2, &["SCRIPT KILL"], None);
    assert!(answer_on(&refused, 2)[0].starts_with("(error) UNKILLABLE"));
    let busy = run_on(&mut s, 2, &["SHUTDOWN"], None);
    assert!(answer_on(&busy, 2)[0].starts_with("(error) BUSY"));
    assert!(!s.shutdown_requested());

    let stopped = run_on(&mut s, 2, &["SHUTDOWN NOSAVE"], None);
    assert!(s.shutdown_requested());
    // redis-cli prints nothing for SHUTDOWN; the script's caller loses its connection.
    assert_eq!(answer_on(&stopped, 2), Vec::<String>::new());
    assert_eq!(answer_on(&stopped, 1), [CLOSED]);
    assert!(stopped.clients.iter().all(|c| c.running_script.is_none()));
    keep(&mut s, &mut stored);
    let restored = s.restart(&stored, Box::new(clock.clone()), 7);
    keep(&mut s, &mut stored);
    assert_eq!(
        (restored.source, restored.keys, restored.config),
        (Source::Log, 1, 1)
    );

    // Both panes answer again, on new connections to the new server.
    let after = tick(&mut s, None);
    assert!(after.clients.iter().all(|c| c.running_script.is_none()));
    assert_eq!(reply(&mut s, "GET before"), ["\"1\""]);
    assert_eq!(
        reply(&mut s, "EXISTS k"),
        ["(integer) 0"],
        "the script's write is lost"
    );
    assert_eq!(answer_on(&run_on(&mut s, 2, &["PING"], None), 2), ["PONG"]);
    // The kept config came back with the data: the page keeps it as it changes.
    assert_eq!(
        reply(&mut s, "CONFIG GET maxmemory-policy"),
        ["1) \"maxmemory-policy\"", "2) \"allkeys-lru\""]
    );
    let log = server_log(&mut s);
    let at = |line: &str| log.iter().position(|l| l == line).expect(line);
    assert!(at("User requested shutdown...") < at("Redis is now ready to exit, bye bye..."));
    let restarted = log
        .iter()
        .rposition(|l| l.contains("Redis is starting"))
        .unwrap();
    assert!(at("Redis is now ready to exit, bye bye...") < restarted);
    assert_eq!(
        log[restarted + 1..],
        [
            "DB loaded from append only file",
            "Ready to accept connections"
        ]
    );
}

#[test]
fn shutdown_at_the_prompt_restarts_the_server_and_every_pane_reconnects() {
    let (mut s, clock) = two_panes();
    let mut stored = Stored::default();
    run(&mut s, "SET a 1");
    run(&mut s, "CONFIG SET hz 20");
    let before = tick(&mut s, None).clients;
    // Nothing after SHUTDOWN in the pipeline runs: the server has gone.
    let stopped = run_on(&mut s, 1, &["SHUTDOWN NOSAVE", "SET after 1"], None);
    assert_eq!(answer_on(&stopped, 1), ["SHUTDOWN NOSAVE"], "only its echo");
    assert_eq!(pushed_to(&stopped, 2), [CLOSED]);
    keep(&mut s, &mut stored);
    let restored = s.restart(&stored, Box::new(clock.clone()), 7);
    assert_eq!((restored.source, restored.keys), (Source::Log, 1));
    let after = tick(&mut s, None).clients;
    assert_eq!(after.iter().map(|c| c.pane).collect::<Vec<_>>(), [1, 2]);
    assert_ne!(after[1].id, before[1].id, "a new connection");
    assert_eq!(reply(&mut s, "EXISTS a after"), ["(integer) 1"]);
    assert_eq!(reply(&mut s, "CONFIG GET hz"), ["1) \"hz\"", "2) \"20\""]);

    // A tab that keeps nothing restarts as a Redis without persistence: empty, and its
    // parameters back at the page's defaults.
    run(&mut s, "SHUTDOWN");
    let restored = s.restart(&Stored::default(), Box::new(clock.clone()), 7);
    assert_eq!((restored.source, restored.keys), (Source::Nothing, 0));
    assert_eq!(reply(&mut s, "DBSIZE"), ["(integer) 0"]);
    assert_eq!(reply(&mut s, "CONFIG GET hz"), ["1) \"hz\"", "2) \"10\""]);
}
