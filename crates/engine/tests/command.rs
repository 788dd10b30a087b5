//! Native tests of the spec table and of COMMAND: every row is complete, every arity error
//! reads as Redis's, and COMMAND's replies have Redis 7.0's shapes (compared byte for byte
//! where our table holds everything Redis says, by shape where it derives or leaves out parts).

use keyspace::spec::{self, flag, key_flag, CommandSpec};
use keyspace::{ClientId, Config, Engine, ManualClock, Reply};

fn engine() -> (Engine, ClientId) {
    let mut engine = Engine::new(
        Config::default(),
        Box::new(ManualClock::new(1_700_000_000_000)),
        1,
    );
    let id = engine.connect();
    (engine, id)
}

fn run_argv(engine: &mut Engine, id: ClientId, argv: &[String]) -> Reply {
    let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    let mut replies = engine.execute(id, &argv).into_replies();
    assert_eq!(replies.len(), 1, "{argv:?}");
    replies.remove(0)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    run_argv(
        engine,
        id,
        &line.split(' ').map(String::from).collect::<Vec<_>>(),
    )
}

fn wire(engine: &mut Engine, id: ClientId, line: &str) -> String {
    let reply = run(engine, id, line);
    let protocol = engine.client(id).map_or(2, |c| c.protocol);
    String::from_utf8_lossy(&reply.to_resp(protocol)).into_owned()
}

/// Every command with its full name, each followed by its subcommands.
fn every_command() -> Vec<(String, &'static CommandSpec)> {
    spec::table()
        .flat_map(|c| {
            std::iter::once((c.name.to_string(), c)).chain(
                c.subcommands
                    .iter()
                    .map(move |s| (format!("{}|{}", c.name, s.name), s)),
            )
        })
        .collect()
}

/// The groups Redis 7.0 files commands under.
const GROUPS: &[&str] = &[
    "bitmap",
    "cluster",
    "connection",
    "generic",
    "geo",
    "hash",
    "hyperloglog",
    "list",
    "pubsub",
    "scripting",
    "sentinel",
    "server",
    "set",
    "sorted-set",
    "stream",
    "string",
    "transactions",
];

#[test]
fn every_row_is_documented() {
    for (name, spec) in every_command() {
        assert!(!spec.summary.trim().is_empty(), "{name}: summary");
        // Redis documents MONITOR, LOLWUT, PSYNC and SYNC without a complexity (COMMAND DOCS
        // lists none).
        assert!(
            !spec.complexity.trim().is_empty()
                || matches!(name.as_str(), "monitor" | "lolwut" | "psync" | "sync"),
            "{name}: complexity"
        );
        assert!(
            GROUPS.contains(&spec.group),
            "{name}: group {:?}",
            spec.group
        );
        let since: Vec<&str> = spec.since.split('.').collect();
        assert!(
            since.len() == 3
                && since
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
            "{name}: since {:?}",
            spec.since
        );
        // An empty syntax must mean the arity allows no arguments at all; QUIT alone takes
        // none yet has arity -1, because Redis 7.0 ignores whatever follows it.
        let takes_no_arguments = spec.arity == if name.contains('|') { 2 } else { 1 };
        assert!(
            !spec.syntax.trim().is_empty() || takes_no_arguments || name == "quit",
            "{name}: syntax is empty but arity {} allows arguments",
            spec.arity
        );
        assert!(
            spec.handler.is_some() || !spec.subcommands.is_empty(),
            "{name}: neither a handler nor subcommands"
        );
    }
}

#[test]
fn every_arity_error_reads_as_redis() {
    let (mut engine, id) = engine();
    for (name, spec) in every_command() {
        // The words that name the command, then filler arguments.
        let words: Vec<String> = name.split('|').map(str::to_uppercase).collect();
        let minimum = spec.arity.unsigned_abs() as usize;
        let mut counts = Vec::new();
        if spec.arity > 0 {
            counts.push(minimum + 1);
        }
        if minimum > words.len() {
            counts.push(minimum - 1);
        }
        for argc in counts {
            let argv: Vec<String> = words
                .iter()
                .cloned()
                .chain((words.len()..argc).map(|i| format!("arg{i}")))
                .collect();
            let mut expected = format!("ERR wrong number of arguments for '{name}' command");
            // A refused EXEC discards the transaction and says why (Redis's
            // `execCommandAbort`), with or without MULTI.
            if name == "exec" {
                expected = expected.replace("ERR ", "EXECABORT Transaction discarded because of: ");
            }
            assert_eq!(
                run_argv(&mut engine, id, &argv),
                Reply::Error(expected),
                "{argv:?}"
            );
        }
    }
}

#[test]
fn command_count_and_list_cover_the_table() {
    let (mut engine, id) = engine();
    let top = spec::table().count() as i64;
    assert_eq!(run(&mut engine, id, "COMMAND COUNT"), Reply::Integer(top));
    let all: Vec<String> = every_command().into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        run(&mut engine, id, "COMMAND LIST"),
        Reply::bulk_array(all.clone())
    );
    let Reply::Array(entries) = run(&mut engine, id, "COMMAND") else {
        panic!("COMMAND is an array")
    };
    assert_eq!(entries.len() as i64, top);
    assert_eq!(
        run(
            &mut engine,
            id,
            "COMMAND LIST FILTERBY PATTERN CLIENT|?ETNAME"
        ),
        Reply::bulk_array(["client|setname", "client|getname"])
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND LIST FILTERBY ACLCAT ADMIN"),
        Reply::bulk_array([
            "pfdebug",
            "pfselftest",
            "acl|deluser",
            "acl|dryrun",
            "acl|getuser",
            "acl|list",
            "acl|load",
            "acl|log",
            "acl|save",
            "acl|setuser",
            "acl|users",
            "client|list",
            "client|kill",
            "client|unblock",
            "client|no-evict",
            "client|pause",
            "client|unpause",
            "config|get",
            "config|set",
            "config|resetstat",
            "config|rewrite",
            "debug",
            "role",
            "monitor",
            "slowlog|get",
            "slowlog|reset",
            "slowlog|len",
            "latency|doctor",
            "latency|graph",
            "latency|latest",
            "latency|history",
            "latency|reset",
            "latency|histogram",
            "save",
            "bgsave",
            "lastsave",
            "bgrewriteaof",
            "shutdown",
            "replconf",
            "psync",
            "sync",
            "failover",
            "replicaof",
            "slaveof"
        ])
    );
}

/// Checks one COMMAND INFO entry against its row, recursing into subcommands.
fn check_info_entry(entry: &Reply, name: &str, spec: &CommandSpec) {
    let Reply::Array(fields) = entry else {
        panic!("{name}: entry is not an array")
    };
    assert_eq!(fields.len(), 10, "{name}");
    assert_eq!(fields[0], Reply::bulk(name));
    assert_eq!(fields[1], Reply::Integer(spec.arity.into()));
    let flags = spec
        .flag_names()
        .into_iter()
        .map(|f| Reply::Simple(f.into()))
        .collect();
    assert_eq!(fields[2], Reply::Set(flags), "{name}");
    let positions = spec.key_positions();
    let keys = [positions.first, positions.last, positions.step].map(|n| Reply::Integer(n.into()));
    assert_eq!(fields[3..6], keys, "{name}");
    let Reply::Set(categories) = &fields[6] else {
        panic!("{name}: ACL categories are not a set")
    };
    let fast = categories.contains(&Reply::Simple("@fast".into()));
    let slow = categories.contains(&Reply::Simple("@slow".into()));
    assert!(fast != slow, "{name}: exactly one of @fast and @slow");
    assert!(
        categories
            .iter()
            .all(|c| matches!(c, Reply::Simple(s) if s.starts_with('@'))),
        "{name}"
    );
    let tips = spec.tips.iter().map(|t| Reply::bulk(*t)).collect();
    assert_eq!(fields[7], Reply::Set(tips), "{name}: tips");
    let Reply::Set(key_specs) = &fields[8] else {
        panic!("{name}: key specs are not a set")
    };
    assert_eq!(key_specs.len(), spec.keys.len(), "{name}");
    // flags, begin_search and find_keys, and notes where Redis has them.
    for (reply, key_spec) in key_specs.iter().zip(spec.keys) {
        let fields = 3 + usize::from(!key_spec.notes.is_empty());
        assert!(
            matches!(reply, Reply::Map(m) if m.len() == fields),
            "{name}"
        );
    }
    match &fields[9] {
        Reply::Set(none) if spec.subcommands.is_empty() => assert!(none.is_empty()),
        Reply::Array(subs) => {
            assert_eq!(subs.len(), spec.subcommands.len(), "{name}");
            for (entry, sub) in subs.iter().zip(spec.subcommands) {
                check_info_entry(entry, &format!("{name}|{}", sub.name), sub);
            }
        }
        other => panic!("{name}: subcommands are {other:?}"),
    }
}

#[test]
fn command_info_has_redis_shape_for_every_command() {
    let (mut engine, id) = engine();
    let Reply::Array(entries) = run(&mut engine, id, "COMMAND") else {
        panic!("COMMAND is an array")
    };
    for (entry, spec) in entries.iter().zip(spec::table()) {
        check_info_entry(entry, spec.name, spec);
    }
    for (name, spec) in every_command() {
        let Reply::Array(one) = run(
            &mut engine,
            id,
            &format!("COMMAND INFO {}", name.to_uppercase()),
        ) else {
            panic!("{name}")
        };
        check_info_entry(&one[0], &name, spec);
    }
    assert_eq!(
        run(
            &mut engine,
            id,
            "COMMAND INFO nosuch client|nosuch get|x client|id|x"
        ),
        Reply::Array(vec![Reply::Null; 4])
    );
}

#[test]
fn command_info_get_is_byte_identical_in_resp3() {
    let (mut engine, id) = engine();
    run(&mut engine, id, "HELLO 3");
    let redis = "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";
    assert_eq!(wire(&mut engine, id, "COMMAND INFO get"), redis);
    assert_eq!(
        wire(&mut engine, id, "COMMAND GETKEYSANDFLAGS get a"),
        "*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n"
    );
}

#[test]
fn command_docs_has_redis_shape() {
    let (mut engine, id) = engine();
    let Reply::Map(docs) = run(&mut engine, id, "COMMAND DOCS") else {
        panic!("DOCS is a map")
    };
    assert_eq!(docs.len(), spec::table().count());
    let Reply::Map(docs) = run(&mut engine, id, "COMMAND DOCS nosuch config client|id") else {
        panic!()
    };
    let names: Vec<&Reply> = docs.iter().map(|(k, _)| k).collect();
    assert_eq!(names, [&Reply::bulk("config"), &Reply::bulk("client|id")]);
    let field_names = |doc: &Reply| match doc {
        Reply::Map(fields) => fields.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let plain = ["summary", "since", "group", "complexity"].map(Reply::bulk);
    assert_eq!(field_names(&docs[1].1), plain);
    let container = [&plain[..], &[Reply::bulk("subcommands")]].concat();
    assert_eq!(field_names(&docs[0].1), container);
    let Reply::Map(fields) = &docs[1].1 else {
        panic!()
    };
    assert_eq!(fields[1].1, Reply::bulk("5.0.0"));
    assert_eq!(fields[2].1, Reply::bulk("connection"));
}

#[test]
fn command_getkeys_follows_key_positions() {
    let (mut engine, id) = engine();
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS MSET a 1 b 2 c 3"),
        Reply::bulk_array(["a", "b", "c"])
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS mset a 1 b"),
        Reply::bulk_array(["a", "b"])
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS rename a b"),
        Reply::bulk_array(["a", "b"])
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS copy a b DB 1 REPLACE"),
        Reply::bulk_array(["a", "b"])
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS del a b c"),
        Reply::bulk_array(["a", "b", "c"])
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS nosuch a"),
        Reply::Error("ERR Invalid command specified".into())
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS client nosuch a"),
        Reply::Error("ERR Invalid command specified".into())
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS config get hz"),
        Reply::Error("ERR The command has no key arguments".into())
    );
    assert_eq!(
        run(&mut engine, id, "COMMAND GETKEYS get a b"),
        Reply::Error("ERR Invalid number of arguments specified for command".into())
    );
    for (name, spec) in every_command() {
        // A movable-keys command's keys depend on its arguments (a numkeys, a STORE): the
        // compat scripts check those against Redis. Shard channels sit where keys would but
        // are no keys to GETKEYS.
        let positions = spec.key_positions();
        let not_key = spec.keys.iter().all(|k| k.flags & key_flag::NOT_KEY != 0);
        if positions.first <= 0 || spec.has(flag::MOVABLEKEYS) || not_key {
            continue;
        }
        // A subcommand is named by two words (`OBJECT ENCODING key`), as Redis reads it. Every
        // key spec must find a key, as Redis's GETKEYS requires: PFMERGE's sources start after
        // its destination, though its arity lets them out.
        let words: Vec<String> = name.split('|').map(String::from).collect();
        let last_begin = spec
            .keys
            .iter()
            .filter_map(|k| match k.begin_search {
                keyspace::spec::BeginSearch::Index(index) => Some(index as usize),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let argc = (spec.arity.unsigned_abs() as usize)
            .max(words.len() + 1)
            .max(last_begin + 1);
        let argv: Vec<String> = words
            .iter()
            .cloned()
            .chain((words.len()..argc).map(|i| format!("a{i}")))
            .collect();
        let line = format!("COMMAND GETKEYS {}", argv.join(" "));
        // The legacy triple names them: `last` negative counts from the end.
        let first = positions.first as usize;
        let last = match positions.last {
            last if last < 0 => (argc as i32 + last) as usize,
            last => last as usize,
        };
        let expected: Vec<String> = (first..=last)
            .step_by(positions.step as usize)
            .map(|i| argv[i].clone())
            .collect();
        assert!(!expected.is_empty(), "{name}");
        assert_eq!(
            run(&mut engine, id, &line),
            Reply::bulk_array(expected),
            "{line}"
        );
    }
}

#[test]
fn helps_list_what_exists() {
    let (mut engine, id) = engine();
    for (container, first) in [
        ("CLIENT", "CACHING (YES|NO)"),
        ("CONFIG", "GET <pattern>"),
        ("COMMAND", "(no subcommand)"),
    ] {
        let Reply::Array(lines) = run(&mut engine, id, &format!("{container} HELP")) else {
            panic!()
        };
        let header =
            format!("{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assert_eq!(lines[0], Reply::Simple(header));
        assert_eq!(lines[1], Reply::Simple(first.into()));
        assert_eq!(
            lines[lines.len() - 2..],
            [
                Reply::Simple("HELP".into()),
                Reply::Simple("    Prints this help.".into())
            ]
        );
    }
}

#[test]
fn rows_of_this_family_match_redis_command_info() {
    // (full name, arity, flags, first key, last key, step) as Redis 7.0.15's COMMAND INFO gives
    // them, for the rows whose whole entry the compat scripts cannot compare (Redis adds tips,
    // more subcommands, or ACL categories our table does not hold).
    type Row = (&'static str, i32, &'static [&'static str]);
    const INTROSPECTION: &[&str] = &["loading", "stale"];
    const ADMIN: &[&str] = &["admin", "noscript", "loading", "stale"];
    let rows: &[Row] = &[
        ("ping", -1, &["fast"]),
        ("time", 1, &["loading", "stale", "fast"]),
        ("client", -2, &[]),
        ("config", -2, &[]),
        ("config|set", -4, ADMIN),
        ("command", -1, INTROSPECTION),
        ("command|count", 2, INTROSPECTION),
        ("command|list", -2, INTROSPECTION),
        ("command|info", -2, INTROSPECTION),
        ("command|docs", -2, INTROSPECTION),
        ("command|getkeys", -4, INTROSPECTION),
        ("command|getkeysandflags", -4, INTROSPECTION),
        ("command|help", 2, INTROSPECTION),
    ];
    let table = every_command();
    for &(name, arity, flags) in rows {
        let (_, spec) = table
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is missing"));
        assert_eq!(
            (spec.arity, spec.flag_names().as_slice()),
            (arity, flags),
            "{name}"
        );
        assert!(spec.keys.is_empty(), "{name}");
    }
}
