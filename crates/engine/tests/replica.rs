//! The replica's side of replication through the public `Engine` API: the handshake fed
//! with a fake primary's replies byte by byte, the snapshot in both of its forms cut at
//! awkward places, the offset counted over the stream, the retries and timeouts on the
//! engine's clock, and two engines joined by a transport of a few lines (a primary, its
//! replica, and a replica of that replica).

mod common;

use common::{configured as engine, info_field as any_info, run as one, START_MS};
use keyspace::resp::{encode_request, RequestParser};
use keyspace::{ClientId, Config, Engine, ManualClock, MasterLink, Reply};

fn command(argv: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_request(&mut out, argv);
    out
}

fn output(engine: &mut Engine) -> String {
    String::from_utf8_lossy(&engine.master_link_output()).into_owned()
}

/// INFO's text, as a client reads it.
fn info_text(engine: &mut Engine, id: ClientId, line: &str) -> String {
    String::from_utf8_lossy(&one(engine, id, line).to_resp(2)).into_owned()
}

fn role(engine: &mut Engine, id: ClientId) -> Reply {
    one(engine, id, "ROLE")
}

fn info_field(engine: &mut Engine, id: ClientId, name: &str) -> String {
    let text = info_text(engine, id, "INFO replication");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

/// A replica of 127.0.0.1:6380 whose transport connected for its first attempt and got the
/// PONG: what it sent then.
fn past_the_pong(settings: &[(&str, &str)]) -> (Engine, ManualClock, ClientId, String) {
    let (mut e, clock) = engine(settings);
    let id = e.connect();
    assert_eq!(one(&mut e, id, "REPLICAOF 127.0.0.1 6380"), Reply::ok());
    let link = e.master_link_wanted().expect("a link is wanted");
    assert_eq!((link.host.as_str(), link.port), ("127.0.0.1", 6380));
    e.master_link_connected(link.attempt);
    assert_eq!(output(&mut e), "*1\r\n$4\r\nPING\r\n");
    e.master_link_input(link.attempt, b"+PONG\r\n");
    let sent = output(&mut e);
    (e, clock, id, sent)
}

/// A word of ROLE's reply: its first (the role) or its fourth (a replica's link state).
fn role_word(reply: &Reply, index: usize) -> String {
    match reply {
        Reply::Array(fields) => match &fields[index] {
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn attempt(engine: &Engine) -> u64 {
    engine
        .master_link_wanted()
        .expect("a link is wanted")
        .attempt
}

#[test]
fn the_handshake_is_redis_7_0s() {
    let (mut e, _, id, sent) = past_the_pong(&[("port", "7000")]);
    let expected = [
        command(&["REPLCONF", "listening-port", "7000"]),
        command(&["REPLCONF", "capa", "eof", "capa", "psync2"]),
    ]
    .concat();
    assert_eq!(sent.as_bytes(), expected);
    assert_eq!(
        role(&mut e, id),
        Reply::Array(vec![
            Reply::bulk("slave"),
            Reply::bulk("127.0.0.1"),
            Reply::Integer(6380),
            Reply::bulk("handshake"),
            Reply::Integer(-1),
        ])
    );
    let a = attempt(&e);
    // The replies come one at a time, split anywhere; PSYNC follows the second.
    e.master_link_input(a, b"+O");
    e.master_link_input(a, b"K\r\n+OK");
    assert_eq!(output(&mut e), "");
    e.master_link_input(a, b"\r\n");
    // A primary becoming a replica offers its own history.
    let replid = info_field(&mut e, id, "master_replid");
    assert_eq!(output(&mut e).as_bytes(), command(&["PSYNC", &replid, "1"]));
}

#[test]
fn masterauth_and_masteruser_go_before_the_replconfs() {
    let (_, _, _, sent) = past_the_pong(&[("masterauth", "secret"), ("masteruser", "repl")]);
    assert!(sent.starts_with(&String::from_utf8(command(&["AUTH", "repl", "secret"])).unwrap()));
    let (mut e, clock, id, sent) = past_the_pong(&[("masterauth", "secret")]);
    assert!(sent.starts_with(&String::from_utf8(command(&["AUTH", "secret"])).unwrap()));
    // A refused AUTH ends the attempt; the cron tries again a second later.
    let a = attempt(&e);
    e.master_link_input(a, b"-WRONGPASS invalid username-password pair\r\n");
    assert_eq!(e.master_link_wanted(), None);
    assert_eq!(
        role(&mut e, id),
        Reply::Array(vec![
            Reply::bulk("slave"),
            Reply::bulk("127.0.0.1"),
            Reply::Integer(6380),
            Reply::bulk("connect"),
            Reply::Integer(-1),
        ])
    );
    clock.advance_ms(1000);
    e.tick();
    assert_eq!(attempt(&e), a + 1);
}

#[test]
fn a_ping_refused_for_other_reasons_ends_the_attempt() {
    let (mut e, _) = engine(&[]);
    let id = e.connect();
    one(&mut e, id, "REPLICAOF 127.0.0.1 6380");
    let a = attempt(&e);
    e.master_link_connected(a);
    output(&mut e);
    e.master_link_input(a, b"-NOAUTH Authentication required.\r\n");
    assert!(
        e.master_link_wanted().is_some(),
        "NOAUTH is fine at this point"
    );
    let (mut e, _) = engine(&[]);
    let id = e.connect();
    one(&mut e, id, "REPLICAOF 127.0.0.1 6380");
    let a = attempt(&e);
    e.master_link_connected(a);
    e.master_link_input(a, b"-ERR unknown command 'PING'\r\n");
    assert_eq!(e.master_link_wanted(), None);
}

/// A snapshot of an engine holding `k`=`v` in database 0 and `n`=`1` with a TTL in 2.
fn snapshot() -> Vec<u8> {
    let (mut source, _) = engine(&[]);
    let id = source.connect();
    one(&mut source, id, "SET k v");
    one(&mut source, id, "SELECT 2");
    one(&mut source, id, "SET n 1 PX 100000");
    source.rdb_snapshot()
}

const REPLID: &str = "0123456789abcdef0123456789abcdef01234567";

/// A replica past PSYNC, answered with +FULLRESYNC at offset 100.
fn at_fullresync() -> (Engine, ManualClock, ClientId, u64) {
    let (mut e, clock, id, _) = past_the_pong(&[]);
    let a = attempt(&e);
    e.master_link_input(a, b"+OK\r\n+OK\r\n");
    output(&mut e);
    // Keepalive newlines may come before the reply.
    e.master_link_input(a, b"\n\n");
    e.master_link_input(a, format!("+FULLRESYNC {REPLID} 100\r\n").as_bytes());
    assert_eq!(role_word(&role(&mut e, id), 3), "sync");
    (e, clock, id, a)
}

fn check_loaded(e: &mut Engine, id: ClientId) {
    assert_eq!(one(e, id, "GET k"), Reply::bulk("v"));
    one(e, id, "SELECT 2");
    assert_eq!(one(e, id, "GET n"), Reply::bulk("1"));
    assert!(matches!(one(e, id, "PTTL n"), Reply::Integer(ms) if ms > 0));
    one(e, id, "SELECT 0");
}

#[test]
fn a_sized_snapshot_split_anywhere_loads_and_the_stream_follows() {
    let rdb = snapshot();
    let stream = command(&["SET", "after", "sync"]);
    let mut bytes = format!("\n${}\r\n", rdb.len()).into_bytes();
    bytes.extend_from_slice(&rdb);
    bytes.extend_from_slice(&stream);
    for cut in [
        1,
        2,
        5,
        7,
        rdb.len() / 2,
        bytes.len() - stream.len() - 1,
        bytes.len() - 3,
    ] {
        let (mut e, _, id, a) = at_fullresync();
        one(&mut e, id, "SET old gone");
        e.master_link_input(a, &bytes[..cut]);
        e.master_link_input(a, &bytes[cut..]);
        check_loaded(&mut e, id);
        assert_eq!(
            one(&mut e, id, "GET old"),
            Reply::Null,
            "flushed (cut at {cut})"
        );
        assert_eq!(one(&mut e, id, "GET after"), Reply::bulk("sync"));
        let offset = 100 + stream.len() as i64;
        assert_eq!(
            role(&mut e, id),
            Reply::Array(vec![
                Reply::bulk("slave"),
                Reply::bulk("127.0.0.1"),
                Reply::Integer(6380),
                Reply::bulk("connected"),
                Reply::Integer(offset),
            ])
        );
        assert_eq!(info_field(&mut e, id, "master_replid"), REPLID);
        assert_eq!(
            info_field(&mut e, id, "master_repl_offset"),
            offset.to_string()
        );
        // A sized snapshot gets no immediate ACK: the stream started anyway.
        assert_eq!(output(&mut e), "");
    }
}

#[test]
fn an_eof_marked_snapshot_split_anywhere_loads_and_is_acknowledged() {
    let rdb = snapshot();
    let mark = "ab".repeat(20);
    let mut bytes = format!("$EOF:{mark}\r\n").into_bytes();
    bytes.extend_from_slice(&rdb);
    bytes.extend_from_slice(mark.as_bytes());
    // Every cut through the mark and around it, and a few inside the file.
    let tail = bytes.len() - mark.len();
    let cuts: Vec<usize> = (tail - 2..bytes.len()).chain([3, 46, 60]).collect();
    for cut in cuts {
        let (mut e, _, id, a) = at_fullresync();
        e.master_link_input(a, &bytes[..cut]);
        assert_eq!(role_word(&role(&mut e, id), 3), "sync", "cut {cut}");
        e.master_link_input(a, &bytes[cut..]);
        check_loaded(&mut e, id);
        assert_eq!(
            output(&mut e).as_bytes(),
            command(&["REPLCONF", "ACK", "100"]),
            "cut at {cut}"
        );
    }
}

#[test]
fn a_transfer_in_progress_shows_in_info() {
    let (mut e, _, id, a) = at_fullresync();
    e.master_link_input(a, b"$1000\r\n");
    e.master_link_input(a, &[0; 250]);
    assert_eq!(info_field(&mut e, id, "master_sync_in_progress"), "1");
    assert_eq!(info_field(&mut e, id, "master_sync_total_bytes"), "1000");
    assert_eq!(info_field(&mut e, id, "master_sync_read_bytes"), "250");
    assert_eq!(info_field(&mut e, id, "master_sync_left_bytes"), "750");
    assert_eq!(info_field(&mut e, id, "master_sync_perc"), "25.00");
    assert_eq!(info_field(&mut e, id, "master_link_status"), "down");
}

#[test]
fn a_bad_snapshot_or_header_drops_the_attempt_and_reconnects() {
    let (mut e, _, id, a) = at_fullresync();
    e.master_link_input(a, b"-ERR no snapshot for you\r\n");
    assert_eq!(attempt(&e), a + 1, "a failed transfer reconnects at once");
    let (mut e2, _, _, a2) = at_fullresync();
    e2.master_link_input(a2, b"hello\r\n");
    assert_eq!(attempt(&e2), a2 + 1);
    // A snapshot that does not load leaves an empty keyspace, as Redis's flush before it.
    let (mut e3, _, id3, a3) = at_fullresync();
    one(&mut e3, id3, "SET old gone");
    e3.master_link_input(a3, b"$5\r\nREDIS");
    assert_eq!(one(&mut e3, id3, "DBSIZE"), Reply::Integer(0));
    assert_eq!(attempt(&e3), a3 + 1);
    let _ = (id, &mut e);
}

/// A replica whose full sync at offset 100 completed (sized snapshot).
fn connected() -> (Engine, ManualClock, ClientId, u64) {
    let (mut e, clock, id, a) = at_fullresync();
    e.master_link_input(a, &sized(&snapshot()));
    output(&mut e);
    (e, clock, id, a)
}

fn offset(e: &mut Engine, id: ClientId) -> i64 {
    match role(e, id) {
        Reply::Array(fields) => match fields[4] {
            Reply::Integer(n) => n,
            _ => panic!(),
        },
        _ => panic!(),
    }
}

#[test]
fn the_offset_counts_commands_processed_and_a_transaction_at_its_exec() {
    let (mut e, _, id, a) = connected();
    let select = command(&["SELECT", "3"]);
    let multi = command(&["MULTI"]);
    let set = command(&["SET", "x", "1"]);
    let incr = command(&["INCR", "x"]);
    let exec = command(&["EXEC"]);
    e.master_link_input(a, &select);
    assert_eq!(offset(&mut e, id), 100 + select.len() as i64);
    e.master_link_input(a, &multi);
    e.master_link_input(a, &set);
    e.master_link_input(a, &incr[..5]);
    assert_eq!(
        offset(&mut e, id),
        100 + select.len() as i64,
        "held until EXEC"
    );
    assert_eq!(
        info_field(&mut e, id, "slave_read_repl_offset"),
        (100 + select.len() + multi.len() + set.len() + 5).to_string()
    );
    e.master_link_input(a, &incr[5..]);
    e.master_link_input(a, &exec);
    let total = (100 + select.len() + multi.len() + set.len() + incr.len() + exec.len()) as i64;
    assert_eq!(offset(&mut e, id), total);
    assert_eq!(
        info_field(&mut e, id, "master_repl_offset"),
        total.to_string()
    );
    one(&mut e, id, "SELECT 3");
    assert_eq!(one(&mut e, id, "GET x"), Reply::bulk("2"));
    // Nothing was answered to the primary.
    assert_eq!(output(&mut e), "");
    // GETACK: the offset before it.
    e.master_link_input(a, &command(&["REPLCONF", "GETACK", "*"]));
    assert_eq!(
        output(&mut e).as_bytes(),
        command(&["REPLCONF", "ACK", &total.to_string()])
    );
}

#[test]
fn acks_every_second_and_a_silent_primary_times_out() {
    let (mut e, clock, id, a) = connected();
    clock.advance_ms(1000);
    e.tick();
    assert_eq!(
        output(&mut e).as_bytes(),
        command(&["REPLCONF", "ACK", "100"])
    );
    clock.advance_ms(30_000);
    e.master_link_input(a, &command(&["PING"]));
    clock.advance_ms(31_000);
    e.tick();
    assert_eq!(attempt(&e), a, "heard 31 s ago: within repl-timeout");
    clock.advance_ms(30_000);
    e.tick();
    assert_eq!(
        attempt(&e),
        a + 1,
        "silent past repl-timeout: a new attempt"
    );
    assert_eq!(info_field(&mut e, id, "master_link_status"), "down");
    assert_eq!(
        info_field(&mut e, id, "master_link_down_since_seconds"),
        "0"
    );
}

#[test]
fn a_lost_link_resumes_with_a_partial_resync_and_a_new_replid_shifts_the_old_one() {
    let (mut e, _, id, a) = connected();
    let set = command(&["SET", "y", "1"]);
    e.master_link_input(a, &set);
    e.master_link_failed(a, "connection lost");
    let b = attempt(&e);
    assert_eq!(b, a + 1, "reconnects at once");
    assert_eq!(one(&mut e, id, "GET y"), Reply::bulk("1"));
    e.master_link_connected(b);
    output(&mut e);
    e.master_link_input(b, b"+PONG\r\n+OK\r\n+OK\r\n");
    let next = (100 + set.len() + 1).to_string();
    assert_eq!(
        output(&mut e).split("PSYNC").nth(1).map(str::to_string),
        Some(format!(
            "\r\n${}\r\n{REPLID}\r\n${}\r\n{next}\r\n",
            REPLID.len(),
            next.len()
        ))
    );
    let new_id = "f".repeat(40);
    e.master_link_input(b, format!("+CONTINUE {new_id}\r\n").as_bytes());
    e.master_link_input(b, &command(&["SET", "z", "2"]));
    assert_eq!(one(&mut e, id, "GET z"), Reply::bulk("2"));
    assert_eq!(info_field(&mut e, id, "master_replid"), new_id);
    assert_eq!(info_field(&mut e, id, "master_replid2"), REPLID);
    assert_eq!(info_field(&mut e, id, "second_repl_offset"), next);
}

#[test]
fn client_kill_type_master_drops_the_link() {
    let (mut e, _, id, a) = connected();
    let list = info_text(&mut e, id, "CLIENT LIST TYPE master");
    assert!(list.contains(" flags=M "), "{list}");
    assert!(list.contains(" user=(superuser) "), "{list}");
    // It runs as no user: what the default user may not do, it may.
    one(&mut e, id, "ACL SETUSER default -set");
    e.master_link_input(a, &command(&["SET", "allowed", "1"]));
    assert_eq!(one(&mut e, id, "EXISTS allowed"), Reply::Integer(1));
    assert_eq!(
        one(&mut e, id, "CLIENT KILL TYPE master"),
        Reply::Integer(1)
    );
    assert_eq!(attempt(&e), a + 1);
    assert_eq!(
        info_text(&mut e, id, "CLIENT LIST TYPE master"),
        "$0\r\n\r\n"
    );
}

#[test]
fn try_later_replies_and_errors_to_psync() {
    let (mut e, clock, _, _) = past_the_pong(&[]);
    let a = attempt(&e);
    e.master_link_input(
        a,
        b"+OK\r\n+OK\r\n-NOMASTERLINK Can't SYNC while not connected with my master\r\n",
    );
    assert_eq!(e.master_link_wanted(), None);
    clock.advance_ms(1000);
    e.tick();
    assert_eq!(attempt(&e), a + 1);
    // A primary that does not know PSYNC gets SYNC.
    let (mut e, _, _, _) = past_the_pong(&[]);
    let a = attempt(&e);
    e.master_link_input(a, b"+OK\r\n+OK\r\n");
    output(&mut e);
    e.master_link_input(a, b"-ERR unknown command 'PSYNC'\r\n");
    assert_eq!(output(&mut e), "SYNC\r\n");
}

#[test]
fn calls_for_an_old_attempt_are_ignored() {
    let (mut e, _, id, a) = connected();
    e.master_link_failed(a, "gone");
    e.master_link_input(a, &command(&["SET", "ghost", "1"]));
    e.master_link_connected(a);
    assert_eq!(output(&mut e), "");
    assert_eq!(one(&mut e, id, "EXISTS ghost"), Reply::Integer(0));
}

#[test]
fn expired_keys_stay_for_the_primary_and_read_as_missing() {
    let (mut e, clock, id, a) = connected();
    e.master_link_input(a, &command(&["SET", "t", "1", "PX", "10"]));
    clock.advance_ms(50);
    e.tick();
    assert_eq!(one(&mut e, id, "GET t"), Reply::Null);
    assert_eq!(one(&mut e, id, "DBSIZE"), Reply::Integer(2));
    // The primary's command still finds it (an APPEND to a key it has not expired yet).
    e.master_link_input(a, &command(&["APPEND", "t", "2"]));
    e.master_link_input(a, &command(&["DEL", "t"]));
    assert_eq!(one(&mut e, id, "DBSIZE"), Reply::Integer(1));
}

#[test]
fn replicaof_no_one_keeps_the_data_and_shifts_the_history() {
    let (mut e, _, id, a) = connected();
    e.master_link_input(a, &command(&["SET", "kept", "1"]));
    let before = info_field(&mut e, id, "master_repl_offset");
    assert_eq!(one(&mut e, id, "REPLICAOF NO ONE"), Reply::ok());
    assert_eq!(e.master_link_wanted(), None);
    assert_eq!(one(&mut e, id, "GET kept"), Reply::bulk("1"));
    assert_eq!(info_field(&mut e, id, "master_replid2"), REPLID);
    assert_eq!(
        info_field(&mut e, id, "second_repl_offset"),
        (before.parse::<i64>().unwrap() + 1).to_string()
    );
    assert_eq!(one(&mut e, id, "SET mine 1"), Reply::ok());
}

/// Carries bytes between engines as a transport would: a replica's link to the engine at its
/// port, as a client of that engine.
struct Wire {
    /// Per node: the attempt its connection was made for, the engine it reaches (by index)
    /// and the client it is there, and the parser of what it sent.
    clients: Vec<Option<(u64, usize, ClientId, RequestParser)>>,
}

impl Wire {
    fn pump(&mut self, nodes: &mut [Engine]) {
        for _ in 0..50 {
            let mut moved = false;
            for i in 0..nodes.len() {
                let wanted: Option<MasterLink> = nodes[i].master_link_wanted();
                let current = self.clients[i].as_ref().map(|c| c.0);
                if wanted.as_ref().map(|w| w.attempt) != current {
                    if let Some((_, target, client, _)) = self.clients[i].take() {
                        nodes[target].disconnect(client);
                    }
                    if let Some(link) = wanted {
                        let target = (link.port - 6379) as usize;
                        let client = nodes[target].connect();
                        self.clients[i] =
                            Some((link.attempt, target, client, RequestParser::new()));
                        nodes[i].master_link_connected(link.attempt);
                    }
                    moved = true;
                }
                let Some((attempt, target, client, parser)) = self.clients[i].as_mut() else {
                    continue;
                };
                let (attempt, target, client) = (*attempt, *target, *client);
                let sent = nodes[i].master_link_output();
                parser.feed(&sent);
                let mut back = Vec::new();
                while let Ok(Some(argv)) = parser.next_request(1 << 20) {
                    let argv = argv.to_vec();
                    for reply in nodes[target].execute(client, &argv).into_replies() {
                        reply.encode(2, &mut back);
                    }
                }
                for reply in nodes[target].drain(client) {
                    reply.encode(2, &mut back);
                }
                if !back.is_empty() || !sent.is_empty() {
                    moved = true;
                }
                nodes[i].master_link_input(attempt, &back);
                // The primary closed the connection (it dropped its replicas).
                if nodes[target].client(client).is_none_or(|c| c.closing) {
                    nodes[target].disconnect(client);
                    self.clients[i] = None;
                    nodes[i].master_link_failed(attempt, "connection lost");
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
    }
}

#[test]
fn engines_replicate_to_each_other_in_a_chain_and_after_a_promotion() {
    let clock = ManualClock::new(START_MS);
    let mut nodes: Vec<Engine> = (0..3)
        .map(|n| {
            let mut config = Config::default();
            config
                .set(b"port", (6379 + n).to_string().as_bytes(), true)
                .unwrap();
            config.set(b"repl-diskless-sync-delay", b"0", true).unwrap();
            Engine::new(config, Box::new(clock.clone()), n)
        })
        .collect();
    let ids: Vec<ClientId> = nodes.iter_mut().map(|e| e.connect()).collect();
    let mut wire = Wire {
        clients: vec![None, None, None],
    };
    one(&mut nodes[0], ids[0], "SET a 1");
    one(&mut nodes[1], ids[1], "REPLICAOF 127.0.0.1 6379");
    one(&mut nodes[2], ids[2], "REPLICAOF 127.0.0.1 6380");
    for _ in 0..5 {
        clock.advance_ms(100);
        for n in nodes.iter_mut() {
            n.tick();
        }
        wire.pump(&mut nodes);
    }
    one(&mut nodes[0], ids[0], "SET b 2");
    one(&mut nodes[0], ids[0], "EXPIRE a 100");
    wire.pump(&mut nodes);
    for n in 1..3 {
        assert_eq!(
            one(&mut nodes[n], ids[n], "GET b"),
            Reply::bulk("2"),
            "node {n}"
        );
        assert_eq!(one(&mut nodes[n], ids[n], "TTL a"), Reply::Integer(100));
        let offset = info_field(&mut nodes[n], ids[n], "master_repl_offset");
        assert_eq!(
            offset,
            info_field(&mut nodes[0], ids[0], "master_repl_offset")
        );
        let replid = info_field(&mut nodes[n], ids[n], "master_replid");
        assert_eq!(replid, info_field(&mut nodes[0], ids[0], "master_replid"));
    }
    // The middle one promoted: its replica resumes from it without a full sync.
    assert_eq!(one(&mut nodes[1], ids[1], "REPLICAOF NO ONE"), Reply::ok());
    one(&mut nodes[1], ids[1], "SET c 3");
    for _ in 0..5 {
        clock.advance_ms(100);
        for n in nodes.iter_mut() {
            n.tick();
        }
        wire.pump(&mut nodes);
    }
    assert_eq!(one(&mut nodes[2], ids[2], "GET c"), Reply::bulk("3"));
    let stats = info_text(&mut nodes[1], ids[1], "INFO stats");
    assert!(stats.contains("sync_partial_ok:1"), "{stats}");
}

#[test]
fn failover_hands_the_primary_role_over_to_its_replica() {
    let clock = ManualClock::new(START_MS);
    let mut nodes: Vec<Engine> = (0..2)
        .map(|n| {
            let mut config = Config::default();
            config
                .set(b"port", (6379 + n).to_string().as_bytes(), true)
                .unwrap();
            config.set(b"repl-diskless-sync-delay", b"0", true).unwrap();
            Engine::new(config, Box::new(clock.clone()), n)
        })
        .collect();
    let ids: Vec<ClientId> = nodes.iter_mut().map(|e| e.connect()).collect();
    let mut wire = Wire {
        clients: vec![None, None],
    };
    let mut run_for = |nodes: &mut Vec<Engine>, ms: u64| {
        for _ in 0..ms / 100 {
            clock.advance_ms(100);
            for n in nodes.iter_mut() {
                n.tick();
            }
            wire.pump(nodes);
        }
    };
    one(&mut nodes[0], ids[0], "SET lock owner-1");
    one(&mut nodes[1], ids[1], "REPLICAOF 127.0.0.1 6379");
    run_for(&mut nodes, 2000);
    assert_eq!(
        one(&mut nodes[1], ids[1], "GET lock"),
        Reply::bulk("owner-1")
    );
    assert_eq!(one(&mut nodes[0], ids[0], "FAILOVER"), Reply::ok());
    assert_eq!(
        one(&mut nodes[0], ids[0], "REPLICAOF NO ONE"),
        Reply::Error("ERR REPLICAOF not allowed while failing over.".into())
    );
    run_for(&mut nodes, 3000);
    assert_eq!(role_word(&role(&mut nodes[1], ids[1]), 0), "master");
    assert_eq!(role_word(&role(&mut nodes[0], ids[0]), 0), "slave");
    assert_eq!(
        info_field(&mut nodes[0], ids[0], "master_failover_state"),
        "no-failover"
    );
    assert_eq!(
        info_field(&mut nodes[0], ids[0], "master_link_status"),
        "up"
    );
    // The new primary takes writes, and the old one follows it.
    assert_eq!(one(&mut nodes[1], ids[1], "SET lock owner-2"), Reply::ok());
    run_for(&mut nodes, 200);
    assert_eq!(
        one(&mut nodes[0], ids[0], "GET lock"),
        Reply::bulk("owner-2")
    );
    let stats = info_text(&mut nodes[1], ids[1], "INFO stats");
    assert!(stats.contains("sync_partial_ok:1"), "{stats}");
}

/// Makes `e` a replica of 127.0.0.1:6380 from `id`'s console and plays the primary's side of
/// a full sync: the handshake's replies, +FULLRESYNC at offset 100, then `payload` (the
/// snapshot as sent, and whatever follows it). The attempt.
fn full_sync(e: &mut Engine, id: ClientId, payload: &[u8]) -> u64 {
    one(e, id, "REPLICAOF 127.0.0.1 6380");
    let a = attempt(e);
    e.master_link_connected(a);
    e.master_link_input(a, b"+PONG\r\n+OK\r\n+OK\r\n");
    e.master_link_input(a, format!("+FULLRESYNC {REPLID} 100\r\n").as_bytes());
    e.master_link_input(a, payload);
    a
}

/// A snapshot as a sized bulk: `$<len>\r\n<rdb>`.
fn sized(rdb: &[u8]) -> Vec<u8> {
    let mut bytes = format!("${}\r\n", rdb.len()).into_bytes();
    bytes.extend_from_slice(rdb);
    bytes
}

#[test]
fn with_appendonly_the_log_starts_over_on_the_synced_data() {
    let (mut e, _) = engine(&[("appendonly", "yes"), ("enable-debug-command", "yes")]);
    let id = e.connect();
    one(&mut e, id, "SET old 1");
    let a = full_sync(&mut e, id, &sized(&snapshot()));
    e.master_link_input(a, &command(&["SET", "streamed", "1"]));
    e.flush_aof();
    // The keyspace read back from the log alone: the synced data and the stream, not the
    // old key.
    assert_eq!(one(&mut e, id, "DEBUG LOADAOF"), Reply::ok());
    assert_eq!(one(&mut e, id, "EXISTS old"), Reply::Integer(0));
    assert_eq!(one(&mut e, id, "GET k"), Reply::bulk("v"));
    assert_eq!(one(&mut e, id, "GET streamed"), Reply::bulk("1"));
}

#[test]
fn the_master_client_shows_the_addresses_the_transport_gave() {
    let (mut e, _, id, _) = past_the_pong(&[]);
    let a = attempt(&e);
    e.set_master_link_address(a, "10.0.0.5:6380".into(), "10.0.0.9:41000".into(), 12);
    e.master_link_input(a, b"+OK\r\n+OK\r\n");
    e.master_link_input(a, format!("+FULLRESYNC {REPLID} 100\r\n").as_bytes());
    e.master_link_input(a, &sized(&snapshot()));
    let list = info_text(&mut e, id, "CLIENT LIST TYPE master");
    assert!(
        list.contains(" addr=10.0.0.5:6380 laddr=10.0.0.9:41000 fd=12 "),
        "{list}"
    );
}

/// A full sync's snapshot becomes the replica's `dbfilename` before it is loaded (Redis's
/// default `repl-diskless-load disabled`), so DEBUG RELOAD NOSAVE, as a restart, finds what
/// the primary sent and not the stream after it; parsed from the socket (`swapdb`), the file
/// is left as the replica saved it.
#[test]
fn the_snapshot_is_written_to_dbfilename_unless_the_load_is_diskless() {
    let mut bytes = sized(&snapshot());
    bytes.extend_from_slice(&command(&["SET", "after", "sync"]));
    for (load, empty, from_file) in [
        ("disabled", false, true),
        ("on-empty-db", false, true),
        // Parsed from the socket only into an empty keyspace.
        ("on-empty-db", true, false),
        ("swapdb", false, false),
    ] {
        let settings = [
            ("enable-debug-command", "yes"),
            ("repl-diskless-load", load),
        ];
        let (mut e, _, id, _) = past_the_pong(&settings);
        // What the replica kept before it became one.
        one(&mut e, id, "REPLICAOF NO ONE");
        one(&mut e, id, "SET own 1");
        assert_eq!(one(&mut e, id, "SAVE"), Reply::ok());
        if empty {
            assert_eq!(one(&mut e, id, "DEL own"), Reply::Integer(1));
        }
        full_sync(&mut e, id, &bytes);
        assert_eq!(one(&mut e, id, "GET after"), Reply::bulk("sync"), "{load}");
        assert_eq!(
            one(&mut e, id, "DEBUG RELOAD NOSAVE"),
            Reply::ok(),
            "{load}"
        );
        assert_eq!(one(&mut e, id, "GET after"), Reply::Null, "{load}");
        let (k, own) = match from_file {
            true => (Reply::bulk("v"), Reply::Null),
            false => (Reply::Null, Reply::bulk("1")),
        };
        assert_eq!(one(&mut e, id, "GET k"), k, "{load}");
        assert_eq!(one(&mut e, id, "GET own"), own, "{load}");
    }
}

#[test]
fn the_handshake_announces_the_configured_address_and_port() {
    let (mut e, _, id, sent) = past_the_pong(&[
        ("port", "7000"),
        ("replica-announce-ip", "10.0.0.5"),
        ("replica-announce-port", "7100"),
    ]);
    let expected = [
        command(&["REPLCONF", "listening-port", "7100"]),
        command(&["REPLCONF", "ip-address", "10.0.0.5"]),
        command(&["REPLCONF", "capa", "eof", "capa", "psync2"]),
    ]
    .concat();
    assert_eq!(sent.as_bytes(), expected);
    // Three replies now, PSYNC after the third.
    let a = attempt(&e);
    e.master_link_input(a, b"+OK\r\n+OK\r\n");
    assert_eq!(output(&mut e), "");
    e.master_link_input(a, b"+OK\r\n");
    let replid = info_field(&mut e, id, "master_replid");
    assert_eq!(output(&mut e).as_bytes(), command(&["PSYNC", &replid, "1"]));
}

/// A primary (port 6379) and its replica (6380) joined by a [`Wire`], synced; the replica
/// configured with `settings` before it follows the primary.
fn primary_and_replica(
    settings: &[(&str, &str)],
) -> (Vec<Engine>, ManualClock, Vec<ClientId>, Wire) {
    let clock = ManualClock::new(START_MS);
    let mut nodes: Vec<Engine> = (0..2)
        .map(|n| {
            let mut config = Config::default();
            config
                .set(b"port", (6379 + n).to_string().as_bytes(), true)
                .unwrap();
            config.set(b"repl-diskless-sync-delay", b"0", true).unwrap();
            if n == 1 {
                for (name, value) in settings {
                    config.set(name.as_bytes(), value.as_bytes(), true).unwrap();
                }
            }
            Engine::new(config, Box::new(clock.clone()), n)
        })
        .collect();
    let ids: Vec<ClientId> = nodes.iter_mut().map(|e| e.connect()).collect();
    let mut wire = Wire {
        clients: vec![None, None],
    };
    one(&mut nodes[1], ids[1], "REPLICAOF 127.0.0.1 6379");
    settle(&mut nodes, &clock, &mut wire);
    assert_eq!(
        info_field(&mut nodes[1], ids[1], "master_link_status"),
        "up"
    );
    (nodes, clock, ids, wire)
}

fn settle(nodes: &mut [Engine], clock: &ManualClock, wire: &mut Wire) {
    for _ in 0..5 {
        clock.advance_ms(100);
        for n in nodes.iter_mut() {
            n.tick();
        }
        wire.pump(nodes);
    }
}

#[test]
fn the_primary_lists_a_replica_at_the_address_it_announced() {
    let (mut nodes, _, ids, _) = primary_and_replica(&[
        ("replica-announce-ip", "10.0.0.5"),
        ("replica-announce-port", "7100"),
    ]);
    let slave0 = info_field(&mut nodes[0], ids[0], "slave0");
    assert!(
        slave0.starts_with("ip=10.0.0.5,port=7100,state=online,"),
        "{slave0}"
    );
    let Reply::Array(role) = one(&mut nodes[0], ids[0], "ROLE") else {
        panic!("ROLE is an array");
    };
    let Reply::Array(replicas) = &role[2] else {
        panic!("{role:?}");
    };
    let Reply::Array(first) = &replicas[0] else {
        panic!("{replicas:?}");
    };
    assert_eq!(first[..2], [Reply::bulk("10.0.0.5"), Reply::bulk("7100")]);
    // Without them: the address the primary sees (none here, over the test's wire) and the
    // replica's own port.
    let (mut nodes, _, ids, _) = primary_and_replica(&[]);
    let slave0 = info_field(&mut nodes[0], ids[0], "slave0");
    assert!(slave0.starts_with("ip=,port=6380,"), "{slave0}");
}

/// Writes 50 keys of 1000 bytes on the primary, through to the replica, and gives the replica
/// a `maxmemory` well under what they take, evicting any key.
fn replica_over_maxmemory(settings: &[(&str, &str)]) -> (Vec<Engine>, ClientId) {
    let (mut nodes, clock, ids, mut wire) = primary_and_replica(settings);
    let used: u64 = any_info(&mut nodes[1], ids[1], "used_memory")
        .parse()
        .unwrap();
    let limit = format!("CONFIG SET maxmemory {}", used + 10_000);
    one(&mut nodes[1], ids[1], &limit);
    one(
        &mut nodes[1],
        ids[1],
        "CONFIG SET maxmemory-policy allkeys-random",
    );
    let value = "x".repeat(1000);
    for i in 0..50 {
        one(&mut nodes[0], ids[0], &format!("SET key:{i} {value}"));
    }
    settle(&mut nodes, &clock, &mut wire);
    (nodes, ids[1])
}

#[test]
fn a_replica_ignores_maxmemory_unless_told_not_to() {
    let (mut nodes, replica) = replica_over_maxmemory(&[]);
    // The stream's writes and its own clients' commands evict nothing: an exact copy.
    assert_eq!(one(&mut nodes[1], replica, "DBSIZE"), Reply::Integer(50));
    assert_eq!(any_info(&mut nodes[1], replica, "evicted_keys"), "0");
    assert_eq!(
        one(&mut nodes[1], replica, "GET key:1"),
        Reply::bulk("x".repeat(1000))
    );
    // Told not to ignore it, its next command evicts down to the limit.
    one(
        &mut nodes[1],
        replica,
        "CONFIG SET replica-ignore-maxmemory no",
    );
    one(&mut nodes[1], replica, "PING");
    let evicted: i64 = any_info(&mut nodes[1], replica, "evicted_keys")
        .parse()
        .unwrap();
    assert!(evicted > 0);
    assert_eq!(
        one(&mut nodes[1], replica, "DBSIZE"),
        Reply::Integer(50 - evicted)
    );
    // The same with the old name, given at start.
    let (mut nodes, replica) = replica_over_maxmemory(&[("slave-ignore-maxmemory", "no")]);
    assert!(any_info(&mut nodes[1], replica, "evicted_keys") != "0");
}

/// A replica holding three keys of its own that goes through a full sync, with
/// `replica-lazy-flush` as `lazy` says: its INFO's lazy-free fields right after the sync, and
/// after a tick's time.
fn lazy_flush_counts(lazy: &str) -> [String; 3] {
    let (mut e, clock) = engine(&[("replica-lazy-flush", lazy)]);
    let id = e.connect();
    one(&mut e, id, "MSET a 1 b 2 c 3");
    full_sync(&mut e, id, &sized(&snapshot()));
    check_loaded(&mut e, id);
    let pending = any_info(&mut e, id, "lazyfree_pending_objects");
    clock.advance_ms(100);
    e.tick();
    [
        pending,
        any_info(&mut e, id, "lazyfree_pending_objects"),
        any_info(&mut e, id, "lazyfreed_objects"),
    ]
}

#[test]
fn replica_lazy_flush_frees_the_old_data_in_the_background() {
    assert_eq!(lazy_flush_counts("yes"), ["3", "0", "3"]);
    assert_eq!(lazy_flush_counts("no"), ["0", "0", "0"]);
}
