//! The Server tab's figures, read from the console's engine: memory, policy and counters (with
//! INFO and SLOWLOG while the tab is open) and the biggest keys of a database, as
//! `redis-cli --bigkeys` and `--memkeys` rank them. The panel looks at the engine without
//! running commands (no INFO, no SLOWLOG GET through the console's client), so that its
//! once-a-second sampling leaves the counters it shows as they were; what it changes (the
//! policy, `maxmemory`) it changes by typing CONFIG SET into the console, where the learner
//! sees it.
//!
//! The page engine's own limits live here too: its default `maxmemory`, and the cap on DEBUG
//! POPULATE, which the session answers with a [`Note`] instead of running.

use keyspace::cli;
use keyspace::db::Entry;
use keyspace::memory::bytes_to_human;
use keyspace::Engine;
use keyspace_protocol::console::Note;
use keyspace_protocol::server::{
    BigKey, BigKeys, InfoSection, LoadedCode, LoadedLibrary, ServerStatus, SlowRow, TypeTotal,
};

/// The page's default `maxmemory`: a browser tab is not a server, and a limit turns a runaway
/// fill into Redis's own OOM error instead of a crashed tab. The policy stays Redis's default,
/// `noeviction`, so that the limit teaches itself: writes are refused until the learner picks
/// an eviction policy in the panel (or types CONFIG SET). The native server keeps Redis's
/// defaults (no limit).
pub const PAGE_MAXMEMORY: &str = "64mb";
/// The most keys one DEBUG POPULATE may create in the page: more would take the tab's memory
/// and seconds of its time, and above 64 MB is refused by `noeviction` anyway.
pub const POPULATE_CAP: u64 = 1_000_000;
/// Keys listed per ranking in the biggest keys.
pub const BIGGEST: usize = 10;

/// The console engine's figures; INFO and SLOWLOG with `detail`.
pub fn status_of(engine: &mut Engine, detail: bool) -> ServerStatus {
    let config = engine.config();
    let (maxmemory, policy, samples, exact_lru) = (
        config.int("maxmemory").max(0) as u64,
        config.text("maxmemory-policy").to_string(),
        config.int("maxmemory-samples"),
        config.flag("playground-exact-lru"),
    );
    let stats = engine.stats();
    let (keyspace_hits, keyspace_misses, evicted_keys) = (
        stats.keyspace_hits,
        stats.keyspace_misses,
        stats.evicted_keys,
    );
    let keys = (0..)
        .map_while(|i| engine.db(i))
        .map(|d| d.len() as u64)
        .sum();
    let slowlog = detail.then(|| {
        engine
            .slowlog()
            .map(|e| SlowRow {
                id: e.id,
                time: e.timestamp,
                duration_us: e.duration_us,
                command: e
                    .argv
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                client: if e.client_name.is_empty() {
                    e.peer.clone()
                } else {
                    format!("{} {}", e.peer, String::from_utf8_lossy(&e.client_name))
                },
            })
            .collect()
    });
    let info = detail.then(|| {
        engine
            .info_sections()
            .into_iter()
            .map(|(title, fields)| InfoSection {
                title: title.to_string(),
                fields,
            })
            .collect()
    });
    let code = detail.then(|| LoadedCode {
        scripts: engine
            .cached_scripts()
            .map(|(sha, body)| (sha.to_string(), String::from_utf8_lossy(body).into_owned()))
            .collect(),
        libraries: engine
            .function_libraries()
            .map(|library| LoadedLibrary {
                name: library.name.to_string(),
                functions: library
                    .functions
                    .into_iter()
                    .map(|(name, flags)| {
                        (
                            name.to_string(),
                            flags.into_iter().map(String::from).collect(),
                        )
                    })
                    .collect(),
                code: String::from_utf8_lossy(library.code).into_owned(),
            })
            .collect(),
    });
    let used_memory = engine.used_memory() as u64;
    ServerStatus {
        used_memory,
        used_memory_human: bytes_to_human(used_memory),
        maxmemory,
        maxmemory_human: bytes_to_human(maxmemory),
        policy,
        samples,
        exact_lru,
        keyspace_hits,
        keyspace_misses,
        evicted_keys,
        keys,
        info,
        slowlog,
        code,
        log: None,
    }
}

/// TYPE's names, in redis-cli's order.
const TYPES: [&str; 5] = ["string", "list", "set", "zset", "hash"];

/// The biggest keys of database `db` of `engine`, as `redis-cli --bigkeys` (by length or
/// element count) and `--memkeys` (by memory) rank them, the [`BIGGEST`] of each. One pass;
/// only the current leaders are kept (a million keys are never copied), ties going to the key
/// met first.
pub fn big_keys(engine: &Engine, db: usize) -> BigKeys {
    let mut per_type: Vec<TypeTotal> = TYPES
        .iter()
        .map(|kind| TypeTotal {
            kind: kind.to_string(),
            keys: 0,
            size: 0,
        })
        .collect();
    // (figure, key, entry), largest first.
    let mut by_memory: Vec<(u64, &[u8], &Entry)> = Vec::new();
    let mut by_size: Vec<(u64, &[u8], &Entry)> = Vec::new();
    if let Some(d) = engine.db(db) {
        for (key, entry) in d.entries() {
            let size = entry.value.size() as u64;
            let kind = entry.value.type_name();
            if let Some(total) = per_type.iter_mut().find(|t| t.kind == kind) {
                total.keys += 1;
                total.size += size;
            }
            keep(&mut by_memory, entry.memory() as u64, key, entry);
            keep(&mut by_size, size, key, entry);
        }
    }
    let rows = |top: Vec<(u64, &[u8], &Entry)>| {
        top.into_iter()
            .map(|(_, key, entry)| BigKey {
                key: String::from_utf8_lossy(key).into_owned(),
                kind: entry.value.type_name().to_string(),
                size: entry.value.size() as u64,
                memory: entry.memory() as u64,
                memory_human: bytes_to_human(entry.memory() as u64),
            })
            .collect()
    };
    BigKeys {
        db,
        by_memory: rows(by_memory),
        by_size: rows(by_size),
        per_type,
    }
}

/// Keeps (figure, key, entry) in `top` if it is among the [`BIGGEST`] so far, largest first;
/// an equal figure goes after those met before it.
fn keep<'a>(
    top: &mut Vec<(u64, &'a [u8], &'a Entry)>,
    figure: u64,
    key: &'a [u8],
    entry: &'a Entry,
) {
    if top.len() == BIGGEST && top[BIGGEST - 1].0 >= figure {
        return;
    }
    let at = top.partition_point(|(f, _, _)| *f >= figure);
    top.insert(at, (figure, key, entry));
    top.truncate(BIGGEST);
}

/// The note the page shows beside a typed line, if it needs one: DEBUG POPULATE above
/// [`POPULATE_CAP`] (not run), CONFIG SET maxmemory 0 (run; the tab now has no limit).
pub fn console_note(line: &str) -> Option<Note> {
    let argv = cli::split_args(line.as_bytes())?;
    let word = |i: usize, w: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(w.as_bytes()))
    };
    if word(0, "debug") && word(1, "populate") {
        let count = std::str::from_utf8(argv.get(2)?)
            .ok()?
            .parse::<u64>()
            .ok()?;
        return (count > POPULATE_CAP).then_some(Note::PopulateCapped { cap: POPULATE_CAP });
    }
    if word(0, "config") && word(1, "set") {
        let unlimited = argv[2..].chunks_exact(2).any(|pair| {
            pair[0].eq_ignore_ascii_case(b"maxmemory")
                && keyspace::config::memtoull(&pair[1]) == Some(0)
        });
        return unlimited.then_some(Note::NoLimit);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::{Config, ManualClock};

    fn engine() -> (Engine, keyspace::ClientId) {
        let mut engine = Engine::new(Config::default(), Box::new(ManualClock::new(1_000)), 1);
        let client = engine.connect();
        (engine, client)
    }

    fn run(engine: &mut Engine, client: keyspace::ClientId, line: &str) {
        let argv = cli::split_args(line.as_bytes()).unwrap();
        engine.execute(client, &argv);
    }

    /// The page's own reads never reach a monitor: the Server tab's figures, the biggest
    /// keys, the key list and the inspector read the engine through its accessors, never
    /// through `Engine::execute` (the key list and the inspector get a `&Db` only).
    #[test]
    fn the_pages_reads_are_never_shown_to_a_monitor() {
        let (mut engine, client) = engine();
        run(&mut engine, client, "SET a 1");
        let monitor = engine.connect();
        run(&mut engine, monitor, "MONITOR");
        engine.drain(monitor);
        engine.take_woken();
        status_of(&mut engine, true);
        big_keys(&engine, 0);
        let query = keyspace_protocol::keys::KeyQuery::default();
        crate::keyview::window(0, engine.db(0).unwrap(), &query);
        assert!(engine.drain(monitor).is_empty());
        assert!(engine.take_woken().is_empty());
        // A console command is shown, so the monitor does listen.
        run(&mut engine, client, "GET a");
        assert_eq!(engine.drain(monitor).len(), 1);
    }

    #[test]
    fn the_status_reports_memory_policy_and_counters_without_counting_itself() {
        let (mut engine, client) = engine();
        run(
            &mut engine,
            client,
            "CONFIG SET maxmemory 10mb maxmemory-policy allkeys-lfu",
        );
        run(&mut engine, client, "CONFIG SET slowlog-log-slower-than 0");
        run(&mut engine, client, "SET a 1");
        run(&mut engine, client, "GET a");
        run(&mut engine, client, "GET b");
        let status = status_of(&mut engine, true);
        assert_eq!(status.maxmemory, 10 << 20);
        assert_eq!(status.policy, "allkeys-lfu");
        assert_eq!((status.keyspace_hits, status.keyspace_misses), (1, 1));
        assert_eq!(status.keys, 1);
        assert!(status.used_memory > 800_000);
        let fill = status.used_memory as f64 / status.maxmemory as f64;
        assert!(fill > 0.08 && fill < 0.1, "{fill}");
        assert_eq!(status.maxmemory_human, "10.00M");
        let info = status.info.unwrap();
        let memory = info.iter().find(|s| s.title == "Memory").unwrap();
        assert!(memory
            .fields
            .iter()
            .any(|(k, v)| k == "maxmemory_policy" && v == "allkeys-lfu"));
        let slowlog = status.slowlog.unwrap();
        assert_eq!(slowlog[0].command, "GET b");
        // Under the manual clock, the modelled duration of a call with a one-element reply.
        let modelled = (keyspace::cost::CALL_NS + keyspace::cost::REPLY_ELEMENT_NS + 500) / 1000;
        assert_eq!(slowlog[0].duration_us, modelled);
        // Looking did not count as commands.
        let again = status_of(&mut engine, true);
        let stats = |s: &ServerStatus| {
            let info = s.info.as_ref().unwrap();
            let section = info.iter().find(|s| s.title == "Stats").unwrap();
            section
                .fields
                .iter()
                .find(|(k, _)| k == "total_commands_processed")
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(stats(&again), "5");
        assert_eq!(status_of(&mut engine, false).info, None);
        // The scripts and libraries loaded, with their code.
        run(&mut engine, client, "SCRIPT LOAD \"return 1\"");
        run(
            &mut engine,
            client,
            "FUNCTION LOAD \"#!lua name=lib\\nredis.register_function{function_name='ro', \
             callback=function() return 1 end, flags={'no-writes'}}\"",
        );
        let code = status_of(&mut engine, true).code.unwrap();
        assert_eq!(
            code.scripts,
            [(
                "e0e1f9fabfc9d4800c877a703b823ac0578ff8db".to_string(),
                "return 1".to_string()
            )]
        );
        assert_eq!(code.libraries[0].name, "lib");
        assert_eq!(
            code.libraries[0].functions,
            [("ro".to_string(), vec!["no-writes".to_string()])]
        );
        assert!(code.libraries[0].code.starts_with("#!lua name=lib\n"));
        assert_eq!(status_of(&mut engine, false).code, None);
        run(&mut engine, client, "CONFIG SET maxmemory 0");
        assert_eq!(status_of(&mut engine, false).maxmemory, 0);
    }

    #[test]
    fn biggest_keys_by_memory_and_by_elements() {
        let (mut engine, client) = engine();
        run(&mut engine, client, "SET small x");
        run(
            &mut engine,
            client,
            &format!("SET long {}", "v".repeat(500)),
        );
        let members: Vec<String> = (0..50).map(|i| format!("m{i}")).collect();
        run(
            &mut engine,
            client,
            &format!("SADD members {}", members.join(" ")),
        );
        run(&mut engine, client, "RPUSH list a b c");
        let big = big_keys(&engine, 0);
        // Fifty members in a hash table outweigh 500 bytes of string.
        assert_eq!(big.by_memory[0].key, "members");
        assert_eq!(big.by_memory[1].key, "long");
        assert_eq!(big.by_size[0].key, "long");
        assert_eq!(big.by_size[0].size, 500);
        assert_eq!(big.by_size[1].key, "members");
        assert_eq!(big.by_memory.len(), 4);
        let strings = &big.per_type[0];
        assert_eq!(
            (strings.kind.as_str(), strings.keys, strings.size),
            ("string", 2, 501)
        );
        let sets = big.per_type.iter().find(|t| t.kind == "set").unwrap();
        assert_eq!((sets.keys, sets.size), (1, 50));
        // Only the ten biggest are listed, largest first, a tie going to the key met first.
        for i in 0..15 {
            run(
                &mut engine,
                client,
                &format!("SET s{i} {}", "x".repeat(100 + i % 5)),
            );
        }
        let big = big_keys(&engine, 0);
        let names: Vec<&str> = big.by_size.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            names,
            ["long", "s4", "s9", "s14", "s3", "s8", "s13", "s2", "s7", "s12"]
        );
    }

    #[test]
    fn notes_for_populate_above_the_cap_and_for_no_limit() {
        assert_eq!(
            console_note("debug populate 2000000"),
            Some(Note::PopulateCapped { cap: POPULATE_CAP })
        );
        assert_eq!(console_note("DEBUG POPULATE 1000000 k"), None);
        assert_eq!(console_note("CONFIG SET maxmemory 0"), Some(Note::NoLimit));
        assert_eq!(
            console_note("config set hz 10 MAXMEMORY 0b"),
            Some(Note::NoLimit)
        );
        assert_eq!(console_note("CONFIG SET maxmemory 64mb"), None);
        assert_eq!(console_note("CONFIG GET maxmemory"), None);
        assert_eq!(console_note("SET \"open"), None);
    }
}
