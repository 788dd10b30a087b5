//! Persistence as a user sees it: DUMP payloads byte for byte as Redis 7.0 writes them,
//! RESTORE's options and errors, SAVE / LASTSAVE / INFO persistence, DEBUG RELOAD and the
//! encodings it leaves (both sides of every threshold), and loads that refuse damaged bytes
//! without loading half. The format's own pieces (CRC-64, LZF) are tested in `rdb.rs`; the
//! exchange of whole files with a real redis-server in crates/server/tests/persist_roundtrip.py.

mod common;

use common::{Harness, START_MS};
use keyspace::persist::{AofFiles, LoadMode, Location, MemoryStorage, Storage};
use keyspace::rdb::Chunk;
use keyspace::rdb::{self, RdbError};
use keyspace::{cli, Config, Engine, ManualClock, Reply};
use proptest::prelude::*;

fn harness() -> Harness {
    let clock = ManualClock::new(START_MS);
    let mut config = Config::default();
    config
        .set(b"enable-debug-command", b"yes", true)
        .expect("a valid value");
    let mut engine = Engine::new(config, Box::new(clock.clone()), 7);
    let client = engine.connect();
    Harness {
        engine,
        client,
        clock,
    }
}

fn bulk(reply: Reply) -> Vec<u8> {
    match reply {
        Reply::Bulk(b) | Reply::Verbatim { text: b, .. } => b,
        other => panic!("expected a bulk reply, got {other:?}"),
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn ok() -> Reply {
    Reply::ok()
}

fn err(text: &str) -> Reply {
    Reply::Error(text.into())
}

fn restore_hex(h: &mut Harness, key: &str, payload: &[u8]) -> Reply {
    let argv = vec![
        b"RESTORE".to_vec(),
        key.as_bytes().to_vec(),
        b"0".to_vec(),
        payload.to_vec(),
    ];
    h.engine.execute(h.client, &argv).into_replies().remove(0)
}

/// DUMP payloads captured from redis-server 7.0.15, key by key.
const REDIS_DUMPS: &[(&str, &str, &str)] = &[
    (
        "l",
        "RPUSH l a 1 -3 hello",
        "120102161600000004008161020101dffd028568656c6c6f06ff0a0028cfc418c402aaa9",
    ),
    (
        "h",
        "HSET h f v n 7",
        "1012120000000400816602817602816e020701ff0a00b82adea8407ffaa8",
    ),
    (
        "z",
        "ZADD z 1.5 a -2 b",
        "1115150000000400816202dffe0281610283312e3504ff0a006c359df633d08b5d",
    ),
    (
        "si",
        "SADD si 1 2 300",
        "0b0e0200000003000000010002002c010a00e510b28e7b9529aa",
    ),
    ("ss", "SADD ss x", "020101780a00ffe880ba760c2f09"),
    ("s", "SET s hello", "000568656c6c6f0a006372df766534200a"),
    ("i", "SET i 1234567", "00c287d612000a00e93e1e362b3b7c5e"),
];

#[test]
fn dump_writes_the_bytes_redis_writes() {
    let mut h = harness();
    for (key, write, payload) in REDIS_DUMPS {
        h.run(write);
        assert_eq!(bulk(h.run(&format!("DUMP {key}"))), hex(payload), "{key}");
    }
    assert_eq!(h.run("DUMP missing"), Reply::Null);
}

#[test]
fn restore_reads_what_redis_dumps() {
    let mut h = harness();
    for (key, _, payload) in REDIS_DUMPS {
        assert_eq!(restore_hex(&mut h, &format!("{key}2"), &hex(payload)), ok());
    }
    assert_eq!(
        h.run("LRANGE l2 0 -1"),
        Reply::bulk_array(["a", "1", "-3", "hello"])
    );
    assert_eq!(h.run("HGET h2 n"), Reply::Bulk(b"7".to_vec()));
    assert_eq!(
        h.run("ZRANGE z2 0 -1 WITHSCORES"),
        Reply::Array(vec![
            Reply::Bulk(b"b".to_vec()),
            Reply::Double(-2.0),
            Reply::Bulk(b"a".to_vec()),
            Reply::Double(1.5)
        ])
    );
    assert_eq!(
        h.run("OBJECT ENCODING si2"),
        Reply::Bulk(b"intset".to_vec())
    );
    assert_eq!(h.run("SISMEMBER si2 300"), Reply::Integer(1));
    assert_eq!(h.run("GET i2"), Reply::Bulk(b"1234567".to_vec()));
    // Redis's LZF output for "abc" x 30, which our compressor need not match byte for byte.
    let lzf = hex("00c30b405a0361626361e04b020162630a00238036f9e2d0c780");
    assert_eq!(restore_hex(&mut h, "lz", &lzf), ok());
    assert_eq!(h.run("GET lz"), Reply::Bulk(b"abc".repeat(30)));
}

#[test]
fn restore_options_and_errors_are_redis_s() {
    let mut h = harness();
    h.run("SET src hello");
    let payload = bulk(h.run("DUMP src"));
    let restore = |h: &mut Harness, rest: &[&[u8]]| {
        let mut argv = vec![b"RESTORE".to_vec()];
        argv.extend(rest.iter().map(|a| a.to_vec()));
        h.engine.execute(h.client, &argv).into_replies().remove(0)
    };
    assert_eq!(
        restore(&mut h, &[b"src", b"0", &payload]),
        err("BUSYKEY Target key name already exists.")
    );
    assert_eq!(
        restore(&mut h, &[b"k", b"-1", &payload]),
        err("ERR Invalid TTL value, must be >= 0")
    );
    assert_eq!(
        restore(&mut h, &[b"k", b"0", &payload, b"IDLETIME", b"-1"]),
        err("ERR Invalid IDLETIME value, must be >= 0")
    );
    assert_eq!(
        restore(&mut h, &[b"k", b"0", &payload, b"FREQ", b"256"]),
        err("ERR Invalid FREQ value, must be >= 0 and <= 255")
    );
    assert_eq!(
        restore(
            &mut h,
            &[b"k", b"0", &payload, b"IDLETIME", b"1", b"FREQ", b"1"]
        ),
        err("ERR syntax error")
    );
    assert_eq!(
        restore(&mut h, &[b"k", b"0", &payload[..payload.len() - 1]]),
        err("ERR DUMP payload version or checksum are wrong")
    );
    // A right footer over a value that cannot be read: the type byte says "stream".
    let mut body = vec![15u8, 0];
    body.extend_from_slice(&rdb::RDB_VERSION.to_le_bytes());
    let crc = rdb::crc64(0, &body);
    body.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(
        restore(&mut h, &[b"k", b"0", &body]),
        err("ERR Bad data format")
    );

    // REPLACE, a relative TTL, then one already past: the key is gone and the answer OK.
    assert_eq!(
        restore(&mut h, &[b"src", b"5000", &payload, b"REPLACE"]),
        ok()
    );
    assert_eq!(h.run("PTTL src"), Reply::Integer(5000));
    let past = (START_MS - 1).to_string();
    assert_eq!(
        restore(
            &mut h,
            &[b"src", past.as_bytes(), &payload, b"REPLACE", b"ABSTTL"]
        ),
        ok()
    );
    assert_eq!(h.run("EXISTS src"), Reply::Integer(0));
    // IDLETIME sets how long the key looks unused.
    assert_eq!(
        restore(&mut h, &[b"idle", b"0", &payload, b"IDLETIME", b"1000"]),
        ok()
    );
    assert_eq!(h.run("OBJECT IDLETIME idle"), Reply::Integer(1000));
}

#[test]
fn save_lastsave_and_info_persistence() {
    let mut h = harness();
    let start = (START_MS / 1000) as i64;
    assert_eq!(h.run("LASTSAVE"), Reply::Integer(start));
    h.run("SET a 1");
    h.run("SET b 2");
    let info = |h: &mut Harness| String::from_utf8(bulk(h.run("INFO persistence"))).unwrap();
    assert!(info(&mut h).contains("rdb_changes_since_last_save:2\r\n"));
    h.clock.advance_ms(5000);
    assert_eq!(h.run("SAVE"), ok());
    assert_eq!(h.run("LASTSAVE"), Reply::Integer(start + 5));
    let text = info(&mut h);
    for line in [
        "rdb_changes_since_last_save:0",
        "rdb_saves:1",
        "rdb_last_bgsave_time_sec:-1",
    ] {
        assert!(text.contains(&format!("{line}\r\n")), "{line} in {text}");
    }
    assert_eq!(
        h.run("BGSAVE"),
        Reply::Simple("Background saving started".into())
    );
    assert_eq!(
        h.run("BGSAVE SCHEDULE"),
        Reply::Simple("Background saving started".into())
    );
    assert_eq!(h.run("BGSAVE NOW"), err("ERR syntax error"));
    // Inside EXEC Redis cannot fork: BGSAVE and BGREWRITEAOF are scheduled; SAVE is refused
    // at once and dooms the transaction.
    h.run("MULTI");
    h.run("BGSAVE");
    h.run("BGREWRITEAOF");
    assert_eq!(
        h.run("EXEC"),
        Reply::Array(vec![
            Reply::Simple("Background saving scheduled".into()),
            Reply::Simple("Background append only file rewriting scheduled".into()),
        ])
    );
    h.run("MULTI");
    assert_eq!(
        h.run("SAVE"),
        err("ERR Command not allowed inside a transaction")
    );
    assert_eq!(
        h.run("EXEC"),
        err("EXECABORT Transaction discarded because of previous errors.")
    );
    assert!(info(&mut h).contains("rdb_saves:4\r\nrdb_last_cow_size"));
}

#[test]
fn debug_reload_keeps_keys_and_expiries_and_reencodes() {
    let mut h = harness();
    h.run("SET s hello");
    h.run("SET n 123");
    h.run("RPUSH l a b c");
    h.run("PEXPIRE l 100000");
    h.run("SELECT 5");
    h.run("SADD other x");
    h.run("SELECT 0");
    // Shrunk below the thresholds: Redis's loader makes them compact again.
    h.run(&format!("HSET hash a {} b 1", "x".repeat(65)));
    h.run("HDEL hash a");
    let members: Vec<String> = (0..129).map(|i| format!("{i} m{i}")).collect();
    h.run(&format!("ZADD zset {}", members.join(" ")));
    h.run("ZREMRANGEBYRANK zset 0 9");
    assert_eq!(
        h.run("OBJECT ENCODING hash"),
        Reply::Bulk(b"hashtable".to_vec())
    );
    assert_eq!(
        h.run("OBJECT ENCODING zset"),
        Reply::Bulk(b"skiplist".to_vec())
    );
    assert_eq!(h.run("DEBUG RELOAD"), ok());
    assert_eq!(
        h.run("OBJECT ENCODING hash"),
        Reply::Bulk(b"listpack".to_vec())
    );
    assert_eq!(
        h.run("OBJECT ENCODING zset"),
        Reply::Bulk(b"listpack".to_vec())
    );
    assert_eq!(h.run("OBJECT ENCODING n"), Reply::Bulk(b"int".to_vec()));
    assert_eq!(h.run("GET s"), Reply::Bulk(b"hello".to_vec()));
    assert_eq!(h.run("PTTL l"), Reply::Integer(100000));
    assert_eq!(h.run("ZCARD zset"), Reply::Integer(119));
    h.run("SELECT 5");
    assert_eq!(h.run("SCARD other"), Reply::Integer(1));
    assert_eq!(
        h.run("DEBUG RELOAD FAST"),
        err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    );
    // NOFLUSH without MERGE: the saved keys are all there already, so nothing is loaded.
    assert_eq!(
        h.run("DEBUG RELOAD NOFLUSH"),
        err("ERR Error trying to load the RDB dump")
    );
    assert_eq!(h.run("DEBUG RELOAD NOFLUSH MERGE"), ok());
    h.run("SET extra 1");
    // NOSAVE: what the last save held, without the key written since.
    assert_eq!(h.run("DEBUG RELOAD NOSAVE"), ok());
    assert_eq!(h.run("EXISTS extra"), Reply::Integer(0));
}

/// Encodings after a reload, each threshold on both sides: the same rule as writes.
#[test]
fn encodings_after_reload_follow_the_thresholds() {
    let mut h = harness();
    let fields = |n: usize| {
        (0..n)
            .map(|i| format!("f{i} v"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ints = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
    let scored = |n: usize| {
        (0..n)
            .map(|i| format!("{i} m{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    h.run(&format!("HSET h512 {}", fields(512)));
    h.run(&format!("HSET h513 {}", fields(513)));
    h.run(&format!("HSET h64 f {}", "v".repeat(64)));
    h.run(&format!("HSET h65 f {}", "v".repeat(65)));
    h.run(&format!("SADD s512 {}", ints(512)));
    h.run(&format!("SADD s513 {}", ints(513)));
    h.run(&format!("ZADD z128 {}", scored(128)));
    h.run(&format!("ZADD z129 {}", scored(129)));
    h.run(&format!("ZADD z64 1 {}", "m".repeat(64)));
    h.run(&format!("ZADD z65 1 {}", "m".repeat(65)));
    let expected = [
        ("h512", "listpack"),
        ("h513", "hashtable"),
        ("h64", "listpack"),
        ("h65", "hashtable"),
        ("s512", "intset"),
        ("s513", "hashtable"),
        ("z128", "listpack"),
        ("z129", "skiplist"),
        ("z64", "listpack"),
        ("z65", "skiplist"),
    ];
    for round in ["written", "reloaded"] {
        for (key, encoding) in expected {
            assert_eq!(
                h.run(&format!("OBJECT ENCODING {key}")),
                Reply::Bulk(encoding.as_bytes().to_vec()),
                "{key} {round}"
            );
        }
        h.run("DEBUG RELOAD");
    }
    // Thresholds lowered: the loader converts what no longer fits.
    h.run("CONFIG SET hash-max-listpack-entries 2");
    h.run("CONFIG SET set-max-intset-entries 2");
    h.run("DEBUG RELOAD");
    assert_eq!(
        h.run("OBJECT ENCODING h512"),
        Reply::Bulk(b"hashtable".to_vec())
    );
    assert_eq!(
        h.run("OBJECT ENCODING s512"),
        Reply::Bulk(b"hashtable".to_vec())
    );
}

#[test]
fn a_damaged_file_is_refused_and_nothing_is_loaded() {
    let mut h = harness();
    h.run("SET keep me");
    let mut other = harness();
    other.run("RPUSH list a b c");
    other.run(&format!("SET big {}", "z".repeat(1000)));
    let good = other.engine.rdb_snapshot();

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    let mut wrong_crc = good.clone();
    let last = wrong_crc.len() - 1;
    wrong_crc[last] ^= 1;
    for (what, bytes) in [
        ("truncated", &good[..good.len() - 9]),
        ("flipped", &flipped[..]),
        ("wrong checksum", &wrong_crc[..]),
        ("not an rdb", &b"hello world"[..]),
    ] {
        assert!(
            h.engine.load_rdb(bytes, LoadMode::Replace).is_err(),
            "{what} loaded"
        );
        assert_eq!(h.run("DBSIZE"), Reply::Integer(1), "{what}");
        assert_eq!(h.run("GET keep"), Reply::Bulk(b"me".to_vec()), "{what}");
    }
    assert!(matches!(
        h.engine.load_rdb(&wrong_crc, LoadMode::Replace),
        Err(RdbError::WrongChecksum { .. })
    ));
    // rdbchecksum no writes 0, which the loader does not check, as Redis does not.
    let mut unchecked = good.clone();
    unchecked[last - 7..].fill(0);
    assert_eq!(h.engine.load_rdb(&unchecked, LoadMode::Replace), Ok(()));
    assert_eq!(
        h.run("LRANGE list 0 -1"),
        Reply::bulk_array(["a", "b", "c"])
    );
}

#[test]
fn keys_expired_in_the_file_are_not_loaded() {
    let mut h = harness();
    h.run("SET gone v PX 1000");
    h.run("SET stays v PX 100000");
    h.run("SAVE");
    h.clock.advance_ms(2000);
    assert_eq!(h.run("DEBUG RELOAD NOSAVE"), ok());
    assert_eq!(h.run("DBSIZE"), Reply::Integer(1));
    let info = String::from_utf8(bulk(h.run("INFO persistence"))).unwrap();
    assert!(info.contains("rdb_last_load_keys_expired:1\r\nrdb_last_load_keys_loaded:1\r\n"));
}

#[test]
fn shutdown_saves_then_asks_to_stop() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("SET a 1");
    assert_eq!(h.run("SHUTDOWN NOSAVE SAVE"), err("ERR syntax error"));
    assert_eq!(h.run("SHUTDOWN ABORT"), err("ERR No shutdown in progress."));
    assert!(!h.engine.shutdown_requested());
    let argv = vec![b"SHUTDOWN".to_vec()];
    assert!(h.engine.execute(h.client, &argv).into_replies().is_empty());
    assert!(h.engine.shutdown_requested());
    // Nothing runs after it: the process is gone.
    assert!(h.engine.execute(h.client, &argv).into_replies().is_empty());
    // It saved (as Redis's shutdown does, with the save points of the default config): the
    // next server finds the key.
    let mut later = harness();
    later.engine.set_storage(Box::new(storage));
    assert_eq!(later.engine.load_from_storage(), Ok(true));
    assert_eq!(later.run("GET a"), Reply::bulk("1"));
    assert_eq!(
        h.engine.take_persistence_log(),
        [
            "User requested shutdown...",
            "Saving the final RDB snapshot before exiting.",
            "DB saved on disk",
            "Redis is now ready to exit, bye bye..."
        ]
    );
}

fn any_engine_snapshot() -> Vec<u8> {
    let mut h = harness();
    for line in [
        "SET s hello",
        "SET n 42",
        "RPUSH l a b 1 2",
        "HSET h f v",
        "SADD si 1 2",
        "SADD ss a b",
        "ZADD z 1 a 2.5 b",
    ] {
        h.run(line);
    }
    h.run(&format!("SET long {}", "abcd".repeat(40)));
    h.engine.rdb_snapshot()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the bytes, loading and restoring answer; they never panic.
    #[test]
    fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = rdb::load(&bytes, rdb::Limits::default(), 16);
        let _ = rdb::restore(&bytes, rdb::Limits::default());
        let mut file = b"REDIS0010".to_vec();
        file.extend_from_slice(&bytes);
        let _ = rdb::load(&file, rdb::Limits::default(), 16);
    }

    /// A valid file with any byte changed either loads or is refused, never panics; with the
    /// checksum on, a change is always refused.
    #[test]
    fn altered_files_are_refused(at in 0usize..10_000, xor in 1u8..=255) {
        let good = any_engine_snapshot();
        let mut bad = good.clone();
        let at = at % bad.len();
        bad[at] ^= xor;
        prop_assert!(rdb::load(&bad, rdb::Limits::default(), 16).is_err());
        prop_assert!(rdb::load(&good[..at], rdb::Limits::default(), 16).is_err());
    }
}

#[test]
fn a_key_twice_in_one_database_is_refused() {
    let mut h = harness();
    h.run("SET a 1");
    let once = h.engine.rdb_snapshot();
    // The same key record twice, as a file Redis would stop on ("Duplicated key").
    let mut w = rdb::Writer::new(rdb::SaveOptions::default());
    w.header();
    w.select_db(0, 2, 0);
    let value = keyspace::db::Value::string(b"1".to_vec());
    w.key(b"a", &value, None, None);
    w.key(b"a", &value, None, None);
    let twice = w.finish(true);
    assert!(rdb::load(&once, rdb::Limits::default(), 16).is_ok());
    let duplicate = RdbError::Corrupt("a key twice in one database");
    assert_eq!(
        rdb::load(&twice, rdb::Limits::default(), 16),
        Err(duplicate.clone())
    );
    // Loaded in place of the keyspace, in any mode: refused, and nothing changed, not even
    // for a client that WATCHes a key.
    h.run("SET kept yes");
    let watcher = h.engine.connect();
    let watch = |line: &str| cli::split_args(line.as_bytes()).unwrap();
    h.engine.execute(watcher, &watch("WATCH kept"));
    for mode in [LoadMode::Replace, LoadMode::Merge, LoadMode::Add] {
        assert_eq!(h.engine.load_rdb(&twice, mode), Err(duplicate.clone()));
        assert_eq!(h.run("GET kept"), Reply::Bulk(b"yes".to_vec()));
    }
    h.engine.execute(watcher, &watch("MULTI"));
    h.engine.execute(watcher, &watch("GET kept"));
    assert_eq!(
        h.engine.execute(watcher, &watch("EXEC")).into_replies(),
        [Reply::Array(vec![Reply::Bulk(b"yes".to_vec())])]
    );
}

/// A storage two engines share, as a restarted server finds its files; `fail` makes its
/// writes (snapshots, or the log's appends and rewrites) fail as a full or vanished disk
/// would.
#[derive(Clone, Default)]
struct SharedStorage(std::sync::Arc<std::sync::Mutex<(MemoryStorage, Failing)>>);

#[derive(Clone, Copy, Default)]
struct Failing {
    rdb: bool,
    aof: bool,
}

impl SharedStorage {
    fn fail(&self, rdb: bool, aof: bool) {
        self.0.lock().unwrap().1 = Failing { rdb, aof };
    }

    fn log(&self) -> Vec<u8> {
        let mut inner = self.0.lock().unwrap();
        let files = inner.0.read_aof(&Location::default()).unwrap();
        files.map(|(_, log)| log).unwrap_or_default()
    }
}

impl Storage for SharedStorage {
    fn write_rdb(&mut self, at: &Location, rdb: &[Chunk]) -> Result<(), String> {
        let mut inner = self.0.lock().unwrap();
        if inner.1.rdb {
            return Err("No such file or directory".into());
        }
        inner.0.write_rdb(at, rdb)
    }
    fn read_rdb(&mut self, at: &Location) -> Result<Option<Vec<u8>>, String> {
        self.0.lock().unwrap().0.read_rdb(at)
    }
    fn append_aof(&mut self, at: &Location, commands: &[Chunk], fsync: &str) -> Result<(), String> {
        let mut inner = self.0.lock().unwrap();
        if inner.1.aof {
            return Err("No space left on device".into());
        }
        inner.0.append_aof(at, commands, fsync)
    }
    fn rewrite_aof(&mut self, at: &Location, base: &[Chunk]) -> Result<(), String> {
        let mut inner = self.0.lock().unwrap();
        if inner.1.aof {
            return Err("No space left on device".into());
        }
        inner.0.rewrite_aof(at, base)
    }
    fn read_aof(&mut self, at: &Location) -> Result<Option<AofFiles>, String> {
        self.0.lock().unwrap().0.read_aof(at)
    }
    fn truncate_aof(&mut self, at: &Location, len: usize) -> Result<(), String> {
        self.0.lock().unwrap().0.truncate_aof(at, len)
    }
}

/// Every key of a keyspace with its value and expiry, in order.
fn contents(engine: &Engine) -> Vec<(usize, rdb::LoadedKey)> {
    let snapshot = rdb::load(&engine.rdb_snapshot(), rdb::Limits::default(), 16).unwrap();
    let mut keys: Vec<_> = snapshot
        .dbs
        .into_iter()
        .enumerate()
        .flat_map(|(db, keys)| keys.into_iter().map(move |k| (db, k)))
        .collect();
    keys.sort_by(|a, b| (a.0, &a.1.key).cmp(&(b.0, &b.1.key)));
    keys
}

#[test]
fn the_append_only_log_replays_to_the_same_keyspace_later() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("SET before-the-log 1");
    assert_eq!(h.run("CONFIG SET appendonly yes"), ok());
    for line in [
        "SET a 1 EX 100",
        "SETEX b 200 v",
        "RPUSH l x y z",
        "EXPIRE l 300",
        "SADD s 1 2 3 4 5 6",
        "SPOP s 2",
        "SPOP s",
        "INCRBYFLOAT f 1.5",
        "GETDEL before-the-log",
        "SET gone soon PX 10",
        "SET never-here v EXAT 1",
        "SELECT 3",
        "HSET h f v",
        "MULTI",
        "LPUSH t a",
        "LPOP t",
        "EXEC",
        "SELECT 0",
    ] {
        h.run(line);
    }
    // Lazy expiry is logged as a DEL.
    h.clock.advance_ms(20);
    assert_eq!(h.run("GET gone"), Reply::Null);
    assert_eq!(h.run("EXISTS never-here"), Reply::Integer(0));
    h.engine.flush_aof();
    // Only write commands, in the form they ran: no MULTI, EXEC or GET, the SET's relative
    // time made absolute, SPOP as SREM.
    let commands = keyspace::aof::parse_log(&storage.log()).unwrap().commands;
    let names: Vec<String> = commands
        .iter()
        .map(|argv| String::from_utf8_lossy(&argv[0]).to_ascii_uppercase())
        .collect();
    for absent in ["GET", "SPOP", "SETEX", "EXPIRE"] {
        assert!(!names.iter().any(|n| n == absent), "{absent} in {names:?}");
    }
    // The transaction's two writes are logged between MULTI and EXEC, as Redis propagates them.
    let multi = names.iter().position(|n| n == "MULTI").expect("a MULTI");
    assert_eq!(names[multi..multi + 4], ["MULTI", "LPUSH", "LPOP", "EXEC"]);
    let expiry = (START_MS + 100_000).to_string();
    assert_eq!(
        commands[1],
        [&b"SET"[..], b"a", b"1", b"PXAT", expiry.as_bytes()]
    );
    let expected = contents(&h.engine);
    let info = String::from_utf8(bulk(h.run("INFO persistence"))).unwrap();
    assert!(info.contains("aof_enabled:1\r\n") && info.contains("aof_rewrites:1\r\n"));

    // Replayed a minute later, relative times still end where they ended.
    h.clock.advance_ms(60_000);
    let mut later = harness();
    later.clock.set_ms(START_MS + 60_020);
    later.engine.set_storage(Box::new(storage.clone()));
    assert_eq!(later.engine.load_aof_from_storage(), Ok(true));
    assert_eq!(contents(&later.engine), expected);

    // After a rewrite the log starts from the keyspace as it is.
    assert_eq!(
        h.run("BGREWRITEAOF"),
        Reply::Simple("Background append only file rewriting started".into())
    );
    let mut again = harness();
    again.engine.set_storage(Box::new(storage));
    assert_eq!(again.engine.load_aof_from_storage(), Ok(true));
    assert_eq!(contents(&again.engine), contents(&h.engine));
}

#[test]
fn a_damaged_log_is_refused_and_nothing_is_loaded() {
    let mut h = harness();
    h.run("SET keep me");
    let log = b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";
    for (bytes, reason) in [
        (
            &b"SET a 1\r\n"[..],
            "Bad file format reading the append only file appendonly.aof",
        ),
        (&b"*1\r\n$4\r\nNOPE\r\n"[..], "Unknown command 'NOPE'"),
    ] {
        let error = h.engine.load_aof(None, bytes).unwrap_err();
        assert!(error.contains(reason), "{error}");
        assert_eq!(h.run("GET keep"), Reply::Bulk(b"me".to_vec()));
    }
    assert_eq!(h.engine.load_aof(None, log), Ok(()));
    assert_eq!(h.run("GET a"), Reply::Bulk(b"1".to_vec()));
    assert_eq!(h.run("EXISTS keep"), Reply::Integer(0));
}

/// A log whose last command was cut short, or that ends inside a transaction, is loaded up
/// to its last whole command (before the MULTI) and cut back there under
/// `aof-load-truncated yes`, so that appends follow whole commands; with `no` it is refused
/// and the keyspace stays as it was.
#[test]
fn a_truncated_log_is_cut_back_or_refused_as_aof_load_truncated_says() {
    let set_a = b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n".to_vec();
    let set_b = b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n".to_vec();
    let multi = b"*1\r\n$5\r\nMULTI\r\n".to_vec();
    let short = [set_a.clone(), set_b[..set_b.len() - 3].to_vec()].concat();
    let unclosed = [set_a.clone(), multi, set_b.clone()].concat();
    for damaged in [short, unclosed] {
        let storage = SharedStorage::default();
        let mut writer = harness();
        writer.engine.set_storage(Box::new(storage.clone()));
        writer.run("CONFIG SET appendonly yes");
        storage
            .clone()
            .append_aof(
                &Location::default(),
                &[Chunk::from(damaged.as_slice())],
                "always",
            )
            .unwrap();

        let mut strict = harness();
        strict.run("CONFIG SET aof-load-truncated no");
        strict.run("SET keep me");
        strict.engine.set_storage(Box::new(storage.clone()));
        let error = strict.engine.load_aof_from_storage().unwrap_err();
        assert!(
            error.starts_with("Unexpected end of file reading the append only file"),
            "{error}"
        );
        assert_eq!(strict.run("GET keep"), Reply::Bulk(b"me".to_vec()));
        assert_eq!(storage.log(), damaged);

        let mut lenient = harness();
        lenient.engine.set_storage(Box::new(storage.clone()));
        assert_eq!(lenient.engine.load_aof_from_storage(), Ok(true));
        assert_eq!(lenient.run("GET a"), Reply::Bulk(b"1".to_vec()));
        assert_eq!(lenient.run("EXISTS b"), Reply::Integer(0));
        assert_eq!(storage.log(), set_a);
        let log = lenient.engine.take_persistence_log().join("\n");
        assert!(
            log.contains(&format!(
                "!!! Truncating the AOF appendonly.aof at offset {} !!!",
                set_a.len()
            )),
            "{log}"
        );
        assert!(log.contains("loaded anyway because aof-load-truncated is enabled"));

        // A damaged base refuses the log whole, and the log is not cut.
        let base = writer.engine.rdb_snapshot();
        storage
            .clone()
            .rewrite_aof(
                &Location::default(),
                &[Chunk::from(&base[..base.len() - 1])],
            )
            .unwrap();
        storage
            .clone()
            .append_aof(
                &Location::default(),
                &[Chunk::from(damaged.as_slice())],
                "always",
            )
            .unwrap();
        let mut refused = harness();
        refused.run("SET keep me");
        refused.engine.set_storage(Box::new(storage.clone()));
        let error = refused.engine.load_aof_from_storage().unwrap_err();
        assert!(error.ends_with("(the AOF's base)"), "{error}");
        assert_eq!(refused.run("GET keep"), Reply::Bulk(b"me".to_vec()));
        assert_eq!(storage.log(), damaged);
    }
}

/// Redis 7.0 propagates what a transaction wrote as one unit: a single write alone (it is
/// atomic by itself), several between MULTI and EXEC (the MULTI after the SELECT of the
/// first one's database), nothing for a transaction that wrote nothing; a command that
/// failed wrote nothing and is not logged. The log replays to the same keyspace.
#[test]
fn transactions_are_logged_as_redis_propagates_them() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET appendonly yes");
    let lines = [
        "SET pre 0",
        "MULTI",
        "SET a 1",
        "EXEC",
        "MULTI",
        "GET a",
        "EXEC",
        "MULTI",
        "SET c x",
        "INCR c",
        "EXEC",
        "MULTI",
        "SET d x",
        "INCR d",
        "SET e 1",
        "EXEC",
        "MULTI",
        "SELECT 2",
        "SET f 1",
        "SET g 1",
        "SELECT 0",
        "EXEC",
        "SET h 1",
    ];
    for line in lines {
        h.run(line);
    }
    h.engine.flush_aof();
    let logged: Vec<String> = keyspace::aof::parse_log(&storage.log())
        .unwrap()
        .commands
        .iter()
        .map(|argv| {
            let words: Vec<String> = argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            words.join(" ")
        })
        .collect();
    // What real redis-server 7.0.15 wrote to its incr file for the same commands.
    assert_eq!(
        logged,
        [
            "SELECT 0",
            "SET pre 0",
            "SET a 1",
            "SET c x",
            "MULTI",
            "SET d x",
            "SET e 1",
            "EXEC",
            "SELECT 2",
            "MULTI",
            "SET f 1",
            "SET g 1",
            "EXEC",
            "SELECT 0",
            "SET h 1",
        ]
    );
    let mut again = harness();
    again.engine.set_storage(Box::new(storage));
    assert_eq!(again.engine.load_aof_from_storage(), Ok(true));
    assert_eq!(contents(&again.engine), contents(&h.engine));
}

/// Under an LRU policy a snapshot keeps how long each key was idle, under LFU its counter
/// (the IDLE and FREQ opcodes), and a reload gives them back; without one it keeps neither.
#[test]
fn idle_times_and_frequencies_survive_a_reload_under_their_policies() {
    let mut h = harness();
    h.run("CONFIG SET maxmemory-policy allkeys-lru");
    h.run("SET k hello");
    h.clock.advance_ms(7000);
    assert_eq!(h.run("DEBUG RELOAD"), ok());
    assert_eq!(h.run("OBJECT IDLETIME k"), Reply::Integer(7));

    h.run("CONFIG SET maxmemory-policy noeviction");
    h.clock.advance_ms(3000);
    assert_eq!(h.run("DEBUG RELOAD"), ok());
    assert_eq!(h.run("OBJECT IDLETIME k"), Reply::Integer(0));

    h.run("CONFIG SET maxmemory-policy allkeys-lfu");
    h.run("SET f hello");
    let payload = bulk(h.run("DUMP f"));
    let argv = vec![
        b"RESTORE".to_vec(),
        b"g".to_vec(),
        b"0".to_vec(),
        payload,
        b"FREQ".to_vec(),
        b"100".to_vec(),
    ];
    assert_eq!(h.engine.execute(h.client, &argv).into_replies(), [ok()]);
    assert_eq!(h.run("DEBUG RELOAD"), ok());
    assert_eq!(h.run("OBJECT FREQ g"), Reply::Integer(100));
}

fn info_persistence(h: &mut Harness) -> String {
    String::from_utf8(bulk(h.run("INFO persistence"))).unwrap()
}

fn assert_info(h: &mut Harness, lines: &[&str]) {
    let text = info_persistence(h);
    for line in lines {
        assert!(
            text.contains(&format!("\r\n{line}\r\n")),
            "{line} in {text}"
        );
    }
}

const MISCONF_RDB: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently \
    unable to persist to disk. Commands that may modify the data set are disabled, because this \
    instance is configured to report errors during writes if RDB snapshotting fails \
    (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB \
    error.";

/// A save point is met when enough changes were made and strictly more than its seconds
/// passed since the last save; `tick` then saves as a finished BGSAVE would leave INFO.
#[test]
fn save_points_save_on_the_timer() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    assert_eq!(h.run("CONFIG SET save \"10 2 100 1\""), ok());
    h.run("SET a 1");
    h.clock.advance_ms(10_000);
    h.engine.tick();
    h.run("SET b 2");
    // Two changes, but exactly 10 seconds: not yet.
    h.engine.tick();
    assert_info(&mut h, &["rdb_changes_since_last_save:2", "rdb_saves:0"]);
    h.clock.advance_ms(1000);
    h.engine.tick();
    let start = (START_MS / 1000) as i64;
    assert_info(
        &mut h,
        &[
            "rdb_changes_since_last_save:0",
            &format!("rdb_last_save_time:{}", start + 11),
            "rdb_last_bgsave_status:ok",
            "rdb_last_bgsave_time_sec:0",
            "rdb_saves:1",
        ],
    );
    assert_eq!(h.run("LASTSAVE"), Reply::Integer(start + 11));
    assert!(h
        .engine
        .take_persistence_log()
        .contains(&"2 changes in 10 seconds. Saving...".to_string()));
    // The snapshot holds both keys.
    let mut later = harness();
    later.engine.set_storage(Box::new(storage));
    assert_eq!(later.engine.load_from_storage(), Ok(true));
    assert_eq!(later.run("DBSIZE"), Reply::Integer(2));
    // The second point: one change and more than 100 seconds.
    h.run("SET c 3");
    h.clock.advance_ms(100_000);
    h.engine.tick();
    assert_info(&mut h, &["rdb_saves:1"]);
    h.clock.advance_ms(1000);
    h.engine.tick();
    assert_info(&mut h, &["rdb_saves:2", "rdb_changes_since_last_save:0"]);
    // No save points, no saves.
    h.run("CONFIG SET save \"\"");
    h.run("SET d 4");
    h.clock.advance_ms(1_000_000);
    h.engine.tick();
    assert_info(&mut h, &["rdb_saves:2"]);
}

/// After a background save failed, writes and PING are refused with Redis's MISCONF (reads
/// go on; a refused write dooms its transaction) while save points are set and
/// `stop-writes-on-bgsave-error` is on. The save points try again only 5 seconds after the
/// failed try; a success lifts the refusal. A failed SAVE answers a bare ERR and changes
/// nothing of that.
#[test]
fn a_failed_background_save_refuses_writes_with_misconf() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET save \"1 1\"");
    h.run("SET a 1");
    storage.fail(true, false);
    assert_eq!(h.run("SAVE"), err("ERR"));
    assert_eq!(h.run("SET b 2"), ok());
    h.clock.advance_ms(2000);
    h.engine.tick();
    assert_info(
        &mut h,
        &[
            "rdb_last_bgsave_status:err",
            "rdb_saves:2",
            "rdb_changes_since_last_save:2",
        ],
    );
    assert_eq!(h.run("SET c 3"), err(MISCONF_RDB));
    assert_eq!(h.run("DEL nothing"), err(MISCONF_RDB));
    assert_eq!(h.run("PING"), err(MISCONF_RDB));
    assert_eq!(h.run("GET a"), Reply::Bulk(b"1".to_vec()));
    h.run("MULTI");
    assert_eq!(h.run("SET x 1"), err(MISCONF_RDB));
    assert_eq!(
        h.run("EXEC"),
        err("EXECABORT Transaction discarded because of previous errors.")
    );
    h.run("MULTI");
    assert_eq!(h.run("GET a"), Reply::Simple("QUEUED".into()));
    assert_eq!(
        h.run("EXEC"),
        Reply::Array(vec![Reply::Bulk(b"1".to_vec())])
    );
    assert_eq!(h.run("CONFIG SET stop-writes-on-bgsave-error no"), ok());
    assert_eq!(h.run("SET c 3"), ok());
    h.run("CONFIG SET stop-writes-on-bgsave-error yes");
    assert_eq!(h.run("SET d 4"), err(MISCONF_RDB));

    // The disk is back; the next try waits until more than 5 seconds after the last one.
    storage.fail(false, false);
    h.clock.advance_ms(5000);
    h.engine.tick();
    assert_info(&mut h, &["rdb_last_bgsave_status:err", "rdb_saves:2"]);
    h.clock.advance_ms(1000);
    h.engine.tick();
    assert_info(&mut h, &["rdb_last_bgsave_status:ok", "rdb_saves:3"]);
    assert_eq!(h.run("SET d 4"), ok());
    assert_eq!(h.run("PING"), Reply::Simple("PONG".into()));
}

/// A write to the log that fails refuses writes with MISCONF and the system's reason; the
/// commands are kept and written once the storage takes them again, which lifts it.
#[test]
fn a_failed_log_write_refuses_writes_until_a_write_works() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET appendonly yes");
    storage.fail(false, true);
    h.run("SET a 1");
    h.engine.flush_aof();
    assert_info(&mut h, &["aof_last_write_status:err"]);
    let misconf = err("MISCONF Errors writing to the AOF file: No space left on device");
    assert_eq!(h.run("SET b 2"), misconf);
    assert_eq!(h.run("PING"), misconf);
    assert_eq!(h.run("GET a"), Reply::Bulk(b"1".to_vec()));
    storage.fail(false, false);
    h.engine.tick();
    assert_info(&mut h, &["aof_last_write_status:ok"]);
    assert_eq!(h.run("SET b 2"), ok());
    h.engine.flush_aof();
    let commands = keyspace::aof::parse_log(&storage.log()).unwrap().commands;
    assert_eq!(commands.len(), 3, "SELECT, SET a, SET b: {commands:?}");
}

/// The log is rewritten from `tick` once it is bigger than `auto-aof-rewrite-min-size` and
/// has grown `auto-aof-rewrite-percentage` percent past its base; INFO shows both sizes
/// while the log is on.
#[test]
fn the_log_is_rewritten_when_it_has_grown_enough() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET appendonly yes");
    h.run("CONFIG SET auto-aof-rewrite-min-size 1000");
    let text = info_persistence(&mut h);
    let size = |text: &str, field: &str| -> u64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_else(|| panic!("{field} in {text}"));
        line[field.len() + 1..].parse().unwrap()
    };
    let base = size(&text, "aof_base_size");
    assert_eq!(size(&text, "aof_current_size"), base);
    // Grow the log to just over twice the base and over the minimum size.
    let mut n = 0;
    while size(&info_persistence(&mut h), "aof_current_size") <= (2 * base).max(1000) {
        h.run(&format!("SET key:{n} value"));
        h.engine.flush_aof();
        n += 1;
    }
    assert_info(&mut h, &["aof_rewrites:1"]);
    h.engine.tick();
    let text = info_persistence(&mut h);
    assert!(text.contains("\r\naof_rewrites:2\r\n"), "{text}");
    assert_eq!(
        size(&text, "aof_current_size"),
        size(&text, "aof_base_size")
    );
    assert!(size(&text, "aof_base_size") > base);
    assert!(storage.log().is_empty());
    h.run("CONFIG SET appendonly no");
    assert!(!info_persistence(&mut h).contains("aof_current_size"));
}

/// FLUSHALL saves the emptied keyspace when save points are set (the snapshot would bring
/// the keys back otherwise), uncounted in rdb_saves as in Redis; FLUSHDB and FLUSHALL are
/// logged even when they removed nothing, as Redis forces their propagation.
#[test]
fn flushall_saves_and_flushes_are_always_logged() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("SET a 1");
    h.run("FLUSHALL");
    assert_info(&mut h, &["rdb_changes_since_last_save:0", "rdb_saves:0"]);
    let mut later = harness();
    later.engine.set_storage(Box::new(storage.clone()));
    assert_eq!(later.engine.load_from_storage(), Ok(true));
    assert_eq!(later.run("DBSIZE"), Reply::Integer(0));
    h.run("SET b 1");
    h.run("CONFIG SET save \"\"");
    h.run("FLUSHALL");
    assert_info(&mut h, &["rdb_changes_since_last_save:2"]);

    h.run("CONFIG SET appendonly yes");
    h.run("FLUSHDB");
    h.run("FLUSHALL");
    h.engine.flush_aof();
    let commands = keyspace::aof::parse_log(&storage.log()).unwrap().commands;
    assert_eq!(
        commands,
        [
            vec![b"SELECT".to_vec(), b"0".to_vec()],
            vec![b"FLUSHDB".to_vec()],
            vec![b"FLUSHALL".to_vec()]
        ]
    );
}

/// A failed rewrite leaves the old log going on, with nothing lost. After three failed in a
/// row, the timer waits a minute before the next try, then twice as long after each failure
/// (Redis's `aofRewriteLimited`); INFO counts the failures, and a rewrite that works ends the
/// back-off.
#[test]
fn failing_automatic_rewrites_back_off() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET appendonly yes");
    h.run("CONFIG SET auto-aof-rewrite-min-size 0");
    h.run("CONFIG SET auto-aof-rewrite-percentage 1");
    storage.fail(false, true);
    h.run("SET a 1");
    // The append fails too: the log's size does not grow. BGREWRITEAOF fails as well.
    assert_eq!(
        h.run("BGREWRITEAOF"),
        Reply::Simple("Background append only file rewriting started".into())
    );
    assert_info(&mut h, &["aof_rewrites_consecutive_failures:1"]);
    // The old log goes on, and still gets the command the failed rewrite did not take.
    storage.fail(false, false);
    h.engine.flush_aof();
    let commands = keyspace::aof::parse_log(&storage.log()).unwrap().commands;
    assert_eq!(commands.last().unwrap(), &[&b"SET"[..], b"a", b"1"]);
    storage.fail(false, true);
    let failures = |h: &mut Harness| -> u64 {
        let text = info_persistence(h);
        let line = text
            .lines()
            .find(|l| l.starts_with("aof_rewrites_consecutive_failures:"))
            .unwrap();
        line.split(':').nth(1).unwrap().parse().unwrap()
    };
    h.engine.tick();
    h.engine.tick();
    assert_eq!(failures(&mut h), 3);
    // The next tick holds it back for a minute from then.
    h.engine.tick();
    assert!(h
        .engine
        .take_persistence_log()
        .iter()
        .any(|l| l.ends_with("will retry in 1 minutes")));
    for _ in 0..5 {
        h.clock.advance_ms(10_000);
        h.engine.tick();
    }
    assert_eq!(failures(&mut h), 3);
    h.clock.advance_ms(10_000);
    h.engine.tick();
    assert_eq!(failures(&mut h), 4);
    // Then two minutes.
    h.engine.tick();
    h.clock.advance_ms(110_000);
    h.engine.tick();
    assert_eq!(failures(&mut h), 4);
    h.clock.advance_ms(10_000);
    h.engine.tick();
    assert_eq!(failures(&mut h), 5);
    // The disk is back: the next try (four minutes on) works and the count starts over.
    storage.fail(false, false);
    h.engine.tick();
    h.clock.advance_ms(230_000);
    h.engine.tick();
    assert_eq!(failures(&mut h), 5);
    h.clock.advance_ms(10_000);
    h.engine.tick();
    assert_info(
        &mut h,
        &[
            "aof_rewrites_consecutive_failures:0",
            "aof_last_bgrewrite_status:ok",
        ],
    );
}

#[test]
fn a_script_s_writes_are_logged_as_one_transaction_or_not_at_all() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    assert_eq!(h.run("CONFIG SET appendonly yes"), ok());
    h.run("EVAL \"redis.call('SET', 'a', 1); redis.call('INCR', 'a'); return redis.call('GET', 'a')\" 0");
    h.run("EVAL \"return redis.call('SET', 'alone', 1)\" 0");
    h.run("EVAL \"redis.set_repl(redis.REPL_NONE); return redis.call('SET', 'unlogged', 1)\" 0");
    h.run("EVAL \"return redis.call('GET', 'a')\" 0");
    h.engine.flush_aof();
    let commands = keyspace::aof::parse_log(&storage.log()).unwrap().commands;
    let lines: Vec<String> = commands
        .iter()
        .map(|argv| {
            argv.iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    // The effects, as Redis 7.0 propagates scripts: several writes between MULTI and EXEC,
    // one alone, none for a script that only read or chose REPL_NONE.
    assert_eq!(
        lines[lines.len() - 5..],
        ["MULTI", "SET a 1", "INCR a", "EXEC", "SET alone 1"]
    );
}

/// A stream's DUMP captured from redis-server 7.0.15 after `XADD s 1-1 a 1 b 2`, `XADD s 1-2 a 3
/// b 4`, `XADD s 2-0 c x`, `XDEL s 1-2`, `XGROUP CREATE s g 0` and `XGROUP CREATE s h $
/// ENTRIESREAD 3`: type 19, one LZF-compressed node holding a tombstone, two groups without
/// consumers (nothing of the clock in it).
const REDIS_STREAM_DUMP: &str = "13011000000000000000010000000000000001c3393e123e0000001900020101\
    01020181610281620200200900002001401102050103600902030104200b401301dfff202b0881630281780206\
    01ff0202000101010203020167000081ffffffffffffffff0000016802000300000a00a4f1e9c27e6ba37f";

/// A stream as Redis 5 and 6 dumped it (RDB type 15, RDB version 9), built by hand from the
/// format (`old_stream_payload` in crates/server/tests/persist_roundtrip.py, which RESTOREs it
/// into redis-server too): two nodes, a tombstone, groups whose last ID is the stream's last,
/// before its first entry, at it and in the middle, PELs and consumers.
const OLD_STREAM_PAYLOAD: &str = "0f02100000000000000064000000000000000040494900000\
    01f00030101010201816102816202000102010001000101010201050102010001010103010401050100010101\
    000101018163028178020601030102010501050106010501ff1000000000000000c80000000000000000313100\
    000012000201000102018161028162020001020100010001070108010501020101010001846e696e65050a0105\
    01ff0540fa00040761742d6c61737440fa0000000c6265666f72652d6669727374320000000861742d66697273\
    7440640001000000000000006400000000000000006058e5cf8b010000010105616c696365e86be5cf8b010000\
    01000000000000006400000000000000000d696e2d7468652d6d6964646c6540650003000000000000006400000\
    000000000003060e5cf8b01000002000000000000006400000000000000011864e5cf8b0100000100000000000\
    0006600000000000000050068e5cf8b010000040305616c696365e96be5cf8b0100000200000000000000640000\
    0000000000000000000000000066000000000000000503626f62ea6be5cf8b0100000100000000000000640000\
    000000000001056361726f6ceb6be5cf8b01000000090035e285f0e5d22230";

/// What redis-server 7.0.15 DUMPs after RESTORE of [`OLD_STREAM_PAYLOAD`]: type 19 with the
/// first ID found from the entries, entries added taken as the length, no deleted ID, and each
/// group's read counter as Redis estimates it (-1 where it cannot tell).
const OLD_STREAM_REDUMPED: &str = "13021000000000000000640000000000000000c340404049124900000\
    01f000301010102018161028162020020090000200140110005600b040101030104200b4009400306816302817\
    802062015402102050106200300ff1000000000000000c80000000000000000313100000012000201000102018\
    161028162020001020100010001070108010501020101010001846e696e65050a010501ff0540fa0040640000\
    0005040861742d66697273744064000101000000000000006400000000000000006058e5cf8b01000001010561\
    6c696365e86be5cf8b01000001000000000000006400000000000000000761742d6c61737440fa000500000c62\
    65666f72652d666972737432000000000d696e2d7468652d6d6964646c6540650081ffffffffffffffff030000\
    00000000006400000000000000003060e5cf8b01000002000000000000006400000000000000011864e5cf8b01\
    000001000000000000006600000000000000050068e5cf8b010000040305616c696365e96be5cf8b0100000200\
    000000000000640000000000000000000000000000006600000000000000050362\
    6f62ea6be5cf8b0100000100000000000000640000000000000001056361726f6ceb6be5cf8b010000000a00f3\
    f18f6fa537e279";

/// Streams go out and come back as Redis 7.0 writes them: the same DUMP bytes, and a payload of
/// the older format (type 15) loaded as redis-server loads it, estimates included.
#[test]
fn streams_dump_and_restore_as_redis_does() {
    let mut h = harness();
    for line in [
        "XADD s 1-1 a 1 b 2",
        "XADD s 1-2 a 3 b 4",
        "XADD s 2-0 c x",
        "XDEL s 1-2",
        "XGROUP CREATE s g 0",
        "XGROUP CREATE s h $ ENTRIESREAD 3",
    ] {
        h.run(line);
    }
    assert_eq!(bulk(h.run("DUMP s")), hex(REDIS_STREAM_DUMP));
    assert_eq!(restore_hex(&mut h, "s2", &hex(REDIS_STREAM_DUMP)), ok());
    assert_eq!(h.run("XINFO STREAM s2 FULL"), h.run("XINFO STREAM s FULL"));
    assert_eq!(h.run("OBJECT ENCODING s2"), Reply::bulk("stream"));

    assert_eq!(restore_hex(&mut h, "old", &hex(OLD_STREAM_PAYLOAD)), ok());
    assert_eq!(bulk(h.run("DUMP old")), hex(OLD_STREAM_REDUMPED));
    // Each group's entries-read and lag, as redis-server 7.0.15 answers them: the last ID's
    // count is the entries added, one before the first entry's is none read, the first
    // entry's is one, and one in the middle cannot be told.
    let group = |name: &str, consumers, pending, last: &str, read: Option<i64>| {
        let counter = |n: Option<i64>| n.map_or(Reply::Null, Reply::Integer);
        Reply::Map(vec![
            (Reply::bulk("name"), Reply::bulk(name)),
            (Reply::bulk("consumers"), Reply::Integer(consumers)),
            (Reply::bulk("pending"), Reply::Integer(pending)),
            (Reply::bulk("last-delivered-id"), Reply::bulk(last)),
            (Reply::bulk("entries-read"), counter(read)),
            (Reply::bulk("lag"), counter(read.map(|read| 5 - read))),
        ])
    };
    assert_eq!(
        h.run("XINFO GROUPS old"),
        Reply::Array(vec![
            group("at-first", 1, 1, "100-0", Some(1)),
            group("at-last", 0, 0, "250-0", Some(5)),
            group("before-first", 0, 0, "50-0", Some(0)),
            group("in-the-middle", 3, 3, "101-0", None),
        ])
    );
}

/// Stream commands replay from the log to the same entries, groups and PELs: XADD logged with
/// the ID it chose, trims as the exact trim they did, deliveries and claims as the XCLAIMs
/// that recreate them with their delivery times and counts. As in Redis 7.0, what a replay
/// rebuilds otherwise is the consumers' seen-times (the replay's clock) and a group's read
/// counter once XREADGROUP delivered (its XCLAIM ... LASTID leaves the counter unknown).
#[test]
fn streams_replay_from_the_log() {
    let storage = SharedStorage::default();
    let mut h = harness();
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET appendonly yes");
    for line in [
        "XADD s * n 1",
        "XADD s * n 2",
        "XADD s 5-* n 3",
        "XADD s MAXLEN ~ 1 * n 4",
        "XGROUP CREATE s g 0",
        "XGROUP CREATE s other $ MKSTREAM",
        "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
        "XREADGROUP GROUP g bob STREAMS s >",
        "XACK s g 5-0",
        "XREADGROUP GROUP other carol NOACK STREAMS s >",
        "XGROUP CREATECONSUMER s g dave",
        "XADD s * n 5",
        "XTRIM s MAXLEN 3",
        "XDEL s 5-0",
    ] {
        h.run(line);
        h.clock.advance_ms(7);
    }
    let first = format!("{START_MS}-0");
    h.run(&format!("XCLAIM s g dave 0 {first}"));
    h.clock.advance_ms(7);
    h.run("XAUTOCLAIM s g erin 0 0-0 COUNT 1");
    h.run("XSETID s 9999999999999-0 ENTRIESADDED 100 MAXDELETEDID 5-0");
    h.engine.flush_aof();
    let names: Vec<Vec<u8>> = keyspace::aof::parse_log(&storage.log())
        .unwrap()
        .commands
        .into_iter()
        .map(|argv| argv[0].to_ascii_uppercase())
        .collect();
    for absent in [&b"XREADGROUP"[..], b"XAUTOCLAIM"] {
        assert!(!names.iter().any(|n| n == absent));
    }

    let mut again = harness();
    again.clock.set_ms(h.engine.now_ms());
    again.engine.set_storage(Box::new(storage));
    assert_eq!(again.engine.load_aof_from_storage(), Ok(true));
    for read in [
        "XRANGE s - +",
        "XPENDING s g - + 10",
        "XLEN s",
        "XINFO STREAM other FULL",
    ] {
        assert_eq!(again.run(read), h.run(read), "{read}");
    }
    // The whole stream, but for the consumers' seen-times and the groups' counters.
    let full = |h: &mut Harness| {
        let text = cli::format_reply(&h.run("XINFO STREAM s FULL"));
        let blank = ["\"seen-time\" => ", "\"entries-read\" => ", "\"lag\" => "];
        let lines: Vec<String> = text
            .lines()
            .map(|line| {
                match blank
                    .iter()
                    .find_map(|label| line.find(label).map(|at| at + label.len()))
                {
                    Some(end) => line[..end].to_string(),
                    None => line.to_string(),
                }
            })
            .collect();
        lines
    };
    assert_eq!(full(&mut again), full(&mut h));
    let groups = |h: &mut Harness| cli::format_reply(&h.run("XINFO GROUPS s"));
    assert!(groups(&mut h).contains("\"entries-read\" => (integer) 3"));
    assert!(groups(&mut again).contains("\"entries-read\" => (nil)"));
}

/// A snapshot written in chunks is the whole writer's file byte for byte, whatever falls on a
/// chunk's edge (many small keys, a value longer than a chunk, other databases, TTLs): every
/// chunk but the last is [`rdb::CHUNK_SIZE`] long, the CRC-64 run over the chunks is the
/// whole file's, and the file loads. crates/server/tests/persist_roundtrip.py hands such a
/// file (SAVE writes its chunks) to a real redis-server.
#[test]
fn a_snapshot_in_chunks_is_the_whole_file_byte_for_byte() {
    let mut h = harness();
    h.run("DEBUG POPULATE 60000");
    h.run("PEXPIRE key:7 100000");
    h.run("SELECT 2");
    h.run("RPUSH other a b c");
    // Letters from a linear congruential sequence: LZF finds little to shrink, so the value
    // stays longer than a chunk.
    let mut state = 12345u32;
    let noise: String = (0..2 * rdb::CHUNK_SIZE)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            char::from(b'a' + (state >> 16) as u8 % 26)
        })
        .collect();
    h.run(&format!("SET noise {noise}"));
    h.run("SET after-noise 1");

    let whole = h.engine.rdb_snapshot();
    let chunks = h.engine.rdb_snapshot_chunks();
    assert!(chunks.len() >= 4, "{} chunks", chunks.len());
    let (last, full) = chunks.split_last().unwrap();
    assert!(full.iter().all(|c| c.len() == rdb::CHUNK_SIZE));
    assert!(!last.is_empty() && last.len() <= rdb::CHUNK_SIZE);
    assert_eq!(chunks.concat(), whole);
    let (body, footer) = whole.split_at(whole.len() - 8);
    assert_eq!(footer, rdb::crc64(0, body).to_le_bytes());
    let snapshot = rdb::load(&chunks.concat(), rdb::Limits::default(), 16).unwrap();
    assert_eq!(snapshot.dbs[0].len(), 60_000);
    assert_eq!(snapshot.dbs[2].len(), 3);
}
