//! Running a sequence on both servers and judging it: each step goes to real Redis and then to
//! our server on the same-numbered connection, and the two replies are compared by the rule
//! `crate::commands` gives for that command. After a random command took different turns on
//! the two servers, the keys it touched are brought back in step ([`resync`]). A failing
//! sequence is shrunk (steps, then arguments, dropped while the last step still differs) and
//! written as a `.redis` script that `keyspace-difftest scripts` runs as is.

use std::io;
use std::thread::sleep;
use std::time::Duration;

use keyspace::cli::word;
use keyspace::spec::{self, flag};

use crate::commands::{compare_for, random_for, Compare, CLOCK_TOLERANCE_MS, KEY};
use crate::generate::{loosely_compared, Step};
use crate::resp::{shortened, Connection, Value};
use crate::server::Server;

/// Empties every database, drops the function libraries (which FLUSHALL keeps) and puts
/// back the settings sequences may change.
fn reset(server: &mut Server) -> io::Result<()> {
    server.control(&["FLUSHALL"])?;
    server.control(&["FUNCTION", "FLUSH"])?;
    server.control(&["CONFIG", "SET", "hz", "10", "active-expire-effort", "1"])?;
    Ok(())
}

/// What a server answered: a reply, or how the connection failed.
type Answer = Result<Value, String>;

/// Where two servers first disagreed in a sequence.
#[derive(Debug)]
pub struct Mismatch {
    /// The index of the step.
    pub at: usize,
    pub redis: String,
    pub ours: String,
}

/// One generated client: its connection to each server, and what the tester must know of its
/// state.
struct Client {
    redis: Connection,
    ours: Connection,
    /// Inside MULTI, as redis-server answered: its commands are queued, not run.
    in_multi: bool,
    /// The keys its queued random writes touch, brought in step after EXEC.
    queued_random_keys: Vec<Vec<u8>>,
}

impl Client {
    fn open(redis: &Server, ours: &Server) -> io::Result<Client> {
        Ok(Client {
            redis: Connection::open(redis.port)?,
            ours: Connection::open(ours.port)?,
            in_multi: false,
            queued_random_keys: Vec::new(),
        })
    }
}

/// Runs `steps` on fresh state on both servers. `Ok(None)` when every reply agreed.
pub fn check(
    redis: &mut Server,
    ours: &mut Server,
    steps: &[Step],
    clients: usize,
) -> io::Result<Option<Mismatch>> {
    reset(redis)?;
    reset(ours)?;
    let mut expired = false;
    let mut connections: Vec<Option<Client>> = (0..clients).map(|_| None).collect();
    for (at, step) in steps.iter().enumerate() {
        let client = match &mut connections[step.client] {
            Some(client) => client,
            slot => slot.insert(Client::open(redis, ours)?),
        };
        let compare = compare_for(&step.name);
        let keys: Vec<Vec<u8>> = spec::key_indexes(&step.argv)
            .into_iter()
            .map(|at| step.argv[at].clone())
            .collect();
        // What each side may draw from, read just before (a queued read would tell nothing).
        let drawn_from = random_for(&step.name)
            .and_then(|random| random.drawn_from)
            .filter(|_| !client.in_multi)
            .and_then(|view| with_key(view, &keys))
            .map(|argv| {
                (
                    call(&mut client.redis, &argv),
                    call(&mut client.ours, &argv),
                )
            });
        let (a, b) = match compare {
            Compare::Scan { cursor_at, pairs } => (
                scan(&mut client.redis, &step.argv, cursor_at, pairs),
                scan(&mut client.ours, &step.argv, cursor_at, pairs),
            ),
            _ => (
                call(&mut client.redis, &step.argv),
                call(&mut client.ours, &step.argv),
            ),
        };
        let drawn = drawn_from
            .as_ref()
            .is_none_or(|(from_a, from_b)| drawn(&a, from_a) && drawn(&b, from_b));
        if !agree(compare, &a, &b, expired) || !drawn {
            return Ok(Some(Mismatch {
                at,
                redis: describe(&a),
                ours: describe(&b),
            }));
        }
        if let Err((redis_said, ours_said)) = keep_in_step(client, step, &keys, &a, &b) {
            return Ok(Some(Mismatch {
                at,
                redis: format!(
                    "{} (then, bringing its keys in step: {redis_said})",
                    describe(&a)
                ),
                ours: format!(
                    "{} (then, bringing its keys in step: {ours_said})",
                    describe(&b)
                ),
            }));
        }
        if step.name == "quit" {
            connections[step.client] = None;
        }
        if step.sleep_after_ms > 0 {
            expired = true;
            sleep(Duration::from_millis(step.sleep_after_ms));
        }
    }
    Ok(None)
}

/// `view` with [`KEY`] replaced by the command's first key; `None` when it needs a key and the
/// command line has none (it is broken, and its error is compared exactly).
fn with_key(view: &[&str], keys: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    view.iter()
        .map(|word| match *word == KEY {
            true => keys.first().cloned(),
            false => Some(word.as_bytes().to_vec()),
        })
        .collect()
}

/// Whether every scalar of a random command's reply is one of those `from` held: a member,
/// field, value, score or key that was there to draw. An error is compared exactly elsewhere.
fn drawn(reply: &Answer, from: &Answer) -> bool {
    let Ok(reply) = reply else { return true };
    if reply.is_error() {
        return true;
    }
    let Ok(from) = from else { return false };
    let available = scalars(from);
    scalars(reply).iter().all(|v| available.contains(v))
}

fn scalars(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            items.iter().flat_map(scalars).collect()
        }
        Value::Map(pairs) => pairs
            .iter()
            .flat_map(|(k, v)| scalars(k).into_iter().chain(scalars(v)))
            .collect(),
        Value::NullBulk | Value::NullArray | Value::Null => Vec::new(),
        scalar => vec![scalar],
    }
}

/// Follows the client's transaction, and after a random write whose outcome differed on the
/// two servers (at once, or at the EXEC that ran it) brings the keys it touched back in step.
/// An error is what each server said to that.
fn keep_in_step(
    client: &mut Client,
    step: &Step,
    keys: &[Vec<u8>],
    a: &Answer,
    b: &Answer,
) -> Result<(), (String, String)> {
    let random_write = random_for(&step.name).is_some()
        && spec::resolve(&step.argv).is_ok_and(|(spec, _)| spec.has(flag::WRITE));
    match (step.name.as_str(), a) {
        ("multi", Ok(Value::Simple(ok))) if ok == b"OK" => client.in_multi = true,
        ("exec", _) => {
            client.in_multi = false;
            let keys = std::mem::take(&mut client.queued_random_keys);
            if matches!(a, Ok(Value::Array(_))) {
                return resync(client, &keys);
            }
        }
        ("discard" | "reset", _) => {
            client.in_multi = false;
            client.queued_random_keys.clear();
        }
        (_, Ok(Value::Simple(queued)))
            if random_write && client.in_multi && queued == b"QUEUED" =>
        {
            client.queued_random_keys.extend(keys.iter().cloned());
        }
        (_, Ok(reply)) if random_write && !client.in_multi && !reply.is_error() => {
            // The same elements (in any order) leave the same state behind.
            let same = b
                .as_ref()
                .is_ok_and(|b| sorted(reply, false) == sorted(b, false));
            if !same {
                return resync(client, keys);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Brings `keys` back in step after a random write took different turns: each is restored on
/// both servers from redis-server's DUMP, with redis-server's expiry time, or deleted on both
/// when redis-server has none. Both load the same payload, so their encodings agree too (a
/// value is encoded by its size when loaded, where one shrunk in place may keep a larger
/// encoding). An error is what each server said to the first request that failed.
fn resync(client: &mut Client, keys: &[Vec<u8>]) -> Result<(), (String, String)> {
    let on_redis = |e: String| (e, String::from("(not asked)"));
    for key in keys {
        let ask = |command: &str| vec![command.as_bytes().to_vec(), key.clone()];
        let payload = call(&mut client.redis, &ask("DUMP")).map_err(on_redis)?;
        let expires_at = call(&mut client.redis, &ask("PEXPIRETIME")).map_err(on_redis)?;
        let argv = match (payload, expires_at) {
            (Value::NullBulk | Value::Null, _) => ask("DEL"),
            (Value::Bulk(payload), Value::Integer(at)) => {
                let mut argv = ask("RESTORE");
                argv.extend([
                    at.max(0).to_string().into_bytes(),
                    payload,
                    b"REPLACE".to_vec(),
                ]);
                if at > 0 {
                    argv.push(b"ABSTTL".to_vec());
                }
                argv
            }
            (payload, expires_at) => {
                return Err(on_redis(format!(
                    "DUMP {payload}, PEXPIRETIME {expires_at}"
                )))
            }
        };
        let a = call(&mut client.redis, &argv);
        let b = call(&mut client.ours, &argv);
        if !matches!((&a, &b), (Ok(x), Ok(y)) if !x.is_error() && !y.is_error()) {
            let verb = String::from_utf8_lossy(&argv[0]).into_owned();
            return Err((
                format!("{verb}: {}", describe(&a)),
                format!("{verb}: {}", describe(&b)),
            ));
        }
    }
    Ok(())
}

fn call(connection: &mut Connection, argv: &[Vec<u8>]) -> Answer {
    connection.call(argv).map_err(|e| e.to_string())
}

/// A reply for a report.
fn describe(answer: &Answer) -> String {
    shortened(match answer {
        Ok(value) => value.to_string(),
        Err(e) => format!("<connection error: {e}>"),
    })
}

/// A cursor command iterated to the end: the sorted, deduplicated elements it returned (as
/// an array of one-element or pair arrays), or the first reply that is not a (cursor,
/// elements) pair. Only a walk from cursor 0 promises every element: one from another cursor
/// (`SCAN -1` is a valid one) sees the buckets left in Redis's randomly seeded hash table, so
/// for it only the reply's shape is compared (an empty array stands for any valid page).
fn scan(connection: &mut Connection, argv: &[Vec<u8>], cursor_at: usize, pairs: bool) -> Answer {
    let mut argv = argv.to_vec();
    let from_start = argv
        .get(cursor_at)
        .and_then(|c| std::str::from_utf8(c).ok())
        .and_then(|c| c.parse::<u64>().ok())
        == Some(0);
    let mut met: Vec<Vec<Value>> = Vec::new();
    for _ in 0..10_000 {
        let reply = call(connection, &argv)?;
        let (cursor, elements) = match reply.elements() {
            Some([Value::Bulk(cursor), page]) => match page.elements() {
                Some(_) if !from_start => return Ok(Value::Array(Vec::new())),
                Some(elements) => (cursor.clone(), elements.to_vec()),
                None => return Ok(reply),
            },
            _ => return Ok(reply),
        };
        met.extend(
            elements
                .chunks(if pairs { 2 } else { 1 })
                .map(<[Value]>::to_vec),
        );
        if cursor == b"0" {
            met.sort();
            met.dedup();
            return Ok(Value::Array(met.into_iter().map(Value::Array).collect()));
        }
        match argv.get_mut(cursor_at) {
            Some(slot) => *slot = cursor,
            None => return Err("the cursor argument is missing".into()),
        }
    }
    Err("SCAN did not come back to cursor 0 in 10,000 calls".into())
}

fn agree(compare: Compare, a: &Answer, b: &Answer, expired: bool) -> bool {
    let (Ok(a), Ok(b)) = (a, b) else {
        return a == b;
    };
    if a == b {
        return true;
    }
    match compare {
        Compare::Exact | Compare::Scan { .. } => false,
        Compare::Unordered => sorted(a, false) == sorted(b, false),
        Compare::Pairs => sorted(a, true) == sorted(b, true),
        Compare::Shape | Compare::Random => a.shape() == b.shape(),
        Compare::ExactUntilExpiry => expired && a.shape() == b.shape(),
        Compare::Near(tolerance) => match (a, b) {
            (Value::Integer(x), Value::Integer(y)) => {
                *x >= 0 && *y >= 0 && (x - y).abs() <= tolerance
            }
            _ => false,
        },
        Compare::Hello => without_id(a) == without_id(b),
        Compare::Clocked => clocked(a, b),
    }
}

/// [`Compare::Clocked`]: the same reply but for the clock readings, which are within
/// [`CLOCK_TOLERANCE_MS`].
fn clocked(a: &Value, b: &Value) -> bool {
    let near = |x: &Value, y: &Value| match (x, y) {
        (Value::Integer(x), Value::Integer(y)) => (x - y).abs() <= CLOCK_TOLERANCE_MS,
        _ => x == y,
    };
    let clock_name = |v: &Value| {
        matches!(v, Value::Bulk(name) | Value::Simple(name)
            if name == b"seen-time" || name == b"idle")
    };
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            // A PEL entry: its ID, (its owner,) its time, its delivery count.
            let time_at = match x.as_slice() {
                [Value::Bulk(_), Value::Bulk(_), Value::Integer(_), Value::Integer(_)] => Some(2),
                [Value::Bulk(_), Value::Integer(_), Value::Integer(_)] => Some(1),
                _ => None,
            };
            x.iter().zip(y).enumerate().all(|(i, (u, v))| {
                let after_name = i > 0 && clock_name(&x[i - 1]);
                match time_at == Some(i) || after_name {
                    true => near(u, v),
                    false => clocked(u, v),
                }
            })
        }
        (Value::Map(x), Value::Map(y)) if x.len() == y.len() => {
            x.iter().zip(y).all(|((k, u), (l, v))| {
                k == l
                    && match clock_name(k) {
                        true => near(u, v),
                        false => clocked(u, v),
                    }
            })
        }
        _ => a == b,
    }
}

fn sorted(value: &Value, pairs: bool) -> Value {
    match value.clone() {
        Value::Array(items) if pairs => {
            let mut chunks: Vec<Vec<Value>> = items.chunks(2).map(<[Value]>::to_vec).collect();
            chunks.sort();
            Value::Array(chunks.into_iter().flatten().collect())
        }
        Value::Array(mut items) => {
            items.sort();
            Value::Array(items)
        }
        Value::Set(mut items) => {
            items.sort();
            Value::Set(items)
        }
        Value::Map(mut pairs) => {
            pairs.sort();
            Value::Map(pairs)
        }
        other => other,
    }
}

/// HELLO's reply with the connection's id blanked, in either protocol's shape.
fn without_id(value: &Value) -> Value {
    let is_id = |v: &Value| matches!(v, Value::Bulk(k) | Value::Simple(k) if k == b"id");
    match value.clone() {
        Value::Map(pairs) => Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| match is_id(&k) {
                    true => (k, Value::Integer(0)),
                    false => (k, v),
                })
                .collect(),
        ),
        Value::Array(mut items) => {
            if let Some(at) = items.iter().position(is_id) {
                if let Some(v) = items.get_mut(at + 1) {
                    *v = Value::Integer(0);
                }
            }
            Value::Array(items)
        }
        other => other,
    }
}

/// Shrinks a failing sequence: cut after the first differing step, then drop steps and
/// arguments one at a time while the (new) last step still differs. Arguments of the last
/// step may go only while both replies stay exactly as they were, so the shrunk script shows
/// the same difference rather than another (COMMAND INFO without its names is another
/// command). Each try runs on fresh state; `budget` bounds the tries.
pub fn shrink(
    redis: &mut Server,
    ours: &mut Server,
    steps: &[Step],
    found: &Mismatch,
    clients: usize,
    mut budget: usize,
) -> io::Result<Vec<Step>> {
    let mut best = steps[..=found.at].to_vec();
    let mut fails = |candidate: &[Step], same_replies: bool| -> io::Result<bool> {
        Ok(match check(redis, ours, candidate, clients)? {
            Some(m) if m.at + 1 == candidate.len() => {
                !same_replies || (m.redis == found.redis && m.ours == found.ours)
            }
            _ => false,
        })
    };
    let mut progress = true;
    while progress {
        progress = false;
        let mut i = best.len().saturating_sub(1);
        while i > 0 && budget > 0 {
            i -= 1;
            budget -= 1;
            let mut candidate = best.clone();
            candidate.remove(i);
            if fails(&candidate, false)? {
                best = candidate;
                progress = true;
            }
        }
        for i in (0..best.len()).rev() {
            let last = i + 1 == best.len();
            // A subcommand's name stays: CONFIG without GET is another command.
            let first = if best[i].name.contains('|') { 2 } else { 1 };
            for j in (first..best[i].argv.len()).rev() {
                if budget == 0 || j >= best[i].argv.len() {
                    continue;
                }
                budget -= 1;
                let mut candidate = best.clone();
                candidate[i].argv.remove(j);
                if fails(&candidate, last)? {
                    best = candidate;
                    progress = true;
                }
            }
        }
        progress &= budget > 0;
    }
    Ok(best)
}

/// The sequence as a compat script, ready for `tests/compat/`.
pub fn script(steps: &[Step], header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    let mut client = 0;
    for step in steps {
        if step.client != client {
            client = step.client;
            out.push_str(&format!("@client {}\n", client_name(client)));
        }
        match compare_for(&step.name) {
            Compare::Unordered => out.push_str("@unordered\n"),
            Compare::Pairs => out.push_str("@pairs\n"),
            _ if loosely_compared(&step.name) => out.push_str(
                "# the tester compares the next reply only in part (see crates/difftest)\n",
            ),
            _ => {}
        }
        let words: Vec<String> = step.argv.iter().map(|a| word(a)).collect();
        out.push_str(&words.join(" "));
        out.push('\n');
        if step.sleep_after_ms > 0 {
            out.push_str(&format!("@sleep {}\n", step.sleep_after_ms));
        }
    }
    out
}

/// A script's first connection is `main`.
fn client_name(client: usize) -> String {
    match client {
        0 => "main".into(),
        n => format!("c{}", n + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_quote_what_needs_it() {
        let step = |client, argv: &[&str], sleep_after_ms| Step {
            client,
            argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            name: argv[0].to_lowercase(),
            sleep_after_ms,
        };
        let text = script(
            &[
                step(0, &["SET", "k1", "hello world", "PX", "1"], 10),
                step(1, &["KEYS", "*"], 0),
                step(0, &["GET", ""], 0),
            ],
            "found",
        );
        assert_eq!(
            text,
            "# found\nSET k1 \"hello world\" PX 1\n@sleep 10\n@client c2\n@unordered\nKEYS *\n\
             @client main\nGET \"\"\n"
        );
    }

    #[test]
    fn random_replies_are_drawn_from_what_was_there() {
        let bulk = |s: &str| Value::Bulk(s.as_bytes().to_vec());
        let members = Ok(Value::Set(vec![bulk("a"), bulk("b")]));
        assert!(drawn(&Ok(bulk("a")), &members));
        assert!(drawn(
            &Ok(Value::Array(vec![bulk("b"), bulk("b")])),
            &members
        ));
        assert!(!drawn(&Ok(bulk("c")), &members));
        assert!(drawn(&Ok(Value::NullBulk), &members));
        assert!(drawn(&Ok(Value::Error(b"WRONGTYPE".to_vec())), &members));
        // RESP3's HRANDFIELD ... WITHVALUES pairs, from HGETALL's map.
        let hash = Ok(Value::Map(vec![(bulk("f"), bulk("v"))]));
        let pair = |f: &str, v: &str| Value::Array(vec![bulk(f), bulk(v)]);
        assert!(drawn(&Ok(Value::Array(vec![pair("f", "v")])), &hash));
        assert!(!drawn(&Ok(Value::Array(vec![pair("f", "w")])), &hash));
        let key = |k: &str| vec![k.as_bytes().to_vec()];
        assert_eq!(
            with_key(&["SMEMBERS", KEY], &key("k1")),
            Some(vec![b"SMEMBERS".to_vec(), b"k1".to_vec()])
        );
        assert_eq!(with_key(&["SMEMBERS", KEY], &[]), None);
        assert_eq!(
            with_key(&["KEYS", "*"], &[]).map(|argv| argv.len()),
            Some(2)
        );
    }

    #[test]
    fn loose_rules() {
        let int = |n| Ok(Value::Integer(n));
        assert!(agree(Compare::Near(1), &int(100), &int(99), false));
        assert!(!agree(Compare::Near(1), &int(-1), &int(-2), false));
        let a = Ok(Value::Array(vec![Value::Integer(1), Value::Integer(2)]));
        let b = Ok(Value::Array(vec![Value::Integer(2), Value::Integer(1)]));
        assert!(agree(Compare::Unordered, &a, &b, false));
        assert!(!agree(Compare::Exact, &a, &b, false));
        assert!(!agree(Compare::ExactUntilExpiry, &int(1), &int(2), false));
        assert!(agree(Compare::ExactUntilExpiry, &int(1), &int(2), true));
        // A PEL entry's delivery time and a consumer's seen-time are clocks; counts are not.
        let bulk = |s: &str| Value::Bulk(s.as_bytes().to_vec());
        let entry = |time, count| {
            let fields = vec![bulk("1-1"), bulk("alice"), Value::Integer(time)];
            Ok(Value::Array([fields, vec![Value::Integer(count)]].concat()))
        };
        let consumer = |seen| {
            let fields = vec![bulk("name"), bulk("alice"), bulk("seen-time")];
            Ok(Value::Array([fields, vec![Value::Integer(seen)]].concat()))
        };
        let clocked = |a, b| agree(Compare::Clocked, &a, &b, false);
        assert!(clocked(entry(1000, 1), entry(1040, 1)));
        assert!(!clocked(entry(1000, 1), entry(1000, 2)));
        assert!(clocked(consumer(5000), consumer(5003)));
        assert!(!clocked(consumer(5000), consumer(9000)));
    }
}
