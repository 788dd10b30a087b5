//! What the console knows about the line being typed: completions for the word under the
//! cursor, the rest of the command's syntax as a grey hint, whether the line can run at all
//! (an unknown command, too few or too many arguments, a word the syntax has no place for),
//! what each word is (for highlighting), and the docs of the command under the cursor.
//!
//! It runs in the engine's worker (`session` answers `Request::Assist`),
//! not in the page: the spec table, the grammar and the keyspace (for key-name completion)
//! are all there, and the page's .wasm stays without the engine. A keystroke's round trip to
//! the worker takes well under a millisecond; the answer carries the line it was computed
//! for, so the page drops it if the line has changed meanwhile.
//!
//! # The walk
//!
//! A command's syntax string is parsed by [`keyspace::grammar`] into a tree. The typed
//! arguments are matched against it the way a regular expression engine runs an NFA: a state
//! is a stack of what is still to come (the top is next), and every state is first expanded
//! until a word is on top ([`expand`]: a sequence pushes its parts, a choice and an optional
//! fork the state, a repeat pushes its body and a note that it may come again). A typed word
//! then moves each state whose top accepts it: a keyword accepts itself (any case), a
//! placeholder accepts anything. Where the same word matched a keyword in one state and only
//! a placeholder in another, the keyword wins, as it does in Redis's own parsers: `ZADD k NX`
//! means the flag, not a score called NX. What is left on the surviving states' stacks is the
//! hint; the words on top of the expanded states are what may come next, which is what Tab
//! completes. Syntax strings are short, so a walk holds a handful of states; [`MAX_STATES`]
//! and [`MAX_DEPTH`] only guard against a pathological grammar.

use keyspace::config::PARAMS;
use keyspace::db::{Db, Value};
use keyspace::grammar::{self, Syntax};
use keyspace::spec::{self, CommandSpec};
use keyspace::types::Stream;
use keyspace_protocol::assist::{Assist, Completion, Doc, Verdict, Word, WordKind};
use keyspace_protocol::console::command_spans;

use crate::help::{doc, groups};

/// States kept during a walk.
const MAX_STATES: usize = 64;
/// Nested expansions before a branch is given up (a repeat of something that may be empty
/// would otherwise expand forever).
const MAX_DEPTH: usize = 48;
/// Completions offered at once: a screenful of the suggestion list.
const MAX_COMPLETIONS: usize = 50;
/// Keys looked at for key-name completion, so that a keystroke over a million keys stays
/// quick: like SCAN, completion is a sample once the keyspace is large.
const KEYS_SCANNED: usize = 100_000;

/// Placeholder names that stand for a key (Redis's docs name key arguments this way).
const KEY_PLACEHOLDERS: &[&str] = &[
    "key",
    "key1",
    "key2",
    "newkey",
    "source",
    "destination",
    "dst",
    "src",
];

/// The console's own commands, which never reach the engine (redis-cli's too).
pub const BUILT_INS: &[&str] = &["help", "clear"];

/// Reads `line` with the cursor at byte `cursor`, the keys of `db` (the client's database)
/// at hand for key completion.
pub fn assist(line: &str, cursor: usize, db: Option<&Db>) -> Assist {
    let cursor = floor_char_boundary(line, cursor.min(line.len()));
    // A pasted pipeline has several commands, a line each unless a quoted argument carries
    // one over several (a script); the cursor's is read for completion.
    let (spans, _) = command_spans(line);
    let here = spans
        .iter()
        .position(|s| cursor <= s.end)
        .unwrap_or(spans.len() - 1);
    let line_start = spans[here].start;
    let text = &line[spans[here].clone()];
    let at = cursor - line_start;
    let mut scanned = scan(text);
    // The word under the cursor, or a new one starting there.
    let current = scanned
        .iter()
        .position(|w| w.start <= at && at <= w.end)
        .unwrap_or_else(|| scanned.iter().filter(|w| w.end < at).count());
    let from = scanned.get(current).map_or(at, |w| w.start.min(at));
    let prefix = text[from..at].trim_start_matches(['"', '\'']);
    let reading = read(text, &mut scanned, current, prefix, db);
    // Every command of a pipeline is coloured (the first COLOURED_LINES of a long paste);
    // only the cursor's gets completions, a hint and a verdict.
    let mut words = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        let (start, piece) = (span.start, &line[span.clone()]);
        let piece_words = if index == here {
            std::mem::take(&mut scanned)
        } else if index < COLOURED_LINES {
            let mut other = scan(piece);
            let past_the_end = other.len();
            read(piece, &mut other, past_the_end, "", db);
            other
        } else {
            Vec::new()
        };
        words.extend(piece_words.iter().map(|w| Word {
            start: start + w.start,
            end: start + w.end,
            kind: w.kind,
            quoted: w.quoted,
        }));
    }
    Assist {
        line: line.to_string(),
        cursor,
        from: line_start + from,
        completions: reading.completions,
        hint: reading.hint,
        verdict: reading.verdict,
        words,
        doc: reading.doc,
    }
}

/// Lines of a pasted pipeline that are coloured: more than a screenful, fewer than would
/// slow typing in a paste of thousands.
const COLOURED_LINES: usize = 200;

/// A word as scanned, before it is classified.
struct Scanned {
    start: usize,
    end: usize,
    text: String,
    quoted: bool,
    kind: WordKind,
}

/// Splits a line into words as redis-cli does (blanks between words, `"..."` with escapes and
/// `'...'`), keeping where each word is. An unclosed quote runs to the end of the line: it is
/// being typed.
fn scan(text: &str) -> Vec<Scanned> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let quote = matches!(bytes[i], b'"' | b'\'').then_some(bytes[i]);
        if let Some(q) = quote {
            i += 1;
            while i < bytes.len() && bytes[i] != q {
                if bytes[i] == b'\\' && q == b'"' {
                    i += 1;
                }
                // A whole character: an escaped one may be many bytes (`"\鍵"`).
                i += text[i.min(text.len())..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            }
            i = (i + 1).min(bytes.len());
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        let raw = &text[start..i.min(text.len())];
        let text = keyspace::cli::split_args(raw.as_bytes())
            .and_then(|argv| argv.into_iter().next())
            .map_or_else(
                || raw.trim_matches(['"', '\'']).to_string(),
                |arg| String::from_utf8_lossy(&arg).into_owned(),
            );
        words.push(Scanned {
            start,
            end: i.min(bytes.len()),
            text,
            quoted: quote.is_some(),
            kind: WordKind::Argument,
        });
    }
    words
}

/// What [`read`] finds.
#[derive(Default)]
struct Reading {
    completions: Vec<Completion>,
    hint: String,
    verdict: Verdict,
    doc: Option<Doc>,
}

/// Classifies the words and works out completions, hint, verdict and docs.
fn read(
    text: &str,
    words: &mut [Scanned],
    current: usize,
    prefix: &str,
    db: Option<&Db>,
) -> Reading {
    let mut reading = Reading::default();
    let Some(first) = words.first() else {
        reading.completions = commands(prefix);
        return reading;
    };
    let name = first.text.clone();
    words[0].kind = WordKind::Command;
    if current == 0 {
        reading.completions = commands(prefix);
    }
    let typing_name = current == 0 && words.len() == 1 && !text.ends_with(char::is_whitespace);
    if BUILT_INS.iter().any(|b| b.eq_ignore_ascii_case(&name)) {
        if name.eq_ignore_ascii_case("help") {
            read_help(words, current, prefix, &mut reading);
        }
        return reading;
    }
    let Some(spec) = spec::lookup(name.as_bytes()) else {
        if !typing_name || reading.completions.is_empty() {
            reading.verdict = Verdict::Unknown;
        }
        return reading;
    };
    let (row, container, args_from) = if spec.subcommands.is_empty() {
        (spec, None, 1)
    } else {
        if current == 1 {
            reading.completions = complete(
                spec.subcommands.iter().map(|s| s.name.to_uppercase()),
                prefix,
                WordKind::Subcommand,
            );
        }
        let Some(word) = words.get_mut(1) else {
            reading.doc = Some(doc(None, spec));
            reading.hint = spec.syntax.to_string();
            reading.verdict = Verdict::TooFew;
            return reading;
        };
        word.kind = WordKind::Subcommand;
        match spec.subcommand(word.text.as_bytes()) {
            Some(sub) => (sub, Some(spec), 2),
            None => {
                reading.doc = Some(doc(None, spec));
                let typing_sub = current == 1 && words.len() == 2;
                if !typing_sub || reading.completions.is_empty() {
                    reading.verdict = Verdict::UnknownSubcommand;
                }
                return reading;
            }
        }
    };
    reading.doc = Some(doc(container, row));
    let syntax = grammar::parse(row.syntax);
    let args: Vec<&str> = words[args_from.min(words.len())..]
        .iter()
        .map(|w| w.text.as_str())
        .collect();

    // Completions: what may come at the cursor's word, given the words before it.
    if current >= args_from {
        let before = walk(&syntax, &args[..current - args_from]);
        let mut offered = Vec::new();
        for state in before.states.iter().flat_map(|s| expand_all(s.clone())) {
            match state.last() {
                Some(Item::Node(Syntax::Token(word))) => offered.push(Completion {
                    text: word.clone(),
                    kind: WordKind::Keyword,
                }),
                Some(Item::Node(Syntax::Placeholder(hole))) => {
                    let typed = &args[..current - args_from];
                    offered.extend(fill(hole, container.unwrap_or(row), prefix, db, typed));
                }
                _ => {}
            }
        }
        let mut seen = Vec::new();
        reading.completions = offered
            .into_iter()
            .filter(|c| starts_with_ignore_case(&c.text, prefix))
            .filter(|c| {
                let new = !seen.contains(&c.text);
                seen.push(c.text.clone());
                new
            })
            .take(MAX_COMPLETIONS)
            .collect();
    }

    // The hint, the kinds of the words, and whether the syntax has a place for each.
    let after = walk(&syntax, &args);
    let first_arg = args_from.min(words.len());
    for (word, kind) in words[first_arg..].iter_mut().zip(&after.kinds) {
        word.kind = match kind {
            WordKind::Argument if looks_numeric(&word.text) => WordKind::Number,
            kind => *kind,
        };
    }
    reading.hint = after.states.first().map(remaining).unwrap_or_default();
    let argc = words.len() - args_from + if container.is_some() { 2 } else { 1 };
    reading.verdict = if let Some(at) = after.stuck_at {
        Verdict::Unexpected(args_from + at)
    } else if row.arity_ok(argc) {
        Verdict::Ok
    } else if row.arity >= 0 && argc as i32 > row.arity {
        Verdict::TooMany
    } else {
        Verdict::TooFew
    };
    reading
}

/// `help` completes command names and `@group`s.
fn read_help(words: &mut [Scanned], current: usize, prefix: &str, reading: &mut Reading) {
    if let Some(word) = words.get_mut(1) {
        word.kind = WordKind::Keyword;
    }
    if current == 1 {
        reading.completions = if prefix.starts_with('@') {
            complete(
                groups().into_iter().map(|g| format!("@{g}")),
                prefix,
                WordKind::Keyword,
            )
        } else {
            commands(prefix)
        };
    }
    reading.hint = match words.len() {
        1 => "command | @group".to_string(),
        _ => String::new(),
    };
}

/// Command names starting with `prefix`, a family's head first (ZRANGE before ZRANGEBYLEX,
/// ZRANDMEMBER and ZRANK: the name others extend is the one most often meant), then in
/// alphabetical order.
fn commands(prefix: &str) -> Vec<Completion> {
    let names: Vec<String> = spec::table()
        .map(|s| s.name.to_uppercase())
        .filter(|name| starts_with_ignore_case(name, prefix))
        .collect();
    let family = |name: &String| {
        names
            .iter()
            .filter(|n| n.starts_with(name.as_str()))
            .count()
    };
    let mut ranked: Vec<(usize, &String)> = names.iter().map(|n| (family(n), n)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    complete(
        ranked.into_iter().map(|(_, n)| n.clone()),
        prefix,
        WordKind::Command,
    )
}

fn complete(names: impl Iterator<Item = String>, prefix: &str, kind: WordKind) -> Vec<Completion> {
    names
        .filter(|name| starts_with_ignore_case(name, prefix))
        .take(MAX_COMPLETIONS)
        .map(|text| Completion { text, kind })
        .collect()
}

/// Values for a placeholder: key names where a key goes, parameter names after CONFIG GET
/// and SET, command names where COMMAND INFO and DOCS take them; for the stream commands the
/// groups and consumers that exist (of the streams named before the cursor, or of every
/// stream when none is named yet, as in XREADGROUP, whose keys come last), `>` and `$` where
/// XREADGROUP and XREAD take an ID, `-` and `+` for XRANGE's ends. `typed` are the arguments
/// before the cursor.
fn fill(
    hole: &str,
    command: &CommandSpec,
    prefix: &str,
    db: Option<&Db>,
    typed: &[&str],
) -> Vec<Completion> {
    if KEY_PLACEHOLDERS.contains(&hole) {
        let Some(db) = db else {
            return Vec::new();
        };
        let mut keys: Vec<String> = db
            .iter()
            .take(KEYS_SCANNED)
            .filter(|(key, _, _)| key.starts_with(prefix.as_bytes()))
            .map(|(key, _, _)| String::from_utf8_lossy(key).into_owned())
            .take(MAX_COMPLETIONS)
            .collect();
        keys.sort();
        return keys
            .into_iter()
            .map(|text| Completion {
                text,
                kind: WordKind::Key,
            })
            .collect();
    }
    match (command.name, hole) {
        ("config", "parameter") => complete(
            PARAMS.iter().map(|p| p.name.to_string()),
            prefix,
            WordKind::Parameter,
        ),
        ("command", "command-name") => commands(prefix),
        (_, "group" | "groupname" | "consumer" | "consumername") if command.group == "stream" => {
            let mut names = stream_names(hole.starts_with("consumer"), db, typed);
            names.sort();
            names.dedup();
            complete(names.into_iter(), prefix, WordKind::Argument)
        }
        // Redis documents BITOP's operation as a string; the console still offers the four.
        ("bitop", "operation") => complete(
            ["AND", "OR", "XOR", "NOT"].iter().map(|op| op.to_string()),
            prefix,
            WordKind::Keyword,
        ),
        ("xreadgroup", "id") => complete([">".to_string()].into_iter(), prefix, WordKind::Keyword),
        ("xread", "id") => complete(["$".to_string()].into_iter(), prefix, WordKind::Keyword),
        ("xrange", "start") | ("xrevrange", "start") => {
            complete(["-".to_string()].into_iter(), prefix, WordKind::Keyword)
        }
        ("xrange", "end") | ("xrevrange", "end") => {
            complete(["+".to_string()].into_iter(), prefix, WordKind::Keyword)
        }
        _ => Vec::new(),
    }
}

/// The group names (or, with `consumers`, the consumer names of the groups named in `typed`)
/// of the streams named in `typed`, or of every stream when `typed` names none.
fn stream_names(consumers: bool, db: Option<&Db>, typed: &[&str]) -> Vec<String> {
    let Some(db) = db else {
        return Vec::new();
    };
    let named: Vec<&Stream> = typed
        .iter()
        .filter_map(|word| match db.peek(word.as_bytes()) {
            Some((entry, _)) => match &entry.value {
                Value::Stream(stream) => Some(&**stream),
                _ => None,
            },
            None => None,
        })
        .collect();
    let streams: Vec<&Stream> = if named.is_empty() {
        db.iter()
            .take(KEYS_SCANNED)
            .filter_map(|(_, value, _)| match value {
                Value::Stream(stream) => Some(&**stream),
                _ => None,
            })
            .collect()
    } else {
        named
    };
    let text = |name: &[u8]| String::from_utf8_lossy(name).into_owned();
    streams
        .into_iter()
        .flat_map(|stream| stream.groups())
        .flat_map(|(name, group)| {
            if !consumers {
                return vec![text(name)];
            }
            if !typed.iter().any(|word| word.as_bytes() == name) {
                return Vec::new();
            }
            group.consumers().map(|c| text(c.name())).collect()
        })
        .take(MAX_COMPLETIONS * 4)
        .collect()
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn looks_numeric(text: &str) -> bool {
    !text.is_empty() && text.parse::<f64>().is_ok()
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// What is still to come, the next item last.
#[derive(Clone, Debug)]
enum Item<'a> {
    Node(&'a Syntax),
    /// After one round of a repeat: it may come again.
    Again(&'a Syntax),
}

type Stack<'a> = Vec<Item<'a>>;

/// Where a walk ends: the states left, what each word was taken for (by the first state to
/// take it), and the first word no state could take.
struct Walk<'a> {
    states: Vec<Stack<'a>>,
    kinds: Vec<WordKind>,
    stuck_at: Option<usize>,
}

/// Matches `args` against `syntax` (see the module doc).
fn walk<'a>(syntax: &'a Syntax, args: &[&str]) -> Walk<'a> {
    let mut states: Vec<Stack<'a>> = vec![vec![Item::Node(syntax)]];
    let mut kinds = Vec::new();
    for (at, arg) in args.iter().enumerate() {
        let mut by_keyword = Vec::new();
        let mut by_placeholder = Vec::new();
        let mut placeholder_kind = None;
        for state in states.iter().flat_map(|s| expand_all(s.clone())) {
            let mut state = state;
            match state.pop() {
                Some(Item::Node(Syntax::Token(word))) if word.eq_ignore_ascii_case(arg) => {
                    by_keyword.push(state)
                }
                Some(Item::Node(Syntax::Placeholder(hole))) => {
                    placeholder_kind.get_or_insert(if KEY_PLACEHOLDERS.contains(&hole.as_str()) {
                        WordKind::Key
                    } else if hole == "parameter" {
                        WordKind::Parameter
                    } else {
                        WordKind::Argument
                    });
                    by_placeholder.push(state)
                }
                _ => {}
            }
        }
        let (next, kind) = if !by_keyword.is_empty() {
            (by_keyword, WordKind::Keyword)
        } else {
            (
                by_placeholder,
                placeholder_kind.unwrap_or(WordKind::Argument),
            )
        };
        if next.is_empty() {
            // Nothing takes this word: the rest of the line is past the syntax.
            kinds.resize(args.len(), WordKind::Argument);
            return Walk {
                states: Vec::new(),
                kinds,
                stuck_at: Some(at),
            };
        }
        kinds.push(kind);
        states = next;
        states.truncate(MAX_STATES);
    }
    Walk {
        states,
        kinds,
        stuck_at: None,
    }
}

/// Every way `state` can go on until a word (or the end) is next.
fn expand_all(state: Stack<'_>) -> Vec<Stack<'_>> {
    let mut out = Vec::new();
    expand(state, &mut out, 0);
    out
}

fn expand<'a>(mut state: Stack<'a>, out: &mut Vec<Stack<'a>>, depth: usize) {
    if depth > MAX_DEPTH || out.len() >= MAX_STATES {
        return;
    }
    let Some(top) = state.pop() else {
        out.push(state);
        return;
    };
    match top {
        Item::Node(node @ (Syntax::Token(_) | Syntax::Placeholder(_))) => {
            state.push(Item::Node(node));
            out.push(state);
        }
        Item::Node(Syntax::Sequence(items)) => {
            state.extend(items.iter().rev().map(Item::Node));
            expand(state, out, depth + 1);
        }
        Item::Node(Syntax::Choice(options)) => {
            for option in options {
                let mut branch = state.clone();
                branch.push(Item::Node(option));
                expand(branch, out, depth + 1);
            }
        }
        Item::Node(Syntax::Optional(inner)) => {
            let mut taken = state.clone();
            taken.push(Item::Node(inner));
            expand(taken, out, depth + 1);
            expand(state, out, depth + 1);
        }
        // One round is required; after it, another may come.
        Item::Node(Syntax::Repeat(inner)) => {
            state.push(Item::Again(inner));
            state.push(Item::Node(inner));
            expand(state, out, depth + 1);
        }
        Item::Again(inner) => {
            let mut taken = state.clone();
            taken.push(Item::Again(inner));
            taken.push(Item::Node(inner));
            expand(taken, out, depth + 1);
            expand(state, out, depth + 1);
        }
    }
}

/// A state's stack written as syntax: what is left to type.
fn remaining(state: &Stack<'_>) -> String {
    let parts: Vec<String> = state
        .iter()
        .rev()
        .map(|item| match item {
            Item::Node(node @ Syntax::Choice(_)) if state.len() > 1 => format!("({node})"),
            Item::Node(node) => node.to_string(),
            Item::Again(node) => format!("[{node} ...]"),
        })
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::{Config, Engine, ManualClock};

    fn engine_with(keys: &[&str]) -> Engine {
        let mut engine = Engine::new(Config::default(), Box::new(ManualClock::default()), 1);
        let client = engine.connect();
        for key in keys {
            engine.execute(
                client,
                &[b"SET".to_vec(), key.as_bytes().to_vec(), b"v".to_vec()],
            );
        }
        engine
    }

    fn at_end(line: &str) -> Assist {
        assist(line, line.len(), None)
    }

    fn texts(assist: &Assist) -> Vec<&str> {
        assist.completions.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn command_names_complete_from_any_case() {
        let zra = at_end("zra");
        // ZRANGE heads its family (ZRANGEBYLEX, ZRANGEBYSCORE, ZRANGESTORE): it comes first.
        assert_eq!(
            texts(&zra),
            [
                "ZRANGE",
                "ZRANDMEMBER",
                "ZRANGEBYLEX",
                "ZRANGEBYSCORE",
                "ZRANGESTORE",
                "ZRANK"
            ]
        );
        assert_eq!(zra.from, 0);
        assert_eq!(zra.verdict, Verdict::Ok, "still being typed");
        assert_eq!(at_end("ZRAX").verdict, Verdict::Unknown);
        assert_eq!(at_end("GETX k").verdict, Verdict::Unknown);
    }

    #[test]
    fn the_hint_is_the_rest_of_the_syntax_and_shrinks_as_arguments_come() {
        assert_eq!(
            at_end("SET").hint,
            "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"
        );
        assert_eq!(
            at_end("SET k v ").hint,
            "[NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"
        );
        assert_eq!(
            at_end("SET k v NX ").hint,
            "[GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"
        );
        assert_eq!(at_end("set k v ex").hint, "seconds");
        assert_eq!(at_end("SET k v EX 10").hint, "");
        assert_eq!(at_end("DEL a b").hint, "[key ...]");
        assert_eq!(at_end("LINSERT k").hint, "(BEFORE | AFTER) pivot element");
        assert_eq!(at_end("CLIENT").hint, "subcommand [argument ...]");
        assert_eq!(at_end("CLIENT SETNAME").hint, "connection-name");
    }

    #[test]
    fn options_valid_at_the_cursor_complete() {
        assert_eq!(
            texts(&at_end("SET k v ")),
            ["NX", "XX", "GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"]
        );
        assert_eq!(
            texts(&at_end("SET k v NX ")),
            ["GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"]
        );
        assert_eq!(texts(&at_end("ZRANGE z 0 -1 w")), ["WITHSCORES"]);
        assert_eq!(texts(&at_end("zrange z 0 -1 LIM")), ["LIMIT"]);
        // A value goes here: no keyword to offer.
        assert!(at_end("SET k ").completions.is_empty());
        assert_eq!(
            texts(&at_end("ZUNION 2 a b AGGREGATE ")),
            ["SUM", "MIN", "MAX"]
        );
        // Redis documents BITOP's operation as a string; the four are still offered.
        assert_eq!(at_end("BITOP").hint, "operation destkey key [key ...]");
        assert_eq!(texts(&at_end("BITOP ")), ["AND", "OR", "XOR", "NOT"]);
        assert_eq!(texts(&at_end("bitop x")), ["XOR"]);
    }

    #[test]
    fn subcommands_and_config_parameters_complete() {
        assert_eq!(texts(&at_end("CLIENT L")), ["LIST"]);
        assert_eq!(texts(&at_end("config g")), ["GET"]);
        let params = at_end("CONFIG GET maxmemory-p");
        assert_eq!(texts(&params), ["maxmemory-policy"]);
        assert_eq!(params.completions[0].kind, WordKind::Parameter);
        assert_eq!(at_end("CLIENT NOPE").verdict, Verdict::UnknownSubcommand);
    }

    #[test]
    fn existing_keys_complete_where_a_key_goes() {
        let engine = engine_with(&["user:1", "user:2", "other"]);
        let db = engine.db(0);
        let line = "GET user";
        let got = assist(line, line.len(), db);
        assert_eq!(texts(&got), ["user:1", "user:2"]);
        assert_eq!(got.completions[0].kind, WordKind::Key);
        assert_eq!(got.from, 4);
        // The value of SET is no key.
        assert!(assist("SET user:1 u", 12, db).completions.is_empty());
        // The cursor in the middle of the line completes the word it is in.
        assert_eq!(texts(&assist("RENAME o x", 8, db)), ["other"]);
    }

    #[test]
    fn stream_groups_consumers_and_ids_complete() {
        let mut engine = Engine::new(Config::default(), Box::new(ManualClock::new(1)), 1);
        let id = engine.connect();
        for line in [
            "XGROUP CREATE jobs workers $ MKSTREAM",
            "XGROUP CREATE jobs audit $",
            "XGROUP CREATECONSUMER jobs workers alice",
            "XGROUP CREATECONSUMER jobs workers bob",
            "XGROUP CREATE other elsewhere $ MKSTREAM",
        ] {
            let argv = keyspace::cli::split_args(line.as_bytes()).unwrap();
            assert!(
                !engine.execute(id, &argv).into_replies()[0].is_error(),
                "{line}"
            );
        }
        let db = engine.db(0);
        let got = |line: &str| {
            let assist = assist(line, line.len(), db);
            texts(&assist)
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
        };
        // The groups of the stream named, or of every stream before a key is typed.
        assert_eq!(got("XACK jobs "), ["audit", "workers"]);
        assert_eq!(got("XREADGROUP GROUP "), ["audit", "elsewhere", "workers"]);
        assert_eq!(got("XINFO CONSUMERS jobs w"), ["workers"]);
        // The consumers of the group named.
        assert_eq!(got("XREADGROUP GROUP workers "), ["alice", "bob"]);
        assert_eq!(got("XCLAIM jobs workers b"), ["bob"]);
        assert_eq!(got("XGROUP DELCONSUMER jobs workers "), ["alice", "bob"]);
        // Where an ID goes: > for a group's new entries, $ for XREAD's, - and + for a range.
        assert!(got("XREADGROUP GROUP workers alice STREAMS jobs ").contains(&">".to_string()));
        assert!(got("XREAD BLOCK 0 STREAMS jobs ").contains(&"$".to_string()));
        assert_eq!(got("XRANGE jobs "), ["-"]);
        assert_eq!(got("XRANGE jobs - "), ["+"]);
        // Every stream command's syntax reads a well-formed line to the end.
        for line in [
            "XADD jobs MAXLEN ~ 1000 * task resize",
            "XADD jobs NOMKSTREAM 5-0 task resize size 10",
            "XREADGROUP GROUP workers alice COUNT 1 BLOCK 0 NOACK STREAMS jobs other > >",
            "XREAD COUNT 2 STREAMS jobs 0",
            "XPENDING jobs workers IDLE 1000 - + 10 alice",
            "XAUTOCLAIM jobs workers bob 60000 0-0 COUNT 10 JUSTID",
            "XCLAIM jobs workers bob 0 1-0 2-0 RETRYCOUNT 3 FORCE JUSTID",
            "XGROUP CREATE jobs new 0 MKSTREAM ENTRIESREAD 0",
            "XINFO STREAM jobs FULL COUNT 10",
            "XTRIM jobs MINID ~ 1-0 LIMIT 100",
        ] {
            assert_eq!(assist(line, line.len(), db).verdict, Verdict::Ok, "{line}");
        }
    }

    #[test]
    fn arity_and_misplaced_words_are_marked_before_sending() {
        assert_eq!(at_end("GET").verdict, Verdict::TooFew);
        assert_eq!(at_end("GET a").verdict, Verdict::Ok);
        assert_eq!(at_end("GET a b").verdict, Verdict::Unexpected(2));
        assert_eq!(at_end("SET k v NX XX").verdict, Verdict::Unexpected(4));
        assert_eq!(
            at_end("LINSERT k MIDDLE p e").verdict,
            Verdict::Unexpected(2)
        );
        assert_eq!(at_end("DBSIZE now").verdict, Verdict::Unexpected(1));
        assert_eq!(at_end("").verdict, Verdict::Ok);
    }

    #[test]
    fn words_are_classified_for_highlighting() {
        let got = at_end("SET \"my key\" 12 EX 10");
        let kinds: Vec<WordKind> = got.words.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            [
                WordKind::Command,
                WordKind::Key,
                WordKind::Number,
                WordKind::Keyword,
                WordKind::Number
            ]
        );
        assert!(got.words[1].quoted);
        assert_eq!((got.words[1].start, got.words[1].end), (4, 12));
    }

    #[test]
    fn a_pasted_pipeline_is_read_at_the_cursors_line() {
        let text = "SET a 1\nINCR a\nGE";
        let got = at_end(text);
        assert_eq!(got.from, text.len() - 2);
        assert!(texts(&got).contains(&"GET"));
        // Every line is coloured: each word where it stands in the whole text.
        let kinds: Vec<_> = got
            .words
            .iter()
            .map(|w| (&text[w.start..w.end], w.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("SET", WordKind::Command),
                ("a", WordKind::Key),
                ("1", WordKind::Number),
                ("INCR", WordKind::Command),
                ("a", WordKind::Key),
                ("GE", WordKind::Command),
            ]
        );
    }

    #[test]
    fn a_script_over_several_lines_is_read_as_one_command() {
        let text = "EVAL \"local n = 0\nfor i = 1, 3 do n = n + i end\nreturn n\" 0\nGET a";
        // The cursor inside the script's second line: the EVAL is read, not `for`.
        let inside = text.find("for").unwrap() + 3;
        let got = assist(text, inside, None);
        assert_eq!(got.verdict, Verdict::Ok);
        let kinds: Vec<_> = got
            .words
            .iter()
            .map(|w| (&text[w.start..w.end], w.kind))
            .collect();
        assert_eq!(kinds[0], ("EVAL", WordKind::Command));
        assert!(kinds[1].0.starts_with("\"local n = 0\nfor") && kinds[1].0.ends_with("n\""));
        assert_eq!(kinds.last(), Some(&("a", WordKind::Key)));
        // While the script is being typed its open quote runs to the end.
        let typing = "EVAL \"local n = 0\nfor i";
        assert_eq!(
            at_end(typing).verdict,
            Verdict::TooFew,
            "numkeys is still to come"
        );
        assert_eq!(at_end(typing).words[0].kind, WordKind::Command);
    }

    #[test]
    fn no_line_and_no_cursor_position_breaks_it() {
        let engine = engine_with(&["鍵", "a b"]);
        for line in [
            "\"\\鍵\" x",
            "SET \"open",
            "SET '鍵' \"\\",
            "ZADD k NX XX GT 1 m 2",
            "SORT k BY x GET # GET a LIMIT 0 1 ALPHA STORE d extra",
            "CLIENT KILL 1.2.3.4:5 ID 1 TYPE normal",
            "help @",
            "\n\n",
            "鍵 鍵 鍵",
            "COMMAND GETKEYS SET a b",
        ] {
            for cursor in 0..=line.len() + 1 {
                let got = assist(line, cursor, engine.db(0));
                assert!(
                    got.from <= got.cursor && got.cursor <= line.len(),
                    "{line:?} at {cursor}"
                );
                for word in &got.words {
                    assert!(line.is_char_boundary(word.start) && line.is_char_boundary(word.end));
                }
            }
        }
    }

    #[test]
    fn help_completes_its_topics() {
        assert!(texts(&at_end("help @so")).contains(&"@sorted-set"));
        assert!(texts(&at_end("HELP zrangeb")).contains(&"ZRANGEBYSCORE"));
    }

    #[test]
    fn docs_follow_the_command_under_the_cursor() {
        let got = at_end("CLIENT LIST TYPE ");
        assert_eq!(
            got.doc.as_ref().map(|d| d.name.as_str()),
            Some("CLIENT LIST")
        );
        assert_eq!(texts(&got), ["NORMAL", "MASTER", "REPLICA", "PUBSUB"]);
    }
}
