//! The console: typed lines and their answers, the client panes as the worker reports them,
//! what arrives unasked, and the printed line with its kind. The limits both sides keep live
//! here too, so that the page and the worker cannot disagree on them.

use serde::{Deserialize, Serialize};

use crate::inspect::Inspection;
use crate::keys::KeyWindow;

/// The page's handle for one client of the console: one pane, one engine connection.
pub type PaneId = u32;

/// Panes the console holds at most: each is a column on screen.
pub const PANES_MAX: usize = 8;
/// Characters of a typed line echoed: a SUBSCRIBE of 100,000 channels is a megabyte of text,
/// which the browser would lay out for a second to show what nobody reads.
pub const ECHO_SHOWN: usize = 2_000;

/// The echo of a typed line, cut after [`ECHO_SHOWN`] characters with how many more there
/// were.
pub fn clip_echo(echo: String) -> String {
    match echo.char_indices().nth(ECHO_SHOWN) {
        None => echo,
        Some((at, _)) => {
            let more = echo[at..].chars().count();
            format!("{} … (+{more} characters)", &echo[..at])
        }
    }
}

/// Keys evicted before a command, and by which `maxmemory-policy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evicted {
    pub keys: Vec<String>,
    /// How many were evicted in all (`keys` is capped).
    pub total: usize,
    pub policy: String,
}

/// The answer to a run, a tick or a change of clients: typed lines that finished, messages
/// that arrived, every client's state, and the keyspace panel if it changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Typed lines (or pipelines) that got their replies, in the order they finished.
    pub answers: Vec<Answer>,
    /// Replies nobody is waiting for at the prompt: pub/sub messages, keyspace
    /// notifications, a closed connection.
    pub pushed: Vec<Pushed>,
    /// Every client pane, in the order they were opened.
    pub clients: Vec<ClientView>,
    /// Messages that went from a publisher through a channel to subscribers.
    pub flows: Vec<Flow>,
    /// Keys the commands changed in the shown database (capped), for highlighting.
    pub changed: Vec<String>,
    /// Keys of the shown database that clients WATCH.
    pub watched: Vec<Watched>,
    /// Of the changed keys, those evicted to make room (before a command ran), so the
    /// keyspace panel can show them leaving, with the policy that chose them.
    pub evicted: Option<Evicted>,
    pub window: Option<KeyWindow>,
    pub inspection: Option<Inspection>,
}

/// A typed line's (or pipeline's) replies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub seq: u64,
    pub pane: PaneId,
    /// The prompt and the line, as redis-cli echoes them; empty for a pipeline, which the
    /// page labels itself.
    pub echo: String,
    pub reply: ReplyPage,
    /// What the page says beside the reply, if anything.
    pub note: Option<Note>,
    /// Each command's reply as data, in order, when the page asked for them
    /// ([`crate::Request::ReplyValues`]); else empty.
    #[serde(default)]
    pub values: Vec<ReplyValue>,
}

/// A reply as data rather than as printed, for a program that reads the console (an embedded
/// console's course page): RESP's types by name (`{type: "integer", value: 11}`), strings as
/// text (bytes that are not UTF-8 replaced), doubles in the text RESP3 sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum ReplyValue {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(String),
    /// A null bulk string or a null array.
    Null,
    Array(Vec<ReplyValue>),
    Map(Vec<(ReplyValue, ReplyValue)>),
    Set(Vec<ReplyValue>),
    Double(String),
    Boolean(bool),
    BigNumber(String),
    Verbatim(String),
    Push(Vec<ReplyValue>),
}

/// What the page says beside a typed line, apart from Redis's reply: the worker knows the page
/// engine's limits and tells which applies, the page words it in its language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Note {
    /// DEBUG POPULATE above `cap` keys: not run (the reply is empty).
    PopulateCapped { cap: u64 },
    /// CONFIG SET maxmemory 0: run, and the tab now has no limit.
    NoLimit,
}

/// Something that arrived on a pane's connection unasked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    pub pane: PaneId,
    pub reply: ReplyPage,
}

/// One client as its pane shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub pane: PaneId,
    /// CLIENT ID.
    pub id: u64,
    /// The name a scenario gave the client, if it came from one.
    pub label: Option<String>,
    /// CLIENT SETNAME's name.
    pub name: Option<String>,
    pub db: usize,
    /// redis-cli's prompt for it: `127.0.0.1:6379[1](TX)>`.
    pub prompt: String,
    pub protocol: u8,
    /// Commands queued since MULTI, while in a transaction.
    pub multi: Option<usize>,
    /// Channels, patterns and shard channels it is subscribed to (the first few by name).
    pub subscriptions: usize,
    pub channels: Vec<String>,
    /// What it waits for while a blocking command waits.
    pub blocked: Option<BlockedView>,
    /// The keys it WATCHes, and whether one changed since (EXEC will fail).
    pub watching: Vec<String>,
    pub watch_broken: bool,
    /// Typed lines waiting behind a blocked command.
    pub waiting_lines: usize,
    /// Its script (EVAL, FCALL) is running past its first slice.
    pub running_script: Option<RunningScript>,
    /// CLIENT REPLY OFF, or SKIP for the next command: its lines get no reply.
    pub replies: Replies,
    /// CLIENT TRACKING, while on.
    pub tracking: Option<TrackingView>,
    /// It runs MONITOR: every command of the others is shown in it.
    pub monitor: bool,
    /// Its command waits for a CLIENT PAUSE to end.
    pub paused: Option<PausedView>,
}

impl ClientView {
    /// A client as it is just after connecting: database 0, RESP2, nothing going on.
    pub fn connected(pane: PaneId, id: u64) -> ClientView {
        ClientView {
            pane,
            id,
            label: None,
            name: None,
            db: 0,
            prompt: "127.0.0.1:6379>".to_string(),
            protocol: 2,
            multi: None,
            subscriptions: 0,
            channels: Vec::new(),
            blocked: None,
            watching: Vec::new(),
            watch_broken: false,
            waiting_lines: 0,
            running_script: None,
            replies: Replies::On,
            tracking: None,
            monitor: false,
            paused: None,
        }
    }
}

/// A command held by CLIENT PAUSE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedView {
    /// The command, as typed (`SET`).
    pub command: String,
    /// WRITE (only commands that may write wait) rather than ALL.
    pub writes_only: bool,
    /// When the pause ends (Unix ms on the engine's clock): the first tick after it.
    pub until_ms: u64,
}

/// A client's CLIENT TRACKING as its pane shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingView {
    /// BCAST's prefixes (empty for every key); None in the default mode.
    pub bcast: Option<Vec<String>>,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// The client its invalidations go to, if another.
    pub redirect: Option<u64>,
    /// The first keys Redis remembers it read (default mode), and whether there are more.
    pub keys: Vec<String>,
    pub more_keys: bool,
}

/// Whether a pane's commands are answered (CLIENT REPLY).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Replies {
    #[default]
    On,
    Off,
    /// SKIP: the next command gets no reply.
    SkipNext,
}

/// A pane's script that runs on: what stops it depends on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningScript {
    /// FCALL's function (FUNCTION KILL stops it) rather than EVAL's script (SCRIPT KILL).
    pub function: bool,
    /// It has written: both KILLs answer UNKILLABLE, and only SHUTDOWN NOSAVE ends it.
    pub wrote: bool,
}

/// A blocked client's wait.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedView {
    /// The command, as Redis names it (`blpop`).
    pub command: String,
    pub keys: Vec<String>,
    /// When it gives up (Unix ms on the engine's clock); never when `None`.
    pub timeout_at_ms: Option<u64>,
    /// XREAD and XREADGROUP: for each key, the ID an entry must come after to end the wait
    /// (for `$` the stream's last ID, for `>` the group's last-delivered ID, when it blocked).
    #[serde(default)]
    pub after_ids: Vec<String>,
    /// XREADGROUP's group and consumer.
    #[serde(default)]
    pub group: Option<(String, String)>,
}

/// One message on its way: who published it (none for the server's own keyspace
/// notifications), the channel, and who received it. Or, as [`FlowKind::Entry`], an entry a
/// client appended to a stream (`channel`) reaching the clients blocked reading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub from: Option<PaneId>,
    pub channel: String,
    /// The message; for an entry, its ID and fields as `1-0 task resize`.
    pub message: String,
    /// Each receiver, with the pattern that matched for a `pmessage`, or the group it read
    /// for with XREADGROUP.
    pub to: Vec<(PaneId, Option<String>)>,
    #[serde(default)]
    pub kind: FlowKind,
}

/// What a [`Flow`] carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowKind {
    /// PUBLISH to a channel's subscribers, or a keyspace notification.
    #[default]
    Message,
    /// XADD to a stream, waking the XREAD and XREADGROUP blocked on it.
    Entry,
    /// A write to keys a client tracks (CLIENT TRACKING): `channel` holds the keys, `*` for
    /// a flush, and each receiver is told to drop its copy.
    Invalidation,
}

/// A watched key of the shown database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched {
    pub key: String,
    /// A client watching it has had its watch broken (by any key it watches).
    pub broken: bool,
    pub by: Vec<PaneId>,
}

/// The start of a reply as printed lines, and how many lines it has in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPage {
    /// Names the reply for [`Request::More`].
    pub id: u64,
    pub lines: Vec<Line>,
    pub total: usize,
}

/// What a printed line shows, so the page can tell replies' types apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    /// `(error) ...`, or redis-cli's own complaint about the line.
    Error,
    /// A command of a pipeline, echoed before its replies.
    Echo,
    /// `(nil)`, `(empty array)`.
    Nil,
    /// `(integer) 1`, `(double) 1.5`.
    Number,
    /// A quoted string, as redis-cli prints bulk strings.
    Text,
    /// Anything else: `OK`, raw INFO lines.
    Plain,
    /// A command's or reply's RESP bytes, escaped (the raw RESP toggle).
    Resp,
}

impl LineKind {
    /// The CSS classes a line of this kind is drawn with.
    pub fn class(self) -> &'static str {
        match self {
            LineKind::Error => "line error",
            LineKind::Nil => "line nil",
            LineKind::Number => "line number",
            LineKind::Text => "line text",
            LineKind::Plain => "line",
            LineKind::Echo => "line piped",
            LineKind::Resp => "line resp",
        }
    }
}

/// One printed line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
}

impl Line {
    /// Classifies one line of redis-cli's output by what follows its `1) ` array indexes.
    pub fn classify(text: String, error: bool) -> Line {
        let kind = if error {
            LineKind::Error
        } else {
            let rest = split_index(&text).1;
            if rest.starts_with("(error)") {
                LineKind::Error
            } else if rest.starts_with("(nil)") || rest.starts_with("(empty") {
                LineKind::Nil
            } else if rest.starts_with("(integer)") || rest.starts_with("(double)") {
                LineKind::Number
            } else if rest.starts_with('"') {
                LineKind::Text
            } else {
                LineKind::Plain
            }
        };
        Line { kind, text }
    }
}

/// A printed line cut after its array indexes: the indexes (`1) 2) `), then the value.
/// Nested aggregates print `1) 1) "a"` (`1#` for maps, `1~` for sets): every index is peeled.
pub fn split_index(text: &str) -> (&str, &str) {
    let mut rest = text.trim_start();
    while let Some((index, after)) = rest.split_once(' ') {
        let digits = index.trim_end_matches([')', '#', '~']);
        if digits.len() + 1 != index.len() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        rest = after.trim_start();
    }
    text.split_at(text.len() - rest.len())
}

/// The line's `help` topic, if the line is the console's `help` built-in (redis-cli's own,
/// answered without Redis: `HELP` sent to Redis is an unknown command).
pub fn help_topic(line: &str) -> Option<&str> {
    let line = line.trim();
    let (first, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    first.eq_ignore_ascii_case("help").then_some(rest.trim())
}

/// Where each command of a typed text lies: a line, or several lines when a quoted argument
/// goes on past a line's end (a script written over several lines with Shift+Enter is one
/// EVAL). Quotes open anywhere outside quotes, as redis-cli reads them; inside double quotes a
/// backslash escapes the next character, inside single quotes only a quote. The spans cover
/// the text but for the line breaks between them; the second value says whether every quote
/// closed (an open one runs to the end: it is still being typed).
pub fn command_spans(text: &str) -> (Vec<std::ops::Range<usize>>, bool) {
    let mut spans = Vec::new();
    let mut start = 0;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(q) if c == '\\' && (q == '"' || text[i + 1..].starts_with('\'')) => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '\n' => {
                spans.push(start..i);
                start = i + 1;
            }
            None => {}
        }
    }
    spans.push(start..text.len());
    (spans, quote.is_none())
}

/// A command that spans lines, as one line: each line break inside a quoted argument written
/// `\n` (a single-quoted argument that holds one becomes double-quoted, since redis-cli reads
/// no escapes between single quotes), as redis-cli would need it typed.
pub fn one_line(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                let mut escaped = false;
                for c in chars.by_ref() {
                    match c {
                        '\r' if !escaped => {}
                        '\n' if !escaped => out.push_str("\\n"),
                        _ => out.push(c),
                    }
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
            }
            '\'' => {
                let mut inner = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' if chars.peek() == Some(&'\'') => {
                            inner.push('\'');
                            chars.next();
                        }
                        '\'' => break,
                        _ => inner.push(c),
                    }
                }
                if inner.contains('\n') {
                    out.push_str(&typed_arg(&inner.replace('\r', "")));
                } else {
                    out.push('\'');
                    out.push_str(&inner.replace('\'', "\\'"));
                    out.push('\'');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// An argument as it must be typed in a command line for redis-cli to read it back: as it is, or
/// in double quotes with `"`, `\` and control characters escaped.
pub fn typed_arg(arg: &str) -> String {
    let plain = !arg.is_empty()
        && !arg
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\'));
    if plain {
        return arg.to_string();
    }
    let mut out = String::from('"');
    for c in arg.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> LineKind {
        Line::classify(text.to_string(), false).kind
    }

    #[test]
    fn tells_reply_types_apart() {
        assert_eq!(kind("(integer) 1"), LineKind::Number);
        assert_eq!(kind("(nil)"), LineKind::Nil);
        assert_eq!(kind("(empty array)"), LineKind::Nil);
        assert_eq!(kind("\"hello\""), LineKind::Text);
        assert_eq!(kind("OK"), LineKind::Plain);
        assert_eq!(kind("(error) ERR syntax error"), LineKind::Error);
        assert_eq!(kind("1) \"a\""), LineKind::Text);
        assert_eq!(kind("12) (nil)"), LineKind::Nil);
        assert_eq!(kind("   1) 1) (integer) 5"), LineKind::Number);
        assert_eq!(kind("1# \"server\" => \"redis\""), LineKind::Text);
        // A string that looks like a reply type is still a string: redis-cli quotes it.
        assert_eq!(kind("1) \"(integer) 1\""), LineKind::Text);
        assert_eq!(
            Line::classify("Invalid argument(s)".into(), true).kind,
            LineKind::Error
        );
    }

    #[test]
    fn a_line_splits_into_its_indexes_and_its_value() {
        assert_eq!(split_index("1) 2) \"a\""), ("1) 2) ", "\"a\""));
        assert_eq!(split_index("  3# \"k\" => 1"), ("  3# ", "\"k\" => 1"));
        assert_eq!(split_index("\"1) x\""), ("", "\"1) x\""));
    }

    #[test]
    fn a_huge_line_is_echoed_cut() {
        assert_eq!(clip_echo("> PING".into()), "> PING");
        let line = format!("> SUBSCRIBE {}", "é".repeat(ECHO_SHOWN));
        let echo = clip_echo(line);
        assert!(
            echo.ends_with(" … (+12 characters)"),
            "{}",
            &echo[echo.len() - 40..]
        );
        assert_eq!(
            echo.chars().count(),
            ECHO_SHOWN + " … (+12 characters)".chars().count()
        );
    }

    #[test]
    fn help_is_recognised_in_any_case_and_nothing_else_is() {
        assert_eq!(help_topic("HELP SET"), Some("SET"));
        assert_eq!(help_topic("  help   @list "), Some("@list"));
        assert_eq!(help_topic("help"), Some(""));
        assert_eq!(help_topic("helpme"), None);
        assert_eq!(help_topic("GET help"), None);
    }

    #[test]
    fn a_key_is_typed_quoted_only_when_it_must_be() {
        assert_eq!(typed_arg("dau:2024-01-01"), "dau:2024-01-01");
        assert_eq!(typed_arg("daily users"), "\"daily users\"");
        assert_eq!(typed_arg(""), "\"\"");
        assert_eq!(typed_arg("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(typed_arg("it's"), "\"it's\"");
    }

    #[test]
    fn a_quoted_argument_carries_a_command_over_lines() {
        let text = "SET a 1\nEVAL \"local n = 0\nreturn n\" 0\n\nGET a";
        let (spans, closed) = command_spans(text);
        let commands: Vec<&str> = spans.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            commands,
            ["SET a 1", "EVAL \"local n = 0\nreturn n\" 0", "", "GET a"]
        );
        assert!(closed);
        assert_eq!(one_line(commands[1]), "EVAL \"local n = 0\\nreturn n\" 0");
        // Escaped quotes do not close; single quotes read only \' and become double quotes
        // when they hold a line break.
        let text = "EVAL \"say \\\"hi\\\"\nok\" 0";
        assert_eq!(command_spans(text).0.len(), 1);
        assert_eq!(one_line(text), "EVAL \"say \\\"hi\\\"\\nok\" 0");
        assert_eq!(
            one_line("EVAL 'it\\'s\r\nfine \"x\"' 0"),
            "EVAL \"it's\\nfine \\\"x\\\"\" 0"
        );
        assert_eq!(one_line("SET k 'a b'"), "SET k 'a b'");
        // An unclosed quote runs to the end, and says so.
        let (spans, closed) = command_spans("SET a \"x\nGET a");
        assert_eq!((spans.len(), closed), (1, false));
    }
}
