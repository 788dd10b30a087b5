//! The documentation COMMAND DOCS gives beyond a spec row's summary, since, group and
//! complexity: a command's argument tree as Redis 7.0 describes it, its history, and whether
//! it is deprecated and for what. The facts (names, types, tokens, flags, versions) are Redis's;
//! the history notes are written here.
//!
//! They live in `command_docs.txt`, one entry per command that has any, read once:
//!
//! ```text
//! set                                     the full name (`client|kill` for a subcommand)
//!   @doc_flags deprecated                 the doc flags (`deprecated`, `syscmd`)
//!   @deprecated_since 6.2.0
//!   @replaced_by `SET` with the `!GET` argument
//!   @history 6.0.0 New option `KEEPTTL`.  a version, then what changed in it
//!   key key key_spec=0                    an argument: name, type, then what it has of
//!   condition oneof since=2.6.12 optional   key_spec, token, since, deprecated_since and
//!     nx pure-token token=NX                the flags optional, multiple, multiple_token;
//!                                           a oneof's or block's arguments indented below
//! ```
//!
//! The spec row's `syntax` is the same tree written as text for the console (placeholders in
//! lower case, tokens in upper case); [`syntax`] derives that text from the tree, and a test
//! holds every row's `syntax` to it, so the two cannot drift apart.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::grammar::Syntax;
use crate::reply::Reply;

/// What kind of value an argument takes, named as COMMAND DOCS names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    /// Exactly one of its arguments.
    OneOf,
    /// All of its arguments, in order.
    Block,
}

impl ArgType {
    const NAMES: [(ArgType, &'static str); 9] = [
        (ArgType::String, "string"),
        (ArgType::Integer, "integer"),
        (ArgType::Double, "double"),
        (ArgType::Key, "key"),
        (ArgType::Pattern, "pattern"),
        (ArgType::UnixTime, "unix-time"),
        (ArgType::PureToken, "pure-token"),
        (ArgType::OneOf, "oneof"),
        (ArgType::Block, "block"),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }

    fn parse(name: &str) -> Option<ArgType> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }
}

/// One argument of a command, as Redis 7.0 describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: &'static str,
    pub kind: ArgType,
    /// Which of the command's key specs finds this argument (a `key` argument).
    pub key_spec_index: Option<u32>,
    /// The keyword written before the value (or the whole argument, for a pure token).
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub optional: bool,
    pub multiple: bool,
    /// With `multiple`: the token comes again before every repetition.
    pub multiple_token: bool,
    /// A oneof's or block's arguments.
    pub arguments: Vec<Arg>,
}

/// A command's documentation beyond its spec row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Doc {
    pub doc_flags: Vec<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    /// (version, what changed), oldest first.
    pub history: Vec<(&'static str, &'static str)>,
    pub arguments: Vec<Arg>,
}

const TEXT: &str = include_str!("command_docs.txt");

/// The documentation of the command with this full name (`set`, `client|kill`); a command
/// without an entry has no arguments, history or doc flags.
pub fn of(full_name: &str) -> &'static Doc {
    static DOCS: OnceLock<HashMap<&'static str, Doc>> = OnceLock::new();
    static EMPTY: Doc = Doc {
        doc_flags: Vec::new(),
        deprecated_since: None,
        replaced_by: None,
        history: Vec::new(),
        arguments: Vec::new(),
    };
    DOCS.get_or_init(|| parse(TEXT))
        .get(full_name)
        .unwrap_or(&EMPTY)
}

/// Reads the whole file. The text is part of the program and a test reads every entry, so a
/// malformed line is a bug caught there: it panics with the line.
fn parse(text: &'static str) -> HashMap<&'static str, Doc> {
    let mut docs = HashMap::new();
    let mut lines = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .peekable();
    while let Some(name) = lines.next() {
        assert!(!name.starts_with(' '), "command name expected: {name}");
        let mut doc = Doc::default();
        // (depth, argument) for each argument still open, innermost last.
        let mut open: Vec<(usize, Arg)> = Vec::new();
        while let Some(line) = lines.next_if(|line| line.starts_with(' ')) {
            let body = line.trim_start();
            if let Some(meta) = body.strip_prefix('@') {
                let (field, value) = meta.split_once(' ').unwrap_or((meta, ""));
                match field {
                    "doc_flags" => doc.doc_flags = value.split(' ').collect(),
                    "deprecated_since" => doc.deprecated_since = Some(value),
                    "replaced_by" => doc.replaced_by = Some(value),
                    "history" => doc
                        .history
                        .push(value.split_once(' ').unwrap_or((value, ""))),
                    _ => panic!("unknown field: {line}"),
                }
                continue;
            }
            let depth = (line.len() - body.len()) / 2;
            close_until(&mut open, &mut doc.arguments, depth);
            open.push((depth, argument(body)));
        }
        close_until(&mut open, &mut doc.arguments, 1);
        docs.insert(name, doc);
    }
    docs
}

/// Closes the open arguments at `depth` or deeper, each into its parent (or the command).
fn close_until(open: &mut Vec<(usize, Arg)>, top: &mut Vec<Arg>, depth: usize) {
    while open.last().is_some_and(|(d, _)| *d >= depth) {
        let Some((_, arg)) = open.pop() else { break };
        match open.last_mut() {
            Some((_, parent)) => parent.arguments.push(arg),
            None => top.push(arg),
        }
    }
}

/// One argument line: name, type, then its optional fields.
fn argument(body: &'static str) -> Arg {
    let mut words = body.split(' ');
    let name = words.next().unwrap_or_default();
    let kind = words.next().and_then(ArgType::parse);
    let mut arg = Arg {
        name,
        kind: kind.unwrap_or_else(|| panic!("argument type expected: {body}")),
        key_spec_index: None,
        token: None,
        since: None,
        deprecated_since: None,
        optional: false,
        multiple: false,
        multiple_token: false,
        arguments: Vec::new(),
    };
    for word in words {
        match word.split_once('=') {
            Some(("key_spec", index)) => arg.key_spec_index = index.parse().ok(),
            Some(("token", token)) => arg.token = Some(token),
            Some(("since", version)) => arg.since = Some(version),
            Some(("deprecated_since", version)) => arg.deprecated_since = Some(version),
            _ => match word {
                "optional" => arg.optional = true,
                "multiple" => arg.multiple = true,
                "multiple_token" => arg.multiple_token = true,
                _ => panic!("unknown argument field {word}: {body}"),
            },
        }
    }
    arg
}

/// The arguments as COMMAND DOCS lists them: a map per argument with name and type, then
/// whichever of key_spec_index, token, since, deprecated_since, flags and (for a oneof or a
/// block) arguments it has.
pub fn arguments_reply(args: &[Arg]) -> Reply {
    let entries = args.iter().map(|arg| {
        let mut fields = vec![
            ("name", Reply::bulk(arg.name)),
            ("type", Reply::bulk(arg.kind.name())),
        ];
        if let Some(index) = arg.key_spec_index {
            fields.push(("key_spec_index", Reply::Integer(index.into())));
        }
        let text = |name, value: Option<&'static str>| value.map(|v| (name, Reply::bulk(v)));
        fields.extend(text("token", arg.token));
        fields.extend(text("since", arg.since));
        fields.extend(text("deprecated_since", arg.deprecated_since));
        let flags: Vec<Reply> = [
            (arg.optional, "optional"),
            (arg.multiple, "multiple"),
            (arg.multiple_token, "multiple_token"),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| Reply::Simple(name.to_string()))
        .collect();
        if !flags.is_empty() {
            fields.push(("flags", Reply::Set(flags)));
        }
        if matches!(arg.kind, ArgType::OneOf | ArgType::Block) {
            fields.push(("arguments", arguments_reply(&arg.arguments)));
        }
        Reply::field_map(fields)
    });
    Reply::Array(entries.collect())
}

/// The syntax the console shows for these arguments: tokens in upper case (Redis reads them in
/// any case), placeholders named after the arguments in lower case with dashes, `[ ]` around
/// what is optional, `x [x ...]` for what repeats.
pub fn syntax(args: &[Arg]) -> Syntax {
    let mut items: Vec<Syntax> = args.iter().map(argument_syntax).collect();
    match items.len() {
        1 => items.remove(0),
        _ => Syntax::Sequence(items),
    }
}

fn argument_syntax(arg: &Arg) -> Syntax {
    let token = |t: &str| Syntax::Token(t.to_ascii_uppercase());
    let value = match arg.kind {
        // MIGRATE's empty key is written as the empty string it is.
        ArgType::PureToken if arg.token == Some("") => Syntax::Token("\"\"".into()),
        ArgType::PureToken => token(arg.token.unwrap_or(arg.name)),
        ArgType::OneOf => Syntax::Choice(arg.arguments.iter().map(argument_syntax).collect()),
        ArgType::Block => syntax(&arg.arguments),
        _ => Syntax::Placeholder(arg.name.to_ascii_lowercase().replace('_', "-")),
    };
    let with_token = |value: Syntax| match arg.token {
        Some(t) if arg.kind != ArgType::PureToken => match value {
            Syntax::Sequence(mut items) => {
                items.insert(0, token(t));
                Syntax::Sequence(items)
            }
            value => Syntax::Sequence(vec![token(t), value]),
        },
        _ => value,
    };
    let once = with_token(value.clone());
    let shape = if arg.multiple {
        let again = match arg.multiple_token {
            true => once.clone(),
            false => value,
        };
        Syntax::Sequence(vec![
            once,
            Syntax::Optional(Box::new(Syntax::Repeat(Box::new(again)))),
        ])
    } else {
        once
    };
    match arg.optional {
        true => Syntax::Optional(Box::new(shape)),
        false => shape,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec;

    #[test]
    fn every_entry_names_a_command_and_reads() {
        for name in parse(TEXT).keys() {
            let known = crate::cmd::server::by_full_name(name.as_bytes()).is_some();
            assert!(known, "{name} is no command");
        }
    }

    #[test]
    fn set_arguments() {
        let doc = of("set");
        assert_eq!(doc.history.len(), 4);
        let condition = &doc.arguments[2];
        assert_eq!(condition.name, "condition");
        assert_eq!(condition.kind, ArgType::OneOf);
        assert_eq!(
            (condition.since, condition.optional),
            (Some("2.6.12"), true)
        );
        assert_eq!(condition.arguments[1].token, Some("XX"));
        assert_eq!(doc.arguments[0].key_spec_index, Some(0));
        assert_eq!(of("getset").deprecated_since, Some("6.2.0"));
    }

    #[test]
    fn every_syntax_derives_from_the_arguments() {
        // The console's syntax and COMMAND DOCS's arguments are one description: each row's
        // text is what its argument tree writes (a container's is its subcommand and more).
        let mut wrong = Vec::new();
        for spec in spec::table() {
            let rows = std::iter::once((spec.name.to_string(), spec)).chain(
                spec.subcommands
                    .iter()
                    .map(|sub| (format!("{}|{}", spec.name, sub.name), sub)),
            );
            for (name, row) in rows {
                let written = if !row.subcommands.is_empty() {
                    match row.arity {
                        -1 => "[subcommand [argument ...]]".to_string(),
                        _ => "subcommand [argument ...]".to_string(),
                    }
                } else if of(&name).arguments.is_empty() {
                    // Redis documents no arguments (DEBUG, COMMAND GETKEYS take free ones):
                    // the console's hint is the row's alone.
                    continue;
                } else {
                    syntax(&of(&name).arguments).to_string()
                };
                if row.syntax != written {
                    wrong.push(format!("{name}\t{}\t{written}", row.syntax));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "name, syntax, derived:\n{}",
            wrong.join("\n")
        );
    }
}
