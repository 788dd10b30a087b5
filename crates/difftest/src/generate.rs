//! Random command sequences, in the manner of fakeredis's hypothesis state machine: every
//! command of the engine's spec table, arguments drawn from tiny pools (three keys, three
//! fields, a few values and scores) so that commands meet on the same keys, types clash, and
//! TTLs run out; several clients interleaving; now and then a broken argument list, so that
//! error replies are compared too.

use keyspace::rng::Rng;
use keyspace::spec::{self, CommandSpec};

use crate::commands::{row_for, Compare};
use keyspace::grammar::{self, Syntax};

/// One command in a sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Which connection sends it.
    pub client: usize,
    pub argv: Vec<Vec<u8>>,
    /// Redis's full name (`config|get`), for the comparison rule and the tally.
    pub name: String,
    /// Milliseconds to wait after it on both sides: set after a TTL short enough to run out,
    /// so that the key is certainly gone on both servers before the next command.
    pub sleep_after_ms: u64,
}

/// A command the generator can send, with its argument shape and weight.
struct Candidate {
    name: String,
    /// The argv before the generated arguments: `["config", "get"]`.
    prefix: Vec<Vec<u8>>,
    spec: &'static CommandSpec,
    syntax: Syntax,
    weight: u32,
}

/// Milliseconds short enough to expire within a sequence; any argument drawn from these makes
/// its step sleep past them.
const SHORT_MS: &[&str] = &["1", "2", "5"];
/// The sleep after a step that set a short TTL.
pub const EXPIRY_SLEEP_MS: u64 = 10;

pub struct Generator {
    rng: Rng,
    candidates: Vec<Candidate>,
    total_weight: u32,
    /// Connections per sequence.
    clients: usize,
    now_ms: u64,
    /// The millisecond of the last stream ID handed to XADD in this sequence: IDs only grow,
    /// so a fixed pool would soon hold none that a stream still takes.
    stream_ms: u64,
}

impl Generator {
    /// A generator over the spec table's commands (only those named in `only`, when given).
    pub fn new(seed: u64, clients: usize, only: &[String], now_ms: u64) -> Generator {
        let mut candidates = Vec::new();
        for command in spec::table() {
            let name = command.name.to_string();
            if command.handler.is_some() {
                candidates.push(candidate(name.clone(), vec![name.clone()], command));
            }
            for sub in command.subcommands {
                candidates.push(candidate(
                    format!("{name}|{}", sub.name),
                    vec![name.clone(), sub.name.to_string()],
                    sub,
                ));
            }
        }
        candidates.retain(|c| {
            c.weight > 0
                && (only.is_empty()
                    || only
                        .iter()
                        .any(|o| o == &c.name || o == c.name.split('|').next().unwrap_or("")))
        });
        let total_weight = candidates.iter().map(|c| c.weight).sum();
        Generator {
            rng: Rng::new(seed),
            candidates,
            total_weight,
            clients: clients.max(1),
            now_ms,
            stream_ms: 0,
        }
    }

    /// The full names of the commands it generates.
    pub fn names(&self) -> Vec<&str> {
        self.candidates.iter().map(|c| c.name.as_str()).collect()
    }

    /// A sequence of `length` steps. Each connection first says HELLO 3 or stays RESP2.
    pub fn sequence(&mut self, length: usize) -> Vec<Step> {
        let mut steps = Vec::new();
        self.stream_ms = 0;
        for client in 0..self.clients {
            if self.chance(50) {
                steps.push(Step {
                    client,
                    argv: vec![b"HELLO".to_vec(), b"3".to_vec()],
                    name: "hello".into(),
                    sleep_after_ms: 0,
                });
            }
        }
        while steps.len() < length {
            steps.push(self.step());
        }
        steps
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.rng.below(pool.len())]
    }

    fn step(&mut self) -> Step {
        let client = self.rng.below(self.clients);
        if self.candidates.is_empty() {
            return Step {
                client,
                argv: vec![b"PING".to_vec()],
                name: "ping".into(),
                sleep_after_ms: 0,
            };
        }
        let mut ticket = self.rng.below(self.total_weight as usize) as u32;
        let index = self
            .candidates
            .iter()
            .position(|c| {
                let hit = ticket < c.weight;
                ticket = ticket.saturating_sub(c.weight);
                hit
            })
            .unwrap_or(0);
        let (argv, short_ttl) = self.argv(index, 0);
        Step {
            client,
            argv,
            name: self.candidates[index].name.clone(),
            sleep_after_ms: if short_ttl { EXPIRY_SLEEP_MS } else { 0 },
        }
    }

    /// The argv of candidate `index`; true when it holds a short TTL. Mostly well formed, and
    /// within the arity; sometimes broken on purpose.
    fn argv(&mut self, index: usize, depth: usize) -> (Vec<Vec<u8>>, bool) {
        let mut argv = Vec::new();
        let mut short_ttl = false;
        for _ in 0..4 {
            let candidate = &self.candidates[index];
            let (prefix, syntax) = (candidate.prefix.clone(), candidate.syntax.clone());
            argv = prefix.into_iter().map(|word| self.cased(&word)).collect();
            short_ttl = false;
            self.walk(&syntax, &mut argv, &mut short_ttl, depth);
            if self.candidates[index].spec.arity_ok(argv.len()) {
                break;
            }
        }
        if depth == 0 && self.chance(8) {
            let keep = self.candidates[index].prefix.len();
            let mut broken = argv.clone();
            self.break_argv(&mut broken, keep);
            // A blocking command whose broken arguments end up with a timeout of 0 would wait
            // for ever on both servers: it keeps its well-formed arguments.
            let blocking = self.candidates[index].spec.has(spec::flag::BLOCKING);
            if !(blocking && broken.iter().any(|a| a == b"0")) {
                argv = broken;
            }
        }
        (argv, short_ttl)
    }

    /// Command names and tokens in upper case mostly, lower case sometimes: Redis ignores case.
    fn cased(&mut self, word: &[u8]) -> Vec<u8> {
        match self.chance(20) {
            true => word.to_ascii_lowercase(),
            false => word.to_ascii_uppercase(),
        }
    }

    /// Drops an argument, adds one, or swaps one for an odd value; the first `keep` (the
    /// command's name, and its subcommand's) stay. A subcommand keeps one argument at least:
    /// COMMAND INFO without names lists every command, which differs by design.
    fn break_argv(&mut self, argv: &mut Vec<Vec<u8>>, keep: usize) {
        let at = keep + self.rng.below(argv.len().saturating_sub(keep).max(1));
        let may_drop = keep == 1 || argv.len() > keep + 1;
        match self.rng.below(3) {
            0 if at < argv.len() && may_drop => {
                argv.remove(at);
            }
            1 => argv.push(self.pick(ODD).as_bytes().to_vec()),
            _ if at < argv.len() => argv[at] = self.pick(ODD).as_bytes().to_vec(),
            _ => {}
        }
    }

    fn walk(
        &mut self,
        syntax: &Syntax,
        argv: &mut Vec<Vec<u8>>,
        short_ttl: &mut bool,
        depth: usize,
    ) {
        match syntax {
            Syntax::Token(token) => {
                let word = self.cased(token.as_bytes());
                argv.push(word);
            }
            Syntax::Placeholder(name) => self.placeholder(name, argv, short_ttl, depth),
            Syntax::Sequence(items) => {
                let mut items = items.iter().peekable();
                while let Some(item) = items.next() {
                    // `numkeys key [key ...]`: the count of what follows.
                    if *item == Syntax::Placeholder("numkeys".into()) {
                        let at = argv.len();
                        argv.push(Vec::new());
                        if let Some(counted) = items.next() {
                            self.walk(counted, argv, short_ttl, depth);
                        }
                        let counted = argv.len() - at - 1;
                        let wrong = self.chance(5);
                        argv[at] = match wrong {
                            true => self.pick(&["0", "-1", "5", "x"]).into(),
                            false => counted.to_string().into_bytes(),
                        };
                    } else {
                        self.walk(item, argv, short_ttl, depth);
                    }
                }
            }
            Syntax::Choice(options) => {
                let pick = self.rng.below(options.len());
                self.walk(&options[pick], argv, short_ttl, depth);
            }
            Syntax::Optional(inner) => {
                if self.chance(40) {
                    self.walk(inner, argv, short_ttl, depth);
                }
            }
            Syntax::Repeat(inner) => {
                for _ in 0..1 + self.rng.below(3) {
                    self.walk(inner, argv, short_ttl, depth);
                }
            }
        }
    }

    fn placeholder(
        &mut self,
        name: &str,
        argv: &mut Vec<Vec<u8>>,
        short_ttl: &mut bool,
        depth: usize,
    ) {
        let value: String = match name {
            // A whole command, for COMMAND GETKEYS.
            "@command" if depth == 0 => {
                let index = self.rng.below(self.candidates.len());
                let (inner, _) = self.argv(index, depth + 1);
                argv.extend(inner);
                return;
            }
            "milliseconds" => {
                if self.chance(40) {
                    *short_ttl = true;
                    self.pick(SHORT_MS).into()
                } else {
                    self.pick(&["100000", "0", "-1", "x", "9223372036854775807"])
                        .into()
                }
            }
            "unix-time-seconds" => match self.rng.below(4) {
                0 => (self.now_ms / 1000 + 100_000).to_string(),
                1 => "1".into(),
                2 => "-1".into(),
                _ => "x".into(),
            },
            "unix-time-milliseconds" => match self.rng.below(4) {
                0 => (self.now_ms + 100_000_000).to_string(),
                1 => "1".into(),
                2 => "-1".into(),
                _ => "x".into(),
            },
            "command-name" => {
                let index = self.rng.below(self.candidates.len() + 1);
                match self.candidates.get(index) {
                    Some(c) => c
                        .name
                        .replace('|', " ")
                        .split(' ')
                        .next()
                        .unwrap_or("")
                        .into(),
                    None => "nosuchcommand".into(),
                }
            }
            // EVALSHA's: a script of the pool (loaded or not yet), or one never seen.
            "sha1" => match self.chance(80) {
                true => keyspace::script::sha1_hex(self.pick(SCRIPTS).as_bytes()),
                false => self
                    .pick(&["ffffffffffffffffffffffffffffffffffffffff", "x"])
                    .into(),
            },
            // Mostly the next ID of the sequence (the same millisecond again or a later one,
            // its sequence chosen or given), else one of the pool's, which may be refused.
            "new-id" if self.chance(75) => {
                self.stream_ms += self.rng.below(3) as u64;
                match self.rng.below(3) {
                    0 => format!("{}-{}", self.stream_ms, self.rng.below(3)),
                    _ => format!("{}-*", self.stream_ms),
                }
            }
            // Mostly an ID that XADD may have given (sequences 0 to 2 of a millisecond so far).
            "stream-id" | "stream-start" | "stream-end" if self.chance(60) => format!(
                "{}{}-{}",
                if name == "stream-id" || self.chance(70) {
                    ""
                } else {
                    "("
                },
                self.rng.below(self.stream_ms as usize + 2),
                self.rng.below(3)
            ),
            "parameter" => self
                .pick(&[
                    "hz",
                    "databases",
                    "active-expire-effort",
                    "proto-max-bulk-len",
                    "nosuch",
                    "HZ",
                ])
                .into(),
            other => self.pick(pool(other)).into(),
        };
        argv.push(value.into_bytes());
    }
}

/// Values that sit on the edge of what commands parse, for broken argument lists.
const ODD: &[&str] = &[
    "",
    "-1",
    "0",
    "x",
    "9223372036854775808",
    "nan",
    "inf",
    "1.5",
    " 1",
    "NX",
    "COUNT",
];

const KEYS: &[&str] = &["k1", "k2", "k3"];
const VALUES: &[&str] = &[
    "v",
    "1",
    "10",
    "-3",
    "3.5",
    "",
    "hello world",
    "9223372036854775807",
    "x\x00y",
    "0",
    "1e3",
];

/// Small function libraries for FUNCTION LOAD, one function each: reads, writes, a write
/// refused by `no-writes`, a function clashing with another library's, and libraries Redis
/// refuses (no function, no first line).
const LIBRARIES: &[&str] = &[
    "#!lua name=lib1\nredis.register_function('f1', function(keys) return redis.call('GET', keys[1]) end)",
    "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
    "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys) return redis.call('INCR', keys[1]) end, flags={'no-writes'}}",
    "#!lua name=lib3\nredis.register_function{function_name='F3', callback=function(keys, args) return {#keys, #args} end, flags={'no-writes'}, description='counts'}",
    "#!lua name=lib4\nredis.register_function('f1', function() return 1 end)",
    "#!lua name=lib4\nredis.register_function('f4', function(keys) return redis.pcall('LPUSH', keys[1], 'x') end)",
    "#!lua name=lib5\nreturn 1",
    "redis.register_function('f5', function() return 5 end)",
];

/// EVAL's scripts: small ones that meet the sequence's keys through KEYS and ARGV, with
/// every kind of reply the conversion rules cover (nested tables, status and error tables,
/// booleans, floats cut to integers, RESP3 after `redis.setresp(3)`), errors raised and
/// caught, a shebang's flags, a compile error, Redis's seeded `math.random`. None reads a
/// reply Redis leaves unordered (SMEMBERS) or random (SPOP).
const SCRIPTS: &[&str] = &[
    "return redis.call('GET', KEYS[1])",
    "return redis.call('INCR', KEYS[1])",
    "return redis.pcall('LPUSH', KEYS[1], ARGV[1])",
    "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('TYPE', KEYS[1])",
    "return {1, 'two', {3, ARGV[1]}, redis.call('EXISTS', KEYS[1]), 4.7, true, false}",
    "return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')",
    "redis.setresp(3) return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')",
    "redis.setresp(3) return {redis.call('HGET', KEYS[1], 'f1'), redis.call('TTL', KEYS[1])}",
    "return redis.status_reply('FINE')",
    "return redis.error_reply('MY error')",
    "return {err = 'plain'}",
    "return redis.call('nosuch')",
    "return redis.call('GET')",
    "local ok = redis.pcall('INCR', KEYS[1]) return type(ok) == 'table' and ok.err or ok",
    "#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 1)",
    "#!lua\nreturn redis.call('DEL', KEYS[1])",
    "return cjson.encode({1, 2, 'x', {a = 1}})",
    "return #KEYS .. ' keys, ' .. #ARGV .. ' args'",
    "return math.random(1000)",
    "return undefined_global",
    "return (",
    "return redis.sha1hex(ARGV[1] or '')",
];

/// The pool for a placeholder, by its name in the syntax text.
fn pool(name: &str) -> &'static [&'static str] {
    match name {
        "stream-key" => &KEYS[..2],
        n if n.contains("key") || n == "source" || n == "destination" => KEYS,
        "field" => &["f1", "f2", "f3"],
        "member" | "member1" | "member2" => &["m1", "m2", "m3", "1"],
        "element" => &["a", "b", "c", "m1", ""],
        // A place's coordinates: Sicily, the limits, and past them.
        "longitude" => &[
            "13.361389",
            "15.087269",
            "13.5",
            "-180",
            "180",
            "0",
            "180.1",
            "x",
        ],
        "latitude" => &[
            "38.115556",
            "37.502669",
            "37.9",
            "85.05112878",
            "-85.05112878",
            "0",
            "86",
            "x",
        ],
        "radius" | "width" | "height" => &["0", "1", "100", "200", "5000", "20000", "-1", "x"],
        "bit-offset" => &["0", "1", "7", "8", "100", "1000", "-1", "4294967296", "x"],
        "bit" => &["0", "1", "2", "-1", "x"],
        "encoding" => &[
            "u8", "i8", "u1", "i1", "i64", "u63", "i16", "u4", "u64", "x8",
        ],
        "field-offset" => &["0", "1", "7", "8", "#1", "#2", "100", "-1", "x"],
        "field-value" => &[
            "0",
            "1",
            "-1",
            "100",
            "255",
            "300",
            "-129",
            "9223372036854775807",
            "x",
        ],
        "subcommand" => &["GETREG", "DECODE", "ENCODING", "TODENSE", "foo"],
        "score" | "weight" => &[
            "1", "2", "2.5", "-1", "0", "-inf", "+inf", "1e3", "nan", "x",
        ],
        "min" | "max" => &[
            "-inf", "+inf", "0", "1", "(1", "2", "[m1", "(m2", "-", "+", "x",
        ],
        "seconds" => &["100", "1000", "0", "-1", "x", "9223372036854775807"],
        "timeout" => &["0.01", "0.02", "-1", "x"],
        "increment" | "decrement" => &["1", "-2", "0", "10", "2.5", "x", "9223372036854775807"],
        "start" | "end" | "stop" | "offset" | "rank" => {
            &["0", "1", "-1", "2", "-2", "5", "-100", "100", "x"]
        }
        "count" | "len" | "numkeys" => &["0", "1", "2", "3", "-1", "10", "x"],
        "index" | "index1" | "index2" | "db" | "destination-db" => {
            &["0", "1", "2", "-1", "15", "16", "x"]
        }
        "pattern" => &[
            "*", "k*", "k?", "*1", "[ab]*", "k\\*", "nomatch", "f*", "m?",
        ],
        "cursor" => &["0"],
        "script" => SCRIPTS,
        // SORT's BY and GET: a key per element (`*`), a hash field, the element itself;
        // a BY without `*` means no sorting at all.
        "sort-by" => &["*", "k*", "*->f1", "k*->f2", "*->"],
        "sort-nosort" => &["nosort", "#", "k1"],
        "sort-get" => &["*", "k*", "*->f1", "k*->f2", "#", "k1", "*->"],
        // Not `none`: SCAN ... TYPE none returns keys found stale, which Redis's active expiry
        // may or may not have deleted first.
        "type" => &["string", "list", "hash", "set", "zset", "x"],
        "protover" => &["2", "3", "4", "x"],
        "username" => &["default", "nobody"],
        "password" => &["pw", ""],
        "clientname" | "connection-name" => &["c1", "c2", "a b", ""],
        "config-int" => &["1", "10", "100", "0", "-1", "x", "501"],
        "function-code" => LIBRARIES,
        "function" => &["f1", "f2", "F3", "f4", "nosuch"],
        "library-name" => &["lib1", "lib2", "lib3", "lib4", "nosuch"],
        "library-name-pattern" => &["lib*", "*", "LIB1", "x"],
        // Symbols the grammar reads as placeholders (it knows tokens by their capitals) stand
        // for themselves: XADD's and XTRIM's `=` and `~`, XGROUP's `$`.
        "=" => &["="],
        "~" => &["~"],
        "$" => &["$"],
        // Streams: IDs that meet (few milliseconds, few sequences), the edges and past them,
        // and what XADD, XRANGE, XREAD and a trim each read in an ID's place.
        "new-id" => &[
            "1-1",
            "2",
            "2-*",
            "3-0",
            "3-5",
            "5-*",
            "7",
            "0-1",
            "0-0",
            "0-*",
            "x",
            "1-x",
            "18446744073709551615-18446744073709551615",
            "18446744073709551615-*",
        ],
        "stream-id" => &[
            "1-1",
            "2",
            "2-0",
            "3-0",
            "3-5",
            "5-0",
            "7",
            "0-0",
            "x",
            "-1",
            "18446744073709551615-18446744073709551615",
        ],
        "stream-start" | "stream-end" => &[
            "-",
            "+",
            "0",
            "1-1",
            "2",
            "(1-1",
            "(2-0",
            "3-5",
            "(+",
            "x",
            "(-",
            "18446744073709551615",
        ],
        "stream-maxlen" => &["0", "1", "2", "3", "5", "-1", "x"],
        // XREADGROUP's new entries mostly, XREAD's from the start mostly.
        "stream-read-id" => &[">", ">", ">", "0", "0", "0-0", "1-1", "3", "$", "+", "x"],
        "group" | "groupname" => &["g1", "g2"],
        "consumer" | "consumername" => &["alice", "bob", "carol"],
        "operation" => &["AND", "OR", "XOR", "NOT", "and", "nand"],
        // XCLAIM's and XAUTOCLAIM's idle times: none, an hour (past any delivery in a run, but
        // not past IDLE 3600000 by less than a millisecond on either side), and errors.
        "min-idle-time" => &["0", "3600000", "-1", "x"],
        "entries-read" => &["0", "1", "3", "10", "-1", "-2", "x"],
        _ => VALUES,
    }
}

fn candidate(name: String, prefix: Vec<String>, spec: &'static CommandSpec) -> Candidate {
    let row = row_for(&name);
    let syntax = grammar::parse(row.and_then(|r| r.syntax).unwrap_or(spec.syntax));
    let default_weight = if spec.key_positions().first > 0 { 8 } else { 2 };
    Candidate {
        prefix: prefix.iter().map(|p| p.as_bytes().to_vec()).collect(),
        weight: row.and_then(|r| r.weight).unwrap_or(default_weight),
        name,
        spec,
        syntax,
    }
}

/// True for a full name whose replies are compared only in part (by shape, within a
/// tolerance, or as a set), which a `.redis` script can express only with care.
pub fn loosely_compared(name: &str) -> bool {
    !matches!(
        crate::commands::compare_for(name),
        Compare::Exact | Compare::Unordered | Compare::Pairs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_are_reproducible_and_within_arity() {
        let mut a = Generator::new(42, 3, &[], 1_700_000_000_000);
        let mut b = Generator::new(42, 3, &[], 1_700_000_000_000);
        let (first, second) = (a.sequence(200), b.sequence(200));
        assert_eq!(first, second);
        assert!(first.iter().all(|s| s.client < 3 && !s.argv.is_empty()));
        let names = a.names();
        assert!(names.contains(&"set") && names.contains(&"config|get"));
        assert!(!names.contains(&"command|count"));
    }

    #[test]
    fn short_ttls_sleep_past_them() {
        let mut generator = Generator::new(7, 1, &["psetex".into()], 0);
        for step in generator.sequence(300) {
            let short = step
                .argv
                .get(2)
                .is_some_and(|ms| SHORT_MS.iter().any(|s| s.as_bytes() == ms));
            if short && step.argv.len() == 4 {
                assert_eq!(step.sleep_after_ms, EXPIRY_SLEEP_MS);
            }
        }
    }
}
