//! redis-cli's side of the conversation: splitting a typed line into arguments, and printing
//! replies the way redis-cli prints them.
//!
//! [`split_args`] is Redis's `sdssplitargs`, which redis-cli uses for typed lines and the server
//! uses for inline commands: `"..."` with `\n \r \t \b \a \xHH` escapes, `'...'` with only `\'`,
//! and a quote in the middle of a bare word opening a quoted part (`a"b c"` is one argument).
//! [`format_reply`] is redis-cli's `cliFormatReplyTTY`; [`format_raw`] is its raw mode, which
//! redis-cli uses for INFO and CLIENT LIST (see [`prints_raw`]).

use crate::reply::{format_double, format_human, Reply};

/// What redis-cli prints when a typed line has unbalanced quotes.
pub const INVALID_ARGUMENTS: &str = "Invalid argument(s)";

/// Splits a line as `sdssplitargs` does. `None` for unbalanced quotes, or a closing quote
/// followed by something other than a space. A NUL byte ends the line, as in C.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let end = line.iter().position(|&b| b == 0).unwrap_or(line.len());
    let line = &line[..end];
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(args);
        }
        let (mut in_double, mut in_single) = (false, false);
        let mut current = Vec::new();
        loop {
            let c = at(p);
            if in_double {
                if c == b'\\'
                    && at(p + 1) == b'x'
                    && at(p + 2).is_ascii_hexdigit()
                    && at(p + 3).is_ascii_hexdigit()
                {
                    current.push(hex(at(p + 2)) * 16 + hex(at(p + 3)));
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    current.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        if c != 0 {
                            p += 1;
                        }
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    _ => current.push(c),
                }
            }
            p += 1;
        }
        args.push(current);
    }
}

fn hex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

/// An argument as it is typed for redis-cli to read it back the same: bare when that is
/// unambiguous (printable, no quotes or backslashes), else quoted by [`repr`], whose escapes
/// redis-cli's splitter undoes.
pub fn word(arg: &[u8]) -> String {
    let bare = !arg.is_empty()
        && arg
            .iter()
            .all(|&b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'));
    match bare {
        true => String::from_utf8_lossy(arg).into_owned(),
        false => repr(arg),
    }
}

/// Quotes bytes as redis-cli does (`sdscatrepr`): `"..."` with `\\`, `\"`, `\n`, `\r`, `\t`,
/// `\a`, `\b` escaped, printable ASCII as is, everything else as `\xhh`.
pub fn repr(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// A reply as a client speaking `protocol` receives it: for RESP2, the RESP3 types downgraded
/// exactly as the wire encoding downgrades them, so what the console prints matches what
/// redis-cli would print for the same connection.
pub fn as_received(reply: &Reply, protocol: u8) -> Reply {
    if protocol >= 3 {
        return reply.clone();
    }
    let all = |items: &[Reply]| items.iter().map(|r| as_received(r, protocol)).collect();
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => Reply::Array(all(items)),
        Reply::Map(pairs) => Reply::Array(
            pairs
                .iter()
                .flat_map(|(k, v)| [as_received(k, protocol), as_received(v, protocol)])
                .collect(),
        ),
        Reply::Double(d) => Reply::Bulk(format_double(*d).into_bytes()),
        Reply::HumanDouble(d) => Reply::Bulk(format_human(*d).into_bytes()),
        Reply::Boolean(b) => Reply::Integer(i64::from(*b)),
        Reply::BigNumber(n) => Reply::Bulk(n.clone().into_bytes()),
        Reply::Verbatim { text, .. } => Reply::Bulk(text.clone()),
        other => other.clone(),
    }
}

/// redis-cli's human format (`cliFormatReplyTTY`), one line per scalar, ending in a newline:
/// `OK`, `(integer) 1`, `"hello"`, `(nil)`, `(error) ERR ...`, `(empty array)`, numbered and
/// indented nested arrays, `1# "key" => "value"` for RESP3 maps and `1~ ...` for sets.
pub fn format_reply(reply: &Reply) -> String {
    let mut out = String::new();
    format_into(&mut out, reply, "");
    out
}

fn format_into(out: &mut String, reply: &Reply, prefix: &str) {
    match reply {
        Reply::Simple(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
            out.push('\n');
        }
        Reply::Integer(n) => out.push_str(&format!("(integer) {n}\n")),
        Reply::Bulk(b) => {
            out.push_str(&repr(b));
            out.push('\n');
        }
        Reply::Null | Reply::NullArray => out.push_str("(nil)\n"),
        Reply::Double(d) => out.push_str(&format!("(double) {}\n", format_double(*d))),
        Reply::HumanDouble(d) => out.push_str(&format!("(double) {}\n", format_human(*d))),
        Reply::Boolean(b) => out.push_str(if *b { "(true)\n" } else { "(false)\n" }),
        Reply::BigNumber(n) => out.push_str(&format!("(big number) {n}\n")),
        Reply::Verbatim { text, .. } | Reply::Raw(text) => {
            out.push_str(&String::from_utf8_lossy(text));
            out.push('\n');
        }
        Reply::Array(items) => {
            format_aggregate(out, items.iter().collect(), ')', "(empty array)", prefix)
        }
        Reply::Push(items) => {
            format_aggregate(out, items.iter().collect(), ')', "(empty push)", prefix)
        }
        Reply::Set(items) => {
            format_aggregate(out, items.iter().collect(), '~', "(empty set)", prefix)
        }
        Reply::Map(pairs) => {
            if pairs.is_empty() {
                out.push_str("(empty hash)\n");
                return;
            }
            let width = digits(pairs.len());
            let inner = format!("{prefix}{}", " ".repeat(width + 2));
            for (i, (k, v)) in pairs.iter().enumerate() {
                let lead = if i == 0 { "" } else { prefix };
                out.push_str(&format!("{lead}{:>width$}# ", i + 1));
                format_into(out, k, &inner);
                out.pop();
                out.push_str(" => ");
                format_into(out, v, &inner);
            }
        }
    }
}

fn format_aggregate(out: &mut String, items: Vec<&Reply>, sep: char, empty: &str, prefix: &str) {
    if items.is_empty() {
        out.push_str(empty);
        out.push('\n');
        return;
    }
    let width = digits(items.len());
    let inner = format!("{prefix}{}", " ".repeat(width + 2));
    for (i, item) in items.into_iter().enumerate() {
        // The first element follows the index its parent already printed.
        let lead = if i == 0 { "" } else { prefix };
        out.push_str(&format!("{lead}{:>width$}{sep} ", i + 1));
        format_into(out, item, &inner);
    }
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// redis-cli's raw format (`cliFormatReplyRaw`): strings and statuses as they are, integers
/// bare, nil as an empty line, array elements one per line.
pub fn format_raw(reply: &Reply) -> String {
    let mut out = String::new();
    raw_into(&mut out, reply);
    out
}

fn raw_into(out: &mut String, reply: &Reply) {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            for item in items {
                raw_into(out, item);
            }
        }
        Reply::Map(pairs) => {
            for (k, v) in pairs {
                raw_into(out, k);
                raw_into(out, v);
            }
        }
        Reply::Simple(s) | Reply::Error(s) | Reply::BigNumber(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Bulk(b) | Reply::Verbatim { text: b, .. } | Reply::Raw(b) => {
            out.push_str(&String::from_utf8_lossy(b));
            out.push('\n');
        }
        Reply::Integer(n) => out.push_str(&format!("{n}\n")),
        Reply::Double(d) => out.push_str(&format!("{}\n", format_double(*d))),
        Reply::HumanDouble(d) => out.push_str(&format!("{}\n", format_human(*d))),
        Reply::Boolean(b) => out.push_str(if *b { "1\n" } else { "0\n" }),
        Reply::Null | Reply::NullArray => out.push('\n'),
    }
}

/// A reply as redis-cli shows it to a client speaking `protocol`: the downgrade of
/// [`as_received`], then [`format_raw`] for the commands it prints raw ([`prints_raw`]), else
/// [`format_reply`]. The console and the scenario runner both print through this.
pub fn render(reply: &Reply, protocol: u8, raw: bool) -> String {
    let reply = as_received(reply, protocol);
    if raw {
        format_raw(&reply)
    } else {
        format_reply(&reply)
    }
}

/// A reply that arrived unasked (a RESP3 push, a message) as redis-cli's push handler shows
/// it: an invalidation of keys (client-side caching) on one line, `-> invalidate: 'a', 'b'`,
/// anything else as [`render`] shows it. A whole-keyspace invalidation (FLUSHALL) carries a
/// null instead of keys and is shown as any push.
pub fn render_unasked(reply: &Reply, protocol: u8) -> String {
    // redis-cli's handler sees only RESP3 pushes; a RESP2 redirect's message prints as any.
    let pushed = matches!(reply, Reply::Push(parts) if parts.len() == 2);
    match invalidated_keys(reply) {
        Some(Some(keys)) if pushed => {
            let quoted: Vec<String> = keys
                .iter()
                .map(|k| format!("'{}'", String::from_utf8_lossy(k)))
                .collect();
            format!("-> invalidate: {}\n", quoted.join(", "))
        }
        _ => render(reply, protocol, false),
    }
}

/// The keys an invalidation names, as a RESP3 `invalidate` push or as a RESP2 redirect's
/// message on `__redis__:invalidate`: `Some(None)` for the null of a flush, `None` when the
/// reply is not one.
pub fn invalidated_keys(reply: &Reply) -> Option<Option<Vec<&[u8]>>> {
    let keys = match reply {
        Reply::Push(parts) | Reply::Array(parts) => match parts.as_slice() {
            [Reply::Bulk(kind), keys] if kind.as_slice() == b"invalidate" => keys,
            [Reply::Bulk(kind), Reply::Bulk(channel), keys]
                if kind.as_slice() == b"message"
                    && channel.as_slice() == crate::tracking::INVALIDATE_CHANNEL =>
            {
                keys
            }
            _ => return None,
        },
        _ => return None,
    };
    match keys {
        Reply::Array(keys) => keys
            .iter()
            .map(|k| match k {
                Reply::Bulk(k) => Some(k.as_slice()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Some),
        Reply::Null | Reply::NullArray => Some(None),
        _ => None,
    }
}

/// Commands whose replies redis-cli prints raw even on a terminal (INFO, CLIENT LIST/INFO...),
/// so their multi-line text reads as text.
pub fn prints_raw(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    is(0, "info")
        || is(0, "lolwut")
        || (is(0, "client") && (is(1, "list") || is(1, "info")))
        || (is(0, "debug") && is(1, "htstats"))
        || (is(0, "memory") && (is(1, "doctor") || is(1, "malloc-stats")))
        || (is(0, "latency") && (is(1, "doctor") || is(1, "graph")))
        || (is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn an_invalidation_push_is_shown_on_one_line_as_redis_cli_shows_it() {
        let push = |keys: Reply| Reply::Push(vec![Reply::bulk("invalidate"), keys]);
        let keys = push(Reply::Array(vec![
            Reply::bulk("user:1"),
            Reply::bulk("user:2"),
        ]));
        assert_eq!(
            render_unasked(&keys, 3),
            "-> invalidate: 'user:1', 'user:2'\n"
        );
        // FLUSHALL's null, and any other push, print as a reply does.
        assert_eq!(
            render_unasked(&push(Reply::Null), 3),
            "1) \"invalidate\"\n2) (nil)\n"
        );
        let message = Reply::Push(vec![
            Reply::bulk("message"),
            Reply::bulk("news"),
            Reply::bulk("hi"),
        ]);
        assert_eq!(render_unasked(&message, 3), render(&message, 3, false));
    }

    #[test]
    fn splits_like_sdssplitargs() {
        assert_eq!(
            split("SET k v"),
            Some(vec!["SET".into(), "k".into(), "v".into()])
        );
        assert_eq!(
            split("  get   \"a b\"  "),
            Some(vec!["get".into(), "a b".into()])
        );
        assert_eq!(
            split(r#"set k "line\nnext\x41""#),
            Some(vec!["set".into(), "k".into(), "line\nnextA".into()])
        );
        assert_eq!(
            split(r"set k 'it\'s'"),
            Some(vec!["set".into(), "k".into(), "it's".into()])
        );
        assert_eq!(split(r#"a"b c""#), Some(vec!["ab c".into()]));
        assert_eq!(split(r#"set k "unbalanced"#), None);
        assert_eq!(split(r#"set k "a"b"#), None);
        assert_eq!(split("set k 'x"), None);
        assert_eq!(split(""), Some(vec![]));
        assert_eq!(split(r#""""#), Some(vec!["".into()]));
    }

    #[test]
    fn formats_like_redis_cli() {
        assert_eq!(format_reply(&Reply::ok()), "OK\n");
        assert_eq!(format_reply(&Reply::Integer(1)), "(integer) 1\n");
        assert_eq!(format_reply(&Reply::Null), "(nil)\n");
        assert_eq!(
            format_reply(&Reply::bulk("a\"b\n\u{e9}")),
            "\"a\\\"b\\n\\xc3\\xa9\"\n"
        );
        assert_eq!(format_reply(&Reply::Array(vec![])), "(empty array)\n");
        assert_eq!(
            format_reply(&Reply::Error("ERR x".into())),
            "(error) ERR x\n"
        );
        let nested = Reply::Array(vec![
            Reply::bulk("0"),
            Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")]),
        ]);
        assert_eq!(
            format_reply(&nested),
            "1) \"0\"\n2) 1) \"a\"\n   2) \"b\"\n"
        );
        let ten = Reply::Array((0..10).map(Reply::Integer).collect());
        assert!(format_reply(&ten).starts_with(" 1) (integer) 0\n"));
        assert!(format_reply(&ten).ends_with("10) (integer) 9\n"));
        let map = Reply::Map(vec![(Reply::bulk("proto"), Reply::Integer(3))]);
        assert_eq!(format_reply(&map), "1# \"proto\" => (integer) 3\n");
        assert_eq!(
            format_reply(&as_received(&map, 2)),
            "1) \"proto\"\n2) (integer) 3\n"
        );
    }
}
