//! Playing compat scripts (`crate::script`) on a real redis-server and on the server under
//! test, a fresh pair per file, and comparing every reply as parsed RESP: type and bytes,
//! after the ordering and masks the script asked for. Each line goes to Redis first, then
//! to ours, on the same-named connection.
//!
//! Reading follows what a client sees. A connection that has sent (P|S)SUBSCRIBE or MONITOR
//! receives messages whenever they come, so everything that arrives until [`WINDOW`] passes
//! in silence is its command's reply; so it is for the (P|S)UNSUBSCRIBE commands, which
//! answer once per channel. Any other connection reads one reply per command, and a RESP3
//! push that comes before it (a tracking invalidation) is kept for the next `@read`. A reply
//! that does not come within [`REPLY_WAIT`] is a timeout, and a closed connection is lost:
//! either way the connection is dropped and made anew on its next use, so that a late reply
//! is never taken for the next command's.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use regex::bytes::Regex;

use crate::resp::{is_timeout, shortened, Connection, Value};
use crate::script::{self, Item, MASKED};
use crate::server::Server;

/// How long a reply may take.
const REPLY_WAIT: Duration = Duration::from_secs(5);
/// The silence that ends a collection of replies or messages.
const WINDOW: Duration = Duration::from_millis(50);

/// Commands after which a connection receives what it did not ask for.
const SUBSCRIBING: &[&[u8]] = &[b"subscribe", b"psubscribe", b"ssubscribe", b"monitor"];
/// Commands with one reply per channel, pushes in RESP3, on any connection.
const UNSUBSCRIBING: &[&[u8]] = &[b"unsubscribe", b"punsubscribe", b"sunsubscribe"];

pub struct Options {
    pub server: PathBuf,
    pub redis_server: PathBuf,
    /// Config arguments for both servers (`--enable-debug-command yes`).
    pub args: Vec<String>,
    /// Report agreeing lines too.
    pub verbose: bool,
    pub files: Vec<PathBuf>,
}

/// Passed and failed compares.
#[derive(Clone, Copy, Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

/// Plays every file and prints its differences, a count per file and the total; returns how
/// many compares failed. A file that does not parse counts as one failure; a server that does
/// not start ends the run.
pub fn play(options: &Options) -> io::Result<usize> {
    let mut total = Tally::default();
    for file in &options.files {
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| script::parse(&text));
        let tally = match parsed {
            Ok(lines) => play_file(file, &lines, options)?,
            Err(e) => {
                println!("{}: {e}", file.display());
                Tally {
                    passed: 0,
                    failed: 1,
                }
            }
        };
        println!(
            "{}: {} passed, {} failed",
            file.display(),
            tally.passed,
            tally.failed
        );
        total.passed += tally.passed;
        total.failed += tally.failed;
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    Ok(total.failed)
}

fn play_file(file: &Path, lines: &[script::Line], options: &Options) -> io::Result<Tally> {
    let mut redis_args: Vec<String> = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]
        .map(String::from)
        .to_vec();
    redis_args.extend(options.args.iter().cloned());
    let redis = Server::start(&options.redis_server, &redis_args)?;
    let ours = Server::start(&options.server, &options.args)?;
    let mut sides = [Side::new(&redis), Side::new(&ours)];
    let mut tally = Tally::default();
    let mut client = "main".to_string();
    let mut adjust = Adjust::default();
    for line in lines {
        let [a, b] = match &line.item {
            Item::Client(name) => {
                client.clone_from(name);
                continue;
            }
            Item::Sleep(duration) => {
                sleep(*duration);
                continue;
            }
            Item::Unordered => {
                adjust.order = Order::Unordered;
                continue;
            }
            Item::Pairs => {
                adjust.order = Order::Pairs;
                continue;
            }
            Item::Mask(patterns) => {
                adjust.masks.extend(patterns.iter().cloned());
                continue;
            }
            Item::NoWait(argv) => {
                both(&mut sides, |side| side.no_wait(&client, argv));
                continue;
            }
            Item::Command(argv) => both(&mut sides, |side| side.command(&client, argv)),
            Item::Read => both(&mut sides, |side| side.read(&client)),
            Item::NoReply(argv) => both(&mut sides, |side| side.no_reply(&client, argv)),
        };
        let (a, b) = (adjust.apply(a), adjust.apply(b));
        adjust = Adjust::default();
        let agree = a == b;
        match agree {
            true => tally.passed += 1,
            false => tally.failed += 1,
        }
        if agree && !options.verbose {
            continue;
        }
        let shown: String = line.text.chars().take(120).collect();
        let verdict = if agree { "ok  " } else { "DIFF" };
        println!("{verdict} {}:{}  {shown}", file.display(), line.number);
        if agree {
            println!("  {}{a}", labelled("both"));
        } else {
            println!("  {}{a}", labelled(&redis.label));
            println!("  {}{b}", labelled(&ours.label));
        }
    }
    Ok(tally)
}

/// `label:` padded so that both sides' replies start in the same column.
fn labelled(label: &str) -> String {
    format!(
        "{:width$}",
        format!("{label}: "),
        width = "keyspace-server: ".len()
    )
}

/// Runs the same step on both sides, Redis first.
fn both<T>(sides: &mut [Side; 2], mut step: impl FnMut(&mut Side) -> T) -> [T; 2] {
    let [redis, ours] = sides;
    let first = step(redis);
    [first, step(ours)]
}

/// What came back for one line: the replies, and how reading ended if not in the ordinary
/// way.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    replies: Vec<Value>,
    end: Option<End>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    Timeout,
    Lost,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self.replies.iter().map(Value::to_string).collect();
        match self.end {
            Some(End::Timeout) => parts.push("<timeout>".into()),
            Some(End::Lost) => parts.push("<connection lost>".into()),
            None if parts.is_empty() => parts.push("<nothing>".into()),
            None => {}
        }
        write!(f, "{}", shortened(parts.join("; ")))
    }
}

/// One server's connections, by the script's names for them.
struct Side {
    port: u16,
    clients: HashMap<String, Client>,
}

struct Client {
    connection: Connection,
    /// Sent a command after which messages come unasked (SUBSCRIBING): every command's reply
    /// is all that arrives within the window. For the connection's life, as a client library
    /// cannot know either when the last message is in.
    subscribed: bool,
    /// Pushes that came ahead of a reply, for the next `@read`.
    pushes: Vec<Value>,
}

impl Side {
    fn new(server: &Server) -> Side {
        Side {
            port: server.port,
            clients: HashMap::new(),
        }
    }

    fn client(&mut self, name: &str) -> io::Result<&mut Client> {
        if !self.clients.contains_key(name) {
            let client = Client {
                connection: Connection::open(self.port)?,
                subscribed: false,
                pushes: Vec::new(),
            };
            self.clients.insert(name.to_string(), client);
        }
        Ok(self.clients.get_mut(name).expect("inserted above"))
    }

    fn command(&mut self, name: &str, argv: &[Vec<u8>]) -> Outcome {
        let verb = argv[0].to_ascii_lowercase();
        self.reading(name, |client, replies| {
            client.subscribed |= SUBSCRIBING.contains(&verb.as_slice());
            client.connection.send(argv)?;
            if client.subscribed || UNSUBSCRIBING.contains(&verb.as_slice()) {
                replies.push(client.connection.read(REPLY_WAIT)?);
                return client.collect(replies, false);
            }
            loop {
                match client.connection.read(REPLY_WAIT)? {
                    push @ Value::Push(_) => client.pushes.push(push),
                    reply => {
                        replies.push(reply);
                        return Ok(());
                    }
                }
            }
        })
    }

    /// `@read`: the pushes kept, then whatever arrives within the window.
    fn read(&mut self, name: &str) -> Outcome {
        self.reading(name, |client, replies| {
            replies.append(&mut client.pushes);
            client.collect(replies, false)
        })
    }

    /// `@noreply`: sends, then collects what arrives within the window, which should be
    /// nothing but pushes (kept for `@read`) or a subscribed connection's messages.
    fn no_reply(&mut self, name: &str, argv: &[Vec<u8>]) -> Outcome {
        self.reading(name, |client, replies| {
            client.connection.send(argv)?;
            let pushes_aside = !client.subscribed;
            client.collect(replies, pushes_aside)
        })
    }

    /// `@nowait`: sends only. A failure shows at the connection's next read.
    fn no_wait(&mut self, name: &str, argv: &[Vec<u8>]) {
        if self
            .client(name)
            .and_then(|c| c.connection.send(argv))
            .is_err()
        {
            self.clients.remove(name);
        }
    }

    /// Runs `read` on connection `name` (made if need be) and ends the outcome by how it
    /// failed, dropping the connection then.
    fn reading(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut Client, &mut Vec<Value>) -> io::Result<()>,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        let result = self
            .client(name)
            .and_then(|client| read(client, &mut outcome.replies));
        if let Err(e) = result {
            outcome.end = Some(if is_timeout(&e) {
                End::Timeout
            } else {
                End::Lost
            });
            self.clients.remove(name);
        }
        outcome
    }
}

impl Client {
    /// Reads until the window passes with nothing new.
    fn collect(&mut self, replies: &mut Vec<Value>, pushes_aside: bool) -> io::Result<()> {
        while let Some(value) = self.connection.read_within(WINDOW, REPLY_WAIT)? {
            match value {
                Value::Push(_) if pushes_aside => self.pushes.push(value),
                _ => replies.push(value),
            }
        }
        Ok(())
    }
}

/// How the next compare treats both sides' replies: `@unordered`/`@pairs` and `@mask`.
#[derive(Default)]
struct Adjust {
    order: Order,
    masks: Vec<Regex>,
}

#[derive(Clone, Copy, Default, PartialEq)]
enum Order {
    #[default]
    Exact,
    Unordered,
    Pairs,
}

impl Adjust {
    /// Masks first, so that masked values sort alike on both sides; then the order.
    fn apply(&self, mut outcome: Outcome) -> Outcome {
        if !self.masks.is_empty() {
            outcome.replies = outcome
                .replies
                .into_iter()
                .map(|r| masked(r, &self.masks))
                .collect();
        }
        if self.order != Order::Exact {
            outcome.replies = ordered_all(outcome.replies, self.order == Order::Pairs);
        }
        outcome
    }
}

/// Every aggregate sorted, all the way down; with `pairs`, the top level two by two (a
/// map's entries always are).
fn ordered(value: Value, pairs: bool) -> Value {
    let inner = |items: Vec<Value>| items.into_iter().map(|v| ordered(v, false));
    let map = |entries: Vec<(Value, Value)>| {
        let mut entries: Vec<_> = entries
            .into_iter()
            .map(|(k, v)| (ordered(k, false), ordered(v, false)))
            .collect();
        entries.sort();
        entries
    };
    let sort = |items: Vec<Value>| {
        let mut items: Vec<Value> = inner(items).collect();
        match pairs {
            true => {
                let mut chunks: Vec<Vec<Value>> = items.chunks(2).map(<[Value]>::to_vec).collect();
                chunks.sort();
                items = chunks.into_iter().flatten().collect();
            }
            false => items.sort(),
        }
        items
    };
    match value {
        Value::Array(items) => Value::Array(sort(items)),
        Value::Set(items) => Value::Set(sort(items)),
        Value::Push(items) => Value::Push(sort(items)),
        Value::Map(entries) => Value::Map(map(entries)),
        Value::Attributed(attributes, value) => {
            Value::Attributed(map(attributes), Box::new(ordered(*value, pairs)))
        }
        other => other,
    }
}

/// The replies of one line in no fixed order. Subscription confirmations (`[kind, name,
/// count]`) count the channels as they come, in whatever order the server took them: their
/// names and their counts are compared each as a multiset.
fn ordered_all(replies: Vec<Value>, pairs: bool) -> Vec<Value> {
    let confirmation = |reply: &Value| match reply {
        Value::Array(items) | Value::Push(items) => match items.as_slice() {
            [kind, name, Value::Integer(count)] => Some(([kind.clone(), name.clone()], *count)),
            _ => None,
        },
        _ => None,
    };
    let confirmations: Option<Vec<_>> = replies.iter().map(confirmation).collect();
    match confirmations {
        Some(mut confirmations) if confirmations.len() > 1 => {
            let mut counts: Vec<Value> =
                confirmations.iter().map(|c| Value::Integer(c.1)).collect();
            counts.sort();
            confirmations.sort();
            let names = confirmations.into_iter().flat_map(|c| c.0).collect();
            vec![Value::Array(names), Value::Array(counts)]
        }
        _ => {
            let mut replies: Vec<Value> = replies.into_iter().map(|r| ordered(r, pairs)).collect();
            replies.sort();
            replies
        }
    }
}

/// The reply with what `patterns` match in each scalar's text masked (see [`mask_text`]); an
/// integer is matched on its decimal digits and, once masked, stays an integer.
fn masked(value: Value, patterns: &[Regex]) -> Value {
    let text = |bytes: Vec<u8>| mask_text(bytes, patterns);
    let all = |items: Vec<Value>| items.into_iter().map(|v| masked(v, patterns)).collect();
    let entries = |entries: Vec<(Value, Value)>| {
        entries
            .into_iter()
            .map(|(k, v)| (masked(k, patterns), masked(v, patterns)))
            .collect()
    };
    match value {
        Value::Simple(t) => Value::Simple(text(t)),
        Value::Error(t) => Value::Error(text(t)),
        Value::BlobError(t) => Value::BlobError(text(t)),
        Value::Bulk(t) => Value::Bulk(text(t)),
        Value::Verbatim(t) => Value::Verbatim(text(t)),
        Value::Double(t) => Value::Double(text(t)),
        Value::BigNumber(t) => Value::BigNumber(text(t)),
        Value::Integer(n) => {
            let digits = n.to_string().into_bytes();
            match text(digits.clone()) {
                same if same == digits => Value::Integer(n),
                other => Value::MaskedInteger(other),
            }
        }
        Value::Array(items) => Value::Array(all(items)),
        Value::Set(items) => Value::Set(all(items)),
        Value::Push(items) => Value::Push(all(items)),
        Value::Map(pairs) => Value::Map(entries(pairs)),
        Value::Attributed(attributes, value) => {
            Value::Attributed(entries(attributes), Box::new(masked(*value, patterns)))
        }
        other => other,
    }
}

/// Each pattern in turn replaces what it matches with [`MASKED`]: the text of its capture
/// groups if it has any (`run_id:([0-9a-f]+)` keeps `run_id:`), else the whole match. Empty
/// matches mask nothing.
fn mask_text(mut text: Vec<u8>, patterns: &[Regex]) -> Vec<u8> {
    for pattern in patterns {
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        for captures in pattern.captures_iter(&text) {
            let groups: Vec<_> = match captures.len() {
                1 => captures.get(0).into_iter().collect(),
                _ => captures.iter().skip(1).flatten().collect(),
            };
            // A group inside another was masked with it.
            for span in groups {
                if span.start() < at || span.is_empty() {
                    continue;
                }
                out.extend_from_slice(&text[at..span.start()]);
                out.extend_from_slice(MASKED);
                at = span.end();
            }
        }
        out.extend_from_slice(&text[at..]);
        text = out;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(text: &str) -> Value {
        Value::Bulk(text.as_bytes().to_vec())
    }

    fn masks(patterns: &[&str]) -> Vec<Regex> {
        patterns.iter().map(|p| Regex::new(p).unwrap()).collect()
    }

    #[test]
    fn masks_keep_types_and_what_they_do_not_match() {
        let id = masks(&[r"^\d+-\d+$"]);
        assert_eq!(masked(bulk("1700000000000-0"), &id), bulk("<masked>"));
        assert_eq!(masked(bulk("not-an-id"), &id), bulk("not-an-id"));
        let run_id = masks(&[r"run_id:([0-9a-f]{40})", r"uptime_in_seconds:(\d+)"]);
        let info = format!("run_id:{}\r\nuptime_in_seconds:12\r\n", "ab".repeat(20));
        assert_eq!(
            masked(bulk(&info), &run_id),
            bulk("run_id:<masked>\r\nuptime_in_seconds:<masked>\r\n")
        );
        let digits = masks(&[r"^\d{4,}$"]);
        assert_eq!(
            masked(Value::Integer(1_700_000_000), &digits),
            Value::MaskedInteger(b"<masked>".to_vec())
        );
        assert_eq!(masked(Value::Integer(12), &digits), Value::Integer(12));
        assert_ne!(
            masked(Value::Integer(1_700_000_000), &digits),
            masked(bulk("1700000000"), &digits)
        );
        let nested = Value::Map(vec![(
            bulk("idle"),
            Value::Array(vec![Value::Integer(98765)]),
        )]);
        assert_eq!(
            masked(nested, &digits),
            Value::Map(vec![(
                bulk("idle"),
                Value::Array(vec![Value::MaskedInteger(b"<masked>".to_vec())])
            )])
        );
        assert_eq!(mask_text(b"abc".to_vec(), &masks(&["x*"])), b"abc");
    }

    #[test]
    fn unordered_and_pairs() {
        let int = Value::Integer;
        let array = Value::Array;
        let a = array(vec![bulk("b"), array(vec![int(2), int(1)]), bulk("a")]);
        let b = array(vec![bulk("a"), bulk("b"), array(vec![int(1), int(2)])]);
        assert_eq!(ordered(a, false), ordered(b, false));
        let f = |x: &str, y: i64| vec![bulk(x), int(y)];
        let pairs_a = array([f("f2", 1), f("f1", 2)].concat());
        let pairs_b = array([f("f1", 2), f("f2", 1)].concat());
        let crossed = array([f("f1", 1), f("f2", 2)].concat());
        assert_eq!(ordered(pairs_a.clone(), true), ordered(pairs_b, true));
        assert_ne!(ordered(pairs_a, true), ordered(crossed, true));
    }

    #[test]
    fn subscription_counts_and_names_apart() {
        let confirm = |name: &str, count| {
            Value::Array(vec![bulk("unsubscribe"), bulk(name), Value::Integer(count)])
        };
        let redis = vec![confirm("a", 1), confirm("b", 0)];
        let ours = vec![confirm("b", 1), confirm("a", 0)];
        assert_ne!(redis, ours);
        assert_eq!(ordered_all(redis, false), ordered_all(ours, false));
    }
}
