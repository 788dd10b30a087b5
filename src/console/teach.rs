//! The teaching console's words and the pure work behind its views: `help`'s text, the short
//! explanation beside Redis's common errors, the raw RESP bytes written as escaped text, and
//! the input line cut into highlighted pieces. Redis's own texts (errors, replies, syntax) stay
//! exactly as Redis writes them; only our explanations are translated.

use keyspace_protocol::assist::{Doc, Word, WordKind};

/// The console's teaching text in one language (a field of [`crate::i18n::Strings`]).
#[derive(Debug, PartialEq, Eq)]
pub struct TeachStrings {
    /// Summaries in 繁體中文 (the spec table's English ones otherwise).
    pub chinese: bool,
    pub summary: &'static str,
    pub complexity: &'static str,
    pub since: &'static str,
    pub group: &'static str,
    /// What bare `help` prints.
    pub help_intro: &'static [&'static str],
    /// `help` about something that is no command nor group: `{t}` is what was asked.
    pub help_unknown: &'static str,
    /// The docs panel.
    pub docs_title: &'static str,
    pub docs_empty: &'static str,
    pub examples: &'static str,
    /// The button that runs an example.
    pub run: &'static str,
    pub close_docs: &'static str,
    /// Why the line cannot run as typed.
    pub unknown_command: &'static str,
    pub unknown_subcommand: &'static str,
    pub too_few: &'static str,
    pub too_many: &'static str,
    /// `{w}` is the word with no place in the syntax.
    pub unexpected: &'static str,
    pub suggestions: &'static str,
    /// The toggle showing the RESP bytes of each command and reply.
    pub raw_resp: &'static str,
    pub history: &'static str,
    pub history_filter: &'static str,
    /// Ctrl+R's prompt, as readline writes it.
    pub reverse_search: &'static str,
    pub reverse_failed: &'static str,
    pub copy: &'static str,
    pub docs_button: &'static str,
    /// Explanations of Redis's common errors.
    pub wrongtype: &'static str,
    pub syntax_error: &'static str,
    pub arity: &'static str,
    pub not_integer: &'static str,
    pub oom: &'static str,
    pub noauth: &'static str,
    pub execabort: &'static str,
    pub unknown_command_error: &'static str,
}

pub const TEACH_EN: TeachStrings = TeachStrings {
    chinese: false,
    summary: "summary",
    complexity: "complexity",
    since: "since",
    group: "group",
    help_intro: &[
        "Keyspace Playground, behaving like Redis 7.0.",
        "Type: \"help @<group>\" to list the commands of a group (Tab completes the groups)",
        "      \"help <command>\" for help on <command>",
        "      \"help <tab>\" to get a list of possible help topics",
        "      \"clear\" to clear the screen",
    ],
    help_unknown: "No help for {t}.",
    docs_title: "Command docs",
    docs_empty: "Type a command: its docs open here.",
    examples: "Examples",
    run: "Run",
    close_docs: "Close the docs",
    unknown_command: "unknown command",
    unknown_subcommand: "unknown subcommand",
    too_few: "needs more arguments",
    too_many: "too many arguments",
    unexpected: "{w} has no place here",
    suggestions: "Suggestions",
    raw_resp: "Raw RESP",
    history: "History",
    history_filter: "Search history",
    reverse_search: "(reverse-i-search)",
    reverse_failed: "(failed reverse-i-search)",
    copy: "Copy",
    docs_button: "Docs",
    wrongtype: "The key holds another type of value than this command works on (see TYPE key).",
    syntax_error: "An option is misspelled, repeated, or not allowed together with another one.",
    arity: "The command got too few or too many arguments (help <command> shows its syntax).",
    not_integer:
        "This argument must be a whole number within 64 bits, or the stored value is not one.",
    oom: "maxmemory is reached and the eviction policy found nothing to evict.",
    noauth: "This connection must authenticate (AUTH) before running commands.",
    execabort: "A command queued in this MULTI was refused, so EXEC runs none of them.",
    unknown_command_error: "Redis has no such command (help @<group> lists the ones it has).",
};

pub const TEACH_ZH: TeachStrings = TeachStrings {
    chinese: true,
    summary: "摘要",
    complexity: "時間複雜度",
    since: "起始版本",
    group: "群組",
    help_intro: &[
        "Keyspace 遊樂場，行為與 Redis 7.0 相同。",
        "輸入：\"help @<群組>\" 列出某群組的指令（Tab 可補全群組名）",
        "      \"help <指令>\" 查看指令說明",
        "      \"help <Tab>\" 列出可查的主題",
        "      \"clear\" 清除畫面",
    ],
    help_unknown: "沒有 {t} 的說明。",
    docs_title: "指令說明",
    docs_empty: "輸入指令，它的說明會顯示在這裡。",
    examples: "範例",
    run: "執行",
    close_docs: "關閉說明",
    unknown_command: "沒有這個指令",
    unknown_subcommand: "沒有這個子指令",
    too_few: "參數不足",
    too_many: "參數太多",
    unexpected: "{w} 不該出現在這裡",
    suggestions: "建議",
    raw_resp: "原始 RESP",
    history: "歷史指令",
    history_filter: "搜尋歷史指令",
    reverse_search: "(反向搜尋)",
    reverse_failed: "(反向搜尋失敗)",
    copy: "複製",
    docs_button: "說明",
    wrongtype: "這個鍵存的值不是此指令能處理的型別（可用 TYPE 鍵名 查看）。",
    syntax_error: "選項拼錯、重複，或與另一個選項不能同時使用。",
    arity: "指令的參數太少或太多（help <指令> 可看語法）。",
    not_integer: "這個參數必須是 64 位元以內的整數，或鍵中存的值不是整數。",
    oom: "已達 maxmemory 上限，而淘汰策略找不到可淘汰的鍵。",
    noauth: "這條連線必須先驗證身分（AUTH）才能執行指令。",
    execabort: "這次 MULTI 中有指令被拒絕，所以 EXEC 一個都不執行。",
    unknown_command_error: "Redis 沒有這個指令（help @<群組> 可列出現有的指令）。",
};

/// The summary in the chosen language.
pub fn summary<'a>(doc: &'a Doc, text: &TeachStrings) -> &'a str {
    if text.chinese && !doc.summary_zh.is_empty() {
        &doc.summary_zh
    } else {
        &doc.summary_en
    }
}

/// What `help <topic>` prints, laid out as redis-cli lays out its help (with the complexity
/// added): a blank line, then for each command its syntax and its facts, indented.
pub fn help_lines(topic: &str, docs: &[Doc], text: &TeachStrings) -> Vec<String> {
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
    }
    lines
}

/// The commands in a submitted text: a single line as it is (a blank one prints the prompt,
/// as in redis-cli), or each non-blank line of a pasted pipeline.
pub fn pipeline(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    if lines.len() <= 1 {
        return vec![lines.first().copied().unwrap_or_default().to_string()];
    }
    lines
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
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
pub fn explain(line: &str, text: &TeachStrings) -> Option<&'static str> {
    let error = line.trim_start();
    let error = error.strip_prefix("(error) ").unwrap_or(error);
    let known: [(&str, &str); 8] = [
        ("WRONGTYPE", text.wrongtype),
        ("ERR syntax error", text.syntax_error),
        ("ERR wrong number of arguments", text.arity),
        ("ERR value is not an integer", text.not_integer),
        ("OOM", text.oom),
        ("NOAUTH", text.noauth),
        ("EXECABORT", text.execabort),
        ("ERR unknown command", text.unknown_command_error),
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
            examples: vec!["SET greeting hello".into()],
        }
    }

    #[test]
    fn help_prints_syntax_summary_complexity_since_and_group_in_either_language() {
        let docs = [set_doc()];
        let en = help_lines("set", &docs, &TEACH_EN);
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
        let zh = help_lines("set", &docs, &TEACH_ZH);
        assert_eq!(zh[2], "  摘要: 把字串存到鍵下。");
        assert_eq!(
            help_lines("nosuch", &[], &TEACH_EN),
            ["No help for nosuch."]
        );
        assert_eq!(
            help_lines("", &[], &TEACH_ZH).len(),
            TEACH_ZH.help_intro.len()
        );
    }

    #[test]
    fn common_errors_get_an_explanation_and_the_text_stays_redis_s() {
        let wrongtype = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
        assert_eq!(explain(wrongtype, &TEACH_EN), Some(TEACH_EN.wrongtype));
        assert_eq!(
            explain("(error) ERR syntax error", &TEACH_ZH),
            Some(TEACH_ZH.syntax_error)
        );
        assert_eq!(
            explain(
                "(error) ERR wrong number of arguments for 'get' command",
                &TEACH_EN
            ),
            Some(TEACH_EN.arity)
        );
        assert_eq!(
            explain(
                "(error) ERR value is not an integer or out of range",
                &TEACH_EN
            ),
            Some(TEACH_EN.not_integer)
        );
        assert!(explain(
            "(error) OOM command not allowed when used memory > 'maxmemory'.",
            &TEACH_EN
        )
        .is_some());
        assert!(explain(
            "(error) EXECABORT Transaction discarded because of previous errors.",
            &TEACH_EN
        )
        .is_some());
        assert!(explain("(error) NOAUTH Authentication required.", &TEACH_EN).is_some());
        assert_eq!(explain("(error) ERR no such key", &TEACH_EN), None);
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
        assert_eq!(pipeline(""), [""]);
    }

    #[test]
    fn quoted_reply_strings_read_back() {
        assert_eq!(unquote("\"user:1\""), Some("user:1".into()));
        assert_eq!(unquote("\"a\\\"b\\x41\""), Some("a\"bA".into()));
        assert_eq!(unquote("(integer) 1"), None);
    }
}
