//! The page's words in 繁體中文 and English: one table per language, chosen from the browser's
//! language unless the visitor picked one (remembered by the page). Redis's own output and
//! names (types, commands, errors) are never translated. Command summaries live in the engine's
//! spec table (English) and in `docs` (繁體中文); only the UI's own text is here, the teaching
//! console's in its own table (`teach`).

use crate::console::teach::{TeachStrings, TEACH_EN, TEACH_ZH};

use crate::console::clients::{ClientStrings, CLIENTS_ENGLISH, CLIENTS_TRADITIONAL_CHINESE};
use crate::share::dialog::ShareStrings;

/// Every piece of text the page shows that is not Redis's own output. Texts with `{n}` get a
/// number put in by [`fill`]. Both tables are consts of this struct, so a text missing from
/// either is a compile error.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    /// The `lang` attribute for the document, and the key the choice is saved under.
    pub lang: &'static str,
    /// The button that switches to this language, written in it.
    pub name: &'static str,
    pub title: &'static str,
    /// Says which Redis the page behaves like.
    pub emulates: &'static str,
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
    pub keys_title: &'static str,
    /// `{n}` keys match.
    pub keys_count: &'static str,
    pub db_label: &'static str,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    pub type_label: &'static str,
    pub all_types: &'static str,
    pub col_key: &'static str,
    pub col_type: &'static str,
    pub col_size: &'static str,
    pub col_ttl: &'static str,
    /// A key without a TTL.
    pub no_ttl: &'static str,
    pub no_keys: &'static str,
    pub theme_dark: &'static str,
    pub theme_light: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    /// The hint for the keyboard: clear, history, zoom.
    pub keys_hint: &'static str,
    /// The engine stopped; nothing typed is lost but the keyspace is.
    pub failed: &'static str,
    pub reset: &'static str,
    /// Printed in the console after a reset.
    pub restarted: &'static str,
    /// The inspector's label, for screen readers.
    pub inspector_label: &'static str,
    /// Under the key list: how to open a key.
    pub inspect_hint: &'static str,
    pub close: &'static str,
    pub prev_page: &'static str,
    pub next_page: &'static str,
    /// Which elements a page shows: `{from}`–`{to}` of `{n}`.
    pub page_range: &'static str,
    /// The inspected key was deleted or expired.
    pub key_gone: &'static str,
    /// Before OBJECT ENCODING's answer.
    pub encoding: &'static str,
    /// A string's length: `{n}` bytes.
    pub bytes: &'static str,
    /// The part of a long string not shown: `{n}` bytes.
    pub more_bytes: &'static str,
    /// An aggregate's size: `{n}` elements.
    pub elements: &'static str,
    /// The legend of a list's two rows of indexes.
    pub from_head: &'static str,
    pub from_tail: &'static str,
    pub col_field: &'static str,
    pub col_value: &'static str,
    pub col_rank: &'static str,
    pub col_member: &'static str,
    pub col_score: &'static str,
    /// Under a sorted set: what its score bars span, from `{low}` to `{high}`.
    pub bars_range: &'static str,
    /// Under a sorted set whose scores are all equal.
    pub bars_equal: &'static str,
    /// After [`Strings::bars_range`] when an end is -inf or +inf.
    pub bars_infinite: &'static str,
    /// The switch between the console and the scenarios, for screen readers.
    pub tabs_label: &'static str,
    pub tab_console: &'static str,
    pub tab_scenarios: &'static str,
    /// The Server tab's words (`crate::server_view`).
    pub server: &'static crate::server::panel::ServerStrings,
    /// The Server tab's "Saved in this browser" section and the restore note.
    pub saved: &'static crate::saved::section::SavedStrings,
    /// The scenario picker's label.
    pub scenario_pick: &'static str,
    /// Above the scenario cards when none is open.
    pub scenario_choose: &'static str,
    /// The file input's label.
    pub open_file: &'static str,
    pub drop_hint: &'static str,
    /// Before a scenario file's mistake.
    pub file_error: &'static str,
    /// Beside the title of a scenario read from a file.
    pub from_file: &'static str,
    pub steps_title: &'static str,
    /// Progress: step `{n}` of `{m}`.
    pub step_of: &'static str,
    /// The position before step 1.
    pub intro_title: &'static str,
    /// Shown after the last step.
    pub lesson_title: &'static str,
    pub back: &'static str,
    pub next: &'static str,
    pub play: &'static str,
    pub pause: &'static str,
    /// Back to the introduction.
    pub restart: &'static str,
    pub continue_console: &'static str,
    pub continue_console_hint: &'static str,
    /// Asked before the console is replaced by the scenario: `{n}` keys.
    pub continue_question: &'static str,
    pub continue_yes: &'static str,
    pub continue_no: &'static str,
    pub speed: &'static str,
    pub presenter: &'static str,
    pub presenter_exit: &'static str,
    /// The virtual clock's label.
    pub clock_label: &'static str,
    pub code_title: &'static str,
    pub run_title: &'static str,
    /// A step without Redis commands.
    pub no_commands: &'static str,
    /// The commands pane before step 1.
    pub before_start: &'static str,
    /// Before what the scenario expected, when the reply differs.
    pub expected: &'static str,
    /// A delivery to another client: `{c}` receives.
    pub receives: &'static str,
    /// Time passing after a step: `{t}`.
    pub waits: &'static str,
    /// Above a step played after a wait: `{t}` passed first.
    pub waited_before: &'static str,
    /// Under a step that waits: `{t}` pass before the next step.
    pub wait_next: &'static str,
    /// While a step's wait passes (playing): `{done}` of `{t}`.
    pub wait_passing: &'static str,
    /// The scenario's keyspace: `{n}` keys.
    pub scenario_keys: &'static str,
    /// Keys not listed: `{n}`.
    pub more_keys: &'static str,
    /// The scenario keyspace filter's placeholder.
    pub scenario_filter: &'static str,
    /// Removed keys not listed: `{n}`.
    pub more_removed: &'static str,
    /// The mark on a key the step is about.
    pub step_keys: &'static str,
    /// Key change labels.
    pub created: &'static str,
    pub changed: &'static str,
    pub deleted: &'static str,
    pub expired: &'static str,
    pub evicted: &'static str,
    /// The scenario's keyboard hint.
    pub scenario_hint: &'static str,
    /// A dropped file the page cannot open: `{file}`.
    pub drop_refused: &'static str,
    /// The client panes' words.
    pub clients: &'static ClientStrings,
    /// Sharing a session (`crate::share`).
    pub share: &'static ShareStrings,
    /// The teaching console's text: help, docs, hints, error explanations (`teach`).
    pub teach: &'static TeachStrings,
}

pub const ENGLISH: Strings = Strings {
    lang: "en",
    name: "English",
    title: "Keyspace Playground",
    emulates: "A Redis keyspace running in your browser. It behaves like Redis 7.0.",
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
    keys_title: "Keyspace",
    keys_count: "{n} key|{n} keys",
    db_label: "Database",
    filter_label: "Filter keys",
    filter_placeholder: "pattern, e.g. user:*",
    type_label: "Type",
    all_types: "all types",
    col_key: "Key",
    col_type: "Type",
    col_size: "Size",
    col_ttl: "TTL",
    no_ttl: "no TTL",
    no_keys: "No keys yet. Try SET greeting hello PX 5000",
    theme_dark: "Dark theme",
    theme_light: "Light theme",
    zoom_in: "Larger text",
    zoom_out: "Smaller text",
    keys_hint: "Tab complete · ↑ ↓ history · Ctrl+R search · Ctrl+A/E/U/K/W edit · Shift+Enter new line · F1 docs · Ctrl+L clear · Ctrl + / − zoom",
    failed: "The Redis engine stopped unexpectedly. Your keys are lost, but the page still works.",
    reset: "Reset",
    restarted: "(a new, empty Redis was started)",
    inspector_label: "Inspector",
    inspect_hint: "Click a key to see its value.",
    close: "Close",
    prev_page: "‹ Previous",
    next_page: "Next ›",
    page_range: "{from}–{to} of {n}",
    key_gone: "This key does not exist (any more).",
    encoding: "encoding",
    bytes: "{n} byte|{n} bytes",
    more_bytes: "… {n} more byte not shown|… {n} more bytes not shown",
    elements: "{n} element|{n} elements",
    from_head: "index from the head",
    from_tail: "from the tail",
    col_field: "Field",
    col_value: "Value",
    col_rank: "Rank",
    col_member: "Member",
    col_score: "Score",
    bars_range: "Bars run from the lowest score, {low} (empty), to the highest, {high} (full).",
    bars_equal: "Every score is the same: every bar is full.",
    bars_infinite: "With an infinite end, finite scores are drawn midway.",
    tabs_label: "Views",
    tab_console: "Console",
    tab_scenarios: "Scenarios",
    server: &crate::server::panel::ENGLISH,
    saved: &crate::saved::section::SavedStrings::EN,
    scenario_pick: "Scenario",
    scenario_choose: "Pick a scenario from the guide, or open your own file.",
    open_file: "Open a .toml file",
    drop_hint: "or drop one on this page",
    file_error: "This scenario file has a mistake:",
    from_file: "your file",
    steps_title: "Steps",
    step_of: "Step {n} of {m}",
    intro_title: "Introduction",
    lesson_title: "The lesson",
    back: "‹ Back",
    next: "Next ›",
    play: "▶ Play",
    pause: "❚❚ Pause",
    restart: "⟲ Restart",
    continue_console: "Continue in the console",
    continue_console_hint:
        "Type your own commands on this scenario's keyspace, its clients and TTLs as they stand now",
    continue_question: "Continue in the console replaces what the console holds now: its {n} key and the lines typed in it (your ↑ history stays).|Continue in the console replaces what the console holds now: its {n} keys and the lines typed in it (your ↑ history stays).",
    continue_yes: "Replace and continue",
    continue_no: "Keep my console",
    speed: "Speed",
    presenter: "Presenter mode",
    presenter_exit: "Exit presenter mode",
    clock_label: "Virtual time",
    code_title: "The guide's code",
    run_title: "Commands and replies",
    no_commands: "No Redis commands in this step.",
    before_start: "Press Next › (or →) to play step 1.",
    expected: "expected:",
    receives: "{c} receives",
    waits: "then {t} pass",
    waited_before: "… {t} later",
    wait_next: "Then {t} pass before the next step",
    wait_passing: "Time passing: {done} of {t}",
    scenario_keys: "{n} key|{n} keys",
    more_keys: "… {n} more key|… {n} more keys",
    scenario_filter: "filter, e.g. session:*",
    more_removed: "… {n} more removed key|… {n} more removed keys",
    step_keys: "A key this step is about",
    created: "created",
    changed: "changed",
    deleted: "deleted",
    expired: "expired",
    evicted: "evicted",
    scenario_hint: "→ / PageDown next · ← / PageUp back · Space play/pause · Home restart",
    drop_refused: "{file} was not opened: drop a scenario (.toml) or an RDB file (.rdb) here.",
    clients: &CLIENTS_ENGLISH,
    share: &ShareStrings::EN,
    teach: &TEACH_EN,
};

pub const TRADITIONAL_CHINESE: Strings = Strings {
    lang: "zh-Hant-TW",
    name: "繁體中文",
    title: "Keyspace 遊樂場",
    emulates: "在瀏覽器中執行的 Redis 鍵空間，行為與 Redis 7.0 相同。",
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
    keys_title: "鍵空間",
    keys_count: "{n} 個鍵",
    db_label: "資料庫",
    filter_label: "篩選鍵",
    filter_placeholder: "模式，例如 user:*",
    type_label: "型別",
    all_types: "所有型別",
    col_key: "鍵",
    col_type: "型別",
    col_size: "大小",
    col_ttl: "存活時間",
    no_ttl: "不過期",
    no_keys: "還沒有鍵。試試 SET greeting hello PX 5000",
    theme_dark: "深色主題",
    theme_light: "淺色主題",
    zoom_in: "放大文字",
    zoom_out: "縮小文字",
    keys_hint: "Tab 補全 · ↑ ↓ 歷史指令 · Ctrl+R 搜尋 · Ctrl+A/E/U/K/W 編輯 · Shift+Enter 換行 · F1 說明 · Ctrl+L 清除 · Ctrl + / − 縮放",
    failed: "Redis 引擎意外停止。鍵已遺失，但頁面仍可使用。",
    reset: "重設",
    restarted: "（已啟動一個新的空白 Redis）",
    inspector_label: "檢視器",
    inspect_hint: "點選一個鍵，查看它的值。",
    close: "關閉",
    prev_page: "‹ 上一頁",
    next_page: "下一頁 ›",
    page_range: "第 {from}–{to} 項，共 {n} 項",
    key_gone: "這個鍵不存在（或已被刪除、過期）。",
    encoding: "編碼",
    bytes: "{n} 位元組",
    more_bytes: "…還有 {n} 位元組未顯示",
    elements: "{n} 個元素",
    from_head: "從頭算的索引",
    from_tail: "從尾算的索引",
    col_field: "欄位",
    col_value: "值",
    col_rank: "名次",
    col_member: "成員",
    col_score: "分數",
    bars_range: "長條從最低分 {low}（空）畫到最高分 {high}（滿）。",
    bars_equal: "所有分數都相同：每條長條都是滿的。",
    bars_infinite: "有一端是無限大時，有限的分數畫在中間。",
    tabs_label: "檢視",
    tab_console: "主控台",
    tab_scenarios: "情境",
    server: &crate::server::panel::TRADITIONAL_CHINESE,
    saved: &crate::saved::section::SavedStrings::ZH_TW,
    scenario_pick: "情境",
    scenario_choose: "從指南中選一個情境，或開啟你自己的檔案。",
    open_file: "開啟 .toml 檔案",
    drop_hint: "或把檔案拖放到這個頁面",
    file_error: "這個情境檔有錯誤：",
    from_file: "你的檔案",
    steps_title: "步驟",
    step_of: "第 {n} 步，共 {m} 步",
    intro_title: "開場",
    lesson_title: "重點",
    back: "‹ 上一步",
    next: "下一步 ›",
    play: "▶ 播放",
    pause: "❚❚ 暫停",
    restart: "⟲ 從頭開始",
    continue_console: "在主控台繼續",
    continue_console_hint: "在這個情境目前的鍵空間上輸入自己的指令，保留它的客戶端和 TTL",
    continue_question: "在主控台繼續會取代主控台現有的內容：它的 {n} 個鍵和輸入過的指令行（↑ 的歷史紀錄會保留）。",
    continue_yes: "取代並繼續",
    continue_no: "保留我的主控台",
    speed: "速度",
    presenter: "簡報模式",
    presenter_exit: "離開簡報模式",
    clock_label: "虛擬時間",
    code_title: "指南中的程式碼",
    run_title: "指令與回覆",
    no_commands: "這一步沒有 Redis 指令。",
    before_start: "按「下一步 ›」（或 →）播放第 1 步。",
    expected: "預期：",
    receives: "{c} 收到",
    waits: "接著經過 {t}",
    waited_before: "… {t} 之後",
    wait_next: "接著經過 {t}，才到下一步",
    wait_passing: "時間流逝中：{t} 已過 {done}",
    scenario_keys: "{n} 個鍵",
    more_keys: "…還有 {n} 個鍵",
    scenario_filter: "篩選，例如 session:*",
    more_removed: "…還有 {n} 個被移除的鍵",
    step_keys: "這一步談到的鍵",
    created: "新增",
    changed: "修改",
    deleted: "刪除",
    expired: "過期",
    evicted: "逐出",
    scenario_hint: "→ / PageDown 下一步 · ← / PageUp 上一步 · 空白鍵 播放/暫停 · Home 從頭開始",
    drop_refused: "沒有開啟 {file}：請拖放情境檔（.toml）或 RDB 檔（.rdb）。",
    clients: &CLIENTS_TRADITIONAL_CHINESE,
    share: &ShareStrings::ZH_TW,
    teach: &TEACH_ZH,
};

/// Both tables, in the order the switch offers them.
pub const LANGUAGES: [&Strings; 2] = [&TRADITIONAL_CHINESE, &ENGLISH];

/// The table for a BCP 47 language tag such as `navigator.language` gives, or a saved
/// choice: any Chinese gets 繁體中文 (the guide this page teaches is written in it), everything
/// else English.
pub fn strings_for(language: &str) -> &'static Strings {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("zh") {
        &TRADITIONAL_CHINESE
    } else {
        &ENGLISH
    }
}

/// Puts `n` into a text's `{n}`.
pub fn fill(text: &str, n: usize) -> String {
    count_form(text, n as u64).replace("{n}", &n.to_string())
}

/// The form of a text for `count`: a text written `one|other` ("{n} key|{n} keys") gives its
/// first form for 1 and its second for any other number; a text without `|` (繁體中文 has no
/// plural) is the same for every number.
pub fn count_form(text: &str, count: u64) -> &str {
    match text.split_once('|') {
        Some((one, _)) if count == 1 => one,
        Some((_, other)) => other,
        None => text,
    }
}

/// Puts a page's first and last element (counted from 1) and the total into
/// [`Strings::page_range`].
pub fn fill_range(text: &str, from: usize, to: usize, n: usize) -> String {
    text.replace("{from}", &from.to_string())
        .replace("{to}", &to.to_string())
        .replace("{n}", &n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_table_from_the_language_tag() {
        assert_eq!(strings_for("zh-TW"), &TRADITIONAL_CHINESE);
        assert_eq!(strings_for("zh-Hant"), &TRADITIONAL_CHINESE);
        assert_eq!(strings_for("ZH"), &TRADITIONAL_CHINESE);
        assert_eq!(strings_for("en-US"), &ENGLISH);
        assert_eq!(strings_for("fr"), &ENGLISH);
        assert_eq!(strings_for(""), &ENGLISH);
        // A saved choice reads back as its table.
        for table in LANGUAGES {
            assert_eq!(strings_for(table.lang), table);
        }
    }

    #[test]
    fn both_tables_name_redis_7_0() {
        for strings in LANGUAGES {
            assert!(strings.emulates.contains("Redis 7.0"), "{}", strings.lang);
        }
    }

    #[test]
    fn one_is_singular_in_english() {
        assert_eq!(fill(ENGLISH.keys_count, 1), "1 key");
        assert_eq!(fill(ENGLISH.keys_count, 0), "0 keys");
        assert_eq!(fill(ENGLISH.keys_count, 2), "2 keys");
        assert_eq!(fill(TRADITIONAL_CHINESE.keys_count, 1), fill("{n} 個鍵", 1));
    }

    #[test]
    fn numbered_texts_take_their_number() {
        for strings in LANGUAGES {
            for text in [
                strings.show_all,
                strings.show_more,
                strings.keys_count,
                strings.bytes,
                strings.more_bytes,
                strings.elements,
            ] {
                assert!(fill(text, 42).contains("42"), "{text}");
                assert!(fill(text, 1).contains('1') && !fill(text, 1).contains('|'));
            }
            for text in [strings.scenario_keys, strings.more_keys] {
                assert!(fill(text, 42).contains("42"), "{text}");
            }
            assert!(strings.step_of.contains("{n}") && strings.step_of.contains("{m}"));
            assert!(strings.receives.contains("{c}") && strings.waits.contains("{t}"));
            let range = fill_range(strings.page_range, 51, 100, 1000);
            assert!(
                ["51", "100", "1000"].iter().all(|n| range.contains(n)),
                "{range}"
            );
        }
    }
}
