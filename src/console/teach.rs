//! The teaching console's words and the pure work behind its views: `help`'s text, the short
//! explanation beside Redis's common errors, the raw RESP bytes written as escaped text, and
//! the input line cut into highlighted pieces. Redis's own texts (errors, replies, syntax) stay
//! exactly as Redis writes them; only our explanations are translated.

use keyspace_protocol::assist::{Doc, Word, WordKind};
use keyspace_protocol::console::{command_spans, one_line};

use crate::i18n::console::ConsoleStrings;

/// The summary in the chosen language.
pub fn summary<'a>(doc: &'a Doc, text: &ConsoleStrings) -> &'a str {
    if text.chinese && !doc.summary_zh.is_empty() {
        &doc.summary_zh
    } else {
        &doc.summary_en
    }
}

/// What `help <topic>` prints, laid out as redis-cli lays out its help (with the complexity
/// added): a blank line, then for each command its syntax and its facts, indented.
pub fn help_lines(topic: &str, docs: &[Doc], text: &ConsoleStrings) -> Vec<String> {
    if topic.trim().is_empty() {
        return text.help_intro.iter().map(|l| l.to_string()).collect();
    }
    if docs.is_empty() {
        return vec![text.help_unknown.replace("{t}", topic.trim())];
    }
    let mut lines = Vec::new();
    for doc in docs {
        lines.push(String::new());
        lines.push(format!("  {}", doc.syntax));
        lines.push(format!("  {}: {}", text.summary, summary(doc, text)));
        lines.push(format!("  {}: {}", text.complexity, doc.complexity));
        lines.push(format!("  {}: {}", text.since, doc.since));
        lines.push(format!("  {}: {}", text.group, doc.group));
        if !doc.deprecated_since.is_empty() {
            lines.push(format!(
                "  {}: {}",
                text.deprecated_since, doc.deprecated_since
            ));
            lines.push(format!("  {}: {}", text.replaced_by, doc.replaced_by));
        }
    }
    lines
}

/// The commands in a submitted text: a single line as it is (a blank one prints the prompt,
/// as in redis-cli), or each non-blank command of a pasted pipeline, one per line unless a
/// quoted argument carries it over several (a script written with Shift+Enter), then written
/// on one line (`keyspace_protocol::console::one_line`). A text that ends inside a quote is
/// taken line by line, as redis-cli would take it.
pub fn pipeline(text: &str) -> Vec<String> {
    let (spans, closed) = command_spans(text);
    let mut commands: Vec<String> = if closed {
        spans
            .into_iter()
            .map(|span| one_line(&text[span]))
            .collect()
    } else {
        text.split('\n').map(str::to_string).collect()
    };
    // A final line break ends the last line rather than starting an empty one.
    if text.ends_with('\n') {
        commands.pop();
    }
    for command in &mut commands {
        command.truncate(command.trim_end_matches('\r').len());
    }
    if commands.len() <= 1 {
        return vec![commands.pop().unwrap_or_default()];
    }
    commands.retain(|c| !c.trim().is_empty());
    commands
}

/// The text of a quoted string as redis-cli prints it (`"a\"b"`), for a reply line that
/// may name a key; `None` for anything else.
pub fn unquote(printed: &str) -> Option<String> {
    let inner = printed.strip_prefix('"')?.strip_suffix('"')?;
    let mut bytes = Vec::new();
    let mut chars = inner.bytes();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next()? {
            b'n' => bytes.push(b'\n'),
            b'r' => bytes.push(b'\r'),
            b't' => bytes.push(b'\t'),
            b'a' => bytes.push(7),
            b'b' => bytes.push(8),
            b'x' => {
                let hex = [chars.next()?, chars.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

/// A short explanation of a common Redis error, from a printed error line (`(error) ERR
/// syntax error`), keyed by the error's first word or prefix.
pub fn explain(line: &str, text: &ConsoleStrings) -> Option<&'static str> {
    let error = line.trim_start();
    let error = error.strip_prefix("(error) ").unwrap_or(error);
    let known: [(&str, &str); 12] = [
        ("WRONGTYPE", text.wrongtype),
        ("ERR syntax error", text.syntax_error),
        ("ERR wrong number of arguments", text.arity),
        ("ERR value is not an integer", text.not_integer),
        ("OOM", text.oom),
        ("NOAUTH", text.noauth),
        ("EXECABORT", text.execabort),
        ("ERR unknown command", text.unknown_command_error),
        ("NOGROUP", text.nogroup),
        ("BUSYGROUP", text.busygroup),
        (
            "ERR The ID specified in XADD is equal or smaller",
            text.stream_id_order,
        ),
        ("ERR Invalid stream ID", text.stream_id_invalid),
    ];
    known
        .iter()
        .find(|(prefix, _)| error.starts_with(prefix))
        .map(|(_, explanation)| *explanation)
}

/// A piece of the input line for the highlighting layer: its text and, for a word, its kind
/// (CSS class `w-<kind>`). The pieces together are the line, byte for byte; they are drawn
/// as text, never as markup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub class: Option<&'static str>,
}

/// Cuts `line` into pieces by `words` (from [`crate::assist::assist`] for this very line).
pub fn pieces(line: &str, words: &[Word]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for word in words {
        let (start, end) = (word.start.min(line.len()), word.end.min(line.len()));
        if start < at || !line.is_char_boundary(start) || !line.is_char_boundary(end) {
            continue;
        }
        if start > at {
            pieces.push(Piece {
                text: line[at..start].to_string(),
                class: None,
            });
        }
        let class = match (word.kind, word.quoted) {
            (WordKind::Command | WordKind::Subcommand, _) => "w-command",
            (WordKind::Keyword, _) => "w-option",
            (WordKind::Key, _) => "w-key",
            (WordKind::Parameter, _) => "w-option",
            (WordKind::Number, _) => "w-number",
            (WordKind::Argument, true) => "w-string",
            (WordKind::Argument, false) => "w-arg",
        };
        pieces.push(Piece {
            text: line[start..end].to_string(),
            class: Some(class),
        });
        at = end;
    }
    if at < line.len() {
        pieces.push(Piece {
            text: line[at..].to_string(),
            class: None,
        });
    }
    pieces
}

/// The byte offset in `text` of a UTF-16 offset (the browser's `selectionStart`).
pub fn byte_offset(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        if units >= utf16 {
            return at;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The UTF-16 offset of byte offset `at` in `text`.
pub fn utf16_offset(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].encode_utf16().count()
}

/// readline's editing keys, on the line the cursor is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Ctrl+A.
    LineStart,
    /// Ctrl+E.
    LineEnd,
    /// Ctrl+U: delete back to the start of the line.
    KillToStart,
    /// Ctrl+K: delete to the end of the line.
    KillToEnd,
    /// Ctrl+W: delete the word before the cursor (and the blanks after it).
    KillWord,
}

/// Applies `edit` to `text` with the cursor at byte `cursor`: the new text and cursor.
pub fn edit(text: &str, cursor: usize, edit: Edit) -> (String, usize) {
    let cursor = cursor.min(text.len());
    let start = text[..cursor].rfind('\n').map_or(0, |i| i + 1);
    let end = text[cursor..].find('\n').map_or(text.len(), |i| cursor + i);
    let cut = |from: usize, to: usize| format!("{}{}", &text[..from], &text[to..]);
    match edit {
        Edit::LineStart => (text.to_string(), start),
        Edit::LineEnd => (text.to_string(), end),
        Edit::KillToStart => (cut(start, cursor), start),
        Edit::KillToEnd => (cut(cursor, end), cursor),
        Edit::KillWord => {
            let before = text[start..cursor].trim_end_matches([' ', '\t']);
            let word = before.rfind([' ', '\t']).map_or(start, |i| start + i + 1);
            (cut(word, cursor), word)
        }
    }
}

/// A completion put in place of `line[from..cursor]`: the new line and cursor.
pub fn complete_with(line: &str, from: usize, cursor: usize, text: &str) -> (String, usize) {
    let (from, cursor) = (from.min(cursor), cursor.min(line.len()));
    let quoted = needs_quotes(text);
    let word = if quoted {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        text.to_string()
    };
    let new = format!("{}{}{}", &line[..from], word, &line[cursor..]);
    (new, from + word.len())
}

/// Whether a completed word (a key name) must be quoted for redis-cli to read it back.
fn needs_quotes(text: &str) -> bool {
    text.is_empty()
        || text
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::console;

    /// SET's docs, as the worker sends them.
    fn set_doc() -> Doc {
        Doc {
            name: "SET".into(),
            syntax: "SET key value [NX | XX] [GET]".into(),
            summary_en: "Sets the string value of a key.".into(),
            summary_zh: "把字串存到鍵下。".into(),
            complexity: "O(1)".into(),
            since: "1.0.0".into(),
            group: "string".into(),
            deprecated_since: String::new(),
            replaced_by: String::new(),
            examples: vec!["SET greeting hello".into()],
        }
    }

    #[test]
    fn help_prints_syntax_summary_complexity_since_and_group_in_either_language() {
        let docs = [set_doc()];
        let en = help_lines("set", &docs, &console::EN);
        assert_eq!(
            en,
            [
                "",
                "  SET key value [NX | XX] [GET]",
                "  summary: Sets the string value of a key.",
                "  complexity: O(1)",
                "  since: 1.0.0",
                "  group: string"
            ]
        );
        let zh = help_lines("set", &docs, &console::ZH_TW);
        assert_eq!(zh[2], "  摘要: 把字串存到鍵下。");
        // A deprecated command says since when, and what to use instead.
        let getset = Doc {
            name: "GETSET".into(),
            syntax: "GETSET key value".into(),
            deprecated_since: "6.2.0".into(),
            replaced_by: "`SET` with the `!GET` argument".into(),
            ..set_doc()
        };
        let zh = help_lines("getset", &[getset], &console::ZH_TW);
        assert_eq!(
            zh[6..],
            [
                "  棄用版本: 6.2.0",
                "  改用: `SET` with the `!GET` argument"
            ]
        );
        assert_eq!(
            help_lines("nosuch", &[], &console::EN),
            ["No help for nosuch."]
        );
        assert_eq!(
            help_lines("", &[], &console::ZH_TW).len(),
            console::ZH_TW.help_intro.len()
        );
    }

    #[test]
    fn common_errors_get_an_explanation_and_the_text_stays_redis_s() {
        let wrongtype = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
        assert_eq!(
            explain(wrongtype, &console::EN),
            Some(console::EN.wrongtype)
        );
        assert_eq!(
            explain("(error) ERR syntax error", &console::ZH_TW),
            Some(console::ZH_TW.syntax_error)
        );
        assert_eq!(
            explain(
                "(error) ERR wrong number of arguments for 'get' command",
                &console::EN
            ),
            Some(console::EN.arity)
        );
        assert_eq!(
            explain(
                "(error) ERR value is not an integer or out of range",
                &console::EN
            ),
            Some(console::EN.not_integer)
        );
        assert!(explain(
            "(error) OOM command not allowed when used memory > 'maxmemory'.",
            &console::EN
        )
        .is_some());
        assert!(explain(
            "(error) EXECABORT Transaction discarded because of previous errors.",
            &console::EN
        )
        .is_some());
        assert!(explain("(error) NOAUTH Authentication required.", &console::EN).is_some());
        assert_eq!(
            explain(
                "(error) NOGROUP No such key 'jobs' or consumer group 'workers' in XREADGROUP with GROUP option",
                &console::ZH_TW
            ),
            Some(console::ZH_TW.nogroup)
        );
        assert!(explain(
            "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item",
            &console::EN
        )
        .is_some());
        assert_eq!(explain("(error) ERR no such key", &console::EN), None);
    }

    #[test]
    fn pieces_cover_the_line_and_carry_the_word_kinds() {
        let line = "SET  \"<b>k</b>\" 12 EX 5 x";
        // The words as the worker's assist classifies this line.
        let word = |start, end, kind, quoted| Word {
            start,
            end,
            kind,
            quoted,
        };
        let words = [
            word(0, 3, WordKind::Command, false),
            word(5, 15, WordKind::Key, true),
            word(16, 18, WordKind::Number, false),
            word(19, 21, WordKind::Keyword, false),
            word(22, 23, WordKind::Number, false),
            word(24, 25, WordKind::Argument, false),
        ];
        let pieces = pieces(line, &words);
        assert_eq!(
            pieces.iter().map(|p| p.text.as_str()).collect::<String>(),
            line
        );
        let classes: Vec<_> = pieces.iter().filter_map(|p| p.class).collect();
        assert_eq!(
            classes,
            [
                "w-command",
                "w-key",
                "w-number",
                "w-option",
                "w-number",
                "w-arg"
            ]
        );
        assert_eq!(pieces[2].text, "\"<b>k</b>\"");
    }

    #[test]
    fn browser_offsets_and_byte_offsets_agree() {
        let text = "SET 鍵 😀x";
        let at = text.find('x').unwrap();
        assert_eq!(utf16_offset(text, at), 8);
        assert_eq!(byte_offset(text, 8), at);
        assert_eq!(byte_offset(text, 99), text.len());
    }

    #[test]
    fn readline_keys_edit_the_cursors_line() {
        let text = "PING\nSET key value";
        let cursor = text.find("value").unwrap();
        assert_eq!(edit(text, cursor, Edit::LineStart).1, 5);
        assert_eq!(edit(text, cursor, Edit::LineEnd).1, text.len());
        assert_eq!(
            edit(text, cursor, Edit::KillToStart),
            ("PING\nvalue".into(), 5)
        );
        assert_eq!(
            edit(text, cursor, Edit::KillToEnd),
            ("PING\nSET key ".into(), cursor)
        );
        assert_eq!(
            edit(text, cursor, Edit::KillWord),
            ("PING\nSET value".into(), 9)
        );
        assert_eq!(edit("GET", 3, Edit::KillWord), (String::new(), 0));
    }

    #[test]
    fn a_completion_replaces_the_word_and_quotes_what_needs_it() {
        assert_eq!(complete_with("zra", 0, 3, "ZRANGE"), ("ZRANGE".into(), 6));
        assert_eq!(
            complete_with("GET us x", 4, 6, "user:1"),
            ("GET user:1 x".into(), 10)
        );
        assert_eq!(
            complete_with("GET my", 4, 6, "my key"),
            ("GET \"my key\"".into(), 12)
        );
    }

    #[test]
    fn a_paste_runs_line_by_line_and_a_typed_blank_line_still_runs() {
        assert_eq!(pipeline("SET a 1\r\n\nGET a\n"), ["SET a 1", "GET a"]);
        assert_eq!(pipeline("   "), ["   "]);
        assert_eq!(pipeline("   \n"), ["   "]);
        // A script over several lines is one command, on one line.
        assert_eq!(
            pipeline("EVAL \"local n = 1\r\nreturn n\" 0\nGET a"),
            ["EVAL \"local n = 1\\nreturn n\" 0", "GET a"]
        );
        // An unclosed quote: line by line.
        assert_eq!(pipeline("SET a \"x\nGET a"), ["SET a \"x", "GET a"]);
        assert_eq!(pipeline(""), [""]);
    }

    #[test]
    fn quoted_reply_strings_read_back() {
        assert_eq!(unquote("\"user:1\""), Some("user:1".into()));
        assert_eq!(unquote("\"a\\\"b\\x41\""), Some("a\"bA".into()));
        assert_eq!(unquote("(integer) 1"), None);
    }
}
