//! The compat scripts' format (`tests/compat/*.redis`, documented in tests/compat/README.md):
//! one command a line in redis-cli's syntax, `#` comments, and `@` directives that pick the
//! connection, wait, or say how the next replies are read and compared. A script is parsed
//! whole before anything runs, so a mistake in line 300 is reported before line 1 is sent.

use std::time::Duration;

use keyspace::cli::split_args;
use regex::bytes::Regex;

/// One line that does something, with where it came from.
#[derive(Debug)]
pub struct Line {
    /// 1-based, for the report.
    pub number: usize,
    /// The line as written, trimmed.
    pub text: String,
    pub item: Item,
}

#[derive(Debug)]
pub enum Item {
    /// A command, sent on the current connection; its reply is compared.
    Command(Vec<Vec<u8>>),
    /// `@client NAME`: the connection the following lines use (made on first use).
    Client(String),
    /// `@sleep MS`.
    Sleep(Duration),
    /// `@unordered`: the next compare sorts every aggregate first.
    Unordered,
    /// `@pairs`: as `@unordered`, the top level taken two by two.
    Pairs,
    /// `@mask PATTERN...`: what the patterns match in the next compare's replies is masked.
    Mask(Vec<Regex>),
    /// `@read`: what arrived on the current connection unasked is compared.
    Read,
    /// `@nowait CMD`: sent without reading its reply (a later `@read` collects it).
    NoWait(Vec<Vec<u8>>),
    /// `@noreply CMD`: sent, and nothing may come back for it (`CLIENT REPLY OFF`).
    NoReply(Vec<Vec<u8>>),
}

/// What `@mask` puts in place of what it masks.
pub const MASKED: &[u8] = b"<masked>";

/// Parses a script; the error names the line.
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let item = item(text).map_err(|e| format!("line {number}: {e}"))?;
        lines.push(Line {
            number,
            text: text.to_string(),
            item,
        });
    }
    Ok(lines)
}

fn item(text: &str) -> Result<Item, String> {
    let Some(directive) = text.strip_prefix('@') else {
        return words(text).map(Item::Command);
    };
    let (name, rest) = directive
        .split_once(char::is_whitespace)
        .unwrap_or((directive, ""));
    let rest = rest.trim();
    let bare = |item: Item| match rest.is_empty() {
        true => Ok(item),
        false => Err(format!("@{name} takes no arguments")),
    };
    let command = |make: fn(Vec<Vec<u8>>) -> Item| match words(rest)? {
        argv if argv.is_empty() => Err(format!("@{name} needs a command")),
        argv => Ok(make(argv)),
    };
    match name {
        "client" => Ok(Item::Client(match rest {
            "" => "main".to_string(),
            name => name.to_string(),
        })),
        "sleep" => rest
            .parse::<f64>()
            .ok()
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| Item::Sleep(Duration::from_secs_f64(ms / 1000.0)))
            .ok_or(format!("@sleep needs milliseconds, not {rest:?}")),
        "unordered" => bare(Item::Unordered),
        "pairs" => bare(Item::Pairs),
        "read" => bare(Item::Read),
        "nowait" => command(Item::NoWait),
        "noreply" => command(Item::NoReply),
        "mask" => {
            let patterns = words(rest)?;
            if patterns.is_empty() {
                return Err("@mask needs a pattern".into());
            }
            patterns
                .iter()
                .map(|p| {
                    let p = String::from_utf8_lossy(p);
                    Regex::new(&p).map_err(|e| format!("@mask {p}: {e}"))
                })
                .collect::<Result<_, _>>()
                .map(Item::Mask)
        }
        other => Err(format!("unknown directive @{other}")),
    }
}

/// A line's words as redis-cli splits them.
fn words(text: &str) -> Result<Vec<Vec<u8>>, String> {
    split_args(text.as_bytes()).ok_or_else(|| "unbalanced quotes".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<Item> {
        parse(text).unwrap().into_iter().map(|l| l.item).collect()
    }

    #[test]
    fn commands_split_as_redis_cli_splits_them() {
        let lines = parse("# a comment\n\n  SET k \"a\\x41\\n\" 'b\\n'  \n").unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].number, 3);
        assert_eq!(lines[0].text, "SET k \"a\\x41\\n\" 'b\\n'");
        let Item::Command(argv) = &lines[0].item else {
            panic!("{:?}", lines[0].item)
        };
        assert_eq!(
            argv,
            &[
                b"SET".to_vec(),
                b"k".to_vec(),
                b"aA\n".to_vec(),
                b"b\\n".to_vec()
            ]
        );
    }

    #[test]
    fn directives() {
        let parsed = items(
            "@client\n@client sub\n@sleep 1.5\n@unordered\n@pairs\n@read\n@nowait BLPOP k 0\n\
             @noreply SET k v\n@mask '^\\d+-\\d+$' run_id:(\\w+)\n",
        );
        assert!(matches!(&parsed[0], Item::Client(n) if n == "main"));
        assert!(matches!(&parsed[1], Item::Client(n) if n == "sub"));
        assert!(matches!(parsed[2], Item::Sleep(d) if d == Duration::from_micros(1500)));
        assert!(matches!(parsed[3], Item::Unordered));
        assert!(matches!(parsed[4], Item::Pairs));
        assert!(matches!(parsed[5], Item::Read));
        assert!(matches!(&parsed[6], Item::NoWait(argv) if argv.len() == 3));
        assert!(matches!(&parsed[7], Item::NoReply(argv) if argv[0] == b"SET"));
        let Item::Mask(patterns) = &parsed[8] else {
            panic!("{:?}", parsed[8])
        };
        assert_eq!(patterns[0].as_str(), "^\\d+-\\d+$");
        assert_eq!(patterns[1].as_str(), "run_id:(\\w+)");
    }

    #[test]
    fn mistakes_name_their_line() {
        for (text, error) in [
            (
                "GET k\n@frobnicate",
                "line 2: unknown directive @frobnicate",
            ),
            ("SET k \"v", "line 1: unbalanced quotes"),
            (
                "@sleep soon",
                "line 1: @sleep needs milliseconds, not \"soon\"",
            ),
            ("@read now", "line 1: @read takes no arguments"),
            ("@nowait", "line 1: @nowait needs a command"),
            ("@mask", "line 1: @mask needs a pattern"),
        ] {
            assert_eq!(parse(text).unwrap_err(), error);
        }
        assert!(parse("@mask '('")
            .unwrap_err()
            .starts_with("line 1: @mask (:"));
    }
}
