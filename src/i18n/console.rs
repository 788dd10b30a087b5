//! The console: its log and input line, and the teaching console's words (`help`, the docs
//! panel, the verdicts before sending, the explanations beside Redis's common errors, the
//! editing tools). Redis's own texts (errors, replies, syntax) stay as Redis writes them.

/// The console's words in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct ConsoleStrings {
    /// The label of the command input.
    pub input_label: &'static str,
    pub placeholder: &'static str,
    /// The empty console on a first visit: a greeting, what to try, and the way to the scenarios.
    pub welcome_title: &'static str,
    pub welcome_text: &'static str,
    pub welcome_scenarios: &'static str,
    /// The label of the output log, for screen readers.
    pub output_label: &'static str,
    /// Shown while the engine's worker starts.
    pub starting: &'static str,
    /// Shown while commands run or wait their turn.
    pub busy: &'static str,
    /// The line running now, before its reply.
    pub running: &'static str,
    /// A typed line waiting for the engine.
    pub queued: &'static str,
    /// Reveals a collapsed reply: `{n}` lines in all.
    pub show_all: &'static str,
    /// Fetches the next page of a long reply: `{n}` lines not shown yet.
    pub show_more: &'static str,
    /// The hint for the keyboard: clear, history, zoom.
    pub keys_hint: &'static str,
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

pub const EN: ConsoleStrings = ConsoleStrings {
    input_label: "Command",
    placeholder: "Type a command, e.g. SET greeting hello",
    welcome_title: "Welcome! This is a real Redis 7.0 keyspace, running in your browser.",
    welcome_text: "Type a command below, e.g. SET greeting hello, then GET greeting. Or watch how real applications use Redis (caching, sessions, rate limits, locks), played step by step:",
    welcome_scenarios: "Open the scenarios →",
    output_label: "Replies",
    starting: "Starting the engine…",
    busy: "Running…",
    running: "(running…)",
    queued: "(waiting for the command before)",
    show_all: "Show all {n} lines",
    show_more: "Show more ({n} lines not shown)",
    keys_hint: "Tab complete · ↑ ↓ history · Ctrl+R search · Ctrl+A/E/U/K/W edit · Shift+Enter new line · F1 docs · Ctrl+L clear · Ctrl + / − zoom",
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

pub const ZH_TW: ConsoleStrings = ConsoleStrings {
    input_label: "指令",
    placeholder: "輸入指令，例如 SET greeting hello",
    welcome_title: "歡迎！這是在你的瀏覽器裡執行的 Redis 7.0 鍵空間。",
    welcome_text: "在下面輸入指令，例如 SET greeting hello，再輸入 GET greeting。或是看看真實的應用程式怎麼使用 Redis（快取、會話、限流、鎖），一步一步播放：",
    welcome_scenarios: "打開情境 →",
    output_label: "回覆",
    starting: "正在啟動引擎…",
    busy: "執行中…",
    running: "（執行中…）",
    queued: "（等待前一個指令完成）",
    show_all: "顯示全部 {n} 行",
    show_more: "顯示更多（尚有 {n} 行）",
    keys_hint: "Tab 補全 · ↑ ↓ 歷史指令 · Ctrl+R 搜尋 · Ctrl+A/E/U/K/W 編輯 · Shift+Enter 換行 · F1 說明 · Ctrl+L 清除 · Ctrl + / − 縮放",
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
