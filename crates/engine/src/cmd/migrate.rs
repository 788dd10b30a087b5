//! MIGRATE (keys moved, or copied, to another server: DUMP here, RESTORE there, DEL here once
//! the target said OK), RESTORE-ASKING (RESTORE under the name a cluster's migration sends
//! it), and ASKING (a cluster redirection's companion: refused, as cluster mode is off). The
//! connections, and why MIGRATE holds every other client back while it talks to the target,
//! are `crate::migrate`'s.

use crate::args::{is, parse_i64};
use crate::cmd::server::KeyReference;
use crate::engine::{Call, Engine, Outcome};
use crate::error::Error;
use crate::event::NotifyClass;
use crate::migrate::IoFailure;
use crate::reply::Reply;
use crate::resp::encode_request;
use crate::spec::{flag, key_flag, CommandResult, CommandSpec, KeySpec};

/// What MIGRATE does to the keys it finds: reads them, and removes them unless COPY.
const MIGRATED: u32 = key_flag::RW | key_flag::ACCESS | key_flag::DELETE;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "migrate",
        arity: -6,
        flags: flag::WRITE | flag::MOVABLEKEYS | flag::ACL_DANGEROUS,
        group: "generic",
        since: "2.6.0",
        summary: "Moves keys to another server, or copies them with COPY: DUMP here, RESTORE \
                  there, then DEL here.",
        syntax: "host port (key | \"\") destination-db timeout [COPY] [REPLACE] \
                 [[AUTH password] | [AUTH2 username password]] [KEYS key [key ...]]",
        complexity: "Those of DUMP and DEL here and of RESTORE on the target, plus sending the \
                     values over the network: O(N) in their size.",
        keys: &[
            KeySpec::range(MIGRATED, 3, 0, 1),
            KeySpec::keyword(MIGRATED | key_flag::INCOMPLETE, "KEYS", -2, -1, 1, 0),
        ],
        tips: &["nondeterministic_output"],
        handler: Some(migrate),
        subcommands: &[],
    },
    CommandSpec {
        name: "restore-asking",
        arity: -4,
        flags: flag::WRITE
            | flag::DENYOOM
            | flag::ASKING
            | flag::ACL_KEYSPACE
            | flag::ACL_DANGEROUS,
        group: "server",
        since: "3.0.0",
        summary: "RESTORE as a cluster's key migration sends it (here, without a cluster, \
                  RESTORE itself).",
        syntax: "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] \
                 [FREQ frequency]",
        complexity: "As RESTORE: O(1) to create the key and O(N*M) to rebuild the value.",
        keys: &[KeySpec::range(key_flag::OW | key_flag::UPDATE, 1, 0, 1)],
        tips: &[],
        handler: Some(crate::cmd::persist::restore),
        subcommands: &[],
    },
    CommandSpec {
        name: "asking",
        arity: 1,
        flags: flag::FAST | flag::ACL_CONNECTION,
        group: "cluster",
        since: "3.0.0",
        summary: "Follows a cluster's -ASK redirection (refused: cluster mode is off).",
        syntax: "",
        complexity: "O(1)",
        keys: &[],
        tips: &[],
        handler: Some(asking),
        subcommands: &[],
    },
];

/// MIGRATE's keys, as Redis's `migrateGetKeys` finds them when the key specs cannot (the
/// KEYS form): the one key at 3, or what follows KEYS when the key is empty (none when it is
/// not, a syntax error MIGRATE itself reports), skipping the options' own arguments on the way.
pub(crate) fn get_keys(argv: &[Vec<u8>]) -> Vec<KeyReference> {
    let (mut first, mut count) = (3, 1);
    let mut i = 6;
    while i < argv.len() {
        if is(&argv[i], "keys") {
            if argv[3].is_empty() {
                first = i + 1;
                count = argv.len() - first;
            } else {
                count = 0;
            }
            break;
        }
        i += match () {
            _ if is(&argv[i], "auth") => 2,
            _ if is(&argv[i], "auth2") => 3,
            _ => 1,
        };
    }
    (first..first + count).map(|at| (at, MIGRATED)).collect()
}

/// MIGRATE's options, as `migrateCommand` reads them.
struct Options<'a> {
    copy: bool,
    replace: bool,
    auth: Option<(Option<&'a [u8]>, &'a [u8])>,
    /// Where the keys start among the arguments, and how many.
    keys: (usize, usize),
}

fn options(argv: &[Vec<u8>]) -> Result<Options<'_>, Error> {
    let mut o = Options {
        copy: false,
        replace: false,
        auth: None,
        keys: (3, 1),
    };
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is(&argv[j], "copy") {
            o.copy = true;
        } else if is(&argv[j], "replace") {
            o.replace = true;
        } else if is(&argv[j], "auth") {
            if more == 0 {
                return Err(Error::Syntax);
            }
            o.auth = Some((None, &argv[j + 1]));
            j += 1;
        } else if is(&argv[j], "auth2") {
            if more < 2 {
                return Err(Error::Syntax);
            }
            o.auth = Some((Some(&argv[j + 1]), &argv[j + 2]));
            j += 2;
        } else if is(&argv[j], "keys") {
            if !argv[3].is_empty() {
                return Err(Error::MigrateKeysWithKey);
            }
            o.keys = (j + 1, argv.len() - j - 1);
            break;
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// ```text
/// MIGRATE host port <key | ""> destination-db timeout [COPY] [REPLACE]
///     [AUTH password | AUTH2 username password] [KEYS key [key ...]]
/// ```
/// Redis's `migrateCommand`: the options, the timeout (≤ 0 means a second) and the database
/// checked; NOKEY when none of the keys exists; then on the kept (or a new) connection AUTH
/// and SELECT when needed and a RESTORE per key still alive with its remaining TTL, all sent
/// at once, and the replies read in order. Each key the target restored is deleted here
/// (unless COPY), and the deletions are propagated as one DEL. The first error the target
/// answers is the reply; a broken connection is retried once on a fresh one when nothing was
/// restored yet and the timeout did not pass.
fn migrate(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    let argv = call.argv;
    let o = options(argv)?;
    let timeout = parse_i64(&argv[5])?;
    let db = parse_i64(&argv[4])?;
    let timeout_ms = if timeout <= 0 { 1000 } else { timeout as u64 };
    let (first, count) = o.keys;
    let mut keys: Vec<&[u8]> = Vec::new();
    for key in &argv[first..first + count] {
        if engine.lookup_read(call.db, key).is_some() {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        return Ok(Reply::Simple("NOKEY".into()).into());
    }
    let name = [&argv[1][..], b":", &argv[2][..]].concat();
    let mut may_retry = true;
    loop {
        match exchange(engine, call, &o, &name, &keys, db, timeout_ms) {
            Exchange::Done(result) => return result,
            Exchange::Failed { retry, writing } => {
                engine.migrate.close(&name);
                if !(retry && may_retry) {
                    return Err(Error::MigrateIo { writing });
                }
                may_retry = false;
            }
        }
    }
}

/// How one try of MIGRATE's exchange ended.
enum Exchange {
    /// With a reply for the client (OK, the target's error, or no connection).
    Done(CommandResult),
    /// On a broken connection; `retry` when a fresh one may be tried.
    Failed { retry: bool, writing: bool },
}

fn exchange(
    engine: &mut Engine,
    call: &Call<'_>,
    o: &Options<'_>,
    name: &[u8],
    keys: &[&[u8]],
    db: i64,
    timeout_ms: u64,
) -> Exchange {
    let argv = call.argv;
    let now_s = engine.now_ms / 1000;
    let rng = &mut engine.rng;
    let socket = engine
        .migrate
        .socket(name, &argv[1], &argv[2], timeout_ms, now_s, |n| {
            rng.below(n)
        });
    let Some(socket) = socket else {
        return Exchange::Done(Err(Error::MigrateConnect));
    };
    let mut request = Vec::new();
    if let Some((user, password)) = o.auth {
        let auth: Vec<&[u8]> = std::iter::once(&b"AUTH"[..])
            .chain(user)
            .chain([password])
            .collect();
        encode_request(&mut request, &auth);
    }
    let select = socket.last_db != Some(db);
    if select {
        encode_request(&mut request, &[&b"SELECT"[..], db.to_string().as_bytes()]);
    }
    // Keys alive when looked up may have run out since: they are left out.
    let mut sent: Vec<&[u8]> = Vec::new();
    for &key in keys {
        let ttl = match engine.get_expire(call.db, key) {
            Some(at) if at < engine.now_ms => continue,
            Some(at) => (at - engine.now_ms).max(1),
            None => 0,
        };
        let dumped = engine.dbs[call.db].keys.get(key);
        let Some(payload) = dumped.map(|entry| engine.dump_value(&entry.value)) else {
            continue;
        };
        let ttl = ttl.to_string();
        let mut restore: Vec<&[u8]> = vec![b"RESTORE", key, ttl.as_bytes(), &payload];
        if o.replace {
            restore.push(b"REPLACE");
        }
        encode_request(&mut request, &restore);
        sent.push(key);
    }
    let Some(outbound) = engine.migrate.outbound.as_mut() else {
        return Exchange::Done(Err(Error::MigrateConnect));
    };
    if outbound.write(socket.conn, &request, timeout_ms).is_err() {
        return Exchange::Failed {
            retry: true,
            writing: true,
        };
    }
    let mut refusal: Option<Vec<u8>> = None;
    for _ in [o.auth.is_some(), select].into_iter().filter(|&b| b) {
        match outbound.read_line(socket.conn, timeout_ms) {
            Ok(line) if !line.is_empty() => {
                if line[0] == b'-' && refusal.is_none() {
                    refusal = Some(line);
                }
            }
            Ok(_) | Err(IoFailure::Broken) => {
                return Exchange::Failed {
                    retry: true,
                    writing: false,
                }
            }
            Err(IoFailure::TimedOut) => {
                return Exchange::Failed {
                    retry: false,
                    writing: false,
                }
            }
        }
    }
    let mut restored: Vec<&[u8]> = Vec::new();
    let mut broken = None;
    for (j, &key) in sent.iter().enumerate() {
        let line = match outbound.read_line(socket.conn, timeout_ms) {
            Ok(line) if !line.is_empty() => line,
            failure => {
                broken = Some((j, failure.err() == Some(IoFailure::TimedOut)));
                break;
            }
        };
        if refusal.is_none() && line[0] == b'-' {
            refusal = Some(line);
        } else if refusal.is_none() && !o.copy {
            restored.push(key);
        }
    }
    if broken.is_some() {
        engine.migrate.close(name);
    }
    for &key in &restored {
        engine.db_delete(call.db, key);
        engine.notify(NotifyClass::Generic, "del", call.db, key);
    }
    // What is logged and replicated is the DEL of what left, not the MIGRATE.
    engine.prevent_propagation();
    if !restored.is_empty() {
        let del: Vec<&[u8]> = std::iter::once(&b"DEL"[..]).chain(restored).collect();
        engine.also_propagate(call.db, &del);
    }
    match (refusal, broken) {
        (Some(line), _) => {
            engine.migrate.selected(name, None);
            Exchange::Done(Err(Error::MigrateTarget(
                String::from_utf8_lossy(&line[1..]).into_owned(),
            )))
        }
        // Nothing was restored and the connection broke at once: a stale kept connection,
        // worth one more try on a fresh one.
        (None, Some((0, false))) => Exchange::Failed {
            retry: true,
            writing: false,
        },
        (None, Some(_)) => Exchange::Failed {
            retry: false,
            writing: false,
        },
        (None, None) => {
            engine.migrate.selected(name, Some(db));
            Exchange::Done(Ok(Outcome::Reply(Reply::ok())))
        }
    }
}

/// ```text
/// ASKING
/// ```
fn asking(_: &mut Engine, _: &Call<'_>) -> CommandResult {
    Err(Error::ClusterDisabled)
}
