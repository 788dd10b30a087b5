//! Functions: libraries load whole or not at all, in an environment of their own and within
//! their time limit; functions run in slices as EVAL's scripts do, FUNCTION KILL stops them;
//! libraries are kept in snapshots (in both of Redis's formats), in the log and its rewrites,
//! and counted by INFO.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use keyspace::persist::{AofFiles, LoadMode, Location, MemoryStorage, Storage};
use keyspace::rdb::Chunk;
use keyspace::{cli, rdb, Clock, Config, Engine, Outcome, Reply};

fn err(text: &str) -> Reply {
    Reply::Error(text.into())
}

fn lines(reply: Reply) -> String {
    match reply {
        Reply::Bulk(b) | Reply::Verbatim { text: b, .. } => String::from_utf8(b).unwrap(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

/// The field `name` of an INFO section.
fn info_field(h: &mut Harness, section: &str, name: &str) -> String {
    let info = lines(h.run(&format!("INFO {section}")));
    let prefix = format!("{name}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in INFO {section}"))
        .to_string()
}

const LIB: &str = r##"FUNCTION LOAD "#!lua name=lib\nredis.register_function('hello', function(keys, args) return 'hello ' .. args[1] end)\nredis.register_function{function_name='get', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}""##;

#[test]
fn a_library_loads_and_its_functions_are_called_by_name_in_any_case() {
    let mut h = Harness::new(1);
    assert_eq!(h.run(LIB), Reply::bulk("lib"));
    assert_eq!(h.run("FCALL hello 0 you"), Reply::bulk("hello you"));
    assert_eq!(h.run("FCALL HeLLo 0 again"), Reply::bulk("hello again"));
    h.run("SET k v");
    assert_eq!(h.run("FCALL_RO get 1 k"), Reply::bulk("v"));
    assert_eq!(
        h.run("FCALL_RO hello 0 x"),
        err("ERR Can not execute a script with write flag using *_ro command.")
    );
    assert_eq!(h.run("FCALL nosuch 0"), err("ERR Function not found"));
    assert_eq!(
        h.run("FCALL hello x"),
        err("ERR Bad number of keys provided")
    );
    assert_eq!(h.run("FUNCTION DELETE lib"), Reply::ok());
    assert_eq!(h.run("FCALL hello 0 x"), err("ERR Function not found"));
    assert_eq!(h.run("FUNCTION DELETE lib"), err("ERR Library not found"));
}

#[test]
fn a_refused_library_leaves_the_libraries_as_they_were() {
    let mut h = Harness::new(1);
    h.run(LIB);
    h.run(r##"FUNCTION LOAD "#!lua name=other\nredis.register_function('other', function() return 1 end)""##);
    for (code, error) in [
        (
            r"#!lua name=lib\nnot lua",
            "ERR Error compiling function: user_function:2: unexpected symbol near 'not'",
        ),
        (r"#!lua name=lib\nreturn 1", "ERR No functions registered"),
        (
            r"#!lua name=lib\nredis.register_function('OTHER', function() return 2 end)",
            "ERR Function OTHER already exists",
        ),
        (
            r"#!lua name=lib\nredis.register_function('x', function() end)\nerror('late')",
            "ERR Error registering functions: ERR user_function:3: Script attempted to access nonexistent global variable 'error'",
        ),
    ] {
        assert_eq!(h.run(&format!("FUNCTION LOAD REPLACE \"{code}\"")), err(error));
        assert_eq!(h.run("FCALL hello 0 still"), Reply::bulk("hello still"));
    }
    assert_eq!(
        h.run(r##"FUNCTION LOAD "#!lua name=lib\nredis.register_function('x', function() end)""##),
        err("ERR Library 'lib' already exists")
    );
    // What a failed load registered is gone: its name is free.
    assert_eq!(
        h.run(r##"FUNCTION LOAD "#!lua name=third\nredis.register_function('x', function() return 3 end)""##),
        Reply::bulk("third")
    );
    assert_eq!(h.run("FCALL x 0"), Reply::Integer(3));
}

#[test]
fn a_library_sees_only_the_library_api_while_it_loads() {
    let mut h = Harness::new(1);
    let load = |h: &mut Harness, body: &str| {
        h.run(&format!(
            "FUNCTION LOAD REPLACE \"#!lua name=env\\n{body}\""
        ))
    };
    for name in ["math", "string", "pcall", "_G", "KEYS"] {
        assert_eq!(
            load(&mut h, &format!("local x = {name}")),
            err(&format!(
                "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable '{name}'"
            ))
        );
    }
    assert_eq!(
        load(&mut h, "redis.call('PING')"),
        err("ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'")
    );
    assert_eq!(
        load(&mut h, "x = 1"),
        err("ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table")
    );
    // At call time the full API, without register_function; globals stay read-only.
    load(
        &mut h,
        r"redis.register_function('look', function() return {type(redis.call), type(redis.register_function), type(string.len)} end)\nredis.register_function('write', function() y = 1 end)",
    );
    assert_eq!(
        h.run("FCALL look 0"),
        Reply::Array(vec![
            Reply::bulk("function"),
            Reply::bulk("nil"),
            Reply::bulk("function")
        ])
    );
    let Reply::Error(text) = h.run("FCALL write 0") else {
        panic!("a global was set")
    };
    assert!(
        text.contains("Attempt to modify a readonly table script: write"),
        "{text}"
    );
    // EVAL's state is another: SCRIPT FLUSH leaves the functions alone.
    assert_eq!(
        h.run("EVAL \"return type(redis.register_function)\" 0"),
        Reply::bulk("nil")
    );
    h.run("SCRIPT FLUSH");
    assert!(!h.run("FCALL look 0").is_error());
}

/// A clock whose monotonic timer moves `step_us` each time it is read.
struct RacingClock {
    elapsed_us: Arc<AtomicU64>,
    step_us: u64,
}

impl Clock for RacingClock {
    fn now_ms(&self) -> u64 {
        START_MS
    }

    fn elapsed_us(&self) -> u64 {
        self.elapsed_us.fetch_add(self.step_us, Ordering::Relaxed)
    }
}

fn racing_engine(step_us: u64) -> (Engine, keyspace::ClientId) {
    let clock = RacingClock {
        elapsed_us: Arc::new(AtomicU64::new(0)),
        step_us,
    };
    let mut engine = Engine::new(Config::default(), Box::new(clock), 1);
    let client = engine.connect();
    (engine, client)
}

fn run(engine: &mut Engine, client: keyspace::ClientId, line: &str) -> Reply {
    let argv = cli::split_args(line.as_bytes()).unwrap();
    engine.execute(client, &argv).into_replies().remove(0)
}

#[test]
fn a_library_that_loads_past_half_a_second_is_refused_unless_replayed() {
    // Every look at the clock finds 100 ms more: the limit is past after a few slices.
    let (mut engine, client) = racing_engine(100_000);
    let slow = r##"FUNCTION LOAD "#!lua name=slow\nlocal n = 0\nfor i = 1, 2000000 do n = n + i end\nredis.register_function('slow', function() return n end)""##;
    assert_eq!(
        run(&mut engine, client, slow),
        err("ERR Error registering functions: ERR FUNCTION LOAD timeout")
    );
    assert_eq!(
        run(&mut engine, client, "FUNCTION LIST"),
        Reply::Array(Vec::new())
    );
    // Replayed from the log, the same library loads whatever it takes.
    let argv = cli::split_args(slow.as_bytes()).unwrap();
    let mut log = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in &argv {
        log.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        log.extend_from_slice(arg);
        log.extend_from_slice(b"\r\n");
    }
    engine.load_aof(None, &log).unwrap();
    assert_eq!(
        run(&mut engine, client, "FCALL slow 0"),
        Reply::Integer(2_000_001_000_000)
    );
}

#[test]
fn a_library_that_never_ends_stops_under_a_clock_that_never_moves() {
    let mut h = Harness::new(1);
    assert_eq!(
        h.run(r##"FUNCTION LOAD "#!lua name=spin\nwhile true do end""##),
        err("ERR Error registering functions: ERR FUNCTION LOAD timeout")
    );
}

#[test]
fn a_long_function_runs_in_slices_and_function_kill_stops_it() {
    let mut h = Harness::new(1);
    h.run(r##"FUNCTION LOAD "#!lua name=busy\nredis.register_function('spin', function() while true do end end)""##);
    h.run("CONFIG SET busy-reply-threshold 100");
    let argv = cli::split_args(b"FCALL spin 0").unwrap();
    assert_eq!(h.engine.execute(h.client, &argv), Outcome::Blocked);
    let other = h.engine.connect();
    let ping = cli::split_args(b"PING").unwrap();
    // Under the threshold another client waits behind it...
    assert_eq!(h.engine.execute(other, &ping), Outcome::Blocked);
    h.clock.advance_ms(200);
    h.engine.run_script();
    // ...past it, it is answered BUSY, naming FUNCTION KILL.
    let busy =
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    assert_eq!(h.engine.drain(other), [err(busy)]);
    assert_eq!(h.engine.execute(other, &ping), Outcome::Reply(err(busy)));
    let stats = cli::split_args(b"FUNCTION STATS").unwrap();
    let Outcome::Reply(Reply::Map(fields)) = h.engine.execute(other, &stats) else {
        panic!("FUNCTION STATS answered no map")
    };
    let Reply::Map(running) = &fields[0].1 else {
        panic!("no running function in {fields:?}")
    };
    assert_eq!(running[0].1, Reply::bulk("spin"));
    assert_eq!(
        running[1].1,
        Reply::Array(vec![
            Reply::bulk("FCALL"),
            Reply::bulk("spin"),
            Reply::bulk("0")
        ])
    );
    assert_eq!(running[2].1, Reply::Integer(200));
    let script_kill = cli::split_args(b"SCRIPT KILL").unwrap();
    assert_eq!(
        h.engine.execute(other, &script_kill),
        Outcome::Reply(err(busy))
    );
    let kill = cli::split_args(b"FUNCTION KILL").unwrap();
    assert_eq!(h.engine.execute(other, &kill), Outcome::Reply(Reply::ok()));
    h.engine.run_script();
    assert!(!h.engine.script_running());
    assert_eq!(
        h.engine.drain(h.client),
        [err(
            "ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2."
        )]
    );
    assert_eq!(
        h.run("FUNCTION KILL"),
        err("NOTBUSY No scripts in execution right now.")
    );
}

const OLD_FORMAT_LIBRARY: &[u8] =
    b"redis.register_function('old', function() return 'from 7.0-rc' end)";

/// A snapshot holding one library in the format of Redis 7.0's release candidates (0xF6:
/// name, engine, a description, the body).
fn release_candidate_snapshot() -> Vec<u8> {
    let mut bytes = b"REDIS0010\xf6\x06oldlib\x03LUA\x01\x04desc".to_vec();
    // A 14-bit length: 01 and the length's high bits, then its low byte.
    bytes.extend_from_slice(&[0x40, OLD_FORMAT_LIBRARY.len() as u8]);
    bytes.extend_from_slice(OLD_FORMAT_LIBRARY);
    bytes.push(0xff);
    let crc = rdb::crc64(0, &bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn libraries_are_kept_in_snapshots_in_both_formats() {
    let mut h = Harness::new(1);
    h.run(LIB);
    h.run("SET k v");
    let snapshot = h.engine.rdb_snapshot();
    let loaded = rdb::load(&snapshot, rdb::Limits::default(), 16).unwrap();
    assert_eq!(loaded.functions.len(), 1);
    assert!(loaded.functions[0].starts_with(b"#!lua name=lib\n"));

    let mut restarted = Harness::new(2);
    restarted
        .engine
        .load_rdb(&snapshot, LoadMode::Replace)
        .unwrap();
    assert_eq!(
        restarted.run("FCALL hello 0 back"),
        Reply::bulk("hello back")
    );
    assert_eq!(restarted.run("GET k"), Reply::bulk("v"));

    // Under NOFLUSH a library already there refuses the whole file, keys included.
    restarted.run("DEL k");
    assert!(restarted.engine.load_rdb(&snapshot, LoadMode::Add).is_err());
    assert_eq!(restarted.run("EXISTS k"), Reply::Integer(0));
    restarted
        .engine
        .load_rdb(&snapshot, LoadMode::Merge)
        .unwrap();
    assert_eq!(restarted.run("EXISTS k"), Reply::Integer(1));

    // The release candidates' format, translated to a code with its first line.
    restarted
        .engine
        .load_rdb(&release_candidate_snapshot(), LoadMode::Replace)
        .unwrap();
    assert_eq!(restarted.run("FCALL old 0"), Reply::bulk("from 7.0-rc"));
    assert_eq!(
        restarted.run("FCALL hello 0 x"),
        err("ERR Function not found")
    );
    let mut code = b"#!LUA name=oldlib\n".to_vec();
    code.extend_from_slice(OLD_FORMAT_LIBRARY);
    let listed = restarted.run("FUNCTION LIST WITHCODE");
    let Reply::Array(libraries) = listed else {
        panic!("{listed:?}")
    };
    let Reply::Map(fields) = &libraries[0] else {
        panic!("{libraries:?}")
    };
    assert_eq!(fields[3].1, Reply::Bulk(code));

    // A library that no longer loads refuses the file; nothing changes.
    let mut broken = b"REDIS0010\xf5\x10#!lua name=x\nbad".to_vec();
    broken.push(0xff);
    let crc = rdb::crc64(0, &broken);
    broken.extend_from_slice(&crc.to_le_bytes());
    let refused = restarted.engine.load_rdb(&broken, LoadMode::Replace);
    assert!(
        matches!(&refused, Err(rdb::RdbError::Function(why)) if why.contains("Error compiling function")),
        "{refused:?}"
    );
    assert_eq!(restarted.run("FCALL old 0"), Reply::bulk("from 7.0-rc"));
}

#[test]
fn debug_reload_flushall_and_script_flush() {
    let mut h = Harness::new(1);
    let mut config = Config::default();
    config.set(b"enable-debug-command", b"yes", true).unwrap();
    h.engine = Engine::new(config, Box::new(h.clock.clone()), 1);
    h.client = h.engine.connect();
    h.run(LIB);
    assert_eq!(h.run("FLUSHALL"), Reply::ok());
    assert_eq!(h.run("FCALL hello 0 kept"), Reply::bulk("hello kept"));
    assert_eq!(h.run("DEBUG RELOAD"), Reply::ok());
    assert_eq!(
        h.run("FCALL hello 0 reloaded"),
        Reply::bulk("hello reloaded")
    );
    assert_eq!(
        h.run("DEBUG RELOAD NOFLUSH"),
        err("ERR Error trying to load the RDB dump")
    );
    assert_eq!(h.run("DEBUG RELOAD NOFLUSH MERGE"), Reply::ok());
}

/// A storage two engines share, as a restarted server finds its files.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<MemoryStorage>>);

impl Storage for Shared {
    fn write_rdb(&mut self, at: &Location, rdb: &[Chunk]) -> Result<(), String> {
        self.0.lock().unwrap().write_rdb(at, rdb)
    }
    fn read_rdb(&mut self, at: &Location) -> Result<Option<Vec<u8>>, String> {
        self.0.lock().unwrap().read_rdb(at)
    }
    fn append_aof(&mut self, at: &Location, commands: &[Chunk], fsync: &str) -> Result<(), String> {
        self.0.lock().unwrap().append_aof(at, commands, fsync)
    }
    fn rewrite_aof(&mut self, at: &Location, base: &[Chunk]) -> Result<(), String> {
        self.0.lock().unwrap().rewrite_aof(at, base)
    }
    fn read_aof(&mut self, at: &Location) -> Result<Option<AofFiles>, String> {
        self.0.lock().unwrap().read_aof(at)
    }
}

#[test]
fn function_commands_are_logged_and_rewrites_keep_the_libraries() {
    let storage = Shared::default();
    let mut h = Harness::new(1);
    h.engine.set_storage(Box::new(storage.clone()));
    h.run("CONFIG SET appendonly yes");
    h.run(LIB);
    h.run(r##"FUNCTION LOAD "#!lua name=w\nredis.register_function('w', function(keys) redis.call('SET', keys[1], 'a') return redis.call('INCR', 'n') end)""##);
    assert_eq!(h.run("FCALL w 1 k"), Reply::Integer(1));
    h.run("FUNCTION DELETE lib");
    h.run("FUNCTION DELETE nosuch");
    h.engine.flush_aof();
    // FUNCTION commands as sent (a failed one not at all), FCALL as its effects.
    let (_, log) = storage
        .clone()
        .read_aof(&Location::default())
        .unwrap()
        .unwrap();
    let logged: Vec<String> = keyspace::aof::parse_log(&log)
        .unwrap()
        .commands
        .iter()
        .map(|argv| {
            let words = argv.len().min(2);
            String::from_utf8_lossy(&argv[..words].join(&b' ')).to_ascii_uppercase()
        })
        .collect();
    assert_eq!(
        logged,
        [
            "SELECT 0",
            "FUNCTION LOAD",
            "FUNCTION LOAD",
            "MULTI",
            "SET K",
            "INCR N",
            "EXEC",
            "FUNCTION DELETE"
        ]
    );
    let expected = [
        h.run("FUNCTION LIST WITHCODE"),
        h.run("GET k"),
        h.run("GET n"),
    ];
    let replayed = |storage: &Shared| {
        let mut later = Harness::new(2);
        later.engine.set_storage(Box::new(storage.clone()));
        assert_eq!(later.engine.load_aof_from_storage(), Ok(true));
        [
            later.run("FUNCTION LIST WITHCODE"),
            later.run("GET k"),
            later.run("GET n"),
        ]
    };
    assert_eq!(replayed(&storage), expected);
    // After a rewrite the library is in the base snapshot.
    h.run("BGREWRITEAOF");
    let (base, log) = storage
        .clone()
        .read_aof(&Location::default())
        .unwrap()
        .unwrap();
    assert!(log.is_empty());
    let base = rdb::load(&base.unwrap(), rdb::Limits::default(), 16).unwrap();
    assert_eq!(base.functions.len(), 1);
    assert_eq!(replayed(&storage), expected);
}

#[test]
fn info_counts_libraries_and_their_memory() {
    let mut h = Harness::new(1);
    assert_eq!(info_field(&mut h, "memory", "used_memory_functions"), "200");
    assert_eq!(
        info_field(&mut h, "memory", "used_memory_vm_functions"),
        "33792"
    );
    h.run(r##"FUNCTION LOAD "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)""##);
    // Figures redis-server 7.0 gives for this library.
    assert_eq!(info_field(&mut h, "memory", "used_memory_functions"), "440");
    assert_eq!(info_field(&mut h, "memory", "number_of_functions"), "1");
    assert_eq!(info_field(&mut h, "memory", "number_of_libraries"), "1");
    assert_eq!(info_field(&mut h, "memory", "used_memory_scripts"), "440");
    h.run("FUNCTION FLUSH");
    assert_eq!(info_field(&mut h, "memory", "used_memory_functions"), "200");
    assert_eq!(info_field(&mut h, "memory", "number_of_functions"), "0");
}

#[test]
fn a_function_declaring_writes_is_a_write_for_oom() {
    let mut h = Harness::new(1);
    h.run(LIB);
    h.run("CONFIG SET maxmemory 1");
    assert_eq!(
        h.run("FCALL hello 0 x"),
        err("OOM command not allowed when used memory > 'maxmemory'.")
    );
    h.run("SET k v");
    assert_eq!(h.run("FCALL get 1 k"), Reply::Null);
}
