//! The primary's side of replication through the public `Engine` API: what a replica's
//! connection receives, byte for byte (the `+FULLRESYNC` line, the snapshot, the command
//! stream as Redis 7.0 propagates it), partial resyncs from the backlog, ACKs and WAIT.

mod common;

use common::{configured as engine, execute as run, run as one, START_MS};
use keyspace::{cli, ClientId, Engine, Outcome, Reply};

/// Everything waiting for a replica's connection, as the bytes it is written as.
fn received(engine: &mut Engine, id: ClientId) -> Vec<u8> {
    let mut out = Vec::new();
    for reply in engine.drain(id) {
        let Reply::Raw(bytes) = reply else {
            panic!("a replica gets raw bytes, not {reply:?}")
        };
        out.extend_from_slice(&bytes);
    }
    out
}

/// A command as the stream carries it.
fn resp(line: &str) -> Vec<u8> {
    let mut out = Vec::new();
    keyspace::resp::encode_request(&mut out, &cli::split_args(line.as_bytes()).unwrap());
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A replica attached by PSYNC with a full sync sent with its length (`repl-diskless-sync
/// no`), its snapshot taken.
fn attach(engine: &mut Engine) -> ClientId {
    let replica = engine.connect();
    engine.set_client_address(
        replica,
        "127.0.0.1:50000".into(),
        "127.0.0.1:6379".into(),
        9,
    );
    assert_eq!(
        one(engine, replica, "REPLCONF listening-port 6380 capa psync2"),
        Reply::ok()
    );
    assert_eq!(run(engine, replica, "PSYNC ? -1"), Outcome::Replies(vec![]));
    let sync = received(engine, replica);
    let line_end = sync.windows(2).position(|w| w == b"\r\n").unwrap();
    let line = text(&sync[..line_end]);
    let parts: Vec<&str> = line.split(' ').collect();
    assert_eq!(parts[0], "+FULLRESYNC");
    assert_eq!(parts[1].len(), 40);
    assert_eq!(parts[2], "0");
    let rdb = &sync[line_end + 2..];
    assert!(rdb.starts_with(b"$"), "{}", text(rdb));
    replica
}

#[test]
fn a_full_sync_sends_the_snapshot_with_the_replication_aux_fields() {
    let (mut e, _) = engine(&[("repl-diskless-sync", "no")]);
    let c = e.connect();
    one(&mut e, c, "SET greeting hello");
    let replica = e.connect();
    run(&mut e, replica, "PSYNC ? -1");
    let sync = received(&mut e, replica);
    let info = text(
        &e.execute(c, &[b"INFO".to_vec(), b"replication".to_vec()])
            .into_replies()[0]
            .to_resp(2),
    );
    let replid = info
        .lines()
        .find_map(|l| l.strip_prefix("master_replid:"))
        .unwrap()
        .to_string();
    let header = format!("+FULLRESYNC {replid} 0\r\n$");
    assert!(text(&sync).starts_with(&header), "{}", text(&sync));
    // The length line, then the file itself, whole: `REDIS0010` to its checksum.
    let after = &sync[header.len()..];
    let digits = after.iter().position(|&b| b == b'\r').unwrap();
    let len: usize = text(&after[..digits]).parse().unwrap();
    let rdb = &after[digits + 2..];
    assert_eq!(rdb.len(), len);
    assert!(rdb.starts_with(b"REDIS0010"));
    for aux in [
        "repl-stream-db",
        "repl-id",
        "repl-offset",
        "greeting",
        "hello",
    ] {
        assert!(text(rdb).contains(aux), "{aux}");
    }
    assert!(text(rdb).contains(&replid));
    assert!(info.contains("connected_slaves:1\r\n"));
    assert!(info.contains("repl_backlog_active:1\r\n"));
}

#[test]
fn the_stream_carries_writes_as_redis_propagates_them() {
    let (mut e, clock) = engine(&[("repl-diskless-sync", "no")]);
    let replica = attach(&mut e);
    // The first tick pings the replica (see the next test); the next is 10 seconds away.
    e.tick();
    assert_eq!(received(&mut e, replica), resp("PING"));
    let c = e.connect();
    let at = START_MS + 100_000;
    one(&mut e, c, "SET k v EX 100");
    assert_eq!(
        received(&mut e, replica),
        [resp("SELECT 0"), resp(&format!("SET k v PXAT {at}"))].concat()
    );
    one(&mut e, c, "EXPIRE k 50");
    assert_eq!(
        received(&mut e, replica),
        resp(&format!("PEXPIREAT k {}", START_MS + 50_000))
    );
    // Nothing changed: nothing sent.
    one(&mut e, c, "GET k");
    one(&mut e, c, "DEL nothing");
    assert_eq!(received(&mut e, replica), b"");
    // A transaction, in its database, wrapped.
    one(&mut e, c, "SELECT 2");
    one(&mut e, c, "MULTI");
    one(&mut e, c, "SET a 1");
    one(&mut e, c, "INCR n");
    one(&mut e, c, "EXEC");
    assert_eq!(
        received(&mut e, replica),
        [
            resp("SELECT 2"),
            resp("MULTI"),
            resp("SET a 1"),
            resp("INCR n"),
            resp("EXEC")
        ]
        .concat()
    );
    // A script as its effects, wrapped the same way.
    one(
        &mut e,
        c,
        "EVAL \"redis.call('set', KEYS[1], 'x'); redis.call('expire', KEYS[1], 10)\" 1 s",
    );
    assert_eq!(
        received(&mut e, replica),
        [
            resp("MULTI"),
            resp("SET s x"),
            resp(&format!("PEXPIREAT s {}", START_MS + 10_000)),
            resp("EXEC")
        ]
        .concat()
    );
    // A key the active expire cycle removes is deleted on the replica by a DEL.
    one(&mut e, c, "SET soon 1 PX 10");
    received(&mut e, replica);
    clock.advance_ms(50);
    for _ in 0..20 {
        e.tick();
    }
    assert_eq!(received(&mut e, replica), resp("DEL soon"));
}

#[test]
fn the_primary_pings_through_the_stream_and_the_offset_counts_every_byte() {
    let (mut e, clock) = engine(&[
        ("repl-diskless-sync", "no"),
        ("repl-ping-replica-period", "2"),
    ]);
    let replica = attach(&mut e);
    let mut sent = 0;
    for _ in 0..5 {
        e.tick();
        sent += received(&mut e, replica).len();
        clock.advance_ms(1000);
    }
    // Ticks 0, 2 and 4 seconds in: three PINGs, in the backlog as in the offset.
    assert_eq!(sent, 3 * resp("PING").len());
    assert_eq!(
        one(&mut e, replica, "ROLE"),
        Reply::Array(vec![
            Reply::bulk("master"),
            Reply::Integer(sent as i64),
            Reply::Array(vec![Reply::bulk_array(["127.0.0.1", "6380", "0"])])
        ])
    );
}

#[test]
fn a_replica_that_comes_back_resumes_from_the_backlog() {
    let (mut e, _) = engine(&[("repl-diskless-sync", "no")]);
    let replica = attach(&mut e);
    let c = e.connect();
    one(&mut e, c, "SET a 1");
    let first = received(&mut e, replica);
    let Reply::Array(role) = one(&mut e, c, "ROLE") else {
        panic!()
    };
    assert_eq!(role[1], Reply::Integer(first.len() as i64));
    let info = text(&one(&mut e, c, "INFO replication").to_resp(2));
    let replid = info
        .lines()
        .find_map(|l| l.strip_prefix("master_replid:"))
        .unwrap()
        .to_string();
    // The link drops; writes go on meanwhile.
    assert_eq!(
        one(&mut e, c, "CLIENT KILL TYPE replica"),
        Reply::Integer(1)
    );
    e.disconnect(replica);
    one(&mut e, c, "SET b 2");
    let again = e.connect();
    one(&mut e, again, "REPLCONF capa psync2");
    // It had the first write: it asks for the byte after it.
    run(
        &mut e,
        again,
        &format!("PSYNC {replid} {}", first.len() + 1),
    );
    assert_eq!(
        text(&received(&mut e, again)),
        text(
            &[
                format!("+CONTINUE {replid}\r\n").into_bytes(),
                resp("SET b 2")
            ]
            .concat()
        )
    );
    let stats = text(&one(&mut e, c, "INFO stats").to_resp(2));
    assert!(stats.contains("sync_full:1\r\n"));
    assert!(stats.contains("sync_partial_ok:1\r\n"));
    // An offset the backlog no longer (or never) held needs a full sync.
    let third = e.connect();
    run(&mut e, third, &format!("PSYNC {replid} 999999"));
    assert!(text(&received(&mut e, third)).starts_with("+FULLRESYNC"));
    let stats = text(&one(&mut e, c, "INFO stats").to_resp(2));
    assert!(stats.contains("sync_full:2\r\n"));
    assert!(stats.contains("sync_partial_err:1\r\n"));
}

#[test]
fn wait_counts_the_replicas_that_acknowledged_the_clients_writes() {
    let (mut e, clock) = engine(&[("repl-diskless-sync", "no")]);
    let replica = attach(&mut e);
    let c = e.connect();
    // No write yet: the replica, online, has acknowledged offset 0.
    assert_eq!(one(&mut e, c, "WAIT 1 0"), Reply::Integer(1));
    one(&mut e, c, "SET a 1");
    assert_eq!(run(&mut e, c, "WAIT 1 1000"), Outcome::Blocked);
    // WAIT asks the replicas for an acknowledgement through the stream.
    let stream = received(&mut e, replica);
    assert!(stream.ends_with(&resp("REPLCONF GETACK *")));
    let offset = stream.len();
    assert_eq!(
        run(&mut e, replica, &format!("REPLCONF ACK {offset}")),
        Outcome::Replies(vec![])
    );
    assert_eq!(e.drain(c), vec![Reply::Integer(1)]);
    // Unacknowledged, it answers how many there were when the time is up.
    one(&mut e, c, "SET b 2");
    assert_eq!(run(&mut e, c, "WAIT 1 100"), Outcome::Blocked);
    clock.advance_ms(101);
    e.tick();
    assert_eq!(e.drain(c), vec![Reply::Integer(0)]);
}

#[test]
fn min_replicas_to_write_counts_good_replicas() {
    let (mut e, clock) = engine(&[
        ("repl-diskless-sync", "no"),
        ("min-replicas-to-write", "1"),
        ("min-replicas-max-lag", "10"),
    ]);
    let c = e.connect();
    assert_eq!(
        one(&mut e, c, "SET a 1"),
        Reply::Error("NOREPLICAS Not enough good replicas to write.".into())
    );
    let replica = attach(&mut e);
    assert_eq!(one(&mut e, c, "SET a 1"), Reply::ok());
    // Silent for longer than the lag allows: no longer good once the cron counts again.
    clock.advance_ms(12_000);
    e.tick();
    assert_eq!(
        one(&mut e, c, "SET a 1"),
        Reply::Error("NOREPLICAS Not enough good replicas to write.".into())
    );
    run(&mut e, replica, "REPLCONF ACK 0");
    clock.advance_ms(1000);
    e.tick();
    assert_eq!(one(&mut e, c, "SET a 1"), Reply::ok());
}

#[test]
fn an_eof_marked_snapshot_holds_the_stream_until_the_first_ack() {
    let (mut e, clock) = engine(&[("repl-diskless-sync-delay", "1")]);
    let replica = e.connect();
    one(&mut e, replica, "REPLCONF capa eof capa psync2");
    run(&mut e, replica, "PSYNC ? -1");
    // The snapshot waits for the delay; meanwhile a newline a second keeps the link alive.
    assert_eq!(received(&mut e, replica), b"");
    let info = text(&one(&mut e, replica, "INFO replication").to_resp(2));
    assert!(info.contains(",state=wait_bgsave,"), "{info}");
    e.tick();
    assert_eq!(received(&mut e, replica), b"\n");
    clock.advance_ms(1000);
    e.tick();
    let sync = text(&received(&mut e, replica));
    assert!(sync.starts_with("+FULLRESYNC "), "{sync}");
    let mark = &sync[sync.find("$EOF:").unwrap() + 5..][..40];
    assert!(sync.ends_with(mark));
    let c = e.connect();
    one(&mut e, c, "SET a 1");
    assert_eq!(received(&mut e, replica), b"");
    run(&mut e, replica, "REPLCONF ACK 0");
    assert_eq!(
        received(&mut e, replica),
        [resp("SELECT 0"), resp("SET a 1")].concat()
    );
}

#[test]
fn replconf_and_psync_refuse_what_redis_refuses() {
    let (mut e, _) = engine(&[]);
    let c = e.connect();
    let error = |e: &mut Engine, line: &str| match one(e, c, line) {
        Reply::Error(text) => text,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(error(&mut e, "REPLCONF listening-port"), "ERR syntax error");
    assert_eq!(
        error(&mut e, "REPLCONF foo bar"),
        "ERR Unrecognized REPLCONF option: foo"
    );
    assert_eq!(
        error(&mut e, "REPLCONF listening-port x"),
        "ERR value is not an integer or out of range"
    );
    assert_eq!(
        error(&mut e, "REPLCONF rdb-only 2"),
        "ERR value is out of range, value must between 0 and 1"
    );
    assert_eq!(
        error(&mut e, "REPLCONF rdb-filter-only keys"),
        "ERR Unsupported rdb-filter-only option: keys"
    );
    assert_eq!(
        error(&mut e, "PSYNC ? -1 FAILOVER"),
        "ERR PSYNC FAILOVER can't be sent to a master."
    );
    assert_eq!(
        one(&mut e, c, "REPLCONF rdb-filter-only functions"),
        Reply::ok()
    );
    assert_eq!(
        error(&mut e, "PSYNC ? -1"),
        "ERR Filtered replica requires EOF capability"
    );
    // ACK from a client that is no replica: no reply at all.
    assert_eq!(run(&mut e, c, "REPLCONF ACK 10"), Outcome::Replies(vec![]));
    assert_eq!(error(&mut e, "WAIT 1 -1"), "ERR timeout is negative");
    assert_eq!(one(&mut e, c, "WAIT 0 0"), Reply::Integer(0));
}

fn failover_state(e: &mut Engine, c: ClientId) -> String {
    let info = text(&one(e, c, "INFO replication").to_resp(2));
    info.lines()
        .find_map(|l| l.strip_prefix("master_failover_state:"))
        .unwrap()
        .to_string()
}

#[test]
fn failover_pauses_writes_until_the_target_has_the_whole_stream() {
    let (mut e, _) = engine(&[("repl-diskless-sync", "no")]);
    let replica = attach(&mut e);
    let c = e.connect();
    one(&mut e, c, "SET a 1");
    let offset = received(&mut e, replica).len();
    let error = |e: &mut Engine, line: &str| match one(e, c, line) {
        Reply::Error(text) => text,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(
        error(&mut e, "FAILOVER TO 127.0.0.1 6390"),
        "ERR FAILOVER target HOST and PORT is not a replica."
    );
    assert_eq!(
        error(&mut e, "FAILOVER TO 127.0.0.1 6380 FORCE"),
        "ERR FAILOVER with force option requires both a timeout and target HOST and IP."
    );
    assert_eq!(one(&mut e, c, "FAILOVER TO 127.0.0.1 6380"), Reply::ok());
    assert_eq!(failover_state(&mut e, c), "waiting-for-sync");
    assert_eq!(
        error(&mut e, "FAILOVER"),
        "ERR FAILOVER already in progress."
    );
    // Writes wait; reads do not.
    let writer = e.connect();
    assert_eq!(run(&mut e, writer, "SET b 2"), Outcome::Blocked);
    assert_eq!(one(&mut e, c, "GET a"), Reply::bulk("1"));
    // The cron's first run pings the replica, which moves the offset it must reach.
    e.tick();
    assert_eq!(failover_state(&mut e, c), "waiting-for-sync");
    let offset = offset + received(&mut e, replica).len();
    // The target acknowledges everything: the hand-over starts.
    run(&mut e, replica, &format!("REPLCONF ACK {offset}"));
    e.tick();
    assert_eq!(failover_state(&mut e, c), "failover-in-progress");
    assert_eq!(one(&mut e, c, "FAILOVER ABORT"), Reply::ok());
    assert_eq!(failover_state(&mut e, c), "no-failover");
    // Aborted once it followed the target, it is a primary again under a new ID and drops
    // its replicas, which resync (Redis's `replicationUnsetMaster`).
    assert!(e.client(replica).is_none_or(|r| r.closing));
    e.tick();
    assert_eq!(e.drain(writer), vec![Reply::ok()]);
    // Without FORCE, a target that does not catch up in time ends it.
    let (mut e, clock) = engine(&[("repl-diskless-sync", "no")]);
    attach(&mut e);
    let c = e.connect();
    one(&mut e, c, "SET c 3");
    assert_eq!(one(&mut e, c, "FAILOVER TIMEOUT 100"), Reply::ok());
    clock.advance_ms(200);
    e.tick();
    assert_eq!(failover_state(&mut e, c), "no-failover");
    assert_eq!(one(&mut e, c, "SET d 4"), Reply::ok());
}

#[test]
fn the_backlog_is_freed_after_repl_backlog_ttl_without_replicas() {
    let (mut e, clock) = engine(&[("repl-diskless-sync", "no"), ("repl-backlog-ttl", "10")]);
    let replica = attach(&mut e);
    let c = e.connect();
    one(&mut e, c, "SET a 1");
    let field = |e: &mut Engine, name: &str| {
        let info = text(&one(e, c, "INFO replication").to_resp(2));
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
            .unwrap()
    };
    let replid = field(&mut e, "master_replid");
    e.disconnect(replica);
    assert_eq!(field(&mut e, "connected_slaves"), "0");
    clock.advance_ms(10_000);
    e.tick();
    assert_eq!(field(&mut e, "repl_backlog_active"), "1");
    clock.advance_ms(1_500);
    e.tick();
    assert_eq!(field(&mut e, "repl_backlog_active"), "0");
    assert_eq!(field(&mut e, "repl_backlog_histlen"), "0");
    // A new history: the old one can no longer be resumed here.
    assert_ne!(field(&mut e, "master_replid"), replid);
    // Writes no longer move the offset.
    let offset = field(&mut e, "master_repl_offset");
    one(&mut e, c, "SET b 2");
    assert_eq!(field(&mut e, "master_repl_offset"), offset);
}

#[test]
fn a_key_expired_on_the_way_goes_out_with_the_command_that_found_it() {
    let (mut e, clock) = engine(&[("repl-diskless-sync", "no")]);
    let replica = attach(&mut e);
    let c = e.connect();
    for key in ["k", "j", "s1", "s2"] {
        one(&mut e, c, &format!("SET {key} 5 PX 1"));
    }
    received(&mut e, replica);
    clock.advance_ms(10);
    // A write that lazily expires its key: one transaction, as Redis 7.0 sends it.
    one(&mut e, c, "INCR k");
    assert_eq!(
        received(&mut e, replica),
        [resp("MULTI"), resp("DEL k"), resp("INCR k"), resp("EXEC")].concat()
    );
    // A read: the DEL alone.
    one(&mut e, c, "GET j");
    assert_eq!(received(&mut e, replica), resp("DEL j"));
    // SCAN and RANDOMKEY touch arbitrary keys: their DELs go unwrapped.
    one(&mut e, c, "SCAN 0");
    let stream = text(&received(&mut e, replica));
    assert!(!stream.contains("MULTI"), "{stream}");
    assert_eq!(stream.matches("DEL").count(), 2, "{stream}");
}
