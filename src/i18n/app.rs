//! The page's frame: the header (title, the emulated Redis version, theme and zoom), the tabs,
//! the engine's failure and a refused drop.

/// The page frame's words in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct AppStrings {
    pub title: &'static str,
    /// Says which Redis the page behaves like.
    pub emulates: &'static str,
    pub theme_dark: &'static str,
    pub theme_light: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    /// The engine stopped (a DEBUG crash, or a failure); the next one starts on what the
    /// browser keeps.
    pub failed: &'static str,
    pub reset: &'static str,
    /// Printed in the console after a reset.
    pub restarted: &'static str,
    /// The switch between the console and the scenarios, for screen readers.
    pub tabs_label: &'static str,
    pub tab_console: &'static str,
    pub tab_scenarios: &'static str,
    /// A dropped file the page cannot open: `{file}`.
    pub drop_refused: &'static str,
    /// Closes the refusal of a dropped file.
    pub close: &'static str,
    /// A newer build of the page is installed and waits for a reload (`crate::offline`).
    pub update_ready: &'static str,
    pub update_reload: &'static str,
}

pub const EN: AppStrings = AppStrings {
    title: "Keyspace Playground",
    emulates: "A Redis keyspace running in your browser. It behaves like Redis 7.0.",
    theme_dark: "Dark theme",
    theme_light: "Light theme",
    zoom_in: "Larger text",
    zoom_out: "Smaller text",
    failed: "The Redis engine stopped (why is below). Reset starts a new one on what the browser keeps; whatever it did not keep is lost.",
    reset: "Reset",
    restarted: "(a new Redis was started, on what the browser keeps)",
    tabs_label: "Views",
    tab_console: "Console",
    tab_scenarios: "Scenarios",
    drop_refused: "{file} was not opened: drop a scenario (.toml), a lesson (.md) or an RDB file (.rdb) here.",
    close: "Close",
    update_ready: "A new version of the playground is ready. Your keys are kept.",
    update_reload: "Reload",
};

pub const ZH_TW: AppStrings = AppStrings {
    title: "Keyspace 遊樂場",
    emulates: "在瀏覽器中執行的 Redis 鍵空間，行為與 Redis 7.0 相同。",
    theme_dark: "深色主題",
    theme_light: "淺色主題",
    zoom_in: "放大文字",
    zoom_out: "縮小文字",
    failed: "Redis 引擎停止了（原因見下方）。按「重設」會以瀏覽器保存的資料啟動新的引擎；沒有保存的資料都會遺失。",
    reset: "重設",
    restarted: "（已用瀏覽器保存的資料啟動新的 Redis）",
    tabs_label: "檢視",
    tab_console: "主控台",
    tab_scenarios: "情境",
    drop_refused: "沒有開啟 {file}：請拖放情境檔（.toml）、課程（.md）或 RDB 檔（.rdb）。",
    close: "關閉",
    update_ready: "遊樂場有新版本了。你的鍵都會保留。",
    update_reload: "重新載入",
};
