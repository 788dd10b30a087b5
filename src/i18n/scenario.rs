//! The Scenarios tab: the picker, the player's controls and narration, the step's commands and
//! replies, the scenario's keyspace and its changes.

/// The Scenarios tab's words in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct ScenarioStrings {
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
    /// The step's MONITOR lines, shown or hidden: `{n}` commands.
    pub monitor_lines: &'static str,
    pub monitor_title: &'static str,
    /// Lines beyond those shown: `{n}`.
    pub monitor_more: &'static str,
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
    /// Before why the built-in scenarios could not be downloaded.
    pub scenarios_unavailable: &'static str,
}

pub const EN: ScenarioStrings = ScenarioStrings {
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
    monitor_lines: "MONITOR · {n} command|MONITOR · {n} commands",
    monitor_title: "The step's commands as redis-cli monitor prints them beside the scenario's server",
    monitor_more: "… and {n} more",
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
    scenarios_unavailable: "The guide's scenarios could not be downloaded (reload the page to try again; a file of your own still opens):",
};

pub const ZH_TW: ScenarioStrings = ScenarioStrings {
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
    continue_question:
        "在主控台繼續會取代主控台現有的內容：它的 {n} 個鍵和輸入過的指令行（↑ 的歷史紀錄會保留）。",
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
    monitor_lines: "MONITOR · {n} 個指令",
    monitor_title: "這一步的指令，依 redis-cli monitor 在情境伺服器旁印出的樣子",
    monitor_more: "…… 還有 {n} 個",
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
    scenarios_unavailable:
        "無法下載指南中的情境（請重新載入頁面再試一次；你自己的情境檔仍可開啟）：",
};
