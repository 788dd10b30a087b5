//! Native tests of AUTH and ACL where the compat scripts cannot reach: what a deleted user's
//! connections are left with, the ACL LOG's entries (their age and client info vary from run
//! to run), `requirepass` given at start, GENPASS's length, key permissions as the key specs
//! grant them, and the refused connections INFO counts.

use keyspace::acl::AclFileAccess;
use keyspace::{cli, ClientId, Config, Engine, Error, ManualClock, Reply};

fn engine(config: Config) -> (Engine, ManualClock) {
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = Engine::new(config, Box::new(clock.clone()), 1);
    (engine, clock)
}

fn run(engine: &mut Engine, id: ClientId, line: &str) -> Reply {
    let argv = cli::split_args(line.as_bytes()).expect("balanced quotes");
    engine.execute(id, &argv).into_replies().remove(0)
}

fn bulk(text: &str) -> Reply {
    Reply::bulk(text)
}

#[test]
fn deleting_a_user_closes_its_connections() {
    let (mut engine, _) = engine(Config::default());
    let admin = engine.connect();
    let alice = engine.connect();
    run(&mut engine, admin, "ACL SETUSER alice on >pw +@all ~*");
    assert_eq!(run(&mut engine, alice, "AUTH alice pw"), Reply::ok());
    let line = match run(&mut engine, admin, "CLIENT LIST") {
        Reply::Verbatim { text, .. } => String::from_utf8(text).unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(line.contains("cmd=auth user=alice "), "{line}");
    assert_eq!(
        run(&mut engine, admin, "ACL DELUSER alice"),
        Reply::Integer(1)
    );
    let closed = engine.client(alice).unwrap();
    assert!(closed.closing, "the front end closes it");
    assert_eq!(closed.user, b"default");
    assert!(engine.take_woken().contains(&alice));
    assert!(!engine.client(admin).unwrap().closing);
}

#[test]
fn changing_a_user_keeps_its_connections_authenticated() {
    let (mut engine, _) = engine(Config::default());
    let admin = engine.connect();
    let bob = engine.connect();
    run(&mut engine, admin, "ACL SETUSER bob on >pw +@all ~*");
    run(&mut engine, bob, "AUTH bob pw");
    run(&mut engine, admin, "ACL SETUSER bob off resetpass");
    assert_eq!(run(&mut engine, bob, "ACL WHOAMI"), bulk("bob"));
    assert_eq!(
        run(&mut engine, bob, "AUTH bob pw"),
        Reply::Error("WRONGPASS invalid username-password pair or user is disabled.".into())
    );
}

#[test]
fn refusals_are_logged_and_grouped() {
    let (mut engine, clock) = engine(Config::default());
    let admin = engine.connect();
    let user = engine.connect();
    run(
        &mut engine,
        admin,
        "ACL SETUSER reader on nopass +get ~cache:*",
    );
    run(&mut engine, user, "AUTH reader any");
    run(&mut engine, user, "SET cache:1 v");
    run(&mut engine, user, "SET cache:1 v");
    run(&mut engine, user, "GET other");
    run(&mut engine, user, "AUTH reader2 x");
    clock.advance_ms(1500);
    let Reply::Array(entries) = run(&mut engine, admin, "ACL LOG") else {
        panic!("not an array");
    };
    let fields: Vec<Vec<(String, Reply)>> = entries
        .into_iter()
        .map(|e| match e {
            Reply::Map(pairs) => pairs
                .into_iter()
                .map(|(k, v)| match k {
                    Reply::Bulk(k) => (String::from_utf8(k).unwrap(), v),
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("{other:?}"),
        })
        .collect();
    let get = |entry: &Vec<(String, Reply)>, name: &str| {
        entry.iter().find(|(k, _)| k == name).unwrap().1.clone()
    };
    assert_eq!(fields.len(), 3, "the two SETs are one entry");
    assert_eq!(get(&fields[0], "reason"), bulk("auth"));
    assert_eq!(get(&fields[0], "object"), bulk("AUTH"));
    assert_eq!(get(&fields[0], "username"), bulk("reader2"));
    assert_eq!(get(&fields[1], "reason"), bulk("key"));
    assert_eq!(get(&fields[1], "object"), bulk("other"));
    assert_eq!(get(&fields[2], "reason"), bulk("command"));
    assert_eq!(get(&fields[2], "object"), bulk("set"));
    assert_eq!(get(&fields[2], "count"), Reply::Integer(2));
    assert_eq!(get(&fields[2], "age-seconds"), Reply::Double(1.5));
    let Reply::Bulk(info) = get(&fields[2], "client-info") else {
        panic!("no client info");
    };
    assert!(String::from_utf8(info).unwrap().contains("user=reader"));
}

#[test]
fn requirepass_at_start_needs_auth_from_every_client() {
    let mut config = Config::default();
    config.set(b"requirepass", b"s3cret", true).unwrap();
    let (mut engine, _) = engine(config);
    let id = engine.connect();
    assert_eq!(
        run(&mut engine, id, "PING"),
        Reply::Error("NOAUTH Authentication required.".into())
    );
    assert_eq!(run(&mut engine, id, "AUTH s3cret"), Reply::ok());
    assert_eq!(run(&mut engine, id, "PING"), Reply::Simple("PONG".into()));
}

#[test]
fn genpass_gives_the_bits_asked_for_in_hex() {
    let (mut engine, _) = engine(Config::default());
    let id = engine.connect();
    for (bits, digits) in [("", 64), ("5", 2), ("4096", 1024), ("1", 1)] {
        let line = format!("ACL GENPASS {bits}");
        let Reply::Bulk(pass) = run(&mut engine, id, line.trim()) else {
            panic!("not a bulk string");
        };
        assert_eq!(pass.len(), digits);
        assert!(pass.iter().all(u8::is_ascii_hexdigit));
    }
    let a = run(&mut engine, id, "ACL GENPASS");
    assert_ne!(a, run(&mut engine, id, "ACL GENPASS"));
}

#[test]
fn protected_mode_refuses_only_other_hosts_while_default_has_no_password() {
    let (mut engine, _) = engine(Config::default());
    let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
    for loopback in ["127.0.0.1", "127.1.2.3", "::1"] {
        assert!(!engine.protected_mode_refuses(ip(loopback)), "{loopback}");
    }
    for other in ["192.0.2.2", "10.0.0.1", "fd00::2", "::ffff:127.0.0.1"] {
        assert!(engine.protected_mode_refuses(ip(other)), "{other}");
    }
    let id = engine.connect();
    run(&mut engine, id, "CONFIG SET requirepass s3cret");
    assert!(!engine.protected_mode_refuses(ip("192.0.2.2")));
    run(&mut engine, id, "AUTH s3cret");
    run(
        &mut engine,
        id,
        "CONFIG SET requirepass \"\" protected-mode no",
    );
    assert!(!engine.protected_mode_refuses(ip("192.0.2.2")));
    run(&mut engine, id, "CONFIG SET protected-mode yes");
    assert!(engine.protected_mode_refuses(ip("192.0.2.2")));
}

/// INFO's rejected_connections counts refusals at accept: `maxclients` reached (checked
/// first), then protected mode; a refused connection is no connection received.
#[test]
fn refused_connections_are_counted_in_info() {
    let (mut engine, _) = engine(Config::default());
    let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
    let stat = |engine: &mut Engine, id: ClientId, name: &str| {
        let Reply::Verbatim { text, .. } = run(engine, id, "INFO stats") else {
            panic!("INFO is verbatim text");
        };
        let text = String::from_utf8(text).unwrap();
        let prefix = format!("{name}:");
        let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap();
        line[prefix.len()..].to_string()
    };
    assert_eq!(engine.admit(ip("127.0.0.1")), Ok(()));
    let admin = engine.connect();
    assert_eq!(engine.admit(ip("192.0.2.2")), Err(Error::ProtectedMode));
    run(&mut engine, admin, "CONFIG SET maxclients 1");
    assert_eq!(engine.admit(ip("127.0.0.1")), Err(Error::MaxClients));
    assert_eq!(engine.admit(ip("192.0.2.2")), Err(Error::MaxClients));
    assert_eq!(stat(&mut engine, admin, "rejected_connections"), "3");
    assert_eq!(stat(&mut engine, admin, "total_connections_received"), "1");
    assert_eq!(
        Reply::from(Error::MaxClients),
        Reply::Error("ERR max number of clients reached".into())
    );
}

#[test]
fn client_kill_user_closes_that_users_connections() {
    let (mut engine, _) = engine(Config::default());
    let admin = engine.connect();
    let carol = engine.connect();
    let other = engine.connect();
    run(&mut engine, admin, "ACL SETUSER carol on nopass +@all ~*");
    run(&mut engine, carol, "AUTH carol x");
    assert_eq!(
        run(&mut engine, admin, "CLIENT KILL USER nosuch"),
        Reply::Error("ERR No such user 'nosuch'".into())
    );
    assert_eq!(
        run(&mut engine, admin, "CLIENT KILL USER carol"),
        Reply::Integer(1)
    );
    assert!(engine.client(carol).unwrap().closing);
    assert!(!engine.client(other).unwrap().closing);
    assert_eq!(
        run(&mut engine, admin, "CLIENT KILL USER default SKIPME yes"),
        Reply::Integer(1),
        "the other default connection; carol's is closing already"
    );
}

#[test]
fn passwords_never_reach_the_slow_log() {
    let (mut engine, _) = engine(Config::default());
    let id = engine.connect();
    run(&mut engine, id, "CONFIG SET slowlog-log-slower-than 0");
    run(&mut engine, id, "ACL SETUSER zz on >pw ~*");
    run(&mut engine, id, "AUTH zz pw");
    run(&mut engine, id, "HELLO 2 AUTH zz pw SETNAME n");
    run(&mut engine, id, "AUTH default");
    let logged: Vec<Vec<String>> = engine
        .slowlog()
        .map(|e| {
            e.argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .collect();
    let r = "(redacted)";
    assert_eq!(
        logged[..4],
        [
            vec!["AUTH", r],
            vec!["HELLO", "2", "AUTH", r, r, "SETNAME", "n"],
            vec!["AUTH", r, r],
            vec!["ACL", "SETUSER", r, r, r, r],
        ]
    );
}

/// The key each command line is refused on, for a user who may only write `w:*` keys and only
/// read `r:*` ones, as the ACL LOG records it; `None` when the line runs.
#[test]
fn key_patterns_grant_what_each_key_spec_needs() {
    let (mut engine, _) = engine(Config::default());
    let admin = engine.connect();
    let user = engine.connect();
    run(
        &mut engine,
        admin,
        "ACL SETUSER split on nopass +@all %W~w:* %R~r:*",
    );
    run(&mut engine, user, "AUTH split any");
    let cases = [
        // DEL and LPUSH only delete and insert: write is enough.
        ("DEL w:a", None),
        ("LPUSH w:l x", None),
        ("GET r:a", None),
        ("GET w:a", Some("w:a")),
        // SET overwrites unless GET reads the old value.
        ("SET w:a v", None),
        ("SET w:a v GET", Some("w:a")),
        // The source is read and deleted, the destination written.
        ("RENAME r:a w:b", Some("r:a")),
        ("COPY r:a w:b", None),
        ("SORT r:l STORE w:d", None),
        ("SORT r:l STORE r:d", Some("r:d")),
        // A key neither read nor written needs only to match.
        ("EXISTS w:a r:a", None),
        ("TYPE w:a", None),
    ];
    for (line, refused_on) in cases {
        run(&mut engine, admin, "ACL LOG RESET");
        let reply = run(&mut engine, user, line);
        let logged = match run(&mut engine, admin, "ACL LOG 1") {
            Reply::Array(entries) if entries.is_empty() => None,
            Reply::Array(mut entries) => match entries.remove(0) {
                Reply::Map(pairs) => pairs
                    .into_iter()
                    .find(|(k, _)| *k == bulk("object"))
                    .map(|(_, object)| object),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(logged, refused_on.map(bulk), "{line}: {reply:?}");
        if refused_on.is_some() {
            let expected =
                "NOPERM this user has no permissions to access one of the keys used as arguments";
            assert_eq!(reply, Reply::Error(expected.into()), "{line}");
        }
    }
}

/// An ACL file kept in memory, shared with the test that reads what ACL SAVE wrote.
#[derive(Clone, Default)]
struct MemoryAclFile(std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>>);

impl AclFileAccess for MemoryAclFile {
    fn read(&mut self, _: &str) -> Result<Vec<u8>, String> {
        self.0
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| "No such file or directory".to_string())
    }

    fn write(&mut self, _: &str, contents: &[u8]) -> Result<(), String> {
        *self.0.lock().unwrap() = Some(contents.to_vec());
        Ok(())
    }
}

#[test]
fn acl_load_replaces_the_users_and_closes_their_connections() {
    let mut config = Config::default();
    config.set(b"aclfile", b"users.acl", true).unwrap();
    let (mut engine, _) = engine(config);
    let file = MemoryAclFile::default();
    *file.0.lock().unwrap() = Some(b"user alice on >pw +@all ~*\n".to_vec());
    assert_eq!(engine.load_acl_file(Box::new(file.clone())), Ok(()));
    let admin = engine.connect();
    let alice = engine.connect();
    assert_eq!(run(&mut engine, alice, "AUTH alice pw"), Reply::ok());
    run(&mut engine, admin, "ACL SETUSER bob on nopass +ping");
    assert_eq!(run(&mut engine, admin, "ACL SAVE"), Reply::ok());
    let saved = file.0.lock().unwrap().clone().unwrap();
    assert_eq!(
        String::from_utf8(saved).unwrap(),
        format!(
            "user alice on #{} ~* resetchannels +@all\nuser bob on nopass resetchannels -@all \
             +ping\nuser default on nopass ~* &* +@all\n",
            keyspace::acl::hash_password(b"pw")
        )
    );
    // A bad file changes nothing; a good one replaces every user, alice's connection closes.
    *file.0.lock().unwrap() = Some(b"user carol on +nosuch\n".to_vec());
    let Reply::Error(errors) = run(&mut engine, admin, "ACL LOAD") else {
        panic!("a bad file is refused");
    };
    assert!(errors.starts_with("ERR users.acl:1: Error in applying operation '+nosuch'"));
    assert!(!engine.client(alice).unwrap().closing);
    *file.0.lock().unwrap() = Some(b"user alice on >pw +@all ~*\n".to_vec());
    assert_eq!(run(&mut engine, admin, "ACL LOAD"), Reply::ok());
    assert_eq!(
        run(&mut engine, admin, "ACL USERS"),
        Reply::Array(vec![bulk("alice"), bulk("default")])
    );
    assert!(engine.client(alice).unwrap().closing);
    assert!(!engine.client(admin).unwrap().closing);
    *file.0.lock().unwrap() = None;
    assert_eq!(
        run(&mut engine, admin, "ACL LOAD"),
        Reply::Error(
            "ERR Error loading ACLs, opening file 'users.acl': No such file or directory".into()
        )
    );
}
